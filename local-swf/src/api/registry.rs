//! The actions on domains, types and domain tags (spec §3.1, §3.2, §3.7).

use serde::de::DeserializeOwned;
use serde_json::json;
use swf_model::*;

use super::support::{Answer, Shared, parse, read, write};
use crate::error::ServiceResult;
use crate::validate::{Check, check_resource_tag, check_retention};

/// The two kinds of registered types, for the actions that exist once per kind.
pub(super) trait TypeKind {
    /// `activity` or `workflow`, as the state machine and the database name the kind.
    const KIND: &'static str;
    /// The input member that names the type (`activityType` or `workflowType`).
    const MEMBER: &'static str;
    /// The input of the kind's Deprecate/Undeprecate/Delete/Describe call.
    type Input: DeserializeOwned;
    /// `(domain, name, version)` of such an input.
    fn parts(input: Self::Input) -> (String, String, String);
}

/// Activity types.
pub(super) struct Activity;

/// Workflow types.
pub(super) struct Workflow;

impl TypeKind for Activity {
    const KIND: &'static str = "activity";
    const MEMBER: &'static str = "activityType";
    type Input = DescribeActivityTypeInput;
    fn parts(input: Self::Input) -> (String, String, String) {
        let t = input.activity_type;
        (input.domain, t.name, t.version)
    }
}

impl TypeKind for Workflow {
    const KIND: &'static str = "workflow";
    const MEMBER: &'static str = "workflowType";
    type Input = DescribeWorkflowTypeInput;
    fn parts(input: Self::Input) -> (String, String, String) {
        let t = input.workflow_type;
        (input.domain, t.name, t.version)
    }
}

/// RegisterDomain.
pub(super) fn register_domain(shared: &Shared, body: &[u8]) -> Answer {
    let input: RegisterDomainInput = parse(body)?;
    let mut check = Check::default();
    check.domain("name", &input.name).opt_len(
        "description",
        &input.description,
        MAX_DESCRIPTION_LEN,
    );
    if let Err(problem) = check_retention(&input.workflow_execution_retention_period_in_days) {
        check.fail("workflowExecutionRetentionPeriodInDays", problem);
    }
    for (i, tag) in input.tags.iter().flatten().enumerate() {
        check_resource_tag(&mut check, &format!("tags.{}.member", i + 1), tag);
    }
    check.done()?;
    write(shared, |m| m.register_domain(input))
}

/// The domain name of DeprecateDomain, UndeprecateDomain and DescribeDomain, checked.
fn domain_name(name: String) -> ServiceResult<String> {
    Check::default().len("name", &name, 1, MAX_ID_LEN).done()?;
    Ok(name)
}

/// DeprecateDomain.
pub(super) fn deprecate_domain(shared: &Shared, body: &[u8]) -> Answer {
    let name = domain_name(parse::<DeprecateDomainInput>(body)?.name)?;
    write(shared, |m| m.deprecate_domain(&name))
}

/// UndeprecateDomain.
pub(super) fn undeprecate_domain(shared: &Shared, body: &[u8]) -> Answer {
    let name = domain_name(parse::<UndeprecateDomainInput>(body)?.name)?;
    write(shared, |m| m.undeprecate_domain(&name))
}

/// DescribeDomain.
pub(super) fn describe_domain(shared: &Shared, body: &[u8]) -> Answer {
    let name = domain_name(parse::<DescribeDomainInput>(body)?.name)?;
    read(shared, |m| m.describe_domain(&name))
}

/// ListDomains.
pub(super) fn list_domains(shared: &Shared, body: &[u8]) -> Answer {
    let input: ListDomainsInput = parse(body)?;
    Check::default()
        .status("registrationStatus", &input.registration_status)
        .page_token(&input.next_page_token)
        .done()?;
    read(shared, |m| m.list_domains(input))
}

/// RegisterActivityType.
pub(super) fn register_activity_type(shared: &Shared, body: &[u8]) -> Answer {
    let input: RegisterActivityTypeInput = parse(body)?;
    Check::default()
        .len("domain", &input.domain, 1, MAX_ID_LEN)
        .type_id("", &input.name, &input.version)
        .opt_len("description", &input.description, MAX_DESCRIPTION_LEN)
        .duration(
            "defaultTaskStartToCloseTimeout",
            &input.default_task_start_to_close_timeout,
        )
        .duration(
            "defaultTaskHeartbeatTimeout",
            &input.default_task_heartbeat_timeout,
        )
        .duration(
            "defaultTaskScheduleToStartTimeout",
            &input.default_task_schedule_to_start_timeout,
        )
        .duration(
            "defaultTaskScheduleToCloseTimeout",
            &input.default_task_schedule_to_close_timeout,
        )
        .task_list("defaultTaskList", &input.default_task_list)
        .priority("defaultTaskPriority", &input.default_task_priority)
        .done()?;
    let config = json!(ActivityTypeConfiguration {
        default_task_start_to_close_timeout: input.default_task_start_to_close_timeout,
        default_task_heartbeat_timeout: input.default_task_heartbeat_timeout,
        default_task_list: input.default_task_list,
        default_task_priority: input.default_task_priority,
        default_task_schedule_to_start_timeout: input.default_task_schedule_to_start_timeout,
        default_task_schedule_to_close_timeout: input.default_task_schedule_to_close_timeout,
    });
    write(shared, |m| {
        m.register_type(
            &input.domain,
            Activity::KIND,
            &input.name,
            &input.version,
            input.description,
            config,
        )
    })
}

/// RegisterWorkflowType.
pub(super) fn register_workflow_type(shared: &Shared, body: &[u8]) -> Answer {
    let input: RegisterWorkflowTypeInput = parse(body)?;
    Check::default()
        .len("domain", &input.domain, 1, MAX_ID_LEN)
        .type_id("", &input.name, &input.version)
        .opt_len("description", &input.description, MAX_DESCRIPTION_LEN)
        .duration(
            "defaultTaskStartToCloseTimeout",
            &input.default_task_start_to_close_timeout,
        )
        .execution_timeout(
            "defaultExecutionStartToCloseTimeout",
            &input.default_execution_start_to_close_timeout,
        )
        .task_list("defaultTaskList", &input.default_task_list)
        .priority("defaultTaskPriority", &input.default_task_priority)
        .child_policy("defaultChildPolicy", &input.default_child_policy)
        .opt_len("defaultLambdaRole", &input.default_lambda_role, MAX_ARN_LEN)
        .done()?;
    let config = json!(WorkflowTypeConfiguration {
        default_task_start_to_close_timeout: input.default_task_start_to_close_timeout,
        default_execution_start_to_close_timeout: input.default_execution_start_to_close_timeout,
        default_task_list: input.default_task_list,
        default_task_priority: input.default_task_priority,
        default_child_policy: input.default_child_policy,
        default_lambda_role: input.default_lambda_role,
    });
    write(shared, |m| {
        m.register_type(
            &input.domain,
            Workflow::KIND,
            &input.name,
            &input.version,
            input.description,
            config,
        )
    })
}

/// The `(domain, name, version)` of a Deprecate/Undeprecate/Delete/Describe*Type call, checked.
fn type_input<K: TypeKind>(body: &[u8]) -> ServiceResult<(String, String, String)> {
    let (domain, name, version) = K::parts(parse(body)?);
    Check::default()
        .len("domain", &domain, 1, MAX_ID_LEN)
        .type_id(K::MEMBER, &name, &version)
        .done()?;
    Ok((domain, name, version))
}

/// DeprecateActivityType / DeprecateWorkflowType.
pub(super) fn deprecate_type<K: TypeKind>(shared: &Shared, body: &[u8]) -> Answer {
    let (domain, name, version) = type_input::<K>(body)?;
    write(shared, |m| {
        m.deprecate_type(&domain, K::KIND, &name, &version)
    })
}

/// UndeprecateActivityType / UndeprecateWorkflowType.
pub(super) fn undeprecate_type<K: TypeKind>(shared: &Shared, body: &[u8]) -> Answer {
    let (domain, name, version) = type_input::<K>(body)?;
    write(shared, |m| {
        m.undeprecate_type(&domain, K::KIND, &name, &version)
    })
}

/// DeleteActivityType / DeleteWorkflowType.
pub(super) fn delete_type<K: TypeKind>(shared: &Shared, body: &[u8]) -> Answer {
    let (domain, name, version) = type_input::<K>(body)?;
    write(shared, |m| m.delete_type(&domain, K::KIND, &name, &version))
}

/// DescribeActivityType / DescribeWorkflowType.
pub(super) fn describe_type<K: TypeKind>(shared: &Shared, body: &[u8]) -> Answer {
    let (domain, name, version) = type_input::<K>(body)?;
    read(shared, |m| {
        m.describe_type(&domain, K::KIND, &name, &version)
    })
}

/// ListActivityTypes / ListWorkflowTypes (both inputs have the same members).
pub(super) fn list_types<K: TypeKind>(shared: &Shared, body: &[u8]) -> Answer {
    let input: ListActivityTypesInput = parse(body)?;
    Check::default()
        .len("domain", &input.domain, 1, MAX_ID_LEN)
        .opt_len("name", &input.name, MAX_ID_LEN)
        .status("registrationStatus", &input.registration_status)
        .page_token(&input.next_page_token)
        .done()?;
    read(shared, |m| {
        m.list_types(
            &input.domain,
            K::KIND,
            &input.registration_status,
            input.name.as_deref(),
            (
                input.next_page_token.as_deref(),
                input.maximum_page_size,
                input.reverse_order,
            ),
        )
    })
}

/// TagResource.
pub(super) fn tag_resource(shared: &Shared, body: &[u8]) -> Answer {
    let input: TagResourceInput = parse(body)?;
    let mut check = Check::default();
    check.len("resourceArn", &input.resource_arn, 1, MAX_ARN_LEN);
    for (i, tag) in input.tags.iter().enumerate() {
        check_resource_tag(&mut check, &format!("tags.{}.member", i + 1), tag);
    }
    check.done()?;
    write(shared, |m| m.tag_resource(&input.resource_arn, input.tags))
}

/// UntagResource.
pub(super) fn untag_resource(shared: &Shared, body: &[u8]) -> Answer {
    let input: UntagResourceInput = parse(body)?;
    let mut check = Check::default();
    check.len("resourceArn", &input.resource_arn, 1, MAX_ARN_LEN);
    for (i, key) in input.tag_keys.iter().enumerate() {
        check.len(
            &format!("tagKeys.{}.member", i + 1),
            key,
            1,
            MAX_RESOURCE_TAG_KEY_LEN,
        );
    }
    check.done()?;
    write(shared, |m| {
        m.untag_resource(&input.resource_arn, &input.tag_keys)
    })
}

/// ListTagsForResource.
pub(super) fn list_tags_for_resource(shared: &Shared, body: &[u8]) -> Answer {
    let input: ListTagsForResourceInput = parse(body)?;
    Check::default()
        .len("resourceArn", &input.resource_arn, 1, MAX_ARN_LEN)
        .done()?;
    read(shared, |m| m.list_tags(&input.resource_arn))
}
