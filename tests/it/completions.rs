//! The checked-in completion scripts and man page must match the CLI. Regenerate them
//! with `UPDATE_COMPLETIONS=1 cargo test completions`.

use std::path::Path;

use clap_complete::Shell;
use outboxctl::commands::render_completions;

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

/// The main page refers to `outboxctl-requeue(1)` and the like: every one is shipped.
#[test]
fn every_subcommand_has_a_current_man_page() {
    let pages = render_subcommand_man_pages();
    let main = render_man_page();
    for (file, page) in &pages {
        check(file, page.clone());
    }
    for name in [
        "outboxctl-requeue",
        "outboxctl-purge",
        "outboxctl-dedup",
        "outboxctl-dedup-mark",
        "outboxctl-delete",
    ] {
        assert!(
            pages.iter().any(|(f, _)| f == &format!("{name}.1")),
            "{name}.1 missing"
        );
    }
    assert!(
        main.contains("outboxctl\\-requeue(1)"),
        "the main page names the subcommand pages"
    );
    // And no page is left over from a subcommand that is gone.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if name.starts_with("outboxctl-") {
            assert!(
                pages.iter().any(|(f, _)| *f == name),
                "{name} is stale: delete it"
            );
        }
    }
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

/// The roff man page, as checked in as `completions/outboxctl.1`.
fn render_man_page() -> String {
    man(outboxctl::cli::command())
}

/// One man page per subcommand (`outboxctl-requeue.1`, `outboxctl-dedup-mark.1`, …), the
/// pages the main page refers to, as checked in under `completions/`.
fn render_subcommand_man_pages() -> Vec<(String, String)> {
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
    let mut command = outboxctl::cli::command();
    command.build();
    let mut pages = Vec::new();
    walk(&command, "outboxctl", &mut pages);
    pages
}

fn man(command: clap::Command) -> String {
    let mut buffer = Vec::new();
    // A page per subcommand but `help`, which has none: no page refers to one.
    fn without_help(command: clap::Command) -> clap::Command {
        command
            .disable_help_subcommand(true)
            .mut_subcommands(without_help)
    }
    clap_mangen::Man::new(without_help(command))
        .render(&mut buffer)
        .expect("rendering to memory cannot fail");
    String::from_utf8(buffer).expect("man page is UTF-8")
}

/// README's install line, on a scratch prefix: the binary runs, every man page the
/// main one refers to is there, and bash loads the completion from where it landed.
#[test]
fn scripts_install_puts_everything_under_a_prefix() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let prefix = tempfile::tempdir().unwrap();
    let binary = assert_cmd::cargo::cargo_bin("outboxctl");
    let out = std::process::Command::new(root.join("scripts/install"))
        .arg("--prefix")
        .arg(prefix.path().join("p"))
        .arg("--binary")
        .arg(&binary)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let p = prefix.path().join("p");
    let version = std::process::Command::new(p.join("bin/outboxctl"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(version.status.success());
    let main_page = std::fs::read_to_string(p.join("share/man/man1/outboxctl.1")).unwrap();
    for page in main_page
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '\\'))
        .map(|w| w.replace("\\-", "-"))
        .filter(|w| w.starts_with("outboxctl-"))
    {
        assert!(
            p.join(format!("share/man/man1/{page}.1")).exists(),
            "outboxctl.1 refers to {page}(1), which is not installed"
        );
    }
    let loaded = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p outboxctl",
            p.join("share/bash-completion/completions/outboxctl")
                .display()
        ))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&loaded.stdout).contains("_outboxctl"),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    for file in [
        "share/zsh/site-functions/_outboxctl",
        "share/fish/vendor_completions.d/outboxctl.fish",
    ] {
        assert!(p.join(file).exists(), "{file}");
    }
}
