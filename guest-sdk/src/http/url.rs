//! Just enough URL parsing for an HTTP client: scheme, host, port, path and query of an
//! absolute `http` or `https` URL, and the origin (`scheme://host:port`) errors name.

/// Where a request goes, split the way `wasi:http` wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// `http` or `https`.
    pub scheme: &'static str,
    /// Lowercase host name, or an IPv6 literal in brackets.
    pub host: String,
    /// The port, the scheme's default when the URL has none.
    pub port: u16,
    /// Host and port as the URL gives them (port only when written): the `Host` header.
    pub authority: String,
    /// Path and query, at least `/`; no fragment.
    pub path_with_query: String,
}

impl Target {
    /// `scheme://host:port`, the port always explicit.
    pub fn origin(&self) -> String {
        format!("{}://{}:{}", self.scheme, self.host, self.port)
    }
}

/// Parses an absolute `http://` or `https://` URL. The error says what is wrong with it.
pub(crate) fn parse(url: &str) -> Result<Target, String> {
    if let Some(c) = url.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("the URL contains {c:?}"));
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| "the URL has no scheme (expected http:// or https://)".to_owned())?;
    let (scheme, default_port) = if scheme.eq_ignore_ascii_case("http") {
        ("http", 80)
    } else if scheme.eq_ignore_ascii_case("https") {
        ("https", 443)
    } else {
        return Err(format!(
            "unsupported scheme `{scheme}` (expected http or https)"
        ));
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        return Err("credentials in the URL are not supported (send a header)".into());
    }
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (literal, after) = bracketed
            .split_once(']')
            .ok_or_else(|| "unterminated IPv6 address".to_owned())?;
        if literal.is_empty()
            || !literal
                .chars()
                .all(|c| c.is_ascii_hexdigit() || ".:".contains(c))
        {
            return Err(format!("invalid IPv6 address `[{literal}]`"));
        }
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| format!("unexpected `{after}` after the IPv6 address"))?,
            ),
        };
        (format!("[{}]", literal.to_ascii_lowercase()), port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        if host.is_empty() {
            return Err("the URL has no host".into());
        }
        if let Some(c) = host
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=%".contains(*c)))
        {
            return Err(format!("invalid character {c:?} in the host"));
        }
        (host.to_ascii_lowercase(), port)
    };
    let port = match port {
        None | Some("") => default_port,
        Some(digits) => digits
            .parse::<u16>()
            .ok()
            .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| format!("invalid port `{digits}`"))?,
    };
    let authority = match authority.rsplit_once(':') {
        // `host:` with an empty port means the default one.
        Some((without, "")) => without.to_ascii_lowercase(),
        _ => authority.to_ascii_lowercase(),
    };
    let tail = tail.split_once('#').map_or(tail, |(before, _)| before);
    let path_with_query = if tail.starts_with('/') {
        tail.to_owned()
    } else {
        format!("/{tail}")
    };
    Ok(Target {
        scheme,
        host,
        port,
        authority,
        path_with_query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Target {
        parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn origins_name_the_port() {
        assert_eq!(
            target("http://example.com").origin(),
            "http://example.com:80"
        );
        assert_eq!(
            target("https://Example.COM/x").origin(),
            "https://example.com:443"
        );
        assert_eq!(
            target("HTTP://127.0.0.1:8099/a").origin(),
            "http://127.0.0.1:8099"
        );
        assert_eq!(target("https://[::1]:8443/").origin(), "https://[::1]:8443");
        assert_eq!(target("http://[::1]").origin(), "http://[::1]:80");
        assert_eq!(target("http://host:/p").origin(), "http://host:80");
    }

    #[test]
    fn splits_authority_and_path() {
        let t = target("http://127.0.0.1:8099/charges?x=1#frag");
        assert_eq!(t.scheme, "http");
        assert_eq!(t.host, "127.0.0.1");
        assert_eq!(t.port, 8099);
        assert_eq!(t.authority, "127.0.0.1:8099");
        assert_eq!(t.path_with_query, "/charges?x=1");

        let t = target("https://api.example.com");
        assert_eq!(t.authority, "api.example.com");
        assert_eq!(t.path_with_query, "/");
        assert_eq!(target("https://a.example?q=1").path_with_query, "/?q=1");
        assert_eq!(target("https://a.example#top").path_with_query, "/");
        assert_eq!(target("http://host:/p").authority, "host");
    }

    #[test]
    fn refuses_what_it_cannot_send() {
        for url in [
            "example.com/path",
            "ftp://example.com/",
            "http://",
            "http:///path",
            "http://user:pw@example.com/",
            "http://example.com:99999/",
            "http://example.com:+80/",
            "http://example.com:x/",
            "http://[::1/",
            "http://[::1]x/",
            "http://exa mple.com/",
            "http://example.com/\n",
            "http://ex<ample.com/",
        ] {
            assert!(parse(url).is_err(), "{url} should be refused");
        }
    }
}
