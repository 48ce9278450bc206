//! `outboxctl doctor`: runs the checks of `diagnose` and prints one line per check, the
//! evidence for what is wrong, and the fix to paste. Exit 3 when a check warns or fails.

use serde_json::{Value, json};

use crate::cli::DoctorArgs;
use crate::context::Context;
use crate::diagnose::report::{DoctorReport, TargetDoctorReport, TargetReport};
use crate::diagnose::{self, CHECKS, Options, Report, Status, Thresholds};
use crate::error::{answer_after_output, negative, usage};
use crate::render::output::{
    Format, count_of, escape, json_value, pasteable, print_json, print_json_line, print_text,
};

pub fn run(ctx: &Context, args: &DoctorArgs) -> anyhow::Result<()> {
    let thresholds = Thresholds::parse(&args.threshold)?;
    if matches!(ctx.out.format, Format::Csv) {
        return Err(usage(
            "doctor has no csv form (its findings are nested): use --format json or ndjson",
        ));
    }
    if args.list {
        return list(ctx, &thresholds);
    }
    let selected: Vec<&'static str> = CHECKS
        .iter()
        .map(|c| c.id)
        .filter(|id| args.only.is_empty() || args.only.iter().any(|o| o == id))
        .filter(|id| !args.skip.iter().any(|s| s == id))
        .collect();
    if selected.is_empty() {
        return Err(usage("--skip leaves no check to run"));
    }
    let targets = super::targets::many_targets(ctx, &args.service)?;
    if !targets.is_empty() {
        return run_many(ctx, args, &thresholds, &selected, targets);
    }
    let (report, target, schema) = examine(ctx, args, thresholds, selected)?;
    let printed = match ctx.out.format {
        Format::Json => print_json(&to_json(&report, &target, schema.as_deref())),
        Format::Ndjson => print_json_line(&to_json(&report, &target, schema.as_deref())),
        _ => print_text(render(ctx, &report, &target, schema.as_deref())),
    };
    answer_after_output(printed, verdict(&report, &target))
}

/// Exit 3, with a line on stderr, when any check warns or fails.
fn verdict(report: &Report, target: &str) -> anyhow::Result<()> {
    if report.worst() < Status::Warn {
        return Ok(());
    }
    let count = |s: Status| report.findings.iter().filter(|f| f.status == s).count() as u64;
    let mut found = Vec::new();
    if count(Status::Fail) > 0 {
        found.push(count_of(count(Status::Fail), "check fails", "checks fail"));
    }
    if count(Status::Warn) > 0 {
        found.push(count_of(count(Status::Warn), "check warns", "checks warn"));
    }
    Err(negative(format!(
        "doctor: {} in {target}",
        found.join(" and ")
    )))
}

/// One target's report, its name and the schema its tables are in.
type Examined = (Report, String, Option<String>);

/// Options for checks run on another command's behalf (`reindex`'s bloat estimate,
/// `serve`'s gauges): no scans, and `sample` for the backlog's look at a stalled queue
/// (zero: none, and a stalled queue warns rather than fails).
pub(crate) fn quick_options(
    ctx: &Context,
    thresholds: Thresholds,
    selected: Vec<&'static str>,
    exact: bool,
    sample: std::time::Duration,
) -> Options {
    Options {
        thresholds,
        exact,
        sample,
        scan_budget: std::time::Duration::ZERO,
        selected,
        dedup_columns: ctx.dedup_columns().clone(),
        locating_args: ctx.locating_args(),
    }
}

/// Runs the selected checks on the target `ctx` points at.
fn examine(
    ctx: &Context,
    args: &DoctorArgs,
    thresholds: Thresholds,
    selected: Vec<&'static str>,
) -> anyhow::Result<Examined> {
    let (mut session, located) = ctx.open()?;
    let target = located.outbox.target.clone();
    let schema = located.outbox.schema.clone();
    let reconnect = || ctx.connect();
    let report = diagnose::run(
        &mut session,
        &reconnect,
        located.outbox,
        located.processed,
        Options {
            thresholds,
            exact: args.exact,
            sample: args.sample,
            scan_budget: args.scan_budget,
            selected,
            dedup_columns: ctx.dedup_columns().clone(),
            locating_args: ctx.locating_args(),
        },
    )?;
    Ok((report, target, schema))
}

/// Several targets, examined at once, each on its own connection: one report after
/// another (or one JSON object per target, `{"target", "ok", …}`); a target that cannot
/// be reached is reported with its error, and the others still are.
fn run_many(
    ctx: &Context,
    args: &DoctorArgs,
    thresholds: &Thresholds,
    selected: &[&'static str],
    targets: Vec<super::targets::Named>,
) -> anyhow::Result<()> {
    let results = super::targets::each_target(ctx, &targets, |target| {
        examine(target, args, thresholds.clone(), selected.to_vec())
    });
    let objects: Vec<Value> = results
        .iter()
        .map(|(label, result)| {
            let report = match result {
                Ok((report, _, schema)) => TargetDoctorReport {
                    target: label.clone(),
                    ok: true,
                    report: Some(TargetReport::new(report, schema.as_deref())),
                    error: None,
                },
                Err(e) => TargetDoctorReport {
                    target: label.clone(),
                    ok: false,
                    report: None,
                    error: Some(crate::db::errors::one_line(e)),
                },
            };
            json_value(&report)
        })
        .collect();
    let printed = match ctx.out.format {
        Format::Json => print_json(&Value::Array(objects)),
        Format::Ndjson => objects.iter().try_for_each(print_json_line),
        _ => print_text(
            results
                .iter()
                .map(|(label, result)| match result {
                    Ok((report, target, schema)) => render(ctx, report, target, schema.as_deref()),
                    Err(e) => format!(
                        "doctor: {}
error: {}",
                        escape(label),
                        escape(&crate::db::errors::one_line(e))
                    ),
                })
                .collect::<Vec<_>>()
                .join("\n\n"),
        ),
    };
    let unhealthy = results
        .iter()
        .filter(|(_, r)| {
            r.as_ref()
                .is_ok_and(|(report, _, _)| report.worst() >= Status::Warn)
        })
        .count();
    let answer = super::targets::answer(
        &results,
        "examined",
        unhealthy,
        format!(
            "doctor: checks warn or fail on {unhealthy} of {} targets",
            results.len()
        ),
    );
    answer_after_output(printed, answer)
}

fn to_json(report: &Report, target: &str, schema: Option<&str>) -> Value {
    json_value(&DoctorReport::new(report, target, schema))
}

const LABEL_WIDTH: usize = 6;
const ID_WIDTH: usize = 16;

fn label(status: Status, colour: bool) -> String {
    let (text, code) = match status {
        Status::Ok => ("ok", "32"),
        Status::Warn => ("WARN", "33"),
        Status::Fail => ("FAIL", "1;31"),
        Status::Skipped => ("skip", "2"),
    };
    let padded = format!("{text:<LABEL_WIDTH$}");
    if colour {
        format!("\x1b[{code}m{text}\x1b[0m{}", &padded[text.len()..])
    } else {
        padded
    }
}

/// Wraps escaped text to the terminal with a hanging indent; without a terminal (a pipe,
/// cron) each line stays whole so grep sees it.
fn wrapped(first: &str, rest_indent: usize, text: &str, width: Option<usize>) -> Vec<String> {
    let text = escape(text);
    let Some(width) = width.filter(|w| *w > rest_indent + 20) else {
        return vec![format!("{first}{text}")];
    };
    let indent = " ".repeat(rest_indent);
    let options = textwrap::Options::new(width)
        .initial_indent(first)
        .subsequent_indent(&indent)
        .break_words(true);
    textwrap::wrap(&text, options)
        .into_iter()
        .map(|l| l.into_owned())
        .collect()
}

fn render(ctx: &Context, report: &Report, target: &str, schema: Option<&str>) -> String {
    let width = crate::render::layout::output_width();
    let colour = ctx.out.color;
    // The target names a schema other than public already.
    let schema = schema.filter(|s| !target.contains(&format!("(schema {s})")));
    let header = format!(
        "doctor: {}{}{} · PostgreSQL {} · as {}",
        target,
        schema.map(|s| format!(" (schema {s})")).unwrap_or_default(),
        report
            .standby
            .as_ref()
            .map(|s| format!(" · {}", s.describe()))
            .unwrap_or_default(),
        report.server_version,
        report.role
    );
    let mut lines = wrapped("", 4, &header, width);
    let narrow = width.is_some_and(|w| w < 70);
    let indent = if narrow { 4 } else { LABEL_WIDTH + ID_WIDTH };
    for finding in &report.findings {
        let head = if narrow {
            lines.push(format!("{}{}", label(finding.status, colour), finding.id));
            " ".repeat(indent)
        } else {
            format!("{}{:<ID_WIDTH$}", label(finding.status, colour), finding.id)
        };
        // textwrap measures the visible width: the colour codes do not count.
        lines.extend(wrapped(&head, indent, &finding.summary, width));
        let explained = matches!(finding.status, Status::Warn | Status::Fail)
            || (finding.status == Status::Skipped && !finding.fix.is_empty());
        if explained {
            // A detail the summary already says in full is not repeated.
            for detail in finding
                .details
                .iter()
                .filter(|d| !finding.summary.contains(&d.text))
            {
                lines.extend(wrapped(
                    &format!("{}· ", " ".repeat(indent)),
                    indent + 2,
                    &detail.text,
                    width,
                ));
            }
            let mut shown: Vec<&str> = finding
                .fix
                .iter()
                .map(|fix| {
                    if pasteable(fix) {
                        fix.as_str()
                    } else {
                        NOT_PASTEABLE
                    }
                })
                .collect();
            shown.dedup();
            for (i, fix) in shown.iter().enumerate() {
                for (j, line) in fix.lines().enumerate() {
                    let first = if i == 0 && j == 0 {
                        format!("{}fix: ", " ".repeat(indent))
                    } else {
                        format!("{}     ", " ".repeat(indent))
                    };
                    // Statements stay whole so they can be copied in one piece.
                    lines.push(format!("{first}{}", escape(line)));
                }
            }
        }
    }
    let count = |s: Status| report.findings.iter().filter(|f| f.status == s).count() as u64;
    lines.push(String::new());
    lines.push(format!(
        "{}: {} ok, {} warn, {} fail, {} skipped",
        count_of(report.findings.len() as u64, "check", "checks"),
        count(Status::Ok),
        count(Status::Warn),
        count(Status::Fail),
        count(Status::Skipped)
    ));
    if !report.sees_all_sessions {
        let grant = format!(
            "GRANT pg_monitor TO {}",
            crate::db::sql::quote_ident(&report.role)
        );
        lines.push(format!(
            "note: {} cannot see other roles' sessions in full; {} shows them",
            escape(&report.role),
            if pasteable(&grant) {
                grant
            } else {
                "GRANT pg_monitor to it (its name holds control characters, which no terminal shows exactly: take the name from --format json's \"role\")".to_string()
            }
        ));
    }
    lines.join("\n")
}

/// What the human view shows instead of a fix that names an object whose name holds
/// control characters.
const NOT_PASTEABLE: &str = "(not shown: it names an object whose name holds control characters, which no terminal shows exactly; --format json carries the exact statement)";

fn list(ctx: &Context, thresholds: &Thresholds) -> anyhow::Result<()> {
    if ctx.out.format.is_machine() {
        let checks: Vec<Value> = CHECKS
            .iter()
            .map(|c| {
                json!({
                    "id": c.id,
                    "title": c.title,
                    "thresholds": c.thresholds.iter().map(|t| json!({
                        "key": t.key,
                        "measures": t.measure.name(),
                        "default": t.show(t.default),
                        "value": thresholds.show(t.key),
                        "about": t.about,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        return match ctx.out.format {
            Format::Ndjson => {
                for c in &checks {
                    print_json_line(c)?;
                }
                Ok(())
            }
            _ => Ok(print_json(&Value::Array(checks))?),
        };
    }
    let mut table = ctx
        .out
        .table(&["id", "title", "threshold", "default", "meaning"]);
    for c in CHECKS {
        if c.thresholds.is_empty() {
            table.add_row([c.id, c.title, "—", "—", "pass or fail, no threshold"]);
        }
        for (i, t) in c.thresholds.iter().enumerate() {
            table.add_row([
                if i == 0 { c.id } else { "" },
                if i == 0 { c.title } else { "" },
                t.key,
                &format!("{} ({})", thresholds.show(t.key), t.measure.name()),
                t.about,
            ]);
        }
    }
    print_text(table.to_string())?;
    Ok(())
}
