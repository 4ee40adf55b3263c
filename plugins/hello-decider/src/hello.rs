//! HelloWorkflow's decision logic, shared with the `hello-variant` test fixture (which must
//! decide exactly as this plugin does).

use swfwasm_guest::prelude::*;

/// HelloWorkflow's decisions, with the activity scheduled under `activity_id`.
pub fn decide_hello(task: &DecisionTask, activity_id: &str) -> Decisions {
    let mut decisions = Decisions::new();
    let Some(last) = task.workflow_events().last() else {
        return decisions;
    };
    info(format!("deciding after {}", last.event_type()));
    match &last.attributes {
        EventAttributes::WorkflowExecutionStarted(_) => {
            let scheduled = decisions
                .schedule_activity_task(activity_id, "HelloWorld", "1.0")
                .task_list("default");
            if let Some(input) = task.input() {
                scheduled.input(input);
            }
        }
        EventAttributes::ActivityTaskCompleted(_) => {
            decisions.complete_workflow_execution(None);
        }
        EventAttributes::ActivityTaskFailed(failed) => {
            // The activity's reason as it is: absent stays absent, as in the other languages.
            decisions
                .fail_workflow_execution("", failed.details.clone())
                .reason = failed.reason.clone();
        }
        _ => {}
    }
    decisions
}
