//! `scripts/demo`, as a newcomer runs it: a throwaway server, a realistic outbox, the
//! tour, and one command to clean up.

use std::process::Command;

#[test]
fn the_demo_runs_end_to_end_and_cleans_up() {
    let dir = tempfile::Builder::new()
        .prefix("demo-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let demo_dir = dir.path().join("demo");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/demo");
    let binary = assert_cmd::cargo::cargo_bin("outboxctl");
    let run = |args: &[&str]| {
        let mut cmd = Command::new(script);
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy().to_string();
            if key.starts_with("PG") || key == "DATABASE_URL" {
                cmd.env_remove(&key);
            }
        }
        cmd.args(args)
            .env("DEMO_DIR", &demo_dir)
            .env("OUTBOXCTL", &binary)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let out = run(&[]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    for expected in [
        "outbox_messages: created",
        "│ failed ",
        "messages shown from",
        "dry run: would requeue",
        "outbox_messages: ok",
        "scripts/demo stop",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    // Run twice: the second run reuses the server and the data.
    let again = run(&[]);
    assert!(again.status.success());
    let out = run(&["stop"]);
    assert!(out.status.success());
    assert!(!demo_dir.exists());
}
