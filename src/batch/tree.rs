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
//! swapped in by rename). The price: each batch's ctid range is read in every relation
//! of the tree.

use crate::db::session::{Rel, Tx};
use crate::db::sql::Params;

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
            "WITH RECURSIVE tree(oid) AS (
                 SELECT $1::pg_catalog.oid
                 UNION
                 SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent OPERATOR(pg_catalog.=) t.oid)
             SELECT pg_catalog.format('%I.%I', n.nspname, c.relname), c.relkind::pg_catalog.text, c.oid,
                    (pg_catalog.pg_relation_size(c.oid) OPERATOR(pg_catalog./) pg_catalog.current_setting('block_size')::bigint)::bigint,
                    c.relpages::pg_catalog.float8, c.reltuples::pg_catalog.float8
               FROM tree JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) tree.oid
               JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
              WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,f}'::pg_catalog.char[])
              ORDER BY c.oid",
            &crate::params![root],
        )?;
        let single = leaves.len() == 1 && leaves[0].get::<_, u32>(2) == root;
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
                    format!(" AND tableoid OPERATOR(pg_catalog.=) {oid}::pg_catalog.oid"),
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
