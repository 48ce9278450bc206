//! `outboxctl ddl`: the DDL of both tables, exactly as the library emits it.

use serde_json::json;

use crate::cli::{DdlArgs, selected_tables};
use crate::context::Context;
use crate::render::output::{Format, print_json, print_text};
use crate::tables::schema;

pub fn run(ctx: &Context, args: &DdlArgs) -> anyhow::Result<()> {
    let kinds = selected_tables(args.only);
    if ctx.out.format.is_machine() && ctx.out.format != Format::Csv {
        let tables: Vec<_> = kinds
            .iter()
            .map(|kind| {
                let table = ctx.tables.name(*kind);
                json!({"table": table, "kind": kind, "sql": schema::ddl(*kind, table)})
            })
            .collect();
        print_json(&json!(tables))?;
        return Ok(());
    }
    let text: Vec<String> = kinds
        .iter()
        .map(|kind| schema::ddl(*kind, ctx.tables.name(*kind)))
        .collect();
    print_text(text.join("\n").trim_end())?;
    Ok(())
}
