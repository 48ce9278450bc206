//! `outboxctl completions SHELL`. The man pages shipped beside the scripts are rendered
//! by the test that keeps them current (`tests/it/completions.rs`).

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionsArgs};

pub fn run(args: &CompletionsArgs) -> anyhow::Result<()> {
    crate::render::output::print_text(render_completions(args.shell).trim_end())?;
    Ok(())
}

/// The completion script for `shell`, as checked in under `completions/`.
pub fn render_completions(shell: Shell) -> String {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "outboxctl", &mut buffer);
    String::from_utf8(buffer).expect("completion scripts are UTF-8")
}
