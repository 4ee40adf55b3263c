"""Done-when 5: durability. Every acknowledged request is committed before its response, so a
SIGKILL followed by a restart on the same --db continues every open execution: histories seen
before the kill are intact, tokens and timers survive, and deadlines that passed while the server
was down fire after the restart."""

import signal
import subprocess
import threading
import time

from botocore.exceptions import BotoCoreError, ClientError

from conftest import (
    DOMAIN,
    attrs,
    decision,
    error_code,
    event_types,
    events_of,
    get_history,
    make_client,
    poll_activity,
    register_activity_type,
    register_domain,
    register_workflow_type,
    schedule_activity,
    setup_env,
    wait_for,
)

WORKFLOWS = 100


class Endpoint:
    """The server's current endpoint; the port changes on restart."""

    def __init__(self, url):
        self.url, self.generation = url, 0
        self.lock = threading.Lock()

    def set(self, url):
        with self.lock:
            self.url, self.generation = url, self.generation + 1

    def get(self):
        with self.lock:
            return self.url, self.generation


class Actors:
    """A pool of deciders and activity workers running the tutorial flow, tolerant of the server
    disappearing: on a connection error they rebuild their client from the current endpoint and
    retry. Responds are retried until accepted or UnknownResourceFault (already committed before
    the kill, or the task timed out meanwhile)."""

    def __init__(self, endpoint: Endpoint, deciders=3, workers=3, activity_secs=0.25):
        self.endpoint = endpoint
        self.activity_secs = activity_secs
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.errors: list[BaseException] = []
        self.connection_errors = 0
        self.seen: dict[str, dict[int, dict]] = {}  # workflowId -> eventId -> event seen in a poll response
        self.acked_completions: set[str] = set()  # workflowIds whose RespondActivityTaskCompleted got 200
        self.threads = [threading.Thread(target=self._loop, args=(self._decide,), daemon=True) for _ in range(deciders)]
        self.threads += [threading.Thread(target=self._loop, args=(self._work,), daemon=True) for _ in range(workers)]

    def start(self):
        for t in self.threads:
            t.start()

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)

    # -- plumbing --------------------------------------------------------------------------

    def _client(self, current):
        url, generation = self.endpoint.get()
        if current is None or current[1] != generation:
            return make_client(url, read_timeout=30), generation
        return current

    def _loop(self, step):
        current = None
        while not self.stop.is_set():
            try:
                current = self._client(current)
                step(current)
            except BotoCoreError:
                with self.lock:
                    self.connection_errors += 1
                current = None
                time.sleep(0.2)
            except BaseException as e:  # any other failure is a test failure
                with self.lock:
                    self.errors.append(e)
                return

    def _call(self, current, method, **kwargs):
        """Call until the server answers; returns (response, None) or (None, fault code)."""
        deadline = time.monotonic() + 60
        while True:
            try:
                return getattr(current[0], method)(**kwargs), None
            except ClientError as e:
                if error_code(e) == "UnknownResourceFault":
                    return None, "UnknownResourceFault"
                raise
            except BotoCoreError:
                with self.lock:
                    self.connection_errors += 1
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
                current = self._client(None)

    # -- the tutorial's decider and worker (plus: reschedule an activity that timed out) -----

    def _decide(self, current):
        swf = current[0]
        task = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"}, identity="decider")
        if not task.get("taskToken"):
            return
        events = list(task["events"])
        token = task.get("nextPageToken")
        while token:
            page = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "decisions"}, nextPageToken=token)
            events += page["events"]
            token = page.get("nextPageToken")
        with self.lock:
            seen = self.seen.setdefault(task["workflowExecution"]["workflowId"], {})
            for e in events:
                seen[e["eventId"]] = e
        workflow_events = [e for e in events if not e["eventType"].startswith("Decision")]
        last = workflow_events[-1]["eventType"]
        decisions = []
        if last in ("WorkflowExecutionStarted", "ActivityTaskTimedOut"):
            n = len(events_of(events, "ActivityTaskScheduled"))
            decisions.append(schedule_activity(f"saying_hi-{n}", "Say", taskList={"name": "activities"}))
        elif last == "ActivityTaskCompleted":
            decisions.append(decision("CompleteWorkflowExecution"))
        self._call(current, "respond_decision_task_completed", taskToken=task["taskToken"], decisions=decisions)

    def _work(self, current):
        task = poll_activity(current[0], DOMAIN, "activities", identity="worker")
        if task is None:
            return
        time.sleep(self.activity_secs)  # the work: long enough that tasks are in flight at the kill
        _, fault = self._call(current, "respond_activity_task_completed", taskToken=task["taskToken"],
                              result="Hello, World!")
        if fault is None:
            with self.lock:
                self.acked_completions.add(task["workflowExecution"]["workflowId"])


def _closed_count(swf):
    return swf.count_closed_workflow_executions(domain=DOMAIN, closeTimeFilter={"oldestDate": 0})["count"]


def test_sigkill_with_100_workflows_in_flight_loses_nothing(server_factory):
    server = server_factory(poll_hold_secs=1)
    swf = server.client()
    register_domain(swf, DOMAIN)
    # Short task timeouts: a task handed out in a response the kill swallowed times out and is retried.
    register_workflow_type(swf, DOMAIN, "Hello", task_list="decisions", execution_timeout="600", task_timeout="5")
    register_activity_type(swf, DOMAIN, "Say", task_list="activities", schedule_to_start="NONE",
                           schedule_to_close="NONE", start_to_close="5", heartbeat="NONE")
    executions = {}
    for i in range(WORKFLOWS):
        wid = f"hello-{i:03d}"
        run_id = swf.start_workflow_execution(domain=DOMAIN, workflowId=wid,
                                              workflowType={"name": "Hello", "version": "1.0"})["runId"]
        executions[wid] = {"workflowId": wid, "runId": run_id}

    endpoint = Endpoint(server.endpoint)
    actors = Actors(endpoint)
    actors.start()
    try:
        wait_for(lambda: actors.errors or _closed_count(swf) >= 20, 60, 0.05, "20 workflows to complete")
        assert not actors.errors, actors.errors[0]

        # Snapshot: every event the server has acknowledged so far, then kill it at once.
        snapshot = {wid: get_history(swf, DOMAIN, ex) for wid, ex in executions.items()}
        server.kill()
        open_at_kill = [wid for wid, h in snapshot.items() if h[-1]["eventType"] != "WorkflowExecutionCompleted"]
        assert open_at_kill, "all workflows finished before the kill; nothing was in flight"
        time.sleep(1.0)  # the actors meet a dead server for a while

        server.start()  # same --db, maybe another port
        endpoint.set(server.endpoint)
        swf = server.client()
        wait_for(lambda: actors.errors or _closed_count(swf) == WORKFLOWS, 120, 0.2, "every workflow to complete")
        assert not actors.errors, actors.errors[0]
    finally:
        actors.join()

    for wid, ex in executions.items():
        info = swf.describe_workflow_execution(domain=DOMAIN, execution=ex)["executionInfo"]
        assert info["closeStatus"] == "COMPLETED", (wid, info)
        final = get_history(swf, DOMAIN, ex)
        assert [e["eventId"] for e in final] == list(range(1, len(final) + 1))
        by_id = {e["eventId"]: e for e in final}
        for e in snapshot[wid] + list(actors.seen.get(wid, {}).values()):
            kept = by_id.get(e["eventId"])
            assert kept is not None, f"{wid}: event {e['eventId']} {e['eventType']} lost"
            assert (kept["eventType"], attrs(kept)) == (e["eventType"], attrs(e)), f"{wid}: event {e['eventId']} changed"
        # Exactly one activity completed: an acknowledged completion was kept, and none ran twice.
        assert len(events_of(final, "ActivityTaskCompleted")) == 1, (wid, event_types(final))
        assert final[-1]["eventType"] == "WorkflowExecutionCompleted"
    print(f"open at kill: {len(open_at_kill)}, connection errors seen by actors: {actors.connection_errors}")


def test_sigkill_keeps_tokens_queues_timers_and_deadlines(server_factory):
    server = server_factory()
    env = setup_env(server)
    swf = env.swf

    decider_run = env.start("holds-decision-token")
    decision_task = decider_run.poll()
    queued_run = env.start("decision-still-queued")
    timer_run = env.start("timer")
    timer_run.decide([decision("StartTimer", timerId="t", startToFireTimeout="3")])
    activity_run = env.start("holds-activity-token")
    activity_run.decide([schedule_activity("a1", taskList={"name": "acts"})])
    activity_task = poll_activity(swf, DOMAIN, "acts")
    pending_run = env.start("activity-still-queued")
    pending_run.decide([schedule_activity("p1", taskList={"name": "pending-acts"})])
    doomed_run = env.start("times-out-while-down", executionStartToCloseTimeout="2")
    runs = [decider_run, queued_run, timer_run, activity_run, pending_run, doomed_run]
    before = {r.workflow_id: r.history() for r in runs}

    server.kill()
    time.sleep(2.5)  # the doomed run's deadline passes while the server is down
    server.start()
    swf = server.client()
    for r in runs:
        r.swf = swf

    # Nothing acknowledged was lost.
    for r in runs:
        after = r.history()
        assert after[:len(before[r.workflow_id])] == before[r.workflow_id], r.workflow_id

    # The deadline that passed while down fires now.
    info = doomed_run.wait_closed()
    assert info["closeStatus"] == "TIMED_OUT"
    # The timer still fires.
    assert attrs(timer_run.wait_for_event("TimerFired"))["timerId"] == "t"
    # Tokens handed out before the kill still work.
    swf.respond_decision_task_completed(taskToken=decision_task["taskToken"],
                                        decisions=[decision("CompleteWorkflowExecution")])
    assert decider_run.describe()["executionInfo"]["closeStatus"] == "COMPLETED"
    assert swf.record_activity_task_heartbeat(taskToken=activity_task["taskToken"])["cancelRequested"] is False
    swf.respond_activity_task_completed(taskToken=activity_task["taskToken"], result="after restart")
    assert attrs(activity_run.wait_for_event("ActivityTaskCompleted"))["result"] == "after restart"
    # Queued tasks are still queued.
    assert swf.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": "pending-acts"})["count"] == 1
    assert poll_activity(swf, DOMAIN, "pending-acts")["activityId"] == "p1"
    task = queued_run.poll()
    assert task["startedEventId"] == 3


def test_sigterm_stops_the_server_and_the_data_stays(server_factory):
    server = server_factory()
    register_domain(server.client(), "kept")
    server.proc.send_signal(signal.SIGTERM)
    try:
        server.proc.wait(10)
    except subprocess.TimeoutExpired:
        raise AssertionError("local-swf did not exit within 10 s of SIGTERM")
    server.start()
    assert make_client(server.endpoint).describe_domain(name="kept")["domainInfo"]["status"] == "REGISTERED"
