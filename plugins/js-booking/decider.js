// The seed's airline booking (BookTrip) in JavaScript with the flow API: the same workflow as
// plugins/booking-decider (Rust), step for step, so both write the same history (FLOW.md).
// Select an itinerary, submit the traveller's details, validate the payment (retried with
// backoff), confirm the booking. When payment for an itinerary keeps failing, select another
// one without it; after three itineraries, give up. The traveller may cancel while paying.

import { flowDecider, workflow } from '../../guest-sdk/js/flow.js';
import { workflowType } from '../../guest-sdk/js/swfwasm-guest.js';

/** Payment attempts per itinerary. */
const PAYMENT_ATTEMPTS = 3;
/** Itineraries tried before the booking fails. */
const ITINERARIES_TRIED = 3;
/** The version of every booking activity. */
const V = '1.0';

/** BookTrip: the business process, step by step. */
export async function bookTrip(wf, trip) {
  if (trip === null || typeof trip !== 'object' || !Array.isArray(trip.itineraries)) {
    return wf.fail('unreadable trip', `expected {traveller, itineraries: [...]}, got ${wf.rawInput}`);
  }
  const rejected = [];
  let itinerary = await selectItinerary(wf, trip, rejected);
  if (itinerary === undefined) {
    return wf.fail('no itinerary available', trip.itineraries.join(', '));
  }
  try {
    await wf.activity('SubmitDetails', V, { input: trip.traveller });
  } catch (refused) {
    return wf.fail('personal details refused', refused.message);
  }
  for (;;) {
    const payment = await pay(wf, trip, itinerary);
    if (payment.paid !== undefined) {
      try {
        return await wf.activity('ConfirmBooking', V, { input: { itinerary, receipt: payment.paid } });
      } catch (failure) {
        return wf.fail('booking not confirmed', failure.message);
      }
    }
    if (payment.canceled) {
      return wf.cancel(`canceled by the traveller while paying for ${itinerary}`);
    }
    rejected.push(itinerary);
    const next = rejected.length < ITINERARIES_TRIED ? await selectItinerary(wf, trip, rejected) : undefined;
    if (next === undefined) {
      return wf.fail(
        'payment declined for every itinerary tried',
        `${rejected.join(', ')} (last: ${payment.declined.message})`,
      );
    }
    itinerary = next;
  }
}

/** The preferred itinerary that was not rejected yet, if any. */
async function selectItinerary(wf, trip, rejected) {
  try {
    return await wf.activity('SelectItinerary', V, { input: { itineraries: trip.itineraries, exclude: rejected } });
  } catch {
    return undefined;
  }
}

/** Pays for `itinerary` (with retries), unless the traveller cancels first. */
function pay(wf, trip, itinerary) {
  const request = { itinerary, declines: trip.declines?.[itinerary] ?? 0, seconds: trip.payment_seconds ?? 0 };
  return Promise.race([
    wf.activity('ValidatePayment', V, { input: request, retry: PAYMENT_ATTEMPTS }).then(
      (receipt) => ({ paid: receipt }),
      (declined) => ({ declined }),
    ),
    wf.signal('cancel').then(() => ({ canceled: true })),
  ]);
}

export const { describe, decide } = flowDecider(
  workflow(
    workflowType('BookTrip', '1.0', {
      description: 'select itinerary, submit details, validate payment, confirm booking',
      defaultTaskList: 'booking',
      defaultExecutionStartToCloseTimeout: '3600',
      defaultTaskStartToCloseTimeout: '60',
      defaultChildPolicy: 'TERMINATE',
    }),
    bookTrip,
  ),
);
