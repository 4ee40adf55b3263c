//! Issue 5 end to end against `swfwasm local`: a worker serving a watched plugin directory takes
//! new artifacts without a restart, keeps each run on the artifact that decides it unless its
//! history replays identically on the new one, registers new type versions, and shrugs off a
//! broken artifact. Every run's history is the seed's 11 events: nothing lost, nothing twice.

use std::path::{Path, PathBuf};

use crate::common::{
    Running, local_swf, plugin, seed_event_types, succeeded as ok, swfwasm_in, wait_until,
};
use local_swf::LocalSwf;
use serde_json::Value;

fn digest(file: &Path) -> String {
    let scratch = tempfile::tempdir().unwrap();
    let text = ok(
        swfwasm_in(scratch.path())
            .args(["plugin", "inspect", "--json"])
            .arg(file)
            .output()
            .unwrap(),
        "inspect",
    );
    let json: Value = serde_json::from_str(&text).unwrap();
    json["digest"]
        .as_str()
        .unwrap()
        .trim_start_matches("sha256:")
        .to_owned()
}

/// Copies an artifact into the watched directory the way deployments should: write, then rename.
fn deploy(artifact: &Path, dir: &Path) {
    let name = artifact.file_name().unwrap();
    let staging = dir.join(".staging");
    std::fs::copy(artifact, &staging).unwrap();
    std::fs::rename(&staging, dir.join(name).with_extension("wasm")).unwrap();
}

struct Deployment {
    dir: PathBuf,
    decider_config: PathBuf,
    activity_config: PathBuf,
    decider_log: PathBuf,
}

impl Deployment {
    fn history(&self, workflow_id: &str) -> Vec<Value> {
        let text = ok(
            swfwasm_in(&self.dir)
                .args(["--config"])
                .arg(&self.decider_config)
                .args(["history", workflow_id, "--json"])
                .output()
                .unwrap(),
            "history",
        );
        serde_json::from_str(&text).unwrap()
    }

    fn types(&self, workflow_id: &str) -> Vec<String> {
        self.history(workflow_id)
            .iter()
            .map(|e| e["eventType"].as_str().unwrap().to_owned())
            .collect()
    }

    fn start(&self, workflow_id: &str, version: &str) {
        ok(
            swfwasm_in(&self.dir)
                .args(["--config"])
                .arg(&self.decider_config)
                .args([
                    "start",
                    "HelloWorkflow",
                    "--version",
                    version,
                    "--workflow-id",
                    workflow_id,
                ])
                .output()
                .unwrap(),
            "start",
        );
    }

    /// The digests (hex) recorded in the run's DecisionTaskCompleted events, in order.
    fn deciders(&self, workflow_id: &str) -> Vec<String> {
        self.history(workflow_id)
            .iter()
            .filter(|e| e["eventType"] == "DecisionTaskCompleted")
            .map(|e| {
                let context = e["decisionTaskCompletedEventAttributes"]["executionContext"]
                    .as_str()
                    .unwrap_or_default();
                context.trim_start_matches("swfwasm-decider:").to_owned()
            })
            .collect()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.decider_log).unwrap_or_default()
    }

    fn wait_for_event(&self, workflow_id: &str, event_type: &str) {
        wait_until(
            &format!("{event_type} in {workflow_id}"),
            &self.decider_log,
            || self.types(workflow_id).iter().any(|t| t == event_type),
        );
    }

    fn wait_for_log(&self, needle: &str, count: usize) {
        wait_until(
            &format!("{count} × {needle:?} in the log"),
            &self.decider_log,
            || self.log().matches(needle).count() >= count,
        );
    }
}

#[test]
fn artifacts_are_swapped_in_while_runs_are_in_flight_and_runs_keep_their_artifact() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path();
    let service = LocalSwf::start(root, 5);
    let plugin_dir = root.join("plugins");
    std::fs::create_dir(&plugin_dir).unwrap();
    let config = |name: &str, plugins: &[PathBuf]| {
        let path = root.join(name);
        std::fs::write(
            &path,
            format!(
                "domain = \"hot\"\nendpoint = \"{}\"\nregion = \"us-east-1\"\nplugins = {:?}\n",
                service.endpoint(),
                plugins
            ),
        )
        .unwrap();
        path
    };
    let d = Deployment {
        dir: root.to_owned(),
        decider_config: config("decider.toml", &[]),
        activity_config: config("activity.toml", &[plugin("hello-activity")]),
        decider_log: root.join("decider.log"),
    };
    ok(
        swfwasm_in(root)
            .arg("--config")
            .arg(&d.activity_config)
            .arg("register")
            .output()
            .unwrap(),
        "register the domain and the activity",
    );
    let v1 = plugin("hello-decider");
    let (compatible, incompatible, v2) = (
        plugin("hello-compatible"),
        plugin("hello-incompatible"),
        plugin("hello-v2"),
    );
    deploy(&v1, &plugin_dir);

    let mut decider = Running::spawn(
        swfwasm_in(root)
            .arg("--config")
            .arg(&d.decider_config)
            .args(["run", "--plugins"])
            .arg(&plugin_dir),
        &d.decider_log,
    );
    let activities = |log: &str| {
        Running::spawn(
            swfwasm_in(root)
                .arg("--config")
                .arg(&d.activity_config)
                .arg("run"),
            &root.join(log),
        )
    };
    d.wait_for_log("plugin activated", 1);

    // Runs decided by v1 wait for their activity (no activity worker yet) while a compatible
    // artifact for the same type replaces v1: their next decision replays identically on it.
    d.start("e1", "1.0");
    d.start("e2", "1.0");
    d.wait_for_event("e1", "ActivityTaskScheduled");
    d.wait_for_event("e2", "ActivityTaskScheduled");
    std::fs::remove_file(plugin_dir.join("hello-decider.wasm")).unwrap();
    deploy(&compatible, &plugin_dir);
    d.wait_for_log("plugin activated", 2);
    let mut worker = activities("activities-1.log");
    d.wait_for_event("e1", "WorkflowExecutionCompleted");
    d.wait_for_event("e2", "WorkflowExecutionCompleted");
    for run in ["e1", "e2"] {
        assert_eq!(d.deciders(run), [digest(&v1), digest(&compatible)], "{run}");
    }
    worker.stop();

    // Runs decided by the compatible artifact; then an incompatible one for the same type.
    d.start("e3", "1.0");
    d.start("e4", "1.0");
    d.wait_for_event("e3", "ActivityTaskScheduled");
    d.wait_for_event("e4", "ActivityTaskScheduled");
    deploy(&incompatible, &plugin_dir);
    d.wait_for_log("plugin activated", 3);
    d.start("e5", "1.0");
    d.wait_for_event("e5", "ActivityTaskScheduled");
    let mut worker = activities("activities-2.log");
    for run in ["e3", "e4", "e5"] {
        d.wait_for_event(run, "WorkflowExecutionCompleted");
    }
    for run in ["e3", "e4"] {
        assert_eq!(
            d.deciders(run),
            [digest(&compatible), digest(&compatible)],
            "{run}"
        );
    }
    assert_eq!(
        d.deciders("e5"),
        [digest(&incompatible), digest(&incompatible)]
    );
    let log = d.log();
    assert!(
        log.contains("history diverges on the new artifact")
            && log.contains("after event 3: recorded ScheduleActivityTask saying_hi (HelloWorld 1.0), plugin decided ScheduleActivityTask saying_hello (HelloWorld 1.0)"),
        "the divergence is logged:\n{log}"
    );

    // A new version is registered and served; 1.0 stays with its artifacts.
    deploy(&v2, &plugin_dir);
    d.wait_for_log("plugin activated", 4);
    d.start("e6", "2.0");
    d.wait_for_event("e6", "WorkflowExecutionCompleted");
    assert_eq!(d.deciders("e6"), [digest(&v2), digest(&v2)]);

    // An artifact on a task list the worker did not poll: it starts polling it.
    let own_list = plugin("hello-own-task-list");
    deploy(&own_list, &plugin_dir);
    d.wait_for_log("plugin activated", 5);
    d.start("e9", "3.0");
    d.wait_for_event("e9", "WorkflowExecutionCompleted");
    assert_eq!(d.deciders("e9"), [digest(&own_list), digest(&own_list)]);
    let log = d.log();
    assert!(
        log.lines()
            .any(|l| l.contains("polling") && l.contains("task_list=hello-v3")),
        "the new task list is polled:\n{log}"
    );

    // A broken artifact is rejected; the worker keeps serving without a gap.
    std::fs::write(plugin_dir.join("broken.wasm"), b"\0asm not really").unwrap();
    d.wait_for_log("plugin rejected", 1);
    d.start("e7", "1.0");
    d.wait_for_event("e7", "WorkflowExecutionCompleted");
    assert_eq!(
        d.deciders("e7"),
        [digest(&incompatible), digest(&incompatible)]
    );

    // `swfwasm plugins`: states, and an open run pinned to the active 1.0 artifact.
    worker.stop();
    d.start("e8", "1.0");
    d.wait_for_event("e8", "ActivityTaskScheduled");
    let listing = ok(
        swfwasm_in(root)
            .arg("--config")
            .arg(&d.decider_config)
            .args(["plugins", "--plugins"])
            .arg(&plugin_dir)
            .output()
            .unwrap(),
        "plugins",
    );
    let line = |file: &str| {
        listing
            .lines()
            .find(|l| l.ends_with(file))
            .unwrap_or_else(|| panic!("{file} missing from\n{listing}"))
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("hello-compatible.wasm"),
        format!("inactive {} 0", &digest(&compatible)[..12])
    );
    assert_eq!(
        line("hello-incompatible.wasm"),
        format!("active {} 1", &digest(&incompatible)[..12])
    );
    assert_eq!(
        line("hello-v2.wasm"),
        format!("active {} 0", &digest(&v2)[..12])
    );
    assert!(line("broken.wasm").starts_with("rejected"), "{listing}");
    let mut worker = activities("activities-3.log");
    d.wait_for_event("e8", "WorkflowExecutionCompleted");

    // No restart, and every run's history is the seed's: no task lost, timed out or repeated.
    assert!(decider.is_running(), "the worker never restarted");
    let seed = seed_event_types();
    for run in ["e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9"] {
        assert_eq!(d.types(run), seed, "{run}");
    }
    let table = ok(
        swfwasm_in(root)
            .arg("--config")
            .arg(&d.decider_config)
            .args(["history", "e1"])
            .output()
            .unwrap(),
        "history table",
    );
    assert!(
        table.contains(&format!("decider={}", &digest(&compatible)[..12])),
        "swfwasm history shows the deciding artifact:\n{table}"
    );
    worker.stop();
    decider.stop();
}

/// A watched source activates a new HelloWorkflow decider, then an artifact for another type
/// lands in the plugin directory: the rescan hands the worker the directory's whole set, and
/// the source's decider must stay active (it was activated last for its type), beside the new
/// directory artifact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_rescan_keeps_what_a_watched_source_activated() {
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    use swfwasm::runtime::{PluginRuntime, RuntimeConfig};
    use swfwasm::worker::plugin_dir::PluginDirectory;
    use swfwasm::worker::{LivePlugins, Shutdown};

    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("plugins");
    std::fs::create_dir(&dir).unwrap();
    deploy(&plugin("hello-decider"), &dir);
    let runtime = Arc::new(
        PluginRuntime::new(RuntimeConfig {
            cache_dir: Some(scratch.path().join("cache")),
            ..RuntimeConfig::default()
        })
        .unwrap(),
    );
    let (directory, set) = PluginDirectory::open(&dir, runtime.clone(), Vec::new(), None)
        .await
        .unwrap();
    let live = Arc::new(LivePlugins::new(set));
    let shutdown = Shutdown::new();
    tokio::spawn(directory.watch(live.clone(), shutdown.clone()));

    let from_source = runtime
        .load_file(&plugin("hello-compatible"))
        .await
        .unwrap();
    live.activate(from_source.clone());
    let active = |name: &str, version: &str| {
        live.snapshot()
            .decider(name, version)
            .map(|p| p.digest().to_string())
    };
    assert_eq!(
        active("HelloWorkflow", "1.0"),
        Some(from_source.digest().to_string())
    );

    deploy(&plugin("steer-decider"), &dir);
    let deadline = Instant::now() + Duration::from_secs(30);
    while active("Steer", "1.0").is_none() {
        assert!(
            Instant::now() < deadline,
            "the directory never took steer-decider"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        active("HelloWorkflow", "1.0"),
        Some(from_source.digest().to_string()),
        "the rescan dropped the source's decider"
    );
    shutdown.trigger();
}
