//! `outboxctl stats`: counts by status (and topic), the oldest pending message, dedup
//! totals, and thresholds that turn it into a monitoring check (exit 3 when breached).

use serde_json::{Map, Value, json};

use crate::error::usage;
use crate::render::layout::{Column, StreamTable, output_width};
use crate::render::output::{Format, print_json_line};

use crate::cli::StatsArgs;
use crate::context::Context;
use crate::db::errors::explain_table_error;
use crate::db::pgtime::PgTime;
use crate::db::session::Access;
use crate::error::negative;
use crate::render::output::{print_json, print_text};
use crate::tables::dedup::{self, DedupStats};
use crate::tables::dedup_columns::DedupColumns;
use crate::tables::error_class::ErrorClass;
use crate::tables::outbox::{self, GroupStats, OutboxStats, StatusCounts};
use crate::tables::rates::Rates;
use crate::tables::schema::STATUSES;
use crate::units::{format_duration, humanize};

pub(super) struct Breach {
    threshold: &'static str,
    limit: Value,
    actual: Value,
    pub(super) message: String,
    /// Checked against an estimated figure.
    estimated: bool,
}

/// Everything `stats` read from one target.
pub(super) struct Gathered {
    pub(super) target: String,
    /// The target is a hot standby: its figures are as of its last replay.
    pub(super) standby: Option<crate::db::session::Standby>,
    pub(super) stats: OutboxStats,
    dedup: DedupStats,
    dedup_cols: DedupColumns,
    dedup_error: Option<String>,
    pub(super) breaches: Vec<Breach>,
    by_error: Option<Vec<ErrorClass>>,
    rates: Option<Result<Rates, String>>,
}

pub fn run(ctx: &Context, args: &StatsArgs) -> anyhow::Result<()> {
    if matches!(ctx.out.format, Format::Csv) {
        return Err(usage(
            "stats has no csv form (its figures are nested): use --format json or ndjson",
        ));
    }
    if args.rates && args.interval < std::time::Duration::from_secs(1) {
        return Err(usage(
            "--interval must be at least 1s: the server publishes its counters about once a second",
        ));
    }
    let targets = super::stats_many::many_targets(ctx, &args.service)?;
    match targets.as_slice() {
        [] => print_one(ctx, args, &gather(ctx, args)?),
        // One service matched: an ordinary run against it (a scrape included).
        [only] if ctx.database_urls().len() <= 1 && ctx.out.format == Format::Prometheus => {
            let target = ctx.for_database(&only.conninfo);
            print_one(&target, args, &gather(&target, args)?)
        }
        _ => super::stats_many::run_many(ctx, args, targets),
    }
}

/// Reads every figure from the target `ctx` points at.
pub(super) fn gather(ctx: &Context, args: &StatsArgs) -> anyhow::Result<Gathered> {
    let (mut session, located) = ctx.open()?;
    let rel = &located.outbox;
    rel.require()?;
    let fail = |e| explain_table_error(e, rel);
    let rates = if args.rates {
        let read = |session: &mut crate::db::session::Session| {
            session.with_tx(Access::ReadOnly, &fail, |tx| {
                crate::tables::rates::sample(tx, rel).map_err(fail)
            })
        };
        let first = read(&mut session)?;
        std::thread::sleep(args.interval);
        let second = read(&mut session)?;
        Some((
            crate::tables::rates::between(&first, &second),
            second.pending,
        ))
    } else {
        None
    };
    let (stats, unanalyzed) = session.with_tx(Access::ReadOnly, &fail, |tx| {
        let planner = if args.exact {
            None
        } else {
            outbox::planner_counts(tx, rel).map_err(fail)?
        };
        let estimate = match &planner {
            Some(p) => {
                args.estimate
                    || (!args.by_topic
                        && args.by_header.is_empty()
                        && p.rows > outbox::ESTIMATE_ABOVE_ROWS)
            }
            None => false,
        };
        let stats = match planner.filter(|_| estimate) {
            Some(planner) => {
                outbox::stats_estimated(tx, rel, &planner, rates.as_ref().map(|(_, p)| *p))
            }
            None => outbox::stats(tx, rel, args.by_topic, &args.by_header, args.stuck_after),
        }
        .map_err(fail)?;
        Ok((stats, args.estimate && !estimate))
    })?;
    let by_error = if args.by_error {
        Some(session.with_tx(Access::ReadOnly, &fail, |tx| {
            crate::tables::error_class::error_classes(tx, rel, args.include_retrying, &fail)
        })?)
    } else {
        None
    };
    if unanalyzed {
        ctx.out.warn(format!(
            "{} was never analyzed, so there are no statistics to estimate from: every row was counted (ANALYZE {} to estimate)",
            rel.name, rel.sql
        ));
    }
    // The dedup table must not take outbox monitoring down with it: when its columns
    // cannot be told apart, the outbox figures and thresholds still stand.
    let (dedup, dedup_cols, dedup_error) = match ctx.dedup_table(&mut session, &located.processed) {
        Ok(dedup_table) => {
            let dedup_fail = |e| explain_table_error(e, &located.processed);
            let dedup = session.with_tx(Access::ReadOnly, &dedup_fail, |tx| {
                dedup::stats(tx, &dedup_table, stats.estimated).map_err(dedup_fail)
            })?;
            (dedup, dedup_table.cols, None)
        }
        Err(err) => {
            let text = crate::db::errors::one_line(&err);
            ctx.out.warn(crate::render::output::escape(&text));
            (DedupStats::default(), DedupColumns::ours(), Some(text))
        }
    };
    let breaches = breaches(&stats, args);

    Ok(Gathered {
        target: rel.target.clone(),
        standby: session.standby().cloned(),
        stats,
        dedup,
        dedup_cols,
        dedup_error,
        breaches,
        by_error,
        rates: rates.map(|(rates, _)| rates),
    })
}

/// One target's figures as the JSON document `stats --format json` prints.
pub(super) fn single_json(ctx: &Context, args: &StatsArgs, g: &Gathered) -> Value {
    let mut document = with_rates(
        with_error_classes(
            to_json(
                ctx,
                args.stuck_after,
                &g.stats,
                &g.dedup,
                g.dedup_error.as_deref(),
                &g.breaches,
            ),
            g.by_error.as_deref(),
        ),
        g.rates.as_ref(),
    );
    document["in_recovery"] = json!(g.standby.is_some());
    document["primary"] = json!(g.standby.as_ref().and_then(|s| s.primary.clone()));
    document
}

fn print_one(ctx: &Context, args: &StatsArgs, g: &Gathered) -> anyhow::Result<()> {
    let Gathered {
        target,
        standby,
        stats,
        dedup,
        dedup_cols,
        dedup_error: _,
        breaches,
        by_error,
        rates,
    } = g;
    let (stats, dedup, dedup_cols, breaches) = (stats, dedup, dedup_cols, breaches.as_slice());
    let shown_target = match standby {
        Some(standby) => format!(
            "{target} · {}",
            crate::render::output::escape(&standby.describe())
        ),
        None => target.clone(),
    };
    let rel_target = &shown_target;
    let printed = match ctx.out.format {
        Format::Json => print_json(&single_json(ctx, args, g)),
        Format::Ndjson => print_json_line(&single_json(ctx, args, g)),
        Format::Prometheus => print_text(prometheus(
            ctx,
            stats,
            dedup,
            breaches,
            by_error.as_deref(),
            rates.as_ref(),
            args.max_series,
        )),
        _ => print_text(
            render(
                ctx,
                args.stuck_after,
                rel_target,
                stats,
                dedup,
                dedup_cols,
                breaches,
            ) + &render_error_classes(ctx, by_error.as_deref())
                + &render_rates(ctx, rates.as_ref()),
        ),
    };
    let answer = if breaches.is_empty() {
        Ok(())
    } else {
        let messages: Vec<&str> = breaches.iter().map(|b| b.message.as_str()).collect();
        Err(negative(format!(
            "threshold breached: {}",
            messages.join("; ")
        )))
    };
    crate::error::answer_after_output(printed, answer)
}

fn breaches(stats: &OutboxStats, args: &StatsArgs) -> Vec<Breach> {
    let mut found = Vec::new();
    if let (Some(limit), Some(age)) = (args.max_pending_age, stats.oldest_pending_age_seconds)
        && age > limit.as_secs_f64()
    {
        found.push(Breach {
            threshold: "max_pending_age",
            limit: json!(limit.as_secs_f64()),
            actual: json!(age),
            message: format!(
                "oldest pending message is {} old (limit {})",
                humanize(age as i64),
                humanize(limit.as_secs() as i64)
            ),
            estimated: false,
        });
    }
    for (threshold, status, limit) in [
        ("max_failed", "failed", args.max_failed),
        ("max_pending", "pending", args.max_pending),
    ] {
        let count = stats.by_status.get(status);
        if let Some(limit) = limit
            && count as u64 > limit
        {
            // Pending is counted exactly even when the rest is estimated.
            let estimated = stats.estimated && status != "pending";
            found.push(Breach {
                threshold,
                limit: json!(limit),
                actual: json!(count),
                message: format!(
                    "{}{count} {status} messages (limit {limit})",
                    if estimated { "about " } else { "" }
                ),
                estimated,
            });
        }
    }
    found
}

/// One topic's or header value's figures: counts by status, total, and the ages of its
/// oldest pending and processing messages.
fn group_json(g: &GroupStats, now: PgTime) -> Value {
    let mut entry = status_counts(|s| g.counts.get(s));
    entry.insert("total".into(), json!(g.counts.total()));
    for (name, at) in [
        ("oldest_pending", g.oldest_pending),
        ("oldest_processing", g.oldest_processing),
    ] {
        entry.insert(format!("{name}_created_at"), json!(at.map(PgTime::rfc3339)));
        entry.insert(
            format!("{name}_age_seconds"),
            json!(at.and_then(|t| t.seconds_before(now))),
        );
    }
    Value::Object(entry)
}

/// Topics or header values as a table fitted to the terminal: names are cut with an
/// ellipsis, never split mid-word.
fn group_table(ctx: &Context, header: &str, groups: &[GroupStats], now: PgTime) -> String {
    let mut columns = vec![Column {
        drop_order: None,
        ..Column::text(header, 0, 0)
    }];
    columns.extend(STATUSES.iter().map(|s| Column {
        drop_order: None,
        ..Column::number(s, 0)
    }));
    columns.push(Column {
        drop_order: None,
        ..Column::number("total", 0)
    });
    // The ages give way before the counts on a narrow terminal (JSON has them all).
    columns.push(Column {
        drop_order: Some(1),
        ..Column::whole("oldest pending")
    });
    columns.push(Column {
        drop_order: Some(0),
        ..Column::whole("oldest processing")
    });
    let age = |at: Option<PgTime>| {
        at.map_or(String::new(), |t| {
            t.seconds_before(now)
                .map_or_else(|| t.human(), |s| humanize(s as i64))
        })
    };
    let mut buffer = Vec::new();
    let mut table = StreamTable::new(columns, &mut buffer, output_width(), ctx.out.wide);
    for g in groups {
        let mut row = vec![g.value.clone().unwrap_or_else(|| "(none)".to_string())];
        row.extend(STATUSES.iter().map(|s| g.counts.get(s).to_string()));
        row.push(g.counts.total().to_string());
        row.push(age(g.oldest_pending));
        row.push(age(g.oldest_processing));
        let _ = table.push(row);
    }
    let _ = table.finish();
    String::from_utf8_lossy(&buffer).trim_end().to_string()
}

/// Error classes with their own label in the metrics; the rest are summed under
/// `class="(other)"`, so a flood of new classes cannot blow up a time-series database.
const METRIC_ERROR_CLASSES: usize = 20;

/// At most `max` groups, the largest by message count (ties by name, so the choice is
/// stable between scrapes), with the rest summed into one group named `(other)` whose
/// oldest pending message is the oldest of theirs; and how many were summed.
fn largest_groups(groups: &[GroupStats], max: usize) -> (Vec<GroupStats>, usize) {
    if groups.len() <= max {
        return (groups.to_vec(), 0);
    }
    let mut sorted: Vec<&GroupStats> = groups.iter().collect();
    sorted.sort_by(|a, b| {
        b.counts
            .total()
            .cmp(&a.counts.total())
            .then_with(|| a.value.cmp(&b.value))
    });
    let keep = max.saturating_sub(1);
    let (kept, rest) = sorted.split_at(keep);
    let mut other = GroupStats {
        value: Some("(other)".to_string()),
        counts: StatusCounts::default(),
        oldest_pending: None,
        oldest_processing: None,
    };
    for g in rest {
        absorb(&mut other, g);
    }
    let mut out: Vec<GroupStats> = kept.iter().map(|g| (*g).clone()).collect();
    out.push(other);
    // A real topic named "(other)" is the same series as the fold.
    (one_per_label(&out), rest.len())
}

/// Adds `g`'s counts and oldest times to `into`.
fn absorb(into: &mut GroupStats, g: &GroupStats) {
    for (status, n) in &g.counts.0 {
        into.counts.add(status.clone(), *n);
    }
    let oldest = |a: Option<PgTime>, b: Option<PgTime>| match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    into.oldest_pending = oldest(into.oldest_pending, g.oldest_pending);
    into.oldest_processing = oldest(into.oldest_processing, g.oldest_processing);
}

/// Groups as Prometheus labels name them: a NULL value and an empty one are both the
/// label "", so they are one series.
fn one_per_label(groups: &[GroupStats]) -> Vec<GroupStats> {
    let mut out: Vec<GroupStats> = Vec::with_capacity(groups.len());
    for g in groups {
        let label = g.value.clone().unwrap_or_default();
        match out
            .iter_mut()
            .find(|o| o.value.as_deref().unwrap_or_default() == label)
        {
            Some(same) => absorb(same, g),
            None => {
                let mut g = g.clone();
                g.value = Some(label);
                out.push(g);
            }
        }
    }
    out
}

/// The figures as the Prometheus text exposition, for the node_exporter textfile
/// collector or a scrape.
fn prometheus(
    ctx: &Context,
    stats: &OutboxStats,
    dedup: &DedupStats,
    breaches: &[Breach],
    by_error: Option<&[ErrorClass]>,
    rates: Option<&Result<Rates, String>>,
    max_series: usize,
) -> String {
    use crate::render::prometheus::{Exposition, Sample};
    let table = ctx.tables.outbox.as_str();
    let base = || vec![("table", table.to_string())];
    let with = |extra: &[(&'static str, String)]| {
        let mut labels = base();
        labels.extend(extra.iter().cloned());
        labels
    };
    let now = stats
        .now
        .unwrap_or_else(|| PgTime::from_chrono(chrono::Utc::now()));
    let age = |at: Option<PgTime>| at.and_then(|t| t.seconds_before(now)).unwrap_or(0.0);
    let mut e = Exposition::new();
    let mut statuses: Vec<Sample> = STATUSES
        .iter()
        .map(|s| {
            (
                with(&[("status", s.to_string())]),
                stats.by_status.get(s) as f64,
            )
        })
        .collect();
    statuses.extend(
        stats
            .by_status
            .0
            .iter()
            .filter(|(s, _)| !STATUSES.contains(&s.as_str()))
            .map(|(s, n)| (with(&[("status", s.clone())]), *n as f64)),
    );
    e.gauge(
        "outbox_messages",
        "Messages in the outbox table by status (pending exact; the others estimated when outbox_counts_estimated is 1).",
        &statuses,
    );
    e.gauge(
        "outbox_counts_estimated",
        "1 when the counts other than pending come from the planner's statistics.",
        &[(base(), if stats.estimated { 1.0 } else { 0.0 })],
    );
    e.gauge(
        "outbox_oldest_pending_age_seconds",
        "Age of the oldest pending message with a real date; 0 when none is pending.",
        &[(base(), stats.oldest_pending_age_seconds.unwrap_or(0.0))],
    );
    if let Some(stuck) = stats.stuck_processing {
        e.gauge(
            "outbox_stuck_processing_messages",
            "Messages in processing created longer ago than --stuck-after.",
            &[(base(), stuck as f64)],
        );
    }
    if let Some(topics) = &stats.by_topic {
        let (topics, omitted) = largest_groups(&one_per_label(topics), max_series);
        let mut counts = Vec::new();
        let mut ages = Vec::new();
        for g in &topics {
            let topic = g.value.clone().unwrap_or_default();
            for s in STATUSES {
                counts.push((
                    with(&[("topic", topic.clone()), ("status", s.to_string())]),
                    g.counts.get(s) as f64,
                ));
            }
            ages.push((with(&[("topic", topic)]), age(g.oldest_pending)));
        }
        e.gauge(
            "outbox_topic_messages",
            "Messages by topic and status (the largest topics; the rest under topic=\"(other)\").",
            &counts,
        );
        e.gauge(
            "outbox_topic_oldest_pending_age_seconds",
            "Age of each topic's oldest pending message; 0 when none is pending.",
            &ages,
        );
        e.gauge(
            "outbox_topics_folded",
            "Topics summed under topic=\"(other)\" to keep the series within --max-series.",
            &[(base(), omitted as f64)],
        );
    }
    let mut headers = Vec::new();
    let mut folded_values = Vec::new();
    for (key, groups) in &stats.by_header {
        let (groups, omitted) = largest_groups(&one_per_label(groups), max_series);
        for g in &groups {
            for s in STATUSES {
                headers.push((
                    with(&[
                        ("header", key.clone()),
                        ("value", g.value.clone().unwrap_or_default()),
                        ("status", s.to_string()),
                    ]),
                    g.counts.get(s) as f64,
                ));
            }
        }
        folded_values.push((with(&[("header", key.clone())]), omitted as f64));
    }
    e.gauge(
        "outbox_header_messages",
        "Messages by the value of a header key (empty value: no such header) and status (the largest values; the rest under value=\"(other)\").",
        &headers,
    );
    e.gauge(
        "outbox_header_values_folded",
        "Values of a header key summed under value=\"(other)\" to keep the series within --max-series.",
        &folded_values,
    );
    if let Some(classes) = by_error {
        let mut samples: Vec<Sample> = classes
            .iter()
            .take(METRIC_ERROR_CLASSES)
            .map(|c| (with(&[("class", c.class.clone())]), c.count as f64))
            .collect();
        if classes.len() > METRIC_ERROR_CLASSES {
            let rest: i64 = classes
                .iter()
                .skip(METRIC_ERROR_CLASSES)
                .map(|c| c.count)
                .sum();
            samples.push((with(&[("class", "(other)".to_string())]), rest as f64));
        }
        e.gauge(
            "outbox_failed_messages_by_error_class",
            "Failed messages by error class (the largest classes; the rest under (other)).",
            &samples,
        );
    }
    if dedup.exists {
        let dedup_labels = || vec![("table", ctx.tables.processed.clone())];
        e.gauge(
            "outbox_dedup_entries",
            "Entries in the dedup (processed) table.",
            &[(dedup_labels(), dedup.total as f64)],
        );
        e.gauge(
            "outbox_dedup_groups",
            "Consumer groups in the dedup table.",
            &[(dedup_labels(), dedup.groups as f64)],
        );
        e.gauge(
            "outbox_dedup_oldest_entry_age_seconds",
            "Age of the oldest dedup entry; 0 when the table is empty.",
            &[(dedup_labels(), age(dedup.oldest))],
        );
    }
    if let Some(Ok(r)) = rates {
        for (name, help, value) in [
            (
                "outbox_written_per_second",
                "Messages written per second over the --interval sample.",
                r.written_per_second,
            ),
            (
                "outbox_drained_per_second",
                "Messages leaving pending per second (written minus the growth of pending).",
                r.drained_per_second,
            ),
            (
                "outbox_updated_per_second",
                "Row updates (claims, deliveries, failures) per second.",
                r.updated_per_second,
            ),
            (
                "outbox_deleted_per_second",
                "Rows deleted per second.",
                r.deleted_per_second,
            ),
            (
                "outbox_pending_change_per_second",
                "Change of the pending count per second.",
                r.pending_change_per_second,
            ),
        ] {
            e.gauge(name, help, &[(base(), value)]);
        }
        if let Some(eta) = r.backlog_eta_seconds {
            e.gauge(
                "outbox_backlog_eta_seconds",
                "Seconds until no message is pending at the sampled rates (absent when the backlog is not shrinking).",
                &[(base(), eta)],
            );
        }
    }
    let breached: Vec<Sample> = breaches
        .iter()
        .map(|b| (with(&[("threshold", b.threshold.to_string())]), 1.0))
        .collect();
    e.gauge(
        "outbox_threshold_breached",
        "1 for each stats threshold breached in this run.",
        &breached,
    );
    // print_text ends the text with its one line feed.
    e.finish().trim_end_matches('\n').to_string()
}

/// `outbox.rates` in the JSON document: every figure, or why there are none.
fn with_rates(mut document: Value, rates: Option<&Result<Rates, String>>) -> Value {
    match rates {
        None => {}
        Some(Ok(r)) => {
            document["outbox"]["rates"] = json!({
                "interval_seconds": r.interval_seconds,
                "written_per_second": r.written_per_second,
                "updated_per_second": r.updated_per_second,
                "deleted_per_second": r.deleted_per_second,
                "pending_change_per_second": r.pending_change_per_second,
                "drained_per_second": r.drained_per_second,
                "pending": r.pending,
                "backlog_eta_seconds": r.backlog_eta_seconds,
            });
        }
        Some(Err(reason)) => {
            document["outbox"]["rates"] = json!({"unavailable": reason});
        }
    }
    document
}

/// The rates below the counts.
fn render_rates(ctx: &Context, rates: Option<&Result<Rates, String>>) -> String {
    let r = match rates {
        None => return String::new(),
        Some(Err(reason)) => return format!("\nrates: none this time: {reason}"),
        Some(Ok(r)) => r,
    };
    let per = |v: f64| format!("{v:.1}/s");
    let mut table = ctx
        .out
        .table(&["rates", &format!("over {:.1}s", r.interval_seconds)]);
    table.add_row(vec!["written".to_string(), per(r.written_per_second)]);
    table.add_row(vec![
        "drained from pending".to_string(),
        per(r.drained_per_second),
    ]);
    table.add_row(vec![
        "pending change".to_string(),
        format!("{:+.1}/s", r.pending_change_per_second),
    ]);
    table.add_row(vec!["row updates".to_string(), per(r.updated_per_second)]);
    table.add_row(vec!["deletes".to_string(), per(r.deleted_per_second)]);
    table.add_row(vec![
        "backlog empty in".to_string(),
        match r.backlog_eta_seconds {
            Some(s) if r.pending == 0 || s == 0.0 => "nothing pending".to_string(),
            Some(s) => humanize(s.round() as i64),
            None => "never at these rates (not shrinking)".to_string(),
        },
    ]);
    format!("\n{table}")
}

/// `by_error` in the JSON document: one object per class, largest first.
fn with_error_classes(mut document: Value, classes: Option<&[ErrorClass]>) -> Value {
    if let Some(classes) = classes {
        document["by_error"] = classes
            .iter()
            .map(|c| {
                json!({
                    "class": c.class,
                    "count": c.count,
                    "topics": c.topics,
                    "more_topics": c.more_topics,
                    "first_created_at": c.first_created_at.map(PgTime::rfc3339),
                    "last_created_at": c.last_created_at.map(PgTime::rfc3339),
                    "example_id": c.example_id.map(|id| id.to_string()),
                    "example_error": c.example_error,
                })
            })
            .collect();
    }
    document
}

/// The error classes as a table below the counts: the class is cut to the terminal (the
/// JSON carries it whole, with an example's full error).
fn render_error_classes(ctx: &Context, classes: Option<&[ErrorClass]>) -> String {
    let Some(classes) = classes else {
        return String::new();
    };
    if classes.is_empty() {
        return "\nno failed messages to group by error".to_string();
    }
    let now = PgTime::from_chrono(chrono::Utc::now());
    // The class is cut last and never dropped; topics give way first, then the age.
    let columns = vec![
        Column {
            drop_order: None,
            ..Column::number("messages", 0)
        },
        Column {
            drop_order: None,
            ..Column::text("error class", 2, 0)
        },
        Column::text("topics", 0, 0),
        Column::whole("newest"),
    ];
    let mut buffer = Vec::new();
    let mut table = StreamTable::new(columns, &mut buffer, output_width(), ctx.out.wide);
    for c in classes {
        let mut topics = c.topics.join(", ");
        if c.more_topics > 0 {
            topics.push_str(&format!(" and {} more", c.more_topics));
        }
        let _ = table.push(vec![
            c.count.to_string(),
            c.class.clone(),
            topics,
            c.last_created_at.map_or_else(
                || "null".to_string(),
                |last| {
                    last.seconds_before(now)
                        .map_or_else(|| last.human(), |s| format!("{} ago", humanize(s as i64)))
                },
            ),
        ]);
    }
    let _ = table.finish();
    format!("\n{}", String::from_utf8_lossy(&buffer).trim_end())
}

fn status_counts(counts: impl Fn(&str) -> i64) -> Map<String, Value> {
    STATUSES
        .iter()
        .map(|s| (s.to_string(), json!(counts(s))))
        .collect()
}

fn to_json(
    ctx: &Context,
    stuck_after: std::time::Duration,
    stats: &OutboxStats,
    dedup: &DedupStats,
    dedup_error: Option<&str>,
    breaches: &[Breach],
) -> Value {
    let mut outbox = json!({
        "table": ctx.tables.outbox,
        // Pending and the oldest pending are exact either way.
        "estimated": stats.estimated,
        "total": stats.by_status.total(),
        "by_status": status_counts(|s| stats.by_status.get(s)),
        "oldest_pending_created_at": stats.oldest_pending.map(PgTime::rfc3339),
        // The age of that very row: null when it is stamped with an infinity.
        "oldest_pending_age_seconds": if stats.oldest_pending.is_some_and(PgTime::is_finite) {
            stats.oldest_pending_age_seconds
        } else {
            None
        },
        // The oldest pending row with a real date, which thresholds use.
        "oldest_dated_pending_created_at": stats.oldest_dated_pending.map(PgTime::rfc3339),
        "oldest_dated_pending_age_seconds": stats.oldest_pending_age_seconds,
    });
    // Statuses the library never sets are reported rather than hidden.
    let unknown: Map<String, Value> = stats
        .by_status
        .0
        .iter()
        .filter(|(s, _)| !STATUSES.contains(&s.as_str()))
        .map(|(s, n)| (s.clone(), json!(n)))
        .collect();
    if !unknown.is_empty() {
        outbox["other_statuses"] = Value::Object(unknown);
    }
    outbox["stuck_processing"] = json!(stats.stuck_processing);
    outbox["stuck_after_seconds"] = json!(stuck_after.as_secs_f64());
    let now = stats
        .now
        .unwrap_or_else(|| PgTime::from_chrono(chrono::Utc::now()));
    if let Some(topics) = &stats.by_topic {
        let by_topic: Map<String, Value> = topics
            .iter()
            .map(|g| (g.value.clone().unwrap_or_default(), group_json(g, now)))
            .collect();
        outbox["by_topic"] = Value::Object(by_topic);
    }
    if !stats.by_header.is_empty() {
        let by_header: Map<String, Value> = stats
            .by_header
            .iter()
            .map(|(key, groups)| {
                let values: Vec<Value> = groups
                    .iter()
                    .map(|g| {
                        let mut entry = group_json(g, now);
                        entry["value"] = json!(g.value);
                        entry
                    })
                    .collect();
                (key.clone(), Value::Array(values))
            })
            .collect();
        outbox["by_header"] = Value::Object(by_header);
    }
    json!({
        "outbox": outbox,
        "dedup": {
            "table": ctx.tables.processed,
            "exists": dedup.exists,
            "total": dedup.exists.then_some(dedup.total),
            "estimated": dedup.estimated,
            "groups": dedup.exists.then_some(dedup.groups),
            "oldest_processed_at": dedup.oldest.map(PgTime::rfc3339),
            "error": dedup_error,
        },
        "breaches": breaches.iter().map(|b| json!({
            "threshold": b.threshold,
            "limit": b.limit,
            "actual": b.actual,
            "message": b.message,
            "estimated": b.estimated,
        })).collect::<Vec<_>>(),
    })
}

#[allow(clippy::too_many_arguments)]
fn render(
    ctx: &Context,
    stuck_after: std::time::Duration,
    target: &str,
    stats: &OutboxStats,
    dedup: &DedupStats,
    dedup_cols: &DedupColumns,
    breaches: &[Breach],
) -> String {
    let mut table = ctx.out.table(&["outbox", &ctx.tables.outbox]);
    // `~` marks a figure from the planner's statistics.
    let figure = |status: &str, n: i64| {
        if stats.estimated && status != "pending" {
            format!("~{n}")
        } else {
            n.to_string()
        }
    };
    table.add_row(vec![
        "total".to_string(),
        figure("total", stats.by_status.total()),
    ]);
    for status in STATUSES {
        table.add_row(vec![
            status.to_string(),
            figure(status, stats.by_status.get(status)),
        ]);
        if status == "processing" {
            table.add_row(vec![
                format!("  stuck (> {})", format_duration(stuck_after)),
                stats
                    .stuck_processing
                    .map_or("not counted (estimate)".to_string(), |n| n.to_string()),
            ]);
        }
    }
    for (status, count) in stats
        .by_status
        .0
        .iter()
        .filter(|(s, _)| !STATUSES.contains(&s.as_str()))
    {
        table.add_row(vec![
            format!("{status} (unknown status)"),
            figure(status, *count),
        ]);
    }
    let oldest = match (stats.oldest_pending, stats.oldest_pending_age_seconds) {
        (Some(at), Some(age)) if at.is_finite() => {
            format!("{} ({} ago)", at.human(), humanize(age as i64))
        }
        (Some(at), Some(age)) => format!(
            "{} (oldest dated one {} ago)",
            at.human(),
            humanize(age as i64)
        ),
        (Some(at), None) => at.human(),
        _ => "none".to_string(),
    };
    table.add_row(vec!["oldest pending".to_string(), oldest]);
    let mut text = format!("{target}\n{table}");
    if stats.estimated {
        text.push_str(
            "\n~ estimated from the planner's statistics (pending and the oldest pending are exact; --exact counts every row)",
        );
    }

    let now = stats
        .now
        .unwrap_or_else(|| PgTime::from_chrono(chrono::Utc::now()));
    if let Some(topics) = &stats.by_topic {
        text.push('\n');
        text.push_str(&group_table(ctx, "topic", topics, now));
    }
    for (key, groups) in &stats.by_header {
        text.push('\n');
        text.push_str(&group_table(ctx, &format!("header {key}"), groups, now));
    }

    let mut dedup_table = ctx.out.table(&["dedup", &ctx.tables.processed]);
    if dedup.exists {
        dedup_table.add_row(vec![
            "total".to_string(),
            if dedup.estimated {
                format!("~{}", dedup.total)
            } else {
                dedup.total.to_string()
            },
        ]);
        // A table with other column names says which ones it counted by.
        let by = |role: &str, col: &str| {
            if dedup_cols.is_ours() {
                role.to_string()
            } else {
                format!("{role} ({col})")
            }
        };
        dedup_table.add_row(vec![
            by("groups", &dedup_cols.group.name),
            dedup.groups.to_string(),
        ]);
        dedup_table.add_row(vec![
            by("oldest entry", &dedup_cols.at.name),
            dedup.oldest.map_or("none".to_string(), |t| {
                t.when(PgTime::from_chrono(chrono::Utc::now()))
            }),
        ]);
    } else {
        dedup_table.add_row(vec![
            "exists".to_string(),
            "no (run \"outboxctl migrate\")".to_string(),
        ]);
    }
    text.push('\n');
    text.push_str(&dedup_table.to_string());
    for breach in breaches {
        let line = format!(
            "BREACHED: {}",
            crate::render::output::escape(&breach.message)
        );
        if ctx.out.color {
            text.push_str(&format!("\n\x1b[1;31m{line}\x1b[0m"));
        } else {
            text.push_str(&format!("\n{line}"));
        }
    }
    text
}
