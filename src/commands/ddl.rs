//! `outboxctl ddl`: the DDL of both tables, exactly as the library emits it.

use serde_json::json;

use crate::cli::{DdlArgs, selected_tables};
use crate::context::Context;
use crate::render::output::{print_records, print_text};
use crate::tables::schema;

pub fn run(ctx: &Context, args: &DdlArgs) -> anyhow::Result<()> {
    let kinds = selected_tables(args.only);
    if ctx.out.format.is_machine() {
        let tables: Vec<_> = kinds
            .iter()
            .map(|kind| {
                let table = ctx.tables.name(*kind);
                json!({"table": table, "kind": kind, "sql": schema::ddl(*kind, table)})
            })
            .collect();
        print_records(
            ctx.out.format,
            &json!(tables),
            &tables,
            &["table", "kind", "sql"],
        )?;
        return Ok(());
    }
    let text: Vec<String> = kinds
        .iter()
        .map(|kind| schema::ddl(*kind, ctx.tables.name(*kind)))
        .collect();
    print_text(text.join("\n").trim_end())?;
    Ok(())
}
