//! `outboxctl check`: compare the live tables with the contract (design.md §1) and print
//! every difference. Exit 0 when they match, 3 on drift, 1 when a table is missing.

use postgres::Client;
use serde_json::json;

use crate::catalog::{self, LiveColumn, LiveIndex};
use crate::cli::{CheckArgs, selected_tables};
use crate::context::Context;
use crate::error::{describe_pg_error, negative};
use crate::ident;
use crate::output::{count_of, print_json, print_text};
use crate::schema::{self, ColumnSpec, STATUSES, TableKind, TableSpec};

struct TableReport<'a> {
    kind: TableKind,
    table: &'a str,
    exists: bool,
    differences: Vec<String>,
    unknown_statuses: Vec<(String, i64)>,
}

pub fn run(ctx: &Context, args: &CheckArgs) -> anyhow::Result<()> {
    let mut client = ctx.connect()?;
    let mut reports = Vec::new();
    for kind in selected_tables(args.only) {
        let table = ctx.tables.name(kind);
        reports.push(inspect(&mut client, kind, table)?);
    }

    if ctx.out.format.is_machine() {
        let tables: Vec<_> = reports
            .iter()
            .map(|r| {
                json!({
                    "table": r.table,
                    "kind": r.kind,
                    "exists": r.exists,
                    "differences": r.differences,
                    "unknown_statuses": r.unknown_statuses.iter()
                        .map(|(status, count)| json!({"status": status, "count": count}))
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        let ok = reports.iter().all(|r| r.exists && r.differences.is_empty());
        print_json(&json!({"ok": ok, "tables": tables}))?;
    } else {
        for r in &reports {
            match (r.exists, r.differences.len()) {
                (false, _) => print_text(format!("{}: missing", r.table))?,
                (true, 0) => print_text(format!("{}: ok", r.table))?,
                (true, n) => {
                    let lines: Vec<String> =
                        r.differences.iter().map(|d| format!("  - {d}")).collect();
                    print_text(format!(
                        "{}: {}\n{}",
                        r.table,
                        count_of(n as u64, "difference", "differences"),
                        lines.join("\n")
                    ))?
                }
            }
        }
    }

    if let Some(missing) = reports.iter().find(|r| !r.exists) {
        anyhow::bail!(
            "table \"{}\" does not exist — run \"outboxctl migrate\"",
            missing.table
        );
    }
    let drift: usize = reports.iter().map(|r| r.differences.len()).sum();
    if drift > 0 {
        return Err(negative(format!(
            "schema drift: {} from the contract",
            count_of(drift as u64, "difference", "differences")
        )));
    }
    Ok(())
}

fn inspect<'a>(
    client: &mut Client,
    kind: TableKind,
    table: &'a str,
) -> anyhow::Result<TableReport<'a>> {
    let mut report = TableReport {
        kind,
        table,
        exists: false,
        differences: Vec::new(),
        unknown_statuses: Vec::new(),
    };
    let Some(oid) = catalog::table_oid(client, table)? else {
        return Ok(report);
    };
    report.exists = true;
    let fail = |e: postgres::Error| {
        anyhow::anyhow!(
            "reading the catalog for \"{table}\" failed: {}",
            describe_pg_error(&e)
        )
    };
    let live_columns = catalog::columns(client, oid).map_err(fail)?;
    let live_indexes = catalog::indexes(client, oid).map_err(fail)?;
    let spec = schema::contract(kind, table);
    report.differences = compare(table, &spec, &live_columns, &live_indexes);

    let status_is_text = live_columns
        .iter()
        .any(|c| c.name == "status" && c.data_type == "text");
    if kind == TableKind::Outbox && status_is_text {
        let known: Vec<&str> = STATUSES.to_vec();
        let rows = client
            .query(
                &format!("SELECT status, count(*) FROM {table} WHERE status <> ALL($1) GROUP BY status ORDER BY 2 DESC, 1"),
                &[&known],
            )
            .map_err(fail)?;
        for row in rows {
            let status: String = row.get(0);
            let count: i64 = row.get(1);
            report.differences.push(format!(
                "{} with status {status:?}, which the library never sets (it uses {})",
                count_of(count as u64, "row", "rows"),
                STATUSES.join(", ")
            ));
            report.unknown_statuses.push((status, count));
        }
    }
    Ok(report)
}

fn describe_column(c: &ColumnSpec) -> String {
    let mut text = format!("{} {}", c.name, c.data_type);
    if c.not_null {
        text.push_str(" NOT NULL");
    }
    if let Some(default) = c.default {
        text.push_str(&format!(" DEFAULT {default}"));
    }
    text
}

/// Every way the live table differs from the contract, in words an operator can act on.
fn compare(
    table: &str,
    spec: &TableSpec,
    columns: &[LiveColumn],
    indexes: &[LiveIndex],
) -> Vec<String> {
    let mut differences = Vec::new();
    for want in &spec.columns {
        let Some(have) = columns.iter().find(|c| c.name == want.name) else {
            differences.push(format!("missing column {}", describe_column(want)));
            continue;
        };
        if have.data_type != want.data_type {
            differences.push(format!(
                "column {} has type {}, expected {}",
                want.name, have.data_type, want.data_type
            ));
        }
        if have.not_null != want.not_null {
            differences.push(format!(
                "column {} is {}, expected {}",
                want.name,
                if have.not_null {
                    "NOT NULL"
                } else {
                    "nullable"
                },
                if want.not_null {
                    "NOT NULL"
                } else {
                    "nullable"
                }
            ));
        }
        if have.default.as_deref() != want.default {
            differences.push(format!(
                "column {} has default {}, expected {}",
                want.name,
                have.default.as_deref().unwrap_or("none"),
                want.default.unwrap_or("none")
            ));
        }
    }
    for extra in columns
        .iter()
        .filter(|c| !spec.columns.iter().any(|w| w.name == c.name))
    {
        differences.push(format!(
            "extra column {} {}{} (not in the contract)",
            extra.name,
            extra.data_type,
            if extra.not_null && extra.default.is_none() {
                " NOT NULL without a default: the library's inserts will fail"
            } else {
                ""
            }
        ));
    }

    match indexes.iter().find(|i| i.primary) {
        None => differences.push(format!(
            "missing primary key ({})",
            spec.primary_key.join(", ")
        )),
        Some(pk) if pk.columns != spec.primary_key => differences.push(format!(
            "primary key is ({}), expected ({})",
            pk.columns.join(", "),
            spec.primary_key.join(", ")
        )),
        Some(_) => {}
    }

    for want in &spec.indexes {
        let Some(have) = indexes.iter().find(|i| i.name == ident::folded(&want.name)) else {
            differences.push(format!(
                "missing index {} on {table} ({}){}",
                want.name,
                want.columns.join(", "),
                want.predicate
                    .map(|p| format!(" WHERE {p}"))
                    .unwrap_or_default()
            ));
            continue;
        };
        if have.columns != want.columns {
            differences.push(format!(
                "index {} is on ({}), expected ({})",
                want.name,
                have.columns.join(", "),
                want.columns.join(", ")
            ));
        }
        if have.predicate.as_deref() != want.predicate {
            differences.push(format!(
                "index {} has predicate {}, expected {}",
                want.name,
                have.predicate.as_deref().unwrap_or("none"),
                want.predicate.unwrap_or("none")
            ));
        }
        if !have.valid {
            differences.push(format!(
                "index {} is invalid (a failed CREATE INDEX CONCURRENTLY?): drop and recreate it",
                want.name
            ));
        }
    }
    differences
}
