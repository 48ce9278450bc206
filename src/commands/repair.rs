//! `outboxctl migrate --repair`: builds the contract's missing or invalid indexes
//! `CONCURRENTLY` (the relay keeps writing meanwhile) and drops what a failed `REINDEX
//! CONCURRENTLY` left. It never touches a column. It shows its plan and changes nothing
//! unless `--yes` is given or the plan is confirmed on a terminal. Each statement is
//! idempotent (`IF NOT EXISTS`, `IF EXISTS`), so an interrupted repair is finished by
//! running it again.

use serde_json::json;

use crate::batch::engine::interactive;
use crate::cli::{MigrateArgs, selected_tables};
use crate::context::Context;
use crate::db::catalog::Predicates;
use crate::db::session::Access;
use crate::error::describe_pg_error;
use crate::render::output::{Format, escape, print_json, print_json_line, print_text};
use crate::tables::dedup_columns::DedupColumns;
use crate::tables::repair::{self, Step};
use crate::tables::schema::TableKind;

pub fn run(ctx: &Context, args: &MigrateArgs) -> anyhow::Result<()> {
    if matches!(ctx.out.format, Format::Csv) {
        return Err(crate::error::usage(
            "migrate --repair has no csv form: use --format json or ndjson",
        ));
    }
    let (mut session, located) = ctx.open()?;
    let target = located.outbox.target.clone();
    let mut plan: Vec<(String, Step)> = Vec::new();
    let mut missing = Vec::new();
    for kind in selected_tables(args.only) {
        let rel = match kind {
            TableKind::Outbox => &located.outbox,
            TableKind::Processed => &located.processed,
        };
        let Some(oid) = rel.oid else {
            missing.push(rel.name.clone());
            continue;
        };
        let fail = |e| crate::error::explain_table_error(e, rel);
        let steps = session.with_tx(Access::ReadOnly, &fail, |tx| {
            let indexed = match kind {
                TableKind::Processed => {
                    DedupColumns::resolve(tx, rel, ctx.dedup_columns())?.at.name
                }
                TableKind::Outbox => String::new(),
            };
            repair::plan(tx, kind, rel, oid, &indexed, Predicates::Deparse).map_err(fail)
        })?;
        plan.extend(steps.into_iter().map(|s| (rel.name.clone(), s)));
    }
    for table in &missing {
        ctx.out.warn(format!(
            "{table} does not exist in {}: \"outboxctl migrate\" creates it (--repair only mends indexes)",
            escape(&target)
        ));
    }

    let run_it = !plan.is_empty()
        && !args.dry_run
        && (args.yes || (interactive() && ask(&target, plan.len())?));
    if !plan.is_empty() && !run_it {
        ctx.out.note(if args.dry_run {
            "dry run: nothing changed"
        } else if interactive() {
            "aborted: nothing changed"
        } else {
            "nothing changed: without a terminal, --repair runs only with --yes"
        });
    }
    let mut done = 0;
    if run_it {
        for (table, step) in &plan {
            if !ctx.out.quiet && !ctx.out.format.is_machine() {
                crate::render::output::stderr_line(&format!("{table}: {}", escape(&step.sql)));
            }
            session.execute_outside_transaction(&step.sql).map_err(|e| {
                anyhow::anyhow!(
                    "{} in {target} failed after {done} of {} statements: {} — a CREATE INDEX CONCURRENTLY that fails leaves an invalid index; run \"outboxctl migrate --repair --yes\" again to drop and rebuild it",
                    step.sql,
                    plan.len(),
                    describe_pg_error(&e)
                )
            })?;
            done += 1;
        }
    }
    let changed = format!("ran {done} repair statements on {target}");
    crate::render::output::report_committed((done > 0).then_some(changed.as_str()), || {
        print_plan(ctx, &target, &plan, run_it)
    })
}

fn ask(target: &str, statements: usize) -> anyhow::Result<bool> {
    use std::io::{BufRead, Write};
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "Run these {statements} statements on {}? [y/N] ",
        escape(target)
    );
    let _ = err.flush();
    drop(err);
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

fn print_plan(
    ctx: &Context,
    target: &str,
    plan: &[(String, Step)],
    ran: bool,
) -> std::io::Result<()> {
    let steps: Vec<_> = plan
        .iter()
        .map(|(table, step)| json!({"table": table, "why": step.why, "sql": step.sql, "done": ran}))
        .collect();
    let summary = json!({"target": target, "dry_run": !ran, "steps": steps});
    match ctx.out.format {
        Format::Json => print_json(&summary),
        Format::Ndjson => print_json_line(&summary),
        _ => {
            if plan.is_empty() {
                return print_text(format!(
                    "indexes match the contract in {}: nothing to repair",
                    escape(target)
                ));
            }
            let mut lines = vec![format!(
                "-- {} {} on {}",
                if ran { "ran" } else { "would run" },
                crate::render::output::count_of(plan.len() as u64, "statement", "statements"),
                escape(target)
            )];
            for (_, step) in plan {
                lines.push(format!("-- {}", escape(&step.why)));
                lines.push(step.sql.clone());
            }
            print_text(lines.join("\n"))
        }
    }
}
