//! The dry run shared by `requeue --all` and `purge`: how many rows a selection matches
//! and a sample of them, changing nothing.

use serde_json::Value;

use crate::context::Context;
use crate::error::explain_table_error;
use crate::mutation::{Summary, report};
use crate::outbox::{self, rfc3339};
use crate::output::{count_of, print_text, truncate};
use crate::sql::Params;

const SAMPLE_SIZE: i64 = 10;

pub fn dry_run(
    ctx: &Context,
    client: &mut postgres::Client,
    conditions: &dyn Fn(&mut Params) -> String,
    verb: &str,
) -> anyhow::Result<()> {
    let table = &ctx.tables.outbox;
    let fail = |e| explain_table_error(e, table);
    let count = outbox::count_matching(client, table, conditions).map_err(fail)?;
    let sample = outbox::sample_matching(client, table, conditions, SAMPLE_SIZE).map_err(fail)?;
    let mut summary = Summary {
        matched: count,
        dry_run: true,
        ..Summary::default()
    };
    if ctx.out.format.is_machine() {
        summary.extra.insert(
            "sample".into(),
            Value::Array(sample.iter().map(|m| Value::Object(m.to_json())).collect()),
        );
    } else if !sample.is_empty() {
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
                rfc3339(&m.created_at),
                m.processed_at.as_ref().map_or(String::new(), rfc3339),
                truncate(&m.last_error, 40),
            ]);
        }
        print_text(&view)?;
    }
    report(
        &summary,
        &ctx.out,
        &format!(
            "dry run: would {verb} {} in table \"{table}\"{}; nothing changed",
            count_of(count, "message", "messages"),
            if count as usize > sample.len() && !sample.is_empty() {
                format!(" (the oldest {} shown)", sample.len())
            } else {
                String::new()
            }
        ),
    )
}
