//! Outbound HTTP of activities: the `wasi:http` hooks that enforce the grants and the limits.
//!
//! Every request a guest sends through `wasi:http/outgoing-handler` reaches
//! [`OutboundHooks::send_request`] (the crate's own sender is compiled out, so there is no other
//! way out). A request is sent only if
//! 1. its origin (scheme, host, port) is granted and declared ([`Capabilities::check_origin`]),
//!    else `HTTP-request-denied`;
//! 2. the task has a free request slot, else `connection-limit-reached`;
//! 3. its host, resolved here (never by a later connect), has an address that is public or that
//!    a grant names explicitly ([`Capabilities::check_address`]), else
//!    `destination-IP-prohibited`. The connection goes to that checked address, so a DNS answer
//!    that changes between check and connect cannot redirect it.
//!
//! A request to an AWS grant (`https://<name>.aws.internal/…`, or the grant's endpoint) is
//! rewritten to the grant's endpoint and signed by the host ([`sign_for_aws`]) before step 3.
//!
//! Denials are logged with the task's ids and the refused `scheme://host:port`. Bodies are
//! bounded (`HTTP-request-body-size`, `HTTP-response-body-size`), and every timeout (connect,
//! first byte, between bytes) is the smaller of the configured limit, the guest's own request
//! options and the time left before the task's deadline. Redirects are not followed (WASI HTTP
//! hands the 3xx to the guest). A breach ends that request only; the worker keeps serving.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body::{Body, Frame};
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
use hyper::client::conn::http1;
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

use super::label::TaskLabel;
use crate::grant::{AwsTarget, Capabilities, Origin, OriginHost, OutboundLimits, Refusal, Scheme};
use crate::net::{Stream, server_name, tls_config};

type SendFuture = Box<
    dyn Future<
            Output = Result<
                (
                    http::Response<WasiBody>,
                    Box<dyn Future<Output = Result<(), Error>> + Send>,
                ),
                Error,
            >,
        > + Send,
>;

/// The `wasi:http` hooks of one task. Without a policy (no capabilities) every request is
/// denied.
pub(crate) struct OutboundHooks {
    policy: Option<Arc<OutboundPolicy>>,
}

impl OutboundHooks {
    /// Hooks that deny every request.
    pub(crate) fn deny_all() -> Self {
        Self { policy: None }
    }

    /// Hooks enforcing `capabilities` and `limits` for a task that must end by `deadline`.
    pub(crate) fn new(
        capabilities: Arc<Capabilities>,
        limits: OutboundLimits,
        deadline: Instant,
        label: TaskLabel,
    ) -> Self {
        let slots = Arc::new(Semaphore::new(limits.max_concurrent_requests));
        Self {
            policy: Some(Arc::new(OutboundPolicy {
                capabilities,
                limits,
                deadline,
                slots,
                label,
            })),
        }
    }
}

impl WasiHttpHooks for OutboundHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> SendFuture {
        let policy = self.policy.clone();
        Box::new(async move {
            match policy {
                Some(policy) => policy.send(request, options).await,
                None => {
                    tracing::warn!(url = %request.uri(), "outbound request denied: this plugin has no outbound capability");
                    Err(Error::HttpRequestDenied)
                }
            }
        })
    }
}

struct OutboundPolicy {
    capabilities: Arc<Capabilities>,
    limits: OutboundLimits,
    deadline: Instant,
    slots: Arc<Semaphore>,
    label: TaskLabel,
}

impl OutboundPolicy {
    fn deny(&self, method: &http::Method, origin: &str, reason: &dyn std::fmt::Display) {
        let l = &self.label;
        tracing::warn!(plugin = %l.plugin, workflow_id = %l.workflow_id, run_id = %l.run_id,
            activity_id = l.activity_id.as_deref().unwrap_or(""), %method, url = %origin,
            %reason, "outbound request denied");
    }

    /// The smaller of the configured limit, the guest's ask and 90% of the time left (the
    /// rest is the guest's, to report the error before its own deadline).
    fn clamp(&self, configured: Duration, asked: Option<Duration>) -> Duration {
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        asked
            .map_or(configured, |asked| asked.min(configured))
            .min(remaining * 9 / 10)
    }

    async fn send(
        self: Arc<Self>,
        mut request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Result<
        (
            http::Response<WasiBody>,
            Box<dyn Future<Output = Result<(), Error>> + Send>,
        ),
        Error,
    > {
        let method = request.method().clone();
        let (origin, aws) = self.authorize(&request)?;
        let Ok(permit) = self.slots.clone().try_acquire_owned() else {
            self.deny(
                &method,
                &origin.to_string(),
                &format_args!(
                    "the task already has {} requests in flight",
                    self.limits.max_concurrent_requests
                ),
            );
            return Err(Error::ConnectionLimitReached);
        };
        let max_request = self.limits.max_request_body_bytes;
        if content_length(request.headers()).is_some_and(|n| n > max_request) {
            return Err(Error::HttpRequestBodySize(Some(max_request)));
        }
        if let Some(target) = &aws {
            request = sign_for_aws(request, target, max_request).await?;
        }

        let connect_timeout = self.clamp(
            self.limits.connect_timeout(),
            options.and_then(|o| o.connect_timeout),
        );
        let mut sender = self.connect(&method, &origin, connect_timeout).await?;

        // Only the path goes on the request line; the Host header carries the authority.
        let path = request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        *request.uri_mut() = http::Uri::try_from(path).map_err(|_| Error::HttpRequestUriInvalid)?;
        let request_over = Arc::new(AtomicBool::new(false));
        let request = request.map(|body| {
            Guarded {
                inner: body,
                limit: max_request,
                seen: 0,
                over: Error::HttpRequestBodySize,
                flag: request_over.clone(),
                idle: None,
                permit: None,
            }
            .boxed_unsync()
        });

        let first_byte = self.clamp(
            self.limits.first_byte_timeout(),
            options.and_then(|o| o.first_byte_timeout),
        );
        let response = match tokio::time::timeout(first_byte, sender.send_request(request)).await {
            Err(_) => return Err(Error::ConnectionReadTimeout),
            Ok(Err(_)) if request_over.load(Ordering::Relaxed) => {
                return Err(Error::HttpRequestBodySize(Some(max_request)));
            }
            Ok(Err(error)) => return Err(Error::Hyper(error)),
            Ok(Ok(response)) => response,
        };
        let max_response = self.limits.max_response_body_bytes;
        if content_length(response.headers()).is_some_and(|n| n > max_response) {
            return Err(Error::HttpResponseBodySize(Some(max_response)));
        }
        let between = self.clamp(
            self.limits.between_bytes_timeout(),
            options.and_then(|o| o.between_bytes_timeout),
        );
        let response = response.map(|body| {
            Guarded {
                inner: body,
                limit: max_response,
                seen: 0,
                over: Error::HttpResponseBodySize,
                flag: Arc::new(AtomicBool::new(false)),
                idle: Some((between, Box::pin(tokio::time::sleep(between)))),
                permit: Some(permit),
            }
            .boxed_unsync()
        });
        Ok((response, Box::new(async { Ok(()) })))
    }

    /// The origin a request may go to, after the grants' policy: the request's own origin, or
    /// for a request to an AWS grant's virtual host, the grant's endpoint (and the grant, whose
    /// role signs it). A refused request is logged and answered `HTTP-request-denied`.
    fn authorize(
        &self,
        request: &http::Request<WasiBody>,
    ) -> Result<(Origin, Option<Arc<AwsTarget>>), Error> {
        let method = request.method();
        let scheme = match request.uri().scheme_str() {
            Some("http") => Scheme::Http,
            Some("https") => Scheme::Https,
            _ => {
                self.deny(
                    method,
                    &request.uri().to_string(),
                    &"only http and https are allowed",
                );
                return Err(Error::HttpRequestDenied);
            }
        };
        let requested = request
            .uri()
            .authority()
            .and_then(|a| Origin::new(scheme, a.as_str()))
            .ok_or(Error::HttpRequestUriInvalid)?;
        let aws = self.capabilities.aws_target(&requested).cloned();
        let origin = match &aws {
            Some(target) => {
                if !self.capabilities.declares(&requested) {
                    self.deny(method, &requested.to_string(), &Refusal::NotDeclared);
                    return Err(Error::HttpRequestDenied);
                }
                target.endpoint.origin.clone()
            }
            None => {
                if let Err(refusal) = self.capabilities.check_origin(&requested) {
                    self.deny(method, &requested.to_string(), &refusal);
                    return Err(Error::HttpRequestDenied);
                }
                requested
            }
        };
        Ok((origin, aws))
    }

    /// An HTTP/1 connection to `origin` (TLS for `https`), at an address the capabilities
    /// allow, that lives at most until the task's deadline.
    async fn connect(
        &self,
        method: &http::Method,
        origin: &Origin,
        connect_timeout: Duration,
    ) -> Result<http1::SendRequest<UnsyncBoxBody<Bytes, Error>>, Error> {
        let scheme = origin.scheme;
        let address = self.resolve(method, origin, connect_timeout).await?;
        let tcp = tokio::time::timeout(connect_timeout, TcpStream::connect((address, origin.port)))
            .await
            .map_err(|_| Error::ConnectionTimeout)?
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::ConnectionRefused => Error::ConnectionRefused,
                _ => Error::Connect(e),
            })?;
        let io: Box<dyn Stream> = match scheme {
            Scheme::Http => Box::new(tcp),
            Scheme::Https => {
                let name = server_name(&origin.host).map_err(|_| Error::HttpRequestUriInvalid)?;
                let tls = tokio_rustls::TlsConnector::from(tls_config());
                Box::new(
                    tokio::time::timeout(connect_timeout, tls.connect(name, tcp))
                        .await
                        .map_err(|_| Error::ConnectionTimeout)?
                        .map_err(Error::Tls)?,
                )
            }
        };
        let (sender, connection) = http1::handshake(TokioIo::new(io))
            .await
            .map_err(Error::Hyper)?;
        // The connection lives at most until the task's deadline.
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        tokio::spawn(async move {
            let _ = tokio::time::timeout(remaining, connection).await;
        });
        Ok(sender)
    }

    /// The address to connect to: the first of the host's addresses the capabilities allow.
    async fn resolve(
        &self,
        method: &http::Method,
        origin: &Origin,
        timeout: Duration,
    ) -> Result<IpAddr, Error> {
        let addresses: Vec<IpAddr> = match &origin.host {
            OriginHost::Ip(ip) => vec![*ip],
            OriginHost::Name(name) => tokio::time::timeout(
                timeout,
                tokio::net::lookup_host((name.as_str(), origin.port)),
            )
            .await
            .map_err(|_| Error::DnsTimeout)?
            .map_err(|e| Error::DnsError {
                rcode: Some(e.to_string()),
                info_code: None,
            })?
            .map(|a| a.ip())
            .collect(),
        };
        let mut refusal: Option<Refusal> = None;
        for address in addresses {
            match self.capabilities.check_address(origin, address) {
                Ok(()) => return Ok(address),
                Err(r) => {
                    refusal.get_or_insert(r);
                }
            }
        }
        match refusal {
            Some(refusal) => {
                self.deny(method, &origin.to_string(), &refusal);
                Err(Error::DestinationIpProhibited)
            }
            None => Err(Error::DestinationNotFound),
        }
    }
}

/// Rewrites a request for an AWS grant to its endpoint and signs it: the body is read whole
/// (it is part of the signature), the guest's own signing headers are dropped, and SigV4
/// headers for the grant's service and region are added with the grant's credentials.
async fn sign_for_aws(
    request: http::Request<WasiBody>,
    target: &AwsTarget,
    max_body: u64,
) -> Result<http::Request<WasiBody>, Error> {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
        UriPathNormalizationMode, sign,
    };
    use aws_sigv4::sign::v4;

    let (mut parts, body) = request.into_parts();
    let body = http_body_util::Limited::new(body, max_body as usize)
        .collect()
        .await
        .map_err(|_| Error::HttpRequestBodySize(Some(max_body)))?
        .to_bytes();
    let endpoint = &target.endpoint;
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let host = match endpoint.origin.port {
        443 if endpoint.origin.scheme == Scheme::Https => endpoint.origin.host_text(),
        80 if endpoint.origin.scheme == Scheme::Http => endpoint.origin.host_text(),
        port => format!("{}:{port}", endpoint.origin.host_text()),
    };
    let url = format!(
        "{}://{host}{}{path}",
        endpoint.origin.scheme.as_str(),
        endpoint.base_path
    );
    for name in [
        "authorization",
        "x-amz-security-token",
        "x-amz-date",
        "x-amz-content-sha256",
        "host",
    ] {
        parts.headers.remove(name);
    }
    parts.headers.insert(
        http::header::HOST,
        http::HeaderValue::from_str(&host).map_err(|_| Error::HttpRequestUriInvalid)?,
    );
    parts
        .headers
        .insert(http::header::CONTENT_LENGTH, body.len().into());
    parts.uri = http::Uri::try_from(url.as_str()).map_err(|_| Error::HttpRequestUriInvalid)?;

    let credentials = target.credentials.credentials().await.map_err(|e| {
        Error::InternalError(Some(format!(
            "no AWS credentials for grant {}: {e}",
            target.name
        )))
    })?;
    let mut settings = SigningSettings::default();
    if target.service == "s3" {
        // S3 signs the payload hash header and does not normalise or double-encode paths.
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    }
    let identity = credentials.into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&target.region)
        .name(&target.service)
        .time(std::time::SystemTime::now())
        .settings(settings)
        .build()
        .map_err(|e| Error::InternalError(Some(format!("cannot sign for AWS: {e}"))))?
        .into();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let signable = SignableRequest::new(
        parts.method.as_str(),
        url.as_str(),
        headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        SignableBody::Bytes(&body),
    )
    .map_err(|e| Error::InternalError(Some(format!("cannot sign for AWS: {e}"))))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| Error::InternalError(Some(format!("cannot sign for AWS: {e}"))))?
        .into_parts();
    let mut request = http::Request::from_parts(
        parts,
        http_body_util::Full::new(body)
            .map_err(|never| match never {})
            .boxed_unsync(),
    );
    instructions.apply_to_request_http1x(&mut request);
    Ok(request)
}

fn content_length(headers: &http::HeaderMap) -> Option<u64> {
    headers
        .get(http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// A body with a byte limit and, for responses, an idle timeout and the task's request slot
/// (released when the guest drops the body).
struct Guarded<B> {
    inner: B,
    limit: u64,
    seen: u64,
    over: fn(Option<u64>) -> Error,
    flag: Arc<AtomicBool>,
    idle: Option<(Duration, Pin<Box<tokio::time::Sleep>>)>,
    permit: Option<OwnedSemaphorePermit>,
}

impl<B> Body for Guarded<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Error>,
{
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.seen += data.len() as u64;
                    if this.seen > this.limit {
                        this.flag.store(true, Ordering::Relaxed);
                        this.permit = None;
                        return Poll::Ready(Some(Err((this.over)(Some(this.limit)))));
                    }
                }
                if let Some((idle, sleep)) = &mut this.idle {
                    sleep.as_mut().reset(tokio::time::Instant::now() + *idle);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(error.into()))),
            Poll::Ready(None) => {
                this.permit = None;
                Poll::Ready(None)
            }
            Poll::Pending => {
                if let Some((_, sleep)) = &mut this.idle {
                    ready!(sleep.as_mut().poll(cx));
                    this.permit = None;
                    return Poll::Ready(Some(Err(Error::ConnectionReadTimeout)));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
}
