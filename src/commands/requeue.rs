//! `outboxctl requeue`: put messages back to pending — failed ones by default, rows left
//! in processing by a dead relay with `--stuck`, processed ones with `--replay`. A row is
//! changed only if it is still in the source status when the update reaches it, so a
//! relay that moved it first wins and the row is counted as skipped.

use crate::batch::ctid::WalkAction;
use crate::batch::plan::{Plan, Walk, Words};
use crate::cli::RequeueArgs;
use crate::commands::{by_filter, by_ids, message_filter, preview};
use crate::context::Context;
use crate::db::session::{Rel, Session};
use crate::db::sql::Params;
use crate::error::usage;
use crate::render::output::count_of;
use crate::tables::outbox;

pub fn run(ctx: &Context, args: &RequeueArgs) -> anyhow::Result<()> {
    crate::commands::targets::run_each(ctx, &args.targets, |ctx| run_one(ctx, args))
}

/// How old a row in processing must be for `--stuck` without `--before`: the default
/// of `stats --stuck-after` and `watch --stuck-after`.
const STUCK_AFTER: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// One target's run.
fn run_one(ctx: &Context, args: &RequeueArgs) -> anyhow::Result<()> {
    by_ids::refuse_jobs(&args.ids, &args.jobs)?;
    let ids = by_ids::read_ids(&args.ids)?;
    let mut filter = message_filter(&args.filter, Vec::new());
    // --stuck ages rows by created_at: without --before, the same 15 minutes as the
    // stuck count of stats and watch.
    if args.stuck && filter.created_before.is_none() && args.ids.is_empty() {
        filter.created_before = Some(crate::tables::timearg::TimeArg::Ago(STUCK_AFTER));
    }
    if ids.is_empty() && by_ids::nothing_on_stdin(ctx, &args.ids)? {
        return Ok(());
    }
    let filtered = filter.selects();
    // A filter is a selection in itself (`requeue --error-contains timeout`); with no
    // ids, no filter and no --all there is nothing to act on, and "everything" must be said.
    if ids.is_empty() && !args.all && !filtered {
        return Err(usage(
            "nothing selected: give message ids, filters (--topic, --before, …), or --all for every message in the source status",
        ));
    }
    if !ids.is_empty() && filtered {
        return Err(usage(
            "give message ids or filters, not both: ids select exactly those messages",
        ));
    }
    let source = if args.stuck {
        "processing"
    } else if args.replay {
        "processed"
    } else {
        "failed"
    };
    let set = match (args.keep_retries, args.replay) {
        (false, false) => "status = 'pending', retries = 0",
        (true, false) => "status = 'pending'",
        (false, true) => "status = 'pending', retries = 0, processed_at = NULL",
        (true, true) => "status = 'pending', processed_at = NULL",
    };
    if args.stuck {
        ctx.out.warn(
            "a relay that is still alive may hold rows in 'processing'; requeued rows it later finishes will be delivered twice",
        );
    }

    let (mut session, located) = ctx.open_to_change(args.mutation.dry_run)?;
    let rel = &located.outbox;
    rel.require()?;
    if ids.is_empty() {
        requeue_matching(ctx, &mut session, rel, args, source, set, filter)
    } else {
        requeue_ids(ctx, &mut session, rel, args, source, set, ids)
    }
}

fn requeue_matching(
    ctx: &Context,
    session: &mut Session,
    rel: &Rel,
    args: &RequeueArgs,
    source: &'static str,
    set: &'static str,
    filter: outbox::MessageFilter,
) -> anyhow::Result<()> {
    let (filter, run_start) = by_filter::start(session, rel, filter)?;
    let conditions = move |params: &mut Params| {
        let mut parts = vec![format!(
            "status OPERATOR(pg_catalog.=) {}",
            params.push(source.to_string())
        )];
        parts.extend(filter.conditions(params));
        parts.join(" AND ")
    };
    if args.mutation.dry_run {
        return preview::dry_run(
            ctx,
            session,
            rel,
            &conditions,
            "requeue",
            Default::default(),
            "",
        );
    }
    let noun = |n: u64| {
        count_of(
            n,
            &format!("{source} message"),
            &format!("{source} messages"),
        )
    };
    Plan {
        rel,
        options: args.mutation.options(),
        jobs: usize::from(args.jobs.jobs),
        walk: Walk::Ctid {
            selection: &conditions,
            run_start: &run_start,
            action: WalkAction::Update(set),
        },
        words: Words {
            question: &|total| {
                format!(
                    "Requeue {} in \"{}\" on {}?",
                    noun(total),
                    rel.name,
                    rel.target
                )
            },
            aborted: "nothing was requeued",
            done: "requeued",
            summary: &|summary| {
                format!(
                    "requeued {} in \"{}\" on {} {}",
                    noun(summary.changed),
                    rel.name,
                    rel.target,
                    summary.batches_text()
                )
            },
            skipped_because: &format!("moved out of '{source}' by another session first"),
        },
        details: Default::default(),
    }
    .execute(session, &|n| ctx.connect_more(n), &ctx.out)
}

fn requeue_ids(
    ctx: &Context,
    session: &mut Session,
    rel: &Rel,
    args: &RequeueArgs,
    source: &'static str,
    set: &'static str,
    ids: Vec<outbox::IdPrefix>,
) -> anyhow::Result<()> {
    by_ids::change(
        ctx,
        session,
        rel,
        ids,
        &args.mutation.options(),
        by_ids::IdChange {
            action: format!("UPDATE {} SET {set}", rel.sql),
            condition: &|params| {
                format!(
                    "status OPERATOR(pg_catalog.=) {}",
                    params.push(source.to_string())
                )
            },
            skipped_because: &|status| format!("skipped: status is '{status}', not '{source}'"),
            done: "requeued",
            would: "would requeue",
        },
    )
}
