//! The doctor's checks: why an outbox is slow or stuck. Every check reads catalogs and
//! statistics views only: it never changes anything, never takes a lock stronger than
//! ACCESS SHARE, and never reads a table's rows (except where `--exact` asks it to).
//!
//! Checks run in a fixed order, each in its own short read-only transaction, so one
//! check that cannot see a view (a managed service, a role without `pg_monitor`) or that
//! runs into another session's lock is `skipped` with the reason while the others still
//! run. Later checks read earlier findings: dead rows are tied to a held horizon.

mod backlog;
mod fixes;
mod horizon;
mod indexes;
mod locks;
mod partitions;
pub mod report;
mod server;
mod size;
pub mod thresholds;
mod vacuum;

use std::time::Duration;

use serde_json::{Map, Value};

use crate::db::catalog::Predicates;
use crate::db::errors::describe_pg_error;
use crate::db::session::{Access, Rel, Session, Tx};
use crate::tables::dedup_columns::ColumnMap;
pub use thresholds::{Measure, Threshold, Thresholds};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Ok,
    Skipped,
    Warn,
    Fail,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Skipped => "skipped",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// One thing a check found: named fields for scripts, a sentence for people.
#[derive(Debug, Clone)]
pub struct Detail {
    pub fields: Map<String, Value>,
    pub text: String,
}

impl Detail {
    pub fn new(text: impl Into<String>, fields: Value) -> Self {
        let fields = match fields {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        Self {
            fields,
            text: text.into(),
        }
    }
}

/// What one check concluded.
#[derive(Debug, Clone)]
pub struct Finding {
    pub id: &'static str,
    pub title: &'static str,
    pub status: Status,
    pub summary: String,
    pub details: Vec<Detail>,
    /// Statements or commands a person can paste, in the order to try them.
    pub fix: Vec<String>,
}

/// Why a check could not give an answer.
pub enum CheckError {
    /// It could not see what it needs: reported as `skipped` with this reason.
    Skip(String),
    /// The connection is gone: the run cannot go on.
    Fatal(anyhow::Error),
}

impl From<anyhow::Error> for CheckError {
    fn from(err: anyhow::Error) -> Self {
        CheckError::Fatal(err)
    }
}

pub type CheckResult = Result<Finding, CheckError>;

/// A check: its id (stable, for `--only`, `--skip` and `--threshold`), its title, the
/// thresholds it reads, and the function that runs it.
pub struct Check {
    pub id: &'static str,
    pub title: &'static str,
    pub thresholds: &'static [Threshold],
    run: fn(&mut Probe<'_>) -> CheckResult,
}

/// Every check, in the order they run and print.
pub const CHECKS: &[Check] = &[
    Check {
        id: "xmin-sessions",
        title: "xmin horizon: sessions",
        thresholds: horizon::SESSION_THRESHOLDS,
        run: horizon::sessions,
    },
    Check {
        id: "xmin-slots",
        title: "xmin horizon: replication slots",
        thresholds: horizon::SLOT_THRESHOLDS,
        run: horizon::slots,
    },
    Check {
        id: "xmin-standbys",
        title: "xmin horizon: standbys",
        thresholds: horizon::STANDBY_THRESHOLDS,
        run: horizon::standbys,
    },
    Check {
        id: "prepared-xacts",
        title: "prepared transactions",
        thresholds: horizon::PREPARED_THRESHOLDS,
        run: horizon::prepared,
    },
    Check {
        id: "dead-rows",
        title: "dead rows and vacuum",
        thresholds: vacuum::DEAD_ROW_THRESHOLDS,
        run: vacuum::dead_rows,
    },
    Check {
        id: "autovacuum",
        title: "autovacuum settings for a hot queue table",
        thresholds: vacuum::AUTOVACUUM_THRESHOLDS,
        run: vacuum::autovacuum,
    },
    Check {
        id: "bloat",
        title: "size and bloat",
        thresholds: size::BLOAT_THRESHOLDS,
        run: size::bloat,
    },
    Check {
        id: "indexes",
        title: "indexes",
        thresholds: &[],
        run: indexes::indexes,
    },
    Check {
        id: "stale-stats",
        title: "statistics for the claim query's plan",
        thresholds: server::STATISTICS_THRESHOLDS,
        run: server::stale_stats,
    },
    Check {
        id: "wraparound",
        title: "transaction id and multixact wraparound",
        thresholds: vacuum::WRAPAROUND_THRESHOLDS,
        run: vacuum::wraparound,
    },
    Check {
        id: "locks",
        title: "locks on the tables",
        thresholds: locks::LOCK_THRESHOLDS,
        run: locks::locks,
    },
    Check {
        id: "backlog",
        title: "backlog and relay liveness",
        thresholds: backlog::BACKLOG_THRESHOLDS,
        run: backlog::backlog,
    },
    Check {
        id: "partitions",
        title: "partitions of a partitioned outbox",
        thresholds: partitions::PARTITION_THRESHOLDS,
        run: partitions::partitions,
    },
    Check {
        id: "schema",
        title: "schema drift",
        thresholds: &[],
        run: indexes::schema,
    },
    Check {
        id: "connections",
        title: "connection slots",
        thresholds: server::CONNECTION_THRESHOLDS,
        run: server::connections,
    },
    Check {
        id: "guard-rails",
        title: "guard rails against forgotten transactions",
        thresholds: &[],
        run: server::guard_rails,
    },
    Check {
        id: "claim-cost",
        title: "the claim query's cost",
        thresholds: backlog::CLAIM_THRESHOLDS,
        run: backlog::claim_cost,
    },
];

pub fn check_ids() -> Vec<&'static str> {
    CHECKS.iter().map(|c| c.id).collect()
}

/// Longest time a check waits for a lock or runs a statement unless the user asked for
/// less: the doctor is run exactly when a migration holds a table, and must still finish.
pub const LOCK_WAIT_BOUND: Duration = Duration::from_secs(1);
pub const STATEMENT_BOUND: Duration = Duration::from_secs(10);

/// What every check works with: the connection, both tables, the thresholds, and what
/// earlier checks found.
pub struct Probe<'s> {
    session: &'s mut Session,
    /// A new connection when the server drops this one (a restart, `idle_session_timeout`
    /// during the sample): every read is read-only, so it is simply read again.
    reconnect: &'s dyn Fn() -> anyhow::Result<Session>,
    pub outbox: Rel,
    pub processed: Rel,
    pub thresholds: Thresholds,
    /// `--exact`: the user allows checks to read tables (pgstattuple, stuck rows).
    pub exact: bool,
    /// How long the backlog check watches a stalled queue for claims.
    pub sample: Duration,
    /// How long a check may scan a table before it reports what it did not see.
    pub scan_budget: Duration,
    pub dedup_columns: ColumnMap,
    /// The role the checks run as, and whether it can see every session's details.
    pub role: String,
    pub sees_all_sessions: bool,
    pub statement_bound: Duration,
    /// `Unread` while another session holds (or queues for) ACCESS EXCLUSIVE on a
    /// table: printing an index predicate would wait behind it.
    pub predicates: Predicates,
    pub database: String,
    pub server_version_num: i32,
    locating_args: Vec<String>,
    /// Where the rows are: each table, or a partitioned table's leaf partitions.
    storage: Vec<(crate::tables::schema::TableKind, Rel, u32)>,
    pub findings: Vec<Finding>,
}

/// Options for [`run`].
pub struct Options {
    pub thresholds: Thresholds,
    pub exact: bool,
    pub sample: Duration,
    pub scan_budget: Duration,
    pub selected: Vec<&'static str>,
    pub dedup_columns: ColumnMap,
    /// Options that point a printed `outboxctl` fix at the same tables.
    pub locating_args: Vec<String>,
}

/// The doctor's whole answer.
pub struct Report {
    pub database: String,
    pub server_version: String,
    pub role: String,
    pub sees_all_sessions: bool,
    /// The server is a hot standby: checks that only the primary can answer are
    /// skipped, and fixes say they run on the primary.
    pub standby: Option<crate::db::session::Standby>,
    pub findings: Vec<Finding>,
}

/// Checks a standby cannot answer for the relay's primary: its sessions, locks and
/// statements are not the primary's, its standbys and prepared transactions are not
/// the ones that hold the primary's horizon, and it keeps no dead-row counts.
const NEEDS_THE_PRIMARY: &[&str] = &[
    "xmin-sessions",
    "xmin-standbys",
    "prepared-xacts",
    "dead-rows",
    "locks",
    "claim-cost",
    "connections",
    "stale-stats",
];

/// Whether a fix only reads (and so runs on a standby as well as anywhere).
fn reads_only(fix: &str) -> bool {
    fix.lines().all(|line| {
        let line = line.trim_start();
        line.is_empty()
            || line.starts_with("--")
            || line.starts_with("SELECT ") && !line.contains("pg_terminate_backend")
            || [
                "outboxctl list",
                "outboxctl show",
                "outboxctl stats",
                "outboxctl check",
                "outboxctl doctor",
            ]
            .iter()
            .any(|read| line.starts_with(read))
    })
}

impl Report {
    /// The worst status among the checks, `skipped` counting as `ok`.
    pub fn worst(&self) -> Status {
        self.findings
            .iter()
            .map(|f| f.status)
            .filter(|s| *s != Status::Skipped)
            .max()
            .unwrap_or(Status::Ok)
    }
}

pub fn run(
    session: &mut Session,
    reconnect: &dyn Fn() -> anyhow::Result<Session>,
    outbox: Rel,
    processed: Rel,
    options: Options,
) -> anyhow::Result<Report> {
    let statement_bound = session
        .settings()
        .statement_timeout
        .map_or(STATEMENT_BOUND, |t| t.min(STATEMENT_BOUND));
    session.bound_waits(LOCK_WAIT_BOUND, statement_bound);
    let identify = |e: tokio_postgres::Error| {
        anyhow::anyhow!(
            "reading the server's identity failed: {}",
            describe_pg_error(&e)
        )
    };
    let (database, server_version, role, sees_all_sessions, server_version_num): (
        String,
        String,
        String,
        bool,
        i32,
    ) = session.with_tx(Access::ReadOnly, &identify, |tx| {
        let row = tx
            .query_one(
                "SELECT pg_catalog.current_database()::pg_catalog.text, pg_catalog.current_setting('server_version'),
                            current_user::pg_catalog.text,
                            pg_catalog.pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'),
                            pg_catalog.current_setting('server_version_num')::int",
                &crate::params![],
            )
            .map_err(identify)?;
        Ok((row.get(0), row.get(1), row.get(2), row.get(3), row.get(4)))
    })?;
    let mut probe = Probe {
        session,
        reconnect,
        outbox,
        processed,
        thresholds: options.thresholds,
        exact: options.exact,
        sample: options.sample,
        scan_budget: options.scan_budget,
        dedup_columns: options.dedup_columns,
        role: role.clone(),
        sees_all_sessions,
        statement_bound,
        predicates: Predicates::Deparse,
        database: database.clone(),
        server_version_num,
        locating_args: options.locating_args,
        storage: Vec::new(),
        findings: Vec::new(),
    };
    probe.storage = probe.find_storage()?;
    probe.predicates = probe.catalog_reads()?;
    let standby = probe.session.standby().cloned();
    for check in CHECKS {
        if !options.selected.contains(&check.id) {
            continue;
        }
        if let Some(standby) = &standby
            && NEEDS_THE_PRIMARY.contains(&check.id)
        {
            probe.findings.push(Finding {
                id: check.id,
                title: check.title,
                status: Status::Skipped,
                summary: format!(
                    "only the primary can answer this: the target is {}; run doctor against the primary{}",
                    standby.describe(),
                    standby.primary_suffix()
                ),
                details: Vec::new(),
                fix: Vec::new(),
            });
            continue;
        }
        let finding = match (check.run)(&mut probe) {
            Ok(finding) => finding,
            Err(CheckError::Skip(reason)) => Finding {
                id: check.id,
                title: check.title,
                status: Status::Skipped,
                summary: reason,
                details: Vec::new(),
                fix: Vec::new(),
            },
            Err(CheckError::Fatal(err)) => return Err(err),
        };
        let finding = match &standby {
            Some(standby) => on_the_primary(finding, standby),
            None => finding,
        };
        probe.findings.push(finding);
    }
    Ok(Report {
        database,
        server_version,
        role,
        sees_all_sessions,
        standby,
        findings: probe.findings,
    })
}

/// A standby's finding with every fix that changes something marked as the primary's
/// to run: nothing printed as a fix would fail where it points.
fn on_the_primary(mut finding: Finding, standby: &crate::db::session::Standby) -> Finding {
    let place = format!(
        "-- on the primary{}, not on this standby:",
        standby.primary_suffix()
    );
    finding.fix = finding
        .fix
        .into_iter()
        .map(|fix| {
            if reads_only(&fix) {
                fix
            } else {
                format!("{place}\n{fix}")
            }
        })
        .collect();
    finding
}

impl Probe<'_> {
    /// Runs `work` in its own read-only transaction. A server error becomes the reason
    /// the check is skipped, worded for the operator; a lost connection ends the run.
    pub fn read<T>(
        &mut self,
        what: &str,
        work: impl Fn(&mut Tx<'_>) -> Result<T, tokio_postgres::Error>,
    ) -> Result<T, CheckError> {
        let attempt = |session: &mut Session| -> Result<T, tokio_postgres::Error> {
            let mut tx = session.begin(Access::ReadOnly)?;
            let value = work(&mut tx)?;
            tx.commit()?;
            Ok(value)
        };
        match attempt(self.session) {
            Ok(value) => Ok(value),
            // The connection is gone, not the query wrong: once more on a new one.
            Err(e) if e.as_db_error().is_none() || e.is_closed() || is_fatal(&e) => {
                let mut fresh = (self.reconnect)().map_err(|again| {
                    CheckError::Fatal(anyhow::anyhow!(
                        "reading {what} failed: {}; reconnecting failed too: {}",
                        describe_pg_error(&e),
                        crate::db::errors::one_line(&again)
                    ))
                })?;
                fresh.bound_waits(LOCK_WAIT_BOUND, self.statement_bound);
                *self.session = fresh;
                // outboxctl cut a server that stopped answering: this check did not
                // look, and says so; the next checks go on on the new connection.
                if let Some(cut) = crate::db::socket::cut_of(&e) {
                    return Err(CheckError::Skip(format!("reading {what}: {cut}")));
                }
                attempt(self.session).map_err(|e| self.explain(what, e))
            }
            Err(e) => Err(self.explain(what, e)),
        }
    }

    fn explain(&self, what: &str, err: tokio_postgres::Error) -> CheckError {
        let Some(db) = err.as_db_error() else {
            return CheckError::Fatal(anyhow::anyhow!(
                "reading {what} failed: {}",
                describe_pg_error(&err)
            ));
        };
        let code = db.code().code();
        CheckError::Skip(match code {
            // A table the role may not read needs SELECT; a statistics view, pg_monitor.
            "42501"
                if db.message().contains("for table") || db.message().contains("for schema") =>
            {
                format!(
                    "cannot read {what}: {} (the role {} needs SELECT on both tables and USAGE on their schema)",
                    db.message(),
                    self.role
                )
            }
            "42501" => format!(
                "cannot read {what}: {} (grant pg_monitor to {}, or ask whoever runs the server)",
                db.message(),
                self.role
            ),
            "55P03" => format!(
                "cannot read {what}: another session holds a lock it would wait for (see the locks check)"
            ),
            "57014" => format!(
                "reading {what} took longer than {} and was cancelled",
                crate::units::format_duration(self.statement_bound)
            ),
            _ => format!("cannot read {what}: {}", describe_pg_error(&err)),
        })
    }

    /// Whether index predicates can be printed without waiting: not while an ACCESS
    /// EXCLUSIVE lock on a table is held or queued (a queued one blocks ACCESS SHARE too).
    fn catalog_reads(&mut self) -> anyhow::Result<Predicates> {
        let oids: Vec<i64> = self.tables().iter().map(|(_, _, o)| *o as i64).collect();
        let held = self.read("pg_locks", |tx| {
            Ok(tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks
                                     WHERE locktype OPERATOR(pg_catalog.=) 'relation' AND mode OPERATOR(pg_catalog.=) 'AccessExclusiveLock'
                                       AND relation OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.int8[]::pg_catalog.oid[]))",
                    &crate::params![oids.clone()],
                )?
                .get::<_, bool>(0))
        });
        match held {
            Ok(true) => Ok(Predicates::Unread),
            Ok(false) | Err(CheckError::Skip(_)) => Ok(Predicates::Deparse),
            Err(CheckError::Fatal(e)) => Err(e),
        }
    }

    /// An `outboxctl` command for a fix, pointed at the tables this run looked at.
    pub fn outboxctl(&self, args: &str) -> String {
        let mut line = String::from("outboxctl");
        for arg in &self.locating_args {
            line.push(' ');
            line.push_str(&shell_quote(arg));
        }
        line.push(' ');
        line.push_str(args);
        line
    }

    /// The finding of an earlier check, when it ran.
    pub fn earlier(&self, id: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.id == id)
    }

    /// The horizon checks that found a holder, for "dead rows pile up because…".
    pub fn horizon_holders(&self) -> Vec<&'static str> {
        [
            "xmin-sessions",
            "xmin-slots",
            "xmin-standbys",
            "prepared-xacts",
        ]
        .into_iter()
        .filter(|id| {
            self.earlier(id)
                .is_some_and(|f| matches!(f.status, Status::Warn | Status::Fail))
        })
        .collect()
    }

    /// Where the rows of the tables are: a table itself, or each leaf partition of a
    /// partitioned one (its parent holds no rows, statistics or storage settings).
    fn find_storage(
        &mut self,
    ) -> anyhow::Result<Vec<(crate::tables::schema::TableKind, Rel, u32)>> {
        let mut storage = Vec::new();
        for (kind, rel, oid) in self.tables() {
            // pg_inherits, not pg_partition_tree: that one locks every partition, and
            // must not wait behind a lock on one of them.
            let leaves = self.read("pg_inherits", |tx| {
                tx.query(
                    "WITH RECURSIVE tree(oid) AS (
                         SELECT inhrelid FROM pg_catalog.pg_inherits WHERE inhparent OPERATOR(pg_catalog.=) $1
                         UNION
                         SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree ON i.inhparent OPERATOR(pg_catalog.=) tree.oid)
                     SELECT c.oid, n.nspname::pg_catalog.text, c.relname::pg_catalog.text
                       FROM tree
                       JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) tree.oid
                       JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
                      WHERE c.relkind OPERATOR(pg_catalog.=) 'r'
                        AND (SELECT relkind FROM pg_catalog.pg_class WHERE oid OPERATOR(pg_catalog.=) $1) OPERATOR(pg_catalog.=) 'p'
                      ORDER BY c.relname",
                    &crate::params![oid],
                )
            });
            let leaves = match leaves {
                Ok(rows) => rows,
                Err(CheckError::Skip(_)) => Vec::new(),
                Err(CheckError::Fatal(e)) => return Err(e),
            };
            // A table that is not partitioned is its own storage (the tree is empty).
            if leaves.is_empty() {
                storage.push((kind, rel, oid));
                continue;
            }
            for leaf in leaves {
                let schema: String = leaf.get(1);
                let name: String = leaf.get(2);
                storage.push((
                    kind,
                    Rel {
                        sql: format!(
                            "{}.{}",
                            crate::db::sql::quote_ident(&schema),
                            crate::db::sql::quote_ident(&name)
                        ),
                        name,
                        schema: Some(schema),
                        oid: Some(leaf.get(0)),
                        searched: rel.searched.clone(),
                        target: rel.target.clone(),
                        blockers: rel.blockers.clone(),
                    },
                    leaf.get(0),
                ));
            }
        }
        Ok(storage)
    }

    /// The relations that hold the rows (see [`Probe::find_storage`]).
    pub fn storage(&self) -> Vec<(crate::tables::schema::TableKind, Rel, u32)> {
        self.storage.clone()
    }

    /// The tables that exist, with which one each is.
    pub fn tables(&self) -> Vec<(crate::tables::schema::TableKind, Rel, u32)> {
        use crate::tables::schema::TableKind;
        [
            (TableKind::Outbox, &self.outbox),
            (TableKind::Processed, &self.processed),
        ]
        .into_iter()
        .filter_map(|(kind, rel)| rel.oid.map(|oid| (kind, rel.clone(), oid)))
        .collect()
    }

    pub fn finding(&self, check: &'static str) -> FindingBuilder {
        let title = CHECKS
            .iter()
            .find(|c| c.id == check)
            .map_or(check, |c| c.title);
        FindingBuilder(Finding {
            id: check,
            title,
            status: Status::Ok,
            summary: String::new(),
            details: Vec::new(),
            fix: Vec::new(),
        })
    }
}

/// Builds a finding while a check runs; the status only ever gets worse.
pub struct FindingBuilder(Finding);

impl FindingBuilder {
    pub fn raise(&mut self, status: Status) {
        self.0.status = self.0.status.max(status);
    }

    pub fn status(&self) -> Status {
        self.0.status
    }

    pub fn detail(&mut self, detail: Detail) {
        self.0.details.push(detail);
    }

    pub fn fix(&mut self, fix: impl Into<String>) {
        let fix = fix.into();
        if !self.0.fix.contains(&fix) {
            self.0.fix.push(fix);
        }
    }

    pub fn done(mut self, summary: impl Into<String>) -> CheckResult {
        self.0.summary = summary.into();
        self.0.fix = fixes::merged(std::mem::take(&mut self.0.fix));
        Ok(self.0)
    }
}

/// A FATAL from the server (`idle_session_timeout`, an administrator's termination): the
/// connection ends with it.
fn is_fatal(err: &tokio_postgres::Error) -> bool {
    err.as_db_error()
        .is_some_and(|db| matches!(db.severity(), "FATAL" | "PANIC"))
}

/// `'text'` as an SQL string literal, for fixes a person pastes.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A word for a POSIX shell: as it is when it holds nothing the shell acts on, else in
/// single quotes (a fix is pasted into a terminal, and names come from the database).
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.,:/=@%+".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// `1h2m` for seconds, as every check prints ages.
pub fn age(seconds: f64) -> String {
    crate::units::humanize(seconds.max(0.0).round() as i64)
}

/// A query quoted in a finding: its whitespace folded to single spaces, cut to `max`
/// display columns. Not escaped: human output escapes everything it prints.
pub fn clip(text: &str, max: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::render::layout::cut_to(&one_line, max)
}

pub use crate::render::output::grouped;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_ids_are_unique_and_thresholds_belong_to_their_check() {
        let ids = check_ids();
        for (i, id) in ids.iter().enumerate() {
            assert!(!ids[i + 1..].contains(id), "{id} twice");
        }
        for check in CHECKS {
            for t in check.thresholds {
                assert!(
                    t.key == check.id || t.key.starts_with(&format!("{}.", check.id)),
                    "{} under {}",
                    t.key,
                    check.id
                );
            }
        }
    }

    #[test]
    fn shell_words_are_quoted_when_the_shell_would_act_on_them() {
        assert_eq!(shell_quote("outbox_messages"), "outbox_messages");
        assert_eq!(shell_quote("\"public\".t"), "'\"public\".t'");
        assert_eq!(shell_quote("$(touch x)"), "'$(touch x)'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(-1234567), "-1,234,567");
    }
}
