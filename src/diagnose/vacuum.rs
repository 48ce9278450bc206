//! Vacuum's side of a queue table: dead rows and why they stay, the autovacuum settings
//! that suit a table whose every row is updated and then deleted, and wraparound.

use serde_json::json;

use crate::db::session::Tx;
use crate::diagnose::{CheckResult, Detail, Measure, Probe, Status, Threshold, age, grouped};
use crate::render::output::count_of;

pub const DEAD_ROW_THRESHOLDS: &[Threshold] = &[
    Threshold {
        key: "dead-rows",
        measure: Measure::Ratio,
        default: 0.2,
        about: "share of a table's row versions that are dead; every claim steps over them",
    },
    Threshold {
        key: "dead-rows.min",
        measure: Measure::Count,
        default: 10_000.0,
        about: "fewer dead rows than this never warn (a small table vacuums in a moment)",
    },
];

pub const AUTOVACUUM_THRESHOLDS: &[Threshold] = &[Threshold {
    key: "autovacuum",
    measure: Measure::Ratio,
    default: 0.05,
    about: "largest autovacuum_vacuum_scale_factor that suits a queue table (PostgreSQL's default 0.2 waits for a fifth of the table to die)",
}];

pub const WRAPAROUND_THRESHOLDS: &[Threshold] = &[Threshold {
    key: "wraparound",
    measure: Measure::Ratio,
    default: 1.2,
    about: "age(relfrozenxid) as a share of autovacuum_freeze_max_age, and mxid_age(relminmxid) of autovacuum_multixact_freeze_max_age; above 1 an anti-wraparound vacuum is due or blocked; fail past 1 billion",
}];

/// Past this many transactions a table is half-way to the server refusing writes.
const WRAPAROUND_FAIL_XIDS: i64 = 1_000_000_000;

/// The autovacuum settings a hot queue table should have: vacuum after a fixed number
/// of dead rows whatever the table's size, and without the cost throttling that lets
/// dead rows pile up faster than vacuum removes them.
const RECOMMENDED: &[(&str, &str)] = &[
    ("autovacuum_vacuum_scale_factor", "0"),
    ("autovacuum_vacuum_threshold", "10000"),
    ("autovacuum_vacuum_insert_scale_factor", "0"),
    ("autovacuum_vacuum_insert_threshold", "10000"),
    ("autovacuum_analyze_scale_factor", "0.02"),
    ("autovacuum_vacuum_cost_delay", "1"),
];

/// A table's storage parameters (`reloptions`), as `name=value` pairs.
fn reloptions(tx: &mut Tx<'_>, oid: u32) -> Result<Vec<(String, String)>, tokio_postgres::Error> {
    let row = tx.query_one(
        "SELECT coalesce(reloptions, '{}') FROM pg_catalog.pg_class WHERE oid OPERATOR(pg_catalog.=) $1",
        &crate::params![oid],
    )?;
    Ok(row
        .get::<_, Vec<String>>(0)
        .into_iter()
        .filter_map(|o| {
            o.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect())
}

fn option<'a>(options: &'a [(String, String)], name: &str) -> Option<&'a str> {
    options
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `autovacuum_enabled` set false, spelled any way PostgreSQL reads a boolean as false
/// (`false`, `f`, `no`, `off`, `0`, and unique prefixes, in any case).
fn disabled(options: &[(String, String)]) -> bool {
    option(options, "autovacuum_enabled").is_some_and(|v| {
        let v = v.trim().to_ascii_lowercase();
        !v.is_empty()
            && (v == "0"
                || "false".starts_with(&v)
                || "no".starts_with(&v)
                || (v.len() >= 2 && "off".starts_with(&v)))
    })
}

pub fn dead_rows(probe: &mut Probe<'_>) -> CheckResult {
    let ratio_limit = probe.thresholds.get("dead-rows");
    let min_dead = probe.thresholds.get("dead-rows.min");
    let holders = probe.horizon_holders();
    let mut finding = probe.finding("dead-rows");
    let mut parts = Vec::new();
    for (_, rel, oid) in probe.storage() {
        let (row, options) = probe.read("pg_stat_user_tables", |tx| {
            let row = tx.query_opt(
                "SELECT s.n_live_tup, s.n_dead_tup,
                        extract(epoch FROM pg_catalog.now() OPERATOR(pg_catalog.-) greatest(s.last_vacuum, s.last_autovacuum))::pg_catalog.float8,
                        extract(epoch FROM pg_catalog.now() OPERATOR(pg_catalog.-) greatest(s.last_analyze, s.last_autoanalyze))::pg_catalog.float8,
                        (SELECT p.phase FROM pg_catalog.pg_stat_progress_vacuum p WHERE p.relid OPERATOR(pg_catalog.=) s.relid LIMIT 1),
                        s.n_mod_since_analyze
                   FROM pg_catalog.pg_stat_user_tables s
                  WHERE s.relid OPERATOR(pg_catalog.=) $1",
                &crate::params![oid],
            )?;
            Ok((row, reloptions(tx, oid)?))
        })?;
        let Some(row) = row else { continue };
        let live: i64 = row.get(0);
        let dead: i64 = row.get(1);
        let since_vacuum: Option<f64> = row.get(2);
        let since_analyze: Option<f64> = row.get(3);
        let vacuum_phase: Option<String> = row.get(4);
        let ratio = if live + dead > 0 {
            dead as f64 / (live + dead) as f64
        } else {
            0.0
        };
        let autovacuum_off = disabled(&options);
        let piling = dead as f64 >= min_dead && ratio > ratio_limit;
        let mut text = format!(
            "{}: {} live, {} dead ({:.0}%); last vacuum {}, last analyze {}",
            rel.name,
            grouped(live),
            grouped(dead),
            ratio * 100.0,
            since_vacuum.map_or("never".into(), |s| format!("{} ago", age(s))),
            since_analyze.map_or("never".into(), |s| format!("{} ago", age(s))),
        );
        if let Some(phase) = &vacuum_phase {
            text.push_str(&format!("; a vacuum is running now ({phase})"));
        }
        if autovacuum_off {
            text.push_str("; autovacuum is disabled on this table");
        }
        finding.detail(Detail::new(
            text,
            json!({
                "table": rel.name,
                "schema": rel.schema,
                "live_rows": live,
                "dead_rows": dead,
                "dead_ratio": (ratio * 1000.0).round() / 1000.0,
                "seconds_since_vacuum": since_vacuum.map(|s| s.round() as i64),
                "seconds_since_analyze": since_analyze.map(|s| s.round() as i64),
                "vacuum_running": vacuum_phase,
                "autovacuum_enabled": !autovacuum_off,
                "horizon_held_by": holders,
            }),
        ));
        if !piling {
            continue;
        }
        finding.raise(Status::Warn);
        let why = if !holders.is_empty() {
            format!(
                "the xmin horizon is held (see {}), so VACUUM cannot remove them until that ends",
                holders.join(", ")
            )
        } else if autovacuum_off {
            "autovacuum is disabled on the table".to_string()
        } else if vacuum_phase.is_some() {
            "a vacuum is working on them now".to_string()
        } else {
            "autovacuum has not caught up (see the autovacuum check)".to_string()
        };
        parts.push(format!(
            "{} has {} dead rows ({:.0}% of its row versions): {why}",
            rel.name,
            grouped(dead),
            ratio * 100.0
        ));
        if autovacuum_off {
            finding.fix(format!(
                "ALTER TABLE {} RESET (autovacuum_enabled);",
                rel.sql
            ));
        }
        finding.fix(format!("VACUUM (VERBOSE, ANALYZE) {};", rel.sql));
    }
    if !holders.is_empty() && finding.status() == Status::Warn {
        finding.fix(format!(
            "-- first end what holds the horizon: see {}",
            holders.join(", ")
        ));
        // The holder must go before VACUUM can help: put that first.
        let mut fixes = std::mem::take(&mut finding.0.fix);
        fixes.rotate_right(1);
        finding.0.fix = fixes;
    }
    let summary = if parts.is_empty() {
        if probe.tables().is_empty() {
            "no outbox or dedup table exists".to_string()
        } else {
            format!(
                "dead rows are under {:.0}% of each table (or fewer than {})",
                ratio_limit * 100.0,
                probe.thresholds.show("dead-rows.min")
            )
        }
    } else {
        super::fixes::joined_few(&parts)
    };
    finding.done(summary)
}

pub fn autovacuum(probe: &mut Probe<'_>) -> CheckResult {
    let scale_limit = probe.thresholds.get("autovacuum");
    let globals = probe.read("pg_settings", |tx| {
        let rows = tx.query(
            "SELECT name::pg_catalog.text, setting FROM pg_catalog.pg_settings
              WHERE name OPERATOR(pg_catalog.=) ANY (ARRAY[
                        'autovacuum', 'track_counts', 'autovacuum_vacuum_scale_factor',
                        'autovacuum_vacuum_threshold', 'autovacuum_vacuum_insert_scale_factor',
                        'autovacuum_vacuum_insert_threshold', 'autovacuum_analyze_scale_factor',
                        'autovacuum_vacuum_cost_delay']::pg_catalog.text[])",
            &crate::params![],
        )?;
        Ok(rows
            .iter()
            .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)))
            .collect::<Vec<_>>())
    })?;
    let global = |name: &str| option(&globals, name).unwrap_or("").to_string();
    let mut finding = probe.finding("autovacuum");
    let mut parts = Vec::new();
    for key in ["autovacuum", "track_counts"] {
        if global(key) == "off" {
            finding.raise(Status::Fail);
            parts.push(format!(
                "{key} is off for the whole server: dead rows are never vacuumed away"
            ));
            finding.fix(format!(
                "ALTER SYSTEM SET {key} = on; SELECT pg_catalog.pg_reload_conf();"
            ));
        }
    }
    for (_, rel, oid) in probe.storage() {
        let options = probe.read("pg_class", |tx| reloptions(tx, oid))?;
        let effective = |name: &str| {
            option(&options, name)
                .map(str::to_string)
                .unwrap_or_else(|| global(name))
        };
        let scale: f64 = effective("autovacuum_vacuum_scale_factor")
            .parse()
            .unwrap_or(0.2);
        // A cost delay of -1 on a table means "the server's".
        let delay: f64 = effective("autovacuum_vacuum_cost_delay")
            .parse::<f64>()
            .ok()
            .filter(|d| *d >= 0.0)
            .unwrap_or(2.0);
        let mut problems = Vec::new();
        if disabled(&options) {
            problems.push("autovacuum is disabled on it".to_string());
        }
        if scale > scale_limit {
            problems.push(format!(
                "autovacuum_vacuum_scale_factor is {scale} (vacuum waits until {:.0}% of the table is dead)",
                scale * 100.0
            ));
        }
        if delay > 2.0 {
            problems.push(format!(
                "autovacuum_vacuum_cost_delay is {delay}ms (vacuum is throttled {:.0} times below the default)",
                delay / 2.0
            ));
        }
        let settings: Vec<(String, String)> = RECOMMENDED
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let differ: Vec<String> = settings
            .iter()
            .filter(|(k, v)| effective(k).parse::<f64>().ok() != v.parse::<f64>().ok())
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        finding.detail(Detail::new(
            format!(
                "{}: scale factor {scale}, cost delay {delay}ms{}{}",
                rel.name,
                if options.is_empty() {
                    ", no per-table settings".to_string()
                } else {
                    format!(
                        ", per-table: {}",
                        options
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
                if disabled(&options) {
                    ", autovacuum disabled"
                } else {
                    ""
                }
            ),
            json!({
                "table": rel.name,
                "reloptions": options.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>(),
                "vacuum_scale_factor": scale,
                "vacuum_cost_delay_ms": delay,
                "autovacuum_enabled": !disabled(&options),
                "recommended": differ,
            }),
        ));
        if problems.is_empty() {
            continue;
        }
        finding.raise(Status::Warn);
        parts.push(format!("{}: {}", rel.name, problems.join(", ")));
        if disabled(&options) {
            finding.fix(format!(
                "ALTER TABLE {} RESET (autovacuum_enabled);",
                rel.sql
            ));
        }
        if !differ.is_empty() {
            finding.fix(format!(
                "ALTER TABLE {} SET ({});",
                rel.sql,
                differ.join(", ")
            ));
        }
    }
    let summary = if parts.is_empty() {
        format!(
            "autovacuum runs on {} with settings that suit a queue table",
            count_of(probe.tables().len() as u64, "table", "tables")
        )
    } else {
        super::fixes::joined_few(&parts)
    };
    finding.done(summary)
}

pub fn wraparound(probe: &mut Probe<'_>) -> CheckResult {
    let ratio_limit = probe.thresholds.get("wraparound");
    let mut finding = probe.finding("wraparound");
    let mut parts = Vec::new();
    let mut oldest = 0i64;
    for (_, rel, oid) in probe.storage() {
        let row = probe.read("pg_class", |tx| {
            tx.query_one(
                "SELECT greatest(pg_catalog.age(c.relfrozenxid), coalesce(pg_catalog.age(t.relfrozenxid), 0))::pg_catalog.int8,
                        pg_catalog.mxid_age(c.relminmxid)::pg_catalog.int8,
                        coalesce((SELECT pg_catalog.split_part(o, '=', 2) FROM pg_catalog.unnest(c.reloptions) AS o
                                   WHERE o OPERATOR(pg_catalog.~~) 'autovacuum\\_freeze\\_max\\_age=%'),
                                 pg_catalog.current_setting('autovacuum_freeze_max_age'))::pg_catalog.int8,
                        coalesce((SELECT pg_catalog.split_part(o, '=', 2) FROM pg_catalog.unnest(c.reloptions) AS o
                                   WHERE o OPERATOR(pg_catalog.~~) 'autovacuum\\_multixact\\_freeze\\_max\\_age=%'),
                                 pg_catalog.current_setting('autovacuum_multixact_freeze_max_age'))::pg_catalog.int8
                   FROM pg_catalog.pg_class c
                   LEFT JOIN pg_catalog.pg_class t ON t.oid OPERATOR(pg_catalog.=) c.reltoastrelid
                  WHERE c.oid OPERATOR(pg_catalog.=) $1",
                &crate::params![oid],
            )
        })?;
        // A partitioned table with no partitions yet has nothing to freeze.
        let (Some(xid_age), Some(mxid_age), Some(freeze_max)) = (
            row.get::<_, Option<i64>>(0),
            row.get::<_, Option<i64>>(1),
            row.get::<_, Option<i64>>(2),
        ) else {
            continue;
        };
        let multixact_max = row.get::<_, Option<i64>>(3).unwrap_or(400_000_000);
        oldest = oldest.max(xid_age);
        let xid_ratio = xid_age as f64 / freeze_max.max(1) as f64;
        // Multixacts (row locks shared by several transactions: the relay's FOR UPDATE
        // beside a foreign key's FOR KEY SHARE) wrap around on their own counter.
        let mxid_ratio = mxid_age as f64 / multixact_max.max(1) as f64;
        let ratio = xid_ratio.max(mxid_ratio);
        finding.detail(Detail::new(
            format!(
                "{}: age(relfrozenxid) {} ({:.0}% of autovacuum_freeze_max_age {}), multixact age {} ({:.0}% of autovacuum_multixact_freeze_max_age {})",
                rel.name,
                grouped(xid_age),
                xid_ratio * 100.0,
                grouped(freeze_max),
                grouped(mxid_age),
                mxid_ratio * 100.0,
                grouped(multixact_max)
            ),
            json!({"table": rel.name, "xid_age": xid_age, "multixact_age": mxid_age,
                   "autovacuum_freeze_max_age": freeze_max,
                   "autovacuum_multixact_freeze_max_age": multixact_max,
                   "ratio": (ratio * 1000.0).round() / 1000.0,
                   "multixact_ratio": (mxid_ratio * 1000.0).round() / 1000.0}),
        ));
        if xid_age > WRAPAROUND_FAIL_XIDS || mxid_age > WRAPAROUND_FAIL_XIDS {
            finding.raise(Status::Fail);
        } else if ratio > ratio_limit {
            finding.raise(Status::Warn);
        } else {
            continue;
        }
        if xid_ratio >= mxid_ratio {
            parts.push(format!(
                "{} is {} transactions from its last freeze ({:.0}% of autovacuum_freeze_max_age): its anti-wraparound vacuum is overdue",
                rel.name,
                grouped(xid_age),
                xid_ratio * 100.0
            ));
        } else {
            parts.push(format!(
                "{} is {} multixacts from its last freeze ({:.0}% of autovacuum_multixact_freeze_max_age): its anti-wraparound vacuum is overdue, and the server stops assigning multixacts (row locks several sessions share) at 2 billion",
                rel.name,
                grouped(mxid_age),
                mxid_ratio * 100.0
            ));
        }
        finding.fix(format!("VACUUM (FREEZE, VERBOSE) {};", rel.sql));
    }
    let summary = if parts.is_empty() {
        if probe.tables().is_empty() {
            "no outbox or dedup table exists".to_string()
        } else {
            format!(
                "the oldest unfrozen row version is {} transactions old, well before its anti-wraparound vacuum is due",
                grouped(oldest)
            )
        }
    } else {
        let holders = probe.horizon_holders();
        let mut text = super::fixes::joined_few(&parts);
        if !holders.is_empty() {
            text.push_str(&format!(
                " — vacuum cannot freeze past the held horizon (see {})",
                holders.join(", ")
            ));
        }
        text
    };
    finding.done(summary)
}
