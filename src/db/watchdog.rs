//! The watchdog of one connection: it closes the connection's sockets when a round trip
//! outlives its deadline — a frozen backend answers neither the query nor a cancel — so
//! the blocked call fails like a cut connection and the caller reports it with everything
//! it knows about what committed. It also looks, on a second connection, at who blocks a
//! statement that waits too long for a lock (see `lockwait`).

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::db::session::Settings;

/// How long past `--statement-timeout` a silent server is waited for before the
/// connection is closed: the server's own cancel normally arrives well within it.
pub const SILENCE_GRACE: Duration = Duration::from_secs(3);

/// Closes the connection's sockets when a round trip outlives its deadline: the blocked
/// call then fails like a cut connection, and the caller reports it with everything it
/// knows about what committed.
pub struct Watchdog {
    pub state: Arc<WatchState>,
}

pub struct WatchState {
    pub deadline: Mutex<Option<Instant>>,
    pub fired: AtomicBool,
    pub sockets: Vec<RawFd>,
    /// When the round trip in flight began, and whether its lock wait was looked at.
    pub armed_at: Mutex<Option<Instant>>,
    pub looked: AtomicBool,
    /// For looking at lock waits: the backend's pid, a way to a second connection, and
    /// whether to say what was found on stderr.
    pub backend_pid: AtomicI32,
    pub reconnect: Option<crate::db::lockwait::Reconnect>,
    pub look_after: Duration,
    pub announce: AtomicBool,
    /// A `--lock-timeout` error will want to name the blocker.
    pub names_blockers: bool,
    /// Whether firing means the server went silent under `--statement-timeout` (and the
    /// error says so), rather than a probe with its own deadline.
    pub silences: AtomicBool,
}

impl Watchdog {
    pub fn start(
        sockets: Vec<RawFd>,
        reconnect: Option<crate::db::lockwait::Reconnect>,
        look_after: Duration,
        names_blockers: bool,
    ) -> Self {
        let state = Arc::new(WatchState {
            deadline: Mutex::new(None),
            fired: AtomicBool::new(false),
            sockets,
            armed_at: Mutex::new(None),
            looked: AtomicBool::new(false),
            backend_pid: AtomicI32::new(0),
            reconnect,
            look_after,
            announce: AtomicBool::new(false),
            names_blockers,
            silences: AtomicBool::new(true),
        });
        let watched = Arc::downgrade(&state);
        std::thread::spawn(move || {
            while let Some(state) = watched.upgrade() {
                let due = state
                    .deadline
                    .lock()
                    .map(|d| d.is_some_and(|d| Instant::now() >= d))
                    .unwrap_or(false);
                if due && !state.fired.swap(true, Ordering::SeqCst) {
                    if state.silences.load(Ordering::SeqCst) {
                        SILENCED.store(true, Ordering::SeqCst);
                    }
                    for fd in &state.sockets {
                        // SAFETY: shutdown on a descriptor this process owns; at worst
                        // the descriptor is already closed and the call fails.
                        unsafe {
                            libc::shutdown(*fd, libc::SHUT_RDWR);
                        }
                    }
                }
                let waiting = state
                    .armed_at
                    .lock()
                    .map(|a| a.is_some_and(|a| a.elapsed() >= state.look_after))
                    .unwrap_or(false);
                let pid = state.backend_pid.load(Ordering::SeqCst);
                let useful = state.announce.load(Ordering::SeqCst) || state.names_blockers;
                if waiting
                    && useful
                    && pid != 0
                    && let Some(reconnect) = &state.reconnect
                    && !state.looked.swap(true, Ordering::SeqCst)
                {
                    crate::db::lockwait::describe(
                        reconnect.clone(),
                        pid,
                        state.announce.load(Ordering::SeqCst),
                    );
                }
                drop(state);
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        Self { state }
    }

    /// Ends the connection now, for a result nobody will read to the end. The close that
    /// follows resets the connection rather than ending it politely: a server blocked
    /// sending rows to a reader that stopped would otherwise wait for the kernel to give
    /// up on the half-closed socket (a minute), its query running all along.
    pub fn cut(&self) {
        let reset = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        for fd in &self.state.sockets {
            // SAFETY: socket options and shutdown on a descriptor this process owns.
            unsafe {
                libc::setsockopt(
                    *fd,
                    libc::SOL_SOCKET,
                    libc::SO_LINGER,
                    (&reset as *const libc::linger).cast(),
                    std::mem::size_of::<libc::linger>() as libc::socklen_t,
                );
                libc::shutdown(*fd, libc::SHUT_RDWR);
            }
        }
    }

    pub fn deadline(&self, settings: Settings) -> Option<Instant> {
        settings
            .statement_timeout
            .map(|t| Instant::now() + t + SILENCE_GRACE)
    }

    /// Runs one or more round trips with the deadline armed.
    pub fn guard<T>(
        &self,
        deadline: Option<Instant>,
        call: impl FnOnce() -> Result<T, postgres::Error>,
    ) -> Result<T, postgres::Error> {
        if let Ok(mut slot) = self.state.deadline.lock() {
            *slot = deadline;
        }
        if let Ok(mut armed) = self.state.armed_at.lock() {
            *armed = Some(Instant::now());
        }
        self.state.looked.store(false, Ordering::SeqCst);
        let result = call();
        if let Ok(mut armed) = self.state.armed_at.lock() {
            *armed = None;
        }
        if let Ok(mut slot) = self.state.deadline.lock() {
            *slot = None;
        }
        result
    }

    pub fn fired(&self) -> bool {
        self.state.fired.load(Ordering::SeqCst)
    }
}

static SILENCED: AtomicBool = AtomicBool::new(false);

/// Whether any session's watchdog closed its connection in this process: the error that
/// follows is a silent server, whatever the driver called it.
pub fn silenced_anywhere() -> bool {
    SILENCED.load(Ordering::SeqCst)
}

/// The socket descriptors this process has open, to tell which ones a connect created.
pub fn open_sockets() -> Vec<RawFd> {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            std::fs::read_link(e.path())
                .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"))
        })
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect()
}
