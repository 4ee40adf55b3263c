//! Heartbeats from an activity to whoever watches it: the [`HeartbeatHandler`] the worker (SWF)
//! or an offline run (the log) provides, and the [`HeartbeatStatus`] it answers. A leaf.

/// What SWF said about a heartbeat, as the host reports it to the guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeartbeatStatus {
    /// Keep working.
    Ok,
    /// Cancellation was requested.
    CancelRequested,
    /// The task no longer exists.
    TaskGone,
}

/// Delivers an activity's heartbeats (to SWF, in the worker; to the log, offline).
#[async_trait::async_trait]
pub trait HeartbeatHandler: Send + Sync {
    /// Records one heartbeat with optional details.
    async fn heartbeat(&self, details: Option<String>) -> HeartbeatStatus;
}

/// A heartbeat handler for offline runs: logs each heartbeat and answers `Ok`.
pub struct NoHeartbeat;

#[async_trait::async_trait]
impl HeartbeatHandler for NoHeartbeat {
    async fn heartbeat(&self, details: Option<String>) -> HeartbeatStatus {
        tracing::info!(
            details = details.as_deref().unwrap_or(""),
            "heartbeat (offline: not sent to SWF)"
        );
        HeartbeatStatus::Ok
    }
}
