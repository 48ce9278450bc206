//! `outboxctl purge --before WHEN`: the library's retention rule — delete processed
//! messages whose processed_at is older than the cutoff — in batches that walk the table
//! once. `--include-failed` also deletes failed messages created before the cutoff.
//! Pending and processing messages are never deleted.

use crate::batch::ctid::WalkAction;
use crate::batch::engine::SummaryDetails;
use crate::batch::plan::{Plan, Walk, Words};
use crate::batch::retention;
use crate::cli::PurgeArgs;
use crate::commands::{by_filter, preview};
use crate::context::Context;
use crate::db::pgtime::PgTime;
use crate::db::sql::Params;
use crate::render::output::count_of;

pub fn run(ctx: &Context, args: &PurgeArgs) -> anyhow::Result<()> {
    crate::commands::targets::run_each(ctx, &args.targets, |ctx| run_one(ctx, args))
}

/// One target's run.
fn run_one(ctx: &Context, args: &PurgeArgs) -> anyhow::Result<()> {
    let (mut session, located) = ctx.open_to_change(args.mutation.dry_run)?;
    let rel = &located.outbox;
    rel.require()?;
    let (cutoff, run_start) = by_filter::start_before(&mut session, rel, &args.before)?;
    let cutoff_text = PgTime::from_chrono(cutoff).human();
    let topics = args.topic.clone();
    let include_failed = args.include_failed;
    let conditions = move |params: &mut Params| {
        let c = params.push(cutoff);
        let mut sql = format!(
            "(status OPERATOR(pg_catalog.=) 'processed' AND processed_at OPERATOR(pg_catalog.<) {c}"
        );
        if include_failed {
            sql.push_str(&format!(" OR status OPERATOR(pg_catalog.=) 'failed' AND created_at OPERATOR(pg_catalog.<) {c}"));
        }
        sql.push(')');
        if !topics.is_empty() {
            sql.push_str(&format!(
                " AND topic OPERATOR(pg_catalog.=) ANY({})",
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

    // A partitioned outbox: partitions wholly before the cutoff that hold nothing the
    // purge keeps are dropped whole; the batches then purge what is left.
    // Run even with no candidate: an earlier run's leftovers are cleaned up first.
    let retention = match retention::candidates(&mut session, rel, cutoff)? {
        None => None,
        Some(candidates) => Some(retention::drop_removable(
            &mut session,
            rel,
            &candidates,
            &retention::Rule {
                cutoff,
                include_failed,
                topics: args.topic.clone(),
            },
            args.mutation.dry_run,
        )?),
    };
    let details = retention
        .as_ref()
        .map(|outcome| SummaryDetails::default().with_retention(outcome))
        .unwrap_or_default();
    // What stayed, and why, for people (the JSON has every one).
    let kept_text = match &retention {
        Some(outcome) if !outcome.kept.is_empty() => {
            let shown: Vec<String> = outcome
                .kept
                .iter()
                .take(3)
                .map(|(name, why)| format!("{name}: {why}"))
                .collect();
            let more = outcome.kept.len().saturating_sub(shown.len());
            format!(
                "; kept {} before the cutoff ({}{})",
                count_of(outcome.kept.len() as u64, "partition", "partitions"),
                shown.join("; "),
                if more > 0 {
                    format!("; {more} more in --format json")
                } else {
                    String::new()
                }
            )
        }
        _ => String::new(),
    };
    if let Some(outcome) = &retention
        && outcome.interrupted
    {
        let summary = crate::batch::engine::Summary {
            interrupted: true,
            dry_run: args.mutation.dry_run,
            details: details.clone(),
            ..Default::default()
        };
        return crate::batch::engine::report(
            &summary,
            &ctx.out,
            &format!(
                "dropped {} whole before the signal{kept_text}",
                count_of(outcome.dropped.len() as u64, "partition", "partitions")
            ),
        );
    }
    let dropped_text = |dry_run: bool| match &retention {
        Some(outcome) if !outcome.dropped.is_empty() => {
            let names = outcome
                .dropped
                .iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let partitions = count_of(outcome.dropped.len() as u64, "partition", "partitions");
            // A large partition proved through its index is not counted, only estimated.
            let about = if outcome.rows_estimated() {
                "about "
            } else {
                ""
            };
            if dry_run {
                format!(
                    "; {about}{} of them in {partitions} that would be dropped whole ({names})",
                    outcome.rows_dropped()
                )
            } else {
                format!(
                    ", and dropped {partitions} whole ({about}{}: {names})",
                    count_of(outcome.rows_dropped() as u64, "message", "messages")
                )
            }
        }
        _ => String::new(),
    };
    if args.mutation.dry_run {
        return preview::dry_run(
            ctx,
            &mut session,
            rel,
            &conditions,
            "delete",
            details,
            &format!("{}{kept_text}", dropped_text(true)),
        );
    }
    let dropped = format!("{}{kept_text}", dropped_text(false));
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
                    "Delete {} older than {cutoff_text} from \"{}\" on {}?",
                    count_of(total, &what[..what.len() - 1], what),
                    rel.name,
                    rel.target
                )
            },
            aborted: "nothing was deleted",
            done: "deleted",
            summary: &|summary| {
                format!(
                    "deleted {} older than {cutoff_text} from \"{}\" on {} {}{dropped}",
                    count_of(summary.changed, &what[..what.len() - 1], what),
                    rel.name,
                    rel.target,
                    summary.batches_text()
                )
            },
            skipped_because: "changed by another session first",
        },
        details,
    }
    .execute(&mut session, &|n| ctx.connect_more(n), &ctx.out)
}
