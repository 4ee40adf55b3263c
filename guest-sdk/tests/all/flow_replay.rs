//! A measurement, not a test of behaviour: how long a warm instance takes to replay the
//! answered steps of a long flow workflow (the Loop run of `scripts/bench-worker --long`).
//! Ignored by default; it checks the decisions it times, never the times.

use serde_json::json;
use swfwasm_guest::flow::{ActivityFailure, Ending, Step, Workflow};
use swfwasm_guest::swf_model::Decision;
use swfwasm_guest::testing::History;

/// `Loop 1.0` (`tests/fixtures/loop-decider`): HelloWorld once per round, one after another.
fn looped(wf: &mut Workflow) -> Step<Ending> {
    let rounds: u32 = wf.input().unwrap_or(1);
    for round in 0..rounds {
        let greeting = wf
            .activity("HelloWorld", "1.0")
            .task_list("default")
            .input(&round)
            .run::<String>()?;
        match greeting {
            // HelloWorld answers plain text ("Hello, 7!"), which is not the JSON `run` reads.
            Ok(_) | Err(ActivityFailure::BadResult(_)) => {}
            Err(failure) => return Ok(Ending::fail("round failed", failure.to_string())),
        }
    }
    Ok(Ending::complete(rounds.to_string()))
}

/// A Loop run of `rounds` rounds with the first `done` done, round `n` answering `result(n)`:
/// six events a round.
fn loop_history(rounds: u32, done: u32, result: fn(u32) -> String) -> History {
    let mut h = History::started(&rounds.to_string());
    for round in 1..=done {
        let scheduled = h.scheduled(&format!("HelloWorld-{round}"), "HelloWorld", "1.0");
        h.finished(
            scheduled,
            "ActivityTaskCompleted",
            json!({"result": result(round)}),
        );
    }
    h
}

/// Times deciding the next task of a Loop run of 1,650 answered rounds (~10,000 events) on a
/// warm instance, whose kept index only takes the round's six new events: what is left is the
/// replay of the answered steps. For comparison, the same task decided cold (index built from
/// all the events). Once with HelloWorld's plain-text results (each round's `run` makes a
/// `BadResult` error), once with JSON results. Prints the figures; it checks the decisions,
/// never the times. Run it with `cargo test --profile profiling -p swfwasm-guest --test all
/// loop_replay -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement: run it optimized with --ignored --nocapture"]
fn loop_replay_timing() {
    use std::time::{Duration, Instant};

    const ROUNDS: u32 = 1_650;
    const SAMPLES: usize = 201;
    let text: fn(u32) -> String = |round| format!("Hello, {round}!");
    let json: fn(u32) -> String = |round| format!("\"Hello, {round}!\"");
    for (results, result) in [("text", text), ("JSON", json)] {
        let before = loop_history(ROUNDS + 1, ROUNDS - 1, result).task();
        let after = loop_history(ROUNDS + 1, ROUNDS, result).task();
        let mut next = after.raw().clone();
        next.events.drain(..before.events().len());
        let expected = format!("HelloWorld-{}", ROUNDS + 1);
        let check = |decisions: &[Decision]| {
            assert!(
                matches!(decisions, [Decision::ScheduleActivityTask(a)] if a.activity_id == expected),
                "{decisions:?}"
            );
        };

        let mut warm = Vec::with_capacity(SAMPLES);
        let mut cold = Vec::with_capacity(SAMPLES);
        for _ in 0..SAMPLES {
            let mut task = before.clone();
            Workflow::decide(&task, looped).expect("deterministic");
            task.continue_with(next.clone()).expect("continues");
            let start = Instant::now();
            let decisions = Workflow::decide(&task, looped).expect("deterministic");
            warm.push(start.elapsed());
            check(decisions.as_slice());

            let start = Instant::now();
            let decisions = Workflow::decide(&after, looped).expect("deterministic");
            cold.push(start.elapsed());
            check(decisions.as_slice());
        }
        let summary = |times: &mut Vec<Duration>| {
            times.sort();
            let (min, median) = (times[0], times[times.len() / 2]);
            let step = median / (ROUNDS + 1);
            format!("median {median:?} (min {min:?}), {step:?} a step")
        };
        println!(
            "Loop, {ROUNDS} rounds answered ({} events), {results} results, {SAMPLES} samples:\n  \
             warm (kept index):  {}\n  cold (index built): {}",
            after.events().len(),
            summary(&mut warm),
            summary(&mut cold),
        );
    }
}
