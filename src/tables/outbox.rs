//! Queries on the outbox table: selecting messages by filter, reading them as rows, and
//! the figures `stats` reports.

use base64::Engine;
use serde_json::{Map, Value};
use tokio_postgres::Row;
use uuid::Uuid;

use crate::db::pgtime::PgTime;
use crate::db::session::{Rel, Tx};
use crate::db::sql::{Params, like_literal};
use crate::error::usage;
use crate::tables::schema::STATUSES;
use crate::tables::timearg::TimeArg;

/// Every column of a message, in the table's order: the select list and the keys of a
/// machine-format row.
///
/// Every column is cast to the built-in type the library gives it: a table whose column
/// has a domain or enum type still yields built-in types, so the driver never has to
/// prepare a type lookup on the server (which would outlive the transaction behind
/// PgBouncer).
pub const MESSAGE_COLUMNS: &str = "id::pg_catalog.uuid, topic::pg_catalog.text, key::pg_catalog.text, payload::pg_catalog.bytea, \
     headers::pg_catalog.jsonb, status::pg_catalog.text, retries::pg_catalog.int4, last_error::pg_catalog.text, \
     created_at::pg_catalog.timestamptz, processed_at::pg_catalog.timestamptz";

/// The keys of a message row in machine formats (ARCHITECTURE.md §5), in order.
pub const MESSAGE_FIELDS: &[&str] = &[
    "id",
    "topic",
    "key",
    "payload",
    "payload_encoding",
    "headers",
    "status",
    "retries",
    "last_error",
    "created_at",
    "processed_at",
];

/// Which messages a command works on. Every value is bound, never spliced.
#[derive(Clone, Debug, Default)]
pub struct MessageFilter {
    pub statuses: Vec<String>,
    /// Exact topics, or globs with `*` and `?` (`orders.*`).
    pub topics: Vec<String>,
    pub keys: Vec<String>,
    pub headers: Vec<(String, String)>,
    pub error_contains: Option<String>,
    pub created_before: Option<TimeArg>,
    pub created_after: Option<TimeArg>,
    /// On processed_at: a message never processed (NULL) matches neither.
    pub processed_before: Option<TimeArg>,
    pub processed_after: Option<TimeArg>,
    /// `--error-class ID`: messages whose last error falls in one of these classes.
    pub error_classes: Vec<String>,
    /// The messages those classes hold, once read (see [`MessageFilter::resolve_classes`]).
    pub class_ids: Option<Vec<Uuid>>,
}

impl MessageFilter {
    /// The conditions, ANDed by the caller.
    pub fn conditions(&self, params: &mut Params) -> Vec<String> {
        let mut conditions = Vec::new();
        if !self.statuses.is_empty() {
            conditions.push(format!(
                "status OPERATOR(pg_catalog.=) ANY({})",
                params.push(self.statuses.clone())
            ));
        }
        if !self.topics.is_empty() {
            let (globs, exact): (Vec<&String>, Vec<&String>) =
                self.topics.iter().partition(|t| is_glob(t));
            let mut any = Vec::new();
            if !exact.is_empty() {
                let exact: Vec<String> = exact.into_iter().cloned().collect();
                any.push(format!(
                    "topic OPERATOR(pg_catalog.=) ANY({})",
                    params.push(exact)
                ));
            }
            for glob in globs {
                any.push(format!(
                    "topic OPERATOR(pg_catalog.~~) {}",
                    params.push(glob_to_like(glob))
                ));
            }
            conditions.push(format!("({})", any.join(" OR ")));
        }
        if !self.keys.is_empty() {
            conditions.push(format!(
                "key OPERATOR(pg_catalog.=) ANY({})",
                params.push(self.keys.clone())
            ));
        }
        for (key, value) in &self.headers {
            // `attempt=4` finds the string "4" and the number 4 (and `true` a boolean):
            // header values are typed however the producer wrote them.
            let mut alternatives = vec![Value::String(value.clone())];
            if let Ok(typed @ (Value::Number(_) | Value::Bool(_))) =
                serde_json::from_str::<Value>(value)
            {
                alternatives.push(typed);
            }
            let tests: Vec<String> = alternatives
                .into_iter()
                .map(|v| {
                    let mut wanted = Map::new();
                    wanted.insert(key.clone(), v);
                    format!(
                        "headers OPERATOR(pg_catalog.@>) {}",
                        params.push(Value::Object(wanted))
                    )
                })
                .collect();
            conditions.push(format!("({})", tests.join(" OR ")));
        }
        if let Some(text) = &self.error_contains {
            let pattern = format!("%{}%", like_literal(text));
            conditions.push(format!(
                "last_error OPERATOR(pg_catalog.~~*) {}",
                params.push(pattern)
            ));
        }
        if let Some(before) = &self.created_before {
            conditions.push(format!(
                "created_at OPERATOR(pg_catalog.<) {}",
                before.to_sql(params)
            ));
        }
        if let Some(after) = &self.created_after {
            conditions.push(format!(
                "created_at OPERATOR(pg_catalog.>=) {}",
                after.to_sql(params)
            ));
        }
        if let Some(before) = &self.processed_before {
            conditions.push(format!(
                "processed_at OPERATOR(pg_catalog.<) {}",
                before.to_sql(params)
            ));
        }
        if let Some(after) = &self.processed_after {
            conditions.push(format!(
                "processed_at OPERATOR(pg_catalog.>=) {}",
                after.to_sql(params)
            ));
        }
        if let Some(ids) = &self.class_ids {
            conditions.push(format!(
                "id OPERATOR(pg_catalog.=) ANY({})",
                params.push(ids.clone())
            ));
        }
        conditions
    }

    /// `--error-class`: which messages the classes hold, read once from the messages the
    /// rest of the filter selects (classes are made by normalising each last error here,
    /// as `stats --by-error` makes them). A class nobody has is an error that names the
    /// classes there are.
    pub fn resolve_classes(&mut self, tx: &mut Tx<'_>, rel: &Rel) -> anyhow::Result<()> {
        if self.error_classes.is_empty() {
            return Ok(());
        }
        let wanted: Vec<String> = self
            .error_classes
            .iter()
            .map(|c| c.trim().to_ascii_lowercase())
            .collect();
        let mut params = Params::default();
        let mut conditions = self.conditions(&mut params);
        conditions.push("last_error OPERATOR(pg_catalog.<>) ''".to_string());
        let sql = format!(
            "SELECT id, last_error::pg_catalog.text FROM {}{}",
            rel.sql,
            crate::db::sql::where_clause(&conditions)
        );
        let fail = |e| crate::db::errors::explain_table_error(e, rel);
        let mut ids = Vec::new();
        let mut seen = std::collections::BTreeMap::new();
        tx.for_each_row(&sql, &params, 0, &fail, |row| {
            let id: Option<Uuid> = row.try_get(0).map_err(fail)?;
            let error: Option<String> = row.try_get(1).map_err(fail)?;
            let class = crate::tables::error_class::classify(&error.unwrap_or_default());
            let class_id = crate::tables::error_class::class_id(&class);
            if wanted.contains(&class_id) {
                if let Some(id) = id {
                    ids.push(id);
                }
            } else if seen.len() < 5 {
                seen.entry(class_id).or_insert(class);
            }
            Ok(())
        })?;
        if ids.is_empty() {
            return Err(crate::error::usage(format!(
                "no message selected has error class {}{}",
                wanted.join(" or "),
                if seen.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (classes there are: {}; `stats --by-error` lists them all)",
                        seen.iter()
                            .map(|(id, class)| format!("{id} {class:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            )));
        }
        self.class_ids = Some(ids);
        Ok(())
    }
}

impl MessageFilter {
    /// Whether any filter beyond the statuses was given: a selection by itself.
    pub fn selects(&self) -> bool {
        !self.topics.is_empty()
            || !self.keys.is_empty()
            || !self.headers.is_empty()
            || self.error_contains.is_some()
            || self.created_before.is_some()
            || self.created_after.is_some()
            || self.processed_before.is_some()
            || self.processed_after.is_some()
            || !self.error_classes.is_empty()
    }

    /// The filter with relative times fixed to instants on the server's clock, so every
    /// batch of a run selects against the same cutoff.
    pub fn resolved(mut self, tx: &mut Tx<'_>) -> Result<Self, tokio_postgres::Error> {
        for t in [
            &mut self.created_before,
            &mut self.created_after,
            &mut self.processed_before,
            &mut self.processed_after,
        ]
        .into_iter()
        .flatten()
        {
            *t = t.resolve(tx)?;
        }
        Ok(self)
    }
}

/// Whether a `--topic` value is a glob (`*` any run of characters, `?` one character).
pub fn is_glob(topic: &str) -> bool {
    topic.contains(['*', '?'])
}

/// A glob as a LIKE pattern: `%`, `_` and `\` taken literally.
fn glob_to_like(glob: &str) -> String {
    like_literal(glob).replace('*', "%").replace('?', "_")
}

/// Parses `--status` values: the four statuses the library uses, or `all`.
pub fn parse_statuses(values: &[String]) -> anyhow::Result<Vec<String>> {
    let mut statuses = Vec::new();
    for value in values.iter().map(|v| v.trim()) {
        if value.eq_ignore_ascii_case("all") {
            return Ok(Vec::new());
        }
        if !STATUSES.contains(&value) {
            return Err(usage(format!(
                "unknown status {value:?}: use {} or all",
                STATUSES.join(", ")
            )));
        }
        if !statuses.iter().any(|s| s == value) {
            statuses.push(value.to_string());
        }
    }
    Ok(statuses)
}

/// Parses `--header k=v`.
pub fn parse_header(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("invalid header filter {text:?}: use KEY=VALUE")),
    }
}

/// A full id, or a prefix of at least 8 hex digits (dashes optional) naming the ids that
/// start with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IdPrefix {
    lowest: Uuid,
    highest: Uuid,
}

impl IdPrefix {
    /// The first and last id with this prefix.
    pub fn range(self) -> (Uuid, Uuid) {
        (self.lowest, self.highest)
    }

    /// The prefix as a person typed it, near enough: its hex digits.
    pub fn text(self) -> String {
        let low = self.lowest.simple().to_string();
        let high = self.highest.simple().to_string();
        let common = low
            .chars()
            .zip(high.chars())
            .take_while(|(a, b)| a == b)
            .count();
        low[..common].to_string()
    }
}

pub fn parse_id_or_prefix(text: &str) -> anyhow::Result<IdPrefix> {
    let text = text.trim();
    if let Ok(id) = Uuid::parse_str(text) {
        return Ok(IdPrefix {
            lowest: id,
            highest: id,
        });
    }
    let digits: String = text.chars().filter(|c| *c != '-').collect();
    if digits.len() < 8 || digits.len() > 32 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(usage(format!(
            "invalid message id {text:?}: give a UUID, or its first 8 or more hex digits"
        )));
    }
    let pad = |fill: char| {
        let mut full = digits.to_ascii_lowercase();
        while full.len() < 32 {
            full.push(fill);
        }
        Uuid::parse_str(&full).expect("32 hex digits are a UUID")
    };
    Ok(IdPrefix {
        lowest: pad('0'),
        highest: pad('f'),
    })
}

/// Parses a message id; a malformed one is a usage error before any query.
pub fn parse_id(text: &str) -> anyhow::Result<Uuid> {
    Uuid::parse_str(text.trim()).map_err(|_| {
        usage(format!(
            "invalid message id {text:?}: expected a UUID like 1b4e28ba-2fa1-11d2-883f-0016d3cca427"
        ))
    })
}

/// A full message, as read with [`MESSAGE_COLUMNS`].
#[derive(Debug, Clone)]
///
/// Every column is read as optional, `id` too (a table whose primary key was dropped):
/// a column that drifted to nullable and holds NULL is shown as null rather than
/// failing the command.
pub struct Message {
    pub id: Option<Uuid>,
    pub topic: Option<String>,
    pub key: Option<String>,
    pub payload: Option<Vec<u8>>,
    pub headers: Option<Value>,
    pub status: Option<String>,
    pub retries: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: Option<PgTime>,
    pub processed_at: Option<PgTime>,
}

impl Message {
    pub fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            id: row.try_get(0)?,
            topic: row.try_get(1)?,
            key: row.try_get(2)?,
            payload: row.try_get(3)?,
            headers: row
                .try_get::<_, Option<crate::db::jsonb::Jsonb>>(4)?
                .map(crate::db::jsonb::Jsonb::into_value),
            status: row.try_get(5)?,
            retries: row.try_get(6)?,
            last_error: row.try_get(7)?,
            created_at: row.try_get(8)?,
            processed_at: row.try_get(9)?,
        })
    }

    /// The machine-format row.
    pub fn to_row(&self) -> MessageRow {
        let (payload, payload_encoding) = match self.payload.as_deref() {
            None => (None, None),
            Some(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => (Some(text.to_string()), Some(PayloadEncoding::Utf8)),
                Err(_) => (
                    Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
                    Some(PayloadEncoding::Base64),
                ),
            },
        };
        MessageRow {
            id: self.id.map(|id| id.to_string()),
            topic: self.topic.clone(),
            key: self.key.clone(),
            payload,
            payload_encoding,
            headers: self.headers.clone(),
            status: self.status.clone(),
            retries: self.retries,
            last_error: self.last_error.clone(),
            created_at: self.created_at.map(PgTime::rfc3339),
            processed_at: self.processed_at.map(PgTime::rfc3339),
        }
    }

    /// The machine-format row as a JSON object, for outputs that pick its keys.
    pub fn to_json(&self) -> Map<String, Value> {
        match serde_json::to_value(self.to_row()) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        }
    }
}

/// One message as the machine formats write it (`list`, `show`, the samples of dry
/// runs): the table's column names as keys, full values, null for NULL. `--columns` and
/// `--no-payload` leave keys out; none is added. `render/export.rs` writes the same
/// keys straight from the wire, for speed; a test holds the two to one list.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageRow {
    /// The message id, a UUID.
    pub id: Option<String>,
    pub topic: Option<String>,
    pub key: Option<String>,
    /// The payload: as text when it is UTF-8, else base64 (see `payload_encoding`).
    pub payload: Option<String>,
    pub payload_encoding: Option<PayloadEncoding>,
    /// The headers, as stored (a JSON object for the library's rows).
    pub headers: Option<Value>,
    /// pending, processing, processed or failed.
    pub status: Option<String>,
    pub retries: Option<i32>,
    pub last_error: Option<String>,
    /// RFC 3339 with microseconds, or `infinity` / `-infinity`.
    pub created_at: Option<String>,
    /// RFC 3339 with microseconds, or `infinity` / `-infinity`.
    pub processed_at: Option<String>,
}

/// How `payload` is written in a [`MessageRow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PayloadEncoding {
    Utf8,
    Base64,
}

/// A status as counts name it: a NULL status (a column that drifted to nullable) is
/// counted as "null", beside the others, instead of failing the count.
fn status_name(status: Option<String>) -> String {
    status.unwrap_or_else(|| "null".to_string())
}

/// Row counts by status, in the order the server returned them.
#[derive(Debug, Clone, Default)]
pub struct StatusCounts(pub Vec<(String, i64)>);

impl StatusCounts {
    /// The count for one status; 0 when no row has it.
    pub fn get(&self, status: &str) -> i64 {
        self.0
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n)
    }

    /// Counts `n` more rows of `status`: a NULL status and a status that reads "null"
    /// are one entry, never two under one name.
    pub fn add(&mut self, status: String, n: i64) {
        match self.0.iter_mut().find(|(s, _)| *s == status) {
            Some((_, total)) => *total += n,
            None => self.0.push((status, n)),
        }
    }

    pub fn total(&self) -> i64 {
        self.0.iter().map(|(_, n)| n).sum()
    }
}

/// The figures `stats` reports for the outbox table.
#[derive(Debug, Clone, Default)]
pub struct OutboxStats {
    pub by_status: StatusCounts,
    /// The oldest pending row's created_at, infinite values included.
    pub oldest_pending: Option<PgTime>,
    /// Age of the oldest pending row with a finite created_at: what thresholds use, so
    /// one row stamped `-infinity` cannot blind monitoring.
    pub oldest_pending_age_seconds: Option<f64>,
    /// That row's created_at.
    pub oldest_dated_pending: Option<PgTime>,
    pub by_topic: Option<Vec<GroupStats>>,
    /// `--by-header KEY`: per key, the counts for each value (`None`: no such header).
    pub by_header: Vec<(String, Vec<GroupStats>)>,
    /// Rows in `processing` created before the `--stuck-after` cutoff; `None` when the
    /// counts were estimated (finding them would read the table).
    pub stuck_processing: Option<i64>,
    /// The server's clock when the figures were read, for ages.
    pub now: Option<PgTime>,
    /// Counts other than pending come from the planner's statistics.
    pub estimated: bool,
}

/// Counts by status for one topic or header value, with its oldest pending and
/// processing messages.
#[derive(Debug, Clone, Default)]
pub struct GroupStats {
    /// The topic or header value; `None` for messages without that header.
    pub value: Option<String>,
    pub counts: StatusCounts,
    pub oldest_pending: Option<PgTime>,
    pub oldest_processing: Option<PgTime>,
}

/// Above this many rows (by the planner's estimate) `stats` estimates unless `--exact`:
/// a full count of 5 million rows takes seconds, every run.
pub const ESTIMATE_ABOVE_ROWS: f64 = 5_000_000.0;

/// The planner's view of the table: its row count scaled to the file's size now (as the
/// planner itself does), and the status column's most common values. `None` when the
/// table was never analyzed.
pub struct PlannerCounts {
    pub rows: f64,
    statuses: Vec<(String, f64)>,
    other_share: f64,
}

pub fn planner_counts(
    tx: &mut Tx<'_>,
    rel: &Rel,
) -> Result<Option<PlannerCounts>, tokio_postgres::Error> {
    let Some(oid) = rel.oid else { return Ok(None) };
    let row = tx.query_one(
        "SELECT c.reltuples::pg_catalog.float8, c.relpages::pg_catalog.int8,
                pg_catalog.pg_relation_size(c.oid) OPERATOR(pg_catalog./) pg_catalog.current_setting('block_size')::pg_catalog.int8,
                s.most_common_vals::pg_catalog.text::pg_catalog.text[], s.most_common_freqs::pg_catalog.float8[],
                coalesce(s.null_frac, 0)::pg_catalog.float8, coalesce(s.n_distinct, 0)::pg_catalog.float8
           FROM pg_catalog.pg_class c
           LEFT JOIN pg_catalog.pg_stats s ON s.schemaname OPERATOR(pg_catalog.=) $2 AND s.tablename OPERATOR(pg_catalog.=) c.relname::pg_catalog.text
                               AND s.attname OPERATOR(pg_catalog.=) 'status'
          WHERE c.oid OPERATOR(pg_catalog.=) $1",
        &crate::params![oid, rel.schema.clone().unwrap_or_default()],
    )?;
    let reltuples: f64 = row.get(0);
    let relpages: i64 = row.get(1);
    let pages_now: i64 = row.get(2);
    let values: Option<Vec<String>> = row.get(3);
    let freqs: Option<Vec<f64>> = row.get(4);
    let null_frac: f64 = row.get(5);
    let n_distinct: f64 = row.get(6);
    if reltuples < 0.0 {
        return Ok(None);
    }
    let rows = if relpages > 0 {
        reltuples / relpages as f64 * pages_now as f64
    } else {
        reltuples
    };
    let statuses: Vec<(String, f64)> = values
        .unwrap_or_default()
        .into_iter()
        .zip(freqs.unwrap_or_default())
        .collect();
    // Values outside the most-common list share what is left evenly.
    let distinct = if n_distinct < 0.0 {
        -n_distinct * reltuples
    } else {
        n_distinct
    };
    let listed: f64 = statuses.iter().map(|(_, f)| f).sum();
    let unlisted = (distinct - statuses.len() as f64).max(1.0);
    let other_share = ((1.0 - listed - null_frac).max(0.0)) / unlisted;
    Ok(Some(PlannerCounts {
        rows,
        statuses,
        other_share,
    }))
}

impl PlannerCounts {
    fn estimate(&self, status: &str) -> i64 {
        let share = self
            .statuses
            .iter()
            .find(|(s, _)| s == status)
            .map_or(self.other_share, |(_, f)| *f);
        (self.rows * share).round() as i64
    }
}

/// The exact number of pending messages, read through the library's partial index: a
/// sequential scan is ruled out for the rest of the transaction. So is JIT: with
/// sequential scans priced out, a partitioned table's plans cost enough to trigger it,
/// and compiling them takes seconds.
pub fn count_pending(tx: &mut Tx<'_>, rel: &Rel) -> Result<i64, tokio_postgres::Error> {
    count_pending_in(tx, &rel.sql)
}

/// The statuses a valid partial index of the relation `oid` covers (`WHERE status =
/// 'pending'`, the library's; `'processing'`, `migrate --repair --processing-index`'s;
/// any other of the same shape): counting or finding rows of those reads the index.
pub fn statuses_with_index(
    tx: &mut Tx<'_>,
    oid: u32,
) -> Result<Vec<String>, tokio_postgres::Error> {
    let predicates: Vec<String> = tx
        .query_one(
            "SELECT ARRAY(SELECT pg_catalog.pg_get_expr(i.indpred, i.indrelid) FROM pg_catalog.pg_index i
                           WHERE i.indrelid OPERATOR(pg_catalog.=) $1 AND i.indisvalid AND i.indpred IS NOT NULL)",
            &crate::params![oid],
        )?
        .get(0);
    Ok(predicates
        .iter()
        .filter_map(|p| {
            let status = p.strip_prefix("(status = '")?.strip_suffix("'::text)")?;
            (!status.contains('\'')).then(|| status.to_string())
        })
        .collect())
}

/// [`count_pending`] over any relation as SQL text: a table, or `ONLY` one partition.
pub fn count_pending_in(tx: &mut Tx<'_>, relation: &str) -> Result<i64, tokio_postgres::Error> {
    tx.batch_execute("SET LOCAL enable_seqscan = off; SET LOCAL jit = off")?;
    Ok(tx
        .query_one(
            &format!(
                "SELECT pg_catalog.count(*) FROM {relation} WHERE status OPERATOR(pg_catalog.=) 'pending'"
            ),
            &Params::default(),
        )?
        .get(0))
}

/// Counts without a scan: pending exactly, through the library's partial index (a
/// sequential scan is ruled out for the transaction), the other statuses from the
/// planner's statistics.
pub fn stats_estimated(
    tx: &mut Tx<'_>,
    rel: &Rel,
    planner: &PlannerCounts,
    known_pending: Option<i64>,
) -> Result<OutboxStats, tokio_postgres::Error> {
    // A pending count just taken (the last sample of --rates) is not taken again.
    let pending: i64 = match known_pending {
        Some(n) => n,
        None => count_pending(tx, rel)?,
    };
    let mut stats = OutboxStats {
        estimated: true,
        ..Default::default()
    };
    for status in STATUSES {
        let count = if status == "pending" {
            pending
        } else {
            planner.estimate(status)
        };
        stats.by_status.0.push((status.to_string(), count));
    }
    // Statuses the library never sets, as far as the statistics saw them.
    for (status, _) in &planner.statuses {
        if !STATUSES.contains(&status.as_str()) {
            stats
                .by_status
                .0
                .push((status.clone(), planner.estimate(status)));
        }
    }
    oldest_pending(tx, rel, &mut stats)?;
    Ok(stats)
}

/// The oldest pending message (and the oldest with a real date), through the library's
/// partial index.
fn oldest_pending(
    tx: &mut Tx<'_>,
    rel: &Rel,
    stats: &mut OutboxStats,
) -> Result<(), tokio_postgres::Error> {
    let table = &rel.sql;
    let row = tx.query_one(
        &format!(
            "SELECT (SELECT pg_catalog.min(created_at)::pg_catalog.timestamptz FROM {table} WHERE status OPERATOR(pg_catalog.=) 'pending'),
                    (SELECT pg_catalog.min(created_at)::pg_catalog.timestamptz FROM {table}
                      WHERE status OPERATOR(pg_catalog.=) 'pending' AND created_at OPERATOR(pg_catalog.>) '-infinity' AND created_at OPERATOR(pg_catalog.<) 'infinity'),
                    pg_catalog.now()"
        ),
        &Params::default(),
    )?;
    stats.oldest_pending = row.try_get(0)?;
    let oldest_finite: Option<PgTime> = row.try_get(1)?;
    let now: PgTime = row.try_get(2)?;
    stats.oldest_pending_age_seconds = oldest_finite.and_then(|t| t.seconds_before(now));
    stats.oldest_dated_pending = oldest_finite;
    stats.now = Some(now);
    Ok(())
}

/// One pass over the table for the counts (and the processing rows older than
/// `stuck_after`); the oldest pending rows come from the library's partial index. A
/// breakdown by topic, and one per header key, each take one more pass.
pub fn stats(
    tx: &mut Tx<'_>,
    rel: &Rel,
    by_topic: bool,
    by_header: &[String],
    stuck_after: std::time::Duration,
) -> Result<OutboxStats, tokio_postgres::Error> {
    let table = &rel.sql;
    let mut stats = OutboxStats::default();
    let rows = tx.query(
        &format!(
            "SELECT status::pg_catalog.text, pg_catalog.count(*),
                    pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'processing'
                                       AND created_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.make_interval(secs => $1)))
               FROM {table} GROUP BY 1 ORDER BY 1"
        ),
        &crate::params![stuck_after.as_secs_f64()],
    )?;
    let mut stuck = 0;
    for row in rows {
        stats
            .by_status
            .add(status_name(row.try_get(0)?), row.try_get(1)?);
        stuck += row.try_get::<_, i64>(2)?;
    }
    stats.stuck_processing = Some(stuck);
    oldest_pending(tx, rel, &mut stats)?;
    if by_topic {
        stats.by_topic = Some(grouped(
            tx,
            rel,
            "topic::pg_catalog.text",
            &Params::default(),
        )?);
    }
    for key in by_header {
        let mut params = Params::default();
        // A string is its text; any other JSON value is its JSON text with its type, so
        // "5" and 5 stay two groups.
        let k = params.push(key.clone());
        let expression = format!(
            "CASE WHEN pg_catalog.jsonb_typeof(headers OPERATOR(pg_catalog.->) {k}) OPERATOR(pg_catalog.=) 'string' THEN headers OPERATOR(pg_catalog.->>) {k}
                  ELSE (headers OPERATOR(pg_catalog.->) {k})::pg_catalog.text OPERATOR(pg_catalog.||) ' (' OPERATOR(pg_catalog.||) pg_catalog.jsonb_typeof(headers OPERATOR(pg_catalog.->) {k}) OPERATOR(pg_catalog.||) ')' END"
        );
        stats
            .by_header
            .push((key.clone(), grouped(tx, rel, &expression, &params)?));
    }
    Ok(stats)
}

/// Counts by status for each value of `expression`, with each group's oldest pending
/// and processing message.
fn grouped(
    tx: &mut Tx<'_>,
    rel: &Rel,
    expression: &str,
    params: &Params,
) -> Result<Vec<GroupStats>, tokio_postgres::Error> {
    let rows = tx.query(
        &format!(
            "SELECT {expression}, status::pg_catalog.text, pg_catalog.count(*),
                    pg_catalog.min(created_at) FILTER (WHERE status OPERATOR(pg_catalog.=) 'pending')::pg_catalog.timestamptz,
                    pg_catalog.min(created_at) FILTER (WHERE status OPERATOR(pg_catalog.=) 'processing')::pg_catalog.timestamptz
               FROM {} GROUP BY 1, 2 ORDER BY 1 NULLS LAST, 2",
            rel.sql
        ),
        params,
    )?;
    let mut groups: Vec<GroupStats> = Vec::new();
    for row in rows {
        let value: Option<String> = row.try_get(0)?;
        let entry = (status_name(row.try_get(1)?), row.try_get::<_, i64>(2)?);
        let pending: Option<PgTime> = row.try_get(3)?;
        let processing: Option<PgTime> = row.try_get(4)?;
        if groups.last().is_none_or(|g| g.value != value) {
            groups.push(GroupStats {
                value,
                ..Default::default()
            });
        }
        let group = groups.last_mut().expect("just pushed");
        group.counts.add(entry.0, entry.1);
        group.oldest_pending = group.oldest_pending.or(pending);
        group.oldest_processing = group.oldest_processing.or(processing);
    }
    Ok(groups)
}

/// How many rows match `conditions` (built fresh into its own parameters).
pub fn count_matching(
    tx: &mut Tx<'_>,
    rel: &Rel,
    conditions: &dyn Fn(&mut Params) -> String,
) -> Result<u64, tokio_postgres::Error> {
    let mut params = Params::default();
    let sql = format!(
        "SELECT pg_catalog.count(*) FROM {} WHERE {}",
        rel.sql,
        conditions(&mut params)
    );
    let count: i64 = tx.query_one(&sql, &params)?.get(0);
    Ok(count as u64)
}

/// The oldest few rows matching `conditions`, for a dry run's sample.
pub fn sample_matching(
    tx: &mut Tx<'_>,
    rel: &Rel,
    conditions: &dyn Fn(&mut Params) -> String,
    limit: i64,
) -> Result<Vec<Message>, tokio_postgres::Error> {
    let mut params = Params::default();
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM {} WHERE {} ORDER BY created_at, id LIMIT {}",
        rel.sql,
        conditions(&mut params),
        params.push(limit)
    );
    tx.query(&sql, &params)?
        .iter()
        .map(Message::from_row)
        .collect()
}

/// The server's `now()`: ages are measured on its clock, in Rust, so an infinite or
/// far-off timestamp never makes a statement fail.
pub fn server_now(tx: &mut Tx<'_>) -> Result<PgTime, tokio_postgres::Error> {
    tx.query_one("SELECT pg_catalog.now()", &Params::default())?
        .try_get(0)
}

/// How many characters of each of `ids` to show so that every one is the only id of the
/// table starting so — what `show`, `requeue` and `delete` take: 8 hex digits at least
/// (as git shortens commits), then whole groups (13, 18, 23 characters), else all 36.
/// Each length costs one primary-key probe per id. All 36 when the ids are not UUIDs.
pub fn unique_prefix_len(
    tx: &mut Tx<'_>,
    rel: &Rel,
    ids: &[String],
) -> Result<usize, tokio_postgres::Error> {
    const WHOLE: usize = 36;
    let parsed: Option<Vec<Uuid>> = ids.iter().map(|i| Uuid::parse_str(i).ok()).collect();
    let Some(parsed) = parsed else {
        return Ok(WHOLE);
    };
    let is_uuid: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
                             WHERE attrelid OPERATOR(pg_catalog.=) $1 AND attname OPERATOR(pg_catalog.=) 'id'
                               AND atttypid OPERATOR(pg_catalog.=) 'pg_catalog.uuid'::pg_catalog.regtype)",
            &crate::params![rel.oid.unwrap_or_default()],
        )?
        .get(0);
    if !is_uuid || parsed.is_empty() {
        return Ok(WHOLE);
    }
    for (digits, chars) in [(8usize, 8usize), (12, 13), (16, 18), (20, 23)] {
        // Every UUID that starts with the same `digits` hex digits lies in [low, high].
        let bound = |u: &Uuid, fill: u8| -> Uuid {
            let mut bytes = *u.as_bytes();
            for (i, byte) in bytes.iter_mut().enumerate() {
                if i * 2 >= digits {
                    *byte = fill;
                }
            }
            Uuid::from_bytes(bytes)
        };
        let lows: Vec<Uuid> = parsed.iter().map(|u| bound(u, 0x00)).collect();
        let highs: Vec<Uuid> = parsed.iter().map(|u| bound(u, 0xff)).collect();
        let shared: i64 = tx
            .query_one(
                &format!(
                    "SELECT pg_catalog.count(*) FROM pg_catalog.generate_series(1, pg_catalog.cardinality($1::pg_catalog.uuid[])) AS r(i)
                      WHERE (SELECT pg_catalog.count(*) FROM (SELECT 1 FROM {} WHERE id OPERATOR(pg_catalog.>=) ($1::pg_catalog.uuid[])[r.i]
                                                                  AND id OPERATOR(pg_catalog.<=) ($2::pg_catalog.uuid[])[r.i] LIMIT 2) s)
                            OPERATOR(pg_catalog.>) 1",
                    rel.sql
                ),
                &crate::params![lows, highs],
            )?
            .get(0);
        if shared == 0 {
            return Ok(chars);
        }
    }
    Ok(WHOLE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statuses() {
        assert_eq!(
            parse_statuses(&["pending".into(), "failed".into()]).unwrap(),
            vec!["pending", "failed"]
        );
        assert!(parse_statuses(&["all".into()]).unwrap().is_empty());
        assert!(parse_statuses(&["done".into()]).is_err());
    }

    #[test]
    fn payload_encoding() {
        let with = |payload: Option<&[u8]>| {
            let row = Message {
                id: None,
                topic: None,
                key: None,
                payload: payload.map(<[u8]>::to_vec),
                headers: None,
                status: None,
                retries: None,
                last_error: None,
                created_at: None,
                processed_at: None,
            }
            .to_json();
            (row["payload"].clone(), row["payload_encoding"].clone())
        };
        assert_eq!(with(None), (Value::Null, Value::Null));
        assert_eq!(with(Some(b"hi")), (json!("hi"), json!("utf8")));
        assert_eq!(with(Some(&[0xff, 0])), (json!("/wA="), json!("base64")));
    }

    /// The export writes message rows by hand: its keys are the row type's.
    #[test]
    fn the_message_fields_are_the_row_types_keys() {
        let schema = schemars::schema_for!(MessageRow);
        let properties: Vec<&String> = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap()
            .keys()
            .collect();
        assert_eq!(properties, MESSAGE_FIELDS);
    }

    #[test]
    fn filter_binds_every_value() {
        let filter = MessageFilter {
            statuses: vec!["failed".into()],
            topics: vec!["o'rders".into(), "pay_*".into()],
            error_contains: Some("50%".into()),
            headers: vec![
                ("tenant".into(), "a".into()),
                ("attempt".into(), "4".into()),
            ],
            ..Default::default()
        };
        let mut params = Params::default();
        let sql = filter.conditions(&mut params).join(" AND ");
        assert!(!sql.contains("o'rders") && !sql.contains("50%"));
        assert_eq!(params.len(), 7);
        assert_eq!(glob_to_like("pay_*.?"), "pay\\_%._");
    }
}
