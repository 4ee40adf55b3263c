//! The retry policy of the SWF client: which failures are retried, how often, and how long to
//! wait in between (exponential backoff with full jitter).

use std::future::Future;
use std::time::Duration;

use swf_model::Action;

use super::error::SwfError;
use crate::backoff::Backoff;
use crate::metrics::{CallLabels, metrics};

/// How a failed call is retried.
///
/// Only retryable errors ([`SwfError::is_retryable`]: throttling, HTTP 5xx, transport failures)
/// are retried; validation errors and modeled SWF faults are returned at once. Before retry `n`
/// (1-based) the client sleeps a uniformly random time in `[0, min(max_delay, base_delay · 2ⁿ⁻¹))`
/// ("full jitter", [`Backoff`]), so a fleet of workers hitting the same throttle spreads out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryConfig {
    /// Attempts in all, the first included; `1` disables retries (`0` is read as `1`).
    pub max_attempts: u32,
    /// Backoff ceiling before the first retry; doubles for each further retry.
    pub base_delay: Duration,
    /// Upper bound of any single backoff.
    pub max_delay: Duration,
}

impl Default for RetryConfig {
    /// 5 attempts, 50 ms base, 5 s cap.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryConfig {
    /// Runs `attempt` until it succeeds, fails with an error that is not retryable, or the
    /// attempts run out; returns the last result. `action` only labels the logs.
    pub(crate) async fn run<T, F, Fut>(&self, action: Action, mut attempt: F) -> Result<T, SwfError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SwfError>>,
    {
        let mut number = 1;
        loop {
            match attempt().await {
                Err(error) if self.should_retry(&error, number) => {
                    let delay = self.backoff().delay(number);
                    metrics()
                        .swf_retries
                        .get_or_create(&CallLabels {
                            action: action.name(),
                            outcome: error.kind_label().into(),
                        })
                        .inc();
                    tracing::warn!(
                        %action,
                        attempt = number,
                        max_attempts = self.max_attempts,
                        delay_ms = delay.as_millis() as u64,
                        %error,
                        "SWF call failed, retrying"
                    );
                    tokio::time::sleep(delay).await;
                    number += 1;
                }
                result => return result,
            }
        }
    }

    /// Whether to retry after attempt number `attempt` (1-based) failed with `error`.
    fn should_retry(&self, error: &SwfError, attempt: u32) -> bool {
        error.is_retryable() && attempt < self.max_attempts.max(1)
    }

    fn backoff(&self) -> Backoff {
        Backoff {
            base: self.base_delay,
            max: self.max_delay,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use swf_model::FaultKind;

    use super::*;

    fn fault(kind: FaultKind, status: u16) -> SwfError {
        SwfError::Fault {
            kind,
            message: "m".into(),
            status,
        }
    }

    #[test]
    fn retries_only_transient_errors() {
        let policy = RetryConfig::default();
        let retried = [
            fault(FaultKind::ThrottlingException, 400),
            fault(FaultKind::Other("RequestLimitExceeded".into()), 400),
            fault(FaultKind::InternalFailure, 500),
            fault(FaultKind::ServiceUnavailable, 503),
            fault(FaultKind::Other("502".into()), 502),
            fault(FaultKind::Other("TooManyRequestsException".into()), 429),
            SwfError::transport("connection refused", None),
        ];
        for error in &retried {
            assert!(policy.should_retry(error, 1), "{error} should be retried");
        }
        let final_errors = [
            fault(FaultKind::ValidationException, 400),
            fault(FaultKind::SerializationException, 400),
            fault(FaultKind::UnknownResourceFault, 400),
            fault(FaultKind::TypeAlreadyExistsFault, 400),
            fault(FaultKind::LimitExceededFault, 400),
            fault(FaultKind::WorkflowExecutionAlreadyStartedFault, 400),
            fault(FaultKind::UnrecognizedClientException, 403),
            SwfError::decode("bad json", None),
            SwfError::config("no region", None),
        ];
        for error in &final_errors {
            assert!(
                !policy.should_retry(error, 1),
                "{error} must not be retried"
            );
        }
    }

    #[test]
    fn backoff_follows_the_policy() {
        let policy = RetryConfig::default();
        assert_eq!(policy.backoff().ceiling(1), policy.base_delay);
        assert_eq!(policy.backoff().ceiling(2), policy.base_delay * 2);
        assert_eq!(policy.backoff().ceiling(40), policy.max_delay);
    }

    fn instant_policy(max_attempts: u32) -> RetryConfig {
        RetryConfig {
            max_attempts,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
        }
    }

    async fn count_attempts(policy: RetryConfig, error: SwfError, succeed_at: u32) -> (u32, bool) {
        let calls = AtomicU32::new(0);
        let result = policy
            .run(Action::ListDomains, || {
                let call = calls.fetch_add(1, Ordering::SeqCst) + 1;
                let error = error.clone();
                async move {
                    if call == succeed_at {
                        Ok(())
                    } else {
                        Err(error)
                    }
                }
            })
            .await;
        (calls.load(Ordering::SeqCst), result.is_ok())
    }

    #[tokio::test]
    async fn attempts_are_bounded() {
        let transport = SwfError::transport("reset", None);
        // A persistent retryable error: exactly max_attempts calls, then the error.
        assert_eq!(
            count_attempts(instant_policy(5), transport.clone(), 0).await,
            (5, false)
        );
        assert_eq!(
            count_attempts(instant_policy(1), transport.clone(), 0).await,
            (1, false)
        );
        assert_eq!(
            count_attempts(instant_policy(0), transport.clone(), 0).await,
            (1, false)
        );
        // A transient error that clears: stops at the first success.
        assert_eq!(
            count_attempts(instant_policy(5), transport, 3).await,
            (3, true)
        );
        // A final error: one call only.
        let validation = fault(FaultKind::ValidationException, 400);
        assert_eq!(
            count_attempts(instant_policy(5), validation, 0).await,
            (1, false)
        );
    }
}
