//! [`ArtifactSource`]: where a plugin artifact comes from, as written in `swfwasm.toml`
//! `plugins`, `--plugin` or `swfwasm push`. A leaf: parsing only.
//!
//! | written | source | watched |
//! |---|---|---|
//! | `path/to/plugin.wasm` | a local file (relative to the configuration file) | no (see the plugin directory) |
//! | `oci://REGISTRY/REPO:TAG` | an OCI artifact by tag | yes: the tag's manifest digest |
//! | `oci://REGISTRY/REPO@sha256:HEX` | an OCI artifact pinned by manifest digest | no |
//! | `s3://BUCKET/KEY` (optionally `#sha256=HEX`) | one S3 object | no |
//! | `s3://BUCKET/PREFIX/` | the newest object under a prefix | yes: the newest key and its ETag |
//! | `https://HOST/PATH#sha256=HEX` | a file over HTTPS, pinned | no |
//!
//! A pin (`@sha256:` for OCI: the manifest's digest; `#sha256=` otherwise: the artifact's) is
//! checked before a byte is compiled or stored.

use std::fmt;
use std::path::{Path, PathBuf};

/// The largest artifact fetched from any source (a Python guest is ~20 MB); a larger one is
/// refused, before it is downloaded where its size is announced.
pub const MAX_ARTIFACT_BYTES: u64 = 256 << 20;

/// Where an artifact comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ArtifactSource {
    /// A file on this host.
    File(PathBuf),
    /// An OCI artifact (the CNCF wasm layout: one `application/wasm` layer).
    Oci(OciSource),
    /// An S3 object, or the newest object under a prefix.
    S3(S3Source),
    /// A file over HTTPS (or HTTP to a loopback host), pinned by its sha256.
    Https(HttpsSource),
}

/// `oci://REGISTRY/REPOSITORY(:TAG|@sha256:HEX)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OciSource {
    /// `host[:port]`.
    pub registry: String,
    /// The repository path, e.g. `team/hello-decider`.
    pub repository: String,
    /// The tag, when not pinned (default `latest`).
    pub tag: Option<String>,
    /// The pinned manifest digest, `sha256:HEX`.
    pub digest: Option<String>,
}

/// `s3://BUCKET/KEY` or `s3://BUCKET/PREFIX/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct S3Source {
    /// The bucket.
    pub bucket: String,
    /// The key, or a prefix when it ends in `/`.
    pub key: String,
    /// The pinned sha256 of the object (64 hex digits), for a key.
    pub sha256: Option<String>,
}

/// `https://HOST/PATH#sha256=HEX`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HttpsSource {
    /// The URL without the fragment.
    pub url: String,
    /// The pinned sha256 (64 hex digits).
    pub sha256: String,
}

/// A source that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid artifact source {source_text:?}: {reason}")]
pub struct SourceError {
    /// What was written.
    pub source_text: String,
    /// What is wrong with it.
    pub reason: String,
}

impl ArtifactSource {
    /// Parses `text`; a relative file path is taken from `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Self, SourceError> {
        let error = |reason: &str| SourceError {
            source_text: text.to_owned(),
            reason: reason.to_owned(),
        };
        if let Some(rest) = text.strip_prefix("oci://") {
            return parse_oci(rest).map(Self::Oci).map_err(|r| error(&r));
        }
        if let Some(rest) = text.strip_prefix("s3://") {
            let (location, sha256) = split_pin(rest).map_err(|r| error(&r))?;
            let (bucket, key) = location
                .split_once('/')
                .filter(|(b, k)| !b.is_empty() && !k.is_empty())
                .ok_or_else(|| error("expected s3://BUCKET/KEY or s3://BUCKET/PREFIX/"))?;
            if key.ends_with('/') && sha256.is_some() {
                return Err(error(
                    "a prefix is watched for new objects and cannot be pinned",
                ));
            }
            return Ok(Self::S3(S3Source {
                bucket: bucket.to_owned(),
                key: key.to_owned(),
                sha256,
            }));
        }
        if text.starts_with("https://") || text.starts_with("http://") {
            let (url, sha256) = split_pin(text).map_err(|r| error(&r))?;
            let sha256 = sha256.ok_or_else(|| {
                error("an HTTPS source must be pinned: append #sha256=<64 hex digits>")
            })?;
            return Ok(Self::Https(HttpsSource {
                url: url.to_owned(),
                sha256,
            }));
        }
        if text.contains("://") {
            return Err(error(
                "unknown scheme; use a path, oci://, s3:// or https://",
            ));
        }
        let path = Path::new(text);
        Ok(Self::File(if path.is_relative() {
            base.join(path)
        } else {
            path.to_owned()
        }))
    }

    /// Whether the source can change under the same name, so a worker polls it: an OCI tag
    /// or an S3 prefix.
    pub fn is_watched(&self) -> bool {
        match self {
            Self::Oci(oci) => oci.digest.is_none(),
            Self::S3(s3) => s3.key.ends_with('/'),
            Self::File(_) | Self::Https(_) => false,
        }
    }

    /// A name grants can match the artifact by: the file name, the repository's last segment,
    /// or the object key's last segment, without `.wasm`.
    pub fn name(&self) -> String {
        let last = match self {
            Self::File(path) => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            Self::Oci(oci) => oci.repository.rsplit('/').next().unwrap_or("").to_owned(),
            Self::S3(s3) => s3
                .key
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_owned(),
            Self::Https(https) => https
                .url
                .split(['?', '#'])
                .next()
                .and_then(|u| u.rsplit('/').next())
                .unwrap_or("")
                .to_owned(),
        };
        last.strip_suffix(".wasm").unwrap_or(&last).to_owned()
    }
}

impl OciSource {
    /// The reference as the distribution API takes it: `REGISTRY/REPO:TAG` or
    /// `REGISTRY/REPO@sha256:HEX`.
    pub fn reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(digest), _) => format!("{}/{}@{digest}", self.registry, self.repository),
            (None, tag) => format!(
                "{}/{}:{}",
                self.registry,
                self.repository,
                tag.as_deref().unwrap_or("latest")
            ),
        }
    }

    /// This repository pinned to `digest`.
    pub fn pinned(&self, digest: &str) -> OciSource {
        OciSource {
            digest: Some(digest.to_owned()),
            tag: None,
            ..self.clone()
        }
    }

    /// The registry's host is a loopback name or address (HTTP is allowed there).
    pub fn is_loopback(&self) -> bool {
        is_loopback_authority(&self.registry)
    }
}

/// `host[:port]` names this machine: `localhost` or a loopback address.
pub fn is_loopback_authority(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn parse_oci(rest: &str) -> Result<OciSource, String> {
    let (registry, path) = rest
        .split_once('/')
        .filter(|(r, p)| !r.is_empty() && !p.is_empty())
        .ok_or("expected oci://REGISTRY/REPOSITORY[:TAG|@sha256:DIGEST]")?;
    let (repository, tag, digest) = match path.split_once('@') {
        Some((repository, digest)) => {
            let hex = digest
                .strip_prefix("sha256:")
                .ok_or("only sha256 digests are supported")?;
            check_hex(hex)?;
            (repository, None, Some(digest.to_owned()))
        }
        None => match path.rsplit_once(':') {
            Some((repository, tag)) if !tag.contains('/') => {
                (repository, Some(tag.to_owned()), None)
            }
            _ => (path, None, None),
        },
    };
    if repository.is_empty()
        || !repository
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c))
    {
        return Err(format!(
            "repository {repository:?} must be lowercase letters, digits and ._-/"
        ));
    }
    Ok(OciSource {
        registry: registry.to_owned(),
        repository: repository.to_owned(),
        tag,
        digest,
    })
}

/// Splits `#sha256=HEX` off `text`.
fn split_pin(text: &str) -> Result<(&str, Option<String>), String> {
    match text.split_once('#') {
        None => Ok((text, None)),
        Some((location, fragment)) => {
            let hex = fragment
                .strip_prefix("sha256=")
                .ok_or("the fragment must be #sha256=<64 hex digits>")?;
            check_hex(hex)?;
            Ok((location, Some(hex.to_ascii_lowercase())))
        }
    }
}

fn check_hex(hex: &str) -> Result<(), String> {
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(format!("{hex:?} is not 64 hex digits"))
    }
}

impl fmt::Display for ArtifactSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Oci(oci) => write!(f, "oci://{}", oci.reference()),
            Self::S3(s3) => {
                write!(f, "s3://{}/{}", s3.bucket, s3.key)?;
                match &s3.sha256 {
                    Some(hex) => write!(f, "#sha256={hex}"),
                    None => Ok(()),
                }
            }
            Self::Https(https) => write!(f, "{}#sha256={}", https.url, https.sha256),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn parse(text: &str) -> Result<ArtifactSource, SourceError> {
        ArtifactSource::parse(text, Path::new("/etc/swfwasm"))
    }

    #[test]
    fn every_form_parses_and_prints_back() {
        for text in [
            "oci://127.0.0.1:5000/team/hello-decider:v1".to_owned(),
            format!("oci://registry.example.com/hello@sha256:{HEX}"),
            "s3://artifacts/deciders/hello.wasm".to_owned(),
            format!("s3://artifacts/deciders/hello.wasm#sha256={HEX}"),
            "s3://artifacts/deciders/".to_owned(),
            format!("https://example.com/hello.wasm#sha256={HEX}"),
            "/srv/plugins/hello.wasm".to_owned(),
        ] {
            assert_eq!(parse(&text).unwrap().to_string(), text);
        }
        assert_eq!(
            parse("plugins/hello.wasm").unwrap(),
            ArtifactSource::File("/etc/swfwasm/plugins/hello.wasm".into())
        );
        assert_eq!(
            parse("oci://localhost:5000/hello").unwrap().to_string(),
            "oci://localhost:5000/hello:latest"
        );
    }

    #[test]
    fn watched_sources_and_names() {
        let tag = parse("oci://127.0.0.1:5000/team/hello-decider:v1").unwrap();
        assert!(tag.is_watched());
        assert_eq!(tag.name(), "hello-decider");
        let pinned = parse(&format!("oci://r.example/hello@sha256:{HEX}")).unwrap();
        assert!(!pinned.is_watched());
        let prefix = parse("s3://b/deciders/").unwrap();
        assert!(prefix.is_watched());
        assert_eq!(prefix.name(), "deciders");
        assert_eq!(parse("s3://b/x/hello.wasm").unwrap().name(), "hello");
        assert_eq!(
            parse(&format!("https://h/p/hello.wasm#sha256={HEX}"))
                .unwrap()
                .name(),
            "hello"
        );
    }

    #[test]
    fn bad_sources_are_named() {
        for (text, reason) in [
            ("https://example.com/hello.wasm", "must be pinned"),
            ("oci://registry-only", "expected oci://"),
            ("oci://r/hello@sha256:abc", "not 64 hex digits"),
            ("oci://r/Hello:v1", "lowercase"),
            ("s3://bucket", "expected s3://"),
            ("s3://b/p/#sha256=0", "not 64 hex digits"),
            ("ftp://example.com/x.wasm", "unknown scheme"),
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.to_string().contains(reason), "{text}: {error}");
            assert!(error.to_string().contains(text), "{error}");
        }
    }

    #[test]
    fn loopback_registries() {
        for (authority, loopback) in [
            ("127.0.0.1:5000", true),
            ("localhost:5000", true),
            ("[::1]:5000", true),
            ("localhost", true),
            ("registry.example.com", false),
            ("10.0.0.1:5000", false),
        ] {
            assert_eq!(is_loopback_authority(authority), loopback, "{authority}");
        }
    }
}
