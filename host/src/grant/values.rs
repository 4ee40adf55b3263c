//! Config values: where each granted key's value comes from, and a cache of them.
//!
//! A value is a literal, an environment variable of the worker, a file on the worker, an AWS
//! Secrets Manager secret or an SSM Parameter Store parameter (fetched with the worker's own
//! signed client and credential chain). Values are read when an artifact is activated and
//! again, at most once per refresh interval, when a task needs them; a source that fails after
//! it was read once keeps serving its last value (and the failure is logged). Values are
//! secrets: they never appear in a log line, an error or CLI output — only keys and source
//! names do.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::Url;
use serde::Deserialize;

use crate::swf::SwfClient;

/// Where one config value comes from (`config = { KEY = <source> }` in a grant).
#[derive(Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "RawSource")]
pub enum ValueSource {
    /// The value written in the configuration file.
    Literal(String),
    /// `{ env = "NAME" }`: the worker's environment variable.
    Env(String),
    /// `{ file = "PATH" }`: a file's contents, one trailing newline removed.
    File(PathBuf),
    /// `{ aws_secret = "name-or-arn" }`: the secret's `SecretString`.
    AwsSecret(String),
    /// `{ aws_parameter = "/path" }`: the parameter's value, decrypted.
    AwsParameter(String),
}

/// Shows the source, never a literal's value.
impl fmt::Debug for ValueSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for ValueSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueSource::Literal(_) => f.write_str("literal"),
            ValueSource::Env(name) => write!(f, "env {name}"),
            ValueSource::File(path) => write!(f, "file {}", path.display()),
            ValueSource::AwsSecret(id) => write!(f, "aws_secret {id}"),
            ValueSource::AwsParameter(name) => write!(f, "aws_parameter {name}"),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawSource {
    Literal(String),
    Table(HashMap<String, String>),
}

impl TryFrom<RawSource> for ValueSource {
    type Error = String;

    fn try_from(raw: RawSource) -> Result<Self, String> {
        let table = match raw {
            RawSource::Literal(value) => return Ok(ValueSource::Literal(value)),
            RawSource::Table(table) => table,
        };
        let mut entries = table.into_iter();
        let (Some((kind, value)), None) = (entries.next(), entries.next()) else {
            return Err(
                "a config value is a string or a table with exactly one of env, file, aws_secret, aws_parameter"
                    .into(),
            );
        };
        Ok(match kind.as_str() {
            "env" => ValueSource::Env(value),
            "file" => ValueSource::File(value.into()),
            "aws_secret" => ValueSource::AwsSecret(value),
            "aws_parameter" => ValueSource::AwsParameter(value),
            other => {
                return Err(format!(
                    "unknown config value source `{other}`: expected env, file, aws_secret or aws_parameter"
                ));
            }
        })
    }
}

/// Where config values from AWS are fetched, and how long a value is trusted
/// (`[config_sources]` in `swfwasm.toml`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigSourcesConfig {
    /// Seconds before a value is read from its source again. Default 300.
    #[serde(default = "default_refresh")]
    pub refresh_secs: u64,
    /// Secrets Manager endpoint. Default: `AWS_ENDPOINT_URL_SECRETS_MANAGER`, else
    /// `AWS_ENDPOINT_URL`, else `https://secretsmanager.<region>.amazonaws.com`.
    pub secrets_manager_endpoint: Option<String>,
    /// SSM endpoint. Default: `AWS_ENDPOINT_URL_SSM`, else `AWS_ENDPOINT_URL`, else
    /// `https://ssm.<region>.amazonaws.com`.
    pub ssm_endpoint: Option<String>,
}

fn default_refresh() -> u64 {
    300
}

impl Default for ConfigSourcesConfig {
    fn default() -> Self {
        Self {
            refresh_secs: default_refresh(),
            secrets_manager_endpoint: None,
            ssm_endpoint: None,
        }
    }
}

/// Reads config values from their sources, with a cache.
pub struct ValueStore {
    config: ConfigSourcesConfig,
    aws: Option<SwfClient>,
    cache: Mutex<HashMap<ValueSource, (String, Instant)>>,
}

impl ValueStore {
    /// A store fetching AWS-sourced values with `aws` (its region and credentials); without a
    /// client, such values are unavailable.
    pub fn new(config: ConfigSourcesConfig, aws: Option<SwfClient>) -> Self {
        Self {
            config,
            aws,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The value of `source`: from the cache while fresh, else from the source; if the
    /// source fails, the last value read (logged), else the failure (which names the source,
    /// never a value).
    pub async fn get(&self, source: &ValueSource) -> Result<String, String> {
        let refresh = Duration::from_secs(self.config.refresh_secs);
        let cached = self
            .cache
            .lock()
            .expect("value cache lock")
            .get(source)
            .cloned();
        if let Some((value, read_at)) = &cached
            && read_at.elapsed() < refresh
        {
            return Ok(value.clone());
        }
        match self.read(source).await {
            Ok(value) => {
                self.cache
                    .lock()
                    .expect("value cache lock")
                    .insert(source.clone(), (value.clone(), Instant::now()));
                Ok(value)
            }
            Err(error) => match cached {
                Some((value, _)) => {
                    tracing::warn!(%source, %error, "cannot refresh a config value; keeping the last one read");
                    Ok(value)
                }
                None => Err(error),
            },
        }
    }

    async fn read(&self, source: &ValueSource) -> Result<String, String> {
        match source {
            ValueSource::Literal(value) => Ok(value.clone()),
            ValueSource::Env(name) => std::env::var(name)
                .map_err(|_| format!("environment variable {name} is not set (or not UTF-8)")),
            ValueSource::File(path) => std::fs::read_to_string(path)
                .map(|text| {
                    let text = text.strip_suffix('\n').unwrap_or(&text);
                    text.strip_suffix('\r').unwrap_or(text).to_owned()
                })
                .map_err(|e| format!("cannot read {}: {}", path.display(), e.kind())),
            ValueSource::AwsSecret(id) => {
                let answer = self
                    .call(
                        "secretsmanager",
                        self.config.secrets_manager_endpoint.as_deref(),
                        "AWS_ENDPOINT_URL_SECRETS_MANAGER",
                        "secretsmanager.GetSecretValue",
                        serde_json::json!({ "SecretId": id }),
                    )
                    .await
                    .map_err(|e| format!("Secrets Manager secret {id}: {e}"))?;
                answer
                    .get("SecretString")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
                    .ok_or_else(|| format!("Secrets Manager secret {id} has no SecretString"))
            }
            ValueSource::AwsParameter(name) => {
                let answer = self
                    .call(
                        "ssm",
                        self.config.ssm_endpoint.as_deref(),
                        "AWS_ENDPOINT_URL_SSM",
                        "AmazonSSM.GetParameter",
                        serde_json::json!({ "Name": name, "WithDecryption": true }),
                    )
                    .await
                    .map_err(|e| format!("SSM parameter {name}: {e}"))?;
                answer
                    .pointer("/Parameter/Value")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
                    .ok_or_else(|| format!("SSM parameter {name} has no value"))
            }
        }
    }

    async fn call(
        &self,
        service: &'static str,
        configured: Option<&str>,
        env: &str,
        target: &str,
        input: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        let client = self
            .aws
            .as_ref()
            .ok_or("no AWS client: the worker has no region or credentials configured")?;
        let endpoint = configured
            .map(str::to_owned)
            .or_else(|| std::env::var(env).ok())
            .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
            .unwrap_or_else(|| format!("https://{service}.{}.amazonaws.com", client.region()));
        let endpoint =
            Url::parse(&endpoint).map_err(|e| format!("invalid endpoint {endpoint}: {e}"))?;
        client
            .call_json_service(service, &endpoint, target, &input)
            .await
            .map_err(|e| e.to_string())
    }
}
