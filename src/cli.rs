//! The whole command-line surface (design.md §2). Parsing only: behaviour lives in
//! `commands`.

use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::output::Format;
use crate::schema::{DEFAULT_OUTBOX_TABLE, DEFAULT_PROCESSED_TABLE, TableKind};
use crate::timearg::parse_duration;

const AFTER_HELP: &str = "\
Connection: --database-url takes a postgres:// URL or a key=value conninfo string. Without one,
outboxctl reads PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, PGSSLROOTCERT,
PGCONNECT_TIMEOUT, PGAPPNAME and the password file (PGPASSFILE or ~/.pgpass), and prefers the
local Unix socket to localhost, as psql does.

Exit codes: 0 done, 1 runtime error, 2 invalid usage or input, 3 negative answer (drift,
threshold breached, not processed), 130 interrupted.";

#[derive(Debug, Parser)]
#[command(
    name = "outboxctl",
    version,
    about = "Operate transactional-outbox tables in PostgreSQL",
    long_about = "Operate the transactional-outbox tables of the Go outbox library in PostgreSQL: \
                  create them, print their DDL, check them against the contract, see what is \
                  stuck or failing, put failures back in line, and clean up.",
    after_help = AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)
    #[arg(
        short = 'd',
        long,
        env = "DATABASE_URL",
        hide_env_values = true,
        global = true,
        value_name = "URL"
    )]
    pub database_url: Option<String>,

    /// Outbox table name (unqualified; see --schema)
    #[arg(long, env = "OUTBOX_TABLE", default_value = DEFAULT_OUTBOX_TABLE, global = true, value_name = "NAME")]
    pub table: String,

    /// Dedup ("processed") table name (unqualified; see --schema)
    #[arg(long, env = "OUTBOX_PROCESSED_TABLE", default_value = DEFAULT_PROCESSED_TABLE, global = true, value_name = "NAME")]
    pub processed_table: String,

    /// Schema that holds the tables (sets search_path for the session)
    #[arg(long, global = true, value_name = "SCHEMA")]
    pub schema: Option<String>,

    /// Output format: human table, or json / ndjson / csv for scripts
    #[arg(long, value_enum, default_value_t = Format::Table, global = true)]
    pub format: Format,

    /// Give up waiting for a table lock after this long (e.g. 5s)
    #[arg(long, value_parser = parse_duration, global = true, value_name = "DURATION")]
    pub lock_timeout: Option<Duration>,

    /// Cancel any statement that runs longer than this (e.g. 30s)
    #[arg(long, value_parser = parse_duration, global = true, value_name = "DURATION")]
    pub statement_timeout: Option<Duration>,

    /// Give up connecting after this long, per host [default: 10s, or connect_timeout]
    #[arg(long, value_parser = parse_duration, global = true, value_name = "DURATION")]
    pub connect_timeout: Option<Duration>,

    /// Print only results and errors: no progress bars, warnings or summaries on stderr
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Never use colour (also when NO_COLOR is set)
    #[arg(long, global = true)]
    pub no_color: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the DDL of both tables (no database needed)
    #[command(
        after_help = "Example:\n  outboxctl ddl --table billing_outbox --processed-table billing_seen | psql"
    )]
    Ddl(DdlArgs),

    /// Create both tables where missing (safe to run from many processes at once)
    #[command(
        after_help = "Examples:\n  outboxctl migrate\n  outboxctl migrate --dry-run\n  outboxctl migrate --only outbox"
    )]
    Migrate(MigrateArgs),

    /// Compare the live tables with the contract; exit 3 on drift
    #[command(after_help = "Examples:\n  outboxctl check\n  outboxctl check --format json")]
    Check(CheckArgs),

    /// Print a shell completion script
    #[command(after_help = "Example:\n  outboxctl completions zsh > ~/.zfunc/_outboxctl")]
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct DdlArgs {
    /// Only this table
    #[arg(long, value_enum)]
    pub only: Option<TableKind>,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Only this table
    #[arg(long, value_enum)]
    pub only: Option<TableKind>,

    /// Print the SQL that would run, run nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Only this table
    #[arg(long, value_enum)]
    pub only: Option<TableKind>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The tables a command with `--only` works on.
pub fn selected_tables(only: Option<TableKind>) -> Vec<TableKind> {
    match only {
        Some(kind) => vec![kind],
        None => vec![TableKind::Outbox, TableKind::Processed],
    }
}
