//! The two tables' contract (ARCHITECTURE.md §1): the DDL the Go library emits and the column
//! facts `check` compares live tables with. Every name here has been validated by `ident`.

use crate::db::ident;

pub const DEFAULT_OUTBOX_TABLE: &str = "outbox_messages";
pub const DEFAULT_PROCESSED_TABLE: &str = "processed_messages";

/// The statuses the library moves a row through.
pub const STATUSES: [&str; 4] = ["pending", "processing", "processed", "failed"];

/// Which of the two tables a command works on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TableKind {
    Outbox,
    Processed,
}

/// The validated table names of one invocation.
#[derive(Clone, Debug)]
pub struct Tables {
    pub outbox: String,
    pub processed: String,
}

impl Tables {
    /// Validates both names and the index names derived from them.
    pub fn new(outbox: &str, processed: &str) -> anyhow::Result<Self> {
        ident::validate_table("--table", outbox, &derived_names(TableKind::Outbox, outbox))?;
        ident::validate_table(
            "--processed-table",
            processed,
            &derived_names(TableKind::Processed, processed),
        )?;
        if ident::folded(outbox) == ident::folded(processed) {
            return Err(crate::error::usage(format!(
                "--table and --processed-table both name \"{outbox}\": the outbox and the dedup table must be different tables"
            )));
        }
        Ok(Self {
            outbox: outbox.to_string(),
            processed: processed.to_string(),
        })
    }

    pub fn name(&self, kind: TableKind) -> &str {
        match kind {
            TableKind::Outbox => &self.outbox,
            TableKind::Processed => &self.processed,
        }
    }
}

/// Every name PostgreSQL derives from a table of this kind.
fn derived_names(kind: TableKind, table: &str) -> Vec<String> {
    let mut names = vec![primary_key_name(table)];
    names.extend(contract(kind, table).indexes.into_iter().map(|i| i.name));
    names
}

pub fn primary_key_name(table: &str) -> String {
    format!("{table}_pkey")
}

pub fn outbox_ddl(table: &str) -> String {
    outbox_ddl_at(table, table)
}

/// The outbox DDL creating `table` as `target` (its schema-qualified name when run).
fn outbox_ddl_at(table: &str, target: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {target} (
    id           UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    topic        TEXT        NOT NULL,
    key          TEXT        NOT NULL DEFAULT '',
    payload      BYTEA,
    headers      JSONB       DEFAULT '{{}}',
    status       TEXT        NOT NULL DEFAULT 'pending',
    retries      INTEGER     NOT NULL DEFAULT 0,
    last_error   TEXT        NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    processed_at TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS idx_{table}_pending ON {target} (created_at) WHERE status = 'pending';
"
    )
}

pub fn processed_ddl(table: &str) -> String {
    processed_ddl_at(table, table)
}

fn processed_ddl_at(table: &str, target: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {target} (
    group_name   TEXT        NOT NULL,
    msg_id       TEXT        NOT NULL,
    metadata     JSONB,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (group_name, msg_id)
);
CREATE INDEX IF NOT EXISTS idx_{table}_processed_at ON {target} (processed_at);
"
    )
}

/// The DDL as `migrate` runs it: the library's statements with the table qualified by the
/// schema it was found for (`qualified`), the index names unchanged, and every type,
/// function and operator spelled in pg_catalog, so that it creates the same table under
/// any search path (the catalog stores what the names resolved to, so the table is the
/// library's to the byte).
pub fn ddl_at(kind: TableKind, table: &str, qualified: &str) -> String {
    let library = match kind {
        TableKind::Outbox => outbox_ddl_at(table, qualified),
        TableKind::Processed => processed_ddl_at(table, qualified),
    };
    pin_to_catalog(&library)
}

/// The library's DDL with its names pinned to pg_catalog.
pub fn pin_to_catalog(library: &str) -> String {
    const PINNED: &[(&str, &str)] = &[
        (" UUID ", " pg_catalog.uuid "),
        (" TEXT ", " pg_catalog.text "),
        (" BYTEA,", " pg_catalog.bytea,"),
        (" JSONB ", " pg_catalog.jsonb "),
        (" JSONB,", " pg_catalog.jsonb,"),
        (" TIMESTAMPTZ ", " pg_catalog.timestamptz "),
        (" TIMESTAMPTZ\n", " pg_catalog.timestamptz\n"),
        (" TIMESTAMPTZ,", " pg_catalog.timestamptz,"),
        ("gen_random_uuid()", "pg_catalog.gen_random_uuid()"),
        ("now()", "pg_catalog.now()"),
        (
            "WHERE status = 'pending'",
            "WHERE status OPERATOR(pg_catalog.=) 'pending'::pg_catalog.text",
        ),
    ];
    PINNED
        .iter()
        .fold(library.to_string(), |sql, (from, to)| sql.replace(from, to))
}

pub fn ddl(kind: TableKind, table: &str) -> String {
    match kind {
        TableKind::Outbox => outbox_ddl(table),
        TableKind::Processed => processed_ddl(table),
    }
}

/// One column as PostgreSQL's catalogs describe it (`format_type`, `attnotnull`,
/// `pg_get_expr` of the default).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub data_type: &'static str,
    pub not_null: bool,
    pub default: Option<&'static str>,
}

/// One index: its columns and, for a partial index, its predicate as `pg_get_expr` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexSpec {
    pub name: String,
    pub columns: Vec<&'static str>,
    /// The predicate of a partial index on `status`, as `pg_get_expr` prints it.
    pub predicate: Option<&'static str>,
    /// The status that predicate selects, to build it from.
    pub status: Option<&'static str>,
}

/// The index that counts rows stuck in `processing` in milliseconds at any table size:
/// not the library's (it never reads it), offered by `migrate --repair
/// --processing-index` and used by `doctor` when present. `None` when its name would not
/// fit in 63 bytes.
pub fn processing_index(table: &str) -> Option<IndexSpec> {
    let name = format!("idx_{table}_processing");
    (name.len() <= 63).then(|| IndexSpec {
        name,
        columns: vec!["created_at"],
        predicate: Some(PROCESSING_PREDICATE),
        status: Some("processing"),
    })
}

/// The processing index's predicate, as `pg_get_expr` prints it.
pub const PROCESSING_PREDICATE: &str = "(status = 'processing'::text)";

#[derive(Clone, Debug)]
pub struct TableSpec {
    pub columns: Vec<ColumnSpec>,
    pub primary_key: Vec<&'static str>,
    pub indexes: Vec<IndexSpec>,
}

const fn column(
    name: &'static str,
    data_type: &'static str,
    not_null: bool,
    default: Option<&'static str>,
) -> ColumnSpec {
    ColumnSpec {
        name,
        data_type,
        not_null,
        default,
    }
}

/// What `check` expects a live table of this kind to look like.
pub fn contract(kind: TableKind, table: &str) -> TableSpec {
    let table = ident::folded(table);
    match kind {
        TableKind::Outbox => TableSpec {
            columns: vec![
                column("id", "uuid", true, Some("gen_random_uuid()")),
                column("topic", "text", true, None),
                column("key", "text", true, Some("''::text")),
                column("payload", "bytea", false, None),
                column("headers", "jsonb", false, Some("'{}'::jsonb")),
                column("status", "text", true, Some("'pending'::text")),
                column("retries", "integer", true, Some("0")),
                column("last_error", "text", true, Some("''::text")),
                column(
                    "created_at",
                    "timestamp with time zone",
                    true,
                    Some("now()"),
                ),
                column("processed_at", "timestamp with time zone", false, None),
            ],
            primary_key: vec!["id"],
            indexes: vec![IndexSpec {
                name: format!("idx_{table}_pending"),
                columns: vec!["created_at"],
                predicate: Some("(status = 'pending'::text)"),
                status: Some("pending"),
            }],
        },
        TableKind::Processed => TableSpec {
            columns: vec![
                column("group_name", "text", true, None),
                column("msg_id", "text", true, None),
                column("metadata", "jsonb", false, None),
                column(
                    "processed_at",
                    "timestamp with time zone",
                    true,
                    Some("now()"),
                ),
            ],
            primary_key: vec!["group_name", "msg_id"],
            indexes: vec![IndexSpec {
                name: format!("idx_{table}_processed_at"),
                columns: vec!["processed_at"],
                predicate: None,
                status: None,
            }],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_names_follow_the_library() {
        let spec = contract(TableKind::Outbox, "billing_outbox");
        assert_eq!(spec.indexes[0].name, "idx_billing_outbox_pending");
        assert!(
            outbox_ddl("billing_outbox").contains("idx_billing_outbox_pending ON billing_outbox")
        );
    }

    #[test]
    fn longest_table_names_that_fit() {
        assert!(Tables::new(&"a".repeat(51), "p").is_ok());
        assert!(Tables::new(&"a".repeat(52), "p").is_err());
        assert!(Tables::new("o", &"a".repeat(46)).is_ok());
        assert!(Tables::new("o", &"a".repeat(47)).is_err());
    }

    #[test]
    fn the_ddl_migrate_runs_is_the_library_s_pinned_to_pg_catalog() {
        for kind in [TableKind::Outbox, TableKind::Processed] {
            let run = ddl_at(kind, "t", "\"s\".t");
            assert!(
                crate::db::sql_guard::violations(&run).is_empty(),
                "{:?}",
                crate::db::sql_guard::violations(&run)
            );
            for name in ["uuid", "text", "bytea", "jsonb", "timestamptz"] {
                let bare = format!(" {} ", name.to_uppercase());
                assert!(!run.contains(&bare), "{bare} left unpinned in {run}");
            }
            // Unpinned again, it is the library's text, word for word.
            let unpinned = run
                .replace(
                    "OPERATOR(pg_catalog.=) 'pending'::pg_catalog.text",
                    "= 'pending'",
                )
                .replace("pg_catalog.gen_random_uuid", "gen_random_uuid")
                .replace("pg_catalog.now", "now");
            let unpinned = ["uuid", "text", "bytea", "jsonb", "timestamptz"]
                .iter()
                .fold(unpinned, |sql, t| {
                    sql.replace(&format!("pg_catalog.{t}"), &t.to_uppercase())
                });
            let library = match kind {
                TableKind::Outbox => outbox_ddl_at("t", "\"s\".t"),
                TableKind::Processed => processed_ddl_at("t", "\"s\".t"),
            };
            assert_eq!(unpinned, library);
        }
    }
}
