//! What every mutation shares (design.md §3): confirmation on a terminal, batches that are
//! each their own short transaction, a progress bar, Ctrl-C after the batch in flight, and
//! the summary scripts read.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use postgres::Client;
use postgres::types::{FromSql, ToSql};
use serde_json::{Map, Value, json};

use chrono::{DateTime, Utc};

use crate::error::{describe_pg_error, explain_table_error, interrupted, usage};
use crate::outbox::rfc3339;
use crate::output::{Output, count_of, print_record};
use crate::sql::Params;
use crate::timearg::TimeArg;

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
        client: &mut Client,
        limit: u32,
    ) -> Result<BatchOutcome, postgres::Error>;
}

/// Batches over a list the user gave (ids, message ids): each batch runs `statement`
/// with the next chunk as `$1` (an array) and the fixed values after it, and collects the
/// first column of what it returns: the items it changed.
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

    /// `fixed` binds `$2…`; `$1` is left for the chunk.
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
    T: ToSql + for<'a> FromSql<'a> + Sync,
{
    fn run_batch(
        &mut self,
        client: &mut Client,
        limit: u32,
    ) -> Result<BatchOutcome, postgres::Error> {
        let end = (self.next + limit as usize).min(self.items.len());
        let chunk = &self.items[self.next..end];
        let mut values: Vec<&(dyn ToSql + Sync)> = vec![&chunk];
        values.extend(self.fixed.as_refs());
        let rows = client.query(&self.statement, &values)?;
        for row in &rows {
            self.changed.push(row.try_get(0)?);
        }
        self.next = end;
        Ok(BatchOutcome {
            matched: chunk.len() as u64,
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
    /// Extra fields for the machine summary (e.g. `ids`, `inserted`).
    pub extra: Map<String, Value>,
}

impl Summary {
    /// `in 3 batches (longest 12 ms)`, for the human summary line.
    pub fn batches_text(&self) -> String {
        format!(
            "in {} (longest {} ms)",
            count_of(self.batches, "batch", "batches"),
            self.longest_batch.as_millis()
        )
    }

    pub fn to_json(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("matched".into(), json!(self.matched));
        map.insert("changed".into(), json!(self.changed));
        map.insert("skipped".into(), json!(self.skipped));
        map.insert("batches".into(), json!(self.batches));
        map.insert("dry_run".into(), json!(self.dry_run));
        map.insert("interrupted".into(), json!(self.interrupted));
        map.insert(
            "longest_batch_ms".into(),
            json!(self.longest_batch.as_millis() as u64),
        );
        for (k, v) in &self.extra {
            map.insert(k.clone(), v.clone());
        }
        map
    }
}

static INTERRUPTS: AtomicU32 = AtomicU32::new(0);
static AT_PROMPT: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C handler once: the first Ctrl-C asks the batch loop to stop after
/// the batch in flight (or leaves a prompt at once); a second one exits immediately, and
/// the server rolls back the uncommitted batch.
pub fn install_interrupt_handler() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            let count = INTERRUPTS.fetch_add(1, Ordering::SeqCst) + 1;
            if count > 1 || AT_PROMPT.load(Ordering::SeqCst) {
                eprintln!("\noutboxctl: interrupted");
                std::process::exit(130);
            }
            eprintln!("\noutboxctl: stopping after the batch in flight (Ctrl-C again to abort it)");
        });
    });
}

pub fn interrupt_requested() -> bool {
    INTERRUPTS.load(Ordering::SeqCst) > 0
}

/// Whether a prompt can be shown: both stdin and stderr are terminals.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks `question [y/N]` on a terminal. Without a terminal, or with `--yes`, the answer
/// is yes: scripts run as told.
pub fn confirm(question: &str, args: &MutationArgs) -> anyhow::Result<bool> {
    if args.yes || args.dry_run || !interactive() {
        return Ok(true);
    }
    install_interrupt_handler();
    AT_PROMPT.store(true, Ordering::SeqCst);
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    AT_PROMPT.store(false, Ordering::SeqCst);
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
    args: &MutationArgs,
    out: &Output,
    count: impl FnOnce() -> anyhow::Result<u64>,
    question: impl FnOnce(u64) -> String,
    aborted: &str,
) -> anyhow::Result<Option<u64>> {
    if !interactive() || out.quiet {
        return Ok(None);
    }
    let total = count()?;
    if !confirm(&question(total), args)? {
        anyhow::bail!("aborted: {aborted}");
    }
    Ok(Some(total))
}

/// Runs `batcher` to the end, one transaction per batch, stopping early on Ctrl-C.
/// `total` (when counted up front) sizes the progress bar. An error mid-way keeps what
/// committed and says how far the run got; `table` names the table in that message.
pub fn run_batches(
    client: &mut Client,
    batcher: &mut dyn Batcher,
    args: &MutationArgs,
    total: Option<u64>,
    out: &Output,
    table: &str,
    what: &str,
) -> anyhow::Result<Summary> {
    install_interrupt_handler();
    let bar = progress_bar(total, out, what);
    let mut summary = Summary::default();
    // Batches commit without waiting for their WAL to reach disk; one synchronous commit
    // at the end flushes them all. That saves a disk flush per batch. A server crash in
    // the middle can undo the last few batches, which a rerun redoes: every batch
    // re-checks its rows' state.
    let describe = |e: postgres::Error| anyhow::anyhow!("{}", describe_pg_error(&e));
    client
        .batch_execute("SET synchronous_commit = off")
        .map_err(describe)?;
    loop {
        if interrupt_requested() {
            summary.interrupted = true;
            break;
        }
        let started = Instant::now();
        // Each batch is one statement, so it is its own transaction with no BEGIN and
        // COMMIT round trips. A statement the server rejected with an ERROR was rolled
        // back. One that ended the session — the connection cut, or a FATAL such as
        // pg_terminate_backend's, which can arrive just after the commit — has an unknown
        // outcome, and the message says so.
        let outcome = match batcher.run_batch(client, args.batch_size) {
            Ok(outcome) => outcome,
            Err(err) => {
                bar.finish_and_clear();
                let session_ended = err
                    .as_db_error()
                    .is_none_or(|db| matches!(db.severity(), "FATAL" | "PANIC"));
                let doubt = if session_ended {
                    format!(
                        "; the batch in flight (up to {} {what}) was cut off and may have been applied too",
                        args.batch_size
                    )
                } else {
                    String::new()
                };
                return Err(anyhow::Error::msg(format!(
                    "{} — stopped after {} ({} {what}){doubt}; what committed stays, rerun to continue",
                    explain_table_error(err, table),
                    count_of(summary.batches, "committed batch", "committed batches"),
                    summary.changed,
                )));
            }
        };
        summary.longest_batch = summary.longest_batch.max(started.elapsed());
        if outcome.matched > 0 || outcome.changed > 0 {
            summary.batches += 1;
        }
        summary.matched += outcome.matched;
        summary.changed += outcome.changed;
        summary.skipped += outcome.matched.saturating_sub(outcome.changed);
        bar.set_position(summary.changed);
        if outcome.done {
            break;
        }
    }
    bar.finish_and_clear();
    flush_commits(client).map_err(|e| {
        anyhow::anyhow!(
            "{} — {} committed ({} {what}) but the final flush to disk failed; a server crash now could undo some of them, rerun to make sure",
            describe_pg_error(&e),
            count_of(summary.batches, "batch", "batches"),
            summary.changed,
        )
    })?;
    Ok(summary)
}

/// Makes every earlier asynchronous commit durable: a synchronous commit waits for the
/// WAL up to its own record, which comes after all of theirs. The transaction needs an
/// id (`txid_current()`), or its commit would write no WAL to wait for.
fn flush_commits(client: &mut Client) -> Result<(), postgres::Error> {
    client.batch_execute("SET synchronous_commit = on; BEGIN; SELECT txid_current(); COMMIT;")
}

fn progress_bar(total: Option<u64>, out: &Output, what: &str) -> ProgressBar {
    if out.quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template(
                "{spinner} {msg} {wide_bar} {pos}/{len} ({per_sec}, eta {eta})",
            )
            .expect("valid template"),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {msg} {pos} ({per_sec})")
                .expect("valid template"),
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
/// people. Ends in exit 130 when the run was interrupted.
pub fn report(summary: &Summary, out: &Output, human: &str) -> anyhow::Result<()> {
    if out.format.is_machine() {
        print_record(out.format, &summary.to_json())?;
    } else {
        out.note(human);
    }
    if summary.interrupted {
        return Err(interrupted(format!(
            "interrupted after {}: {} committed, the rest untouched — rerun to continue",
            count_of(summary.batches, "batch", "batches"),
            summary.changed
        )));
    }
    Ok(())
}

/// Fixes the cutoff once, on the server's clock, so every batch uses the same instant.
/// A cutoff in the future would delete messages processed a moment ago: refused.
pub fn resolve_past_cutoff(
    client: &mut postgres::Client,
    before: &TimeArg,
) -> anyhow::Result<DateTime<Utc>> {
    let mut params = Params::default();
    let expr = before.to_sql(&mut params);
    let row = client
        .query_one(&format!("SELECT {expr}, {expr} > now()"), &params.as_refs())
        .map_err(|e| anyhow::anyhow!("resolving --before failed: {}", describe_pg_error(&e)))?;
    let cutoff: DateTime<Utc> = row.get(0);
    if row.get::<_, bool>(1) {
        return Err(usage(format!(
            "--before {} is in the future: purge only deletes what is older than a past instant",
            rfc3339(&cutoff)
        )));
    }
    Ok(cutoff)
}
