//! Reads of PostgreSQL's catalogs: does a table exist, what do its columns and indexes
//! look like, can this server run the DDL.

use crate::db::session::{Rel, Tx};
use crate::db::sql::Params;

/// `tree(oid)`: the relation `$1` and every relation below it (partitions and their
/// partitions, inheritance children), each once. Put in front of a query that reads
/// `tree`.
pub const RELATION_TREE: &str = "WITH RECURSIVE tree(oid) AS (
     SELECT $1::pg_catalog.oid
     UNION
     SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent OPERATOR(pg_catalog.=) t.oid)";

/// The oldest server with a built-in `gen_random_uuid()` and `pg_current_snapshot()`,
/// which the DDL and the batch engine need.
pub const MIN_SERVER_VERSION: i32 = 130_000;

/// Fails with a clear message when the server cannot hold the tables where they would go:
/// too old, or no schema to create them in.
pub fn ensure_creatable(tx: &mut Tx<'_>, rel: &Rel, schema: Option<&str>) -> anyhow::Result<()> {
    let row = tx
        .query_one(
            "SELECT pg_catalog.current_setting('server_version_num')::int, pg_catalog.current_setting('server_version')",
            &Params::default(),
        )
        .map_err(|e| {
            anyhow::anyhow!(
                "reading the server version failed: {}",
                crate::db::errors::describe_pg_error(&e)
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
pub fn exists_now(tx: &mut Tx<'_>, rel: &Rel) -> Result<bool, tokio_postgres::Error> {
    let Some(schema) = &rel.schema else {
        return Ok(false);
    };
    let row = tx.query_opt(
        "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
          WHERE c.relname OPERATOR(pg_catalog.=) $1 AND n.nspname OPERATOR(pg_catalog.=) $2",
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

pub fn columns(tx: &mut Tx<'_>, oid: u32) -> Result<Vec<LiveColumn>, tokio_postgres::Error> {
    let rows = tx.query(
        "SELECT a.attname::pg_catalog.text, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                -- A default has no column references, so it prints without opening
                -- (and locking) the table; a generated column's expression has them.
                CASE WHEN a.attgenerated OPERATOR(pg_catalog.=) '' THEN pg_catalog.pg_get_expr(d.adbin, 0)
                     ELSE pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
                t.typnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace,
                n.nspname::pg_catalog.text
           FROM pg_catalog.pg_attribute a
           JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid
           JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace
           LEFT JOIN pg_catalog.pg_attrdef d
                  ON d.adrelid OPERATOR(pg_catalog.=) a.attrelid AND d.adnum OPERATOR(pg_catalog.=) a.attnum
          WHERE a.attrelid OPERATOR(pg_catalog.=) $1 AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
          ORDER BY a.attnum",
        &crate::params![oid],
    )?;
    Ok(rows
        .iter()
        .map(|r| {
            let data_type: String = r.get(1);
            LiveColumn {
                name: r.get(0),
                // The server names a type with its schema only where the search path
                // would not find it: said the same way whatever the role's path is, so a
                // built-in type reads bare and any other type always names its schema.
                data_type: match (r.get::<_, bool>(4), data_type.strip_prefix("pg_catalog.")) {
                    (true, Some(bare)) => bare.to_string(),
                    (true, None) => data_type,
                    (false, _) if data_type.contains('.') => data_type,
                    (false, _) => format!("{}.{data_type}", r.get::<_, String>(5)),
                },
                not_null: r.get(2),
                default: r
                    .get::<_, Option<String>>(3)
                    .map(|d| catalog_names_bare(&d)),
            }
        })
        .collect())
}

pub fn indexes(tx: &mut Tx<'_>, oid: u32) -> Result<Vec<LiveIndex>, tokio_postgres::Error> {
    indexes_as(tx, oid, Predicates::Deparse)
}

pub fn indexes_as(
    tx: &mut Tx<'_>,
    oid: u32,
    predicates: Predicates,
) -> Result<Vec<LiveIndex>, tokio_postgres::Error> {
    let predicate = match predicates {
        Predicates::Deparse => "pg_catalog.pg_get_expr(i.indpred, i.indrelid)",
        Predicates::Unread => "CASE WHEN i.indpred IS NULL THEN NULL ELSE '' END",
    };
    let rows = tx.query(
        &format!(
            "SELECT c.relname::pg_catalog.text,
                ARRAY(SELECT a.attname::pg_catalog.text
                        FROM pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, ord)
                        JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid AND a.attnum OPERATOR(pg_catalog.=) k.attnum
                       ORDER BY k.ord),
                {predicate},
                i.indisprimary,
                i.indisvalid
           FROM pg_catalog.pg_index i
           JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid
          WHERE i.indrelid OPERATOR(pg_catalog.=) $1
          ORDER BY c.relname"
        ),
        &crate::params![oid],
    )?;
    Ok(rows
        .iter()
        .map(|r| LiveIndex {
            name: r.get(0),
            columns: r.get(1),
            predicate: r
                .get::<_, Option<String>>(2)
                .map(|p| catalog_names_bare(&p)),
            primary: r.get(3),
            valid: r.get(4),
        })
        .collect())
}

/// A deparsed expression with pg_catalog's names written bare (`now()`, `=`,
/// `'x'::text`), as PostgreSQL prints them when nothing on the search path shadows them:
/// the same expression reads the same whatever the role's path holds. Quoted literals are
/// left as they are.
pub fn catalog_names_bare(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut rest = expr;
    while let Some(c) = rest.chars().next() {
        if c == '\'' {
            // A literal runs to the next lone quote ('' inside it is a quote).
            let bytes = rest.as_bytes();
            let mut end = 1;
            while end < bytes.len() {
                match (bytes[end], bytes.get(end + 1)) {
                    (b'\'', Some(b'\'')) => end += 2,
                    (b'\'', _) => {
                        end += 1;
                        break;
                    }
                    _ => end += 1,
                }
            }
            out.push_str(&rest[..end.min(rest.len())]);
            rest = &rest[end.min(rest.len())..];
        } else if let Some(after) = rest.strip_prefix("OPERATOR(pg_catalog.")
            && let Some(close) = after.find(')')
        {
            out.push_str(&after[..close]);
            rest = &after[close + 1..];
        } else if let Some(after) = rest.strip_prefix("pg_catalog.") {
            rest = after;
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::catalog_names_bare;

    #[test]
    fn catalog_names_read_bare_outside_literals() {
        assert_eq!(
            catalog_names_bare("(status OPERATOR(pg_catalog.=) 'pending'::pg_catalog.text)"),
            "(status = 'pending'::text)"
        );
        assert_eq!(catalog_names_bare("pg_catalog.now()"), "now()");
        assert_eq!(
            catalog_names_bare("'it''s pg_catalog.x'::pg_catalog.text"),
            "'it''s pg_catalog.x'::text"
        );
        assert_eq!(catalog_names_bare("public.now()"), "public.now()");
    }
}
