//! The seed's HelloWorker: greet, and complete.

use swfwasm_guest::prelude::*;

/// Executes HelloWorld 1.0.
pub struct HelloWorker;

impl Activity for HelloWorker {
    fn activity_types() -> Vec<ActivityTypeDecl> {
        vec![
            ActivityTypeDecl::new("HelloWorld", "1.0")
                .default_task_list("default")
                .default_task_schedule_to_start_timeout("300")
                .default_task_start_to_close_timeout("3600")
                .default_task_schedule_to_close_timeout("3900")
                .default_task_heartbeat_timeout("600"),
        ]
    }

    fn execute(_task: &ActivityTask) -> Result<String, ActivityError> {
        info("Hello, World!");
        Ok("Hello, World!".into())
    }
}

export_activity!(HelloWorker);
