//! `outboxctl stats`: read the figures of one target (or several, `many`), apply the
//! thresholds, and hand the figures to `render::stats` for the format asked.

mod many;

use serde_json::json;

use crate::cli::StatsArgs;
use crate::context::Context;
use crate::db::errors::explain_table_error;
use crate::db::session::Access;
use crate::error::{negative, usage};
use crate::render::output::{Format, json_value, print_json, print_json_line, print_text};
use crate::render::stats::report::StatsReport;
use crate::render::stats::{Breach, Figures, StatsView, human, prometheus};
use crate::tables::dedup::{self, DedupStats};
use crate::tables::dedup_columns::DedupColumns;
use crate::tables::outbox::{self, OutboxStats};
use crate::units::humanize;

pub fn run(ctx: &Context, args: &StatsArgs) -> anyhow::Result<()> {
    if matches!(ctx.out.format, Format::Csv) {
        return Err(usage(
            "stats has no csv form (its figures are nested): use --format json or ndjson",
        ));
    }
    if args.rates && args.interval < std::time::Duration::from_secs(1) {
        return Err(usage(
            "--interval must be at least 1s: the server publishes its counters about once a second",
        ));
    }
    let targets = super::targets::many_targets(ctx, &args.service)?;
    match targets.as_slice() {
        [] => print_one(ctx, args, &gather(ctx, args)?),
        // One service matched: an ordinary run against it (a scrape included).
        [only] if ctx.database_urls().len() <= 1 && ctx.out.format == Format::Prometheus => {
            let target = ctx.for_database(&only.conninfo);
            print_one(&target, args, &gather(&target, args)?)
        }
        _ => many::run(ctx, args, targets),
    }
}

/// Reads every figure from the target `ctx` points at.
pub(super) fn gather(ctx: &Context, args: &StatsArgs) -> anyhow::Result<Figures> {
    let (mut session, located) = ctx.open()?;
    gather_on(ctx, &mut session, &located, args)
}

/// [`gather`] on a session already open (`serve` keeps one per target).
pub(crate) fn gather_on(
    ctx: &Context,
    session: &mut crate::db::session::Session,
    located: &crate::context::Located,
    args: &StatsArgs,
) -> anyhow::Result<Figures> {
    let rel = &located.outbox;
    rel.require()?;
    let fail = |e| explain_table_error(e, rel);
    let rates = if args.rates {
        let read = |session: &mut crate::db::session::Session| {
            session.with_tx(Access::ReadOnly, &fail, |tx| {
                crate::tables::rates::sample(tx, rel).map_err(fail)
            })
        };
        let first = read(session)?;
        std::thread::sleep(args.interval);
        let second = read(session)?;
        Some((
            crate::tables::rates::between(&first, &second),
            second.pending,
        ))
    } else {
        None
    };
    let (stats, unanalyzed) = session.with_tx(Access::ReadOnly, &fail, |tx| {
        let planner = if args.exact {
            None
        } else {
            outbox::planner_counts(tx, rel).map_err(fail)?
        };
        let estimate = match &planner {
            Some(p) => {
                args.estimate
                    || (!args.by_topic
                        && args.by_header.is_empty()
                        && p.rows > outbox::ESTIMATE_ABOVE_ROWS)
            }
            None => false,
        };
        let stats = match planner.filter(|_| estimate) {
            Some(planner) => {
                outbox::stats_estimated(tx, rel, &planner, rates.as_ref().map(|(_, p)| *p))
            }
            None => outbox::stats(tx, rel, args.by_topic, &args.by_header, args.stuck_after),
        }
        .map_err(fail)?;
        Ok((stats, args.estimate && !estimate))
    })?;
    let by_error = if args.by_error {
        Some(session.with_tx(Access::ReadOnly, &fail, |tx| {
            crate::tables::error_class::error_classes(tx, rel, args.include_retrying, &fail)
        })?)
    } else {
        None
    };
    if unanalyzed {
        ctx.out.warn(format!(
            "{} was never analyzed, so there are no statistics to estimate from: every row was counted (ANALYZE {} to estimate)",
            rel.name, rel.sql
        ));
    }
    // The dedup table must not take outbox monitoring down with it: when its columns
    // cannot be told apart, the outbox figures and thresholds still stand.
    let (dedup, dedup_cols, dedup_error) = match ctx.dedup_table(session, &located.processed) {
        Ok(dedup_table) => {
            let dedup_fail = |e| explain_table_error(e, &located.processed);
            let dedup = session.with_tx(Access::ReadOnly, &dedup_fail, |tx| {
                dedup::stats(tx, &dedup_table, stats.estimated).map_err(dedup_fail)
            })?;
            (dedup, dedup_table.cols, None)
        }
        Err(err) => {
            let text = crate::db::errors::one_line(&err);
            ctx.out.warn(crate::render::output::escape(&text));
            (DedupStats::default(), DedupColumns::ours(), Some(text))
        }
    };
    let breaches = breaches(&stats, args);

    let mut stats = stats;
    let topics_left_out = order_topics(&mut stats, args);
    Ok(Figures {
        topics_left_out,
        target: rel.target.clone(),
        standby: session.standby().cloned(),
        stats,
        dedup,
        dedup_cols,
        dedup_error,
        breaches,
        by_error,
        rates: rates.map(|(rates, _)| rates),
    })
}

/// How the renderers see this invocation.
pub(crate) fn view<'a>(ctx: &'a Context, args: &StatsArgs) -> StatsView<'a> {
    StatsView {
        out: &ctx.out,
        outbox_table: &ctx.tables.outbox,
        processed_table: &ctx.tables.processed,
        stuck_after: args.stuck_after,
        max_series: args.max_series,
    }
}

fn print_one(ctx: &Context, args: &StatsArgs, figures: &Figures) -> anyhow::Result<()> {
    let view = view(ctx, args);
    let printed = match ctx.out.format {
        Format::Json => print_json(&report_json(&view, figures)),
        Format::Ndjson => print_json_line(&report_json(&view, figures)),
        Format::Prometheus => print_text(prometheus::exposition(&view, figures)),
        _ => {
            let target = match &figures.standby {
                Some(standby) => format!(
                    "{} · {}",
                    figures.target,
                    crate::render::output::escape(&standby.describe())
                ),
                None => figures.target.clone(),
            };
            print_text(human::text(&view, figures, &target))
        }
    };
    let answer = if figures.breaches.is_empty() {
        Ok(())
    } else {
        let messages: Vec<&str> = figures
            .breaches
            .iter()
            .map(|b| b.message.as_str())
            .collect();
        Err(negative(format!(
            "threshold breached: {}",
            messages.join("; ")
        )))
    };
    crate::error::answer_after_output(printed, answer)
}

fn report_json(view: &StatsView<'_>, figures: &Figures) -> serde_json::Value {
    json_value(&StatsReport::new(view, figures))
}

fn breaches(stats: &OutboxStats, args: &StatsArgs) -> Vec<Breach> {
    let mut found = Vec::new();
    if let (Some(limit), Some(age)) = (args.max_pending_age, stats.oldest_pending_age_seconds)
        && age > limit.as_secs_f64()
    {
        found.push(Breach {
            threshold: "max_pending_age",
            limit: json!(limit.as_secs_f64()),
            actual: json!(age),
            message: format!(
                "oldest pending message is {} old (limit {})",
                humanize(age as i64),
                humanize(limit.as_secs() as i64)
            ),
            estimated: false,
        });
    }
    for (threshold, status, limit) in [
        ("max_failed", "failed", args.max_failed),
        ("max_pending", "pending", args.max_pending),
    ] {
        let count = stats.by_status.get(status);
        if let Some(limit) = limit
            && count as u64 > limit
        {
            // Pending is counted exactly even when the rest is estimated.
            let estimated = stats.estimated && status != "pending";
            found.push(Breach {
                threshold,
                limit: json!(limit),
                actual: json!(count),
                message: format!(
                    "{}{count} {status} messages (limit {limit})",
                    if estimated { "about " } else { "" }
                ),
                estimated,
            });
        }
    }
    found
}

/// Puts the topics in `--sort` order and keeps the first `--top`: how many were left out.
fn order_topics(stats: &mut OutboxStats, args: &StatsArgs) -> usize {
    use crate::cli::TopicOrder;
    let Some(topics) = stats.by_topic.as_mut() else {
        return 0;
    };
    // Ties are broken by name, so the order is the same from one run to the next.
    let by_name = |a: &crate::tables::outbox::GroupStats, b: &crate::tables::outbox::GroupStats| {
        a.value.cmp(&b.value)
    };
    match args.sort {
        TopicOrder::Backlog => topics.sort_by(|a, b| {
            b.counts
                .get("pending")
                .cmp(&a.counts.get("pending"))
                .then_with(|| a.oldest_pending.cmp(&b.oldest_pending))
                .then_with(|| by_name(a, b))
        }),
        // Topics with nothing pending last.
        TopicOrder::Age => topics.sort_by(|a, b| match (a.oldest_pending, b.oldest_pending) {
            (Some(x), Some(y)) => x.cmp(&y).then_with(|| by_name(a, b)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => by_name(a, b),
        }),
        TopicOrder::Failed => topics.sort_by(|a, b| {
            b.counts
                .get("failed")
                .cmp(&a.counts.get("failed"))
                .then_with(|| by_name(a, b))
        }),
        TopicOrder::Name => topics.sort_by(by_name),
    }
    match args.top {
        Some(top) if topics.len() > top as usize => {
            let left_out = topics.len() - top as usize;
            topics.truncate(top as usize);
            left_out
        }
        _ => 0,
    }
}
