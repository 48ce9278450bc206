//! dedup mark / check / list / unmark / purge against a real server.

use std::io::Write;
use std::process::Stdio;

use serde_json::{Value, json};

use crate::harness::{TestDb, table_digest};
use crate::{assert_exit, assert_one_line_error, json_out, stderr, stdout};

fn entries(db: &TestDb) -> i64 {
    db.client()
        .query_one("SELECT count(*) FROM processed_messages", &[])
        .unwrap()
        .get(0)
}

#[test]
fn mark_inserts_once_and_never_overwrites() {
    let db = TestDb::new().migrated();
    let out = db
        .cmd()
        .args([
            "dedup",
            "mark",
            "billing",
            "m1",
            "--metadata",
            r#"{"by":"ops","ticket":"INC-42"}"#,
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "marked\n");
    let out = db
        .cmd()
        .args([
            "dedup",
            "mark",
            "billing",
            "m1",
            "--metadata",
            r#"{"by":"someone else"}"#,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let answer = json_out(&out);
    assert_eq!(answer["inserted"], false);
    assert_eq!(answer["metadata"], json!({"by": "ops", "ticket": "INC-42"}));
    let out = db
        .cmd()
        .args(["dedup", "mark", "billing", "m1"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).starts_with("already processed (at "),
        "{}",
        stdout(&out)
    );
    // The same message id in another group is another entry.
    let out = db
        .cmd()
        .args(["dedup", "mark", "shipping", "m1", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(json_out(&out)["inserted"], true);
    assert_eq!(
        json_out(&out)["metadata"],
        Value::Null,
        "no metadata stores NULL"
    );
    assert_eq!(entries(&db), 2);
}

#[test]
fn mark_reads_metadata_from_a_file_or_stdin() {
    let db = TestDb::new().migrated();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("note.json");
    std::fs::write(&file, "[1, \"two\", {\"three\": 3}]\n").unwrap();
    let out = db
        .cmd()
        .args(["dedup", "mark", "g", "from-file", "--metadata-file"])
        .arg(&file)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["metadata"], json!([1, "two", {"three": 3}]));

    let mut child = db
        .cmd()
        .args([
            "dedup",
            "mark",
            "g",
            "from-stdin",
            "--metadata-file",
            "-",
            "--format",
            "json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"\"just a string\"")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["metadata"], json!("just a string"));
}

#[test]
fn bad_metadata_is_refused_before_anything_is_sent() {
    let db = TestDb::new().migrated();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let unreadable = dir.path().join("dir-not-file");
    std::fs::create_dir(&unreadable).unwrap();
    let cases: Vec<Vec<String>> = vec![
        vec!["--metadata".into(), "{\"a\": }".into()],
        vec!["--metadata".into(), "{'single': 'quotes'}".into()],
        vec!["--metadata".into(), "[1, 2".into()],
        vec!["--metadata".into(), "{\"nul\": \"\\u0000\"}".into()],
        vec!["--metadata-file".into(), missing.display().to_string()],
        vec!["--metadata-file".into(), unreadable.display().to_string()],
        vec![
            "--metadata".into(),
            "{}".into(),
            "--metadata-file".into(),
            "x".into(),
        ],
    ];
    for extra in cases {
        let out = db
            .cmd()
            .args(["dedup", "mark", "g", "m"])
            .args(&extra)
            .output()
            .unwrap();
        assert_exit(&out, 2);
        assert_one_line_error(&out);
    }
    let out = db
        .cmd()
        .args(["dedup", "mark", "g", "m", "--metadata", "{\"a\": }"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("line 1 column 7"), "{}", stderr(&out));
    assert_eq!(entries(&db), 0);
}

#[test]
fn sixteen_concurrent_marks_insert_exactly_once() {
    let db = TestDb::new().migrated();
    let children: Vec<_> = (0..16)
        .map(|i| {
            db.cmd()
                .args([
                    "dedup",
                    "mark",
                    "race",
                    "the-one",
                    "--metadata",
                    &format!("{{\"worker\": {i}}}"),
                    "--format",
                    "json",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let answers: Vec<Value> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert_exit(&out, 0);
            json_out(&out)
        })
        .collect();
    let inserted: Vec<&Value> = answers.iter().filter(|a| a["inserted"] == true).collect();
    assert_eq!(inserted.len(), 1);
    // Every worker reports the one entry that exists.
    for answer in &answers {
        assert_eq!(answer["metadata"], inserted[0]["metadata"]);
    }
    assert_eq!(entries(&db), 1);
}

#[test]
fn check_answers_with_its_exit_code() {
    let db = TestDb::new().migrated();
    db.cmd()
        .args(["dedup", "mark", "billing", "m1", "--metadata", "{\"k\":1}"])
        .output()
        .unwrap();
    let out = db
        .cmd()
        .args(["dedup", "check", "billing", "m1"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).starts_with("processed at "));
    let out = db
        .cmd()
        .args(["dedup", "check", "billing", "m1", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(json_out(&out)["processed"], true);
    assert_eq!(json_out(&out)["metadata"]["k"], 1);
    let out = db
        .cmd()
        .args(["dedup", "check", "billing", "m2"])
        .output()
        .unwrap();
    assert_exit(&out, 3);
    assert!(
        stdout(&out).starts_with("not processed\n(in \"processed_messages\" on "),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).is_empty());
    let out = db
        .cmd()
        .args(["dedup", "check", "billing", "m2", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 3);
    assert_eq!(json_out(&out)["processed"], false);
    // A missing table is a runtime error, not a "no".
    let out = db
        .cmd()
        .args([
            "--processed-table",
            "nope",
            "dedup",
            "check",
            "billing",
            "m1",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("run \"outboxctl migrate\""));
}

#[test]
fn odd_groups_and_ids_survive_a_round_trip() {
    let db = TestDb::new().migrated();
    let dir = tempfile::tempdir().unwrap();
    let metadata_file = dir.path().join("big.json");
    std::fs::write(
        &metadata_file,
        json!({"note": "x".repeat(1 << 20)}).to_string(),
    )
    .unwrap();
    let cases = [
        (
            "quote's \"group\"",
            "id with spaces and ; DROP TABLE processed_messages; --",
        ),
        ("ünïcødé 组", "メッセージ🚀"),
        ("tabs\tand\nnewlines", "\\backslash\\"),
    ];
    for (group, msg_id) in cases {
        let out = db
            .cmd()
            .args(["dedup", "mark", group, msg_id, "--metadata-file"])
            .arg(&metadata_file)
            .output()
            .unwrap();
        assert_exit(&out, 0);
        let out = db
            .cmd()
            .args(["dedup", "check", group, msg_id, "--format", "json"])
            .output()
            .unwrap();
        assert_exit(&out, 0);
        let answer = json_out(&out);
        assert_eq!(answer["group_name"], group);
        assert_eq!(answer["msg_id"], msg_id);
        assert_eq!(answer["metadata"]["note"].as_str().unwrap().len(), 1 << 20);
        let out = db
            .cmd()
            .args(["dedup", "list", "--group", group, "--format", "ndjson"])
            .output()
            .unwrap();
        let row: Value = serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
        assert_eq!(row["msg_id"], msg_id);
    }
    // 120 kB, as long as one command-line argument may be: text that compresses fits the
    // primary key index and survives; random text does not fit, and says so clearly.
    let long_id = "0123456789abcdef".repeat(7_500);
    let out = db
        .cmd()
        .args(["dedup", "mark", "g", &long_id])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let out = db
        .cmd()
        .args(["dedup", "check", "g", &long_id, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(json_out(&out)["msg_id"], long_id.as_str());
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let random_id: String = (0..120_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect();
    let out = db
        .cmd()
        .args(["dedup", "mark", "g", &random_id])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    assert!(
        stderr(&out).contains("54000"),
        "{}",
        stderr(&out).chars().take(300).collect::<String>()
    );
    assert_eq!(entries(&db), 4);
}

fn seed_entries(db: &TestDb) {
    db.client()
        .batch_execute(
            "INSERT INTO processed_messages (group_name, msg_id, metadata, processed_at)
             SELECT 'g' || (i % 3), 'm' || i, CASE WHEN i % 2 = 0 THEN jsonb_build_object('i', i) END,
                    now() - i * interval '1 day' + interval '1 hour'
               FROM generate_series(1, 30) i",
        )
        .unwrap();
}

fn listed(db: &TestDb, args: &[&str]) -> Vec<Value> {
    let out = db
        .cmd()
        .args(["dedup", "list"])
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    json_out(&out).as_array().unwrap().clone()
}

#[test]
fn list_filters_and_formats() {
    let db = TestDb::new().migrated();
    seed_entries(&db);
    let all = listed(&db, &[]);
    assert_eq!(all.len(), 30);
    assert_eq!(all[0]["msg_id"], "m30", "oldest first");
    assert_eq!(listed(&db, &["--order", "newest"])[0]["msg_id"], "m1");
    assert_eq!(listed(&db, &["--group", "g1"]).len(), 10);
    assert_eq!(listed(&db, &["--group", "g1", "--group", "g2"]).len(), 20);
    assert_eq!(listed(&db, &["--msg-id", "m7"]).len(), 1);
    assert_eq!(listed(&db, &["--after", "84h"]).len(), 3);
    assert_eq!(listed(&db, &["--before", "84h"]).len(), 27);
    assert_eq!(listed(&db, &["--limit", "5"]).len(), 5);
    assert_eq!(listed(&db, &["--limit", "0"]).len(), 30);
    let keys: Vec<&String> = all[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        vec!["group_name", "msg_id", "metadata", "processed_at"]
    );
    assert_eq!(all[0]["metadata"], json!({"i": 30}));
    assert_eq!(all[1]["metadata"], Value::Null);

    let out = db
        .cmd()
        .args(["dedup", "list", "--limit", "0", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out).lines().count(), 31);
    assert!(stdout(&out).starts_with("group_name,msg_id,metadata,processed_at\n"));
    let out = db
        .cmd()
        .args(["dedup", "list", "--group", "g0"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("m30"));
    assert!(stderr(&out).contains("10 entries"));
}

#[test]
fn unmark_reports_which_existed() {
    let db = TestDb::new().migrated();
    seed_entries(&db);
    let before = table_digest(&mut db.client(), "processed_messages");
    let out = db
        .cmd()
        .args([
            "dedup",
            "unmark",
            "g1",
            "m1",
            "m4",
            "m2",
            "--dry-run",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    // m2 has no entry: reported, and the exit code says so.
    assert_exit(&out, 1);
    let answer = json_out(&out);
    let results: Vec<&str> = answer["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, vec!["would unmark", "would unmark", "not found"]);
    assert_eq!(table_digest(&mut db.client(), "processed_messages"), before);

    let out = db
        .cmd()
        .args([
            "dedup", "unmark", "g1", "m1", "m4", "m2", "--format", "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let answer = json_out(&out);
    assert_eq!(answer["changed"], 2);
    assert_eq!(answer["not_found"], 1);
    assert_eq!(entries(&db), 28);
    let out = db
        .cmd()
        .args(["dedup", "unmark", "g1", "m1"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("g1/m1: not found"));
    let out = db.cmd().args(["dedup", "unmark", "g1"]).output().unwrap();
    assert_exit(&out, 2);
}

#[test]
fn purge_by_cutoff_and_group_with_dry_run() {
    let db = TestDb::new().migrated();
    seed_entries(&db);
    let before = table_digest(&mut db.client(), "processed_messages");
    let out = db
        .cmd()
        .args([
            "dedup",
            "purge",
            "--before",
            "10d",
            "--dry-run",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["matched"], 20);
    assert_eq!(table_digest(&mut db.client(), "processed_messages"), before);

    let out = db
        .cmd()
        .args([
            "dedup", "purge", "--before", "10d", "--group", "g0", "--format", "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["changed"], 7);
    let out = db
        .cmd()
        .args([
            "dedup",
            "purge",
            "--before",
            "10d",
            "--batch-size",
            "2",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let answer = json_out(&out);
    assert_eq!(answer["changed"], 13);
    assert!(answer["batches"].as_u64().unwrap() >= 7);
    assert_eq!(entries(&db), 10);
    for args in [
        vec!["--before", "2999-01-01"],
        vec!["--before", "0"],
        vec![],
    ] {
        let out = db
            .cmd()
            .args(["dedup", "purge"])
            .args(&args)
            .output()
            .unwrap();
        assert_exit(&out, 2);
        assert_one_line_error(&out);
    }
    assert_eq!(entries(&db), 10);
}

#[test]
fn purge_batches_use_the_processed_at_index() {
    let db = TestDb::new().migrated();
    let mut client = db.client();
    client
        .batch_execute(
            "INSERT INTO processed_messages (group_name, msg_id, processed_at)
             SELECT 'g' || (i % 50), 'm' || i, now() - (i % 1000) * interval '1 hour' FROM generate_series(1, 100000) i;
             ANALYZE processed_messages;",
        )
        .unwrap();
    let cutoff = chrono::Utc::now() - chrono::Duration::days(7);
    let start =
        outboxctl::db::pgtime::PgTime::from_chrono(chrono::Utc::now() - chrono::Duration::days(30));
    let (mut session, table) = db.dedup_session();
    let mut tx = session
        .begin(outboxctl::db::session::Access::ReadOnly)
        .unwrap();
    let run_start = outboxctl::batch::engine::RunStart::take(&mut tx).unwrap();
    for groups in [vec![], vec!["g1".to_string()]] {
        let (statements, mut params, start_at, limit_at) =
            outboxctl::batch::keyset::KeysetPurge::statements(
                &table,
                outboxctl::db::pgtime::PgTime::from_chrono(cutoff),
                &groups,
                &run_start,
            );
        params.set(&start_at, Some(start));
        params.set(&limit_at, 5000i64);
        for sql in statements {
            let plan: Vec<String> = tx
                .query(&format!("EXPLAIN {sql}"), &params)
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            let plan = plan.join("\n");
            // Every step goes through the processed_at index; nothing scans the table.
            assert!(
                plan.contains("idx_processed_messages_processed_at"),
                "{plan}"
            );
            assert!(!plan.contains("Seq Scan"), "{plan}");
        }
    }
}

#[test]
fn ctrl_c_during_dedup_purge_keeps_whole_batches() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "INSERT INTO processed_messages (group_name, msg_id, processed_at)
             SELECT 'g', 'm' || i, now() - interval '10 days' - i * interval '1 second' FROM generate_series(1, 100000) i",
        )
        .unwrap();
    let child = db
        .cmd()
        .args([
            "dedup",
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
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while entries(&db) == 100_000 {
        assert!(std::time::Instant::now() < deadline, "no progress");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 130);
    let answer = json_out(&out);
    let changed = answer["changed"].as_i64().unwrap();
    assert!(changed > 0 && changed < 100_000);
    assert_eq!(changed % 20, 0, "only whole batches of 20");
    assert_eq!(answer["batches"].as_i64().unwrap() * 20, changed);
    assert_eq!(entries(&db), 100_000 - changed);
    let out = db
        .cmd()
        .args(["dedup", "purge", "--before", "1d"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(entries(&db), 0);
}

#[test]
fn purge_with_many_identical_timestamps_and_a_group_filter_finishes() {
    let db = TestDb::new().migrated();
    // Marked in one transaction: every entry shares one processed_at.
    db.client()
        .batch_execute(
            "INSERT INTO processed_messages (group_name, msg_id, processed_at)
             SELECT CASE WHEN i % 10 = 0 THEN 'target' ELSE 'other' END, 'm' || i, now() - interval '30 days'
               FROM generate_series(1, 5000) i",
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
            "target",
            "--batch-size",
            "100",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["changed"], 500);
    assert_eq!(entries(&db), 4500);
}
