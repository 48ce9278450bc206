//! Behind PgBouncer in transaction mode every command works and leaves nothing on the
//! server connections it shares with others.

use crate::harness::{Seed, TestDb, bouncer};
use crate::{assert_exit, stderr};

/// Item 16: every command works through PgBouncer in transaction mode, and the pooled
/// server connection (one per database here) keeps no setting, prepared statement,
/// cursor or lock afterwards, including after a run that failed.
#[test]
fn every_command_works_through_pgbouncer_and_leaves_nothing_behind() {
    let db = TestDb::new();
    let bouncer = bouncer();
    let url = bouncer.url_for(db.server, &db.name);
    let via = |args: &[&str]| {
        let mut cmd = crate::harness::bare_cmd();
        cmd.env("DATABASE_URL", &url)
            .args(["--lock-timeout", "5s", "--statement-timeout", "60s"])
            .args(args);
        cmd.output().unwrap()
    };
    let out = via(&["migrate"]);
    assert_exit(&out, 0);
    Seed {
        n: 12_000,
        status: "CASE WHEN i % 3 = 0 THEN 'failed' WHEN i % 3 = 1 THEN 'processed' ELSE 'pending' END",
        processed_at: "CASE WHEN i % 3 = 1 THEN now() - interval '9 days' END",
        ..Default::default()
    }
    .insert(&mut db.client());
    let id: String = db
        .client()
        .query_one(
            "SELECT id::text FROM outbox_messages WHERE status = 'failed' LIMIT 1",
            &[],
        )
        .unwrap()
        .get(0);
    for args in crate::search_path::every_command(&id) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = via(&args);
        assert!(
            out.status.code().is_some_and(|c| c == 0 || c == 3),
            "{args:?} through PgBouncer: {}",
            stderr(&out)
        );
    }
    // A run that fails part-way (a lock it cannot get) leaves nothing either.
    let mut blocker = db.client();
    blocker
        .batch_execute("BEGIN; LOCK TABLE outbox_messages IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let mut cmd = crate::harness::bare_cmd();
    let out = cmd
        .env("DATABASE_URL", &url)
        .args(["--lock-timeout", "1s", "purge", "--before", "1d"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    blocker.batch_execute("ROLLBACK").unwrap();

    let mut pooled = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let show = |client: &mut postgres::Client, sql: &str| -> String {
        client
            .simple_query(sql)
            .unwrap()
            .into_iter()
            .find_map(|m| match m {
                postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
                _ => None,
            })
            .unwrap()
    };
    // Every setting as a fresh direct session has it.
    let mut direct = db.client();
    for setting in [
        "search_path",
        "statement_timeout",
        "lock_timeout",
        "synchronous_commit",
    ] {
        let sql = format!("SHOW {setting}");
        assert_eq!(
            show(&mut pooled, &sql),
            show(&mut direct, &sql),
            "{setting}"
        );
    }
    assert_eq!(
        show(&mut pooled, "SELECT count(*) FROM pg_prepared_statements"),
        "0"
    );
    assert_eq!(show(&mut pooled, "SELECT count(*) FROM pg_cursors"), "0");
    assert_eq!(
        show(
            &mut pooled,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
        ),
        "0"
    );
}

/// A table whose columns have a domain or enum type makes the driver look the type up
/// with a prepared statement; behind PgBouncer that would stay on the pooled server
/// connection and break the next client ("prepared statement "s0" already exists").
#[test]
fn odd_column_types_leave_no_prepared_statement_behind_pgbouncer() {
    let db = TestDb::new();
    db.client()
        .batch_execute(
            "CREATE TYPE st AS ENUM ('pending', 'processing', 'processed', 'failed');
             CREATE DOMAIN topic_t AS text;
             CREATE TABLE outbox_messages (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), topic topic_t NOT NULL,
               key text NOT NULL DEFAULT '', payload bytea, headers jsonb DEFAULT '{}', status st NOT NULL DEFAULT 'pending',
               retries int NOT NULL DEFAULT 0, last_error text NOT NULL DEFAULT '', created_at timestamptz NOT NULL DEFAULT now(),
               processed_at timestamptz);
             INSERT INTO outbox_messages (topic, status) SELECT 't', 'failed' FROM generate_series(1, 30);",
        )
        .unwrap();
    let id: String = db
        .client()
        .query_one("SELECT id::text FROM outbox_messages LIMIT 1", &[])
        .unwrap()
        .get(0);
    let url = bouncer().url_for(db.server, &db.name);
    for args in [
        vec!["stats", "--by-topic"],
        vec!["list", "--status", "all"],
        vec!["show", &id],
        vec!["check"],
    ] {
        let out = crate::harness::bare_cmd()
            .env("DATABASE_URL", &url)
            .args(&args)
            .output()
            .unwrap();
        assert!(
            !stderr(&out).contains("already exists"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let mut pooled = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let rows = pooled
        .simple_query("SELECT count(*) FROM pg_prepared_statements")
        .unwrap();
    let count = rows.iter().find_map(|m| match m {
        postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
        _ => None,
    });
    assert_eq!(count.as_deref(), Some("0"));
}
