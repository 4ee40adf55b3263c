"""The seed's airline booking as a workflow, in Python (the Rust plugins/booking-decider, step for
step, so either replays the other's histories): select an itinerary, submit the traveller's
details, validate the payment (retried with backoff), confirm the booking. When payment for an
itinerary keeps failing, go back and select another one, without the rejected option; after
three itineraries, give up. The traveller may cancel while the payment is pending.

Inputs are written as the Rust side's ``json!`` values are (keys sorted), so both ask for the
same activities with the same inputs under the same ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

from swfwasm_flow import ActivityFailure, Step, Workflow, flow_decider, workflow
from swfwasm_guest import workflow_type

PAYMENT_ATTEMPTS = 3
"""Payment attempts per itinerary."""
ITINERARIES_TRIED = 3
"""Itineraries tried before the booking fails."""
V = "1.0"
"""The version of every booking activity."""


@dataclass
class Trip:
    """The workflow input: who travels, the options, and (for the fake payment service) how
    payments go."""

    traveller: str
    """The traveller's name."""
    itineraries: List[str]
    """Itineraries in order of preference."""
    declines: Dict[str, int] = field(default_factory=dict)
    """How many payment attempts are declined, per itinerary."""
    payment_seconds: int = 0
    """How long each payment takes, in seconds."""

    @classmethod
    def read(cls, value: Any) -> "Trip":
        """The trip in the workflow input (parsed JSON); ``ValueError`` says what is wrong."""
        if not isinstance(value, dict):
            raise ValueError(f"invalid type: {_json_kind(value)}, expected struct Trip")
        for name in ("traveller", "itineraries"):
            if name not in value:
                raise ValueError(f"missing field `{name}`")
        traveller, itineraries = value["traveller"], value["itineraries"]
        declines, seconds = value.get("declines", {}), value.get("payment_seconds", 0)
        if not isinstance(traveller, str):
            raise ValueError(f"invalid type: {_json_kind(traveller)}, expected a string")
        if not isinstance(itineraries, list) or not all(isinstance(i, str) for i in itineraries):
            raise ValueError("invalid type: itineraries, expected a sequence of strings")
        if not isinstance(declines, dict) or not all(_count(n) for n in declines.values()):
            raise ValueError("invalid type: declines, expected a map of counts")
        if not _count(seconds):
            raise ValueError(f"invalid type: {_json_kind(seconds)}, expected u64")
        return cls(traveller, itineraries, declines, seconds)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean `{str(value).lower()}`"
    if isinstance(value, (int, float)):
        return f"number `{value}`"
    if isinstance(value, str):
        return f"string {value!r}"
    return "sequence" if isinstance(value, list) else "map"


@dataclass
class Paid:
    receipt: str


@dataclass
class Declined:
    failure: ActivityFailure


class CanceledByTraveller:
    pass


Payment = Union[Paid, Declined, CanceledByTraveller]
"""How paying for one itinerary ended."""


async def text(step: Step) -> str:
    """The string an activity returns (a result of another JSON type reads as unreadable, as
    Rust's ``run::<String>()`` has it)."""
    value = await step
    if not isinstance(value, str):
        raise ActivityFailure("bad_result", activity_id=step.id, problem=f"invalid type: {_json_kind(value)}, expected a string")
    return value


async def book_trip(wf: Workflow, trip_input: Any) -> Any:
    """BookTrip: the business process, step by step."""
    try:
        trip = Trip.read(trip_input)
    except ValueError as error:
        return wf.fail("unreadable trip", str(error))
    rejected: List[str] = []
    itinerary = await select_itinerary(wf, trip, rejected)
    if itinerary is None:
        return wf.fail("no itinerary available", ", ".join(trip.itineraries))
    try:
        await text(wf.activity("SubmitDetails", V, input=trip.traveller))
    except ActivityFailure as refused:
        return wf.fail("personal details refused", str(refused))
    while True:
        match await pay(wf, trip, itinerary):
            case Paid(receipt):
                confirmation = {"itinerary": itinerary, "receipt": receipt}
                try:
                    return await text(wf.activity("ConfirmBooking", V, input=confirmation))
                except ActivityFailure as failure:
                    return wf.fail("booking not confirmed", str(failure))
            case CanceledByTraveller():
                return wf.cancel(f"canceled by the traveller while paying for {itinerary}")
            case Declined(failure):
                rejected.append(itinerary)
                other = await select_itinerary(wf, trip, rejected) if len(rejected) < ITINERARIES_TRIED else None
                if other is None:
                    return wf.fail(
                        "payment declined for every itinerary tried",
                        f"{', '.join(rejected)} (last: {failure})",
                    )
                itinerary = other


async def select_itinerary(wf: Workflow, trip: Trip, rejected: List[str]) -> Optional[str]:
    """The preferred itinerary that was not rejected yet, if any."""
    selection = {"itineraries": trip.itineraries, "exclude": rejected}
    try:
        return await text(wf.activity("SelectItinerary", V, input=selection))
    except ActivityFailure:
        return None


async def pay(wf: Workflow, trip: Trip, itinerary: str) -> Payment:
    """Pays for ``itinerary`` (with retries), unless the traveller cancels first."""
    request = {
        "itinerary": itinerary,
        "declines": trip.declines.get(itinerary, 0),
        "seconds": trip.payment_seconds,
    }

    async def validate() -> Payment:
        try:
            return Paid(await text(wf.activity("ValidatePayment", V, input=request, retry=PAYMENT_ATTEMPTS)))
        except ActivityFailure as failure:
            return Declined(failure)

    async def cancel() -> Payment:
        await wf.signal("cancel")
        return CanceledByTraveller()

    return await wf.race(validate(), cancel())


WitWorld = flow_decider(
    workflow(
        workflow_type(
            "BookTrip",
            "1.0",
            description="select itinerary, submit details, validate payment, confirm booking",
            default_task_list="booking",
            default_execution_start_to_close_timeout="3600",
            default_task_start_to_close_timeout="60",
            default_child_policy="TERMINATE",
        ),
        book_trip,
    )
)
