//! One function per SWF action: parse the JSON body into its swf-model input type, validate
//! it, and run it on the state machine (in a transaction when it writes). [`call`] dispatches
//! on the action; the functions live by area in [`registry`] (domains, types, tags), [`runs`]
//! (start, signal, cancel, terminate, describe, history), [`tasks`] (polls, responses,
//! heartbeats, pending counts) and [`visibility`] (List/Count). [`support`] is what they share,
//! and imports none of them.

mod registry;
mod runs;
mod support;
mod tasks;
mod visibility;

use swf_model::Action;

use crate::error::ServiceResult;
use crate::state_machine::QueueKind;
use registry::{Activity, Workflow};
use support::Answer;

pub use support::Shared;

/// Runs one action on its request body (a JSON object, parsed once, into the action's input
/// type) and gives the answer's JSON body; `Ok(None)` is an empty 200 answer. Whatever it
/// answers, it answers once everything applied before the answer is durable (group commit: see
/// [`crate::commits`]).
pub async fn call(shared: &Shared, action: Action, body: &[u8]) -> ServiceResult<Option<String>> {
    let answer = match action {
        Action::PollForDecisionTask => tasks::poll_for_decision_task(shared, body).await.map(Some),
        Action::PollForActivityTask => tasks::poll_for_activity_task(shared, body).await.map(Some),
        _ => {
            let answer = call_sync(shared, action, body);
            shared.deadlines_changed.notify_one();
            answer
        }
    };
    shared.durable().await?;
    answer
}

/// Runs one action that answers at once (every action but the two polls).
fn call_sync(shared: &Shared, action: Action, body: &[u8]) -> Answer {
    use Action::*;
    match action {
        RegisterDomain => registry::register_domain(shared, body),
        DeprecateDomain => registry::deprecate_domain(shared, body),
        UndeprecateDomain => registry::undeprecate_domain(shared, body),
        DescribeDomain => registry::describe_domain(shared, body),
        ListDomains => registry::list_domains(shared, body),
        RegisterActivityType => registry::register_activity_type(shared, body),
        RegisterWorkflowType => registry::register_workflow_type(shared, body),
        DeprecateActivityType => registry::deprecate_type::<Activity>(shared, body),
        DeprecateWorkflowType => registry::deprecate_type::<Workflow>(shared, body),
        UndeprecateActivityType => registry::undeprecate_type::<Activity>(shared, body),
        UndeprecateWorkflowType => registry::undeprecate_type::<Workflow>(shared, body),
        DeleteActivityType => registry::delete_type::<Activity>(shared, body),
        DeleteWorkflowType => registry::delete_type::<Workflow>(shared, body),
        DescribeActivityType => registry::describe_type::<Activity>(shared, body),
        DescribeWorkflowType => registry::describe_type::<Workflow>(shared, body),
        ListActivityTypes => registry::list_types::<Activity>(shared, body),
        ListWorkflowTypes => registry::list_types::<Workflow>(shared, body),
        TagResource => registry::tag_resource(shared, body),
        UntagResource => registry::untag_resource(shared, body),
        ListTagsForResource => registry::list_tags_for_resource(shared, body),
        StartWorkflowExecution => runs::start_workflow_execution(shared, body),
        SignalWorkflowExecution => runs::signal_workflow_execution(shared, body),
        RequestCancelWorkflowExecution => runs::request_cancel_workflow_execution(shared, body),
        TerminateWorkflowExecution => runs::terminate_workflow_execution(shared, body),
        DescribeWorkflowExecution => runs::describe_workflow_execution(shared, body),
        GetWorkflowExecutionHistory => runs::get_workflow_execution_history(shared, body),
        RespondDecisionTaskCompleted => tasks::respond_decision_task_completed(shared, body),
        RecordActivityTaskHeartbeat => tasks::record_activity_task_heartbeat(shared, body),
        RespondActivityTaskCompleted => tasks::respond_activity_task_completed(shared, body),
        RespondActivityTaskFailed => tasks::respond_activity_task_failed(shared, body),
        RespondActivityTaskCanceled => tasks::respond_activity_task_canceled(shared, body),
        CountPendingActivityTasks => tasks::count_pending_tasks(shared, body, QueueKind::Activity),
        CountPendingDecisionTasks => tasks::count_pending_tasks(shared, body, QueueKind::Decision),
        ListOpenWorkflowExecutions => visibility::list_open_workflow_executions(shared, body),
        ListClosedWorkflowExecutions => visibility::list_closed_workflow_executions(shared, body),
        CountOpenWorkflowExecutions => visibility::count_open_workflow_executions(shared, body),
        CountClosedWorkflowExecutions => visibility::count_closed_workflow_executions(shared, body),
        PollForDecisionTask | PollForActivityTask => unreachable!("polls are asynchronous"),
    }
}
