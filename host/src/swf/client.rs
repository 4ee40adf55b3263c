//! [`SwfClient`] and its [`ClientConfig`]: where requests go (endpoint, region), how long they
//! may take, and the generic [`SwfClient::call`] that sends one signed AWS JSON 1.0 request,
//! retrying per the [`RetryConfig`]. The typed helpers built on it are in `actions.rs`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use reqwest::Url;
use serde::Serialize;
use serde::de::DeserializeOwned;
use swf_model::Action;

use super::error::SwfError;
use super::error::cause;
use super::proxy::{self, Proxy};
use super::retry::RetryConfig;
use super::signing::{CredentialSource, JsonRequest, JsonService, JsonSigner, Repeats, SWF};
use super::transport::{Transport, endpoint_origin};
use crate::metrics::{CallLabels, metrics};
use crate::net::Origin;

/// Settings of an [`SwfClient`]. `ClientConfig::default()` suits real SWF.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    /// Base URL of the service, e.g. `http://127.0.0.1:4566` for a local one. Default: the
    /// default chain's `AWS_ENDPOINT_URL` (for [`SwfClient::from_env`]), else
    /// `https://swf.{region}.amazonaws.com`.
    pub endpoint: Option<String>,
    /// Region to sign for (and, by default, to send to). Default: the default chain's
    /// (`AWS_REGION`, the profile's `region`, IMDS) for [`SwfClient::from_env`]; required
    /// otherwise.
    pub region: Option<String>,
    /// Time limit of a poll, which SWF holds for up to 60 s: must exceed that. Default 70 s.
    pub poll_timeout: Duration,
    /// Time limit of every other call. Default 10 s.
    pub call_timeout: Duration,
    /// Time limit for establishing a connection (and a proxy's tunnel). Default 5 s.
    pub connect_timeout: Duration,
    /// An HTTP proxy all calls go through, tunneled with `CONNECT`:
    /// `http://[user:password@]host[:port]`. Default: none; for [`SwfClient::from_env`] the
    /// environment's, as curl and boto3 read it (`HTTPS_PROXY` for an `https` endpoint,
    /// `HTTP_PROXY` for an `http` one, else `ALL_PROXY`; none if `NO_PROXY` lists the
    /// endpoint's host or a domain it is in).
    pub proxy: Option<String>,
    /// How failed calls are retried.
    pub retry: RetryConfig,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            endpoint: None,
            region: None,
            poll_timeout: Duration::from_secs(70),
            call_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            proxy: None,
            retry: RetryConfig::default(),
        }
    }
}

/// A client of the SWF JSON API. Cheap to clone: clones share the connection pool and the
/// credentials cache.
#[derive(Debug, Clone)]
pub struct SwfClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    transport: Transport,
    endpoint: Url,
    /// The endpoint's scheme, host and port, derived once.
    origin: Origin,
    signer: JsonSigner,
    credentials: CredentialSource,
    poll_timeout: Duration,
    call_timeout: Duration,
    retry: RetryConfig,
}

impl SwfClient {
    /// A client whose region and credentials come from the AWS default chain (environment,
    /// profile files, SSO, web identity, ECS, IMDS), unless `config` sets the region. Credentials
    /// are asked of the chain again as they near expiry, so rotating credentials keep working.
    pub async fn from_env(config: ClientConfig) -> Result<Self, SwfError> {
        let sdk = load_sdk_config(config.region.clone()).await;
        Self::from_sdk_config(&sdk, config)
    }

    /// A client whose region, credentials and default endpoint come from `sdk` (see
    /// [`load_sdk_config`]), and its proxy from the environment, unless `config` sets them.
    pub fn from_sdk_config(
        sdk: &aws_config::SdkConfig,
        config: ClientConfig,
    ) -> Result<Self, SwfError> {
        let region = config
            .region
            .clone()
            .or_else(|| sdk.region().map(ToString::to_string))
            .ok_or_else(|| {
                SwfError::config(
                    "no AWS region: set AWS_REGION (or a profile region, or --region)",
                    None,
                )
            })?;
        let provider = sdk
            .credentials_provider()
            .ok_or_else(|| SwfError::config("no AWS credentials provider", None))?;
        let endpoint = config
            .endpoint
            .clone()
            .or_else(|| sdk.endpoint_url().map(str::to_owned));
        Self::build(
            ClientConfig {
                endpoint,
                region: Some(region),
                ..config
            },
            provider,
            true,
        )
    }

    /// A client with fixed keys, for tests and local services.
    pub fn with_static_credentials(
        endpoint: impl Into<String>,
        region: impl Into<String>,
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Result<Self, SwfError> {
        let config = ClientConfig {
            endpoint: Some(endpoint.into()),
            region: Some(region.into()),
            ..ClientConfig::default()
        };
        Self::new(
            config,
            Credentials::new(
                access_key,
                secret_key,
                session_token,
                None,
                "swfwasm-static",
            ),
        )
    }

    /// A client with `config` (whose `region` is required) and any credentials provider, e.g.
    /// [`Credentials`] for fixed keys.
    pub fn new(
        config: ClientConfig,
        credentials: impl ProvideCredentials + 'static,
    ) -> Result<Self, SwfError> {
        Self::build(config, SharedCredentialsProvider::new(credentials), false)
    }

    fn build(
        config: ClientConfig,
        provider: SharedCredentialsProvider,
        read_proxy_from_env: bool,
    ) -> Result<Self, SwfError> {
        let region = config
            .region
            .filter(|region| !region.is_empty())
            .ok_or_else(|| SwfError::config("no AWS region configured", None))?;
        let endpoint = config
            .endpoint
            .unwrap_or_else(|| format!("https://swf.{region}.amazonaws.com"));
        let endpoint = Url::parse(&endpoint).map_err(|e| {
            SwfError::config(format!("invalid endpoint {endpoint:?}: {e}"), cause(e))
        })?;
        let origin = endpoint_origin(&endpoint)?;
        let proxy = match &config.proxy {
            Some(proxy) => Some(proxy.clone()),
            None if read_proxy_from_env => {
                proxy::from_environment(&endpoint, |name| std::env::var(name).ok())
            }
            None => None,
        };
        let proxy = proxy.as_deref().map(Proxy::parse).transpose()?;
        Ok(Self {
            inner: Arc::new(Inner {
                transport: Transport::new(config.connect_timeout, proxy),
                endpoint,
                origin,
                signer: JsonSigner::new(region),
                credentials: CredentialSource::new(provider),
                poll_timeout: config.poll_timeout,
                call_timeout: config.call_timeout,
                retry: config.retry,
            }),
        })
    }

    /// The URL requests are sent to.
    pub fn endpoint(&self) -> &Url {
        &self.inner.endpoint
    }

    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        self.inner.signer.region()
    }

    /// Calls `action` with `input` as its JSON body and decodes the JSON answer (an empty body
    /// reads as `{}`; decode actions without output into `serde::de::IgnoredAny`).
    ///
    /// Polls are given the poll timeout, other actions the call timeout. Retryable failures are
    /// retried per the [`RetryConfig`]; the error of the last attempt is returned.
    pub async fn call<I, O>(&self, action: Action, input: &I) -> Result<O, SwfError>
    where
        I: Serialize + ?Sized,
        O: DeserializeOwned,
    {
        let body = serde_json::to_vec(input).map_err(|e| {
            SwfError::decode(format!("cannot encode the {action} input: {e}"), cause(e))
        })?;
        // Shared by the attempts, not copied for each.
        let body = bytes::Bytes::from(body);
        let (timeout, repeats) = match action {
            Action::PollForDecisionTask | Action::PollForActivityTask => {
                (self.inner.poll_timeout, Repeats::Often)
            }
            _ => (self.inner.call_timeout, Repeats::Seldom),
        };
        let target = action.target();
        let result = self
            .inner
            .retry
            .run(action, || {
                self.send(action, target, body.clone(), timeout, repeats)
            })
            .await;
        metrics()
            .swf_calls
            .get_or_create(&CallLabels {
                action: action.name(),
                outcome: result
                    .as_ref()
                    .map_or_else(|e| e.kind_label().into(), |_| "ok".into()),
            })
            .inc();
        result
    }

    /// One attempt: sign, send, read the answer.
    async fn send<O: DeserializeOwned>(
        &self,
        action: Action,
        target: &str,
        body: bytes::Bytes,
        timeout: Duration,
        repeats: Repeats,
    ) -> Result<O, SwfError> {
        let inner = &self.inner;
        let request = JsonRequest {
            service: SWF,
            endpoint: &inner.endpoint,
            target,
            repeats,
        };
        let bytes = self
            .signed_post(request, &inner.origin, body, timeout)
            .await?;
        tracing::debug!(%action, bytes = bytes.len(), "SWF answered");
        let json: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        serde_json::from_slice(json).map_err(|e| {
            let text = String::from_utf8_lossy(&bytes);
            let excerpt: String = text.chars().take(200).collect();
            SwfError::decode(
                format!("{action} response: {e} (body starts: {excerpt})"),
                cause(e),
            )
        })
    }

    /// Calls another AWS JSON 1.1 service (`signing_name`, e.g. `secretsmanager`, `ssm`) at
    /// `endpoint` with this client's region, credentials and connection pool: one attempt,
    /// the call timeout. Used for the few calls the host makes besides SWF (config values from
    /// Secrets Manager and Parameter Store), which do not justify an SDK crate each.
    pub async fn call_json_service(
        &self,
        signing_name: &'static str,
        endpoint: &Url,
        target: &str,
        input: &serde_json::Value,
    ) -> Result<serde_json::Value, SwfError> {
        let service = JsonService {
            signing_name,
            content_type: "application/x-amz-json-1.1",
        };
        let body = serde_json::to_vec(input).map_err(|e| {
            SwfError::decode(format!("cannot encode the {target} input: {e}"), cause(e))
        })?;
        let request = JsonRequest {
            service,
            endpoint,
            target,
            repeats: Repeats::Seldom,
        };
        let origin = endpoint_origin(endpoint)?;
        let bytes = self
            .signed_post(request, &origin, body.into(), self.inner.call_timeout)
            .await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| SwfError::decode(format!("{target} response: {e}"), cause(e)))
    }

    /// Signs and sends one AWS JSON `POST` to `origin` (`request.endpoint`'s); the body of a
    /// 2xx answer, else the service's error.
    async fn signed_post(
        &self,
        request: JsonRequest<'_>,
        origin: &Origin,
        body: bytes::Bytes,
        timeout: Duration,
    ) -> Result<bytes::Bytes, SwfError> {
        let inner = &self.inner;
        let credentials = inner.credentials.credentials().await?;
        let signed = inner
            .signer
            .sign(request, body, &credentials, SystemTime::now())?;
        let answer = inner.transport.send(origin, signed, timeout).await?;
        if !answer.status.is_success() {
            let error_type = answer
                .headers
                .get("x-amzn-errortype")
                .and_then(|value| value.to_str().ok());
            return Err(SwfError::from_response(
                answer.status.as_u16(),
                error_type,
                &answer.body,
            ));
        }
        Ok(answer.body)
    }
}

/// The AWS default chain's configuration (region, credentials, endpoint overrides), with
/// `region` if given. The chain's own HTTP client (IMDS, ECS, SSO, STS) uses rustls with ring,
/// like the client's.
pub async fn load_sdk_config(region: Option<String>) -> aws_config::SdkConfig {
    let chain_http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(chain_http);
    if let Some(region) = region {
        loader = loader.region(Region::new(region));
    }
    loader.load().await
}
