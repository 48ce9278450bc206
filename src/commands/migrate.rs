//! `outboxctl migrate`: create both tables where missing, the library's way (a
//! `to_regclass` probe first, nothing at all when the table exists), but serialised so
//! that many replicas migrating one empty database at once all succeed.

use serde_json::json;

use crate::catalog;
use crate::cli::{MigrateArgs, selected_tables};
use crate::context::Context;
use crate::error::describe_pg_error;
use crate::output::{print_json, print_text};
use crate::schema::{self, TableKind};

/// Advisory lock key held by the creating transaction: fixed ("outboxmg" in ASCII)
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
    let mut client = ctx.connect()?;
    catalog::ensure_creatable(&mut client, ctx.schema())?;
    let mut report = Vec::new();
    for kind in selected_tables(args.only) {
        let table = ctx.tables.name(kind);
        let action = if catalog::table_oid(&mut client, table)?.is_some() {
            Action::Exists
        } else if args.dry_run {
            Action::WouldCreate
        } else {
            create(&mut client, kind, table)?
        };
        report.push((kind, table, action));
    }

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
        print_json(&json!({"dry_run": args.dry_run, "tables": tables}))?;
        return Ok(());
    }
    for (kind, table, action) in &report {
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
/// process may have created it while this one waited.
fn create(client: &mut postgres::Client, kind: TableKind, table: &str) -> anyhow::Result<Action> {
    let fail = |e: postgres::Error| anyhow::anyhow!("creating table \"{table}\" failed: {}", describe_pg_error(&e));
    let mut tx = client.transaction().map_err(fail)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK_KEY])
        .map_err(fail)?;
    if catalog::table_oid(&mut tx, table)?.is_some() {
        tx.commit().map_err(fail)?;
        return Ok(Action::Exists);
    }
    tx.batch_execute(&schema::ddl(kind, table)).map_err(fail)?;
    tx.commit().map_err(fail)?;
    Ok(Action::Created)
}
