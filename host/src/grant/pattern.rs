//! Outbound host patterns (`allowed_outbound_hosts` in a grant, `outbound-hosts` in what an
//! activity declares) and the origins of requests they are matched against.
//!
//! The syntax follows Spin's `allowed_outbound_hosts`: `scheme://host[:port]` where
//! - `scheme` is `http`, `https` or `*`;
//! - `host` is a name (`api.example.com`), `*` (any host), `*.example.com` (any subdomain, not
//!   the bare domain), an IP address (`127.0.0.1`, `[::1]`) or a CIDR range (`10.0.0.0/8`,
//!   `[fd00::/8]`);
//! - `port` is a number, a range `8000..8999` (inclusive), or `*`; without a port the scheme's
//!   default applies (80 for http, 443 for https; a `*` scheme needs an explicit port).
//!
//! Written here rather than taken from a crate: Spin's parser is not published on its own, and
//! the SSRF rule needs to know whether a pattern *names* an address (see
//! [`HostPattern::names_address`]), which no URL-matching crate answers.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

pub use crate::net::{Origin, OriginHost, Scheme};
use crate::net::{parse_ip, split_host_port, valid_name};

/// A pattern that is not valid outbound host syntax.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid outbound host pattern {pattern:?}: {reason}")]
#[non_exhaustive]
pub struct PatternError {
    /// The pattern as written.
    pub pattern: String,
    /// What is wrong with it.
    pub reason: String,
}

/// One parsed outbound host pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPattern {
    text: String,
    scheme: Option<Scheme>,
    host: HostMatch,
    port: PortMatch,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostMatch {
    Any,
    /// `*.suffix`: names ending in `.suffix`.
    Subdomains(String),
    Name(String),
    Ip(IpAddr),
    Net(IpNet),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PortMatch {
    Any,
    Range(u16, u16),
}

impl HostPattern {
    /// Parses one pattern.
    pub fn parse(text: &str) -> Result<HostPattern, PatternError> {
        let error = |reason: &str| PatternError {
            pattern: text.to_owned(),
            reason: reason.to_owned(),
        };
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| error("expected scheme://host[:port]"))?;
        let scheme = match scheme {
            "*" => None,
            "http" => Some(Scheme::Http),
            "https" => Some(Scheme::Https),
            _ => return Err(error("the scheme must be http, https or *")),
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#', '@']) && !is_bracketed_net(rest) && !is_v4_net(rest) {
            return Err(error(
                "a pattern names scheme, host and port only (no path, query or user)",
            ));
        }
        let (host, port) =
            split_pattern_host_port(rest).ok_or_else(|| error("cannot read the host"))?;
        let host = parse_host_match(host).ok_or_else(|| {
            error("the host must be a name, *, *.domain, an IP address or a CIDR range")
        })?;
        let port = match (port, scheme) {
            (Some("*"), _) => PortMatch::Any,
            (Some(port), _) => match port.split_once("..") {
                Some((low, high)) => {
                    let low: u16 = low.parse().map_err(|_| error("invalid port range"))?;
                    let high: u16 = high.parse().map_err(|_| error("invalid port range"))?;
                    if low > high {
                        return Err(error("the port range is empty"));
                    }
                    PortMatch::Range(low, high)
                }
                None => {
                    let port: u16 = port.parse().map_err(|_| error("invalid port"))?;
                    PortMatch::Range(port, port)
                }
            },
            (None, Some(scheme)) => {
                let port = scheme.default_port();
                PortMatch::Range(port, port)
            }
            (None, None) => {
                return Err(error(
                    "a pattern with scheme * needs a port (a number, a range or *)",
                ));
            }
        };
        Ok(HostPattern {
            text: text.to_owned(),
            scheme,
            host,
            port,
        })
    }

    /// The exact pattern of one origin (what a `{KEY}` need stands for).
    pub fn exact(origin: &Origin) -> HostPattern {
        HostPattern {
            text: origin.to_string(),
            scheme: Some(origin.scheme),
            host: match &origin.host {
                OriginHost::Name(name) => HostMatch::Name(name.clone()),
                OriginHost::Ip(ip) => HostMatch::Ip(*ip),
            },
            port: PortMatch::Range(origin.port, origin.port),
        }
    }

    /// For a pattern of one exact host name, that name.
    pub fn host_name(&self) -> Option<&str> {
        match &self.host {
            HostMatch::Name(name) => Some(name),
            _ => None,
        }
    }

    /// Whether a request to `origin` matches.
    pub fn matches(&self, origin: &Origin) -> bool {
        self.scheme.is_none_or(|s| s == origin.scheme)
            && self.port_matches(origin.port)
            && match (&self.host, &origin.host) {
                (HostMatch::Any, _) => true,
                (HostMatch::Subdomains(suffix), OriginHost::Name(name)) => {
                    is_subdomain(name, suffix)
                }
                (HostMatch::Name(pattern), OriginHost::Name(name)) => pattern == name,
                (HostMatch::Ip(pattern), OriginHost::Ip(ip)) => same_ip(*pattern, *ip),
                (HostMatch::Net(net), OriginHost::Ip(ip)) => net.contains(&canonical(*ip)),
                _ => false,
            }
    }

    /// Whether this pattern names `address` explicitly: an IP pattern equal to it, a CIDR range
    /// containing it, or `localhost` for a loopback address. Wildcards and other names never
    /// do (a name's DNS answer is not the operator's word).
    pub fn names_address(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        match &self.host {
            HostMatch::Ip(ip) => canonical(*ip) == address,
            HostMatch::Net(net) => net.contains(&address),
            HostMatch::Name(name) => name == "localhost" && address.is_loopback(),
            HostMatch::Any | HostMatch::Subdomains(_) => false,
        }
    }

    /// Whether every origin `other` matches is matched by this pattern too (used to check that
    /// a grant covers what an artifact requires).
    pub fn covers(&self, other: &HostPattern) -> bool {
        let scheme = match (self.scheme, other.scheme) {
            (None, _) => true,
            (Some(a), Some(b)) => a == b,
            (Some(_), None) => false,
        };
        let port = match (self.port, other.port) {
            (PortMatch::Any, _) => true,
            (PortMatch::Range(..), PortMatch::Any) => false,
            (PortMatch::Range(a, b), PortMatch::Range(c, d)) => a <= c && d <= b,
        };
        let host = match (&self.host, &other.host) {
            (HostMatch::Any, _) => true,
            (HostMatch::Subdomains(s), HostMatch::Subdomains(t)) => t == s || is_subdomain(t, s),
            (HostMatch::Subdomains(s), HostMatch::Name(n)) => is_subdomain(n, s),
            (HostMatch::Name(a), HostMatch::Name(b)) => a == b,
            (HostMatch::Ip(a), HostMatch::Ip(b)) => same_ip(*a, *b),
            (HostMatch::Net(net), HostMatch::Ip(ip)) => net.contains(&canonical(*ip)),
            (HostMatch::Net(a), HostMatch::Net(b)) => a.contains(b),
            _ => false,
        };
        scheme && port && host
    }

    fn port_matches(&self, port: u16) -> bool {
        match self.port {
            PortMatch::Any => true,
            PortMatch::Range(low, high) => (low..=high).contains(&port),
        }
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// An IPv4-mapped IPv6 address is the IPv4 address it carries.
pub(crate) fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

fn same_ip(a: IpAddr, b: IpAddr) -> bool {
    canonical(a) == canonical(b)
}

fn is_subdomain(name: &str, suffix: &str) -> bool {
    name.len() > suffix.len() + 1
        && name.ends_with(suffix)
        && name.as_bytes()[name.len() - suffix.len() - 1] == b'.'
}

fn parse_host_match(host: &str) -> Option<HostMatch> {
    if host == "*" {
        return Some(HostMatch::Any);
    }
    if let Some(suffix) = host.strip_prefix("*.") {
        return valid_name(suffix).then(|| HostMatch::Subdomains(suffix.to_ascii_lowercase()));
    }
    if let Some(ip) = parse_ip(host) {
        return Some(HostMatch::Ip(ip));
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if bare.contains('/') {
        let net: IpNet = bare.parse().ok()?;
        if (host.starts_with('[')) != matches!(net, IpNet::V6(_)) {
            return None;
        }
        return Some(HostMatch::Net(net.trunc()));
    }
    valid_name(host).then(|| HostMatch::Name(host.trim_end_matches('.').to_ascii_lowercase()))
}

fn is_bracketed_net(rest: &str) -> bool {
    rest.starts_with('[') && rest.split(']').next().is_some_and(|h| h.contains('/'))
}

fn is_v4_net(rest: &str) -> bool {
    let host = rest.split(':').next().unwrap_or("");
    host.contains('/')
        && host
            .split('/')
            .next()
            .is_some_and(|ip| ip.parse::<std::net::Ipv4Addr>().is_ok())
}

/// Like [`split_host_port`], but the host may be a CIDR range (`10.0.0.0/8:*`, `[fd00::/8]:443`).
fn split_pattern_host_port(rest: &str) -> Option<(&str, Option<&str>)> {
    split_host_port(rest).filter(|(host, _)| !host.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(url: &str) -> Origin {
        Origin::of_url(url).unwrap()
    }

    fn pattern(text: &str) -> HostPattern {
        HostPattern::parse(text).unwrap()
    }

    #[test]
    fn default_ports_wildcards_and_ranges() {
        assert!(pattern("https://api.example.com").matches(&origin("https://api.example.com/v1")));
        assert!(
            !pattern("https://api.example.com").matches(&origin("https://api.example.com:8443/"))
        );
        assert!(!pattern("https://api.example.com").matches(&origin("http://api.example.com/")));
        assert!(pattern("*://api.example.com:*").matches(&origin("http://API.example.com:81/")));
        assert!(pattern("https://*.example.com").matches(&origin("https://a.b.example.com/")));
        assert!(!pattern("https://*.example.com").matches(&origin("https://example.com/")));
        assert!(!pattern("https://*.example.com").matches(&origin("https://badexample.com/")));
        assert!(pattern("http://127.0.0.1:8000..8099").matches(&origin("http://127.0.0.1:8099/")));
        assert!(!pattern("http://127.0.0.1:8000..8099").matches(&origin("http://127.0.0.1:8100/")));
        assert!(pattern("http://10.0.0.0/8:*").matches(&origin("http://10.1.2.3:9/")));
        assert!(pattern("https://[fd00::/8]").matches(&origin("https://[fd00::1]/")));
        assert!(pattern("http://[::1]:8080").matches(&origin("http://[::1]:8080/x")));
        assert!(pattern("*://*:*").matches(&origin("http://169.254.169.254/latest")));
    }

    #[test]
    fn invalid_patterns_are_named() {
        for bad in [
            "api.example.com",
            "ftp://example.com",
            "*://example.com",
            "https://example.com/path",
            "https://exa mple.com",
            "https://example.com:99999",
            "https://example.com:9..1",
            "https://*example.com",
            "http://10.0.0.0/33:*",
        ] {
            let error = HostPattern::parse(bad).unwrap_err();
            assert_eq!(error.pattern, bad);
            assert!(error.to_string().contains(bad), "{error}");
        }
    }

    #[test]
    fn only_ip_cidr_and_localhost_patterns_name_an_address() {
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(pattern("http://127.0.0.1:80").names_address(loopback));
        assert!(pattern("http://localhost:80").names_address(loopback));
        assert!(pattern("http://localhost:80").names_address("::1".parse().unwrap()));
        assert!(pattern("http://127.0.0.0/8:*").names_address(loopback));
        assert!(pattern("http://127.0.0.1:80").names_address("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!pattern("*://*:*").names_address(loopback));
        assert!(!pattern("http://*.example.com").names_address(loopback));
        assert!(!pattern("http://api.example.com").names_address(loopback));
    }

    #[test]
    fn covers() {
        assert!(pattern("*://*:*").covers(&pattern("https://api.example.com")));
        assert!(pattern("https://*.example.com").covers(&pattern("https://api.example.com")));
        assert!(!pattern("https://api.example.com").covers(&pattern("https://*.example.com")));
        assert!(pattern("http://127.0.0.1:8000..9000").covers(&pattern("http://127.0.0.1:8099")));
        assert!(!pattern("https://api.example.com").covers(&pattern("*://api.example.com:443")));
        assert!(pattern("http://10.0.0.0/8:*").covers(&pattern("http://10.1.0.0/16:80")));
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin("http://[::1]:8080/x").to_string(),
            "http://[::1]:8080"
        );
        assert_eq!(
            origin("https://User@Example.COM./").to_string(),
            "https://example.com:443"
        );
        assert!(Origin::of_url("ftp://example.com/").is_none());
        assert!(Origin::of_url("http://exa mple.com/").is_none());
    }
}
