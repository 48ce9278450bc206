//! How `dedup purge` walks the dedup table. The planner's estimate of how much of the
//! table the cutoff covers picks the walk: a slice goes along the processed_at index
//! ([`KeysetPurge`]), reading only its own entries; most of the table goes in physical
//! order ([`CtidWalk`]), which reads each page once however the entries were written —
//! along the index, a table whose entries are not in time order is read page by page
//! many times over. With `--jobs`, both are cut into pieces the jobs take in turn.

use std::sync::Arc;

use crate::batch::ctid::{CtidWalk, WalkAction};
use crate::batch::engine::{BatchOutcome, Batcher, RunStart};
use crate::batch::keyset::KeysetPurge;
use crate::batch::pieces::Pieces;
use crate::db::errors::explain_table_error;
use crate::db::pgtime::PgTime;
use crate::db::session::{Access, Session, Tx};
use crate::db::sql::Params;
use crate::tables::dedup::DedupTable;

/// From this share of the table on, a table not in time order is walked physically
/// (measured: see BENCHMARKS.md, "dedup purge strategy").
pub const PHYSICAL_FROM_SHARE: f64 = 0.3;
/// From this correlation between processed_at and the physical order on (the library
/// appends entries in time order: about 1, or -1 for reverse order), the index walk reads the table nearly in
/// order anyway, and deletes faster than the physical walk whatever the share.
pub const IN_TIME_ORDER: f64 = 0.9;

/// Index-walk pieces per job: enough that a job whose pieces held few entries takes
/// another while the rest still work.
const PIECES_PER_JOB: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    Index,
    Physical,
}

/// The walk's route: which strategy, from what estimated share of the table and what
/// physical order.
#[derive(Debug)]
pub struct Route {
    pub strategy: Strategy,
    pub share: f64,
    /// pg_stats' correlation of processed_at with the physical order; `None` before the
    /// table's first ANALYZE.
    pub correlation: Option<f64>,
}

impl Route {
    pub fn choose(
        tx: &mut Tx<'_>,
        table: &DedupTable,
        cutoff: PgTime,
        groups: &[String],
    ) -> Result<Self, tokio_postgres::Error> {
        let share = estimated_share(tx, table, cutoff, groups)?;
        let mut params = Params::default();
        let sql = format!(
            // A table with children has a row for itself and one for its whole tree
            // (`inherited`); a partitioned table only the latter: the tree's is wanted.
            "SELECT correlation::pg_catalog.float8 FROM pg_catalog.pg_stats
              WHERE schemaname OPERATOR(pg_catalog.=) {} AND tablename OPERATOR(pg_catalog.=) {} AND attname OPERATOR(pg_catalog.=) {}
              ORDER BY inherited DESC LIMIT 1",
            params.push(table.rel.schema.clone().unwrap_or_default()),
            params.push(table.rel.name.clone()),
            params.push(table.cols.at.name.clone())
        );
        let correlation = tx
            .query_opt(&sql, &params)?
            .and_then(|row| row.get::<_, Option<f64>>(0));
        // In reverse order the index walk reads the table backwards, as cheaply. Before
        // the first ANALYZE nothing is known: the library's own layout is assumed.
        let in_order = correlation.is_none_or(|c| c.abs() >= IN_TIME_ORDER);
        let strategy = if share >= PHYSICAL_FROM_SHARE && !in_order {
            Strategy::Physical
        } else {
            Strategy::Index
        };
        Ok(Self {
            strategy,
            share,
            correlation,
        })
    }
}

/// The walks for `jobs` connections over the entries processed before `cutoff` (in
/// `groups`, when given).
pub fn prepare(
    session: &mut Session,
    table: &DedupTable,
    cutoff: PgTime,
    groups: &[String],
    run_start: &RunStart,
    batch_size: u32,
    jobs: usize,
) -> anyhow::Result<(Route, Vec<Box<dyn Batcher + Send>>)> {
    let rel = &table.rel;
    let fail = |e| explain_table_error(e, rel);
    let (route, first) = session.with_tx(Access::ReadOnly, &fail, |tx| {
        let route = Route::choose(tx, table, cutoff, groups).map_err(fail)?;
        let first = if jobs > 1 && route.strategy == Strategy::Index {
            first_entry(tx, table, cutoff).map_err(fail)?
        } else {
            None
        };
        Ok((route, first))
    })?;
    if route.strategy == Strategy::Physical {
        let conditions = |params: &mut Params| selection(table, cutoff, groups, params);
        let walks = CtidWalk::prepare(
            session,
            rel,
            &conditions,
            run_start,
            &WalkAction::Delete,
            batch_size,
            jobs,
        )?;
        let walks = walks
            .into_iter()
            .map(|w| Box::new(w) as Box<dyn Batcher + Send>)
            .collect();
        return Ok((route, walks));
    }
    let pieces = Arc::new(time_pieces(first, cutoff, jobs * PIECES_PER_JOB));
    let walks = (0..jobs.max(1))
        .map(|_| {
            Box::new(PiecewiseKeyset {
                table: table.clone(),
                groups: groups.to_vec(),
                run_start: run_start.clone(),
                pieces: Arc::clone(&pieces),
                current: None,
            }) as Box<dyn Batcher + Send>
        })
        .collect();
    Ok((route, walks))
}

/// The WHERE text of the entries to delete.
fn selection(table: &DedupTable, cutoff: PgTime, groups: &[String], params: &mut Params) -> String {
    let cols = &table.cols;
    let mut sql = format!(
        "{} OPERATOR(pg_catalog.<) {}",
        cols.at.sql,
        params.push(cutoff)
    );
    if !groups.is_empty() {
        sql.push_str(&format!(
            " AND {} OPERATOR(pg_catalog.=) ANY({})",
            cols.group.sql,
            params.push(groups.to_vec())
        ));
    }
    sql
}

/// The planner's estimate of the share of the table's entries the purge deletes: from
/// the column statistics, so it costs no read of the table.
pub fn estimated_share(
    tx: &mut Tx<'_>,
    table: &DedupTable,
    cutoff: PgTime,
    groups: &[String],
) -> Result<f64, tokio_postgres::Error> {
    let mut params = Params::default();
    let conditions = selection(table, cutoff, groups, &mut params);
    let name = &table.rel.sql;
    let matching = plan_rows(
        tx,
        &format!("SELECT 1 FROM {name} WHERE {conditions}"),
        &params,
    )?;
    let all = plan_rows(tx, &format!("SELECT 1 FROM {name}"), &Params::default())?;
    Ok(if all > 0.0 {
        (matching / all).clamp(0.0, 1.0)
    } else {
        1.0
    })
}

fn plan_rows(tx: &mut Tx<'_>, sql: &str, params: &Params) -> Result<f64, tokio_postgres::Error> {
    let row = tx.query_one(&format!("EXPLAIN (FORMAT JSON) {sql}"), params)?;
    let plan: serde_json::Value = row.get(0);
    Ok(plan
        .pointer("/0/Plan/Plan Rows")
        .and_then(serde_json::Value::as_f64)
        .unwrap_or(0.0))
}

/// The earliest finite processed_at before the cutoff: where the index walk's pieces
/// start (one index probe).
fn first_entry(
    tx: &mut Tx<'_>,
    table: &DedupTable,
    cutoff: PgTime,
) -> Result<Option<PgTime>, tokio_postgres::Error> {
    let at = &table.cols.at.sql;
    let mut params = Params::default();
    let cutoff = params.push(cutoff);
    let row = tx.query_one(
        &format!(
            "SELECT pg_catalog.min({at})::pg_catalog.timestamptz FROM {} WHERE {at} OPERATOR(pg_catalog.>) '-infinity' AND {at} OPERATOR(pg_catalog.<) {cutoff}",
            table.rel.sql
        ),
        &params,
    )?;
    row.try_get(0)
}

/// Bounds of `count` pieces from `first` up to `cutoff`, even in time: piece i covers
/// [bounds[i], bounds[i + 1]), the first from the very beginning (`None`).
fn time_bounds(first: Option<PgTime>, cutoff: PgTime, count: usize) -> Vec<Option<PgTime>> {
    let (Some(PgTime::At(low)), PgTime::At(high)) = (first, cutoff) else {
        return vec![None, Some(cutoff)];
    };
    if count <= 1 || high <= low {
        return vec![None, Some(cutoff)];
    }
    let span = i128::from(high) - i128::from(low);
    let mut bounds = vec![None];
    for i in 1..count {
        let at = i128::from(low) + span * i as i128 / count as i128;
        bounds.push(Some(PgTime::At(at as i64)));
    }
    bounds.push(Some(cutoff));
    bounds.dedup();
    bounds
}

/// The pieces of the processed_at range, `[from, to)` each, the first from the very
/// beginning (`from` is `None`).
fn time_pieces(
    first: Option<PgTime>,
    cutoff: PgTime,
    count: usize,
) -> Pieces<(Option<PgTime>, PgTime)> {
    let bounds = time_bounds(first, cutoff, count);
    Pieces::new(
        bounds
            .windows(2)
            .filter_map(|pair| Some((pair[0], pair[1]?)))
            .collect(),
    )
}

/// The index walk of one job: one [`KeysetPurge`] per piece it takes.
struct PiecewiseKeyset {
    table: DedupTable,
    groups: Vec<String>,
    run_start: RunStart,
    pieces: Arc<Pieces<(Option<PgTime>, PgTime)>>,
    current: Option<KeysetPurge>,
}

impl Batcher for PiecewiseKeyset {
    fn run_batch(
        &mut self,
        tx: &mut Tx<'_>,
        limit: u32,
    ) -> Result<BatchOutcome, tokio_postgres::Error> {
        let walk = match &mut self.current {
            Some(walk) => walk,
            None => match self.pieces.take() {
                Some((from, to)) => self.current.insert(KeysetPurge::new(
                    &self.table,
                    from,
                    to,
                    &self.groups,
                    self.run_start.clone(),
                )),
                None => {
                    return Ok(BatchOutcome {
                        matched: 0,
                        changed: 0,
                        done: true,
                    });
                }
            },
        };
        let outcome = walk.run_batch(tx, limit)?;
        if outcome.done {
            self.current = None;
        }
        Ok(BatchOutcome {
            done: outcome.done && self.pieces.exhausted(),
            ..outcome
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_pieces_cover_the_range_once() {
        let bounds = time_bounds(Some(PgTime::At(0)), PgTime::At(100), 4);
        assert_eq!(
            bounds,
            vec![
                None,
                Some(PgTime::At(25)),
                Some(PgTime::At(50)),
                Some(PgTime::At(75)),
                Some(PgTime::At(100))
            ]
        );
        let pieces = time_pieces(Some(PgTime::At(0)), PgTime::At(100), 4);
        let taken: Vec<_> = std::iter::from_fn(|| pieces.take()).collect();
        assert_eq!(taken.len(), 4);
        assert_eq!(taken[0], (None, PgTime::At(25)));
        assert_eq!(taken[3], (Some(PgTime::At(75)), PgTime::At(100)));
        assert!(pieces.exhausted());
    }

    #[test]
    fn one_piece_when_there_is_nothing_to_split() {
        for first in [None, Some(PgTime::At(100)), Some(PgTime::NegInfinity)] {
            assert_eq!(
                time_bounds(first, PgTime::At(100), 8),
                vec![None, Some(PgTime::At(100))]
            );
        }
        assert_eq!(
            time_bounds(Some(PgTime::At(0)), PgTime::Infinity, 8),
            vec![None, Some(PgTime::Infinity)]
        );
    }
}
