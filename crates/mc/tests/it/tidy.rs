//! Checks on the source tree itself: file headers and the dependency direction.

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
    let rules: [(&str, &[&str]); 5] = [
        ("mc-core", &[&io[..], &["mc-vc", "mc-catalogue", "mc-store", "mc-app", "mc-web"]].concat()),
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
}

/// Only the command line acts as the operator: the server reaches the use cases through the
/// handles of authenticated principals.
#[test]
fn the_server_never_acts_as_the_operator() {
    let mut files = Vec::new();
    rust_files(&workspace().join("crates/mc-web/src"), &mut files);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(".operator()"), "{} acts as the operator", path.display());
    }
}
