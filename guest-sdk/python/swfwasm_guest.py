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
HTTP requests through ``wasi:http/outgoing-handler``.

Payloads are the JSON SWF itself speaks, so event and decision fields keep SWF's camelCase names.

The generated bindings must name the interfaces as ``interface-names`` (next to this file) says:
``plugin_types`` for swfwasm's own ``types`` interface and ``types`` for ``wasi:http/types``
(scripts/build-plugins passes them to componentize-py as ``--import-interface-name``).
"""

import json
from collections.abc import MutableMapping
from http import HTTPStatus
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import urlencode, urlsplit

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
