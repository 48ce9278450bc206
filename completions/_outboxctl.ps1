
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'outboxctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'outboxctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'outboxctl' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('ddl', 'ddl', [CompletionResultType]::ParameterValue, 'Print the DDL of both tables (no database needed)')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Create both tables where missing (safe to run from many processes at once)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Compare the live tables with the contract; exit 3 on drift')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Counts by status (and topic), oldest pending age, dedup totals; thresholds for monitoring')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List messages (default: pending and failed, oldest first, 50 rows)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one message in full')
            [CompletionResult]::new('requeue', 'requeue', [CompletionResultType]::ParameterValue, 'Move failed (or stuck / processed) messages back to pending')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete processed messages older than a cutoff (the library''s retention rule)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Discard messages by id or filter (poison messages), in any status but processing')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Why the outbox is slow or stuck: horizon holders, vacuum, bloat, indexes, locks, backlog')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Live view: counts and their changes, rates, backlog, stuck rows, top topics and error classes')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'A Prometheus exporter: /metrics for one target or many, /healthz for liveness')
            [CompletionResult]::new('reindex', 'reindex', [CompletionResultType]::ParameterValue, 'Rebuild the tables'' bloated indexes online (REINDEX … CONCURRENTLY, one at a time)')
            [CompletionResult]::new('dedup', 'dedup', [CompletionResultType]::ParameterValue, 'Mark, check, list, unmark and purge entries of the dedup ("processed") table')
            [CompletionResult]::new('partition', 'partition', [CompletionResultType]::ParameterValue, 'A time-partitioned outbox (migrate --partition-by): list its partitions, make them ahead')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outboxctl;ddl' {
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Only this table')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;migrate' {
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Only this table')
            [CompletionResult]::new('--partition-by', '--partition-by', [CompletionResultType]::ParameterName, 'Create the outbox range-partitioned on created_at, one partition per day, week or month (primary key (id, created_at), a default partition, partitions made ahead), so retention drops whole partitions; the library runs on it unchanged. Without a value: day (each id-only mark of the relay visits every partition, so the count should stay near retention + premake: about a dozen with 7 days kept)')
            [CompletionResult]::new('--premake', '--premake', [CompletionResultType]::ParameterName, 'With --partition-by: partitions to make ahead of the current one')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the SQL that would run, run nothing')
            [CompletionResult]::new('--repair', '--repair', [CompletionResultType]::ParameterName, 'Build the contract''s missing or invalid indexes CONCURRENTLY instead (never touches columns); shows the plan unless --yes')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'With --repair: run the plan without asking')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'With --repair: run the plan without asking')
            [CompletionResult]::new('--processing-index', '--processing-index', [CompletionResultType]::ParameterName, 'With --repair: also build idx_<table>_processing, a partial index on created_at where status = ''processing'', so doctor counts rows stuck in processing in milliseconds at any table size (the library never reads it; each claim and mark also writes it)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;check' {
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Only this table')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;stats' {
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'With --by-topic: the order of the topics — most pending first (backlog), oldest pending first (age), most failed first (failed), or by name')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'With --by-topic: only the first N topics in that order (the rest are counted in a line below the table, and left out of json)')
            [CompletionResult]::new('--max-pending-age', '--max-pending-age', [CompletionResultType]::ParameterName, 'Exit 3 when the oldest pending message is older than this (e.g. 5m)')
            [CompletionResult]::new('--max-failed', '--max-failed', [CompletionResultType]::ParameterName, 'Exit 3 when more than N messages are failed')
            [CompletionResult]::new('--max-pending', '--max-pending', [CompletionResultType]::ParameterName, 'Exit 3 when more than N messages are pending')
            [CompletionResult]::new('--by-header', '--by-header', [CompletionResultType]::ParameterName, 'Add counts by status for each value of this header key, e.g. tenant (repeatable)')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Report on each service of the libpq service file matching NAME (`*` and `?` match like a shell glob); with several targets, one row or object per target (repeatable)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'With --rates: the time between the two samples (at least 1s; counters are published about once a second)')
            [CompletionResult]::new('--stuck-after', '--stuck-after', [CompletionResultType]::ParameterName, 'A message in processing created longer ago than this counts as stuck')
            [CompletionResult]::new('--max-series', '--max-series', [CompletionResultType]::ParameterName, 'With --format prometheus: at most N series per topic set (and per --by-header key): the N-1 largest topics by message count, and "(other)" summing the rest (counted in outbox_topics_folded / outbox_header_values_folded)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--by-topic', '--by-topic', [CompletionResultType]::ParameterName, 'Add a per-topic breakdown')
            [CompletionResult]::new('--estimate', '--estimate', [CompletionResultType]::ParameterName, 'Count pending exactly through its index and estimate the other statuses from the planner''s statistics: no scan (the default above 5,000,000 rows)')
            [CompletionResult]::new('--exact', '--exact', [CompletionResultType]::ParameterName, 'Count every row, however large the table')
            [CompletionResult]::new('--by-error', '--by-error', [CompletionResultType]::ParameterName, 'Group failed messages by error class: addresses, ids, numbers, quoted values and durations set aside')
            [CompletionResult]::new('--include-retrying', '--include-retrying', [CompletionResultType]::ParameterName, 'With --by-error: pending messages that failed before (retries > 0) too')
            [CompletionResult]::new('--rates', '--rates', [CompletionResultType]::ParameterName, 'Sample the table twice, --interval apart: messages written, status changes, deletes and the drain rate per second, and the backlog''s ETA (no scan)')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Human tables show every column in full, however wide')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;list' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status to list: pending, processing, processed, failed or all (repeatable or comma-separated)')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'Only this topic; `*` and `?` match like a shell glob: ''orders.*'' (repeatable)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Only this message key, exactly ('''' selects the library''s default empty key) (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Only messages whose headers hold KEY=VALUE, as text or as the number / boolean it spells (repeatable)')
            [CompletionResult]::new('--error-contains', '--error-contains', [CompletionResultType]::ParameterName, 'Only messages whose last error contains this text (case-insensitive)')
            [CompletionResult]::new('--error-class', '--error-class', [CompletionResultType]::ParameterName, 'Only messages whose last error is of this class, by the id `stats --by-error` shows (repeatable)')
            [CompletionResult]::new('--before', '--before', [CompletionResultType]::ParameterName, 'Only messages created before this (7d, 2026-11-01, RFC 3339)')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Only messages created at or after this (2h, 2026-11-01, RFC 3339)')
            [CompletionResult]::new('--processed-before', '--processed-before', [CompletionResultType]::ParameterName, 'Only messages processed before this (processed_at; 7d, 2026-11-01, RFC 3339)')
            [CompletionResult]::new('--processed-after', '--processed-after', [CompletionResultType]::ParameterName, 'Only messages processed at or after this (processed_at; 1h, 2026-11-01, RFC 3339)')
            [CompletionResult]::new('--order', '--order', [CompletionResultType]::ParameterName, 'Oldest or newest first (by created_at)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most N rows; 0 lists all [default: 50 in the table view, all in json, ndjson, csv]')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'With --follow: how often to look')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Only these columns, in this order, in every format')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Print each message that comes to match after the command starts (a new failure, a new pending row), as it happens, until Ctrl-C: tail -f for the outbox')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Print each message that comes to match after the command starts (a new failure, a new pending row), as it happens, until Ctrl-C: tail -f for the outbox')
            [CompletionResult]::new('--no-payload', '--no-payload', [CompletionResultType]::ParameterName, 'Leave payloads out of json, ndjson and csv')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Human tables show every column in full, however wide')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;show' {
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'The payload in the table view: its first 2 KiB (preview) or all of it (full)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--no-payload', '--no-payload', [CompletionResultType]::ParameterName, 'Leave payloads out of json, ndjson and csv')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;requeue' {
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'Only this topic; `*` and `?` match like a shell glob: ''orders.*'' (repeatable)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Only this message key, exactly ('''' selects the library''s default empty key) (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Only messages whose headers hold KEY=VALUE, as text or as the number / boolean it spells (repeatable)')
            [CompletionResult]::new('--error-contains', '--error-contains', [CompletionResultType]::ParameterName, 'Only messages whose last error contains this text (case-insensitive)')
            [CompletionResult]::new('--error-class', '--error-class', [CompletionResultType]::ParameterName, 'Only messages whose last error is of this class, by the id `stats --by-error` shows (repeatable)')
            [CompletionResult]::new('--before', '--before', [CompletionResultType]::ParameterName, 'Only messages created before this (7d, 2026-11-01, RFC 3339)')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Only messages created at or after this (2h, 2026-11-01, RFC 3339)')
            [CompletionResult]::new('--processed-before', '--processed-before', [CompletionResultType]::ParameterName, 'Only messages processed before this (processed_at; 7d, 2026-11-01, RFC 3339)')
            [CompletionResult]::new('--processed-after', '--processed-after', [CompletionResultType]::ParameterName, 'Only messages processed at or after this (processed_at; 1h, 2026-11-01, RFC 3339)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Connections working at once, each on its own pieces of the table (each batch still its own transaction); about as many as the server has cores to spare')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Connections working at once, each on its own pieces of the table (each batch still its own transaction); about as many as the server has cores to spare')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Rows per batch; each batch is its own transaction')
            [CompletionResult]::new('--max-rate', '--max-rate', [CompletionResultType]::ParameterName, 'Change at most this many rows a second (all jobs together); batches shrink to a second''s worth')
            [CompletionResult]::new('--max-replica-lag', '--max-replica-lag', [CompletionResultType]::ParameterName, 'Before each batch, wait while any streaming standby replays further behind than this (10s, 1m); needs pg_monitor or pg_read_all_stats')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Run on each service of the libpq service file matching NAME (`*` and `?` match like a shell glob), one after another, each its own run with its own summary (repeatable; with repeated -d, those too)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Select by filter; alone, every message in the source status')
            [CompletionResult]::new('--stuck', '--stuck', [CompletionResultType]::ParameterName, 'Take messages left in ''processing'' by a dead relay, created before --before (default 15m, as stats counts them stuck)')
            [CompletionResult]::new('--replay', '--replay', [CompletionResultType]::ParameterName, 'Take processed messages and deliver them again (clears processed_at)')
            [CompletionResult]::new('--keep-retries', '--keep-retries', [CompletionResultType]::ParameterName, 'Keep the retry count instead of resetting it to 0')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Say what would change, change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation on a terminal')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation on a terminal')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Human tables show every column in full, however wide')
            [CompletionResult]::new('--fail-fast', '--fail-fast', [CompletionResultType]::ParameterName, 'Stop at the first target that fails (by default every target runs, and the exit code is the worst)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;purge' {
            [CompletionResult]::new('--before', '--before', [CompletionResultType]::ParameterName, 'Delete processed messages whose processed_at is older than this (7d, 2026-11-01, RFC 3339)')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'Only this topic (repeatable)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Connections working at once, each on its own pieces of the table (each batch still its own transaction); about as many as the server has cores to spare')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Connections working at once, each on its own pieces of the table (each batch still its own transaction); about as many as the server has cores to spare')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Rows per batch; each batch is its own transaction')
            [CompletionResult]::new('--max-rate', '--max-rate', [CompletionResultType]::ParameterName, 'Change at most this many rows a second (all jobs together); batches shrink to a second''s worth')
            [CompletionResult]::new('--max-replica-lag', '--max-replica-lag', [CompletionResultType]::ParameterName, 'Before each batch, wait while any streaming standby replays further behind than this (10s, 1m); needs pg_monitor or pg_read_all_stats')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Run on each service of the libpq service file matching NAME (`*` and `?` match like a shell glob), one after another, each its own run with its own summary (repeatable; with repeated -d, those too)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--include-failed', '--include-failed', [CompletionResultType]::ParameterName, 'Also delete failed messages whose created_at is older than the cutoff')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Say what would change, change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation on a terminal')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation on a terminal')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Human tables show every column in full, however wide')
            [CompletionResult]::new('--fail-fast', '--fail-fast', [CompletionResultType]::ParameterName, 'Stop at the first target that fails (by default every target runs, and the exit code is the worst)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;delete' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only messages in this status (repeatable or comma-separated)')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'Only this topic; `*` and `?` match like a shell glob: ''orders.*'' (repeatable)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Only this message key, exactly ('''' selects the library''s default empty key) (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Only messages whose headers hold KEY=VALUE, as text or as the number / boolean it spells (repeatable)')
            [CompletionResult]::new('--error-contains', '--error-contains', [CompletionResultType]::ParameterName, 'Only messages whose last error contains this text (case-insensitive)')
            [CompletionResult]::new('--error-class', '--error-class', [CompletionResultType]::ParameterName, 'Only messages whose last error is of this class, by the id `stats --by-error` shows (repeatable)')
            [CompletionResult]::new('--before', '--before', [CompletionResultType]::ParameterName, 'Only messages created before this (7d, 2026-11-01, RFC 3339)')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Only messages created at or after this (2h, 2026-11-01, RFC 3339)')
            [CompletionResult]::new('--processed-before', '--processed-before', [CompletionResultType]::ParameterName, 'Only messages processed before this (processed_at; 7d, 2026-11-01, RFC 3339)')
            [CompletionResult]::new('--processed-after', '--processed-after', [CompletionResultType]::ParameterName, 'Only messages processed at or after this (processed_at; 1h, 2026-11-01, RFC 3339)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Connections working at once, each on its own pieces of the table (each batch still its own transaction); about as many as the server has cores to spare')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Connections working at once, each on its own pieces of the table (each batch still its own transaction); about as many as the server has cores to spare')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Rows per batch; each batch is its own transaction')
            [CompletionResult]::new('--max-rate', '--max-rate', [CompletionResultType]::ParameterName, 'Change at most this many rows a second (all jobs together); batches shrink to a second''s worth')
            [CompletionResult]::new('--max-replica-lag', '--max-replica-lag', [CompletionResultType]::ParameterName, 'Before each batch, wait while any streaming standby replays further behind than this (10s, 1m); needs pg_monitor or pg_read_all_stats')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Run on each service of the libpq service file matching NAME (`*` and `?` match like a shell glob), one after another, each its own run with its own summary (repeatable; with repeated -d, those too)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Select by filter; alone, every message (but those in processing)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Also delete messages in ''processing'', which a live relay may be publishing')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Say what would change, change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation on a terminal')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation on a terminal')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Human tables show every column in full, however wide')
            [CompletionResult]::new('--fail-fast', '--fail-fast', [CompletionResultType]::ParameterName, 'Stop at the first target that fails (by default every target runs, and the exit code is the worst)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;doctor' {
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Run only these checks')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Run every check but these')
            [CompletionResult]::new('--threshold', '--threshold', [CompletionResultType]::ParameterName, 'Change a threshold: a duration (30s), count (10000), ratio (0.2 or 20%) or size (1GiB), as --list shows (repeatable)')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Examine each service of the libpq service file matching NAME (`*` and `?` match like a shell glob); with several targets (or repeated -d), each is examined at once (repeatable)')
            [CompletionResult]::new('--sample', '--sample', [CompletionResultType]::ParameterName, 'How long to watch a stalled backlog for claims before calling the relay stopped (0s: do not watch)')
            [CompletionResult]::new('--scan-budget', '--scan-budget', [CompletionResultType]::ParameterName, 'How long a check may scan a table to look (the rows stuck in processing, without the processing index); what it cannot read in time is reported unknown, never ok')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'Print every check''s id, title and default thresholds, and exit')
            [CompletionResult]::new('--exact', '--exact', [CompletionResultType]::ParameterName, 'Let checks read the tables: bloat measured with pgstattuple, stuck processing rows counted on any size')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;watch' {
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between refreshes (at least 1s)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N refreshes (for scripts; the live view runs until q)')
            [CompletionResult]::new('--stuck-after', '--stuck-after', [CompletionResultType]::ParameterName, 'A message in processing created longer ago than this counts as stuck')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (host:port)')
            [CompletionResult]::new('--min-interval', '--min-interval', [CompletionResultType]::ParameterName, 'Figures younger than this are served from the cache')
            [CompletionResult]::new('--scrape-timeout', '--scrape-timeout', [CompletionResultType]::ParameterName, 'Longest a scrape waits for a target (also its statement timeout unless --statement-timeout is given)')
            [CompletionResult]::new('--doctor-interval', '--doctor-interval', [CompletionResultType]::ParameterName, 'How often the doctor''s checks run (0 turns them off)')
            [CompletionResult]::new('--stuck-after', '--stuck-after', [CompletionResultType]::ParameterName, 'Rows in processing longer than this count as stuck')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Serve each service of the libpq service file matching NAME too (repeatable)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;reindex' {
            [CompletionResult]::new('--index', '--index', [CompletionResultType]::ParameterName, 'Rebuild this index of the outbox or dedup table (or of a partition), bloated or not (repeatable)')
            [CompletionResult]::new('--threshold', '--threshold', [CompletionResultType]::ParameterName, 'Change the bloat check''s threshold, as doctor takes it (bloat=RATIO, bloat.min-size=SIZE) (repeatable)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Rebuild every valid index of both tables')
            [CompletionResult]::new('--exact', '--exact', [CompletionResultType]::ParameterName, 'Measure bloat with pgstattuple (reads every index) instead of estimating it')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the statements, run none')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Run without asking')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Run without asking')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;dedup' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('mark', 'mark', [CompletionResultType]::ParameterValue, 'Record GROUP/MSG_ID as handled (never overwrites an existing entry)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Exit 0 when GROUP/MSG_ID is recorded as handled, 3 when it is not')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List dedup entries (newest last, 50 rows)')
            [CompletionResult]::new('unmark', 'unmark', [CompletionResultType]::ParameterValue, 'Forget entries so the messages are handled again')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete entries whose processed_at is older than a cutoff')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outboxctl;dedup;mark' {
            [CompletionResult]::new('--metadata', '--metadata', [CompletionResultType]::ParameterName, 'Metadata to store: any JSON value')
            [CompletionResult]::new('--metadata-file', '--metadata-file', [CompletionResultType]::ParameterName, 'Read the metadata JSON from a file, or - for standard input')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;dedup;check' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;dedup;list' {
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Only this group (repeatable)')
            [CompletionResult]::new('--msg-id', '--msg-id', [CompletionResultType]::ParameterName, 'Only this message id')
            [CompletionResult]::new('--before', '--before', [CompletionResultType]::ParameterName, 'Only entries processed before this (7d, 2026-11-01, RFC 3339)')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Only entries processed at or after this (1h, 2026-11-01, RFC 3339)')
            [CompletionResult]::new('--order', '--order', [CompletionResultType]::ParameterName, 'Oldest or newest first (by processed_at)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most N rows; 0 lists all [default: 50 in the table view, all in json, ndjson, csv]')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'With --follow: how often to look')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Only these columns, in this order, in every format')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Print each message that comes to match after the command starts (a new failure, a new pending row), as it happens, until Ctrl-C: tail -f for the outbox')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Print each message that comes to match after the command starts (a new failure, a new pending row), as it happens, until Ctrl-C: tail -f for the outbox')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Human tables show every column in full, however wide')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;dedup;unmark' {
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Rows per batch; each batch is its own transaction')
            [CompletionResult]::new('--max-rate', '--max-rate', [CompletionResultType]::ParameterName, 'Change at most this many rows a second (all jobs together); batches shrink to a second''s worth')
            [CompletionResult]::new('--max-replica-lag', '--max-replica-lag', [CompletionResultType]::ParameterName, 'Before each batch, wait while any streaming standby replays further behind than this (10s, 1m); needs pg_monitor or pg_read_all_stats')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Say what would change, change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation on a terminal')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation on a terminal')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;dedup;purge' {
            [CompletionResult]::new('--before', '--before', [CompletionResultType]::ParameterName, 'Delete entries processed before this (30d, 2026-11-01, RFC 3339)')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Only this group (repeatable)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Connections working at once, each on its own pieces of the table (each batch still its own transaction); about as many as the server has cores to spare')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Connections working at once, each on its own pieces of the table (each batch still its own transaction); about as many as the server has cores to spare')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Rows per batch; each batch is its own transaction')
            [CompletionResult]::new('--max-rate', '--max-rate', [CompletionResultType]::ParameterName, 'Change at most this many rows a second (all jobs together); batches shrink to a second''s worth')
            [CompletionResult]::new('--max-replica-lag', '--max-replica-lag', [CompletionResultType]::ParameterName, 'Before each batch, wait while any streaming standby replays further behind than this (10s, 1m); needs pg_monitor or pg_read_all_stats')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Run on each service of the libpq service file matching NAME (`*` and `?` match like a shell glob), one after another, each its own run with its own summary (repeatable; with repeated -d, those too)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Say what would change, change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation on a terminal')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation on a terminal')
            [CompletionResult]::new('--fail-fast', '--fail-fast', [CompletionResultType]::ParameterName, 'Stop at the first target that fails (by default every target runs, and the exit code is the worst)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;dedup;help' {
            [CompletionResult]::new('mark', 'mark', [CompletionResultType]::ParameterValue, 'Record GROUP/MSG_ID as handled (never overwrites an existing entry)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Exit 0 when GROUP/MSG_ID is recorded as handled, 3 when it is not')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List dedup entries (newest last, 50 rows)')
            [CompletionResult]::new('unmark', 'unmark', [CompletionResultType]::ParameterValue, 'Forget entries so the messages are handled again')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete entries whose processed_at is older than a cutoff')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outboxctl;dedup;help;mark' {
            break
        }
        'outboxctl;dedup;help;check' {
            break
        }
        'outboxctl;dedup;help;list' {
            break
        }
        'outboxctl;dedup;help;unmark' {
            break
        }
        'outboxctl;dedup;help;purge' {
            break
        }
        'outboxctl;dedup;help;help' {
            break
        }
        'outboxctl;partition' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Each partition: its range, rows, size and, with --before, whether retention could drop it whole now and, if not, what it keeps')
            [CompletionResult]::new('maintain', 'maintain', [CompletionResultType]::ParameterValue, 'Make the partitions ahead (today''s and --premake more) and report rows in the default partition, which mean a missing partition; tables managed by pg_partman are left to it')
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Turn the plain outbox into the partitioned layout online: the table becomes the first partition with its rows where they are, new rows go to new partitions; writers and the relay wait only for one short catalog change')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outboxctl;partition;list' {
            [CompletionResult]::new('--before', '--before', [CompletionResultType]::ParameterName, 'Say which partitions `purge --before WHEN` would drop whole, and why the others stay')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Run on each service of the libpq service file matching NAME (`*` and `?` match like a shell glob), one after another, each its own run with its own summary (repeatable; with repeated -d, those too)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--include-failed', '--include-failed', [CompletionResultType]::ParameterName, 'With --before: as `purge --include-failed` would')
            [CompletionResult]::new('--exact', '--exact', [CompletionResultType]::ParameterName, 'Count every partition''s rows instead of the planner''s estimate')
            [CompletionResult]::new('--fail-fast', '--fail-fast', [CompletionResultType]::ParameterName, 'Stop at the first target that fails (by default every target runs, and the exit code is the worst)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;partition;maintain' {
            [CompletionResult]::new('--premake', '--premake', [CompletionResultType]::ParameterName, 'Partitions to have ahead of the current one')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Run on each service of the libpq service file matching NAME (`*` and `?` match like a shell glob), one after another, each its own run with its own summary (repeatable; with repeated -d, those too)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the statements that would run, run nothing')
            [CompletionResult]::new('--fail-fast', '--fail-fast', [CompletionResultType]::ParameterName, 'Stop at the first target that fails (by default every target runs, and the exit code is the worst)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;partition;convert' {
            [CompletionResult]::new('--partition-by', '--partition-by', [CompletionResultType]::ParameterName, 'The interval of the new partitions (day without a value, as for migrate)')
            [CompletionResult]::new('--premake', '--premake', [CompletionResultType]::ParameterName, 'Partitions to make ahead of the first new one')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print every statement, run none')
            [CompletionResult]::new('--rollback', '--rollback', [CompletionResultType]::ParameterName, 'Undo what an unfinished conversion did (the swap, once done, is not undone)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;partition;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Each partition: its range, rows, size and, with --before, whether retention could drop it whole now and, if not, what it keeps')
            [CompletionResult]::new('maintain', 'maintain', [CompletionResultType]::ParameterValue, 'Make the partitions ahead (today''s and --premake more) and report rows in the default partition, which mean a missing partition; tables managed by pg_partman are left to it')
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Turn the plain outbox into the partitioned layout online: the table becomes the first partition with its rows where they are, new rows go to new partitions; writers and the relay wait only for one short catalog change')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outboxctl;partition;help;list' {
            break
        }
        'outboxctl;partition;help;maintain' {
            break
        }
        'outboxctl;partition;help;convert' {
            break
        }
        'outboxctl;partition;help;help' {
            break
        }
        'outboxctl;completions' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--dedup-columns', '--dedup-columns', [CompletionResultType]::ParameterName, 'The dedup table''s columns when it names them differently: group=…,id=…,metadata=…,at=…')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables [default: the first on the search path that has them]; also put first on the role''s search_path, which the tables'' triggers run under')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts (-o wide: the table with every column in full, as --wide)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Ask for the password on the terminal before connecting (psql''s -W)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-password', '--no-password', [CompletionResultType]::ParameterName, 'Never ask for a password: fail when the server wants one and none was given (psql''s -w; the default without a terminal)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;help' {
            [CompletionResult]::new('ddl', 'ddl', [CompletionResultType]::ParameterValue, 'Print the DDL of both tables (no database needed)')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Create both tables where missing (safe to run from many processes at once)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Compare the live tables with the contract; exit 3 on drift')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Counts by status (and topic), oldest pending age, dedup totals; thresholds for monitoring')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List messages (default: pending and failed, oldest first, 50 rows)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one message in full')
            [CompletionResult]::new('requeue', 'requeue', [CompletionResultType]::ParameterValue, 'Move failed (or stuck / processed) messages back to pending')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete processed messages older than a cutoff (the library''s retention rule)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Discard messages by id or filter (poison messages), in any status but processing')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Why the outbox is slow or stuck: horizon holders, vacuum, bloat, indexes, locks, backlog')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Live view: counts and their changes, rates, backlog, stuck rows, top topics and error classes')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'A Prometheus exporter: /metrics for one target or many, /healthz for liveness')
            [CompletionResult]::new('reindex', 'reindex', [CompletionResultType]::ParameterValue, 'Rebuild the tables'' bloated indexes online (REINDEX … CONCURRENTLY, one at a time)')
            [CompletionResult]::new('dedup', 'dedup', [CompletionResultType]::ParameterValue, 'Mark, check, list, unmark and purge entries of the dedup ("processed") table')
            [CompletionResult]::new('partition', 'partition', [CompletionResultType]::ParameterValue, 'A time-partitioned outbox (migrate --partition-by): list its partitions, make them ahead')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outboxctl;help;ddl' {
            break
        }
        'outboxctl;help;migrate' {
            break
        }
        'outboxctl;help;check' {
            break
        }
        'outboxctl;help;stats' {
            break
        }
        'outboxctl;help;list' {
            break
        }
        'outboxctl;help;show' {
            break
        }
        'outboxctl;help;requeue' {
            break
        }
        'outboxctl;help;purge' {
            break
        }
        'outboxctl;help;delete' {
            break
        }
        'outboxctl;help;doctor' {
            break
        }
        'outboxctl;help;watch' {
            break
        }
        'outboxctl;help;serve' {
            break
        }
        'outboxctl;help;reindex' {
            break
        }
        'outboxctl;help;dedup' {
            [CompletionResult]::new('mark', 'mark', [CompletionResultType]::ParameterValue, 'Record GROUP/MSG_ID as handled (never overwrites an existing entry)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Exit 0 when GROUP/MSG_ID is recorded as handled, 3 when it is not')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List dedup entries (newest last, 50 rows)')
            [CompletionResult]::new('unmark', 'unmark', [CompletionResultType]::ParameterValue, 'Forget entries so the messages are handled again')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete entries whose processed_at is older than a cutoff')
            break
        }
        'outboxctl;help;dedup;mark' {
            break
        }
        'outboxctl;help;dedup;check' {
            break
        }
        'outboxctl;help;dedup;list' {
            break
        }
        'outboxctl;help;dedup;unmark' {
            break
        }
        'outboxctl;help;dedup;purge' {
            break
        }
        'outboxctl;help;partition' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Each partition: its range, rows, size and, with --before, whether retention could drop it whole now and, if not, what it keeps')
            [CompletionResult]::new('maintain', 'maintain', [CompletionResultType]::ParameterValue, 'Make the partitions ahead (today''s and --premake more) and report rows in the default partition, which mean a missing partition; tables managed by pg_partman are left to it')
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Turn the plain outbox into the partitioned layout online: the table becomes the first partition with its rows where they are, new rows go to new partitions; writers and the relay wait only for one short catalog change')
            break
        }
        'outboxctl;help;partition;list' {
            break
        }
        'outboxctl;help;partition;maintain' {
            break
        }
        'outboxctl;help;partition;convert' {
            break
        }
        'outboxctl;help;completions' {
            break
        }
        'outboxctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
