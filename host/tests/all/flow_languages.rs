//! Issue 15: the flow API in Rust, JavaScript and Python is one contract (`guest-sdk/FLOW.md`).
//! The seed's booking (BookTrip) written in each language (`plugins/booking-decider`,
//! `plugins/js-booking`, `plugins/python-booking`) runs every path on `swfwasm local` with the
//! Rust `booking-activities`, one domain and one worker per language:
//!
//! - each path writes the same history in every language: the same requests (activity and
//!   timer ids, activity types, inputs) in the same order, and the same closing decision;
//! - each history replays identically (`swfwasm replay`) on the other two languages' deciders;
//! - a decider changed to submit the traveller's details first fails on an old history, in each
//!   language: `swfwasm replay` reports the first decision point it decides differently at, and
//!   `decide` on a later task of that history fails with the flow API's non-determinism error,
//!   which names the event and both sides.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::common::{
    self, Running, booking, local_swf, moto, payment, plugin, succeeded as ok, swfwasm_in,
};
use serde_json::{Value, json};

const LANGUAGES: [&str; 3] = ["rust", "js", "python"];

/// BookTrip's decider in `language`.
fn booking_decider(language: &str) -> PathBuf {
    if language == "rust" {
        return plugin("booking-decider");
    }
    let path = common::workspace()
        .join("target/polyglot")
        .join(format!("{language}-booking-decider.wasm"));
    assert!(
        path.exists(),
        "{} is missing: run scripts/build-plugins {language} (the README's test command does)",
        path.display()
    );
    path
}

/// The changed BookTrip (details first) in `language`.
fn changed_decider(language: &str) -> PathBuf {
    plugin(&match language {
        "rust" => "changed-booking".to_owned(),
        other => format!("{other}-changed-booking-decider"),
    })
}

/// The compile cache the workers and replays here share: the JavaScript and Python deciders
/// take seconds to compile, so each is compiled once.
fn shared_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("flow-languages-cache")
}

fn swfwasm(dir: &Path) -> std::process::Command {
    let mut command = swfwasm_in(dir);
    command.env("SWFWASM_CACHE_DIR", shared_cache());
    command
}

fn attributes(event: &Value) -> &Value {
    let event_type = event["eventType"].as_str().unwrap();
    let key = format!(
        "{}{}EventAttributes",
        event_type[..1].to_lowercase(),
        &event_type[1..]
    );
    &event[key]
}

/// The history of `workflow_id` once it closed (`then` runs while it is open, each poll).
fn closed_history(dir: &Path, workflow_id: &str, mut then: impl FnMut(&[Value])) -> Vec<Value> {
    common::history_until(
        || swfwasm(dir),
        workflow_id,
        120,
        Duration::from_millis(200),
        &dir.join("worker.log"),
        |events| {
            let closed = common::is_closed(events);
            if !closed {
                then(events);
            }
            closed
        },
    )
}

/// What the decider made of a run: every event a decision wrote (requests and the closing
/// decision) with what identifies it and its payload, in order. Timer durations are left out:
/// the backoff jitter is drawn from the run id, which differs between runs.
fn decided(events: &[Value]) -> Vec<Value> {
    events
        .iter()
        .filter_map(|e| {
            let a = attributes(e);
            let kept = match e["eventType"].as_str()? {
                "ActivityTaskScheduled" => json!([a["activityId"], a["activityType"], a["input"]]),
                "TimerStarted" => json!([a["timerId"]]),
                "MarkerRecorded" => json!([a["markerName"], a["details"]]),
                "StartChildWorkflowExecutionInitiated" => json!([a["workflowId"], a["input"]]),
                "WorkflowExecutionCompleted" => json!([a["result"]]),
                "WorkflowExecutionFailed" => json!([a["reason"], a["details"]]),
                "WorkflowExecutionCanceled" => json!([a["details"]]),
                _ => return None,
            };
            Some(json!({ e["eventType"].as_str()?: kept }))
        })
        .collect()
}

/// A directory with the configuration of `language`'s worker: domain `travel-<language>`.
fn worker_dir(root: &Path, language: &str, endpoint: &str, payments: &str, s3: &str) -> PathBuf {
    let dir = root.join(language);
    std::fs::create_dir_all(&dir).unwrap();
    let config = booking::worker_config(
        &format!("travel-{language}"),
        endpoint,
        &booking_decider(language),
        payments,
        "\"flow-test-key\"",
        s3,
    );
    std::fs::write(dir.join("swfwasm.toml"), config).unwrap();
    dir
}

/// Registers the types of the worker configured in `dir` and starts every booking path.
fn start_every_path(dir: &Path) {
    ok(swfwasm(dir).arg("register").output().unwrap(), "register");
    for (id, input) in booking::trips() {
        ok(
            swfwasm(dir)
                .args(["start", "BookTrip", "--workflow-id", id, "--input"])
                .arg(input.to_string())
                .output()
                .unwrap(),
            "start",
        );
    }
}

/// The histories of every booking path started in `dir`'s domain, once closed (the cancel path
/// is signaled once its payment runs).
fn closed_paths(dir: &Path) -> Vec<(&'static str, Vec<Value>)> {
    booking::trips()
        .into_iter()
        .map(|(id, _)| {
            let mut signaled = false;
            let events = closed_history(dir, id, |events| {
                // Cancel while the (slow) payment runs: once its activity has started.
                let paying = events.iter().any(|e| {
                    e["eventType"] == "ActivityTaskStarted"
                        && events.iter().any(|s| {
                            s["eventId"] == attributes(e)["scheduledEventId"]
                                && attributes(s)["activityType"]["name"] == "ValidatePayment"
                        })
                });
                if id == "cancel" && paying && !signaled {
                    ok(
                        swfwasm(dir)
                            .args(["signal", "cancel", "cancel"])
                            .output()
                            .unwrap(),
                        "signal",
                    );
                    signaled = true;
                }
            });
            (id, events)
        })
        .collect()
}

#[test]
fn the_booking_workflow_writes_the_same_history_in_rust_javascript_and_python() {
    let root = tempfile::tempdir().unwrap();
    let service = local_swf::LocalSwf::start(root.path(), 5);
    let payments = payment::FakePayment::start("flow-test-key");
    let s3 = moto::Moto::start(common::workspace());
    ok(
        std::process::Command::new(common::workspace().join(".venv/bin/python"))
            .args([
                "-c",
                &format!(
                    "import boto3\nboto3.client('s3', endpoint_url='{}', region_name='us-east-1', \
                 aws_access_key_id='AKIDEXAMPLE', aws_secret_access_key='secret')\
                 .create_bucket(Bucket='bookings')",
                    s3.endpoint()
                ),
            ])
            .output()
            .unwrap(),
        "create the bucket",
    );
    let dirs: Vec<PathBuf> = LANGUAGES
        .iter()
        .map(|language| {
            worker_dir(
                root.path(),
                language,
                service.endpoint(),
                &payments.url(),
                &s3.endpoint(),
            )
        })
        .collect();
    let _workers: Vec<Running> = dirs
        .iter()
        .map(|dir| {
            Running::spawn(
                swfwasm(dir).arg("run").stdout(Stdio::null()),
                &dir.join("worker.log"),
            )
        })
        .collect();

    for dir in &dirs {
        start_every_path(dir);
    }
    let runs: Vec<Vec<(&str, Vec<Value>)>> = dirs.iter().map(|dir| closed_paths(dir)).collect();

    let expected_closings = [
        ("happy", "WorkflowExecutionCompleted"),
        ("two-declines", "WorkflowExecutionCompleted"),
        ("regress", "WorkflowExecutionCompleted"),
        ("all-declined", "WorkflowExecutionFailed"),
        ("cancel", "WorkflowExecutionCanceled"),
    ];
    for (path, (id, closing)) in expected_closings.iter().enumerate() {
        let rust = decided(&runs[0][path].1);
        assert!(
            rust.last().is_some_and(|last| last.get(closing).is_some()),
            "{id} in Rust closed with {closing}: {rust:#?}"
        );
        for (language, run) in LANGUAGES.iter().zip(&runs).skip(1) {
            assert_eq!(
                decided(&run[path].1),
                rust,
                "{id}: {language} decided otherwise than Rust"
            );
        }
    }
    let retried = decided(&runs[0][1].1);
    assert!(
        retried.contains(&json!({"TimerStarted": ["ValidatePayment-1.2.retry"]})),
        "the retried path backs off between attempts: {retried:#?}"
    );

    // Each language's histories replay identically on the other two languages' deciders.
    for (dir, recorded_by) in dirs.iter().zip(LANGUAGES) {
        for replayed_by in LANGUAGES.iter().filter(|l| **l != recorded_by) {
            for (id, _) in booking::trips() {
                let output = swfwasm(dir)
                    .args(["replay", "--workflow-id", id, "--plugin"])
                    .arg(booking_decider(replayed_by))
                    .output()
                    .unwrap();
                let text = ok(output, "replay");
                assert!(
                    text.contains("identical"),
                    "{id} of {recorded_by} on {replayed_by}: {text}"
                );
            }
        }
    }

    // A decider changed to submit the details first cannot replay the Rust "happy" history.
    let rust_dir = &dirs[0];
    let happy = &runs[0][0].1;
    let second_task = decision_task_after_first_activity(happy);
    let task_file = rust_dir.join("second-task.json");
    std::fs::write(&task_file, second_task.to_string()).unwrap();
    for language in LANGUAGES {
        let output = swfwasm(rust_dir)
            .args(["replay", "--workflow-id", "happy", "--plugin"])
            .arg(changed_decider(language))
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!output.status.success(), "{language}: {text}");
        assert!(
            text.contains(
                "after event 3: recorded ScheduleActivityTask SelectItinerary-1 (SelectItinerary 1.0), \
                 plugin decided ScheduleActivityTask SubmitDetails-1 (SubmitDetails 1.0)"
            ),
            "{language}: {text}"
        );

        let output = swfwasm(rust_dir)
            .args(["decide", "--task"])
            .arg(&task_file)
            .arg("--plugin")
            .arg(changed_decider(language))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(!output.status.success(), "{language}: {text}");
        assert!(
            text.contains(
                "non-determinism at event 5: the history has activity SelectItinerary 1.0 \
                 (SelectItinerary-1), the code asks for activity SubmitDetails 1.0 (SubmitDetails-1)"
            ),
            "{language}: {text}"
        );
    }
}

/// The decision task of `events` that follows the first activity's completion.
fn decision_task_after_first_activity(events: &[Value]) -> Value {
    let completed = events
        .iter()
        .position(|e| e["eventType"] == "ActivityTaskCompleted")
        .expect("the first activity completed");
    let started = completed
        + events[completed..]
            .iter()
            .position(|e| e["eventType"] == "DecisionTaskStarted")
            .expect("a decision task followed");
    json!({
        "taskToken": "replayed",
        "startedEventId": events[started]["eventId"],
        "previousStartedEventId": 0,
        "workflowExecution": {"workflowId": "happy", "runId": "run"},
        "workflowType": {"name": "BookTrip", "version": "1.0"},
        "events": &events[..=started],
    })
}
