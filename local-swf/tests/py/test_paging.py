"""Paging: a 2,500-event history through GetWorkflowExecutionHistory and PollForDecisionTask in
pages, both orders; ListDomains and the execution lists in pages. Every item exactly once, in
order, and the token appears only while more results remain."""

import math
import os
import threading

import pytest

from conftest import (
    DOMAIN,
    attrs,
    decision,
    event_types,
    get_history,
    make_client,
    register_domain,
    since,
)

TOTAL_EVENTS = 2500


@pytest.fixture
def big_run(env):
    """A run whose history is exactly 2,500 events: Started, DecisionTaskScheduled and 2,498
    signals (the decision task stays queued, so signals add nothing else)."""
    run = env.start("big")
    signals = TOTAL_EVENTS - 2
    threads, errors = 4, []

    def send(part):
        client = make_client(env.server.endpoint)
        try:
            for i in range(part, signals, threads):
                client.signal_workflow_execution(domain=DOMAIN, workflowId="big", runId=run.run_id,
                                                 signalName=f"s{i}", input=str(i))
        except Exception as e:  # reported below
            errors.append(e)

    workers = [threading.Thread(target=send, args=(p,)) for p in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors, errors[0]
    return run


def test_history_pages_ascending_and_descending(env, big_run):
    # One big history serves every page size (building it is the slow part).
    for page_size in (100, 1000, None):
        limit = page_size or 1000  # absent means the maximum, 1,000
        for reverse in (False, True):
            pages = []
            events = get_history(env.swf, DOMAIN, big_run.execution, reverse=reverse, page_size=page_size,
                                 pages=pages)
            ids = [e["eventId"] for e in events]
            expected = list(range(1, TOTAL_EVENTS + 1))
            assert ids == (expected[::-1] if reverse else expected), (page_size, reverse)
            assert all(n <= limit for n in pages), pages
            assert len(pages) >= math.ceil(TOTAL_EVENTS / limit)
            ends = ["WorkflowExecutionStarted", "DecisionTaskScheduled"]
            assert event_types(events[-2:] if reverse else events[:2]) == (ends[::-1] if reverse else ends)

    # botocore's own paginator agrees.
    paginator = env.swf.get_paginator("get_workflow_execution_history")
    ids = []
    for page in paginator.paginate(domain=DOMAIN, execution=big_run.execution, PaginationConfig={"PageSize": 333}):
        assert len(page["events"]) <= 333
        ids += [e["eventId"] for e in page["events"]]
    assert ids == list(range(1, TOTAL_EVENTS + 1))


def test_decision_task_pages(env, big_run):
    swf = env.swf
    tl = {"name": big_run.task_list}

    # Ascending, 1,000 a page: the task is events 1..2501 (2501 = its DecisionTaskStarted).
    first = swf.poll_for_decision_task(domain=DOMAIN, taskList=tl, identity="pager", maximumPageSize=1000)
    assert first["startedEventId"] == TOTAL_EVENTS + 1
    assert first["previousStartedEventId"] == 0
    assert first.get("nextPageToken")
    ids, page, pages = [], first, 0
    while True:
        pages += 1
        assert len(page["events"]) <= 1000
        assert page["taskToken"] == first["taskToken"]
        assert page["startedEventId"] == first["startedEventId"]
        assert page["workflowExecution"] == big_run.execution
        ids += [e["eventId"] for e in page["events"]]
        if not page.get("nextPageToken"):
            break
        page = swf.poll_for_decision_task(domain=DOMAIN, taskList=tl, identity="pager", maximumPageSize=1000,
                                          nextPageToken=page["nextPageToken"])
    assert ids == list(range(1, TOTAL_EVENTS + 2))
    assert pages >= 3
    # Fetching further pages is not a poll: nothing was recorded.
    assert len(big_run.history()) == TOTAL_EVENTS + 1
    swf.respond_decision_task_completed(taskToken=first["taskToken"], decisions=[])

    # Descending, 700 a page: the next task starts with its own DecisionTaskStarted.
    big_run.signal("one-more")  # 2503; 2504 DecisionTaskScheduled
    first = swf.poll_for_decision_task(domain=DOMAIN, taskList=tl, identity="pager", maximumPageSize=700,
                                       reverseOrder=True)
    started = first["startedEventId"]
    assert started == TOTAL_EVENTS + 5
    assert first["previousStartedEventId"] == TOTAL_EVENTS + 1
    assert event_types(first["events"][:3]) == ["DecisionTaskStarted", "DecisionTaskScheduled",
                                                "WorkflowExecutionSignaled"]
    ids, page = [], first
    while True:
        assert len(page["events"]) <= 700
        assert page["taskToken"] == first["taskToken"]
        ids += [e["eventId"] for e in page["events"]]
        if not page.get("nextPageToken"):
            break
        page = swf.poll_for_decision_task(domain=DOMAIN, taskList=tl, identity="pager", maximumPageSize=700,
                                          reverseOrder=True, nextPageToken=page["nextPageToken"])
    assert ids == list(range(started, 0, -1))

    swf.respond_decision_task_completed(taskToken=first["taskToken"], decisions=[decision("CompleteWorkflowExecution")])
    assert big_run.describe()["executionInfo"]["closeStatus"] == "COMPLETED"


def test_start_at_previous_started_event(env):
    run = env.start()
    first = run.decide([])  # events 3 DecisionTaskStarted, 4 DecisionTaskCompleted
    run.signal("news")  # 5, and 6 DecisionTaskScheduled
    task = run.poll(startAtPreviousStartedEvent=True)
    assert task["previousStartedEventId"] == first["startedEventId"] == 3
    assert task["startedEventId"] == 7
    ids = [e["eventId"] for e in task["events"]]
    # From the previous DecisionTaskStarted on (by timestamp), through this task's started event.
    assert 3 in ids and ids == list(range(ids[0], 8)), ids
    history = run.history()
    cut = history[2]["eventTimestamp"]
    assert all(e["eventTimestamp"] >= cut for e in task["events"])
    assert all(e["eventTimestamp"] < cut for e in history[:ids[0] - 1])


def test_list_domains_pages(swf):
    names = [f"domain-{i:02d}" for i in range(25)]
    for n in reversed(names):
        register_domain(swf, n)

    for reverse in (False, True):
        got, token, pages = [], None, 0
        while True:
            kwargs = {"nextPageToken": token} if token else {}
            resp = swf.list_domains(registrationStatus="REGISTERED", maximumPageSize=4, reverseOrder=reverse, **kwargs)
            assert len(resp["domainInfos"]) <= 4
            got += [d["name"] for d in resp["domainInfos"]]
            pages += 1
            token = resp.get("nextPageToken")
            if not token:
                break
        assert got == (names[::-1] if reverse else names)
        assert pages >= 7

    paginator = swf.get_paginator("list_domains")
    got = [d["name"] for page in paginator.paginate(registrationStatus="REGISTERED", PaginationConfig={"PageSize": 10})
           for d in page["domainInfos"]]
    assert got == names


def test_execution_lists_pages(env):
    swf = env.swf
    runs = [env.start(f"run-{i:02d}") for i in range(12)]

    def collect(call, **kwargs):
        got, token = [], None
        while True:
            extra = {"nextPageToken": token} if token else {}
            resp = call(domain=DOMAIN, maximumPageSize=5, **kwargs, **extra)
            assert len(resp["executionInfos"]) <= 5
            got += [i["execution"]["runId"] for i in resp["executionInfos"]]
            token = resp.get("nextPageToken")
            if not token:
                return got

    open_ids = collect(swf.list_open_workflow_executions, startTimeFilter=since())
    assert sorted(open_ids) == sorted(r.run_id for r in runs)
    assert len(open_ids) == len(set(open_ids)) == 12

    for r in runs:
        swf.terminate_workflow_execution(domain=DOMAIN, workflowId=r.workflow_id)
    closed_ids = collect(swf.list_closed_workflow_executions, closeTimeFilter=since(), reverseOrder=True)
    assert sorted(closed_ids) == sorted(r.run_id for r in runs)
    assert len(closed_ids) == 12
    assert collect(swf.list_open_workflow_executions, startTimeFilter=since()) == []


@pytest.mark.skipif(not os.environ.get("LOCAL_SWF_SLOW_TESTS"), reason="~25,000 requests; set LOCAL_SWF_SLOW_TESTS=1")
def test_history_limit_terminates_the_run(env):
    """Spec §6.2: a run's history is capped at 25,000 events; reaching the cap terminates the run
    with cause EVENT_LIMIT_EXCEEDED. Signals are sent until the run refuses them."""
    run = env.start("endless")
    stop, errors, threads = threading.Event(), [], 4

    def send(part):
        client = make_client(env.server.endpoint)
        i = part
        try:
            while not stop.is_set():
                try:
                    client.signal_workflow_execution(domain=DOMAIN, workflowId="endless", runId=run.run_id,
                                                     signalName=f"s{i}")
                except client.exceptions.UnknownResourceFault:
                    stop.set()  # the run is closed
                i += threads
        except Exception as e:
            errors.append(e)
            stop.set()

    workers = [threading.Thread(target=send, args=(p,)) for p in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors, errors[0]
    info = run.describe()["executionInfo"]
    assert (info["executionStatus"], info["closeStatus"]) == ("CLOSED", "TERMINATED")
    history = run.history()
    assert len(history) <= 25000
    assert [e["eventId"] for e in history] == list(range(1, len(history) + 1))
    assert history[-1]["eventType"] == "WorkflowExecutionTerminated"
    assert attrs(history[-1])["cause"] == "EVENT_LIMIT_EXCEEDED"
    assert len(history) >= 24990  # the cap, not some earlier limit
