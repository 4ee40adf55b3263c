//! Issue 12 end to end: plugins from an OCI registry (Debian's docker-registry on loopback), S3
//! (moto's server) and HTTPS (a loopback TLS server with a certificate the test trusts), pinned
//! by digest, verified before anything is compiled, watched for new versions, and kept in the
//! local store so a worker restarts while its registry is down.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{
    Running, local_swf, moto, plugin, registry, succeeded as ok, swfwasm_in, wait_until, workspace,
};
use local_swf::LocalSwf;
use moto::Moto;
use registry::Registry;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn sha256(file: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(file).unwrap()))
}

/// A test's directory, local SWF service and worker configuration.
struct Fleet {
    dir: tempfile::TempDir,
    swf: LocalSwf,
}

impl Fleet {
    fn new() -> Fleet {
        let dir = tempfile::tempdir().unwrap();
        let swf = LocalSwf::start(dir.path(), 1);
        Fleet { dir, swf }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `worker.toml` with `plugins` and extra `[sources]` lines.
    fn configure(&self, plugins: &[String], sources: &str) {
        let plugins: Vec<String> = plugins.iter().map(|p| format!("{p:?}")).collect();
        std::fs::write(
            self.path("worker.toml"),
            format!(
                "domain = \"artifacts\"\nendpoint = \"{}\"\nregion = \"us-east-1\"\n\
                 plugins = [{}]\n\n[sources]\npoll_interval_ms = 200\n{sources}\n",
                self.swf.endpoint(),
                plugins.join(", ")
            ),
        )
        .unwrap();
    }

    fn swfwasm(&self, args: &[&str]) -> Output {
        swfwasm_in(self.dir.path())
            .arg("--config")
            .arg(self.path("worker.toml"))
            .args(args)
            .output()
            .unwrap()
    }

    /// `swfwasm push FILE TARGET`: the pinned source it prints.
    fn push(&self, file: &Path, target: &str) -> String {
        let out = self.swfwasm(&["push", file.to_str().unwrap(), target]);
        ok(out, "push").trim().to_owned()
    }

    fn worker(&self, log: &str) -> Running {
        let mut command = swfwasm_in(self.dir.path());
        command
            .arg("--config")
            .arg(self.path("worker.toml"))
            .arg("run");
        Running::spawn(&mut command, &self.path(log))
    }

    /// Starts HelloWorkflow as `workflow_id`, waits for it to complete, and returns the
    /// digests (hex) of the artifacts that decided it.
    fn hello(&self, workflow_id: &str, log: &str) -> Vec<String> {
        ok(
            self.swfwasm(&["start", "HelloWorkflow", "--workflow-id", workflow_id]),
            "start",
        );
        let history = || -> Vec<Value> {
            let text = ok(self.swfwasm(&["history", workflow_id, "--json"]), "history");
            serde_json::from_str(&text).unwrap()
        };
        wait_until(
            &format!("{workflow_id} to complete"),
            &self.path(log),
            || {
                history()
                    .iter()
                    .any(|e| e["eventType"] == "WorkflowExecutionCompleted")
            },
        );
        history()
            .iter()
            .filter(|e| e["eventType"] == "DecisionTaskCompleted")
            .map(|e| {
                e["decisionTaskCompletedEventAttributes"]["executionContext"]
                    .as_str()
                    .unwrap_or_default()
                    .trim_start_matches("swfwasm-decider:")
                    .to_owned()
            })
            .collect()
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    fn wait_for_log(&self, log: &str, needle: &str, count: usize) {
        wait_until(&format!("{count} × {needle:?}"), &self.path(log), || {
            self.log(log).matches(needle).count() >= count
        });
    }

    /// The artifacts in the local store (`<cache>/artifacts/blobs`).
    fn stored(&self) -> Vec<String> {
        let blobs = self.path("cache/artifacts/blobs");
        let mut names: Vec<String> = std::fs::read_dir(blobs)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

#[test]
fn oci_artifacts_are_pushed_pinned_run_and_a_watched_tag_swaps_in() {
    let fleet = Fleet::new();
    let registry = Registry::start(&fleet.path("registry"));
    let reg = registry.authority();
    fleet.configure(&[], "");

    let activity = fleet.push(
        &plugin("hello-activity"),
        &format!("oci://{reg}/team/hello-activity:v1"),
    );
    assert!(
        activity.starts_with(&format!("oci://{reg}/team/hello-activity@sha256:")),
        "{activity}"
    );
    let decider = fleet.push(
        &plugin("hello-decider"),
        &format!("oci://{reg}/team/hello-decider:prod"),
    );
    // The declared types travel as annotations: readable without pulling or running.
    let inspected: Value = serde_json::from_str(&ok(
        fleet.swfwasm(&["plugin", "inspect", "--json", &decider]),
        "inspect",
    ))
    .unwrap();
    assert_eq!(
        inspected["annotations"]["dev.swfwasm.types"],
        "HelloWorkflow 1.0"
    );
    assert_eq!(inspected["annotations"]["dev.swfwasm.world"], "decider");
    assert_eq!(
        format!(
            "oci://{reg}/team/hello-decider@{}",
            inspected["manifestDigest"].as_str().unwrap()
        ),
        decider
    );

    // The decider by its watched tag, the activity pinned by digest.
    fleet.configure(
        &[format!("oci://{reg}/team/hello-decider:prod"), activity],
        "",
    );
    ok(fleet.swfwasm(&["register"]), "register");
    let _worker = fleet.worker("worker.log");
    let v1 = sha256(&plugin("hello-decider"));
    let deciders = fleet.hello("before-push", "worker.log");
    assert!(
        !deciders.is_empty() && deciders.iter().all(|d| *d == v1),
        "{deciders:?}"
    );

    // A new version pushed to the tag is picked up without a restart.
    fleet.push(
        &plugin("hello-compatible"),
        &format!("oci://{reg}/team/hello-decider:prod"),
    );
    fleet.wait_for_log("worker.log", "new artifact activated", 1);
    let v2 = sha256(&plugin("hello-compatible"));
    let deciders = fleet.hello("after-push", "worker.log");
    assert!(
        !deciders.is_empty() && deciders.iter().all(|d| *d == v2),
        "{deciders:?}"
    );
    assert!(
        fleet.stored().contains(&format!("{v2}.wasm")),
        "{:?}",
        fleet.stored()
    );
}

#[test]
fn a_tampered_blob_is_refused_naming_both_digests_and_nothing_is_kept() {
    let fleet = Fleet::new();
    let registry = Registry::start(&fleet.path("registry"));
    fleet.configure(&[], "");
    let decider = fleet.push(
        &plugin("hello-decider"),
        &format!("oci://{}/hello-decider:v1", registry.authority()),
    );
    // Someone with write access to the registry's storage swaps one byte of the layer.
    let layer = sha256(&plugin("hello-decider"));
    let blob = registry.blob_path(&layer);
    let mut bytes = std::fs::read(&blob).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&blob, &bytes).unwrap();
    let tampered = hex::encode(Sha256::digest(&bytes));

    fleet.configure(std::slice::from_ref(&decider), "");
    let out = fleet.swfwasm(&["register"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("digest mismatch"), "{stderr}");
    assert!(
        stderr.contains(&layer) && stderr.contains(&tampered),
        "{stderr}"
    );
    assert!(fleet.stored().is_empty(), "stored: {:?}", fleet.stored());
    let compiled: Vec<String> = std::fs::read_dir(fleet.path("cache"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(&tampered))
        .collect();
    assert!(
        compiled.is_empty(),
        "compiled from a refused artifact: {compiled:?}"
    );
}

#[test]
fn a_fleet_keeps_serving_and_restarts_from_its_store_while_the_registry_is_down() {
    let fleet = Fleet::new();
    let mut registry = Registry::start(&fleet.path("registry"));
    let reg = registry.authority();
    fleet.configure(&[], "");
    fleet.push(
        &plugin("hello-decider"),
        &format!("oci://{reg}/hello-decider:prod"),
    );
    fleet.push(
        &plugin("hello-activity"),
        &format!("oci://{reg}/hello-activity:prod"),
    );
    fleet.configure(
        &[
            format!("oci://{reg}/hello-decider:prod"),
            format!("oci://{reg}/hello-activity:prod"),
        ],
        "",
    );
    ok(fleet.swfwasm(&["register"]), "register");
    let v1 = sha256(&plugin("hello-decider"));
    let mut worker = fleet.worker("first.log");
    assert!(fleet.hello("up", "first.log").iter().all(|d| *d == v1));

    registry.stop();
    fleet.wait_for_log("first.log", "cannot poll the source", 1);
    assert!(
        fleet
            .hello("registry-down", "first.log")
            .iter()
            .all(|d| *d == v1)
    );
    worker.stop();

    let _restarted = fleet.worker("second.log");
    fleet.wait_for_log("second.log", "starting from the local artifact store", 2);
    assert!(
        fleet
            .hello("restarted-down", "second.log")
            .iter()
            .all(|d| *d == v1)
    );

    registry.restart();
    fleet.push(
        &plugin("hello-compatible"),
        &format!("oci://{reg}/hello-decider:prod"),
    );
    fleet.wait_for_log("second.log", "new artifact activated", 1);
    let v2 = sha256(&plugin("hello-compatible"));
    let deciders = fleet.hello("registry-back", "second.log");
    assert!(
        !deciders.is_empty() && deciders.iter().all(|d| *d == v2),
        "{deciders:?}"
    );
}

#[test]
fn s3_sources_a_pinned_key_and_a_watched_prefix() {
    let fleet = Fleet::new();
    let moto = Moto::start(workspace());
    let created = std::process::Command::new(workspace().join(".venv/bin/python"))
        .args([
            "-c",
            "import boto3,sys; boto3.client('s3', endpoint_url=sys.argv[1], \
             region_name='us-east-1', aws_access_key_id='a', aws_secret_access_key='b')\
             .create_bucket(Bucket='artifacts')",
            &moto.endpoint(),
        ])
        .output()
        .unwrap();
    ok(created, "create the bucket");
    let sources = format!("s3_endpoint = \"{}\"", moto.endpoint());
    fleet.configure(&[], &sources);
    let activity = fleet.push(
        &plugin("hello-activity"),
        "s3://artifacts/activities/hello-activity.wasm",
    );
    let activity_digest = sha256(&plugin("hello-activity"));
    assert_eq!(
        activity,
        format!("s3://artifacts/activities/hello-activity.wasm#sha256={activity_digest}")
    );
    fleet.push(
        &plugin("hello-decider"),
        "s3://artifacts/deciders/hello-1.wasm",
    );
    fleet.configure(&["s3://artifacts/deciders/".to_owned(), activity], &sources);
    ok(fleet.swfwasm(&["register"]), "register");
    let _worker = fleet.worker("worker.log");
    let v1 = sha256(&plugin("hello-decider"));
    let deciders = fleet.hello("s3-v1", "worker.log");
    assert!(
        !deciders.is_empty() && deciders.iter().all(|d| *d == v1),
        "{deciders:?}"
    );

    fleet.push(
        &plugin("hello-compatible"),
        "s3://artifacts/deciders/hello-2.wasm",
    );
    fleet.wait_for_log("worker.log", "new artifact activated", 1);
    let v2 = sha256(&plugin("hello-compatible"));
    let deciders = fleet.hello("s3-v2", "worker.log");
    assert!(
        !deciders.is_empty() && deciders.iter().all(|d| *d == v2),
        "{deciders:?}"
    );

    // A pinned key whose object changed is refused.
    fleet.push(
        &plugin("hello-compatible"),
        "s3://artifacts/activities/hello-activity.wasm",
    );
    let listed = fleet.swfwasm(&["plugins"]);
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(
        text.contains("rejected") && text.contains("digest mismatch"),
        "{text}"
    );
}

/// A loopback HTTPS server with a fresh self-signed certificate for 127.0.0.1, serving `body`
/// for every GET; the certificate's PEM is written to `ca`.
fn https_server(dir: &Path, body: Vec<u8>) -> (u16, std::thread::JoinHandle<()>) {
    use tokio_rustls::rustls;
    let openssl = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .current_dir(dir)
            .args(args)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // A test CA, and a certificate for 127.0.0.1 it signs (webpki refuses a CA certificate
    // as the server's own).
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let ca = [
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=test CA",
    ];
    openssl(&[&["req", "-x509"][..], &ec, &ca].concat());
    let leaf = [
        "-keyout",
        "key.pem",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=127.0.0.1",
    ];
    openssl(&[&["req"][..], &ec, &leaf].concat());
    let extensions = "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n";
    std::fs::write(dir.join("leaf.ext"), extensions).unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-days",
        "1",
        "-CAcreateserial",
        "-extfile",
        "leaf.ext",
        "-outform",
        "DER",
        "-out",
        "cert.der",
    ]);
    openssl(&[
        "pkcs8", "-topk8", "-nocrypt", "-in", "key.pem", "-outform", "DER", "-out", "key.der",
    ]);
    let cert =
        rustls::pki_types::CertificateDer::from(std::fs::read(dir.join("cert.der")).unwrap());
    let key =
        rustls::pki_types::PrivatePkcs8KeyDer::from(std::fs::read(dir.join("key.der")).unwrap());
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key.into())
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let handle = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((tcp, _)) = listener.accept().await {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    continue;
                };
                let mut request = vec![0; 4096];
                let _ = tls.read(&mut request).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = tls.write_all(head.as_bytes()).await;
                let _ = tls.write_all(&body).await;
                let _ = tls.shutdown().await;
            }
        });
    });
    (port, handle)
}

#[test]
fn an_https_source_loads_from_a_trusted_loopback_tls_server_and_a_wrong_pin_is_refused() {
    let fleet = Fleet::new();
    let decider = plugin("hello-decider");
    let (port, _server) = https_server(fleet.dir.path(), std::fs::read(&decider).unwrap());
    let digest = sha256(&decider);
    let url = format!("https://127.0.0.1:{port}/hello-decider.wasm");
    let sources = "ca_file = \"ca.pem\"";
    fleet.configure(&[format!("{url}#sha256={digest}")], sources);
    let listed = fleet.swfwasm(&["plugins"]);
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    assert!(text.contains("active") && text.contains(&url), "{text}");
    assert_eq!(fleet.stored(), vec![format!("{digest}.wasm")]);

    // Without the CA file the server is not trusted (another path: nothing stored for it).
    let untrusted = format!("https://127.0.0.1:{port}/again.wasm#sha256={digest}");
    fleet.configure(&[untrusted], "");
    let text = String::from_utf8_lossy(&fleet.swfwasm(&["plugins"]).stdout).into_owned();
    assert!(
        text.contains("rejected") && text.contains("unreachable"),
        "{text}"
    );

    // The same bytes under another pin are refused, naming both digests.
    let wrong = sha256(&plugin("hello-activity"));
    fleet.configure(&[format!("{url}#sha256={wrong}")], sources);
    let text = String::from_utf8_lossy(&fleet.swfwasm(&["plugins"]).stdout).into_owned();
    assert!(text.contains("digest mismatch"), "{text}");
    assert!(text.contains(&wrong) && text.contains(&digest), "{text}");
    assert_eq!(
        fleet.stored(),
        vec![format!("{digest}.wasm")],
        "nothing more is stored"
    );
}
