//! Validation of a decider's response against the limits and rules of §4, §6.16 and §6.17.
//!
//! The service rejects a whole response with ValidationException when any decision breaks a
//! rule, and nothing is applied; checking before sending lets a host report the problem with the
//! decision's position instead of a round trip.

use std::io;

use serde::Serialize;

use super::{
    DecisionError, MAX_ARN_LEN, MAX_DATA_LEN, MAX_DECISIONS, MAX_ID_LEN, MAX_LAMBDA_NAME_LEN,
    MAX_LAMBDA_TIMEOUT_SECS, MAX_REASON_LEN, MAX_RESPONSE_BYTES, MAX_RUN_ID_LEN, MAX_TAG_LEN,
    MAX_TAGS, MAX_VERSION_LEN, check_duration, check_execution_timeout, check_identifier,
    check_length, check_priority, check_timer_duration,
};
use crate::{
    ActivityType, ChildPolicy, Decision, RespondDecisionTaskCompleted, TaskList, WorkflowType,
};

/// A problem at a wire path relative to the object being checked.
type FieldResult = Result<(), (String, String)>;

/// Validates a whole RespondDecisionTaskCompleted: the decision list (as
/// [`validate_decisions`], except that the size limit applies to the whole serialized response),
/// `executionContext`, the task-list override and its timeout. `taskToken` is not checked
/// because sandboxed deciders leave it to the host.
pub fn validate_response(resp: &RespondDecisionTaskCompleted) -> Result<(), DecisionError> {
    check_decision_list(&resp.decisions)?;
    let top_level = optional("executionContext", resp.execution_context.as_deref(), data)
        .and_then(|()| match &resp.task_list {
            Some(task_list) => check_task_list("taskList", task_list),
            None => Ok(()),
        })
        .and_then(|()| {
            optional(
                "taskListScheduleToStartTimeout",
                resp.task_list_schedule_to_start_timeout.as_deref(),
                check_duration,
            )
        });
    top_level.map_err(|(field, problem)| list_error(field, problem))?;
    check_size("response", resp)
}

/// Validates a decision list: at most [`MAX_DECISIONS`] decisions, at most one closing decision
/// and only in last position, every member of every decision within its limits, and the
/// serialized list within [`MAX_RESPONSE_BYTES`].
pub fn validate_decisions(decisions: &[Decision]) -> Result<(), DecisionError> {
    check_decision_list(decisions)?;
    check_size("decisions", decisions)
}

/// Everything [`validate_decisions`] checks except the size.
fn check_decision_list(decisions: &[Decision]) -> Result<(), DecisionError> {
    if decisions.len() > MAX_DECISIONS {
        return Err(list_error(
            "decisions".to_owned(),
            format!(
                "{} decisions, at most {MAX_DECISIONS} are allowed",
                decisions.len()
            ),
        ));
    }
    check_close_placement(decisions)?;
    for (index, decision) in decisions.iter().enumerate() {
        check_decision(decision).map_err(|(field, problem)| DecisionError {
            index: Some(index),
            decision_type: Some(decision.decision_type()),
            field: format!("{}.{field}", decision.attributes_key()),
            problem,
        })?;
    }
    Ok(())
}

fn list_error(field: String, problem: String) -> DecisionError {
    DecisionError {
        index: None,
        decision_type: None,
        field,
        problem,
    }
}

/// At most one closing decision, and it must be the last one.
fn check_close_placement(decisions: &[Decision]) -> Result<(), DecisionError> {
    let mut closes = decisions
        .iter()
        .enumerate()
        .filter(|(_, decision)| decision.is_close());
    let Some((first, first_decision)) = closes.next() else {
        return Ok(());
    };
    let (index, decision, problem) = match closes.next() {
        Some((second, decision)) => (
            second,
            decision,
            format!(
                "only one closing decision is allowed, decision {first} already closes the run"
            ),
        ),
        None if first + 1 != decisions.len() => (
            first,
            first_decision,
            format!(
                "a closing decision must be the last decision, but {} decision(s) follow it",
                decisions.len() - first - 1
            ),
        ),
        None => return Ok(()),
    };
    Err(DecisionError {
        index: Some(index),
        decision_type: Some(decision.decision_type()),
        field: "decisionType".to_owned(),
        problem,
    })
}

/// Checks the members of one decision; field paths are relative to its attributes object.
fn check_decision(decision: &Decision) -> FieldResult {
    match decision {
        Decision::ScheduleActivityTask(a) => {
            check_activity_type(&a.activity_type)?;
            required("activityId", &a.activity_id, id)?;
            optional("control", a.control.as_deref(), data)?;
            optional("input", a.input.as_deref(), data)?;
            optional(
                "scheduleToCloseTimeout",
                a.schedule_to_close_timeout.as_deref(),
                check_duration,
            )?;
            optional_task_list(a.task_list.as_ref())?;
            optional("taskPriority", a.task_priority.as_deref(), check_priority)?;
            optional(
                "scheduleToStartTimeout",
                a.schedule_to_start_timeout.as_deref(),
                check_duration,
            )?;
            optional(
                "startToCloseTimeout",
                a.start_to_close_timeout.as_deref(),
                check_duration,
            )?;
            optional(
                "heartbeatTimeout",
                a.heartbeat_timeout.as_deref(),
                check_duration,
            )
        }
        Decision::RequestCancelActivityTask(a) => required("activityId", &a.activity_id, id),
        Decision::CompleteWorkflowExecution(a) => optional("result", a.result.as_deref(), data),
        Decision::FailWorkflowExecution(a) => {
            optional("reason", a.reason.as_deref(), reason)?;
            optional("details", a.details.as_deref(), data)
        }
        Decision::CancelWorkflowExecution(a) => optional("details", a.details.as_deref(), data),
        Decision::ContinueAsNewWorkflowExecution(a) => {
            optional("input", a.input.as_deref(), data)?;
            optional(
                "executionStartToCloseTimeout",
                a.execution_start_to_close_timeout.as_deref(),
                check_execution_timeout,
            )?;
            optional_task_list(a.task_list.as_ref())?;
            optional("taskPriority", a.task_priority.as_deref(), check_priority)?;
            optional(
                "taskStartToCloseTimeout",
                a.task_start_to_close_timeout.as_deref(),
                check_duration,
            )?;
            optional_child_policy(a.child_policy.as_ref())?;
            optional_tags(a.tag_list.as_deref())?;
            optional(
                "workflowTypeVersion",
                a.workflow_type_version.as_deref(),
                version,
            )?;
            optional("lambdaRole", a.lambda_role.as_deref(), arn)
        }
        Decision::RecordMarker(a) => {
            required("markerName", &a.marker_name, name)?;
            optional("details", a.details.as_deref(), data)
        }
        Decision::StartTimer(a) => {
            required("timerId", &a.timer_id, id)?;
            optional("control", a.control.as_deref(), data)?;
            required(
                "startToFireTimeout",
                &a.start_to_fire_timeout,
                check_timer_duration,
            )
        }
        Decision::CancelTimer(a) => required("timerId", &a.timer_id, id),
        Decision::SignalExternalWorkflowExecution(a) => {
            required("workflowId", &a.workflow_id, id)?;
            optional("runId", a.run_id.as_deref(), run_id)?;
            required("signalName", &a.signal_name, name)?;
            optional("input", a.input.as_deref(), data)?;
            optional("control", a.control.as_deref(), data)
        }
        Decision::RequestCancelExternalWorkflowExecution(a) => {
            required("workflowId", &a.workflow_id, id)?;
            optional("runId", a.run_id.as_deref(), run_id)?;
            optional("control", a.control.as_deref(), data)
        }
        Decision::StartChildWorkflowExecution(a) => {
            check_workflow_type(&a.workflow_type)?;
            required("workflowId", &a.workflow_id, id)?;
            optional("control", a.control.as_deref(), data)?;
            optional("input", a.input.as_deref(), data)?;
            optional(
                "executionStartToCloseTimeout",
                a.execution_start_to_close_timeout.as_deref(),
                check_execution_timeout,
            )?;
            optional_task_list(a.task_list.as_ref())?;
            optional("taskPriority", a.task_priority.as_deref(), check_priority)?;
            optional(
                "taskStartToCloseTimeout",
                a.task_start_to_close_timeout.as_deref(),
                check_duration,
            )?;
            optional_child_policy(a.child_policy.as_ref())?;
            optional_tags(a.tag_list.as_deref())?;
            optional("lambdaRole", a.lambda_role.as_deref(), arn)
        }
        Decision::ScheduleLambdaFunction(a) => {
            required("id", &a.id, name)?;
            required("name", &a.name, |v| check_length(v, 1, MAX_LAMBDA_NAME_LEN))?;
            optional("control", a.control.as_deref(), data)?;
            optional("input", a.input.as_deref(), data)?;
            optional(
                "startToCloseTimeout",
                a.start_to_close_timeout.as_deref(),
                lambda_timeout,
            )
        }
    }
}

fn required(field: &str, value: &str, check: impl Fn(&str) -> Result<(), String>) -> FieldResult {
    check(value).map_err(|problem| (field.to_owned(), problem))
}

fn optional(
    field: &str,
    value: Option<&str>,
    check: impl Fn(&str) -> Result<(), String>,
) -> FieldResult {
    value.map_or(Ok(()), |value| required(field, value, check))
}

fn id(value: &str) -> Result<(), String> {
    check_identifier(value, MAX_ID_LEN)
}

fn version(value: &str) -> Result<(), String> {
    check_identifier(value, MAX_VERSION_LEN)
}

/// Names that are not identifiers (marker, signal, Lambda task id): only the length is limited.
fn name(value: &str) -> Result<(), String> {
    check_length(value, 1, MAX_ID_LEN)
}

fn data(value: &str) -> Result<(), String> {
    check_length(value, 0, MAX_DATA_LEN)
}

fn reason(value: &str) -> Result<(), String> {
    check_length(value, 0, MAX_REASON_LEN)
}

fn run_id(value: &str) -> Result<(), String> {
    check_length(value, 0, MAX_RUN_ID_LEN)
}

fn arn(value: &str) -> Result<(), String> {
    check_length(value, 1, MAX_ARN_LEN)
}

fn lambda_timeout(value: &str) -> Result<(), String> {
    check_duration(value)?;
    match value.parse::<u64>() {
        Ok(secs) if !(1..=MAX_LAMBDA_TIMEOUT_SECS).contains(&secs) => Err(format!(
            "must be from 1 to {MAX_LAMBDA_TIMEOUT_SECS} seconds, got {secs}"
        )),
        _ => Ok(()),
    }
}

fn check_activity_type(activity_type: &ActivityType) -> FieldResult {
    required("activityType.name", &activity_type.name, id)?;
    required("activityType.version", &activity_type.version, version)
}

fn check_workflow_type(workflow_type: &WorkflowType) -> FieldResult {
    required("workflowType.name", &workflow_type.name, id)?;
    required("workflowType.version", &workflow_type.version, version)
}

fn check_task_list(field: &str, task_list: &TaskList) -> FieldResult {
    required(&format!("{field}.name"), &task_list.name, id)
}

fn optional_task_list(task_list: Option<&TaskList>) -> FieldResult {
    task_list.map_or(Ok(()), |task_list| check_task_list("taskList", task_list))
}

fn optional_child_policy(child_policy: Option<&ChildPolicy>) -> FieldResult {
    match child_policy {
        Some(ChildPolicy::Unknown(other)) => Err((
            "childPolicy".to_owned(),
            format!("must be TERMINATE, REQUEST_CANCEL or ABANDON, got {other:?}"),
        )),
        _ => Ok(()),
    }
}

fn optional_tags(tags: Option<&[String]>) -> FieldResult {
    let Some(tags) = tags else {
        return Ok(());
    };
    if tags.len() > MAX_TAGS {
        return Err((
            "tagList".to_owned(),
            format!("{} tags, at most {MAX_TAGS} are allowed", tags.len()),
        ));
    }
    for (index, tag) in tags.iter().enumerate() {
        required(&format!("tagList[{index}]"), tag, |v| {
            check_length(v, 0, MAX_TAG_LEN)
        })?;
    }
    Ok(())
}

/// Checks that `value` serializes to at most [`MAX_RESPONSE_BYTES`] bytes of JSON.
fn check_size<T: Serialize + ?Sized>(field: &str, value: &T) -> Result<(), DecisionError> {
    let mut counter = ByteCounter(0);
    let problem = match serde_json::to_writer(&mut counter, value) {
        Ok(()) if counter.0 <= MAX_RESPONSE_BYTES => return Ok(()),
        Ok(()) => format!(
            "serialized size is {} bytes, at most {MAX_RESPONSE_BYTES} are allowed",
            counter.0
        ),
        Err(e) => format!("cannot be serialized: {e}"),
    };
    Err(list_error(field.to_owned(), problem))
}

/// Counts bytes written, so the size check does not allocate a copy of a megabyte-sized body.
struct ByteCounter(usize);

impl io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
