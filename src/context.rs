//! What every command receives: the validated global options.

use crate::cli::GlobalArgs;
use crate::db::connect::{ConnectOptions, Target};
use crate::db::session::Access;
use crate::db::session::{Rel, Session};
use crate::render::output::Output;
use crate::tables::dedup::DedupTable;
use crate::tables::dedup_columns::{ColumnMap, DedupColumns};
use crate::tables::schema::Tables;

pub struct Context {
    pub tables: Tables,
    pub out: Output,
    connect: ConnectOptions,
    dedup_columns: ColumnMap,
}

/// Both tables as found on the server.
pub struct Located {
    pub outbox: Rel,
    pub processed: Rel,
}

impl Context {
    /// Validates the global options. Nothing is sent to a server here, so a bad table or
    /// schema name is refused before any connection is made.
    pub fn new(global: &GlobalArgs) -> anyhow::Result<Self> {
        let tables = Tables::new(&global.table, &global.processed_table)?;
        if let Some(schema) = &global.schema {
            crate::db::ident::validate_schema(schema)?;
        }
        Ok(Self {
            tables,
            out: Output::new(global),
            connect: ConnectOptions {
                database_url: global.database_url.clone(),
                schema: global.schema.clone(),
                connect_timeout: global.connect_timeout,
                lock_timeout: global.lock_timeout,
                statement_timeout: global.statement_timeout,
            },
            dedup_columns: global.dedup_columns.clone().unwrap_or_default(),
        })
    }

    pub fn dedup_columns(&self) -> &ColumnMap {
        &self.dedup_columns
    }

    pub fn schema(&self) -> Option<&str> {
        self.connect.schema.as_deref()
    }

    pub fn connect(&self) -> anyhow::Result<Session> {
        use std::io::IsTerminal;
        let session = Target::resolve(&self.connect)?.connect()?;
        session.announce_lock_waits(!self.out.quiet && std::io::stderr().is_terminal());
        Ok(session)
    }

    /// Connects and finds both tables.
    pub fn open(&self) -> anyhow::Result<(Session, Located)> {
        let mut session = self.connect()?;
        let mut rels = session
            .locate(&[&self.tables.outbox, &self.tables.processed])?
            .into_iter();
        let (Some(outbox), Some(processed)) = (rels.next(), rels.next()) else {
            unreachable!("locate returns one Rel per name");
        };
        Ok((session, Located { outbox, processed }))
    }

    /// The dedup table with its columns found by role (or named by `--dedup-columns`).
    pub fn dedup_table(&self, session: &mut Session, rel: &Rel) -> anyhow::Result<DedupTable> {
        let fail = |e| crate::error::explain_table_error(e, rel);
        let cols = session.with_tx(Access::ReadOnly, &fail, |tx| {
            DedupColumns::resolve(tx, rel, &self.dedup_columns)
        })?;
        Ok(DedupTable {
            rel: rel.clone(),
            cols,
        })
    }
}
