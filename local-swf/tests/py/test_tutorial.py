"""Done-when 1: the seed tutorial's HelloWorld, through boto3, against local-swf.

The seed (boto2 layer2) registers domain `boto_tutorial`, activity type HelloWorld 1.0 and workflow
type HelloWorkflow 1.0, starts one execution on task list `default`, and runs HelloDecider and
HelloWorker until the workflow completes. Its recorded history has 11 events.
"""

from conftest import (
    HELLO_ACTIVITY,
    HELLO_DOMAIN,
    HELLO_TASKLIST,
    HELLO_VERSION,
    HELLO_WORKFLOW,
    attrs,
    describe,
    event_types,
    register_hello,
    run_hello,
)

SEED_EVENT_TYPES = [
    "WorkflowExecutionStarted",
    "DecisionTaskScheduled",
    "DecisionTaskStarted",
    "DecisionTaskCompleted",
    "ActivityTaskScheduled",
    "ActivityTaskStarted",
    "ActivityTaskCompleted",
    "DecisionTaskScheduled",
    "DecisionTaskStarted",
    "DecisionTaskCompleted",
    "WorkflowExecutionCompleted",
]


def test_hello_world_history_matches_seed(server, swf):
    register_hello(swf)
    execution, history = run_hello(server.endpoint, "HelloWorkflow-1.0-tutorial")

    assert event_types(history) == SEED_EVENT_TYPES
    assert [e["eventId"] for e in history] == list(range(1, 12))

    # Attributes as in the seed's printed history (ids link the events the same way).
    started = attrs(history[0])
    assert started["workflowType"] == {"name": HELLO_WORKFLOW, "version": HELLO_VERSION}
    assert started["taskList"] == {"name": HELLO_TASKLIST}
    assert started["childPolicy"] == "TERMINATE"
    assert started["executionStartToCloseTimeout"] == "3600"
    assert started["taskStartToCloseTimeout"] == "300"
    assert started["parentInitiatedEventId"] == 0

    assert attrs(history[1])["taskList"] == {"name": HELLO_TASKLIST}
    assert attrs(history[1])["startToCloseTimeout"] == "300"
    assert attrs(history[2])["scheduledEventId"] == 2
    assert attrs(history[2])["identity"] == "hello-decider"
    assert (attrs(history[3])["scheduledEventId"], attrs(history[3])["startedEventId"]) == (2, 3)

    scheduled = attrs(history[4])
    assert scheduled["activityId"] == "saying_hi"
    assert scheduled["activityType"] == {"name": HELLO_ACTIVITY, "version": HELLO_VERSION}
    assert scheduled["decisionTaskCompletedEventId"] == 4
    assert scheduled["taskList"] == {"name": HELLO_TASKLIST}
    # The activity type's registered defaults are resolved into the event.
    assert scheduled["heartbeatTimeout"] == "600"
    assert scheduled["scheduleToCloseTimeout"] == "3900"
    assert scheduled["scheduleToStartTimeout"] == "300"
    assert scheduled["startToCloseTimeout"] == "3600"

    assert attrs(history[5])["scheduledEventId"] == 5
    assert attrs(history[5])["identity"] == "hello-worker"
    assert (attrs(history[6])["scheduledEventId"], attrs(history[6])["startedEventId"]) == (5, 6)
    assert attrs(history[8])["scheduledEventId"] == 8
    assert (attrs(history[9])["scheduledEventId"], attrs(history[9])["startedEventId"]) == (8, 9)
    assert attrs(history[10])["decisionTaskCompletedEventId"] == 10

    # Timestamps are epoch seconds and never go backwards.
    stamps = [e["eventTimestamp"] for e in history]
    assert stamps == sorted(stamps)

    info = describe(swf, HELLO_DOMAIN, execution)["executionInfo"]
    assert info["executionStatus"] == "CLOSED"
    assert info["closeStatus"] == "COMPLETED"
