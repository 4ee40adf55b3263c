//! A small synchronous HTTP client for activities, on `wasi:http/outgoing-handler`.
//!
//! ```ignore
//! use swfwasm_guest::http::Request;
//!
//! let response = Request::post("https://payments.example.com/charges")
//!     .header("Authorization", format!("Bearer {key}"))
//!     .json(&serde_json::json!({"amount": 12}))
//!     .first_byte_timeout(std::time::Duration::from_secs(10))
//!     .send()?;
//! if response.status == 201 {
//!     let receipt: Receipt = response.json()?;
//! }
//! ```
//!
//! A request reaches the network only when the activity declares its host in
//! [`Activity::requirements`](crate::Activity::requirements) *and* the operator grants it;
//! anything else fails with the code `HTTP-request-denied`. [`Request::start`] sends a request
//! and returns at once, so several can be in flight before the activity waits on any:
//!
//! ```ignore
//! let pending: Vec<_> = urls.iter().map(|url| Request::get(url).start()).collect();
//! let responses: Vec<_> = pending.into_iter().map(|p| p.wait()).collect();
//! ```
//!
//! The whole response body is read into memory (the host caps its size). A status of 4xx or
//! 5xx is a [`Response`], not an error: [`HttpError`] means no complete response arrived.
//!
//! In a native build (unit tests) and in deciders there is no `wasi:http`: every request fails
//! with `internal-error`, unless [`fake`] installed a stand-in for the host on the calling
//! thread.

mod url;
#[cfg(feature = "activity")]
mod wasi;

use std::fmt;
use std::rc::Rc;
use std::time::Duration;

/// The methods `wasi:http` names; any other name is sent as `other`.
#[cfg_attr(
    not(all(target_arch = "wasm32", feature = "activity")),
    allow(dead_code)
)]
const STANDARD_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

/// An HTTP request under construction. Nothing is sent until [`send`](Request::send) or
/// [`start`](Request::start).
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct Request {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    body_error: Option<String>,
    connect_timeout: Option<Duration>,
    first_byte_timeout: Option<Duration>,
    between_bytes_timeout: Option<Duration>,
    max_response_body: Option<usize>,
}

impl Request {
    /// A request with `method` (`"GET"`, `"POST"`, … or any other token) to an absolute
    /// `http://` or `https://` URL.
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        Request {
            method: method.into(),
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
            body_error: None,
            connect_timeout: None,
            first_byte_timeout: None,
            between_bytes_timeout: None,
            max_response_body: None,
        }
    }

    /// A GET request.
    pub fn get(url: impl Into<String>) -> Self {
        Self::new("GET", url)
    }

    /// A POST request.
    pub fn post(url: impl Into<String>) -> Self {
        Self::new("POST", url)
    }

    /// A PUT request.
    pub fn put(url: impl Into<String>) -> Self {
        Self::new("PUT", url)
    }

    /// A PATCH request.
    pub fn patch(url: impl Into<String>) -> Self {
        Self::new("PATCH", url)
    }

    /// A DELETE request.
    pub fn delete(url: impl Into<String>) -> Self {
        Self::new("DELETE", url)
    }

    /// A HEAD request.
    pub fn head(url: impl Into<String>) -> Self {
        Self::new("HEAD", url)
    }

    /// The method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The same request to another URL (for [`aws`](crate::aws), which knows its URL last).
    pub(crate) fn with_url(mut self, url: String) -> Self {
        self.url = url;
        self
    }

    /// Adds a header (a repeated name sends every value). The host refuses some names
    /// (`Host`, `Connection`, `Transfer-Encoding`, …): the request then fails.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body: bytes or text (`Vec<u8>`, `&[u8]`, `String`, `&str`). It is sent with a
    /// `Content-Length`.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self.body_error = None;
        self
    }

    /// Sets the body to `value` as JSON and, unless a `Content-Type` header is set already,
    /// `Content-Type: application/json`. A value that cannot be serialised makes the request
    /// fail with `internal-error`.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => {
                self.body = body;
                self.body_error = None;
            }
            Err(e) => self.body_error = Some(format!("cannot serialise the JSON body: {e}")),
        }
        if self.header_value("content-type").is_none() {
            self = self.header("content-type", "application/json");
        }
        self
    }

    /// Time allowed to establish the connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time allowed between sending the request and receiving the first byte of the response.
    pub fn first_byte_timeout(mut self, timeout: Duration) -> Self {
        self.first_byte_timeout = Some(timeout);
        self
    }

    /// Time allowed between two chunks of the response.
    pub fn between_bytes_timeout(mut self, timeout: Duration) -> Self {
        self.between_bytes_timeout = Some(timeout);
        self
    }

    /// Largest response body accepted, in bytes; a longer one fails the request with
    /// `HTTP-response-body-size`. The host's own limit applies anyway.
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_response_body = Some(bytes);
        self
    }

    /// Sends the request and waits for the whole response.
    pub fn send(self) -> Result<Response, HttpError> {
        self.start().wait()
    }

    /// Sends the request (the body included) and returns without waiting for the response,
    /// so that other requests can be started before any is awaited.
    pub fn start(self) -> PendingResponse {
        let target = match url::parse(&self.url) {
            Ok(target) => target,
            Err(why) => {
                return PendingResponse::failed(HttpError {
                    method: self.method,
                    origin: self.url,
                    code: "HTTP-request-URI-invalid",
                    detail: Some(why),
                });
            }
        };
        let failure = |code: &'static str, detail: Option<String>| HttpError {
            method: self.method.clone(),
            origin: target.origin(),
            code,
            detail,
        };
        if let Some(why) = &self.body_error {
            return PendingResponse::failed(failure("internal-error", Some(why.clone())));
        }
        let headers = self.wire_headers();
        match imp::start(&self, &target, &headers) {
            Ok(inner) => PendingResponse {
                state: State::Waiting(inner),
                method: self.method.clone(),
                origin: target.origin(),
                max_body: self.max_response_body,
            },
            Err(Failure { code, detail }) => PendingResponse::failed(failure(code, detail)),
        }
    }

    /// The first value of header `name` (any case).
    fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The headers as sent: the caller's, plus `Content-Length` when there is a body (or the
    /// method is one that expects one) and the caller set none.
    fn wire_headers(&self) -> Vec<(String, String)> {
        let mut headers = self.headers.clone();
        let expects_body = matches!(self.method.as_str(), "POST" | "PUT" | "PATCH");
        if (!self.body.is_empty() || expects_body) && self.header_value("content-length").is_none()
        {
            headers.push(("content-length".into(), self.body.len().to_string()));
        }
        headers
    }

    /// The method as `wasi:http` names it: a standard one, or `other`.
    #[cfg_attr(
        not(all(target_arch = "wasm32", feature = "activity")),
        allow(dead_code)
    )]
    fn standard_method(&self) -> Option<&'static str> {
        STANDARD_METHODS
            .iter()
            .find(|m| **m == self.method)
            .copied()
    }
}

/// A request that was sent and whose response has not been awaited yet.
#[must_use = "a started request is only useful when its response is awaited"]
pub struct PendingResponse {
    state: State,
    method: String,
    origin: String,
    max_body: Option<usize>,
}

enum State {
    Failed(HttpError),
    #[cfg_attr(
        not(all(target_arch = "wasm32", feature = "activity")),
        allow(dead_code)
    )]
    Waiting(imp::Pending),
}

impl PendingResponse {
    pub(crate) fn failed(error: HttpError) -> Self {
        PendingResponse {
            method: error.method.clone(),
            origin: error.origin.clone(),
            state: State::Failed(error),
            max_body: None,
        }
    }

    /// Waits for the response and reads its whole body.
    pub fn wait(self) -> Result<Response, HttpError> {
        match self.state {
            State::Failed(error) => Err(error),
            State::Waiting(inner) => imp::wait(inner, self.max_body).map_err(|f| HttpError {
                method: self.method,
                origin: self.origin,
                code: f.code,
                detail: f.detail,
            }),
        }
    }
}

impl fmt::Debug for PendingResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PendingResponse({} {})", self.method, self.origin)
    }
}

/// Waits for every response, in order (they progress concurrently meanwhile).
pub fn wait_all(
    pending: impl IntoIterator<Item = PendingResponse>,
) -> Vec<Result<Response, HttpError>> {
    pending.into_iter().map(PendingResponse::wait).collect()
}

/// A complete HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: Headers,
    /// The whole body.
    pub body: Vec<u8>,
}

impl Response {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text (invalid UTF-8 replaced by U+FFFD).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}

/// Response headers, names in lowercase, in the order received; lookups ignore case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<(String, String)>);

impl Headers {
    /// Headers from name/value pairs (names are lowercased; values that are not UTF-8 have
    /// their invalid bytes replaced by U+FFFD).
    pub fn from_pairs<N: AsRef<str>, V: AsRef<[u8]>>(
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        Headers(
            pairs
                .into_iter()
                .map(|(n, v)| {
                    (
                        n.as_ref().to_ascii_lowercase(),
                        String::from_utf8_lossy(v.as_ref()).into_owned(),
                    )
                })
                .collect(),
        )
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name` joined with `", "` (how HTTP combines a repeated header), or
    /// `None` when it is absent.
    pub fn get_joined(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self.get_all(name).collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// Whether `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Every name/value pair, in order (names lowercase; a repeated name appears repeatedly).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Number of name/value pairs.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A request that got no complete response.
///
/// [`code`](HttpError::code) is the `wasi:http` `error-code` case name (`HTTP-request-denied`,
/// `connection-refused`, `DNS-error`, `connection-read-timeout`, `HTTP-response-body-size`,
/// `internal-error`, …). It displays as `<METHOD> <scheme>://<host>:<port>: <code>`, followed
/// by ` (<text>)` when the code is `internal-error` with a text, or when the client refused the
/// request itself (`HTTP-request-URI-invalid`: the text says what is wrong with the URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    method: String,
    origin: String,
    code: &'static str,
    detail: Option<String>,
}

impl HttpError {
    /// A request the client refuses to send (`HTTP-request-URI-invalid`), `detail` saying why.
    pub(crate) fn refused(
        method: impl Into<String>,
        origin: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        HttpError {
            method: method.into(),
            origin: origin.into(),
            code: "HTTP-request-URI-invalid",
            detail: Some(detail.into()),
        }
    }

    /// The `wasi:http` `error-code` case name.
    pub fn code(&self) -> &str {
        self.code
    }

    /// The request's method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// `scheme://host:port` of the request (the URL as given when it could not be parsed).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The text of an `internal-error`, or why the client refused the request.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// Whether the host refused the request because its origin is not both declared and
    /// granted.
    pub fn is_denied(&self) -> bool {
        self.code == "HTTP-request-denied"
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.method, self.origin, self.code)?;
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

impl std::error::Error for HttpError {}

/// Why a request failed, before the method and origin are attached.
#[derive(Debug)]
struct Failure {
    code: &'static str,
    detail: Option<String>,
}

impl Failure {
    #[allow(dead_code)]
    fn internal(detail: impl Into<String>) -> Self {
        Failure {
            code: "internal-error",
            detail: Some(detail.into()),
        }
    }
}

/// A request as [`fake`] sees it: what would have been sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeRequest {
    /// The method.
    pub method: String,
    /// The URL as given.
    pub url: String,
    /// The headers as sent, in order (`content-length` included when the client adds it).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl FakeRequest {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (invalid UTF-8 replaced by U+FFFD).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A stand-in for the host: the response to a request, or the `error-code` case name it
/// fails with (`"HTTP-request-denied"`, `"connection-refused"`, …).
type Responder = Rc<dyn Fn(&FakeRequest) -> Result<Response, &'static str>>;

/// In a native build (unit tests), answers every request sent later on the calling thread with
/// `responder` instead of failing it: its `Ok` is the response, its `Err` the `error-code` case
/// name the request fails with. A later call replaces the responder. Has no effect in a
/// WebAssembly activity, where the host answers.
///
/// ```
/// use swfwasm_guest::http::{self, Headers, Response};
///
/// http::fake(|request| match request.url.as_str() {
///     "https://api.example.com/ping" => Ok(Response {
///         status: 200,
///         headers: Headers::default(),
///         body: b"pong".to_vec(),
///     }),
///     _ => Err("HTTP-request-denied"),
/// });
/// # #[cfg(not(target_arch = "wasm32"))]
/// # {
/// assert_eq!(http::Request::get("https://api.example.com/ping").send().unwrap().text(), "pong");
/// assert!(http::Request::get("https://evil.example/").send().unwrap_err().is_denied());
/// # }
/// ```
pub fn fake(responder: impl Fn(&FakeRequest) -> Result<Response, &'static str> + 'static) {
    let responder: Responder = Rc::new(responder);
    #[cfg(not(all(target_arch = "wasm32", feature = "activity")))]
    imp::set_fake(responder);
    #[cfg(all(target_arch = "wasm32", feature = "activity"))]
    drop(responder);
}

#[cfg(all(target_arch = "wasm32", feature = "activity"))]
use wasi as imp;

#[cfg(not(all(target_arch = "wasm32", feature = "activity")))]
mod imp {
    //! No `wasi:http` here: every request fails, or the thread's [`fake`](super::fake)
    //! answers it.

    use std::cell::RefCell;

    use super::{Failure, FakeRequest, Request, Responder, Response, url::Target};

    thread_local! {
        static FAKE: RefCell<Option<Responder>> = const { RefCell::new(None) };
    }

    pub(super) fn set_fake(responder: Responder) {
        FAKE.with(|fake| *fake.borrow_mut() = Some(responder));
    }

    /// What the fake answered.
    pub(super) struct Pending(Result<Response, Failure>);

    pub(super) fn start(
        request: &Request,
        _target: &Target,
        headers: &[(String, String)],
    ) -> Result<Pending, Failure> {
        // Cloned out of the cell so that a responder may itself send requests.
        let responder = FAKE.with(|fake| fake.borrow().clone()).ok_or_else(|| {
            Failure::internal("wasi:http is only available to a WebAssembly activity")
        })?;
        let answer = responder(&FakeRequest {
            method: request.method.clone(),
            url: request.url.clone(),
            headers: headers.to_vec(),
            body: request.body.clone(),
        });
        Ok(Pending(
            answer.map_err(|code| Failure { code, detail: None }),
        ))
    }

    pub(super) fn wait(pending: Pending, max_body: Option<usize>) -> Result<Response, Failure> {
        let response = pending.0?;
        match max_body {
            Some(max) if response.body.len() > max => Err(Failure {
                code: "HTTP-response-body-size",
                detail: None,
            }),
            _ => Ok(response),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_method_origin_and_code() {
        let error = HttpError {
            method: "GET".into(),
            origin: "http://127.0.0.1:8099".into(),
            code: "HTTP-request-denied",
            detail: None,
        };
        assert_eq!(
            error.to_string(),
            "GET http://127.0.0.1:8099: HTTP-request-denied"
        );
        assert!(error.is_denied());
        let error = HttpError {
            method: "POST".into(),
            origin: "https://api.example.com:443".into(),
            code: "internal-error",
            detail: Some("connection reset".into()),
        };
        assert_eq!(
            error.to_string(),
            "POST https://api.example.com:443: internal-error (connection reset)"
        );
        assert_eq!(error.code(), "internal-error");
        assert_eq!(error.detail(), Some("connection reset"));
    }

    #[test]
    fn a_bad_url_fails_without_reaching_the_host() {
        let error = Request::get("ftp://example.com/x").send().unwrap_err();
        assert_eq!(error.code(), "HTTP-request-URI-invalid");
        assert_eq!(error.origin(), "ftp://example.com/x");
        assert!(
            error
                .to_string()
                .starts_with("GET ftp://example.com/x: HTTP-request-URI-invalid (")
        );
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn native_builds_fail_every_request_with_the_origin() {
        let error = Request::post("https://Payments.example.com/charges")
            .body("{}")
            .send()
            .unwrap_err();
        assert_eq!(error.code(), "internal-error");
        assert_eq!(error.method(), "POST");
        assert_eq!(error.origin(), "https://payments.example.com:443");
        assert!(
            error
                .to_string()
                .starts_with("POST https://payments.example.com:443: internal-error (")
        );
        let results = wait_all([
            Request::get("http://a.example/").start(),
            Request::get("http://b.example:81/").start(),
        ]);
        assert_eq!(results.len(), 2);
        assert_eq!(
            results[1].as_ref().unwrap_err().origin(),
            "http://b.example:81"
        );
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn fakes_answer_in_place_of_the_host() {
        fake(|request| match request.url.as_str() {
            "https://api.example.com/echo" => Ok(Response {
                status: 201,
                headers: Headers::from_pairs([("X-Method", request.method.as_bytes())]),
                body: request.body.clone(),
            }),
            _ => Err("HTTP-request-denied"),
        });
        let response = Request::put("https://api.example.com/echo")
            .body("hello")
            .send()
            .unwrap();
        assert_eq!(response.status, 201);
        assert_eq!(response.headers.get("x-method"), Some("PUT"));
        assert_eq!(response.text(), "hello");
        let error = Request::get("https://evil.example/").send().unwrap_err();
        assert!(error.is_denied());
        assert_eq!(
            error.to_string(),
            "GET https://evil.example:443: HTTP-request-denied"
        );
        let error = Request::put("https://api.example.com/echo")
            .body("too long")
            .max_response_body(3)
            .send()
            .unwrap_err();
        assert_eq!(error.code(), "HTTP-response-body-size");

        let seen = Rc::new(std::cell::RefCell::new(Vec::new()));
        let log = seen.clone();
        fake(move |request| {
            log.borrow_mut().push(request.clone());
            Err("connection-refused")
        });
        let _ = Request::post("http://127.0.0.1:9/x").json(&[1]).send();
        let seen = seen.borrow();
        assert_eq!(seen[0].method, "POST");
        assert_eq!(seen[0].header("Content-Type"), Some("application/json"));
        assert_eq!(seen[0].header("content-length"), Some("3"));
        assert_eq!(seen[0].text(), "[1]");
    }

    #[test]
    fn json_bodies_set_a_content_type_once() {
        let request = Request::post("http://x/").json(&serde_json::json!({"a": 1}));
        assert_eq!(request.body, br#"{"a":1}"#);
        assert_eq!(
            request.header_value("Content-Type"),
            Some("application/json")
        );
        let request = Request::post("http://x/")
            .header("Content-Type", "application/vnd.api+json")
            .json(&[1, 2]);
        assert_eq!(
            request.headers,
            vec![(
                "Content-Type".to_owned(),
                "application/vnd.api+json".to_owned()
            )]
        );

        let mut bad = std::collections::HashMap::new();
        bad.insert((1, 2), "tuple keys are not JSON");
        let error = Request::post("http://x/").json(&bad).send().unwrap_err();
        assert_eq!(error.code(), "internal-error");
        assert!(error.to_string().contains("cannot serialise the JSON body"));
    }

    #[test]
    fn content_length_accompanies_bodies() {
        let length = |r: &Request| {
            r.wire_headers()
                .into_iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .map(|(_, v)| v)
        };
        assert_eq!(length(&Request::get("http://x/")), None);
        assert_eq!(length(&Request::post("http://x/")), Some("0".into()));
        assert_eq!(
            length(&Request::put("http://x/").body("héllo")),
            Some("6".into())
        );
        assert_eq!(
            length(&Request::new("QUERY", "http://x/").body(vec![1, 2, 3])),
            Some("3".into())
        );
        let explicit = Request::post("http://x/")
            .header("Content-Length", "2")
            .body("ab");
        assert_eq!(explicit.wire_headers().len(), 1);
    }

    #[test]
    fn standard_methods_are_recognised_by_exact_name() {
        assert_eq!(Request::get("http://x/").standard_method(), Some("GET"));
        assert_eq!(
            Request::new("PATCH", "http://x/").standard_method(),
            Some("PATCH")
        );
        assert_eq!(Request::new("get", "http://x/").standard_method(), None);
        assert_eq!(
            Request::new("PROPFIND", "http://x/").standard_method(),
            None
        );
    }

    #[test]
    fn headers_are_looked_up_in_any_case() {
        let headers = Headers::from_pairs([
            ("Content-Type", b"text/plain".as_slice()),
            ("Set-Cookie", b"a=1"),
            ("set-cookie", b"b=2"),
            ("X-Bytes", b"\xff"),
        ]);
        assert_eq!(headers.get("content-type"), Some("text/plain"));
        assert_eq!(headers.get("CONTENT-TYPE"), Some("text/plain"));
        assert_eq!(
            headers.get_all("Set-Cookie").collect::<Vec<_>>(),
            ["a=1", "b=2"]
        );
        assert_eq!(
            headers.get_joined("set-cookie").as_deref(),
            Some("a=1, b=2")
        );
        assert_eq!(headers.get_joined("missing"), None);
        assert_eq!(headers.get("x-bytes"), Some("\u{fffd}"));
        assert!(headers.contains("X-BYTES"));
        assert_eq!(headers.len(), 4);
        assert_eq!(headers.iter().next(), Some(("content-type", "text/plain")));
    }

    #[test]
    fn responses_decode_their_body() {
        let response = Response {
            status: 402,
            headers: Headers::default(),
            body: br#"{"reason": "payment declined"}"#.to_vec(),
        };
        assert!(!response.is_success());
        let value: serde_json::Value = response.json().unwrap();
        assert_eq!(value["reason"], "payment declined");
        assert!(response.text().contains("declined"));
    }
}
