//! Drift between the live tables and the contract (ARCHITECTURE.md §1): what `check` prints
//! and the doctor summarises.

use crate::db::catalog::{self, LiveColumn, LiveIndex, Predicates};
use crate::db::ident;
use crate::db::session::{Rel, Tx};
use crate::tables::dedup_columns::{ColumnMap, DedupColumns};
use crate::tables::partitions;
use crate::tables::schema::{self, ColumnSpec, STATUSES, TableKind, TableSpec};

/// Whether [`inspect`] also counts rows whose status the library never sets: a scan of
/// the outbox table, which the doctor must never do.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum StatusScan {
    Count,
    Skip,
}

pub struct TableReport<'a> {
    pub kind: TableKind,
    pub rel: &'a Rel,
    pub differences: Vec<String>,
    pub unknown_statuses: Vec<(String, i64)>,
    /// The dedup table's columns when they have other names than ours.
    pub mapped: Option<DedupColumns>,
    /// The table is partitioned: its partition key as the catalog prints it
    /// (`RANGE (created_at)` for outboxctl's layout).
    pub partitioned: Option<String>,
}

pub fn inspect<'a>(
    tx: &mut Tx<'_>,
    kind: TableKind,
    rel: &'a Rel,
    dedup_columns: &ColumnMap,
    statuses: StatusScan,
    predicates: Predicates,
) -> anyhow::Result<TableReport<'a>> {
    let fail = |e| crate::db::errors::explain_table_error(e, rel);
    let mut report = TableReport {
        kind,
        rel,
        differences: Vec::new(),
        unknown_statuses: Vec::new(),
        mapped: None,
        partitioned: None,
    };
    let Some(oid) = rel.oid else {
        return Ok(report);
    };
    let mut live_columns = catalog::columns(tx, oid).map_err(fail)?;
    let mut live_indexes = catalog::indexes_as(tx, oid, predicates).map_err(fail)?;
    if kind == TableKind::Processed {
        let cols = DedupColumns::resolve(tx, rel, dedup_columns)?;
        if !cols.is_ours() {
            // Compare by role: the live columns are renamed to the contract's names, so
            // a mapped table is compatible and a wrong type or nullability is still drift.
            let ours = DedupColumns::ours();
            let renames: Vec<(String, &str)> = cols
                .names()
                .iter()
                .zip(ours.names())
                .map(|(theirs, ours)| (theirs.to_string(), ours))
                .collect();
            let rename = |name: &mut String| {
                if let Some((_, ours)) = renames.iter().find(|(theirs, _)| theirs == name) {
                    *name = ours.to_string();
                }
            };
            live_columns.iter_mut().for_each(|c| rename(&mut c.name));
            for index in &mut live_indexes {
                index.columns.iter_mut().for_each(rename);
            }
            report.mapped = Some(cols);
        }
    }
    let mut spec = schema::contract(kind, &rel.name);
    report.partitioned = partitions::partition_key(tx, oid).map_err(fail)?;
    let mut layout_differences = Vec::new();
    if let Some(key) = &report.partitioned {
        if kind == TableKind::Outbox && key == partitions::OUR_KEY {
            // PostgreSQL requires the partition key in the primary key.
            spec.primary_key = vec!["id", "created_at"];
        } else {
            layout_differences.push(format!(
                "partitioned by {key}; the partitioned layout outboxctl and the library run on is an outbox partitioned by {}",
                partitions::OUR_KEY
            ));
        }
    }
    report.differences = compare(&rel.name, &spec, &live_columns, &live_indexes);
    report.differences.extend(layout_differences);
    if let Some(cols) = &report.mapped {
        // Compared by role, reported in the table's own names.
        let ours = DedupColumns::ours();
        for difference in &mut report.differences {
            for (theirs, our) in cols.names().iter().zip(ours.names()) {
                *difference = replace_word(difference, our, theirs);
            }
        }
    }

    let status_is_text = live_columns
        .iter()
        .any(|c| c.name == "status" && c.data_type == "text");
    if kind == TableKind::Outbox && status_is_text && statuses == StatusScan::Count {
        let known: Vec<String> = STATUSES.iter().map(|s| s.to_string()).collect();
        let rows = tx
            .query(
                &format!(
                    "SELECT status::pg_catalog.text, pg_catalog.count(*) FROM {} WHERE status::pg_catalog.text OPERATOR(pg_catalog.<>) ALL($1) GROUP BY 1 ORDER BY 2 DESC, 1",
                    rel.sql
                ),
                &crate::params![known],
            )
            .map_err(fail)?;
        for row in rows {
            report.unknown_statuses.push((row.get(0), row.get(1)));
        }
    }
    Ok(report)
}

/// `text` with the identifier `word` (whole, not inside another name) replaced.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before_ok = !rest[..at].chars().next_back().is_some_and(is_ident);
        let after_ok = !rest[at + word.len()..].chars().next().is_some_and(is_ident);
        out.push_str(&rest[..at]);
        out.push_str(if before_ok && after_ok { with } else { word });
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
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
        // By name, or (a table made by other DDL) an index on the same columns.
        let Some(have) = indexes
            .iter()
            .find(|i| i.name == ident::folded(&want.name))
            .or_else(|| {
                indexes.iter().find(|i| {
                    !i.primary
                        && i.columns == want.columns
                        && i.predicate_read()
                        && i.predicate.as_deref() == want.predicate
                })
            })
        else {
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
        if have.predicate_read() && have.predicate.as_deref() != want.predicate {
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
