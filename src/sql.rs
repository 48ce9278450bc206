//! Building statements whose values are all bind parameters: the only text spliced into
//! SQL is a validated identifier, never a value.

use postgres::types::ToSql;

/// Bind values collected while a statement is built; `push` hands back the placeholder.
#[derive(Default)]
pub struct Params {
    values: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Params {
    pub fn push(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.values.push(Box::new(value));
        format!("${}", self.values.len())
    }

    pub fn push_boxed(&mut self, value: Box<dyn ToSql + Sync + Send>) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
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
