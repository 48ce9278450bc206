//! `stats` in every format from one set of figures: the typed report behind json and
//! ndjson (`report`), the tables people read (`human`) and the Prometheus exposition
//! (`prometheus`). The command reads the figures and applies the thresholds; nothing
//! here reads the database.

pub mod human;
pub mod prometheus;
pub mod report;

use std::time::Duration;

use serde_json::Value;

use crate::db::session::Standby;
use crate::render::output::Output;
use crate::tables::dedup::DedupStats;
use crate::tables::dedup_columns::DedupColumns;
use crate::tables::error_class::ErrorClass;
use crate::tables::outbox::OutboxStats;
use crate::tables::rates::Rates;

/// A threshold the figures breached (`--max-failed`, `--max-pending`,
/// `--max-pending-age`).
#[derive(Debug, Clone)]
pub struct Breach {
    pub threshold: &'static str,
    pub limit: Value,
    pub actual: Value,
    pub message: String,
    /// Checked against an estimated figure.
    pub estimated: bool,
}

/// Everything `stats` read from one target, and the thresholds it breached.
pub struct Figures {
    /// `user@host:port/dbname`.
    pub target: String,
    /// The target is a hot standby: its figures are as of its last replay.
    pub standby: Option<Standby>,
    pub stats: OutboxStats,
    pub dedup: DedupStats,
    pub dedup_cols: DedupColumns,
    /// Why the dedup table could not be read (the outbox figures stand).
    pub dedup_error: Option<String>,
    pub breaches: Vec<Breach>,
    pub by_error: Option<Vec<ErrorClass>>,
    pub rates: Option<Result<Rates, String>>,
    /// Topics `--top` left out of `stats.by_topic`.
    pub topics_left_out: usize,
}

/// What the renderers need to know of the invocation.
pub struct StatsView<'a> {
    pub out: &'a Output,
    pub outbox_table: &'a str,
    pub processed_table: &'a str,
    /// `--stuck-after`: processing rows older than this count as stuck.
    pub stuck_after: Duration,
    /// `--max-series`: the most series one label may have in the exposition.
    pub max_series: usize,
}
