//! The queue itself: how old the backlog is, whether the relay is claiming, rows a dead
//! relay left in `processing`, and what the claim query costs (from
//! `pg_stat_statements`).

use std::time::Duration;

use serde_json::json;

use crate::db::sql::quote_ident;
use crate::diagnose::{
    CheckError, CheckResult, Detail, Measure, Probe, Status, Threshold, age, clip, grouped,
};
use crate::tables::schema::TableKind;

pub const BACKLOG_THRESHOLDS: &[Threshold] = &[
    Threshold {
        key: "backlog",
        measure: Measure::Duration,
        default: 300.0,
        about: "age of the oldest pending message; past it the doctor watches for claims, and fails when there are none",
    },
    Threshold {
        key: "backlog.processing",
        measure: Measure::Duration,
        default: 900.0,
        about: "a message in processing for longer than this (by created_at) was most likely left by a relay that died",
    },
];

pub const CLAIM_THRESHOLDS: &[Threshold] = &[Threshold {
    key: "claim-cost",
    measure: Measure::Duration,
    default: 0.02,
    about: "mean time of the library's claim statement; through a healthy pending index it takes about a millisecond",
}];

/// The predicate of the library's pending index, as `pg_get_expr` prints it.
const PENDING_PREDICATE: &str = "(status = 'pending'::text)";

use crate::tables::schema::PROCESSING_PREDICATE;

pub fn backlog(probe: &mut Probe<'_>) -> CheckResult {
    let Some(oid) = probe.outbox.oid else {
        return Err(CheckError::Skip(format!(
            "{} does not exist",
            probe.outbox.name
        )));
    };
    let rel = probe.outbox.clone();
    let pending_limit = probe.thresholds.get("backlog");
    let processing_limit = probe.thresholds.get("backlog.processing");
    let exact = probe.exact;
    let mut finding = probe.finding("backlog");
    let mut parts = Vec::new();

    let predicates = probe.predicates;
    let storage: Vec<i64> = probe
        .storage()
        .iter()
        .filter(|(kind, _, _)| *kind == TableKind::Outbox)
        .map(|(_, _, oid)| *oid as i64)
        .collect();
    let pending_index = crate::tables::schema::contract(TableKind::Outbox, &rel.name).indexes[0]
        .name
        .clone();
    let processing_index = crate::tables::schema::processing_index(&rel.name);
    let (has_index, has_processing_index, bytes) = probe.read("pg_index", |tx| {
        // The files' size now, not relpages (0 until the first VACUUM or ANALYZE); a
        // partitioned table's rows are in its partitions.
        let bytes = tx
            .query_one(
                "SELECT coalesce(pg_catalog.sum(pg_catalog.pg_relation_size(o)), 0)::pg_catalog.int8
                   FROM pg_catalog.unnest($1::pg_catalog.int8[]::pg_catalog.oid[]) AS o",
                &crate::params![storage.clone()],
            )?
            .get::<_, i64>(0);
        let indexes = crate::db::catalog::indexes_as(tx, oid, predicates)?;
        // By predicate, or by name while a lock keeps the predicates unread.
        let has = |predicate: &str, name: Option<&str>| {
            indexes.iter().any(|i| {
                i.valid
                    && i.columns == ["created_at"]
                    && if i.predicate_read() {
                        i.predicate.as_deref() == Some(predicate)
                    } else {
                        Some(i.name.as_str()) == name
                    }
            })
        };
        Ok((
            has(PENDING_PREDICATE, Some(&pending_index)),
            has(
                PROCESSING_PREDICATE,
                processing_index.as_ref().map(|i| i.name.as_str()),
            ),
            bytes,
        ))
    })?;

    let mut oldest_pending: Option<(uuid::Uuid, f64)> = None;
    let mut pending = None;
    if has_index {
        let read = pending_head(probe, &rel)?;
        pending = Some(read.0);
        oldest_pending = read.1;
        let count = read.0;
        finding.detail(Detail::new(
            format!(
                "{} pending{}",
                grouped(count),
                oldest_pending
                    .map(|(_, a)| format!(", the oldest {} old", age(a)))
                    .unwrap_or_default()
            ),
            json!({"pending": count,
                   "oldest_pending_id": oldest_pending.map(|(id, _)| id.to_string()),
                   "oldest_pending_age_seconds": oldest_pending.map(|(_, a)| a.round() as i64)}),
        ));
    } else {
        parts.push(
            "the pending index is missing or invalid, so the backlog is not read (that would scan the table; see the indexes check)"
                .to_string(),
        );
        finding.raise(Status::Warn);
    }

    if let Some((oldest_id, oldest_age)) = oldest_pending.filter(|(_, a)| *a > pending_limit) {
        finding.raise(Status::Warn);
        let sample = probe.sample;
        let claims = if sample.is_zero() {
            None
        } else {
            Some(watch_claims(probe, &rel, oid, oldest_id, sample)?)
        };
        let mut text = format!(
            "the oldest of {} pending messages is {} old",
            grouped(pending.unwrap_or_default()),
            age(oldest_age)
        );
        match claims {
            Some(Claims {
                updates,
                head_moved,
            }) if updates == 0 && !head_moved => {
                finding.raise(Status::Fail);
                text.push_str(&format!(
                    " and nothing was claimed in {}: the relay looks stopped",
                    crate::units::format_duration(sample)
                ));
                finding.fix("-- is the relay running? Look for its sessions:\nSELECT pid, application_name, state, pg_catalog.now() OPERATOR(pg_catalog.-) state_change AS idle_for FROM pg_catalog.pg_stat_activity WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database() AND query OPERATOR(pg_catalog.~~*) '%skip locked%';");
            }
            Some(Claims { updates, .. }) => {
                text.push_str(&format!(
                    ", and the relay is working ({} updates in {}) but behind",
                    grouped(updates),
                    crate::units::format_duration(sample)
                ));
            }
            None => {}
        }
        parts.push(text);
        finding.fix(
            probe.outboxctl("list --status pending --limit 20") + "   # what waits, oldest first",
        );
    }

    // Rows left in processing are the one failure the library never repairs: they are
    // counted exactly, through the processing index when the table has one (milliseconds
    // at any size), else by a scan held to --scan-budget (none with --exact). A count
    // that could not finish is unknown, never ok.
    let mut processing_note: Option<String> = None;
    let budget = (!exact && !has_processing_index).then_some(probe.scan_budget);
    let counted = probe.read("the processing rows", |tx| {
        if let Some(budget) = budget {
            tx.batch_execute(&format!(
                "SET LOCAL statement_timeout = {}",
                budget.as_millis().max(1)
            ))?;
        }
        let counted = tx.query_one(
            &format!(
                "SELECT pg_catalog.count(*),
                        pg_catalog.count(*) FILTER (WHERE created_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.make_interval(secs => $1))),
                        extract(epoch FROM pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.min(created_at))::pg_catalog.float8
                   FROM {} WHERE status OPERATOR(pg_catalog.=) 'processing'",
                rel.sql
            ),
            &crate::params![processing_limit],
        );
        match counted {
            Ok(row) => Ok(Some((row.get::<_, i64>(0), row.get::<_, i64>(1), row.get::<_, Option<f64>>(2)))),
            // Out of budget: the transaction is aborted, and its COMMIT rolls it back.
            Err(e) if budget.is_some() && e.code() == Some(&tokio_postgres::error::SqlState::QUERY_CANCELED) => Ok(None),
            Err(e) => Err(e),
        }
    })?;
    match counted {
        Some((total, stuck, oldest)) => {
            finding.detail(Detail::new(
                format!(
                    "{} processing, {} of them older than {}{}",
                    grouped(total),
                    grouped(stuck),
                    probe.thresholds.show("backlog.processing"),
                    if has_processing_index {
                        " (through the processing index)"
                    } else {
                        ""
                    }
                ),
                json!({"processing": total, "stuck_processing": stuck,
                       "oldest_processing_age_seconds": oldest.map(|o| o.round() as i64),
                       "estimated": false, "through_index": has_processing_index}),
            ));
            if stuck > 0 {
                finding.raise(Status::Warn);
                parts.push(format!(
                    "{} in processing for longer than {} (the oldest {}): a relay died mid-batch",
                    grouped(stuck),
                    probe.thresholds.show("backlog.processing"),
                    oldest.map_or("?".into(), age)
                ));
                finding.fix(probe.outboxctl(&format!(
                    "requeue --stuck --before {} --dry-run",
                    probe.thresholds.show("backlog.processing")
                )));
            }
        }
        None => {
            // Could not look: say so, and what makes it look.
            finding.raise(Status::Skipped);
            let note = format!(
                "the rows stuck in processing were not counted: counting them on a table of {} did not finish within the {} scan budget (--scan-budget {} or --exact counts them; {} counts them in milliseconds)",
                crate::render::output::human_size(bytes),
                crate::units::format_duration(probe.scan_budget),
                crate::units::format_duration((probe.scan_budget * 10).max(Duration::from_secs(30))),
                match &processing_index {
                    Some(_) => "the processing index, built by \"outboxctl migrate --repair --processing-index\",".to_string(),
                    None => "a partial index on created_at where status = 'processing'".to_string(),
                }
            );
            finding.detail(Detail::new(
                note.clone(),
                json!({"processing": null, "stuck_processing": null, "estimated": false,
                       "unknown": "scan budget exceeded", "scan_budget_seconds": probe.scan_budget.as_secs_f64()}),
            ));
            if processing_index.is_some() {
                finding.fix(probe.outboxctl("migrate --repair --processing-index"));
            }
            processing_note = Some(note);
        }
    }

    let processing = processing_note
        .clone()
        .unwrap_or_else(|| "nothing stuck in processing".to_string());
    let summary = if parts.is_empty() {
        match oldest_pending {
            Some((_, a)) => format!(
                "{} pending, the oldest {} old (under {}); {processing}",
                grouped(pending.unwrap_or_default()),
                age(a),
                probe.thresholds.show("backlog")
            ),
            None => match pending.unwrap_or_default() {
                0 => format!("no message is pending; {processing}"),
                // Only rows whose created_at is NULL (a column that drifted to nullable).
                n => format!(
                    "{} pending, none with a creation time; {processing}",
                    grouped(n)
                ),
            },
        }
    } else {
        if let Some(note) = &processing_note {
            parts.push(note.clone());
        }
        parts.join("; ")
    };
    finding.done(summary)
}

/// The pending count and the oldest pending message, read through the pending index
/// only (a sequential scan is ruled out for this transaction).
fn pending_head(
    probe: &mut Probe<'_>,
    rel: &crate::db::session::Rel,
) -> Result<(i64, Option<(uuid::Uuid, f64)>), CheckError> {
    probe.read("the pending index", |tx| {
        let count = crate::tables::outbox::count_pending(tx, rel)?;
        let oldest = tx
            .query_opt(
                &format!(
                    "SELECT id, extract(epoch FROM pg_catalog.now() OPERATOR(pg_catalog.-) created_at)::pg_catalog.float8
                       FROM {} WHERE status OPERATOR(pg_catalog.=) 'pending' ORDER BY created_at LIMIT 1",
                    rel.sql
                ),
                &crate::params![],
            )?
            // NULL times (a column that drifted to nullable) sort last.
            .and_then(|r| r.get::<_, Option<f64>>(1).map(|age| (r.get::<_, uuid::Uuid>(0), age)));
        Ok((count, oldest))
    })
}

struct Claims {
    /// Row updates the statistics counted on the table while watching.
    updates: i64,
    /// The oldest pending message changed: something claimed (or removed) it.
    head_moved: bool,
}

/// Watches the table for `sample`: the statistics' update counter and the head of the
/// pending queue, each read in its own transaction (statistics are a per-transaction
/// snapshot). Backends publish their counters about once a second, so `sample` should be
/// longer than that.
fn watch_claims(
    probe: &mut Probe<'_>,
    rel: &crate::db::session::Rel,
    oid: u32,
    oldest: uuid::Uuid,
    sample: Duration,
) -> Result<Claims, CheckError> {
    let updates = |probe: &mut Probe<'_>| {
        probe.read("pg_stat_user_tables", |tx| {
            Ok(tx
                .query_opt(
                    "SELECT n_tup_upd OPERATOR(pg_catalog.+) n_tup_del FROM pg_catalog.pg_stat_user_tables WHERE relid OPERATOR(pg_catalog.=) $1",
                    &crate::params![oid],
                )?
                .map_or(0, |r| r.get::<_, i64>(0)))
        })
    };
    let before = updates(probe)?;
    std::thread::sleep(sample);
    let after = updates(probe)?;
    let head = pending_head(probe, rel)?.1;
    Ok(Claims {
        updates: (after - before).max(0),
        head_moved: head.is_none_or(|(id, _)| id != oldest),
    })
}

pub fn claim_cost(probe: &mut Probe<'_>) -> CheckResult {
    let limit = probe.thresholds.get("claim-cost");
    let table = crate::db::ident::folded(&probe.outbox.name);
    let schema = probe.read("pg_extension", |tx| {
        tx.query_opt(
            "SELECT n.nspname::pg_catalog.text FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
              WHERE e.extname OPERATOR(pg_catalog.=) 'pg_stat_statements'",
            &crate::params![],
        )
    })?;
    let Some(schema) = schema else {
        return Err(CheckError::Skip(
            "pg_stat_statements is not installed in this database (it needs shared_preload_libraries = 'pg_stat_statements', then CREATE EXTENSION pg_stat_statements;)"
                .into(),
        ));
    };
    let schema = quote_ident(&schema.get::<_, String>(0));
    let rows = probe.read("pg_stat_statements", |tx| {
        tx.query(
            &format!(
                "SELECT s.calls, s.mean_exec_time, s.max_exec_time, s.stddev_exec_time,
                        s.rows, s.query, s.userid OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) current_user)
                   FROM {schema}.pg_stat_statements s
                  WHERE s.dbid OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
                    AND s.query OPERATOR(pg_catalog.~~*) '%skip locked%'
                    AND s.query OPERATOR(pg_catalog.~*) ('\\m' OPERATOR(pg_catalog.||) $1 OPERATOR(pg_catalog.||) '\\M')
                  ORDER BY s.calls DESC",
                ),
            &crate::params![table.clone()],
        )
    })?;
    let hidden = probe.read("pg_stat_statements", |tx| {
        Ok(tx
            .query_one(
                &format!(
                    "SELECT pg_catalog.count(*) FROM {schema}.pg_stat_statements
                      WHERE query OPERATOR(pg_catalog.=) '<insufficient privilege>'"
                ),
                &crate::params![],
            )?
            .get::<_, i64>(0))
    })?;
    let mut finding = probe.finding("claim-cost");
    if rows.is_empty() {
        if hidden > 0 && !probe.sees_all_sessions {
            return Err(CheckError::Skip(format!(
                "the claim statement is not among the statements {} may read ({hidden} are hidden): grant pg_read_all_stats (or pg_monitor) to it",
                probe.role
            )));
        }
        return finding.done(format!(
            "pg_stat_statements has not seen the library's claim statement on {table} (no relay has claimed since its statistics were reset)"
        ));
    }
    let mut worst_mean = 0.0f64;
    for row in &rows {
        let calls: i64 = row.get(0);
        let mean: f64 = row.get(1);
        let max: f64 = row.get(2);
        let stddev: f64 = row.get(3);
        let returned: i64 = row.get(4);
        let query: String = row.get(5);
        worst_mean = worst_mean.max(mean);
        finding.detail(Detail::new(
            format!(
                "{} calls, mean {:.2}ms, max {:.2}ms, stddev {:.2}ms, {} rows claimed: {}",
                grouped(calls),
                mean,
                max,
                stddev,
                grouped(returned),
                clip(&query, 100)
            ),
            json!({"calls": calls, "mean_ms": mean, "max_ms": max, "stddev_ms": stddev,
                   "rows": returned, "query": query}),
        ));
    }
    let summary = if worst_mean * 1e-3 > limit {
        finding.raise(Status::Warn);
        finding.fix(format!(
            "-- a slow claim wades through dead rows at the head of the pending index: see dead-rows and the xmin checks, then\nVACUUM (VERBOSE) {};",
            probe.outbox.sql
        ));
        format!(
            "the claim statement takes {:.1}ms on average, over {}: it is wading through dead index entries or missing its index",
            worst_mean,
            probe.thresholds.show("claim-cost")
        )
    } else {
        format!(
            "the claim statement takes {:.2}ms on average (under {}); pg_stat_statements keeps no history, so compare runs for a trend",
            worst_mean,
            probe.thresholds.show("claim-cost")
        )
    };
    finding.done(summary)
}
