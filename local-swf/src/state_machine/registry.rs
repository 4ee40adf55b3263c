//! Domains, activity and workflow types, and domain tags (spec §3.1, §3.2, §3.7).

use serde_json::{Value, json};
use swf_model::*;

use super::machine::StateMachine;
use super::shared::page_size;
use crate::database::{DomainRow, TypeQuery, TypeRow};
use crate::error::{ServiceError, ServiceResult};
use crate::tokens::{page_position, page_token};

/// Most domains per account (deprecated ones included).
const MAX_DOMAINS: i64 = 100;
/// Most types of one kind per domain.
const MAX_TYPES: i64 = 10_000;

impl StateMachine {
    /// RegisterDomain.
    pub fn register_domain(&mut self, input: RegisterDomainInput) -> ServiceResult<()> {
        if self.db.domain(&input.name)?.is_some() {
            return Err(ServiceError::new(
                FaultKind::DomainAlreadyExistsFault,
                format!("Domain already exists: {}", input.name),
            ));
        }
        if self.db.count_domains()? >= MAX_DOMAINS {
            return Err(ServiceError::new(
                FaultKind::LimitExceededFault,
                format!("At most {MAX_DOMAINS} domains may be registered"),
            ));
        }
        let tags = input.tags.unwrap_or_default();
        if tags.len() > MAX_RESOURCE_TAGS {
            return Err(too_many_tags(tags.len()));
        }
        self.db.put_domain(&DomainRow {
            name: input.name,
            status: "REGISTERED".into(),
            description: input.description,
            retention: input.workflow_execution_retention_period_in_days,
            tags: json!(tags),
        })?;
        Ok(())
    }

    /// DeprecateDomain: the domain and every type in it.
    pub fn deprecate_domain(&mut self, name: &str) -> ServiceResult<()> {
        let mut domain = self.require_domain(name)?;
        if domain.status == "DEPRECATED" {
            return Err(ServiceError::new(
                FaultKind::DomainDeprecatedFault,
                format!("Domain is deprecated: {name}"),
            ));
        }
        domain.status = "DEPRECATED".into();
        self.db.put_domain(&domain)?;
        for kind in ["activity", "workflow"] {
            let query = TypeQuery {
                domain: name,
                kind,
                status: "REGISTERED",
                name: None,
                after: None,
                reverse: false,
                limit: i64::MAX as usize,
            };
            for mut t in self.db.list_types(&query)? {
                t.status = "DEPRECATED".into();
                t.deprecated = Some(self.now_secs());
                self.db.put_type(&t)?;
            }
        }
        Ok(())
    }

    /// UndeprecateDomain (types stay as they are).
    pub fn undeprecate_domain(&mut self, name: &str) -> ServiceResult<()> {
        let mut domain = self.require_domain(name)?;
        if domain.status == "REGISTERED" {
            return Err(ServiceError::new(
                FaultKind::DomainAlreadyExistsFault,
                format!("Domain is not deprecated: {name}"),
            ));
        }
        domain.status = "REGISTERED".into();
        self.db.put_domain(&domain)?;
        Ok(())
    }

    /// DescribeDomain.
    pub fn describe_domain(&mut self, name: &str) -> ServiceResult<Value> {
        let domain = self.require_domain(name)?;
        Ok(json!({
            "domainInfo": self.domain_info(&domain),
            "configuration": {"workflowExecutionRetentionPeriodInDays": domain.retention},
        }))
    }

    fn domain_info(&self, domain: &DomainRow) -> Value {
        let mut info = json!({
            "name": domain.name,
            "status": domain.status,
            "arn": self.domain_arn(&domain.name),
        });
        if let Some(description) = &domain.description {
            info["description"] = json!(description);
        }
        info
    }

    /// ListDomains.
    pub fn list_domains(&mut self, input: ListDomainsInput) -> ServiceResult<Value> {
        let limit = page_size(input.maximum_page_size)?;
        let reverse = input.reverse_order.unwrap_or(false);
        let args = json!(["domains", input.registration_status.as_str(), reverse]);
        let after = match &input.next_page_token {
            Some(token) => Some(page_position(token, &args, self.clock_ms())?),
            None => None,
        };
        let mut rows = self.db.list_domains(
            input.registration_status.as_str(),
            after.as_ref().and_then(Value::as_str),
            reverse,
            limit + 1,
        )?;
        let mut answer = json!({});
        if rows.len() > limit {
            rows.truncate(limit);
            let last = json!(rows[limit - 1].name);
            answer["nextPageToken"] = json!(page_token(last, &args, self.clock_ms()));
        }
        answer["domainInfos"] = rows.iter().map(|d| self.domain_info(d)).collect();
        Ok(answer)
    }

    /// RegisterActivityType / RegisterWorkflowType: `config` is the type configuration JSON.
    pub fn register_type(
        &mut self,
        domain: &str,
        kind: &'static str,
        name: &str,
        version: &str,
        description: Option<String>,
        config: Value,
    ) -> ServiceResult<()> {
        let row = self.require_domain(domain)?;
        if row.status == "DEPRECATED" {
            return Err(ServiceError::new(
                FaultKind::DomainDeprecatedFault,
                format!("Domain is deprecated: {domain}"),
            ));
        }
        if self.find_type(domain, kind, name, version)?.is_some() {
            return Err(ServiceError::new(
                FaultKind::TypeAlreadyExistsFault,
                format!("{}=[name={name}, version={version}]", type_label(kind)),
            ));
        }
        if self.db.count_types(domain, kind)? >= MAX_TYPES {
            return Err(ServiceError::new(
                FaultKind::LimitExceededFault,
                format!("At most {MAX_TYPES} {kind} types may be registered in a domain"),
            ));
        }
        self.db.put_type(&TypeRow {
            domain: domain.to_owned(),
            kind,
            name: name.to_owned(),
            version: version.to_owned(),
            status: "REGISTERED".into(),
            description,
            config,
            created: self.now_secs(),
            deprecated: None,
        })?;
        Ok(())
    }

    fn require_type(
        &self,
        domain: &str,
        kind: &'static str,
        name: &str,
        version: &str,
    ) -> ServiceResult<TypeRow> {
        self.require_domain(domain)?;
        self.find_type(domain, kind, name, version)?.ok_or_else(|| {
            ServiceError::unknown(format!(
                "Unknown type: {}=[name={name}, version={version}]",
                type_label(kind)
            ))
        })
    }

    /// Deprecate*Type.
    pub fn deprecate_type(
        &mut self,
        domain: &str,
        kind: &'static str,
        name: &str,
        version: &str,
    ) -> ServiceResult<()> {
        let mut t = self.require_type(domain, kind, name, version)?;
        if t.status == "DEPRECATED" {
            return Err(ServiceError::new(
                FaultKind::TypeDeprecatedFault,
                format!("{}=[name={name}, version={version}]", type_label(kind)),
            ));
        }
        t.status = "DEPRECATED".into();
        t.deprecated = Some(self.now_secs());
        self.db.put_type(&t)?;
        Ok(())
    }

    /// Undeprecate*Type.
    pub fn undeprecate_type(
        &mut self,
        domain: &str,
        kind: &'static str,
        name: &str,
        version: &str,
    ) -> ServiceResult<()> {
        let mut t = self.require_type(domain, kind, name, version)?;
        if t.status == "REGISTERED" {
            return Err(ServiceError::new(
                FaultKind::TypeAlreadyExistsFault,
                format!("{}=[name={name}, version={version}]", type_label(kind)),
            ));
        }
        t.status = "REGISTERED".into();
        t.deprecated = None;
        self.db.put_type(&t)?;
        Ok(())
    }

    /// Delete*Type (only deprecated types).
    pub fn delete_type(
        &mut self,
        domain: &str,
        kind: &'static str,
        name: &str,
        version: &str,
    ) -> ServiceResult<()> {
        let t = self.require_type(domain, kind, name, version)?;
        if t.status != "DEPRECATED" {
            return Err(ServiceError::new(
                FaultKind::TypeNotDeprecatedFault,
                format!(
                    "{}=[name={name}, version={version}] is not deprecated",
                    type_label(kind)
                ),
            ));
        }
        self.db.delete_type(&t)?;
        Ok(())
    }

    /// Describe*Type.
    pub fn describe_type(
        &mut self,
        domain: &str,
        kind: &'static str,
        name: &str,
        version: &str,
    ) -> ServiceResult<Value> {
        let t = self.require_type(domain, kind, name, version)?;
        Ok(json!({"typeInfo": type_info(&t), "configuration": t.config}))
    }

    /// List*Types.
    pub fn list_types(
        &mut self,
        domain: &str,
        kind: &'static str,
        status: &RegistrationStatus,
        name: Option<&str>,
        page: (Option<&str>, Option<i32>, Option<bool>),
    ) -> ServiceResult<Value> {
        self.require_domain(domain)?;
        let (token, size, reverse) = page;
        let limit = page_size(size)?;
        let reverse = reverse.unwrap_or(false);
        let args = json!([kind, domain, status.as_str(), name, reverse]);
        let after: Option<(String, String)> = match token {
            Some(token) => serde_json::from_value(page_position(token, &args, self.clock_ms())?)
                .map_err(|_| ServiceError::invalid_member("nextPageToken", "malformed page token"))
                .map(Some)?,
            None => None,
        };
        let mut rows = self.db.list_types(&TypeQuery {
            domain,
            kind,
            status: status.as_str(),
            name,
            after: after.as_ref().map(|(n, v)| (n.as_str(), v.as_str())),
            reverse,
            limit: limit + 1,
        })?;
        let mut answer = json!({});
        if rows.len() > limit {
            rows.truncate(limit);
            let last = &rows[limit - 1];
            let position = json!([last.name, last.version]);
            answer["nextPageToken"] = json!(page_token(position, &args, self.clock_ms()));
        }
        answer["typeInfos"] = rows.iter().map(type_info).collect();
        Ok(answer)
    }

    /// The domain an ARN names.
    fn domain_of_arn(&self, arn: &str) -> ServiceResult<DomainRow> {
        let prefix = format!(
            "arn:aws:swf:{}:{}:/domain/",
            self.config.region, self.config.account_id
        );
        let name = arn
            .strip_prefix(&prefix)
            .ok_or_else(|| ServiceError::unknown(format!("Unknown resource: {arn}")))?;
        self.db
            .domain(name)?
            .ok_or_else(|| ServiceError::unknown(format!("Unknown resource: {arn}")))
    }

    /// TagResource: upserts by key.
    pub fn tag_resource(&mut self, arn: &str, tags: Vec<ResourceTag>) -> ServiceResult<()> {
        let mut domain = self.domain_of_arn(arn)?;
        let mut current: Vec<ResourceTag> =
            serde_json::from_value(domain.tags.clone()).unwrap_or_default();
        for tag in tags {
            current.retain(|t| t.key != tag.key);
            current.push(tag);
        }
        if current.len() > MAX_RESOURCE_TAGS {
            return Err(too_many_tags(current.len()));
        }
        domain.tags = json!(current);
        self.db.put_domain(&domain)?;
        Ok(())
    }

    /// UntagResource: removes the keys given (absent keys are ignored).
    pub fn untag_resource(&mut self, arn: &str, keys: &[String]) -> ServiceResult<()> {
        let mut domain = self.domain_of_arn(arn)?;
        let mut current: Vec<ResourceTag> =
            serde_json::from_value(domain.tags.clone()).unwrap_or_default();
        current.retain(|t| !keys.contains(&t.key));
        domain.tags = json!(current);
        self.db.put_domain(&domain)?;
        Ok(())
    }

    /// ListTagsForResource.
    pub fn list_tags(&mut self, arn: &str) -> ServiceResult<Value> {
        let domain = self.domain_of_arn(arn)?;
        Ok(json!({"tags": domain.tags}))
    }
}

fn type_label(kind: &str) -> &'static str {
    if kind == "activity" {
        "ActivityType"
    } else {
        "WorkflowType"
    }
}

fn type_info(t: &TypeRow) -> Value {
    let id_key = if t.kind == "activity" {
        "activityType"
    } else {
        "workflowType"
    };
    let mut info = json!({
        id_key: {"name": t.name, "version": t.version},
        "status": t.status,
        "creationDate": t.created,
    });
    if let Some(description) = &t.description {
        info["description"] = json!(description);
    }
    if let Some(at) = t.deprecated {
        info["deprecationDate"] = json!(at);
    }
    info
}

fn too_many_tags(count: usize) -> ServiceError {
    ServiceError::new(
        FaultKind::TooManyTagsFault,
        format!("A domain may have at most {MAX_RESOURCE_TAGS} tags, got {count}"),
    )
}
