//! Events about activity tasks.

use serde::{Deserialize, Serialize};

use crate::{
    ActivityTaskTimeoutType, ActivityType, RequestCancelActivityTaskFailedCause,
    ScheduleActivityTaskFailedCause, TaskList,
};

/// `ActivityTaskScheduled`: a ScheduleActivityTask decision queued an activity task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTaskScheduledEventAttributes {
    /// Type of the activity.
    pub activity_type: ActivityType,
    /// Decider-chosen activity id.
    pub activity_id: String,
    /// Input for the worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Decider data not sent to the worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// Resolved schedule-to-start timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_to_start_timeout: Option<String>,
    /// Resolved schedule-to-close timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_to_close_timeout: Option<String>,
    /// Resolved start-to-close timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_to_close_timeout: Option<String>,
    /// Task list the task was queued on.
    pub task_list: TaskList,
    /// Resolved task priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_priority: Option<String>,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
    /// Resolved heartbeat timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_timeout: Option<String>,
}

/// `ScheduleActivityTaskFailed`: a ScheduleActivityTask decision was rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleActivityTaskFailedEventAttributes {
    /// Type named by the decision.
    pub activity_type: ActivityType,
    /// Activity id named by the decision.
    pub activity_id: String,
    /// Why the decision failed.
    pub cause: ScheduleActivityTaskFailedCause,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}

/// `ActivityTaskStarted`: a worker received the task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTaskStartedEventAttributes {
    /// Identity given by the polling worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Id of the ActivityTaskScheduled event.
    #[serde(default)]
    pub scheduled_event_id: i64,
}

/// `ActivityTaskCompleted`: the worker reported success.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTaskCompletedEventAttributes {
    /// Result given by the worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// Id of the ActivityTaskScheduled event.
    #[serde(default)]
    pub scheduled_event_id: i64,
    /// Id of the ActivityTaskStarted event.
    #[serde(default)]
    pub started_event_id: i64,
}

/// `ActivityTaskFailed`: the worker reported failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTaskFailedEventAttributes {
    /// Short failure reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Failure details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Id of the ActivityTaskScheduled event.
    #[serde(default)]
    pub scheduled_event_id: i64,
    /// Id of the ActivityTaskStarted event.
    #[serde(default)]
    pub started_event_id: i64,
}

/// `ActivityTaskTimedOut`: one of the activity's timeouts expired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTaskTimedOutEventAttributes {
    /// Which timeout expired.
    pub timeout_type: ActivityTaskTimeoutType,
    /// Id of the ActivityTaskScheduled event.
    #[serde(default)]
    pub scheduled_event_id: i64,
    /// Id of the ActivityTaskStarted event; 0 if the task never started.
    #[serde(default)]
    pub started_event_id: i64,
    /// Details of the last heartbeat (at most 2,048 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// `ActivityTaskCanceled`: the task was canceled, by its worker or before it started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTaskCanceledEventAttributes {
    /// Details given by the worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Id of the ActivityTaskScheduled event.
    #[serde(default)]
    pub scheduled_event_id: i64,
    /// Id of the ActivityTaskStarted event; 0 if the task never started.
    #[serde(default)]
    pub started_event_id: i64,
    /// Id of the latest ActivityTaskCancelRequested event of this activity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_cancel_requested_event_id: Option<i64>,
}

/// `ActivityTaskCancelRequested`: a RequestCancelActivityTask decision was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTaskCancelRequestedEventAttributes {
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
    /// Id of the activity to cancel.
    pub activity_id: String,
}

/// `RequestCancelActivityTaskFailed`: a RequestCancelActivityTask decision was rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestCancelActivityTaskFailedEventAttributes {
    /// Activity id named by the decision.
    pub activity_id: String,
    /// Why the decision failed.
    pub cause: RequestCancelActivityTaskFailedCause,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}
