"""swfwasm guest helper for Python plugins: the basics of the Rust SDK (swfwasm-guest) for code
built with componentize-py.

A plugin module defines the class ``WitWorld`` that componentize-py exports. Subclass
``Decider`` (implement ``workflow_types`` and ``decide_task``) or ``Activity`` (implement
``activity_types`` and ``run``); the base class parses the task JSON, builds the response and
turns exceptions into the WIT error cases, so the plugin works with plain Python objects:
``DecisionTask``, ``Decisions``, ``ActivityTask``, ``heartbeat`` and the logging functions.

Payloads are the JSON SWF itself speaks, so event and decision fields keep SWF's camelCase names.
"""

import json
from typing import Any, Dict, List, Optional

from componentize_py_types import Err
from wit_world.imports import host, types

try:
    from wit_world.imports import activity_host
except ImportError:  # a decider's world has no `activity-host` interface
    activity_host = None

_LEVELS = {
    "trace": types.Level.TRACE,
    "debug": types.Level.DEBUG,
    "info": types.Level.INFO,
    "warn": types.Level.WARN,
    "error": types.Level.ERROR,
}


def log(level: str, message: str) -> None:
    """Writes ``message`` to the host's log at ``level`` (trace, debug, info, warn, error)."""
    host.log(_LEVELS[level], str(message))


def trace(message: str) -> None:
    log("trace", message)


def debug(message: str) -> None:
    log("debug", message)


def info(message: str) -> None:
    log("info", message)


def warn(message: str) -> None:
    log("warn", message)


def error(message: str) -> None:
    log("error", message)


def _attributes_key(type_name: str, suffix: str) -> str:
    return type_name[:1].lower() + type_name[1:] + suffix


def _defined(members: Dict[str, Any]) -> Dict[str, Any]:
    """Optional fields are absent on the wire, never null."""
    return {k: v for k, v in members.items() if v is not None}


class HistoryEvent:
    """One history event, with its attributes under ``attributes`` whatever its type."""

    def __init__(self, raw: Dict[str, Any]):
        self.raw = raw
        self.event_id: int = raw["eventId"]
        self.event_type: str = raw["eventType"]
        self.attributes: Dict[str, Any] = raw.get(_attributes_key(self.event_type, "EventAttributes"), {})


class DecisionTask:
    """A PollForDecisionTask response holding the complete history."""

    def __init__(self, raw: Dict[str, Any]):
        if not isinstance(raw.get("events"), list):
            raise ValueError("the decision task has no events array")
        self.raw = raw
        self.events = [HistoryEvent(e) for e in raw["events"]]
        self.workflow_execution: Dict[str, str] = raw.get("workflowExecution", {})
        self.workflow_type: Dict[str, str] = raw.get("workflowType", {})

    @classmethod
    def parse(cls, text: str) -> "DecisionTask":
        return cls(json.loads(text))

    def workflow_events(self) -> List[HistoryEvent]:
        """Events that are not decision-task bookkeeping (``DecisionTask*``)."""
        return [e for e in self.events if not e.event_type.startswith("DecisionTask")]

    def last_workflow_event(self) -> Optional[HistoryEvent]:
        events = self.workflow_events()
        return events[-1] if events else None

    def event(self, event_id: int) -> Optional[HistoryEvent]:
        return next((e for e in self.events if e.event_id == event_id), None)

    def events_of_type(self, event_type: str) -> List[HistoryEvent]:
        return [e for e in self.events if e.event_type == event_type]

    @property
    def input(self) -> Optional[str]:
        """The workflow execution's input, from its WorkflowExecutionStarted event."""
        started = self.events_of_type("WorkflowExecutionStarted")
        return started[0].attributes.get("input") if started else None


class Decisions:
    """The decisions of one decision task, in order, and the RespondDecisionTaskCompleted body."""

    def __init__(self) -> None:
        self.decisions: List[Dict[str, Any]] = []
        self.execution_context: Optional[str] = None

    def push(self, decision_type: str, **attributes: Any) -> "Decisions":
        """Appends a decision of any type; ``attributes`` use SWF's field names."""
        self.decisions.append(
            {
                "decisionType": decision_type,
                _attributes_key(decision_type, "DecisionAttributes"): _defined(attributes),
            }
        )
        return self

    def schedule_activity_task(
        self, activity_id: str, name: str, version: str, task_list: Optional[str] = None, **options: Any
    ) -> "Decisions":
        """``options``: input, control and the timeouts, in SWF's names."""
        return self.push(
            "ScheduleActivityTask",
            activityId=activity_id,
            activityType={"name": name, "version": version},
            taskList={"name": task_list} if task_list is not None else None,
            **options,
        )

    def complete_workflow_execution(self, result: Optional[str] = None) -> "Decisions":
        return self.push("CompleteWorkflowExecution", result=result)

    def fail_workflow_execution(self, reason: Optional[str] = None, details: Optional[str] = None) -> "Decisions":
        return self.push("FailWorkflowExecution", reason=reason, details=details)

    def cancel_workflow_execution(self, details: Optional[str] = None) -> "Decisions":
        return self.push("CancelWorkflowExecution", details=details)

    def start_timer(self, timer_id: str, start_to_fire_timeout: str, control: Optional[str] = None) -> "Decisions":
        return self.push("StartTimer", timerId=timer_id, startToFireTimeout=start_to_fire_timeout, control=control)

    def cancel_timer(self, timer_id: str) -> "Decisions":
        return self.push("CancelTimer", timerId=timer_id)

    def record_marker(self, marker_name: str, details: Optional[str] = None) -> "Decisions":
        return self.push("RecordMarker", markerName=marker_name, details=details)

    def request_cancel_activity_task(self, activity_id: str) -> "Decisions":
        return self.push("RequestCancelActivityTask", activityId=activity_id)

    def to_json(self) -> str:
        return json.dumps(_defined({"decisions": self.decisions, "executionContext": self.execution_context}))


class Decider:
    """Base for a decider plugin's ``WitWorld``."""

    def workflow_types(self) -> List[types.WorkflowTypeDecl]:
        raise NotImplementedError

    def decide_task(self, task: DecisionTask) -> Decisions:
        raise NotImplementedError

    def describe(self) -> List[types.WorkflowTypeDecl]:
        return self.workflow_types()

    def decide(self, task: str) -> str:
        try:
            return self.decide_task(DecisionTask.parse(task)).to_json()
        except Exception as e:
            raise Err(f"{type(e).__name__}: {e}")


def _declaration(record: Any, name: str, version: str, defaults: Dict[str, Optional[str]]) -> Any:
    """A WIT declaration record with ``defaults`` set and every other optional field ``None``."""
    fields: Dict[str, Optional[str]] = {f: None for f in record.__dataclass_fields__ if f not in ("name", "version")}
    unknown = set(defaults) - set(fields)
    if unknown:
        raise TypeError(f"{record.__name__} has no field {', '.join(sorted(unknown))}")
    fields.update(defaults)
    return record(name, version, **fields)


def workflow_type(name: str, version: str, **defaults: Optional[str]) -> types.WorkflowTypeDecl:
    """A workflow type for ``workflow_types``; ``defaults`` are the WIT record's fields in
    snake_case (description, default_task_list, default_execution_start_to_close_timeout, ...)."""
    return _declaration(types.WorkflowTypeDecl, name, version, defaults)


def activity_type(name: str, version: str, **defaults: Optional[str]) -> types.ActivityTypeDecl:
    """An activity type for ``activity_types``; ``defaults`` are the WIT record's fields in
    snake_case (description, default_task_list, default_task_heartbeat_timeout, ...)."""
    return _declaration(types.ActivityTypeDecl, name, version, defaults)


class ActivityTask:
    """A PollForActivityTask response: activity_id, activity_type, workflow_execution, input."""

    def __init__(self, raw: Dict[str, Any]):
        self.raw = raw
        self.activity_id: str = raw.get("activityId", "")
        self.activity_type: Dict[str, str] = raw.get("activityType", {})
        self.workflow_execution: Dict[str, str] = raw.get("workflowExecution", {})
        self.input: Optional[str] = raw.get("input")

    @classmethod
    def parse(cls, text: str) -> "ActivityTask":
        return cls(json.loads(text))


class ActivityFailed(Exception):
    """Raise to fail the task: SWF records ``reason`` and ``details`` in ActivityTaskFailed."""

    def __init__(self, reason: str, details: Optional[str] = None):
        super().__init__(reason)
        self.reason = reason
        self.details = details


class ActivityCanceled(Exception):
    """Raise to acknowledge a cancellation request (RespondActivityTaskCanceled)."""

    def __init__(self, details: Optional[str] = None):
        super().__init__("canceled")
        self.details = details


def heartbeat(details: Optional[str] = None) -> str:
    """Records a heartbeat. Returns "ok", "cancel-requested" (stop and raise ActivityCanceled)
    or "task-gone" (the task timed out or its workflow closed; any result is discarded)."""
    if activity_host is None:
        raise RuntimeError("heartbeat is for activities; this plugin is built as a decider")
    status = activity_host.heartbeat(details)
    return status.name.lower().replace("_", "-")


class Activity:
    """Base for an activity plugin's ``WitWorld``. Any exception other than ActivityFailed or
    ActivityCanceled fails the task with the exception's type as reason and its message as
    details, so a bug is reported, not lost."""

    def activity_types(self) -> List[types.ActivityTypeDecl]:
        raise NotImplementedError

    def run(self, task: ActivityTask) -> str:
        raise NotImplementedError

    def describe(self) -> List[types.ActivityTypeDecl]:
        return self.activity_types()

    def execute(self, task: str) -> str:
        try:
            return str(self.run(ActivityTask.parse(task)))
        except ActivityCanceled as e:
            raise Err(types.ActivityError_Canceled(e.details))
        except ActivityFailed as e:
            raise Err(types.ActivityError_Failed(types.Failure(e.reason, e.details)))
        except Exception as e:
            raise Err(types.ActivityError_Failed(types.Failure(type(e).__name__, str(e))))
