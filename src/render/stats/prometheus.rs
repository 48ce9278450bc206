//! `stats --format prometheus`: the figures as the Prometheus text exposition, for a
//! scrape or the node_exporter textfile collector, with the series bounded.

use crate::db::pgtime::PgTime;
use crate::render::stats::{Figures, StatsView};
use crate::tables::outbox::{GroupStats, StatusCounts};
use crate::tables::schema::STATUSES;

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
pub fn exposition(view: &StatsView<'_>, figures: &Figures) -> String {
    use crate::render::prometheus::{Exposition, Sample};
    let (stats, dedup, breaches) = (&figures.stats, &figures.dedup, &figures.breaches);
    let by_error = figures.by_error.as_deref();
    let rates = figures.rates.as_ref();
    let max_series = view.max_series;
    let table = view.outbox_table;
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
        let dedup_labels = || vec![("table", view.processed_table.to_string())];
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
