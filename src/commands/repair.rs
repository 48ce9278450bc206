//! `outboxctl migrate --repair`: builds the contract's missing or invalid indexes
//! `CONCURRENTLY` (the relay keeps writing meanwhile) and drops what a failed `REINDEX
//! CONCURRENTLY` left. It never touches a column. It shows its plan and changes nothing
//! unless `--yes` is given or the plan is confirmed on a terminal. Each statement is
//! idempotent (`IF NOT EXISTS`, `IF EXISTS`), so an interrupted repair is finished by
//! running it again.
//!
//! The statements run on a connection of their own whose startup packet carries the
//! timeouts (`--statement-timeout` / `--lock-timeout`, else none: a database's default
//! `statement_timeout` made for application queries would cancel every build) and, on
//! PostgreSQL 14+, `client_connection_check_interval`, so a build whose outboxctl was
//! interrupted or killed is cancelled by the server within a second instead of running on
//! unseen. Nothing of it outlives that connection.

use serde_json::json;

use crate::batch::engine::interactive;
use crate::cli::{MigrateArgs, selected_tables};
use crate::context::Context;
use crate::db::catalog::Predicates;
use crate::db::errors::describe_pg_error;
use crate::db::session::{Access, Session};
use crate::render::output::{Format, count_of, escape, print_json, print_json_line, print_text};
use crate::tables::dedup_columns::DedupColumns;
use crate::tables::repair::{self, Step};
use crate::tables::schema::TableKind;

pub fn run(ctx: &Context, args: &MigrateArgs) -> anyhow::Result<()> {
    if matches!(ctx.out.format, Format::Csv) {
        return Err(crate::error::usage(
            "migrate --repair has no csv form: use --format json or ndjson",
        ));
    }
    let (mut session, located) = ctx.open_to_change(args.dry_run)?;
    let target = located.outbox.target.clone();
    let (plan, missing) = plan_tables(ctx, &mut session, &located, args, Guarded::Refuse)?;
    for table in &missing {
        ctx.out.warn(format!(
            "{table} does not exist in {}: \"outboxctl migrate\" creates it (--repair only mends indexes)",
            escape(&target)
        ));
    }
    let human = !ctx.out.format.is_machine();
    if plan.is_empty() {
        return Ok(print_plan(ctx, &target, &plan, false, missing.len())?);
    }

    let ask = !args.yes && !args.dry_run && interactive();
    if ask && human {
        // The plan first, then the question about it.
        print_plan(ctx, &target, &plan, false, missing.len())?;
    }
    let run_it = !args.dry_run && (args.yes || (ask && confirm(&target, plan.len())?));
    if !run_it {
        ctx.out.note(if args.dry_run {
            "dry run: nothing changed"
        } else if ask {
            "aborted: nothing changed"
        } else {
            "nothing changed: without a terminal, --repair runs only with --yes"
        });
        if ask && human {
            return Ok(());
        }
        return Ok(print_plan(ctx, &target, &plan, false, missing.len())?);
    }

    announce_older_transactions(ctx, &mut session);
    let mut runner = repair_connection(ctx, &mut session)?;
    let runner = runner.as_mut().unwrap_or(&mut session);
    let mut done = 0;
    for (table, step) in &plan {
        if !ctx.out.quiet && human {
            crate::render::output::stderr_line(&format!("{table}: {}", escape(&step.sql)));
        }
        runner.execute_outside_transaction(&step.sql).map_err(|e| {
            anyhow::anyhow!(
                "{} in {target} failed after {done} of {}: {} — a CREATE INDEX CONCURRENTLY that fails leaves an invalid index; run \"outboxctl migrate --repair --yes\" again to drop and rebuild it",
                step.sql,
                count_of(plan.len() as u64, "statement", "statements"),
                describe_pg_error(&e)
            )
        })?;
        done += 1;
    }
    // IF NOT EXISTS can succeed without building anything: what the plan promised is
    // checked, not assumed.
    let (remaining, _) = plan_tables(ctx, &mut session, &located, args, Guarded::PlanOnly)?;
    let remaining: Vec<String> = remaining.into_iter().map(|(_, s)| s.why).collect();
    if !remaining.is_empty() {
        anyhow::bail!(
            "the repair statements ran in {target}, but the indexes still do not match the contract: {}",
            remaining.join("; ")
        );
    }
    let changed = format!(
        "ran {} on {target}",
        count_of(done as u64, "repair statement", "repair statements")
    );
    crate::render::output::report_committed(Some(changed.as_str()), || {
        if ask && human {
            print_text(format!(
                "-- ran {}",
                count_of(done as u64, "statement", "statements")
            ))
        } else {
            print_plan(ctx, &target, &plan, true, missing.len())
        }
    })
}

/// Whether planning refuses what the statements must not run under (an index build in
/// progress, a name taken by another relation, a partitioned table), as before running;
/// after running, only what is still left to do is wanted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Guarded {
    Refuse,
    PlanOnly,
}

/// Steps with the name of the table each is for.
type Plan = Vec<(String, Step)>;

/// The repair steps for each selected table that exists, with the table's name, and the
/// tables that do not exist.
fn plan_tables(
    ctx: &Context,
    session: &mut Session,
    located: &crate::context::Located,
    args: &MigrateArgs,
    guarded: Guarded,
) -> anyhow::Result<(Plan, Vec<String>)> {
    let mut plan: Plan = Vec::new();
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
        let fail = |e| crate::db::errors::explain_table_error(e, rel);
        let steps = session.with_tx(Access::ReadOnly, &fail, |tx| {
            let indexed = match kind {
                TableKind::Processed => {
                    DedupColumns::resolve(tx, rel, ctx.dedup_columns())?.at.name
                }
                TableKind::Outbox => String::new(),
            };
            if guarded == Guarded::Refuse
                && let Some(build) = repair::builds_in_progress(tx, oid).map_err(fail)?.first()
            {
                anyhow::bail!(
                    "an index is being built on {} in {}: {build} — run --repair once it has finished, or cancel it (SELECT pg_catalog.pg_cancel_backend({})); nothing was changed",
                    rel.name,
                    rel.target,
                    build.pid
                );
            }
            let extra: Vec<_> = match kind {
                TableKind::Outbox if args.processing_index => {
                    vec![crate::tables::schema::processing_index(&rel.name).ok_or_else(|| {
                        crate::error::usage(format!(
                            "--processing-index: idx_{}_processing would be longer than 63 bytes",
                            rel.name
                        ))
                    })?]
                }
                _ => Vec::new(),
            };
            let steps = repair::plan_with(
                tx,
                kind,
                rel,
                oid,
                &indexed,
                Predicates::Deparse,
                &extra,
            )
            .map_err(fail)?;
            if guarded == Guarded::Refuse
                && let Some(obstacle) = repair::obstacle(tx, rel, oid, &steps).map_err(fail)?
            {
                anyhow::bail!(
                    "cannot repair {} in {}: {obstacle}; nothing was changed",
                    rel.name,
                    rel.target
                );
            }
            Ok(steps)
        })?;
        plan.extend(steps.into_iter().map(|s| (rel.name.clone(), s)));
    }
    Ok((plan, missing))
}

/// The connection the statements run on: the timeouts in its startup packet. When the
/// server or a pooler refuses startup options, the planning session does the work, under
/// whatever `statement_timeout` the database gives it.
pub(crate) fn repair_connection(
    ctx: &Context,
    session: &mut Session,
) -> anyhow::Result<Option<Session>> {
    let version: i32 = session.with_tx(
        Access::ReadOnly,
        &|e| anyhow::anyhow!("{}", describe_pg_error(&e)),
        |tx| {
            Ok(tx
                .query_one(
                    "SELECT pg_catalog.current_setting('server_version_num')::int",
                    &crate::params![],
                )
                .map_err(|e| anyhow::anyhow!("{}", describe_pg_error(&e)))?
                .get(0))
        },
    )?;
    let ms = |d: Option<std::time::Duration>| d.map_or(0, |d| d.as_millis()).to_string();
    let (statement, lock) = ctx.timeouts();
    let mut settings = vec![
        ("statement_timeout".to_string(), ms(statement)),
        ("lock_timeout".to_string(), ms(lock)),
    ];
    if version >= 140_000 {
        settings.push(("client_connection_check_interval".into(), "1000".into()));
    }
    match ctx.connect_with_startup(settings) {
        Ok(runner) => Ok(Some(runner)),
        Err(err) => {
            ctx.out.warn(format!(
                "could not open a connection with its own timeouts ({}); running on the ordinary one, where the database's statement_timeout applies",
                escape(&crate::db::errors::one_line(&err))
            ));
            Ok(None)
        }
    }
}

/// `CREATE INDEX CONCURRENTLY` waits for every transaction older than itself; naming them
/// up front saves a user from staring at a silent terminal.
pub(crate) fn announce_older_transactions(ctx: &Context, session: &mut Session) {
    if ctx.out.quiet {
        return;
    }
    let rows = session.with_tx(
        Access::ReadOnly,
        &|e| anyhow::anyhow!("{}", describe_pg_error(&e)),
        |tx| {
            tx.query(
                "SELECT pid, usename::pg_catalog.text, application_name, state,
                        extract(epoch FROM pg_catalog.now() OPERATOR(pg_catalog.-) xact_start)::pg_catalog.float8
                   FROM pg_catalog.pg_stat_activity
                  WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database() AND pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()
                    AND (backend_xid IS NOT NULL OR backend_xmin IS NOT NULL)
                    AND xact_start OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) interval '5 seconds')
                  ORDER BY xact_start
                  LIMIT 5",
                &crate::params![],
            )
            .map_err(|e| anyhow::anyhow!("{}", describe_pg_error(&e)))
        },
    );
    let Ok(rows) = rows else { return };
    if rows.is_empty() {
        return;
    }
    let sessions: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "pid {} ({} {}, {} for {})",
                r.get::<_, i32>(0),
                r.get::<_, Option<String>>(1).unwrap_or_default(),
                r.get::<_, Option<String>>(2).unwrap_or_default(),
                r.get::<_, Option<String>>(3).unwrap_or_default(),
                crate::diagnose::age(r.get::<_, Option<f64>>(4).unwrap_or_default())
            )
        })
        .collect();
    ctx.out.note(format!(
        "note: CREATE INDEX CONCURRENTLY waits for transactions older than itself to end; open now: {}",
        escape(&sessions.join(", "))
    ));
}

pub(crate) fn confirm(target: &str, statements: usize) -> anyhow::Result<bool> {
    crate::batch::engine::ask(&format!(
        "Run {} on {}?",
        if statements == 1 {
            "this statement".to_string()
        } else {
            format!("these {statements} statements")
        },
        escape(target)
    ))
}

fn print_plan(
    ctx: &Context,
    target: &str,
    plan: &[(String, Step)],
    ran: bool,
    missing: usize,
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
                return print_text(if missing > 0 {
                    format!("no index to repair in {}", escape(target))
                } else {
                    format!(
                        "indexes match the contract in {}: nothing to repair",
                        escape(target)
                    )
                });
            }
            let mut lines = vec![format!(
                "-- {} {} on {}",
                if ran { "ran" } else { "would run" },
                count_of(plan.len() as u64, "statement", "statements"),
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
