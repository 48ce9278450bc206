//! The tables' structure: the indexes the library's queries rely on, and drift from the
//! contract as `check` reports it (without `check`'s count of unknown statuses, which
//! reads the table).

use serde_json::json;

use crate::db::catalog::Predicates;
use crate::diagnose::{CheckResult, Detail, Probe, Status};
use crate::render::output::count_of;
use crate::tables::drift::{StatusScan, inspect};
use crate::tables::repair;
use crate::tables::schema::TableKind;

pub fn indexes(probe: &mut Probe<'_>) -> CheckResult {
    let mut finding = probe.finding("indexes");
    let mut parts = Vec::new();
    let dedup_columns = probe.dedup_columns.clone();
    let predicates = probe.predicates;
    let mut repairable = false;
    for (kind, rel, oid) in probe.tables() {
        let rel = rel.clone();
        let (steps, others, has_primary, builds, obstacle) = probe.read("pg_index", |tx| {
            // A dedup table whose columns cannot be told apart is `check`'s to explain;
            // its processed_at index is then not judged.
            let indexed = match kind {
                TableKind::Processed => {
                    match crate::tables::dedup_columns::DedupColumns::resolve(
                        tx,
                        &rel,
                        &dedup_columns,
                    ) {
                        Ok(c) => Some(c.at.name),
                        Err(_) => None,
                    }
                }
                TableKind::Outbox => Some(String::new()),
            };
            let builds = repair::builds_in_progress(tx, oid)?;
            // A build in progress owns its invalid index: nothing to drop under it.
            let steps = match &indexed {
                Some(indexed) if builds.is_empty() => {
                    repair::plan(tx, kind, &rel, oid, indexed, predicates)?
                }
                _ => Vec::new(),
            };
            let obstacle = repair::obstacle(tx, &rel, oid, &steps)?;
            // pg_get_indexdef opens the table, so not while it is locked.
            let definition = match predicates {
                Predicates::Deparse => "pg_catalog.pg_get_indexdef(c.oid)",
                Predicates::Unread => "''",
            };
            let others = tx.query(
                &format!(
                    "SELECT c.relname::pg_catalog.text, {definition}, i.indisprimary
                   FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid
                  WHERE i.indrelid OPERATOR(pg_catalog.=) $1 AND NOT i.indisvalid
                  ORDER BY c.relname"
                ),
                &crate::params![oid],
            )?;
            let has_primary = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index WHERE indrelid OPERATOR(pg_catalog.=) $1 AND indisprimary)",
                    &crate::params![oid],
                )?
                .get::<_, bool>(0);
            Ok((steps, others, has_primary, builds, obstacle))
        })?;
        if !has_primary {
            finding.raise(Status::Fail);
            let key = match kind {
                TableKind::Outbox => "id".to_string(),
                TableKind::Processed => "group_name, msg_id".to_string(),
            };
            parts.push(format!("{} has no primary key", rel.name));
            finding.detail(Detail::new(
                format!("{}: no primary key", rel.name),
                json!({"table": rel.name, "problem": "missing primary key"}),
            ));
            // Built concurrently, then attached: the table is locked only for the moment
            // the constraint is added.
            let index = crate::db::sql::quote_ident(&format!("{}_pkey", rel.name));
            finding.fix(format!(
                "CREATE UNIQUE INDEX CONCURRENTLY {index} ON {} ({key});\nALTER TABLE {} ADD PRIMARY KEY USING INDEX {index};",
                rel.sql, rel.sql
            ));
        }
        for step in &steps {
            // The claim query without its index scans the whole table on every claim.
            finding.raise(if step.claim_index {
                Status::Fail
            } else {
                Status::Warn
            });
            if !step.why.starts_with("rebuild ") {
                parts.push(step.why.clone());
                finding.detail(Detail::new(
                    step.why.clone(),
                    json!({"table": rel.name, "problem": step.why, "statement": step.sql}),
                ));
            }
            if obstacle.is_none() {
                finding.fix(step.sql.clone());
            }
        }
        repairable |= !steps.is_empty() && obstacle.is_none();
        if let Some(obstacle) = &obstacle {
            parts.push(obstacle.clone());
            finding.fix(format!("-- {obstacle}"));
        }
        for build in &builds {
            finding.raise(Status::Warn);
            let why = format!(
                "an index is being built on {}: {build}; its index stays invalid until it finishes",
                rel.name
            );
            parts.push(why.clone());
            finding.detail(Detail::new(
                why,
                json!({"table": rel.name, "problem": "build in progress", "pid": build.pid,
                       "command": build.command, "phase": build.phase}),
            ));
            finding.fix(format!(
                "-- wait for it (it waits for older transactions: see xmin-sessions), or cancel it:\nSELECT pg_catalog.pg_cancel_backend({});",
                build.pid
            ));
        }
        for row in others.iter().filter(|_| builds.is_empty()) {
            let name: String = row.get(0);
            if steps.iter().any(|s| s.sql.contains(&format!("\"{name}\""))) {
                continue;
            }
            let definition: String = row.get(1);
            finding.raise(Status::Warn);
            let why = format!(
                "index {name} is invalid (a failed CREATE INDEX CONCURRENTLY): it slows every write and is never used"
            );
            parts.push(why.clone());
            finding.detail(Detail::new(
                why.clone(),
                json!({"table": rel.name, "index": name, "problem": "invalid", "definition": definition}),
            ));
            finding.fix(format!(
                "DROP INDEX CONCURRENTLY {}.{};",
                crate::db::sql::quote_ident(rel.schema.as_deref().unwrap_or("public")),
                crate::db::sql::quote_ident(&name)
            ));
            if !definition.is_empty() {
                finding.fix(format!(
                    "{};",
                    definition.replacen("INDEX ", "INDEX CONCURRENTLY ", 1)
                ));
            }
        }
    }
    // migrate --repair mends only the contract's indexes, and only when nothing stands
    // in its way.
    if repairable {
        finding.fix(
            probe.outboxctl("migrate --repair") + "   # the contract's indexes, built CONCURRENTLY",
        );
    }
    let mut summary = if probe.tables().is_empty() {
        "no outbox or dedup table exists".to_string()
    } else if parts.is_empty() {
        "the pending index and primary keys exist and every index is valid".to_string()
    } else {
        parts.join("; ")
    };
    if predicates == Predicates::Unread {
        summary.push_str(LOCKED_NOTE);
    }
    finding.done(summary)
}

/// Said when index predicates were matched by name only.
const LOCKED_NOTE: &str = " (index predicates not compared: another session holds ACCESS EXCLUSIVE on a table, see locks)";

pub fn schema(probe: &mut Probe<'_>) -> CheckResult {
    let mut finding = probe.finding("schema");
    let predicates = probe.predicates;
    let dedup_columns = probe.dedup_columns.clone();
    let mut parts = Vec::new();
    for (kind, rel) in [
        (TableKind::Outbox, probe.outbox.clone()),
        (TableKind::Processed, probe.processed.clone()),
    ] {
        let report = probe.read("the table's catalog entries", |tx| {
            // inspect's errors are explained table errors; a server error in it is a
            // tokio_postgres::Error underneath, which `read` words for the operator.
            match inspect(tx, kind, &rel, &dedup_columns, StatusScan::Skip, predicates) {
                Ok(r) => Ok(Ok((r.differences, r.rel.exists()))),
                Err(e) => Ok(Err(crate::db::errors::one_line(&e))),
            }
        })?;
        let (differences, exists) = match report {
            Ok(r) => r,
            Err(text) => {
                finding.raise(Status::Warn);
                parts.push(format!("{}: {text}", rel.name));
                continue;
            }
        };
        if !exists {
            if kind == TableKind::Outbox {
                finding.raise(Status::Fail);
                parts.push(crate::db::errors::missing_table(&rel));
                if rel.schema.is_some() {
                    finding.fix(probe.outboxctl("migrate"));
                }
            }
            finding.detail(Detail::new(
                format!("{}: not created", rel.name),
                json!({"table": rel.name, "exists": false, "differences": []}),
            ));
            continue;
        }
        if !differences.is_empty() {
            finding.raise(Status::Warn);
            parts.push(format!(
                "{}: {}",
                rel.name,
                count_of(differences.len() as u64, "difference", "differences")
            ));
            finding.fix(probe.outboxctl("check") + "   # every difference, in words");
        }
        finding.detail(Detail::new(
            format!(
                "{}: {}",
                rel.name,
                if differences.is_empty() {
                    "matches the contract".to_string()
                } else {
                    differences.join("; ")
                }
            ),
            json!({"table": rel.name, "exists": true, "differences": differences}),
        ));
    }
    let mut summary = if parts.is_empty() {
        if probe.processed.exists() {
            "both tables match the library's contract".to_string()
        } else {
            "the outbox table matches the library's contract (the dedup table was never created, which is fine for a service that does not use it)".to_string()
        }
    } else {
        parts.join("; ")
    };
    if predicates == Predicates::Unread {
        summary.push_str(LOCKED_NOTE);
    }
    finding.done(summary)
}
