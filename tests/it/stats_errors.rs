//! `stats --by-error`: failed messages grouped by error class, on realistic error texts.

use crate::harness::TestDb;
use crate::{assert_exit, json_out, stderr, stdout};

#[test]
fn failed_messages_are_grouped_by_cause_not_by_address_or_id() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (topic, status, retries, last_error, created_at)
             SELECT (ARRAY['orders', 'payments', 'shipping'])[1 + i % 3], 'failed', 5,
                    CASE i % 4
                      WHEN 0 THEN 'dial tcp 10.0.3.' || (i % 50) || ':9092: connect: connection refused'
                      WHEN 1 THEN 'POST https://hooks.example.com/v1/orders/' || gen_random_uuid()
                                  || ': HTTP 503 Service Unavailable'
                      WHEN 2 THEN 'nats: timeout after ' || (i % 9) || '.' || (i % 7) || 's waiting for ack'
                      ELSE 'POST https://hooks.example.com/v1/orders/' || gen_random_uuid()
                           || ': HTTP 401 Unauthorized'
                    END,
                    '2026-11-01'::timestamptz + i * interval '1 minute'
               FROM generate_series(1, 400) AS i;
             INSERT INTO outbox_messages (topic, status, retries, last_error, created_at)
             VALUES ('orders', 'pending', 2, 'dial tcp 10.9.9.9:9092: connect: connection refused', '2026-11-20'),
                    ('orders', 'failed', 5, E'broker said \\x1b[31mno\\x1b[0m', '2026-11-21');",
        )
        .unwrap();
    let out = db
        .cmd()
        .args(["stats", "--by-error", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let json = json_out(&out);
    let classes = json["by_error"].as_array().unwrap();
    assert_eq!(classes.len(), 5, "{classes:#?}");
    let find = |class: &str| {
        classes
            .iter()
            .find(|c| c["class"] == class)
            .unwrap_or_else(|| panic!("no class {class:?} in {classes:#?}"))
    };
    let refused = find("dial tcp <addr>: connect: connection refused");
    assert_eq!(refused["count"], 100);
    assert_eq!(
        refused["topics"],
        serde_json::json!(["orders", "payments", "shipping"])
    );
    assert_eq!(refused["first_created_at"], "2026-11-01T00:04:00.000000Z");
    assert_eq!(refused["last_created_at"], "2026-11-01T06:40:00.000000Z");
    assert!(
        refused["example_error"]
            .as_str()
            .unwrap()
            .starts_with("dial tcp 10.0.3.4:9092"),
        "the oldest one, whole: {refused}"
    );
    // Status codes are causes: 503 and 401 stay apart.
    assert_eq!(
        find("POST https://hooks.example.com/v1/orders/<id>: HTTP 503 Service Unavailable")["count"],
        100
    );
    assert_eq!(
        find("POST https://hooks.example.com/v1/orders/<id>: HTTP 401 Unauthorized")["count"],
        100
    );
    assert_eq!(
        find("nats: timeout after <duration> waiting for ack")["count"],
        100
    );
    // An escape sequence stays exact in JSON.
    let escaped = classes
        .iter()
        // Colour codes are one placeholder; the example keeps them exact.
        .find(|c| c["class"] == "broker said <csi>no<csi>")
        .unwrap_or_else(|| panic!("{classes:#?}"));
    assert_eq!(
        escaped["example_error"],
        "broker said \u{1b}[31mno\u{1b}[0m"
    );

    // Pending messages that failed before join with --include-retrying.
    let out = db
        .cmd()
        .args([
            "stats",
            "--by-error",
            "--include-retrying",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let json = json_out(&out);
    let refused = json["by_error"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["class"] == "dial tcp <addr>: connect: connection refused")
        .unwrap()
        .clone();
    assert_eq!(refused["count"], 101);

    // On a terminal-width table: largest first, escapes shown, never raw.
    let out = db
        .cmd()
        .env("COLUMNS", "100")
        .args(["stats", "--by-error"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("error class"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
    assert_exit(
        &db.cmd()
            .args(["stats", "--include-retrying"])
            .output()
            .unwrap(),
        2,
    );
}

/// `--by-topic` ages, `--by-header`, stuck processing rows, `list --processed-*`.
#[test]
fn topics_headers_stuck_rows_and_processed_times() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (topic, status, headers, created_at, processed_at) VALUES
               ('orders',   'pending',    '{\"tenant\": \"acme\"}',   now() - interval '25 days', NULL),
               ('orders',   'pending',    '{\"tenant\": \"globex\"}', now() - interval '1 hour',  NULL),
               ('orders',   'processing', '{\"tenant\": \"acme\"}',   now() - interval '2 hours', NULL),
               ('payments', 'processing', '{}',                       now() - interval '1 minute', NULL),
               ('payments', 'processed',  '{\"tenant\": \"acme\"}',   now() - interval '9 days',  now() - interval '8 days'),
               ('payments', 'processed',  NULL,                       now() - interval '2 days',  now() - interval '1 day'),
               ('payments', 'failed',     '{\"tenant\": \"5\"}',      now() - interval '1 day',   NULL),
               ('payments', 'failed',     '{\"tenant\": 5}',          now() - interval '1 day',   NULL);",
        )
        .unwrap();
    let out = db
        .cmd()
        .args([
            "stats",
            "--by-topic",
            "--by-header",
            "tenant",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let json = json_out(&out);
    let outbox = &json["outbox"];
    // 2 processing, 1 of them older than the default 15m.
    assert_eq!(outbox["stuck_processing"], 1);
    assert_eq!(outbox["stuck_after_seconds"], 900.0);
    let orders = &outbox["by_topic"]["orders"];
    let days = orders["oldest_pending_age_seconds"].as_f64().unwrap() / 86_400.0;
    assert!((24.9..25.1).contains(&days), "{orders}");
    let hours = orders["oldest_processing_age_seconds"].as_f64().unwrap() / 3_600.0;
    assert!((1.9..2.1).contains(&hours), "{orders}");
    assert!(outbox["by_topic"]["payments"]["oldest_pending_age_seconds"].is_null());
    let tenants = outbox["by_header"]["tenant"].as_array().unwrap();
    let acme = tenants.iter().find(|t| t["value"] == "acme").unwrap();
    assert_eq!(acme["pending"], 1);
    assert_eq!(acme["processing"], 1);
    assert_eq!(acme["processed"], 1);
    assert_eq!(acme["total"], 3);
    // The string "5" and the number 5 are two values, not one.
    assert_eq!(
        tenants.iter().find(|t| t["value"] == "5").unwrap()["failed"],
        1
    );
    assert_eq!(
        tenants.iter().find(|t| t["value"] == "5 (number)").unwrap()["failed"],
        1
    );
    let none = tenants.iter().find(|t| t["value"].is_null()).unwrap();
    assert_eq!(none["total"], 2, "no tenant header, or no headers at all");
    let out = db
        .cmd()
        .args(["stats", "--stuck-after", "1m30s", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(json_out(&out)["outbox"]["stuck_processing"], 1);
    let out = db
        .cmd()
        .args(["stats", "--stuck-after", "30s", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(json_out(&out)["outbox"]["stuck_processing"], 2);
    let out = db
        .cmd()
        .env("COLUMNS", "120")
        .args(["stats", "--by-header", "tenant"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("stuck (> 15m)"), "{text}");
    assert!(text.contains("header tenant"), "{text}");
    assert!(text.contains("(none)"), "{text}");

    // list on processed_at.
    let listed = |args: &[&str]| -> usize {
        let out = db
            .cmd()
            .args(["list", "--status", "processed", "--format", "ndjson"])
            .args(args)
            .output()
            .unwrap();
        assert_exit(&out, 0);
        stdout(&out).lines().count()
    };
    assert_eq!(listed(&["--processed-before", "3d"]), 1);
    // Without --status processed they cannot match: said, not silently empty.
    let out = db
        .cmd()
        .args(["list", "--processed-after", "30d"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("add --status processed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(listed(&["--processed-after", "3d"]), 1);
    assert_eq!(
        listed(&["--processed-before", "12h", "--processed-after", "30d"]),
        2
    );
    assert_exit(
        &db.cmd()
            .args(["list", "--processed-before", "soon"])
            .output()
            .unwrap(),
        2,
    );
}

/// `stats --format prometheus`, checked by the real promtool, with label values that need
/// escaping.
#[test]
fn metrics_pass_promtool_with_hostile_label_values() {
    let promtool = ["promtool", "/usr/bin/promtool"]
        .into_iter()
        .find(|p| {
            std::process::Command::new(p)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("promtool is not installed: run scripts/test, or apt-get install prometheus");
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (topic, status, retries, last_error, headers, created_at) VALUES
               (E'orders\"quoted\\\\back\\nline', 'failed', 5, E'broker \"down\"\\nretry later', '{\"tenant\": \"a\\\"b\"}', now() - interval '1 hour'),
               ('orders', 'pending', 0, '', '{}', now() - interval '2 hours'),
               ('orders', 'processing', 0, '', NULL, now() - interval '3 hours');
             INSERT INTO outbox_messages (topic, status, retries, last_error)
                  SELECT 'bulk', 'failed', 5, 'error number ' || repeat('x', i) FROM generate_series(1, 30) AS i;
             INSERT INTO processed_messages (group_name, msg_id) VALUES ('g', 'm');",
        )
        .unwrap();
    let out = db
        .cmd()
        .args([
            "stats",
            "--format",
            "prometheus",
            "--by-topic",
            "--by-error",
            "--by-header",
            "tenant",
            "--max-pending",
            "0",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 3);
    let text = stdout(&out);
    let mut check = std::process::Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    check
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let checked = check.wait_with_output().unwrap();
    assert!(
        checked.status.success() && checked.stdout.is_empty() && checked.stderr.is_empty(),
        "promtool: {}{}\n{text}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(
        text.contains(r#"outbox_messages{table="outbox_messages",status="pending"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"outbox_stuck_processing_messages{table="outbox_messages"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"topic="orders\"quoted\\back\nline",status="failed"} 1"#),
        "escaped per the format: {text}"
    );
    assert!(text.contains(
        r#"outbox_threshold_breached{table="outbox_messages",threshold="max_pending"} 1"#
    ));
    assert!(text.contains(r#"outbox_dedup_entries{table="processed_messages"} 1"#));
    // 31 error classes: 20 labelled, the rest summed.
    let classes = text
        .lines()
        .filter(|l| l.starts_with("outbox_failed_messages_by_error_class{"))
        .count();
    assert_eq!(classes, 21, "{text}");
    assert!(text.contains(r#"class="(other)"} 11"#), "{text}");
    // Every line is a comment or a sample: one per line, nothing raw.
    assert!(
        text.lines()
            .all(|l| l.starts_with('#') || l.starts_with("outbox_"))
    );
    // Other commands refuse the format.
    assert_exit(
        &db.cmd()
            .args(["list", "--format", "prometheus"])
            .output()
            .unwrap(),
        2,
    );
}

/// `stats --rates`: two readings of the server's counters, an interval apart, beside a
/// writer and a relay; a statistics reset between them withholds the rates.
#[test]
fn rates_come_from_two_samples_and_a_reset_is_said() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (topic) SELECT 'orders' FROM generate_series(1, 2000)",
        )
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for sql in [
        "INSERT INTO outbox_messages (topic) SELECT 'orders' FROM generate_series(1, 10)",
        "UPDATE outbox_messages SET status = 'processed', processed_at = now()
          WHERE id IN (SELECT id FROM outbox_messages WHERE status = 'pending'
                        ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 30)",
    ] {
        let stop = stop.clone();
        let mut client = db.client();
        workers.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                client.batch_execute(sql).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }));
    }
    let out = db
        .cmd()
        .args(["stats", "--rates", "--interval", "3s", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let rates = json_out(&out)["outbox"]["rates"].clone();
    assert!(
        rates["interval_seconds"].as_f64().unwrap() >= 3.0,
        "{rates}"
    );
    let written = rates["written_per_second"].as_f64().unwrap();
    let drained = rates["drained_per_second"].as_f64().unwrap();
    assert!(written > 20.0, "the writer adds ~200/s: {rates}");
    assert!(
        drained > written,
        "the relay drains faster than it is fed: {rates}"
    );
    assert!(
        rates["pending_change_per_second"].as_f64().unwrap() < 0.0,
        "{rates}"
    );
    assert!(
        rates["backlog_eta_seconds"].as_f64().unwrap() > 0.0,
        "{rates}"
    );

    // A reset of the database's statistics in the middle of the sample.
    let name = db.name.clone();
    let resetter = {
        let mut admin = db.client();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(1000));
            admin.batch_execute("SELECT pg_stat_reset()").unwrap();
            name
        })
    };
    let out = db
        .cmd()
        .args(["stats", "--rates", "--interval", "3s", "--format", "json"])
        .output()
        .unwrap();
    resetter.join().unwrap();
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    assert_exit(&out, 0);
    let rates = json_out(&out)["outbox"]["rates"].clone();
    assert!(
        rates["unavailable"]
            .as_str()
            .unwrap_or_default()
            .contains("reset"),
        "{rates}"
    );
    assert_exit(
        &db.cmd()
            .args(["stats", "--rates", "--interval", "500ms"])
            .output()
            .unwrap(),
        2,
    );
}

/// `stats` over several databases: each read concurrently, a target that never answers
/// costs only its own --connect-timeout and is reported with its error.
#[test]
fn several_targets_are_read_at_once_and_one_down_spoils_nothing() {
    let first = TestDb::new().migrated();
    let second = TestDb::new().migrated();
    first
        .client()
        .batch_execute(
            "INSERT INTO outbox_messages (topic) SELECT 'orders' FROM generate_series(1, 3)",
        )
        .unwrap();
    second
        .client()
        .batch_execute(
            "INSERT INTO outbox_messages (topic, status, last_error) VALUES ('orders', 'failed', 'x')",
        )
        .unwrap();
    // A listener that accepts and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let _held = std::thread::spawn(move || {
        let mut kept = Vec::new();
        for stream in silent.incoming() {
            kept.push(stream);
        }
    });
    let started = std::time::Instant::now();
    let out = crate::harness::bare_cmd()
        .args(["-d", &first.url(), "-d", &second.url()])
        .args([
            "-d",
            &format!("postgres://nobody@127.0.0.1:{silent_port}/none?sslmode=disable"),
        ])
        .args([
            "--connect-timeout",
            "2s",
            "stats",
            "--format",
            "json",
            "--max-failed",
            "0",
        ])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_exit(&out, 1);
    assert!(
        took < std::time::Duration::from_secs(20),
        "the silent target held the others up: {took:?}"
    );
    let json = json_out(&out);
    let targets = json.as_array().unwrap();
    assert_eq!(targets.len(), 3);
    assert_eq!(targets[0]["ok"], true);
    assert!(
        targets[0]["target"]
            .as_str()
            .unwrap()
            .ends_with(&first.name)
    );
    assert_eq!(targets[0]["outbox"]["by_status"]["pending"], 3);
    assert_eq!(targets[1]["outbox"]["by_status"]["failed"], 1);
    assert_eq!(targets[1]["breaches"][0]["threshold"], "max_failed");
    assert_eq!(targets[2]["ok"], false);
    assert!(
        targets[2]["error"]
            .as_str()
            .unwrap()
            .contains(&silent_port.to_string())
    );
    assert!(
        stderr(&out).contains("1 of 3 targets could not be read"),
        "{}",
        stderr(&out)
    );

    // Services from the service file, by pattern; a threshold breached on one gives 3.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pg_service.conf");
    let service = |db: &TestDb| {
        format!(
            "host={}\nport={}\nuser={}\ndbname={}\nsslmode=disable\n{}",
            db.server.host,
            db.server.port,
            db.server.user,
            db.name,
            db.server
                .password
                .as_ref()
                .map(|p| format!("password={p}\n"))
                .unwrap_or_default()
        )
    };
    std::fs::write(
        &file,
        format!(
            "[orders-eu]\n{}\n[orders-us]\n{}\n[billing]\nhost=nowhere.invalid\n",
            service(&first),
            service(&second)
        ),
    )
    .unwrap();
    let out = crate::harness::bare_cmd()
        .env("PGSERVICEFILE", &file)
        .env("PGSYSCONFDIR", dir.path())
        .args(["stats", "--service", "orders-*", "--max-failed", "0"])
        .env("COLUMNS", "120")
        .output()
        .unwrap();
    assert_exit(&out, 3);
    let text = stdout(&out);
    assert!(
        text.contains("service orders-eu") && text.contains("service orders-us"),
        "{text}"
    );
    assert!(!text.contains("billing"), "{text}");
    assert!(text.contains("BREACHED"), "{text}");
    let out = crate::harness::bare_cmd()
        .env("PGSERVICEFILE", &file)
        .env("PGSYSCONFDIR", dir.path())
        .args(["stats", "--service", "nothing-*"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("orders-eu, orders-us, billing"),
        "{}",
        stderr(&out)
    );
    // Other commands take one target.
    let out = crate::harness::bare_cmd()
        .args(["-d", &first.url(), "-d", &second.url(), "list"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
}

/// `stats --format prometheus --by-topic` over 10,000 topics stays within --max-series
/// (100 by default): the largest topics keep their own series, the rest are summed under
/// topic="(other)" and counted, and nothing is lost from the totals.
#[test]
fn metrics_by_topic_are_bounded_and_the_fold_is_counted() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (topic, status)
             SELECT 'topic-' || (i % 10000), CASE WHEN i % 3 = 0 THEN 'failed' ELSE 'pending' END
               FROM generate_series(1, 20000) AS i;
             INSERT INTO outbox_messages (topic) SELECT 'big' FROM generate_series(1, 500);",
        )
        .unwrap();
    let series = |extra: &[&str]| -> Vec<(String, f64)> {
        let out = db
            .cmd()
            .args([
                "stats",
                "--format",
                "prometheus",
                "--by-topic",
                "--by-header",
                "tenant",
            ])
            .args(extra)
            .output()
            .unwrap();
        assert_exit(&out, 0);
        stdout(&out)
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| {
                let (name, value) = l.rsplit_once(' ').unwrap();
                (name.to_string(), value.parse().unwrap())
            })
            .collect()
    };
    for (extra, topics) in [(vec![], 100usize), (vec!["--max-series", "10"], 10)] {
        let all = series(&extra);
        let topic_series: Vec<&(String, f64)> = all
            .iter()
            .filter(|(n, _)| n.starts_with("outbox_topic_messages{"))
            .collect();
        assert_eq!(topic_series.len(), topics * 4, "{extra:?}");
        let total: f64 = topic_series.iter().map(|(_, v)| v).sum();
        assert_eq!(total, 20500.0);
        assert!(
            topic_series
                .iter()
                .any(|(n, v)| n.contains("topic=\"big\"") && n.contains("pending") && *v == 500.0)
        );
        assert!(
            topic_series
                .iter()
                .any(|(n, _)| n.contains("topic=\"(other)\""))
        );
        let folded = all
            .iter()
            .find(|(n, _)| n.starts_with("outbox_topics_folded{"))
            .unwrap();
        assert_eq!(folded.1, (10001 - (topics - 1)) as f64, "{extra:?}");
        assert!(all.len() < topics * 6 + 40, "{} series", all.len());
    }
    let out = db
        .cmd()
        .args(["stats", "--format", "prometheus", "--max-series", "1"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
}

/// `--by-topic` puts the topics with the most pending first (or by age, failures, name)
/// and `--top N` keeps that many, saying how many it left out.
#[test]
fn topics_come_in_the_order_asked_and_top_keeps_the_first() {
    let db = TestDb::new().migrated();
    let mut client = db.client();
    for (topic, pending, failed, age) in [
        ("alpha", 1, 5, "1 hour"),
        ("bravo", 9, 0, "1 minute"),
        ("charlie", 4, 1, "3 hours"),
    ] {
        client
            .batch_execute(&format!(
                "INSERT INTO outbox_messages (topic, created_at) SELECT '{topic}', now() - interval '{age}' FROM generate_series(1, {pending});
                 INSERT INTO outbox_messages (topic, status) SELECT '{topic}', 'failed' FROM generate_series(1, {failed}) WHERE {failed} > 0;"
            ))
            .unwrap();
    }
    let order = |args: &[&str]| -> Vec<String> {
        let out = db
            .cmd()
            .args(["stats", "--by-topic", "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        assert_exit(&out, 0);
        json_out(&out)["outbox"]["by_topic"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(order(&[]), ["bravo", "charlie", "alpha"]);
    assert_eq!(order(&["--sort", "age"]), ["charlie", "alpha", "bravo"]);
    assert_eq!(order(&["--sort", "failed"]), ["alpha", "charlie", "bravo"]);
    assert_eq!(order(&["--sort", "name"]), ["alpha", "bravo", "charlie"]);
    assert_eq!(order(&["--top", "1"]), ["bravo"]);
    let out = db
        .cmd()
        .args(["stats", "--by-topic", "--top", "2"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("and 1 more topic (--top)"),
        "{}",
        stdout(&out)
    );
}

/// Each error class has a short stable id, and `list`, `requeue` and `delete` take
/// `--error-class ID`: "requeue everything that failed because the broker refused".
#[test]
fn an_error_class_id_selects_its_messages() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (topic, status, last_error)
             SELECT 't' || (g % 3), 'failed',
                    CASE WHEN g % 2 = 0 THEN 'dial tcp 10.0.0.' || g || ':9092: connect: connection refused'
                         ELSE 'kafka: client has run out of available brokers to talk to' END
               FROM generate_series(1, 20) g",
        )
        .unwrap();
    let out = db
        .cmd()
        .args(["stats", "--by-error", "--format", "json"])
        .output()
        .unwrap();
    let classes = json_out(&out)["by_error"].clone();
    let id_of = |needle: &str| -> String {
        classes
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["class"].as_str().unwrap().contains(needle))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let refused = id_of("refused");
    assert_eq!(refused.len(), 8);
    assert_ne!(refused, id_of("brokers"));
    // The same class has the same id in every run.
    let again = db
        .cmd()
        .args(["stats", "--by-error", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(json_out(&again)["by_error"], classes);

    let out = db
        .cmd()
        .args([
            "list",
            "--status",
            "failed",
            "--error-class",
            &refused,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let listed = json_out(&out);
    assert_eq!(listed.as_array().unwrap().len(), 10);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["last_error"].as_str().unwrap().contains("refused"))
    );

    let out = db
        .cmd()
        .args(["requeue", "--error-class", &refused, "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["changed"], 10);
    assert_eq!(db.count("status = 'pending'"), 10);
    assert_eq!(
        db.count("status = 'failed' AND last_error LIKE '%brokers%'"),
        10
    );

    let out = db
        .cmd()
        .args(["delete", "--status", "failed", "--error-class", "0000dead"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("no message selected has error class"),
        "{}",
        stderr(&out)
    );
    assert_eq!(db.count("true"), 20, "nothing was deleted");
}
