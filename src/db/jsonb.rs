//! jsonb values read the way PostgreSQL stores them, however deep. serde_json stops at
//! 128 levels by default, but a producer may write any depth jsonb accepts: one such
//! header must not make `list`, `show` or `dedup check` fail.

use serde::Deserialize;
use serde_json::Value;
use tokio_postgres::types::{FromSql, Type};

/// A jsonb (or json) value of any depth.
#[derive(Clone, Debug, PartialEq)]
pub struct Jsonb(pub Value);

impl<'a> FromSql<'a> for Jsonb {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        let text = if *ty == Type::JSONB {
            // The binary jsonb format is a version byte, then the text.
            match raw.split_first() {
                Some((1, rest)) => rest,
                _ => return Err("unsupported jsonb encoding version".into()),
            }
        } else {
            raw
        };
        let mut deserializer = serde_json::Deserializer::from_slice(text);
        deserializer.disable_recursion_limit();
        let value = Value::deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(Jsonb(value))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::JSONB | Type::JSON)
    }
}

impl Jsonb {
    pub fn into_value(self) -> Value {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_any_depth() {
        // Parsing, printing and dropping recurse per level: the binary runs its work on a
        // thread with a large stack (see `main.rs`); so does this test.
        std::thread::Builder::new()
            .stack_size(crate::WORK_STACK_BYTES)
            .spawn(|| {
                let deep = format!("{}1{}", "{\"a\":".repeat(20_000), "}".repeat(20_000));
                let mut raw = vec![1u8];
                raw.extend(deep.as_bytes());
                let value = Jsonb::from_sql(&Type::JSONB, &raw).unwrap();
                let text = serde_json::to_string(&value.0).unwrap();
                assert_eq!(text, deep);
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
