"""Done-when 3 (decisions): each of the 13 decision types, with at least one success and at least
one failure cause, checked in the history; plus the decision-list rules (a closing decision must
be last and unique, a bad list is rejected whole with nothing applied)."""

import pytest

from conftest import (
    DOMAIN,
    WF,
    Run,
    attrs,
    decision,
    event_types,
    events_of,
    one_event,
    poll_activity,
    raises_code,
    register_activity_type,
    register_workflow_type,
    schedule_activity,
)


def after_completion(run: Run, task: dict) -> tuple[dict, list[dict]]:
    """The DecisionTaskCompleted of `task`, and every event recorded after it."""
    history = run.history()
    dtc = next(e for e in history if e["eventType"] == "DecisionTaskCompleted"
               and attrs(e)["startedEventId"] == task["startedEventId"])
    return dtc, [e for e in history if e["eventId"] > dtc["eventId"]]


# --------------------------------------------------------------------------------------------
# ScheduleActivityTask / RequestCancelActivityTask
# --------------------------------------------------------------------------------------------

# Every setting of a "Bare" activity type (registered without defaults), and the cause reported
# when the decision leaves exactly that one unresolved.
BARE_SETTINGS = {
    "taskList": ({"name": "bare-acts"}, "DEFAULT_TASK_LIST_UNDEFINED"),
    "scheduleToStartTimeout": ("10", "DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED"),
    "scheduleToCloseTimeout": ("20", "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED"),
    "startToCloseTimeout": ("10", "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
    "heartbeatTimeout": ("5", "DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED"),
}


def test_schedule_activity_task(env):
    swf = env.swf
    register_activity_type(swf, DOMAIN, "Bare", task_list=None, schedule_to_start=None,
                           schedule_to_close=None, start_to_close=None, heartbeat=None)
    register_activity_type(swf, DOMAIN, "Old")
    swf.deprecate_activity_type(domain=DOMAIN, activityType={"name": "Old", "version": "1.0"})
    everything = {k: v for k, (v, _) in BARE_SETTINGS.items()}

    decisions = [
        schedule_activity("ok", input="in", control="ctl"),  # Act 1.0: all from type defaults
        schedule_activity("bare-full", "Bare", **everything),  # Bare: all explicit
    ]
    expected_failures = []
    for missing, (_, cause) in BARE_SETTINGS.items():
        decisions.append(schedule_activity(f"bare-no-{missing}", "Bare",
                                           **{k: v for k, v in everything.items() if k != missing}))
        expected_failures.append((f"bare-no-{missing}", cause))
    decisions += [
        schedule_activity("ghost", "NoSuchActivity"),
        schedule_activity("old", "Old"),
        schedule_activity("ok", "Act"),  # "ok" is still open
    ]
    expected_failures += [
        ("ghost", "ACTIVITY_TYPE_DOES_NOT_EXIST"),
        ("old", "ACTIVITY_TYPE_DEPRECATED"),
        ("ok", "ACTIVITY_ID_ALREADY_IN_USE"),
    ]

    run = env.start()
    task = run.decide(decisions)
    dtc, after = after_completion(run, task)
    assert event_types(after) == (["ActivityTaskScheduled"] * 2 + ["ScheduleActivityTaskFailed"] * len(expected_failures)
                                  + ["DecisionTaskScheduled"])

    ok = attrs(after[0])
    assert ok["activityId"] == "ok"
    assert ok["activityType"] == {"name": "Act", "version": "1.0"}
    assert (ok["input"], ok["control"]) == ("in", "ctl")
    assert ok["decisionTaskCompletedEventId"] == dtc["eventId"]
    # The type's defaults, resolved and recorded.
    assert ok["taskList"] == {"name": "default-activities"}
    assert ok["scheduleToStartTimeout"] == "60"
    assert ok["scheduleToCloseTimeout"] == "120"
    assert ok["startToCloseTimeout"] == "60"
    assert ok["heartbeatTimeout"] == "NONE"
    assert ok.get("taskPriority", "0") == "0"

    full = attrs(after[1])
    assert full["taskList"] == {"name": "bare-acts"}
    assert (full["scheduleToStartTimeout"], full["scheduleToCloseTimeout"],
            full["startToCloseTimeout"], full["heartbeatTimeout"]) == ("10", "20", "10", "5")

    failures = [attrs(e) for e in after[2:-1]]
    assert [(f["activityId"], f["cause"]) for f in failures] == expected_failures
    assert all(f["decisionTaskCompletedEventId"] == dtc["eventId"] for f in failures)
    assert failures[-3]["activityType"] == {"name": "NoSuchActivity", "version": "1.0"}

    assert run.describe()["openCounts"]["openActivityTasks"] == 2
    assert swf.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": "default-activities"})["count"] == 1
    assert swf.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": "bare-acts"})["count"] == 1


def test_activity_task_priority_is_recorded_and_orders_dispatch(env):
    run = env.start()
    run.decide([schedule_activity(f"p{p}", taskList={"name": "prio"}, taskPriority=str(p)) for p in (1, 10, -5, 3)])
    recorded = [attrs(e)["taskPriority"] for e in run.history() if e["eventType"] == "ActivityTaskScheduled"]
    assert recorded == ["1", "10", "-5", "3"]
    order = [poll_activity(env.swf, DOMAIN, "prio")["activityId"] for _ in range(4)]
    assert order == ["p10", "p3", "p1", "p-5"]  # higher priority first


def test_request_cancel_activity_task(env):
    run = env.start()
    run.decide([schedule_activity("a1", taskList={"name": "acts"})])
    scheduled = one_event(run.history(), "ActivityTaskScheduled")
    run.signal("wake-up")  # gives the decider its next task

    task = run.decide([decision("RequestCancelActivityTask", activityId="a1"),
                       decision("RequestCancelActivityTask", activityId="nope")])
    dtc, after = after_completion(run, task)
    # a1 was never started: it is canceled at once (startedEventId 0).
    assert event_types(after) == ["ActivityTaskCancelRequested", "ActivityTaskCanceled",
                                  "RequestCancelActivityTaskFailed", "DecisionTaskScheduled"]
    assert attrs(after[0]) == {"activityId": "a1", "decisionTaskCompletedEventId": dtc["eventId"]}
    canceled = attrs(after[1])
    assert canceled["scheduledEventId"] == scheduled["eventId"]
    assert canceled["startedEventId"] == 0
    assert canceled["latestCancelRequestedEventId"] == after[0]["eventId"]
    failed = attrs(after[2])
    assert (failed["activityId"], failed["cause"]) == ("nope", "ACTIVITY_ID_UNKNOWN")
    assert failed["decisionTaskCompletedEventId"] == dtc["eventId"]

    assert env.swf.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": "acts"})["count"] == 0
    assert run.describe()["openCounts"]["openActivityTasks"] == 0


# --------------------------------------------------------------------------------------------
# The four closing decisions
# --------------------------------------------------------------------------------------------

CLOSING = {
    "CompleteWorkflowExecution": ({"result": "res"}, "WorkflowExecutionCompleted", "COMPLETED",
                                  "CompleteWorkflowExecutionFailed"),
    "FailWorkflowExecution": ({"reason": "why", "details": "dets"}, "WorkflowExecutionFailed", "FAILED",
                              "FailWorkflowExecutionFailed"),
    "CancelWorkflowExecution": ({"details": "dets"}, "WorkflowExecutionCanceled", "CANCELED",
                                "CancelWorkflowExecutionFailed"),
    "ContinueAsNewWorkflowExecution": ({"input": "next", "taskList": {"name": "next-decisions"}, "tagList": ["gen2"]},
                                       "WorkflowExecutionContinuedAsNew", "CONTINUED_AS_NEW",
                                       "ContinueAsNewWorkflowExecutionFailed"),
}


@pytest.mark.parametrize("decision_type", list(CLOSING))
def test_closing_decision_succeeds(env, decision_type):
    attributes, close_event, close_status, _ = CLOSING[decision_type]
    run = env.start()
    task = run.decide([decision(decision_type, **attributes)])
    dtc, after = after_completion(run, task)
    assert event_types(after) == [close_event]
    closed = attrs(after[0])
    assert closed["decisionTaskCompletedEventId"] == dtc["eventId"]
    for key, value in attributes.items():
        assert closed[key] == value, key
    info = run.describe()["executionInfo"]
    assert (info["executionStatus"], info["closeStatus"]) == ("CLOSED", close_status)
    assert run.describe()["openCounts"]["openDecisionTasks"] == 0

    if decision_type == "ContinueAsNewWorkflowExecution":
        # Unspecified settings come from the type's defaults (spec §6.9/§8).
        assert closed["workflowType"] == WF
        assert closed["executionStartToCloseTimeout"] == "300"
        assert closed["taskStartToCloseTimeout"] == "30"
        assert closed["childPolicy"] == "TERMINATE"
        new_run = env.run_of({"workflowId": run.workflow_id, "runId": closed["newExecutionRunId"]}, "next-decisions")
        assert new_run.run_id != run.run_id
        history = new_run.history()
        assert event_types(history) == ["WorkflowExecutionStarted", "DecisionTaskScheduled"]
        started = attrs(history[0])
        assert started["continuedExecutionRunId"] == run.run_id
        assert started["input"] == "next"
        assert started["tagList"] == ["gen2"]
        assert started["taskList"] == {"name": "next-decisions"}
        assert new_run.describe()["executionInfo"]["executionStatus"] == "OPEN"
        new_run.decide([decision("CompleteWorkflowExecution")])  # its decision task is on the new list
        assert new_run.describe()["executionInfo"]["closeStatus"] == "COMPLETED"


@pytest.mark.parametrize("decision_type", list(CLOSING))
def test_closing_decision_unhandled_when_signal_arrives(env, decision_type):
    """Spec §6.18: a signal arrives while the decision task is started, the decider then closes."""
    attributes, close_event, _, failed_event = CLOSING[decision_type]
    run = env.start()
    task = run.poll()
    assert task["startedEventId"] == 3
    run.signal("late", input="news")
    env.swf.respond_decision_task_completed(taskToken=task["taskToken"],
                                            decisions=[decision(decision_type, **attributes)])
    history = run.history()
    assert event_types(history) == ["WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted",
                                    "WorkflowExecutionSignaled", "DecisionTaskCompleted", failed_event,
                                    "DecisionTaskScheduled"]
    assert attrs(history[4])["scheduledEventId"] == 2 and attrs(history[4])["startedEventId"] == 3
    assert attrs(history[5]) == {"cause": "UNHANDLED_DECISION", "decisionTaskCompletedEventId": 5}
    assert run.describe()["executionInfo"]["executionStatus"] == "OPEN"

    # The next task shows the signal; closing now works.
    task2 = run.poll()
    assert task2["previousStartedEventId"] == 3
    assert [e["eventId"] for e in task2["events"]] == list(range(1, 9))
    env.swf.respond_decision_task_completed(taskToken=task2["taskToken"],
                                            decisions=[decision(decision_type, **attributes)])
    assert run.history()[-1]["eventType"] == close_event


def test_unhandled_close_still_applies_the_other_decisions(env):
    # Spec §6.7/§8: only the closing decision fails; the rest of the list is applied.
    run = env.start()
    task = run.poll()
    run.signal("late")
    env.swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[
        decision("RecordMarker", markerName="m"), decision("CompleteWorkflowExecution")])
    dtc, after = after_completion(run, task)
    assert event_types(after) == ["MarkerRecorded", "CompleteWorkflowExecutionFailed", "DecisionTaskScheduled"]
    assert attrs(after[1])["cause"] == "UNHANDLED_DECISION"


def test_events_during_a_started_decision_task_schedule_the_next_one(env):
    # Spec §6.3: a signal while the task is started sets "pending"; completing the task with
    # non-closing decisions then schedules a new decision task at once.
    run = env.start()
    task = run.poll()
    run.signal("during")
    assert run.types()[-1] == "WorkflowExecutionSignaled"  # no second open decision task
    assert run.describe()["openCounts"]["openDecisionTasks"] == 1
    env.swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
    dtc, after = after_completion(run, task)
    assert event_types(after) == ["DecisionTaskScheduled"]
    assert "WorkflowExecutionSignaled" in event_types(run.poll())


def test_continue_as_new_failures(env):
    swf = env.swf
    register_workflow_type(swf, DOMAIN, "Wf", "2.0")
    swf.deprecate_workflow_type(domain=DOMAIN, workflowType={"name": "Wf", "version": "2.0"})
    register_workflow_type(swf, DOMAIN, "Wf", "bare", task_list=None, execution_timeout=None,
                           task_timeout=None, child_policy=None)
    settings = {"taskList": ({"name": "x"}, "DEFAULT_TASK_LIST_UNDEFINED"),
                "executionStartToCloseTimeout": ("60", "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
                "taskStartToCloseTimeout": ("10", "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
                "childPolicy": ("TERMINATE", "DEFAULT_CHILD_POLICY_UNDEFINED")}
    cases = [({"workflowTypeVersion": "9.9"}, "WORKFLOW_TYPE_DOES_NOT_EXIST"),
             ({"workflowTypeVersion": "2.0"}, "WORKFLOW_TYPE_DEPRECATED")]
    for missing, (_, cause) in settings.items():
        given = {k: v for k, (v, _) in settings.items() if k != missing}
        cases.append(({"workflowTypeVersion": "bare", **given}, cause))

    run = env.start()
    for attributes, cause in cases:
        task = run.decide([decision("ContinueAsNewWorkflowExecution", **attributes)])
        dtc, after = after_completion(run, task)
        assert event_types(after) == ["ContinueAsNewWorkflowExecutionFailed", "DecisionTaskScheduled"], attributes
        assert attrs(after[0]) == {"cause": cause, "decisionTaskCompletedEventId": dtc["eventId"]}
        assert run.describe()["executionInfo"]["executionStatus"] == "OPEN"


# --------------------------------------------------------------------------------------------
# RecordMarker, StartTimer, CancelTimer
# --------------------------------------------------------------------------------------------


def test_record_marker(env):
    # RecordMarker's only failure cause is OPERATION_NOT_PERMITTED (an IAM denial), which a local
    # server without IAM never produces, so only the success path is testable.
    run = env.start()
    task = run.decide([decision("RecordMarker", markerName="m1", details="summary"),
                       decision("RecordMarker", markerName="m2")])
    dtc, after = after_completion(run, task)
    assert event_types(after) == ["MarkerRecorded", "MarkerRecorded"]  # markers need no decision
    assert attrs(after[0]) == {"markerName": "m1", "details": "summary", "decisionTaskCompletedEventId": dtc["eventId"]}
    assert attrs(after[1])["markerName"] == "m2"
    assert run.describe()["openCounts"]["openDecisionTasks"] == 0


def test_start_timer(env):
    run = env.start()
    task = run.decide([decision("StartTimer", timerId="t1", startToFireTimeout="1", control="ctl"),
                       decision("StartTimer", timerId="t1", startToFireTimeout="5")])
    dtc, after = after_completion(run, task)
    assert event_types(after) == ["TimerStarted", "StartTimerFailed", "DecisionTaskScheduled"]
    assert attrs(after[0]) == {"timerId": "t1", "control": "ctl", "startToFireTimeout": "1",
                               "decisionTaskCompletedEventId": dtc["eventId"]}
    assert attrs(after[1]) == {"timerId": "t1", "cause": "TIMER_ID_ALREADY_IN_USE",
                               "decisionTaskCompletedEventId": dtc["eventId"]}
    assert run.describe()["openCounts"]["openTimers"] == 1

    fired = run.wait_for_event("TimerFired")
    assert attrs(fired) == {"timerId": "t1", "startedEventId": after[0]["eventId"]}
    assert run.describe()["openCounts"]["openTimers"] == 0


def test_cancel_timer(env):
    run = env.start()
    run.decide([decision("StartTimer", timerId="t1", startToFireTimeout="600")])
    started = one_event(run.history(), "TimerStarted")
    run.signal("wake-up")

    task = run.decide([decision("CancelTimer", timerId="t1"), decision("CancelTimer", timerId="nope")])
    dtc, after = after_completion(run, task)
    assert event_types(after) == ["TimerCanceled", "CancelTimerFailed", "DecisionTaskScheduled"]
    assert attrs(after[0]) == {"timerId": "t1", "startedEventId": started["eventId"],
                               "decisionTaskCompletedEventId": dtc["eventId"]}
    assert attrs(after[1]) == {"timerId": "nope", "cause": "TIMER_ID_UNKNOWN",
                               "decisionTaskCompletedEventId": dtc["eventId"]}
    assert run.describe()["openCounts"]["openTimers"] == 0

    # A canceled timer is no longer open: canceling it again fails too.
    task = run.decide([decision("CancelTimer", timerId="t1")])
    _, after = after_completion(run, task)
    assert event_types(after) == ["CancelTimerFailed", "DecisionTaskScheduled"]
    assert attrs(after[0])["cause"] == "TIMER_ID_UNKNOWN"


# --------------------------------------------------------------------------------------------
# SignalExternalWorkflowExecution, RequestCancelExternalWorkflowExecution
# --------------------------------------------------------------------------------------------


def test_signal_external_workflow_execution(env):
    source, target = env.start("source"), env.start("target")
    task = source.decide([
        decision("SignalExternalWorkflowExecution", workflowId="target", runId=target.run_id,
                 signalName="ping", input="data", control="ctl"),
        decision("SignalExternalWorkflowExecution", workflowId="ghost", signalName="ping", control="c2"),
    ])
    dtc, after = after_completion(source, task)
    assert event_types(after)[:2] == ["SignalExternalWorkflowExecutionInitiated"] * 2
    init_ok, init_ghost = after[0], after[1]
    assert attrs(init_ok)["workflowId"] == "target"
    assert attrs(init_ok)["runId"] == target.run_id
    assert attrs(init_ok)["signalName"] == "ping"
    assert attrs(init_ok)["input"] == "data"
    assert attrs(init_ok)["control"] == "ctl"
    assert attrs(init_ok)["decisionTaskCompletedEventId"] == dtc["eventId"]

    delivered = source.wait_for_event("ExternalWorkflowExecutionSignaled")
    assert attrs(delivered) == {"workflowExecution": target.execution, "initiatedEventId": init_ok["eventId"]}
    failed = source.wait_for_event("SignalExternalWorkflowExecutionFailed")
    assert attrs(failed)["cause"] == "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"
    assert attrs(failed)["workflowId"] == "ghost"
    assert attrs(failed)["initiatedEventId"] == init_ghost["eventId"]
    assert attrs(failed)["decisionTaskCompletedEventId"] == dtc["eventId"]
    assert attrs(failed).get("control") == "c2"

    signaled = one_event(target.history(), "WorkflowExecutionSignaled")
    assert attrs(signaled)["signalName"] == "ping"
    assert attrs(signaled)["input"] == "data"
    assert attrs(signaled)["externalWorkflowExecution"] == source.execution
    assert attrs(signaled)["externalInitiatedEventId"] == init_ok["eventId"]
    # Both outcomes need a decision: the source has one decision task queued.
    assert source.describe()["openCounts"]["openDecisionTasks"] == 1


def test_request_cancel_external_workflow_execution(env):
    source, target, gone = env.start("source"), env.start("target"), env.start("gone")
    env.swf.terminate_workflow_execution(domain=DOMAIN, workflowId="gone")
    task = source.decide([
        decision("RequestCancelExternalWorkflowExecution", workflowId="target", control="ctl"),
        decision("RequestCancelExternalWorkflowExecution", workflowId="gone", runId=gone.run_id),
    ])
    dtc, after = after_completion(source, task)
    assert event_types(after)[:2] == ["RequestCancelExternalWorkflowExecutionInitiated"] * 2
    init_ok, init_gone = after[0], after[1]
    assert attrs(init_ok)["workflowId"] == "target"
    assert attrs(init_ok)["control"] == "ctl"
    assert attrs(init_ok)["decisionTaskCompletedEventId"] == dtc["eventId"]

    delivered = source.wait_for_event("ExternalWorkflowExecutionCancelRequested")
    assert attrs(delivered) == {"workflowExecution": target.execution, "initiatedEventId": init_ok["eventId"]}
    failed = source.wait_for_event("RequestCancelExternalWorkflowExecutionFailed")
    assert attrs(failed)["cause"] == "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"  # closed runs count as unknown
    assert attrs(failed)["workflowId"] == "gone"
    assert attrs(failed)["initiatedEventId"] == init_gone["eventId"]

    requested = one_event(target.history(), "WorkflowExecutionCancelRequested")
    assert attrs(requested)["externalWorkflowExecution"] == source.execution
    assert attrs(requested)["externalInitiatedEventId"] == init_ok["eventId"]
    assert target.describe()["executionInfo"]["cancelRequested"] is True
    assert target.describe()["executionInfo"]["executionStatus"] == "OPEN"  # only a request


# --------------------------------------------------------------------------------------------
# StartChildWorkflowExecution
# --------------------------------------------------------------------------------------------


def test_start_child_workflow_execution(env):
    swf = env.swf
    parent = env.start("parent")
    task = parent.decide([decision("StartChildWorkflowExecution", workflowType=WF, workflowId="child",
                                   input="child-in", control="ctl", taskList={"name": "child-decisions"})])
    dtc, after = after_completion(parent, task)
    assert event_types(after)[0] == "StartChildWorkflowExecutionInitiated"
    initiated = after[0]
    ia = attrs(initiated)
    assert (ia["workflowId"], ia["workflowType"], ia["input"], ia["control"]) == ("child", WF, "child-in", "ctl")
    assert ia["taskList"] == {"name": "child-decisions"}
    assert ia["childPolicy"] == "TERMINATE"  # the type's default
    assert ia["decisionTaskCompletedEventId"] == dtc["eventId"]

    started = parent.wait_for_event("ChildWorkflowExecutionStarted")
    sa = attrs(started)
    assert sa["workflowType"] == WF
    assert sa["initiatedEventId"] == initiated["eventId"]
    assert sa["workflowExecution"]["workflowId"] == "child"
    child = env.run_of(sa["workflowExecution"], "child-decisions")

    child_history = child.history()
    assert event_types(child_history) == ["WorkflowExecutionStarted", "DecisionTaskScheduled"]
    cs = attrs(child_history[0])
    assert cs["parentWorkflowExecution"] == parent.execution
    assert cs["parentInitiatedEventId"] == initiated["eventId"]
    assert cs["input"] == "child-in"
    assert child.describe()["executionInfo"]["parent"] == parent.execution
    assert parent.describe()["openCounts"]["openChildWorkflowExecutions"] == 1

    child.decide([decision("CompleteWorkflowExecution", result="child-out")])
    done = parent.wait_for_event("ChildWorkflowExecutionCompleted")
    assert attrs(done) == {"workflowExecution": child.execution, "workflowType": WF, "result": "child-out",
                           "initiatedEventId": initiated["eventId"], "startedEventId": started["eventId"]}
    assert parent.describe()["openCounts"]["openChildWorkflowExecutions"] == 0

    # Failures: an unknown type fails at once (no Initiated event, initiatedEventId 0); a workflowId
    # that belongs to an open run fails after its Initiated event.
    busy = env.start("busy")
    task = parent.decide([
        decision("StartChildWorkflowExecution", workflowType={"name": "Nope", "version": "1"}, workflowId="c2",
                 control="c2-ctl"),
        decision("StartChildWorkflowExecution", workflowType=WF, workflowId="busy"),
    ])
    dtc, after = after_completion(parent, task)
    assert event_types(after)[:2] == ["StartChildWorkflowExecutionFailed", "StartChildWorkflowExecutionInitiated"]
    nope = attrs(after[0])
    assert (nope["cause"], nope["workflowId"], nope["initiatedEventId"]) == ("WORKFLOW_TYPE_DOES_NOT_EXIST", "c2", 0)
    assert nope["workflowType"] == {"name": "Nope", "version": "1"}
    assert nope["decisionTaskCompletedEventId"] == dtc["eventId"]
    assert nope.get("control") == "c2-ctl"
    busy_init = after[1]

    busy_failed = parent.wait_for_event("StartChildWorkflowExecutionFailed", count=2)
    bf = attrs(busy_failed)
    assert (bf["cause"], bf["workflowId"], bf["initiatedEventId"]) == ("WORKFLOW_ALREADY_RUNNING", "busy",
                                                                       busy_init["eventId"])
    assert busy.describe()["executionInfo"].get("parent") is None  # untouched
    assert len(events_of(parent.history(), "ChildWorkflowExecutionStarted")) == 1


# --------------------------------------------------------------------------------------------
# ScheduleLambdaFunction
# --------------------------------------------------------------------------------------------


def test_schedule_lambda_function_is_not_available(env):
    # local-swf has no Lambda: the decision always fails with LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION,
    # so there is no success path to test.
    run = env.start()
    task = run.decide([decision("ScheduleLambdaFunction", id="l1", name="my-function", input="x",
                                startToCloseTimeout="60")])
    dtc, after = after_completion(run, task)
    assert event_types(after) == ["ScheduleLambdaFunctionFailed", "DecisionTaskScheduled"]
    assert attrs(after[0]) == {"id": "l1", "name": "my-function", "cause": "LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION",
                               "decisionTaskCompletedEventId": dtc["eventId"]}


# --------------------------------------------------------------------------------------------
# Rules for the whole decision list
# --------------------------------------------------------------------------------------------


def test_close_decision_not_last_is_rejected_with_nothing_applied(env):
    swf = env.swf
    run = env.start()
    task = run.poll()
    before = run.history()
    bad_lists = [
        [decision("CompleteWorkflowExecution"), decision("RecordMarker", markerName="m")],
        [decision("RecordMarker", markerName="m"), decision("CompleteWorkflowExecution"),
         decision("FailWorkflowExecution")],
        [decision("StartTimer", timerId="t", startToFireTimeout="5"), decision("Dance")],  # unknown type
    ]
    for decisions in bad_lists:
        with raises_code("ValidationException"):
            swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
        assert run.history() == before, decisions

    # The task is still started and its token still good.
    swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[
        decision("RecordMarker", markerName="m"), decision("CompleteWorkflowExecution")])
    assert event_types(run.history())[3:] == ["DecisionTaskCompleted", "MarkerRecorded", "WorkflowExecutionCompleted"]
