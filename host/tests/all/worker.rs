//! `swfwasm register`, `start`, `run` and `history` as real processes against an SWF endpoint on
//! loopback (moto's server, and swfwasm's own local SWF service): the seed's HelloWorld runs
//! end to end through the wasm plugins.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{
    local_swf, moto, plugin, seed_event_types, succeeded as ok, swfwasm_in, workspace,
};
use local_swf::LocalSwf;
use moto::Moto;

fn write_config(dir: &Path, endpoint: &str) {
    let config = format!(
        "domain = \"boto_tutorial\"\nendpoint = \"{endpoint}\"\nregion = \"us-east-1\"\n\
         plugins = [{:?}, {:?}]\n",
        plugin("hello-decider"),
        plugin("hello-activity")
    );
    std::fs::write(dir.join("swfwasm.toml"), config).unwrap();
}

/// Kills the worker if the test fails before stopping it.
struct Running(Child);

impl Running {
    /// Sends SIGTERM and waits (bounded) for the exit status.
    fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.0.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the worker did not stop after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn event_types(dir: &Path, workflow_id: &str) -> Vec<String> {
    let output = swfwasm_in(dir)
        .args(["history", workflow_id, "--json"])
        .output()
        .unwrap();
    let text = ok(output, "swfwasm history --json");
    let events: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    events
        .iter()
        .map(|e| e["eventType"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn hello_workflow_runs_end_to_end_against_moto() {
    let moto = Moto::start(workspace());
    let dir = tempfile::tempdir().unwrap();
    hello_workflow_runs_end_to_end(dir.path(), &moto.endpoint());
}

#[test]
fn hello_workflow_runs_end_to_end_against_local_swf() {
    let dir = tempfile::tempdir().unwrap();
    let service = LocalSwf::start(dir.path(), 5);
    hello_workflow_runs_end_to_end(dir.path(), service.endpoint());
}

/// Register (twice: idempotent), start, run the worker until HelloWorkflow completes, check the
/// history against the seed's 11 event types, stop the worker with SIGTERM.
fn hello_workflow_runs_end_to_end(dir: &Path, endpoint: &str) {
    write_config(dir, endpoint);

    let registered = ok(
        swfwasm_in(dir).arg("register").output().unwrap(),
        "register",
    );
    assert!(
        registered.contains("workflow type HelloWorkflow 1.0"),
        "{registered}"
    );
    let again = ok(
        swfwasm_in(dir).arg("register").output().unwrap(),
        "register again",
    );
    assert!(
        again.contains("already registered: activity type HelloWorld 1.0"),
        "idempotent: {again}"
    );

    let started = ok(
        swfwasm_in(dir)
            .args(["start", "HelloWorkflow", "--workflow-id", "hello-e2e"])
            .output()
            .unwrap(),
        "start",
    );
    assert!(started.contains("workflowId=hello-e2e"), "{started}");

    let log = std::fs::File::create(dir.join("worker.log")).unwrap();
    let mut worker = Running(
        swfwasm_in(dir)
            .arg("run")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );

    let deadline = Instant::now() + Duration::from_secs(60);
    let types = loop {
        let types = event_types(dir, "hello-e2e");
        if types.last().map(String::as_str) == Some("WorkflowExecutionCompleted") {
            break types;
        }
        assert!(
            Instant::now() < deadline,
            "the workflow did not complete in 60 s: {types:?}\n{}",
            std::fs::read_to_string(dir.join("worker.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let seed = seed_event_types();
    assert_eq!(seed.len(), 11);
    assert_eq!(types, seed);

    let table = ok(
        swfwasm_in(dir)
            .args(["history", "hello-e2e"])
            .output()
            .unwrap(),
        "history",
    );
    for (i, event_type) in seed.iter().enumerate() {
        let line = table
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{} ", i + 1)))
            .unwrap_or_else(|| panic!("event {} missing from\n{table}", i + 1));
        assert!(line.contains(event_type.as_str()), "{line}");
    }

    // The history this decider produced replays identically on it, fetched from the endpoint.
    let replayed = ok(
        swfwasm_in(dir)
            .args(["replay", "--workflow-id", "hello-e2e", "--plugin"])
            .arg(plugin("hello-decider"))
            .output()
            .unwrap(),
        "replay",
    );
    assert!(replayed.contains("identical"), "{replayed}");

    // SIGTERM: the worker stops polling, finishes, and exits 0.
    let status = worker.terminate();
    let log = std::fs::read_to_string(dir.join("worker.log")).unwrap();
    assert!(status.success(), "worker exit {status}:\n{log}");
    assert!(log.contains("worker stopped"), "{log}");
}

#[test]
fn a_dead_endpoint_does_not_take_the_worker_down() {
    let dir = tempfile::tempdir().unwrap();
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    write_config(dir.path(), &format!("http://127.0.0.1:{port}"));
    let log = std::fs::File::create(dir.path().join("worker.log")).unwrap();
    let mut worker = Running(
        swfwasm_in(dir.path())
            .arg("run")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let log_path = dir.path().join("worker.log");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !std::fs::read_to_string(&log_path)
        .unwrap_or_default()
        .contains("poll failed; retrying")
    {
        assert!(
            worker.0.try_wait().unwrap().is_none(),
            "the worker keeps running"
        );
        assert!(Instant::now() < deadline, "no failed poll was logged");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        worker.0.try_wait().unwrap().is_none(),
        "the worker keeps running"
    );
    let status = worker.terminate();
    let log = std::fs::read_to_string(dir.path().join("worker.log")).unwrap();
    assert!(status.success(), "worker exit {status}:\n{log}");
    assert!(log.contains("poll failed; retrying"), "{log}");
    assert!(log.contains("worker stopped"), "{log}");
}

/// Issue 3's heartbeat-cancel path end to end: the activity heartbeats, the decider asks for its
/// cancellation (after a signal), the next heartbeat reports `cancel-requested`, the guest ends
/// `canceled`, the worker answers RespondActivityTaskCanceled and the run closes canceled.
#[test]
fn a_cancel_request_reaches_a_heartbeating_activity() {
    let dir = tempfile::tempdir().unwrap();
    let service = LocalSwf::start(dir.path(), 5);
    let config = format!(
        "domain = \"steering\"\nendpoint = \"{}\"\nregion = \"us-east-1\"\n\
         heartbeat_interval_ms = 200\nplugins = [{:?}, {:?}]\n",
        service.endpoint(),
        plugin("steer-decider"),
        plugin("hostile-activity")
    );
    std::fs::write(dir.path().join("swfwasm.toml"), config).unwrap();
    ok(
        swfwasm_in(dir.path()).arg("register").output().unwrap(),
        "register",
    );
    ok(
        swfwasm_in(dir.path())
            .args([
                "start",
                "Steer",
                "--workflow-id",
                "steer-1",
                "--input",
                "heartbeat",
            ])
            .output()
            .unwrap(),
        "start",
    );
    let log = std::fs::File::create(dir.path().join("worker.log")).unwrap();
    let mut worker = Running(
        swfwasm_in(dir.path())
            .arg("run")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let wait_for = |event_type: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let types = event_types(dir.path(), "steer-1");
            if types.iter().any(|t| t == event_type) {
                return types;
            }
            assert!(
                Instant::now() < deadline,
                "no {event_type} in 60 s: {types:?}\n{}",
                std::fs::read_to_string(dir.path().join("worker.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    wait_for("ActivityTaskStarted");
    ok(
        swfwasm_in(dir.path())
            .args(["signal", "steer-1", "cancel-activity"])
            .output()
            .unwrap(),
        "signal",
    );
    let types = wait_for("WorkflowExecutionCanceled");
    let requested = types
        .iter()
        .position(|t| t == "ActivityTaskCancelRequested");
    let canceled = types.iter().position(|t| t == "ActivityTaskCanceled");
    assert!(
        requested.is_some() && canceled > requested,
        "cancel requested, then canceled: {types:?}"
    );
    let history = ok(
        swfwasm_in(dir.path())
            .args(["history", "steer-1", "--json"])
            .output()
            .unwrap(),
        "history",
    );
    let events: Vec<serde_json::Value> = serde_json::from_str(&history).unwrap();
    let canceled = events
        .iter()
        .find(|e| e["eventType"] == "ActivityTaskCanceled")
        .unwrap();
    let attributes = &canceled["activityTaskCanceledEventAttributes"];
    assert!(
        attributes["details"]
            .as_str()
            .is_some_and(|d| d.starts_with("stopped at step")),
        "the guest's cancel details are recorded: {canceled}"
    );
    assert!(
        attributes["startedEventId"].as_i64() > Some(0),
        "it was canceled while running, not while queued: {canceled}"
    );
    assert!(worker.terminate().success());
}
