//! Calendar arithmetic for SWF timestamps (epoch seconds on the wire): enough to print them,
//! read the ISO 8601 forms other tools export, and parse SigV4's `X-Amz-Date`, without a date
//! crate in a crate that also compiles to wasm.
//!
//! The two conversions are Howard Hinnant's public-domain algorithms for the proleptic
//! Gregorian calendar.

/// Days since 1970-01-01 of a date.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `(year, month, day)` of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Parses `YYYY-MM-DD[T| ]HH:MM:SS[.fraction][Z|±HH:MM]` (no offset means UTC) into epoch
/// seconds: the shapes of `datetime.isoformat()`, `str(datetime)` and the AWS console.
pub fn parse_iso8601(text: &str) -> Option<f64> {
    let text = text.trim();
    let digits = |from: usize, len: usize| -> Option<i64> {
        let part = text.get(from..from + len)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if separators
        .iter()
        .any(|(i, c)| text.as_bytes().get(*i) != Some(c))
        || !matches!(text.as_bytes().get(10), Some(b'T' | b' '))
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    let mut fraction = 0.0;
    if let Some(after_dot) = rest.strip_prefix('.') {
        let end = after_dot
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after_dot.len());
        fraction = format!("0.{}", &after_dot[..end]).parse().ok()?;
        rest = &after_dot[end..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (h, m) = rest[1..].split_once(':').unwrap_or((&rest[1..], "00"));
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60)
        }
    };
    let seconds =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Some(seconds as f64 + fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for days in [-719_468, -1, 0, 1, 20_000, 20_785, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(20_785), (2026, 11, 28));
    }

    #[test]
    fn iso_timestamps_parse() {
        assert_eq!(parse_iso8601("2026-11-28T13:50:09Z"), Some(1_795_873_809.0));
        assert_eq!(
            parse_iso8601("2026-11-28 13:50:09.5+00:00"),
            Some(1_795_873_809.5)
        );
        assert_eq!(
            parse_iso8601("2026-11-28T14:50:09+01:00"),
            Some(1_795_873_809.0)
        );
        assert_eq!(parse_iso8601("2026-11-28T13:50:09"), Some(1_795_873_809.0));
        assert_eq!(parse_iso8601("2026-13-28T13:50:09Z"), None);
        assert_eq!(parse_iso8601("yesterday"), None);
    }
}
