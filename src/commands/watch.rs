//! `outboxctl watch`: the live view. On a terminal, a full-screen view (crossterm) that
//! refreshes every `--interval`: status counts with their change since the last refresh,
//! write and drain rates with the backlog's ETA, the oldest pending message, stuck
//! processing rows, and a lower panel of the top topics by backlog (`t`) or the top
//! error classes (`e`). `p` pauses, `q` or Ctrl-C quits. The terminal is restored on
//! every way out: a key, a signal, a lost connection (shown in the view, which
//! reconnects), a panic. Without a terminal, or with `--format ndjson`, one JSON
//! snapshot per interval instead; `--count N` stops after N.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossterm::{cursor, event, execute, queue, style, terminal};
use serde_json::Value;

use crate::cli::WatchArgs;
use crate::context::Context;
use crate::db::errors::explain_table_error;
use crate::db::pgtime::PgTime;
use crate::db::session::{Access, Rel, Session};
use crate::error::usage;
use crate::render::output::{Format, json_value, print_json_line, truncate};
use crate::tables::error_class::{self, ErrorClass};
use crate::tables::outbox::{self, GroupStats, StatusCounts};
use crate::tables::rates::{self, Rates};
use crate::tables::schema::STATUSES;
use crate::units::humanize;

/// Rows of the lower panel at most.
const TOP: usize = 10;

/// One refresh's figures.
struct Snapshot {
    at: PgTime,
    counts: StatusCounts,
    estimated: bool,
    stuck: Option<i64>,
    oldest_pending_age: Option<f64>,
    /// The oldest pending message's created_at, infinite values included.
    oldest_pending: Option<PgTime>,
    topics: Option<Vec<GroupStats>>,
    errors: Option<Vec<ErrorClass>>,
    /// Which panel's figures this read asked for (the panel may have changed since).
    asked_topics: bool,
    sample: rates::Sample,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Panel {
    Topics,
    Errors,
}

pub fn run(ctx: &Context, args: &WatchArgs) -> anyhow::Result<()> {
    if args.interval < Duration::from_secs(1) {
        return Err(usage(
            "--interval must be at least 1s: the server publishes its counters about once a second",
        ));
    }
    if !matches!(ctx.out.format, Format::Table | Format::Ndjson) {
        return Err(usage(
            "watch prints a live view, or one JSON object per interval with --format ndjson",
        ));
    }
    let live = ctx.out.format == Format::Table
        && std::io::stdout().is_terminal()
        && std::io::stdin().is_terminal();
    if live {
        screen(ctx, args)
    } else {
        snapshots(ctx, args)
    }
}

fn read(
    session: &mut Session,
    rel: &Rel,
    args: &WatchArgs,
    topics: bool,
    errors: bool,
) -> anyhow::Result<Snapshot> {
    let fail = |e| explain_table_error(e, rel);
    session.with_tx(Access::ReadOnly, &fail, |tx| {
        let sample = rates::sample(tx, rel).map_err(fail)?;
        // The same rule as stats: past 5,000,000 rows, estimated, and no per-topic scan.
        let planner = outbox::planner_counts(tx, rel).map_err(fail)?;
        let large = planner
            .as_ref()
            .is_some_and(|p| p.rows > outbox::ESTIMATE_ABOVE_ROWS);
        let stats = match planner.filter(|_| large) {
            Some(p) => outbox::stats_estimated(tx, rel, &p, Some(sample.pending)),
            None => outbox::stats(tx, rel, topics, &[], args.stuck_after),
        }
        .map_err(fail)?;
        let errors = if errors {
            Some(error_class::error_classes(tx, rel, false, &fail)?)
        } else {
            None
        };
        Ok(Snapshot {
            at: stats
                .now
                .unwrap_or_else(|| PgTime::from_chrono(chrono::Utc::now())),
            counts: stats.by_status,
            estimated: stats.estimated,
            stuck: stats.stuck_processing,
            oldest_pending_age: stats.oldest_pending_age_seconds,
            oldest_pending: stats.oldest_pending,
            topics: stats.by_topic,
            errors,
            asked_topics: topics,
            sample,
        })
    })
}

/// Topics by backlog: most pending first.
fn top_topics(topics: &[GroupStats]) -> Vec<&GroupStats> {
    let mut sorted: Vec<&GroupStats> = topics.iter().collect();
    sorted.sort_by(|a, b| {
        b.counts
            .get("pending")
            .cmp(&a.counts.get("pending"))
            .then_with(|| b.counts.get("failed").cmp(&a.counts.get("failed")))
    });
    sorted.truncate(TOP);
    sorted
}

/// One line of `watch --format ndjson`: a snapshot, or what kept one from being taken.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum WatchLine {
    Snapshot(WatchSnapshot),
    Problem(WatchProblem),
}

/// The outbox at one instant.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchSnapshot {
    /// When it was read, on the server's clock (RFC 3339).
    pub at: String,
    /// `user@host:port/dbname`.
    pub target: String,
    pub by_status: WatchCounts,
    /// Counts other than pending come from the planner's statistics.
    pub estimated: bool,
    /// Each count's change since the previous snapshot (null on the first).
    pub changes: Option<WatchCounts>,
    /// Messages in processing past `--stuck-after`; null when estimated.
    pub stuck_processing: Option<i64>,
    pub oldest_pending_age_seconds: Option<f64>,
    /// The rates since the previous snapshot, or why there are none (null on the first).
    pub rates: Option<WatchRates>,
    /// The topics with the most pending messages (with `--by-topic`).
    pub top_topics: Option<Vec<WatchTopic>>,
    /// The largest error classes (with `--by-error`).
    pub top_errors: Option<Vec<WatchErrorClass>>,
}

#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchCounts {
    pub pending: i64,
    pub processing: i64,
    pub processed: i64,
    pub failed: i64,
}

#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum WatchRates {
    Measured {
        interval_seconds: f64,
        written_per_second: f64,
        drained_per_second: f64,
        updated_per_second: f64,
        deleted_per_second: f64,
        pending_change_per_second: f64,
        backlog_eta_seconds: Option<f64>,
    },
    Unavailable {
        unavailable: String,
    },
}

#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchTopic {
    pub topic: Option<String>,
    pub pending: i64,
    pub processing: i64,
    pub failed: i64,
}

#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchErrorClass {
    pub class: String,
    pub count: i64,
}

/// An interval without a snapshot.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchProblem {
    /// When, on this machine's clock (RFC 3339).
    pub at: String,
    pub error: String,
    /// The connection is gone and watch is opening another.
    pub reconnecting: bool,
    /// Who ended the connection: `outboxctl` (the server stayed silent past
    /// `--statement-timeout`) or `server`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<String>,
    /// The read asked for is still waiting: the figures shown last are stale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<bool>,
}

fn watch_counts(count: impl Fn(&str) -> i64) -> WatchCounts {
    WatchCounts {
        pending: count("pending"),
        processing: count("processing"),
        processed: count("processed"),
        failed: count("failed"),
    }
}

fn snapshot_json(
    target: &str,
    snapshot: &Snapshot,
    previous: Option<&Snapshot>,
    rates: Option<&Result<Rates, String>>,
) -> Value {
    let line = WatchLine::Snapshot(WatchSnapshot {
        at: snapshot.at.rfc3339(),
        target: target.to_string(),
        by_status: watch_counts(|s| snapshot.counts.get(s)),
        estimated: snapshot.estimated,
        changes: previous.map(|p| watch_counts(|s| snapshot.counts.get(s) - p.counts.get(s))),
        stuck_processing: snapshot.stuck,
        oldest_pending_age_seconds: snapshot.oldest_pending_age,
        rates: rates.map(|rates| match rates {
            Ok(r) => WatchRates::Measured {
                interval_seconds: r.interval_seconds,
                written_per_second: r.written_per_second,
                drained_per_second: r.drained_per_second,
                updated_per_second: r.updated_per_second,
                deleted_per_second: r.deleted_per_second,
                pending_change_per_second: r.pending_change_per_second,
                backlog_eta_seconds: r.backlog_eta_seconds,
            },
            Err(reason) => WatchRates::Unavailable {
                unavailable: reason.clone(),
            },
        }),
        top_topics: snapshot.topics.as_deref().map(|t| {
            top_topics(t)
                .iter()
                .map(|g| WatchTopic {
                    topic: g.value.clone(),
                    pending: g.counts.get("pending"),
                    processing: g.counts.get("processing"),
                    failed: g.counts.get("failed"),
                })
                .collect()
        }),
        top_errors: snapshot.errors.as_deref().map(|e| {
            e.iter()
                .take(TOP)
                .map(|c| WatchErrorClass {
                    class: c.class.clone(),
                    count: c.count,
                })
                .collect()
        }),
    });
    json_value(&line)
}

/// Whether `err` means the connection is gone (closed, reset, the server shutting down
/// or refusing), which reconnecting can heal; any other error (a query the table's data
/// breaks, a permission) is an error to show as one, on a connection kept.
pub(crate) fn lost_connection(err: &anyhow::Error, session: Option<&Session>) -> bool {
    // Errors are often reworded on their way up: the connection itself says best.
    if session.is_none_or(Session::is_closed) {
        return true;
    }
    match err
        .chain()
        .find_map(|e| e.downcast_ref::<tokio_postgres::Error>())
    {
        Some(pg) => {
            pg.is_closed()
                || match pg.code() {
                    Some(code) => {
                        let code = code.code();
                        code.starts_with("08") || code.starts_with("57P")
                    }
                    // No SQLSTATE: the socket itself failed.
                    None => pg.as_db_error().is_none(),
                }
        }
        None => false,
    }
}

/// Without a terminal: one JSON object per interval, for logs and pipes. A lost
/// connection is a line with the error, and the next interval reconnects.
fn snapshots(ctx: &Context, args: &WatchArgs) -> anyhow::Result<()> {
    let mut reader = Reader::start(ctx.clone(), args.clone());
    let mut previous: Option<Snapshot> = None;
    let mut printed = 0u64;
    loop {
        let started = Instant::now();
        reader.ask(true, true);
        match reader.answer(args.interval) {
            Some(Answer {
                target,
                result: Ok(snapshot),
            }) => {
                let rates = previous
                    .as_ref()
                    .map(|p| rates::between(&p.sample, &snapshot.sample));
                print_json_line(&snapshot_json(
                    &target,
                    &snapshot,
                    previous.as_ref(),
                    rates.as_ref(),
                ))?;
                previous = Some(snapshot);
            }
            Some(Answer {
                result: Err(failure),
                ..
            }) => {
                // A missing table or a bad option will not heal: only a connection that
                // was there is waited out.
                if failure.opening && previous.is_none() {
                    return Err(failure.error);
                }
                let line = WatchLine::Problem(WatchProblem {
                    at: PgTime::from_chrono(chrono::Utc::now()).rfc3339(),
                    error: failure.text(),
                    reconnecting: failure.lost,
                    closed_by: failure.lost.then(|| {
                        if failure.closed_by_us {
                            "outboxctl"
                        } else {
                            "server"
                        }
                        .to_string()
                    }),
                    stale: None,
                });
                print_json_line(&json_value(&line))?;
            }
            // An interval without an answer is said, not waited out in silence.
            None => print_json_line(&json_value(&WatchLine::Problem(WatchProblem {
                at: PgTime::from_chrono(chrono::Utc::now()).rfc3339(),
                error: format!(
                    "no answer from the server for {}: the read asked for then is still waiting",
                    humanize(reader.waiting().unwrap_or_default().as_secs() as i64)
                ),
                reconnecting: false,
                closed_by: None,
                stale: Some(true),
            })))?,
        }
        printed += 1;
        if args.count.is_some_and(|n| printed >= n) {
            return Ok(());
        }
        std::thread::sleep(args.interval.saturating_sub(started.elapsed()));
    }
}

/// One read's outcome, from the reading thread.
struct Answer {
    target: String,
    result: Result<Snapshot, ReadFailure>,
}

struct ReadFailure {
    error: anyhow::Error,
    /// The connection is gone; the next read reconnects.
    lost: bool,
    /// outboxctl closed it: the server stayed silent past --statement-timeout.
    closed_by_us: bool,
    /// It failed while connecting and finding the table.
    opening: bool,
}

impl ReadFailure {
    /// The error as one line that says who closed a connection that is gone.
    fn text(&self) -> String {
        let error = crate::db::errors::one_line(&self.error);
        if self.closed_by_us {
            format!(
                "outboxctl closed the connection: the server did not answer within --statement-timeout and {}s' grace ({error})",
                crate::db::session::SILENCE_GRACE.as_secs()
            )
        } else {
            error
        }
    }
}

/// Reads on a thread of their own, so the view answers the keyboard and says how old
/// its figures are whatever the server does: a frozen backend blocks the reader, never
/// the view. The thread ends with the process.
struct Reader {
    requests: std::sync::mpsc::Sender<(bool, bool)>,
    answers: std::sync::mpsc::Receiver<Answer>,
    asked_at: Option<Instant>,
}

impl Reader {
    fn start(ctx: Context, args: WatchArgs) -> Self {
        let (requests, asked) = std::sync::mpsc::channel::<(bool, bool)>();
        let (answer, answers) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut connection: Option<(Session, Rel)> = None;
            let mut target = String::new();
            while let Ok((topics, errors)) = asked.recv() {
                let opening = connection.is_none();
                let result = (|| -> anyhow::Result<Snapshot> {
                    if connection.is_none() {
                        let (session, located) = ctx.open()?;
                        located.outbox.require()?;
                        target = located.outbox.target.clone();
                        connection = Some((session, located.outbox));
                    }
                    let (session, rel) = connection.as_mut().expect("just opened");
                    read(session, rel, &args, topics, errors)
                })();
                let result = result.map_err(|error| {
                    let session = connection.as_ref().map(|(s, _)| s);
                    let closed_by_us = session.is_some_and(|s| s.cut().is_some());
                    let lost = lost_connection(&error, session);
                    if lost {
                        connection = None;
                    }
                    ReadFailure {
                        error,
                        lost,
                        closed_by_us,
                        opening,
                    }
                });
                let reply = Answer {
                    target: target.clone(),
                    result,
                };
                if answer.send(reply).is_err() {
                    return;
                }
            }
        });
        Self {
            requests,
            answers,
            asked_at: None,
        }
    }

    /// Asks for a read, unless one is still on its way.
    fn ask(&mut self, topics: bool, errors: bool) {
        if self.asked_at.is_none() && self.requests.send((topics, errors)).is_ok() {
            self.asked_at = Some(Instant::now());
        }
    }

    /// The answer to the read in flight, waiting up to `wait` for it.
    fn answer(&mut self, wait: Duration) -> Option<Answer> {
        self.asked_at?;
        let answer = self.answers.recv_timeout(wait).ok()?;
        self.asked_at = None;
        Some(answer)
    }

    /// How long the read in flight has waited.
    fn waiting(&self) -> Option<Duration> {
        self.asked_at.map(|at| at.elapsed())
    }
}

/// Leaves the alternate screen and raw mode however the view ends.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn restore_terminal() {
    let mut out = std::io::stdout();
    let _ = execute!(
        out,
        style::ResetColor,
        cursor::Show,
        terminal::LeaveAlternateScreen
    );
    let _ = terminal::disable_raw_mode();
}

fn screen(ctx: &Context, args: &WatchArgs) -> anyhow::Result<()> {
    // SIGTERM and SIGHUP end the view like `q` does, terminal restored.
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        let _ = signal_hook::flag::register(signal, stop.clone());
    }
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous_hook(info);
    }));
    terminal::enable_raw_mode()?;
    let _restore = Restore;
    execute!(
        std::io::stdout(),
        terminal::EnterAlternateScreen,
        cursor::Hide
    )?;

    // The view's own notes (a standby, say) would scribble over the screen.
    let mut quiet = ctx.clone();
    quiet.out.quiet = true;
    let mut reader = Reader::start(quiet, args.clone());
    let mut target = String::new();
    let mut panel = Panel::Topics;
    let mut paused = false;
    let mut last: Option<Snapshot> = None;
    let mut last_at: Option<Instant> = None;
    let mut before_last: Option<Snapshot> = None;
    let mut problem: Option<String> = None;
    let mut next_refresh = Instant::now();
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        if !paused && Instant::now() >= next_refresh {
            next_refresh = Instant::now() + args.interval;
            reader.ask(panel == Panel::Topics, panel == Panel::Errors);
        }
        if let Some(answer) = reader.answer(Duration::ZERO) {
            if !answer.target.is_empty() {
                target = answer.target;
            }
            match answer.result {
                Ok(snapshot) => {
                    problem = None;
                    before_last = last.take();
                    last = Some(snapshot);
                    last_at = Some(Instant::now());
                }
                Err(failure) => {
                    problem = Some(if failure.lost {
                        format!(
                            "connection lost: {} — reconnecting every interval",
                            failure.text()
                        )
                    } else {
                        format!("error: {} — retrying every interval", failure.text())
                    });
                }
            }
        }
        // Figures older than their interval say so, with their age and why.
        let stale = reader
            .waiting()
            .filter(|waited| *waited > args.interval)
            .map(|waited| {
                format!(
                    "stale: the server has not answered for {}{}",
                    humanize(waited.as_secs() as i64),
                    last_at
                        .map(|at| format!(
                            "; the figures below are {} old",
                            humanize(at.elapsed().as_secs() as i64)
                        ))
                        .unwrap_or_default()
                )
            });
        let problem_shown = stale.as_deref().or(problem.as_deref());
        draw(
            &target,
            last.as_ref(),
            before_last.as_ref(),
            panel,
            paused,
            problem_shown,
            args,
        )?;
        // Short waits: a key, an answer or a resize is seen within a fraction of a second.
        let wait = next_refresh
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(100));
        if event::poll(wait)? {
            match event::read()? {
                event::Event::Key(key) if key.kind == event::KeyEventKind::Press => {
                    use event::{KeyCode, KeyModifiers};
                    match key.code {
                        KeyCode::Char('q') | KeyCode::Esc => return Ok(()),
                        KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                            return Ok(());
                        }
                        KeyCode::Char('p') => paused = !paused,
                        KeyCode::Char('t') if panel != Panel::Topics => {
                            panel = Panel::Topics;
                            next_refresh = Instant::now();
                        }
                        KeyCode::Char('e') if panel != Panel::Errors => {
                            panel = Panel::Errors;
                            next_refresh = Instant::now();
                        }
                        _ => {}
                    }
                }
                // A resize is drawn on the next pass of the loop.
                _ => {}
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn draw(
    target: &str,
    last: Option<&Snapshot>,
    before: Option<&Snapshot>,
    panel: Panel,
    paused: bool,
    problem: Option<&str>,
    args: &WatchArgs,
) -> anyhow::Result<()> {
    let (width, height) = terminal::size().unwrap_or((80, 24));
    let (width, height) = (width as usize, height as usize);
    let mut top: Vec<String> = Vec::new();
    // What matters most comes first: a long target name is cut, not the pause.
    top.push(format!(
        "{}outboxctl watch · every {} · {}",
        if paused { "PAUSED (p resumes) · " } else { "" },
        crate::units::format_duration(args.interval),
        if target.is_empty() {
            "connecting…"
        } else {
            target
        }
    ));
    if let Some(problem) = problem {
        top.push(problem.to_string());
    }
    let mut middle: Vec<String> = Vec::new();
    let mut rates_lines: Vec<String> = Vec::new();
    let mut lower: Vec<String> = Vec::new();
    if let Some(s) = last {
        top.push(String::new());
        for status in STATUSES {
            let n = s.counts.get(status);
            let change = before
                .map(|b| n - b.counts.get(status))
                .map_or(String::new(), |d| format!("  ({d:+})"));
            let mark = if s.estimated && status != "pending" {
                "~"
            } else {
                ""
            };
            middle.push(format!("{status:<12}{mark}{n:>12}{change}"));
        }
        middle.push(format!(
            "{:<12}{:>13}",
            format!("stuck >{}", crate::units::format_duration(args.stuck_after)),
            s.stuck.map_or("?".to_string(), |n| n.to_string())
        ));
        middle.push(format!(
            "oldest pending  {}",
            match (s.oldest_pending, s.oldest_pending_age) {
                (Some(at), _) if !at.is_finite() => at.human(),
                (_, Some(a)) => format!("{} ago", humanize(a as i64)),
                _ => "none".to_string(),
            }
        ));
        if let Some(b) = before {
            match rates::between(&b.sample, &s.sample) {
                Ok(r) => {
                    rates_lines.push(format!(
                        "written {:.1}/s · drained {:.1}/s · pending {:+.1}/s · backlog ETA {}",
                        r.written_per_second,
                        r.drained_per_second,
                        r.pending_change_per_second,
                        match r.backlog_eta_seconds {
                            Some(_) if r.pending == 0 => "—".to_string(),
                            Some(eta) => humanize(eta.round() as i64),
                            None => "none (not shrinking)".to_string(),
                        }
                    ));
                }
                Err(reason) => rates_lines.push(format!("rates: {reason}")),
            }
        }
        match panel {
            Panel::Topics => {
                lower.push("top topics by backlog (e: error classes)".to_string());
                match &s.topics {
                    None if !s.asked_topics => lower.push("(reading…)".to_string()),
                    Some(topics) => {
                        for g in top_topics(topics) {
                            lower.push(format!(
                                "{:>10} pending {:>8} processing {:>8} failed  {}",
                                g.counts.get("pending"),
                                g.counts.get("processing"),
                                g.counts.get("failed"),
                                g.value.as_deref().unwrap_or("")
                            ));
                        }
                    }
                    None => lower.push(
                        "(per-topic counts need a scan: not read on a table this large)"
                            .to_string(),
                    ),
                }
            }
            Panel::Errors => {
                lower.push("top error classes of failed messages (t: topics)".to_string());
                if s.errors.is_none() {
                    lower.push("(reading…)".to_string());
                }
                for c in s.errors.iter().flatten().take(TOP) {
                    lower.push(format!("{:>10}  {}", c.count, c.class));
                }
            }
        }
    }
    let keys = "q quit · p pause · t topics · e errors".to_string();
    // Fit the height: the lower panel goes first, then the rates.
    let mut lines = top;
    let fixed = lines.len() + middle.len() + 1;
    lines.extend(middle);
    if fixed + rates_lines.len() < height {
        lines.push(String::new());
        lines.extend(rates_lines);
    }
    let room = height.saturating_sub(lines.len() + 2);
    if room >= 2 && !lower.is_empty() {
        lines.push(String::new());
        lines.extend(lower.into_iter().take(room - 1));
    }
    let mut out = crate::render::output::stdout();
    queue!(out, terminal::Clear(terminal::ClearType::All))?;
    for (row, line) in lines.iter().take(height.saturating_sub(1)).enumerate() {
        queue!(
            out,
            cursor::MoveTo(0, row as u16),
            style::Print(truncate(line, width))
        )?;
    }
    queue!(
        out,
        cursor::MoveTo(0, height.saturating_sub(1) as u16),
        style::Print(truncate(&keys, width))
    )?;
    out.flush()?;
    Ok(())
}
