//! `outboxctl completions SHELL`, and the man page the repository ships beside them.

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

/// The roff man page, as checked in as `completions/outboxctl.1`.
pub fn render_man_page() -> String {
    man(Cli::command())
}

/// One man page per subcommand (`outboxctl-requeue.1`, `outboxctl-dedup-mark.1`, …), the
/// pages the main page refers to, as checked in under `completions/`.
pub fn render_subcommand_man_pages() -> Vec<(String, String)> {
    fn walk(command: &clap::Command, prefix: &str, pages: &mut Vec<(String, String)>) {
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            let name = format!("{prefix}-{}", sub.get_name());
            let page = sub
                .clone()
                .name(name.clone())
                .bin_name(name.replace('-', " "));
            pages.push((format!("{name}.1"), man(page.clone())));
            walk(&page, &name, pages);
        }
    }
    let mut command = Cli::command();
    command.build();
    let mut pages = Vec::new();
    walk(&command, "outboxctl", &mut pages);
    pages
}

fn man(command: clap::Command) -> String {
    let mut buffer = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut buffer)
        .expect("rendering to memory cannot fail");
    String::from_utf8(buffer).expect("man page is UTF-8")
}
