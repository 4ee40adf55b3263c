//! A fault-injecting HTTP proxy on 127.0.0.1 for robustness tests: it sits between a worker and
//! a loopback SWF endpoint (moto) and, instead of forwarding some requests, answers them with
//! `ThrottlingException` or HTTP 500 or drops the connection; some respond calls it forwards and
//! then drops, so the caller never learns that the call took effect.
//!
//! Decisions are deterministic: the n-th request draws from std's SipHash (fixed keys) of
//! `(seed, n)`. Polls are only ever failed *before* forwarding: a poll dropped after moto handed
//! out a task would lose that task until it times out.
//!
//! moto's polls are not atomic (they find a scheduled task, then start it, under no lock), so
//! two concurrent polls can both be handed the same task, which real SWF never does: the proxy
//! forwards polls of one kind one at a time.
//!
//! Bounded: at most [`MAX_CONNECTIONS`] connections at once, request bodies up to
//! [`MAX_REQUEST_BODY`], upstream bodies up to [`MAX_RESPONSE_BODY`], and no identical request
//! (target and body) fails more than [`Plan::max_failures_per_request`] times in a row, so a
//! client that retries enough always gets through.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Most client connections served at once; further ones wait in the accept queue.
pub const MAX_CONNECTIONS: usize = 64;
/// Largest request body accepted (SWF requests are at most a few hundred KiB).
pub const MAX_REQUEST_BODY: usize = 1 << 20;
/// Largest upstream response body relayed.
pub const MAX_RESPONSE_BODY: usize = 16 << 20;
/// Time limit of one forwarded call (moto answers an empty poll after about a second).
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(65);
/// Entries of the failure-streak table before it is cleared.
const MAX_STREAKS: usize = 4096;

/// What to inject, in requests per thousand.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Seeds the draws.
    pub seed: u64,
    /// Answered HTTP 400 `ThrottlingException` without forwarding.
    pub throttle: u64,
    /// Answered HTTP 500 `InternalFailure` without forwarding.
    pub server_error: u64,
    /// Connection closed without forwarding or answering.
    pub drop_before: u64,
    /// Of the `RespondDecisionTaskCompleted` / `RespondActivityTaskCompleted` calls not failed
    /// before forwarding: forwarded, then the connection closed without answering.
    pub drop_after_respond: u64,
    /// Most consecutive failures injected into identical requests (same target and body);
    /// the next one is forwarded untouched. Keep it below the client's attempts.
    pub max_failures_per_request: u32,
    /// Decision tasks polled with `startAtPreviousStartedEvent` (a sticky worker's partial
    /// histories) come back with their first event's timestamp one second later: a service
    /// that answers the partial history wrongly.
    pub corrupt_partial_histories: bool,
}

/// What the proxy did so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Injected {
    /// Forwarded and answered with upstream's response.
    pub forwarded: u64,
    /// Answered `ThrottlingException`.
    pub throttled: u64,
    /// Answered HTTP 500.
    pub server_errors: u64,
    /// Dropped before forwarding.
    pub dropped_before: u64,
    /// Respond calls forwarded, then dropped.
    pub dropped_after: u64,
}

#[derive(Default)]
struct Counters {
    forwarded: AtomicU64,
    throttled: AtomicU64,
    server_errors: AtomicU64,
    dropped_before: AtomicU64,
    dropped_after: AtomicU64,
}

/// The fate of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Throttle,
    ServerError,
    DropBefore,
    DropAfter,
}

/// The error a service returns to make hyper close the connection without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the fault proxy")
    }
}

impl std::error::Error for Dropped {}

struct Shared {
    upstream: String,
    plan: Plan,
    http: reqwest::Client,
    requests: AtomicU64,
    counters: Counters,
    /// Consecutive failures injected per request (hash of target and body).
    streaks: Mutex<HashMap<u64, u32>>,
    /// Held while a PollForDecisionTask, resp. PollForActivityTask, is at moto.
    decision_polls: tokio::sync::Mutex<()>,
    activity_polls: tokio::sync::Mutex<()>,
}

impl Shared {
    /// Decides the fate of the next request with `target` and `body`; `None` forwards it.
    fn decide(&self, target: &str, body: &[u8]) -> Option<Fault> {
        let number = self.requests.fetch_add(1, Ordering::Relaxed);
        let mut hasher = DefaultHasher::new();
        (self.plan.seed, number).hash(&mut hasher);
        let bits = hasher.finish();
        let (before, after) = ((bits & 0xffff_ffff) % 1000, (bits >> 32) % 1000);

        let plan = &self.plan;
        let mut fault = if before < plan.throttle {
            Some(Fault::Throttle)
        } else if before < plan.throttle + plan.server_error {
            Some(Fault::ServerError)
        } else if before < plan.throttle + plan.server_error + plan.drop_before {
            Some(Fault::DropBefore)
        } else if is_respond(target) && after < plan.drop_after_respond {
            Some(Fault::DropAfter)
        } else {
            None
        };

        let mut hasher = DefaultHasher::new();
        (target, body).hash(&mut hasher);
        let key = hasher.finish();
        let mut streaks = self.streaks.lock().unwrap();
        let streak = streaks.get(&key).copied().unwrap_or(0);
        if streak >= plan.max_failures_per_request {
            fault = None;
        }
        if fault.is_some() {
            if streaks.len() >= MAX_STREAKS {
                streaks.clear();
            }
            streaks.insert(key, streak + 1);
        } else {
            streaks.remove(&key);
        }
        fault
    }

    fn count(&self, counter: impl Fn(&Counters) -> &AtomicU64) {
        counter(&self.counters).fetch_add(1, Ordering::Relaxed);
    }

    async fn handle(&self, request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Dropped> {
        let (parts, body) = request.into_parts();
        let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => return Ok(reply(413, "{\"message\":\"request body too large\"}")),
        };
        if parts.method != hyper::Method::POST || parts.uri.path() != "/" {
            return Ok(reply(
                404,
                "{\"message\":\"the fault proxy serves POST / only\"}",
            ));
        }
        let target = parts
            .headers
            .get("x-amz-target")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let fault = self.decide(&target, &body);
        match fault {
            Some(Fault::Throttle) => {
                self.count(|c| &c.throttled);
                return Ok(reply(
                    400,
                    r#"{"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate exceeded"}"#,
                ));
            }
            Some(Fault::ServerError) => {
                self.count(|c| &c.server_errors);
                return Ok(reply(
                    500,
                    r#"{"__type":"com.amazon.coral.service#InternalFailure","message":"injected"}"#,
                ));
            }
            Some(Fault::DropBefore) => {
                self.count(|c| &c.dropped_before);
                return Err(Dropped);
            }
            Some(Fault::DropAfter) | None => {}
        }

        let _one_poll_at_a_time = match target.strip_prefix("SimpleWorkflowService.") {
            Some("PollForDecisionTask") => Some(self.decision_polls.lock().await),
            Some("PollForActivityTask") => Some(self.activity_polls.lock().await),
            _ => None,
        };
        let request_body = body.clone();
        let mut forward = self.http.post(&self.upstream).body(body);
        for (name, value) in &parts.headers {
            // The Host header stays: the client signed it, and local-swf checks signatures.
            if !matches!(name.as_str(), "content-length" | "connection") {
                forward = forward.header(name, value);
            }
        }
        // Upstream failures become a 502, which the client retries like any 5xx.
        let Ok(mut upstream) = forward.send().await else {
            return Ok(reply(502, "{\"message\":\"upstream unreachable\"}"));
        };
        let mut response = Response::builder().status(upstream.status());
        for (name, value) in upstream.headers() {
            if !matches!(
                name.as_str(),
                "content-length" | "connection" | "transfer-encoding"
            ) {
                response = response.header(name, value);
            }
        }
        let mut relayed = Vec::new();
        loop {
            match upstream.chunk().await {
                Ok(Some(chunk)) if relayed.len() + chunk.len() <= MAX_RESPONSE_BODY => {
                    relayed.extend_from_slice(&chunk)
                }
                Ok(Some(_)) | Err(_) => {
                    return Ok(reply(502, "{\"message\":\"bad upstream response\"}"));
                }
                Ok(None) => break,
            }
        }
        if fault == Some(Fault::DropAfter) {
            self.count(|c| &c.dropped_after);
            return Err(Dropped);
        }
        if self.plan.corrupt_partial_histories && target.ends_with(".PollForDecisionTask") {
            relayed = corrupt_partial_history(&request_body, relayed);
        }
        self.count(|c| &c.forwarded);
        Ok(response.body(Full::new(Bytes::from(relayed))).unwrap())
    }
}

/// A partial history (a poll with `startAtPreviousStartedEvent` whose events do not start at
/// the first) with its first event's timestamp moved; anything else as it is.
fn corrupt_partial_history(request: &[u8], response: Vec<u8>) -> Vec<u8> {
    let partial = serde_json::from_slice::<serde_json::Value>(request)
        .is_ok_and(|r| r["startAtPreviousStartedEvent"] == true);
    let Ok(mut task) = serde_json::from_slice::<serde_json::Value>(&response) else {
        return response;
    };
    match task["events"].get_mut(0) {
        Some(first) if partial && first["eventId"].as_i64() > Some(1) => {
            let moved = first["eventTimestamp"].as_f64().unwrap_or(0.0) + 1.0;
            first["eventTimestamp"] = serde_json::json!(moved);
            serde_json::to_vec(&task).unwrap()
        }
        _ => response,
    }
}

fn is_respond(target: &str) -> bool {
    matches!(
        target.strip_prefix("SimpleWorkflowService."),
        Some("RespondDecisionTaskCompleted" | "RespondActivityTaskCompleted")
    )
}

fn reply(status: u16, body: &'static str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.0")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap()
}

pub struct FaultProxy {
    endpoint: String,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Serves until dropped, forwarding to `upstream` (an `http://127.0.0.1:PORT` endpoint).
    pub async fn start(upstream: &str, plan: Plan) -> FaultProxy {
        let upstream_addr: SocketAddr = upstream
            .strip_prefix("http://")
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("upstream {upstream} is not http://IP:PORT"));
        assert!(
            upstream_addr.ip().is_loopback(),
            "the fault proxy forwards to loopback only, not {upstream}"
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fault proxy");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(UPSTREAM_TIMEOUT)
            .build()
            .expect("the proxy's HTTP client");
        let shared = Arc::new(Shared {
            upstream: format!("http://{upstream_addr}/"),
            plan,
            http,
            requests: AtomicU64::new(0),
            counters: Counters::default(),
            streaks: Mutex::default(),
            decision_polls: tokio::sync::Mutex::default(),
            activity_polls: tokio::sync::Mutex::default(),
        });
        let server = tokio::spawn(serve(listener, shared.clone()));
        FaultProxy {
            endpoint,
            shared,
            server,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        self.endpoint.clone()
    }

    /// What was injected (and forwarded) so far.
    pub fn injected(&self) -> Injected {
        let c = &self.shared.counters;
        Injected {
            forwarded: c.forwarded.load(Ordering::Relaxed),
            throttled: c.throttled.load(Ordering::Relaxed),
            server_errors: c.server_errors.load(Ordering::Relaxed),
            dropped_before: c.dropped_before.load(Ordering::Relaxed),
            dropped_after: c.dropped_after.load(Ordering::Relaxed),
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        // Dropping the accept loop drops its JoinSet, which aborts every connection.
        self.server.abort();
    }
}

async fn serve(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    loop {
        let permit = slots.clone().acquire_owned().await.expect("never closed");
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        while connections.try_join_next().is_some() {}
        let shared = shared.clone();
        connections.spawn(async move {
            let service = service_fn(move |request| {
                let shared = shared.clone();
                async move { shared.handle(request).await }
            });
            // An error here is a dropped connection (injected, or the client went away).
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(permit);
        });
    }
}
