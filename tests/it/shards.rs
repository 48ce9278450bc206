//! A change on several databases at once (shards): repeated -d or --service patterns,
//! each target its own run with its own summary, the exit code the worst.

use serde_json::Value;

use crate::harness::{Seed, TestDb, bare_cmd};
use crate::{assert_exit, json_out, stderr};

const UNREACHABLE: &str = "postgres://nobody@127.0.0.1:1/none?sslmode=disable";

fn shard() -> TestDb {
    let db = TestDb::new().migrated();
    Seed {
        n: 40,
        status: "'processed'",
        processed_at: "now() - interval '10 days'",
        ..Default::default()
    }
    .insert(&mut db.client());
    Seed {
        n: 3,
        ..Default::default()
    }
    .insert(&mut db.client());
    db
}

#[test]
fn a_purge_runs_on_every_shard_and_a_failing_one_hides_nothing() {
    let (first, second) = (shard(), shard());
    let out = bare_cmd()
        .args(["-d", &first.url(), "-d", UNREACHABLE, "-d", &second.url()])
        .args(["purge", "--before", "7d", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("1 of 3 targets failed"),
        "{}",
        stderr(&out)
    );
    let all = json_out(&out);
    let targets = all.as_array().unwrap();
    assert_eq!(targets.len(), 3);
    for target in targets {
        crate::schemas::assert_valid(
            "mutation-summary-target.schema.json",
            "purge over shards",
            target,
        );
    }
    assert_eq!(targets[0]["ok"], true);
    assert_eq!(targets[0]["changed"], 40);
    assert_eq!(targets[1]["ok"], false);
    assert!(
        targets[1]["error"]
            .as_str()
            .unwrap()
            .contains("could not connect")
    );
    assert_eq!(
        targets[2]["changed"], 40,
        "the shard after the failure still ran"
    );
    for db in [&first, &second] {
        assert_eq!(db.count("TRUE"), 3);
    }
}

#[test]
fn fail_fast_stops_at_the_first_failure_and_dry_runs_show_each_shard() {
    let (first, second) = (shard(), shard());
    let out = bare_cmd()
        .args(["-d", UNREACHABLE, "-d", &first.url(), "-d", &second.url()])
        .args([
            "purge",
            "--before",
            "7d",
            "--fail-fast",
            "--format",
            "ndjson",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["error"], "not run (--fail-fast)");
    assert_eq!(first.count("TRUE"), 43, "a shard after the failure ran");

    let out = bare_cmd()
        .args(["-d", &first.url(), "-d", &second.url()])
        .args(["requeue", "--all", "--dry-run"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains("target 1 of 2") && err.contains("target 2 of 2"),
        "{err}"
    );
    assert_eq!(err.matches("dry run: would requeue").count(), 2, "{err}");
}

#[test]
fn service_patterns_pick_the_shards() {
    let (first, second) = (shard(), shard());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pg_service.conf");
    let entry = |name: &str, db: &TestDb| {
        format!(
            "[{name}]\nhost={}\nport={}\nuser={}\ndbname={}\nsslmode=disable\n",
            db.server.host, db.server.port, db.server.user, db.name
        )
    };
    std::fs::write(
        &file,
        entry("orders-eu", &first) + &entry("orders-us", &second) + &entry("billing", &first),
    )
    .unwrap();
    let out = bare_cmd()
        .env("PGSERVICEFILE", &file)
        .args([
            "purge",
            "--before",
            "7d",
            "--service",
            "orders-*",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let all = json_out(&out);
    let labels: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["service orders-eu", "service orders-us"]);
    assert_eq!(first.count("TRUE"), 3);
    assert_eq!(second.count("TRUE"), 3);
}

/// `partition list` over several databases: each target's partitions, a target that is
/// not partitioned named with why, every one listed, the exit code the worst.
#[test]
fn partition_list_runs_on_every_shard() {
    let parted = TestDb::new();
    assert_exit(
        &parted
            .cmd()
            .args(["migrate", "--partition-by", "--premake", "1"])
            .output()
            .unwrap(),
        0,
    );
    let plain = shard();
    let out = bare_cmd()
        .args(["-d", &plain.url(), "-d", &parted.url()])
        .args(["partition", "list", "--before", "7d", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let all = json_out(&out);
    let targets = all.as_array().unwrap();
    assert_eq!(targets.len(), 2);
    for target in targets {
        crate::schemas::assert_valid(
            "partition-list-target.schema.json",
            "partition list over shards",
            target,
        );
    }
    assert_eq!(targets[0]["ok"], false);
    assert!(
        targets[0]["error"]
            .as_str()
            .unwrap()
            .contains("is not partitioned"),
        "{all}"
    );
    assert_eq!(targets[1]["ok"], true);
    // Today's, one ahead (day partitions: --partition-by alone) and the default.
    let partitions = targets[1]["partitions"].as_array().unwrap();
    assert_eq!(partitions.len(), 3, "{all}");
    assert!(
        partitions[0]["partition"]
            .as_str()
            .unwrap()
            .starts_with("outbox_messages_p2")
    );
    // People read each target under its name.
    let out = bare_cmd()
        .args(["-d", &parted.url(), "-d", &parted.url()])
        .args(["partition", "list"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let text = crate::stdout(&out);
    assert_eq!(text.matches("outbox_messages_default").count(), 2, "{text}");
}
