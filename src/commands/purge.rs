//! `outboxctl purge --before WHEN`: the library's retention rule — delete processed
//! messages whose processed_at is older than the cutoff — in batches that walk the table
//! once. `--include-failed` also deletes failed messages created before the cutoff.
//! Pending and processing messages are never deleted.

use crate::batch::ctid::{CtidWalk, WalkAction};
use crate::batch::engine::{count_and_confirm, report, run_batches, start_purge};
use crate::cli::PurgeArgs;
use crate::commands::preview;
use crate::context::Context;
use crate::db::pgtime::PgTime;
use crate::db::session::Access;
use crate::db::sql::Params;
use crate::error::explain_table_error;
use crate::render::output::count_of;
use crate::tables::outbox;

pub fn run(ctx: &Context, args: &PurgeArgs) -> anyhow::Result<()> {
    let (mut session, located) = ctx.open()?;
    let rel = &located.outbox;
    rel.require()?;
    let fail = |e| explain_table_error(e, rel);
    let (cutoff, run_start) = start_purge(&mut session, rel, &args.before)?;
    let cutoff_text = PgTime::from_chrono(cutoff).human();
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
        return preview::dry_run(ctx, &mut session, rel, &conditions, "delete");
    }
    let total = count_and_confirm(
        &args.mutation,
        &ctx.out,
        || {
            session.with_tx(Access::ReadOnly, &fail, |tx| {
                outbox::count_matching(tx, rel, &conditions).map_err(fail)
            })
        },
        |total| {
            format!(
                "Delete {} older than {cutoff_text} from \"{}\" on {}?",
                count_of(total, &what[..what.len() - 1], what),
                rel.name,
                rel.target
            )
        },
        "nothing was deleted",
    )?;

    let mut walk = CtidWalk::prepare(
        &mut session,
        rel,
        &conditions,
        &run_start,
        WalkAction::Delete,
        args.mutation.batch_size,
    )?;
    walk.warn_if_slow(&ctx.out);
    let summary = run_batches(
        &mut session,
        &mut walk,
        &args.mutation,
        total,
        &ctx.out,
        rel,
        "deleted",
    )?;
    report(
        &summary,
        &ctx.out,
        &format!(
            "deleted {} older than {cutoff_text} from \"{}\" on {} {}{}",
            count_of(summary.changed, &what[..what.len() - 1], what),
            rel.name,
            rel.target,
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
