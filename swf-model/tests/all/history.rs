//! History events: the seed history round-trips unchanged, unknown event types are carried
//! along, and malformed known events are reported with their id.

use serde_json::{Value, json};
use swf_model::{DecisionTask, EventAttributes, HistoryEvent, PollForDecisionTaskResponse};

const HELLO_HISTORY: &str = include_str!("../data/hello_history.json");
const HELLO_TASK_AFTER_3: &str = include_str!("../data/hello_task_after_3.json");
const HELLO_TASK_AFTER_9: &str = include_str!("../data/hello_task_after_9.json");

#[test]
fn seed_history_round_trips_unchanged() {
    let original: Value = serde_json::from_str(HELLO_HISTORY).unwrap();
    let events: Vec<HistoryEvent> = serde_json::from_str(HELLO_HISTORY).unwrap();
    assert_eq!(events.len(), 11);
    assert_eq!(serde_json::to_value(&events).unwrap(), original);

    // Also through text, as a client would see it after the server serialized it.
    let text = serde_json::to_string(&events).unwrap();
    let reparsed: Vec<HistoryEvent> = serde_json::from_str(&text).unwrap();
    assert_eq!(reparsed, events);
}

#[test]
fn seed_history_parses_into_the_expected_variants() {
    let events: Vec<HistoryEvent> = serde_json::from_str(HELLO_HISTORY).unwrap();
    let types: Vec<&str> = events.iter().map(HistoryEvent::event_type).collect();
    assert_eq!(
        types,
        [
            "WorkflowExecutionStarted",
            "DecisionTaskScheduled",
            "DecisionTaskStarted",
            "DecisionTaskCompleted",
            "ActivityTaskScheduled",
            "ActivityTaskStarted",
            "ActivityTaskCompleted",
            "DecisionTaskScheduled",
            "DecisionTaskStarted",
            "DecisionTaskCompleted",
            "WorkflowExecutionCompleted",
        ]
    );
    for (position, event) in events.iter().enumerate() {
        assert_eq!(event.event_id, position as i64 + 1);
    }
    let EventAttributes::WorkflowExecutionStarted(started) = &events[0].attributes else {
        panic!("first event is {:?}", events[0].attributes);
    };
    assert_eq!(started.parent_initiated_event_id, Some(0));
    assert_eq!(started.child_policy, swf_model::ChildPolicy::Terminate);
    assert_eq!(started.workflow_type.name, "HelloWorkflow");
    assert_eq!(started.input, None);
    let EventAttributes::ActivityTaskScheduled(scheduled) = &events[4].attributes else {
        panic!("fifth event is {:?}", events[4].attributes);
    };
    assert_eq!(scheduled.activity_id, "saying_hi");
    assert_eq!(scheduled.heartbeat_timeout.as_deref(), Some("600"));
    assert_eq!(scheduled.decision_task_completed_event_id, 4);
    // The seed prints 1381095177.5439999, which is the same double as 1381095177.544.
    assert_eq!(events[2].event_timestamp, 1381095177.544);
}

#[test]
fn unknown_event_type_is_kept_and_round_trips() {
    let mut history: Vec<Value> = serde_json::from_str(HELLO_HISTORY).unwrap();
    let unknown = json!({
        "eventId": 6,
        "eventTimestamp": 1381095178.5,
        "eventType": "ActivityTaskTeleported",
        "activityTaskTeleportedEventAttributes": {"destination": "moon", "scheduledEventId": 5},
        "someFutureTopLevelMember": [1, 2, 3]
    });
    history.insert(5, unknown.clone());
    let original = Value::Array(history);

    let events: Vec<HistoryEvent> = serde_json::from_value(original.clone()).unwrap();
    assert_eq!(events.len(), 12);
    let event = &events[5];
    assert_eq!(event.event_id, 6);
    assert_eq!(event.event_timestamp, 1381095178.5);
    assert_eq!(event.event_type(), "ActivityTaskTeleported");
    assert_eq!(event.attributes.attributes_key(), None);
    match &event.attributes {
        EventAttributes::Unknown { event_type, raw } => {
            assert_eq!(event_type, "ActivityTaskTeleported");
            assert_eq!(Value::Object(raw.clone()), unknown);
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
    // The known events around it are unaffected.
    assert_eq!(events[6].event_type(), "ActivityTaskStarted");
    assert_eq!(serde_json::to_value(&events).unwrap(), original);
}

#[test]
fn malformed_known_event_names_its_id_and_type() {
    let mut history: Vec<Value> = serde_json::from_str(HELLO_HISTORY).unwrap();
    history[6]["activityTaskCompletedEventAttributes"]["scheduledEventId"] = json!("five");
    let error = serde_json::from_value::<Vec<HistoryEvent>>(Value::Array(history)).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("eventId 7"), "{message}");
    assert!(message.contains("ActivityTaskCompleted"), "{message}");
    assert!(
        message.contains("activityTaskCompletedEventAttributes"),
        "{message}"
    );
}

#[test]
fn missing_required_member_of_known_event_is_an_error() {
    let event = json!({
        "eventId": 42,
        "eventTimestamp": 1.0,
        "eventType": "ActivityTaskScheduled",
        "activityTaskScheduledEventAttributes": {"activityId": "a"}
    });
    let message = serde_json::from_value::<HistoryEvent>(event)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("eventId 42 (ActivityTaskScheduled)"),
        "{message}"
    );
    assert!(message.contains("activityType"), "{message}");
}

#[test]
fn event_without_id_or_type_is_an_error() {
    let no_id = json!({"eventTimestamp": 1.0, "eventType": "TimerFired"});
    assert!(serde_json::from_value::<HistoryEvent>(no_id).is_err());
    let no_type = json!({"eventId": 3, "eventTimestamp": 1.0});
    let message = serde_json::from_value::<HistoryEvent>(no_type)
        .unwrap_err()
        .to_string();
    assert!(message.contains("eventId 3"), "{message}");
}

#[test]
fn missing_ids_default_to_zero() {
    // A timed-out activity that never started may come without startedEventId.
    let event = json!({
        "eventId": 9,
        "eventTimestamp": 2.5,
        "eventType": "ActivityTaskTimedOut",
        "activityTaskTimedOutEventAttributes": {"timeoutType": "SCHEDULE_TO_START", "scheduledEventId": 5}
    });
    let event: HistoryEvent = serde_json::from_value(event).unwrap();
    let EventAttributes::ActivityTaskTimedOut(timed_out) = event.attributes else {
        panic!("wrong variant");
    };
    assert_eq!(timed_out.started_event_id, 0);
    assert_eq!(timed_out.scheduled_event_id, 5);
}

#[test]
fn null_optional_members_read_as_absent() {
    let event = json!({
        "eventId": 7,
        "eventTimestamp": 3.0,
        "eventType": "ActivityTaskCompleted",
        "activityTaskCompletedEventAttributes": {"result": null, "scheduledEventId": 5, "startedEventId": 6}
    });
    let event: HistoryEvent = serde_json::from_value(event).unwrap();
    assert_eq!(
        serde_json::to_value(&event).unwrap()["activityTaskCompletedEventAttributes"],
        json!({"scheduledEventId": 5, "startedEventId": 6})
    );
}

#[test]
fn unknown_enum_values_round_trip() {
    let event = json!({
        "eventId": 12,
        "eventTimestamp": 4.0,
        "eventType": "WorkflowExecutionTerminated",
        "workflowExecutionTerminatedEventAttributes": {
            "childPolicy": "SOMETHING_NEW",
            "cause": "ANOTHER_NEW_CAUSE"
        }
    });
    let parsed: HistoryEvent = serde_json::from_value(event.clone()).unwrap();
    let EventAttributes::WorkflowExecutionTerminated(terminated) = &parsed.attributes else {
        panic!("wrong variant");
    };
    assert!(!terminated.child_policy.is_known());
    assert_eq!(terminated.child_policy.as_str(), "SOMETHING_NEW");
    assert_eq!(serde_json::to_value(&parsed).unwrap(), event);
}

#[test]
fn task_fixtures_parse_as_decision_tasks() {
    let history: Vec<HistoryEvent> = serde_json::from_str(HELLO_HISTORY).unwrap();
    for (text, started, previous) in [(HELLO_TASK_AFTER_3, 3, 0), (HELLO_TASK_AFTER_9, 9, 3)] {
        let task: DecisionTask = serde_json::from_str(text).unwrap();
        assert!(!task.task_token.is_empty());
        assert_eq!(task.started_event_id, started);
        assert_eq!(task.previous_started_event_id, previous);
        assert_eq!(task.workflow_execution.workflow_id, "hello-1");
        assert_eq!(task.workflow_execution.run_id, "run-1");
        assert_eq!(task.workflow_type.name, "HelloWorkflow");
        assert_eq!(task.workflow_type.version, "1.0");
        assert_eq!(task.events, history[..started as usize]);
        assert_eq!(task.next_page_token, None);
        assert_eq!(
            task.events.last().unwrap().event_type(),
            "DecisionTaskStarted"
        );

        let original: Value = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_value(&task).unwrap(), original);

        let response: PollForDecisionTaskResponse = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_value(&response).unwrap(), original);
        assert_eq!(response.into_task(), Some(task));
    }
}
