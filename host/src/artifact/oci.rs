//! OCI registries through the `oci-client` crate (the distribution API, token auth, digest
//! checks): pulling and pushing artifacts in the CNCF wasm layout (an image manifest with one
//! `application/wasm` layer and an `application/vnd.wasm.config.v0+json` config).
//!
//! Credentials, first found wins: `SWFWASM_REGISTRY_TOKEN` (a bearer token),
//! `SWFWASM_REGISTRY_USERNAME` with `SWFWASM_REGISTRY_PASSWORD` (basic, exchanged for a token
//! when the registry asks for one), the registry's entry in the docker config file
//! (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`: `auth` or `identitytoken`),
//! else anonymous.

use std::collections::BTreeMap;

use base64::Engine as _;
use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::manifest::{
    OCI_IMAGE_MEDIA_TYPE, OciImageManifest, WASM_CONFIG_MEDIA_TYPE, WASM_LAYER_MEDIA_TYPE,
};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use sha2::{Digest as _, Sha256};

use super::error::FetchError;
use super::source::{MAX_ARTIFACT_BYTES, OciSource};

/// A pulled artifact: its bytes (verified against the layer digest, which the manifest pins)
/// and the manifest's digest (`sha256:…`, verified against the pin when there is one).
pub(crate) struct Pulled {
    pub(crate) bytes: Vec<u8>,
    pub(crate) manifest_digest: String,
}

/// A client for the given registries; `insecure` ones (and loopback ones) are spoken to over
/// plain HTTP.
pub(crate) fn client(insecure: Vec<String>, roots: Vec<oci_client::client::Certificate>) -> Client {
    Client::new(ClientConfig {
        protocol: ClientProtocol::HttpsExcept(insecure),
        extra_root_certificates: roots,
        ..ClientConfig::default()
    })
}

/// The manifest digest a tag (or pin) resolves to now: one HEAD request.
pub(crate) async fn resolve(client: &Client, oci: &OciSource) -> Result<String, FetchError> {
    let reference = reference(oci)?;
    client
        .fetch_manifest_digest(&reference, &auth(&oci.registry))
        .await
        .map_err(|e| error(oci, e))
}

/// Pulls the artifact `oci` names.
pub(crate) async fn pull(client: &Client, oci: &OciSource) -> Result<Pulled, FetchError> {
    let reference = reference(oci)?;
    let auth = auth(&oci.registry);
    let (raw, manifest_digest) = client
        .pull_manifest_raw(&reference, &auth, &[OCI_IMAGE_MEDIA_TYPE])
        .await
        .map_err(|e| error(oci, e))?;
    let computed = format!("sha256:{}", hex::encode(Sha256::digest(&raw)));
    if let Some(pin) = &oci.digest
        && *pin != computed
    {
        return Err(mismatch(oci, pin, &computed));
    }
    let manifest: OciImageManifest =
        serde_json::from_slice(&raw).map_err(|e| FetchError::Invalid {
            source_text: format!("oci://{}", oci.reference()),
            reason: format!("the manifest is not an OCI image manifest: {e}"),
        })?;
    let layer = manifest
        .layers
        .iter()
        .find(|l| l.media_type == WASM_LAYER_MEDIA_TYPE)
        .ok_or_else(|| FetchError::Invalid {
            source_text: format!("oci://{}", oci.reference()),
            reason: format!("the manifest has no {WASM_LAYER_MEDIA_TYPE} layer"),
        })?;
    if u64::try_from(layer.size).unwrap_or(u64::MAX) > MAX_ARTIFACT_BYTES {
        return Err(FetchError::Invalid {
            source_text: format!("oci://{}", oci.reference()),
            reason: format!(
                "the layer is {} bytes; at most {} are fetched",
                layer.size, MAX_ARTIFACT_BYTES
            ),
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(layer.size).unwrap_or(0));
    client
        .pull_blob(&reference, layer, &mut bytes)
        .await
        .map_err(|e| error(oci, e))?;
    let actual = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
    if actual != layer.digest {
        return Err(mismatch(oci, &layer.digest, &actual));
    }
    Ok(Pulled {
        bytes,
        manifest_digest: if oci.digest.is_some() {
            computed
        } else {
            manifest_digest
        },
    })
}

/// Pushes `bytes` as the artifact of `oci` (its tag) with `annotations` on the manifest;
/// returns the manifest digest.
pub(crate) async fn push(
    client: &Client,
    oci: &OciSource,
    bytes: Vec<u8>,
    annotations: BTreeMap<String, String>,
) -> Result<String, FetchError> {
    let reference = reference(oci)?;
    let auth = auth(&oci.registry);
    let layers = vec![ImageLayer::new(
        bytes,
        WASM_LAYER_MEDIA_TYPE.to_owned(),
        None,
    )];
    let config = Config {
        data: br#"{"architecture":"wasm","os":"wasip2"}"#.to_vec(),
        media_type: WASM_CONFIG_MEDIA_TYPE.to_owned(),
        annotations: None,
    };
    let manifest = OciImageManifest::build(&layers, &config, Some(annotations));
    client
        .push(&reference, &layers, config, &auth, Some(manifest))
        .await
        .map_err(|e| error(oci, e))?;
    resolve(client, oci).await
}

/// The manifest's annotations (what `swfwasm push` wrote: declared types, world, contract).
pub(crate) async fn annotations(
    client: &Client,
    oci: &OciSource,
) -> Result<(String, BTreeMap<String, String>), FetchError> {
    let reference = reference(oci)?;
    let (manifest, digest) = client
        .pull_image_manifest(&reference, &auth(&oci.registry))
        .await
        .map_err(|e| error(oci, e))?;
    Ok((digest, manifest.annotations.unwrap_or_default()))
}

fn reference(oci: &OciSource) -> Result<Reference, FetchError> {
    oci.reference()
        .parse()
        .map_err(|e: oci_client::ParseError| FetchError::Invalid {
            source_text: format!("oci://{}", oci.reference()),
            reason: e.to_string(),
        })
}

fn mismatch(oci: &OciSource, expected: &str, actual: &str) -> FetchError {
    FetchError::DigestMismatch {
        source_text: format!("oci://{}", oci.reference()),
        expected: expected.to_owned(),
        actual: actual.to_owned(),
    }
}

/// Sorts oci-client's errors into ours: a digest check that failed, something the registry
/// does not have or refused, or no answer at all.
fn error(oci: &OciSource, e: OciDistributionError) -> FetchError {
    let source_text = format!("oci://{}", oci.reference());
    match e {
        OciDistributionError::DigestError(oci_client::errors::DigestError::VerificationError {
            expected,
            actual,
        }) => FetchError::DigestMismatch {
            source_text,
            expected,
            actual,
        },
        OciDistributionError::RegistryError { envelope, .. }
            if envelope.errors.iter().any(|e| {
                matches!(
                    e.code,
                    OciErrorCode::ManifestUnknown
                        | OciErrorCode::NameUnknown
                        | OciErrorCode::BlobUnknown
                )
            }) =>
        {
            FetchError::Invalid {
                source_text,
                reason: "the registry does not have it".into(),
            }
        }
        OciDistributionError::ImageManifestNotFoundError(reason) => FetchError::Invalid {
            source_text,
            reason,
        },
        OciDistributionError::AuthenticationFailure(reason)
        | OciDistributionError::UnauthorizedError { url: reason } => FetchError::Invalid {
            source_text,
            reason: format!("the registry refused the credentials ({reason})"),
        },
        other => FetchError::Unreachable {
            source_text,
            reason: crate::swf::error_chain(&other),
        },
    }
}

/// The credentials for `registry` (see the module docs).
fn auth(registry: &str) -> RegistryAuth {
    if let Ok(token) = std::env::var("SWFWASM_REGISTRY_TOKEN") {
        return RegistryAuth::Bearer(token);
    }
    if let (Ok(user), Ok(password)) = (
        std::env::var("SWFWASM_REGISTRY_USERNAME"),
        std::env::var("SWFWASM_REGISTRY_PASSWORD"),
    ) {
        return RegistryAuth::Basic(user, password);
    }
    let dir = std::env::var_os("DOCKER_CONFIG")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".docker")));
    dir.and_then(|dir| docker_config_auth(&dir, registry))
        .unwrap_or(RegistryAuth::Anonymous)
}

/// The registry's entry in the docker config file of `dir`. Read by hand: two fields of a
/// JSON file whose credential helpers (`credsStore`) swfwasm does not run.
fn docker_config_auth(dir: &std::path::Path, registry: &str) -> Option<RegistryAuth> {
    let text = std::fs::read(dir.join("config.json")).ok()?;
    let config: serde_json::Value = serde_json::from_slice(&text).ok()?;
    let auths = config.get("auths")?.as_object()?;
    let entry = auths.iter().find_map(|(name, entry)| {
        let host = name
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .split('/')
            .next()?;
        (host == registry).then_some(entry)
    })?;
    if let Some(token) = entry.get("identitytoken").and_then(|t| t.as_str()) {
        return Some(RegistryAuth::Bearer(token.to_owned()));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(entry.get("auth")?.as_str()?)
        .ok()?;
    let (user, password) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some(RegistryAuth::Basic(user.to_owned(), password.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(auth: Option<RegistryAuth>) -> Option<(String, String)> {
        match auth? {
            RegistryAuth::Basic(user, password) => Some((user, password)),
            RegistryAuth::Bearer(token) => Some(("bearer".into(), token)),
            RegistryAuth::Anonymous => None,
        }
    }

    #[test]
    fn docker_config_entries_give_basic_or_bearer_credentials() {
        let dir = tempfile::tempdir().unwrap();
        let basic = base64::engine::general_purpose::STANDARD.encode("ci:s3cret");
        std::fs::write(
            dir.path().join("config.json"),
            format!(
                r#"{{"auths": {{"https://registry.example.com/v1/": {{"auth": "{basic}"}},
                    "ghcr.example.com": {{"identitytoken": "tok"}}}}}}"#
            ),
        )
        .unwrap();
        assert_eq!(
            credentials(docker_config_auth(dir.path(), "registry.example.com")),
            Some(("ci".into(), "s3cret".into()))
        );
        assert_eq!(
            credentials(docker_config_auth(dir.path(), "ghcr.example.com")),
            Some(("bearer".into(), "tok".into()))
        );
        assert_eq!(
            credentials(docker_config_auth(dir.path(), "other.example.com")),
            None
        );
        assert_eq!(
            credentials(docker_config_auth(&dir.path().join("none"), "x")),
            None
        );
    }
}
