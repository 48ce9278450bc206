//! The relations a ctid walk visits: the table itself, or — for a partitioned table or
//! one with inheritance children, whose ctids repeat across relations — each relation
//! with storage in its tree, and how a batch's statements reach each one.
//!
//! A partition is named directly (`ONLY partition`) when that changes nothing a
//! statement on the named table would do: the role may read and change the partition
//! and see its schema, no row-level security or statement trigger is in play, and no
//! update has to move a row to another partition. Each batch then also checks that the
//! partition still belongs to the table, so one detached mid-run is left alone. Otherwise
//! every statement goes through the named table, held to the partition by `tableoid` —
//! PostgreSQL's own rules in every case, at the price of reading each batch's ctid range
//! in every partition.

use crate::batch::ctid::WalkAction;
use crate::db::session::{Rel, Tx};

/// One relation of the tree, as a batch's statements name it.
#[derive(Clone, Debug)]
pub struct Relation {
    /// Blocks in it when the walk started.
    pub blocks: u64,
    /// What follows FROM (or UPDATE): `ONLY "s"."t"`, or the named table.
    pub from: String,
    /// Added to the selecting statement's conditions.
    pub select_guard: String,
    /// Added to the changing statement's conditions.
    pub change_guard: String,
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
    pub fn find(tx: &mut Tx<'_>, rel: &Rel, action: &WalkAction) -> Result<Self, postgres::Error> {
        // Callers check that the table exists (`Rel::require`) before they walk it.
        let root = rel.oid.unwrap_or_default();
        let privilege = match action {
            WalkAction::Delete => "DELETE",
            WalkAction::Update(_) => "UPDATE",
        };
        let row = tx.query_one(
            "SELECT current_setting('server_version_num')::int, c.relkind = 'p', c.relrowsecurity,
                    EXISTS (SELECT 1 FROM pg_trigger t
                             WHERE t.tgrelid = c.oid AND NOT t.tgisinternal AND (t.tgtype & 1::int2) = 0::int2)
               FROM pg_class c WHERE c.oid = $1",
            &crate::params![root],
        )?;
        let server_version: i32 = row.get(0);
        let partitioned: bool = row.get(1);
        let root_secured: bool = row.get(2);
        let statement_triggers: bool = row.get(3);
        // Every relation with storage in the tree, each once (a child of two parents
        // is one relation).
        let leaves = tx.query(
            "WITH RECURSIVE tree(oid) AS (
                 SELECT $1::oid
                 UNION
                 SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.oid)
             SELECT format('%I.%I', n.nspname, c.relname), c.relkind::text, c.oid,
                    (pg_relation_size(c.oid) / current_setting('block_size')::bigint)::bigint,
                    c.relpages::float8, c.reltuples::float8,
                    has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
                        AND has_table_privilege(c.oid, $2),
                    c.relrowsecurity
               FROM tree JOIN pg_class c ON c.oid = tree.oid
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'f')
              ORDER BY c.oid",
            &crate::params![root, privilege.to_string()],
        )?;
        let single = leaves.len() == 1 && leaves[0].get::<_, u32>(2) == root;
        let moves_rows = partitioned && matches!(action, WalkAction::Update(_));
        let direct = !(root_secured || statement_triggers || moves_rows)
            && leaves
                .iter()
                .all(|l| l.get::<_, bool>(6) && !l.get::<_, bool>(7));
        let (mut pages, mut tuples) = (0.0, 0.0);
        let mut relations = Vec::new();
        let mut foreign = None;
        for leaf in &leaves {
            let name: String = leaf.get(0);
            if leaf.get::<_, String>(1) == "f" {
                foreign = Some(name);
                continue;
            }
            let oid: u32 = leaf.get(2);
            let (p, t): (f64, f64) = (leaf.get(4), leaf.get(5));
            if p > 0.0 && t > 0.0 {
                pages += p;
                tuples += t;
            }
            let (from, select_guard, change_guard) = if single {
                (format!("ONLY {}", rel.sql), String::new(), String::new())
            } else if direct {
                (
                    format!("ONLY {name}"),
                    format!(" AND {}", still_in_tree(oid, root, server_version)),
                    String::new(),
                )
            } else {
                let held = format!(" AND tableoid = {oid}::oid");
                (rel.sql.clone(), held.clone(), held)
            };
            relations.push(Relation {
                blocks: leaf.get::<_, i64>(3).max(0) as u64,
                from,
                select_guard,
                change_guard,
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

/// True while `leaf` is in `root`'s tree, read once per statement: a partition detached
/// (or being detached concurrently, PostgreSQL 14+) since the walk began is left alone.
fn still_in_tree(leaf: u32, root: u32, server_version: i32) -> String {
    let attached = if server_version >= 140_000 {
        " WHERE NOT i.inhdetachpending"
    } else {
        ""
    };
    format!(
        "EXISTS (WITH RECURSIVE up(oid) AS (
                     SELECT {leaf}::oid
                     UNION
                     SELECT i.inhparent FROM pg_inherits i JOIN up ON i.inhrelid = up.oid{attached})
                 SELECT 1 FROM up WHERE up.oid = {root}::oid)"
    )
}
