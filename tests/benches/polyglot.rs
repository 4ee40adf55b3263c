//! The same HelloWorkflow plugins in Rust, JavaScript (QuickJS), Python (componentize-py) and C,
//! measured side by side in this process: artifact size, first compile (no cache), load from
//! the compile cache, and per-task time of `decide` (the seed's first decision task) and
//! `execute` (one HelloWorld task), each with a fresh instance as the worker runs them.
//! Prints a table of ratios to the Rust guest.
//!
//! Needs `scripts/build-plugins all`. Run: `cargo bench -p swfwasm-tests --bench polyglot`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use swf_model::{ActivityTask, DecisionTask};
use swfwasm::runtime::{NoHeartbeat, Plugin, PluginRuntime, RuntimeConfig};

const LANGUAGES: [&str; 4] = ["rust", "js", "python", "c"];
/// Calls per language and world; the median is reported.
const CALLS: usize = 200;

fn artifact(language: &str, world: &str) -> PathBuf {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    let path = if language == "rust" {
        target.join(format!("plugins/hello-{world}.wasm"))
    } else {
        target.join(format!("polyglot/{language}-hello-{world}.wasm"))
    };
    assert!(
        path.exists(),
        "{} is missing: run scripts/build-plugins all",
        path.display()
    );
    path
}

/// One language's figures; times in seconds.
struct Figures {
    size: u64,
    compile: f64,
    cached_load: f64,
    decide: f64,
    execute: f64,
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed().as_secs_f64())
}

fn measure(rt: &tokio::runtime::Runtime, language: &str, cache: &Path) -> Figures {
    let uncached = PluginRuntime::new(RuntimeConfig::default()).unwrap();
    let cached = PluginRuntime::new(RuntimeConfig {
        cache_dir: Some(cache.to_path_buf()),
        ..RuntimeConfig::default()
    })
    .unwrap();
    let load = |runtime: &PluginRuntime, world: &str| -> (Plugin, f64) {
        let path = artifact(language, world);
        timed(|| rt.block_on(runtime.load_file(&path)).unwrap())
    };

    let mut size = 0;
    let mut compile = 0.0;
    let mut cached_load = 0.0;
    for world in ["decider", "activity"] {
        size += std::fs::metadata(artifact(language, world)).unwrap().len();
        compile += load(&uncached, world).1;
        // The first cached load stores the entry; the second reads it back.
        load(&cached, world);
        cached_load += load(&cached, world).1;
    }

    let (decider, _) = load(&cached, "decider");
    let (activity, _) = load(&cached, "activity");
    let decision_task: DecisionTask = serde_json::from_str(include_str!(
        "../../swf-model/tests/data/hello_task_after_3.json"
    ))
    .unwrap();
    let activity_task: ActivityTask = serde_json::from_value(serde_json::json!({
        "taskToken": "bench", "activityId": "saying_hi", "startedEventId": 6,
        "workflowExecution": {"workflowId": "bench-1", "runId": "run-1"},
        "activityType": {"name": "HelloWorld", "version": "1.0"}, "input": "Ada",
    }))
    .unwrap();
    let decide = median(
        (0..CALLS)
            .map(|_| {
                timed(|| {
                    rt.block_on(cached.decide(&decider, &decision_task))
                        .unwrap()
                })
                .1
            })
            .collect(),
    );
    let execute = median(
        (0..CALLS)
            .map(|_| {
                timed(|| {
                    rt.block_on(cached.execute(
                        &activity,
                        &activity_task,
                        Duration::from_secs(30),
                        Arc::new(NoHeartbeat),
                    ))
                    .unwrap()
                })
                .1
            })
            .collect(),
    );
    Figures {
        size,
        compile,
        cached_load,
        decide,
        execute,
    }
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    // A fresh cache, so "first compile" and "load from cache" are both measured in this run.
    let cache = tempfile::tempdir().unwrap();
    let figures: Vec<(&str, Figures)> = LANGUAGES
        .iter()
        .map(|language| (*language, measure(&rt, language, cache.path())))
        .collect();

    let rust = &figures[0].1;
    println!(
        "{:<8} {:>18} {:>20} {:>20} {:>18} {:>18}",
        "guest", "size (2 plugins)", "first compile", "load from cache", "decide", "execute"
    );
    for (language, f) in &figures {
        println!(
            "{:<8} {:>9.0} KB {:>6} {:>10.1} ms {:>7} {:>10.2} ms {:>7} {:>8.0} µs {:>7} {:>8.0} µs {:>7}",
            language,
            f.size as f64 / 1024.0,
            ratio(f.size as f64, rust.size as f64),
            f.compile * 1e3,
            ratio(f.compile, rust.compile),
            f.cached_load * 1e3,
            ratio(f.cached_load, rust.cached_load),
            f.decide * 1e6,
            ratio(f.decide, rust.decide),
            f.execute * 1e6,
            ratio(f.execute, rust.execute),
        );
    }
}

/// `value / rust` as "2.4x", with two significant digits below 10.
fn ratio(value: f64, rust: f64) -> String {
    let r = value / rust;
    if r < 10.0 {
        format!("{r:.2}x")
    } else {
        format!("{r:.0}x")
    }
}
