//! SigV4 verification of incoming requests (spec §1.3).
//!
//! The expected signature is computed with the `aws-sigv4` crate, the same signer the host's
//! client uses: the request is re-signed with the configured secret, over exactly the headers
//! the client listed in `SignedHeaders` and at the time it put in `X-Amz-Date`, and the two
//! signatures are compared. Only parsing the `Authorization` header is written here.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use http::HeaderMap;
use swf_model::FaultKind;

use crate::error::{ServiceError, ServiceResult};

/// Requests signed further than this from the server clock are refused, as AWS does.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// The credentials requests must be signed with (SigV4). A request that is unsigned, signed
/// with another key or with a wrong signature, or dated more than 15 minutes from the server
/// clock is refused with the error code AWS gives for it (MissingAuthenticationToken,
/// UnrecognizedClientException, InvalidSignatureException, IncompleteSignature).
#[derive(Debug, Clone)]
pub struct Verifier {
    /// The accepted access key id.
    pub access_key_id: String,
    /// Its secret.
    pub secret_access_key: String,
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
            signed.push((*name, value));
        }
        let host = header("host").unwrap_or("localhost");
        let expected = self
            .signature(&auth, &signed, &format!("http://{host}/"), body, time)
            .ok_or_else(|| ServiceError::internal("could not compute the expected signature"))?;
        if !constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
            return Err(ServiceError::new(
                FaultKind::InvalidSignatureException,
                "The request signature we calculated does not match the signature you provided. \
                 Check your AWS Secret Access Key and signing method.",
            ));
        }
        Ok(())
    }

    fn signature(
        &self,
        auth: &Authorization<'_>,
        headers: &[(&str, &str)],
        uri: &str,
        body: &[u8],
        time: SystemTime,
    ) -> Option<String> {
        let identity = Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.clone(),
            None,
            None,
            "local-swf",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(auth.region)
            .name(auth.service)
            .time(time)
            .settings(SigningSettings::default())
            .build()
            .ok()?
            .into();
        let request = SignableRequest::new(
            "POST",
            uri,
            headers
                .iter()
                .copied()
                .filter(|(name, _)| *name != "x-amz-date"),
            SignableBody::Bytes(body),
        )
        .ok()?;
        let (_, signature) = sign(request, &params).ok()?.into_parts();
        Some(signature)
    }
}

/// Parses `YYYYMMDD'T'HHMMSS'Z'`.
fn parse_amz_date(value: &str) -> Option<SystemTime> {
    let digits = |range: std::ops::Range<usize>| value.get(range)?.parse::<u64>().ok();
    if value.len() != 16 || &value[8..9] != "T" || &value[15..16] != "Z" {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (hour, minute, second) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = swf_model::time::days_from_civil(year as i64, month as i64, day as i64);
    let secs = days * 86_400 + (hour * 3600 + minute * 60 + second) as i64;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates_parse() {
        let t = parse_amz_date("20261128T135009Z").unwrap();
        let secs = t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(secs, 1_795_873_809);
        assert!(parse_amz_date("2026-11-28T13:50:09Z").is_none());
        assert!(parse_amz_date("20261328T135009Z").is_none());
    }
}
