//! Reads of PostgreSQL's catalogs: does a table exist, what do its columns and indexes
//! look like, can this server run the DDL.

use crate::db::session::{Rel, Tx};
use crate::db::sql::Params;

/// The oldest server with a built-in `gen_random_uuid()` and `pg_current_snapshot()`,
/// which the DDL and the batch engine need.
pub const MIN_SERVER_VERSION: i32 = 130_000;

/// Fails with a clear message when the server cannot hold the tables where they would go:
/// too old, or no schema to create them in.
pub fn ensure_creatable(tx: &mut Tx<'_>, rel: &Rel, schema: Option<&str>) -> anyhow::Result<()> {
    let row = tx
        .query_one(
            "SELECT current_setting('server_version_num')::int, current_setting('server_version')",
            &Params::default(),
        )
        .map_err(|e| {
            anyhow::anyhow!(
                "reading the server version failed: {}",
                crate::error::describe_pg_error(&e)
            )
        })?;
    let version_num: i32 = row.get(0);
    let version: String = row.get(1);
    if version_num < MIN_SERVER_VERSION {
        anyhow::bail!(
            "PostgreSQL {version} is too old: the outbox table needs PostgreSQL 13 or later (built-in gen_random_uuid())"
        );
    }
    if rel.schema.is_none() {
        match schema {
            Some(schema) => anyhow::bail!(
                "schema \"{schema}\" does not exist in {} — create it first (CREATE SCHEMA {schema}) or drop --schema",
                rel.target
            ),
            None => anyhow::bail!(
                "no schema in the search_path exists in {} to create the tables in — pass --schema or fix search_path",
                rel.target
            ),
        }
    }
    Ok(())
}

/// Whether the table exists now, read from `pg_class` with the statement's own snapshot
/// (a cached lookup could miss a table another session just committed).
pub fn exists_now(tx: &mut Tx<'_>, rel: &Rel) -> Result<bool, postgres::Error> {
    let Some(schema) = &rel.schema else {
        return Ok(false);
    };
    let row = tx.query_opt(
        "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relname = $1 AND n.nspname = $2",
        &crate::params![crate::db::ident::folded(&rel.name), schema.clone()],
    )?;
    Ok(row.is_some())
}

/// One column as the catalogs describe it.
#[derive(Debug, Clone)]
pub struct LiveColumn {
    pub name: String,
    pub data_type: String,
    pub not_null: bool,
    pub default: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LiveIndex {
    pub name: String,
    pub columns: Vec<String>,
    /// As `pg_get_expr` prints it; `Some("")` when there is one but it was not read
    /// ([`Predicates::Unread`]).
    pub predicate: Option<String>,
    pub primary: bool,
    pub valid: bool,
}

impl LiveIndex {
    /// Whether `predicate` is the index's own, or unknown because it was not read.
    pub fn predicate_read(&self) -> bool {
        self.predicate.as_deref() != Some("")
    }
}

/// Whether index predicates are printed. `pg_get_expr` on an expression with column
/// references opens the table with ACCESS SHARE, so it waits behind a session that holds
/// ACCESS EXCLUSIVE; the doctor, which must finish then, reads them `Unread` instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Predicates {
    Deparse,
    Unread,
}

pub fn columns(tx: &mut Tx<'_>, oid: u32) -> Result<Vec<LiveColumn>, postgres::Error> {
    let rows = tx.query(
        "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                -- A default has no column references, so it prints without opening
                -- (and locking) the table; a generated column's expression has them.
                CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, 0)
                     ELSE pg_get_expr(d.adbin, d.adrelid) END
           FROM pg_attribute a
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY a.attnum",
        &crate::params![oid],
    )?;
    Ok(rows
        .iter()
        .map(|r| LiveColumn {
            name: r.get(0),
            data_type: r.get(1),
            not_null: r.get(2),
            default: r.get(3),
        })
        .collect())
}

pub fn indexes(tx: &mut Tx<'_>, oid: u32) -> Result<Vec<LiveIndex>, postgres::Error> {
    indexes_as(tx, oid, Predicates::Deparse)
}

pub fn indexes_as(
    tx: &mut Tx<'_>,
    oid: u32,
    predicates: Predicates,
) -> Result<Vec<LiveIndex>, postgres::Error> {
    let predicate = match predicates {
        Predicates::Deparse => "pg_get_expr(i.indpred, i.indrelid)",
        Predicates::Unread => "CASE WHEN i.indpred IS NULL THEN NULL ELSE '' END",
    };
    let rows = tx.query(
        &format!(
            "SELECT c.relname::text,
                ARRAY(SELECT a.attname::text
                        FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                       ORDER BY k.ord),
                {predicate},
                i.indisprimary,
                i.indisvalid
           FROM pg_index i
           JOIN pg_class c ON c.oid = i.indexrelid
          WHERE i.indrelid = $1
          ORDER BY c.relname"
        ),
        &crate::params![oid],
    )?;
    Ok(rows
        .iter()
        .map(|r| LiveIndex {
            name: r.get(0),
            columns: r.get(1),
            predicate: r.get(2),
            primary: r.get(3),
            valid: r.get(4),
        })
        .collect())
}
