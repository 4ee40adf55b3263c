//! The plugin runtime as a library: hostile guests are contained and named, deciders are
//! deterministic, activities honour deadlines, limits and heartbeats, and the compile cache is
//! verified before it is trusted.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::common::{LogCapture, data, plugin};
use swf_model::{ActivityTask, Decision, DecisionTask, EventAttributes};
use swfwasm::runtime::{
    ActivityOutcome, AllocationStrategy, CacheOutcome, GuestError, HeartbeatHandler,
    HeartbeatStatus, LoadError, NoHeartbeat, Plugin, PluginRuntime, RuntimeConfig,
};

fn runtime() -> PluginRuntime {
    PluginRuntime::new(RuntimeConfig {
        decide_timeout: Duration::from_millis(500),
        memory_limit: 32 << 20,
        ..RuntimeConfig::default()
    })
    .expect("runtime")
}

fn task(name: &str) -> DecisionTask {
    serde_json::from_str(&std::fs::read_to_string(data(name)).unwrap()).unwrap()
}

/// The seed's first decision task with `input` as the workflow input.
fn task_with_input(input: &str) -> DecisionTask {
    let mut task = task("hello_task_after_3.json");
    for event in &mut task.events {
        if let EventAttributes::WorkflowExecutionStarted(a) = &mut event.attributes {
            a.input = Some(input.to_owned());
        }
    }
    task
}

fn activity_task(input: &str) -> ActivityTask {
    serde_json::from_value(serde_json::json!({
        "taskToken": "token", "activityId": "a-1", "startedEventId": 6,
        "workflowExecution": {"workflowId": "wf-1", "runId": "run-1"},
        "activityType": {"name": "Steerable", "version": "1.0"}, "input": input,
    }))
    .unwrap()
}

async fn assert_hello_still_works(runtime: &PluginRuntime, hello: &Plugin) {
    let response = runtime
        .decide(hello, &task("hello_task_after_3.json"))
        .await
        .expect("healthy decider");
    assert!(matches!(
        response.decisions.as_slice(),
        [Decision::ScheduleActivityTask(a)] if a.activity_id == "saying_hi"
    ));
}

#[tokio::test]
async fn hostile_deciders_are_contained_and_named() {
    let runtime = runtime();
    let hostile = runtime.load_file(&plugin("hostile-decider")).await.unwrap();
    let hello = runtime.load_file(&plugin("hello-decider")).await.unwrap();

    type Check = fn(&GuestError) -> bool;
    let cases: [(&str, Check, &str); 9] = [
        (
            "loop",
            |e| matches!(e, GuestError::DeadlineExceeded(_)),
            "deadline exceeded",
        ),
        (
            "memory",
            |e| matches!(e, GuestError::MemoryLimitExceeded { limit, .. } if *limit == 32 << 20),
            "memory limit exceeded",
        ),
        (
            "recursion",
            |e| matches!(e, GuestError::StackOverflow),
            "stack overflow",
        ),
        (
            "shadow-recursion",
            |e| matches!(e, GuestError::Trap { message: m, .. } if m.contains("out of bounds")),
            "shadow stack overflowed",
        ),
        (
            "panic",
            |e| matches!(e, GuestError::Trap { message: m, .. } if m.contains("panicked on purpose")),
            "panicked on purpose",
        ),
        (
            "not-json",
            |e| matches!(e, GuestError::InvalidOutput(_)),
            "not a RespondDecisionTaskCompleted JSON body",
        ),
        (
            "too-many",
            |e| matches!(e, GuestError::InvalidDecisions(d) if d.index.is_none()),
            "101",
        ),
        (
            "big-result",
            |e| matches!(e, GuestError::InvalidDecisions(d) if d.index == Some(0) && d.field.contains("result")),
            "result",
        ),
        (
            "file",
            |e| matches!(e, GuestError::Returned(m) if m.contains("opening /etc/hostname failed")),
            "/etc/hostname",
        ),
    ];
    for (mode, check, words) in cases {
        let error = runtime
            .decide(&hostile, &task_with_input(mode))
            .await
            .expect_err(mode);
        assert!(check(&error), "{mode}: unexpected error {error:?}");
        assert!(
            error.to_string().contains(words),
            "{mode}: {error} should mention {words:?}"
        );
        assert_hello_still_works(&runtime, &hello).await;
    }
}

#[tokio::test]
async fn deciders_see_no_environment() {
    // SAFETY: set before any other thread of this test binary reads the environment.
    unsafe { std::env::set_var("HOME", "/root-of-the-host") };
    let runtime = runtime();
    let hostile = runtime.load_file(&plugin("hostile-decider")).await.unwrap();
    let error = runtime
        .decide(&hostile, &task_with_input("env"))
        .await
        .expect_err("env");
    assert!(
        matches!(&error, GuestError::Returned(m) if m.contains("reading the environment variable HOME failed")),
        "{error:?}"
    );
}

#[tokio::test]
async fn chatty_guest_output_is_captured_bounded_and_logged() {
    let log = LogCapture::global();
    let runtime = runtime();
    let hostile = runtime.load_file(&plugin("hostile-decider")).await.unwrap();
    let mut task = task_with_input("print");
    task.workflow_execution.workflow_id = "chatty-1".into();
    let response = runtime
        .decide(&hostile, &task)
        .await
        .expect("printing is fine");
    assert!(
        matches!(response.decisions.as_slice(), [Decision::RecordMarker(m)] if m.marker_name == "printed")
    );
    let lines = log.lines_with("workflow_id=chatty-1");
    let first = lines
        .iter()
        .find(|l| l.contains("first line"))
        .expect("stdout is logged");
    assert!(first.contains("stream=\"stdout\""), "{first}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("to stderr as well") && l.contains("stream=\"stderr\"")),
        "stderr is logged"
    );
    let kept: usize = lines
        .iter()
        .filter(|l| l.contains("stream=\"stdout\""))
        .map(|l| l.matches('y').count())
        .sum();
    assert!(
        kept <= 64 << 10,
        "at most the 64 KiB capture limit is kept, got {kept}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("stdout_dropped=") && !l.contains("stdout_dropped=0")),
        "dropped output is reported"
    );
}

#[tokio::test]
async fn guest_log_lines_reach_the_host_log_with_task_ids() {
    let log = LogCapture::global();
    let runtime = runtime();
    let steerable = runtime
        .load_file(&plugin("hostile-activity"))
        .await
        .unwrap();
    let mut task = activity_task("log");
    task.workflow_execution.workflow_id = "logging-1".into();
    let outcome = runtime
        .execute(
            &steerable,
            &task,
            Duration::from_secs(5),
            Arc::new(NoHeartbeat),
        )
        .await
        .unwrap();
    assert_eq!(outcome, ActivityOutcome::Completed("logged".into()));
    let lines = log.lines_with("workflow_id=logging-1");
    let line = lines
        .iter()
        .find(|l| l.contains("a warning from the guest"))
        .expect("the guest's line is in the host log");
    assert!(
        line.contains("WARN")
            && line.contains("activity_id=\"a-1\"")
            && line.contains("run_id=run-1"),
        "{line}"
    );
}

/// Each task gets an instance whose memory is the component's initial memory: what one task
/// left in linear memory (a customer's data, say) is not there for the next, even though the
/// pooling allocator reuses the slot and keeps its pages resident.
#[tokio::test]
async fn a_task_never_finds_what_an_earlier_task_left_in_memory() {
    let runtime = runtime();
    let steerable = runtime
        .load_file(&plugin("hostile-activity"))
        .await
        .unwrap();
    for round in 0..20 {
        let outcome = runtime
            .execute(
                &steerable,
                &activity_task(&format!("remember-secret-{round}")),
                Duration::from_secs(5),
                Arc::new(NoHeartbeat),
            )
            .await
            .unwrap();
        assert_eq!(
            outcome,
            ActivityOutcome::Completed(format!("remembered secret-{round}; found \"\"")),
            "round {round}"
        );
    }
}

#[tokio::test]
async fn a_component_of_neither_world_is_refused_with_its_exports_listed() {
    let runtime = runtime();
    let wat = r#"(component
        (core module $m (func (export "f") (result i32) i32.const 1))
        (core instance $i (instantiate $m))
        (func (export "greet") (result u32) (canon lift (core func $i "f"))))"#;
    let error = runtime
        .load_bytes(wat.as_bytes())
        .await
        .expect_err("neither world");
    match &error {
        LoadError::UnknownWorld { exports, imports } => {
            assert_eq!(exports, &["greet".to_string()]);
            assert!(imports.is_empty());
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(error.to_string().contains("exports [greet]"), "{error}");

    let core = wat::parse_str("(module)").unwrap();
    let error = runtime.load_bytes(&core).await.expect_err("core module");
    assert!(
        error.to_string().contains("core WebAssembly module"),
        "{error}"
    );
}

#[tokio::test]
async fn running_a_plugin_as_the_other_world_is_an_error() {
    let runtime = runtime();
    let activity = runtime.load_file(&plugin("hello-activity")).await.unwrap();
    let error = runtime
        .decide(&activity, &task("hello_task_after_3.json"))
        .await
        .expect_err("wrong world");
    assert!(matches!(error, GuestError::WrongWorld { .. }), "{error:?}");
}

fn clock_marker(response: &swf_model::RespondDecisionTaskCompleted) -> serde_json::Value {
    match response.decisions.as_slice() {
        [Decision::RecordMarker(m)] => serde_json::from_str(m.details.as_deref().unwrap()).unwrap(),
        other => panic!("unexpected decisions {other:?}"),
    }
}

#[tokio::test]
async fn deciders_are_deterministic_functions_of_their_history() {
    let runtime = runtime();
    let hostile = runtime.load_file(&plugin("hostile-decider")).await.unwrap();
    let task = task_with_input("clock");
    let first = runtime.decide(&hostile, &task).await.unwrap();
    let second = runtime.decide(&hostile, &task).await.unwrap();
    assert_eq!(
        serde_json::to_string(&first).unwrap(),
        serde_json::to_string(&second).unwrap(),
        "byte-identical output for the same task"
    );
    let marker = clock_marker(&first);
    let latest = task.events.last().unwrap().event_timestamp;
    assert_eq!(
        marker["now_ms"],
        (latest * 1000.0) as u64,
        "the clock reads the latest event's time"
    );
    assert_eq!(marker["elapsed_ns"], 0, "the monotonic clock stands still");

    let mut later = task.clone();
    later.events.last_mut().unwrap().event_timestamp += 60.0;
    let moved = clock_marker(&runtime.decide(&hostile, &later).await.unwrap());
    assert_ne!(
        moved["now_ms"], marker["now_ms"],
        "a later last event moves the clock"
    );
    assert_eq!(
        moved["random"], marker["random"],
        "randomness depends on the run id only"
    );

    let mut other_run = task.clone();
    other_run.workflow_execution.run_id = "another-run".into();
    let reseeded = clock_marker(&runtime.decide(&hostile, &other_run).await.unwrap());
    assert_ne!(
        reseeded["random"], marker["random"],
        "another run id seeds another sequence"
    );
}

#[tokio::test]
async fn activity_failures_are_truncated_to_swf_limits() {
    let runtime = runtime();
    let steerable = runtime
        .load_file(&plugin("hostile-activity"))
        .await
        .unwrap();
    let outcome = runtime
        .execute(
            &steerable,
            &activity_task("fail-long"),
            Duration::from_secs(5),
            Arc::new(NoHeartbeat),
        )
        .await
        .unwrap();
    match outcome {
        ActivityOutcome::Failed { reason, details } => {
            assert_eq!(reason.chars().count(), 256);
            assert_eq!(details.unwrap().chars().count(), 32_768);
        }
        other => panic!("unexpected {other:?}"),
    }
    let error = runtime
        .execute(
            &steerable,
            &activity_task("big-result"),
            Duration::from_secs(5),
            Arc::new(NoHeartbeat),
        )
        .await
        .expect_err("too-large result");
    assert!(error.to_string().contains("at most 32768"), "{error}");
}

#[tokio::test]
async fn activities_are_bounded_by_their_deadline_and_memory_cap() {
    let runtime = runtime();
    let steerable = runtime
        .load_file(&plugin("hostile-activity"))
        .await
        .unwrap();
    let error = runtime
        .execute(
            &steerable,
            &activity_task("loop"),
            Duration::from_millis(300),
            Arc::new(NoHeartbeat),
        )
        .await
        .expect_err("loop");
    assert!(
        matches!(error, GuestError::DeadlineExceeded(d) if d == Duration::from_millis(300)),
        "{error:?}"
    );
    let error = runtime
        .execute(
            &steerable,
            &activity_task("memory"),
            Duration::from_secs(10),
            Arc::new(NoHeartbeat),
        )
        .await
        .expect_err("memory");
    assert!(
        matches!(error, GuestError::MemoryLimitExceeded { .. }),
        "{error:?}"
    );
    let ok = runtime
        .execute(
            &steerable,
            &activity_task("hi"),
            Duration::from_secs(5),
            Arc::new(NoHeartbeat),
        )
        .await
        .unwrap();
    assert_eq!(ok, ActivityOutcome::Completed("echo: hi".into()));
}

struct CancelAfter {
    calls: AtomicUsize,
    after: usize,
}

#[async_trait::async_trait]
impl HeartbeatHandler for CancelAfter {
    async fn heartbeat(&self, details: Option<String>) -> HeartbeatStatus {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        assert_eq!(details.as_deref(), Some(format!("step {}", n - 1).as_str()));
        if n >= self.after {
            HeartbeatStatus::CancelRequested
        } else {
            HeartbeatStatus::Ok
        }
    }
}

#[tokio::test]
async fn heartbeats_reach_the_handler_and_cancellation_reaches_the_guest() {
    let runtime = runtime();
    let steerable = runtime
        .load_file(&plugin("hostile-activity"))
        .await
        .unwrap();
    let handler = Arc::new(CancelAfter {
        calls: AtomicUsize::new(0),
        after: 3,
    });
    let outcome = runtime
        .execute(
            &steerable,
            &activity_task("heartbeat"),
            Duration::from_secs(5),
            handler.clone(),
        )
        .await
        .unwrap();
    assert_eq!(
        outcome,
        ActivityOutcome::Canceled {
            details: Some("stopped at step 2".into())
        }
    );
    assert_eq!(handler.calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn the_cache_is_used_on_the_second_load_and_never_trusted_when_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let config = RuntimeConfig {
        cache_dir: Some(dir.path().to_path_buf()),
        ..RuntimeConfig::default()
    };
    let path = plugin("hello-decider");

    let first = PluginRuntime::new(config.clone())
        .unwrap()
        .load_file(&path)
        .await
        .unwrap();
    assert!(
        matches!(first.cache_outcome(), CacheOutcome::Compiled { reason: Some(r) } if r == "no cache entry")
    );
    let entry = PluginRuntime::new(config.clone())
        .unwrap()
        .cache()
        .unwrap()
        .entry_path(first.digest());
    assert!(entry.exists());

    let runtime = PluginRuntime::new(config.clone()).unwrap();
    let second = runtime.load_file(&path).await.unwrap();
    assert_eq!(second.cache_outcome(), &CacheOutcome::Hit(entry.clone()));
    assert_hello_still_works(&runtime, &second).await;

    // Truncated: the header check catches it.
    std::fs::write(&entry, b"SWFW").unwrap();
    let third = PluginRuntime::new(config.clone())
        .unwrap()
        .load_file(&path)
        .await
        .unwrap();
    assert!(
        matches!(third.cache_outcome(), CacheOutcome::Compiled { reason: Some(r) } if r.contains("bad header")),
        "{:?}",
        third.cache_outcome()
    );

    // Valid header, altered code: the checksum catches it.
    let mut bytes = std::fs::read(&entry).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&entry, &bytes).unwrap();
    let runtime = PluginRuntime::new(config.clone()).unwrap();
    let fourth = runtime.load_file(&path).await.unwrap();
    assert!(
        matches!(fourth.cache_outcome(), CacheOutcome::Compiled { reason: Some(r) } if r.contains("checksum mismatch"))
    );
    assert_hello_still_works(&runtime, &fourth).await;
}

#[tokio::test]
async fn a_stale_entry_that_wasmtime_rejects_is_recompiled() {
    let dir = tempfile::tempdir().unwrap();
    let config = RuntimeConfig {
        cache_dir: Some(dir.path().to_path_buf()),
        ..RuntimeConfig::default()
    };
    let path = plugin("hello-decider");
    let first = PluginRuntime::new(config.clone())
        .unwrap()
        .load_file(&path)
        .await
        .unwrap();
    let entry = PluginRuntime::new(config.clone())
        .unwrap()
        .cache()
        .unwrap()
        .entry_path(first.digest());

    // Keep the header format and a matching checksum, but store code this engine never made
    // (as a different wasmtime build would have): the checksum passes, wasmtime refuses it.
    let original = std::fs::read(&entry).unwrap();
    let payload = b"code compiled by some other engine".to_vec();
    let mut forged = original[..8].to_vec();
    forged.extend_from_slice(&<sha2::Sha256 as sha2::Digest>::digest(&payload));
    forged.extend_from_slice(&payload);
    std::fs::write(&entry, forged).unwrap();

    let runtime = PluginRuntime::new(config).unwrap();
    let reloaded = runtime.load_file(&path).await.unwrap();
    assert!(
        matches!(reloaded.cache_outcome(), CacheOutcome::Compiled { reason: Some(r) } if r.contains("stale cache entry")),
        "{:?}",
        reloaded.cache_outcome()
    );
    assert_eq!(
        std::fs::read(&entry).unwrap(),
        original,
        "the entry was rewritten"
    );
    assert_hello_still_works(&runtime, &reloaded).await;
}

#[tokio::test]
async fn on_demand_allocation_runs_plugins_too() {
    let runtime = PluginRuntime::new(RuntimeConfig {
        pooling: false,
        ..RuntimeConfig::default()
    })
    .unwrap();
    assert_eq!(runtime.allocation_strategy(), AllocationStrategy::OnDemand);
    let hello = runtime.load_file(&plugin("hello-decider")).await.unwrap();
    assert_hello_still_works(&runtime, &hello).await;
}

#[tokio::test]
async fn a_warm_decider_is_handed_only_new_events_and_decides_as_a_fresh_one() {
    let runtime = runtime();
    let hello = runtime.load_file(&plugin("hello-decider")).await.unwrap();
    assert!(hello.keeps_warm(), "the Rust SDK exports warm-decider");
    let first = task("hello_task_after_3.json");
    let second = task("hello_task_after_9.json");
    let (response, warm) = runtime.decide_and_keep(&hello, &first).await.unwrap();
    assert_hello_still_works(&runtime, &hello).await;
    let warm = warm.expect("kept warm");
    assert_eq!(warm.seen(), first.events.last().unwrap().event_id);
    assert!(matches!(
        response.decisions.as_slice(),
        [Decision::ScheduleActivityTask(_)]
    ));

    let (warm_response, warm) = runtime.decide_since(warm, &second).await.unwrap();
    let fresh = runtime.decide(&hello, &second).await.unwrap();
    assert_eq!(warm_response, fresh);
    assert!(matches!(
        warm_response.decisions.as_slice(),
        [Decision::CompleteWorkflowExecution(_)]
    ));
    assert_eq!(warm.seen(), second.events.last().unwrap().event_id);

    // A task that does not continue what the instance has seen is refused, not guessed at.
    let error = runtime.decide_since(warm, &first).await.unwrap_err();
    assert!(error.to_string().contains("does not continue"), "{error}");

    // Deciders of other languages (and the hostile fixture's own glue) keep nothing warm.
    let js = runtime
        .load_file(&crate::common::workspace().join("target/polyglot/js-hello-decider.wasm"))
        .await
        .unwrap();
    let (_, none) = runtime.decide_and_keep(&js, &first).await.unwrap();
    assert!(!js.keeps_warm() && none.is_none());
}
