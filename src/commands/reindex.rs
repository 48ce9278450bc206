//! `outboxctl reindex`: rebuilds the tables' bloated indexes online, as pg-boss and Oban
//! ship for their queue tables. Every claim and mark of the relay changes `status`,
//! which the pending index's predicate reads, so none of those updates is HOT: each
//! writes a new entry into every index, and a busy outbox's indexes bloat however its
//! fillfactor is set. `REINDEX INDEX CONCURRENTLY` rebuilds one without blocking the
//! relay; it is run one index at a time, each lock wait held to `--lock-timeout`.
//!
//! Which indexes: those doctor's bloat check finds emptier than its threshold (the same
//! estimate, or pgstattuple with `--exact`), `--index NAME`, or `--all`. An interrupted
//! `REINDEX … CONCURRENTLY` leaves an invalid `<name>_ccnew` (or `_ccold`): every
//! invalid index of the tables is dropped first, so a rerun finishes the job.

use crate::cli::ReindexArgs;
use crate::context::Context;
use crate::db::catalog::RELATION_TREE;
use crate::db::errors::{describe_pg_error, explain_table_error};
use crate::db::session::{Access, Rel, Session};
use crate::db::sql::quote_ident;
use crate::diagnose::{self, Thresholds};
use crate::render::output::{Format, count_of, escape, print_text};

/// `reindex --format json`.
#[derive(Debug, Default, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReindexReport {
    /// Nothing ran: `--dry-run`, a refused question, or no terminal and no `--yes`.
    pub dry_run: bool,
    /// Invalid indexes an interrupted rebuild left, dropped (or to drop) first.
    pub leftovers: Vec<String>,
    /// The indexes rebuilt (or to rebuild), each with why.
    pub indexes: Vec<ReindexedIndex>,
    /// Every statement, in order.
    pub statements: Vec<String>,
}

#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReindexedIndex {
    /// `schema.name`, as the statement names it.
    pub index: String,
    pub bytes_before: i64,
    /// After the rebuild; absent in a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_after: Option<i64>,
    /// The bloat estimate that chose it (absent for `--index` and `--all`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bloat_ratio: Option<f64>,
}

pub fn run(ctx: &Context, args: &ReindexArgs) -> anyhow::Result<()> {
    if matches!(ctx.out.format, Format::Csv) {
        return Err(crate::error::usage(
            "reindex has no csv form: use --format json or ndjson",
        ));
    }
    let thresholds = Thresholds::parse(&args.threshold)?;
    let (mut session, located) = ctx.open_to_change(args.dry_run)?;
    let target = located.outbox.target.clone();
    let tables: Vec<&Rel> = [&located.outbox, &located.processed]
        .into_iter()
        .filter(|r| r.oid.is_some())
        .collect();
    if tables.is_empty() {
        anyhow::bail!(
            "neither table exists in {}: nothing to reindex",
            escape(&target)
        );
    }
    refuse_while_building(&mut session, &tables, &target)?;
    refuse_unless_owner(&mut session, &tables, &target)?;
    let indexes = indexes_of(&mut session, &tables)?;
    let mut report = ReindexReport {
        leftovers: indexes
            .iter()
            .filter(|i| !i.valid)
            .map(|i| i.sql.clone())
            .collect(),
        ..ReindexReport::default()
    };
    let valid: Vec<&Index> = indexes.iter().filter(|i| i.valid).collect();
    if !args.index.is_empty() {
        for wanted in &args.index {
            let found = valid
                .iter()
                .find(|i| i.name == *wanted || i.sql == *wanted)
                .ok_or_else(|| {
                    crate::error::usage(format!(
                        "no valid index {} on the outbox or dedup table in {}; they have: {}",
                        escape(wanted),
                        escape(&target),
                        valid
                            .iter()
                            .map(|i| escape(&i.name).into_owned())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?;
            report.indexes.push(chosen(found, None));
        }
    } else if args.all {
        report.indexes = valid.iter().map(|i| chosen(i, None)).collect();
    } else {
        let bloated = bloated(ctx, &mut session, &located, thresholds, args.exact)?;
        for (name, ratio) in bloated {
            if let Some(found) = valid.iter().find(|i| i.name == name) {
                report.indexes.push(chosen(found, Some(ratio)));
            }
        }
    }
    report.statements = report
        .leftovers
        .iter()
        .map(|i| format!("DROP INDEX CONCURRENTLY IF EXISTS {i};"))
        .chain(
            report
                .indexes
                .iter()
                .map(|i| format!("REINDEX INDEX CONCURRENTLY {};", i.index)),
        )
        .collect();
    if report.statements.is_empty() {
        report.dry_run = args.dry_run;
        return finish(ctx, &report, "no index needs a rebuild", &target);
    }

    let human = !ctx.out.format.is_machine();
    let ask = !args.yes && !args.dry_run && crate::batch::engine::interactive();
    if ask && human {
        print_text(plan_text(&report))?;
    }
    let run_it = !args.dry_run
        && (args.yes
            || (ask && crate::commands::repair::confirm(&target, report.statements.len())?));
    if !run_it {
        report.dry_run = true;
        ctx.out.note(if args.dry_run {
            "dry run: nothing changed"
        } else if ask {
            "aborted: nothing changed"
        } else {
            "nothing changed: without a terminal, reindex runs only with --yes"
        });
        if ask && human {
            return Ok(());
        }
        return finish(ctx, &report, "", &target);
    }

    crate::commands::repair::announce_older_transactions(ctx, &mut session);
    let mut runner = crate::commands::repair::repair_connection(ctx, &mut session)?;
    let runner = runner.as_mut().unwrap_or(&mut session);
    for (done, sql) in report.statements.iter().enumerate() {
        if crate::batch::signals::stop_requested() {
            return Err(crate::error::interrupted(format!(
                "interrupted after {} of {}: rerun to finish",
                done,
                count_of(report.statements.len() as u64, "statement", "statements")
            )));
        }
        if !ctx.out.quiet && human {
            crate::render::output::stderr_line(&escape(sql));
        }
        runner.execute_outside_transaction(sql).map_err(|e| {
            anyhow::anyhow!(
                "{sql} in {} failed after {done} of {}: {} — an interrupted REINDEX CONCURRENTLY leaves an invalid index, which \"outboxctl reindex\" drops when run again",
                escape(&target),
                count_of(report.statements.len() as u64, "statement", "statements"),
                describe_pg_error(&e)
            )
        })?;
    }
    let after = indexes_of(&mut session, &tables)?;
    for index in &mut report.indexes {
        index.bytes_after = after.iter().find(|i| i.sql == index.index).map(|i| i.bytes);
    }
    finish(ctx, &report, "", &target)
}

/// An invalid index is a leftover only when nothing builds it: while another session
/// builds an index on the tables (a migration's CREATE INDEX CONCURRENTLY, another
/// reindex), its index is invalid too, and dropping it would break that build. Refused,
/// naming the session; nothing is changed.
fn refuse_while_building(
    session: &mut Session,
    tables: &[&Rel],
    target: &str,
) -> anyhow::Result<()> {
    for rel in tables {
        let fail = |e| explain_table_error(e, rel);
        let builds = session.with_tx(Access::ReadOnly, &fail, |tx| {
            crate::tables::repair::builds_in_progress(tx, rel.oid.unwrap_or_default()).map_err(fail)
        })?;
        if let Some(build) = builds.first() {
            anyhow::bail!(
                "an index is being built on \"{}\" in {} ({build}): run reindex once it has finished; nothing was changed",
                rel.name,
                escape(target),
            );
        }
    }
    Ok(())
}

/// REINDEX needs the tables' owner (or a role that is a member of it): said before
/// anything, dry runs included.
fn refuse_unless_owner(session: &mut Session, tables: &[&Rel], target: &str) -> anyhow::Result<()> {
    for rel in tables {
        let fail = |e| explain_table_error(e, rel);
        let owner: Option<String> = session.with_tx(Access::ReadOnly, &fail, |tx| {
            Ok(tx
                .query_one(
                    "SELECT CASE WHEN pg_catalog.pg_has_role(c.relowner, 'USAGE') THEN NULL
                                 ELSE pg_catalog.pg_get_userbyid(c.relowner)::pg_catalog.text END
                       FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) $1",
                    &crate::params![rel.oid.unwrap_or_default()],
                )
                .map_err(fail)?
                .get(0))
        })?;
        if let Some(owner) = owner {
            anyhow::bail!(
                "rebuilding \"{}\"'s indexes in {} needs its owner, {}, or a member of that role: this role is neither; nothing was changed",
                rel.name,
                escape(target),
                escape(&owner)
            );
        }
    }
    Ok(())
}

/// One index of the tables (or of their partitions).
struct Index {
    name: String,
    /// `"schema"."name"`.
    sql: String,
    valid: bool,
    bytes: i64,
}

fn chosen(index: &Index, bloat_ratio: Option<f64>) -> ReindexedIndex {
    ReindexedIndex {
        index: index.sql.clone(),
        bytes_before: index.bytes,
        bytes_after: None,
        bloat_ratio,
    }
}

/// Every index of `tables` and of their partitions, invalid ones included; a
/// partitioned index itself has no storage to rebuild (its partitions' do).
fn indexes_of(session: &mut Session, tables: &[&Rel]) -> anyhow::Result<Vec<Index>> {
    let mut all = Vec::new();
    for rel in tables {
        let fail = |e| explain_table_error(e, rel);
        let rows = session.with_tx(Access::ReadOnly, &fail, |tx| {
            tx.query(
                &format!(
                    "{RELATION_TREE}
                 SELECT c.relname::pg_catalog.text, n.nspname::pg_catalog.text, x.indisvalid,
                        pg_catalog.pg_relation_size(c.oid)::pg_catalog.int8
                   FROM tree
                   JOIN pg_catalog.pg_index x ON x.indrelid OPERATOR(pg_catalog.=) tree.oid
                   JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) x.indexrelid
                   JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
                  WHERE c.relkind OPERATOR(pg_catalog.=) 'i'
                  ORDER BY c.relname"
                ),
                &crate::params![rel.oid.unwrap_or_default()],
            )
            .map_err(fail)
        })?;
        all.extend(rows.iter().map(|r| {
            let name: String = r.get(0);
            let schema: String = r.get(1);
            Index {
                sql: format!("{}.{}", quote_ident(&schema), quote_ident(&name)),
                name,
                valid: r.get(2),
                bytes: r.get(3),
            }
        }));
    }
    Ok(all)
}

/// The indexes doctor's bloat check warns about, with their estimated empty share.
fn bloated(
    ctx: &Context,
    session: &mut Session,
    located: &crate::context::Located,
    thresholds: Thresholds,
    exact: bool,
) -> anyhow::Result<Vec<(String, f64)>> {
    let limit = thresholds.get("bloat");
    let min_size = thresholds.get("bloat.min-size");
    let reconnect = || ctx.connect();
    let report = diagnose::run(
        session,
        &reconnect,
        located.outbox.clone(),
        located.processed.clone(),
        crate::commands::doctor::quick_options(
            ctx,
            thresholds,
            vec!["bloat"],
            exact,
            std::time::Duration::ZERO,
        ),
    )?;
    let mut found = Vec::new();
    for finding in &report.findings {
        for detail in &finding.details {
            let fields = &detail.fields;
            let is_index = fields.get("kind").and_then(|k| k.as_str()) == Some("index");
            let ratio = fields.get("bloat_ratio").and_then(|r| r.as_f64());
            let bytes = fields.get("bytes").and_then(|b| b.as_f64()).unwrap_or(0.0);
            if let (true, Some(ratio), Some(name)) = (
                is_index,
                ratio,
                fields.get("relation").and_then(|r| r.as_str()),
            ) && ratio > limit
                && bytes >= min_size
            {
                found.push((name.to_string(), ratio));
            }
        }
    }
    Ok(found)
}

fn plan_text(report: &ReindexReport) -> String {
    report
        .statements
        .iter()
        .map(|s| escape(s).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prints the report; `nothing` is the note when there was nothing to do.
fn finish(
    ctx: &Context,
    report: &ReindexReport,
    nothing: &str,
    target: &str,
) -> anyhow::Result<()> {
    let value = crate::render::output::json_value(report);
    match ctx.out.format {
        Format::Json => return Ok(crate::render::output::print_json(&value)?),
        Format::Ndjson => return Ok(crate::render::output::print_json_line(&value)?),
        _ => {}
    }
    if report.statements.is_empty() {
        ctx.out.note(format!("{nothing} in {}", escape(target)));
        return Ok(());
    }
    let mut text = plan_text(report);
    if !report.dry_run {
        for index in &report.indexes {
            text.push_str(&format!(
                "\n-- {}: {} → {}",
                escape(&index.index),
                crate::render::output::human_size(index.bytes_before),
                index
                    .bytes_after
                    .map_or("?".to_string(), crate::render::output::human_size)
            ));
        }
    }
    print_text(text)?;
    let (rebuild, drop) = if report.dry_run {
        ("would rebuild", "would drop")
    } else {
        ("rebuilt", "dropped")
    };
    let leftovers = if report.leftovers.is_empty() {
        String::new()
    } else {
        format!(
            " and {drop} {} an interrupted rebuild left",
            count_of(
                report.leftovers.len() as u64,
                "invalid index",
                "invalid indexes"
            )
        )
    };
    ctx.out.note(format!(
        "{rebuild} {}{leftovers} in {}",
        count_of(report.indexes.len() as u64, "index", "indexes"),
        escape(target)
    ));
    Ok(())
}
