//! Changing messages named by id (`requeue ID…`, `delete ID…`): ids from the command line
//! or standard input (`-`), each changed at most once, in batches, with a word for every
//! id that was not changed — and a non-zero exit when any named id could not be acted on,
//! the way `rm a b` reports a missing `b` after removing `a`.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;

use crate::batch::engine::ItemResult;
use uuid::Uuid;

use crate::batch::engine::{BatchOptions, ListBatcher, Summary, report, run_batches};
use crate::context::Context;
use crate::db::errors::explain_table_error;
use crate::db::session::{Access, Rel, Session};
use crate::db::sql::Params;
use crate::error::{Failure, exit, usage};
use crate::render::output::{count_of, escape};
use crate::tables::outbox;

/// `--jobs` splits a walk over the table among connections; a list of ids is one walk
/// over the list, so asking for more connections is a mistake worth saying.
pub fn refuse_jobs(ids: &[String], jobs: &crate::cli::JobsArgs) -> anyhow::Result<()> {
    if !ids.is_empty() && jobs.jobs > 1 {
        return Err(crate::error::usage(
            "--jobs splits a walk over the whole table; message ids are changed over one connection: drop --jobs or select by filter",
        ));
    }
    Ok(())
}

/// Ids as given — whole, or their first 8 or more hex digits as `list` shows them: `-`
/// reads one per line from standard input (blank lines skipped). Duplicates are
/// dropped, first position kept; a malformed id is a usage error before anything is
/// sent.
pub fn read_ids(args: &[String]) -> anyhow::Result<Vec<outbox::IdPrefix>> {
    let mut texts: Vec<String> = Vec::new();
    for arg in args {
        if arg == "-" {
            for line in std::io::stdin().lock().lines() {
                let line =
                    line.map_err(|e| usage(format!("cannot read ids from standard input: {e}")))?;
                let line = line.trim();
                if !line.is_empty() {
                    texts.push(line.to_string());
                }
            }
        } else {
            texts.push(arg.clone());
        }
    }
    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    for text in &texts {
        let id = outbox::parse_id_or_prefix(text)?;
        if seen.insert(id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// The ids `wanted` names: a whole id as it is, a prefix as the one id of the table that
/// starts with it. A prefix that names no message, or several, is refused before
/// anything changes.
fn resolve(
    session: &mut Session,
    rel: &Rel,
    wanted: Vec<outbox::IdPrefix>,
) -> anyhow::Result<Vec<Uuid>> {
    let fail = |e| explain_table_error(e, rel);
    let mut ids = Vec::with_capacity(wanted.len());
    for prefix in wanted {
        let (lowest, highest) = prefix.range();
        if lowest == highest {
            ids.push(lowest);
            continue;
        }
        let found: Vec<Uuid> = session.with_tx(Access::ReadOnly, &fail, |tx| {
            Ok(tx
                .query(
                    &format!(
                        "SELECT DISTINCT id FROM {} WHERE id OPERATOR(pg_catalog.>=) $1 AND id OPERATOR(pg_catalog.<=) $2 ORDER BY id LIMIT 6",
                        rel.sql
                    ),
                    &crate::params![lowest, highest],
                )
                .map_err(fail)?
                .iter()
                .map(|r| r.get(0))
                .collect())
        })?;
        let shown = prefix.text();
        match found.as_slice() {
            [id] => ids.push(*id),
            [] => anyhow::bail!(
                "no message with id prefix {shown} in table \"{}\" on {}; nothing was changed",
                rel.name,
                rel.target
            ),
            many => {
                return Err(usage(format!(
                    "id prefix {shown} is ambiguous: it matches {}{} — give more digits; nothing was changed",
                    many.iter()
                        .take(5)
                        .map(Uuid::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    if many.len() > 5 { ", …" } else { "" }
                )));
            }
        }
    }
    Ok(ids)
}

/// `-` was given and standard input held no ids (a pipe from an empty list): nothing to
/// do, which is not a mistake. Says so and prints the empty summary.
pub fn nothing_on_stdin(ctx: &Context, args: &[String]) -> anyhow::Result<bool> {
    if !args.iter().any(|a| a == "-") {
        return Ok(false);
    }
    let summary = Summary {
        dry_run: false,
        ..Summary::default()
    };
    report(
        &summary,
        &ctx.out,
        "no ids on standard input: nothing to do",
    )?;
    Ok(true)
}

/// What to do to each named message.
pub struct IdChange<'a> {
    /// `UPDATE {table} SET …` or `DELETE FROM {table}`.
    pub action: String,
    /// The state a message must be in to be changed, with its bind values (placeholders
    /// after `$1`, which holds the ids).
    pub condition: &'a dyn Fn(&mut Params) -> String,
    /// Why a message in another state was skipped, given its status.
    pub skipped_because: &'a dyn Fn(&str) -> String,
    /// `requeued`, `deleted`.
    pub done: &'a str,
    /// `would requeue`, `would delete`.
    pub would: &'a str,
}

pub fn change(
    ctx: &Context,
    session: &mut Session,
    rel: &Rel,
    ids: Vec<outbox::IdPrefix>,
    args: &BatchOptions,
    how: IdChange<'_>,
) -> anyhow::Result<()> {
    let ids = resolve(session, rel, ids)?;
    let table = &rel.sql;
    let fail = |e| explain_table_error(e, rel);
    let mut params = Params::default();
    let chunk = params.push(Vec::<Uuid>::new());
    let condition = (how.condition)(&mut params);

    let (changed, summary, reached) = if args.dry_run {
        params.set(&chunk, ids.clone());
        let rows = session.with_tx(Access::ReadOnly, &fail, |tx| {
            tx.query(
                &format!("SELECT id::pg_catalog.uuid FROM {table} WHERE id OPERATOR(pg_catalog.=) ANY({chunk}) AND {condition}"),
                &params,
            )
            .map_err(fail)
        })?;
        let would: Vec<Uuid> = rows.iter().map(|r| r.get(0)).collect();
        let summary = Summary {
            matched: ids.len() as u64,
            dry_run: true,
            ..Default::default()
        };
        (would, summary, ids.len())
    } else {
        let mut batcher = ListBatcher::new(
            format!(
                "{} WHERE id OPERATOR(pg_catalog.=) ANY({chunk}) AND {condition} RETURNING id::pg_catalog.uuid",
                how.action
            ),
            ids.clone(),
            params,
        );
        let summary = run_batches(
            session,
            &mut batcher,
            args,
            Some(ids.len() as u64),
            &ctx.out,
            rel,
            how.done,
        )?;
        let reached = batcher.reached();
        (batcher.changed, summary, reached)
    };

    // Say what happened to every id that was not changed: missing, in another state, or
    // past the point where a signal stopped the run.
    let changed: HashSet<Uuid> = changed.into_iter().collect();
    let unchanged: Vec<Uuid> = ids
        .iter()
        .filter(|id| !changed.contains(id))
        .copied()
        .collect();
    let current: HashMap<Uuid, String> = if unchanged.is_empty() {
        HashMap::new()
    } else {
        session
            .with_tx(Access::ReadOnly, &fail, |tx| {
                tx.query(
                    &format!("SELECT id::pg_catalog.uuid, status::pg_catalog.text FROM {table} WHERE id OPERATOR(pg_catalog.=) ANY($1)"),
                    &crate::params![unchanged.clone()],
                )
                .map_err(fail)
            })?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
    };
    let done_word = if args.dry_run { how.would } else { how.done };
    let mut results = Vec::new();
    let (mut not_found, mut skipped) = (0u64, 0u64);
    for (position, id) in ids.iter().enumerate() {
        let result = if changed.contains(id) {
            done_word.to_string()
        } else if position >= reached {
            "not reached (interrupted)".to_string()
        } else {
            match current.get(id) {
                Some(status) => {
                    skipped += 1;
                    (how.skipped_because)(status)
                }
                None => {
                    not_found += 1;
                    "not found".to_string()
                }
            }
        };
        if !changed.contains(id) {
            ctx.out.note(format!("{id}: {}", escape(&result)));
        }
        results.push(ItemResult {
            id: Some(id.to_string()),
            msg_id: None,
            result,
        });
    }
    let mut summary = summary;
    // Matched: the named messages that exist; skipped: those in another state (or
    // moved by another session first); missing ones are counted apart.
    summary.matched = (reached as u64).saturating_sub(not_found);
    summary.skipped = skipped;
    summary.details.ids = Some(results);
    summary.details.not_found = Some(not_found);
    report(
        &summary,
        &ctx.out,
        &format!(
            "{done_word} {} of {} in \"{}\" on {}{}",
            changed.len(),
            count_of(ids.len() as u64, "message", "messages"),
            rel.name,
            rel.target,
            if args.dry_run {
                "; nothing changed"
            } else {
                ""
            }
        ),
    )?;
    if not_found + skipped > 0 {
        return Err(Failure {
            code: exit::RUNTIME,
            message: format!(
                "{} of {} named could not be {}: {not_found} not found, {skipped} in another state",
                not_found + skipped,
                count_of(ids.len() as u64, "message", "messages"),
                how.done
            ),
        }
        .into());
    }
    Ok(())
}
