//! The start of a change by filter (`purge`, `delete`, `requeue` by filter, `dedup
//! purge`): relative times fixed once, on the server's clock, in the same read as the
//! run's start, so every batch selects against the same instants. The change itself is
//! a `batch::plan::Plan`.

use crate::batch::engine::RunStart;
use crate::db::errors::explain_table_error;
use crate::db::session::{Access, Rel, Session};
use crate::tables::outbox;
use crate::tables::timearg::{TimeArg, resolve_past_cutoff};

/// The filter with its relative times fixed, and the run's start.
pub fn start(
    session: &mut Session,
    rel: &Rel,
    filter: outbox::MessageFilter,
) -> anyhow::Result<(outbox::MessageFilter, RunStart)> {
    let fail = |e| explain_table_error(e, rel);
    session.with_tx(Access::ReadOnly, &fail, |tx| {
        let mut filter = filter.resolved(tx).map_err(fail)?;
        filter.resolve_classes(tx, rel)?;
        Ok((filter, RunStart::take(tx).map_err(fail)?))
    })
}

/// A retention cutoff (`--before`) fixed in the past, and the run's start.
pub fn start_before(
    session: &mut Session,
    rel: &Rel,
    before: &TimeArg,
) -> anyhow::Result<(chrono::DateTime<chrono::Utc>, RunStart)> {
    let fail = |e| explain_table_error(e, rel);
    session.with_tx(Access::ReadOnly, &fail, |tx| {
        let cutoff = resolve_past_cutoff(tx, before)?;
        Ok((cutoff, RunStart::take(tx).map_err(fail)?))
    })
}
