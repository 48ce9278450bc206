//! The published JSON Schemas (`docs/schema/`) are the report types' own, and every
//! command's json and ndjson output validates against its schema. Regenerate the files
//! with `UPDATE_SCHEMAS=1 cargo test schemas`.

use std::path::Path;

use serde_json::Value;

use crate::harness::{Seed, TestDb, bare_cmd};
use crate::stderr;

fn schema_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema")
}

#[test]
fn published_schemas_are_current() {
    let mut stale = Vec::new();
    for (name, schema) in outboxctl::commands::published_schemas() {
        let expected = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        let path = schema_dir().join(name);
        if std::env::var_os("UPDATE_SCHEMAS").is_some() {
            std::fs::create_dir_all(schema_dir()).unwrap();
            std::fs::write(&path, &expected).unwrap();
            continue;
        }
        if std::fs::read_to_string(&path).unwrap_or_default() != expected {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "stale schemas {stale:?}: run `UPDATE_SCHEMAS=1 cargo test schemas` and commit docs/schema"
    );
}

/// The validator of a published schema, read from its file as a script would.
fn validator(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(schema_dir().join(name))
        .unwrap_or_else(|e| panic!("docs/schema/{name}: {e}"));
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap())
        .unwrap_or_else(|e| panic!("docs/schema/{name} is not a valid schema: {e}"))
}

pub fn assert_valid(schema: &str, what: &str, instance: &Value) {
    let errors: Vec<String> = validator(schema)
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match docs/schema/{schema}: {errors:#?}\n{instance:#}"
    );
}

/// Runs outboxctl with `args`, which must succeed with exit `code`, and gives back the
/// JSON documents on stdout: one for json, one per line for ndjson.
fn documents(db: &TestDb, args: &[&str], code: i32) -> Vec<Value> {
    let out = db.cmd().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{args:?}: {e}: {l}")))
        .collect::<Vec<Value>>()
        .into_iter()
        .collect()
}

/// One json document (pretty, several lines) from `args`.
fn document(db: &TestDb, args: &[&str], code: i32) -> Value {
    let out = db.cmd().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// Validates json (each element when it is an array) and ndjson (each line).
fn check_both(db: &TestDb, schema: &str, args: &[&str], code: i32) {
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    match document(db, &json_args, code) {
        Value::Array(items) => {
            assert!(!items.is_empty(), "{json_args:?} printed an empty array");
            for item in &items {
                assert_valid(schema, &format!("{json_args:?}"), item);
            }
        }
        one => assert_valid(schema, &format!("{json_args:?}"), &one),
    }
    let mut ndjson_args = args.to_vec();
    ndjson_args.extend(["--format", "ndjson"]);
    let lines = documents(db, &ndjson_args, code);
    assert!(!lines.is_empty(), "{ndjson_args:?} printed nothing");
    for line in &lines {
        assert_valid(schema, &format!("{ndjson_args:?}"), line);
    }
}

fn seeded() -> TestDb {
    let db = TestDb::new().migrated();
    let mut client = db.client();
    Seed {
        n: 20,
        topic: "'orders'",
        ..Default::default()
    }
    .insert(&mut client);
    Seed {
        n: 12,
        topic: "'billing'",
        status: "'failed'",
        last_error: "'dial tcp 10.0.0.7:9092: connect: connection refused'",
        ..Default::default()
    }
    .insert(&mut client);
    Seed {
        n: 30,
        status: "'processed'",
        created_at: "now() - interval '10 days'",
        processed_at: "now() - interval '9 days'",
        ..Default::default()
    }
    .insert(&mut client);
    Seed {
        n: 3,
        status: "'processing'",
        created_at: "now() - interval '2 hours'",
        ..Default::default()
    }
    .insert(&mut client);
    client
        .batch_execute(
            "UPDATE outbox_messages SET headers = '{\"tenant\": \"acme\"}' WHERE topic = 'orders';
             UPDATE outbox_messages SET payload = '\\xff00'::bytea
              WHERE id = (SELECT id FROM outbox_messages WHERE topic = 'orders' LIMIT 1);
             INSERT INTO processed_messages (group_name, msg_id, metadata, processed_at)
             SELECT 'billing', 'm-' || g, '{\"by\": \"test\"}', now() - interval '40 days'
               FROM generate_series(1, 5) g;",
        )
        .unwrap();
    db
}

#[test]
fn reads_validate_against_their_schemas() {
    let db = seeded();
    check_both(&db, "message.schema.json", &["list", "--status", "all"], 0);
    check_both(
        &db,
        "message.schema.json",
        &[
            "list",
            "--status",
            "all",
            "--no-payload",
            "--columns",
            "id,status,headers",
        ],
        0,
    );
    let id = documents(
        &db,
        &["list", "--status", "failed", "--format", "ndjson"],
        0,
    )[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    check_both(&db, "message.schema.json", &["show", &id], 0);
    check_both(
        &db,
        "stats.schema.json",
        &[
            "stats",
            "--by-topic",
            "--by-header",
            "tenant",
            "--by-error",
            "--rates",
            "--interval",
            "1s",
        ],
        0,
    );
    check_both(&db, "stats.schema.json", &["stats", "--max-failed", "1"], 3);
    assert_valid(
        "check.schema.json",
        "check --format json",
        &document(&db, &["check", "--format", "json"], 0),
    );
    let lines = documents(&db, &["check", "--format", "ndjson"], 0);
    for line in &lines {
        assert_valid("check-table.schema.json", "check --format ndjson", line);
    }
    check_both(&db, "doctor.schema.json", &["doctor"], 3);
    check_both(&db, "dedup-entry.schema.json", &["dedup", "list"], 0);
    check_both(
        &db,
        "dedup-check.schema.json",
        &["dedup", "check", "billing", "m-1"],
        0,
    );
    check_both(
        &db,
        "dedup-check.schema.json",
        &["dedup", "check", "billing", "none"],
        3,
    );
    for line in documents(
        &db,
        &[
            "watch",
            "--format",
            "ndjson",
            "--count",
            "2",
            "--interval",
            "1s",
        ],
        0,
    ) {
        assert_valid("watch.schema.json", "watch --format ndjson", &line);
    }
}

#[test]
fn several_targets_validate_against_their_schemas() {
    let first = seeded();
    let second = TestDb::new().migrated();
    for (schema, command, code) in [
        ("stats-target.schema.json", "stats", 1),
        ("doctor-target.schema.json", "doctor", 1),
    ] {
        let out = bare_cmd()
            .args(["-d", &first.url(), "-d", &second.url()])
            .args(["-d", "postgres://nobody@127.0.0.1:1/none?sslmode=disable"])
            .args([command, "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
        let all: Value = serde_json::from_slice(&out.stdout).unwrap();
        let targets = all.as_array().unwrap();
        assert_eq!(targets.len(), 3);
        for target in targets {
            assert_valid(schema, command, target);
        }
    }
}

#[test]
fn mutation_summaries_validate_against_their_schema() {
    let db = seeded();
    let summary = "mutation-summary.schema.json";
    check_both(
        &db,
        summary,
        &["requeue", "--all", "--topic", "billing", "--dry-run"],
        0,
    );
    check_both(
        &db,
        summary,
        &["delete", "--all", "--status", "failed", "--dry-run"],
        0,
    );
    let failed: Vec<String> = documents(
        &db,
        &["list", "--status", "failed", "--format", "ndjson"],
        0,
    )
    .iter()
    .map(|m| m["id"].as_str().unwrap().to_string())
    .collect();
    let by_id = [
        "requeue",
        failed[0].as_str(),
        "00000000-0000-4000-8000-000000000000",
    ];
    // One id not found: exit 1, with the summary all the same.
    for line in documents(&db, &[&by_id[..], &["--format", "ndjson"]].concat(), 1) {
        assert_valid(summary, "requeue by id", &line);
    }
    check_both(&db, summary, &["requeue", "--all", "--topic", "billing"], 0);
    check_both(
        &db,
        summary,
        &["purge", "--before", "1d", "--max-rate", "100000"],
        0,
    );
    check_both(
        &db,
        summary,
        &["dedup", "purge", "--before", "30d", "--dry-run"],
        0,
    );
    check_both(&db, summary, &["dedup", "mark", "billing", "m-new"], 0);
    // Each run removes its own entries: a second run would find none (exit 1).
    assert_valid(
        summary,
        "dedup unmark --format json",
        &document(
            &db,
            &["dedup", "unmark", "billing", "m-1", "--format", "json"],
            0,
        ),
    );
    for line in documents(
        &db,
        &["dedup", "unmark", "billing", "m-2", "--format", "ndjson"],
        0,
    ) {
        assert_valid(summary, "dedup unmark --format ndjson", &line);
    }
    check_both(&db, summary, &["dedup", "purge", "--before", "30d"], 0);
}
