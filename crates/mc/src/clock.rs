//! The clock the commands read: the system clock, or the time `--fixed-time` gives (for tests,
//! so that none has to wait for time to pass).

use mc_app::Clock;
use mc_core::Timestamp;

/// The clock `--fixed-time` (or `MICROCRED_FIXED_TIME`) asks for; the system clock without it.
pub(crate) fn from_option(fixed: Option<&str>) -> anyhow::Result<Clock> {
    match fixed {
        None => Ok(Clock::System),
        Some(raw) => {
            let at = Timestamp::parse(raw).map_err(|err| anyhow::anyhow!("--fixed-time: {err}"))?;
            Ok(Clock::Fixed(at))
        }
    }
}
