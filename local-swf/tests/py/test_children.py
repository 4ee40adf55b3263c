"""Child workflows after they start (spec §6.13, §6.14): the parent hears of every way a child
closes and gets a decision task for it; child policies apply when the parent is terminated or
times out; a child that continues as new keeps its place in the parent."""

import pytest

from conftest import WF, attrs, decision, event_types, one_event


def start_child(env, parent, workflow_id, **attributes):
    """Has `parent` start child `workflow_id` on its own task list; returns (child Run, started
    event). A signal first gives the parent a decision task to do it in."""
    task_list = f"{workflow_id}-decisions"
    before = event_types(parent.history()).count("ChildWorkflowExecutionStarted")
    parent.signal(f"start {workflow_id}")
    parent.decide([decision("StartChildWorkflowExecution", workflowType=WF, workflowId=workflow_id,
                            taskList={"name": task_list}, **attributes)])
    started = parent.wait_for_event("ChildWorkflowExecutionStarted", count=before + 1)
    execution = attrs(started)["workflowExecution"]
    assert execution["workflowId"] == workflow_id
    return env.run_of(execution, task_list), started


def settle_parent(parent):
    """Answers the parent's pending decision task (the ChildWorkflowExecutionStarted one)."""
    parent.decide([])


@pytest.mark.parametrize("policy, child_event, cause", [
    ("TERMINATE", "WorkflowExecutionTerminated", "CHILD_POLICY_APPLIED"),
    ("REQUEST_CANCEL", "WorkflowExecutionCancelRequested", "CHILD_POLICY_APPLIED"),
])
def test_terminating_the_parent_applies_its_child_policy(env, policy, child_event, cause):
    parent = env.start("parent", childPolicy=policy)
    child, _ = start_child(env, parent, "child")
    settle_parent(parent)
    env.swf.terminate_workflow_execution(domain=env.domain, workflowId="parent", reason="stop")
    terminated = one_event(parent.history(), "WorkflowExecutionTerminated")
    assert attrs(terminated)["childPolicy"] == policy
    assert attrs(terminated)["cause"] == "OPERATOR_INITIATED"
    event = child.wait_for_event(child_event)
    assert attrs(event)["cause"] == cause
    info = child.describe()["executionInfo"]
    if policy == "TERMINATE":
        assert info["executionStatus"] == "CLOSED" and info["closeStatus"] == "TERMINATED"
    else:
        assert info["executionStatus"] == "OPEN" and info["cancelRequested"] is True
        assert child.describe()["openCounts"]["openDecisionTasks"] == 1, "the request calls for a decision"


def test_abandon_leaves_children_running(env):
    parent = env.start("parent", childPolicy="ABANDON")
    child, _ = start_child(env, parent, "child")
    settle_parent(parent)
    env.swf.terminate_workflow_execution(domain=env.domain, workflowId="parent")
    assert child.describe()["executionInfo"]["executionStatus"] == "OPEN"
    assert "WorkflowExecutionTerminated" not in child.types()
    # The child closes normally later; the closed parent records nothing more.
    parent_events = len(parent.history())
    child.decide([decision("CompleteWorkflowExecution")])
    assert len(parent.history()) == parent_events


def test_the_parent_hears_of_a_terminated_and_a_timed_out_child_and_decides_again(env):
    parent = env.start("parent")
    doomed, doomed_started = start_child(env, parent, "doomed")
    settle_parent(parent)
    env.swf.terminate_workflow_execution(domain=env.domain, workflowId="doomed")
    event = parent.wait_for_event("ChildWorkflowExecutionTerminated")
    assert attrs(event) == {"workflowExecution": doomed.execution, "workflowType": WF,
                            "initiatedEventId": attrs(doomed_started)["initiatedEventId"],
                            "startedEventId": doomed_started["eventId"]}
    history = parent.history()
    assert event_types(history)[-1] == "DecisionTaskScheduled", "the child's close calls for a decision"
    settle_parent(parent)

    slow, _ = start_child(env, parent, "slow", executionStartToCloseTimeout="1")
    settle_parent(parent)
    event = parent.wait_for_event("ChildWorkflowExecutionTimedOut")
    assert attrs(event)["timeoutType"] == "START_TO_CLOSE"
    assert attrs(event)["workflowExecution"] == slow.execution
    assert slow.describe()["executionInfo"]["closeStatus"] == "TIMED_OUT"


def test_a_child_that_fails_or_is_canceled_is_reported_with_its_details(env):
    parent = env.start("parent")
    failing, _ = start_child(env, parent, "failing")
    settle_parent(parent)
    failing.decide([decision("FailWorkflowExecution", reason="bad", details="why")])
    failed = attrs(parent.wait_for_event("ChildWorkflowExecutionFailed"))
    assert (failed["reason"], failed["details"]) == ("bad", "why")
    settle_parent(parent)

    canceling, _ = start_child(env, parent, "canceling")
    settle_parent(parent)
    canceling.decide([decision("CancelWorkflowExecution", details="enough")])
    canceled = attrs(parent.wait_for_event("ChildWorkflowExecutionCanceled"))
    assert canceled["details"] == "enough"


def test_a_child_that_continues_as_new_keeps_its_place_in_the_parent(env):
    parent = env.start("parent")
    first, started = start_child(env, parent, "looping")
    settle_parent(parent)
    first.decide([decision("ContinueAsNewWorkflowExecution", input="round 2",
                           taskList={"name": "looping-decisions"})])
    continued = attrs(one_event(first.history(), "WorkflowExecutionContinuedAsNew"))
    assert "ChildWorkflowExecutionCompleted" not in parent.types(), "not closed yet: it continued"
    assert parent.describe()["openCounts"]["openChildWorkflowExecutions"] == 1
    second = env.run_of({"workflowId": "looping", "runId": continued["newExecutionRunId"]},
                        "looping-decisions")
    second_started = attrs(second.history()[0])
    assert second_started["continuedExecutionRunId"] == first.run_id
    assert second_started["parentWorkflowExecution"] == parent.execution
    assert second_started["input"] == "round 2"
    second.decide([decision("CompleteWorkflowExecution", result="finally")])
    done = attrs(parent.wait_for_event("ChildWorkflowExecutionCompleted"))
    assert done["workflowExecution"] == second.execution
    assert done["result"] == "finally"
    assert done["startedEventId"] == started["eventId"]
