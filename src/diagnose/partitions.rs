//! The time-partitioned outbox's own checks: a partition for what comes next, nothing
//! stranded in the default partition, and a partition count the relay's marks can
//! afford (each `id`-only mark visits every partition's primary key).

use chrono::Utc;
use serde_json::json;

use crate::db::sql::Params;
use crate::diagnose::{CheckResult, Detail, Measure, Probe, Status, Threshold};
use crate::tables::partitions;

pub const PARTITION_THRESHOLDS: &[Threshold] = &[
    Threshold {
        key: "partitions.ahead",
        measure: Measure::Duration,
        default: 86_400.0,
        about: "warn when no partition covers the time from now until this far ahead (rows past the last partition land in the default partition)",
    },
    Threshold {
        key: "partitions.max",
        measure: Measure::Count,
        default: 400.0,
        about: "warn above this many partitions: the relay's id-only marks visit every partition's primary key",
    },
];

pub fn partitions(probe: &mut Probe<'_>) -> CheckResult {
    let ahead = probe.thresholds.get("partitions.ahead");
    let max = probe.thresholds.get("partitions.max");
    let rel = probe.outbox.clone();
    let mut finding = probe.finding("partitions");
    let Some(oid) = rel.oid else {
        finding.raise(Status::Skipped);
        return finding.done("the outbox table does not exist");
    };
    let key = probe.read("the partition key", |tx| partitions::partition_key(tx, oid))?;
    match key.as_deref() {
        None => return finding.done("the outbox is not partitioned"),
        Some(key) if key != partitions::OUR_KEY => {
            return finding.done(format!(
                "partitioned by {key}, not outboxctl's layout: not judged here"
            ));
        }
        Some(_) => {}
    }
    let found = probe.read("the partitions", |tx| partitions::of(tx, oid))?;
    let now = Utc::now();
    let ranges: Vec<_> = found.iter().filter(|p| !p.is_default).collect();
    let covered_until = {
        // The end of the run of partitions that covers now, without a gap.
        let mut until = now;
        let mut sorted: Vec<_> = ranges
            .iter()
            .filter_map(|p| Some((p.from?, p.to?)))
            .collect();
        sorted.sort();
        for (from, to) in sorted {
            if from <= until && to > until {
                until = to;
            }
        }
        until
    };
    let covered = (covered_until - now).num_seconds().max(0) as f64;
    let default = found.iter().find(|p| p.is_default);
    let mut problems = Vec::new();
    if covered < ahead {
        let status = if covered == 0.0 {
            Status::Fail
        } else {
            Status::Warn
        };
        finding.raise(status);
        let when = if covered == 0.0 {
            "now on".to_string()
        } else {
            format!("{} from now", crate::diagnose::age(covered))
        };
        let fate = if default.is_some() {
            "will land in the default partition, which retention never drops"
        } else {
            "will be refused: there is no default partition"
        };
        problems.push(format!(
            "no partition covers inserts from {when}: they {fate}"
        ));
        finding.detail(Detail::new(
            format!("partitions cover until {}", covered_until.to_rfc3339()),
            json!({"covered_until": covered_until.to_rfc3339(), "covered_seconds": covered}),
        ));
        finding.fix(probe.outboxctl("partition maintain --premake 7"));
    }
    if let Some(default) = default {
        let rows: i64 = probe.read("the default partition", |tx| {
            Ok(tx
                .query_one(
                    &format!(
                        "SELECT pg_catalog.count(*) FROM (SELECT 1 FROM ONLY {} LIMIT 1000001) s",
                        default.sql()
                    ),
                    &Params::default(),
                )?
                .get(0))
        })?;
        if rows > 0 {
            finding.raise(Status::Warn);
            let counted = format!(
                "{} {}",
                crate::diagnose::grouped(rows),
                if rows == 1 { "row" } else { "rows" }
            );
            problems.push(format!(
                "{counted} in the default partition {} (no partition covers them; a partition for their range cannot be made until they move)",
                default.name
            ));
            finding.detail(Detail::new(
                format!("{counted} in {}", default.name),
                json!({"partition": default.name, "rows": rows}),
            ));
        }
    }
    if ranges.len() as f64 > max {
        finding.raise(Status::Warn);
        problems.push(format!(
            "{} partitions: every id-only mark of the relay visits each one's primary key; drop old ones with purge, or use a longer interval",
            ranges.len()
        ));
        finding.fix(probe.outboxctl("purge --before 7d"));
    }
    let summary = if problems.is_empty() {
        format!(
            "{} partitions, covering inserts until {}",
            ranges.len(),
            covered_until.format("%Y-%m-%d %H:%M UTC")
        )
    } else {
        problems.join("; ")
    };
    finding.done(summary)
}
