//! Queries on the dedup ("processed") table: the library's mark / is-processed / purge,
//! and what operators need around them.

use serde_json::{Map, Value};

use crate::db::pgtime::PgTime;
use crate::db::session::{Rel, Tx};
use crate::db::sql::Params;
use crate::error::usage;
use crate::tables::dedup_columns::DedupColumns;
use crate::tables::timearg::TimeArg;

/// The dedup table as found: where it is and what its columns are called.
#[derive(Clone, Debug)]
pub struct DedupTable {
    pub rel: Rel,
    pub cols: DedupColumns,
}

/// The dedup table's figures for `stats`; zero when it does not exist.
#[derive(Debug, Clone, Default)]
pub struct DedupStats {
    pub exists: bool,
    pub total: i64,
    /// `total` is the planner's estimate (scaled to the file's size now).
    pub estimated: bool,
    pub groups: i64,
    pub oldest: Option<PgTime>,
}

/// The dedup table's figures. With `estimate`, the total comes from the planner's
/// statistics instead of a count of every entry (when the table was ever analyzed); the
/// oldest entry and the groups are read through indexes either way.
pub fn stats(
    tx: &mut Tx<'_>,
    t: &DedupTable,
    estimate: bool,
) -> Result<DedupStats, tokio_postgres::Error> {
    if !t.rel.exists() {
        return Ok(DedupStats::default());
    }
    let table = &t.rel.sql;
    let (group, at) = (&t.cols.group.sql, &t.cols.at.sql);
    let none = Params::default();
    let planned: Option<f64> = if estimate {
        tx.query_one(
            "SELECT CASE WHEN reltuples OPERATOR(pg_catalog.<) 0 THEN NULL
                         WHEN relpages OPERATOR(pg_catalog.=) 0 THEN reltuples::pg_catalog.float8
                         ELSE (reltuples::pg_catalog.float8 OPERATOR(pg_catalog./) relpages)
                              OPERATOR(pg_catalog.*) (pg_catalog.pg_relation_size(oid) OPERATOR(pg_catalog./) pg_catalog.current_setting('block_size')::pg_catalog.int8) END
               FROM pg_catalog.pg_class WHERE oid OPERATOR(pg_catalog.=) $1",
            &crate::params![t.rel.oid.unwrap_or_default()],
        )?
        .get(0)
    } else {
        None
    };
    let row = match planned {
        Some(_) => tx.query_one(
            &format!("SELECT 0::pg_catalog.int8, pg_catalog.min({at})::pg_catalog.timestamptz FROM {table}"),
            &none,
        )?,
        None => tx.query_one(
            &format!("SELECT pg_catalog.count(*), pg_catalog.min({at})::pg_catalog.timestamptz FROM {table}"),
            &none,
        )?,
    };
    // Distinct groups by skipping along the primary key (a loose index scan): one probe
    // per group instead of a sort of every row.
    let groups: i64 = tx
        .query_one(
            &format!(
                "WITH RECURSIVE g(name) AS (
                     (SELECT {group} FROM {table} ORDER BY {group} LIMIT 1)
                     UNION ALL
                     SELECT (SELECT t.{group} FROM {table} t WHERE t.{group} OPERATOR(pg_catalog.>) g.name
                              ORDER BY t.{group} LIMIT 1)
                       FROM g WHERE g.name IS NOT NULL)
                 SELECT pg_catalog.count(name) FROM g"
            ),
            &none,
        )?
        .get(0);
    Ok(DedupStats {
        exists: true,
        total: match planned {
            Some(rows) => rows.round() as i64,
            None => row.try_get(0)?,
        },
        estimated: planned.is_some(),
        groups,
        oldest: row.try_get(1)?,
    })
}

/// One dedup entry.
#[derive(Debug, Clone)]
///
/// Every column is read as optional (a table whose primary key was dropped can hold a
/// NULL group or id): NULL is shown as null.
pub struct Entry {
    pub group_name: Option<String>,
    pub msg_id: Option<String>,
    pub metadata: Option<Value>,
    /// `None` when the time column drifted to nullable and holds NULL.
    pub processed_at: Option<PgTime>,
}

pub const ENTRY_FIELDS: &[&str] = &["group_name", "msg_id", "metadata", "processed_at"];

impl Entry {
    pub fn from_row(row: &tokio_postgres::Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            group_name: row.try_get(0)?,
            msg_id: row.try_get(1)?,
            metadata: row
                .try_get::<_, Option<crate::db::jsonb::Jsonb>>(2)?
                .map(crate::db::jsonb::Jsonb::into_value),
            processed_at: row.try_get(3)?,
        })
    }

    /// The machine-format row.
    pub fn to_row(&self) -> EntryRow {
        EntryRow {
            group_name: self.group_name.clone(),
            msg_id: self.msg_id.clone(),
            metadata: self.metadata.clone(),
            processed_at: self.processed_at.map(PgTime::rfc3339),
        }
    }

    /// The machine-format row as a JSON object.
    pub fn to_json(&self) -> Map<String, Value> {
        match serde_json::to_value(self.to_row()) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        }
    }
}

/// One dedup entry as the machine formats write it (`dedup list`, `dedup check`, the
/// samples of `dedup purge --dry-run`), under the library's column names whatever the
/// table calls them; `--columns` leaves keys out.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryRow {
    pub group_name: Option<String>,
    pub msg_id: Option<String>,
    /// The metadata JSON, as stored.
    pub metadata: Option<Value>,
    /// RFC 3339 with microseconds, or `infinity` / `-infinity`.
    pub processed_at: Option<String>,
}

/// Parses metadata as the library accepts it: empty means none (NULL); anything else must
/// be valid JSON, and is refused with the parser's position before anything is sent.
pub fn parse_metadata(text: &str) -> anyhow::Result<Option<Value>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| usage(format!("invalid JSON metadata: {e}")))?;
    if contains_nul(&value) {
        return Err(usage(
            "invalid JSON metadata: it contains \\u0000, which PostgreSQL's jsonb cannot store",
        ));
    }
    Ok(Some(value))
}

fn contains_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(contains_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || contains_nul(v)),
        _ => false,
    }
}

/// The outcome of `mark`.
pub struct Marked {
    pub inserted: bool,
    pub entry: Option<Entry>,
}

/// Inserts the entry unless the pair is there; never overwrites. Of many concurrent marks
/// of one pair exactly one inserts (`ON CONFLICT DO NOTHING` on the primary key).
pub fn mark(
    tx: &mut Tx<'_>,
    t: &DedupTable,
    group: &str,
    msg_id: &str,
    metadata: Option<&Value>,
) -> Result<Marked, tokio_postgres::Error> {
    let c = &t.cols;
    let inserted = tx.query_opt(
        &format!(
            "INSERT INTO {} ({}, {}, {}) VALUES ($1, $2, $3)
             ON CONFLICT ({}, {}) DO NOTHING
             RETURNING {}",
            t.rel.sql,
            c.group.sql,
            c.id.sql,
            c.metadata.sql,
            c.group.sql,
            c.id.sql,
            c.select_list()
        ),
        &crate::params![group.to_string(), msg_id.to_string(), metadata.cloned()],
    )?;
    if let Some(row) = inserted {
        return Ok(Marked {
            inserted: true,
            entry: Some(Entry::from_row(&row)?),
        });
    }
    // A new statement sees an entry another session committed while this one waited.
    Ok(Marked {
        inserted: false,
        entry: lookup(tx, t, group, msg_id)?,
    })
}

pub fn lookup(
    tx: &mut Tx<'_>,
    t: &DedupTable,
    group: &str,
    msg_id: &str,
) -> Result<Option<Entry>, tokio_postgres::Error> {
    tx.query_opt(
        &format!(
            "SELECT {} FROM {} WHERE {} OPERATOR(pg_catalog.=) $1 AND {} OPERATOR(pg_catalog.=) $2",
            t.cols.select_list(),
            t.rel.sql,
            t.cols.group.sql,
            t.cols.id.sql
        ),
        &crate::params![group.to_string(), msg_id.to_string()],
    )?
    .map(|row| Entry::from_row(&row))
    .transpose()
}

/// The conditions of `dedup list` and `dedup purge`.
#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    pub groups: Vec<String>,
    pub msg_id: Option<String>,
    pub processed_before: Option<TimeArg>,
    pub processed_after: Option<TimeArg>,
}

impl EntryFilter {
    pub fn conditions(&self, cols: &DedupColumns, params: &mut Params) -> Vec<String> {
        let (group, id, at) = (&cols.group.sql, &cols.id.sql, &cols.at.sql);
        let mut conditions = Vec::new();
        if !self.groups.is_empty() {
            conditions.push(format!(
                "{group} OPERATOR(pg_catalog.=) ANY({})",
                params.push(self.groups.clone())
            ));
        }
        if let Some(msg_id) = &self.msg_id {
            conditions.push(format!(
                "{id} OPERATOR(pg_catalog.=) {}",
                params.push(msg_id.clone())
            ));
        }
        if let Some(before) = &self.processed_before {
            conditions.push(format!(
                "{at} OPERATOR(pg_catalog.<) {}",
                before.to_sql(params)
            ));
        }
        if let Some(after) = &self.processed_after {
            conditions.push(format!(
                "{at} OPERATOR(pg_catalog.>=) {}",
                after.to_sql(params)
            ));
        }
        conditions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metadata() {
        assert_eq!(parse_metadata("").unwrap(), None);
        assert_eq!(parse_metadata("  ").unwrap(), None);
        assert_eq!(parse_metadata("42").unwrap(), Some(json!(42)));
        assert_eq!(
            parse_metadata("{\"a\":[1,\"x\"]}").unwrap(),
            Some(json!({"a": [1, "x"]}))
        );
        let err = parse_metadata("{\"a\": }").unwrap_err().to_string();
        assert!(err.contains("line 1 column 7"), "{err}");
        assert!(parse_metadata("{\"a\":\"\\u0000\"}").is_err());
        assert!(parse_metadata("[1] [2]").is_err());
    }
}
