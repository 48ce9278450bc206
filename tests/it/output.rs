//! What people and scripts see (issue: output a person can read at a glance): tables that
//! fit a real terminal, formats that never mislead a script, and the conventions around
//! them. Layout is checked on a real terminal: tmux at 60, 80 and 120 columns.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::harness::{Seed, TestDb};
use crate::{assert_exit, assert_one_line_error, json_out, stderr, stdout};

const IDS: [&str; 4] = [
    "06eb4926-b93e-457c-845d-fb02d1af1eed",
    "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    "9f0c7e2a-0000-4000-8000-000000000000",
    "c0ffee00-1234-4abc-8def-0123456789ab",
];

/// Four messages with fixed ids and ages, so a screen is the same on every run.
fn fixed_messages(db: &TestDb) {
    let out = db.cmd().arg("migrate").output().unwrap();
    assert_exit(&out, 0);
    db.client()
        .batch_execute(&format!(
            "INSERT INTO outbox_messages (id, topic, key, payload, status, retries, last_error, created_at) VALUES
               ('{}', 'orders.created', 'order-1042', 'x', 'failed', 5,
                'dial tcp 10.0.3.7:9092: connect: connection refused by the payments gateway', now() - interval '2 hours 5 minutes'),
               ('{}', 'payments.refunded.eu-west-1', 'refund-77', 'yy', 'processing', 1, '', now() - interval '3 hours'),
               ('{}', 'orders.paid', 'order-9', NULL, 'pending', 0, '', now() - interval '30 days 35 seconds'),
               ('{}', 'invoices.sent', 'inv-2026-000123', 'zzz', 'failed', 5,
                'schema registry: subject orders-value version 7 not found', now() - interval '1 day');",
            IDS[0], IDS[1], IDS[2], IDS[3]
        ))
        .unwrap();
}

fn quoted(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', "'\\''"))
}

/// The screen of a real terminal `width` columns wide after running outboxctl with `args`.
fn tmux_screen(db: &TestDb, width: u16, args: &[&str]) -> String {
    tmux_run(db, width, args, "")
}

/// The same, with only stdout on the screen (the stderr note names a per-test database).
fn tmux_stdout(db: &TestDb, width: u16, args: &[&str]) -> String {
    tmux_run(db, width, args, " 2>/dev/null")
}

fn tmux_run(db: &TestDb, width: u16, args: &[&str], redirect: &str) -> String {
    static SESSION: AtomicU32 = AtomicU32::new(0);
    let socket = format!(
        "outboxctl-test-{}-{}",
        std::process::id(),
        SESSION.fetch_add(1, Ordering::SeqCst)
    );
    let binary = assert_cmd::cargo::cargo_bin("outboxctl");
    let command = format!(
        "env -u COLUMNS -u LINES DATABASE_URL={} NO_COLOR=1 {} {}{redirect}; printf '%s' '__DONE__'; sleep 60",
        quoted(&db.url()),
        quoted(&binary.display().to_string()),
        args.iter().map(|a| quoted(a)).collect::<Vec<_>>().join(" ")
    );
    let status = Command::new("tmux")
        .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
        .args(["-x", &width.to_string(), "-y", "80", "sh", "-c", &command])
        .env_remove("TMUX")
        .status()
        .expect("tmux is installed (scripts/test installs it)");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let screen = loop {
        let out = Command::new("tmux")
            .args(["-L", &socket, "capture-pane", "-p", "-t", "0"])
            .output()
            .unwrap();
        let screen = String::from_utf8_lossy(&out.stdout).into_owned();
        if screen.contains("__DONE__") {
            break screen;
        }
        assert!(
            Instant::now() < deadline,
            "outboxctl never finished: {screen}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = Command::new("tmux")
        .args(["-L", &socket, "kill-server"])
        .status();
    screen
        .replace("__DONE__", "")
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_string()
        + "\n"
}

fn golden(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        actual, expected,
        "{name} differs (UPDATE_GOLDEN=1 cargo test output rewrites it)"
    );
}

/// `list` on a real terminal at 60, 80 and 120 columns: ids, statuses, ages and numbers
/// are never broken; free text is cut with an ellipsis; narrow screens drop columns, then
/// switch to one record per block.
#[test]
fn list_fits_terminals_of_60_80_and_120_columns() {
    let db = TestDb::new();
    fixed_messages(&db);
    for width in [60u16, 80, 120] {
        let screen = tmux_stdout(&db, width, &["list", "--status", "all"]);
        for line in screen.lines() {
            assert!(
                unicode_width::UnicodeWidthStr::width(line) <= usize::from(width),
                "{width}: {line}"
            );
        }
        // Ids as short as the table allows: 8 characters here, as git shortens.
        for id in IDS {
            assert!(
                screen.contains(&format!(" {} ", &id[..8])) && !screen.contains(id),
                "{width}: {id} not shortened:\n{screen}"
            );
        }
        assert!(screen.contains("processing"), "{screen}");
        golden(&format!("list_{width}.txt"), &screen);
    }
    // At 60 columns a long topic is cut (with an ellipsis) so the backlog's age stays.
    let stats = tmux_screen(&db, 60, &["stats", "--by-topic"]);
    assert!(stats.contains("payments.refunded.e…"), "{stats}");
    assert!(stats.contains("oldest pending"), "{stats}");
    assert!(
        stats
            .lines()
            .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 60),
        "{stats}"
    );
}

/// Without a terminal, COLUMNS is honoured; without either, rows are printed in full.
#[test]
fn columns_is_honoured_and_pipes_get_full_rows() {
    let db = TestDb::new();
    fixed_messages(&db);
    let out = db
        .cmd()
        .env("COLUMNS", "80")
        .args(["list", "--status", "all"])
        .output()
        .unwrap();
    assert!(
        stdout(&out)
            .lines()
            .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 80),
        "{}",
        stdout(&out)
    );
    let out = db
        .cmd()
        .env_remove("COLUMNS")
        .args(["list", "--status", "all"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("connection refused by the payments gateway"));
    let out = db
        .cmd()
        .env("COLUMNS", "60")
        .args(["list", "--status", "all", "--wide"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("connection refused by the payments gateway"));
}

/// `--columns` picks columns in every format; an unknown one is exit 2.
#[test]
fn columns_pick_what_every_format_shows() {
    let db = TestDb::new();
    fixed_messages(&db);
    let out = db
        .cmd()
        .args(["list", "--status", "all", "--columns", "id,status"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("id") && text.contains("status") && !text.contains("topic"),
        "{text}"
    );
    let out = db
        .cmd()
        .args([
            "list",
            "--status",
            "all",
            "--columns",
            "status,id",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert_eq!(stdout(&out).lines().next(), Some("status,id"));
    let out = db
        .cmd()
        .args([
            "list",
            "--status",
            "all",
            "--no-payload",
            "--format",
            "ndjson",
        ])
        .output()
        .unwrap();
    assert!(!stdout(&out).contains("payload"), "{}", stdout(&out));
    let out = db
        .cmd()
        .args(["list", "--columns", "nope"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert_one_line_error(&out);
}

/// No format stops short silently: machine formats list every row unless `--limit` says
/// otherwise, and the table view says "50 of N".
#[test]
fn no_format_truncates_silently() {
    let db = TestDb::new().migrated();
    Seed {
        n: 120,
        status: "'failed'",
        ..Default::default()
    }
    .insert(&mut db.client());
    for format in ["json", "ndjson", "csv"] {
        let out = db
            .cmd()
            .args(["list", "--format", format])
            .output()
            .unwrap();
        let rows = match format {
            "json" => json_out(&out).as_array().unwrap().len(),
            "csv" => stdout(&out).lines().count() - 1,
            _ => stdout(&out).lines().count(),
        };
        assert_eq!(rows, 120, "{format}");
    }
    let out = db.cmd().arg("list").output().unwrap();
    assert!(
        stderr(&out).contains("50 of 120 messages shown"),
        "{}",
        stderr(&out)
    );
    let out = db
        .cmd()
        .args(["list", "--limit", "10", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(json_out(&out).as_array().unwrap().len(), 10);
    let out = db.cmd().args(["list", "--limit", "10"]).output().unwrap();
    assert!(stderr(&out).contains("10 of 120"), "{}", stderr(&out));
}

/// Every command supports a format properly or refuses it.
#[test]
fn every_format_is_real_or_refused() {
    let db = TestDb::new().migrated();
    let out = db
        .cmd()
        .args(["stats", "--format", "csv"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let out = db
        .cmd()
        .args(["stats", "--format", "ndjson"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().count(), 1);
    for (args, rows) in [
        (vec!["check", "--format", "ndjson"], 2),
        (vec!["migrate", "--format", "ndjson"], 2),
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert_exit(&out, 0);
        assert_eq!(stdout(&out).lines().count(), rows, "{args:?}");
        for line in stdout(&out).lines() {
            serde_json::from_str::<serde_json::Value>(line).unwrap();
        }
    }
    let out = db
        .cmd()
        .args(["check", "--format", "csv"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.starts_with("table,schema,kind,exists"), "{text}");
    assert_eq!(text.lines().count(), 3);
}

/// Colour on a terminal and with --color always; never in machine formats or with
/// --color never.
#[test]
fn colour_marks_failures_and_stays_out_of_machine_formats() {
    let db = TestDb::new();
    fixed_messages(&db);
    let out = db
        .cmd()
        .env_remove("NO_COLOR")
        .args(["--color", "always", "list", "--status", "all"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("\x1b[31mfailed\x1b[0m"),
        "{}",
        stdout(&out)
    );
    for args in [
        vec!["--color", "never", "list", "--status", "all"],
        vec![
            "--color", "always", "list", "--status", "all", "--format", "json",
        ],
        vec!["--no-color", "list", "--status", "all"],
    ] {
        let out = db
            .cmd()
            .env_remove("NO_COLOR")
            .args(&args)
            .output()
            .unwrap();
        assert!(!stdout(&out).contains('\x1b'), "{args:?}");
    }
}

/// Huge payloads: the human view shows the first bytes, the size and the way to the rest.
#[test]
fn huge_payloads_are_previewed_not_dumped() {
    let db = TestDb::new().migrated();
    let id: uuid::Uuid = db
        .client()
        .query_one(
            "INSERT INTO outbox_messages (topic, payload, status) VALUES ('t', convert_to(repeat('a', 1048576), 'UTF8'), 'failed') RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    let id = id.to_string();
    let out = db.cmd().args(["show", &id]).output().unwrap();
    assert!(out.stdout.len() < 10_000, "{} bytes", out.stdout.len());
    let text = stdout(&out);
    assert!(
        text.contains("1.0 MiB") && text.contains("--payload full"),
        "{text}"
    );
    let out = db
        .cmd()
        .args(["show", &id, "--payload", "full"])
        .output()
        .unwrap();
    assert!(out.stdout.len() > 1_048_576);
    let out = db
        .cmd()
        .args(["requeue", "--all", "--dry-run", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.stdout.len() < 10_000,
        "the dry-run sample carries no payload"
    );
    let out = db
        .cmd()
        .args(["--dry-run", "-q", "requeue", "--all"])
        .output()
        .unwrap();
    assert!(stdout(&out).is_empty(), "-q hides the sample too");
}

/// Mistakes get messages that point the right way, on one line, with clap's hint kept.
#[test]
fn messages_point_the_right_way() {
    let db = TestDb::new().migrated();
    for (args, wanted) in [
        (
            vec!["requeue", IDS[0], "--topic", "x"],
            "ids or filters, not both",
        ),
        (
            vec!["purge", "--dryrun", "--before", "1d"],
            "did you mean '--dry-run'?",
        ),
        (vec!["lsit"], "did you mean 'list'?"),
        (vec!["stat"], "did you mean 'stats'?"),
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert_exit(&out, 2);
        assert_one_line_error(&out);
        assert!(stderr(&out).contains(wanted), "{args:?}: {}", stderr(&out));
    }
    let help = crate::harness::bare_cmd().arg("--help").output().unwrap();
    assert!(
        !stdout(&help).contains("OUTBOX_TABLE="),
        "{}",
        stdout(&help)
    );
}

/// Repeatable --key, topic globs, typed header values, a hint when nothing matches, and
/// timestamps as psql prints them.
#[test]
fn filters_are_consistent_and_forgiving() {
    let db = TestDb::new();
    fixed_messages(&db);
    db.client()
        .batch_execute(&format!(
            "UPDATE outbox_messages SET headers = '{{\"attempt\": 4}}' WHERE id = '{}';
             UPDATE outbox_messages SET headers = '{{\"attempt\": \"4\"}}' WHERE id = '{}';",
            IDS[0], IDS[1]
        ))
        .unwrap();
    let ids = |args: &[&str]| -> Vec<String> {
        let out = db
            .cmd()
            .args(["list", "--status", "all", "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        assert_exit(&out, 0);
        let mut ids: Vec<String> = json_out(&out)
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&["--key", "order-1042", "--key", "order-9"]).len(), 2);
    assert_eq!(ids(&["--topic", "orders.*"]).len(), 2);
    assert_eq!(
        ids(&["--topic", "orders.*", "--topic", "invoices.sent"]).len(),
        3
    );
    assert_eq!(ids(&["--header", "attempt=4"]).len(), 2);
    assert_eq!(ids(&["--after", "2000-01-01 00:00"]).len(), 4);
    assert_eq!(ids(&["--before", "2000-01-01T00:00:00+00"]).len(), 0);
    let out = db
        .cmd()
        .args(["list", "--status", "all", "--topic", "orders.creatd"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("did you mean \"orders.created\""),
        "{}",
        stderr(&out)
    );
    let out = db
        .cmd()
        .args(["list", "--status", "all", "--topic", "orders"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("--topic 'orders.*'"),
        "{}",
        stderr(&out)
    );
}

/// Reads, prompts and summaries name the target; a bare database name works as -d; an
/// unknown role says how to choose another.
#[test]
fn outputs_name_the_target() {
    let db = TestDb::new();
    fixed_messages(&db);
    let out = db.cmd().arg("stats").output().unwrap();
    assert!(
        stdout(&out).contains(&format!("/{}", db.name)),
        "{}",
        stdout(&out)
    );
    let out = db.cmd().arg("check").output().unwrap();
    assert!(stdout(&out).contains(&format!("/{}", db.name)));
    let out = db.cmd().args(["requeue", "--all"]).output().unwrap();
    assert!(
        stderr(&out).contains(&format!("/{}", db.name)),
        "{}",
        stderr(&out)
    );

    let mut cmd = crate::harness::bare_cmd();
    cmd.env("PGHOST", &db.server.host)
        .env("PGPORT", db.server.port.to_string())
        .env("PGUSER", &db.server.user)
        .env("PGSSLMODE", "disable");
    if let Some(password) = &db.server.password {
        cmd.env("PGPASSWORD", password);
    }
    let out = cmd
        .args(["-d", &db.name, "stats", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);

    let out = crate::harness::bare_cmd()
        .args([
            "-d",
            &format!(
                "host={} port={} user=no_such_role dbname=x sslmode=disable",
                db.server.host, db.server.port
            ),
            "stats",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("set PGUSER"), "{}", stderr(&out));
}

/// outboxctl with `args`, `input` on its standard input.
fn with_stdin(db: &TestDb, args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = db
        .cmd()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `delete`: by id (from stdin too), by filter; processing only with --force.
#[test]
fn delete_discards_poison_messages() {
    let db = TestDb::new();
    fixed_messages(&db);
    let out = db.cmd().args(["delete", IDS[1]]).output().unwrap();
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("--force deletes it"),
        "{}",
        stderr(&out)
    );
    let out = db
        .cmd()
        .args(["delete", IDS[1], "--force"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let out = with_stdin(
        &db,
        &["delete", "-", "--format", "json"],
        &format!("{}\n\n{}\n", IDS[0], IDS[0]),
    );
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["changed"], 1);
    let out = db
        .cmd()
        .args([
            "delete",
            "--status",
            "failed",
            "--error-contains",
            "schema registry",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("would delete 1 message"),
        "{}",
        stderr(&out)
    );
    let out = db
        .cmd()
        .args(["delete", "--status", "processing"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let out = db.cmd().args(["delete"]).output().unwrap();
    assert_exit(&out, 2);
    let out = db
        .cmd()
        .args(["delete", "--all", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["changed"], 2);
    assert_eq!(db.count("TRUE"), 0);
}

/// `show` takes an unambiguous prefix of eight or more hex digits, or `-`.
#[test]
fn show_takes_an_id_prefix() {
    let db = TestDb::new();
    fixed_messages(&db);
    let out = db
        .cmd()
        .args(["show", "1b4e28ba", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["id"], IDS[1]);
    db.client()
        .batch_execute("INSERT INTO outbox_messages (id, topic) VALUES ('1b4e28ba-ffff-4000-8000-000000000000', 't')")
        .unwrap();
    let out = db.cmd().args(["show", "1b4e28ba"]).output().unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("ambiguous"));
    let out = db.cmd().args(["show", "1b4e"]).output().unwrap();
    assert_exit(&out, 2);
    let out = with_stdin(
        &db,
        &["show", "-", "--format", "json"],
        &format!("{}\n", IDS[2]),
    );
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["id"], IDS[2]);
}

/// A statement waiting for a lock says who holds it, on a terminal after 2 s, and a
/// --lock-timeout error names the blocker.
#[test]
fn lock_waits_name_the_blocker() {
    let db = TestDb::new();
    fixed_messages(&db);
    let mut blocker = db.client();
    blocker
        .batch_execute("SET application_name = 'nightly-migration'; BEGIN; LOCK TABLE outbox_messages IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let out = db
        .cmd()
        .args(["--lock-timeout", "1s", "stats"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("nightly-migration"),
        "{}",
        stderr(&out)
    );
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(4));
        blocker.batch_execute("ROLLBACK").unwrap();
    });
    let screen = tmux_screen(&db, 160, &["stats"]);
    release.join().unwrap();
    assert!(
        screen.contains("waiting for a lock") && screen.contains("nightly-migration"),
        "{screen}"
    );
    assert!(
        screen.contains("total"),
        "stats finished after the lock went: {screen}"
    );
}

/// The table view streams: its memory does not grow with the number of rows.
#[test]
fn the_table_view_runs_in_bounded_memory() {
    let db = TestDb::new().migrated();
    Seed {
        n: 60_000,
        status: "'failed'",
        last_error: "repeat('x', 200)",
        ..Default::default()
    }
    .insert(&mut db.client());
    let binary = assert_cmd::cargo::cargo_bin("outboxctl");
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(&binary)
        .args(["list", "--limit", "0"])
        .env("DATABASE_URL", db.url())
        .stdout(Stdio::null())
        .output()
        .unwrap();
    let peak_kib: u64 = stderr(&out)
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("{}", stderr(&out)));
    assert!(peak_kib < 40_000, "peak RSS {peak_kib} KiB for 60,000 rows");
}

/// Found by the second hostile pass: the streamed part of a table, dry-run samples, and
/// the options around them.
#[test]
fn streamed_rows_samples_and_options_keep_their_promises() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (topic, key, status, retries, last_error, created_at)
             SELECT 't' || i, 'k' || i, 'failed', 1, 'err' || i, now() - interval '1 day' + i * interval '1 second'
               FROM generate_series(1, 250) i;
             UPDATE outbox_messages SET status = 'processing' WHERE key = 'k240';
             UPDATE outbox_messages SET last_error = repeat('ERROR-long ', 30) WHERE key = 'k230';",
        )
        .unwrap();
    let lines = |env: Option<&str>, args: &[&str]| -> String {
        let mut cmd = db.cmd();
        match env {
            Some(width) => cmd.env("COLUMNS", width),
            None => cmd.env_remove("COLUMNS"),
        };
        stdout(&cmd.args(args).output().unwrap())
    };
    // Rows after the first page fit too, statuses included.
    let text = lines(Some("80"), &["list", "--status", "all", "--limit", "0"]);
    for line in text.lines() {
        assert!(unicode_width::UnicodeWidthStr::width(line) <= 80, "{line}");
    }
    assert!(text.contains("processing"));
    // Without a width, and with --wide, nothing is cut.
    let full = "ERROR-long ".repeat(30);
    assert!(lines(None, &["list", "--status", "all", "--limit", "0"]).contains(full.trim_end()));
    assert!(
        lines(
            Some("80"),
            &["list", "--status", "all", "--limit", "0", "--wide"]
        )
        .contains(full.trim_end())
    );
    // Dry-run samples use the same view, fitted the same way.
    let sample = lines(Some("80"), &["requeue", "--all", "--dry-run"]);
    assert!(
        sample
            .lines()
            .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 80),
        "{sample}"
    );
    assert!(sample.contains("age"), "{sample}");

    for (args, code) in [
        (vec!["list", "--columns", "id,id", "--format", "csv"], 2),
        (vec!["show", "1b4e28ba", "--columns", "id"], 2),
        (vec!["completions", "bash", "--format", "json"], 2),
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert_exit(&out, code);
        assert_one_line_error(&out);
    }
    let out = crate::harness::bare_cmd()
        .args(["ddl", "--format", "ndjson"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().count(), 2);
    // A hint only when the topic itself matches nothing.
    let out = db
        .cmd()
        .args(["list", "--topic", "t1", "--key", "nope"])
        .output()
        .unwrap();
    assert!(!stderr(&out).contains("did you mean"), "{}", stderr(&out));
    // Control characters in arguments are escaped in clap's errors, not dropped.
    let out = db
        .cmd()
        .args(["list", "--limit", "1\u{1b}[2J0"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("1\\x1b[2J0"), "{}", stderr(&out));
}

/// Empty standard input is nothing to do (a pipe from an empty list), not a mistake; `show
/// -` takes exactly one id; payload previews cut between characters.
#[test]
fn stdin_ids_and_previews() {
    let db = TestDb::new().migrated();
    let pipe = |args: &[&str], input: &str| with_stdin(&db, args, input);
    for args in [
        vec!["requeue", "-"],
        vec!["delete", "-"],
        vec!["dedup", "unmark", "g", "-"],
    ] {
        let out = pipe(&args, "");
        assert_exit(&out, 0);
        assert!(
            stderr(&out).contains("nothing to do"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = pipe(&["show", "-"], &format!("{}\n{}\n", IDS[0], IDS[1]));
    assert_exit(&out, 2);
    let id: uuid::Uuid = db
        .client()
        .query_one(
            "INSERT INTO outbox_messages (topic, payload) VALUES ('t', convert_to('a' || repeat('é', 2000), 'UTF8')) RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    let out = db.cmd().args(["show", &id.to_string()]).output().unwrap();
    assert!(
        !stdout(&out).contains('\u{fffd}'),
        "a character was cut in two"
    );
    let out = db
        .cmd()
        .args(["dedup", "unmark", "g", "m"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains(&format!("/{}", db.name)),
        "{}",
        stderr(&out)
    );
}

/// Filtered to failures, the table says "failed" once below it and gives the freed
/// width to the error: at least 60 characters of it at 120 columns and 35 at 80, with
/// the topic kept; ids are the shortest prefix unique in the table, which `show` takes.
#[test]
fn list_gives_the_error_the_room_a_person_reads() {
    let db = TestDb::new();
    fixed_messages(&db);
    let error = "dial tcp 10.0.3.7:9092: connect: connection refused by the payments gateway";
    for width in [80u16, 120] {
        let screen = tmux_stdout(&db, width, &["list", "--status", "failed"]);
        let shown = if width == 120 { 60 } else { 35 };
        assert!(screen.contains(&error[..shown]), "{width}:\n{screen}");
        assert!(
            screen.contains("topic") && screen.contains("orders.created"),
            "{width}:\n{screen}"
        );
        assert!(!screen.contains("│ status"), "{width}:\n{screen}");
        assert!(
            screen.contains("all rows: status failed"),
            "{width}:\n{screen}"
        );
        golden(&format!("list_failed_{width}.txt"), &screen);
    }
    // Two ids alike in their first 8 characters: every id is shown to 13.
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (id, topic, status) VALUES
               ('06eb4926-0000-4000-8000-000000000001', 'orders.created', 'failed')",
        )
        .unwrap();
    let screen = tmux_stdout(&db, 120, &["list", "--status", "failed"]);
    assert!(screen.contains(" 06eb4926-b93e "), "{screen}");
    assert!(screen.contains(" 06eb4926-0000 "), "{screen}");
    let out = db.cmd().args(["show", "06eb4926-b93e"]).output().unwrap();
    assert_exit(&out, 0);
    // --wide shows them whole.
    let screen = tmux_stdout(&db, 120, &["list", "--status", "failed", "--wide"]);
    assert!(screen.contains(IDS[0]), "{screen}");
}

/// `stats --by-topic` at 80 columns keeps the backlog and both ages: the counts a
/// person acts on least (processed, total, processing) give way first.
#[test]
fn stats_by_topic_keeps_the_ages_at_80_columns() {
    let db = TestDb::new();
    fixed_messages(&db);
    let out = db
        .cmd()
        .env("COLUMNS", "80")
        .args(["stats", "--by-topic"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    for header in [
        "topic",
        "pending",
        "failed",
        "oldest pending",
        "oldest processing",
    ] {
        assert!(
            text.contains(header),
            "{header} dropped at 80 columns:\n{text}"
        );
    }
    assert!(
        text.lines()
            .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 80),
        "{text}"
    );
}

/// The ids `list` shows (the shortest unique prefix) are ids `requeue` and `delete`
/// take; a prefix that names nothing, or several, changes nothing.
#[test]
fn requeue_and_delete_take_the_prefixes_list_shows() {
    let db = TestDb::new();
    fixed_messages(&db);
    let out = db
        .cmd()
        .args(["requeue", &IDS[0][..8], "--yes", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json_out(&out)["changed"], 1);
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (id, topic, status) VALUES
               ('c0ffee00-1234-4abc-8def-000000000001', 'x', 'failed')",
        )
        .unwrap();
    let out = db
        .cmd()
        .args(["delete", "c0ffee00", "--yes"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("ambiguous"), "{}", stderr(&out));
    let out = db
        .cmd()
        .args(["delete", "00000000", "--yes"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert_eq!(
        db.client()
            .query_one("SELECT count(*) FROM outbox_messages", &[])
            .unwrap()
            .get::<_, i64>(0),
        5
    );
    let out = db
        .cmd()
        .args(["delete", "c0ffee00-1234-4abc-8def-0000", "--yes"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
}
