//! The Prometheus text exposition format (what the node_exporter textfile collector and
//! a scrape read): one `# HELP` and `# TYPE` per metric family, then its samples, label
//! values escaped as the format requires.

use std::fmt::Write;

/// One metric family being written: its samples follow its HELP and TYPE lines.
pub struct Exposition {
    text: String,
}

/// A family's samples: label pairs and a value.
pub type Sample<'a> = (Vec<(&'a str, String)>, f64);

impl Exposition {
    pub fn new() -> Self {
        Self {
            text: String::new(),
        }
    }

    /// A gauge family. Families with no samples are left out entirely.
    pub fn gauge(&mut self, name: &str, help: &str, samples: &[Sample<'_>]) {
        if samples.is_empty() {
            return;
        }
        let _ = writeln!(self.text, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.text, "# TYPE {name} gauge");
        for (labels, value) in samples {
            let labels: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
                .collect();
            let _ = writeln!(
                self.text,
                "{name}{} {}",
                if labels.is_empty() {
                    String::new()
                } else {
                    format!("{{{}}}", labels.join(","))
                },
                number(*value)
            );
        }
    }

    pub fn finish(self) -> String {
        self.text
    }
}

impl Default for Exposition {
    fn default() -> Self {
        Self::new()
    }
}

/// A label value: backslash, double quote and line feed escaped, as the format says.
pub fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// HELP text: backslash and line feed escaped.
fn escape_help(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

/// A sample value: integers without a fraction, infinities and NaN spelled as the
/// format spells them.
fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_values_are_written_as_the_format_requires() {
        assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        let mut e = Exposition::new();
        e.gauge(
            "outbox_messages",
            "Messages by status.",
            &[(vec![("status", "pending".into())], 3.0)],
        );
        e.gauge("outbox_unused", "Nothing.", &[]);
        assert_eq!(
            e.finish(),
            "# HELP outbox_messages Messages by status.\n# TYPE outbox_messages gauge\noutbox_messages{status=\"pending\"} 3\n"
        );
        assert_eq!(number(1.5), "1.5");
        assert_eq!(number(f64::INFINITY), "+Inf");
    }
}
