//! Randomness for new keys: seeds drawn from the operating system.

/// 32 bytes from the operating system's random source.
pub(crate) fn random_seed() -> anyhow::Result<[u8; 32]> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|err| anyhow::anyhow!("cannot draw random bytes: {err}"))?;
    Ok(seed)
}
