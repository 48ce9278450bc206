//! `list --follow`: tail -f for the outbox, against a relay's real writes.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use crate::harness::{Seed, TestDb};
use crate::{assert_exit, stderr};

/// Lines of a running command's stdout, as they come.
fn lines_of(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let (send, receive) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

fn next_json(lines: &mpsc::Receiver<String>) -> Value {
    let line = lines
        .recv_timeout(Duration::from_secs(20))
        .expect("a line within 20 s");
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

/// Failures that happen after the start are printed once each, as they happen; those
/// from before are not; Ctrl-C ends it with exit 0. Without an index on failed rows the
/// table's change counters say when to look.
#[test]
fn follow_prints_each_new_failure_once_and_ctrl_c_ends_it() {
    let db = TestDb::new().migrated();
    Seed {
        n: 5,
        status: "'failed'",
        last_error: "'old failure'",
        ..Default::default()
    }
    .insert(&mut db.client());
    Seed {
        n: 10,
        ..Default::default()
    }
    .insert(&mut db.client());
    let mut child = db
        .cmd()
        .args([
            "list",
            "--follow",
            "--status",
            "failed",
            "--interval",
            "200ms",
            "--format",
            "ndjson",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    std::thread::sleep(Duration::from_millis(800));
    // The relay's failure mark, twice, on different rows.
    for error in [
        "dial tcp 10.0.0.7:9092: connect: connection refused",
        "second",
    ] {
        db.client()
            .execute(
                "UPDATE outbox_messages SET status = 'failed', last_error = $1, retries = retries + 1
                  WHERE id = (SELECT id FROM outbox_messages WHERE status = 'pending' ORDER BY created_at LIMIT 1)",
                &[&error],
            )
            .unwrap();
        let row = next_json(&lines);
        assert_eq!(row["status"], "failed", "{row}");
        assert_eq!(row["last_error"], error, "{row}");
        crate::schemas::assert_valid("message.schema.json", "list --follow", &row);
    }
    // An update that leaves a row outside the filter prints nothing.
    db.client()
        .batch_execute("UPDATE outbox_messages SET retries = 9 WHERE status = 'pending'")
        .unwrap();
    assert!(
        lines.recv_timeout(Duration::from_millis(1500)).is_err(),
        "a pending row was printed"
    );
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("2 messages came to match"),
        "{}",
        stderr(&out)
    );
}

/// With an index that serves the filter (the pending index), every poll reads only it;
/// new rows come out in the order they were created, once each.
#[test]
fn follow_pending_through_the_pending_index() {
    let db = TestDb::new().migrated();
    let mut child = db
        .cmd()
        .args([
            "list",
            "-f",
            "--status",
            "pending",
            "--interval",
            "100ms",
            "-o",
            "ndjson",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    std::thread::sleep(Duration::from_millis(500));
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (topic, key) SELECT 'orders', 'k' || g FROM generate_series(1, 3) g",
        )
        .unwrap();
    let keys: Vec<String> = (0..3)
        .map(|_| next_json(&lines)["key"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(sorted, ["k1", "k2", "k3"]);
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 0);
    // json and csv cannot stream: refused, exit 2.
    let out = db
        .cmd()
        .args(["list", "--follow", "-o", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
}

/// In a real terminal (tmux): the line of a new failure appears as it happens, with its
/// error escaped, and Ctrl-C ends the follow with exit 0.
#[test]
fn follow_in_a_terminal_shows_failures_and_ctrl_c_ends_it() {
    let db = TestDb::new().migrated();
    Seed {
        n: 3,
        ..Default::default()
    }
    .insert(&mut db.client());
    let socket = format!("outboxctl-follow-{}", std::process::id());
    let binary = assert_cmd::cargo::cargo_bin("outboxctl");
    let command = format!(
        "trap true INT; env DATABASE_URL='{}' NO_COLOR=1 '{}' list --follow --status failed --interval 200ms; printf '__EXIT_%s__' $?; sleep 60",
        db.url(),
        binary.display()
    );
    let tmux = |args: &[&str]| {
        std::process::Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null"])
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("tmux is installed (scripts/test installs it)")
    };
    assert!(
        tmux(&[
            "new-session",
            "-d",
            "-x",
            "160",
            "-y",
            "30",
            "sh",
            "-c",
            &command
        ])
        .status
        .success()
    );
    let screen =
        || String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", "0"]).stdout).into_owned();
    let until = |what: &str, seen: &dyn Fn(&str) -> bool| {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let now = screen();
            if seen(&now) {
                return now;
            }
            assert!(std::time::Instant::now() < deadline, "never {what}:\n{now}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    until("started", &|s| s.contains("Ctrl-C ends"));
    db.client()
        .batch_execute(
            "UPDATE outbox_messages SET status = 'failed', last_error = E'broker gone \\x1b]0;owned\\x07'
              WHERE id = (SELECT id FROM outbox_messages ORDER BY created_at LIMIT 1)",
        )
        .unwrap();
    let shown = until("the failure", &|s| s.contains("broker gone"));
    assert!(shown.contains("broker gone \\x1b]0;owned\\x07"), "{shown}");
    tmux(&["send-keys", "-t", "0", "C-c"]);
    let ended = until("the exit", &|s| s.contains("__EXIT_"));
    let _ = tmux(&["kill-server"]);
    assert!(ended.contains("__EXIT_0__"), "{ended}");
    assert!(ended.contains("1 message came to match"), "{ended}");
}

/// A failure written inside a savepoint (a subtransaction: PL/pgSQL exception blocks,
/// ORMs) and committed after a later failure is still printed, once; a lost connection
/// is opened again and nothing committed meanwhile is missed.
#[test]
fn follow_sees_late_subtransactions_and_survives_a_lost_connection() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (topic, key) VALUES ('t', 'a'), ('t', 'b'), ('t', 'c')",
        )
        .unwrap();
    let mut child = db
        .cmd()
        .args([
            "list",
            "-f",
            "--status",
            "failed",
            "--interval",
            "200ms",
            "-o",
            "ndjson",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    std::thread::sleep(Duration::from_millis(600));
    let fail = |client: &mut postgres::Client, key: &str| {
        client
            .execute(
                "UPDATE outbox_messages SET status = 'failed', last_error = 'x' WHERE key = $1",
                &[&key],
            )
            .unwrap();
    };
    let mut late = db.client();
    late.batch_execute("BEGIN; SAVEPOINT s").unwrap();
    fail(&mut late, "a");
    late.batch_execute("RELEASE SAVEPOINT s").unwrap();
    fail(&mut db.client(), "b");
    assert_eq!(next_json(&lines)["key"], "b");
    std::thread::sleep(Duration::from_millis(600));
    late.batch_execute("COMMIT").unwrap();
    assert_eq!(next_json(&lines)["key"], "a");

    // The server ends the follow's connection (a restart, a failover).
    let ended: i64 = db
        .client()
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(ended >= 1);
    fail(&mut db.client(), "c");
    assert_eq!(next_json(&lines)["key"], "c");
    assert!(
        lines.recv_timeout(Duration::from_millis(800)).is_err(),
        "a row was printed twice"
    );
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("reconnected"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("3 messages came to match"),
        "{}",
        stderr(&out)
    );
}
