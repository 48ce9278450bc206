//! The dedup table as a service really made it: columns found by role, or named with
//! `--dedup-columns` (issue: map its columns by role).

use crate::harness::TestDb;
use crate::{assert_exit, assert_one_line_error, json_out, stderr, stdout};

/// A dedup table with these column names (group, id, metadata, at), the library's
/// primary key and index, and 300 entries over three groups, spread over 300 hours.
fn dedup_table(db: &TestDb, names: [&str; 4], extra: &str) {
    let [group, id, metadata, at] = names;
    db.client()
        .batch_execute(&format!(
            "CREATE TABLE processed_messages (
                 {group} TEXT NOT NULL, {id} TEXT NOT NULL, {metadata} JSONB,
                 {at} TIMESTAMPTZ NOT NULL DEFAULT now(){extra},
                 PRIMARY KEY ({group}, {id}));
             CREATE INDEX idx_processed_messages_processed_at ON processed_messages ({at});
             INSERT INTO processed_messages ({group}, {id}, {metadata}, {at})
             SELECT 'g' || (i % 3), 'm' || i, jsonb_build_object('n', i), now() - i * interval '1 hour'
               FROM generate_series(1, 300) i;"
        ))
        .unwrap();
    let out = db
        .cmd()
        .args(["migrate", "--only", "outbox"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
}

/// The entries as (group, id, metadata) by role, sorted, whatever the columns are called.
fn entries(db: &TestDb, names: [&str; 4]) -> Vec<(String, String, Option<String>)> {
    let [group, id, metadata, _] = names;
    db.client()
        .query(
            &format!(
                "SELECT {group}, {id}, {metadata}::text FROM processed_messages ORDER BY 1, 2"
            ),
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

/// Every dedup subcommand, `stats` and `check`, as one operator session would run them;
/// returns the JSON answers by command.
fn run_everything(db: &TestDb, global: &[&str], check_code: i32) -> Vec<serde_json::Value> {
    let mut answers = Vec::new();
    let mut json = |args: &[&str], code: i32| {
        let out = db
            .cmd()
            .args(global)
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert_exit(&out, code);
        answers.push(json_out(&out));
    };
    json(
        &[
            "dedup",
            "mark",
            "g9",
            "new",
            "--metadata",
            "{\"by\":\"ops\"}",
        ],
        0,
    );
    json(&["dedup", "mark", "g9", "new"], 0);
    json(&["dedup", "check", "g9", "new"], 0);
    json(&["dedup", "check", "g9", "absent"], 3);
    json(
        &[
            "dedup", "list", "--group", "g1", "--before", "100h", "--limit", "0",
        ],
        0,
    );
    json(&["dedup", "unmark", "g9", "new", "nope"], 1);
    json(
        &[
            "dedup",
            "purge",
            "--before",
            "200h",
            "--group",
            "g2",
            "--dry-run",
        ],
        0,
    );
    json(
        &[
            "dedup",
            "purge",
            "--before",
            "150h",
            "--group",
            "g2",
            "--batch-size",
            "7",
        ],
        0,
    );
    json(
        &["dedup", "purge", "--before", "250h", "--batch-size", "9"],
        0,
    );
    json(&["stats"], 0);
    json(&["check"], check_code);
    answers
}

/// Strips what differs between two runs on different databases: times and targets.
fn comparable(mut value: serde_json::Value) -> serde_json::Value {
    match &mut value {
        serde_json::Value::Object(map) => {
            for key in [
                "processed_at",
                "longest_batch_ms",
                "target",
                "oldest_processed_at",
                "columns",
            ] {
                map.remove(key);
            }
            for (_, v) in map.iter_mut() {
                *v = comparable(v.take());
            }
        }
        serde_json::Value::Array(items) => {
            for v in items.iter_mut() {
                *v = comparable(v.take());
            }
        }
        _ => {}
    }
    value
}

const OURS: [&str; 4] = ["group_name", "msg_id", "metadata", "processed_at"];
const THEIRS: [&str; 4] = ["consumer_group", "message_id", "meta", "handled_at"];

/// (a) and (b): a table with our names and one with a consistent other naming give the
/// same answers and end in the same state; machine formats keep the documented keys.
#[test]
fn a_table_with_other_names_behaves_exactly_like_ours() {
    let ours = TestDb::new();
    dedup_table(&ours, OURS, "");
    let theirs = TestDb::new();
    dedup_table(&theirs, THEIRS, "");
    let a: Vec<_> = run_everything(&ours, &[], 0)
        .into_iter()
        .map(comparable)
        .collect();
    let b: Vec<_> = run_everything(&theirs, &[], 0)
        .into_iter()
        .map(comparable)
        .collect();
    assert_eq!(a, b);
    assert_eq!(entries(&ours, OURS), entries(&theirs, THEIRS));

    // check names the mapping and calls it compatible.
    let out = theirs.cmd().arg("check").output().unwrap();
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains(
            "processed_messages: ok (columns: consumer_group, message_id, meta, handled_at)"
        ),
        "{}",
        stdout(&out)
    );
    // Human output uses the table's own names; JSON keeps ours.
    let out = theirs
        .cmd()
        .args(["dedup", "list", "--limit", "1"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("consumer_group"), "{}", stdout(&out));
    let out = theirs
        .cmd()
        .args(["dedup", "list", "--limit", "1", "--format", "json"])
        .output()
        .unwrap();
    let row = &json_out(&out)[0];
    for key in OURS {
        assert!(row.get(key).is_some(), "{row}");
    }
}

/// A mapped column of the wrong type or nullability is still drift.
#[test]
fn a_mapped_column_of_the_wrong_kind_is_drift() {
    let db = TestDb::new();
    dedup_table(&db, THEIRS, "");
    db.client()
        .batch_execute("ALTER TABLE processed_messages ALTER COLUMN handled_at DROP NOT NULL")
        .unwrap();
    let out = db.cmd().arg("check").output().unwrap();
    assert_exit(&out, 3);
    assert!(
        stdout(&out).contains("column handled_at is nullable"),
        "{}",
        stdout(&out)
    );
}

/// (c) and (d): two candidates for a role, or none, are refused with every column listed
/// and the way to name them — never guessed.
#[test]
fn ambiguous_or_missing_roles_are_refused() {
    let two_times = TestDb::new();
    dedup_table(&two_times, THEIRS, ", received_at TIMESTAMPTZ");
    let no_json = TestDb::new();
    no_json
        .client()
        .batch_execute(
            "CREATE TABLE processed_messages (g TEXT, m TEXT, at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (g, m));
             INSERT INTO processed_messages (g, m) VALUES ('a', 'b');",
        )
        .unwrap();
    let out = no_json
        .cmd()
        .args(["migrate", "--only", "outbox"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    for (db, why) in [
        (
            &two_times,
            "2 timestamp with time zone columns (handled_at, received_at)",
        ),
        (&no_json, "no jsonb column for the metadata"),
    ] {
        let before = entries_count(db);
        for args in [
            vec!["dedup", "list"],
            vec!["dedup", "mark", "a", "x"],
            vec!["dedup", "check", "a", "b"],
            vec!["dedup", "unmark", "a", "b"],
            vec!["dedup", "purge", "--before", "0s"],
            vec!["check"],
        ] {
            let out = db.cmd().args(&args).output().unwrap();
            assert_exit(&out, 1);
            assert_one_line_error(&out);
            let err = stderr(&out);
            assert!(
                err.contains(why) && err.contains("--dedup-columns"),
                "{args:?}: {err}"
            );
        }
        // stats still reports the outbox, with the dedup table's problem beside it.
        let out = db
            .cmd()
            .args(["stats", "--format", "json"])
            .output()
            .unwrap();
        assert_exit(&out, 0);
        let stats = json_out(&out);
        assert!(
            stats["dedup"]["error"].as_str().unwrap().contains(why),
            "{stats}"
        );
        assert!(stderr(&out).contains("warning:"), "{}", stderr(&out));
        assert_eq!(
            entries_count(db),
            before,
            "a refused command changed something"
        );
    }
}

fn entries_count(db: &TestDb) -> i64 {
    db.client()
        .query_one("SELECT count(*) FROM processed_messages", &[])
        .unwrap()
        .get(0)
}

/// (e): `--dedup-columns` (or OUTBOX_DEDUP_COLUMNS) settles what the catalog cannot, and
/// a mapped purge deletes exactly what it would on our table.
#[test]
fn named_columns_settle_the_ambiguity() {
    let ours = TestDb::new();
    dedup_table(&ours, OURS, "");
    let theirs = TestDb::new();
    dedup_table(&theirs, THEIRS, ", received_at TIMESTAMPTZ");
    let mapping = "group=consumer_group,id=message_id,metadata=meta,at=handled_at";
    let a: Vec<_> = run_everything(&ours, &[], 0)
        .into_iter()
        .map(comparable)
        .collect();
    let b: Vec<_> = run_everything(&theirs, &["--dedup-columns", mapping], 3)
        .into_iter()
        .map(comparable)
        .collect();
    // check reports the extra column of their table as drift; everything else is the same.
    assert_eq!(a[..a.len() - 1], b[..b.len() - 1]);
    assert_eq!(entries(&ours, OURS), entries(&theirs, THEIRS));
    let out = theirs
        .cmd()
        .env("OUTBOX_DEDUP_COLUMNS", "at=handled_at")
        .args(["dedup", "list", "--format", "ndjson"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    // A bad mapping is a usage error before anything is sent, or names the columns.
    for (mapping, code) in [
        ("at=", 2),
        ("when=handled_at", 2),
        ("at=handled;at", 2),
        ("at=nope", 2),
    ] {
        let out = theirs
            .cmd()
            .args(["--dedup-columns", mapping, "dedup", "list"])
            .output()
            .unwrap();
        assert_exit(&out, code);
        assert_one_line_error(&out);
    }
}

/// Mixed-case columns can be named (quoted); one column cannot take two roles; a column
/// of the wrong type is refused by name.
#[test]
fn named_columns_are_checked() {
    let db = TestDb::new();
    db.client()
        .batch_execute(
            "CREATE TABLE processed_messages (\"Group\" text NOT NULL, \"Id\" text NOT NULL, \"Meta\" jsonb,
                 \"HandledAt\" timestamptz NOT NULL DEFAULT now(), \"ReceivedAt\" timestamptz, PRIMARY KEY (\"Group\", \"Id\"));
             INSERT INTO processed_messages (\"Group\", \"Id\") VALUES ('g', 'm');",
        )
        .unwrap();
    let out = db
        .cmd()
        .args(["migrate", "--only", "outbox"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let out = db
        .cmd()
        .args([
            "--dedup-columns",
            "at=\"HandledAt\"",
            "dedup",
            "list",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)[0]["msg_id"], "m");
    for mapping in [
        "group=\"Id\",id=\"Id\",at=\"HandledAt\"",
        "at=\"Meta\"",
        "metadata=\"HandledAt\",at=\"ReceivedAt\"",
    ] {
        let out = db
            .cmd()
            .args(["--dedup-columns", mapping, "dedup", "list"])
            .output()
            .unwrap();
        assert_exit(&out, 2);
        assert_one_line_error(&out);
    }
}

/// A quoted column name with a comma in it is one column to `--dedup-columns`.
#[test]
fn quoted_names_with_commas_can_be_mapped() {
    let ours = TestDb::new();
    dedup_table(&ours, OURS, "");
    let commas = TestDb::new();
    let names = ["\"by,group\"", "\"msg,id\"", "meta", "\"at\"\",x\""];
    dedup_table(&commas, names, "");
    let map = "group=\"by,group\", id=\"msg,id\",metadata=meta,at=\"at\"\",x\"";
    let a: Vec<_> = run_everything(&ours, &[], 0)
        .into_iter()
        .map(comparable)
        .collect();
    let b: Vec<_> = run_everything(&commas, &["--dedup-columns", map], 0)
        .into_iter()
        .map(comparable)
        .collect();
    assert_eq!(a, b);
    assert_eq!(entries(&ours, OURS), entries(&commas, names));
}
