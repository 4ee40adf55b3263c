//! [`Backoff`]: exponential backoff with full jitter, the one schedule of every retry in the
//! host (SWF calls, failed polls, a worker's reconnects). A leaf: imports nothing of the crate.

use std::time::Duration;

/// Before retry `n` (1-based) wait a uniformly random time in `[0, min(max, base · 2ⁿ⁻¹))`
/// ("full jitter"), so a fleet of workers hitting the same throttle or outage spreads out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// The ceiling before the first retry; doubles for each further retry.
    pub(crate) base: Duration,
    /// Upper bound of any single wait.
    pub(crate) max: Duration,
}

impl Backoff {
    /// The ceiling of the wait before retry `retry` (1-based); never overflows.
    pub(crate) fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max)
    }

    /// A random wait before retry `retry` (1-based), below its [`ceiling`](Self::ceiling).
    /// Jitter needs no cryptographic quality: the thread-local generator of `rand` serves.
    pub(crate) fn delay(&self, retry: u32) -> Duration {
        self.ceiling(retry).mul_f64(rand::random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_doubles_up_to_the_cap_and_draws_stay_below_it() {
        let backoff = Backoff {
            base: Duration::from_millis(50),
            max: Duration::from_secs(5),
        };
        assert_eq!(backoff.ceiling(1), Duration::from_millis(50));
        assert_eq!(backoff.ceiling(2), Duration::from_millis(100));
        assert_eq!(backoff.ceiling(4), Duration::from_millis(400));
        assert_eq!(backoff.ceiling(40), backoff.max);
        assert_eq!(backoff.ceiling(0), Duration::from_millis(50));
        for retry in 1..=200 {
            let delay = backoff.delay(retry);
            assert!(delay <= backoff.ceiling(retry), "retry {retry}: {delay:?}");
        }
        let draws: std::collections::HashSet<Duration> =
            (0..50).map(|_| backoff.delay(8)).collect();
        assert!(draws.len() > 1, "the draws are random");
    }
}
