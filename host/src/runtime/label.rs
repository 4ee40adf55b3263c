//! [`TaskLabel`]: the ids a guest's log lines and denials are tagged with. A leaf.

/// Identifies the task a guest runs for, in log lines.
#[derive(Debug, Clone, Default)]
pub struct TaskLabel {
    /// Short form of the plugin digest.
    pub plugin: String,
    /// The workflow id.
    pub workflow_id: String,
    /// The run id.
    pub run_id: String,
    /// The activity id, for activity tasks.
    pub activity_id: Option<String>,
}
