//! Building statements whose values are all bind parameters: the only text spliced into
//! SQL is a validated identifier, never a value. Every value carries its PostgreSQL type,
//! so statements go out unnamed in one round trip (`query_typed`): nothing is prepared on
//! the server, which PgBouncer's transaction pooling could hand to another client.

use tokio_postgres::types::{ToSql, Type};

/// A Rust value with the PostgreSQL type it is bound as.
pub trait Bind: ToSql + Sync + Send + 'static {
    fn pg_type() -> Type;
}

macro_rules! bind_as {
    ($($rust:ty => $pg:expr),* $(,)?) => {
        $(impl Bind for $rust {
            fn pg_type() -> Type {
                $pg
            }
        })*
    };
}

bind_as! {
    bool => Type::BOOL,
    i32 => Type::INT4,
    i64 => Type::INT8,
    f64 => Type::FLOAT8,
    u32 => Type::OID,
    String => Type::TEXT,
    Vec<String> => Type::TEXT_ARRAY,
    Vec<i64> => Type::INT8_ARRAY,
    uuid::Uuid => Type::UUID,
    Vec<uuid::Uuid> => Type::UUID_ARRAY,
    chrono::DateTime<chrono::Utc> => Type::TIMESTAMPTZ,
    chrono::NaiveDateTime => Type::TIMESTAMP,
    serde_json::Value => Type::JSONB,
}

impl<T: Bind> Bind for Option<T> {
    fn pg_type() -> Type {
        T::pg_type()
    }
}

/// Bind values collected while a statement is built; `push` hands back the placeholder.
#[derive(Default)]
pub struct Params {
    values: Vec<(Box<dyn ToSql + Sync + Send>, Type)>,
}

impl Params {
    pub fn push<T: Bind>(&mut self, value: T) -> String {
        self.values.push((Box::new(value), T::pg_type()));
        format!("${}", self.values.len())
    }

    /// Replaces the value behind an earlier placeholder (its type stays).
    pub fn set<T: Bind>(&mut self, placeholder: &str, value: T) {
        let index: usize = placeholder[1..].parse().expect("a placeholder from push");
        let slot = &mut self.values[index - 1];
        assert_eq!(slot.1, T::pg_type(), "a parameter keeps its type");
        slot.0 = Box::new(value);
    }

    pub fn typed(&self) -> Vec<(&(dyn ToSql + Sync), Type)> {
        self.values
            .iter()
            .map(|(v, t)| (v.as_ref() as &(dyn ToSql + Sync), t.clone()))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Parameters for a statement built in place: `params![a, b]`.
#[macro_export]
macro_rules! params {
    ($($value:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut params = $crate::db::sql::Params::default();
        $(params.push($value);)*
        params
    }};
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

/// An identifier from the catalogs (a schema name found on the search path may hold any
/// character), quoted for SQL.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A string as an SQL literal, for the few statements that cannot take a bind parameter
/// (a simple-protocol batch): an `E''` string reads the same whatever
/// `standard_conforming_strings` says.
pub fn quote_literal(text: &str) -> String {
    format!("E'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_count_up() {
        let mut params = Params::default();
        assert_eq!(params.push(1i32), "$1");
        assert_eq!(params.push("x".to_string()), "$2");
        params.set("$2", "y".to_string());
        assert_eq!(params.typed().len(), 2);
        assert_eq!(params.typed()[1].1, Type::TEXT);
    }

    #[test]
    fn like_escapes() {
        assert_eq!(like_literal("50%_off\\"), "50\\%\\_off\\\\");
    }

    #[test]
    fn quoting() {
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_literal("it's a \\"), "E'it''s a \\\\'");
    }
}
