//! [`Health`]: what `/healthz` and `/readyz` answer. A leaf.
//!
//! Ready means: the plugins are loaded, and polling works: no poll has failed, or the latest
//! failure streak is younger than the grace period (one dropped connection does not take a
//! worker out of rotation; an endpoint that stays dead does).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The worker's readiness, shared by its pollers and the health endpoint.
#[derive(Debug)]
pub struct Health {
    plugins_loaded: AtomicBool,
    failing_since: Mutex<Option<Instant>>,
    grace: Duration,
}

impl Health {
    /// Not ready until [`plugins_loaded`](Self::plugins_loaded); unready once polls have
    /// failed for longer than `grace`.
    pub fn new(grace: Duration) -> Self {
        Self {
            plugins_loaded: AtomicBool::new(false),
            failing_since: Mutex::new(None),
            grace,
        }
    }

    /// The plugins are loaded and the worker polls.
    pub fn plugins_loaded(&self) {
        self.plugins_loaded.store(true, Ordering::Relaxed);
    }

    /// A poll round trip succeeded (a task or an empty answer).
    pub fn poll_succeeded(&self) {
        *self.failing_since.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// A poll failed.
    pub fn poll_failed(&self) {
        self.failing_since
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert_with(Instant::now);
    }

    /// Whether the worker is ready, and if not, why.
    pub fn ready(&self) -> Result<(), String> {
        if !self.plugins_loaded.load(Ordering::Relaxed) {
            return Err("the plugins are not loaded yet".into());
        }
        let since = *self.failing_since.lock().unwrap_or_else(|p| p.into_inner());
        match since {
            Some(since) if since.elapsed() > self.grace => Err(format!(
                "polls have failed for {} s (more than {} s)",
                since.elapsed().as_secs(),
                self.grace.as_secs()
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_once_loaded_and_while_polls_work() {
        let health = Health::new(Duration::from_millis(50));
        assert!(health.ready().unwrap_err().contains("not loaded"));
        health.plugins_loaded();
        assert!(health.ready().is_ok());
        health.poll_failed();
        assert!(health.ready().is_ok(), "within the grace period");
        std::thread::sleep(Duration::from_millis(80));
        assert!(health.ready().unwrap_err().contains("polls have failed"));
        health.poll_succeeded();
        assert!(health.ready().is_ok());
    }
}
