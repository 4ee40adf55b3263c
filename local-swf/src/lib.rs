//! local-swf: an Amazon SWF-compatible service for development and tests.
//!
//! It speaks SWF's wire protocol (AWS JSON 1.0 over HTTP, SigV4-signed), so boto3, the AWS CLI
//! and swfwasm's own client work against it unchanged, and it keeps its state in one SQLite
//! file, committed before every answer, so a restart continues every open run.
//!
//! A request flows: `server` (HTTP, body limit, SigV4 in `auth`) → `api` (parse into the
//! swf-model input type, `validate`) → `state_machine` (every action, one transaction per call,
//! persisted by `database` in SQLite; calls applied together share one commit, `commits`, and
//! each is answered once its commit is durable). A timer task in `server` fires timeouts and timers. The
//! web console (`console`, under `/console` on the same port) reads and writes through `api`.
//!
//! The public surface is what a host needs to run the service: [`LocalSwf`] (start, endpoint,
//! stop), its [`LocalSwfConfig`], the [`Verifier`] that checks request signatures, the
//! [`Durability`] of commits, and the errors of starting ([`StartError`], [`DatabaseError`]).
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let config = local_swf::LocalSwfConfig::new("swf.sqlite".into());
//! let service = local_swf::LocalSwf::start(config).await?;
//! println!("SWF endpoint: {}", service.endpoint());
//! service.stop().await;
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

mod api;
mod auth;
mod commits;
mod console;
mod database;
mod error;
mod run;
mod server;
mod state_machine;
mod tokens;
mod validate;

pub use auth::Verifier;
pub use commits::CommitStats;
pub use database::{DatabaseError, Durability};
pub use server::{LocalSwf, LocalSwfConfig, StartError};
pub use state_machine::{QUIET_MS, STALL_MS};
