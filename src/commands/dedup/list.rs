//! `outboxctl dedup list`: entries by group, message id and time, streamed like `list`.

use crate::cli::{DedupListArgs, Order};
use crate::commands::list::note_count;
use crate::context::Context;
use crate::dedup::{ENTRY_FIELDS, Entry, EntryFilter};
use crate::error::explain_table_error;
use crate::output::{RowWriter, print_text, truncate};
use crate::session::Access;
use crate::sql::{Params, limit_clause, where_clause};

use super::processed_when;

pub fn run(ctx: &Context, args: &DedupListArgs) -> anyhow::Result<()> {
    let (mut session, located) = ctx.open()?;
    let rel = &located.processed;
    rel.require()?;
    let dedup_table = ctx.dedup_table(&mut session, rel)?;
    let cols = &dedup_table.cols;
    let table = &rel.sql;
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
    let limit = limit_clause(&mut params, args.limit);
    let sql = format!(
        "SELECT {} FROM {table}{} ORDER BY {order}{limit}",
        cols.select_list(),
        where_clause(&conditions)
    );

    let fail = |e| explain_table_error(e, rel);
    let mut tx = session.begin(Access::ReadOnly).map_err(fail)?;
    if ctx.out.format.is_machine() {
        let stdout = std::io::BufWriter::new(std::io::stdout().lock());
        let mut writer = RowWriter::new(ctx.out.format, stdout, ENTRY_FIELDS)?;
        tx.for_each_row(&sql, &params, args.limit, &fail, |row| {
            writer.write(&Entry::from_row(row).map_err(fail)?.to_json())?;
            Ok(())
        })?;
        writer.finish()?;
    } else {
        // A table with other column names is shown with them (machine formats keep the
        // documented keys).
        let header = if cols.is_ours() {
            ["group", "message id", "processed at", "metadata"]
        } else {
            [
                cols.group.name.as_str(),
                cols.id.name.as_str(),
                cols.at.name.as_str(),
                cols.metadata.name.as_str(),
            ]
        };
        let mut view = ctx.out.table(&header);
        let mut count = 0u64;
        tx.for_each_row(&sql, &params, args.limit, &fail, |row| {
            let entry = Entry::from_row(row).map_err(fail)?;
            let metadata = entry
                .metadata
                .as_ref()
                .map_or(String::new(), |m| m.to_string());
            view.add_row(vec![
                truncate(&entry.group_name, 32),
                truncate(&entry.msg_id, 40),
                processed_when(&entry),
                truncate(&metadata, 60),
            ]);
            count += 1;
            Ok(())
        })?;
        if count > 0 {
            print_text(&view)?;
        }
        note_count(ctx, count, args.limit, ("entry", "entries"));
    }
    tx.commit().map_err(fail)?;
    Ok(())
}
