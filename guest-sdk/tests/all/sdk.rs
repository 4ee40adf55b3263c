//! The SDK's typed history queries and decision builder, natively, on synthetic histories.

use serde_json::{Value, json};
use swfwasm_guest::prelude::*;
use swfwasm_guest::swf_model::{self, ChildPolicy};

/// A decision task whose history is `events` (eventId and timestamps filled in).
fn task(previous_started: i64, events: Vec<Value>) -> DecisionTask {
    let events: Vec<Value> = events
        .into_iter()
        .enumerate()
        .map(|(i, mut e)| {
            e["eventId"] = json!(i + 1);
            e["eventTimestamp"] = json!(1_700_000_000.0 + i as f64);
            e
        })
        .collect();
    let started = events.len();
    DecisionTask::from_json(
        &json!({
            "taskToken": "t", "startedEventId": started, "previousStartedEventId": previous_started,
            "workflowExecution": {"workflowId": "w", "runId": "r"},
            "workflowType": {"name": "W", "version": "1"},
            "events": events,
        })
        .to_string(),
    )
    .unwrap()
}

fn started(input: &str) -> Value {
    json!({"eventType": "WorkflowExecutionStarted", "workflowExecutionStartedEventAttributes": {
        "input": input, "childPolicy": "TERMINATE", "taskList": {"name": "l"},
        "workflowType": {"name": "W", "version": "1"}}})
}
fn decision_scheduled() -> Value {
    json!({"eventType": "DecisionTaskScheduled", "decisionTaskScheduledEventAttributes": {"taskList": {"name": "l"}}})
}
fn decision_started(scheduled: i64) -> Value {
    json!({"eventType": "DecisionTaskStarted", "decisionTaskStartedEventAttributes": {"scheduledEventId": scheduled}})
}
fn decision_completed(scheduled: i64, started: i64) -> Value {
    json!({"eventType": "DecisionTaskCompleted", "decisionTaskCompletedEventAttributes": {"scheduledEventId": scheduled, "startedEventId": started}})
}
fn activity_scheduled(id: &str) -> Value {
    json!({"eventType": "ActivityTaskScheduled", "activityTaskScheduledEventAttributes": {
        "activityId": id, "activityType": {"name": "A", "version": "1"}, "taskList": {"name": "l"},
        "decisionTaskCompletedEventId": 4}})
}
fn activity_event(kind: &str, scheduled: i64, extra: Value) -> Value {
    let key = format!("{}{}EventAttributes", kind[..1].to_lowercase(), &kind[1..]);
    let mut attrs = json!({"scheduledEventId": scheduled, "startedEventId": scheduled + 1});
    for (k, v) in extra.as_object().unwrap() {
        attrs[k] = v.clone();
    }
    json!({"eventType": kind, key: attrs})
}

#[test]
fn activity_state_follows_the_latest_attempt() {
    let base = vec![
        started("go"),
        decision_scheduled(),
        decision_started(2),
        decision_completed(2, 3),
    ];
    let mut events = base.clone();
    events.push(activity_scheduled("a")); // 5
    assert_eq!(
        task(3, events.clone()).activity("a"),
        Some(ActivityState::Scheduled)
    );
    assert_eq!(task(3, events.clone()).activity("other"), None);

    events.push(json!({"eventType": "ActivityTaskStarted", "activityTaskStartedEventAttributes": {"scheduledEventId": 5}}));
    assert_eq!(
        task(3, events.clone()).activity("a"),
        Some(ActivityState::Started)
    );

    let mut failed = events.clone();
    failed.push(activity_event(
        "ActivityTaskFailed",
        5,
        json!({"reason": "card declined", "details": "d"}),
    ));
    let state = task(3, failed.clone()).activity("a").unwrap();
    assert_eq!(
        state,
        ActivityState::Failed {
            reason: Some("card declined".into()),
            details: Some("d".into())
        }
    );
    assert!(state.is_closed());

    // A retry under the same id: the state describes the new attempt, not the failure.
    failed.push(activity_scheduled("a")); // 8
    assert_eq!(
        task(3, failed.clone()).activity("a"),
        Some(ActivityState::Scheduled)
    );
    failed.push(activity_event(
        "ActivityTaskCompleted",
        8,
        json!({"result": "ok"}),
    ));
    assert_eq!(
        task(3, failed).activity("a"),
        Some(ActivityState::Completed {
            result: Some("ok".into())
        })
    );

    let mut timed_out = events.clone();
    timed_out.push(activity_event(
        "ActivityTaskTimedOut",
        5,
        json!({"timeoutType": "HEARTBEAT", "details": "step 3"}),
    ));
    assert_eq!(
        task(3, timed_out).activity("a"),
        Some(ActivityState::TimedOut {
            timeout_type: "HEARTBEAT".into(),
            details: Some("step 3".into())
        })
    );

    let mut canceled = events.clone();
    canceled.push(activity_event(
        "ActivityTaskCanceled",
        5,
        json!({"details": "bye"}),
    ));
    assert_eq!(
        task(3, canceled).activity("a"),
        Some(ActivityState::Canceled {
            details: Some("bye".into())
        })
    );

    let mut refused = base;
    refused.push(json!({"eventType": "ScheduleActivityTaskFailed", "scheduleActivityTaskFailedEventAttributes": {
        "activityId": "a", "activityType": {"name": "A", "version": "1"},
        "cause": "ACTIVITY_TYPE_DOES_NOT_EXIST", "decisionTaskCompletedEventId": 4}}));
    assert_eq!(
        task(3, refused).activity("a"),
        Some(ActivityState::ScheduleFailed {
            cause: "ACTIVITY_TYPE_DOES_NOT_EXIST".into()
        })
    );
}

#[test]
fn new_events_are_those_after_the_previous_decision() {
    let events = vec![
        started("in"),
        decision_scheduled(),
        decision_started(2),
        decision_completed(2, 3),
        activity_scheduled("a"),
        json!({"eventType": "WorkflowExecutionSignaled", "workflowExecutionSignaledEventAttributes": {"signalName": "s"}}),
        decision_scheduled(),
        decision_started(7),
    ];
    let t = task(3, events.clone());
    let new: Vec<i64> = t.new_events().map(|e| e.event_id).collect();
    assert_eq!(new, vec![4, 5, 6, 7, 8]);
    let workflow: Vec<&str> = t.workflow_events().map(|e| e.event_type()).collect();
    assert_eq!(
        workflow,
        vec![
            "WorkflowExecutionStarted",
            "ActivityTaskScheduled",
            "WorkflowExecutionSignaled"
        ]
    );
    assert_eq!(t.input(), Some("in"));
    assert_eq!(t.latest_event().unwrap().event_id, 8);
    assert_eq!(
        task(0, events).new_events().count(),
        8,
        "the first task sees everything"
    );
}

#[test]
fn typed_input_parses_json() {
    #[derive(serde::Deserialize, PartialEq, Debug)]
    struct Order {
        id: u32,
    }
    let t = task(
        0,
        vec![
            started(r#"{"id": 7}"#),
            decision_scheduled(),
            decision_started(2),
        ],
    );
    assert_eq!(t.input_json::<Order>().unwrap(), Order { id: 7 });
}

#[test]
fn the_builder_covers_all_13_decision_types_with_their_wire_names() {
    let mut d = Decisions::new();
    d.schedule_activity_task("a", "A", "1")
        .task_list("l")
        .input("in")
        .start_to_close_timeout("60")
        .heartbeat_timeout("NONE");
    d.request_cancel_activity_task("a");
    d.record_marker("m", Some("details".into()));
    d.start_timer("t", "30").control("c");
    d.cancel_timer("t");
    d.signal_external_workflow_execution("other", "sig", None)
        .run_id("r2");
    d.request_cancel_external_workflow_execution("other");
    d.start_child_workflow_execution("child-1", "C", "1")
        .child_policy(ChildPolicy::Abandon)
        .tag_list(vec!["t1".into()])
        .task_list("cl");
    d.schedule_lambda_function("l1", "fn");
    d.execution_context("ctx");
    let close_kinds: [fn(&mut Decisions); 4] = [
        |d| {
            d.complete_workflow_execution(Some("done".into()));
        },
        |d| {
            d.fail_workflow_execution("why", None);
        },
        |d| {
            d.cancel_workflow_execution(None);
        },
        |d| {
            d.continue_as_new_workflow_execution(Some("next".into()))
                .workflow_type_version("2");
        },
    ];
    let mut seen = std::collections::BTreeSet::new();
    for close in close_kinds {
        let mut all = d.clone();
        close(&mut all);
        let response = all.into_response();
        swf_model::validate_response(&response).expect("a valid response");
        let wire = serde_json::to_value(&response).unwrap();
        assert_eq!(wire["executionContext"], "ctx");
        for decision in wire["decisions"].as_array().unwrap() {
            let kind = decision["decisionType"].as_str().unwrap().to_owned();
            let key = format!(
                "{}{}DecisionAttributes",
                kind[..1].to_lowercase(),
                &kind[1..]
            );
            assert!(
                decision.get(&key).is_some(),
                "{kind} carries {key}: {decision}"
            );
            seen.insert(kind);
        }
    }
    assert_eq!(seen.len(), 13, "{seen:?}");
    let wire = serde_json::to_value(d.as_slice()).unwrap();
    assert_eq!(
        wire[0]["scheduleActivityTaskDecisionAttributes"]["taskList"]["name"],
        "l"
    );
    assert_eq!(
        wire[0]["scheduleActivityTaskDecisionAttributes"]["heartbeatTimeout"],
        "NONE"
    );
    assert_eq!(
        wire[3]["startTimerDecisionAttributes"]["startToFireTimeout"],
        "30"
    );
    assert_eq!(
        wire[7]["startChildWorkflowExecutionDecisionAttributes"]["childPolicy"],
        "ABANDON"
    );
}
