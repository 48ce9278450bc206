//! The dry run shared by `requeue` and `purge`: how many rows a selection matches and a
//! sample of them, changing nothing.

use serde_json::Value;

use crate::batch::engine::{Summary, report};
use crate::context::Context;
use crate::db::pgtime::PgTime;
use crate::db::session::{Access, Rel, Session};
use crate::db::sql::Params;
use crate::error::explain_table_error;
use crate::render::output::{count_of, print_text, truncate};
use crate::tables::outbox;

const SAMPLE_SIZE: i64 = 10;

pub fn dry_run(
    ctx: &Context,
    session: &mut Session,
    rel: &Rel,
    conditions: &dyn Fn(&mut Params) -> String,
    verb: &str,
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
        ..Summary::default()
    };
    if ctx.out.format.is_machine() {
        // The sample carries what `list` shows, not payloads: a dry run is a count.
        summary.extra.insert(
            "sample".into(),
            Value::Array(
                sample
                    .iter()
                    .map(|m| {
                        let mut row = m.to_json();
                        row.remove("payload");
                        row.remove("payload_encoding");
                        Value::Object(row)
                    })
                    .collect(),
            ),
        );
    } else if !sample.is_empty() && !ctx.out.quiet {
        let mut view = ctx.out.table(&[
            "id",
            "status",
            "topic",
            "created_at",
            "processed_at",
            "last error",
        ]);
        for m in &sample {
            view.add_row(vec![
                m.id.to_string(),
                m.status.clone(),
                truncate(&m.topic, 32),
                m.created_at.human(),
                m.processed_at.map_or(String::new(), PgTime::human),
                truncate(&m.last_error, 40),
            ]);
        }
        print_text(&view)?;
    }
    report(
        &summary,
        &ctx.out,
        &format!(
            "dry run: would {verb} {} in table \"{}\" on {}{}; nothing changed",
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
