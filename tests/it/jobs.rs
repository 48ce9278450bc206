//! `--jobs` (several connections over disjoint parts of a table), gentle mode
//! (`--max-rate`, `--max-replica-lag` against a real streaming standby) and the dedup
//! purge's choice of walk.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::{OwnCluster, Seed, TestDb, bare_cmd};
use crate::{assert_exit, json_out, stderr};

/// `n` rows: two thirds processed (half of those long ago), a third failed long ago.
fn seed(db: &TestDb, n: i64) {
    db.client()
        .batch_execute(&format!(
            "INSERT INTO outbox_messages (topic, status, processed_at, created_at)
             SELECT 't' || (i % 7),
                    CASE WHEN i % 3 = 2 THEN 'failed' ELSE 'processed' END,
                    CASE WHEN i % 3 = 0 THEN now() - interval '10 days'
                         WHEN i % 3 = 1 THEN now() END,
                    now() - interval '20 days'
               FROM generate_series(0, {} - 1) i",
            n
        ))
        .unwrap();
}

/// Each value of `flag` is refused as bad usage (exit 2) before anything is sent.
fn refused(db: &TestDb, flag: &str, values: &[&str]) {
    for bad in values {
        let out = db
            .cmd()
            .args(["purge", "--before", "1d", flag, bad])
            .output()
            .unwrap();
        assert_exit(&out, 2);
    }
}

fn run_json(db: &TestDb, args: &[&str]) -> serde_json::Value {
    let out = db
        .cmd()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    json_out(&out)
}

#[test]
fn purge_with_jobs_deletes_each_row_once_and_counts_exactly() {
    let db = TestDb::new().migrated();
    seed(&db, 30_000);
    let summary = run_json(
        &db,
        &[
            "purge",
            "--before",
            "1d",
            "--jobs",
            "3",
            "--batch-size",
            "500",
        ],
    );
    assert_eq!(summary["changed"], 10_000, "{summary}");
    assert_eq!(summary["matched"], 10_000, "{summary}");
    assert_eq!(summary["skipped"], 0, "{summary}");
    assert!(summary["batches"].as_u64().unwrap() >= 20, "{summary}");
    assert_eq!(
        db.count("status = 'processed' AND processed_at < now() - interval '1 day'"),
        0
    );
    assert_eq!(db.count("true"), 20_000);
    // People are told how the work was spread.
    let out = db
        .cmd()
        .args(["purge", "--before", "0s", "--include-failed", "--jobs", "2"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("batches over 2 connections (longest"), "{err}");
}

#[test]
fn requeue_and_delete_by_filter_take_jobs_but_not_with_ids() {
    let db = TestDb::new().migrated();
    seed(&db, 9_000);
    let summary = run_json(&db, &["requeue", "--all", "-j", "2", "--batch-size", "100"]);
    assert_eq!(summary["changed"], 3_000, "{summary}");
    assert_eq!(db.count("status = 'pending' AND retries = 0"), 3_000);
    let summary = run_json(
        &db,
        &[
            "delete",
            "--status",
            "pending",
            "--jobs",
            "4",
            "--batch-size",
            "64",
            "--yes",
        ],
    );
    assert_eq!(summary["changed"], 3_000, "{summary}");
    assert_eq!(db.count("true"), 6_000);

    let out = db
        .cmd()
        .args([
            "requeue",
            "--jobs",
            "2",
            "00000000-0000-0000-0000-000000000000",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("--jobs"), "{}", stderr(&out));
    refused(&db, "--jobs", &["0", "65", "x"]);
    assert_eq!(db.count("true"), 6_000);
}

/// A relay moves rows while four jobs purge: every row the summary counts as deleted is
/// gone, no other row is, and what was matched but moved first is counted as skipped.
#[test]
fn jobs_count_exactly_while_a_relay_moves_rows() {
    let db = TestDb::new().migrated();
    seed(&db, 60_000);
    let before = db.count("true");
    let url = db.url();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let relay = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            let mut moved = 0u64;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                // Replays: old processed rows go back to pending, out of purge's reach.
                // Like a relay, it skips rows another session holds rather than wait.
                moved += client
                    .execute(
                        "UPDATE outbox_messages SET status = 'pending', processed_at = NULL
                          WHERE id IN (SELECT id FROM outbox_messages
                                        WHERE status = 'processed' AND processed_at < now() - interval '1 day'
                                        ORDER BY random() LIMIT 20 FOR UPDATE SKIP LOCKED)",
                        &[],
                    )
                    .unwrap();
            }
            moved
        })
    };
    let summary = run_json(
        &db,
        &[
            "purge",
            "--before",
            "1d",
            "--jobs",
            "4",
            "--batch-size",
            "50",
        ],
    );
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let moved = relay.join().unwrap();
    let deleted = (before - db.count("true")) as u64;
    assert!(moved > 0);
    assert_eq!(summary["changed"].as_u64().unwrap(), deleted, "{summary}");
    assert_eq!(
        summary["matched"].as_u64().unwrap(),
        deleted + summary["skipped"].as_u64().unwrap(),
        "{summary}"
    );
    // Nothing pending was deleted: 20,000 rows were pending-or-failed and stay.
    assert_eq!(db.count("status = 'failed'"), 20_000);
}

#[test]
fn ctrl_c_stops_every_job_and_the_account_is_exact() {
    let db = TestDb::new().migrated();
    seed(&db, 150_000);
    let before = db.count("true");
    let child = db
        .cmd()
        .args([
            "purge",
            "--before",
            "1d",
            "--jobs",
            "3",
            "--batch-size",
            "20",
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while db.count("true") == before {
        assert!(Instant::now() < deadline, "nothing committed");
        std::thread::sleep(Duration::from_millis(20));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 130);
    let summary = json_out(&out);
    assert_eq!(summary["interrupted"], true);
    let deleted = (before - db.count("true")) as u64;
    assert_eq!(summary["changed"].as_u64().unwrap(), deleted, "{summary}");
    assert!(deleted < 50_000, "the run went on after Ctrl-C: {summary}");
    assert!(
        stderr(&out).contains("rerun to continue"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn max_rate_spaces_batches() {
    let db = TestDb::new().migrated();
    seed(&db, 900);
    let started = Instant::now();
    let summary = run_json(
        &db,
        &[
            "purge",
            "--before",
            "1d",
            "--max-rate",
            "100",
            "--batch-size",
            "1000",
        ],
    );
    // A batch is at most a second's worth of rows, and the rows are spread over time.
    assert_eq!(summary["changed"], 300, "{summary}");
    assert!(summary["batches"].as_u64().unwrap() >= 3, "{summary}");
    assert!(started.elapsed() >= Duration::from_secs(2), "{summary}");
    assert_eq!(summary["paused_ms"], 0, "{summary}");
    refused(&db, "--max-rate", &["0", "-5", "fast"]);
    refused(&db, "--max-replica-lag", &["0s", "0", "soon", "-1s"]);
    assert_eq!(db.count("true"), 600);
}

#[test]
fn max_replica_lag_needs_a_role_that_sees_the_standbys() {
    let db = TestDb::new().migrated();
    seed(&db, 300);
    let role = format!("gentle_{}", db.name);
    db.client()
        .batch_execute(&format!(
            "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN;
             GRANT SELECT, DELETE ON outbox_messages TO {role};"
        ))
        .unwrap();
    let url = db.url_as(&role);
    let out = bare_cmd()
        .env("DATABASE_URL", &url)
        .args(["purge", "--before", "1d", "--max-replica-lag", "5s"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("GRANT pg_monitor"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(db.count("true"), 300);
    db.client()
        .batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role}"))
        .unwrap();
    // Without any standby, the run warns that there is nothing to wait for, and runs.
    let out = db
        .cmd()
        .args(["purge", "--before", "1d", "--max-replica-lag", "5s"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("no standby"), "{}", stderr(&out));
    assert_eq!(db.count("true"), 200);
}

/// A real streaming standby whose replay is paused: the purge holds its next batch, says
/// why, and goes on once replay catches up.
#[test]
fn max_replica_lag_pauses_while_a_standby_lags_and_resumes() {
    let primary = OwnCluster::start();
    primary
        .client("postgres")
        .batch_execute("CREATE DATABASE gentle")
        .unwrap();
    let url = primary.url("gentle");
    let cmd = || {
        let mut c = bare_cmd();
        c.env("DATABASE_URL", &url);
        c
    };
    assert_exit(&cmd().arg("migrate").output().unwrap(), 0);
    primary
        .client("gentle")
        .batch_execute(
            "INSERT INTO outbox_messages (topic, status, processed_at)
             SELECT 't', 'processed', now() - interval '10 days' FROM generate_series(1, 20000)",
        )
        .unwrap();
    let standby = primary.standby(&["wal_receiver_status_interval=1s"]);
    let mut on_standby = {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match postgres::Client::connect(&standby.url("gentle"), postgres::NoTls) {
                Ok(client) => break client,
                Err(e) => {
                    assert!(Instant::now() < deadline, "standby never came up: {e}");
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        }
    };
    on_standby
        .batch_execute("SELECT pg_wal_replay_pause()")
        .unwrap();

    let mut child = cmd()
        .args([
            "purge",
            "--before",
            "1d",
            "--batch-size",
            "200",
            "--max-replica-lag",
            "1s",
            // Ten seconds of work, so the lag builds up while it runs.
            "--max-rate",
            "2000",
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let pausing = lines.next().expect("a line on stderr").unwrap();
    assert!(
        pausing.contains("pausing: standby doctor_standby")
            && pausing.contains("--max-replica-lag 1s"),
        "{pausing}"
    );
    // Held: nothing more is deleted while replay stays paused.
    let left = primary
        .client("gentle")
        .query_one("SELECT count(*) FROM outbox_messages", &[])
        .unwrap()
        .get::<_, i64>(0);
    assert!(left > 0, "the purge finished without pausing");
    std::thread::sleep(Duration::from_secs(3));
    let still = primary
        .client("gentle")
        .query_one("SELECT count(*) FROM outbox_messages", &[])
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(left, still, "batches ran while the standby lagged");

    on_standby
        .batch_execute("SELECT pg_wal_replay_resume()")
        .unwrap();
    let resumed = lines.next().expect("a resume line").unwrap();
    assert!(resumed.contains("resuming after"), "{resumed}");
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 0);
    let summary = json_out(&out);
    assert_eq!(summary["changed"], 20_000, "{summary} {rest:?}");
    assert!(summary["paused_ms"].as_u64().unwrap() >= 3_000, "{summary}");
}

/// The dedup purge's walk: along the index for a slice, physical for most of a table in
/// random order; either way with jobs, exactly the entries before the cutoff go.
#[test]
fn dedup_purge_picks_its_walk_and_jobs_delete_exactly() {
    let db = TestDb::new().migrated();
    let mut client = db.client();
    // processed_at in random physical order over 100 days.
    client
        .batch_execute(
            "INSERT INTO processed_messages (group_name, msg_id, processed_at)
             SELECT 'g' || (i % 5), 'm' || i, now() - ((i::bigint * 104729) % 8640000) * interval '1 second'
               FROM generate_series(1, 60000) i;
             ANALYZE processed_messages;",
        )
        .unwrap();
    let expected = |days: i64| -> i64 {
        db.client()
            .query_one(
                &format!(
                    "SELECT count(*) FROM processed_messages WHERE processed_at < now() - interval '{days} days'"
                ),
                &[],
            )
            .unwrap()
            .get(0)
    };
    let plan = |days: i64| {
        let (mut session, table) = db.dedup_session();
        let mut tx = session
            .begin(outboxctl::db::session::Access::ReadOnly)
            .unwrap();
        let cutoff = outboxctl::db::pgtime::PgTime::from_chrono(
            chrono::Utc::now() - chrono::Duration::days(days),
        );
        outboxctl::batch::dedup_walk::Route::choose(&mut tx, &table, cutoff, &[]).unwrap()
    };
    use outboxctl::batch::dedup_walk::Strategy;
    let slice = plan(99);
    assert_eq!(slice.strategy, Strategy::Index, "{slice:?}");
    let most = plan(10);
    assert_eq!(most.strategy, Strategy::Physical, "{most:?}");
    assert!(most.correlation.unwrap().abs() < 0.5, "{most:?}");

    for (days, jobs) in [(99, "2"), (10, "3")] {
        let want = expected(days);
        let summary = run_json(
            &db,
            &[
                "dedup",
                "purge",
                "--before",
                &format!("{days}d"),
                "--jobs",
                jobs,
                "--batch-size",
                "300",
            ],
        );
        assert_eq!(summary["changed"].as_i64().unwrap(), want, "{summary}");
        assert_eq!(expected(days), 0);
    }
    assert!(expected(0) > 0);

    // In time order (the library's layout), the index walk is chosen whatever the share.
    client
        .batch_execute(
            "TRUNCATE processed_messages;
             INSERT INTO processed_messages (group_name, msg_id, processed_at)
             SELECT 'g', 'm' || i, now() - (60000 - i) * interval '1 minute' FROM generate_series(1, 60000) i;
             ANALYZE processed_messages;",
        )
        .unwrap();
    let ordered = plan(1);
    assert_eq!(ordered.strategy, Strategy::Index, "{ordered:?}");
    let want = expected(1);
    let summary = run_json(
        &db,
        &[
            "dedup",
            "purge",
            "--before",
            "1d",
            "--jobs",
            "2",
            "--batch-size",
            "700",
        ],
    );
    assert_eq!(summary["changed"].as_i64().unwrap(), want, "{summary}");
    assert_eq!(expected(1), 0);
}

/// A purge of a 1 % slice of a large table reads that slice, not the table: the buffer
/// counts of the run's own connections show it.
#[test]
fn dedup_purge_of_a_slice_reads_only_the_slice() {
    let db = TestDb::new().migrated();
    let mut client = db.client();
    client
        .batch_execute(
            "INSERT INTO processed_messages (group_name, msg_id, metadata, processed_at)
             SELECT 'g' || (i % 5), 'm' || i, jsonb_build_object('pad', repeat('x', 250)),
                    now() - (200000 - i) * interval '1 minute'
               FROM generate_series(1, 200000) i",
        )
        .unwrap();
    client
        .batch_execute("VACUUM ANALYZE processed_messages")
        .unwrap();
    let pages: i64 = client
        .query_one("SELECT pg_relation_size('processed_messages') / 8192", &[])
        .unwrap()
        .get(0);
    let heap_blocks = |client: &mut postgres::Client| -> i64 {
        client
            .batch_execute("SELECT pg_stat_clear_snapshot()")
            .unwrap();
        client
            .query_one(
                "SELECT (heap_blks_hit + coalesce(heap_blks_read, 0))::int8 FROM pg_statio_user_tables WHERE relname = 'processed_messages'",
                &[],
            )
            .unwrap()
            .get(0)
    };
    // The seeding's own counts reach the statistics a moment after it ends.
    drop(client);
    let mut client = db.client();
    let mut before = heap_blocks(&mut client);
    loop {
        std::thread::sleep(Duration::from_millis(1100));
        let now = heap_blocks(&mut client);
        if now == before {
            break;
        }
        before = now;
    }
    // The oldest 1 %: 2,000 of 200,000 minutes.
    let summary = run_json(
        &db,
        &[
            "dedup",
            "purge",
            "--before",
            "137d12h",
            "--batch-size",
            "500",
        ],
    );
    let changed = summary["changed"].as_i64().unwrap();
    assert!((1_990..=2_010).contains(&changed), "{summary}");
    // The run's backends report their counts when they exit.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut read = heap_blocks(&mut client) - before;
    while read == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        read = heap_blocks(&mut client) - before;
    }
    std::thread::sleep(Duration::from_millis(500));
    read = heap_blocks(&mut client) - before;
    assert!(read > 0, "no reads counted");
    // About two buffer reads per deleted entry (find it, delete it): in proportion to
    // the slice, where a walk of the whole table would read each of its pages.
    assert!(
        read < pages && read <= changed * 3,
        "read {read} heap blocks of a {pages}-page table for a 1 % slice: {summary}"
    );
}

/// Partitions and inheritance children: ctids repeat across them, so each is walked on
/// its own, and the account stays exact (`changed` never exceeds `matched`).
#[test]
fn partitioned_and_inherited_tables_are_walked_one_relation_at_a_time() {
    let db = TestDb::new().migrated();
    let mut client = db.client();
    client
        .batch_execute(
            "ALTER TABLE outbox_messages RENAME TO outbox_template;
             CREATE TABLE outbox_messages (LIKE outbox_template INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
               PARTITION BY HASH (id);
             ALTER TABLE outbox_messages ADD PRIMARY KEY (id);
             CREATE TABLE outbox_p0 PARTITION OF outbox_messages FOR VALUES WITH (MODULUS 3, REMAINDER 0);
             CREATE TABLE outbox_p1 PARTITION OF outbox_messages FOR VALUES WITH (MODULUS 3, REMAINDER 1);
             CREATE TABLE outbox_p2 PARTITION OF outbox_messages FOR VALUES WITH (MODULUS 3, REMAINDER 2);
             INSERT INTO outbox_messages (topic, status, processed_at)
               SELECT 't', 'processed', now() - (i % 20) * interval '1 day' FROM generate_series(1, 30000) i;
             ANALYZE outbox_messages;
             ALTER TABLE processed_messages RENAME TO dedup_template;
             CREATE TABLE processed_messages (LIKE dedup_template INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
               PARTITION BY LIST (group_name);
             ALTER TABLE processed_messages ADD PRIMARY KEY (group_name, msg_id);
             CREATE INDEX ON processed_messages (processed_at);
             CREATE TABLE dedup_a PARTITION OF processed_messages FOR VALUES IN ('a');
             CREATE TABLE dedup_b PARTITION OF processed_messages FOR VALUES IN ('b');
             INSERT INTO processed_messages (group_name, msg_id, processed_at)
               SELECT CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END, 'm' || i,
                      now() - ((i::bigint * 104729) % 864000) * interval '1 second'
                 FROM generate_series(1, 40000) i ORDER BY random();
             ANALYZE processed_messages;",
        )
        .unwrap();
    let expected_outbox = db.count("processed_at < now() - interval '7 days'");
    let summary = run_json(
        &db,
        &[
            "purge",
            "--before",
            "7d",
            "--jobs",
            "3",
            "--batch-size",
            "333",
        ],
    );
    assert_eq!(
        summary["changed"].as_i64().unwrap(),
        expected_outbox,
        "{summary}"
    );
    assert_eq!(summary["matched"], summary["changed"], "{summary}");
    assert_eq!(db.count("processed_at < now() - interval '7 days'"), 0);

    let dedup_older = |client: &mut postgres::Client, days: i64| -> i64 {
        client
            .query_one(
                &format!("SELECT count(*) FROM processed_messages WHERE processed_at < now() - interval '{days} days'"),
                &[],
            )
            .unwrap()
            .get(0)
    };
    // Most of a table in random order: the physical walk; then a slice: the index.
    for (days, jobs) in [(3, "1"), (1, "2")] {
        let want = dedup_older(&mut client, days);
        let summary = run_json(
            &db,
            &[
                "dedup",
                "purge",
                "--before",
                &format!("{days}d"),
                "--jobs",
                jobs,
                "--batch-size",
                "333",
            ],
        );
        assert_eq!(summary["changed"].as_i64().unwrap(), want, "{summary}");
        assert_eq!(summary["matched"], summary["changed"], "{summary}");
        assert_eq!(dedup_older(&mut client, days), 0);
    }

    // Inheritance: the parent's own rows and a child's.
    client
        .batch_execute(
            "CREATE TABLE legacy_outbox () INHERITS (outbox_template);
             INSERT INTO outbox_template (topic, status, processed_at)
               SELECT 't', 'processed', now() - interval '9 days' FROM generate_series(1, 5000);
             INSERT INTO legacy_outbox (id, topic, status, processed_at)
               SELECT gen_random_uuid(), 't', 'processed', now() - interval '9 days' FROM generate_series(1, 5000);",
        )
        .unwrap();
    let summary = run_json(
        &db,
        &[
            "--table",
            "outbox_template",
            "purge",
            "--before",
            "7d",
            "--jobs",
            "2",
            "--batch-size",
            "700",
        ],
    );
    assert_eq!(summary["changed"], 10_000, "{summary}");
    assert_eq!(summary["matched"], 10_000, "{summary}");

    // Partitioned by status: a requeue moves every row it changes to another partition.
    client
        .batch_execute(
            "CREATE TABLE outbox_by_status (LIKE outbox_template INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
               PARTITION BY LIST (status);
             CREATE TABLE outbox_failed PARTITION OF outbox_by_status FOR VALUES IN ('failed');
             CREATE TABLE outbox_pending PARTITION OF outbox_by_status FOR VALUES IN ('pending');
             CREATE TABLE outbox_rest PARTITION OF outbox_by_status DEFAULT;
             INSERT INTO outbox_by_status (topic, status, retries, created_at)
               SELECT 't', CASE WHEN i % 3 = 0 THEN 'pending' ELSE 'failed' END, 5, now() - interval '1 day'
                 FROM generate_series(1, 6000) i;",
        )
        .unwrap();
    let summary = run_json(
        &db,
        &[
            "--table",
            "outbox_by_status",
            "requeue",
            "--all",
            "--jobs",
            "2",
            "--batch-size",
            "300",
        ],
    );
    assert_eq!(summary["changed"], 4_000, "{summary}");
    assert_eq!(summary["matched"], 4_000, "{summary}");
    let moved: i64 = client
        .query_one("SELECT count(*) FROM outbox_pending WHERE retries = 0", &[])
        .unwrap()
        .get(0);
    assert_eq!(moved, 4_000);

    // Rights on the partitioned table alone are enough, as for a plain DELETE: the
    // partitions live in a schema the role cannot even see into.
    let role = format!("parent_only_{}", db.name);
    client
        .batch_execute(&format!(
            "CREATE SCHEMA parts;
             CREATE TABLE outbox_ranged (LIKE outbox_template INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
               PARTITION BY RANGE (created_at);
             CREATE TABLE parts.\"old; p\" PARTITION OF outbox_ranged FOR VALUES FROM (MINVALUE) TO ('2020-01-01');
             CREATE TABLE parts.\"ü \"\"q\"\"\" PARTITION OF outbox_ranged DEFAULT;
             INSERT INTO outbox_ranged (topic, status, processed_at, created_at)
               SELECT 't', 'processed', now() - interval '9 days', now() - (i % 5000) * interval '1 day'
                 FROM generate_series(1, 4000) i;
             DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN;
             GRANT SELECT, UPDATE, DELETE ON outbox_ranged TO {role};"
        ))
        .unwrap();
    let url = db.url_as(&role);
    let out = bare_cmd()
        .env("DATABASE_URL", &url)
        .args([
            "--table",
            "outbox_ranged",
            "purge",
            "--before",
            "7d",
            "--jobs",
            "2",
        ])
        .args(["--batch-size", "300", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let summary = json_out(&out);
    assert_eq!(summary["changed"], 4_000, "{summary}");
    assert_eq!(summary["matched"], 4_000, "{summary}");
    client
        .batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role}"))
        .unwrap();

    // Diamond inheritance: a child of two children is one relation, walked once.
    client
        .batch_execute(
            "CREATE TABLE ca () INHERITS (outbox_template);
             CREATE TABLE cb () INHERITS (outbox_template);
             CREATE TABLE cc () INHERITS (ca, cb);
             INSERT INTO cc (id, topic, status, retries) SELECT gen_random_uuid(), 't', 'failed', 3 FROM generate_series(1, 900);
             INSERT INTO ca (id, topic, status, retries) SELECT gen_random_uuid(), 't', 'failed', 3 FROM generate_series(1, 300);",
        )
        .unwrap();
    let summary = run_json(
        &db,
        &[
            "--table",
            "outbox_template",
            "requeue",
            "--all",
            "--jobs",
            "3",
            "--batch-size",
            "50",
        ],
    );
    assert_eq!(summary["changed"], 1_200, "{summary}");
    assert_eq!(summary["matched"], 1_200, "{summary}");

    // A dedup table with a child, analyzed: pg_stats holds two rows for it.
    client
        .batch_execute(
            "CREATE TABLE dedup_child () INHERITS (dedup_template);
             INSERT INTO dedup_template (group_name, msg_id, processed_at)
               SELECT 'g', 'p' || i, now() - interval '9 days' FROM generate_series(1, 3000) i;
             INSERT INTO dedup_child (group_name, msg_id, processed_at)
               SELECT 'g', 'c' || i, now() - interval '9 days' FROM generate_series(1, 3000) i;
             ANALYZE dedup_template; ANALYZE dedup_child;",
        )
        .unwrap();
    let summary = run_json(
        &db,
        &[
            "--processed-table",
            "dedup_template",
            "dedup",
            "purge",
            "--before",
            "7d",
            "-j",
            "2",
        ],
    );
    assert_eq!(summary["changed"], 6_000, "{summary}");
    assert_eq!(summary["matched"], 6_000, "{summary}");
}

/// A server out of connection slots for the extra jobs stops the run before anything
/// changes, and says which connection could not open.
#[test]
fn jobs_that_cannot_all_connect_change_nothing() {
    let db = TestDb::new().migrated();
    seed(&db, 3_000);
    let role = format!("few_{}", db.name);
    db.client()
        .batch_execute(&format!(
            "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN CONNECTION LIMIT 2;
             GRANT SELECT, DELETE ON outbox_messages TO {role};"
        ))
        .unwrap();
    let url = db.url_as(&role);
    let out = bare_cmd()
        .env("DATABASE_URL", &url)
        .args(["purge", "--before", "1d", "--jobs", "4"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("of --jobs 4 failed, so nothing was changed"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(db.count("true"), 3_000);
    db.client()
        .batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role}"))
        .unwrap();
}

/// `purge --before 7d --format json` slowed down by gentle mode, so a test can change
/// the table while it runs.
fn slow_purge(db: &TestDb, batch_size: &str, max_rate: &str) -> std::process::Child {
    db.cmd()
        .args(["purge", "--before", "7d", "--batch-size", batch_size])
        .args(["--max-rate", max_rate, "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the table holds fewer than `rows` rows: the run has committed a batch.
fn wait_for_first_deletes(db: &TestDb, rows: i64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while db.count("true") == rows {
        assert!(Instant::now() < deadline, "nothing deleted");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A partition detached while a purge walks the table is no longer the table's: the
/// batches leave it alone from then on.
#[test]
fn a_partition_detached_mid_run_is_left_alone() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "ALTER TABLE outbox_messages RENAME TO outbox_template;
             CREATE TABLE outbox_messages (LIKE outbox_template INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
               PARTITION BY LIST (topic);
             CREATE TABLE p1 PARTITION OF outbox_messages FOR VALUES IN ('a');
             CREATE TABLE p2 PARTITION OF outbox_messages FOR VALUES IN ('b');
             CREATE TABLE p3 PARTITION OF outbox_messages FOR VALUES IN ('c');
             INSERT INTO outbox_messages (topic, status, processed_at)
               SELECT (ARRAY['a', 'b', 'c'])[1 + i % 3], 'processed', now() - interval '9 days'
                 FROM generate_series(0, 2999) i;",
        )
        .unwrap();
    let child = slow_purge(&db, "50", "500");
    wait_for_first_deletes(&db, 3_000);
    db.client()
        .batch_execute("ALTER TABLE outbox_messages DETACH PARTITION p3")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 0);
    let summary = json_out(&out);
    let left_in_p3: i64 = db
        .client()
        .query_one("SELECT count(*) FROM p3", &[])
        .unwrap()
        .get(0);
    assert_eq!(left_in_p3, 1_000, "{summary}");
    assert_eq!(summary["changed"], 2_000, "{summary}");
    assert_eq!(db.count("true"), 0);
}

/// Whatever happens to a partition by name mid-run, the walk changes only rows of the
/// table the user named, as a statement on that table would: a table swapped in under a
/// partition's name is left alone, a partition's own statement triggers do not fire, and
/// rights on the partitions alone are not rights on the table.
#[test]
fn partitions_are_reached_only_through_the_named_table() {
    let db = TestDb::new().migrated();
    let mut client = db.client();
    client
        .batch_execute(
            "ALTER TABLE outbox_messages RENAME TO outbox_template;
             CREATE TABLE outbox_messages (LIKE outbox_template INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
               PARTITION BY LIST (topic);
             CREATE TABLE p1 PARTITION OF outbox_messages FOR VALUES IN ('a');
             CREATE TABLE p2 PARTITION OF outbox_messages FOR VALUES IN ('b');
             INSERT INTO outbox_messages (topic, status, processed_at)
               SELECT (ARRAY['a', 'b'])[1 + i % 2], 'processed', now() - interval '9 days'
                 FROM generate_series(0, 1999) i;
             CREATE TABLE staging (LIKE outbox_template INCLUDING DEFAULTS);
             INSERT INTO staging (topic, status, processed_at)
               SELECT 'b', 'processed', now() - interval '9 days' FROM generate_series(1, 300);
             CREATE TABLE fired (n int);
             CREATE FUNCTION note_statement() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN INSERT INTO public.fired VALUES (1); RETURN NULL; END $$;
             CREATE TRIGGER on_p1 AFTER DELETE ON p1 FOR EACH STATEMENT EXECUTE FUNCTION note_statement();",
        )
        .unwrap();
    let child = slow_purge(&db, "20", "400");
    wait_for_first_deletes(&db, 2_000);
    client
        .batch_execute(
            "BEGIN; ALTER TABLE p2 RENAME TO p2_old; ALTER TABLE staging RENAME TO p2; COMMIT",
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 0);
    let summary = json_out(&out);
    assert_eq!(summary["changed"], 2_000, "{summary}");
    let count = |client: &mut postgres::Client, sql: &str| -> i64 {
        client.query_one(sql, &[]).unwrap().get(0)
    };
    assert_eq!(
        count(&mut client, "SELECT count(*) FROM p2"),
        300,
        "the swapped-in table was touched"
    );
    assert_eq!(count(&mut client, "SELECT count(*) FROM p2_old"), 0);
    assert_eq!(
        count(&mut client, "SELECT count(*) FROM fired"),
        0,
        "a partition's statement trigger fired"
    );

    let role = format!("leaves_only_{}", db.name);
    client
        .batch_execute(&format!(
            "INSERT INTO outbox_messages (topic, status, processed_at)
               SELECT 'a', 'processed', now() - interval '9 days' FROM generate_series(1, 100);
             DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN;
             GRANT SELECT ON outbox_messages TO {role};
             GRANT SELECT, DELETE ON p1, p2_old TO {role};"
        ))
        .unwrap();
    let url = db.url_as(&role);
    let out = bare_cmd()
        .env("DATABASE_URL", &url)
        .args(["purge", "--before", "7d"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("permission denied"),
        "{}",
        stderr(&out)
    );
    assert_eq!(db.count("true"), 100);
    client
        .batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role}"))
        .unwrap();
}

/// Behind PgBouncer in session mode with one server connection, the second job's
/// connection is accepted and never served: it is found before anything changes, the run
/// finishes its work on the first and exits 0, and stderr says what happened.
#[test]
fn a_connection_a_session_pool_never_serves_takes_no_part() {
    let db = TestDb::new().migrated();
    Seed {
        n: 5000,
        status: "'processed'",
        processed_at: "now() - interval '10 days'",
        ..Default::default()
    }
    .insert(&mut db.client());
    let url = crate::harness::session_bouncer().url_for(db.server, &db.name);
    let started = std::time::Instant::now();
    let out = db
        .cmd()
        .env("DATABASE_URL", &url)
        .args(["purge", "--before", "1d", "--jobs", "2", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let summary = json_out(&out);
    assert_eq!(summary["changed"], 5000, "{summary}");
    assert_eq!(db.count("TRUE"), 0);
    let err = stderr(&out);
    assert!(
        err.contains("did not serve it within") && err.contains("running with 1 of the 2 jobs"),
        "{err}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}
