//! Heartbeats from a running activity to SWF, throttled.
//!
//! A guest may call `heartbeat` in a tight loop; SWF allows about one per second per task
//! before throttling the account. So at most one RecordActivityTaskHeartbeat is sent per
//! interval. A call within the interval is answered with SWF's latest reply (which is also
//! what a guest polling for cancellation needs), and its details are sent when the interval
//! ends if the task is still running then (Temporal's heartbeat batching): the latest details
//! always reach SWF, and an activity that ends within the interval sends none.
//!
//! The first interval starts when the task is polled. SWF has just recorded the task as
//! started, which starts its heartbeat timeout as a heartbeat would, and no cancel request can
//! be waiting: SWF cancels a task that is not started yet itself, and tells a started one's
//! worker through a heartbeat's answer. So a guest that heartbeats as it begins learns what a
//! heartbeat sent then would have said, without the call.
//!
//! A heartbeat that fails is logged and does not stop the activity; UnknownResource means the
//! task is gone, which the guest is told.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::task::AbortHandle;
use tokio::time::Instant;

use crate::metrics::{Metrics, metrics};
use crate::runtime::{HeartbeatHandler, HeartbeatStatus};
use crate::swf::SwfClient;

/// The heartbeats of one activity task. Dropping it (the task ended) drops details not sent
/// yet.
pub(crate) struct SwfHeartbeat {
    task: Arc<TaskHeartbeats>,
    /// The pending send of throttled details, if one is scheduled.
    trailing: std::sync::Mutex<Option<AbortHandle>>,
}

struct TaskHeartbeats {
    client: SwfClient,
    token: String,
    interval: Duration,
    state: Mutex<State>,
}

struct State {
    /// When a heartbeat was last sent; at first, when the task started.
    sent_at: Instant,
    /// What SWF said then (`Ok` at the start).
    status: HeartbeatStatus,
    /// The details of the latest call not sent yet (`Some(None)`: a call without details).
    unsent: Option<Option<String>>,
}

impl SwfHeartbeat {
    /// The heartbeats of the task `token`, just polled, sent at most once per `interval`.
    pub(crate) fn new(client: SwfClient, token: String, interval: Duration) -> Self {
        Self {
            task: Arc::new(TaskHeartbeats {
                client,
                token,
                interval,
                state: Mutex::new(State {
                    sent_at: Instant::now(),
                    status: HeartbeatStatus::Ok,
                    unsent: None,
                }),
            }),
            trailing: std::sync::Mutex::new(None),
        }
    }

    /// Sends the unsent details at `at`, when the interval ends.
    fn schedule_trailing(&self, at: Instant) {
        let task = self.task.clone();
        let handle = tokio::spawn(async move {
            tokio::time::sleep_until(at).await;
            let mut state = task.state.lock().await;
            // A guest call may have sent in the meantime, starting a new interval.
            if Instant::now() < state.sent_at + task.interval {
                return;
            }
            if let Some(details) = state.unsent.take() {
                task.send(&mut state, details).await;
            }
        });
        let mut trailing = self.trailing.lock().unwrap_or_else(|p| p.into_inner());
        // An earlier one still scheduled can only be waiting for the state after a guest
        // call sent: it has nothing left to do.
        if let Some(earlier) = trailing.replace(handle.abort_handle()) {
            earlier.abort();
        }
    }
}

impl Drop for SwfHeartbeat {
    fn drop(&mut self) {
        let trailing = self.trailing.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some(handle) = trailing.take() {
            handle.abort();
        }
    }
}

#[async_trait::async_trait]
impl HeartbeatHandler for SwfHeartbeat {
    async fn heartbeat(&self, details: Option<String>) -> HeartbeatStatus {
        let task = &self.task;
        let mut state = task.state.lock().await;
        if state.status == HeartbeatStatus::TaskGone {
            Metrics::count(&metrics().heartbeats, "throttled");
            return state.status;
        }
        let interval_ends = state.sent_at + task.interval;
        if Instant::now() < interval_ends {
            Metrics::count(&metrics().heartbeats, "throttled");
            if state.unsent.replace(details).is_none() {
                self.schedule_trailing(interval_ends);
            }
            return state.status;
        }
        state.unsent = None;
        task.send(&mut state, details).await
    }
}

impl TaskHeartbeats {
    /// Sends one heartbeat and records SWF's answer in `state`.
    async fn send(&self, state: &mut State, details: Option<String>) -> HeartbeatStatus {
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
        state.sent_at = Instant::now();
        state.status = status;
        status
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use swf_model::{EventAttributes, RespondDecisionTaskCompleted, WorkflowExecution};

    use super::*;

    const DOMAIN: &str = "heartbeats";

    /// A local SWF and the run of the activity task.
    struct Started {
        service: local_swf::LocalSwf,
        client: SwfClient,
        execution: WorkflowExecution,
        _dir: tempfile::TempDir,
    }

    fn input<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
        serde_json::from_value(value).unwrap()
    }

    /// A started activity task whose heartbeat timeout is 1 s, and its heartbeats, sent at
    /// most every 200 ms.
    async fn start_activity() -> (Started, SwfHeartbeat) {
        let dir = tempfile::tempdir().unwrap();
        let config = local_swf::LocalSwfConfig::new(dir.path().join("swf.sqlite"));
        let service = local_swf::LocalSwf::start(config).await.unwrap();
        let client = SwfClient::with_static_credentials(
            service.endpoint(),
            "us-east-1",
            "local",
            "local",
            None,
        )
        .unwrap();
        let wf = json!({"name": "W", "version": "1"});
        let list = json!({"name": "l"});
        client
            .register_domain(&input(json!({"name": DOMAIN,
                "workflowExecutionRetentionPeriodInDays": "1"})))
            .await
            .unwrap();
        client
            .register_workflow_type(&input(
                json!({"domain": DOMAIN, "name": "W", "version": "1",
                "defaultTaskList": list, "defaultTaskStartToCloseTimeout": "60",
                "defaultExecutionStartToCloseTimeout": "600", "defaultChildPolicy": "TERMINATE"}),
            ))
            .await
            .unwrap();
        client
            .register_activity_type(&input(
                json!({"domain": DOMAIN, "name": "A", "version": "1"}),
            ))
            .await
            .unwrap();
        let run_id = client
            .start_workflow_execution(&input(json!({"domain": DOMAIN, "workflowId": "w",
                "workflowType": wf})))
            .await
            .unwrap();
        let task = client
            .poll_for_decision_task(DOMAIN, "l", "test")
            .await
            .unwrap()
            .expect("a decision task");
        let response: RespondDecisionTaskCompleted = input(json!({
            "taskToken": task.task_token,
            "decisions": [{"decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {"activityId": "a",
                    "activityType": {"name": "A", "version": "1"}, "taskList": list,
                    "scheduleToStartTimeout": "60", "scheduleToCloseTimeout": "120",
                    "startToCloseTimeout": "60", "heartbeatTimeout": "1"}}]}));
        client
            .respond_decision_task_completed(&response)
            .await
            .unwrap();
        let activity = client
            .poll_for_activity_task(DOMAIN, "l", "test")
            .await
            .unwrap()
            .expect("an activity task");
        let heartbeats = SwfHeartbeat::new(
            client.clone(),
            activity.task_token,
            Duration::from_millis(200),
        );
        let started = Started {
            service,
            client,
            execution: WorkflowExecution {
                workflow_id: "w".into(),
                run_id,
            },
            _dir: dir,
        };
        (started, heartbeats)
    }

    /// The details of the activity's heartbeat timeout, once SWF timed it out.
    async fn timed_out_details(started: &Started) -> Option<String> {
        for _ in 0..100 {
            let history = started
                .client
                .get_workflow_execution_history(DOMAIN, &started.execution)
                .await
                .unwrap();
            for event in history {
                if let EventAttributes::ActivityTaskTimedOut(timed_out) = event.attributes {
                    return timed_out.details;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the activity did not time out");
    }

    /// Details given within the interval reach SWF when it ends, which also restarts the
    /// heartbeat timeout: the timeout's details are the latest ones.
    #[tokio::test]
    async fn throttled_details_are_sent_when_the_interval_ends() {
        let (started, heartbeats) = start_activity().await;
        for details in ["first", "latest"] {
            let status = heartbeats.heartbeat(Some(details.into())).await;
            assert_eq!(status, HeartbeatStatus::Ok);
        }
        assert_eq!(timed_out_details(&started).await.as_deref(), Some("latest"));
        drop(heartbeats);
        started.service.stop().await;
    }

    /// An activity that ends within the first interval sends no heartbeat at all: the
    /// timeout (of a task nobody answered) has no details.
    #[tokio::test]
    async fn an_activity_that_ends_within_the_interval_sends_none() {
        let (started, heartbeats) = start_activity().await;
        let status = heartbeats.heartbeat(Some("begun".into())).await;
        assert_eq!(status, HeartbeatStatus::Ok);
        drop(heartbeats);
        assert_eq!(timed_out_details(&started).await, None);
        started.service.stop().await;
    }
}
