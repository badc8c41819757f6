//! Where the data lives and where it is published: the data directory, the database URL and
//! the public URL.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    path::{Path, PathBuf},
};

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

/// Whether the data directory holds a SQLite database; an error when that cannot be told (a
/// directory that cannot be read, say).
pub(crate) fn sqlite_database_exists(data: &Path) -> anyhow::Result<bool> {
    let path = data.join(SQLITE_FILE);
    path.try_exists().with_context(|| format!("cannot tell whether there is a database at {}", path.display()))
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

/// The public URL the commands give the application: `--public-url` (or
/// `MICROCRED_PUBLIC_URL`) when given, checked to be an `http` or `https` URL, else
/// [`mc_app::DEFAULT_PUBLIC_URL`]. (`serve` defaults to the address it listens on instead.)
pub(crate) fn public_url(explicit: Option<&str>) -> anyhow::Result<String> {
    match explicit {
        Some(raw) => {
            mc_core::HttpUrl::parse(raw)
                .map_err(|err| anyhow::anyhow!("--public-url (or MICROCRED_PUBLIC_URL): {err}"))?;
            Ok(raw.trim().to_owned())
        }
        None => Ok(mc_app::DEFAULT_PUBLIC_URL.to_owned()),
    }
}

/// The URL of the address bound, as this machine reaches it: an address of every interface
/// (`0.0.0.0`, `::`) is reached at loopback.
pub(crate) fn local_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// Whether `url` is the address `addr` served over plain HTTP: `Some(false)` when it names a
/// machine by IP address or as `localhost` and that is not `addr` (another address or port, or
/// `https`, which this server does not speak), a mistake worth a warning; `None` for a domain
/// name, which a proxy may well forward here. An address of every interface matches any host.
pub(crate) fn names_address(url: &str, addr: SocketAddr) -> Option<bool> {
    let parsed = mc_core::HttpUrl::parse(url).ok()?;
    let parsed = parsed.url();
    let host = parsed.host_str()?;
    let host_matches = match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        Ok(ip) => addr.ip().is_unspecified() || ip == addr.ip(),
        Err(_) if host.eq_ignore_ascii_case("localhost") => addr.ip().is_unspecified() || addr.ip().is_loopback(),
        Err(_) => return None,
    };
    Some(host_matches && parsed.scheme() == "http" && parsed.port_or_known_default() == Some(addr.port()))
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

#[cfg(test)]
mod tests {
    use crate::config::{local_url, names_address};

    #[test]
    fn the_local_url_is_the_address_bound_reached_from_this_machine() {
        assert_eq!(local_url("127.0.0.1:9000".parse().unwrap()), "http://127.0.0.1:9000");
        assert_eq!(local_url("0.0.0.0:9000".parse().unwrap()), "http://127.0.0.1:9000");
        assert_eq!(local_url("[::]:9000".parse().unwrap()), "http://[::1]:9000");
        assert_eq!(local_url("[::1]:9000".parse().unwrap()), "http://[::1]:9000");
    }

    #[test]
    fn a_public_url_names_the_address_bound_or_not() {
        let loopback = "127.0.0.1:9000".parse().unwrap();
        let every = "0.0.0.0:80".parse().unwrap();
        for (url, addr, expected) in [
            ("http://127.0.0.1:9000", loopback, Some(true)),
            ("http://127.0.0.1:9000/", loopback, Some(true)),
            ("http://localhost:9000", loopback, Some(true)),
            ("http://127.0.0.1:8080", loopback, Some(false)),
            ("http://127.0.0.2:9000", loopback, Some(false)),
            ("https://127.0.0.1:9000", loopback, Some(false)),
            ("http://[::1]:9000", loopback, Some(false)),
            ("http://192.0.2.7", every, Some(true)),
            ("http://localhost", every, Some(true)),
            ("http://192.0.2.7:8080", every, Some(false)),
            ("https://credentials.example", loopback, None),
        ] {
            assert_eq!(names_address(url, addr), expected, "{url} on {addr}");
        }
    }
}
