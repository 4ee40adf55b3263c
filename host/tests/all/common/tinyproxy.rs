//! Debian's `tinyproxy`, an HTTP proxy, run as a child process for one test: on a free port of
//! 127.0.0.1, asking for Basic credentials, its log in a directory the test owns, killed when
//! dropped.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use super::moto::free_port;

/// The user and password the proxy accepts.
pub const USER: &str = "swfwasm";
pub const PASSWORD: &str = "pr0xy-s3cret";

pub struct Tinyproxy {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Tinyproxy {
    /// Starts the proxy, writing its configuration and log into `dir`, and waits until it
    /// accepts connections.
    pub fn start(dir: &Path) -> Tinyproxy {
        let port = free_port();
        let log = dir.join("tinyproxy.log");
        let config = dir.join("tinyproxy.conf");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListen 127.0.0.1\nTimeout 60\nAllow 127.0.0.1\n\
                 BasicAuth {USER} {PASSWORD}\nLogLevel Connect\nLogFile \"{}\"\n",
                log.display()
            ),
        )
        .unwrap();
        let binary = PathBuf::from("/usr/bin/tinyproxy");
        assert!(
            binary.exists(),
            "{} is missing: install Debian's tinyproxy (scripts/setup-guest-toolchains does)",
            binary.display()
        );
        let child =
            super::spawn_quiet(&binary, &["-d".as_ref(), "-c".as_ref(), config.as_os_str()]);
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tinyproxy did not listen within 30 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Tinyproxy { child, port, log }
    }

    /// `http://USER:PASSWORD@127.0.0.1:PORT`, or without credentials.
    pub fn url(&self, credentials: bool) -> String {
        if credentials {
            format!("http://{USER}:{PASSWORD}@127.0.0.1:{}", self.port)
        } else {
            format!("http://127.0.0.1:{}", self.port)
        }
    }

    /// What the proxy logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
