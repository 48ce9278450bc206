//! `outboxctl partition list|maintain`: a time-partitioned outbox (`migrate
//! --partition-by`), its partitions, and the partitions made ahead.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::batch::retention;
use crate::cli::{PartitionCommand, PartitionListArgs, PartitionMaintainArgs};
use crate::context::Context;
use crate::db::errors::explain_table_error;
use crate::db::pgtime::PgTime;
use crate::db::session::{Access, Rel, Session};
use crate::db::sql::{Params, quote_ident};
use crate::render::layout::{Column, StreamTable, output_width};
use crate::render::output::{
    count_of, human_size, json_value, print_json, print_json_line, print_text,
};
use crate::tables::partitions::{self, Interval, Partition};
use crate::tables::timearg::resolve_past_cutoff;

pub fn run(ctx: &Context, command: &PartitionCommand) -> anyhow::Result<()> {
    match command {
        PartitionCommand::List(args) => list(ctx, args),
        PartitionCommand::Convert(args) => crate::commands::convert::run(ctx, args),
        PartitionCommand::Maintain(args) => {
            crate::commands::targets::run_each(ctx, &args.targets, |ctx| maintain(ctx, args))
        }
    }
}

/// One partition as `partition list --format json` prints it.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartitionReport {
    pub partition: String,
    /// The range's start (RFC 3339); null for the default partition.
    pub from: Option<String>,
    /// The range's end, exclusive; null for the default partition.
    pub to: Option<String>,
    pub default: bool,
    /// Null when estimated and the partition was never analyzed (`--exact` counts).
    pub rows: Option<i64>,
    /// `rows` is the planner's estimate (`--exact` counts).
    pub rows_estimated: bool,
    pub bytes: i64,
    /// With `--before`: whether `purge --before` would drop it whole now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub droppable: Option<bool>,
    /// With `--before`, when it is not droppable: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept_because: Option<String>,
}

/// The outbox, which must be outboxctl's partitioned layout.
fn partitioned(session: &mut Session, rel: &Rel) -> anyhow::Result<Vec<Partition>> {
    let oid = rel.require()?;
    let fail = |e| explain_table_error(e, rel);
    session.with_tx(Access::ReadOnly, &fail, |tx| {
        match partitions::partition_key(tx, oid).map_err(fail)? {
            Some(key) if key == partitions::OUR_KEY => partitions::list(tx, rel),
            Some(key) => anyhow::bail!(
                "\"{}\" on {} is partitioned by {key}, not by {}: outboxctl's partition commands work on the layout migrate --partition-by creates",
                rel.name,
                rel.target,
                partitions::OUR_KEY
            ),
            None => Err(crate::error::usage(format!(
                "\"{}\" on {} is not partitioned: create a partitioned outbox with `outboxctl migrate --partition-by day|week|month`",
                rel.name, rel.target
            ))),
        }
    })
}

/// `partition list` over one target, or each of several (`-d … -d …`, `--service`).
fn list(ctx: &Context, args: &PartitionListArgs) -> anyhow::Result<()> {
    let targets = crate::commands::targets::many_targets(ctx, &args.targets.service)?;
    if targets.is_empty() {
        let (reports, cutoff) = read_list(ctx, args)?;
        return render_list(ctx, &reports, cutoff);
    }
    let mut all = Vec::new();
    let mut failed = Vec::new();
    for (i, target) in targets.iter().enumerate() {
        let target_ctx = ctx.for_database(&target.conninfo);
        if crate::batch::signals::stop_requested() || (args.targets.fail_fast && !failed.is_empty())
        {
            all.push(TargetPartitions {
                target: target.label.clone(),
                ok: false,
                partitions: None,
                error: Some("not run (--fail-fast)".to_string()),
            });
            continue;
        }
        let result = read_list(&target_ctx, args);
        if !ctx.out.format.is_machine() {
            if i > 0 {
                print_text(String::new())?;
            }
            print_text(format!("{}:", crate::render::output::escape(&target.label)))?;
        }
        match result {
            Ok((reports, cutoff)) => {
                if !ctx.out.format.is_machine() {
                    render_list(&target_ctx, &reports, cutoff)?;
                }
                all.push(TargetPartitions {
                    target: target.label.clone(),
                    ok: true,
                    partitions: Some(reports),
                    error: None,
                });
            }
            Err(err) => {
                let error = crate::db::errors::one_line(&err);
                if !ctx.out.format.is_machine() {
                    crate::render::output::stderr_line(&format!(
                        "outboxctl: {}: {}",
                        crate::render::output::escape(&target.label),
                        crate::render::output::escape(&error)
                    ));
                }
                failed.push(format!("{}: {error}", target.label));
                all.push(TargetPartitions {
                    target: target.label.clone(),
                    ok: false,
                    partitions: None,
                    error: Some(error),
                });
            }
        }
    }
    let values = || all.iter().map(|r| json_value(&r)).collect::<Vec<_>>();
    match ctx.out.format {
        crate::render::output::Format::Json => print_json(&serde_json::Value::Array(values()))?,
        crate::render::output::Format::Ndjson => values().iter().try_for_each(print_json_line)?,
        crate::render::output::Format::Csv => {
            // One row per partition, the target first; a failed target is one row with
            // its error.
            let rows: Vec<serde_json::Value> = all
                .iter()
                .flat_map(|t| {
                    let head = serde_json::json!({"target": t.target, "error": t.error});
                    match &t.partitions {
                        Some(parts) if !parts.is_empty() => parts
                            .iter()
                            .map(|p| {
                                let mut row = json_value(p);
                                if let (Some(row), Some(head)) =
                                    (row.as_object_mut(), head.as_object())
                                {
                                    row.extend(head.clone());
                                }
                                row
                            })
                            .collect::<Vec<_>>(),
                        _ => vec![head],
                    }
                })
                .collect();
            crate::render::output::print_records(
                crate::render::output::Format::Csv,
                &serde_json::Value::Null,
                &rows,
                &std::iter::once("target")
                    .chain(PARTITION_CSV_COLUMNS)
                    .chain(std::iter::once("error"))
                    .collect::<Vec<_>>(),
            )?
        }
        _ => {}
    }
    if !failed.is_empty() {
        anyhow::bail!(
            "{} of {} targets failed: {}",
            failed.len(),
            all.len(),
            failed.join("; ")
        );
    }
    Ok(())
}

/// `partition list --format csv`'s columns: a [`PartitionReport`]'s keys.
const PARTITION_CSV_COLUMNS: [&str; 9] = [
    "partition",
    "from",
    "to",
    "default",
    "rows",
    "rows_estimated",
    "bytes",
    "droppable",
    "kept_because",
];

/// `partition list --format json` over several targets: one per target.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetPartitions {
    /// How the target was named: `user@host:port/dbname`, or `service NAME`.
    pub target: String,
    pub ok: bool,
    /// The target's partitions, as `partition list` gives them for one target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partitions: Option<Vec<PartitionReport>>,
    /// Why the target could not be listed, or `not run (--fail-fast)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One target's partitions, and the cutoff they were judged by.
fn read_list(
    ctx: &Context,
    args: &PartitionListArgs,
) -> anyhow::Result<(Vec<PartitionReport>, Option<DateTime<Utc>>)> {
    let (mut session, located) = ctx.open()?;
    let rel = &located.outbox;
    let found = partitioned(&mut session, rel)?;
    let fail = |e| explain_table_error(e, rel);
    let cutoff = match &args.before {
        Some(before) => Some(session.with_tx(Access::ReadOnly, &fail, |tx| {
            resolve_past_cutoff(tx, before)
        })?),
        None => None,
    };
    let rule = cutoff.map(|cutoff| retention::Rule {
        cutoff,
        include_failed: args.include_failed,
        topics: Vec::new(),
    });
    let mut reports = Vec::new();
    for partition in &found {
        let exact = if args.exact {
            Some(session.with_tx(Access::ReadOnly, &fail, |tx| {
                Ok(tx
                    .query_one(
                        &format!("SELECT pg_catalog.count(*) FROM ONLY {}", partition.sql()),
                        &Params::default(),
                    )
                    .map_err(fail)?
                    .get::<_, i64>(0))
            })?)
        } else {
            None
        };
        let (droppable, kept_because) = match &rule {
            Some(rule) => {
                let cutoff = rule.cutoff;
                if partition.is_default {
                    (
                        false,
                        Some("the default partition is never dropped".to_string()),
                    )
                } else if partition.is_partitioned {
                    (
                        false,
                        Some(
                            "it is itself partitioned: its own partitions are purged row by row"
                                .to_string(),
                        ),
                    )
                } else if partition.to.is_none_or(|to| to > cutoff) {
                    (false, Some("its range reaches past the cutoff".to_string()))
                } else {
                    let keepers = retention::check(&mut session, rel, partition, rule)?;
                    if keepers.none() {
                        (true, None)
                    } else {
                        (false, Some(format!("it holds {}", keepers.describe())))
                    }
                }
            }
            None => (false, None),
        };
        reports.push(PartitionReport {
            partition: partition.name.clone(),
            from: partition.from.map(rfc3339),
            to: partition.to.map(rfc3339),
            default: partition.is_default,
            rows: exact
                .or((partition.estimated_rows >= 0.0).then_some(partition.estimated_rows as i64)),
            rows_estimated: exact.is_none(),
            bytes: partition.bytes,
            droppable: cutoff.map(|_| droppable),
            kept_because,
        });
    }
    Ok((reports, cutoff))
}

fn render_list(
    ctx: &Context,
    reports: &[PartitionReport],
    cutoff: Option<DateTime<Utc>>,
) -> anyhow::Result<()> {
    let values = || reports.iter().map(|r| json_value(&r)).collect::<Vec<_>>();
    match ctx.out.format {
        crate::render::output::Format::Json => Ok(print_json(&serde_json::Value::Array(values()))?),
        crate::render::output::Format::Ndjson => {
            Ok(values().iter().try_for_each(print_json_line)?)
        }
        crate::render::output::Format::Csv => Ok(crate::render::output::print_records(
            crate::render::output::Format::Csv,
            &serde_json::Value::Null,
            &values(),
            &PARTITION_CSV_COLUMNS,
        )?),
        _ => {
            let mut columns = vec![
                Column::whole("partition"),
                Column::whole_dropped("from", 3),
                Column::whole_dropped("to", 2),
                Column::number("rows", 4),
                Column::number("size", 1),
            ];
            if cutoff.is_some() {
                columns.push(Column::text("retention", 0, 5));
            }
            let mut buffer = Vec::new();
            let mut table = StreamTable::new(columns, &mut buffer, output_width(), false);
            for r in reports {
                let day = |at: &Option<String>| {
                    at.as_deref()
                        .map_or("".to_string(), |t| t.get(..10).unwrap_or(t).to_string())
                };
                let mut row = vec![
                    r.partition.clone(),
                    match (r.default, &r.from) {
                        (true, _) => "(default)".to_string(),
                        (false, None) => "(min)".to_string(),
                        (false, from) => day(from),
                    },
                    day(&r.to),
                    match (r.rows, r.rows_estimated) {
                        (None, _) => "?".to_string(),
                        (Some(n), true) => format!("~{n}"),
                        (Some(n), false) => n.to_string(),
                    },
                    human_size(r.bytes),
                ];
                if cutoff.is_some() {
                    row.push(match (r.droppable, &r.kept_because) {
                        (Some(true), _) => "droppable".to_string(),
                        (_, Some(why)) => format!("kept: {why}"),
                        _ => String::new(),
                    });
                }
                let _ = table.push(row);
            }
            let _ = table.finish();
            let mut text = String::from_utf8_lossy(&buffer).trim_end().to_string();
            if let Some(cutoff) = cutoff {
                let droppable = reports.iter().filter(|r| r.droppable == Some(true)).count();
                text.push_str(&format!(
                    "\n{} of {} droppable by `purge --before {}`",
                    droppable,
                    count_of(reports.len() as u64, "partition", "partitions"),
                    PgTime::from_chrono(cutoff).rfc3339()
                ));
            }
            Ok(print_text(text)?)
        }
    }
}

fn rfc3339(at: DateTime<Utc>) -> String {
    PgTime::from_chrono(at).rfc3339()
}

/// The interval the existing partitions were made with, from the newest one's range.
fn interval_of(found: &[Partition]) -> Option<Interval> {
    let newest = found
        .iter()
        .rev()
        .find(|p| !p.is_default && p.from.is_some())?;
    let (from, to) = (newest.from?, newest.to?);
    let days = (to - from).num_days();
    match days {
        1 => Some(Interval::Day),
        7 => Some(Interval::Week),
        28..=31 if from.day() == 1 => Some(Interval::Month),
        _ => None,
    }
}

/// pg_partman's configuration for the table, when the extension manages it.
fn partman_config(session: &mut Session, rel: &Rel) -> anyhow::Result<Option<String>> {
    let fail = |e| explain_table_error(e, rel);
    session.with_tx(Access::ReadOnly, &fail, |tx| {
        let schema = tx
            .query_opt(
                "SELECT n.nspname::pg_catalog.text FROM pg_catalog.pg_extension e
                   JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
                  WHERE e.extname OPERATOR(pg_catalog.=) 'pg_partman'",
                &Params::default(),
            )
            .map_err(fail)?
            .map(|r| r.get::<_, String>(0));
        let Some(schema) = schema else {
            return Ok(None);
        };
        let parent = format!(
            "{}.{}",
            rel.schema.as_deref().unwrap_or("public"),
            rel.name.to_ascii_lowercase()
        );
        let row = tx
            .query_opt(
                &format!(
                    "SELECT partition_interval::pg_catalog.text, premake::pg_catalog.text FROM {}.part_config WHERE parent_table OPERATOR(pg_catalog.=) $1",
                    quote_ident(&schema)
                ),
                &crate::params![parent],
            )
            .map_err(fail)?;
        Ok(row.map(|r| {
            format!(
                "pg_partman (schema {schema}) manages it: interval {}, premake {}",
                r.get::<_, String>(0),
                r.get::<_, String>(1)
            )
        }))
    })
}

fn maintain(ctx: &Context, args: &PartitionMaintainArgs) -> anyhow::Result<()> {
    let (mut session, located) = ctx.open_to_change(args.dry_run)?;
    let rel = &located.outbox;
    let found = partitioned(&mut session, rel)?;
    let fail = |e| explain_table_error(e, rel);
    let default_rows = match found.iter().find(|p| p.is_default) {
        Some(default) => Some(session.with_tx(Access::ReadOnly, &fail, |tx| {
            Ok(tx
                .query_one(
                    &format!("SELECT pg_catalog.count(*) FROM ONLY {}", default.sql()),
                    &Params::default(),
                )
                .map_err(fail)?
                .get::<_, i64>(0))
        })?),
        None => None,
    };
    let mut made = Vec::new();
    let mut notes = Vec::new();
    if let Some(partman) = partman_config(&mut session, rel)? {
        // Two makers of partitions would fight over names and ranges: pg_partman's
        // run_maintenance() makes them; outboxctl only reports.
        notes.push(format!(
            "{partman}; its run_maintenance() makes the partitions ahead, so outboxctl made none"
        ));
    } else {
        let interval = interval_of(&found).ok_or_else(|| {
            anyhow::anyhow!(
                "the partitions of \"{}\" are not one day, week or month each: make them with migrate --partition-by, or by hand",
                rel.name
            )
        })?;
        let today: NaiveDate = session.with_tx(Access::ReadOnly, &fail, |tx| {
            partitions::today_utc(tx).map_err(fail)
        })?;
        let schema = rel.schema.clone().unwrap_or_else(|| "public".to_string());
        for (name, from, to) in partitions::ahead(interval, &rel.name, today, args.premake) {
            let covered = found.iter().any(|p| {
                !p.is_default
                    && p.from.is_some_and(|f| f.date_naive() <= from)
                    && p.to.is_some_and(|t| t.date_naive() > from)
            });
            if covered {
                continue;
            }
            let sql = crate::tables::schema::pin_to_catalog(&partitions::partition_ddl(
                &rel.sql, &schema, &name, from, to,
            ));
            if args.dry_run {
                made.push((name, sql));
                continue;
            }
            let created = session.with_tx(Access::ReadWrite, &fail, |tx| {
                tx.batch_execute(&sql).map_err(fail)
            });
            match created {
                Ok(()) => made.push((name, sql)),
                // Rows for that range already sit in the default partition: the new
                // partition cannot take the range until they move.
                Err(err) => notes.push(format!("{name} was not made: {err:#}")),
            }
        }
    }
    let summary = MaintainReport {
        dry_run: args.dry_run,
        created: made.iter().map(|(name, _)| name.clone()).collect(),
        sql: args
            .dry_run
            .then(|| made.iter().map(|(_, sql)| sql.clone()).collect()),
        default_rows,
        notes: notes.clone(),
    };
    if ctx.out.format.is_machine() {
        ctx.out
            .summary(&crate::render::output::json_object(&summary))?;
    } else {
        let mut lines = Vec::new();
        if args.dry_run {
            lines.extend(made.iter().map(|(_, sql)| sql.trim_end().to_string()));
        }
        lines.push(format!(
            "{} {} on {}",
            if args.dry_run { "would make" } else { "made" },
            count_of(made.len() as u64, "partition", "partitions"),
            rel.target
        ));
        for note in &notes {
            lines.push(format!("note: {note}"));
        }
        print_text(lines.join("\n"))?;
    }
    let failed = notes
        .iter()
        .filter(|n| n.contains(" was not made: "))
        .count();
    match default_rows {
        Some(n) if n > 0 => ctx.out.warn(format!(
            "the default partition of \"{}\" holds {} (no partition covers their created_at): make the partitions ahead earlier, or move them",
            rel.name,
            count_of(n as u64, "row", "rows")
        )),
        None => ctx.out.warn(format!(
            "\"{}\" has no default partition: a row no partition covers is refused",
            rel.name
        )),
        _ => {}
    }
    if failed > 0 {
        anyhow::bail!(
            "{failed} of the partitions ahead could not be made on {}: see the notes above",
            rel.target
        );
    }
    Ok(())
}

/// `partition maintain --format json`.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MaintainReport {
    pub dry_run: bool,
    /// Partitions made (in a dry run, that would be).
    pub created: Vec<String>,
    /// In a dry run: the statements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql: Option<Vec<String>>,
    /// Rows in the default partition (rows no partition covers); null without one.
    pub default_rows: Option<i64>,
    /// What was left alone and why (pg_partman manages the table, a range already in
    /// the default partition).
    pub notes: Vec<String>,
}
