//! Changing the messages a filter selects (`purge`, `delete`, `requeue` by filter): count
//! and confirm on a terminal, walk the table in batches, report. The counterpart of
//! `by_ids` for selections that are not a list.

use crate::batch::ctid::{CtidWalk, WalkAction};
use crate::batch::engine::{
    BatchOptions, Batcher, Job, RunStart, Summary, count_and_confirm, report, run_jobs,
};
use crate::context::Context;
use crate::db::errors::explain_table_error;
use crate::db::session::{Access, Rel, Session};
use crate::db::sql::Params;
use crate::tables::outbox;

/// What to do to the selected messages, and the words for it.
pub struct FilterChange<'a> {
    pub action: WalkAction,
    /// Connections walking the table at once (`--jobs`).
    pub jobs: u16,
    /// The confirmation question, given how many messages match.
    pub question: &'a dyn Fn(u64) -> String,
    /// What a "no" leaves: `nothing was deleted`.
    pub aborted: &'a str,
    /// The progress bar's word: `deleted`.
    pub done: &'a str,
    /// The human summary, from the run's tally.
    pub summary: &'a dyn Fn(&Summary) -> String,
    /// Why a selected row was not changed: `moved out of 'failed' by another session first`.
    pub skipped_because: &'a str,
}

/// The start of a run by filter: relative times in the filter fixed once, on the
/// server's clock, in the same read as the run's start, so every batch selects against
/// the same instants.
pub fn start(
    session: &mut Session,
    rel: &Rel,
    filter: outbox::MessageFilter,
) -> anyhow::Result<(outbox::MessageFilter, RunStart)> {
    let fail = |e| explain_table_error(e, rel);
    session.with_tx(Access::ReadOnly, &fail, |tx| {
        let filter = filter.resolved(tx).map_err(fail)?;
        Ok((filter, RunStart::take(tx).map_err(fail)?))
    })
}

pub fn change(
    ctx: &Context,
    session: &mut Session,
    rel: &Rel,
    conditions: &dyn Fn(&mut Params) -> String,
    run_start: &RunStart,
    args: &BatchOptions,
    how: FilterChange<'_>,
) -> anyhow::Result<()> {
    let fail = |e| explain_table_error(e, rel);
    let total = count_and_confirm(
        args,
        &ctx.out,
        || {
            session.with_tx(Access::ReadOnly, &fail, |tx| {
                outbox::count_matching(tx, rel, conditions).map_err(fail)
            })
        },
        how.question,
        how.aborted,
    )?;
    let jobs = usize::from(how.jobs);
    let mut walks = CtidWalk::prepare(
        session,
        rel,
        conditions,
        run_start,
        &how.action,
        args.batch_size,
        jobs,
    )?;
    walks[0].warn_if_slow(&ctx.out);
    let summary = run_walks(
        ctx,
        session,
        walks
            .iter_mut()
            .map(|walk| walk as &mut (dyn Batcher + Send))
            .collect(),
        args,
        total,
        rel,
        how.done,
    )?;
    let skipped = if summary.skipped > 0 {
        format!("; {} skipped: {}", summary.skipped, how.skipped_because)
    } else {
        String::new()
    };
    report(
        &summary,
        &ctx.out,
        &format!("{}{skipped}", (how.summary)(&summary)),
    )
}

/// Runs one walk per connection: `session` takes the first, and a connection is opened
/// for each of the others (all before anything changes).
pub fn run_walks(
    ctx: &Context,
    session: &mut Session,
    walks: Vec<&mut (dyn Batcher + Send)>,
    args: &BatchOptions,
    total: Option<u64>,
    rel: &Rel,
    what: &str,
) -> anyhow::Result<Summary> {
    let mut others = ctx.connect_more(walks.len() - 1)?;
    let sessions = std::iter::once(session).chain(others.iter_mut());
    run_jobs(
        sessions
            .zip(walks)
            .map(|(session, walk)| -> Job<'_> { (session, walk) })
            .collect(),
        args,
        total,
        &ctx.out,
        rel,
        what,
    )
}
