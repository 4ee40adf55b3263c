//! The sticky path of a decide bench: `decide-since` on an instance kept warm from the run's
//! previous task (`before`), handed only the rest of `task`'s events. Shared by the decide
//! benches through `#[path]`.

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkGroup, measurement::WallTime};
use swf_model::DecisionTask;
use swfwasm::runtime::{Plugin, PluginRuntime};
use tokio::runtime::Runtime;

/// Benchmarks `wasm-warm` in `group`: each iteration's warm instance is made (untimed) by
/// deciding `before`, then handed `task`.
pub fn bench_warm(
    group: &mut BenchmarkGroup<'_, WallTime>,
    rt: &Runtime,
    runtime: &PluginRuntime,
    plugin: &Plugin,
    before: &DecisionTask,
    task: &DecisionTask,
) {
    group.bench_function("wasm-warm", |b| {
        b.iter_batched(
            || {
                let kept = rt.block_on(runtime.decide_and_keep(plugin, before));
                kept.unwrap().1.expect("the Rust SDK keeps warm")
            },
            |warm| {
                rt.block_on(runtime.decide_since(warm, black_box(task)))
                    .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
}
