//! `stats` and `doctor` on several targets at once: every `-d` given, and every service of the libpq
//! service file matching `--service`. They are read concurrently, each on its own
//! connection; a target that is down costs its own `--connect-timeout` and no one
//! else's, and is reported with its error instead of ending the run.

use serde_json::{Value, json};

use super::stats::{Gathered, gather, single_json};
use crate::cli::StatsArgs;
use crate::context::Context;
use crate::error::{negative, usage};
use crate::render::layout::{Column, StreamTable, output_width};
use crate::render::output::{Format, print_json, print_json_line, print_text};
use crate::units::humanize;

/// A target of a run over several: how it is named, and how to reach it.
pub struct Named {
    pub label: String,
    pub conninfo: String,
}

/// The targets when several are asked for (more than one `-d`, or any `--service`);
/// empty for the ordinary single-target run.
pub fn many_targets(ctx: &Context, services: &[String]) -> anyhow::Result<Vec<Named>> {
    if ctx.database_urls().len() <= 1 && services.is_empty() {
        return Ok(Vec::new());
    }
    let mut targets = Vec::new();
    for (i, url) in ctx.database_urls().iter().enumerate() {
        let label = ctx
            .for_database(url)
            .describe_target()
            .unwrap_or_else(|_| format!("target {} (-d)", i + 1));
        targets.push(Named {
            label,
            conninfo: url.clone(),
        });
    }
    let defined = crate::db::conninfo::service_names(|var| std::env::var(var).ok())?;
    for pattern in services {
        let matched: Vec<&String> = defined
            .iter()
            .filter(|name| glob_matches(pattern, name))
            .collect();
        if matched.is_empty() {
            return Err(usage(format!(
                "no service in the service files matches {pattern:?} (services: {})",
                if defined.is_empty() {
                    "none".to_string()
                } else {
                    defined.join(", ")
                }
            )));
        }
        for name in matched {
            if targets
                .iter()
                .any(|t| t.conninfo == format!("service={name}"))
            {
                continue;
            }
            targets.push(Named {
                label: format!("service {name}"),
                conninfo: format!("service={name}"),
            });
        }
    }
    Ok(targets)
}

/// `*` any run of characters, `?` one character; everything else literal.
fn glob_matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

pub fn run_many(ctx: &Context, args: &StatsArgs, targets: Vec<Named>) -> anyhow::Result<()> {
    if ctx.out.format == Format::Prometheus {
        return Err(usage(
            "--format prometheus takes one target (one scrape per database): drop the extra -d / --service",
        ));
    }
    let results = each_target(ctx, &targets, |target| gather(target, args));

    let objects: Vec<Value> = results
        .iter()
        .map(|(label, result)| match result {
            Ok(g) => {
                let mut object = json!({"target": label, "ok": true});
                if let (Value::Object(map), Value::Object(figures)) =
                    (&mut object, single_json(ctx, args, g))
                {
                    map.extend(figures);
                }
                object
            }
            Err(e) => {
                json!({"target": label, "ok": false, "error": crate::db::errors::one_line(e)})
            }
        })
        .collect();
    let printed = match ctx.out.format {
        Format::Json => print_json(&Value::Array(objects)),
        Format::Ndjson => objects.iter().try_for_each(print_json_line),
        _ => print_text(table(&results, args)),
    };
    let breached = results
        .iter()
        .filter(|(_, r)| r.as_ref().is_ok_and(|g| !g.breaches.is_empty()))
        .count();
    let answer = answer(
        &results,
        "read",
        breached,
        format!(
            "thresholds breached on {breached} of {} targets",
            results.len()
        ),
    );
    crate::error::answer_after_output(printed, answer)
}

/// Runs `work` on every target at once, each with its own options (and so its own
/// connection), and gives back the results in the targets' order, named.
pub fn each_target<T: Send>(
    ctx: &Context,
    targets: &[Named],
    work: impl Fn(&Context) -> anyhow::Result<T> + Sync,
) -> Vec<(String, anyhow::Result<T>)> {
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = targets
            .iter()
            .map(|t| {
                let target_ctx = ctx.for_database(&t.conninfo);
                scope.spawn(move || work(&target_ctx))
            })
            .collect();
        targets
            .iter()
            .zip(handles)
            .map(|(t, h)| {
                let result = h.join().unwrap_or_else(|_| {
                    Err(anyhow::anyhow!("the thread for this target panicked"))
                });
                (t.label.clone(), result)
            })
            .collect()
    })
}

/// The exit of a run over several targets: 1 when any could not be `verb`ed (all named),
/// else 3 with `negative_message` when `unhealthy` of them found something, else 0.
pub fn answer<T>(
    results: &[(String, anyhow::Result<T>)],
    verb: &str,
    unhealthy: usize,
    negative_message: String,
) -> anyhow::Result<()> {
    let failed: Vec<String> = results
        .iter()
        .filter_map(|(label, r)| {
            r.as_ref()
                .err()
                .map(|e| format!("{label}: {}", crate::db::errors::one_line(e)))
        })
        .collect();
    if !failed.is_empty() {
        Err(anyhow::anyhow!(
            "{} of {} targets could not be {verb}: {}",
            failed.len(),
            results.len(),
            failed.join("; ")
        ))
    } else if unhealthy > 0 {
        Err(negative(negative_message))
    } else {
        Ok(())
    }
}

/// One row per target: its counts, or its error.
fn table(results: &[(String, anyhow::Result<Gathered>)], args: &StatsArgs) -> String {
    let columns = vec![
        Column {
            drop_order: None,
            ..Column::text("target", 1, 0)
        },
        Column::number("total", 3),
        Column::number("pending", 9),
        Column::number("processing", 4),
        Column::number("stuck", 5),
        Column::number("failed", 8),
        Column::whole("oldest pending"),
        Column::text("note", 0, 6),
    ];
    let mut buffer = Vec::new();
    let mut out = StreamTable::new(columns, &mut buffer, output_width(), false);
    for (label, result) in results {
        let row = match result {
            Ok(g) => {
                let s = &g.stats;
                let mark = |status: &str, n: i64| {
                    if s.estimated && status != "pending" {
                        format!("~{n}")
                    } else {
                        n.to_string()
                    }
                };
                vec![
                    label.clone(),
                    mark("total", s.by_status.total()),
                    s.by_status.get("pending").to_string(),
                    mark("processing", s.by_status.get("processing")),
                    s.stuck_processing
                        .map_or("?".to_string(), |n| n.to_string()),
                    mark("failed", s.by_status.get("failed")),
                    match (s.oldest_pending, s.oldest_pending_age_seconds) {
                        (Some(at), _) if !at.is_finite() => at.human(),
                        (_, Some(age)) => humanize(age as i64),
                        _ => String::new(),
                    },
                    g.breaches
                        .iter()
                        .map(|b| format!("BREACHED: {}", b.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                ]
            }
            Err(e) => vec![
                label.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                format!("error: {}", crate::db::errors::one_line(e)),
            ],
        };
        let _ = out.push(row);
    }
    let _ = out.finish();
    let _ = args;
    String::from_utf8_lossy(&buffer).trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn globs_match_service_names() {
        assert!(glob_matches("orders", "orders"));
        assert!(glob_matches("orders-*", "orders-eu"));
        assert!(glob_matches("*", "anything"));
        assert!(glob_matches("o?ders", "orders"));
        assert!(!glob_matches("orders-*", "billing"));
        assert!(!glob_matches("orders", "orders-eu"));
    }
}
