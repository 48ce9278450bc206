//! The source tree's layers point one way (ARCHITECTURE.md §2): a module may use the
//! layers below its own, never one above it or beside it.

use std::path::Path;

/// Each top-level module and its layer: a module may use layers with a smaller number.
/// `batch` and `diagnose` share a layer, so neither may use the other.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("units", 0),
    ("db", 1),
    ("tables", 2),
    ("render", 3),
    ("batch", 4),
    ("diagnose", 4),
    ("cli", 5),
    ("context", 6),
    ("commands", 7),
    ("lib", 8),
    ("main", 8),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The top-level modules a source text names through `crate::`, test modules left out.
fn used_modules(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut used = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
            group
                .split('}')
                .next()
                .unwrap_or("")
                .split(',')
                .map(|n| n.trim().split("::").next().unwrap_or("").trim())
                .collect()
        } else {
            vec![
                rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                    .next()
                    .unwrap_or(""),
            ]
        };
        // `crate::params!` is the bind-parameter macro of `db/sql.rs`.
        used.extend(
            names
                .into_iter()
                .filter(|n| !n.is_empty())
                .map(|n| if n == "params" { "db" } else { n }.to_string()),
        );
    }
    used
}

#[test]
fn no_module_uses_a_layer_above_or_beside_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut upward = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let own = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        let own_layer = layer(&own).unwrap_or_else(|| panic!("{own} has no layer in LAYERS"));
        let text = std::fs::read_to_string(file).unwrap();
        for used in used_modules(&text) {
            if used == own {
                continue;
            }
            let Some(used_layer) = layer(&used) else {
                panic!(
                    "{} uses crate::{used}, which has no layer",
                    relative.display()
                );
            };
            if used_layer >= own_layer {
                upward.push(format!("{} uses crate::{used}", relative.display()));
            }
        }
    }
    upward.sort();
    upward.dedup();
    assert!(
        upward.is_empty(),
        "arrows that point up or sideways:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_layer_check_sees_grouped_and_plain_paths() {
    assert_eq!(
        used_modules("use crate::{db::x, render::y};\nlet a = crate::tables::z();"),
        ["db", "render", "tables"]
    );
    assert!(used_modules("#[cfg(test)]\nmod t { use crate::commands; }").is_empty());
}
