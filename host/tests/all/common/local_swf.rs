//! The local SWF service (`swfwasm local`) run as a child process for one test: a fresh
//! database in the test's directory, a free port on 127.0.0.1, signatures checked against the
//! credentials `swfwasm_in` gives its commands, killed when dropped (pass or fail).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct LocalSwf {
    child: Child,
    endpoint: String,
}

impl LocalSwf {
    /// Starts the service on `dir/local-swf.sqlite`, holding empty polls `poll_hold_secs`.
    pub fn start(dir: &Path, poll_hold_secs: u64) -> LocalSwf {
        let mut child = Command::new(env!("CARGO_BIN_EXE_swfwasm"))
            .args(["local", "--port", "0", "--poll-hold-secs"])
            .arg(poll_hold_secs.to_string())
            .args([
                "--access-key-id",
                "AKIDEXAMPLE",
                "--secret-access-key",
                "secret",
            ])
            .arg("--db")
            .arg(dir.join("local-swf.sqlite"))
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start swfwasm local");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("read the endpoint line");
        let endpoint = line
            .trim()
            .strip_prefix("local-swf listening on ")
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!("swfwasm local printed {line:?} instead of its endpoint")
            })
            .to_owned();
        LocalSwf { child, endpoint }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

impl Drop for LocalSwf {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
