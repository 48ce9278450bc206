//! Gentle mode: `--max-rate` spaces batches so a run changes at most so many rows a
//! second, and `--max-replica-lag` holds the next batch while a streaming standby replays
//! too far behind. Both hold across every job of a run: they share one pacer.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;

use crate::batch::{lock, signals};
use crate::db::session::{Access, Session};
use crate::db::sql::Params;
use crate::render::output::{Output, stderr_line};
use crate::units::format_duration;

/// How often a paused run looks at the standbys again.
const RECHECK: Duration = Duration::from_millis(500);
/// Lag readings are reused for this long, so N jobs do not each ask before every batch.
const READING_FRESH_FOR: Duration = Duration::from_millis(100);

pub struct Pacer {
    max_rate: Option<u32>,
    max_lag: Option<Duration>,
    started: Instant,
    state: Mutex<PaceState>,
}

#[derive(Default)]
struct PaceState {
    changed: u64,
    lag: LagTracker,
    reading: Option<(Instant, Option<Lagging>)>,
    /// When the current pause began, and why: the run reports it once, not every check.
    paused_since: Option<Instant>,
    paused_total: Duration,
    /// The progress bar's own style, put back when the pause ends.
    bar_style: Option<indicatif::ProgressStyle>,
}

/// The standby furthest behind, when it is further than `--max-replica-lag`.
#[derive(Clone, Debug)]
pub struct Lagging {
    pub standby: String,
    pub lag: Duration,
}

impl Pacer {
    pub fn new(max_rate: Option<u32>, max_lag: Option<Duration>) -> Self {
        Self {
            max_rate,
            max_lag,
            started: Instant::now(),
            state: Mutex::new(PaceState::default()),
        }
    }

    /// Whether the run paces itself at all.
    pub fn active(&self) -> bool {
        self.max_rate.is_some() || self.max_lag.is_some()
    }

    /// Rows one job's batch may take: under `--max-rate`, a batch is at most a second's
    /// worth of rows shared among the jobs, so the rate is smooth rather than bursts and
    /// long sleeps.
    pub fn batch_limit(&self, batch_size: u32, jobs: usize) -> u32 {
        match self.max_rate {
            Some(rate) => batch_size.min((rate / jobs.max(1) as u32).max(1)),
            None => batch_size,
        }
    }

    /// Before a run: `--max-replica-lag` needs to see the standbys' positions, which
    /// PostgreSQL shows only to superusers and members of pg_read_all_stats. A run that
    /// could not see them would never pause: refused before anything changes.
    pub fn check_access(&self, session: &mut Session, out: &Output) -> anyhow::Result<()> {
        if self.max_lag.is_none() {
            return Ok(());
        }
        let fail =
            |e: tokio_postgres::Error| anyhow::anyhow!(crate::db::errors::describe_pg_error(&e));
        let (allowed, standbys, user) = session.with_tx(Access::ReadOnly, &fail, |tx| {
            let row = tx
                .query_one(
                    "SELECT pg_catalog.pg_has_role('pg_read_all_stats', 'USAGE'),
                            (SELECT pg_catalog.count(*) FROM pg_catalog.pg_stat_replication),
                            current_user::pg_catalog.text",
                    &Params::default(),
                )
                .map_err(fail)?;
            Ok((
                row.get::<_, bool>(0),
                row.get::<_, i64>(1),
                row.get::<_, String>(2),
            ))
        })?;
        if !allowed {
            return Err(crate::error::Failure {
                code: crate::error::exit::RUNTIME,
                message: {
                    let grant = format!("GRANT pg_monitor TO {}", crate::db::sql::quote_ident(&user));
                    let grant = if crate::render::output::pasteable(&grant) {
                        grant
                    } else {
                        "grant it pg_monitor".to_string()
                    };
                    format!(
                        "--max-replica-lag reads the standbys' replay positions from pg_stat_replication, which role \"{user}\" is not allowed to see: {grant} (or pg_read_all_stats), or drop --max-replica-lag; nothing was changed"
                    )
                },
            }
            .into());
        }
        if standbys == 0 {
            out.warn(
                "--max-replica-lag: no standby is streaming from this server, so there is no lag to wait for",
            );
        }
        Ok(())
    }

    /// Waits, before a batch, for whatever gentle mode asks: the rate's next slot, then
    /// every standby within `--max-replica-lag`. Returns early when a signal asks the run
    /// to stop.
    pub fn before_batch(
        &self,
        session: &mut Session,
        bar: &ProgressBar,
        out: &Output,
        what: &str,
    ) -> Result<(), tokio_postgres::Error> {
        if let Some(rate) = self.max_rate {
            let changed = lock(&self.state).changed;
            let due = self.started + Duration::from_secs_f64(changed as f64 / f64::from(rate));
            signals::sleep_until(due);
        }
        let Some(max_lag) = self.max_lag else {
            return Ok(());
        };
        loop {
            if signals::stop_requested() {
                return Ok(());
            }
            let lagging = self.reading(session, max_lag)?;
            let mut state = lock(&self.state);
            match lagging {
                None => {
                    if let Some(since) = state.paused_since.take() {
                        let paused = since.elapsed();
                        state.paused_total += paused;
                        if let Some(style) = state.bar_style.take() {
                            bar.set_style(style);
                        }
                        drop(state);
                        bar.set_message(what.to_string());
                        say(
                            bar,
                            out,
                            &format!(
                                "standbys within --max-replica-lag {} again: resuming after a pause of {}",
                                format_duration(max_lag),
                                format_duration(round_to_seconds(paused))
                            ),
                        );
                    }
                    return Ok(());
                }
                Some(lagging) => {
                    let why = format!(
                        "standby {} replays {} behind (--max-replica-lag {})",
                        lagging.standby,
                        lag_text(lagging.lag),
                        format_duration(max_lag)
                    );
                    if state.paused_since.is_none() {
                        state.paused_since = Some(Instant::now());
                        // The reason replaces the bar while paused, cut to the terminal's
                        // width: a bar squeezed by a long message would wrap every tick.
                        state.bar_style = Some(bar.style());
                        bar.set_style(
                            indicatif::ProgressStyle::with_template("{spinner} {wide_msg}")
                                .expect("valid template"),
                        );
                        drop(state);
                        say(bar, out, &format!("pausing: {why}"));
                    } else {
                        drop(state);
                    }
                    bar.set_message(format!(
                        "{} {what}, paused: {why}",
                        indicatif::HumanCount(bar.position())
                    ));
                    signals::sleep_until(Instant::now() + RECHECK);
                }
            }
        }
    }

    /// After a batch: what it changed counts towards the rate.
    pub fn record(&self, changed: u64) {
        lock(&self.state).changed += changed;
    }

    /// Time spent paused for replica lag, for the summary.
    pub fn paused(&self) -> Duration {
        let state = lock(&self.state);
        state.paused_total + state.paused_since.map(|p| p.elapsed()).unwrap_or_default()
    }

    fn reading(
        &self,
        session: &mut Session,
        max_lag: Duration,
    ) -> Result<Option<Lagging>, tokio_postgres::Error> {
        if let Some((at, lagging)) = &lock(&self.state).reading
            && at.elapsed() < READING_FRESH_FOR
        {
            return Ok(lagging.clone());
        }
        let (wal_position, standbys) = read_standbys(session)?;
        let mut state = lock(&self.state);
        let now = Instant::now();
        let worst = state.lag.worst(now, wal_position, &standbys);
        let lagging = worst.filter(|w| w.lag > max_lag);
        state.reading = Some((now, lagging.clone()));
        Ok(lagging)
    }
}

/// One standby as pg_stat_replication shows it.
pub struct Standby {
    pub pid: i32,
    pub name: String,
    /// The last position it reported replayed, as a byte offset.
    pub replay: Option<u64>,
    /// The server's own measure, which lasts only while WAL flows: it shows nothing new
    /// while replay is paused or delayed.
    pub replay_lag: Option<Duration>,
    /// When the standby sent its last report: a new value means a new report.
    pub reply_time: Option<String>,
}

fn read_standbys(session: &mut Session) -> Result<(u64, Vec<Standby>), tokio_postgres::Error> {
    let mut tx = session.begin(Access::ReadOnly)?;
    let position: i64 = tx
        .query_one(
            "SELECT pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), '0/0')::pg_catalog.int8",
            &Params::default(),
        )?
        .get(0);
    let rows = tx.query(
        "SELECT pid,
                pg_catalog.format('%s (%s)', coalesce(CASE WHEN application_name OPERATOR(pg_catalog.<>) '' THEN application_name END, 'unnamed'),
                       coalesce(pg_catalog.host(client_addr), 'local socket')),
                pg_catalog.pg_wal_lsn_diff(replay_lsn, '0/0')::pg_catalog.int8,
                extract(epoch FROM replay_lag)::pg_catalog.float8,
                reply_time::pg_catalog.text
           FROM pg_catalog.pg_stat_replication",
        &Params::default(),
    )?;
    tx.commit()?;
    let standbys = rows
        .iter()
        .map(|row| Standby {
            pid: row.get(0),
            // application_name is anyone's to set: shown escaped.
            name: crate::render::output::escape(&row.get::<_, String>(1)).into_owned(),
            replay: row.get::<_, Option<i64>>(2).map(|p| p.max(0) as u64),
            replay_lag: row
                .get::<_, Option<f64>>(3)
                .map(|s| Duration::from_secs_f64(s.max(0.0))),
            reply_time: row.get(4),
        })
        .collect();
    Ok((position.max(0) as u64, standbys))
}

/// Replay lag that does not depend on WAL flowing. PostgreSQL's `replay_lag` is measured
/// only when a standby replays a position the server timed, so a standby whose replay is
/// paused, delayed or simply slow keeps showing its last, small, figure. The tracker
/// notes the server's WAL position at every look; a standby whose last report shows it
/// replayed only up to an earlier position is at least as far behind as the time since
/// the first noted position past it — counted up to when that report was seen, on this
/// machine's clock alone (the standby's clock may differ).
#[derive(Default)]
pub struct LagTracker {
    /// (when, server WAL position) at every look, oldest first.
    positions: VecDeque<(Instant, u64)>,
    /// Per standby pid: its last report's send time, and when this run first saw it.
    reports: HashMap<i32, (Option<String>, Instant)>,
}

impl LagTracker {
    pub fn worst(
        &mut self,
        now: Instant,
        wal_position: u64,
        standbys: &[Standby],
    ) -> Option<Lagging> {
        if self
            .positions
            .back()
            .is_none_or(|&(_, position)| position < wal_position)
        {
            self.positions.push_back((now, wal_position));
        }
        let mut worst: Option<Lagging> = None;
        for standby in standbys {
            let seen = match self.reports.get(&standby.pid) {
                Some((reply, seen)) if *reply == standby.reply_time => *seen,
                _ => now,
            };
            self.reports
                .insert(standby.pid, (standby.reply_time.clone(), seen));
            let behind = standby.replay.and_then(|replay| {
                self.positions
                    .iter()
                    .find(|&&(_, position)| position > replay)
                    .map(|&(at, _)| seen.saturating_duration_since(at))
            });
            let lag = behind
                .unwrap_or_default()
                .max(standby.replay_lag.unwrap_or_default());
            if worst.as_ref().is_none_or(|w| lag > w.lag) {
                worst = Some(Lagging {
                    standby: standby.name.clone(),
                    lag,
                });
            }
        }
        self.reports
            .retain(|pid, _| standbys.iter().any(|s| s.pid == *pid));
        // Positions every standby has replayed past are no longer needed.
        let oldest_replay = standbys.iter().filter_map(|s| s.replay).min();
        while self.positions.len() > 1
            && (self.positions.len() > 100_000
                || oldest_replay.is_none_or(|r| self.positions[0].1 <= r))
        {
            self.positions.pop_front();
        }
        worst
    }
}

fn round_to_seconds(duration: Duration) -> Duration {
    Duration::from_secs(duration.as_secs_f64().round() as u64)
}

/// A lag as people read it, rounded up (to tenths below a minute, to seconds above), so
/// a lag just over `--max-replica-lag 2s` reads `2.1s`, never `2s` or `2.0s`.
fn lag_text(lag: Duration) -> String {
    if lag < Duration::from_secs(60) {
        let tenths = lag.as_micros().div_ceil(100_000);
        format!("{}.{}s", tenths / 10, tenths % 10)
    } else {
        format_duration(Duration::from_secs(
            lag.as_micros().div_ceil(1_000_000) as u64
        ))
    }
}

/// A pause or resume, told once: on the progress bar's line on a terminal, on stderr
/// otherwise (a cron log shows why a purge took an hour).
fn say(bar: &ProgressBar, out: &Output, text: &str) {
    if out.quiet {
        return;
    }
    if bar.is_hidden() {
        stderr_line(&format!("outboxctl: {text}"));
    } else {
        bar.println(format!("outboxctl: {text}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standby(replay: u64, reply: &str) -> Standby {
        Standby {
            pid: 7,
            name: "replica".into(),
            replay: Some(replay),
            replay_lag: None,
            reply_time: Some(reply.into()),
        }
    }

    #[test]
    fn lag_grows_while_replay_stands_still() {
        let mut tracker = LagTracker::default();
        let t0 = Instant::now();
        assert_eq!(
            tracker.worst(t0, 100, &[standby(100, "a")]).unwrap().lag,
            Duration::ZERO
        );
        tracker.worst(t0 + Duration::from_secs(1), 200, &[standby(100, "b")]);
        // Replay stuck at 100 while the server moved to 200 at t0+1s: a report seen at
        // t0+5s says the standby is 4 s behind.
        let lag = tracker
            .worst(t0 + Duration::from_secs(5), 300, &[standby(100, "c")])
            .unwrap()
            .lag;
        assert_eq!(lag, Duration::from_secs(4));
        // No new report since: the lag is what that report showed, not a guess.
        let lag = tracker
            .worst(t0 + Duration::from_secs(9), 300, &[standby(100, "c")])
            .unwrap()
            .lag;
        assert_eq!(lag, Duration::from_secs(4));
        // Caught up.
        let lag = tracker
            .worst(t0 + Duration::from_secs(10), 300, &[standby(300, "d")])
            .unwrap()
            .lag;
        assert_eq!(lag, Duration::ZERO);
        assert_eq!(tracker.positions.len(), 1);
    }

    #[test]
    fn the_servers_own_figure_counts_too() {
        let mut tracker = LagTracker::default();
        let mut s = standby(100, "a");
        s.replay_lag = Some(Duration::from_secs(3));
        let lag = tracker.worst(Instant::now(), 100, &[s]).unwrap().lag;
        assert_eq!(lag, Duration::from_secs(3));
    }

    #[test]
    fn lags_near_the_limit_keep_their_tenths() {
        assert_eq!(lag_text(Duration::from_millis(2400)), "2.4s");
        assert_eq!(lag_text(Duration::from_millis(2001)), "2.1s");
        assert_eq!(lag_text(Duration::from_micros(2_000_400)), "2.1s");
        assert_eq!(lag_text(Duration::from_micros(120_000_001)), "2m1s");
        assert_eq!(lag_text(Duration::from_millis(50)), "0.1s");
        assert_eq!(lag_text(Duration::ZERO), "0.0s");
        assert_eq!(lag_text(Duration::from_secs(125)), "2m5s");
    }

    #[test]
    fn rate_shrinks_batches() {
        let pacer = Pacer::new(Some(1000), None);
        assert_eq!(pacer.batch_limit(5000, 1), 1000);
        assert_eq!(pacer.batch_limit(5000, 4), 250);
        assert_eq!(pacer.batch_limit(100, 1), 100);
        assert_eq!(Pacer::new(Some(1), None).batch_limit(5000, 4), 1);
        assert_eq!(Pacer::new(None, None).batch_limit(5000, 4), 5000);
    }
}
