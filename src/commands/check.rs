//! `outboxctl check`: compare the live tables with the contract (ARCHITECTURE.md §1) and print
//! every difference. Exit 0 when what exists matches, 3 on drift, 1 when the outbox table
//! (or a table named with `--only`) is missing. A dedup table that was never created is
//! reported as such and is not an error: services that only use the library's outbox
//! Store never create it.

use serde_json::Value;

use crate::cli::{CheckArgs, selected_tables};
use crate::context::Context;
use crate::db::catalog::Predicates;
use crate::db::errors::{describe_pg_error, missing_table};
use crate::db::session::Access;
use crate::error::negative;
use crate::render::output::{count_of, escape, json_value, print_records, print_text};
use crate::tables::drift::{StatusScan, TableReport, inspect};
use crate::tables::schema::{STATUSES, TableKind};

/// `check --format json`: whether the tables match the contract, and every difference.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckReport {
    /// Every table that exists matches, and the outbox (or the table named with
    /// `--only`) exists.
    pub ok: bool,
    /// `user@host:port/dbname`.
    pub target: String,
    pub tables: Vec<CheckedTable>,
}

/// One table as `check` found it (one line each with `--format ndjson` or `csv`).
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckedTable {
    pub table: String,
    /// Where it is, or would be created.
    pub schema: Option<String>,
    pub kind: TableKind,
    pub exists: bool,
    /// What differs from the contract, one sentence each.
    pub differences: Vec<String>,
    /// Statuses the library does not write, with how many rows hold each.
    pub unknown_statuses: Vec<StatusCount>,
    /// The dedup table's column names, when they are not the library's.
    pub columns: Option<DedupColumnNames>,
    /// The table is partitioned, by this key (`RANGE (created_at)`: outboxctl's
    /// time-partitioned layout, which the library runs on unchanged).
    pub partitioned: Option<String>,
}

#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusCount {
    pub status: String,
    pub count: i64,
}

/// The dedup table's own name for each of the library's columns.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DedupColumnNames {
    pub group_name: String,
    pub msg_id: String,
    pub metadata: String,
    pub processed_at: String,
}

pub fn run(ctx: &Context, args: &CheckArgs) -> anyhow::Result<()> {
    let (mut session, located) = ctx.open()?;
    let fail = |e: tokio_postgres::Error| {
        anyhow::anyhow!(
            "reading the catalog in {} failed: {}",
            located.outbox.target,
            describe_pg_error(&e)
        )
    };
    let mut tx = session.begin(Access::ReadOnly).map_err(fail)?;
    let mut reports = Vec::new();
    for kind in selected_tables(args.only) {
        let rel = match kind {
            TableKind::Outbox => &located.outbox,
            TableKind::Processed => &located.processed,
        };
        reports.push(inspect(
            &mut tx,
            kind,
            rel,
            ctx.dedup_columns(),
            StatusScan::Count,
            Predicates::Deparse,
        )?);
    }
    tx.commit().map_err(fail)?;
    // A missing dedup table is an error only when it was asked about by name.
    let required = |r: &TableReport| r.kind == TableKind::Outbox || args.only.is_some();

    let printed = if ctx.out.format.is_machine() {
        let tables: Vec<CheckedTable> = reports
            .iter()
            .map(|r| CheckedTable {
                table: r.rel.name.clone(),
                schema: r.rel.schema.clone(),
                kind: r.kind,
                exists: r.rel.exists(),
                differences: r.differences.clone(),
                unknown_statuses: r
                    .unknown_statuses
                    .iter()
                    .map(|(status, count)| StatusCount {
                        status: status.clone(),
                        count: *count,
                    })
                    .collect(),
                columns: r.mapped.as_ref().map(|c| DedupColumnNames {
                    group_name: c.group.name.clone(),
                    msg_id: c.id.name.clone(),
                    metadata: c.metadata.name.clone(),
                    processed_at: c.at.name.clone(),
                }),
                partitioned: r.partitioned.clone(),
            })
            .collect();
        let ok = reports
            .iter()
            .all(|r| (r.rel.exists() || !required(r)) && r.differences.is_empty());
        let rows: Vec<Value> = tables.iter().map(json_value).collect();
        print_records(
            ctx.out.format,
            &json_value(&CheckReport {
                ok,
                target: located.outbox.target.clone(),
                tables,
            }),
            &rows,
            &[
                "table",
                "schema",
                "kind",
                "exists",
                "differences",
                "unknown_statuses",
                "columns",
                "partitioned",
            ],
        )
    } else {
        let mut lines = vec![format!("checking {}", located.outbox.target)];
        for r in &reports {
            let name = &r.rel.name;
            match (r.rel.exists(), r.differences.len()) {
                (false, _) if required(r) => lines.push(format!("{name}: missing")),
                (false, _) => lines.push(format!(
                    "{name}: not created (fine for a service that does not use the dedup table; \"outboxctl migrate\" creates it)"
                )),
                (true, 0) if r.partitioned.is_some() => lines.push(format!(
                    "{name}: ok (partitioned by {})",
                    escape(r.partitioned.as_deref().unwrap_or_default())
                )),
                (true, 0) => lines.push(match &r.mapped {
                    None => format!("{name}: ok"),
                    Some(cols) => format!(
                        "{name}: ok (columns: {})",
                        escape(&cols.names().join(", "))
                    ),
                }),
                (true, n) => {
                    lines.push(format!(
                        "{name}: {}{}",
                        count_of(n as u64, "difference", "differences"),
                        r.mapped
                            .as_ref()
                            .map(|c| format!(" (columns: {})", escape(&c.names().join(", "))))
                            .unwrap_or_default()
                    ));
                    lines.extend(r.differences.iter().map(|d| format!("  - {}", escape(d))));
                }
            }
            for (status, count) in &r.unknown_statuses {
                lines.push(format!(
                    "  note: {} with status \"{}\", which the library never sets (it uses {})",
                    count_of(*count as u64, "row", "rows"),
                    escape(status),
                    STATUSES.join(", ")
                ));
            }
        }
        print_text(lines.join("\n"))
    };

    let drift: usize = reports.iter().map(|r| r.differences.len()).sum();
    let answer = if let Some(missing) = reports.iter().find(|r| !r.rel.exists() && required(r)) {
        Err(anyhow::anyhow!("{}", missing_table(missing.rel)))
    } else if drift > 0 {
        Err(negative(format!(
            "schema drift: {} from the contract",
            count_of(drift as u64, "difference", "differences")
        )))
    } else {
        Ok(())
    };
    crate::error::answer_after_output(printed, answer)
}
