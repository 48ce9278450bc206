//! A simulated relay running the library's own SQL (ARCHITECTURE.md §1) while outboxctl works on
//! the same table: afterwards every message is accounted for.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::assert_exit;
use crate::harness::TestDb;

const MAX_RETRIES: i32 = 5;

/// One relay worker: claim, then mark each claimed row processed or failed.
pub struct Relay {
    client: postgres::Client,
    rng: u64,
    failure_percent: u64,
}

impl Relay {
    pub fn new(db: &TestDb, seed: u64, failure_percent: u64) -> Self {
        Self {
            client: db.client(),
            rng: seed,
            failure_percent,
        }
    }

    fn next_random(&mut self) -> u64 {
        // xorshift64: deterministic for a given seed, no dependency.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    /// Claims and finishes one batch; returns how many rows it claimed and the ids it
    /// marked processed.
    pub fn step(&mut self, limit: i64) -> (usize, Vec<Uuid>) {
        let claimed: Vec<Uuid> = self
            .client
            .query(
                "UPDATE outbox_messages SET status = 'processing'
                  WHERE id IN (SELECT id FROM outbox_messages WHERE status = 'pending'
                                ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT $1)
                 RETURNING id",
                &[&limit],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut processed = Vec::new();
        for id in &claimed {
            if self.next_random() % 100 < self.failure_percent {
                self.client
                    .execute(
                        "UPDATE outbox_messages SET retries = retries + 1, last_error = $2,
                                status = CASE WHEN retries + 1 >= $3 THEN 'failed' ELSE 'pending' END
                          WHERE id = $1",
                        &[id, &"simulated failure", &MAX_RETRIES],
                    )
                    .unwrap();
            } else {
                processed.push(*id);
            }
        }
        if !processed.is_empty() {
            self.client
                .execute(
                    "UPDATE outbox_messages SET status = 'processed', processed_at = now() WHERE id = ANY($1)",
                    &[&processed],
                )
                .unwrap();
        }
        (claimed.len(), processed)
    }
}

#[test]
fn outboxctl_and_a_live_relay_lose_nothing() {
    let db = Arc::new(TestDb::new().migrated());
    let inserted: Vec<Uuid> = db
        .client()
        .query(
            "INSERT INTO outbox_messages (topic, payload, created_at)
             SELECT 'topic-' || (i % 7), convert_to('m' || i, 'UTF8'), now() - interval '1 hour' + i * interval '1 ms'
               FROM generate_series(1, 20000) i RETURNING id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();

    let stop = Arc::new(AtomicBool::new(false));
    let ever_processed = Arc::new(Mutex::new(HashSet::new()));
    let relays: Vec<_> = (0..4)
        .map(|n| {
            let db = Arc::clone(&db);
            let stop = Arc::clone(&stop);
            let ever_processed = Arc::clone(&ever_processed);
            std::thread::spawn(move || {
                let mut relay = Relay::new(&db, 0x9E37_79B9_7F4A_7C15 ^ (n + 1), 30);
                while !stop.load(Ordering::Relaxed) {
                    let (claimed, processed) = relay.step(50);
                    ever_processed.lock().unwrap().extend(processed);
                    if claimed == 0 {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                }
            })
        })
        .collect();

    // outboxctl works on the same table meanwhile, for a bounded time.
    let deadline = Instant::now() + Duration::from_secs(12);
    let mut rounds = 0;
    while Instant::now() < deadline {
        for args in [
            vec!["requeue", "--all", "--batch-size", "500"],
            vec![
                "requeue",
                "--all",
                "--stuck",
                "--before",
                "0s",
                "--batch-size",
                "500",
            ],
            vec!["purge", "--before", "0s", "--batch-size", "500"],
            vec![
                "list", "--status", "all", "--limit", "100", "--format", "json",
            ],
        ] {
            let out = db.cmd().args(&args).args(["--quiet"]).output().unwrap();
            assert_exit(&out, 0);
        }
        rounds += 1;
    }
    stop.store(true, Ordering::Relaxed);
    for relay in relays {
        relay.join().unwrap();
    }
    assert!(rounds >= 2, "outboxctl ran only {rounds} rounds");

    // Drain: requeue what failed or was left claimed, deliver everything without failures.
    let mut relay = Relay::new(&db, 7, 0);
    for _ in 0..100 {
        for args in [
            vec!["requeue", "--all"],
            vec!["requeue", "--all", "--stuck", "--before", "0s"],
        ] {
            assert_exit(&db.cmd().args(&args).arg("--quiet").output().unwrap(), 0);
        }
        loop {
            let (claimed, processed) = relay.step(500);
            ever_processed.lock().unwrap().extend(processed);
            if claimed == 0 {
                break;
            }
        }
        let open: i64 = db
            .client()
            .query_one(
                "SELECT count(*) FROM outbox_messages WHERE status <> 'processed'",
                &[],
            )
            .unwrap()
            .get(0);
        if open == 0 {
            break;
        }
    }

    let present: HashSet<Uuid> = db
        .client()
        .query("SELECT id FROM outbox_messages", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let statuses: Vec<(String, i64)> = db
        .client()
        .query(
            "SELECT status, count(*) FROM outbox_messages GROUP BY status",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert!(
        statuses.iter().all(|(s, _)| s == "processed"),
        "left over: {statuses:?}"
    );
    let ever_processed = ever_processed.lock().unwrap();
    for id in &inserted {
        // Every message is still there (processed) or was purged after being processed:
        // purge never took a pending, processing or failed row.
        assert!(
            present.contains(id) || ever_processed.contains(id),
            "message {id} vanished without ever being processed"
        );
    }
    let inserted: HashSet<Uuid> = inserted.into_iter().collect();
    assert!(present.is_subset(&inserted));
}
