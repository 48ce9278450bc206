//! The time-partitioned outbox: created by `migrate --partition-by`, accepted by `check`,
//! run by the library's relay unchanged, listed and kept ahead by `partition`, and
//! purged by dropping whole partitions — only those whose every row the equivalent
//! `DELETE` removes.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;
use uuid::Uuid;

use crate::harness::TestDb;
use crate::relay::Relay;
use crate::{assert_exit, json_out, stderr, stdout};

/// The cutoff every purge here uses: absolute, so the test does not race the clock.
const CUTOFF: &str = "2026-11-20T00:00:00Z";

fn partitioned_db() -> TestDb {
    let db = TestDb::new();
    let out = db
        .cmd()
        .args(["migrate", "--partition-by", "day", "--premake", "2"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    db
}

/// A day partition of the outbox, made by hand (older days than `migrate` makes).
fn day_partition(db: &TestDb, day: &str) -> String {
    let name = format!("outbox_messages_p{}", day.replace('-', ""));
    db.client()
        .batch_execute(&format!(
            "CREATE TABLE {name} PARTITION OF outbox_messages
               FOR VALUES FROM ('{day} 00:00:00+00') TO (('{day}'::date + 1)::timestamptz AT TIME ZONE 'UTC')"
        ))
        .unwrap();
    name
}

/// `n` rows created at `created` with `status` and `processed_at`.
fn rows(db: &TestDb, n: i64, created: &str, status: &str, processed_at: &str) {
    db.client()
        .batch_execute(&format!(
            "INSERT INTO outbox_messages (topic, status, created_at, processed_at)
             SELECT 'orders', {status}, '{created}', {processed_at} FROM generate_series(1, {n})"
        ))
        .unwrap();
}

fn ids(db: &TestDb, condition: &str) -> HashSet<Uuid> {
    db.client()
        .query(
            &format!("SELECT id FROM outbox_messages WHERE {condition}"),
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

fn partitions(db: &TestDb) -> HashSet<String> {
    db.client()
        .query(
            "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
              WHERE i.inhparent = 'outbox_messages'::regclass",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[test]
fn the_partitioned_layout_is_checked_and_runs_the_library_relay() {
    let db = partitioned_db();
    let out = db
        .cmd()
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let report = json_out(&out);
    assert_eq!(report["tables"][0]["partitioned"], "RANGE (created_at)");
    let out = db.cmd().arg("check").output().unwrap();
    assert!(stdout(&out).contains("ok (partitioned by RANGE (created_at))"));
    // The library's insert, then its claim and marks.
    let mut client = db.client();
    for i in 0..200 {
        client
            .execute(
                "INSERT INTO outbox_messages (id, topic, key, payload, headers) VALUES ($1, $2, $3, $4, $5)",
                &[
                    &Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0000 | i as u128),
                    &"orders",
                    &format!("k{i}"),
                    &b"{}".to_vec(),
                    &serde_json::json!({"tenant": "acme"}),
                ],
            )
            .unwrap();
    }
    let mut relay = Relay::new(&db, 7, 10);
    let mut processed = 0;
    for _ in 0..50 {
        let (claimed, done) = relay.step(20);
        processed += done.len();
        if claimed == 0 {
            break;
        }
    }
    assert!(processed > 100, "{processed}");
    let out = db
        .cmd()
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    let stats = json_out(&out);
    assert_eq!(stats["outbox"]["total"], 200);
    assert_eq!(
        stats["outbox"]["by_status"]["processed"],
        i64::try_from(processed).unwrap()
    );
    // Every partition has the pending index (PostgreSQL builds it on each).
    let indexed: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_inherits i JOIN pg_index x ON x.indrelid = i.inhrelid
              JOIN pg_class c ON c.oid = x.indexrelid
             WHERE i.inhparent = 'outbox_messages'::regclass AND pg_get_expr(x.indpred, x.indrelid) LIKE '%pending%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(indexed, 4, "today, 2 ahead and the default");
}

#[test]
fn purge_drops_only_partitions_whose_every_row_goes() {
    let db = partitioned_db();
    db.client()
        .batch_execute("ALTER TABLE outbox_messages ALTER COLUMN status DROP NOT NULL")
        .unwrap();
    let all_gone = day_partition(&db, "2026-11-01");
    rows(
        &db,
        500,
        "2026-11-01 10:00+00",
        "'processed'",
        "'2026-11-01 11:00+00'",
    );
    let pending = day_partition(&db, "2026-11-02");
    rows(
        &db,
        300,
        "2026-11-02 10:00+00",
        "'processed'",
        "'2026-11-02 11:00+00'",
    );
    rows(&db, 1, "2026-11-02 12:00+00", "'pending'", "NULL");
    let late = day_partition(&db, "2026-11-03");
    rows(
        &db,
        300,
        "2026-11-03 10:00+00",
        "'processed'",
        "'2026-11-03 11:00+00'",
    );
    rows(
        &db,
        2,
        "2026-11-03 10:00+00",
        "'processed'",
        "'2026-11-25 11:00+00'",
    );
    let null_status = day_partition(&db, "2026-11-04");
    rows(
        &db,
        300,
        "2026-11-04 10:00+00",
        "'processed'",
        "'2026-11-04 11:00+00'",
    );
    rows(
        &db,
        1,
        "2026-11-04 10:00+00",
        "NULL",
        "'2026-11-04 11:00+00'",
    );
    let failed = day_partition(&db, "2026-11-05");
    rows(
        &db,
        300,
        "2026-11-05 10:00+00",
        "'processed'",
        "'2026-11-05 11:00+00'",
    );
    rows(&db, 4, "2026-11-05 10:00+00", "'failed'", "NULL");
    let straddling = day_partition(&db, "2026-11-20");
    rows(
        &db,
        10,
        "2026-11-20 10:00+00",
        "'processed'",
        "'2026-11-20 11:00+00'",
    );
    // What the library's retention DELETE would keep.
    let keep = ids(
        &db,
        &format!("(status = 'processed' AND processed_at < '{CUTOFF}') IS NOT TRUE"),
    );

    let out = db
        .cmd()
        .args(["purge", "--before", CUTOFF, "--dry-run", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let dry = json_out(&out);
    assert_eq!(dry["partitions_dropped"], serde_json::json!([all_gone]));
    assert_eq!(dry["rows_in_dropped_partitions"], 500);
    assert!(partitions(&db).contains(&all_gone), "a dry run dropped it");
    crate::schemas::assert_valid("mutation-summary.schema.json", "purge --dry-run", &dry);

    let out = db
        .cmd()
        .args(["purge", "--before", CUTOFF, "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let summary = json_out(&out);
    crate::schemas::assert_valid("mutation-summary.schema.json", "purge", &summary);
    assert_eq!(summary["partitions_dropped"], serde_json::json!([all_gone]));
    assert_eq!(summary["rows_in_dropped_partitions"], 500);
    assert_eq!(summary["changed"], 300 * 4, "{summary}");
    let kept: Vec<&str> = summary["partitions_kept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["partition"].as_str().unwrap())
        .collect();
    for name in [&pending, &late, &null_status, &failed] {
        assert!(
            kept.contains(&name.as_str()),
            "{name} not named as kept: {summary}"
        );
    }
    let now = partitions(&db);
    assert!(!now.contains(&all_gone));
    for name in [&pending, &late, &null_status, &failed, &straddling] {
        assert!(now.contains(name), "{name} was dropped");
    }
    // Exactly what the DELETE would have left.
    assert_eq!(ids(&db, "true"), keep);
    let leftover: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_constraint WHERE conname = 'outboxctl_retention'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(leftover, 0, "a retention constraint was left behind");

    // With --include-failed, the failed rows' partition goes as soon as the rest has.
    let out = db
        .cmd()
        .args([
            "purge",
            "--before",
            CUTOFF,
            "--include-failed",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let summary = json_out(&out);
    assert_eq!(
        summary["partitions_dropped"],
        serde_json::json!([failed]),
        "{summary}"
    );
    assert!(!partitions(&db).contains(&failed));
}

/// A writer putting rows into an old partition while the purge runs never loses one:
/// each insert either lands before the check (and keeps the partition) or is refused.
#[test]
fn a_writer_into_an_old_partition_during_a_purge_loses_nothing() {
    let db = partitioned_db();
    day_partition(&db, "2026-11-01");
    rows(
        &db,
        100_000,
        "2026-11-01 10:00+00",
        "'processed'",
        "'2026-11-01 11:00+00'",
    );
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = Arc::clone(&stop);
        let mut client = db.client();
        std::thread::spawn(move || {
            let mut written = Vec::new();
            let mut refused = 0;
            // Write once the purge has begun to take the partition: the window in
            // which a lost row would be lost.
            while !stop.load(Ordering::SeqCst)
                && client
                    .query_one(
                        "SELECT count(*) FROM pg_constraint WHERE conname = 'outboxctl_retention'",
                        &[],
                    )
                    .unwrap()
                    .get::<_, i64>(0)
                    == 0
            {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            while !stop.load(Ordering::SeqCst) {
                match client.query_one(
                    "INSERT INTO outbox_messages (topic, created_at) VALUES ('late', '2026-11-01 12:00+00') RETURNING id",
                    &[],
                ) {
                    Ok(row) => written.push(row.get::<_, Uuid>(0)),
                    Err(_) => refused += 1,
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            (written, refused)
        })
    };
    let out = db
        .cmd()
        .args(["purge", "--before", CUTOFF, "--format", "json"])
        .output()
        .unwrap();
    stop.store(true, Ordering::SeqCst);
    let (written, refused) = writer.join().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        refused > 0 || !written.is_empty(),
        "the writer never ran while the purge held the partition"
    );
    let present = ids(&db, "topic = 'late'");
    for id in &written {
        assert!(
            present.contains(id),
            "a row written during the purge is gone"
        );
    }
    // Refused while the partition was held; once it was gone, rows for its range went
    // to the default partition. None was lost either way.
    assert_eq!(present.len(), written.len());
}

#[test]
fn partition_list_says_what_retention_would_drop() {
    let db = partitioned_db();
    let gone = day_partition(&db, "2026-11-01");
    rows(
        &db,
        5,
        "2026-11-01 10:00+00",
        "'processed'",
        "'2026-11-01 11:00+00'",
    );
    let stays = day_partition(&db, "2026-11-02");
    rows(&db, 1, "2026-11-02 10:00+00", "'pending'", "NULL");
    let out = db
        .cmd()
        .args([
            "partition",
            "list",
            "--before",
            CUTOFF,
            "--exact",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let listed = json_out(&out);
    for item in listed.as_array().unwrap() {
        crate::schemas::assert_valid("partition.schema.json", "partition list", item);
    }
    let find = |name: &str| -> Value {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["partition"] == name)
            .unwrap_or_else(|| panic!("{name} not listed: {listed:#}"))
            .clone()
    };
    assert_eq!(find(&gone)["droppable"], true);
    assert_eq!(find(&gone)["rows"], 5);
    assert_eq!(find(&stays)["droppable"], false);
    assert_eq!(find(&stays)["kept_because"], "it holds 1 pending");
    let default = find("outbox_messages_default");
    assert_eq!(default["default"], true);
    // The table view says the same.
    let out = db
        .cmd()
        .args(["partition", "list", "--before", CUTOFF])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("1 of 6 partitions droppable"),
        "{}",
        stdout(&out)
    );
    // A plain table is refused with the way to make a partitioned one.
    let plain = TestDb::new().migrated();
    let out = plain.cmd().args(["partition", "list"]).output().unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("--partition-by"), "{}", stderr(&out));
}

#[test]
fn partition_maintain_makes_them_ahead_and_reports_the_default_partition() {
    let db = partitioned_db();
    let before = partitions(&db);
    let out = db
        .cmd()
        .args([
            "partition",
            "maintain",
            "--premake",
            "5",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let report = json_out(&out);
    crate::schemas::assert_valid(
        "partition-maintain.schema.json",
        "partition maintain",
        &report,
    );
    assert_eq!(report["created"].as_array().unwrap().len(), 3, "{report}");
    assert_eq!(partitions(&db).len(), before.len() + 3);
    // Again: nothing to make.
    let out = db
        .cmd()
        .args([
            "partition",
            "maintain",
            "--premake",
            "5",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(json_out(&out)["created"], serde_json::json!([]));
    // A row no partition covers lands in the default partition, and is reported.
    rows(&db, 2, "2020-01-01 10:00+00", "'pending'", "NULL");
    let out = db.cmd().args(["partition", "maintain"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("default partition"),
        "{}",
        stderr(&out)
    );
}

/// A table pg_partman manages is left to it: maintain makes nothing, and says so;
/// list and purge work on its partitions.
#[test]
fn a_table_managed_by_pg_partman_is_left_to_it() {
    let db = TestDb::new();
    let mut client = db.client();
    client
        .batch_execute(
            "CREATE TABLE outbox_messages (
                id UUID NOT NULL DEFAULT gen_random_uuid(), topic TEXT NOT NULL,
                key TEXT NOT NULL DEFAULT '', payload BYTEA, headers JSONB DEFAULT '{}',
                status TEXT NOT NULL DEFAULT 'pending', retries INTEGER NOT NULL DEFAULT 0,
                last_error TEXT NOT NULL DEFAULT '', created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                processed_at TIMESTAMPTZ, PRIMARY KEY (id, created_at)
             ) PARTITION BY RANGE (created_at);
             CREATE INDEX idx_outbox_messages_pending ON outbox_messages (created_at) WHERE status = 'pending';
             CREATE SCHEMA partman;
             CREATE EXTENSION pg_partman SCHEMA partman;
             SELECT partman.create_parent('public.outbox_messages', 'created_at', 'native', 'daily', p_premake := 3);",
        )
        .unwrap_or_else(|e| panic!("pg_partman (Debian postgresql-15-partman) is needed: {e}"));
    let before = partitions(&db);
    let out = db
        .cmd()
        .args(["partition", "maintain", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let report = json_out(&out);
    assert_eq!(report["created"], serde_json::json!([]));
    assert!(
        report["notes"][0].as_str().unwrap().contains("pg_partman"),
        "{report}"
    );
    assert_eq!(partitions(&db), before);
    let out = db
        .cmd()
        .args(["partition", "list", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out).as_array().unwrap().len(), before.len());
}

#[test]
fn doctor_warns_before_inserts_run_out_of_partitions() {
    let db = TestDb::new();
    let out = db
        .cmd()
        .args(["migrate", "--partition-by", "day", "--premake", "0"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let doctor = |args: &[&str]| {
        let out = db
            .cmd()
            .args(["doctor", "--only", "partitions", "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        (out.status.code(), json_out(&out)["checks"][0].clone())
    };
    // Today's partition only: inserts run out of partitions at midnight UTC.
    let (code, check) = doctor(&["--threshold", "partitions.ahead=2d"]);
    assert_eq!(code, Some(3), "{check}");
    assert_eq!(check["status"], "warn");
    assert!(
        check["fix"][0]
            .as_str()
            .unwrap()
            .contains("partition maintain"),
        "{check}"
    );
    // Made ahead: fine.
    let out = db
        .cmd()
        .args(["partition", "maintain", "--premake", "3"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let (code, check) = doctor(&["--threshold", "partitions.ahead=2d"]);
    assert_eq!(code, Some(0), "{check}");
    // A row no partition covers is found in the default partition.
    rows(&db, 3, "2020-01-01 10:00+00", "'pending'", "NULL");
    let (_, check) = doctor(&[]);
    assert_eq!(check["status"], "warn");
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .contains("3 rows in the default partition"),
        "{check}"
    );
    // Too many partitions for the marks.
    let (_, check) = doctor(&["--threshold", "partitions.max=2"]);
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .contains("partitions: every id-only mark"),
        "{check}"
    );
    // A plain table has nothing to judge.
    let plain = TestDb::new().migrated();
    let out = plain
        .cmd()
        .args(["doctor", "--only", "partitions", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        json_out(&out)["checks"][0]["summary"],
        "the outbox is not partitioned"
    );
}

/// The same rows in a plain and a partitioned outbox: every read gives the same JSON
/// (but for what names the target or the moment), and every change leaves the same rows.
#[test]
fn both_layouts_give_the_same_answers() {
    let plain = TestDb::new().migrated();
    let parted = partitioned_db();
    for day in 1..=10 {
        let date = format!("2026-11-{day:02}");
        day_partition(&parted, &date);
    }
    let seed = "INSERT INTO outbox_messages (id, topic, key, status, retries, last_error, created_at, processed_at, headers)
        SELECT md5(g::text)::uuid,
               (ARRAY['orders', 'billing', 'audit'])[g % 3 + 1],
               'k' || (g % 17),
               (ARRAY['pending', 'processing', 'processed', 'processed', 'failed'])[g % 5 + 1],
               g % 6,
               CASE WHEN g % 5 = 4 THEN 'dial tcp 10.0.0.' || (g % 7) || ':9092: connect: connection refused' ELSE '' END,
               timestamptz '2026-11-01 00:00+00' + (g * interval '17 minutes'),
               CASE WHEN g % 5 IN (2, 3) THEN timestamptz '2026-11-01 00:00+00' + (g * interval '17 minutes') + interval '1 minute' END,
               jsonb_build_object('tenant', 't' || (g % 4))
          FROM generate_series(1, 800) g;
        -- Rows no day partition covers (before the first, and in the gap after the
        -- tenth): in the default partition, which the walks reach by its own range.
        INSERT INTO outbox_messages (id, topic, status, last_error, created_at, processed_at)
        SELECT md5('gap' || g)::uuid, 'orders', (ARRAY['processed', 'failed'])[g % 2 + 1],
               CASE WHEN g % 2 = 1 THEN 'dial tcp 10.0.0.9:9092: connect: connection refused' ELSE '' END,
               timestamptz '2026-10-15 00:00+00' + (g * interval '1 day'),
               CASE WHEN g % 2 = 0 THEN timestamptz '2026-10-15 00:05+00' + (g * interval '1 day') END
          FROM generate_series(0, 40) g
         WHERE g NOT BETWEEN 17 AND 26";
    for db in [&plain, &parted] {
        db.client().batch_execute(seed).unwrap();
    }
    let volatile = [
        "target",
        "at",
        "longest_batch_ms",
        "partitions_dropped",
        "rows_in_dropped_partitions",
        "rows_in_dropped_partitions_estimated",
        "partitions_kept",
    ];
    fn strip(value: &mut Value, volatile: &[&str]) {
        match value {
            Value::Object(map) => {
                map.retain(|k, _| !volatile.contains(&k.as_str()) && !k.ends_with("_age_seconds"));
                map.values_mut().for_each(|v| strip(v, volatile));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| strip(v, volatile)),
            _ => {}
        }
    }
    let answer = |db: &TestDb, args: &[&str]| -> Value {
        let out = db
            .cmd()
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 3)),
            "{args:?}: {}",
            stderr(&out)
        );
        let mut value = json_out(&out);
        strip(&mut value, &volatile);
        value
    };
    let reads: &[&[&str]] = &[
        &[
            "stats",
            "--exact",
            "--by-topic",
            "--by-header",
            "tenant",
            "--by-error",
        ],
        &["stats", "--max-failed", "10"],
        &["list", "--status", "all", "--limit", "0"],
        &[
            "list",
            "--status",
            "failed",
            "--error-contains",
            "refused",
            "--topic",
            "billing",
        ],
        &["show", "c4ca4238-a0b9-2382-0dcc-509a6f75849b"],
        &["requeue", "--all", "--dry-run"],
        &["delete", "--all", "--status", "failed", "--dry-run"],
        &["purge", "--before", CUTOFF, "--include-failed", "--dry-run"],
    ];
    for args in reads {
        assert_eq!(answer(&plain, args), answer(&parted, args), "{args:?}");
    }
    let changes: &[&[&str]] = &[
        &["requeue", "--all", "--topic", "billing", "--yes"],
        &["requeue", "--stuck", "--before", "1d", "--yes"],
        &[
            "delete", "--all", "--status", "failed", "--topic", "audit", "--yes",
        ],
        &["purge", "--before", "2026-11-04T00:00:00Z", "--yes"],
        &["purge", "--before", CUTOFF, "--include-failed", "--yes"],
    ];
    for args in changes {
        let (a, b) = (answer(&plain, args), answer(&parted, args));
        assert_eq!(a["matched"], b["matched"], "{args:?}");
        let snapshot = |db: &TestDb| -> Vec<(Uuid, String)> {
            db.client()
                .query(
                    "SELECT id, status || '/' || retries FROM outbox_messages ORDER BY id",
                    &[],
                )
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect()
        };
        assert_eq!(snapshot(&plain), snapshot(&parted), "after {args:?}");
    }
}

/// `partition convert` on a live plain outbox: a writer and the library's relay keep
/// going; afterwards the table is the layout, every row is there once, the grants came
/// along, and a rerun has nothing to do.
#[test]
fn convert_turns_a_live_plain_outbox_into_the_layout() {
    let db = TestDb::new().migrated();
    crate::harness::Seed {
        n: 20_000,
        ..Default::default()
    }
    .insert(&mut db.client());
    let role = db.role("relay");
    db.client()
        .batch_execute(&format!(
            "GRANT SELECT, INSERT, UPDATE ON outbox_messages TO {}",
            role.name
        ))
        .unwrap();
    let out = db
        .cmd()
        .args(["partition", "convert", "--partition-by", "day", "--dry-run"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("ATTACH PARTITION"),
        "{}",
        stdout(&out)
    );
    let is_partitioned = |db: &TestDb| -> bool {
        db.client()
            .query_one(
                "SELECT relkind = 'p' FROM pg_class WHERE oid = 'outbox_messages'::regclass",
                &[],
            )
            .unwrap()
            .get(0)
    };
    assert!(!is_partitioned(&db), "a dry run converted it");

    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = Arc::clone(&stop);
        let mut client = db.client();
        std::thread::spawn(move || {
            let mut written = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                if let Ok(row) = client.query_one(
                    "INSERT INTO outbox_messages (topic, key) VALUES ('live', 'k') RETURNING id",
                    &[],
                ) {
                    written.push(row.get::<_, Uuid>(0));
                }
            }
            written
        })
    };
    let relay = {
        let stop = Arc::clone(&stop);
        let mut relay = Relay::new(&db, 11, 0);
        std::thread::spawn(move || {
            let mut processed = 0;
            while !stop.load(Ordering::SeqCst) {
                processed += relay.step(50).1.len();
            }
            processed
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(200));
    let out = db
        .cmd()
        .args([
            "partition",
            "convert",
            "--partition-by",
            "day",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    stop.store(true, Ordering::SeqCst);
    let written = writer.join().unwrap();
    let processed = relay.join().unwrap();
    assert_exit(&out, 0);
    let report = json_out(&out);
    crate::schemas::assert_valid(
        "partition-convert.schema.json",
        "partition convert",
        &report,
    );
    assert_eq!(report["result"], "converted");
    assert!(is_partitioned(&db));
    assert!(processed > 0 && !written.is_empty());
    // Every row once: the seeded ones and every one the writer was told it wrote.
    let total: i64 = db
        .client()
        .query_one("SELECT count(*) FROM outbox_messages", &[])
        .unwrap()
        .get(0);
    assert_eq!(total, 20_000 + written.len() as i64);
    let distinct: i64 = db
        .client()
        .query_one("SELECT count(DISTINCT id) FROM outbox_messages", &[])
        .unwrap()
        .get(0);
    assert_eq!(distinct, total);
    assert_eq!(ids(&db, "topic = 'live'").len(), written.len());
    // Every partition, the old table included, has the retention index, valid and
    // attached to the parent's (built concurrently before the swap, not under it).
    let missing: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_inherits i
              WHERE i.inhparent = 'outbox_messages'::regclass
                AND NOT EXISTS (SELECT 1 FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                                  JOIN pg_am a ON a.oid = c.relam
                                  JOIN pg_inherits ii ON ii.inhrelid = x.indexrelid
                                 WHERE x.indrelid = i.inhrelid AND a.amname = 'brin' AND x.indisvalid
                                   AND ii.inhparent = 'outbox_messages_retention'::regclass)",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(missing, 0, "partitions without the retention index");
    let out = db
        .cmd()
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        json_out(&out)["tables"][0]["partitioned"],
        "RANGE (created_at)"
    );
    // The relay's role kept its grants.
    let mut as_role = postgres::Client::connect(&db.url_as(&role.name), postgres::NoTls).unwrap();
    as_role
        .execute(
            "UPDATE outbox_messages SET status = 'processing' WHERE key = 'nope'",
            &[],
        )
        .unwrap();
    // Nothing left to do.
    let out = db
        .cmd()
        .args(["partition", "convert", "--partition-by", "day"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("already partitioned"));
}

/// What a partitioned table would not carry over (an audit trigger) is refused, named,
/// and nothing changes; an unfinished conversion is rolled back, or resumed with the
/// boundary it chose.
#[test]
fn convert_refuses_what_it_cannot_carry_and_resumes_or_rolls_back() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "CREATE TABLE audit_log (id uuid);
             CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit_log VALUES (NEW.id); RETURN NEW; END $$;
             CREATE TRIGGER outbox_audit AFTER INSERT ON outbox_messages FOR EACH ROW EXECUTE FUNCTION audit();",
        )
        .unwrap();
    let out = db
        .cmd()
        .args(["partition", "convert", "--partition-by", "day"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    crate::assert_one_line_error(&out);
    assert!(
        stderr(&out).contains("trigger outbox_audit"),
        "{}",
        stderr(&out)
    );
    let extra: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'outbox_messages'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(extra, 2, "the refusal changed something");
    db.client()
        .batch_execute("DROP TRIGGER outbox_audit ON outbox_messages")
        .unwrap();

    // An unfinished run: the first steps done by hand, with a boundary of its own.
    db.client()
        .batch_execute(
            "CREATE UNIQUE INDEX outbox_messages_id_created_at ON outbox_messages (id, created_at);
             ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_convert_range
               CHECK (created_at < '2030-01-01 00:00:00+00') NOT VALID;",
        )
        .unwrap();
    let out = db
        .cmd()
        .args(["partition", "convert", "--rollback"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let left: i64 = db
        .client()
        .query_one(
            "SELECT (SELECT count(*) FROM pg_indexes WHERE indexname = 'outbox_messages_id_created_at')
                  + (SELECT count(*) FROM pg_constraint WHERE conname = 'outbox_messages_convert_range')",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0, "the rollback left something");
    db.client()
        .batch_execute(
            "ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_convert_range
               CHECK (created_at < '2030-01-01 00:00:00+00') NOT VALID;",
        )
        .unwrap();
    let out = db
        .cmd()
        .args([
            "partition",
            "convert",
            "--partition-by",
            "month",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        json_out(&out)["boundary"],
        "2030-01-01",
        "the resumed run kept its boundary"
    );
    assert!(partitions(&db).contains("outbox_messages_p203001"));
}

/// A row changed while the purge runs into one it keeps, by a NULL the CHECK cannot
/// see through (processed_at NULL), is never dropped with its partition.
#[test]
fn a_row_made_unremovable_by_a_null_during_a_purge_is_kept() {
    let db = partitioned_db();
    let old = day_partition(&db, "2026-11-01");
    rows(
        &db,
        100_000,
        "2026-11-01 10:00+00",
        "'processed'",
        "'2026-11-01 11:00+00'",
    );
    db.client()
        .batch_execute("ALTER TABLE outbox_messages ALTER COLUMN processed_at DROP NOT NULL")
        .ok();
    let stop = Arc::new(AtomicBool::new(false));
    let changer = {
        let stop = Arc::clone(&stop);
        let mut client = db.client();
        let old = old.clone();
        std::thread::spawn(move || {
            let mut changed = Vec::new();
            while !stop.load(Ordering::SeqCst)
                && client
                    .query_one(
                        "SELECT count(*) FROM pg_constraint WHERE conname = 'outboxctl_retention'",
                        &[],
                    )
                    .unwrap()
                    .get::<_, i64>(0)
                    == 0
            {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            while !stop.load(Ordering::SeqCst) {
                let sql = format!(
                    "UPDATE outbox_messages SET processed_at = NULL
                      WHERE id = (SELECT id FROM {old} WHERE processed_at IS NOT NULL LIMIT 1)
                     RETURNING id"
                );
                if let Ok(Some(row)) = client.query_opt(&sql, &[]) {
                    changed.push(row.get::<_, Uuid>(0));
                }
            }
            changed
        })
    };
    let out = db
        .cmd()
        .args(["purge", "--before", CUTOFF, "--format", "json"])
        .output()
        .unwrap();
    stop.store(true, Ordering::SeqCst);
    let changed = changer.join().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let present = ids(&db, "processed_at IS NULL");
    for id in &changed {
        assert!(
            present.contains(id),
            "a row changed during the purge was dropped"
        );
    }
}

/// A partition that is itself partitioned is never dropped whole; a lock on the table
/// stops the drops at the first wait instead of one wait per partition; and a
/// constraint an interrupted run left behind is removed.
#[test]
fn purge_leaves_sub_partitioned_partitions_gives_up_on_a_locked_table_and_cleans_up() {
    let db = partitioned_db();
    db.client()
        .batch_execute(
            "ALTER TABLE outbox_messages ALTER COLUMN processed_at DROP NOT NULL;
             CREATE TABLE sub_p PARTITION OF outbox_messages
               FOR VALUES FROM ('2026-11-02 00:00+00') TO ('2026-11-04 00:00+00') PARTITION BY RANGE (created_at);
             CREATE TABLE sub_p1 PARTITION OF sub_p FOR VALUES FROM ('2026-11-02 00:00+00') TO ('2026-11-03 00:00+00');
             CREATE TABLE sub_p2 PARTITION OF sub_p FOR VALUES FROM ('2026-11-03 00:00+00') TO ('2026-11-04 00:00+00');",
        )
        .unwrap();
    rows(
        &db,
        30,
        "2026-11-02 10:00+00",
        "'processed'",
        "'2026-11-02 11:00+00'",
    );
    rows(&db, 1, "2026-11-03 05:30+00", "'processed'", "NULL");
    let leftover = day_partition(&db, "2026-11-05");
    rows(&db, 1, "2026-11-05 10:00+00", "'pending'", "NULL");
    db.client()
        .batch_execute(&format!(
            "ALTER TABLE {leftover} ADD CONSTRAINT outboxctl_retention CHECK (status <> 'pending') NOT VALID"
        ))
        .unwrap();
    for day in ["2026-11-06", "2026-11-07", "2026-11-08"] {
        day_partition(&db, day);
        rows(
            &db,
            10,
            &format!("{day} 10:00+00"),
            "'processed'",
            &format!("'{day} 11:00+00'"),
        );
    }
    // A session reading the table holds a lock every detach must wait for.
    let mut reader = db.client();
    reader
        .batch_execute("BEGIN; SELECT count(*) FROM outbox_messages")
        .unwrap();
    let started = std::time::Instant::now();
    let out = db
        .cmd()
        .args([
            "--lock-timeout",
            "500ms",
            "purge",
            "--before",
            CUTOFF,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let took = started.elapsed();
    reader.batch_execute("ROLLBACK").unwrap();
    assert_exit(&out, 0);
    let summary = json_out(&out);
    let kept = summary["partitions_kept"].as_array().unwrap();
    let reason = |name: &str| -> String {
        kept.iter()
            .find(|k| k["partition"] == name)
            .map(|k| k["reason"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert!(reason("sub_p").contains("itself partitioned"), "{summary}");
    assert!(
        reason("outbox_messages_p20261106").contains("lock timeout"),
        "{summary}"
    );
    assert!(
        reason("outbox_messages_p20261108").starts_with("not tried"),
        "{summary}"
    );
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
    // The sub-partitioned partition's kept row is there.
    assert_eq!(
        ids(&db, "processed_at IS NULL AND status = 'processed'").len(),
        1
    );
    // With the table free, the next run drops what it could not, and removes the
    // constraint the interrupted run left.
    let out = db
        .cmd()
        .args(["purge", "--before", CUTOFF, "--format", "json"])
        .output()
        .unwrap();
    let dropped = json_out(&out)["partitions_dropped"].clone();
    assert!(
        dropped
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "outbox_messages_p20261108"),
        "{dropped}"
    );
    let constraints: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_constraint WHERE conname = 'outboxctl_retention'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(constraints, 0);
}

/// The retention index's question (only conditions a BRIN on status and processed_at
/// answers) selects exactly the rows the purge's selection keeps, for every status,
/// NULLs, look-alikes and a case-insensitive collation included: the proof that a
/// partition may go rests on it.
#[test]
fn the_indexed_question_finds_exactly_the_rows_the_purge_keeps() {
    use outboxctl::batch::retention::Rule;
    let db = TestDb::new();
    db.client()
        .batch_execute(
            "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
             CREATE TABLE plain (n serial, status text, processed_at timestamptz, created_at timestamptz NOT NULL DEFAULT '2026-11-01');
             CREATE TABLE folded (n serial, status text COLLATE ci, processed_at timestamptz, created_at timestamptz NOT NULL DEFAULT '2026-11-01');
             INSERT INTO plain (status, processed_at)
             SELECT s, p FROM unnest(ARRAY['processed', 'failed', 'pending', 'processing', 'PROCESSED', 'processed ', 'Failed', 'failedx', 'process', '', 'zzz', NULL]) s,
                              unnest(ARRAY[NULL, '2026-11-10', '2026-11-20', '2026-11-30']::timestamptz[]) p;
             INSERT INTO folded (status, processed_at) SELECT status, processed_at FROM plain;",
        )
        .unwrap();
    let cutoff = chrono::DateTime::parse_from_rfc3339(CUTOFF)
        .unwrap()
        .with_timezone(&chrono::Utc);
    for include_failed in [false, true] {
        let rule = Rule {
            cutoff,
            include_failed,
            topics: Vec::new(),
        };
        let indexed = rule.keepers_indexed().unwrap();
        for table in ["plain", "folded"] {
            let by = |condition: &str| -> Vec<i32> {
                db.client()
                    .query(
                        &format!("SELECT n FROM {table} WHERE {condition} ORDER BY n"),
                        &[],
                    )
                    .unwrap()
                    .iter()
                    .map(|r| r.get(0))
                    .collect()
            };
            let kept = by(&format!("({}) IS NOT TRUE", rule.selection()));
            assert!(!kept.is_empty());
            assert_eq!(
                by(&indexed),
                kept,
                "{table}, include_failed {include_failed}"
            );
        }
    }
    // With topics the index cannot answer: the partition is read whole.
    let rule = Rule {
        cutoff,
        include_failed: false,
        topics: vec!["orders".into()],
    };
    assert!(rule.keepers_indexed().is_none());
}

/// A walk leaves out the partitions the retention index proves hold nothing it would
/// change: a purge whose rows are all in one of ten partitions reads that one.
#[test]
fn a_walk_skips_partitions_the_index_proves_empty_of_its_rows() {
    let db = partitioned_db();
    for day in 1..=10 {
        day_partition(&db, &format!("2026-11-{day:02}"));
        rows(
            &db,
            300,
            &format!("2026-11-{day:02} 12:00+00"),
            "'pending'",
            "NULL",
        );
    }
    rows(
        &db,
        500,
        "2026-11-04 12:00+00",
        "'processed'",
        "'2026-11-04 12:01+00'",
    );
    db.client()
        .batch_execute("VACUUM ANALYZE outbox_messages")
        .unwrap();
    let purge = |db: &TestDb| {
        let out = db
            .cmd()
            .args([
                "purge",
                "--before",
                CUTOFF,
                "--yes",
                "--batch-size",
                "100",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert_exit(&out, 0);
        json_out(&out)
    };
    let summary = purge(&db);
    assert_eq!(summary["changed"], 500);
    // The pending rows keep every partition; the 500 went row by row, and only their
    // partition was read (the purge's statistics reach the server when it exits).
    let read = |db: &TestDb| -> Vec<(String, i64, i64)> {
        db.client()
            .query(
                "SELECT relname::text, seq_tup_read, n_tup_del FROM pg_stat_user_tables
                  WHERE relname LIKE 'outbox_messages_p202611%' ORDER BY 1",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let stats = loop {
        let stats = read(&db);
        if stats.iter().any(|(_, _, deleted)| *deleted == 500) {
            break stats;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no statistics: {stats:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    for (partition, tuples_read, _) in &stats {
        if partition != "outbox_messages_p20261104" {
            assert_eq!(*tuples_read, 0, "{partition} was read: {stats:?}");
        }
    }
    assert_eq!(ids(&db, "true").len(), 3000);
}

/// A partition an earlier purge detached but could not drop (someone held it) still
/// carries the purge's constraint: the next purge drops it, and nothing else.
#[test]
fn a_detached_partition_left_by_an_earlier_purge_is_dropped_by_the_next() {
    let db = partitioned_db();
    let left = day_partition(&db, "2026-11-02");
    rows(
        &db,
        50,
        "2026-11-02 12:00+00",
        "'processed'",
        "'2026-11-02 12:01+00'",
    );
    db.client()
        .batch_execute(&format!(
            "ALTER TABLE {left} ADD CONSTRAINT outboxctl_retention CHECK (status = 'processed') NOT VALID;
             ALTER TABLE outbox_messages DETACH PARTITION {left};
             CREATE TABLE unrelated (status text, CONSTRAINT outboxctl_retention CHECK (status IS NOT NULL));
             CREATE TABLE outbox_messages_pkeep (LIKE outbox_messages);"
        ))
        .unwrap();
    let out = db
        .cmd()
        .args(["purge", "--before", CUTOFF, "--yes"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let exists = |name: &str| -> bool {
        db.client()
            .query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
            .unwrap()
            .get(0)
    };
    assert!(!exists(&left), "{left} was left");
    assert!(exists("unrelated") && exists("outbox_messages_pkeep"));
}

/// On a partitioned outbox a vacuum finding is one fix for all its partitions, not one
/// per partition, and that fix, pasted into psql, does the job.
#[test]
fn doctor_says_a_partitioned_finding_once_and_its_fix_works() {
    let db = partitioned_db();
    for day in 1..=6 {
        day_partition(&db, &format!("2026-11-{day:02}"));
    }
    let doctor = |db: &TestDb| {
        let out = db
            .cmd()
            .args(["doctor", "--only", "autovacuum", "--format", "json"])
            .output()
            .unwrap();
        json_out(&out)["checks"][0].clone()
    };
    let check = doctor(&db);
    assert_eq!(check["status"], "warn", "{check}");
    let fixes: Vec<String> = check["fix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    assert_eq!(fixes.len(), 1, "{fixes:#?}");
    assert!(fixes[0].starts_with("DO $fix$"), "{fixes:#?}");
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .contains("more (the details list each)"),
        "{check}"
    );
    // The fix as a person pastes it.
    let out = std::process::Command::new("psql")
        .args([
            "-X",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            &db.url(),
            "-c",
            &fixes[0],
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check = doctor(&db);
    assert_eq!(check["status"], "ok", "{check}");
}

/// On the partitioned layout one id can be stored twice (the key is (id, created_at)):
/// `show` shows each row rather than calling the id ambiguous, and json, which holds
/// one message, says how to see them.
#[test]
fn show_shows_every_row_of_an_id_stored_twice() {
    let db = partitioned_db();
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (id, topic, status, created_at) VALUES
               ('feedface-0000-4000-8000-000000000000', 'dup', 'failed', now()),
               ('feedface-0000-4000-8000-000000000000', 'dup', 'pending', now() - interval '1 day')",
        )
        .unwrap();
    let out = db
        .cmd()
        .args([
            "show",
            "feedface-0000-4000-8000-000000000000",
            "-o",
            "ndjson",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let statuses: HashSet<String> = stdout(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["status"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        statuses,
        HashSet::from(["failed".to_string(), "pending".to_string()])
    );
    assert!(stderr(&out).contains("is in 2 rows"), "{}", stderr(&out));
    let out = db
        .cmd()
        .args(["show", "feedface", "-o", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
}
