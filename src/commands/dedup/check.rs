//! `outboxctl dedup check GROUP MSG_ID`: exit 0 when the pair is recorded, 3 when it is
//! not — usable as `if outboxctl dedup check …; then`.

use crate::cli::DedupKeyArgs;
use crate::context::Context;
use crate::db::errors::explain_table_error;
use crate::db::session::Access;
use crate::error::negative;
use crate::render::output::{json_object, print_record, print_text};
use crate::tables::dedup::{self, EntryRow};

use super::processed_when;

/// `dedup check --format json`: whether the pair is recorded, and its entry.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DedupCheckRecord {
    /// The consumer group has recorded this message id as handled.
    pub processed: bool,
    #[serde(flatten)]
    pub entry: EntryRow,
}

pub fn run(ctx: &Context, args: &DedupKeyArgs) -> anyhow::Result<()> {
    let (mut session, located) = ctx.open()?;
    let rel = &located.processed;
    rel.require()?;
    let table = ctx.dedup_table(&mut session, rel)?;
    let fail = |e| explain_table_error(e, rel);
    let entry = session.with_tx(Access::ReadOnly, &fail, |tx| {
        dedup::lookup(tx, &table, &args.group, &args.msg_id).map_err(fail)
    })?;

    let answer = DedupCheckRecord {
        processed: entry.is_some(),
        entry: match &entry {
            Some(entry) => entry.to_row(),
            None => EntryRow {
                group_name: Some(args.group.clone()),
                msg_id: Some(args.msg_id.clone()),
                metadata: None,
                processed_at: None,
            },
        },
    };
    let printed = if ctx.out.format.is_machine() {
        print_record(ctx.out.format, &json_object(&answer))
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
