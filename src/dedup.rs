//! Queries on the dedup ("processed") table: the library's mark / is-processed / purge,
//! and what operators need around them.

use chrono::{DateTime, Utc};
use postgres::types::ToSql;
use postgres::{Client, GenericClient};
use serde_json::{Map, Value, json};

use crate::error::usage;
use crate::mutation::{BatchOutcome, Batcher};
use crate::outbox::rfc3339;
use crate::sql::Params;
use crate::timearg::TimeArg;

/// The dedup table's figures for `stats`; `None` fields when it does not exist.
#[derive(Debug, Clone, Default)]
pub struct DedupStats {
    pub exists: bool,
    pub total: i64,
    pub groups: i64,
    pub oldest: Option<DateTime<Utc>>,
}

pub fn stats(client: &mut impl GenericClient, table: &str) -> Result<DedupStats, postgres::Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])?
        .get(0);
    if !exists {
        return Ok(DedupStats::default());
    }
    let row = client.query_one(
        &format!("SELECT count(*), min(processed_at) FROM {table}"),
        &[],
    )?;
    // Distinct groups by skipping along the primary key (a loose index scan): one probe
    // per group instead of a sort of every row.
    let groups: i64 = client
        .query_one(
            &format!(
                "WITH RECURSIVE g AS (
                     (SELECT group_name FROM {table} ORDER BY group_name LIMIT 1)
                     UNION ALL
                     SELECT (SELECT t.group_name FROM {table} t WHERE t.group_name > g.group_name
                              ORDER BY t.group_name LIMIT 1)
                       FROM g WHERE g.group_name IS NOT NULL)
                 SELECT count(group_name) FROM g"
            ),
            &[],
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
    pub processed_at: DateTime<Utc>,
}

pub const ENTRY_COLUMNS: &str = "group_name, msg_id, metadata, processed_at";
pub const ENTRY_FIELDS: &[&str] = &["group_name", "msg_id", "metadata", "processed_at"];

impl Entry {
    pub fn from_row(row: &postgres::Row) -> Result<Self, postgres::Error> {
        Ok(Self {
            group_name: row.try_get(0)?,
            msg_id: row.try_get(1)?,
            metadata: row.try_get(2)?,
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
        map.insert("processed_at".into(), json!(rfc3339(&self.processed_at)));
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
    client: &mut impl GenericClient,
    table: &str,
    group: &str,
    msg_id: &str,
    metadata: Option<&Value>,
) -> Result<Marked, postgres::Error> {
    let inserted = client.query_opt(
        &format!(
            "INSERT INTO {table} (group_name, msg_id, metadata) VALUES ($1, $2, $3::jsonb)
             ON CONFLICT (group_name, msg_id) DO NOTHING
             RETURNING {ENTRY_COLUMNS}"
        ),
        &[&group, &msg_id, &metadata],
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
        entry: lookup(client, table, group, msg_id)?,
    })
}

pub fn lookup(
    client: &mut impl GenericClient,
    table: &str,
    group: &str,
    msg_id: &str,
) -> Result<Option<Entry>, postgres::Error> {
    client
        .query_opt(
            &format!("SELECT {ENTRY_COLUMNS} FROM {table} WHERE group_name = $1 AND msg_id = $2"),
            &[&group, &msg_id],
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
    pub fn conditions(&self, params: &mut Params) -> Vec<String> {
        let mut conditions = Vec::new();
        if !self.groups.is_empty() {
            conditions.push(format!(
                "group_name = ANY({})",
                params.push(self.groups.clone())
            ));
        }
        if let Some(msg_id) = &self.msg_id {
            conditions.push(format!("msg_id = {}", params.push(msg_id.clone())));
        }
        if let Some(before) = &self.processed_before {
            conditions.push(format!("processed_at < {}", before.to_sql(params)));
        }
        if let Some(after) = &self.processed_after {
            conditions.push(format!("processed_at >= {}", after.to_sql(params)));
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
/// group from the start in every batch.
pub struct KeysetPurge {
    statements: [String; 3],
    params: Params,
    /// Where the next batch starts, and whether that instant itself is already done.
    after: Option<(DateTime<Utc>, bool)>,
}

/// Which of the statements a batch runs.
const FROM_START_INCLUSIVE: usize = 0;
const FROM_START_EXCLUSIVE: usize = 1;
const TIES: usize = 2;

impl KeysetPurge {
    pub fn new(table: &str, cutoff: DateTime<Utc>, groups: &[String]) -> Self {
        let (statements, params) = Self::statements(table, cutoff, groups);
        Self {
            statements,
            params,
            after: None,
        }
    }

    /// The batch statements. In the first two, `$1` is where the batch starts (NULL at
    /// the very start), inclusive or exclusive, and `$2` the batch size; they return the
    /// rows deleted and the timestamp where the next batch starts (NULL when none is left).
    /// The third deletes the entries at exactly `$1`, for when more than a batch share one
    /// timestamp. Public so a test can check their plans use the index.
    pub fn statements(
        table: &str,
        cutoff: DateTime<Utc>,
        groups: &[String],
    ) -> ([String; 3], Params) {
        let mut params = Params::starting_at(2);
        let cutoff = params.push(cutoff);
        let group_filter = if groups.is_empty() {
            String::new()
        } else {
            format!(" AND group_name = ANY({})", params.push(groups.to_vec()))
        };
        let window = |op: &str| {
            format!(
                "WITH bound AS (
                     SELECT processed_at FROM {table}
                      WHERE processed_at {op} coalesce($1::timestamptz, '-infinity') AND processed_at < {cutoff}
                      ORDER BY processed_at OFFSET $2 LIMIT 1),
                 deleted AS (
                     DELETE FROM {table}
                      WHERE processed_at {op} coalesce($1::timestamptz, '-infinity')
                        AND processed_at < coalesce((SELECT processed_at FROM bound), {cutoff}){group_filter}
                     RETURNING 1)
                 SELECT (SELECT count(*) FROM deleted), (SELECT processed_at FROM bound)"
            )
        };
        let ties = format!(
            "WITH deleted AS (DELETE FROM {table}
                  -- `$2 > 0` only keeps the parameter list the same as the window statements.
                  WHERE processed_at = $1::timestamptz AND processed_at < {cutoff} AND $2::bigint > 0{group_filter}
                 RETURNING 1)
             SELECT (SELECT count(*) FROM deleted), NULL::timestamptz"
        );
        ([window(">="), window(">"), ties], params)
    }
}

impl Batcher for KeysetPurge {
    fn run_batch(
        &mut self,
        client: &mut Client,
        limit: u32,
    ) -> Result<BatchOutcome, postgres::Error> {
        let limit = i64::from(limit);
        let (start, statement) = match self.after {
            None => (None, FROM_START_INCLUSIVE),
            Some((at, false)) => (Some(at), FROM_START_INCLUSIVE),
            Some((at, true)) => (Some(at), FROM_START_EXCLUSIVE),
        };
        let mut values: Vec<&(dyn ToSql + Sync)> = vec![&start, &limit];
        values.extend(self.params.as_refs());
        let row = client.query_one(&self.statements[statement], &values)?;
        let mut deleted = row.get::<_, i64>(0) as u64;
        let next: Option<DateTime<Utc>> = row.get(1);
        match next {
            // More than a batch share the starting instant: the window was empty. Delete
            // that instant's entries on their own and move past it.
            Some(at) if Some(at) == start || (start.is_none() && deleted == 0) => {
                let tie_values: Vec<&(dyn ToSql + Sync)> = [&at as &(dyn ToSql + Sync), &limit]
                    .into_iter()
                    .chain(self.params.as_refs())
                    .collect();
                deleted += client
                    .query_one(&self.statements[TIES], &tie_values)?
                    .get::<_, i64>(0) as u64;
                self.after = Some((at, true));
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
