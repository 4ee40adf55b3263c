//! Debian's `docker-registry` (the CNCF distribution server) run as a child process for one
//! test: plain HTTP on a port of 127.0.0.1, its storage in a directory the test owns (so a
//! restarted registry serves what was pushed before), killed when dropped.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use super::moto::free_port;

pub struct Registry {
    child: Option<Child>,
    port: u16,
    storage: PathBuf,
}

impl Registry {
    /// Starts a registry storing into `storage`, on a free port.
    pub fn start(storage: &Path) -> Registry {
        let mut registry = Registry {
            child: None,
            port: free_port(),
            storage: storage.to_owned(),
        };
        registry.restart();
        registry
    }

    /// `127.0.0.1:PORT`.
    pub fn authority(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The file holding blob `sha256:HEX` in the registry's storage.
    pub fn blob_path(&self, hex: &str) -> PathBuf {
        self.storage
            .join("docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    /// Stops the registry (its storage stays).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and storage, and waits until it answers.
    pub fn restart(&mut self) {
        self.stop();
        let config = self.storage.with_extension("yml");
        std::fs::create_dir_all(&self.storage).unwrap();
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    \
                 rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{}\n",
                self.storage.display(),
                self.port
            ),
        )
        .unwrap();
        let binary = std::env::var_os("SWFWASM_DOCKER_REGISTRY")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/usr/bin/docker-registry"));
        assert!(
            binary.exists(),
            "{} is missing: install Debian's docker-registry (scripts/setup-guest-toolchains \
             does), or set SWFWASM_DOCKER_REGISTRY",
            binary.display()
        );
        let child = super::spawn_quiet(&binary, &["serve".as_ref(), config.as_os_str()]);
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.answers() {
            assert!(
                Instant::now() < deadline,
                "docker-registry did not answer within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn answers(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let request = format!(
            "GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        );
        let mut response = String::new();
        stream.write_all(request.as_bytes()).is_ok()
            && stream.read_to_string(&mut response).is_ok()
            && response.starts_with("HTTP/1.1 200")
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}
