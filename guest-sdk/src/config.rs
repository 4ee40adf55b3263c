//! Configuration values the operator granted to an activity.
//!
//! A key is readable only when the activity declares it in
//! [`Activity::requirements`](crate::Activity::requirements) (`config_key`) and the operator
//! grants a value for it in `swfwasm.toml` (a literal, an environment variable, a file, AWS
//! Secrets Manager or SSM Parameter Store: the plugin cannot tell which).
//!
//! ```ignore
//! let url = swfwasm_guest::config::get("PAYMENT_URL")?.ok_or("PAYMENT_URL is not granted")?;
//! ```
//!
//! In a native build (unit tests) there is no host: [`get`] answers what [`fake`] set on the
//! calling thread, and [`ConfigError::Undeclared`] for any other key.

use std::fmt;

/// Why [`get`] gave no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The activity did not declare the key in its requirements: undeclared keys are never
    /// readable, whatever the operator granted (the host logs the attempt).
    Undeclared {
        /// The key asked for.
        key: String,
    },
    /// The key's source could not be read (e.g. Secrets Manager unreachable and nothing
    /// cached).
    Unavailable {
        /// The key asked for.
        key: String,
        /// What the host said; it names the source, never a value.
        reason: String,
    },
}

impl ConfigError {
    /// The key asked for.
    pub fn key(&self) -> &str {
        match self {
            ConfigError::Undeclared { key } | ConfigError::Unavailable { key, .. } => key,
        }
    }
}

/// `<KEY>: undeclared` or `<KEY>: unavailable: <reason>`.
impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Undeclared { key } => write!(f, "{key}: undeclared"),
            ConfigError::Unavailable { key, reason } => write!(f, "{key}: unavailable: {reason}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The value of a declared key, or `None` when the operator granted no value for it (an
/// optional need the operator left out).
pub fn get(key: &str) -> Result<Option<String>, ConfigError> {
    imp::get(key)
}

/// In a native build (unit tests), makes [`get`]`(key)` answer `Ok(value)` on the calling
/// thread, as if the key were declared and granted that value (`None`: declared, no value).
/// Has no effect in a WebAssembly activity, where the host answers.
pub fn fake(key: &str, value: Option<&str>) {
    imp::fake(key, value)
}

#[cfg(all(target_arch = "wasm32", feature = "activity"))]
mod imp {
    use super::ConfigError;
    use crate::bindings::activity::swfwasm::plugin::config;

    pub(super) fn get(key: &str) -> Result<Option<String>, ConfigError> {
        config::get(key).map_err(|e| match e {
            config::ConfigError::Undeclared => ConfigError::Undeclared { key: key.into() },
            config::ConfigError::Unavailable(reason) => ConfigError::Unavailable {
                key: key.into(),
                reason,
            },
        })
    }

    pub(super) fn fake(_key: &str, _value: Option<&str>) {}
}

#[cfg(not(all(target_arch = "wasm32", feature = "activity")))]
mod imp {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use super::ConfigError;

    thread_local! {
        static FAKES: RefCell<HashMap<String, Option<String>>> = RefCell::default();
    }

    pub(super) fn get(key: &str) -> Result<Option<String>, ConfigError> {
        FAKES.with(|fakes| {
            fakes
                .borrow()
                .get(key)
                .cloned()
                .ok_or_else(|| ConfigError::Undeclared { key: key.into() })
        })
    }

    pub(super) fn fake(key: &str, value: Option<&str>) {
        FAKES.with(|fakes| {
            fakes
                .borrow_mut()
                .insert(key.into(), value.map(str::to_owned))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_key() {
        assert_eq!(
            ConfigError::Undeclared {
                key: "API_KEY".into()
            }
            .to_string(),
            "API_KEY: undeclared"
        );
        let unavailable = ConfigError::Unavailable {
            key: "DB_PASSWORD".into(),
            reason: "secretsmanager:prod/db unreachable".into(),
        };
        assert_eq!(
            unavailable.to_string(),
            "DB_PASSWORD: unavailable: secretsmanager:prod/db unreachable"
        );
        assert_eq!(unavailable.key(), "DB_PASSWORD");
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn native_builds_answer_the_fakes() {
        assert_eq!(
            get("GREETING"),
            Err(ConfigError::Undeclared {
                key: "GREETING".into()
            })
        );
        fake("GREETING", Some("hello"));
        fake("UNSET", None);
        assert_eq!(get("GREETING"), Ok(Some("hello".into())));
        assert_eq!(get("UNSET"), Ok(None));
    }
}
