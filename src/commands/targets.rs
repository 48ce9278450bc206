//! Running a command over several targets at once (`stats`, `doctor`): every `-d`
//! given, and every service of the libpq service file matching `--service`. They are read concurrently, each on its own
//! connection; a target that is down costs its own `--connect-timeout` and no one
//! else's, and is reported with its error instead of ending the run.

use serde_json::Value;

use crate::context::Context;
use crate::error::{negative, usage};
use crate::render::output::{
    Format, Summaries, json_value, print_json, print_record, print_records,
};

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

/// One target of a change run over several: its summary, or why there is none.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetSummary {
    /// How the target was named: `user@host:port/dbname`, or `service NAME`.
    pub target: String,
    /// The run on this target finished without an error.
    pub ok: bool,
    /// The command's own summary, when it got that far: a mutation's (the schema), or
    /// `partition maintain`'s (docs/schema/partition-maintain.schema.json).
    #[serde(flatten)]
    #[schemars(with = "Option<crate::batch::engine::SummaryRecord>")]
    pub summary: Option<serde_json::Map<String, serde_json::Value>>,
    /// Why the run failed, or `not run (--fail-fast)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Runs a change on every target asked for (repeated `-d`, `--service` patterns), one
/// after another, each as its own run with its own summary: a target that fails is
/// reported and the others still run, unless `--fail-fast`; a signal stops the run
/// after the target in flight. The exit is the worst: interrupted, else failed. With
/// one target, it is simply that target's run.
pub fn run_each(
    ctx: &Context,
    args: &crate::cli::TargetsArgs,
    run: impl Fn(&Context) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let targets = many_targets(ctx, &args.service)?;
    if targets.is_empty() {
        return run(ctx);
    }
    let kept = Summaries::default();
    let mut reports = Vec::new();
    let mut failed = Vec::new();
    let mut interrupted = None;
    for (i, target) in targets.iter().enumerate() {
        if crate::batch::signals::stop_requested() || (args.fail_fast && !failed.is_empty()) {
            let why = if interrupted.is_some() {
                "not run (interrupted)"
            } else {
                "not run (--fail-fast)"
            };
            reports.push(TargetSummary {
                target: target.label.clone(),
                ok: false,
                summary: None,
                error: Some(why.to_string()),
            });
            continue;
        }
        let mut target_ctx = ctx.for_database(&target.conninfo);
        if ctx.out.format.is_machine() {
            target_ctx.out.summaries = Some(kept.clone());
        } else {
            ctx.out.note(format!(
                "target {} of {}: {}",
                i + 1,
                targets.len(),
                crate::render::output::escape(&target.label)
            ));
        }
        let result = run(&target_ctx);
        let summary = kept.take().pop();
        let error = result.as_ref().err().map(crate::db::errors::one_line);
        if let Err(err) = &result {
            if crate::error::exit_code(err) == crate::error::exit::INTERRUPTED {
                interrupted = Some(error.clone().unwrap_or_default());
            } else {
                failed.push(format!(
                    "{}: {}",
                    target.label,
                    error.clone().unwrap_or_default()
                ));
            }
            if !ctx.out.format.is_machine() {
                crate::render::output::stderr_line(&format!(
                    "outboxctl: {}: {}",
                    crate::render::output::escape(&target.label),
                    crate::render::output::escape(error.as_deref().unwrap_or_default())
                ));
            }
        }
        reports.push(TargetSummary {
            target: target.label.clone(),
            ok: result.is_ok(),
            summary,
            error,
        });
    }
    if ctx.out.format.is_machine() {
        let records: Vec<Value> = reports.iter().map(|r| json_value(&r)).collect();
        match ctx.out.format {
            Format::Json => print_json(&Value::Array(records))?,
            Format::Csv => print_records(
                Format::Csv,
                &Value::Null,
                &records,
                &[
                    "target",
                    "ok",
                    "matched",
                    "changed",
                    "skipped",
                    "batches",
                    "dry_run",
                    "interrupted",
                    "longest_batch_ms",
                    "error",
                ],
            )?,
            _ => {
                for record in &records {
                    if let Value::Object(map) = record {
                        print_record(ctx.out.format, map)?;
                    }
                }
            }
        }
    }
    if let Some(why) = interrupted {
        return Err(crate::error::interrupted(format!(
            "{why}; the targets after it were not run"
        )));
    }
    if !failed.is_empty() {
        anyhow::bail!(
            "{} of {} targets failed: {}",
            failed.len(),
            reports.len(),
            failed.join("; ")
        );
    }
    Ok(())
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
