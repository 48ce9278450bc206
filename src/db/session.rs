//! One connection and the rules every statement on it follows (ARCHITECTURE.md §5).
//!
//! - Every unit of work is an explicit transaction whose first round trip is
//!   `BEGIN; SET LOCAL …`: the settings outboxctl needs die with the transaction, so
//!   nothing outlives it on a server connection that PgBouncer hands to other clients.
//! - Every statement goes out unnamed (`query_typed`): nothing is prepared on the server.
//! - `search_path` is the role's own (with `--schema`, that schema first), so the
//!   tables' triggers, defaults and policies see what they see for the library's relay.
//!   outboxctl's own SQL names every function, operator, type and catalog relation in
//!   `pg_catalog` (the SQL rule, `sql_guard`, checked on every statement in debug
//!   builds), and the tables by their schema, found once on the connection's own search
//!   path (or given with `--schema`): nothing planted on the path can run in its place.
//! - With `--statement-timeout`, the connection is cut when the server stays silent well
//!   past the timeout (a frozen backend never answers the cancel either).

use std::time::{Duration, Instant};

use tokio_postgres::Row;

use crate::db::errors::describe_pg_error;
use crate::db::socket::{Cut, Cutter};
use crate::db::sql::{Params, quote_ident, quote_literal};
use crate::db::sql_guard;
use crate::db::wire::{Blockers, Deadline, Wire};

/// How long past `--statement-timeout` a silent server is waited for before the
/// connection is cut: the server's own cancel normally arrives well within it.
pub const SILENCE_GRACE: Duration = Duration::from_secs(3);

/// Settings applied with `SET LOCAL` at the start of every transaction.
#[derive(Clone, Copy, Debug, Default)]
pub struct Settings {
    pub lock_timeout: Option<Duration>,
    pub statement_timeout: Option<Duration>,
}

/// Read-only transactions for commands that only look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite,
    /// Read-only, every statement on the transaction's one snapshot (REPEATABLE READ):
    /// what one statement learns of the snapshot holds for the next.
    ReadOnlySnapshot,
}

pub struct Session {
    wire: Wire,
    settings: Settings,
    /// `user@host:port/dbname`, for messages that name the target.
    pub target: String,
    schema_option: Option<String>,
    /// The path `--schema` makes, once `locate` has read the role's own.
    search_path: Option<String>,
    /// Set by `locate` when the server is a hot standby (in recovery).
    standby: Option<Standby>,
    /// The connect timeout, which also bounds the first query: a pooler can accept a
    /// client and hold it until a server connection frees.
    first_answer_within: Duration,
}

/// A server in recovery: it answers reads as of the last transaction it replayed, and
/// changes nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standby {
    /// `host:port` it replicates from, when its WAL receiver says (and the role may see).
    pub primary: Option<String>,
}

impl Standby {
    /// " (db1:5432)" when the primary is known, for "run this against the primary…".
    pub fn primary_suffix(&self) -> String {
        self.primary
            .as_deref()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default()
    }

    /// "a standby (in recovery, replicating from db1:5432)", for messages.
    pub fn describe(&self) -> String {
        match &self.primary {
            Some(primary) => format!("a standby (in recovery, replicating from {primary})"),
            None => "a standby (in recovery)".to_string(),
        }
    }
}

/// A table as found on the server: its name as the user gave it, where it lives and the
/// text that names it in SQL.
#[derive(Clone, Debug)]
pub struct Rel {
    /// The name as the user gave it (unqualified), for messages.
    pub name: String,
    /// The schema it is in, or would be created in; `None` when no schema on the search
    /// path exists.
    pub schema: Option<String>,
    /// `"schema".name`: only ever a validated name and a quoted catalog name.
    pub sql: String,
    /// The table's oid when it exists.
    pub oid: Option<u32>,
    /// The schemas searched, in order, for "does not exist" messages.
    pub searched: Vec<String>,
    /// `user@host:port/dbname` of the session.
    pub target: String,
    /// Who blocked the session's last lock wait, for a `--lock-timeout` error.
    pub blockers: Blockers,
}

impl Rel {
    pub fn exists(&self) -> bool {
        self.oid.is_some()
    }

    /// The table's oid, or the "does not exist — run migrate" error.
    pub fn require(&self) -> anyhow::Result<u32> {
        self.oid
            .ok_or_else(|| anyhow::Error::msg(crate::db::errors::missing_table(self)))
    }

    /// Where the table was looked for, for a "does not exist" message.
    pub fn searched_text(&self) -> String {
        match self.searched.as_slice() {
            [] => "no schema on the search path exists".to_string(),
            [one] => format!("schema \"{one}\""),
            many => format!(
                "schemas {}",
                many.iter()
                    .map(|s| format!("\"{s}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl Session {
    pub fn new(
        mut wire: Wire,
        settings: Settings,
        target: String,
        schema_option: Option<String>,
        first_answer_within: Duration,
    ) -> Self {
        wire.look_at_lock_waits(
            crate::db::lockwait::look_after(settings.lock_timeout),
            settings.lock_timeout.is_some(),
        );
        Self {
            wire,
            settings,
            target,
            schema_option,
            search_path: None,
            standby: None,
            first_answer_within,
        }
    }

    /// When a round trip that starts now is given up: `--statement-timeout` and a grace.
    fn deadline(&self) -> Deadline {
        deadline(self.settings)
    }

    /// One round trip that must be answered within `wait`: a pooler can accept a client
    /// and then hold it until a server connection frees (PgBouncer in session mode, all
    /// its server connections taken). Past `wait` the connection is closed, and
    /// [`Session::cut`] tells that apart from an error the server sent. The deadline is
    /// the probe's own, not `--statement-timeout`'s.
    pub fn answers_within(&mut self, wait: Duration) -> Result<(), tokio_postgres::Error> {
        let deadline = Some((Instant::now() + wait, Cut::Unanswered { within: wait }));
        self.wire.batch_execute("SELECT 1", deadline)
    }

    /// The server is a hot standby: what `locate` found.
    pub fn standby(&self) -> Option<&Standby> {
        self.standby.as_ref()
    }

    /// Whether the connection is gone (the server closed it, or outboxctl did).
    pub fn is_closed(&self) -> bool {
        self.wire.is_closed()
    }

    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// Caps how long any later statement may wait for a lock or run, keeping a shorter
    /// limit the user gave: for commands that must finish even while another session
    /// holds a table (the doctor).
    pub fn bound_waits(&mut self, lock: Duration, statement: Duration) {
        let cap =
            |given: Option<Duration>, bound: Duration| Some(given.map_or(bound, |g| g.min(bound)));
        self.settings.lock_timeout = cap(self.settings.lock_timeout, lock);
        self.settings.statement_timeout = cap(self.settings.statement_timeout, statement);
    }

    /// Tell `announce` who blocks a statement that waits for a lock.
    pub fn announce_lock_waits(&mut self, announce: Option<crate::db::wire::Announce>) {
        self.wire.announce_lock_waits(announce);
    }

    /// The handle that cuts this connection (a second signal abandons what is in flight).
    pub fn cutter(&self) -> Cutter {
        self.wire.cutter()
    }

    /// Why outboxctl cut the connection, if it did: the server stayed silent past
    /// `--statement-timeout`, a probe went unanswered, a second signal.
    pub fn cut(&self) -> Option<Cut> {
        self.wire.cutter().why().cloned()
    }

    /// Starts a transaction with outboxctl's settings in force.
    pub fn begin(&mut self, access: Access) -> Result<Tx<'_>, tokio_postgres::Error> {
        let prelude = prelude(access, self.settings, self.search_path.as_deref());
        sql_guard::debug_check(&prelude);
        let deadline = self.deadline();
        self.wire.batch_execute(&prelude, deadline)?;
        Ok(Tx {
            wire: &mut self.wire,
            settings: self.settings,
            open: true,
        })
    }

    /// Runs `work` in one transaction and commits it; `fail` explains a server error.
    pub fn with_tx<T>(
        &mut self,
        access: Access,
        fail: &dyn Fn(tokio_postgres::Error) -> anyhow::Error,
        work: impl FnOnce(&mut Tx<'_>) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let mut tx = self.begin(access).map_err(fail)?;
        let value = work(&mut tx)?;
        tx.commit().map_err(fail)?;
        Ok(value)
    }

    /// Runs one statement outside any transaction, for `CREATE INDEX CONCURRENTLY`, which
    /// refuses to run inside one. Nothing is set on the session around it, so the
    /// statement itself must spell every operator and type in `pg_catalog`.
    pub fn execute_outside_transaction(&mut self, sql: &str) -> Result<(), tokio_postgres::Error> {
        sql_guard::debug_check(sql);
        self.wire.batch_execute(sql, None)
    }

    /// Finds the tables: on the connection's search path as the library would (its
    /// `$user` expanded, schemas that do not exist left out), or in `--schema`. Only the
    /// first statement runs under the connection's own search path, and it calls nothing
    /// but a schema-qualified catalog function.
    pub fn locate(&mut self, names: &[&str]) -> anyhow::Result<Vec<Rel>> {
        let fail = |e: tokio_postgres::Error| {
            anyhow::anyhow!(
                "looking up the tables on {} failed: {}",
                self.target,
                describe_pg_error(&e)
            )
        };
        let deadline = self.deadline();
        // The first transaction runs under the role's own path, to read it.
        let prelude = prelude(Access::ReadOnly, self.settings, None);
        const PATH: &str = "SELECT pg_catalog.current_schemas(false), pg_catalog.pg_backend_pid(), pg_catalog.current_setting('search_path'),
                    pg_catalog.pg_is_in_recovery(),
                    (SELECT sender_host OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) sender_port::pg_catalog.text
                       FROM pg_catalog.pg_stat_wal_receiver LIMIT 1)";
        sql_guard::debug_check(&prelude);
        sql_guard::debug_check(PATH);
        // The first round trip is answered within the connect timeout, or the target is
        // taken for one that accepted the connection and will not serve it.
        let within = self.first_answer_within;
        let first = match &deadline {
            Some((at, _)) if *at <= Instant::now() + within => deadline.clone(),
            _ => Some((Instant::now() + within, Cut::FirstAnswer { within })),
        };
        let wire = &mut self.wire;
        let (schemas, role_path, standby): (Vec<String>, String, Option<Standby>) =
            (|| -> Result<_, tokio_postgres::Error> {
                wire.batch_execute(&prelude, first)?;
                let row = wire.query_one(PATH, &[], deadline.clone())?;
                wire.set_backend_pid(row.try_get(1)?);
                let schemas: Vec<String> = match &self.schema_option {
                    Some(schema) => vec![schema.to_ascii_lowercase()],
                    None => row.try_get(0)?,
                };
                let standby = row.try_get::<_, bool>(3)?.then(|| Standby {
                    primary: row.try_get(4).ok().flatten(),
                });
                Ok((schemas, row.try_get(2)?, standby))
            })()
            .map_err(fail)?;
        self.standby = standby;
        // With --schema, every later transaction puts that schema first on the role's
        // own path, as a relay whose connection sets search_path to it sees it.
        if let Some(schema) = &self.schema_option {
            self.search_path = Some(format!(
                "{}, {role_path}",
                quote_ident(&schema.to_ascii_lowercase())
            ));
        }
        let wire = &mut self.wire;
        let schemas: Vec<String> = schemas
            .into_iter()
            .filter(|s| !s.starts_with("pg_temp") && !s.starts_with("pg_toast_temp"))
            .collect();
        let folded: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let params = crate::params![folded.clone(), schemas.clone()];
        const TABLES: &str = "SELECT n.nspname::pg_catalog.text, c.relname::pg_catalog.text, c.oid, c.relkind::pg_catalog.text
               FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
              WHERE c.relname OPERATOR(pg_catalog.=) ANY ($1) AND n.nspname OPERATOR(pg_catalog.=) ANY ($2)";
        const SCHEMAS: &str = "SELECT nspname::pg_catalog.text FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) ANY ($1)";
        sql_guard::debug_check(TABLES);
        sql_guard::debug_check(SCHEMAS);
        let rows = (|| {
            let rows = wire.query(TABLES, &params.typed(), deadline.clone())?;
            // Which schemas exist, to know where a missing table would be created.
            let existing = wire.query(
                SCHEMAS,
                &crate::params![schemas.clone()].typed(),
                deadline.clone(),
            )?;
            wire.batch_execute("COMMIT", deadline.clone())?;
            Ok((rows, existing))
        })()
        .map_err(fail)?;
        let (rows, existing) = rows;
        let existing: Vec<String> = existing.iter().map(|r| r.get(0)).collect();
        let searched: Vec<String> = schemas
            .iter()
            .filter(|s| existing.contains(s))
            .cloned()
            .collect();
        names
            .iter()
            .zip(&folded)
            .map(|(name, folded)| {
                let found = searched.iter().find_map(|schema| {
                    rows.iter().find(|r| {
                        r.get::<_, String>(0) == *schema && r.get::<_, String>(1) == *folded
                    })
                });
                // Only a table is the library's table: reading a view or a foreign table
                // runs code its owner wrote, as the role running outboxctl.
                if let Some(row) = found {
                    let kind = row.get::<_, String>(3);
                    if kind != "r" && kind != "p" {
                        anyhow::bail!(
                            "\"{name}\" in schema \"{}\" of {} is {}, not a table: outboxctl works only on the library's tables (check --schema / --table, or the search_path)",
                            row.get::<_, String>(0),
                            self.target,
                            relkind_name(&kind)
                        );
                    }
                }
                let schema = match found {
                    Some(row) => Some(row.get::<_, String>(0)),
                    None => searched.first().cloned(),
                };
                let sql = match &schema {
                    Some(schema) => format!("{}.{name}", quote_ident(schema)),
                    // Nothing can be created or read there; statements fail as "does not exist".
                    None => format!("pg_catalog.{name}"),
                };
                // Name the schema when it is not the usual one (with --schema, the
                // session's target names it already).
                let target = match &schema {
                    Some(s) if s != "public" && self.schema_option.is_none() => {
                        format!("{} (schema {s})", self.target)
                    }
                    _ => self.target.clone(),
                };
                Ok(Rel {
                    name: name.to_string(),
                    schema,
                    sql,
                    oid: found.map(|row| row.get::<_, u32>(2)),
                    blockers: self.wire.blockers(),
                    searched: if self.schema_option.is_some() {
                        schemas.clone()
                    } else {
                        searched.clone()
                    },
                    target,
                })
            })
            .collect()
    }
}

/// `pg_class.relkind` in words.
fn relkind_name(kind: &str) -> &'static str {
    match kind {
        "v" => "a view",
        "m" => "a materialized view",
        "f" => "a foreign table",
        "S" => "a sequence",
        "i" | "I" => "an index",
        "c" => "a composite type",
        "t" => "a TOAST table",
        _ => "not an ordinary table",
    }
}

/// `BEGIN; SET LOCAL …` in one round trip. `search_path`, when given, replaces the
/// role's own for this transaction (`--schema`).
fn prelude(access: Access, settings: Settings, search_path: Option<&str>) -> String {
    let mut sql = String::from(match access {
        Access::ReadOnly => "BEGIN READ ONLY",
        Access::ReadOnlySnapshot => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        // Plain BEGIN: a server or role that defaults to read-only stays read-only.
        Access::ReadWrite => "BEGIN",
    });
    if let Some(path) = search_path {
        sql.push_str(&format!(
            "; SELECT pg_catalog.set_config('search_path', {}, true)",
            quote_literal(path)
        ));
    }
    if access == Access::ReadWrite {
        // A batch abandoned by a second signal (its connection closed) stops on the
        // server within a second instead of running to its end (PostgreSQL 14+).
        sql.push_str(
            "; SELECT pg_catalog.set_config('client_connection_check_interval', '1000', true) WHERE pg_catalog.current_setting('server_version_num')::integer OPERATOR(pg_catalog.>=) 140000",
        );
        // A change outboxctl reports as committed must survive a server crash: a server
        // that defaults to asynchronous commits gets synchronous ones for this
        // transaction (any stricter setting, such as remote_apply, is kept).
        sql.push_str(
            "; SELECT pg_catalog.set_config('synchronous_commit', 'on', true) WHERE pg_catalog.current_setting('synchronous_commit') OPERATOR(pg_catalog.=) 'off'",
        );
    }
    if let Some(t) = settings.statement_timeout {
        sql.push_str(&format!(
            "; SET LOCAL statement_timeout = {}",
            t.as_millis().max(1)
        ));
    }
    if let Some(t) = settings.lock_timeout {
        sql.push_str(&format!(
            "; SET LOCAL lock_timeout = {}",
            t.as_millis().max(1)
        ));
    }
    sql
}

/// When a round trip that starts now is given up, under `settings`.
fn deadline(settings: Settings) -> Deadline {
    settings.statement_timeout.map(|timeout| {
        (
            Instant::now() + timeout + SILENCE_GRACE,
            Cut::Silent {
                timeout,
                grace: SILENCE_GRACE,
            },
        )
    })
}

/// An open transaction. Dropped without `commit`, it rolls back.
pub struct Tx<'a> {
    wire: &'a mut Wire,
    settings: Settings,
    open: bool,
}

impl Tx<'_> {
    /// The deadline for `sql`, which debug builds first hold to outboxctl's SQL rule.
    fn checked(&self, sql: &str) -> Deadline {
        sql_guard::debug_check(sql);
        deadline(self.settings)
    }

    pub fn query(&mut self, sql: &str, params: &Params) -> Result<Vec<Row>, tokio_postgres::Error> {
        let deadline = self.checked(sql);
        self.wire.query(sql, &params.typed(), deadline)
    }

    pub fn query_one(&mut self, sql: &str, params: &Params) -> Result<Row, tokio_postgres::Error> {
        let deadline = self.checked(sql);
        self.wire.query_one(sql, &params.typed(), deadline)
    }

    pub fn query_opt(
        &mut self,
        sql: &str,
        params: &Params,
    ) -> Result<Option<Row>, tokio_postgres::Error> {
        let deadline = self.checked(sql);
        self.wire.query_opt(sql, &params.typed(), deadline)
    }

    /// Runs statements that take no parameters (DDL), in the simple protocol.
    pub fn batch_execute(&mut self, sql: &str) -> Result<(), tokio_postgres::Error> {
        let deadline = self.checked(sql);
        self.wire.batch_execute(sql, deadline)
    }

    pub fn commit(mut self) -> Result<(), tokio_postgres::Error> {
        self.open = false;
        self.wire.batch_execute("COMMIT", deadline(self.settings))
    }

    /// Runs `sql` and hands each row to `each`. A result limited to at most
    /// [`SMALL_RESULT`] rows (`limit`, 0 for none) is fetched at once; anything larger
    /// streams, so memory stays flat whatever the result size.
    pub fn for_each_row(
        &mut self,
        sql: &str,
        params: &Params,
        limit: u64,
        fail: &dyn Fn(tokio_postgres::Error) -> anyhow::Error,
        mut each: impl FnMut(&Row) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        if (1..=SMALL_RESULT).contains(&limit) {
            for row in &self.query(sql, params).map_err(fail)? {
                each(row)?;
            }
            return Ok(());
        }
        // One statement whose rows stream in as the server sends them: the server keeps
        // producing while this side encodes (a cursor's FETCH round trips leave one side
        // idle at a time), the planner may use parallel workers, and the connection reads
        // no further ahead than the rows being handed out, so memory stays flat. The
        // transaction's statement_timeout bounds the whole result.
        let deadline = self.checked(sql);
        let mut stopped: Option<anyhow::Error> = None;
        let streamed = self
            .wire
            .stream(sql, params.typed(), deadline, |row| match each(row) {
                Ok(()) => true,
                Err(err) => {
                    stopped = Some(err);
                    false
                }
            });
        if let Some(err) = stopped {
            // The reader stopped (a closed pipe, say): the rest of the result is not
            // wanted, and draining it could take as long as sending it all. Closing the
            // connection ends it; the transaction only read.
            self.wire.cutter().cut(Cut::Unread);
            self.open = false;
            return Err(err);
        }
        streamed.map_err(fail)
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open && !self.wire.is_closed() {
            let _ = self.wire.batch_execute("ROLLBACK", deadline(self.settings));
        }
    }
}

/// Results up to this many rows are fetched in one go rather than streamed.
pub const SMALL_RESULT: u64 = 10_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prelude_sets_only_what_was_asked() {
        assert_eq!(
            prelude(Access::ReadOnly, Settings::default(), None),
            "BEGIN READ ONLY"
        );
        assert_eq!(
            prelude(
                Access::ReadOnly,
                Settings::default(),
                Some("\"ops\", \"$user\", public")
            ),
            "BEGIN READ ONLY; SELECT pg_catalog.set_config('search_path', E'\"ops\", \"$user\", public', true)"
        );
        let settings = Settings {
            lock_timeout: Some(Duration::from_secs(1)),
            statement_timeout: Some(Duration::from_millis(1500)),
        };
        assert_eq!(
            prelude(Access::ReadWrite, settings, None),
            "BEGIN; SELECT pg_catalog.set_config('client_connection_check_interval', '1000', true) WHERE pg_catalog.current_setting('server_version_num')::integer OPERATOR(pg_catalog.>=) 140000; SELECT pg_catalog.set_config('synchronous_commit', 'on', true) WHERE pg_catalog.current_setting('synchronous_commit') OPERATOR(pg_catalog.=) 'off'; SET LOCAL statement_timeout = 1500; SET LOCAL lock_timeout = 1000"
        );
        assert!(sql_guard::violations(&prelude(Access::ReadWrite, settings, Some("x"))).is_empty());
    }
}
