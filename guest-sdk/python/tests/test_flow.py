"""Unit tests of the Python flow API (swfwasm_flow) against the contract in guest-sdk/FLOW.md,
natively, with histories built by swfwasm_flow.History (see conftest.py for the bindings)."""

import importlib
import json
import sys
from decimal import ROUND_HALF_UP, Decimal

import pytest


@pytest.fixture(scope="session")
def flow(guest):
    module = importlib.import_module("swfwasm_flow")
    yield module
    sys.modules.pop("swfwasm_flow", None)


# Helpers ----------------------------------------------------------------------------------------


def attributes(decision):
    return next(v for k, v in decision.items() if k.endswith("DecisionAttributes"))


def kinds(decisions):
    return [d["decisionType"] for d in decisions]


def scheduled(decisions):
    """(activity id, input) of every ScheduleActivityTask."""
    return [
        (attributes(d)["activityId"], attributes(d).get("input"))
        for d in decisions
        if d["decisionType"] == "ScheduleActivityTask"
    ]


def timers(decisions):
    return [
        (attributes(d)["timerId"], attributes(d)["startToFireTimeout"]) for d in decisions if d["decisionType"] == "StartTimer"
    ]


def only(decisions):
    assert len(decisions) == 1, decisions
    return decisions[0]["decisionType"], attributes(decisions[0])


def completed_with(decisions):
    kind, attrs = only(decisions)
    assert kind == "CompleteWorkflowExecution", decisions
    return attrs.get("result")


def expected_wait(run_id, activity_id, attempt, initial=1, backoff=2.0, cap=300):
    """FLOW.md's backoff, written out independently of swfwasm_flow."""
    seed = 0xCBF29CE484222325
    for byte in run_id.encode() + b"\x00" + activity_id.encode():
        seed = ((seed ^ byte) * 0x100000001B3) % 2**64
    k = attempt % 64
    rotated = ((seed << k) | (seed >> (64 - k))) % 2**64
    exponential = min(initial * backoff ** (attempt - 1), cap)
    jitter = 0.5 + (rotated % 1000) / 2000
    return str(Decimal(exponential * jitter).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def history(flow, input=None, **kw):
    return flow.History.started(input, **kw)


def done(h, activity_id, name="A", version="1", result=None, event="ActivityTaskCompleted", **extra):
    """Schedules ``activity_id`` in its own decision task and closes it."""
    s = h.scheduled(activity_id, name, version)
    attrs = dict(extra)
    if event == "ActivityTaskCompleted" and result is not None:
        attrs["result"] = result
    h.finished(s, event, attrs)
    return s


# Activities -------------------------------------------------------------------------------------


def test_an_activity_is_scheduled_with_json_input_then_its_result_read(flow):
    async def greet(wf, name):
        greeting = await wf.activity("Greet", "1.0", input=name, task_list="greeters")
        return {"greeting": greeting, "name": name}

    h = history(flow, '"Ada"')
    assert flow.decide(greet, h) == [
        {
            "decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": {
                "activityId": "Greet-1",
                "activityType": {"name": "Greet", "version": "1.0"},
                "taskList": {"name": "greeters"},
                "input": '"Ada"',
            },
        }
    ]
    s = h.scheduled("Greet-1", "Greet", "1.0")
    h.decision_task()
    assert flow.decide(greet, h) == [], "scheduled: nothing to decide"
    h.finished(s, "ActivityTaskCompleted", {"result": '"Hello, Ada!"'})
    assert completed_with(flow.decide(greet, h)) == '{"greeting":"Hello, Ada!","name":"Ada"}'


def test_inputs_are_canonical_json_and_ids_count_per_name(flow):
    async def body(wf, _):
        wf.activity("A", "1", input={"b": [1, {"z": 1, "y": "é"}], "a": None})
        wf.activity("B", "1", input=None)
        wf.activity("A", "1")
        wf.activity("B", "1", input="text")

    assert scheduled(flow.decide(body, history(flow))) == [
        ("A-1", '{"a":null,"b":[1,{"y":"é","z":1}]}'),
        ("B-1", "null"),
        ("A-2", None),
        ("B-2", '"text"'),
    ]


def test_an_activity_without_result_gives_none(flow):
    async def body(wf, _):
        return {"got": await wf.activity("A", "1")}

    h = history(flow)
    done(h, "A-1")
    assert completed_with(flow.decide(body, h)) == '{"got":null}'


@pytest.mark.parametrize(
    "event, extra, kind, message, details",
    [
        ("ActivityTaskFailed", {"reason": "boom", "details": "the disk"}, "failed", "failed: boom (the disk)", "the disk"),
        ("ActivityTaskFailed", {"reason": "boom"}, "failed", "failed: boom", None),
        ("ActivityTaskFailed", {}, "failed", "failed: (no reason)", None),
        ("ActivityTaskTimedOut", {"timeoutType": "HEARTBEAT", "details": "50%"}, "timed_out", "timed out (HEARTBEAT)", None),
        ("ActivityTaskCanceled", {"details": "stopped"}, "canceled", "canceled", "stopped"),
        ("ActivityTaskCompleted", {"result": "not json"}, "bad_result", None, None),
    ],
)
def test_activity_failures_read_as_rusts_display(flow, event, extra, kind, message, details):
    seen = []

    async def body(wf, _):
        try:
            await wf.activity("Work", "1")
        except flow.ActivityFailure as failure:
            seen.append(failure)
            raise

    h = history(flow)
    s = h.scheduled("Work-1", "Work", "1")
    h.finished(s, event, extra)
    kind_, attrs = only(flow.decide(body, h))
    (failure,) = seen
    assert (failure.kind, failure.activity_id, failure.details) == (kind, "Work-1", details)
    if kind == "bad_result":
        assert str(failure).startswith("returned an unreadable result: Expecting value")
        assert failure.problem and failure.problem in str(failure)
    else:
        assert str(failure) == message
    if kind == "timed_out":
        assert failure.timeout_type == "HEARTBEAT"
    # escaping: FailWorkflowExecution "<id> <message>" with the failure's details
    assert kind_ == "FailWorkflowExecution"
    expected = {"reason": f"Work-1 {failure}"}
    if details is not None:
        expected["details"] = details
    assert attrs == expected


def test_a_schedule_failure_fails_the_activity_at_once(flow):
    async def body(wf, _):
        try:
            await wf.activity("Missing", "9", retry=5)
        except flow.ActivityFailure as failure:
            return {"kind": failure.kind, "cause": failure.cause, "message": str(failure)}

    h = history(flow)
    h.schedule_failed("Missing-1.1", "Missing", "9", "ACTIVITY_TYPE_DOES_NOT_EXIST")
    assert json.loads(completed_with(flow.decide(body, h))) == {
        "kind": "schedule_failed",
        "cause": "ACTIVITY_TYPE_DOES_NOT_EXIST",
        "message": "could not be scheduled: ACTIVITY_TYPE_DOES_NOT_EXIST",
    }


# Retries ----------------------------------------------------------------------------------------


def test_retries_use_attempt_ids_and_backoff_timers_with_the_run_ids_jitter(flow):
    async def body(wf, _):
        return await wf.activity("Charge", "1", input=5, retry=3)

    run_id = "2c1f7e58-b08d-4c5a-9a53-0e4d6c1d2a7f"
    h = history(flow, run_id=run_id)
    assert scheduled(flow.decide(body, h)) == [("Charge-1.1", "5")]
    done(h, "Charge-1.1", "Charge", event="ActivityTaskFailed", reason="declined")
    assert flow.decide(body, h) == [
        {
            "decisionType": "StartTimer",
            "startTimerDecisionAttributes": {
                "timerId": "Charge-1.1.retry",
                "startToFireTimeout": expected_wait(run_id, "Charge-1", 1),
            },
        }
    ]
    h.timer_fired("Charge-1.1.retry")
    assert scheduled(flow.decide(body, h)) == [("Charge-1.2", "5")]
    done(h, "Charge-1.2", "Charge", event="ActivityTaskTimedOut", timeoutType="START_TO_CLOSE")
    assert timers(flow.decide(body, h)) == [("Charge-1.2.retry", expected_wait(run_id, "Charge-1", 2))]
    h.timer_fired("Charge-1.2.retry")
    done(h, "Charge-1.3", "Charge", event="ActivityTaskFailed", reason="declined again")
    kind, attrs = only(flow.decide(body, h))
    # an escaped failure is named by the attempt that ended it
    assert (kind, attrs) == ("FailWorkflowExecution", {"reason": "Charge-1.3 failed: declined again"})


def test_a_retried_activity_walks_its_attempts_at_the_call(flow):
    # The backoff timer the history lacks is asked for when the activity is called, in code
    # order (as Rust and JavaScript do), not when the failed attempt's turn comes in the replay.
    async def body(wf, _):
        async def after_go():
            await wf.signal("go")
            await wf.activity("C", "1")

        await wf.all(wf.activity("A", "1", retry=2), after_go())

    h = history(flow)
    s = h.scheduled("A-1.1", "A", "1")
    h.signaled("go")
    h.finished(s, "ActivityTaskFailed", {"reason": "x"})
    assert [(d["decisionType"], attributes(d).get("timerId") or attributes(d).get("activityId")) for d in flow.decide(body, h)] == [
        ("StartTimer", "A-1.1.retry"),
        ("ScheduleActivityTask", "C-1"),
    ]


def test_a_retried_activity_that_succeeds_returns_its_result(flow):
    async def body(wf, _):
        return await wf.activity("Charge", "1", retry=flow.RetryPolicy(max_attempts=2))

    h = history(flow)
    done(h, "Charge-1.1", "Charge", event="ActivityTaskFailed")
    h.timer_fired("Charge-1.1.retry")
    done(h, "Charge-1.2", "Charge", result='"receipt"')
    assert completed_with(flow.decide(body, h)) == "receipt"


def test_cancellations_and_unreadable_results_are_not_retried(flow):
    async def body(wf, _):
        try:
            await wf.activity("A", "1", retry=3)
        except flow.ActivityFailure as failure:
            return failure.kind

    h = history(flow)
    done(h, "A-1.1", event="ActivityTaskCanceled")
    assert completed_with(flow.decide(body, h)) == "canceled"
    h = history(flow)
    done(h, "A-1.1", result="{")
    assert completed_with(flow.decide(body, h)) == "bad_result"


def test_jitter_matches_the_formula_for_any_policy(flow):
    policy = flow.RetryPolicy(max_attempts=6, initial_interval_secs=10, backoff=3.0, max_interval_secs=200)
    for run_id in ("run", "r-1", "Ünïcode-run"):
        for activity_id in ("Charge-1", "Sync-12"):
            for attempt in range(1, 6):
                assert str(policy.wait_after(attempt, run_id, activity_id)) == expected_wait(
                    run_id, activity_id, attempt, initial=10, backoff=3.0, cap=200
                )


def test_jitter_literal_values_of_the_rust_formula(flow):
    # Cross-checked against the Rust decider (target/plugins/booking-decider.wasm gives 1 and 1
    # for ValidatePayment-1 in run "run"); the others are for Rust's RetryPolicy::wait_secs with
    # the same policy and seed.
    assert flow.fnv1a64(b"run", b"Charge-1") == 0x7BD763BA71713A48
    assert [flow.RetryPolicy.attempts(3).wait_after(k, "run", "ValidatePayment-1") for k in (1, 2)] == [1, 1]
    policy = flow.RetryPolicy(max_attempts=6, initial_interval_secs=10, backoff=3.0, max_interval_secs=200)
    assert [policy.wait_after(k, "run", "Charge-1") for k in range(1, 6)] == [9, 17, 77, 180, 198]
    policy = flow.RetryPolicy(max_attempts=4, initial_interval_secs=100, backoff=1.5, max_interval_secs=300)
    assert [policy.wait_after(k, "run-7", "Sync-2") for k in range(1, 4)] == [94, 87, 147]


def test_backoff_waits_are_the_figures_of_the_rust_and_javascript_flow_apis(flow):
    # The same figures as guest-sdk/src/flow/retry.rs and guest-sdk/js/test/flow.test.mjs.
    assert flow.fnv1a64(b"run", b"Pay-1") == 0xDCD3F233A38F3C1A
    assert [flow.RetryPolicy.attempts(6).wait_after(k, "run", "Pay-1") for k in range(1, 6)] == [1, 1, 2, 6, 10]
    policy = flow.RetryPolicy(max_attempts=8, initial_interval_secs=7, backoff=1.5, max_interval_secs=100)
    waits = [policy.wait_after(k, "run-\u03a9-42", "ValidatePayment-3") for k in range(1, 8)]
    assert waits == [6, 7, 9, 15, 28, 32, 55]


def test_history_length_reads_the_same_on_every_replay(flow):
    # One activity per iteration; continue as new past 12 events. The whole history has 15
    # events on the last task, but the first iterations read what their own tasks read (3, 9).
    async def looping(wf, _input):
        while True:
            if wf.history_length > 12:
                return wf.continue_as_new()
            await wf.activity("Step", "1")

    h = history(flow, "null")
    for n in (1, 2):
        done(h, f"Step-{n}", name="Step", result='"ok"')
    assert len(h.events) == 15
    assert kinds(flow.decide(looping, h)) == ["ContinueAsNewWorkflowExecution"]


def test_rounding_is_half_away_from_zero(flow):
    policy = flow.RetryPolicy(max_attempts=2, initial_interval_secs=3)
    # 3 * (0.5 + 500/2000) = 2.25 → 2; 3 * (0.5 + 0/2000) = 1.5 → 2; 5 * 0.5 = 2.5 → 3
    assert policy.wait_secs(1, 500) == 2
    assert policy.wait_secs(1, 1000) == 2
    assert flow.RetryPolicy(initial_interval_secs=5).wait_secs(1, 0) == 3


# Timers and signals -----------------------------------------------------------------------------


def test_sleep_starts_a_timer_and_goes_on_once_it_fired(flow):
    async def body(wf, _):
        await wf.sleep(30)
        await wf.sleep(0)
        return "slept"

    h = history(flow)
    assert timers(flow.decide(body, h)) == [("sleep-1", "30")]
    started = h.timer_started("sleep-1", "30")
    h.decision_task()
    assert flow.decide(body, h) == []
    h.fired(started)
    assert timers(flow.decide(body, h)) == [("sleep-2", "0")]
    h.timer_fired("sleep-2")
    assert completed_with(flow.decide(body, h)) == "slept"


def test_a_sleep_is_a_whole_number_of_seconds(flow):
    async def body(wf, _):
        await wf.sleep(1.5)

    with pytest.raises(ValueError, match="whole number of seconds"):
        flow.decide(body, history(flow))


def test_signal_waits_for_the_first_signal_of_its_name(flow):
    async def body(wf, _):
        approval = await wf.signal("approve")
        return {"approval": approval, "seen": wf.signals("approve"), "other": wf.signals("other")}

    h = history(flow)
    assert flow.decide(body, h) == []
    h.signaled("other", "x")
    assert flow.decide(body, h) == []
    h.signaled("approve", "yes")
    h.signaled("approve", None)
    assert json.loads(completed_with(flow.decide(body, h))) == {"approval": "yes", "seen": ["yes"], "other": ["x"]}


def test_signals_are_read_up_to_the_replays_position(flow):
    async def body(wf, _):
        before = wf.signals("note")
        await wf.sleep(10)
        after_timer = wf.signals("note")
        await wf.activity("A", "1")
        return [before, after_timer, wf.signals("note")]

    h = history(flow)
    started = h.timer_started("sleep-1", "10")
    h.signaled("note", "1")
    h.fired(started)
    h.signaled("note", "2")
    s = h.scheduled("A-1", "A", "1")
    h.signaled("note", "3")
    h.finished(s, "ActivityTaskCompleted", decision_task=False)
    h.signaled("note", "3b")  # before the decision task that saw the completion: seen with it
    h.signaled("note", "4")
    assert json.loads(completed_with(flow.decide(body, h))) == [[], ["1"], ["1", "2", "3", "3b"]]


def test_signals_before_the_first_decision_task_are_seen_from_the_start(flow):
    async def body(wf, _):
        return wf.signals("early")

    h = flow.History()
    h.push("WorkflowExecutionStarted", {"childPolicy": "TERMINATE", "taskList": {"name": "decisions"}})
    h.push("WorkflowExecutionSignaled", {"signalName": "early", "input": "hi"})
    h.decision_task()
    assert completed_with(flow.decide(body, h)) == '["hi"]'


# Child workflows --------------------------------------------------------------------------------


def test_a_child_workflow_is_started_under_this_workflows_id_and_its_result_read(flow):
    async def body(wf, _):
        await wf.activity("Prepare", "1")
        return await wf.child("Ship", "2.0", {"parcel": 7})

    h = history(flow, workflow_id="order-9")
    done(h, "Prepare-1", "Prepare")
    assert flow.decide(body, h) == [
        {
            "decisionType": "StartChildWorkflowExecution",
            "startChildWorkflowExecutionDecisionAttributes": {
                "workflowId": "order-9:Ship-1",
                "workflowType": {"name": "Ship", "version": "2.0"},
                "input": '{"parcel":7}',
            },
        }
    ]
    initiated = h.child_initiated("order-9:Ship-1", "Ship", "2.0", '{"parcel":7}')
    h.decision_task()
    assert flow.decide(body, h) == []
    h.child_started(initiated)
    h.decision_task()
    assert flow.decide(body, h) == []
    h.child_closed(initiated, "ChildWorkflowExecutionCompleted", {"result": '{"tracking":"T1"}'})
    assert completed_with(flow.decide(body, h)) == '{"tracking":"T1"}'


def test_children_share_the_counter_of_activities_with_the_same_name(flow):
    async def body(wf, _):
        wf.activity("Job", "1")
        wf.child("Job", "1")
        wf.child("Other", "1")

    decisions = flow.decide(body, history(flow))
    assert kinds(decisions)[-1] == "CompleteWorkflowExecution"
    assert [attributes(d).get("activityId") or attributes(d).get("workflowId") for d in decisions[:-1]] == [
        "Job-1",
        "workflow:Job-2",
        "workflow:Other-1",
    ]
    assert attributes(decisions[1])["input"] == "null"  # a child's input is always JSON


@pytest.mark.parametrize(
    "event, extra, kind, message, details",
    [
        ("ChildWorkflowExecutionFailed", {"reason": "no stock", "details": "sku 4"}, "failed", "failed: no stock", "sku 4"),
        ("ChildWorkflowExecutionFailed", {}, "failed", "failed: (no reason)", None),
        ("ChildWorkflowExecutionTimedOut", {"timeoutType": "START_TO_CLOSE"}, "timed_out", "timed out", None),
        ("ChildWorkflowExecutionCanceled", {"details": "by ops"}, "canceled", "canceled", "by ops"),
        ("ChildWorkflowExecutionTerminated", {}, "terminated", "terminated", None),
        ("ChildWorkflowExecutionCompleted", {"result": "<xml/>"}, "bad_result", None, None),
    ],
)
def test_child_failures(flow, event, extra, kind, message, details):
    seen = []

    async def body(wf, _):
        try:
            await wf.child("Ship", "1", None)
        except flow.ChildFailure as failure:
            seen.append(failure)
            raise

    h = history(flow)
    initiated = h.child_initiated("workflow:Ship-1", "Ship", "1", "null")
    h.child_closed(initiated, event, extra)
    kind_, attrs = only(flow.decide(body, h))
    (failure,) = seen
    assert (failure.kind, failure.workflow_id, failure.details) == (kind, "workflow:Ship-1", details)
    if message is not None:
        assert str(failure) == message
    else:
        assert str(failure).startswith("returned an unreadable result: ")
    expected = {"reason": f"workflow:Ship-1 {failure}"}
    if details is not None:
        expected["details"] = details
    assert (kind_, attrs) == ("FailWorkflowExecution", expected)


def test_a_child_that_could_not_start(flow):
    async def body(wf, _):
        try:
            await wf.child("Ship", "1")
        except flow.ChildFailure as failure:
            return [failure.kind, failure.cause, str(failure)]

    h = history(flow)
    h.child_start_failed("workflow:Ship-1", "Ship", "1", "WORKFLOW_TYPE_DOES_NOT_EXIST")
    assert json.loads(completed_with(flow.decide(body, h))) == [
        "start_failed",
        "WORKFLOW_TYPE_DOES_NOT_EXIST",
        "could not be started: WORKFLOW_TYPE_DOES_NOT_EXIST",
    ]


# all and race -----------------------------------------------------------------------------------


def test_all_schedules_parallel_activities_in_one_decision_task(flow):
    async def leg(wf, city):
        hotel = await wf.activity("Hotel", "1", input=city)
        return f"{city}: {hotel}"

    async def body(wf, _):
        return await wf.all(wf.activity("Flight", "1"), leg(wf, "Paris"), leg(wf, "Rome"), wf.sleep(5))

    h = history(flow)
    decisions = flow.decide(body, h)
    assert scheduled(decisions) == [("Flight-1", None), ("Hotel-1", '"Paris"'), ("Hotel-2", '"Rome"')]
    assert timers(decisions) == [("sleep-1", "5")]
    c = h.completed()
    ids = {aid: h.scheduled(aid, aid.split("-")[0], "1", completed=c) for aid in ("Flight-1", "Hotel-1", "Hotel-2")}
    t = h.timer_started("sleep-1", "5", completed=c)
    h.finished(ids["Hotel-2"], "ActivityTaskCompleted", {"result": '"Roma Inn"'})
    assert flow.decide(body, h) == []
    h.finished(ids["Flight-1"], "ActivityTaskCompleted", {"result": '"AF12"'}, decision_task=False)
    h.finished(ids["Hotel-1"], "ActivityTaskCompleted", {"result": '"Ritz"'}, decision_task=False)
    h.fired(t)
    assert json.loads(completed_with(flow.decide(body, h))) == ["AF12", "Paris: Ritz", "Rome: Roma Inn", None]


def test_all_raises_the_first_failure_in_settling_order(flow):
    async def body(wf, _):
        try:
            await wf.all([wf.activity("A", "1"), wf.activity("B", "1"), wf.activity("C", "1")])
        except flow.ActivityFailure as failure:
            return failure.activity_id

    h = history(flow)
    c = h.completed()
    a, b, cc = (h.scheduled(i, i[0], "1", completed=c) for i in ("A-1", "B-1", "C-1"))
    h.finished(cc, "ActivityTaskFailed", {"reason": "c"}, decision_task=False)
    h.finished(b, "ActivityTaskFailed", {"reason": "b"})
    assert completed_with(flow.decide(body, h)) == "C-1"


def test_all_of_nothing_is_an_empty_list(flow):
    async def body(wf, _):
        return await wf.all()

    assert completed_with(flow.decide(body, history(flow))) == "[]"


@pytest.mark.parametrize("signal_first", [True, False])
@pytest.mark.parametrize("arguments_swapped", [False, True])
def test_race_is_won_by_history_order_whatever_the_argument_order(flow, signal_first, arguments_swapped):
    async def work(wf):
        first = await wf.activity("Step", "1")
        second = await wf.activity("Step", "1")  # more awaits in this branch
        return f"work {first} {second}"

    async def stop(wf):
        return f"stop {await wf.signal('stop')}"

    async def body(wf, _):
        branches = [work(wf), stop(wf)]
        if arguments_swapped:
            branches.reverse()
        return await wf.race(*branches)

    h = history(flow)
    done(h, "Step-1", "Step", result="1")
    s = h.scheduled("Step-2", "Step", "1")
    if signal_first:
        h.signaled("stop", "now")
        h.finished(s, "ActivityTaskCompleted", {"result": "2"})
        assert completed_with(flow.decide(body, h)) == "stop now"
    else:
        h.finished(s, "ActivityTaskCompleted", {"result": "2"})
        h.signaled("stop", "now")
        assert completed_with(flow.decide(body, h)) == "work 1 2"


def test_race_settles_with_the_winners_failure(flow):
    async def body(wf, _):
        try:
            return await wf.race(wf.sleep(60), wf.activity("A", "1"))
        except flow.ActivityFailure as failure:
            return f"lost: {failure}"

    h = history(flow)
    c = h.completed()
    s = h.scheduled("A-1", "A", "1", completed=c)
    t = h.timer_started("sleep-1", "60", completed=c)
    h.finished(s, "ActivityTaskFailed", {"reason": "x"})
    h.fired(t)
    assert completed_with(flow.decide(body, h)) == "lost: failed: x"


def test_only_steps_and_coroutines_are_awaited(flow):
    async def body(wf, _):
        await wf.all(42)

    with pytest.raises(TypeError, match="steps or coroutines"):
        flow.decide(body, history(flow))

    class Foreign:
        def __await__(self):
            yield "something"

    async def other(wf, _):
        await Foreign()

    with pytest.raises(TypeError, match="awaits only the steps"):
        flow.decide(other, history(flow))


# Markers ----------------------------------------------------------------------------------------


def test_markers_are_recorded_once_and_read_up_to_the_replays_position(flow):
    async def body(wf, _):
        wf.record_marker("version", {"v": 2})
        wf.record_marker("note")
        seen = wf.markers("version")
        await wf.sleep(1)
        return {"before": seen, "after": wf.markers("version"), "note": wf.markers("note")}

    h = history(flow)
    decisions = flow.decide(body, h)
    assert decisions[:2] == [
        {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": {"markerName": "version", "details": '{"v":2}'}},
        {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": {"markerName": "note", "details": "null"}},
    ]
    assert timers(decisions) == [("sleep-1", "1")]
    c = h.completed()
    h.marker("version", '{"v":2}', completed=c)
    h.marker("note", "null", completed=c)
    t = h.timer_started("sleep-1", "1", completed=c)
    h.fired(t)
    assert json.loads(completed_with(flow.decide(body, h))) == {"before": [], "after": ['{"v":2}'], "note": ["null"]}


# Endings ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "returned, decision",
    [
        (None, ("CompleteWorkflowExecution", {})),
        ("plain text", ("CompleteWorkflowExecution", {"result": "plain text"})),
        ({"b": 1, "a": [True, None]}, ("CompleteWorkflowExecution", {"result": '{"a":[true,null],"b":1}'})),
        (7, ("CompleteWorkflowExecution", {"result": "7"})),
        ("fail", ("FailWorkflowExecution", {"reason": "why", "details": '{"n":1}'})),
        ("fail-text", ("FailWorkflowExecution", {"reason": "why", "details": "as is"})),
        ("fail-bare", ("FailWorkflowExecution", {"reason": "why"})),
        ("cancel", ("CancelWorkflowExecution", {"details": "enough"})),
        ("cancel-bare", ("CancelWorkflowExecution", {})),
        ("continue", ("ContinueAsNewWorkflowExecution", {"input": '{"page":2}'})),
        ("continue-text", ("ContinueAsNewWorkflowExecution", {"input": "next"})),
    ],
)
def test_endings(flow, returned, decision):
    async def body(wf, _):
        match returned:
            case "fail":
                return wf.fail("why", {"n": 1})
            case "fail-text":
                return wf.fail("why", "as is")
            case "fail-bare":
                return wf.fail("why")
            case "cancel":
                return wf.cancel("enough")
            case "cancel-bare":
                return wf.cancel()
            case "continue":
                return wf.continue_as_new({"page": 2})
            case "continue-text":
                return wf.continue_as_new("next")
        return returned

    assert only(flow.decide(body, history(flow))) == decision


def test_continue_as_new_when_the_history_grows(flow):
    async def body(wf, page):
        await wf.activity("Fetch", "1", input=page)
        if wf.history_length > 8:
            return wf.continue_as_new(page + 1)
        return "small"

    h = history(flow, "1")
    assert wf_len(flow, h) == 3
    done(h, "Fetch-1", "Fetch")
    assert only(flow.decide(body, h)) == ("ContinueAsNewWorkflowExecution", {"input": "2"})


def wf_len(flow, h):
    seen = []

    async def body(wf, _):
        seen.append(wf.history_length)

    flow.decide(body, h)
    return seen[0]


def test_raising_workflow_failure_fails_the_workflow(flow):
    async def body(wf, _):
        raise flow.WorkflowFailure("bad order", {"line": 3})

    assert only(flow.decide(body, history(flow))) == ("FailWorkflowExecution", {"reason": "bad order", "details": '{"line":3}'})


def test_an_escaped_failures_reason_is_cut_to_256_characters(flow):
    async def body(wf, _):
        await wf.activity("A", "1")

    h = history(flow)
    done(h, "A-1", event="ActivityTaskFailed", reason="x" * 300, details="d")
    kind, attrs = only(flow.decide(body, h))
    assert kind == "FailWorkflowExecution"
    assert attrs["reason"] == ("A-1 failed: " + "x" * 300)[:256] and len(attrs["reason"]) == 256
    assert attrs["details"] == "d"


def test_other_exceptions_fail_decide(flow):
    async def body(wf, _):
        await wf.activity("A", "1")
        raise KeyError("oops")

    h = history(flow)
    assert kinds(flow.decide(body, h)) == ["ScheduleActivityTask"]
    done(h, "A-1")
    with pytest.raises(KeyError):
        flow.decide(body, h)


def test_the_input_is_parsed_json_or_the_raw_string(flow):
    async def body(wf, value):
        return {"value": value, "raw": wf.raw_input, "ids": [wf.workflow_id, wf.run_id]}

    got = json.loads(completed_with(flow.decide(body, history(flow, '{"a":1}', workflow_id="w", run_id="r"))))
    assert got == {"value": {"a": 1}, "raw": '{"a":1}', "ids": ["w", "r"]}
    assert json.loads(completed_with(flow.decide(body, history(flow, "not json"))))["value"] == "not json"
    assert json.loads(completed_with(flow.decide(body, history(flow))))["value"] is None


# The 100-decision cap ---------------------------------------------------------------------------


def test_more_than_100_decisions_are_sent_99_at_a_time_with_a_batch_timer(flow):
    async def body(wf, _):
        results = await wf.all([wf.activity("Item", "1", input=i) for i in range(150)])
        return len(results)

    h = history(flow)
    first = flow.decide(body, h)
    assert len(first) == 100
    assert [a for a, _ in scheduled(first)] == [f"Item-{i}" for i in range(1, 100)]
    assert first[-1] == {
        "decisionType": "StartTimer",
        "startTimerDecisionAttributes": {"timerId": f"swfwasm.batch.{len(h)}", "startToFireTimeout": "0"},
    }
    c = h.completed()
    ids = [h.scheduled(f"Item-{i}", "Item", "1", completed=c) for i in range(1, 100)]
    t = h.timer_started(f"swfwasm.batch.{len(h)}", "0", completed=c)
    h.fired(t)
    rest = flow.decide(body, h)
    assert [a for a, _ in scheduled(rest)] == [f"Item-{i}" for i in range(100, 151)] and len(rest) == 51
    c = h.completed()
    ids += [h.scheduled(f"Item-{i}", "Item", "1", completed=c) for i in range(100, 151)]
    for s in ids:
        h.finished(s, "ActivityTaskCompleted", {"result": "1"}, decision_task=False)
    h.decision_task()
    assert completed_with(flow.decide(body, h)) == "150"


def test_exactly_99_requests_and_an_ending_fit_in_one_task(flow):
    async def body(wf, _):
        for i in range(99):
            wf.record_marker("m", i)
        return "done"

    decisions = flow.decide(body, history(flow))
    assert len(decisions) == 100 and decisions[-1]["decisionType"] == "CompleteWorkflowExecution"


def test_the_ending_waits_for_the_next_batch(flow):
    async def body(wf, _):
        for i in range(100):
            wf.record_marker("m", i)
        return "done"

    decisions = flow.decide(body, history(flow))
    assert len(decisions) == 100 and decisions[-1]["startTimerDecisionAttributes"]["timerId"].startswith("swfwasm.batch.")


# Non-determinism --------------------------------------------------------------------------------


async def original(wf, _):
    await wf.activity("Reserve", "1")
    await wf.sleep(5)
    await wf.activity("Pay", "1")
    return "done"


def original_history(flow):
    h = history(flow)
    done(h, "Reserve-1", "Reserve")  # ActivityTaskScheduled is event 5
    h.timer_fired("sleep-1")  # TimerStarted is event 11
    return h


def test_a_changed_first_activity_is_non_determinism(flow):
    async def changed(wf, _):
        await wf.activity("Quote", "1")
        return await original(wf, _)

    h = original_history(flow)
    assert scheduled(flow.decide(original, h)) == [("Pay-1", None)]
    with pytest.raises(flow.NonDeterminismError) as raised:
        flow.decide(changed, h)
    assert str(raised.value) == (
        "non-determinism at event 5: the history has activity Reserve 1 (Reserve-1), "
        "the code asks for activity Quote 1 (Quote-1)"
    )
    assert raised.value.event_id == 5


def test_a_history_step_no_longer_asked_for_is_non_determinism(flow):
    async def without_sleep(wf, _):
        await wf.activity("Reserve", "1")
        return "done"

    with pytest.raises(flow.NonDeterminismError) as raised:
        flow.decide(without_sleep, original_history(flow))
    assert str(raised.value) == "non-determinism at event 11: the history has timer sleep-1, the code does not ask for it"


def test_a_new_step_while_a_history_step_is_unasked_names_both(flow):
    async def other_timer(wf, _):
        await wf.activity("Reserve", "1")
        await wf.activity("Notify", "1")

    with pytest.raises(flow.NonDeterminismError) as raised:
        flow.decide(other_timer, original_history(flow))
    assert str(raised.value) == (
        "non-determinism at event 11: the history has timer sleep-1, the code asks for activity Notify 1 (Notify-1)"
    )


def test_the_same_id_as_another_type_is_non_determinism(flow):
    async def upgraded(wf, _):
        await wf.activity("Reserve", "2")

    with pytest.raises(flow.NonDeterminismError) as raised:
        flow.decide(upgraded, original_history(flow))
    assert str(raised.value) == (
        "non-determinism at event 5: the history has activity Reserve 1 (Reserve-1), "
        "the code asks for activity Reserve 2 (Reserve-1)"
    )


def test_children_and_markers_are_history_steps_too(flow):
    async def with_child(wf, _):
        wf.record_marker("m", 1)
        await wf.child("Ship", "1")

    h = history(flow)
    c = h.completed()
    h.marker("m", "1", completed=c)
    h.child_initiated("workflow:Ship-1", "Ship", "1", completed=c)
    h.decision_task()
    assert flow.decide(with_child, h) == []

    async def other_child(wf, _):
        wf.record_marker("m", 1)
        await wf.child("Ship", "2")

    with pytest.raises(flow.NonDeterminismError, match=r"^non-determinism at event 6: the history has child workflow Ship 1 \(workflow:Ship-1\), the code asks for child workflow Ship 2 \(workflow:Ship-1\)$"):
        flow.decide(other_child, h)

    async def no_marker(wf, _):
        await wf.child("Ship", "1")

    with pytest.raises(flow.NonDeterminismError, match=r"^non-determinism at event 5: the history has marker m #1, the code does not ask for it$"):
        flow.decide(no_marker, h)


def test_non_determinism_is_reported_before_an_error_of_the_code(flow):
    async def confused(wf, _):
        await wf.activity("Reserve", "1")
        raise RuntimeError("a bug met on the changed path")

    with pytest.raises(flow.NonDeterminismError, match="^non-determinism at event 11: the history has timer sleep-1, the code does not ask for it$"):
        flow.decide(confused, original_history(flow))


def test_a_mismatch_between_attempts_stops_the_run(flow):
    async def retried(wf, _):
        await wf.activity("Pay", "2", retry=3)

    h = history(flow)
    done(h, "Pay-1.1", "Pay", event="ActivityTaskFailed")
    with pytest.raises(flow.NonDeterminismError, match=r"^non-determinism at event 5: the history has activity Pay 1 \(Pay-1.1\), the code asks for activity Pay 2 \(Pay-1.1\)$"):
        flow.decide(retried, h)


def test_batch_timers_are_not_history_steps(flow):
    async def body(wf, _):
        return "done"

    h = history(flow)
    h.timer_fired("swfwasm.batch.3")
    assert kinds(flow.decide(body, h)) == ["CompleteWorkflowExecution"]


def test_non_determinism_cannot_be_swallowed_by_the_code(flow):
    async def stubborn(wf, _):
        try:
            await wf.activity("Other", "1")
        except BaseException:
            pass
        return "done"

    h = history(flow)
    done(h, "Other-1", "Changed")
    with pytest.raises(flow.NonDeterminismError):
        flow.decide(stubborn, h)


# The decider -----------------------------------------------------------------------------------


def test_flow_decider_declares_and_routes_by_workflow_type(flow, guest):
    async def one(wf, _):
        return "one"

    async def two(wf, _):
        return "two"

    WitWorld = flow.flow_decider(
        flow.workflow(guest.workflow_type("One", "1.0", default_task_list="a"), one),
        flow.workflow(guest.workflow_type("Two", "1.0"), two),
    )
    assert [(d.name, d.version, d.default_task_list) for d in WitWorld().describe()] == [("One", "1.0", "a"), ("Two", "1.0", None)]
    answer = json.loads(WitWorld().decide(history(flow, workflow_type=("Two", "1.0")).task()))
    assert answer == {"decisions": [{"decisionType": "CompleteWorkflowExecution", "completeWorkflowExecutionDecisionAttributes": {"result": "two"}}]}
    assert completed_with(flow.decide(WitWorld, history(flow, workflow_type=("One", "1.0")))) == "one"
    with pytest.raises(guest.Err) as raised:
        WitWorld().decide(history(flow, workflow_type=("Three", "1.0")).task())
    assert raised.value.value == "LookupError: no workflow Three 1.0 in this decider (it has One 1.0, Two 1.0)"
    with pytest.raises(ValueError, match="declared twice"):
        flow.flow_decider(flow.workflow(guest.workflow_type("One", "1.0"), one), flow.workflow(guest.workflow_type("One", "1.0"), two))


def test_decide_errors_of_the_decider(flow, guest):
    async def broken(wf, _):
        raise KeyError("missing")

    WitWorld = flow.flow_decider(flow.workflow(guest.workflow_type("Workflow", "1"), broken), flow.workflow(guest.workflow_type("Original", "1"), original))
    with pytest.raises(guest.Err) as raised:
        WitWorld().decide(history(flow).task())
    assert raised.value.value == "KeyError: 'missing'"

    async def changed(wf, _):
        await wf.activity("Quote", "1")

    WitWorld = flow.flow_decider(flow.workflow(guest.workflow_type("Workflow", "1"), changed))
    with pytest.raises(guest.Err) as raised:
        WitWorld().decide(original_history(flow).task())
    assert raised.value.value == (
        "non-determinism at event 5: the history has activity Reserve 1 (Reserve-1), the code asks for activity Quote 1 (Quote-1)"
    )


# The History builder ----------------------------------------------------------------------------


def test_the_history_builder_writes_what_rusts_does(flow):
    h = flow.History.started('"World"')
    s = h.scheduled("Greet-1", "Greet", "1.0")
    h.finished(s, "ActivityTaskCompleted", {"result": '"Hi"'})
    h.signaled("go")
    task = json.loads(h.task())
    assert len(h) == 12
    assert {k: task[k] for k in ("taskToken", "startedEventId", "previousStartedEventId", "workflowExecution", "workflowType")} == {
        "taskToken": "test",
        "startedEventId": 12,
        "previousStartedEventId": 0,
        "workflowExecution": {"workflowId": "workflow", "runId": "run"},
        "workflowType": {"name": "Workflow", "version": "1"},
    }
    events = task["events"]
    assert [e["eventType"] for e in events] == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
        "DecisionTaskCompleted",
        "ActivityTaskScheduled",
        "ActivityTaskStarted",
        "ActivityTaskCompleted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
        "WorkflowExecutionSignaled",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]
    assert events[0] == {
        "eventId": 1,
        "eventTimestamp": 1700000001.0,
        "eventType": "WorkflowExecutionStarted",
        "workflowExecutionStartedEventAttributes": {
            "input": '"World"',
            "childPolicy": "TERMINATE",
            "taskList": {"name": "decisions"},
            "workflowType": {"name": "Workflow", "version": "1"},
        },
    }
    assert events[3]["decisionTaskCompletedEventAttributes"] == {"scheduledEventId": 2, "startedEventId": 3}
    assert events[4]["activityTaskScheduledEventAttributes"] == {
        "activityId": "Greet-1",
        "activityType": {"name": "Greet", "version": "1.0"},
        "taskList": {"name": "activities"},
        "decisionTaskCompletedEventId": 4,
    }
    assert events[6]["activityTaskCompletedEventAttributes"] == {"scheduledEventId": 5, "startedEventId": 6, "result": '"Hi"'}
    assert events[9]["workflowExecutionSignaledEventAttributes"] == {"signalName": "go", "input": None}
