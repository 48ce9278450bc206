//! `outboxctl dedup list`: entries by group, message id and time, streamed like `list`.

use crate::cli::{DedupListArgs, Order};
use crate::commands::list::{effective_limit, note_count, wants_total};
use crate::context::Context;
use crate::db::errors::explain_table_error;
use crate::db::session::Access;
use crate::db::sql::{Params, limit_clause, where_clause};
use crate::render::layout::{Column, StreamTable, output_width};
use crate::render::output::RowWriter;
use crate::tables::dedup::{ENTRY_FIELDS, Entry, EntryFilter};

use super::processed_when;

pub fn run(ctx: &Context, args: &DedupListArgs) -> anyhow::Result<()> {
    let machine = ctx.out.format.is_machine();
    let (mut session, located) = ctx.open()?;
    let rel = &located.processed;
    rel.require()?;
    let dedup_table = ctx.dedup_table(&mut session, rel)?;
    let cols = &dedup_table.cols;
    // A table with other column names is shown with them; machine formats keep the
    // documented keys.
    let view_names: Vec<&str> = if cols.is_ours() {
        vec!["group", "message id", "processed at", "metadata"]
    } else {
        vec![
            cols.group.name.as_str(),
            cols.id.name.as_str(),
            cols.at.name.as_str(),
            cols.metadata.name.as_str(),
        ]
    };
    // --columns takes the documented keys in every format.
    let view_keys = ["group_name", "msg_id", "processed_at", "metadata"];
    let picked = if machine {
        ctx.out.pick_columns(ENTRY_FIELDS)?
    } else {
        ctx.out.pick_columns(&view_keys)?
    };
    let limit_rows = effective_limit(ctx, args.limit);
    let filter = EntryFilter {
        groups: args.group.clone(),
        msg_id: args.msg_id.clone(),
        processed_before: args.before,
        processed_after: args.after,
    };
    let mut params = Params::default();
    let conditions = filter.conditions(cols, &mut params);
    let (group, id, at) = (&cols.group.sql, &cols.id.sql, &cols.at.sql);
    let order = match args.order {
        Order::Oldest => format!("{at}, {group}, {id}"),
        Order::Newest => format!("{at} DESC, {group} DESC, {id} DESC"),
    };
    let limit = limit_clause(&mut params, limit_rows);
    let sql = format!(
        "SELECT {} FROM {}{} ORDER BY {order}{limit}",
        cols.select_list(),
        rel.sql,
        where_clause(&conditions)
    );

    let fail = |e| explain_table_error(e, rel);
    let mut tx = session.begin(Access::ReadOnly).map_err(fail)?;
    let out = std::io::BufWriter::new(crate::render::output::stdout());
    let count = if machine {
        let mut writer = RowWriter::new(ctx.out.format, out, &picked)?;
        tx.for_each_row(&sql, &params, limit_rows, &fail, |row| {
            writer.write(&Entry::from_row(row).map_err(fail)?.to_json())?;
            Ok(())
        })?;
        writer.finish()?
    } else {
        let view = [
            Column::text(view_names[0], 1, 1),
            Column::text(view_names[1], 2, 2),
            Column::whole(view_names[2]),
            Column::text(view_names[3], 0, 0),
        ];
        let shown: Vec<usize> = picked
            .iter()
            .map(|p| view_keys.iter().position(|n| n == p).unwrap_or_default())
            .collect();
        let columns: Vec<Column> = shown.iter().map(|&i| view[i].clone()).collect();
        let mut table = StreamTable::new(columns, out, output_width(), ctx.out.wide);
        tx.for_each_row(&sql, &params, limit_rows, &fail, |row| {
            let entry = Entry::from_row(row).map_err(fail)?;
            let metadata = entry
                .metadata
                .as_ref()
                .map_or(String::new(), |m| m.to_string());
            let cells = [
                crate::render::output::or_null(entry.group_name.clone()),
                crate::render::output::or_null(entry.msg_id.clone()),
                processed_when(&entry),
                metadata,
            ];
            table.push(shown.iter().map(|&i| cells[i].clone()).collect())?;
            Ok(())
        })?;
        table.finish()?
    };
    let total = if wants_total(ctx, args.limit, count, limit_rows) {
        let mut params = Params::default();
        let sql = format!(
            "SELECT pg_catalog.count(*) FROM {}{}",
            rel.sql,
            where_clause(&filter.conditions(cols, &mut params))
        );
        Some(tx.query_one(&sql, &params).map_err(fail)?.get::<_, i64>(0) as u64)
    } else {
        None
    };
    tx.commit().map_err(fail)?;
    note_count(ctx, count, total, ("entry", "entries"), rel);
    Ok(())
}
