//! One connection's wire: its socket (see `socket`), the driver's client and connection,
//! and a runtime of its own that moves them while the session's thread waits for an
//! answer (ARCHITECTURE.md §5).
//!
//! Every round trip runs under [`Wire::drive`], which is also where time is kept: past
//! its deadline the connection is cut (a frozen backend answers neither the query nor a
//! cancel), and a round trip that waits long enough to be a lock wait has its blockers
//! looked up on a second connection (see `lockwait`). Everything here belongs to this
//! one connection: nothing one connection does reaches another's socket or state.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::{Duration, Instant};

use futures_util::Stream;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Config, Error, Row, RowStream, SimpleQueryMessage};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::db::lockwait::{self, Reconnect};
use crate::db::socket::{self, Cut, Cutter, Endpoint, TcpOptions};

type Connection = Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;

/// Why a connection could not be opened.
pub enum ConnectFailure {
    /// The socket: refused, unreachable, no such host or socket file.
    Io(std::io::Error),
    /// The server's answer: authentication, an unknown database, TLS.
    Server(Error),
    /// The server is not what `target_session_attrs` asks for.
    WrongKind(&'static str),
    /// No answer within the connect timeout.
    TimedOut,
}

/// Told, from another thread, who blocks a lock wait: "blocked by pid 42 (…)".
pub type Announce = Arc<dyn Fn(&str) + Send + Sync>;

/// The sessions that blocked this connection the last time it waited for a lock.
#[derive(Clone, Debug, Default)]
pub struct Blockers(Arc<Mutex<Option<String>>>);

impl Blockers {
    pub fn last(&self) -> Option<String> {
        self.0.lock().ok().and_then(|b| b.clone())
    }

    pub fn remember(&self, text: String) {
        if let Ok(mut last) = self.0.lock() {
            *last = Some(text);
        }
    }
}

/// Looking at who blocks a round trip that waits: when, how, and where the answer goes.
struct Lookout {
    /// `None` for the lookout's own connection, which looks at nothing.
    reconnect: Option<Reconnect>,
    /// The backend's pid, once known.
    backend_pid: i32,
    after: Duration,
    /// Told what was found, as it is found (the caller decides where it is said).
    announce: Option<Announce>,
    /// A `--lock-timeout` error will want to name the blocker.
    names_blockers: bool,
    blockers: Blockers,
}

pub struct Wire {
    client: Client,
    driver: Driver,
}

struct Driver {
    runtime: tokio::runtime::Runtime,
    /// `None` once the connection has ended.
    connection: Option<Connection>,
    cutter: Cutter,
    lookout: Lookout,
}

impl Wire {
    /// Opens one connection to `endpoint`: each of its addresses in turn, each within
    /// `timeout`, handshake included (libpq's connect_timeout is per address). With
    /// `reconnect`, lock waits can be looked at on a second connection.
    pub fn connect(
        endpoint: &Endpoint,
        config: &Config,
        mut tls: MakeRustlsConnect,
        timeout: Duration,
        reconnect: Option<Reconnect>,
    ) -> Result<Wire, ConnectFailure> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(ConnectFailure::Io)?;
        let tcp = TcpOptions {
            keepalive: config.get_keepalives().then(|| {
                let mut keepalive =
                    socket2::TcpKeepalive::new().with_time(config.get_keepalives_idle());
                if let Some(interval) = config.get_keepalives_interval() {
                    keepalive = keepalive.with_interval(interval);
                }
                if let Some(retries) = config.get_keepalives_retries() {
                    keepalive = keepalive.with_retries(retries);
                }
                keepalive
            }),
            user_timeout: config.get_tcp_user_timeout().copied(),
        };
        let mut config = config.clone();
        // libpq never uses TLS on a Unix-domain socket, whatever sslmode says.
        if endpoint.is_socket() {
            config.ssl_mode(tokio_postgres::config::SslMode::Disable);
        }
        let opened = runtime.block_on(async {
            let places = tokio::time::timeout(timeout, endpoint.places())
                .await
                .unwrap_or(Err(std::io::Error::from(std::io::ErrorKind::TimedOut)))
                .map_err(|err| match err.kind() {
                    std::io::ErrorKind::TimedOut => ConnectFailure::TimedOut,
                    _ => ConnectFailure::Io(err),
                })?;
            let mut failure = ConnectFailure::TimedOut;
            for place in &places {
                let tls = MakeTlsConnect::<socket::PgStream>::make_tls_connect(
                    &mut tls,
                    &endpoint.tls_name(),
                )
                .map_err(|e| ConnectFailure::Io(std::io::Error::other(e)))?;
                let attempt = tokio::time::timeout(timeout, async {
                    let stream = socket::open(place, &tcp)
                        .await
                        .map_err(ConnectFailure::Io)?;
                    let cutter = stream.cutter();
                    let (client, connection) = config
                        .connect_raw(stream, tls)
                        .await
                        .map_err(ConnectFailure::Server)?;
                    let connection: Connection = Box::pin(connection);
                    Ok::<_, ConnectFailure>((client, connection, cutter))
                })
                .await
                .unwrap_or(Err(ConnectFailure::TimedOut));
                match attempt {
                    Ok(opened) => return Ok(opened),
                    // The server answered and said no (a password, a database): the
                    // next address is the same server.
                    Err(ConnectFailure::Server(err)) if err.as_db_error().is_some() => {
                        return Err(ConnectFailure::Server(err));
                    }
                    Err(err) => failure = err,
                }
            }
            Err(failure)
        })?;
        let (client, connection, cutter) = opened;
        let mut wire = Wire {
            client,
            driver: Driver {
                runtime,
                connection: Some(connection),
                cutter,
                lookout: Lookout {
                    reconnect,
                    backend_pid: 0,
                    after: lockwait::ANNOUNCE_AFTER,
                    announce: None,
                    names_blockers: false,
                    blockers: Blockers::default(),
                },
            },
        };
        wire.check_kind(config.get_target_session_attrs(), timeout)?;
        Ok(wire)
    }

    /// libpq's `target_session_attrs`: a server that is not the kind asked for is
    /// refused, so the next host is tried.
    fn check_kind(
        &mut self,
        wanted: tokio_postgres::config::TargetSessionAttrs,
        timeout: Duration,
    ) -> Result<(), ConnectFailure> {
        use tokio_postgres::config::TargetSessionAttrs;
        if wanted == TargetSessionAttrs::Any {
            return Ok(());
        }
        let deadline = Some((
            Instant::now() + timeout,
            Cut::Unanswered { within: timeout },
        ));
        let answer = self
            .driver
            .drive(
                deadline,
                self.client.simple_query("SHOW transaction_read_only"),
            )
            .map_err(|e| match self.driver.cutter.why() {
                Some(_) => ConnectFailure::TimedOut,
                None => ConnectFailure::Server(e),
            })?;
        let read_only = answer.iter().find_map(|m| match m {
            SimpleQueryMessage::Row(row) => row.get(0).map(|v| v == "on"),
            _ => None,
        });
        match (wanted, read_only) {
            (TargetSessionAttrs::ReadWrite, Some(true)) => {
                Err(ConnectFailure::WrongKind("database does not allow writes"))
            }
            (TargetSessionAttrs::ReadOnly, Some(false)) => {
                Err(ConnectFailure::WrongKind("database is not read only"))
            }
            _ => Ok(()),
        }
    }

    /// Look at lock waits after `after`: say what was found on stderr when `announce`,
    /// and remember it for a `--lock-timeout` error when `names_blockers`.
    pub fn look_at_lock_waits(&mut self, after: Duration, names_blockers: bool) {
        self.driver.lookout.after = after;
        self.driver.lookout.names_blockers = names_blockers;
    }

    pub fn announce_lock_waits(&mut self, announce: Option<Announce>) {
        self.driver.lookout.announce = announce;
    }

    /// The backend's pid, for looking up who blocks it.
    pub fn set_backend_pid(&mut self, pid: i32) {
        self.driver.lookout.backend_pid = pid;
    }

    pub fn blockers(&self) -> Blockers {
        self.driver.lookout.blockers.clone()
    }

    /// The handle that cuts this connection, from any thread.
    pub fn cutter(&self) -> Cutter {
        self.driver.cutter.clone()
    }

    pub fn is_closed(&self) -> bool {
        self.client.is_closed() || self.driver.connection.is_none()
    }

    pub fn batch_execute(&mut self, sql: &str, deadline: Deadline) -> Result<(), Error> {
        self.driver.drive(deadline, self.client.batch_execute(sql))
    }

    pub fn query(
        &mut self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
        deadline: Deadline,
    ) -> Result<Vec<Row>, Error> {
        self.driver
            .drive(deadline, self.client.query_typed(sql, params))
    }

    pub fn query_one(
        &mut self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
        deadline: Deadline,
    ) -> Result<Row, Error> {
        self.driver
            .drive(deadline, self.client.query_typed_one(sql, params))
    }

    pub fn query_opt(
        &mut self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
        deadline: Deadline,
    ) -> Result<Option<Row>, Error> {
        self.driver
            .drive(deadline, self.client.query_typed_opt(sql, params))
    }

    /// Runs `sql` and hands its rows to `each` as they arrive, all under one deadline.
    /// `each` returning `false` stops reading; the rest of the result is left unread.
    pub fn stream(
        &mut self,
        sql: &str,
        params: Vec<(&(dyn ToSql + Sync), Type)>,
        deadline: Deadline,
        mut each: impl FnMut(&Row) -> bool,
    ) -> Result<(), Error> {
        let rows: RowStream = self
            .driver
            .drive(deadline.clone(), self.client.query_typed_raw(sql, params))?;
        let mut rows = pin!(rows);
        loop {
            // Time spent by the reader between rows (a slow pipe) is not the server's
            // silence: each fetch has at least the grace to be answered, and the
            // server's own statement_timeout bounds the statement.
            let fetch = deadline.clone().map(|(at, why)| {
                let grace = match &why {
                    Cut::Silent { grace, .. } => *grace,
                    _ => Duration::ZERO,
                };
                (at.max(Instant::now() + grace), why)
            });
            let next = std::future::poll_fn(|cx| rows.as_mut().poll_next(cx));
            match self.driver.drive(fetch, async { next.await.transpose() })? {
                Some(row) => {
                    if !each(&row) {
                        return Ok(());
                    }
                }
                None => return Ok(()),
            }
        }
    }
}

/// When a round trip is given up, and what the error will say: `None` waits for ever.
pub type Deadline = Option<(Instant, Cut)>;

impl Driver {
    /// Runs `work` to its end while moving the connection. Past the deadline the
    /// connection is cut, and the work fails with the cut's reason; a round trip that
    /// waits past the lookout's delay has its blockers looked up.
    fn drive<T>(
        &mut self,
        deadline: Deadline,
        work: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        let Driver {
            runtime,
            connection,
            cutter,
            lookout,
        } = self;
        runtime.block_on(async {
            let mut work = pin!(work);
            let mut silence =
                deadline.map(|(at, why)| (Box::pin(tokio::time::sleep_until(at.into())), why));
            let mut look = Box::pin(tokio::time::sleep(lookout.after));
            let mut looked = false;
            std::future::poll_fn(|cx| {
                let mut failed = None;
                if let Some(moving) = connection.as_mut() {
                    match moving.as_mut().poll(cx) {
                        Poll::Ready(Err(err)) => {
                            *connection = None;
                            failed = Some(err);
                        }
                        Poll::Ready(Ok(())) => *connection = None,
                        Poll::Pending => {}
                    }
                }
                // The connection's own error says why (a cut, a reset); the work would
                // only see that the connection closed.
                match work.as_mut().poll(cx) {
                    Poll::Ready(Ok(value)) => return Poll::Ready(Ok(value)),
                    Poll::Ready(Err(err)) => return Poll::Ready(Err(failed.unwrap_or(err))),
                    Poll::Pending => {
                        if let Some(err) = failed {
                            return Poll::Ready(Err(err));
                        }
                    }
                }
                if let Some((timer, why)) = silence.as_mut()
                    && timer.as_mut().poll(cx).is_ready()
                {
                    cutter.cut(why.clone());
                    silence = None;
                    // Poll again: the cut socket now fails the connection.
                    cx.waker().wake_by_ref();
                }
                if !looked && look.as_mut().poll(cx).is_ready() {
                    looked = true;
                    lookout.look();
                }
                Poll::Pending
            })
            .await
        })
    }
}

impl Lookout {
    fn look(&self) {
        let useful = self.announce.is_some() || self.names_blockers;
        if useful
            && self.backend_pid != 0
            && let Some(reconnect) = &self.reconnect
        {
            lockwait::describe(
                reconnect.clone(),
                self.backend_pid,
                self.announce.clone(),
                self.blockers.clone(),
            );
        }
    }
}
