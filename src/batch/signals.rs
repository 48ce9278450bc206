//! Ctrl-C, SIGTERM and SIGHUP while a mutation runs (ARCHITECTURE.md §5): the first stops the
//! run after the batch in flight; the second abandons the batch in flight — outboxctl
//! closes its connection before that batch's COMMIT is sent, so the server rolls it back
//! (a cancel request would not do: PgBouncer 1.18 loses or crashes on one) — unless the
//! COMMIT is already on its way, which is then waited for; a third ends the process at
//! once, with the account of what committed. Every way out says exactly how far the run
//! got.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, Once};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use crate::batch::engine::{Summary, SummaryRecord};
use crate::db::socket::{Cut, Cutter};
use crate::error::exit;
use crate::render::output::{count_of, stderr_line};

static SIGNALS: AtomicU32 = AtomicU32::new(0);
static LAST_SIGNAL: AtomicI32 = AtomicI32::new(0);
static AT_PROMPT: AtomicBool = AtomicBool::new(false);
/// The connections of the run in flight (one per job), each with whether its COMMIT is on
/// its way.
static JOBS: Mutex<Vec<JobSlot>> = Mutex::new(Vec::new());
static ABANDONED: AtomicBool = AtomicBool::new(false);
static BATCHES: AtomicU64 = AtomicU64::new(0);
static CHANGED: AtomicU64 = AtomicU64::new(0);
static MATCHED: AtomicU64 = AtomicU64::new(0);
static SKIPPED: AtomicU64 = AtomicU64::new(0);
static BATCH_SIZE: AtomicU64 = AtomicU64::new(0);
static LONGEST_BATCH_MS: AtomicU64 = AtomicU64::new(0);
static JSON_ACCOUNT: AtomicBool = AtomicBool::new(false);

struct JobSlot {
    connection: Cutter,
    committing: bool,
}

/// Starts listening for the signals, once per process.
/// Set by commands that only read until told to stop (`list --follow`, `serve`): a
/// signal stops them, a second one ends the process at once — exit 0 either way, since
/// stopping is how they end.
static READING: AtomicBool = AtomicBool::new(false);

/// [`install`] for a command that reads until a signal ends it.
pub fn install_for_reading() {
    READING.store(true, Ordering::SeqCst);
    install();
}

pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            for signal in signals.forever() {
                on_signal(signal);
            }
        });
    });
}

fn on_signal(signal: i32) {
    let count = SIGNALS.fetch_add(1, Ordering::SeqCst) + 1;
    LAST_SIGNAL.store(signal, Ordering::SeqCst);
    let name = name(signal);
    if AT_PROMPT.load(Ordering::SeqCst) {
        stderr_line(&format!(
            "\noutboxctl: interrupted by {name}; nothing was changed"
        ));
        std::process::exit(i32::from(exit::INTERRUPTED));
    }
    if READING.load(Ordering::SeqCst) {
        if count == 1 {
            stderr_line(&format!(
                "\noutboxctl: {name} received: stopping ({} again ends at once)",
                again(signal)
            ));
        } else {
            std::process::exit(0);
        }
        return;
    }
    let jobs = JOBS.lock();
    let running = jobs.as_ref().map(|j| j.len()).unwrap_or(0);
    let all_committing = jobs
        .as_ref()
        .map(|j| j.iter().all(|slot| slot.committing))
        .unwrap_or(false);
    drop(jobs);
    match count {
        1 => stderr_line(&format!(
            "\noutboxctl: {name} received: stopping after the batch in flight ({} again abandons it)",
            again(signal)
        )),
        2 if running > 0 && all_committing => stderr_line(&format!(
            "outboxctl: {name} again: the batch in flight is already committing; stopping right after it ({} again exits at once)",
            again(signal)
        )),
        2 if running > 0 => {
            stderr_line(&format!(
                "outboxctl: {name} again: abandoning the batch in flight — its COMMIT is never sent, so the server rolls it back"
            ));
            // Under the lock, so no job starts its COMMIT between the check and the cut.
            if let Ok(jobs) = JOBS.lock() {
                ABANDONED.store(true, Ordering::SeqCst);
                for slot in jobs.iter().filter(|slot| !slot.committing) {
                    slot.connection.cut(Cut::Abandoned);
                }
            }
        }
        _ => {
            let batches = BATCHES.load(Ordering::SeqCst);
            let changed = CHANGED.load(Ordering::SeqCst);
            let in_doubt = BATCH_SIZE.load(Ordering::SeqCst) * running as u64;
            if JSON_ACCOUNT.load(Ordering::SeqCst) {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stdout(),
                    "{}",
                    // The summary scripts read after any run, with what may still commit.
                    serde_json::to_value(SummaryRecord {
                        matched: MATCHED.load(Ordering::SeqCst),
                        changed,
                        skipped: SKIPPED.load(Ordering::SeqCst),
                        batches,
                        dry_run: false,
                        interrupted: true,
                        longest_batch_ms: LONGEST_BATCH_MS.load(Ordering::SeqCst),
                        details: Default::default(),
                        error: Some(format!("{name} ({count} signals): exited at once")),
                        in_doubt: Some(in_doubt),
                    })
                    .unwrap_or_default()
                );
            }
            stderr_line(&format!(
                "outboxctl: {name} ({count} signals): exiting now — {} committed ({changed} rows){}",
                count_of(batches, "batch", "batches"),
                if in_doubt > 0 {
                    format!(
                        "; {} in flight (up to {in_doubt} rows) may still commit",
                        if running > 1 {
                            "the batches"
                        } else {
                            "the batch"
                        }
                    )
                } else {
                    String::new()
                }
            ));
            std::process::exit(i32::from(exit::INTERRUPTED));
        }
    }
}

fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "Ctrl-C (SIGINT)",
        SIGTERM => "SIGTERM",
        SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

fn again(signal: i32) -> &'static str {
    match signal {
        SIGINT => "Ctrl-C",
        SIGTERM => "SIGTERM",
        SIGHUP => "SIGHUP",
        _ => "the signal",
    }
}

/// Whether a stop was asked for.
pub fn stop_requested() -> bool {
    SIGNALS.load(Ordering::SeqCst) > 0
}

/// The name of the signal that stopped the run, for the summary.
pub fn stop_signal_name() -> &'static str {
    name(LAST_SIGNAL.load(Ordering::SeqCst))
}

/// While a prompt waits for an answer, a signal ends the process at once.
pub fn at_prompt(waiting: bool) {
    AT_PROMPT.store(waiting, Ordering::SeqCst);
}

/// The run in flight: each job's connection (cut by a second signal), the batch size, and
/// whether a forced exit prints its account as JSON. `None` when it is over.
pub fn run_started(run: Option<(Vec<Cutter>, u64, bool)>) {
    if let Ok(mut slots) = JOBS.lock() {
        match run {
            Some((jobs, batch_size, json)) => {
                *slots = jobs
                    .into_iter()
                    .map(|connection| JobSlot {
                        connection,
                        committing: false,
                    })
                    .collect();
                BATCH_SIZE.store(batch_size, Ordering::SeqCst);
                JSON_ACCOUNT.store(json, Ordering::SeqCst);
            }
            None => slots.clear(),
        }
    }
}

/// Job `job` is about to send its COMMIT: from now a second signal waits for it. False
/// when a second signal has already abandoned the batch: the COMMIT must not be sent.
pub fn begin_commit(job: usize) -> bool {
    set_committing(job, true)
}

/// Job `job`'s COMMIT has returned.
pub fn end_commit(job: usize) {
    set_committing(job, false);
}

fn set_committing(job: usize, on: bool) -> bool {
    let Ok(mut slots) = JOBS.lock() else {
        return !abandoned();
    };
    if on && abandoned() {
        return false;
    }
    if let Some(slot) = slots.get_mut(job) {
        slot.committing = on;
    }
    true
}

/// What has committed so far, for a forced exit's account.
pub fn progress(summary: &Summary) {
    BATCHES.store(summary.batches, Ordering::SeqCst);
    MATCHED.store(summary.matched, Ordering::SeqCst);
    CHANGED.store(summary.changed, Ordering::SeqCst);
    SKIPPED.store(summary.skipped, Ordering::SeqCst);
    LONGEST_BATCH_MS.store(summary.longest_batch.as_millis() as u64, Ordering::SeqCst);
}

/// Whether a second signal abandoned the batch in flight.
pub fn abandoned() -> bool {
    ABANDONED.load(Ordering::SeqCst)
}

/// Sleeps until `deadline`, waking early when a signal asks the run to stop: whether
/// the whole sleep passed without one.
pub fn sleep_until(deadline: std::time::Instant) -> bool {
    loop {
        let now = std::time::Instant::now();
        if stop_requested() {
            return false;
        }
        if now >= deadline {
            return true;
        }
        std::thread::sleep((deadline - now).min(std::time::Duration::from_millis(100)));
    }
}
