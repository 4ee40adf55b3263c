//! Artifacts from where teams keep them: OCI registries, S3 and HTTPS, pinned by digest and
//! verified before a byte is compiled, kept in a local content-addressed store.
//!
//! Data flow: a source as written ([`ArtifactSource`]) goes to the [`Fetcher`], which asks the
//! registry ([`oci`], through `oci-client`), the bucket ([`s3`], SigV4-signed) or the server
//! ([`https`]) for the bytes, checks them against the pin (the manifest digest for OCI, then
//! the layer digest the manifest names; `#sha256=` otherwise), and only then puts them in the
//! [`ArtifactStore`] and hands them on to be compiled. When the source cannot be reached, the
//! fetcher answers from the store with what that source resolved to last (logged), so a fleet
//! restarts while its registry is down. Watched sources (an OCI tag, an S3 prefix) are polled
//! by the worker through [`Fetcher::poll`], which costs one small request when nothing
//! changed.

mod error;
mod https;
mod oci;
mod s3;
mod source;
mod store;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest as _, Sha256};

pub use error::FetchError;
pub use source::{
    ArtifactSource, HttpsSource, MAX_ARTIFACT_BYTES, OciSource, S3Source, SourceError,
};
pub use store::{ArtifactStore, Remembered};

use crate::swf::CredentialSource;

/// `[sources]` in `swfwasm.toml`: how remote artifact sources are reached.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourcesConfig {
    /// How often a watched source (OCI tag, S3 prefix) is polled, in milliseconds
    /// (default 30 000).
    pub poll_interval_ms: u64,
    /// Registries (`host:port`) spoken to over plain HTTP. Loopback registries always may be;
    /// every other registry is HTTPS only.
    pub insecure_registries: Vec<String>,
    /// An S3-compatible endpoint (path-style requests), e.g. `http://127.0.0.1:9000`; default:
    /// AWS's regional endpoint (virtual-hosted requests).
    pub s3_endpoint: Option<String>,
    /// A PEM file of extra trusted roots for HTTPS sources and registries (relative to the
    /// configuration file).
    pub ca_file: Option<PathBuf>,
}

impl Default for SourcesConfig {
    fn default() -> Self {
        Self {
            poll_interval_ms: 30_000,
            insecure_registries: Vec::new(),
            s3_endpoint: None,
            ca_file: None,
        }
    }
}

impl SourcesConfig {
    /// The poll interval.
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms.max(100))
    }
}

/// A verified artifact.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Their sha256 (hex).
    pub digest: String,
    /// What identifies this version at the source (see [`Remembered::version`]).
    pub version: String,
    /// It came from the local store because the source could not be reached.
    pub from_store: bool,
}

/// Fetches, verifies, stores and publishes artifacts. One per process.
pub struct Fetcher {
    store: Option<ArtifactStore>,
    http: reqwest::Client,
    oci: oci_client::Client,
    s3: Option<s3::S3>,
}

impl Fetcher {
    /// A fetcher for `sources` (their loopback registries may use HTTP; S3 credentials are
    /// loaded only if one of them is in S3, from the default chain with `region`). `store`
    /// keeps what is fetched; without one, an unreachable source is an error.
    pub async fn new(
        config: &SourcesConfig,
        store: Option<ArtifactStore>,
        region: Option<String>,
        sources: &[ArtifactSource],
    ) -> Result<Self, FetchError> {
        let insecure = plain_http_registries(config, sources);
        let roots = match &config.ca_file {
            Some(path) => Some(std::fs::read(path).map_err(|e| FetchError::Invalid {
                source_text: path.display().to_string(),
                reason: format!("cannot read the CA file: {e}"),
            })?),
            None => None,
        };
        let mut http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(300))
            .user_agent(concat!("swfwasm/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &roots {
            for certificate in
                reqwest::Certificate::from_pem_bundle(pem).map_err(|e| FetchError::Invalid {
                    source_text: "ca_file".into(),
                    reason: e.to_string(),
                })?
            {
                http = http.add_root_certificate(certificate);
            }
        }
        let http = http.build().map_err(|e| FetchError::Invalid {
            source_text: "https client".into(),
            reason: e.to_string(),
        })?;
        let oci_roots = roots
            .map(|pem| {
                vec![oci_client::client::Certificate {
                    encoding: oci_client::client::CertificateEncoding::Pem,
                    data: pem,
                }]
            })
            .unwrap_or_default();
        let s3 = if sources.iter().any(|s| matches!(s, ArtifactSource::S3(_))) {
            let sdk = crate::swf::load_sdk_config(region.clone()).await;
            let provider = sdk
                .credentials_provider()
                .ok_or_else(|| FetchError::Invalid {
                    source_text: "s3://".into(),
                    reason: "no AWS credentials provider for S3 sources".into(),
                })?;
            let endpoint = match &config.s3_endpoint {
                Some(endpoint) => {
                    Some(
                        reqwest::Url::parse(endpoint).map_err(|e| FetchError::Invalid {
                            source_text: endpoint.clone(),
                            reason: format!("invalid s3_endpoint: {e}"),
                        })?,
                    )
                }
                None => None,
            };
            Some(s3::S3 {
                http: http.clone(),
                credentials: CredentialSource::new(provider),
                region: region
                    .or_else(|| sdk.region().map(ToString::to_string))
                    .unwrap_or_else(|| "us-east-1".into()),
                endpoint,
            })
        } else {
            None
        };
        Ok(Self {
            store,
            http,
            oci: oci::client(insecure, oci_roots),
            s3,
        })
    }

    /// Fetches `source` from where it lives and verifies it; stores it and remembers what the
    /// source resolved to.
    pub async fn fetch(&self, source: &ArtifactSource) -> Result<Fetched, FetchError> {
        let (bytes, version) = match source {
            ArtifactSource::File(path) => {
                let bytes = std::fs::read(path).map_err(|e| FetchError::Invalid {
                    source_text: path.display().to_string(),
                    reason: e.to_string(),
                })?;
                let digest = hex::encode(Sha256::digest(&bytes));
                (bytes, digest)
            }
            ArtifactSource::Oci(oci) => {
                let pulled = oci::pull(&self.oci, oci).await?;
                (pulled.bytes, pulled.manifest_digest)
            }
            ArtifactSource::S3(s3) if s3.key.ends_with('/') => {
                let listed = self.newest(source, s3).await?;
                let bytes = self.s3_get(source, s3, &listed.key).await?.0;
                (bytes, format!("{} {}", listed.key, listed.etag))
            }
            ArtifactSource::S3(s3) => {
                let (bytes, etag) = self.s3_get(source, s3, &s3.key).await?;
                if let Some(pin) = &s3.sha256 {
                    let actual = hex::encode(Sha256::digest(&bytes));
                    if actual != *pin {
                        return Err(FetchError::DigestMismatch {
                            source_text: source.to_string(),
                            expected: format!("sha256:{pin}"),
                            actual: format!("sha256:{actual}"),
                        });
                    }
                }
                (bytes, etag)
            }
            ArtifactSource::Https(https) => {
                let bytes = https::fetch(&self.http, https).await?;
                (bytes, https.sha256.clone())
            }
        };
        if bytes.len() as u64 > MAX_ARTIFACT_BYTES {
            return Err(too_large(source));
        }
        let digest = match &self.store {
            Some(store) => {
                let digest = store.put(&bytes)?;
                store.remember(&Remembered {
                    source: source.to_string(),
                    digest: digest.clone(),
                    version: version.clone(),
                })?;
                digest
            }
            None => hex::encode(Sha256::digest(&bytes)),
        };
        Ok(Fetched {
            bytes,
            digest,
            version,
            from_store: false,
        })
    }

    /// [`fetch`](Self::fetch), or, when the source cannot be reached, what it resolved to last
    /// from the local store (logged). A refused artifact (digest mismatch, no such tag) is
    /// never replaced by a stored one.
    pub async fn fetch_or_recall(&self, source: &ArtifactSource) -> Result<Fetched, FetchError> {
        match self.fetch(source).await {
            Err(error @ FetchError::Unreachable { .. }) => {
                let Some((remembered, bytes)) = self
                    .store
                    .as_ref()
                    .and_then(|s| s.recall(&source.to_string()))
                else {
                    return Err(error);
                };
                tracing::warn!(%source, %error, digest = %&remembered.digest[..12],
                    "source unreachable; starting from the local artifact store");
                Ok(Fetched {
                    bytes,
                    digest: remembered.digest,
                    version: remembered.version,
                    from_store: true,
                })
            }
            other => other,
        }
    }

    /// Polls a watched source: `None` if it still resolves to `known_version` (one small
    /// request), else the new artifact, fetched and verified.
    pub async fn poll(
        &self,
        source: &ArtifactSource,
        known_version: &str,
    ) -> Result<Option<Fetched>, FetchError> {
        let changed = match source {
            ArtifactSource::Oci(oci) => {
                let digest = oci::resolve(&self.oci, oci).await?;
                (digest != known_version).then(|| ArtifactSource::Oci(oci.pinned(&digest)))
            }
            ArtifactSource::S3(s3) if s3.key.ends_with('/') => {
                let listed = self.newest(source, s3).await?;
                (format!("{} {}", listed.key, listed.etag) != known_version).then(|| source.clone())
            }
            _ => None,
        };
        let Some(resolved) = changed else {
            return Ok(None);
        };
        let fetched = self.fetch(&resolved).await?;
        if let Some(store) = &self.store
            && resolved != *source
        {
            store.remember(&Remembered {
                source: source.to_string(),
                digest: fetched.digest.clone(),
                version: fetched.version.clone(),
            })?;
        }
        Ok(Some(fetched))
    }

    /// Publishes `bytes` at `target` (an OCI tag or an S3 key) with `annotations` (OCI
    /// manifest annotations, S3 `x-amz-meta-` metadata); returns the pinned source to deploy.
    pub async fn push(
        &self,
        bytes: Vec<u8>,
        target: &ArtifactSource,
        annotations: BTreeMap<String, String>,
    ) -> Result<ArtifactSource, FetchError> {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        match target {
            ArtifactSource::Oci(oci) if oci.digest.is_none() => {
                let digest = oci::push(&self.oci, oci, bytes, annotations).await?;
                Ok(ArtifactSource::Oci(oci.pinned(&digest)))
            }
            ArtifactSource::S3(s3_source) if !s3_source.key.ends_with('/') => {
                let s3 = self.s3(target)?;
                let metadata: Vec<(String, String)> = annotations
                    .into_iter()
                    .map(|(k, v)| (k.replace('.', "-"), v))
                    .collect();
                let metadata: Vec<(&str, &str)> = metadata
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let answer = s3
                    .put(&s3_source.bucket, &s3_source.key, bytes, &metadata)
                    .await
                    .map_err(|reason| unreachable(target, reason))?;
                if answer.status != 200 {
                    return Err(FetchError::Invalid {
                        source_text: target.to_string(),
                        reason: s3::failure("PutObject", &answer),
                    });
                }
                Ok(ArtifactSource::S3(S3Source {
                    sha256: Some(sha256),
                    ..s3_source.clone()
                }))
            }
            _ => Err(FetchError::Invalid {
                source_text: target.to_string(),
                reason: "push to an OCI tag (oci://REGISTRY/REPO:TAG) or an S3 key \
                         (s3://BUCKET/KEY)"
                    .into(),
            }),
        }
    }

    /// The manifest digest and annotations of an OCI artifact, without pulling its layer.
    pub async fn oci_annotations(
        &self,
        oci: &OciSource,
    ) -> Result<(String, BTreeMap<String, String>), FetchError> {
        oci::annotations(&self.oci, oci).await
    }

    fn s3(&self, source: &ArtifactSource) -> Result<&s3::S3, FetchError> {
        self.s3.as_ref().ok_or_else(|| FetchError::Invalid {
            source_text: source.to_string(),
            reason: "no S3 client (the fetcher was made without S3 sources)".into(),
        })
    }

    async fn newest(
        &self,
        source: &ArtifactSource,
        s3_source: &S3Source,
    ) -> Result<s3::Listed, FetchError> {
        self.s3(source)?
            .newest(s3_source)
            .await
            .map_err(|reason| unreachable(source, reason))?
            .ok_or_else(|| FetchError::Invalid {
                source_text: source.to_string(),
                reason: "no .wasm object under the prefix".into(),
            })
    }

    async fn s3_get(
        &self,
        source: &ArtifactSource,
        s3_source: &S3Source,
        key: &str,
    ) -> Result<(Vec<u8>, String), FetchError> {
        let answer = self
            .s3(source)?
            .get(&s3_source.bucket, key)
            .await
            .map_err(|reason| unreachable(source, reason))?;
        if answer.status != 200 {
            return Err(FetchError::Invalid {
                source_text: source.to_string(),
                reason: s3::failure("GetObject", &answer),
            });
        }
        Ok((answer.body.to_vec(), answer.etag.unwrap_or_default()))
    }
}

/// The registries spoken to over plain HTTP: those the configuration lists as insecure, and
/// the loopback ones among `sources`. Every other registry is HTTPS only.
fn plain_http_registries(config: &SourcesConfig, sources: &[ArtifactSource]) -> Vec<String> {
    let mut insecure = config.insecure_registries.clone();
    for source in sources {
        if let ArtifactSource::Oci(oci) = source
            && oci.is_loopback()
        {
            insecure.push(oci.registry.clone());
        }
    }
    insecure
}

fn too_large(source: &ArtifactSource) -> FetchError {
    FetchError::Invalid {
        source_text: source.to_string(),
        reason: format!("the artifact is larger than {MAX_ARTIFACT_BYTES} bytes"),
    }
}

fn unreachable(source: &ArtifactSource, reason: String) -> FetchError {
    FetchError::Unreachable {
        source_text: source.to_string(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_for_loopback_and_listed_registries() {
        let parse = |text: &str| ArtifactSource::parse(text, std::path::Path::new(".")).unwrap();
        let sources = [
            parse("oci://127.0.0.1:5000/a:v1"),
            parse("oci://localhost:5001/b:v1"),
            parse("oci://registry.example.com/c:v1"),
            parse("oci://10.0.0.7:5000/d:v1"),
        ];
        let config = SourcesConfig {
            insecure_registries: vec!["registry.internal:5000".into()],
            ..SourcesConfig::default()
        };
        assert_eq!(
            plain_http_registries(&config, &sources),
            ["registry.internal:5000", "127.0.0.1:5000", "localhost:5001"]
        );
    }
}
