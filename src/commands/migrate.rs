//! `outboxctl migrate`: create both tables where missing, the library's way (a
//! `to_regclass` probe first, nothing at all when the table exists), but serialised so
//! that many replicas migrating one empty database at once all succeed.

use serde_json::json;

use crate::cli::{MigrateArgs, selected_tables};
use crate::context::Context;
use crate::db::catalog;
use crate::db::errors::describe_pg_error;
use crate::db::session::{Access, Rel, Session, Tx};
use crate::render::output::{print_records, print_text};
use crate::tables::partitions::{self, Interval};
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
    if let Some(interval) = args.partition_by {
        partitions::check_names(&located.outbox.name, interval.into())?;
        // An existing table is never changed by migrate: a plain one is converted.
        if let Some(oid) = located.outbox.oid {
            let fail = |e| crate::db::errors::explain_table_error(e, &located.outbox);
            let key = session.with_tx(Access::ReadOnly, &fail, |tx| {
                partitions::partition_key(tx, oid).map_err(fail)
            })?;
            if key.is_none() {
                return Err(crate::error::usage(format!(
                    "\"{}\" exists on {} as a plain table: migrate creates only what is missing; turn it into the partitioned layout with `outboxctl partition convert --partition-by {}`",
                    located.outbox.name,
                    located.outbox.target,
                    Interval::from(interval).as_str()
                )));
            }
        }
    }
    let mut report = Vec::new();
    for kind in selected_tables(args.only) {
        let rel = match kind {
            TableKind::Outbox => &located.outbox,
            TableKind::Processed => &located.processed,
        };
        let table = rel.name.as_str();
        let (action, would) = if rel.exists() {
            (Action::Exists, None)
        } else if args.dry_run {
            let ddl = match layout(args, kind) {
                None => schema::ddl(kind, table),
                Some((interval, premake)) => {
                    let today = server_date(&mut session, rel)?;
                    partitions::outbox_ddl(
                        table,
                        table,
                        rel.schema.as_deref().unwrap_or("public"),
                        interval,
                        today,
                        premake,
                    )
                }
            };
            (Action::WouldCreate, Some(ddl))
        } else {
            (create(&mut session, kind, rel, layout(args, kind))?, None)
        };
        report.push((kind, table, action, would));
    }

    let created: Vec<&str> = report
        .iter()
        .filter(|(_, _, action, _)| *action == Action::Created)
        .map(|(_, table, _, _)| *table)
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
    report: &[(TableKind, &str, Action, Option<String>)],
) -> std::io::Result<()> {
    if ctx.out.format.is_machine() {
        let tables: Vec<_> = report
            .iter()
            .map(|(kind, table, action, would)| {
                let mut entry = json!({"table": table, "kind": kind, "action": action.label()});
                if let Some(sql) = would {
                    entry["sql"] = json!(sql);
                }
                if let (TableKind::Outbox, Some(interval)) = (kind, args.partition_by) {
                    entry["partition_by"] = json!(Interval::from(interval).as_str());
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
    for (_, table, action, would) in report {
        if args.dry_run {
            match would {
                Some(sql) => print_text(format!("-- {table}: would create\n{sql}"))?,
                None => print_text(format!("-- {table}: {}\n", action.label()))?,
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
/// The server's date in UTC, which partitions are made from.
fn server_date(session: &mut Session, rel: &Rel) -> anyhow::Result<chrono::NaiveDate> {
    let fail = |e: tokio_postgres::Error| {
        anyhow::anyhow!(
            "reading the date on {} failed: {}",
            rel.target,
            describe_pg_error(&e)
        )
    };
    session.with_tx(Access::ReadOnly, &fail, |tx| {
        partitions::today_utc(tx).map_err(fail)
    })
}

/// `--partition-by`, for the outbox.
fn layout(args: &MigrateArgs, kind: TableKind) -> Option<(Interval, u32)> {
    match (kind, args.partition_by) {
        (TableKind::Outbox, Some(interval)) => Some((interval.into(), args.premake)),
        _ => None,
    }
}

/// The DDL `create` runs: the library's, or the partitioned layout's from the server's
/// date (UTC).
fn ddl_for(
    tx: &mut Tx<'_>,
    kind: TableKind,
    rel: &Rel,
    partitioned: Option<(Interval, u32)>,
) -> Result<String, tokio_postgres::Error> {
    let table = &rel.name;
    let Some((interval, premake)) = partitioned else {
        return Ok(schema::ddl_at(kind, table, &rel.sql));
    };
    let today = partitions::today_utc(tx)?;
    let schema = rel.schema.as_deref().unwrap_or("public");
    Ok(schema::pin_to_catalog(&partitions::outbox_ddl(
        table, &rel.sql, schema, interval, today, premake,
    )))
}

fn create(
    session: &mut Session,
    kind: TableKind,
    rel: &Rel,
    partitioned: Option<(Interval, u32)>,
) -> anyhow::Result<Action> {
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
    let ddl = ddl_for(&mut tx, kind, rel, partitioned).map_err(fail)?;
    tx.batch_execute(&ddl).map_err(fail)?;
    tx.commit().map_err(fail)?;
    Ok(Action::Created)
}
