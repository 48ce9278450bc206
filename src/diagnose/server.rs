//! The server around the outbox: connection slots left for the relay and its writers,
//! the guard rail that ends a forgotten open transaction (the usual holder of the xmin
//! horizon), and statistics fresh enough for the claim query's plan.

use serde_json::json;

use crate::db::sql::quote_ident;
use crate::diagnose::{CheckResult, Detail, Measure, Probe, Status, Threshold, grouped};

pub const CONNECTION_THRESHOLDS: &[Threshold] = &[Threshold {
    key: "connections",
    measure: Measure::Ratio,
    default: 0.8,
    about: "share of max_connections (less the reserved slots) in use; past it a relay restart or a deploy's new pods may find no slot",
}];

pub const STATISTICS_THRESHOLDS: &[Threshold] = &[
    Threshold {
        key: "stale-stats",
        measure: Measure::Ratio,
        default: 0.2,
        about: "rows changed since the last analyze, as a share of the table: the claim query's plan depends on how many rows are pending",
    },
    Threshold {
        key: "stale-stats.min",
        measure: Measure::Count,
        default: 10_000.0,
        about: "fewer changed rows than this never warn",
    },
];

/// The timeout a guard rail suggests: long enough for any real transaction of a relay.
const SUGGESTED_IDLE_TIMEOUT: &str = "5min";

pub fn connections(probe: &mut Probe<'_>) -> CheckResult {
    let limit = probe.thresholds.get("connections");
    let (usable, reserved, in_use, by_who) = probe.read("pg_stat_activity", |tx| {
        let settings = tx.query_one(
            "SELECT pg_catalog.current_setting('max_connections')::pg_catalog.int4,
                    pg_catalog.current_setting('superuser_reserved_connections')::pg_catalog.int4
                    OPERATOR(pg_catalog.+) coalesce(pg_catalog.current_setting('reserved_connections', true)::pg_catalog.int4, 0),
                    (SELECT pg_catalog.count(*) FROM pg_catalog.pg_stat_activity
                      WHERE backend_type OPERATOR(pg_catalog.=) 'client backend')::pg_catalog.int4",
            &crate::params![],
        )?;
        let by_who = tx.query(
            "SELECT coalesce(usename::pg_catalog.text, ''), coalesce(application_name, ''),
                    pg_catalog.count(*)::pg_catalog.int4,
                    (pg_catalog.count(*) FILTER (WHERE state OPERATOR(pg_catalog.=) 'idle'))::pg_catalog.int4
               FROM pg_catalog.pg_stat_activity
              WHERE backend_type OPERATOR(pg_catalog.=) 'client backend'
              GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 10",
            &crate::params![],
        )?;
        let max: i32 = settings.get(0);
        let reserved: i32 = settings.get(1);
        Ok((
            (max - reserved).max(1),
            reserved,
            settings.get::<_, i32>(2),
            by_who
                .iter()
                .map(|r| {
                    (
                        r.get::<_, String>(0),
                        r.get::<_, String>(1),
                        r.get::<_, i32>(2),
                        r.get::<_, i32>(3),
                    )
                })
                .collect::<Vec<_>>(),
        ))
    })?;
    let mut finding = probe.finding("connections");
    for (role, application, count, idle) in &by_who {
        finding.detail(Detail::new(
            format!(
                "{count} of role {} from {} ({idle} idle)",
                if role.is_empty() { "?" } else { role },
                if application.is_empty() {
                    "an unnamed application"
                } else {
                    application
                }
            ),
            json!({"role": role, "application": application, "connections": count, "idle": idle}),
        ));
    }
    let share = f64::from(in_use) / f64::from(usable);
    let summary = format!(
        "{in_use} of {usable} connection slots in use ({:.0}%; {reserved} more reserved for superusers)",
        share * 100.0
    );
    if share <= limit {
        return finding.done(summary);
    }
    finding.raise(if in_use >= usable {
        Status::Fail
    } else {
        Status::Warn
    });
    if let Some((role, application, count, idle)) = by_who.first() {
        finding.fix(format!(
            "-- the most connections: {count} of role {role} from {} ({idle} idle); a pooler (PgBouncer) in front of them, or a smaller pool per pod",
            if application.is_empty() {
                "an unnamed application"
            } else {
                application
            }
        ));
    }
    finding.fix(
        "SELECT usename, application_name, state, pg_catalog.count(*) FROM pg_catalog.pg_stat_activity GROUP BY 1, 2, 3 ORDER BY 4 DESC;",
    );
    finding.done(format!(
        "{summary}: past {:.0}%, a relay restart or new pods may find no slot",
        limit * 100.0
    ))
}

/// The roles that write the outbox (its owner and those granted INSERT, UPDATE or
/// DELETE on it) whose sessions run without `idle_in_transaction_session_timeout`: an
/// open transaction left idle by one of them holds the xmin horizon until someone
/// notices.
pub fn guard_rails(probe: &mut Probe<'_>) -> CheckResult {
    let rel = probe.outbox.clone();
    let mut finding = probe.finding("guard-rails");
    let Some(oid) = rel.oid else {
        finding.raise(Status::Skipped);
        return finding.done("the outbox table does not exist");
    };
    let rows = probe.read("pg_roles", |tx| {
        tx.query(
            "WITH writers AS (
                 SELECT c.relowner AS oid FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) $1
                 UNION
                 SELECT a.grantee FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
                  WHERE c.oid OPERATOR(pg_catalog.=) $1
                    AND a.privilege_type OPERATOR(pg_catalog.=) ANY ('{INSERT,UPDATE,DELETE}'::pg_catalog.text[])
                    AND a.grantee OPERATOR(pg_catalog.<>) 0)
             SELECT r.rolname::pg_catalog.text, r.rolcanlogin,
                    (SELECT pg_catalog.split_part(s, '=', 2)
                       FROM pg_catalog.pg_db_role_setting d, pg_catalog.unnest(d.setconfig) s
                      WHERE d.setrole OPERATOR(pg_catalog.=) r.oid
                        AND d.setdatabase OPERATOR(pg_catalog.=) ANY (ARRAY[0, (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database())]::pg_catalog.oid[])
                        AND pg_catalog.split_part(s, '=', 1) OPERATOR(pg_catalog.=) 'idle_in_transaction_session_timeout'
                      ORDER BY d.setdatabase DESC LIMIT 1),
                    (SELECT pg_catalog.split_part(s, '=', 2)
                       FROM pg_catalog.pg_db_role_setting d, pg_catalog.unnest(d.setconfig) s
                      WHERE d.setrole OPERATOR(pg_catalog.=) 0
                        AND d.setdatabase OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
                        AND pg_catalog.split_part(s, '=', 1) OPERATOR(pg_catalog.=) 'idle_in_transaction_session_timeout'),
                    (SELECT setting FROM pg_catalog.pg_settings WHERE name OPERATOR(pg_catalog.=) 'idle_in_transaction_session_timeout' AND source OPERATOR(pg_catalog.=) ANY ('{default,configuration file,command line,environment variable}'::pg_catalog.text[]))
               FROM writers w JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) w.oid
              ORDER BY 1",
            &crate::params![oid],
        )
    })?;
    // The server-wide value (its configuration, not a session's own SET).
    let off = |value: &str| {
        let v = value.trim().trim_matches('"').trim_matches('\'');
        v.is_empty() || v == "0" || v.starts_with("0m") || v.starts_with("0s")
    };
    let mut unguarded = Vec::new();
    for row in &rows {
        let role: String = row.get(0);
        let can_login: bool = row.get(1);
        let for_role: Option<String> = row.get(2);
        let for_database: Option<String> = row.get(3);
        let server: Option<String> = row.get(4);
        let (value, from) = match (&for_role, &for_database, &server) {
            (Some(v), _, _) => (v.clone(), "the role"),
            (None, Some(v), _) => (v.clone(), "the database"),
            (None, None, Some(v)) => (v.clone(), "the server"),
            (None, None, None) => ("0".to_string(), "the server"),
        };
        let guarded = !off(&value);
        finding.detail(Detail::new(
            format!(
                "role {role}{}: idle_in_transaction_session_timeout {} (set by {from})",
                if can_login { "" } else { " (cannot log in)" },
                if guarded { value.as_str() } else { "off" }
            ),
            json!({"role": role, "can_login": can_login, "idle_in_transaction_session_timeout": value, "set_by": from, "guarded": guarded}),
        ));
        if !guarded && can_login {
            unguarded.push(role);
        }
    }
    if unguarded.is_empty() {
        return finding.done(if rows.is_empty() {
            "no role that can log in writes the outbox".to_string()
        } else {
            "every role that writes the outbox has idle_in_transaction_session_timeout".to_string()
        });
    }
    finding.raise(Status::Warn);
    for role in &unguarded {
        finding.fix(format!(
            "ALTER ROLE {} SET idle_in_transaction_session_timeout = '{SUGGESTED_IDLE_TIMEOUT}';",
            quote_ident(role)
        ));
    }
    finding.done(format!(
        "{} write{} the outbox with no idle_in_transaction_session_timeout: one of their transactions left open holds back every vacuum until someone notices",
        unguarded.join(", "),
        if unguarded.len() == 1 { "s" } else { "" }
    ))
}

/// Rows changed since the last analyze against the table's size: the claim query's
/// plan (the pending index, or a scan) follows the statistics of `status`.
pub fn stale_stats(probe: &mut Probe<'_>) -> CheckResult {
    let limit = probe.thresholds.get("stale-stats");
    let min_changed = probe.thresholds.get("stale-stats.min");
    let mut finding = probe.finding("stale-stats");
    let mut parts = Vec::new();
    for (_, rel, oid) in probe.storage() {
        let row = probe.read("pg_stat_user_tables", |tx| {
            tx.query_opt(
                "SELECT s.n_mod_since_analyze, GREATEST(c.reltuples::pg_catalog.float8, 0::pg_catalog.float8),
                        extract(epoch FROM pg_catalog.now() OPERATOR(pg_catalog.-) GREATEST(s.last_analyze, s.last_autoanalyze))::pg_catalog.float8
                   FROM pg_catalog.pg_stat_user_tables s JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) s.relid
                  WHERE s.relid OPERATOR(pg_catalog.=) $1",
                &crate::params![oid],
            )
        })?;
        let Some(row) = row else { continue };
        let changed: i64 = row.get(0);
        let rows: f64 = row.get(1);
        let since: Option<f64> = row.get(2);
        let share = if rows > 0.0 {
            changed as f64 / rows
        } else if changed > 0 {
            f64::INFINITY
        } else {
            0.0
        };
        finding.detail(Detail::new(
            format!(
                "{}: {} rows changed since the last analyze ({}), {} rows by the statistics",
                rel.name,
                grouped(changed),
                since.map_or("never analyzed".into(), |s| format!(
                    "{} ago",
                    crate::diagnose::age(s)
                )),
                grouped(rows as i64)
            ),
            json!({"table": rel.name, "changed_since_analyze": changed, "rows": rows as i64,
                   "seconds_since_analyze": since.map(|s| s.round() as i64)}),
        ));
        if (changed as f64) < min_changed || share <= limit {
            continue;
        }
        finding.raise(Status::Warn);
        parts.push(format!(
            "{} has {} rows changed since it was last analyzed ({})",
            rel.name,
            grouped(changed),
            if share.is_finite() {
                format!("{:.0}% of it", share * 100.0)
            } else {
                "it was empty then".to_string()
            }
        ));
        finding.fix(format!("ANALYZE {};", rel.sql));
    }
    if parts.is_empty() {
        return finding.done(format!(
            "the statistics are fresh (under {:.0}% of each table changed since its last analyze)",
            limit * 100.0
        ));
    }
    finding.fix(
        "-- autovacuum_analyze_scale_factor = 0.02 on the table keeps them fresh (see the autovacuum check)",
    );
    finding.done(format!(
        "{}: the claim query is planned from counts that no longer hold",
        super::fixes::joined_few(&parts)
    ))
}
