//! Issue 6: HelloWorkflow's decider and activity written in Rust, JavaScript, Python and C
//! (`plugins/hello-*`, `plugins/js-hello`, `plugins/python-hello`, `plugins/c-hello`) behave as
//! one plugin.
//!
//! - End to end: `swfwasm dev` runs HelloWorkflow on the embedded local SWF with each
//!   language's decider and activity, and with mixed pairs, over real HTTP and SigV4.
//! - Parity: every language declares the same types, decides the same decisions on the same
//!   histories, and reports results, failures and heartbeats as the Rust activity does.
//! - The compile cache: every `swfwasm dev` run here shares one cache directory that
//!   [`warm_cache`] fills once, and each run must load every plugin from it (the JS and Python
//!   guests take seconds to compile).
//!
//! The non-Rust artifacts are built by `scripts/build-plugins js python c` (the README's test
//! command does it) into `target/polyglot/`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::common::{data, plugin, seed_event_types, swfwasm_in, workspace};
use serde_json::Value;
use swf_model::{ActivityTask, DecisionTask, EventAttributes};
use swfwasm::runtime::{
    ActivityOutcome, CacheOutcome, HeartbeatHandler, HeartbeatStatus, Plugin, PluginRuntime,
    PluginTypes, RuntimeConfig,
};

const LANGUAGES: [&str; 4] = ["rust", "js", "python", "c"];

/// The artifact of `language`'s HelloWorkflow plugin for `world` ("decider" or "activity").
fn artifact(language: &str, world: &str) -> PathBuf {
    if language == "rust" {
        return plugin(&format!("hello-{world}"));
    }
    let path = workspace()
        .join("target/polyglot")
        .join(format!("{language}-hello-{world}.wasm"));
    assert!(
        path.exists(),
        "{} is missing: run scripts/build-plugins {language} (the README's test command does)",
        path.display()
    );
    path
}

/// The compile cache every test here shares. It persists in the target directory, so a second
/// run of the suite compiles nothing.
fn shared_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("polyglot-cache")
}

/// Loads every language's artifacts once through the shared cache, compiling those it lacks.
/// Afterwards no `swfwasm dev` run of this file may compile anything.
fn warm_cache() {
    static WARM: OnceLock<()> = OnceLock::new();
    WARM.get_or_init(|| {
        let runtime = PluginRuntime::new(RuntimeConfig {
            cache_dir: Some(shared_cache()),
            ..RuntimeConfig::default()
        })
        .expect("runtime");
        let tokio = tokio::runtime::Runtime::new().unwrap();
        for language in LANGUAGES {
            for world in ["decider", "activity"] {
                tokio
                    .block_on(runtime.load_file(&artifact(language, world)))
                    .unwrap_or_else(|e| panic!("{language} {world}: {e}"));
            }
        }
    });
}

/// What `swfwasm dev --run HelloWorkflow` printed and how it exited.
struct DevRun {
    completed: bool,
    history: Vec<Value>,
    log: String,
}

impl DevRun {
    fn event_types(&self) -> Vec<String> {
        self.history
            .iter()
            .map(|e| e["eventType"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The attributes of the one event of this type.
    fn attributes(&self, event_type: &str) -> &Value {
        let key = format!(
            "{}{}EventAttributes",
            event_type[..1].to_lowercase(),
            &event_type[1..]
        );
        let events: Vec<&Value> = self
            .history
            .iter()
            .filter(|e| e["eventType"] == event_type)
            .collect();
        assert_eq!(events.len(), 1, "one {event_type} in {:#?}", self.history);
        &events[0][key.as_str()]
    }
}

/// Runs HelloWorkflow once on the embedded local SWF with `decider`'s decider and
/// `activity`'s activity (languages), through the shared compile cache.
fn run_hello(decider: &str, activity: &str, input: Option<&str>) -> DevRun {
    warm_cache();
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    for (language, world) in [(decider, "decider"), (activity, "activity")] {
        std::fs::copy(
            artifact(language, world),
            plugins.join(format!("{language}-{world}.wasm")),
        )
        .unwrap();
    }
    let mut command = swfwasm_in(dir.path());
    command
        .arg("dev")
        .arg("--plugins")
        .arg(&plugins)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["--domain", "polyglot", "--run", "HelloWorkflow"])
        .args(["--poll-hold-secs", "5", "--timeout-secs", "120"])
        .env("SWFWASM_CACHE_DIR", shared_cache());
    if let Some(input) = input {
        command.args(["--input", input]);
    }
    let output = command.output().unwrap();
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    let history = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("no history printed ({e}):\n{log}"));
    let run = DevRun {
        completed: output.status.success(),
        history,
        log,
    };
    let loaded: Vec<&str> = run
        .log
        .lines()
        .filter(|l| l.contains("plugin loaded"))
        .collect();
    assert_eq!(loaded.len(), 2, "{}", run.log);
    for line in loaded {
        assert!(
            line.contains("cached=true"),
            "an unchanged artifact was compiled again: {line}"
        );
    }
    run
}

/// The seed's 11 event types, and the activity's greeting as its result.
fn assert_hello_completed(run: &DevRun, greeting: &str) {
    assert!(run.completed, "{}", run.log);
    assert_eq!(run.event_types(), seed_event_types(), "{}", run.log);
    assert_eq!(run.attributes("ActivityTaskCompleted")["result"], greeting);
}

#[test]
fn hello_workflow_in_rust() {
    assert_hello_completed(&run_hello("rust", "rust", None), "Hello, World!");
}

#[test]
fn hello_workflow_in_javascript() {
    assert_hello_completed(&run_hello("js", "js", None), "Hello, World!");
}

#[test]
fn hello_workflow_in_python() {
    assert_hello_completed(&run_hello("python", "python", None), "Hello, World!");
}

#[test]
fn hello_workflow_in_c() {
    assert_hello_completed(&run_hello("c", "c", None), "Hello, World!");
}

#[test]
fn a_javascript_decider_drives_a_python_activity() {
    let run = run_hello("js", "python", Some("Ada"));
    assert_hello_completed(&run, "Hello, Ada!");
    assert_eq!(run.attributes("ActivityTaskScheduled")["input"], "Ada");
}

#[test]
fn a_c_decider_drives_a_rust_activity() {
    assert_hello_completed(&run_hello("c", "rust", Some("Grace")), "Hello, Grace!");
}

/// An activity failure crosses two languages intact: the JS activity fails, the Python decider
/// fails the workflow with the activity's reason and details.
#[test]
fn an_activity_failure_reaches_the_workflow_across_languages() {
    let name = "n".repeat(65);
    let run = run_hello("python", "js", Some(&name));
    assert!(!run.completed, "{}", run.log);
    let failed = run.attributes("ActivityTaskFailed");
    assert_eq!(failed["reason"], "NameTooLong");
    assert_eq!(
        failed["details"],
        "a name has at most 64 characters; got 65"
    );
    let closed = run.attributes("WorkflowExecutionFailed");
    assert_eq!(closed["reason"], failed["reason"]);
    assert_eq!(closed["details"], failed["details"]);
}

fn runtime() -> PluginRuntime {
    PluginRuntime::new(RuntimeConfig {
        cache_dir: Some(shared_cache()),
        ..RuntimeConfig::default()
    })
    .expect("runtime")
}

async fn load(runtime: &PluginRuntime, language: &str, world: &str) -> Plugin {
    runtime
        .load_file(&artifact(language, world))
        .await
        .unwrap_or_else(|e| panic!("{language} {world}: {e}"))
}

/// A seed decision task, with the workflow input replaced.
fn seed_task(file: &str, input: Option<&str>) -> DecisionTask {
    let mut task: DecisionTask =
        serde_json::from_str(&std::fs::read_to_string(data(file)).unwrap()).unwrap();
    for event in &mut task.events {
        if let EventAttributes::WorkflowExecutionStarted(a) = &mut event.attributes {
            a.input = input.map(str::to_owned);
        }
    }
    task
}

/// The seed's second decision task, with its activity failed instead of completed.
fn failed_activity_task(details: Option<&str>) -> DecisionTask {
    let mut task = seed_task("hello_task_after_9.json", None);
    for event in &mut task.events {
        if let EventAttributes::ActivityTaskCompleted(_) = &event.attributes {
            *event = serde_json::from_value(serde_json::json!({
                "eventId": event.event_id, "eventTimestamp": event.event_timestamp,
                "eventType": "ActivityTaskFailed",
                "activityTaskFailedEventAttributes": {
                    "reason": "NameTooLong", "details": details,
                    "scheduledEventId": 5, "startedEventId": 6
                }
            }))
            .unwrap();
        }
    }
    task
}

#[tokio::test]
async fn every_language_declares_the_same_types() {
    let runtime = runtime();
    let declared = |plugin: &Plugin| match plugin.types() {
        PluginTypes::Workflows(types) => types
            .iter()
            .map(|t| {
                format!(
                    "{} {} {:?} {:?} {:?} {:?} {:?} {:?}",
                    t.name,
                    t.version,
                    t.default_task_list,
                    t.default_task_priority,
                    t.default_execution_start_to_close_timeout,
                    t.default_task_start_to_close_timeout,
                    t.default_child_policy,
                    t.description.is_some(),
                )
            })
            .collect::<Vec<_>>(),
        PluginTypes::Activities(types) => types
            .iter()
            .map(|t| {
                format!(
                    "{} {} {:?} {:?} {:?} {:?} {:?} {:?}",
                    t.name,
                    t.version,
                    t.default_task_list,
                    t.default_task_priority,
                    t.default_task_start_to_close_timeout,
                    t.default_task_heartbeat_timeout,
                    t.default_task_schedule_to_start_timeout,
                    t.default_task_schedule_to_close_timeout,
                )
            })
            .collect::<Vec<_>>(),
    };
    for world in ["decider", "activity"] {
        let rust = declared(&load(&runtime, "rust", world).await);
        assert_eq!(rust.len(), 1);
        for language in &LANGUAGES[1..] {
            let theirs = declared(&load(&runtime, language, world).await);
            assert_eq!(theirs, rust, "{language} {world}");
        }
    }
}

#[tokio::test]
async fn every_language_decides_as_the_rust_decider() {
    let runtime = runtime();
    let tasks = [
        ("first task", seed_task("hello_task_after_3.json", None)),
        (
            "first task with input",
            seed_task("hello_task_after_3.json", Some("Ada \"the\" Countess ☃")),
        ),
        (
            "activity completed",
            seed_task("hello_task_after_9.json", None),
        ),
        (
            "activity failed",
            failed_activity_task(Some("a name has at most 64 characters; got 65")),
        ),
        ("activity failed, no details", failed_activity_task(None)),
    ];
    let rust = load(&runtime, "rust", "decider").await;
    for language in &LANGUAGES[1..] {
        let theirs = load(&runtime, language, "decider").await;
        for (what, task) in &tasks {
            let expected = runtime.decide(&rust, task).await.unwrap();
            assert!(!expected.decisions.is_empty(), "{what}");
            let got = runtime
                .decide(&theirs, task)
                .await
                .unwrap_or_else(|e| panic!("{language} on {what}: {e}"));
            assert_eq!(got, expected, "{language} on {what}");
        }
    }
}

fn activity_task(input: Option<&str>) -> ActivityTask {
    serde_json::from_value(serde_json::json!({
        "taskToken": "token", "activityId": "saying_hi", "startedEventId": 6,
        "workflowExecution": {"workflowId": "wf-1", "runId": "run-1"},
        "activityType": {"name": "HelloWorld", "version": "1.0"}, "input": input,
    }))
    .unwrap()
}

/// Records the heartbeat details it is given and answers with `status`.
struct Heartbeats {
    status: HeartbeatStatus,
    seen: Mutex<Vec<Option<String>>>,
    calls: AtomicUsize,
}

impl Heartbeats {
    fn answering(status: HeartbeatStatus) -> Arc<Self> {
        Arc::new(Heartbeats {
            status,
            seen: Mutex::new(Vec::new()),
            calls: AtomicUsize::new(0),
        })
    }
}

#[async_trait::async_trait]
impl HeartbeatHandler for Heartbeats {
    async fn heartbeat(&self, details: Option<String>) -> HeartbeatStatus {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.seen.lock().unwrap().push(details);
        self.status
    }
}

/// Results, failures (reason and details), heartbeats (details) and cancellation come out of
/// every language's activity exactly as out of the Rust one.
#[tokio::test]
async fn every_language_reports_results_failures_and_heartbeats_as_rust_does() {
    let runtime = runtime();
    let timeout = Duration::from_secs(30);
    for language in LANGUAGES {
        let activity = load(&runtime, language, "activity").await;
        let run = |input: Option<&'static str>, heartbeats: Arc<Heartbeats>| {
            let runtime = &runtime;
            let activity = &activity;
            async move {
                runtime
                    .execute(activity, &activity_task(input), timeout, heartbeats)
                    .await
                    .unwrap_or_else(|e| panic!("{language}: {e}"))
            }
        };

        let ok = Heartbeats::answering(HeartbeatStatus::Ok);
        assert_eq!(
            run(Some("Ada"), ok.clone()).await,
            ActivityOutcome::Completed("Hello, Ada!".into()),
            "{language}"
        );
        assert_eq!(
            *ok.seen.lock().unwrap(),
            [Some("greeting Ada".to_owned())],
            "{language}"
        );

        let ok = Heartbeats::answering(HeartbeatStatus::Ok);
        assert_eq!(
            run(None, ok.clone()).await,
            ActivityOutcome::Completed("Hello, World!".into()),
            "{language}"
        );

        let cancel = Heartbeats::answering(HeartbeatStatus::CancelRequested);
        assert_eq!(
            run(Some("Ada"), cancel.clone()).await,
            ActivityOutcome::Canceled {
                details: Some("canceled before greeting Ada".into())
            },
            "{language}"
        );
        assert_eq!(cancel.calls.load(Ordering::SeqCst), 1, "{language}");

        let never = Heartbeats::answering(HeartbeatStatus::Ok);
        let long = Box::leak("ü".repeat(65).into_boxed_str());
        assert_eq!(
            run(Some(long), never.clone()).await,
            ActivityOutcome::Failed {
                reason: "NameTooLong".into(),
                details: Some("a name has at most 64 characters; got 65".into())
            },
            "{language}"
        );
        assert_eq!(never.calls.load(Ordering::SeqCst), 0, "{language}");

        // 64 characters (128 bytes of UTF-8) is still a name.
        let longest = Box::leak("ü".repeat(64).into_boxed_str());
        let ActivityOutcome::Completed(greeting) =
            run(Some(longest), Heartbeats::answering(HeartbeatStatus::Ok)).await
        else {
            panic!("{language} refused a 64-character name");
        };
        assert_eq!(greeting, format!("Hello, {longest}!"), "{language}");
    }
}

/// The slow-to-compile guests are compiled once per artifact: a new runtime (as a restarted
/// worker has) loads them from the cache without compiling.
#[tokio::test]
async fn the_compile_cache_serves_the_slow_guests_after_the_first_start() {
    let dir = tempfile::tempdir().unwrap();
    let config = RuntimeConfig {
        cache_dir: Some(dir.path().to_path_buf()),
        ..RuntimeConfig::default()
    };
    for language in ["js", "python"] {
        let path = artifact(language, "decider");
        let first = PluginRuntime::new(config.clone())
            .unwrap()
            .load_file(&path)
            .await
            .unwrap();
        assert!(
            matches!(first.cache_outcome(), CacheOutcome::Compiled { reason: Some(r) } if r == "no cache entry"),
            "{language}: {:?}",
            first.cache_outcome()
        );
        let runtime = PluginRuntime::new(config.clone()).unwrap();
        let second = runtime.load_file(&path).await.unwrap();
        assert!(
            matches!(second.cache_outcome(), CacheOutcome::Hit(_)),
            "{language}: {:?}",
            second.cache_outcome()
        );
        let response = runtime
            .decide(&second, &seed_task("hello_task_after_3.json", None))
            .await
            .unwrap();
        assert_eq!(response.decisions.len(), 1, "{language}");
    }
}
