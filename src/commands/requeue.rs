//! `outboxctl requeue`: put messages back to pending — failed ones by default, rows left
//! in processing by a dead relay with `--stuck`, processed ones with `--replay`. A row is
//! changed only if it is still in the source status when the update reaches it, so a
//! relay that moved it first wins and the row is counted as skipped.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::cli::RequeueArgs;
use crate::commands::{message_filter, preview};
use crate::context::Context;
use crate::error::{explain_table_error, usage};
use crate::mutation::{ListBatcher, RunStart, count_and_confirm, report, run_batches};
use crate::outbox;
use crate::output::count_of;
use crate::session::{Access, Rel, Session};
use crate::sql::Params;
use crate::walk::{CtidWalk, WalkAction};

pub fn run(ctx: &Context, args: &RequeueArgs) -> anyhow::Result<()> {
    let ids: Vec<Uuid> = args
        .ids
        .iter()
        .map(|id| outbox::parse_id(id))
        .collect::<Result<_, _>>()?;
    let filter = message_filter(&args.filter, Vec::new());
    let filtered = !filter.topics.is_empty()
        || filter.key.is_some()
        || !filter.headers.is_empty()
        || filter.error_contains.is_some()
        || filter.created_before.is_some()
        || filter.created_after.is_some();
    // A filter is a selection in itself (`requeue --stuck --before 15m`); with no ids,
    // no filter and no --all there is nothing to act on, and "everything" must be said.
    if ids.is_empty() && !args.all && !filtered {
        return Err(usage(
            "nothing selected: give message ids, filters (--topic, --before, …), or --all for every message in the source status",
        ));
    }
    if !ids.is_empty() && filtered {
        return Err(usage("filters apply only with --all, not to message ids"));
    }
    let source = if args.stuck {
        "processing"
    } else if args.replay {
        "processed"
    } else {
        "failed"
    };
    if args.stuck && ids.is_empty() && filter.created_before.is_none() {
        return Err(usage(
            "--stuck needs --before (e.g. --before 15m): rows in 'processing' are aged by created_at, the only clock the table has",
        ));
    }
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

    let (mut session, located) = ctx.open()?;
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
    let fail = |e| explain_table_error(e, rel);
    // Relative times are fixed once, on the server's clock, with the run's start.
    let (filter, run_start) = session.with_tx(Access::ReadOnly, &fail, |tx| {
        let filter = filter.resolved(tx).map_err(fail)?;
        Ok((filter, RunStart::take(tx).map_err(fail)?))
    })?;
    let conditions = move |params: &mut Params| {
        let mut parts = vec![format!("status = {}", params.push(source.to_string()))];
        parts.extend(filter.conditions(params));
        parts.join(" AND ")
    };
    if args.mutation.dry_run {
        return preview::dry_run(ctx, session, rel, &conditions, "requeue");
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
                "Requeue {} in \"{}\" on {}?",
                count_of(
                    total,
                    &format!("{source} message"),
                    &format!("{source} messages")
                ),
                rel.name,
                rel.target
            )
        },
        "nothing was requeued",
    )?;
    let mut walk = CtidWalk::prepare(
        session,
        rel,
        &conditions,
        &run_start,
        WalkAction::Update(set),
        args.mutation.batch_size,
    )?;
    walk.warn_if_slow(&ctx.out);
    let summary = run_batches(
        session,
        &mut walk,
        &args.mutation,
        total,
        &ctx.out,
        rel,
        "requeued",
    )?;
    report(
        &summary,
        &ctx.out,
        &format!(
            "requeued {} in \"{}\" on {} {}{}",
            count_of(
                summary.changed,
                &format!("{source} message"),
                &format!("{source} messages")
            ),
            rel.name,
            rel.target,
            summary.batches_text(),
            if summary.skipped > 0 {
                format!(
                    "; {} skipped: moved out of '{source}' by another session first",
                    summary.skipped
                )
            } else {
                String::new()
            }
        ),
    )
}

fn requeue_ids(
    ctx: &Context,
    session: &mut Session,
    rel: &Rel,
    args: &RequeueArgs,
    source: &'static str,
    set: &'static str,
    mut ids: Vec<Uuid>,
) -> anyhow::Result<()> {
    let table = &rel.sql;
    let fail = |e| explain_table_error(e, rel);
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));

    let (changed, summary, reached) = if args.mutation.dry_run {
        let rows = session.with_tx(Access::ReadOnly, &fail, |tx| {
            tx.query(
                &format!("SELECT id FROM {table} WHERE id = ANY($1) AND status = $2"),
                &crate::params![ids.clone(), source.to_string()],
            )
            .map_err(fail)
        })?;
        let would: Vec<Uuid> = rows.iter().map(|r| r.get(0)).collect();
        let summary = crate::mutation::Summary {
            matched: ids.len() as u64,
            dry_run: true,
            ..Default::default()
        };
        (would, summary, ids.len())
    } else {
        let mut fixed = Params::default();
        let chunk = fixed.push(Vec::<Uuid>::new());
        let status = fixed.push(source.to_string());
        let mut batcher = ListBatcher::new(
            format!(
                "UPDATE {table} SET {set} WHERE id = ANY({chunk}) AND status = {status} RETURNING id"
            ),
            ids.clone(),
            fixed,
        );
        let summary = run_batches(
            session,
            &mut batcher,
            &args.mutation,
            Some(ids.len() as u64),
            &ctx.out,
            rel,
            "requeued",
        )?;
        let reached = batcher.reached();
        (batcher.changed, summary, reached)
    };

    // Say what happened to every id that was not requeued: missing, in another status,
    // or past the point where Ctrl-C stopped the run.
    let changed: std::collections::HashSet<Uuid> = changed.into_iter().collect();
    let unchanged: Vec<Uuid> = ids
        .iter()
        .filter(|id| !changed.contains(id))
        .copied()
        .collect();
    let current: std::collections::HashMap<Uuid, String> = if unchanged.is_empty() {
        Default::default()
    } else {
        session
            .with_tx(Access::ReadOnly, &fail, |tx| {
                tx.query(
                    &format!("SELECT id, status FROM {table} WHERE id = ANY($1)"),
                    &crate::params![unchanged.clone()],
                )
                .map_err(fail)
            })?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
    };
    let done_word = if args.mutation.dry_run {
        "would requeue"
    } else {
        "requeued"
    };
    let mut results = Vec::new();
    let mut not_found = 0;
    for (position, id) in ids.iter().enumerate() {
        let result = if changed.contains(id) {
            done_word.to_string()
        } else if position >= reached {
            "not reached (interrupted)".to_string()
        } else {
            match current.get(id) {
                Some(status) => format!(
                    "skipped: status is '{}', not '{source}'",
                    crate::output::escape(status)
                ),
                None => {
                    not_found += 1;
                    "not found".to_string()
                }
            }
        };
        if !changed.contains(id) {
            ctx.out.note(format!("{id}: {result}"));
        }
        results.push(json!({"id": id.to_string(), "result": result}));
    }
    let mut summary = summary;
    summary.extra.insert("ids".into(), Value::Array(results));
    summary.extra.insert("not_found".into(), json!(not_found));
    report(
        &summary,
        &ctx.out,
        &format!(
            "{done_word} {} of {}{}",
            changed.len(),
            count_of(ids.len() as u64, "message", "messages"),
            if args.mutation.dry_run {
                "; nothing changed"
            } else {
                ""
            }
        ),
    )
}
