//! Decision tasks: poll, route by workflow type, run the decider, answer SWF.

use swf_model::{
    Decision, DecisionTask, FailWorkflowExecutionDecisionAttributes, MAX_DATA_LEN, MAX_REASON_LEN,
    RespondDecisionTaskCompleted, truncate_chars,
};

use super::config::DeciderFailurePolicy;
use super::{Context, PolledTask};
use crate::swf::SwfError;

/// One long poll; the task it returns carries the complete history.
pub(crate) async fn poll(
    context: &Context,
    task_list: &str,
) -> Result<Option<PolledTask>, SwfError> {
    let task = context
        .client
        .poll_for_decision_task(&context.config.domain, task_list, &context.identity)
        .await?;
    Ok(task.map(PolledTask::Decision))
}

pub(crate) async fn handle(context: &Context, task: DecisionTask) {
    let execution = &task.workflow_execution;
    let wf_type = &task.workflow_type;
    let Some(plugin) = context.plugins.decider(&wf_type.name, &wf_type.version) else {
        // Answering with anything would be a guess; SWF will time the task out and the type's
        // owner (another worker, or this one after a deploy) will get it again.
        tracing::warn!(workflow_id = %execution.workflow_id, run_id = %execution.run_id,
            workflow_type = %wf_type.name, version = %wf_type.version,
            "no loaded plugin serves this workflow type; leaving the decision task");
        return;
    };
    let mut response = match context.runtime.decide(plugin, &task).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(workflow_id = %execution.workflow_id, run_id = %execution.run_id,
                plugin = %plugin.digest(), %error, policy = ?context.config.decider_failure,
                "decider failed");
            match context.config.decider_failure {
                DeciderFailurePolicy::Timeout => return,
                DeciderFailurePolicy::FailWorkflow => fail_workflow(&error.to_string()),
            }
        }
    };
    response.task_token = task.task_token.clone();
    match context
        .client
        .respond_decision_task_completed(&response)
        .await
    {
        Ok(()) => {}
        Err(error) if error.is_unknown_resource() => {
            tracing::warn!(workflow_id = %execution.workflow_id, run_id = %execution.run_id, %error,
                "the decision task is gone (timed out or the run closed); dropping it");
        }
        Err(error) => {
            tracing::error!(workflow_id = %execution.workflow_id, run_id = %execution.run_id, %error,
                "cannot answer the decision task; SWF will time it out and retry");
        }
    }
}

/// The response of the fail-workflow policy: the error's first line as the reason.
fn fail_workflow(error: &str) -> RespondDecisionTaskCompleted {
    RespondDecisionTaskCompleted {
        decisions: vec![Decision::FailWorkflowExecution(
            FailWorkflowExecutionDecisionAttributes {
                reason: Some(
                    truncate_chars(&format!("decider failed: {error}"), MAX_REASON_LEN).to_owned(),
                ),
                details: Some(truncate_chars(error, MAX_DATA_LEN).to_owned()),
            },
        )],
        ..RespondDecisionTaskCompleted::default()
    }
}
