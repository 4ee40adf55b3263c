//! `decide` of the booking decider (plugins/booking-decider, written with the flow API) over a
//! history of about 1,000 events: a trip whose payments were declined for two itineraries
//! (3 attempts each, with backoff timers) and whose third payment is being retried, padded
//! with signals the workflow ignores. The wasm component run through the plugin runtime
//! against the same code called natively (parse, replay, decide, serialise), and the same
//! workflow written with the JavaScript and Python flow APIs (plugins/js-booking,
//! plugins/python-booking, when `scripts/build-plugins js python` built them); prints the ratios
//! of the medians measured in this process. `wasm-warm` is the sticky path: an instance kept
//! warm from the run's previous task, handed only the last three events (`decide-since`).

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::Criterion;
use serde_json::json;
use swfwasm::runtime::{PluginRuntime, RuntimeConfig};
use swfwasm_guest::DecisionTask;
use swfwasm_guest::flow::Workflow;
use swfwasm_guest::testing::History;

#[path = "shared/warm.rs"]
mod warm;

const EVENTS: usize = 1_000;

/// The history described in the module docs.
fn booking_history() -> DecisionTask {
    let itineraries = ["LHR-JFK", "LHR-BOS", "LHR-ORD"];
    let mut h = History::started(
        &json!({"traveller": "Ada", "itineraries": itineraries,
                "declines": {"LHR-JFK": 3, "LHR-BOS": 3, "LHR-ORD": 3}})
        .to_string(),
    );
    let s = h.scheduled("SelectItinerary-1", "SelectItinerary", "1.0");
    h.finished(s, "ActivityTaskCompleted", json!({"result": "\"LHR-JFK\""}));
    let s = h.scheduled("SubmitDetails-1", "SubmitDetails", "1.0");
    h.finished(s, "ActivityTaskCompleted", json!({"result": "\"ok\""}));
    for (n, next) in [(1, "LHR-BOS"), (2, "LHR-ORD")] {
        for attempt in 1..=3 {
            let id = format!("ValidatePayment-{n}.{attempt}");
            let s = h.scheduled(&id, "ValidatePayment", "1.0");
            h.finished(
                s,
                "ActivityTaskFailed",
                json!({"reason": "payment declined"}),
            );
            if attempt < 3 {
                h.timer_fired(&format!("{id}.retry"));
            }
        }
        let s = h.scheduled(
            &format!("SelectItinerary-{}", n + 1),
            "SelectItinerary",
            "1.0",
        );
        h.finished(
            s,
            "ActivityTaskCompleted",
            json!({"result": format!("\"{next}\"")}),
        );
    }
    let s = h.scheduled("ValidatePayment-3.1", "ValidatePayment", "1.0");
    h.finished(
        s,
        "ActivityTaskFailed",
        json!({"reason": "payment declined"}),
    );
    h.timer_fired("ValidatePayment-3.1.retry");
    while h.len() < EVENTS {
        h.push("WorkflowExecutionSignaled", json!({"signalName": "status"}));
    }
    // The JavaScript and Python deciders route by type.
    let mut task = h.task().raw().clone();
    task.workflow_type.name = "BookTrip".into();
    task.workflow_type.version = "1.0".into();
    DecisionTask::new(task)
}

fn main() {
    let task = booking_history();
    let json = serde_json::to_string(task.raw()).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let runtime = PluginRuntime::new(RuntimeConfig::default()).unwrap();
    let wasm = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/plugins/booking-decider.wasm");
    let plugin = rt
        .block_on(runtime.load_file(&wasm))
        .unwrap_or_else(|e| panic!("{e}: run scripts/build-plugins first"));
    let native = || {
        let task = DecisionTask::from_json(black_box(&json)).unwrap();
        let decisions = Workflow::decide(&task, booking_decider::book_trip).expect("deterministic");
        serde_json::to_string(&decisions.into_response()).unwrap()
    };
    assert!(
        native().contains("ValidatePayment-3.2"),
        "the bench decides the next attempt"
    );

    let mut c = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(5));
    let mut group = c.benchmark_group("booking-decide");
    group.bench_function("native", |b| b.iter(native));
    group.bench_function("wasm", |b| {
        b.iter(|| {
            rt.block_on(runtime.decide(&plugin, black_box(task.raw())))
                .unwrap()
        })
    });
    let mut before = task.raw().clone();
    before.events.truncate(before.events.len() - 3);
    let (warm_response, _) = rt
        .block_on(async {
            let warm = runtime.decide_and_keep(&plugin, &before).await?.1;
            runtime.decide_since(warm.expect("warm"), task.raw()).await
        })
        .unwrap();
    assert_eq!(
        serde_json::to_string(&warm_response).unwrap(),
        native(),
        "a warm instance decides as a fresh one"
    );
    warm::bench_warm(&mut group, &rt, &runtime, &plugin, &before, task.raw());
    let polyglot = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/polyglot");
    for language in ["js", "python"] {
        let wasm = polyglot.join(format!("{language}-booking-decider.wasm"));
        if !wasm.exists() {
            eprintln!(
                "{} is missing: run scripts/build-plugins {language}",
                wasm.display()
            );
            continue;
        }
        let plugin = rt.block_on(runtime.load_file(&wasm)).unwrap();
        let response = rt.block_on(runtime.decide(&plugin, task.raw())).unwrap();
        assert_eq!(
            serde_json::to_string(&response).unwrap(),
            native(),
            "{language} decides as Rust"
        );
        group.bench_function(format!("wasm-{language}"), |b| {
            b.iter(|| {
                rt.block_on(runtime.decide(&plugin, black_box(task.raw())))
                    .unwrap()
            })
        });
    }
    group.finish();
    c.final_summary();

    swfwasm_tests::print_wasm_native_ratio(
        "booking-decide",
        &format!("booking decide over {} events", task.events().len()),
    );
    swfwasm_tests::print_ratios_to(
        "booking-decide",
        "native",
        &["wasm-warm"],
        "booking decide, warm instance handed the last 3 / native on all",
    );
    swfwasm_tests::print_ratios_to(
        "booking-decide",
        "wasm",
        &["wasm-js", "wasm-python"],
        "booking decide, each language / Rust (wasm)",
    );
}
