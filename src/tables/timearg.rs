//! Time arguments (`--before`, `--after`, thresholds, timeouts): a duration meaning "that
//! long ago", an RFC 3339 timestamp, or a date at midnight UTC (ARCHITECTURE.md §5).

use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use crate::db::sql::Params;

/// Longest duration accepted: far beyond any retention window, well inside the range of
/// PostgreSQL intervals and timestamps, so arithmetic on it never overflows.
const MAX_DURATION_SECS: u64 = 1000 * 366 * 86_400;

/// A point in time as the user gave it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeArg {
    /// That long before the database server's `now()`.
    Ago(Duration),
    /// An absolute instant.
    At(DateTime<Utc>),
    /// A wall-clock time with no zone, read in the database server's `TimeZone` (as
    /// PostgreSQL reads `'2026-11-27 10:00'::timestamptz`).
    ServerLocal(NaiveDateTime),
}

impl std::str::FromStr for TimeArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.is_empty() {
            return Err("empty time: give a duration like 7d, a date like 2026-11-01, or an RFC 3339 timestamp".into());
        }
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(TimeArg::At(at.with_timezone(&Utc)));
        }
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
            return Ok(TimeArg::At(midnight.and_utc()));
        }
        if let Some(at) = parse_postgres_timestamp(text) {
            return Ok(at);
        }
        if text.as_bytes()[0].is_ascii_digit()
            && text.contains(|c: char| c.is_ascii_alphabetic())
            && !text.contains(['-', ':'])
        {
            return parse_duration(text).map(TimeArg::Ago);
        }
        Err(format!(
            "invalid time {text:?}: give a duration like 90s, 15m, 36h, 7d, 2w or 1d12h, a date like 2026-11-01, or a timestamp like 2026-11-01T12:00:00Z or '2026-11-01 12:00' (no zone: the server's time zone)"
        ))
    }
}

/// A timestamp the way psql prints one and PostgreSQL reads one: `2026-11-27 10:00`,
/// `2026-11-27T10:00:05.5`, with an optional zone (`Z`, `+00`, `+05:30`, `-0300`).
fn parse_postgres_timestamp(text: &str) -> Option<TimeArg> {
    let (date, rest) = text.split_at_checked(10)?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let rest = rest.strip_prefix([' ', 'T'])?;
    let zone_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (time, zone) = rest.split_at(zone_at);
    let time = time.trim_end();
    let time = NaiveTime::parse_from_str(time, "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(time, "%H:%M"))
        .ok()?;
    let local = date.and_time(time);
    if zone.is_empty() {
        return Some(TimeArg::ServerLocal(local));
    }
    let offset = parse_offset(zone)?;
    let at = local.and_local_timezone(offset).single()?;
    Some(TimeArg::At(at.with_timezone(&Utc)))
}

fn parse_offset(zone: &str) -> Option<FixedOffset> {
    if zone.eq_ignore_ascii_case("z") {
        return FixedOffset::east_opt(0);
    }
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if hours > 15 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

impl TimeArg {
    /// The instant itself: a duration is measured back from the server's `now()`, a
    /// zone-less time read in the server's time zone.
    pub fn resolve(
        self,
        tx: &mut crate::db::session::Tx<'_>,
    ) -> Result<TimeArg, tokio_postgres::Error> {
        match self {
            TimeArg::At(_) => Ok(self),
            TimeArg::Ago(_) | TimeArg::ServerLocal(_) => {
                let mut params = Params::default();
                let expr = self.to_sql(&mut params);
                let at = tx
                    .query_one(&format!("SELECT {expr}"), &params)?
                    .try_get(0)?;
                Ok(TimeArg::At(at))
            }
        }
    }

    /// The SQL expression for this instant, its value bound in `params`. Durations are
    /// measured on the database server's clock.
    pub fn to_sql(&self, params: &mut Params) -> String {
        match self {
            TimeArg::Ago(d) => {
                let ms = params.push(d.as_millis() as f64);
                format!(
                    "(pg_catalog.now() OPERATOR(pg_catalog.-) ({ms}::pg_catalog.float8 OPERATOR(pg_catalog.*) interval '1 millisecond'))"
                )
            }
            TimeArg::At(t) => format!("{}::pg_catalog.timestamptz", params.push(*t)),
            TimeArg::ServerLocal(local) => format!(
                "({} AT TIME ZONE pg_catalog.current_setting('TimeZone'))",
                params.push(*local)
            ),
        }
    }
}

/// Parses `90s`, `15m`, `36h`, `7d`, `2w`, `500ms` and combinations such as `1d12h`.
/// Every part needs a unit, so a bare `0` or `5` is refused rather than guessed at.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || {
        format!(
            "invalid duration {text:?}: use a number and a unit (ms, s, m, h, d, w), e.g. 90s, 15m, 7d or 1d12h"
        )
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid());
    }
    let mut total_ms: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(invalid());
        }
        let number: u64 = rest[..digits].parse().map_err(|_| too_large(text))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit_ms: u64 = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 7 * 86_400_000,
            _ => return Err(invalid()),
        };
        rest = &rest[unit_len..];
        total_ms = number
            .checked_mul(unit_ms)
            .and_then(|ms| total_ms.checked_add(ms))
            .ok_or_else(|| too_large(text))?;
    }
    if total_ms > MAX_DURATION_SECS * 1000 {
        return Err(too_large(text));
    }
    Ok(Duration::from_millis(total_ms))
}

fn too_large(text: &str) -> String {
    format!("duration {text:?} is too large (at most 1000 years)")
}

/// Fixes the cutoff once, on the server's clock, so every batch uses the same instant.
/// A cutoff in the future would delete messages processed a moment ago: refused.
pub fn resolve_past_cutoff(
    tx: &mut crate::db::session::Tx<'_>,
    before: &TimeArg,
) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    let mut params = Params::default();
    let expr = before.to_sql(&mut params);
    let row = tx
        .query_one(
            &format!("SELECT {expr}, {expr} OPERATOR(pg_catalog.>) pg_catalog.now()"),
            &params,
        )
        .map_err(|e| {
            anyhow::anyhow!(
                "resolving --before failed: {}",
                crate::db::errors::describe_pg_error(&e)
            )
        })?;
    let cutoff: chrono::DateTime<chrono::Utc> = row.get(0);
    if row.get::<_, bool>(1) {
        return Err(crate::error::usage(format!(
            "--before {} is in the future: purge only deletes what is older than a past instant",
            crate::db::pgtime::PgTime::from_chrono(cutoff).rfc3339()
        )));
    }
    Ok(cutoff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(
            parse_duration("1d12h").unwrap(),
            Duration::from_secs(36 * 3600)
        );
        assert_eq!(
            parse_duration("2w").unwrap(),
            Duration::from_secs(14 * 86400)
        );
        assert_eq!(parse_duration("0s").unwrap(), Duration::ZERO);
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        for bad in [
            "",
            "0",
            "7x",
            "-5d",
            "d",
            "1.5h",
            "999999999999d",
            "99999999999999999999999s",
            "1d 2h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn time_args() {
        assert_eq!(
            "7d".parse::<TimeArg>().unwrap(),
            TimeArg::Ago(Duration::from_secs(7 * 86400))
        );
        let TimeArg::At(t) = "2026-11-01".parse::<TimeArg>().unwrap() else {
            panic!()
        };
        assert_eq!(t.to_rfc3339(), "2026-11-01T00:00:00+00:00");
        let TimeArg::At(t) = "2026-11-01T12:00:00+02:00".parse::<TimeArg>().unwrap() else {
            panic!()
        };
        assert_eq!(t.to_rfc3339(), "2026-11-01T10:00:00+00:00");
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-11-01T25:00:00Z",
            "7x",
            "0",
            "-5d",
        ] {
            assert!(bad.parse::<TimeArg>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn timestamps_as_psql_prints_them() {
        let at = |text: &str| match text.parse::<TimeArg>().unwrap() {
            TimeArg::At(t) => t.to_rfc3339(),
            other => format!("{other:?}"),
        };
        assert_eq!(at("2026-11-27 10:00+00"), "2026-11-27T10:00:00+00:00");
        assert_eq!(
            at("2026-11-27T10:00:05.5+05:30"),
            "2026-11-27T04:30:05.500+00:00"
        );
        assert_eq!(at("2026-11-27 10:00-0300"), "2026-11-27T13:00:00+00:00");
        assert_eq!(at("2026-11-27 10:00Z"), "2026-11-27T10:00:00+00:00");
        assert!(matches!(
            "2026-11-27 10:00".parse::<TimeArg>().unwrap(),
            TimeArg::ServerLocal(_)
        ));
        assert!(matches!(
            "2026-11-27T10:00:30".parse::<TimeArg>().unwrap(),
            TimeArg::ServerLocal(_)
        ));
        for bad in [
            "2026-11-27 25:00",
            "2026-11-27 10:00+99",
            "2026-11-27 10",
            "2026-11-27x10:00",
        ] {
            assert!(bad.parse::<TimeArg>().is_err(), "{bad:?} accepted");
        }
    }
}
