//! Issue 7 end to end: the seed's airline booking (plugins/booking-decider, written with the
//! flow API, and plugins/booking-activities) run by the worker against `swfwasm local`. Each
//! path is steered by the input; each test asserts the exact sequence of activity types, the
//! way the run closed, and that its history replays identically on the decider.
//!
//! ValidatePayment calls a real payment service over HTTP (a loopback fake that declines on
//! demand), granted in the worker's configuration: its URL and API key are config values.
//! ConfirmBooking stores the confirmation in S3 (moto's server) through an AWS grant.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::browser::dom;
use crate::common::{self, booking, local_swf, moto, payment, plugin, succeeded as ok, swfwasm_in};
use local_swf::LocalSwf;
use serde_json::{Value, json};

/// Kills the worker when the test ends, pass or fail.
struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `statement` with `s3`, a boto3 client of moto at `endpoint`; its stdout.
fn boto3(endpoint: &str, statement: &str) -> String {
    let script = format!(
        "import boto3\ns3 = boto3.client('s3', endpoint_url='{endpoint}', region_name='us-east-1', \
         aws_access_key_id='AKIDEXAMPLE', aws_secret_access_key='secret')\n{statement}\n"
    );
    let output = std::process::Command::new(common::workspace().join(".venv/bin/python"))
        .args(["-c", &script])
        .output()
        .expect("run python");
    assert!(
        output.status.success(),
        "boto3 failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn history(dir: &Path, workflow_id: &str) -> Vec<Value> {
    common::history_of(swfwasm_in(dir), workflow_id)
}

/// The activity types the run scheduled, in order.
fn activities(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["eventType"] == "ActivityTaskScheduled")
        .map(|e| {
            e["activityTaskScheduledEventAttributes"]["activityType"]["name"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn wait_for(dir: &Path, workflow_id: &str, event_type: &str) -> Vec<Value> {
    common::history_until(
        || swfwasm_in(dir),
        workflow_id,
        90,
        Duration::from_millis(200),
        &dir.join("worker.log"),
        |events| events.iter().any(|e| e["eventType"] == event_type),
    )
}

fn attributes<'e>(events: &'e [Value], event_type: &str) -> &'e Value {
    let event = events
        .iter()
        .find(|e| e["eventType"] == event_type)
        .unwrap();
    let key = format!(
        "{}{}EventAttributes",
        event_type[..1].to_lowercase(),
        &event_type[1..]
    );
    &event[key]
}

#[test]
fn every_path_of_the_booking_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let service = LocalSwf::start(dir, 5);
    let payments = payment::FakePayment::start("booking-test-key");
    let s3 = moto::Moto::start(common::workspace());
    boto3(&s3.endpoint(), "s3.create_bucket(Bucket='bookings')");
    std::fs::write(
        dir.join("swfwasm.toml"),
        booking::worker_config(
            "travel",
            service.endpoint(),
            &plugin("booking-decider"),
            &payments.url(),
            "{ env = \"BOOKING_PAYMENT_KEY\" }",
            &s3.endpoint(),
        ),
    )
    .unwrap();
    ok(
        swfwasm_in(dir).arg("register").output().unwrap(),
        "register",
    );
    let trips = booking::trips();
    for (id, input) in &trips {
        ok(
            swfwasm_in(dir)
                .args(["start", "BookTrip", "--workflow-id", id, "--input"])
                .arg(input.to_string())
                .output()
                .unwrap(),
            "start",
        );
    }
    let log = std::fs::File::create(dir.join("worker.log")).unwrap();
    let _worker = Worker(
        swfwasm_in(dir)
            .env("BOOKING_PAYMENT_KEY", "booking-test-key")
            .arg("run")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );

    let (select, details, pay, confirm) = (
        "SelectItinerary",
        "SubmitDetails",
        "ValidatePayment",
        "ConfirmBooking",
    );
    let happy = wait_for(dir, "happy", "WorkflowExecutionCompleted");
    assert_eq!(activities(&happy), [select, details, pay, confirm]);
    let stored = boto3(
        &s3.endpoint(),
        "print(s3.get_object(Bucket='bookings', Key='confirmations/happy.json')['Body'].read().decode())",
    );
    let confirmation: Value = serde_json::from_str(stored.trim()).unwrap();
    assert_eq!(confirmation["itinerary"], "LHR-JFK", "{confirmation}");
    assert_eq!(
        confirmation["receipt"], "receipt for LHR-JFK",
        "{confirmation}"
    );
    assert_eq!(confirmation["workflowId"], "happy", "{confirmation}");

    let retried = wait_for(dir, "two-declines", "WorkflowExecutionCompleted");
    assert_eq!(
        activities(&retried),
        [select, details, pay, pay, pay, confirm]
    );

    // The console shows the retries: each attempt a lane of its own, the backoff timers too.
    let profile = dir.join("chromium");
    let console = format!("{}/console/travel", service.endpoint());
    let listed = dom(
        &profile,
        &format!("{console}?status=closed&workflow_id=two-declines"),
    );
    let run = listed
        .split("/console/travel/two-declines/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the run is listed");
    let page = dom(&profile, &format!("{console}/two-declines/{run}"));
    let timeline = page.split("<svg").nth(1).expect("a timeline");
    let lanes = |prefix: &str| {
        timeline
            .matches(&format!("class=\"lane\">{prefix}"))
            .count()
    };
    assert_eq!(lanes("activity ValidatePayment"), 3, "{timeline}");
    assert_eq!(lanes("timer "), 2, "{timeline}");
    assert!(page.contains("COMPLETED") && page.contains("<td>TimerFired</td>"));

    let regressed = wait_for(dir, "regress", "WorkflowExecutionCompleted");
    assert_eq!(
        activities(&regressed),
        [select, details, pay, pay, pay, select, pay, confirm]
    );
    let result = attributes(&regressed, "WorkflowExecutionCompleted")["result"]
        .as_str()
        .unwrap();
    assert!(
        result.contains("LHR-BOS"),
        "booked the second choice: {result}"
    );

    let failed = wait_for(dir, "all-declined", "WorkflowExecutionFailed");
    assert_eq!(
        activities(&failed),
        [
            select, details, pay, pay, pay, select, pay, pay, pay, select, pay, pay, pay
        ]
    );
    let failure = attributes(&failed, "WorkflowExecutionFailed");
    assert_eq!(
        failure["reason"],
        "payment declined for every itinerary tried"
    );
    assert!(
        failure["details"]
            .as_str()
            .unwrap()
            .starts_with("LHR-JFK, LHR-BOS, LHR-ORD"),
        "{failure}"
    );

    // Cancel while the (slow) payment runs: wait until its activity has started.
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let events = history(dir, "cancel");
        let payment = events
            .iter()
            .find(|e| e["activityTaskScheduledEventAttributes"]["activityType"]["name"] == pay);
        let started = payment.is_some_and(|p| {
            events.iter().any(|e| {
                e["activityTaskStartedEventAttributes"]["scheduledEventId"] == p["eventId"]
            })
        });
        if started {
            assert_eq!(activities(&events), [select, details, pay]);
            break;
        }
        assert!(Instant::now() < deadline, "the payment never started");
        std::thread::sleep(Duration::from_millis(100));
    }
    ok(
        swfwasm_in(dir)
            .args(["signal", "cancel", "cancel"])
            .output()
            .unwrap(),
        "signal",
    );
    let canceled = wait_for(dir, "cancel", "WorkflowExecutionCanceled");
    assert_eq!(activities(&canceled), [select, details, pay]);

    // Every ValidatePayment above was a charge at the payment service, with the granted key:
    // happy 1, two-declines 3, regress 4, all-declined 9, cancel 1.
    assert_eq!(payments.charges().len(), 18, "{:?}", payments.charges());
    assert_eq!(
        payments.last_authorization().as_deref(),
        Some("Bearer booking-test-key")
    );
    let declined_first = &payments
        .charges()
        .into_iter()
        .filter(|c| c["itinerary"] == "LHR-JFK" && c["declines"] == 2)
        .map(|c| c["attempt"].clone())
        .collect::<Vec<_>>();
    assert_eq!(declined_first, &[json!(1), json!(2), json!(3)]);
    let worker_log = std::fs::read_to_string(dir.join("worker.log")).unwrap();
    assert!(
        !worker_log.contains("booking-test-key"),
        "the API key reaches no log line"
    );

    for (id, _) in &trips {
        let replayed = ok(
            swfwasm_in(dir)
                .args(["replay", "--workflow-id", id, "--plugin"])
                .arg(plugin("booking-decider"))
                .output()
                .unwrap(),
            "replay",
        );
        assert!(replayed.contains("identical"), "{id}: {replayed}");
    }
}
