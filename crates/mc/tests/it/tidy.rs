//! Checks on the source tree itself: file headers, the dependency direction, and the command
//! line's modules in leaves.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).unwrap().to_owned()
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn every_file_says_what_it_is_for() {
    let mut files = Vec::new();
    rust_files(&workspace().join("crates"), &mut files);
    let missing: Vec<_> = files
        .iter()
        .filter(|path| !std::fs::read_to_string(path).unwrap().starts_with("//! "))
        .map(|path| path.display().to_string())
        .collect();
    assert!(missing.is_empty(), "files without a `//!` header: {missing:#?}");
}

fn dependencies(krate: &str) -> toml::Table {
    let manifest = std::fs::read_to_string(workspace().join("crates").join(krate).join("Cargo.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&manifest).unwrap();
    manifest.get("dependencies").and_then(|deps| deps.as_table()).cloned().unwrap_or_default()
}

/// The layering of ARCHITECTURE.md: each crate may depend on the ones below it only.
#[test]
fn crates_depend_only_on_the_layers_below() {
    let io = ["tokio", "sqlx", "axum", "tower-http", "clap", "reqwest", "ureq"];
    let rules: [(&str, &[&str]); 6] = [
        ("mc-core", &[&io[..], &["mc-vc", "mc-catalogue", "mc-store", "mc-app", "mc-web"]].concat()),
        // Documents only: the supplement's layout knows nothing of credentials or storage.
        ("mc-pdf", &[&io[..], &["mc-core", "mc-vc", "mc-catalogue", "mc-store", "mc-app", "mc-web"]].concat()),
        ("mc-vc", &[&io[..], &["mc-catalogue", "mc-store", "mc-app", "mc-web"]].concat()),
        ("mc-catalogue", &[&io[..], &["mc-vc", "mc-store", "mc-app", "mc-web"]].concat()),
        ("mc-app", &["axum", "tower-http", "clap", "mc-web"]),
        // The front ends reach the data through mc-app's handles only.
        ("mc-web", &["mc-store", "sqlx", "clap"]),
    ];
    for (krate, forbidden) in rules {
        let dependencies = dependencies(krate);
        for name in forbidden {
            assert!(!dependencies.contains_key(*name), "{krate} must not depend on {name}");
        }
    }
    for name in ["mc-store", "sqlx"] {
        assert!(!dependencies("mc").contains_key(name), "mc must not depend on {name}");
    }
    // krilla, a heavy build, stays in the crate made for it.
    for krate in ["mc-core", "mc-vc", "mc-catalogue", "mc-store", "mc-app", "mc-web", "mc"] {
        assert!(!dependencies(krate).contains_key("krilla"), "only mc-pdf may depend on krilla, not {krate}");
    }
}

/// Only the command line acts as the operator: the server reaches the use cases through the
/// handles of authenticated principals.
#[test]
fn the_server_never_acts_as_the_operator() {
    let mut files = Vec::new();
    rust_files(&workspace().join("crates/mc-web/src"), &mut files);
    assert!(!files.is_empty());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        // Words of the code, not of comments or strings: `.operator ()`, `App::operator(&app)` and
        // `Operator` are all refused.
        let named = tokens(&text).into_iter().find(|token| token == "operator" || token == "Operator");
        assert!(named.is_none(), "{} names the operator", path.display());
    }
}

/// The command line in leaves (ARCHITECTURE.md, `crates/mc`): the modules beside `main.rs` are
/// leaves (clock, input, output, configuration, …) and the command modules live in
/// `src/commands/`. A command module reaches the rest of the binary only through `crate::<leaf>`
/// paths: no `super::` path and no `crate::commands`, so no command module imports another; and
/// a leaf reaches no command module either.
#[test]
fn command_modules_import_only_leaves() {
    let src = workspace().join("crates/mc/src");
    let mut leaves = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let is_module = match path.is_dir() {
            true => path.join("mod.rs").is_file(),
            false => path.extension().is_some_and(|ext| ext == "rs"),
        };
        if is_module && name != "main" && name != "commands" {
            leaves.push(name);
        }
    }
    leaves.sort();
    for leaf in ["clock", "input", "output"] {
        assert!(leaves.iter().any(|name| name == leaf), "no leaf module {leaf} in {}", src.display());
    }
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.retain(|path| *path != src.join("main.rs"));
    let commands = files.iter().filter(|path| path.starts_with(src.join("commands"))).count();
    assert!(commands > 5, "the command modules are not in {}", src.join("commands").display());

    let mut wrong = Vec::new();
    for path in &files {
        let tokens = tokens(&std::fs::read_to_string(path).unwrap());
        let file = path.strip_prefix(&src).unwrap().display().to_string();
        for (idx, token) in tokens.iter().enumerate() {
            let followed_by_path = tokens.get(idx + 1).is_some_and(|next| next == "::");
            if token == "super" && followed_by_path {
                wrong.push(format!("{file}: `super::` (reach the leaves as `crate::<leaf>`)"));
            }
            if token == "crate" && followed_by_path {
                for module in first_segments(&tokens[idx + 2..]) {
                    if !leaves.contains(&module) {
                        wrong.push(format!("{file}: `crate::{module}`, which is not a leaf module"));
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "command modules import only the leaf modules {leaves:?}, and leaves no command module: {wrong:#?}"
    );
}

/// The first segment of each path a `crate::` path continues into: `x` in `crate::x::y`, and
/// `a` and `b` in `crate::{a::c, b}`.
fn first_segments(tokens: &[String]) -> Vec<String> {
    let Some(first) = tokens.first() else { return Vec::new() };
    if first != "{" {
        return vec![first.clone()];
    }
    let mut segments = Vec::new();
    let mut depth = 0;
    let mut at_start = true;
    for token in tokens {
        match token.as_str() {
            "{" => {
                depth += 1;
                at_start = depth == 1;
            }
            "}" if depth == 1 => break,
            "}" => depth -= 1,
            "," if depth == 1 => at_start = true,
            _ if at_start => {
                segments.push(token.clone());
                at_start = false;
            }
            _ => {}
        }
    }
    segments
}

/// Rust source as tokens, without comments and literals: identifiers and keywords, `::`, and
/// every other character alone. Enough to follow paths.
fn tokens(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let at = |idx: usize| chars.get(idx).copied().unwrap_or('\0');
    let mut tokens = Vec::new();
    let mut idx = 0;
    while idx < chars.len() {
        let start = idx;
        match (at(idx), at(idx + 1)) {
            (ch, _) if ch.is_whitespace() => idx += 1,
            ('/', '/') => {
                while idx < chars.len() && at(idx) != '\n' {
                    idx += 1;
                }
            }
            ('/', '*') => {
                idx += 2;
                while idx < chars.len() && !(at(idx) == '*' && at(idx + 1) == '/') {
                    idx += 1;
                }
                idx += 2;
            }
            ('"', _) => idx = end_of_string(&chars, idx + 1, 0),
            ('b', '"') => idx = end_of_string(&chars, idx + 2, 0),
            ('b' | 'r', _) if raw_string_hashes(&chars, idx).is_some() => {
                let (open, hashes) = raw_string_hashes(&chars, idx).unwrap();
                idx = end_of_string(&chars, open + 1, hashes);
            }
            ('\'', '\\') => {
                idx += 3;
                while idx < chars.len() && at(idx) != '\'' {
                    idx += 1;
                }
                idx += 1;
            }
            ('\'', _) if at(idx + 2) == '\'' => idx += 3,
            (ch, _) if ch.is_alphanumeric() || ch == '_' => {
                while at(idx).is_alphanumeric() || at(idx) == '_' {
                    idx += 1;
                }
                tokens.push(chars[start..idx].iter().collect());
            }
            (':', ':') => {
                idx += 2;
                tokens.push("::".to_owned());
            }
            (ch, _) => {
                idx += 1;
                tokens.push(ch.to_string());
            }
        }
    }
    tokens
}

/// Where a raw string starting at `idx` (`r"`, `r#"`, `br##"`, …) opens its quote, and how many
/// `#` it has; `None` when no raw string starts there.
fn raw_string_hashes(chars: &[char], idx: usize) -> Option<(usize, usize)> {
    let mut idx = idx + usize::from(chars.get(idx) == Some(&'b'));
    if chars.get(idx) != Some(&'r') {
        return None;
    }
    idx += 1;
    let hashes = chars[idx..].iter().take_while(|ch| **ch == '#').count();
    (chars.get(idx + hashes) == Some(&'"')).then_some((idx + hashes, hashes))
}

/// The index after a string whose text starts at `idx` and which ends with `"` and `hashes` `#`.
fn end_of_string(chars: &[char], mut idx: usize, hashes: usize) -> usize {
    while idx < chars.len() {
        match chars[idx] {
            '\\' if hashes == 0 => idx += 2,
            '"' if chars[idx + 1..].iter().take(hashes).filter(|ch| **ch == '#').count() == hashes => {
                return idx + 1 + hashes;
            }
            _ => idx += 1,
        }
    }
    idx
}
