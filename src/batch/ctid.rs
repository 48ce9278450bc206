//! Batches over a table with no index on what they select (the outbox table has none on
//! `processed_at` or on failed rows): walk it in physical order by `ctid` ranges, which
//! PostgreSQL 14+ plans as TID range scans. Each batch reads only its own range, so a whole
//! run is about one pass over the table instead of one pass per batch.

use std::time::{Duration, Instant};

use crate::batch::engine::{BatchOutcome, Batcher, RunStart};
use crate::db::session::{Rel, Tx};
use crate::db::sql::Params;

/// Largest range one batch scans: 16384 blocks is 128 MiB, a few hundred milliseconds.
const MAX_STEP_BLOCKS: u64 = 16_384;
/// A batch slower than this halves the next range.
const SLOW_BATCH: Duration = Duration::from_millis(700);

/// What each batch does to the rows it selects.
pub enum WalkAction {
    Delete,
    /// `SET …` assignments (no values spliced: only constants and column names).
    Update(&'static str),
}

pub struct CtidWalk {
    statement: String,
    params: Params,
    /// Placeholders of the range bounds and the limit, set anew for each batch.
    after_at: String,
    before_at: String,
    limit_at: String,
    /// Exclusive lower bound: (block, offset).
    after: (u64, u64),
    step: u64,
    /// Blocks in the table when the walk started; past them, one open-ended range
    /// catches rows that moved there meanwhile.
    end_block: u64,
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
        mut params: Params,
        start: &RunStart,
        action: WalkAction,
        batch_size: u32,
    ) -> Result<Self, postgres::Error> {
        // Callers check that the table exists (`Rel::require`) before they walk it.
        let oid = rel.oid.unwrap_or_default();
        let row = tx.query_one(
            "SELECT (pg_relation_size(c.oid) / current_setting('block_size')::bigint)::bigint,
                        CASE WHEN c.relpages > 0::int4 AND c.reltuples > 0::float4
                             THEN c.reltuples::float8 / c.relpages::float8 ELSE 100::float8 END,
                        current_setting('server_version_num')::int
                   FROM pg_class c WHERE c.oid = $1",
            &crate::params![oid],
        )?;
        let end_block: i64 = row.get(0);
        let rows_per_block: f64 = row.get(1);
        let server_version: i32 = row.get(2);
        let existed = start.existed_condition(&mut params);
        let conditions = format!("({conditions}) AND {existed}");
        let after = params.push(String::new());
        let before = params.push(String::new());
        let limit = params.push(0i64);
        let table = &rel.sql;
        let change = match action {
            WalkAction::Delete => format!("DELETE FROM {table}"),
            WalkAction::Update(set) => format!("UPDATE {table} SET {set}"),
        };
        // `ctid = ANY(ARRAY(…))` is a TID scan: the changing statement touches exactly
        // the selected rows, re-checking the conditions on their current version.
        let statement = format!(
            "WITH selected AS (
                 SELECT ctid FROM {table}
                  WHERE ctid > {after}::text::tid AND ctid < {before}::text::tid AND {conditions}
                  ORDER BY ctid LIMIT {limit}),
             changed AS (
                 {change} WHERE ctid = ANY(ARRAY(SELECT ctid FROM selected)) AND {conditions}
                 RETURNING 1)
             SELECT (SELECT count(*) FROM selected), (SELECT count(*) FROM changed),
                    (SELECT max(ctid)::text FROM selected)"
        );
        let initial_step = ((f64::from(batch_size) / rows_per_block.max(1.0)).ceil() as u64).max(1);
        Ok(Self {
            statement,
            params,
            after_at: after,
            before_at: before,
            limit_at: limit,
            after: (0, 0),
            step: initial_step.min(MAX_STEP_BLOCKS),
            end_block: end_block.max(0) as u64,
            rescans: server_version < 140_000,
        })
    }
}

impl CtidWalk {
    /// A walk over the rows `conditions` selects, set up in a transaction of its own.
    pub fn prepare(
        session: &mut crate::db::session::Session,
        rel: &Rel,
        conditions: &dyn Fn(&mut Params) -> String,
        start: &RunStart,
        action: WalkAction,
        batch_size: u32,
    ) -> anyhow::Result<Self> {
        let fail = |e| crate::error::explain_table_error(e, rel);
        let mut params = Params::default();
        let sql = conditions(&mut params);
        session.with_tx(crate::db::session::Access::ReadOnly, &fail, |tx| {
            Self::new(tx, rel, &sql, params, start, action, batch_size).map_err(fail)
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

fn parse_tid(text: &str) -> Option<(u64, u64)> {
    let (block, offset) = text
        .trim_matches(|c| c == '(' || c == ')')
        .split_once(',')?;
    Some((block.parse().ok()?, offset.parse().ok()?))
}

impl Batcher for CtidWalk {
    fn run_batch(&mut self, tx: &mut Tx<'_>, limit: u32) -> Result<BatchOutcome, postgres::Error> {
        let start_block = self.after.0;
        let tail = start_block >= self.end_block;
        let upper = if tail {
            // Open-ended: the largest block number PostgreSQL can have.
            u64::from(u32::MAX)
        } else {
            (self.after.0 + self.step).min(self.end_block)
        };
        self.params.set(
            &self.after_at,
            format!("({},{})", self.after.0, self.after.1),
        );
        self.params.set(&self.before_at, format!("({upper},0)"));
        self.params.set(&self.limit_at, i64::from(limit));

        let started = Instant::now();
        let row = tx.query_one(&self.statement, &self.params)?;
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
        let done = tail && !full;
        Ok(BatchOutcome {
            matched,
            changed,
            done,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_tid;

    #[test]
    fn tids() {
        assert_eq!(parse_tid("(12,7)"), Some((12, 7)));
        assert_eq!(parse_tid("nope"), None);
    }
}
