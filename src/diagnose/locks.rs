//! Locks on the tables (and their indexes): who waits, who blocks them, and who holds a
//! lock strong enough to stop the relay. `pg_locks` is visible to every role; what the
//! sessions are doing needs `pg_read_all_stats` for other roles' sessions.

use serde_json::json;

use crate::diagnose::{CheckResult, Detail, Measure, Probe, Status, Threshold, age, clip};
use crate::render::output::count_of;

pub const LOCK_THRESHOLDS: &[Threshold] = &[Threshold {
    key: "locks",
    measure: Measure::Duration,
    default: 5.0,
    about: "a session waiting longer than this for a lock on either table warns; a strong lock held on one always warns",
}];

/// Lock modes that stop the relay's UPDATEs (or every reader, for ACCESS EXCLUSIVE).
const STRONG: &[&str] = &[
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
];

pub fn locks(probe: &mut Probe<'_>) -> CheckResult {
    let threshold = probe.thresholds.get("locks");
    // The tables, their partitions, and the indexes of each.
    let mut oids: Vec<i64> = probe
        .tables()
        .iter()
        .chain(probe.storage().iter())
        .map(|(_, _, oid)| *oid as i64)
        .collect();
    oids.dedup();
    let strong: Vec<String> = STRONG.iter().map(|s| s.to_string()).collect();
    // pg_locks.waitstart (PostgreSQL 14+) is when the wait began; before, the statement's start.
    let waitstart = if probe.server_version_num >= 140_000 {
        "w.waitstart"
    } else {
        "NULL::pg_catalog.timestamptz"
    };
    let sql = format!(
        "WITH rels AS (
             SELECT c.oid, c.relname::pg_catalog.text AS name, c.relkind OPERATOR(pg_catalog.=) ANY ('{{r,p}}'::pg_catalog.char[]) AS is_table
               FROM pg_catalog.pg_class c
              WHERE c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.int8[]::pg_catalog.oid[])
                 OR c.oid OPERATOR(pg_catalog.=) ANY (SELECT indexrelid FROM pg_catalog.pg_index
                               WHERE indrelid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.int8[]::pg_catalog.oid[]))),
         held AS (
             SELECT l.pid, l.mode, true AS granted, r.name, l.virtualtransaction,
                    NULL::pg_catalog.timestamptz AS waitstart
               FROM pg_catalog.pg_locks l JOIN rels r ON r.oid OPERATOR(pg_catalog.=) l.relation
              WHERE l.locktype OPERATOR(pg_catalog.=) 'relation' AND l.granted AND l.mode OPERATOR(pg_catalog.=) ANY ($2)
                AND l.database OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database())),
         -- Waiting on a table lock, or on a row lock (a transactionid or tuple lock)
         -- while holding a lock on one of the tables.
         waiting AS (
             SELECT w.pid,
                    w.mode OPERATOR(pg_catalog.||) CASE WHEN w.locktype OPERATOR(pg_catalog.=) 'relation' THEN ''
                                   ELSE ' on a ' OPERATOR(pg_catalog.||) w.locktype OPERATOR(pg_catalog.||) ' (a row lock)' END,
                    false, r.name, w.virtualtransaction, {waitstart}
               FROM pg_catalog.pg_locks w
               JOIN LATERAL (SELECT rr.name FROM pg_catalog.pg_locks t JOIN rels rr ON rr.oid OPERATOR(pg_catalog.=) t.relation
                              WHERE t.pid OPERATOR(pg_catalog.=) w.pid ORDER BY rr.is_table DESC, rr.name LIMIT 1) AS r ON true
              WHERE NOT w.granted)
         SELECT x.pid, x.mode, x.granted, x.name,
                a.usename::pg_catalog.text, a.application_name, pg_catalog.host(a.client_addr), a.state,
                extract(epoch FROM pg_catalog.now() OPERATOR(pg_catalog.-) coalesce(x.waitstart, a.query_start))::pg_catalog.float8,
                extract(epoch FROM pg_catalog.now() OPERATOR(pg_catalog.-) a.xact_start)::pg_catalog.float8,
                pg_catalog.left(a.query, 200),
                CASE WHEN x.granted THEN '{{}}'::pg_catalog.int4[] ELSE pg_catalog.pg_blocking_pids(x.pid) END,
                x.virtualtransaction
           FROM (SELECT * FROM held UNION ALL SELECT * FROM waiting) AS x
           LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) x.pid
          WHERE x.pid IS NULL OR x.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()
          ORDER BY x.granted, 9 DESC NULLS LAST"
    );
    let rows = probe.read("pg_locks", |tx| {
        tx.query(&sql, &crate::params![oids.clone(), strong.clone()])
    })?;
    // Whoever holds a strong lock or blocks a waiter (even with a weak lock), described.
    let mut blocker_pids: Vec<i32> = Vec::new();
    for row in &rows {
        let holder = row
            .get::<_, bool>(2)
            .then(|| row.get::<_, Option<i32>>(0))
            .flatten();
        for pid in row.get::<_, Vec<i32>>(11).into_iter().chain(holder) {
            if !blocker_pids.contains(&pid) {
                blocker_pids.push(pid);
            }
        }
    }
    let blockers = probe.read("pg_stat_activity", |tx| {
        tx.query(
            "SELECT pid, usename::pg_catalog.text, application_name, state,
                    extract(epoch FROM pg_catalog.now() OPERATOR(pg_catalog.-) xact_start)::pg_catalog.float8, pg_catalog.left(query, 200)
               FROM pg_catalog.pg_stat_activity WHERE pid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.int8[]::pg_catalog.int4[])",
            &crate::params![blocker_pids.iter().map(|p| *p as i64).collect::<Vec<i64>>()],
        )
    })?;
    let describe = |pid: i32| -> String {
        match blockers.iter().find(|b| b.get::<_, i32>(0) == pid) {
            Some(b) => {
                let user: Option<String> = b.get(1);
                let app: Option<String> = b.get(2);
                let state: Option<String> = b.get(3);
                let xact: Option<f64> = b.get(4);
                let query: Option<String> = b.get(5);
                match state {
                    None => format!(
                        "pid {pid} ({}, {}; its state needs pg_read_all_stats)",
                        user.unwrap_or_default(),
                        app.unwrap_or_default()
                    ),
                    Some(state) => format!(
                        "pid {pid} ({} {}, {state}{}, query: {})",
                        user.unwrap_or_default(),
                        app.filter(|a| !a.is_empty())
                            .unwrap_or_else(|| "(no application_name)".into()),
                        xact.map(|x| format!(" for {}", age(x))).unwrap_or_default(),
                        clip(query.as_deref().unwrap_or(""), 80)
                    ),
                }
            }
            None => format!("pid {pid}"),
        }
    };

    let mut finding = probe.finding("locks");
    let mut waiting = 0;
    let mut long_waits = 0;
    let mut held = Vec::new();
    for row in &rows {
        let pid: Option<i32> = row.get(0);
        let mode: String = row.get(1);
        let granted: bool = row.get(2);
        let relation: String = row.get(3);
        let user: Option<String> = row.get(4);
        let app: Option<String> = row.get(5);
        let client: Option<String> = row.get(6);
        let state: Option<String> = row.get(7);
        let waited: Option<f64> = row.get(8);
        let xact: Option<f64> = row.get(9);
        let query: Option<String> = row.get(10);
        let blocked_by: Vec<i32> = row.get(11);
        let vxid: Option<String> = row.get(12);
        let holder = match pid {
            Some(pid) => format!("pid {pid}"),
            None => format!("prepared transaction {}", vxid.as_deref().unwrap_or("?")),
        };
        if granted {
            finding.raise(Status::Warn);
            held.push(format!(
                "{holder} holds {mode} on {relation}: {} it waits",
                if mode == "AccessExclusiveLock" {
                    "every read and write of"
                } else {
                    "every write to"
                }
            ));
            finding.detail(Detail::new(
                format!(
                    "{} holds {mode} on {relation}",
                    match pid {
                        Some(pid) => describe(pid),
                        None => holder.clone(),
                    }
                ),
                json!({"pid": pid, "mode": mode, "granted": true, "relation": relation,
                       "user": user, "application_name": app, "client_addr": client,
                       "state": state, "xact_age_seconds": xact.map(|x| x.round() as i64),
                       "query": query}),
            ));
            if let Some(pid) = pid {
                finding.fix(format!(
                    "SELECT pg_catalog.pg_terminate_backend({pid});  -- ends the session holding the lock"
                ));
            }
            continue;
        }
        waiting += 1;
        let long = waited.is_some_and(|w| w > threshold);
        if long {
            long_waits += 1;
            finding.raise(Status::Warn);
        }
        finding.detail(Detail::new(
            format!(
                "pid {} waits {} for {mode} on {relation}, blocked by {}",
                pid.unwrap_or_default(),
                waited.map_or("?".into(), age),
                if blocked_by.is_empty() {
                    "nobody now".to_string()
                } else {
                    blocked_by
                        .iter()
                        .map(|b| describe(*b))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
            json!({"pid": pid, "mode": mode, "granted": false, "relation": relation,
                   "user": user, "application_name": app, "client_addr": client,
                   "waiting_seconds": waited.map(|w| w.round() as i64),
                   "query": query, "blocked_by": blocked_by}),
        ));
        if long {
            for b in &blocked_by {
                finding.fix(format!(
                    "SELECT pg_catalog.pg_cancel_backend({b});  -- or pg_catalog.pg_terminate_backend({b}) if it is idle in transaction"
                ));
            }
        }
    }
    let mut parts = Vec::new();
    if !held.is_empty() {
        parts.push(held.join("; "));
    }
    if waiting > 0 {
        parts.push(format!(
            "{} waiting for a lock on the tables{}",
            count_of(waiting as u64, "session", "sessions"),
            if long_waits > 0 {
                format!(
                    " ({} longer than {})",
                    long_waits,
                    probe.thresholds.show("locks")
                )
            } else {
                String::new()
            }
        ));
    }
    let summary = if parts.is_empty() {
        "nobody waits for a lock on the tables and nobody holds a lock that would stop the relay"
            .to_string()
    } else {
        parts.join("; ")
    };
    finding.done(summary)
}
