//! `outboxctl dedup mark GROUP MSG_ID`: record a message as handled by hand (to skip a
//! poison message). Never overwrites an existing entry's metadata or time.

use std::io::Read;

use crate::batch::engine::Summary;
use crate::cli::DedupMarkArgs;
use crate::context::Context;
use crate::db::errors::explain_table_error;
use crate::db::session::Access;
use crate::error::usage;
use crate::render::output::{print_record, print_text};
use crate::tables::dedup;

use super::processed_when;

pub fn run(ctx: &Context, args: &DedupMarkArgs) -> anyhow::Result<()> {
    // All input is read and checked before connecting: bad JSON sends nothing.
    let text = match (&args.metadata, &args.metadata_file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| usage(format!("cannot read metadata from standard input: {e}")))?;
            text
        }
        (None, Some(path)) => std::fs::read_to_string(path).map_err(|e| {
            usage(format!(
                "cannot read --metadata-file {}: {e}",
                path.display()
            ))
        })?,
        (None, None) => String::new(),
    };
    let metadata = dedup::parse_metadata(&text)?;

    let (mut session, located) = ctx.open_to_change(false)?;
    let rel = &located.processed;
    rel.require()?;
    let table = ctx.dedup_table(&mut session, rel)?;
    let fail = |e| explain_table_error(e, rel);
    let key = &args.key;
    let marked = session.with_tx(Access::ReadWrite, &fail, |tx| {
        dedup::mark(tx, &table, &key.group, &key.msg_id, metadata.as_ref()).map_err(fail)
    })?;

    let mut summary = Summary {
        matched: 1,
        changed: u64::from(marked.inserted),
        skipped: u64::from(!marked.inserted),
        batches: 1,
        ..Summary::default()
    };
    summary.details.inserted = Some(marked.inserted);
    summary.details.entry = Some(match &marked.entry {
        Some(entry) => entry.to_row(),
        None => crate::tables::dedup::EntryRow {
            group_name: Some(key.group.clone()),
            msg_id: Some(key.msg_id.clone()),
            metadata: None,
            processed_at: None,
        },
    });
    let changed = format!(
        "marked {}/{} in \"{}\" on {} (the entry was inserted)",
        crate::render::output::escape(&key.group),
        crate::render::output::escape(&key.msg_id),
        rel.name,
        rel.target
    );
    crate::render::output::report_committed(marked.inserted.then_some(changed.as_str()), || {
        if ctx.out.format.is_machine() {
            return print_record(ctx.out.format, &summary.to_json());
        }
        match (&marked.entry, marked.inserted) {
            (_, true) => print_text("marked"),
            (Some(entry), false) => {
                print_text(format!("already processed (at {})", processed_when(entry)))
            }
            (None, false) => {
                print_text("already processed (the entry was removed again meanwhile)")
            }
        }
    })
}
