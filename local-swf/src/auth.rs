//! SigV4 verification of incoming requests (spec §1.3).
//!
//! The expected signature is computed over exactly the headers the client listed in
//! `SignedHeaders`, at the time it put in `X-Amz-Date`, with the configured secret, and the two
//! signatures are compared. The canonical request and the string to sign are swf-model's
//! [`sigv4`](swf_model::sigv4) text, the one the host's client signs. The cryptography is
//! `aws-sigv4`'s: the signing key, derived once per day, region and service, and the final HMAC.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use aws_sigv4::sign::v4;
use http::HeaderMap;
use sha2::{Digest, Sha256};
use swf_model::FaultKind;
use swf_model::sigv4;

use crate::error::{ServiceError, ServiceResult};

/// Requests signed further than this from the server clock are refused, as AWS does.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// The credentials requests must be signed with (SigV4). A request that is unsigned, signed
/// with another key or with a wrong signature, or dated more than 15 minutes from the server
/// clock is refused with the error code AWS gives for it (MissingAuthenticationToken,
/// UnrecognizedClientException, InvalidSignatureException, IncompleteSignature).
pub struct Verifier {
    access_key_id: String,
    secret_access_key: String,
    /// The latest signing key and the credential scope (`date/region/service/aws4_request`) it
    /// signs for.
    signing_key: Mutex<Option<(String, Vec<u8>)>>,
}

impl Clone for Verifier {
    fn clone(&self) -> Self {
        Verifier::new(&self.access_key_id, &self.secret_access_key)
    }
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 …` header.
struct Authorization<'a> {
    access_key_id: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Option<Authorization<'_>> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256")?.trim_start();
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (key, value) = part.trim().split_once('=')?;
        match key {
            "Credential" => credential = Some(value),
            "SignedHeaders" => signed_headers = Some(value),
            "Signature" => signature = Some(value),
            _ => {}
        }
    }
    let mut scope = credential?.split('/');
    let access_key_id = scope.next()?;
    let _date = scope.next()?;
    let region = scope.next()?;
    let service = scope.next()?;
    Some(Authorization {
        access_key_id,
        region,
        service,
        signed_headers: signed_headers?.split(';').collect(),
        signature: signature?,
    })
}

impl Verifier {
    /// Accepts requests signed with this access key id and secret.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Verifier {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            signing_key: Mutex::new(None),
        }
    }

    /// Checks the signature of `POST /` with `headers` and `body`.
    pub(crate) fn verify(&self, headers: &HeaderMap, body: &[u8]) -> ServiceResult<()> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let Some(value) = header("authorization") else {
            return Err(ServiceError::new(
                FaultKind::MissingAuthenticationToken,
                "Missing Authentication Token: requests must be signed with SigV4",
            ));
        };
        let auth = parse_authorization(value).ok_or_else(|| {
            ServiceError::new(
                FaultKind::IncompleteSignature,
                "Authorization header requires Credential, SignedHeaders and Signature \
                 (AWS4-HMAC-SHA256)",
            )
        })?;
        if auth.access_key_id != self.access_key_id {
            return Err(ServiceError::new(
                FaultKind::UnrecognizedClientException,
                format!(
                    "The security token included in the request is invalid: unknown access key \
                     id {}",
                    auth.access_key_id
                ),
            ));
        }
        let date = header("x-amz-date").ok_or_else(|| {
            ServiceError::new(
                FaultKind::IncompleteSignature,
                "X-Amz-Date header is missing",
            )
        })?;
        let time = parse_amz_date(date).ok_or_else(|| {
            ServiceError::new(
                FaultKind::IncompleteSignature,
                format!("Bad X-Amz-Date: {date}"),
            )
        })?;
        let now = SystemTime::now();
        let skew = now
            .duration_since(time)
            .or_else(|_| time.duration_since(now))
            .unwrap_or_default();
        if skew > MAX_SKEW {
            return Err(ServiceError::new(
                FaultKind::InvalidSignatureException,
                format!("Signature expired: {date} is more than 15 minutes from the server time"),
            ));
        }
        let mut signed = Vec::new();
        for name in &auth.signed_headers {
            let value = header(name).ok_or_else(|| {
                ServiceError::new(
                    FaultKind::IncompleteSignature,
                    format!("Signed header {name} is missing from the request"),
                )
            })?;
            signed.push((name.to_ascii_lowercase(), value));
        }
        signed.sort_unstable();
        let expected = self.signature(&auth, &signed, body, date, time);
        if !constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
            return Err(ServiceError::new(
                FaultKind::InvalidSignatureException,
                "The request signature we calculated does not match the signature you provided. \
                 Check your AWS Secret Access Key and signing method.",
            ));
        }
        Ok(())
    }

    /// The signature of `POST /` with the signed `headers` (lowercase names, sorted) and
    /// `body`, dated `date` (X-Amz-Date, which `time` is).
    fn signature(
        &self,
        auth: &Authorization<'_>,
        headers: &[(String, &str)],
        body: &[u8],
        date: &str,
        time: SystemTime,
    ) -> String {
        let canonical =
            sigv4::canonical_json_post("/", headers, &hex::encode(Sha256::digest(body)));
        let scope = sigv4::credential_scope(date, auth.region, auth.service);
        let string_to_sign = sigv4::string_to_sign(
            date,
            &scope,
            &hex::encode(Sha256::digest(canonical.as_bytes())),
        );
        let mut cached = self
            .signing_key
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if cached.as_ref().is_none_or(|(cached, _)| *cached != scope) {
            let key =
                v4::generate_signing_key(&self.secret_access_key, time, auth.region, auth.service);
            *cached = Some((scope, key.as_ref().to_vec()));
        }
        let (_, key) = cached.as_ref().expect("set above");
        v4::calculate_signature(key, string_to_sign.as_bytes())
    }
}

/// The time of an `X-Amz-Date`.
fn parse_amz_date(value: &str) -> Option<SystemTime> {
    sigv4::parse_amz_date(value).map(|secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `POST /` with `body`, signed by aws-sigv4's request signer (the one the host's client
    /// uses) with `secret` for `region`; `spaced` is a signed header whose value has spaces to
    /// canonicalize.
    fn signed_request(secret: &str, region: &str, body: &[u8], spaced: &str) -> HeaderMap {
        use aws_credential_types::Credentials;
        use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
        let identity = Credentials::new("local", secret, None, None, "test").into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name("swf")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let mut request = http::Request::post("http://127.0.0.1:9/")
            .header("host", "127.0.0.1:9")
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", "SimpleWorkflowService.ListDomains")
            .header("x-spaced", spaced)
            .body(body.to_vec())
            .unwrap();
        let headers = request
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str(), value.to_str().unwrap()));
        let signable = SignableRequest::new(
            "POST",
            "http://127.0.0.1:9/",
            headers,
            SignableBody::Bytes(body),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        instructions.apply_to_request_http1x(&mut request);
        request.headers().clone()
    }

    #[test]
    fn what_aws_sigv4_signs_verifies_in_every_region_and_a_wrong_secret_or_body_does_not() {
        let verifier = Verifier::new("local", "local");
        let body = br#"{"registrationStatus":"REGISTERED"}"#;
        // The signing key is kept per scope: a second region, then the first again.
        for region in ["us-east-1", "eu-west-1", "us-east-1"] {
            let headers = signed_request("local", region, body, "  two   spaced  words ");
            assert!(
                headers["authorization"]
                    .to_str()
                    .unwrap()
                    .contains("x-spaced")
            );
            verifier.verify(&headers, body).unwrap();
        }
        let wrong_secret = signed_request("other", "us-east-1", body, "x");
        let refused = verifier.verify(&wrong_secret, body).unwrap_err();
        assert_eq!(refused.kind, FaultKind::InvalidSignatureException);
        let headers = signed_request("local", "us-east-1", body, "x");
        let refused = verifier.verify(&headers, b"{}").unwrap_err();
        assert_eq!(refused.kind, FaultKind::InvalidSignatureException);
    }
}
