//! Test harness: a real PostgreSQL for every test, each test in its own database.
//!
//! `DATABASE_URL` (an admin URL) is used when set. Otherwise the harness runs a private
//! throwaway cluster under `target/tmp/pg`, shared by every test process of one run:
//! the first process starts it, each process registers as a user through a shared
//! `flock`, and a detached reaper stops the server once no test process is left. The TLS
//! and `pg_hba` tests always use the private cluster, which has `ssl = on` with a CA
//! generated here.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use assert_cmd::cargo::CommandCargoExt;

/// The role with a password (scram-sha-256 over TCP) for password and pgpass tests.
pub const PASSWORD_USER: &str = "pw_user";
pub const PASSWORD: &str = "Sup3r-s3cret-pw";
/// A role the private cluster lets in over TLS only.
pub const TLS_ONLY_USER: &str = "tls_only";

#[derive(Debug, Clone)]
pub struct Server {
    /// Admin connection in key=value form, to the maintenance database.
    pub admin: String,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Option<String>,
    /// Only for the private cluster.
    pub ca_file: Option<PathBuf>,
    pub socket_dir: Option<PathBuf>,
}

impl Server {
    pub fn url_for(&self, dbname: &str) -> String {
        let password = self
            .password
            .as_deref()
            .map(|p| format!(":{}", pct(p)))
            .unwrap_or_default();
        format!(
            "postgres://{}{}@{}:{}/{}?sslmode=disable",
            pct(&self.user),
            password,
            self.host,
            self.port,
            dbname
        )
    }

    pub fn admin_client(&self) -> postgres::Client {
        postgres::Client::connect(&self.admin, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to the test server as admin: {e}"))
    }
}

fn pct(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The server the tests use: `DATABASE_URL` when set, otherwise the private cluster.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => external_server(&url),
        _ => private_cluster().clone(),
    })
}

fn external_server(url: &str) -> Server {
    let config: postgres::Config = url
        .parse()
        .unwrap_or_else(|e| panic!("DATABASE_URL is not a URL the tests understand: {e}"));
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("postgres").to_string();
    let password = config
        .get_password()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let mut admin = format!(
        "host={host} port={port} user={user} dbname={}",
        config.get_dbname().unwrap_or("postgres")
    );
    if let Some(p) = &password {
        admin.push_str(&format!(
            " password='{}'",
            p.replace('\\', "\\\\").replace('\'', "\\'")
        ));
    }
    let server = Server {
        admin,
        host,
        port,
        user,
        password,
        ca_file: None,
        socket_dir: None,
    };
    // Fail loudly here rather than in every test.
    server.admin_client();
    server
}

/// A fresh database for one test, dropped when the test ends.
pub struct TestDb {
    pub name: String,
    pub server: &'static Server,
}

impl TestDb {
    pub fn new() -> Self {
        Self::on(server())
    }

    pub fn on(server: &'static Server) -> Self {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("outboxctl_t{}_{n}_{nanos}", std::process::id());
        server
            .admin_client()
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("cannot create test database: {e}"));
        Self { name, server }
    }

    pub fn url(&self) -> String {
        self.server.url_for(&self.name)
    }

    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url(), postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to test database: {e}"))
    }

    /// This database's URL for another role (trust authentication on the test server).
    pub fn url_as(&self, role: &str) -> String {
        self.url()
            .replacen(&format!("{}@", self.server.user), &format!("{role}@"), 1)
    }

    /// The built binary, pointed at this database, with no connection settings inherited
    /// from the developer's environment.
    pub fn cmd(&self) -> Command {
        let mut cmd = bare_cmd();
        cmd.env("DATABASE_URL", self.url());
        cmd
    }

    /// Rows of the outbox table that meet `condition`.
    pub fn count(&self, condition: &str) -> i64 {
        self.client()
            .query_one(
                &format!("SELECT count(*) FROM outbox_messages WHERE {condition}"),
                &[],
            )
            .unwrap()
            .get(0)
    }

    /// A session of the library's own on this database, and its dedup table as the
    /// commands find it: for tests that look at the statements a walk would run.
    pub fn dedup_session(
        &self,
    ) -> (
        outboxctl::db::session::Session,
        outboxctl::tables::dedup::DedupTable,
    ) {
        let options = outboxctl::db::connect::ConnectOptions {
            database_url: Some(self.url()),
            ..Default::default()
        };
        let mut session = outboxctl::db::connect::Target::resolve(&options)
            .unwrap()
            .connect()
            .unwrap();
        let rel = session.locate(&["processed_messages"]).unwrap().remove(0);
        let table = outboxctl::tables::dedup::DedupTable {
            rel,
            cols: outboxctl::tables::dedup_columns::DedupColumns::ours(),
        };
        (session, table)
    }

    /// A login role of this test's own (`<database>_<suffix>`), dropped with what it
    /// was granted when the returned guard goes.
    pub fn role(&self, suffix: &str) -> TestRole {
        let name = format!("{}_{suffix}", self.name);
        self.client()
            .batch_execute(&format!("CREATE ROLE {name} LOGIN"))
            .unwrap();
        TestRole {
            name,
            url: self.url(),
            server: self.server,
        }
    }

    /// Creates both tables with the tool itself.
    pub fn migrated(self) -> Self {
        let out = self.cmd().arg("migrate").output().unwrap();
        assert!(
            out.status.success(),
            "migrate failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self
    }
}

/// A role made by [`TestDb::role`].
pub struct TestRole {
    pub name: String,
    url: String,
    server: &'static Server,
}

impl Drop for TestRole {
    fn drop(&mut self) {
        // Its grants in the test database first (gone already if the database is).
        if let Ok(mut client) = postgres::Client::connect(&self.url, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP OWNED BY {}", self.name));
        }
        if let Ok(mut admin) = postgres::Client::connect(&self.server.admin, postgres::NoTls) {
            let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {}", self.name));
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.server.admin, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The binary with every connection-related variable removed.
pub fn bare_cmd() -> Command {
    let mut cmd = Command::cargo_bin("outboxctl").expect("binary built");
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().to_string();
        if key.starts_with("PG") || key.starts_with("OUTBOX_") || key == "DATABASE_URL" {
            cmd.env_remove(&key);
        }
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

/// The private cluster, started on first use.
pub fn private_cluster() -> &'static Server {
    static CLUSTER: OnceLock<Server> = OnceLock::new();
    CLUSTER.get_or_init(start_private_cluster)
}

struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    run_as: Option<String>,
}

impl Cluster {
    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        match &self.run_as {
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", user, "--"]).arg(path);
                cmd
            }
            None => Command::new(path),
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self
            .command(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn flock(file: &File, operation: i32) {
    // SAFETY: flock on a descriptor we own.
    let rc = unsafe { libc::flock(file.as_raw_fd(), operation) };
    assert_eq!(rc, 0, "flock failed: {}", std::io::Error::last_os_error());
}

fn start_private_cluster() -> Server {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pg");
    fs::create_dir_all(&dir).unwrap();
    let bin = find_postgres_bin();
    let is_root = unsafe { libc::geteuid() } == 0;
    let run_as = is_root.then(|| "postgres".to_string());
    let cluster = Cluster {
        dir: dir.clone(),
        bin,
        run_as,
    };
    // The socket path must stay under 107 bytes, so it lives in /tmp, named per checkout.
    let socket_dir = PathBuf::from(format!("/tmp/outboxctl-test-{:x}", hash(&dir)));

    let lock = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("cluster.lock"))
        .unwrap();
    flock(&lock, libc::LOCK_EX);

    let data = cluster.data();
    if !data.join("PG_VERSION").exists() {
        init_cluster(&cluster, &socket_dir);
    }
    let port = match running_port(&cluster) {
        Some(port) => port,
        None => {
            // TEST_PG_PORT chooses the port; otherwise a free one, said on stderr.
            let port = std::env::var("TEST_PG_PORT")
                .ok()
                .and_then(|p| p.parse().ok())
                .unwrap_or_else(free_port);
            eprintln!(
                "tests: a private PostgreSQL on 127.0.0.1:{port}, files in {} (TEST_PG_PORT picks the port)",
                dir.display()
            );
            fs::create_dir_all(&socket_dir).unwrap();
            make_owned(&cluster, &socket_dir);
            let log = dir.join("server.log");
            if let Some(user) = &cluster.run_as {
                let _ = File::create(&log);
                chown(&log, user);
            }
            cluster.run(
                "pg_ctl",
                &[
                    "start",
                    "-w",
                    "-t",
                    "60",
                    "-D",
                    data.to_str().unwrap(),
                    "-l",
                    log.to_str().unwrap(),
                    "-o",
                    &format!("-p {port} -k {}", socket_dir.display()),
                ],
            );
            fs::write(dir.join("port"), port.to_string()).unwrap();
            spawn_reaper(&cluster);
            port
        }
    };

    // Register as a user before letting anyone else (the reaper included) take the lock.
    let users = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("users.lock"))
        .unwrap();
    flock(&users, libc::LOCK_SH);
    std::mem::forget(users);

    let server = Server {
        admin: format!("host=127.0.0.1 port={port} user=postgres dbname=postgres"),
        host: "127.0.0.1".into(),
        port,
        user: "postgres".into(),
        password: None,
        ca_file: Some(dir.join("ca.crt")),
        socket_dir: Some(socket_dir),
    };
    ensure_roles(&server);
    flock(&lock, libc::LOCK_UN);
    server
}

fn running_port(cluster: &Cluster) -> Option<u16> {
    let status = cluster
        .command("pg_ctl")
        .args(["status", "-D", cluster.data().to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    fs::read_to_string(cluster.dir.join("port"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn init_cluster(cluster: &Cluster, socket_dir: &Path) {
    let data = cluster.data();
    let _ = fs::remove_dir_all(&data);
    fs::create_dir_all(&data).unwrap();
    make_owned(cluster, &data);
    initdb(cluster);
    let (ca_pem, cert_pem, key_pem) = make_certificates();
    fs::write(cluster.dir.join("ca.crt"), &ca_pem).unwrap();
    fs::write(data.join("server.crt"), cert_pem).unwrap();
    fs::write(data.join("server.key"), key_pem).unwrap();
    fs::set_permissions(data.join("server.key"), fs::Permissions::from_mode(0o600)).unwrap();
    let mut conf = OpenOptions::new()
        .append(true)
        .open(data.join("postgresql.conf"))
        .unwrap();
    writeln!(
        conf,
        "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nmax_connections = 300\n\
         ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n\
         fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n\
         password_encryption = 'scram-sha-256'\nlog_min_messages = warning\n",
        socket_dir.display()
    )
    .unwrap();
    fs::write(
        data.join("pg_hba.conf"),
        format!(
            "local all all trust\n\
             hostssl all {TLS_ONLY_USER} 127.0.0.1/32 trust\n\
             host all {TLS_ONLY_USER} 127.0.0.1/32 reject\n\
             host all {PASSWORD_USER} 127.0.0.1/32 scram-sha-256\n\
             host all all 127.0.0.1/32 trust\n\
             host all all ::1/128 trust\n"
        ),
    )
    .unwrap();
    make_owned(cluster, &data);
}

/// A new cluster in the cluster's data folder: UTF8, trust authentication.
fn initdb(cluster: &Cluster) {
    cluster.run(
        "initdb",
        &[
            "-D",
            cluster.data().to_str().unwrap(),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ],
    );
}

fn ensure_roles(server: &Server) {
    let mut admin = server.admin_client();
    admin
        .batch_execute(&format!(
            "DO $$ BEGIN
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PASSWORD_USER}') THEN
                 CREATE ROLE {PASSWORD_USER} LOGIN SUPERUSER PASSWORD '{PASSWORD}';
               END IF;
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{TLS_ONLY_USER}') THEN
                 CREATE ROLE {TLS_ONLY_USER} LOGIN SUPERUSER;
               END IF;
             END $$"
        ))
        .unwrap_or_else(|e| panic!("cannot create test roles: {e}"));
}

/// A CA and a server certificate for `localhost` signed by it, as PEM.
fn make_certificates() -> (String, String, String) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "outboxctl test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let cert = params.signed_by(&server_key, &issuer).unwrap();
    (ca_cert.pem(), cert.pem(), server_key.serialize_pem())
}

/// Stops the server once no test process holds `users.lock`. Detached, with its output
/// going nowhere, so the test runner does not wait for it.
fn spawn_reaper(cluster: &Cluster) {
    let pg_ctl = cluster.bin.join("pg_ctl");
    let stop = match &cluster.run_as {
        Some(user) => format!(
            "runuser -u {user} -- {} stop -m fast -D {}",
            pg_ctl.display(),
            cluster.data().display()
        ),
        None => format!(
            "{} stop -m fast -D {}",
            pg_ctl.display(),
            cluster.data().display()
        ),
    };
    let script = format!(
        "cd '{}' || exit 0\n\
         while :; do\n\
           sleep 2\n\
           flock -x cluster.lock sh -c 'flock -n -x users.lock true && {{ {stop}; rm -f port; exit 0; }}; exit 1' && exit 0\n\
         done",
        cluster.dir.display()
    );
    // `setsid -f` forks the reaper into its own session and returns at once.
    let status = Command::new("setsid")
        .args(["-f", "sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("cannot start the cluster reaper (setsid and flock come with util-linux)");
    assert!(status.success(), "cannot start the cluster reaper");
}

fn find_postgres_bin() -> PathBuf {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Ok(dirs) = fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = dirs.flatten().map(|d| d.path().join("bin")).collect();
        versions.sort_by_key(|p| {
            p.parent()
                .and_then(|v| v.file_name())
                .and_then(|v| v.to_str())
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0)
        });
        candidates.extend(versions.into_iter().rev());
    }
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path));
    }
    candidates
        .into_iter()
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
        .unwrap_or_else(|| {
            panic!(
                "no PostgreSQL server binaries found (initdb and pg_ctl on PATH or in /usr/lib/postgresql/*/bin): \
                 install them (apt-get install postgresql) or set DATABASE_URL to an admin URL of a running server"
            )
        })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn hash(path: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    path.hash(&mut hasher);
    hasher.finish()
}

fn make_owned(cluster: &Cluster, path: &Path) {
    if let Some(user) = &cluster.run_as {
        let status = Command::new("chown")
            .args(["-R", user])
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success(), "chown {user} {} failed", path.display());
    }
}

fn chown(path: &Path, user: &str) {
    let _ = Command::new("chown").arg(user).arg(path).status();
}

/// A digest of a table's whole contents, to prove a command changed nothing.
pub fn table_digest(client: &mut postgres::Client, table: &str) -> String {
    client
        .query_one(
            &format!("SELECT coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), 'empty') FROM {table} t"),
            &[],
        )
        .unwrap()
        .get(0)
}

/// Inserts `n` messages with SQL expressions over `i` (1..=n) for each column.
pub struct Seed<'a> {
    pub n: i64,
    pub topic: &'a str,
    pub status: &'a str,
    pub created_at: &'a str,
    pub processed_at: &'a str,
    pub last_error: &'a str,
    pub retries: &'a str,
}

impl Default for Seed<'_> {
    fn default() -> Self {
        Self {
            n: 10,
            topic: "'orders'",
            status: "'pending'",
            created_at: "now() - i * interval '1 minute'",
            processed_at: "NULL",
            last_error: "''",
            retries: "0",
        }
    }
}

impl Seed<'_> {
    pub fn insert(&self, client: &mut postgres::Client) {
        client
            .batch_execute(&format!(
                "INSERT INTO outbox_messages (topic, key, payload, headers, status, retries, last_error, created_at, processed_at)
                 SELECT {}, 'key-' || i, convert_to('payload ' || i, 'UTF8'), jsonb_build_object('n', i::text),
                        {}, {}, {}, {}, {}
                   FROM generate_series(1, {}) AS i",
                self.topic, self.status, self.retries, self.last_error, self.created_at, self.processed_at, self.n
            ))
            .unwrap();
    }
}

/// A PgBouncer in transaction pooling mode in front of the test server, one server
/// connection per database, so every transaction of a test's clients runs on the same
/// pooled server connection and anything one of them leaves behind is seen by the next.
pub struct Bouncer {
    pub port: u16,
}

impl Bouncer {
    /// A URL for `dbname` through the bouncer.
    pub fn url_for(&self, server: &Server, dbname: &str) -> String {
        let password = server
            .password
            .as_deref()
            .map(|p| format!(":{}", pct(p)))
            .unwrap_or_default();
        format!(
            "postgres://{}{}@127.0.0.1:{}/{}?sslmode=disable",
            pct(&server.user),
            password,
            self.port,
            dbname
        )
    }
}

/// The test process's PgBouncer, started on first use (Debian's `pgbouncer`; scripts/test
/// installs it). It stops when the test process does.
pub fn bouncer() -> &'static Bouncer {
    static BOUNCER: OnceLock<Bouncer> = OnceLock::new();
    BOUNCER.get_or_init(|| start_bouncer("transaction"))
}

/// The test process's PgBouncer in session pooling mode, one server connection per
/// database: a second client is accepted, then waits for that connection.
pub fn session_bouncer() -> &'static Bouncer {
    static BOUNCER: OnceLock<Bouncer> = OnceLock::new();
    BOUNCER.get_or_init(|| start_bouncer("session"))
}

fn start_bouncer(mode: &str) -> Bouncer {
    let server = server();
    let binary = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("PgBouncer is not installed: run scripts/test, or apt-get install pgbouncer");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("pgbouncer-{mode}-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
    let port = free_port();
    let password = server
        .password
        .as_deref()
        .map(|p| format!(" password={p}"))
        .unwrap_or_default();
    let config = dir.join("pgbouncer.ini");
    fs::write(
        &config,
        format!(
            "[databases]\n* = host={} port={} user={}{password}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\nauth_type = any\npool_mode = {mode}\ndefault_pool_size = 1\nmax_client_conn = 200\nlogfile = {}\npidfile = {}\nignore_startup_parameters = extra_float_digits\n",
            server.host,
            server.port,
            server.user,
            dir.join("pgbouncer.log").display(),
            dir.join("pgbouncer.pid").display(),
        ),
    )
    .unwrap();
    fs::set_permissions(&config, fs::Permissions::from_mode(0o644)).unwrap();
    let is_root = unsafe { libc::geteuid() } == 0;
    // PgBouncer refuses to run as root; it stops when the test process is gone.
    let run = format!(
        "{binary} {} {} & child=$!; while kill -0 {} 2>/dev/null; do sleep 1; done; kill $child",
        if is_root { "-u postgres" } else { "" },
        config.display(),
        std::process::id()
    );
    // Detached: it outlives this call and ends with the test process.
    let keeper = Command::new("sh")
        .args(["-c", &run])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot start PgBouncer");
    std::mem::forget(keeper);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "PgBouncer did not start: {}",
            fs::read_to_string(dir.join("pgbouncer.log")).unwrap_or_default()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Bouncer { port }
}

/// A cluster of a test's own, for tests that crash or stop the server: durable like a
/// production server (fsync and synchronous commits on), stopped when dropped.
pub struct OwnCluster {
    cluster: Cluster,
    _dir: tempfile::TempDir,
    pub port: u16,
    socket_dir: PathBuf,
    /// Server settings beyond the defaults, as `name=value`.
    settings: Vec<String>,
}

impl OwnCluster {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// A cluster of its own with extra server settings (`wal_level=logical`, …).
    pub fn start_with(settings: &[&str]) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("own-pg-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
        let is_root = unsafe { libc::geteuid() } == 0;
        let cluster = Cluster {
            dir: dir.path().to_path_buf(),
            bin: find_postgres_bin(),
            run_as: is_root.then(|| "postgres".to_string()),
        };
        let data = cluster.data();
        fs::create_dir_all(&data).unwrap();
        make_owned(&cluster, &data);
        initdb(&cluster);
        let socket_dir = dir.path().join("sock");
        fs::create_dir_all(&socket_dir).unwrap();
        make_owned(&cluster, &socket_dir);
        let own = Self {
            port: free_port(),
            cluster,
            _dir: dir,
            socket_dir,
            settings: settings.iter().map(|s| s.to_string()).collect(),
        };
        own.run_server();
        own
    }

    fn run_server(&self) {
        let log = self.cluster.dir.join("server.log");
        let _ = File::create(&log);
        if let Some(user) = &self.cluster.run_as {
            chown(&log, user);
        }
        self.cluster.run(
            "pg_ctl",
            &[
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                self.cluster.data().to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-o",
                &format!(
                    "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on{}",
                    self.port,
                    self.socket_dir.display(),
                    self.settings
                        .iter()
                        .map(|s| format!(" -c {s}"))
                        .collect::<String>()
                ),
            ],
        );
    }

    /// A streaming standby of this cluster (`pg_basebackup -R`), with its own settings
    /// (`hot_standby_feedback=on`, …), stopped when dropped.
    pub fn standby(&self, settings: &[&str]) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("own-standby-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
        let cluster = Cluster {
            dir: dir.path().to_path_buf(),
            bin: self.cluster.bin.clone(),
            run_as: self.cluster.run_as.clone(),
        };
        let socket_dir = dir.path().join("sock");
        fs::create_dir_all(&socket_dir).unwrap();
        make_owned(&cluster, &socket_dir);
        make_owned(&cluster, dir.path());
        cluster.run(
            "pg_basebackup",
            &[
                "-D",
                cluster.data().to_str().unwrap(),
                "-R",
                "-X",
                "stream",
                // Not a spread checkpoint, which would wait minutes on an idle server.
                "-c",
                "fast",
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                "application_name=doctor_standby",
            ],
        );
        let standby = Self {
            port: free_port(),
            cluster,
            _dir: dir,
            socket_dir,
            settings: settings.iter().map(|s| s.to_string()).collect(),
        };
        standby.run_server();
        standby
    }

    pub fn url(&self, dbname: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/{dbname}?sslmode=disable",
            self.port
        )
    }

    pub fn client(&self, dbname: &str) -> postgres::Client {
        postgres::Client::connect(&self.url(dbname), postgres::NoTls).unwrap()
    }

    /// Kills the server the way a power cut would look to it: no shutdown checkpoint,
    /// recovery from the WAL on the next start.
    pub fn crash(&self) {
        self.cluster.run(
            "pg_ctl",
            &[
                "stop",
                "-m",
                "immediate",
                "-D",
                self.cluster.data().to_str().unwrap(),
            ],
        );
    }

    pub fn restart(&self) {
        self.run_server();
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let _ = self
            .cluster
            .command("pg_ctl")
            .args([
                "stop",
                "-m",
                "immediate",
                "-D",
                self.cluster.data().to_str().unwrap(),
            ])
            .stdin(Stdio::null())
            .output();
    }
}

/// A backend frozen with SIGSTOP, thawed however the test ends.
pub struct Frozen(i32);

impl Frozen {
    pub fn freeze(pid: i32) -> Self {
        // SAFETY: signals to a server process of the test's own cluster.
        unsafe { libc::kill(pid, libc::SIGSTOP) };
        Self(pid)
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe { libc::kill(self.0, libc::SIGCONT) };
    }
}

impl TestDb {
    /// Waits until `condition` (a boolean SQL expression) holds, read on a connection of
    /// its own: see [`wait_until`].
    pub fn wait_until(&self, what: &str, condition: &str) {
        wait_until(&mut self.client(), what, condition);
    }
}

/// Waits until `condition` (a boolean SQL expression) holds on `client`: how a test
/// waits for a state instead of sleeping and hoping. Panics after 30 s, naming what it
/// waited for.
pub fn wait_until(client: &mut postgres::Client, what: &str, condition: &str) {
    let started = std::time::Instant::now();
    loop {
        let reached: Option<bool> = client
            .query_one(&format!("SELECT ({condition})::bool"), &[])
            .unwrap_or_else(|e| panic!("waiting for {what}: {e}"))
            .get(0);
        if reached == Some(true) {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "waited 30 s for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// SQL: the session `pid` has held a snapshot (an xmin) for longer than `seconds`.
pub fn holds_snapshot_longer_than(pid: i32, seconds: f64) -> String {
    format!(
        "EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = {pid} AND backend_xmin IS NOT NULL
                   AND clock_timestamp() - xact_start > make_interval(secs => {seconds}))"
    )
}

/// SQL: the session `pid` has waited for a lock for longer than `seconds`.
pub fn waits_for_a_lock_longer_than(pid: i32, seconds: f64) -> String {
    format!(
        "EXISTS (SELECT 1 FROM pg_locks WHERE pid = {pid} AND NOT granted
                   AND clock_timestamp() - waitstart > make_interval(secs => {seconds}))"
    )
}

/// SQL: the statistics show dead rows in `table`.
pub fn has_dead_rows(table: &str) -> String {
    format!("(SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = '{table}') > 0")
}

/// The backend of outboxctl's session in `db` once it runs a statement like `like`
/// (`None`: in any state).
pub fn wait_for_active_statement(db: &TestDb, like: &str) -> i32 {
    wait_for_backend(db, Some(like))
}

pub fn wait_for_backend(db: &TestDb, active_like: Option<&str>) -> i32 {
    let mut admin = db.server.admin_client();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let row = admin
            .query_opt(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'outboxctl'
                   AND ($2::text IS NULL OR state = 'active' AND query LIKE $2)",
                &[&db.name, &active_like],
            )
            .unwrap();
        if let Some(row) = row {
            return row.get(0);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the statement never ran"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
