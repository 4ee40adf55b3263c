//! HoldBooking: hold a booking for payment up to 7 days. The traveller is reminded 24 h and
//! 72 h after the hold began; at 7 days the hold is released. A `paid` signal ends the hold as
//! paid, a `cancel` signal releases it at once, whichever comes first in the history.
//!
//! A workflow that waits for days: `swfwasm local --time-skipping` (or `swfwasm dev
//! --time-skipping`) runs it in seconds, with its timers firing at 24 h, 72 h and 7 days on the
//! service's clock.

use swfwasm_guest::flow::{Ending, Step, Workflow};
use swfwasm_guest::prelude::*;

const DAY: u64 = 86_400;
/// The version of the activities.
const V: &str = "1.0";

/// How a wait for the next deadline ended.
enum Woken {
    Deadline,
    Paid,
    Canceled,
}

/// Waits `seconds`, unless the traveller pays or cancels first.
fn wait(wf: &mut Workflow, seconds: u64) -> Step<Woken> {
    let (_, woken) = wf.first(vec![
        Box::new(move |wf: &mut Workflow| wf.sleep(seconds).map(|()| Woken::Deadline)),
        Box::new(|wf: &mut Workflow| wf.wait_signal("paid").map(|_| Woken::Paid)),
        Box::new(|wf: &mut Workflow| wf.wait_signal("cancel").map(|_| Woken::Canceled)),
    ])?;
    Ok(woken)
}

/// HoldBooking: the input is the booking reference (JSON string).
pub fn hold_booking(wf: &mut Workflow) -> Step<Ending> {
    let booking: String = match wf.input() {
        Ok(booking) => booking,
        Err(error) => return Ok(Ending::fail("unreadable booking", error.to_string())),
    };
    // Deadlines from the start of the hold: remind at 1 and 3 days, release at 7.
    let mut waited = 0;
    for (until, reminder) in [(DAY, Some(1)), (3 * DAY, Some(2)), (7 * DAY, None)] {
        let woken = wait(wf, until - waited)?;
        waited = until;
        match (woken, reminder) {
            (Woken::Paid, _) => return Ok(Ending::complete(format!("{booking} paid"))),
            (Woken::Canceled, _) => {
                release(wf, &booking)?;
                return Ok(Ending::Cancel(Some(format!(
                    "{booking} canceled by the traveller"
                ))));
            }
            (Woken::Deadline, Some(n)) => {
                let reminder = serde_json::json!({"booking": booking, "reminder": n});
                if let Err(failure) = wf
                    .activity("SendReminder", V)
                    .input(&reminder)
                    .run::<String>()?
                {
                    warn(format!("reminder {n} for {booking} not sent: {failure}"));
                }
            }
            (Woken::Deadline, None) => {
                release(wf, &booking)?;
                return Ok(Ending::complete(format!("{booking} released unpaid")));
            }
        }
    }
    unreachable!("the last deadline releases the hold")
}

/// Releases the hold on `booking` (ReleaseHold, retried).
fn release(wf: &mut Workflow, booking: &str) -> Step<()> {
    wf.activity("ReleaseHold", V)
        .input(booking)
        .retry(swfwasm_guest::flow::RetryPolicy::attempts(3))
        .run::<String>()?
        .ok();
    Ok(())
}

struct HoldBooking;

impl Decider for HoldBooking {
    fn workflow_types() -> Vec<WorkflowTypeDecl> {
        vec![
            WorkflowTypeDecl::new("HoldBooking", "1.0")
                .description("hold a booking for payment up to 7 days, with reminders")
                .default_task_list("reminders")
                .default_execution_start_to_close_timeout("691200")
                .default_task_start_to_close_timeout("60")
                .default_child_policy("TERMINATE"),
        ]
    }

    fn decide(task: &DecisionTask) -> Result<Decisions, BoxError> {
        Ok(Workflow::decide(task, hold_booking)?)
    }
}

export_decider!(HoldBooking);
