//! Where the data lives: the data directory and the database URL.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// The SQLite database file's name inside the data directory.
const SQLITE_FILE: &str = "microcred.db";

/// Whether a command may create the database when it does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Create {
    /// `init`, `demo` and `serve` set up a fresh data directory.
    Yes,
    /// Other commands refuse, so that a mistyped `--data` does not start an empty database.
    No,
}

/// The database URL to open: the explicit one, else SQLite in the data directory.
pub(crate) fn database_url(data: &Path, explicit: Option<&str>, create: Create) -> anyhow::Result<String> {
    if let Some(url) = explicit {
        return Ok(url.to_owned());
    }
    let path = data.join(SQLITE_FILE);
    let mode = match create {
        Create::Yes => {
            std::fs::create_dir_all(data)
                .with_context(|| format!("cannot create the data directory {}", data.display()))?;
            "rwc"
        }
        Create::No if !path.exists() => bail!(
            "there is no microcred database at {}: run `microcred init` first, or point --data or \
             --database-url at an existing one",
            path.display()
        ),
        Create::No => "rw",
    };
    Ok(format!("sqlite://{}?mode={mode}", url_path(&path)))
}

/// The path as it goes in a SQLite URL, whose path part is percent-decoded.
fn url_path(path: &Path) -> String {
    let path = absolute(path);
    path.display().to_string().replace('%', "%25").replace('?', "%3F").replace('#', "%23")
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// What to call the database in messages: its file, or its URL without password.
pub(crate) fn describe(data: &Path, explicit: Option<&str>) -> String {
    match explicit {
        Some(url) => mc_store::redact(url),
        None => format!("SQLite database {}", data.join(SQLITE_FILE).display()),
    }
}
