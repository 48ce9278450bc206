//! Opening the session: libpq-style parameters (see `conninfo`), TLS (see `tls`), the
//! session settings every command relies on, and a connect timeout that covers the whole
//! handshake, not just the TCP connect.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::anyhow;

use crate::db::conninfo::{self, Params};
use crate::db::errors::describe_pg_error;
use crate::db::ident;
use crate::db::session::{Session, Settings};
use crate::db::socket::Endpoint;
use crate::db::tls::{self, Roots, SslMode};
use crate::db::wire::{ConnectFailure, Wire};
use crate::error::usage;
use tokio_postgres_rustls::MakeRustlsConnect;

pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_PORT: u16 = 5432;

/// What the global options contribute to a connection.
#[derive(Clone, Debug, Default)]
pub struct ConnectOptions {
    pub database_url: Option<String>,
    pub schema: Option<String>,
    pub connect_timeout: Option<Duration>,
    pub lock_timeout: Option<Duration>,
    pub statement_timeout: Option<Duration>,
    /// Settings sent in the startup packet (`options=-c name=value`), for the one
    /// connection that runs statements outside any transaction (`migrate --repair`):
    /// they live and die with that connection. PgBouncer refuses them.
    pub startup_settings: Vec<(String, String)>,
    /// A password typed at the prompt: it wins over the password file and PGPASSWORD.
    pub password: Option<String>,
}

/// The server asked for a password and none was given: the caller may ask for one on a
/// terminal (as psql does) and connect again.
#[derive(Debug)]
pub struct PasswordNeeded {
    /// The role the password is for.
    pub user: String,
    pub message: String,
}

impl std::fmt::Display for PasswordNeeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PasswordNeeded {}

/// Everything needed to connect, resolved from the options, the environment and libpq's
/// defaults. Holds the password, so it has no `Debug`.
pub struct Target {
    /// Everything but the host: see `host_specs`.
    config: tokio_postgres::Config,
    host_specs: Vec<HostSpec>,
    load_balance: bool,
    settings: Settings,
    schema: Option<String>,
    /// `user@host:port/dbname`, for messages that name the target.
    pub display: String,
    /// No role was given: libpq's default, the operating-system user, is used.
    default_role: bool,
    /// No target was given at all (no -d, DATABASE_URL, PG* or service).
    defaulted: bool,
    sslmode: SslMode,
    sslrootcert: Option<PathBuf>,
    client_cert: Option<(PathBuf, PathBuf)>,
    timeout: Duration,
    /// `host:port` (or socket path) of each server tried, for error messages.
    pub endpoints: Vec<String>,
    /// What the caller should say before connecting (a password file ignored).
    pub warnings: Vec<String>,
}

impl Target {
    pub fn resolve(options: &ConnectOptions) -> anyhow::Result<Self> {
        Self::resolve_with_env(options, |var| std::env::var(var).ok())
    }

    pub fn resolve_with_env(
        options: &ConnectOptions,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Self> {
        if let Some(schema) = &options.schema {
            ident::validate("--schema", schema)?;
        }
        // Nothing names a target: libpq's defaults are used, and the first error says so.
        let defaulted = options
            .database_url
            .as_deref()
            .is_none_or(|url| url.trim().is_empty())
            && [
                "PGHOST",
                "PGHOSTADDR",
                "PGPORT",
                "PGUSER",
                "PGDATABASE",
                "PGSERVICE",
            ]
            .iter()
            .all(|var| env(var).is_none_or(|v| v.is_empty()));
        let mut params = match &options.database_url {
            Some(url) if !url.trim().is_empty() => conninfo::parse(url)?,
            _ => Params::default(),
        };
        conninfo::apply_service(&mut params, &env)?;
        conninfo::apply_env(&mut params, &env);
        conninfo::refuse_unsupported(&params)?;

        let ports = parse_ports(params.get("port"))?;
        let hostaddrs = parse_hostaddrs(params.get("hostaddr"))?;
        let mut hosts: Vec<String> = params
            .get("host")
            .map(|h| h.split(',').map(str::to_string).collect())
            .unwrap_or_default();
        if hosts.is_empty() {
            if hostaddrs.is_empty() {
                hosts.push(default_host(ports.first().copied().unwrap_or(DEFAULT_PORT)));
            } else {
                hosts = hostaddrs.iter().map(IpAddr::to_string).collect();
            }
        }
        if !hostaddrs.is_empty() && hostaddrs.len() != hosts.len() {
            return Err(usage(
                "connection parameters: host and hostaddr must list the same number of entries",
            ));
        }
        if ports.len() > 1 && ports.len() != hosts.len() {
            return Err(usage(
                "connection parameters: port must give one port, or one per host",
            ));
        }
        let port_of = |i: usize| match ports.len() {
            0 => DEFAULT_PORT,
            1 => ports[0],
            _ => ports[i],
        };

        let default_role = params.get("user").is_none();
        let user = params
            .get("user")
            .map(str::to_string)
            .or_else(os_user)
            .ok_or_else(|| {
                anyhow!("no user name given and the operating system user is unknown: set PGUSER")
            })?;
        let dbname = params.get("dbname").unwrap_or(&user).to_string();

        // The hosts are tried one at a time (see `connect`), each with its own timeout:
        // the driver's own timeout covers only the TCP connect, so a first host that
        // accepts and never answers would otherwise keep the others from being tried.
        let mut config = tokio_postgres::Config::new();
        let mut endpoints = Vec::new();
        let mut host_specs = Vec::new();
        for (i, host) in hosts.iter_mut().enumerate() {
            let port = port_of(i);
            let addr = hostaddrs.get(i).copied();
            // An empty entry in a host list is libpq's default host.
            if host.trim().is_empty() && addr.is_none() {
                *host = default_host(port);
            }
            match addr {
                // libpq connects to hostaddr and uses host only for TLS and the password
                // file: name both, the address being what was tried.
                Some(addr) if addr.to_string() != *host => {
                    endpoints.push(format!("{host} ({}):{port}", bracket(addr)));
                }
                Some(addr) => endpoints.push(format!("{}:{port}", bracket(addr))),
                None if host.starts_with('/') => {
                    endpoints.push(format!("{host}/.s.PGSQL.{port}"));
                }
                None => match host.parse::<IpAddr>() {
                    Ok(literal) => endpoints.push(format!("{}:{port}", bracket(literal))),
                    Err(_) => endpoints.push(format!("{host}:{port}")),
                },
            }
            host_specs.push(HostSpec {
                host: host.clone(),
                port,
                addr,
            });
        }
        config.user(&user);
        config.dbname(&dbname);

        let mut warnings = Vec::new();
        let password = params.get("password").map(str::to_string).or_else(|| {
            let file = conninfo::pgpass_file(&params)?;
            if !pgpass_permissions_ok(&file) {
                warnings.push(format!(
                    "password file \"{}\" has group or world access; permissions should be u=rw (0600) or less",
                    file.display()
                ));
                return None;
            }
            // libpq matches socket connections as "localhost".
            let host = if hosts[0].starts_with('/') { "localhost" } else { &hosts[0] };
            conninfo::pgpass_lookup(&file, host, &port_of(0).to_string(), &dbname, &user)
        });
        if let Some(password) = options.password.as_ref().or(password.as_ref()) {
            config.password(password);
        }

        config.application_name(
            params
                .get("application_name")
                .or(params.get("fallback_application_name"))
                .unwrap_or("outboxctl"),
        );
        // outboxctl's own settings go in each transaction (see `session`), never in the
        // startup packet: PgBouncer refuses `options`, and a pooled server connection
        // must not keep them.
        let mut startup: Vec<String> = params
            .get("options")
            .map(str::to_string)
            .into_iter()
            .collect();
        startup.extend(
            options
                .startup_settings
                .iter()
                .map(|(name, value)| format!("-c {name}={value}")),
        );
        if !startup.is_empty() {
            config.options(startup.join(" "));
        }

        let timeout = match options.connect_timeout {
            Some(t) => t,
            None => match params.get("connect_timeout") {
                Some(text) => {
                    let secs: u64 = text
                        .trim()
                        .parse()
                        .map_err(|_| usage("invalid connect_timeout: give whole seconds"))?;
                    // libpq treats 0 as "wait forever" and raises 1 to 2 seconds.
                    match secs {
                        0 => Duration::from_secs(u64::from(u32::MAX)),
                        1 => Duration::from_secs(2),
                        s => Duration::from_secs(s),
                    }
                }
                None => DEFAULT_CONNECT_TIMEOUT,
            },
        };
        if timeout.is_zero() {
            return Err(usage("--connect-timeout must be greater than zero"));
        }
        config.connect_timeout(timeout);

        // TCP keepalives as libpq has them: on, so a dead peer or a cut network is noticed.
        config.keepalives(params.get("keepalives") != Some("0"));
        if let Some(secs) = seconds(&params, "keepalives_idle")? {
            config.keepalives_idle(Duration::from_secs(secs.max(1)));
        } else {
            config.keepalives_idle(DEFAULT_KEEPALIVES_IDLE);
        }
        if let Some(secs) = seconds(&params, "keepalives_interval")? {
            config.keepalives_interval(Duration::from_secs(secs.max(1)));
        }
        if let Some(count) = seconds(&params, "keepalives_count")? {
            config.keepalives_retries(count.clamp(1, u64::from(u32::MAX)) as u32);
        }
        if let Some(ms) = seconds(&params, "tcp_user_timeout")? {
            config.tcp_user_timeout(Duration::from_millis(ms));
        }
        let load_balance = params.get("load_balance_hosts") == Some("random");
        if let Some(value) = params.get("load_balance_hosts") {
            config.load_balance_hosts(match value {
                "disable" => tokio_postgres::config::LoadBalanceHosts::Disable,
                "random" => tokio_postgres::config::LoadBalanceHosts::Disable,
                _ => {
                    return Err(usage("invalid load_balance_hosts: use disable or random"));
                }
            });
        }
        if let Some(value) = params.get("target_session_attrs") {
            config.target_session_attrs(match value {
                "any" => tokio_postgres::config::TargetSessionAttrs::Any,
                "read-write" => tokio_postgres::config::TargetSessionAttrs::ReadWrite,
                "read-only" => tokio_postgres::config::TargetSessionAttrs::ReadOnly,
                "primary" | "standby" | "prefer-standby" => {
                    return Err(usage(format!(
                        "target_session_attrs={value} is not supported: use read-write to reach the primary, read-only for a standby, or any"
                    )));
                }
                _ => {
                    return Err(usage(
                        "invalid target_session_attrs: use any, read-write or read-only",
                    ));
                }
            });
        }
        if let Some(value) = params.get("channel_binding") {
            config.channel_binding(match value {
                "disable" => tokio_postgres::config::ChannelBinding::Disable,
                "prefer" => tokio_postgres::config::ChannelBinding::Prefer,
                "require" => tokio_postgres::config::ChannelBinding::Require,
                _ => {
                    return Err(usage(
                        "invalid channel_binding: use disable, prefer or require",
                    ));
                }
            });
        }

        let sslrootcert = params.get("sslrootcert").map(PathBuf::from);
        let mut sslmode = SslMode::parse(params.get("sslmode").unwrap_or("prefer"))?;
        // libpq: with a root certificate given, `require` verifies the chain like verify-ca.
        if sslmode == SslMode::Require
            && sslrootcert
                .as_deref()
                .is_some_and(|p| p.as_os_str() != "system" && p.exists())
        {
            sslmode = SslMode::VerifyCa;
        }
        config.ssl_mode(sslmode.wire_mode());
        let client_cert = match (params.get("sslcert"), params.get("sslkey")) {
            (Some(cert), Some(key)) => Some((PathBuf::from(cert), PathBuf::from(key))),
            (None, None) => None,
            _ => return Err(usage("sslcert and sslkey must be given together")),
        };

        // `user@host:port/dbname`, a socket directory standing in for the host.
        let hosts_display: Vec<String> = endpoints
            .iter()
            .map(|e| match e.rsplit_once("/.s.PGSQL.") {
                Some((dir, port)) => format!("{dir}:{port}"),
                None => e.clone(),
            })
            .collect();
        let display = format!(
            "{user}@{}/{dbname}{}",
            hosts_display.join(","),
            options
                .schema
                .as_deref()
                .map(|s| format!(" (schema {s})"))
                .unwrap_or_default()
        );
        Ok(Self {
            config,
            host_specs,
            load_balance,
            settings: Settings {
                lock_timeout: options.lock_timeout,
                statement_timeout: options.statement_timeout,
            },
            schema: options.schema.clone(),
            display,
            default_role,
            defaulted,
            sslmode,
            sslrootcert,
            client_cert,
            timeout,
            endpoints,
            warnings,
        })
    }

    /// The role this target connects as.
    pub fn user_name(&self) -> String {
        self.config.get_user().unwrap_or_default().to_string()
    }

    /// Connects, failing within the connect timeout (per host tried) with one line that
    /// names the server.
    pub fn connect(&self) -> anyhow::Result<Session> {
        let default_root = conninfo::home_dir().map(|h| h.join(".postgresql/root.crt"));
        let roots = match self.sslrootcert.as_deref() {
            // verify-ca checks no host name: against the system's public roots, any
            // certificate any public CA issued would pass (libpq refuses it too).
            Some(p) if p.as_os_str() == "system" && self.sslmode == SslMode::VerifyCa => {
                return Err(usage(
                    "sslmode=verify-ca may not be used with sslrootcert=system: use verify-full, which also checks the host name",
                ));
            }
            Some(p) if p.as_os_str() == "system" => Roots::System,
            Some(p) => Roots::File(p),
            None => match default_root.as_deref() {
                Some(p) if p.exists() => Roots::File(p),
                _ if self.sslmode == SslMode::VerifyCa => {
                    return Err(usage(format!(
                        "sslmode=verify-ca needs the CA to verify against: give sslrootcert=FILE, or put it in {} (verify-full can use the system's roots)",
                        default_root
                            .as_deref()
                            .map_or("~/.postgresql/root.crt".to_string(), |p| p
                                .display()
                                .to_string())
                    )));
                }
                _ => Roots::System,
            },
        };
        let client_cert = self
            .client_cert
            .as_ref()
            .map(|(c, k)| (c.as_path(), k.as_path()));
        let connector = tls::connector(self.sslmode, roots, client_cert)?;

        let where_ = self.endpoints.join(", ");
        let mut order: Vec<usize> = (0..self.host_specs.len()).collect();
        if self.load_balance {
            // libpq's load_balance_hosts=random: a random order, from the clock.
            let seed = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos() as usize);
            let hosts = order.len().max(1);
            order.rotate_left(seed % hosts);
        }
        let mut failures = Vec::new();
        for i in order {
            match self.connect_one(&self.host_specs[i], connector.clone()) {
                Ok(wire) => {
                    return Ok(Session::new(
                        wire,
                        self.settings,
                        self.display.clone(),
                        self.schema.clone(),
                        self.timeout,
                    ));
                }
                Err(reason) => failures.push((i, reason)),
            }
        }
        // Each host with its own cause, as libpq reports them.
        let defaults = if self.defaulted {
            format!(
                " (no target was given — no -d, DATABASE_URL, PGHOST, PGPORT, PGUSER, PGDATABASE or PGSERVICE — so libpq's defaults were used: {})",
                self.display
            )
        } else {
            String::new()
        };
        if let [(_, reason)] = failures.as_slice()
            && reason.contains("password missing")
        {
            return Err(PasswordNeeded {
                user: self.config.get_user().unwrap_or_default().to_string(),
                message: format!(
                    "could not connect to {where_}: the server asks for a password for role \"{}\" and none was given: set PGPASSWORD, add a line to ~/.pgpass (or PGPASSFILE), or name a service with one; on a terminal outboxctl asks for it (-W asks up front, -w never asks){defaults}",
                    self.config.get_user().unwrap_or_default()
                ),
            }
            .into());
        }
        Err(match failures.as_slice() {
            [] => anyhow!("could not connect to {where_}: no host to try"),
            [(_, reason)] => anyhow!("could not connect to {where_}: {reason}{defaults}"),
            many => anyhow!(
                "could not connect to any host: {}",
                many.iter()
                    .map(|(i, reason)| format!("{}: {reason}", self.endpoints[*i]))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        })
    }

    /// One host, within the connect timeout, on a socket of the connection's own: the
    /// connection, or why not.
    fn connect_one(&self, spec: &HostSpec, connector: MakeRustlsConnect) -> Result<Wire, String> {
        let endpoint = spec.endpoint();
        let reconnect = crate::db::lockwait::Reconnect {
            endpoint: endpoint.clone(),
            config: self.config.clone(),
            tls: connector.clone(),
        };
        match Wire::connect(
            &endpoint,
            &self.config,
            connector,
            self.timeout,
            Some(reconnect),
        ) {
            Ok(wire) => Ok(wire),
            Err(ConnectFailure::Io(err)) => {
                // psql's hint: the usual cause is a server that is not there.
                let hint = match (err.kind(), spec.endpoint().is_socket()) {
                    (
                        std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound,
                        true,
                    ) => {
                        " — is the server running locally and accepting connections on that socket?"
                    }
                    (std::io::ErrorKind::ConnectionRefused, false) => {
                        " — is the server running on that host and accepting TCP/IP connections on that port?"
                    }
                    _ => "",
                };
                Err(format!("{err}{hint}"))
            }
            Err(ConnectFailure::Server(err)) => Err(format!(
                "{}{}",
                connect_error_text(&err),
                role_hint(&err, &self.config, self.default_role)
            )),
            Err(ConnectFailure::WrongKind(why)) => Err(why.to_string()),
            Err(ConnectFailure::TimedOut) => Err(format!(
                "no answer within the connect timeout of {}s per address (--connect-timeout, or connect_timeout in the connection string)",
                self.timeout.as_secs_f64()
            )),
        }
    }
}

/// One host to try: its name or socket directory, port and optional address.
#[derive(Clone, Debug)]
struct HostSpec {
    host: String,
    port: u16,
    addr: Option<IpAddr>,
}

impl HostSpec {
    /// Where the socket goes: libpq connects to `hostaddr` when given (the host name
    /// then serves TLS and the password file only), else to the socket directory or
    /// the host name.
    fn endpoint(&self) -> Endpoint {
        match self.addr {
            Some(addr) => Endpoint::Addr(addr, self.port, self.host.clone()),
            None if self.host.starts_with('/') => Endpoint::SocketDir(self.host.clone(), self.port),
            None => Endpoint::Name(self.host.clone(), self.port),
        }
    }
}

/// The driver's connection errors, made readable: `error connecting to server: Connection
/// refused (os error 111)` becomes `Connection refused (os error 111)`.
fn connect_error_text(err: &tokio_postgres::Error) -> String {
    let text = describe_pg_error(err);
    text.strip_prefix("error connecting to server: ")
        .unwrap_or(&text)
        .to_string()
}

/// For a role the server does not know: which role was used and how to choose another
/// (as root with no configuration, libpq's default role is `root`).
fn role_hint(
    err: &tokio_postgres::Error,
    config: &tokio_postgres::Config,
    default_role: bool,
) -> String {
    let unknown_role = err
        .as_db_error()
        .is_some_and(|db| db.code().code() == "28000" && db.message().contains("does not exist"));
    if !unknown_role {
        return String::new();
    }
    format!(
        " — outboxctl connected as role \"{}\"{}; set PGUSER, or give the role in -d (postgres://ROLE@host/db or user=ROLE)",
        config.get_user().unwrap_or_default(),
        if default_role {
            " (the operating-system user, as psql does)"
        } else {
            ""
        }
    )
}

fn parse_ports(text: Option<&str>) -> anyhow::Result<Vec<u16>> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(|p| {
            if p.is_empty() {
                return Ok(DEFAULT_PORT);
            }
            p.trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| usage("invalid port: give a number from 1 to 65535"))
        })
        .collect()
}

fn parse_hostaddrs(text: Option<&str>) -> anyhow::Result<Vec<IpAddr>> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(|a| {
            a.trim()
                .parse()
                .map_err(|_| usage("invalid hostaddr: give a numeric IP address"))
        })
        .collect()
}

/// An address as it stands before `:port`.
fn bracket(addr: IpAddr) -> String {
    match addr {
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// libpq's keepalives_idle is the system default; outboxctl waits at most two minutes of
/// silence before probing, so a dead server is noticed within a few minutes.
const DEFAULT_KEEPALIVES_IDLE: Duration = Duration::from_secs(120);

/// A whole-number parameter (seconds, milliseconds or a count).
fn seconds(params: &Params, key: &'static str) -> anyhow::Result<Option<u64>> {
    params
        .get(key)
        .map(|v| {
            v.trim()
                .parse::<u64>()
                .map_err(|_| usage(format!("invalid {key}: give a whole number")))
        })
        .transpose()
}

/// libpq's default: the local Unix socket when one is there, else `localhost`.
fn default_host(port: u16) -> String {
    conninfo::DEFAULT_SOCKET_DIRS
        .iter()
        .find(|dir| conninfo::socket_exists(dir, port))
        .map_or_else(|| "localhost".to_string(), |dir| dir.to_string())
}

fn pgpass_permissions_ok(file: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(file).is_ok_and(|m| m.permissions().mode() & 0o077 == 0)
}

/// The operating system user, libpq's default role name. The reentrant lookup: targets
/// resolve on parallel threads, and `getpwuid`'s static buffer is shared by them all.
fn os_user() -> Option<String> {
    let mut buffer = vec![0 as libc::c_char; 4096];
    loop {
        // SAFETY: an all-zero passwd is a valid value for getpwuid_r to fill.
        let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is to storage owned here, `buffer.len()` is its true size,
        // and the name is copied out of `buffer` before it is dropped or reused.
        let status = unsafe {
            libc::getpwuid_r(
                libc::geteuid(),
                &mut entry,
                buffer.as_mut_ptr(),
                buffer.len(),
                &mut found,
            )
        };
        if status == libc::ERANGE && buffer.len() < 1 << 20 {
            buffer.resize(buffer.len() * 4, 0);
            continue;
        }
        if status != 0 || found.is_null() || entry.pw_name.is_null() {
            return std::env::var("USER").ok();
        }
        // SAFETY: on success pw_name points to a NUL-terminated string inside `buffer`.
        let name = unsafe { std::ffi::CStr::from_ptr(entry.pw_name) };
        return name.to_str().ok().map(str::to_string);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(url: &str, env: &[(&str, &str)]) -> anyhow::Result<Target> {
        let options = ConnectOptions {
            database_url: Some(url.to_string()),
            ..Default::default()
        };
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Target::resolve_with_env(&options, move |var| {
            env.iter().find(|(k, _)| k == var).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn env_supplies_missing_parts() {
        let target = resolve(
            "dbname=x",
            &[("PGHOST", "db1"), ("PGPORT", "6000"), ("PGUSER", "u")],
        )
        .unwrap();
        assert_eq!(target.endpoints, vec!["db1:6000"]);
        assert_eq!(target.config.get_user(), Some("u"));
        assert_eq!(target.config.get_dbname(), Some("x"));
        assert_eq!(target.config.get_application_name(), Some("outboxctl"));
    }

    #[test]
    fn session_settings_stay_out_of_the_startup_packet() {
        let options = ConnectOptions {
            database_url: Some("host=h user=u options='-c work_mem=64MB'".into()),
            schema: Some("ops".into()),
            lock_timeout: Some(Duration::from_secs(1)),
            ..Default::default()
        };
        let target = Target::resolve_with_env(&options, |_| None).unwrap();
        assert_eq!(target.config.get_options(), Some("-c work_mem=64MB"));
        assert_eq!(target.display, "u@h:5432/u (schema ops)");
    }

    /// Only a target named nowhere gets libpq's defaults named in its first error.
    #[test]
    fn a_target_named_nowhere_is_marked_as_defaulted() {
        let none = Target::resolve_with_env(&ConnectOptions::default(), |_| None).unwrap();
        assert!(none.defaulted);
        let by_env = Target::resolve_with_env(&ConnectOptions::default(), |v| {
            (v == "PGDATABASE").then(|| "orders".to_string())
        })
        .unwrap();
        assert!(!by_env.defaulted);
        let by_url = Target::resolve_with_env(
            &ConnectOptions {
                database_url: Some("host=h".into()),
                ..Default::default()
            },
            |_| None,
        )
        .unwrap();
        assert!(!by_url.defaulted);
    }

    #[test]
    fn hostaddr_is_named_as_what_was_tried() {
        let target = resolve("host=127.0.0.1 hostaddr=::1 user=u", &[]).unwrap();
        assert_eq!(target.endpoints, vec!["127.0.0.1 ([::1]):5432"]);
    }

    #[test]
    fn bad_values_are_usage_errors() {
        for url in [
            "host=h port=x",
            "host=h sslmode=sometimes",
            "host=a,b port=1,2,3",
            "host=h hostaddr=nope",
        ] {
            let err = resolve(url, &[]).err().expect(url);
            assert_eq!(crate::error::exit_code(&err), 2, "{url}");
        }
    }

    #[test]
    fn require_with_root_cert_verifies_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.crt");
        std::fs::write(&ca, "x").unwrap();
        let target = resolve(
            &format!("host=h user=u sslmode=require sslrootcert={}", ca.display()),
            &[],
        )
        .unwrap();
        assert_eq!(target.sslmode, SslMode::VerifyCa);
    }
}
