"""Shared fixtures and helpers for local-swf's boto3 acceptance suite.

Every test gets its own `swfwasm local` process on a free port with a fresh SQLite file, so tests
never see each other's domains or executions. The server is always stopped by the fixture's
finalizer (SIGTERM, then SIGKILL), pass or fail; on failure the tail of its stderr is printed.

Binary: $SWFWASM_BIN, else <repo>/target/debug/swfwasm. Run the suite with
    .venv/bin/python -m pytest local-swf/tests/py -q
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import re
import select
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

REPO = Path(__file__).resolve().parents[3]
BIN = Path(os.environ.get("SWFWASM_BIN") or REPO / "target" / "debug" / "swfwasm")
REGION = "us-east-1"
ACCESS_KEY = "local"
SECRET_KEY = "local"
AMZ_JSON = "application/x-amz-json-1.0"
LISTENING = re.compile(rb"^local-swf listening on (http://127\.0\.0\.1:(\d+))\s*$")
DEFAULT_POLL_HOLD_SECS = 2
MAX_PAGES = 30000  # a paging loop that runs longer than this is a server bug, not a long history


# --------------------------------------------------------------------------------------------
# The server process
# --------------------------------------------------------------------------------------------


class LocalSwf:
    """One `swfwasm local` process (restartable on the same database file)."""

    def __init__(self, db: Path, log_dir: Path, name: str, poll_hold_secs, extra_args):
        self.db = db
        self.log_dir = log_dir
        self.name = name
        self.poll_hold_secs = poll_hold_secs
        self.extra_args = [str(a) for a in extra_args]
        self.proc: subprocess.Popen | None = None
        self.endpoint: str | None = None
        self.port: int | None = None
        self.logs: list[Path] = []
        self._generation = 0

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, timeout: float = 30.0) -> "LocalSwf":
        assert self.proc is None or self.proc.poll() is not None, "server already running"
        if not BIN.exists():
            pytest.fail(f"local-swf binary not found at {BIN} (build it, or set SWFWASM_BIN)")
        self._generation += 1
        stem = f"{self.name}-{self._generation}"
        err_path = self.log_dir / f"{stem}.stderr"
        out_path = self.log_dir / f"{stem}.stdout"
        self.logs += [err_path, out_path]
        cmd = [str(BIN), "local", "--port", "0", "--db", str(self.db)]
        if self.poll_hold_secs is not None:
            cmd += ["--poll-hold-secs", str(self.poll_hold_secs)]
        cmd += self.extra_args
        with open(err_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL)
        line = self._first_line(timeout)
        m = LISTENING.match(line)
        if not m:
            self.stop()
            pytest.fail(f"unexpected first stdout line from {cmd}: {line!r}\n{self.log_tail()}")
        self.endpoint = m.group(1).decode()
        self.port = int(m.group(2))
        # Keep draining stdout so a chatty server can never block on a full pipe.
        threading.Thread(target=_drain, args=(self.proc.stdout, out_path), daemon=True).start()
        return self

    def _first_line(self, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                pytest.fail(f"local-swf printed nothing within {timeout}s\n{self.log_tail()}")
            ready, _, _ = select.select([self.proc.stdout], [], [], min(remaining, 0.5))
            if ready:
                line = self.proc.stdout.readline()
                if not line:
                    code = self.proc.wait()
                    pytest.fail(f"local-swf exited ({code}) before listening\n{self.log_tail()}")
                return line
            if self.proc.poll() is not None:
                pytest.fail(f"local-swf exited ({self.proc.returncode}) before listening\n{self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, then SIGKILL if it does not exit in time. Returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL: no chance to flush anything that was not already committed."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self, kill: bool = True) -> "LocalSwf":
        """Stop (SIGKILL by default) and start again on the same database; the port may change."""
        self.kill() if kill else self.stop()
        return self.start()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- conveniences ----------------------------------------------------------------------

    def client(self, **kwargs):
        return make_client(self.endpoint, **kwargs)

    def log_tail(self, chars: int = 6000) -> str:
        out = []
        for path in self.logs:
            if path.exists():
                text = path.read_text(errors="replace")
                if text.strip():
                    out.append(f"--- {path.name} (last {chars} chars) ---\n{text[-chars:]}")
        return "\n".join(out)


def _drain(stream, path: Path) -> None:
    with open(path, "ab") as f:
        for chunk in iter(lambda: stream.read1(65536), b""):
            f.write(chunk)
            f.flush()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Remember each phase's report on the item so fixture finalizers know whether the test failed.
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


TEST_TIME_LIMIT_SECS = int(os.environ.get("LOCAL_SWF_TEST_TIMEOUT", "300"))


@pytest.fixture(autouse=True)
def _time_limit():
    """Fail (with a traceback showing where) any test that runs longer than the limit, rather than
    hanging the suite. SIGALRM interrupts the main thread only; worker threads are daemons."""

    def expired(signum, frame):
        raise TimeoutError(f"test exceeded {TEST_TIME_LIMIT_SECS} s (LOCAL_SWF_TEST_TIMEOUT)")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TEST_TIME_LIMIT_SECS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def server_factory(request, tmp_path):
    """Start local-swf processes; all are stopped when the test ends.

    start(*extra_args, poll_hold_secs=2, db=None, name="swf") -> LocalSwf (running).
    Pass db= an earlier server's .db to share a database file (e.g. after a kill).
    """
    servers: list[LocalSwf] = []
    counter = itertools.count(1)

    def start(*extra_args, poll_hold_secs=DEFAULT_POLL_HOLD_SECS, db=None, name=None) -> LocalSwf:
        n = next(counter)
        name = name or f"swf{n}"
        db = Path(db) if db else tmp_path / f"{name}.sqlite"
        srv = LocalSwf(db, tmp_path, name, poll_hold_secs, extra_args)
        servers.append(srv)
        return srv.start()

    yield start

    for srv in servers:
        srv.stop()
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        for srv in servers:
            tail = srv.log_tail()
            if tail:
                print(f"\n===== server {srv.name} logs =====\n{tail}")


@pytest.fixture
def server(server_factory) -> LocalSwf:
    """A fresh local-swf with a temp database and --poll-hold-secs 2."""
    return server_factory()


@pytest.fixture
def swf(server):
    """A boto3 SWF client for `server`."""
    return server.client()


def make_client(endpoint, access_key=ACCESS_KEY, secret_key=SECRET_KEY, read_timeout=70, **config):
    """A boto3 SWF client as the contract prescribes: long-poll-safe read timeout, no retries.

    A fresh Session per client, so threads may each build their own safely. No retries at all
    (total_max_attempts=1): a retried poll or respond would hide what the server did.
    """
    cfg = Config(
        read_timeout=read_timeout,
        connect_timeout=5,
        retries={"total_max_attempts": 1, "mode": "standard"},
        **config,
    )
    return boto3.session.Session().client(
        "swf",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=cfg,
    )


# --------------------------------------------------------------------------------------------
# Generic helpers
# --------------------------------------------------------------------------------------------


def error_code(err: ClientError) -> str:
    return err.response["Error"]["Code"]


@contextlib.contextmanager
def raises_code(*codes: str):
    """`with raises_code("UnknownResourceFault"): ...` — the call must fail with one of these codes."""
    with pytest.raises(ClientError) as excinfo:
        yield excinfo
    code = error_code(excinfo.value)
    assert code in codes, f"expected {codes}, got {code}: {excinfo.value.response.get('Error')}"


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.1, what: str = "condition"):
    """Poll predicate() until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def lower_first(s: str) -> str:
    return s[:1].lower() + s[1:]


def attrs(event: dict) -> dict:
    """The event's attributes member, e.g. activityTaskScheduledEventAttributes."""
    return event.get(lower_first(event["eventType"]) + "EventAttributes", {})


def event_types(history) -> list[str]:
    """History (list of events, or a response with `events`) → list of eventType strings."""
    events = history["events"] if isinstance(history, dict) else history
    return [e["eventType"] for e in events]


def events_of(history, event_type: str) -> list[dict]:
    return [e for e in history if e["eventType"] == event_type]


def one_event(history, event_type: str) -> dict:
    found = events_of(history, event_type)
    assert len(found) == 1, f"expected exactly one {event_type}, got {len(found)}: {event_types(history)}"
    return found[0]


def decision(decision_type: str, **attributes) -> dict:
    """{"decisionType": T, "<t>DecisionAttributes": {...}} (attributes omitted when none)."""
    d = {"decisionType": decision_type}
    if attributes:
        d[lower_first(decision_type) + "DecisionAttributes"] = attributes
    return d


def schedule_activity(activity_id, name="Act", version="1.0", **attributes) -> dict:
    return decision(
        "ScheduleActivityTask",
        activityId=activity_id,
        activityType={"name": name, "version": version},
        **attributes,
    )


def since(seconds: float = 600) -> dict:
    """An ExecutionTimeFilter covering the last `seconds` seconds."""
    return {"oldestDate": datetime.now(timezone.utc) - timedelta(seconds=seconds)}


def get_history(swf, domain: str, execution: dict, reverse: bool = False, page_size: int | None = None,
                pages: list | None = None) -> list[dict]:
    """The whole history, following nextPageToken; page sizes are appended to `pages` if given."""
    kwargs = {"domain": domain, "execution": _we(execution), "reverseOrder": reverse}
    if page_size is not None:
        kwargs["maximumPageSize"] = page_size
    events: list[dict] = []
    for _ in range(MAX_PAGES):
        resp = swf.get_workflow_execution_history(**kwargs)
        events += resp["events"]
        if pages is not None:
            pages.append(len(resp["events"]))
        token = resp.get("nextPageToken")
        if not token:
            return events
        kwargs["nextPageToken"] = token
    raise AssertionError(f"history paging did not end after {MAX_PAGES} pages")


def _we(execution: dict) -> dict:
    return {"workflowId": execution["workflowId"], "runId": execution["runId"]}


def describe(swf, domain: str, execution: dict) -> dict:
    return swf.describe_workflow_execution(domain=domain, execution=_we(execution))


def wait_for_event(swf, domain, execution, event_type, timeout=15.0, count=1) -> dict:
    """Wait until the history holds `count` events of `event_type`; return the last of them."""

    def check():
        found = events_of(get_history(swf, domain, execution), event_type)
        return found[count - 1] if len(found) >= count else None

    return wait_for(check, timeout, what=f"{event_type} in {execution['workflowId']}")


def wait_closed(swf, domain, execution, timeout=15.0) -> dict:
    """Wait until the run is CLOSED; return its executionInfo."""

    def check():
        info = describe(swf, domain, execution)["executionInfo"]
        return info if info["executionStatus"] == "CLOSED" else None

    return wait_for(check, timeout, what=f"{execution['workflowId']} to close")


def poll_decision(swf, domain, task_list, identity="decider", **kwargs) -> dict | None:
    """PollForDecisionTask, following nextPageToken to the end. None when the poll came back empty."""
    base = {"domain": domain, "taskList": {"name": task_list}, "identity": identity, **kwargs}
    resp = swf.poll_for_decision_task(**base)
    if not resp.get("taskToken"):
        return None
    events = list(resp.get("events", []))
    token = resp.get("nextPageToken")
    for _ in range(MAX_PAGES):
        if not token:
            break
        page = swf.poll_for_decision_task(**base, nextPageToken=token)
        assert page.get("taskToken") == resp["taskToken"], "follow-up page belongs to another task"
        events += page.get("events", [])
        token = page.get("nextPageToken")
    else:
        raise AssertionError(f"decision task paging did not end after {MAX_PAGES} pages")
    resp["events"] = events
    resp.pop("nextPageToken", None)
    return resp


def poll_activity(swf, domain, task_list, identity="worker") -> dict | None:
    resp = swf.poll_for_activity_task(domain=domain, taskList={"name": task_list}, identity=identity)
    return resp if resp.get("taskToken") else None


def respond_decisions(swf, task: dict, decisions: list, **kwargs) -> None:
    swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions, **kwargs)


# --------------------------------------------------------------------------------------------
# A standard domain with one workflow type and one activity type, and per-run handles
# --------------------------------------------------------------------------------------------

DOMAIN = "test-domain"
WF = {"name": "Wf", "version": "1.0"}
ACT = {"name": "Act", "version": "1.0"}


def register_domain(swf, name, retention="1", **kwargs):
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays=retention, **kwargs)


def register_workflow_type(swf, domain, name, version="1.0", *, task_list="default-decisions",
                           execution_timeout="300", task_timeout="30", child_policy="TERMINATE", **kwargs):
    """Register a workflow type; pass None for a default to leave it unregistered."""
    defaults = {
        "defaultTaskList": {"name": task_list} if task_list else None,
        "defaultExecutionStartToCloseTimeout": execution_timeout,
        "defaultTaskStartToCloseTimeout": task_timeout,
        "defaultChildPolicy": child_policy,
    }
    swf.register_workflow_type(domain=domain, name=name, version=version,
                               **{k: v for k, v in defaults.items() if v is not None}, **kwargs)


def register_activity_type(swf, domain, name, version="1.0", *, task_list="default-activities",
                           schedule_to_start="60", schedule_to_close="120", start_to_close="60",
                           heartbeat="NONE", **kwargs):
    """Register an activity type; pass None for a default to leave it unregistered."""
    defaults = {
        "defaultTaskList": {"name": task_list} if task_list else None,
        "defaultTaskScheduleToStartTimeout": schedule_to_start,
        "defaultTaskScheduleToCloseTimeout": schedule_to_close,
        "defaultTaskStartToCloseTimeout": start_to_close,
        "defaultTaskHeartbeatTimeout": heartbeat,
    }
    swf.register_activity_type(domain=domain, name=name, version=version,
                               **{k: v for k, v in defaults.items() if v is not None}, **kwargs)


@dataclass
class Run:
    """One workflow execution with its own decision task list, so its polls never see another
    run's decision task."""

    swf: object
    domain: str
    workflow_id: str
    run_id: str
    task_list: str

    @property
    def execution(self) -> dict:
        return {"workflowId": self.workflow_id, "runId": self.run_id}

    def poll(self, identity="decider", wait: float = 0.0, **kwargs) -> dict:
        """Poll this run's decision task (must exist, or appear within `wait` seconds)."""
        deadline = time.monotonic() + wait
        while True:
            task = poll_decision(self.swf, self.domain, self.task_list, identity, **kwargs)
            if task is not None:
                assert task["workflowExecution"] == self.execution, "decision task of another run"
                return task
            if time.monotonic() > deadline:
                raise AssertionError(f"no decision task for {self.workflow_id} on {self.task_list}")

    def decide(self, decisions: list, wait: float = 0.0, **kwargs) -> dict:
        """Poll this run's decision task and answer it with `decisions`; returns the task."""
        task = self.poll(wait=wait)
        respond_decisions(self.swf, task, decisions, **kwargs)
        return task

    def history(self, **kwargs) -> list[dict]:
        return get_history(self.swf, self.domain, self.execution, **kwargs)

    def types(self) -> list[str]:
        return event_types(self.history())

    def describe(self) -> dict:
        return describe(self.swf, self.domain, self.execution)

    def wait_for_event(self, event_type, timeout=15.0, count=1) -> dict:
        return wait_for_event(self.swf, self.domain, self.execution, event_type, timeout, count)

    def wait_closed(self, timeout=15.0) -> dict:
        return wait_closed(self.swf, self.domain, self.execution, timeout)

    def signal(self, name="sig", **kwargs) -> None:
        self.swf.signal_workflow_execution(domain=self.domain, workflowId=self.workflow_id,
                                           runId=self.run_id, signalName=name, **kwargs)


@dataclass
class SwfEnv:
    """The standard test domain: workflow type Wf 1.0 and activity type Act 1.0 with defaults."""

    swf: object
    server: LocalSwf
    domain: str = DOMAIN
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def start(self, workflow_id: str | None = None, workflow_type: dict = WF, task_list: str | None = None,
              **kwargs) -> Run:
        workflow_id = workflow_id or f"wf-{next(self._ids)}"
        task_list = task_list or f"{workflow_id}-decisions"
        run_id = self.swf.start_workflow_execution(
            domain=self.domain, workflowId=workflow_id, workflowType=workflow_type,
            taskList={"name": task_list}, **kwargs)["runId"]
        return Run(self.swf, self.domain, workflow_id, run_id, task_list)

    def run_of(self, execution: dict, task_list: str) -> Run:
        return Run(self.swf, self.domain, execution["workflowId"], execution["runId"], task_list)


def setup_env(server: LocalSwf, swf=None) -> SwfEnv:
    """Register the standard domain and types on `server`."""
    swf = swf or server.client()
    register_domain(swf, DOMAIN)
    register_workflow_type(swf, DOMAIN, WF["name"], WF["version"])
    register_activity_type(swf, DOMAIN, ACT["name"], ACT["version"])
    return SwfEnv(swf, server)


@pytest.fixture
def env(server, swf) -> SwfEnv:
    """The standard domain and types on the default server."""
    return setup_env(server, swf)


# --------------------------------------------------------------------------------------------
# The seed tutorial's HelloWorld, translated from boto2's layer2 to boto3
# --------------------------------------------------------------------------------------------

HELLO_DOMAIN = "boto_tutorial"
HELLO_VERSION = "1.0"
HELLO_TASKLIST = "default"
HELLO_ACTIVITY = "HelloWorld"
HELLO_WORKFLOW = "HelloWorkflow"


def register_hello(swf) -> None:
    """register.py from the seed, with boto2 layer2's implicit defaults made explicit:
    Domain.retention = 30; ActivityType.register adds heartbeat 600, schedule-to-close 3900,
    schedule-to-start 300, start-to-close 3600; WorkflowType.register adds execution 3600,
    task 300, child policy TERMINATE. (layer2 does not pass task_list at registration.)"""
    swf.register_domain(name=HELLO_DOMAIN, workflowExecutionRetentionPeriodInDays="30")
    swf.register_activity_type(
        domain=HELLO_DOMAIN, name=HELLO_ACTIVITY, version=HELLO_VERSION,
        defaultTaskHeartbeatTimeout="600", defaultTaskScheduleToCloseTimeout="3900",
        defaultTaskScheduleToStartTimeout="300", defaultTaskStartToCloseTimeout="3600")
    swf.register_workflow_type(
        domain=HELLO_DOMAIN, name=HELLO_WORKFLOW, version=HELLO_VERSION,
        defaultExecutionStartToCloseTimeout="3600", defaultTaskStartToCloseTimeout="300",
        defaultChildPolicy="TERMINATE")


def start_hello(swf, workflow_id: str) -> dict:
    """WorkflowType(...).start(): layer2 passes task_list and child_policy explicitly."""
    run_id = swf.start_workflow_execution(
        domain=HELLO_DOMAIN, workflowId=workflow_id,
        workflowType={"name": HELLO_WORKFLOW, "version": HELLO_VERSION},
        taskList={"name": HELLO_TASKLIST}, childPolicy="TERMINATE")["runId"]
    return {"workflowId": workflow_id, "runId": run_id}


def hello_decider_step(swf, identity="hello-decider", domain=HELLO_DOMAIN, task_list=HELLO_TASKLIST):
    """One HelloDecider().run(): poll, decide on the last non-Decision event, complete.

    Returns None for an empty poll, else the decision type sent ("ScheduleActivityTask",
    "CompleteWorkflowExecution") or "" for an empty decision list."""
    history = swf.poll_for_decision_task(domain=domain, taskList={"name": task_list}, identity=identity)
    if not history.get("taskToken"):
        return None
    # The seed reads only the first page; these histories are short, but page anyway.
    events = list(history.get("events", []))
    token = history.get("nextPageToken")
    while token:
        page = swf.poll_for_decision_task(domain=domain, taskList={"name": task_list},
                                          identity=identity, nextPageToken=token)
        events += page.get("events", [])
        token = page.get("nextPageToken")
    # Find workflow events not related to decision scheduling.
    workflow_events = [e for e in events if not e["eventType"].startswith("Decision")]
    last_event = workflow_events[-1]
    decisions = []
    if last_event["eventType"] == "WorkflowExecutionStarted":
        # Layer1Decisions.schedule_activity_task('saying_hi', ACTIVITY, VERSION, task_list=TASKLIST)
        decisions.append({
            "decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": {
                "activityId": "saying_hi",
                "activityType": {"name": HELLO_ACTIVITY, "version": HELLO_VERSION},
                "taskList": {"name": HELLO_TASKLIST},
            },
        })
    elif last_event["eventType"] == "ActivityTaskCompleted":
        # Layer1Decisions.complete_workflow_execution() sends an empty attributes object.
        decisions.append({"decisionType": "CompleteWorkflowExecution",
                          "completeWorkflowExecutionDecisionAttributes": {}})
    swf.respond_decision_task_completed(taskToken=history["taskToken"], decisions=decisions)
    return decisions[0]["decisionType"] if decisions else ""


def hello_worker_step(swf, identity="hello-worker", domain=HELLO_DOMAIN, task_list=HELLO_TASKLIST):
    """One HelloWorker().run(): poll; on a task say hello and complete it. True if it did a task."""
    activity_task = swf.poll_for_activity_task(domain=domain, taskList={"name": task_list}, identity=identity)
    if "activityId" in activity_task and activity_task.get("taskToken"):
        print("Hello, World!")
        swf.respond_activity_task_completed(taskToken=activity_task["taskToken"])
        return True
    return False


def run_hello(endpoint: str, workflow_id: str, timeout: float = 60.0) -> tuple[dict, list[dict]]:
    """Start one HelloWorkflow and run the seed's decider and worker in two threads (each with its
    own client) until the run closes. Returns (execution, full history)."""
    swf = make_client(endpoint)
    execution = start_hello(swf, workflow_id)
    errors: list[BaseException] = []
    done = threading.Event()

    def decider():
        client = make_client(endpoint)
        try:
            while not done.is_set():
                if hello_decider_step(client) == "CompleteWorkflowExecution":
                    return
        except BaseException as e:  # surfaced by the main thread
            errors.append(e)

    def worker():
        client = make_client(endpoint)
        try:
            while not done.is_set():
                if hello_worker_step(client):
                    return
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=decider, daemon=True), threading.Thread(target=worker, daemon=True)]
    for t in threads:
        t.start()
    try:
        wait_for(lambda: errors or describe(swf, HELLO_DOMAIN, execution)["executionInfo"]["executionStatus"] == "CLOSED",
                 timeout, interval=0.1, what=f"HelloWorkflow {workflow_id} to close")
    finally:
        done.set()
        for t in threads:
            t.join(timeout=15)
    if errors:
        raise errors[0]
    return execution, get_history(swf, HELLO_DOMAIN, execution)


# --------------------------------------------------------------------------------------------
# Raw, hand-signed HTTP (for malformed input and connection-level tests)
# --------------------------------------------------------------------------------------------


@dataclass
class RawResponse:
    status: int
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body) if self.body else None

    @property
    def error_code(self) -> str | None:
        """__type with namespace and anything after ':' stripped, as botocore derives it."""
        try:
            doc = self.json
        except ValueError:
            return None
        if not isinstance(doc, dict) or "__type" not in doc:
            return None
        return doc["__type"].split(":")[0].rsplit("#", 1)[-1]

    @property
    def message(self) -> str:
        doc = self.json or {}
        return doc.get("message") or doc.get("Message") or ""


def sign(endpoint: str, body, action: str | None = None, *, target: str | None = None,
         content_type: str = AMZ_JSON, access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY,
         region: str = REGION) -> tuple[dict, bytes]:
    """SigV4-sign a POST / for service `swf` the way botocore does; returns (headers, body)."""
    if isinstance(body, str):
        body = body.encode()
    headers = {"Content-Type": content_type, "X-Amz-Target": target or f"SimpleWorkflowService.{action}"}
    req = AWSRequest(method="POST", url=endpoint.rstrip("/") + "/", data=body, headers=headers)
    SigV4Auth(Credentials(access_key, secret_key), "swf", region).add_auth(req)
    return dict(req.headers.items()), body


def raw_post(endpoint: str, headers: dict, body: bytes, timeout: float = 30.0) -> RawResponse:
    """POST / on a fresh connection; http.client adds Host and Content-Length."""
    u = urlsplit(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.request("POST", "/", body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        return RawResponse(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        conn.close()


def call_raw(endpoint: str, action: str | None, body, **sign_kwargs) -> RawResponse:
    """Sign and send one request; body may be a dict (JSON-encoded), str or bytes."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    headers, data = sign(endpoint, body, action, **sign_kwargs)
    return raw_post(endpoint, headers, data)


def http_request_bytes(endpoint: str, headers: dict, body: bytes) -> bytes:
    """The bytes of an HTTP/1.1 POST / request, for sending over a raw socket."""
    netloc = urlsplit(endpoint).netloc
    lines = ["POST / HTTP/1.1", f"Host: {netloc}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines += [f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode() + body
