//! `outboxctl dedup check GROUP MSG_ID`: exit 0 when the pair is recorded, 3 when it is
//! not — usable as `if outboxctl dedup check …; then`.

use serde_json::{Value, json};

use crate::cli::DedupKeyArgs;
use crate::context::Context;
use crate::db::errors::explain_table_error;
use crate::db::session::Access;
use crate::error::negative;
use crate::render::output::{print_record, print_text};
use crate::tables::dedup;

use super::processed_when;

pub fn run(ctx: &Context, args: &DedupKeyArgs) -> anyhow::Result<()> {
    let (mut session, located) = ctx.open()?;
    let rel = &located.processed;
    rel.require()?;
    let table = ctx.dedup_table(&mut session, rel)?;
    let fail = |e| explain_table_error(e, rel);
    let entry = session.with_tx(Access::ReadOnly, &fail, |tx| {
        dedup::lookup(tx, &table, &args.group, &args.msg_id).map_err(fail)
    })?;

    let mut answer = serde_json::Map::new();
    answer.insert("processed".into(), json!(entry.is_some()));
    match &entry {
        Some(entry) => answer.extend(entry.to_json()),
        None => {
            answer.insert("group_name".into(), json!(args.group));
            answer.insert("msg_id".into(), json!(args.msg_id));
            answer.insert("metadata".into(), Value::Null);
            answer.insert("processed_at".into(), Value::Null);
        }
    }
    let printed = if ctx.out.format.is_machine() {
        print_record(ctx.out.format, &answer)
    } else {
        match &entry {
            Some(entry) => {
                let metadata = entry.metadata.as_ref().map_or("null".to_string(), |m| {
                    crate::render::output::pretty_json(m)
                });
                print_text(format!(
                    "processed at {}\nmetadata: {}\n(in \"{}\" on {})",
                    processed_when(entry),
                    crate::render::output::escape_lines(&metadata),
                    rel.name,
                    rel.target
                ))
            }
            None => print_text(format!(
                "not processed\n(in \"{}\" on {})",
                rel.name, rel.target
            )),
        }
    };
    let verdict = match entry {
        Some(_) => Ok(()),
        // The answer is already on stdout; exit 3 says it to scripts.
        None => Err(negative("")),
    };
    crate::error::answer_after_output(printed, verdict)
}
