# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_outboxctl_global_optspecs
    string join \n d/database-url= table= processed-table= schema= format= lock-timeout= statement-timeout= connect-timeout= q/quiet no-color h/help V/version
end

function __fish_outboxctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_outboxctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_outboxctl_using_subcommand
    set -l cmd (__fish_outboxctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c outboxctl -n "__fish_outboxctl_needs_command" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_needs_command" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_needs_command" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_needs_command" -l schema -d 'Schema that holds the tables (sets search_path for the session)' -r
complete -c outboxctl -n "__fish_outboxctl_needs_command" -l format -d 'Output format: human table, or json / ndjson / csv for scripts' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''"
complete -c outboxctl -n "__fish_outboxctl_needs_command" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_needs_command" -l statement-timeout -d 'Cancel any statement that runs longer than this (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_needs_command" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_needs_command" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -l no-color -d 'Never use colour (also when NO_COLOR is set)'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "ddl" -d 'Print the DDL of both tables (no database needed)'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "migrate" -d 'Create both tables where missing (safe to run from many processes at once)'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "check" -d 'Compare the live tables with the contract; exit 3 on drift'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l only -d 'Only this table' -r -f -a "outbox\t''
processed\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l schema -d 'Schema that holds the tables (sets search_path for the session)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l format -d 'Output format: human table, or json / ndjson / csv for scripts' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l statement-timeout -d 'Cancel any statement that runs longer than this (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l no-color -d 'Never use colour (also when NO_COLOR is set)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -s h -l help -d 'Print help'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l only -d 'Only this table' -r -f -a "outbox\t''
processed\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l schema -d 'Schema that holds the tables (sets search_path for the session)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l format -d 'Output format: human table, or json / ndjson / csv for scripts' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l statement-timeout -d 'Cancel any statement that runs longer than this (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l dry-run -d 'Print the SQL that would run, run nothing'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l no-color -d 'Never use colour (also when NO_COLOR is set)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -s h -l help -d 'Print help'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l only -d 'Only this table' -r -f -a "outbox\t''
processed\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l schema -d 'Schema that holds the tables (sets search_path for the session)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l format -d 'Output format: human table, or json / ndjson / csv for scripts' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l statement-timeout -d 'Cancel any statement that runs longer than this (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l no-color -d 'Never use colour (also when NO_COLOR is set)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -s h -l help -d 'Print help'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l schema -d 'Schema that holds the tables (sets search_path for the session)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l format -d 'Output format: human table, or json / ndjson / csv for scripts' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l statement-timeout -d 'Cancel any statement that runs longer than this (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l no-color -d 'Never use colour (also when NO_COLOR is set)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check completions help" -f -a "ddl" -d 'Print the DDL of both tables (no database needed)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check completions help" -f -a "migrate" -d 'Create both tables where missing (safe to run from many processes at once)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check completions help" -f -a "check" -d 'Compare the live tables with the contract; exit 3 on drift'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
