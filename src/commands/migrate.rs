//! `outboxctl migrate`: create both tables where missing, the library's way (a
//! `to_regclass` probe first, nothing at all when the table exists), but serialised so
//! that many replicas migrating one empty database at once all succeed.

use serde_json::json;

use crate::cli::{MigrateArgs, selected_tables};
use crate::context::Context;
use crate::db::catalog;
use crate::db::errors::describe_pg_error;
use crate::db::session::{Access, Rel, Session};
use crate::render::output::{print_records, print_text};
use crate::tables::schema::{self, TableKind};

/// Advisory lock key held while a table is created: fixed ("outboxmg" in ASCII)
/// so that every outboxctl version takes the same lock.
const MIGRATE_LOCK_KEY: i64 = 0x6f75_7462_6f78_6d67;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Created,
    Exists,
    WouldCreate,
}

impl Action {
    fn label(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Exists => "exists (skipped)",
            Action::WouldCreate => "would create",
        }
    }
}

pub fn run(ctx: &Context, args: &MigrateArgs) -> anyhow::Result<()> {
    if args.repair {
        return super::repair::run(ctx, args);
    }
    let (mut session, located) = ctx.open_to_change(args.dry_run)?;
    let fail_setup = |e: tokio_postgres::Error| anyhow::anyhow!("{}", describe_pg_error(&e));
    {
        let mut tx = session.begin(Access::ReadOnly).map_err(fail_setup)?;
        catalog::ensure_creatable(&mut tx, &located.outbox, ctx.schema())?;
        tx.commit().map_err(fail_setup)?;
    }
    let mut report = Vec::new();
    for kind in selected_tables(args.only) {
        let rel = match kind {
            TableKind::Outbox => &located.outbox,
            TableKind::Processed => &located.processed,
        };
        let table = rel.name.as_str();
        let action = if rel.exists() {
            Action::Exists
        } else if args.dry_run {
            Action::WouldCreate
        } else {
            create(&mut session, kind, rel)?
        };
        report.push((kind, table, action));
    }

    let created: Vec<&str> = report
        .iter()
        .filter(|(_, _, action)| *action == Action::Created)
        .map(|(_, table, _)| *table)
        .collect();
    let changed = format!(
        "created {} on {}",
        created.join(" and "),
        located.outbox.target
    );
    crate::render::output::report_committed(
        (!created.is_empty()).then_some(changed.as_str()),
        || print_report(ctx, args, &report),
    )
}

fn print_report(
    ctx: &Context,
    args: &MigrateArgs,
    report: &[(TableKind, &str, Action)],
) -> std::io::Result<()> {
    if ctx.out.format.is_machine() {
        let tables: Vec<_> = report
            .iter()
            .map(|(kind, table, action)| {
                let mut entry = json!({"table": table, "kind": kind, "action": action.label()});
                if *action == Action::WouldCreate {
                    entry["sql"] = json!(schema::ddl(*kind, table));
                }
                entry
            })
            .collect();
        return print_records(
            ctx.out.format,
            &json!({"dry_run": args.dry_run, "tables": tables}),
            &tables,
            &["table", "kind", "action", "sql"],
        );
    }
    for (kind, table, action) in report {
        if args.dry_run {
            match action {
                Action::WouldCreate => print_text(format!(
                    "-- {table}: would create\n{}",
                    schema::ddl(*kind, table)
                ))?,
                _ => print_text(format!("-- {table}: {}\n", action.label()))?,
            }
        } else {
            print_text(format!("{table}: {}", action.label()))?;
        }
    }
    Ok(())
}

/// Creates one table under the migrate lock, re-probing once the lock is held: another
/// process may have created it while this one waited. The lock is a transaction lock, so
/// it ends with the transaction (nothing stays behind on a pooled server connection), and
/// the re-probe reads `pg_class` with a snapshot taken after the wait, which sees the
/// other process's committed table.
fn create(session: &mut Session, kind: TableKind, rel: &Rel) -> anyhow::Result<Action> {
    let table = &rel.name;
    let fail = |e: tokio_postgres::Error| {
        if e.code() == Some(&tokio_postgres::error::SqlState::READ_ONLY_SQL_TRANSACTION) {
            return anyhow::Error::msg(crate::db::errors::read_only(
                &rel.target,
                &describe_pg_error(&e),
            ));
        }
        anyhow::anyhow!(
            "creating table \"{table}\" in {} failed: {}",
            rel.target,
            describe_pg_error(&e)
        )
    };
    let mut tx = session.begin(Access::ReadWrite).map_err(fail)?;
    tx.query(
        "SELECT pg_catalog.pg_advisory_xact_lock($1)",
        &crate::params![MIGRATE_LOCK_KEY],
    )
    .map_err(fail)?;
    if catalog::exists_now(&mut tx, rel).map_err(fail)? {
        tx.commit().map_err(fail)?;
        return Ok(Action::Exists);
    }
    tx.batch_execute(&schema::ddl_at(kind, table, &rel.sql))
        .map_err(fail)?;
    tx.commit().map_err(fail)?;
    Ok(Action::Created)
}
