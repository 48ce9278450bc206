//! Failures on the way: a batch the server rejects, output that cannot be written after
//! a commit, a server that crashes or freezes, impossible timeouts, a read-only server,
//! an empty selection. Each is reported exactly, and nothing is claimed that did not
//! happen.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{Seed, TestDb, wait_for_backend};
use crate::{assert_exit, assert_one_line_error, json_out, stderr, stdout};

/// Item 5: an empty filter value (a script's unset `$PATTERN`) is refused, never "all".
#[test]
fn empty_filters_are_refused() {
    let db = TestDb::new().migrated();
    Seed {
        n: 20,
        status: "'failed'",
        ..Default::default()
    }
    .insert(&mut db.client());
    db.client()
        .batch_execute("INSERT INTO processed_messages (group_name, msg_id) VALUES ('g', 'm')")
        .unwrap();
    for args in [
        vec!["requeue", "--error-contains", ""],
        vec!["requeue", "--topic", ""],
        vec!["requeue", "--header", ""],
        vec!["requeue", "--header", "=x"],
        vec!["list", "--topic", ""],
        vec!["purge", "--before", "0s", "--topic", ""],
        vec!["dedup", "list", "--group", ""],
        vec!["dedup", "list", "--msg-id", ""],
        vec!["dedup", "purge", "--before", "0s", "--group", ""],
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert_exit(&out, 2);
        assert_one_line_error(&out);
    }
    assert_eq!(db.count("status = 'failed'"), 20);
    // An empty --key is exact: it selects the library's default empty key, not everything.
    let out = db
        .cmd()
        .args(["requeue", "--key", "", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["changed"], 0);
    assert_eq!(db.count("status = 'failed'"), 20);
}

#[test]
fn a_rejected_batch_is_reported_as_rolled_back() {
    let db = TestDb::new();
    db.client()
        .batch_execute(
            "CREATE TYPE msg_status AS ENUM ('pending', 'processing', 'processed', 'failed');
             CREATE TABLE outbox_messages (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), topic text NOT NULL,
               key text NOT NULL DEFAULT '', payload bytea, headers jsonb DEFAULT '{}', status msg_status NOT NULL DEFAULT 'pending',
               retries int NOT NULL DEFAULT 0, last_error text NOT NULL DEFAULT '', created_at timestamptz NOT NULL DEFAULT now(),
               processed_at timestamptz);
             INSERT INTO outbox_messages (topic, status) SELECT 't', 'failed' FROM generate_series(1, 10);",
        )
        .unwrap();
    let out = db.cmd().args(["requeue", "--all"]).output().unwrap();
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    let err = stderr(&out);
    assert!(!err.contains("may have been applied"), "{err}");
}

#[test]
fn a_full_stdout_after_a_commit_says_what_changed() {
    let db = TestDb::new().migrated();
    Seed {
        n: 500,
        status: "'processed'",
        processed_at: "now() - interval '10 days'",
        ..Default::default()
    }
    .insert(&mut db.client());
    let out = db
        .cmd()
        .args(["purge", "--before", "1d", "--format", "json"])
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_exit(&out, 4);
    let err = stderr(&out);
    assert!(err.contains("deleted 500 processed messages"), "{err}");
    assert_eq!(db.count("TRUE"), 0);

    // Nothing panics when stderr is full or stdout closes early.
    Seed {
        n: 50,
        status: "'failed'",
        ..Default::default()
    }
    .insert(&mut db.client());
    db.client()
        .batch_execute(
            "INSERT INTO processed_messages (group_name, msg_id) VALUES ('g', 'a'), ('g', 'b')",
        )
        .unwrap();
    let out = db
        .cmd()
        .args(["dedup", "unmark", "g", "a", "b", "--yes"])
        .stderr(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{}' requeue --all 2>&1 | head -c 1 >/dev/null; echo \"${{PIPESTATUS[0]}}\"",
            assert_cmd::cargo::cargo_bin("outboxctl").display()
        ))
        .env("DATABASE_URL", db.url())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!stdout(&out).contains("101"), "{}", stderr(&out));
    assert_eq!(db.count("status = 'failed'"), 0);
}

/// Output lost after `dedup mark` or `migrate` committed is exit 4 with an account.
#[test]
fn output_lost_after_mark_or_migrate_is_reported() {
    let db = TestDb::new();
    let full = || std::fs::File::create("/dev/full").unwrap();
    let out = db.cmd().arg("migrate").stdout(full()).output().unwrap();
    assert_exit(&out, 4);
    assert!(
        stderr(&out).contains("created outbox_messages and processed_messages"),
        "{}",
        stderr(&out)
    );
    let out = db
        .cmd()
        .args(["dedup", "mark", "g", "m"])
        .stdout(full())
        .output()
        .unwrap();
    assert_exit(&out, 4);
    assert!(stderr(&out).contains("marked g/m"), "{}", stderr(&out));
    // Nothing changed: the lost output is an ordinary error.
    let out = db
        .cmd()
        .args(["dedup", "mark", "g", "m"])
        .stdout(full())
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("writing to standard output failed: No space left on device"),
        "{}",
        stderr(&out)
    );
    // Every kind of output names standard output as what failed.
    for args in [
        vec!["ddl"],
        vec!["stats"],
        vec!["stats", "--format", "json"],
        vec!["dedup", "list", "--format", "csv"],
        vec![
            "list", "--status", "all", "--limit", "0", "--format", "ndjson",
        ],
        vec!["check"],
    ] {
        db.client()
            .batch_execute("INSERT INTO outbox_messages (topic) VALUES ('t')")
            .unwrap();
        let out = db.cmd().args(&args).stdout(full()).output().unwrap();
        assert_exit(&out, 1);
        assert_one_line_error(&out);
        assert!(
            stderr(&out).contains("writing to standard output failed"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_server_crash_mid_purge_never_overstates_what_is_gone() {
    let own = crate::harness::OwnCluster::start();
    own.client("postgres")
        .batch_execute("CREATE DATABASE crash")
        .unwrap();
    let mut bare = crate::harness::bare_cmd();
    let out = bare
        .env("DATABASE_URL", own.url("crash"))
        .arg("migrate")
        .output()
        .unwrap();
    assert_exit(&out, 0);
    own.client("crash")
        .batch_execute(
            "INSERT INTO outbox_messages (topic, status, processed_at)
             SELECT 't', 'processed', now() - interval '10 days' FROM generate_series(1, 150000)",
        )
        .unwrap();
    let count = || -> i64 {
        own.client("crash")
            .query_one("SELECT count(*) FROM outbox_messages", &[])
            .unwrap()
            .get(0)
    };
    let mut cmd = crate::harness::bare_cmd();
    let child = cmd
        .env("DATABASE_URL", own.url("crash"))
        .args([
            "purge",
            "--before",
            "1d",
            "--batch-size",
            "300",
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while count() > 140_000 {
        std::thread::sleep(Duration::from_millis(10));
    }
    own.crash();
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    let summary = json_out(&out);
    own.restart();
    let gone = 150_000 - count() as u64;
    let reported = summary["changed"].as_u64().unwrap();
    let in_doubt = summary["in_doubt"].as_u64().unwrap();
    assert!(
        (reported..=reported + in_doubt).contains(&gone),
        "{gone} gone after recovery; summary {summary}; {}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("rerun to continue"));
    let out = crate::harness::bare_cmd()
        .env("DATABASE_URL", own.url("crash"))
        .args(["purge", "--before", "1d"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(count(), 0);
}

/// `list --limit 0 --format ndjson` of every message under `--statement-timeout`.
fn spawn_streamed_list(db: &TestDb, timeout: &str) -> std::process::Child {
    db.cmd()
        .args(["--statement-timeout", timeout, "list", "--status", "all"])
        .args(["--limit", "0", "--format", "ndjson"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Item 13: a backend frozen mid-list (SIGSTOP) does not hang outboxctl past its
/// `--statement-timeout`.
#[test]
fn a_frozen_server_does_not_hang_past_the_statement_timeout() {
    let db = TestDb::new().migrated();
    Seed {
        n: 100_000,
        status: "'processed'",
        ..Default::default()
    }
    .insert(&mut db.client());
    let mut child = spawn_streamed_list(&db, "2s");
    let mut stdout_pipe = child.stdout.take().unwrap();
    let pid = wait_for_backend(&db, None);
    // Freeze the backend only once the client is waiting on it: after its first rows.
    let mut first = [0u8; 1];
    stdout_pipe.read_exact(&mut first).unwrap();
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    let frozen_at = Instant::now();
    let reader = std::thread::spawn(move || {
        let mut rest = Vec::new();
        let _ = stdout_pipe.read_to_end(&mut rest);
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if frozen_at.elapsed() > Duration::from_secs(30) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    unsafe { libc::kill(pid, libc::SIGCONT) };
    if status.is_none() {
        let _ = child.kill();
    }
    let _ = reader.join();
    let status = status.expect("outboxctl still waiting 30 s after the server froze");
    assert!(!status.success());
    assert!(
        frozen_at.elapsed() < Duration::from_secs(12),
        "{:?}",
        frozen_at.elapsed()
    );
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("statement-timeout"), "{err}");
}

/// Item 14: `--statement-timeout` bounds a whole streamed list, not each fetch.
#[test]
fn the_statement_timeout_bounds_a_whole_streamed_list() {
    let db = TestDb::new().migrated();
    Seed {
        n: 60_000,
        status: "'processed'",
        ..Default::default()
    }
    .insert(&mut db.client());
    let mut child = spawn_streamed_list(&db, "1s");
    let started = Instant::now();
    // A slow reader: the list as a whole takes far longer than a second.
    let mut out = child.stdout.take().unwrap();
    let mut buffer = [0u8; 4096];
    while out.read(&mut buffer).unwrap_or(0) > 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().unwrap();
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("--statement-timeout"),
        "{}",
        stderr(&output)
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// Timeouts PostgreSQL cannot hold are refused before connecting; a read-only target is
/// named as such by migrate too.
#[test]
fn impossible_timeouts_and_read_only_migrate() {
    for args in [
        vec!["--statement-timeout", "25d", "stats"],
        vec!["--lock-timeout", "25d", "stats"],
        vec!["--lock-timeout", "0s", "stats"],
    ] {
        let out = crate::harness::bare_cmd()
            .args(["--database-url", "host=127.0.0.1 port=1"])
            .args(&args)
            .output()
            .unwrap();
        assert_exit(&out, 2);
        assert_one_line_error(&out);
    }
    let db = TestDb::new();
    db.client()
        .batch_execute(&format!(
            "ALTER DATABASE {} SET default_transaction_read_only = on",
            db.name
        ))
        .unwrap();
    let out = db.cmd().arg("migrate").output().unwrap();
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("is read-only"), "{}", stderr(&out));
}

#[test]
fn a_read_only_server_is_named_as_such() {
    let db = TestDb::new().migrated();
    Seed {
        n: 10,
        status: "'failed'",
        ..Default::default()
    }
    .insert(&mut db.client());
    db.client()
        .batch_execute(&format!(
            "ALTER DATABASE {} SET default_transaction_read_only = on",
            db.name
        ))
        .unwrap();
    let out = db.cmd().args(["requeue", "--all"]).output().unwrap();
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    let err = stderr(&out);
    assert!(
        err.contains("is read-only") && err.contains("target_session_attrs=read-write"),
        "{err}"
    );
}
