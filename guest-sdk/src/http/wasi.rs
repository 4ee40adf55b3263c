//! The client on `wasi:http/outgoing-handler@0.2` (wasm32 activities only), and the names of
//! the `error-code` cases.

#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code, unused_imports))]

use super::Failure;
use crate::bindings::activity::wasi::http::types::ErrorCode;

/// The WIT case name of `code`, and its text when it is `internal-error(some(text))`.
pub(super) fn failure(code: &ErrorCode) -> Failure {
    let name = match code {
        ErrorCode::DnsTimeout => "DNS-timeout",
        ErrorCode::DnsError(_) => "DNS-error",
        ErrorCode::DestinationNotFound => "destination-not-found",
        ErrorCode::DestinationUnavailable => "destination-unavailable",
        ErrorCode::DestinationIpProhibited => "destination-IP-prohibited",
        ErrorCode::DestinationIpUnroutable => "destination-IP-unroutable",
        ErrorCode::ConnectionRefused => "connection-refused",
        ErrorCode::ConnectionTerminated => "connection-terminated",
        ErrorCode::ConnectionTimeout => "connection-timeout",
        ErrorCode::ConnectionReadTimeout => "connection-read-timeout",
        ErrorCode::ConnectionWriteTimeout => "connection-write-timeout",
        ErrorCode::ConnectionLimitReached => "connection-limit-reached",
        ErrorCode::TlsProtocolError => "TLS-protocol-error",
        ErrorCode::TlsCertificateError => "TLS-certificate-error",
        ErrorCode::TlsAlertReceived(_) => "TLS-alert-received",
        ErrorCode::HttpRequestDenied => "HTTP-request-denied",
        ErrorCode::HttpRequestLengthRequired => "HTTP-request-length-required",
        ErrorCode::HttpRequestBodySize(_) => "HTTP-request-body-size",
        ErrorCode::HttpRequestMethodInvalid => "HTTP-request-method-invalid",
        ErrorCode::HttpRequestUriInvalid => "HTTP-request-URI-invalid",
        ErrorCode::HttpRequestUriTooLong => "HTTP-request-URI-too-long",
        ErrorCode::HttpRequestHeaderSectionSize(_) => "HTTP-request-header-section-size",
        ErrorCode::HttpRequestHeaderSize(_) => "HTTP-request-header-size",
        ErrorCode::HttpRequestTrailerSectionSize(_) => "HTTP-request-trailer-section-size",
        ErrorCode::HttpRequestTrailerSize(_) => "HTTP-request-trailer-size",
        ErrorCode::HttpResponseIncomplete => "HTTP-response-incomplete",
        ErrorCode::HttpResponseHeaderSectionSize(_) => "HTTP-response-header-section-size",
        ErrorCode::HttpResponseHeaderSize(_) => "HTTP-response-header-size",
        ErrorCode::HttpResponseBodySize(_) => "HTTP-response-body-size",
        ErrorCode::HttpResponseTrailerSectionSize(_) => "HTTP-response-trailer-section-size",
        ErrorCode::HttpResponseTrailerSize(_) => "HTTP-response-trailer-size",
        ErrorCode::HttpResponseTransferCoding(_) => "HTTP-response-transfer-coding",
        ErrorCode::HttpResponseContentCoding(_) => "HTTP-response-content-coding",
        ErrorCode::HttpResponseTimeout => "HTTP-response-timeout",
        ErrorCode::HttpUpgradeFailed => "HTTP-upgrade-failed",
        ErrorCode::HttpProtocolError => "HTTP-protocol-error",
        ErrorCode::LoopDetected => "loop-detected",
        ErrorCode::ConfigurationError => "configuration-error",
        ErrorCode::InternalError(text) => {
            return Failure {
                code: "internal-error",
                detail: text.clone(),
            };
        }
    };
    Failure {
        code: name,
        detail: None,
    }
}

#[cfg(target_arch = "wasm32")]
pub(super) use client::{Pending, start, wait};

#[cfg(target_arch = "wasm32")]
mod client {
    use super::super::{Failure, Headers, Request, Response, url::Target};
    use super::failure;
    use crate::bindings::activity::wasi::http::outgoing_handler;
    use crate::bindings::activity::wasi::http::types::{
        Fields, FutureIncomingResponse, HeaderError, IncomingBody, Method, OutgoingBody,
        OutgoingRequest, RequestOptions, Scheme, http_error_code,
    };
    use crate::bindings::activity::wasi::io::streams::{InputStream, OutputStream, StreamError};

    /// Bytes asked of the response stream per read.
    const READ_CHUNK: u64 = 64 * 1024;
    /// Most bytes written to the request stream per write (the host may allow fewer).
    const WRITE_CHUNK: usize = 64 * 1024;

    /// A request handed to the host.
    pub(crate) struct Pending {
        response: FutureIncomingResponse,
        /// Writing the body failed (e.g. more bytes than its `Content-Length`): reported
        /// unless the response is an error itself.
        write_failure: Option<Failure>,
    }

    pub(crate) fn start(
        request: &Request,
        target: &Target,
        headers: &[(String, String)],
    ) -> Result<Pending, Failure> {
        let fields = Fields::new();
        for (name, value) in headers {
            fields.append(name, value.as_bytes()).map_err(|e| {
                Failure::internal(match e {
                    HeaderError::InvalidSyntax => format!("invalid header `{name}`"),
                    HeaderError::Forbidden => format!("header `{name}` is forbidden"),
                    HeaderError::Immutable => "the headers are immutable".to_owned(),
                })
            })?;
        }
        let outgoing = OutgoingRequest::new(fields);
        let method = match request.standard_method() {
            Some("GET") => Method::Get,
            Some("HEAD") => Method::Head,
            Some("POST") => Method::Post,
            Some("PUT") => Method::Put,
            Some("DELETE") => Method::Delete,
            Some("CONNECT") => Method::Connect,
            Some("OPTIONS") => Method::Options,
            Some("TRACE") => Method::Trace,
            Some("PATCH") => Method::Patch,
            _ => Method::Other(request.method.clone()),
        };
        let invalid = |code: &'static str| Failure { code, detail: None };
        outgoing
            .set_method(&method)
            .map_err(|()| invalid("HTTP-request-method-invalid"))?;
        let scheme = if target.scheme == "https" {
            Scheme::Https
        } else {
            Scheme::Http
        };
        outgoing
            .set_scheme(Some(&scheme))
            .map_err(|()| invalid("HTTP-request-URI-invalid"))?;
        outgoing
            .set_authority(Some(&target.authority))
            .map_err(|()| invalid("HTTP-request-URI-invalid"))?;
        outgoing
            .set_path_with_query(Some(&target.path_with_query))
            .map_err(|()| invalid("HTTP-request-URI-invalid"))?;
        // With no body resource taken the host sends none (no chunked GET).
        let body = if request.body.is_empty() {
            None
        } else {
            Some(
                outgoing
                    .body()
                    .map_err(|()| Failure::internal("the request body was taken twice"))?,
            )
        };
        let options = options(request)?;
        let response = outgoing_handler::handle(outgoing, options).map_err(|e| failure(&e))?;
        // The body can only be written once the host consumes it, i.e. after `handle`.
        let write_failure = body.and_then(|body| write_body(body, &request.body).err());
        Ok(Pending {
            response,
            write_failure,
        })
    }

    /// The request options, when the request sets a timeout.
    fn options(request: &Request) -> Result<Option<RequestOptions>, Failure> {
        let timeouts = [
            request.connect_timeout,
            request.first_byte_timeout,
            request.between_bytes_timeout,
        ];
        if timeouts.iter().all(Option::is_none) {
            return Ok(None);
        }
        let nanos = |d: std::time::Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        let unsupported =
            |which: &str| Failure::internal(format!("the host does not support a {which} timeout"));
        let options = RequestOptions::new();
        if let Some(timeout) = request.connect_timeout {
            options
                .set_connect_timeout(Some(nanos(timeout)))
                .map_err(|()| unsupported("connect"))?;
        }
        if let Some(timeout) = request.first_byte_timeout {
            options
                .set_first_byte_timeout(Some(nanos(timeout)))
                .map_err(|()| unsupported("first-byte"))?;
        }
        if let Some(timeout) = request.between_bytes_timeout {
            options
                .set_between_bytes_timeout(Some(nanos(timeout)))
                .map_err(|()| unsupported("between-bytes"))?;
        }
        Ok(Some(options))
    }

    /// Writes `bytes` in chunks the stream accepts (`check-write`), then finishes the body.
    ///
    /// When the host closes the stream (the server answered or the connection failed before
    /// taking the whole body) nothing is reported: the response, or its error, says what
    /// happened.
    fn write_body(body: OutgoingBody, bytes: &[u8]) -> Result<(), Failure> {
        let stream = body
            .write()
            .map_err(|()| Failure::internal("the request body stream was taken twice"))?;
        let written = write_all(&stream, bytes);
        drop(stream);
        match written {
            Ok(()) => OutgoingBody::finish(body, None).map_err(|e| failure(&e)),
            Err(StreamError::Closed) => Ok(()),
            Err(error) => Err(stream_failure(error)),
        }
    }

    fn write_all(stream: &OutputStream, mut bytes: &[u8]) -> Result<(), StreamError> {
        while !bytes.is_empty() {
            let permitted = stream.check_write()?;
            if permitted == 0 {
                stream.subscribe().block();
                continue;
            }
            let n = bytes
                .len()
                .min(WRITE_CHUNK)
                .min(usize::try_from(permitted).unwrap_or(usize::MAX));
            stream.write(&bytes[..n])?;
            bytes = &bytes[n..];
        }
        stream.blocking_flush()
    }

    fn stream_failure(error: StreamError) -> Failure {
        match error {
            StreamError::LastOperationFailed(error) => match http_error_code(&error) {
                Some(code) => failure(&code),
                None => Failure::internal(error.to_debug_string()),
            },
            StreamError::Closed => Failure::internal("the stream was closed"),
        }
    }

    pub(crate) fn wait(pending: Pending, max_body: Option<usize>) -> Result<Response, Failure> {
        let Pending {
            response,
            write_failure,
        } = pending;
        let incoming = loop {
            match response.get() {
                Some(Ok(Ok(incoming))) => break incoming,
                Some(Ok(Err(code))) => return Err(failure(&code)),
                Some(Err(())) => return Err(Failure::internal("the response was taken twice")),
                None => response.subscribe().block(),
            }
        };
        drop(response);
        if let Some(failure) = write_failure {
            return Err(failure);
        }
        let status = incoming.status();
        let headers = {
            let fields = incoming.headers();
            Headers::from_pairs(fields.entries())
        };
        let body = incoming
            .consume()
            .map_err(|()| Failure::internal("the response body was taken twice"))?;
        let stream = body
            .stream()
            .map_err(|()| Failure::internal("the response body stream was taken twice"))?;
        let read = read_all(&stream, max_body);
        drop(stream);
        let bytes = read?;
        // A body cut short or over the host's limit may only be reported here.
        let trailers = IncomingBody::finish(body);
        let end = loop {
            match trailers.get() {
                Some(end) => break end,
                None => trailers.subscribe().block(),
            }
        };
        if let Ok(Err(code)) = end {
            return Err(failure(&code));
        }
        drop(incoming);
        Ok(Response {
            status,
            headers,
            body: bytes,
        })
    }

    /// Reads until the end of the stream; each read blocks until some bytes (or the end)
    /// arrive, so the loop ends with the stream or at `max_body`.
    fn read_all(stream: &InputStream, max_body: Option<usize>) -> Result<Vec<u8>, Failure> {
        let mut bytes = Vec::new();
        loop {
            match stream.blocking_read(READ_CHUNK) {
                Ok(chunk) => {
                    bytes.extend_from_slice(&chunk);
                    if let Some(max) = max_body
                        && bytes.len() > max
                    {
                        return Err(Failure {
                            code: "HTTP-response-body-size",
                            detail: None,
                        });
                    }
                }
                Err(StreamError::Closed) => return Ok(bytes),
                Err(error) => return Err(stream_failure(error)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_wit_case_names() {
        let name = |code: ErrorCode| failure(&code).code;
        assert_eq!(name(ErrorCode::HttpRequestDenied), "HTTP-request-denied");
        assert_eq!(
            name(ErrorCode::HttpResponseBodySize(Some(9))),
            "HTTP-response-body-size"
        );
        assert_eq!(
            name(ErrorCode::ConnectionReadTimeout),
            "connection-read-timeout"
        );
        assert_eq!(
            name(ErrorCode::ConnectionLimitReached),
            "connection-limit-reached"
        );
        assert_eq!(name(ErrorCode::ConnectionRefused), "connection-refused");
        assert_eq!(
            name(ErrorCode::DestinationIpProhibited),
            "destination-IP-prohibited"
        );
        assert_eq!(
            name(ErrorCode::HttpRequestUriTooLong),
            "HTTP-request-URI-too-long"
        );
        assert_eq!(
            name(ErrorCode::TlsCertificateError),
            "TLS-certificate-error"
        );
        let internal = failure(&ErrorCode::InternalError(Some("boom".into())));
        assert_eq!(
            (internal.code, internal.detail.as_deref()),
            ("internal-error", Some("boom"))
        );
        let internal = failure(&ErrorCode::InternalError(None));
        assert_eq!((internal.code, internal.detail), ("internal-error", None));
    }
}
