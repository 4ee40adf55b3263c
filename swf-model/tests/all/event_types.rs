//! Every one of the 54 event types, with every attribute member of the spec filled in, parses
//! into its own variant and serializes back unchanged (which proves every wire name is right:
//! a misspelled member would be dropped and the round trip would differ).

use serde_json::{Value, json};
use swf_model::{EVENT_TYPES, EventAttributes, HistoryEvent};

fn fully_populated_attributes() -> Vec<(&'static str, Value)> {
    let we = json!({"workflowId": "wf-1", "runId": "run-1"});
    let wt = json!({"name": "Flow", "version": "1.0"});
    let at = json!({"name": "Act", "version": "2"});
    let tl = json!({"name": "main"});
    vec![
        (
            "WorkflowExecutionStarted",
            json!({
            "input": "in", "executionStartToCloseTimeout": "3600", "taskStartToCloseTimeout": "60",
            "childPolicy": "TERMINATE", "taskList": tl, "taskPriority": "0", "workflowType": wt,
            "tagList": ["a", "b"], "continuedExecutionRunId": "run-0", "parentWorkflowExecution": we,
            "parentInitiatedEventId": 7, "lambdaRole": "arn:aws:iam::1:role/r"}),
        ),
        (
            "WorkflowExecutionCancelRequested",
            json!({
            "externalWorkflowExecution": we, "externalInitiatedEventId": 3,
            "cause": "CHILD_POLICY_APPLIED"}),
        ),
        (
            "WorkflowExecutionCompleted",
            json!({"result": "ok", "decisionTaskCompletedEventId": 4}),
        ),
        (
            "CompleteWorkflowExecutionFailed",
            json!({
            "cause": "UNHANDLED_DECISION", "decisionTaskCompletedEventId": 4}),
        ),
        (
            "WorkflowExecutionFailed",
            json!({
            "reason": "r", "details": "d", "decisionTaskCompletedEventId": 4}),
        ),
        (
            "FailWorkflowExecutionFailed",
            json!({
            "cause": "OPERATION_NOT_PERMITTED", "decisionTaskCompletedEventId": 4}),
        ),
        (
            "WorkflowExecutionTimedOut",
            json!({"timeoutType": "START_TO_CLOSE", "childPolicy": "ABANDON"}),
        ),
        (
            "WorkflowExecutionCanceled",
            json!({"details": "d", "decisionTaskCompletedEventId": 4}),
        ),
        (
            "CancelWorkflowExecutionFailed",
            json!({
            "cause": "UNHANDLED_DECISION", "decisionTaskCompletedEventId": 4}),
        ),
        (
            "WorkflowExecutionContinuedAsNew",
            json!({
            "input": "in", "decisionTaskCompletedEventId": 4, "newExecutionRunId": "run-2",
            "executionStartToCloseTimeout": "NONE", "taskList": tl, "taskPriority": "-3",
            "taskStartToCloseTimeout": "30", "childPolicy": "REQUEST_CANCEL", "tagList": ["t"],
            "workflowType": wt, "lambdaRole": "role"}),
        ),
        (
            "ContinueAsNewWorkflowExecutionFailed",
            json!({
            "cause": "DEFAULT_CHILD_POLICY_UNDEFINED", "decisionTaskCompletedEventId": 4}),
        ),
        (
            "WorkflowExecutionTerminated",
            json!({
            "reason": "r", "details": "d", "childPolicy": "TERMINATE", "cause": "OPERATOR_INITIATED"}),
        ),
        (
            "DecisionTaskScheduled",
            json!({
            "taskList": tl, "taskPriority": "0", "startToCloseTimeout": "60",
            "scheduleToStartTimeout": "10"}),
        ),
        (
            "DecisionTaskStarted",
            json!({"identity": "decider-1", "scheduledEventId": 2}),
        ),
        (
            "DecisionTaskCompleted",
            json!({
            "executionContext": "ctx", "scheduledEventId": 2, "startedEventId": 3, "taskList": tl,
            "taskListScheduleToStartTimeout": "15"}),
        ),
        (
            "DecisionTaskTimedOut",
            json!({
            "timeoutType": "SCHEDULE_TO_START", "scheduledEventId": 2, "startedEventId": 0}),
        ),
        (
            "ActivityTaskScheduled",
            json!({
            "activityType": at, "activityId": "a1", "input": "in", "control": "c",
            "scheduleToStartTimeout": "1", "scheduleToCloseTimeout": "2", "startToCloseTimeout": "3",
            "taskList": tl, "taskPriority": "5", "decisionTaskCompletedEventId": 4,
            "heartbeatTimeout": "NONE"}),
        ),
        (
            "ScheduleActivityTaskFailed",
            json!({
            "activityType": at, "activityId": "a1", "cause": "ACTIVITY_ID_ALREADY_IN_USE",
            "decisionTaskCompletedEventId": 4}),
        ),
        (
            "ActivityTaskStarted",
            json!({"identity": "worker", "scheduledEventId": 5}),
        ),
        (
            "ActivityTaskCompleted",
            json!({"result": "r", "scheduledEventId": 5, "startedEventId": 6}),
        ),
        (
            "ActivityTaskFailed",
            json!({
            "reason": "r", "details": "d", "scheduledEventId": 5, "startedEventId": 6}),
        ),
        (
            "ActivityTaskTimedOut",
            json!({
            "timeoutType": "HEARTBEAT", "scheduledEventId": 5, "startedEventId": 6, "details": "hb"}),
        ),
        (
            "ActivityTaskCanceled",
            json!({
            "details": "d", "scheduledEventId": 5, "startedEventId": 0,
            "latestCancelRequestedEventId": 8}),
        ),
        (
            "ActivityTaskCancelRequested",
            json!({"decisionTaskCompletedEventId": 4, "activityId": "a1"}),
        ),
        (
            "RequestCancelActivityTaskFailed",
            json!({
            "activityId": "a1", "cause": "ACTIVITY_ID_UNKNOWN", "decisionTaskCompletedEventId": 4}),
        ),
        (
            "WorkflowExecutionSignaled",
            json!({
            "signalName": "go", "input": "in", "externalWorkflowExecution": we,
            "externalInitiatedEventId": 9}),
        ),
        (
            "MarkerRecorded",
            json!({"markerName": "m", "details": "d", "decisionTaskCompletedEventId": 4}),
        ),
        (
            "RecordMarkerFailed",
            json!({
            "markerName": "m", "cause": "OPERATION_NOT_PERMITTED", "decisionTaskCompletedEventId": 4}),
        ),
        (
            "TimerStarted",
            json!({
            "timerId": "t1", "control": "c", "startToFireTimeout": "30",
            "decisionTaskCompletedEventId": 4}),
        ),
        (
            "StartTimerFailed",
            json!({
            "timerId": "t1", "cause": "TIMER_ID_ALREADY_IN_USE", "decisionTaskCompletedEventId": 4}),
        ),
        ("TimerFired", json!({"timerId": "t1", "startedEventId": 5})),
        (
            "TimerCanceled",
            json!({"timerId": "t1", "startedEventId": 5, "decisionTaskCompletedEventId": 9}),
        ),
        (
            "CancelTimerFailed",
            json!({
            "timerId": "t1", "cause": "TIMER_ID_UNKNOWN", "decisionTaskCompletedEventId": 4}),
        ),
        (
            "StartChildWorkflowExecutionInitiated",
            json!({
            "workflowId": "child", "workflowType": wt, "control": "c", "input": "in",
            "executionStartToCloseTimeout": "100", "taskList": tl, "taskPriority": "1",
            "decisionTaskCompletedEventId": 4, "childPolicy": "TERMINATE",
            "taskStartToCloseTimeout": "10", "tagList": ["x"], "lambdaRole": "role"}),
        ),
        (
            "StartChildWorkflowExecutionFailed",
            json!({
            "workflowType": wt, "cause": "WORKFLOW_ALREADY_RUNNING", "workflowId": "child",
            "initiatedEventId": 5, "decisionTaskCompletedEventId": 4, "control": "c"}),
        ),
        (
            "ChildWorkflowExecutionStarted",
            json!({
            "workflowExecution": we, "workflowType": wt, "initiatedEventId": 5}),
        ),
        (
            "ChildWorkflowExecutionCompleted",
            json!({
            "workflowExecution": we, "workflowType": wt, "result": "r", "initiatedEventId": 5,
            "startedEventId": 6}),
        ),
        (
            "ChildWorkflowExecutionFailed",
            json!({
            "workflowExecution": we, "workflowType": wt, "reason": "r", "details": "d",
            "initiatedEventId": 5, "startedEventId": 6}),
        ),
        (
            "ChildWorkflowExecutionTimedOut",
            json!({
            "workflowExecution": we, "workflowType": wt, "timeoutType": "START_TO_CLOSE",
            "initiatedEventId": 5, "startedEventId": 6}),
        ),
        (
            "ChildWorkflowExecutionCanceled",
            json!({
            "workflowExecution": we, "workflowType": wt, "details": "d", "initiatedEventId": 5,
            "startedEventId": 6}),
        ),
        (
            "ChildWorkflowExecutionTerminated",
            json!({
            "workflowExecution": we, "workflowType": wt, "initiatedEventId": 5, "startedEventId": 6}),
        ),
        (
            "SignalExternalWorkflowExecutionInitiated",
            json!({
            "workflowId": "other", "runId": "run-9", "signalName": "s", "input": "in",
            "decisionTaskCompletedEventId": 4, "control": "c"}),
        ),
        (
            "SignalExternalWorkflowExecutionFailed",
            json!({
            "workflowId": "other", "runId": "run-9", "cause": "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
            "initiatedEventId": 5, "decisionTaskCompletedEventId": 4, "control": "c"}),
        ),
        (
            "ExternalWorkflowExecutionSignaled",
            json!({"workflowExecution": we, "initiatedEventId": 5}),
        ),
        (
            "RequestCancelExternalWorkflowExecutionInitiated",
            json!({
            "workflowId": "other", "runId": "run-9", "decisionTaskCompletedEventId": 4,
            "control": "c"}),
        ),
        (
            "RequestCancelExternalWorkflowExecutionFailed",
            json!({
            "workflowId": "other", "runId": "run-9",
            "cause": "REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
            "initiatedEventId": 5, "decisionTaskCompletedEventId": 4, "control": "c"}),
        ),
        (
            "ExternalWorkflowExecutionCancelRequested",
            json!({
            "workflowExecution": we, "initiatedEventId": 5}),
        ),
        (
            "LambdaFunctionScheduled",
            json!({
            "id": "l1", "name": "fn", "control": "c", "input": "in", "startToCloseTimeout": "900",
            "decisionTaskCompletedEventId": 4}),
        ),
        ("LambdaFunctionStarted", json!({"scheduledEventId": 5})),
        (
            "LambdaFunctionCompleted",
            json!({"scheduledEventId": 5, "startedEventId": 6, "result": "r"}),
        ),
        (
            "LambdaFunctionFailed",
            json!({
            "scheduledEventId": 5, "startedEventId": 6, "reason": "r", "details": "d"}),
        ),
        (
            "LambdaFunctionTimedOut",
            json!({
            "scheduledEventId": 5, "startedEventId": 6, "timeoutType": "START_TO_CLOSE"}),
        ),
        (
            "ScheduleLambdaFunctionFailed",
            json!({
            "id": "l1", "name": "fn", "cause": "LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION",
            "decisionTaskCompletedEventId": 4}),
        ),
        (
            "StartLambdaFunctionFailed",
            json!({
            "scheduledEventId": 5, "cause": "ASSUME_ROLE_FAILED", "message": "no role"}),
        ),
    ]
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    let head = chars.next().unwrap().to_ascii_lowercase();
    format!("{head}{}", chars.as_str())
}

#[test]
fn every_event_type_round_trips_with_all_members() {
    let samples = fully_populated_attributes();
    let listed: Vec<&str> = samples.iter().map(|(event_type, _)| *event_type).collect();
    assert_eq!(
        listed, EVENT_TYPES,
        "the samples cover every type, in order"
    );

    for (index, (event_type, attributes)) in samples.into_iter().enumerate() {
        let key = format!("{}EventAttributes", lower_first(event_type));
        let wire = json!({
            "eventId": index + 1,
            "eventTimestamp": 1700000000.125,
            "eventType": event_type,
            key.clone(): attributes,
        });
        let event: HistoryEvent =
            serde_json::from_value(wire.clone()).unwrap_or_else(|e| panic!("{event_type}: {e}"));
        assert!(
            !matches!(event.attributes, EventAttributes::Unknown { .. }),
            "{event_type} parsed as Unknown"
        );
        assert_eq!(event.event_type(), event_type);
        assert_eq!(event.attributes.attributes_key(), Some(key.as_str()));
        assert_eq!(serde_json::to_value(&event).unwrap(), wire, "{event_type}");
    }
}

#[test]
fn all_optional_attributes_may_be_omitted_entirely() {
    // StartLambdaFunctionFailed has no required members, so a missing attributes object parses.
    let wire =
        json!({"eventId": 1, "eventTimestamp": 1.0, "eventType": "StartLambdaFunctionFailed"});
    let event: HistoryEvent = serde_json::from_value(wire).unwrap();
    assert_eq!(event.event_type(), "StartLambdaFunctionFailed");
}
