//! The high-level decider API on synthetic histories: what it asks for on each task, what it
//! replays from the history, retries with backoff timers, batching and determinism.

use serde_json::json;
use swfwasm_guest::flow::{
    ActivityFailure, ChildFailure, Ending, NonDeterminism, RetryPolicy, Step, Workflow, all,
};
use swfwasm_guest::swf_model::Decision;
use swfwasm_guest::testing::History;

fn greet(wf: &mut Workflow) -> Step<Ending> {
    let name: String = wf.input().unwrap_or_default();
    match wf.activity("Greet", "1").input(&name).run::<String>()? {
        Ok(greeting) => Ok(Ending::complete(greeting)),
        Err(error) => Ok(Ending::fail("greeting failed", error.to_string())),
    }
}

fn decide(history: &History, body: impl FnOnce(&mut Workflow) -> Step<Ending>) -> Vec<Decision> {
    let task = history.task();
    Workflow::decide(&task, body)
        .expect("deterministic")
        .as_slice()
        .to_vec()
}

#[test]
fn an_activity_is_scheduled_once_then_its_result_closes_the_workflow() {
    let mut h = History::started("\"World\"");
    let first = decide(&h, greet);
    assert!(
        matches!(first.as_slice(), [Decision::ScheduleActivityTask(a)]
        if a.activity_id == "Greet-1" && a.input.as_deref() == Some("\"World\""))
    );

    let scheduled = h.scheduled("Greet-1", "Greet", "1");
    h.decision_task();
    assert!(
        decide(&h, greet).is_empty(),
        "nothing new while the activity runs"
    );

    h.finished(
        scheduled,
        "ActivityTaskCompleted",
        json!({"result": "\"Hello, World!\""}),
    );
    assert!(
        matches!(decide(&h, greet).as_slice(), [Decision::CompleteWorkflowExecution(c)]
        if c.result.as_deref() == Some("Hello, World!"))
    );
}

fn pay(wf: &mut Workflow) -> Step<Ending> {
    match wf
        .activity("Pay", "1")
        .retry(RetryPolicy::attempts(3))
        .run::<String>()?
    {
        Ok(receipt) => Ok(Ending::complete(receipt)),
        Err(error) => Ok(Ending::fail("payment failed", error.to_string())),
    }
}

#[test]
fn failures_are_retried_after_backoff_timers_then_given_up() {
    let mut h = History::started("null");
    assert!(
        matches!(decide(&h, pay).as_slice(), [Decision::ScheduleActivityTask(a)] if a.activity_id == "Pay-1.1")
    );
    for attempt in 1..=2 {
        let scheduled = h.scheduled(&format!("Pay-1.{attempt}"), "Pay", "1");
        h.finished(
            scheduled,
            "ActivityTaskFailed",
            json!({"reason": "declined"}),
        );
        let timer = format!("Pay-1.{attempt}.retry");
        let decisions = decide(&h, pay);
        assert!(
            matches!(decisions.as_slice(), [Decision::StartTimer(t)] if t.timer_id == timer),
            "attempt {attempt} failed: back off first, got {decisions:?}"
        );
        let Decision::StartTimer(t) = &decisions[0] else {
            unreachable!()
        };
        let wait: u64 = t.start_to_fire_timeout.parse().unwrap();
        let nominal = 1u64 << (attempt - 1);
        assert!(
            wait * 2 >= nominal && wait <= nominal,
            "jittered wait {wait} for {nominal}"
        );
        assert_eq!(
            decide(&h, pay),
            decisions,
            "the same history gives the same decisions"
        );
        h.timer_fired(&timer);
        assert!(
            matches!(decide(&h, pay).as_slice(), [Decision::ScheduleActivityTask(a)]
            if a.activity_id == format!("Pay-1.{}", attempt + 1))
        );
    }
    let scheduled = h.scheduled("Pay-1.3", "Pay", "1");
    h.finished(
        scheduled,
        "ActivityTaskTimedOut",
        json!({"timeoutType": "START_TO_CLOSE"}),
    );
    assert!(
        matches!(decide(&h, pay).as_slice(), [Decision::FailWorkflowExecution(f)]
        if f.details.as_deref() == Some("timed out (START_TO_CLOSE)"))
    );
}

#[test]
fn a_schedule_failure_is_an_error_the_code_sees_not_a_retry_loop() {
    let mut h = History::started("null");
    let completed = h.completed();
    h.push(
        "ScheduleActivityTaskFailed",
        json!({"activityId": "Pay-1.1",
        "activityType": {"name": "Pay", "version": "1"}, "cause": "ACTIVITY_TYPE_DOES_NOT_EXIST",
        "decisionTaskCompletedEventId": completed}),
    );
    h.decision_task();
    let decisions = decide(&h, pay);
    assert!(
        matches!(decisions.as_slice(), [Decision::FailWorkflowExecution(f)]
        if f.details.as_deref() == Some("could not be scheduled: ACTIVITY_TYPE_DOES_NOT_EXIST")),
        "{decisions:?}"
    );
}

#[test]
fn parallel_branches_are_requested_together_and_joined() {
    fn fan_out(wf: &mut Workflow) -> Step<Ending> {
        let steps = (0..3)
            .map(|_| wf.activity("Part", "1").run::<u32>())
            .collect();
        let parts: Vec<u32> = all(steps)?.into_iter().map(|r| r.unwrap_or(0)).collect();
        Ok(Ending::complete(parts.iter().sum::<u32>().to_string()))
    }
    let mut h = History::started("null");
    let ids: Vec<String> = decide(&h, fan_out)
        .iter()
        .map(|d| match d {
            Decision::ScheduleActivityTask(a) => a.activity_id.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, ["Part-1", "Part-2", "Part-3"]);
    let completed = h.completed();
    let mut scheduled = Vec::new();
    for id in &ids {
        scheduled.push(h.push(
            "ActivityTaskScheduled",
            json!({"activityId": id,
            "activityType": {"name": "Part", "version": "1"}, "taskList": {"name": "a"},
            "decisionTaskCompletedEventId": completed}),
        ));
    }
    for (n, s) in scheduled.iter().enumerate().take(2) {
        h.finished(
            *s,
            "ActivityTaskCompleted",
            json!({"result": (n + 1).to_string()}),
        );
    }
    assert!(decide(&h, fan_out).is_empty(), "one branch still runs");
    h.finished(
        scheduled[2],
        "ActivityTaskCompleted",
        json!({"result": "3"}),
    );
    assert!(
        matches!(decide(&h, fan_out).as_slice(), [Decision::CompleteWorkflowExecution(c)]
        if c.result.as_deref() == Some("6"))
    );
}

#[test]
fn more_than_100_requests_are_batched_behind_a_zero_second_timer() {
    fn many(wf: &mut Workflow) -> Step<Ending> {
        let steps = (0..150)
            .map(|_| wf.activity("Item", "1").run::<()>())
            .collect();
        all(steps)?;
        Ok(Ending::Complete(None))
    }
    let h = History::started("null");
    let decisions = decide(&h, many);
    assert_eq!(decisions.len(), 100);
    assert!(
        decisions[..99]
            .iter()
            .all(|d| matches!(d, Decision::ScheduleActivityTask(_)))
    );
    assert!(matches!(&decisions[99], Decision::StartTimer(t) if t.start_to_fire_timeout == "0"));
}

#[test]
fn sleeping_and_waiting_for_a_signal() {
    fn patient(wf: &mut Workflow) -> Step<Ending> {
        wf.sleep(30)?;
        let answer = wf.wait_signal("answer")?;
        Ok(Ending::Complete(answer))
    }
    let mut h = History::started("null");
    assert!(
        matches!(decide(&h, patient).as_slice(), [Decision::StartTimer(t)]
        if t.timer_id == "sleep-1" && t.start_to_fire_timeout == "30")
    );
    h.timer_fired("sleep-1");
    assert!(decide(&h, patient).is_empty(), "waiting for the signal");
    h.push(
        "WorkflowExecutionSignaled",
        json!({"signalName": "answer", "input": "42"}),
    );
    h.decision_task();
    assert!(
        matches!(decide(&h, patient).as_slice(), [Decision::CompleteWorkflowExecution(c)]
        if c.result.as_deref() == Some("42"))
    );
}

#[test]
fn the_first_of_two_branches_wins() {
    fn race(wf: &mut Workflow) -> Step<Ending> {
        let (winner, _) = wf.first(vec![
            Box::new(|wf: &mut Workflow| wf.wait_signal("cancel").map(|_| ())),
            Box::new(|wf: &mut Workflow| wf.sleep(60)),
        ])?;
        Ok(if winner == 0 {
            Ending::Cancel(None)
        } else {
            Ending::complete("timeout")
        })
    }
    let mut h = History::started("null");
    assert!(
        matches!(decide(&h, race).as_slice(), [Decision::StartTimer(t)] if t.timer_id == "sleep-1")
    );
    let completed = h.completed();
    h.push(
        "TimerStarted",
        json!({"timerId": "sleep-1", "startToFireTimeout": "60",
        "decisionTaskCompletedEventId": completed}),
    );
    h.signaled("cancel", None);
    assert!(matches!(
        decide(&h, race).as_slice(),
        [Decision::CancelWorkflowExecution(_)]
    ));
}

#[test]
fn failures_read_as_sentences() {
    let failure = ActivityFailure::Failed {
        reason: Some("declined".into()),
        details: Some("card".into()),
    };
    assert_eq!(failure.to_string(), "failed: declined (card)");
}

#[test]
fn child_workflows_start_once_and_report_their_outcome() {
    fn parent(wf: &mut Workflow) -> Step<Ending> {
        match wf.child::<_, String>("Leg", "1", &"LHR")? {
            Ok(leg) => Ok(Ending::complete(leg)),
            Err(failure) => Ok(Ending::fail("leg failed", failure.to_string())),
        }
    }
    let mut h = History::started("null");
    assert!(
        matches!(decide(&h, parent).as_slice(), [Decision::StartChildWorkflowExecution(c)]
        if c.workflow_id == "workflow:Leg-1" && c.input.as_deref() == Some("\"LHR\""))
    );
    let completed = h.completed();
    let initiated = h.push("StartChildWorkflowExecutionInitiated", json!({
        "workflowId": "workflow:Leg-1", "workflowType": {"name": "Leg", "version": "1"},
        "taskList": {"name": "t"}, "childPolicy": "TERMINATE", "decisionTaskCompletedEventId": completed}));
    let child = json!({"workflowId": "workflow:Leg-1", "runId": "r2"});
    let started = h.push(
        "ChildWorkflowExecutionStarted",
        json!({"workflowExecution": child,
        "workflowType": {"name": "Leg", "version": "1"}, "initiatedEventId": initiated}),
    );
    h.decision_task();
    assert!(decide(&h, parent).is_empty(), "the child runs");
    let mut failed = h.clone();
    h.push(
        "ChildWorkflowExecutionCompleted",
        json!({"workflowExecution": child,
        "workflowType": {"name": "Leg", "version": "1"}, "result": "\"LHR-JFK\"",
        "initiatedEventId": initiated, "startedEventId": started}),
    );
    h.decision_task();
    assert!(
        matches!(decide(&h, parent).as_slice(), [Decision::CompleteWorkflowExecution(c)]
        if c.result.as_deref() == Some("LHR-JFK"))
    );
    failed.push(
        "ChildWorkflowExecutionTerminated",
        json!({"workflowExecution": child,
        "workflowType": {"name": "Leg", "version": "1"},
        "initiatedEventId": initiated, "startedEventId": started}),
    );
    failed.decision_task();
    assert!(
        matches!(decide(&failed, parent).as_slice(), [Decision::FailWorkflowExecution(f)]
        if f.details.as_deref() == Some("terminated"))
    );
    assert_eq!(
        ChildFailure::StartFailed("WORKFLOW_ALREADY_RUNNING".into()).to_string(),
        "could not be started: WORKFLOW_ALREADY_RUNNING"
    );
}

#[test]
fn markers_are_recorded_once_and_long_histories_continue_as_new() {
    fn noted(wf: &mut Workflow) -> Step<Ending> {
        wf.record_marker("checkpoint", &1);
        wf.sleep(1)?;
        if wf.history_len() > 6 {
            return Ok(Ending::ContinueAsNew(Some("\"next\"".into())));
        }
        Ok(Ending::Complete(None))
    }
    let mut h = History::started("null");
    let first = decide(&h, noted);
    assert!(
        matches!(first.as_slice(), [Decision::RecordMarker(m), Decision::StartTimer(_)]
        if m.marker_name == "checkpoint" && m.details.as_deref() == Some("1"))
    );
    let completed = h.completed();
    h.push(
        "MarkerRecorded",
        json!({"markerName": "checkpoint", "details": "1",
        "decisionTaskCompletedEventId": completed}),
    );
    let started = h.push(
        "TimerStarted",
        json!({"timerId": "sleep-1", "startToFireTimeout": "1",
        "decisionTaskCompletedEventId": completed}),
    );
    h.signaled("noise", None);
    assert!(
        decide(&h, noted).is_empty(),
        "the marker is not recorded twice"
    );
    h.push(
        "TimerFired",
        json!({"timerId": "sleep-1", "startedEventId": started}),
    );
    h.decision_task();
    assert!(
        matches!(decide(&h, noted).as_slice(), [Decision::ContinueAsNewWorkflowExecution(c)]
        if c.input.as_deref() == Some("\"next\""))
    );
}

#[test]
fn flow_failures_are_errors_that_question_mark_boxes() {
    fn activity(failure: ActivityFailure) -> Result<(), Box<dyn std::error::Error>> {
        Err(failure)?
    }
    fn child(failure: ChildFailure) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        Err(failure)?
    }
    let error = activity(ActivityFailure::TimedOut("START_TO_CLOSE".into())).unwrap_err();
    assert_eq!(error.to_string(), "timed out (START_TO_CLOSE)");
    let error = child(ChildFailure::StartFailed(
        "WORKFLOW_TYPE_DOES_NOT_EXIST".into(),
    ))
    .unwrap_err();
    assert!(
        error.to_string().contains("WORKFLOW_TYPE_DOES_NOT_EXIST"),
        "{error}"
    );
}

/// A race between a payment and a cancel signal that both have their answer in the history.
fn pay_or_cancel(wf: &mut Workflow) -> Step<Ending> {
    let (winner, _) = wf.first(vec![
        Box::new(|wf: &mut Workflow| wf.activity("Pay", "1").run::<String>().map(|_| ())),
        Box::new(|wf: &mut Workflow| wf.wait_signal("cancel").map(|_| ())),
    ])?;
    Ok(if winner == 0 {
        Ending::complete("paid")
    } else {
        Ending::Cancel(None)
    })
}

#[test]
fn the_branch_answered_earliest_in_the_history_wins_whatever_its_position() {
    // The signal came first: it wins, although the payment (branch 0) is answered too.
    let mut h = History::started("null");
    let pay = h.scheduled("Pay-1", "Pay", "1");
    h.signaled("cancel", None);
    h.finished(pay, "ActivityTaskCompleted", json!({"result": "\"ok\""}));
    assert!(matches!(
        decide(&h, pay_or_cancel).as_slice(),
        [Decision::CancelWorkflowExecution(_)]
    ));

    // The payment came first: it wins, whatever signal came later.
    let mut h = History::started("null");
    let pay = h.scheduled("Pay-1", "Pay", "1");
    h.finished(pay, "ActivityTaskCompleted", json!({"result": "\"ok\""}));
    h.signaled("cancel", None);
    assert!(matches!(
        decide(&h, pay_or_cancel).as_slice(),
        [Decision::CompleteWorkflowExecution(c)] if c.result.as_deref() == Some("paid")
    ));
}

fn non_determinism(
    history: &History,
    body: impl FnOnce(&mut Workflow) -> Step<Ending>,
) -> NonDeterminism {
    let task = history.task();
    match Workflow::decide(&task, body) {
        Err(error) => error,
        Ok(decisions) => panic!("decided {:?}", decisions.as_slice()),
    }
}

#[test]
fn a_changed_first_step_is_reported_with_the_event_and_both_sides() {
    let mut h = History::started("\"World\"");
    h.scheduled("Greet-1", "Greet", "1");
    h.decision_task();
    let changed = |wf: &mut Workflow| -> Step<Ending> {
        wf.activity("Welcome", "1").run::<String>()?.ok();
        Ok(Ending::Complete(None))
    };
    let error = non_determinism(&h, changed);
    assert_eq!(error.event_id, 5);
    assert_eq!(
        error.to_string(),
        "non-determinism at event 5: the history has activity Greet 1 (Greet-1), \
         the code asks for activity Welcome 1 (Welcome-1)"
    );
}

#[test]
fn a_step_the_code_no_longer_asks_for_is_reported() {
    let mut h = History::started("null");
    h.timer_fired("sleep-1");
    let scheduled = h.scheduled("Greet-1", "Greet", "1");
    h.finished(
        scheduled,
        "ActivityTaskCompleted",
        json!({"result": "\"hi\""}),
    );
    // The sleep was removed: Greet-1 is asked for and answered, sleep-1 is left over.
    let error = non_determinism(&h, greet);
    assert_eq!(
        error.to_string(),
        "non-determinism at event 5: the history has timer sleep-1, the code does not ask for it"
    );
}

#[test]
fn the_same_id_as_another_type_is_reported() {
    let mut h = History::started("\"World\"");
    h.scheduled("Greet-1", "Greet", "1");
    h.decision_task();
    let upgraded = |wf: &mut Workflow| -> Step<Ending> {
        wf.activity("Greet", "2").run::<String>()?.ok();
        Ok(Ending::Complete(None))
    };
    assert_eq!(
        non_determinism(&h, upgraded).to_string(),
        "non-determinism at event 5: the history has activity Greet 1 (Greet-1), \
         the code asks for activity Greet 2 (Greet-1)"
    );
    // The unchanged code replays the same history without complaint.
    assert!(decide(&h, greet).is_empty());
}

#[test]
fn an_activity_that_is_now_retried_is_reported() {
    // Pay-1 was scheduled by code without retries; `pay` retries, so it asks for Pay-1.1.
    let mut h = History::started("null");
    h.scheduled("Pay-1", "Pay", "1");
    h.decision_task();
    assert_eq!(
        non_determinism(&h, pay).to_string(),
        "non-determinism at event 5: the history has activity Pay 1 (Pay-1), \
         the code asks for activity Pay 1 (Pay-1.1)"
    );
}

/// A warm instance keeps its index across tasks, and with it which steps a replay asked for:
/// a step the previous task's replay asked for must still be missed on the next one.
#[test]
fn a_step_asked_for_on_the_previous_task_only_is_reported() {
    let mut h = History::started("\"World\"");
    let scheduled = h.scheduled("Greet-1", "Greet", "1");
    h.decision_task();
    let mut warm = h.task();
    let running = Workflow::decide(&warm, greet).expect("deterministic");
    assert!(running.as_slice().is_empty(), "Greet-1 runs");

    h.finished(
        scheduled,
        "ActivityTaskCompleted",
        json!({"result": "\"Hello\""}),
    );
    let mut next = h.task().raw().clone();
    next.events.drain(..warm.events().len());
    warm.continue_with(next).expect("continues");
    assert!(warm.carried_over() > 0, "the index is kept");
    let forgetful = |_: &mut Workflow| -> Step<Ending> { Ok(Ending::Complete(None)) };
    assert_eq!(
        Workflow::decide(&warm, forgetful).unwrap_err().to_string(),
        "non-determinism at event 5: the history has activity Greet 1 (Greet-1), \
         the code does not ask for it"
    );
}

#[test]
fn history_len_reads_the_same_on_every_replay() {
    // One activity per iteration; continue as new once the history passed 12 events. On the
    // last task the whole history has 15 events, but the first iterations must still read
    // what their own decision tasks read (3, then 9), or they would skip their steps.
    fn looping(wf: &mut Workflow) -> Step<Ending> {
        loop {
            if wf.history_len() > 12 {
                return Ok(Ending::ContinueAsNew(None));
            }
            wf.activity("Step", "1").run::<String>()?.ok();
        }
    }
    let mut h = History::started("null");
    for n in 1..=2 {
        let scheduled = h.scheduled(&format!("Step-{n}"), "Step", "1");
        h.finished(
            scheduled,
            "ActivityTaskCompleted",
            json!({"result": "\"ok\""}),
        );
    }
    assert_eq!(h.len(), 15);
    assert!(matches!(
        decide(&h, looping).as_slice(),
        [Decision::ContinueAsNewWorkflowExecution(_)]
    ));
}

#[test]
fn signals_are_read_at_the_replays_position() {
    fn counted(wf: &mut Workflow) -> Step<Ending> {
        let before = wf.signals("note").len();
        wf.sleep(60)?;
        let after = wf.signals("note").len();
        Ok(Ending::complete(format!("{before} {after}")))
    }
    let mut h = History::started("null");
    h.timer_fired("sleep-1");
    h.signaled("note", Some("late"));
    // What the first task saw (no note) and what the task after the timer saw (no note yet),
    // not the whole history (one note).
    assert!(
        matches!(decide(&h, counted).as_slice(), [Decision::CompleteWorkflowExecution(c)]
        if c.result.as_deref() == Some("0 0"))
    );
}

/// What a warm instance does: each task after the first continues the previous one with only
/// the new events (`continue_with`), and the flow API extends its index rather than rebuilding
/// it. The decisions must be those of a fresh decide on the complete history, task by task.
#[test]
fn a_continued_task_decides_as_the_complete_history_does() {
    let mut h = History::started("\"Ann\"");
    let mut warm = h.task();
    let check = |h: &History, warm: &mut swfwasm_guest::DecisionTask| {
        let full = h.task();
        let known = warm.events().len();
        let mut next = full.raw().clone();
        next.events.drain(..known);
        if known > 0 && known < full.events().len() {
            warm.continue_with(next).expect("continues");
            assert_eq!(warm.carried_over(), known);
        }
        assert_eq!(warm.events(), full.events());
        let continued = Workflow::decide(warm, pay).unwrap();
        let fresh = Workflow::decide(&full, pay).unwrap();
        assert_eq!(continued.as_slice(), fresh.as_slice());
        continued.as_slice().to_vec()
    };
    check(&h, &mut warm);
    let first = h.scheduled("Pay-1.1", "Pay", "1");
    h.finished(first, "ActivityTaskFailed", json!({"reason": "declined"}));
    let retried = check(&h, &mut warm);
    assert!(
        matches!(retried.as_slice(), [Decision::StartTimer(_)]),
        "{retried:?}"
    );
    h.timer_fired("Pay-1.1.retry");
    check(&h, &mut warm);
    let second = h.scheduled("Pay-1.2", "Pay", "1");
    h.finished(second, "ActivityTaskCompleted", json!({"result": "\"r\""}));
    let closed = check(&h, &mut warm);
    assert!(matches!(
        closed.as_slice(),
        [Decision::CompleteWorkflowExecution(_)]
    ));

    // A task of another run, or with a gap, does not continue it.
    let mut other = h.task().raw().clone();
    other.events.clear();
    other.workflow_execution.run_id = "another".into();
    assert!(warm.continue_with(other).is_err());
    let mut gap = h.task().raw().clone();
    gap.events.drain(..gap.events.len() - 1);
    gap.events[0].event_id += 5;
    assert!(warm.continue_with(gap).is_err());
}

/// A warm instance replays a result a type cannot read on every task: it gets the same
/// `BadResult` every time, and a type that can read the same result still reads it.
#[test]
fn an_unreadable_result_reads_the_same_on_every_replay_and_only_for_its_type() {
    fn read_as<O: serde::de::DeserializeOwned + std::fmt::Debug + 'static>(
        wf: &mut Workflow,
    ) -> Step<Ending> {
        let read = wf.activity("Greet", "1").run::<O>()?;
        Ok(Ending::complete(format!("{read:?}")))
    }
    let outcome = |decisions: &[Decision]| match decisions {
        [Decision::CompleteWorkflowExecution(done)] => done.result.clone().unwrap_or_default(),
        other => panic!("{other:?}"),
    };
    let mut h = History::started("\"Ann\"");
    let scheduled = h.scheduled("Greet-1", "Greet", "1");
    h.finished(
        scheduled,
        "ActivityTaskCompleted",
        json!({"result": "\"x\""}),
    );
    let mut warm = h.task();
    // Each later task continues the warm one with a signal's events, so the flow API keeps its
    // index (and what it learned of the result) from one task to the next.
    let mut next_task = |warm: &mut swfwasm_guest::DecisionTask| {
        h.signaled("poke", None);
        let mut next = h.task().raw().clone();
        next.events.drain(..warm.events().len());
        warm.continue_with(next).expect("continues");
    };
    let read = |warm: &swfwasm_guest::DecisionTask, number: bool| {
        let decided = if number {
            Workflow::decide(warm, read_as::<u32>)
        } else {
            Workflow::decide(warm, read_as::<String>)
        };
        outcome(decided.unwrap().as_slice())
    };
    let first = read(&warm, true);
    assert!(
        first.starts_with("Err(BadResult(\"invalid type: string \\\"x\\\", expected u32"),
        "{first}"
    );
    next_task(&mut warm);
    assert_eq!(
        read(&warm, true),
        first,
        "the same problem on a later replay"
    );
    next_task(&mut warm);
    assert_eq!(read(&warm, false), "Ok(\"x\")", "another type reads it");
    next_task(&mut warm);
    assert_eq!(read(&warm, true), first);
}
