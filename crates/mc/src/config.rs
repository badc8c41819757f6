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
        Some(url) => mc_app::redact(url),
        None => format!("SQLite database {}", data.join(SQLITE_FILE).display()),
    }
}

/// The key-encryption key file's name inside the data directory.
const KEK_FILE: &str = "kek";

/// The key-encryption key: `MICROCRED_KEK` (base64) when set, else the file `kek` in the data
/// directory, made (readable by its owner only) when `create` allows. `None` when there is
/// neither: the commands that sign will say so.
pub(crate) fn load_vault(data: &Path, create: Create) -> anyhow::Result<Option<mc_app::KeyVault>> {
    if let Ok(text) = std::env::var("MICROCRED_KEK")
        && !text.is_empty()
    {
        return mc_app::KeyVault::from_base64(&text).map(Some).map_err(|err| anyhow::anyhow!("MICROCRED_KEK: {err}"));
    }
    let path = data.join(KEK_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            mc_app::KeyVault::from_base64(&text).map(Some).map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && create == Create::Yes => {
            std::fs::create_dir_all(data)
                .with_context(|| format!("cannot create the data directory {}", data.display()))?;
            let kek = crate::random::random_seed()?;
            let text = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, kek);
            write_private(&path, &text).with_context(|| format!("cannot create {}", path.display()))?;
            tracing::info!(path = %path.display(), "key-encryption key created");
            mc_app::KeyVault::from_base64(&text).map(Some).map_err(|err| anyhow::anyhow!(err))
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// The directory published status list credentials are written to.
pub(crate) fn status_dir(data: &Path) -> PathBuf {
    data.join("status")
}

/// The status list credentials published in the data directory.
pub(crate) fn published_status_lists(data: &Path) -> Vec<serde_json::Map<String, serde_json::Value>> {
    let Ok(entries) = std::fs::read_dir(status_dir(data)) else { return Vec::new() };
    entries
        .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
        .filter_map(|text| match serde_json::from_str(&text) {
            Ok(serde_json::Value::Object(list)) => Some(list),
            _ => None,
        })
        .collect()
}
