//! ddl, migrate and check against a real server.

use std::path::Path;

use crate::harness::{TestDb, bare_cmd};
use crate::{assert_exit, assert_one_line_error, json_out, stderr, stdout};

fn golden(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name),
    )
    .unwrap()
}

fn table_count(db: &TestDb, name: &str) -> i64 {
    db.client()
        .query_one("SELECT count(*) FROM pg_class WHERE relname = $1", &[&name])
        .unwrap()
        .get(0)
}

#[test]
fn ddl_matches_the_golden_file() {
    let out = bare_cmd().arg("ddl").output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), golden("ddl_default.sql"));

    let out = bare_cmd()
        .args([
            "ddl",
            "--table",
            "billing_outbox",
            "--processed-table",
            "billing_seen",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), golden("ddl_billing.sql"));

    let out = bare_cmd()
        .args(["ddl", "--only", "processed"])
        .output()
        .unwrap();
    assert!(!stdout(&out).contains("outbox_messages"));
    assert!(stdout(&out).contains("CREATE TABLE IF NOT EXISTS processed_messages"));
}

#[test]
fn ddl_output_runs_as_is_and_satisfies_check() {
    let db = TestDb::new();
    let ddl = stdout(&bare_cmd().arg("ddl").output().unwrap());
    db.client().batch_execute(&ddl).unwrap();
    // Twice: it is idempotent, as the library's is.
    db.client().batch_execute(&ddl).unwrap();
    let out = db.cmd().arg("check").output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        stdout(&out).split_once('\n').unwrap().1,
        "outbox_messages: ok\nprocessed_messages: ok\n"
    );
}

#[test]
fn migrate_creates_then_skips() {
    let db = TestDb::new();
    let out = db.cmd().arg("migrate").output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        stdout(&out),
        "outbox_messages: created\nprocessed_messages: created\n"
    );
    let out = db.cmd().arg("migrate").output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        stdout(&out),
        "outbox_messages: exists (skipped)\nprocessed_messages: exists (skipped)\n"
    );
    assert_exit(&db.cmd().arg("check").output().unwrap(), 0);
}

#[test]
fn migrate_partially_existing() {
    let db = TestDb::new();
    let out = db
        .cmd()
        .args(["migrate", "--only", "outbox"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "outbox_messages: created\n");
    assert_eq!(table_count(&db, "processed_messages"), 0);
    let out = db
        .cmd()
        .args(["migrate", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["tables"][0]["action"], "exists (skipped)");
    assert_eq!(report["tables"][1]["action"], "created");
}

#[test]
fn migrate_skips_an_existing_table_entirely_like_the_library() {
    let db = TestDb::new();
    db.client()
        .batch_execute("CREATE TABLE outbox_messages (id uuid primary key)")
        .unwrap();
    let out = db.cmd().arg("migrate").output().unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("outbox_messages: exists (skipped)"));
    assert_eq!(
        table_count(&db, "idx_outbox_messages_pending"),
        0,
        "no statement may run for an existing table"
    );
}

#[test]
fn concurrent_migrates_all_succeed_and_create_once() {
    let db = TestDb::new();
    let children: Vec<_> = (0..8)
        .map(|_| {
            db.cmd()
                .arg("migrate")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for out in &outputs {
        assert_exit(out, 0);
    }
    let created = |table: &str| {
        outputs
            .iter()
            .filter(|o| stdout(o).contains(&format!("{table}: created")))
            .count()
    };
    assert_eq!(created("outbox_messages"), 1);
    assert_eq!(created("processed_messages"), 1);
    assert_eq!(table_count(&db, "outbox_messages"), 1);
    assert_eq!(table_count(&db, "processed_messages"), 1);
    assert_exit(&db.cmd().arg("check").output().unwrap(), 0);
}

#[test]
fn migrate_dry_run_changes_nothing() {
    let db = TestDb::new();
    let out = db.cmd().args(["migrate", "--dry-run"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains(
            "-- outbox_messages: would create\nCREATE TABLE IF NOT EXISTS outbox_messages"
        )
    );
    assert!(
        stdout(&out).contains("CREATE INDEX IF NOT EXISTS idx_processed_messages_processed_at")
    );
    assert_eq!(table_count(&db, "outbox_messages"), 0);
    assert_eq!(table_count(&db, "processed_messages"), 0);
}

#[test]
fn migrate_into_a_schema() {
    let db = TestDb::new();
    db.client().batch_execute("CREATE SCHEMA ops").unwrap();
    let out = db
        .cmd()
        .args(["--schema", "ops", "migrate"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let schema: String = db
        .client()
        .query_one("SELECT relnamespace::regnamespace::text FROM pg_class WHERE relname = 'outbox_messages'", &[])
        .unwrap()
        .get(0);
    assert_eq!(schema, "ops");
    assert_exit(
        &db.cmd()
            .args(["check", "--schema", "ops"])
            .output()
            .unwrap(),
        0,
    );
    // Without --schema the tables are not on the search_path.
    assert_exit(&db.cmd().arg("check").output().unwrap(), 1);
}

#[test]
fn migrate_into_a_missing_schema_fails_clearly() {
    let db = TestDb::new();
    let out = db
        .cmd()
        .args(["--schema", "nosuch", "migrate"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    assert!(
        stderr(&out).contains("schema \"nosuch\" does not exist"),
        "{}",
        stderr(&out)
    );
}

fn drifted(sql: &str) -> (TestDb, std::process::Output) {
    let db = TestDb::new().migrated();
    db.client().batch_execute(sql).unwrap();
    let out = db.cmd().arg("check").output().unwrap();
    (db, out)
}

#[test]
fn check_reports_a_dropped_column() {
    let (_db, out) = drifted("ALTER TABLE outbox_messages DROP COLUMN last_error");
    assert_exit(&out, 3);
    assert!(
        stdout(&out).contains("missing column last_error text NOT NULL DEFAULT ''::text"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("processed_messages: ok"));
}

#[test]
fn check_reports_a_dropped_index() {
    let (_db, out) = drifted("DROP INDEX idx_processed_messages_processed_at");
    assert_exit(&out, 3);
    assert!(
        stdout(&out).contains("missing index idx_processed_messages_processed_at"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn check_reports_a_wrong_type_nullability_default_and_predicate() {
    let (_db, out) = drifted(
        "ALTER TABLE outbox_messages ALTER COLUMN retries TYPE bigint;
         ALTER TABLE outbox_messages ALTER COLUMN topic DROP NOT NULL;
         ALTER TABLE outbox_messages ALTER COLUMN status SET DEFAULT 'new';
         DROP INDEX idx_outbox_messages_pending;
         CREATE INDEX idx_outbox_messages_pending ON outbox_messages (created_at);
         ALTER TABLE outbox_messages ADD COLUMN tenant text NOT NULL;",
    );
    assert_exit(&out, 3);
    let text = stdout(&out);
    for expected in [
        "column retries has type bigint, expected integer",
        "column topic is nullable, expected NOT NULL",
        "column status has default 'new'::text, expected 'pending'::text",
        "index idx_outbox_messages_pending has predicate none, expected (status = 'pending'::text)",
        "extra column tenant text NOT NULL without a default",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn check_reports_unknown_statuses() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute("INSERT INTO outbox_messages (topic, status) VALUES ('t', 'pending'), ('t', 'stuck'), ('t', 'stuck')")
        .unwrap();
    let out = db
        .cmd()
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    // Statuses the library never sets are reported, but they are data, not schema drift.
    assert_exit(&out, 0);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], true);
    assert_eq!(
        report["tables"][0]["unknown_statuses"][0]["status"],
        "stuck"
    );
    assert_eq!(report["tables"][0]["unknown_statuses"][0]["count"], 2);
}

#[test]
fn check_on_a_missing_table_says_to_migrate() {
    let db = TestDb::new();
    let out = db.cmd().arg("check").output().unwrap();
    assert_exit(&out, 1);
    assert_one_line_error(&out);
    let err = stderr(&out);
    assert!(
        err.contains("table \"outbox_messages\" does not exist in schema \"public\" of ")
            && err.contains(" — run \"outboxctl migrate\""),
        "{err}"
    );
}

/// Bad names never reach a server: the URL points at a port nothing listens on, so a
/// connection attempt would end in exit 1, not 2.
#[test]
fn bad_identifiers_are_usage_errors_before_any_connection() {
    let long = "a".repeat(64);
    let overflowing_outbox = "o".repeat(52); // idx_<52>_pending is 64 bytes
    let overflowing_processed = "p".repeat(47); // idx_<47>_processed_at is 64 bytes
    let cases: Vec<(&str, &str)> = vec![
        ("--table", "outbox; DROP TABLE x"),
        ("--table", "out\"box"),
        ("--table", "out'box"),
        ("--table", "out box"),
        ("--table", "outbox-messages"),
        ("--table", "ütbox"),
        ("--table", "1outbox"),
        ("--table", ""),
        ("--table", &long),
        ("--table", "select"),
        ("--table", "USER"),
        ("--table", &overflowing_outbox),
        ("--table", "public.outbox"),
        ("--processed-table", "seen;--"),
        ("--processed-table", "order"),
        ("--processed-table", &overflowing_processed),
        ("--schema", "ops; DROP SCHEMA public"),
        ("--schema", "table"),
        ("--schema", &long),
        ("--schema", "a b"),
    ];
    for (option, value) in cases {
        for command in ["ddl", "migrate", "check"] {
            let out: std::process::Output = bare_cmd()
                .args([
                    "-d",
                    "postgres://nobody@127.0.0.1:1/x",
                    "--connect-timeout",
                    "1s",
                    command,
                    option,
                    value,
                ])
                .output()
                .unwrap();
            assert_exit(&out, 2);
            assert_one_line_error(&out);
            assert!(stdout(&out).is_empty());
        }
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
