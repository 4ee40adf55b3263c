"""Unit tests of the Python BookTrip (plugins/python-booking), mirroring the Rust unit tests of
plugins/booking-decider, and of the changed fixture (tests/fixtures/python-changed-booking) that
must fail old booking histories with a non-determinism error."""

import importlib
import json
import sys

import pytest

V = "1.0"
TWO = ["LHR-JFK", "LHR-BOS"]


@pytest.fixture(scope="session")
def flow(guest):
    module = importlib.import_module("swfwasm_flow")
    yield module
    sys.modules.pop("swfwasm_flow", None)


@pytest.fixture
def booking(plugin, flow):
    return plugin("plugins/python-booking/booking_decider.py")


def attributes(decision):
    return next(v for k, v in decision.items() if k.endswith("DecisionAttributes"))


def scheduled(decisions):
    return [
        (attributes(d)["activityId"], attributes(d).get("input"))
        for d in decisions
        if d["decisionType"] == "ScheduleActivityTask"
    ]


def only(decisions):
    assert len(decisions) == 1, decisions
    return decisions[0]["decisionType"], attributes(decisions[0])


def trip(flow, itineraries=TWO, **more):
    # As Rust's `json!(...).to_string()` writes it: keys sorted.
    return flow.History.started(
        flow.canonical_json({"traveller": "Ada", "itineraries": itineraries, **more}), workflow_type=("BookTrip", V)
    )


def complete(h, activity_id, result):
    s = h.scheduled(activity_id, activity_id.split("-")[0], V)
    h.finished(s, "ActivityTaskCompleted", {"result": json.dumps(result)})


def selected_and_submitted(flow, itinerary="LHR-JFK", **more):
    h = trip(flow, **more)
    complete(h, "SelectItinerary-1", itinerary)
    complete(h, "SubmitDetails-1", "ok")
    return h


def decline(h, payment, attempts=3):
    """Every attempt of ValidatePayment-<payment> fails, with the backoff timers between."""
    for attempt in range(1, attempts + 1):
        s = h.scheduled(f"ValidatePayment-{payment}.{attempt}", "ValidatePayment", V)
        h.finished(s, "ActivityTaskFailed", {"reason": "payment declined"})
        if attempt < attempts:
            h.timer_fired(f"ValidatePayment-{payment}.{attempt}.retry")


# The Rust unit tests ----------------------------------------------------------------------------


def test_the_first_step_selects_an_itinerary(flow, booking):
    assert scheduled(flow.decide(booking.book_trip, trip(flow))) == [
        ("SelectItinerary-1", '{"exclude":[],"itineraries":["LHR-JFK","LHR-BOS"]}')
    ]


def test_a_payment_that_keeps_failing_goes_back_to_itinerary_selection_without_it(flow, booking):
    h = selected_and_submitted(flow)
    decline(h, 1)
    decisions = flow.decide(booking.book_trip, h)
    assert scheduled(decisions) == [("SelectItinerary-2", '{"exclude":["LHR-JFK"],"itineraries":["LHR-JFK","LHR-BOS"]}')], decisions


def test_a_cancel_signal_during_payment_cancels_the_booking(flow, booking):
    h = selected_and_submitted(flow)
    h.scheduled("ValidatePayment-1.1", "ValidatePayment", V)
    h.decision_task()
    assert flow.decide(booking.book_trip, h) == [], "waiting for the payment"
    h.signaled("cancel", None)
    assert only(flow.decide(booking.book_trip, h)) == (
        "CancelWorkflowExecution",
        {"details": "canceled by the traveller while paying for LHR-JFK"},
    )


# The rest of the workflow -----------------------------------------------------------------------


def test_the_happy_path_asks_for_each_step_with_rusts_inputs(flow, booking):
    h = trip(flow, declines={"LHR-JFK": 1}, payment_seconds=2)
    complete(h, "SelectItinerary-1", "LHR-JFK")
    assert scheduled(flow.decide(booking.book_trip, h)) == [("SubmitDetails-1", '"Ada"')]
    complete(h, "SubmitDetails-1", "details of Ada")
    assert scheduled(flow.decide(booking.book_trip, h)) == [
        ("ValidatePayment-1.1", '{"declines":1,"itinerary":"LHR-JFK","seconds":2}')
    ]
    complete(h, "ValidatePayment-1.1", "receipt-7")
    assert scheduled(flow.decide(booking.book_trip, h)) == [("ConfirmBooking-1", '{"itinerary":"LHR-JFK","receipt":"receipt-7"}')]
    complete(h, "ConfirmBooking-1", "booked LHR-JFK")
    assert only(flow.decide(booking.book_trip, h)) == ("CompleteWorkflowExecution", {"result": "booked LHR-JFK"})


def test_payment_declined_for_every_itinerary_tried(flow, booking):
    h = selected_and_submitted(flow, itineraries=["LHR-JFK", "LHR-BOS", "LHR-ORD", "LHR-SFO"])
    decline(h, 1)
    complete(h, "SelectItinerary-2", "LHR-BOS")
    decline(h, 2)
    complete(h, "SelectItinerary-3", "LHR-ORD")
    decline(h, 3)
    assert only(flow.decide(booking.book_trip, h)) == (
        "FailWorkflowExecution",
        {
            "reason": "payment declined for every itinerary tried",
            "details": "LHR-JFK, LHR-BOS, LHR-ORD (last: failed: payment declined)",
        },
    )


def test_no_itinerary_left(flow, booking):
    h = selected_and_submitted(flow)
    decline(h, 1)
    s = h.scheduled("SelectItinerary-2", "SelectItinerary", V)
    h.finished(s, "ActivityTaskFailed", {"reason": "none left"})
    assert only(flow.decide(booking.book_trip, h)) == (
        "FailWorkflowExecution",
        {"reason": "payment declined for every itinerary tried", "details": "LHR-JFK (last: failed: payment declined)"},
    )
    h = trip(flow)
    s = h.scheduled("SelectItinerary-1", "SelectItinerary", V)
    h.finished(s, "ActivityTaskFailed", {"reason": "sold out"})
    assert only(flow.decide(booking.book_trip, h)) == (
        "FailWorkflowExecution",
        {"reason": "no itinerary available", "details": "LHR-JFK, LHR-BOS"},
    )


def test_refused_details_and_an_unconfirmed_booking_fail_with_the_failures_message(flow, booking):
    h = trip(flow)
    complete(h, "SelectItinerary-1", "LHR-JFK")
    s = h.scheduled("SubmitDetails-1", "SubmitDetails", V)
    h.finished(s, "ActivityTaskFailed", {"reason": "passport expired", "details": "2019"})
    assert only(flow.decide(booking.book_trip, h)) == (
        "FailWorkflowExecution",
        {"reason": "personal details refused", "details": "failed: passport expired (2019)"},
    )
    h = selected_and_submitted(flow)
    complete(h, "ValidatePayment-1.1", "r")
    s = h.scheduled("ConfirmBooking-1", "ConfirmBooking", V)
    h.finished(s, "ActivityTaskTimedOut", {"timeoutType": "START_TO_CLOSE"})
    assert only(flow.decide(booking.book_trip, h)) == (
        "FailWorkflowExecution",
        {"reason": "booking not confirmed", "details": "timed out (START_TO_CLOSE)"},
    )


def test_an_unreadable_trip_fails_the_booking(flow, booking):
    h = flow.History.started('{"itineraries":[]}')
    kind, attrs = only(flow.decide(booking.book_trip, h))
    assert (kind, attrs["reason"]) == ("FailWorkflowExecution", "unreadable trip")
    assert "traveller" in attrs["details"]


def test_the_payment_that_came_first_wins_over_a_later_cancel(flow, booking):
    h = selected_and_submitted(flow)
    complete(h, "ValidatePayment-1.1", "r")
    h.signaled("cancel", None)
    assert scheduled(flow.decide(booking.book_trip, h)) == [("ConfirmBooking-1", '{"itinerary":"LHR-JFK","receipt":"r"}')]


def test_the_decider_declares_booktrip_and_decides_its_tasks(flow, booking, guest):
    (declaration,) = booking.WitWorld().describe()
    assert declaration == guest.workflow_type(
        "BookTrip",
        "1.0",
        description="select itinerary, submit details, validate payment, confirm booking",
        default_task_list="booking",
        default_execution_start_to_close_timeout="3600",
        default_task_start_to_close_timeout="60",
        default_child_policy="TERMINATE",
    )
    answer = json.loads(booking.WitWorld().decide(trip(flow).task()))
    assert scheduled(answer["decisions"]) == [("SelectItinerary-1", '{"exclude":[],"itineraries":["LHR-JFK","LHR-BOS"]}')]


# The changed fixture ----------------------------------------------------------------------------


@pytest.fixture
def changed(plugin, flow):
    return plugin("tests/fixtures/python-changed-booking/changed_booking_decider.py")


def test_the_changed_booking_fails_old_histories_with_non_determinism(flow, changed, guest):
    h = trip(flow)
    complete(h, "SelectItinerary-1", "LHR-JFK")  # ActivityTaskScheduled is event 5
    expected = (
        "non-determinism at event 5: the history has activity SelectItinerary 1.0 (SelectItinerary-1), "
        "the code asks for activity SubmitDetails 1.0 (SubmitDetails-1)"
    )
    with pytest.raises(flow.NonDeterminismError) as raised:
        flow.decide(changed.WitWorld, h)
    assert str(raised.value) == expected
    with pytest.raises(guest.Err) as raised:
        changed.WitWorld().decide(h.task())
    assert raised.value.value == expected

    # At the end of the run both of its steps are in the history, the payment is not asked for
    complete(h, "SubmitDetails-1", "details of Ada")
    complete(h, "ValidatePayment-1.1", "r")  # ActivityTaskScheduled is event 17
    complete(h, "ConfirmBooking-1", "booked")
    with pytest.raises(flow.NonDeterminismError) as raised:
        flow.decide(changed.WitWorld, h)
    assert str(raised.value) == (
        "non-determinism at event 17: the history has activity ValidatePayment 1.0 (ValidatePayment-1.1), "
        "the code does not ask for it"
    )


def test_the_changed_booking_decides_a_new_run(flow, changed):
    h = trip(flow)
    assert scheduled(flow.decide(changed.changed_book_trip, h)) == [
        ("SubmitDetails-1", '"Ada"')
    ]
    complete(h, "SubmitDetails-1", "ok")
    assert scheduled(flow.decide(changed.WitWorld, h)) == [
        ("SelectItinerary-1", '{"exclude":[],"itineraries":["LHR-JFK","LHR-BOS"]}')
    ]
