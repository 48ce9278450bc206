//! What every command receives: the validated global options.

use crate::cli::GlobalArgs;
use crate::db::connect::{ConnectOptions, Target};
use crate::db::session::Access;
use crate::db::session::{Rel, Session};
use crate::render::output::{Output, Shape};
use crate::tables::dedup::DedupTable;
use crate::tables::dedup_columns::{ColumnMap, DedupColumns};
use crate::tables::schema::Tables;

/// How long an extra connection of `--jobs` may take to answer its first round trip.
const SERVED_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Clone)]
pub struct Context {
    pub tables: Tables,
    pub out: Output,
    connect: ConnectOptions,
    dedup_columns: ColumnMap,
    /// Every `-d` given (`stats` reports on each when there are several).
    database_urls: Vec<String>,
    /// When a password may be asked for on the terminal (-W, -w).
    ask: Ask,
    /// The password typed for this target, kept for its other connections (`--jobs`).
    typed: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

/// psql's `-W` and `-w`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ask {
    /// Before connecting (`-W`).
    UpFront,
    /// When the server wants a password and none was given, on a terminal.
    WhenNeeded,
    /// Never (`-w`).
    Never,
}

/// Both tables as found on the server.
pub struct Located {
    pub outbox: Rel,
    pub processed: Rel,
}

impl Context {
    /// Validates the global options. Nothing is sent to a server here, so a bad table or
    /// schema name is refused before any connection is made.
    pub fn new(global: &GlobalArgs, shape: Shape) -> anyhow::Result<Self> {
        let tables = Tables::new(&global.table, &global.processed_table)?;
        if let Some(schema) = &global.schema {
            crate::db::ident::validate_schema(schema)?;
        }
        Ok(Self {
            tables,
            out: Output::new(global.output(), shape),
            connect: ConnectOptions {
                database_url: global.database_url.first().cloned(),
                schema: global.schema.clone(),
                connect_timeout: global.connect_timeout,
                lock_timeout: global.lock_timeout,
                statement_timeout: global.statement_timeout,
                startup_settings: Vec::new(),
                password: None,
            },
            dedup_columns: global.dedup_columns.clone().unwrap_or_default(),
            database_urls: global.database_url.clone(),
            ask: if global.ask_password {
                Ask::UpFront
            } else if global.no_password {
                Ask::Never
            } else {
                Ask::WhenNeeded
            },
            typed: Default::default(),
        })
    }

    pub fn database_urls(&self) -> &[String] {
        &self.database_urls
    }

    /// The same options pointed at another target (a URL, a conninfo string such as
    /// `service=orders`).
    pub fn for_database(&self, conninfo: &str) -> Self {
        let mut other = self.clone();
        other.connect.database_url = Some(conninfo.to_string());
        // A password typed for one target is not another's.
        other.typed = Default::default();
        other
    }

    /// How a target is named before connecting: `user@host:port/dbname`.
    pub fn describe_target(&self) -> anyhow::Result<String> {
        // Its warnings are said when it is connected to.
        Ok(Target::resolve(&self.connect)?.display)
    }

    /// The target `options` name, its warnings said (unless --quiet).
    fn target(&self, options: &ConnectOptions) -> anyhow::Result<Target> {
        let target = Target::resolve(options)?;
        for warning in &target.warnings {
            self.out.warn(warning);
        }
        Ok(target)
    }

    pub fn dedup_columns(&self) -> &ColumnMap {
        &self.dedup_columns
    }

    /// The options that point another outboxctl command at the same tables, for commands
    /// printed as fixes: `--schema`, `--table`, `--processed-table`, `--dedup-columns`
    /// when they differ from the defaults. The connection is left to the environment.
    pub fn locating_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(schema) = self.schema() {
            args.extend(["--schema".to_string(), schema.to_string()]);
        }
        if self.tables.outbox != crate::tables::schema::DEFAULT_OUTBOX_TABLE {
            args.extend(["--table".to_string(), self.tables.outbox.clone()]);
        }
        if self.tables.processed != crate::tables::schema::DEFAULT_PROCESSED_TABLE {
            args.extend([
                "--processed-table".to_string(),
                self.tables.processed.clone(),
            ]);
        }
        if let Some(map) = self.dedup_columns.to_arg() {
            args.extend(["--dedup-columns".to_string(), map]);
        }
        args
    }

    pub fn schema(&self) -> Option<&str> {
        self.connect.schema.as_deref()
    }

    pub fn connect(&self) -> anyhow::Result<Session> {
        use std::io::IsTerminal;
        let mut session = self.open_target(&self.connect)?;
        if !self.out.quiet && std::io::stderr().is_terminal() {
            session.announce_lock_waits(Some(std::sync::Arc::new(|blockers: &str| {
                // Other sessions' query text: escaped like everything read from the server.
                crate::render::output::stderr_line(&format!(
                    "outboxctl: waiting for a lock — {}",
                    crate::render::output::escape(blockers)
                ));
            })));
        }
        Ok(session)
    }

    /// `count` more connections like [`Context::connect`]'s, for the jobs of a run. They
    /// open before anything changes, so a server out of connection slots stops the run
    /// with nothing done.
    pub fn connect_more(&self, count: usize) -> anyhow::Result<Vec<Session>> {
        let opened: Vec<Session> = (0..count)
            .map(|i| {
                self.connect().map_err(|err| {
                    anyhow::anyhow!(
                        "opening connection {} of --jobs {} failed, so nothing was changed: {err:#}",
                        i + 2,
                        count + 1
                    )
                })
            })
            .collect::<anyhow::Result<_>>()?;
        // A pooler may accept a connection it will not serve until another is given
        // back (PgBouncer in session mode): a job on it would wait while the others do
        // all the work, then fail. Each is asked once, all at once, before anything
        // changes; the run goes on with those that answer.
        let wait = self
            .connect
            .connect_timeout
            .unwrap_or(SERVED_WAIT)
            .min(SERVED_WAIT);
        let answers: Vec<(Session, anyhow::Result<()>)> = std::thread::scope(|scope| {
            let asked: Vec<_> = opened
                .into_iter()
                .map(|mut session| {
                    scope.spawn(move || {
                        let answer = session.answers_within(wait).map_err(|e| {
                            if session.cut().is_some() {
                                anyhow::anyhow!(
                                    "{} accepted the connection but did not serve it within {} (a pooler with every server connection taken?)",
                                    session.target,
                                    crate::units::format_duration(wait)
                                )
                            } else {
                                anyhow::anyhow!(
                                    "{}: {}",
                                    session.target,
                                    crate::db::errors::describe_pg_error(&e)
                                )
                            }
                        });
                        (session, answer)
                    })
                })
                .collect();
            asked
                .into_iter()
                .map(|h| h.join().expect("the probe does not panic"))
                .collect()
        });
        let mut served = Vec::new();
        for (session, answer) in answers {
            match answer {
                Ok(()) => served.push(session),
                Err(err) => self.out.warn(format!(
                    "a connection of --jobs {} is not served, so it takes no part: {err:#}",
                    count + 1
                )),
            }
        }
        if served.len() < count {
            self.out.warn(format!(
                "running with {} of the {} jobs asked for",
                served.len() + 1,
                count + 1
            ));
        }
        Ok(served)
    }

    /// A connection of its own with `settings` in its startup packet, for statements that
    /// must run outside a transaction (where `SET LOCAL` cannot reach).
    pub fn connect_with_startup(&self, settings: Vec<(String, String)>) -> anyhow::Result<Session> {
        let mut options = self.connect.clone();
        options.startup_settings = settings;
        self.open_target(&options)
    }

    /// Connects to the target `options` name, asking for a password on the terminal
    /// when the server wants one and none was given (or up front with `-W`), as psql
    /// does; the password typed is kept for this target's other connections.
    fn open_target(&self, options: &ConnectOptions) -> anyhow::Result<Session> {
        use std::io::IsTerminal;
        let mut options = options.clone();
        options.password = self.typed.lock().ok().and_then(|t| t.clone());
        let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        let target = self.target(&options)?;
        if self.ask == Ask::UpFront && options.password.is_none() {
            if !terminal {
                return Err(crate::error::usage(
                    "-W asks for the password on a terminal, and there is none: set PGPASSWORD or use ~/.pgpass",
                ));
            }
            options.password = Some(self.ask_for(&target.user_name())?);
            return self.target(&options)?.connect();
        }
        match target.connect() {
            Err(err) if self.ask == Ask::WhenNeeded && terminal => {
                let Some(needed) = err.downcast_ref::<crate::db::connect::PasswordNeeded>() else {
                    return Err(err);
                };
                options.password = Some(self.ask_for(&needed.user)?);
                self.target(&options)?.connect()
            }
            result => result,
        }
    }

    /// `Password for user app:` on the terminal; the answer is kept for this target.
    fn ask_for(&self, user: &str) -> anyhow::Result<String> {
        crate::batch::signals::at_prompt(true);
        let typed = rpassword::prompt_password(format!("Password for user {user}: "));
        crate::batch::signals::at_prompt(false);
        let typed = typed.map_err(|e| anyhow::anyhow!("reading the password failed: {e}"))?;
        if let Ok(mut kept) = self.typed.lock() {
            *kept = Some(typed.clone());
        }
        Ok(typed)
    }

    /// The user's `--statement-timeout` and `--lock-timeout`.
    /// This context with `timeout` as the statement timeout when none was given (a
    /// long-running command that must answer within a deadline of its own).
    pub fn with_default_statement_timeout(&self, timeout: std::time::Duration) -> Self {
        let mut other = self.clone();
        other.connect.statement_timeout = other.connect.statement_timeout.or(Some(timeout));
        other
    }

    pub fn timeouts(&self) -> (Option<std::time::Duration>, Option<std::time::Duration>) {
        (self.connect.statement_timeout, self.connect.lock_timeout)
    }

    /// Connects and finds both tables, for a command that only reads: a standby's
    /// answers are as of its last replay, and stderr says so.
    pub fn open(&self) -> anyhow::Result<(Session, Located)> {
        let (session, located) = self.locate()?;
        if let Some(standby) = session.standby() {
            self.out.note(format!(
                "{} is {}: its answers are as of the last transaction it replayed",
                located.outbox.target,
                crate::render::output::escape(&standby.describe())
            ));
        }
        Ok((session, located))
    }

    /// Connects and finds both tables, for a command that changes rows: a standby is
    /// refused before anything else is read (a dry run is answered, and says where).
    pub fn open_to_change(&self, dry_run: bool) -> anyhow::Result<(Session, Located)> {
        let (session, located) = self.locate()?;
        if let Some(standby) = session.standby() {
            if !dry_run {
                return Err(crate::error::Failure {
                    code: crate::error::exit::RUNTIME,
                    message: format!(
                        "{} is {}, which changes nothing: run this against the primary{} (with several hosts, add target_session_attrs=read-write); nothing was changed",
                        located.outbox.target,
                        standby.describe(),
                        standby.primary_suffix()
                    ),
                }
                .into());
            }
            self.out.note(format!(
                "{} is {}: this dry run counts its rows as of the last transaction it replayed; the change itself must run on the primary",
                located.outbox.target,
                crate::render::output::escape(&standby.describe())
            ));
        }
        Ok((session, located))
    }

    fn locate(&self) -> anyhow::Result<(Session, Located)> {
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
        let fail = |e| crate::db::errors::explain_table_error(e, rel);
        let cols = session.with_tx(Access::ReadOnly, &fail, |tx| {
            DedupColumns::resolve(tx, rel, &self.dedup_columns)
        })?;
        Ok(DedupTable {
            rel: rel.clone(),
            cols,
        })
    }
}
