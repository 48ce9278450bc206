//! `stats --format json` / `ndjson`: one typed report per target. Its JSON Schema is
//! published under `docs/schema/`, generated from these types.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::db::pgtime::PgTime;
use crate::render::output::json_value;
use crate::render::stats::{Figures, StatsView};
use crate::tables::outbox::{GroupStats, StatusCounts};
use crate::tables::rates::Rates;
use crate::tables::schema::STATUSES;

/// One target's figures.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatsReport {
    pub outbox: OutboxReport,
    pub dedup: DedupReport,
    /// The thresholds breached (exit 3 when any is).
    pub breaches: Vec<BreachReport>,
    /// `--by-error`: failed messages grouped by the cause in their last error, largest
    /// class first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_error: Option<Vec<ErrorClassReport>>,
    /// The target is a hot standby: its figures are as of the last transaction it
    /// replayed.
    pub in_recovery: bool,
    /// The primary a standby replicates from (`host:port`), when it says.
    pub primary: Option<String>,
}

/// One target of a run over several (`-d … -d …`, `--service`): its report, or why
/// there is none.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetStatsReport {
    /// How the target was named: `user@host:port/dbname`, or `service NAME`.
    pub target: String,
    pub ok: bool,
    #[serde(flatten)]
    pub report: Option<StatsReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutboxReport {
    pub table: String,
    /// Counts other than pending come from the planner's statistics.
    pub estimated: bool,
    pub total: i64,
    pub by_status: StatusReport,
    /// The oldest pending message's created_at (an infinity included).
    pub oldest_pending_created_at: Option<String>,
    /// The age of that very message: null when it is stamped with an infinity.
    pub oldest_pending_age_seconds: Option<f64>,
    /// The oldest pending message with a real date, which thresholds use.
    pub oldest_dated_pending_created_at: Option<String>,
    pub oldest_dated_pending_age_seconds: Option<f64>,
    /// Statuses the library never writes, with their counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<BTreeMap<String, i64>>")]
    pub other_statuses: Option<Map<String, Value>>,
    /// Messages in processing for longer than `stuck_after_seconds`; null when the
    /// counts were estimated.
    pub stuck_processing: Option<i64>,
    pub stuck_after_seconds: f64,
    /// `--by-topic`: each topic's figures, in the order read.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<BTreeMap<String, GroupReport>>")]
    pub by_topic: Option<Map<String, Value>>,
    /// `--by-header KEY`: for each key, each value's figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<BTreeMap<String, Vec<HeaderValueReport>>>")]
    pub by_header: Option<Map<String, Value>>,
    /// `--rates`: what changed over the sampling interval, or why there are no rates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rates: Option<RatesReport>,
}

/// Counts by the statuses the library writes.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusReport {
    pub pending: i64,
    pub processing: i64,
    pub processed: i64,
    pub failed: i64,
}

impl StatusReport {
    fn of(counts: &StatusCounts) -> Self {
        Self {
            pending: counts.get("pending"),
            processing: counts.get("processing"),
            processed: counts.get("processed"),
            failed: counts.get("failed"),
        }
    }
}

/// One topic's or header value's figures.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupReport {
    #[serde(flatten)]
    pub by_status: StatusReport,
    pub total: i64,
    pub oldest_pending_created_at: Option<String>,
    pub oldest_pending_age_seconds: Option<f64>,
    pub oldest_processing_created_at: Option<String>,
    pub oldest_processing_age_seconds: Option<f64>,
}

/// One header value's figures, and the value (null: messages without the header).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderValueReport {
    #[serde(flatten)]
    pub figures: GroupReport,
    pub value: Option<String>,
}

impl GroupReport {
    fn of(group: &GroupStats, now: PgTime) -> Self {
        let age = |at: Option<PgTime>| at.and_then(|t| t.seconds_before(now));
        Self {
            by_status: StatusReport::of(&group.counts),
            total: group.counts.total(),
            oldest_pending_created_at: group.oldest_pending.map(PgTime::rfc3339),
            oldest_pending_age_seconds: age(group.oldest_pending),
            oldest_processing_created_at: group.oldest_processing.map(PgTime::rfc3339),
            oldest_processing_age_seconds: age(group.oldest_processing),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum RatesReport {
    Measured {
        interval_seconds: f64,
        written_per_second: f64,
        updated_per_second: f64,
        deleted_per_second: f64,
        pending_change_per_second: f64,
        drained_per_second: f64,
        pending: i64,
        /// Seconds until nothing is pending at these rates; null when the backlog is not
        /// shrinking.
        backlog_eta_seconds: Option<f64>,
    },
    Unavailable {
        /// Why there are no rates this time (statistics reset during the sample, …).
        unavailable: String,
    },
}

impl RatesReport {
    fn of(rates: &Result<Rates, String>) -> Self {
        match rates {
            Ok(r) => RatesReport::Measured {
                interval_seconds: r.interval_seconds,
                written_per_second: r.written_per_second,
                updated_per_second: r.updated_per_second,
                deleted_per_second: r.deleted_per_second,
                pending_change_per_second: r.pending_change_per_second,
                drained_per_second: r.drained_per_second,
                pending: r.pending,
                backlog_eta_seconds: r.backlog_eta_seconds,
            },
            Err(reason) => RatesReport::Unavailable {
                unavailable: reason.clone(),
            },
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DedupReport {
    pub table: String,
    pub exists: bool,
    /// Null when the table does not exist.
    pub total: Option<i64>,
    /// `total` is the planner's estimate.
    pub estimated: bool,
    pub groups: Option<i64>,
    pub oldest_processed_at: Option<String>,
    /// Why the dedup table could not be read (its columns could not be told apart).
    pub error: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BreachReport {
    /// `max_pending_age`, `max_failed` or `max_pending`.
    pub threshold: String,
    /// The limit given (seconds for ages).
    #[schemars(with = "f64")]
    pub limit: Value,
    /// The figure found.
    #[schemars(with = "f64")]
    pub actual: Value,
    pub message: String,
    /// Checked against an estimated figure.
    pub estimated: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorClassReport {
    /// The class's short stable id, for `list|requeue|delete --error-class ID`.
    pub id: String,
    /// The error with what varies per message folded (`<n>`, `<uuid>`, …).
    pub class: String,
    pub count: i64,
    /// The topics involved, sorted, at most 10.
    pub topics: Vec<String>,
    /// Topics involved beyond those listed.
    pub more_topics: usize,
    pub first_created_at: Option<String>,
    pub last_created_at: Option<String>,
    /// The oldest message of the class.
    pub example_id: Option<String>,
    /// Its full last error.
    pub example_error: String,
}

impl StatsReport {
    pub fn new(view: &StatsView<'_>, figures: &Figures) -> Self {
        let stats = &figures.stats;
        let now = stats
            .now
            .unwrap_or_else(|| PgTime::from_chrono(chrono::Utc::now()));
        let other: Map<String, Value> = stats
            .by_status
            .0
            .iter()
            .filter(|(s, _)| !STATUSES.contains(&s.as_str()))
            .map(|(s, n)| (s.clone(), Value::from(*n)))
            .collect();
        let outbox = OutboxReport {
            table: view.outbox_table.to_string(),
            estimated: stats.estimated,
            total: stats.by_status.total(),
            by_status: StatusReport::of(&stats.by_status),
            oldest_pending_created_at: stats.oldest_pending.map(PgTime::rfc3339),
            oldest_pending_age_seconds: if stats.oldest_pending.is_some_and(PgTime::is_finite) {
                stats.oldest_pending_age_seconds
            } else {
                None
            },
            oldest_dated_pending_created_at: stats.oldest_dated_pending.map(PgTime::rfc3339),
            oldest_dated_pending_age_seconds: stats.oldest_pending_age_seconds,
            other_statuses: (!other.is_empty()).then_some(other),
            stuck_processing: stats.stuck_processing,
            stuck_after_seconds: view.stuck_after.as_secs_f64(),
            by_topic: stats.by_topic.as_ref().map(|topics| {
                topics
                    .iter()
                    .map(|g| {
                        (
                            g.value.clone().unwrap_or_default(),
                            json_value(&GroupReport::of(g, now)),
                        )
                    })
                    .collect()
            }),
            by_header: (!stats.by_header.is_empty()).then(|| {
                stats
                    .by_header
                    .iter()
                    .map(|(key, groups)| {
                        let values: Vec<HeaderValueReport> = groups
                            .iter()
                            .map(|g| HeaderValueReport {
                                figures: GroupReport::of(g, now),
                                value: g.value.clone(),
                            })
                            .collect();
                        (key.clone(), json_value(&values))
                    })
                    .collect()
            }),
            rates: figures.rates.as_ref().map(RatesReport::of),
        };
        let dedup = &figures.dedup;
        StatsReport {
            outbox,
            dedup: DedupReport {
                table: view.processed_table.to_string(),
                exists: dedup.exists,
                total: dedup.exists.then_some(dedup.total),
                estimated: dedup.estimated,
                groups: dedup.exists.then_some(dedup.groups),
                oldest_processed_at: dedup.oldest.map(PgTime::rfc3339),
                error: figures.dedup_error.clone(),
            },
            breaches: figures
                .breaches
                .iter()
                .map(|b| BreachReport {
                    threshold: b.threshold.to_string(),
                    limit: b.limit.clone(),
                    actual: b.actual.clone(),
                    message: b.message.clone(),
                    estimated: b.estimated,
                })
                .collect(),
            by_error: figures.by_error.as_ref().map(|classes| {
                classes
                    .iter()
                    .map(|c| ErrorClassReport {
                        id: crate::tables::error_class::class_id(&c.class),
                        class: c.class.clone(),
                        count: c.count,
                        topics: c.topics.clone(),
                        more_topics: c.more_topics,
                        first_created_at: c.first_created_at.map(PgTime::rfc3339),
                        last_created_at: c.last_created_at.map(PgTime::rfc3339),
                        example_id: c.example_id.map(|id| id.to_string()),
                        example_error: c.example_error.clone(),
                    })
                    .collect()
            }),
            in_recovery: figures.standby.is_some(),
            primary: figures.standby.as_ref().and_then(|s| s.primary.clone()),
        }
    }
}
