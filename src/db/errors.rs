//! Server errors in words an operator can act on: the SQLSTATE and the server's own
//! words, the cause when outboxctl cut the connection itself, and for a statement on one
//! of the tables, the fix first where there is a known one.

use crate::db::session::Rel;

/// One line for stderr: the whole chain, newlines folded, so a script reading the first
/// line of stderr sees everything.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = match cause.downcast_ref::<tokio_postgres::Error>() {
            Some(pg) => describe_pg_error(pg),
            None => cause.to_string(),
        };
        // anyhow's context chain often repeats the inner message; keep each part once.
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ").replace(['\n', '\r'], " ")
}

/// A PostgreSQL error as `ERROR 42P01: relation "x" does not exist (detail; hint)`, keeping
/// the SQLSTATE and the server's own words.
pub fn describe_pg_error(err: &tokio_postgres::Error) -> String {
    if let Some(db) = err.as_db_error() {
        let mut text = format!("{} {}: {}", db.severity(), db.code().code(), db.message());
        if let Some(detail) = db.detail() {
            text.push_str(&format!(" (detail: {detail})"));
        }
        if let Some(hint) = db.hint() {
            text.push_str(&format!(" (hint: {hint})"));
        }
        return text;
    }
    // outboxctl cut the connection itself: say why, not how the socket ended.
    if let Some(cut) = crate::db::socket::cut_of(err) {
        return cut.to_string();
    }
    if err.is_closed() {
        return "the server closed the connection unexpectedly".to_string();
    }
    let mut text = err.to_string();
    if text == "error communicating with the server" {
        // A backend that was terminated, a server restart, a network cut.
        text = "lost the connection to the server".to_string();
    }
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        let inner_text = inner.to_string();
        if !text.contains(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        source = inner.source();
    }
    text
}

/// Turns a failed statement on one of our tables into the message an operator needs: the
/// fix first where there is a known one, the server's words after it.
pub fn explain_table_error(err: tokio_postgres::Error, rel: &Rel) -> anyhow::Error {
    use tokio_postgres::error::SqlState;
    let table = &rel.name;
    let detail = describe_pg_error(&err);
    let code = err.code().cloned();
    // Raised inside a trigger or function (the server says where): that code's error,
    // not a verdict on the table.
    let interrupted = code.as_ref().is_some_and(|c| {
        *c == SqlState::LOCK_NOT_AVAILABLE
            || *c == SqlState::QUERY_CANCELED
            || c.code().starts_with("57")
    });
    if let Some(context) = err
        .as_db_error()
        .and_then(|db| db.where_())
        .filter(|context| context.contains("function") && !interrupted)
    {
        return anyhow::Error::msg(format!(
            "a trigger or function on table \"{table}\" failed: {detail} (context: {}) — it ran under the role's own search_path, as it does for the library's relay: the same statement fails there too",
            context.replace('\n', "; ")
        ));
    }
    let message = match code {
        Some(c) if c == SqlState::UNDEFINED_TABLE => missing_table(rel),
        Some(c)
            if c == SqlState::UNDEFINED_COLUMN
                || c == SqlState::DATATYPE_MISMATCH
                || c == SqlState::UNDEFINED_FUNCTION =>
        {
            format!(
                "table \"{table}\" does not match the expected schema — run \"outboxctl check\" to see the differences [{detail}]"
            )
        }
        Some(c) if c == SqlState::LOCK_NOT_AVAILABLE => format!(
            "could not lock table \"{table}\" within --lock-timeout: {} [{detail}]",
            rel.blockers
                .last()
                .unwrap_or_else(|| "another session holds a conflicting lock".to_string())
        ),
        Some(c) if c == SqlState::QUERY_CANCELED => format!(
            "statement on table \"{table}\" was cancelled (by --statement-timeout, the server's own statement_timeout, or a cancel request) [{detail}]"
        ),
        Some(c) if c == SqlState::INSUFFICIENT_PRIVILEGE => {
            format!("permission denied on table \"{table}\" [{detail}]")
        }
        Some(c) if c == SqlState::READ_ONLY_SQL_TRANSACTION => read_only(&rel.target, &detail),
        _ => detail,
    };
    anyhow::Error::msg(message)
}

/// The target refused a write because it is read-only: say so, and how to reach the
/// primary.
pub fn read_only(target: &str, detail: &str) -> String {
    format!(
        "the server at {target} is read-only (a standby, or default_transaction_read_only is on): connect to the primary — with several hosts, add target_session_attrs=read-write [{detail}]"
    )
}

/// `table "x" does not exist in schema "public" of app@db:5432/orders — run …`
pub fn missing_table(rel: &Rel) -> String {
    if rel.searched.is_empty() {
        return format!(
            "table \"{}\" cannot be found on {}: no schema on the connection's search_path exists — pass --schema, or fix search_path",
            rel.name, rel.target
        );
    }
    format!(
        "table \"{}\" does not exist in {} of {} — run \"outboxctl migrate\" (or check --schema / --table)",
        rel.name,
        rel.searched_text(),
        rel.target
    )
}
