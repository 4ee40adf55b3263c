//! The text of SigV4 for AWS JSON calls (spec §1.3): every call is a `POST` to `/` (or another
//! plain path) without a query, so its canonical request, credential scope and string to sign
//! are a few lines, written once
//! here for the host's client (which signs) and local-swf (which verifies). No cryptography:
//! callers hash with SHA-256 and sign with the HMAC chain of `aws-sigv4`.
//!
//! A general SigV4 signer (`aws_sigv4::http_request::sign`) handles any method, path, query
//! and header set; on the path of every SWF call it was a tenth of a busy worker's CPU and a
//! twentieth of the service's.

use std::borrow::Cow;

use crate::time::{civil_from_days, days_from_civil};

/// The algorithm named in the `Authorization` header and the string to sign.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The canonical request of a `POST` to `path` (normally `/`; see [`is_canonical_path`]) with
/// `headers` (names lowercase and sorted; values as sent, which are canonicalized here) and the
/// body's SHA-256 in lowercase hex.
pub fn canonical_json_post<N, V>(path: &str, headers: &[(N, V)], body_sha256_hex: &str) -> String
where
    N: AsRef<str>,
    V: AsRef<str>,
{
    let mut canonical = String::with_capacity(512);
    canonical.push_str("POST\n");
    canonical.push_str(path);
    canonical.push_str("\n\n");
    for (name, value) in headers {
        canonical.push_str(name.as_ref());
        canonical.push(':');
        canonical.push_str(&trim_all(value.as_ref()));
        canonical.push('\n');
    }
    canonical.push('\n');
    canonical.push_str(&signed_headers(headers));
    canonical.push('\n');
    canonical.push_str(body_sha256_hex);
    canonical
}

/// Whether `path` is its own canonical form: it starts with `/` and has only unreserved
/// characters (letters, digits, `-._~`) and `/`, so percent-encoding changes nothing. An
/// endpoint whose path is not (or that has a query) would need SigV4's general canonical URI,
/// which [`canonical_json_post`] does not write.
pub fn is_canonical_path(path: &str) -> bool {
    path.starts_with('/')
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~/".contains(&b))
}

/// The `SignedHeaders` list of `headers` (names lowercase and sorted): `a;b;c`.
pub fn signed_headers<N: AsRef<str>, V>(headers: &[(N, V)]) -> String {
    let mut list = String::with_capacity(64);
    for (i, (name, _)) in headers.iter().enumerate() {
        if i > 0 {
            list.push(';');
        }
        list.push_str(name.as_ref());
    }
    list
}

/// The credential scope `YYYYMMDD/region/service/aws4_request` of a request dated `amz_date`
/// (`X-Amz-Date`, whose first eight characters are the date).
pub fn credential_scope(amz_date: &str, region: &str, service: &str) -> String {
    let date = amz_date.get(..8).unwrap_or(amz_date);
    format!("{date}/{region}/{service}/aws4_request")
}

/// The string to sign of a request dated `amz_date` in `scope`, whose canonical request has
/// the SHA-256 `canonical_sha256_hex` (lowercase hex).
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_sha256_hex: &str) -> String {
    format!("{ALGORITHM}\n{amz_date}\n{scope}\n{canonical_sha256_hex}")
}

/// `X-Amz-Date` (`YYYYMMDD'T'HHMMSS'Z'`) of a time in whole seconds since the epoch.
pub fn amz_date(epoch_secs: u64) -> String {
    let secs = i64::try_from(epoch_secs).unwrap_or(i64::MAX);
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let of_day = secs.rem_euclid(86_400);
    let (hour, minute, second) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
    if !(0..=9999).contains(&year) {
        return format!("{year:04}{month:02}{day:02}T{hour:02}{minute:02}{second:02}Z");
    }
    // Digit by digit: `format!` with widths was a tenth of signing a request.
    fn push(date: &mut String, value: i64, width: u32) {
        for place in (0..width).rev() {
            let digit = value / 10i64.pow(place) % 10;
            date.push(char::from(b'0' + u8::try_from(digit).unwrap_or(0)));
        }
    }
    let mut date = String::with_capacity(16);
    push(&mut date, year, 4);
    push(&mut date, month, 2);
    push(&mut date, day, 2);
    date.push('T');
    push(&mut date, hour, 2);
    push(&mut date, minute, 2);
    push(&mut date, second, 2);
    date.push('Z');
    date
}

/// The seconds since the epoch of an `X-Amz-Date`; `None` if it is not one.
pub fn parse_amz_date(value: &str) -> Option<u64> {
    let digits = |range: std::ops::Range<usize>| {
        let part = value.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse::<i64>().ok())?
    };
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
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    u64::try_from(secs).ok()
}

/// A header value as SigV4 canonicalizes it: spaces trimmed at both ends, runs of spaces made
/// one.
fn trim_all(value: &str) -> Cow<'_, str> {
    let value = value.trim_matches(' ');
    if !value.contains("  ") {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_request_lists_the_headers_canonicalized_and_the_body_hash() {
        let headers = [
            ("content-type", "application/x-amz-json-1.0"),
            ("x-b", "  a   b "),
        ];
        assert_eq!(
            canonical_json_post("/", &headers, "abc"),
            "POST\n/\n\ncontent-type:application/x-amz-json-1.0\nx-b:a b\n\ncontent-type;x-b\nabc"
        );
        assert!(is_canonical_path("/") && is_canonical_path("/swf/v1"));
        assert!(!is_canonical_path("/a b") && !is_canonical_path("/%41") && !is_canonical_path(""));
        assert_eq!(
            string_to_sign("20261128T135009Z", "s", "h"),
            "AWS4-HMAC-SHA256\n20261128T135009Z\ns\nh"
        );
        assert_eq!(
            credential_scope("20261128T135009Z", "us-east-1", "swf"),
            "20261128/us-east-1/swf/aws4_request"
        );
    }

    #[test]
    fn header_values_are_trimmed_and_their_runs_of_spaces_made_one() {
        assert_eq!(trim_all("  a   b c  "), "a b c");
        assert_eq!(trim_all("plain"), "plain");
        assert_eq!(trim_all(" "), "");
    }

    #[test]
    fn amz_dates_format_and_parse_back() {
        assert_eq!(amz_date(1_795_873_809), "20261128T135009Z");
        assert_eq!(amz_date(0), "19700101T000000Z");
        // Every digit place, through 2100, comes back as written.
        for secs in (0..4_102_444_800u64).step_by(7_919_417) {
            assert_eq!(parse_amz_date(&amz_date(secs)), Some(secs), "{secs}");
        }
        assert_eq!(amz_date(253_402_300_800), "100000101T000000Z");
        assert_eq!(parse_amz_date("20261128T135009Z"), Some(1_795_873_809));
        for bad in [
            "2026-11-28T13:50:09Z",
            "20261328T135009Z",
            "20261128T135009",
            "2026112+T135009Z",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
    }
}
