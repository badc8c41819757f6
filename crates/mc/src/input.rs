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
    let bytes = read_bytes(path, limit)?;
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("cannot read {path}: it is not UTF-8 text"))
}

/// The bytes of the file at `path`, or of standard input for `-`, refused beyond `limit`.
pub(crate) fn read_bytes(path: &str, limit: u64) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    match path {
        "-" => std::io::stdin().take(limit + 1).read_to_end(&mut bytes).context("cannot read standard input")?,
        _ => std::fs::File::open(path)
            .and_then(|file| file.take(limit + 1).read_to_end(&mut bytes))
            .with_context(|| format!("cannot read {path}"))?,
    };
    if bytes.len() as u64 > limit {
        anyhow::bail!("{path} is larger than {} KiB", limit / 1024);
    }
    Ok(bytes)
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

/// The most bytes a seal key file may have: a key and a chain of a few certificates.
const SEAL_FILE_LIMIT: u64 = 1024 * 1024;

fn read_small(path: &std::path::Path, what: &str) -> anyhow::Result<Vec<u8>> {
    let size = std::fs::metadata(path).with_context(|| format!("cannot read the {what} {}", path.display()))?.len();
    if size > SEAL_FILE_LIMIT {
        anyhow::bail!("the {what} {} is larger than {} KiB", path.display(), SEAL_FILE_LIMIT / 1024);
    }
    std::fs::read(path).with_context(|| format!("cannot read the {what} {}", path.display()))
}

/// An institution's seal key from PEM files: the private key and the certificate chain.
pub(crate) fn read_seal_pem(key: &std::path::Path, chain: &std::path::Path) -> anyhow::Result<mc_vc::jades::SealKey> {
    let key_pem = String::from_utf8(read_small(key, "key file")?)
        .map_err(|_| anyhow::anyhow!("the key file {} is not PEM text", key.display()))?;
    let key_pem = zeroize::Zeroizing::new(key_pem);
    let chain_pem = read_small(chain, "certificate file")?;
    mc_vc::jades::SealKey::from_pem(&key_pem, &chain_pem).map_err(|err| anyhow::anyhow!("{err}"))
}

/// An institution's seal key from a PKCS#12 file (`.p12`, `.pfx`) opened with `password`: its
/// private key and the certificate chain it holds, the key's certificate first.
pub(crate) fn read_seal_pkcs12(path: &std::path::Path, password: &str) -> anyhow::Result<mc_vc::jades::SealKey> {
    let bytes = read_small(path, "PKCS#12 file")?;
    let store = p12_keystore::KeyStore::from_pkcs12(&bytes, password).map_err(|err| {
        anyhow::anyhow!("{} cannot be opened as PKCS#12 with the password given: {err}", path.display())
    })?;
    let (_, entry) = store
        .private_key_chain()
        .ok_or_else(|| anyhow::anyhow!("{} holds no private key with its certificate", path.display()))?;
    let chain = entry
        .chain()
        .iter()
        .map(|certificate| mc_vc::jades::SealCertificate::from_der(certificate.as_der()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
    let key = zeroize::Zeroizing::new(entry.key().to_vec());
    mc_vc::jades::SealKey::from_pkcs8_der(&key, chain).map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))
}
