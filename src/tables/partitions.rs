//! The time-partitioned outbox (ARCHITECTURE.md §1): the library's columns,
//! range-partitioned on `created_at`, the primary key `(id, created_at)`, the pending
//! index on every partition, a default partition for rows no partition covers, and
//! partitions made ahead. The library's relay runs on it unchanged.
//!
//! Partitions are named `<table>_pYYYYMMDD` (by day or week: the first day of the
//! range) or `<table>_pYYYYMM` (by month), and cover whole UTC days.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use crate::db::session::{Rel, Tx};
use crate::db::sql::quote_ident;

/// How much time one partition covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Day,
    Week,
    Month,
}

/// Partitions made ahead of today when `--premake` is not given.
pub const DEFAULT_PREMAKE: u32 = 4;

impl Interval {
    /// The first day of the interval that holds `day`.
    pub fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Interval::Day => day,
            Interval::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
            Interval::Month => day.with_day(1).unwrap_or(day),
        }
    }

    /// The first day of the next interval after the one starting at `start`.
    pub fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Interval::Day => start + Duration::days(1),
            Interval::Week => start + Duration::days(7),
            Interval::Month => {
                let (year, month) = if start.month() == 12 {
                    (start.year() + 1, 1)
                } else {
                    (start.year(), start.month() + 1)
                };
                NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(start)
            }
        }
    }

    /// `<table>_p20261206`, or `<table>_p202612` by month.
    pub fn partition_name(self, table: &str, start: NaiveDate) -> String {
        match self {
            Interval::Month => format!("{table}_p{}", start.format("%Y%m")),
            _ => format!("{table}_p{}", start.format("%Y%m%d")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Day => "day",
            Interval::Week => "week",
            Interval::Month => "month",
        }
    }
}

/// The default partition's name.
pub fn default_name(table: &str) -> String {
    format!("{table}_default")
}

/// Midnight UTC at the start of `day`, as a range bound.
/// Today's date in UTC as the server's clock has it: partitions are named and bounded
/// by UTC days, and the client's clock may be off.
pub fn today_utc(tx: &mut Tx<'_>) -> Result<NaiveDate, tokio_postgres::Error> {
    Ok(tx
        .query_one(
            "SELECT pg_catalog.timezone('UTC', pg_catalog.now())::pg_catalog.date",
            &crate::db::sql::Params::default(),
        )?
        .get(0))
}

fn bound(day: NaiveDate) -> String {
    let at: DateTime<Utc> = Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default());
    at.format("%Y-%m-%d %H:%M:%S+00").to_string()
}

/// The partitions from the interval holding `today` to `premake` intervals after it:
/// `(name, from, to)`.
pub fn ahead(
    interval: Interval,
    table: &str,
    today: NaiveDate,
    premake: u32,
) -> Vec<(String, NaiveDate, NaiveDate)> {
    let mut start = interval.start_of(today);
    let mut out = Vec::new();
    for _ in 0..=premake {
        let end = interval.next(start);
        out.push((interval.partition_name(table, start), start, end));
        start = end;
    }
    out
}

/// `CREATE TABLE IF NOT EXISTS … PARTITION OF …` for one range partition, in `schema`.
pub fn partition_ddl(
    parent_sql: &str,
    schema: &str,
    name: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {}.{} PARTITION OF {parent_sql} FOR VALUES FROM ('{}') TO ('{}');\n",
        quote_ident(schema),
        quote_ident(name),
        bound(from),
        bound(to)
    )
}

/// The partitioned outbox's DDL: the library's columns and pending index (written as
/// the library writes them), the primary key `(id, created_at)`, range partitioning on
/// `created_at`, a default partition and the partitions from today to `premake`
/// intervals ahead. `target` is the table's schema-qualified name, `schema` its schema.
pub fn outbox_ddl(
    table: &str,
    target: &str,
    schema: &str,
    interval: Interval,
    today: NaiveDate,
    premake: u32,
) -> String {
    let mut sql = format!(
        "CREATE TABLE IF NOT EXISTS {target} (
    id           UUID        NOT NULL DEFAULT gen_random_uuid(),
    topic        TEXT        NOT NULL,
    key          TEXT        NOT NULL DEFAULT '',
    payload      BYTEA,
    headers      JSONB       DEFAULT '{{}}',
    status       TEXT        NOT NULL DEFAULT 'pending',
    retries      INTEGER     NOT NULL DEFAULT 0,
    last_error   TEXT        NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    processed_at TIMESTAMPTZ,
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
CREATE INDEX IF NOT EXISTS idx_{table}_pending ON {target} (created_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS {} ON {target} {RETENTION_INDEX_DEFINITION};
CREATE TABLE IF NOT EXISTS {}.{} PARTITION OF {target} DEFAULT;
",
        quote_ident(&retention_index_name(table)),
        quote_ident(schema),
        quote_ident(&default_name(table))
    );
    for (name, from, to) in ahead(interval, table, today, premake) {
        sql.push_str(&partition_ddl(target, schema, &name, from, to));
    }
    sql
}

/// The retention index: a BRIN on `(status, processed_at)`, a few pages per partition
/// and nearly free to keep up to date, which lets retention prove a partition holds
/// nothing it keeps, and skip one that holds nothing it removes, without reading its
/// rows. `autosummarize` summarizes each block range as soon as writes leave it.
pub const RETENTION_INDEX_DEFINITION: &str =
    "USING brin (status, processed_at) WITH (autosummarize)";

/// `<table>_retention`: as long as a day partition's name, so it fits wherever those do.
pub fn retention_index_name(table: &str) -> String {
    format!("{table}_retention")
}

/// Checks that every name the layout derives fits PostgreSQL's 63 bytes.
pub fn check_names(table: &str, interval: Interval) -> anyhow::Result<()> {
    let longest = interval.partition_name(
        table,
        NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default(),
    );
    for name in [longest, default_name(table), retention_index_name(table)] {
        if name.len() > 63 {
            return Err(crate::error::usage(format!(
                "table name \"{table}\" is too long to partition: its partition \"{name}\" would pass PostgreSQL's 63 bytes"
            )));
        }
    }
    Ok(())
}

/// One partition of a partitioned table, as the catalogs describe it.
#[derive(Clone, Debug)]
pub struct Partition {
    pub name: String,
    pub schema: String,
    pub oid: u32,
    /// The range's lower and upper bounds; `None` for MINVALUE/MAXVALUE, and both `None`
    /// for the default partition.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub is_default: bool,
    /// Both bounds were read exactly (`None` above then means MINVALUE or MAXVALUE,
    /// not a bound this code could not read).
    pub exact: bool,
    /// The partition is itself partitioned (its rows are in its own partitions).
    pub is_partitioned: bool,
    /// The planner's row estimate (`-1`: never analyzed).
    pub estimated_rows: f64,
    pub bytes: i64,
}

impl Partition {
    /// `"schema".name`.
    pub fn sql(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
    }
}

/// Whether `rel` is partitioned, and by what: `RANGE (created_at)` for outboxctl's
/// layout.
pub fn partition_key(tx: &mut Tx<'_>, oid: u32) -> Result<Option<String>, tokio_postgres::Error> {
    let row = tx.query_opt(
        "SELECT pg_catalog.pg_get_partkeydef(partrelid) FROM pg_catalog.pg_partitioned_table WHERE partrelid OPERATOR(pg_catalog.=) $1",
        &crate::params![oid],
    )?;
    Ok(row.and_then(|r| r.get(0)))
}

/// outboxctl's partition key.
pub const OUR_KEY: &str = "RANGE (created_at)";

/// The direct partitions of `rel`, oldest range first, the default last.
pub fn list(tx: &mut Tx<'_>, rel: &Rel) -> anyhow::Result<Vec<Partition>> {
    let oid = rel.require()?;
    of(tx, oid).map_err(|e| crate::db::errors::explain_table_error(e, rel))
}

/// The direct partitions of the table `oid`, oldest range first, the default last.
pub fn of(tx: &mut Tx<'_>, oid: u32) -> Result<Vec<Partition>, tokio_postgres::Error> {
    // A range bound as the catalog prints it: FOR VALUES FROM ('…') TO ('…'), or DEFAULT.
    const LIST: &str = "SELECT c.relname::pg_catalog.text, n.nspname::pg_catalog.text, c.oid,
                pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                c.reltuples::pg_catalog.float8,
                pg_catalog.pg_total_relation_size(c.oid),
                c.relkind OPERATOR(pg_catalog.=) 'p'
           FROM pg_catalog.pg_inherits i
           JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.inhrelid
           JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
          WHERE i.inhparent OPERATOR(pg_catalog.=) $1";
    // Bounds print in the session's DateStyle: ISO is the one parsed below.
    tx.batch_execute("SET LOCAL DateStyle = 'ISO'")?;
    let rows = tx.query(LIST, &crate::params![oid])?;
    let mut partitions = Vec::new();
    for row in rows {
        let bound: String = row.get(3);
        let (from, to, is_default, exact) = parse_bound(&bound);
        partitions.push(Partition {
            name: row.get(0),
            schema: row.get(1),
            oid: row.get(2),
            from,
            to,
            is_default,
            exact,
            estimated_rows: row.get(4),
            is_partitioned: row.get(6),
            bytes: row.get(5),
        });
    }
    partitions.sort_by(|a, b| {
        a.is_default
            .cmp(&b.is_default)
            .then(a.from.cmp(&b.from))
            .then(a.name.cmp(&b.name))
    });
    Ok(partitions)
}

/// `FOR VALUES FROM ('2026-12-06 00:00:00+00') TO ('2026-12-07 00:00:00+00')`: its
/// bounds (`None` for MINVALUE and MAXVALUE), and whether both were read; `DEFAULT`:
/// none, and the default flag.
fn parse_bound(bound: &str) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>, bool, bool) {
    if bound.trim() == "DEFAULT" {
        return (None, None, true, true);
    }
    // `Some(None)`: the keyword `unbounded` (MINVALUE or MAXVALUE) instead of a value.
    let value = |after: &str, unbounded: &str| -> Option<Option<DateTime<Utc>>> {
        let rest = bound.split_once(after)?.1.trim_start().strip_prefix('(')?;
        if rest.starts_with(unbounded) {
            return Some(None);
        }
        let text = rest.strip_prefix('\'')?.split_once("')")?.0;
        parse_timestamptz(text).map(Some)
    };
    match (value("FROM", "MINVALUE"), value(" TO", "MAXVALUE")) {
        (Some(from), Some(to)) => (from, to, false, true),
        (from, to) => (from.flatten(), to.flatten(), false, false),
    }
}

/// A timestamptz as the server prints it in a partition bound, in any DateStyle's ISO
/// form with an offset (`2026-12-06 00:00:00+00`, `2026-12-06 01:00:00+01`).
fn parse_timestamptz(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    // Offsets as +HH or +HH:MM.
    let normalized = match text.rfind(['+', '-']) {
        Some(at) if at > 10 && text[at + 1..].len() == 2 => format!("{text}:00"),
        _ => text.to_string(),
    };
    DateTime::parse_from_str(&normalized, "%Y-%m-%d %H:%M:%S%.f%:z")
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Why a partition cannot be dropped by a retention cutoff: the rows the equivalent
/// `DELETE` would keep, by kind. All zero: it can go.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Keepers {
    pub pending: i64,
    pub processing: i64,
    /// Failed rows (kept unless `--include-failed`, and then only those created after the
    /// cutoff).
    pub failed: i64,
    /// Processed after the cutoff, or with no processed_at.
    pub processed_after: i64,
    /// Rows with a status the library never writes.
    pub other: i64,
}

impl Keepers {
    pub fn none(&self) -> bool {
        self.total() == 0
    }

    pub fn total(&self) -> i64 {
        self.pending + self.processing + self.failed + self.processed_after + self.other
    }

    /// "3 pending, 1 processed after the cutoff", for people.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = [
            (self.pending, "pending"),
            (self.processing, "processing"),
            (self.failed, "failed"),
            (self.processed_after, "processed the purge keeps (after the cutoff, without processed_at, or of another topic)"),
            (self.other, "with another status"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn intervals_start_where_people_expect() {
        assert_eq!(Interval::Day.start_of(day(2026, 12, 6)), day(2026, 12, 6));
        // 2026-12-06 is a Sunday: its ISO week began on Monday the 30th.
        assert_eq!(Interval::Week.start_of(day(2026, 12, 6)), day(2026, 11, 30));
        assert_eq!(Interval::Month.start_of(day(2026, 12, 6)), day(2026, 12, 1));
        assert_eq!(Interval::Month.next(day(2026, 12, 1)), day(2027, 1, 1));
        assert_eq!(Interval::Week.next(day(2026, 11, 30)), day(2026, 12, 7));
    }

    #[test]
    fn partitions_ahead_cover_today_and_premake_more() {
        let parts = ahead(Interval::Day, "outbox", day(2026, 12, 31), 2);
        assert_eq!(
            parts,
            vec![
                (
                    "outbox_p20261231".to_string(),
                    day(2026, 12, 31),
                    day(2027, 1, 1)
                ),
                (
                    "outbox_p20270101".to_string(),
                    day(2027, 1, 1),
                    day(2027, 1, 2)
                ),
                (
                    "outbox_p20270102".to_string(),
                    day(2027, 1, 2),
                    day(2027, 1, 3)
                ),
            ]
        );
        let months = ahead(Interval::Month, "o", day(2026, 12, 6), 1);
        assert_eq!(months[1].0, "o_p202701");
    }

    #[test]
    fn bounds_are_read_back_in_any_offset() {
        let (from, to, default, exact) =
            parse_bound("FOR VALUES FROM ('2026-12-06 00:00:00+00') TO ('2026-12-07 01:00:00+01')");
        assert!(!default && exact);
        assert_eq!(from.unwrap().to_rfc3339(), "2026-12-06T00:00:00+00:00");
        assert_eq!(to.unwrap().to_rfc3339(), "2026-12-07T00:00:00+00:00");
        assert_eq!(parse_bound("DEFAULT"), (None, None, true, true));
        let (from, to, _, exact) =
            parse_bound("FOR VALUES FROM (MINVALUE) TO ('2026-01-01 00:00:00+00')");
        assert!(from.is_none() && to.is_some() && exact);
    }

    #[test]
    fn a_bound_not_read_is_not_taken_for_minvalue() {
        // A DateStyle other than ISO: the value is there but not in the form parsed.
        let (from, _, _, exact) =
            parse_bound("FOR VALUES FROM ('Sun Dec 06 00:00:00 2026 UTC') TO (MAXVALUE)");
        assert!(from.is_none() && !exact);
    }

    #[test]
    fn long_table_names_are_refused_before_anything_runs() {
        assert!(check_names(&"t".repeat(50), Interval::Day).is_ok());
        assert!(check_names(&"t".repeat(60), Interval::Day).is_err());
    }
}
