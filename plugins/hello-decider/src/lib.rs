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

#[cfg(test)]
mod tests {
    use super::*;
    use swfwasm_guest::swf_model::Decision;

    fn seed_task(file: &str) -> DecisionTask {
        let path = format!(
            "{}/../../swf-model/tests/data/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        DecisionTask::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn schedules_hello_world_when_the_workflow_starts() {
        let decisions = HelloDecider::decide(&seed_task("hello_task_after_3.json")).unwrap();
        assert!(matches!(
            decisions.as_slice(),
            [Decision::ScheduleActivityTask(a)]
                if a.activity_id == "saying_hi" && a.activity_type.name == "HelloWorld"
        ));
    }

    #[test]
    fn completes_once_the_activity_has_completed() {
        let decisions = HelloDecider::decide(&seed_task("hello_task_after_9.json")).unwrap();
        assert!(matches!(
            decisions.as_slice(),
            [Decision::CompleteWorkflowExecution(_)]
        ));
    }
}
