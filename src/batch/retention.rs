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
//! 3. one read of the partition, after that, looks for a row the purge would keep: none
//!    may be missed, since later writes are held to the constraint;
//! 4. `DETACH PARTITION`, then `DROP TABLE` in a transaction of its own (the detached
//!    table is no longer the outbox's, so removing its files holds no lock the relay
//!    waits for): catalog changes only, under `lock_timeout`. A table detached but not
//!    dropped (someone held it) keeps the constraint, by which the next run finds and
//!    drops it.
//!    (`DETACH … CONCURRENTLY` is not allowed on a table with a default partition,
//!    which the layout has.)
//!
//! What makes it cheap: step 3 asks the partition's retention index (BRIN on `status,
//! processed_at`) for the block ranges that could hold a row the purge keeps — none, in
//! a partition of old processed rows — so it reads a few index pages, not the rows; a
//! partition without that index, or a purge of some topics only, is read whole. Steps 2
//! and 4 take every partition in one transaction each (one commit, one short lock
//! each), and fall back to one partition at a time when that cannot get its locks, so
//! one busy partition does not keep the others.
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
    /// Dropped (or, in a dry run, droppable), with the rows each held.
    pub dropped: Vec<Dropped>,
    /// Kept: name and why.
    pub kept: Vec<(String, String)>,
    /// A signal stopped the run between partitions.
    pub interrupted: bool,
}

#[derive(Debug)]
pub struct Dropped {
    pub name: String,
    pub rows: i64,
    /// `rows` is the planner's count: a large partition proved through its retention
    /// index is not read, so not counted.
    pub estimated: bool,
}

impl Outcome {
    pub fn rows_dropped(&self) -> i64 {
        self.dropped.iter().map(|d| d.rows).sum()
    }

    pub fn rows_estimated(&self) -> bool {
        self.dropped.iter().any(|d| d.estimated)
    }
}

/// What the purge removes: processed before `cutoff`, failed ones created before it
/// with `include_failed`, only `topics` when given.
#[derive(Clone, Debug)]
pub struct Rule {
    pub cutoff: DateTime<Utc>,
    pub include_failed: bool,
    pub topics: Vec<String>,
}

impl Rule {
    fn cutoff_literal(&self) -> String {
        format!(
            "{}::pg_catalog.timestamptz",
            quote_literal(
                &self
                    .cutoff
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
            )
        )
    }

    /// The selection with every value written out, for a `CHECK` constraint (which
    /// takes no bind parameters).
    pub fn selection(&self) -> String {
        let c = self.cutoff_literal();
        let mut sql = format!(
            "(status OPERATOR(pg_catalog.=) 'processed' AND processed_at OPERATOR(pg_catalog.<) {c}"
        );
        if self.include_failed {
            sql.push_str(&format!(
                " OR status OPERATOR(pg_catalog.=) 'failed' AND created_at OPERATOR(pg_catalog.<) {c}"
            ));
        }
        sql.push(')');
        if !self.topics.is_empty() {
            let list: Vec<String> = self.topics.iter().map(|t| quote_literal(t)).collect();
            sql.push_str(&format!(
                " AND topic OPERATOR(pg_catalog.=) ANY(ARRAY[{}]::pg_catalog.text[])",
                list.join(", ")
            ));
        }
        sql
    }

    /// For a partition wholly before the cutoff: the rows the purge keeps, written only
    /// with conditions a BRIN on `(status, processed_at)` answers — exactly `(selection)
    /// IS NOT TRUE` there, since every row of such a partition was created before the
    /// cutoff. `status <> v` is written `< v OR > v`: under any collation exactly one of
    /// `<`, `=`, `>` holds, so these are the same rows. `None` with topics: `topic` is
    /// not in the index.
    pub fn keepers_indexed(&self) -> Option<String> {
        if !self.topics.is_empty() {
            return None;
        }
        let c = self.cutoff_literal();
        let lt = |v: &str| format!("status OPERATOR(pg_catalog.<) '{v}'");
        let gt = |v: &str| format!("status OPERATOR(pg_catalog.>) '{v}'");
        let late = format!("processed_at IS NULL OR processed_at OPERATOR(pg_catalog.>=) {c}");
        Some(if self.include_failed {
            format!(
                "status IS NULL OR {} OR {} AND {} OR {} OR status OPERATOR(pg_catalog.=) 'processed' AND ({late})",
                lt("failed"),
                gt("failed"),
                lt("processed"),
                gt("processed")
            )
        } else {
            format!(
                "status IS NULL OR {} OR {} OR {late}",
                lt("processed"),
                gt("processed")
            )
        })
    }
}

/// The partitions of `rel` whose whole range lies before `cutoff` (the default
/// partition never does); `None` when `rel` is not outboxctl's partitioned layout.
pub fn candidates(
    session: &mut Session,
    rel: &Rel,
    cutoff: DateTime<Utc>,
) -> anyhow::Result<Option<Vec<Partition>>> {
    let Some(oid) = rel.oid else {
        return Ok(None);
    };
    let fail = |e| explain_table_error(e, rel);
    session.with_tx(Access::ReadOnly, &fail, |tx| {
        if partitions::partition_key(tx, oid).map_err(fail)?.as_deref() != Some(partitions::OUR_KEY)
        {
            return Ok(None);
        }
        Ok(Some(
            partitions::list(tx, rel)?
                .into_iter()
                .filter(|p| !p.is_default && p.to.is_some_and(|to| to <= cutoff))
                .collect(),
        ))
    })
}

/// Drops each of `partitions` that holds only rows `rule` removes; with `dry_run`, only
/// says which it would drop.
pub fn drop_removable(
    session: &mut Session,
    rel: &Rel,
    partitions: &[Partition],
    rule: &Rule,
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
    // Step 1, and what each partition has, in one read.
    let mut left = Vec::new();
    for (partition, facts) in partitions.iter().zip(facts(session, rel, partitions)?) {
        if partition.is_partitioned {
            outcome.kept.push((
                partition.name.clone(),
                "it is itself partitioned: its own partitions are purged row by row".to_string(),
            ));
        } else if facts.pending > 0 {
            outcome.kept.push((
                partition.name.clone(),
                format!("it holds {} pending", facts.pending),
            ));
        } else {
            left.push((partition, facts));
        }
    }
    if dry_run {
        for (partition, facts) in &left {
            if signals::stop_requested() {
                outcome.interrupted = true;
                break;
            }
            match verdict(session, rel, partition, facts, rule, false)? {
                Ok(counted) => outcome.dropped.push(counted.named(partition)),
                Err(keepers) => outcome.kept.push((
                    partition.name.clone(),
                    format!("it holds {}", keepers.describe()),
                )),
            }
        }
        return Ok(outcome);
    }
    if left.is_empty() {
        return Ok(outcome);
    }
    if signals::stop_requested() {
        outcome.interrupted = true;
        return Ok(outcome);
    }
    // Step 2 for every partition in one transaction; one at a time when that cannot
    // get every lock, so that one busy partition keeps only itself.
    let names: Vec<String> = left.iter().map(|(p, _)| p.sql()).collect();
    let marked = run_ddl(
        session,
        lock_timeout,
        &names
            .iter()
            .map(|part| mark_sql(part, rule))
            .collect::<String>(),
    );
    if marked.is_err() {
        one_at_a_time(session, rel, &left, rule, lock_timeout, &mut outcome);
        return Ok(outcome);
    }
    // Step 3.
    let mut proven: Vec<(&Partition, Counted)> = Vec::new();
    for (i, (partition, facts)) in left.iter().enumerate() {
        if signals::stop_requested() {
            let marked: Vec<&Partition> = proven
                .iter()
                .map(|(p, _)| *p)
                .chain(left[i..].iter().map(|(p, _)| *p))
                .collect();
            interrupted(session, lock_timeout, &marked, &mut outcome);
            return Ok(outcome);
        }
        match verdict(session, rel, partition, facts, rule, true) {
            Ok(Ok(counted)) => proven.push((partition, counted)),
            Ok(Err(keepers)) => {
                unmark(session, lock_timeout, &[partition.sql()]);
                outcome.kept.push((
                    partition.name.clone(),
                    format!("it holds {}", keepers.describe()),
                ));
            }
            Err(err) => {
                unmark(session, lock_timeout, &[partition.sql()]);
                outcome.kept.push((
                    partition.name.clone(),
                    format!("it could not be checked: {err:#}"),
                ));
            }
        }
    }
    if proven.is_empty() {
        return Ok(outcome);
    }
    if signals::stop_requested() {
        let marked: Vec<&Partition> = proven.iter().map(|(p, _)| *p).collect();
        interrupted(session, lock_timeout, &marked, &mut outcome);
        return Ok(outcome);
    }
    // Step 4 for every proven partition in one transaction, else one at a time. The
    // detach is what locks the table; the drop comes after, in a transaction of its
    // own, so the relay does not wait while the files are removed.
    let detach_all = proven
        .iter()
        .map(|(p, _)| format!("ALTER TABLE {} DETACH PARTITION {};\n", rel.sql, p.sql()))
        .collect::<String>();
    if run_ddl(session, lock_timeout, &detach_all).is_ok() {
        let detached: Vec<String> = proven.iter().map(|(p, _)| p.sql()).collect();
        drop_detached(session, lock_timeout, &detached);
        outcome
            .dropped
            .extend(proven.iter().map(|(p, counted)| counted.named(p)));
        return Ok(outcome);
    }
    let mut table_busy: Option<String> = None;
    for (partition, counted) in proven {
        let part = partition.sql();
        if let Some(why) = &table_busy {
            unmark(session, lock_timeout, &[part]);
            outcome
                .kept
                .push((partition.name.clone(), format!("not tried: {why}")));
            continue;
        }
        match run_ddl(session, lock_timeout, &detach_sql(rel, &part)) {
            Ok(()) => outcome.dropped.push(counted.named(partition)),
            Err(e) => {
                unmark(session, lock_timeout, &[part]);
                let why = format!("it could not be detached: {}", describe_pg_error(&e));
                match locked_or(e, why) {
                    Kept::Table(why) => {
                        table_busy = Some(busy(rel, partition));
                        outcome.kept.push((partition.name.clone(), why));
                    }
                    Kept::Partition(why) | Kept::Keepers(why) => {
                        outcome.kept.push((partition.name.clone(), why))
                    }
                    Kept::Interrupted => {}
                }
            }
        }
    }
    Ok(outcome)
}

/// A signal came between the steps: the partitions still marked lose their
/// constraint and stay, each said to be kept for that.
fn interrupted(
    session: &mut Session,
    lock_timeout: u128,
    marked: &[&Partition],
    outcome: &mut Outcome,
) {
    unmark(
        session,
        lock_timeout,
        &marked.iter().map(|p| p.sql()).collect::<Vec<_>>(),
    );
    outcome.interrupted = true;
    outcome.kept.extend(marked.iter().map(|p| {
        (
            p.name.clone(),
            "interrupted before it was dropped".to_string(),
        )
    }));
}

fn busy(rel: &Rel, partition: &Partition) -> String {
    format!(
        "\"{}\" was locked by another session when {} was tried",
        rel.name, partition.name
    )
}

/// Steps 2 to 4 one partition at a time: the path when the partitions could not all be
/// marked at once.
fn one_at_a_time(
    session: &mut Session,
    rel: &Rel,
    left: &[(&Partition, Facts)],
    rule: &Rule,
    lock_timeout: u128,
    outcome: &mut Outcome,
) {
    // Set when the table itself could not be locked: every other partition would wait
    // as long again, and the relay behind each wait.
    let mut table_busy: Option<String> = None;
    for (partition, facts) in left {
        if signals::stop_requested() {
            outcome.interrupted = true;
            break;
        }
        if let Some(why) = &table_busy {
            outcome
                .kept
                .push((partition.name.clone(), format!("not tried: {why}")));
            continue;
        }
        match drop_one(session, rel, partition, facts, rule, lock_timeout) {
            Ok(counted) => outcome.dropped.push(counted.named(partition)),
            Err(Kept::Table(why)) => {
                table_busy = Some(busy(rel, partition));
                outcome.kept.push((partition.name.clone(), why));
            }
            Err(Kept::Keepers(why)) | Err(Kept::Partition(why)) => {
                outcome.kept.push((partition.name.clone(), why))
            }
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
    // Tables an earlier run detached, proved removable, but could not drop: only step
    // 4 detaches a table that carries the constraint.
    let detached: Vec<String> = session.with_tx(Access::ReadOnly, &fail, |tx| {
        Ok(tx
            .query(
                "SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname)
                   FROM pg_catalog.pg_constraint k
                   JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) k.conrelid
                   JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
                   JOIN pg_catalog.pg_class t ON t.oid OPERATOR(pg_catalog.=) $1
                  WHERE k.conname OPERATOR(pg_catalog.=) $2 AND c.relkind OPERATOR(pg_catalog.=) 'r' AND NOT c.relispartition
                    AND c.relnamespace OPERATOR(pg_catalog.=) t.relnamespace
                    AND pg_catalog.left(c.relname::pg_catalog.text, (pg_catalog.length(t.relname::pg_catalog.text) OPERATOR(pg_catalog.+) 2))
                        OPERATOR(pg_catalog.=) (t.relname::pg_catalog.text OPERATOR(pg_catalog.||) '_p')
                    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i
                                     WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid OR i.inhparent OPERATOR(pg_catalog.=) c.oid)",
                &crate::params![oid, CONSTRAINT.to_string()],
            )
            .map_err(fail)?
            .iter()
            .map(|r| r.get(0))
            .collect())
    })?;
    drop_detached(session, lock_timeout, &detached);
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

/// What step 1 reads of a partition.
#[derive(Debug, Default)]
struct Facts {
    /// Pending rows, counted through the pending index (0 without one: the proof then
    /// decides alone).
    pending: i64,
    /// A valid BRIN index of the partition's over `status` and `processed_at`.
    retention_index: Option<u32>,
    /// The partition's size in blocks, and the planner's row count (`-1`: never
    /// analyzed).
    blocks: i64,
    estimated_rows: f64,
}

/// Up to this many blocks (10 MB) a proved partition's rows are counted exactly; above,
/// the planner's count is reported, since counting would read what the index spared.
const EXACT_COUNT_BLOCKS: i64 = 1280;

fn facts(session: &mut Session, rel: &Rel, partitions: &[Partition]) -> anyhow::Result<Vec<Facts>> {
    let fail = |e| explain_table_error(e, rel);
    session.with_tx(Access::ReadOnly, &fail, |tx| {
        let mut all = Vec::new();
        for partition in partitions {
            if partition.is_partitioned {
                all.push(Facts::default());
                continue;
            }
            let row = tx
                .query_one(
                    "SELECT (SELECT x.indexrelid FROM pg_catalog.pg_index x
                               JOIN pg_catalog.pg_class ic ON ic.oid OPERATOR(pg_catalog.=) x.indexrelid
                               JOIN pg_catalog.pg_am a ON a.oid OPERATOR(pg_catalog.=) ic.relam
                              WHERE x.indrelid OPERATOR(pg_catalog.=) $1 AND x.indisvalid AND a.amname OPERATOR(pg_catalog.=) 'brin'
                                AND (SELECT pg_catalog.count(*) FROM pg_catalog.pg_attribute t
                                      WHERE t.attrelid OPERATOR(pg_catalog.=) x.indrelid
                                        AND t.attnum OPERATOR(pg_catalog.=) ANY(x.indkey::pg_catalog.int2[])
                                        AND t.attname OPERATOR(pg_catalog.=) ANY('{status,processed_at}'::pg_catalog.name[])) OPERATOR(pg_catalog.=) 2
                              LIMIT 1),
                            (pg_catalog.pg_relation_size($1) OPERATOR(pg_catalog./) pg_catalog.current_setting('block_size')::pg_catalog.int8)::pg_catalog.int8,
                            (SELECT c.reltuples::pg_catalog.float8 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) $1)",
                    &crate::params![partition.oid],
                )
                .map_err(fail)?;
            let indexed = crate::tables::outbox::statuses_with_index(tx, partition.oid)
                .map_err(fail)?
                .iter()
                .any(|s| s == "pending");
            let pending = if indexed {
                crate::tables::outbox::count_pending_in(tx, &format!("ONLY {}", partition.sql()))
                    .map_err(fail)?
            } else {
                0
            };
            all.push(Facts {
                pending,
                retention_index: row.get(0),
                blocks: row.get(1),
                estimated_rows: row.get(2),
            });
        }
        Ok(all)
    })
}

/// A partition's rows, as step 3 found them.
#[derive(Clone, Copy, Debug, Default)]
struct Counted {
    rows: i64,
    estimated: bool,
}

impl Counted {
    fn named(self, partition: &Partition) -> Dropped {
        Dropped {
            name: partition.name.clone(),
            rows: self.rows,
            estimated: self.estimated,
        }
    }
}

/// Step 3: the partition's rows when it holds nothing `rule` keeps, else what it keeps.
/// With a retention index the rows are not read: the index names the block ranges that
/// could hold a keeper (`summarize`: first summarize ranges written since the last
/// vacuum, which would otherwise all be read).
fn verdict(
    session: &mut Session,
    rel: &Rel,
    partition: &Partition,
    facts: &Facts,
    rule: &Rule,
    summarize: bool,
) -> anyhow::Result<Result<Counted, Keepers>> {
    let fail = |e| explain_table_error(e, rel);
    if let (Some(index), Some(keepers)) = (facts.retention_index, rule.keepers_indexed()) {
        if summarize {
            // Best effort (it needs the index's owner): an unsummarized range is read,
            // not skipped, so the answer is the same either way.
            let _ = session.with_tx(Access::ReadWrite, &fail, |tx| {
                tx.query_one(
                    "SELECT pg_catalog.brin_summarize_new_values($1::pg_catalog.oid::pg_catalog.regclass)",
                    &crate::params![index],
                )
                .map_err(fail)
            });
        }
        let any: bool = session.with_tx(Access::ReadOnly, &fail, |tx| {
            tx.batch_execute("SET LOCAL enable_seqscan = off; SET LOCAL jit = off")
                .map_err(fail)?;
            Ok(tx
                .query_one(
                    &format!(
                        "SELECT EXISTS (SELECT 1 FROM ONLY {} WHERE {keepers})",
                        partition.sql()
                    ),
                    &Params::default(),
                )
                .map_err(fail)?
                .get(0))
        })?;
        if !any {
            if facts.blocks > EXACT_COUNT_BLOCKS && facts.estimated_rows >= 0.0 {
                return Ok(Ok(Counted {
                    rows: facts.estimated_rows.round() as i64,
                    estimated: true,
                }));
            }
            let rows = session.with_tx(Access::ReadOnly, &fail, |tx| {
                Ok(tx
                    .query_one(
                        &format!("SELECT pg_catalog.count(*) FROM ONLY {}", partition.sql()),
                        &Params::default(),
                    )
                    .map_err(fail)?
                    .get(0))
            })?;
            return Ok(Ok(Counted {
                rows,
                estimated: false,
            }));
        }
    }
    let (rows, keepers) = keepers(session, rel, partition, &rule.selection())?;
    Ok(if keepers.none() {
        Ok(Counted {
            rows,
            estimated: false,
        })
    } else {
        Err(keepers)
    })
}

/// Whether `rule` could drop `partition` now, and if not what it keeps: the same check
/// a purge makes, without changing anything.
pub fn check(
    session: &mut Session,
    rel: &Rel,
    partition: &Partition,
    rule: &Rule,
) -> anyhow::Result<Keepers> {
    let found = facts(session, rel, std::slice::from_ref(partition))?;
    let facts = found.into_iter().next().unwrap_or_default();
    if facts.pending > 0 {
        return Ok(Keepers {
            pending: facts.pending,
            ..Keepers::default()
        });
    }
    Ok(verdict(session, rel, partition, &facts, rule, false)?
        .err()
        .unwrap_or_default())
}

/// The partition's rows, and those the purge (its selection, `selection`) would keep.
/// Reads the partition once, sequentially, writing nothing.
fn keepers(
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

/// Runs `sql` in a transaction of its own, its lock waits held to `lock_timeout` ms.
fn run_ddl(
    session: &mut Session,
    lock_timeout: u128,
    sql: &str,
) -> Result<(), tokio_postgres::Error> {
    let mut tx = session.begin(Access::ReadWrite)?;
    // A commit lost to a crash leaves an earlier step's state, which a rerun takes
    // from there; not waiting for the flush keeps the locks shorter.
    tx.batch_execute(&format!(
        "SET LOCAL lock_timeout = {lock_timeout}; SET LOCAL synchronous_commit = off"
    ))?;
    tx.batch_execute(sql)?;
    tx.commit()
}

/// Step 2's statements for one partition. `IS TRUE`: a CHECK passes when it is NULL,
/// and a row with a NULL status or processed_at is one the purge keeps.
fn mark_sql(part: &str, rule: &Rule) -> String {
    let constraint = quote_ident(CONSTRAINT);
    format!(
        "ALTER TABLE {part} DROP CONSTRAINT IF EXISTS {constraint};
         ALTER TABLE {part} ADD CONSTRAINT {constraint} CHECK (({}) IS TRUE) NOT VALID;\n",
        rule.selection()
    )
}

fn detach_sql(rel: &Rel, part: &str) -> String {
    format!(
        "ALTER TABLE {} DETACH PARTITION {part}; DROP TABLE {part};\n",
        rel.sql
    )
}

/// Drops tables step 4 detached: their rows have left the outbox already. One that
/// cannot be dropped now (someone else reads it) keeps the constraint that marks it,
/// and the next run drops it.
fn drop_detached(session: &mut Session, lock_timeout: u128, tables: &[String]) {
    let all: String = tables
        .iter()
        .map(|t| format!("DROP TABLE {t};\n"))
        .collect();
    if run_ddl(session, lock_timeout, &all).is_err() {
        for table in tables {
            let _ = run_ddl(session, lock_timeout, &format!("DROP TABLE {table}"));
        }
    }
}

/// Takes step 2's constraint off partitions that stay; best effort (the next run
/// removes what is left).
fn unmark(session: &mut Session, lock_timeout: u128, parts: &[String]) {
    if parts.is_empty() {
        return;
    }
    let constraint = quote_ident(CONSTRAINT);
    let drop =
        |part: &String| format!("ALTER TABLE {part} DROP CONSTRAINT IF EXISTS {constraint};\n");
    let all: String = parts.iter().map(drop).collect();
    if run_ddl(session, lock_timeout, &all).is_err() {
        for part in parts {
            let _ = run_ddl(session, lock_timeout, &drop(part));
        }
    }
}

/// Steps 2 to 4 (see the module's doc) for one partition: why not, when it stays.
fn drop_one(
    session: &mut Session,
    rel: &Rel,
    partition: &Partition,
    facts: &Facts,
    rule: &Rule,
    lock_timeout: u128,
) -> Result<Counted, Kept> {
    let part = partition.sql();
    let undo = |session: &mut Session| unmark(session, lock_timeout, std::slice::from_ref(&part));
    if let Err(e) = run_ddl(session, lock_timeout, &mark_sql(&part, rule)) {
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
    // that could fail it.
    let counted = match verdict(session, rel, partition, facts, rule, true) {
        Ok(Ok(counted)) => counted,
        Ok(Err(found)) => {
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
    if let Err(e) = run_ddl(session, lock_timeout, &detach_sql(rel, &part)) {
        undo(session);
        let why = format!("it could not be detached: {}", describe_pg_error(&e));
        return Err(locked_or(e, why));
    }
    Ok(counted)
}
