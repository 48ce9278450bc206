//! `list`'s machine formats at the speed of the wire: each outbox row (as read with
//! `outbox::MESSAGE_COLUMNS`) is written straight from the server's binary values, with
//! no JSON tree in between. The output is byte for byte what building a
//! `Message::to_json` map and writing it with `RowWriter` gives — the tests hold the two
//! side by side — at a fraction of the work per row, so an export keeps pace with the
//! server.

use std::io::{self, Write};

use base64::Engine;
use tokio_postgres::Row;
use tokio_postgres::types::{FromSql, Type};

use crate::db::pgtime::PgTime;
use crate::render::output::{Format, Sink, csv_io_error};

/// The message fields, in `MESSAGE_FIELDS` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Id,
    Topic,
    Key,
    Payload,
    PayloadEncoding,
    Headers,
    Status,
    Retries,
    LastError,
    CreatedAt,
    ProcessedAt,
}

impl Field {
    fn named(name: &str) -> Option<Self> {
        Some(match name {
            "id" => Self::Id,
            "topic" => Self::Topic,
            "key" => Self::Key,
            "payload" => Self::Payload,
            "payload_encoding" => Self::PayloadEncoding,
            "headers" => Self::Headers,
            "status" => Self::Status,
            "retries" => Self::Retries,
            "last_error" => Self::LastError,
            "created_at" => Self::CreatedAt,
            "processed_at" => Self::ProcessedAt,
            _ => return None,
        })
    }
}

/// A jsonb value as the server sends it: a version byte, then its text.
struct RawJsonb<'a>(&'a [u8]);

impl<'a> FromSql<'a> for RawJsonb<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        match raw.split_first() {
            Some((1, text)) => Ok(RawJsonb(text)),
            _ => Err("unsupported jsonb encoding version".into()),
        }
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB
    }
}

/// Streams message rows in json, ndjson or csv.
pub struct MessageWriter<W: Write> {
    sink: Sink<W>,
    fields: Vec<Field>,
    /// Each field's key, quoted and followed by a colon: `"topic":`.
    keys: Vec<Vec<u8>>,
    rows: u64,
    /// Reused for every row's formatting.
    line: Vec<u8>,
    cells: Vec<Vec<u8>>,
}

impl<W: Write> MessageWriter<W> {
    /// `columns`: message field names (of `MESSAGE_FIELDS`, in the order wanted).
    pub fn new(format: Format, out: W, columns: &[&str]) -> io::Result<Self> {
        let fields = columns
            .iter()
            .map(|c| Field::named(c).ok_or_else(|| io::Error::other(format!("no field {c}"))))
            .collect::<io::Result<Vec<_>>>()?;
        let sink = Sink::open(format, out, columns)?;
        let keys = columns
            .iter()
            .map(|c| {
                let mut key = serde_json::to_vec(c).expect("a string serializes");
                key.push(b':');
                key
            })
            .collect();
        Ok(Self {
            sink,
            cells: vec![Vec::new(); fields.len()],
            fields,
            keys,
            rows: 0,
            line: Vec::with_capacity(4096),
        })
    }

    /// Writes one row read with `MESSAGE_COLUMNS`.
    pub fn write(&mut self, row: &Row) -> Result<(), WriteError> {
        let (out, array) = match &mut self.sink {
            Sink::Json(out) => (out, true),
            Sink::Ndjson(out) => (out, false),
            Sink::Csv(writer) => {
                let payload = payload_of(row, &self.fields)?;
                for (cell, field) in self.cells.iter_mut().zip(&self.fields) {
                    cell.clear();
                    value_of(row, *field, payload)?.write_csv(cell);
                }
                writer.write_record(&self.cells).map_err(csv_io_error)?;
                self.rows += 1;
                return Ok(());
            }
        };
        let payload = payload_of(row, &self.fields)?;
        let line = &mut self.line;
        line.clear();
        if array {
            line.extend_from_slice(if self.rows == 0 { b"[\n  " } else { b",\n  " });
        }
        line.push(b'{');
        for (i, (field, key)) in self.fields.iter().zip(&self.keys).enumerate() {
            if i > 0 {
                line.push(b',');
            }
            line.extend_from_slice(key);
            value_of(row, *field, payload)?.write_json(line);
        }
        line.push(b'}');
        if !array {
            line.push(b'\n');
        }
        out.write_all(line)?;
        self.rows += 1;
        Ok(())
    }

    /// Closes the document (a json array needs its bracket) and flushes; the row count.
    pub fn finish(mut self) -> io::Result<u64> {
        self.sink.finish(self.rows)?;
        Ok(self.rows)
    }
}

/// Why a row could not be written: a value that did not decode, or the output.
#[derive(Debug)]
pub enum WriteError {
    Value(tokio_postgres::Error),
    Output(io::Error),
}

impl From<tokio_postgres::Error> for WriteError {
    fn from(err: tokio_postgres::Error) -> Self {
        Self::Value(err)
    }
}

impl From<io::Error> for WriteError {
    fn from(err: io::Error) -> Self {
        Self::Output(err)
    }
}

/// A JSON string, escaped as serde_json escapes it.
fn json_string(out: &mut Vec<u8>, text: &str) {
    serde_json::to_writer(&mut *out, text).expect("writing to a Vec cannot fail");
}

/// The payload, decoded once per row: text when it is UTF-8, else its bytes (written
/// as base64); `None` when NULL or not written.
type Payload<'r> = Option<Result<&'r str, &'r [u8]>>;

fn payload_of<'r>(row: &'r Row, fields: &[Field]) -> Result<Payload<'r>, tokio_postgres::Error> {
    if !fields
        .iter()
        .any(|f| matches!(f, Field::Payload | Field::PayloadEncoding))
    {
        return Ok(None);
    }
    Ok(row
        .try_get::<_, Option<&[u8]>>(3)?
        .map(|bytes| std::str::from_utf8(bytes).map_err(|_| bytes)))
}

/// One field's value, before a format writes it.
enum Value<'r> {
    Null,
    Text(&'r str),
    Owned(String),
    Uuid(uuid::Uuid),
    /// Bytes written as base64.
    Binary(&'r [u8]),
    Number(i32),
    /// jsonb text from the server.
    Json(&'r [u8]),
}

fn value_of<'r>(
    row: &'r Row,
    field: Field,
    payload: Payload<'r>,
) -> Result<Value<'r>, tokio_postgres::Error> {
    Ok(match field {
        Field::Id => row
            .try_get::<_, Option<_>>(0)?
            .map_or(Value::Null, Value::Uuid),
        Field::Topic => text_or_null(row, 1)?,
        Field::Key => text_or_null(row, 2)?,
        Field::Payload => match payload {
            None => Value::Null,
            Some(Ok(text)) => Value::Text(text),
            Some(Err(bytes)) => Value::Binary(bytes),
        },
        Field::PayloadEncoding => match payload {
            None => Value::Null,
            Some(Ok(_)) => Value::Text("utf8"),
            Some(Err(_)) => Value::Text("base64"),
        },
        Field::Headers => match row.try_get::<_, Option<RawJsonb<'_>>>(4)? {
            None => Value::Null,
            Some(RawJsonb(text)) => Value::Json(text),
        },
        Field::Status => text_or_null(row, 5)?,
        Field::Retries => row
            .try_get::<_, Option<_>>(6)?
            .map_or(Value::Null, Value::Number),
        Field::LastError => text_or_null(row, 7)?,
        Field::CreatedAt => row
            .try_get::<_, Option<PgTime>>(8)?
            .map_or(Value::Null, |at| Value::Owned(at.rfc3339())),
        Field::ProcessedAt => match row.try_get::<_, Option<PgTime>>(9)? {
            None => Value::Null,
            Some(at) => Value::Owned(at.rfc3339()),
        },
    })
}

/// A text column that may have drifted to nullable: its NULL is written as null.
fn text_or_null(row: &Row, index: usize) -> Result<Value<'_>, tokio_postgres::Error> {
    Ok(row
        .try_get::<_, Option<&str>>(index)?
        .map_or(Value::Null, Value::Text))
}

impl Value<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Text(text) => json_string(out, text),
            Value::Owned(text) => json_string(out, text),
            Value::Uuid(_) | Value::Binary(_) => {
                out.push(b'"');
                self.write_csv(out);
                out.push(b'"');
            }
            Value::Number(_) | Value::Json(_) => self.write_csv(out),
        }
    }

    /// What `csv_field` makes of the JSON value: strings as they are, null as empty,
    /// the rest as compact JSON.
    fn write_csv(&self, out: &mut Vec<u8>) {
        match self {
            Value::Null => {}
            Value::Text(text) => out.extend_from_slice(text.as_bytes()),
            Value::Owned(text) => out.extend_from_slice(text.as_bytes()),
            Value::Uuid(id) => out.extend_from_slice(
                id.hyphenated()
                    .encode_lower(&mut uuid::Uuid::encode_buffer())
                    .as_bytes(),
            ),
            Value::Binary(bytes) => {
                base64::engine::general_purpose::STANDARD.encode_slice_into_vec(bytes, out)
            }
            Value::Number(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Json(text) => compact_json(out, text),
        }
    }
}

/// jsonb's text (`{"a": [1, 2]}`) as serde_json writes it compactly (`{"a":[1,2]}`): the
/// server's output puts spaces only after `:` and `,`, escapes strings as serde_json
/// does, and has no duplicate keys, so dropping the whitespace outside strings is all it
/// takes — whatever the depth, with no recursion.
fn compact_json(out: &mut Vec<u8>, text: &[u8]) {
    let mut in_string = false;
    let mut escaped = false;
    let mut run_start = 0;
    for (i, &byte) in text.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
        } else if byte == b'"' {
            in_string = true;
        } else if matches!(byte, b' ' | b'\n' | b'\t' | b'\r') {
            out.extend_from_slice(&text[run_start..i]);
            run_start = i + 1;
        }
    }
    out.extend_from_slice(&text[run_start..]);
}

/// Helper for base64 into a Vec without an intermediate String.
trait EncodeInto {
    fn encode_slice_into_vec(&self, input: &[u8], out: &mut Vec<u8>);
}

impl<E: Engine> EncodeInto for E {
    fn encode_slice_into_vec(&self, input: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        let needed = base64::encoded_len(input.len(), true).unwrap_or(0);
        out.resize(start + needed, 0);
        let written = self
            .encode_slice(input, &mut out[start..])
            .expect("buffer sized by encoded_len");
        out.truncate(start + written);
    }
}

#[cfg(test)]
mod tests {
    use super::compact_json;

    #[test]
    fn compacts_like_serde() {
        for text in [
            r#"{"a": 1, "b": [1, 2, {"c": "x y"}], "d": "\" , : \\"}"#,
            r#"[]"#,
            r#"{"k": "tab\tand \"quote\" and \\\" "}"#,
            r#"{"n": 1.50, "big": 123456789012345678901234567890}"#,
        ] {
            let mut out = Vec::new();
            compact_json(&mut out, text.as_bytes());
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), value.to_string(), "{text}");
        }
    }
}
