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

/// A pooler that accepts a client and holds it until a server connection frees
/// (PgBouncer in session mode, its one server connection taken) costs that target its
/// connect timeout, not the whole run: the other target's answer comes without waiting.
#[test]
fn a_target_whose_pool_never_serves_costs_only_its_connect_timeout() {
    let held = TestDb::new().migrated();
    let healthy = TestDb::new().migrated();
    let url = crate::harness::session_bouncer().url_for(held.server, &held.name);
    // The pool's one server connection for this database, taken for the test's length.
    let mut taker = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    taker.batch_execute("SELECT 1").unwrap();
    let started = Instant::now();
    let out = bare_cmd()
        .args(["-d", &url, "-d", &healthy.url()])
        .args(["--connect-timeout", "2s", "stats", "--format", "json"])
        .output()
        .unwrap();
    let took = started.elapsed();
    drop(taker);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(took < Duration::from_secs(15), "took {took:?}");
    let json = json_out(&out);
    let targets = json.as_array().unwrap();
    assert_eq!(targets[0]["ok"], false);
    assert!(
        targets[0]["error"]
            .as_str()
            .unwrap()
            .contains("did not answer its first query within 2s"),
        "{}",
        targets[0]
    );
    assert_eq!(targets[1]["ok"], true, "{}", targets[1]);
}

/// A reader that stops for longer than `--statement-timeout` (a slow pipe) is not a
/// silent server: the rows the server already sent are read when the reader comes back.
#[test]
fn a_slow_reader_is_not_taken_for_a_silent_server() {
    let db = TestDb::new().migrated();
    Seed {
        n: 3000,
        ..Default::default()
    }
    .insert(&mut db.client());
    // More than the pipe holds, so outboxctl waits on its reader with rows unread.
    db.client()
        .batch_execute("UPDATE outbox_messages SET payload = convert_to(repeat('x', 300), 'UTF8')")
        .unwrap();
    let mut child = db
        .cmd()
        .args(["--statement-timeout", "1s", "list", "--status", "all"])
        .args(["--limit", "0", "--format", "ndjson"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap();
    // Well past the timeout and its grace, with the pipe full.
    std::thread::sleep(Duration::from_secs(6));
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(rest.lines().count(), 3000);
}
