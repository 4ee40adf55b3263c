//! What capabilities cost per activity task, measured side by side in this process (fresh
//! instance per task, as the worker runs them; median of many calls):
//! - `plain`: hello-activity, which links neither WASI HTTP nor config (no grants);
//! - `linked`: http-probe, which links WASI HTTP and config, run without grants;
//! - `granted`: http-probe with a grant (two outbound hosts, five config values) reading one
//!   config value per task, so the outbound hooks and the task's config are built every time.
//!
//! Prints per-task times and the ratios linked/plain and granted/plain.
//! Needs `scripts/build-plugins`. Run: `cargo bench -p swfwasm-tests --bench capabilities`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use swf_model::ActivityTask;
use swfwasm::grant::{CapabilitiesConfig, Grants, ValueStore};
use swfwasm::runtime::{NoHeartbeat, Plugin, PluginRuntime, RuntimeConfig};

/// Calls per case; the median is reported.
const CALLS: usize = 400;

fn artifact(name: &str) -> PathBuf {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    [target.join("plugins"), target.join("fixtures")]
        .into_iter()
        .map(|dir| dir.join(format!("{name}.wasm")))
        .find(|path| path.exists())
        .unwrap_or_else(|| panic!("{name}.wasm is missing: run scripts/build-plugins"))
}

fn task(name: &str, input: &str) -> ActivityTask {
    serde_json::from_value(serde_json::json!({
        "taskToken": "bench", "activityId": "a-1", "startedEventId": 6,
        "workflowExecution": {"workflowId": "bench-1", "runId": "run-1"},
        "activityType": {"name": name, "version": "1.0"}, "input": input,
    }))
    .unwrap()
}

fn median_per_task(
    rt: &tokio::runtime::Runtime,
    runtime: &PluginRuntime,
    plugin: &Plugin,
    task: &ActivityTask,
) -> f64 {
    let mut samples: Vec<f64> = (0..CALLS)
        .map(|_| {
            let start = Instant::now();
            rt.block_on(runtime.execute(
                plugin,
                task,
                Duration::from_secs(30),
                Arc::new(NoHeartbeat),
            ))
            .unwrap();
            start.elapsed().as_secs_f64()
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let runtime = |grants: Grants| {
        PluginRuntime::new(RuntimeConfig {
            cache_dir: Some(cache.path().to_path_buf()),
            ..RuntimeConfig::default()
        })
        .unwrap()
        .with_grants(grants)
    };
    let granted_config: CapabilitiesConfig = toml::from_str(
        "[[grant]]\nplugin = \"http-probe\"\n\
         allowed_outbound_hosts = [\"https://api.example.com\", \"http://127.0.0.1:8099\"]\n\
         config = { GREETING = \"hello\", API_KEY = \"k-123456\", DB_PASSWORD = \"p-123456\", \
         SSM_VALUE = \"s-123456\", FILE_VALUE = \"f-123456\" }\n",
    )
    .unwrap();
    let grants = Grants::new(
        &granted_config.grants,
        granted_config.outbound_http.clone(),
        ValueStore::new(granted_config.config_sources.clone(), None),
    )
    .unwrap();

    let bare = runtime(Grants::default());
    let with_grants = runtime(grants);
    let hello = rt
        .block_on(bare.load_file(&artifact("hello-activity")))
        .unwrap();
    let probe = rt
        .block_on(bare.load_file(&artifact("http-probe")))
        .unwrap();
    let probe_granted = rt
        .block_on(with_grants.load_file(&artifact("http-probe")))
        .unwrap();
    let config_input = r#"{"config": ["GREETING"]}"#;

    let plain = median_per_task(&rt, &bare, &hello, &task("HelloWorld", "Ada"));
    let linked = median_per_task(&rt, &bare, &probe, &task("HttpProbe", r#"{"config": []}"#));
    let granted = median_per_task(
        &rt,
        &with_grants,
        &probe_granted,
        &task("HttpProbe", config_input),
    );
    println!("per activity task (median of {CALLS}, fresh instance each):");
    println!(
        "  plain   (no HTTP, no config linked)        {:>8.1} µs",
        plain * 1e6
    );
    println!(
        "  linked  (HTTP + config linked, no grants)  {:>8.1} µs   {:.2}x plain",
        linked * 1e6,
        linked / plain
    );
    println!(
        "  granted (grant: 2 hosts, 5 config values) {:>8.1} µs   {:.2}x plain, {:.2}x linked",
        granted * 1e6,
        granted / plain,
        granted / linked
    );
}
