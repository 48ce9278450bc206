//! Tables whose columns drifted to nullable and hold NULLs: every read command answers,
//! showing NULL as null, and `check` names the drift.

use serde_json::Value;

use crate::harness::TestDb;
use crate::{assert_exit, json_out, stderr, stdout};

const ID_ALL_NULL: &str = "00000000-0000-0000-0000-000000000001";
const ID_FAILED: &str = "00000000-0000-0000-0000-000000000002";

fn drifted() -> TestDb {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(&format!(
            "ALTER TABLE outbox_messages ALTER topic DROP NOT NULL, ALTER key DROP NOT NULL,
                 ALTER status DROP NOT NULL, ALTER retries DROP NOT NULL,
                 ALTER last_error DROP NOT NULL, ALTER created_at DROP NOT NULL;
             ALTER TABLE processed_messages ALTER processed_at DROP NOT NULL;
             INSERT INTO outbox_messages (id, topic, key, payload, headers, status, retries, last_error, created_at, processed_at) VALUES
               ('{ID_ALL_NULL}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
               ('{ID_FAILED}', 'orders', NULL, NULL, NULL, 'failed', NULL, NULL, now(), NULL),
               (gen_random_uuid(), NULL, 'k', 'x', '{{}}', 'pending', 0, NULL, NULL, NULL),
               (gen_random_uuid(), 'orders', 'k', 'x', '{{}}', 'processed', 0, '', now() - interval '9 days', NULL),
               (gen_random_uuid(), NULL, NULL, NULL, NULL, 'processing', NULL, NULL, NULL, NULL),
               (gen_random_uuid(), 'orders', 'k', 'x', '{{}}', 'failed', 2, NULL, now() - interval '1 hour', NULL);
             INSERT INTO processed_messages (group_name, msg_id, metadata, processed_at)
                  VALUES ('g', 'null-time', NULL, NULL), ('g', 'dated', '{{}}', now());"
        ))
        .unwrap();
    db
}

/// Every read command, in every format it has, answers on the drifted tables.
#[test]
fn every_read_command_shows_null_as_null() {
    let db = drifted();
    let commands: Vec<Vec<&str>> = vec![
        vec!["stats"],
        vec!["stats", "--by-topic", "--by-error", "--by-header", "tenant"],
        vec!["stats", "--format", "json", "--by-topic", "--by-error"],
        vec![
            "stats",
            "--format",
            "prometheus",
            "--by-topic",
            "--by-error",
        ],
        vec!["stats", "--estimate"],
        vec!["stats", "--rates", "--interval", "1s"],
        vec!["list", "--status", "all"],
        vec!["list", "--status", "all", "--wide"],
        vec!["list", "--status", "all", "--format", "json"],
        vec!["list", "--status", "all", "--format", "csv"],
        vec![
            "list", "--status", "all", "--limit", "0", "--format", "ndjson",
        ],
        vec!["show", ID_ALL_NULL],
        vec!["show", ID_FAILED, "--format", "json"],
        vec!["requeue", "--all", "--dry-run"],
        vec!["requeue", "--stuck", "--before", "0s", "--dry-run"],
        vec!["delete", "--status", "failed", "--dry-run"],
        vec!["purge", "--before", "1d", "--include-failed", "--dry-run"],
        vec!["dedup", "list"],
        vec!["dedup", "list", "--format", "json"],
        vec!["dedup", "purge", "--before", "1d", "--dry-run"],
        vec!["doctor", "--sample", "0s", "--exact"],
        vec![
            "watch",
            "--format",
            "ndjson",
            "--interval",
            "1s",
            "--count",
            "2",
        ],
    ];
    for args in commands {
        let out = db.cmd().args(&args).output().unwrap();
        let code = out.status.code();
        let ok = code == Some(0) || (matches!(args[0], "stats" | "doctor") && code == Some(3));
        assert!(
            ok,
            "{args:?} exited {code:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(
            !all.contains("deserializing")
                && !all.contains("was `NULL`")
                && !all.contains("panicked"),
            "{args:?}: {all}"
        );
        if args[0] == "watch" {
            for line in stdout(&out).lines() {
                let snapshot: Value = serde_json::from_str(line).unwrap();
                // A loaded machine may take longer than the interval to answer: said as
                // stale, which is not an error of the data.
                assert!(
                    snapshot.get("error").is_none() || snapshot["stale"] == true,
                    "{line}"
                );
            }
        }
    }
    // NULL is null in JSON, and "null" in human output.
    let out = db
        .cmd()
        .args(["show", ID_ALL_NULL, "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let row = json_out(&out);
    let row = if row.is_array() { row[0].clone() } else { row };
    for key in [
        "topic",
        "key",
        "status",
        "retries",
        "last_error",
        "created_at",
    ] {
        assert_eq!(row[key], Value::Null, "{key}: {row}");
    }
    let out = db.cmd().args(["show", ID_ALL_NULL]).output().unwrap();
    assert!(stdout(&out).contains("null"), "{}", stdout(&out));
    let out = db
        .cmd()
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    let stats = json_out(&out);
    assert_eq!(stats["outbox"]["total"], 6, "{stats}");
    // An entry whose time is NULL exists: `dedup check` says so, and `mark` does not
    // insert it again.
    assert_exit(
        &db.cmd()
            .args(["dedup", "check", "g", "null-time"])
            .output()
            .unwrap(),
        0,
    );
    let out = db
        .cmd()
        .args(["dedup", "mark", "g", "null-time", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["inserted"], false, "{}", stdout(&out));
    // Prometheus names a NULL status like a status 'null', a NULL topic like an empty one,
    // and the fold like a topic '(other)': each is still one series.
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (id, topic, status) VALUES
               (gen_random_uuid(), '', 'null'), (gen_random_uuid(), '(other)', 'pending'),
               (gen_random_uuid(), 'a', 'pending'), (gen_random_uuid(), 'b', 'pending')",
        )
        .unwrap();
    for extra in [vec![], vec!["--max-series", "3"]] {
        let out = db
            .cmd()
            .args(["stats", "--format", "prometheus", "--by-topic"])
            .args(&extra)
            .output()
            .unwrap();
        let text = stdout(&out);
        let mut series: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.rsplit_once(' ').map(|(name, _)| name))
            .collect();
        let all = series.len();
        series.sort();
        series.dedup();
        assert_eq!(series.len(), all, "{extra:?}: a series twice in\n{text}");
    }
    // check names the drift.
    let out = db.cmd().arg("check").output().unwrap();
    assert_exit(&out, 3);
    assert!(stdout(&out).contains("created_at"), "{}", stdout(&out));
}

/// With the primary keys dropped, the id, group and message id can be NULL too: the
/// previews, error classes, watch and dedup list still answer, with whole JSON.
#[test]
fn null_keys_of_tables_without_a_primary_key_are_read() {
    let db = drifted();
    db.client()
        .batch_execute(
            "ALTER TABLE outbox_messages DROP CONSTRAINT outbox_messages_pkey, ALTER id DROP NOT NULL;
             ALTER TABLE processed_messages DROP CONSTRAINT processed_messages_pkey,
                 ALTER group_name DROP NOT NULL, ALTER msg_id DROP NOT NULL;
             INSERT INTO outbox_messages (id, topic, status, last_error, created_at)
                  VALUES (NULL, 'orders', 'failed', 'boom', now());
             INSERT INTO processed_messages (group_name, msg_id, processed_at)
                  VALUES ('g', NULL, now()), (NULL, 'm', now());",
        )
        .unwrap();
    for args in [
        vec!["requeue", "--all", "--dry-run"],
        vec!["requeue", "--all", "--dry-run", "--format", "json"],
        vec!["delete", "--status", "failed", "--dry-run"],
        vec!["stats", "--by-error", "--format", "json"],
        vec!["list", "--status", "failed", "--format", "json"],
        vec!["dedup", "list", "--format", "json"],
        vec!["dedup", "list", "--group", "g"],
        vec![
            "watch",
            "--format",
            "ndjson",
            "--interval",
            "1s",
            "--count",
            "1",
        ],
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert_exit(&out, 0);
        let text = stdout(&out);
        if args.contains(&"json") {
            let _: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{args:?}: not whole JSON ({e}): {text}"));
        }
    }
    let out = db
        .cmd()
        .args(["dedup", "list", "--format", "json"])
        .output()
        .unwrap();
    let entries = json_out(&out);
    assert!(
        entries
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["group_name"].is_null() && e["msg_id"] == "m"),
        "{entries}"
    );
}
