//! `outboxctl doctor`: every condition created for real on a real server, named by the
//! check that must find it, then fixed and seen to return to `ok`.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{
    OwnCluster, TestDb, bare_cmd, has_dead_rows, holds_snapshot_longer_than,
    waits_for_a_lock_longer_than,
};
use crate::{assert_exit, assert_one_line_error, json_out, stderr, stdout};

/// Runs the doctor with `args` in JSON and returns the whole report.
fn doctor_json(cmd: Command, args: &[&str]) -> (Output, Value) {
    let out = with_deadline(cmd, &[&["doctor", "--format", "json"], args].concat());
    let json = json_out(&out);
    (out, json)
}

/// Runs the binary and fails the test if it has not exited within 60 s: the doctor must
/// never hang on a lock or a silent server.
fn with_deadline(mut cmd: Command, args: &[&str]) -> Output {
    let child = cmd
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (done, wait) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let out = child.wait_with_output().unwrap();
        let _ = done.send(());
        out
    });
    if wait.recv_timeout(Duration::from_secs(60)).is_err() {
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        panic!("outboxctl {args:?} did not finish within 60 s");
    }
    waiter.join().unwrap()
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {report:#}"))
}

fn status(report: &Value, id: &str) -> String {
    check(report, id)["status"].as_str().unwrap().to_string()
}

fn fixes(report: &Value, id: &str) -> String {
    check(report, id)["fix"].to_string()
}

fn backend_pid(client: &mut postgres::Client) -> i32 {
    client
        .query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0)
}

const ALL_IDS: [&str; 17] = [
    "xmin-sessions",
    "xmin-slots",
    "xmin-standbys",
    "prepared-xacts",
    "dead-rows",
    "autovacuum",
    "bloat",
    "indexes",
    "stale-stats",
    "wraparound",
    "locks",
    "backlog",
    "partitions",
    "schema",
    "connections",
    "guard-rails",
    "claim-cost",
];

#[test]
fn a_healthy_outbox_passes_and_the_json_has_the_documented_shape() {
    let db = TestDb::new().migrated();
    let (out, report) = doctor_json(db.cmd(), &[]);
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ALL_IDS, "every check, in the documented order");
    for c in report["checks"].as_array().unwrap() {
        for key in ["id", "title", "status", "summary", "details", "fix"] {
            assert!(c.get(key).is_some(), "{key} missing in {c}");
        }
    }
    assert_eq!(report["database"], db.name);
    assert!(report["server_version"].as_str().unwrap().len() > 2);
    // What the test controls is healthy; server-wide settings are the server's.
    for id in [
        "xmin-sessions",
        "prepared-xacts",
        "dead-rows",
        "bloat",
        "indexes",
        "wraparound",
        "locks",
        "backlog",
        "partitions",
        "schema",
        "stale-stats",
    ] {
        assert_eq!(status(&report, id), "ok", "{id}: {report:#}");
    }
    // Both tables are read (a regression once left wraparound with nothing to read).
    let wrap = &check(&report, "wraparound")["details"];
    assert_eq!(wrap.as_array().unwrap().len(), 2, "{wrap:#}");
    assert!(wrap[0]["xid_age"].as_i64().unwrap() > 0, "{wrap:#}");
    let (_, strict) = doctor_json(
        db.cmd(),
        &["--only", "wraparound", "--threshold", "wraparound=0"],
    );
    assert_eq!(status(&strict, "wraparound"), "warn", "{strict:#}");
    let worst = report["worst"].as_str().unwrap();
    assert_exit(&out, if worst == "ok" { 0 } else { 3 });
    // pg_stat_statements is not installed in a fresh database.
    assert_eq!(status(&report, "claim-cost"), "skipped");
    assert!(
        check(&report, "claim-cost")["summary"]
            .as_str()
            .unwrap()
            .contains("pg_stat_statements")
    );

    // The human form: one line per check, then the tally.
    let out = db
        .cmd()
        .args(["doctor", "--only", "indexes,schema,locks"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.starts_with("doctor: "), "{text}");
    assert!(text.contains(&db.name), "names the target: {text}");
    assert!(text.contains("\nok    indexes "), "{text}");
    assert!(
        text.contains("3 checks: 3 ok, 0 warn, 0 fail, 0 skipped"),
        "{text}"
    );
}

#[test]
fn sessions_holding_the_horizon_are_named_then_clear() {
    let db = TestDb::new().migrated();
    // An idle-in-transaction session whose snapshot holds the horizon, under a hostile
    // application_name, and a long REPEATABLE READ statement that is still running.
    let mut idle = db.client();
    let idle_pid = backend_pid(&mut idle);
    for sql in [
        "SET application_name = 'stuck-worker'",
        "BEGIN ISOLATION LEVEL REPEATABLE READ",
        "SELECT count(*), '\x1b]0;pwned\x07' FROM outbox_messages",
    ] {
        idle.batch_execute(sql).unwrap();
    }
    let mut busy = db.client();
    let busy_pid = backend_pid(&mut busy);
    let sleeper = std::thread::spawn(move || {
        let _ = busy
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT pg_sleep(60); COMMIT");
    });
    db.wait_until(
        "both sessions to hold their snapshots for over 1s",
        &format!(
            "{} AND {}",
            holds_snapshot_longer_than(idle_pid, 1.1),
            holds_snapshot_longer_than(busy_pid, 1.1)
        ),
    );

    let (out, report) = doctor_json(
        db.cmd(),
        &["--only", "xmin-sessions", "--threshold", "xmin-sessions=1s"],
    );
    assert_exit(&out, 3);
    assert_eq!(report["worst"], "warn");
    let found = check(&report, "xmin-sessions");
    assert_eq!(found["status"], "warn", "{found:#}");
    let details = found["details"].as_array().unwrap();
    let idle_row = details
        .iter()
        .find(|d| d["pid"] == idle_pid)
        .unwrap_or_else(|| panic!("idle session {idle_pid} not named: {found:#}"));
    assert_eq!(idle_row["state"], "idle in transaction");
    assert_eq!(idle_row["application_name"], "stuck-worker");
    assert!(idle_row["age_seconds"].as_i64().unwrap() >= 1);
    // Machine output keeps another session's text exact.
    let query = idle_row["query"].as_str().unwrap();
    assert!(
        query.contains("count(*)") && query.contains("'\x1b]0;pwned\x07'"),
        "{query}"
    );
    let busy_row = details
        .iter()
        .find(|d| d["pid"] == busy_pid)
        .unwrap_or_else(|| panic!("running transaction {busy_pid} not named: {found:#}"));
    assert_eq!(busy_row["state"], "active");
    let fix = fixes(&report, "xmin-sessions");
    assert!(
        fix.contains(&format!("pg_terminate_backend({idle_pid})")),
        "{fix}"
    );
    assert!(fix.contains("idle_in_transaction_session_timeout"), "{fix}");

    // Human output escapes what another session wrote; it never reaches the terminal raw.
    let out = db
        .cmd()
        .args([
            "doctor",
            "--only",
            "xmin-sessions",
            "--threshold",
            "xmin-sessions=1s",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 3);
    let text = stdout(&out);
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
    assert!(text.contains("stuck-worker"), "{text}");
    assert!(text.contains("\\x1b]0;pwned\\x07"), "{text}");
    assert!(text.contains(&format!("pid {idle_pid}")), "{text}");
    assert!(stderr(&out).contains("1 check warns"), "{}", stderr(&out));

    // Fixed: the idle one commits, the running one is cancelled.
    idle.batch_execute("COMMIT").unwrap();
    db.client()
        .execute("SELECT pg_cancel_backend($1)", &[&busy_pid])
        .unwrap();
    sleeper.join().unwrap();
    let (out, report) = doctor_json(
        db.cmd(),
        &["--only", "xmin-sessions", "--threshold", "xmin-sessions=1s"],
    );
    assert_exit(&out, 0);
    assert_eq!(status(&report, "xmin-sessions"), "ok", "{report:#}");
}

/// Slots, prepared transactions and pg_stat_statements need server settings of their
/// own: a private cluster with logical WAL, prepared transactions and the extension
/// preloaded.
#[test]
fn slots_prepared_transactions_and_the_claim_cost_on_a_cluster_of_its_own() {
    let own = OwnCluster::start_with(&[
        "wal_level=logical",
        "max_prepared_transactions=5",
        "shared_preload_libraries=pg_stat_statements",
        "max_replication_slots=5",
    ]);
    own.client("postgres")
        .batch_execute("CREATE DATABASE doctor")
        .unwrap();
    let url = own.url("doctor");
    let cmd = || {
        let mut c = bare_cmd();
        c.env("DATABASE_URL", &url);
        c
    };
    assert_exit(&cmd().arg("migrate").output().unwrap(), 0);
    let mut admin = own.client("doctor");

    // Replication slots: a logical one (catalog_xmin) and a physical one holding WAL,
    // neither with a consumer.
    admin
        .batch_execute(
            "SELECT pg_create_logical_replication_slot('doctor_logical', 'test_decoding');
             SELECT pg_create_physical_replication_slot('doctor_physical', true);",
        )
        .unwrap();
    let (out, report) = doctor_json(cmd(), &["--only", "xmin-slots"]);
    assert_exit(&out, 3);
    let slots = check(&report, "xmin-slots");
    assert_eq!(slots["status"], "warn", "{slots:#}");
    let summary = slots["summary"].as_str().unwrap();
    assert!(
        summary.contains("doctor_logical") && summary.contains("doctor_physical"),
        "{summary}"
    );
    let logical = slots["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["slot_name"] == "doctor_logical")
        .unwrap();
    assert_eq!(logical["active"], false);
    assert!(logical["catalog_xmin_age"].is_i64(), "{logical}");
    assert!(logical["retained_wal_bytes"].is_i64(), "{logical}");
    let fix = fixes(&report, "xmin-slots");
    assert!(
        fix.contains("pg_drop_replication_slot('doctor_logical')"),
        "{fix}"
    );
    // WAL the physical slot holds, with no max_slot_wal_keep_size to stop it.
    admin
        .batch_execute(
            "CREATE TABLE wal_filler AS SELECT g, md5(g::text) FROM generate_series(1, 20000) g;
             SELECT pg_switch_wal();",
        )
        .unwrap();
    let (_, report) = doctor_json(
        cmd(),
        &["--only", "xmin-slots", "--threshold", "xmin-slots=64kB"],
    );
    let slots = check(&report, "xmin-slots");
    assert!(
        slots["summary"]
            .as_str()
            .unwrap()
            .contains("no max_slot_wal_keep_size"),
        "{slots:#}"
    );
    assert!(
        fixes(&report, "xmin-slots").contains("ALTER SYSTEM SET max_slot_wal_keep_size"),
        "{slots:#}"
    );
    admin
        .batch_execute(
            "SELECT pg_drop_replication_slot('doctor_logical');
             SELECT pg_drop_replication_slot('doctor_physical');",
        )
        .unwrap();
    let (out, report) = doctor_json(cmd(), &["--only", "xmin-slots"]);
    assert_exit(&out, 0);
    assert_eq!(
        check(&report, "xmin-slots")["summary"],
        "no replication slots"
    );

    // A prepared transaction its coordinator forgot.
    admin
        .batch_execute(
            "BEGIN; INSERT INTO outbox_messages (topic) VALUES ('orders');
             PREPARE TRANSACTION 'doctor''s gid';",
        )
        .unwrap();
    crate::harness::wait_until(
        &mut admin,
        "the prepared transaction to be over 1s old",
        "(SELECT bool_and(clock_timestamp() - prepared > interval '1.1 s') FROM pg_prepared_xacts WHERE gid = 'doctor''s gid')",
    );
    let (out, report) = doctor_json(
        cmd(),
        &[
            "--only",
            "prepared-xacts",
            "--threshold",
            "prepared-xacts=1s",
        ],
    );
    assert_exit(&out, 3);
    let prepared = check(&report, "prepared-xacts");
    assert_eq!(prepared["status"], "warn", "{prepared:#}");
    assert_eq!(prepared["details"][0]["gid"], "doctor's gid");
    assert!(fixes(&report, "prepared-xacts").contains("ROLLBACK PREPARED 'doctor''s gid'"));
    admin
        .batch_execute("ROLLBACK PREPARED 'doctor''s gid'")
        .unwrap();
    let (out, report) = doctor_json(
        cmd(),
        &[
            "--only",
            "prepared-xacts",
            "--threshold",
            "prepared-xacts=1s",
        ],
    );
    assert_exit(&out, 0);
    assert_eq!(status(&report, "prepared-xacts"), "ok");

    // The library's claim statement, as pg_stat_statements records it.
    admin
        .batch_execute(
            "CREATE EXTENSION pg_stat_statements;
             INSERT INTO outbox_messages (topic) SELECT 'orders' FROM generate_series(1, 20);",
        )
        .unwrap();
    for _ in 0..5 {
        admin
            .query(
                "UPDATE outbox_messages SET status = 'processing'
                  WHERE id IN (SELECT id FROM outbox_messages WHERE status = 'pending'
                                ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT $1)
                  RETURNING id",
                &[&2i64],
            )
            .unwrap();
    }
    let (out, report) = doctor_json(cmd(), &["--only", "claim-cost"]);
    assert_exit(&out, 0);
    let cost = check(&report, "claim-cost");
    assert_eq!(cost["status"], "ok", "{cost:#}");
    assert_eq!(cost["details"][0]["calls"], 5);
    assert_eq!(cost["details"][0]["rows"], 10);
    // Any claim is slower than no time at all.
    let (out, report) = doctor_json(
        cmd(),
        &["--only", "claim-cost", "--threshold", "claim-cost=0s"],
    );
    assert_exit(&out, 3);
    assert_eq!(status(&report, "claim-cost"), "warn");
}

#[test]
fn dead_rows_are_tied_to_the_horizon_that_keeps_them() {
    let db = TestDb::new().migrated();
    let mut client = db.client();
    client
        .batch_execute(
            "ALTER TABLE outbox_messages SET (autovacuum_enabled = false);
             INSERT INTO outbox_messages (topic) SELECT 'orders' FROM generate_series(1, 20000);",
        )
        .unwrap();
    // A reader whose snapshot predates the update: VACUUM must keep every old version.
    let mut reader = db.client();
    reader
        .batch_execute(
            "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM outbox_messages;",
        )
        .unwrap();
    client
        .batch_execute("UPDATE outbox_messages SET status = 'processed', processed_at = now()")
        .unwrap();
    client.batch_execute("VACUUM outbox_messages").unwrap();
    drop(client);
    db.wait_until(
        "the reader's snapshot to be over 1s old, and the dead rows counted",
        &format!(
            "EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL AND clock_timestamp() - xact_start > interval '1.1 s') AND {}",
            has_dead_rows("outbox_messages")
        ),
    );
    let args = [
        "--only",
        "xmin-sessions,dead-rows",
        "--threshold",
        "xmin-sessions=1s",
    ];
    let (out, report) = doctor_json(db.cmd(), &args);
    assert_exit(&out, 3);
    assert_eq!(status(&report, "xmin-sessions"), "warn");
    let dead = check(&report, "dead-rows");
    assert_eq!(dead["status"], "warn", "{dead:#}");
    let summary = dead["summary"].as_str().unwrap();
    assert!(
        summary.contains("the xmin horizon is held (see xmin-sessions)"),
        "{summary}"
    );
    let outbox = &dead["details"][0];
    assert_eq!(outbox["table"], "outbox_messages");
    assert!(outbox["dead_rows"].as_i64().unwrap() >= 20000, "{outbox}");
    assert_eq!(outbox["autovacuum_enabled"], false);
    let fix = fixes(&report, "dead-rows");
    assert!(fix.contains("RESET (autovacuum_enabled)"), "{fix}");
    assert!(fix.contains("VACUUM (VERBOSE, ANALYZE)"), "{fix}");

    // The autovacuum check sees the table switched off and prints the settings to apply.
    let (_, report) = doctor_json(db.cmd(), &["--only", "autovacuum"]);
    let av = check(&report, "autovacuum");
    assert_ne!(av["status"], "ok", "{av:#}");
    assert!(fixes(&report, "autovacuum").contains("autovacuum_vacuum_scale_factor = 0"));

    // Fixed: the reader ends, VACUUM removes the dead versions.
    reader.batch_execute("COMMIT").unwrap();
    db.client()
        .batch_execute(
            "ALTER TABLE outbox_messages RESET (autovacuum_enabled);
             ALTER TABLE outbox_messages SET (autovacuum_vacuum_scale_factor = 0,
                 autovacuum_vacuum_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0,
                 autovacuum_vacuum_insert_threshold = 10000, autovacuum_analyze_scale_factor = 0.02,
                 autovacuum_vacuum_cost_delay = 1);",
        )
        .unwrap();
    db.client().batch_execute("VACUUM outbox_messages").unwrap();
    let (_, report) = doctor_json(db.cmd(), &args);
    assert_eq!(status(&report, "xmin-sessions"), "ok", "{report:#}");
    assert_eq!(status(&report, "dead-rows"), "ok", "{report:#}");
    let (_, report) = doctor_json(db.cmd(), &["--only", "autovacuum"]);
    let av = check(&report, "autovacuum");
    let outbox_av = av["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["table"] == "outbox_messages")
        .unwrap();
    assert_eq!(outbox_av["recommended"], serde_json::json!([]), "{av:#}");
}

#[test]
fn missing_and_invalid_indexes_are_found_and_repaired_concurrently() {
    let db = TestDb::new().migrated();
    let mut client = db.client();
    // A failed CREATE INDEX CONCURRENTLY leaves an invalid index behind.
    client
        .batch_execute(
            "INSERT INTO outbox_messages (topic, created_at)
                  SELECT 'orders', '2026-01-01' FROM generate_series(1, 3);
             DROP INDEX idx_outbox_messages_pending;",
        )
        .unwrap();
    for sql in [
        "CREATE UNIQUE INDEX CONCURRENTLY idx_outbox_messages_pending ON outbox_messages (created_at) WHERE status = 'pending'",
        "CREATE UNIQUE INDEX CONCURRENTLY outbox_topic_unique ON outbox_messages (topic)",
    ] {
        assert!(
            client.batch_execute(sql).is_err(),
            "duplicates must fail {sql}"
        );
    }
    let (out, report) = doctor_json(db.cmd(), &["--only", "indexes,backlog"]);
    assert_exit(&out, 3);
    let found = check(&report, "indexes");
    assert_eq!(found["status"], "fail", "{found:#}");
    let summary = found["summary"].as_str().unwrap();
    assert!(
        summary.contains("idx_outbox_messages_pending is invalid"),
        "{summary}"
    );
    assert!(
        summary.contains("outbox_topic_unique is invalid"),
        "{summary}"
    );
    let fix = fixes(&report, "indexes");
    assert!(
        fix.contains(
            "DROP INDEX CONCURRENTLY IF EXISTS \\\"public\\\".\\\"idx_outbox_messages_pending\\\""
        ),
        "{fix}"
    );
    assert!(fix.contains("outboxctl migrate --repair"), "{fix}");
    // Without the index the backlog is not counted (that would scan the table).
    assert!(
        check(&report, "backlog")["summary"]
            .as_str()
            .unwrap()
            .contains("pending index is missing or invalid")
    );

    // --repair shows its plan and changes nothing without --yes (no terminal here).
    let out = db.cmd().args(["migrate", "--repair"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("would run 2 statements"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("nothing changed"), "{}", stderr(&out));
    let valid = |client: &mut postgres::Client| -> Option<bool> {
        client
            .query_opt(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = 'idx_outbox_messages_pending'::regclass",
                &[],
            )
            .unwrap()
            .map(|r| r.get(0))
    };
    assert_eq!(valid(&mut client), Some(false));

    let out = db
        .cmd()
        .args(["migrate", "--repair", "--yes", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let plan = json_out(&out);
    assert_eq!(plan["dry_run"], false);
    assert_eq!(plan["steps"].as_array().unwrap().len(), 2);
    assert_eq!(valid(&mut client), Some(true));
    // The rebuilt index is the contract's, so check is satisfied; the other invalid
    // index is not the contract's, so --repair leaves it for a person to decide.
    assert_exit(&db.cmd().arg("check").output().unwrap(), 0);
    let (_, report) = doctor_json(db.cmd(), &["--only", "indexes"]);
    let found = check(&report, "indexes");
    assert_eq!(found["status"], "warn", "{found:#}");
    assert!(
        found["summary"]
            .as_str()
            .unwrap()
            .contains("outbox_topic_unique")
    );
    client
        .batch_execute("DROP INDEX outbox_topic_unique")
        .unwrap();
    let (out, report) = doctor_json(db.cmd(), &["--only", "indexes,schema"]);
    assert_exit(&out, 0);
    assert_eq!(status(&report, "indexes"), "ok");

    // Missing outright: --repair builds it; run again, nothing is left to do.
    client
        .batch_execute("DROP INDEX idx_outbox_messages_pending")
        .unwrap();
    let (_, report) = doctor_json(db.cmd(), &["--only", "indexes,schema"]);
    assert_eq!(status(&report, "indexes"), "fail");
    assert_eq!(status(&report, "schema"), "warn");
    assert_exit(
        &db.cmd()
            .args(["migrate", "--repair", "--yes"])
            .output()
            .unwrap(),
        0,
    );
    let out = db
        .cmd()
        .args(["migrate", "--repair", "--yes"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("nothing to repair"),
        "{}",
        stdout(&out)
    );
    let (out, _) = doctor_json(db.cmd(), &["--only", "indexes,schema"]);
    assert_exit(&out, 0);
}

#[test]
fn a_held_lock_is_reported_and_does_not_stop_the_doctor() {
    let db = TestDb::new().migrated();
    let mut holder = db.client();
    holder
        .batch_execute(
            "SET application_name = 'bad-migration';
             BEGIN; LOCK TABLE outbox_messages IN ACCESS EXCLUSIVE MODE;",
        )
        .unwrap();
    let holder_pid = backend_pid(&mut holder);
    let mut waiter = db.client();
    let waiter_pid = backend_pid(&mut waiter);
    let blocked = std::thread::spawn(move || {
        waiter
            .query_one("SELECT count(*) FROM outbox_messages", &[])
            .map(|r| r.get::<_, i64>(0))
    });
    db.wait_until(
        "the reader to wait for the lock for over 1s",
        &waits_for_a_lock_longer_than(waiter_pid, 1.1),
    );

    // Every check, while a session holds ACCESS EXCLUSIVE on the outbox table.
    let started = Instant::now();
    let (out, report) = doctor_json(db.cmd(), &["--threshold", "locks=1s"]);
    let took = started.elapsed();
    assert_exit(&out, 3);
    let locks = check(&report, "locks");
    assert_eq!(locks["status"], "warn", "{locks:#}");
    let details = locks["details"].as_array().unwrap();
    let held = details
        .iter()
        .find(|d| d["granted"] == true)
        .unwrap_or_else(|| panic!("holder not named: {locks:#}"));
    assert_eq!(held["pid"], holder_pid);
    assert_eq!(held["mode"], "AccessExclusiveLock");
    assert_eq!(held["application_name"], "bad-migration");
    let waiting = details
        .iter()
        .find(|d| d["pid"] == waiter_pid)
        .unwrap_or_else(|| panic!("waiter not named: {locks:#}"));
    assert_eq!(waiting["granted"], false);
    assert_eq!(waiting["blocked_by"], serde_json::json!([holder_pid]));
    assert!(fixes(&report, "locks").contains(&format!("pg_cancel_backend({holder_pid})")));
    // What needed the table is skipped with the reason, the rest still ran.
    assert_eq!(
        status(&report, "indexes"),
        "ok",
        "catalog reads take no lock"
    );
    eprintln!("doctor under an ACCESS EXCLUSIVE lock took {took:?}");

    holder.batch_execute("ROLLBACK").unwrap();
    assert_eq!(blocked.join().unwrap().unwrap(), 0);
    let (out, report) = doctor_json(db.cmd(), &["--only", "locks"]);
    assert_exit(&out, 0);
    assert_eq!(status(&report, "locks"), "ok");
}

#[test]
fn a_stalled_backlog_and_rows_left_in_processing_are_told_apart_from_a_slow_relay() {
    let db = TestDb::new().migrated();
    let mut client = db.client();
    client
        .batch_execute(
            "INSERT INTO outbox_messages (topic, status, created_at)
                  SELECT 'orders', 'pending', now() - interval '1 hour' + n * interval '1 ms'
                    FROM generate_series(1, 300) AS n;
             INSERT INTO outbox_messages (topic, status, created_at)
                  SELECT 'orders', 'processing', now() - interval '2 hours'
                    FROM generate_series(1, 4);",
        )
        .unwrap();
    // No relay at all.
    let args = ["--only", "backlog", "--sample", "1500ms"];
    let (out, report) = doctor_json(db.cmd(), &args);
    assert_exit(&out, 3);
    let backlog = check(&report, "backlog");
    assert_eq!(backlog["status"], "fail", "{backlog:#}");
    let summary = backlog["summary"].as_str().unwrap();
    assert!(summary.contains("the relay looks stopped"), "{summary}");
    assert!(summary.contains("4 in processing"), "{summary}");
    assert_eq!(backlog["details"][0]["pending"], 300);
    assert_eq!(backlog["details"][1]["stuck_processing"], 4);
    assert!(fixes(&report, "backlog").contains("outboxctl requeue --stuck --before 15m"));

    // A relay that claims slowly is behind, not stopped.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let relay_stop = stop.clone();
    let mut relay = db.client();
    let relay = std::thread::spawn(move || {
        while !relay_stop.load(std::sync::atomic::Ordering::Relaxed) {
            relay
                .batch_execute(
                    "UPDATE outbox_messages SET status = 'processed', processed_at = now()
                      WHERE id IN (SELECT id FROM outbox_messages WHERE status = 'pending'
                                    ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1)",
                )
                .unwrap();
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let (_, report) = doctor_json(db.cmd(), &args);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    relay.join().unwrap();
    let backlog = check(&report, "backlog");
    assert_eq!(backlog["status"], "warn", "{backlog:#}");
    assert!(
        backlog["summary"]
            .as_str()
            .unwrap()
            .contains("the relay is working"),
        "{backlog:#}"
    );

    // Fixed: the stuck rows are requeued and the backlog delivered.
    assert_exit(
        &db.cmd()
            .args(["requeue", "--stuck", "--before", "15m", "--yes"])
            .output()
            .unwrap(),
        0,
    );
    client
        .batch_execute("UPDATE outbox_messages SET status = 'processed', processed_at = now()")
        .unwrap();
    let (out, report) = doctor_json(db.cmd(), &args);
    assert_exit(&out, 0);
    assert_eq!(status(&report, "backlog"), "ok", "{report:#}");
}

#[test]
fn a_role_without_pg_monitor_gets_what_it_can_see_and_is_told_what_to_grant() {
    let db = TestDb::new().migrated();
    let role = format!("plain_{}", db.name);
    let mut admin = db.client();
    admin
        .batch_execute(&format!(
            "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN;
             GRANT SELECT ON outbox_messages, processed_messages TO {role};"
        ))
        .unwrap();
    // The admin's idle transaction is invisible in detail to the plain role.
    let mut idle = db.client();
    let idle_pid = backend_pid(&mut idle);
    idle.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1;")
        .unwrap();
    db.wait_until(
        "the idle transaction's snapshot to be over 1s old",
        &holds_snapshot_longer_than(idle_pid, 1.1),
    );
    let url = db.url_as(&role);
    let mut cmd = bare_cmd();
    cmd.env("DATABASE_URL", &url);
    let (out, report) = doctor_json(cmd, &["--threshold", "xmin-sessions=1s"]);
    assert!(
        matches!(out.status.code(), Some(0) | Some(3)),
        "{}",
        stderr(&out)
    );
    assert_eq!(report["sees_all_sessions"], false);
    assert_eq!(report["role"], role);
    let sessions = check(&report, "xmin-sessions");
    let summary = sessions["summary"].as_str().unwrap();
    assert!(summary.contains("could not be seen"), "{summary}");
    assert!(
        summary.contains(&format!("pg_read_all_stats (or pg_monitor) to {role}")),
        "{summary}"
    );
    assert!(fixes(&report, "xmin-sessions").contains("GRANT pg_read_all_stats TO"));
    // The snapshot it holds is visible even when its age and query are not.
    let hidden = sessions["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["pid"] == idle_pid)
        .unwrap_or_else(|| panic!("hidden holder {idle_pid} not listed: {sessions:#}"));
    assert_eq!(hidden["hidden"], true);
    assert_eq!(hidden["holds_xmin"], true);
    // Everything else still ran.
    for id in ["indexes", "schema", "backlog", "locks", "dead-rows"] {
        assert_ne!(status(&report, id), "skipped", "{id}: {report:#}");
    }

    // Granted, the same role sees and names the session.
    admin
        .batch_execute(&format!("GRANT pg_monitor TO {role}"))
        .unwrap();
    let mut cmd = bare_cmd();
    cmd.env("DATABASE_URL", &url);
    let (_, report) = doctor_json(
        cmd,
        &["--only", "xmin-sessions", "--threshold", "xmin-sessions=1s"],
    );
    assert_eq!(report["sees_all_sessions"], true);
    assert_eq!(status(&report, "xmin-sessions"), "warn", "{report:#}");
    idle.batch_execute("COMMIT").unwrap();
    drop(idle);
    admin
        .batch_execute(&format!(
            "DROP OWNED BY {role}; REVOKE pg_monitor FROM {role};"
        ))
        .unwrap();
    drop(admin);
    // The role is dropped from outside the database it owns privileges in.
    let _ = db
        .server
        .admin_client()
        .batch_execute(&format!("DROP ROLE IF EXISTS {role}"));
}

#[test]
fn bad_doctor_arguments_are_usage_errors_and_list_needs_no_server() {
    for (args, names) in [
        (vec!["doctor", "--threshold", "nope=1"], "nope"),
        (vec!["doctor", "--threshold", "dead-rows=-0.5"], "ratio"),
        (vec!["doctor", "--threshold", "xmin-slots=lots"], "size"),
        (vec!["doctor", "--threshold", "locks"], "ID=VALUE"),
        (vec!["doctor", "--only", "bogus"], "bogus"),
        (
            vec!["doctor", "--only", "locks", "--skip", "schema"],
            "--skip",
        ),
        (vec!["doctor", "--format", "csv"], "csv"),
        (vec!["migrate", "--yes"], "--repair"),
    ] {
        let out = bare_cmd()
            .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
            .args(&args)
            .output()
            .unwrap();
        assert_exit(&out, 2);
        crate::assert_one_line_error(&out);
        assert!(stderr(&out).contains(names), "{args:?}: {}", stderr(&out));
    }
    let out = bare_cmd()
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .args(["doctor", "--list", "--threshold", "xmin-sessions=90s"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    for id in ALL_IDS {
        assert!(text.contains(id), "{id} missing from --list: {text}");
    }
    assert!(
        text.contains("1m30s"),
        "--list shows the value in force: {text}"
    );
    let out = bare_cmd()
        .args(["doctor", "--list", "--format", "json"])
        .output()
        .unwrap();
    let list = json_out(&out);
    assert_eq!(list.as_array().unwrap().len(), ALL_IDS.len());
    assert_eq!(list[0]["thresholds"][0]["default"], "5m");
}

/// A real streaming standby with hot_standby_feedback: a long query on it holds the
/// primary's horizon through its feedback xmin.
#[test]
fn a_standby_whose_feedback_holds_the_horizon_is_named() {
    let primary = OwnCluster::start();
    primary
        .client("postgres")
        .batch_execute("CREATE DATABASE doctor")
        .unwrap();
    let url = primary.url("doctor");
    let cmd = || {
        let mut c = bare_cmd();
        c.env("DATABASE_URL", &url);
        c
    };
    assert_exit(&cmd().arg("migrate").output().unwrap(), 0);
    let standby = primary.standby(&["hot_standby_feedback=on", "wal_receiver_status_interval=1s"]);
    // A snapshot held open on the standby; then the primary moves on.
    let mut reader = standby.client("doctor");
    reader
        .batch_execute(
            "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM outbox_messages",
        )
        .unwrap();
    let mut writer = primary.client("doctor");
    for _ in 0..20 {
        writer
            .batch_execute("INSERT INTO outbox_messages (topic) VALUES ('orders')")
            .unwrap();
    }
    // Feedback is sent every wal_receiver_status_interval (1 s here).
    let deadline = Instant::now() + Duration::from_secs(30);
    let report = loop {
        let (_, report) = doctor_json(
            cmd(),
            &["--only", "xmin-standbys", "--threshold", "xmin-standbys=5"],
        );
        if status(&report, "xmin-standbys") == "warn" || Instant::now() > deadline {
            break report;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    let found = check(&report, "xmin-standbys");
    assert_eq!(found["status"], "warn", "{found:#}");
    let detail = &found["details"][0];
    assert_eq!(detail["application_name"], "doctor_standby");
    assert!(detail["xmin_age"].as_i64().unwrap() > 5, "{detail}");
    assert!(fixes(&report, "xmin-standbys").contains("doctor_standby"));

    reader.batch_execute("COMMIT").unwrap();
    drop(reader);
    writer
        .batch_execute("INSERT INTO outbox_messages (topic) VALUES ('orders')")
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (out, report) = doctor_json(
            cmd(),
            &["--only", "xmin-standbys", "--threshold", "xmin-standbys=5"],
        );
        if status(&report, "xmin-standbys") == "ok" {
            assert_exit(&out, 0);
            break;
        }
        assert!(Instant::now() < deadline, "still held: {report:#}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// What the hostile pass found, each kept fixed.
#[test]
fn hostile_ground_views_quoting_builds_pipes_and_dropped_connections() {
    let db = TestDb::new().migrated();
    let mut admin = db.client();

    // A view named like the outbox, first on the search path: no command reads it.
    admin
        .batch_execute(&format!(
            "CREATE SCHEMA shadow;
             CREATE FUNCTION shadow.sneak() RETURNS text LANGUAGE plpgsql AS
               $$BEGIN RAISE EXCEPTION 'TRAP FIRED as %', current_user; END$$;
             CREATE VIEW shadow.outbox_messages AS SELECT *, shadow.sneak() AS s FROM public.outbox_messages;
             ALTER DATABASE {} SET search_path = shadow, public;",
            db.name
        ))
        .unwrap();
    for args in [
        vec!["doctor"],
        vec!["stats"],
        vec!["list"],
        vec!["migrate", "--repair", "--yes"],
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert_exit(&out, 1);
        crate::assert_one_line_error(&out);
        let err = stderr(&out);
        assert!(err.contains("is a view, not a table"), "{args:?}: {err}");
        assert!(!err.contains("TRAP FIRED"), "{args:?}: {err}");
    }
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {} RESET search_path; DROP SCHEMA shadow CASCADE;",
            db.name
        ))
        .unwrap();

    // Fixes: outboxctl commands point at the same tables.
    admin.batch_execute("CREATE SCHEMA ops").unwrap();
    let in_ops = || {
        let mut c = db.cmd();
        c.args(["--schema", "ops", "--table", "jobs"]);
        c
    };
    assert_exit(&in_ops().arg("migrate").output().unwrap(), 0);
    admin
        .batch_execute(
            "INSERT INTO ops.jobs (topic, status, created_at)
                  SELECT 'orders', 'processing', now() - interval '2 hours'
                    FROM generate_series(1, 3);",
        )
        .unwrap();
    let (_, report) = doctor_json(in_ops(), &["--only", "backlog"]);
    let fix = check(&report, "backlog")["fix"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        fix.starts_with("outboxctl --schema ops --table jobs requeue --stuck"),
        "{fix}"
    );

    // An index build in progress is reported, and repair leaves it alone.
    let mut holder = db.client();
    holder
        .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1")
        .unwrap();
    let mut builder = db.client();
    let builder_pid = backend_pid(&mut builder);
    let build = std::thread::spawn(move || {
        builder.batch_execute("CREATE INDEX CONCURRENTLY outbox_topic ON outbox_messages (topic)")
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let report = loop {
        let (_, report) = doctor_json(db.cmd(), &["--only", "indexes"]);
        if status(&report, "indexes") == "warn" || Instant::now() > deadline {
            break report;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let summary = check(&report, "indexes")["summary"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        summary.contains(&format!(
            "pid {builder_pid} is running CREATE INDEX CONCURRENTLY"
        )),
        "{summary}"
    );
    assert!(!fixes(&report, "indexes").contains("DROP INDEX"));
    let out = db
        .cmd()
        .args(["migrate", "--repair", "--yes"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("an index is being built"),
        "{}",
        stderr(&out)
    );
    holder.batch_execute("COMMIT").unwrap();
    build.join().unwrap().unwrap();

    // The contract's name on another definition is rebuilt.
    admin
        .batch_execute(
            "DROP INDEX outbox_topic; DROP INDEX idx_outbox_messages_pending;
             CREATE INDEX idx_outbox_messages_pending ON outbox_messages (id);",
        )
        .unwrap();
    let (_, report) = doctor_json(db.cmd(), &["--only", "indexes"]);
    assert_eq!(status(&report, "indexes"), "fail", "{report:#}");
    assert_exit(
        &db.cmd()
            .args(["migrate", "--repair", "--yes"])
            .output()
            .unwrap(),
        0,
    );
    assert_exit(&db.cmd().arg("check").output().unwrap(), 0);

    // The contract's index name taken by another table's index: repair says so instead
    // of reporting a build that IF NOT EXISTS skipped.
    admin
        .batch_execute(
            "ALTER TABLE outbox_messages RENAME TO outbox_messages_old;
             CREATE TABLE outbox_messages (LIKE outbox_messages_old INCLUDING DEFAULTS);
             ALTER TABLE outbox_messages ADD PRIMARY KEY (id);",
        )
        .unwrap();
    let (_, report) = doctor_json(db.cmd(), &["--only", "indexes"]);
    let summary = check(&report, "indexes")["summary"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        summary.contains("is taken by an index on outbox_messages_old"),
        "{summary}"
    );
    assert!(!fixes(&report, "indexes").contains("migrate --repair"));
    let out = db
        .cmd()
        .args(["migrate", "--repair", "--yes"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("is taken by an index on outbox_messages_old"),
        "{}",
        stderr(&out)
    );
    admin
        .batch_execute(
            "DROP TABLE outbox_messages; ALTER TABLE outbox_messages_old RENAME TO outbox_messages;
             ALTER TABLE outbox_messages SET (autovacuum_enabled = no);",
        )
        .unwrap();
    // autovacuum_enabled spelled as PostgreSQL allows.
    let (_, report) = doctor_json(db.cmd(), &["--only", "autovacuum"]);
    assert!(
        fixes(&report, "autovacuum").contains("RESET (autovacuum_enabled)"),
        "{report:#}"
    );
    admin
        .batch_execute("ALTER TABLE outbox_messages RESET (autovacuum_enabled)")
        .unwrap();

    // A row lock: one session updates a message and sits on it, another waits for it.
    let id: uuid::Uuid = admin
        .query_one(
            "INSERT INTO outbox_messages (topic, status) VALUES ('orders', 'processed') RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    let mut sitter = db.client();
    let sitter_pid = backend_pid(&mut sitter);
    sitter
        .batch_execute(&format!(
            "BEGIN; UPDATE outbox_messages SET retries = 1 WHERE id = '{id}'"
        ))
        .unwrap();
    let mut second = db.client();
    let second_pid = backend_pid(&mut second);
    let waiting = std::thread::spawn(move || {
        second.batch_execute(&format!(
            "UPDATE outbox_messages SET retries = 2 WHERE id = '{id}'"
        ))
    });
    db.wait_until(
        "the second update to wait for the row lock for over 1s",
        &waits_for_a_lock_longer_than(second_pid, 1.1),
    );
    let (_, report) = doctor_json(db.cmd(), &["--only", "locks", "--threshold", "locks=1s"]);
    let locks = check(&report, "locks");
    assert_eq!(locks["status"], "warn", "{locks:#}");
    let row_wait = locks["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["pid"] == second_pid)
        .unwrap_or_else(|| panic!("row-lock waiter not named: {locks:#}"));
    assert_eq!(row_wait["relation"], "outbox_messages");
    assert_eq!(row_wait["blocked_by"], serde_json::json!([sitter_pid]));
    // Waited since its lock request, not since an earlier statement started.
    assert!(
        row_wait["waiting_seconds"].as_i64().unwrap() < 10,
        "{row_wait}"
    );
    sitter.batch_execute("ROLLBACK").unwrap();
    waiting.join().unwrap().unwrap();

    // A closed pipe keeps the answer: exit 3, not 0.
    admin
        .batch_execute(
            "INSERT INTO outbox_messages (topic, created_at) VALUES ('orders', now() - interval '1 hour')",
        )
        .unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "{} doctor --only backlog --sample 0s | head -c 1 >/dev/null; echo ${{PIPESTATUS[0]}}",
            assert_cmd::cargo::cargo_bin("outboxctl").display()
        ))
        .env("DATABASE_URL", db.url())
        .output()
        .unwrap();
    assert_eq!(stdout(&out).trim(), "3", "{}", stderr(&out));

    // The server ends the idle session during the sample: the doctor reconnects.
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {} SET idle_session_timeout = '300ms'",
            db.name
        ))
        .unwrap();
    let (out, report) = doctor_json(db.cmd(), &["--only", "backlog,schema", "--sample", "1s"]);
    assert_exit(&out, 3);
    assert_eq!(status(&report, "backlog"), "fail", "{report:#}");
    assert_eq!(status(&report, "schema"), "ok", "{report:#}");
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {} RESET idle_session_timeout",
            db.name
        ))
        .unwrap();
}

#[test]
fn a_partitioned_outbox_is_judged_by_its_partitions() {
    let db = TestDb::new();
    db.client()
        .batch_execute(
            "CREATE TABLE outbox_messages (
                 id UUID NOT NULL DEFAULT gen_random_uuid(), topic TEXT NOT NULL,
                 key TEXT NOT NULL DEFAULT '', payload BYTEA, headers JSONB DEFAULT '{}',
                 status TEXT NOT NULL DEFAULT 'pending', retries INTEGER NOT NULL DEFAULT 0,
                 last_error TEXT NOT NULL DEFAULT '', created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                 processed_at TIMESTAMPTZ, PRIMARY KEY (id, created_at)
             ) PARTITION BY RANGE (created_at);
             CREATE TABLE outbox_2026 PARTITION OF outbox_messages
                 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
             INSERT INTO outbox_messages (topic, created_at) VALUES ('orders', '2026-06-01');",
        )
        .unwrap();
    let (_, report) = doctor_json(db.cmd(), &["--only", "wraparound"]);
    assert_eq!(status(&report, "wraparound"), "ok", "{report:#}");
    let age = check(&report, "wraparound")["details"][0]["xid_age"]
        .as_i64()
        .unwrap();
    assert!(age < 1_000_000, "the partition's age, not 2^31: {age}");
    assert_eq!(
        check(&report, "wraparound")["details"][0]["table"],
        "outbox_2026"
    );

    // Dead rows live in the partition, and are found there.
    let mut client = db.client();
    client
        .batch_execute(
            "ALTER TABLE outbox_2026 SET (autovacuum_enabled = false);
             INSERT INTO outbox_messages (topic, created_at)
                  SELECT 'orders', '2026-06-01' FROM generate_series(1, 20000);",
        )
        .unwrap();
    client
        .batch_execute("UPDATE outbox_messages SET status = 'processed'")
        .unwrap();
    drop(client);
    db.wait_until(
        "the partition's dead rows to be counted",
        &has_dead_rows("outbox_2026"),
    );
    let (_, report) = doctor_json(db.cmd(), &["--only", "dead-rows,autovacuum"]);
    let dead = check(&report, "dead-rows");
    assert_eq!(dead["status"], "warn", "{dead:#}");
    assert!(dead["summary"].as_str().unwrap().contains("outbox_2026"));
    assert!(
        fixes(&report, "autovacuum").contains("outbox_2026"),
        "{report:#}"
    );

    // A lock on the partition is seen by the locks check.
    let mut holder = db.client();
    holder
        .batch_execute("BEGIN; LOCK TABLE outbox_2026 IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let (_, report) = doctor_json(db.cmd(), &["--only", "locks"]);
    assert!(
        check(&report, "locks")["summary"]
            .as_str()
            .unwrap()
            .contains("AccessExclusiveLock on outbox_2026"),
        "{report:#}"
    );
    holder.batch_execute("ROLLBACK").unwrap();

    // No index can be built on it CONCURRENTLY: repair explains instead of failing.
    let out = db
        .cmd()
        .args(["migrate", "--repair", "--yes"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("is partitioned"), "{}", stderr(&out));
}

/// `doctor` on several databases at once, one of them unreachable.
#[test]
fn several_targets_are_examined_at_once() {
    let healthy = TestDb::new().migrated();
    let broken = TestDb::new().migrated();
    broken
        .client()
        .batch_execute("DROP INDEX idx_outbox_messages_pending")
        .unwrap();
    let out = with_deadline(
        {
            let mut c = bare_cmd();
            c.args(["-d", &healthy.url(), "-d", &broken.url()])
                .args(["-d", "postgres://nobody@127.0.0.1:1/none?sslmode=disable"]);
            c
        },
        &["doctor", "--only", "indexes", "--format", "json"],
    );
    assert_exit(&out, 1);
    let reports = json_out(&out);
    let reports = reports.as_array().unwrap();
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[0]["ok"], true);
    assert_eq!(reports[0]["worst"], "ok");
    assert!(
        reports[0]["target"]
            .as_str()
            .unwrap()
            .ends_with(&healthy.name)
    );
    assert_eq!(reports[1]["worst"], "fail");
    assert_eq!(reports[2]["ok"], false);
    assert!(stderr(&out).contains("1 of 3 targets could not be examined"));
    // Without the unreachable one: exit 3 for the broken index.
    let out = with_deadline(
        {
            let mut c = bare_cmd();
            c.args(["-d", &healthy.url(), "-d", &broken.url()]);
            c
        },
        &["doctor", "--only", "indexes"],
    );
    assert_exit(&out, 3);
    let text = stdout(&out);
    assert_eq!(text.matches("doctor: ").count(), 2, "{text}");
}

/// A fix that names a role whose name holds a newline or ESC is never shown as text to
/// paste: the human view says so and points to JSON, where the statement is exact.
#[test]
fn fixes_naming_objects_with_control_characters_are_not_offered_for_pasting() {
    let db = TestDb::new().migrated();
    let suffix = db.name.rsplit('_').next().unwrap().to_string();
    let roles = [
        format!("r{suffix}\nDROP TABLE outbox_messages;--$(id)"),
        format!("r{suffix}\u{1b}]0;pwned\u{7}"),
    ];
    let mut admin = db.client();
    let mut holders = Vec::new();
    for role in &roles {
        let quoted = format!("\"{}\"", role.replace('"', "\"\""));
        admin
            .batch_execute(&format!(
                "CREATE ROLE {quoted} LOGIN; GRANT SELECT ON outbox_messages TO {quoted}"
            ))
            .unwrap();
        let mut config = postgres::Config::new();
        config
            .host(&db.server.host)
            .port(db.server.port)
            .dbname(&db.name)
            .user(role);
        let mut client = config.connect(postgres::NoTls).unwrap();
        client
            .batch_execute(
                "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM outbox_messages",
            )
            .unwrap();
        holders.push(client);
    }
    db.wait_until(
        "every holder's snapshot to be over 1s old",
        "(SELECT min(clock_timestamp() - xact_start) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL) > interval '1.1 s'",
    );
    let args = ["--only", "xmin-sessions", "--threshold", "xmin-sessions=1s"];
    let out = db.cmd().arg("doctor").args(args).output().unwrap();
    assert_exit(&out, 3);
    let text = stdout(&out);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    for line in text.lines() {
        assert!(!line.trim_start().starts_with("DROP TABLE"), "{text}");
    }
    assert!(
        text.contains("--format json carries the exact statement"),
        "{text}"
    );
    assert!(!text.contains("ALTER ROLE \"r"), "{text}");
    // JSON keeps each statement exact: it names the role as PostgreSQL accepts it.
    let (_, report) = doctor_json(db.cmd(), &args);
    let fixes: Vec<&str> = check(&report, "xmin-sessions")["fix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for role in &roles {
        let statement = format!(
            "ALTER ROLE \"{}\" SET idle_in_transaction_session_timeout",
            role.replace('"', "\"\"")
        );
        assert!(fixes.iter().any(|f| f.starts_with(&statement)), "{fixes:?}");
    }
    drop(holders);
    for role in &roles {
        let quoted = format!("\"{}\"", role.replace('"', "\"\""));
        let _ = admin.batch_execute(&format!("DROP OWNED BY {quoted}; DROP ROLE {quoted}"));
    }
}

/// Rows stuck in processing on a table above the old 16 MiB exact-count limit are counted
/// exactly by default; a count that cannot finish within --scan-budget is unknown (never
/// ok) with what makes it look; the processing index counts them at any budget.
#[test]
fn stuck_processing_rows_are_counted_or_reported_unknown_never_ok() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (topic, payload, status, created_at, processed_at)
             SELECT 'orders', convert_to(repeat('x', 200), 'UTF8'),
                    CASE WHEN i % 65 = 0 THEN 'processing' ELSE 'processed' END,
                    now() - interval '3 hours', now() - interval '2 hours'
               FROM generate_series(1, 99600) i;
             ANALYZE outbox_messages;",
        )
        .unwrap();
    let stuck = db.count("status = 'processing'");
    assert_eq!(stuck, 1532);
    let backlog = |extra: &[&str]| {
        let mut args = vec!["--only", "backlog", "--sample", "0s"];
        args.extend_from_slice(extra);
        let (_, report) = doctor_json(db.cmd(), &args);
        check(&report, "backlog").clone()
    };
    let found = backlog(&[]);
    assert_eq!(found["status"], "warn", "{found:#}");
    assert!(
        found["summary"]
            .as_str()
            .unwrap()
            .contains("1,532 in processing"),
        "{found:#}"
    );
    // A budget the scan cannot meet: unknown, with the way to look.
    let found = backlog(&["--scan-budget", "1ms"]);
    assert_eq!(found["status"], "skipped", "{found:#}");
    let summary = found["summary"].as_str().unwrap();
    assert!(
        summary.contains("were not counted") && summary.contains("--scan-budget"),
        "{found:#}"
    );
    let out = db
        .cmd()
        .args([
            "doctor",
            "--only",
            "backlog",
            "--sample",
            "0s",
            "--scan-budget",
            "1ms",
        ])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("skip"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("migrate --repair --processing-index"),
        "{}",
        stdout(&out)
    );
    // The processing index, built concurrently, answers at any budget.
    let out = db
        .cmd()
        .args(["migrate", "--repair", "--processing-index", "--yes"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let found = backlog(&["--scan-budget", "1ms"]);
    assert_eq!(found["status"], "warn", "{found:#}");
    let detail = &found["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d.get("stuck_processing").is_some())
        .unwrap()
        .clone();
    assert_eq!(detail["stuck_processing"], 1532, "{found:#}");
    assert_eq!(detail["through_index"], true, "{found:#}");
    // check does not call the extra index drift; a second repair finds nothing to do.
    assert_exit(&db.cmd().arg("check").output().unwrap(), 0);
    let out = db
        .cmd()
        .args([
            "migrate",
            "--repair",
            "--processing-index",
            "--yes",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
}

/// On a hot standby: every read says it is one, doctor judges only what a standby can
/// answer and names the primary, prints no change as a fix to run there, and mutations
/// are refused up front in one line.
#[test]
fn a_standby_is_named_and_its_answers_are_its_own() {
    let primary = OwnCluster::start();
    primary
        .client("postgres")
        .batch_execute("CREATE DATABASE replica")
        .unwrap();
    let on = |url: &str| {
        let mut c = bare_cmd();
        c.env("DATABASE_URL", url);
        c
    };
    let primary_url = primary.url("replica");
    assert_exit(&on(&primary_url).arg("migrate").output().unwrap(), 0);
    let mut writer = primary.client("replica");
    writer
        .batch_execute(
            "ALTER TABLE outbox_messages SET (autovacuum_enabled = off);
             INSERT INTO outbox_messages (topic, status, processed_at, created_at)
             SELECT 'orders', 'processed', now() - interval '9 days', now() - interval '10 days'
               FROM generate_series(1, 80000);
             DELETE FROM outbox_messages WHERE random() < 0.5;
             ANALYZE outbox_messages;",
        )
        .unwrap();
    let standby = primary.standby(&["wal_receiver_status_interval=1s"]);
    let standby_url = standby.url("replica");
    // Wait until the standby has replayed the rows.
    let expected = primary
        .client("replica")
        .query_one("SELECT count(*) FROM outbox_messages", &[])
        .unwrap()
        .get::<_, i64>(0);
    let deadline = Instant::now() + Duration::from_secs(30);
    while standby
        .client("replica")
        .query_one("SELECT count(*) FROM outbox_messages", &[])
        .map(|r| r.get::<_, i64>(0))
        .unwrap_or(0)
        != expected
    {
        assert!(Instant::now() < deadline, "the standby did not catch up");
        std::thread::sleep(Duration::from_millis(200));
    }
    // The primary warns about its dead rows; the standby does not call them fine.
    // (The statistics reach the cumulative views within a second or so.)
    let deadline = Instant::now() + Duration::from_secs(20);
    let on_primary = loop {
        let (_, report) = doctor_json(on(&primary_url), &["--only", "dead-rows"]);
        if status(&report, "dead-rows") == "warn" || Instant::now() > deadline {
            break report;
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(status(&on_primary, "dead-rows"), "warn", "{on_primary:#}");
    assert_eq!(on_primary["in_recovery"], false);
    let (out, report) = doctor_json(on(&standby_url), &["--sample", "0s"]);
    assert_eq!(report["in_recovery"], true, "{report:#}");
    assert_eq!(
        report["primary"],
        format!("127.0.0.1:{}", primary.port),
        "{report:#}"
    );
    for id in ["dead-rows", "xmin-standbys", "xmin-sessions", "locks"] {
        let found = check(&report, id);
        assert_eq!(found["status"], "skipped", "{found:#}");
        assert!(
            found["summary"]
                .as_str()
                .unwrap()
                .contains("only the primary"),
            "{found:#}"
        );
    }
    // No fix that changes something is offered for the standby itself.
    for found in report["checks"].as_array().unwrap() {
        for fix in found["fix"].as_array().unwrap() {
            let fix = fix.as_str().unwrap();
            if fix.contains("ALTER ") || fix.contains("VACUUM") || fix.contains("CREATE INDEX") {
                assert!(fix.starts_with("-- on the primary"), "{fix}");
            }
        }
    }
    assert!(stderr(&out).contains("is a standby"), "{}", stderr(&out));
    let out = on(&standby_url)
        .args(["doctor", "--sample", "0s"])
        .output()
        .unwrap();
    assert!(
        stdout(&out)
            .lines()
            .next()
            .unwrap()
            .contains("a standby (in recovery, replicating from 127.0.0.1:"),
        "{}",
        stdout(&out)
    );
    // Reads say so: the stats header and its JSON.
    let out = on(&standby_url)
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["in_recovery"], true);
    let out = on(&standby_url).arg("stats").output().unwrap();
    assert!(
        stdout(&out).lines().next().unwrap().contains("standby"),
        "{}",
        stdout(&out)
    );
    let out = on(&standby_url)
        .args(["list", "--limit", "1"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("is a standby"), "{}", stderr(&out));
    // Mutations are refused before anything is read; a dry run answers.
    for args in [
        vec!["purge", "--before", "1d"],
        vec!["requeue", "--all"],
        vec!["delete", "--status", "processed", "--yes"],
        vec!["dedup", "mark", "g", "m"],
        vec!["dedup", "purge", "--before", "1d"],
        vec!["migrate"],
    ] {
        let out = on(&standby_url).args(&args).output().unwrap();
        assert_exit(&out, 1);
        assert_one_line_error(&out);
        let err = stderr(&out);
        assert!(
            err.contains("is a standby") && err.contains("run this against the primary"),
            "{args:?}: {err}"
        );
    }
    let out = on(&standby_url)
        .args(["purge", "--before", "1d", "--dry-run"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("must run on the primary"),
        "{}",
        stderr(&out)
    );
}

/// Bloat on a table big enough to matter that was never analyzed is unknown, not ok.
#[test]
fn bloat_never_estimated_is_not_ok() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "ALTER TABLE outbox_messages SET (autovacuum_enabled = off);
             INSERT INTO outbox_messages (topic, payload)
             SELECT 'orders', convert_to(repeat('x', 500), 'UTF8') FROM generate_series(1, 5000);",
        )
        .unwrap();
    let args = ["--only", "bloat", "--threshold", "bloat.min-size=1MiB"];
    let (_, report) = doctor_json(db.cmd(), &args);
    let found = check(&report, "bloat");
    assert_eq!(found["status"], "skipped", "{found:#}");
    assert!(
        found["summary"]
            .as_str()
            .unwrap()
            .contains("never analyzed"),
        "{found:#}"
    );
    assert!(fixes(&report, "bloat").contains("ANALYZE"), "{found:#}");
    db.client()
        .batch_execute("ANALYZE outbox_messages")
        .unwrap();
    let (_, report) = doctor_json(db.cmd(), &args);
    assert_eq!(status(&report, "bloat"), "ok", "{report:#}");
}

/// The server around the outbox, each condition made for real: connection slots in
/// use by role and application, a role that writes the outbox without
/// idle_in_transaction_session_timeout (and its fix, applied), statistics gone stale.
#[test]
fn connections_guard_rails_and_stale_statistics_are_judged() {
    let db = TestDb::new().migrated();
    // Three connections of one application.
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut client = db.client();
        client
            .batch_execute("SET application_name = 'relay-under-test'")
            .unwrap();
        held.push(client);
    }
    let (_, report) = doctor_json(
        db.cmd(),
        &["--only", "connections", "--threshold", "connections=0.001"],
    );
    let found = check(&report, "connections");
    assert_eq!(found["status"], "warn", "{found:#}");
    assert!(
        found["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["application"] == "relay-under-test" && d["connections"] == 3),
        "{found:#}"
    );
    let (_, report) = doctor_json(db.cmd(), &["--only", "connections"]);
    assert_eq!(status(&report, "connections"), "ok", "{report:#}");
    drop(held);

    // A relay role granted the outbox, without the timeout: named, with its fix.
    let role = format!("relay_{}", db.name);
    db.client()
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN; GRANT SELECT, INSERT, UPDATE ON outbox_messages TO {role};"
        ))
        .unwrap();
    let (_, report) = doctor_json(db.cmd(), &["--only", "guard-rails"]);
    let rails = check(&report, "guard-rails");
    assert_eq!(rails["status"], "warn", "{rails:#}");
    let fix = rails["fix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .find(|f| f.contains(&role))
        .unwrap_or_else(|| panic!("no fix for {role}: {rails:#}"));
    assert!(fix.starts_with("ALTER ROLE"), "{fix}");
    db.client().batch_execute(&fix).unwrap();
    let (_, report) = doctor_json(db.cmd(), &["--only", "guard-rails"]);
    let rails = check(&report, "guard-rails");
    assert!(
        !rails["summary"].as_str().unwrap().contains(&role),
        "{rails:#}"
    );
    db.client()
        .batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role};"))
        .unwrap();

    // Statistics: analyzed empty, then 2,000 rows written with autovacuum off.
    db.client()
        .batch_execute(
            "ALTER TABLE outbox_messages SET (autovacuum_enabled = off);
             ANALYZE outbox_messages;
             INSERT INTO outbox_messages (topic) SELECT 't' FROM generate_series(1, 2000);",
        )
        .unwrap();
    let stale = |db: &TestDb| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let (_, report) = doctor_json(
                db.cmd(),
                &[
                    "--only",
                    "stale-stats",
                    "--threshold",
                    "stale-stats.min=1000",
                ],
            );
            let found = check(&report, "stale-stats").clone();
            // The counters reach the statistics a moment after the writer commits.
            if found["status"] == "warn" || std::time::Instant::now() > deadline {
                return found;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    };
    let found = stale(&db);
    assert_eq!(found["status"], "warn", "{found:#}");
    assert!(
        found["fix"][0].as_str().unwrap().starts_with("ANALYZE"),
        "{found:#}"
    );
    db.client()
        .batch_execute("ANALYZE outbox_messages")
        .unwrap();
    let (_, report) = doctor_json(
        db.cmd(),
        &[
            "--only",
            "stale-stats",
            "--threshold",
            "stale-stats.min=1000",
        ],
    );
    assert_eq!(status(&report, "stale-stats"), "ok", "{report:#}");
}

/// Multixacts wrap around on their own counter: rows locked by two sessions at once
/// make them for real, and the check names the multixact age, not the transaction one.
#[test]
fn multixact_wraparound_is_judged_beside_the_transaction_ids() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "ALTER TABLE outbox_messages SET (autovacuum_multixact_freeze_max_age = 10000);
             INSERT INTO outbox_messages (topic) SELECT 't' FROM generate_series(1, 5);",
        )
        .unwrap();
    // Two transactions share a lock on the rows: a multixact, one per pair.
    let (mut first, mut second) = (db.client(), db.client());
    for _ in 0..4 {
        first
            .batch_execute("BEGIN; SELECT * FROM outbox_messages FOR SHARE")
            .unwrap();
        second
            .batch_execute("BEGIN; SELECT * FROM outbox_messages FOR SHARE")
            .unwrap();
        first.batch_execute("COMMIT").unwrap();
        second.batch_execute("COMMIT").unwrap();
    }
    let (_, report) = doctor_json(
        db.cmd(),
        &["--only", "wraparound", "--threshold", "wraparound=0.0001"],
    );
    let found = check(&report, "wraparound");
    assert_eq!(found["status"], "warn", "{found:#}");
    assert!(
        found["summary"]
            .as_str()
            .unwrap()
            .contains("multixacts from its last freeze"),
        "{found:#}"
    );
    assert_eq!(
        found["details"][0]["autovacuum_multixact_freeze_max_age"],
        10000
    );
    assert!(
        found["details"][0]["multixact_age"].as_i64().unwrap() >= 2,
        "{found:#}"
    );
}

/// `reindex` on an outbox whose primary key bloated the way a relay bloats it (every
/// claim and mark writes a new entry into every index), with a leftover of an
/// interrupted rebuild: the plan names both, a dry run changes nothing, the run drops
/// the leftover and shrinks the index, and doctor's bloat check is then quiet.
#[test]
fn reindex_rebuilds_what_bloated_and_cleans_up_an_interrupted_run() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "ALTER TABLE outbox_messages SET (autovacuum_enabled = off);
             INSERT INTO outbox_messages (topic, key) SELECT 't', 'k' || g FROM generate_series(1, 20000) g;
             UPDATE outbox_messages SET status = 'processing';
             UPDATE outbox_messages SET status = 'processed';
             UPDATE outbox_messages SET status = 'processing';
             UPDATE outbox_messages SET status = 'processed';
             DELETE FROM outbox_messages WHERE key OPERATOR(pg_catalog.~) '[1-8]$';",
        )
        .unwrap();
    db.client()
        .batch_execute("VACUUM ANALYZE outbox_messages")
        .unwrap();
    // What an interrupted REINDEX CONCURRENTLY leaves: an invalid index (a unique one
    // that met duplicates fails the same way).
    let _ = db.client().batch_execute(
        "CREATE UNIQUE INDEX CONCURRENTLY outbox_messages_pkey_ccnew ON outbox_messages (topic)",
    );
    let size = |db: &TestDb| -> i64 {
        db.client()
            .query_one("SELECT pg_relation_size('outbox_messages_pkey')", &[])
            .unwrap()
            .get(0)
    };
    let before = size(&db);
    let loose = [
        "--threshold",
        "bloat=0.3",
        "--threshold",
        "bloat.min-size=0",
    ];
    // doctor says why (no update of the relay's can be HOT) and points here. The
    // writer's statistics arrive when its session has ended: waited for.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let report = loop {
        let (_, report) = doctor_json(db.cmd(), &[&["--only", "bloat"][..], &loose[..]].concat());
        let seen = check(&report, "bloat")["summary"]
            .as_str()
            .unwrap_or_default()
            .contains("80,000 updates");
        if seen || std::time::Instant::now() > deadline {
            break report;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let bloat = check(&report, "bloat");
    assert_eq!(bloat["status"], "warn", "{bloat:#}");
    assert!(
        bloat["summary"]
            .as_str()
            .unwrap()
            .contains("0% of the outbox's 80,000 updates were HOT"),
        "{bloat:#}"
    );
    assert!(
        fixes(&report, "bloat").contains("reindex --yes"),
        "{bloat:#}"
    );
    let out = db
        .cmd()
        .args(["reindex", "--dry-run", "--format", "json"])
        .args(loose)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let plan = json_out(&out);
    crate::schemas::assert_valid("reindex.schema.json", "reindex --dry-run", &plan);
    assert_eq!(plan["dry_run"], true);
    let statements: Vec<&str> = plan["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        statements.first().copied(),
        Some("DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"outbox_messages_pkey_ccnew\";"),
        "{plan:#}"
    );
    assert!(
        statements.contains(&"REINDEX INDEX CONCURRENTLY \"public\".\"outbox_messages_pkey\";"),
        "{plan:#}"
    );
    assert_eq!(size(&db), before, "a dry run changes nothing");
    // Without a terminal and without --yes, nothing runs either.
    let out = db.cmd().args(["reindex"]).args(loose).output().unwrap();
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("without a terminal"),
        "{}",
        stderr(&out)
    );

    let out = db
        .cmd()
        .args(["reindex", "--yes", "--format", "json"])
        .args(loose)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let done = json_out(&out);
    crate::schemas::assert_valid("reindex.schema.json", "reindex --yes", &done);
    let pkey = done["indexes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["index"] == "\"public\".\"outbox_messages_pkey\"")
        .unwrap_or_else(|| panic!("{done:#}"));
    assert!(
        pkey["bytes_after"].as_i64().unwrap() < pkey["bytes_before"].as_i64().unwrap() / 2,
        "{done:#}"
    );
    let invalid: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_index WHERE indrelid = 'outbox_messages'::regclass AND NOT indisvalid",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(invalid, 0);
    // A rebuilt index is one doctor no longer warns about; an unknown name is exit 2.
    let (_, report) = doctor_json(db.cmd(), &[&["--only", "bloat"][..], &loose[..]].concat());
    let bloat = check(&report, "bloat");
    assert!(
        !bloat["summary"]
            .as_str()
            .unwrap()
            .contains("outbox_messages_pkey"),
        "{bloat:#}"
    );
    let out = db
        .cmd()
        .args(["reindex", "--index", "no_such_index", "--yes"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
}

/// reindex never takes another session's index build for a leftover (a migration's
/// CREATE INDEX CONCURRENTLY waiting on an old transaction is invalid until it ends),
/// and says up front when the role does not own the tables.
#[test]
fn reindex_leaves_a_build_in_progress_alone_and_needs_the_owner() {
    let db = TestDb::new().migrated();
    // A writer's open transaction: the build waits for it, invalid meanwhile.
    let mut old = db.client();
    old.batch_execute("BEGIN; INSERT INTO outbox_messages (topic) VALUES ('t')")
        .unwrap();
    let url = db.url();
    let build = std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        client
            .batch_execute("CREATE INDEX CONCURRENTLY migration_idx ON outbox_messages (topic)")
            .unwrap();
    });
    // Wait until the build is under way (and its index invalid).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_stat_progress_create_index WHERE datname = current_database()",
            &[],
        )
        .unwrap()
        .get::<_, i64>(0)
        == 0
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the build never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    for args in [
        &["reindex", "--dry-run"][..],
        &["reindex", "--all", "--yes"][..],
    ] {
        let out = db.cmd().args(args).output().unwrap();
        assert_exit(&out, 1);
        assert!(stderr(&out).contains("is being built"), "{}", stderr(&out));
    }
    old.batch_execute("COMMIT").unwrap();
    build.join().unwrap();
    let valid: bool = db
        .client()
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'migration_idx'::regclass",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(valid, "the migration's index was broken");

    let role = format!("reader_{}", db.name);
    db.client()
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN; GRANT SELECT, INSERT, UPDATE, DELETE ON outbox_messages, processed_messages TO {role}"
        ))
        .unwrap();
    let out = crate::harness::bare_cmd()
        .env("DATABASE_URL", db.url_as(&role))
        .args(["reindex", "--dry-run"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("needs its owner"), "{}", stderr(&out));
    db.client()
        .batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role}"))
        .unwrap();
}
