//! Typed helpers over [`SwfClient::call`] for the actions the host uses: polling and answering
//! tasks (decision tasks always come with their complete history), registration, starting and
//! controlling runs, and reading histories and run lists across all their pages.

use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use swf_model::{
    Action, ActivityTask, DecisionTask, DescribeWorkflowExecutionInput,
    DescribeWorkflowExecutionOutput, GetWorkflowExecutionHistoryInput,
    GetWorkflowExecutionHistoryOutput, HistoryEvent, ListClosedWorkflowExecutionsInput,
    ListOpenWorkflowExecutionsInput, PollForActivityTaskInput, PollForActivityTaskResponse,
    PollForDecisionTaskInput, PollForDecisionTaskResponse, RecordActivityTaskHeartbeatInput,
    RecordActivityTaskHeartbeatOutput, RegisterActivityTypeInput, RegisterDomainInput,
    RegisterWorkflowTypeInput, RequestCancelWorkflowExecutionInput,
    RespondActivityTaskCanceledInput, RespondActivityTaskCompletedInput,
    RespondActivityTaskFailedInput, RespondDecisionTaskCompleted, SignalWorkflowExecutionInput,
    StartWorkflowExecutionInput, StartWorkflowExecutionOutput, TaskList,
    TerminateWorkflowExecutionInput, WorkflowExecution, WorkflowExecutionInfo,
    WorkflowExecutionInfos,
};

use super::client::SwfClient;
use super::error::SwfError;

impl SwfClient {
    /// Long-polls `task_list` for a decision task; `None` when the poll ended without one (a
    /// missing or empty `taskToken`).
    ///
    /// When the history comes in pages, the remaining pages are fetched (PollForDecisionTask again
    /// with the same domain and task list plus the `nextPageToken`) and their events appended, so
    /// the task returned always holds the complete history and no `next_page_token`.
    pub async fn poll_for_decision_task(
        &self,
        domain: &str,
        task_list: &str,
        identity: &str,
    ) -> Result<Option<DecisionTask>, SwfError> {
        self.poll_decision_pages(poll_input(domain, task_list, identity))
            .await
    }

    /// [`poll_for_decision_task`](Self::poll_for_decision_task) with `startAtPreviousStartedEvent`:
    /// the task's events start at its `previousStartedEventId` (the started event of the run's
    /// previous decision task), or at the first event when there is none or the service ignores
    /// the flag. For a decider that kept the run's earlier events.
    pub async fn poll_for_decision_task_since_previous(
        &self,
        domain: &str,
        task_list: &str,
        identity: &str,
    ) -> Result<Option<DecisionTask>, SwfError> {
        let input = PollForDecisionTaskInput {
            start_at_previous_started_event: Some(true),
            ..poll_input(domain, task_list, identity)
        };
        self.poll_decision_pages(input).await
    }

    /// One poll, and the remaining pages of the task it returns.
    async fn poll_decision_pages(
        &self,
        mut input: PollForDecisionTaskInput,
    ) -> Result<Option<DecisionTask>, SwfError> {
        let first: PollForDecisionTaskResponse =
            self.call(Action::PollForDecisionTask, &input).await?;
        let Some(mut task) = first.into_task() else {
            return Ok(None);
        };
        while let Some(token) = task.next_page_token.take() {
            input.next_page_token = Some(token.clone());
            let page: PollForDecisionTaskResponse =
                self.call(Action::PollForDecisionTask, &input).await?;
            if page.next_page_token.as_deref() == Some(token.as_str()) {
                return Err(repeated_token(Action::PollForDecisionTask, &token));
            }
            task.events.extend(page.events);
            task.next_page_token = page.next_page_token;
        }
        Ok(Some(task))
    }

    /// Long-polls `task_list` for an activity task; `None` when the poll ended without one.
    pub async fn poll_for_activity_task(
        &self,
        domain: &str,
        task_list: &str,
        identity: &str,
    ) -> Result<Option<ActivityTask>, SwfError> {
        let input = PollForActivityTaskInput {
            domain: domain.to_owned(),
            task_list: TaskList::new(task_list),
            identity: Some(identity.to_owned()),
        };
        let response: PollForActivityTaskResponse =
            self.call(Action::PollForActivityTask, &input).await?;
        Ok(response.into_task())
    }

    /// Answers a decision task. An `UnknownResourceFault` means the task is gone (timed out, or
    /// answered already) and is returned like any other error.
    pub async fn respond_decision_task_completed(
        &self,
        response: &RespondDecisionTaskCompleted,
    ) -> Result<(), SwfError> {
        self.call_unit(Action::RespondDecisionTaskCompleted, response)
            .await
    }

    /// Completes an activity task with an optional result.
    pub async fn respond_activity_task_completed(
        &self,
        task_token: &str,
        result: Option<&str>,
    ) -> Result<(), SwfError> {
        let input = RespondActivityTaskCompletedInput {
            task_token: task_token.to_owned(),
            result: result.map(str::to_owned),
        };
        self.call_unit(Action::RespondActivityTaskCompleted, &input)
            .await
    }

    /// Fails an activity task.
    pub async fn respond_activity_task_failed(
        &self,
        task_token: &str,
        reason: Option<&str>,
        details: Option<&str>,
    ) -> Result<(), SwfError> {
        let input = RespondActivityTaskFailedInput {
            task_token: task_token.to_owned(),
            reason: reason.map(str::to_owned),
            details: details.map(str::to_owned),
        };
        self.call_unit(Action::RespondActivityTaskFailed, &input)
            .await
    }

    /// Reports an activity task as canceled (after a heartbeat said cancel was requested).
    pub async fn respond_activity_task_canceled(
        &self,
        task_token: &str,
        details: Option<&str>,
    ) -> Result<(), SwfError> {
        let input = RespondActivityTaskCanceledInput {
            task_token: task_token.to_owned(),
            details: details.map(str::to_owned),
        };
        self.call_unit(Action::RespondActivityTaskCanceled, &input)
            .await
    }

    /// Records a heartbeat; returns whether cancellation of the task has been requested.
    pub async fn record_activity_task_heartbeat(
        &self,
        task_token: &str,
        details: Option<&str>,
    ) -> Result<bool, SwfError> {
        let input = RecordActivityTaskHeartbeatInput {
            task_token: task_token.to_owned(),
            details: details.map(str::to_owned),
        };
        let output: RecordActivityTaskHeartbeatOutput = self
            .call(Action::RecordActivityTaskHeartbeat, &input)
            .await?;
        Ok(output.cancel_requested)
    }

    /// Registers a domain. An existing domain is a `DomainAlreadyExistsFault`
    /// ([`SwfError::is_already_exists`]).
    pub async fn register_domain(&self, input: &RegisterDomainInput) -> Result<(), SwfError> {
        self.call_unit(Action::RegisterDomain, input).await
    }

    /// Registers a workflow type. An existing type is a `TypeAlreadyExistsFault`
    /// ([`SwfError::is_already_exists`]).
    pub async fn register_workflow_type(
        &self,
        input: &RegisterWorkflowTypeInput,
    ) -> Result<(), SwfError> {
        self.call_unit(Action::RegisterWorkflowType, input).await
    }

    /// Registers an activity type. An existing type is a `TypeAlreadyExistsFault`
    /// ([`SwfError::is_already_exists`]).
    pub async fn register_activity_type(
        &self,
        input: &RegisterActivityTypeInput,
    ) -> Result<(), SwfError> {
        self.call_unit(Action::RegisterActivityType, input).await
    }

    /// Starts a run; returns its run id.
    pub async fn start_workflow_execution(
        &self,
        input: &StartWorkflowExecutionInput,
    ) -> Result<String, SwfError> {
        let output: StartWorkflowExecutionOutput =
            self.call(Action::StartWorkflowExecution, input).await?;
        Ok(output.run_id)
    }

    /// Sends a signal to a run.
    pub async fn signal_workflow_execution(
        &self,
        input: &SignalWorkflowExecutionInput,
    ) -> Result<(), SwfError> {
        self.call_unit(Action::SignalWorkflowExecution, input).await
    }

    /// Asks a run to cancel itself.
    pub async fn request_cancel_workflow_execution(
        &self,
        input: &RequestCancelWorkflowExecutionInput,
    ) -> Result<(), SwfError> {
        self.call_unit(Action::RequestCancelWorkflowExecution, input)
            .await
    }

    /// Terminates a run.
    pub async fn terminate_workflow_execution(
        &self,
        input: &TerminateWorkflowExecutionInput,
    ) -> Result<(), SwfError> {
        self.call_unit(Action::TerminateWorkflowExecution, input)
            .await
    }

    /// Describes a run.
    pub async fn describe_workflow_execution(
        &self,
        domain: &str,
        execution: &WorkflowExecution,
    ) -> Result<DescribeWorkflowExecutionOutput, SwfError> {
        let input = DescribeWorkflowExecutionInput {
            domain: domain.to_owned(),
            execution: execution.clone(),
        };
        self.call(Action::DescribeWorkflowExecution, &input).await
    }

    /// The complete history of a run, oldest event first, across all pages.
    pub async fn get_workflow_execution_history(
        &self,
        domain: &str,
        execution: &WorkflowExecution,
    ) -> Result<Vec<HistoryEvent>, SwfError> {
        let input = GetWorkflowExecutionHistoryInput {
            domain: domain.to_owned(),
            execution: execution.clone(),
            ..Default::default()
        };
        self.collect_pages(
            Action::GetWorkflowExecutionHistory,
            input,
            |input, token| input.next_page_token = Some(token),
            |page: GetWorkflowExecutionHistoryOutput| (page.events, page.next_page_token),
        )
        .await
    }

    /// A run's history from its first event up to and including `last_event_id` (what a
    /// decision task started at that event holds): pages are read until that event.
    pub async fn workflow_history_until(
        &self,
        domain: &str,
        execution: &WorkflowExecution,
        last_event_id: i64,
    ) -> Result<Vec<HistoryEvent>, SwfError> {
        let mut input = GetWorkflowExecutionHistoryInput {
            domain: domain.to_owned(),
            execution: execution.clone(),
            ..Default::default()
        };
        let mut events = Vec::new();
        loop {
            let page: GetWorkflowExecutionHistoryOutput = self
                .call(Action::GetWorkflowExecutionHistory, &input)
                .await?;
            events.extend(page.events);
            let reached = events.last().is_some_and(|e| e.event_id >= last_event_id);
            match page.next_page_token {
                Some(token) if !reached => {
                    if input.next_page_token.as_ref() == Some(&token) {
                        return Err(repeated_token(Action::GetWorkflowExecutionHistory, &token));
                    }
                    input.next_page_token = Some(token);
                }
                _ => break,
            }
        }
        events.retain(|e| e.event_id <= last_event_id);
        Ok(events)
    }

    /// All open runs matching `input`'s filters, across all pages (`input.next_page_token` is
    /// the starting point, normally `None`).
    pub async fn list_open_workflow_executions(
        &self,
        input: &ListOpenWorkflowExecutionsInput,
    ) -> Result<Vec<WorkflowExecutionInfo>, SwfError> {
        self.collect_pages(
            Action::ListOpenWorkflowExecutions,
            input.clone(),
            |input, token| input.next_page_token = Some(token),
            split_infos,
        )
        .await
    }

    /// All closed runs matching `input`'s filters, across all pages (`input.next_page_token` is
    /// the starting point, normally `None`).
    pub async fn list_closed_workflow_executions(
        &self,
        input: &ListClosedWorkflowExecutionsInput,
    ) -> Result<Vec<WorkflowExecutionInfo>, SwfError> {
        self.collect_pages(
            Action::ListClosedWorkflowExecutions,
            input.clone(),
            |input, token| input.next_page_token = Some(token),
            split_infos,
        )
        .await
    }

    /// Calls an action that has no output (the service answers an empty body).
    async fn call_unit<I: Serialize + ?Sized>(
        &self,
        action: Action,
        input: &I,
    ) -> Result<(), SwfError> {
        let _: IgnoredAny = self.call(action, input).await?;
        Ok(())
    }

    /// Calls a paginated action until no `nextPageToken` remains, concatenating the items.
    async fn collect_pages<I, O, T>(
        &self,
        action: Action,
        mut input: I,
        set_token: impl Fn(&mut I, String),
        split: impl Fn(O) -> (Vec<T>, Option<String>),
    ) -> Result<Vec<T>, SwfError>
    where
        I: Serialize,
        O: DeserializeOwned,
    {
        let mut items = Vec::new();
        let mut sent: Option<String> = None;
        loop {
            let (page, token) = split(self.call(action, &input).await?);
            items.extend(page);
            match token {
                Some(token) if sent.as_ref() == Some(&token) => {
                    return Err(repeated_token(action, &token));
                }
                Some(token) => {
                    set_token(&mut input, token.clone());
                    sent = Some(token);
                }
                None => return Ok(items),
            }
        }
    }
}

/// The input of a first PollForDecisionTask.
fn poll_input(domain: &str, task_list: &str, identity: &str) -> PollForDecisionTaskInput {
    PollForDecisionTaskInput {
        domain: domain.to_owned(),
        task_list: TaskList::new(task_list),
        identity: Some(identity.to_owned()),
        ..Default::default()
    }
}

/// A service that answers a page token with itself would make paging loop forever.
fn repeated_token(action: Action, token: &str) -> SwfError {
    SwfError::decode(
        format!("{action} returned the page token it was given ({token}); paging cannot progress"),
        None,
    )
}

fn split_infos(page: WorkflowExecutionInfos) -> (Vec<WorkflowExecutionInfo>, Option<String>) {
    (page.execution_infos, page.next_page_token)
}
