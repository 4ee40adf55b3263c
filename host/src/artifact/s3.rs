//! S3 as an artifact store: GET and PUT of one object, and the newest object under a prefix
//! (ListObjectsV2), each a SigV4-signed request (`swf::signed_rest_request`) with the worker's
//! AWS credentials. Path-style URLs against an `endpoint` override (an S3-compatible store),
//! virtual-hosted ones against AWS.
//!
//! Written by hand rather than with aws-sdk-s3: three calls do not justify compiling the
//! generated SDK, and signing already lives in the host.

use std::time::SystemTime;

use reqwest::Url;

use super::source::S3Source;
use crate::swf::{CredentialSource, SwfError, signed_rest_request};

/// An object as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listed {
    pub(crate) key: String,
    pub(crate) etag: String,
    pub(crate) last_modified: String,
}

/// A signed S3 client for one region (and optional endpoint).
pub(crate) struct S3 {
    pub(crate) http: reqwest::Client,
    pub(crate) credentials: CredentialSource,
    pub(crate) region: String,
    pub(crate) endpoint: Option<Url>,
}

/// What a request to S3 answered.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) etag: Option<String>,
    pub(crate) body: bytes::Bytes,
}

impl S3 {
    /// GET `key` of `bucket`.
    pub(crate) async fn get(&self, bucket: &str, key: &str) -> Result<Answer, String> {
        self.send(http::Method::GET, bucket, key, &[], Vec::new(), &[])
            .await
    }

    /// PUT `body` as `key` of `bucket`, with `x-amz-meta-*` metadata.
    pub(crate) async fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        metadata: &[(&str, &str)],
    ) -> Result<Answer, String> {
        let headers: Vec<(String, &str)> = metadata
            .iter()
            .map(|(name, value)| (format!("x-amz-meta-{name}"), *value))
            .collect();
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        self.send(http::Method::PUT, bucket, key, &[], body, &headers)
            .await
    }

    /// The newest `.wasm` object under `prefix` (by last-modified time, then key).
    pub(crate) async fn newest(&self, source: &S3Source) -> Result<Option<Listed>, String> {
        let mut newest: Option<Listed> = None;
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![
                ("list-type", "2".to_owned()),
                ("prefix", source.key.clone()),
            ];
            if let Some(token) = &token {
                query.push(("continuation-token", token.clone()));
            }
            let answer = self
                .send(
                    http::Method::GET,
                    &source.bucket,
                    "",
                    &query,
                    Vec::new(),
                    &[],
                )
                .await?;
            if answer.status != 200 {
                return Err(failure("ListObjectsV2", &answer));
            }
            let text = String::from_utf8_lossy(&answer.body);
            for listed in list_contents(&text) {
                let newer = newest.as_ref().is_none_or(|n| {
                    (&listed.last_modified, &listed.key) > (&n.last_modified, &n.key)
                });
                if listed.key.ends_with(".wasm") && newer {
                    newest = Some(listed);
                }
            }
            token = element(&text, "NextContinuationToken").map(unescape);
            if token.is_none() {
                return Ok(newest);
            }
        }
    }

    async fn send(
        &self,
        method: http::Method,
        bucket: &str,
        key: &str,
        query: &[(&str, String)],
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Result<Answer, String> {
        let mut url = match &self.endpoint {
            Some(endpoint) => {
                let mut url = endpoint.clone();
                url.path_segments_mut()
                    .map_err(|()| format!("the S3 endpoint {endpoint} cannot take a path"))?
                    .pop_if_empty()
                    .push(bucket);
                url
            }
            None => Url::parse(&format!(
                "https://{bucket}.s3.{}.amazonaws.com/",
                self.region
            ))
            .map_err(|e| format!("bucket {bucket:?}: {e}"))?,
        };
        if !key.is_empty() {
            url.path_segments_mut()
                .map_err(|()| "the S3 URL cannot take a path".to_owned())?
                .pop_if_empty()
                .extend(key.split('/'));
        } else if self.endpoint.is_some() {
            url.path_segments_mut()
                .map_err(|()| "the S3 URL cannot take a path".to_owned())?
                .push("");
        }
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let credentials = self
            .credentials
            .credentials()
            .await
            .map_err(|e| e.to_string())?;
        let request = signed_rest_request(
            "s3",
            &method,
            &url,
            headers,
            body,
            &credentials,
            &self.region,
            SystemTime::now(),
        )
        .map_err(|e: SwfError| e.to_string())?;
        let request = reqwest::Request::try_from(request).map_err(|e| e.to_string())?;
        let response = self
            .http
            .execute(request)
            .await
            .map_err(|e| format!("{url}: {}", crate::swf::error_chain(&e)))?;
        let status = response.status().as_u16();
        let etag = response
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim_matches('"').to_owned());
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        Ok(Answer { status, etag, body })
    }
}

/// The error of a non-2xx answer: S3's `<Code>` and `<Message>`, or the status.
pub(crate) fn failure(call: &str, answer: &Answer) -> String {
    let text = String::from_utf8_lossy(&answer.body);
    match (element(&text, "Code"), element(&text, "Message")) {
        (Some(code), Some(message)) => format!(
            "{call}: {} ({}, HTTP {})",
            unescape(message),
            code,
            answer.status
        ),
        _ => format!("{call}: HTTP {}", answer.status),
    }
}

/// The `<Contents>` entries of a ListObjectsV2 answer. Parsed by hand: the answer's shape is
/// fixed and flat, and three fields do not justify an XML crate.
fn list_contents(xml: &str) -> Vec<Listed> {
    xml.split("<Contents>")
        .skip(1)
        .filter_map(|entry| {
            let entry = entry.split("</Contents>").next()?;
            Some(Listed {
                key: unescape(element(entry, "Key")?),
                etag: unescape(element(entry, "ETag")?)
                    .trim_matches('"')
                    .to_owned(),
                last_modified: element(entry, "LastModified")?.to_owned(),
            })
        })
        .collect()
}

/// The text of the first `<name>…</name>` in `xml`.
fn element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let start = xml.find(&format!("<{name}>"))? + name.len() + 2;
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(&xml[start..end])
}

/// XML's five predefined entities and numeric character references.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_answers_are_read() {
        let xml = r#"<?xml version="1.0"?><ListBucketResult><Name>b</Name>
            <Contents><Key>deciders/a&amp;b.wasm</Key><LastModified>2026-12-03T10:00:00.000Z</LastModified><ETag>&quot;e1&quot;</ETag></Contents>
            <Contents><Key>deciders/c.wasm</Key><LastModified>2026-12-03T11:00:00.000Z</LastModified><ETag>"e2"</ETag></Contents>
            <IsTruncated>false</IsTruncated></ListBucketResult>"#;
        let listed = list_contents(xml);
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].key, "deciders/a&b.wasm");
        assert_eq!(listed[0].etag, "e1");
        assert_eq!(listed[1].etag, "e2");
        assert_eq!(element(xml, "NextContinuationToken"), None);
        assert_eq!(unescape("a&#x41;&#66;&bogus;"), "aAB&bogus;");
    }
}
