//! `serve`, scraped by a real Prometheus server (Debian's `prometheus` package).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{Seed, TestDb};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The body of `GET path` on `port`, or None while nothing answers there.
fn get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        // Chunks: size line, data, CRLF, until a zero size.
        let mut out = String::new();
        let mut rest = body;
        while let Some((size, after)) = rest.split_once("\r\n") {
            let size = usize::from_str_radix(size.trim(), 16).ok()?;
            if size == 0 {
                break;
            }
            out.push_str(&after[..size]);
            rest = &after[size + 2..];
        }
        return Some(out);
    }
    Some(body.to_string())
}

fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A Prometheus server scraping `serve` every second finds the outbox's series with the
/// right values, labelled by target; a target that cannot be reached is `up 0` beside a
/// healthy one; the exposition passes `promtool check metrics`; SIGTERM ends it with 0.
#[test]
fn prometheus_scrapes_serve_and_sees_the_outbox() {
    let db = TestDb::new().migrated();
    Seed {
        n: 7,
        ..Default::default()
    }
    .insert(&mut db.client());
    Seed {
        n: 2,
        status: "'failed'",
        ..Default::default()
    }
    .insert(&mut db.client());
    let port = free_port();
    let serve = db
        .cmd()
        .args([
            "-d",
            &db.url(),
            "-d",
            "postgres://nobody@127.0.0.1:1/none?sslmode=disable",
        ])
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--min-interval",
            "500ms",
            "--doctor-interval",
            "2s",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut serve = Killed(serve);
    let metrics = eventually("serve answers", || get(port, "/metrics"));
    assert!(
        metrics.contains("outboxctl_up{target=\"nobody@127.0.0.1:1/none\"} 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains("status=\"pending\"} 7") && metrics.contains("status=\"failed\"} 2"),
        "{metrics}"
    );
    assert_eq!(get(port, "/healthz").as_deref(), Some("ok\n"));
    // promtool reads it as Prometheus will.
    let mut check = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool is installed (scripts/test installs prometheus)");
    check
        .stdin
        .take()
        .unwrap()
        .write_all(metrics.as_bytes())
        .unwrap();
    let checked = check.wait_with_output().unwrap();
    assert!(
        checked.status.success(),
        "{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
    // The doctor's checks arrive at their own pace.
    eventually("doctor gauges", || {
        get(port, "/metrics").filter(|m| m.contains("outboxctl_doctor_check_status{"))
    });

    // A real Prometheus, scraping every second.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: outbox\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n"
        ),
    )
    .unwrap();
    let web = free_port();
    let prometheus = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{web}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus is installed (scripts/test installs it)");
    let _prometheus = Killed(prometheus);
    let query = |q: &str| -> Option<Vec<Value>> {
        let body = get(web, &format!("/api/v1/query?query={q}"))?;
        let answer: Value = serde_json::from_str(&body).ok()?;
        let result = answer["data"]["result"].as_array()?.clone();
        (!result.is_empty()).then_some(result)
    };
    let pending = eventually("Prometheus has the pending series", || {
        query("outbox_messages%7Bstatus%3D%22pending%22%7D")
    });
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0]["value"][1], "7", "{pending:?}");
    assert!(
        pending[0]["metric"]["target"]
            .as_str()
            .unwrap()
            .ends_with(&db.name),
        "{pending:?}"
    );
    let up = eventually("Prometheus has outboxctl_up for both", || {
        query("outboxctl_up").filter(|r| r.len() == 2)
    });
    assert!(up.iter().any(|s| s["value"][1] == "0"), "{up:?}");
    // A change shows in the next scrapes.
    db.client()
        .batch_execute("UPDATE outbox_messages SET status = 'failed' WHERE status = 'pending'")
        .unwrap();
    eventually("Prometheus sees the new failures", || {
        query("outbox_messages%7Bstatus%3D%22failed%22%7D")
            .filter(|r| r.first().is_some_and(|s| s["value"][1] == "9"))
    });

    unsafe { libc::kill(serve.0.id() as i32, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = serve.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}

/// The alert rules serve's guide gives are rules Prometheus accepts.
#[test]
fn the_alert_rules_pass_promtool() {
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/prometheus/alerts.yml");
    let out = Command::new("promtool")
        .args(["check", "rules"])
        .arg(&rules)
        .output()
        .expect("promtool is installed");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let readme = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/commands/serve.md"),
    )
    .unwrap();
    assert!(readme.contains("docs/prometheus/alerts.yml"));
}
