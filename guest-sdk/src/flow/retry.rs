//! Retries of an activity: how many attempts, and how long to wait between them. The wait is
//! the same on every replay and in every language of the flow API (`guest-sdk/FLOW.md`).

/// Retries of an activity: attempts, and exponential backoff between them with a jitter that is
/// derived from the run id (so a replay waits exactly as long as the first run did).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all (1 = no retry).
    pub max_attempts: u32,
    /// Wait before the second attempt, in seconds.
    pub initial_interval_secs: u64,
    /// Factor between consecutive waits.
    pub backoff: f64,
    /// Longest wait, in seconds.
    pub max_interval_secs: u64,
}

impl RetryPolicy {
    /// `attempts` attempts, waiting 1 s, 2 s, 4 s, … (at most 5 minutes) between them.
    pub fn attempts(attempts: u32) -> Self {
        Self {
            max_attempts: attempts.max(1),
            initial_interval_secs: 1,
            backoff: 2.0,
            max_interval_secs: 300,
        }
    }

    /// The wait after failed attempt `attempt` (1-based): the exponential interval scaled by a
    /// jitter in [0.5, 1.0] drawn from `seed`.
    pub(super) fn wait_secs(&self, attempt: u32, seed: u64) -> u64 {
        let exponential = self.initial_interval_secs as f64 * self.backoff.powi(attempt as i32 - 1);
        let capped = exponential.min(self.max_interval_secs as f64);
        let jitter = 0.5 + (seed % 1_000) as f64 / 2_000.0;
        (capped * jitter).round() as u64
    }
}

/// The seed of an activity's jitter: FNV-1a over the run id, a zero byte and the activity id.
pub(super) fn jitter_seed(run_id: &str, activity_id: &str) -> u64 {
    fnv1a(run_id.as_bytes(), activity_id.as_bytes())
}

/// FNV-1a over two byte strings: a stable, dependency-free seed for the retry jitter.
fn fnv1a(a: &[u8], b: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in a.iter().chain([0u8].iter()).chain(b) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The waits every flow API computes for these runs (the JavaScript and Python unit tests
    /// assert the same figures).
    #[test]
    fn backoff_waits_are_the_cross_language_figures() {
        let waits = |run: &str, id: &str, policy: RetryPolicy| -> Vec<u64> {
            let seed = jitter_seed(run, id);
            (1..policy.max_attempts)
                .map(|k| policy.wait_secs(k, seed.rotate_left(k)))
                .collect()
        };
        assert_eq!(jitter_seed("run", "Pay-1"), 0xdcd3_f233_a38f_3c1a);
        assert_eq!(
            waits("run", "Pay-1", RetryPolicy::attempts(6)),
            [1, 1, 2, 6, 10]
        );
        let policy = RetryPolicy {
            max_attempts: 8,
            initial_interval_secs: 7,
            backoff: 1.5,
            max_interval_secs: 100,
        };
        assert_eq!(
            waits("run-Ω-42", "ValidatePayment-3", policy),
            [6, 7, 9, 15, 28, 32, 55]
        );
    }
}
