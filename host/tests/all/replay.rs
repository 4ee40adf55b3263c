//! `swfwasm replay`: a decider replays the histories it (or its equal) produced, and a decider
//! that decides otherwise is caught at the first differing decision point.

use std::path::Path;

use crate::common::{data, plugin, swfwasm_in};
use serde_json::{Value, json};

fn replay(dir: &Path, plugin_name: &str, history: &Path) -> (bool, String) {
    let output = swfwasm_in(dir)
        .arg("replay")
        .arg("--plugin")
        .arg(plugin(plugin_name))
        .arg("--history")
        .arg(history)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn the_seeds_history_replays_identically_on_the_hello_decider() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, text) = replay(dir.path(), "hello-decider", &data("hello_history.json"));
    assert!(ok, "{text}");
    assert!(
        text.contains("replayed 2 decision tasks of 11 events: identical"),
        "{text}"
    );
}

#[test]
fn a_decider_that_decides_otherwise_is_reported_at_the_first_divergence() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, text) = replay(dir.path(), "steer-decider", &data("hello_history.json"));
    assert!(!ok, "a different decider must fail the replay: {text}");
    assert!(
        text.contains(
            "after event 3: recorded ScheduleActivityTask saying_hi (HelloWorld 1.0), \
             plugin decided ScheduleActivityTask steer (Steerable 1.0)"
        ),
        "{text}"
    );
}

#[test]
fn a_changed_history_is_caught_where_it_changes() {
    // The same decider against a history whose second decision task closed the run as failed.
    let dir = tempfile::tempdir().unwrap();
    let mut events: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(data("hello_history.json")).unwrap())
            .unwrap();
    let last = events.last_mut().unwrap();
    let completed = last["workflowExecutionCompletedEventAttributes"].clone();
    *last = json!({
        "eventId": last["eventId"], "eventTimestamp": last["eventTimestamp"],
        "eventType": "WorkflowExecutionFailed",
        "workflowExecutionFailedEventAttributes": completed,
    });
    let file = dir.path().join("changed.json");
    std::fs::write(&file, serde_json::to_string(&events).unwrap()).unwrap();
    let (ok, text) = replay(dir.path(), "hello-decider", &file);
    assert!(!ok, "{text}");
    assert!(
        text.contains(
            "after event 9: recorded FailWorkflowExecution, plugin decided CompleteWorkflowExecution"
        ),
        "{text}"
    );
}

#[test]
fn boto3_and_console_shapes_with_iso_timestamps_are_read() {
    // GetWorkflowExecutionHistory as boto3 returns it (`{"events": [...]}`) dumped with
    // `default=str`, which writes timestamps as "YYYY-MM-DD HH:MM:SS.ffffff+00:00".
    let dir = tempfile::tempdir().unwrap();
    let mut events: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(data("hello_history.json")).unwrap())
            .unwrap();
    for event in &mut events {
        event["eventTimestamp"] = json!("2013-10-06 21:46:13.254000+00:00");
    }
    let file = dir.path().join("boto3.json");
    std::fs::write(&file, json!({"events": events}).to_string()).unwrap();
    let (ok, text) = replay(dir.path(), "hello-decider", &file);
    assert!(ok, "{text}");

    std::fs::write(&file, "{\"nextPageToken\": \"x\"}").unwrap();
    let (ok, text) = replay(dir.path(), "hello-decider", &file);
    assert!(!ok);
    assert!(text.contains("not a workflow history"), "{text}");
}
