//! `outboxctl dedup unmark GROUP MSG_ID…`: forget entries so the messages are handled
//! again; says which existed.

use crate::batch::engine::ItemResult;

use crate::batch::engine::{ListBatcher, Summary, confirm, report, run_batches};
use crate::cli::DedupUnmarkArgs;
use crate::context::Context;
use crate::db::errors::explain_table_error;
use crate::db::session::Access;
use crate::db::sql::Params;
use crate::render::output::{count_of, escape};

pub fn run(ctx: &Context, args: &DedupUnmarkArgs) -> anyhow::Result<()> {
    let mut msg_ids = Vec::new();
    for arg in &args.msg_ids {
        if arg == "-" {
            use std::io::BufRead;
            for line in std::io::stdin().lock().lines() {
                let line = line.map_err(|e| {
                    crate::error::usage(format!("cannot read message ids from standard input: {e}"))
                })?;
                if !line.trim().is_empty() {
                    msg_ids.push(line.trim().to_string());
                }
            }
        } else {
            msg_ids.push(arg.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    msg_ids.retain(|id| seen.insert(id.clone()));
    if msg_ids.is_empty() && crate::commands::by_ids::nothing_on_stdin(ctx, &args.msg_ids)? {
        return Ok(());
    }

    let (mut session, located) = ctx.open_to_change(args.mutation.dry_run)?;
    let rel = &located.processed;
    rel.require()?;
    let cols = ctx.dedup_table(&mut session, rel)?.cols;
    let (group_col, id_col) = (&cols.group.sql, &cols.id.sql);
    let table = &rel.sql;
    let fail = |e| explain_table_error(e, rel);
    if msg_ids.len() > 1
        && !confirm(
            &format!(
                "Forget {} entries of group \"{}\" in \"{}\" on {}?",
                msg_ids.len(),
                escape(&args.group),
                rel.name,
                rel.target
            ),
            &args.mutation.options(),
        )?
    {
        anyhow::bail!("aborted: nothing was unmarked");
    }

    let (removed, mut summary, reached) = if args.mutation.dry_run {
        let rows = session.with_tx(Access::ReadOnly, &fail, |tx| {
            tx.query(
                &format!(
                    "SELECT {id_col}::pg_catalog.text FROM {table} WHERE {group_col} OPERATOR(pg_catalog.=) $2 AND {id_col} OPERATOR(pg_catalog.=) ANY($1)"
                ),
                &crate::params![msg_ids.clone(), args.group.clone()],
            )
            .map_err(fail)
        })?;
        let summary = Summary {
            matched: msg_ids.len() as u64,
            dry_run: true,
            ..Summary::default()
        };
        (
            rows.iter()
                .map(|r| r.get::<_, String>(0))
                .collect::<Vec<_>>(),
            summary,
            msg_ids.len(),
        )
    } else {
        let mut fixed = Params::default();
        let chunk = fixed.push(Vec::<String>::new());
        let group = fixed.push(args.group.clone());
        let mut batcher = ListBatcher::new(
            format!(
                "DELETE FROM {table} WHERE {group_col} OPERATOR(pg_catalog.=) {group} AND {id_col} OPERATOR(pg_catalog.=) ANY({chunk}) RETURNING {id_col}::pg_catalog.text"
            ),
            msg_ids.clone(),
            fixed,
        );
        let summary = run_batches(
            &mut session,
            &mut batcher,
            &args.mutation.options(),
            None,
            &ctx.out,
            rel,
            "unmarked",
        )?;
        let reached = batcher.reached();
        (batcher.changed, summary, reached)
    };

    let removed: std::collections::HashSet<String> = removed.into_iter().collect();
    let done = if args.mutation.dry_run {
        "would unmark"
    } else {
        "unmarked"
    };
    let mut results = Vec::new();
    let mut not_found = 0u64;
    for (position, msg_id) in msg_ids.iter().enumerate() {
        let result = if removed.contains(msg_id) {
            done
        } else if position >= reached {
            "not reached (interrupted)"
        } else {
            not_found += 1;
            "not found"
        };
        ctx.out.note(format!(
            "{}/{}: {result}",
            escape(&args.group),
            escape(msg_id)
        ));
        results.push(ItemResult {
            id: None,
            msg_id: Some(msg_id.clone()),
            result: result.to_string(),
        });
    }
    summary.matched = (reached as u64).saturating_sub(not_found);
    // A missing entry is not found, not skipped.
    summary.skipped = 0;
    summary.details.ids = Some(results);
    summary.details.not_found = Some(not_found);
    report(
        &summary,
        &ctx.out,
        &format!(
            "{done} {} of {} in \"{}\" on {}{}",
            removed.len(),
            count_of(msg_ids.len() as u64, "entry", "entries"),
            rel.name,
            rel.target,
            if args.mutation.dry_run {
                "; nothing changed"
            } else {
                ""
            }
        ),
    )?;
    // Like `rm a b` with a missing b: the rest is done, and the exit code says it.
    if not_found > 0 {
        return Err(crate::error::Failure {
            code: crate::error::exit::RUNTIME,
            message: format!(
                "{not_found} of {} named had no entry in group \"{}\"",
                count_of(msg_ids.len() as u64, "entry", "entries"),
                escape(&args.group)
            ),
        }
        .into());
    }
    Ok(())
}
