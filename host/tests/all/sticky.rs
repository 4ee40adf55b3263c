//! Issue 17: sticky decision task lists. A run's next decision task comes back to the worker
//! that decided it, which assembles the history from the events it kept plus the new ones; a
//! run it does not keep is read in full; a dead worker's runs go back to their shared task
//! list after the sticky schedule-to-start timeout; verification mode checks every assembled
//! history against the full one; a warm decider instance is handed only the new events. Also:
//! an activity scheduled by the worker's own decider learns its deadline without reading the
//! history.

use std::path::PathBuf;

use serde_json::Value as Json;

use crate::common::fault_proxy::{FaultProxy, Plan};
use crate::common::{Running, local_swf, plugin, succeeded as ok, swfwasm_in, wait_until};
use crate::observability::{Node, value};
use local_swf::LocalSwf;

fn hello() -> Vec<PathBuf> {
    vec![plugin("hello-decider"), plugin("hello-activity")]
}

fn history(node: &Node, workflow_id: &str) -> Vec<Json> {
    let text = ok(node.swfwasm(&["history", workflow_id, "--json"]), "history");
    serde_json::from_str(&text).unwrap()
}

fn of_type<'a>(events: &'a [Json], event_type: &str) -> Vec<&'a Json> {
    events
        .iter()
        .filter(|e| e["eventType"] == event_type)
        .collect()
}

fn attributes(event: &Json) -> &Json {
    let key = event["eventType"].as_str().unwrap();
    let key = format!("{}{}EventAttributes", key[..1].to_lowercase(), &key[1..]);
    &event[key.as_str()]
}

/// `swfwasm run` of `node`, with verification mode as `verify` says.
fn worker(node: &Node, verify: bool) -> Running {
    let mut command = swfwasm_in(node.dir.path());
    command
        .env("SWFWASM_STICKY_VERIFY", if verify { "1" } else { "0" })
        .arg("--config")
        .arg(node.dir.path().join("worker.toml"))
        .arg("run");
    Running::spawn(&mut command, &node.log())
}

#[test]
fn a_runs_next_decision_task_comes_back_on_the_sticky_list_with_only_the_new_events() {
    let dir = tempfile::tempdir().unwrap();
    let swf = LocalSwf::start(dir.path(), 2);
    let node = Node::new(swf.endpoint(), &hello(), "");
    ok(node.swfwasm(&["register"]), "register");
    let _worker = worker(&node, true);
    node.run(
        "HelloWorkflow",
        "sticky",
        "Sticky",
        "WorkflowExecutionCompleted",
    );

    let events = history(&node, "sticky");
    let scheduled = of_type(&events, "DecisionTaskScheduled");
    assert_eq!(scheduled.len(), 2, "{events:#?}");
    assert_eq!(attributes(scheduled[0])["taskList"]["name"], "default");
    let sticky = attributes(scheduled[1])["taskList"]["name"]
        .as_str()
        .unwrap();
    assert!(sticky.starts_with("swfwasm-sticky-"), "{sticky}");
    let completed = of_type(&events, "DecisionTaskCompleted");
    assert_eq!(attributes(completed[0])["taskList"]["name"], sticky);
    assert_eq!(
        attributes(completed[0])["taskListScheduleToStartTimeout"],
        "5"
    );
    // The closing decision routes nowhere.
    assert!(attributes(completed[1]).get("taskList").is_none());
    let started = of_type(&events, "DecisionTaskStarted");
    assert_eq!(
        attributes(started[0])["identity"],
        attributes(started[1])["identity"]
    );
    assert!(of_type(&events, "DecisionTaskTimedOut").is_empty());

    let samples = node.scrape();
    let kept = [("outcome", "kept")];
    assert_eq!(
        value(&samples, "swfwasm_sticky_histories_total", &kept),
        1.0
    );
    let verified = [("outcome", "verified")];
    assert_eq!(
        value(&samples, "swfwasm_sticky_histories_total", &verified),
        1.0
    );
    let mismatch = [("outcome", "mismatch")];
    assert_eq!(
        value(&samples, "swfwasm_sticky_histories_total", &mismatch),
        0.0
    );
    // The second task went to the instance kept warm from the first, with the new events only.
    let warm = [("export", "decide-since"), ("phase", "call")];
    assert_eq!(value(&samples, "swfwasm_guest_seconds", &warm), 1.0);
}

#[test]
fn without_verification_a_hello_run_reads_no_history_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let swf = LocalSwf::start(dir.path(), 2);
    let node = Node::new(swf.endpoint(), &hello(), "");
    ok(node.swfwasm(&["register"]), "register");
    let _worker = worker(&node, false);
    for id in ["first", "second"] {
        node.run("HelloWorkflow", id, id, "WorkflowExecutionCompleted");
    }
    let samples = node.scrape();
    let read = [("action", "GetWorkflowExecutionHistory")];
    assert_eq!(
        value(&samples, "swfwasm_swf_calls_total", &read),
        0.0,
        "the activities' deadlines come from the worker's own decisions"
    );
    // The type's registered default start-to-close is asked once, not per task.
    let described = [("action", "DescribeActivityType")];
    assert_eq!(value(&samples, "swfwasm_swf_calls_total", &described), 1.0);
    let kept = [("outcome", "kept")];
    assert_eq!(
        value(&samples, "swfwasm_sticky_histories_total", &kept),
        2.0
    );
}

#[test]
fn a_run_the_worker_no_longer_keeps_is_read_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let swf = LocalSwf::start(dir.path(), 2);
    // Nothing is kept: every sticky task is a cache miss.
    let node = Node::new(swf.endpoint(), &hello(), "[sticky]\nmax_runs = 0\n");
    ok(node.swfwasm(&["register"]), "register");
    let _worker = worker(&node, true);
    node.run(
        "HelloWorkflow",
        "evicted",
        "E",
        "WorkflowExecutionCompleted",
    );

    let events = history(&node, "evicted");
    let scheduled = of_type(&events, "DecisionTaskScheduled");
    assert!(
        attributes(scheduled[1])["taskList"]["name"]
            .as_str()
            .unwrap()
            .starts_with("swfwasm-sticky-")
    );
    let samples = node.scrape();
    let read = [("outcome", "read")];
    assert_eq!(
        value(&samples, "swfwasm_sticky_histories_total", &read),
        1.0
    );
    let kept = [("outcome", "kept")];
    assert_eq!(
        value(&samples, "swfwasm_sticky_histories_total", &kept),
        0.0
    );
}

#[test]
fn a_dead_workers_runs_go_back_to_their_task_list_after_the_schedule_to_start_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let swf = LocalSwf::start(dir.path(), 2);
    let sticky = "[sticky]\nschedule_to_start_secs = 1\n";
    let survivor = Node::new(swf.endpoint(), &hello(), sticky);
    ok(survivor.swfwasm(&["register"]), "register");
    // The first worker only decides: the activity waits until it is dead.
    let decider = Node::new(swf.endpoint(), &[plugin("hello-decider")], sticky);
    let first = worker(&decider, true);
    ok(
        decider.swfwasm(&[
            "start",
            "HelloWorkflow",
            "--version",
            "1.0",
            "--workflow-id",
            "orphan",
            "--input",
            "Orphan",
        ]),
        "start",
    );
    wait_until("the first decision", &decider.log(), || {
        !of_type(&history(&decider, "orphan"), "DecisionTaskCompleted").is_empty()
    });
    drop(first); // killed, not stopped

    let _second = worker(&survivor, true);
    wait_until("the run to complete", &survivor.log(), || {
        !of_type(&history(&survivor, "orphan"), "WorkflowExecutionCompleted").is_empty()
    });
    let events = history(&survivor, "orphan");
    let timed_out = of_type(&events, "DecisionTaskTimedOut");
    assert_eq!(timed_out.len(), 1, "{events:#?}");
    assert_eq!(attributes(timed_out[0])["timeoutType"], "SCHEDULE_TO_START");
    let scheduled = of_type(&events, "DecisionTaskScheduled");
    assert_eq!(
        attributes(scheduled.last().unwrap())["taskList"]["name"],
        "default",
        "rescheduled on the run's own task list"
    );
    let started = of_type(&events, "DecisionTaskStarted");
    assert_ne!(
        attributes(started[0])["identity"],
        attributes(started.last().unwrap())["identity"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn verification_mode_stops_the_worker_when_an_assembled_history_differs() {
    let dir = tempfile::tempdir().unwrap();
    let swf = LocalSwf::start(dir.path(), 2);
    let plan = Plan {
        seed: 0,
        throttle: 0,
        server_error: 0,
        drop_before: 0,
        drop_after_respond: 0,
        max_failures_per_request: 0,
        corrupt_partial_histories: true,
    };
    let proxy = FaultProxy::start(swf.endpoint(), plan).await;
    let endpoint = proxy.endpoint();
    tokio::task::spawn_blocking(move || {
        let node = Node::new(&endpoint, &hello(), "");
        ok(node.swfwasm(&["register"]), "register");
        let mut worker = worker(&node, true);
        // The run completes all the same: the task is answered from the full history.
        node.run(
            "HelloWorkflow",
            "lied-to",
            "L",
            "WorkflowExecutionCompleted",
        );
        let status = worker.exited();
        assert!(!status.success(), "{status}");
        let log = std::fs::read_to_string(node.log()).unwrap();
        assert!(
            log.contains("sticky verification failed for run")
                && log.contains("event 3: assembled"),
            "{log}"
        );
    })
    .await
    .unwrap();
}
