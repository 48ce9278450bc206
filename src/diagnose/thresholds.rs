//! The doctor's thresholds: a default for each, changed with `--threshold ID=VALUE`,
//! where VALUE is read as what the threshold measures (a duration, a count, a ratio or a
//! size).

use std::collections::BTreeMap;

use crate::diagnose::CHECKS;
use crate::render::output::human_size;
use crate::units::format_duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Stored in seconds.
    Duration,
    Count,
    /// A share (`0.2` or `20%`), or a multiple (`1.2`).
    Ratio,
    /// Stored in bytes.
    Size,
}

impl Measure {
    pub fn name(self) -> &'static str {
        match self {
            Measure::Duration => "duration",
            Measure::Count => "count",
            Measure::Ratio => "ratio",
            Measure::Size => "size",
        }
    }
}

/// One threshold: `key` is the check's id, or `id.name` for a check's second figure.
#[derive(Debug)]
pub struct Threshold {
    pub key: &'static str,
    pub measure: Measure,
    pub default: f64,
    /// What crossing it means, for `doctor --list` and docs/commands/doctor.md.
    pub about: &'static str,
}

impl Threshold {
    pub fn show(&self, value: f64) -> String {
        show(self.measure, value)
    }
}

pub fn show(measure: Measure, value: f64) -> String {
    match measure {
        Measure::Duration => format_duration(std::time::Duration::from_secs_f64(value.max(0.0))),
        Measure::Count => crate::diagnose::grouped(value as i64),
        Measure::Ratio => {
            let text = format!("{value:.3}");
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        Measure::Size => human_size(value as i64),
    }
}

/// The thresholds in force: every default, with the user's changes.
#[derive(Debug, Clone)]
pub struct Thresholds(BTreeMap<&'static str, (Measure, f64)>);

impl Thresholds {
    /// Reads `--threshold ID=VALUE` arguments; an unknown id or a value that is not
    /// what the threshold measures is a usage error naming the choices.
    pub fn parse(overrides: &[String]) -> anyhow::Result<Self> {
        let mut values: BTreeMap<&'static str, (Measure, f64)> = CHECKS
            .iter()
            .flat_map(|c| c.thresholds)
            .map(|t| (t.key, (t.measure, t.default)))
            .collect();
        for item in overrides {
            let Some((key, value)) = item.split_once('=') else {
                return Err(crate::error::usage(format!(
                    "--threshold takes ID=VALUE, e.g. xmin-sessions=10m (got {item:?})"
                )));
            };
            let key = key.trim();
            let Some((known, (measure, slot))) = values.iter_mut().find(|(k, _)| **k == key) else {
                let keys: Vec<&str> = CHECKS
                    .iter()
                    .flat_map(|c| c.thresholds)
                    .map(|t| t.key)
                    .collect();
                return Err(crate::error::usage(format!(
                    "--threshold: no threshold {key:?}; thresholds are {} (outboxctl doctor --list)",
                    keys.join(", ")
                )));
            };
            *slot = parse_value(*measure, value.trim())
                .map_err(|e| crate::error::usage(format!("--threshold {known}: {e}")))?;
        }
        Ok(Self(values))
    }

    pub fn get(&self, key: &str) -> f64 {
        self.0
            .get(key)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("threshold {key} is not registered"))
    }

    pub fn show(&self, key: &str) -> String {
        let (measure, value) = self.0[key];
        show(measure, value)
    }
}

fn parse_value(measure: Measure, text: &str) -> Result<f64, String> {
    match measure {
        Measure::Duration => crate::tables::timearg::parse_duration(text).map(|d| d.as_secs_f64()),
        Measure::Count => text
            .replace('_', "")
            .parse::<u64>()
            .map(|n| n as f64)
            .map_err(|_| format!("{text:?} is not a count (a whole number like 10000)")),
        Measure::Ratio => {
            let (number, scale) = match text.strip_suffix('%') {
                Some(n) => (n.trim(), 100.0),
                None => (text, 1.0),
            };
            // Most ratios are shares (0 to 1); wraparound's is a multiple and may pass 1.
            match number.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Ok(v / scale),
                _ => Err(format!(
                    "{text:?} is not a ratio (a number like 0.2, or 20%)"
                )),
            }
        }
        Measure::Size => parse_size(text),
    }
}

/// `1GiB`, `512MB`, `8kB`, `1048576`: units as PostgreSQL reads them (powers of 1024).
fn parse_size(text: &str) -> Result<f64, String> {
    let invalid = || format!("{text:?} is not a size (like 512MiB, 1GiB or 1048576 bytes)");
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let number: f64 = text[..split].parse().map_err(|_| invalid())?;
    let unit = text[split..].trim();
    let scale: f64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(invalid()),
    };
    if !number.is_finite() {
        return Err(invalid());
    }
    Ok((number * scale).round())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_as_what_each_threshold_measures() {
        assert_eq!(parse_value(Measure::Duration, "90s"), Ok(90.0));
        assert_eq!(parse_value(Measure::Duration, "250ms"), Ok(0.25));
        assert_eq!(parse_value(Measure::Count, "1_000_000"), Ok(1e6));
        assert_eq!(parse_value(Measure::Ratio, "0.2"), Ok(0.2));
        assert_eq!(parse_value(Measure::Ratio, "20%"), Ok(0.2));
        assert_eq!(parse_value(Measure::Ratio, "1.5"), Ok(1.5));
        assert_eq!(parse_value(Measure::Ratio, "120%"), Ok(1.2));
        assert!(parse_value(Measure::Ratio, "-0.1").is_err());
        assert!(parse_value(Measure::Count, "1,0,0").is_err());
        assert!(parse_value(Measure::Ratio, "NaN").is_err());
        assert_eq!(parse_value(Measure::Size, "1GiB"), Ok(1073741824.0));
        assert_eq!(parse_value(Measure::Size, "8 MB"), Ok(8388608.0));
        assert_eq!(parse_value(Measure::Size, "4096"), Ok(4096.0));
        assert!(parse_value(Measure::Size, "lots").is_err());
        assert!(parse_value(Measure::Count, "-1").is_err());
    }

    #[test]
    fn unknown_ids_and_bad_values_are_refused() {
        assert!(Thresholds::parse(&["nope=1".into()]).is_err());
        assert!(Thresholds::parse(&["xmin-sessions".into()]).is_err());
        assert!(Thresholds::parse(&["xmin-sessions=often".into()]).is_err());
        let t = Thresholds::parse(&["xmin-sessions=30s".into(), "bloat=0.3".into()]).unwrap();
        assert_eq!(t.get("xmin-sessions"), 30.0);
        assert_eq!(t.get("bloat"), 0.3);
        assert_eq!(t.show("xmin-slots"), "1.0 GiB");
    }
}
