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

/// A copy of the checkout made while the demo runs (`cp -a`, pointer file included) must
/// not stop the original's server; a DEMO_DIR that is a planted link is refused before
/// anything is made or handed to the server's account.
#[test]
fn the_demo_keeps_its_state_private_and_stops_only_its_own_server() {
    let root = tempfile::Builder::new()
        .prefix("demo-copy-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let original = root.path().join("original");
    std::fs::create_dir_all(original.join("scripts")).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/demo"),
        original.join("scripts/demo"),
    )
    .unwrap();
    let binary = assert_cmd::cargo::cargo_bin("outboxctl");
    let run = |checkout: &std::path::Path, args: &[&str], demo_dir: Option<&std::path::Path>| {
        let mut cmd = Command::new(checkout.join("scripts/demo"));
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy().to_string();
            if key.starts_with("PG") || key == "DATABASE_URL" || key == "DEMO_DIR" {
                cmd.env_remove(&key);
            }
        }
        if let Some(dir) = demo_dir {
            cmd.env("DEMO_DIR", dir);
        }
        let out = cmd
            .args(args)
            .env("OUTBOXCTL", &binary)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    let (ok, text) = run(&original, &[], None);
    assert!(ok, "{text}");
    // The closing hint runs as printed: the binary's full path.
    assert!(
        text.contains(&format!("{} list --status failed", binary.display())),
        "{text}"
    );
    let pointer = std::fs::read_to_string(original.join("target/demo.dir")).unwrap();
    let state = std::path::PathBuf::from(pointer.lines().next().unwrap());
    assert!(
        state.join("data/postmaster.pid").exists(),
        "{}",
        state.display()
    );
    let copy = root.path().join("copy");
    let status = Command::new("cp")
        .args(["-a"])
        .arg(&original)
        .arg(&copy)
        .status()
        .unwrap();
    assert!(status.success());
    let (ok, text) = run(&copy, &["stop"], None);
    assert!(
        ok && text.contains("no demo server of this checkout"),
        "{text}"
    );
    assert!(
        state.join("data/postmaster.pid").exists(),
        "the copy's stop stopped the original's server"
    );
    let (ok, text) = run(&original, &["stop"], None);
    assert!(ok && text.contains("stopped"), "{text}");
    assert!(!state.exists(), "{} left behind", state.display());
    assert!(!original.join("target/demo.dir").exists());

    // A planted link as DEMO_DIR: refused, and what it points to keeps its owner.
    let victim = root.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    let link = root.path().join("link");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let owner =
        |p: &std::path::Path| std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(p).unwrap());
    let before = owner(&victim);
    let (ok, text) = run(&original, &[], Some(&link));
    assert!(
        !ok && text.contains("is not this checkout's demo directory"),
        "{text}"
    );
    assert_eq!(owner(&victim), before);
    assert!(std::fs::read_dir(&victim).unwrap().next().is_none());
}
