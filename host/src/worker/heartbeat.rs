//! Heartbeats from a running activity to SWF, throttled.
//!
//! A guest may call `heartbeat` in a tight loop; SWF allows about one per second per task
//! before throttling the account. So at most one RecordActivityTaskHeartbeat is sent per
//! interval and calls in between are answered with the last reply (which is also what a
//! guest polling for cancellation needs). A heartbeat that fails is logged and does not stop
//! the activity; UnknownResource means the task is gone, which the guest is told.

use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::metrics::{Metrics, metrics};
use crate::runtime::{HeartbeatHandler, HeartbeatStatus};
use crate::swf::SwfClient;

pub(crate) struct SwfHeartbeat {
    client: SwfClient,
    token: String,
    interval: Duration,
    last: Mutex<Option<(Instant, HeartbeatStatus)>>,
}

impl SwfHeartbeat {
    pub(crate) fn new(client: SwfClient, token: String, interval: Duration) -> Self {
        Self {
            client,
            token,
            interval,
            last: Mutex::new(None),
        }
    }
}

#[async_trait::async_trait]
impl HeartbeatHandler for SwfHeartbeat {
    async fn heartbeat(&self, details: Option<String>) -> HeartbeatStatus {
        let mut last = self.last.lock().await;
        if let Some((at, status)) = *last
            && (at.elapsed() < self.interval || status == HeartbeatStatus::TaskGone)
        {
            Metrics::count(&metrics().heartbeats, "throttled");
            return status;
        }
        let details = details.map(|d| {
            swf_model::truncate_chars(&d, swf_model::MAX_HEARTBEAT_DETAILS_LEN).to_owned()
        });
        let status = match self
            .client
            .record_activity_task_heartbeat(&self.token, details.as_deref())
            .await
        {
            Ok(true) => HeartbeatStatus::CancelRequested,
            Ok(false) => HeartbeatStatus::Ok,
            Err(error) if error.is_unknown_resource() => HeartbeatStatus::TaskGone,
            Err(error) => {
                Metrics::count(&metrics().heartbeats, "failed");
                tracing::warn!(%error, "heartbeat not delivered; the activity continues");
                HeartbeatStatus::Ok
            }
        };
        let sent = match status {
            HeartbeatStatus::TaskGone => "task_gone",
            _ => "sent",
        };
        Metrics::count(&metrics().heartbeats, sent);
        *last = Some((Instant::now(), status));
        status
    }
}
