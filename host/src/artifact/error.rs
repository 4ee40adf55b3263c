//! [`FetchError`]: why an artifact could not be had from its source. A leaf.

/// Fetching, verifying or publishing an artifact failed. Nothing from a failed fetch is
/// compiled or stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The source did not answer (connection refused, DNS, TLS, timeout).
    #[error("{source_text} is unreachable: {reason}")]
    Unreachable {
        /// The source as written.
        source_text: String,
        /// What failed.
        reason: String,
    },
    /// The bytes served are not the ones pinned: refused.
    #[error(
        "{source_text}: digest mismatch: expected {expected}, the source served {actual}; \
         refused, nothing compiled or stored"
    )]
    DigestMismatch {
        /// The source as written.
        source_text: String,
        /// The digest pinned (by the reference, or by the manifest for a layer).
        expected: String,
        /// The digest of what was served.
        actual: String,
    },
    /// The source answered, but not with a usable artifact (no such object or tag, refused
    /// credentials, not the wasm layout).
    #[error("{source_text}: {reason}")]
    Invalid {
        /// The source as written.
        source_text: String,
        /// What is wrong.
        reason: String,
    },
    /// The local artifact store cannot be written.
    #[error("cannot use the local artifact store: {0}")]
    Store(#[from] std::io::Error),
}
