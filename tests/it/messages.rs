//! stats, list, show, requeue and purge against a real server.

use serde_json::Value;

use crate::harness::{Seed, TestDb, table_digest};
use crate::{assert_exit, assert_one_line_error, json_out, stderr, stdout};

/// A table with a known mix: 6 pending, 2 processing, 5 processed (two old), 3 failed.
fn mixed() -> TestDb {
    let db = TestDb::new().migrated();
    let mut c = db.client();
    Seed {
        n: 6,
        ..Default::default()
    }
    .insert(&mut c);
    Seed {
        n: 2,
        status: "'processing'",
        topic: "'billing'",
        ..Default::default()
    }
    .insert(&mut c);
    Seed {
        n: 5,
        status: "'processed'",
        processed_at: "now() - i * interval '2 days'",
        created_at: "now() - i * interval '2 days' - interval '1 minute'",
        ..Default::default()
    }
    .insert(&mut c);
    Seed {
        n: 3,
        status: "'failed'",
        topic: "'billing'",
        retries: "5",
        last_error: "'dial tcp: i/o timeout #' || i",
        created_at: "now() - i * interval '1 hour'",
        ..Default::default()
    }
    .insert(&mut c);
    db
}

#[test]
fn stats_counts_every_status() {
    let db = mixed();
    let out = db
        .cmd()
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let stats = json_out(&out);
    assert_eq!(stats["outbox"]["total"], 16);
    assert_eq!(stats["outbox"]["by_status"]["pending"], 6);
    assert_eq!(stats["outbox"]["by_status"]["processing"], 2);
    assert_eq!(stats["outbox"]["by_status"]["processed"], 5);
    assert_eq!(stats["outbox"]["by_status"]["failed"], 3);
    let age = stats["outbox"]["oldest_pending_age_seconds"]
        .as_f64()
        .unwrap();
    assert!(
        (355.0..=420.0).contains(&age),
        "oldest pending is 6 minutes old, got {age}"
    );
    assert_eq!(stats["dedup"]["exists"], true);
    assert_eq!(stats["dedup"]["total"], 0);
    assert_eq!(stats["breaches"], Value::Array(vec![]));
    assert!(stats["outbox"].get("by_topic").is_none());

    let out = db
        .cmd()
        .args(["stats", "--by-topic", "--format", "json"])
        .output()
        .unwrap();
    let stats = json_out(&out);
    assert_eq!(stats["outbox"]["by_topic"]["billing"]["failed"], 3);
    assert_eq!(stats["outbox"]["by_topic"]["billing"]["processing"], 2);
    assert_eq!(stats["outbox"]["by_topic"]["billing"]["total"], 5);
    assert_eq!(stats["outbox"]["by_topic"]["orders"]["pending"], 6);

    let out = db.cmd().args(["stats", "--by-topic"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("billing"));
}

#[test]
fn stats_thresholds_exit_3_and_say_which() {
    let db = mixed();
    let ok = db
        .cmd()
        .args([
            "stats",
            "--max-pending-age",
            "1h",
            "--max-failed",
            "3",
            "--max-pending",
            "6",
        ])
        .output()
        .unwrap();
    assert_exit(&ok, 0);
    let out = db
        .cmd()
        .args([
            "stats",
            "--max-pending-age",
            "5m",
            "--max-failed",
            "2",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 3);
    let stats = json_out(&out);
    let breaches: Vec<&str> = stats["breaches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["threshold"].as_str().unwrap())
        .collect();
    assert_eq!(breaches, vec!["max_pending_age", "max_failed"]);
    assert!(
        stderr(&out).contains("3 failed messages (limit 2)"),
        "{}",
        stderr(&out)
    );
    let out = db
        .cmd()
        .args(["stats", "--max-pending", "5"])
        .output()
        .unwrap();
    assert_exit(&out, 3);
    assert!(stdout(&out).contains("BREACHED: 6 pending messages (limit 5)"));
}

#[test]
fn stats_on_an_empty_table_and_without_the_dedup_table() {
    let db = TestDb::new();
    assert_exit(
        &db.cmd()
            .args(["migrate", "--only", "outbox"])
            .output()
            .unwrap(),
        0,
    );
    let out = db
        .cmd()
        .args(["stats", "--format", "json", "--max-pending-age", "1s"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let stats = json_out(&out);
    assert_eq!(stats["outbox"]["total"], 0);
    assert_eq!(stats["outbox"]["by_status"]["failed"], 0);
    assert_eq!(stats["outbox"]["oldest_pending_created_at"], Value::Null);
    assert_eq!(stats["dedup"]["exists"], false);
    let out = db.cmd().arg("stats").output().unwrap();
    assert!(
        stdout(&out).contains("no (run \"outboxctl migrate\")"),
        "{}",
        stdout(&out)
    );
}

fn ids(out: &std::process::Output) -> Vec<String> {
    json_out(out)
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect()
}

fn listed(db: &TestDb, args: &[&str]) -> Vec<Value> {
    let out = db
        .cmd()
        .arg("list")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    json_out(&out).as_array().unwrap().clone()
}

#[test]
fn list_defaults_to_pending_and_failed_oldest_first() {
    let db = mixed();
    let rows = listed(&db, &[]);
    assert_eq!(rows.len(), 9);
    assert!(
        rows.iter()
            .all(|r| r["status"] == "pending" || r["status"] == "failed")
    );
    let times: Vec<&str> = rows
        .iter()
        .map(|r| r["created_at"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
    let newest = listed(&db, &["--order", "newest"]);
    assert_eq!(newest.first().unwrap()["id"], rows.last().unwrap()["id"]);
    assert_eq!(listed(&db, &["--status", "all"]).len(), 16);
    assert_eq!(listed(&db, &["--status", "processed,processing"]).len(), 7);
    assert_eq!(
        listed(&db, &["--status", "processed", "--status", "failed"]).len(),
        8
    );
    assert_eq!(listed(&db, &["--limit", "4"]).len(), 4);
    assert_eq!(listed(&db, &["--status", "all", "--limit", "0"]).len(), 16);
}

#[test]
fn list_filters() {
    let db = mixed();
    assert_eq!(
        listed(&db, &["--status", "all", "--topic", "billing"]).len(),
        5
    );
    assert_eq!(
        listed(
            &db,
            &["--status", "all", "--topic", "billing", "--topic", "orders"]
        )
        .len(),
        16
    );
    assert_eq!(listed(&db, &["--status", "all", "--key", "key-3"]).len(), 3);
    assert_eq!(
        listed(&db, &["--status", "all", "--header", "n=2"]).len(),
        4
    );
    assert_eq!(
        listed(
            &db,
            &["--status", "all", "--header", "n=2", "--topic", "billing"]
        )
        .len(),
        2
    );
    assert_eq!(
        listed(&db, &["--status", "all", "--error-contains", "I/O TIMEOUT"]).len(),
        3
    );
    assert_eq!(
        listed(&db, &["--status", "all", "--error-contains", "#2"]).len(),
        1
    );
    // LIKE wildcards in the text match literally.
    assert_eq!(
        listed(&db, &["--status", "all", "--error-contains", "%"]).len(),
        0
    );
    assert_eq!(
        listed(&db, &["--status", "failed", "--after", "150m"]).len(),
        2
    );
    assert_eq!(
        listed(&db, &["--status", "failed", "--before", "150m"]).len(),
        1
    );
    let far_past = "2000-01-01";
    assert_eq!(
        listed(&db, &["--status", "all", "--after", far_past]).len(),
        16
    );
    assert_eq!(
        listed(
            &db,
            &["--status", "all", "--before", "2000-01-01T00:00:00Z"]
        )
        .len(),
        0
    );
}

#[test]
fn list_machine_formats_carry_every_column() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (id, topic, key, payload, headers, status, last_error, created_at) VALUES
               ('00000000-0000-0000-0000-000000000001', 'bin', 'k', '\\xff00fe', '{\"a\":\"1\"}', 'failed',
                'line one\nline \"two\", with comma', '2026-01-02T03:04:05.123456Z'),
               ('00000000-0000-0000-0000-000000000002', 'nul', '', NULL, NULL, 'pending', '', '2026-01-02T03:04:06Z')",
        )
        .unwrap();
    let rows = listed(&db, &[]);
    assert_eq!(rows[0]["id"], "00000000-0000-0000-0000-000000000001");
    assert_eq!(rows[0]["payload"], "/wD+");
    assert_eq!(rows[0]["payload_encoding"], "base64");
    assert_eq!(rows[0]["headers"]["a"], "1");
    assert_eq!(rows[0]["last_error"], "line one\nline \"two\", with comma");
    assert_eq!(rows[0]["created_at"], "2026-01-02T03:04:05.123456Z");
    assert_eq!(rows[0]["processed_at"], Value::Null);
    assert_eq!(rows[1]["payload"], Value::Null);
    assert_eq!(rows[1]["payload_encoding"], Value::Null);
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        vec![
            "id",
            "topic",
            "key",
            "payload",
            "payload_encoding",
            "headers",
            "status",
            "retries",
            "last_error",
            "created_at",
            "processed_at"
        ]
    );

    let out = db
        .cmd()
        .args(["list", "--format", "ndjson"])
        .output()
        .unwrap();
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, rows);

    let out = db.cmd().args(["list", "--format", "csv"]).output().unwrap();
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        vec![
            "id",
            "topic",
            "key",
            "payload",
            "payload_encoding",
            "headers",
            "status",
            "retries",
            "last_error",
            "created_at",
            "processed_at"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2);
    assert_eq!(&records[0][8], "line one\nline \"two\", with comma");
    assert_eq!(&records[0][5], "{\"a\":\"1\"}");

    // An empty result is still a valid document.
    let out = db
        .cmd()
        .args(["list", "--status", "processing", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(json_out(&out), Value::Array(vec![]));
    let out = db
        .cmd()
        .args(["list", "--status", "processing", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out).lines().count(), 1);

    let out = db.cmd().arg("list").output().unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("00000000-0000-0000-0000-000000000001"));
    assert!(stderr(&out).contains("2 messages"));
}

#[test]
fn list_streams_200k_rows() {
    let db = TestDb::new().migrated();
    Seed {
        n: 200_000,
        status: "'processed'",
        processed_at: "now()",
        ..Default::default()
    }
    .insert(&mut db.client());
    let out = db
        .cmd()
        .args([
            "list",
            "--status",
            "processed",
            "--limit",
            "0",
            "--format",
            "ndjson",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 200_000);
    let mut ids = std::collections::HashSet::new();
    for line in text.lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        assert!(ids.insert(row["id"].as_str().unwrap().to_string()));
    }
}

#[test]
fn list_rejects_bad_input() {
    let db = TestDb::new().migrated();
    for args in [
        vec!["--status", "done"],
        vec!["--limit", "-1"],
        vec!["--limit", "lots"],
        vec!["--after", "7x"],
        vec!["--before", "yesterday"],
        vec!["--header", "novalue"],
        vec!["--order", "random"],
    ] {
        let out = db
            .cmd()
            .arg("list")
            .args(&args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert_exit(&out, 2);
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
}

#[test]
fn commands_on_a_missing_or_drifted_table_say_what_to_do() {
    let db = TestDb::new();
    for args in [
        vec!["stats"],
        vec!["list"],
        vec!["purge", "--before", "1d"],
        vec!["requeue", "--all"],
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert_exit(&out, 1);
        assert_one_line_error(&out);
        assert!(
            stderr(&out).contains("run \"outboxctl migrate\""),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute("ALTER TABLE outbox_messages DROP COLUMN last_error")
        .unwrap();
    let out = db
        .cmd()
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    assert!(
        stderr(&out).contains("run \"outboxctl check\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn show_one_message() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (id, topic, key, payload, headers, status, last_error) VALUES
               ('1b4e28ba-2fa1-11d2-883f-0016d3cca427', 'orders', 'k1', '\\x00014142ff', '{\"trace\":\"abc\"}', 'failed', 'boom')",
        )
        .unwrap();
    let out = db
        .cmd()
        .args(["show", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("\"trace\": \"abc\""), "{text}");
    assert!(text.contains("00000000  00 01 41 42 ff"), "{text}");
    assert!(text.contains("boom"));
    let out = db
        .cmd()
        .args([
            "show",
            "1B4E28BA-2FA1-11D2-883F-0016D3CCA427",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let message = json_out(&out);
    assert_eq!(message["payload"], "AAFBQv8=");
    assert_eq!(message["status"], "failed");

    let out = db.cmd().args(["show", "not-a-uuid"]).output().unwrap();
    assert_exit(&out, 2);
    assert_one_line_error(&out);
    let out = db
        .cmd()
        .args(["show", "9f0c7e2a-0000-4000-8000-000000000000"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("no message with id 9f0c7e2a-0000-4000-8000-000000000000"));
}

fn status_of(db: &TestDb, id: &str) -> Option<(String, i32, String, bool)> {
    db.client()
        .query_opt(
            "SELECT status, retries, last_error, processed_at IS NOT NULL FROM outbox_messages WHERE id = $1::text::uuid",
            &[&id],
        )
        .unwrap()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
}

#[test]
fn requeue_by_id_reports_every_id() {
    let db = mixed();
    let failed = ids(&db
        .cmd()
        .args(["list", "--status", "failed", "--format", "json"])
        .output()
        .unwrap());
    let pending = ids(&db
        .cmd()
        .args([
            "list", "--status", "pending", "--limit", "1", "--format", "json",
        ])
        .output()
        .unwrap());
    let missing = "9f0c7e2a-0000-4000-8000-000000000000";
    let out = db
        .cmd()
        .args([
            "requeue",
            &failed[0],
            &failed[1],
            &pending[0],
            missing,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    // Like `rm a b` with a missing b: the rest is done, and the exit code says it.
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains(
            "2 of 4 messages named could not be requeued: 1 not found, 1 in another state"
        ),
        "{}",
        stderr(&out)
    );
    let summary = json_out(&out);
    assert_eq!(summary["changed"], 2);
    assert_eq!(summary["not_found"], 1);
    let results: Vec<&str> = summary["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["result"].as_str().unwrap())
        .collect();
    assert_eq!(
        results,
        vec![
            "requeued",
            "requeued",
            "skipped: status is 'pending', not 'failed'",
            "not found"
        ]
    );
    let (status, retries, last_error, _) = status_of(&db, &failed[0]).unwrap();
    assert_eq!((status.as_str(), retries), ("pending", 0));
    assert!(
        last_error.starts_with("dial tcp"),
        "last_error is kept for history"
    );
    assert_eq!(status_of(&db, &failed[2]).unwrap().0, "failed");

    // Human output names what was not requeued.
    let out = db.cmd().args(["requeue", missing]).output().unwrap();
    assert_exit(&out, 1);
    assert!(stderr(&out).contains(&format!("{missing}: not found")));

    for bad in [
        vec!["requeue"],
        vec!["requeue", "nope"],
        vec!["requeue", missing, "--all"],
        vec!["requeue", missing, "--topic", "x"],
    ] {
        let out = db.cmd().args(&bad).output().unwrap();
        assert_exit(&out, 2);
        assert_one_line_error(&out);
    }
}

#[test]
fn requeue_all_with_filters_and_modes() {
    let db = mixed();
    // --keep-retries keeps the count.
    let out = db
        .cmd()
        .args([
            "requeue",
            "--all",
            "--error-contains",
            "#1",
            "--keep-retries",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["changed"], 1);
    assert_eq!(db.count("status = 'pending' AND retries = 5"), 1);
    // The rest of the failed rows.
    let out = db
        .cmd()
        .args(["requeue", "--all", "--topic", "billing", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(json_out(&out)["changed"], 2);
    assert_eq!(db.count("status = 'failed'"), 0);
    assert_eq!(
        db.count("status = 'pending' AND retries = 0 AND last_error <> ''"),
        2
    );

    // --stuck takes processing rows aged by created_at: 15 minutes without --before,
    // as stats and watch count them.
    let out = db
        .cmd()
        .args(["requeue", "--all", "--stuck", "--dry-run"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let out = db
        .cmd()
        .args(["requeue", "--all", "--stuck", "--before", "90s"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("warning: a relay that is still alive"));
    assert_eq!(
        db.count("status = 'processing'"),
        1,
        "only the one created more than 90s ago"
    );

    // --replay re-delivers processed rows and clears processed_at.
    let out = db
        .cmd()
        .args([
            "requeue", "--all", "--replay", "--after", "3d", "--format", "json",
        ])
        .output()
        .unwrap();
    assert_eq!(json_out(&out)["changed"], 1);
    assert_eq!(
        db.count("status = 'pending' AND processed_at IS NOT NULL"),
        0
    );
    assert_eq!(db.count("status = 'processed'"), 4);
}

#[test]
fn requeue_and_purge_dry_runs_change_nothing() {
    let db = mixed();
    let before = table_digest(&mut db.client(), "outbox_messages");
    let out = db
        .cmd()
        .args(["requeue", "--all", "--dry-run", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let summary = json_out(&out);
    assert_eq!(summary["matched"], 3);
    assert_eq!(summary["changed"], 0);
    assert_eq!(summary["dry_run"], true);
    assert_eq!(summary["sample"].as_array().unwrap().len(), 3);
    let out = db
        .cmd()
        .args(["purge", "--before", "1d", "--dry-run"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("dry run: would delete 5 messages"),
        "{}",
        stderr(&out)
    );
    let out = db
        .cmd()
        .args(["requeue", "--dry-run", "--replay", "--all"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let failed = ids(&db
        .cmd()
        .args(["list", "--status", "failed", "--format", "json"])
        .output()
        .unwrap());
    let out = db
        .cmd()
        .args(["requeue", "--dry-run", &failed[0], "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(json_out(&out)["ids"][0]["result"], "would requeue");
    assert_eq!(table_digest(&mut db.client(), "outbox_messages"), before);
}

#[test]
fn purge_follows_the_retention_rule() {
    let db = mixed();
    // Processed 2, 4, 6, 8, 10 days ago; failed 1, 2, 3 hours ago.
    let out = db
        .cmd()
        .args(["purge", "--before", "5d", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["changed"], 3);
    assert_eq!(db.count("status = 'processed'"), 2);
    // Pending and processing are never deleted, however old the cutoff.
    let out = db
        .cmd()
        .args([
            "purge",
            "--before",
            "0s",
            "--include-failed",
            "--topic",
            "billing",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(db.count("status = 'failed'"), 0);
    assert_eq!(
        db.count("status = 'processed'"),
        2,
        "the topic filter kept the orders rows"
    );
    let out = db.cmd().args(["purge", "--before", "0s"]).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(db.count("status = 'processed'"), 0);
    assert_eq!(db.count("status = 'pending'"), 6);
    assert_eq!(db.count("status = 'processing'"), 2);

    // A future cutoff is refused, and so is none.
    for args in [
        vec!["purge", "--before", "2999-01-01"],
        vec!["purge"],
        vec!["purge", "--before", "-5d"],
        vec!["purge", "--before", "1d", "--batch-size", "0"],
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert_exit(&out, 2);
        assert_one_line_error(&out);
    }
}

#[test]
fn purge_in_many_batches_is_exact() {
    let db = TestDb::new().migrated();
    let mut c = db.client();
    // Interleave old processed rows with rows that must survive.
    c.batch_execute(
        "INSERT INTO outbox_messages (topic, status, created_at, processed_at)
         SELECT 't', CASE WHEN i % 3 = 0 THEN 'pending' WHEN i % 3 = 1 THEN 'processed' ELSE 'failed' END,
                now() - interval '30 days', CASE WHEN i % 3 = 1 THEN now() - interval '20 days' END
           FROM generate_series(1, 30000) i",
    )
    .unwrap();
    let out = db
        .cmd()
        .args([
            "purge",
            "--before",
            "7d",
            "--batch-size",
            "700",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let summary = json_out(&out);
    assert_eq!(summary["changed"], 10_000);
    assert!(
        summary["batches"].as_u64().unwrap() >= 10_000 / 700,
        "{summary}"
    );
    assert_eq!(db.count("status = 'processed'"), 0);
    assert_eq!(db.count("status <> 'processed'"), 20_000);
    // Rerunning finds nothing more.
    let out = db
        .cmd()
        .args(["purge", "--before", "7d", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(json_out(&out)["changed"], 0);
}

/// Starts a mutation, waits until `count(condition)` moves away from `initial` (a batch
/// committed), then sends SIGINT as Ctrl-C would.
fn interrupt_after_progress(
    db: &TestDb,
    args: &[&str],
    condition: &str,
    initial: i64,
) -> (std::process::Output, Value) {
    let child = db
        .cmd()
        .args(args)
        .args(["--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while db.count(condition) == initial {
        assert!(
            std::time::Instant::now() < deadline,
            "the command made no progress"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    let summary = json_out(&out);
    (out, summary)
}

#[test]
fn ctrl_c_during_purge_keeps_whole_batches_and_the_rerun_finishes() {
    let db = TestDb::new().migrated();
    Seed {
        n: 120_000,
        status: "'processed'",
        processed_at: "now() - interval '10 days'",
        ..Default::default()
    }
    .insert(&mut db.client());
    let (out, summary) = interrupt_after_progress(
        &db,
        &["purge", "--before", "1d", "--batch-size", "50"],
        "TRUE",
        120_000,
    );
    assert_exit(&out, 130);
    assert_eq!(summary["interrupted"], true);
    let changed = summary["changed"].as_i64().unwrap();
    assert!(changed > 0 && changed < 120_000, "{summary}");
    assert_eq!(
        db.count("TRUE"),
        120_000 - changed,
        "exactly the committed batches are gone"
    );
    assert!(
        stderr(&out).contains("interrupted by Ctrl-C (SIGINT) after"),
        "{}",
        stderr(&out)
    );
    let out = db
        .cmd()
        .args(["purge", "--before", "1d", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        json_out(&out)["changed"].as_i64().unwrap(),
        120_000 - changed
    );
    assert_eq!(db.count("TRUE"), 0);
}

#[test]
fn ctrl_c_during_requeue_keeps_whole_batches() {
    let db = TestDb::new().migrated();
    Seed {
        n: 60_000,
        status: "'failed'",
        retries: "5",
        ..Default::default()
    }
    .insert(&mut db.client());
    let (out, summary) = interrupt_after_progress(
        &db,
        &["requeue", "--all", "--batch-size", "25"],
        "status = 'pending'",
        0,
    );
    assert_exit(&out, 130);
    let changed = summary["changed"].as_i64().unwrap();
    assert!(changed > 0 && changed < 60_000, "{summary}");
    assert_eq!(db.count("status = 'pending'"), changed);
    let out = db
        .cmd()
        .args(["requeue", "--all", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        json_out(&out)["changed"].as_i64().unwrap(),
        60_000 - changed
    );
}

#[test]
fn a_filter_selects_by_itself_but_nothing_is_not_everything() {
    let db = mixed();
    // No selection at all: refused, whatever the mode.
    for args in [
        vec!["requeue"],
        vec!["requeue", "--replay"],
        vec!["requeue", "--keep-retries"],
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert_exit(&out, 2);
        assert!(
            stderr(&out).contains("nothing selected"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = db
        .cmd()
        .args(["requeue", "--stuck", "--before", "90s", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["changed"], 1);
    let out = db
        .cmd()
        .args(["requeue", "--error-contains", "#2", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(json_out(&out)["changed"], 1);
    assert_eq!(db.count("status = 'failed'"), 2);
}

/// Runs a command on a pseudo-terminal (util-linux `script`), typing `answer` at its
/// prompt once the prompt is on the screen, as an operator at a shell would. An empty
/// answer types nothing.
fn on_terminal(db: &TestDb, args: &str, answer: &str) -> std::process::Output {
    use std::io::{Read, Write};
    use std::sync::{Arc, Mutex};
    let binary = assert_cmd::cargo::cargo_bin("outboxctl");
    let mut child = std::process::Command::new("script")
        .args(["-qec", &format!("{} {args}", binary.display()), "/dev/null"])
        .env("DATABASE_URL", db.url())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs the command on a terminal");
    let mut stdin = child.stdin.take().unwrap();
    let screen = Arc::new(Mutex::new(Vec::new()));
    let reader = {
        let screen = Arc::clone(&screen);
        let mut stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                screen.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        })
    };
    if !answer.is_empty() {
        let started = std::time::Instant::now();
        while !String::from_utf8_lossy(&screen.lock().unwrap()).contains("[y/N]") {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "no prompt after 30 s: {}",
                String::from_utf8_lossy(&screen.lock().unwrap())
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        stdin.write_all(answer.as_bytes()).unwrap();
    }
    drop(stdin);
    let mut stderr = Vec::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_end(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let stdout = screen.lock().unwrap().clone();
    std::process::Output {
        status,
        stdout,
        stderr,
    }
}

#[test]
fn a_filter_selection_asks_on_a_terminal() {
    let db = mixed();
    let out = on_terminal(&db, "purge --before 1d", "n\n");
    assert!(
        stdout(&out).contains("Delete 5 processed messages older than"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("aborted: nothing was deleted"),
        "{}",
        stdout(&out)
    );
    assert_exit(&out, 1);
    assert_eq!(db.count("status = 'processed'"), 5);

    let out = on_terminal(&db, "purge --before 1d", "y\n");
    assert!(
        stdout(&out).contains("deleted 5 processed messages"),
        "{}",
        stdout(&out)
    );
    assert_exit(&out, 0);
    assert_eq!(db.count("status = 'processed'"), 0);

    // --yes skips the question; ids never ask.
    let out = on_terminal(&db, "requeue --all --yes", "");
    assert!(
        stdout(&out).contains("requeued 3 failed messages"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("[y/N]"));
}
