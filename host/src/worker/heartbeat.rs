//! Heartbeats from a running activity to SWF, throttled.
//!
//! A guest may call `heartbeat` in a tight loop; SWF allows about one per second per task
//! before throttling the account. So at most one RecordActivityTaskHeartbeat is sent per
//! interval. A call within the interval is answered with SWF's latest reply (which is also
//! what a guest polling for cancellation needs), and its details are sent when the interval
//! ends if the task is still running then (Temporal's heartbeat batching): the latest details
//! always reach SWF, and an activity that ends within the interval sends none.
//!
//! The trailing send is made by [`SwfHeartbeat::while_running`], a future that runs beside the
//! activity's execution in the same task and ends with it, rather than by a task spawned for
//! each throttled call and aborted when the activity ends (most do, within the interval).
//!
//! The first interval starts when the task is polled. SWF has just recorded the task as
//! started, which starts its heartbeat timeout as a heartbeat would, and no cancel request can
//! be waiting: SWF cancels a task that is not started yet itself, and tells a started one's
//! worker through a heartbeat's answer. So a guest that heartbeats as it begins learns what a
//! heartbeat sent then would have said, without the call.
//!
//! A heartbeat that fails is logged and does not stop the activity; UnknownResource means the
//! task is gone, which the guest is told.

use std::convert::Infallible;
use std::time::Duration;

use tokio::sync::{Mutex, Notify};
use tokio::time::Instant;

use crate::metrics::{Metrics, metrics};
use crate::runtime::{HeartbeatHandler, HeartbeatStatus};
use crate::swf::SwfClient;

/// The heartbeats of one activity task. Details not sent when
/// [`while_running`](Self::while_running) ends are dropped.
pub(crate) struct SwfHeartbeat {
    client: SwfClient,
    token: String,
    interval: Duration,
    state: Mutex<State>,
    /// Signalled when a throttled call leaves details to send when the interval ends.
    unsent_details: Notify,
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
            client,
            token,
            interval,
            state: Mutex::new(State {
                sent_at: Instant::now(),
                status: HeartbeatStatus::Ok,
                unsent: None,
            }),
            unsent_details: Notify::new(),
        }
    }

    /// Runs the future `activity` makes (the task's execution) to its end, meanwhile sending
    /// the details of throttled calls when their interval ends. (A closure rather than the
    /// future itself: a future passed in would be stored twice in this one's state, once as
    /// the argument and once where it is polled.)
    pub(crate) async fn while_running<F: Future>(&self, activity: impl FnOnce() -> F) -> F::Output {
        tokio::select! {
            output = activity() => output,
            never = self.send_trailing() => match never {},
        }
    }

    /// Sends the details a throttled call left when its interval ends, again and again.
    async fn send_trailing(&self) -> Infallible {
        loop {
            self.unsent_details.notified().await;
            loop {
                let ends = self.state.lock().await.sent_at + self.interval;
                tokio::time::sleep_until(ends).await;
                let mut state = self.state.lock().await;
                // A guest call may have sent in the meantime, starting a new interval; the
                // details of calls within that one are sent when it ends.
                if Instant::now() < state.sent_at + self.interval {
                    continue;
                }
                if let Some(details) = state.unsent.take() {
                    // Boxed: most activities end within the interval, and the call's future
                    // would otherwise enlarge every activity task's future.
                    Box::pin(self.send(&mut state, details)).await;
                }
                break;
            }
        }
    }

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

#[async_trait::async_trait]
impl HeartbeatHandler for SwfHeartbeat {
    async fn heartbeat(&self, details: Option<String>) -> HeartbeatStatus {
        let mut state = self.state.lock().await;
        if state.status == HeartbeatStatus::TaskGone {
            Metrics::count(&metrics().heartbeats, "throttled");
            return state.status;
        }
        if Instant::now() < state.sent_at + self.interval {
            Metrics::count(&metrics().heartbeats, "throttled");
            if state.unsent.replace(details).is_none() {
                self.unsent_details.notify_one();
            }
            return state.status;
        }
        state.unsent = None;
        self.send(&mut state, details).await
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
        let details = heartbeats
            .while_running(|| async {
                for details in ["first", "latest"] {
                    let status = heartbeats.heartbeat(Some(details.into())).await;
                    assert_eq!(status, HeartbeatStatus::Ok);
                }
                timed_out_details(&started).await
            })
            .await;
        assert_eq!(details.as_deref(), Some("latest"));
        started.service.stop().await;
    }

    /// An activity that ends within the first interval sends no heartbeat at all: the
    /// timeout (of a task nobody answered) has no details.
    #[tokio::test]
    async fn an_activity_that_ends_within_the_interval_sends_none() {
        let (started, heartbeats) = start_activity().await;
        let status = heartbeats
            .while_running(|| heartbeats.heartbeat(Some("begun".into())))
            .await;
        assert_eq!(status, HeartbeatStatus::Ok);
        assert_eq!(timed_out_details(&started).await, None);
        started.service.stop().await;
    }
}
