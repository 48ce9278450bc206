//! `dedup purge`'s walk: batches along the dedup table's processed_at index, each
//! reading only its own entries, with a ctid walk for instants shared by more entries
//! than a batch.

use crate::batch::ctid::{CtidWalk, WalkAction};
use crate::batch::engine::{BatchOutcome, Batcher, RunStart};
use crate::db::pgtime::PgTime;
use crate::db::session::Tx;
use crate::db::sql::Params;
use crate::tables::dedup::DedupTable;

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
    cutoff: PgTime,
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
    /// The batches over entries from `from` (inclusive; `None` for the very first) up to
    /// `cutoff` (exclusive).
    pub fn new(
        table: &DedupTable,
        from: Option<PgTime>,
        cutoff: PgTime,
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
            after: from.map(|at| (at, false)),
            ties: None,
        }
    }

    /// The batch statements: from where the batch starts (NULL at the very start),
    /// inclusive or exclusive, at most the batch size. They return the rows deleted and
    /// the timestamp where the next batch starts (NULL when none is left). Public so a
    /// test can check their plans use the index.
    pub fn statements(
        t: &DedupTable,
        cutoff: PgTime,
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
            format!(
                " AND {group} OPERATOR(pg_catalog.=) ANY({})",
                params.push(groups.to_vec())
            )
        };
        let existed = run_start.existed_condition(&mut params);
        let window = |op: &str| {
            format!(
                "WITH bound(at) AS (
                     SELECT {at} FROM {table}
                      WHERE {at} {op} coalesce({start}, '-infinity') AND {at} OPERATOR(pg_catalog.<) {cutoff}
                      ORDER BY {at} OFFSET {limit} LIMIT 1),
                 deleted AS (
                     DELETE FROM {table}
                      WHERE {at} {op} coalesce({start}, '-infinity')
                        AND {at} OPERATOR(pg_catalog.<) coalesce((SELECT at FROM bound), {cutoff}){group_filter}
                        AND {existed}
                     RETURNING 1)
                 SELECT (SELECT pg_catalog.count(*) FROM deleted), (SELECT at::pg_catalog.timestamptz FROM bound)"
            )
        };
        (
            [
                window("OPERATOR(pg_catalog.>=)"),
                window("OPERATOR(pg_catalog.>)"),
            ],
            params,
            start,
            limit,
        )
    }

    fn tie_walk(
        &self,
        tx: &mut Tx<'_>,
        at: PgTime,
        limit: u32,
    ) -> Result<CtidWalk, tokio_postgres::Error> {
        let mut params = Params::default();
        let cols = &self.table.cols;
        let mut sql = format!(
            "{at_col} OPERATOR(pg_catalog.=) {} AND {at_col} OPERATOR(pg_catalog.<) {}",
            params.push(at),
            params.push(self.cutoff),
            at_col = cols.at.sql
        );
        if !self.groups.is_empty() {
            sql.push_str(&format!(
                " AND {} OPERATOR(pg_catalog.=) ANY({})",
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
            &WalkAction::Delete,
            limit,
        )
    }
}

impl Batcher for KeysetPurge {
    fn run_batch(
        &mut self,
        tx: &mut Tx<'_>,
        limit: u32,
    ) -> Result<BatchOutcome, tokio_postgres::Error> {
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
