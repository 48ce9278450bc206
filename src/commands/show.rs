//! `outboxctl show ID`: one message in full.

use crate::cli::{PayloadView, ShowArgs};
use crate::context::Context;
use crate::db::errors::explain_table_error;
use crate::db::pgtime::PgTime;
use crate::db::session::Access;
use crate::error::usage;
use crate::render::output::or_null;
use crate::render::output::{escape, print_record, print_text};
use crate::tables::outbox::{self, MESSAGE_COLUMNS, Message};

/// Bytes of a payload shown in the human view; the rest is a command away.
const PAYLOAD_PREVIEW: usize = 2048;

pub fn run(ctx: &Context, args: &ShowArgs) -> anyhow::Result<()> {
    let text = if args.id == "-" {
        let mut input = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut input)
            .map_err(|e| usage(format!("cannot read the id from standard input: {e}")))?;
        let ids: Vec<&str> = input
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        match ids.as_slice() {
            [one] => one.to_string(),
            [] => return Err(usage("no id on standard input")),
            many => {
                return Err(usage(format!(
                    "show takes one id; standard input holds {}",
                    many.len()
                )));
            }
        }
    } else {
        args.id.clone()
    };
    let wanted = outbox::parse_id_or_prefix(&text)?;
    let (mut session, located) = ctx.open()?;
    let rel = &located.outbox;
    rel.require()?;
    let fail = |e| explain_table_error(e, rel);
    let (lowest, highest) = wanted.range();
    let (rows, now) = session.with_tx(Access::ReadOnly, &fail, |tx| {
        // A prefix is an id range: the primary key answers it without a scan.
        let rows = tx
            .query(
                &format!(
                    "SELECT {MESSAGE_COLUMNS} FROM {} WHERE id OPERATOR(pg_catalog.>=) $1 AND id OPERATOR(pg_catalog.<=) $2 ORDER BY id LIMIT 6",
                    rel.sql
                ),
                &crate::params![lowest, highest],
            )
            .map_err(fail)?;
        Ok((rows, outbox::server_now(tx).map_err(fail)?))
    })?;
    // One id in several rows: a partitioned outbox's key is (id, created_at), so the
    // same id can be stored twice. Each is shown.
    let same_id = rows.len() > 1
        && rows
            .iter()
            .all(|r| r.get::<_, Option<uuid::Uuid>>(0) == rows[0].get::<_, Option<uuid::Uuid>>(0));
    if same_id {
        if ctx.out.format == crate::render::output::Format::Json {
            return Err(usage(format!(
                "id {text} is in {} rows of \"{}\" (its key is (id, created_at)): --format ndjson or the table view shows each",
                rows.len(),
                rel.name
            )));
        }
        ctx.out.warn(format!(
            "id {text} is in {} rows of \"{}\" (its key is (id, created_at)): each is shown",
            rows.len(),
            rel.name
        ));
        for row in &rows {
            show_one(ctx, args, rel, row, now, &fail)?;
        }
        return Ok(());
    }
    let row = match rows.as_slice() {
        [row] => row,
        [] => anyhow::bail!(
            "no message with id {text} in table \"{}\" on {}",
            rel.name,
            rel.target
        ),
        many => {
            let ids: Vec<String> = many
                .iter()
                .take(5)
                .map(|r| r.get::<_, uuid::Uuid>(0).to_string())
                .collect();
            return Err(usage(format!(
                "id prefix {text} is ambiguous: it matches {}{} — give more digits",
                ids.join(", "),
                if many.len() > 5 { ", …" } else { "" }
            )));
        }
    };
    show_one(ctx, args, rel, row, now, &fail)
}

/// One row, in the format asked for.
fn show_one(
    ctx: &Context,
    args: &ShowArgs,
    rel: &crate::db::session::Rel,
    row: &tokio_postgres::Row,
    now: PgTime,
    fail: &dyn Fn(tokio_postgres::Error) -> anyhow::Error,
) -> anyhow::Result<()> {
    let message = Message::from_row(row).map_err(fail)?;

    // The record's keys are `outbox::MESSAGE_FIELDS` in order, so the csv header matches `list`'s.
    if ctx.out.format.is_machine() {
        let mut record = message.to_json();
        if ctx.out.no_payload {
            record.shift_remove("payload");
            record.shift_remove("payload_encoding");
        }
        print_record(ctx.out.format, &record)?;
    } else {
        let preview = match args.payload {
            PayloadView::Preview => PAYLOAD_PREVIEW,
            PayloadView::Full => usize::MAX,
        };
        print_text(format!(
            "{} in \"{}\" on {}\n{}",
            or_null(message.id.map(|id| id.to_string())),
            rel.name,
            rel.target,
            render(ctx, &message, now, preview)
        ))?;
    }
    Ok(())
}

fn render(ctx: &Context, m: &Message, now: PgTime, preview: usize) -> String {
    let mut table = ctx.out.table(&["field", "value"]).wrap_values();
    let headers = match &m.headers {
        Some(h) => crate::render::output::pretty_json(h),
        None => "null".to_string(),
    };
    // The payload goes below the table, unwrapped and escaped; a large one is cut, with
    // the way to the whole of it.
    let payload = match m.payload.as_deref() {
        None => "payload: null".to_string(),
        Some(bytes) => {
            let size = crate::render::output::human_size(bytes.len() as i64);
            // Text is cut between characters, never inside one.
            let mut end = bytes.len().min(preview);
            if let Ok(text) = std::str::from_utf8(bytes) {
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
            }
            let shown = &bytes[..end];
            let more = if shown.len() < bytes.len() {
                format!(
                    "\n… {} more bytes: outboxctl show {} --payload full (or --format json)",
                    bytes.len() - shown.len(),
                    or_null(m.id.map(|id| id.to_string()))
                )
            } else {
                String::new()
            };
            match std::str::from_utf8(bytes) {
                Ok(_) => format!(
                    "payload ({size}, utf8):\n{}{more}",
                    escape(&String::from_utf8_lossy(shown))
                ),
                Err(_) => format!("payload ({size}, binary):\n{}{more}", hex_dump(shown)),
            }
        }
    };
    let rows: Vec<(&str, String)> = vec![
        ("id", or_null(m.id.map(|id| id.to_string()))),
        ("topic", or_null(m.topic.clone())),
        ("key", or_null(m.key.clone())),
        ("status", or_null(m.status.clone())),
        ("retries", or_null(m.retries.map(|r| r.to_string()))),
        ("created_at", or_null(m.created_at.map(|t| t.when(now)))),
        (
            "processed_at",
            m.processed_at.map_or("null".to_string(), |t| t.when(now)),
        ),
        ("last_error", or_null(m.last_error.clone())),
    ];
    // A producer can write megabytes into any field: the table shows the start of each,
    // like the payload, and the rest is a command away.
    // `multiline`: the text's line breaks are outboxctl's own (pretty JSON) and stay;
    // anything else is escaped whole.
    let preview_of = |text: String, multiline: bool| -> String {
        let mut end = text.len().min(preview);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let shown = if multiline {
            crate::render::output::escape_lines(&text[..end])
        } else {
            escape(&text[..end]).into_owned()
        };
        if end == text.len() {
            return shown;
        }
        format!(
            "{shown}\n… {} more bytes (--payload full, or --format json)",
            text.len() - end
        )
    };
    for (field, value) in rows {
        table.add_row_lines([field.to_string(), preview_of(value, false)]);
    }
    table.add_row_lines(["headers".to_string(), preview_of(headers, true)]);
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
