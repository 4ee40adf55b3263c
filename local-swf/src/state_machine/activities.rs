//! The activity worker's calls on a started task: heartbeat and the three responses
//! (spec §3.5, §6.8).

use serde_json::{Value, json};
use swf_model::{
    ActivityTaskCanceledEventAttributes, ActivityTaskCompletedEventAttributes,
    ActivityTaskFailedEventAttributes, EventAttributes,
};

use super::machine::StateMachine;
use super::shared::ActivityOutcome;
use crate::error::{ServiceError, ServiceResult};
use crate::tokens::TaskToken;

impl StateMachine {
    /// Resolves an activity task token to (run id, activity id), or UnknownResourceFault when
    /// the attempt it names is no longer open.
    fn started_activity(&self, token: &str) -> ServiceResult<(String, String)> {
        let token = TaskToken::decode(token)?;
        let stale = || {
            ServiceError::unknown(
                "Unknown activity task: it is not open (completed, failed, canceled, timed out, \
                 or its run closed)",
            )
        };
        let activity_id = token.activity_id.clone().ok_or_else(stale)?;
        let run = self
            .open_run(&token.run_id)
            .filter(|r| r.domain == token.domain)
            .ok_or_else(stale)?;
        let activity = run.activities.get(&activity_id).ok_or_else(stale)?;
        match &activity.started {
            Some(started)
                if activity.scheduled_event_id == token.scheduled_event_id
                    && started.started_event_id == token.started_event_id =>
            {
                Ok((token.run_id, activity_id))
            }
            _ => Err(stale()),
        }
    }

    /// RecordActivityTaskHeartbeat.
    pub fn heartbeat(&mut self, token: &str, details: Option<String>) -> ServiceResult<Value> {
        let (run_id, activity_id) = self.started_activity(token)?;
        let now_ms = self.now_ms;
        let run = self.run_mut(&run_id);
        let activity = run
            .activities
            .get_mut(&activity_id)
            .expect("resolved above");
        if let Some(started) = activity.started.as_mut() {
            started.last_heartbeat_ms = now_ms;
        }
        if details.is_some() {
            activity.heartbeat_details = details;
        }
        Ok(json!({"cancelRequested": activity.latest_cancel_requested_event_id > 0}))
    }

    /// RespondActivityTaskCompleted / Failed / Canceled: closes the task as `outcome` says.
    pub fn respond_activity(&mut self, token: &str, outcome: ActivityOutcome) -> ServiceResult<()> {
        let (run_id, activity_id) = self.started_activity(token)?;
        let activity = self
            .run_mut(&run_id)
            .activities
            .remove(&activity_id)
            .expect("resolved above");
        let scheduled_event_id = activity.scheduled_event_id;
        let started_event_id = activity.started.as_ref().map_or(0, |s| s.started_event_id);
        let attributes: EventAttributes = match outcome {
            ActivityOutcome::Completed { result } => ActivityTaskCompletedEventAttributes {
                result,
                scheduled_event_id,
                started_event_id,
            }
            .into(),
            ActivityOutcome::Failed { reason, details } => ActivityTaskFailedEventAttributes {
                reason,
                details,
                scheduled_event_id,
                started_event_id,
            }
            .into(),
            ActivityOutcome::Canceled { details } => ActivityTaskCanceledEventAttributes {
                details,
                scheduled_event_id,
                started_event_id,
                latest_cancel_requested_event_id: Some(activity.latest_cancel_requested_event_id)
                    .filter(|id| *id > 0),
            }
            .into(),
        };
        self.record(&run_id, attributes);
        Ok(())
    }
}
