//! One file per subcommand; each ties the concern modules together.

mod by_filter;
pub(crate) mod by_ids;
pub(crate) mod check;
mod completions;
pub(crate) mod convert;
mod ddl;
pub(crate) mod dedup;
mod delete;
pub(crate) mod doctor;
mod follow;
pub(crate) mod list;
mod migrate;
pub(crate) mod partition;
mod preview;
mod purge;
pub(crate) mod reindex;
mod repair;
mod requeue;
mod schemas;
mod serve;
mod show;
pub(crate) mod stats;
pub(crate) mod targets;
pub(crate) mod watch;

pub use completions::render_completions;
pub use schemas::published_schemas;

use crate::cli::{Cli, Command, MessageFilterArgs};
use crate::context::Context;
use crate::tables::outbox::MessageFilter;

pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let mut shape = cli.command.shape();
    // `-o wide`: the table in full, as --wide.
    shape.wide |= cli.global.format == crate::cli::FormatArg::Wide;
    let ctx = Context::new(&cli.global, shape)?;
    // Options that only some commands read are refused elsewhere, never ignored.
    if ctx.database_urls().len() > 1
        && !matches!(
            cli.command,
            Command::Stats(_)
                | Command::Doctor(_)
                | Command::Requeue(_)
                | Command::Delete(_)
                | Command::Purge(_)
                | Command::Dedup(crate::cli::DedupCommand::Purge(_))
                | Command::Partition(
                    crate::cli::PartitionCommand::Maintain(_)
                        | crate::cli::PartitionCommand::List(_)
                )
                | Command::Serve(_)
        )
    {
        return Err(crate::error::usage(
            "several -d apply to stats, doctor, serve, requeue, delete, purge, dedup purge, partition list and partition maintain: run the command once per database",
        ));
    }
    if ctx.out.format == crate::render::output::Format::Prometheus
        && !matches!(cli.command, Command::Stats(_))
    {
        return Err(crate::error::usage(
            "--format prometheus applies to stats (metrics for alerting)",
        ));
    }
    if matches!(cli.command, Command::Completions(_)) && ctx.out.format.is_machine() {
        return Err(crate::error::usage(
            "completions prints a shell script: --format does not apply",
        ));
    }
    match cli.command {
        Command::Ddl(args) => ddl::run(&ctx, &args),
        Command::Migrate(args) => migrate::run(&ctx, &args),
        Command::Check(args) => check::run(&ctx, &args),
        Command::Stats(args) => stats::run(&ctx, &args),
        Command::List(args) => list::run(&ctx, &args),
        Command::Show(args) => show::run(&ctx, &args),
        Command::Requeue(args) => requeue::run(&ctx, &args),
        Command::Purge(args) => purge::run(&ctx, &args),
        Command::Delete(args) => delete::run(&ctx, &args),
        Command::Doctor(args) => doctor::run(&ctx, &args),
        Command::Watch(args) => watch::run(&ctx, &args),
        Command::Dedup(command) => dedup::run(&ctx, &command),
        Command::Partition(command) => partition::run(&ctx, &command),
        Command::Reindex(args) => reindex::run(&ctx, &args),
        Command::Serve(args) => serve::run(&ctx, &args),
        Command::Completions(args) => completions::run(&args),
    }
}

/// The filter a command's options describe, with the statuses it selects.
fn message_filter(args: &MessageFilterArgs, statuses: Vec<String>) -> MessageFilter {
    MessageFilter {
        statuses,
        topics: args.topic.clone(),
        keys: args.key.clone(),
        headers: args.header.clone(),
        error_contains: args.error_contains.clone(),
        created_before: args.before,
        created_after: args.after,
        processed_before: args.processed_before,
        processed_after: args.processed_after,
        error_classes: args.error_class.clone(),
        class_ids: None,
    }
}
