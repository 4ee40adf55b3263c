//! What the host's own HTTP clients share: the [`Origin`] a connection goes to, the TLS client
//! configuration, and the byte stream a connection runs on (plain TCP or TLS over it). A leaf:
//! imports nothing of the crate.
//!
//! Two clients use it: the SWF transport (`swf/transport.rs`) and the outbound HTTP of
//! activities (`runtime/outbound.rs`); the outbound grants (`grant/`) match origins.

use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use tokio_rustls::rustls;

/// A connection's byte stream: `TcpStream`, or TLS over one.
pub(crate) trait Stream:
    tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin
{
}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> Stream for T {}

/// The name a TLS client checks the server's certificate against, for `host`.
pub(crate) fn server_name(
    host: &OriginHost,
) -> Result<rustls::pki_types::ServerName<'static>, rustls::pki_types::InvalidDnsNameError> {
    match host {
        OriginHost::Name(name) => rustls::pki_types::ServerName::try_from(name.clone()),
        OriginHost::Ip(ip) => Ok(rustls::pki_types::ServerName::IpAddress((*ip).into())),
    }
}

/// TLS with the Mozilla roots (webpki-roots) and ring, built once.
pub(crate) fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}

/// The two schemes WASI HTTP sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `http`.
    Http,
    /// `https`.
    Https,
}

impl Scheme {
    /// `"http"` or `"https"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// 80 or 443.
    pub(crate) fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// Where a request goes: scheme, host and port, with the port always explicit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `http` or `https`.
    pub scheme: Scheme,
    /// A lower-case name, or an IP address.
    pub host: OriginHost,
    /// The port, the scheme's default when the URL gives none.
    pub port: u16,
}

/// The host of an [`Origin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginHost {
    /// A DNS name (lower case, no trailing dot).
    Name(String),
    /// An IP literal.
    Ip(IpAddr),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            OriginHost::Name(name) => write!(f, "{}://{name}:{}", self.scheme.as_str(), self.port),
            OriginHost::Ip(IpAddr::V6(ip)) => {
                write!(f, "{}://[{ip}]:{}", self.scheme.as_str(), self.port)
            }
            OriginHost::Ip(ip) => write!(f, "{}://{ip}:{}", self.scheme.as_str(), self.port),
        }
    }
}

impl Origin {
    /// The origin of an absolute `http(s)://` URL (path and query are ignored).
    pub fn of_url(url: &str) -> Option<Origin> {
        let (scheme, rest) = url.split_once("://")?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            _ => return None,
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
        Origin::new(scheme, authority)
    }

    /// The origin of `scheme` and an `authority` (`host[:port]`, IPv6 in brackets).
    pub fn new(scheme: Scheme, authority: &str) -> Option<Origin> {
        let (host, port) = split_host_port(authority)?;
        let port = match port {
            Some(port) => port.parse().ok()?,
            None => scheme.default_port(),
        };
        let host = match parse_ip(host) {
            Some(ip) => OriginHost::Ip(ip),
            None if valid_name(host) => {
                OriginHost::Name(host.trim_end_matches('.').to_ascii_lowercase())
            }
            None => return None,
        };
        Some(Origin { scheme, host, port })
    }

    /// The host as written in a URL (IPv6 in brackets).
    pub fn host_text(&self) -> String {
        match &self.host {
            OriginHost::Name(name) => name.clone(),
            OriginHost::Ip(IpAddr::V6(ip)) => format!("[{ip}]"),
            OriginHost::Ip(ip) => ip.to_string(),
        }
    }

    /// `host:port` (IPv6 in brackets), as a `CONNECT` request or a `Host` header names it.
    pub fn authority(&self) -> String {
        format!("{}:{}", self.host_text(), self.port)
    }
}

/// An IP literal as written in a URL's host (IPv6 in brackets).
pub(crate) fn parse_ip(host: &str) -> Option<IpAddr> {
    match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse().ok().filter(IpAddr::is_ipv6),
        None => host.parse().ok().filter(IpAddr::is_ipv4),
    }
}

/// Whether `host` is a DNS name (letters, digits, `-`, `_`; a trailing dot allowed).
pub(crate) fn valid_name(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// `host[:port]` of a request authority; IPv6 in brackets.
pub(crate) fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.starts_with('[') {
        let end = authority.find(']')?;
        let (host, rest) = authority.split_at(end + 1);
        return match rest {
            "" => Some((host, None)),
            _ => Some((host, Some(rest.strip_prefix(':')?))),
        };
    }
    match authority.split_once(':') {
        Some((host, port)) => Some((host, Some(port))),
        None => Some((authority, None)),
    }
}
