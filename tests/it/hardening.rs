//! The hardening issue, item by item: a hostile search path, hostile message contents, a
//! relay that keeps moving rows, signals, odd data, PgBouncer, frozen servers. Each test
//! names the item it proves.

use std::collections::HashMap;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use uuid::Uuid;

use crate::harness::{Seed, TestDb, bouncer};
use crate::{assert_exit, assert_one_line_error, json_out, stderr, stdout};

// ---------------------------------------------------------------------------------------
// 2. terminal escape injection
// ---------------------------------------------------------------------------------------

const HOSTILE_TEXT: &str =
    "a\u{1b}]52;c;cHduZWQ=\u{7}b\u{1b}[2J\rforged\u{9b}31m\u{202e}evil\u{7f}";

fn assert_no_raw_controls(what: &str, text: &str) {
    for bad in ['\u{1b}', '\u{7}', '\r', '\u{9b}', '\u{202e}', '\u{7f}'] {
        assert!(
            !text.contains(bad),
            "{what} printed a raw {bad:?}: {text:?}"
        );
    }
}

/// Item 2: a producer's escape sequences reach no terminal: every human output shows them
/// escaped, machine formats keep the value exact.
#[test]
fn control_characters_are_escaped_in_every_human_output() {
    let db = TestDb::new().migrated();
    let mut client = db.client();
    let id: Uuid = client
        .query_one(
            "INSERT INTO outbox_messages (topic, key, payload, headers, status, last_error)
             VALUES ($1, $1, convert_to($1, 'UTF8'), jsonb_build_object($1::text, $1::text), 'failed', $1)
             RETURNING id",
            &[&HOSTILE_TEXT],
        )
        .unwrap()
        .get(0);
    client
        .execute(
            "INSERT INTO processed_messages (group_name, msg_id, metadata) VALUES ($1, $1, jsonb_build_object('m', $1::text))",
            &[&HOSTILE_TEXT],
        )
        .unwrap();
    let id = id.to_string();
    for args in [
        vec!["show", &id],
        vec!["list", "--status", "all"],
        vec!["stats", "--by-topic"],
        vec!["requeue", "--all", "--dry-run"],
        vec!["dedup", "list"],
        vec!["dedup", "check", HOSTILE_TEXT, HOSTILE_TEXT],
        vec!["dedup", "unmark", HOSTILE_TEXT, "nope", "--dry-run"],
        vec!["list", "--topic", HOSTILE_TEXT, "--status", "all"],
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert!(
            out.status
                .code()
                .is_some_and(|c| c == 0 || c == 1 || c == 3),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_no_raw_controls(&format!("{args:?} stdout"), &stdout(&out));
        assert_no_raw_controls(&format!("{args:?} stderr"), &stderr(&out));
    }
    // Machine formats carry the exact value.
    let out = db
        .cmd()
        .args(["show", &id, "--format", "json"])
        .output()
        .unwrap();
    let row = json_out(&out);
    assert_eq!(row["topic"], HOSTILE_TEXT);
    assert_eq!(row["last_error"], HOSTILE_TEXT);
    assert_eq!(row["payload"], HOSTILE_TEXT);
}

// ---------------------------------------------------------------------------------------
// 4. one run changes a row at most once, with a relay moving rows meanwhile
// ---------------------------------------------------------------------------------------

/// What the relay workers saw: how often each message was claimed.
#[derive(Default)]
struct Deliveries(Mutex<HashMap<Uuid, u32>>);

/// Runs `workers` relay threads (claim pending, then fail `fail_percent` of them straight
/// to `failed` and process the rest) until `stop` is set and nothing is pending.
fn run_relay(
    db: &TestDb,
    workers: u64,
    fail_percent: u64,
    stop: Arc<AtomicBool>,
    seen: Arc<Deliveries>,
    start_when: Option<&'static str>,
) -> Vec<std::thread::JoinHandle<()>> {
    (0..workers)
        .map(|w| {
            let mut client = db.client();
            let stop = stop.clone();
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut rng = 0x9e37_79b9_7f4a_7c15u64 ^ (w + 1);
                if let Some(condition) = start_when {
                    let sql = format!("SELECT EXISTS (SELECT 1 WHERE {condition})");
                    while !client.query_one(&sql, &[]).unwrap().get::<_, bool>(0) {
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        std::thread::sleep(Duration::from_millis(2));
                    }
                }
                loop {
                    let claimed: Vec<Uuid> = client
                        .query(
                            "UPDATE outbox_messages SET status = 'processing'
                              WHERE id IN (SELECT id FROM outbox_messages WHERE status = 'pending'
                                            ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 50)
                             RETURNING id",
                            &[],
                        )
                        .unwrap()
                        .iter()
                        .map(|r| r.get(0))
                        .collect();
                    if claimed.is_empty() {
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    }
                    {
                        let mut map = seen.0.lock().unwrap();
                        for id in &claimed {
                            *map.entry(*id).or_default() += 1;
                        }
                    }
                    let (mut failed, mut processed) = (Vec::new(), Vec::new());
                    for id in claimed {
                        rng ^= rng << 13;
                        rng ^= rng >> 7;
                        rng ^= rng << 17;
                        if rng % 100 < fail_percent {
                            failed.push(id);
                        } else {
                            processed.push(id);
                        }
                    }
                    client
                        .execute(
                            "UPDATE outbox_messages SET status = 'failed', retries = retries + 1, last_error = 'again'
                              WHERE id = ANY($1)",
                            &[&failed],
                        )
                        .unwrap();
                    client
                        .execute(
                            "UPDATE outbox_messages SET status = 'processed', processed_at = now() WHERE id = ANY($1)",
                            &[&processed],
                        )
                        .unwrap();
                }
            })
        })
        .collect()
}

/// Runs `args` (json summary) while a relay works, then drains the relay.
fn run_beside_relay(
    db: &TestDb,
    args: &[&str],
    fail_percent: u64,
    start_when: Option<&'static str>,
) -> (Value, Arc<Deliveries>) {
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Deliveries::default());
    let relay = run_relay(db, 2, fail_percent, stop.clone(), seen.clone(), start_when);
    let out = db
        .cmd()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    stop.store(true, Ordering::SeqCst);
    for worker in relay {
        worker.join().unwrap();
    }
    assert_exit(&out, 0);
    (json_out(&out), seen)
}

fn assert_at_most_once(summary: &Value, seen: &Deliveries, total: u64) {
    let changed = summary["changed"].as_u64().unwrap();
    assert!(changed <= total, "changed {changed} of {total}: {summary}");
    let map = seen.0.lock().unwrap();
    let twice = map.values().filter(|n| **n > 1).count();
    assert_eq!(
        twice, 0,
        "{twice} messages delivered more than once: {summary}"
    );
    let delivered: u64 = map.values().map(|n| u64::from(*n)).sum();
    assert_eq!(
        delivered, changed,
        "each requeue is one delivery: {summary}"
    );
}

/// Item 4: `requeue --replay --all` with two relays delivering what it requeues.
#[test]
fn replay_beside_a_relay_requeues_each_message_once() {
    let db = TestDb::new().migrated();
    Seed {
        n: 20_000,
        status: "'processed'",
        processed_at: "now() - interval '1 day'",
        ..Default::default()
    }
    .insert(&mut db.client());
    let (summary, seen) = run_beside_relay(
        &db,
        &["requeue", "--replay", "--all", "--batch-size", "200"],
        0,
        None,
    );
    assert_at_most_once(&summary, &seen, 20_000);
    assert_eq!(summary["changed"], 20_000, "{summary}");
}

/// Item 4: `requeue --all` of failed messages that fail again (60 %) straight away.
#[test]
fn requeue_beside_a_failing_relay_requeues_each_message_once() {
    let db = TestDb::new().migrated();
    Seed {
        n: 20_000,
        status: "'failed'",
        retries: "4",
        ..Default::default()
    }
    .insert(&mut db.client());
    let (summary, seen) =
        run_beside_relay(&db, &["requeue", "--all", "--batch-size", "200"], 60, None);
    assert_at_most_once(&summary, &seen, 20_000);
    assert_eq!(db.count("retries = 0 AND status = 'failed'"), 0);
}

/// Item 4: `requeue --stuck` while the relay claims what it puts back.
#[test]
fn stuck_requeue_beside_a_relay_requeues_each_message_once() {
    let db = TestDb::new().migrated();
    Seed {
        n: 20_000,
        status: "'processing'",
        created_at: "now() - interval '1 hour' - i * interval '1 second'",
        ..Default::default()
    }
    .insert(&mut db.client());
    let (summary, seen) = run_beside_relay(
        &db,
        &[
            "requeue",
            "--stuck",
            "--before",
            "0s",
            "--batch-size",
            "200",
        ],
        60,
        None,
    );
    assert_at_most_once(&summary, &seen, 20_000);
}

/// Item 4: purge leaves rows that only qualify because of what happened after it began.
#[test]
fn purge_leaves_rows_that_qualify_only_after_it_began() {
    let db = TestDb::new().migrated();
    let mut client = db.client();
    Seed {
        n: 10_000,
        status: "'processed'",
        created_at: "now() - interval '2 days'",
        processed_at: "now() - interval '2 days'",
        ..Default::default()
    }
    .insert(&mut client);
    Seed {
        n: 20_000,
        status: "'pending'",
        topic: "'late'",
        created_at: "now() - interval '2 days'",
        ..Default::default()
    }
    .insert(&mut client);
    // The relay fails every pending message: each becomes a failed message created two
    // days ago, which `--include-failed` would take — but only after the purge began.
    let (summary, _) = run_beside_relay(
        &db,
        &[
            "purge",
            "--before",
            "1d",
            "--include-failed",
            "--batch-size",
            "200",
        ],
        100,
        // The relay starts once the purge has begun (its first batch is gone).
        Some("(SELECT count(*) FROM outbox_messages WHERE status = 'processed') < 10000"),
    );
    assert!(summary["changed"].as_u64().unwrap() <= 10_000, "{summary}");
    assert_eq!(
        db.count("topic = 'late'"),
        20_000,
        "a message failed after the purge began was deleted: {summary}"
    );
}

// ---------------------------------------------------------------------------------------
// 5. empty filters
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// 6. a second Ctrl-C cancels the batch in flight
// ---------------------------------------------------------------------------------------

/// The backend of outboxctl's session in `db` once it runs a statement like `like`
/// (`None`: in any state).
fn wait_for_active_statement(db: &TestDb, like: &str) -> i32 {
    wait_for_backend(db, Some(like))
}

fn wait_for_backend(db: &TestDb, active_like: Option<&str>) -> i32 {
    let mut admin = db.server.admin_client();
    let deadline = Instant::now() + Duration::from_secs(60);
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
        assert!(Instant::now() < deadline, "the statement never ran");
        std::thread::sleep(Duration::from_millis(10));
    }
}

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

// ---------------------------------------------------------------------------------------
// 7. dedup purge never exceeds --batch-size, ties included
// ---------------------------------------------------------------------------------------

#[test]
fn dedup_purge_batches_stay_within_the_batch_size_when_entries_share_a_timestamp() {
    let db = TestDb::new().migrated();
    // One transaction: every entry shares its now().
    db.client()
        .batch_execute(
            "BEGIN;
             INSERT INTO processed_messages (group_name, msg_id, processed_at)
             SELECT CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END, 'm' || i, now() - interval '3 days'
               FROM generate_series(1, 20000) i;
             INSERT INTO processed_messages (group_name, msg_id, processed_at)
             SELECT 'a', 'late' || i, now() - interval '3 days' + i * interval '1 ms'
               FROM generate_series(1, 500) i;
             COMMIT;",
        )
        .unwrap();
    let out = db
        .cmd()
        .args([
            "dedup",
            "purge",
            "--before",
            "1d",
            "--group",
            "a",
            "--batch-size",
            "100",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let summary = json_out(&out);
    assert_eq!(summary["changed"], 10_500, "{summary}");
    // 10,500 rows in batches of at most 100 need at least 105 batches.
    assert!(summary["batches"].as_u64().unwrap() >= 105, "{summary}");
    let left: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM processed_messages WHERE group_name = 'b'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 10_000);
}

// ---------------------------------------------------------------------------------------
// 9. client-side failures are not "may have been applied"
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// 10. output failures after a commit
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// 11, 15, 18, 19, 20: connections, names, missing tables, read-only servers
// ---------------------------------------------------------------------------------------

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

#[test]
fn temporary_and_system_schemas_and_one_name_for_both_tables_are_refused() {
    let db = TestDb::new();
    for args in [
        vec!["--schema", "pg_temp", "migrate"],
        vec!["--schema", "pg_temp_3", "migrate"],
        vec!["--schema", "pg_catalog", "migrate"],
        vec!["--schema", "information_schema", "check"],
        vec!["--schema", "pg_toast", "stats"],
        vec!["--table", "x", "--processed-table", "X", "migrate"],
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert_exit(&out, 2);
        assert_one_line_error(&out);
    }
    let tables: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relname IN ('x', 'outbox_messages')",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 0);
}

#[test]
fn check_without_a_dedup_table_passes_what_exists() {
    let db = TestDb::new();
    let out = db
        .cmd()
        .args(["migrate", "--only", "outbox"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let out = db.cmd().arg("check").output().unwrap();
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("processed_messages: not created"),
        "{}",
        stdout(&out)
    );
    let out = db
        .cmd()
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["ok"], true);
    let out = db
        .cmd()
        .args(["check", "--only", "processed"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
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

// ---------------------------------------------------------------------------------------
// 12. JSON numbers round-trip exactly
// ---------------------------------------------------------------------------------------

#[test]
fn json_numbers_round_trip_exactly() {
    let db = TestDb::new().migrated();
    let metadata = r#"{"ticket":123456789012345678901234567890,"amount":0.1000000000000000001}"#;
    let out = db
        .cmd()
        .args([
            "dedup",
            "mark",
            "g",
            "m",
            "--metadata",
            metadata,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let stored: String = db
        .client()
        .query_one("SELECT metadata::text FROM processed_messages", &[])
        .unwrap()
        .get(0);
    assert_eq!(
        stored,
        r#"{"amount": 0.1000000000000000001, "ticket": 123456789012345678901234567890}"#
    );
    for format in ["json", "ndjson", "csv"] {
        let out = db
            .cmd()
            .args(["dedup", "list", "--format", format])
            .output()
            .unwrap();
        let text = stdout(&out);
        assert!(
            text.contains("123456789012345678901234567890")
                && text.contains("0.1000000000000000001"),
            "{format}: {text}"
        );
    }
    let id: Uuid = db
        .client()
        .query_one(
            "INSERT INTO outbox_messages (topic, headers) VALUES ('t', '{\"n\": 123456789012345678901234567890}') RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    for args in [
        vec![
            "show".to_string(),
            id.to_string(),
            "--format".into(),
            "json".into(),
        ],
        vec!["list".into(), "--format".into(), "ndjson".into()],
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert!(
            stdout(&out).contains("123456789012345678901234567890"),
            "{}",
            stdout(&out)
        );
    }
}

// ---------------------------------------------------------------------------------------
// 13, 14. silent servers and --statement-timeout
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// 16. PgBouncer in transaction mode
// ---------------------------------------------------------------------------------------

/// Item 16: every command works through PgBouncer in transaction mode, and the pooled
/// server connection (one per database here) keeps no setting, prepared statement,
/// cursor or lock afterwards, including after a run that failed.
#[test]
fn every_command_works_through_pgbouncer_and_leaves_nothing_behind() {
    let db = TestDb::new();
    let bouncer = bouncer();
    let url = bouncer.url_for(db.server, &db.name);
    let via = |args: &[&str]| {
        let mut cmd = crate::harness::bare_cmd();
        cmd.env("DATABASE_URL", &url)
            .args(["--lock-timeout", "5s", "--statement-timeout", "60s"])
            .args(args);
        cmd.output().unwrap()
    };
    let out = via(&["migrate"]);
    assert_exit(&out, 0);
    Seed {
        n: 12_000,
        status: "CASE WHEN i % 3 = 0 THEN 'failed' WHEN i % 3 = 1 THEN 'processed' ELSE 'pending' END",
        processed_at: "CASE WHEN i % 3 = 1 THEN now() - interval '9 days' END",
        ..Default::default()
    }
    .insert(&mut db.client());
    let id: String = db
        .client()
        .query_one(
            "SELECT id::text FROM outbox_messages WHERE status = 'failed' LIMIT 1",
            &[],
        )
        .unwrap()
        .get(0);
    for args in crate::search_path::every_command(&id) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = via(&args);
        assert!(
            out.status.code().is_some_and(|c| c == 0 || c == 3),
            "{args:?} through PgBouncer: {}",
            stderr(&out)
        );
    }
    // A run that fails part-way (a lock it cannot get) leaves nothing either.
    let mut blocker = db.client();
    blocker
        .batch_execute("BEGIN; LOCK TABLE outbox_messages IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let mut cmd = crate::harness::bare_cmd();
    let out = cmd
        .env("DATABASE_URL", &url)
        .args(["--lock-timeout", "1s", "purge", "--before", "1d"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    blocker.batch_execute("ROLLBACK").unwrap();

    let mut pooled = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let show = |client: &mut postgres::Client, sql: &str| -> String {
        client
            .simple_query(sql)
            .unwrap()
            .into_iter()
            .find_map(|m| match m {
                postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
                _ => None,
            })
            .unwrap()
    };
    // Every setting as a fresh direct session has it.
    let mut direct = db.client();
    for setting in [
        "search_path",
        "statement_timeout",
        "lock_timeout",
        "synchronous_commit",
    ] {
        let sql = format!("SHOW {setting}");
        assert_eq!(
            show(&mut pooled, &sql),
            show(&mut direct, &sql),
            "{setting}"
        );
    }
    assert_eq!(
        show(&mut pooled, "SELECT count(*) FROM pg_prepared_statements"),
        "0"
    );
    assert_eq!(show(&mut pooled, "SELECT count(*) FROM pg_cursors"), "0");
    assert_eq!(
        show(
            &mut pooled,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
        ),
        "0"
    );
}

// ---------------------------------------------------------------------------------------
// 17. infinite and far-off timestamps
// ---------------------------------------------------------------------------------------

#[test]
fn infinite_timestamps_are_shown_and_do_not_blind_monitoring() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (topic, status, created_at, processed_at) VALUES
               ('t', 'pending', '-infinity', NULL),
               ('t', 'pending', now() - interval '2 hours', NULL),
               ('t', 'pending', 'infinity', NULL),
               ('t', 'processed', '4713-01-01 00:00:00+00 BC', 'infinity'),
               ('t', 'processed', now() - interval '3 days', '-infinity'),
               ('t', 'failed', '294276-01-01 00:00:00+00', '294276-12-31 23:59:59+00');
             INSERT INTO processed_messages (group_name, msg_id, processed_at) VALUES ('g', 'a', '-infinity'), ('g', 'b', 'infinity');",
        )
        .unwrap();
    let out = db
        .cmd()
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let stats = json_out(&out);
    assert_eq!(stats["outbox"]["oldest_pending_created_at"], "-infinity");
    assert!(
        stats["outbox"]["oldest_pending_age_seconds"].is_null(),
        "{stats}"
    );
    let age = stats["outbox"]["oldest_dated_pending_age_seconds"]
        .as_f64()
        .unwrap();
    assert!((7000.0..7400.0).contains(&age), "{stats}");
    assert_eq!(stats["dedup"]["oldest_processed_at"], "-infinity");
    // The threshold works on the dated rows.
    let out = db
        .cmd()
        .args(["stats", "--max-pending-age", "1h"])
        .output()
        .unwrap();
    assert_exit(&out, 3);
    let out = db
        .cmd()
        .args(["stats", "--max-pending-age", "3h"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    for args in [
        vec!["stats"],
        vec!["list", "--status", "all"],
        vec!["dedup", "list"],
        vec!["purge", "--before", "1d", "--dry-run"],
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert_exit(&out, 0);
    }
    let out = db
        .cmd()
        .args(["list", "--status", "all", "--format", "ndjson"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    for want in [
        "\"-infinity\"",
        "\"infinity\"",
        "\"-4712-01-01T00:00:00.000000Z\"",
        "\"+294276-12-31T23:59:59.000000Z\"",
    ] {
        assert!(text.contains(want), "{want} missing: {text}");
    }
    // purge takes the -infinity processed_at (older than any cutoff), not the infinity one.
    let out = db
        .cmd()
        .args(["purge", "--before", "1d", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["changed"], 1);
    let out = db
        .cmd()
        .args(["dedup", "purge", "--before", "1d", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["changed"], 1);
}

// ---------------------------------------------------------------------------------------
// 8. a server crash mid-purge: the account never overstates
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// Found by the hostile pass after the first round of fixes
// ---------------------------------------------------------------------------------------

/// A table whose columns have a domain or enum type makes the driver look the type up
/// with a prepared statement; behind PgBouncer that would stay on the pooled server
/// connection and break the next client ("prepared statement "s0" already exists").
#[test]
fn odd_column_types_leave_no_prepared_statement_behind_pgbouncer() {
    let db = TestDb::new();
    db.client()
        .batch_execute(
            "CREATE TYPE st AS ENUM ('pending', 'processing', 'processed', 'failed');
             CREATE DOMAIN topic_t AS text;
             CREATE TABLE outbox_messages (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), topic topic_t NOT NULL,
               key text NOT NULL DEFAULT '', payload bytea, headers jsonb DEFAULT '{}', status st NOT NULL DEFAULT 'pending',
               retries int NOT NULL DEFAULT 0, last_error text NOT NULL DEFAULT '', created_at timestamptz NOT NULL DEFAULT now(),
               processed_at timestamptz);
             INSERT INTO outbox_messages (topic, status) SELECT 't', 'failed' FROM generate_series(1, 30);",
        )
        .unwrap();
    let id: String = db
        .client()
        .query_one("SELECT id::text FROM outbox_messages LIMIT 1", &[])
        .unwrap()
        .get(0);
    let url = bouncer().url_for(db.server, &db.name);
    for args in [
        vec!["stats", "--by-topic"],
        vec!["list", "--status", "all"],
        vec!["show", &id],
        vec!["check"],
    ] {
        let out = crate::harness::bare_cmd()
            .env("DATABASE_URL", &url)
            .args(&args)
            .output()
            .unwrap();
        assert!(
            !stderr(&out).contains("already exists"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let mut pooled = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let rows = pooled
        .simple_query("SELECT count(*) FROM pg_prepared_statements")
        .unwrap();
    let count = rows.iter().find_map(|m| match m {
        postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
        _ => None,
    });
    assert_eq!(count.as_deref(), Some("0"));
}

/// jsonb nested as deep as PostgreSQL accepts, in headers and metadata, is shown like any
/// other value (serde_json alone stops at 128 levels).
#[test]
fn deeply_nested_json_does_not_blind_any_command() {
    let db = TestDb::new().migrated();
    let deep = format!("{}1{}", "{\"a\":".repeat(3000), "}".repeat(3000));
    let id: Uuid = db
        .client()
        .query_one(
            "INSERT INTO outbox_messages (topic, status, headers) VALUES ('deep', 'failed', $1::text::jsonb) RETURNING id",
            &[&deep],
        )
        .unwrap()
        .get(0);
    db.client()
        .execute(
            "INSERT INTO processed_messages (group_name, msg_id, metadata) VALUES ('g', 'm', $1::text::jsonb)",
            &[&deep],
        )
        .unwrap();
    let id = id.to_string();
    for args in [
        vec!["show", id.as_str(), "--format", "json"],
        vec!["show", id.as_str()],
        vec!["list", "--status", "all", "--format", "ndjson"],
        vec!["list", "--status", "all", "--format", "csv"],
        vec!["requeue", "--all", "--dry-run", "--format", "json"],
        vec!["dedup", "list", "--format", "json"],
        vec!["dedup", "check", "g", "m"],
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert_exit(&out, 0);
    }
    let out = db
        .cmd()
        .args(["list", "--status", "all", "--format", "ndjson"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains(&"{\"a\":".repeat(3000)),
        "the value is printed whole"
    );
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

/// Item 4 with subtransactions: a row written by a savepoint of a transaction that was in
/// progress when the run began (a snapshot lists no subtransactions) is still "after".
#[test]
fn rows_from_a_savepoint_that_spans_the_start_are_left_alone() {
    let db = TestDb::new().migrated();
    Seed {
        n: 20,
        status: "'failed'",
        ..Default::default()
    }
    .insert(&mut db.client());
    db.client()
        .batch_execute("CREATE TABLE scratch (n int)")
        .unwrap();
    // A long transaction with a savepoint that has its own transaction id.
    let mut long = db.client();
    long.batch_execute("BEGIN; SELECT 1; SAVEPOINT a; INSERT INTO scratch VALUES (1)")
        .unwrap();
    // A later committed transaction, so the savepoint's id is below the run's horizon.
    db.client()
        .batch_execute("INSERT INTO scratch VALUES (2)")
        .unwrap();
    let target: Uuid = db
        .client()
        .query_one("SELECT id FROM outbox_messages ORDER BY ctid LIMIT 1", &[])
        .unwrap()
        .get(0);
    // The savepoint fails the target again; it commits after the run began.
    let mut cmd = db.cmd();
    let child = cmd
        .args(["requeue", "--all", "--batch-size", "1", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while db.count(&format!("id = '{target}' AND status = 'pending'")) == 0 {
        assert!(
            Instant::now() < deadline,
            "the run never reached the first row"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    long.execute(
        "UPDATE outbox_messages SET status = 'failed' WHERE id = $1 AND status = 'pending'",
        &[&target],
    )
    .unwrap();
    long.batch_execute("COMMIT").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 0);
    let summary = json_out(&out);
    assert!(summary["changed"].as_u64().unwrap() <= 20, "{summary}");
    assert_eq!(
        db.count(&format!("id = '{target}' AND status = 'failed'")),
        1,
        "the message the savepoint failed again was requeued twice: {summary}"
    );
}

// ---------------------------------------------------------------------------------------
// Found by the third hostile pass
// ---------------------------------------------------------------------------------------

/// A row-lock timeout is a lock timeout (naming the blocker), not a trigger's failure.
#[test]
fn a_row_lock_timeout_names_the_blocker() {
    let db = TestDb::new().migrated();
    Seed {
        n: 50,
        status: "'failed'",
        ..Default::default()
    }
    .insert(&mut db.client());
    let mut blocker = db.client();
    blocker
        .batch_execute("SET application_name = 'row-holder'; BEGIN; SELECT 1 FROM outbox_messages WHERE key = 'key-1' FOR UPDATE")
        .unwrap();
    let out = db
        .cmd()
        .args(["requeue", "--all", "--lock-timeout", "2s"])
        .output()
        .unwrap();
    blocker.batch_execute("ROLLBACK").unwrap();
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(!err.contains("trigger"), "{err}");
    assert!(
        err.contains("--lock-timeout") && err.contains("row-holder"),
        "{err}"
    );
}

/// Hostile sizes: a 10,000-deep header and a 2 MB error make `show` print a bounded
/// preview, quickly; column names from a mapped dedup table are escaped.
#[test]
fn hostile_sizes_and_names_stay_bounded_and_escaped() {
    let db = TestDb::new().migrated();
    let id: Uuid = db
        .client()
        .query_one(
            "INSERT INTO outbox_messages (topic, status, headers, last_error)
             VALUES ('deep', 'failed', (repeat('[', 10000) || repeat(']', 10000))::jsonb, repeat('e', 2000000))
             RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    let started = Instant::now();
    let out = db.cmd().args(["show", &id.to_string()]).output().unwrap();
    assert_exit(&out, 0);
    assert!(out.stdout.len() < 100_000, "{} bytes", out.stdout.len());
    assert!(started.elapsed() < Duration::from_secs(20));
    let out = db
        .cmd()
        .args(["show", &id.to_string(), "--format", "json"])
        .output()
        .unwrap();
    assert!(out.stdout.len() < 3_000_000, "{} bytes", out.stdout.len());

    db.client()
        .batch_execute(
            "CREATE TABLE pm2 (\"g\x1b[31m\" text NOT NULL, \"id\nx\" text NOT NULL, m jsonb,
                 at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (\"g\x1b[31m\", \"id\nx\"));
             INSERT INTO pm2 VALUES ('g1', 'm1', '{}', now());",
        )
        .unwrap();
    for args in [
        vec!["--processed-table", "pm2", "dedup", "list"],
        vec!["--processed-table", "pm2", "check", "--only", "processed"],
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert!(!stdout(&out).contains('\x1b'), "{args:?}: {}", stdout(&out));
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
