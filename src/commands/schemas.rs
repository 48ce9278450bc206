//! The contract scripts depend on: one JSON Schema per machine output, generated from
//! the report types themselves. `docs/schema/` holds them; `tests/it/schemas.rs` keeps
//! the files current and validates every command's json and ndjson output against them.

use schemars::{Schema, schema_for};

use crate::batch::engine::SummaryRecord;
use crate::commands::check::{CheckReport, CheckedTable};
use crate::commands::convert::ConvertReport;
use crate::commands::dedup::DedupCheckRecord;
use crate::commands::partition::{MaintainReport, PartitionReport, TargetPartitions};
use crate::commands::reindex::ReindexReport;
use crate::commands::targets::TargetSummary;
use crate::commands::watch::WatchLine;
use crate::diagnose::report::{DoctorReport, TargetDoctorReport};
use crate::render::stats::report::{StatsReport, TargetStatsReport};
use crate::tables::dedup::EntryRow;
use crate::tables::outbox::MessageRow;

/// Each published schema: its file name under `docs/schema/`, and the schema.
pub fn published_schemas() -> Vec<(&'static str, Schema)> {
    vec![
        // `list` (each element, each line) and `show`.
        ("message.schema.json", schema_for!(MessageRow)),
        // `requeue`, `delete`, `purge`, `dedup mark|unmark|purge`, dry runs included.
        ("mutation-summary.schema.json", schema_for!(SummaryRecord)),
        // A change over several databases: each element, each line.
        (
            "mutation-summary-target.schema.json",
            schema_for!(TargetSummary),
        ),
        ("stats.schema.json", schema_for!(StatsReport)),
        // `stats` over several targets: each element, each line.
        ("stats-target.schema.json", schema_for!(TargetStatsReport)),
        ("doctor.schema.json", schema_for!(DoctorReport)),
        ("doctor-target.schema.json", schema_for!(TargetDoctorReport)),
        ("check.schema.json", schema_for!(CheckReport)),
        // `check --format ndjson`: one line per table.
        ("check-table.schema.json", schema_for!(CheckedTable)),
        // `watch --format ndjson`: each line.
        ("watch.schema.json", schema_for!(WatchLine)),
        // `dedup list` (each element, each line).
        ("dedup-entry.schema.json", schema_for!(EntryRow)),
        ("dedup-check.schema.json", schema_for!(DedupCheckRecord)),
        // `partition list` (each element, each line).
        ("partition.schema.json", schema_for!(PartitionReport)),
        (
            "partition-list-target.schema.json",
            schema_for!(TargetPartitions),
        ),
        ("reindex.schema.json", schema_for!(ReindexReport)),
        (
            "partition-maintain.schema.json",
            schema_for!(MaintainReport),
        ),
        ("partition-convert.schema.json", schema_for!(ConvertReport)),
    ]
}
