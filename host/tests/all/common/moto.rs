//! A moto server (`moto_server`, Python) run as a child process for one test: found at
//! `$SWFWASM_MOTO_SERVER` or `<workspace>/.venv/bin/moto_server`, listening on a free port of
//! 127.0.0.1, killed when dropped (whether the test passed or not).

// Each test binary that includes this file uses part of it.
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Moto {
    /// Starts a fresh server and waits until it answers.
    pub fn start(workspace: PathBuf) -> Moto {
        Self::start_with_env(workspace, &[])
    }

    /// Starts a server that checks SigV4 signatures and IAM policies (moto's
    /// `INITIAL_NO_AUTH_ACTION_COUNT`) once `free_actions` calls have been made, which set up
    /// users, roles and resources.
    pub fn start_with_auth(workspace: PathBuf, free_actions: usize) -> Moto {
        Self::start_with_env(
            workspace,
            &[("INITIAL_NO_AUTH_ACTION_COUNT", free_actions.to_string())],
        )
    }

    fn start_with_env(workspace: PathBuf, env: &[(&str, String)]) -> Moto {
        let binary = std::env::var_os("SWFWASM_MOTO_SERVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace.join(".venv/bin/moto_server"));
        assert!(
            binary.exists(),
            "{} is missing: create it with `python3 -m venv .venv && .venv/bin/pip install \
             'moto[server]' boto3` in the workspace, or set SWFWASM_MOTO_SERVER",
            binary.display()
        );
        let port = free_port();
        let log = std::env::temp_dir().join(format!("swfwasm-moto-{port}.log"));
        let log_file = std::fs::File::create(&log).expect("create moto log");
        let child = Command::new(&binary)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("clone log handle"))
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut moto = Moto { child, port, log };
        moto.wait_until_ready();
        moto
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("poll moto") {
                panic!("moto_server exited with {status}:\n{}", self.output());
            }
            if self
                .post("/moto-api/reset")
                .is_some_and(|s| s.starts_with("HTTP/1.1 200"))
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer within 60 s:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// What the server printed so far.
    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A bare `POST path` over a fresh connection; the response head, if any.
    fn post(&self, path: &str) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n",
            self.port
        );
        stream.write_all(request.as_bytes()).ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        Some(response)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A port of 127.0.0.1 that was free a moment ago (and is closed now).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("bind an ephemeral port")
        .port()
}
