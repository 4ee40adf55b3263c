//! The high-level decider API on synthetic histories: what it asks for on each task, what it
//! replays from the history, retries with backoff timers, batching and determinism.

use serde_json::json;
use swfwasm_guest::flow::{
    ActivityFailure, ChildFailure, Ending, RetryPolicy, Step, Workflow, all,
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
    Workflow::decide(&task, body).as_slice().to_vec()
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
        if wf.history_len() > 6 {
            return Ok(Ending::ContinueAsNew(Some("\"next\"".into())));
        }
        wf.sleep(1).map(|()| Ending::Complete(None))
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
    h.signaled("noise", None);
    assert!(
        matches!(decide(&h, noted).as_slice(), [Decision::ContinueAsNewWorkflowExecution(c)]
        if c.input.as_deref() == Some("\"next\"")),
        "the marker is not recorded twice"
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
