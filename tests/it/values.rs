//! Values as producers write them — control characters, huge and deeply nested
//! documents, numbers past f64, infinite timestamps — are shown escaped and bounded in
//! human output and exact in machine output, and never blind a command.

use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::harness::TestDb;
use crate::{assert_exit, json_out, stderr, stdout};

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
