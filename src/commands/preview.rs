//! The dry run shared by `requeue` and `purge`: how many rows a selection matches and a
//! sample of them, changing nothing.

use serde_json::Value;

use crate::batch::engine::{Summary, SummaryDetails, report};
use crate::commands::list::{paint_status, view_columns};
use crate::context::Context;
use crate::db::errors::explain_table_error;
use crate::db::session::{Access, Rel, Session};
use crate::db::sql::Params;
use crate::render::layout::{StreamTable, output_width};
use crate::render::output::or_null;
use crate::render::output::{count_of, human_size};
use crate::tables::outbox;

const SAMPLE_SIZE: i64 = 10;

pub fn dry_run(
    ctx: &Context,
    session: &mut Session,
    rel: &Rel,
    conditions: &dyn Fn(&mut Params) -> String,
    verb: &str,
    details: SummaryDetails,
    also: &str,
) -> anyhow::Result<()> {
    let fail = |e| explain_table_error(e, rel);
    let (count, sample) = session.with_tx(Access::ReadOnly, &fail, |tx| {
        let count = outbox::count_matching(tx, rel, conditions).map_err(fail)?;
        let sample = outbox::sample_matching(tx, rel, conditions, SAMPLE_SIZE).map_err(fail)?;
        Ok((count, sample))
    })?;
    let mut summary = Summary {
        matched: count,
        dry_run: true,
        details,
        ..Summary::default()
    };
    if ctx.out.format.is_machine() {
        // The sample carries what `list` shows, not payloads: a dry run is a count.
        summary.details.sample = Some(
            sample
                .iter()
                .map(|m| {
                    let mut row = m.to_json();
                    row.shift_remove("payload");
                    row.shift_remove("payload_encoding");
                    Value::Object(row)
                })
                .collect(),
        );
    } else if !sample.is_empty() && !ctx.out.quiet {
        // The same view as `list`: it fits the terminal the same way.
        let now = session.with_tx(Access::ReadOnly, &fail, |tx| {
            outbox::server_now(tx).map_err(fail)
        })?;
        let out = std::io::BufWriter::new(crate::render::output::stdout());
        let mut view = StreamTable::new(view_columns(), out, output_width(), ctx.out.wide).paint(
            ctx.out
                .color
                .then_some(paint_status as crate::render::layout::Painter),
        );
        for m in &sample {
            view.push(vec![
                or_null(m.id.map(|id| id.to_string())),
                or_null(m.status.clone()),
                or_null(m.topic.clone()),
                or_null(m.key.clone()),
                or_null(m.retries.map(|r| r.to_string())),
                or_null(m.created_at.map(|t| t.age(now))),
                m.payload
                    .as_ref()
                    .map_or("null".to_string(), |p| human_size(p.len() as i64)),
                or_null(m.last_error.clone()),
            ])?;
        }
        view.finish()?;
    }
    report(
        &summary,
        &ctx.out,
        &format!(
            "dry run: would {verb} {} in table \"{}\" on {}{}{also}; nothing changed",
            count_of(count, "message", "messages"),
            rel.name,
            rel.target,
            if count as usize > sample.len() && !sample.is_empty() {
                format!(" (the oldest {} shown)", sample.len())
            } else {
                String::new()
            }
        ),
    )
}
