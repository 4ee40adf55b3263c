//! What one activity artifact may do once loaded ([`Capabilities`]: the meet of its declared
//! requirements and its grants), why an outbound request is refused ([`Refusal`]), and the
//! config values of one task ([`TaskConfig`], [`ConfigAnswer`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use super::address::special_range;
use super::aws::{AwsTarget, is_aws_endpoint};
use super::config::DirGrant;
use super::pattern::{HostPattern, Origin};
use super::values::ValueSource;

/// What one activity artifact may do: the meet of its requirements and its grants.
#[derive(Debug, Clone, Default)]
pub struct Capabilities {
    /// The `plugin` of every grant that matched.
    pub grants: Vec<String>,
    pub(super) declared_hosts: Vec<HostPattern>,
    pub(super) granted_hosts: Vec<HostPattern>,
    pub(super) config: BTreeMap<String, ValueSource>,
    pub(super) declared_keys: BTreeSet<String>,
    /// Directories to preopen.
    pub dirs: Vec<DirGrant>,
    /// AWS services the host signs for.
    pub aws: Vec<Arc<AwsTarget>>,
}

/// Why an outbound request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No grant allows the origin.
    NotGranted,
    /// The grant allows it, but the plugin did not declare it.
    NotDeclared,
    /// An AWS endpoint that no AWS grant covers.
    AwsNotGranted,
    /// Every address the name resolves to is special and not named by a grant.
    SpecialAddress {
        /// The refused address.
        address: IpAddr,
        /// Its range, in words.
        range: &'static str,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotGranted => f.write_str("no grant allows this host"),
            Refusal::NotDeclared => {
                f.write_str("the plugin does not declare this host in `requires`")
            }
            Refusal::AwsNotGranted => f.write_str(
                "an AWS endpoint is reached only through an AWS grant, which the host signs for",
            ),
            Refusal::SpecialAddress { address, range } => write!(
                f,
                "it resolves to {address}, a {range} address, which only a grant naming that address or range reaches"
            ),
        }
    }
}

impl Capabilities {
    /// The AWS grant that serves `origin` (its virtual host or its endpoint), if any.
    pub fn aws_target(&self, origin: &Origin) -> Option<&Arc<AwsTarget>> {
        self.aws.iter().find(|t| t.serves(origin))
    }

    /// Whether the plugin declares `origin`.
    pub fn declares(&self, origin: &Origin) -> bool {
        self.declared_hosts.iter().any(|p| p.matches(origin))
    }

    /// Whether a request to `origin` may be sent at all (before resolving its name), for an
    /// origin no AWS grant serves.
    pub fn check_origin(&self, origin: &Origin) -> Result<(), Refusal> {
        if is_aws_endpoint(origin) {
            return Err(Refusal::AwsNotGranted);
        }
        if !self.granted_hosts.iter().any(|p| p.matches(origin)) {
            return Err(Refusal::NotGranted);
        }
        if !self.declared_hosts.iter().any(|p| p.matches(origin)) {
            return Err(Refusal::NotDeclared);
        }
        Ok(())
    }

    /// Whether a resolved `address` of an allowed origin may be connected to: any public
    /// address; a special one only if a grant matching the origin names it (an AWS grant's
    /// endpoint names its own address).
    pub fn check_address(&self, origin: &Origin, address: IpAddr) -> Result<(), Refusal> {
        let Some(range) = special_range(address) else {
            return Ok(());
        };
        let aws_endpoint = self.aws.iter().any(|t| {
            t.endpoint.origin == *origin
                && HostPattern::exact(&t.endpoint.origin).names_address(address)
        });
        let named = aws_endpoint
            || self
                .granted_hosts
                .iter()
                .any(|p| p.matches(origin) && p.names_address(address));
        if named {
            Ok(())
        } else {
            Err(Refusal::SpecialAddress { address, range })
        }
    }

    /// Whether any outbound request could be allowed.
    pub fn has_outbound(&self) -> bool {
        !self.declared_hosts.is_empty() && (!self.granted_hosts.is_empty() || !self.aws.is_empty())
    }

    /// The granted host patterns the plugin also declares, as written, for display.
    pub fn granted_hosts(&self) -> Vec<String> {
        self.granted_hosts.iter().map(|p| p.to_string()).collect()
    }

    /// The config keys the plugin gets (declared and granted), with their sources; never a
    /// value.
    pub fn config_keys(&self) -> Vec<(String, String)> {
        self.config
            .iter()
            .map(|(k, s)| (k.clone(), s.to_string()))
            .collect()
    }
}

/// The config values of one task.
#[derive(Default, Clone)]
pub struct TaskConfig {
    pub(super) declared: BTreeSet<String>,
    pub(super) values: BTreeMap<String, Result<String, String>>,
}

/// What `config.get` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigAnswer {
    /// The key's value, or `None` when declared but not granted.
    Value(Option<String>),
    /// The plugin did not declare the key.
    Undeclared,
    /// The source failed; the text names it.
    Unavailable(String),
}

impl TaskConfig {
    /// Answers `config.get(key)`.
    pub fn get(&self, key: &str) -> ConfigAnswer {
        if !self.declared.contains(key) {
            return ConfigAnswer::Undeclared;
        }
        match self.values.get(key) {
            Some(Ok(value)) => ConfigAnswer::Value(Some(value.clone())),
            Some(Err(reason)) => ConfigAnswer::Unavailable(reason.clone()),
            None => ConfigAnswer::Value(None),
        }
    }

    /// Every value this task holds (to keep them out of logs).
    pub fn secrets(&self) -> Vec<String> {
        self.values
            .values()
            .filter_map(|v| v.as_ref().ok())
            .filter(|v| v.len() >= 4)
            .cloned()
            .collect()
    }
}

impl fmt::Debug for TaskConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskConfig")
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}
