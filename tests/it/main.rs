//! Integration tests: the real binary against a real PostgreSQL, each test in its own
//! database (see `harness`).

mod completions;
mod concurrency;
mod connection;
mod dedup;
mod dedup_columns;
mod demo;
mod doctor;
mod export;
mod failures;
mod follow;
mod harness;
mod jobs;
mod layers;
mod messages;
mod nullable;
mod output;
mod partitions;
mod pooling;
mod properties;
mod relay;
mod reliability;
mod schema_commands;
mod schemas;
mod search_path;
mod serve;
mod shards;
mod signals;
mod sockets;
mod stats_errors;
mod stats_estimate;
mod values;
mod watch;

use std::process::Output;

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// stdout parsed as one JSON document.
#[track_caller]
pub fn json_out(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", stdout(out), stderr(out)))
}

/// Asserts the exit code, printing both streams when it differs.
#[track_caller]
pub fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "unexpected exit code\nstdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
}

/// Asserts a failure printed exactly one line on stderr.
#[track_caller]
pub fn assert_one_line_error(out: &Output) {
    let err = stderr(out);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "expected one line on stderr, got: {err}"
    );
}
