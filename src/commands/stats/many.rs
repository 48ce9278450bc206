//! `stats` over several targets at once: one report per target, the failures named.

use serde_json::Value;

use super::{gather, view};
use crate::cli::StatsArgs;
use crate::commands::targets::{Named, answer, each_target};
use crate::context::Context;
use crate::error::usage;
use crate::render::layout::{Column, StreamTable, output_width};
use crate::render::output::{Format, json_value, print_json, print_json_line, print_text};
use crate::render::stats::Figures;
use crate::render::stats::report::{StatsReport, TargetStatsReport};
use crate::units::humanize;

pub(super) fn run(ctx: &Context, args: &StatsArgs, targets: Vec<Named>) -> anyhow::Result<()> {
    if ctx.out.format == Format::Prometheus {
        return Err(usage(
            "--format prometheus takes one target (one scrape per database): drop the extra -d / --service",
        ));
    }
    let results = each_target(ctx, &targets, |target| gather(target, args));
    let view = view(ctx, args);
    let objects: Vec<Value> = results
        .iter()
        .map(|(label, result)| {
            let report = match result {
                Ok(figures) => TargetStatsReport {
                    target: label.clone(),
                    ok: true,
                    report: Some(StatsReport::new(&view, figures)),
                    error: None,
                },
                Err(e) => TargetStatsReport {
                    target: label.clone(),
                    ok: false,
                    report: None,
                    error: Some(crate::db::errors::one_line(e)),
                },
            };
            json_value(&report)
        })
        .collect();
    let printed = match ctx.out.format {
        Format::Json => print_json(&Value::Array(objects)),
        Format::Ndjson => objects.iter().try_for_each(print_json_line),
        _ => print_text(table(&results, args)),
    };
    let breached = results
        .iter()
        .filter(|(_, r)| r.as_ref().is_ok_and(|g| !g.breaches.is_empty()))
        .count();
    let answer = answer(
        &results,
        "read",
        breached,
        format!(
            "thresholds breached on {breached} of {} targets",
            results.len()
        ),
    );
    crate::error::answer_after_output(printed, answer)
}

/// One row per target: its counts, or its error.
fn table(results: &[(String, anyhow::Result<Figures>)], args: &StatsArgs) -> String {
    let columns = vec![
        Column {
            drop_order: None,
            ..Column::text("target", 1, 0)
        },
        Column::number("total", 3),
        Column::number("pending", 9),
        Column::number("processing", 4),
        Column::number("stuck", 5),
        Column::number("failed", 8),
        Column::whole("oldest pending"),
        Column::text("note", 0, 6),
    ];
    let mut buffer = Vec::new();
    let mut out = StreamTable::new(columns, &mut buffer, output_width(), false);
    for (label, result) in results {
        let row = match result {
            Ok(g) => {
                let s = &g.stats;
                let mark = |status: &str, n: i64| {
                    if s.estimated && status != "pending" {
                        format!("~{n}")
                    } else {
                        n.to_string()
                    }
                };
                vec![
                    label.clone(),
                    mark("total", s.by_status.total()),
                    s.by_status.get("pending").to_string(),
                    mark("processing", s.by_status.get("processing")),
                    s.stuck_processing
                        .map_or("?".to_string(), |n| n.to_string()),
                    mark("failed", s.by_status.get("failed")),
                    match (s.oldest_pending, s.oldest_pending_age_seconds) {
                        (Some(at), _) if !at.is_finite() => at.human(),
                        (_, Some(age)) => humanize(age as i64),
                        _ => String::new(),
                    },
                    g.breaches
                        .iter()
                        .map(|b| format!("BREACHED: {}", b.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                ]
            }
            Err(e) => vec![
                label.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                format!("error: {}", crate::db::errors::one_line(e)),
            ],
        };
        let _ = out.push(row);
    }
    let _ = out.finish();
    let _ = args;
    String::from_utf8_lossy(&buffer).trim_end().to_string()
}
