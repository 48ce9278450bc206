//! The whole command-line surface. Parsing only: behaviour lives in
//! `commands`.

use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::render::output::{ColorChoice, Format, OutputOptions, Shape};
use crate::tables::schema::{DEFAULT_OUTBOX_TABLE, DEFAULT_PROCESSED_TABLE, TableKind};
use crate::tables::timearg::{TimeArg, parse_duration};

const AFTER_HELP: &str = "\
Connection: --database-url takes a postgres:// URL or a key=value conninfo string. Without one,
outboxctl reads PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, PGSSLROOTCERT,
PGCONNECT_TIMEOUT, PGAPPNAME, service files (PGSERVICE, PGSERVICEFILE, ~/.pg_service.conf)
and the password file (PGPASSFILE or ~/.pgpass), and prefers the local Unix socket to
localhost, as psql does. Options it cannot honour (sslcrl, requirepeer, ...) are refused.

Exit codes: 0 done, 1 runtime error, 2 invalid usage or input, 3 negative answer (drift,
threshold breached, not processed), 4 changed but the report could not be written to
stdout, 130 interrupted.";

#[derive(Debug, Parser)]
#[command(
    name = "outboxctl",
    version,
    about = "Operate transactional-outbox tables in PostgreSQL",
    long_about = "Operate the transactional-outbox tables of the Go outbox library in PostgreSQL: \
                  create them, print their DDL, check them against the contract, see what is \
                  stuck or failing, put failures back in line, and clean up.",
    after_help = AFTER_HELP,
    propagate_version = true,
    // Plain: clap's own styling would be indistinguishable from escape sequences a
    // user's argument carries, which are shown escaped instead.
    styles = clap::builder::Styles::plain()
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// PostgreSQL URL (postgres://…) or conninfo string (host=… dbname=…)
    #[arg(
        short = 'd',
        long,
        env = "DATABASE_URL",
        hide_env_values = true,
        global = true,
        value_name = "URL",
        action = clap::ArgAction::Append
    )]
    pub database_url: Vec<String>,

    /// Outbox table name (unqualified; see --schema)
    #[arg(long, env = "OUTBOX_TABLE", hide_env_values = true, default_value = DEFAULT_OUTBOX_TABLE, global = true, value_name = "NAME")]
    pub table: String,

    /// Dedup ("processed") table name (unqualified; see --schema)
    #[arg(long, env = "OUTBOX_PROCESSED_TABLE", hide_env_values = true, default_value = DEFAULT_PROCESSED_TABLE, global = true, value_name = "NAME")]
    pub processed_table: String,

    /// The dedup table's columns when it names them differently: group=…,id=…,metadata=…,at=…
    #[arg(long, env = "OUTBOX_DEDUP_COLUMNS", hide_env_values = true, value_parser = crate::tables::dedup_columns::parse_map, global = true, value_name = "ROLE=COLUMN,…")]
    pub dedup_columns: Option<crate::tables::dedup_columns::ColumnMap>,

    /// Schema that holds the tables [default: the first on the search path that has them]; also put first on the role's search_path, which the tables' triggers run under
    #[arg(long, global = true, value_name = "SCHEMA")]
    pub schema: Option<String>,

    /// Output format: human table, or json / ndjson / csv for scripts (-o wide: the table
    /// with every column in full, as --wide)
    #[arg(short = 'o', long, value_enum, default_value_t = FormatArg::Table, global = true)]
    pub format: FormatArg,

    /// Give up waiting for a table lock after this long (e.g. 5s)
    #[arg(long, value_parser = parse_server_timeout, global = true, value_name = "DURATION")]
    pub lock_timeout: Option<Duration>,

    /// Cancel a statement (a batch, a read, a whole streamed list) that runs longer (e.g. 30s)
    #[arg(long, value_parser = parse_server_timeout, global = true, value_name = "DURATION")]
    pub statement_timeout: Option<Duration>,

    /// Give up connecting after this long, per host [default: 10s, or connect_timeout]
    #[arg(long, value_parser = parse_duration, global = true, value_name = "DURATION")]
    pub connect_timeout: Option<Duration>,

    /// Print only results and errors: no progress bars, warnings or summaries on stderr
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Ask for the password on the terminal before connecting (psql's -W)
    #[arg(
        short = 'W',
        long = "password",
        global = true,
        conflicts_with = "no_password"
    )]
    pub ask_password: bool,

    /// Never ask for a password: fail when the server wants one and none was given
    /// (psql's -w; the default without a terminal)
    #[arg(short = 'w', long, global = true)]
    pub no_password: bool,

    /// Colour in human output: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(long, value_enum, default_value_t = ColorMode::Auto, global = true, value_name = "WHEN")]
    pub color: ColorMode,

    /// Same as --color never
    #[arg(long, global = true)]
    pub no_color: bool,
}

impl GlobalArgs {
    /// How this invocation prints, before the command's own view options.
    pub fn output(&self) -> OutputOptions {
        OutputOptions {
            format: self.format.into(),
            color: if self.no_color {
                ColorChoice::Never
            } else {
                match self.color {
                    ColorMode::Auto => ColorChoice::Auto,
                    ColorMode::Always => ColorChoice::Always,
                    ColorMode::Never => ColorChoice::Never,
                }
            },
            quiet: self.quiet,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Table,
    /// The table, every column in full (kubectl's `-o wide`).
    Wide,
    Json,
    Ndjson,
    Csv,
    /// The Prometheus text exposition (`stats` only).
    Prometheus,
}

impl From<FormatArg> for Format {
    fn from(arg: FormatArg) -> Self {
        match arg {
            FormatArg::Table | FormatArg::Wide => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Ndjson => Format::Ndjson,
            FormatArg::Csv => Format::Csv,
            FormatArg::Prometheus => Format::Prometheus,
        }
    }
}

/// `--wide`, for the commands that print tables a terminal may be too narrow for.
#[derive(Debug, Clone, Default, Args)]
pub struct WideArg {
    /// Human tables show every column in full, however wide
    #[arg(long)]
    pub wide: bool,
}

/// `--columns`, for the lists.
#[derive(Debug, Clone, Default, Args)]
pub struct ColumnsArg {
    /// Only these columns, in this order, in every format
    #[arg(long, value_delimiter = ',', value_name = "COLUMN,…")]
    pub columns: Vec<String>,
}

/// `--no-payload`, for the commands that print messages.
#[derive(Debug, Clone, Default, Args)]
pub struct NoPayloadArg {
    /// Leave payloads out of json, ndjson and csv
    #[arg(long)]
    pub no_payload: bool,
}

impl Command {
    /// What the command's own options say about its output's shape.
    pub fn shape(&self) -> Shape {
        let (wide, columns, no_payload) = match self {
            Command::List(a) => (
                a.wide.wide,
                a.columns.columns.clone(),
                a.no_payload.no_payload,
            ),
            Command::Show(a) => (false, Vec::new(), a.no_payload.no_payload),
            Command::Stats(a) => (a.wide.wide, Vec::new(), false),
            Command::Requeue(a) => (a.wide.wide, Vec::new(), false),
            Command::Purge(a) => (a.wide.wide, Vec::new(), false),
            Command::Delete(a) => (a.wide.wide, Vec::new(), false),
            Command::Dedup(DedupCommand::List(a)) => {
                (a.wide.wide, a.columns.columns.clone(), false)
            }
            _ => (false, Vec::new(), false),
        };
        Shape {
            wide,
            columns,
            no_payload,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PayloadView {
    Preview,
    Full,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorMode {
    Auto,
    Always,
    Never,
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

    /// Counts by status (and topic), oldest pending age, dedup totals; thresholds for monitoring
    #[command(
        after_help = "Examples:\n  outboxctl stats\n  outboxctl stats --by-topic --format json\n  outboxctl stats --max-pending-age 5m --max-failed 100   # exit 3 when breached\n  outboxctl stats --estimate   # no scan: pending exact, the rest from statistics\n  outboxctl stats --by-error --format json | jq '.by_error[0]'"
    )]
    Stats(StatsArgs),

    /// List messages (default: pending and failed, oldest first, 50 rows)
    #[command(
        after_help = "Examples:\n  outboxctl list\n  outboxctl list --status failed --topic orders --error-contains timeout --after 2h\n  outboxctl list --status processed --limit 0 --format ndjson > all.ndjson"
    )]
    List(ListArgs),

    /// Show one message in full
    #[command(after_help = "Example:\n  outboxctl show 1b4e28ba-2fa1-11d2-883f-0016d3cca427")]
    Show(ShowArgs),

    /// Move failed (or stuck / processed) messages back to pending
    #[command(
        after_help = "Examples:\n  outboxctl requeue 1b4e28ba-2fa1-11d2-883f-0016d3cca427\n  outboxctl requeue --all --topic orders --dry-run\n  outboxctl requeue --stuck --before 15m\n  outboxctl requeue --replay --topic orders --after 1h\n  outboxctl requeue --all --jobs 2 --max-replica-lag 30s"
    )]
    Requeue(RequeueArgs),

    /// Delete processed messages older than a cutoff (the library's retention rule)
    #[command(
        after_help = "Examples:\n  outboxctl purge --before 7d\n  outboxctl purge --before 2026-11-01 --include-failed --dry-run\n  outboxctl purge --before 7d --jobs 2\n  outboxctl purge --before 7d --max-replica-lag 10s --max-rate 20000   # gentle, in production"
    )]
    Purge(PurgeArgs),

    /// Discard messages by id or filter (poison messages), in any status but processing
    #[command(
        after_help = "Examples:\n  outboxctl delete 1b4e28ba-2fa1-11d2-883f-0016d3cca427\n  outboxctl delete --status failed --error-contains 'message too large' --dry-run\n  outboxctl list --status failed --format ndjson | jq -r .id | outboxctl delete - --yes"
    )]
    Delete(DeleteArgs),

    /// Why the outbox is slow or stuck: horizon holders, vacuum, bloat, indexes, locks, backlog
    #[command(
        long_about = "Why the outbox is slow or stuck: horizon holders, vacuum, bloat, indexes, locks, backlog.\n\n\
Runs every check against the database and both tables and prints one line per check: ok, warn, fail or \
skipped (with the reason), what it found, and the fix to paste. Reads catalogs and statistics only: it \
changes nothing, takes no lock stronger than ACCESS SHARE, reads table rows only through the pending index \
(and a table's processing rows when it is under 16 MiB, or with --exact), and bounds every lock wait so it finishes while a migration holds a table. Exit 0 when nothing warns or \
fails, 3 when something does, 1 on a runtime error.",
        after_help = "Examples:\n  outboxctl doctor\n  outboxctl doctor --only xmin-sessions,locks,backlog\n  outboxctl doctor --threshold xmin-sessions=1m --threshold dead-rows=0.1\n  outboxctl doctor --format json | jq '.checks[] | select(.status != \"ok\")'\n  outboxctl doctor --list"
    )]
    Doctor(DoctorArgs),

    /// Live view: counts and their changes, rates, backlog, stuck rows, top topics and error classes
    #[command(
        long_about = "Live view: counts and their changes, rates, backlog, stuck rows, top topics and error classes.\n\n\
On a terminal, a full-screen view refreshed every --interval; keys: q or Ctrl-C quit, p pause, t top topics, \
e top error classes. Without a terminal, or with --format ndjson, one JSON object per interval (--count N stops \
after N).",
        after_help = "Examples:\n  outboxctl watch\n  outboxctl watch --interval 5s\n  outboxctl watch --format ndjson --count 12 >> outbox.log"
    )]
    Watch(WatchArgs),

    /// A Prometheus exporter: /metrics for one target or many, /healthz for liveness
    #[command(
        long_about = "A long-running Prometheus exporter: /metrics for one target or many (repeated -d, \
--service patterns), each series labelled with its target, and /healthz for liveness.\n\n\
Each target keeps one connection, reads its figures through the estimate path (pending exactly through \
the pending index, the rest from the planner's statistics) in short transactions, and caches them for \
--min-interval so several Prometheus servers cannot multiply the load; a target that fails or answers \
later than --scrape-timeout reports outboxctl_up 0 without holding up the others. The doctor's checks \
run every --doctor-interval as outboxctl_doctor_check_status. SIGTERM ends it with exit 0.",
        after_help = "Examples:\n  outboxctl serve --listen 127.0.0.1:9858\n  outboxctl serve --listen :9858 --service 'orders-*'\n  curl -s localhost:9858/metrics"
    )]
    Serve(ServeArgs),

    /// Rebuild the tables' bloated indexes online (REINDEX … CONCURRENTLY, one at a time)
    #[command(
        long_about = "Rebuild the tables' bloated indexes online: REINDEX INDEX CONCURRENTLY, one index at a time, \
each lock wait bounded by --lock-timeout.\n\n\
Which indexes: those doctor's bloat check finds emptier than its threshold (--threshold bloat=RATIO, \
--threshold bloat.min-size=SIZE), or --index NAME, or --all. Invalid indexes an interrupted rebuild left \
(REINDEX CONCURRENTLY's _ccnew and _ccold) are dropped first. On a terminal the plan is shown and asked \
about; without one nothing runs without --yes.",
        after_help = "Examples:\n  outboxctl reindex --dry-run\n  outboxctl reindex --yes\n  outboxctl reindex --index outbox_messages_pkey --yes"
    )]
    Reindex(ReindexArgs),

    /// Mark, check, list, unmark and purge entries of the dedup ("processed") table
    #[command(subcommand)]
    Dedup(DedupCommand),

    /// A time-partitioned outbox (migrate --partition-by): list its partitions, make
    /// them ahead
    #[command(subcommand)]
    Partition(PartitionCommand),

    /// Print a shell completion script
    #[command(after_help = "Example:\n  outboxctl completions zsh > ~/.zfunc/_outboxctl")]
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct DdlArgs {
    /// Only this table
    #[arg(long, value_enum)]
    pub only: Option<TableArg>,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Only this table
    #[arg(long, value_enum)]
    pub only: Option<TableArg>,

    /// Print the SQL that would run, run nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Build the contract's missing or invalid indexes CONCURRENTLY instead (never touches columns); shows the plan unless --yes
    #[arg(long)]
    pub repair: bool,

    /// With --repair: run the plan without asking
    #[arg(long, short = 'y', requires = "repair")]
    pub yes: bool,

    /// With --repair: also build idx_<table>_processing, a partial index on created_at
    /// where status = 'processing', so doctor counts rows stuck in processing in
    /// milliseconds at any table size (the library never reads it; each claim and mark
    /// also writes it)
    #[arg(long, requires = "repair")]
    pub processing_index: bool,

    /// Create the outbox range-partitioned on created_at, one partition per day, week or
    /// month (primary key (id, created_at), a default partition, partitions made ahead),
    /// so retention drops whole partitions; the library runs on it unchanged. Without a
    /// value: day (each id-only mark of the relay visits every partition, so the count
    /// should stay near retention + premake: about a dozen with 7 days kept)
    #[arg(long, value_enum, value_name = "INTERVAL", conflicts_with = "repair",
          num_args = 0..=1, default_missing_value = "day")]
    pub partition_by: Option<IntervalArg>,

    /// With --partition-by: partitions to make ahead of the current one
    #[arg(long, value_name = "N", requires = "partition_by", default_value_t = crate::tables::partitions::DEFAULT_PREMAKE,
          value_parser = clap::value_parser!(u32).range(0..=366))]
    pub premake: u32,
}

/// `--partition-by day|week|month`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum IntervalArg {
    Day,
    Week,
    Month,
}

impl From<IntervalArg> for crate::tables::partitions::Interval {
    fn from(arg: IntervalArg) -> Self {
        match arg {
            IntervalArg::Day => Self::Day,
            IntervalArg::Week => Self::Week,
            IntervalArg::Month => Self::Month,
        }
    }
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print every check's id, title and default thresholds, and exit
    #[arg(long)]
    pub list: bool,

    /// Run only these checks
    #[arg(long, value_delimiter = ',', value_name = "ID,…", conflicts_with = "skip",
          value_parser = clap::builder::PossibleValuesParser::new(crate::diagnose::check_ids()))]
    pub only: Vec<String>,

    /// Run every check but these
    #[arg(long, value_delimiter = ',', value_name = "ID,…",
          value_parser = clap::builder::PossibleValuesParser::new(crate::diagnose::check_ids()))]
    pub skip: Vec<String>,

    /// Change a threshold: a duration (30s), count (10000), ratio (0.2 or 20%) or size (1GiB), as --list shows (repeatable)
    #[arg(long, value_name = "ID=VALUE")]
    pub threshold: Vec<String>,

    /// Let checks read the tables: bloat measured with pgstattuple, stuck processing rows counted on any size
    #[arg(long)]
    pub exact: bool,

    /// Examine each service of the libpq service file matching NAME (`*` and `?` match like a shell glob); with several targets (or repeated -d), each is examined at once (repeatable)
    #[arg(long, value_name = "NAME", value_parser = non_empty)]
    pub service: Vec<String>,

    /// How long to watch a stalled backlog for claims before calling the relay stopped (0s: do not watch)
    #[arg(long, value_parser = parse_duration, default_value = "2s", value_name = "DURATION")]
    pub sample: Duration,

    /// How long a check may scan a table to look (the rows stuck in processing, without
    /// the processing index); what it cannot read in time is reported unknown, never ok
    #[arg(long, value_parser = parse_server_timeout, default_value = "3s", value_name = "DURATION")]
    pub scan_budget: Duration,
}

#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// Time between refreshes (at least 1s)
    #[arg(long, value_parser = parse_duration, default_value = "2s", value_name = "DURATION")]
    pub interval: Duration,

    /// Stop after N refreshes (for scripts; the live view runs until q)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,

    /// A message in processing created longer ago than this counts as stuck
    #[arg(long, value_parser = parse_duration, default_value = "15m", value_name = "DURATION")]
    pub stuck_after: Duration,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Only this table
    #[arg(long, value_enum)]
    pub only: Option<TableArg>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Add a per-topic breakdown
    #[arg(long)]
    pub by_topic: bool,

    /// With --by-topic: the order of the topics — most pending first (backlog), oldest
    /// pending first (age), most failed first (failed), or by name
    #[arg(long, value_enum, default_value_t = TopicOrder::Backlog, requires = "by_topic")]
    pub sort: TopicOrder,

    /// With --by-topic: only the first N topics in that order (the rest are counted in
    /// a line below the table, and left out of json)
    #[arg(long, value_name = "N", requires = "by_topic", value_parser = clap::value_parser!(u32).range(1..))]
    pub top: Option<u32>,

    /// Exit 3 when the oldest pending message is older than this (e.g. 5m)
    #[arg(long, value_parser = parse_duration, value_name = "DURATION", allow_hyphen_values = true)]
    pub max_pending_age: Option<Duration>,

    /// Exit 3 when more than N messages are failed
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub max_failed: Option<u64>,

    /// Exit 3 when more than N messages are pending
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub max_pending: Option<u64>,

    /// Count pending exactly through its index and estimate the other statuses from the planner's statistics: no scan (the default above 5,000,000 rows)
    #[arg(long, conflicts_with_all = ["exact", "by_topic", "by_header"])]
    pub estimate: bool,

    /// Count every row, however large the table
    #[arg(long)]
    pub exact: bool,

    /// Group failed messages by error class: addresses, ids, numbers, quoted values and durations set aside
    #[arg(long)]
    pub by_error: bool,

    /// With --by-error: pending messages that failed before (retries > 0) too
    #[arg(long, requires = "by_error")]
    pub include_retrying: bool,

    /// Add counts by status for each value of this header key, e.g. tenant (repeatable)
    #[arg(long, value_name = "KEY", value_parser = non_empty)]
    pub by_header: Vec<String>,

    /// Report on each service of the libpq service file matching NAME (`*` and `?` match like a shell glob); with several targets, one row or object per target (repeatable)
    #[arg(long, value_name = "NAME", value_parser = non_empty)]
    pub service: Vec<String>,

    /// Sample the table twice, --interval apart: messages written, status changes, deletes and the drain rate per second, and the backlog's ETA (no scan)
    #[arg(long)]
    pub rates: bool,

    /// With --rates: the time between the two samples (at least 1s; counters are published about once a second)
    #[arg(long, value_parser = parse_duration, default_value = "5s", value_name = "DURATION", requires = "rates")]
    pub interval: Duration,

    /// A message in processing created longer ago than this counts as stuck
    #[arg(long, value_parser = parse_duration, default_value = "15m", value_name = "DURATION")]
    pub stuck_after: Duration,

    /// With --format prometheus: at most N series per topic set (and per --by-header key):
    /// the N-1 largest topics by message count, and "(other)" summing the rest (counted in
    /// outbox_topics_folded / outbox_header_values_folded)
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(2..=100_000))]
    pub max_series: usize,

    #[command(flatten)]
    pub wide: WideArg,
}

/// Filters shared by `list` and `requeue --all`.
#[derive(Debug, Clone, Args)]
pub struct MessageFilterArgs {
    /// Only this topic; `*` and `?` match like a shell glob: 'orders.*' (repeatable)
    #[arg(long, value_name = "TOPIC", value_parser = non_empty)]
    pub topic: Vec<String>,

    /// Only this message key, exactly ('' selects the library's default empty key) (repeatable)
    #[arg(long, value_name = "KEY")]
    pub key: Vec<String>,

    /// Only messages whose headers hold KEY=VALUE, as text or as the number / boolean it spells (repeatable)
    #[arg(long, value_parser = crate::tables::outbox::parse_header, value_name = "KEY=VALUE")]
    pub header: Vec<(String, String)>,

    /// Only messages whose last error contains this text (case-insensitive)
    #[arg(long, value_name = "TEXT", value_parser = non_empty)]
    pub error_contains: Option<String>,

    /// Only messages whose last error is of this class, by the id `stats --by-error`
    /// shows (repeatable)
    #[arg(long, value_name = "ID", value_parser = non_empty)]
    pub error_class: Vec<String>,

    /// Only messages created before this (7d, 2026-11-01, RFC 3339)
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub before: Option<TimeArg>,

    /// Only messages created at or after this (2h, 2026-11-01, RFC 3339)
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub after: Option<TimeArg>,

    /// Only messages processed before this (processed_at; 7d, 2026-11-01, RFC 3339)
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub processed_before: Option<TimeArg>,

    /// Only messages processed at or after this (processed_at; 1h, 2026-11-01, RFC 3339)
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub processed_after: Option<TimeArg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Order {
    Oldest,
    Newest,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Status to list: pending, processing, processed, failed or all (repeatable or comma-separated)
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "pending,failed",
        value_name = "STATUS",
        value_parser = StatusParser
    )]
    pub status: Vec<String>,

    #[command(flatten)]
    pub filter: MessageFilterArgs,

    /// Oldest or newest first (by created_at)
    #[arg(long, value_enum, default_value_t = Order::Oldest)]
    pub order: Order,

    /// At most N rows; 0 lists all [default: 50 in the table view, all in json, ndjson, csv]
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        conflicts_with = "follow"
    )]
    pub limit: Option<u64>,

    /// Print each message that comes to match after the command starts (a new failure,
    /// a new pending row), as it happens, until Ctrl-C: tail -f for the outbox
    #[arg(long, short = 'f')]
    pub follow: bool,

    /// With --follow: how often to look
    #[arg(long, value_parser = parse_duration, default_value = "1s", value_name = "DURATION", requires = "follow")]
    pub interval: Duration,

    #[command(flatten)]
    pub columns: ColumnsArg,

    #[command(flatten)]
    pub no_payload: NoPayloadArg,

    #[command(flatten)]
    pub wide: WideArg,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The message id: a UUID, its first 8 or more hex digits, or - to read it from standard input
    pub id: String,

    /// The payload in the table view: its first 2 KiB (preview) or all of it (full)
    #[arg(long, value_enum, default_value_t = PayloadView::Preview)]
    pub payload: PayloadView,

    #[command(flatten)]
    pub no_payload: NoPayloadArg,
}

#[derive(Debug, Args)]
pub struct RequeueArgs {
    /// Message ids to requeue; - reads them from standard input, one per line
    #[arg(value_name = "ID", conflicts_with = "all")]
    pub ids: Vec<String>,

    /// Select by filter; alone, every message in the source status
    #[arg(long)]
    pub all: bool,

    /// Take messages left in 'processing' by a dead relay, created before --before (default 15m, as stats counts them stuck)
    #[arg(long, conflicts_with = "replay")]
    pub stuck: bool,

    /// Take processed messages and deliver them again (clears processed_at)
    #[arg(long)]
    pub replay: bool,

    /// Keep the retry count instead of resetting it to 0
    #[arg(long)]
    pub keep_retries: bool,

    #[command(flatten)]
    pub filter: MessageFilterArgs,

    #[command(flatten)]
    pub jobs: JobsArgs,

    #[command(flatten)]
    pub mutation: MutationArgs,

    #[command(flatten)]
    pub wide: WideArg,

    #[command(flatten)]
    pub targets: TargetsArgs,
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Delete processed messages whose processed_at is older than this (7d, 2026-11-01, RFC 3339)
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub before: TimeArg,

    /// Also delete failed messages whose created_at is older than the cutoff
    #[arg(long)]
    pub include_failed: bool,

    /// Only this topic (repeatable)
    #[arg(long, value_name = "TOPIC", value_parser = non_empty)]
    pub topic: Vec<String>,

    #[command(flatten)]
    pub jobs: JobsArgs,

    #[command(flatten)]
    pub mutation: MutationArgs,

    #[command(flatten)]
    pub wide: WideArg,

    #[command(flatten)]
    pub targets: TargetsArgs,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Message ids to delete; - reads them from standard input, one per line
    #[arg(value_name = "ID", conflicts_with = "all")]
    pub ids: Vec<String>,

    /// Select by filter; alone, every message (but those in processing)
    #[arg(long)]
    pub all: bool,

    /// Only messages in this status (repeatable or comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "STATUS", value_parser = StatusParser)]
    pub status: Vec<String>,

    /// Also delete messages in 'processing', which a live relay may be publishing
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub filter: MessageFilterArgs,

    #[command(flatten)]
    pub jobs: JobsArgs,

    #[command(flatten)]
    pub mutation: MutationArgs,

    #[command(flatten)]
    pub wide: WideArg,

    #[command(flatten)]
    pub targets: TargetsArgs,
}

#[derive(Debug, Subcommand)]
pub enum DedupCommand {
    /// Record GROUP/MSG_ID as handled (never overwrites an existing entry)
    #[command(
        after_help = "Examples:\n  outboxctl dedup mark billing 1b4e28ba-2fa1-11d2-883f-0016d3cca427 --metadata '{\"by\":\"ops\",\"ticket\":\"INC-42\"}'\n  outboxctl dedup mark billing 1b4e28ba-2fa1-11d2-883f-0016d3cca427 --metadata-file note.json"
    )]
    Mark(DedupMarkArgs),

    /// Exit 0 when GROUP/MSG_ID is recorded as handled, 3 when it is not
    #[command(
        after_help = "Example:\n  if outboxctl dedup check billing 1b4e28ba-2fa1-11d2-883f-0016d3cca427; then echo handled; fi"
    )]
    Check(DedupKeyArgs),

    /// List dedup entries (newest last, 50 rows)
    #[command(
        after_help = "Examples:\n  outboxctl dedup list --group billing --after 1h --format json\n  outboxctl dedup list --limit 0 --format ndjson > seen.ndjson"
    )]
    List(DedupListArgs),

    /// Forget entries so the messages are handled again
    #[command(
        after_help = "Example:\n  outboxctl dedup unmark billing 1b4e28ba-2fa1-11d2-883f-0016d3cca427 9f0c7e2a-0000-4000-8000-000000000000"
    )]
    Unmark(DedupUnmarkArgs),

    /// Delete entries whose processed_at is older than a cutoff
    #[command(
        after_help = "Examples:\n  outboxctl dedup purge --before 30d\n  outboxctl dedup purge --before 2026-11-01 --group billing --dry-run\n  outboxctl dedup purge --before 30d --jobs 2"
    )]
    Purge(DedupPurgeArgs),
}

#[derive(Debug, Args)]
pub struct DedupKeyArgs {
    /// Consumer group
    pub group: String,
    /// Message id (any text)
    pub msg_id: String,
}

#[derive(Debug, Args)]
pub struct DedupMarkArgs {
    #[command(flatten)]
    pub key: DedupKeyArgs,

    /// Metadata to store: any JSON value
    #[arg(long, value_name = "JSON", conflicts_with = "metadata_file")]
    pub metadata: Option<String>,

    /// Read the metadata JSON from a file, or - for standard input
    #[arg(long, value_name = "PATH")]
    pub metadata_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct DedupListArgs {
    /// Only this group (repeatable)
    #[arg(long, value_name = "GROUP", value_parser = non_empty)]
    pub group: Vec<String>,

    /// Only this message id
    #[arg(long, value_name = "MSG_ID", value_parser = non_empty)]
    pub msg_id: Option<String>,

    /// Only entries processed before this (7d, 2026-11-01, RFC 3339)
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub before: Option<TimeArg>,

    /// Only entries processed at or after this (1h, 2026-11-01, RFC 3339)
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub after: Option<TimeArg>,

    /// Oldest or newest first (by processed_at)
    #[arg(long, value_enum, default_value_t = Order::Oldest)]
    pub order: Order,

    /// At most N rows; 0 lists all [default: 50 in the table view, all in json, ndjson, csv]
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        conflicts_with = "follow"
    )]
    pub limit: Option<u64>,

    /// Print each message that comes to match after the command starts (a new failure,
    /// a new pending row), as it happens, until Ctrl-C: tail -f for the outbox
    #[arg(long, short = 'f')]
    pub follow: bool,

    /// With --follow: how often to look
    #[arg(long, value_parser = parse_duration, default_value = "1s", value_name = "DURATION", requires = "follow")]
    pub interval: Duration,

    #[command(flatten)]
    pub columns: ColumnsArg,

    #[command(flatten)]
    pub wide: WideArg,
}

#[derive(Debug, Args)]
pub struct DedupUnmarkArgs {
    /// Consumer group
    pub group: String,

    /// Message ids to forget; - reads them from standard input, one per line
    #[arg(required = true, value_name = "MSG_ID")]
    pub msg_ids: Vec<String>,

    #[command(flatten)]
    pub mutation: MutationArgs,
}

#[derive(Debug, Args)]
pub struct DedupPurgeArgs {
    /// Delete entries processed before this (30d, 2026-11-01, RFC 3339)
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub before: TimeArg,

    /// Only this group (repeatable)
    #[arg(long, value_name = "GROUP", value_parser = non_empty)]
    pub group: Vec<String>,

    #[command(flatten)]
    pub jobs: JobsArgs,

    #[command(flatten)]
    pub mutation: MutationArgs,

    #[command(flatten)]
    pub targets: TargetsArgs,
}

/// A timeout PostgreSQL can hold: more than 0, at most 2^31 - 1 milliseconds (24.8 days).
fn parse_server_timeout(text: &str) -> Result<Duration, String> {
    let duration = parse_duration(text)?;
    if duration.is_zero() {
        return Err("a timeout must be longer than 0".into());
    }
    if duration.as_millis() > i32::MAX as u128 {
        return Err(format!(
            "{text} is longer than PostgreSQL's longest timeout (24d20h31m23s)"
        ));
    }
    Ok(duration)
}

/// A filter value: an empty one (a script's unset `$PATTERN`) would select everything, so
/// it is refused rather than read as "no filter".
fn non_empty(text: &str) -> Result<String, String> {
    if text.is_empty() {
        Err(
            "an empty filter value would match everything; give a value or leave the option out"
                .into(),
        )
    } else {
        Ok(text.to_string())
    }
}

/// `--only outbox|processed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TableArg {
    Outbox,
    Processed,
}

/// The tables a command with `--only` works on.
pub fn selected_tables(only: Option<TableArg>) -> Vec<TableKind> {
    match only {
        Some(TableArg::Outbox) => vec![TableKind::Outbox],
        Some(TableArg::Processed) => vec![TableKind::Processed],
        None => vec![TableKind::Outbox, TableKind::Processed],
    }
}

/// Options every mutation takes.
#[derive(Debug, Clone, clap::Args)]
pub struct MutationArgs {
    /// Say what would change, change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask for confirmation on a terminal
    #[arg(short, long)]
    pub yes: bool,

    /// Rows per batch; each batch is its own transaction
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u32).range(1..=1_000_000), value_name = "N", allow_hyphen_values = true)]
    pub batch_size: u32,

    /// Change at most this many rows a second (all jobs together); batches shrink to a
    /// second's worth
    #[arg(long, value_name = "ROWS", value_parser = clap::value_parser!(u32).range(1..), help_heading = "Gentle mode")]
    pub max_rate: Option<u32>,

    /// Before each batch, wait while any streaming standby replays further behind than this
    /// (10s, 1m); needs pg_monitor or pg_read_all_stats
    #[arg(long, value_name = "DURATION", value_parser = parse_lag, help_heading = "Gentle mode")]
    pub max_replica_lag: Option<Duration>,
}

/// A replica lag worth waiting for: more than nothing (`0s` would hold every batch
/// behind any standby that has not confirmed the last one yet).
fn parse_lag(text: &str) -> Result<Duration, String> {
    let lag = crate::tables::timearg::parse_duration(text)?;
    if lag.is_zero() {
        return Err("a lag must be longer than 0 (e.g. 10s)".into());
    }
    Ok(lag)
}

/// `--jobs` for the mutations that walk a whole table.
#[derive(Debug, Clone, clap::Args)]
pub struct JobsArgs {
    /// Connections working at once, each on its own pieces of the table (each batch still
    /// its own transaction); about as many as the server has cores to spare
    #[arg(short, long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,
}

impl MutationArgs {
    /// The options the engine runs with.
    pub fn options(&self) -> crate::batch::engine::BatchOptions {
        crate::batch::engine::BatchOptions {
            dry_run: self.dry_run,
            yes: self.yes,
            batch_size: self.batch_size,
            max_rate: self.max_rate,
            max_replica_lag: self.max_replica_lag,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum PartitionCommand {
    /// Each partition: its range, rows, size and, with --before, whether retention could
    /// drop it whole now and, if not, what it keeps
    #[command(
        after_help = "Examples:\n  outboxctl partition list\n  outboxctl partition list --before 7d --exact --format json"
    )]
    List(PartitionListArgs),

    /// Make the partitions ahead (today's and --premake more) and report rows in the
    /// default partition, which mean a missing partition; tables managed by pg_partman
    /// are left to it
    #[command(after_help = "Example (cron, daily):\n  outboxctl partition maintain --premake 7")]
    Maintain(PartitionMaintainArgs),

    /// Turn the plain outbox into the partitioned layout online: the table becomes the
    /// first partition with its rows where they are, new rows go to new partitions;
    /// writers and the relay wait only for one short catalog change
    #[command(
        after_help = "Examples:\n  outboxctl partition convert --partition-by day --dry-run\n  outboxctl partition convert --partition-by day\n  outboxctl partition convert --partition-by day --rollback   # undo an unfinished conversion"
    )]
    Convert(PartitionConvertArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (host:port)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9858")]
    pub listen: String,

    /// Figures younger than this are served from the cache
    #[arg(long, value_parser = parse_duration, default_value = "5s", value_name = "DURATION")]
    pub min_interval: Duration,

    /// Longest a scrape waits for a target (also its statement timeout unless
    /// --statement-timeout is given)
    #[arg(long, value_parser = parse_duration, default_value = "5s", value_name = "DURATION")]
    pub scrape_timeout: Duration,

    /// How often the doctor's checks run (0 turns them off)
    #[arg(long, value_parser = parse_duration, default_value = "5m", value_name = "DURATION")]
    pub doctor_interval: Duration,

    /// Rows in processing longer than this count as stuck
    #[arg(long, value_parser = parse_duration, default_value = "15m", value_name = "DURATION")]
    pub stuck_after: Duration,

    /// Serve each service of the libpq service file matching NAME too (repeatable)
    #[arg(long, value_name = "NAME")]
    pub service: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ReindexArgs {
    /// Rebuild this index of the outbox or dedup table (or of a partition), bloated or
    /// not (repeatable)
    #[arg(long, value_name = "NAME", conflicts_with = "all")]
    pub index: Vec<String>,

    /// Rebuild every valid index of both tables
    #[arg(long)]
    pub all: bool,

    /// Change the bloat check's threshold, as doctor takes it (bloat=RATIO,
    /// bloat.min-size=SIZE) (repeatable)
    #[arg(long, value_name = "ID=VALUE")]
    pub threshold: Vec<String>,

    /// Measure bloat with pgstattuple (reads every index) instead of estimating it
    #[arg(long)]
    pub exact: bool,

    /// Print the statements, run none
    #[arg(long)]
    pub dry_run: bool,

    /// Run without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct PartitionConvertArgs {
    /// The interval of the new partitions (day without a value, as for migrate)
    #[arg(
        long,
        value_enum,
        value_name = "INTERVAL",
        required_unless_present = "rollback",
        num_args = 0..=1,
        default_missing_value = "day"
    )]
    pub partition_by: Option<IntervalArg>,

    /// Partitions to make ahead of the first new one
    #[arg(long, value_name = "N", default_value_t = crate::tables::partitions::DEFAULT_PREMAKE,
          value_parser = clap::value_parser!(u32).range(0..=366))]
    pub premake: u32,

    /// Print every statement, run none
    #[arg(long)]
    pub dry_run: bool,

    /// Undo what an unfinished conversion did (the swap, once done, is not undone)
    #[arg(long, conflicts_with = "partition_by")]
    pub rollback: bool,
}

#[derive(Debug, Args)]
pub struct PartitionListArgs {
    /// Say which partitions `purge --before WHEN` would drop whole, and why the others stay
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub before: Option<TimeArg>,

    /// With --before: as `purge --include-failed` would
    #[arg(long, requires = "before")]
    pub include_failed: bool,

    /// Count every partition's rows instead of the planner's estimate
    #[arg(long)]
    pub exact: bool,

    #[command(flatten)]
    pub targets: TargetsArgs,
}

#[derive(Debug, Args)]
pub struct PartitionMaintainArgs {
    /// Partitions to have ahead of the current one
    #[arg(long, value_name = "N", default_value_t = crate::tables::partitions::DEFAULT_PREMAKE,
          value_parser = clap::value_parser!(u32).range(0..=366))]
    pub premake: u32,

    /// Print the statements that would run, run nothing
    #[arg(long)]
    pub dry_run: bool,

    #[command(flatten)]
    pub targets: TargetsArgs,
}

/// Running a change on several databases (shards): repeated -d, or --service patterns.
#[derive(Debug, Clone, Default, Args)]
pub struct TargetsArgs {
    /// Run on each service of the libpq service file matching NAME (`*` and `?` match
    /// like a shell glob), one after another, each its own run with its own summary
    /// (repeatable; with repeated -d, those too)
    #[arg(long, value_name = "NAME", help_heading = "Several databases")]
    pub service: Vec<String>,

    /// Stop at the first target that fails (by default every target runs, and the exit
    /// code is the worst)
    #[arg(long, help_heading = "Several databases")]
    pub fail_fast: bool,
}

/// A status for `--status`: the library's four, or `all`. Its values are offered by the
/// shell completions; anything else is refused with the list.
#[derive(Clone, Copy, Debug)]
pub struct StatusParser;

impl clap::builder::TypedValueParser for StatusParser {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        let text = value.to_string_lossy();
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("all") || crate::tables::schema::STATUSES.contains(&trimmed)
        {
            return Ok(trimmed.to_string());
        }
        Err(clap::Error::raw(
            clap::error::ErrorKind::InvalidValue,
            format!(
                "unknown status {trimmed:?}: use {} or all\n",
                crate::tables::schema::STATUSES.join(", ")
            ),
        ))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            crate::tables::schema::STATUSES
                .iter()
                .chain(std::iter::once(&"all"))
                .map(|s| clap::builder::PossibleValue::new(*s)),
        ))
    }
}

/// `stats --by-topic --sort`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TopicOrder {
    Backlog,
    Age,
    Failed,
    Name,
}

/// The command line, each subcommand's `--help` (and man page) naming its guide under
/// `docs/`.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command().mut_subcommands(|sub| {
        let guide = match sub.get_name() {
            "help" => return sub,
            "partition" => "docs/guide/partitioned-outbox.md".to_string(),
            name => format!("docs/commands/{name}.md"),
        };
        with_guide(sub, &guide)
    })
}

/// `command` and its own subcommands (`dedup list`, `partition convert`) naming `guide`
/// after their examples.
fn with_guide(command: clap::Command, guide: &str) -> clap::Command {
    let text = match command.get_after_help() {
        Some(examples) => format!("{examples}\n\nGuide: {guide} in outboxctl's source"),
        None => format!("Guide: {guide} in outboxctl's source"),
    };
    command
        .after_long_help(text)
        .mut_subcommands(|sub| match sub.get_name() {
            "help" => sub,
            _ => with_guide(sub, guide),
        })
}
