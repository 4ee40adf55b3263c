//! Events about Lambda tasks.

use serde::{Deserialize, Serialize};

use crate::{
    LambdaFunctionTimeoutType, ScheduleLambdaFunctionFailedCause, StartLambdaFunctionFailedCause,
};

/// `LambdaFunctionScheduled`: a ScheduleLambdaFunction decision was accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LambdaFunctionScheduledEventAttributes {
    /// Decider-chosen task id.
    pub id: String,
    /// Function name or ARN.
    pub name: String,
    /// Decider data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// Input of the function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Start-to-close timeout of the invocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_to_close_timeout: Option<String>,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}

/// `LambdaFunctionStarted`: the function was invoked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LambdaFunctionStartedEventAttributes {
    /// Id of the LambdaFunctionScheduled event.
    #[serde(default)]
    pub scheduled_event_id: i64,
}

/// `LambdaFunctionCompleted`: the function returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LambdaFunctionCompletedEventAttributes {
    /// Id of the LambdaFunctionScheduled event.
    #[serde(default)]
    pub scheduled_event_id: i64,
    /// Id of the LambdaFunctionStarted event.
    #[serde(default)]
    pub started_event_id: i64,
    /// Result of the function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

/// `LambdaFunctionFailed`: the function failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LambdaFunctionFailedEventAttributes {
    /// Id of the LambdaFunctionScheduled event.
    #[serde(default)]
    pub scheduled_event_id: i64,
    /// Id of the LambdaFunctionStarted event.
    #[serde(default)]
    pub started_event_id: i64,
    /// Failure reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Failure details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// `LambdaFunctionTimedOut`: the invocation timed out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LambdaFunctionTimedOutEventAttributes {
    /// Id of the LambdaFunctionScheduled event.
    #[serde(default)]
    pub scheduled_event_id: i64,
    /// Id of the LambdaFunctionStarted event.
    #[serde(default)]
    pub started_event_id: i64,
    /// Always `START_TO_CLOSE` when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_type: Option<LambdaFunctionTimeoutType>,
}

/// `ScheduleLambdaFunctionFailed`: a ScheduleLambdaFunction decision was rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleLambdaFunctionFailedEventAttributes {
    /// Task id named by the decision.
    pub id: String,
    /// Function named by the decision.
    pub name: String,
    /// Why the decision failed.
    pub cause: ScheduleLambdaFunctionFailedCause,
    /// Id of the DecisionTaskCompleted event of the decision.
    #[serde(default)]
    pub decision_task_completed_event_id: i64,
}

/// `StartLambdaFunctionFailed`: a scheduled function could not be invoked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartLambdaFunctionFailedEventAttributes {
    /// Id of the LambdaFunctionScheduled event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_event_id: Option<i64>,
    /// Why the invocation failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<StartLambdaFunctionFailedCause>,
    /// Error message (at most 1,728 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
