//! [`Transport`]: the HTTP/1.1 client of the SWF client: keep-alive connections to the service,
//! each driven by the task whose call is using it.
//!
//! Why by hand rather than reqwest (which the artifact fetchers use): a worker makes two calls
//! per task (a poll and a respond) and little else, so the general client's layers (redirect
//! and proxy policies that reparse the URL per request, a tower stack, a connection task of its
//! own woken through channels) were a fifth of the worker's CPU per task. Here a call takes an
//! idle connection, or opens one (TCP, `TCP_NODELAY`, TLS with the Mozilla roots for
//! `https`), and polls hyper's connection state machine itself while it waits for the answer:
//! no extra task, no hand-off between tasks. A connection goes back to the pool once its answer
//! was read in full, unless the server closed it.
//!
//! Data flow of a call: [`Transport::send`] → an idle [`Connection`] for the origin, checked
//! alive and ready (else a new one) → [`Connection::exchange`] writes the request and reads the
//! status, headers and whole body → [`Answer`].
//!
//! Failure behaviour: every failure before a complete answer (cannot resolve, cannot connect,
//! TLS, the connection closed or reset, the time limit) is an [`SwfError::Transport`] naming
//! it; the connection is then dropped, never reused. A request that hyper refused to write
//! because the reused connection had just closed is sent once more on a new connection. With a
//! proxy, every connection is a `CONNECT` tunnel through it (`proxy.rs`). Not supported: HTTP/2
//! (SWF speaks HTTP/1.1).

use std::future::{Future, poll_fn};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::Poll;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use http::header::{CONTENT_LENGTH, HeaderMap, HeaderValue, USER_AGENT};
use http_body::Body;
use http_body_util::Full;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use reqwest::Url;
use tokio::net::TcpStream;

use super::error::{SwfError, cause, error_chain};
use super::proxy::Proxy;
use crate::net::{Origin, OriginHost, Scheme, Stream, server_name, tls_config};

/// Idle connections kept, across origins; the least recently used go first.
const MAX_IDLE: usize = 64;
/// An idle connection older than this is closed rather than reused: servers close idle
/// connections after a while (a minute, typically), and a request sent as they do would fail.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest `Content-Length` reserved up front; a larger body grows as it arrives.
const MAX_RESERVE: usize = 8 << 20;

/// A service's answer, read in full.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: http::StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// HTTP/1.1 with a keep-alive pool. Shared by the clones of an `SwfClient`.
pub(crate) struct Transport {
    connect_timeout: Duration,
    proxy: Option<Proxy>,
    idle: Mutex<Vec<Idle>>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("connect_timeout", &self.connect_timeout)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

/// The origin of the endpoint `url`, which must be `http(s)://host[:port]…`; otherwise a
/// config error. Derived once per endpoint.
pub(crate) fn endpoint_origin(url: &Url) -> Result<Origin, SwfError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(SwfError::config(
            format!(
                "invalid endpoint {url}: scheme {:?}, expected http(s)://host[:port]",
                url.scheme()
            ),
            None,
        ));
    }
    Origin::of_url(url.as_str()).ok_or_else(|| {
        SwfError::config(
            format!("invalid endpoint {url}: no host, expected http(s)://host[:port]"),
            None,
        )
    })
}

struct Idle {
    origin: Origin,
    since: Instant,
    connection: Connection,
}

impl Transport {
    /// A transport whose connections must be established within `connect_timeout`, tunneled
    /// through `proxy` if given.
    pub(crate) fn new(connect_timeout: Duration, proxy: Option<Proxy>) -> Self {
        Self {
            connect_timeout,
            proxy,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Sends `request` (origin-form URI, `Host` set) to `origin` and reads the whole answer,
    /// all within `timeout`.
    pub(crate) async fn send(
        &self,
        origin: &Origin,
        mut request: http::Request<Bytes>,
        timeout: Duration,
    ) -> Result<Answer, SwfError> {
        request.headers_mut().insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("swfwasm/", env!("CARGO_PKG_VERSION"))),
        );
        let request = request.map(Full::new);
        let call = async {
            let mut request = request;
            if let Some(mut connection) = self.take_idle(origin) {
                match connection.exchange(request).await {
                    Ok(answer) => return self.keep(origin, connection, answer),
                    // Not written: the idle connection had just closed. Once more on a new one.
                    Err(Failure::Unsent(_, unsent)) => request = *unsent,
                    Err(failure) => return Err(failure.into_error(origin)),
                }
            }
            let mut connection = self.connect(origin).await?;
            match connection.exchange(request).await {
                Ok(answer) => self.keep(origin, connection, answer),
                Err(failure) => Err(failure.into_error(origin)),
            }
        };
        tokio::time::timeout(timeout, call).await.map_err(|_| {
            SwfError::transport(
                format!("timed out: no complete answer from {origin} within {timeout:?}"),
                None,
            )
        })?
    }

    /// Returns `connection` to the pool (unless the server closed it) and passes `answer` on.
    fn keep(
        &self,
        origin: &Origin,
        connection: Connection,
        answer: Answer,
    ) -> Result<Answer, SwfError> {
        if connection.driver.is_some() {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() >= MAX_IDLE {
                idle.remove(0);
            }
            idle.push(Idle {
                origin: origin.clone(),
                since: Instant::now(),
                connection,
            });
        }
        Ok(answer)
    }

    /// The most recently used idle connection to `origin`; those idle too long are dropped.
    /// Whether the server closed it meanwhile shows when it is used: hyper reads the socket
    /// before it writes a request, and gives back a request it did not write.
    fn take_idle(&self, origin: &Origin) -> Option<Connection> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        idle.retain(|i| now.duration_since(i.since) < IDLE_TIMEOUT);
        let at = idle.iter().rposition(|i| &i.origin == origin)?;
        Some(idle.remove(at).connection)
    }

    /// A new connection to `origin` (through the proxy's tunnel, if there is a proxy): the
    /// first of the addresses that accepts within the connect timeout, then TLS for `https`.
    async fn connect(&self, origin: &Origin) -> Result<Connection, SwfError> {
        let via = match &self.proxy {
            Some(proxy) => format!(" through the proxy {proxy}"),
            None => String::new(),
        };
        let failed = |what: &str, e: Option<&dyn std::error::Error>| {
            let detail = e
                .map(|e| format!(": {}", error_chain(e)))
                .unwrap_or_default();
            SwfError::transport(
                format!("cannot connect to {origin}{via}: {what}{detail}"),
                None,
            )
        };
        let to = match &self.proxy {
            Some(proxy) => &proxy.origin,
            None => origin,
        };
        let port = to.port;
        let connect = async {
            let addresses: Vec<SocketAddr> = match &to.host {
                OriginHost::Ip(ip) => vec![(*ip, port).into()],
                OriginHost::Name(name) => tokio::net::lookup_host((name.as_str(), port))
                    .await
                    .map_err(|e| failed("cannot resolve the host", Some(&e)))?
                    .collect(),
            };
            let mut last = None;
            for address in addresses {
                match TcpStream::connect(address).await {
                    Ok(tcp) => return Ok(tcp),
                    Err(e) => last = Some(e),
                }
            }
            Err(match last {
                Some(e) => failed("no address accepted", Some(&e)),
                None => failed("the host has no address", None),
            })
        };
        let mut tcp = tokio::time::timeout(self.connect_timeout, connect)
            .await
            .map_err(|_| failed("timed out", None))??;
        if let Some(proxy) = &self.proxy {
            let tunnel = proxy.tunnel(&mut tcp, origin);
            tokio::time::timeout(self.connect_timeout, tunnel)
                .await
                .map_err(|_| failed("the proxy did not open the tunnel in time", None))?
                .map_err(|why| failed(&format!("the proxy: {why}"), None))?;
        }
        tcp.set_nodelay(true)
            .map_err(|e| failed("cannot set TCP_NODELAY", Some(&e)))?;
        let io: Box<dyn Stream> = if origin.scheme == Scheme::Https {
            let name =
                server_name(&origin.host).map_err(|e| failed("not a TLS server name", Some(&e)))?;
            let tls = tokio_rustls::TlsConnector::from(tls_config());
            Box::new(
                tokio::time::timeout(self.connect_timeout, tls.connect(name, tcp))
                    .await
                    .map_err(|_| failed("TLS handshake timed out", None))?
                    .map_err(|e| failed("TLS handshake failed", Some(&e)))?,
            )
        } else {
            Box::new(tcp)
        };
        let (sender, driver) = http1::handshake(TokioIo::new(io))
            .await
            .map_err(|e| failed("HTTP handshake failed", Some(&e)))?;
        Ok(Connection {
            sender,
            driver: Some(Box::pin(driver)),
        })
    }
}

/// One HTTP/1.1 connection: the handle requests are sent through and the state machine that
/// reads and writes the socket, which whoever waits on an answer polls.
struct Connection {
    sender: http1::SendRequest<Full<Bytes>>,
    /// `None` once the connection ended (the server closed it, or it failed): dropping the
    /// state machine hands a request it had not written back to its sender.
    driver: Option<Pin<Box<Driver>>>,
}

/// hyper's state machine of one connection.
type Driver = http1::Connection<TokioIo<Box<dyn Stream>>, Full<Bytes>>;

/// Why an exchange did not complete.
enum Failure {
    /// The connection closed before the answer was complete.
    Closed,
    Hyper(hyper::Error),
    /// hyper did not write the request (the connection was closed or not ready); here it is.
    Unsent(hyper::Error, Box<http::Request<Full<Bytes>>>),
}

impl Failure {
    fn into_error(self, origin: &Origin) -> SwfError {
        match self {
            Self::Closed => SwfError::transport(
                format!("request failed: {origin} closed the connection before answering"),
                None,
            ),
            Self::Hyper(e) | Self::Unsent(e, _) => SwfError::transport(
                format!("request failed: {origin}: {}", error_chain(&e)),
                cause(e),
            ),
        }
    }
}

impl Connection {
    /// Polls the state machine once unless it has ended; a failure ends it too.
    fn drive(&mut self, cx: &mut std::task::Context<'_>) -> Result<(), Failure> {
        if let Some(driver) = &mut self.driver
            && let Poll::Ready(result) = driver.as_mut().poll(cx)
        {
            self.driver = None;
            result.map_err(Failure::Hyper)?;
        }
        Ok(())
    }

    /// Writes `request` and reads the answer in full.
    async fn exchange(&mut self, request: http::Request<Full<Bytes>>) -> Result<Answer, Failure> {
        let mut response = std::pin::pin!(self.sender.try_send_request(request));
        let response = poll_fn(|cx| {
            self.drive(cx)?;
            match response.as_mut().poll(cx) {
                Poll::Ready(result) => {
                    Poll::Ready(result.map_err(|mut e| match e.take_message() {
                        Some(request) => Failure::Unsent(e.into_error(), Box::new(request)),
                        None => Failure::Hyper(e.into_error()),
                    }))
                }
                Poll::Pending if self.driver.is_none() => Poll::Ready(Err(Failure::Closed)),
                Poll::Pending => Poll::Pending,
            }
        })
        .await?;
        let (parts, mut body) = response.into_parts();
        let reserve = parts
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
            .unwrap_or(0)
            .min(MAX_RESERVE);
        let mut data = BytesMut::with_capacity(reserve);
        poll_fn(|cx| {
            self.drive(cx)?;
            loop {
                match Pin::new(&mut body).poll_frame(cx) {
                    Poll::Ready(Some(Ok(frame))) => {
                        if let Some(chunk) = frame.data_ref() {
                            data.extend_from_slice(chunk);
                        }
                    }
                    Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(Failure::Hyper(e))),
                    Poll::Ready(None) => return Poll::Ready(Ok(())),
                    Poll::Pending if self.driver.is_none() => {
                        return Poll::Ready(Err(Failure::Closed));
                    }
                    Poll::Pending => return Poll::Pending,
                }
            }
        })
        .await?;
        Ok(Answer {
            status: parts.status,
            headers: parts.headers,
            body: data.freeze(),
        })
    }
}
