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

/// Several targets' expositions as one: each family's HELP and TYPE once, then every
/// target's samples of it, each with a `target` label first.
pub fn merge_targets(parts: &[(String, String)]) -> String {
    // Families in the order they first appear: (HELP and TYPE lines, samples).
    let mut families: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    for (target, text) in parts {
        let target = escape_label(target);
        let mut current: Option<usize> = None;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# HELP ") {
                let name = rest.split(' ').next().unwrap_or_default().to_string();
                let at = match families.iter().position(|(n, _, _)| *n == name) {
                    Some(at) => at,
                    None => {
                        families.push((name, vec![line.to_string()], Vec::new()));
                        families.len() - 1
                    }
                };
                current = Some(at);
            } else if line.starts_with("# TYPE ") {
                if let Some(at) = current
                    && families[at].1.len() == 1
                {
                    families[at].1.push(line.to_string());
                }
            } else if !line.is_empty()
                && !line.starts_with('#')
                && let Some(at) = current
            {
                families[at].2.push(with_target(line, &target));
            }
        }
    }
    let mut out = String::new();
    for (_, head, samples) in families {
        for line in head.iter().chain(&samples) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `name{a="b"} 1` as `name{target="t",a="b"} 1`; `name 1` as `name{target="t"} 1`.
fn with_target(sample: &str, target: &str) -> String {
    let end = sample.find(['{', ' ']).unwrap_or(sample.len());
    let (name, rest) = sample.split_at(end);
    match rest.strip_prefix('{') {
        Some(labels) if labels.starts_with('}') => format!("{name}{{target=\"{target}\"{labels}"),
        Some(labels) => format!("{name}{{target=\"{target}\",{labels}"),
        None => format!("{name}{{target=\"{target}\"}}{rest}"),
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

#[cfg(test)]
mod merge {
    use super::*;

    #[test]
    fn families_are_written_once_with_every_targets_samples() {
        let one =
            "# HELP a A.\n# TYPE a gauge\na{status=\"x\"} 1\n# HELP b B.\n# TYPE b gauge\nb 2\n";
        let two =
            "# HELP b B.\n# TYPE b gauge\nb 3\n# HELP a A.\n# TYPE a gauge\na{status=\"y\"} 4\n";
        let merged = merge_targets(&[("db1".into(), one.into()), ("d\"b2".into(), two.into())]);
        assert_eq!(
            merged,
            "# HELP a A.\n# TYPE a gauge\na{target=\"db1\",status=\"x\"} 1\na{target=\"d\\\"b2\",status=\"y\"} 4\n\
             # HELP b B.\n# TYPE b gauge\nb{target=\"db1\"} 2\nb{target=\"d\\\"b2\"} 3\n"
        );
    }
}
