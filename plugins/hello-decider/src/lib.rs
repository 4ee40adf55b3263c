//! The seed's HelloDecider: schedule `HelloWorld` when the workflow starts, complete the
//! workflow when it has finished.

use swfwasm_guest::prelude::*;

/// Decides HelloWorkflow 1.0.
pub struct HelloDecider;

impl Decider for HelloDecider {
    fn workflow_types() -> Vec<WorkflowTypeDecl> {
        vec![
            WorkflowTypeDecl::new("HelloWorkflow", "1.0")
                .default_task_list("default")
                .default_execution_start_to_close_timeout("3600")
                .default_task_start_to_close_timeout("300")
                .default_child_policy("TERMINATE"),
        ]
    }

    fn decide(task: &DecisionTask) -> Result<Decisions, BoxError> {
        let mut decisions = Decisions::new();
        match task.workflow_events().last().map(|e| e.event_type()) {
            Some("WorkflowExecutionStarted") => {
                decisions
                    .schedule_activity_task("saying_hi", "HelloWorld", "1.0")
                    .task_list("default");
            }
            Some("ActivityTaskCompleted") => {
                decisions.complete_workflow_execution(None);
            }
            _ => {}
        }
        Ok(decisions)
    }
}

export_decider!(HelloDecider);
