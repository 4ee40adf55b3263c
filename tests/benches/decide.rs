//! `decide` over a synthetic 1,000-event history: the hello decider as a wasm component run
//! through the plugin runtime (fresh instance per call, JSON across the boundary, output
//! validated) against the same decider logic called natively (parse the task JSON, decide,
//! serialise). Also the sticky path (`wasm-warm`): an instance kept warm from the run's previous
//! task is handed only the last three events (`decide-since`). Prints the ratios of the medians
//! measured in this process.

use std::path::Path;
use std::time::Duration;

use std::hint::black_box;

use criterion::Criterion;
use swfwasm::runtime::{PluginRuntime, RuntimeConfig};
use swfwasm_guest::{Decider, DecisionTask};

#[path = "shared/warm.rs"]
mod warm;

const EVENTS: usize = 1_000;

fn main() {
    let task = swfwasm_tests::synthetic_hello_task(EVENTS);
    let json = serde_json::to_string(&task).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let runtime = PluginRuntime::new(RuntimeConfig::default()).unwrap();
    let wasm = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/plugins/hello-decider.wasm");
    let plugin = rt
        .block_on(runtime.load_file(&wasm))
        .unwrap_or_else(|e| panic!("{e}: run scripts/build-plugins first"));

    let mut c = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(5));
    let mut group = c.benchmark_group("decide-1000-events");
    group.bench_function("native", |b| {
        b.iter(|| {
            let task = DecisionTask::from_json(black_box(&json)).unwrap();
            let decisions = hello_decider::HelloDecider::decide(&task).unwrap();
            serde_json::to_string(&decisions.into_response()).unwrap()
        })
    });
    group.bench_function("wasm", |b| {
        b.iter(|| {
            rt.block_on(runtime.decide(&plugin, black_box(&task)))
                .unwrap()
        })
    });
    let mut before = task.clone();
    before.events.truncate(EVENTS - 3);
    warm::bench_warm(&mut group, &rt, &runtime, &plugin, &before, &task);
    group.finish();
    c.final_summary();

    swfwasm_tests::print_wasm_native_ratio(
        "decide-1000-events",
        &format!("decide over {EVENTS} events"),
    );
    swfwasm_tests::print_ratios_to(
        "decide-1000-events",
        "native",
        &["wasm-warm"],
        &format!("decide over {EVENTS} events, warm instance handed the last 3 / native on all"),
    );
}
