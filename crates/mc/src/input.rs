//! What the commands read: files or standard input, with a size limit, documents in JSON or
//! TOML, and certificates (seal anchors).

use std::io::Read;

use anyhow::Context;
use mc_app::{Format, parse_document};

/// The largest document file accepted.
pub(crate) const MAX_INPUT_BYTES: u64 = 10 * 1024 * 1024;

/// Reads a JSON or TOML document from a file, or from standard input for `-`.
pub(crate) fn read_document<T: serde::de::DeserializeOwned>(path: &str) -> anyhow::Result<T> {
    let text = read_input(path, MAX_INPUT_BYTES)?;
    let format = match path {
        "-" => Format::sniff(&text),
        _ => Format::from_extension(path).unwrap_or_else(|| Format::sniff(&text)),
    };
    parse_document(&text, format).with_context(|| format!("{path} was not added"))
}

/// Reads a file, or standard input for `-`, refusing more than `limit` bytes.
pub(crate) fn read_input(path: &str, limit: u64) -> anyhow::Result<String> {
    let mut text = String::new();
    match path {
        "-" => std::io::stdin().take(limit + 1).read_to_string(&mut text).context("cannot read standard input")?,
        _ => std::fs::File::open(path)
            .and_then(|file| file.take(limit + 1).read_to_string(&mut text))
            .with_context(|| format!("cannot read {path}"))?,
    };
    if text.len() as u64 > limit {
        anyhow::bail!("{path} is larger than {} KiB", limit / 1024);
    }
    Ok(text)
}

/// The certificates of `paths` (PEM or DER), for `--seal-anchor`.
pub(crate) fn read_seal_anchors(paths: &[std::path::PathBuf]) -> anyhow::Result<Vec<mc_vc::jades::SealCertificate>> {
    let mut anchors = Vec::new();
    for path in paths {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read the seal anchor {}", path.display()))?;
        let read = mc_vc::jades::SealCertificate::read_file(&bytes)
            .map_err(|err| anyhow::anyhow!("{} is not a certificate: {err}", path.display()))?;
        anchors.extend(read);
    }
    Ok(anchors)
}
