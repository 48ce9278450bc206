//! Error classes: a relay's `last_error` texts with the parts that differ between two
//! occurrences of one cause (addresses, ids, numbers, quoted values, durations) replaced
//! by placeholders, so that `dial tcp 10.0.3.17:9092: connect: connection refused` and
//! the same error from `10.0.3.18:9092` count as one class.
//!
//! What is kept: words, punctuation, what names a cause — the status codes of HTTP, gRPC
//! and AMQP (`503` is not `401`), an AMQP reply's constant (`NOT_FOUND`), endpoints'
//! hosts and paths without their ids, words with digits (`x509`, `sha256`). What is
//! folded besides: the topic, queue, exchange, subject or stream a broker error names,
//! and AWS ARNs and queue URLs. `tests/corpus/error_causes.tsv` holds the normaliser to
//! 258 errors of 45 causes as the Go clients produce them: one class per cause.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use regex::Regex;

use crate::db::pgtime::PgTime;
use crate::db::session::{Rel, Tx};
use crate::db::sql::Params;

struct Rule {
    pattern: Regex,
    replacement: &'static str,
}

fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let rule = |pattern: &str, replacement: &'static str| Rule {
            pattern: Regex::new(pattern).expect("a valid pattern"),
            replacement,
        };
        vec![
            // Terminal control sequences (colour codes) first: `\x1b[31m` holds no
            // duration.
            rule(r"\x1b\[[0-9;?]*[ -/]*[@-~]", "<csi>"),
            // Quoted values next: what is inside them is data, whatever it looks like
            // (a quoted URL is kept as a URL, below).
            // (Already folded ones, holding `<`, stay as they are.)
            rule(r#""(?:[^"\\:<]|\\.)*""#, "\"<v>\""),
            rule(r"'(?:[^'\\]|\\.)*'", "'<v>'"),
            rule(r"`[^`]*`", "`<v>`"),
            // The topic, queue, exchange, subject or stream a broker error names: one
            // failing broker fails every topic alike. A NATS subject is the dotted name
            // after `publish` or `request`.
            rule(
                r"(?i)\b(topic|exchange|queue|subject|stream)(\s+)[A-Za-z0-9_][A-Za-z0-9_.\-*>]*",
                "$1$2<name>",
            ),
            rule(
                r"(?i)\b(publish|request)(\s+)[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-*>]+)+",
                "$1$2<name>",
            ),
            // An AWS ARN: the service stays, region, account and resource vary.
            rule(r"\barn:aws:([a-z0-9-]+):[^\s:]*:[^\s:]*:[^\s:,]+", "arn:aws:$1:<arn>"),
            // URLs: see `endpoint`.
            rule(
                r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
                "<uuid>",
            ),
            // Timestamps (RFC 3339 and its space-separated form), whole.
            rule(
                r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?",
                "<time>",
            ),
            // IPv6 in brackets, IPv4, each with an optional port.
            rule(r"\[[0-9A-Fa-f:.]+\](?::\d+)?", "<addr>"),
            rule(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b", "<addr>"),
            // A host name with a port: kafka-3.internal:9092.
            rule(
                r"\b[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+:\d+\b",
                "<host>",
            ),
            rule(r"(?i)\b0x[0-9a-f]+\b", "<hex>"),
            // Durations as Go prints them: 1.5s, 300ms, 2m30s, 1h0m0s, 250µs.
            rule(
                r"\b\d+(?:\.\d+)?(?:h|m|s|ms|us|µs|ns)(?:\d+(?:\.\d+)?(?:h|m|s|ms|us|µs|ns))*\b",
                "<duration>",
            ),
        ]
    })
}

fn url() -> &'static Regex {
    static URL: OnceLock<Regex> = OnceLock::new();
    URL.get_or_init(|| {
        Regex::new(
            r#"\b([a-z][a-z0-9+.-]*)://([^\s/"',;)?#]+)([^\s"',;)?#:]*)(?:[?#][^\s"',;)]*)?"#,
        )
        .expect("a valid pattern")
    })
}

fn quoted() -> &'static Regex {
    static QUOTED: OnceLock<Regex> = OnceLock::new();
    QUOTED.get_or_init(|| {
        Regex::new(r#""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'"#).expect("a valid pattern")
    })
}

/// `scheme://host/path` with the host kept (its port folded), each path segment that
/// holds an id (digits, unless a word of letters then digits such as `v1`) folded to
/// `<id>`, and the query gone.
fn endpoint(scheme: &str, authority: &str, path: &str) -> String {
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => {
            format!("{name}:<port>")
        }
        _ => host.to_string(),
    };
    let names_a_thing = |segment: &str| {
        let letters = segment
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        letters > 0 && segment[letters..].chars().all(|c| c.is_ascii_digit())
    };
    // An SQS queue's URL is its account and name.
    if host.starts_with("sqs.") && host.contains(".amazonaws.com") {
        return format!("{scheme}://{host}/<account>/<queue>");
    }
    let path: Vec<String> = path
        .split('/')
        .map(|segment| {
            if segment.chars().any(|c| c.is_ascii_digit()) && !names_a_thing(segment) {
                "<id>".to_string()
            } else {
                segment.to_string()
            }
        })
        .collect();
    format!("{scheme}://{host}{}", path.join("/"))
}

/// The leading `UPPER_CASE - ` of a quoted reason, as AMQP brokers write their reply
/// texts (`NOT_FOUND - no exchange …`, `ACCESS_REFUSED - …`).
fn reply_constant(inner: &str) -> Option<&str> {
    let (constant, _) = inner.split_once(" - ")?;
    (constant.len() >= 3 && constant.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .then_some(constant)
}

fn long_hex() -> &'static Regex {
    static HEX: OnceLock<Regex> = OnceLock::new();
    HEX.get_or_init(|| Regex::new(r"(?i)\b[0-9a-f]{8,}\b").expect("a valid pattern"))
}

fn status_code() -> &'static Regex {
    static STATUS: OnceLock<Regex> = OnceLock::new();
    STATUS.get_or_init(|| {
        Regex::new(
            r"(?i)\b(HTTP(?:/\d(?:\.\d)?)?|status(?: ?code)?|code|Exception)([ :=(]+)([1-5]\d\d)\b",
        )
        .expect("a valid pattern")
    })
}

fn number() -> &'static Regex {
    static NUMBER: OnceLock<Regex> = OnceLock::new();
    NUMBER.get_or_init(|| Regex::new(r"\d+(?:\.\d+)?").expect("a valid pattern"))
}

/// Private-use stand-ins for the digits of a status code while numbers are replaced.
const SHIELD: u32 = 0xE000;

/// A class's short stable id: 8 hex digits of the FNV-1a hash of its text, the same in
/// every run and version, for `--error-class`.
pub fn class_id(class: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in class.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{:08x}", (hash >> 32) as u32)
}

/// The class of one error text. Empty text has the class `""`.
pub fn classify(error: &str) -> String {
    // An endpoint names the cause (which service failed): its scheme, host and path stay,
    // with the ids in the path folded and the query dropped.
    let mut text = url()
        .replace_all(error, |caps: &regex::Captures| {
            endpoint(&caps[1], &caps[2], &caps[3])
        })
        .into_owned();
    // Quoted values that are not URLs are data.
    text = quoted()
        .replace_all(&text, |caps: &regex::Captures| {
            let quote = &caps[0][..1];
            let inner = &caps[0][1..caps[0].len() - 1];
            if caps[0].contains("://") {
                caps[0].to_string()
            } else if let Some(constant) = reply_constant(inner) {
                // `"NOT_FOUND - no exchange 'x'"`: the constant names the cause.
                format!("{quote}{constant} - <v>{quote}")
            } else {
                format!("{quote}<v>{quote}")
            }
        })
        .into_owned();
    for rule in rules() {
        text = rule
            .pattern
            .replace_all(&text, rule.replacement)
            .into_owned();
    }
    // Hex ids: runs of 8 or more hex digits that hold at least one digit (a word like
    // "deadbeef" alone stays).
    text = long_hex()
        .replace_all(&text, |caps: &regex::Captures| {
            let run = &caps[0];
            if run.chars().any(|c| c.is_ascii_digit()) {
                "<hex>".to_string()
            } else {
                run.to_string()
            }
        })
        .into_owned();
    // Status codes name causes: shield their digits from the number pass.
    text = status_code()
        .replace_all(&text, |caps: &regex::Captures| {
            let shielded: String = caps[3]
                .chars()
                .map(|d| char::from_u32(SHIELD + d.to_digit(10).unwrap_or(0)).unwrap_or(d))
                .collect();
            format!("{}{}{shielded}", &caps[1], &caps[2])
        })
        .into_owned();
    // Numbers vary per message; a word that is letters then digits names a thing
    // (x509, sha256, http2, utf8, int64) and stays.
    let original = text.clone();
    text = number()
        .replace_all(&original, |caps: &regex::Captures| {
            let m = caps.get(0).expect("the whole match");
            let before = original[..m.start()].chars().next_back();
            let after = original[m.end()..].chars().next();
            let names_a_thing = before.is_some_and(|c| c.is_ascii_alphabetic())
                && !after.is_some_and(|c| c.is_ascii_alphanumeric());
            if names_a_thing {
                m.as_str().to_string()
            } else {
                "<n>".to_string()
            }
        })
        .into_owned();
    let text: String = text
        .chars()
        .map(|c| match c as u32 {
            code @ SHIELD..=0xE009 => char::from_digit(code - SHIELD, 10).unwrap_or(c),
            _ => c,
        })
        .collect();
    let mut class = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if class.chars().count() > MAX_CLASS_CHARS {
        class = class.chars().take(MAX_CLASS_CHARS - 1).collect();
        class.push('…');
    }
    class
}

/// A class is a label, not the error: the example message carries the full text.
pub const MAX_CLASS_CHARS: usize = 240;

#[cfg(test)]
mod tests {
    use super::classify;

    /// Pairs of realistic errors that must fall in one class, and the class.
    #[test]
    fn one_cause_is_one_class() {
        for (a, b, class) in [
            (
                "dial tcp 10.0.3.17:9092: connect: connection refused",
                "dial tcp 10.0.3.18:9092: connect: connection refused",
                "dial tcp <addr>: connect: connection refused",
            ),
            (
                "dial tcp [fd00::17]:9092: i/o timeout",
                "dial tcp [fd00::3]:9092: i/o timeout",
                "dial tcp <addr>: i/o timeout",
            ),
            (
                "dial tcp: lookup kafka-3.internal on 10.96.0.10:53: no such host",
                "dial tcp: lookup kafka-1.internal on 10.96.0.10:53: no such host",
                "dial tcp: lookup kafka-<n>.internal on <addr>: no such host",
            ),
            (
                "kafka: Failed to produce message to topic orders: kafka server: Message was too large, server rejected it to avoid allocation error (offset 184467)",
                "kafka: Failed to produce message to topic billing.invoices: kafka server: Message was too large, server rejected it to avoid allocation error (offset 99)",
                "kafka: Failed to produce message to topic <name>: kafka server: Message was too large, server rejected it to avoid allocation error (offset <n>)",
            ),
            (
                "write tcp 10.0.0.5:51234->10.0.3.17:9092: write: broken pipe",
                "write tcp 10.0.0.6:40112->10.0.3.18:9092: write: broken pipe",
                "write tcp <addr>-><addr>: write: broken pipe",
            ),
            (
                "nats: timeout after 2.5s waiting for ack from stream ORDERS",
                "nats: timeout after 300ms waiting for ack from stream BILLING",
                "nats: timeout after <duration> waiting for ack from stream <name>",
            ),
            (
                "Exception (404) Reason: \"NOT_FOUND - no exchange 'billing' in vhost '/'\"",
                "Exception (404) Reason: \"NOT_FOUND - no exchange 'orders-7' in vhost '/'\"",
                "Exception (404) Reason: \"NOT_FOUND - <v>\"",
            ),
            (
                "json: cannot unmarshal string into Go struct field Order.amount of type int64",
                "json: cannot unmarshal string into Go struct field Order.amount of type int64",
                "json: cannot unmarshal string into Go struct field Order.amount of type int64",
            ),
            // Words that are letters then digits name a thing; a number beside them varies.
            (
                "x509: certificate has expired or is not yet valid: current time 2026-12-06T05:00:01Z",
                "x509: certificate has expired or is not yet valid: current time 2026-12-07T11:42:17Z",
                "x509: certificate has expired or is not yet valid: current time <time>",
            ),
            (
                "invalid character 'x' looking for beginning of value",
                "invalid character '}' looking for beginning of value",
                "invalid character '<v>' looking for beginning of value",
            ),
            (
                "POST https://hooks.example.com/v1/orders/8f14e45f-ceea-467f-a0a9-7b5b2c0e2f11: HTTP 503 Service Unavailable",
                "POST https://hooks.example.com/v1/orders/1b4e28ba-2fa1-11d2-883f-0016d3cca427: HTTP 503 Service Unavailable",
                "POST https://hooks.example.com/v1/orders/<id>: HTTP 503 Service Unavailable",
            ),
            // The endpoint names the failing service: host and path stay, ids go.
            (
                "Post \"https://billing.internal/v1/invoices/48213?attempt=2\": dial tcp 10.0.4.7:443: i/o timeout",
                "Post \"https://billing.internal/v1/invoices/99120?attempt=5\": dial tcp 10.0.4.9:443: i/o timeout",
                "Post \"https://billing.internal/v1/invoices/<id>\": dial tcp <addr>: i/o timeout",
            ),
            (
                "message 1b4e28ba-2fa1-11d2-883f-0016d3cca427 rejected: schema id 4512 not found",
                "message 8f14e45f-ceea-467f-a0a9-7b5b2c0e2f11 rejected: schema id 77 not found",
                "message <uuid> rejected: schema id <n> not found",
            ),
            (
                "context deadline exceeded (Client.Timeout exceeded while awaiting headers) after 30.001s",
                "context deadline exceeded (Client.Timeout exceeded while awaiting headers) after 29.87s",
                "context deadline exceeded (Client.Timeout exceeded while awaiting headers) after <duration>",
            ),
            (
                "trace 4bf92f3577b34da6a3ce929d0e0e4736: upstream reset",
                "trace 00f067aa0ba902b7aa0e4736a3ce929d: upstream reset",
                "trace <hex>: upstream reset",
            ),
        ] {
            assert_eq!(classify(a), class, "{a}");
            assert_eq!(classify(b), class, "{b}");
        }
    }

    #[test]
    fn different_causes_stay_apart() {
        assert_ne!(
            classify("POST /v1/orders: HTTP 503 Service Unavailable"),
            classify("POST /v1/orders: HTTP 401 Unauthorized")
        );
        assert_eq!(
            classify("unexpected status code: 429"),
            "unexpected status code: 429"
        );
        assert_ne!(
            classify("dial tcp 10.0.3.17:9092: connect: connection refused"),
            classify("dial tcp 10.0.3.17:9092: i/o timeout")
        );
        assert_eq!(
            classify("broker said \x1b[31mno\x1b[0m after 30s"),
            "broker said <csi>no<csi> after <duration>"
        );
        assert_eq!(classify(""), "");
        assert_eq!(classify("  spaced\n\tout  "), "spaced out");
        assert!(classify(&"x".repeat(10_000)).chars().count() <= super::MAX_CLASS_CHARS);
    }
}

/// The failed messages of one class.
#[derive(Debug, Clone)]
pub struct ErrorClass {
    pub class: String,
    pub count: i64,
    /// The topics involved, sorted, at most [`MAX_TOPICS`]; `more_topics` counts the rest.
    pub topics: Vec<String>,
    pub more_topics: usize,
    /// `None` only when every message of the class has a NULL `created_at` (a column
    /// that drifted to nullable).
    pub first_created_at: Option<PgTime>,
    pub last_created_at: Option<PgTime>,
    /// The oldest message of the class, with its full error.
    /// `None` when the example's id is NULL (a table whose primary key was dropped).
    pub example_id: Option<uuid::Uuid>,
    pub example_error: String,
}

pub const MAX_TOPICS: usize = 10;
const MAX_TOPICS_TRACKED: usize = 10_000;

/// More distinct classes than this means the normalisation does not fit these errors;
/// the rest are counted under one "(other errors)" class so memory stays bounded.
pub const MAX_CLASSES: usize = 1_000;

/// Failed messages (and, with `include_retrying`, pending ones that failed before) grouped
/// by error class, largest first: one streamed read of the matching rows.
pub fn error_classes(
    tx: &mut Tx<'_>,
    rel: &Rel,
    include_retrying: bool,
    fail: &dyn Fn(tokio_postgres::Error) -> anyhow::Error,
) -> anyhow::Result<Vec<ErrorClass>> {
    let selection = if include_retrying {
        "status OPERATOR(pg_catalog.=) 'failed' OR (status OPERATOR(pg_catalog.=) 'pending' AND retries OPERATOR(pg_catalog.>) 0)"
    } else {
        "status OPERATOR(pg_catalog.=) 'failed'"
    };
    let sql = format!(
        "SELECT id::pg_catalog.uuid, topic::pg_catalog.text, last_error::pg_catalog.text, created_at::pg_catalog.timestamptz
           FROM {} WHERE {selection} ORDER BY created_at, id",
        rel.sql
    );
    let mut classes: HashMap<String, (ErrorClass, BTreeSet<String>)> = HashMap::new();
    tx.for_each_row(&sql, &Params::default(), 0, fail, |row| {
        let id: Option<uuid::Uuid> = row.try_get(0).map_err(fail)?;
        // Columns that drifted to nullable: a NULL topic or error reads as empty, a NULL
        // time is left out of the class's first and last.
        let topic: String = row
            .try_get::<_, Option<String>>(1)
            .map_err(fail)?
            .unwrap_or_default();
        let error: String = row
            .try_get::<_, Option<String>>(2)
            .map_err(fail)?
            .unwrap_or_default();
        let at: Option<PgTime> = row.try_get(3).map_err(fail)?;
        let mut class = classify(&error);
        if !classes.contains_key(&class) && classes.len() >= MAX_CLASSES {
            class = OTHER_CLASS.to_string();
        }
        let entry = classes.entry(class.clone()).or_insert_with(|| {
            (
                ErrorClass {
                    class,
                    count: 0,
                    topics: Vec::new(),
                    more_topics: 0,
                    first_created_at: at,
                    last_created_at: at,
                    example_id: id,
                    example_error: error.clone(),
                },
                BTreeSet::new(),
            )
        });
        entry.0.count += 1;
        // Rows come oldest first: the last one seen is the newest.
        if at.is_some() {
            entry.0.last_created_at = at;
            entry.0.first_created_at = entry.0.first_created_at.or(at);
        }
        // Topics are few in an outbox; the cap only guards against a producer that
        // writes a new one per message.
        if entry.1.len() < MAX_TOPICS_TRACKED {
            entry.1.insert(topic);
        }
        Ok(())
    })?;
    let mut classes: Vec<ErrorClass> = classes
        .into_values()
        .map(|(mut class, topics)| {
            let mut topics: Vec<String> = topics.into_iter().collect();
            if topics.len() > MAX_TOPICS {
                class.more_topics += topics.len() - MAX_TOPICS;
                topics.truncate(MAX_TOPICS);
            }
            class.topics = topics;
            class
        })
        .collect();
    classes.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.class.cmp(&b.class)));
    Ok(classes)
}

/// Where errors go once [`MAX_CLASSES`] classes exist.
pub const OTHER_CLASS: &str = "(other errors: more classes than outboxctl keeps apart)";

#[cfg(test)]
mod corpus {
    use std::collections::{BTreeMap, BTreeSet};

    use super::classify;

    /// Error texts as the Go clients used with the library produce them (sarama,
    /// franz-go, kafka-go, amqp091-go, nats.go, net/http, grpc-go, the AWS SDK v2, pgx,
    /// lib/pq), each labelled with its cause; `tests/corpus/SOURCES.md` says where each
    /// format comes from.
    const CORPUS: &str = include_str!("../../tests/corpus/error_causes.tsv");

    #[test]
    fn classes_are_causes() {
        let mut by_cause: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        let mut lines = 0;
        for line in CORPUS.lines().filter(|l| !l.trim().is_empty()) {
            let (cause, error) = line.split_once('\t').expect("cause<TAB>error");
            by_cause.entry(cause).or_default().insert(classify(error));
            lines += 1;
        }
        assert!(lines >= 200, "the corpus holds {lines} errors");
        let split: Vec<String> = by_cause
            .iter()
            .filter(|(_, classes)| classes.len() > 1)
            .map(|(cause, classes)| format!("{cause} became {classes:#?}"))
            .collect();
        let mut causes_of: BTreeMap<&String, Vec<&str>> = BTreeMap::new();
        for (cause, classes) in &by_cause {
            for class in classes {
                causes_of.entry(class).or_default().push(cause);
            }
        }
        let merged: Vec<String> = causes_of
            .iter()
            .filter(|(_, causes)| causes.len() > 1)
            .map(|(class, causes)| format!("{causes:?} share {class:?}"))
            .collect();
        assert!(
            split.is_empty() && merged.is_empty(),
            "{} causes split, {} classes merged:\n{}\n{}",
            split.len(),
            merged.len(),
            split.join("\n"),
            merged.join("\n")
        );
    }
}
