//! Decisions: every type round-trips with all members, unknown types are rejected by name, and
//! the decider's response document parses with or without a task token.

use serde_json::{Value, json};
use swf_model::{
    DECISION_TYPES, Decision, RespondDecisionTaskCompleted, StartTimerDecisionAttributes,
};

fn fully_populated_decisions() -> Vec<(&'static str, Value)> {
    let wt = json!({"name": "Flow", "version": "1.0"});
    let tl = json!({"name": "main"});
    vec![
        (
            "ScheduleActivityTask",
            json!({
            "activityType": {"name": "Act", "version": "2"}, "activityId": "a1", "control": "c",
            "input": "in", "scheduleToCloseTimeout": "100", "taskList": tl, "taskPriority": "3",
            "scheduleToStartTimeout": "NONE", "startToCloseTimeout": "50", "heartbeatTimeout": "5"}),
        ),
        ("RequestCancelActivityTask", json!({"activityId": "a1"})),
        ("CompleteWorkflowExecution", json!({"result": "done"})),
        (
            "FailWorkflowExecution",
            json!({"reason": "r", "details": "d"}),
        ),
        ("CancelWorkflowExecution", json!({"details": "d"})),
        (
            "ContinueAsNewWorkflowExecution",
            json!({
            "input": "in", "executionStartToCloseTimeout": "3600", "taskList": tl,
            "taskPriority": "0", "taskStartToCloseTimeout": "60", "childPolicy": "ABANDON",
            "tagList": ["a"], "workflowTypeVersion": "2.0", "lambdaRole": "role"}),
        ),
        ("RecordMarker", json!({"markerName": "m", "details": "d"})),
        (
            "StartTimer",
            json!({"timerId": "t1", "control": "c", "startToFireTimeout": "30"}),
        ),
        ("CancelTimer", json!({"timerId": "t1"})),
        (
            "SignalExternalWorkflowExecution",
            json!({
            "workflowId": "other", "runId": "run-2", "signalName": "s", "input": "in",
            "control": "c"}),
        ),
        (
            "RequestCancelExternalWorkflowExecution",
            json!({
            "workflowId": "other", "runId": "run-2", "control": "c"}),
        ),
        (
            "StartChildWorkflowExecution",
            json!({
            "workflowType": wt, "workflowId": "child", "control": "c", "input": "in",
            "executionStartToCloseTimeout": "600", "taskList": tl, "taskPriority": "-1",
            "taskStartToCloseTimeout": "20", "childPolicy": "TERMINATE", "tagList": ["x", "y"],
            "lambdaRole": "role"}),
        ),
        (
            "ScheduleLambdaFunction",
            json!({
            "id": "l1", "name": "fn", "control": "c", "input": "in", "startToCloseTimeout": "300"}),
        ),
    ]
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    let head = chars.next().unwrap().to_ascii_lowercase();
    format!("{head}{}", chars.as_str())
}

#[test]
fn every_decision_type_round_trips_with_all_members() {
    let samples = fully_populated_decisions();
    let listed: Vec<&str> = samples
        .iter()
        .map(|(decision_type, _)| *decision_type)
        .collect();
    assert_eq!(listed, DECISION_TYPES);

    for (decision_type, attributes) in samples {
        let key = format!("{}DecisionAttributes", lower_first(decision_type));
        let wire = json!({"decisionType": decision_type, key.clone(): attributes});
        let decision: Decision =
            serde_json::from_value(wire.clone()).unwrap_or_else(|e| panic!("{decision_type}: {e}"));
        assert_eq!(decision.decision_type(), decision_type);
        assert_eq!(decision.attributes_key(), key);
        assert_eq!(
            serde_json::to_value(&decision).unwrap(),
            wire,
            "{decision_type}"
        );
    }
}

#[test]
fn close_decisions_are_the_four_closing_types() {
    let closing: Vec<&str> = fully_populated_decisions()
        .into_iter()
        .map(|(decision_type, attributes)| {
            let key = format!("{}DecisionAttributes", lower_first(decision_type));
            serde_json::from_value::<Decision>(
                json!({"decisionType": decision_type, key: attributes}),
            )
            .unwrap()
        })
        .filter(Decision::is_close)
        .map(|decision| decision.decision_type())
        .collect();
    assert_eq!(
        closing,
        [
            "CompleteWorkflowExecution",
            "FailWorkflowExecution",
            "CancelWorkflowExecution",
            "ContinueAsNewWorkflowExecution"
        ]
    );
}

#[test]
fn unknown_decision_type_is_rejected_by_name() {
    let wire = json!({"decisionType": "LaunchRocket", "launchRocketDecisionAttributes": {}});
    let message = serde_json::from_value::<Decision>(wire)
        .unwrap_err()
        .to_string();
    assert!(message.contains("LaunchRocket"), "{message}");
    let message = serde_json::from_value::<Decision>(json!({}))
        .unwrap_err()
        .to_string();
    assert!(message.contains("decisionType"), "{message}");
}

#[test]
fn missing_required_member_is_rejected() {
    let wire =
        json!({"decisionType": "StartTimer", "startTimerDecisionAttributes": {"timerId": "t"}});
    let message = serde_json::from_value::<Decision>(wire)
        .unwrap_err()
        .to_string();
    assert!(message.contains("StartTimer"), "{message}");
    assert!(message.contains("startToFireTimeout"), "{message}");
}

#[test]
fn attributes_may_be_omitted_when_all_optional() {
    let decision: Decision =
        serde_json::from_value(json!({"decisionType": "CompleteWorkflowExecution"})).unwrap();
    assert!(decision.is_close());
    assert_eq!(
        serde_json::to_value(&decision).unwrap(),
        json!({"decisionType": "CompleteWorkflowExecution", "completeWorkflowExecutionDecisionAttributes": {}})
    );
}

#[test]
fn builders_can_use_default() {
    let decision = Decision::StartTimer(StartTimerDecisionAttributes {
        timer_id: "wake".into(),
        start_to_fire_timeout: "5".into(),
        ..Default::default()
    });
    assert_eq!(
        serde_json::to_value(&decision).unwrap(),
        json!({"decisionType": "StartTimer",
               "startTimerDecisionAttributes": {"timerId": "wake", "startToFireTimeout": "5"}})
    );
}

#[test]
fn response_without_token_is_what_a_sandboxed_decider_returns() {
    let response: RespondDecisionTaskCompleted = serde_json::from_value(json!({
        "decisions": [{"decisionType": "CompleteWorkflowExecution",
                       "completeWorkflowExecutionDecisionAttributes": {"result": "hi"}}],
        "executionContext": "ctx"
    }))
    .unwrap();
    assert!(response.task_token.is_empty());
    assert_eq!(response.decisions.len(), 1);
    let wire = serde_json::to_value(&response).unwrap();
    assert!(wire.get("taskToken").is_none());

    let with_token = RespondDecisionTaskCompleted {
        task_token: "tok".into(),
        ..response
    };
    assert_eq!(
        serde_json::to_value(&with_token).unwrap()["taskToken"],
        "tok"
    );
}

#[test]
fn response_decisions_may_be_absent_or_null() {
    for wire in [
        json!({"taskToken": "t"}),
        json!({"taskToken": "t", "decisions": null}),
    ] {
        let response: RespondDecisionTaskCompleted = serde_json::from_value(wire).unwrap();
        assert!(response.decisions.is_empty());
    }
}
