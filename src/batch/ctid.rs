//! Batches over a table with no index on what they select (the outbox table has none on
//! `processed_at` or on failed rows): walk it in physical order by `ctid` ranges, which
//! PostgreSQL 14+ plans as TID range scans. Each batch reads only its own range, so a whole
//! run is about one pass over the table instead of one pass per batch.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::batch::engine::{BatchOutcome, Batcher, RunStart};
use crate::batch::pieces::Pieces;
use crate::batch::tree::{Relation, Tree};
use crate::db::session::{Rel, Tx};
use crate::db::sql::Params;

/// Largest range one batch scans: 16384 blocks is 128 MiB, a few hundred milliseconds.
const MAX_STEP_BLOCKS: u64 = 16_384;
/// A batch slower than this halves the next range.
const SLOW_BATCH: Duration = Duration::from_millis(700);

/// What each batch does to the rows it selects.
#[derive(Clone, Copy)]
pub enum WalkAction {
    Delete,
    /// `SET …` assignments (no values spliced: only constants and column names).
    Update(&'static str),
}

/// One piece of the table: in relation `leaf`, blocks from its start up to `stop`
/// (exclusive), or every block from its start on when `open`.
#[derive(Clone, Copy, Debug)]
struct Piece {
    leaf: usize,
    stop: u64,
    open: bool,
}

/// The table's blocks cut into pieces of `piece_blocks` blocks, each with the block it
/// starts at, for relations of `sizes` blocks each. A table with partitions or
/// inheritance children is walked one relation at a time (ctids are unique only within
/// one); each relation's last piece is open-ended, to catch rows that landed past its
/// end.
fn cut(sizes: &[u64], piece_blocks: u64) -> Pieces<(u64, Piece)> {
    let piece_blocks = piece_blocks.max(1);
    let mut all = Vec::new();
    for (leaf, &end_block) in sizes.iter().enumerate() {
        let mut start = 0;
        while start < end_block {
            let stop = (start + piece_blocks).min(end_block);
            all.push((
                start,
                Piece {
                    leaf,
                    stop,
                    open: false,
                },
            ));
            start = stop;
        }
        all.push((
            end_block,
            Piece {
                leaf,
                stop: 0,
                open: true,
            },
        ));
    }
    Pieces::new(all)
}

pub struct CtidWalk {
    /// One statement per relation holding the table's rows (the table itself, or its
    /// partitions and children, each held to it by tableoid).
    statements: Vec<String>,
    /// Blocks in each of those relations when the walk started.
    sizes: Vec<u64>,
    /// A foreign partition of the table: its rows have no ctid to walk by.
    foreign: Option<String>,
    params: Params,
    /// Placeholders of the range bounds and the limit, set anew for each batch.
    after_at: String,
    before_at: String,
    limit_at: String,
    /// Exclusive lower bound: (block, offset).
    after: (u64, u64),
    step: u64,
    /// The pieces of the table this walk shares with the other jobs of its run, and the
    /// one it is on.
    pieces: Arc<Pieces<(u64, Piece)>>,
    piece: Option<Piece>,
    rescans: bool,
}

impl CtidWalk {
    /// `conditions` is the WHERE text for rows to change with its bind values in
    /// `params`; it is checked again in the changing statement, so a row that another
    /// session moved out of that state first is skipped, never changed. Rows written
    /// after `start` are never selected (see [`RunStart`]).
    pub fn new(
        tx: &mut Tx<'_>,
        rel: &Rel,
        conditions: &str,
        params: Params,
        start: &RunStart,
        action: &WalkAction,
        batch_size: u32,
    ) -> Result<Self, tokio_postgres::Error> {
        let tree = Tree::find(tx, rel)?;
        Ok(Self::over(
            &tree, conditions, params, start, action, batch_size,
        ))
    }

    /// [`CtidWalk::new`] over a tree already found.
    fn over(
        tree: &Tree,
        conditions: &str,
        mut params: Params,
        start: &RunStart,
        action: &WalkAction,
        batch_size: u32,
    ) -> Self {
        let existed = start.existed_condition(&mut params);
        let conditions = format!("({conditions}) AND {existed}");
        let after = params.push(String::new());
        let before = params.push(String::new());
        let limit = params.push(0i64);
        let statements = tree
            .relations
            .iter()
            .map(|relation| {
                let Relation { from, held, .. } = relation;
                let change = match action {
                    WalkAction::Delete => format!("DELETE FROM {from}"),
                    WalkAction::Update(set) => format!("UPDATE {from} SET {set}"),
                };
                // `ctid = ANY(ARRAY(…))` is a TID scan: the changing statement touches
                // exactly the selected rows, re-checking the conditions on their current
                // version.
                format!(
                    "WITH selected AS (
                         SELECT ctid FROM {from}
                          WHERE ctid OPERATOR(pg_catalog.>) {after}::pg_catalog.text::pg_catalog.tid AND ctid OPERATOR(pg_catalog.<) {before}::pg_catalog.text::pg_catalog.tid{held} AND {conditions}
                          ORDER BY ctid LIMIT {limit}),
                     changed AS (
                         {change} WHERE ctid OPERATOR(pg_catalog.=) ANY(ARRAY(SELECT ctid FROM selected)){held} AND {conditions}
                         RETURNING 1)
                     SELECT (SELECT pg_catalog.count(*) FROM selected), (SELECT pg_catalog.count(*) FROM changed),
                            (SELECT pg_catalog.max(ctid)::pg_catalog.text FROM selected)"
                )
            })
            .collect();
        let sizes: Vec<u64> = tree.relations.iter().map(|r| r.blocks).collect();
        let rows_per_block = tree.rows_per_block;
        let server_version = tree.server_version;
        let initial_step = ((f64::from(batch_size) / rows_per_block.max(1.0)).ceil() as u64).max(1);
        Self {
            foreign: tree.foreign.clone(),
            pieces: Arc::new(cut(&sizes, u64::MAX)),
            statements,
            sizes,
            params,
            after_at: after,
            before_at: before,
            limit_at: limit,
            after: (0, 0),
            step: initial_step.min(MAX_STEP_BLOCKS),
            piece: None,
            rescans: server_version < 140_000,
        }
    }

    /// Shares one table's pieces among the walks of `jobs` connections: each takes pieces
    /// of about 1/32 of its share of the table in turn (so uneven pieces even out).
    fn share(walks: &mut [CtidWalk]) {
        if walks.len() <= 1 {
            return;
        }
        let sizes = &walks[0].sizes;
        let total: u64 = sizes.iter().sum();
        let pieces = Arc::new(cut(sizes, total.div_ceil(walks.len() as u64 * 32).max(64)));
        for walk in walks {
            walk.pieces = Arc::clone(&pieces);
        }
    }
}

impl CtidWalk {
    /// The walks of `jobs` connections over the rows `conditions` selects, set up in a
    /// transaction of its own: together they visit every block once.
    pub fn prepare(
        session: &mut crate::db::session::Session,
        rel: &Rel,
        conditions: &dyn Fn(&mut Params) -> String,
        start: &RunStart,
        action: &WalkAction,
        batch_size: u32,
        jobs: usize,
    ) -> anyhow::Result<Vec<Self>> {
        let fail = |e| crate::db::errors::explain_table_error(e, rel);
        session.with_tx(crate::db::session::Access::ReadOnly, &fail, |tx| {
            let mut tree = Tree::find(tx, rel).map_err(fail)?;
            skip_surely_empty(tx, &mut tree, conditions, start).map_err(fail)?;
            // One catalog read for all the walks; each gets its own bound values
            // (`Params` holds them boxed, not clonable).
            let mut walks: Vec<Self> = (0..jobs.max(1))
                .map(|_| {
                    let mut params = Params::default();
                    let sql = conditions(&mut params);
                    Self::over(&tree, &sql, params, start, action, batch_size)
                })
                .collect();
            if let Some(name) = &walks[0].foreign {
                return Err(crate::error::usage(format!(
                    "{} is a foreign partition of \"{}\": outboxctl walks a table by its rows' physical positions, which a foreign table does not have; purge that partition on its own server",
                    crate::render::output::escape(name),
                    rel.name
                )));
            }
            Self::share(&mut walks);
            Ok(walks)
        })
    }

    /// Warns before the walk starts when the server makes it quadratic: PostgreSQL 13 has
    /// no TID range scan, so there every batch reads the whole table.
    pub fn warn_if_slow(&self, out: &crate::render::output::Output) {
        if self.rescans {
            out.warn(
                "PostgreSQL 13 cannot scan ctid ranges, so every batch reads the whole table: on a large table use a larger --batch-size, or upgrade to 14+",
            );
        }
    }
}

/// Leaves out of a partitioned table's walk each partition an index proves holds no row
/// the walk would change: on the partitioned layout the retention index (BRIN on
/// `status, processed_at`) answers that in a few pages, so a purge does not read the
/// days after its cutoff, nor a requeue the partitions without failures. A partition
/// whose question only a sequential scan could answer is walked as before (asking
/// would read it twice). Rows that come to match after this look are the walk's usual
/// race: it could have passed their block already.
fn skip_surely_empty(
    tx: &mut Tx<'_>,
    tree: &mut Tree,
    conditions: &dyn Fn(&mut Params) -> String,
    start: &RunStart,
) -> Result<(), tokio_postgres::Error> {
    if tree.relations.len() < 2 {
        return Ok(());
    }
    tx.batch_execute("SET LOCAL enable_seqscan = off; SET LOCAL jit = off")?;
    let mut kept = Vec::new();
    for relation in std::mem::take(&mut tree.relations) {
        let mut params = Params::default();
        let sql = conditions(&mut params);
        let existed = start.existed_condition(&mut params);
        let probe = format!(
            "SELECT 1 FROM {} WHERE ({sql}) AND {existed}{} LIMIT 1",
            relation.from, relation.held
        );
        let plan: Vec<String> = tx
            .query(&format!("EXPLAIN {probe}"), &params)?
            .iter()
            .map(|row| row.get(0))
            .collect();
        let indexed = !plan.iter().any(|line| line.contains("Seq Scan"));
        if !indexed || !tx.query(&probe, &params)?.is_empty() {
            kept.push(relation);
        }
    }
    tree.relations = kept;
    Ok(())
}

fn parse_tid(text: &str) -> Option<(u64, u64)> {
    let (block, offset) = text
        .trim_matches(|c| c == '(' || c == ')')
        .split_once(',')?;
    Some((block.parse().ok()?, offset.parse().ok()?))
}

impl Batcher for CtidWalk {
    fn run_batch(
        &mut self,
        tx: &mut Tx<'_>,
        limit: u32,
    ) -> Result<BatchOutcome, tokio_postgres::Error> {
        let piece = match self.piece {
            Some(piece) => piece,
            None => match self.pieces.take() {
                Some((start, piece)) => {
                    // Offset 0 is no row's: the range starts with the piece's first row.
                    self.after = (start, 0);
                    self.piece = Some(piece);
                    piece
                }
                None => {
                    return Ok(BatchOutcome {
                        matched: 0,
                        changed: 0,
                        done: true,
                    });
                }
            },
        };
        let start_block = self.after.0;
        let upper = if piece.open {
            // Open-ended: the largest block number PostgreSQL can have.
            u64::from(u32::MAX)
        } else {
            (self.after.0 + self.step).min(piece.stop)
        };
        self.params.set(
            &self.after_at,
            format!("({},{})", self.after.0, self.after.1),
        );
        self.params.set(&self.before_at, format!("({upper},0)"));
        self.params.set(&self.limit_at, i64::from(limit));

        let started = Instant::now();
        let row = tx.query_one(&self.statements[piece.leaf], &self.params)?;
        let elapsed = started.elapsed();
        let matched = row.get::<_, i64>(0) as u64;
        let changed = row.get::<_, i64>(1) as u64;
        let last: Option<String> = row.get(2);

        let full = matched >= u64::from(limit);
        if full {
            // The range held more than a batch: continue inside it, with a smaller step.
            self.after = last.as_deref().and_then(parse_tid).unwrap_or((upper, 0));
            self.step = (self.step / 2).max(1);
        } else {
            self.after = (upper, 0);
            // Aim the next range at about one batch of matching rows.
            let scanned = upper.saturating_sub(start_block).max(1) as f64;
            let density = matched as f64 / scanned;
            let ideal = if density > 0.0 {
                (f64::from(limit) * 0.8 / density) as u64
            } else {
                self.step * 4
            };
            self.step = ideal.clamp(1, (self.step * 4).min(MAX_STEP_BLOCKS));
        }
        if elapsed > SLOW_BATCH {
            self.step = (self.step / 2).max(1);
        }
        let piece_done = !full && (piece.open || upper >= piece.stop);
        if piece_done {
            self.piece = None;
        }
        Ok(BatchOutcome {
            matched,
            changed,
            done: piece_done && self.pieces.exhausted(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(sizes: &[u64], piece_blocks: u64) -> Vec<(usize, u64, u64, bool)> {
        let pieces = cut(sizes, piece_blocks);
        std::iter::from_fn(|| pieces.take())
            .map(|(start, p)| (p.leaf, start, p.stop, p.open))
            .collect()
    }

    #[test]
    fn pieces_cover_every_block_once() {
        assert_eq!(
            pieces(&[10], 4),
            vec![
                (0, 0, 4, false),
                (0, 4, 8, false),
                (0, 8, 10, false),
                (0, 10, 0, true)
            ]
        );
        assert_eq!(pieces(&[0], 1), vec![(0, 0, 0, true)]);
        assert_eq!(
            pieces(&[5], u64::MAX),
            vec![(0, 0, 5, false), (0, 5, 0, true)]
        );
        assert_eq!(
            pieces(&[2, 0, 3], 2),
            vec![
                (0, 0, 2, false),
                (0, 2, 0, true),
                (1, 0, 0, true),
                (2, 0, 2, false),
                (2, 2, 3, false),
                (2, 3, 0, true)
            ]
        );
    }

    #[test]
    fn tids() {
        assert_eq!(parse_tid("(12,7)"), Some((12, 7)));
        assert_eq!(parse_tid("nope"), None);
    }
}
