//! Issue 16, `swfwasm test` and the Rust harness: scenarios run a decider with real or stubbed
//! activities on an in-process local SWF with time skipping, send signals at times of the
//! service's clock and judge the outcome.
//!
//! - plugins/reminder's three paths (paid after 30 h, never paid, canceled) pass, their timers
//!   firing at 1, 3 and 7 days on the service's clock;
//! - a booking whose activities are stubbed (two declines, then a payment) ends the same with
//!   the Rust, JavaScript and Python booking deciders;
//! - a failing scenario names each unmet expectation, prints the history and exits 1;
//! - the same scenario run from Rust gives the typed history.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;

use crate::common::{plugin, workspace};
use swf_model::EventAttributes;
use swfwasm::runtime::{PluginRuntime, RuntimeConfig};
use swfwasm::testing::{Scenario, run_scenario};

/// `swfwasm test ARGS` in the workspace, with a compile cache of its own.
fn swfwasm_test(cache: &Path, args: &[&str]) -> (Output, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_swfwasm"))
        .current_dir(workspace())
        .env("SWFWASM_CACHE_DIR", cache)
        .env("RUST_LOG", "warn")
        .arg("test")
        .args(args)
        .output()
        .expect("run swfwasm test");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output, stdout)
}

fn shared_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("scenarios-cache")
}

#[test]
fn the_reminder_scenarios_pass_with_their_timers_at_one_three_and_seven_days() {
    plugin("reminder");
    plugin("reminder-activities");
    let (output, stdout) = swfwasm_test(&shared_cache(), &["plugins/reminder/scenarios"]);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for name in ["canceled", "never-paid", "paid-after-30h"] {
        assert!(stdout.contains(&format!("PASS {name}: ")), "{stdout}");
    }
    assert!(
        stdout.contains("PASS never-paid: ") && stdout.contains("7.0 days on the service's clock"),
        "{stdout}"
    );
    assert!(stdout.ends_with("3 passed, 0 failed\n"), "{stdout}");
}

#[test]
fn a_stubbed_booking_ends_the_same_in_rust_javascript_and_python() {
    let polyglot = workspace().join("target/polyglot");
    let deciders = [
        plugin("booking-decider"),
        polyglot.join("js-booking-decider.wasm"),
        polyglot.join("python-booking-decider.wasm"),
    ];
    for decider in &deciders {
        assert!(
            decider.exists(),
            "{} is missing: run scripts/build-plugins all",
            decider.display()
        );
        let (output, stdout) = swfwasm_test(
            &shared_cache(),
            &[
                "tests/fixtures/scenarios/booking-declined-then-paid.toml",
                "--decider",
                decider.to_str().unwrap(),
            ],
        );
        assert!(
            output.status.success() && stdout.contains("PASS booking-declined-then-paid: "),
            "{}: {stdout}\n{}",
            decider.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn a_failing_scenario_names_the_unmet_expectations_prints_the_history_and_exits_1() {
    let (output, stdout) = swfwasm_test(
        &shared_cache(),
        &["tests/fixtures/scenarios/wrong-expectation.toml"],
    );
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.starts_with("FAIL wrong-expectation: "), "{stdout}");
    assert!(
        stdout.contains("\n  expected close failed, got completed \"booked\"\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "\n  expected reason \"payment declined for every itinerary tried\", got None\n"
        ),
        "{stdout}"
    );
    let history = stdout.split("\n  history:\n").nth(1).expect("the history");
    assert!(history.contains("WorkflowExecutionStarted"), "{stdout}");
    assert!(history.contains("ActivityTaskScheduled"), "{stdout}");
    assert!(history.contains("WorkflowExecutionCompleted"), "{stdout}");
    assert!(stdout.ends_with("0 passed, 1 failed\n"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_harness_runs_a_scenario_and_gives_the_typed_history() {
    let runtime = Arc::new(
        PluginRuntime::new(RuntimeConfig {
            cache_dir: Some(shared_cache()),
            ..RuntimeConfig::default()
        })
        .unwrap(),
    );
    let scenario =
        Scenario::load(&workspace().join("plugins/reminder/scenarios/never-paid.toml")).unwrap();
    let verdict = run_scenario(runtime, &scenario).await.unwrap();
    assert!(verdict.passed(), "{}", verdict.report());
    let start = verdict.history[0].event_timestamp;
    let fired: Vec<f64> = verdict
        .history
        .iter()
        .filter(|e| matches!(e.attributes, EventAttributes::TimerFired(_)))
        .map(|e| e.event_timestamp - start)
        .collect();
    assert_eq!(fired.len(), 3, "{}", verdict.report());
    for (at, day) in fired.iter().zip([1.0, 3.0, 7.0]) {
        assert!(
            (day * 86_400.0..day * 86_400.0 + 60.0).contains(at),
            "{fired:?}"
        );
    }
    assert!((7.0 * 86_400.0..8.0 * 86_400.0).contains(&verdict.virtual_secs));
}
