//! Events about signals, markers and timers.

use serde::{Deserialize, Serialize};

use crate::{
    CancelTimerFailedCause, RecordMarkerFailedCause, StartTimerFailedCause, WorkflowExecution,
};

/// `WorkflowExecutionSignaled`: a signal was delivered to the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionSignaledEventAttributes {
    /// Name of the signal.
    pub signal_name: String,
    /// Signal payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Sending run, when the signal came from another run's decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_workflow_execution: Option<WorkflowExecution>,
    /// Id of the sending run's SignalExternalWorkflowExecutionInitiated event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_initiated_event_id: Option<i64>,
}

/// `MarkerRecorded`: a RecordMarker decision was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarkerRecordedEventAttributes {
    /// Name of the marker.
    pub marker_name: String,
    /// Marker payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}

/// `RecordMarkerFailed`: a RecordMarker decision was rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordMarkerFailedEventAttributes {
    /// Name of the marker.
    pub marker_name: String,
    /// Why the decision failed.
    pub cause: RecordMarkerFailedCause,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}

/// `TimerStarted`: a StartTimer decision started a timer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimerStartedEventAttributes {
    /// Decider-chosen timer id.
    pub timer_id: String,
    /// Decider data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// Seconds until the timer fires.
    pub start_to_fire_timeout: String,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}

/// `StartTimerFailed`: a StartTimer decision was rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartTimerFailedEventAttributes {
    /// Timer id named by the decision.
    pub timer_id: String,
    /// Why the decision failed.
    pub cause: StartTimerFailedCause,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}

/// `TimerFired`: a timer expired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimerFiredEventAttributes {
    /// Id of the timer.
    pub timer_id: String,
    /// Id of the TimerStarted event.
    #[serde(default)]
    pub started_event_id: i64,
}

/// `TimerCanceled`: a CancelTimer decision stopped a timer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimerCanceledEventAttributes {
    /// Id of the timer.
    pub timer_id: String,
    /// Id of the TimerStarted event.
    #[serde(default)]
    pub started_event_id: i64,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}

/// `CancelTimerFailed`: a CancelTimer decision was rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelTimerFailedEventAttributes {
    /// Timer id named by the decision.
    pub timer_id: String,
    /// Why the decision failed.
    pub cause: CancelTimerFailedCause,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}
