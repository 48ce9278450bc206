//! Connection parameters the libpq way: a `postgres://` URL or a `key=value` conninfo
//! string, then the `PG*` environment variables for whatever it leaves out, then the
//! password file, then libpq's defaults (ARCHITECTURE.md §5).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;

use crate::error::usage;

/// Keywords libpq understands that outboxctl acts on. Anything else is refused, as libpq
/// refuses an unknown option, rather than silently ignored.
const KNOWN_KEYS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "user",
    "password",
    "dbname",
    "service",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "connect_timeout",
    "application_name",
    "fallback_application_name",
    "options",
    "passfile",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "target_session_attrs",
    "load_balance_hosts",
    "channel_binding",
    "client_encoding",
    "sslnegotiation",
    "sslcompression",
    "sslsni",
    "gssencmode",
];

/// libpq keywords that change where or how a connection is made and that outboxctl cannot
/// honour: refused by name (exit 2), never ignored.
const UNSUPPORTED_KEYS: &[(&str, &str)] = &[
    ("sslcrl", "certificate revocation lists are not checked"),
    ("sslcrldir", "certificate revocation lists are not checked"),
    ("sslpassword", "encrypted client keys cannot be read"),
    (
        "sslcertmode",
        "the client certificate mode cannot be changed",
    ),
    (
        "ssl_min_protocol_version",
        "TLS versions are fixed at 1.2 and 1.3",
    ),
    (
        "ssl_max_protocol_version",
        "TLS versions are fixed at 1.2 and 1.3",
    ),
    ("requirepeer", "the socket peer cannot be checked"),
    (
        "require_auth",
        "the authentication method cannot be restricted",
    ),
    ("krbsrvname", "Kerberos/GSSAPI is not supported"),
    ("gsslib", "Kerberos/GSSAPI is not supported"),
    ("gssdelegation", "Kerberos/GSSAPI is not supported"),
    ("replication", "replication connections are not supported"),
    ("requiressl", "it is obsolete: use sslmode=require"),
];

/// `PG*` variables and the keyword each one supplies.
const ENV_VARS: &[(&str, &str)] = &[
    ("PGHOST", "host"),
    ("PGHOSTADDR", "hostaddr"),
    ("PGPORT", "port"),
    ("PGUSER", "user"),
    ("PGPASSWORD", "password"),
    ("PGDATABASE", "dbname"),
    ("PGSSLMODE", "sslmode"),
    ("PGSSLROOTCERT", "sslrootcert"),
    ("PGSSLCERT", "sslcert"),
    ("PGSSLKEY", "sslkey"),
    ("PGCONNECT_TIMEOUT", "connect_timeout"),
    ("PGAPPNAME", "application_name"),
    ("PGOPTIONS", "options"),
    ("PGPASSFILE", "passfile"),
    ("PGTARGETSESSIONATTRS", "target_session_attrs"),
    ("PGLOADBALANCEHOSTS", "load_balance_hosts"),
    ("PGCHANNELBINDING", "channel_binding"),
    ("PGCLIENTENCODING", "client_encoding"),
    ("PGSSLNEGOTIATION", "sslnegotiation"),
    ("PGSSLCOMPRESSION", "sslcompression"),
    ("PGSSLSNI", "sslsni"),
    ("PGGSSENCMODE", "gssencmode"),
    ("PGSSLCRL", "sslcrl"),
    ("PGSSLCRLDIR", "sslcrldir"),
    ("PGSSLCERTMODE", "sslcertmode"),
    ("PGSSLMINPROTOCOLVERSION", "ssl_min_protocol_version"),
    ("PGSSLMAXPROTOCOLVERSION", "ssl_max_protocol_version"),
    ("PGREQUIREPEER", "requirepeer"),
    ("PGREQUIREAUTH", "require_auth"),
    ("PGKRBSRVNAME", "krbsrvname"),
    ("PGGSSLIB", "gsslib"),
    ("PGGSSDELEGATION", "gssdelegation"),
    ("PGREQUIRESSL", "requiressl"),
];

/// Unix socket directories tried, in order, when no host is given: Debian's, then the
/// upstream default.
pub const DEFAULT_SOCKET_DIRS: &[&str] = &["/var/run/postgresql", "/tmp"];

/// Parsed keyword/value pairs. `Debug` is written by hand so a password can never be
/// printed by accident.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params(BTreeMap<String, String>);

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in &self.0 {
            if key == "password" {
                map.entry(key, &"********");
            } else {
                map.entry(key, value);
            }
        }
        map.finish()
    }
}

impl Params {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.0.insert(key.to_string(), value.into());
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The parameters as a conninfo string that [`parse`] reads back: every value quoted,
    /// with `\\` and `'` escaped.
    pub fn to_conninfo(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}='{}'", v.replace('\\', "\\\\").replace('\'', "\\'")))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn insert_checked(&mut self, key: &str, value: String) -> anyhow::Result<()> {
        match known_key(key) {
            // The name echoed is our own constant, never the input: a malformed string may
            // have put part of a password where a keyword should be.
            Some(key) => {
                self.0.insert(key.to_string(), value);
                Ok(())
            }
            None => Err(usage(
                "invalid --database-url: the connection string has an option libpq does not know (check the keywords and quoting)",
            )),
        }
    }
}

/// The keyword as our own constant, if libpq knows it.
fn known_key(key: &str) -> Option<&'static str> {
    KNOWN_KEYS
        .iter()
        .copied()
        .chain(UNSUPPORTED_KEYS.iter().map(|(k, _)| *k))
        .find(|k| *k == key)
}

/// Refuses, by name, what outboxctl would otherwise have to ignore: keywords it cannot
/// honour, and values of honoured keywords that ask for something it cannot do.
pub fn refuse_unsupported(params: &Params) -> anyhow::Result<()> {
    for (key, why) in UNSUPPORTED_KEYS {
        if params.get(key).is_some() {
            let off = *key == "replication"
                && matches!(params.get(key), Some("0" | "false" | "off" | "no"));
            let default_mode = *key == "sslcertmode" && params.get(key) == Some("allow");
            if !off && !default_mode {
                return Err(usage(format!(
                    "connection option {key} is not supported by outboxctl: {why} (remove it, or unset the PG* variable that sets it)"
                )));
            }
        }
    }
    let allowed: &[(&str, &[&str], &str)] = &[
        (
            "client_encoding",
            &["UTF8", "utf8", "UTF-8", "utf-8", "auto"],
            "outboxctl always talks UTF8",
        ),
        (
            "sslnegotiation",
            &["postgres"],
            "only the standard TLS negotiation is supported",
        ),
        ("sslcompression", &["0"], "TLS compression is not supported"),
        ("sslsni", &["1"], "server name indication is always sent"),
        (
            "gssencmode",
            &["disable", "prefer"],
            "GSSAPI encryption is not supported",
        ),
    ];
    for (key, values, why) in allowed {
        if let Some(value) = params.get(key)
            && !values.contains(&value)
        {
            return Err(usage(format!(
                "connection option {key} accepts only {} here: {why}",
                values.join(" or ")
            )));
        }
    }
    Ok(())
}

/// Parses `--database-url`: a URL when it starts with `postgres://` or `postgresql://`,
/// otherwise a conninfo string. Error messages never repeat the input, which may hold a
/// password.
pub fn parse(text: &str) -> anyhow::Result<Params> {
    let trimmed = text.trim();
    if let Some(rest) = trimmed
        .strip_prefix("postgresql://")
        .or_else(|| trimmed.strip_prefix("postgres://"))
    {
        parse_url(rest)
    } else if has_url_scheme(trimmed) || looks_like_url(trimmed) {
        Err(usage(
            "invalid --database-url: a URL must start with postgres:// or postgresql:// (postgres://user:password@host:port/dbname)",
        ))
    } else if is_bare_dbname(trimmed) {
        // `-d orders`, as psql -d accepts.
        let mut params = Params::default();
        params.set("dbname", trimmed);
        Ok(params)
    } else {
        parse_conninfo(trimmed)
    }
}

/// A database name alone: one word with no `=`, quote or backslash.
fn is_bare_dbname(text: &str) -> bool {
    !text.is_empty()
        && !text.contains(['=', '\'', '\\', ':', '/', '@', '?'])
        && !text.contains(char::is_whitespace)
}

/// `postgres:/x`, `postgresql:x`, `jdbc:postgresql:…`: a URL gone wrong, not a conninfo.
fn looks_like_url(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.starts_with("postgres:") || lower.starts_with("postgresql:") || lower.starts_with("jdbc:")
}

/// `scheme://…` at the very start; a conninfo value may contain `://` anywhere else.
fn has_url_scheme(text: &str) -> bool {
    text.split_once("://").is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

fn decode(part: &str, what: &str) -> anyhow::Result<String> {
    percent_decode_str(part)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| {
            usage(format!(
                "invalid --database-url: the {what} is not valid percent-encoded UTF-8"
            ))
        })
}

fn parse_url(rest: &str) -> anyhow::Result<Params> {
    let mut params = Params::default();
    // libpq ends the user-info part at the first `/` or `?`: an `@` after that is a
    // password holding a reserved character, which would otherwise end up as the port,
    // the database or a query parameter.
    if let Some(end) = rest.find(['/', '?'])
        && rest[end..].contains('@')
    {
        return Err(usage(
            "invalid --database-url: \"@\" after the host part; percent-encode reserved characters in the user name and password (%40 for @, %2F for /, %3F for ?, %23 for #)",
        ));
    }
    let (before_query, query) = match rest.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match before_query.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (before_query, None),
    };
    let hostspec = match authority.rsplit_once('@') {
        Some((userinfo, hostspec)) => {
            let (user, password) = match userinfo.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (userinfo, None),
            };
            if !user.is_empty() {
                params.set("user", decode(user, "user name")?);
            }
            if let Some(password) = password {
                params.set("password", decode(password, "password")?);
            }
            hostspec
        }
        None => authority,
    };
    if !hostspec.is_empty() {
        let mut hosts = Vec::new();
        let mut ports = Vec::new();
        for spec in hostspec.split(',') {
            let (host, port) = split_host_port(spec)?;
            hosts.push(decode(host, "host")?);
            ports.push(port.to_string());
        }
        if hosts.iter().any(|h| !h.is_empty()) {
            params.set("host", hosts.join(","));
        }
        if ports.iter().any(|p| !p.is_empty()) {
            params.set("port", ports.join(","));
        }
    }
    if let Some(path) = path
        && !path.is_empty()
    {
        params.set("dbname", decode(path, "database name")?);
    }
    if let Some(query) = query {
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let Some((key, value)) = pair.split_once('=') else {
                return Err(usage(
                    "invalid --database-url: a query parameter has no \"=value\" (percent-encode & and = inside values)",
                ));
            };
            let key = decode(key, "query")?;
            let value = decode(value, "query")?;
            params.insert_checked(&key, value)?;
        }
    }
    Ok(params)
}

/// Splits `host:port`, `[v6]:port`, `host` or `:port`.
fn split_host_port(spec: &str) -> anyhow::Result<(&str, &str)> {
    if let Some(rest) = spec.strip_prefix('[') {
        let Some((host, after)) = rest.split_once(']') else {
            return Err(usage("invalid --database-url: unterminated [ in the host"));
        };
        let port = after.strip_prefix(':').unwrap_or(after);
        return Ok((host, port));
    }
    let (host, port) = spec.rsplit_once(':').unwrap_or((spec, ""));
    // A host name has no `:`; one here is a password with a reserved character that
    // ended the user-info part early.
    if host.contains(':') {
        return Err(usage(
            "invalid --database-url: the host part has more than one \":\"; percent-encode reserved characters in the password, or bracket an IPv6 address ([::1])",
        ));
    }
    Ok((host, port))
}

/// Parses `key=value key2='quoted \' value'` as libpq does.
fn parse_conninfo(text: &str) -> anyhow::Result<Params> {
    let mut params = Params::default();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') {
            return Err(usage(
                "invalid --database-url: a word in the connection string has no \"=\" (quote values that contain spaces: password='a b')",
            ));
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    Some('\\') => match chars.next() {
                        Some(c) => value.push(c),
                        None => break,
                    },
                    Some('\'') => break,
                    Some(c) => value.push(c),
                    None => {
                        return Err(usage(
                            "invalid --database-url: unterminated quoted string in the connection string",
                        ));
                    }
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    if let Some(escaped) = chars.next() {
                        value.push(escaped);
                    }
                } else {
                    value.push(c);
                }
            }
        }
        params.insert_checked(&key, value)?;
    }
    Ok(params)
}

/// Fills in what the explicit parameters leave out from the environment, as libpq does.
pub fn apply_env(params: &mut Params, env: impl Fn(&str) -> Option<String>) {
    for (var, key) in ENV_VARS {
        if params.get(key).is_none()
            && let Some(value) = env(var).filter(|v| !v.is_empty())
        {
            params.set(key, value);
        }
    }
}

/// The system-wide service file's folder when `PGSYSCONFDIR` is not set: Debian's
/// libpq is built with this one.
const DEFAULT_SYSCONFDIR: &str = "/etc/postgresql-common";

/// libpq's connection service files: the service named by `service=` (or `PGSERVICE`)
/// supplies every parameter not given explicitly, before the environment does. The
/// user's file (`PGSERVICEFILE`, else `~/.pg_service.conf`) is searched first, then
/// `PGSYSCONFDIR/pg_service.conf`; a service named but found in neither is an error.
pub fn apply_service(
    params: &mut Params,
    env: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<()> {
    let Some(service) = params
        .get("service")
        .map(str::to_string)
        .or_else(|| env("PGSERVICE").filter(|s| !s.is_empty()))
    else {
        return Ok(());
    };
    let (user_file, system_file) = service_files(&env);
    for file in user_file.iter().chain(std::iter::once(&system_file)) {
        if let Some(entries) = read_service(file, &service)? {
            for (key, value) in entries {
                if params.get(&key).is_none() {
                    params.set(&key, value);
                }
            }
            return Ok(());
        }
    }
    Err(usage(format!(
        "definition of service \"{service}\" not found (searched {}{})",
        user_file
            .map(|f| format!("{}, ", f.display()))
            .unwrap_or_default(),
        system_file.display()
    )))
}

/// The user's service file (`PGSERVICEFILE`, else `~/.pg_service.conf`) and the system's
/// (`PGSYSCONFDIR/pg_service.conf`), searched in that order.
fn service_files(env: &impl Fn(&str) -> Option<String>) -> (Option<PathBuf>, PathBuf) {
    let user_file = env("PGSERVICEFILE")
        .filter(|f| !f.is_empty())
        .map(PathBuf::from)
        .or_else(|| home_dir().map(|h| h.join(".pg_service.conf")));
    let system_file = PathBuf::from(
        env("PGSYSCONFDIR")
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| DEFAULT_SYSCONFDIR.to_string()),
    )
    .join("pg_service.conf");
    (user_file, system_file)
}

/// Every service defined in the user's and the system's service files, in file order,
/// each name once (the user's file wins, as for `service=`).
pub fn service_names(env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Vec<String>> {
    let (user_file, system_file) = service_files(&env);
    let mut names: Vec<String> = Vec::new();
    for file in user_file.iter().chain(std::iter::once(&system_file)) {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(usage(format!(
                    "cannot read service file {}: {e}",
                    file.display()
                )));
            }
        };
        for line in text.lines().map(str::trim) {
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']'))
                && !names.iter().any(|n| n == name)
            {
                names.push(name.to_string());
            }
        }
    }
    Ok(names)
}

/// The entries of `[service]` in a service file; `None` when the file or the section is
/// not there.
fn read_service(file: &Path, service: &str) -> anyhow::Result<Option<Vec<(String, String)>>> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(usage(format!(
                "cannot read service file {}: {e}",
                file.display()
            )));
        }
    };
    let mut in_section = false;
    let mut found = false;
    let mut entries = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            let Some(name) = name.strip_suffix(']') else {
                return Err(service_syntax(file, number));
            };
            if found && in_section {
                break;
            }
            in_section = name == service;
            found |= in_section;
            continue;
        }
        if !in_section {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(service_syntax(file, number));
        };
        let key = key.trim();
        if key == "service" {
            return Err(usage(format!(
                "nested service specifications are not supported in service file {}, line {}",
                file.display(),
                number + 1
            )));
        }
        let Some(key) = known_key(key) else {
            return Err(usage(format!(
                "service file {}, line {}: unknown connection option",
                file.display(),
                number + 1
            )));
        };
        entries.push((key.to_string(), value.trim().to_string()));
    }
    Ok(found.then_some(entries))
}

fn service_syntax(file: &Path, number: usize) -> anyhow::Error {
    usage(format!(
        "syntax error in service file {}, line {}",
        file.display(),
        number + 1
    ))
}

/// One entry of a password file: `hostname:port:database:username:password`.
#[derive(Debug)]
struct PassEntry {
    fields: [String; 5],
}

fn parse_pgpass_line(line: &str) -> Option<PassEntry> {
    if line.trim_start().starts_with('#') || line.trim().is_empty() {
        return None;
    }
    let mut fields: Vec<String> = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut()?.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut()?.push(c),
        }
    }
    let fields: [String; 5] = fields.try_into().ok()?;
    Some(PassEntry { fields })
}

/// The password for this host, port, database and user from a password file, if any entry
/// matches. `host` is `localhost` for Unix socket connections, as libpq matches them.
pub fn pgpass_lookup(
    file: &Path,
    host: &str,
    port: &str,
    dbname: &str,
    user: &str,
) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let wanted = [host, port, dbname, user];
    text.lines()
        .filter_map(parse_pgpass_line)
        .find_map(|entry| {
            let matches = entry.fields[..4]
                .iter()
                .zip(wanted)
                .all(|(field, want)| field == "*" || field == want);
            matches.then(|| entry.fields[4].clone())
        })
}

/// The password file libpq would read, and whether its permissions let it be used
/// (libpq ignores a file that group or others can read, with a warning).
pub fn pgpass_file(params: &Params) -> Option<PathBuf> {
    let path = match params.get("passfile") {
        Some(p) => PathBuf::from(p),
        None => home_dir()?.join(".pgpass"),
    };
    path.is_file().then_some(path)
}

pub fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// Whether a socket for `port` exists in `dir`.
pub fn socket_exists(dir: &str, port: u16) -> bool {
    Path::new(dir).join(format!(".s.PGSQL.{port}")).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Params {
        parse(text).unwrap()
    }

    #[test]
    fn urls() {
        let params = p(
            "postgres://alice:s%40cret@db.example:6543/orders?sslmode=require&application_name=x",
        );
        assert_eq!(params.get("user"), Some("alice"));
        assert_eq!(params.get("password"), Some("s@cret"));
        assert_eq!(params.get("host"), Some("db.example"));
        assert_eq!(params.get("port"), Some("6543"));
        assert_eq!(params.get("dbname"), Some("orders"));
        assert_eq!(params.get("sslmode"), Some("require"));
        let socket = p("postgresql://%2Fvar%2Frun%2Fpostgresql/db");
        assert_eq!(socket.get("host"), Some("/var/run/postgresql"));
        let v6 = p("postgres://[::1]:5433/db");
        assert_eq!(v6.get("host"), Some("::1"));
        assert_eq!(v6.get("port"), Some("5433"));
        let multi = p("postgres://a:1,b:2/db");
        assert_eq!(multi.get("host"), Some("a,b"));
        assert_eq!(multi.get("port"), Some("1,2"));
        assert_eq!(p("postgres://"), Params::default());
        assert!(parse("postgres://h/db?bogus=1").is_err());
        assert!(parse("mysql://h/db").is_err());
        assert_eq!(p("host=h password='a://b'").get("password"), Some("a://b"));
    }

    #[test]
    fn conninfo() {
        let params = p("host=localhost  port = 5433 password=x user='a b' dbname=x\\ y");
        assert_eq!(params.get("host"), Some("localhost"));
        assert_eq!(params.get("port"), Some("5433"));
        assert_eq!(params.get("user"), Some("a b"));
        assert_eq!(params.get("dbname"), Some("x y"));
        let quoted = p(r"password='it\'s'");
        assert_eq!(quoted.get("password"), Some("it's"));
        assert_eq!(p("orders").get("dbname"), Some("orders"));
        assert!(parse("host x").is_err());
        assert!(parse("password='open").is_err());
        assert!(parse("nosuch=1").is_err());
    }

    #[test]
    fn errors_never_echo_the_input() {
        for text in [
            "postgres://u:hunter2@h/db?x",
            "password=hunter2 bogus=1",
            "password='hunter2",
            "postgres://app:hunter2/Secret@h/db",
            "postgres://app:hunter2?Secret@h/db",
            "postgres://app@h/db?password=hunter2&Secret",
            "password=hunter2 Secret",
            "postgres:/app:hunter2@h/db",
            "jdbc:postgresql://app:hunter2@h/db",
            "postgresql:app:hunter2@h",
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(!err.contains("hunter2") && !err.contains("Secret"), "{err}");
        }
    }

    #[test]
    fn conninfo_round_trip() {
        let params = p(r"password='a b\'c\\d' host=h user=''");
        assert_eq!(parse(&params.to_conninfo()).unwrap(), params);
    }

    #[test]
    fn debug_hides_password() {
        let params = p("password=hunter2 user=u");
        assert!(!format!("{params:?}").contains("hunter2"));
    }

    #[test]
    fn env_fills_only_missing() {
        let mut params = p("host=h");
        apply_env(&mut params, |var| match var {
            "PGHOST" => Some("other".into()),
            "PGUSER" => Some("bob".into()),
            _ => None,
        });
        assert_eq!(params.get("host"), Some("h"));
        assert_eq!(params.get("user"), Some("bob"));
    }

    #[test]
    fn service_files_fill_in_before_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let user_file = dir.path().join("services");
        std::fs::write(
            &user_file,
            "# comment\n[other]\ndbname=nope\n\n[billing]\nhost=db1\nport = 6000\ndbname=bill\n",
        )
        .unwrap();
        let sys = dir.path().join("sys");
        std::fs::create_dir(&sys).unwrap();
        std::fs::write(sys.join("pg_service.conf"), "[shared]\nhost=db9\n").unwrap();
        let env = |var: &str| match var {
            "PGSERVICEFILE" => Some(user_file.display().to_string()),
            "PGSYSCONFDIR" => Some(sys.display().to_string()),
            "PGHOST" => Some("from-env".to_string()),
            "PGUSER" => Some("envuser".to_string()),
            _ => None,
        };
        let mut params = p("service=billing dbname=explicit");
        apply_service(&mut params, env).unwrap();
        apply_env(&mut params, env);
        assert_eq!(params.get("host"), Some("db1"));
        assert_eq!(params.get("port"), Some("6000"));
        assert_eq!(params.get("dbname"), Some("explicit"));
        assert_eq!(params.get("user"), Some("envuser"));

        let mut params = p("service=shared");
        apply_service(&mut params, env).unwrap();
        assert_eq!(params.get("host"), Some("db9"));

        let err = apply_service(&mut p("service=missing"), env).unwrap_err();
        assert_eq!(crate::error::exit_code(&err), 2);
        assert!(err.to_string().contains("\"missing\" not found"), "{err}");
    }

    #[test]
    fn unsupported_options_are_refused_by_name() {
        for (text, name) in [
            ("sslcrl=/x", "sslcrl"),
            ("requirepeer=postgres", "requirepeer"),
            ("client_encoding=LATIN1", "client_encoding"),
            ("gssencmode=require", "gssencmode"),
        ] {
            let err = refuse_unsupported(&p(text)).unwrap_err();
            assert_eq!(crate::error::exit_code(&err), 2);
            assert!(err.to_string().contains(name), "{err}");
        }
        refuse_unsupported(&p(
            "gssencmode=prefer sslcertmode=allow client_encoding=UTF8",
        ))
        .unwrap();
    }

    #[test]
    fn pgpass() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(
            &file,
            "# comment\nother:5432:*:*:nope\nlocalhost:5432:db:u:pa\\:ss\n*:*:*:*:fallback\n",
        )
        .unwrap();
        assert_eq!(
            pgpass_lookup(&file, "localhost", "5432", "db", "u").as_deref(),
            Some("pa:ss")
        );
        assert_eq!(
            pgpass_lookup(&file, "x", "1", "db", "u").as_deref(),
            Some("fallback")
        );
    }
}
