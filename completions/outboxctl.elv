
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
            cand --dedup-columns 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…'
            cand --schema 'Schema that holds the tables [default: the first on the search path that has them]'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)'
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
            cand stats 'Counts by status (and topic), oldest pending age, dedup totals; thresholds for monitoring'
            cand list 'List messages (default: pending and failed, oldest first, 50 rows)'
            cand show 'Show one message in full'
            cand requeue 'Move failed (or stuck / processed) messages back to pending'
            cand purge 'Delete processed messages older than a cutoff (the library''s retention rule)'
            cand dedup 'Mark, check, list, unmark and purge entries of the dedup ("processed") table'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outboxctl;ddl'= {
            cand --only 'Only this table'
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --dedup-columns 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…'
            cand --schema 'Schema that holds the tables [default: the first on the search path that has them]'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)'
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
            cand --dedup-columns 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…'
            cand --schema 'Schema that holds the tables [default: the first on the search path that has them]'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)'
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
            cand --dedup-columns 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…'
            cand --schema 'Schema that holds the tables [default: the first on the search path that has them]'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outboxctl;stats'= {
            cand --max-pending-age 'Exit 3 when the oldest pending message is older than this (e.g. 5m)'
            cand --max-failed 'Exit 3 when more than N messages are failed'
            cand --max-pending 'Exit 3 when more than N messages are pending'
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --dedup-columns 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…'
            cand --schema 'Schema that holds the tables [default: the first on the search path that has them]'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand --by-topic 'Add a per-topic breakdown'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outboxctl;list'= {
            cand --status 'Status to list: pending, processing, processed, failed or all (repeatable or comma-separated)'
            cand --topic 'Only this topic (repeatable)'
            cand --key 'Only this message key'
            cand --header 'Only messages whose headers contain KEY=VALUE (repeatable)'
            cand --error-contains 'Only messages whose last error contains this text (case-insensitive)'
            cand --before 'Only messages created before this (7d, 2026-11-01, RFC 3339)'
            cand --after 'Only messages created at or after this (2h, 2026-11-01, RFC 3339)'
            cand --order 'Oldest or newest first (by created_at)'
            cand --limit 'At most N rows; 0 lists all (streamed in json, ndjson and csv)'
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --dedup-columns 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…'
            cand --schema 'Schema that holds the tables [default: the first on the search path that has them]'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outboxctl;show'= {
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --dedup-columns 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…'
            cand --schema 'Schema that holds the tables [default: the first on the search path that has them]'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outboxctl;requeue'= {
            cand --topic 'Only this topic (repeatable)'
            cand --key 'Only this message key'
            cand --header 'Only messages whose headers contain KEY=VALUE (repeatable)'
            cand --error-contains 'Only messages whose last error contains this text (case-insensitive)'
            cand --before 'Only messages created before this (7d, 2026-11-01, RFC 3339)'
            cand --after 'Only messages created at or after this (2h, 2026-11-01, RFC 3339)'
            cand --batch-size 'Rows per batch; each batch is its own transaction'
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --dedup-columns 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…'
            cand --schema 'Schema that holds the tables [default: the first on the search path that has them]'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand --all 'Select by filter; alone, every message in the source status'
            cand --stuck 'Take messages left in ''processing'' by a dead relay (needs --before)'
            cand --replay 'Take processed messages and deliver them again (clears processed_at)'
            cand --keep-retries 'Keep the retry count instead of resetting it to 0'
            cand --dry-run 'Say what would change, change nothing'
            cand -y 'Do not ask for confirmation on a terminal'
            cand --yes 'Do not ask for confirmation on a terminal'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outboxctl;purge'= {
            cand --before 'Delete processed messages whose processed_at is older than this (7d, 2026-11-01, RFC 3339)'
            cand --topic 'Only this topic (repeatable)'
            cand --batch-size 'Rows per batch; each batch is its own transaction'
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --dedup-columns 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…'
            cand --schema 'Schema that holds the tables [default: the first on the search path that has them]'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand --include-failed 'Also delete failed messages whose created_at is older than the cutoff'
            cand --dry-run 'Say what would change, change nothing'
            cand -y 'Do not ask for confirmation on a terminal'
            cand --yes 'Do not ask for confirmation on a terminal'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outboxctl;dedup'= {
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --dedup-columns 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…'
            cand --schema 'Schema that holds the tables [default: the first on the search path that has them]'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand mark 'Record GROUP/MSG_ID as handled (never overwrites an existing entry)'
            cand check 'Exit 0 when GROUP/MSG_ID is recorded as handled, 3 when it is not'
            cand list 'List dedup entries (newest last, 50 rows)'
            cand unmark 'Forget entries so the messages are handled again'
            cand purge 'Delete entries whose processed_at is older than a cutoff'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outboxctl;dedup;mark'= {
            cand --metadata 'Metadata to store: any JSON value'
            cand --metadata-file 'Read the metadata JSON from a file, or - for standard input'
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --dedup-columns 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…'
            cand --schema 'Schema that holds the tables [default: the first on the search path that has them]'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outboxctl;dedup;check'= {
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --dedup-columns 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…'
            cand --schema 'Schema that holds the tables [default: the first on the search path that has them]'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outboxctl;dedup;list'= {
            cand --group 'Only this group (repeatable)'
            cand --msg-id 'Only this message id'
            cand --before 'Only entries processed before this (7d, 2026-11-01, RFC 3339)'
            cand --after 'Only entries processed at or after this (1h, 2026-11-01, RFC 3339)'
            cand --order 'Oldest or newest first (by processed_at)'
            cand --limit 'At most N rows; 0 lists all (streamed in json, ndjson and csv)'
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --dedup-columns 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…'
            cand --schema 'Schema that holds the tables [default: the first on the search path that has them]'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outboxctl;dedup;unmark'= {
            cand --batch-size 'Rows per batch; each batch is its own transaction'
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --dedup-columns 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…'
            cand --schema 'Schema that holds the tables [default: the first on the search path that has them]'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand --dry-run 'Say what would change, change nothing'
            cand -y 'Do not ask for confirmation on a terminal'
            cand --yes 'Do not ask for confirmation on a terminal'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outboxctl;dedup;purge'= {
            cand --before 'Delete entries processed before this (30d, 2026-11-01, RFC 3339)'
            cand --group 'Only this group (repeatable)'
            cand --batch-size 'Rows per batch; each batch is its own transaction'
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --dedup-columns 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…'
            cand --schema 'Schema that holds the tables [default: the first on the search path that has them]'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)'
            cand --connect-timeout 'Give up connecting after this long, per host [default: 10s, or connect_timeout]'
            cand --dry-run 'Say what would change, change nothing'
            cand -y 'Do not ask for confirmation on a terminal'
            cand --yes 'Do not ask for confirmation on a terminal'
            cand -q 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --quiet 'Print only results and errors: no progress bars, warnings or summaries on stderr'
            cand --no-color 'Never use colour (also when NO_COLOR is set)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outboxctl;dedup;help'= {
            cand mark 'Record GROUP/MSG_ID as handled (never overwrites an existing entry)'
            cand check 'Exit 0 when GROUP/MSG_ID is recorded as handled, 3 when it is not'
            cand list 'List dedup entries (newest last, 50 rows)'
            cand unmark 'Forget entries so the messages are handled again'
            cand purge 'Delete entries whose processed_at is older than a cutoff'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outboxctl;dedup;help;mark'= {
        }
        &'outboxctl;dedup;help;check'= {
        }
        &'outboxctl;dedup;help;list'= {
        }
        &'outboxctl;dedup;help;unmark'= {
        }
        &'outboxctl;dedup;help;purge'= {
        }
        &'outboxctl;dedup;help;help'= {
        }
        &'outboxctl;completions'= {
            cand -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --database-url 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)'
            cand --table 'Outbox table name (unqualified; see --schema)'
            cand --processed-table 'Dedup ("processed") table name (unqualified; see --schema)'
            cand --dedup-columns 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…'
            cand --schema 'Schema that holds the tables [default: the first on the search path that has them]'
            cand --format 'Output format: human table, or json / ndjson / csv for scripts'
            cand --lock-timeout 'Give up waiting for a table lock after this long (e.g. 5s)'
            cand --statement-timeout 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)'
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
            cand stats 'Counts by status (and topic), oldest pending age, dedup totals; thresholds for monitoring'
            cand list 'List messages (default: pending and failed, oldest first, 50 rows)'
            cand show 'Show one message in full'
            cand requeue 'Move failed (or stuck / processed) messages back to pending'
            cand purge 'Delete processed messages older than a cutoff (the library''s retention rule)'
            cand dedup 'Mark, check, list, unmark and purge entries of the dedup ("processed") table'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outboxctl;help;ddl'= {
        }
        &'outboxctl;help;migrate'= {
        }
        &'outboxctl;help;check'= {
        }
        &'outboxctl;help;stats'= {
        }
        &'outboxctl;help;list'= {
        }
        &'outboxctl;help;show'= {
        }
        &'outboxctl;help;requeue'= {
        }
        &'outboxctl;help;purge'= {
        }
        &'outboxctl;help;dedup'= {
            cand mark 'Record GROUP/MSG_ID as handled (never overwrites an existing entry)'
            cand check 'Exit 0 when GROUP/MSG_ID is recorded as handled, 3 when it is not'
            cand list 'List dedup entries (newest last, 50 rows)'
            cand unmark 'Forget entries so the messages are handled again'
            cand purge 'Delete entries whose processed_at is older than a cutoff'
        }
        &'outboxctl;help;dedup;mark'= {
        }
        &'outboxctl;help;dedup;check'= {
        }
        &'outboxctl;help;dedup;list'= {
        }
        &'outboxctl;help;dedup;unmark'= {
        }
        &'outboxctl;help;dedup;purge'= {
        }
        &'outboxctl;help;completions'= {
        }
        &'outboxctl;help;help'= {
        }
    ]
    $completions[$command]
}
