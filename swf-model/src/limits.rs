//! Documented SWF limits (§6.16) and value rules (§6.17), plus validation of a decider's
//! response before it is sent or applied.
//!
//! Lengths are counted in characters (`chars().count()`), as the service documents them, not in
//! UTF-8 bytes.

mod validate;

pub use validate::{validate_decisions, validate_response};

/// Maximum length of free-form payloads: input, result, details, control, executionContext.
pub const MAX_DATA_LEN: usize = 32_768;
/// Maximum length of a failure or termination `reason`.
pub const MAX_REASON_LEN: usize = 256;
/// Maximum length of names and ids: domain, type name, workflowId, activityId, timerId,
/// markerName, signalName, task list name, Lambda task id.
pub const MAX_ID_LEN: usize = 256;
/// Maximum length of a type version.
pub const MAX_VERSION_LEN: usize = 64;
/// Maximum length of a run id.
pub const MAX_RUN_ID_LEN: usize = 64;
/// Maximum length of a Lambda function name or ARN in ScheduleLambdaFunction.
pub const MAX_LAMBDA_NAME_LEN: usize = 64;
/// Maximum Lambda start-to-close timeout, in seconds.
pub const MAX_LAMBDA_TIMEOUT_SECS: u64 = 900;
/// Maximum length of heartbeat details (and of ActivityTaskTimedOut details).
pub const MAX_HEARTBEAT_DETAILS_LEN: usize = 2_048;
/// Maximum length of a poller `identity`.
pub const MAX_IDENTITY_LEN: usize = 256;
/// Maximum length of a domain or type `description`.
pub const MAX_DESCRIPTION_LEN: usize = 1_024;
/// Maximum length of an ARN (`lambdaRole`, `resourceArn`).
pub const MAX_ARN_LEN: usize = 1_600;
/// Maximum length of a task token.
pub const MAX_TASK_TOKEN_LEN: usize = 1_024;
/// Maximum length of a pagination token.
pub const MAX_PAGE_TOKEN_LEN: usize = 2_048;
/// Maximum (and default) page size of paginated calls.
pub const MAX_PAGE_SIZE: i32 = 1_000;
/// Maximum length of a duration string (`NONE` or decimal seconds).
pub const MAX_DURATION_LEN: usize = 8;
/// Maximum number of decisions in one RespondDecisionTaskCompleted.
pub const MAX_DECISIONS: usize = 100;
/// Maximum serialized size, in bytes, of a RespondDecisionTaskCompleted body.
///
/// SWF caps a request (headers plus body) at 1 MB. Only the JSON body is measured here, so the
/// limit is taken as the decimal 1,000,000 rather than 1,048,576: that leaves room for the
/// headers whichever meaning of "MB" the service applies.
pub const MAX_RESPONSE_BYTES: usize = 1_000_000;
/// Maximum number of tags on a run (`tagList`).
pub const MAX_TAGS: usize = 5;
/// Maximum length of one run tag.
pub const MAX_TAG_LEN: usize = 256;
/// Maximum number of resource tags on a domain.
pub const MAX_RESOURCE_TAGS: usize = 50;
/// Maximum length of a resource tag key.
pub const MAX_RESOURCE_TAG_KEY_LEN: usize = 128;
/// Maximum length of a resource tag value.
pub const MAX_RESOURCE_TAG_VALUE_LEN: usize = 256;
/// Maximum number of events in one run's history; the run is terminated when it is reached.
pub const MAX_HISTORY_EVENTS: usize = 25_000;
/// Maximum execution start-to-close timeout (one year), in seconds.
pub const MAX_EXECUTION_TIMEOUT_SECS: u64 = 31_536_000;
/// Maximum domain retention period, in days.
pub const MAX_RETENTION_DAYS: u32 = 90;
/// Maximum open activity tasks per run.
pub const MAX_OPEN_ACTIVITIES: usize = 1_000;
/// Maximum open timers per run.
pub const MAX_OPEN_TIMERS: usize = 1_000;
/// Maximum open child executions per run.
pub const MAX_OPEN_CHILDREN: usize = 1_000;
/// How long a long poll is held before answering "no task", in seconds.
pub const LONG_POLL_SECS: u64 = 60;

/// A problem found in a decider's response.
///
/// `index` is the 0-based position of the offending decision (so the first decision is
/// "decision 0"), or `None` for problems with the list or the response as a whole. `field` is the
/// wire path of the offending member, starting with the attributes key for per-decision problems.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{field}: {problem}", location(.index, .decision_type))]
pub struct DecisionError {
    /// 0-based index of the decision, when the problem is in one decision.
    pub index: Option<usize>,
    /// `decisionType` of that decision.
    pub decision_type: Option<&'static str>,
    /// Wire path of the offending member, e.g.
    /// `scheduleActivityTaskDecisionAttributes.activityId` or `decisions`.
    pub field: String,
    /// What is wrong, e.g. `must be at most 256 characters, got 300`.
    pub problem: String,
}

/// The `decision N (Type): ` prefix of a per-decision error.
fn location(index: &Option<usize>, decision_type: &Option<&'static str>) -> String {
    match (index, decision_type) {
        (Some(index), Some(decision_type)) => format!("decision {index} ({decision_type}): "),
        (Some(index), None) => format!("decision {index}: "),
        (None, _) => String::new(),
    }
}

/// The longest prefix of `s` with at most `max` characters (never splits a character).
pub fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((end, _)) => &s[..end],
        None => s,
    }
}

/// Checks that `value` has `min..=max` characters.
pub fn check_length(value: &str, min: usize, max: usize) -> Result<(), String> {
    // Count at most max + 1 characters: enough to decide, and cheap for huge payloads.
    let count = value.chars().take(max.saturating_add(1)).count();
    if count > max {
        return Err(format!(
            "must be at most {max} characters, got {}",
            value.chars().count()
        ));
    }
    if count < min {
        return Err(if count == 0 {
            "must not be empty".to_owned()
        } else {
            format!("must be at least {min} characters, got {count}")
        });
    }
    Ok(())
}

/// Checks an identifier (domain name, type name or version, workflowId, activityId, timerId,
/// task list name): 1..=`max` characters, no `:`, `/` or `|`, no control characters, and not
/// the literal `arn`.
pub fn check_identifier(value: &str, max: usize) -> Result<(), String> {
    check_length(value, 1, max)?;
    if let Some(bad) = value
        .chars()
        .find(|c| matches!(c, ':' | '/' | '|') || c.is_control())
    {
        return Err(if bad.is_control() {
            format!(
                "must not contain control character U+{:04X}",
                u32::from(bad)
            )
        } else {
            format!("must not contain '{bad}'")
        });
    }
    if value == "arn" {
        return Err("must not be the literal \"arn\"".to_owned());
    }
    Ok(())
}

/// Checks a duration: `NONE` or 1 to 8 ASCII digits.
pub fn check_duration(value: &str) -> Result<(), String> {
    if value == "NONE" || is_short_number(value) {
        Ok(())
    } else {
        Err(format!(
            "must be NONE or 1 to {MAX_DURATION_LEN} ASCII digits, got {:?}",
            truncate_chars(value, 16)
        ))
    }
}

/// Seconds of a duration string: `Some(n)` for 1 to 8 ASCII digits, `None` for `NONE` (no
/// limit) and for anything [`check_duration`] refuses. The one parser of SWF durations in the
/// workspace; callers that must tell `NONE` from garbage check first.
pub fn duration_secs(value: &str) -> Option<u64> {
    if is_short_number(value) {
        value.parse().ok()
    } else {
        None
    }
}

/// Checks a timer duration (`startToFireTimeout`): 1 to 8 ASCII digits, `NONE` not allowed.
pub fn check_timer_duration(value: &str) -> Result<(), String> {
    if is_short_number(value) {
        Ok(())
    } else {
        Err(format!(
            "must be 1 to {MAX_DURATION_LEN} ASCII digits, got {:?}",
            truncate_chars(value, 16)
        ))
    }
}

/// Checks an execution start-to-close timeout given in a decision: a duration of at most
/// [`MAX_EXECUTION_TIMEOUT_SECS`] seconds, or `NONE` (which the service treats as one year).
pub fn check_execution_timeout(value: &str) -> Result<(), String> {
    check_duration(value)?;
    match duration_secs(value) {
        Some(secs) if secs > MAX_EXECUTION_TIMEOUT_SECS => Err(format!(
            "must be at most {MAX_EXECUTION_TIMEOUT_SECS} seconds, got {secs}"
        )),
        _ => Ok(()),
    }
}

/// Checks a task priority: a signed 32-bit decimal integer.
pub fn check_priority(value: &str) -> Result<(), String> {
    if value.parse::<i32>().is_ok() {
        Ok(())
    } else {
        Err(format!(
            "must be a decimal integer from -2147483648 to 2147483647, got {:?}",
            truncate_chars(value, 16)
        ))
    }
}

/// Whether `value` is 1 to [`MAX_DURATION_LEN`] ASCII digits.
fn is_short_number(value: &str) -> bool {
    (1..=MAX_DURATION_LEN).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
}
