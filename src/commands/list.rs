//! `outboxctl list`: messages by status and filter, oldest first. Rows are fetched from a
//! cursor a thousand at a time and written as they come, so memory stays flat in every
//! format whatever the row count (see `session::Tx::for_each_row` and `layout`).

use crate::cli::{ListArgs, Order};
use crate::commands::message_filter;
use crate::context::Context;
use crate::db::errors::explain_table_error;
use crate::db::pgtime::PgTime;
use crate::db::session::{Access, Rel, Tx};
use crate::db::sql::{Params, limit_clause, where_clause};
use crate::render::export::{MessageWriter, WriteError};
use crate::render::layout::{Column, StreamTable, output_width};
use crate::render::output::or_null;
use crate::render::output::{count_of, escape, grouped, human_size};
use crate::tables::outbox::{self, MESSAGE_COLUMNS, MESSAGE_FIELDS};

const SUMMARY_COLUMNS: &str = "id::pg_catalog.text, status::pg_catalog.text, topic::pg_catalog.text, key::pg_catalog.text, retries::pg_catalog.int4, \
     created_at::pg_catalog.timestamptz, pg_catalog.octet_length(payload)::pg_catalog.int4, last_error::pg_catalog.text";

/// The table view's columns. When the terminal is narrow the free text is cut (the widest
/// first), then columns are dropped: size, retries, key, topic, last error, age. Ids and
/// statuses always stay.
pub fn view_columns() -> Vec<Column> {
    vec![
        Column::whole("id").at_least(36),
        // "processing", the longest status the library sets.
        Column::whole("status").at_least(10),
        // Kept while other columns go to give the last error its room.
        Column::text("topic", 2, 3).sticky(),
        Column::text("key", 1, 2),
        Column::number("retries", 1),
        // "123d23h", "infinite".
        Column::whole_dropped("age", 5).at_least(8),
        // "1023.9 KiB".
        Column::number("size", 0).at_least(10),
        Column::text("last error", 0, 4),
    ]
}

/// Positions in [`view_columns`].
const ID: usize = 0;
const LAST_ERROR: usize = 7;
/// Columns that move below the table when every row shows the same value.
const SHARED: [&str; 4] = ["status", "topic", "key", "retries"];

/// Up to this many rows (`--limit`) the table is laid out from all of them at once.
pub const COMPACT_ROWS: u64 = 200;

/// The width the last error keeps before other columns are dropped for it: 60
/// characters on a 120-column terminal, 35 on 80.
fn error_room(width: usize) -> usize {
    if width >= 120 { 60 } else { width * 7 / 16 }
}

/// Whether the user named the columns (`--columns`): then each stays where asked.
fn picked_by_user(ctx: &Context) -> bool {
    !ctx.out.columns.is_empty()
}

/// The view with ids cut to `id` (its position and the characters to keep), and each
/// of the [`SHARED`] columns that holds one value in every row (two rows or more) taken
/// out and said once in a footer: `all rows: status failed · topic orders`.
pub fn compact_view(
    mut columns: Vec<Column>,
    mut rows: Vec<Vec<String>>,
    id: Option<(usize, usize)>,
    columns_fixed: bool,
) -> (Vec<Column>, Vec<Vec<String>>, Option<String>) {
    if let Some((at, keep)) = id {
        columns[at] = columns[at].clone().at_least(keep);
        for row in &mut rows {
            let cut: String = row[at].chars().take(keep).collect();
            row[at] = cut;
        }
    }
    let mut shared = Vec::new();
    if !columns_fixed && rows.len() >= 2 && columns.len() > 2 {
        let mut at = 0;
        while at < columns.len() {
            let same = rows.iter().all(|r| r[at] == rows[0][at]);
            if same && SHARED.contains(&columns[at].header.as_str()) {
                shared.push(format!(
                    "{} {}",
                    columns[at].header,
                    crate::render::output::escape(&rows[0][at])
                ));
                columns.remove(at);
                rows.iter_mut().for_each(|r| {
                    r.remove(at);
                });
            } else {
                at += 1;
            }
        }
    }
    let footer = (!shared.is_empty()).then(|| format!("all rows: {}", shared.join(" · ")));
    (columns, rows, footer)
}

/// Rows shown in the table view when no --limit is given.
pub const DEFAULT_VIEW_LIMIT: u64 = 50;

/// `--limit` as given, else 50 rows for people and every row for scripts (a machine
/// format never stops short without being told to).
pub fn effective_limit(ctx: &Context, limit: Option<u64>) -> u64 {
    limit.unwrap_or(if ctx.out.format.is_machine() {
        0
    } else {
        DEFAULT_VIEW_LIMIT
    })
}

pub fn run(ctx: &Context, args: &ListArgs) -> anyhow::Result<()> {
    if args.follow {
        return crate::commands::follow::run(ctx, args);
    }
    let statuses = outbox::parse_statuses(&args.status)?;
    // The library sets processed_at only when it delivers a message.
    if (args.filter.processed_before.is_some() || args.filter.processed_after.is_some())
        && !statuses.iter().any(|s| s == "processed")
    {
        ctx.out.warn(format!(
            "--processed-before/--processed-after match only messages with a processed_at, which the library sets on delivery: add --status processed (listing {})",
            statuses.join(", ")
        ));
    }
    let mut filter = message_filter(&args.filter, statuses);
    let machine = ctx.out.format.is_machine();
    let view = view_columns();
    let view_names: Vec<&str> = view.iter().map(|c| c.header.as_str()).collect();
    let picked = if machine {
        ctx.out.pick_columns(MESSAGE_FIELDS)?
    } else {
        ctx.out.pick_columns(&view_names)?
    };
    let limit_rows = effective_limit(ctx, args.limit);
    let (mut session, located) = ctx.open()?;
    let rel = &located.outbox;
    rel.require()?;
    if !filter.error_classes.is_empty() {
        let fail = |e| explain_table_error(e, rel);
        session.with_tx(Access::ReadOnly, &fail, |tx| {
            filter.resolve_classes(tx, rel)
        })?;
    }
    let mut params = Params::default();
    let conditions = filter.conditions(&mut params);
    let order = match args.order {
        Order::Oldest => "created_at, id",
        Order::Newest => "created_at DESC, id DESC",
    };
    let limit = limit_clause(&mut params, limit_rows);
    let sql = format!(
        "SELECT {} FROM {}{} ORDER BY {order}{limit}",
        if machine {
            MESSAGE_COLUMNS
        } else {
            SUMMARY_COLUMNS
        },
        rel.sql,
        where_clause(&conditions)
    );

    let fail = |e| explain_table_error(e, rel);
    let mut tx = session.begin(Access::ReadOnly).map_err(fail)?;
    // Large writes: stdout's own line buffering would cost a system call per row.
    let out = std::io::BufWriter::with_capacity(1 << 16, crate::render::output::stdout());
    let count = if machine {
        let mut writer = MessageWriter::new(ctx.out.format, out, &picked)?;
        tx.for_each_row(&sql, &params, limit_rows, &fail, |row| {
            writer.write(row).map_err(|e| match e {
                WriteError::Value(e) => fail(e),
                WriteError::Output(e) => e.into(),
            })
        })?;
        writer.finish()?
    } else {
        let now = outbox::server_now(&mut tx).map_err(fail)?;
        let shown: Vec<usize> = picked
            .iter()
            .map(|p| view_names.iter().position(|n| n == p).unwrap_or_default())
            .collect();
        let mut columns: Vec<Column> = shown.iter().map(|&i| view[i].clone()).collect();
        if let Some(width) = output_width()
            && let Some(error) = shown.iter().position(|&i| i == LAST_ERROR)
        {
            columns[error] = columns[error].clone().prefer(error_room(width));
        }
        let cells_of = |row: &tokio_postgres::Row| -> anyhow::Result<Vec<String>> {
            // Any column but the id may have drifted to nullable: NULL reads "null".
            let text = |i: usize| -> anyhow::Result<String> {
                Ok(or_null(row.try_get::<_, Option<String>>(i).map_err(fail)?))
            };
            let created_at: Option<PgTime> = row.try_get(5).map_err(fail)?;
            let size: Option<i32> = row.try_get(6).map_err(fail)?;
            let cells = [
                text(0)?,
                text(1)?,
                text(2)?,
                text(3)?,
                or_null(
                    row.try_get::<_, Option<i32>>(4)
                        .map_err(fail)?
                        .map(|r| r.to_string()),
                ),
                or_null(created_at.map(|t| t.age(now))),
                size.map_or("null".to_string(), |s| human_size(i64::from(s))),
                text(7)?,
            ];
            Ok(shown.iter().map(|&i| cells[i].clone()).collect())
        };
        let painter = ctx
            .out
            .color
            .then_some(paint_status as crate::render::layout::Painter);
        // A page people read whole is laid out from all its rows: ids as short as the
        // table allows, and what every row shares said once below the table.
        let compact =
            !ctx.out.wide && output_width().is_some() && (1..=COMPACT_ROWS).contains(&limit_rows);
        if compact {
            let mut rows = Vec::new();
            tx.for_each_row(&sql, &params, limit_rows, &fail, |row| {
                rows.push(cells_of(row)?);
                Ok(())
            })?;
            let id_at = shown.iter().position(|&i| i == ID);
            let keep = match id_at {
                Some(at) => {
                    let ids: Vec<String> = rows.iter().map(|r| r[at].clone()).collect();
                    outbox::unique_prefix_len(&mut tx, rel, &ids).map_err(fail)?
                }
                None => 0,
            };
            let (columns, rows, footer) = compact_view(
                columns,
                rows,
                id_at.map(|at| (at, keep)),
                picked_by_user(ctx),
            );
            let mut table = StreamTable::new(columns, out, output_width(), false).paint(painter);
            for row in rows {
                table.push(row)?;
            }
            let count = table.finish()?;
            if let Some(footer) = footer {
                crate::render::output::print_text(footer)?;
            }
            count
        } else {
            let mut table =
                StreamTable::new(columns, out, output_width(), ctx.out.wide).paint(painter);
            tx.for_each_row(&sql, &params, limit_rows, &fail, |row| {
                table.push(cells_of(row)?)?;
                Ok(())
            })?;
            table.finish()?
        }
    };
    let total = if wants_total(ctx, args.limit, count, limit_rows) {
        Some(count_all(&mut tx, rel, &filter).map_err(fail)?)
    } else {
        None
    };
    let hint = if count == 0 {
        closest_topics(&mut tx, rel, &filter.topics).map_err(fail)?
    } else {
        None
    };
    tx.commit().map_err(fail)?;
    note_count(ctx, count, total, ("message", "messages"), rel);
    if let Some(hint) = hint {
        ctx.out.note(hint);
    }
    Ok(())
}

/// When `--topic` matched nothing: the existing topics closest to what was asked, if the
/// table is small enough to look (a million rows by the planner's estimate).
fn closest_topics(
    tx: &mut Tx<'_>,
    rel: &Rel,
    wanted: &[String],
) -> Result<Option<String>, tokio_postgres::Error> {
    let exact: Vec<&String> = wanted.iter().filter(|t| !outbox::is_glob(t)).collect();
    if exact.is_empty() {
        return Ok(None);
    }
    let estimate: f64 = tx
        .query_one(
            "SELECT reltuples::pg_catalog.float8 FROM pg_catalog.pg_class WHERE oid OPERATOR(pg_catalog.=) $1",
            &crate::params![rel.oid.unwrap_or_default()],
        )?
        .get(0);
    if estimate > 1_000_000.0 {
        return Ok(None);
    }
    let topics: Vec<String> = tx
        .query(
            &format!("SELECT topic FROM {} GROUP BY topic LIMIT 5000", rel.sql),
            &Params::default(),
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut hints = Vec::new();
    // A topic that exists is not the reason nothing matched: no hint for it.
    for want in exact.into_iter().filter(|w| !topics.contains(w)) {
        let under: Vec<&String> = topics
            .iter()
            .filter(|t| t.starts_with(&format!("{want}.")) || t.starts_with(&format!("{want}_")))
            .collect();
        if !under.is_empty() {
            hints.push(format!(
                "no topic is \"{}\", but {} start with it: --topic '{}.*'",
                escape(want),
                under.len(),
                escape(want)
            ));
            continue;
        }
        let mut close: Vec<(f64, &String)> = topics
            .iter()
            .map(|t| (strsim::normalized_levenshtein(want, t), t))
            .filter(|(score, _)| *score >= 0.6)
            .collect();
        close.sort_by(|a, b| b.0.total_cmp(&a.0));
        if !close.is_empty() {
            hints.push(format!(
                "no topic is \"{}\"; did you mean {}?",
                escape(want),
                close
                    .iter()
                    .take(3)
                    .map(|(_, t)| format!("\"{}\"", escape(t)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok((!hints.is_empty()).then(|| hints.join("; ")))
}

/// Whether to count every match for "50 of 1102": when the table view's default limit
/// cut the list short. A script that asked for `--limit N` in a machine format got what
/// it asked for and does not pay for a count of the whole selection.
pub fn wants_total(ctx: &Context, limit: Option<u64>, count: u64, limit_rows: u64) -> bool {
    limit_rows > 0 && count == limit_rows && !(ctx.out.format.is_machine() && limit.is_some())
}

/// Every matching row, for "50 of 1102" when the limit cut the list short.
fn count_all(
    tx: &mut Tx<'_>,
    rel: &Rel,
    filter: &outbox::MessageFilter,
) -> Result<u64, tokio_postgres::Error> {
    outbox::count_matching(tx, rel, &|params| {
        let conditions = filter.conditions(params);
        if conditions.is_empty() {
            "TRUE".to_string()
        } else {
            conditions.join(" AND ")
        }
    })
}

/// Statuses an operator should notice: failed in red, processing (possibly stuck) in
/// yellow.
pub fn paint_status(column: &str, text: &str) -> Option<&'static str> {
    match (column, text) {
        ("status", "failed") => Some("31"),
        ("status", "processing") => Some("33"),
        _ => None,
    }
}

/// How many rows a list printed, and from where, on stderr: `50 of 1,102 messages shown
/// (--limit 0 lists all)` when the limit cut it short, in every format, so no script is
/// misled.
pub fn note_count(
    ctx: &Context,
    count: u64,
    total: Option<u64>,
    (one, many): (&str, &str),
    rel: &Rel,
) {
    let from = format!("from \"{}\" on {}", rel.name, rel.target);
    match total {
        Some(total) if total > count => ctx.out.note(format!(
            "{} of {} {many} shown {from} (--limit 0 lists all)",
            grouped(count as i64),
            grouped(total as i64)
        )),
        _ => ctx
            .out
            .note(format!("{} {from}", count_of(count, one, many))),
    }
}
