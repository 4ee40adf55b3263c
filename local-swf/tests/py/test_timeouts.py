"""Every timeout fires on its own, server-side, with the right event, and the timed-out token is
dead afterwards (UnknownResourceFault). Timeouts are 1–3 s; waits are generous (15 s) and no test
asserts that anything happens quickly — only that nothing fires early."""

import time

from conftest import (
    DOMAIN,
    attrs,
    decision,
    event_types,
    one_event,
    poll_activity,
    raises_code,
    schedule_activity,
)

# A timeout of N seconds must not fire before N seconds have passed (timestamps have ~ms
# precision and the server's clock ticks at ~100 ms; allow for that).
EARLY_SLACK = 0.15


def elapsed(a: dict, b: dict) -> float:
    return (b["eventTimestamp"] - a["eventTimestamp"]).total_seconds()


def test_workflow_execution_start_to_close_timeout(env):
    run = env.start(executionStartToCloseTimeout="2", childPolicy="ABANDON")
    info = run.wait_closed()
    assert info["closeStatus"] == "TIMED_OUT"
    history = run.history()
    assert event_types(history) == ["WorkflowExecutionStarted", "DecisionTaskScheduled", "WorkflowExecutionTimedOut"]
    assert attrs(history[-1]) == {"timeoutType": "START_TO_CLOSE", "childPolicy": "ABANDON"}
    assert elapsed(history[0], history[-1]) >= 2 - EARLY_SLACK
    # The queued decision task went with the run.
    assert env.swf.count_pending_decision_tasks(domain=DOMAIN, taskList={"name": run.task_list})["count"] == 0


def test_decision_task_start_to_close_timeout(env):
    run = env.start(taskStartToCloseTimeout="1")
    task = run.poll()
    timed_out = run.wait_for_event("DecisionTaskTimedOut")
    assert attrs(timed_out) == {"timeoutType": "START_TO_CLOSE", "scheduledEventId": 2, "startedEventId": 3}
    history = run.history()
    assert event_types(history)[:5] == ["WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted",
                                        "DecisionTaskTimedOut", "DecisionTaskScheduled"]
    assert elapsed(history[2], history[3]) >= 1 - EARLY_SLACK

    with raises_code("UnknownResourceFault"):
        env.swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])

    # The retry is a normal decision task.
    retry = run.poll()
    assert retry["startedEventId"] == 6
    assert retry["previousStartedEventId"] == 0  # the timed-out task was never completed
    env.swf.respond_decision_task_completed(taskToken=retry["taskToken"],
                                            decisions=[decision("CompleteWorkflowExecution")])
    assert run.describe()["executionInfo"]["closeStatus"] == "COMPLETED"


def _schedule(env, run, **timeouts) -> dict:
    """Schedule activity a1 on task list `acts` with the given timeouts; return its Scheduled event."""
    run.decide([schedule_activity("a1", taskList={"name": "acts"}, **timeouts)])
    return one_event(run.history(), "ActivityTaskScheduled")


def test_activity_schedule_to_start_timeout(env):
    run = env.start()
    scheduled = _schedule(env, run, scheduleToStartTimeout="1", scheduleToCloseTimeout="30",
                          startToCloseTimeout="30", heartbeatTimeout="NONE")
    timed_out = run.wait_for_event("ActivityTaskTimedOut")
    assert attrs(timed_out)["timeoutType"] == "SCHEDULE_TO_START"
    assert attrs(timed_out)["scheduledEventId"] == scheduled["eventId"]
    assert attrs(timed_out)["startedEventId"] == 0
    assert elapsed(scheduled, timed_out) >= 1 - EARLY_SLACK
    assert run.history()[-1]["eventType"] == "DecisionTaskScheduled"
    # The task was withdrawn from its list.
    assert env.swf.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": "acts"})["count"] == 0
    assert run.describe()["openCounts"]["openActivityTasks"] == 0


def test_activity_schedule_to_close_timeout(env):
    run = env.start()
    scheduled = _schedule(env, run, scheduleToStartTimeout="30", scheduleToCloseTimeout="2",
                          startToCloseTimeout="30", heartbeatTimeout="NONE")
    task = poll_activity(env.swf, DOMAIN, "acts")
    timed_out = run.wait_for_event("ActivityTaskTimedOut")
    assert attrs(timed_out)["timeoutType"] == "SCHEDULE_TO_CLOSE"
    assert attrs(timed_out)["scheduledEventId"] == scheduled["eventId"]
    assert attrs(timed_out)["startedEventId"] == task["startedEventId"]
    assert elapsed(scheduled, timed_out) >= 2 - EARLY_SLACK
    assert run.history()[-1]["eventType"] == "DecisionTaskScheduled"
    with raises_code("UnknownResourceFault"):
        env.swf.respond_activity_task_completed(taskToken=task["taskToken"], result="too late")


def test_activity_start_to_close_timeout_is_not_extended_by_heartbeats(env):
    run = env.start()
    _schedule(env, run, scheduleToStartTimeout="30", scheduleToCloseTimeout="30",
              startToCloseTimeout="2", heartbeatTimeout="NONE")
    task = poll_activity(env.swf, DOMAIN, "acts")
    # Heartbeat until the task is gone; heartbeats reset only the heartbeat clock.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            env.swf.record_activity_task_heartbeat(taskToken=task["taskToken"], details="still here")
        except env.swf.exceptions.UnknownResourceFault:
            break
        time.sleep(0.25)
    timed_out = run.wait_for_event("ActivityTaskTimedOut")
    assert attrs(timed_out)["timeoutType"] == "START_TO_CLOSE"
    assert attrs(timed_out)["startedEventId"] == task["startedEventId"]
    started = run.history()[task["startedEventId"] - 1]
    assert elapsed(started, timed_out) >= 2 - EARLY_SLACK
    assert run.history()[-1]["eventType"] == "DecisionTaskScheduled"
    with raises_code("UnknownResourceFault"):
        env.swf.respond_activity_task_failed(taskToken=task["taskToken"], reason="too late")


def test_activity_heartbeat_timeout_carries_last_details(env):
    run = env.start()
    _schedule(env, run, scheduleToStartTimeout="30", scheduleToCloseTimeout="30",
              startToCloseTimeout="30", heartbeatTimeout="1")
    task = poll_activity(env.swf, DOMAIN, "acts")
    # Heartbeats within the 1 s window keep the task alive past 1 s ...
    for i in range(1, 5):
        time.sleep(0.4)
        last_beat = time.time()  # no later than the server's receipt of this heartbeat
        assert env.swf.record_activity_task_heartbeat(taskToken=task["taskToken"], details=f"progress-{i}")[
            "cancelRequested"] is False
    assert "ActivityTaskTimedOut" not in run.types()
    # ... then silence.
    timed_out = run.wait_for_event("ActivityTaskTimedOut")
    assert attrs(timed_out)["timeoutType"] == "HEARTBEAT"
    assert attrs(timed_out)["details"] == "progress-4"
    assert attrs(timed_out)["startedEventId"] == task["startedEventId"]
    assert timed_out["eventTimestamp"].timestamp() >= last_beat + 1 - EARLY_SLACK
    assert run.history()[-1]["eventType"] == "DecisionTaskScheduled"
    with raises_code("UnknownResourceFault"):
        env.swf.record_activity_task_heartbeat(taskToken=task["taskToken"])
    with raises_code("UnknownResourceFault"):
        env.swf.respond_activity_task_completed(taskToken=task["taskToken"])


def test_timer_fires(env):
    run = env.start()
    run.decide([decision("StartTimer", timerId="t1", startToFireTimeout="1")])
    timer_started = one_event(run.history(), "TimerStarted")
    fired = run.wait_for_event("TimerFired")
    assert attrs(fired) == {"timerId": "t1", "startedEventId": timer_started["eventId"]}
    assert elapsed(timer_started, fired) >= 1 - EARLY_SLACK
    history = run.history()
    assert history[-1]["eventType"] == "DecisionTaskScheduled"
    assert history[-1]["eventId"] == fired["eventId"] + 1
    # The decider sees the fired timer in its next task.
    task = run.poll()
    assert "TimerFired" in event_types(task)


def test_zero_second_timer_fires_as_its_own_event(env):
    run = env.start()
    run.decide([decision("StartTimer", timerId="now", startToFireTimeout="0")])
    fired = run.wait_for_event("TimerFired")
    assert attrs(fired)["timerId"] == "now"


def test_temporary_decision_task_list_override_times_out_and_reverts(env):
    """RespondDecisionTaskCompleted with taskList + taskListScheduleToStartTimeout: the next decision
    task waits on the override list for at most that long, then SWF reverts to the run's list."""
    run = env.start()
    task = run.decide([], taskList={"name": "override"}, taskListScheduleToStartTimeout="1")
    completed = one_event(run.history(), "DecisionTaskCompleted")
    assert attrs(completed)["taskList"] == {"name": "override"}
    assert attrs(completed)["taskListScheduleToStartTimeout"] == "1"
    assert attrs(completed)["startedEventId"] == task["startedEventId"]

    run.signal("wake-up")
    scheduled = run.history()[-1]
    assert scheduled["eventType"] == "DecisionTaskScheduled"
    assert attrs(scheduled)["taskList"] == {"name": "override"}
    assert attrs(scheduled)["scheduleToStartTimeout"] == "1"

    timed_out = run.wait_for_event("DecisionTaskTimedOut")  # nobody polls "override"
    assert attrs(timed_out) == {"timeoutType": "SCHEDULE_TO_START", "scheduledEventId": scheduled["eventId"],
                                "startedEventId": 0}
    assert elapsed(scheduled, timed_out) >= 1 - EARLY_SLACK
    rescheduled = run.history()[timed_out["eventId"]]  # the event right after the timeout
    assert rescheduled["eventType"] == "DecisionTaskScheduled"
    assert attrs(rescheduled)["taskList"] == {"name": run.task_list}
    assert "scheduleToStartTimeout" not in attrs(rescheduled)
    retry = run.poll()  # on the original list
    assert retry["startedEventId"] == rescheduled["eventId"] + 1


def test_permanent_decision_task_list_override(env):
    run = env.start()
    run.decide([decision("StartTimer", timerId="t", startToFireTimeout="0")], taskList={"name": "moved"})
    fired_then_scheduled = run.wait_for_event("DecisionTaskScheduled", count=2)
    assert attrs(fired_then_scheduled)["taskList"] == {"name": "moved"}
    moved = env.run_of(run.execution, "moved")
    task = moved.poll()
    assert "TimerFired" in event_types(task)
    assert run.describe()["executionConfiguration"]["taskList"] == {"name": "moved"}


def test_started_override_task_that_times_out_reverts_to_the_original_list(env):
    # Spec §6.7: a temporary override also reverts when the task is started on the override list
    # but not completed within the decision start-to-close timeout.
    run = env.start(taskStartToCloseTimeout="1")
    run.decide([], taskList={"name": "override"}, taskListScheduleToStartTimeout="30")
    run.signal("wake-up")
    on_override = env.run_of(run.execution, "override").poll()  # started, never completed
    timed_out = run.wait_for_event("DecisionTaskTimedOut")
    assert attrs(timed_out)["timeoutType"] == "START_TO_CLOSE"
    assert attrs(timed_out)["startedEventId"] == on_override["startedEventId"]
    rescheduled = run.history()[timed_out["eventId"]]
    assert rescheduled["eventType"] == "DecisionTaskScheduled"
    assert attrs(rescheduled)["taskList"] == {"name": run.task_list}


def test_earliest_activity_deadline_wins(env):
    # Schedule-to-close (1 s) expires before schedule-to-start (3 s): one timeout event, of the
    # earlier kind, and nothing more when the later deadline passes.
    run = env.start()
    scheduled = _schedule(env, run, scheduleToStartTimeout="3", scheduleToCloseTimeout="1",
                          startToCloseTimeout="30", heartbeatTimeout="NONE")
    timed_out = run.wait_for_event("ActivityTaskTimedOut")
    assert attrs(timed_out)["timeoutType"] == "SCHEDULE_TO_CLOSE"
    assert attrs(timed_out)["startedEventId"] == 0
    assert attrs(timed_out)["scheduledEventId"] == scheduled["eventId"]
    time.sleep(3)
    assert len([e for e in run.history() if e["eventType"] == "ActivityTaskTimedOut"]) == 1


def test_run_timeout_makes_task_timeouts_moot(env):
    run = env.start(executionStartToCloseTimeout="2")
    _schedule(env, run, scheduleToStartTimeout="30", scheduleToCloseTimeout="30",
              startToCloseTimeout="3", heartbeatTimeout="NONE")
    task = poll_activity(env.swf, DOMAIN, "acts")
    run.wait_closed()
    time.sleep(2)  # past the activity's own start-to-close deadline
    history = run.history()
    assert history[-1]["eventType"] == "WorkflowExecutionTimedOut"
    assert "ActivityTaskTimedOut" not in event_types(history)
    with raises_code("UnknownResourceFault"):
        env.swf.respond_activity_task_completed(taskToken=task["taskToken"])
