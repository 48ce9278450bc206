//! `outboxctl purge --before WHEN`: the library's retention rule — delete processed
//! messages whose processed_at is older than the cutoff — in batches that walk the table
//! once. `--include-failed` also deletes failed messages created before the cutoff.
//! Pending and processing messages are never deleted.

use crate::cli::PurgeArgs;
use crate::commands::preview;
use crate::context::Context;
use crate::error::explain_table_error;
use crate::mutation::{count_and_confirm, report, resolve_past_cutoff, run_batches};
use crate::outbox::{self, rfc3339};
use crate::sql::Params;
use crate::walk::{CtidWalk, WalkAction};

pub fn run(ctx: &Context, args: &PurgeArgs) -> anyhow::Result<()> {
    let table = &ctx.tables.outbox;
    let mut client = ctx.connect()?;
    let cutoff = resolve_past_cutoff(&mut client, &args.before)?;
    let topics = args.topic.clone();
    let include_failed = args.include_failed;
    let conditions = move |params: &mut Params| {
        let c = params.push(cutoff);
        let mut sql = format!("(status = 'processed' AND processed_at < {c}");
        if include_failed {
            sql.push_str(&format!(" OR status = 'failed' AND created_at < {c}"));
        }
        sql.push(')');
        if !topics.is_empty() {
            sql.push_str(&format!(
                " AND topic = ANY({})",
                params.push(topics.clone())
            ));
        }
        sql
    };
    let what = if include_failed {
        "processed and failed messages"
    } else {
        "processed messages"
    };

    if args.mutation.dry_run {
        return preview::dry_run(ctx, &mut client, &conditions, "delete");
    }
    let fail = |e| explain_table_error(e, table);
    let total = count_and_confirm(
        &args.mutation,
        &ctx.out,
        || outbox::count_matching(&mut client, table, &conditions).map_err(fail),
        |total| {
            format!(
                "Delete {total} {what} older than {} from \"{table}\"?",
                rfc3339(&cutoff)
            )
        },
        "nothing was deleted",
    )?;

    let mut params = Params::default();
    let sql = conditions(&mut params);
    let mut walk = CtidWalk::new(
        &mut client,
        table,
        &sql,
        params,
        WalkAction::Delete,
        args.mutation.batch_size,
    )
    .map_err(fail)?;
    walk.warn_if_slow(&ctx.out);
    let summary = run_batches(
        &mut client,
        &mut walk,
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
            "deleted {} {what} older than {} {}{}",
            summary.changed,
            rfc3339(&cutoff),
            summary.batches_text(),
            if summary.skipped > 0 {
                format!(
                    "; {} skipped: changed by another session first",
                    summary.skipped
                )
            } else {
                String::new()
            }
        ),
    )
}
