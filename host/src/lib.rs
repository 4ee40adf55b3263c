//! swfwasm: run Amazon SWF deciders and activity workers as sandboxed WebAssembly components.
//!
//! The host does the plumbing (loading and compiling plugins, sandboxing them, and, in later
//! layers, polling SWF and answering it); a plugin — a component implementing the `decider` or
//! `activity` world of `guest-sdk/wit/plugin.wit` — holds the business logic.
//!
//! Modules:
//! - [`artifact`]: artifacts from OCI registries, S3 and HTTPS, verified against their pins and
//!   kept in a local content-addressed store.
//! - [`metrics`]: Prometheus metrics, readiness, and the `/metrics`, `/healthz`, `/readyz`
//!   endpoint.
//! - [`grant`]: capability grants: what the operator lets an activity do (outbound hosts,
//!   config values, directories), met with what the activity declares it needs.
//! - [`runtime`]: the plugin runtime. Loads an artifact, identifies it by sha256 digest, compiles
//!   it once (with an on-disk cache), and runs `decide` / `execute` in a fresh, limited instance
//!   per task.
//! - [`swf`]: the Amazon SWF HTTP client (signed AWS JSON 1.0 calls with retries, typed helpers
//!   that page decision-task histories to the end).
//! - [`replay`]: the replay checker: re-runs a decider over a recorded history and reports the
//!   first decision point where it decides differently.
//! - [`testing`]: scenarios: a decider with its activity plugins and stubbed activities on an
//!   in-process local SWF with time skipping, judged against expectations (`swfwasm test`, and
//!   `#[tokio::test]`s of Rust authors).
//! - [`worker`]: `swfwasm run`: pollers per task list feeding tasks to the plugins that serve
//!   their types, with heartbeats, failure policies and graceful shutdown.

#![warn(missing_docs)]

pub mod artifact;
mod backoff;
pub mod grant;
pub mod metrics;
mod net;
pub mod replay;
pub mod runtime;
pub mod swf;
pub mod testing;
pub mod worker;
