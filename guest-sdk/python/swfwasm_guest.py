"""swfwasm guest helper for Python plugins: the basics of the Rust SDK (swfwasm-guest) for code
built with componentize-py.

A plugin module defines the class ``WitWorld`` that componentize-py exports. Subclass
``Decider`` (implement ``workflow_types`` and ``decide_task``) or ``Activity`` (implement
``activity_types`` and ``run``); the base class parses the task JSON, builds the response and
turns exceptions into the WIT error cases, so the plugin works with plain Python objects:
``DecisionTask``, ``Decisions``, ``ActivityTask``, ``heartbeat`` and the logging functions.

Activities may also act on the world, as far as they declare it (``Activity.outbound_hosts``,
``Activity.config_keys``) and the operator grants it: ``config.get(key)`` reads a configuration
value, ``http.get(url)``, ``http.post(url, json=...)``, ``http.request(method, url, ...)`` send
HTTP requests through ``wasi:http/outgoing-handler``, and ``aws.request(...)``,
``aws.s3_put_object(...)``, ``aws.dynamodb_get_item(...)``, ... call AWS without credentials:
the host signs them with the role of the operator's AWS grant.

Payloads are the JSON SWF itself speaks, so event and decision fields keep SWF's camelCase names.

The generated bindings must name the interfaces as ``interface-names`` (next to this file) says:
``plugin_types`` for swfwasm's own ``types`` interface and ``types`` for ``wasi:http/types``
(scripts/build-plugins passes them to componentize-py as ``--import-interface-name``).
"""

import html
import json
import re
from collections.abc import MutableMapping
from http import HTTPStatus
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import quote, urlencode, urlsplit

from componentize_py_types import Err, Ok
from wit_world.imports import host, plugin_types

try:
    from wit_world.imports import activity_host
except ImportError:  # a decider's world has no `activity-host` interface
    activity_host = None

try:  # the activity world's imports; a decider has none of them
    from wit_world.imports import config as config_import
    from wit_world.imports import outgoing_handler, streams
    from wit_world.imports import types as http_types
except ImportError:
    config_import = outgoing_handler = streams = http_types = None

_LEVELS = {
    "trace": plugin_types.Level.TRACE,
    "debug": plugin_types.Level.DEBUG,
    "info": plugin_types.Level.INFO,
    "warn": plugin_types.Level.WARN,
    "error": plugin_types.Level.ERROR,
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

    def workflow_types(self) -> List[plugin_types.WorkflowTypeDecl]:
        raise NotImplementedError

    def decide_task(self, task: DecisionTask) -> Decisions:
        raise NotImplementedError

    def describe(self) -> List[plugin_types.WorkflowTypeDecl]:
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


def workflow_type(name: str, version: str, **defaults: Optional[str]) -> plugin_types.WorkflowTypeDecl:
    """A workflow type for ``workflow_types``; ``defaults`` are the WIT record's fields in
    snake_case (description, default_task_list, default_execution_start_to_close_timeout, ...)."""
    return _declaration(plugin_types.WorkflowTypeDecl, name, version, defaults)


def activity_type(name: str, version: str, **defaults: Optional[str]) -> plugin_types.ActivityTypeDecl:
    """An activity type for ``activity_types``; ``defaults`` are the WIT record's fields in
    snake_case (description, default_task_list, default_task_heartbeat_timeout, ...)."""
    return _declaration(plugin_types.ActivityTypeDecl, name, version, defaults)


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


NeedLike = Union[str, "plugin_types.Need"]


def need(name: str, required: bool = True) -> plugin_types.Need:
    """One capability for ``Activity.outbound_hosts`` or ``Activity.config_keys``.

    ``required=True`` (the default, as for a plain name): the artifact stays inactive unless the
    operator grants it. ``required=False``: the activity works without it, so an ungranted need
    is simply unavailable (requests denied, ``config.get`` answering ``None``)."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"a need is named by a non-empty string, not {name!r}")
    return plugin_types.Need(name, bool(required))


def _needs(items: Iterable[NeedLike], what: str) -> List[plugin_types.Need]:
    if isinstance(items, str):
        raise TypeError(f"{what} is a list of names or need(...)s, not the string {items!r}")
    needs = []
    for item in items:
        if isinstance(item, plugin_types.Need):
            needs.append(item)
        elif isinstance(item, str):
            needs.append(need(item))
        else:
            raise TypeError(f"{what} holds names or need(...)s, not {item!r}")
    return needs


def requirements(outbound_hosts: Iterable[NeedLike] = (), config_keys: Iterable[NeedLike] = ()) -> plugin_types.Requirements:
    """The WIT ``requirements`` record. Each need is a name (required) or ``need(name, required)``.

    ``outbound_hosts`` are host patterns in Spin's syntax (``https://api.example.com``,
    ``http://127.0.0.1:8099``, ``https://*.example.com``, ``*://*:*``) or ``{KEY}`` for the origin
    of config key KEY's value; ``config_keys`` are the keys ``config.get`` reads."""
    return plugin_types.Requirements(_needs(outbound_hosts, "outbound_hosts"), _needs(config_keys, "config_keys"))


class Activity:
    """Base for an activity plugin's ``WitWorld``. Any exception other than ActivityFailed or
    ActivityCanceled fails the task with the exception's type as reason and its message as
    details, so a bug is reported, not lost.

    What the activity needs from the operator is declared as class attributes, each a list of
    names (required) or ``need(name, required=False)``::

        class WitWorld(Activity):
            outbound_hosts = ["https://api.example.com", need("{WEBHOOK_URL}", required=False)]
            config_keys = ["API_KEY", need("WEBHOOK_URL", required=False)]

    (or override ``requires`` and return ``requirements(...)``). By default an activity needs
    nothing: no outbound HTTP and no config."""

    outbound_hosts: Sequence[NeedLike] = ()
    config_keys: Sequence[NeedLike] = ()

    def activity_types(self) -> List[plugin_types.ActivityTypeDecl]:
        raise NotImplementedError

    def run(self, task: ActivityTask) -> str:
        raise NotImplementedError

    def describe(self) -> List[plugin_types.ActivityTypeDecl]:
        return self.activity_types()

    def requires(self) -> plugin_types.Requirements:
        return requirements(self.outbound_hosts, self.config_keys)

    def execute(self, task: str) -> str:
        try:
            return str(self.run(ActivityTask.parse(task)))
        except ActivityCanceled as e:
            raise Err(plugin_types.ActivityError_Canceled(e.details))
        except ActivityFailed as e:
            raise Err(plugin_types.ActivityError_Failed(plugin_types.Failure(e.reason, e.details)))
        except Exception as e:
            raise Err(plugin_types.ActivityError_Failed(plugin_types.Failure(type(e).__name__, str(e))))


def _activity_import(module: Any, what: str) -> Any:
    if module is None:
        raise RuntimeError(f"{what} is for activities; this plugin is built as a decider")
    return module


# Configuration ------------------------------------------------------------------------------


class ConfigError(Exception):
    """``config.get`` gave no value: ``kind`` is ``"undeclared"`` (the key is not in the
    activity's ``config_keys``) or ``"unavailable"`` (its source could not be read; ``detail``
    names the source, never a value). Its message reads ``KEY: undeclared`` or
    ``KEY: unavailable: <detail>``."""

    def __init__(self, key: str, kind: str, detail: Optional[str] = None):
        self.key = key
        self.kind = kind
        self.detail = detail
        super().__init__(f"{key}: {kind}" + (f": {detail}" if detail is not None else ""))


class Config:
    """The configuration values the operator granted (``config``)."""

    def get(self, key: str, default: Optional[str] = None) -> Optional[str]:
        """The value of ``key``, or ``default`` when the operator granted no value for it.
        Raises ``ConfigError`` if the key is not declared or its source cannot be read."""
        try:
            value = _activity_import(config_import, "config").get(key)
        except Err as e:
            if isinstance(e.value, config_import.ConfigError_Unavailable):
                raise ConfigError(key, "unavailable", e.value.value) from None
            raise ConfigError(key, "undeclared") from None
        return default if value is None else value


config = Config()


# Outbound HTTP ------------------------------------------------------------------------------

# The cases of `wasi:http/types.error-code`, as the WIT spells them: an HttpError's code.
_ERROR_CODE_NAMES = """
    DNS-timeout DNS-error destination-not-found destination-unavailable destination-IP-prohibited
    destination-IP-unroutable connection-refused connection-terminated connection-timeout
    connection-read-timeout connection-write-timeout connection-limit-reached TLS-protocol-error
    TLS-certificate-error TLS-alert-received HTTP-request-denied HTTP-request-length-required
    HTTP-request-body-size HTTP-request-method-invalid HTTP-request-URI-invalid
    HTTP-request-URI-too-long HTTP-request-header-section-size HTTP-request-header-size
    HTTP-request-trailer-section-size HTTP-request-trailer-size HTTP-response-incomplete
    HTTP-response-header-section-size HTTP-response-header-size HTTP-response-body-size
    HTTP-response-trailer-section-size HTTP-response-trailer-size HTTP-response-transfer-coding
    HTTP-response-content-coding HTTP-response-timeout HTTP-upgrade-failed HTTP-protocol-error
    loop-detected configuration-error internal-error
""".split()
_ERROR_CODES = {name.replace("-", "").lower(): name for name in _ERROR_CODE_NAMES}

_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_WRITE_CHUNK = 4096  # the most `blocking-write-and-flush` takes at once
_READ_CHUNK = 64 * 1024


def error_code_name(code: Any) -> str:
    """The WIT case name of a ``wasi:http/types.error-code`` value (``HTTP-request-denied``)."""
    case = type(code).__name__.split("_", 1)[-1]
    return _ERROR_CODES.get(case.lower(), case)


class HttpError(Exception):
    """A request that got no response: ``code`` is the WIT case name of its
    ``wasi:http/types.error-code`` (``HTTP-request-denied``, ``connection-refused``,
    ``HTTP-response-body-size``, ...), and the message reads
    ``<METHOD> <scheme>://<host>:<port>: <code>`` (`` (<text>)`` appended for an
    ``internal-error`` with a text). ``detail`` is that text, if any."""

    def __init__(self, method: str, origin: str, code: str, detail: Optional[str] = None):
        self.method = method
        self.origin = origin
        self.code = code
        self.detail = detail
        super().__init__(f"{method} {origin}: {code}" + (f" ({detail})" if detail is not None else ""))

    @classmethod
    def of(cls, method: str, origin: str, code: Any) -> "HttpError":
        """The error for a ``wasi:http/types.error-code`` value."""
        detail = code.value if isinstance(code, http_types.ErrorCode_InternalError) else None
        return cls(method, origin, error_code_name(code), detail)


class HttpStatusError(Exception):
    """Raised by ``Response.raise_for_status`` for a 4xx or 5xx status; ``response`` is the
    response."""

    def __init__(self, response: "Response"):
        self.response = response
        self.status_code = response.status_code
        super().__init__(f"{response.status_code} {response.reason} for {response.method} {response.url}")


class Headers(MutableMapping):
    """HTTP headers: a dict with case-insensitive names. A name that repeats reads as its values
    joined with ", " (``get_all`` gives them one by one); iteration gives the names as first
    seen."""

    def __init__(self, items: Union[Mapping[str, str], Iterable[Tuple[str, str]], None] = None):
        self._items: Dict[str, Tuple[str, List[str]]] = {}
        if items is not None:
            for name, value in items.items() if isinstance(items, Mapping) else items:
                self.add(name, value)

    def add(self, name: str, value: str) -> None:
        """Adds a value to ``name``'s values."""
        entry = self._items.setdefault(name.lower(), (name, []))
        entry[1].append(value)

    def get_all(self, name: str) -> List[str]:
        entry = self._items.get(name.lower())
        return list(entry[1]) if entry else []

    def __getitem__(self, name: str) -> str:
        return ", ".join(self._items[name.lower()][1])

    def __setitem__(self, name: str, value: str) -> None:
        self._items[name.lower()] = (name, [value])

    def __delitem__(self, name: str) -> None:
        del self._items[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"

    def _pairs(self) -> List[Tuple[str, str]]:
        return [(name, value) for name, values in self._items.values() for value in values]


class Response:
    """A response, read whole: ``status_code``, ``ok``, ``headers`` (case-insensitive),
    ``content`` (bytes), ``text``, ``json()``, ``raise_for_status()``. Redirects are not
    followed: a 3xx is a response like any other."""

    def __init__(self, method: str, url: str, status_code: int, headers: Headers, content: bytes):
        self.method = method
        self.url = url
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.encoding: Optional[str] = _charset(headers.get("content-type"))

    @property
    def ok(self) -> bool:
        """Whether the status is below 400."""
        return self.status_code < 400

    @property
    def reason(self) -> str:
        try:
            return HTTPStatus(self.status_code).phrase
        except ValueError:
            return ""

    @property
    def text(self) -> str:
        """The body decoded with ``encoding`` (the content type's charset, else UTF-8); bytes
        that do not decode read as U+FFFD."""
        try:
            return self.content.decode(self.encoding or "utf-8", errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self, **kwargs: Any) -> Any:
        return json.loads(self.content, **kwargs)

    def raise_for_status(self) -> None:
        """Raises HttpStatusError if the status is 4xx or 5xx."""
        if 400 <= self.status_code < 600:
            raise HttpStatusError(self)

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}]>"


def _charset(content_type: Optional[str]) -> Optional[str]:
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def _encode(value: Union[str, bytes]) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


class _Target:
    """A URL cut into what an outgoing-request takes, and the origin an HttpError names."""

    def __init__(self, url: str, params: Any):
        parts = urlsplit(url)
        self.scheme = parts.scheme.lower()
        if self.scheme not in _DEFAULT_PORTS:
            raise ValueError(f"{url!r} is not an http:// or https:// URL")
        if not parts.hostname:
            raise ValueError(f"{url!r} names no host")
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"{url!r} has an invalid port") from None
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        self.authority = host if port is None else f"{host}:{port}"
        self.origin = f"{self.scheme}://{host}:{port or _DEFAULT_PORTS[self.scheme]}"
        query = parts.query
        if params:
            extra = urlencode(params, doseq=True)
            query = f"{query}&{extra}" if query else extra
        self.path_with_query = (parts.path or "/") + (f"?{query}" if query else "")
        self.url = f"{self.scheme}://{self.authority}{self.path_with_query}"


class Client:
    """A ``requests``-shaped HTTP client on ``wasi:http/outgoing-handler``. ``headers`` are sent
    with every request (a request's own headers win); ``timeout`` (seconds) bounds connecting,
    the first byte of the response and the wait between its bytes.

    Requests to hosts the activity did not declare, or the operator did not grant, raise
    ``HttpError`` with code ``HTTP-request-denied``."""

    def __init__(self, headers: Optional[Mapping[str, str]] = None, timeout: Optional[float] = None):
        self.headers = Headers(headers)
        self.timeout = timeout

    def get(self, url: str, **kwargs: Any) -> Response:
        return self.request("GET", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> Response:
        return self.request("HEAD", url, **kwargs)

    def post(self, url: str, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url: str, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
        return self.request("PUT", url, data=data, json=json, **kwargs)

    def patch(self, url: str, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
        return self.request("PATCH", url, data=data, json=json, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Response:
        return self.request("DELETE", url, **kwargs)

    def request(
        self,
        method: str,
        url: str,
        params: Any = None,
        data: Any = None,
        json: Any = None,
        headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
    ) -> Response:
        """Sends a request and reads the whole response.

        ``params``: added to the URL's query (a dict or a list of pairs). The body is ``data``
        (str or bytes as is; a dict or a list of pairs form-encoded) or ``json`` (serialized,
        with ``Content-Type: application/json``). Raises ``HttpError`` when no response comes
        (denied, refused, timed out, too large, ...) and ``ValueError`` for a URL, method or
        header the request cannot carry."""
        _activity_import(outgoing_handler, "http")
        method = method.upper()
        target = _Target(url, params)
        body, content_type = _body(data, json)
        all_headers = Headers(self.headers._pairs())
        if body is not None:
            if content_type is not None:
                all_headers["Content-Type"] = content_type
            all_headers["Content-Length"] = str(len(body))
        own = Headers(headers)
        for name in own:
            all_headers.pop(name, None)
        for name, value in own._pairs():
            all_headers.add(name, value)
        options = _options(self.timeout if timeout is None else timeout)
        request = _outgoing_request(method, target, all_headers)
        outgoing_body = request.body() if body is not None else None
        try:
            future = outgoing_handler.handle(request, options)
        except Err as e:
            if outgoing_body is not None:
                outgoing_body.__exit__(None, None, None)
            raise HttpError.of(method, target.origin, e.value) from None
        with future:
            if outgoing_body is not None:
                _write_body(outgoing_body, body)
            incoming = _await(future)
            if isinstance(incoming, Err):
                raise HttpError.of(method, target.origin, incoming.value)
            with incoming:
                status = incoming.status()
                with incoming.headers() as fields:
                    entries = fields.entries()
                content = _read_body(incoming, method, target.origin)
        response_headers = Headers((name, value.decode("utf-8", errors="replace")) for name, value in entries)
        return Response(method, target.url, status, response_headers, content)


def _body(data: Any, json_value: Any) -> Tuple[Optional[bytes], Optional[str]]:
    if json_value is not None:
        if data is not None:
            raise ValueError("a request has data or json, not both")
        return json.dumps(json_value).encode("utf-8"), "application/json"
    if data is None:
        return None, None
    if isinstance(data, (str, bytes)):
        return _encode(data), None
    if isinstance(data, (Mapping, list, tuple)):
        return urlencode(data, doseq=True).encode("ascii"), "application/x-www-form-urlencoded"
    raise TypeError(f"data is str, bytes, a dict or a list of pairs, not {type(data).__name__}")


def _outgoing_request(method: str, target: _Target, headers: Headers) -> Any:
    fields = http_types.Fields()
    for name, value in headers._pairs():
        try:
            fields.append(name, _encode(value))
        except Err as e:
            fields.__exit__(None, None, None)
            problem = type(e.value).__name__.split("_", 1)[-1]
            reason = {"Forbidden": "is forbidden", "InvalidSyntax": "is not valid"}.get(problem, problem)
            raise ValueError(f"the header {name}: {value} {reason}") from None
    request = http_types.OutgoingRequest(fields)
    if method in _METHODS:
        wit_method = getattr(http_types, f"Method_{method.capitalize()}")()
    else:
        wit_method = http_types.Method_Other(method)
    scheme = http_types.Scheme_Https() if target.scheme == "https" else http_types.Scheme_Http()
    for setter, value, what in [
        (request.set_method, wit_method, "method"),
        (request.set_scheme, scheme, "scheme"),
        (request.set_authority, target.authority, "host"),
        (request.set_path_with_query, target.path_with_query, "path"),
    ]:
        try:
            setter(value)
        except Err:
            request.__exit__(None, None, None)
            shown = method if what == "method" else target.url
            raise ValueError(f"invalid {what} in {shown}") from None
    return request


def _options(timeout: Optional[float]) -> Any:
    if timeout is None:
        return None
    nanoseconds = int(timeout * 1_000_000_000)
    options = http_types.RequestOptions()
    try:
        options.set_connect_timeout(nanoseconds)
        options.set_first_byte_timeout(nanoseconds)
        options.set_between_bytes_timeout(nanoseconds)
    except Err:
        options.__exit__(None, None, None)
        raise ValueError("the host does not support request timeouts") from None
    return options


def _write_body(outgoing_body: Any, body: bytes) -> None:
    """Writes and finishes the request body. A failure to write is not raised: the request then
    fails and the response future says why (or the server answered before reading it all, and
    its response is what counts)."""
    with outgoing_body.write() as stream:
        try:
            for start in range(0, len(body), _WRITE_CHUNK):
                stream.blocking_write_and_flush(body[start : start + _WRITE_CHUNK])
        except Err:
            failed = True
        else:
            failed = False
    if failed:
        outgoing_body.__exit__(None, None, None)  # dropped unfinished: the request is aborted
        return
    try:
        http_types.OutgoingBody.finish(outgoing_body, None)
    except Err:
        pass


def _await(future: Any) -> Any:
    """The incoming response, or Err(error-code)."""
    while True:
        ready = future.get()
        if ready is not None:
            break
        with future.subscribe() as pollable:
            pollable.block()
    if isinstance(ready, Err):  # the response was taken already: cannot happen, it is read once
        return Err(http_types.ErrorCode_InternalError("the response was taken already"))
    return ready.value.value if isinstance(ready.value, Ok) else ready.value


def _read_body(incoming: Any, method: str, origin: str) -> bytes:
    incoming_body = incoming.consume()
    chunks = []
    failure = None
    with incoming_body.stream() as stream:
        while True:
            try:
                chunks.append(stream.blocking_read(_READ_CHUNK))
            except Err as e:
                if not isinstance(e.value, streams.StreamError_Closed):
                    failure = _stream_error_code(e.value.value)
                break
    # The stream (a child of the body) is dropped by now, as the body's end requires.
    if failure is not None:
        incoming_body.__exit__(None, None, None)
        raise HttpError.of(method, origin, failure)
    http_types.IncomingBody.finish(incoming_body).__exit__(None, None, None)
    return b"".join(chunks)


def _stream_error_code(io_error: Any) -> Any:
    """The error-code behind a stream's last-operation-failed, or ``internal-error`` with the
    first line of the host's description if the host does not say which (no backtrace)."""
    with io_error:
        code = http_types.http_error_code(io_error)
        if code is None:
            code = http_types.ErrorCode_InternalError(io_error.to_debug_string().strip().split("\n", 1)[0])
        return code


http = Client()


# AWS ----------------------------------------------------------------------------------------

# A grant name: DNS-style labels (letters, digits, '-', '_') separated by dots.
_AWS_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*")
_AWS_JSON = "application/x-amz-json-1.0"

QueryLike = Union[Mapping[str, Any], Iterable[Tuple[str, Any]], None]


class AwsError(Exception):
    """An AWS operation answered with a non-2xx status. ``code`` is the error's type, taken from
    the ``x-amzn-errortype`` header (the text before ``:``), else the JSON body's ``__type``
    (the text after ``#``), else the XML body's ``<Code>``; ``message`` is the JSON body's
    ``message`` (or ``Message``), else the XML body's ``<Message>``. Either may be ``None``.
    The text reads ``<service> <operation>: <status> <code>: <message>`` (a missing code or
    message is left out). ``response`` is the whole response, ``request_id`` AWS's id of the
    request (``x-amzn-requestid`` or ``x-amz-request-id``) if the answer carried one."""

    def __init__(
        self,
        service: str,
        operation: str,
        status: int,
        code: Optional[str] = None,
        message: Optional[str] = None,
        response: Optional[Response] = None,
    ):
        self.service = service
        self.operation = operation
        self.status = status
        self.code = code
        self.message = message
        self.response = response
        self.request_id: Optional[str] = None
        if response is not None:
            self.request_id = response.headers.get("x-amzn-requestid") or response.headers.get("x-amz-request-id")
        text = f"{service} {operation}: {status}"
        if code:
            text += f" {code}"
        if message:
            text += f": {message}"
        super().__init__(text)

    @classmethod
    def of(cls, service: str, operation: str, response: Response) -> "AwsError":
        """The error an AWS service's error response describes (JSON or XML)."""
        code = message = None
        error_type = response.headers.get("x-amzn-errortype")
        if error_type:
            code = error_type.split(":", 1)[0].strip() or None
        text = response.content.decode("utf-8", errors="replace").strip()
        if text.startswith("{"):
            try:
                document = json.loads(text)
            except ValueError:
                document = None
            if isinstance(document, dict):
                if code is None and isinstance(document.get("__type"), str):
                    code = document["__type"].rsplit("#", 1)[-1].strip() or None
                message = next((document[k] for k in ("message", "Message") if isinstance(document.get(k), str)), None)
        elif text.startswith("<"):
            if code is None:
                code = _xml_element_text(text, "Code")
            message = _xml_element_text(text, "Message")
        return cls(service, operation, response.status_code, code, message, response)


def _xml_element_text(document: str, name: str) -> Optional[str]:
    """The text of the first element ``name`` (any namespace prefix) in an AWS error document.
    A regular expression rather than an XML parser: an error body is small and flat, and the
    guest's Python may have no ``pyexpat``."""
    found = re.search(rf"<(?:[\w.-]+:)?{name}(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?{name}\s*>", document, re.S)
    if found is None:
        return None
    text = found.group(1).strip()
    if text.startswith("<![CDATA[") and text.endswith("]]>"):
        return text[9:-3] or None
    return html.unescape(text) or None


def _aws_query(query: QueryLike) -> str:
    """``query`` (a mapping, whose values may be lists, one parameter per element, or a list of
    pairs; order kept) encoded as AWS canonicalizes it: RFC 3986's unreserved characters kept,
    everything else percent-encoded (a space as ``%20``). ``None`` is empty (``name=``),
    ``True``/``False`` are ``true``/``false``."""
    if query is None:
        return ""
    if isinstance(query, (str, bytes)):
        raise TypeError(f"query is a mapping or a list of pairs, not {query!r}")
    if isinstance(query, Mapping):
        pairs = [(n, one) for n, v in query.items() for one in (v if isinstance(v, (list, tuple)) else [v])]
    else:
        pairs = list(query)
    parts = []
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"a query parameter is a (name, value) pair, not {pair!r}")
        name, value = pair
        if value is None:
            value = ""
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (int, float)):
            value = str(value)
        elif not isinstance(value, (str, bytes)):
            raise TypeError(f"query parameter {name}: a value is a string, number or boolean, not {value!r}")
        parts.append(f"{quote(str(name), safe='')}={quote(value, safe='')}")
    return "&".join(parts)


class Aws:
    """Calls to AWS that the host signs (``aws``): the activity holds no credentials.

    A request goes to ``https://<name>.aws.internal<path>``, where ``name`` is the operator's
    AWS grant (by default named after its service: ``s3``, ``dynamodb``, ``sqs``); the host
    sends it to the real endpoint, signed with the grant's role, and answers like the service.
    The activity declares the virtual host in ``outbound_hosts`` (``"https://s3.aws.internal"``);
    without a grant of that name a request raises ``HttpError`` ``HTTP-request-denied``.

    ``request`` is the raw call; the typed helpers raise ``AwsError`` on a non-2xx answer and
    take ``grant=`` to use a grant named otherwise than the service::

        class WitWorld(Activity):
            outbound_hosts = ["https://s3.aws.internal", "https://dynamodb.aws.internal"]

            def run(self, task):
                aws.s3_put_object("receipts", f"{task.activity_id}.json", task.input or "")
                item = aws.dynamodb_get_item("bookings", {"id": {"S": "b-1"}})
                listing = aws.request("s3", "GET", "/receipts", query={"list-type": 2, "prefix": "b-"})
                ...
    """

    def __init__(self, client: Optional[Client] = None):
        self.client = client if client is not None else Client()

    def request(
        self,
        name: str,
        method: str,
        path: str,
        query: QueryLike = None,
        headers: Optional[Mapping[str, str]] = None,
        body: Union[str, bytes, None] = None,
    ) -> Response:
        """Sends ``method path?query`` to the AWS grant ``name`` and returns the response,
        whatever its status. ``path`` starts with ``/`` and is sent as is (percent-encode it
        yourself; a query it holds is kept, ``query`` is appended to it); ``query`` is a mapping
        or a list of pairs, encoded here (see ``_aws_query``); ``headers`` are the
        API's own (no signing headers: the host drops them); ``body`` is str (UTF-8) or bytes.
        Raises ``HttpError`` when no response comes (``HTTP-request-denied`` if no grant is
        named ``name``) and ``ValueError``/``TypeError`` for arguments a request cannot carry."""
        if not isinstance(name, str) or not _AWS_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not an AWS grant name")
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(f"the path {path!r} does not start with /")
        if "#" in path:
            raise ValueError(f"the path {path!r} holds a #: percent-encode it (%23)")
        if body is not None and not isinstance(body, (str, bytes)):
            raise TypeError(f"an AWS request's body is str or bytes, not {type(body).__name__}")
        encoded = _aws_query(query)
        separator = "&" if "?" in path else "?"
        url = f"https://{name}.aws.internal{path}" + (f"{separator}{encoded}" if encoded else "")
        return self.client.request(method, url, data=body, headers=headers)

    # S3 (path-style) ---------------------------------------------------------------------------

    def s3_put_object(
        self,
        bucket: str,
        key: str,
        body: Union[str, bytes],
        content_type: Optional[str] = None,
        *,
        grant: str = "s3",
    ) -> Optional[str]:
        """Stores ``body`` (str as UTF-8, or bytes) as ``key`` in ``bucket``; returns the
        object's ETag (as S3 gives it, quoted), or ``None`` if the answer has none."""
        if not isinstance(body, (str, bytes)):
            raise TypeError(f"an object's body is str or bytes, not {type(body).__name__}")
        headers = {"Content-Type": content_type} if content_type is not None else None
        response = self.request(grant, "PUT", _s3_path(bucket, key), headers=headers, body=body)
        _check("s3", "PutObject", response)
        return response.headers.get("etag")

    def s3_get_object(self, bucket: str, key: str, *, grant: str = "s3") -> bytes:
        """The contents of ``key`` in ``bucket``."""
        response = self.request(grant, "GET", _s3_path(bucket, key))
        _check("s3", "GetObject", response)
        return response.content

    # DynamoDB (AWS JSON 1.0) -------------------------------------------------------------------

    def dynamodb_put_item(self, table: str, item: Mapping[str, Any], *, grant: str = "dynamodb") -> None:
        """Writes ``item`` (DynamoDB JSON: ``{"id": {"S": "b-1"}}``) to ``table``."""
        self._json_call(grant, "dynamodb", "DynamoDB_20120810", "PutItem", {"TableName": table, "Item": item})

    def dynamodb_get_item(
        self, table: str, key: Mapping[str, Any], *, grant: str = "dynamodb"
    ) -> Optional[Dict[str, Any]]:
        """The item of ``table`` with ``key`` (both DynamoDB JSON), or ``None`` if there is none."""
        answer = self._json_call(grant, "dynamodb", "DynamoDB_20120810", "GetItem", {"TableName": table, "Key": key})
        return answer.get("Item")

    # SQS (AWS JSON 1.0) ------------------------------------------------------------------------

    def sqs_send_message(self, queue_url: str, body: str, *, grant: str = "sqs") -> str:
        """Sends ``body`` to the queue ``queue_url``; returns the message's ``MessageId``."""
        answer = self._json_call(grant, "sqs", "AmazonSQS", "SendMessage", {"QueueUrl": queue_url, "MessageBody": body})
        message_id = answer.get("MessageId")
        if not isinstance(message_id, str):
            raise AwsError("sqs", "SendMessage", 200, None, "the answer has no MessageId")
        return message_id

    def _json_call(self, grant: str, service: str, prefix: str, operation: str, payload: Dict[str, Any]) -> Dict[str, Any]:
        """An AWS JSON 1.0 call: ``POST /`` with ``X-Amz-Target: <prefix>.<operation>``; the
        answer's JSON object."""
        headers = {"Content-Type": _AWS_JSON, "X-Amz-Target": f"{prefix}.{operation}"}
        response = self.request(grant, "POST", "/", headers=headers, body=json.dumps(payload))
        _check(service, operation, response)
        if not response.content.strip():
            return {}
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise AwsError(service, operation, response.status_code, None, "the answer is not a JSON object", response)
        return answer


def _s3_path(bucket: str, key: str) -> str:
    """``/<bucket>/<key>``, the key percent-encoded except its ``/``s."""
    if not isinstance(bucket, str) or not bucket:
        raise ValueError(f"{bucket!r} is not a bucket name")
    if not isinstance(key, str) or not key:
        raise ValueError(f"{key!r} is not an object key")
    return f"/{quote(bucket, safe='')}/{quote(key, safe='/')}"


def _check(service: str, operation: str, response: Response) -> None:
    if not 200 <= response.status_code < 300:
        raise AwsError.of(service, operation, response)


aws = Aws()
