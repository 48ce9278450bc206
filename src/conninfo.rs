//! Connection parameters the libpq way: a `postgres://` URL or a `key=value` conninfo
//! string, then the `PG*` environment variables for whatever it leaves out, then the
//! password file, then libpq's defaults (design.md §3).

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
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "connect_timeout",
    "application_name",
    "options",
    "passfile",
    "keepalives",
    "keepalives_idle",
    "target_session_attrs",
    "channel_binding",
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
    ("PGCHANNELBINDING", "channel_binding"),
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
        let key = match key {
            // Aliases libpq accepts.
            "requiressl" => {
                return Err(usage(
                    "connection option \"requiressl\" is obsolete: use sslmode=require",
                ));
            }
            other => other,
        };
        if !KNOWN_KEYS.contains(&key) {
            return Err(usage(format!(
                "invalid connection option \"{key}\" (outboxctl understands: {})",
                KNOWN_KEYS.join(", ")
            )));
        }
        self.0.insert(key.to_string(), value);
        Ok(())
    }
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
    } else if has_url_scheme(trimmed) {
        Err(usage(
            "invalid --database-url: the URL scheme must be postgres:// or postgresql://",
        ))
    } else {
        parse_conninfo(trimmed)
    }
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
                return Err(usage(format!(
                    "invalid --database-url: query parameter \"{}\" has no value",
                    decode(pair, "query")?
                )));
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
    Ok(spec.rsplit_once(':').unwrap_or((spec, "")))
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
            return Err(usage(format!(
                "invalid --database-url: missing \"=\" after \"{key}\" in the connection string"
            )));
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
        assert!(parse("host").is_err());
        assert!(parse("password='open").is_err());
        assert!(parse("nosuch=1").is_err());
    }

    #[test]
    fn errors_never_echo_the_input() {
        for text in [
            "postgres://u:hunter2@h/db?x",
            "password=hunter2 bogus=1",
            "password='hunter2",
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(!err.contains("hunter2"), "{err}");
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
