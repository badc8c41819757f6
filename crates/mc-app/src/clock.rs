//! The one place the use cases read the time and make fresh ids from: the system clock, or a
//! time fixed by the caller (tests, and `microcred --fixed-time`), so that nothing needs to
//! sleep for time to pass. Everything else is forbidden from reading the system clock or making
//! time-based ids (clippy's `disallowed-methods` in `clippy.toml`).

use mc_core::Timestamp;

/// Where the time and fresh ids come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// Always this time.
    Fixed(Timestamp),
}

impl Clock {
    /// The time now, in whole seconds.
    #[allow(clippy::disallowed_methods, reason = "the one reading of the system clock")]
    pub fn now(self) -> Timestamp {
        match self {
            Clock::System => {
                let elapsed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                Timestamp::from_unix(i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX), 0)
            }
            Clock::Fixed(at) => at,
        }
    }

    /// A fresh UUID (version 7: its time is this clock's, the rest random), so that ids sort
    /// by the time they were made.
    pub fn new_id(self) -> uuid::Uuid {
        let seconds = u64::try_from(self.now().unix_seconds()).unwrap_or(0);
        uuid::Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, seconds, 0))
    }
}
