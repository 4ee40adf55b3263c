//! The seed's airline booking as a workflow: select an itinerary, submit the traveller's
//! details, validate the payment (retried with backoff), confirm the booking. When payment for
//! an itinerary keeps failing, go back and select another one, without the rejected option;
//! after three itineraries, give up. The traveller may cancel while the payment is pending.

use serde::{Deserialize, Serialize};
use swfwasm_guest::flow::{ActivityFailure, Ending, RetryPolicy, Step, Workflow};
use swfwasm_guest::prelude::*;

/// Payment attempts per itinerary.
const PAYMENT_ATTEMPTS: u32 = 3;
/// Itineraries tried before the booking fails.
const ITINERARIES_TRIED: usize = 3;
/// The version of every booking activity.
const V: &str = "1.0";

/// The workflow input: who travels, the options, and (for the fake payment service) how
/// payments go.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct Trip {
    /// The traveller's name.
    pub traveller: String,
    /// Itineraries in order of preference.
    pub itineraries: Vec<String>,
    /// How many payment attempts are declined, per itinerary.
    #[serde(default)]
    pub declines: std::collections::BTreeMap<String, u32>,
    /// How long each payment takes, in seconds.
    #[serde(default)]
    pub payment_seconds: u64,
}

/// How paying for one itinerary ended.
enum Payment {
    Paid(String),
    Declined(ActivityFailure),
    CanceledByTraveller,
}

/// BookTrip: the business process, step by step.
pub fn book_trip(wf: &mut Workflow) -> Step<Ending> {
    let trip: Trip = match wf.input() {
        Ok(trip) => trip,
        Err(error) => return Ok(Ending::fail("unreadable trip", error.to_string())),
    };
    let mut rejected: Vec<String> = Vec::new();
    let Some(mut itinerary) = select_itinerary(wf, &trip, &rejected)? else {
        return Ok(Ending::fail(
            "no itinerary available",
            trip.itineraries.join(", "),
        ));
    };
    if let Err(refused) = wf
        .activity("SubmitDetails", V)
        .input(&trip.traveller)
        .run::<String>()?
    {
        return Ok(Ending::fail(
            "personal details refused",
            refused.to_string(),
        ));
    }
    loop {
        match pay(wf, &trip, &itinerary)? {
            Payment::Paid(receipt) => {
                let confirmation = json_input(&itinerary, &receipt);
                return Ok(
                    match wf
                        .activity("ConfirmBooking", V)
                        .input(&confirmation)
                        .run::<String>()?
                    {
                        Ok(booking) => Ending::complete(booking),
                        Err(failure) => Ending::fail("booking not confirmed", failure.to_string()),
                    },
                );
            }
            Payment::CanceledByTraveller => {
                return Ok(Ending::Cancel(Some(format!(
                    "canceled by the traveller while paying for {itinerary}"
                ))));
            }
            Payment::Declined(failure) => {
                rejected.push(itinerary.clone());
                let next = if rejected.len() < ITINERARIES_TRIED {
                    select_itinerary(wf, &trip, &rejected)?
                } else {
                    None
                };
                match next {
                    Some(other) => itinerary = other,
                    None => {
                        return Ok(Ending::fail(
                            "payment declined for every itinerary tried",
                            format!("{} (last: {failure})", rejected.join(", ")),
                        ));
                    }
                }
            }
        }
    }
}

/// The preferred itinerary that was not rejected yet, if any.
fn select_itinerary(wf: &mut Workflow, trip: &Trip, rejected: &[String]) -> Step<Option<String>> {
    let selection = serde_json::json!({"itineraries": trip.itineraries, "exclude": rejected});
    Ok(wf
        .activity("SelectItinerary", V)
        .input(&selection)
        .run::<String>()?
        .ok())
}

/// Pays for `itinerary` (with retries), unless the traveller cancels first.
fn pay(wf: &mut Workflow, trip: &Trip, itinerary: &str) -> Step<Payment> {
    let request = serde_json::json!({
        "itinerary": itinerary,
        "declines": trip.declines.get(itinerary).copied().unwrap_or(0),
        "seconds": trip.payment_seconds,
    });
    let (_, payment) = wf.first(vec![
        Box::new(move |wf: &mut Workflow| {
            let attempts = RetryPolicy::attempts(PAYMENT_ATTEMPTS);
            Ok(
                match wf
                    .activity("ValidatePayment", V)
                    .input(&request)
                    .retry(attempts)
                    .run()?
                {
                    Ok(receipt) => Payment::Paid(receipt),
                    Err(failure) => Payment::Declined(failure),
                },
            )
        }),
        Box::new(|wf: &mut Workflow| {
            wf.wait_signal("cancel")
                .map(|_| Payment::CanceledByTraveller)
        }),
    ])?;
    Ok(payment)
}

fn json_input(itinerary: &str, receipt: &str) -> serde_json::Value {
    serde_json::json!({"itinerary": itinerary, "receipt": receipt})
}

struct BookTrip;

impl Decider for BookTrip {
    fn workflow_types() -> Vec<WorkflowTypeDecl> {
        vec![
            WorkflowTypeDecl::new("BookTrip", "1.0")
                .description("select itinerary, submit details, validate payment, confirm booking")
                .default_task_list("booking")
                .default_execution_start_to_close_timeout("3600")
                .default_task_start_to_close_timeout("60")
                .default_child_policy("TERMINATE"),
        ]
    }

    fn decide(task: &DecisionTask) -> Result<Decisions, BoxError> {
        Ok(Workflow::decide(task, book_trip)?)
    }
}

export_decider!(BookTrip);

#[cfg(test)]
mod tests {
    use serde_json::json;
    use swfwasm_guest::swf_model::Decision;
    use swfwasm_guest::testing::History;

    use super::*;

    fn trip() -> History {
        History::started(
            &json!({"traveller": "Ada", "itineraries": ["LHR-JFK", "LHR-BOS"]}).to_string(),
        )
    }

    fn decide(history: &History) -> Vec<Decision> {
        Workflow::decide(&history.task(), book_trip)
            .expect("deterministic")
            .as_slice()
            .to_vec()
    }

    fn scheduled(decisions: &[Decision]) -> Vec<(String, Option<String>)> {
        decisions
            .iter()
            .filter_map(|d| match d {
                Decision::ScheduleActivityTask(a) => Some((a.activity_id.clone(), a.input.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_first_step_selects_an_itinerary() {
        let decisions = decide(&trip());
        assert_eq!(
            scheduled(&decisions),
            [(
                "SelectItinerary-1".to_owned(),
                Some(json!({"itineraries": ["LHR-JFK", "LHR-BOS"], "exclude": []}).to_string())
            )]
        );
    }

    #[test]
    fn a_payment_that_keeps_failing_goes_back_to_itinerary_selection_without_it() {
        let mut h = trip();
        let s = h.scheduled("SelectItinerary-1", "SelectItinerary", V);
        h.finished(s, "ActivityTaskCompleted", json!({"result": "\"LHR-JFK\""}));
        let s = h.scheduled("SubmitDetails-1", "SubmitDetails", V);
        h.finished(s, "ActivityTaskCompleted", json!({"result": "\"ok\""}));
        for attempt in 1..=PAYMENT_ATTEMPTS {
            let s = h.scheduled(
                &format!("ValidatePayment-1.{attempt}"),
                "ValidatePayment",
                V,
            );
            h.finished(
                s,
                "ActivityTaskFailed",
                json!({"reason": "payment declined"}),
            );
            if attempt < PAYMENT_ATTEMPTS {
                h.timer_fired(&format!("ValidatePayment-1.{attempt}.retry"));
            }
        }
        let decisions = decide(&h);
        let next = scheduled(&decisions);
        assert_eq!(next.len(), 1, "{decisions:?}");
        assert_eq!(next[0].0, "SelectItinerary-2");
        assert_eq!(
            next[0].1.as_deref(),
            Some(
                json!({"itineraries": ["LHR-JFK", "LHR-BOS"], "exclude": ["LHR-JFK"]})
                    .to_string()
                    .as_str()
            )
        );
    }

    #[test]
    fn a_cancel_signal_during_payment_cancels_the_booking() {
        let mut h = trip();
        let s = h.scheduled("SelectItinerary-1", "SelectItinerary", V);
        h.finished(s, "ActivityTaskCompleted", json!({"result": "\"LHR-JFK\""}));
        let s = h.scheduled("SubmitDetails-1", "SubmitDetails", V);
        h.finished(s, "ActivityTaskCompleted", json!({"result": "\"ok\""}));
        h.scheduled("ValidatePayment-1.1", "ValidatePayment", V);
        h.decision_task();
        assert!(decide(&h).is_empty(), "waiting for the payment");
        h.signaled("cancel", None);
        assert!(
            matches!(decide(&h).as_slice(), [Decision::CancelWorkflowExecution(c)]
            if c.details.as_deref() == Some("canceled by the traveller while paying for LHR-JFK"))
        );
    }
}
