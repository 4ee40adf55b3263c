//! Building and SigV4-signing the HTTP request of one SWF call (spec §1.2, §1.3), and the
//! credentials it is signed with.
//!
//! [`JsonSigner`] decides what goes into an AWS JSON request (`POST /`, `Content-Type`, `Host`,
//! `X-Amz-Date`, `X-Amz-Target`, the JSON body) so that exactly the headers sent are the ones
//! signed: `content-type;host;x-amz-date;x-amz-target`, plus `x-amz-security-token` for
//! temporary credentials. Its text is swf-model's [`sigv4`]; the HMAC chain is `aws-sigv4`'s,
//! with the signing key derived once per day rather than per call. REST requests (S3) go
//! through `aws-sigv4`'s general signer ([`signed_rest_request`]): they are few.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderMap, HeaderName, HeaderValue};
use reqwest::Url;
use sha2::{Digest, Sha256};
use swf_model::sigv4;

use super::error::SwfError;
use super::error::{cause, error_chain};

/// An AWS service spoken to in AWS JSON (`POST /` with an `X-Amz-Target`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JsonService {
    /// The SigV4 signing name.
    pub(crate) signing_name: &'static str,
    /// The request media type (AWS JSON 1.0 or 1.1).
    pub(crate) content_type: &'static str,
}

/// SWF: AWS JSON 1.0.
pub(crate) const SWF: JsonService = JsonService {
    signing_name: "swf",
    content_type: "application/x-amz-json-1.0",
};
const X_AMZ_DATE: HeaderName = HeaderName::from_static("x-amz-date");
const X_AMZ_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-amz-security-token");
const X_AMZ_TARGET: HeaderName = HeaderName::from_static("x-amz-target");

/// The lowercase hex SHA-256 of some bytes, on the stack (`hex::encode` collects its `String`
/// a char at a time: a tenth of signing a request).
struct Sha256Hex([u8; 64]);

impl Sha256Hex {
    fn of(data: &[u8]) -> Self {
        let mut hex = [0; 64];
        hex::encode_to_slice(Sha256::digest(data), &mut hex).expect("32 bytes are 64 hex digits");
        Self(hex)
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("hex digits are ASCII")
    }
}

/// Fetch new credentials this long before the cached ones expire.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);
/// Ask the provider again after this long even when the credentials have no expiry, so that
/// rotated keys (a rewritten profile, say) are picked up.
const REFRESH_WITHOUT_EXPIRY: Duration = Duration::from_secs(15 * 60);

/// Whether a request is sent again unchanged, soon: a poll loop's are, many times a second
/// on a busy worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeats {
    /// Keep its signed headers for the rest of the second (see [`JsonSigner`]).
    Often,
    /// Sign it and keep nothing.
    Seldom,
}

/// What one AWS JSON request signs besides its body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JsonRequest<'a> {
    /// The service, normally [`SWF`].
    pub(crate) service: JsonService,
    pub(crate) endpoint: &'a Url,
    /// The `X-Amz-Target` value.
    pub(crate) target: &'a str,
    /// Whether the request is worth keeping signed for the rest of the second.
    pub(crate) repeats: Repeats,
}

/// How many requests that repeat [`JsonSigner`] keeps signed at once: a worker polls one
/// decision and one activity task list, and its sticky decision task list.
const KEPT_REPEATS: usize = 8;

/// Signs AWS JSON requests for one region, keeping the latest signing key.
///
/// A SigV4 signature covers the request and `X-Amz-Date`, which has a resolution of one
/// second; so a request sent again unchanged within the same second has the same headers. The
/// signer keeps those of the latest requests that [`Repeats::Often`] (a poll loop's), and
/// signing one of them again in the same second, with the same credentials, copies them
/// instead of hashing the body, the canonical request and the HMAC chain again.
pub(crate) struct JsonSigner {
    region: String,
    /// The latest signing key, with the secret and credential scope it was derived for.
    key: Mutex<Option<SigningKey>>,
    /// The signed headers of the latest requests that repeat, oldest first.
    repeats: Mutex<Vec<SignedRepeat>>,
}

/// A request that repeats, and its signed headers.
struct SignedRepeat {
    service: JsonService,
    endpoint: Url,
    target: String,
    body: bytes::Bytes,
    amz_date: String,
    credentials: Credentials,
    uri: http::Uri,
    headers: HeaderMap,
}

impl SignedRepeat {
    fn is(
        &self,
        request: JsonRequest<'_>,
        body: &[u8],
        amz_date: &str,
        credentials: &Credentials,
    ) -> bool {
        self.amz_date == amz_date
            && self.target == request.target
            && self.body == body
            && self.service == request.service
            && self.endpoint == *request.endpoint
            && self.credentials.access_key_id() == credentials.access_key_id()
            && self.credentials.secret_access_key() == credentials.secret_access_key()
            && self.credentials.session_token() == credentials.session_token()
    }

    fn request(&self, body: bytes::Bytes) -> http::Request<bytes::Bytes> {
        post_request(self.uri.clone(), self.headers.clone(), body)
    }
}

struct SigningKey {
    secret: String,
    scope: String,
    key: Vec<u8>,
}

impl std::fmt::Debug for JsonSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonSigner")
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl JsonSigner {
    /// A signer for `region`.
    pub(crate) fn new(region: impl Into<String>) -> Self {
        Self {
            region: region.into(),
            key: Mutex::new(None),
            repeats: Mutex::new(Vec::new()),
        }
    }

    /// The region requests are signed for.
    pub(crate) fn region(&self) -> &str {
        &self.region
    }

    /// The signed `POST` of `request` with `body` (the JSON input), signed at `time`
    /// (normally now).
    pub(crate) fn sign(
        &self,
        request: JsonRequest<'_>,
        body: bytes::Bytes,
        credentials: &Credentials,
        time: SystemTime,
    ) -> Result<http::Request<bytes::Bytes>, SwfError> {
        let JsonRequest {
            service,
            endpoint,
            target,
            repeats,
        } = request;
        let secs = time
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let amz_date = sigv4::amz_date(secs);
        if repeats == Repeats::Often {
            let kept = self.repeats.lock().unwrap_or_else(|p| p.into_inner());
            let same = |r: &&SignedRepeat| r.is(request, &body, &amz_date, credentials);
            if let Some(repeat) = kept.iter().find(same) {
                return Ok(repeat.request(body));
            }
        }
        let host = host_header(endpoint)?;
        let path = endpoint.path();
        if endpoint.query().is_some() || !sigv4::is_canonical_path(path) {
            return Err(SwfError::config(
                format!(
                    "endpoint {endpoint}: an AWS JSON endpoint's path may hold only letters, \
                     digits, '-._~' and '/', and it may have no query"
                ),
                None,
            ));
        }
        let token = credentials.session_token();
        let mut headers = Vec::with_capacity(5);
        headers.push((CONTENT_TYPE, service.content_type));
        headers.push((HOST, host.as_str()));
        headers.push((X_AMZ_DATE, amz_date.as_str()));
        if let Some(token) = token {
            headers.push((X_AMZ_SECURITY_TOKEN, token));
        }
        headers.push((X_AMZ_TARGET, target));
        let canonical = sigv4::canonical_json_post(path, &headers, Sha256Hex::of(&body).as_str());
        let scope = sigv4::credential_scope(&amz_date, &self.region, service.signing_name);
        let string_to_sign = sigv4::string_to_sign(
            &amz_date,
            &scope,
            Sha256Hex::of(canonical.as_bytes()).as_str(),
        );
        let signature = self.signature(credentials, time, service, scope.as_str(), &string_to_sign);
        let authorization = format!(
            "{} Credential={}/{scope}, SignedHeaders={}, Signature={signature}",
            sigv4::ALGORITHM,
            credentials.access_key_id(),
            sigv4::signed_headers(&headers),
        );

        let mut map = HeaderMap::with_capacity(headers.len() + 1);
        for (name, value) in headers
            .into_iter()
            .chain([(AUTHORIZATION, authorization.as_str())])
        {
            let value = HeaderValue::from_str(value).map_err(|_| {
                // Never the value: it may be a session token.
                SwfError::config(
                    format!("the {name} header is not a valid header value"),
                    None,
                )
            })?;
            map.insert(name, value);
        }
        // Origin-form: the request line carries the path, the Host header the authority.
        let uri = http::Uri::try_from(path)
            .map_err(|e| SwfError::config(format!("endpoint {endpoint}: {e}"), cause(e)))?;
        if repeats == Repeats::Often {
            let mut kept = self.repeats.lock().unwrap_or_else(|p| p.into_inner());
            // Those of an earlier second can never match again.
            kept.retain(|r| r.amz_date == amz_date);
            if kept.len() == KEPT_REPEATS {
                kept.remove(0);
            }
            kept.push(SignedRepeat {
                service,
                endpoint: endpoint.clone(),
                target: target.to_owned(),
                body: body.clone(),
                amz_date,
                credentials: credentials.clone(),
                uri: uri.clone(),
                headers: map.clone(),
            });
        }
        Ok(post_request(uri, map, body))
    }

    /// The signature of `string_to_sign` in `scope`, with the signing key derived anew only
    /// when the secret or the scope (the day, say) changed.
    fn signature(
        &self,
        credentials: &Credentials,
        time: SystemTime,
        service: JsonService,
        scope: &str,
        string_to_sign: &str,
    ) -> String {
        let secret = credentials.secret_access_key();
        let mut cached = self.key.lock().unwrap_or_else(|p| p.into_inner());
        if cached
            .as_ref()
            .is_none_or(|k| k.scope != scope || k.secret != secret)
        {
            let key = v4::generate_signing_key(secret, time, &self.region, service.signing_name);
            *cached = Some(SigningKey {
                secret: secret.to_owned(),
                scope: scope.to_owned(),
                key: key.as_ref().to_vec(),
            });
        }
        let key = &cached.as_ref().expect("set above").key;
        v4::calculate_signature(key, string_to_sign.as_bytes())
    }
}

/// The `POST` of `body` to `uri` with `headers`.
fn post_request(
    uri: http::Uri,
    headers: HeaderMap,
    body: bytes::Bytes,
) -> http::Request<bytes::Bytes> {
    let mut request = http::Request::new(body);
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    request
}

/// Builds a SigV4-signed request to an AWS REST service such as S3 (`service` is the signing
/// name): `x-amz-content-sha256` carries the body's hash, and the path is signed as given
/// (S3 neither normalises nor double-encodes it).
#[allow(clippy::too_many_arguments)]
pub(crate) fn signed_rest_request(
    service: &str,
    method: &http::Method,
    url: &Url,
    headers: &[(&str, &str)],
    body: Vec<u8>,
    credentials: &Credentials,
    region: &str,
    time: SystemTime,
) -> Result<http::Request<Vec<u8>>, SwfError> {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, PercentEncodingMode, UriPathNormalizationMode,
    };

    let host = host_header(url)?;
    let mut all: Vec<(&str, &str)> = vec![("host", host.as_str())];
    all.extend_from_slice(headers);
    let identity = credentials.clone().into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    let sign_error = |e: &dyn std::fmt::Display| format!("cannot sign the request: {e}");
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| SwfError::config(sign_error(&e), cause(e)))?
        .into();
    let signable = SignableRequest::new(
        method.as_str(),
        url.as_str(),
        all.iter().copied(),
        SignableBody::Bytes(&body),
    )
    .map_err(|e| SwfError::config(sign_error(&e), cause(e)))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| SwfError::config(sign_error(&e), cause(e)))?
        .into_parts();
    let mut builder = http::Request::builder()
        .method(method.clone())
        .uri(url.as_str());
    for (name, value) in &all {
        builder = builder.header(*name, *value);
    }
    let mut request = builder
        .body(body)
        .map_err(|e| SwfError::config(format!("cannot build the request: {e}"), cause(e)))?;
    instructions.apply_to_request_http1x(&mut request);
    Ok(request)
}

/// The `Host` header for `endpoint`: the host, with the port when it is not the scheme's default.
fn host_header(endpoint: &Url) -> Result<String, SwfError> {
    let host = endpoint
        .host_str()
        .ok_or_else(|| SwfError::config(format!("endpoint {endpoint} has no host"), None))?;
    Ok(match endpoint.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

/// Where the client gets the credentials of each request: a provider (the default chain, or
/// static keys) behind a small cache, so that providers that fetch over the network (IMDS, SSO,
/// STS) are asked again only when the cached credentials near their expiry, and rotating
/// credentials are still picked up.
#[derive(Debug)]
pub struct CredentialSource {
    name: String,
    provider: SharedCredentialsProvider,
    refresh_before_expiry: Duration,
    cached: tokio::sync::Mutex<Option<(Credentials, SystemTime)>>,
}

impl CredentialSource {
    /// A source asking `provider`, refreshing 5 minutes before the credentials expire.
    pub fn new(provider: SharedCredentialsProvider) -> Self {
        Self::with_refresh("the worker's", provider, REFRESH_BEFORE_EXPIRY)
    }

    /// A source named `name` in log lines, asking `provider` again `refresh_before_expiry`
    /// before the cached credentials expire.
    pub fn with_refresh(
        name: impl Into<String>,
        provider: SharedCredentialsProvider,
        refresh_before_expiry: Duration,
    ) -> Self {
        Self {
            name: name.into(),
            provider,
            refresh_before_expiry,
            cached: tokio::sync::Mutex::new(None),
        }
    }

    /// Credentials valid now. Concurrent callers wait for one refresh rather than each asking
    /// the provider. Each load is logged with the access key id (not a secret) and expiry.
    pub async fn credentials(&self) -> Result<Credentials, SwfError> {
        let mut cached = self.cached.lock().await;
        let now = SystemTime::now();
        if let Some((credentials, refresh_at)) = cached.as_ref()
            && now < *refresh_at
        {
            return Ok(credentials.clone());
        }
        let credentials = self
            .provider
            .provide_credentials()
            .await
            .map_err(credentials_error)?;
        let refresh_at = match credentials.expiry() {
            Some(expiry) => expiry
                .checked_sub(self.refresh_before_expiry)
                .unwrap_or(now),
            None => now + REFRESH_WITHOUT_EXPIRY,
        };
        tracing::info!(credentials = %self.name, access_key_id = credentials.access_key_id(),
            expires = ?credentials.expiry(), "AWS credentials loaded");
        *cached = Some((credentials.clone(), refresh_at));
        Ok(credentials)
    }
}

/// A provider timing out is transient (retried); any other credentials failure is a
/// configuration problem.
fn credentials_error(error: CredentialsError) -> SwfError {
    let message = format!("cannot load AWS credentials: {}", error_chain(&error));
    if matches!(error, CredentialsError::ProviderTimedOut(_)) {
        SwfError::transport(message, cause(error))
    } else {
        SwfError::config(message, cause(error))
    }
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::*;

    const ACCESS_KEY: &str = "AKIDEXAMPLE";
    const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const BODY: &str = r#"{"name":"d","workflowExecutionRetentionPeriodInDays":"1"}"#;
    const TARGET: &str = "SimpleWorkflowService.RegisterDomain";

    /// 2026-11-28T13:50:09Z.
    fn fixed_time() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_873_809)
    }

    fn hmac(key: &[u8], data: &str) -> Vec<u8> {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
        ring::hmac::sign(&key, data.as_bytes()).as_ref().to_vec()
    }

    fn sha256_hex(data: &[u8]) -> String {
        hex::encode(Sha256::digest(data))
    }

    /// SigV4 written out step by step, independently of `aws-sigv4`: the signature of the
    /// test body posted to `path` at `host` on `amz_date` (whose day is `date`), with a session
    /// token if given.
    fn written_out(
        secret: &str,
        path: &str,
        host: &str,
        token: Option<&str>,
        amz_date: &str,
        date: &str,
    ) -> String {
        let token_line = token.map_or(String::new(), |t| format!("x-amz-security-token:{t}\n"));
        let token_name = if token.is_some() {
            "x-amz-security-token;"
        } else {
            ""
        };
        let canonical_request = format!(
            "POST\n{path}\n\n\
             content-type:application/x-amz-json-1.0\n\
             host:{host}\n\
             x-amz-date:{amz_date}\n\
             {token_line}\
             x-amz-target:{TARGET}\n\n\
             content-type;host;x-amz-date;{token_name}x-amz-target\n{}",
            sha256_hex(BODY.as_bytes())
        );
        let scope = format!("{date}/us-east-1/swf/aws4_request");
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            sha256_hex(canonical_request.as_bytes())
        );
        let key = hmac(format!("AWS4{secret}").as_bytes(), date);
        let key = hmac(&key, "us-east-1");
        let key = hmac(&key, "swf");
        let key = hmac(&key, "aws4_request");
        hex::encode(hmac(&key, &string_to_sign))
    }

    fn credentials(secret: &str, session_token: Option<&str>) -> Credentials {
        Credentials::new(
            ACCESS_KEY,
            secret,
            session_token.map(str::to_owned),
            None,
            "test",
        )
    }

    fn json_request(endpoint: &Url, repeats: Repeats) -> JsonRequest<'_> {
        JsonRequest {
            service: SWF,
            endpoint,
            target: TARGET,
            repeats,
        }
    }

    fn try_sign(
        endpoint: &str,
        session_token: Option<&str>,
    ) -> Result<http::Request<bytes::Bytes>, SwfError> {
        JsonSigner::new("us-east-1").sign(
            json_request(&Url::parse(endpoint).unwrap(), Repeats::Seldom),
            bytes::Bytes::from_static(BODY.as_bytes()),
            &credentials(SECRET_KEY, session_token),
            fixed_time(),
        )
    }

    fn sign_fixed(endpoint: &str, session_token: Option<&str>) -> http::Request<bytes::Bytes> {
        try_sign(endpoint, session_token).expect("signs")
    }

    fn header<'a>(request: &'a http::Request<bytes::Bytes>, name: &str) -> &'a str {
        request
            .headers()
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
    }

    fn signature(request: &http::Request<bytes::Bytes>) -> &str {
        let authorization = header(request, "authorization");
        authorization.rsplit_once("Signature=").unwrap().1
    }

    #[test]
    fn signs_like_sigv4() {
        let request = sign_fixed("https://swf.us-east-1.amazonaws.com", None);
        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(request.uri(), "/");
        assert_eq!(request.body().as_ref(), BODY.as_bytes());
        assert_eq!(header(&request, "host"), "swf.us-east-1.amazonaws.com");
        assert_eq!(header(&request, "x-amz-target"), TARGET);
        assert_eq!(
            header(&request, "content-type"),
            "application/x-amz-json-1.0"
        );
        assert_eq!(header(&request, "x-amz-date"), "20261128T135009Z");
        assert!(request.headers().get("x-amz-security-token").is_none());
        assert!(request.headers().get("x-amz-content-sha256").is_none());

        let authorization = header(&request, "authorization");
        let (algorithm, rest) = authorization.split_once(' ').unwrap();
        assert_eq!(algorithm, "AWS4-HMAC-SHA256");
        let parts: Vec<&str> = rest.split(", ").collect();
        assert_eq!(
            parts[0],
            "Credential=AKIDEXAMPLE/20261128/us-east-1/swf/aws4_request"
        );
        assert_eq!(
            parts[1],
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target"
        );
        let expected = written_out(
            SECRET_KEY,
            "/",
            "swf.us-east-1.amazonaws.com",
            None,
            "20261128T135009Z",
            "20261128",
        );
        assert_eq!(parts[2], format!("Signature={expected}"));
    }

    #[test]
    fn signs_session_token_and_port() {
        let request = sign_fixed("http://127.0.0.1:4566", Some("TOKEN"));
        assert_eq!(header(&request, "host"), "127.0.0.1:4566");
        assert_eq!(header(&request, "x-amz-security-token"), "TOKEN");
        assert!(header(&request, "authorization").contains(
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"
        ));
        let expected = written_out(
            SECRET_KEY,
            "/",
            "127.0.0.1:4566",
            Some("TOKEN"),
            "20261128T135009Z",
            "20261128",
        );
        assert_eq!(signature(&request), expected);
    }

    /// An endpoint's path is signed as sent; one SigV4 would encode differently is refused.
    #[test]
    fn an_endpoint_path_is_signed_and_an_unusual_one_refused() {
        let request = sign_fixed("http://127.0.0.1:4566/swf", None);
        assert_eq!(request.uri(), "/swf");
        let expected = written_out(
            SECRET_KEY,
            "/swf",
            "127.0.0.1:4566",
            None,
            "20261128T135009Z",
            "20261128",
        );
        assert_eq!(signature(&request), expected);
        for endpoint in ["http://127.0.0.1:4566/a%20b", "http://127.0.0.1:4566/?x=1"] {
            let refused = try_sign(endpoint, None).expect_err(endpoint);
            assert!(refused.to_string().contains("path"), "{refused}");
        }
    }

    /// The signing key is derived once per day and secret: a signer that signed on one day
    /// signs right on the next, and with rotated credentials.
    #[test]
    fn the_kept_signing_key_follows_the_day_and_the_secret() {
        let signer = JsonSigner::new("us-east-1");
        let url = Url::parse("https://swf.us-east-1.amazonaws.com").unwrap();
        let sign = |secret: &str, time: SystemTime| {
            signer
                .sign(
                    json_request(&url, Repeats::Seldom),
                    bytes::Bytes::from_static(BODY.as_bytes()),
                    &credentials(secret, None),
                    time,
                )
                .unwrap()
        };
        let host = "swf.us-east-1.amazonaws.com";
        let today = sign(SECRET_KEY, fixed_time());
        let expected = written_out(SECRET_KEY, "/", host, None, "20261128T135009Z", "20261128");
        assert_eq!(signature(&today), expected);
        let tomorrow = sign(SECRET_KEY, fixed_time() + Duration::from_secs(86_400));
        let expected = written_out(SECRET_KEY, "/", host, None, "20261129T135009Z", "20261129");
        assert_eq!(signature(&tomorrow), expected);
        let rotated = sign("rotated", fixed_time());
        let expected = written_out("rotated", "/", host, None, "20261128T135009Z", "20261128");
        assert_eq!(signature(&rotated), expected);
    }

    /// A request that repeats is signed once a second: signing it again within that second
    /// copies the kept headers, which are those signing afresh gives. Another secret, session
    /// token, body or second is signed afresh; requests that seldom repeat are not kept.
    #[test]
    fn a_repeated_request_is_signed_once_a_second() {
        let signer = JsonSigner::new("us-east-1");
        let url = Url::parse("https://swf.us-east-1.amazonaws.com").unwrap();
        let host = "swf.us-east-1.amazonaws.com";
        let sign = |body: &'static str, credentials: Credentials, time, repeats| {
            signer
                .sign(
                    json_request(&url, repeats),
                    bytes::Bytes::from_static(body.as_bytes()),
                    &credentials,
                    time,
                )
                .unwrap()
        };
        let kept = || signer.repeats.lock().unwrap().len();
        let now = fixed_time();

        sign(BODY, credentials(SECRET_KEY, None), now, Repeats::Seldom);
        assert_eq!(kept(), 0, "a request that seldom repeats is not kept");
        let first = sign(BODY, credentials(SECRET_KEY, None), now, Repeats::Often);
        assert_eq!(kept(), 1);
        let later = now + Duration::from_millis(900);
        let again = sign(BODY, credentials(SECRET_KEY, None), later, Repeats::Often);
        assert_eq!(
            kept(),
            1,
            "the same request in the same second is not kept twice"
        );
        assert_eq!(again.headers(), first.headers());
        assert_eq!(again.uri(), "/");
        assert_eq!(again.body().as_ref(), BODY.as_bytes());
        let today = "20261128T135009Z";
        let expected = written_out(SECRET_KEY, "/", host, None, today, "20261128");
        assert_eq!(signature(&again), expected);

        let rotated = sign(BODY, credentials("rotated", None), later, Repeats::Often);
        let expected = written_out("rotated", "/", host, None, today, "20261128");
        assert_eq!(signature(&rotated), expected);
        let token = sign(
            BODY,
            credentials(SECRET_KEY, Some("T")),
            now,
            Repeats::Often,
        );
        assert_eq!(header(&token, "x-amz-security-token"), "T");
        let expected = written_out(SECRET_KEY, "/", host, Some("T"), today, "20261128");
        assert_eq!(signature(&token), expected);
        let other = sign("{}", credentials(SECRET_KEY, None), now, Repeats::Often);
        assert_eq!(other.body().as_ref(), b"{}");
        assert_ne!(signature(&other), signature(&first));
        assert_eq!(kept(), 4);

        let next_second = now + Duration::from_secs(1);
        let next = sign(
            BODY,
            credentials(SECRET_KEY, None),
            next_second,
            Repeats::Often,
        );
        assert_eq!(kept(), 1, "the requests of an earlier second are dropped");
        let expected = written_out(SECRET_KEY, "/", host, None, "20261128T135010Z", "20261128");
        assert_eq!(signature(&next), expected);
    }

    #[tokio::test]
    async fn caches_credentials_until_near_expiry() {
        let expiring = Credentials::new("A", "S", None, Some(SystemTime::now()), "test");
        let source = CredentialSource::new(SharedCredentialsProvider::new(expiring));
        assert_eq!(source.credentials().await.unwrap().access_key_id(), "A");
        let (_, refresh_at) = source.cached.lock().await.clone().unwrap();
        assert!(
            refresh_at <= SystemTime::now(),
            "expired credentials are refreshed"
        );

        let lasting = Credentials::new("B", "S", None, None, "test");
        let source = CredentialSource::new(SharedCredentialsProvider::new(lasting));
        source.credentials().await.unwrap();
        let (_, refresh_at) = source.cached.lock().await.clone().unwrap();
        assert!(refresh_at > SystemTime::now() + Duration::from_secs(60));
    }
}
