//! `outboxctl completions SHELL`, and the man page the repository ships beside them.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionsArgs};

pub fn run(args: &CompletionsArgs) -> anyhow::Result<()> {
    crate::output::print_text(render_completions(args.shell).trim_end())?;
    Ok(())
}

/// The completion script for `shell`, as checked in under `completions/`.
pub fn render_completions(shell: Shell) -> String {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "outboxctl", &mut buffer);
    String::from_utf8(buffer).expect("completion scripts are UTF-8")
}

/// The roff man page, as checked in as `completions/outboxctl.1`.
pub fn render_man_page() -> String {
    let mut buffer = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buffer)
        .expect("rendering to memory cannot fail");
    String::from_utf8(buffer).expect("man page is UTF-8")
}
