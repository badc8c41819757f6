//! The clock the commands read: the current time, in whole seconds.

use std::time::{SystemTime, UNIX_EPOCH};

use mc_core::Timestamp;

/// The current time, from the system clock.
pub(crate) fn now() -> Timestamp {
    let elapsed = SystemTime::now().duration_since(UNIX_EPOCH).expect("the clock is after 1970");
    Timestamp::from_unix(elapsed.as_secs() as i64, 0)
}
