//! The seed's HelloWorker: greet the name in the task's input (default "World"), heartbeating
//! first so a cancellation request is honoured; a name over 64 characters fails the task.
//!
//! `plugins/js-hello`, `plugins/python-hello` and `plugins/c-hello` behave exactly the same way;
//! `host/tests/all/polyglot.rs` holds them to it.

use swfwasm_guest::prelude::*;

/// The longest name the activity greets, in characters.
const MAX_NAME: usize = 64;

/// Executes HelloWorld 1.0.
pub struct HelloWorker;

impl Activity for HelloWorker {
    fn activity_types() -> Vec<ActivityTypeDecl> {
        vec![
            ActivityTypeDecl::new("HelloWorld", "1.0")
                .description("The seed's HelloWorld activity, in Rust")
                .default_task_list("default")
                .default_task_schedule_to_start_timeout("300")
                .default_task_start_to_close_timeout("3600")
                .default_task_schedule_to_close_timeout("3900")
                .default_task_heartbeat_timeout("600"),
        ]
    }

    fn execute(task: &ActivityTask) -> Result<String, ActivityError> {
        let name = task.input().filter(|n| !n.is_empty()).unwrap_or("World");
        let length = name.chars().count();
        if length > MAX_NAME {
            return Err(ActivityError::failed(
                "NameTooLong",
                Some(format!(
                    "a name has at most {MAX_NAME} characters; got {length}"
                )),
            ));
        }
        if heartbeat(Some(&format!("greeting {name}"))) != HeartbeatStatus::Ok {
            return Err(ActivityError::canceled(Some(format!(
                "canceled before greeting {name}"
            ))));
        }
        let greeting = format!("Hello, {name}!");
        info(&greeting);
        Ok(greeting)
    }
}

export_activity!(HelloWorker);
