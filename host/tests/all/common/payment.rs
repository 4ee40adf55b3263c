//! A fake payment service on 127.0.0.1 for the booking activities' ValidatePayment, the same
//! service as `plugins/booking-activities/fake_payment.py`:
//!
//! `POST .../charges` with `Authorization: Bearer <api key>` and a JSON body
//! `{"itinerary", "attempt", "declines", "traveller"?}` answers 201
//! `{"receipt": "receipt for <itinerary>"}` when `attempt > declines`, else 402
//! `{"reason": "payment declined", "details": "attempt <n> for <itinerary>"}`; a wrong or
//! missing key gets 401, a body that is not a charge 400, another path 404, another method 405.
//!
//! Use from an integration test with
//!
//! ```ignore
//! #[path = "common/payment.rs"]
//! mod payment;
//!
//! let payment = payment::FakePayment::start("test-key");
//! // grant PAYMENT_URL = payment.url(), PAYMENT_KEY = "test-key" and the host payment.url()
//! ```
//!
//! It serves on its own runtime, so it works from plain `#[test]`s and from `#[tokio::test]`s
//! alike, and stops when dropped.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

/// Largest request body read.
const MAX_BODY: usize = 64 * 1024;

/// What the service saw so far.
#[derive(Debug, Default)]
struct Seen {
    last_authorization: Option<String>,
    charges: Vec<Value>,
}

/// The running service; stops on drop.
pub struct FakePayment {
    url: String,
    seen: Arc<Mutex<Seen>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl FakePayment {
    /// Serves on a free loopback port, accepting `Bearer <api_key>`.
    pub fn start(api_key: &str) -> FakePayment {
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("bind the fake payment service");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_io()
            .build()
            .expect("a runtime for the fake payment service");
        let seen: Arc<Mutex<Seen>> = Arc::default();
        let expected = Arc::new(format!("Bearer {api_key}"));
        let recorded = seen.clone();
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let expected = expected.clone();
                let recorded = recorded.clone();
                let service = service_fn(move |request: Request<Incoming>| {
                    let expected = expected.clone();
                    let recorded = recorded.clone();
                    async move { Ok::<_, Infallible>(answer(request, &expected, &recorded).await) }
                });
                tokio::spawn(async move {
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        FakePayment {
            url,
            seen,
            runtime: Some(runtime),
        }
    }

    /// `http://127.0.0.1:PORT`: the value of PAYMENT_URL, and the host to grant.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The `Authorization` header of the latest request, if it had one.
    pub fn last_authorization(&self) -> Option<String> {
        self.seen.lock().unwrap().last_authorization.clone()
    }

    /// The JSON bodies of the charges that passed the key check, in order.
    pub fn charges(&self) -> Vec<Value> {
        self.seen.lock().unwrap().charges.clone()
    }
}

impl Drop for FakePayment {
    fn drop(&mut self) {
        // Never blocks, so dropping inside an async test is fine too.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn answer(
    request: Request<Incoming>,
    expected: &str,
    seen: &Mutex<Seen>,
) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let authorization = parts
        .headers
        .get(hyper::header::AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    {
        let mut seen = seen.lock().unwrap();
        seen.last_authorization = authorization.clone();
    }
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) => {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"reason": "bad request", "details": error.to_string()}),
            );
        }
    };
    if parts.uri.path().trim_end_matches('/').rsplit('/').next() != Some("charges") {
        return reply(StatusCode::NOT_FOUND, json!({"reason": "not found"}));
    }
    if parts.method != Method::POST {
        return reply(
            StatusCode::METHOD_NOT_ALLOWED,
            json!({"reason": "POST /charges"}),
        );
    }
    if authorization.as_deref() != Some(expected) {
        return reply(
            StatusCode::UNAUTHORIZED,
            json!({"reason": "invalid API key"}),
        );
    }
    let charge: Value = match serde_json::from_slice(&body) {
        Ok(charge) => charge,
        Err(error) => {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"reason": "bad charge", "details": error.to_string()}),
            );
        }
    };
    seen.lock().unwrap().charges.push(charge.clone());
    let Some(itinerary) = charge["itinerary"].as_str() else {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"reason": "bad charge", "details": "no itinerary"}),
        );
    };
    let attempt = charge["attempt"].as_u64().unwrap_or(1);
    let declines = charge["declines"].as_u64().unwrap_or(0);
    if attempt <= declines {
        reply(
            StatusCode::PAYMENT_REQUIRED,
            json!({"reason": "payment declined", "details": format!("attempt {attempt} for {itinerary}")}),
        )
    } else {
        reply(
            StatusCode::CREATED,
            json!({"receipt": format!("receipt for {itinerary}")}),
        )
    }
}

fn reply(status: StatusCode, body: Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("a valid response")
}
