//! `swfwasm run` against moto's SWF server when things go wrong: an activity that fails, a
//! decider that traps (under both failure policies), SIGTERM while activities run, and a
//! task of a type no loaded plugin serves. The worker runs as a real process, as in
//! `worker.rs`; the fixtures are `steer-decider` (workflow `Steer` 1.0 on task list `steer`,
//! which runs `Steerable` on its input) and the hostile guests.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::common::{self, moto, plugin, succeeded as ok, workspace};
use moto::Moto;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// How long a test waits for something the worker should make happen.
const PATIENCE: Duration = Duration::from_secs(60);

/// How long a test watches for something the worker must not do.
const QUIET: Duration = Duration::from_secs(3);

/// The configuration every ops command uses: it lists all three fixtures, so `register`
/// registers every type the tests need.
const OPS: &str = "swfwasm.toml";

/// A moto server with the domain and the fixtures' types registered, and a directory for
/// configuration files, the compile cache and the worker's log.
struct Swf {
    _moto: Moto,
    dir: tempfile::TempDir,
    endpoint: String,
}

impl Swf {
    fn start() -> Swf {
        let moto = Moto::start(workspace());
        let swf = Swf {
            endpoint: moto.endpoint(),
            _moto: moto,
            dir: tempfile::tempdir().unwrap(),
        };
        swf.write_config(
            OPS,
            &["steer-decider", "hostile-decider", "hostile-activity"],
            "",
        );
        let registered = ok(
            swf.swfwasm(OPS).arg("register").output().unwrap(),
            "register",
        );
        assert!(
            registered.contains("workflow type Steer 1.0"),
            "{registered}"
        );
        swf
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn swfwasm(&self, config: &str) -> Command {
        swfwasm(self.path(), config)
    }

    /// Writes configuration file `name` loading `plugins`, with `extra` TOML lines.
    fn write_config(&self, name: &str, plugins: &[&str], extra: &str) {
        let plugins: Vec<PathBuf> = plugins.iter().map(|p| plugin(p)).collect();
        let config = format!(
            "domain = \"failures\"\nendpoint = \"{}\"\nregion = \"us-east-1\"\n\
             plugins = {plugins:?}\n{extra}",
            self.endpoint
        );
        std::fs::write(self.path().join(name), config).unwrap();
    }

    /// Starts an execution and returns its run id.
    fn start_workflow(&self, args: &[&str]) -> String {
        let started = ok(
            self.swfwasm(OPS).arg("start").args(args).output().unwrap(),
            "start",
        );
        started
            .trim()
            .split_once("runId=")
            .unwrap_or_else(|| panic!("no runId in {started:?}"))
            .1
            .to_owned()
    }

    /// The history of the latest run of `workflow_id`, as SWF returns its events.
    fn history(&self, workflow_id: &str) -> Vec<Value> {
        let output = self
            .swfwasm(OPS)
            .args(["history", workflow_id, "--json"])
            .output()
            .unwrap();
        serde_json::from_str(&ok(output, "swfwasm history --json")).unwrap()
    }

    /// `swfwasm run` with configuration `config`, its log in `<config>.log`.
    fn run_worker(&self, config: &str) -> Worker {
        let log = self.path().join(format!("{config}.log"));
        let child = self
            .swfwasm(config)
            .arg("run")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Worker { child, log }
    }
}

/// A running `swfwasm run`, killed if the test fails before stopping it.
struct Worker {
    child: Child,
    log: PathBuf,
}

impl Worker {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Polls `probe` until it returns something, for at most [`PATIENCE`].
    fn wait_for<T>(&self, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(found) = probe() {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "waited {PATIENCE:?} for {what}; worker log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends SIGTERM and waits for the process to exit.
    fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the worker did not exit within {PATIENCE:?} of SIGTERM:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn event_types(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect()
}

/// The attributes of the only event of `event_type`.
fn attributes<'a>(events: &'a [Value], event_type: &str) -> &'a Value {
    let mut found = events.iter().filter(|e| e["eventType"] == event_type);
    let event = found
        .next()
        .unwrap_or_else(|| panic!("no {event_type} in {:?}", event_types(events)));
    assert!(found.next().is_none(), "several {event_type} events");
    let object = event.as_object().unwrap();
    object
        .iter()
        .find(|(key, _)| key.ends_with("EventAttributes"))
        .map(|(_, value)| value)
        .unwrap_or_else(|| panic!("{event_type} has no attributes: {event}"))
}

/// Whether the run has closed: its last event is one of the close events.
fn closed(events: &[Value]) -> bool {
    const CLOSE_EVENTS: [&str; 6] = [
        "WorkflowExecutionCompleted",
        "WorkflowExecutionFailed",
        "WorkflowExecutionCanceled",
        "WorkflowExecutionTerminated",
        "WorkflowExecutionTimedOut",
        "WorkflowExecutionContinuedAsNew",
    ];
    events
        .last()
        .is_some_and(|e| CLOSE_EVENTS.iter().any(|&t| e["eventType"] == t))
}

/// A workflow's history once it has closed.
fn closed_history(swf: &Swf, worker: &Worker, workflow_id: &str) -> Vec<Value> {
    worker.wait_for(&format!("{workflow_id} to close"), || {
        Some(swf.history(workflow_id)).filter(|events| closed(events))
    })
}

/// The worker log's lines that mention `needle`, once there is at least one.
fn log_lines(worker: &Worker, needle: &str) -> Vec<String> {
    worker.wait_for(&format!("a log line with {needle:?}"), || {
        let lines: Vec<String> = worker
            .log()
            .lines()
            .filter(|l| l.contains(needle))
            .map(str::to_owned)
            .collect();
        (!lines.is_empty()).then_some(lines)
    })
}

/// The digest the host names a plugin by.
fn digest(name: &str) -> String {
    let bytes = std::fs::read(plugin(name)).unwrap();
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// A run whose only decision task was handed out and never answered.
const UNANSWERED: [&str; 3] = [
    "WorkflowExecutionStarted",
    "DecisionTaskScheduled",
    "DecisionTaskStarted",
];

#[test]
fn a_failed_activity_is_reported_with_its_reason_and_details_truncated() {
    let swf = Swf::start();
    swf.write_config("worker.toml", &["steer-decider", "hostile-activity"], "");
    let worker = swf.run_worker("worker.toml");
    swf.start_workflow(&[
        "Steer",
        "--workflow-id",
        "fail-long",
        "--input",
        "fail-long",
    ]);

    let events = closed_history(&swf, &worker, "fail-long");
    assert_eq!(
        event_types(&events),
        [
            "WorkflowExecutionStarted",
            "DecisionTaskScheduled",
            "DecisionTaskStarted",
            "DecisionTaskCompleted",
            "ActivityTaskScheduled",
            "ActivityTaskStarted",
            "ActivityTaskFailed",
            "DecisionTaskScheduled",
            "DecisionTaskStarted",
            "DecisionTaskCompleted",
            "WorkflowExecutionFailed",
        ]
    );
    // The guest failed with a 300-character reason and 40,000-character details; SWF takes
    // at most 256 and 32,768.
    let failed = attributes(&events, "ActivityTaskFailed");
    assert_eq!(failed["reason"], "r".repeat(256));
    assert_eq!(failed["details"], "d".repeat(32_768));
    // The decider saw the failure and failed the run with it.
    let run_failed = attributes(&events, "WorkflowExecutionFailed");
    assert_eq!(run_failed["reason"], failed["reason"]);
    assert_eq!(run_failed["details"], failed["details"]);
}

#[test]
fn a_trapping_decider_under_the_timeout_policy_leaves_its_task_unanswered() {
    let swf = Swf::start();
    swf.write_config(
        "worker.toml",
        &["steer-decider"],
        "decider_failure = \"timeout\"\n",
    );
    let worker = swf.run_worker("worker.toml");
    let run_id = swf.start_workflow(&[
        "Steer",
        "--workflow-id",
        "panic-timeout",
        "--input",
        "decider-panic",
    ]);

    let lines = log_lines(&worker, "decider failed");
    let [line] = lines.as_slice() else {
        panic!("one failure expected: {lines:#?}");
    };
    for needle in [
        "workflow_id=panic-timeout".to_owned(),
        format!("run_id={run_id}"),
        format!("plugin={}", digest("steer-decider")),
        "the steer decider panicked on purpose".to_owned(),
    ] {
        assert!(line.contains(&needle), "{needle:?} missing from {line}");
    }

    // SWF (moto) would time the task out after the type's 300 s; until then nobody answers.
    std::thread::sleep(QUIET);
    assert_eq!(event_types(&swf.history("panic-timeout")), UNANSWERED);
}

#[test]
fn a_trapping_decider_under_the_fail_workflow_policy_fails_the_run() {
    let swf = Swf::start();
    swf.write_config(
        "worker.toml",
        &["steer-decider"],
        "decider_failure = \"fail-workflow\"\n",
    );
    let worker = swf.run_worker("worker.toml");
    swf.start_workflow(&[
        "Steer",
        "--workflow-id",
        "panic-fail",
        "--input",
        "decider-panic",
    ]);

    let events = closed_history(&swf, &worker, "panic-fail");
    assert_eq!(
        event_types(&events),
        [
            "WorkflowExecutionStarted",
            "DecisionTaskScheduled",
            "DecisionTaskStarted",
            "DecisionTaskCompleted",
            "WorkflowExecutionFailed",
        ]
    );
    let failed = attributes(&events, "WorkflowExecutionFailed");
    let reason = failed["reason"].as_str().unwrap();
    assert!(reason.starts_with("decider failed: "), "{reason}");
    assert!(
        reason.contains("the steer decider panicked on purpose"),
        "{reason}"
    );
    let details = failed["details"].as_str().unwrap();
    assert!(
        details.contains("the steer decider panicked on purpose"),
        "{details}"
    );
}

#[test]
fn sigterm_lets_running_activities_finish_and_answer_before_exit() {
    const RUNS: [&str; 3] = ["sleep-1", "sleep-2", "sleep-3"];
    let swf = Swf::start();
    swf.write_config("worker.toml", &["steer-decider", "hostile-activity"], "");
    for id in RUNS {
        swf.start_workflow(&["Steer", "--workflow-id", id, "--input", "sleep-5s"]);
    }
    let mut worker = swf.run_worker("worker.toml");
    for id in RUNS {
        worker.wait_for(&format!("{id}'s activity to start"), || {
            let events = swf.history(id);
            event_types(&events)
                .contains(&"ActivityTaskStarted")
                .then_some(())
        });
    }

    let status = worker.terminate();
    let log = worker.log();
    assert!(status.success(), "worker exit {status}:\n{log}");
    // The activities were still asleep when the signal arrived, and the worker waited for them.
    let shutdown = log
        .find("shutting down")
        .unwrap_or_else(|| panic!("no shutdown line:\n{log}"));
    let woke: Vec<usize> = log
        .match_indices("woke up after 5 s")
        .map(|(at, _)| at)
        .collect();
    assert_eq!(woke.len(), RUNS.len(), "{log}");
    assert!(
        woke.iter().all(|&at| at > shutdown),
        "an activity finished before SIGTERM, so this test proved nothing:\n{log}"
    );
    assert!(log.contains("all tasks answered; worker stopped"), "{log}");
    for id in RUNS {
        let events = swf.history(id);
        let completed = attributes(&events, "ActivityTaskCompleted");
        assert_eq!(completed["result"], "slept 5 s", "{id}");
    }
}

#[test]
fn a_task_of_a_type_no_plugin_serves_is_logged_and_left() {
    let swf = Swf::start();
    // The worker polls `hostile`, the task list of the Hostile workflow it serves; a Steer run
    // is started on that list too, and nothing the worker loaded serves Steer.
    swf.write_config("worker.toml", &["hostile-decider"], "");
    let worker = swf.run_worker("worker.toml");
    let run_id = swf.start_workflow(&[
        "Steer",
        "--workflow-id",
        "unserved",
        "--task-list",
        "hostile",
    ]);
    swf.start_workflow(&["Hostile", "--workflow-id", "served"]);

    let lines = log_lines(&worker, "no loaded plugin serves this workflow type");
    let [line] = lines.as_slice() else {
        panic!("one unserved task expected: {lines:#?}");
    };
    for needle in [
        "workflow_id=unserved".to_owned(),
        format!("run_id={run_id}"),
        "workflow_type=Steer".to_owned(),
        "version=1.0".to_owned(),
    ] {
        assert!(line.contains(&needle), "{needle:?} missing from {line}");
    }
    // The worker goes on serving what it can: the Hostile run's task is answered (with no
    // decisions, as the hostile decider does without a mode).
    worker.wait_for("the served run's decision", || {
        let events = swf.history("served");
        event_types(&events)
            .contains(&"DecisionTaskCompleted")
            .then_some(())
    });

    std::thread::sleep(QUIET);
    assert_eq!(event_types(&swf.history("unserved")), UNANSWERED);
}

#[test]
fn an_activity_is_bounded_by_the_start_to_close_timeout_it_was_scheduled_with() {
    let swf = Swf::start();
    // The configured fallback is far beyond the test's patience: only the 2-second timeout
    // steer-decider schedules the `loop` activity with can stop it in time.
    swf.write_config(
        "worker.toml",
        &["steer-decider", "hostile-activity"],
        "activity_timeout_secs = 3600\n",
    );
    let worker = swf.run_worker("worker.toml");
    swf.start_workflow(&["Steer", "--workflow-id", "endless", "--input", "loop"]);

    let events = closed_history(&swf, &worker, "endless");
    let scheduled = attributes(&events, "ActivityTaskScheduled");
    assert_eq!(scheduled["startToCloseTimeout"], "2");
    let failed = attributes(&events, "ActivityTaskFailed");
    let reason = failed["reason"].as_str().unwrap();
    assert!(
        reason.contains("deadline exceeded") && reason.contains("2s"),
        "{reason}"
    );
    assert_eq!(
        event_types(&events).last(),
        Some(&"WorkflowExecutionFailed")
    );
}

/// `swfwasm --config CONFIG` in `dir` (see [`common::swfwasm_in`]).
fn swfwasm(dir: &Path, config: &str) -> Command {
    let mut command = common::swfwasm_in(dir);
    command.args(["--config", config]);
    command
}
