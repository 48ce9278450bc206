//! The relations a ctid walk visits: the table itself, or — for a partitioned table or
//! one with inheritance children, whose ctids repeat across relations — each relation
//! with storage in its tree, one at a time.
//!
//! Every statement names the table the user named, held to one relation by `tableoid`,
//! so PostgreSQL's own rules apply as to any statement on that table: its privileges,
//! row-level security, rules and triggers; a requeue moving a row to the partition of its
//! new status; a partition detached, dropped or swapped by rename mid-run no longer
//! belonging to it. Naming the partitions directly would be faster but would differ
//! from a statement on the table in all of those (and could delete rows of a table
//! swapped in by rename). On outboxctl's partitioned layout each statement also carries
//! its partition's range of `created_at`, which the partition's own constraint already
//! implies: the planner then prunes every other partition, so a batch reads its ctid
//! range in one relation, not in all of them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::db::catalog::RELATION_TREE;
use crate::db::session::{Rel, Tx};
use crate::db::sql::{Params, quote_literal};
use crate::tables::partitions::{self, Partition};

/// One relation of the tree, as a batch's statements name it.
#[derive(Clone, Debug)]
pub struct Relation {
    /// Blocks in it when the walk started.
    pub blocks: u64,
    /// What follows FROM (or UPDATE): `ONLY "s"."t"` alone, the named table in a tree.
    pub from: String,
    /// Added to both statements' conditions: ` AND tableoid = …` in a tree.
    pub held: String,
}

pub struct Tree {
    pub relations: Vec<Relation>,
    /// A foreign table in the tree: its rows have no ctid to walk by.
    pub foreign: Option<String>,
    /// The planner's rows per block over the tree, to size the first batch.
    pub rows_per_block: f64,
    pub server_version: i32,
}

impl Tree {
    pub fn find(tx: &mut Tx<'_>, rel: &Rel) -> Result<Self, tokio_postgres::Error> {
        // Callers check that the table exists (`Rel::require`) before they walk it.
        let root = rel.oid.unwrap_or_default();
        let server_version: i32 = tx
            .query_one(
                "SELECT pg_catalog.current_setting('server_version_num')::int",
                &Params::default(),
            )?
            .get(0);
        // Every relation with storage in the tree, each once (a child of two parents
        // is one relation).
        let leaves = tx.query(
            &format!(
"{RELATION_TREE}
             SELECT pg_catalog.format('%I.%I', n.nspname, c.relname), c.relkind::pg_catalog.text, c.oid,
                    (pg_catalog.pg_relation_size(c.oid) OPERATOR(pg_catalog./) pg_catalog.current_setting('block_size')::bigint)::bigint,
                    c.relpages::pg_catalog.float8, c.reltuples::pg_catalog.float8
               FROM tree JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) tree.oid
               JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
              WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{{r,f}}'::pg_catalog.char[])
              ORDER BY c.oid"
),
            &crate::params![root],
        )?;
        let single = leaves.len() == 1 && leaves[0].get::<_, u32>(2) == root;
        let pruning = if single {
            HashMap::new()
        } else {
            pruning_conditions(tx, root)?
        };
        let (mut pages, mut tuples) = (0.0, 0.0);
        let mut relations = Vec::new();
        let mut foreign = None;
        for leaf in &leaves {
            if leaf.get::<_, String>(1) == "f" {
                foreign = Some(leaf.get::<_, String>(0));
                continue;
            }
            let oid: u32 = leaf.get(2);
            let (p, t): (f64, f64) = (leaf.get(4), leaf.get(5));
            if p > 0.0 && t > 0.0 {
                pages += p;
                tuples += t;
            }
            let (from, held) = if single {
                (format!("ONLY {}", rel.sql), String::new())
            } else {
                (
                    rel.sql.clone(),
                    format!(
                        " AND tableoid OPERATOR(pg_catalog.=) {oid}::pg_catalog.oid{}",
                        pruning.get(&oid).map(String::as_str).unwrap_or_default()
                    ),
                )
            };
            relations.push(Relation {
                blocks: leaf.get::<_, i64>(3).max(0) as u64,
                from,
                held,
            });
        }
        Ok(Self {
            relations,
            foreign,
            rows_per_block: if pages > 0.0 { tuples / pages } else { 100.0 },
            server_version,
        })
    }
}

/// For each direct partition of `root` when it is outboxctl's layout (range on
/// `created_at`): ` AND …` holding a statement to that partition's range, which lets the
/// planner prune the others. The default partition gets the ranges no other partition
/// covers, only when every bound was read exactly (a bound misread would skip its rows).
fn pruning_conditions(
    tx: &mut Tx<'_>,
    root: u32,
) -> Result<HashMap<u32, String>, tokio_postgres::Error> {
    let mut conditions = HashMap::new();
    if partitions::partition_key(tx, root)?.as_deref() != Some(partitions::OUR_KEY) {
        return Ok(conditions);
    }
    let parts = partitions::of(tx, root)?;
    for part in parts.iter().filter(|p| !p.is_default && p.exact) {
        let mut sql = String::new();
        if let Some(from) = part.from {
            sql.push_str(&format!(
                " AND created_at OPERATOR(pg_catalog.>=) {}",
                at(from)
            ));
        }
        if let Some(to) = part.to {
            sql.push_str(&format!(
                " AND created_at OPERATOR(pg_catalog.<) {}",
                at(to)
            ));
        }
        conditions.insert(part.oid, sql);
    }
    if let Some(default) = parts.iter().find(|p| p.is_default)
        && let Some(gaps) = uncovered(&parts)
    {
        conditions.insert(default.oid, gaps);
    }
    Ok(conditions)
}

fn at(t: DateTime<Utc>) -> String {
    format!(
        "{}::pg_catalog.timestamptz",
        quote_literal(&t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
    )
}

/// ` AND (…)`: the values of `created_at` no non-default partition covers (NULL
/// included), or `None` when a bound was not read exactly.
fn uncovered(parts: &[Partition]) -> Option<String> {
    // (from, to); `None` is MINVALUE or MAXVALUE.
    type Range = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let mut ranges: Vec<Range> = Vec::new();
    for part in parts.iter().filter(|p| !p.is_default) {
        if !part.exact {
            return None;
        }
        ranges.push((part.from, part.to));
    }
    // MINVALUE first; then merge touching or overlapping ranges.
    ranges.sort_by_key(|r| r.0);
    let mut arms = vec!["created_at IS NULL".to_string()];
    // The lowest value not yet covered: `None` is MINVALUE, `Some(None)` past MAXVALUE.
    let mut open: Option<Option<DateTime<Utc>>> = Some(None);
    for (from, to) in ranges {
        let Some(low) = open else { break };
        match (low, from) {
            (_, None) => {}
            (None, Some(f)) => arms.push(format!("created_at OPERATOR(pg_catalog.<) {}", at(f))),
            (Some(l), Some(f)) if l < f => arms.push(format!(
                "created_at OPERATOR(pg_catalog.>=) {} AND created_at OPERATOR(pg_catalog.<) {}",
                at(l),
                at(f)
            )),
            _ => {}
        }
        open = match (low, to) {
            (_, None) => None,
            (Some(l), Some(t)) if l > t => Some(Some(l)),
            (_, Some(t)) => Some(Some(t)),
        };
    }
    match open {
        Some(None) => arms.push("true".to_string()),
        Some(Some(l)) => arms.push(format!("created_at OPERATOR(pg_catalog.>=) {}", at(l))),
        None => {}
    }
    Some(format!(" AND ({})", arms.join(" OR ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(from: Option<&str>, to: Option<&str>) -> Partition {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        Partition {
            name: String::new(),
            schema: String::new(),
            oid: 0,
            from: from.map(t),
            to: to.map(t),
            is_default: false,
            exact: true,
            is_partitioned: false,
            estimated_rows: 0.0,
            bytes: 0,
        }
    }

    #[test]
    fn the_default_partition_gets_every_gap() {
        let d = |n: u32| format!("2026-12-{n:02}T00:00:00Z");
        let parts = [
            part(Some(&d(3)), Some(&d(4))),
            part(Some(&d(1)), Some(&d(2))),
            part(Some(&d(2)), Some(&d(3))),
            part(Some(&d(6)), Some(&d(7))),
        ];
        let gaps = uncovered(&parts).unwrap();
        assert_eq!(
            gaps,
            " AND (created_at IS NULL OR created_at OPERATOR(pg_catalog.<) E'2026-12-01T00:00:00.000000Z'::pg_catalog.timestamptz \
OR created_at OPERATOR(pg_catalog.>=) E'2026-12-04T00:00:00.000000Z'::pg_catalog.timestamptz AND created_at OPERATOR(pg_catalog.<) E'2026-12-06T00:00:00.000000Z'::pg_catalog.timestamptz \
OR created_at OPERATOR(pg_catalog.>=) E'2026-12-07T00:00:00.000000Z'::pg_catalog.timestamptz)"
        );
    }

    #[test]
    fn minvalue_and_maxvalue_leave_no_gap_at_the_ends() {
        let parts = [
            part(None, Some("2026-12-01T00:00:00Z")),
            part(Some("2026-12-01T00:00:00Z"), None),
        ];
        assert_eq!(uncovered(&parts).unwrap(), " AND (created_at IS NULL)");
        let mut unread = part(Some("2026-12-01T00:00:00Z"), None);
        unread.exact = false;
        assert_eq!(uncovered(&[unread]), None);
        assert_eq!(uncovered(&[]).unwrap(), " AND (created_at IS NULL OR true)");
    }
}
