//! Timestamps as PostgreSQL keeps them: microseconds from 2000-01-01 UTC, plus
//! `infinity` and `-infinity`, over a range (4713 BC to 294276 AD) wider than chrono's.
//! Any stored value reads, prints and compares; none makes a command fail.

use chrono::{DateTime, Utc};
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

/// Microseconds from the Unix epoch to PostgreSQL's (2000-01-01).
const PG_EPOCH_UNIX_MICROS: i64 = 946_684_800_000_000;
const MICROS_PER_DAY: i64 = 86_400_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PgTime {
    NegInfinity,
    /// Microseconds since 2000-01-01 00:00:00 UTC.
    At(i64),
    Infinity,
}

impl PgTime {
    pub fn from_chrono(t: DateTime<Utc>) -> Self {
        PgTime::At(t.timestamp_micros() - PG_EPOCH_UNIX_MICROS)
    }

    pub fn is_finite(self) -> bool {
        matches!(self, PgTime::At(_))
    }

    /// RFC 3339 in UTC with microseconds for finite values (years outside 0000–9999 in
    /// ISO 8601's expanded form), `infinity` / `-infinity` otherwise.
    pub fn rfc3339(self) -> String {
        self.format(true)
    }

    /// For people: `2026-11-27 10:04:05Z`, to the second.
    pub fn human(self) -> String {
        self.format(false)
    }

    fn format(self, micros: bool) -> String {
        let pg_micros = match self {
            PgTime::NegInfinity => return "-infinity".to_string(),
            PgTime::Infinity => return "infinity".to_string(),
            PgTime::At(m) => m,
        };
        let unix = i128::from(pg_micros) + i128::from(PG_EPOCH_UNIX_MICROS);
        let day_micros = i128::from(MICROS_PER_DAY);
        let days = unix.div_euclid(day_micros) as i64;
        let of_day = unix.rem_euclid(day_micros) as i64;
        let (year, month, day) = civil_from_days(days);
        let seconds = of_day / 1_000_000;
        let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
        let year = if (0..=9999).contains(&year) {
            format!("{year:04}")
        } else {
            format!("{year:+05}")
        };
        if micros {
            format!(
                "{year}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{:06}Z",
                of_day % 1_000_000
            )
        } else {
            format!("{year}-{month:02}-{day:02} {h:02}:{m:02}:{s:02}Z")
        }
    }

    /// The instant with how long ago it was, for people: `2026-11-27 10:04:05Z (3h2m
    /// ago)`; an infinite one alone (`infinity`, `-infinity`).
    pub fn when(self, now: PgTime) -> String {
        match self.seconds_before(now) {
            Some(secs) if secs < 0.0 => format!(
                "{} (in {})",
                self.human(),
                crate::units::humanize((-secs).ceil() as i64)
            ),
            Some(_) => format!("{} ({} ago)", self.human(), self.age(now)),
            None => self.human(),
        }
    }

    /// How long before `now` the instant was, for people: `3d4h`, or what an infinite
    /// timestamp means.
    pub fn age(self, now: PgTime) -> String {
        match (self, self.seconds_before(now)) {
            (PgTime::NegInfinity, _) => "infinite".to_string(),
            (PgTime::Infinity, _) => "never (infinity)".to_string(),
            (_, Some(secs)) if secs < 0.0 => {
                format!("in {}", crate::units::humanize((-secs).ceil() as i64))
            }
            (_, Some(secs)) => crate::units::humanize(secs.floor() as i64),
            (_, None) => "unknown".to_string(),
        }
    }

    /// Seconds from this instant to `now`; `None` when either is infinite.
    pub fn seconds_before(self, now: PgTime) -> Option<f64> {
        match (self, now) {
            (PgTime::At(t), PgTime::At(n)) => Some((n - t) as f64 / 1e6),
            _ => None,
        }
    }
}

/// Howard Hinnant's days-to-civil: the proleptic Gregorian date of a day number counted
/// from 1970-01-01, valid for every value PostgreSQL can store.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl<'a> FromSql<'a> for PgTime {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        let micros = postgres_protocol::types::timestamp_from_sql(raw)?;
        Ok(match micros {
            i64::MAX => PgTime::Infinity,
            i64::MIN => PgTime::NegInfinity,
            m => PgTime::At(m),
        })
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::TIMESTAMPTZ | Type::TIMESTAMP)
    }
}

impl ToSql for PgTime {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut tokio_postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        let micros = match *self {
            PgTime::NegInfinity => i64::MIN,
            PgTime::At(m) => m,
            PgTime::Infinity => i64::MAX,
        };
        postgres_protocol::types::timestamp_to_sql(micros, out);
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TIMESTAMPTZ
    }

    to_sql_checked!();
}

impl crate::db::sql::Bind for PgTime {
    fn pg_type() -> Type {
        Type::TIMESTAMPTZ
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_every_storable_value() {
        assert_eq!(PgTime::At(0).rfc3339(), "2000-01-01T00:00:00.000000Z");
        assert_eq!(PgTime::At(-1).rfc3339(), "1999-12-31T23:59:59.999999Z");
        assert_eq!(PgTime::Infinity.rfc3339(), "infinity");
        assert_eq!(PgTime::NegInfinity.human(), "-infinity");
        let t: DateTime<Utc> = "2026-11-27T10:04:05.123456Z".parse().unwrap();
        assert_eq!(
            PgTime::from_chrono(t).rfc3339(),
            "2026-11-27T10:04:05.123456Z"
        );
        assert_eq!(PgTime::from_chrono(t).human(), "2026-11-27 10:04:05Z");
        let far = PgTime::At(i64::MAX - 1).rfc3339();
        assert_eq!(far, "+294277-01-09T04:00:54.775806Z");
        assert!(PgTime::NegInfinity < PgTime::At(i64::MIN + 1));
        assert_eq!(
            PgTime::At(0).seconds_before(PgTime::At(90_000_000)),
            Some(90.0)
        );
        assert_eq!(PgTime::Infinity.seconds_before(PgTime::At(0)), None);
        // Future instants are "in", not negative ages.
        assert_eq!(
            PgTime::At(90_000_000).when(PgTime::At(0)),
            "2000-01-01 00:01:30Z (in 1m30s)"
        );
        assert_eq!(PgTime::NegInfinity.when(PgTime::At(0)), "-infinity");
    }

    #[test]
    fn far_dates() {
        // 4713-11-24 BC (astronomical year -4712) is PostgreSQL's first day.
        let days_1970_to_first = -2_440_588;
        assert_eq!(civil_from_days(days_1970_to_first), (-4713, 11, 24));
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }
}
