//! The List/Count actions over runs (spec §7).

use swf_model::*;

use super::support::{Answer, Shared, parse, read};
use crate::error::ServiceResult;
use crate::state_machine::VisibilityFilters;
use crate::validate::Check;

/// The filters of a ListOpen/CountOpen input (both have the same filter members).
macro_rules! open_filters {
    ($input:ident) => {
        VisibilityFilters {
            start: Some($input.start_time_filter),
            close: None,
            execution: $input.execution_filter,
            type_filter: $input.type_filter,
            tag: $input.tag_filter,
            close_status: None,
        }
    };
}

/// The filters of a ListClosed/CountClosed input (both have the same filter members).
macro_rules! closed_filters {
    ($input:ident) => {
        VisibilityFilters {
            start: $input.start_time_filter,
            close: $input.close_time_filter,
            execution: $input.execution_filter,
            type_filter: $input.type_filter,
            tag: $input.tag_filter,
            close_status: $input.close_status_filter,
        }
    };
}

/// `(nextPageToken, maximumPageSize, reverseOrder)` of a List input.
type Page = (Option<String>, Option<i32>, Option<bool>);

/// ListOpenWorkflowExecutions.
pub(super) fn list_open_workflow_executions(shared: &Shared, body: &[u8]) -> Answer {
    let input: ListOpenWorkflowExecutionsInput = parse(body)?;
    let filters = open_filters!(input);
    let page = (
        input.next_page_token,
        input.maximum_page_size,
        input.reverse_order,
    );
    list(shared, &input.domain, true, filters, page)
}

/// ListClosedWorkflowExecutions.
pub(super) fn list_closed_workflow_executions(shared: &Shared, body: &[u8]) -> Answer {
    let input: ListClosedWorkflowExecutionsInput = parse(body)?;
    let filters = closed_filters!(input);
    let page = (
        input.next_page_token,
        input.maximum_page_size,
        input.reverse_order,
    );
    list(shared, &input.domain, false, filters, page)
}

/// CountOpenWorkflowExecutions.
pub(super) fn count_open_workflow_executions(shared: &Shared, body: &[u8]) -> Answer {
    let input: CountOpenWorkflowExecutionsInput = parse(body)?;
    let filters = open_filters!(input);
    count(shared, &input.domain, true, filters)
}

/// CountClosedWorkflowExecutions.
pub(super) fn count_closed_workflow_executions(shared: &Shared, body: &[u8]) -> Answer {
    let input: CountClosedWorkflowExecutionsInput = parse(body)?;
    let filters = closed_filters!(input);
    count(shared, &input.domain, false, filters)
}

/// A List call once its input is read.
fn list(
    shared: &Shared,
    domain: &str,
    open: bool,
    filters: VisibilityFilters,
    page: Page,
) -> Answer {
    check_filters(domain, &filters, open)?;
    read(shared, |m| m.list_executions(domain, open, filters, page))
}

/// A Count call once its input is read.
fn count(shared: &Shared, domain: &str, open: bool, filters: VisibilityFilters) -> Answer {
    check_filters(domain, &filters, open)?;
    read(shared, |m| m.count_executions(domain, open, filters))
}

/// The List/Count filter rules of spec §7.2.
fn check_filters(domain: &str, f: &VisibilityFilters, open: bool) -> ServiceResult<()> {
    let mut check = Check::default();
    check.len("domain", domain, 1, MAX_ID_LEN);
    let exclusive = [
        f.execution.is_some(),
        f.type_filter.is_some(),
        f.tag.is_some(),
        f.close_status.is_some(),
    ]
    .iter()
    .filter(|set| **set)
    .count();
    if exclusive > 1 {
        let members = if open {
            "executionFilter, typeFilter and tagFilter"
        } else {
            "executionFilter, typeFilter, tagFilter and closeStatusFilter"
        };
        check.fail(
            "filters",
            format!("{members} are mutually exclusive: give at most one"),
        );
    }
    if !open && f.start.is_some() == f.close.is_some() {
        check.fail(
            "startTimeFilter",
            "exactly one of startTimeFilter and closeTimeFilter must be given",
        );
    }
    check.done()
}
