//! The replay checker: re-runs a decider at every decision point of a recorded history and
//! compares what it decides with what was decided then.
//!
//! A decision point is a DecisionTaskCompleted event: the decider saw the history up to that
//! task's DecisionTaskStarted, and its decisions are the events that name that
//! DecisionTaskCompleted as their `decisionTaskCompletedEventId` (the success event of each
//! decision, or its `…Failed` event). Each side is reduced to a list of short signatures — the
//! decision type and the ids that identify it (activity id and type, timer id, marker name,
//! child workflow id, …) — and the first difference is reported. Inputs and payloads are not
//! compared: a new version may legitimately change them without breaking the run.
//!
//! Histories are read in the shapes tools export them: a bare list of events
//! (`swfwasm history --json`), or an object with `events` (GetWorkflowExecutionHistory as
//! boto3 or the AWS CLI return it, the AWS console's export), with timestamps as epoch seconds
//! or ISO 8601 strings.

use serde_json::Value;
use swf_model::{Decision, DecisionTask, HistoryEvent, WorkflowExecution, WorkflowType};

use crate::runtime::{GuestError, Plugin, PluginRuntime};

/// Why a history could not be replayed at all.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The file is not a history in any known shape.
    #[error("not a workflow history: {0}")]
    NotAHistory(String),
    /// The decider failed on a decision task it once decided.
    #[error("after event {after_event}: the plugin failed: {source}")]
    Guest {
        /// The last event the decider saw.
        after_event: i64,
        /// What went wrong.
        source: GuestError,
    },
}

/// The first point where the plugin decides differently from the history.
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    /// The last event the decider saw (the task's DecisionTaskStarted).
    pub after_event: i64,
    /// What was decided then.
    pub recorded: Vec<String>,
    /// What the plugin decides now.
    pub decided: Vec<String>,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |items: &[String]| {
            if items.is_empty() {
                "no decisions".to_owned()
            } else {
                items.join(", ")
            }
        };
        write!(
            f,
            "after event {}: recorded {}, plugin decided {}",
            self.after_event,
            list(&self.recorded),
            list(&self.decided)
        )
    }
}

/// The outcome of a replay.
#[derive(Debug, Clone, PartialEq)]
pub enum Replayed {
    /// Every decision point matched; how many there were.
    Identical(usize),
    /// The first decision point that did not.
    Diverged(Divergence),
}

/// Reads a history in any of the exported shapes into events (timestamps normalised).
pub fn parse_history(json: &str) -> Result<Vec<HistoryEvent>, ReplayError> {
    let value: Value =
        serde_json::from_str(json).map_err(|e| ReplayError::NotAHistory(e.to_string()))?;
    let events = match value {
        Value::Array(events) => events,
        Value::Object(mut object) => match object.remove("events") {
            Some(Value::Array(events)) => events,
            _ => {
                return Err(ReplayError::NotAHistory(
                    "an object without an `events` list".into(),
                ));
            }
        },
        _ => {
            return Err(ReplayError::NotAHistory(
                "neither a list nor an object".into(),
            ));
        }
    };
    events
        .into_iter()
        .map(|mut event| {
            if let Some(text) = event.get("eventTimestamp").and_then(Value::as_str) {
                let seconds = swf_model::time::parse_iso8601(text).ok_or_else(|| {
                    ReplayError::NotAHistory(format!("unreadable eventTimestamp {text:?}"))
                })?;
                event["eventTimestamp"] = Value::from(seconds);
            }
            serde_json::from_value(event).map_err(|e| ReplayError::NotAHistory(e.to_string()))
        })
        .collect()
}

/// Replays `events` through `plugin`. `execution` is the run's id when known: deciders seed
/// their random numbers from the run id, so a decider that uses them replays faithfully only
/// with it.
pub async fn replay(
    runtime: &PluginRuntime,
    plugin: &Plugin,
    events: &[HistoryEvent],
    execution: Option<WorkflowExecution>,
) -> Result<Replayed, ReplayError> {
    // Guests must see their own executionContext, not the host's artifact pins.
    let mut events = events.to_vec();
    crate::worker::pin::strip_events(&mut events);
    let wire: Vec<Value> = events
        .iter()
        .map(|e| serde_json::to_value(e).unwrap_or_default())
        .collect();
    let workflow_type: WorkflowType = wire
        .first()
        .and_then(|e| e["workflowExecutionStartedEventAttributes"].get("workflowType"))
        .and_then(|t| serde_json::from_value(t.clone()).ok())
        .ok_or_else(|| {
            ReplayError::NotAHistory("it does not begin with WorkflowExecutionStarted".into())
        })?;
    let execution =
        execution.unwrap_or_else(|| WorkflowExecution::new("replayed-workflow", "replayed-run"));
    let mut previous_started = 0;
    let mut points = 0;
    for completed in wire
        .iter()
        .filter(|e| e["eventType"] == "DecisionTaskCompleted")
    {
        let attributes = &completed["decisionTaskCompletedEventAttributes"];
        let started = attributes["startedEventId"].as_i64().unwrap_or(0);
        let completed_id = completed["eventId"].as_i64().unwrap_or(0);
        let task = DecisionTask {
            task_token: "replay".into(),
            started_event_id: started,
            previous_started_event_id: previous_started,
            workflow_execution: execution.clone(),
            workflow_type: workflow_type.clone(),
            events: events
                .iter()
                .filter(|e| e.event_id <= started)
                .cloned()
                .collect(),
            next_page_token: None,
        };
        let answer = runtime
            .decide(plugin, &task)
            .await
            .map_err(|source| ReplayError::Guest {
                after_event: started,
                source,
            })?;
        let decided: Vec<String> = answer.decisions.iter().map(decision_signature).collect();
        let recorded: Vec<String> = wire
            .iter()
            .filter(|e| decided_by(e) == Some(completed_id))
            .filter_map(event_signature)
            .collect();
        if decided != recorded {
            return Ok(Replayed::Diverged(Divergence {
                after_event: started,
                recorded,
                decided,
            }));
        }
        previous_started = started;
        points += 1;
    }
    Ok(Replayed::Identical(points))
}

/// The DecisionTaskCompleted an event was produced by, if any.
fn decided_by(event: &Value) -> Option<i64> {
    event
        .as_object()?
        .iter()
        .find(|(key, _)| key.ends_with("EventAttributes"))?
        .1
        .get("decisionTaskCompletedEventId")?
        .as_i64()
}

/// The signature of a decision.
pub fn decision_signature(decision: &Decision) -> String {
    let kind = decision.decision_type();
    match decision {
        Decision::ScheduleActivityTask(a) => format!(
            "{kind} {} ({} {})",
            a.activity_id, a.activity_type.name, a.activity_type.version
        ),
        Decision::RequestCancelActivityTask(a) => format!("{kind} {}", a.activity_id),
        Decision::RecordMarker(a) => format!("{kind} {}", a.marker_name),
        Decision::StartTimer(a) => format!("{kind} {}", a.timer_id),
        Decision::CancelTimer(a) => format!("{kind} {}", a.timer_id),
        Decision::SignalExternalWorkflowExecution(a) => {
            format!("{kind} {} {}", a.workflow_id, a.signal_name)
        }
        Decision::RequestCancelExternalWorkflowExecution(a) => format!("{kind} {}", a.workflow_id),
        Decision::StartChildWorkflowExecution(a) => format!(
            "{kind} {} ({} {})",
            a.workflow_id, a.workflow_type.name, a.workflow_type.version
        ),
        Decision::ScheduleLambdaFunction(a) => format!("{kind} {}", a.id),
        Decision::CompleteWorkflowExecution(_)
        | Decision::FailWorkflowExecution(_)
        | Decision::CancelWorkflowExecution(_)
        | Decision::ContinueAsNewWorkflowExecution(_) => kind.to_owned(),
    }
}

/// The signature of the decision that produced `event`, for events decisions produce (their
/// success or synchronous failure events; asynchronous outcomes are skipped).
fn event_signature(event: &Value) -> Option<String> {
    let event_type = event["eventType"].as_str()?;
    let (_, a) = event
        .as_object()?
        .iter()
        .find(|(key, _)| key.ends_with("EventAttributes"))?;
    let s = |key: &str| a[key].as_str().unwrap_or_default().to_owned();
    let typed = |key: &str| {
        format!(
            "{} ({} {})",
            s(key),
            a["activityType"]["name"]
                .as_str()
                .or(a["workflowType"]["name"].as_str())
                .unwrap_or_default(),
            a["activityType"]["version"]
                .as_str()
                .or(a["workflowType"]["version"].as_str())
                .unwrap_or_default()
        )
    };
    Some(match event_type {
        "ActivityTaskScheduled" | "ScheduleActivityTaskFailed" => {
            format!("ScheduleActivityTask {}", typed("activityId"))
        }
        "ActivityTaskCancelRequested" | "RequestCancelActivityTaskFailed" => {
            format!("RequestCancelActivityTask {}", s("activityId"))
        }
        "MarkerRecorded" | "RecordMarkerFailed" => format!("RecordMarker {}", s("markerName")),
        "TimerStarted" | "StartTimerFailed" => format!("StartTimer {}", s("timerId")),
        "TimerCanceled" | "CancelTimerFailed" => format!("CancelTimer {}", s("timerId")),
        "SignalExternalWorkflowExecutionInitiated" => format!(
            "SignalExternalWorkflowExecution {} {}",
            s("workflowId"),
            s("signalName")
        ),
        "RequestCancelExternalWorkflowExecutionInitiated" => {
            format!("RequestCancelExternalWorkflowExecution {}", s("workflowId"))
        }
        "StartChildWorkflowExecutionInitiated" => {
            format!("StartChildWorkflowExecution {}", typed("workflowId"))
        }
        // A failure after the Initiated event (WORKFLOW_ALREADY_RUNNING) is that decision's
        // asynchronous outcome, not a decision of its own.
        "StartChildWorkflowExecutionFailed" if a["initiatedEventId"].as_i64() == Some(0) => {
            format!("StartChildWorkflowExecution {}", typed("workflowId"))
        }
        "LambdaFunctionScheduled" | "ScheduleLambdaFunctionFailed" => {
            format!("ScheduleLambdaFunction {}", s("id"))
        }
        "WorkflowExecutionCompleted" | "CompleteWorkflowExecutionFailed" => {
            "CompleteWorkflowExecution".into()
        }
        "WorkflowExecutionFailed" | "FailWorkflowExecutionFailed" => "FailWorkflowExecution".into(),
        "WorkflowExecutionCanceled" | "CancelWorkflowExecutionFailed" => {
            "CancelWorkflowExecution".into()
        }
        "WorkflowExecutionContinuedAsNew" | "ContinueAsNewWorkflowExecutionFailed" => {
            "ContinueAsNewWorkflowExecution".into()
        }
        _ => return None,
    })
}
