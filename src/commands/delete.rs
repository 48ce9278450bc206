//! `outboxctl delete`: discard poison messages — by id, or by the same filters as `list`
//! — in any status but `processing`, which a live relay may be publishing (`--force`
//! takes those too). Batches, dry run, confirmation and signals as in `purge`.

use crate::batch::ctid::WalkAction;
use crate::batch::plan::{Plan, Walk, Words};
use crate::cli::DeleteArgs;
use crate::commands::{by_filter, by_ids, message_filter, preview};
use crate::context::Context;
use crate::db::sql::Params;
use crate::error::usage;
use crate::render::output::count_of;
use crate::tables::outbox;

pub fn run(ctx: &Context, args: &DeleteArgs) -> anyhow::Result<()> {
    crate::commands::targets::run_each(ctx, &args.targets, |ctx| run_one(ctx, args))
}

/// One target's run.
fn run_one(ctx: &Context, args: &DeleteArgs) -> anyhow::Result<()> {
    by_ids::refuse_jobs(&args.ids, &args.jobs)?;
    let ids = by_ids::read_ids(&args.ids)?;
    if ids.is_empty() && by_ids::nothing_on_stdin(ctx, &args.ids)? {
        return Ok(());
    }
    let statuses = outbox::parse_statuses(&args.status)?;
    if statuses.iter().any(|s| s == "processing") && !args.force {
        return Err(usage(
            "--status processing needs --force: a live relay may be publishing those messages",
        ));
    }
    let filter = message_filter(&args.filter, statuses.clone());
    let filtered = filter.selects() || !statuses.is_empty();
    if ids.is_empty() && !args.all && !filtered {
        return Err(usage(
            "nothing selected: give message ids, filters (--status, --topic, --before, …), or --all",
        ));
    }
    if !ids.is_empty() && filter.selects() {
        return Err(usage(
            "give message ids or filters, not both: ids select exactly those messages",
        ));
    }
    let force = args.force;
    // What a message must be to be deleted, beyond the filters.
    let state = move |params: &mut Params| -> String {
        let mut parts = Vec::new();
        if !statuses.is_empty() {
            parts.push(format!(
                "status OPERATOR(pg_catalog.=) ANY({})",
                params.push(statuses.clone())
            ));
        }
        if !force {
            parts.push("status OPERATOR(pg_catalog.<>) 'processing'".to_string());
        }
        if parts.is_empty() {
            "TRUE".to_string()
        } else {
            parts.join(" AND ")
        }
    };

    let (mut session, located) = ctx.open_to_change(args.mutation.dry_run)?;
    let rel = &located.outbox;
    rel.require()?;
    if !ids.is_empty() {
        return by_ids::change(
            ctx,
            &mut session,
            rel,
            ids,
            &args.mutation.options(),
            by_ids::IdChange {
                action: format!("DELETE FROM {}", rel.sql),
                condition: &state,
                skipped_because: &|status| {
                    if status == "processing" && !force {
                        "skipped: status is 'processing' (a relay may be publishing it; --force deletes it)".to_string()
                    } else {
                        format!("skipped: status is '{status}', which --status leaves out")
                    }
                },
                done: "deleted",
                would: "would delete",
            },
        );
    }

    let (filter, run_start) = by_filter::start(&mut session, rel, filter)?;
    let conditions = move |params: &mut Params| {
        let mut parts = vec![state(params)];
        parts.extend(filter.conditions(params));
        parts.join(" AND ")
    };
    if args.mutation.dry_run {
        return preview::dry_run(
            ctx,
            &mut session,
            rel,
            &conditions,
            "delete",
            Default::default(),
            "",
        );
    }
    Plan {
        rel,
        options: args.mutation.options(),
        jobs: usize::from(args.jobs.jobs),
        walk: Walk::Ctid {
            selection: &conditions,
            run_start: &run_start,
            action: WalkAction::Delete,
        },
        words: Words {
            question: &|total| {
                format!(
                    "Delete {} from \"{}\" on {}? This cannot be undone",
                    count_of(total, "message", "messages"),
                    rel.name,
                    rel.target
                )
            },
            aborted: "nothing was deleted",
            done: "deleted",
            summary: &|summary| {
                format!(
                    "deleted {} from \"{}\" on {} {}",
                    count_of(summary.changed, "message", "messages"),
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
