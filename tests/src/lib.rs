//! Shared pieces of the end-to-end tests and benchmarks, and the checks of the house rules
//! on the source text (`architecture`).

#[cfg(test)]
mod architecture;

use swf_model::DecisionTask;

/// A decision task for HelloWorkflow whose history holds `events` events: the workflow
/// starts, receives many signals, runs its activity, and the final decision task is
/// started. The hello decider must complete the workflow on it.
pub fn synthetic_hello_task(events: usize) -> DecisionTask {
    assert!(events >= 10, "the story needs at least 10 events");
    let mut history = vec![
        serde_json::json!({"eventType": "WorkflowExecutionStarted",
            "workflowExecutionStartedEventAttributes": {"childPolicy": "TERMINATE",
            "executionStartToCloseTimeout": "3600", "parentInitiatedEventId": 0,
            "taskList": {"name": "default"}, "taskStartToCloseTimeout": "300",
            "workflowType": {"name": "HelloWorkflow", "version": "1.0"}}}),
        serde_json::json!({"eventType": "DecisionTaskScheduled",
            "decisionTaskScheduledEventAttributes": {"startToCloseTimeout": "300", "taskList": {"name": "default"}}}),
        serde_json::json!({"eventType": "DecisionTaskStarted", "decisionTaskStartedEventAttributes": {"scheduledEventId": 2}}),
        serde_json::json!({"eventType": "DecisionTaskCompleted", "decisionTaskCompletedEventAttributes": {"scheduledEventId": 2, "startedEventId": 3}}),
        serde_json::json!({"eventType": "ActivityTaskScheduled", "activityTaskScheduledEventAttributes": {
            "activityId": "saying_hi", "activityType": {"name": "HelloWorld", "version": "1.0"},
            "decisionTaskCompletedEventId": 4, "heartbeatTimeout": "600", "scheduleToCloseTimeout": "3900",
            "scheduleToStartTimeout": "300", "startToCloseTimeout": "3600", "taskList": {"name": "default"}}}),
    ];
    while history.len() < events - 4 {
        let n = history.len();
        history.push(serde_json::json!({"eventType": "WorkflowExecutionSignaled",
            "workflowExecutionSignaledEventAttributes": {"signalName": format!("progress-{n}"), "input": "{\"percent\": 50}"}}));
    }
    history.push(serde_json::json!({"eventType": "ActivityTaskStarted", "activityTaskStartedEventAttributes": {"scheduledEventId": 5}}));
    history.push(serde_json::json!({"eventType": "ActivityTaskCompleted", "activityTaskCompletedEventAttributes": {"scheduledEventId": 5, "startedEventId": events as i64 - 3, "result": "Hello, World!"}}));
    history.push(serde_json::json!({"eventType": "DecisionTaskScheduled",
        "decisionTaskScheduledEventAttributes": {"startToCloseTimeout": "300", "taskList": {"name": "default"}}}));
    history.push(serde_json::json!({"eventType": "DecisionTaskStarted", "decisionTaskStartedEventAttributes": {"scheduledEventId": events as i64 - 1}}));
    for (i, event) in history.iter_mut().enumerate() {
        event["eventId"] = (i as i64 + 1).into();
        event["eventTimestamp"] = (1_381_095_173.0 + i as f64 * 0.5).into();
    }
    serde_json::from_value(serde_json::json!({
        "taskToken": "bench", "startedEventId": events, "previousStartedEventId": 3,
        "workflowExecution": {"workflowId": "bench-1", "runId": "run-1"},
        "workflowType": {"name": "HelloWorkflow", "version": "1.0"},
        "events": history,
    }))
    .expect("the synthetic history is valid SWF JSON")
}

/// Prints the medians of a criterion group's `native` and `wasm` benchmarks (read from the
/// estimates criterion just wrote under `target/criterion/<group>`) and their ratio.
pub fn print_wasm_native_ratio(group: &str, what: &str) {
    if let (Some(native), Some(wasm)) = (median(group, "native"), median(group, "wasm")) {
        println!(
            "{what}: native {:.1} µs, wasm {:.1} µs, ratio wasm/native = {:.2}x",
            native / 1e3,
            wasm / 1e3,
            wasm / native
        );
    }
}

/// Prints the median of each of `others` in criterion group `group` as a ratio to the median of
/// `baseline`, all measured in this process.
pub fn print_ratios_to(group: &str, baseline: &str, others: &[&str], what: &str) {
    let Some(base) = median(group, baseline) else {
        return;
    };
    for other in others {
        if let Some(value) = median(group, other) {
            println!(
                "{what}: {other} {:.1} µs / {baseline} {:.1} µs = {:.2}x",
                value / 1e3,
                base / 1e3,
                value / base
            );
        }
    }
}

/// The median criterion recorded for `name` in `group`, in nanoseconds.
fn median(group: &str, name: &str) -> Option<f64> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/criterion")
        .join(group)
        .join(name)
        .join("new/estimates.json");
    let estimates: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}
