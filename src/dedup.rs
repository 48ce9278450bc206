//! Queries on the dedup ("processed") table: the library's mark / is-processed / purge,
//! and what operators need around them.

use chrono::{DateTime, Utc};
use postgres::GenericClient;
use serde_json::{Map, Value, json};

use crate::outbox::rfc3339;

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
