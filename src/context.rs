//! What every command receives: the validated global options.

use postgres::Client;

use crate::cli::GlobalArgs;
use crate::connect::{ConnectOptions, Target};
use crate::output::Output;
use crate::schema::Tables;

pub struct Context {
    pub tables: Tables,
    pub out: Output,
    connect: ConnectOptions,
}

impl Context {
    /// Validates the global options. Nothing is sent to a server here, so a bad table or
    /// schema name is refused before any connection is made.
    pub fn new(global: &GlobalArgs) -> anyhow::Result<Self> {
        let tables = Tables::new(&global.table, &global.processed_table)?;
        if let Some(schema) = &global.schema {
            crate::ident::validate("--schema", schema)?;
        }
        Ok(Self {
            tables,
            out: Output::new(global.format, global.no_color, global.quiet),
            connect: ConnectOptions {
                database_url: global.database_url.clone(),
                schema: global.schema.clone(),
                connect_timeout: global.connect_timeout,
                lock_timeout: global.lock_timeout,
                statement_timeout: global.statement_timeout,
            },
        })
    }

    pub fn schema(&self) -> Option<&str> {
        self.connect.schema.as_deref()
    }

    pub fn connect(&self) -> anyhow::Result<Client> {
        Target::resolve(&self.connect)?.connect()
    }
}
