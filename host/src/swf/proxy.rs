//! HTTP proxies of the SWF client: which proxy calls go through ([`from_environment`], as curl
//! and boto3 read it), and the `CONNECT` tunnel through one ([`Proxy::tunnel`]).
//!
//! Every call through a proxy is tunneled, `http` endpoints included, so the requests in the
//! tunnel are the ones a direct connection carries and the proxy sees no request but the
//! `CONNECT`. Written by hand (a request head out, a response head back) because that is all
//! a tunnel needs; the requests themselves go through hyper as on a direct connection.
//!
//! A proxy's credentials (`http://user:password@host:port`) are sent as `Proxy-Authorization:
//! Basic` and never shown: a [`Proxy`] displays as `http://host:port`.

use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::error::SwfError;
use crate::net::Origin;

/// The largest response head to a `CONNECT` read before giving up on the proxy.
const MAX_HEAD: usize = 8 << 10;

/// An HTTP proxy: where it is, and the credentials it is sent, if any.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Proxy {
    pub(crate) origin: Origin,
    authorization: Option<String>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Proxy({self})")
    }
}

impl std::fmt::Display for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.origin.fmt(f)
    }
}

impl Proxy {
    /// The proxy at `url`: `http://[user:password@]host[:port]` (port 80 by default), or the
    /// same without `http://`. Other schemes are refused; the error never repeats the URL,
    /// which may hold a password.
    pub(crate) fn parse(url: &str) -> Result<Self, SwfError> {
        let refused = |why: &str| SwfError::config(format!("invalid proxy: {why}"), None);
        let with_scheme;
        let url = if url.contains("://") {
            url
        } else {
            with_scheme = format!("http://{url}");
            &with_scheme
        };
        let url = url::Url::parse(url).map_err(|e| refused(&e.to_string()))?;
        if url.scheme() != "http" {
            return Err(refused(&format!(
                "scheme {:?}: only http:// proxies are supported",
                url.scheme()
            )));
        }
        let origin = Origin::of_url(url.as_str()).ok_or_else(|| refused("no host"))?;
        let decode = |part: &str| {
            percent_encoding::percent_decode_str(part)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| refused("the credentials are not UTF-8"))
        };
        let authorization = if url.username().is_empty() {
            None
        } else {
            let user = decode(url.username())?;
            let password = decode(url.password().unwrap_or(""))?;
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            Some(format!("Basic {token}"))
        };
        Ok(Self {
            origin,
            authorization,
        })
    }

    /// Asks the proxy, over `stream` (a connection to it), for a tunnel to `target`'s host and
    /// port; once this returns `Ok`, `stream` carries bytes to and from there. The error says
    /// what the proxy answered instead.
    pub(crate) async fn tunnel(
        &self,
        stream: &mut TcpStream,
        target: &Origin,
    ) -> Result<(), String> {
        let target = target.authority();
        let mut head = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some(authorization) = &self.authorization {
            head.push_str("Proxy-Authorization: ");
            head.push_str(authorization);
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        stream
            .write_all(head.as_bytes())
            .await
            .map_err(|e| format!("cannot send CONNECT: {e}"))?;
        // Byte by byte up to the end of the head: nothing of the tunnel may be read here.
        let mut answer = Vec::with_capacity(128);
        while !answer.ends_with(b"\r\n\r\n") {
            if answer.len() >= MAX_HEAD {
                return Err(format!("its answer to CONNECT exceeds {MAX_HEAD} bytes"));
            }
            match stream.read_u8().await {
                Ok(byte) => answer.push(byte),
                Err(e) => return Err(format!("no complete answer to CONNECT: {e}")),
            }
        }
        let text = String::from_utf8_lossy(&answer);
        let status_line = text.lines().next().unwrap_or_default();
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse::<u16>().ok());
        match status {
            Some(200..=299) => Ok(()),
            // 407 is the standard answer; tinyproxy, for one, answers a CONNECT with 401.
            Some(401 | 407) => Err(format!(
                "it asks for credentials ({status_line}){}",
                if self.authorization.is_some() {
                    ": the ones given were refused"
                } else {
                    ": give them as http://user:password@host:port"
                }
            )),
            _ => Err(format!("it refused the tunnel to {target}: {status_line}")),
        }
    }
}

/// The proxy the environment sets for calls to `endpoint`, looking variables up with `var`:
/// `HTTPS_PROXY` for an `https` endpoint, `HTTP_PROXY` for an `http` one, else `ALL_PROXY`
/// (each name also in lowercase, which wins, as in curl) — unless `NO_PROXY` lists the
/// endpoint's host: `*`, the host itself, or a domain it is in (`example.com` and
/// `.example.com` both cover `swf.example.com`), or, for an address, the address or a network
/// that holds it (`10.0.0.0/8`, `fd00::/8`), as curl and requests read it.
pub(crate) fn from_environment(
    endpoint: &url::Url,
    var: impl Fn(&str) -> Option<String>,
) -> Option<String> {
    let lookup = |name: &str| {
        var(&name.to_ascii_lowercase())
            .or_else(|| var(name))
            .filter(|value| !value.trim().is_empty())
    };
    let host = endpoint
        .host_str()?
        .trim_matches(['[', ']'])
        .to_ascii_lowercase();
    if lookup("NO_PROXY").is_some_and(|list| no_proxy_covers(&list, &host)) {
        return None;
    }
    let scheme_variable = match endpoint.scheme() {
        "https" => "HTTPS_PROXY",
        _ => "HTTP_PROXY",
    };
    lookup(scheme_variable).or_else(|| lookup("ALL_PROXY"))
}

fn no_proxy_covers(list: &str, host: &str) -> bool {
    let address = host.parse::<std::net::IpAddr>().ok();
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            if let (Some(address), Ok(network)) = (address, entry.parse::<ipnet::IpNet>()) {
                return network.contains(&address);
            }
            let domain = entry
                .trim_matches(['[', ']'])
                .trim_start_matches("*.")
                .trim_start_matches('.')
                .to_ascii_lowercase();
            host == domain
                || host
                    .strip_suffix(domain.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn proxy_for(endpoint: &str, vars: &[(&str, &str)]) -> Option<String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        from_environment(&url::Url::parse(endpoint).unwrap(), |name| {
            vars.get(name).cloned()
        })
    }

    #[test]
    fn the_environment_names_the_proxy_per_scheme_unless_no_proxy_covers_the_host() {
        let https = "https://swf.us-east-1.amazonaws.com";
        let http = "http://127.0.0.1:4566";
        assert_eq!(proxy_for(https, &[]), None);
        assert_eq!(
            proxy_for(
                https,
                &[("HTTPS_PROXY", "http://p:3128"), ("HTTP_PROXY", "http://q")]
            ),
            Some("http://p:3128".to_owned())
        );
        assert_eq!(
            proxy_for(
                http,
                &[("HTTPS_PROXY", "http://p:3128"), ("HTTP_PROXY", "http://q")]
            ),
            Some("http://q".to_owned())
        );
        assert_eq!(
            proxy_for(
                https,
                &[("ALL_PROXY", "http://all"), ("https_proxy", "http://lower")]
            ),
            Some("http://lower".to_owned())
        );
        assert_eq!(
            proxy_for(
                https,
                &[
                    ("HTTPS_PROXY", "http://upper"),
                    ("https_proxy", "http://lower")
                ]
            ),
            Some("http://lower".to_owned())
        );
        assert_eq!(
            proxy_for(http, &[("ALL_PROXY", "http://all"), ("HTTP_PROXY", " ")]),
            Some("http://all".to_owned())
        );
        let with = |no_proxy: &'static str| [("HTTPS_PROXY", "http://p"), ("NO_PROXY", no_proxy)];
        for covering in [
            "*",
            "amazonaws.com",
            ".amazonaws.com",
            "x.org, *.AMAZONAWS.com",
        ] {
            assert_eq!(proxy_for(https, &with(covering)), None, "{covering}");
        }
        for not_covering in [
            "x.org",
            "zonaws.com",
            "swf.us-east-1.amazonaws.com.evil",
            "",
        ] {
            assert_eq!(
                proxy_for(https, &with(not_covering)),
                Some("http://p".to_owned()),
                "{not_covering}"
            );
        }
        assert_eq!(
            proxy_for(
                http,
                &[("HTTP_PROXY", "http://p"), ("no_proxy", "127.0.0.1")]
            ),
            None
        );
        let to = |endpoint: &str, no_proxy: &str| {
            proxy_for(
                endpoint,
                &[("HTTP_PROXY", "http://p"), ("NO_PROXY", no_proxy)],
            )
        };
        for (endpoint, covering) in [
            (http, "127.0.0.0/8"),
            (http, "x.org,10.0.0.0/8, 127.0.0.1/32"),
            ("http://[fd00::5]:80", "fd00::/8"),
            ("http://[::1]:80", "[::1]"),
        ] {
            assert_eq!(to(endpoint, covering), None, "{endpoint} {covering}");
        }
        for (endpoint, not_covering) in [
            (http, "10.0.0.0/8"),
            (http, "127.0.0.2/32"),
            ("http://[fd00::5]:80", "fe80::/10"),
            ("http://127.example.com", "127.0.0.0/8"),
        ] {
            assert_eq!(
                to(endpoint, not_covering),
                Some("http://p".to_owned()),
                "{endpoint} {not_covering}"
            );
        }
    }

    #[test]
    fn a_proxy_url_is_parsed_and_shown_without_its_credentials() {
        let proxy = Proxy::parse("http://us%40er:p%3Ass@proxy.internal:3128").unwrap();
        assert_eq!(proxy.to_string(), "http://proxy.internal:3128");
        assert_eq!(format!("{proxy:?}"), "Proxy(http://proxy.internal:3128)");
        // base64("us@er:p:ss")
        assert_eq!(
            proxy.authorization.as_deref(),
            Some("Basic dXNAZXI6cDpzcw==")
        );
        let bare = Proxy::parse("10.0.0.1:8080").unwrap();
        assert_eq!(bare.to_string(), "http://10.0.0.1:8080");
        assert_eq!(bare.authorization, None);
        assert_eq!(
            Proxy::parse("http://[::1]").unwrap().to_string(),
            "http://[::1]:80"
        );
        let error = Proxy::parse("https://user:secret@proxy:443").unwrap_err();
        assert!(
            error.to_string().contains("only http:// proxies"),
            "{error}"
        );
        assert!(!error.to_string().contains("secret"), "{error}");
    }
}
