//! `stats` for people: the counts, the topics and header values, the error classes and
//! the rates, as tables fitted to the terminal.

use crate::db::pgtime::PgTime;
use crate::render::layout::{Column, StreamTable, output_width};
use crate::render::output::grouped;
use crate::render::stats::{Breach, Figures, StatsView};
use crate::tables::dedup::DedupStats;
use crate::tables::dedup_columns::DedupColumns;
use crate::tables::error_class::ErrorClass;
use crate::tables::outbox::{GroupStats, OutboxStats};
use crate::tables::rates::Rates;
use crate::tables::schema::STATUSES;
use crate::units::{format_duration, humanize};

/// Everything `stats` shows a person about one target.
pub fn text(view: &StatsView<'_>, figures: &Figures, target: &str) -> String {
    counts(
        view,
        target,
        &figures.stats,
        &figures.dedup,
        &figures.dedup_cols,
        &figures.breaches,
        figures.topics_left_out,
    ) + &error_classes(view, figures.by_error.as_deref())
        + &rates(view, figures.rates.as_ref())
}

fn counts(
    view: &StatsView<'_>,
    target: &str,
    stats: &OutboxStats,
    dedup: &DedupStats,
    dedup_cols: &DedupColumns,
    breaches: &[Breach],
    figures_left_out: usize,
) -> String {
    let mut table = view.out.table(&["outbox", view.outbox_table]);
    // `~` marks a figure from the planner's statistics.
    let figure = |status: &str, n: i64| {
        if stats.estimated && status != "pending" {
            format!("~{}", grouped(n))
        } else {
            grouped(n)
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
                format!("  stuck (> {})", format_duration(view.stuck_after)),
                stats
                    .stuck_processing
                    .map_or("not counted (estimate)".to_string(), grouped),
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
        text.push_str(&group_table(view, "topic", topics, now));
        if figures_left_out > 0 {
            text.push_str(&format!(
                "\n… and {figures_left_out} more {} (--top)",
                if figures_left_out == 1 {
                    "topic"
                } else {
                    "topics"
                }
            ));
        }
    }
    for (key, groups) in &stats.by_header {
        text.push('\n');
        text.push_str(&group_table(view, &format!("header {key}"), groups, now));
    }

    let mut dedup_table = view.out.table(&["dedup", view.processed_table]);
    if dedup.exists {
        dedup_table.add_row(vec![
            "total".to_string(),
            if dedup.estimated {
                format!("~{}", grouped(dedup.total))
            } else {
                grouped(dedup.total)
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
            grouped(dedup.groups),
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
        if view.out.color {
            text.push_str(&format!("\n\x1b[1;31m{line}\x1b[0m"));
        } else {
            text.push_str(&format!("\n{line}"));
        }
    }
    text
}

/// Topics or header values as a table fitted to the terminal: names are cut with an
/// ellipsis, never split mid-word.
fn group_table(view: &StatsView<'_>, header: &str, groups: &[GroupStats], now: PgTime) -> String {
    let mut columns = vec![Column {
        drop_order: None,
        ..Column::text(header, 0, 0)
    }];
    // On a narrow terminal the counts a person acts on least give way first — processed,
    // the total, processing (its age says whether anything is stuck) — so the backlog
    // and its ages stay at 80 columns (JSON has them all).
    let drop_order = |status: &str| match status {
        "processed" => Some(0),
        "processing" => Some(2),
        _ => None,
    };
    columns.extend(STATUSES.iter().map(|s| Column {
        drop_order: drop_order(s),
        ..Column::number(s, 0)
    }));
    columns.push(Column {
        drop_order: Some(1),
        ..Column::number("total", 0)
    });
    columns.push(Column {
        drop_order: Some(4),
        ..Column::whole("oldest pending")
    });
    columns.push(Column {
        drop_order: Some(3),
        ..Column::whole("oldest processing")
    });
    let age = |at: Option<PgTime>| {
        at.map_or(String::new(), |t| {
            t.seconds_before(now)
                .map_or_else(|| t.human(), |s| humanize(s as i64))
        })
    };
    let mut buffer = Vec::new();
    let mut table = StreamTable::new(columns, &mut buffer, output_width(), view.out.wide);
    for g in groups {
        let mut row = vec![g.value.clone().unwrap_or_else(|| "(none)".to_string())];
        row.extend(STATUSES.iter().map(|s| grouped(g.counts.get(s))));
        row.push(grouped(g.counts.total()));
        row.push(age(g.oldest_pending));
        row.push(age(g.oldest_processing));
        let _ = table.push(row);
    }
    let _ = table.finish();
    String::from_utf8_lossy(&buffer).trim_end().to_string()
}

/// The rates below the counts.
fn rates(view: &StatsView<'_>, rates: Option<&Result<Rates, String>>) -> String {
    let r = match rates {
        None => return String::new(),
        Some(Err(reason)) => return format!("\nrates: none this time: {reason}"),
        Some(Ok(r)) => r,
    };
    let per = |v: f64| format!("{v:.1}/s");
    let mut table = view
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

/// The error classes as a table below the counts: the class is cut to the terminal (the
/// JSON carries it whole, with an example's full error).
fn error_classes(view: &StatsView<'_>, classes: Option<&[ErrorClass]>) -> String {
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
        Column::whole_dropped("id", 1),
        Column {
            drop_order: None,
            ..Column::text("error class", 2, 0)
        },
        Column::text("topics", 0, 0),
        Column::whole("newest"),
    ];
    let mut buffer = Vec::new();
    let mut table = StreamTable::new(columns, &mut buffer, output_width(), view.out.wide);
    for c in classes {
        // The count first, so a narrow cell still says how many topics share the cause.
        let all = c.topics.len() + c.more_topics;
        let topics = match c.topics.first() {
            Some(first) if all > 1 => format!("{all} topics: {first}, …"),
            Some(first) => first.clone(),
            None => String::new(),
        };
        let _ = table.push(vec![
            grouped(c.count),
            crate::tables::error_class::class_id(&c.class),
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
