//! [`ArtifactStore`]: the local content-addressed store of fetched artifacts, under the cache
//! directory (`<cache>/artifacts/`), so a worker restarted while its registry or bucket is
//! unreachable starts from what it fetched last.
//!
//! Layout: `blobs/<sha256 hex>.wasm` (the artifact; its name is its digest, checked again on
//! every read) and `sources/<sha256 of the source text>.json` (the digest and version a source
//! resolved to last). Files are written to a temporary name and renamed, so a crash never
//! leaves half a file. Only verified bytes are ever stored. A leaf.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// What a source resolved to when it was last fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remembered {
    /// The source as written.
    pub source: String,
    /// The artifact's sha256 (hex).
    pub digest: String,
    /// What identifies this version at the source (an OCI manifest digest, an S3 key and
    /// ETag), compared on the next poll.
    pub version: String,
}

/// The store; cheap to clone.
#[derive(Debug, Clone)]
pub struct ArtifactStore {
    dir: PathBuf,
}

impl ArtifactStore {
    /// Opens (creating) the store in `dir`.
    pub fn open(dir: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(dir.join("blobs"))?;
        std::fs::create_dir_all(dir.join("sources"))?;
        Ok(Self {
            dir: dir.to_owned(),
        })
    }

    /// Stores verified `bytes` under their digest (hex), which is returned.
    pub fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let digest = hex::encode(Sha256::digest(bytes));
        let path = self.blob_path(&digest);
        if !path.exists() {
            write_atomically(&path, bytes)?;
        }
        Ok(digest)
    }

    /// The artifact with `digest` (hex), if stored and intact; a file whose bytes no longer
    /// match its name is removed.
    pub fn get(&self, digest: &str) -> Option<Vec<u8>> {
        let path = self.blob_path(digest);
        let bytes = std::fs::read(&path).ok()?;
        if hex::encode(Sha256::digest(&bytes)) == digest {
            Some(bytes)
        } else {
            tracing::warn!(path = %path.display(), "stored artifact is corrupt; removing it");
            let _ = std::fs::remove_file(&path);
            None
        }
    }

    /// Records what `remembered.source` resolved to.
    pub fn remember(&self, remembered: &Remembered) -> io::Result<()> {
        let json = serde_json::to_vec_pretty(remembered).map_err(io::Error::other)?;
        write_atomically(&self.source_path(&remembered.source), &json)
    }

    /// What `source` resolved to last, if known and its artifact is still stored.
    pub fn recall(&self, source: &str) -> Option<(Remembered, Vec<u8>)> {
        let json = std::fs::read(self.source_path(source)).ok()?;
        let remembered: Remembered = serde_json::from_slice(&json).ok()?;
        let bytes = self.get(&remembered.digest)?;
        Some((remembered, bytes))
    }

    /// How many artifacts are stored.
    pub fn len(&self) -> usize {
        std::fs::read_dir(self.dir.join("blobs"))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "wasm"))
                    .count()
            })
            .unwrap_or(0)
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn blob_path(&self, digest: &str) -> PathBuf {
        self.dir.join("blobs").join(format!("{digest}.wasm"))
    }

    fn source_path(&self, source: &str) -> PathBuf {
        let key = hex::encode(Sha256::digest(source.as_bytes()));
        self.dir.join("sources").join(format!("{key}.json"))
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temporary = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifacts_are_stored_by_digest_and_sources_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::open(dir.path()).unwrap();
        assert!(store.is_empty());
        let digest = store.put(b"(component)").unwrap();
        assert_eq!(digest, hex::encode(Sha256::digest(b"(component)")));
        assert_eq!(store.get(&digest).as_deref(), Some(&b"(component)"[..]));
        assert_eq!(store.put(b"(component)").unwrap(), digest);
        assert_eq!(store.len(), 1);

        let remembered = Remembered {
            source: "oci://r/hello:v1".into(),
            digest: digest.clone(),
            version: "sha256:abc".into(),
        };
        store.remember(&remembered).unwrap();
        let (again, bytes) = store.recall("oci://r/hello:v1").unwrap();
        assert_eq!(again, remembered);
        assert_eq!(bytes, b"(component)");
        assert!(store.recall("oci://r/other:v1").is_none());
    }

    #[test]
    fn a_corrupt_blob_is_not_served() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::open(dir.path()).unwrap();
        let digest = store.put(b"good").unwrap();
        std::fs::write(
            dir.path().join("blobs").join(format!("{digest}.wasm")),
            b"bad",
        )
        .unwrap();
        assert!(store.get(&digest).is_none());
        assert!(store.is_empty(), "the corrupt file is removed");
    }
}
