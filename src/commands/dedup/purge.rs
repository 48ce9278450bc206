//! `outboxctl dedup purge --before WHEN`: the library's PurgeProcessedBefore, in batches
//! along the processed_at index, sharing the mutation engine with `purge`.

use serde_json::Value;

use crate::cli::DedupPurgeArgs;
use crate::context::Context;
use crate::dedup::{ENTRY_COLUMNS, Entry, EntryFilter, KeysetPurge};
use crate::error::explain_table_error;
use crate::mutation::{Summary, count_and_confirm, report, resolve_past_cutoff, run_batches};
use crate::outbox::rfc3339;
use crate::output::{count_of, print_text, truncate};
use crate::sql::{Params, where_clause};
use crate::timearg::TimeArg;

const SAMPLE_SIZE: i64 = 10;

pub fn run(ctx: &Context, args: &DedupPurgeArgs) -> anyhow::Result<()> {
    let table = &ctx.tables.processed;
    let mut client = ctx.connect()?;
    let fail = |e| explain_table_error(e, table);
    let cutoff = resolve_past_cutoff(&mut client, &args.before)?;
    let groups = &args.group;
    let filter = EntryFilter {
        groups: groups.clone(),
        processed_before: Some(TimeArg::At(cutoff)),
        ..EntryFilter::default()
    };
    let selection = |params: &mut Params| where_clause(&filter.conditions(params));
    let count = |client: &mut postgres::Client| -> anyhow::Result<u64> {
        let mut params = Params::default();
        let sql = format!("SELECT count(*) FROM {table}{}", selection(&mut params));
        let row = client.query_one(&sql, &params.as_refs()).map_err(fail)?;
        Ok(row.get::<_, i64>(0) as u64)
    };

    if args.mutation.dry_run {
        let matched = count(&mut client)?;
        let mut params = Params::default();
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM {table}{} ORDER BY processed_at LIMIT {SAMPLE_SIZE}",
            selection(&mut params)
        );
        let rows = client.query(&sql, &params.as_refs()).map_err(fail)?;
        let sample: Vec<Entry> = rows
            .iter()
            .map(Entry::from_row)
            .collect::<Result<_, _>>()
            .map_err(fail)?;
        let mut summary = Summary {
            matched,
            dry_run: true,
            ..Summary::default()
        };
        if ctx.out.format.is_machine() {
            summary.extra.insert(
                "sample".into(),
                Value::Array(sample.iter().map(|e| Value::Object(e.to_json())).collect()),
            );
        } else if !sample.is_empty() {
            let mut view = ctx.out.table(&["group", "message id", "processed at"]);
            for entry in &sample {
                view.add_row(vec![
                    truncate(&entry.group_name, 32),
                    truncate(&entry.msg_id, 40),
                    rfc3339(&entry.processed_at),
                ]);
            }
            print_text(&view)?;
        }
        return report(
            &summary,
            &ctx.out,
            &format!(
                "dry run: would delete {matched} entries processed before {} from \"{table}\"; nothing changed",
                rfc3339(&cutoff)
            ),
        );
    }

    let total = count_and_confirm(
        &args.mutation,
        &ctx.out,
        || count(&mut client),
        |total| {
            format!(
                "Delete {total} entries processed before {} from \"{table}\"?",
                rfc3339(&cutoff)
            )
        },
        "nothing was deleted",
    )?;
    // Fails early, with the migrate hint, when the table is missing.
    crate::catalog::table_oid(&mut client, table)?.ok_or_else(|| {
        anyhow::anyhow!("table \"{table}\" does not exist — run \"outboxctl migrate\"")
    })?;
    let mut batcher = KeysetPurge::new(table, cutoff, groups);
    let summary = run_batches(
        &mut client,
        &mut batcher,
        &args.mutation,
        total,
        &ctx.out,
        table,
        "deleted",
    )?;
    report(
        &summary,
        &ctx.out,
        &format!(
            "deleted {} processed before {} {}",
            count_of(summary.changed, "entry", "entries"),
            rfc3339(&cutoff),
            summary.batches_text()
        ),
    )
}
