//! The actions on workflow executions from outside: start, signal, cancel request, terminate,
//! and reading one run (spec §3.3, §3.6).

use swf_model::*;

use super::support::{Answer, Shared, parse, read, write, write_answer};
use crate::validate::Check;

/// StartWorkflowExecution.
pub(super) fn start_workflow_execution(shared: &Shared, body: &[u8]) -> Answer {
    let input: StartWorkflowExecutionInput = parse(body)?;
    Check::default()
        .len("domain", &input.domain, 1, MAX_ID_LEN)
        .id("workflowId", &input.workflow_id)
        .type_id(
            "workflowType",
            &input.workflow_type.name,
            &input.workflow_type.version,
        )
        .task_list("taskList", &input.task_list)
        .priority("taskPriority", &input.task_priority)
        .data("input", &input.input)
        .execution_timeout(
            "executionStartToCloseTimeout",
            &input.execution_start_to_close_timeout,
        )
        .tags("tagList", &input.tag_list)
        .duration(
            "taskStartToCloseTimeout",
            &input.task_start_to_close_timeout,
        )
        .child_policy("childPolicy", &input.child_policy)
        .opt_len("lambdaRole", &input.lambda_role, MAX_ARN_LEN)
        .done()?;
    write_answer(shared, |m| m.start_workflow(input))
}

/// Checks the `{domain, workflowId, runId}` that Signal/RequestCancel/Terminate address.
fn addressed(check: &mut Check, domain: &str, workflow_id: &str, run_id: &Option<String>) {
    check
        .len("domain", domain, 1, MAX_ID_LEN)
        .len("workflowId", workflow_id, 1, MAX_ID_LEN)
        .run_id("runId", run_id);
}

/// SignalWorkflowExecution.
pub(super) fn signal_workflow_execution(shared: &Shared, body: &[u8]) -> Answer {
    let input: SignalWorkflowExecutionInput = parse(body)?;
    let mut check = Check::default();
    addressed(&mut check, &input.domain, &input.workflow_id, &input.run_id);
    check
        .len("signalName", &input.signal_name, 1, MAX_ID_LEN)
        .data("input", &input.input)
        .done()?;
    write(shared, |m| m.signal_workflow(input))
}

/// RequestCancelWorkflowExecution.
pub(super) fn request_cancel_workflow_execution(shared: &Shared, body: &[u8]) -> Answer {
    let input: RequestCancelWorkflowExecutionInput = parse(body)?;
    let mut check = Check::default();
    addressed(&mut check, &input.domain, &input.workflow_id, &input.run_id);
    check.done()?;
    write(shared, |m| m.request_cancel_workflow(input))
}

/// TerminateWorkflowExecution.
pub(super) fn terminate_workflow_execution(shared: &Shared, body: &[u8]) -> Answer {
    let input: TerminateWorkflowExecutionInput = parse(body)?;
    let mut check = Check::default();
    addressed(&mut check, &input.domain, &input.workflow_id, &input.run_id);
    check
        .opt_len("reason", &input.reason, MAX_REASON_LEN)
        .data("details", &input.details)
        .child_policy("childPolicy", &input.child_policy)
        .done()?;
    write(shared, |m| m.terminate_workflow(input))
}

/// DescribeWorkflowExecution.
pub(super) fn describe_workflow_execution(shared: &Shared, body: &[u8]) -> Answer {
    let input: DescribeWorkflowExecutionInput = parse(body)?;
    Check::default()
        .len("domain", &input.domain, 1, MAX_ID_LEN)
        .execution("execution", &input.execution)
        .done()?;
    read(shared, |m| {
        m.describe_execution(&input.domain, &input.execution)
    })
}

/// GetWorkflowExecutionHistory.
pub(super) fn get_workflow_execution_history(shared: &Shared, body: &[u8]) -> Answer {
    let input: GetWorkflowExecutionHistoryInput = parse(body)?;
    Check::default()
        .len("domain", &input.domain, 1, MAX_ID_LEN)
        .execution("execution", &input.execution)
        .page_token(&input.next_page_token)
        .done()?;
    read(shared, |m| m.history(&input))
}
