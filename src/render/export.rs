//! `list`'s machine formats at the speed of the wire: each outbox row (as read with
//! `outbox::MESSAGE_COLUMNS`) is written straight from the server's binary values, with
//! no JSON tree in between. The output is byte for byte what building a
//! `Message::to_json` map and writing it with `RowWriter` gives — the tests hold the two
//! side by side — at a fraction of the work per row, so an export keeps pace with the
//! server.

use std::io::{self, Write};

use base64::Engine;
use postgres::Row;
use postgres::types::{FromSql, Type};

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
                for (cell, field) in self.cells.iter_mut().zip(&self.fields) {
                    cell.clear();
                    csv_value(cell, row, *field)?;
                }
                writer.write_record(&self.cells).map_err(csv_io_error)?;
                self.rows += 1;
                return Ok(());
            }
        };
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
            json_value(line, row, *field)?;
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
    Value(postgres::Error),
    Output(io::Error),
}

impl From<postgres::Error> for WriteError {
    fn from(err: postgres::Error) -> Self {
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

fn payload_is_text(payload: &[u8]) -> Option<&str> {
    std::str::from_utf8(payload).ok()
}

/// One field's JSON value.
fn json_value(out: &mut Vec<u8>, row: &Row, field: Field) -> Result<(), postgres::Error> {
    match field {
        Field::Id => {
            let id: uuid::Uuid = row.try_get(0)?;
            out.push(b'"');
            out.extend_from_slice(
                id.hyphenated()
                    .encode_lower(&mut uuid::Uuid::encode_buffer())
                    .as_bytes(),
            );
            out.push(b'"');
        }
        Field::Topic => json_string(out, row.try_get(1)?),
        Field::Key => json_string(out, row.try_get(2)?),
        Field::Payload => match row.try_get::<_, Option<&[u8]>>(3)? {
            None => out.extend_from_slice(b"null"),
            Some(bytes) => match payload_is_text(bytes) {
                Some(text) => json_string(out, text),
                None => {
                    out.push(b'"');
                    base64::engine::general_purpose::STANDARD.encode_slice_into_vec(bytes, out);
                    out.push(b'"');
                }
            },
        },
        Field::PayloadEncoding => match row.try_get::<_, Option<&[u8]>>(3)? {
            None => out.extend_from_slice(b"null"),
            Some(bytes) if payload_is_text(bytes).is_some() => out.extend_from_slice(b"\"utf8\""),
            Some(_) => out.extend_from_slice(b"\"base64\""),
        },
        Field::Headers => match row.try_get::<_, Option<RawJsonb<'_>>>(4)? {
            None => out.extend_from_slice(b"null"),
            Some(RawJsonb(text)) => compact_json(out, text),
        },
        Field::Status => json_string(out, row.try_get(5)?),
        Field::Retries => {
            let retries: i32 = row.try_get(6)?;
            let _ = write!(out, "{retries}");
        }
        Field::LastError => json_string(out, row.try_get(7)?),
        Field::CreatedAt => {
            let at: PgTime = row.try_get(8)?;
            json_string(out, &at.rfc3339());
        }
        Field::ProcessedAt => match row.try_get::<_, Option<PgTime>>(9)? {
            None => out.extend_from_slice(b"null"),
            Some(at) => json_string(out, &at.rfc3339()),
        },
    }
    Ok(())
}

/// One field as a csv cell: what `csv_field` makes of its JSON value — strings as they
/// are, null as empty, the rest as compact JSON.
fn csv_value(out: &mut Vec<u8>, row: &Row, field: Field) -> Result<(), postgres::Error> {
    match field {
        Field::Topic => out.extend_from_slice(row.try_get::<_, &str>(1)?.as_bytes()),
        Field::Key => out.extend_from_slice(row.try_get::<_, &str>(2)?.as_bytes()),
        Field::Status => out.extend_from_slice(row.try_get::<_, &str>(5)?.as_bytes()),
        Field::LastError => out.extend_from_slice(row.try_get::<_, &str>(7)?.as_bytes()),
        Field::Payload => match row.try_get::<_, Option<&[u8]>>(3)? {
            None => {}
            Some(bytes) => match payload_is_text(bytes) {
                Some(text) => out.extend_from_slice(text.as_bytes()),
                None => {
                    base64::engine::general_purpose::STANDARD.encode_slice_into_vec(bytes, out);
                }
            },
        },
        _ => {
            json_value(out, row, field)?;
            // Strings lose their quotes (and escapes); null becomes empty.
            if out.as_slice() == b"null" {
                out.clear();
            } else if out.first() == Some(&b'"') {
                let text: String =
                    serde_json::from_slice(out).expect("a JSON string written above");
                out.clear();
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
    Ok(())
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
