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

#[test]
fn pure_crates_stay_pure() {
    let forbidden = ["tokio", "sqlx", "axum", "tower-http", "clap", "reqwest", "ureq", "mc-store", "mc-app", "mc-web"];
    for krate in ["mc-core", "mc-vc"] {
        let manifest = std::fs::read_to_string(workspace().join("crates").join(krate).join("Cargo.toml")).unwrap();
        let manifest: toml::Table = toml::from_str(&manifest).unwrap();
        let dependencies = manifest.get("dependencies").and_then(|deps| deps.as_table()).cloned().unwrap_or_default();
        for name in forbidden {
            assert!(!dependencies.contains_key(name), "{krate} must not depend on {name}");
        }
    }
    let app = std::fs::read_to_string(workspace().join("crates/mc-app/Cargo.toml")).unwrap();
    let app: toml::Table = toml::from_str(&app).unwrap();
    for name in ["axum", "tower-http", "clap", "mc-web"] {
        assert!(!app["dependencies"].as_table().unwrap().contains_key(name), "mc-app must not depend on {name}");
    }
}
