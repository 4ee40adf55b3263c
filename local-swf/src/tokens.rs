//! Task tokens and page tokens: opaque to clients, base64url-encoded JSON to us.
//!
//! A task token names one attempt of one task (run, kind, scheduled and started event ids), so
//! it is checked against live state on every use and needs no server-side table. A page token
//! carries the position after the last item returned, a hash of the other arguments of the call
//! (a token may only be replayed with the same arguments) and its issue time (tokens expire
//! after 24 hours, as SWF's do).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{ServiceError, ServiceResult};

/// How long a page token stays valid, in milliseconds.
const PAGE_TOKEN_LIFETIME_MS: i64 = 24 * 3600 * 1000;

/// What a task token names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskToken {
    /// Domain of the run.
    #[serde(rename = "d")]
    pub domain: String,
    /// Run id.
    #[serde(rename = "r")]
    pub run_id: String,
    /// Activity id, for activity tasks; `None` for decision tasks.
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    pub activity_id: Option<String>,
    /// Id of the task's Scheduled event.
    #[serde(rename = "s")]
    pub scheduled_event_id: i64,
    /// Id of the task's Started event.
    #[serde(rename = "t")]
    pub started_event_id: i64,
}

impl TaskToken {
    /// The wire form.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("token serializes"))
    }

    /// Parses a wire token; a token we did not issue is a ValidationException.
    pub fn decode(token: &str) -> ServiceResult<TaskToken> {
        URL_SAFE_NO_PAD
            .decode(token.trim())
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| {
                ServiceError::invalid_member(
                    "taskToken",
                    "Invalid token: not a task token issued by this service",
                )
            })
    }
}

#[derive(Serialize, Deserialize)]
struct PageToken {
    /// Position after the last item returned.
    p: Value,
    /// Hash of the call's other arguments.
    h: String,
    /// Issue time, epoch ms.
    t: i64,
}

/// A short hash of the arguments a page token is bound to.
pub fn args_hash(args: &Value) -> String {
    hex::encode(&Sha256::digest(args.to_string().as_bytes())[..8])
}

/// Encodes a page token for `position`.
pub fn page_token(position: Value, args: &Value, now_ms: i64) -> String {
    let token = PageToken {
        p: position,
        h: args_hash(args),
        t: now_ms,
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&token).expect("token serializes"))
}

/// Decodes a page token, checking it belongs to a call with `args` and has not expired.
pub fn page_position(token: &str, args: &Value, now_ms: i64) -> ServiceResult<Value> {
    let invalid = |why: &str| ServiceError::invalid_member("nextPageToken", why);
    let token: PageToken = URL_SAFE_NO_PAD
        .decode(token.trim())
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| invalid("not a page token issued by this service"))?;
    if token.h != args_hash(args) {
        return Err(invalid(
            "the token was issued for a call with other arguments; repeat the call with the \
             same arguments",
        ));
    }
    if now_ms - token.t > PAGE_TOKEN_LIFETIME_MS {
        return Err(ServiceError::validation(
            "Specified token has exceeded its maximum lifetime",
        ));
    }
    Ok(token.p)
}
