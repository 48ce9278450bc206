//! Error classification: every failure maps to one of the exit codes in ARCHITECTURE.md §5.

use std::fmt;

/// Exit codes shared by every command.
pub mod exit {
    pub const OK: u8 = 0;
    pub const RUNTIME: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const NEGATIVE: u8 = 3;
    /// A change committed, but its report could not be written to stdout; stderr says
    /// what changed.
    pub const OUTPUT_LOST: u8 = 4;
    pub const INTERRUPTED: u8 = 130;
}

/// An error that carries its own exit code. Anything else that reaches `main` is a runtime
/// error (exit 1).
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Invalid usage or input: exit 2, and nothing has been sent to the server.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Failure {
        code: exit::USAGE,
        message: message.into(),
    }
    .into()
}

/// A negative answer (not processed, drift, threshold breached): exit 3. The message is
/// printed on stderr unless it is empty.
pub fn negative(message: impl Into<String>) -> anyhow::Error {
    Failure {
        code: exit::NEGATIVE,
        message: message.into(),
    }
    .into()
}

/// A command's answer once its output is written: a reader that stopped reading
/// (`outboxctl doctor | head -1`) does not turn "something is wrong" (exit 3) into
/// success; any other output failure is the error.
pub fn answer_after_output(
    printed: std::io::Result<()>,
    answer: anyhow::Result<()>,
) -> anyhow::Result<()> {
    match printed {
        Ok(()) => answer,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => answer.and(Err(e.into())),
        Err(e) => Err(e.into()),
    }
}

/// Stopped by Ctrl-C after the batch in flight: exit 130.
pub fn interrupted(message: impl Into<String>) -> anyhow::Error {
    Failure {
        code: exit::INTERRUPTED,
        message: message.into(),
    }
    .into()
}

/// The exit code for an error that reached the top level.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    err.downcast_ref::<Failure>()
        .map_or(exit::RUNTIME, |failure| failure.code)
}
