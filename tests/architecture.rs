//! The module graph is the one `src/lib.rs` documents: every module imports
//! only modules listed above it there, so imports run one way and the
//! graph has no cycle; `cli` is imported only by `app` (and `main.rs`).
//!
//! A module's imports are the `crate::name` paths in its code (comments,
//! doc links included, are left out: a link is not a dependency).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// The documented graph, in order: each module and what it may import.
fn documented() -> Vec<(String, BTreeSet<String>)> {
    let lib = std::fs::read_to_string(Path::new(SRC).join("lib.rs")).unwrap();
    let block: Vec<&str> = lib
        .lines()
        .skip_while(|l| !l.starts_with("//! # Import graph"))
        .skip_while(|l| !l.starts_with("//! ```text"))
        .skip(1)
        .take_while(|l| !l.starts_with("//! ```"))
        .map(|l| l.trim_start_matches("//!").trim())
        .collect();
    assert!(!block.is_empty(), "lib.rs documents the import graph");
    let mut out = Vec::new();
    for line in block {
        match line.split_once('→') {
            Some((module, deps)) => out.push((
                module.trim().trim_end_matches(".rs").to_string(),
                deps.split(',').map(|d| d.trim().to_string()).collect(),
            )),
            // The leaves: `a, b, c   (comment)`.
            None => {
                let names = line.split('(').next().unwrap();
                out.extend(
                    names
                        .split(',')
                        .map(|n| (n.trim().to_string(), BTreeSet::new())),
                );
            }
        }
    }
    out
}

/// Code without comments.
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a text names after `prefix` (`crate::`), both as
/// `crate::a::…` and inside `crate::{a, b::{…}}` groups.
fn named(text: &str, prefix: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (at, _) in text.match_indices(prefix) {
        let rest = &text[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Names at depth 0 of the group.
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && depth == 0 && !c.is_whitespace() => {
                        out.insert(ident(&group[i..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.remove("");
    out.remove("self");
    out
}

/// Each top-level module (and `main`) and the modules its code imports.
fn actual() -> BTreeMap<String, BTreeSet<String>> {
    fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(Path::new(SRC), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(SRC).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = top.trim_end_matches(".rs").to_string();
        if module == "lib" {
            continue;
        }
        let text = code(&std::fs::read_to_string(&file).unwrap());
        let prefix = if module == "main" {
            "authsift::"
        } else {
            "crate::"
        };
        let deps = graph.entry(module.clone()).or_default();
        deps.extend(named(&text, prefix).into_iter().filter(|d| *d != module));
    }
    graph
}

#[test]
fn imports_follow_the_documented_graph() {
    let documented = documented();
    let actual = actual();
    let mut above: BTreeSet<String> = BTreeSet::new();
    let mut listed = BTreeSet::new();
    for (module, deps) in &documented {
        for dep in deps {
            assert!(
                above.contains(dep),
                "lib.rs lists {module} → {dep}, but {dep} is not above {module}"
            );
        }
        above.insert(module.clone());
        listed.insert(module.clone());
    }
    for (module, deps) in &actual {
        let Some((_, allowed)) = documented.iter().find(|(m, _)| m == module) else {
            panic!("module {module} is missing from the import graph in lib.rs");
        };
        let extra: Vec<&String> = deps.difference(allowed).collect();
        assert!(
            extra.is_empty(),
            "{module} imports {extra:?}, which lib.rs does not list for it"
        );
    }
    for module in listed {
        assert!(
            actual.contains_key(&module),
            "lib.rs lists {module}, which does not exist"
        );
    }
}

#[test]
fn only_the_app_layer_knows_the_flags() {
    for (module, deps) in actual() {
        if deps.contains("cli") {
            assert!(
                module == "app" || module == "main",
                "{module} imports cli: resolve flags in app::settings instead"
            );
        }
    }
}

#[test]
fn group_imports_are_read() {
    let text = "use crate::{facts::{self, Fact}, finding};\nuse crate::time;";
    let names: Vec<String> = named(text, "crate::").into_iter().collect();
    assert_eq!(names, ["facts", "finding", "time"]);
}
