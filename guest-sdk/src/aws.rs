//! Calling AWS from an activity without holding AWS credentials: the host signs.
//!
//! The activity sends a plain HTTP request to a *virtual* AWS host,
//! `https://<name>.aws.internal<path>`, where `<name>` is the name of an AWS grant in the
//! operator's configuration (by default a grant is named after its service: `s3`, `dynamodb`,
//! `sqs`). The host finds that grant, sends the request to the real endpoint signed with the
//! grant's credentials (any `Authorization`, `X-Amz-Security-Token`, `X-Amz-Date` or
//! `X-Amz-Content-Sha256` the guest set is dropped) and hands back the service's answer as is.
//! The activity never sees a credential or the real endpoint. Without an AWS grant of that name
//! the request fails with `HTTP-request-denied`, like any ungranted host.
//!
//! The plugin declares the virtual host like any other ([`host`] spells it):
//!
//! ```ignore
//! fn requirements() -> Requirements {
//!     Requirements::new().outbound_host(aws::host("s3"), true) // "https://s3.aws.internal"
//! }
//! ```
//!
//! Then either the typed helpers, thin wrappers over one API call each:
//!
//! ```ignore
//! use swfwasm_guest::aws;
//!
//! let etag = aws::s3_put_object("receipts", "2024/r-1.json", body, Some("application/json"))?;
//! let bytes = aws::s3_get_object("receipts", "2024/r-1.json")?;
//! aws::dynamodb_put_item("bookings", &json!({"id": {"S": "b-1"}, "paid": {"BOOL": true}}))?;
//! let item = aws::dynamodb_get_item("bookings", &json!({"id": {"S": "b-1"}}))?; // Option
//! let id = aws::sqs_send_message("https://sqs.eu-west-1.amazonaws.com/1234/q", "hello")?;
//! // Another grant than the service's name:
//! let bytes = aws::S3::with_grant("archive").get_object("old", "r-1.json")?;
//! ```
//!
//! or [`request`], any API call as plain HTTP (the answer is an [`http::Response`], whatever
//! its status):
//!
//! ```ignore
//! let listing = aws::request("s3", "GET", "/receipts")
//!     .query("list-type", "2")
//!     .query("prefix", "2024/")
//!     .send()?;
//! ```
//!
//! The helpers fail with an [`Error`]: [`Error::Http`] when no answer arrived (denied,
//! unreachable…), [`Error::Aws`] when the service answered with a non-2xx status
//! ([`AwsError`]: status, code, message).
//!
//! In a native build (unit tests) requests fail with `internal-error` unless
//! [`http::fake`] answers them.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::http::{self, HttpError, PendingResponse, Response};

/// The domain of the virtual AWS hosts: `<grant name>.aws.internal`.
pub const DOMAIN: &str = "aws.internal";

/// `https://<name>.aws.internal`: the outbound host a plugin declares to reach AWS grant
/// `name`.
pub fn host(name: &str) -> String {
    format!("https://{name}.{DOMAIN}")
}

/// A request to AWS grant `name` (`s3`, `dynamodb`, `sqs`, or the name the operator gave an
/// AWS grant): `method` to `path` (which starts with `/` and is sent as given, so any
/// percent-encoding is the caller's; [`encode_path`] helps). Add a query, headers and a body,
/// then [`send`](AwsRequest::send) it.
pub fn request(name: &str, method: &str, path: &str) -> AwsRequest {
    AwsRequest {
        name: name.to_owned(),
        path: path.to_owned(),
        query: Vec::new(),
        http: http::Request::new(method, String::new()),
    }
}

/// A request to a virtual AWS host under construction ([`request`]). Nothing is sent until
/// [`send`](AwsRequest::send) or [`start`](AwsRequest::start).
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct AwsRequest {
    name: String,
    path: String,
    query: Vec<(String, String)>,
    /// Everything but the URL, which is known when the request is sent.
    http: http::Request,
}

impl AwsRequest {
    /// Adds a query parameter; names and values are percent-encoded when the URL is built
    /// (RFC 3986 unreserved characters kept, a space as `%20`), in the order added.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header, as [`http::Request::header`]. Signing headers are pointless: the host
    /// drops them and signs itself.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.http = self.http.header(name, value);
        self
    }

    /// Sets the body, as [`http::Request::body`].
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.http = self.http.body(body);
        self
    }

    /// Sets the body to `value` as JSON, as [`http::Request::json`] (AWS JSON protocols want
    /// their own `Content-Type`: set that header first).
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        self.http = self.http.json(value);
        self
    }

    /// Time allowed to establish the connection (see [`http::Request::connect_timeout`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.connect_timeout(timeout);
        self
    }

    /// Time allowed for the answer to begin (see [`http::Request::first_byte_timeout`]).
    pub fn first_byte_timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.first_byte_timeout(timeout);
        self
    }

    /// Time allowed between two chunks of the answer.
    pub fn between_bytes_timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.between_bytes_timeout(timeout);
        self
    }

    /// Largest answer body accepted (see [`http::Request::max_response_body`]).
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.http = self.http.max_response_body(bytes);
        self
    }

    /// The method.
    pub fn method(&self) -> &str {
        self.http.method()
    }

    /// `https://<name>.aws.internal<path>[?<query>]`.
    pub fn url(&self) -> String {
        let mut url = format!("{}{}", host(&self.name), self.path);
        if !self.query.is_empty() {
            url.push(if self.path.contains('?') { '&' } else { '?' });
            url.push_str(&query_string(&self.query));
        }
        url
    }

    /// Sends the request and waits for the whole answer (any status).
    pub fn send(self) -> Result<Response, HttpError> {
        self.start().wait()
    }

    /// Sends the request and returns without waiting for the answer, as
    /// [`http::Request::start`].
    pub fn start(self) -> PendingResponse {
        if let Err(why) = self.check() {
            let origin = format!("{}:443", host(&self.name.to_ascii_lowercase()));
            return PendingResponse::failed(HttpError::refused(self.http.method(), origin, why));
        }
        let url = self.url();
        self.http.with_url(url).start()
    }

    /// Why the URL cannot be built from the name and path, if it cannot.
    fn check(&self) -> Result<(), String> {
        let name = &self.name;
        let label = !name.is_empty()
            && name.len() <= 63
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !name.starts_with('-')
            && !name.ends_with('-');
        if !label {
            return Err(format!(
                "`{name}` is not an AWS grant name (letters, digits and inner dashes)"
            ));
        }
        if !self.path.starts_with('/') {
            return Err(format!("the path `{}` does not start with /", self.path));
        }
        if self.path.contains('#') {
            return Err(format!("the path `{}` contains #", self.path));
        }
        Ok(())
    }
}

/// Percent-encodes `text` for a query or a path segment: RFC 3986 unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`) are kept, every other byte of its UTF-8 becomes `%XX` (a space
/// `%20`).
pub fn encode_component(text: &str) -> String {
    encode(text, false)
}

/// As [`encode_component`], but keeps `/`: an S3 object key as a path.
pub fn encode_path(text: &str) -> String {
    encode(text, true)
}

fn encode(text: &str, keep_slash: bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) || (keep_slash && byte == b'/') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
    out
}

/// `name=value&…`, each encoded with [`encode_component`].
fn query_string(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{}={}", encode_component(name), encode_component(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A non-2xx answer of an AWS service.
///
/// Displays as `<service> <operation>: <status> <code>: <message>` (without ` <code>` or
/// `: <message>` when the answer had none), e.g.
/// `s3 GetObject: 404 NoSuchKey: The specified key does not exist.`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    /// The service called (`s3`, `dynamodb`, `sqs`, …).
    pub service: String,
    /// The operation (`PutObject`, `GetItem`, …).
    pub operation: String,
    /// The HTTP status.
    pub status: u16,
    /// The error code: the `x-amzn-errortype` header up to its `:`, else the JSON body's
    /// `__type` after its `#`, else the XML body's `<Code>`.
    pub code: Option<String>,
    /// The JSON body's `message` (or `Message`), else the XML body's `<Message>`.
    pub message: Option<String>,
}

impl AwsError {
    /// Reads the error out of `response` (a non-2xx answer of `service` to `operation`).
    pub fn from_response(service: &str, operation: &str, response: &Response) -> Self {
        let text = String::from_utf8_lossy(&response.body);
        let json = serde_json::from_str::<Map<String, Value>>(&text).ok();
        let json_str = |name: &str| {
            json.as_ref()
                .and_then(|fields| fields.get(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let xml = || text.trim_start().starts_with('<');
        let header_code = response.headers.get("x-amzn-errortype").map(|value| {
            value
                .split(':')
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned()
        });
        let json_code = || {
            json_str("__type").map(|t| match t.rsplit_once('#') {
                Some((_, name)) => name.to_owned(),
                None => t,
            })
        };
        let code = non_empty(header_code)
            .or_else(|| non_empty(json_code()))
            .or_else(|| non_empty(xml().then(|| xml_element(&text, "Code")).flatten()));
        let message = non_empty(json_str("message"))
            .or_else(|| non_empty(json_str("Message")))
            .or_else(|| non_empty(xml().then(|| xml_element(&text, "Message")).flatten()));
        AwsError {
            service: service.to_owned(),
            operation: operation.to_owned(),
            status: response.status,
            code,
            message,
        }
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.service, self.operation, self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AwsError {}

fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

/// The text of the first `<name>…</name>` in `xml`, entities decoded.
fn xml_element(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    Some(xml_unescape(&xml[start..end]))
}

/// Decodes the five predefined XML entities and numeric character references; anything else
/// is kept as written.
fn xml_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').and_then(|semi| {
            let entity = &rest[1..semi];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let number = entity.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Why a typed helper failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// No answer arrived: the host refused the request (`HTTP-request-denied`: no AWS grant of
    /// that name, or the plugin did not declare its host), or the connection failed.
    Http(HttpError),
    /// The service answered with a non-2xx status.
    Aws(AwsError),
    /// Neither: the helper refused its arguments (an empty bucket name…) or could not read a
    /// successful answer. Displays as `<service> <operation>: <detail>`.
    Client {
        /// The service called.
        service: String,
        /// The operation.
        operation: String,
        /// What is wrong.
        detail: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Http(error) => error.fmt(f),
            Error::Aws(error) => error.fmt(f),
            Error::Client {
                service,
                operation,
                detail,
            } => write!(f, "{service} {operation}: {detail}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Http(error) => Some(error),
            Error::Aws(error) => Some(error),
            Error::Client { .. } => None,
        }
    }
}

impl From<HttpError> for Error {
    fn from(error: HttpError) -> Self {
        Error::Http(error)
    }
}

impl From<AwsError> for Error {
    fn from(error: AwsError) -> Self {
        Error::Aws(error)
    }
}

/// One API call of a typed helper.
struct Call {
    service: &'static str,
    operation: &'static str,
}

impl Call {
    /// Sends `request`; a 2xx answer, or the error.
    fn send(&self, request: AwsRequest) -> Result<Response, Error> {
        let response = request.send()?;
        if response.is_success() {
            Ok(response)
        } else {
            Err(AwsError::from_response(self.service, self.operation, &response).into())
        }
    }

    fn client_error(&self, detail: impl Into<String>) -> Error {
        Error::Client {
            service: self.service.into(),
            operation: self.operation.into(),
            detail: detail.into(),
        }
    }

    /// The 2xx answer's body as a JSON object.
    fn json_body(&self, response: &Response) -> Result<Map<String, Value>, Error> {
        response
            .json()
            .map_err(|e| self.client_error(format!("unreadable answer: {e}")))
    }
}

/// The `Content-Type` of the AWS JSON 1.0 protocol (DynamoDB, SQS).
const AWS_JSON: &str = "application/x-amz-json-1.0";

/// An AWS JSON 1.0 call: `POST /` with `x-amz-target: <target>` and `body`.
fn json_request<T: Serialize + ?Sized>(grant: &str, target: &str, body: &T) -> AwsRequest {
    request(grant, "POST", "/")
        .header("content-type", AWS_JSON)
        .header("x-amz-target", target)
        .json(body)
}

/// Amazon S3 (path-style requests) through AWS grant [`grant`](S3::grant), `s3` by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3 {
    grant: String,
}

impl Default for S3 {
    fn default() -> Self {
        Self::new()
    }
}

impl S3 {
    /// Through the AWS grant named `s3`.
    pub fn new() -> Self {
        Self::with_grant("s3")
    }

    /// Through the AWS grant named `name`.
    pub fn with_grant(name: impl Into<String>) -> Self {
        S3 { grant: name.into() }
    }

    /// The AWS grant's name.
    pub fn grant(&self) -> &str {
        &self.grant
    }

    /// PutObject: `PUT /<bucket>/<key>` (the key percent-encoded but for its `/`) with `body`
    /// and, if given, its `Content-Type`. Returns the object's ETag, if the answer has one.
    pub fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: impl Into<Vec<u8>>,
        content_type: Option<&str>,
    ) -> Result<Option<String>, Error> {
        let call = Call {
            service: "s3",
            operation: "PutObject",
        };
        let mut request = request(&self.grant, "PUT", &object_path(&call, bucket, key)?).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = call.send(request)?;
        Ok(response.headers.get("etag").map(str::to_owned))
    }

    /// GetObject: `GET /<bucket>/<key>`; the object's bytes.
    pub fn get_object(&self, bucket: &str, key: &str) -> Result<Vec<u8>, Error> {
        let call = Call {
            service: "s3",
            operation: "GetObject",
        };
        let path = object_path(&call, bucket, key)?;
        Ok(call.send(request(&self.grant, "GET", &path))?.body)
    }
}

/// `/<bucket>/<key>`, refusing what would address something else than an object.
fn object_path(call: &Call, bucket: &str, key: &str) -> Result<String, Error> {
    if bucket.is_empty() || bucket.contains('/') {
        return Err(call.client_error(format!("invalid bucket name `{bucket}`")));
    }
    if key.is_empty() {
        return Err(call.client_error("the object key is empty"));
    }
    Ok(format!(
        "/{}/{}",
        encode_component(bucket),
        encode_path(key)
    ))
}

/// Amazon DynamoDB (AWS JSON 1.0) through AWS grant [`grant`](DynamoDb::grant), `dynamodb` by
/// default. Items and keys are in DynamoDB JSON: `{"id": {"S": "b-1"}, "nights": {"N": "3"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamoDb {
    grant: String,
}

impl Default for DynamoDb {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PutItem<'a, T: ?Sized> {
    table_name: &'a str,
    item: &'a T,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetItem<'a, T: ?Sized> {
    table_name: &'a str,
    key: &'a T,
}

impl DynamoDb {
    /// Through the AWS grant named `dynamodb`.
    pub fn new() -> Self {
        Self::with_grant("dynamodb")
    }

    /// Through the AWS grant named `name`.
    pub fn with_grant(name: impl Into<String>) -> Self {
        DynamoDb { grant: name.into() }
    }

    /// The AWS grant's name.
    pub fn grant(&self) -> &str {
        &self.grant
    }

    /// PutItem: stores `item` (DynamoDB JSON) in `table`, replacing any item with its key.
    pub fn put_item<T: Serialize + ?Sized>(&self, table: &str, item: &T) -> Result<(), Error> {
        let call = Call {
            service: "dynamodb",
            operation: "PutItem",
        };
        let body = PutItem {
            table_name: table,
            item,
        };
        call.send(json_request(
            &self.grant,
            "DynamoDB_20120810.PutItem",
            &body,
        ))?;
        Ok(())
    }

    /// GetItem: the item of `table` with primary key `key` (DynamoDB JSON), or `None`.
    pub fn get_item<T: Serialize + ?Sized>(
        &self,
        table: &str,
        key: &T,
    ) -> Result<Option<Map<String, Value>>, Error> {
        let call = Call {
            service: "dynamodb",
            operation: "GetItem",
        };
        let body = GetItem {
            table_name: table,
            key,
        };
        let response = call.send(json_request(
            &self.grant,
            "DynamoDB_20120810.GetItem",
            &body,
        ))?;
        match call.json_body(&response)?.remove("Item") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(item)) => Ok(Some(item)),
            Some(other) => Err(call.client_error(format!("unreadable answer: Item is {other}"))),
        }
    }
}

/// Amazon SQS (AWS JSON 1.0) through AWS grant [`grant`](Sqs::grant), `sqs` by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sqs {
    grant: String,
}

impl Default for Sqs {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SendMessage<'a> {
    queue_url: &'a str,
    message_body: &'a str,
}

impl Sqs {
    /// Through the AWS grant named `sqs`.
    pub fn new() -> Self {
        Self::with_grant("sqs")
    }

    /// Through the AWS grant named `name`.
    pub fn with_grant(name: impl Into<String>) -> Self {
        Sqs { grant: name.into() }
    }

    /// The AWS grant's name.
    pub fn grant(&self) -> &str {
        &self.grant
    }

    /// SendMessage: sends `body` to the queue at `queue_url`; the message's id.
    pub fn send_message(&self, queue_url: &str, body: &str) -> Result<String, Error> {
        let call = Call {
            service: "sqs",
            operation: "SendMessage",
        };
        let request = SendMessage {
            queue_url,
            message_body: body,
        };
        let response = call.send(json_request(&self.grant, "AmazonSQS.SendMessage", &request))?;
        match call.json_body(&response)?.remove("MessageId") {
            Some(Value::String(id)) => Ok(id),
            _ => Err(call.client_error("unreadable answer: no MessageId")),
        }
    }
}

/// [`S3::put_object`] through the AWS grant named `s3`.
pub fn s3_put_object(
    bucket: &str,
    key: &str,
    body: impl Into<Vec<u8>>,
    content_type: Option<&str>,
) -> Result<Option<String>, Error> {
    S3::new().put_object(bucket, key, body, content_type)
}

/// [`S3::get_object`] through the AWS grant named `s3`.
pub fn s3_get_object(bucket: &str, key: &str) -> Result<Vec<u8>, Error> {
    S3::new().get_object(bucket, key)
}

/// [`DynamoDb::put_item`] through the AWS grant named `dynamodb`.
pub fn dynamodb_put_item<T: Serialize + ?Sized>(table: &str, item: &T) -> Result<(), Error> {
    DynamoDb::new().put_item(table, item)
}

/// [`DynamoDb::get_item`] through the AWS grant named `dynamodb`.
pub fn dynamodb_get_item<T: Serialize + ?Sized>(
    table: &str,
    key: &T,
) -> Result<Option<Map<String, Value>>, Error> {
    DynamoDb::new().get_item(table, key)
}

/// [`Sqs::send_message`] through the AWS grant named `sqs`.
pub fn sqs_send_message(queue_url: &str, body: &str) -> Result<String, Error> {
    Sqs::new().send_message(queue_url, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Headers;

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            status,
            headers: Headers::from_pairs(headers.iter().map(|(n, v)| (*n, v.as_bytes()))),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn encoding_keeps_only_unreserved_characters() {
        assert_eq!(encode_component("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(encode_component("a b+c/d"), "a%20b%2Bc%2Fd");
        assert_eq!(encode_component("é=&?#%"), "%C3%A9%3D%26%3F%23%25");
        assert_eq!(encode_path("2024/a b/ü.json"), "2024/a%20b/%C3%BC.json");
    }

    #[test]
    fn urls_name_the_grant_and_encode_the_query() {
        assert_eq!(
            request("s3", "GET", "/bucket").url(),
            "https://s3.aws.internal/bucket"
        );
        let listing = request("archive", "GET", "/b")
            .query("list-type", "2")
            .query("prefix", "a b/c")
            .query("marker", "");
        assert_eq!(
            listing.url(),
            "https://archive.aws.internal/b?list-type=2&prefix=a%20b%2Fc&marker="
        );
        assert_eq!(
            request("s3", "GET", "/b?uploads").query("max", "1").url(),
            "https://s3.aws.internal/b?uploads&max=1"
        );
        assert_eq!(host("sqs"), "https://sqs.aws.internal");
    }

    #[test]
    fn bad_names_and_paths_are_refused_before_the_host() {
        for (name, path) in [
            ("", "/"),
            ("s3.evil.example", "/"),
            ("-s3", "/"),
            ("s3:8080", "/"),
            ("s3", "bucket/key"),
            ("s3", "/b#frag"),
        ] {
            let error = request(name, "GET", path).send().unwrap_err();
            assert_eq!(error.code(), "HTTP-request-URI-invalid", "{name} {path}");
        }
        let error = request("s3", "PUT", "b/k").send().unwrap_err();
        assert_eq!(
            error.to_string(),
            "PUT https://s3.aws.internal:443: HTTP-request-URI-invalid (the path `b/k` does not \
             start with /)"
        );
    }

    #[test]
    fn codes_come_from_the_header_then_json_then_xml() {
        let error = AwsError::from_response(
            "dynamodb",
            "GetItem",
            &answer(
                400,
                &[(
                    "X-Amzn-ErrorType",
                    "ResourceNotFoundException:http://internal.amazon.com/coral/x/",
                )],
                r#"{"__type": "com.amazonaws.dynamodb.v20120810#Other", "message": "Requested resource not found"}"#,
            ),
        );
        assert_eq!(error.code.as_deref(), Some("ResourceNotFoundException"));
        assert_eq!(
            error.to_string(),
            "dynamodb GetItem: 400 ResourceNotFoundException: Requested resource not found"
        );

        let error = AwsError::from_response(
            "sqs",
            "SendMessage",
            &answer(
                400,
                &[],
                r#"{"__type": "com.amazonaws.sqs#QueueDoesNotExist", "Message": "The specified queue does not exist."}"#,
            ),
        );
        assert_eq!(
            error.to_string(),
            "sqs SendMessage: 400 QueueDoesNotExist: The specified queue does not exist."
        );
        let error = AwsError::from_response(
            "dynamodb",
            "PutItem",
            &answer(400, &[], r#"{"__type": "ValidationException"}"#),
        );
        assert_eq!(error.code.as_deref(), Some("ValidationException"));
        assert_eq!(error.message, None);
        assert_eq!(
            error.to_string(),
            "dynamodb PutItem: 400 ValidationException"
        );

        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>\
                   <Message>The key &lt;a&amp;b&gt; &#233;&#x21; &bogus; does not exist.</Message>\
                   <Key>a&amp;b</Key></Error>";
        let error = AwsError::from_response("s3", "GetObject", &answer(404, &[], xml));
        assert_eq!(
            error,
            AwsError {
                service: "s3".into(),
                operation: "GetObject".into(),
                status: 404,
                code: Some("NoSuchKey".into()),
                message: Some("The key <a&b> é! &bogus; does not exist.".into()),
            }
        );
        let error = AwsError::from_response(
            "s3",
            "PutObject",
            &answer(403, &[("x-amzn-errortype", "AccessDenied")], xml),
        );
        assert_eq!(error.code.as_deref(), Some("AccessDenied"));

        let error = AwsError::from_response("s3", "GetObject", &answer(503, &[], ""));
        assert_eq!((error.code, error.message), (None, None));
        let error = AwsError::from_response("s3", "GetObject", &answer(502, &[], "Bad <Code>"));
        assert_eq!(error.to_string(), "s3 GetObject: 502");
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod with_a_fake_host {
        use std::cell::RefCell;
        use std::rc::Rc;

        use serde_json::json;

        use super::*;
        use crate::http::FakeRequest;

        /// Answers every request with `status`/`headers`/`body`; returns what was sent.
        fn fake(
            status: u16,
            headers: &'static [(&'static str, &'static str)],
            body: &'static str,
        ) -> Rc<RefCell<Vec<FakeRequest>>> {
            let seen = Rc::new(RefCell::new(Vec::new()));
            let log = seen.clone();
            http::fake(move |request| {
                log.borrow_mut().push(request.clone());
                Ok(answer(status, headers, body))
            });
            seen
        }

        #[test]
        fn s3_objects_are_put_and_got_path_style() {
            let seen = fake(200, &[("ETag", "\"abc\"")], "");
            assert_eq!(
                s3_put_object("receipts", "2024/a b.json", "{}", Some("application/json")),
                Ok(Some("\"abc\"".into()))
            );
            let sent = seen.borrow()[0].clone();
            assert_eq!(sent.method, "PUT");
            assert_eq!(sent.url, "https://s3.aws.internal/receipts/2024/a%20b.json");
            assert_eq!(sent.header("content-type"), Some("application/json"));
            assert_eq!(sent.text(), "{}");

            let seen = fake(200, &[], "contents");
            assert_eq!(
                S3::with_grant("archive").get_object("old", "k"),
                Ok(b"contents".to_vec())
            );
            assert_eq!(seen.borrow()[0].method, "GET");
            assert_eq!(seen.borrow()[0].url, "https://archive.aws.internal/old/k");
            assert_eq!(seen.borrow()[0].body, b"");

            fake(200, &[], "");
            assert_eq!(s3_put_object("b", "k", "x", None), Ok(None));
            assert!(matches!(
                s3_get_object("", "k"),
                Err(Error::Client { detail, .. }) if detail == "invalid bucket name ``"
            ));
            assert_eq!(
                s3_put_object("b", "", "x", None).unwrap_err().to_string(),
                "s3 PutObject: the object key is empty"
            );
        }

        #[test]
        fn s3_errors_are_aws_errors() {
            fake(
                404,
                &[],
                "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>",
            );
            let error = s3_get_object("missing", "k").unwrap_err();
            assert!(matches!(&error, Error::Aws(e) if e.status == 404));
            assert_eq!(
                error.to_string(),
                "s3 GetObject: 404 NoSuchBucket: The specified bucket does not exist"
            );
        }

        #[test]
        fn dynamodb_speaks_aws_json() {
            let seen = fake(200, &[], "{}");
            dynamodb_put_item("bookings", &json!({"id": {"S": "b-1"}})).unwrap();
            let sent = seen.borrow()[0].clone();
            assert_eq!(
                (sent.method.as_str(), sent.url.as_str()),
                ("POST", "https://dynamodb.aws.internal/")
            );
            assert_eq!(
                sent.header("content-type"),
                Some("application/x-amz-json-1.0")
            );
            assert_eq!(
                sent.header("x-amz-target"),
                Some("DynamoDB_20120810.PutItem")
            );
            assert_eq!(
                serde_json::from_slice::<Value>(&sent.body).unwrap(),
                json!({"TableName": "bookings", "Item": {"id": {"S": "b-1"}}})
            );

            assert_eq!(
                dynamodb_get_item("bookings", &json!({"id": {"S": "b-2"}})),
                Ok(None)
            );
            let sent = seen.borrow()[1].clone();
            assert_eq!(
                sent.header("x-amz-target"),
                Some("DynamoDB_20120810.GetItem")
            );
            assert_eq!(
                serde_json::from_slice::<Value>(&sent.body).unwrap(),
                json!({"TableName": "bookings", "Key": {"id": {"S": "b-2"}}})
            );

            fake(200, &[], r#"{"Item": {"id": {"S": "b-1"}}}"#);
            let item = DynamoDb::with_grant("ddb")
                .get_item("bookings", &json!({"id": {"S": "b-1"}}))
                .unwrap()
                .unwrap();
            assert_eq!(Value::Object(item), json!({"id": {"S": "b-1"}}));

            fake(200, &[], "not json");
            assert!(matches!(
                dynamodb_get_item("t", &json!({})),
                Err(Error::Client { operation, .. }) if operation == "GetItem"
            ));
        }

        #[test]
        fn sqs_returns_the_message_id() {
            let seen = fake(200, &[], r#"{"MessageId": "m-1", "MD5OfMessageBody": "x"}"#);
            assert_eq!(
                sqs_send_message("https://sqs.eu-west-1.amazonaws.com/1/q", "hello"),
                Ok("m-1".into())
            );
            let sent = seen.borrow()[0].clone();
            assert_eq!(sent.url, "https://sqs.aws.internal/");
            assert_eq!(sent.header("x-amz-target"), Some("AmazonSQS.SendMessage"));
            assert_eq!(
                serde_json::from_slice::<Value>(&sent.body).unwrap(),
                json!({"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/1/q", "MessageBody": "hello"})
            );
            fake(200, &[], "{}");
            assert_eq!(
                sqs_send_message("u", "b").unwrap_err().to_string(),
                "sqs SendMessage: unreadable answer: no MessageId"
            );
        }

        #[test]
        fn denials_are_http_errors() {
            http::fake(|_| Err("HTTP-request-denied"));
            let error = Sqs::with_grant("orders")
                .send_message("u", "b")
                .unwrap_err();
            assert!(matches!(&error, Error::Http(e) if e.is_denied()));
            assert_eq!(
                error.to_string(),
                "POST https://orders.aws.internal:443: HTTP-request-denied"
            );
        }

        #[test]
        fn raw_requests_return_any_answer() {
            let seen = fake(403, &[("x-amzn-errortype", "AccessDenied")], "<Error/>");
            let response = request("s3", "DELETE", "/b/k")
                .query("versionId", "v 1")
                .header("x-amz-mfa", "123")
                .send()
                .unwrap();
            assert_eq!(response.status, 403);
            let sent = seen.borrow()[0].clone();
            assert_eq!(sent.url, "https://s3.aws.internal/b/k?versionId=v%201");
            assert_eq!(sent.header("x-amz-mfa"), Some("123"));
        }
    }
}
