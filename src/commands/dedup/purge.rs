//! `outboxctl dedup purge --before WHEN`: the library's PurgeProcessedBefore, in batches
//! along the processed_at index, sharing the mutation engine with `purge`.

use serde_json::Value;

use crate::batch::engine::{Summary, report};
use crate::batch::plan::{Plan, Walk, Words};
use crate::cli::DedupPurgeArgs;
use crate::commands::by_filter;
use crate::context::Context;
use crate::db::errors::explain_table_error;
use crate::db::pgtime::PgTime;
use crate::db::session::{Access, Tx};
use crate::db::sql::{Params, where_clause};
use crate::render::output::{count_of, print_text, truncate};
use crate::tables::dedup::{Entry, EntryFilter};
use crate::tables::timearg::TimeArg;

const SAMPLE_SIZE: i64 = 10;

pub fn run(ctx: &Context, args: &DedupPurgeArgs) -> anyhow::Result<()> {
    crate::commands::targets::run_each(ctx, &args.targets, |ctx| run_one(ctx, args))
}

/// One target's run.
fn run_one(ctx: &Context, args: &DedupPurgeArgs) -> anyhow::Result<()> {
    let (mut session, located) = ctx.open_to_change(args.mutation.dry_run)?;
    let rel = &located.processed;
    rel.require()?;
    let dedup_table = ctx.dedup_table(&mut session, rel)?;
    let cols = &dedup_table.cols;
    let table = &rel.sql;
    let fail = |e| explain_table_error(e, rel);
    let (cutoff, run_start) = by_filter::start_before(&mut session, rel, &args.before)?;
    let cutoff_text = PgTime::from_chrono(cutoff).human();
    let groups = &args.group;
    let filter = EntryFilter {
        groups: groups.clone(),
        processed_before: Some(TimeArg::At(cutoff)),
        ..EntryFilter::default()
    };
    let selection = |params: &mut Params| where_clause(&filter.conditions(cols, params));
    let count = |tx: &mut Tx<'_>| -> anyhow::Result<u64> {
        let mut params = Params::default();
        let sql = format!(
            "SELECT pg_catalog.count(*) FROM {table}{}",
            selection(&mut params)
        );
        let row = tx.query_one(&sql, &params).map_err(fail)?;
        Ok(row.get::<_, i64>(0) as u64)
    };

    if args.mutation.dry_run {
        let (matched, sample) = session.with_tx(Access::ReadOnly, &fail, |tx| {
            let matched = count(tx)?;
            let mut params = Params::default();
            let sql = format!(
                "SELECT {} FROM {table}{} ORDER BY {} LIMIT {SAMPLE_SIZE}",
                cols.select_list(),
                selection(&mut params),
                cols.at.sql
            );
            let rows = tx.query(&sql, &params).map_err(fail)?;
            let sample: Vec<Entry> = rows
                .iter()
                .map(Entry::from_row)
                .collect::<Result<_, _>>()
                .map_err(fail)?;
            Ok((matched, sample))
        })?;
        let mut summary = Summary {
            matched,
            dry_run: true,
            ..Summary::default()
        };
        if ctx.out.format.is_machine() {
            summary.details.sample =
                Some(sample.iter().map(|e| Value::Object(e.to_json())).collect());
        } else if !sample.is_empty() && !ctx.out.quiet {
            let mut view = ctx.out.table(&["group", "message id", "processed at"]);
            for entry in &sample {
                view.add_row(vec![
                    truncate(entry.group_name.as_deref().unwrap_or("null"), 32),
                    truncate(entry.msg_id.as_deref().unwrap_or("null"), 40),
                    entry
                        .processed_at
                        .map_or_else(|| "null".to_string(), |t| t.human()),
                ]);
            }
            print_text(&view)?;
        }
        return report(
            &summary,
            &ctx.out,
            &format!(
                "dry run: would delete {} processed before {cutoff_text} from \"{}\" on {}; nothing changed",
                count_of(matched, "entry", "entries"),
                rel.name,
                rel.target
            ),
        );
    }

    Plan {
        rel,
        options: args.mutation.options(),
        jobs: usize::from(args.jobs.jobs),
        walk: Walk::DedupBefore {
            table: &dedup_table,
            cutoff: PgTime::from_chrono(cutoff),
            groups,
            run_start: &run_start,
            count: &count,
        },
        words: Words {
            question: &|total| {
                format!(
                    "Delete {} processed before {cutoff_text} from \"{}\" on {}?",
                    count_of(total, "entry", "entries"),
                    rel.name,
                    rel.target
                )
            },
            aborted: "nothing was deleted",
            done: "deleted",
            summary: &|summary| {
                format!(
                    "deleted {} processed before {cutoff_text} from \"{}\" on {} {}",
                    count_of(summary.changed, "entry", "entries"),
                    rel.name,
                    rel.target,
                    summary.batches_text()
                )
            },
            skipped_because: "changed by another session first",
        },
        details: Default::default(),
    }
    .execute(&mut session, &|n| ctx.connect_more(n), &ctx.out)
}
