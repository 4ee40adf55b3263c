//! Request validation the way SWF does it (spec §6.17): lengths, identifier character rules,
//! durations, priorities, enums, tag lists. Problems are collected and reported together as one
//! ValidationException ("2 validation errors detected: …; …").

use swf_model::*;

use crate::error::{ServiceError, ServiceResult};

/// Collects the problems of one request.
#[derive(Default)]
pub struct Check(Vec<String>);

impl Check {
    fn push(&mut self, path: &str, result: Result<(), String>) {
        if let Err(problem) = result {
            self.0.push(format!(
                "Value at '{path}' failed to satisfy constraint: {problem}"
            ));
        }
    }

    /// A domain name: an identifier without surrounding whitespace.
    pub fn domain(&mut self, path: &str, value: &str) -> &mut Self {
        self.id(path, value);
        if value.trim() != value {
            self.push(path, Err("must not begin or end with whitespace".into()));
        }
        self
    }

    /// An identifier (names, ids, task lists): 1..=256, no `:` `/` `|`, no control characters.
    pub fn id(&mut self, path: &str, value: &str) -> &mut Self {
        self.push(path, check_identifier(value, MAX_ID_LEN));
        self
    }

    /// A free-form string of `min..=max` characters.
    pub fn len(&mut self, path: &str, value: &str, min: usize, max: usize) -> &mut Self {
        self.push(path, check_length(value, min, max));
        self
    }

    /// An optional free-form string of at most `max` characters.
    pub fn opt_len(&mut self, path: &str, value: &Option<String>, max: usize) -> &mut Self {
        if let Some(value) = value {
            self.len(path, value, 0, max);
        }
        self
    }

    /// An optional payload (input, result, details, control, context).
    pub fn data(&mut self, path: &str, value: &Option<String>) -> &mut Self {
        self.opt_len(path, value, MAX_DATA_LEN)
    }

    /// An optional duration (`NONE` or digits).
    pub fn duration(&mut self, path: &str, value: &Option<String>) -> &mut Self {
        if let Some(value) = value {
            self.push(path, check_duration(value));
        }
        self
    }

    /// An optional execution start-to-close timeout: digits up to one year, never `NONE`.
    pub fn execution_timeout(&mut self, path: &str, value: &Option<String>) -> &mut Self {
        if let Some(value) = value {
            if value == "NONE" {
                self.push(
                    path,
                    Err("NONE is not allowed for a workflow execution timeout".into()),
                );
            } else {
                self.push(path, check_execution_timeout(value));
            }
        }
        self
    }

    /// An optional priority.
    pub fn priority(&mut self, path: &str, value: &Option<String>) -> &mut Self {
        if let Some(value) = value {
            self.push(path, check_priority(value));
        }
        self
    }

    /// An optional task list.
    pub fn task_list(&mut self, path: &str, value: &Option<TaskList>) -> &mut Self {
        if let Some(list) = value {
            self.id(&format!("{path}.name"), &list.name);
        }
        self
    }

    /// A type id `{name, version}`.
    pub fn type_id(&mut self, path: &str, name: &str, version: &str) -> &mut Self {
        self.id(&format!("{path}.name"), name);
        self.push(
            &format!("{path}.version"),
            check_identifier(version, MAX_VERSION_LEN),
        );
        self
    }

    /// A run id (optional, ≤ 64).
    pub fn run_id(&mut self, path: &str, value: &Option<String>) -> &mut Self {
        self.opt_len(path, value, MAX_RUN_ID_LEN)
    }

    /// An execution `{workflowId, runId}` (both required).
    pub fn execution(&mut self, path: &str, e: &WorkflowExecution) -> &mut Self {
        self.id(&format!("{path}.workflowId"), &e.workflow_id);
        self.len(&format!("{path}.runId"), &e.run_id, 1, MAX_RUN_ID_LEN)
    }

    /// A run's tag list.
    pub fn tags(&mut self, path: &str, value: &Option<Vec<String>>) -> &mut Self {
        if let Some(tags) = value {
            if tags.len() > MAX_TAGS {
                self.push(
                    path,
                    Err(format!(
                        "Member must have at most {MAX_TAGS} items, got {}",
                        tags.len()
                    )),
                );
            }
            for (i, tag) in tags.iter().enumerate() {
                self.len(&format!("{path}.{}.member", i + 1), tag, 0, MAX_TAG_LEN);
            }
        }
        self
    }

    /// An optional child policy must be a known value.
    pub fn child_policy(&mut self, path: &str, value: &Option<ChildPolicy>) -> &mut Self {
        if let Some(policy) = value
            && !policy.is_known()
        {
            self.push(path, Err(format!("Member must satisfy enum value set: [TERMINATE, REQUEST_CANCEL, ABANDON], got {}", policy.as_str())));
        }
        self
    }

    /// A registration status must be a known value.
    pub fn status(&mut self, path: &str, value: &RegistrationStatus) -> &mut Self {
        if !value.is_known() {
            self.push(
                path,
                Err(format!(
                    "Member must satisfy enum value set: [REGISTERED, DEPRECATED], got {}",
                    value.as_str()
                )),
            );
        }
        self
    }

    /// A page token (≤ 2048).
    pub fn page_token(&mut self, value: &Option<String>) -> &mut Self {
        self.opt_len("nextPageToken", value, MAX_PAGE_TOKEN_LEN)
    }

    /// A task token (1..=1024).
    pub fn task_token(&mut self, value: &str) -> &mut Self {
        self.len("taskToken", value, 1, MAX_TASK_TOKEN_LEN)
    }

    /// Adds a problem of the caller's own.
    pub fn fail(&mut self, path: &str, problem: impl Into<String>) -> &mut Self {
        self.push(path, Err(problem.into()));
        self
    }

    /// The ValidationException, if anything was wrong.
    pub fn done(&mut self) -> ServiceResult<()> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(ServiceError::validation(format!(
                "1 validation error detected: {}",
                self.0[0]
            ))),
            n => Err(ServiceError::validation(format!(
                "{n} validation errors detected: {}",
                self.0.join("; ")
            ))),
        }
    }
}

/// Retention: `NONE` or 0..=90 days.
pub fn check_retention(value: &str) -> Result<(), String> {
    match value {
        "NONE" => Ok(()),
        v => match v.parse::<u32>() {
            Ok(days) if days <= MAX_RETENTION_DAYS && v.len() <= 8 => Ok(()),
            _ => Err(format!(
                "must be NONE or a number of days from 0 to {MAX_RETENTION_DAYS}, got {v:?}"
            )),
        },
    }
}

/// A domain resource tag.
pub fn check_resource_tag(check: &mut Check, path: &str, tag: &ResourceTag) {
    check.len(
        &format!("{path}.key"),
        &tag.key,
        1,
        MAX_RESOURCE_TAG_KEY_LEN,
    );
    check.opt_len(
        &format!("{path}.value"),
        &tag.value,
        MAX_RESOURCE_TAG_VALUE_LEN,
    );
    let allowed = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c);
    if !tag.key.chars().all(allowed) || !tag.value.as_deref().unwrap_or("").chars().all(allowed) {
        check.fail(
            path,
            "tags may contain only letters, digits, whitespace and _ . : / = + - @",
        );
    }
}
