//! Building statements whose values are all bind parameters: the only text spliced into
//! SQL is a validated identifier, never a value.

use postgres::types::ToSql;

/// Bind values collected while a statement is built; `push` hands back the placeholder.
#[derive(Default)]
pub struct Params {
    values: Vec<Box<dyn ToSql + Sync + Send>>,
    /// Placeholders already taken by values bound elsewhere (see `starting_at`).
    offset: usize,
}

impl Params {
    /// Parameters whose placeholders start after `taken` others (bound by the caller).
    pub fn starting_at(taken: usize) -> Self {
        Self {
            values: Vec::new(),
            offset: taken,
        }
    }

    pub fn push(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.values.push(Box::new(value));
        format!("${}", self.offset + self.values.len())
    }

    pub fn as_refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.values
            .iter()
            .map(|v| v.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

/// ` WHERE a AND b`, or nothing when there are no conditions.
pub fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    }
}

/// ` LIMIT $n` for `--limit N`, or nothing for 0 (no limit).
pub fn limit_clause(params: &mut Params, limit: u64) -> String {
    if limit == 0 {
        String::new()
    } else {
        format!(" LIMIT {}", params.push(limit.min(i64::MAX as u64) as i64))
    }
}

/// Escapes `%`, `_` and `\` so user text matches literally inside an ILIKE pattern.
pub fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Rows fetched per round trip when streaming.
pub const FETCH_SIZE: i32 = 1000;

/// Results up to this many rows are fetched in one go rather than streamed.
pub const SMALL_RESULT: u64 = 10_000;

/// Runs `sql` and hands each row to `each`. A result limited to at most
/// [`SMALL_RESULT`] rows (`limit`, 0 for none) is fetched at once, which lets the server
/// plan it with parallel workers; anything larger goes through a portal, [`FETCH_SIZE`]
/// rows at a time, so memory stays flat whatever the result size (the server plans a
/// portal fetched in parts without parallel workers). `fail` explains a server error.
pub fn for_each_row(
    tx: &mut postgres::Transaction<'_>,
    sql: &str,
    params: &Params,
    limit: u64,
    fail: &dyn Fn(postgres::Error) -> anyhow::Error,
    mut each: impl FnMut(&postgres::Row) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if (1..=SMALL_RESULT).contains(&limit) {
        for row in &tx.query(sql, &params.as_refs()).map_err(fail)? {
            each(row)?;
        }
        return Ok(());
    }
    let portal = tx.bind(sql, &params.as_refs()).map_err(fail)?;
    loop {
        let rows = tx.query_portal(&portal, FETCH_SIZE).map_err(fail)?;
        if rows.is_empty() {
            return Ok(());
        }
        for row in &rows {
            each(row)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_count_up() {
        let mut params = Params::default();
        assert_eq!(params.push(1i32), "$1");
        assert_eq!(params.push("x".to_string()), "$2");
        assert_eq!(params.as_refs().len(), 2);
    }

    #[test]
    fn like_escapes() {
        assert_eq!(like_literal("50%_off\\"), "50\\%\\_off\\\\");
    }
}
