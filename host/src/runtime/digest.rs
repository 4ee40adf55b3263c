//! [`Digest`]: the sha256 that names an artifact everywhere in swfwasm (cache entries, pins in
//! histories, grants by digest, log lines). A leaf: imports nothing of its siblings.

use std::fmt;

use sha2::{Digest as _, Sha256};

/// The sha256 of an artifact's bytes: the identity of a plugin everywhere in swfwasm.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(String);

impl Digest {
    /// Digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(hex::encode(Sha256::digest(bytes)))
    }

    /// The 64 hex digits.
    pub fn hex(&self) -> &str {
        &self.0
    }

    /// The first 12 hex digits, for log lines.
    pub fn short(&self) -> &str {
        Self::shorten(&self.0)
    }

    /// The first 12 hex digits of a digest known only as text (a pin read from a history,
    /// with or without its `sha256:` prefix), for log lines; shorter text is returned whole.
    pub fn shorten(hex: &str) -> &str {
        let hex = hex.strip_prefix("sha256:").unwrap_or(hex);
        hex.get(..12).unwrap_or(hex)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.0)
    }
}
