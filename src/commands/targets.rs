//! Running a command over several targets at once (`stats`, `doctor`): every `-d`
//! given, and every service of the libpq service file matching `--service`. They are read concurrently, each on its own
//! connection; a target that is down costs its own `--connect-timeout` and no one
//! else's, and is reported with its error instead of ending the run.

use crate::context::Context;
use crate::error::{negative, usage};

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
