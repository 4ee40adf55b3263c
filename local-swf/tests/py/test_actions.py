"""Done-when 3 (actions): every one of the 39 SWF actions is called through boto3 with its result
checked, including the modeled faults: DomainAlreadyExists, DomainDeprecated, TypeAlreadyExists,
TypeDeprecated, TypeNotDeprecated, WorkflowExecutionAlreadyStarted, DefaultUndefined, TooManyTags
and UnknownResource (unknown names, stale tokens, closed runs)."""

import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from botocore import xform_name

from conftest import (
    ACT,
    DOMAIN,
    WF,
    attrs,
    decision,
    event_types,
    get_history,
    one_event,
    poll_activity,
    raises_code,
    register_activity_type,
    register_domain,
    register_workflow_type,
    schedule_activity,
    since,
)


def test_every_action_is_exercised_in_this_file(swf):
    """Static guard: each of the model's 39 operations is called as `swf.<operation>` below."""
    source = Path(__file__).read_text()
    operations = swf.meta.service_model.operation_names
    assert len(operations) == 39
    missing = [op for op in operations if not re.search(rf"\bswf\.{xform_name(op)}\b", source)]
    assert missing == []


# --------------------------------------------------------------------------------------------
# Domains
# --------------------------------------------------------------------------------------------


def test_domain_lifecycle_and_faults(swf):
    swf.register_domain(name="d1", description="first", workflowExecutionRetentionPeriodInDays="7")
    d = swf.describe_domain(name="d1")
    assert d["domainInfo"]["name"] == "d1"
    assert d["domainInfo"]["status"] == "REGISTERED"
    assert d["domainInfo"]["description"] == "first"
    assert re.fullmatch(r"arn:aws:swf:us-east-1:\d{12}:/domain/d1", d["domainInfo"]["arn"])
    assert d["configuration"] == {"workflowExecutionRetentionPeriodInDays": "7"}

    with raises_code("DomainAlreadyExistsFault"):
        swf.register_domain(name="d1", workflowExecutionRetentionPeriodInDays="1")
    with raises_code("DomainAlreadyExistsFault"):  # undeprecating a REGISTERED domain
        swf.undeprecate_domain(name="d1")

    swf.deprecate_domain(name="d1")
    assert swf.describe_domain(name="d1")["domainInfo"]["status"] == "DEPRECATED"
    with raises_code("DomainDeprecatedFault"):
        swf.deprecate_domain(name="d1")
    with raises_code("DomainAlreadyExistsFault"):  # names are unique across both statuses
        swf.register_domain(name="d1", workflowExecutionRetentionPeriodInDays="1")
    assert [i["name"] for i in swf.list_domains(registrationStatus="DEPRECATED")["domainInfos"]] == ["d1"]
    assert swf.list_domains(registrationStatus="REGISTERED")["domainInfos"] == []

    swf.undeprecate_domain(name="d1")
    assert swf.describe_domain(name="d1")["domainInfo"]["status"] == "REGISTERED"

    for call in (swf.describe_domain, swf.deprecate_domain, swf.undeprecate_domain):
        with raises_code("UnknownResourceFault"):
            call(name="no-such-domain")


def test_deprecating_a_domain_deprecates_its_types(swf):
    register_domain(swf, "d2")
    register_workflow_type(swf, "d2", "W")
    register_activity_type(swf, "d2", "A")
    swf.deprecate_domain(name="d2")
    assert swf.describe_workflow_type(domain="d2", workflowType={"name": "W", "version": "1.0"})[
        "typeInfo"]["status"] == "DEPRECATED"
    assert swf.describe_activity_type(domain="d2", activityType={"name": "A", "version": "1.0"})[
        "typeInfo"]["status"] == "DEPRECATED"


def test_at_most_100_domains(swf):
    for i in range(99):
        register_domain(swf, f"many-{i:03d}")
    swf.deprecate_domain(name="many-000")  # deprecated domains still count
    register_domain(swf, "the-100th")
    with raises_code("LimitExceededFault"):
        register_domain(swf, "the-101st")


def test_list_domains_pages_and_reverse_order(swf):
    names = [f"dom-{c}" for c in "fbdaec"]
    for n in names:
        register_domain(swf, n)
    swf.deprecate_domain(name="dom-e")
    registered = sorted(set(names) - {"dom-e"})

    collected, token, pages = [], None, 0
    while True:
        kwargs = {"nextPageToken": token} if token else {}
        resp = swf.list_domains(registrationStatus="REGISTERED", maximumPageSize=2, **kwargs)
        assert len(resp["domainInfos"]) <= 2
        collected += [i["name"] for i in resp["domainInfos"]]
        pages += 1
        token = resp.get("nextPageToken")
        if not token:
            break
    assert collected == registered  # ascending by name, each once
    assert pages >= 3

    rev = swf.list_domains(registrationStatus="REGISTERED", reverseOrder=True)
    assert [i["name"] for i in rev["domainInfos"]] == registered[::-1]
    assert "nextPageToken" not in rev
    assert all(i["status"] == "REGISTERED" for i in rev["domainInfos"])


# --------------------------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------------------------


def _type_lifecycle(swf, kind, register, deprecate, undeprecate, delete, describe, list_types, defaults):
    """The same lifecycle for activity and workflow types (kind = "activityType"/"workflowType")."""
    register_domain(swf, DOMAIN)
    ident = {"name": "T", "version": "1.0"}
    register(domain=DOMAIN, name="T", version="1.0", description="a type", **defaults)

    d = describe(domain=DOMAIN, **{kind: ident})
    assert d["typeInfo"][kind] == ident
    assert d["typeInfo"]["status"] == "REGISTERED"
    assert d["typeInfo"]["description"] == "a type"
    assert isinstance(d["typeInfo"]["creationDate"], datetime)
    assert "deprecationDate" not in d["typeInfo"]
    assert d["configuration"] == defaults  # exactly the defaults that were supplied

    with raises_code("TypeAlreadyExistsFault"):
        register(domain=DOMAIN, name="T", version="1.0")
    with raises_code("TypeAlreadyExistsFault"):  # undeprecating a REGISTERED type
        undeprecate(domain=DOMAIN, **{kind: ident})
    with raises_code("TypeNotDeprecatedFault"):  # only deprecated types may be deleted
        delete(domain=DOMAIN, **{kind: ident})

    deprecate(domain=DOMAIN, **{kind: ident})
    d = describe(domain=DOMAIN, **{kind: ident})
    assert d["typeInfo"]["status"] == "DEPRECATED"
    assert isinstance(d["typeInfo"]["deprecationDate"], datetime)
    with raises_code("TypeDeprecatedFault"):
        deprecate(domain=DOMAIN, **{kind: ident})
    with raises_code("TypeAlreadyExistsFault"):  # still exists while deprecated
        register(domain=DOMAIN, name="T", version="1.0")
    assert [t[kind] for t in list_types(domain=DOMAIN, registrationStatus="DEPRECATED")["typeInfos"]] == [ident]
    assert list_types(domain=DOMAIN, registrationStatus="REGISTERED")["typeInfos"] == []

    undeprecate(domain=DOMAIN, **{kind: ident})
    assert describe(domain=DOMAIN, **{kind: ident})["typeInfo"]["status"] == "REGISTERED"

    deprecate(domain=DOMAIN, **{kind: ident})
    delete(domain=DOMAIN, **{kind: ident})
    with raises_code("UnknownResourceFault"):
        describe(domain=DOMAIN, **{kind: ident})
    for call in (deprecate, undeprecate, delete):
        with raises_code("UnknownResourceFault"):
            call(domain=DOMAIN, **{kind: ident})
    with raises_code("UnknownResourceFault"):
        register(domain="no-such-domain", name="T", version="1.0")

    # Listing: ascending by name then version, the optional exact-name filter, paging, reverse.
    for name, version in [("b", "2"), ("a", "1"), ("c", "1"), ("b", "1"), ("a", "2")]:
        register(domain=DOMAIN, name=name, version=version)
    expected = [("a", "1"), ("a", "2"), ("b", "1"), ("b", "2"), ("c", "1")]
    got, token = [], None
    while True:
        kwargs = {"nextPageToken": token} if token else {}
        resp = list_types(domain=DOMAIN, registrationStatus="REGISTERED", maximumPageSize=2, **kwargs)
        assert len(resp["typeInfos"]) <= 2
        got += [(t[kind]["name"], t[kind]["version"]) for t in resp["typeInfos"]]
        token = resp.get("nextPageToken")
        if not token:
            break
    assert got == expected
    rev = list_types(domain=DOMAIN, registrationStatus="REGISTERED", reverseOrder=True)["typeInfos"]
    assert [(t[kind]["name"], t[kind]["version"]) for t in rev] == expected[::-1]
    only_b = list_types(domain=DOMAIN, registrationStatus="REGISTERED", name="b")["typeInfos"]
    assert [(t[kind]["name"], t[kind]["version"]) for t in only_b] == [("b", "1"), ("b", "2")]
    with raises_code("UnknownResourceFault"):
        list_types(domain="no-such-domain", registrationStatus="REGISTERED")


def test_activity_type_lifecycle(swf):
    _type_lifecycle(
        swf, "activityType",
        swf.register_activity_type, swf.deprecate_activity_type, swf.undeprecate_activity_type,
        swf.delete_activity_type, swf.describe_activity_type, swf.list_activity_types,
        defaults={
            "defaultTaskStartToCloseTimeout": "60",
            "defaultTaskHeartbeatTimeout": "NONE",
            "defaultTaskList": {"name": "acts"},
            "defaultTaskPriority": "5",
            "defaultTaskScheduleToStartTimeout": "30",
            "defaultTaskScheduleToCloseTimeout": "90",
        },
    )


def test_workflow_type_lifecycle(swf):
    _type_lifecycle(
        swf, "workflowType",
        swf.register_workflow_type, swf.deprecate_workflow_type, swf.undeprecate_workflow_type,
        swf.delete_workflow_type, swf.describe_workflow_type, swf.list_workflow_types,
        defaults={
            "defaultTaskStartToCloseTimeout": "30",
            "defaultExecutionStartToCloseTimeout": "3600",
            "defaultTaskList": {"name": "decisions"},
            "defaultTaskPriority": "-3",
            "defaultChildPolicy": "ABANDON",
        },
    )


# --------------------------------------------------------------------------------------------
# Starting and controlling executions
# --------------------------------------------------------------------------------------------


def test_start_workflow_execution_and_its_faults(env):
    swf = env.swf
    run_id = swf.start_workflow_execution(
        domain=DOMAIN, workflowId="w1", workflowType=WF, input="in", tagList=["a", "b"],
        taskList={"name": "tl"}, taskPriority="7", executionStartToCloseTimeout="600",
        taskStartToCloseTimeout="20", childPolicy="ABANDON")["runId"]
    assert 1 <= len(run_id) <= 64
    execution = {"workflowId": "w1", "runId": run_id}
    history = get_history(swf, DOMAIN, execution)
    assert event_types(history) == ["WorkflowExecutionStarted", "DecisionTaskScheduled"]
    started = attrs(history[0])
    assert started["input"] == "in"
    assert started["tagList"] == ["a", "b"]
    assert started["taskList"] == {"name": "tl"}
    assert started["taskPriority"] == "7"
    assert started["executionStartToCloseTimeout"] == "600"
    assert started["taskStartToCloseTimeout"] == "20"
    assert started["childPolicy"] == "ABANDON"
    assert started["workflowType"] == WF
    assert attrs(history[1])["taskList"] == {"name": "tl"}
    assert attrs(history[1])["startToCloseTimeout"] == "20"

    with raises_code("WorkflowExecutionAlreadyStartedFault"):
        swf.start_workflow_execution(domain=DOMAIN, workflowId="w1", workflowType=WF)
    with raises_code("UnknownResourceFault"):
        swf.start_workflow_execution(domain=DOMAIN, workflowId="w2", workflowType={"name": "Nope", "version": "1"})
    with raises_code("UnknownResourceFault"):
        swf.start_workflow_execution(domain="no-such-domain", workflowId="w2", workflowType=WF)

    # Without type defaults, each unresolved setting is a DefaultUndefinedFault.
    register_workflow_type(swf, DOMAIN, "Bare", task_list=None, execution_timeout=None,
                           task_timeout=None, child_policy=None)
    bare = {"name": "Bare", "version": "1.0"}
    complete = {"taskList": {"name": "x"}, "executionStartToCloseTimeout": "60",
                "taskStartToCloseTimeout": "10", "childPolicy": "TERMINATE"}
    for missing in complete:
        kwargs = {k: v for k, v in complete.items() if k != missing}
        with raises_code("DefaultUndefinedFault"):
            swf.start_workflow_execution(domain=DOMAIN, workflowId=f"bare-{missing}", workflowType=bare, **kwargs)
    swf.start_workflow_execution(domain=DOMAIN, workflowId="bare-ok", workflowType=bare, **complete)

    # Priority: the request's, else the type's default, else "0".
    register_workflow_type(swf, DOMAIN, "Prio", defaultTaskPriority="-3")
    run_id = swf.start_workflow_execution(domain=DOMAIN, workflowId="prio", workflowType={"name": "Prio", "version": "1.0"})["runId"]
    started = attrs(get_history(swf, DOMAIN, {"workflowId": "prio", "runId": run_id})[0])
    assert started["taskPriority"] == "-3"
    assert started["taskList"] == {"name": "default-decisions"}  # the type's default list

    swf.deprecate_workflow_type(domain=DOMAIN, workflowType=bare)
    with raises_code("TypeDeprecatedFault"):
        swf.start_workflow_execution(domain=DOMAIN, workflowId="bare-2", workflowType=bare, **complete)


def test_signal_cancel_request_and_terminate(env):
    swf = env.swf
    run = env.start("w1")
    swf.signal_workflow_execution(domain=DOMAIN, workflowId="w1", signalName="go", input="payload")
    swf.request_cancel_workflow_execution(domain=DOMAIN, workflowId="w1", runId=run.run_id)
    history = run.history()
    assert event_types(history) == ["WorkflowExecutionStarted", "DecisionTaskScheduled",
                                    "WorkflowExecutionSignaled", "WorkflowExecutionCancelRequested"]
    sig = attrs(history[2])
    assert (sig["signalName"], sig["input"]) == ("go", "payload")
    assert "externalWorkflowExecution" not in sig
    assert run.describe()["executionInfo"]["cancelRequested"] is True

    swf.terminate_workflow_execution(domain=DOMAIN, workflowId="w1", reason="because", details="dets",
                                     childPolicy="ABANDON")
    history = run.history()
    term = history[-1]
    assert term["eventType"] == "WorkflowExecutionTerminated"
    assert attrs(term)["reason"] == "because"
    assert attrs(term)["details"] == "dets"
    assert attrs(term)["childPolicy"] == "ABANDON"
    assert attrs(term)["cause"] == "OPERATOR_INITIATED"
    info = run.describe()["executionInfo"]
    assert (info["executionStatus"], info["closeStatus"]) == ("CLOSED", "TERMINATED")
    assert isinstance(info["closeTimestamp"], datetime)
    # The queued decision task vanished with the run.
    assert swf.count_pending_decision_tasks(domain=DOMAIN, taskList={"name": run.task_list})["count"] == 0

    # A closed run cannot be signalled, cancelled or terminated ...
    with raises_code("UnknownResourceFault"):
        swf.signal_workflow_execution(domain=DOMAIN, workflowId="w1", signalName="late")
    with raises_code("UnknownResourceFault"):
        swf.request_cancel_workflow_execution(domain=DOMAIN, workflowId="w1")
    with raises_code("UnknownResourceFault"):
        swf.terminate_workflow_execution(domain=DOMAIN, workflowId="w1", runId=run.run_id)
    with raises_code("UnknownResourceFault"):
        swf.signal_workflow_execution(domain=DOMAIN, workflowId="never-started", signalName="x")
    # ... but its workflowId is free again.
    again = env.start("w1")
    assert again.run_id != run.run_id


# --------------------------------------------------------------------------------------------
# Decider and activity worker APIs
# --------------------------------------------------------------------------------------------


def test_decision_and_activity_round_trip(env):
    swf = env.swf
    run = env.start("w1", input="hello")
    tl = {"name": run.task_list}
    pending = swf.count_pending_decision_tasks(domain=DOMAIN, taskList=tl)
    assert pending["count"] == 1
    assert pending.get("truncated", False) is False

    task = swf.poll_for_decision_task(domain=DOMAIN, taskList=tl, identity="decider-1")
    assert task["taskToken"]
    assert task["startedEventId"] == 3
    assert task["previousStartedEventId"] == 0
    assert task["workflowExecution"] == run.execution
    assert task["workflowType"] == WF
    assert event_types(task) == ["WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted"]
    assert attrs(task["events"][2])["identity"] == "decider-1"
    assert swf.count_pending_decision_tasks(domain=DOMAIN, taskList=tl)["count"] == 0
    assert run.describe()["openCounts"]["openDecisionTasks"] == 1

    swf.respond_decision_task_completed(
        taskToken=task["taskToken"], executionContext="ctx-1",
        decisions=[schedule_activity("a1", input="act-in", taskList={"name": "acts"})])
    desc = run.describe()
    assert desc["latestExecutionContext"] == "ctx-1"
    assert desc["openCounts"]["openActivityTasks"] == 1
    assert desc["openCounts"]["openDecisionTasks"] == 0
    assert desc["openCounts"]["openTimers"] == 0
    assert desc["openCounts"]["openChildWorkflowExecutions"] == 0
    assert isinstance(desc["latestActivityTaskTimestamp"], datetime)
    assert desc["executionConfiguration"]["taskList"] == tl
    assert desc["executionConfiguration"]["childPolicy"] == "TERMINATE"
    assert desc["executionConfiguration"]["executionStartToCloseTimeout"] == "300"
    assert desc["executionConfiguration"]["taskStartToCloseTimeout"] == "30"
    assert desc["executionInfo"]["executionStatus"] == "OPEN"
    assert desc["executionInfo"]["cancelRequested"] is False
    with raises_code("UnknownResourceFault"):  # the decision token is spent
        swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])

    assert swf.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": "acts"})["count"] == 1
    act = swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "acts"}, identity="worker-1")
    assert act["taskToken"]
    assert act["activityId"] == "a1"
    assert act["activityType"] == ACT
    assert act["input"] == "act-in"
    assert act["workflowExecution"] == run.execution
    assert swf.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": "acts"})["count"] == 0
    started = get_history(swf, DOMAIN, run.execution)[act["startedEventId"] - 1]
    assert started["eventType"] == "ActivityTaskStarted"
    assert attrs(started)["identity"] == "worker-1"

    hb = swf.record_activity_task_heartbeat(taskToken=act["taskToken"], details="50%")
    assert hb["cancelRequested"] is False
    swf.respond_activity_task_completed(taskToken=act["taskToken"], result="done")
    for stale in (lambda: swf.respond_activity_task_completed(taskToken=act["taskToken"], result="again"),
                  lambda: swf.record_activity_task_heartbeat(taskToken=act["taskToken"]),
                  lambda: swf.respond_activity_task_failed(taskToken=act["taskToken"]),
                  lambda: swf.respond_activity_task_canceled(taskToken=act["taskToken"])):
        with raises_code("UnknownResourceFault"):
            stale()

    completed = one_event(run.history(), "ActivityTaskCompleted")
    assert attrs(completed)["result"] == "done"

    task2 = swf.poll_for_decision_task(domain=DOMAIN, taskList=tl, identity="decider-1")
    assert task2["previousStartedEventId"] == 3
    assert event_types(task2)[-3:] == ["ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted"]
    swf.respond_decision_task_completed(taskToken=task2["taskToken"],
                                        decisions=[decision("CompleteWorkflowExecution", result="r")])
    assert run.describe()["executionInfo"]["closeStatus"] == "COMPLETED"

    # Unknown domain for polls and counts.
    with raises_code("UnknownResourceFault"):
        swf.poll_for_decision_task(domain="no-such-domain", taskList=tl)
    with raises_code("UnknownResourceFault"):
        swf.poll_for_activity_task(domain="no-such-domain", taskList=tl)
    with raises_code("UnknownResourceFault"):
        swf.count_pending_activity_tasks(domain="no-such-domain", taskList=tl)
    # A task list nobody used counts 0.
    assert swf.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": "unused"})["count"] == 0


def test_respond_activity_task_failed(env):
    swf = env.swf
    run = env.start()
    run.decide([schedule_activity("a1", taskList={"name": "acts"})])
    act = poll_activity(swf, DOMAIN, "acts")
    swf.respond_activity_task_failed(taskToken=act["taskToken"], reason="boom", details="stack")
    failed = one_event(run.history(), "ActivityTaskFailed")
    assert attrs(failed)["reason"] == "boom"
    assert attrs(failed)["details"] == "stack"
    assert attrs(failed)["scheduledEventId"] == one_event(run.history(), "ActivityTaskScheduled")["eventId"]
    assert run.history()[-1]["eventType"] == "DecisionTaskScheduled"  # a failure needs a decision
    with raises_code("UnknownResourceFault"):
        swf.respond_activity_task_failed(taskToken=act["taskToken"], reason="again")


def test_cancel_requested_on_heartbeat_then_respond_canceled(env):
    swf = env.swf
    run = env.start()
    run.decide([schedule_activity("a1", taskList={"name": "acts"})])
    act = poll_activity(swf, DOMAIN, "acts")
    assert swf.record_activity_task_heartbeat(taskToken=act["taskToken"])["cancelRequested"] is False

    # The workflow is asked to cancel; the decider passes it on to the started activity.
    swf.request_cancel_workflow_execution(domain=DOMAIN, workflowId=run.workflow_id)
    run.decide([decision("RequestCancelActivityTask", activityId="a1")])
    cancel_req = one_event(run.history(), "ActivityTaskCancelRequested")
    assert attrs(cancel_req)["activityId"] == "a1"
    assert "ActivityTaskCanceled" not in run.types()  # started: cancellation is cooperative

    assert swf.record_activity_task_heartbeat(taskToken=act["taskToken"], details="x")["cancelRequested"] is True
    swf.respond_activity_task_canceled(taskToken=act["taskToken"], details="stopped")
    canceled = one_event(run.history(), "ActivityTaskCanceled")
    assert attrs(canceled)["details"] == "stopped"
    assert attrs(canceled)["latestCancelRequestedEventId"] == cancel_req["eventId"]
    assert attrs(canceled)["startedEventId"] == act["startedEventId"]
    assert run.history()[-1]["eventType"] == "DecisionTaskScheduled"

    run.decide([decision("CancelWorkflowExecution", details="bye")])
    assert run.describe()["executionInfo"]["closeStatus"] == "CANCELED"


def test_tokens_die_with_their_run(env):
    swf = env.swf
    run = env.start()
    run.decide([schedule_activity("a1", taskList={"name": "acts"}),
                schedule_activity("queued", taskList={"name": "queued-acts"})])
    activity = poll_activity(swf, DOMAIN, "acts")
    run.signal("wake-up")
    decision_task = run.poll()
    swf.terminate_workflow_execution(domain=DOMAIN, workflowId=run.workflow_id)
    # Queued tasks left their lists with the run.
    assert swf.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": "queued-acts"})["count"] == 0
    with raises_code("UnknownResourceFault"):
        swf.respond_decision_task_completed(taskToken=decision_task["taskToken"], decisions=[])
    with raises_code("UnknownResourceFault"):
        swf.record_activity_task_heartbeat(taskToken=activity["taskToken"])
    with raises_code("UnknownResourceFault"):
        swf.respond_activity_task_completed(taskToken=activity["taskToken"])
    assert run.history()[-1]["eventType"] == "WorkflowExecutionTerminated"


def test_malformed_task_token(env):
    # Spec §6.5: an undecodable token is a ValidationException; a stale one is UnknownResourceFault.
    with raises_code("ValidationException"):
        env.swf.respond_activity_task_completed(taskToken="not-a-real-token")
    with raises_code("ValidationException"):
        env.swf.respond_decision_task_completed(taskToken="not-a-real-token", decisions=[])


# --------------------------------------------------------------------------------------------
# Visibility
# --------------------------------------------------------------------------------------------


def test_describe_and_history_of_unknown_run(env):
    swf = env.swf
    run = env.start("w1")
    bogus = {"workflowId": "w1", "runId": run.run_id[:-1] + ("x" if run.run_id[-1] != "x" else "y")}
    with raises_code("UnknownResourceFault"):
        swf.describe_workflow_execution(domain=DOMAIN, execution=bogus)
    with raises_code("UnknownResourceFault"):
        swf.get_workflow_execution_history(domain=DOMAIN, execution=bogus)
    with raises_code("UnknownResourceFault"):
        swf.get_workflow_execution_history(domain="no-such-domain", execution=run.execution)
    h = swf.get_workflow_execution_history(domain=DOMAIN, execution=run.execution)
    assert event_types(h) == ["WorkflowExecutionStarted", "DecisionTaskScheduled"]
    assert "nextPageToken" not in h


@pytest.fixture
def visibility(env):
    """Open: a (Wf 1.0, tag t1), b (Wf 2.0, tag t2). Closed: c (Other, tag t1, TERMINATED),
    d (Wf 1.0, COMPLETED). Started in that order."""
    swf = env.swf
    register_workflow_type(swf, DOMAIN, "Wf", "2.0")
    register_workflow_type(swf, DOMAIN, "Other", "1.0")
    # Short pauses keep the start timestamps (millisecond precision) strictly increasing.
    a = env.start("a", tagList=["t1"])
    time.sleep(0.02)
    b = env.start("b", workflow_type={"name": "Wf", "version": "2.0"}, tagList=["t2"])
    time.sleep(0.02)
    c = env.start("c", workflow_type={"name": "Other", "version": "1.0"}, tagList=["t1"])
    time.sleep(0.02)
    d = env.start("d")
    swf.terminate_workflow_execution(domain=DOMAIN, workflowId="c")
    d.decide([decision("CompleteWorkflowExecution")])
    return {"a": a, "b": b, "c": c, "d": d}


def _ids(resp):
    return [i["execution"]["workflowId"] for i in resp["executionInfos"]]


def test_list_and_count_open_executions(env, visibility):
    swf = env.swf
    resp = swf.list_open_workflow_executions(domain=DOMAIN, startTimeFilter=since())
    assert _ids(resp) == ["b", "a"]  # newest first
    info = resp["executionInfos"][1]
    assert info["execution"] == visibility["a"].execution
    assert info["workflowType"] == WF
    assert info["executionStatus"] == "OPEN"
    assert info["tagList"] == ["t1"]
    assert "closeStatus" not in info
    assert _ids(swf.list_open_workflow_executions(domain=DOMAIN, startTimeFilter=since(), reverseOrder=True)) == ["a", "b"]

    filters = {
        "executionFilter": ({"workflowId": "a"}, ["a"]),
        "typeFilter": ({"name": "Wf"}, ["b", "a"]),
        "tagFilter": ({"tag": "t2"}, ["b"]),
    }
    for name, (value, expected) in filters.items():
        assert _ids(swf.list_open_workflow_executions(domain=DOMAIN, startTimeFilter=since(), **{name: value})) == expected, name
        count = swf.count_open_workflow_executions(domain=DOMAIN, startTimeFilter=since(), **{name: value})
        assert count["count"] == len(expected), name
        assert count.get("truncated", False) is False
    assert _ids(swf.list_open_workflow_executions(
        domain=DOMAIN, startTimeFilter=since(), typeFilter={"name": "Wf", "version": "1.0"})) == ["a"]
    assert swf.count_open_workflow_executions(domain=DOMAIN, startTimeFilter=since())["count"] == 2

    # Time window: entirely in the past, entirely in the future.
    past = {"oldestDate": datetime.now(timezone.utc) - timedelta(days=2),
            "latestDate": datetime.now(timezone.utc) - timedelta(days=1)}
    future = {"oldestDate": datetime.now(timezone.utc) + timedelta(days=1)}
    assert _ids(swf.list_open_workflow_executions(domain=DOMAIN, startTimeFilter=past)) == []
    assert swf.count_open_workflow_executions(domain=DOMAIN, startTimeFilter=future)["count"] == 0

    # Paging.
    page1 = swf.list_open_workflow_executions(domain=DOMAIN, startTimeFilter=since(), maximumPageSize=1)
    assert _ids(page1) == ["b"] and page1.get("nextPageToken")
    page2 = swf.list_open_workflow_executions(domain=DOMAIN, startTimeFilter=since(), maximumPageSize=1,
                                              nextPageToken=page1["nextPageToken"])
    assert _ids(page2) == ["a"]
    if page2.get("nextPageToken"):
        page3 = swf.list_open_workflow_executions(domain=DOMAIN, startTimeFilter=since(), maximumPageSize=1,
                                                  nextPageToken=page2["nextPageToken"])
        assert _ids(page3) == [] and not page3.get("nextPageToken")

    # Mutually exclusive filters.
    for a, b in [("executionFilter", "typeFilter"), ("executionFilter", "tagFilter"), ("typeFilter", "tagFilter")]:
        both = {a: filters[a][0], b: filters[b][0]}
        with raises_code("ValidationException"):
            swf.list_open_workflow_executions(domain=DOMAIN, startTimeFilter=since(), **both)
        with raises_code("ValidationException"):
            swf.count_open_workflow_executions(domain=DOMAIN, startTimeFilter=since(), **both)
    with raises_code("UnknownResourceFault"):
        swf.list_open_workflow_executions(domain="no-such-domain", startTimeFilter=since())


def test_list_and_count_closed_executions(env, visibility):
    swf = env.swf
    for time_filter in ("startTimeFilter", "closeTimeFilter"):
        resp = swf.list_closed_workflow_executions(domain=DOMAIN, **{time_filter: since()})
        assert sorted(_ids(resp)) == ["c", "d"], time_filter
        assert swf.count_closed_workflow_executions(domain=DOMAIN, **{time_filter: since()})["count"] == 2
    by_start = swf.list_closed_workflow_executions(domain=DOMAIN, startTimeFilter=since())
    assert _ids(by_start) == ["d", "c"]  # newest start first
    assert _ids(swf.list_closed_workflow_executions(domain=DOMAIN, startTimeFilter=since(), reverseOrder=True)) == ["c", "d"]
    # With closeTimeFilter the order is by close time: d closed after c.
    assert _ids(swf.list_closed_workflow_executions(domain=DOMAIN, closeTimeFilter=since())) == ["d", "c"]
    d_info = by_start["executionInfos"][0]
    assert d_info["executionStatus"] == "CLOSED"
    assert d_info["closeStatus"] == "COMPLETED"
    assert isinstance(d_info["closeTimestamp"], datetime)

    filters = {
        "executionFilter": ({"workflowId": "c"}, ["c"]),
        "typeFilter": ({"name": "Wf", "version": "1.0"}, ["d"]),
        "tagFilter": ({"tag": "t1"}, ["c"]),
        "closeStatusFilter": ({"status": "COMPLETED"}, ["d"]),
    }
    for name, (value, expected) in filters.items():
        for time_filter in ("startTimeFilter", "closeTimeFilter"):
            kwargs = {time_filter: since(), name: value}
            assert _ids(swf.list_closed_workflow_executions(domain=DOMAIN, **kwargs)) == expected, kwargs
            assert swf.count_closed_workflow_executions(domain=DOMAIN, **kwargs)["count"] == len(expected), kwargs
    assert _ids(swf.list_closed_workflow_executions(
        domain=DOMAIN, closeTimeFilter=since(), closeStatusFilter={"status": "TERMINATED"})) == ["c"]
    assert swf.count_closed_workflow_executions(
        domain=DOMAIN, closeTimeFilter=since(), closeStatusFilter={"status": "FAILED"})["count"] == 0

    # Exactly one time filter; at most one of the other four.
    with raises_code("ValidationException"):
        swf.list_closed_workflow_executions(domain=DOMAIN, startTimeFilter=since(), closeTimeFilter=since())
    with raises_code("ValidationException"):
        swf.list_closed_workflow_executions(domain=DOMAIN)
    with raises_code("ValidationException"):
        swf.count_closed_workflow_executions(domain=DOMAIN, startTimeFilter=since(), closeTimeFilter=since())
    with raises_code("ValidationException"):
        swf.count_closed_workflow_executions(domain=DOMAIN)
    names = list(filters)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            both = {a: filters[a][0], b: filters[b][0]}
            with raises_code("ValidationException"):
                swf.list_closed_workflow_executions(domain=DOMAIN, startTimeFilter=since(), **both)
            with raises_code("ValidationException"):
                swf.count_closed_workflow_executions(domain=DOMAIN, closeTimeFilter=since(), **both)


# --------------------------------------------------------------------------------------------
# Tags
# --------------------------------------------------------------------------------------------


def test_tag_untag_and_list_tags(swf):
    swf.register_domain(name="tagged", workflowExecutionRetentionPeriodInDays="1",
                        tags=[{"key": "team", "value": "core"}])
    arn = swf.describe_domain(name="tagged")["domainInfo"]["arn"]
    assert swf.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "core"}]

    swf.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "test"}, {"key": "team", "value": "infra"}])
    tags = {t["key"]: t.get("value") for t in swf.list_tags_for_resource(resourceArn=arn)["tags"]}
    assert tags == {"env": "test", "team": "infra"}  # upsert by key

    swf.untag_resource(resourceArn=arn, tagKeys=["team", "absent"])
    assert [t["key"] for t in swf.list_tags_for_resource(resourceArn=arn)["tags"]] == ["env"]

    unknown = arn.replace("/domain/tagged", "/domain/nope")
    with raises_code("UnknownResourceFault"):
        swf.list_tags_for_resource(resourceArn=unknown)
    with raises_code("UnknownResourceFault"):
        swf.tag_resource(resourceArn=unknown, tags=[{"key": "k", "value": "v"}])
    with raises_code("UnknownResourceFault"):
        swf.untag_resource(resourceArn=unknown, tagKeys=["k"])

    # At most 50 tags per domain.
    swf.tag_resource(resourceArn=arn, tags=[{"key": f"k{i}", "value": "v"} for i in range(49)])
    assert len(swf.list_tags_for_resource(resourceArn=arn)["tags"]) == 50
    with raises_code("TooManyTagsFault"):
        swf.tag_resource(resourceArn=arn, tags=[{"key": "one-too-many", "value": "v"}])
    with raises_code("TooManyTagsFault"):
        swf.register_domain(name="overtagged", workflowExecutionRetentionPeriodInDays="1",
                            tags=[{"key": f"k{i}", "value": "v"} for i in range(51)])
