//! Ctrl-C, SIGTERM and SIGHUP during a change: the first stops after the batch in
//! flight, the second abandons it, the third exits at once; every way out says exactly
//! what committed.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::harness::{Seed, TestDb, bouncer, wait_for_active_statement};
use crate::{assert_exit, json_out, stderr};

/// Item 6: the second Ctrl-C sends a cancel request and waits for the rollback; the
/// summary says exactly what committed and nothing commits after the exit.
#[test]
fn a_second_ctrl_c_cancels_the_batch_in_flight() {
    let db = TestDb::new().migrated();
    Seed {
        n: 300_000,
        status: "'processed'",
        processed_at: "now() - interval '10 days'",
        ..Default::default()
    }
    .insert(&mut db.client());
    // One batch takes the whole table; a lock held by another session keeps it waiting,
    // so the cancel certainly finds it in flight.
    let out = purge_signalled_twice(&db, db.cmd());
    assert_exit(&out, 130);
    let summary = json_out(&out);
    assert_eq!(summary["changed"], 0, "{summary}");
    assert_eq!(summary["interrupted"], true);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        db.count("TRUE"),
        300_000,
        "a batch committed after the exit"
    );
    assert!(
        stderr(&out).contains("abandoning the batch in flight"),
        "{}",
        stderr(&out)
    );
}

/// Item 20: SIGTERM is named as such.
#[test]
fn sigterm_is_named_in_the_messages() {
    let db = TestDb::new().migrated();
    Seed {
        n: 60_000,
        status: "'processed'",
        processed_at: "now() - interval '10 days'",
        ..Default::default()
    }
    .insert(&mut db.client());
    let child = db
        .cmd()
        .args([
            "purge",
            "--before",
            "1d",
            "--batch-size",
            "20",
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while db.count("TRUE") == 60_000 {
        std::thread::sleep(Duration::from_millis(20));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 130);
    let err = stderr(&out);
    assert!(
        err.contains("SIGTERM received") && !err.contains("Ctrl-C"),
        "{err}"
    );
    let summary = json_out(&out);
    assert_eq!(
        db.count("TRUE"),
        60_000 - summary["changed"].as_i64().unwrap()
    );
}

/// Runs a one-batch purge (`cmd`, already pointed at the database) whose DELETE waits on
/// a row lock, and sends it SIGINT twice while the batch is in flight.
fn purge_signalled_twice(db: &TestDb, mut cmd: Command) -> std::process::Output {
    let mut blocker = db.client();
    blocker
        .batch_execute("BEGIN; SELECT * FROM outbox_messages WHERE key = 'key-7' FOR UPDATE")
        .unwrap();
    let child = cmd
        .args([
            "purge",
            "--before",
            "1d",
            "--batch-size",
            "1000000",
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_active_statement(db, "%DELETE%");
    let pid = child.id() as i32;
    unsafe { libc::kill(pid, libc::SIGINT) };
    std::thread::sleep(Duration::from_millis(200));
    unsafe { libc::kill(pid, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    blocker.batch_execute("ROLLBACK").unwrap();
    out
}

/// Items 6 and 16 together: through PgBouncer in transaction mode, the second Ctrl-C
/// still ends the batch in flight without committing it, the summary is exact, and the
/// pooler lives on.
#[test]
fn a_second_ctrl_c_through_pgbouncer_abandons_the_batch_and_spares_the_pooler() {
    let db = TestDb::new().migrated();
    Seed {
        n: 50_000,
        status: "'processed'",
        processed_at: "now() - interval '10 days'",
        ..Default::default()
    }
    .insert(&mut db.client());
    let url = bouncer().url_for(db.server, &db.name);
    let mut through_bouncer = crate::harness::bare_cmd();
    through_bouncer.env("DATABASE_URL", &url);
    let out = purge_signalled_twice(&db, through_bouncer);
    assert_exit(&out, 130);
    assert_eq!(json_out(&out)["changed"], 0, "{}", stderr(&out));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(db.count("TRUE"), 50_000, "the abandoned batch committed");
    // The pooler is still there and still serves.
    let out = crate::harness::bare_cmd()
        .env("DATABASE_URL", &url)
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
}

/// A third signal while a COMMIT hangs ends the process at once, still with the account
/// in the summary's own shape (ARCHITECTURE.md §5: add fields, never rename).
#[test]
fn a_third_signal_exits_at_once_with_the_account() {
    let db = TestDb::new().migrated();
    Seed {
        n: 400,
        status: "'processed'",
        processed_at: "now() - interval '10 days'",
        ..Default::default()
    }
    .insert(&mut db.client());
    // Every COMMIT takes three seconds: a deferred constraint trigger sleeps.
    db.client()
        .batch_execute(
            "CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_catalog.pg_sleep(3); RETURN NULL; END $$;
             CREATE CONSTRAINT TRIGGER slow_commit AFTER DELETE ON outbox_messages DEFERRABLE INITIALLY DEFERRED
               FOR EACH ROW WHEN (OLD.key = 'key-1') EXECUTE FUNCTION slow_commit();",
        )
        .unwrap();
    let child = db
        .cmd()
        .args([
            "purge",
            "--before",
            "1d",
            "--batch-size",
            "1000",
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_active_statement(&db, "COMMIT%");
    let pid = child.id() as i32;
    for _ in 0..3 {
        unsafe { libc::kill(pid, libc::SIGINT) };
        std::thread::sleep(Duration::from_millis(200));
    }
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 130);
    let summary = json_out(&out);
    for key in [
        "matched",
        "changed",
        "skipped",
        "batches",
        "dry_run",
        "interrupted",
        "in_doubt",
    ] {
        assert!(summary.get(key).is_some(), "{key} missing: {summary}");
    }
    assert_eq!(summary["in_doubt"], 1000, "{summary}");
    crate::schemas::assert_valid(
        "mutation-summary.schema.json",
        "the third signal's account",
        &summary,
    );
    assert!(
        stderr(&out).contains("may still commit"),
        "{}",
        stderr(&out)
    );
}
