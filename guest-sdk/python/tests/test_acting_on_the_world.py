"""Unit tests of what lets a Python activity act on the world: `requires` (what it declares),
`config.get`, the HTTP client on `wasi:http/outgoing-handler` and the AWS calls the host signs
(`aws`), which go through that client.

`wasi:http` is replaced by `FakeHttp`, fakes of its resources that record the request a call
builds (method, scheme, authority, path, headers, body, options), answer with a scripted
response or error-code, and check the resource rules a host enforces: a body is written after
`handle` and in chunks `blocking-write-and-flush` accepts, children are dropped before their
parents, bodies are finished.
"""

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


# --- requires ---------------------------------------------------------------------------------


def needs(record):
    return [(n.name, n.required) for n in record]


def test_an_activity_needs_nothing_by_default(guest, plugin):
    class Plain(guest.Activity):
        pass

    required = Plain().requires()
    assert isinstance(required, guest.plugin_types.Requirements)
    assert required.outbound_hosts == [] and required.config_keys == []
    hello = plugin("plugins/python-hello/hello_activity.py").WitWorld()
    assert hello.requires() == guest.plugin_types.Requirements([], [])


def test_an_activity_declares_its_needs_as_class_attributes(guest):
    class Caller(guest.Activity):
        outbound_hosts = ["https://api.example.com", guest.need("{WEBHOOK_URL}", required=False)]
        config_keys = ["API_KEY", guest.need("WEBHOOK_URL", required=False)]

    required = Caller().requires()
    assert needs(required.outbound_hosts) == [("https://api.example.com", True), ("{WEBHOOK_URL}", False)]
    assert needs(required.config_keys) == [("API_KEY", True), ("WEBHOOK_URL", False)]
    assert all(isinstance(n, guest.plugin_types.Need) for n in required.outbound_hosts + required.config_keys)


def test_requirements_builder_and_its_checks(guest):
    built = guest.requirements(config_keys=[guest.need("K")])
    assert built == guest.plugin_types.Requirements([], [guest.plugin_types.Need("K", True)])
    with pytest.raises(TypeError, match="not the string"):
        guest.requirements(outbound_hosts="https://api.example.com")
    with pytest.raises(TypeError, match="names or need"):
        guest.requirements(config_keys=[42])
    with pytest.raises(TypeError, match="non-empty string"):
        guest.need("")


# --- config -----------------------------------------------------------------------------------


@pytest.fixture
def config_values(guest, monkeypatch):
    """The host's answers by key: a value, None, or a ConfigError variant to raise."""
    answers = {}
    asked = []

    def get(key):
        asked.append(key)
        answer = answers.get(key, guest.config_import.ConfigError_Undeclared())
        if isinstance(answer, (guest.config_import.ConfigError_Undeclared, guest.config_import.ConfigError_Unavailable)):
            raise guest.Err(answer)
        return answer

    monkeypatch.setattr(guest.config_import, "get", get)
    answers["asked"] = asked
    return answers


def test_config_get(guest, config_values):
    config_values.update(GREETING="hello", EMPTY=None)
    assert guest.config.get("GREETING") == "hello"
    assert guest.config.get("EMPTY") is None
    assert guest.config.get("EMPTY", "fallback") == "fallback"
    assert config_values["asked"] == ["GREETING", "EMPTY", "EMPTY"]


def test_config_errors_name_the_key_and_kind(guest, config_values):
    config_values["DB_PASSWORD"] = guest.config_import.ConfigError_Unavailable("secretsmanager:db (unreachable)")
    with pytest.raises(guest.ConfigError) as raised:
        guest.config.get("OTHER")
    assert (raised.value.key, raised.value.kind, raised.value.detail) == ("OTHER", "undeclared", None)
    assert str(raised.value) == "OTHER: undeclared"
    with pytest.raises(guest.ConfigError) as raised:
        guest.config.get("DB_PASSWORD")
    assert (raised.value.key, raised.value.kind) == ("DB_PASSWORD", "unavailable")
    assert str(raised.value) == "DB_PASSWORD: unavailable: secretsmanager:db (unreachable)"


# --- http: fakes of wasi:http -----------------------------------------------------------------


class Resource:
    """A fake resource: `with` and `__exit__` drop it, once."""

    dropped = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        assert not self.dropped, f"{type(self).__name__} dropped twice"
        self.dropped = True


class FakeHttp:
    """Installs fakes of the wasi:http resources and `outgoing-handler.handle` in the bindings.
    `answer` is what the next request gets: a FakeResponse, or an error-code (raised by
    `handle` when `refuse_in_handle`, else given by the future)."""

    FORBIDDEN = {"host", "connection", "transfer-encoding"}

    def __init__(self, guest, monkeypatch):
        self.guest = guest
        self.http_types = http_types = guest.http_types
        self.sent = []
        self.answer = FakeResponse(200)
        self.refuse_in_handle = False
        self.pending_polls = 1  # `get` answers None this often first, so the client must block
        fake = self

        class Fields(Resource):
            def __init__(self):
                self.items = []

            def append(self, name, value):
                assert isinstance(value, bytes)
                if name.lower() in fake.FORBIDDEN:
                    raise guest.Err(http_types.HeaderError_Forbidden())
                if not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name):
                    raise guest.Err(http_types.HeaderError_InvalidSyntax())
                self.items.append((name, value))

            def entries(self):
                return list(self.items)

        class OutgoingStream(Resource):
            def __init__(self, body):
                self.body = body

            def blocking_write_and_flush(self, contents):
                assert self.body.request.handled, "the body is written after handle"
                assert len(contents) <= 4096, "blocking-write-and-flush takes at most 4096 bytes"
                if fake.answer_breaks_body_write:
                    raise guest.Err(guest.streams.StreamError_Closed())
                self.body.chunks.append(contents)

        class OutgoingBody(Resource):
            def __init__(self, request):
                self.request = request
                self.chunks = []
                self.stream = None
                self.finished = False

            def write(self):
                assert self.stream is None
                self.stream = OutgoingStream(self)
                return self.stream

            @classmethod
            def finish(cls, this, trailers):
                assert this.stream is None or this.stream.dropped, "the body's stream is dropped before finish"
                assert trailers is None
                this.finished = True

            def __exit__(self, *exc):
                assert self.stream is None or self.stream.dropped, "the body's stream is dropped before the body"
                super().__exit__(*exc)

        class OutgoingRequest(Resource):
            def __init__(self, headers):
                self.headers = headers
                self.method = http_types.Method_Get()
                self.scheme = self.authority = self.path_with_query = None
                self.outgoing_body = None
                self.handled = False
                self.options = None

            def set_method(self, method):
                if isinstance(method, http_types.Method_Other) and not method.value.isalpha():
                    raise guest.Err(None)
                self.method = method

            def set_scheme(self, scheme):
                self.scheme = scheme

            def set_authority(self, authority):
                self.authority = authority

            def set_path_with_query(self, path_with_query):
                if " " in path_with_query:
                    raise guest.Err(None)
                self.path_with_query = path_with_query

            def body(self):
                assert self.outgoing_body is None
                self.outgoing_body = OutgoingBody(self)
                return self.outgoing_body

            # what the tests read
            @property
            def header_list(self):
                return [(n, v.decode()) for n, v in self.headers.items]

            @property
            def body_bytes(self):
                return None if self.outgoing_body is None else b"".join(self.outgoing_body.chunks)

        class RequestOptions(Resource):
            def __init__(self):
                self.timeouts = {}

            def set_connect_timeout(self, duration):
                self.timeouts["connect"] = duration

            def set_first_byte_timeout(self, duration):
                self.timeouts["first_byte"] = duration

            def set_between_bytes_timeout(self, duration):
                self.timeouts["between_bytes"] = duration

        class Pollable(Resource):
            def __init__(self, future):
                self.future = future

            def block(self):
                self.future.blocked += 1

        class Future(Resource):
            def __init__(self, outcome):
                self.outcome = outcome
                self.polls_left = fake.pending_polls
                self.blocked = 0
                self.taken = False

            def subscribe(self):
                return Pollable(self)

            def get(self):
                if self.polls_left:
                    self.polls_left -= 1
                    return None
                if self.taken:
                    return guest.Err(None)
                self.taken = True
                if isinstance(self.outcome, FakeResponse):
                    return guest.Ok(guest.Ok(IncomingResponse(self.outcome)))
                return guest.Ok(guest.Err(self.outcome))

        class InputStream(Resource):
            def __init__(self, chunks, failure):
                self.chunks = list(chunks)
                self.failure = failure

            def blocking_read(self, length):
                if self.chunks:
                    chunk = self.chunks.pop(0)
                    assert len(chunk) <= length
                    return chunk
                if self.failure is not None:
                    raise guest.Err(guest.streams.StreamError_LastOperationFailed(IoError(self.failure)))
                raise guest.Err(guest.streams.StreamError_Closed())

        class IncomingBody(Resource):
            def __init__(self, response):
                self.response = response
                self.input = None
                self.finished = False

            def stream(self):
                self.input = InputStream(self.response.chunks, self.response.failure)
                return self.input

            @classmethod
            def finish(cls, this):
                assert this.input is None or this.input.dropped, "the body's stream is dropped before finish"
                this.finished = True
                return Resource()

            def __exit__(self, *exc):
                assert self.input is None or self.input.dropped, "the body's stream is dropped before the body"
                super().__exit__(*exc)

        class IncomingResponse(Resource):
            def __init__(self, response):
                self.response = response
                self.fields = None
                self.body = None
                response.incoming = self

            def status(self):
                return self.response.status

            def headers(self):
                self.fields = Fields()
                self.fields.items = [(n, v.encode()) for n, v in self.response.headers]
                return self.fields

            def consume(self):
                self.body = IncomingBody(self.response)
                return self.body

            def __exit__(self, *exc):
                assert self.fields is None or self.fields.dropped, "the headers are dropped before the response"
                assert self.body is None or self.body.finished or self.body.dropped
                super().__exit__(*exc)

        def handle(request, options):
            request.handled = True
            request.options = options
            self.sent.append(request)
            if self.refuse_in_handle:
                raise guest.Err(self.answer)
            future = Future(self.answer)
            self.futures.append(future)
            return future

        def http_error_code(io_error):
            return io_error.code

        self.answer_breaks_body_write = False
        self.futures = []
        for name, value in [
            ("Fields", Fields),
            ("OutgoingRequest", OutgoingRequest),
            ("OutgoingBody", OutgoingBody),
            ("RequestOptions", RequestOptions),
            ("IncomingBody", IncomingBody),
            ("http_error_code", http_error_code),
        ]:
            monkeypatch.setattr(http_types, name, value)
        monkeypatch.setattr(guest.outgoing_handler, "handle", handle)

    @property
    def request(self):
        (request,) = self.sent
        return request


class IoError(Resource):
    def __init__(self, code):
        self.code = code if not isinstance(code, str) else None
        self.text = code if isinstance(code, str) else "an http error"

    def to_debug_string(self):
        return self.text


class FakeResponse:
    """A scripted response: status, headers (pairs), body chunks, and optionally a failure
    (an error-code, or a text for a non-HTTP io error) after the chunks."""

    def __init__(self, status, headers=(), chunks=(), failure=None):
        self.status = status
        self.headers = list(headers)
        self.chunks = list(chunks)
        self.failure = failure
        self.incoming = None

    def assert_released(self):
        incoming = self.incoming
        assert incoming.dropped and incoming.fields.dropped and incoming.body.input.dropped
        assert incoming.body.finished or incoming.body.dropped


@pytest.fixture
def net(guest, monkeypatch):
    return FakeHttp(guest, monkeypatch)


# --- http: requests ---------------------------------------------------------------------------


def test_a_get_builds_the_request_from_the_url(guest, net):
    net.answer = FakeResponse(200, [("content-type", "text/plain")], [b"hi"])
    response = guest.http.get("http://127.0.0.1:8099/items?page=2#top", params={"q": "a b"}, headers={"X-Trace": "1"})
    request = net.request
    t = guest.http_types
    assert request.method == t.Method_Get()
    assert request.scheme == t.Scheme_Http()
    assert request.authority == "127.0.0.1:8099"
    assert request.path_with_query == "/items?page=2&q=a+b"
    assert request.header_list == [("X-Trace", "1")]
    assert request.outgoing_body is None, "a request without a body does not take one"
    assert request.options is None
    assert response.url == "http://127.0.0.1:8099/items?page=2&q=a+b"
    assert net.futures[0].blocked == 1 and net.futures[0].dropped
    net.answer.assert_released()


def test_https_and_paths(guest, net):
    guest.http.request("delete", "HTTPS://API.Example.com")
    assert net.request.method == guest.http_types.Method_Delete()
    assert net.request.scheme == guest.http_types.Scheme_Https()
    assert (net.request.authority, net.request.path_with_query) == ("api.example.com", "/")
    net.sent.clear()
    guest.http.request("PURGE", "http://[::1]:81/cache")
    assert net.request.method == guest.http_types.Method_Other("PURGE")
    assert net.request.authority == "[::1]:81"


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"])
def test_standard_methods_are_their_own_cases(guest, net, method):
    guest.http.request(method.lower(), "http://example.com/")
    assert net.request.method == getattr(guest.http_types, f"Method_{method.capitalize()}")()


def test_a_json_post_writes_its_body_in_chunks_after_handle(guest, net):
    payload = {"text": "x" * 10_000, "n": 1}
    guest.http.post("http://example.com/api", json=payload, headers={"authorization": "Bearer t"})
    request = net.request
    body = request.body_bytes
    assert json.loads(body) == payload
    assert [len(c) for c in request.outgoing_body.chunks] == [4096, 4096, len(body) - 8192]
    assert request.outgoing_body.finished and request.outgoing_body.stream.dropped
    assert request.header_list == [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("authorization", "Bearer t"),
    ]


def test_data_bodies(guest, net):
    guest.http.post("http://example.com/", data="héllo", headers={"content-type": "text/plain"})
    assert net.request.body_bytes == "héllo".encode()
    assert net.request.header_list == [("Content-Length", "6"), ("content-type", "text/plain")]
    net.sent.clear()
    guest.http.put("http://example.com/", data={"a": "1", "b": ["2", "3"]})
    assert net.request.body_bytes == b"a=1&b=2&b=3"
    assert ("Content-Type", "application/x-www-form-urlencoded") in net.request.header_list
    net.sent.clear()
    guest.http.patch("http://example.com/", data=b"\x00\x01")
    assert net.request.body_bytes == b"\x00\x01"
    net.sent.clear()
    guest.http.post("http://example.com/", data="")
    assert net.request.body_bytes == b"" and net.request.outgoing_body.finished
    with pytest.raises(ValueError, match="data or json"):
        guest.http.post("http://example.com/", data="a", json={})
    with pytest.raises(TypeError):
        guest.http.post("http://example.com/", data=3.5)


def test_client_defaults_and_timeouts(guest, net):
    client = guest.Client(headers={"User-Agent": "probe", "Accept": "*/*"}, timeout=2.5)
    client.get("http://example.com/", headers={"accept": "application/json"})
    assert net.request.header_list == [("User-Agent", "probe"), ("accept", "application/json")]
    timeouts = net.request.options.timeouts
    assert timeouts == {"connect": 2_500_000_000, "first_byte": 2_500_000_000, "between_bytes": 2_500_000_000}
    net.sent.clear()
    client.get("http://example.com/", timeout=0.001)
    assert net.request.options.timeouts["connect"] == 1_000_000


def test_what_a_request_cannot_carry_is_a_value_error(guest, net):
    with pytest.raises(ValueError, match="not an http"):
        guest.http.get("ftp://example.com/file")
    with pytest.raises(ValueError, match="names no host"):
        guest.http.get("http:///path")
    with pytest.raises(ValueError, match="invalid port"):
        guest.http.get("http://example.com:99999/")
    with pytest.raises(ValueError, match="the header Host: other is forbidden"):
        guest.http.get("http://example.com/", headers={"Host": "other"})
    with pytest.raises(ValueError, match="is not valid"):
        guest.http.get("http://example.com/", headers={"bad name": "x"})
    with pytest.raises(ValueError, match="invalid method"):
        guest.http.request("GET IT", "http://example.com/")
    assert net.sent == []


# --- http: responses --------------------------------------------------------------------------


def test_a_response_is_read_whole(guest, net):
    net.answer = FakeResponse(
        201,
        [("Content-Type", "application/json; charset=utf-8"), ("set-cookie", "a=1"), ("Set-Cookie", "b=2")],
        [b'{"name": "Ad', '\u00e4"}'.encode()],
    )
    response = guest.http.get("http://example.com/")
    assert response.status_code == 201 and response.ok and response.reason == "Created"
    assert response.content == '{"name": "Adä"}'.encode()
    assert response.text == '{"name": "Adä"}'
    assert response.json() == {"name": "Adä"}
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["SET-COOKIE"] == "a=1, b=2"
    assert response.headers.get_all("set-cookie") == ["a=1", "b=2"]
    assert "Content-TYPE" in response.headers and "x" not in response.headers
    assert list(response.headers) == ["Content-Type", "set-cookie"]
    response.raise_for_status()
    net.answer.assert_released()


def test_text_follows_the_charset(guest, net):
    net.answer = FakeResponse(200, [("content-type", 'text/plain; charset="iso-8859-1"')], ["café".encode("latin-1")])
    assert guest.http.get("http://example.com/").text == "café"
    net.answer = FakeResponse(200, [("content-type", "text/plain; charset=nonsense")], [b"caf\xc3\xa9 \xff"])
    assert guest.http.get("http://example.com/").text == "café \ufffd"


def test_raise_for_status(guest, net):
    net.answer = FakeResponse(404, chunks=[b"no such thing"])
    response = guest.http.get("http://example.com/missing")
    assert not response.ok and response.text == "no such thing"
    with pytest.raises(guest.HttpStatusError) as raised:
        response.raise_for_status()
    assert raised.value.response is response and raised.value.status_code == 404
    assert str(raised.value) == "404 Not Found for GET http://example.com/missing"
    net.answer = FakeResponse(302, [("location", "/elsewhere")])
    redirect = guest.http.get("http://example.com/")
    assert redirect.status_code == 302 and redirect.ok and redirect.headers["location"] == "/elsewhere"


# --- http: errors -----------------------------------------------------------------------------


def wit_error_codes():
    """The case names of wasi:http/types.error-code, from the WIT."""
    wit = (REPO / "guest-sdk/wit/deps/http.wit").read_text()
    body = re.search(r"variant error-code \{(.*?)\n  \}", wit, re.S).group(1)
    return re.findall(r"^\s*([A-Za-z][A-Za-z-]*)\s*(?:\(|,)", re.sub(r"///.*|@\w+\([^)]*\)", "", body), re.M)


def test_every_error_code_has_its_wit_name(guest):
    cases = [c for c in vars(guest.http_types).values() if isinstance(c, type) and c.__name__.startswith("ErrorCode_")]
    names = wit_error_codes()
    assert len(names) == len(cases) == 39
    assert sorted(guest.error_code_name(object.__new__(case)) for case in cases) == sorted(names)
    assert guest.error_code_name(guest.http_types.ErrorCode_DnsError(None)) == "DNS-error"
    assert guest.error_code_name(guest.http_types.ErrorCode_HttpRequestUriTooLong()) == "HTTP-request-URI-too-long"


@pytest.mark.parametrize(
    "code, url, message",
    [
        ("ErrorCode_HttpRequestDenied", "http://example.com/x", "GET http://example.com:80: HTTP-request-denied"),
        ("ErrorCode_ConnectionRefused", "https://Example.com/x", "GET https://example.com:443: connection-refused"),
        ("ErrorCode_ConnectionReadTimeout", "http://127.0.0.1:8099/", "GET http://127.0.0.1:8099: connection-read-timeout"),
        ("ErrorCode_ConnectionLimitReached", "http://[::1]/", "GET http://[::1]:80: connection-limit-reached"),
    ],
)
def test_an_error_code_from_the_future_is_an_http_error(guest, net, code, url, message):
    net.answer = getattr(guest.http_types, code)()
    with pytest.raises(guest.HttpError) as raised:
        guest.http.get(url)
    assert str(raised.value) == message
    assert raised.value.code == message.rsplit(": ", 1)[1]
    assert raised.value.method == "GET" and raised.value.detail is None
    assert net.futures[0].dropped


def test_an_error_code_from_handle_is_an_http_error(guest, net):
    net.answer = guest.http_types.ErrorCode_HttpRequestDenied()
    net.refuse_in_handle = True
    with pytest.raises(guest.HttpError, match=r"^POST https://api.example.com:8443: HTTP-request-denied$") as raised:
        guest.http.post("https://api.example.com:8443/v1", json={"a": 1})
    assert raised.value.code == "HTTP-request-denied"
    assert net.request.outgoing_body.dropped, "the unsent body is dropped"


def test_internal_error_text_is_appended(guest, net):
    net.answer = guest.http_types.ErrorCode_InternalError("something broke")
    with pytest.raises(guest.HttpError) as raised:
        guest.http.request("put", "http://example.com/", data="x")
    assert str(raised.value) == "PUT http://example.com:80: internal-error (something broke)"
    assert (raised.value.code, raised.value.detail) == ("internal-error", "something broke")
    net.answer = guest.http_types.ErrorCode_InternalError(None)
    with pytest.raises(guest.HttpError, match=r"^GET http://example.com:80: internal-error$"):
        guest.http.get("http://example.com/")


def test_a_body_that_fails_midway_is_an_http_error(guest, net):
    net.answer = FakeResponse(200, chunks=[b"a" * 10], failure=guest.http_types.ErrorCode_HttpResponseBodySize(1024))
    with pytest.raises(guest.HttpError) as raised:
        guest.http.get("http://example.com/big")
    assert str(raised.value) == "GET http://example.com:80: HTTP-response-body-size"
    incoming = net.answer.incoming
    assert incoming.dropped and incoming.body.input.dropped and incoming.body.dropped

    net.answer = FakeResponse(200, failure="connection reset\nStack backtrace:\n   0: somewhere")
    with pytest.raises(guest.HttpError) as raised:
        guest.http.get("http://example.com/")
    assert str(raised.value) == "GET http://example.com:80: internal-error (connection reset)"


def test_a_request_body_the_host_stops_taking_leaves_the_answer_to_the_future(guest, net):
    net.answer_breaks_body_write = True
    net.answer = guest.http_types.ErrorCode_HttpRequestDenied()
    with pytest.raises(guest.HttpError, match="HTTP-request-denied"):
        guest.http.post("http://example.com/", data="x")
    body = net.request.outgoing_body
    assert body.dropped and not body.finished and body.stream.dropped

    net.sent.clear()
    net.answer = FakeResponse(413, chunks=[b"too large"])
    assert guest.http.post("http://example.com/", data="x").status_code == 413


# --- aws: requests ----------------------------------------------------------------------------


def test_an_aws_request_goes_to_the_grants_virtual_host(guest, net):
    net.answer = FakeResponse(200, [("Content-Type", "application/xml")], [b"<ListBucketResult/>"])
    response = guest.aws.request(
        "s3",
        "get",
        "/my-bucket",
        query=[("list-type", 2), ("prefix", "a b/c~d_e.f-g"), ("uploads", None), ("fetch-owner", True), ("k=é&", "+")],
        headers={"x-amz-request-payer": "requester"},
    )
    request = net.request
    t = guest.http_types
    assert request.method == t.Method_Get() and request.scheme == t.Scheme_Https()
    assert request.authority == "s3.aws.internal"
    assert request.path_with_query == (
        "/my-bucket?list-type=2&prefix=a%20b%2Fc~d_e.f-g&uploads=&fetch-owner=true&k%3D%C3%A9%26=%2B"
    )
    assert request.header_list == [("x-amz-request-payer", "requester")]
    assert request.outgoing_body is None
    assert isinstance(response, guest.Response)
    assert response.status_code == 200 and response.text == "<ListBucketResult/>"
    assert response.url == "https://s3.aws.internal/my-bucket?" + request.path_with_query.split("?", 1)[1]
    net.answer.assert_released()


def test_an_aws_request_with_a_mapping_query_and_a_body(guest, net):
    guest.aws.request("dynamodb-eu", "POST", "/", query={"a": "1", "b": ""}, headers=[("X-Amz-Target", "T.Op")], body=b"{}")
    request = net.request
    assert request.authority == "dynamodb-eu.aws.internal"
    assert request.path_with_query == "/?a=1&b="
    assert request.header_list == [("Content-Length", "2"), ("X-Amz-Target", "T.Op")]
    assert request.body_bytes == b"{}" and request.outgoing_body.finished
    net.sent.clear()
    guest.aws.request("s3", "PUT", "/b/k", query={}, body="héllo")
    assert net.request.path_with_query == "/b/k"
    assert net.request.body_bytes == "héllo".encode()
    net.sent.clear()
    guest.aws.request("s3", "GET", "/b/k?versionId=3", query={"tag": ["a", "b c"], "n": 1.5})
    assert net.request.path_with_query == "/b/k?versionId=3&tag=a&tag=b%20c&n=1.5"
    net.sent.clear()
    guest.aws.request("S3-Archive.eu_1", "GET", "/b?uploads")
    assert (net.request.authority, net.request.path_with_query) == ("s3-archive.eu_1.aws.internal", "/b?uploads")


def test_an_aws_request_answers_whatever_the_status(guest, net):
    net.answer = FakeResponse(404, [("x-amzn-errortype", "ResourceNotFoundException")], [b"{}"])
    response = guest.aws.request("dynamodb", "POST", "/", body="{}")
    assert response.status_code == 404 and not response.ok


def test_an_aws_request_without_a_grant_is_denied_like_any_host(guest, net):
    net.answer = guest.http_types.ErrorCode_HttpRequestDenied()
    with pytest.raises(guest.HttpError) as raised:
        guest.aws.request("sqs", "POST", "/", body="{}")
    assert str(raised.value) == "POST https://sqs.aws.internal:443: HTTP-request-denied"
    net.sent.clear()
    with pytest.raises(guest.HttpError, match=r"^GET https://archive.aws.internal:443: HTTP-request-denied$"):
        guest.aws.s3_get_object("b", "k", grant="archive")


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        (("", "GET", "/"), {}, ValueError, "not an AWS grant name"),
        (("s3.example.com:443", "GET", "/"), {}, ValueError, "not an AWS grant name"),
        (("s3/x", "GET", "/"), {}, ValueError, "not an AWS grant name"),
        ((None, "GET", "/"), {}, ValueError, "not an AWS grant name"),
        (("s3", "GET", "b/k"), {}, ValueError, "does not start with /"),
        (("-s3", "GET", "/"), {}, ValueError, "not an AWS grant name"),
        (("s3..x", "GET", "/"), {}, ValueError, "not an AWS grant name"),
        (("s3", "GET", "/b/k#x"), {}, ValueError, "holds a #"),
        (("s3", "GET", "/b/a key"), {}, ValueError, "invalid path"),
        (("s3", "GET", "/"), {"query": "a=1"}, TypeError, "mapping or a list of pairs"),
        (("s3", "GET", "/"), {"query": [("a", "1", "2")]}, TypeError, "a \\(name, value\\) pair"),
        (("s3", "GET", "/"), {"query": {"a": {"b": 1}}}, TypeError, "query parameter a: a value is"),
        (("s3", "PUT", "/b/k"), {"body": {"a": 1}}, TypeError, "str or bytes"),
    ],
)
def test_what_an_aws_request_cannot_carry(guest, net, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        guest.aws.request(*args, **kwargs)
    assert net.sent == []


# --- aws: typed helpers -----------------------------------------------------------------------


def test_s3_put_object(guest, net):
    net.answer = FakeResponse(200, [("ETag", '"9b2cf535f27731c974343645a3985328"')])
    etag = guest.aws.s3_put_object("my-bucket", "dir/a b+c é.txt", "hello", content_type="text/plain")
    request = net.request
    assert etag == '"9b2cf535f27731c974343645a3985328"'
    assert request.method == guest.http_types.Method_Put()
    assert request.authority == "s3.aws.internal"
    assert request.path_with_query == "/my-bucket/dir/a%20b%2Bc%20%C3%A9.txt"
    assert request.header_list == [("Content-Length", "5"), ("Content-Type", "text/plain")]
    assert request.body_bytes == b"hello"

    net.sent.clear()
    net.answer = FakeResponse(200)
    assert guest.aws.s3_put_object("b", "k", b"\x00", grant="archive") is None
    assert net.request.authority == "archive.aws.internal"
    assert net.request.header_list == [("Content-Length", "1")], "no content type unless given"
    assert net.request.body_bytes == b"\x00"


def test_s3_get_object(guest, net):
    net.answer = FakeResponse(200, [("Content-Type", "application/octet-stream")], [b"\xff\x00", b"rest"])
    assert guest.aws.s3_get_object("b", "reports/2024/q1.csv") == b"\xff\x00rest"
    assert net.request.method == guest.http_types.Method_Get()
    assert net.request.path_with_query == "/b/reports/2024/q1.csv"
    assert net.request.outgoing_body is None


def test_s3_arguments_are_checked(guest, net):
    with pytest.raises(ValueError, match="not an object key"):
        guest.aws.s3_get_object("b", "")
    with pytest.raises(ValueError, match="not a bucket name"):
        guest.aws.s3_put_object("", "k", "x")
    with pytest.raises(TypeError, match="str or bytes"):
        guest.aws.s3_put_object("b", "k", {"a": 1})
    assert net.sent == []


def test_s3_errors_come_from_the_xml_body(guest, net):
    net.answer = FakeResponse(
        404,
        [("Content-Type", "application/xml"), ("x-amz-request-id", "R1")],
        [
            b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
            b"<Message>The specified key does not exist &amp; never did.</Message>"
            b"<Key>k</Key><RequestId>R1</RequestId></Error>"
        ],
    )
    with pytest.raises(guest.AwsError) as raised:
        guest.aws.s3_get_object("b", "k")
    error = raised.value
    assert (error.service, error.operation, error.status) == ("s3", "GetObject", 404)
    assert (error.code, error.message) == ("NoSuchKey", "The specified key does not exist & never did.")
    assert str(error) == "s3 GetObject: 404 NoSuchKey: The specified key does not exist & never did."
    assert error.response.status_code == 404 and error.request_id == "R1"
    assert not isinstance(error, (guest.HttpError, ValueError))

    net.answer = FakeResponse(403, [("Content-Type", "application/xml")], [b"<Error><Code>AccessDenied</Code><Message/></Error>"])
    with pytest.raises(guest.AwsError) as raised:
        guest.aws.s3_put_object("b", "k", "x")
    assert (raised.value.code, raised.value.message) == ("AccessDenied", None)
    assert str(raised.value) == "s3 PutObject: 403 AccessDenied"


def test_dynamodb_put_item(guest, net):
    net.answer = FakeResponse(200, [("Content-Type", "application/x-amz-json-1.0")], [b"{}"])
    item = {"id": {"S": "b-1"}, "seats": {"N": "2"}}
    assert guest.aws.dynamodb_put_item("bookings", item) is None
    request = net.request
    assert request.method == guest.http_types.Method_Post()
    assert (request.authority, request.path_with_query) == ("dynamodb.aws.internal", "/")
    headers = dict((n.lower(), v) for n, v in request.header_list)
    assert headers["content-type"] == "application/x-amz-json-1.0"
    assert headers["x-amz-target"] == "DynamoDB_20120810.PutItem"
    assert headers["content-length"] == str(len(request.body_bytes))
    assert json.loads(request.body_bytes) == {"TableName": "bookings", "Item": item}


def test_dynamodb_get_item(guest, net):
    item = {"id": {"S": "b-1"}, "tags": {"SS": ["a", "b"]}}
    net.answer = FakeResponse(200, [("Content-Type", "application/x-amz-json-1.0")], [json.dumps({"Item": item}).encode()])
    assert guest.aws.dynamodb_get_item("bookings", {"id": {"S": "b-1"}}, grant="ddb-eu") == item
    request = net.request
    assert request.authority == "ddb-eu.aws.internal"
    assert ("X-Amz-Target", "DynamoDB_20120810.GetItem") in request.header_list
    assert json.loads(request.body_bytes) == {"TableName": "bookings", "Key": {"id": {"S": "b-1"}}}
    net.answer = FakeResponse(200, chunks=[b"{}"])
    assert guest.aws.dynamodb_get_item("bookings", {"id": {"S": "none"}}) is None
    net.answer = FakeResponse(200, chunks=[b"<html>proxy</html>"])
    with pytest.raises(guest.AwsError) as raised:
        guest.aws.dynamodb_get_item("bookings", {"id": {"S": "x"}})
    assert str(raised.value) == "dynamodb GetItem: 200: the answer is not a JSON object"


def test_sqs_send_message(guest, net):
    net.answer = FakeResponse(200, chunks=[b'{"MD5OfMessageBody": "x", "MessageId": "5fea7756-0ea4-451a-a703-a558b933e274"}'])
    queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/bookings"
    assert guest.aws.sqs_send_message(queue, "booked b-1") == "5fea7756-0ea4-451a-a703-a558b933e274"
    request = net.request
    assert (request.authority, request.path_with_query) == ("sqs.aws.internal", "/")
    assert ("X-Amz-Target", "AmazonSQS.SendMessage") in request.header_list
    assert ("Content-Type", "application/x-amz-json-1.0") in request.header_list
    assert json.loads(request.body_bytes) == {"QueueUrl": queue, "MessageBody": "booked b-1"}
    net.answer = FakeResponse(200, chunks=[b"{}"])
    with pytest.raises(guest.AwsError, match=r"^sqs SendMessage: 200: the answer has no MessageId$"):
        guest.aws.sqs_send_message(queue, "x")


# --- aws: errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, headers, body, code, message",
    [
        # the header wins over the body's __type; its text after ':' is dropped
        (
            400,
            [
                ("X-Amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazon.coral.service/"),
                ("x-amzn-RequestId", "Q1"),
            ],
            b'{"__type": "com.amazonaws.dynamodb.v20120810#Other", "message": "Requested resource not found"}',
            "ResourceNotFoundException",
            "Requested resource not found",
        ),
        (
            400,
            [("Content-Type", "application/x-amz-json-1.0")],
            b'{"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "Message": "The conditional request failed"}',
            "ConditionalCheckFailedException",
            "The conditional request failed",
        ),
        (400, [], b'{"__type": "ValidationException", "message": "1 validation error"}', "ValidationException", "1 validation error"),
        (
            400,
            [("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender")],
            b'{"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "The specified queue does not exist."}',
            "QueueDoesNotExist",
            "The specified queue does not exist.",
        ),
        (
            400,
            [("Content-Type", "text/xml")],
            b'<ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type>'
            b"<Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>No queue &lt;q&gt;</Message></Error></ErrorResponse>",
            "AWS.SimpleQueueService.NonExistentQueue",
            "No queue <q>",
        ),
        (403, [("x-amzn-errortype", "AccessDeniedException")], b"", "AccessDeniedException", None),
        (503, [], b"", None, None),
        (500, [], b"{not json", None, None),
        (502, [], b"Bad Gateway", None, None),
    ],
)
def test_aws_errors_are_read_from_the_header_json_or_xml(guest, net, status, headers, body, code, message):
    net.answer = FakeResponse(status, headers, [body] if body else [])
    with pytest.raises(guest.AwsError) as raised:
        guest.aws.dynamodb_put_item("t", {"id": {"S": "1"}})
    error = raised.value
    assert (error.status, error.code, error.message) == (status, code, message)
    assert error.request_id == dict((n.lower(), v) for n, v in headers).get("x-amzn-requestid")
    expected = f"dynamodb PutItem: {status}" + (f" {code}" if code else "") + (f": {message}" if message else "")
    assert str(error) == expected


def test_an_aws_error_can_be_built_from_any_response(guest):
    response = guest.Response("GET", "https://s3.aws.internal/b/k", 301, guest.Headers(), b"<Error><Code>PermanentRedirect</Code></Error>")
    error = guest.AwsError.of("s3", "GetObject", response)
    assert str(error) == "s3 GetObject: 301 PermanentRedirect" and error.request_id is None
    assert str(guest.AwsError("sqs", "SendMessage", 400, "X", "y")) == "sqs SendMessage: 400 X: y"


def test_non_2xx_is_an_aws_error_for_every_helper(guest, net):
    net.answer = FakeResponse(301, [("x-amzn-errortype", "PermanentRedirect")])
    for call, operation in [
        (lambda: guest.aws.s3_put_object("b", "k", "x"), "s3 PutObject"),
        (lambda: guest.aws.s3_get_object("b", "k"), "s3 GetObject"),
        (lambda: guest.aws.dynamodb_put_item("t", {}), "dynamodb PutItem"),
        (lambda: guest.aws.dynamodb_get_item("t", {}), "dynamodb GetItem"),
        (lambda: guest.aws.sqs_send_message("q", "m"), "sqs SendMessage"),
    ]:
        with pytest.raises(guest.AwsError) as raised:
            call()
        assert str(raised.value) == f"{operation}: 301 PermanentRedirect"


# --- the Python http-probe fixture ------------------------------------------------------------


@pytest.fixture
def probe(plugin):
    return plugin("tests/fixtures/python-http-probe/probe_activity.py").WitWorld()


def probe_task(input):
    return json.dumps({"activityId": "p-1", "activityType": {"name": "HttpProbe", "version": "1.0"}, "input": json.dumps(input)})


def failure(guest, raised):
    failed = raised.value.value
    assert isinstance(failed, guest.plugin_types.ActivityError_Failed)
    return failed.value.reason, failed.value.details


def test_probe_declarations(guest, probe):
    (decl,) = probe.describe()
    assert (decl.name, decl.version, decl.default_task_list, decl.default_task_start_to_close_timeout) == ("HttpProbe", "1.0", "probe", "60")
    assert (decl.default_task_heartbeat_timeout, decl.default_task_schedule_to_start_timeout, decl.default_task_schedule_to_close_timeout) == ("NONE",) * 3
    required = probe.requires()
    assert needs(required.outbound_hosts) == [
        ("*://*:*", False),
        ("https://s3.aws.internal", False),
        ("https://dynamodb.aws.internal", False),
        ("https://sqs.aws.internal", False),
    ]
    assert needs(required.config_keys) == [(k, False) for k in ("GREETING", "API_KEY", "DB_PASSWORD", "SSM_VALUE", "FILE_VALUE")]


def test_probe_request(guest, net, probe):
    net.answer = FakeResponse(200, [("Content-Type", "text/plain"), ("X-Multi", "1"), ("x-multi", "2")], [b"pong"])
    result = probe.execute(
        probe_task({"request": {"method": "POST", "url": "http://127.0.0.1:8099/echo", "headers": {"x-token": "t"}, "body": "ping"}})
    )
    assert json.loads(result) == {"status": 200, "headers": {"content-type": "text/plain", "x-multi": "1, 2"}, "body": "pong"}
    assert net.request.method == guest.http_types.Method_Post()
    assert net.request.body_bytes == b"ping"
    assert ("x-token", "t") in net.request.header_list

    net.answer = guest.http_types.ErrorCode_HttpRequestDenied()
    with pytest.raises(guest.Err) as raised:
        probe.execute(probe_task({"request": {"url": "https://denied.example.com/"}}))
    assert failure(guest, raised) == ("http-error", "GET https://denied.example.com:443: HTTP-request-denied")


def test_probe_config(guest, config_values, probe):
    config_values.update(GREETING="hello", API_KEY=None)
    result = probe.execute(probe_task({"config": ["GREETING", "API_KEY"]}))
    assert json.loads(result) == {"config": {"GREETING": "hello", "API_KEY": None}}
    config_values["DB_PASSWORD"] = guest.config_import.ConfigError_Unavailable("aws-sm:db")
    with pytest.raises(guest.Err) as raised:
        probe.execute(probe_task({"config": ["DB_PASSWORD"]}))
    assert failure(guest, raised) == ("config-error", "DB_PASSWORD: unavailable: aws-sm:db")
    with pytest.raises(guest.Err) as raised:
        probe.execute(probe_task({"config": ["NOPE"]}))
    assert failure(guest, raised) == ("config-error", "NOPE: undeclared")


@pytest.mark.parametrize(
    "input",
    [None, "not json", [1], {"read_file": "/x"}, {"request": {"method": "GET"}}, {"config": "GREETING"}, {"request": {"url": "ftp://x/"}}],
)
def test_probe_bad_input(guest, net, probe, input):
    task = json.dumps({"activityId": "p-1", "input": input if isinstance(input, str) or input is None else json.dumps(input)})
    with pytest.raises(guest.Err) as raised:
        probe.execute(task)
    assert failure(guest, raised)[0] == "bad-input"


def test_probe_s3(guest, net, probe):
    net.answer = FakeResponse(200, [("ETag", '"abc"')])
    assert json.loads(probe.execute(probe_task({"s3_put": {"bucket": "b", "key": "k 1", "body": "hi"}}))) == {"etag": '"abc"'}
    assert (net.request.authority, net.request.path_with_query, net.request.body_bytes) == ("s3.aws.internal", "/b/k%201", b"hi")
    net.sent.clear()
    net.answer = FakeResponse(200)
    assert json.loads(probe.execute(probe_task({"s3_put": {"bucket": "b", "key": "k", "body": ""}}))) == {"etag": None}
    net.sent.clear()
    net.answer = FakeResponse(200, chunks=["héllo".encode()])
    assert json.loads(probe.execute(probe_task({"s3_get": {"bucket": "b", "key": "k"}}))) == {"body": "héllo"}


def test_probe_dynamodb(guest, net, probe):
    item = {"id": {"S": "b-1"}}
    net.answer = FakeResponse(200, chunks=[b"{}"])
    assert json.loads(probe.execute(probe_task({"ddb_put": {"table": "t", "item": item}}))) == {"ok": True}
    assert json.loads(net.request.body_bytes) == {"TableName": "t", "Item": item}
    net.sent.clear()
    net.answer = FakeResponse(200, chunks=[json.dumps({"Item": item}).encode()])
    assert json.loads(probe.execute(probe_task({"ddb_get": {"table": "t", "key": item}}))) == {"item": item}
    net.sent.clear()
    net.answer = FakeResponse(200, chunks=[b"{}"])
    assert json.loads(probe.execute(probe_task({"ddb_get": {"table": "t", "key": item}}))) == {"item": None}


def test_probe_sqs(guest, net, probe):
    net.answer = FakeResponse(200, chunks=[b'{"MessageId": "m-1"}'])
    result = probe.execute(probe_task({"sqs_send": {"queue_url": "https://sqs.example/1/q", "body": "hello"}}))
    assert json.loads(result) == {"message_id": "m-1"}
    assert json.loads(net.request.body_bytes) == {"QueueUrl": "https://sqs.example/1/q", "MessageBody": "hello"}


def test_probe_raw_aws(guest, net, probe):
    net.answer = FakeResponse(404, [("Content-Type", "application/xml"), ("x-amz-request-id", "R")], [b"<Error/>"])
    spec = {"name": "s3", "method": "GET", "path": "/b/k", "query": {"versionId": "v 1"}, "headers": {"Range": "bytes=0-1"}}
    result = json.loads(probe.execute(probe_task({"aws": spec})))
    assert result == {"status": 404, "headers": {"content-type": "application/xml", "x-amz-request-id": "R"}, "body": "<Error/>"}
    assert net.request.path_with_query == "/b/k?versionId=v%201"
    assert ("Range", "bytes=0-1") in net.request.header_list
    net.sent.clear()
    net.answer = FakeResponse(200)
    probe.execute(probe_task({"aws": {"name": "sqs", "path": "/", "body": "{}"}}))
    assert net.request.method == guest.http_types.Method_Get()
    assert net.request.body_bytes == b"{}"


def test_probe_aws_failures(guest, net, probe):
    net.answer = FakeResponse(400, [("x-amzn-errortype", "ResourceNotFoundException")], [b'{"message": "Requested resource not found"}'])
    with pytest.raises(guest.Err) as raised:
        probe.execute(probe_task({"ddb_get": {"table": "missing", "key": {"id": {"S": "1"}}}}))
    assert failure(guest, raised) == ("aws-error", "dynamodb GetItem: 400 ResourceNotFoundException: Requested resource not found")
    net.answer = guest.http_types.ErrorCode_HttpRequestDenied()
    with pytest.raises(guest.Err) as raised:
        probe.execute(probe_task({"sqs_send": {"queue_url": "q", "body": "m"}}))
    assert failure(guest, raised) == ("http-error", "POST https://sqs.aws.internal:443: HTTP-request-denied")
    with pytest.raises(guest.Err) as raised:
        probe.execute(probe_task({"aws": {"name": "s3", "path": "/b", "body": "x"}}))
    assert failure(guest, raised) == ("http-error", "GET https://s3.aws.internal:443: HTTP-request-denied")


@pytest.mark.parametrize(
    "input",
    [
        {"s3_put": {"bucket": "b", "key": "k"}},
        {"s3_get": {"bucket": "b", "key": 3}},
        {"s3_get": "b/k"},
        {"ddb_put": {"table": "t", "item": [1]}},
        {"ddb_get": {"table": "t"}},
        {"sqs_send": {"queue_url": "q"}},
        {"aws": {"name": "s3"}},
        {"aws": {"name": "s3", "path": "no-slash"}},
        {"aws": {"name": "s3 3", "path": "/"}},
        {"aws": {"name": "s3", "path": "/", "query": "a=1"}},
        {"aws": {"name": "s3", "path": "/", "headers": ["a"]}},
    ],
)
def test_probe_bad_aws_input(guest, net, probe, input):
    with pytest.raises(guest.Err) as raised:
        probe.execute(probe_task(input))
    assert failure(guest, raised)[0] == "bad-input"
    assert net.sent == []
