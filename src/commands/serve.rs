//! `outboxctl serve`: a long-running Prometheus exporter for one target or many.
//!
//! - `/metrics`: `stats --format prometheus`'s families for every target, each sample
//!   labelled `target`, beside `outboxctl_up` and `outboxctl_scrape_duration_seconds`
//!   per target and, every `--doctor-interval`, `outboxctl_doctor_check_status`.
//! - `/healthz`: `ok` while the process serves.
//!
//! Each target has a worker thread and one connection, kept between scrapes (and opened
//! again, after a growing pause, when it fails), which the doctor's runs share. A scrape asks every worker whose
//! figures are older than `--min-interval` for new ones and waits at most
//! `--scrape-timeout`: a slow or failing target reports `outboxctl_up 0` and never holds
//! up the others. Figures come from the estimate path (pending exactly through the
//! pending index, the rest from the planner's statistics), each read in a short
//! transaction of its own, so no snapshot is held between scrapes; several Prometheus
//! servers scraping at once share the cached figures. SIGTERM or SIGINT stops taking
//! scrapes, lets the one in flight finish, and exits 0.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::batch::signals;
use crate::cli::{ServeArgs, StatsArgs, TopicOrder, WideArg};
use crate::context::{Context, Located};
use crate::db::session::Session;
use crate::diagnose::{self, Status, Thresholds};
use crate::render::prometheus::{Exposition, merge_targets};

/// Why a target has no figures in a scrape that waited its whole timeout.
const LATE: &str = "no answer within --scrape-timeout";

/// The longest pause between two attempts to reach a target that is down.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

pub fn run(ctx: &Context, args: &ServeArgs) -> anyhow::Result<()> {
    let ctx = ctx.with_default_statement_timeout(args.scrape_timeout);
    let named = crate::commands::targets::many_targets(&ctx, &args.service)?;
    let targets: Vec<(String, Context)> = if named.is_empty() {
        let label = ctx
            .describe_target()
            .unwrap_or_else(|_| "target 1".to_string());
        vec![(label, ctx.clone())]
    } else {
        named
            .iter()
            .map(|t| (t.label.clone(), ctx.for_database(&t.conninfo)))
            .collect()
    };
    let server = tiny_http::Server::http(&args.listen)
        .map_err(|e| crate::error::usage(format!("cannot listen on {}: {e}", args.listen)))?;
    signals::install_for_reading();
    // Two targets that read the same (one database named twice) get distinct labels:
    // Prometheus refuses a series twice in one scrape.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let count = targets.len();
    let workers: Vec<Arc<Worker>> = targets
        .into_iter()
        .enumerate()
        .map(|(i, (label, target_ctx))| {
            let n = seen.entry(label.clone()).or_default();
            *n += 1;
            let label = if *n > 1 {
                format!("{label} ({n})")
            } else {
                label
            };
            // The doctor's runs spread over the interval rather than all at once.
            let offset = args.doctor_interval.mul_f64(i as f64 / count as f64);
            Worker::start(label, target_ctx, args, offset)
        })
        .collect();
    ctx.out.note(format!(
        "serving /metrics for {} on http://{}",
        crate::render::output::count_of(workers.len() as u64, "target", "targets"),
        args.listen
    ));
    while !signals::stop_requested() {
        let request = match server.recv_timeout(Duration::from_millis(100)) {
            Ok(Some(request)) => request,
            Ok(None) => continue,
            Err(e) => {
                ctx.out.warn(format!("serve: {e}"));
                continue;
            }
        };
        let readable = matches!(
            request.method(),
            tiny_http::Method::Get | tiny_http::Method::Head
        );
        let (status, body) = match request.url().split('?').next().unwrap_or_default() {
            _ if !readable => (405, "only GET and HEAD\n".to_string()),
            "/metrics" => (200, scrape(&workers, args)),
            "/healthz" | "/-/healthy" => (200, "ok\n".to_string()),
            "/" => (
                200,
                "outboxctl serve: /metrics for Prometheus, /healthz for liveness\n".to_string(),
            ),
            _ => (404, "not found: /metrics or /healthz\n".to_string()),
        };
        let header = tiny_http::Header::from_bytes(
            &b"Content-Type"[..],
            &b"text/plain; version=0.0.4; charset=utf-8"[..],
        )
        .expect("a valid header");
        let _ = request.respond(
            tiny_http::Response::from_string(body)
                .with_status_code(status)
                .with_header(header),
        );
    }
    for worker in &workers {
        worker.stop();
    }
    ctx.out.note("serve: stopped");
    Ok(())
}

/// One scrape: fresh figures from every worker that has none younger than
/// `--min-interval`, each waited for at most `--scrape-timeout`, then every target's
/// families merged.
fn scrape(workers: &[Arc<Worker>], args: &ServeArgs) -> String {
    for worker in workers {
        worker.ask(args.min_interval);
    }
    let deadline = Instant::now() + args.scrape_timeout;
    let mut parts = Vec::new();
    let mut up = Vec::new();
    let mut durations = Vec::new();
    let mut doctor = Vec::new();
    for worker in workers {
        let state = worker.wait(deadline);
        let label = worker.label.clone();
        match &state.figures {
            Some(text) if state.error.is_none() => {
                parts.push((label.clone(), text.clone()));
                up.push((vec![("target", label.clone())], 1.0));
            }
            _ => up.push((vec![("target", label.clone())], 0.0)),
        }
        // A target that did not answer in time took the whole timeout.
        let seconds = if state.error.as_deref() == Some(LATE) {
            Some(args.scrape_timeout.as_secs_f64())
        } else {
            state.seconds
        };
        if let Some(seconds) = seconds {
            durations.push((vec![("target", label.clone())], seconds));
        }
        for (check, status) in &state.doctor {
            doctor.push((
                vec![("target", label.clone()), ("check", check.clone())],
                *status,
            ));
        }
    }
    let mut own = Exposition::new();
    own.gauge(
        "outboxctl_up",
        "1 when the target's last figures were read, 0 when it could not be reached or answered too late.",
        &up,
    );
    own.gauge(
        "outboxctl_scrape_duration_seconds",
        "How long the target's last figures took to read.",
        &durations,
    );
    own.gauge(
        "outboxctl_doctor_check_status",
        "The doctor's checks: 0 ok, 1 warn, 2 fail, -1 skipped.",
        &doctor,
    );
    let mut text = own.finish();
    text.push_str(&merge_targets(&parts));
    text
}

/// What a worker last read.
#[derive(Clone, Default)]
struct State {
    /// The target's families (unlabelled), from its last successful read.
    figures: Option<String>,
    /// Why the last read failed.
    error: Option<String>,
    seconds: Option<f64>,
    read_at: Option<Instant>,
    /// A read is asked for and not done yet.
    wanted: bool,
    /// The doctor's checks by id, with their status as a number.
    doctor: BTreeMap<String, f64>,
    stop: bool,
}

struct Worker {
    label: String,
    state: Mutex<State>,
    changed: Condvar,
    /// The target's one connection, shared by the figures and the doctor's checks.
    connection: Mutex<Option<(Session, Located)>>,
}

impl Worker {
    fn start(label: String, ctx: Context, args: &ServeArgs, offset: Duration) -> Arc<Self> {
        let worker = Arc::new(Self {
            label,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            connection: Mutex::new(None),
        });
        let stats = stats_args(args);
        let reader = Arc::clone(&worker);
        let reader_ctx = ctx.clone();
        std::thread::spawn(move || reader.read_loop(&reader_ctx, &stats));
        if !args.doctor_interval.is_zero() {
            let doctor = Arc::clone(&worker);
            let every = args.doctor_interval;
            std::thread::spawn(move || doctor.doctor_loop(&ctx, every, offset));
        }
        worker
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Asks for new figures unless the last ones are younger than `fresh`.
    fn ask(&self, fresh: Duration) {
        let mut state = self.lock();
        let recent = state.read_at.is_some_and(|at| at.elapsed() < fresh);
        if !recent && !state.wanted {
            state.wanted = true;
            self.changed.notify_all();
        }
    }

    /// The state once the asked-for read is done, or at `deadline` whatever it is.
    fn wait(&self, deadline: Instant) -> State {
        let mut state = self.lock();
        while state.wanted {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let mut late = state.clone();
                late.error = Some(LATE.into());
                return late;
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        state.clone()
    }

    fn stop(&self) {
        self.lock().stop = true;
        self.changed.notify_all();
    }

    /// Reads the figures each time they are asked for, on one connection kept between
    /// reads and opened again (after a pause that doubles, up to a minute) when it fails.
    fn read_loop(&self, ctx: &Context, args: &StatsArgs) {
        let mut backoff = Duration::from_secs(1);
        let mut next_try = Instant::now();
        loop {
            {
                let mut state = self.lock();
                while !state.wanted && !state.stop {
                    state = self.changed.wait(state).unwrap_or_else(|p| p.into_inner());
                }
                if state.stop {
                    return;
                }
            }
            let started = Instant::now();
            let mut connection = self
                .connection
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let result = if connection.is_none() && Instant::now() < next_try {
                Err(anyhow::anyhow!("reconnecting"))
            } else {
                if connection.is_none() {
                    match ctx.open() {
                        Ok(opened) => *connection = Some(opened),
                        Err(e) => {
                            drop(connection);
                            next_try = Instant::now() + backoff;
                            backoff = (backoff * 2).min(MAX_BACKOFF);
                            self.finish(Err(e), started);
                            continue;
                        }
                    }
                }
                let (session, located) = connection.as_mut().expect("opened above");
                crate::commands::stats::gather_on(ctx, session, located, args).map(|figures| {
                    let view = crate::commands::stats::view(ctx, args);
                    crate::render::stats::prometheus::exposition(&view, &figures)
                })
            };
            if result.is_err() {
                // A failed read may have left the connection unusable: a new one next.
                *connection = None;
                next_try = Instant::now() + backoff;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            } else {
                backoff = Duration::from_secs(1);
            }
            drop(connection);
            self.finish(result, started);
        }
    }

    fn finish(&self, result: anyhow::Result<String>, started: Instant) {
        let mut state = self.lock();
        match result {
            Ok(text) => {
                if state.error.is_some() {
                    crate::render::output::stderr_line(&format!(
                        "serve: {}: read again",
                        crate::render::output::escape(&self.label)
                    ));
                }
                state.figures = Some(text);
                state.error = None;
            }
            Err(e) => {
                // Said when it starts or changes, not on every scrape.
                let error = crate::db::errors::one_line(&e);
                if state.error.as_deref() != Some(error.as_str()) && error != "reconnecting" {
                    crate::render::output::stderr_line(&format!(
                        "serve: {}: {}",
                        crate::render::output::escape(&self.label),
                        crate::render::output::escape(&error)
                    ));
                }
                // Waiting out the backoff keeps the reason it is waiting for.
                if error != "reconnecting" || state.error.is_none() {
                    state.error = Some(error);
                }
            }
        }
        state.seconds = Some(started.elapsed().as_secs_f64());
        state.read_at = Some(Instant::now());
        state.wanted = false;
        self.changed.notify_all();
    }

    /// Runs the doctor's checks every `every`, on a connection of its own for each run.
    fn doctor_loop(&self, ctx: &Context, every: Duration, offset: Duration) {
        if !self.pause(offset) {
            return;
        }
        loop {
            let statuses = {
                let mut connection = self
                    .connection
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                let statuses = examine(ctx, &mut connection);
                if statuses.is_err() {
                    *connection = None;
                }
                statuses
            };
            {
                let mut state = self.lock();
                if state.stop {
                    return;
                }
                if let Ok(statuses) = statuses {
                    state.doctor = statuses;
                }
            }
            if !self.pause(every) {
                return;
            }
        }
    }

    /// Waits `time` unless told to stop first: false when told.
    fn pause(&self, time: Duration) -> bool {
        let until = Instant::now() + time;
        let mut state = self.lock();
        while !state.stop && Instant::now() < until {
            let left = until.saturating_duration_since(Instant::now());
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        !state.stop
    }
}

/// The doctor's checks on the target, each as a number, on its one connection (opened
/// when there is none). No scans, and a 2 s sample: the connection is the scrapes' too.
fn examine(
    ctx: &Context,
    connection: &mut Option<(Session, Located)>,
) -> anyhow::Result<BTreeMap<String, f64>> {
    if connection.is_none() {
        *connection = Some(ctx.open()?);
    }
    let (session, located) = connection.as_mut().expect("opened above");
    let reconnect = || ctx.connect();
    let report = diagnose::run(
        session,
        &reconnect,
        located.outbox.clone(),
        located.processed.clone(),
        // The backlog's sample tells a stopped relay (fail) from a slow one (warn), as
        // doctor does; scrapes of this target wait for it, within their timeout.
        crate::commands::doctor::quick_options(
            ctx,
            Thresholds::parse(&[])?,
            diagnose::check_ids(),
            false,
            Duration::from_secs(2),
        ),
    )?;
    Ok(report
        .findings
        .iter()
        .map(|f| {
            let value = match f.status {
                Status::Ok => 0.0,
                Status::Warn => 1.0,
                Status::Fail => 2.0,
                Status::Skipped => -1.0,
            };
            (f.id.to_string(), value)
        })
        .collect())
}

/// The figures a scrape reads: the estimate path, with serve's stuck age.
fn stats_args(args: &ServeArgs) -> StatsArgs {
    StatsArgs {
        by_topic: false,
        sort: TopicOrder::Backlog,
        top: None,
        max_pending_age: None,
        max_failed: None,
        max_pending: None,
        estimate: true,
        exact: false,
        by_error: false,
        include_retrying: false,
        by_header: Vec::new(),
        service: Vec::new(),
        rates: false,
        interval: Duration::from_secs(5),
        stuck_after: args.stuck_after,
        max_series: 100,
        wide: WideArg { wide: false },
    }
}
