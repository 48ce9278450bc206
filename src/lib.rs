//! outboxctl: operate transactional-outbox tables in PostgreSQL.
//!
//! The binary is a thin shell over this library so the integration tests can reach the
//! modules; see design.md §4 for the layout.

pub mod catalog;
pub mod cli;
pub mod commands;
pub mod connect;
pub mod conninfo;
pub mod context;
pub mod dedup;
pub mod error;
pub mod ident;
pub mod mutation;
pub mod outbox;
pub mod output;
pub mod schema;
pub mod sql;
pub mod timearg;
pub mod tls;
pub mod walk;

use std::process::ExitCode;

use clap::Parser;

/// Parses the command line, runs the command, and maps the outcome to an exit code with
/// one line on stderr for any failure.
pub fn run() -> ExitCode {
    let cli = cli::Cli::parse();
    let quiet = cli.global.quiet;
    match commands::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let code = error::exit_code(&err);
            let text = error::one_line(&err);
            // A negative answer may already have been printed as the result itself.
            if !(text.is_empty() || (quiet && code == error::exit::NEGATIVE)) {
                eprintln!("outboxctl: {text}");
            }
            ExitCode::from(code)
        }
    }
}

/// `outboxctl list | head` closes stdout early; that is the reader's choice, not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
