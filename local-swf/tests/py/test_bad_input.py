"""Done-when 6: malformed input and authentication, over raw SigV4-signed HTTP.

Each bad request gets a 4xx JSON error with the right `__type`; the legacy boto2 target and content
type are accepted; SigV4 is verified unless --no-verify-signature. A hypothesis run of a few
thousand random requests gets only 200s and 4xx JSON errors (never a 5xx, never a dropped
connection), and afterwards a normal workflow still runs on the same server.
"""

import json
import os
import re
import string
import tempfile
from http.client import HTTPException

import hypothesis.configuration
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import (
    AMZ_JSON,
    DOMAIN,
    call_raw,
    error_code,
    make_client,
    raw_post,
    register_domain,
    register_hello,
    run_hello,
    setup_env,
    sign,
)

# Hypothesis keeps caches in ./.hypothesis by default; keep the repository clean.
hypothesis.configuration.set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "local-swf-hypothesis"))


def assert_error(resp, code, statuses=(400,)):
    assert resp.status in statuses, (resp.status, resp.body[:300])
    assert resp.error_code == code, (resp.status, resp.body[:300])
    assert resp.message, "error without a message"


# --------------------------------------------------------------------------------------------
# Body problems
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    b'{"registrationStatus": ',  # truncated
    b"this is not json",
    b'{"registrationStatus": "REGISTERED",}',  # trailing comma
    b"\xff\xfe\x00garbage",  # not UTF-8
])
def test_malformed_json_is_a_serialization_exception(server, body):
    assert_error(call_raw(server.endpoint, "ListDomains", body), "SerializationException")


@pytest.mark.parametrize("action,body", [
    ("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": 1}),  # number for string
    ("DescribeDomain", {"name": 123}),
    ("ListDomains", {"registrationStatus": "REGISTERED", "maximumPageSize": "ten"}),  # string for integer
    ("ListDomains", {"registrationStatus": "REGISTERED", "reverseOrder": "yes"}),  # string for boolean
    ("StartWorkflowExecution", {"domain": "d", "workflowId": "w", "workflowType": "Wf"}),  # string for structure
    ("TagResource", {"resourceArn": "arn:aws:swf:us-east-1:1:/domain/d", "tags": {"key": "k"}}),  # object for list
    ("ListDomains", ["registrationStatus", "REGISTERED"]),  # array for the top-level object
])
def test_wrong_json_types_are_a_serialization_exception(server, action, body):
    assert_error(call_raw(server.endpoint, action, body), "SerializationException")


@pytest.mark.parametrize("action,body", [
    ("DescribeDomain", {}),
    ("RegisterDomain", {"name": "d"}),
    ("ListDomains", {}),
    ("StartWorkflowExecution", {"domain": "d", "workflowId": "w"}),
    ("StartWorkflowExecution", {"domain": "d", "workflowId": "w", "workflowType": {"name": "Wf"}}),  # nested
    ("RespondDecisionTaskCompleted", {}),
])
def test_missing_required_member_is_a_validation_exception(server, action, body):
    assert_error(call_raw(server.endpoint, action, body), "ValidationException")


@pytest.mark.parametrize("action,body", [
    ("ListDomains", {"registrationStatus": "registered"}),  # enums are case-sensitive
    ("RegisterDomain", {"name": "a:b", "workflowExecutionRetentionPeriodInDays": "1"}),  # no ':' in names
    ("RegisterDomain", {"name": "x" * 257, "workflowExecutionRetentionPeriodInDays": "1"}),  # too long
    ("RegisterDomain", {"name": "", "workflowExecutionRetentionPeriodInDays": "1"}),  # too short
    ("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "91"}),  # over 90 days
    ("ListDomains", {"registrationStatus": "REGISTERED", "maximumPageSize": 1001}),
    ("ListOpenWorkflowExecutions", {"domain": "d"}),  # startTimeFilter is required
    ("StartWorkflowExecution", {"domain": "d", "workflowId": "a/b", "workflowType": {"name": "W", "version": "1"}}),
    ("RecordActivityTaskHeartbeat", {"taskToken": "t", "details": "x" * 2049}),  # details ≤ 2,048
    ("TerminateWorkflowExecution", {"domain": "d", "workflowId": "w", "reason": "r" * 257}),
])
def test_constraint_violations_are_validation_exceptions(server, action, body):
    assert_error(call_raw(server.endpoint, action, body), "ValidationException")


def test_input_over_32768_chars_is_a_validation_exception(server):
    swf = server.client()
    register_domain(swf, DOMAIN)
    body = {"domain": DOMAIN, "workflowId": "w", "signalName": "s", "input": "x" * 32769}
    assert_error(call_raw(server.endpoint, "SignalWorkflowExecution", body), "ValidationException")


def test_body_over_one_megabyte_is_refused_with_a_clear_message(server):
    body = json.dumps({"domain": DOMAIN, "workflowId": "w", "signalName": "s", "input": "x" * (1024 * 1024 + 100)})
    headers, data = sign(server.endpoint, body, "SignalWorkflowExecution")
    try:
        resp = raw_post(server.endpoint, headers, data)
    except (OSError, HTTPException) as e:
        pytest.fail(f"oversized body: connection dropped instead of an error response ({e!r})")
    assert resp.status in (400, 413), (resp.status, resp.body[:300])
    message = resp.message if resp.body.startswith(b"{") else resp.body.decode(errors="replace")
    assert re.search(r"(?i)size|large|long|limit|exceed|bytes|MB", message), message
    assert server.running


def test_null_and_unknown_members_are_ignored(server):
    # SWF ignores JSON nulls in requests (they mean "absent"); unknown members are ignored too.
    resp = call_raw(server.endpoint, "ListDomains", {"registrationStatus": "REGISTERED", "maximumPageSize": None,
                                                     "nextPageToken": None, "someFutureMember": {"x": 1}})
    assert resp.status == 200, resp.body[:300]
    assert resp.json["domainInfos"] == []


def test_modeled_faults_on_the_wire(server):
    # HTTP 400 and the namespaced __type SWF uses; operations without output answer 200, no JSON needed.
    resp = call_raw(server.endpoint, "DescribeDomain", {"name": "nope"})
    assert resp.status == 400
    assert resp.json["__type"] == "com.amazonaws.swf.base.model#UnknownResourceFault"
    assert resp.message
    resp = call_raw(server.endpoint, "RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "1"})
    assert resp.status == 200
    assert resp.body.strip() in (b"", b"{}")
    assert resp.headers.get("x-amzn-requestid")
    resp = call_raw(server.endpoint, "RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "1"})
    assert (resp.status, resp.json["__type"]) == (400, "com.amazonaws.swf.base.model#DomainAlreadyExistsFault")


# --------------------------------------------------------------------------------------------
# Targets and content types
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["SimpleWorkflowService.FlyToTheMoon", "SimpleWorkflowService.",
                                    "DynamoDB_20120810.ListTables"])
def test_unknown_action_is_an_unknown_operation_exception(server, target):
    assert_error(call_raw(server.endpoint, None, {}, target=target), "UnknownOperationException")


def test_legacy_target_and_content_type_are_accepted(server):
    legacy = "com.amazonaws.swf.service.model.SimpleWorkflowService."
    old_type = "application/json; charset=UTF-8"
    resp = call_raw(server.endpoint, None, {"name": "legacy", "workflowExecutionRetentionPeriodInDays": "1"},
                    target=legacy + "RegisterDomain", content_type=old_type)
    assert resp.status == 200, resp.body[:300]
    resp = call_raw(server.endpoint, None, {"registrationStatus": "REGISTERED"},
                    target=legacy + "ListDomains", content_type=old_type)
    assert resp.status == 200, resp.body[:300]
    assert [d["name"] for d in resp.json["domainInfos"]] == ["legacy"]
    # Current SDK spelling on the same server.
    resp = call_raw(server.endpoint, "ListDomains", {"registrationStatus": "REGISTERED"})
    assert resp.status == 200 and resp.json["domainInfos"][0]["name"] == "legacy"
    assert resp.headers.get("x-amzn-requestid")


# --------------------------------------------------------------------------------------------
# Signatures
# --------------------------------------------------------------------------------------------


def test_wrong_secret_is_an_invalid_signature(server):
    with pytest.raises(ClientError) as e:
        make_client(server.endpoint, secret_key="not-the-secret").list_domains(registrationStatus="REGISTERED")
    assert error_code(e.value) == "InvalidSignatureException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_tampered_body_is_an_invalid_signature(server):
    headers, data = sign(server.endpoint, '{"registrationStatus": "REGISTERED"}', "ListDomains")
    tampered = data.replace(b"REGISTERED", b"DEPRECATED")  # same length, different bytes
    assert_error(raw_post(server.endpoint, headers, tampered), "InvalidSignatureException", (400, 403))


def test_unknown_access_key_is_unrecognized(server):
    with pytest.raises(ClientError) as e:
        make_client(server.endpoint, access_key="AKIDUNKNOWN", secret_key="local").list_domains(
            registrationStatus="REGISTERED")
    assert error_code(e.value) == "UnrecognizedClientException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_unsigned_request_is_refused(server):
    resp = raw_post(server.endpoint, {"Content-Type": AMZ_JSON, "X-Amz-Target": "SimpleWorkflowService.ListDomains"},
                    b'{"registrationStatus": "REGISTERED"}')
    assert resp.status in (400, 403), resp.status
    assert resp.error_code in ("MissingAuthenticationToken", "MissingAuthenticationTokenException",
                               "IncompleteSignature", "IncompleteSignatureException"), resp.body[:300]


def test_configured_credentials(server_factory):
    server = server_factory("--access-key-id", "AK", "--secret-access-key", "SK")
    assert make_client(server.endpoint, "AK", "SK").list_domains(registrationStatus="REGISTERED")["domainInfos"] == []
    with pytest.raises(ClientError) as e:
        make_client(server.endpoint).list_domains(registrationStatus="REGISTERED")  # local/local
    assert error_code(e.value) == "UnrecognizedClientException"
    with pytest.raises(ClientError) as e:
        make_client(server.endpoint, "AK", "local").list_domains(registrationStatus="REGISTERED")
    assert error_code(e.value) == "InvalidSignatureException"


def test_no_verify_signature_accepts_a_wrong_secret(server_factory):
    server = server_factory("--no-verify-signature")
    swf = make_client(server.endpoint, secret_key="not-the-secret")
    swf.register_domain(name="anything-goes", workflowExecutionRetentionPeriodInDays="1")
    assert [d["name"] for d in swf.list_domains(registrationStatus="REGISTERED")["domainInfos"]] == ["anything-goes"]


# --------------------------------------------------------------------------------------------
# Random input: the server answers everything and stays consistent
# --------------------------------------------------------------------------------------------

OPERATIONS = sorted(make_client("http://127.0.0.1:9").meta.service_model.operation_names)
MEMBERS = ["domain", "name", "version", "taskList", "workflowId", "runId", "taskToken", "decisions",
           "registrationStatus", "maximumPageSize", "nextPageToken", "reverseOrder", "startTimeFilter",
           "closeTimeFilter", "execution", "workflowType", "activityType", "signalName", "input", "tags",
           "tagKeys", "resourceArn", "workflowExecutionRetentionPeriodInDays", "identity", "details", "reason",
           "executionFilter", "typeFilter", "tagFilter", "closeStatusFilter", "childPolicy", "tagList"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**64) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20) | st.sampled_from(["REGISTERED", "DEPRECATED", "NONE", "0", "1", DOMAIN, "TERMINATE"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(MEMBERS + ["decisionType", "timerId", "oldestDate", "key", "value"]) | st.text(max_size=8),
                      children, max_size=4),
    max_leaves=12,
)
member_bodies = st.dictionaries(st.sampled_from(MEMBERS), json_values, max_size=6).map(json.dumps)
bodies = st.one_of(
    member_bodies.map(str.encode),
    json_values.map(json.dumps).map(str.encode),
    member_bodies.flatmap(lambda s: st.integers(0, len(s)).map(lambda n: s[:n].encode())),  # truncated JSON
    st.binary(max_size=200),
)
header_text = st.text(alphabet=string.ascii_letters + string.digits + "._-", max_size=40)
random_requests = st.fixed_dictionaries({
    "action": st.one_of(st.sampled_from(OPERATIONS), header_text),
    "prefix": st.sampled_from(["SimpleWorkflowService.", "SimpleWorkflowService.",
                               "com.amazonaws.swf.service.model.SimpleWorkflowService.", "", "Other."]),
    "content_type": st.sampled_from([AMZ_JSON, AMZ_JSON, "application/json; charset=UTF-8", "text/plain"]),
    "auth": st.sampled_from(["good", "good", "good", "good", "wrong-secret", "none"]),
    "body": bodies,
})

# Near-valid requests reach past parsing into the handlers: a valid body for the action (on the
# fuzz domain, which exists), then up to two mutations (drop, replace or add a member).
ident = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=12)
FUZZ_WF = {"name": "Wf", "version": "1.0"}
TEMPLATES = {
    "ListDomains": lambda i: {"registrationStatus": "REGISTERED"},
    "DescribeDomain": lambda i: {"name": DOMAIN},
    "RegisterDomain": lambda i: {"name": i, "workflowExecutionRetentionPeriodInDays": "1"},
    "ListWorkflowTypes": lambda i: {"domain": DOMAIN, "registrationStatus": "REGISTERED"},
    "DescribeWorkflowType": lambda i: {"domain": DOMAIN, "workflowType": FUZZ_WF},
    "RegisterActivityType": lambda i: {"domain": DOMAIN, "name": i, "version": "1"},
    "StartWorkflowExecution": lambda i: {"domain": DOMAIN, "workflowId": i, "workflowType": FUZZ_WF,
                                         "taskList": {"name": "fuzz"}, "input": i},
    "SignalWorkflowExecution": lambda i: {"domain": DOMAIN, "workflowId": i, "signalName": "s"},
    "RequestCancelWorkflowExecution": lambda i: {"domain": DOMAIN, "workflowId": i},
    "TerminateWorkflowExecution": lambda i: {"domain": DOMAIN, "workflowId": i},
    "DescribeWorkflowExecution": lambda i: {"domain": DOMAIN, "execution": {"workflowId": i, "runId": i}},
    "GetWorkflowExecutionHistory": lambda i: {"domain": DOMAIN, "execution": {"workflowId": i, "runId": i}},
    "ListOpenWorkflowExecutions": lambda i: {"domain": DOMAIN, "startTimeFilter": {"oldestDate": 0}},
    "CountOpenWorkflowExecutions": lambda i: {"domain": DOMAIN, "startTimeFilter": {"oldestDate": 0}},
    "ListClosedWorkflowExecutions": lambda i: {"domain": DOMAIN, "closeTimeFilter": {"oldestDate": 0}},
    "CountPendingDecisionTasks": lambda i: {"domain": DOMAIN, "taskList": {"name": "fuzz"}},
    "RespondDecisionTaskCompleted": lambda i: {"taskToken": i},
    "RespondActivityTaskCompleted": lambda i: {"taskToken": i, "result": i},
    "RecordActivityTaskHeartbeat": lambda i: {"taskToken": i},
    "ListTagsForResource": lambda i: {"resourceArn": f"arn:aws:swf:us-east-1:000000000000:/domain/{i}"},
}
DECISION_TYPES = ["ScheduleActivityTask", "RequestCancelActivityTask", "CompleteWorkflowExecution",
                  "FailWorkflowExecution", "CancelWorkflowExecution", "ContinueAsNewWorkflowExecution",
                  "RecordMarker", "StartTimer", "CancelTimer", "SignalExternalWorkflowExecution",
                  "RequestCancelExternalWorkflowExecution", "StartChildWorkflowExecution",
                  "ScheduleLambdaFunction", "Bogus"]
DECISION_MEMBERS = ["activityId", "activityType", "timerId", "startToFireTimeout", "markerName", "workflowId",
                    "signalName", "workflowType", "id", "name", "input", "details", "reason", "result", "taskList"]
decision_lists = st.lists(
    st.sampled_from(DECISION_TYPES).flatmap(lambda t: st.dictionaries(
        st.sampled_from(DECISION_MEMBERS), json_values | ident, max_size=4).map(
        lambda a: {"decisionType": t, t[:1].lower() + t[1:] + "DecisionAttributes": a})),
    max_size=4)


@st.composite
def near_valid_requests(draw):
    action = draw(st.sampled_from(sorted(TEMPLATES)))
    body = TEMPLATES[action](draw(ident))
    if action == "RespondDecisionTaskCompleted":
        body["decisions"] = draw(decision_lists)
    for _ in range(draw(st.integers(0, 2))):
        kind, keys = draw(st.sampled_from(["drop", "replace", "add"])), sorted(body)
        if kind == "drop" and keys:
            body.pop(draw(st.sampled_from(keys)))
        elif kind == "replace" and keys:
            body[draw(st.sampled_from(keys))] = draw(json_values)
        else:
            body[draw(st.sampled_from(MEMBERS))] = draw(json_values)
    return {"action": action, "prefix": "SimpleWorkflowService.", "content_type": AMZ_JSON, "auth": "good",
            "body": json.dumps(body).encode()}


requests = st.one_of(random_requests, near_valid_requests())


def test_random_requests_never_break_the_server(server_factory):
    server = server_factory(poll_hold_secs=1)  # a random valid poll costs at most 1 s
    setup_env(server)  # DOMAIN with workflow type Wf 1.0, for the near-valid requests
    statuses = {}

    @settings(max_examples=2500, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(req=requests)
    def one_request(req):
        target = req["prefix"] + req["action"]
        if req["auth"] == "none":
            headers, data = {"Content-Type": req["content_type"], "X-Amz-Target": target}, req["body"]
        else:
            secret = "local" if req["auth"] == "good" else "wrong"
            headers, data = sign(server.endpoint, req["body"], target=target, content_type=req["content_type"],
                                 secret_key=secret)
        try:
            resp = raw_post(server.endpoint, headers, data, timeout=30)
        except (OSError, HTTPException) as e:
            raise AssertionError(f"connection dropped for {req!r}: {e!r}")
        statuses[resp.status] = statuses.get(resp.status, 0) + 1
        assert resp.status < 500, (req, resp.status, resp.body[:300])
        if resp.status == 200:
            assert resp.body == b"" or isinstance(json.loads(resp.body), dict), (req, resp.body[:300])
        else:
            assert 400 <= resp.status < 500, (req, resp.status)
            doc = json.loads(resp.body)
            assert isinstance(doc, dict) and isinstance(doc.get("__type"), str), (req, resp.body[:300])

    one_request()
    print(f"status counts: {statuses}")
    assert sum(statuses.values()) >= 2000
    assert statuses.get(200, 0) >= 100, "hardly any request got past validation; the fuzz is too shallow"
    assert server.running

    # The same server still runs the tutorial end to end.
    register_hello(server.client())
    _, history = run_hello(server.endpoint, "after-fuzz")
    assert len(history) == 11 and history[-1]["eventType"] == "WorkflowExecutionCompleted"
