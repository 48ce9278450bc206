//! outboxctl: operate transactional-outbox tables in PostgreSQL.
//!
//! The binary is a thin shell over this library so the integration tests can reach the
//! modules; see ARCHITECTURE.md §2 for the layout.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod batch;
pub mod cli;
pub mod commands;
pub mod context;
pub mod db;
pub mod diagnose;
pub mod error;
pub mod render;
pub mod tables;
pub mod units;

use std::process::ExitCode;

/// Stack for the thread that does the work: jsonb values as deep as PostgreSQL accepts
/// (tens of thousands of levels) are parsed, printed and dropped recursively. Only the
/// pages used are ever touched.
pub const WORK_STACK_BYTES: usize = 1 << 30;

/// Runs [`run`] on a thread with [`WORK_STACK_BYTES`] of stack.
pub fn run_with_large_stack() -> ExitCode {
    std::thread::Builder::new()
        .name("outboxctl".into())
        .stack_size(WORK_STACK_BYTES)
        .spawn(run)
        .map(|worker| worker.join().unwrap_or(ExitCode::from(101)))
        .unwrap_or_else(|_| run())
}

/// Parses the command line, runs the command, and maps the outcome to an exit code with
/// one line on stderr for any failure.
pub fn run() -> ExitCode {
    let parsed = cli::command()
        .try_get_matches()
        .and_then(|matches| <cli::Cli as clap::FromArgMatches>::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    let quiet = cli.global.quiet;
    match commands::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let code = error::exit_code(&err);
            let text = db::errors::one_line(&err);
            // A negative answer may already have been printed as the result itself.
            if !(text.is_empty() || (quiet && code == error::exit::NEGATIVE)) {
                // Server messages can quote stored values: escaped like all human output.
                let prefix = if stderr_colour() {
                    "\x1b[1;31moutboxctl:\x1b[0m"
                } else {
                    "outboxctl:"
                };
                render::output::stderr_line(&format!("{prefix} {}", render::output::escape(&text)));
            }
            ExitCode::from(code)
        }
    }
}

/// Errors are red on a terminal, unless NO_COLOR or --color never / --no-color says not.
fn stderr_colour() -> bool {
    use std::io::IsTerminal;
    let args: Vec<String> = std::env::args().collect();
    let never = args
        .iter()
        .any(|a| a == "--no-color" || a == "--color=never")
        || args
            .windows(2)
            .any(|w| w[0] == "--color" && w[1] == "never");
    let always = args.iter().any(|a| a == "--color=always")
        || args
            .windows(2)
            .any(|w| w[0] == "--color" && w[1] == "always");
    if never {
        return false;
    }
    always
        || render::output::color_wanted(
            render::output::ColorChoice::Auto,
            std::io::stderr().is_terminal(),
        )
}

/// clap's own errors, folded to the one line every outboxctl error is; help and version
/// print as clap renders them.
fn usage_error(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        // clap colours help only on a terminal (and honours NO_COLOR); a closed stdout
        // is nobody's loss and must not panic either, but a full one is said.
        if let Err(failed) = err.print()
            && failed.kind() != std::io::ErrorKind::BrokenPipe
        {
            render::output::stderr_line(&format!(
                "outboxctl: writing to standard output failed: {failed}"
            ));
            return ExitCode::from(error::exit::RUNTIME);
        }
        return ExitCode::from(
            if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                error::exit::USAGE
            } else {
                error::exit::OK
            },
        );
    }
    // `ansi()` keeps every character of the user's input (the styles are plain), so
    // control characters in it are escaped below rather than silently dropped.
    let rendered = err.render().ansi().to_string();
    let mut paragraphs = rendered.split("\n\n");
    let mut message: Vec<&str> = paragraphs
        .next()
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    // clap's "did you mean" tips stay, on the same line.
    message.extend(
        paragraphs
            .flat_map(str::lines)
            .map(str::trim)
            .filter(|line| line.starts_with("tip:")),
    );
    let message = message
        .iter()
        .map(|line| match line.split_once("exists: ") {
            Some((tip, suggestion)) if tip.starts_with("tip: a similar") => {
                format!("— did you mean {suggestion}?")
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    render::output::stderr_line(&format!(
        "outboxctl: {} (see --help)",
        render::output::escape(message)
    ));
    ExitCode::from(error::exit::USAGE)
}

/// `outboxctl list | head` closes stdout early; that is the reader's choice, not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
