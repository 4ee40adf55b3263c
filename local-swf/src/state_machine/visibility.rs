//! Reading runs: DescribeWorkflowExecution, GetWorkflowExecutionHistory, the List/Count calls
//! and the pending-task counts (spec §3.6, §7).

use serde_json::{Value, json};
use swf_model::*;

use super::machine::StateMachine;
use super::shared::{QueueKind, describe_execution, page_size};
use crate::database::RunQuery;
use crate::error::{ServiceError, ServiceResult};
use crate::run::{DecisionState, Run};
use crate::tokens::{page_position, page_token};

/// The filters of a List/Count call.
pub struct VisibilityFilters {
    pub start: Option<ExecutionTimeFilter>,
    pub close: Option<ExecutionTimeFilter>,
    pub execution: Option<WorkflowExecutionFilter>,
    pub type_filter: Option<WorkflowTypeFilter>,
    pub tag: Option<TagFilter>,
    pub close_status: Option<CloseStatusFilter>,
}

impl StateMachine {
    /// An open or retained closed run of `domain`.
    fn any_run(&self, domain: &str, execution: &WorkflowExecution) -> ServiceResult<Run> {
        self.require_domain(domain)?;
        let found = match self.runs.get(&execution.run_id) {
            Some(run) if run.domain == domain => Some(run.clone()),
            _ => self.db.run(domain, &execution.run_id)?,
        };
        found
            .filter(|run| run.execution.workflow_id == execution.workflow_id)
            .ok_or_else(|| {
                ServiceError::unknown(format!(
                    "Unknown execution: {}",
                    describe_execution(execution)
                ))
            })
    }

    /// DescribeWorkflowExecution.
    pub fn describe_execution(
        &mut self,
        domain: &str,
        execution: &WorkflowExecution,
    ) -> ServiceResult<Value> {
        let run = self.any_run(domain, execution)?;
        let mut answer = json!({
            "executionInfo": execution_info(&run),
            "executionConfiguration": {
                "taskStartToCloseTimeout": run.config.task_start_to_close_timeout,
                "executionStartToCloseTimeout": run.config.execution_start_to_close_timeout,
                "taskList": run.config.task_list,
                "taskPriority": run.config.task_priority,
                "childPolicy": run.config.child_policy,
            },
            "openCounts": {
                "openActivityTasks": run.activities.len(),
                "openDecisionTasks": i32::from(run.decision != DecisionState::None),
                "openTimers": run.timers.len(),
                "openChildWorkflowExecutions": run.children.len(),
                "openLambdaFunctions": 0,
            },
        });
        if let Some(role) = &run.config.lambda_role {
            answer["executionConfiguration"]["lambdaRole"] = json!(role);
        }
        if let Some(ts) = run.latest_activity_ts {
            answer["latestActivityTaskTimestamp"] = json!(ts);
        }
        if let Some(context) = &run.latest_execution_context {
            answer["latestExecutionContext"] = json!(context);
        }
        Ok(answer)
    }

    /// GetWorkflowExecutionHistory.
    pub fn history(&mut self, input: &GetWorkflowExecutionHistoryInput) -> ServiceResult<Value> {
        let run = self.any_run(&input.domain, &input.execution)?;
        let limit = page_size(input.maximum_page_size)?;
        let reverse = input.reverse_order.unwrap_or(false);
        let args = json!(["history", input.domain, input.execution, reverse]);
        let last = run.next_event_id - 1;
        let (from, to) = match &input.next_page_token {
            None => (1, last),
            Some(token) => {
                let next = page_position(token, &args, self.clock_ms())?
                    .as_i64()
                    .ok_or_else(|| {
                        ServiceError::invalid_member("nextPageToken", "malformed page token")
                    })?;
                if reverse { (1, next) } else { (next, last) }
            }
        };
        let rows = self
            .db
            .events(&run.execution.run_id, from, to, reverse, limit + 1)?;
        let mut answer = json!({
            "events": rows.iter().take(limit)
                .map(|(_, json)| serde_json::from_str::<Value>(json).expect("stored events are JSON"))
                .collect::<Vec<_>>(),
        });
        if rows.len() > limit {
            answer["nextPageToken"] =
                json!(page_token(json!(rows[limit].0), &args, self.clock_ms()));
        }
        Ok(answer)
    }

    /// ListOpen/ListClosedWorkflowExecutions.
    pub fn list_executions(
        &mut self,
        domain: &str,
        open: bool,
        filters: VisibilityFilters,
        page: (Option<String>, Option<i32>, Option<bool>),
    ) -> ServiceResult<Value> {
        let (token, size, reverse) = page;
        let limit = page_size(size)?;
        let mut query = self.run_query(domain, open, &filters)?;
        query.oldest_first = reverse.unwrap_or(false);
        // The token is bound to the filters but not to the time filter's dates: clients
        // commonly recompute "the last N days" for every page, and the token's sort-key cursor
        // stays meaningful when the window moves.
        let args = json!([
            "executions",
            domain,
            open,
            query.by_close,
            filters.execution,
            filters.type_filter,
            filters.tag,
            filters.close_status,
            query.oldest_first
        ]);
        if let Some(token) = &token {
            let after: (f64, String) =
                serde_json::from_value(page_position(token, &args, self.clock_ms())?).map_err(
                    |_| ServiceError::invalid_member("nextPageToken", "malformed page token"),
                )?;
            query.after = Some(after);
        }
        query.limit = Some(limit + 1);
        let mut runs = self.db.query_runs(&query)?;
        let mut answer = json!({});
        if runs.len() > limit {
            runs.truncate(limit);
            let last = &runs[limit - 1];
            let key = if query.by_close {
                last.closed.as_ref().map_or(0.0, |c| c.ts)
            } else {
                last.start_ts
            };
            answer["nextPageToken"] = json!(page_token(
                json!([key, last.execution.run_id]),
                &args,
                self.clock_ms()
            ));
        }
        answer["executionInfos"] = runs.iter().map(execution_info).collect();
        Ok(answer)
    }

    /// CountOpen/CountClosedWorkflowExecutions.
    pub fn count_executions(
        &mut self,
        domain: &str,
        open: bool,
        filters: VisibilityFilters,
    ) -> ServiceResult<Value> {
        let query = self.run_query(domain, open, &filters)?;
        Ok(json!({"count": self.db.count_runs(&query)?, "truncated": false}))
    }

    fn run_query(
        &self,
        domain: &str,
        open: bool,
        f: &VisibilityFilters,
    ) -> ServiceResult<RunQuery> {
        self.require_domain(domain)?;
        let range =
            |f: &Option<ExecutionTimeFilter>| f.as_ref().map(|f| (f.oldest_date, f.latest_date));
        Ok(RunQuery {
            domain: domain.to_owned(),
            open,
            start: range(&f.start),
            close: range(&f.close),
            workflow_id: f.execution.as_ref().map(|e| e.workflow_id.clone()),
            type_filter: f
                .type_filter
                .as_ref()
                .map(|t| (t.name.clone(), t.version.clone())),
            tag: f.tag.as_ref().map(|t| t.tag.clone()),
            close_status: f
                .close_status
                .as_ref()
                .map(|s| s.status.as_str().to_owned()),
            by_close: f.close.is_some(),
            ..RunQuery::default()
        })
    }

    /// CountPendingActivityTasks / CountPendingDecisionTasks.
    pub fn count_pending(
        &mut self,
        domain: &str,
        task_list: &TaskList,
        kind: QueueKind,
    ) -> ServiceResult<Value> {
        self.require_domain(domain)?;
        let count = self
            .queues
            .get(&(kind, (domain.to_owned(), task_list.name.clone())))
            .map_or(0, |set| set.len());
        Ok(json!({"count": count, "truncated": false}))
    }
}

/// A run's WorkflowExecutionInfo.
fn execution_info(run: &Run) -> Value {
    let mut info = json!({
        "execution": run.execution,
        "workflowType": run.workflow_type,
        "startTimestamp": run.start_ts,
        "executionStatus": if run.is_open() { "OPEN" } else { "CLOSED" },
        "cancelRequested": run.cancel_requested,
    });
    if let Some(closed) = &run.closed {
        info["closeTimestamp"] = json!(closed.ts);
        info["closeStatus"] = json!(closed.status);
    }
    if let Some(parent) = &run.parent {
        info["parent"] = json!(parent.execution);
    }
    if !run.tags.is_empty() {
        info["tagList"] = json!(run.tags);
    }
    info
}
