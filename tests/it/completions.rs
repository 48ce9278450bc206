//! The checked-in completion scripts and man page must match the CLI. Regenerate them
//! with `UPDATE_COMPLETIONS=1 cargo test completions`.

use std::path::Path;

use clap_complete::Shell;
use outboxctl::commands::{render_completions, render_man_page};

fn check(file: &str, expected: String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("completions")
        .join(file);
    if std::env::var_os("UPDATE_COMPLETIONS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{} is stale: run `UPDATE_COMPLETIONS=1 cargo test completions` and commit the result",
        path.display()
    );
}

#[test]
fn completion_scripts_are_current() {
    for (shell, file) in [
        (Shell::Bash, "outboxctl.bash"),
        (Shell::Zsh, "_outboxctl"),
        (Shell::Fish, "outboxctl.fish"),
        (Shell::PowerShell, "_outboxctl.ps1"),
        (Shell::Elvish, "outboxctl.elv"),
    ] {
        check(file, render_completions(shell));
    }
}

#[test]
fn man_page_is_current() {
    check("outboxctl.1", render_man_page());
}

#[test]
fn completions_command_prints_the_script() {
    let out = crate::harness::bare_cmd()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    crate::assert_exit(&out, 0);
    assert_eq!(crate::stdout(&out), render_completions(Shell::Bash));
}
