//! The offline CLI, run as a real process: `plugin inspect`, `decide`, `execute`, and its
//! error convention (non-zero exit, one `error:` line on stderr).

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{data, plugin, read_json};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn swfwasm(cache: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_swfwasm"))
        .env("SWFWASM_CACHE_DIR", cache)
        .env("RUST_LOG", "info")
        .args(args)
        .output()
        .expect("run swfwasm")
}

fn stdout_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "swfwasm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn last_stderr_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn decide_after_event_3_schedules_hello_world() {
    let cache = tempfile::tempdir().unwrap();
    let decider = plugin("hello-decider");
    let task = data("hello_task_after_3.json");
    let out = swfwasm(
        cache.path(),
        &[
            "decide",
            "--plugin",
            decider.to_str().unwrap(),
            "--task",
            task.to_str().unwrap(),
        ],
    );
    let body = stdout_json(&out);
    let decisions = body["decisions"].as_array().expect("decisions array");
    assert_eq!(decisions.len(), 1, "{body}");
    let d = &decisions[0];
    assert_eq!(d["decisionType"], "ScheduleActivityTask");
    let attrs = &d["scheduleActivityTaskDecisionAttributes"];
    assert_eq!(attrs["activityId"], "saying_hi");
    assert_eq!(attrs["activityType"]["name"], "HelloWorld");
    assert_eq!(attrs["activityType"]["version"], "1.0");
    assert_eq!(attrs["taskList"]["name"], "default");
}

#[test]
fn decide_after_event_9_completes_the_workflow() {
    let cache = tempfile::tempdir().unwrap();
    let decider = plugin("hello-decider");
    let task = data("hello_task_after_9.json");
    let out = swfwasm(
        cache.path(),
        &[
            "decide",
            "--plugin",
            decider.to_str().unwrap(),
            "--task",
            task.to_str().unwrap(),
        ],
    );
    let body = stdout_json(&out);
    let decisions = body["decisions"].as_array().expect("decisions array");
    assert_eq!(decisions.len(), 1, "{body}");
    assert_eq!(decisions[0]["decisionType"], "CompleteWorkflowExecution");
}

#[test]
fn execute_hello_activity_returns_greeting_and_logs_it() {
    let cache = tempfile::tempdir().unwrap();
    let activity = plugin("hello-activity");
    let dir = tempfile::tempdir().unwrap();
    let task = dir.path().join("task.json");
    std::fs::write(
        &task,
        r#"{"taskToken":"t","activityId":"saying_hi","startedEventId":6,
            "workflowExecution":{"workflowId":"hello-1","runId":"run-1"},
            "activityType":{"name":"HelloWorld","version":"1.0"}}"#,
    )
    .unwrap();
    let out = swfwasm(
        cache.path(),
        &[
            "execute",
            "--plugin",
            activity.to_str().unwrap(),
            "--task",
            task.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Hello, World!");
    let log = String::from_utf8_lossy(&out.stderr);
    let line = log
        .lines()
        .find(|l| l.contains("guest") && l.contains("Hello, World!"))
        .unwrap_or_else(|| panic!("the guest's log line is not in the host log:\n{log}"));
    assert!(line.contains("INFO"), "{line}");
    assert!(
        line.contains("saying_hi") && line.contains("hello-1"),
        "tagged with task ids: {line}"
    );
}

#[test]
fn inspect_reports_world_digest_and_types() {
    let cache = tempfile::tempdir().unwrap();
    let decider = plugin("hello-decider");
    let out = swfwasm(
        cache.path(),
        &["plugin", "inspect", "--json", decider.to_str().unwrap()],
    );
    let info = stdout_json(&out);
    let expected = format!(
        "sha256:{}",
        hex::encode(Sha256::digest(std::fs::read(&decider).unwrap()))
    );
    assert_eq!(info["digest"], expected);
    assert_eq!(info["world"], "decider");
    assert_eq!(info["types"][0]["name"], "HelloWorkflow");
    assert_eq!(info["types"][0]["version"], "1.0");
    assert_eq!(info["types"][0]["defaultTaskList"], "default");

    let activity = plugin("hello-activity");
    let info = stdout_json(&swfwasm(
        cache.path(),
        &["plugin", "inspect", "--json", activity.to_str().unwrap()],
    ));
    assert_eq!(info["world"], "activity");
    assert_eq!(info["types"][0]["name"], "HelloWorld");
}

#[test]
fn second_start_loads_from_the_cache_and_a_corrupt_entry_is_recompiled() {
    let cache = tempfile::tempdir().unwrap();
    let decider = plugin("hello-decider");
    let args = ["plugin", "inspect", "--json", decider.to_str().unwrap()];

    let first = stdout_json(&swfwasm(cache.path(), &args));
    assert_eq!(first["cached"], false);
    let entries: Vec<_> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "cwasm"))
        .collect();
    assert_eq!(entries.len(), 1, "one cache entry written: {entries:?}");
    let digest = first["digest"]
        .as_str()
        .unwrap()
        .trim_start_matches("sha256:");
    assert!(
        entries[0]
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with(digest)
    );

    let second = stdout_json(&swfwasm(cache.path(), &args));
    assert_eq!(
        second["cached"], true,
        "the second start uses the cache entry"
    );

    // Flip one byte of the compiled code: the checksum catches it.
    let mut bytes = std::fs::read(&entries[0]).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&entries[0], &bytes).unwrap();
    let out = swfwasm(cache.path(), &args);
    let third = stdout_json(&out);
    assert_eq!(third["cached"], false, "a corrupt entry is never trusted");
    assert!(String::from_utf8_lossy(&out.stderr).contains("checksum mismatch"));

    let fourth = stdout_json(&swfwasm(cache.path(), &args));
    assert_eq!(
        fourth["cached"], true,
        "the recompiled entry replaced the corrupt one"
    );
}

#[test]
fn failures_exit_non_zero_with_one_error_line() {
    let cache = tempfile::tempdir().unwrap();
    let decider = plugin("hello-decider");
    let activity = plugin("hello-activity");
    let task = data("hello_task_after_3.json");
    let dir = tempfile::tempdir().unwrap();
    let bad_json = dir.path().join("bad.json");
    std::fs::write(&bad_json, "{not json").unwrap();

    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "decide",
                "--plugin",
                "/nonexistent.wasm",
                "--task",
                task.to_str().unwrap(),
            ],
            "cannot read /nonexistent.wasm",
        ),
        (
            vec![
                "decide",
                "--plugin",
                decider.to_str().unwrap(),
                "--task",
                bad_json.to_str().unwrap(),
            ],
            "not a valid PollForDecisionTask response",
        ),
        (
            vec![
                "decide",
                "--plugin",
                activity.to_str().unwrap(),
                "--task",
                task.to_str().unwrap(),
            ],
            "is an activity, not a decider",
        ),
        (
            vec!["plugin", "inspect", task.to_str().unwrap()],
            "not a WebAssembly component",
        ),
    ];
    for (args, needle) in cases {
        let out = swfwasm(cache.path(), &args);
        assert!(!out.status.success(), "{args:?} should fail");
        let line = last_stderr_line(&out);
        assert!(line.starts_with("error: "), "{args:?}: {line}");
        assert!(
            line.contains(needle),
            "{args:?}: expected {needle:?} in {line:?}"
        );
    }
    // The expected output of the happy path is unchanged by all that.
    let expected = read_json(&task);
    assert_eq!(expected["startedEventId"], 3);
}

/// What a new user sees first (`scripts/hello`): HelloWorkflow on `swfwasm dev` completes and
/// prints no warning, not even while the domain is still being registered.
#[test]
fn hello_on_dev_prints_no_warning() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    for name in ["hello-decider", "hello-activity"] {
        std::fs::copy(plugin(name), plugins.join(format!("{name}.wasm"))).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_swfwasm"))
        .env("SWFWASM_CACHE_DIR", dir.path().join("cache"))
        .env("RUST_LOG", "warn")
        .args(["dev", "--plugins", plugins.to_str().unwrap(), "--data-dir"])
        .arg(dir.path().join("data"))
        .args(["--domain", "boto_tutorial", "--run", "HelloWorkflow"])
        .output()
        .expect("run swfwasm dev");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("registered domain boto_tutorial"),
        "{stderr}"
    );
    let noisy: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
        .collect();
    assert!(
        noisy.is_empty(),
        "warnings on a fresh run:\n{}",
        noisy.join("\n")
    );
}

/// `swfwasm local` runs no plugins and reads no configuration: its help offers neither.
#[test]
fn local_help_lists_only_what_local_uses() {
    let cache = tempfile::tempdir().unwrap();
    let help = swfwasm(cache.path(), &["local", "--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.status.success() && text.contains("--poll-hold-secs"),
        "{text}"
    );
    for plugin_option in [
        "--config",
        "--cache-dir",
        "--no-cache",
        "--memory-limit-mib",
        "--decide-timeout-ms",
    ] {
        assert!(!text.contains(plugin_option), "{plugin_option} in:\n{text}");
    }
    let dev = swfwasm(cache.path(), &["dev", "--help"]);
    let text = String::from_utf8_lossy(&dev.stdout);
    assert!(
        text.contains("--memory-limit-mib") && text.contains("--config"),
        "{text}"
    );
}
