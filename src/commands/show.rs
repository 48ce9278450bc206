//! `outboxctl show ID`: one message in full.

use crate::cli::ShowArgs;
use crate::context::Context;
use crate::error::explain_table_error;
use crate::outbox::{self, MESSAGE_COLUMNS, Message};
use crate::output::{escape, print_record, print_text};
use crate::pgtime::PgTime;
use crate::session::Access;
use crate::timearg::age;

/// Bytes of a payload shown in the human view; the rest is a command away.
const PAYLOAD_PREVIEW: usize = 2048;

pub fn run(ctx: &Context, args: &ShowArgs) -> anyhow::Result<()> {
    let id = outbox::parse_id(&args.id)?;
    let (mut session, located) = ctx.open()?;
    let rel = &located.outbox;
    rel.require()?;
    let fail = |e| explain_table_error(e, rel);
    let (row, now) = session.with_tx(Access::ReadOnly, &fail, |tx| {
        let row = tx
            .query_opt(
                &format!("SELECT {MESSAGE_COLUMNS} FROM {} WHERE id = $1", rel.sql),
                &crate::params![id],
            )
            .map_err(fail)?;
        Ok((row, outbox::server_now(tx).map_err(fail)?))
    })?;
    let row = row.ok_or_else(|| {
        anyhow::anyhow!(
            "no message with id {id} in table \"{}\" on {}",
            rel.name,
            rel.target
        )
    })?;
    let message = Message::from_row(&row).map_err(fail)?;

    // The record's keys are `outbox::MESSAGE_FIELDS` in order, so the csv header matches `list`'s.
    if ctx.out.format.is_machine() {
        print_record(ctx.out.format, &message.to_json())?;
    } else {
        print_text(render(ctx, &message, now))?;
    }
    Ok(())
}

fn render(ctx: &Context, m: &Message, now: PgTime) -> String {
    let mut table = ctx.out.table(&["field", "value"]);
    let headers = match &m.headers {
        Some(h) => serde_json::to_string_pretty(h).unwrap_or_default(),
        None => "null".to_string(),
    };
    // The payload goes below the table, unwrapped and escaped; a large one is cut, with
    // the way to the whole of it.
    let payload = match m.payload.as_deref() {
        None => "payload: null".to_string(),
        Some(bytes) => {
            let shown = &bytes[..bytes.len().min(PAYLOAD_PREVIEW)];
            let more = if shown.len() < bytes.len() {
                format!(
                    "\n… {} more bytes: outboxctl show {} --format json | jq -r .payload",
                    bytes.len() - shown.len(),
                    m.id
                )
            } else {
                String::new()
            };
            match std::str::from_utf8(bytes) {
                Ok(_) => format!(
                    "payload ({} bytes, utf8):\n{}{more}",
                    bytes.len(),
                    escape(&String::from_utf8_lossy(shown))
                ),
                Err(_) => format!(
                    "payload ({} bytes, binary):\n{}{more}",
                    bytes.len(),
                    hex_dump(shown)
                ),
            }
        }
    };
    let rows: Vec<(&str, String)> = vec![
        ("id", m.id.to_string()),
        ("topic", m.topic.clone()),
        ("key", m.key.clone()),
        ("status", m.status.clone()),
        ("retries", m.retries.to_string()),
        (
            "created_at",
            format!(
                "{} ({} ago)",
                m.created_at.rfc3339(),
                age(m.created_at, now)
            ),
        ),
        (
            "processed_at",
            m.processed_at.map_or("null".to_string(), PgTime::rfc3339),
        ),
        ("last_error", m.last_error.clone()),
        ("headers", headers),
    ];
    for (field, value) in rows {
        table.add_row(vec![field.to_string(), value]);
    }
    format!("{table}\n{payload}")
}

/// Sixteen bytes a line: offset, hex, and the printable ASCII beside it.
pub fn hex_dump(bytes: &[u8]) -> String {
    bytes
        .chunks(16)
        .enumerate()
        .map(|(i, chunk)| {
            let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
            let ascii: String = chunk
                .iter()
                .map(|&b| {
                    if b.is_ascii_graphic() || b == b' ' {
                        b as char
                    } else {
                        '.'
                    }
                })
                .collect();
            format!("{:08x}  {:<47}  |{ascii}|", i * 16, hex.join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_dump_lines() {
        let dump = super::hex_dump(&[0, 1, b'A', 0xff]);
        assert_eq!(dump, format!("00000000  {:<47}  |..A.|", "00 01 41 ff"));
    }
}
