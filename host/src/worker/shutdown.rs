//! [`Shutdown`]: the handle that stops a running worker gracefully. A leaf.

use std::sync::Arc;

use tokio::sync::watch;

/// Tells a running worker to stop polling and finish what it holds.
#[derive(Clone)]
pub struct Shutdown {
    tx: Arc<watch::Sender<bool>>,
}

impl Shutdown {
    /// A handle that has not been triggered.
    pub fn new() -> Self {
        Self {
            tx: Arc::new(watch::channel(false).0),
        }
    }

    /// Starts a graceful shutdown.
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }

    /// Resolves once a shutdown has been triggered.
    pub async fn triggered(&self) {
        let mut rx = self.subscribe();
        let _ = rx.wait_for(|stop| *stop).await;
    }

    /// Whether a shutdown has been triggered.
    pub(crate) fn is_triggered(&self) -> bool {
        *self.tx.borrow()
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<bool> {
        self.tx.subscribe()
    }
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}
