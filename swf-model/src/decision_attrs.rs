//! Attribute structs of the 13 decision types (§4 of the spec).
//!
//! All of them derive `Default` so that deciders can write
//! `StartTimerDecisionAttributes { timer_id: "t".into(), start_to_fire_timeout: "5".into(),
//! ..Default::default() }`. Required members are plain fields and must be present when parsing.

use serde::{Deserialize, Serialize};

use crate::{ActivityType, ChildPolicy, TaskList, WorkflowType};

/// Schedules an activity task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleActivityTaskDecisionAttributes {
    /// Type of the activity.
    pub activity_type: ActivityType,
    /// Decider-chosen id, unique among the run's open activities.
    pub activity_id: String,
    /// Decider data, recorded in the history but not sent to the worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// Input for the worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Overrides the type's default schedule-to-close timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_to_close_timeout: Option<String>,
    /// Overrides the type's default task list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_list: Option<TaskList>,
    /// Overrides the type's default task priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_priority: Option<String>,
    /// Overrides the type's default schedule-to-start timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_to_start_timeout: Option<String>,
    /// Overrides the type's default start-to-close timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_to_close_timeout: Option<String>,
    /// Overrides the type's default heartbeat timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_timeout: Option<String>,
}

/// Asks for an open activity task to be canceled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestCancelActivityTaskDecisionAttributes {
    /// Id of the activity to cancel.
    pub activity_id: String,
}

/// Closes the run as completed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompleteWorkflowExecutionDecisionAttributes {
    /// Result of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

/// Closes the run as failed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailWorkflowExecutionDecisionAttributes {
    /// Short failure reason (at most 256 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Failure details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// Closes the run as canceled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelWorkflowExecutionDecisionAttributes {
    /// Cancellation details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// Closes the run and starts a new run with the same workflow id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContinueAsNewWorkflowExecutionDecisionAttributes {
    /// Input of the new run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Execution start-to-close timeout of the new run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_start_to_close_timeout: Option<String>,
    /// Decision task list of the new run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_list: Option<TaskList>,
    /// Decision task priority of the new run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_priority: Option<String>,
    /// Decision task start-to-close timeout of the new run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_start_to_close_timeout: Option<String>,
    /// Child policy of the new run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_policy: Option<ChildPolicy>,
    /// Tags of the new run (at most 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_list: Option<Vec<String>>,
    /// Workflow type version of the new run; defaults to the current version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_type_version: Option<String>,
    /// IAM role for Lambda tasks of the new run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_role: Option<String>,
}

/// Records a marker in the history.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordMarkerDecisionAttributes {
    /// Name of the marker.
    pub marker_name: String,
    /// Marker payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// Starts a timer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartTimerDecisionAttributes {
    /// Decider-chosen id, unique among the run's open timers.
    pub timer_id: String,
    /// Decider data recorded with the timer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// Seconds until the timer fires (digits only).
    pub start_to_fire_timeout: String,
}

/// Cancels an open timer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelTimerDecisionAttributes {
    /// Id of the timer to cancel.
    pub timer_id: String,
}

/// Sends a signal to another run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignalExternalWorkflowExecutionDecisionAttributes {
    /// Workflow id of the target.
    pub workflow_id: String,
    /// Run id of the target; absent means its open run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Name of the signal.
    pub signal_name: String,
    /// Signal payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Decider data recorded in this run's history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
}

/// Asks another run to cancel itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestCancelExternalWorkflowExecutionDecisionAttributes {
    /// Workflow id of the target.
    pub workflow_id: String,
    /// Run id of the target; absent means its open run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Decider data recorded in this run's history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
}

/// Starts a child workflow execution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartChildWorkflowExecutionDecisionAttributes {
    /// Type of the child.
    pub workflow_type: WorkflowType,
    /// Workflow id of the child.
    pub workflow_id: String,
    /// Decider data recorded in this run's history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// Input of the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Execution start-to-close timeout of the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_start_to_close_timeout: Option<String>,
    /// Decision task list of the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_list: Option<TaskList>,
    /// Decision task priority of the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_priority: Option<String>,
    /// Decision task start-to-close timeout of the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_start_to_close_timeout: Option<String>,
    /// Child policy of the child (for its own children).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_policy: Option<ChildPolicy>,
    /// Tags of the child (at most 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_list: Option<Vec<String>>,
    /// IAM role for Lambda tasks of the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_role: Option<String>,
}

/// Schedules a Lambda function invocation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleLambdaFunctionDecisionAttributes {
    /// Decider-chosen id, unique among the run's open Lambda tasks.
    pub id: String,
    /// Function name or ARN (at most 64 characters).
    pub name: String,
    /// Decider data recorded in the history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// Input of the function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Invocation timeout in seconds (1..=900, default 900).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_to_close_timeout: Option<String>,
}
