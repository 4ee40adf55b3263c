//! local-swf: an Amazon SWF-compatible service for development and tests.
//!
//! It speaks SWF's wire protocol (AWS JSON 1.0 over HTTP, SigV4-signed), so boto3, the AWS CLI
//! and swfwasm's own client work against it unchanged, and it keeps its state in one SQLite
//! file, committed before every answer, so a restart continues every open run.
//!
//! A request flows: [`server`] (HTTP, body limit, SigV4 in [`auth`]) → [`api`] (parse into the
//! swf-model input type, [`validate`]) → [`engine`] (the state machine, one transaction per
//! call, persisted by [`store`]). A timer task in [`server`] fires timeouts and timers.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let config = local_swf::LocalSwfConfig::new("swf.sqlite".into());
//! let service = local_swf::LocalSwf::start(config).await?;
//! println!("SWF endpoint: {}", service.endpoint());
//! service.stop().await;
//! # Ok(()) }
//! ```

pub mod api;
pub mod auth;
pub mod database;
pub mod error;
pub mod run;
pub mod server;
pub mod state_machine;
pub mod tokens;
pub mod validate;

pub use auth::Verifier;
pub use database::Durability;
pub use server::{LocalSwf, LocalSwfConfig, StartError};
