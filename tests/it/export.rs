//! `list`'s machine formats are written straight from the wire (`render::export`); they
//! must stay byte for byte what the message model gives (`Message::to_json` through
//! `RowWriter`), on the oddest data a producer can store.

use outboxctl::render::output::{Format, RowWriter};
use outboxctl::tables::outbox::{MESSAGE_COLUMNS, MESSAGE_FIELDS, Message};

use crate::harness::TestDb;
use crate::{assert_exit, stderr};

fn odd_rows(db: &TestDb) {
    let deep = format!("{}1{}", "[".repeat(3000), "]".repeat(3000));
    let mut client = db.client();
    client
        .batch_execute(&format!(
            r#"INSERT INTO outbox_messages (topic, key, payload, headers, status, retries, last_error, created_at, processed_at) VALUES
             ('plain', 'k', 'hello', '{{"trace": "abc", "n": 1.50, "big": 123456789012345678901234567890}}', 'processed', 0, '', now() - interval '3 days', now()),
             ('binary', '', '\x00ff10fe80', NULL, 'failed', 7, E'line\nbreak\ttab "quoted" \\ back', now() - interval '2 days', NULL),
             (E'esc\u001b[31mred\u0007', E'\u00e9\u4e2d\U0001F600', NULL, '{{"": "", "a b": [1, 2, {{"c": "x, y: z"}}], "s": "\"\\\u001f"}}', 'pending', -1, E'\r', '-infinity', 'infinity'),
             ('invalid-utf8', 'k', '\xc328', '[]', 'processing', 2147483647, '', 'infinity', '-infinity'),
             ('empty', '', '', '{{}}', 'processed', 0, '', '2000-01-01 00:00:00.000001+00', '1999-12-31 23:59:59.999999+00'),
             ('deep', 'k', 'x', '{deep}', 'pending', 0, '', '0044-03-15 12:00:00+00 BC', '294276-12-31 23:59:59+00')"#
        ))
        .unwrap();
}

/// What the message model makes of every row, in `list`'s order.
fn expected(db: &TestDb, format: Format, columns: &[&str]) -> Vec<u8> {
    let url = db.url();
    let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
    // Deep headers recurse per level when parsed and printed: a large stack, as the
    // binary has.
    std::thread::Builder::new()
        .stack_size(outboxctl::WORK_STACK_BYTES)
        .spawn(move || {
            let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            let rows = client
                .query(
                    &format!(
                        "SELECT {MESSAGE_COLUMNS} FROM outbox_messages ORDER BY created_at, id"
                    ),
                    &[],
                )
                .unwrap();
            let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
            let mut out = Vec::new();
            let mut writer = RowWriter::new(format, &mut out, &columns).unwrap();
            for row in &rows {
                writer
                    .write(&Message::from_row(row).unwrap().to_json())
                    .unwrap();
            }
            writer.finish().unwrap();
            out
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn list_exports_match_the_message_model_byte_for_byte() {
    let db = TestDb::new().migrated();
    odd_rows(&db);
    let all = "pending,processing,processed,failed";
    for (format, name) in [
        (Format::Ndjson, "ndjson"),
        (Format::Json, "json"),
        (Format::Csv, "csv"),
    ] {
        for columns in [
            MESSAGE_FIELDS.to_vec(),
            vec!["processed_at", "payload_encoding", "id", "headers"],
        ] {
            // Both the one-shot read (a limit) and the stream (no limit).
            for limit in ["0", "100"] {
                let out = db
                    .cmd()
                    .args(["list", "--status", all, "--limit", limit, "--format", name])
                    .args(["--columns", &columns.join(",")])
                    .output()
                    .unwrap();
                assert_exit(&out, 0);
                let want = expected(&db, format, &columns);
                assert!(
                    out.stdout == want,
                    "{name} {columns:?} differs:\n--- list\n{}\n--- model\n{}\n{}",
                    String::from_utf8_lossy(&out.stdout)
                        .chars()
                        .take(3000)
                        .collect::<String>(),
                    String::from_utf8_lossy(&want)
                        .chars()
                        .take(3000)
                        .collect::<String>(),
                    stderr(&out)
                );
            }
        }
    }
}

/// A reader that stops early (`| head -1`): outboxctl ends at once and so does the
/// server's side of the export, rather than a backend blocked sending rows to a socket
/// nobody reads.
#[test]
fn a_reader_that_stops_early_ends_the_export_on_the_server_too() {
    let db = TestDb::new().migrated();
    db.client()
        .batch_execute(
            "INSERT INTO outbox_messages (topic, payload, status, processed_at)
             SELECT 't', convert_to(repeat(md5(i::text), 30), 'UTF8'), 'processed', now()
               FROM generate_series(1, 100000) i",
        )
        .unwrap();
    let mut child = db
        .cmd()
        .args([
            "list",
            "--status",
            "processed",
            "--limit",
            "0",
            "--format",
            "ndjson",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    assert!(first.starts_with("{\"id\":"), "{first}");
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let mut admin = db.server.admin_client();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let left: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'outboxctl'",
                &[&db.name],
            )
            .unwrap()
            .get(0);
        if left == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the export's backend still runs after its reader left"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
