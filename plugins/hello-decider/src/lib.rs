//! The seed's HelloDecider: schedule `HelloWorld` when the workflow starts (passing the
//! workflow's input on), complete the workflow when it has finished, fail it with the
//! activity's reason and details if it failed.
//!
//! `plugins/js-hello`, `plugins/python-hello` and `plugins/c-hello` decide exactly the same way;
//! `host/tests/all/polyglot.rs` runs them against each other.

use swfwasm_guest::prelude::*;

mod hello;
pub use hello::decide_hello;

/// Decides HelloWorkflow 1.0.
pub struct HelloDecider;

impl Decider for HelloDecider {
    fn workflow_types() -> Vec<WorkflowTypeDecl> {
        vec![
            WorkflowTypeDecl::new("HelloWorkflow", "1.0")
                .description("The seed's HelloWorkflow, in Rust")
                .default_task_list("default")
                .default_execution_start_to_close_timeout("3600")
                .default_task_start_to_close_timeout("300")
                .default_child_policy("TERMINATE"),
        ]
    }

    fn decide(task: &DecisionTask) -> Result<Decisions, BoxError> {
        Ok(decide_hello(task, "saying_hi"))
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
