//! `outboxctl show ID`: one message in full.

use crate::cli::ShowArgs;
use crate::context::Context;
use crate::error::explain_table_error;
use crate::outbox::{self, MESSAGE_COLUMNS, Message, rfc3339};
use crate::output::{print_record, print_text};
use crate::timearg::humanize;

pub fn run(ctx: &Context, args: &ShowArgs) -> anyhow::Result<()> {
    let id = outbox::parse_id(&args.id)?;
    let table = &ctx.tables.outbox;
    let mut client = ctx.connect()?;
    let fail = |e| explain_table_error(e, table);
    let row = client
        .query_opt(
            &format!("SELECT {MESSAGE_COLUMNS}, EXTRACT(EPOCH FROM now() - created_at)::float8 FROM {table} WHERE id = $1"),
            &[&id],
        )
        .map_err(fail)?
        .ok_or_else(|| anyhow::anyhow!("no message with id {id} in table \"{table}\""))?;
    let message = Message::from_row(&row).map_err(fail)?;
    let age: f64 = row.try_get(10).map_err(fail)?;

    // The record's keys are `outbox::MESSAGE_FIELDS` in order, so the csv header matches `list`'s.
    if ctx.out.format.is_machine() {
        print_record(ctx.out.format, &message.to_json())?;
    } else {
        print_text(render(ctx, &message, age))?;
    }
    Ok(())
}

fn render(ctx: &Context, m: &Message, age: f64) -> String {
    let mut table = ctx.out.table(&["field", "value"]);
    let headers = match &m.headers {
        Some(h) => serde_json::to_string_pretty(h).unwrap_or_default(),
        None => "null".to_string(),
    };
    // The payload goes below the table, unwrapped, so it can be read and copied whole.
    let payload = match m.payload.as_deref() {
        None => "payload: null".to_string(),
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => format!("payload ({} bytes, utf8):\n{text}", bytes.len()),
            Err(_) => format!(
                "payload ({} bytes, binary):\n{}",
                bytes.len(),
                hex_dump(bytes)
            ),
        },
    };
    let rows: Vec<(&str, String)> = vec![
        ("id", m.id.to_string()),
        ("topic", m.topic.clone()),
        ("key", m.key.clone()),
        ("status", m.status.clone()),
        ("retries", m.retries.to_string()),
        (
            "created_at",
            format!("{} ({} ago)", rfc3339(&m.created_at), humanize(age as i64)),
        ),
        (
            "processed_at",
            m.processed_at.as_ref().map_or("null".to_string(), rfc3339),
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
