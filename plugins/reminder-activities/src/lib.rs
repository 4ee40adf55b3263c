//! The reminder workflow's activities (plugins/reminder): SendReminder logs the reminder it
//! would send, ReleaseHold the hold it releases; both answer what they did.

use swfwasm_guest::prelude::*;

/// Executes SendReminder 1.0 and ReleaseHold 1.0.
pub struct ReminderActivities;

impl Activity for ReminderActivities {
    fn activity_types() -> Vec<ActivityTypeDecl> {
        ["SendReminder", "ReleaseHold"]
            .into_iter()
            .map(|name| {
                ActivityTypeDecl::new(name, "1.0")
                    .default_task_list("reminders")
                    .default_task_schedule_to_start_timeout("300")
                    .default_task_start_to_close_timeout("60")
                    .default_task_schedule_to_close_timeout("360")
                    .default_task_heartbeat_timeout("NONE")
            })
            .collect()
    }

    fn execute(task: &ActivityTask) -> Result<String, ActivityError> {
        let input = task.input().unwrap_or("null");
        let done = match task.activity_type.name.as_str() {
            "SendReminder" => format!("reminder sent: {input}"),
            "ReleaseHold" => format!("hold released: {input}"),
            other => {
                return Err(ActivityError::failed(
                    "UnknownActivity",
                    Some(format!("{other} is not an activity of this plugin")),
                ));
            }
        };
        info(&done);
        Ok(serde_json::to_string(&done).unwrap_or_default())
    }
}

export_activity!(ReminderActivities);
