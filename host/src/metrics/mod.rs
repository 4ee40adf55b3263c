//! What an operator watches: Prometheus metrics of the worker and the runtime ([`Metrics`],
//! one registry per process), readiness ([`Health`]), and the HTTP endpoint that serves both
//! ([`serve`]: `/metrics`, `/healthz`, `/readyz`).
//!
//! Data flow: the pollers, task handlers, heartbeats, SWF client and plugin runtime update the
//! process's [`metrics()`] as they go (counters and histograms, bounded labels); a scrape
//! encodes the registry. The pollers report poll successes and failures to the worker's
//! [`Health`], which `/readyz` reads.

mod health;
mod registry;
mod server;

pub use health::Health;
pub use registry::{
    CallLabels, CauseLabels, ListLabels, Metrics, OutcomeLabels, PhaseLabels, PollLabels,
    TaskLabels, metrics,
};
pub use server::serve;
