//! One file per subcommand; each ties the concern modules together.

mod check;
mod completions;
mod ddl;
mod migrate;

pub use completions::{render_completions, render_man_page};

use crate::cli::{Cli, Command};
use crate::context::Context;

pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let ctx = Context::new(&cli.global)?;
    match cli.command {
        Command::Ddl(args) => ddl::run(&ctx, &args),
        Command::Migrate(args) => migrate::run(&ctx, &args),
        Command::Check(args) => check::run(&ctx, &args),
        Command::Completions(args) => completions::run(&args),
    }
}
