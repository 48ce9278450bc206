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
/// process may have created it while this one waited. The lock is a session lock taken
/// before the creating transaction begins: a transaction that starts after the wait sees
/// the other process's table, while a probe inside a transaction that was already open
/// during the wait can still read a stale catalog cache. A process that dies releases the
/// lock with its session.
fn create(client: &mut postgres::Client, kind: TableKind, table: &str) -> anyhow::Result<Action> {
    let fail = |e: postgres::Error| {
        anyhow::anyhow!(
            "creating table \"{table}\" failed: {}",
            describe_pg_error(&e)
        )
    };
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATE_LOCK_KEY])
        .map_err(fail)?;
    let created = (|| -> anyhow::Result<Action> {
        let mut tx = client.transaction().map_err(fail)?;
        if catalog::table_oid(&mut tx, table)?.is_some() {
            return Ok(Action::Exists);
        }
        tx.batch_execute(&schema::ddl(kind, table)).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(Action::Created)
    })();
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATE_LOCK_KEY]);
    let action = created?;
    unlocked.map_err(fail)?;
    Ok(action)
}
