//! Table and schema names: validated before any SQL is built, because they are the only
//! things outboxctl splices into SQL text (PostgreSQL cannot bind identifiers).

use crate::error::usage;

/// PostgreSQL's identifier limit (NAMEDATALEN - 1). Longer names are silently truncated
/// by the server, which would make the library and outboxctl disagree on index names.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// Keywords PostgreSQL reserves outright or allows only as function or type names: none of
/// them can be an unquoted table or schema name.
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// Checks one identifier against ARCHITECTURE.md §5. `what` names the option in the error.
pub fn validate(what: &str, name: &str) -> anyhow::Result<()> {
    if name.is_empty() {
        return Err(usage(format!("{what} must not be empty")));
    }
    let mut chars = name.chars();
    let first = chars.next().unwrap_or_default();
    let well_formed = (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !well_formed {
        return Err(usage(format!(
            "invalid {what} {}: use letters, digits and underscores only, not starting with a digit",
            quoted(name)
        )));
    }
    if name.len() > MAX_IDENTIFIER_BYTES {
        return Err(usage(format!(
            "invalid {what} {}: {} bytes, PostgreSQL allows at most {MAX_IDENTIFIER_BYTES}",
            quoted(name),
            name.len()
        )));
    }
    if is_reserved(name) {
        return Err(usage(format!(
            "invalid {what} {}: it is an SQL reserved word",
            quoted(name)
        )));
    }
    Ok(())
}

/// Checks `--schema`: a valid name, and not a schema where the tables cannot live — the
/// session's temporary schema (gone when the connection closes) or a system schema.
pub fn validate_schema(schema: &str) -> anyhow::Result<()> {
    validate("--schema", schema)?;
    let lower = folded(schema);
    if lower.starts_with("pg_temp") || lower.starts_with("pg_toast_temp") {
        return Err(usage(format!(
            "invalid --schema \"{schema}\": temporary schemas vanish with the connection; give a permanent schema"
        )));
    }
    if lower == "pg_catalog" || lower == "information_schema" || lower.starts_with("pg_toast") {
        return Err(usage(format!(
            "invalid --schema \"{schema}\": it is a system schema; give an application schema"
        )));
    }
    Ok(())
}

/// Checks a table name and every name PostgreSQL derives from it.
pub fn validate_table(what: &str, table: &str, derived: &[String]) -> anyhow::Result<()> {
    validate(what, table)?;
    if let Some(long) = derived.iter().find(|d| d.len() > MAX_IDENTIFIER_BYTES) {
        return Err(usage(format!(
            "invalid {what} \"{table}\": the derived name \"{long}\" is {} bytes and PostgreSQL would truncate it to {MAX_IDENTIFIER_BYTES}; use a shorter table name",
            long.len()
        )));
    }
    Ok(())
}

pub fn is_reserved(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    RESERVED.binary_search(&lower.as_str()).is_ok()
}

/// How PostgreSQL folds an unquoted identifier; catalog lookups must use this spelling.
pub fn folded(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// Quotes a rejected name for an error message, escaping anything unprintable so the
/// message stays one line.
fn quoted(name: &str) -> String {
    format!("{name:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_list_is_sorted_for_binary_search() {
        let mut sorted = RESERVED.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, RESERVED);
    }

    #[test]
    fn accepts_plain_names() {
        for name in ["outbox_messages", "_x", "Billing2", &"a".repeat(63)] {
            validate("--table", name).unwrap();
        }
    }

    #[test]
    fn rejects_bad_names() {
        for name in [
            "",
            "1abc",
            "a b",
            "a;drop table x",
            "a\"b",
            "é",
            "a-b",
            "select",
            "TABLE",
            &"a".repeat(64),
        ] {
            assert!(validate("--table", name).is_err(), "{name:?} accepted");
        }
    }

    #[test]
    fn refuses_system_and_temporary_schemas() {
        for schema in [
            "pg_temp",
            "PG_TEMP_3",
            "pg_catalog",
            "information_schema",
            "pg_toast",
        ] {
            assert_eq!(
                crate::error::exit_code(&validate_schema(schema).unwrap_err()),
                2,
                "{schema}"
            );
        }
        validate_schema("ops").unwrap();
    }

    #[test]
    fn rejects_overflowing_derived_names() {
        let table = "a".repeat(60);
        let derived = vec![format!("idx_{table}_pending")];
        assert!(validate_table("--table", &table, &derived).is_err());
    }
}
