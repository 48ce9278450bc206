//! Connecting the libpq way: PG* variables, the password file, the Unix socket, TLS modes,
//! timeouts, and never printing a password.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use crate::harness::{
    PASSWORD, PASSWORD_USER, Seed, TLS_ONLY_USER, TestDb, bare_cmd, private_cluster,
};
use crate::{assert_exit, assert_one_line_error, json_out, stderr, stdout};

fn private_db() -> TestDb {
    TestDb::on(private_cluster())
}

fn conninfo(db: &TestDb, extra: &str) -> String {
    format!("port={} dbname={} {extra}", db.server.port, db.name)
}

/// Runs `check --only outbox` (a read that needs the table) with a connection string.
fn check_with(url: &str) -> std::process::Output {
    bare_cmd()
        .env("HOME", db_home())
        .args([
            "-d",
            url,
            "--connect-timeout",
            "5s",
            "check",
            "--only",
            "outbox",
        ])
        .output()
        .unwrap()
}

/// An empty home, so no ~/.pgpass or ~/.postgresql/root.crt of the developer's is used.
fn db_home() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("outboxctl-test-home-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn tls_require_encrypts_without_verifying() {
    let db = private_db().migrated();
    // tls_only is rejected by pg_hba.conf unless the connection is encrypted.
    let out = check_with(&conninfo(
        &db,
        &format!("host=127.0.0.1 user={TLS_ONLY_USER} sslmode=require"),
    ));
    assert_exit(&out, 0);
    let out = check_with(&conninfo(
        &db,
        &format!("host=127.0.0.1 user={TLS_ONLY_USER} sslmode=prefer"),
    ));
    assert_exit(&out, 0);
}

#[test]
fn tls_verify_full_with_the_ca_connects() {
    let db = private_db().migrated();
    let ca = db.server.ca_file.as_ref().unwrap().display().to_string();
    let out = check_with(&conninfo(
        &db,
        &format!("host=localhost user={TLS_ONLY_USER} sslmode=verify-full sslrootcert={ca}"),
    ));
    assert_exit(&out, 0);
    // With hostaddr, the socket goes to the address and the certificate is checked
    // against the host name beside it, as libpq does.
    let out = check_with(&conninfo(
        &db,
        &format!(
            "host=localhost hostaddr=127.0.0.1 user={TLS_ONLY_USER} sslmode=verify-full sslrootcert={ca}"
        ),
    ));
    assert_exit(&out, 0);
    // verify-ca does not check the name, so the IP address is fine there.
    let out = check_with(&conninfo(
        &db,
        &format!("host=127.0.0.1 user={TLS_ONLY_USER} sslmode=verify-ca sslrootcert={ca}"),
    ));
    assert_exit(&out, 0);
}

#[test]
fn tls_verify_full_refuses_a_wrong_host_name() {
    let db = private_db().migrated();
    let ca = db.server.ca_file.as_ref().unwrap().display().to_string();
    let out = check_with(&conninfo(
        &db,
        &format!("host=127.0.0.1 user={TLS_ONLY_USER} sslmode=verify-full sslrootcert={ca}"),
    ));
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    assert!(stderr(&out).contains("certificate"), "{}", stderr(&out));
}

#[test]
fn tls_verify_full_without_the_ca_fails() {
    let db = private_db().migrated();
    let out = check_with(&conninfo(
        &db,
        &format!("host=localhost user={TLS_ONLY_USER} sslmode=verify-full"),
    ));
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    assert!(stderr(&out).contains("certificate"), "{}", stderr(&out));
}

#[test]
fn sslmode_disable_against_a_hostssl_only_role_fails_clearly() {
    let db = private_db().migrated();
    let out = check_with(&conninfo(
        &db,
        &format!("host=127.0.0.1 user={TLS_ONLY_USER} sslmode=disable"),
    ));
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    assert!(
        stderr(&out).contains("pg_hba.conf rejects connection"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn pg_variables_and_password_file() {
    let db = private_db().migrated();
    let home = tempfile::tempdir().unwrap();
    let passfile = home.path().join("pgpass");
    std::fs::write(
        &passfile,
        format!(
            "# test\n127.0.0.1:{}:*:{PASSWORD_USER}:{PASSWORD}\n",
            db.server.port
        ),
    )
    .unwrap();
    std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600)).unwrap();
    let run = |envs: &[(&str, String)]| {
        let mut cmd = bare_cmd();
        cmd.env("HOME", home.path());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.args(["check", "--only", "outbox"]).output().unwrap()
    };
    let base = vec![
        ("PGHOST", "127.0.0.1".to_string()),
        ("PGPORT", db.server.port.to_string()),
        ("PGUSER", PASSWORD_USER.to_string()),
        ("PGDATABASE", db.name.clone()),
        ("PGSSLMODE", "disable".to_string()),
    ];
    // PGPASSWORD.
    let mut envs = base.clone();
    envs.push(("PGPASSWORD", PASSWORD.to_string()));
    assert_exit(&run(&envs), 0);
    // No password at all: scram authentication fails.
    assert_exit(&run(&base), 1);
    // PGPASSFILE.
    let mut envs = base.clone();
    envs.push(("PGPASSFILE", passfile.display().to_string()));
    assert_exit(&run(&envs), 0);
    // ~/.pgpass.
    std::fs::copy(&passfile, home.path().join(".pgpass")).unwrap();
    std::fs::set_permissions(
        home.path().join(".pgpass"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    assert_exit(&run(&base), 0);
    // A world-readable password file is ignored, with libpq's warning.
    std::fs::set_permissions(
        home.path().join(".pgpass"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let out = run(&base);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("has group or world access"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unix_socket_from_pghost() {
    let db = private_db().migrated();
    let socket_dir = db.server.socket_dir.as_ref().unwrap();
    let out = bare_cmd()
        .env("PGHOST", socket_dir)
        .env("PGPORT", db.server.port.to_string())
        .env("PGUSER", "postgres")
        .env("PGDATABASE", &db.name)
        .args(["check", "--only", "outbox"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let url = format!(
        "postgresql://postgres@{}:{}/{}",
        socket_dir.display().to_string().replace('/', "%2F"),
        db.server.port,
        db.name
    );
    let out = bare_cmd()
        .args(["-d", &url, "check", "--only", "outbox"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
}

#[test]
fn passwords_never_appear_in_output() {
    let db = private_db().migrated();
    let secret = "Wr0ng-hunter2-secret";
    let url = format!(
        "postgres://{PASSWORD_USER}:{secret}@127.0.0.1:{}/{}?sslmode=disable",
        db.server.port, db.name
    );
    let out = bare_cmd().args(["-d", &url, "check"]).output().unwrap();
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    assert!(stderr(&out).contains("28P01"), "{}", stderr(&out));
    assert!(!stderr(&out).contains(secret) && !stdout(&out).contains(secret));

    let out = bare_cmd()
        .env("PGPASSWORD", secret)
        .args([
            "-d",
            &format!(
                "host=127.0.0.1 port={} user={PASSWORD_USER} dbname={} sslmode=disable",
                db.server.port, db.name
            ),
            "check",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(!stderr(&out).contains(secret) && !stdout(&out).contains(secret));

    // Usage errors in the URL do not echo it.
    let out = bare_cmd()
        .args([
            "-d",
            &format!("postgres://u:{secret}@h/db?nosuchoption=1"),
            "check",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(!stderr(&out).contains(secret));

    // --help shows where the URL comes from, never its value.
    let out = bare_cmd()
        .env("DATABASE_URL", format!("postgres://u:{secret}@h/db"))
        .arg("--help")
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(!stdout(&out).contains(secret));
}

#[test]
fn nothing_listening_fails_fast_naming_the_server() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = bare_cmd()
        .args(["-d", &format!("postgres://x@127.0.0.1:{port}/x"), "check"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    assert!(
        stderr(&out).contains(&format!("127.0.0.1:{port}")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_server_that_never_answers_times_out() {
    // Accepts TCP (the kernel completes the handshake) but never speaks.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let started = Instant::now();
    let out = bare_cmd()
        .args([
            "-d",
            &format!("postgres://x@127.0.0.1:{port}/x?sslmode=disable"),
            "--connect-timeout",
            "1s",
            "check",
        ])
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    assert!(
        stderr(&out).contains(&format!("127.0.0.1:{port}")),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("connect timeout"), "{}", stderr(&out));
    assert!(elapsed < Duration::from_secs(8), "took {elapsed:?}");
    drop(listener);
}

#[test]
fn lock_timeout_applies_to_the_session() {
    let db = TestDb::new().migrated();
    let mut holder = db.client();
    let mut tx = holder.transaction().unwrap();
    tx.batch_execute("LOCK TABLE outbox_messages IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let started = Instant::now();
    let out = db
        .cmd()
        .args(["--lock-timeout", "1s", "check", "--only", "outbox"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    assert!(stderr(&out).contains("55P03"), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(10));
    tx.rollback().unwrap();
}

/// The lock-wait lookout reaches the server the way the waiting connection did: over the
/// Unix socket, where sslmode=require does not apply (libpq never uses TLS there), it
/// still names the blocker.
#[test]
fn a_lock_timeout_over_the_unix_socket_names_the_blocker() {
    let db = private_db().migrated();
    let socket_dir = db.server.socket_dir.as_ref().unwrap().display().to_string();
    let mut blocker = db.client();
    blocker
        .batch_execute(
            "SET application_name = 'socket-holder'; BEGIN; LOCK TABLE outbox_messages IN ACCESS EXCLUSIVE MODE",
        )
        .unwrap();
    let out = bare_cmd()
        .args([
            "-d",
            &format!(
                "host={socket_dir} port={} user=postgres dbname={} sslmode=require",
                db.server.port, db.name
            ),
        ])
        .args(["requeue", "--all", "--yes", "--lock-timeout", "2s"])
        .output()
        .unwrap();
    blocker.batch_execute("ROLLBACK").unwrap();
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("socket-holder"), "{err}");
}

/// verify-ca checks no host name, so it is never pointed at the system's public roots:
/// without sslrootcert (or ~/.postgresql/root.crt) it is refused before connecting, as
/// libpq refuses it.
#[test]
fn verify_ca_without_a_ca_is_refused() {
    let home = tempfile::tempdir().unwrap();
    for extra in ["", " sslrootcert=system"] {
        let out = bare_cmd()
            .env("HOME", home.path())
            .args([
                "-d",
                &format!("host=127.0.0.1 port=1 user=u dbname=d sslmode=verify-ca{extra}"),
                "check",
            ])
            .output()
            .unwrap();
        assert_exit(&out, 2);
        assert_one_line_error(&out);
        assert!(stderr(&out).contains("verify-ca"), "{}", stderr(&out));
    }
}

/// psql's habits for a password: on a terminal a missing one is asked for (and `-W`
/// asks up front); without a terminal, or with `-w`, the error names the ways to give
/// one.
#[test]
fn a_missing_password_is_asked_for_on_a_terminal_and_named_elsewhere() {
    use std::io::{Read, Write};
    let db = private_db().migrated();
    let home = tempfile::tempdir().unwrap();
    let url = format!(
        "host=127.0.0.1 port={} dbname={} user={PASSWORD_USER} sslmode=disable",
        db.server.port, db.name
    );
    let out = bare_cmd()
        .env("HOME", home.path())
        .args(["-d", &url, "check", "--only", "outbox"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    let err = stderr(&out);
    assert!(
        err.contains("PGPASSWORD") && err.contains(".pgpass"),
        "{err}"
    );
    assert!(!err.contains(PASSWORD));

    // On a terminal (util-linux `script`): asked, typed, connected.
    for ask in ["", " -W"] {
        let binary = assert_cmd::cargo::cargo_bin("outboxctl");
        let mut child = std::process::Command::new("script")
            .args([
                "-qec",
                &format!("{} -d '{url}'{ask} check --only outbox", binary.display()),
                "/dev/null",
            ])
            .env("HOME", home.path())
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("script (util-linux) runs the command on a terminal");
        let mut stdout = child.stdout.take().unwrap();
        let mut seen = Vec::new();
        let mut chunk = [0u8; 256];
        let started = Instant::now();
        while !String::from_utf8_lossy(&seen).contains("Password for user") {
            assert!(started.elapsed() < Duration::from_secs(30), "no prompt");
            let n = stdout.read(&mut chunk).unwrap();
            assert!(
                n > 0,
                "ended before asking: {}",
                String::from_utf8_lossy(&seen)
            );
            seen.extend_from_slice(&chunk[..n]);
        }
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
        drop(stdin);
        let mut rest = String::new();
        let _ = stdout.read_to_string(&mut rest);
        let status = child.wait().unwrap();
        assert!(status.success(), "{ask}: {rest}");
        assert!(rest.contains("outbox_messages: ok"), "{ask}: {rest}");
        assert!(!rest.contains(PASSWORD), "the password was echoed");
    }

    // -w never asks, even on a terminal; -W without a terminal is refused.
    let out = bare_cmd()
        .env("HOME", home.path())
        .args(["-d", &url, "-w", "check"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let out = bare_cmd()
        .env("HOME", home.path())
        .args(["-d", &url, "-W", "check"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
}

#[test]
fn connection_errors_name_the_address_tried() {
    let out = crate::harness::bare_cmd()
        .args([
            "--database-url",
            "host=127.0.0.1 hostaddr=::1 port=1 user=u",
            "--connect-timeout",
            "2s",
            "stats",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("127.0.0.1 ([::1]):1"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn service_files_choose_the_database() {
    let db = TestDb::new().migrated();
    Seed::default().insert(&mut db.client());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("services.conf");
    std::fs::write(
        &file,
        format!(
            "[billing]\nhost={}\nport={}\nuser={}\ndbname={}\nsslmode=disable\n",
            db.server.host, db.server.port, db.server.user, db.name
        ),
    )
    .unwrap();
    let mut cmd = crate::harness::bare_cmd();
    if let Some(password) = &db.server.password {
        cmd.env("PGPASSWORD", password);
    }
    let out = cmd
        .env("PGSERVICEFILE", &file)
        .env("PGSERVICE", "billing")
        .env("PGDATABASE", "postgres")
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["outbox"]["total"], 10);

    let out = crate::harness::bare_cmd()
        .env("PGSERVICEFILE", &file)
        .args(["--database-url", "service=nosuch", "stats"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("\"nosuch\" not found"));
    for (var, value) in [
        ("PGSSLCRL", "/x.crl"),
        ("PGREQUIREPEER", "postgres"),
        ("PGGSSENCMODE", "require"),
    ] {
        let out = db.cmd().env(var, value).arg("stats").output().unwrap();
        assert_exit(&out, 2);
        assert_one_line_error(&out);
    }
}

/// Each host gets its own connect timeout: a first host that accepts and never answers
/// does not keep the second from being used.
#[test]
fn failover_reaches_the_next_host() {
    let db = TestDb::new().migrated();
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let url = format!(
        "host=127.0.0.1,{} port={silent_port},{} user={} dbname={} sslmode=disable{}",
        db.server.host,
        db.server.port,
        db.server.user,
        db.name,
        db.server
            .password
            .as_deref()
            .map(|p| format!(" password={p}"))
            .unwrap_or_default()
    );
    let started = Instant::now();
    let out = crate::harness::bare_cmd()
        .args([
            "--database-url",
            &url,
            "--connect-timeout",
            "2s",
            "stats",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(started.elapsed() < Duration::from_secs(10));
    drop(silent);
}
