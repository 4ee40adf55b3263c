//! The on-disk cache of compiled plugins.
//!
//! Compiling a component costs tens of milliseconds for a Rust guest and seconds for a JS or
//! Python one; loading precompiled code costs well under a millisecond. So each artifact is
//! compiled once and its code stored as `<digest>-<engine>.cwasm`, where `<digest>` is the
//! artifact's sha256 and `<engine>` a hash of everything that makes compiled code
//! incompatible (wasmtime version, target, engine settings).
//!
//! wasmtime trusts precompiled code completely, so an entry is never loaded on its name
//! alone: each file starts with a magic string and the sha256 of the code that follows, and a
//! file whose checksum does not match (truncated, corrupted, tampered) is discarded and
//! recompiled. A stale entry that wasmtime itself rejects is treated the same way. Entries
//! are written to a temporary file and renamed, so a crash never leaves half a file in place.

use std::hash::{Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use super::digest::Digest;

const MAGIC: &[u8; 8] = b"SWFWCWM1";
const HEADER_LEN: usize = MAGIC.len() + 32;

/// Where a loaded plugin's compiled code came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Loaded from a verified cache entry; nothing was compiled.
    Hit(PathBuf),
    /// Compiled now (and stored, if a cache is configured).
    Compiled {
        /// Why the cache could not serve it, if a cache is configured.
        reason: Option<String>,
    },
}

/// A directory of precompiled plugins for one engine configuration.
#[derive(Debug, Clone)]
pub struct CompileCache {
    dir: PathBuf,
    engine_key: String,
}

impl CompileCache {
    /// Opens (creating if needed) the cache in `dir` for `engine`.
    pub fn open(dir: &Path, engine: &Engine) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        // DefaultHasher::new() has fixed keys, so the key is stable for a given host binary,
        // which is exactly the lifetime of compatibility we need.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        Ok(Self {
            dir: dir.to_path_buf(),
            engine_key: format!("{:016x}", hasher.finish()),
        })
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds (or would hold) the compiled code of `digest`.
    pub fn entry_path(&self, digest: &Digest) -> PathBuf {
        self.dir
            .join(format!("{}-{}.cwasm", digest.hex(), self.engine_key))
    }

    /// Loads the compiled code of `digest`, or says why it cannot be used.
    pub(crate) fn load(&self, engine: &Engine, digest: &Digest) -> Result<Component, String> {
        let path = self.entry_path(digest);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err("no cache entry".into()),
            Err(e) => return Err(format!("cannot read cache entry {}: {e}", path.display())),
        };
        let code = match verify(&bytes) {
            Ok(code) => code,
            Err(problem) => {
                self.discard(&path, &problem);
                return Err(problem);
            }
        };
        // SAFETY: `code` was produced by `Engine::precompile_component` of this host (the
        // checksum written with it matches, so it is byte-for-byte what we stored), and
        // wasmtime checks its own header for version and configuration compatibility.
        match unsafe { Component::deserialize(engine, code) } {
            Ok(component) => Ok(component),
            Err(e) => {
                let problem = format!("stale cache entry rejected by wasmtime: {e}");
                self.discard(&path, &problem);
                Err(problem)
            }
        }
    }

    /// Stores compiled code for `digest`, atomically.
    pub(crate) fn store(&self, digest: &Digest, code: &[u8]) -> io::Result<PathBuf> {
        let path = self.entry_path(digest);
        let tmp = self
            .dir
            .join(format!(".{}.{}.tmp", digest.hex(), std::process::id()));
        let mut contents = Vec::with_capacity(HEADER_LEN + code.len());
        contents.extend_from_slice(MAGIC);
        contents.extend_from_slice(&Sha256::digest(code));
        contents.extend_from_slice(code);
        std::fs::write(&tmp, &contents)?;
        std::fs::rename(&tmp, &path)?;
        Ok(path)
    }

    fn discard(&self, path: &Path, problem: &str) {
        tracing::warn!(path = %path.display(), problem, "discarding unusable compile cache entry; recompiling");
        let _ = std::fs::remove_file(path);
    }
}

/// Checks the header and checksum of a cache file and returns the code it protects.
fn verify(bytes: &[u8]) -> Result<&[u8], String> {
    if bytes.len() < HEADER_LEN || &bytes[..MAGIC.len()] != MAGIC {
        return Err("corrupt cache entry: bad header".into());
    }
    let (header, code) = bytes.split_at(HEADER_LEN);
    if Sha256::digest(code).as_slice() != &header[MAGIC.len()..] {
        return Err("corrupt cache entry: checksum mismatch".into());
    }
    Ok(code)
}
