//! One connection, one socket: cutting one target's connection (its server went silent
//! past `--statement-timeout`) never touches another target's, whatever the timing.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::harness::{Frozen, Seed, TestDb, bare_cmd};
use crate::{json_out, stderr};

/// A TCP proxy to the test server that delivers the server's bytes `latency` late, so
/// every round trip through it is in flight for that long.
struct SlowProxy {
    port: u16,
}

impl SlowProxy {
    fn start(server: (String, u16), latency: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(upstream) = TcpStream::connect((server.0.as_str(), server.1)) else {
                    continue;
                };
                forward(
                    client.try_clone().unwrap(),
                    upstream.try_clone().unwrap(),
                    Duration::ZERO,
                );
                forward(upstream, client, latency);
            }
        });
        Self { port }
    }
}

/// Copies `from` to `to`, each chunk `delay` after it arrived.
fn forward(mut from: TcpStream, mut to: TcpStream, delay: Duration) {
    let (sender, receiver) = mpsc::channel::<(Instant, Vec<u8>)>();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 16384];
        loop {
            match from.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if sender.send((Instant::now(), buffer[..n].to_vec())).is_err() {
                        break;
                    }
                }
            }
        }
    });
    std::thread::spawn(move || {
        for (arrived, chunk) in receiver {
            std::thread::sleep((arrived + delay).saturating_duration_since(Instant::now()));
            if to.write_all(&chunk).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}

/// Two targets, one of them frozen mid-query: the frozen one's connection is cut after
/// `--statement-timeout` and its grace, while the healthy one (slowed by a proxy, so its
/// round trips are in flight when the cut comes) gives its complete answer. Repeated,
/// because what this guards against depended on which connection opened first.
#[test]
fn a_frozen_target_never_cuts_a_healthy_ones_connection() {
    let healthy = TestDb::new().migrated();
    Seed {
        n: 7,
        status: "'failed'",
        ..Default::default()
    }
    .insert(&mut healthy.client());
    Seed {
        n: 5,
        ..Default::default()
    }
    .insert(&mut healthy.client());
    let frozen = TestDb::new().migrated();
    let server = healthy.server;
    let proxy = SlowProxy::start(
        (server.host.clone(), server.port),
        Duration::from_millis(500),
    );
    let healthy_url = healthy.url().replacen(
        &format!("{}:{}", server.host, server.port),
        &format!("127.0.0.1:{}", proxy.port),
        1,
    );
    assert_ne!(healthy_url, healthy.url(), "the proxy is not in the way");

    for round in 0..3 {
        // The frozen target's statements wait for this lock, and are frozen while they do.
        let mut holder = frozen.client();
        holder
            .batch_execute("BEGIN; LOCK TABLE outbox_messages IN ACCESS EXCLUSIVE MODE")
            .unwrap();
        let child = bare_cmd()
            .args(["-d", &healthy_url, "-d", &frozen.url()])
            .args(["--statement-timeout", "1s", "stats", "--format", "json"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut watcher = frozen.client();
        let started = Instant::now();
        let pid = loop {
            let row = watcher
                .query_opt(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()
                        AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
                    &[],
                )
                .unwrap();
            if let Some(row) = row {
                break row.get::<_, i32>(0);
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "round {round}: outboxctl never waited on the frozen target"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        let thaw = Frozen::freeze(pid);
        holder.batch_execute("ROLLBACK").unwrap();
        let out = child.wait_with_output().unwrap();
        drop(thaw);

        let json = json_out(&out);
        let targets = json.as_array().unwrap();
        assert_eq!(targets.len(), 2, "round {round}: {}", stderr(&out));
        assert_eq!(
            targets[0]["ok"], true,
            "round {round}: the healthy target failed: {}",
            targets[0]
        );
        assert_eq!(
            targets[0]["outbox"]["by_status"]["failed"], 7,
            "round {round}"
        );
        assert_eq!(
            targets[0]["outbox"]["by_status"]["pending"], 5,
            "round {round}"
        );
        assert_eq!(targets[1]["ok"], false, "round {round}");
        let why = targets[1].to_string();
        assert!(
            why.contains("did not answer within --statement-timeout"),
            "round {round}: {why}"
        );
        assert!(!out.status.success());
    }
}
