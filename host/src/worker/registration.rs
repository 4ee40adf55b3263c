//! Registering a domain and the types plugins declare, idempotently: what exists already is
//! left as it is (SWF types are immutable; a changed default needs a new version).

use swf_model::{
    RegisterActivityTypeInput, RegisterDomainInput, RegisterWorkflowTypeInput, TaskList,
};

use crate::runtime::{Plugin, PluginTypes};
use crate::swf::{SwfClient, SwfError};

/// What happened to one registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    /// Newly registered.
    Created(String),
    /// It existed already.
    Existing(String),
}

fn outcome(result: Result<(), SwfError>, what: String) -> Result<Registered, SwfError> {
    match result {
        Ok(()) => Ok(Registered::Created(what)),
        Err(e) if e.is_already_exists() => Ok(Registered::Existing(what)),
        Err(e) => Err(e),
    }
}

/// Registers `domain` with the given retention.
pub async fn register_domain(
    client: &SwfClient,
    domain: &str,
    retention_days: u32,
) -> Result<Registered, SwfError> {
    let input = RegisterDomainInput {
        name: domain.to_owned(),
        workflow_execution_retention_period_in_days: retention_days.to_string(),
        ..Default::default()
    };
    outcome(
        client.register_domain(&input).await,
        format!("domain {domain}"),
    )
}

/// Registers every type `plugin` declares, with its declared defaults.
pub async fn register_types(
    client: &SwfClient,
    domain: &str,
    plugin: &Plugin,
) -> Result<Vec<Registered>, SwfError> {
    let task_list = |name: &Option<String>| name.clone().map(|name| TaskList { name });
    let mut done = Vec::new();
    match plugin.types() {
        PluginTypes::Workflows(types) => {
            for t in types {
                let input = RegisterWorkflowTypeInput {
                    domain: domain.to_owned(),
                    name: t.name.clone(),
                    version: t.version.clone(),
                    description: t.description.clone(),
                    default_task_start_to_close_timeout: t
                        .default_task_start_to_close_timeout
                        .clone(),
                    default_execution_start_to_close_timeout: t
                        .default_execution_start_to_close_timeout
                        .clone(),
                    default_task_list: task_list(&t.default_task_list),
                    default_task_priority: t.default_task_priority.clone(),
                    default_child_policy: t.default_child_policy.as_deref().map(Into::into),
                    default_lambda_role: None,
                };
                let what = format!("workflow type {} {}", t.name, t.version);
                done.push(outcome(client.register_workflow_type(&input).await, what)?);
            }
        }
        PluginTypes::Activities(types) => {
            for t in types {
                let input = RegisterActivityTypeInput {
                    domain: domain.to_owned(),
                    name: t.name.clone(),
                    version: t.version.clone(),
                    description: t.description.clone(),
                    default_task_start_to_close_timeout: t
                        .default_task_start_to_close_timeout
                        .clone(),
                    default_task_heartbeat_timeout: t.default_task_heartbeat_timeout.clone(),
                    default_task_list: task_list(&t.default_task_list),
                    default_task_priority: t.default_task_priority.clone(),
                    default_task_schedule_to_start_timeout: t
                        .default_task_schedule_to_start_timeout
                        .clone(),
                    default_task_schedule_to_close_timeout: t
                        .default_task_schedule_to_close_timeout
                        .clone(),
                };
                let what = format!("activity type {} {}", t.name, t.version);
                done.push(outcome(client.register_activity_type(&input).await, what)?);
            }
        }
    }
    Ok(done)
}

/// Registers `plugin`'s types for a running worker (a new artifact arrived): logs what was
/// created, and a failure as a warning (the artifact still serves; SWF refuses its new types
/// until they are registered).
pub async fn register_arrival(client: &SwfClient, domain: &str, plugin: &Plugin) {
    match register_types(client, domain, plugin).await {
        Ok(done) => {
            for outcome in done {
                if let Registered::Created(what) = outcome {
                    tracing::info!("registered {what}");
                }
            }
        }
        Err(error) => tracing::warn!(digest = %plugin.digest().short(), %error,
            "cannot register the plugin's types"),
    }
}
