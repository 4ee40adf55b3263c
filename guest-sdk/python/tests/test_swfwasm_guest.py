"""Unit tests of the Python guest helper's decider and activity basics, natively, against the
bindings componentize-py generates (see conftest.py).
"""

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def seed_task(name="hello_task_after_9.json"):
    return (REPO / "swf-model/tests/data" / name).read_text()


def test_a_decision_task_finds_its_events(guest):
    task = guest.DecisionTask.parse(seed_task())
    assert [e.event_id for e in task.events] == list(range(1, 10))
    assert task.last_workflow_event().event_type == "ActivityTaskCompleted"
    assert task.last_workflow_event().attributes["scheduledEventId"] == 5
    assert [e.event_type for e in task.workflow_events()] == [
        "WorkflowExecutionStarted",
        "ActivityTaskScheduled",
        "ActivityTaskStarted",
        "ActivityTaskCompleted",
    ]
    assert task.event(5).event_type == "ActivityTaskScheduled"
    assert task.event(99) is None
    assert len(task.events_of_type("DecisionTaskScheduled")) == 2
    assert task.input is None
    assert task.workflow_type["name"] == "HelloWorkflow"


def test_a_task_without_events_is_refused_by_name(guest):
    with pytest.raises(ValueError, match="no events array"):
        guest.DecisionTask.parse('{"taskToken": "t"}')


def test_decisions_carry_swf_field_names_and_omit_what_is_unset(guest):
    decisions = guest.Decisions()
    decisions.schedule_activity_task("a-1", "Work", "2.0", task_list="jobs", input="x", heartbeatTimeout="60")
    decisions.start_timer("t-1", "30").cancel_timer("t-0").record_marker("m", details="d")
    decisions.request_cancel_activity_task("a-0")
    decisions.push("SignalExternalWorkflowExecution", workflowId="other", signalName="go", input=None)
    decisions.execution_context = "ctx"
    body = json.loads(decisions.to_json())
    assert body["executionContext"] == "ctx"
    assert body["decisions"] == [
        {
            "decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": {
                "activityId": "a-1",
                "activityType": {"name": "Work", "version": "2.0"},
                "taskList": {"name": "jobs"},
                "input": "x",
                "heartbeatTimeout": "60",
            },
        },
        {"decisionType": "StartTimer", "startTimerDecisionAttributes": {"timerId": "t-1", "startToFireTimeout": "30"}},
        {"decisionType": "CancelTimer", "cancelTimerDecisionAttributes": {"timerId": "t-0"}},
        {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": {"markerName": "m", "details": "d"}},
        {"decisionType": "RequestCancelActivityTask", "requestCancelActivityTaskDecisionAttributes": {"activityId": "a-0"}},
        {
            "decisionType": "SignalExternalWorkflowExecution",
            "signalExternalWorkflowExecutionDecisionAttributes": {"workflowId": "other", "signalName": "go"},
        },
    ]


def test_closing_decisions(guest):
    body = json.loads(
        guest.Decisions().complete_workflow_execution("done").to_json()
    )
    assert body == {
        "decisions": [
            {"decisionType": "CompleteWorkflowExecution", "completeWorkflowExecutionDecisionAttributes": {"result": "done"}}
        ]
    }
    failed = json.loads(guest.Decisions().fail_workflow_execution("why").to_json())["decisions"][0]
    assert failed["failWorkflowExecutionDecisionAttributes"] == {"reason": "why"}
    canceled = json.loads(guest.Decisions().cancel_workflow_execution().to_json())["decisions"][0]
    assert canceled == {"decisionType": "CancelWorkflowExecution", "cancelWorkflowExecutionDecisionAttributes": {}}


def test_declarations_set_defaults_and_refuse_unknown_fields(guest):
    wf = guest.workflow_type("W", "1.0", default_task_list="main", default_child_policy="ABANDON")
    assert (wf.name, wf.version, wf.default_task_list, wf.default_child_policy) == ("W", "1.0", "main", "ABANDON")
    assert wf.description is None and wf.default_task_start_to_close_timeout is None
    act = guest.activity_type("A", "1.0", default_task_heartbeat_timeout="60")
    assert act.default_task_heartbeat_timeout == "60" and act.default_task_list is None
    with pytest.raises(TypeError, match="default_heartbeat"):
        guest.activity_type("A", "1.0", default_heartbeat="60")


def test_a_decider_error_becomes_the_decide_error(guest):
    class Broken(guest.Decider):
        def decide_task(self, task):
            raise KeyError("missing")

    with pytest.raises(guest.Err) as raised:
        Broken().decide(seed_task())
    assert raised.value.value == "KeyError: 'missing'"
    with pytest.raises(guest.Err) as raised:
        Broken().decide("not json")
    assert raised.value.value.startswith("JSONDecodeError")


def test_activity_outcomes(guest, heartbeats, logged):
    types = guest.plugin_types

    class Greeter(guest.Activity):
        def run(self, task):
            if task.input == "fail":
                raise guest.ActivityFailed("Bad", "details")
            if task.input == "bug":
                raise ZeroDivisionError("division by zero")
            if guest.heartbeat(f"working on {task.input}") != "ok":
                raise guest.ActivityCanceled("stopped")
            guest.info(f"greeting {task.input}")
            return f"hi {task.input} from {task.activity_id}"

    def task(input):
        return json.dumps({"activityId": "a-1", "activityType": {"name": "G", "version": "1"}, "input": input})

    assert Greeter().execute(task("Ada")) == "hi Ada from a-1"
    assert heartbeats == ["working on Ada"]
    assert logged == [("INFO", "greeting Ada")]

    with pytest.raises(guest.Err) as raised:
        Greeter().execute(task("fail"))
    assert raised.value.value == types.ActivityError_Failed(types.Failure("Bad", "details"))

    with pytest.raises(guest.Err) as raised:
        Greeter().execute(task("bug"))
    assert raised.value.value == types.ActivityError_Failed(types.Failure("ZeroDivisionError", "division by zero"))

    heartbeats.status = types.HeartbeatStatus.CANCEL_REQUESTED
    with pytest.raises(guest.Err) as raised:
        Greeter().execute(task("Bob"))
    assert raised.value.value == types.ActivityError_Canceled("stopped")


def test_heartbeat_statuses_read_as_the_wit_names(guest, heartbeats):
    for status, name in [("OK", "ok"), ("CANCEL_REQUESTED", "cancel-requested"), ("TASK_GONE", "task-gone")]:
        heartbeats.status = getattr(guest.plugin_types.HeartbeatStatus, status)
        assert guest.heartbeat("d") == name


def test_log_levels(guest, logged):
    guest.trace("t")
    guest.debug("d")
    guest.warn("w")
    guest.error("e")
    guest.log("info", 42)
    assert logged == [("TRACE", "t"), ("DEBUG", "d"), ("WARN", "w"), ("ERROR", "e"), ("INFO", "42")]
