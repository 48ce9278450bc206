//! Queries on the dedup ("processed") table: the library's mark / is-processed / purge,
//! and what operators need around them.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::dedup_columns::DedupColumns;
use crate::error::usage;
use crate::mutation::{BatchOutcome, Batcher, RunStart};
use crate::pgtime::PgTime;
use crate::session::{Rel, Tx};
use crate::sql::Params;
use crate::timearg::TimeArg;
use crate::walk::{CtidWalk, WalkAction};

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
    pub groups: i64,
    pub oldest: Option<PgTime>,
}

pub fn stats(tx: &mut Tx<'_>, t: &DedupTable) -> Result<DedupStats, postgres::Error> {
    if !t.rel.exists() {
        return Ok(DedupStats::default());
    }
    let table = &t.rel.sql;
    let (group, at) = (&t.cols.group.sql, &t.cols.at.sql);
    let none = Params::default();
    let row = tx.query_one(
        &format!("SELECT count(*), min({at})::timestamptz FROM {table}"),
        &none,
    )?;
    // Distinct groups by skipping along the primary key (a loose index scan): one probe
    // per group instead of a sort of every row.
    let groups: i64 = tx
        .query_one(
            &format!(
                "WITH RECURSIVE g(name) AS (
                     (SELECT {group} FROM {table} ORDER BY {group} LIMIT 1)
                     UNION ALL
                     SELECT (SELECT t.{group} FROM {table} t WHERE t.{group} > g.name
                              ORDER BY t.{group} LIMIT 1)
                       FROM g WHERE g.name IS NOT NULL)
                 SELECT count(name) FROM g"
            ),
            &none,
        )?
        .get(0);
    Ok(DedupStats {
        exists: true,
        total: row.try_get(0)?,
        groups,
        oldest: row.try_get(1)?,
    })
}

/// One dedup entry.
#[derive(Debug, Clone)]
pub struct Entry {
    pub group_name: String,
    pub msg_id: String,
    pub metadata: Option<Value>,
    pub processed_at: PgTime,
}

pub const ENTRY_FIELDS: &[&str] = &["group_name", "msg_id", "metadata", "processed_at"];

impl Entry {
    pub fn from_row(row: &postgres::Row) -> Result<Self, postgres::Error> {
        Ok(Self {
            group_name: row.try_get(0)?,
            msg_id: row.try_get(1)?,
            metadata: row
                .try_get::<_, Option<crate::jsonb::Jsonb>>(2)?
                .map(crate::jsonb::Jsonb::into_value),
            processed_at: row.try_get(3)?,
        })
    }

    pub fn to_json(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("group_name".into(), json!(self.group_name));
        map.insert("msg_id".into(), json!(self.msg_id));
        map.insert(
            "metadata".into(),
            self.metadata.clone().unwrap_or(Value::Null),
        );
        map.insert("processed_at".into(), json!(self.processed_at.rfc3339()));
        map
    }
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
) -> Result<Marked, postgres::Error> {
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
) -> Result<Option<Entry>, postgres::Error> {
    tx.query_opt(
        &format!(
            "SELECT {} FROM {} WHERE {} = $1 AND {} = $2",
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
                "{group} = ANY({})",
                params.push(self.groups.clone())
            ));
        }
        if let Some(msg_id) = &self.msg_id {
            conditions.push(format!("{id} = {}", params.push(msg_id.clone())));
        }
        if let Some(before) = &self.processed_before {
            conditions.push(format!("{at} < {}", before.to_sql(params)));
        }
        if let Some(after) = &self.processed_after {
            conditions.push(format!("{at} >= {}", after.to_sql(params)));
        }
        conditions
    }
}

/// `dedup purge` in batches along the `processed_at` index. Each batch first finds, in
/// the index, the timestamp `batch size` entries past where the last batch stopped, then
/// deletes the index range below it: both steps read only this batch's entries, so the
/// whole purge is one pass however large the table. With a group filter the entries of
/// other groups count towards the window and are passed over: the table has no
/// (group_name, processed_at) index, and going through the primary key would re-read the
/// group from the start in every batch. When more entries than a batch share one
/// instant (every mark of one transaction shares its `now()`), that instant is walked by
/// ctid ranges, a batch at a time, so no batch ever exceeds the batch size.
pub struct KeysetPurge {
    table: DedupTable,
    statements: [String; 2],
    params: Params,
    start_at: String,
    limit_at: String,
    cutoff: DateTime<Utc>,
    groups: Vec<String>,
    run_start: RunStart,
    /// Where the next batch starts, and whether that instant itself is already done.
    after: Option<(PgTime, bool)>,
    /// The walk over one instant shared by more entries than a batch.
    ties: Option<(PgTime, CtidWalk)>,
}

const FROM_INCLUSIVE: usize = 0;
const FROM_EXCLUSIVE: usize = 1;

impl KeysetPurge {
    pub fn new(
        table: &DedupTable,
        cutoff: DateTime<Utc>,
        groups: &[String],
        run_start: RunStart,
    ) -> Self {
        let (statements, params, start_at, limit_at) =
            Self::statements(table, cutoff, groups, &run_start);
        Self {
            table: table.clone(),
            statements,
            params,
            start_at,
            limit_at,
            cutoff,
            groups: groups.to_vec(),
            run_start,
            after: None,
            ties: None,
        }
    }

    /// The batch statements: from where the batch starts (NULL at the very start),
    /// inclusive or exclusive, at most the batch size. They return the rows deleted and
    /// the timestamp where the next batch starts (NULL when none is left). Public so a
    /// test can check their plans use the index.
    pub fn statements(
        t: &DedupTable,
        cutoff: DateTime<Utc>,
        groups: &[String],
        run_start: &RunStart,
    ) -> ([String; 2], Params, String, String) {
        let table = &t.rel.sql;
        let (group, at) = (&t.cols.group.sql, &t.cols.at.sql);
        let mut params = Params::default();
        let start = params.push(None::<PgTime>);
        let limit = params.push(0i64);
        let cutoff = params.push(cutoff);
        let group_filter = if groups.is_empty() {
            String::new()
        } else {
            format!(" AND {group} = ANY({})", params.push(groups.to_vec()))
        };
        let existed = run_start.existed_condition(&mut params);
        let window = |op: &str| {
            format!(
                "WITH bound(at) AS (
                     SELECT {at} FROM {table}
                      WHERE {at} {op} coalesce({start}, '-infinity') AND {at} < {cutoff}
                      ORDER BY {at} OFFSET {limit} LIMIT 1),
                 deleted AS (
                     DELETE FROM {table}
                      WHERE {at} {op} coalesce({start}, '-infinity')
                        AND {at} < coalesce((SELECT at FROM bound), {cutoff}){group_filter}
                        AND {existed}
                     RETURNING 1)
                 SELECT (SELECT count(*) FROM deleted), (SELECT at::timestamptz FROM bound)"
            )
        };
        ([window(">="), window(">")], params, start, limit)
    }

    fn tie_walk(
        &self,
        tx: &mut Tx<'_>,
        at: PgTime,
        limit: u32,
    ) -> Result<CtidWalk, postgres::Error> {
        let mut params = Params::default();
        let cols = &self.table.cols;
        let mut sql = format!(
            "{at_col} = {} AND {at_col} < {}",
            params.push(at),
            params.push(self.cutoff),
            at_col = cols.at.sql
        );
        if !self.groups.is_empty() {
            sql.push_str(&format!(
                " AND {} = ANY({})",
                cols.group.sql,
                params.push(self.groups.clone())
            ));
        }
        CtidWalk::new(
            tx,
            &self.table.rel,
            &sql,
            params,
            &self.run_start,
            WalkAction::Delete,
            limit,
        )
    }
}

impl Batcher for KeysetPurge {
    fn run_batch(&mut self, tx: &mut Tx<'_>, limit: u32) -> Result<BatchOutcome, postgres::Error> {
        if let Some((at, walk)) = &mut self.ties {
            let outcome = walk.run_batch(tx, limit)?;
            if outcome.done {
                self.after = Some((*at, true));
                self.ties = None;
            }
            return Ok(BatchOutcome {
                done: false,
                ..outcome
            });
        }
        let (start, statement) = match self.after {
            None => (None, FROM_INCLUSIVE),
            Some((at, false)) => (Some(at), FROM_INCLUSIVE),
            Some((at, true)) => (Some(at), FROM_EXCLUSIVE),
        };
        self.params.set(&self.start_at, start);
        self.params.set(&self.limit_at, i64::from(limit));
        let row = tx.query_one(&self.statements[statement], &self.params)?;
        let deleted = row.get::<_, i64>(0) as u64;
        let next: Option<PgTime> = row.get(1);
        match next {
            // More than a batch share the starting instant, so the window was empty:
            // walk that instant a batch at a time, then move past it.
            Some(at) if Some(at) == start || (start.is_none() && deleted == 0) => {
                let walk = self.tie_walk(tx, at, limit)?;
                self.ties = Some((at, walk));
            }
            Some(at) => self.after = Some((at, false)),
            None => {}
        }
        Ok(BatchOutcome {
            matched: deleted,
            changed: deleted,
            done: next.is_none(),
        })
    }
}
#[cfg(test)]
mod tests {
    use super::*;

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
