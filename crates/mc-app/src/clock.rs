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
    pub fn now(self) -> Timestamp {
        let (seconds, _) = self.precise();
        Timestamp::from_unix(i64::try_from(seconds).unwrap_or(i64::MAX), 0)
    }

    /// Seconds and nanoseconds since 1970.
    #[allow(clippy::disallowed_methods, reason = "the one reading of the system clock")]
    fn precise(self) -> (u64, u32) {
        match self {
            Clock::System => {
                let elapsed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                (elapsed.as_secs(), elapsed.subsec_nanos())
            }
            Clock::Fixed(at) => (u64::try_from(at.unix_seconds()).unwrap_or(0), 0),
        }
    }

    /// A fresh UUID, version 7: its time is this clock's and ids made one after the other sort
    /// in that order, even within one millisecond or at a fixed time (a counter that the uuid
    /// crate's `ContextV7` keeps); the rest is random.
    pub fn new_id(self) -> uuid::Uuid {
        static SEQUENCE: std::sync::Mutex<uuid::ContextV7> = std::sync::Mutex::new(uuid::ContextV7::new());
        let (seconds, nanos) = self.precise();
        let sequence = SEQUENCE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        uuid::Uuid::new_v7(uuid::Timestamp::from_unix(&*sequence, seconds, nanos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_stands_still_and_its_ids_still_sort_in_the_order_made() {
        let at = Timestamp::parse("2026-06-01T09:00:00Z").unwrap();
        let clock = Clock::Fixed(at);
        assert_eq!((clock.now(), clock.now()), (at, at));
        let ids: Vec<uuid::Uuid> = (0..1_000).map(|_| clock.new_id()).collect();
        assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "ids sort in the order they were made");
        assert!(ids.iter().all(|id| id.get_version_num() == 7));
        let (seconds, _) = ids[0].get_timestamp().unwrap().to_unix();
        assert_eq!(seconds, 1_780_304_400, "an id carries the clock's time");
    }
}
