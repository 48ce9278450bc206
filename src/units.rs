//! Durations and ages as people read them (`1d12h`, `3h2m ago`, `infinity`): text every
//! layer writes, so it sits below them all, beside `error`.

use std::time::Duration;

/// A duration in the form `timearg::parse_duration` reads back (`1d12h`, `250ms`, `0s`).
pub fn format_duration(duration: Duration) -> String {
    let mut rest = duration.as_millis();
    let mut text = String::new();
    for (unit, size) in [
        ("w", 604_800_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ] {
        if rest >= size {
            text.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    if text.is_empty() {
        text.push_str("0s");
    }
    text
}

/// A duration as a compact human string (`3d4h`, `12m5s`, `0s`).
pub fn humanize(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let mut rest = seconds.unsigned_abs();
    let mut parts = Vec::new();
    // Two units from the largest that is not zero, the second even when it is zero:
    // `30d0h`, never `30d35s` (which reads as minutes).
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= size || !parts.is_empty() || unit == "s" {
            parts.push(format!("{}{unit}", rest / size));
            rest %= size;
        }
        if parts.len() == 2 {
            break;
        }
    }
    format!("{sign}{}", parts.join(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::timearg::parse_duration;

    #[test]
    fn formatted_durations_parse_back() {
        for text in ["0s", "250ms", "1w2d3h4m5s6ms", "90s"] {
            let d = parse_duration(text).unwrap();
            assert_eq!(parse_duration(&format_duration(d)).unwrap(), d);
        }
        assert_eq!(format_duration(Duration::from_secs(36 * 3600)), "1d12h");
    }

    #[test]
    fn humanized() {
        assert_eq!(humanize(0), "0s");
        assert_eq!(humanize(3725), "1h2m");
        assert_eq!(humanize(90061), "1d1h");
        assert_eq!(humanize(59), "59s");
        assert_eq!(humanize(30 * 86_400 + 35), "30d0h");
        assert_eq!(humanize(2 * 3600 + 22), "2h0m");
    }
}
