//! `outboxctl list --follow`: `tail -f` for the outbox. Prints each message that comes
//! to match the filter after the command starts — a new failure, a new pending row — as
//! it happens, one line each (or one JSON object each with `--format ndjson`), until
//! Ctrl-C, which ends it with exit 0.
//!
//! How rows are found: every look runs on one snapshot. It reads the rows that match
//! the filter and whose `xmin` is no older than the previous look's snapshot `xmin` —
//! every transaction that could still commit a row version unseen then, its
//! subtransactions included, has an id at least that — and prints those not printed yet
//! (by id and `xmin`; the memory of them is pruned as the horizon moves). When an index
//! serves every status of the filter (the pending index, `idx_<table>_processing`, or
//! any partial index on `status = 'failed'`), a look reads only that index's rows;
//! otherwise the table's change counters (`pg_stat_user_tables`) decide whether
//! anything was written since the last look, and only then is the table read. A lost
//! connection is opened again (after a pause that doubles up to a minute) and the
//! follow goes on from where it was.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::batch::signals;
use crate::cli::ListArgs;
use crate::commands::message_filter;
use crate::context::Context;
use crate::db::catalog::RELATION_TREE;
use crate::db::errors::explain_table_error;
use crate::db::pgtime::PgTime;
use crate::db::session::{Access, Rel, Session, Tx};
use crate::db::sql::{Params, where_clause};
use crate::render::export::{MessageWriter, WriteError};
use crate::render::output::{Format, escape, grouped, or_null};
use crate::tables::outbox::{self, MESSAGE_COLUMNS};
use tokio_postgres::Row;

/// Above this many rows a table read on every change is worth a warning.
const LARGE_TABLE_ROWS: f64 = 100_000.0;

pub fn run(ctx: &Context, args: &ListArgs) -> anyhow::Result<()> {
    if matches!(ctx.out.format, Format::Json | Format::Csv) {
        return Err(crate::error::usage(
            "--follow prints messages as they come: use the table view or --format ndjson",
        ));
    }
    let statuses = outbox::parse_statuses(&args.status)?;
    let mut filter = message_filter(&args.filter, statuses.clone());
    let (mut session, located) = ctx.open()?;
    let rel = located.outbox.clone();
    rel.require()?;
    let fail = |e| explain_table_error(e, &rel);
    if !filter.error_classes.is_empty() {
        session.with_tx(Access::ReadOnly, &fail, |tx| {
            filter.resolve_classes(tx, &rel)
        })?;
    }
    let (indexed, rows) = session.with_tx(Access::ReadOnly, &fail, |tx| {
        served_by_indexes(tx, &rel, &statuses).map_err(fail)
    })?;
    if !indexed && rows > LARGE_TABLE_ROWS {
        ctx.out.warn(format!(
            "no index serves --status {}: each poll after a change reads \"{}\" (about {} rows); a partial index on the status (CREATE INDEX CONCURRENTLY … WHERE status = '…') makes it cheap",
            statuses.join(","),
            rel.name,
            grouped(rows as i64)
        ));
    }
    signals::install_for_reading();
    // The rows that match now were there before the start: seen, not printed.
    let mut seen = Seen::default();
    let (mut horizon, present) = session.with_tx(Access::ReadOnlySnapshot, &fail, |tx| {
        look(tx, &rel, &filter, None).map_err(fail)
    })?;
    seen.add(&present);
    let mut counters = change_counters(&mut session, &rel)?;
    ctx.out.note(format!(
        "following \"{}\" on {} for {}: Ctrl-C ends",
        rel.name,
        rel.target,
        statuses.join(", ")
    ));
    let mut printed = 0u64;
    let mut backoff = Duration::from_secs(1);
    loop {
        if !wait(args.interval) {
            break;
        }
        let result = (|| -> anyhow::Result<Vec<Row>> {
            if !indexed {
                let now = change_counters(&mut session, &rel)?;
                if now == counters {
                    return Ok(Vec::new());
                }
                counters = now;
            }
            let (next, rows) = session.with_tx(Access::ReadOnlySnapshot, &fail, |tx| {
                look(tx, &rel, &filter, Some(horizon)).map_err(fail)
            })?;
            horizon = next;
            Ok(rows)
        })();
        match result {
            Ok(rows) => {
                backoff = Duration::from_secs(1);
                let new = seen.fresh(rows, horizon);
                printed += new.len() as u64;
                print_rows(ctx, &new)?;
            }
            Err(err) if crate::commands::watch::lost_connection(&err, Some(&session)) => {
                ctx.out.warn(format!(
                    "connection lost: {} — reconnecting",
                    escape(&crate::db::errors::one_line(&err))
                ));
                loop {
                    if !wait(backoff) {
                        break;
                    }
                    match ctx.open() {
                        Ok((reopened, _)) => {
                            session = reopened;
                            // Counters of the new connection: look once at least.
                            counters = -1;
                            ctx.out.note("reconnected: following on");
                            break;
                        }
                        Err(_) => backoff = (backoff * 2).min(Duration::from_secs(60)),
                    }
                }
            }
            Err(err) => return Err(err),
        }
    }
    ctx.out.note(format!(
        "{} came to match while following",
        crate::render::output::count_of(printed, "message", "messages")
    ));
    Ok(())
}

/// The rows printed (or present at the start), by id and `xmin`, for as long as a row
/// version with that `xmin` can still come up in a look.
#[derive(Default)]
struct Seen(std::collections::HashSet<(String, u32)>);

impl Seen {
    fn key(row: &Row) -> (String, u32) {
        let id: Option<uuid::Uuid> = row.get(0);
        (
            id.map(|u| u.to_string()).unwrap_or_default(),
            // `xmin` is the last column of a look's rows, after the message's own.
            row.get::<_, Option<String>>(row.len() - 1)
                .and_then(|x| x.parse().ok())
                .unwrap_or_default(),
        )
    }

    fn add(&mut self, rows: &[Row]) {
        self.0.extend(rows.iter().map(Self::key));
    }

    /// `rows` not seen before (now seen); then forgets what is older than `horizon`,
    /// the next look's, which cannot come up again.
    fn fresh(&mut self, rows: Vec<Row>, horizon: u32) -> Vec<Row> {
        let new = rows
            .into_iter()
            .filter(|row| self.0.insert(Self::key(row)))
            .collect();
        // Modulo 2^32, as transaction ids wrap: older means more than 2^31 behind.
        self.0
            .retain(|(_, xmin)| xmin.wrapping_sub(horizon) < (1 << 31));
        new
    }
}

/// One look, on the transaction's snapshot: the rows that match, written by a
/// transaction no older than `since` (all of them at the start), and this snapshot's
/// `xmin`, the next look's horizon.
fn look(
    tx: &mut Tx<'_>,
    rel: &Rel,
    filter: &outbox::MessageFilter,
    since: Option<u32>,
) -> Result<(u32, Vec<Row>), tokio_postgres::Error> {
    let horizon: i64 = tx
        .query_one(
            "SELECT (pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot())::pg_catalog.text::pg_catalog.int8
                     OPERATOR(pg_catalog.%) 4294967296)",
            &Params::default(),
        )?
        .get(0);
    let mut params = Params::default();
    let mut conditions = filter.conditions(&mut params);
    if let Some(since) = since {
        let at = params.push(i64::from(since).to_string());
        conditions.push(format!(
            "pg_catalog.age(xmin) OPERATOR(pg_catalog.>=) 0 AND pg_catalog.age(xmin) OPERATOR(pg_catalog.<=) (SELECT pg_catalog.age({at}::pg_catalog.xid))"
        ));
    }
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS}, xmin::pg_catalog.text FROM {}{} ORDER BY created_at, id",
        rel.sql,
        where_clause(&conditions)
    );
    let rows = tx.query(&sql, &params)?;
    Ok((horizon as u32, rows))
}

/// Sleeps `interval` unless a signal comes first: false when one did.
fn wait(interval: Duration) -> bool {
    signals::sleep_until(Instant::now() + interval)
}

/// Whether a partial index serves each of `statuses` (so a poll reads only its rows),
/// and the planner's row count of the table.
fn served_by_indexes(
    tx: &mut Tx<'_>,
    rel: &Rel,
    statuses: &[String],
) -> Result<(bool, f64), tokio_postgres::Error> {
    let oid = rel.oid.unwrap_or_default();
    let indexed = outbox::statuses_with_index(tx, oid)?;
    let rows: f64 = tx
        .query_one(
            "SELECT c.reltuples::pg_catalog.float8 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) $1",
            &crate::params![oid],
        )?
        .get(0);
    Ok((statuses.iter().all(|s| indexed.contains(s)), rows))
}

/// Rows inserted, updated and deleted in the table (and its partitions) as the
/// statistics count them: unchanged, nothing was written.
fn change_counters(session: &mut Session, rel: &Rel) -> anyhow::Result<i64> {
    let fail = |e| explain_table_error(e, rel);
    session.with_tx(Access::ReadOnly, &fail, |tx| {
        // A snapshot of the statistics is cached per transaction: each poll its own.
        Ok(tx
            .query_one(
                &format!(
"{RELATION_TREE}
                 SELECT coalesce(pg_catalog.sum(s.n_tup_ins OPERATOR(pg_catalog.+) s.n_tup_upd OPERATOR(pg_catalog.+) s.n_tup_del), 0)::pg_catalog.int8
                   FROM tree JOIN pg_catalog.pg_stat_all_tables s ON s.relid OPERATOR(pg_catalog.=) tree.oid"
),
                &crate::params![rel.oid.unwrap_or_default()],
            )
            .map_err(fail)?
            .get(0))
    })
}

/// The rows of one poll: a JSON object each with `--format ndjson`, else a line each.
fn print_rows(ctx: &Context, rows: &[Row]) -> anyhow::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let out = crate::render::output::stdout();
    if ctx.out.format == Format::Ndjson {
        let columns = ctx.out.pick_columns(outbox::MESSAGE_FIELDS)?;
        let mut writer = MessageWriter::new(Format::Ndjson, out, &columns)?;
        for row in rows {
            writer.write(row).map_err(|e| match e {
                WriteError::Value(e) => anyhow::anyhow!("{e}"),
                WriteError::Output(e) => e.into(),
            })?;
        }
        writer.finish()?;
        return Ok(());
    }
    let mut out = std::io::BufWriter::new(out);
    for row in rows {
        let message = outbox::Message::from_row(row)?;
        let at: Option<PgTime> = message.created_at;
        let error = message.last_error.clone().unwrap_or_default();
        writeln!(
            out,
            "{}  {:<10}  {}  {}  retries {}{}",
            at.map_or("null".to_string(), |t| t.human()),
            escape(&or_null(message.status.clone())),
            or_null(message.id.map(|id| id.to_string())),
            escape(&or_null(message.topic.clone())),
            or_null(message.retries.map(|r| r.to_string())),
            if error.is_empty() {
                String::new()
            } else {
                format!("  {}", escape(&error))
            }
        )?;
    }
    out.flush()?;
    Ok(())
}
