//! What the host's own HTTP clients share: the TLS client configuration and the byte stream a
//! connection runs on (plain TCP or TLS over it). A leaf: imports nothing of the crate.
//!
//! Two clients use it: the SWF transport (`swf/transport.rs`) and the outbound HTTP of
//! activities (`runtime/outbound.rs`).

use std::sync::{Arc, OnceLock};

use tokio_rustls::rustls;

/// A connection's byte stream: `TcpStream`, or TLS over one.
pub(crate) trait Stream:
    tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin
{
}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> Stream for T {}

/// TLS with the Mozilla roots (webpki-roots) and ring, built once.
pub(crate) fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}
