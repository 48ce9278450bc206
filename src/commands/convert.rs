//! `outboxctl partition convert --partition-by day|week|month`: turns a plain outbox into
//! the partitioned layout online. The rows stay where they are: the table becomes the
//! first partition, `<table>_plegacy`, for every `created_at` before a boundary (the
//! start of the interval after both now and its newest row); new rows from the boundary
//! on go to new partitions.
//!
//! Every step but the last runs beside writers and the relay, and each can be rerun:
//! 1. a unique index on `(id, created_at)`, built `CONCURRENTLY`, made a constraint (the
//!    partitioned primary key attaches it instead of building one under a lock), and
//!    the retention index (BRIN), built `CONCURRENTLY` for the same reason;
//! 2. `CHECK (created_at < boundary) NOT VALID`, then `VALIDATE` (concurrent): the
//!    attach below then needs no scan;
//! 3. the new partitioned table `<table>_partitioned`, with the table's own columns,
//!    defaults and checks (`LIKE`), the primary key `(id, created_at)`, the pending
//!    and retention indexes, a default partition and the partitions from the boundary on, owned and
//!    granted like the table;
//! 4. one short transaction, under `lock_timeout`: rename the table to `<table>_plegacy`
//!    and the new one to `<table>`, attach the old one as the first partition, give the
//!    indexes their names.
//!
//! `--rollback` undoes steps 1–3 before the swap (after it, the table is already the
//! layout: convert it back by hand if ever needed).

use chrono::NaiveDate;

use crate::cli::PartitionConvertArgs;
use crate::context::Context;
use crate::db::errors::{describe_pg_error, explain_table_error};
use crate::db::session::{Access, Rel, Session};
use crate::db::sql::{Params, quote_ident, quote_literal};
use crate::render::output::{json_object, print_text};
use crate::tables::partitions::{self, Interval};

/// `convert --format json`.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertReport {
    pub dry_run: bool,
    /// `converted`, `already partitioned`, `rolled back`, or with `--dry-run` what would
    /// be done.
    pub result: String,
    /// The first day the new partitions cover; every row before it stays in the legacy
    /// partition.
    pub boundary: Option<String>,
    /// Every statement run (or, in a dry run, that would be), in order.
    pub statements: Vec<String>,
}

struct Names {
    table: String,
    parent: String,
    legacy: String,
    unique_index: String,
    range_check: String,
    pending_index: String,
    new_pending_index: String,
    retention_index: String,
    new_retention_index: String,
    legacy_retention_index: String,
}

impl Names {
    fn of(table: &str) -> Self {
        Self {
            table: table.to_string(),
            parent: format!("{table}_partitioned"),
            legacy: format!("{table}_plegacy"),
            unique_index: format!("{table}_id_created_at"),
            range_check: format!("{table}_convert_range"),
            pending_index: format!("idx_{table}_pending"),
            new_pending_index: format!("idx_{table}_pending_p"),
            retention_index: partitions::retention_index_name(table),
            new_retention_index: format!("{}_p", partitions::retention_index_name(table)),
            legacy_retention_index: format!("{}_legacy", partitions::retention_index_name(table)),
        }
    }
}

pub fn run(ctx: &Context, args: &PartitionConvertArgs) -> anyhow::Result<()> {
    let (mut session, located) = ctx.open_to_change(args.dry_run)?;
    let rel = &located.outbox;
    let oid = rel.require()?;
    let interval: Interval = args.partition_by.map_or(Interval::Day, Into::into);
    let table = rel.name.to_ascii_lowercase();
    partitions::check_names(&table, interval)?;
    let names = Names::of(&table);
    for name in [
        &names.parent,
        &names.legacy,
        &names.unique_index,
        &names.range_check,
        &names.legacy_retention_index,
    ] {
        if name.len() > 63 {
            return Err(crate::error::usage(format!(
                "table name \"{table}\" is too long to convert: \"{name}\" would pass PostgreSQL's 63 bytes"
            )));
        }
    }
    let schema = rel.schema.clone().unwrap_or_else(|| "public".to_string());
    let q = |name: &str| format!("{}.{}", quote_ident(&schema), quote_ident(name));
    let fail = |e| explain_table_error(e, rel);

    let key = session.with_tx(Access::ReadOnly, &fail, |tx| {
        partitions::partition_key(tx, oid).map_err(fail)
    })?;
    if key.is_some() {
        return finish(ctx, args, "already partitioned", None, Vec::new());
    }
    if args.rollback {
        let statements = rollback(&mut session, rel, &names, &q, args.dry_run)?;
        return finish(ctx, args, "rolled back", None, statements);
    }
    refuse_what_cannot_move(&mut session, rel, oid)?;

    // The boundary: kept from an earlier, interrupted run (its range check says it).
    let boundary = match existing_boundary(&mut session, rel, &names)? {
        Some(day) => day,
        None => session.with_tx(Access::ReadOnly, &fail, |tx| {
            let latest: NaiveDate = tx
                .query_one(
                    &format!(
                        "SELECT pg_catalog.timezone('UTC', GREATEST(pg_catalog.now(), (SELECT pg_catalog.max(created_at) FROM {})))::pg_catalog.date",
                        rel.sql
                    ),
                    &Params::default(),
                )
                .map_err(fail)?
                .get(0);
            Ok(interval.next(interval.start_of(latest)))
        })?,
    };
    let bound = format!("{} 00:00:00+00", boundary.format("%Y-%m-%d"));

    let mut statements = Vec::new();
    let mut step = |session: &mut Session, sql: String, outside: bool| -> anyhow::Result<()> {
        statements.push(sql.clone());
        if args.dry_run {
            return Ok(());
        }
        let done = if outside {
            session.execute_outside_transaction(&sql)
        } else {
            session.begin(Access::ReadWrite).and_then(|mut tx| {
                tx.batch_execute(&format!(
                    "SET LOCAL lock_timeout = {}",
                    ctx.timeouts().1.map_or(2000, |t| t.as_millis().max(1))
                ))?;
                tx.batch_execute(&sql)?;
                tx.commit()
            })
        };
        done.map_err(|e| {
            anyhow::anyhow!(
                "converting \"{}\" failed at: {} — {}; rerun to go on from here, or --rollback",
                rel.name,
                sql.lines().next().unwrap_or_default(),
                describe_pg_error(&e)
            )
        })
    };

    let state = State::read(&mut session, rel, &names, &q)?;
    // 1. The unique index on (id, created_at), concurrently, then its constraint.
    if state.unique_index_invalid {
        step(
            &mut session,
            format!(
                "DROP INDEX CONCURRENTLY IF EXISTS {}",
                q(&names.unique_index)
            ),
            true,
        )?;
    }
    if !state.unique_constraint {
        if !state.unique_index_valid {
            step(
                &mut session,
                format!(
                    "CREATE UNIQUE INDEX CONCURRENTLY {} ON {} (id, created_at)",
                    quote_ident(&names.unique_index),
                    rel.sql
                ),
                true,
            )?;
        }
        step(
            &mut session,
            format!(
                "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE USING INDEX {}",
                rel.sql,
                quote_ident(&names.unique_index),
                quote_ident(&names.unique_index)
            ),
            false,
        )?;
    }
    // 1b. The retention index on the table that becomes the first partition, built
    // concurrently: attaching it then finds it instead of building one under a lock.
    if state.retention_index_invalid {
        step(
            &mut session,
            format!(
                "DROP INDEX CONCURRENTLY IF EXISTS {}",
                q(&names.legacy_retention_index)
            ),
            true,
        )?;
    }
    if !state.retention_index_valid {
        step(
            &mut session,
            format!(
                "CREATE INDEX CONCURRENTLY {} ON {} {}",
                quote_ident(&names.legacy_retention_index),
                rel.sql,
                partitions::RETENTION_INDEX_DEFINITION
            ),
            true,
        )?;
    }
    // 2. The range every row is in, proved without blocking writers.
    if !state.range_check {
        step(
            &mut session,
            format!(
                "ALTER TABLE {} ADD CONSTRAINT {} CHECK (created_at OPERATOR(pg_catalog.<) {}::pg_catalog.timestamptz) NOT VALID",
                rel.sql,
                quote_ident(&names.range_check),
                quote_literal(&bound)
            ),
            false,
        )?;
    }
    if !state.range_check_valid {
        step(
            &mut session,
            format!(
                "ALTER TABLE {} VALIDATE CONSTRAINT {}",
                rel.sql,
                quote_ident(&names.range_check)
            ),
            false,
        )?;
    }
    // 3. The partitioned table beside it.
    if !state.parent {
        let mut sql = format!(
            "CREATE TABLE {parent} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE (created_at);
ALTER TABLE {parent} DROP CONSTRAINT IF EXISTS {check};
ALTER TABLE {parent} ADD PRIMARY KEY (id, created_at);
CREATE INDEX {pending} ON {parent} (created_at) WHERE status OPERATOR(pg_catalog.=) 'pending'::pg_catalog.text;
CREATE INDEX {retention} ON {parent} {retention_definition};
CREATE TABLE {default} PARTITION OF {parent} DEFAULT;
",
            retention = quote_ident(&names.new_retention_index),
            retention_definition = partitions::RETENTION_INDEX_DEFINITION,
            parent = q(&names.parent),
            table = rel.sql,
            check = quote_ident(&names.range_check),
            pending = quote_ident(&names.new_pending_index),
            default = q(&partitions::default_name(&table)),
        );
        let mut start = boundary;
        for _ in 0..=args.premake {
            let end = interval.next(start);
            sql.push_str(&partitions::partition_ddl(
                &q(&names.parent),
                &schema,
                &interval.partition_name(&table, start),
                start,
                end,
            ));
            start = end;
        }
        sql.push_str(&ownership_and_grants(&mut session, rel, &q(&names.parent))?);
        step(
            &mut session,
            crate::tables::schema::pin_to_catalog(&sql),
            false,
        )?;
    }
    // 4. The swap: catalog changes only, under lock_timeout.
    let swap = format!(
        "LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE;
ALTER TABLE {table} RENAME TO {legacy};
ALTER INDEX IF EXISTS {pending_old} RENAME TO {legacy_pending};
ALTER TABLE {parent} RENAME TO {bare_table};
ALTER INDEX {pending_new} RENAME TO {bare_pending};
ALTER INDEX {retention_new} RENAME TO {bare_retention};
ALTER TABLE {table} ATTACH PARTITION {legacy_q} FOR VALUES FROM (MINVALUE) TO ({bound}::pg_catalog.timestamptz);
ALTER TABLE {legacy_q} DROP CONSTRAINT {check};",
        table = rel.sql,
        legacy = quote_ident(&names.legacy),
        legacy_q = q(&names.legacy),
        pending_old = q(&names.pending_index),
        legacy_pending = quote_ident(&format!("idx_{}_pending", names.legacy)),
        parent = q(&names.parent),
        bare_table = quote_ident(&names.table),
        pending_new = q(&names.new_pending_index),
        bare_pending = quote_ident(&names.pending_index),
        retention_new = q(&names.new_retention_index),
        bare_retention = quote_ident(&names.retention_index),
        bound = quote_literal(&bound),
        check = quote_ident(&names.range_check),
    );
    step(&mut session, swap, false)?;
    finish(
        ctx,
        args,
        if args.dry_run {
            "would convert"
        } else {
            "converted"
        },
        Some(boundary),
        statements,
    )
}

/// What an earlier run did.
struct State {
    unique_index_valid: bool,
    unique_index_invalid: bool,
    unique_constraint: bool,
    retention_index_valid: bool,
    retention_index_invalid: bool,
    range_check: bool,
    range_check_valid: bool,
    parent: bool,
}

impl State {
    fn read(
        session: &mut Session,
        rel: &Rel,
        names: &Names,
        q: &dyn Fn(&str) -> String,
    ) -> anyhow::Result<Self> {
        let fail = |e| explain_table_error(e, rel);
        session.with_tx(Access::ReadOnly, &fail, |tx| {
            let row = tx
                .query_one(
                    "SELECT (SELECT i.indisvalid FROM pg_catalog.pg_index i WHERE i.indexrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1)),
                            EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid OPERATOR(pg_catalog.=) $3 AND conname OPERATOR(pg_catalog.=) $2 AND contype OPERATOR(pg_catalog.=) 'u'),
                            (SELECT convalidated FROM pg_catalog.pg_constraint WHERE conrelid OPERATOR(pg_catalog.=) $3 AND conname OPERATOR(pg_catalog.=) $4 AND contype OPERATOR(pg_catalog.=) 'c'),
                            pg_catalog.to_regclass($5) IS NOT NULL,
                            (SELECT i.indisvalid FROM pg_catalog.pg_index i WHERE i.indexrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($6))",
                    &crate::params![
                        q(&names.unique_index),
                        names.unique_index.clone(),
                        rel.oid.unwrap_or_default(),
                        names.range_check.clone(),
                        q(&names.parent),
                        q(&names.legacy_retention_index)
                    ],
                )
                .map_err(fail)?;
            let index: Option<bool> = row.get(0);
            let check: Option<bool> = row.get(2);
            let retention: Option<bool> = row.get(4);
            Ok(State {
                retention_index_valid: retention == Some(true),
                retention_index_invalid: retention == Some(false),
                unique_index_valid: index == Some(true),
                unique_index_invalid: index == Some(false),
                unique_constraint: row.get(1),
                range_check: check.is_some(),
                range_check_valid: check == Some(true),
                parent: row.get(3),
            })
        })
    }
}

/// The boundary an interrupted run chose, from its range check.
fn existing_boundary(
    session: &mut Session,
    rel: &Rel,
    names: &Names,
) -> anyhow::Result<Option<NaiveDate>> {
    let fail = |e| explain_table_error(e, rel);
    session.with_tx(Access::ReadOnly, &fail, |tx| {
        let row = tx
            .query_opt(
                "SELECT pg_catalog.timezone('UTC', (pg_catalog.regexp_match(pg_catalog.pg_get_constraintdef(oid), '''([^'']+)'''))[1]::pg_catalog.timestamptz)::pg_catalog.date
                   FROM pg_catalog.pg_constraint
                  WHERE conrelid OPERATOR(pg_catalog.=) $1 AND conname OPERATOR(pg_catalog.=) $2",
                &crate::params![rel.oid.unwrap_or_default(), names.range_check.clone()],
            )
            .map_err(fail)?;
        Ok(row.and_then(|r| r.get(0)))
    })
}

/// What the table has that a partitioned table cannot take over safely: refused, named.
fn refuse_what_cannot_move(session: &mut Session, rel: &Rel, oid: u32) -> anyhow::Result<()> {
    let fail = |e| explain_table_error(e, rel);
    let found: Vec<String> = session.with_tx(Access::ReadOnly, &fail, |tx| {
        let rows = tx
            .query(
                "SELECT 'trigger ' OPERATOR(pg_catalog.||) tgname FROM pg_catalog.pg_trigger WHERE tgrelid OPERATOR(pg_catalog.=) $1 AND NOT tgisinternal
                 UNION ALL SELECT 'row-level security' FROM pg_catalog.pg_class WHERE oid OPERATOR(pg_catalog.=) $1 AND relrowsecurity
                 UNION ALL SELECT 'policy ' OPERATOR(pg_catalog.||) polname FROM pg_catalog.pg_policy WHERE polrelid OPERATOR(pg_catalog.=) $1
                 UNION ALL SELECT 'rule ' OPERATOR(pg_catalog.||) rulename FROM pg_catalog.pg_rewrite WHERE ev_class OPERATOR(pg_catalog.=) $1 AND rulename OPERATOR(pg_catalog.<>) '_RETURN'
                 UNION ALL SELECT DISTINCT 'view ' OPERATOR(pg_catalog.||) v.oid::pg_catalog.regclass::pg_catalog.text
                   FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r ON r.oid OPERATOR(pg_catalog.=) d.objid
                   JOIN pg_catalog.pg_class v ON v.oid OPERATOR(pg_catalog.=) r.ev_class
                  WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.refobjid OPERATOR(pg_catalog.=) $1 AND v.oid OPERATOR(pg_catalog.<>) $1
                 UNION ALL SELECT 'publication ' OPERATOR(pg_catalog.||) p.pubname FROM pg_catalog.pg_publication_rel pr JOIN pg_catalog.pg_publication p ON p.oid OPERATOR(pg_catalog.=) pr.prpubid WHERE pr.prrelid OPERATOR(pg_catalog.=) $1
                 UNION ALL SELECT 'foreign key ' OPERATOR(pg_catalog.||) conname FROM pg_catalog.pg_constraint WHERE contype OPERATOR(pg_catalog.=) 'f' AND (conrelid OPERATOR(pg_catalog.=) $1 OR confrelid OPERATOR(pg_catalog.=) $1)
                 UNION ALL SELECT 'inheritance' FROM pg_catalog.pg_inherits WHERE inhrelid OPERATOR(pg_catalog.=) $1 OR inhparent OPERATOR(pg_catalog.=) $1",
                &crate::params![oid],
            )
            .map_err(fail)?;
        Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
    })?;
    if found.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "\"{}\" on {} has what a partitioned table would not carry over by itself: {} — move or drop them first (and recreate them on the partitioned table after), then rerun",
        rel.name,
        rel.target,
        found.join(", ")
    )
}

/// `ALTER TABLE … OWNER TO` and the table's `GRANT`s, for the new partitioned table.
fn ownership_and_grants(session: &mut Session, rel: &Rel, parent: &str) -> anyhow::Result<String> {
    let fail = |e| explain_table_error(e, rel);
    session.with_tx(Access::ReadOnly, &fail, |tx| {
        let rows = tx
            .query(
                "SELECT pg_catalog.pg_get_userbyid(c.relowner)::pg_catalog.text,
                        coalesce(pg_catalog.array_agg(a.privilege_type::pg_catalog.text OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
                           CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END)
                           FILTER (WHERE a.grantee IS NOT NULL), ARRAY[]::pg_catalog.text[])
                   FROM pg_catalog.pg_class c
                   LEFT JOIN LATERAL pg_catalog.aclexplode(c.relacl) a ON true
                  WHERE c.oid OPERATOR(pg_catalog.=) $1
                  GROUP BY c.relowner",
                &crate::params![rel.oid.unwrap_or_default()],
            )
            .map_err(fail)?;
        let mut sql = String::new();
        if let Some(row) = rows.first() {
            let owner: String = row.get(0);
            sql.push_str(&format!(
                "ALTER TABLE {parent} OWNER TO {};\n",
                quote_ident(&owner)
            ));
            for grant in row.get::<_, Vec<String>>(1) {
                // The owner holds every privilege already.
                if let Some((privilege, grantee)) = grant.split_once(' ')
                    && grantee != quote_ident(&owner)
                    && grantee != owner
                {
                    sql.push_str(&format!("GRANT {privilege} ON {parent} TO {grantee};\n"));
                }
            }
        }
        Ok(sql)
    })
}

fn rollback(
    session: &mut Session,
    rel: &Rel,
    names: &Names,
    q: &dyn Fn(&str) -> String,
    dry_run: bool,
) -> anyhow::Result<Vec<String>> {
    let statements = vec![
        format!("DROP TABLE IF EXISTS {}", q(&names.parent)),
        format!(
            "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
            rel.sql,
            quote_ident(&names.range_check)
        ),
        format!(
            "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
            rel.sql,
            quote_ident(&names.unique_index)
        ),
        format!(
            "DROP INDEX CONCURRENTLY IF EXISTS {}",
            q(&names.unique_index)
        ),
        format!(
            "DROP INDEX CONCURRENTLY IF EXISTS {}",
            q(&names.legacy_retention_index)
        ),
    ];
    if !dry_run {
        for sql in &statements {
            let done = if sql.starts_with("DROP INDEX CONCURRENTLY") {
                session.execute_outside_transaction(sql)
            } else {
                session
                    .begin(Access::ReadWrite)
                    .and_then(|mut tx| tx.batch_execute(sql).and_then(|_| tx.commit()))
            };
            done.map_err(|e| {
                anyhow::anyhow!("rolling back failed at: {sql} — {}", describe_pg_error(&e))
            })?;
        }
    }
    Ok(statements)
}

fn finish(
    ctx: &Context,
    args: &PartitionConvertArgs,
    result: &str,
    boundary: Option<NaiveDate>,
    statements: Vec<String>,
) -> anyhow::Result<()> {
    let report = ConvertReport {
        dry_run: args.dry_run,
        result: result.to_string(),
        boundary: boundary.map(|b| b.format("%Y-%m-%d").to_string()),
        statements,
    };
    if ctx.out.format.is_machine() {
        ctx.out.summary(&json_object(&report))?;
        return Ok(());
    }
    let mut lines = Vec::new();
    if args.dry_run {
        lines.extend(
            report
                .statements
                .iter()
                .map(|s| format!("{};", s.trim_end().trim_end_matches(';'))),
        );
    }
    lines.push(match boundary {
        Some(b) => format!(
            "{result}: rows created before {} stay in the legacy partition; new partitions from then on",
            b.format("%Y-%m-%d")
        ),
        None => result.to_string(),
    });
    print_text(lines.join("\n"))?;
    Ok(())
}
