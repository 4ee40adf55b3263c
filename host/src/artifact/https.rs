//! Plain HTTPS sources: one GET, the body checked against the `#sha256=` pin. `http://` is
//! accepted only for a loopback host.

use sha2::{Digest as _, Sha256};

use super::error::FetchError;
use super::source::{HttpsSource, MAX_ARTIFACT_BYTES, is_loopback_authority};

/// Fetches and verifies `source`.
pub(crate) async fn fetch(
    http: &reqwest::Client,
    source: &HttpsSource,
) -> Result<Vec<u8>, FetchError> {
    let source_text = format!("{}#sha256={}", source.url, source.sha256);
    let url = reqwest::Url::parse(&source.url).map_err(|e| FetchError::Invalid {
        source_text: source_text.clone(),
        reason: e.to_string(),
    })?;
    if url.scheme() == "http"
        && !url
            .host_str()
            .is_some_and(|h| is_loopback_authority(h.trim_start_matches('[').trim_end_matches(']')))
    {
        return Err(FetchError::Invalid {
            source_text,
            reason: "plain HTTP is accepted only from a loopback host; use https://".into(),
        });
    }
    let unreachable = |e: reqwest::Error| FetchError::Unreachable {
        source_text: source_text.clone(),
        reason: crate::swf::error_chain(&e),
    };
    let response = http.get(url).send().await.map_err(unreachable)?;
    if !response.status().is_success() {
        return Err(FetchError::Invalid {
            source_text,
            reason: format!("HTTP {}", response.status()),
        });
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_ARTIFACT_BYTES)
    {
        return Err(FetchError::Invalid {
            source_text,
            reason: format!("larger than {} bytes", MAX_ARTIFACT_BYTES),
        });
    }
    let bytes = response.bytes().await.map_err(unreachable)?;
    let actual = hex::encode(Sha256::digest(&bytes));
    if actual != source.sha256 {
        return Err(FetchError::DigestMismatch {
            source_text,
            expected: format!("sha256:{}", source.sha256),
            actual: format!("sha256:{actual}"),
        });
    }
    Ok(bytes.to_vec())
}
