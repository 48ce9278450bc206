//! Who is in the way when a statement waits for a lock (ARCHITECTURE.md §5). While a
//! statement has been waiting a while, a second short connection
//! asks the server which sessions block outboxctl's backend (`pg_blocking_pids`); on a
//! terminal that is said on stderr, and a `--lock-timeout` error names them.

use std::time::{Duration, Instant};

use tokio_postgres_rustls::MakeRustlsConnect;

use crate::db::socket::{Cut, Endpoint};
use crate::db::wire::{Announce, Blockers, Wire};

/// How to open the second connection: the first one's parameters.
#[derive(Clone)]
pub struct Reconnect {
    pub endpoint: Endpoint,
    pub config: tokio_postgres::Config,
    pub tls: MakeRustlsConnect,
}

/// Say on a terminal that a statement is waiting after this long.
pub const ANNOUNCE_AFTER: Duration = Duration::from_secs(2);

/// When to look: after `ANNOUNCE_AFTER`, or earlier when `--lock-timeout` would end the
/// wait before that, so the timeout's error can name the blocker.
pub fn look_after(lock_timeout: Option<Duration>) -> Duration {
    match lock_timeout {
        Some(t) => ANNOUNCE_AFTER.min(t.mul_f64(0.6)),
        None => ANNOUNCE_AFTER,
    }
}

/// Asks, on a connection of its own, who blocks backend `pid`; remembers the answer in
/// `blockers` (the waiting connection's own) and tells `announce`.
/// Runs on its own thread; failures say nothing.
pub fn describe(reconnect: Reconnect, pid: i32, announce: Option<Announce>, blockers: Blockers) {
    std::thread::spawn(move || {
        let mut config = reconnect.config;
        config.application_name("outboxctl (lock wait)");
        // The same way to the server as the waiting connection's, on a socket of its
        // own: TLS, keepalives and the rest as libpq would have them.
        let Ok(mut wire) = Wire::connect(
            &reconnect.endpoint,
            &config,
            reconnect.tls,
            Duration::from_secs(5),
            None,
        ) else {
            return;
        };
        let within = Duration::from_secs(10);
        let deadline = Some((Instant::now() + within, Cut::Unanswered { within }));
        let asked = (|| {
            wire.batch_execute(
                "BEGIN READ ONLY; SET LOCAL search_path = pg_catalog, pg_temp",
                deadline.clone(),
            )?;
            let rows = wire.query(
                "SELECT a.pid, coalesce(a.usename::pg_catalog.text, ''), coalesce(a.application_name, ''),
                        coalesce(a.state, ''), pg_catalog.left(coalesce(a.query, ''), 160),
                        coalesce((SELECT pg_catalog.string_agg(DISTINCT l.mode, ', ') FROM pg_catalog.pg_locks l
                                   WHERE l.pid OPERATOR(pg_catalog.=) a.pid AND l.granted AND l.relation IS NOT NULL), '')
                   FROM pg_catalog.pg_stat_activity a
                  WHERE a.pid OPERATOR(pg_catalog.=) ANY(pg_catalog.pg_blocking_pids($1))
                  ORDER BY a.pid",
                &[(&pid, tokio_postgres::types::Type::INT4)],
                deadline.clone(),
            )?;
            wire.batch_execute("COMMIT", deadline.clone())?;
            Ok::<_, tokio_postgres::Error>(rows)
        })();
        let Ok(rows) = asked else {
            return;
        };
        if rows.is_empty() {
            return;
        }
        let holders: Vec<String> = rows
            .iter()
            .map(|r| {
                let (pid, user, app, state, query, modes): (
                    i32,
                    String,
                    String,
                    String,
                    String,
                    String,
                ) = (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5));
                format!(
                    "pid {pid} (user {user}{}{}{}): {}",
                    if app.is_empty() {
                        String::new()
                    } else {
                        format!(", application \"{app}\"")
                    },
                    if state.is_empty() {
                        String::new()
                    } else {
                        format!(", {state}")
                    },
                    if modes.is_empty() {
                        String::new()
                    } else {
                        format!(", holding {modes}")
                    },
                    query.split_whitespace().collect::<Vec<_>>().join(" ")
                )
            })
            .collect();
        let text = format!("blocked by {}", holders.join("; "));
        if let Some(announce) = announce {
            announce(&text);
        }
        blockers.remember(text);
    });
}
