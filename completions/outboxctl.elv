
use builtin;
use str;

set edit:completion:arg-completer[outboxctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'outboxctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'outboxctl'= {
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --schema 'Schema that holds the tables (sets search_path for the session)'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel any statement that runs longer than this (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand ddl 'Print the DDL of both tables (no database needed)'
            cand migrate 'Create both tables where missing (safe to run from many processes at once)'
            cand check 'Compare the live tables with the contract; exit 3 on drift'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outboxctl;ddl'= {
            cand --only 'Only this table'
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --schema 'Schema that holds the tables (sets search_path for the session)'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel any statement that runs longer than this (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outboxctl;migrate'= {
            cand --only 'Only this table'
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --schema 'Schema that holds the tables (sets search_path for the session)'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel any statement that runs longer than this (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand --dry-run 'Print the SQL that would run, run nothing'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outboxctl;check'= {
            cand --only 'Only this table'
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --schema 'Schema that holds the tables (sets search_path for the session)'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel any statement that runs longer than this (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outboxctl;completions'= {
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --schema 'Schema that holds the tables (sets search_path for the session)'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel any statement that runs longer than this (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outboxctl;help'= {
            cand ddl 'Print the DDL of both tables (no database needed)'
            cand migrate 'Create both tables where missing (safe to run from many processes at once)'
            cand check 'Compare the live tables with the contract; exit 3 on drift'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outboxctl;help;ddl'= {
        }
        &'outboxctl;help;migrate'= {
        }
        &'outboxctl;help;check'= {
        }
        &'outboxctl;help;completions'= {
        }
        &'outboxctl;help;help'= {
        }
    ]
    $completions[$command]
}
