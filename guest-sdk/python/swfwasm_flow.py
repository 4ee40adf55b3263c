"""The flow API for Python deciders: a workflow written as ordinary ``async`` code.

The contract this module implements is ``guest-sdk/FLOW.md`` (shared with the Rust
``swfwasm_guest::flow`` and the JavaScript ``flow.js``): the same workflow written in any of the
three asks for the same things under the same ids, so a history written by one replays on the
others.

How data flows, on every decision task (stateless replay: the plugin keeps nothing between
tasks):

1. ``WitWorld.decide(task_json)`` parses the PollForDecisionTask response (always the complete
   history), picks the workflow by the task's ``workflowType`` and indexes the history once
   (``_Index``: activities by id, timers, signals, markers, child workflows, and the history's
   *steps* for the non-determinism check).
2. The workflow function ``async def fn(wf, input)`` runs from the top on a fresh ``Workflow``.
   Each request (``wf.activity``, ``wf.sleep``, ``wf.signal``, ``wf.child``) takes its id from
   the order of calls and returns a ``Step``, an awaitable that is *pending when made*: if the
   history holds its answer, the request knows its *settling event* (the event that answered
   it); if not, it becomes a decision (unless the history shows it was already made) and stays
   pending. An activity with retries is one request: its attempts and backoff timers are walked
   through the history at the call, and the close of its last attempt settles it.
3. A small deterministic scheduler (no asyncio: ``coroutine.send``, a FIFO ready queue) runs the
   code until every branch waits, then resolves the pending request(s) with the lowest settling
   event id, runs until every branch waits again, and so on, until the workflow returns or only
   unanswered requests are left. So ``wf.race`` is won by the branch answered first in the
   history, on every replay. ``wf.signals``/``wf.markers`` read what the decision task the
   replay has reached had seen, so they too read the same on every replay.
4. The decisions made (in the order the code made the requests) and, if the workflow returned,
   its closing decision (see ``Ending``) form the RespondDecisionTaskCompleted body. More than
   SWF's 100 decisions are cut to 99 plus a 0-second timer ``swfwasm.batch.<startedEventId>``
   whose firing brings the next task, which asks for the rest. A history step the code no
   longer asks for (or asks for as something else) fails ``decide`` with a
   ``NonDeterminismError``.

A plugin::

    from swfwasm_flow import ActivityFailure, flow_decider, workflow
    from swfwasm_guest import workflow_type

    async def greet(wf, name):
        try:
            return await wf.activity("HelloWorld", "1.0", input=name or "World", retry=3)
        except ActivityFailure as failure:
            return wf.fail("greeting failed", str(failure))

    WitWorld = flow_decider(workflow(workflow_type("Greet", "1.0", default_task_list="main"), greet))

and its unit test, natively (no server, no component)::

    history = History.started('"Ada"')
    assert decide(greet, history)[0]["decisionType"] == "ScheduleActivityTask"
"""

from __future__ import annotations

import bisect
import heapq
import inspect
import json
import math
from collections import deque
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Deque, Dict, Generator, Iterable, List, Optional, Sequence, Tuple, Union

from componentize_py_types import Err

from swfwasm_guest import Decider, Decisions, DecisionTask

__all__ = [
    "ActivityFailure",
    "ChildFailure",
    "Ending",
    "History",
    "MAX_DECISIONS",
    "NonDeterminismError",
    "RetryPolicy",
    "Step",
    "Workflow",
    "WorkflowDefinition",
    "WorkflowFailure",
    "canonical_json",
    "decide",
    "flow_decider",
    "workflow",
]

MAX_DECISIONS = 100
"""SWF's limit on the decisions of one RespondDecisionTaskCompleted."""

REASON_LIMIT = 256
"""The longest ``reason`` SWF keeps: an escaped failure's reason is cut to it."""


class _Nothing:
    """The default of optional payloads: "not given" (no field), as opposed to ``None`` (JSON
    ``null``)."""

    def __repr__(self) -> str:
        return "<not given>"


_NOTHING: Any = _Nothing()


# Payloads ----------------------------------------------------------------------------------------


def canonical_json(value: Any) -> str:
    """``value`` as the flow API writes JSON everywhere: object keys sorted, no spaces, non-ASCII
    characters as they are (what serde_json writes for a ``json!`` value)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _payload(value: Any) -> Optional[str]:
    """An ending's result/details/input: absent for ``None``, a string as is, anything else as
    JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return canonical_json(value)


def _input(value: Any) -> Optional[str]:
    """An activity's input: absent when not given, else JSON (a string too, so ``"Ada"`` goes as
    ``"\\"Ada\\""``; ``None`` as ``null``). Child inputs and marker details are always JSON."""
    return None if value is _NOTHING else canonical_json(value)


def _read_json(text: Optional[str]) -> Any:
    """A result as the code sees it: parsed JSON, ``None`` when absent; raises ``ValueError``."""
    return json.loads(text if text is not None else "null")


# Failures ----------------------------------------------------------------------------------------


class _StepFailure(Exception):
    """What ActivityFailure and ChildFailure share: a kind out of ``KINDS``, the step's id, and
    the fields the kinds use; ``str()`` is ``message``."""

    KINDS: Tuple[str, ...] = ()
    WHAT = "a failure"

    def __init__(
        self,
        kind: str,
        step_id: Optional[str],
        *,
        reason: Optional[str] = None,
        details: Optional[str] = None,
        timeout_type: Optional[str] = None,
        cause: Optional[str] = None,
        problem: Optional[str] = None,
    ):
        if kind not in self.KINDS:
            raise ValueError(f"{self.WHAT} is one of {', '.join(self.KINDS)}, not {kind!r}")
        self.kind = kind
        self.id = step_id
        self.reason = reason
        self.details = details
        self.timeout_type = timeout_type
        self.cause = cause
        self.problem = problem
        super().__init__(self.message)

    @property
    def message(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.kind!r}, id={self.id!r}, message={self.message!r})"


class ActivityFailure(_StepFailure):
    """Why an activity gave no result; ``str()`` is the message of Rust's ``Display``.

    ``kind`` is ``failed`` (``reason``, ``details``), ``timed_out`` (``timeout_type``),
    ``canceled`` (``details``), ``schedule_failed`` (``cause``; never retried) or
    ``bad_result`` (``problem``: the result is not JSON). ``activity_id`` is the id of the
    attempt that ended the activity: ``<name>-<n>``, or ``<name>-<n>.<k>`` when retried.
    """

    KINDS = ("failed", "timed_out", "canceled", "schedule_failed", "bad_result")
    WHAT = "an activity failure"

    def __init__(self, kind: str, *, activity_id: Optional[str] = None, **fields: Optional[str]):
        super().__init__(kind, activity_id, **fields)

    @property
    def activity_id(self) -> Optional[str]:
        return self.id

    @property
    def message(self) -> str:
        if self.kind == "failed":
            reason = self.reason if self.reason is not None else "(no reason)"
            return f"failed: {reason}" + (f" ({self.details})" if self.details is not None else "")
        if self.kind == "timed_out":
            return f"timed out ({self.timeout_type})"
        if self.kind == "canceled":
            return "canceled"
        if self.kind == "schedule_failed":
            return f"could not be scheduled: {self.cause}"
        return f"returned an unreadable result: {self.problem}"


class ChildFailure(_StepFailure):
    """Why a child workflow gave no result; ``str()`` is the message of Rust's ``Display``.

    ``kind`` is ``start_failed`` (``cause``), ``failed`` (``reason``, ``details``),
    ``timed_out`` (``timeout_type``), ``canceled`` (``details``), ``terminated`` or
    ``bad_result`` (``problem``). ``workflow_id`` is the child's ``<this workflow id>:<name>-<n>``.
    """

    KINDS = ("start_failed", "failed", "timed_out", "canceled", "terminated", "bad_result")
    WHAT = "a child failure"

    def __init__(self, kind: str, *, workflow_id: Optional[str] = None, **fields: Optional[str]):
        super().__init__(kind, workflow_id, **fields)

    @property
    def workflow_id(self) -> Optional[str]:
        return self.id

    @property
    def message(self) -> str:
        if self.kind == "start_failed":
            return f"could not be started: {self.cause}"
        if self.kind == "failed":
            return f"failed: {self.reason if self.reason is not None else '(no reason)'}"
        if self.kind == "timed_out":
            return "timed out"
        if self.kind in ("canceled", "terminated"):
            return self.kind
        return f"returned an unreadable result: {self.problem}"


class WorkflowFailure(Exception):
    """Raise to fail the workflow (FailWorkflowExecution with ``reason`` and ``details``; details
    that are not a string go as JSON)."""

    def __init__(self, reason: str, details: Any = None):
        super().__init__(reason)
        self.reason = reason
        self.details = details


class NonDeterminismError(Exception):
    """The code no longer asks for what the history shows it asked for; ``str()`` is the
    message FLOW.md specifies, ``event_id`` the history step's event."""

    def __init__(self, message: str, event_id: int):
        super().__init__(message)
        self.event_id = event_id


# Endings -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ending:
    """How the workflow closes; return one from the workflow (``wf.fail``, ``wf.cancel``,
    ``wf.continue_as_new``). Returning anything else completes the workflow (``None``: no
    result, a string as is, another value as JSON)."""

    kind: str
    """``complete``, ``fail``, ``cancel`` or ``continue_as_new``."""
    payload: Optional[str] = None
    """The result, details or new input, already a string."""
    reason: Optional[str] = None
    """The reason of a ``fail``."""

    def decide(self, decisions: Decisions) -> None:
        """Appends the closing decision."""
        if self.kind == "complete":
            decisions.complete_workflow_execution(self.payload)
        elif self.kind == "fail":
            decisions.fail_workflow_execution(self.reason, self.payload)
        elif self.kind == "cancel":
            decisions.cancel_workflow_execution(self.payload)
        else:
            decisions.push("ContinueAsNewWorkflowExecution", input=self.payload)


def _ending_of(value: Any) -> Ending:
    """What the workflow function's return value closes the workflow with."""
    if isinstance(value, Ending):
        return value
    return Ending("complete", _payload(value))


def _escaped(failure: Union[ActivityFailure, ChildFailure]) -> Ending:
    """An ActivityFailure/ChildFailure the workflow let escape: FailWorkflowExecution with
    reason ``<id> <message>`` (at most 256 characters) and the failure's details."""
    reason = f"{failure.id} {failure.message}" if failure.id else failure.message
    return Ending("fail", failure.details, reason[:REASON_LIMIT])


# Retries -----------------------------------------------------------------------------------------

_MASK64 = (1 << 64) - 1


def fnv1a64(*parts: bytes) -> int:
    """FNV-1a (64 bits) over ``parts`` joined by a 0 byte: the retry jitter's seed is
    ``fnv1a64(run_id, activity_id)``."""
    value = 0xCBF29CE484222325
    for i, part in enumerate(parts):
        data = part if i == 0 else b"\0" + part
        for byte in data:
            value = ((value ^ byte) * 0x100000001B3) & _MASK64
    return value


def rotate_left64(value: int, bits: int) -> int:
    """Rust's ``u64::rotate_left``."""
    bits %= 64
    return ((value << bits) | (value >> (64 - bits))) & _MASK64 if bits else value


def _powi(base: float, exponent: int) -> float:
    """Rust's ``f64::powi`` as compiled for wasm32 (compiler-rt's ``__powidf2``), so waits match
    to the last bit for any backoff."""
    recip = exponent < 0
    b = -exponent if recip else exponent
    result = 1.0
    while True:
        if b & 1:
            result *= base
        b //= 2
        if b == 0:
            break
        base *= base
    return 1.0 / result if recip else result


def _round_half_away(value: float) -> int:
    """Rust's ``f64::round``: halves away from zero."""
    whole = math.floor(abs(value))
    rounded = whole + 1 if abs(value) - whole >= 0.5 else whole
    return int(math.copysign(rounded, value))


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of an activity: ``max_attempts`` in all (1 = no retry), waiting
    ``initial_interval_secs * backoff^(k-1)`` (at most ``max_interval_secs``) after failed
    attempt k, scaled by a jitter in [0.5, 1.0] derived from the run id and the activity id
    (so a replay waits exactly as long as the first run did). Failures and timeouts are
    retried; a schedule failure, a cancellation or an unreadable result end the activity."""

    max_attempts: int = 1
    initial_interval_secs: int = 1
    backoff: float = 2.0
    max_interval_secs: int = 300

    @classmethod
    def attempts(cls, attempts: int) -> "RetryPolicy":
        """``attempts`` attempts with the default waits (1 s, 2 s, 4 s, ..., at most 5 min)."""
        return cls(max_attempts=max(1, int(attempts)))

    @classmethod
    def of(cls, retry: Union[None, int, "RetryPolicy"]) -> "RetryPolicy":
        """``retry=`` as ``wf.activity`` takes it: ``None`` (one attempt), a number of attempts
        or a policy."""
        if retry is None:
            return cls()
        if isinstance(retry, RetryPolicy):
            return retry
        if isinstance(retry, int) and not isinstance(retry, bool):
            return cls.attempts(retry)
        raise TypeError(f"retry is a number of attempts or a RetryPolicy, not {retry!r}")

    def wait_secs(self, attempt: int, seed: int) -> int:
        """The wait after failed attempt ``attempt`` (1-based), ``seed`` being
        ``rotate_left64(fnv1a64(run_id, activity_id), attempt)``."""
        exponential = float(self.initial_interval_secs) * _powi(float(self.backoff), attempt - 1)
        capped = min(exponential, float(self.max_interval_secs))
        jitter = 0.5 + (seed % 1000) / 2000.0
        return _round_half_away(capped * jitter)

    def wait_after(self, attempt: int, run_id: str, activity_id: str) -> int:
        """The wait after failed attempt ``attempt`` of activity ``activity_id`` (``<name>-<n>``)
        in run ``run_id``."""
        seed = fnv1a64(run_id.encode(), activity_id.encode())
        return self.wait_secs(attempt, rotate_left64(seed, attempt))


# The history, indexed once per decision task ------------------------------------------------------


@dataclass
class _Answer:
    """Where one activity (latest attempt under an id) or child workflow stands: ``event_id``
    is the settling event (``None`` while unanswered), ``kind`` the outcome (``completed`` or a
    failure kind), ``attributes`` the settling event's attributes."""

    event_id: Optional[int] = None
    kind: Optional[str] = None
    attributes: Optional[Dict[str, Any]] = None


@dataclass
class _HistoryStep:
    """A request the history shows the code made: it must be asked for again on replay, as the
    same thing (``text``, e.g. ``activity Pay 1.0 (Pay-1)``)."""

    event_id: int
    text: str


_ACTIVITY_CLOSES = {
    "ActivityTaskCompleted": "completed",
    "ActivityTaskFailed": "failed",
    "ActivityTaskTimedOut": "timed_out",
    "ActivityTaskCanceled": "canceled",
}

_CHILD_CLOSES = {
    "ChildWorkflowExecutionCompleted": "completed",
    "ChildWorkflowExecutionFailed": "failed",
    "ChildWorkflowExecutionTimedOut": "timed_out",
    "ChildWorkflowExecutionCanceled": "canceled",
    "ChildWorkflowExecutionTerminated": "terminated",
}


def _type_of(attributes: Dict[str, Any], key: str) -> Tuple[Optional[str], Optional[str]]:
    kind = attributes.get(key) or {}
    return kind.get("name"), kind.get("version")


def _activity_text(name: Optional[str], version: Optional[str], activity_id: str) -> str:
    return f"activity {name} {version} ({activity_id})"


def _child_text(name: Optional[str], version: Optional[str], workflow_id: str) -> str:
    return f"child workflow {name} {version} ({workflow_id})"


class _Index:
    """One pass over the history: the answers of every request and the history's steps."""

    def __init__(self, task: DecisionTask):
        self.activities: Dict[str, _Answer] = {}
        self.timers_started: set = set()
        self.timers_fired: Dict[str, int] = {}
        self.signals: Dict[str, List[Tuple[int, Optional[str]]]] = {}
        self.markers: Dict[str, List[Tuple[int, Optional[str]]]] = {}
        self.children: Dict[str, _Answer] = {}
        self.steps: Dict[Tuple[str, Any], _HistoryStep] = {}
        """(kind, id) → the step; ``kind`` is activity, timer, child or marker (id: (name, n))."""
        self.step_order: List[Tuple[str, Any]] = []
        self.decision_starts: List[int] = []
        """The DecisionTaskStarted event ids, in order."""
        latest_schedule: Dict[str, Optional[int]] = {}  # activity id → its latest ActivityTaskScheduled
        scheduled_ids: Dict[int, str] = {}  # ActivityTaskScheduled event id → activity id

        for event in task.events:
            kind, a, event_id = event.event_type, event.attributes, event.event_id
            if kind == "ActivityTaskScheduled":
                activity_id = a.get("activityId", "")
                latest_schedule[activity_id] = event_id
                scheduled_ids[event_id] = activity_id
                self.activities[activity_id] = _Answer()
                name, version = _type_of(a, "activityType")
                self._step("activity", activity_id, event_id, name, version, _activity_text(name, version, activity_id))
            elif kind in _ACTIVITY_CLOSES:
                activity_id = scheduled_ids.get(a.get("scheduledEventId", -1))
                if activity_id is not None and latest_schedule.get(activity_id) == a.get("scheduledEventId"):
                    self.activities[activity_id] = _Answer(event_id, _ACTIVITY_CLOSES[kind], a)
            elif kind == "ScheduleActivityTaskFailed":
                activity_id = a.get("activityId", "")
                latest_schedule[activity_id] = None
                self.activities[activity_id] = _Answer(event_id, "schedule_failed", a)
                name, version = _type_of(a, "activityType")
                self._step("activity", activity_id, event_id, name, version, _activity_text(name, version, activity_id))
            elif kind == "TimerStarted":
                timer_id = a.get("timerId", "")
                self.timers_started.add(timer_id)
                if not timer_id.startswith("swfwasm."):
                    self._step("timer", timer_id, event_id, None, None, f"timer {timer_id}")
            elif kind == "TimerFired":
                self.timers_fired.setdefault(a.get("timerId", ""), event_id)
            elif kind == "WorkflowExecutionSignaled":
                self.signals.setdefault(a.get("signalName", ""), []).append((event_id, a.get("input")))
            elif kind == "MarkerRecorded":
                name = a.get("markerName", "")
                recorded = self.markers.setdefault(name, [])
                recorded.append((event_id, a.get("details")))
                self._step("marker", (name, len(recorded)), event_id, None, None, f"marker {name} #{len(recorded)}")
            elif kind == "StartChildWorkflowExecutionInitiated":
                workflow_id = a.get("workflowId", "")
                self.children[workflow_id] = _Answer()
                name, version = _type_of(a, "workflowType")
                self._step("child", workflow_id, event_id, name, version, _child_text(name, version, workflow_id))
            elif kind == "StartChildWorkflowExecutionFailed":
                workflow_id = a.get("workflowId", "")
                self.children[workflow_id] = _Answer(event_id, "start_failed", a)
                name, version = _type_of(a, "workflowType")
                self._step("child", workflow_id, event_id, name, version, _child_text(name, version, workflow_id))
            elif kind in _CHILD_CLOSES:
                workflow_id = (a.get("workflowExecution") or {}).get("workflowId", "")
                self.children[workflow_id] = _Answer(event_id, _CHILD_CLOSES[kind], a)
            elif kind == "DecisionTaskStarted":
                self.decision_starts.append(event_id)

    def _step(self, kind: str, key: Any, event_id: int, name: Optional[str], version: Optional[str], text: str) -> None:
        if (kind, key) not in self.steps:
            self.steps[(kind, key)] = _HistoryStep(event_id, text)
            self.step_order.append((kind, key))


# Steps and the scheduler -------------------------------------------------------------------------


class Step:
    """An awaitable answer: a request (activity, timer, signal, child), a branch (a coroutine
    given to ``wf.all``/``wf.race``, run as a task) or a combination. ``await`` it in the
    workflow; ``id`` is the request's id where it has one."""

    __slots__ = ("_wf", "_done", "_value", "_error", "_callbacks", "id")

    def __init__(self, wf: "Workflow", id: Optional[str] = None):
        self._wf = wf
        self._done = False
        self._value: Any = None
        self._error: Optional[BaseException] = None
        self._callbacks: List[Callable[["Step"], None]] = []
        self.id = id

    def done(self) -> bool:
        """Whether the step has its answer (on this replay, so far)."""
        return self._done

    def result(self) -> Any:
        """The answer: the value, or the failure raised."""
        if not self._done:
            raise RuntimeError("the step has no answer yet: await it")
        if self._error is not None:
            raise self._error
        return self._value

    def _settle(self, value: Any = None, error: Optional[BaseException] = None) -> None:
        if self._done:
            return
        self._done, self._value, self._error = True, value, error
        ready = self._wf._ready
        for callback in self._callbacks:
            ready.append((callback, self))
        self._callbacks = []

    def _then(self, callback: Callable[["Step"], None]) -> None:
        """Runs ``callback(self)`` from the ready queue once the step has its answer."""
        if self._done:
            self._wf._ready.append((callback, self))
        else:
            self._callbacks.append(callback)

    def __await__(self) -> Generator["Step", None, Any]:
        if not self._done:
            yield self
        return self.result()

    def __repr__(self) -> str:
        state = "pending" if not self._done else ("failed" if self._error is not None else "done")
        return f"<{type(self).__name__} {self.id} {state}>" if self.id else f"<{type(self).__name__} {state}>"


class _Task(Step):
    """A coroutine run by the scheduler; it settles with the coroutine's return value or
    exception."""

    __slots__ = ("_coro",)

    def __init__(self, wf: "Workflow", coro: Any, id: Optional[str] = None):
        super().__init__(wf, id)
        self._coro = coro
        wf._tasks.append(self)

    def _resume(self, _step: Optional[Step] = None) -> None:
        wf = self._wf
        if wf._finished:
            return
        try:
            awaited = self._coro.send(None)
        except StopIteration as stop:
            self._settle(value=stop.value)
            return
        except Exception as error:  # the coroutine's own exception: its outcome
            self._settle(error=error)
            return
        if not isinstance(awaited, Step) or awaited._wf is not wf:
            self._coro.close()
            self._settle(
                error=TypeError(
                    f"a workflow awaits only the steps of its own wf (activity, sleep, signal, child, all, race), "
                    f"not {awaited!r}"
                )
            )
            return
        awaited._then(self._resume)


class Workflow:
    """The workflow's view of one decision task (``wf``); see the module docs.

    Requests: ``activity``, ``sleep``, ``signal``, ``child`` (awaitable steps),
    ``record_marker``; reading: ``signals``, ``markers``, ``input``, ``raw_input``,
    ``workflow_id``, ``run_id``, ``history_length``; combining: ``all``, ``race``; closing:
    return ``fail``, ``cancel`` or ``continue_as_new`` (or a result)."""

    def __init__(self, task: DecisionTask):
        self._task = task
        self._index = _Index(task)
        self._counters: Dict[str, int] = {}
        self._decisions = Decisions()
        self._first_new: Optional[str] = None
        self._asked: set = set()
        self._pending: List[Tuple[int, int, Step, Any, Optional[BaseException]]] = []
        self._sequence = 0
        self._ready: Deque[Tuple[Callable[[Step], None], Step]] = deque()
        self._tasks: List[_Task] = []
        self._position = 0
        self._error: Optional[NonDeterminismError] = None
        self._finished = False
        execution = task.workflow_execution or {}
        self.workflow_id: str = execution.get("workflowId", "")
        """This execution's workflow id."""
        self.run_id: str = execution.get("runId", "")
        """This run's id (the seed of the retry jitter)."""
        self.raw_input: Optional[str] = task.input
        """The workflow input as SWF holds it (``None`` when absent)."""
        self.input: Any = None
        """The workflow input parsed as JSON (``None`` when absent; the raw string if it is not
        JSON); also the workflow function's second argument."""
        if self.raw_input is not None:
            try:
                self.input = json.loads(self.raw_input)
            except ValueError:
                self.input = self.raw_input

    # Reading ---------------------------------------------------------------------------------

    @property
    def history_length(self) -> int:
        """How many events the decision task the replay has reached had (so the same code sees
        the same number on every replay): past a few thousand, return
        ``wf.continue_as_new(...)``."""
        return self._seen_up_to() or len(self._task.events)

    def signals(self, name: str) -> List[Optional[str]]:
        """The inputs (raw) of the signals ``name`` the replay has seen, oldest first: those the
        decision task the replay has reached had in its history."""
        return self._seen(self._index.signals.get(name, ()))

    def markers(self, name: str) -> List[Optional[str]]:
        """The details (raw) of the markers ``name`` the replay has seen, oldest first: those
        the decision task the replay has reached had in its history."""
        return self._seen(self._index.markers.get(name, ()))

    def _seen(self, events: Sequence[Tuple[int, Optional[str]]]) -> List[Optional[str]]:
        """What of ``events`` (event id, payload) the decision task the replay has reached had
        seen: up to the first DecisionTaskStarted at or after the replay's position (the latest
        settling event resolved so far; 0 before any)."""
        seen = self._seen_up_to()
        return [payload for event_id, payload in events if seen is None or event_id <= seen]

    def _seen_up_to(self) -> Optional[int]:
        """The last event id the decision task the replay has reached had seen: the first
        DecisionTaskStarted at or after the replay's position; None past the last one."""
        starts = self._index.decision_starts
        i = bisect.bisect_left(starts, self._position)
        return starts[i] if i < len(starts) else None

    # Requests --------------------------------------------------------------------------------

    def activity(
        self,
        name: str,
        version: str,
        *,
        input: Any = _NOTHING,
        task_list: Optional[str] = None,
        retry: Union[None, int, RetryPolicy] = None,
    ) -> Step:
        """Runs activity ``name``/``version`` (id ``<name>-<n>``); awaiting it gives its result
        parsed as JSON or raises ``ActivityFailure``. ``input`` goes as JSON (not given: no
        input); ``task_list`` defaults to the type's; ``retry`` is a number of attempts or a
        ``RetryPolicy`` (attempts ``<id>.<k>``, backoff timers ``<id>.<k>.retry``).

        The activity is one request whatever its attempts: the history is walked through them
        now (asking for the next attempt or backoff timer the history lacks), and the step is
        answered by the close of its last attempt."""
        policy = RetryPolicy.of(retry)
        activity_id = self._next_id(name)
        step = Step(self, activity_id)
        payload = _input(input)
        attempts = max(1, policy.max_attempts)
        seed = fnv1a64(self.run_id.encode(), activity_id.encode())
        for attempt in range(1, attempts + 1):
            attempt_id = activity_id if attempts == 1 else f"{activity_id}.{attempt}"
            asked = self._ask(("activity", attempt_id), _activity_text(name, version, attempt_id))
            if asked == "new":
                self._decisions.schedule_activity_task(attempt_id, name, version, task_list=task_list, input=payload)
            if asked != "known":
                return step
            answer = self._index.activities[attempt_id]
            if answer.event_id is None:
                return step  # scheduled or started: waiting for it
            a = answer.attributes or {}
            if answer.kind == "completed":
                self._answer_result(
                    answer, step, lambda problem: ActivityFailure("bad_result", activity_id=attempt_id, problem=problem)
                )
                return step
            failure = ActivityFailure(
                answer.kind,
                activity_id=attempt_id,
                reason=a.get("reason"),
                details=a.get("details") if answer.kind in ("failed", "canceled") else None,
                timeout_type=a.get("timeoutType"),
                cause=a.get("cause"),
            )
            if answer.kind not in ("failed", "timed_out") or attempt == attempts:
                self._answer_at(answer.event_id, step, None, failure)
                return step
            wait = policy.wait_secs(attempt, rotate_left64(seed, attempt))
            if self._timer(f"{attempt_id}.retry", wait) is None:
                return step  # backing off
        raise AssertionError("the last attempt answers")

    def _answer_result(self, answer, step: Step, bad_result) -> None:
        """Answers ``step`` with a completed ``answer``'s result parsed as JSON, or with the
        failure ``bad_result(problem)`` when the result is not JSON."""
        try:
            result = _read_json((answer.attributes or {}).get("result"))
        except ValueError as problem:
            self._answer_at(answer.event_id, step, None, bad_result(str(problem)))
            return
        self._answer_at(answer.event_id, step, result, None)

    def sleep(self, seconds: int) -> Step:
        """Waits ``seconds`` (a timer ``sleep-<n>``)."""
        if isinstance(seconds, float) and seconds.is_integer():
            seconds = int(seconds)
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
            raise ValueError(f"a sleep lasts a whole number of seconds, not {seconds!r}")
        timer_id = self._next_id("sleep")
        step = Step(self, timer_id)
        fired = self._timer(timer_id, seconds)
        if fired is not None:
            self._answer_at(fired, step, None, None)
        return step

    def _timer(self, timer_id: str, seconds: int) -> Optional[int]:
        """Timer ``timer_id`` of ``seconds``: the event id it fired at, or ``None`` (started now,
        or waiting)."""
        asked = self._ask(("timer", timer_id), f"timer {timer_id}")
        if asked == "new":
            self._decisions.start_timer(timer_id, str(seconds))
        return self._index.timers_fired.get(timer_id) if asked == "known" else None

    def signal(self, name: str) -> Step:
        """Waits for the first signal ``name``; its input (raw, ``None`` if it has none)."""
        step = Step(self, name)
        received = self._index.signals.get(name)
        if received and not self._finished:
            event_id, payload = received[0]
            self._answer_at(event_id, step, payload, None)
        return step

    def child(self, name: str, version: str, input: Any = None) -> Step:
        """Runs child workflow ``name``/``version`` (workflow id ``<this workflow
        id>:<name>-<n>``, the counter shared with activities) with ``input`` as JSON (``null``
        when not given); awaiting it gives its result parsed as JSON or raises
        ``ChildFailure``."""
        workflow_id = f"{self.workflow_id}:{self._next_id(name)}"
        step = Step(self, workflow_id)
        asked = self._ask(("child", workflow_id), _child_text(name, version, workflow_id))
        if asked == "new":
            self._decisions.push(
                "StartChildWorkflowExecution",
                workflowId=workflow_id,
                workflowType={"name": name, "version": version},
                input=canonical_json(input),
            )
        if asked != "known":
            return step
        answer = self._index.children[workflow_id]
        if answer.event_id is None:
            return step  # initiated or started: waiting for it
        a = answer.attributes or {}
        if answer.kind == "completed":
            self._answer_result(
                answer, step, lambda problem: ChildFailure("bad_result", workflow_id=workflow_id, problem=problem)
            )
            return step
        failure = ChildFailure(
            answer.kind,
            workflow_id=workflow_id,
            reason=a.get("reason"),
            details=a.get("details"),
            timeout_type=a.get("timeoutType"),
            cause=a.get("cause"),
        )
        self._answer_at(answer.event_id, step, None, failure)
        return step

    def record_marker(self, name: str, details: Any = None) -> None:
        """Records marker ``name`` with ``details`` as JSON (``null`` when not given) unless the
        history has it: the n-th call for a name stands for the n-th marker of that name."""
        n = self._next_count(f"marker:{name}")
        if self._ask(("marker", (name, n)), f"marker {name} #{n}") == "new":
            self._decisions.record_marker(name, canonical_json(details))

    # Combining -------------------------------------------------------------------------------

    def all(self, *branches: Any) -> Step:
        """Waits for every branch (steps or coroutines, or one list of them), like
        ``Promise.all``: the list of their values, or the first failure in settling order."""
        steps = [self._step_of(b) for b in _flatten(branches)]
        joined = Step(self)
        if not steps:
            joined._settle(value=[])
            return joined
        remaining = [len(steps)]

        def on_answer(step: Step) -> None:
            if joined._done:
                return
            if step._error is not None:
                joined._settle(error=step._error)
                return
            remaining[0] -= 1
            if remaining[0] == 0:
                joined._settle(value=[s._value for s in steps])

        for step in steps:
            step._then(on_answer)
        return joined

    def race(self, *branches: Any) -> Step:
        """Waits for the first branch to be answered in history order (steps or coroutines, or
        one list of them), like ``Promise.race``: its value or failure. The others go on."""
        steps = [self._step_of(b) for b in _flatten(branches)]
        won = Step(self)

        def on_answer(step: Step) -> None:
            if not won._done:
                won._settle(step._value, step._error)

        for step in steps:
            step._then(on_answer)
        return won

    def _step_of(self, branch: Any) -> Step:
        if isinstance(branch, Step):
            if branch._wf is not self:
                raise ValueError(f"{branch!r} belongs to another decision task")
            return branch
        if inspect.iscoroutine(branch):
            task = _Task(self, branch)
            task._resume()  # a branch starts now, as JavaScript's async functions do
            return task
        raise TypeError(f"wf.all and wf.race take steps or coroutines, not {branch!r}")

    # Endings ---------------------------------------------------------------------------------

    @staticmethod
    def fail(reason: str, details: Any = None) -> Ending:
        """Return it to fail the workflow (details: a string as is, anything else as JSON)."""
        return Ending("fail", _payload(details), reason)

    @staticmethod
    def cancel(details: Any = None) -> Ending:
        """Return it to cancel the workflow (CancelWorkflowExecution)."""
        return Ending("cancel", _payload(details))

    @staticmethod
    def continue_as_new(input: Any = None) -> Ending:
        """Return it to close this run and start a new one of the same workflow with ``input``
        (a string as is, anything else as JSON) and a fresh history."""
        return Ending("continue_as_new", _payload(input))

    # Internals -------------------------------------------------------------------------------

    def _next_count(self, key: str) -> int:
        n = self._counters.get(key, 0) + 1
        self._counters[key] = n
        return n

    def _next_id(self, name: str) -> str:
        return f"{name}-{self._next_count(name)}"

    def _ask(self, key: Tuple[str, Any], text: str) -> str:
        """The code asks for step ``key`` (kind, id), reading ``text``: ``known`` (the history's
        step, claimed), ``new`` (a decision to make) or ``mismatch`` (the history has something
        else under that id: noted, the request stays unanswered and the run stops)."""
        if self._finished:
            return "mismatch"  # a waiting branch closed after the run: nothing more is asked
        recorded = self._index.steps.get(key)
        if recorded is None:
            if self._first_new is None:
                self._first_new = text
            return "new"
        if recorded.text != text:
            if self._error is None:
                self._error = _nondeterminism(recorded, text)
            return "mismatch"
        self._asked.add(key)
        return "known"

    def _answer_at(self, event_id: int, step: Step, value: Any, error: Optional[BaseException]) -> None:
        """``step`` is answered by event ``event_id``: it settles when the scheduler gets there."""
        if self._finished:
            return
        self._sequence += 1
        heapq.heappush(self._pending, (event_id, self._sequence, step, value, error))

    def _run(self, fn: Callable[..., Any]) -> Optional[Step]:
        """Runs ``fn(wf, input)`` in settling order until it returns or only unanswered requests
        are left; returns its main step (settled when it returned or raised). A plain function
        (not ``async``) is taken as returning at once."""
        result = fn(self, self.input)
        if not inspect.iscoroutine(result):
            main = Step(self)
            main._settle(value=result)
            return main
        main = _Task(self, result)
        main._resume()
        ready, pending = self._ready, self._pending
        while not main._done and self._error is None:
            while ready:
                callback, step = ready.popleft()
                callback(step)
                if main._done or self._error is not None:
                    return main
            if not pending:
                break
            event_id = pending[0][0]
            self._position = max(self._position, event_id)
            while pending and pending[0][0] == event_id:
                _, _, step, value, error = heapq.heappop(pending)
                step._settle(value, error)
        return main

    def _close(self) -> None:
        """Ends the run: waiting branches are closed (their ``finally`` blocks run, their
        requests are not sent)."""
        self._finished = True
        for task in self._tasks:
            if not task._done:
                try:
                    task._coro.close()
                except Exception:
                    pass

    def _decide(self, fn: Callable[..., Any]) -> Decisions:
        """The decisions of this task for workflow function ``fn``; raises NonDeterminismError
        (a mismatch, else the history step with the lowest event id the code did not ask for),
        else what the code raised other than the ending rules."""
        try:
            main = self._run(fn)
            self._check_replay()
            ending: Optional[Ending] = None
            if main._done:
                error = main._error
                if error is None:
                    ending = _ending_of(main._value)
                elif isinstance(error, WorkflowFailure):
                    ending = Ending("fail", _payload(error.details), error.reason)
                elif isinstance(error, (ActivityFailure, ChildFailure)):
                    ending = _escaped(error)
                else:
                    raise error
            decisions = list(self._decisions.decisions)
        finally:
            self._close()
        out = Decisions()
        if len(decisions) >= MAX_DECISIONS:
            out.decisions = decisions[: MAX_DECISIONS - 1]
            started = self._task.raw.get("startedEventId", 0)
            out.start_timer(f"swfwasm.batch.{started}", "0")
            return out
        out.decisions = decisions
        if ending is not None:
            ending.decide(out)
        return out

    def _check_replay(self) -> None:
        if self._error is not None:
            raise self._error
        for key in self._index.step_order:  # in event order: the first unasked is the oldest
            if key not in self._asked:
                raise _nondeterminism(self._index.steps[key], self._first_new)


def _nondeterminism(recorded: _HistoryStep, asked: Optional[str]) -> NonDeterminismError:
    """FLOW.md's error: the history's step and what the code asks for instead (or that it does
    not ask for it)."""
    what = f"the code asks for {asked}" if asked is not None else "the code does not ask for it"
    return NonDeterminismError(
        f"non-determinism at event {recorded.event_id}: the history has {recorded.text}, {what}", recorded.event_id
    )


def _flatten(branches: Tuple[Any, ...]) -> Iterable[Any]:
    if len(branches) == 1 and isinstance(branches[0], (list, tuple)):
        return branches[0]
    return branches


# Deciders ----------------------------------------------------------------------------------------

WorkflowFunction = Callable[[Workflow, Any], Awaitable[Any]]


@dataclass(frozen=True)
class WorkflowDefinition:
    """A workflow type (``swfwasm_guest.workflow_type(...)``) and the function that runs it."""

    declaration: Any
    function: WorkflowFunction

    @property
    def key(self) -> Tuple[str, str]:
        return (self.declaration.name, self.declaration.version)


def workflow(declaration: Any, function: WorkflowFunction) -> WorkflowDefinition:
    """Pairs a workflow type declaration with its ``async def fn(wf, input)``."""
    if not callable(function):
        raise TypeError(f"a workflow is run by a function, not {function!r}")
    return WorkflowDefinition(declaration, function)


def run_workflow(function: WorkflowFunction, task: DecisionTask) -> Decisions:
    """Runs ``function`` over ``task``; the decisions to send. Raises NonDeterminismError, or
    what the code raised other than the ending rules."""
    return Workflow(task)._decide(function)


class FlowDecider(Decider):
    """Base of the ``WitWorld`` that ``flow_decider`` makes: ``describe`` declares the workflow
    types, ``decide`` runs the one the task is for. Any exception other than the ending rules
    (and a task for another type) is the decide error, which the worker's ``decider_failure``
    setting handles; a non-determinism error reads as FLOW.md says."""

    workflows: Tuple[WorkflowDefinition, ...] = ()

    def workflow_types(self) -> List[Any]:
        return [w.declaration for w in self.workflows]

    def workflow_for(self, task: DecisionTask) -> WorkflowDefinition:
        kind = task.workflow_type or {}
        key = (kind.get("name"), kind.get("version"))
        for definition in self.workflows:
            if definition.key == key:
                return definition
        known = ", ".join(f"{n} {v}" for n, v in (w.key for w in self.workflows)) or "none"
        raise LookupError(f"no workflow {key[0]} {key[1]} in this decider (it has {known})")

    def decide_task(self, task: DecisionTask) -> Decisions:
        return run_workflow(self.workflow_for(task).function, task)

    def decide(self, task: str) -> str:
        try:
            return self.decide_task(DecisionTask.parse(task)).to_json()
        except NonDeterminismError as e:
            raise Err(str(e))
        except Exception as e:
            raise Err(f"{type(e).__name__}: {e}")


def flow_decider(*workflows: WorkflowDefinition) -> type:
    """The ``WitWorld`` class of a decider plugin running ``workflows`` (each
    ``workflow(workflow_type(...), fn)``), routed by the task's workflow type."""
    keys = [w.key for w in workflows]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ValueError(f"workflow type declared twice: {', '.join(f'{n} {v}' for n, v in duplicates)}")
    return type("WitWorld", (FlowDecider,), {"workflows": tuple(workflows)})


# Unit tests of workflows ------------------------------------------------------------------------


def _attributes_key(event_type: str) -> str:
    return event_type[:1].lower() + event_type[1:] + "EventAttributes"


class History:
    """A history under construction, as Rust's ``swfwasm_guest::testing::History``: every
    method appends events as SWF would record them; ``task()`` is the decision task JSON a
    decider receives.

    ::

        history = History.started('"World"')
        scheduled = history.scheduled("Greet-1", "Greet", "1.0")
        history.finished(scheduled, "ActivityTaskCompleted", {"result": '"Hi"'})
        assert decide(greet, history) == [...]

    Beyond Rust's (``started``, ``push``, ``decision_task``, ``completed``, ``scheduled``,
    ``finished``, ``timer_fired``, ``signaled``, ``task``): ``schedule_failed``,
    ``timer_started``/``fired``, ``child_initiated``/``child_started``/``child_closed``/
    ``child_start_failed`` and ``marker``; the requests of one decision task share its
    DecisionTaskCompleted when given ``completed=``."""

    def __init__(
        self,
        *,
        workflow_type: Tuple[str, str] = ("Workflow", "1"),
        workflow_id: str = "workflow",
        run_id: str = "run",
    ):
        self.events: List[Dict[str, Any]] = []
        self.workflow_type = workflow_type
        self.workflow_id = workflow_id
        self.run_id = run_id
        self._children: Dict[int, Dict[str, Any]] = {}

    @classmethod
    def started(
        cls,
        input: Any = None,
        *,
        workflow_type: Tuple[str, str] = ("Workflow", "1"),
        workflow_id: str = "workflow",
        run_id: str = "run",
    ) -> "History":
        """WorkflowExecutionStarted with ``input`` (a string as is, another value as JSON), then
        the first decision task (scheduled, started). ``workflow_type`` is the task's (a
        ``flow_decider`` routes by it)."""
        history = cls(workflow_type=workflow_type, workflow_id=workflow_id, run_id=run_id)
        attributes: Dict[str, Any] = {
            "childPolicy": "TERMINATE",
            "taskList": {"name": "decisions"},
            "workflowType": {"name": workflow_type[0], "version": workflow_type[1]},
        }
        if input is not None:
            attributes["input"] = _payload(input)
        history.push("WorkflowExecutionStarted", attributes)
        history.decision_task()
        return history

    def push(self, event_type: str, attributes: Optional[Dict[str, Any]] = None) -> int:
        """Appends an event of ``event_type`` with ``attributes``; returns its id."""
        event_id = len(self.events) + 1
        self.events.append(
            {
                "eventId": event_id,
                "eventTimestamp": 1_700_000_000.0 + event_id,
                "eventType": event_type,
                _attributes_key(event_type): dict(attributes or {}),
            }
        )
        return event_id

    def decision_task(self) -> None:
        """DecisionTaskScheduled and DecisionTaskStarted: a decision task is open."""
        scheduled = self.push("DecisionTaskScheduled", {"taskList": {"name": "decisions"}})
        self.push("DecisionTaskStarted", {"scheduledEventId": scheduled})

    def completed(self) -> int:
        """DecisionTaskCompleted for the open decision task; returns its id."""
        started = len(self.events)
        return self.push("DecisionTaskCompleted", {"scheduledEventId": started - 1, "startedEventId": started})

    def _decided(self, completed: Optional[int]) -> int:
        return completed if completed is not None else self.completed()

    def scheduled(self, activity_id: str, name: str, version: str, *, completed: Optional[int] = None) -> int:
        """Completes the open decision task (or uses ``completed``) with ActivityTaskScheduled;
        returns the scheduled id."""
        completed = self._decided(completed)
        return self.push(
            "ActivityTaskScheduled",
            {
                "activityId": activity_id,
                "activityType": {"name": name, "version": version},
                "taskList": {"name": "activities"},
                "decisionTaskCompletedEventId": completed,
            },
        )

    def finished(
        self, scheduled: int, event_type: str, extra: Optional[Dict[str, Any]] = None, *, decision_task: bool = True
    ) -> None:
        """ActivityTaskStarted and then ``event_type`` (ActivityTaskCompleted, …Failed,
        …TimedOut, …Canceled) with ``extra`` attributes for the activity scheduled as
        ``scheduled``; then a decision task (unless ``decision_task=False``)."""
        started = self.push("ActivityTaskStarted", {"scheduledEventId": scheduled})
        self.push(event_type, {"scheduledEventId": scheduled, "startedEventId": started, **(extra or {})})
        if decision_task:
            self.decision_task()

    def schedule_failed(
        self, activity_id: str, name: str, version: str, cause: str = "ACTIVITY_TYPE_DOES_NOT_EXIST", *, completed: Optional[int] = None
    ) -> int:
        """Completes the open decision task with ScheduleActivityTaskFailed, then a decision
        task; returns the failure's id."""
        completed = self._decided(completed)
        failed = self.push(
            "ScheduleActivityTaskFailed",
            {
                "activityId": activity_id,
                "activityType": {"name": name, "version": version},
                "cause": cause,
                "decisionTaskCompletedEventId": completed,
            },
        )
        self.decision_task()
        return failed

    def timer_started(self, timer_id: str, start_to_fire_timeout: str = "1", *, completed: Optional[int] = None) -> int:
        """Completes the open decision task (or uses ``completed``) with TimerStarted; returns
        its id."""
        completed = self._decided(completed)
        return self.push(
            "TimerStarted",
            {"timerId": timer_id, "startToFireTimeout": start_to_fire_timeout, "decisionTaskCompletedEventId": completed},
        )

    def fired(self, started: int, *, decision_task: bool = True) -> None:
        """TimerFired for the timer started as ``started``, then a decision task."""
        timer_id = self.events[started - 1]["timerStartedEventAttributes"]["timerId"]
        self.push("TimerFired", {"timerId": timer_id, "startedEventId": started})
        if decision_task:
            self.decision_task()

    def timer_fired(self, timer_id: str) -> None:
        """Completes the open decision task with TimerStarted, then TimerFired and a decision
        task."""
        self.fired(self.timer_started(timer_id))

    def signaled(self, name: str, input: Optional[str] = None) -> None:
        """WorkflowExecutionSignaled, then a decision task."""
        self.push("WorkflowExecutionSignaled", {"signalName": name, "input": input})
        self.decision_task()

    def marker(self, name: str, details: Optional[str] = None, *, completed: Optional[int] = None) -> int:
        """Completes the open decision task (or uses ``completed``) with MarkerRecorded; returns
        its id."""
        completed = self._decided(completed)
        attributes: Dict[str, Any] = {"markerName": name, "decisionTaskCompletedEventId": completed}
        if details is not None:
            attributes["details"] = details
        return self.push("MarkerRecorded", attributes)

    def child_initiated(
        self, workflow_id: str, name: str, version: str, input: Optional[str] = None, *, completed: Optional[int] = None
    ) -> int:
        """Completes the open decision task (or uses ``completed``) with
        StartChildWorkflowExecutionInitiated; returns its id."""
        completed = self._decided(completed)
        attributes: Dict[str, Any] = {
            "workflowId": workflow_id,
            "workflowType": {"name": name, "version": version},
            "taskList": {"name": "decisions"},
            "childPolicy": "TERMINATE",
            "decisionTaskCompletedEventId": completed,
        }
        if input is not None:
            attributes["input"] = input
        initiated = self.push("StartChildWorkflowExecutionInitiated", attributes)
        self._children[initiated] = {
            "workflowExecution": {"workflowId": workflow_id, "runId": f"{workflow_id}-run"},
            "workflowType": {"name": name, "version": version},
            "initiatedEventId": initiated,
        }
        return initiated

    def child_started(self, initiated: int) -> int:
        """ChildWorkflowExecutionStarted for the child initiated as ``initiated``; returns its id."""
        child = self._children[initiated]
        started = self.push("ChildWorkflowExecutionStarted", child)
        child["startedEventId"] = started
        return started

    def child_closed(
        self, initiated: int, event_type: str, extra: Optional[Dict[str, Any]] = None, *, decision_task: bool = True
    ) -> None:
        """``event_type`` (ChildWorkflowExecutionCompleted, …Failed, …TimedOut, …Canceled,
        …Terminated) with ``extra`` attributes for the child initiated as ``initiated`` (started
        first if it was not); then a decision task."""
        child = self._children[initiated]
        if "startedEventId" not in child:
            self.child_started(initiated)
        self.push(event_type, {**child, **(extra or {})})
        if decision_task:
            self.decision_task()

    def child_start_failed(
        self, workflow_id: str, name: str, version: str, cause: str = "WORKFLOW_TYPE_DOES_NOT_EXIST", *, completed: Optional[int] = None
    ) -> int:
        """Completes the open decision task with StartChildWorkflowExecutionFailed, then a
        decision task; returns the failure's id."""
        completed = self._decided(completed)
        failed = self.push(
            "StartChildWorkflowExecutionFailed",
            {
                "workflowId": workflow_id,
                "workflowType": {"name": name, "version": version},
                "cause": cause,
                "initiatedEventId": 0,
                "decisionTaskCompletedEventId": completed,
            },
        )
        self.decision_task()
        return failed

    def __len__(self) -> int:
        return len(self.events)

    def task_dict(self) -> Dict[str, Any]:
        """The decision task a decider receives for this history, as a dict."""
        return {
            "taskToken": "test",
            "startedEventId": len(self.events),
            "previousStartedEventId": 0,
            "workflowExecution": {"workflowId": self.workflow_id, "runId": self.run_id},
            "workflowType": {"name": self.workflow_type[0], "version": self.workflow_type[1]},
            "events": self.events,
        }

    def task(self) -> str:
        """The decision task a decider receives for this history, as JSON."""
        return json.dumps(self.task_dict())


def decide(target: Union[WorkflowFunction, FlowDecider, type], history: Union[History, str, Dict[str, Any], DecisionTask]) -> List[Dict[str, Any]]:
    """The decisions (dicts, as on the wire) of a workflow function, or of a ``flow_decider``
    class (routing by the task's workflow type), for ``history`` (a ``History``, a task JSON
    string or dict, or a ``DecisionTask``). Raises ``NonDeterminismError``, or what the code
    raised other than the ending rules."""
    if isinstance(history, History):
        task = DecisionTask(history.task_dict())
    elif isinstance(history, str):
        task = DecisionTask.parse(history)
    elif isinstance(history, dict):
        task = DecisionTask(history)
    else:
        task = history
    if isinstance(target, type) and issubclass(target, FlowDecider):
        target = target()
    if isinstance(target, FlowDecider):
        decisions = target.decide_task(task)
    else:
        decisions = run_workflow(target, task)
    return json.loads(decisions.to_json())["decisions"]
