//! Retention by DROP on a time-partitioned outbox: a partition whose whole range lies
//! before the cutoff goes at once — detached and dropped, no row deleted one by one, no
//! WAL per row, no dead tuples — but only when every row in it is one the purge's
//! `DELETE` would remove. The rest is purged row by row as on a plain table.
//!
//! Why this is safe while writers and the relay run:
//! 1. a partition with a pending row is left at once (its pending index says so);
//! 2. the purge's own selection is added to the partition as `CHECK ((…) IS TRUE) NOT
//!    VALID` (a catalog change: the partition is locked for milliseconds, after every
//!    earlier writer to it has committed), so from then on no row that the purge would
//!    keep can enter it or be changed into it — such a write fails instead of being
//!    lost; `IS TRUE`, because a CHECK that is NULL passes;
//! 3. one read of the partition, after that, counts its rows and any the purge would
//!    keep: none may be missed, since later writes are held to the constraint;
//! 4. `DETACH PARTITION` and `DROP TABLE` in one short transaction: catalog changes
//!    only, under `lock_timeout`. (`DETACH … CONCURRENTLY` is not allowed on a table
//!    with a default partition, which the layout has.)
//!
//! A partition that fails a step keeps its rows (and loses the constraint); an
//! interrupted run leaves at most the constraint, which the next run replaces.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::batch::signals;
use crate::db::errors::{describe_pg_error, explain_table_error};
use crate::db::session::{Access, Rel, Session};
use crate::db::sql::{Params, quote_ident, quote_literal};
use crate::tables::partitions::{self, Keepers, Partition};

/// The constraint that holds a partition to the purge's selection while it is dropped.
pub const CONSTRAINT: &str = "outboxctl_retention";

/// How long a step waits for its lock when `--lock-timeout` is not given: the relay
/// waits behind it for at most this long.
const DDL_LOCK_TIMEOUT: Duration = Duration::from_secs(2);

/// What happened to each partition whose range lies before the cutoff.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Dropped (or, in a dry run, droppable): name and the rows it held.
    pub dropped: Vec<(String, i64)>,
    /// Kept: name and why.
    pub kept: Vec<(String, String)>,
    /// A signal stopped the run between partitions.
    pub interrupted: bool,
}

impl Outcome {
    pub fn rows_dropped(&self) -> i64 {
        self.dropped.iter().map(|(_, n)| n).sum()
    }
}

/// The purge's selection with every value written out, for a `CHECK` constraint (which
/// takes no bind parameters): processed before `cutoff`, failed ones created before it
/// with `include_failed`, only `topics` when given.
pub fn selection_literal(cutoff: DateTime<Utc>, include_failed: bool, topics: &[String]) -> String {
    let c = format!(
        "{}::pg_catalog.timestamptz",
        quote_literal(&cutoff.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
    );
    let mut sql = format!(
        "(status OPERATOR(pg_catalog.=) 'processed' AND processed_at OPERATOR(pg_catalog.<) {c}"
    );
    if include_failed {
        sql.push_str(&format!(
            " OR status OPERATOR(pg_catalog.=) 'failed' AND created_at OPERATOR(pg_catalog.<) {c}"
        ));
    }
    sql.push(')');
    if !topics.is_empty() {
        let list: Vec<String> = topics.iter().map(|t| quote_literal(t)).collect();
        sql.push_str(&format!(
            " AND topic OPERATOR(pg_catalog.=) ANY(ARRAY[{}]::pg_catalog.text[])",
            list.join(", ")
        ));
    }
    sql
}

/// The partitions of `rel` whose whole range lies before `cutoff` (the default
/// partition never does); empty when `rel` is not outboxctl's partitioned layout.
pub fn candidates(
    session: &mut Session,
    rel: &Rel,
    cutoff: DateTime<Utc>,
) -> anyhow::Result<Vec<Partition>> {
    let Some(oid) = rel.oid else {
        return Ok(Vec::new());
    };
    let fail = |e| explain_table_error(e, rel);
    session.with_tx(Access::ReadOnly, &fail, |tx| {
        if partitions::partition_key(tx, oid).map_err(fail)?.as_deref() != Some(partitions::OUR_KEY)
        {
            return Ok(Vec::new());
        }
        Ok(partitions::list(tx, rel)?
            .into_iter()
            .filter(|p| !p.is_default && p.to.is_some_and(|to| to <= cutoff))
            .collect())
    })
}

/// Drops each of `partitions` that holds only rows `selection` removes; with `dry_run`,
/// only says which it would drop.
pub fn drop_removable(
    session: &mut Session,
    rel: &Rel,
    partitions: &[Partition],
    selection: &str,
    dry_run: bool,
) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::default();
    let lock_timeout = session
        .settings()
        .lock_timeout
        .unwrap_or(DDL_LOCK_TIMEOUT)
        .as_millis()
        .max(1);
    signals::install();
    if !dry_run {
        remove_leftovers(session, rel, lock_timeout)?;
    }
    // Set when the table itself could not be locked: every other partition would wait
    // as long again, and the relay behind each wait.
    let mut table_busy: Option<String> = None;
    for partition in partitions {
        if signals::stop_requested() {
            outcome.interrupted = true;
            break;
        }
        if partition.is_partitioned {
            outcome.kept.push((
                partition.name.clone(),
                "it is itself partitioned: its own partitions are purged row by row".to_string(),
            ));
            continue;
        }
        if let Some(why) = &table_busy {
            outcome
                .kept
                .push((partition.name.clone(), format!("not tried: {why}")));
            continue;
        }
        if dry_run {
            // A dry run reads the partition to say exactly what it would keep.
            let (rows, keepers) = keepers(session, rel, partition, selection)?;
            if keepers.none() {
                outcome.dropped.push((partition.name.clone(), rows));
            } else {
                outcome.kept.push((
                    partition.name.clone(),
                    format!("it holds {}", keepers.describe()),
                ));
            }
            continue;
        }
        // The cheap refusal first: a pending row, through the pending index. The proof
        // that every row goes is VALIDATE's one read below; only a partition that fails
        // it is read again, to say why.
        if let Some(pending) = pending_rows(session, rel, partition)?
            && pending > 0
        {
            outcome.kept.push((
                partition.name.clone(),
                format!("it holds {pending} pending"),
            ));
            continue;
        }
        match drop_one(session, rel, partition, selection, lock_timeout) {
            Ok(rows) => outcome.dropped.push((partition.name.clone(), rows)),
            Err(Kept::Table(why)) => {
                table_busy = Some(format!(
                    "\"{}\" was locked by another session when {} was tried",
                    rel.name, partition.name
                ));
                outcome.kept.push((partition.name.clone(), why));
            }
            Err(Kept::Keepers(why)) => outcome.kept.push((partition.name.clone(), why)),
            Err(Kept::Partition(why)) => outcome.kept.push((partition.name.clone(), why)),
            Err(Kept::Interrupted) => {
                outcome.interrupted = true;
                outcome.kept.push((
                    partition.name.clone(),
                    "interrupted before it was dropped".to_string(),
                ));
                break;
            }
        }
    }
    Ok(outcome)
}

/// A lock wait that timed out means another session holds the table (a reader holds
/// every partition): the next partitions would wait as long, and the relay behind each.
fn locked_or(err: tokio_postgres::Error, why: String) -> Kept {
    if err.code() == Some(&tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE) {
        Kept::Table(why)
    } else {
        Kept::Partition(why)
    }
}

/// Why `drop_one` left a partition.
enum Kept {
    /// It holds rows the purge keeps, counted.
    Keepers(String),
    /// Something about this partition.
    Partition(String),
    /// The table could not be locked for the detach: no other partition will do better.
    Table(String),
    /// A signal came between the steps; the partition was left as it was.
    Interrupted,
}

/// The constraint a run that was stopped between its steps left on partitions: it
/// refuses writes the purge would keep, so it does not stay.
fn remove_leftovers(session: &mut Session, rel: &Rel, lock_timeout: u128) -> anyhow::Result<()> {
    let Some(oid) = rel.oid else {
        return Ok(());
    };
    let fail = |e| explain_table_error(e, rel);
    let left: Vec<String> = session.with_tx(Access::ReadOnly, &fail, |tx| {
        Ok(tx
            .query(
                "SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname)
                   FROM pg_catalog.pg_constraint k
                   JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) k.conrelid
                   JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
                   JOIN pg_catalog.pg_inherits i ON i.inhrelid OPERATOR(pg_catalog.=) c.oid
                  WHERE i.inhparent OPERATOR(pg_catalog.=) $1 AND k.conname OPERATOR(pg_catalog.=) $2",
                &crate::params![oid, CONSTRAINT.to_string()],
            )
            .map_err(fail)?
            .iter()
            .map(|r| r.get(0))
            .collect())
    })?;
    // Best effort: a partition another session holds keeps it until the next run,
    // which tries again.
    for part in left {
        let _ = session.with_tx(Access::ReadWrite, &fail, |tx| {
            tx.batch_execute(&format!("SET LOCAL lock_timeout = {lock_timeout}"))
                .map_err(fail)?;
            tx.batch_execute(&format!(
                "ALTER TABLE {part} DROP CONSTRAINT IF EXISTS {}",
                quote_ident(CONSTRAINT)
            ))
            .map_err(fail)
        });
    }
    Ok(())
}

/// Pending rows in the partition, counted through its pending index (`None` when it has
/// none: then VALIDATE alone decides).
fn pending_rows(
    session: &mut Session,
    rel: &Rel,
    partition: &Partition,
) -> anyhow::Result<Option<i64>> {
    let fail = |e| explain_table_error(e, rel);
    session.with_tx(Access::ReadOnly, &fail, |tx| {
        let indexed: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                                 WHERE i.indrelid OPERATOR(pg_catalog.=) $1 AND i.indisvalid AND i.indpred IS NOT NULL
                                   AND pg_catalog.pg_get_expr(i.indpred, i.indrelid) OPERATOR(pg_catalog.=) '(status = ''pending''::text)')",
                &crate::params![partition.oid],
            )
            .map_err(fail)?
            .get(0);
        if !indexed {
            return Ok(None);
        }
        let n = crate::tables::outbox::count_pending_in(tx, &format!("ONLY {}", partition.sql()))
            .map_err(fail)?;
        Ok(Some(n))
    })
}

/// The partition's rows, and those the purge (its selection, `selection`) would keep.
/// Reads the partition once, sequentially, writing nothing.
pub fn keepers(
    session: &mut Session,
    rel: &Rel,
    partition: &Partition,
    selection: &str,
) -> anyhow::Result<(i64, Keepers)> {
    let fail = |e| explain_table_error(e, rel);
    session.with_tx(Access::ReadOnly, &fail, |tx| {
        // The selection is evaluated once per row: the read is the whole cost.
        let row = tx
            .query_one(
                &format!(
                    "SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE ({selection}) IS NOT TRUE)
                       FROM ONLY {}",
                    partition.sql()
                ),
                &Params::default(),
            )
            .map_err(fail)?;
        let (rows, kept): (i64, i64) = (row.get(0), row.get(1));
        if kept == 0 {
            return Ok((rows, Keepers::default()));
        }
        // Rows to keep: read again, only now, to say which.
        let row = tx
            .query_one(
                &format!(
                    "SELECT pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'pending'),
                            pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'processing'),
                            pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'failed'),
                            pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'processed')
                       FROM ONLY {} WHERE ({selection}) IS NOT TRUE",
                    partition.sql()
                ),
                &Params::default(),
            )
            .map_err(fail)?;
        let (pending, processing, failed, processed): (i64, i64, i64, i64) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        Ok((
            rows,
            Keepers {
                pending,
                processing,
                failed,
                processed_after: processed,
                other: (kept - pending - processing - failed - processed).max(0),
            },
        ))
    })
}

/// Steps 2 to 4 (see the module's doc): why not, when the partition stays.
fn drop_one(
    session: &mut Session,
    rel: &Rel,
    partition: &Partition,
    selection: &str,
    lock_timeout: u128,
) -> Result<i64, Kept> {
    let part = partition.sql();
    let constraint = quote_ident(CONSTRAINT);
    let run = |session: &mut Session, sql: &str| -> Result<(), tokio_postgres::Error> {
        let mut tx = session.begin(Access::ReadWrite)?;
        tx.batch_execute(&format!("SET LOCAL lock_timeout = {lock_timeout}"))?;
        tx.batch_execute(sql)?;
        tx.commit()
    };
    let undo = |session: &mut Session| {
        let _ = run(
            session,
            &format!("ALTER TABLE {part} DROP CONSTRAINT IF EXISTS {constraint}"),
        );
    };
    // `IS TRUE`: a CHECK passes when it is NULL, and a row with a NULL status or
    // processed_at is one the purge keeps.
    if let Err(e) = run(
        session,
        &format!(
            "ALTER TABLE {part} DROP CONSTRAINT IF EXISTS {constraint};
             ALTER TABLE {part} ADD CONSTRAINT {constraint} CHECK (({selection}) IS TRUE) NOT VALID"
        ),
    ) {
        let why = format!(
            "it could not be marked for dropping: {}",
            describe_pg_error(&e)
        );
        return Err(locked_or(e, why));
    }
    if signals::stop_requested() {
        undo(session);
        return Err(Kept::Interrupted);
    }
    // Every row written from here on is held to the constraint, and every earlier
    // writer has committed (adding it waited for them): one read now sees every row
    // that could fail it, and counts what is dropped.
    let counted = keepers(session, rel, partition, selection);
    let rows = match counted {
        Ok((rows, found)) if found.none() => rows,
        Ok((_, found)) => {
            undo(session);
            return Err(Kept::Keepers(format!("it holds {}", found.describe())));
        }
        Err(err) => {
            undo(session);
            return Err(Kept::Partition(format!("it could not be checked: {err:#}")));
        }
    };
    if signals::stop_requested() {
        undo(session);
        return Err(Kept::Interrupted);
    }
    if let Err(e) = run(
        session,
        &format!(
            "ALTER TABLE {} DETACH PARTITION {part}; DROP TABLE {part}",
            rel.sql
        ),
    ) {
        undo(session);
        let why = format!("it could not be detached: {}", describe_pg_error(&e));
        return Err(locked_or(e, why));
    }
    Ok(rows)
}
