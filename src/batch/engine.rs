//! What every mutation shares (ARCHITECTURE.md §5): confirmation on a terminal, batches that are
//! each their own short transaction, a progress bar, signals after the batch in flight,
//! and the summary scripts read.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value};
use tokio_postgres::error::SqlState;

use crate::batch::pace::Pacer;
use crate::batch::{lock, signals};
use crate::db::errors::explain_table_error;
use crate::db::session::{Access, Rel, Session, Tx};
use crate::db::sql::Params;
use crate::error::{Failure, exit, interrupted};
use crate::render::output::{Output, count_of, json_object, stderr_line};

/// How a mutation runs, whatever asked for it (see `cli::MutationArgs`).
#[derive(Debug, Clone, Copy, Default)]
pub struct BatchOptions {
    /// Say what would change, change nothing.
    pub dry_run: bool,
    /// Do not ask for confirmation on a terminal.
    pub yes: bool,
    /// Rows per batch; each batch is its own transaction.
    pub batch_size: u32,
    /// Change at most this many rows a second (all jobs together).
    pub max_rate: Option<u32>,
    /// Before each batch, wait while any streaming standby replays further behind.
    pub max_replica_lag: Option<Duration>,
}

/// What one batch did.
#[derive(Debug, Clone, Copy, Default)]
pub struct BatchOutcome {
    /// Rows the batch selected as matching.
    pub matched: u64,
    /// Rows it changed: fewer than matched when another session moved a row first.
    pub changed: u64,
    /// Nothing is left to select.
    pub done: bool,
}

/// One strategy for walking a table in batches. Each call does work proportional to
/// its own batch, so a whole run costs about one pass over the table, and changes rows
/// with a single statement: that statement is the batch's transaction.
pub trait Batcher {
    fn run_batch(
        &mut self,
        tx: &mut Tx<'_>,
        limit: u32,
    ) -> Result<BatchOutcome, tokio_postgres::Error>;
}

/// Batches over a list the user gave (ids, message ids): each batch runs `statement`
/// with the next chunk as `$1` (an array) and the fixed values after it, and collects the
/// first column of what it returns: the items it changed. Each item is in one batch
/// only, so a run changes it at most once.
pub struct ListBatcher<T> {
    statement: String,
    items: Vec<T>,
    fixed: Params,
    next: usize,
    pub changed: Vec<T>,
}

impl<T> ListBatcher<T> {
    /// How many items the batches have got through.
    pub fn reached(&self) -> usize {
        self.next
    }

    /// `fixed` holds a placeholder value as `$1`, replaced by each chunk, and binds `$2…`.
    pub fn new(statement: String, items: Vec<T>, fixed: Params) -> Self {
        Self {
            statement,
            items,
            fixed,
            next: 0,
            changed: Vec::new(),
        }
    }
}

impl<T> Batcher for ListBatcher<T>
where
    T: Clone + for<'a> tokio_postgres::types::FromSql<'a>,
    Vec<T>: crate::db::sql::Bind,
{
    fn run_batch(
        &mut self,
        tx: &mut Tx<'_>,
        limit: u32,
    ) -> Result<BatchOutcome, tokio_postgres::Error> {
        let end = (self.next + limit as usize).min(self.items.len());
        let chunk = self.items[self.next..end].to_vec();
        let matched = chunk.len() as u64;
        self.fixed.set("$1", chunk);
        let rows = tx.query(&self.statement, &self.fixed)?;
        for row in &rows {
            self.changed.push(row.try_get(0)?);
        }
        self.next = end;
        Ok(BatchOutcome {
            matched,
            changed: rows.len() as u64,
            done: self.next >= self.items.len(),
        })
    }
}

/// The running tally of a mutation, printed at the end however it ends.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub matched: u64,
    pub changed: u64,
    pub skipped: u64,
    pub batches: u64,
    pub dry_run: bool,
    pub interrupted: bool,
    pub longest_batch: Duration,
    /// Connections the batches ran over (`--jobs`).
    pub connections: usize,
    /// What some commands add to the machine summary.
    pub details: SummaryDetails,
}

/// The summary scripts read after a mutation (`--format json`, `ndjson`, `csv`): what
/// matched, what changed, and exactly how far the run got.
#[derive(Debug, Clone, Default, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SummaryRecord {
    /// Rows (or named items) that met the selection.
    pub matched: u64,
    /// Rows changed and committed.
    pub changed: u64,
    /// Matched rows left alone: another session moved them first, or they were not in
    /// the state the command changes.
    pub skipped: u64,
    /// Batches that committed, each its own transaction.
    pub batches: u64,
    pub dry_run: bool,
    /// A signal stopped the run after a batch: rerun to finish.
    pub interrupted: bool,
    pub longest_batch_ms: u64,
    #[serde(flatten)]
    pub details: SummaryDetails,
    /// The run failed: why, after what committed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// With `error`: rows of batches cut off during COMMIT, which may have committed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_doubt: Option<u64>,
}

/// The parts of a summary only some commands have.
#[derive(Debug, Clone, Default, serde::Serialize, schemars::JsonSchema)]
pub struct SummaryDetails {
    /// Gentle mode: time spent waiting for standbys to catch up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused_ms: Option<u64>,
    /// By id: what happened to each id named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<ItemResult>>,
    /// By id: named items that do not exist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_found: Option<u64>,
    /// Dry run: the first rows that would change (message rows without payloads, or
    /// dedup entries).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<SampleRow>>")]
    pub sample: Option<Vec<Value>>,
    /// `dedup mark`: whether the entry was inserted (false: it was there already).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inserted: Option<bool>,
    /// `dedup mark`: the entry as it stands.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub entry: Option<crate::tables::dedup::EntryRow>,
    /// `purge` on a partitioned outbox: the partitions dropped whole (in a dry run,
    /// those that would be).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partitions_dropped: Option<Vec<String>>,
    /// The rows those partitions held (counted in neither `matched` nor `changed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_in_dropped_partitions: Option<i64>,
    /// True when that count is partly the planner's: a partition over 10 MB proved
    /// removable through its retention index is not read, so its rows are not counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_in_dropped_partitions_estimated: Option<bool>,
    /// Partitions whose range lies before the cutoff but which hold rows the purge
    /// keeps, and why; their removable rows are purged row by row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partitions_kept: Option<Vec<KeptPartition>>,
}

/// A partition retention could not drop whole.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeptPartition {
    pub partition: String,
    /// `it holds 3 pending, 1 processed after the cutoff`, or the step that failed.
    pub reason: String,
}

impl SummaryDetails {
    /// What retention by DROP did, for the summary.
    pub fn with_retention(mut self, outcome: &crate::batch::retention::Outcome) -> Self {
        self.partitions_dropped = Some(outcome.dropped.iter().map(|d| d.name.clone()).collect());
        self.rows_in_dropped_partitions = Some(outcome.rows_dropped());
        self.rows_in_dropped_partitions_estimated = Some(outcome.rows_estimated());
        self.partitions_kept = Some(
            outcome
                .kept
                .iter()
                .map(|(partition, reason)| KeptPartition {
                    partition: partition.clone(),
                    reason: reason.clone(),
                })
                .collect(),
        );
        self
    }
}

/// What happened to one item named by id.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemResult {
    /// The message id (requeue, delete).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The dedup entry's message id (dedup unmark).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_id: Option<String>,
    /// `requeued`, `deleted`, `not found`, or why it was skipped.
    pub result: String,
}

/// One row of a dry run's sample: its schema only.
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum SampleRow {
    Message(crate::tables::outbox::MessageRow),
    Entry(crate::tables::dedup::EntryRow),
}

impl Summary {
    /// `in 3 batches (longest 12 ms)`, for the human summary line.
    pub fn batches_text(&self) -> String {
        let over = if self.connections > 1 {
            format!(" over {} connections", self.connections)
        } else {
            String::new()
        };
        format!(
            "in {}{over} (longest {} ms)",
            count_of(self.batches, "batch", "batches"),
            self.longest_batch.as_millis()
        )
    }

    pub fn record(&self) -> SummaryRecord {
        SummaryRecord {
            matched: self.matched,
            changed: self.changed,
            skipped: self.skipped,
            batches: self.batches,
            dry_run: self.dry_run,
            interrupted: self.interrupted,
            longest_batch_ms: self.longest_batch.as_millis() as u64,
            details: self.details.clone(),
            error: None,
            in_doubt: None,
        }
    }

    /// The record as a JSON object, for the writers of every machine format.
    pub fn to_json(&self) -> Map<String, Value> {
        json_object(&self.record())
    }
}

/// Whether a prompt can be shown: both stdin and stderr are terminals.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks `question [y/N]` on a terminal. Without a terminal, or with `--yes`, the answer
/// is yes: scripts run as told.
pub fn confirm(question: &str, args: &BatchOptions) -> anyhow::Result<bool> {
    if args.yes || args.dry_run || !interactive() {
        return Ok(true);
    }
    ask(question)
}

/// Asks `question [y/N]` on the terminal and reads the answer; a signal at the prompt
/// ends the run saying nothing was changed.
pub fn ask(question: &str) -> anyhow::Result<bool> {
    signals::install();
    signals::at_prompt(true);
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    drop(err);
    let mut answer = String::new();
    let read = std::io::stdin().lock().read_line(&mut answer);
    signals::at_prompt(false);
    read?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// Before a change selected by filter: on a terminal, counts what it would touch (the
/// count also sizes the progress bar) and asks `question(count)`; "no" ends the run with
/// `aborted`. Without a terminal, or with `--quiet`, nothing is counted and scripts run
/// as told.
pub fn count_and_confirm(
    args: &BatchOptions,
    out: &Output,
    count: impl FnOnce() -> anyhow::Result<u64>,
    question: impl FnOnce(u64) -> String,
    aborted: &str,
) -> anyhow::Result<Option<u64>> {
    // --quiet hides progress and summaries, never the question.
    if args.yes || args.dry_run || !interactive() {
        return Ok(None);
    }
    let _ = out;
    let total = count()?;
    if !confirm(&question(total), args)? {
        anyhow::bail!("aborted: {aborted}");
    }
    Ok(Some(total))
}

/// Which step of a batch failed: only a failure while COMMIT was on its way leaves the
/// batch's outcome unknown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Begin,
    Statement,
    Commit,
}

/// One connection's share of a run: its session and the batches it walks.
pub type Job<'a> = (&'a mut Session, &'a mut (dyn Batcher + Send));

/// Runs `batcher` to the end, one transaction per batch, stopping early on a signal.
/// `total` (when counted up front) sizes the progress bar. Every batch commits
/// synchronously, so what the summary counts as changed is durable when it is printed.
/// An error mid-way keeps what committed and says exactly how far the run got.
pub fn run_batches(
    session: &mut Session,
    batcher: &mut (dyn Batcher + Send),
    args: &BatchOptions,
    total: Option<u64>,
    out: &Output,
    rel: &Rel,
    what: &str,
) -> anyhow::Result<Summary> {
    run_jobs(vec![(session, batcher)], args, total, out, rel, what)
}

/// [`run_batches`] with several connections at once, each walking its own part of the
/// table: the tally, the progress bar, gentle mode and signals are shared, and the first
/// failure stops every job after its batch in flight.
pub fn run_jobs(
    mut jobs: Vec<Job<'_>>,
    args: &BatchOptions,
    total: Option<u64>,
    out: &Output,
    rel: &Rel,
    what: &str,
) -> anyhow::Result<Summary> {
    let pacer = Pacer::new(args.max_rate, args.max_replica_lag);
    pacer.check_access(jobs[0].0, out)?;
    signals::install();
    signals::run_started(Some((
        jobs.iter().map(|(session, _)| session.cutter()).collect(),
        u64::from(args.batch_size),
        out.format.is_machine(),
    )));
    let shared = Shared {
        bar: progress_bar(total, out, what),
        summary: Mutex::new(Summary::default()),
        failures: Mutex::new(Vec::new()),
        halt: AtomicBool::new(false),
        limit: pacer.batch_limit(args.batch_size, jobs.len()),
        pacer,
    };
    if jobs.len() == 1 {
        let (session, batcher) = &mut jobs[0];
        walk(0, session, *batcher, &shared, out, what);
    } else {
        std::thread::scope(|scope| {
            for (index, (session, batcher)) in jobs.iter_mut().enumerate() {
                let shared = &shared;
                scope.spawn(move || walk(index, session, *batcher, shared, out, what));
            }
        });
    }
    signals::run_started(None);
    shared.bar.finish_and_clear();
    let mut summary = shared.summary.into_inner().unwrap_or_default();
    summary.connections = jobs.len();
    if shared.pacer.active() {
        summary.details.paused_ms = Some(shared.pacer.paused().as_millis() as u64);
    }
    let mut failures = shared.failures.into_inner().unwrap_or_default();
    if failures.is_empty() {
        return Ok(summary);
    }
    let in_doubt = failures.iter().filter(|f| f.in_doubt).count() as u64;
    let first = failures.remove(0);
    let session = &*jobs[first.job].0;
    let failure = batch_failure(session, &summary, in_doubt, first.error, args, rel, what);
    if out.format.is_machine() {
        // Scripts get the same exact account as the error line.
        let record = SummaryRecord {
            error: Some(failure.to_string()),
            in_doubt: Some(in_doubt * u64::from(args.batch_size)),
            ..summary.record()
        };
        let _ = out.summary(&json_object(&record));
    }
    Err(failure)
}

/// What the jobs of one run share.
struct Shared {
    bar: ProgressBar,
    summary: Mutex<Summary>,
    failures: Mutex<Vec<JobFailure>>,
    /// Set by the first failure: the other jobs stop after their batch in flight.
    halt: AtomicBool,
    pacer: Pacer,
    /// Rows per batch, after gentle mode's say.
    limit: u32,
}

struct JobFailure {
    job: usize,
    error: tokio_postgres::Error,
    /// It failed while its COMMIT was on the way: the batch may have committed.
    in_doubt: bool,
}

/// One job's walk: batches until its batcher is done, a signal stops the run, or a job
/// fails.
fn walk(
    job: usize,
    session: &mut Session,
    batcher: &mut (dyn Batcher + Send),
    shared: &Shared,
    out: &Output,
    what: &str,
) {
    // A signal marks the run interrupted; another job's failure only stops this one.
    let stopping = || {
        if signals::stop_requested() {
            lock(&shared.summary).interrupted = true;
            return true;
        }
        shared.halt.load(Ordering::SeqCst)
    };
    loop {
        if stopping() {
            return;
        }
        if let Err(error) = shared.pacer.before_batch(session, &shared.bar, out, what) {
            fail(shared, job, Step::Statement, error);
            return;
        }
        if stopping() {
            return;
        }
        let started = Instant::now();
        // `None`: a second signal abandoned the batch before its COMMIT was sent, and
        // dropping the transaction rolled it back.
        let result = (|| -> Result<Option<BatchOutcome>, (Step, tokio_postgres::Error)> {
            let mut tx = session
                .begin(Access::ReadWrite)
                .map_err(|e| (Step::Begin, e))?;
            let outcome = batcher
                .run_batch(&mut tx, shared.limit)
                .map_err(|e| (Step::Statement, e))?;
            if !signals::begin_commit(job) {
                return Ok(None);
            }
            let committed = tx.commit().map_err(|e| (Step::Commit, e));
            signals::end_commit(job);
            committed?;
            Ok(Some(outcome))
        })();
        let outcome = match result {
            Ok(Some(outcome)) => outcome,
            Ok(None) => {
                lock(&shared.summary).interrupted = true;
                return;
            }
            Err((step, err)) => {
                let cancelled = err.code() == Some(&SqlState::QUERY_CANCELED);
                if step != Step::Commit
                    && (signals::abandoned() || (cancelled && signals::stop_requested()))
                {
                    // Abandoned (or cancelled) by a signal before its COMMIT was sent:
                    // the server rolls the batch back.
                    lock(&shared.summary).interrupted = true;
                    return;
                }
                fail(shared, job, step, err);
                return;
            }
        };
        shared.pacer.record(outcome.changed);
        let mut summary = lock(&shared.summary);
        summary.longest_batch = summary.longest_batch.max(started.elapsed());
        if outcome.matched > 0 || outcome.changed > 0 {
            summary.batches += 1;
        }
        summary.matched += outcome.matched;
        summary.changed += outcome.changed;
        summary.skipped += outcome.matched.saturating_sub(outcome.changed);
        signals::progress(&summary);
        shared.bar.set_position(summary.changed);
        drop(summary);
        if outcome.done {
            return;
        }
    }
}

/// Records a job's failure and stops the others after their batch in flight. Only a
/// session that ended while COMMIT was on its way leaves the batch in doubt; a statement
/// the server rejected, or one cut off before its COMMIT was sent, was rolled back.
fn fail(shared: &Shared, job: usize, step: Step, error: tokio_postgres::Error) {
    shared.halt.store(true, Ordering::SeqCst);
    let in_doubt = step == Step::Commit
        && error
            .as_db_error()
            .is_none_or(|db| matches!(db.severity(), "FATAL" | "PANIC"));
    lock(&shared.failures).push(JobFailure {
        job,
        error,
        in_doubt,
    });
}

/// The error for a batch that failed: the cause, then exactly what committed before it
/// and how many batches in flight may have committed too (`in_doubt`).
fn batch_failure(
    session: &Session,
    summary: &Summary,
    in_doubt: u64,
    err: tokio_postgres::Error,
    args: &BatchOptions,
    rel: &Rel,
    what: &str,
) -> anyhow::Error {
    let client_side = err.as_db_error().is_none() && !err.is_closed() && !is_io(&err);
    let code = err.code().cloned();
    let cause = if let Some(cut) = session.cut() {
        cut.to_string()
    } else {
        explain_table_error(err, rel).to_string()
    };
    let committed = format!(
        "{} committed before it ({} {what})",
        count_of(summary.batches, "batch", "batches"),
        summary.changed
    );
    let fate = if in_doubt == 1 {
        format!(
            "the batch in flight (up to {} rows) was cut off during COMMIT and may have been applied too",
            args.batch_size
        )
    } else if in_doubt > 1 {
        format!(
            "{in_doubt} batches in flight (up to {} rows) were cut off during COMMIT and may have been applied too",
            in_doubt * u64::from(args.batch_size)
        )
    } else if client_side {
        "the batch in flight failed before it reached the server".to_string()
    } else {
        "the batch in flight was rolled back".to_string()
    };
    // A rerun finishes what a lost connection, a timeout or a lock interrupted; a
    // read-only target, a missing privilege or a table that does not fit the contract
    // needs fixing first.
    let persistent = code.as_ref().is_some_and(|c| {
        let class = &c.code()[..2];
        class == "42" || class == "25" || class == "22" || class == "23"
    });
    let next = if persistent {
        "fix that, then rerun"
    } else {
        "rerun to continue"
    };
    Failure {
        code: exit::RUNTIME,
        message: format!("{cause} — {committed}; {fate}; {next}"),
    }
    .into()
}

fn is_io(err: &tokio_postgres::Error) -> bool {
    std::error::Error::source(err).is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some())
}

/// Rows per second, whole: `12,345/s`, not `12,345.0241/s`.
fn rate(state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write) {
    let per_second = state.per_sec().round() as u64;
    let _ = write!(out, "{}/s", indicatif::HumanCount(per_second));
}

fn progress_bar(total: Option<u64>, out: &Output, what: &str) -> ProgressBar {
    if out.quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template(
                "{spinner} {msg} {wide_bar} {human_pos}/{human_len} ({rate}, eta {eta})",
            )
            .expect("valid template")
            .with_key("rate", rate),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {msg} {human_pos} ({rate})")
                .expect("valid template")
                .with_key("rate", rate),
        ),
    };
    if !out.color {
        bar.set_style(bar.style().progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Prints the summary: one object on stdout in machine formats, one line on stderr for
/// people. Ends in exit 130 when the run was interrupted. When stdout cannot be written
/// after rows changed, stderr says what changed and the exit code is 4
/// ([`exit::OUTPUT_LOST`]): the change stands, only its report was lost.
pub fn report(summary: &Summary, out: &Output, human: &str) -> anyhow::Result<()> {
    if out.format.is_machine() {
        let mut record = summary.to_json();
        if out.format == crate::render::output::Format::Csv {
            // One csv row of scalars: the per-id results and the sample are for json.
            record.retain(|_, v| !(v.is_array() || v.is_object()));
        }
        if let Err(err) = out.summary(&record) {
            if summary.changed == 0 || summary.dry_run {
                return Err(err.into());
            }
            stderr_line(&format!("outboxctl: {human}"));
            return Err(Failure {
                code: exit::OUTPUT_LOST,
                message: format!(
                    "the change above committed, but writing its summary to standard output failed: {err}"
                ),
            }
            .into());
        }
    } else {
        out.note(human);
    }
    if summary.interrupted {
        return Err(interrupted(format!(
            "interrupted by {} after {}: {} committed, the rest untouched — rerun to continue",
            signals::stop_signal_name(),
            count_of(summary.batches, "batch", "batches"),
            summary.changed
        )));
    }
    Ok(())
}

/// The instant a run began, as the server's transaction ids see it. A row version
/// written after it — by a relay, by another operator, or by this run's own earlier
/// batches — is left alone, so one run changes each row at most once and never touches a
/// row that qualifies only because of something that happened after it began.
#[derive(Clone, Debug)]
pub struct RunStart {
    /// `xmax` of the snapshot taken at the start: the first transaction id not yet
    /// assigned (64 bits, epoch included).
    xmax: i64,
    /// Transactions in progress at the start: 64-bit ids from the snapshot, 32-bit ones
    /// (subtransactions included) from the lock table; compared modulo 2^32.
    in_progress: Vec<i64>,
}

impl RunStart {
    pub fn take(tx: &mut Tx<'_>) -> Result<Self, tokio_postgres::Error> {
        // In progress: the snapshot's top-level transactions, and — since a snapshot
        // does not list subtransactions — every transaction id some session holds the
        // lock of: subtransactions keep theirs until the top-level transaction ends.
        let row = tx.query_one(
            "SELECT pg_catalog.pg_snapshot_xmax(s)::pg_catalog.text::bigint,
                    ARRAY(SELECT x::pg_catalog.text::bigint FROM pg_catalog.pg_snapshot_xip(s) AS x
                          UNION
                          SELECT l.transactionid::pg_catalog.text::bigint FROM pg_catalog.pg_locks l
                           WHERE l.locktype OPERATOR(pg_catalog.=) 'transactionid' AND l.granted
                             AND l.mode OPERATOR(pg_catalog.=) 'ExclusiveLock')
               FROM pg_catalog.pg_current_snapshot() AS s",
            &Params::default(),
        )?;
        Ok(Self {
            xmax: row.try_get(0)?,
            in_progress: row.try_get(1)?,
        })
    }

    /// A condition true for row versions that existed when the run began. `xmin` holds
    /// only the low 32 bits of the id that wrote the row; `age(xmin)` counts back from
    /// the current transaction id in the same modular arithmetic, so a row version
    /// written since the start has an age no greater than the start's own — a window as
    /// wide as the transactions since the start — or was written by a transaction in
    /// progress at the start. (A row frozen more than four billion transactions ago
    /// whose raw xmin falls in that window by chance is skipped for this run; the next
    /// run takes it.) Both sides are computed once per statement.
    pub fn existed_condition(&self, params: &mut Params) -> String {
        let start = params.push(self.xmax.rem_euclid(1 << 32).to_string());
        let running = params.push(
            self.in_progress
                .iter()
                .map(|x| x.rem_euclid(1 << 32).to_string())
                .collect::<Vec<String>>(),
        );
        format!(
            "NOT ((pg_catalog.age(xmin) OPERATOR(pg_catalog.>=) 0 AND pg_catalog.age(xmin) OPERATOR(pg_catalog.<=) (SELECT pg_catalog.age({start}::pg_catalog.xid)))
                  OR xmin OPERATOR(pg_catalog.=) ANY({running}::pg_catalog.xid[]))"
        )
    }
}
