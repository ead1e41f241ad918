//! The shell's clock. The domain core never reads time; it is passed `now`. Tests shift this
//! clock to exercise session expiry and deadlines.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }
    /// Sets this clock to `t` (tests and demonstrations).
    pub fn set(&self, t: DateTime<Utc>) {
        self.offset_secs
            .store((t - Utc::now()).num_seconds(), Ordering::Relaxed);
    }

    /// Moves this clock forward (tests only in practice).
    pub fn advance(&self, by: Duration) {
        self.offset_secs
            .fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}
