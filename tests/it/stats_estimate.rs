//! `stats --estimate`: pending counted exactly through its index, the rest from the
//! planner's statistics, no scan; chosen by itself above 5,000,000 rows.

use std::time::Duration;

use crate::harness::{Seed, TestDb};
use crate::{assert_exit, json_out, stderr, stdout};

fn seeded() -> TestDb {
    let db = TestDb::new().migrated();
    let mut client = db.client();
    Seed {
        n: 40_000,
        status: "CASE WHEN i % 10 < 7 THEN 'processed' WHEN i % 10 < 9 THEN 'pending' ELSE 'failed' END",
        ..Default::default()
    }
    .insert(&mut client);
    client
        .batch_execute(
            "INSERT INTO processed_messages (group_name, msg_id)
                  SELECT 'g' || (i % 5), 'm' || i FROM generate_series(1, 20000) AS i;",
        )
        .unwrap();
    db
}

fn sequential_scans(db: &TestDb) -> i64 {
    db.client()
        .query_one(
            "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'outbox_messages'",
            &[],
        )
        .unwrap()
        .get(0)
}

fn within(actual: i64, expected: i64, share: f64) -> bool {
    (actual - expected).abs() as f64 <= expected as f64 * share
}

#[test]
fn estimate_counts_pending_exactly_and_the_rest_without_a_scan() {
    let db = seeded();
    // Never analyzed: nothing to estimate from, so every row is counted, and it says so.
    let out = db
        .cmd()
        .args(["stats", "--estimate", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["outbox"]["estimated"], false);
    assert!(stderr(&out).contains("never analyzed"), "{}", stderr(&out));

    db.client()
        .batch_execute("ANALYZE outbox_messages; ANALYZE processed_messages;")
        .unwrap();
    // Statistics reach the shared counters when a backend ends.
    std::thread::sleep(Duration::from_millis(1200));
    let scans_before = sequential_scans(&db);
    let out = db
        .cmd()
        .args([
            "stats",
            "--estimate",
            "--format",
            "json",
            "--max-failed",
            "0",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 3);
    let json = json_out(&out);
    let outbox = &json["outbox"];
    assert_eq!(outbox["estimated"], true);
    assert_eq!(outbox["by_status"]["pending"], 8000, "pending is exact");
    let processed = outbox["by_status"]["processed"].as_i64().unwrap();
    let failed = outbox["by_status"]["failed"].as_i64().unwrap();
    assert!(within(processed, 28_000, 0.1), "processed ~{processed}");
    assert!(within(failed, 4_000, 0.2), "failed ~{failed}");
    assert!(outbox["oldest_pending_created_at"].is_string());
    assert_eq!(json["dedup"]["estimated"], true);
    assert!(within(
        json["dedup"]["total"].as_i64().unwrap(),
        20_000,
        0.1
    ));
    assert_eq!(json["dedup"]["groups"], 5);
    let breach = &json["breaches"][0];
    assert_eq!(breach["threshold"], "max_failed");
    assert_eq!(breach["estimated"], true);
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(
        sequential_scans(&db),
        scans_before,
        "--estimate read the outbox table sequentially"
    );

    // Humans see which figures are estimates.
    let out = db.cmd().args(["stats", "--estimate"]).output().unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("~"), "{text}");
    assert!(
        text.contains("estimated from the planner's statistics"),
        "{text}"
    );
    assert!(text.contains("8,000"), "pending shown exactly: {text}");

    // --by-topic counts every row: it cannot be estimated.
    let out = db
        .cmd()
        .args(["stats", "--estimate", "--by-topic"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
}

#[test]
fn a_large_table_is_estimated_by_itself_unless_exact_is_asked() {
    let db = seeded();
    let mut admin = db.client();
    admin
        .batch_execute("ANALYZE outbox_messages; ANALYZE processed_messages;")
        .unwrap();
    // The planner believes the table holds 10 million rows (as it would after ANALYZE of
    // a big one); nothing else changes.
    admin
        .batch_execute(
            "UPDATE pg_class SET reltuples = reltuples * 250 WHERE relname = 'outbox_messages'",
        )
        .unwrap();
    let out = db
        .cmd()
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let json = json_out(&out);
    assert_eq!(json["outbox"]["estimated"], true, "{json:#}");
    assert!(json["outbox"]["total"].as_i64().unwrap() > 5_000_000);
    assert_eq!(json["outbox"]["by_status"]["pending"], 8000);

    let out = db
        .cmd()
        .args(["stats", "--exact", "--format", "json"])
        .output()
        .unwrap();
    let json = json_out(&out);
    assert_eq!(json["outbox"]["estimated"], false);
    assert_eq!(json["outbox"]["total"], 40_000);
    // --by-topic needs every row, so it counts them.
    let out = db
        .cmd()
        .args(["stats", "--by-topic", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(json_out(&out)["outbox"]["estimated"], false);
}
