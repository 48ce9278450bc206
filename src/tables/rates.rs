//! Rates without scanning: the server's per-table row counters (`pg_stat_user_tables`)
//! and the pending count (exact, through the library's partial index) read twice, an
//! interval apart.
//!
//! Limits, said wherever the rates are shown: the counters are the server's own (on a
//! standby they count nothing), a backend publishes its counts about once a second (so
//! an interval under two seconds undercounts), and they restart from zero after a
//! statistics reset or a crash — detected here, and the rates are then withheld.

use crate::db::catalog::RELATION_TREE;
use crate::db::session::{Rel, Tx};

/// One reading of the counters.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The server's clock, in seconds since the epoch.
    pub at: f64,
    pub inserted: i64,
    pub updated: i64,
    pub deleted: i64,
    pub pending: i64,
    /// Changes when the counters restart: the database's statistics reset time and the
    /// server's start time.
    pub epoch: String,
}

/// Reads the counters of `rel` (and its partitions) and counts the pending messages.
pub fn sample(tx: &mut Tx<'_>, rel: &Rel) -> Result<Sample, tokio_postgres::Error> {
    let oid = rel.oid.unwrap_or_default();
    let row = tx.query_one(
        &format!(
"{RELATION_TREE}
         SELECT extract(epoch FROM pg_catalog.clock_timestamp())::pg_catalog.float8,
                coalesce(pg_catalog.sum(s.n_tup_ins), 0)::pg_catalog.int8,
                coalesce(pg_catalog.sum(s.n_tup_upd), 0)::pg_catalog.int8,
                coalesce(pg_catalog.sum(s.n_tup_del), 0)::pg_catalog.int8,
                coalesce((SELECT stats_reset::pg_catalog.text FROM pg_catalog.pg_stat_database
                           WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database()), '')
                    OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) pg_catalog.pg_postmaster_start_time()::pg_catalog.text
           FROM tree LEFT JOIN pg_catalog.pg_stat_user_tables s ON s.relid OPERATOR(pg_catalog.=) tree.oid"
),
        &crate::params![oid],
    )?;
    let pending = crate::tables::outbox::count_pending(tx, rel)?;
    Ok(Sample {
        at: row.get(0),
        inserted: row.get(1),
        updated: row.get(2),
        deleted: row.get(3),
        pending,
        epoch: row.get(4),
    })
}

/// What changed between two readings, per second.
#[derive(Debug, Clone, PartialEq)]
pub struct Rates {
    pub interval_seconds: f64,
    pub written_per_second: f64,
    /// Row updates: claims, deliveries, failures, requeues.
    pub updated_per_second: f64,
    pub deleted_per_second: f64,
    pub pending_change_per_second: f64,
    /// Messages leaving pending per second: written minus the growth of pending.
    pub drained_per_second: f64,
    pub pending: i64,
    /// Seconds until the backlog is empty at the current rates; `None` when it is not
    /// shrinking.
    pub backlog_eta_seconds: Option<f64>,
}

/// The rates between two readings, or why there are none.
pub fn between(first: &Sample, second: &Sample) -> Result<Rates, String> {
    let seconds = second.at - first.at;
    if first.epoch != second.epoch {
        return Err(
            "the server's statistics were reset (or the server restarted) during the sample".into(),
        );
    }
    if second.inserted < first.inserted
        || second.updated < first.updated
        || second.deleted < first.deleted
    {
        return Err(
            "the table's counters went backwards during the sample (a statistics reset)".into(),
        );
    }
    if seconds <= 0.0 {
        return Err("the server's clock did not advance during the sample".into());
    }
    let per = |a: i64, b: i64| (b - a) as f64 / seconds;
    let written = per(first.inserted, second.inserted);
    let pending_change = per(first.pending, second.pending);
    let shrinking = -pending_change;
    Ok(Rates {
        interval_seconds: seconds,
        written_per_second: written,
        updated_per_second: per(first.updated, second.updated),
        deleted_per_second: per(first.deleted, second.deleted),
        pending_change_per_second: pending_change,
        drained_per_second: (written - pending_change).max(0.0),
        pending: second.pending,
        backlog_eta_seconds: match second.pending {
            0 => Some(0.0),
            n if shrinking > 0.0 => Some(n as f64 / shrinking),
            _ => None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(at: f64, inserted: i64, updated: i64, pending: i64) -> Sample {
        Sample {
            at,
            inserted,
            updated,
            deleted: 0,
            pending,
            epoch: "e".into(),
        }
    }

    #[test]
    fn rates_and_eta_follow_from_two_readings() {
        // 100 written and the backlog down by 50 in 5 s: 150 drained, 10 s to empty.
        let r = between(&reading(0.0, 0, 0, 150), &reading(5.0, 100, 400, 100)).unwrap();
        assert_eq!(r.written_per_second, 20.0);
        assert_eq!(r.pending_change_per_second, -10.0);
        assert_eq!(r.drained_per_second, 30.0);
        assert_eq!(r.updated_per_second, 80.0);
        assert_eq!(r.backlog_eta_seconds, Some(10.0));
        // Growing: no ETA.
        let r = between(&reading(0.0, 0, 0, 10), &reading(5.0, 100, 0, 60)).unwrap();
        assert_eq!(r.backlog_eta_seconds, None);
        // A reset is said, not turned into negative rates.
        assert!(between(&reading(0.0, 500, 0, 10), &reading(5.0, 3, 0, 10)).is_err());
        let mut later = reading(5.0, 600, 0, 10);
        later.epoch = "other".into();
        assert!(between(&reading(0.0, 500, 0, 10), &later).is_err());
    }
}
