//! outboxctl beside a relay that keeps moving rows and sessions that hold them: each run
//! changes a row at most once, never one that qualified only after it began, and a lock
//! it waits for is named.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use uuid::Uuid;

use crate::harness::{Seed, TestDb};
use crate::{assert_exit, json_out, stderr};

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
