//! What `migrate --repair` does and the doctor prescribes: the contract's indexes built
//! where they are missing or invalid, and the leftovers of a failed `REINDEX
//! CONCURRENTLY` dropped. Every statement runs `CONCURRENTLY` (outside a transaction),
//! so the relay keeps writing while it runs; no statement touches a column.

use crate::db::catalog::{self, LiveIndex, Predicates};
use crate::db::session::{Rel, Tx};
use crate::db::sql::quote_ident;
use crate::tables::schema::{self, TableKind};

/// One statement of a repair and why it is needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub why: String,
    pub sql: String,
    /// The statement builds the index the library's claim query relies on.
    pub claim_index: bool,
}

/// An index name a failed `REINDEX CONCURRENTLY` leaves behind (`…_ccnew`, `…_ccold1`).
pub fn is_reindex_leftover(name: &str) -> bool {
    let trimmed = name.trim_end_matches(|c: char| c.is_ascii_digit());
    trimmed.ends_with("_ccnew") || trimmed.ends_with("_ccold")
}

/// An index build running now on a table (`pg_stat_progress_create_index`): its
/// half-built index is invalid until it ends, and must not be dropped under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    pub pid: i32,
    pub command: String,
    pub phase: String,
}

impl std::fmt::Display for Build {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} is running {} ({})",
            self.pid, self.command, self.phase
        )
    }
}

/// The builds running on the table `oid` or any of its partitions.
pub fn builds_in_progress(tx: &mut Tx<'_>, oid: u32) -> Result<Vec<Build>, tokio_postgres::Error> {
    Ok(tx
        .query(
            // Every database's builds are listed, and an oid is unique only within one.
            &format!(
                "{} SELECT p.pid, p.command, p.phase FROM pg_catalog.pg_stat_progress_create_index p
                   JOIN tree ON tree.oid OPERATOR(pg_catalog.=) p.relid
                  WHERE p.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()",
                crate::db::catalog::RELATION_TREE
            ),
            &crate::params![oid],
        )?
        .iter()
        .map(|r| Build {
            pid: r.get(0),
            command: r.get(1),
            phase: r.get(2),
        })
        .collect())
}

/// The steps that would bring `rel`'s indexes in line with the contract. `indexed` is
/// the dedup table's `processed_at` column as the table names it.
pub fn plan(
    tx: &mut Tx<'_>,
    kind: TableKind,
    rel: &Rel,
    oid: u32,
    indexed: &str,
    predicates: Predicates,
) -> Result<Vec<Step>, tokio_postgres::Error> {
    plan_with(tx, kind, rel, oid, indexed, predicates, &[])
}

/// [`plan`], with `extra` indexes wanted beside the contract's (the processing index).
pub fn plan_with(
    tx: &mut Tx<'_>,
    kind: TableKind,
    rel: &Rel,
    oid: u32,
    indexed: &str,
    predicates: Predicates,
    extra: &[schema::IndexSpec],
) -> Result<Vec<Step>, tokio_postgres::Error> {
    let live = catalog::indexes_as(tx, oid, predicates)?;
    let mut wanted = schema::contract(kind, &rel.name).indexes;
    wanted.extend(extra.iter().cloned());
    Ok(plan_for(kind, rel, indexed, &live, wanted))
}

/// Why the planned steps cannot run as they are, if they cannot: the table is
/// partitioned (PostgreSQL builds no index on one CONCURRENTLY), or an index name the
/// contract needs belongs to another relation of the schema (`IF NOT EXISTS` would then
/// skip the build and report success).
pub fn obstacle(
    tx: &mut Tx<'_>,
    rel: &Rel,
    oid: u32,
    steps: &[Step],
) -> Result<Option<String>, tokio_postgres::Error> {
    let partitioned: bool = tx
        .query_one(
            "SELECT relkind OPERATOR(pg_catalog.=) 'p' FROM pg_catalog.pg_class WHERE oid OPERATOR(pg_catalog.=) $1",
            &crate::params![oid],
        )?
        .get(0);
    if partitioned && !steps.is_empty() {
        return Ok(Some(format!(
            "{} is partitioned, and PostgreSQL cannot build an index on a partitioned table CONCURRENTLY: build it on each partition with CREATE INDEX CONCURRENTLY, create the parent's with CREATE INDEX … ON ONLY {}, then ALTER INDEX … ATTACH PARTITION each one",
            rel.name, rel.sql
        )));
    }
    for step in steps.iter().filter(|s| s.sql.starts_with("CREATE INDEX")) {
        let Some(name) = step.sql.split_whitespace().nth(6) else {
            continue;
        };
        let taken = tx.query_opt(
            "SELECT c.relkind::pg_catalog.text, coalesce(t.oid, 0::pg_catalog.oid), coalesce(t.relname::pg_catalog.text, '')
               FROM pg_catalog.pg_class c
               JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
               LEFT JOIN pg_catalog.pg_index i ON i.indexrelid OPERATOR(pg_catalog.=) c.oid
               LEFT JOIN pg_catalog.pg_class t ON t.oid OPERATOR(pg_catalog.=) i.indrelid
              WHERE n.nspname OPERATOR(pg_catalog.=) $1 AND c.relname OPERATOR(pg_catalog.=) $2",
            &crate::params![
                rel.schema.clone().unwrap_or_default(),
                crate::db::ident::folded(name)
            ],
        )?;
        if let Some(row) = taken {
            let on: u32 = row.get(1);
            if on != oid {
                let owner: String = row.get(2);
                let schema = quote_ident(rel.schema.as_deref().unwrap_or("public"));
                return Ok(Some(format!(
                    "the name {name} is taken by {} in schema {schema}, so the index cannot be built under it: rename that one first (ALTER INDEX {schema}.{} RENAME TO {};)",
                    if owner.is_empty() {
                        "another relation".to_string()
                    } else {
                        format!("an index on {owner}")
                    },
                    quote_ident(name),
                    quote_ident(&format!(
                        "{}_old",
                        name.chars().take(59).collect::<String>()
                    ))
                )));
            }
        }
    }
    Ok(None)
}

fn plan_for(
    kind: TableKind,
    rel: &Rel,
    indexed: &str,
    live: &[LiveIndex],
    wanted: Vec<schema::IndexSpec>,
) -> Vec<Step> {
    let schema = quote_ident(rel.schema.as_deref().unwrap_or("public"));
    let drop = |name: &str| {
        format!(
            "DROP INDEX CONCURRENTLY IF EXISTS {schema}.{};",
            quote_ident(name)
        )
    };
    let mut steps = Vec::new();
    for want in wanted {
        let columns: Vec<String> = match kind {
            TableKind::Outbox => want.columns.iter().map(|c| c.to_string()).collect(),
            TableKind::Processed => vec![indexed.to_string()],
        };
        let claim_index = kind == TableKind::Outbox;
        // A predicate that could not be read (the table is locked) is taken on trust.
        let fits = |i: &LiveIndex| {
            !i.primary
                && i.columns == columns
                && (!i.predicate_read() || i.predicate.as_deref() == want.predicate)
        };
        let create = format!(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS {} ON {} ({}){};",
            want.name,
            rel.sql,
            columns
                .iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", "),
            // Spelled so that it resolves in pg_catalog whatever the search path.
            match want.status {
                Some(status) =>
                    format!(" WHERE status OPERATOR(pg_catalog.=) '{status}'::pg_catalog.text"),
                None => String::new(),
            }
        );
        let rebuild = Step {
            why: format!("rebuild {}", want.name),
            sql: create.clone(),
            claim_index,
        };
        // The contract's name on another definition (an index on the wrong column, say)
        // is not the contract's index: the claim query cannot use it.
        if let Some(wrong) = live.iter().find(|i| i.name == want.name && !fits(i)) {
            let shape = |cols: &[String], predicate: Option<&str>| {
                format!(
                    "({}){}",
                    cols.join(", "),
                    predicate.map(|p| format!(" WHERE {p}")).unwrap_or_default()
                )
            };
            steps.push(Step {
                why: format!(
                    "index {} is on {}, not the contract's {}",
                    wrong.name,
                    shape(&wrong.columns, wrong.predicate.as_deref()),
                    shape(&columns, want.predicate)
                ),
                sql: drop(&wrong.name),
                claim_index,
            });
            steps.push(rebuild);
            continue;
        }
        let have = live
            .iter()
            .find(|i| i.name == want.name)
            .or_else(|| live.iter().find(|i| i.predicate_read() && fits(i)));
        match have {
            None => steps.push(Step {
                why: format!(
                    "index {} on {} ({}) is missing",
                    want.name,
                    rel.name,
                    columns.join(", ")
                ),
                sql: create,
                claim_index,
            }),
            Some(index) if !index.valid => {
                steps.push(Step {
                    why: format!(
                        "index {} is invalid (a failed CREATE INDEX CONCURRENTLY): PostgreSQL maintains it on every write but never uses it",
                        index.name
                    ),
                    sql: drop(&index.name),
                    claim_index,
                });
                steps.push(rebuild);
            }
            Some(_) => {}
        }
    }
    for leftover in live
        .iter()
        .filter(|i| !i.valid && is_reindex_leftover(&i.name))
    {
        steps.push(Step {
            why: format!(
                "index {} is left over from a failed REINDEX CONCURRENTLY",
                leftover.name
            ),
            sql: drop(&leftover.name),
            claim_index: false,
        });
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(kind: TableKind, rel: &Rel, indexed: &str, live: &[LiveIndex]) -> Vec<Step> {
        plan_for(
            kind,
            rel,
            indexed,
            live,
            schema::contract(kind, &rel.name).indexes,
        )
    }

    fn rel(name: &str) -> Rel {
        Rel {
            name: name.into(),
            schema: Some("public".into()),
            sql: format!("\"public\".{name}"),
            oid: Some(1),
            searched: vec![],
            target: String::new(),
            blockers: Default::default(),
        }
    }

    fn index(name: &str, columns: &[&str], predicate: Option<&str>, valid: bool) -> LiveIndex {
        LiveIndex {
            name: name.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            predicate: predicate.map(str::to_string),
            primary: false,
            valid,
        }
    }

    #[test]
    fn missing_invalid_and_leftover_indexes_are_planned() {
        let outbox = rel("outbox_messages");
        let none = plan_of(TableKind::Outbox, &outbox, "", &[]);
        assert_eq!(none.len(), 1);
        assert!(none[0].sql.starts_with(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_outbox_messages_pending ON \"public\".outbox_messages (\"created_at\") WHERE status OPERATOR(pg_catalog.=)"
        ));
        let pending = index(
            "idx_outbox_messages_pending",
            &["created_at"],
            Some("(status = 'pending'::text)"),
            true,
        );
        assert!(
            plan_of(
                TableKind::Outbox,
                &outbox,
                "",
                std::slice::from_ref(&pending)
            )
            .is_empty()
        );
        let broken = LiveIndex {
            valid: false,
            ..pending.clone()
        };
        let steps = plan_of(TableKind::Outbox, &outbox, "", &[broken]);
        assert_eq!(steps.len(), 2);
        assert!(steps[0].sql.starts_with("DROP INDEX CONCURRENTLY"));
        let leftover = index(
            "idx_outbox_messages_pending_ccnew1",
            &["created_at"],
            None,
            false,
        );
        let steps = plan_of(TableKind::Outbox, &outbox, "", &[pending, leftover]);
        assert_eq!(steps.len(), 1);
        assert!(steps[0].sql.contains("_ccnew1"));
        assert!(is_reindex_leftover("x_ccold"));
        assert!(!is_reindex_leftover("x_ccnewer"));
    }
}
