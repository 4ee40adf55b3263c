//! The Amazon SWF client: AWS JSON 1.0 over HTTPS, SigV4-signed, with retries.
//!
//! [`SwfClient`] sends `POST /` with `X-Amz-Target: SimpleWorkflowService.<Action>` and the
//! action's input as JSON (the wire types are `swf-model`'s), signed for service `swf` with
//! credentials from the AWS default chain or fixed keys. Polls get a long timeout (70 s by
//! default: SWF holds a poll up to 60 s), every other call a short one. Throttling, HTTP 5xx and
//! transport failures are retried with jittered exponential backoff; SWF faults and validation
//! errors come back at once as [`SwfError::Fault`].
//!
//! - `client.rs`: [`SwfClient`], [`ClientConfig`], the generic [`SwfClient::call`].
//! - `actions.rs`: typed helpers: polls (decision tasks with their complete history, all pages
//!   fetched), responds, heartbeats, registration, starting and controlling runs, histories and
//!   run lists.
//! - `signing.rs`: building and signing the HTTP request; the credentials cache.
//! - `transport.rs`: HTTP/1.1 over TCP or TLS with a keep-alive pool, each connection driven by
//!   the call using it.
//! - `proxy.rs`: the proxy the environment sets, and the `CONNECT` tunnel through it.
//! - `retry.rs`: [`RetryConfig`].
//! - `error.rs`: [`SwfError`] and the parsing of error responses.
//!
//! ```no_run
//! # async fn example() -> Result<(), swfwasm::swf::SwfError> {
//! use swfwasm::swf::{ClientConfig, SwfClient};
//!
//! let client = SwfClient::from_env(ClientConfig::default()).await?;
//! if let Some(task) = client.poll_for_decision_task("my-domain", "default", "me").await? {
//!     println!("{} events", task.events.len());
//! }
//! # Ok(())
//! # }
//! ```

mod actions;
mod client;
mod error;
mod proxy;
mod retry;
mod signing;
mod transport;

pub use aws_credential_types::Credentials;
pub use client::{ClientConfig, SwfClient, load_sdk_config};
pub use error::SwfError;
pub(crate) use error::error_chain;
pub use retry::RetryConfig;
pub use signing::CredentialSource;
pub(crate) use signing::signed_rest_request;
