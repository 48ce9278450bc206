//! A mutation by selection as a command describes it, handed to the engine once:
//! command → [`Plan`] → [`Plan::execute`] (count and confirm, prepare the walks, open the
//! jobs' connections, run the batches) → report. The command decides what changes and
//! says it in words; the plan's execution is the same for every command.

use crate::batch::ctid::{CtidWalk, WalkAction};
use crate::batch::dedup_walk;
use crate::batch::engine::{
    BatchOptions, Batcher, Job, RunStart, Summary, SummaryDetails, count_and_confirm, report,
    run_jobs,
};
use crate::db::errors::explain_table_error;
use crate::db::pgtime::PgTime;
use crate::db::session::{Access, Rel, Session, Tx};
use crate::db::sql::Params;
use crate::render::output::Output;
use crate::tables::dedup::DedupTable;
use crate::tables::outbox;

/// One mutation by selection.
pub struct Plan<'a> {
    pub rel: &'a Rel,
    pub options: BatchOptions,
    /// Connections walking the table at once (`--jobs`).
    pub jobs: usize,
    pub walk: Walk<'a>,
    pub words: Words<'a>,
    /// What the command did before the batches, for the summary (partitions dropped).
    pub details: SummaryDetails,
}

/// How the selected rows are found, counted and changed.
pub enum Walk<'a> {
    /// The outbox in ctid ranges: `selection` is checked again as each row changes, and
    /// only rows that existed at `run_start` are touched.
    Ctid {
        selection: &'a dyn Fn(&mut Params) -> String,
        run_start: &'a RunStart,
        action: WalkAction,
    },
    /// The dedup table's entries processed before `cutoff` (of `groups`, all when empty),
    /// along the processed_at index or physically, as the planner finds cheaper.
    DedupBefore {
        table: &'a DedupTable,
        cutoff: PgTime,
        groups: &'a [String],
        run_start: &'a RunStart,
        /// How many entries match, for the confirmation.
        count: &'a dyn Fn(&mut Tx<'_>) -> anyhow::Result<u64>,
    },
}

/// What the run says, in the command's words.
pub struct Words<'a> {
    /// The confirmation question, given how many rows match.
    pub question: &'a dyn Fn(u64) -> String,
    /// What a "no" leaves: `nothing was deleted`.
    pub aborted: &'a str,
    /// The progress bar's word: `deleted`.
    pub done: &'a str,
    /// The human summary, from the run's tally.
    pub summary: &'a dyn Fn(&Summary) -> String,
    /// Why a selected row was not changed: `moved out of 'failed' by another session
    /// first`.
    pub skipped_because: &'a str,
}

/// Opens `n` more connections like the first, for the jobs of a run: the command's, so
/// the engine needs nothing of the command layer.
pub type MoreSessions<'a> = &'a dyn Fn(usize) -> anyhow::Result<Vec<Session>>;

impl Plan<'_> {
    /// Counts and confirms on a terminal, prepares one walk per job, opens the jobs'
    /// connections (all before anything changes), runs the batches and reports.
    pub fn execute(
        self,
        session: &mut Session,
        more: MoreSessions<'_>,
        out: &Output,
    ) -> anyhow::Result<()> {
        let rel = self.rel;
        let fail = |e| explain_table_error(e, rel);
        let total = count_and_confirm(
            &self.options,
            out,
            || {
                session.with_tx(Access::ReadOnly, &fail, |tx| match &self.walk {
                    Walk::Ctid { selection, .. } => {
                        outbox::count_matching(tx, rel, selection).map_err(fail)
                    }
                    Walk::DedupBefore { count, .. } => count(tx),
                })
            },
            self.words.question,
            self.words.aborted,
        )?;
        let mut walks: Vec<Box<dyn Batcher + Send>> = match &self.walk {
            Walk::Ctid {
                selection,
                run_start,
                action,
            } => {
                let walks = CtidWalk::prepare(
                    session,
                    rel,
                    selection,
                    run_start,
                    action,
                    self.options.batch_size,
                    self.jobs,
                )?;
                walks[0].warn_if_slow(out);
                walks
                    .into_iter()
                    .map(|walk| Box::new(walk) as Box<dyn Batcher + Send>)
                    .collect()
            }
            Walk::DedupBefore {
                table,
                cutoff,
                groups,
                run_start,
                ..
            } => {
                dedup_walk::prepare(
                    session,
                    table,
                    *cutoff,
                    groups,
                    run_start,
                    self.options.batch_size,
                    self.jobs,
                )?
                .1
            }
        };
        let mut others = more(walks.len() - 1)?;
        let jobs: Vec<Job<'_>> = std::iter::once(session)
            .chain(others.iter_mut())
            .zip(walks.iter_mut())
            .map(|(session, walk)| -> Job<'_> { (session, walk.as_mut()) })
            .collect();
        let mut summary = run_jobs(jobs, &self.options, total, out, rel, self.words.done)?;
        summary.details = SummaryDetails {
            paused_ms: summary.details.paused_ms,
            ..self.details
        };
        let skipped = if summary.skipped > 0 {
            format!(
                "; {} skipped: {}",
                summary.skipped, self.words.skipped_because
            )
        } else {
            String::new()
        };
        report(
            &summary,
            out,
            &format!("{}{skipped}", (self.words.summary)(&summary)),
        )
    }
}
