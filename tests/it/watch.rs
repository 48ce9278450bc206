//! `outboxctl watch`: the live view in a real terminal (tmux), and its ndjson form.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::harness::{Frozen, OwnCluster, TestDb, bare_cmd};
use crate::{assert_exit, stdout};

/// A tmux server of the test's own, running `watch` against `url`.
struct Screen {
    socket: String,
}

impl Screen {
    fn start(url: &str, width: u16, height: u16) -> Self {
        let socket = format!("outboxctl-watch-{}-{width}", std::process::id());
        let binary = assert_cmd::cargo::cargo_bin("outboxctl");
        let command = format!(
            "env -u COLUMNS -u LINES DATABASE_URL='{url}' NO_COLOR=1 '{}' watch --interval 1s; printf '__EXIT_%s__' $?; sleep 60",
            binary.display()
        );
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .args(["sh", "-c", &command])
            .env_remove("TMUX")
            .status()
            .expect("tmux is installed (scripts/test installs it)");
        assert!(status.success());
        Self { socket }
    }

    fn capture(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "0"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `text`.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.capture();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "never showed {text:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn keys(&self, keys: &str) {
        Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "0", keys])
            .status()
            .unwrap();
    }

    fn resize(&self, width: u16, height: u16) {
        Command::new("tmux")
            .args(["-L", &self.socket, "resize-window", "-t", "0"])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .status()
            .unwrap();
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn seed(client: &mut postgres::Client) {
    client
        .batch_execute(
            "INSERT INTO outbox_messages (topic, status, last_error, created_at)
             SELECT (ARRAY['orders', 'payments'])[1 + i % 2],
                    (ARRAY['pending', 'failed', 'processed'])[1 + i % 3],
                    CASE WHEN i % 3 = 1 THEN 'dial tcp 10.0.0.' || (i % 9) || ':9092: connect: connection refused' ELSE '' END,
                    now() - i * interval '1 minute'
               FROM generate_series(1, 300) AS i",
        )
        .unwrap();
}

#[test]
fn the_live_view_fits_switches_panels_resizes_and_restores_the_terminal() {
    let db = TestDb::new().migrated();
    seed(&mut db.client());
    let screen = Screen::start(&db.url(), 80, 24);
    let first = screen.wait_for("top topics by backlog");
    assert!(
        first.contains("pending") && first.contains("100"),
        "{first}"
    );
    assert!(first.contains("q quit"), "{first}");
    assert!(first.lines().count() <= 24);
    assert!(first.lines().all(|l| l.chars().count() <= 80), "{first}");
    // Changes since the last refresh show once a message arrives.
    db.client()
        .batch_execute("INSERT INTO outbox_messages (topic) VALUES ('orders')")
        .unwrap();
    screen.wait_for("(+1)");
    screen.wait_for("written ");
    screen.keys("e");
    screen.wait_for("top error classes");
    let errors = screen.wait_for("connection refused");
    assert!(
        errors.contains("dial tcp <addr>: connect: connection refused"),
        "{errors}"
    );
    screen.keys("p");
    screen.wait_for("PAUSED");
    screen.keys("p");
    screen.resize(200, 50);
    let wide = screen.wait_for("top error classes");
    assert!(wide.lines().count() <= 50, "{wide}");
    // Below 80×24 panels are dropped, never garbled.
    screen.resize(40, 10);
    std::thread::sleep(Duration::from_millis(1500));
    let small = screen.capture();
    assert!(small.lines().all(|l| l.chars().count() <= 40), "{small}");
    assert!(small.contains("q quit"), "{small}");
    screen.keys("q");
    let after = screen.wait_for("__EXIT_0__");
    // Back on the normal screen: the view is gone.
    assert!(!after.contains("q quit · p pause"), "{after}");
}

#[test]
fn a_lost_server_is_shown_and_the_view_reconnects() {
    let own = OwnCluster::start();
    own.client("postgres")
        .batch_execute("CREATE DATABASE watched")
        .unwrap();
    let url = own.url("watched");
    let mut migrate = bare_cmd();
    assert_exit(
        &migrate
            .env("DATABASE_URL", &url)
            .arg("migrate")
            .output()
            .unwrap(),
        0,
    );
    seed(&mut own.client("watched"));
    let screen = Screen::start(&url, 100, 30);
    screen.wait_for("top topics by backlog");
    own.crash();
    screen.wait_for("connection lost");
    own.restart();
    let back = Instant::now() + Duration::from_secs(30);
    loop {
        let now = screen.capture();
        if !now.contains("connection lost") && now.contains("top topics by backlog") {
            break;
        }
        assert!(Instant::now() < back, "never reconnected:\n{now}");
        std::thread::sleep(Duration::from_millis(200));
    }
    screen.keys("C-c");
    screen.wait_for("__EXIT_0__");
}

#[test]
fn without_a_terminal_it_prints_one_json_object_per_interval() {
    let db = TestDb::new().migrated();
    seed(&mut db.client());
    let out = db
        .cmd()
        .args(["watch", "--interval", "1s", "--count", "3"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[0]["by_status"]["pending"], 100);
    assert!(
        lines[0]["rates"].is_null(),
        "no rates before a second sample"
    );
    assert!(
        lines[1]["rates"]["written_per_second"].is_number(),
        "{}",
        lines[1]
    );
    assert!(lines[1]["changes"]["pending"].is_number());
    assert_eq!(lines[2]["top_errors"][0]["count"], 100);
    assert!(lines[2]["target"].as_str().unwrap().ends_with(&db.name));
    for args in [
        vec!["watch", "--interval", "100ms"],
        vec!["watch", "--format", "json"],
        vec!["watch", "--count", "0"],
    ] {
        assert_exit(&db.cmd().args(&args).output().unwrap(), 2);
    }
}

/// An error that reconnecting cannot heal (here the role loses its grant mid-watch) is
/// shown as an error on the connection kept, not as a lost connection.
#[test]
fn an_error_that_is_not_a_lost_connection_is_not_a_reconnect() {
    let db = TestDb::new().migrated();
    let role = db.role("w");
    let role = role.name.as_str();
    let mut admin = db.client();
    admin
        .batch_execute(&format!(
            "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"
        ))
        .unwrap();
    let mut child = db
        .cmd()
        .env("DATABASE_URL", db.url_as(role))
        .args([
            "watch",
            "--format",
            "ndjson",
            "--interval",
            "1s",
            "--count",
            "3",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
    first_snapshot(&mut lines);
    admin
        .batch_execute(&format!(
            "REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM {role}"
        ))
        .unwrap();
    let rest: Vec<serde_json::Value> = lines
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    child.wait().unwrap();
    let failed = rest
        .iter()
        .find(|s| s.get("error").is_some())
        .unwrap_or_else(|| panic!("no error line: {rest:?}"));
    assert_eq!(failed["reconnecting"], false, "{failed}");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("permission denied"),
        "{failed}"
    );
}

/// The backend of the watching session, once it has one.
fn watch_backend(db: &TestDb) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let row = db
            .client()
            .query_opt(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()
                    AND application_name = 'outboxctl' AND pid <> pg_backend_pid() LIMIT 1",
                &[],
            )
            .unwrap();
        if let Some(row) = row {
            return row.get(0);
        }
        assert!(Instant::now() < deadline, "no watching backend");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// With the watched backend frozen (SIGSTOP), ndjson says so every interval, says that
/// outboxctl closed the connection once --statement-timeout has passed, and carries on.
#[test]
fn a_frozen_server_is_reported_every_interval_and_closed_by_outboxctl() {
    let db = TestDb::new().migrated();
    seed(&mut db.client());
    let mut child = db
        .cmd()
        .args([
            "--statement-timeout",
            "2s",
            "watch",
            "--format",
            "ndjson",
            "--interval",
            "1s",
            "--count",
            "9",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
    first_snapshot(&mut lines);
    let frozen = Frozen::freeze(watch_backend(&db));
    let frozen_at = Instant::now();
    let mut seen: Vec<serde_json::Value> = Vec::new();
    for line in lines {
        let line: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        if seen.is_empty() {
            // The first interval without an answer is reported within about one interval.
            assert!(frozen_at.elapsed() < Duration::from_secs(4), "{line}");
        }
        seen.push(line);
    }
    drop(frozen);
    assert!(child.wait().unwrap().success());
    assert!(
        seen.iter().any(|l| l["stale"] == true),
        "no interval without an answer was reported: {seen:?}"
    );
    let closed = seen
        .iter()
        .find(|l| l.get("closed_by").is_some())
        .unwrap_or_else(|| panic!("never said who closed the connection: {seen:?}"));
    assert_eq!(closed["closed_by"], "outboxctl", "{closed}");
    assert!(
        closed["error"]
            .as_str()
            .unwrap()
            .contains("outboxctl closed the connection"),
        "{closed}"
    );
    assert!(
        seen.last().unwrap().get("error").is_none(),
        "did not carry on after reconnecting: {seen:?}"
    );
}

/// `q` quits the view within a fraction of a second while the server is frozen, and the
/// screen says how old its figures are.
#[test]
fn the_view_obeys_the_keyboard_while_the_server_is_frozen() {
    let db = TestDb::new().migrated();
    seed(&mut db.client());
    let screen = Screen::start(&db.url(), 97, 30);
    screen.wait_for("top topics by backlog");
    let frozen = Frozen::freeze(watch_backend(&db));
    let shown = screen.wait_for("stale: the server has not answered for");
    assert!(shown.contains("the figures below are"), "{shown}");
    let pressed = Instant::now();
    screen.keys("q");
    screen.wait_for("__EXIT_0__");
    assert!(
        pressed.elapsed() < Duration::from_secs(2),
        "{:?}",
        pressed.elapsed()
    );
    drop(frozen);
}

/// Reads ndjson lines up to the first snapshot: a loaded machine may report an interval
/// without an answer first, and nothing else.
fn first_snapshot(lines: &mut impl Iterator<Item = std::io::Result<String>>) {
    loop {
        let line: serde_json::Value =
            serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        if line.get("error").is_none() {
            return;
        }
        assert_eq!(line["stale"], true, "{line}");
    }
}
