//! Who holds the xmin horizon back: while any of these is old, VACUUM cannot remove the
//! dead row versions every claim has to step over. Sessions and prepared transactions
//! count only in the current database (the horizon for ordinary tables is per
//! database); replication slots and standbys count for every database.

use serde_json::json;

use crate::diagnose::{
    CheckResult, Detail, Measure, Probe, Status, Threshold, age, grouped, literal,
};
use crate::render::output::{count_of, human_size};

/// Failing is for what has gone on this many times longer than the threshold.
const FAIL_FACTOR: f64 = 12.0;

pub const SESSION_THRESHOLDS: &[Threshold] = &[Threshold {
    key: "xmin-sessions",
    measure: Measure::Duration,
    default: 300.0,
    about: "a transaction (or idle-in-transaction session) older than this holds back VACUUM; fail at 12 times it",
}];

pub const SLOT_THRESHOLDS: &[Threshold] = &[Threshold {
    key: "xmin-slots",
    measure: Measure::Size,
    default: 1024.0 * 1024.0 * 1024.0,
    about: "WAL a replication slot may retain; any inactive slot warns, one that holds the data horizon fails",
}];

pub const STANDBY_THRESHOLDS: &[Threshold] = &[Threshold {
    key: "xmin-standbys",
    measure: Measure::Count,
    default: 1_000_000.0,
    about: "transactions a standby's feedback xmin may lag (about 15 minutes at 1,000 transactions per second)",
}];

pub const PREPARED_THRESHOLDS: &[Threshold] = &[Threshold {
    key: "prepared-xacts",
    measure: Measure::Duration,
    default: 300.0,
    about: "a prepared transaction older than this is forgotten by its coordinator; fail at 12 times it",
}];

/// A PostgreSQL interval literal for a role's setting (`'300s'`): the threshold, but
/// never under a minute, since it ends every session of that role idling that long.
fn setting_seconds(seconds: f64) -> String {
    format!("'{}s'", seconds.round().max(60.0) as i64)
}

pub fn sessions(probe: &mut Probe<'_>) -> CheckResult {
    let threshold = probe.thresholds.get("xmin-sessions");
    let rows = probe.read("pg_stat_activity", |tx| {
        tx.query(
            "SELECT pid, usename::pg_catalog.text, application_name, pg_catalog.host(client_addr), state,
                    extract(epoch FROM pg_catalog.now() OPERATOR(pg_catalog.-) xact_start)::pg_catalog.float8,
                    backend_xmin IS NOT NULL, backend_xid IS NOT NULL,
                    pg_catalog.left(query, 200),
                    state IS NULL,
                    pg_catalog.age(backend_xmin)::pg_catalog.int8
               FROM pg_catalog.pg_stat_activity
              WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database()
                AND pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()
                -- Another role's session shows no backend_type without pg_read_all_stats.
                AND (backend_type OPERATOR(pg_catalog.=) 'client backend' OR backend_type IS NULL)
              ORDER BY xact_start NULLS LAST, pid",
            &crate::params![],
        )
    })?;
    let mut finding = probe.finding("xmin-sessions");
    let mut offenders = 0;
    let mut hidden = 0;
    let mut hidden_holders: Vec<i64> = Vec::new();
    for row in &rows {
        let pid: i32 = row.get(0);
        let user: Option<String> = row.get(1);
        let application: Option<String> = row.get(2);
        let client: Option<String> = row.get(3);
        let state: Option<String> = row.get(4);
        let xact_age: Option<f64> = row.get(5);
        let holds_xmin: bool = row.get(6);
        let holds_xid: bool = row.get(7);
        let query: Option<String> = row.get(8);
        if row.get::<_, bool>(9) {
            hidden += 1;
            // Its age and query are hidden, but not the snapshot it holds.
            if holds_xmin || holds_xid {
                let xmin_age: Option<i64> = row.get(10);
                hidden_holders.push(xmin_age.unwrap_or_default());
                finding.detail(Detail::new(
                    format!(
                        "pid {pid}: {} holds a snapshot {} transactions old (its age in time and its query need pg_read_all_stats)",
                        user.clone().unwrap_or_default(),
                        xmin_age.map_or("?".into(), grouped),
                    ),
                    json!({
                        "pid": pid,
                        "user": user,
                        "application_name": application,
                        "hidden": true,
                        "xmin_age": xmin_age,
                        "holds_xmin": holds_xmin,
                        "holds_xid": holds_xid,
                    }),
                ));
            }
            continue;
        }
        let Some(xact_age) = xact_age else { continue };
        if xact_age <= threshold || !(holds_xmin || holds_xid) {
            continue;
        }
        offenders += 1;
        finding.raise(if xact_age > threshold * FAIL_FACTOR {
            Status::Fail
        } else {
            Status::Warn
        });
        let state = state.unwrap_or_default();
        let user = user.unwrap_or_default();
        finding.detail(Detail::new(
            format!(
                "pid {pid}: {} {} from {}, {state} for {}, query: {}",
                &user,
                application
                    .as_deref()
                    .filter(|a| !a.is_empty())
                    .unwrap_or("(no application_name)"),
                client.as_deref().unwrap_or("local socket"),
                age(xact_age),
                crate::diagnose::clip(query.as_deref().unwrap_or(""), 80)
            ),
            json!({
                "pid": pid,
                "user": user,
                "application_name": application,
                "client_addr": client,
                "state": state,
                "age_seconds": xact_age.round() as i64,
                "holds_xmin": holds_xmin,
                "holds_xid": holds_xid,
                "query": query,
            }),
        ));
        finding.fix(format!("SELECT pg_catalog.pg_terminate_backend({pid});"));
        if state.starts_with("idle in transaction") {
            finding.fix(format!(
                "ALTER ROLE {} SET idle_in_transaction_session_timeout = {};",
                crate::db::sql::quote_ident(&user),
                setting_seconds(threshold)
            ));
        }
    }
    let mut summary = if offenders == 0 {
        format!(
            "no transaction in this database is older than {}",
            probe.thresholds.show("xmin-sessions")
        )
    } else {
        format!(
            "{} older than {} {} back the horizon: VACUUM cannot remove dead rows newer than {}",
            count_of(offenders as u64, "transaction", "transactions"),
            probe.thresholds.show("xmin-sessions"),
            if offenders == 1 { "holds" } else { "hold" },
            if offenders == 1 { "it" } else { "the oldest" },
        )
    };
    if hidden > 0 && !probe.sees_all_sessions {
        let grant = format!(
            "GRANT pg_read_all_stats TO {};",
            crate::db::sql::quote_ident(&probe.role)
        );
        summary.push_str(&format!(
            "; {} of other roles could not be seen in full{} — grant pg_read_all_stats (or pg_monitor) to {} to see their ages and queries",
            count_of(hidden as u64, "session", "sessions"),
            match hidden_holders.iter().max() {
                Some(oldest) => format!(
                    ", {} of them holding a snapshot (the oldest {} transactions old)",
                    hidden_holders.len(),
                    grouped(*oldest)
                ),
                None => String::new(),
            },
            &probe.role
        ));
        // Someone holds a snapshot of unknown age: neither ok nor a finding.
        if !hidden_holders.is_empty() && offenders == 0 {
            finding.raise(Status::Skipped);
        }
        finding.detail(Detail::new(
            format!(
                "{} of other roles hidden",
                count_of(hidden as u64, "session", "sessions")
            ),
            json!({"hidden_sessions": hidden, "hidden_snapshot_holders": hidden_holders.len(),
                   "grant": grant}),
        ));
        finding.fix(grant);
    }
    finding.done(summary)
}

pub fn slots(probe: &mut Probe<'_>) -> CheckResult {
    let max_retained = probe.thresholds.get("xmin-slots");
    let rows = probe.read("pg_replication_slots", |tx| {
        tx.query(
            "SELECT slot_name::pg_catalog.text, slot_type, database::pg_catalog.text, active, active_pid,
                    xmin IS NOT NULL, pg_catalog.age(xmin)::pg_catalog.int8, pg_catalog.age(catalog_xmin)::pg_catalog.int8,
                    CASE WHEN restart_lsn IS NULL THEN NULL
                         WHEN pg_catalog.pg_is_in_recovery()
                              THEN pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_last_wal_receive_lsn(), restart_lsn)::pg_catalog.int8
                         ELSE pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), restart_lsn)::pg_catalog.int8 END,
                    wal_status
               FROM pg_catalog.pg_replication_slots
              ORDER BY slot_name",
            &crate::params![],
        )
    })?;
    // -1: a slot may keep WAL without limit, until the disk is full.
    let keep_limit_mb: i64 = probe.read("max_slot_wal_keep_size", |tx| {
        Ok(tx
            .query_one(
                "SELECT pg_catalog.current_setting('max_slot_wal_keep_size', true)",
                &crate::params![],
            )?
            .get::<_, Option<String>>(0)
            .and_then(|v| v.trim_end_matches("MB").trim().parse().ok())
            .unwrap_or(-1))
    })?;
    let mut finding = probe.finding("xmin-slots");
    let mut problems = Vec::new();
    let mut unlimited_and_retaining = false;
    for row in &rows {
        let name: String = row.get(0);
        let kind: String = row.get(1);
        let database: Option<String> = row.get(2);
        let active: bool = row.get(3);
        let active_pid: Option<i32> = row.get(4);
        let holds_data_xmin: bool = row.get(5);
        let xmin_age: Option<i64> = row.get(6);
        let catalog_xmin_age: Option<i64> = row.get(7);
        let retained: Option<i64> = row.get(8);
        let wal_status: Option<String> = row.get(9);
        let mut why = Vec::new();
        if !active {
            why.push("inactive".to_string());
            finding.raise(if holds_data_xmin {
                Status::Fail
            } else {
                Status::Warn
            });
        }
        if retained.is_some_and(|r| r as f64 > max_retained) {
            why.push(format!(
                "retains {} of WAL{}",
                human_size(retained.unwrap_or_default()),
                if keep_limit_mb < 0 {
                    ", with no max_slot_wal_keep_size to stop it before the disk is full"
                } else {
                    ""
                }
            ));
            unlimited_and_retaining |= keep_limit_mb < 0;
            finding.raise(Status::Warn);
        }
        match wal_status.as_deref() {
            Some("lost") => {
                why.push("the WAL it needs is gone: it can never be used again".into());
                finding.raise(Status::Warn);
            }
            Some("unreserved") => {
                why.push(format!(
                    "past max_slot_wal_keep_size ({} MB): the next checkpoint removes WAL it needs",
                    keep_limit_mb
                ));
                finding.raise(Status::Warn);
            }
            _ => {}
        }
        let mut holds = Vec::new();
        if let Some(a) = xmin_age {
            holds.push(format!(
                "xmin {} transactions old (every table)",
                grouped(a)
            ));
        }
        if let Some(a) = catalog_xmin_age {
            holds.push(format!("catalog_xmin {} transactions old", grouped(a)));
        }
        let text = format!(
            "{kind} slot {}{}: {}{}{}",
            &name,
            database
                .as_deref()
                .map(|d| format!(" (database {})", d))
                .unwrap_or_default(),
            if active {
                format!("active (pid {})", active_pid.unwrap_or_default())
            } else {
                "inactive".to_string()
            },
            retained
                .map(|r| format!(", retains {} of WAL", human_size(r)))
                .unwrap_or_default(),
            if holds.is_empty() {
                String::new()
            } else {
                format!(", holds {}", holds.join(" and "))
            }
        );
        finding.detail(Detail::new(
            text,
            json!({
                "slot_name": name,
                "slot_type": kind,
                "database": database,
                "active": active,
                "active_pid": active_pid,
                "xmin_age": xmin_age,
                "catalog_xmin_age": catalog_xmin_age,
                "retained_wal_bytes": retained,
                "wal_status": wal_status,
                "max_slot_wal_keep_size_mb": keep_limit_mb,
            }),
        ));
        if !why.is_empty() {
            problems.push(format!("{} ({})", &name, why.join(", ")));
            if !active {
                finding.fix(format!(
                    "SELECT pg_catalog.pg_drop_replication_slot({});  -- only once nothing will consume it again",
                    literal(&name)
                ));
            }
        }
    }
    if unlimited_and_retaining {
        finding.fix(format!(
            "ALTER SYSTEM SET max_slot_wal_keep_size = '{}MB'; SELECT pg_catalog.pg_reload_conf();  -- a slot past it loses its WAL instead of filling the disk",
            ((max_retained / 1024.0 / 1024.0) * 4.0).round().max(1024.0) as i64
        ));
    }
    let summary = if rows.is_empty() {
        "no replication slots".to_string()
    } else if problems.is_empty() {
        format!(
            "{}, all active and within {} of WAL",
            count_of(rows.len() as u64, "replication slot", "replication slots"),
            probe.thresholds.show("xmin-slots")
        )
    } else {
        format!(
            "{}: {}",
            count_of(problems.len() as u64, "slot needs", "slots need"),
            problems.join("; ")
        ) + if finding.status() == Status::Fail {
            " — an inactive slot with an xmin holds the horizon for every table"
        } else {
            ""
        }
    };
    finding.done(summary)
}

pub fn standbys(probe: &mut Probe<'_>) -> CheckResult {
    let max_age = probe.thresholds.get("xmin-standbys");
    let rows = probe.read("pg_stat_replication", |tx| {
        tx.query(
            "SELECT pid, usename::pg_catalog.text, application_name, pg_catalog.host(client_addr), state,
                    pg_catalog.age(backend_xmin)::pg_catalog.int8, extract(epoch FROM replay_lag)::pg_catalog.float8
               FROM pg_catalog.pg_stat_replication
              ORDER BY pid",
            &crate::params![],
        )
    })?;
    let mut finding = probe.finding("xmin-standbys");
    let mut holders = 0;
    let mut hidden = 0;
    for row in &rows {
        let pid: i32 = row.get(0);
        let application: Option<String> = row.get(2);
        let client: Option<String> = row.get(3);
        let state: Option<String> = row.get(4);
        let xmin_age: Option<i64> = row.get(5);
        let replay_lag: Option<f64> = row.get(6);
        if state.is_none() {
            hidden += 1;
            continue;
        }
        let old = xmin_age.is_some_and(|a| a as f64 > max_age);
        if old {
            holders += 1;
            finding.raise(Status::Warn);
            finding.fix(format!(
                "-- on standby {}: find the long query holding the horizon, then end it or turn hot_standby_feedback off there\nSELECT pid, pg_catalog.now() OPERATOR(pg_catalog.-) xact_start AS age, pg_catalog.left(query, 80) FROM pg_catalog.pg_stat_activity WHERE backend_xmin IS NOT NULL ORDER BY xact_start;",
                application.as_deref().unwrap_or("?")
            ));
        }
        finding.detail(Detail::new(
            format!(
                "standby {} from {} (pid {pid}): {}{}",
                application.as_deref().unwrap_or(""),
                client.as_deref().unwrap_or("?"),
                xmin_age
                    .map(|a| format!("feedback xmin {} transactions old", grouped(a)))
                    .unwrap_or_else(|| "no feedback xmin".into()),
                replay_lag
                    .map(|l| format!(", replay lag {}", age(l)))
                    .unwrap_or_default()
            ),
            json!({
                "pid": pid,
                "application_name": application,
                "client_addr": client,
                "state": state,
                "xmin_age": xmin_age,
                "replay_lag_seconds": replay_lag,
            }),
        ));
    }
    let mut summary = if rows.is_empty() {
        "no standbys are connected".to_string()
    } else if holders == 0 {
        format!(
            "{} connected, none holds the horizon back more than {} transactions",
            count_of(rows.len() as u64, "standby", "standbys"),
            probe.thresholds.show("xmin-standbys")
        )
    } else {
        format!(
            "{} with hot_standby_feedback {} the horizon back more than {} transactions",
            count_of(holders as u64, "standby", "standbys"),
            if holders == 1 { "holds" } else { "hold" },
            probe.thresholds.show("xmin-standbys")
        )
    };
    if hidden > 0 {
        summary.push_str(&format!(
            "; {} could not be seen — grant pg_read_all_stats (or pg_monitor) to {}",
            count_of(hidden as u64, "standby", "standbys"),
            &probe.role
        ));
    }
    finding.done(summary)
}

pub fn prepared(probe: &mut Probe<'_>) -> CheckResult {
    let threshold = probe.thresholds.get("prepared-xacts");
    let (enabled, rows) = probe.read("pg_prepared_xacts", |tx| {
        let enabled = tx
            .query_one(
                "SELECT pg_catalog.current_setting('max_prepared_transactions')::int",
                &crate::params![],
            )?
            .get::<_, i32>(0);
        let rows = tx.query(
            "SELECT gid, extract(epoch FROM pg_catalog.now() OPERATOR(pg_catalog.-) prepared)::pg_catalog.float8, owner::pg_catalog.text,
                    database::pg_catalog.text, pg_catalog.age(transaction)::pg_catalog.int8
               FROM pg_catalog.pg_prepared_xacts
              WHERE database OPERATOR(pg_catalog.=) pg_catalog.current_database()
              ORDER BY prepared",
            &crate::params![],
        )?;
        Ok((enabled, rows))
    })?;
    let mut finding = probe.finding("prepared-xacts");
    if enabled == 0 {
        return finding.done("max_prepared_transactions = 0: none can exist");
    }
    let mut old = 0;
    for row in &rows {
        let gid: String = row.get(0);
        let seconds: f64 = row.get(1);
        let owner: String = row.get(2);
        let database: String = row.get(3);
        let xact_age: i64 = row.get(4);
        if seconds <= threshold {
            continue;
        }
        old += 1;
        finding.raise(if seconds > threshold * FAIL_FACTOR {
            Status::Fail
        } else {
            Status::Warn
        });
        finding.detail(Detail::new(
            format!(
                "{} prepared by {} {} ago ({} transactions old)",
                &literal(&gid),
                &owner,
                age(seconds),
                grouped(xact_age)
            ),
            json!({"gid": gid, "owner": owner, "database": database,
                   "age_seconds": seconds.round() as i64, "xact_age": xact_age}),
        ));
        finding.fix(format!(
            "ROLLBACK PREPARED {};  -- or COMMIT PREPARED, once its coordinator says which",
            literal(&gid)
        ));
    }
    let summary = if old == 0 {
        format!(
            "no prepared transaction in this database is older than {}",
            probe.thresholds.show("prepared-xacts")
        )
    } else {
        format!(
            "{} older than {} {} back the horizon and {} locks",
            count_of(old as u64, "prepared transaction", "prepared transactions"),
            probe.thresholds.show("prepared-xacts"),
            if old == 1 { "holds" } else { "hold" },
            if old == 1 { "keeps its" } else { "keep their" }
        )
    };
    finding.done(summary)
}
