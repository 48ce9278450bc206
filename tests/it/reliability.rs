//! Trying to break outboxctl the way production and careless hands will: bad input,
//! unreachable servers, killed backends, held locks. Every failure must be one clear
//! line, the right exit code, and no change to the data.

use std::time::{Duration, Instant};

use crate::harness::{Seed, TestDb, bare_cmd, table_digest};
use crate::{assert_exit, assert_one_line_error, stderr, stdout};

/// One bad invocation: its arguments, the exit code, and words the error must contain.
struct Bad {
    args: Vec<String>,
    code: i32,
    names: &'static str,
}

fn bad(args: &[&str], code: i32, names: &'static str) -> Bad {
    Bad {
        args: args.iter().map(|a| a.to_string()).collect(),
        code,
        names,
    }
}

fn digest(db: &TestDb) -> (String, String) {
    let mut client = db.client();
    (
        table_digest(&mut client, "outbox_messages"),
        table_digest(&mut client, "processed_messages"),
    )
}

/// The bad-input matrix. Its length is quoted in TESTING.md.
fn bad_inputs(dir: &std::path::Path) -> Vec<Bad> {
    let long_name = "t".repeat(64);
    let overflow_outbox = "o".repeat(52);
    let overflow_processed = "p".repeat(47);
    let missing_file = dir.join("missing.json").display().to_string();
    let unreadable = dir.display().to_string();
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    vec![
        // Table and schema names.
        bad(&["--table", "outbox\"messages", "stats"], 2, "--table"),
        bad(
            &["--table", "outbox'; DROP TABLE outbox_messages; --", "list"],
            2,
            "--table",
        ),
        bad(
            &["--table", "outbox;messages", "purge", "--before", "1d"],
            2,
            "--table",
        ),
        bad(
            &["--table", "outbox messages", "requeue", "--all"],
            2,
            "--table",
        ),
        bad(&["--table", "øutbox", "stats"], 2, "--table"),
        bad(&["--table", leak(long_name.clone()), "stats"], 2, "63"),
        bad(&["--table", "select", "stats"], 2, "reserved"),
        bad(
            &["--table", leak(overflow_outbox), "migrate"],
            2,
            "truncate",
        ),
        bad(&["--table", "", "stats"], 2, "empty"),
        bad(
            &["--processed-table", "seen\"", "dedup", "list"],
            2,
            "--processed-table",
        ),
        bad(
            &["--processed-table", "group", "dedup", "list"],
            2,
            "reserved",
        ),
        bad(
            &["--processed-table", leak(overflow_processed), "migrate"],
            2,
            "truncate",
        ),
        bad(
            &["--schema", "public; DROP SCHEMA public", "stats"],
            2,
            "--schema",
        ),
        bad(&["--schema", "ops schema", "stats"], 2, "--schema"),
        bad(&["--schema", leak(long_name), "stats"], 2, "63"),
        bad(&["--schema", "table", "stats"], 2, "reserved"),
        // Ids, statuses, numbers.
        bad(&["show", "not-a-uuid"], 2, "invalid message id"),
        bad(
            &["show", "1b4e28ba-2fa1-11d2-883f-0016d3cca42g"],
            2,
            "invalid message id",
        ),
        bad(
            &["requeue", "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "zzz"],
            2,
            "invalid message id",
        ),
        bad(&["list", "--status", "done"], 2, "unknown status"),
        bad(
            &["list", "--status", "pending,archived"],
            2,
            "unknown status",
        ),
        bad(&["list", "--limit", "-1"], 2, "--limit"),
        bad(&["list", "--limit", "many"], 2, "--limit"),
        bad(
            &["purge", "--before", "1d", "--batch-size", "0"],
            2,
            "--batch-size",
        ),
        bad(
            &["purge", "--before", "1d", "--batch-size", "-5"],
            2,
            "--batch-size",
        ),
        bad(
            &["requeue", "--all", "--batch-size", "lots"],
            2,
            "--batch-size",
        ),
        bad(&["stats", "--max-failed", "-3"], 2, "--max-failed"),
        // Durations and timestamps.
        bad(&["purge", "--before", "7x"], 2, "invalid duration"),
        bad(&["purge", "--before", "-5d"], 2, "invalid time"),
        bad(&["purge", "--before", "0"], 2, "invalid time"),
        bad(&["purge", "--before", "999999999999d"], 2, "too large"),
        bad(&["purge", "--before", ""], 2, "empty time"),
        bad(&["list", "--after", "2026-02-30"], 2, "invalid time"),
        bad(
            &["list", "--before", "2026-11-01T25:61:00Z"],
            2,
            "invalid time",
        ),
        bad(&["purge", "--before", "2999-01-01"], 2, "in the future"),
        bad(
            &["dedup", "purge", "--before", "2999-01-01T00:00:00Z"],
            2,
            "in the future",
        ),
        bad(
            &["stats", "--max-pending-age", "soon"],
            2,
            "invalid duration",
        ),
        bad(&["--lock-timeout", "1x", "stats"], 2, "invalid duration"),
        // JSON metadata.
        bad(
            &["dedup", "mark", "g", "m", "--metadata", "{\"a\":"],
            2,
            "invalid JSON metadata",
        ),
        bad(
            &["dedup", "mark", "g", "m", "--metadata", "not json"],
            2,
            "invalid JSON metadata",
        ),
        bad(
            &[
                "dedup",
                "mark",
                "g",
                "m",
                "--metadata-file",
                leak(missing_file),
            ],
            2,
            "cannot read --metadata-file",
        ),
        bad(
            &[
                "dedup",
                "mark",
                "g",
                "m",
                "--metadata-file",
                leak(unreadable),
            ],
            2,
            "cannot read --metadata-file",
        ),
        // Conflicting or missing selections.
        bad(
            &["requeue", "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "--all"],
            2,
            "cannot be used with",
        ),
        bad(&["requeue"], 2, "nothing selected"),
        bad(
            &["requeue", "--all", "--stuck", "--replay", "--before", "1h"],
            2,
            "cannot be used with",
        ),
        bad(&["purge"], 2, "--before"),
        bad(&["dedup", "unmark", "g"], 2, "MSG_ID"),
        bad(&["list", "--format", "xml"], 2, "--format"),
        bad(
            &["--database-url", "mysql://h/db", "stats"],
            2,
            "postgres://",
        ),
        bad(
            &["--database-url", "host=h bogus=1", "stats"],
            2,
            "option libpq does not know",
        ),
        bad(
            &["--database-url", "host=h sslmode=sometimes", "stats"],
            2,
            "sslmode",
        ),
        // Missing tables: a runtime error with the fix.
        bad(
            &["--table", "nosuch", "list"],
            1,
            "run \"outboxctl migrate\"",
        ),
        bad(
            &["--table", "nosuch", "purge", "--before", "1d"],
            1,
            "run \"outboxctl migrate\"",
        ),
        bad(
            &["--table", "nosuch", "requeue", "--all"],
            1,
            "run \"outboxctl migrate\"",
        ),
        bad(
            &[
                "--processed-table",
                "nosuch",
                "dedup",
                "purge",
                "--before",
                "1d",
            ],
            1,
            "run \"outboxctl migrate\"",
        ),
        bad(
            &["--processed-table", "nosuch", "dedup", "mark", "g", "m"],
            1,
            "run \"outboxctl migrate\"",
        ),
        bad(
            &["show", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"],
            1,
            "no message with id",
        ),
    ]
}

#[test]
fn bad_input_matrix_changes_nothing() {
    let db = TestDb::new().migrated();
    Seed {
        n: 50,
        status: "'failed'",
        retries: "5",
        ..Default::default()
    }
    .insert(&mut db.client());
    Seed {
        n: 50,
        status: "'processed'",
        processed_at: "now() - interval '30 days'",
        ..Default::default()
    }
    .insert(&mut db.client());
    db.client()
        .batch_execute("INSERT INTO processed_messages (group_name, msg_id, processed_at) SELECT 'g', 'm' || i, now() - interval '40 days' FROM generate_series(1, 20) i")
        .unwrap();
    let before = digest(&db);
    let dir = tempfile::tempdir().unwrap();
    let cases = bad_inputs(dir.path());
    assert!(cases.len() >= 40, "the matrix has {} rows", cases.len());
    for case in &cases {
        let out = db
            .cmd()
            .args(&case.args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        let context = format!("{:?}", case.args);
        assert_eq!(
            out.status.code(),
            Some(case.code),
            "{context}: {}",
            stderr(&out)
        );
        assert_one_line_error(&out);
        assert!(
            stderr(&out).contains(case.names),
            "{context}: {:?} not in {}",
            case.names,
            stderr(&out)
        );
        assert!(
            stdout(&out).is_empty(),
            "{context}: stdout {}",
            stdout(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "{context}");
    }
    assert_eq!(digest(&db), before, "a bad input changed the database");
}

#[test]
fn a_drifted_table_gives_a_clear_error_not_a_panic() {
    let db = TestDb::new().migrated();
    Seed {
        n: 5,
        status: "'processed'",
        processed_at: "now() - interval '9 days'",
        ..Default::default()
    }
    .insert(&mut db.client());
    db.client()
        .batch_execute("ALTER TABLE outbox_messages DROP COLUMN processed_at; ALTER TABLE outbox_messages ALTER COLUMN retries TYPE bigint")
        .unwrap();
    let before = digest(&db);
    for args in [
        vec!["list", "--status", "all"],
        vec!["purge", "--before", "1d"],
        vec!["show", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"],
        vec!["requeue", "--all", "--replay"],
    ] {
        let out = db
            .cmd()
            .args(&args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert_exit(&out, 1);
        assert_one_line_error(&out);
        assert!(
            stderr(&out).contains("does not match the expected schema — run \"outboxctl check\""),
            "{args:?}: {}",
            stderr(&out)
        );
        // Nothing, an empty list, or a mutation's exact account of a run that changed nothing.
        let text = stdout(&out);
        let account_of_nothing = serde_json::from_str::<serde_json::Value>(&text)
            .is_ok_and(|v| v["changed"] == 0 && v["error"].is_string());
        assert!(
            text.is_empty() || text == "[]\n" || text.starts_with('[') || account_of_nothing,
            "{args:?}: {text}"
        );
    }
    assert_eq!(digest(&db), before);
}

#[test]
fn connection_failures_are_quick_and_clear() {
    let db = TestDb::new();
    let server = db.server;
    let secret = "pw-n3ver-sh0wn";
    let cases: Vec<(String, &str)> = vec![
        (
            format!(
                "postgres://nobody_here:{secret}@{}:{}/{}?sslmode=disable",
                server.host, server.port, db.name
            ),
            "nobody_here",
        ),
        (
            format!(
                "postgres://{}:{secret}@{}:{}/no_such_database?sslmode=disable",
                server.user, server.host, server.port
            ),
            "no_such_database",
        ),
        (
            format!("postgres://u:{secret}@no-such-host.invalid:5432/db"),
            "no-such-host.invalid:5432",
        ),
        (
            format!("host=127.0.0.1 port=1 user=u password={secret} dbname=db"),
            "127.0.0.1:1",
        ),
    ];
    for (url, names) in cases {
        let started = Instant::now();
        let out = bare_cmd()
            .env("PGPASSWORD", secret)
            .args([
                "-d",
                &url,
                "--connect-timeout",
                "3s",
                "stats",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{url} took {:?}",
            started.elapsed()
        );
        assert_exit(&out, 1);
        assert_one_line_error(&out);
        assert!(
            stderr(&out).contains(names),
            "{names} not in {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains(secret) && !stdout(&out).contains(secret));
        assert!(stdout(&out).is_empty());
    }
}

fn backend_pids(db: &TestDb) -> Vec<i32> {
    db.client()
        .query(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'outboxctl'",
            &[&db.name],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[test]
fn a_backend_killed_mid_purge_leaves_whole_batches_and_the_rerun_finishes() {
    let db = TestDb::new().migrated();
    Seed {
        n: 150_000,
        status: "'processed'",
        processed_at: "now() - interval '30 days'",
        ..Default::default()
    }
    .insert(&mut db.client());
    let child = db
        .cmd()
        .args(["purge", "--before", "7d", "--batch-size", "40"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while db.count("TRUE") == 150_000 {
        assert!(Instant::now() < deadline, "no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    for pid in backend_pids(&db) {
        db.client()
            .execute("SELECT pg_terminate_backend($1)", &[&pid])
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    let err = stderr(&out);
    assert!(
        err.contains("57P01")
            || err.contains("closed the connection")
            || err.contains("lost the connection"),
        "{err}"
    );
    // "N batches committed before it (M deleted)": M is exactly what is gone, plus at
    // most the batch in flight when the message says it was cut off during COMMIT
    // ("up to K rows").
    let number_after = |marker: &str| -> Option<i64> {
        err.split(marker)
            .nth(1)?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    let deleted = number_after("committed before it (")
        .unwrap_or_else(|| panic!("no deleted count in: {err}"));
    let in_doubt = number_after("the batch in flight (up to ").unwrap_or(0);
    let gone = 150_000 - db.count("TRUE");
    assert!(
        (deleted..=deleted + in_doubt).contains(&gone),
        "{gone} gone; {err}"
    );
    let out = db.cmd().args(["purge", "--before", "7d"]).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(db.count("TRUE"), 0);
}

#[test]
fn lock_and_statement_timeouts_fail_fast_naming_the_cause() {
    let db = TestDb::new().migrated();
    Seed {
        n: 100,
        status: "'processed'",
        processed_at: "now() - interval '30 days'",
        ..Default::default()
    }
    .insert(&mut db.client());
    let mut holder = db.client();
    let mut tx = holder.transaction().unwrap();
    tx.batch_execute("LOCK TABLE outbox_messages IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    for (timeout, args, names) in [
        (
            "--lock-timeout",
            vec!["purge", "--before", "1d"],
            "within --lock-timeout: blocked by pid",
        ),
        (
            "--lock-timeout",
            vec!["list"],
            "within --lock-timeout: blocked by pid",
        ),
        (
            "--lock-timeout",
            vec!["requeue", "--all", "--replay"],
            "within --lock-timeout: blocked by pid",
        ),
        (
            "--statement-timeout",
            vec!["purge", "--before", "1d"],
            "--statement-timeout",
        ),
        ("--statement-timeout", vec!["stats"], "--statement-timeout"),
    ] {
        let started = Instant::now();
        let out = db.cmd().args([timeout, "1s"]).args(&args).output().unwrap();
        let elapsed = started.elapsed();
        assert_exit(&out, 1);
        assert_one_line_error(&out);
        assert!(
            stderr(&out).contains(names),
            "{timeout} {args:?}: {}",
            stderr(&out)
        );
        assert!(
            elapsed < Duration::from_secs(6),
            "{timeout} {args:?} took {elapsed:?}"
        );
    }
    tx.rollback().unwrap();
    assert_eq!(db.count("TRUE"), 100);
}
