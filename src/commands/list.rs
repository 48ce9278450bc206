//! `outboxctl list`: messages by status and filter, oldest first. Rows are fetched from a
//! portal a thousand at a time and written as they come, so memory stays flat in the
//! streaming formats whatever the row count (see `sql::for_each_row`).

use crate::cli::{ListArgs, Order};
use crate::commands::message_filter;
use crate::context::Context;
use crate::error::explain_table_error;
use crate::outbox::{self, MESSAGE_COLUMNS, MESSAGE_FIELDS, Message};
use crate::output::{RowWriter, print_text, truncate};
use crate::pgtime::PgTime;
use crate::session::Access;
use crate::sql::{Params, limit_clause, where_clause};
use crate::timearg::age;

const SUMMARY_COLUMNS: &str =
    "id::text, status, topic, key, retries, created_at, octet_length(payload), last_error";

pub fn run(ctx: &Context, args: &ListArgs) -> anyhow::Result<()> {
    let statuses = outbox::parse_statuses(&args.status)?;
    let filter = message_filter(&args.filter, statuses);
    let (mut session, located) = ctx.open()?;
    let rel = &located.outbox;
    rel.require()?;
    let table = &rel.sql;
    let mut params = Params::default();
    let conditions = filter.conditions(&mut params);
    let order = match args.order {
        Order::Oldest => "created_at, id",
        Order::Newest => "created_at DESC, id DESC",
    };
    let limit = limit_clause(&mut params, args.limit);
    let columns = if ctx.out.format.is_machine() {
        MESSAGE_COLUMNS
    } else {
        SUMMARY_COLUMNS
    };
    let sql = format!(
        "SELECT {columns} FROM {table}{} ORDER BY {order}{limit}",
        where_clause(&conditions)
    );

    let fail = |e| explain_table_error(e, rel);
    let mut tx = session.begin(Access::ReadOnly).map_err(fail)?;

    if ctx.out.format.is_machine() {
        let stdout = std::io::stdout().lock();
        let mut writer = RowWriter::new(
            ctx.out.format,
            std::io::BufWriter::new(stdout),
            MESSAGE_FIELDS,
        )?;
        tx.for_each_row(&sql, &params, args.limit, &fail, |row| {
            writer.write(&Message::from_row(row).map_err(fail)?.to_json())?;
            Ok(())
        })?;
        writer.finish()?;
    } else {
        let mut view = ctx.out.table(&[
            "id",
            "status",
            "topic",
            "key",
            "retries",
            "age",
            "size",
            "last error",
        ]);
        let mut count = 0u64;
        let now = outbox::server_now(&mut tx).map_err(fail)?;
        tx.for_each_row(&sql, &params, args.limit, &fail, |row| {
            let created_at: PgTime = row.try_get(5).map_err(fail)?;
            let size: Option<i32> = row.try_get(6).map_err(fail)?;
            view.add_row(vec![
                row.try_get::<_, String>(0).map_err(fail)?,
                row.try_get::<_, String>(1).map_err(fail)?,
                truncate(&row.try_get::<_, String>(2).map_err(fail)?, 32),
                truncate(&row.try_get::<_, String>(3).map_err(fail)?, 24),
                row.try_get::<_, i32>(4).map_err(fail)?.to_string(),
                age(created_at, now),
                size.map_or("null".to_string(), |s| s.to_string()),
                truncate(&row.try_get::<_, String>(7).map_err(fail)?, 60),
            ]);
            count += 1;
            Ok(())
        })?;
        if count > 0 {
            print_text(&view)?;
        }
        note_count(ctx, count, args.limit, ("message", "messages"));
    }
    tx.commit().map_err(fail)?;
    Ok(())
}

/// How many rows a list printed, on stderr, with a hint when the limit cut it short.
pub fn note_count(ctx: &Context, count: u64, limit: u64, (one, many): (&str, &str)) {
    let shown = format!("{count} {}", if count == 1 { one } else { many });
    if limit > 0 && count == limit {
        ctx.out
            .note(format!("{shown} (the first {limit}; --limit 0 lists all)"));
    } else {
        ctx.out.note(shown);
    }
}
