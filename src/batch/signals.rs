//! Ctrl-C, SIGTERM and SIGHUP while a mutation runs (design.md §3): the first stops the
//! run after the batch in flight; the second abandons the batch in flight — outboxctl
//! closes its connection before that batch's COMMIT is sent, so the server rolls it back
//! (a cancel request would not do: PgBouncer 1.18 loses or crashes on one) — unless the
//! COMMIT is already on its way, which is then waited for; a third ends the process at
//! once, with the account of what committed. Every way out says exactly how far the run
//! got.

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, Once};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use crate::error::exit;
use crate::render::output::stderr_line;

static SIGNALS: AtomicU32 = AtomicU32::new(0);
static LAST_SIGNAL: AtomicI32 = AtomicI32::new(0);
static AT_PROMPT: AtomicBool = AtomicBool::new(false);
/// The connection of the run in flight, and where its batches are.
static SOCKETS: Mutex<Vec<RawFd>> = Mutex::new(Vec::new());
static COMMITTING: AtomicBool = AtomicBool::new(false);
static ABANDONED: AtomicBool = AtomicBool::new(false);
static BATCHES: AtomicU64 = AtomicU64::new(0);
static CHANGED: AtomicU64 = AtomicU64::new(0);
static MATCHED: AtomicU64 = AtomicU64::new(0);
static SKIPPED: AtomicU64 = AtomicU64::new(0);
static BATCH_SIZE: AtomicU64 = AtomicU64::new(0);
static JSON_ACCOUNT: AtomicBool = AtomicBool::new(false);

/// Starts listening for the signals, once per process.
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
    let running = SOCKETS.lock().map(|s| !s.is_empty()).unwrap_or(false);
    match count {
        1 => stderr_line(&format!(
            "\noutboxctl: {name} received: stopping after the batch in flight ({} again abandons it)",
            again(signal)
        )),
        2 if running && COMMITTING.load(Ordering::SeqCst) => stderr_line(&format!(
            "outboxctl: {name} again: the batch in flight is already committing; stopping right after it ({} again exits at once)",
            again(signal)
        )),
        2 if running => {
            stderr_line(&format!(
                "outboxctl: {name} again: abandoning the batch in flight — its COMMIT is never sent, so the server rolls it back"
            ));
            ABANDONED.store(true, Ordering::SeqCst);
            if let Ok(sockets) = SOCKETS.lock() {
                for fd in sockets.iter() {
                    // SAFETY: shutdown on descriptors of this process's own connection;
                    // the blocked call then fails like a cut connection.
                    unsafe {
                        libc::shutdown(*fd, libc::SHUT_RDWR);
                    }
                }
            }
        }
        _ => {
            let batches = BATCHES.load(Ordering::SeqCst);
            let changed = CHANGED.load(Ordering::SeqCst);
            let in_doubt = if running {
                BATCH_SIZE.load(Ordering::SeqCst)
            } else {
                0
            };
            if JSON_ACCOUNT.load(Ordering::SeqCst) {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stdout(),
                    "{}",
                    // The summary's shape (design.md §3), plus what may still commit.
                    serde_json::json!({
                        "matched": MATCHED.load(Ordering::SeqCst),
                        "changed": changed,
                        "skipped": SKIPPED.load(Ordering::SeqCst),
                        "batches": batches,
                        "dry_run": false,
                        "interrupted": true,
                        "in_doubt": in_doubt,
                    })
                );
            }
            stderr_line(&format!(
                "outboxctl: {name} ({count} signals): exiting now — {batches} batch(es) committed ({changed} rows){}",
                if in_doubt > 0 {
                    format!("; the batch in flight (up to {in_doubt} rows) may still commit")
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

/// The run in flight: its connection's sockets (closed by a second signal), its batch
/// size, and whether a forced exit prints its account as JSON. `None` when it is over.
pub fn run_started(sockets: Option<(Vec<RawFd>, u64, bool)>) {
    if let Ok(mut slot) = SOCKETS.lock() {
        match sockets {
            Some((fds, batch_size, json)) => {
                *slot = fds;
                BATCH_SIZE.store(batch_size, Ordering::SeqCst);
                JSON_ACCOUNT.store(json, Ordering::SeqCst);
            }
            None => slot.clear(),
        }
    }
}

/// Whether a COMMIT is on its way: a second signal then waits for it.
pub fn committing(on: bool) {
    COMMITTING.store(on, Ordering::SeqCst);
}

/// What has committed so far, for a forced exit's account.
pub fn progress(batches: u64, matched: u64, changed: u64, skipped: u64) {
    BATCHES.store(batches, Ordering::SeqCst);
    MATCHED.store(matched, Ordering::SeqCst);
    CHANGED.store(changed, Ordering::SeqCst);
    SKIPPED.store(skipped, Ordering::SeqCst);
}

/// Whether a second signal abandoned the batch in flight.
pub fn abandoned() -> bool {
    ABANDONED.load(Ordering::SeqCst)
}
