//! `outboxctl dedup …`: the dedup ("processed") table, one file per subcommand.

mod check;

pub use check::DedupCheckRecord;
mod list;
mod mark;
mod purge;
mod unmark;

use crate::cli::DedupCommand;
use crate::context::Context;

pub fn run(ctx: &Context, command: &DedupCommand) -> anyhow::Result<()> {
    match command {
        DedupCommand::Mark(args) => mark::run(ctx, args),
        DedupCommand::Check(args) => check::run(ctx, args),
        DedupCommand::List(args) => list::run(ctx, args),
        DedupCommand::Unmark(args) => unmark::run(ctx, args),
        DedupCommand::Purge(args) => purge::run(ctx, args),
    }
}

/// `2026-11-27 00:00:00Z (3m ago)`, ages on the client's clock.
fn processed_when(entry: &crate::tables::dedup::Entry) -> String {
    let now = crate::db::pgtime::PgTime::from_chrono(chrono::Utc::now());
    entry
        .processed_at
        .map_or_else(|| "null".to_string(), |t| t.when(now))
}
