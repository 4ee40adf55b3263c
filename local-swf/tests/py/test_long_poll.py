"""Done-when 4: long polling.

- An empty poll is held for --poll-hold-secs (2 here) and comes back without a taskToken.
- A task that appears while several pollers wait goes to exactly one of them.
- A poller whose connection is gone is not handed the task (it would be lost until its timeout).
"""

import json
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from conftest import (
    DOMAIN,
    attrs,
    events_of,
    http_request_bytes,
    make_client,
    poll_activity,
    schedule_activity,
    setup_env,
    sign,
)


def _assert_empty(resp: dict) -> None:
    # Real SWF omits taskToken on an empty poll; an empty string would also mean "no task".
    assert not resp.get("taskToken"), resp
    assert resp.get("startedEventId", 0) == 0
    assert resp.get("previousStartedEventId", 0) == 0


def test_empty_decision_poll_is_held_then_empty(env):
    t0 = time.monotonic()
    resp = env.swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "nobody-schedules-here"})
    held = time.monotonic() - t0
    _assert_empty(resp)
    assert "events" not in resp or resp["events"] == []
    assert 1.5 <= held < 15, held  # held for about the 2 s configured, not the 60 s default


def test_empty_activity_poll_is_held_then_empty(env):
    t0 = time.monotonic()
    resp = env.swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "nobody-schedules-here"})
    held = time.monotonic() - t0
    _assert_empty(resp)
    assert "activityId" not in resp
    assert 1.5 <= held < 15, held


def test_task_lists_are_separate_per_kind_and_domain(env):
    # A decision task list and an activity task list with the same name are different queues, and
    # the same name in another domain is another list again.
    env.start("w1", task_list="same-name")
    env.swf.register_domain(name="other-domain", workflowExecutionRetentionPeriodInDays="1")
    _assert_empty(env.swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "same-name"}))
    assert env.swf.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": "same-name"})["count"] == 0
    assert env.swf.count_pending_decision_tasks(domain="other-domain", taskList={"name": "same-name"})["count"] == 0
    assert env.swf.count_pending_decision_tasks(domain=DOMAIN, taskList={"name": "same-name"})["count"] == 1


def _concurrent_polls(endpoint, poll, n=5):
    """Start n threads, each with its own client, each doing one poll(client, i). Returns
    (threads, results) where results[i] is filled when thread i's poll returns."""
    results = [None] * n
    errors = []

    def run(i):
        try:
            results[i] = poll(make_client(endpoint), i)
        except Exception as e:  # reported by the caller
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    return threads, results, errors


def test_activity_task_goes_to_exactly_one_of_five_waiting_pollers(server_factory):
    server = server_factory(poll_hold_secs=5)  # room for the pollers to be waiting
    env = setup_env(server)
    run = env.start()
    decision_task = run.poll()

    threads, results, errors = _concurrent_polls(
        server.endpoint,
        lambda c, i: c.poll_for_activity_task(domain=DOMAIN, taskList={"name": "shared"}, identity=f"poller-{i}"))
    time.sleep(1.0)  # all five are now held by the server
    env.swf.respond_decision_task_completed(taskToken=decision_task["taskToken"],
                                            decisions=[schedule_activity("a1", taskList={"name": "shared"})])
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors[0]
    winners = [i for i, r in enumerate(results) if r.get("taskToken")]
    assert len(winners) == 1, results
    for i, r in enumerate(results):
        if i != winners[0]:
            _assert_empty(r)
    assert results[winners[0]]["activityId"] == "a1"

    started = events_of(run.history(), "ActivityTaskStarted")
    assert len(started) == 1
    assert attrs(started[0])["identity"] == f"poller-{winners[0]}"
    env.swf.respond_activity_task_completed(taskToken=results[winners[0]]["taskToken"])


def test_decision_task_goes_to_exactly_one_of_five_waiting_deciders(server_factory):
    server = server_factory(poll_hold_secs=5)
    env = setup_env(server)

    threads, results, errors = _concurrent_polls(
        server.endpoint,
        lambda c, i: c.poll_for_decision_task(domain=DOMAIN, taskList={"name": "shared"}, identity=f"decider-{i}"))
    time.sleep(1.0)
    run = env.start("w1", task_list="shared")
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors[0]
    winners = [i for i, r in enumerate(results) if r.get("taskToken")]
    assert len(winners) == 1, results
    assert results[winners[0]]["workflowExecution"] == run.execution
    assert results[winners[0]]["startedEventId"] == 3
    started = events_of(run.history(), "DecisionTaskStarted")
    assert len(started) == 1
    assert attrs(started[0])["identity"] == f"decider-{winners[0]}"


def _vanishing_poll(endpoint: str, action: str, body: dict) -> None:
    """Send a signed poll over a raw socket, let the server start holding it, then hang up."""
    headers, data = sign(endpoint, json.dumps(body), action)
    u = urlsplit(endpoint)
    sock = socket.create_connection((u.hostname, u.port), timeout=10)
    sock.sendall(http_request_bytes(endpoint, headers, data))
    time.sleep(0.5)  # the server now holds the poll
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()
    time.sleep(0.3)


@pytest.mark.parametrize("kind", ["activity", "decision"])
def test_vanished_poller_does_not_get_the_task(server_factory, kind):
    server = server_factory(poll_hold_secs=5)  # the vanished poll is still within its hold below
    env = setup_env(server)
    swf = env.swf

    if kind == "activity":
        run = env.start()
        decision_task = run.poll()
        _vanishing_poll(server.endpoint, "PollForActivityTask",
                        {"domain": DOMAIN, "taskList": {"name": "acts"}, "identity": "ghost"})
        swf.respond_decision_task_completed(taskToken=decision_task["taskToken"],
                                            decisions=[schedule_activity("a1", taskList={"name": "acts"})])
        task = poll_activity(swf, DOMAIN, "acts", identity="live")
        assert task is not None, "the task went to the vanished poller"
        assert task["activityId"] == "a1"
        started = events_of(run.history(), "ActivityTaskStarted")
        swf.respond_activity_task_completed(taskToken=task["taskToken"])
    else:
        _vanishing_poll(server.endpoint, "PollForDecisionTask",
                        {"domain": DOMAIN, "taskList": {"name": "decisions"}, "identity": "ghost"})
        run = env.start("w1", task_list="decisions")
        task = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"}, identity="live")
        assert task.get("taskToken"), "the task went to the vanished poller"
        assert task["workflowExecution"] == run.execution
        started = events_of(run.history(), "DecisionTaskStarted")

    assert len(started) == 1
    assert attrs(started[0])["identity"] == "live"
