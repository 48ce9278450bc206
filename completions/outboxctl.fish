# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_outboxctl_global_optspecs
    string join \n d/database-url= table= processed-table= dedup-columns= schema= o/format= lock-timeout= statement-timeout= connect-timeout= q/quiet W/password w/no-password color= no-color h/help V/version
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
complete -c outboxctl -n "__fish_outboxctl_needs_command" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_needs_command" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_needs_command" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_needs_command" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_needs_command" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_needs_command" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_needs_command" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_needs_command" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "ddl" -d 'Print the DDL of both tables (no database needed)'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "migrate" -d 'Create both tables where missing (safe to run from many processes at once)'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "check" -d 'Compare the live tables with the contract; exit 3 on drift'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "stats" -d 'Counts by status (and topic), oldest pending age, dedup totals; thresholds for monitoring'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "list" -d 'List messages (default: pending and failed, oldest first, 50 rows)'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "show" -d 'Show one message in full'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "requeue" -d 'Move failed (or stuck / processed) messages back to pending'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "purge" -d 'Delete processed messages older than a cutoff (the library\'s retention rule)'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "delete" -d 'Discard messages by id or filter (poison messages), in any status but processing'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "doctor" -d 'Why the outbox is slow or stuck: horizon holders, vacuum, bloat, indexes, locks, backlog'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "watch" -d 'Live view: counts and their changes, rates, backlog, stuck rows, top topics and error classes'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "serve" -d 'A Prometheus exporter: /metrics for one target or many, /healthz for liveness'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "reindex" -d 'Rebuild the tables\' bloated indexes online (REINDEX … CONCURRENTLY, one at a time)'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "dedup" -d 'Mark, check, list, unmark and purge entries of the dedup ("processed") table'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "partition" -d 'A time-partitioned outbox (migrate --partition-by): list its partitions, make them ahead'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c outboxctl -n "__fish_outboxctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l only -d 'Only this table' -r -f -a "outbox\t''
processed\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand ddl" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l only -d 'Only this table' -r -f -a "outbox\t''
processed\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l partition-by -d 'Create the outbox range-partitioned on created_at, one partition per day, week or month (primary key (id, created_at), a default partition, partitions made ahead), so retention drops whole partitions; the library runs on it unchanged. Without a value: day (each id-only mark of the relay visits every partition, so the count should stay near retention + premake: about a dozen with 7 days kept)' -r -f -a "day\t''
week\t''
month\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l premake -d 'With --partition-by: partitions to make ahead of the current one' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l dry-run -d 'Print the SQL that would run, run nothing'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l repair -d 'Build the contract\'s missing or invalid indexes CONCURRENTLY instead (never touches columns); shows the plan unless --yes'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -s y -l yes -d 'With --repair: run the plan without asking'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l processing-index -d 'With --repair: also build idx_<table>_processing, a partial index on created_at where status = \'processing\', so doctor counts rows stuck in processing in milliseconds at any table size (the library never reads it; each claim and mark also writes it)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand migrate" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l only -d 'Only this table' -r -f -a "outbox\t''
processed\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand check" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l sort -d 'With --by-topic: the order of the topics — most pending first (backlog), oldest pending first (age), most failed first (failed), or by name' -r -f -a "backlog\t''
age\t''
failed\t''
name\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l top -d 'With --by-topic: only the first N topics in that order (the rest are counted in a line below the table, and left out of json)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l max-pending-age -d 'Exit 3 when the oldest pending message is older than this (e.g. 5m)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l max-failed -d 'Exit 3 when more than N messages are failed' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l max-pending -d 'Exit 3 when more than N messages are pending' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l by-header -d 'Add counts by status for each value of this header key, e.g. tenant (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l service -d 'Report on each service of the libpq service file matching NAME (`*` and `?` match like a shell glob); with several targets, one row or object per target (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l interval -d 'With --rates: the time between the two samples (at least 1s; counters are published about once a second)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l stuck-after -d 'A message in processing created longer ago than this counts as stuck' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l max-series -d 'With --format prometheus: at most N series per topic set (and per --by-header key): the N-1 largest topics by message count, and "(other)" summing the rest (counted in outbox_topics_folded / outbox_header_values_folded)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l by-topic -d 'Add a per-topic breakdown'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l estimate -d 'Count pending exactly through its index and estimate the other statuses from the planner\'s statistics: no scan (the default above 5,000,000 rows)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l exact -d 'Count every row, however large the table'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l by-error -d 'Group failed messages by error class: addresses, ids, numbers, quoted values and durations set aside'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l include-retrying -d 'With --by-error: pending messages that failed before (retries > 0) too'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l rates -d 'Sample the table twice, --interval apart: messages written, status changes, deletes and the drain rate per second, and the backlog\'s ETA (no scan)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l wide -d 'Human tables show every column in full, however wide'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand stats" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l status -d 'Status to list: pending, processing, processed, failed or all (repeatable or comma-separated)' -r -f -a "pending\t''
processing\t''
processed\t''
failed\t''
all\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l topic -d 'Only this topic; `*` and `?` match like a shell glob: \'orders.*\' (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l key -d 'Only this message key, exactly (\'\' selects the library\'s default empty key) (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l header -d 'Only messages whose headers hold KEY=VALUE, as text or as the number / boolean it spells (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l error-contains -d 'Only messages whose last error contains this text (case-insensitive)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l error-class -d 'Only messages whose last error is of this class, by the id `stats --by-error` shows (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l before -d 'Only messages created before this (7d, 2026-11-01, RFC 3339)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l after -d 'Only messages created at or after this (2h, 2026-11-01, RFC 3339)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l processed-before -d 'Only messages processed before this (processed_at; 7d, 2026-11-01, RFC 3339)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l processed-after -d 'Only messages processed at or after this (processed_at; 1h, 2026-11-01, RFC 3339)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l order -d 'Oldest or newest first (by created_at)' -r -f -a "oldest\t''
newest\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l limit -d 'At most N rows; 0 lists all [default: 50 in the table view, all in json, ndjson, csv]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l interval -d 'With --follow: how often to look' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l columns -d 'Only these columns, in this order, in every format' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -s f -l follow -d 'Print each message that comes to match after the command starts (a new failure, a new pending row), as it happens, until Ctrl-C: tail -f for the outbox'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l no-payload -d 'Leave payloads out of json, ndjson and csv'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l wide -d 'Human tables show every column in full, however wide'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand list" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -l payload -d 'The payload in the table view: its first 2 KiB (preview) or all of it (full)' -r -f -a "preview\t''
full\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -l no-payload -d 'Leave payloads out of json, ndjson and csv'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand show" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l topic -d 'Only this topic; `*` and `?` match like a shell glob: \'orders.*\' (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l key -d 'Only this message key, exactly (\'\' selects the library\'s default empty key) (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l header -d 'Only messages whose headers hold KEY=VALUE, as text or as the number / boolean it spells (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l error-contains -d 'Only messages whose last error contains this text (case-insensitive)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l error-class -d 'Only messages whose last error is of this class, by the id `stats --by-error` shows (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l before -d 'Only messages created before this (7d, 2026-11-01, RFC 3339)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l after -d 'Only messages created at or after this (2h, 2026-11-01, RFC 3339)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l processed-before -d 'Only messages processed before this (processed_at; 7d, 2026-11-01, RFC 3339)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l processed-after -d 'Only messages processed at or after this (processed_at; 1h, 2026-11-01, RFC 3339)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -s j -l jobs -d 'Connections working at once, each on its own pieces of the table (each batch still its own transaction); about as many as the server has cores to spare' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l batch-size -d 'Rows per batch; each batch is its own transaction' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l max-rate -d 'Change at most this many rows a second (all jobs together); batches shrink to a second\'s worth' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l max-replica-lag -d 'Before each batch, wait while any streaming standby replays further behind than this (10s, 1m); needs pg_monitor or pg_read_all_stats' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l service -d 'Run on each service of the libpq service file matching NAME (`*` and `?` match like a shell glob), one after another, each its own run with its own summary (repeatable; with repeated -d, those too)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l all -d 'Select by filter; alone, every message in the source status'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l stuck -d 'Take messages left in \'processing\' by a dead relay, created before --before (default 15m, as stats counts them stuck)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l replay -d 'Take processed messages and deliver them again (clears processed_at)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l keep-retries -d 'Keep the retry count instead of resetting it to 0'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l dry-run -d 'Say what would change, change nothing'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -s y -l yes -d 'Do not ask for confirmation on a terminal'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l wide -d 'Human tables show every column in full, however wide'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l fail-fast -d 'Stop at the first target that fails (by default every target runs, and the exit code is the worst)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand requeue" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l before -d 'Delete processed messages whose processed_at is older than this (7d, 2026-11-01, RFC 3339)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l topic -d 'Only this topic (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -s j -l jobs -d 'Connections working at once, each on its own pieces of the table (each batch still its own transaction); about as many as the server has cores to spare' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l batch-size -d 'Rows per batch; each batch is its own transaction' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l max-rate -d 'Change at most this many rows a second (all jobs together); batches shrink to a second\'s worth' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l max-replica-lag -d 'Before each batch, wait while any streaming standby replays further behind than this (10s, 1m); needs pg_monitor or pg_read_all_stats' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l service -d 'Run on each service of the libpq service file matching NAME (`*` and `?` match like a shell glob), one after another, each its own run with its own summary (repeatable; with repeated -d, those too)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l include-failed -d 'Also delete failed messages whose created_at is older than the cutoff'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l dry-run -d 'Say what would change, change nothing'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -s y -l yes -d 'Do not ask for confirmation on a terminal'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l wide -d 'Human tables show every column in full, however wide'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l fail-fast -d 'Stop at the first target that fails (by default every target runs, and the exit code is the worst)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand purge" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l status -d 'Only messages in this status (repeatable or comma-separated)' -r -f -a "pending\t''
processing\t''
processed\t''
failed\t''
all\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l topic -d 'Only this topic; `*` and `?` match like a shell glob: \'orders.*\' (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l key -d 'Only this message key, exactly (\'\' selects the library\'s default empty key) (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l header -d 'Only messages whose headers hold KEY=VALUE, as text or as the number / boolean it spells (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l error-contains -d 'Only messages whose last error contains this text (case-insensitive)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l error-class -d 'Only messages whose last error is of this class, by the id `stats --by-error` shows (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l before -d 'Only messages created before this (7d, 2026-11-01, RFC 3339)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l after -d 'Only messages created at or after this (2h, 2026-11-01, RFC 3339)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l processed-before -d 'Only messages processed before this (processed_at; 7d, 2026-11-01, RFC 3339)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l processed-after -d 'Only messages processed at or after this (processed_at; 1h, 2026-11-01, RFC 3339)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -s j -l jobs -d 'Connections working at once, each on its own pieces of the table (each batch still its own transaction); about as many as the server has cores to spare' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l batch-size -d 'Rows per batch; each batch is its own transaction' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l max-rate -d 'Change at most this many rows a second (all jobs together); batches shrink to a second\'s worth' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l max-replica-lag -d 'Before each batch, wait while any streaming standby replays further behind than this (10s, 1m); needs pg_monitor or pg_read_all_stats' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l service -d 'Run on each service of the libpq service file matching NAME (`*` and `?` match like a shell glob), one after another, each its own run with its own summary (repeatable; with repeated -d, those too)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l all -d 'Select by filter; alone, every message (but those in processing)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l force -d 'Also delete messages in \'processing\', which a live relay may be publishing'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l dry-run -d 'Say what would change, change nothing'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -s y -l yes -d 'Do not ask for confirmation on a terminal'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l wide -d 'Human tables show every column in full, however wide'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l fail-fast -d 'Stop at the first target that fails (by default every target runs, and the exit code is the worst)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand delete" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l only -d 'Run only these checks' -r -f -a "xmin-sessions\t''
xmin-slots\t''
xmin-standbys\t''
prepared-xacts\t''
dead-rows\t''
autovacuum\t''
bloat\t''
indexes\t''
stale-stats\t''
wraparound\t''
locks\t''
backlog\t''
partitions\t''
schema\t''
connections\t''
guard-rails\t''
claim-cost\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l skip -d 'Run every check but these' -r -f -a "xmin-sessions\t''
xmin-slots\t''
xmin-standbys\t''
prepared-xacts\t''
dead-rows\t''
autovacuum\t''
bloat\t''
indexes\t''
stale-stats\t''
wraparound\t''
locks\t''
backlog\t''
partitions\t''
schema\t''
connections\t''
guard-rails\t''
claim-cost\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l threshold -d 'Change a threshold: a duration (30s), count (10000), ratio (0.2 or 20%) or size (1GiB), as --list shows (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l service -d 'Examine each service of the libpq service file matching NAME (`*` and `?` match like a shell glob); with several targets (or repeated -d), each is examined at once (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l sample -d 'How long to watch a stalled backlog for claims before calling the relay stopped (0s: do not watch)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l scan-budget -d 'How long a check may scan a table to look (the rows stuck in processing, without the processing index); what it cannot read in time is reported unknown, never ok' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l list -d 'Print every check\'s id, title and default thresholds, and exit'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l exact -d 'Let checks read the tables: bloat measured with pgstattuple, stuck processing rows counted on any size'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -l interval -d 'Time between refreshes (at least 1s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -l count -d 'Stop after N refreshes (for scripts; the live view runs until q)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -l stuck-after -d 'A message in processing created longer ago than this counts as stuck' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand watch" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -l listen -d 'Address to listen on (host:port)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -l min-interval -d 'Figures younger than this are served from the cache' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -l scrape-timeout -d 'Longest a scrape waits for a target (also its statement timeout unless --statement-timeout is given)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -l doctor-interval -d 'How often the doctor\'s checks run (0 turns them off)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -l stuck-after -d 'Rows in processing longer than this count as stuck' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -l service -d 'Serve each service of the libpq service file matching NAME too (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand serve" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -l index -d 'Rebuild this index of the outbox or dedup table (or of a partition), bloated or not (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -l threshold -d 'Change the bloat check\'s threshold, as doctor takes it (bloat=RATIO, bloat.min-size=SIZE) (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -l all -d 'Rebuild every valid index of both tables'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -l exact -d 'Measure bloat with pgstattuple (reads every index) instead of estimating it'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -l dry-run -d 'Print the statements, run none'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -s y -l yes -d 'Run without asking'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand reindex" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -f -a "mark" -d 'Record GROUP/MSG_ID as handled (never overwrites an existing entry)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -f -a "check" -d 'Exit 0 when GROUP/MSG_ID is recorded as handled, 3 when it is not'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -f -a "list" -d 'List dedup entries (newest last, 50 rows)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -f -a "unmark" -d 'Forget entries so the messages are handled again'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -f -a "purge" -d 'Delete entries whose processed_at is older than a cutoff'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and not __fish_seen_subcommand_from mark check list unmark purge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -l metadata -d 'Metadata to store: any JSON value' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -l metadata-file -d 'Read the metadata JSON from a file, or - for standard input' -r -F
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from mark" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from check" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from check" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from check" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from check" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from check" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from check" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from check" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from check" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from check" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from check" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from check" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from check" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from check" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l group -d 'Only this group (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l msg-id -d 'Only this message id' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l before -d 'Only entries processed before this (7d, 2026-11-01, RFC 3339)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l after -d 'Only entries processed at or after this (1h, 2026-11-01, RFC 3339)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l order -d 'Oldest or newest first (by processed_at)' -r -f -a "oldest\t''
newest\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l limit -d 'At most N rows; 0 lists all [default: 50 in the table view, all in json, ndjson, csv]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l interval -d 'With --follow: how often to look' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l columns -d 'Only these columns, in this order, in every format' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -s f -l follow -d 'Print each message that comes to match after the command starts (a new failure, a new pending row), as it happens, until Ctrl-C: tail -f for the outbox'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l wide -d 'Human tables show every column in full, however wide'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -l batch-size -d 'Rows per batch; each batch is its own transaction' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -l max-rate -d 'Change at most this many rows a second (all jobs together); batches shrink to a second\'s worth' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -l max-replica-lag -d 'Before each batch, wait while any streaming standby replays further behind than this (10s, 1m); needs pg_monitor or pg_read_all_stats' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -l dry-run -d 'Say what would change, change nothing'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -s y -l yes -d 'Do not ask for confirmation on a terminal'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from unmark" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l before -d 'Delete entries processed before this (30d, 2026-11-01, RFC 3339)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l group -d 'Only this group (repeatable)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -s j -l jobs -d 'Connections working at once, each on its own pieces of the table (each batch still its own transaction); about as many as the server has cores to spare' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l batch-size -d 'Rows per batch; each batch is its own transaction' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l max-rate -d 'Change at most this many rows a second (all jobs together); batches shrink to a second\'s worth' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l max-replica-lag -d 'Before each batch, wait while any streaming standby replays further behind than this (10s, 1m); needs pg_monitor or pg_read_all_stats' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l service -d 'Run on each service of the libpq service file matching NAME (`*` and `?` match like a shell glob), one after another, each its own run with its own summary (repeatable; with repeated -d, those too)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l dry-run -d 'Say what would change, change nothing'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -s y -l yes -d 'Do not ask for confirmation on a terminal'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l fail-fast -d 'Stop at the first target that fails (by default every target runs, and the exit code is the worst)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from purge" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from help" -f -a "mark" -d 'Record GROUP/MSG_ID as handled (never overwrites an existing entry)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from help" -f -a "check" -d 'Exit 0 when GROUP/MSG_ID is recorded as handled, 3 when it is not'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from help" -f -a "list" -d 'List dedup entries (newest last, 50 rows)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from help" -f -a "unmark" -d 'Forget entries so the messages are handled again'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from help" -f -a "purge" -d 'Delete entries whose processed_at is older than a cutoff'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand dedup; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -f -a "list" -d 'Each partition: its range, rows, size and, with --before, whether retention could drop it whole now and, if not, what it keeps'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -f -a "maintain" -d 'Make the partitions ahead (today\'s and --premake more) and report rows in the default partition, which mean a missing partition; tables managed by pg_partman are left to it'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -f -a "convert" -d 'Turn the plain outbox into the partitioned layout online: the table becomes the first partition with its rows where they are, new rows go to new partitions; writers and the relay wait only for one short catalog change'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and not __fish_seen_subcommand_from list maintain convert help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -l before -d 'Say which partitions `purge --before WHEN` would drop whole, and why the others stay' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -l service -d 'Run on each service of the libpq service file matching NAME (`*` and `?` match like a shell glob), one after another, each its own run with its own summary (repeatable; with repeated -d, those too)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -l include-failed -d 'With --before: as `purge --include-failed` would'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -l exact -d 'Count every partition\'s rows instead of the planner\'s estimate'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -l fail-fast -d 'Stop at the first target that fails (by default every target runs, and the exit code is the worst)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -l premake -d 'Partitions to have ahead of the current one' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -l service -d 'Run on each service of the libpq service file matching NAME (`*` and `?` match like a shell glob), one after another, each its own run with its own summary (repeatable; with repeated -d, those too)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -l dry-run -d 'Print the statements that would run, run nothing'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -l fail-fast -d 'Stop at the first target that fails (by default every target runs, and the exit code is the worst)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from maintain" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -l partition-by -d 'The interval of the new partitions (day without a value, as for migrate)' -r -f -a "day\t''
week\t''
month\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -l premake -d 'Partitions to make ahead of the first new one' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -l dry-run -d 'Print every statement, run none'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -l rollback -d 'Undo what an unfinished conversion did (the swap, once done, is not undone)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from convert" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from help" -f -a "list" -d 'Each partition: its range, rows, size and, with --before, whether retention could drop it whole now and, if not, what it keeps'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from help" -f -a "maintain" -d 'Make the partitions ahead (today\'s and --premake more) and report rows in the default partition, which mean a missing partition; tables managed by pg_partman are left to it'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from help" -f -a "convert" -d 'Turn the plain outbox into the partitioned layout online: the table becomes the first partition with its rows where they are, new rows go to new partitions; writers and the relay wait only for one short catalog change'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand partition; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -s d -l database-url -d 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l table -d 'Outbox table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l processed-table -d 'Dedup ("processed") table name (unqualified; see --schema)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l dedup-columns -d 'The dedup table\'s columns when it names them differently: group=…,id=…,metadata=…,at=…' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l schema -d 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role\'s search_path, which the tables\' triggers run under' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -s o -l format -d 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)' -r -f -a "table\t''
wide\t'The table, every column in full (kubectl\'s `-o wide`)'
json\t''
ndjson\t''
csv\t''
prometheus\t'The Prometheus text exposition (`stats` only)'"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l lock-timeout -d 'Give up waiting for a table lock after this long (e.g. 5s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l statement-timeout -d 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l connect-timeout -d 'Give up connecting after this long, per host [default: 10s, or connect_timeout]' -r
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l color -d 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -s q -l quiet -d 'Print only results and errors: no progress bars, warnings or summaries on stderr'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -s W -l password -d 'Ask for the password on the terminal before connecting (psql\'s -W)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -s w -l no-password -d 'Never ask for a password: fail when the server wants one and none was given (psql\'s -w; the default without a terminal)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -l no-color -d 'Same as --color never'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "ddl" -d 'Print the DDL of both tables (no database needed)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "migrate" -d 'Create both tables where missing (safe to run from many processes at once)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "check" -d 'Compare the live tables with the contract; exit 3 on drift'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "stats" -d 'Counts by status (and topic), oldest pending age, dedup totals; thresholds for monitoring'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "list" -d 'List messages (default: pending and failed, oldest first, 50 rows)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "show" -d 'Show one message in full'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "requeue" -d 'Move failed (or stuck / processed) messages back to pending'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "purge" -d 'Delete processed messages older than a cutoff (the library\'s retention rule)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "delete" -d 'Discard messages by id or filter (poison messages), in any status but processing'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "doctor" -d 'Why the outbox is slow or stuck: horizon holders, vacuum, bloat, indexes, locks, backlog'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "watch" -d 'Live view: counts and their changes, rates, backlog, stuck rows, top topics and error classes'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "serve" -d 'A Prometheus exporter: /metrics for one target or many, /healthz for liveness'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "reindex" -d 'Rebuild the tables\' bloated indexes online (REINDEX … CONCURRENTLY, one at a time)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "dedup" -d 'Mark, check, list, unmark and purge entries of the dedup ("processed") table'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "partition" -d 'A time-partitioned outbox (migrate --partition-by): list its partitions, make them ahead'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and not __fish_seen_subcommand_from ddl migrate check stats list show requeue purge delete doctor watch serve reindex dedup partition completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and __fish_seen_subcommand_from dedup" -f -a "mark" -d 'Record GROUP/MSG_ID as handled (never overwrites an existing entry)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and __fish_seen_subcommand_from dedup" -f -a "check" -d 'Exit 0 when GROUP/MSG_ID is recorded as handled, 3 when it is not'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and __fish_seen_subcommand_from dedup" -f -a "list" -d 'List dedup entries (newest last, 50 rows)'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and __fish_seen_subcommand_from dedup" -f -a "unmark" -d 'Forget entries so the messages are handled again'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and __fish_seen_subcommand_from dedup" -f -a "purge" -d 'Delete entries whose processed_at is older than a cutoff'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and __fish_seen_subcommand_from partition" -f -a "list" -d 'Each partition: its range, rows, size and, with --before, whether retention could drop it whole now and, if not, what it keeps'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and __fish_seen_subcommand_from partition" -f -a "maintain" -d 'Make the partitions ahead (today\'s and --premake more) and report rows in the default partition, which mean a missing partition; tables managed by pg_partman are left to it'
complete -c outboxctl -n "__fish_outboxctl_using_subcommand help; and __fish_seen_subcommand_from partition" -f -a "convert" -d 'Turn the plain outbox into the partitioned layout online: the table becomes the first partition with its rows where they are, new rows go to new partitions; writers and the relay wait only for one short catalog change'
