
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
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables (sets search_path for the session)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel any statement that runs longer than this (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never use colour (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('ddl', 'ddl', [CompletionResultType]::ParameterValue, 'Print the DDL of both tables (no database needed)')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Create both tables where missing (safe to run from many processes at once)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Compare the live tables with the contract; exit 3 on drift')
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
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables (sets search_path for the session)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel any statement that runs longer than this (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never use colour (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;migrate' {
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Only this table')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables (sets search_path for the session)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel any statement that runs longer than this (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the SQL that would run, run nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never use colour (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
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
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables (sets search_path for the session)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel any statement that runs longer than this (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never use colour (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;completions' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Outbox table name (unqualified; see --schema)')
            [CompletionResult]::new('--processed-table', '--processed-table', [CompletionResultType]::ParameterName, 'Dedup ("processed") table name (unqualified; see --schema)')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Schema that holds the tables (sets search_path for the session)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human table, or json / ndjson / csv for scripts')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for a table lock after this long (e.g. 5s)')
            [CompletionResult]::new('--statement-timeout', '--statement-timeout', [CompletionResultType]::ParameterName, 'Cancel any statement that runs longer than this (e.g. 30s)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long, per host [default: 10s, or connect_timeout]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no progress bars, warnings or summaries on stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never use colour (also when NO_COLOR is set)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outboxctl;help' {
            [CompletionResult]::new('ddl', 'ddl', [CompletionResultType]::ParameterValue, 'Print the DDL of both tables (no database needed)')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Create both tables where missing (safe to run from many processes at once)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Compare the live tables with the contract; exit 3 on drift')
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
