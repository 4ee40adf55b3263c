//! The house rules the compiler does not check, checked on the source text:
//!
//! * imports between the files of a directory module point one way (no cycle), counting
//!   `use super::x…` and `super::x::…` paths in a child, `use x::…` and `x::…` paths in the
//!   `mod.rs`; a child that names an item of `mod.rs` depends on `mod.rs` (declaring a child
//!   with `mod x;` is not a dependency);
//! * no file is longer than [`MAX_FILE_LINES`] lines and no function longer than
//!   [`MAX_FN_LINES`] lines (unit tests at the end of a file, after `#[cfg(test)]`, not
//!   counted).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 600;
const MAX_FN_LINES: usize = 150;

/// The crates whose sources the rules apply to.
const CRATES: &[&str] = &["host/src", "local-swf/src", "swf-model/src"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// A file's code: comments dropped, and nothing from the first `#[cfg(test)]` on.
fn code(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .take_while(|l| l.trim() != "#[cfg(test)]")
        .map(|l| match l.find("//") {
            Some(i) => l[..i].to_owned(),
            None => l.to_owned(),
        })
        .collect()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The first identifiers of the top-level segments of a use tree (`{a::b, c}` → a, c).
fn heads(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let ident = |s: &str| {
        s.trim()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<String>()
    };
    let Some(inner) = tree.strip_prefix('{') else {
        return vec![ident(tree)];
    };
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    let inner = inner.trim_end_matches(';').trim_end().trim_end_matches('}');
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(ident(&inner[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(ident(&inner[start..]));
    out.retain(|h| !h.is_empty());
    out
}

/// The sibling modules (or `mod`, for items of `mod.rs`) each file of directory module `dir`
/// depends on.
fn module_graph(dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let children: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            let stem = path.file_stem()?.to_str()?.to_owned();
            (stem != "mod" && (path.is_dir() || path.extension().is_some_and(|e| e == "rs")))
                .then_some(stem)
        })
        .collect();
    let mut graph = BTreeMap::new();
    for name in children.iter().chain(std::iter::once(&"mod".to_owned())) {
        let file = [
            dir.join(format!("{name}.rs")),
            dir.join(name).join("mod.rs"),
        ]
        .into_iter()
        .find(|p| p.is_file());
        let Some(file) = file else { continue };
        let text = code(&file).join("\n");
        let mut deps = BTreeSet::new();
        for statement in text.split(';') {
            let s = statement.trim();
            let Some(tree) = s
                .strip_prefix("pub(crate) use ")
                .or_else(|| s.strip_prefix("pub use "))
                .or_else(|| s.strip_prefix("use "))
                .or_else(|| s.rsplit_once("\nuse ").map(|(_, t)| t))
            else {
                continue;
            };
            let tree = tree.trim();
            if name == "mod" {
                deps.extend(heads(tree).into_iter().filter(|h| children.contains(h)));
            } else if let Some(rest) = tree.strip_prefix("super::") {
                for head in heads(rest) {
                    deps.insert(if children.contains(&head) {
                        head
                    } else {
                        "mod".into()
                    });
                }
            }
        }
        if name == "mod" {
            // `child::f(…)` in the code of `mod.rs`.
            for child in &children {
                let path = format!("{child}::");
                let used = text.match_indices(&path).any(|(i, _)| {
                    !text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
                });
                if used {
                    deps.insert(child.clone());
                }
            }
        } else {
            for (i, _) in text.match_indices("super::") {
                let rest = &text[i + "super::".len()..];
                let head: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if children.contains(&head) && rest[head.len()..].starts_with("::") {
                    deps.insert(head);
                }
            }
        }
        deps.remove(name);
        graph.insert(name.clone(), deps);
    }
    graph
}

/// A cycle in `graph`, as the list of modules along it, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn directory_modules() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for krate in CRATES {
        for file in rust_files(&workspace().join(krate)) {
            if file.file_name().is_some_and(|n| n == "mod.rs") {
                dirs.push(file.parent().unwrap().to_path_buf());
            }
        }
    }
    dirs
}

#[test]
fn imports_between_sibling_modules_point_one_way() {
    let mut cycles = Vec::new();
    for dir in directory_modules() {
        if let Some(cycle) = find_cycle(&module_graph(&dir)) {
            let dir = dir.strip_prefix(workspace()).unwrap().display().to_string();
            cycles.push(format!("{dir}: {}", cycle.join(" → ")));
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_cycle_check_sees_a_cycle() {
    let dir = std::env::temp_dir().join(format!("swfwasm-architecture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("mod.rs"), "mod a;\nmod b;\npub use a::A;\n").unwrap();
    std::fs::write(dir.join("a.rs"), "use super::b::B;\npub struct A;\n").unwrap();
    std::fs::write(dir.join("b.rs"), "pub struct B(super::a::A);\n").unwrap();
    let graph = module_graph(&dir);
    let cycle = find_cycle(&graph);
    std::fs::write(dir.join("b.rs"), "use super::A;\npub struct B;\n").unwrap();
    let through_mod = find_cycle(&module_graph(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        cycle,
        Some(vec!["a".into(), "b".into(), "a".into()]),
        "{graph:?}"
    );
    assert!(through_mod.is_some_and(|c| c.contains(&"mod".to_owned())));
}

#[test]
fn files_and_functions_stay_short() {
    let mut long = Vec::new();
    for krate in CRATES {
        for file in rust_files(&workspace().join(krate)) {
            let lines = code(&file);
            let name = file
                .strip_prefix(workspace())
                .unwrap()
                .display()
                .to_string();
            if lines.len() > MAX_FILE_LINES {
                long.push(format!("{name}: {} lines", lines.len()));
            }
            for (start, line) in lines.iter().enumerate() {
                let trimmed = line.trim_start();
                let is_fn = [
                    "fn ",
                    "pub fn ",
                    "pub(crate) fn ",
                    "async fn ",
                    "pub async fn ",
                ]
                .iter()
                .chain(&["pub(crate) async fn ", "const fn ", "pub const fn "])
                .any(|p| trimmed.starts_with(p));
                if !is_fn || line.trim_end().ends_with(';') {
                    continue;
                }
                let indent = &line[..line.len() - trimmed.len()];
                let close = format!("{indent}}}");
                if let Some(len) = lines[start..].iter().position(|l| l.trim_end() == close)
                    && len + 1 > MAX_FN_LINES
                {
                    long.push(format!(
                        "{name}:{}: a function of {} lines",
                        start + 1,
                        len + 1
                    ));
                }
            }
        }
    }
    assert!(long.is_empty(), "too long:\n{}", long.join("\n"));
}
