//! Issue 16, time skipping: plugins/reminder's HoldBooking waits up to a week for a payment.
//! On `swfwasm dev --time-skipping` the unpaid hold runs to its end in seconds of wall time,
//! its timers firing 1, 3 and 7 days after the start on the service's clock (the event
//! timestamps), and the paid and canceled paths close as they should.

use std::path::Path;
use std::time::Duration;

use crate::common::{self, Running, plugin, succeeded as ok, swfwasm_in, wait_until};
use serde_json::Value;

const DAY: f64 = 86_400.0;

/// The history of `workflow_id` once it closed. Polling keeps the clock from skipping for a
/// moment (a call holds it 200 ms): poll slowly, so the service is mostly quiet.
fn closed(dir: &Path, workflow_id: &str) -> Vec<Value> {
    common::history_until(
        || swfwasm_in(dir),
        workflow_id,
        60,
        Duration::from_millis(500),
        &dir.join("dev.log"),
        common::is_closed,
    )
}

fn timestamp(event: &Value) -> f64 {
    event["eventTimestamp"]
        .as_f64()
        .expect("a numeric timestamp")
}

fn attributes<'e>(events: &'e [Value], event_type: &str) -> Vec<&'e Value> {
    let key = format!(
        "{}{}EventAttributes",
        event_type[..1].to_lowercase(),
        &event_type[1..]
    );
    events
        .iter()
        .filter(|e| e["eventType"] == event_type)
        .map(|e| &e[&key])
        .collect()
}

#[test]
fn a_week_long_hold_runs_in_seconds_with_time_skipping() {
    let plugins = tempfile::tempdir().unwrap();
    for name in ["reminder", "reminder-activities"] {
        std::fs::copy(plugin(name), plugins.path().join(format!("{name}.wasm"))).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let log = dir.join("dev.log");
    let mut command = swfwasm_in(dir);
    command
        .args([
            "dev",
            "--time-skipping",
            "--poll-hold-secs",
            "5",
            "--plugins",
        ])
        .arg(plugins.path())
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(["--domain", "holds", "--access-key-id", "AKIDEXAMPLE"])
        .args(["--secret-access-key", "secret"]);
    let _dev = Running::spawn(&mut command, &log);
    let mut endpoint = String::new();
    wait_until("the dev endpoint", &log, || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        endpoint = text
            .lines()
            .find_map(|l| l.strip_prefix("SWF endpoint: "))
            .map(str::to_owned)
            .unwrap_or_default();
        !endpoint.is_empty() && text.contains(" polling ")
    });
    std::fs::write(
        dir.join("swfwasm.toml"),
        format!("domain = \"holds\"\nendpoint = \"{endpoint}\"\nregion = \"us-east-1\"\n"),
    )
    .unwrap();
    for (id, booking) in [("unpaid", "B-1"), ("paid", "B-2"), ("canceled", "B-3")] {
        ok(
            swfwasm_in(dir)
                .args([
                    "start",
                    "HoldBooking",
                    "--version",
                    "1.0",
                    "--workflow-id",
                    id,
                    "--input",
                ])
                .arg(format!("\"{booking}\""))
                .output()
                .unwrap(),
            "start",
        );
    }
    for (id, signal) in [("paid", "paid"), ("canceled", "cancel")] {
        ok(
            swfwasm_in(dir)
                .args(["signal", id, signal])
                .output()
                .unwrap(),
            "signal",
        );
    }

    let unpaid = closed(dir, "unpaid");
    let started = timestamp(&unpaid[0]);
    let fired: Vec<f64> = unpaid
        .iter()
        .filter(|e| e["eventType"] == "TimerFired")
        .map(|e| timestamp(e) - started)
        .collect();
    assert_eq!(fired.len(), 3, "{unpaid:#?}");
    for (at, due) in fired.iter().zip([DAY, 3.0 * DAY, 7.0 * DAY]) {
        assert!(
            (due..due + 30.0).contains(at),
            "a timer fired {at} s after the start, not {due}: {fired:?}"
        );
    }
    let activities: Vec<&str> = attributes(&unpaid, "ActivityTaskScheduled")
        .iter()
        .map(|a| a["activityType"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(activities, ["SendReminder", "SendReminder", "ReleaseHold"]);
    assert_eq!(
        attributes(&unpaid, "WorkflowExecutionCompleted")[0]["result"],
        "B-1 released unpaid"
    );

    let paid = closed(dir, "paid");
    assert_eq!(
        attributes(&paid, "WorkflowExecutionCompleted")[0]["result"],
        "B-2 paid"
    );
    let canceled = closed(dir, "canceled");
    assert_eq!(
        attributes(&canceled, "WorkflowExecutionCanceled")[0]["details"],
        "B-3 canceled by the traveller"
    );
    let released: Vec<&Value> = attributes(&canceled, "ActivityTaskScheduled");
    assert_eq!(
        released.last().unwrap()["activityType"]["name"],
        "ReleaseHold"
    );
}
