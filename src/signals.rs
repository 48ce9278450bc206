//! Ctrl-C, SIGTERM and SIGHUP while a mutation runs (design.md §3): the first stops the
//! run after the batch in flight; the second sends the server a cancel request for that
//! batch and waits (bounded) for its rollback, so the summary can say exactly what
//! committed; a third, or a server that never answers the cancel, ends the process.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, Ordering};
use std::sync::{Mutex, Once};
use std::time::Duration;

use postgres::CancelToken;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::exit;
use crate::output::stderr_line;

static SIGNALS: AtomicU32 = AtomicU32::new(0);
static LAST_SIGNAL: AtomicI32 = AtomicI32::new(0);
static AT_PROMPT: AtomicBool = AtomicBool::new(false);
static CANCEL: Mutex<Option<(CancelToken, MakeRustlsConnect)>> = Mutex::new(None);

/// How long a cancelled batch's rollback is waited for before the process gives up.
const CANCEL_WAIT: Duration = Duration::from_secs(10);

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
    let cancel = CANCEL.lock().ok().and_then(|slot| slot.clone());
    match (count, cancel) {
        (1, _) => stderr_line(&format!(
            "\noutboxctl: {name} received: stopping after the batch in flight ({} again cancels it)",
            again(signal)
        )),
        (2, Some((token, tls))) => {
            stderr_line(&format!(
                "outboxctl: {name} again: cancelling the batch in flight and waiting for its rollback"
            ));
            std::thread::spawn(move || {
                let _ = token.cancel_query(tls);
            });
            std::thread::spawn(|| {
                std::thread::sleep(CANCEL_WAIT);
                stderr_line(
                    "outboxctl: the server did not answer the cancel request in 10s; exiting — the batch in flight may still commit",
                );
                std::process::exit(i32::from(exit::INTERRUPTED));
            });
        }
        _ => {
            stderr_line(&format!(
                "outboxctl: {name} again: exiting now — the batch in flight may still commit"
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

/// Whether the batch in flight was asked to be cancelled (a second signal).
pub fn cancel_requested() -> bool {
    SIGNALS.load(Ordering::SeqCst) > 1
}

/// The name of the signal that stopped the run, for the summary.
pub fn stop_signal_name() -> &'static str {
    name(LAST_SIGNAL.load(Ordering::SeqCst))
}

/// While a prompt waits for an answer, a signal ends the process at once.
pub fn at_prompt(waiting: bool) {
    AT_PROMPT.store(waiting, Ordering::SeqCst);
}

/// The connection whose statement a second signal cancels; `None` once the batches end.
pub fn set_cancel(handle: Option<(CancelToken, MakeRustlsConnect)>) {
    if let Ok(mut slot) = CANCEL.lock() {
        *slot = handle;
    }
}
