"""Time skipping (`swfwasm local --time-skipping`): every SWF timeout kind and a day-long timer
fire at the right time on the service's clock — exactly their timeout after what started them,
by the event timestamps — although the test waits only seconds of real time (each wait below is
at most 15 s, for timeouts of an hour to a week). A task a worker holds keeps the clock running
normally while the worker is heard from; a silent one stops holding it after a couple of
seconds, which is when its start-to-close or heartbeat timeout jumps due."""

import time

import pytest

from conftest import DOMAIN, attrs, decision, poll_activity, schedule_activity, setup_env

HOUR = 3600
DAY = 24 * HOUR


def elapsed(a: dict, b: dict) -> float:
    return (b["eventTimestamp"] - a["eventTimestamp"]).total_seconds()


def exactly(seconds: float, after: dict, event: dict) -> None:
    """`event` came `seconds` after `after` on the service's clock: skips land on the deadline,
    plus at most the real time spent around it."""
    took = elapsed(after, event)
    assert seconds <= took < seconds + 5, f"{event['eventType']} {took} s after {after['eventType']}, not {seconds}"


def event(history: list, event_type: str) -> dict:
    return next(e for e in history if e["eventType"] == event_type)


@pytest.fixture
def env(server_factory):
    return setup_env(server_factory("--time-skipping"))


def test_a_day_long_timer_fires_a_day_later(env):
    run = env.start(executionStartToCloseTimeout=str(7 * DAY))
    run.decide([decision("StartTimer", timerId="reminder", startToFireTimeout=str(DAY))])
    fired = run.wait_for_event("TimerFired")
    exactly(DAY, event(run.history(), "TimerStarted"), fired)


def test_workflow_execution_start_to_close_timeout(env):
    run = env.start(executionStartToCloseTimeout=str(7 * DAY), childPolicy="ABANDON")
    assert run.wait_closed()["closeStatus"] == "TIMED_OUT"
    history = run.history()
    exactly(7 * DAY, history[0], event(history, "WorkflowExecutionTimedOut"))


def test_decision_task_start_to_close_timeout_of_a_silent_decider(env):
    run = env.start(executionStartToCloseTimeout=str(DAY), taskStartToCloseTimeout=str(HOUR))
    run.poll()
    timed_out = run.wait_for_event("DecisionTaskTimedOut")
    assert attrs(timed_out)["timeoutType"] == "START_TO_CLOSE"
    exactly(HOUR, event(run.history(), "DecisionTaskStarted"), timed_out)


def test_a_decider_slow_to_poll_still_gets_its_task(env):
    # Longer than the quiet period (200 ms) and within the 2 s a fresh task holds the clock: a
    # loaded machine's client may take this long between the start and its first poll.
    run = env.start(executionStartToCloseTimeout=str(DAY), taskStartToCloseTimeout=str(HOUR))
    time.sleep(0.8)
    task = run.poll()
    assert "WorkflowExecutionTimedOut" not in run.types()
    exactly(0, task["events"][0], event(run.history(), "DecisionTaskStarted"))


def test_a_decider_that_is_merely_slow_is_not_timed_out(env):
    run = env.start(executionStartToCloseTimeout=str(DAY), taskStartToCloseTimeout=str(HOUR))
    task = run.poll()
    time.sleep(1)  # thinking, within the stall guard
    env.swf.respond_decision_task_completed(taskToken=task["taskToken"],
                                            decisions=[decision("CompleteWorkflowExecution")])
    assert run.describe()["executionInfo"]["closeStatus"] == "COMPLETED"
    assert "DecisionTaskTimedOut" not in run.types()


def _schedule(run, **timeouts) -> dict:
    run.decide([schedule_activity("a1", taskList={"name": "acts"}, **timeouts)])
    return event(run.history(), "ActivityTaskScheduled")


def test_activity_schedule_to_start_timeout(env):
    run = env.start(executionStartToCloseTimeout=str(7 * DAY))
    scheduled = _schedule(run, scheduleToStartTimeout=str(HOUR), scheduleToCloseTimeout=str(DAY),
                          startToCloseTimeout=str(DAY), heartbeatTimeout="NONE")
    timed_out = run.wait_for_event("ActivityTaskTimedOut")
    assert attrs(timed_out)["timeoutType"] == "SCHEDULE_TO_START"
    exactly(HOUR, scheduled, timed_out)


def test_activity_schedule_to_close_timeout(env):
    run = env.start(executionStartToCloseTimeout=str(7 * DAY))
    scheduled = _schedule(run, scheduleToStartTimeout=str(DAY), scheduleToCloseTimeout=str(2 * HOUR),
                          startToCloseTimeout=str(DAY), heartbeatTimeout="NONE")
    assert poll_activity(env.swf, DOMAIN, "acts") is not None
    timed_out = run.wait_for_event("ActivityTaskTimedOut")
    assert attrs(timed_out)["timeoutType"] == "SCHEDULE_TO_CLOSE"
    exactly(2 * HOUR, scheduled, timed_out)


def test_activity_start_to_close_timeout(env):
    run = env.start(executionStartToCloseTimeout=str(7 * DAY))
    _schedule(run, scheduleToStartTimeout=str(DAY), scheduleToCloseTimeout=str(DAY),
              startToCloseTimeout=str(HOUR), heartbeatTimeout="NONE")
    task = poll_activity(env.swf, DOMAIN, "acts")
    timed_out = run.wait_for_event("ActivityTaskTimedOut")
    assert attrs(timed_out)["timeoutType"] == "START_TO_CLOSE"
    exactly(HOUR, run.history()[task["startedEventId"] - 1], timed_out)


def test_activity_heartbeat_timeout(env):
    run = env.start(executionStartToCloseTimeout=str(7 * DAY))
    _schedule(run, scheduleToStartTimeout=str(DAY), scheduleToCloseTimeout=str(DAY),
              startToCloseTimeout=str(DAY), heartbeatTimeout="600")
    task = poll_activity(env.swf, DOMAIN, "acts")
    env.swf.record_activity_task_heartbeat(taskToken=task["taskToken"], details="halfway")
    timed_out = run.wait_for_event("ActivityTaskTimedOut")
    assert attrs(timed_out)["timeoutType"] == "HEARTBEAT"
    assert attrs(timed_out)["details"] == "halfway"
    exactly(600, run.history()[task["startedEventId"] - 1], timed_out)
