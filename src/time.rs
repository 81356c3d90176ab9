//! The few fixed timestamp layouts AWS uses, to UTC epoch seconds.
//!
//! Only fixed-width layouts appear in SigV4 and AWS error bodies, so a
//! calendar library would add weight without adding correctness.

/// `YYYYMMDDTHHMMSSZ` (SigV4 `X-Amz-Date`).
pub fn parse_amz_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    epoch(
        num(s, 0, 4)?,
        num(s, 4, 6)?,
        num(s, 6, 8)?,
        num(s, 9, 11)?,
        num(s, 11, 13)?,
        num(s, 13, 15)?,
    )
}

/// A SigV4 timestamp (`20261126T175930Z`) in the form every other time in
/// a report takes (`2026-11-26T17:59:30Z`); `None` for anything else.
pub fn amz_date_as_iso8601(s: &str) -> Option<String> {
    parse_amz_date(s).map(format_iso8601)
}

/// `Wed, 01 Jan 2025 00:00:00 GMT` (HTTP `Date`, RFC 7231 IMF-fixdate).
pub fn parse_http_date(s: &str) -> Option<i64> {
    let mut parts = s.split_whitespace();
    let _weekday = parts.next()?;
    let day: i64 = parts.next()?.parse().ok()?;
    let month = month_number(parts.next()?)?;
    let year: i64 = parts.next()?.parse().ok()?;
    let hms = parts.next()?;
    if hms.len() != 8 {
        return None;
    }
    epoch(
        year,
        month,
        day,
        num(hms, 0, 2)?,
        num(hms, 3, 5)?,
        num(hms, 6, 8)?,
    )
}

/// `2025-09-03T16:21:50Z` or `2025-09-03T16:21:50.123Z` (ISO 8601, UTC).
pub fn parse_iso8601(s: &str) -> Option<i64> {
    if s.len() < 20 || !s.ends_with('Z') {
        return None;
    }
    dashed_date_time(s, b'T')
}

/// `2026-11-26 15:14:12,027` (Python logging's asctime; the zone is unknown).
pub fn parse_log_timestamp(s: &str) -> Option<i64> {
    dashed_date_time(s, b' ')
}

/// `YYYY-MM-DD<sep>HH:MM:SS` at the start of `s`.
fn dashed_date_time(s: &str, sep: u8) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != sep
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    epoch(
        num(s, 0, 4)?,
        num(s, 5, 7)?,
        num(s, 8, 10)?,
        num(s, 11, 13)?,
        num(s, 14, 16)?,
        num(s, 17, 19)?,
    )
}

/// `06/Feb/2019:00:00:38 +0000` (Common Log Format, as in S3 server access
/// logs), with its zone offset applied.
pub fn parse_clf(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 26 || b[2] != b'/' || b[6] != b'/' || b[11] != b':' || b[20] != b' ' {
        return None;
    }
    let local = epoch(
        num(s, 7, 11)?,
        month_number(&s[3..6])?,
        num(s, 0, 2)?,
        num(s, 12, 14)?,
        num(s, 15, 17)?,
        num(s, 18, 20)?,
    )?;
    let sign = match b[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    Some(local - sign * (num(s, 22, 24)? * 3600 + num(s, 24, 26)? * 60))
}

/// The events a run looks at: `--since` (inclusive) to `--until`
/// (exclusive), UTC epoch seconds; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    /// First second inside (`--since`).
    pub since: Option<i64>,
    /// First second outside (`--until`).
    pub until: Option<i64>,
}

impl Window {
    /// Neither end is set: every event is inside.
    pub fn is_open(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    /// Whether an event at `time` is inside. An event without a known time
    /// is inside only an open window.
    pub fn contains(&self, time: Option<i64>) -> bool {
        match time {
            None => self.is_open(),
            Some(t) => self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u),
        }
    }
}

/// A `--since`/`--until` value: `2024-05-01` (midnight UTC), an RFC 3339
/// time (`2024-05-01T12:00:00Z`, `2024-05-01T12:00:00+02:00`, fractions of
/// a second allowed; without an offset it is UTC), or a span back from
/// `now` (`90m`, `12h`, `7d`). A date that does not exist (`2024-02-31`)
/// is refused. The `time` crate reads these: what a person types varies
/// more than the fixed layouts logs use, which the parsers above keep.
pub fn parse_bound(s: &str, now: i64) -> Result<i64, String> {
    let s = s.trim();
    if s.len() >= 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' {
        return typed_time(s).ok_or_else(|| {
            format!(
                "`{s}` is not a valid date or time: use 2024-05-01, 2024-05-01T12:00:00Z or 2024-05-01T12:00:00+02:00"
            )
        });
    }
    let not_a_time = || {
        format!(
            "`{s}` is not a time: use 2024-05-01, 2024-05-01T12:00:00Z, 2024-05-01T12:00:00+02:00, or a span back from now such as 90m, 12h, 7d"
        )
    };
    let (count, unit) = [('s', 1), ('m', 60), ('h', 3600), ('d', 86_400)]
        .into_iter()
        .find_map(|(suffix, unit)| Some((s.strip_suffix(suffix)?, unit)))
        .ok_or_else(not_a_time)?;
    let n = count
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(not_a_time)?;
    // Checked: a huge span must not wrap around into the future.
    n.checked_mul(unit)
        .and_then(|span| now.checked_sub(span))
        .filter(|t| *t >= MIN_BOUND)
        .ok_or_else(|| format!("`{s}` reaches back before the year 1; use a shorter span"))
}

/// A date (`2024-05-01`) or an RFC 3339 time, with or without its offset
/// (none is UTC), as epoch seconds; `None` for anything else, or a date
/// that does not exist.
fn typed_time(s: &str) -> Option<i64> {
    use ::time::format_description::well_known::Rfc3339;
    if s.len() == 10 {
        let month = ::time::Month::try_from(u8::try_from(num(s, 5, 7)?).ok()?).ok()?;
        let date = ::time::Date::from_calendar_date(
            i32::try_from(num(s, 0, 4)?).ok()?,
            month,
            u8::try_from(num(s, 8, 10)?).ok()?,
        )
        .ok()?;
        return Some(date.midnight().assume_utc().unix_timestamp());
    }
    let has_offset =
        s.ends_with(['Z', 'z']) || s.get(19..).is_some_and(|rest| rest.contains(['+', '-']));
    let full = if has_offset {
        s.to_string()
    } else {
        format!("{s}Z")
    };
    ::time::OffsetDateTime::parse(&full, &Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// The earliest time a relative bound may reach (0001-01-01T00:00:00Z).
const MIN_BOUND: i64 = -62_135_596_800;

/// Any of the layouts above.
pub fn parse_any(s: &str) -> Option<i64> {
    let s = s.trim();
    parse_amz_date(s)
        .or_else(|| parse_iso8601(s))
        .or_else(|| parse_http_date(s))
}

/// Formats epoch seconds as ISO 8601 UTC (`2025-09-03T16:21:50Z`).
pub fn format_iso8601(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn num(s: &str, from: usize, to: usize) -> Option<i64> {
    let part = s.get(from..to)?;
    if !part.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

fn month_number(name: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    MONTHS.iter().position(|m| *m == name).map(|i| i as i64 + 1)
}

fn epoch(y: i64, m: i64, d: i64, hh: i64, mm: i64, ss: i64) -> Option<i64> {
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss)
}

// Howard Hinnant's days-from-civil algorithm (proleptic Gregorian calendar).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_layouts_agree() {
        let a = parse_amz_date("20250903T162150Z").unwrap();
        assert_eq!(parse_iso8601("2025-09-03T16:21:50Z"), Some(a));
        assert_eq!(parse_http_date("Wed, 03 Sep 2025 16:21:50 GMT"), Some(a));
        assert_eq!(a, 1_756_916_510);
        assert_eq!(parse_clf("03/Sep/2025:16:21:50 +0000"), Some(a));
        assert_eq!(parse_clf("03/Sep/2025:09:21:50 -0700"), Some(a));
        assert_eq!(parse_clf("03/Sep/2025:18:21:50 +0200"), Some(a));
        assert_eq!(parse_clf("03/Sep/2025:16:21:50"), None);
        assert_eq!(parse_clf("03/Sup/2025:16:21:50 +0000"), None);
    }

    #[test]
    fn window_bounds() {
        let now = 1_756_916_510;
        let day = parse_iso8601("2025-09-03T00:00:00Z").unwrap();
        assert_eq!(parse_bound("2025-09-03", now), Ok(day));
        assert_eq!(parse_bound("2025-09-03T16:21:50Z", now), Ok(now));
        assert_eq!(parse_bound("2025-09-03T16:21:50", now), Ok(now));
        assert_eq!(parse_bound("2025-09-03T18:21:50+02:00", now), Ok(now));
        assert_eq!(parse_bound("2025-09-03T11:21:50-05:00", now), Ok(now));
        assert_eq!(parse_bound("2025-09-03T16:21:50.25Z", now), Ok(now));
        assert_eq!(parse_bound("2024-02-29", now), Ok(1_709_164_800));
        assert_eq!(parse_bound("12h", now), Ok(now - 12 * 3600));
        assert_eq!(parse_bound("7d", now), Ok(now - 7 * 86_400));
        for bad in [
            "yesterday",
            "12x",
            "2025-13-01",
            "2024-02-31",
            "2025-02-29",
            "2025-09-03T24:00:00Z",
            "2025-09-03T16:21:50+25:00",
            "2025-09-03T16:21",
            "2025-09-03garbage",
            "2025-09-03T16:21:5\u{e9}+01:00",
            "-5h",
            "",
            // Used to wrap around into the future, or to panic.
            "9223372036854775807m",
            "153722867280912931m",
            "99999999999d",
            "5\u{e9}",
            "\u{e9}",
        ] {
            assert!(parse_bound(bad, now).is_err(), "{bad}");
        }
        let w = Window {
            since: Some(10),
            until: Some(20),
        };
        assert!(w.contains(Some(10)) && w.contains(Some(19)));
        assert!(!w.contains(Some(20)) && !w.contains(Some(9)) && !w.contains(None));
        assert!(Window::default().contains(None));
    }

    #[test]
    fn round_trips_through_iso() {
        assert_eq!(format_iso8601(1_756_916_510), "2025-09-03T16:21:50Z");
        assert_eq!(format_iso8601(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn log_timestamps_read_as_naive_times() {
        assert_eq!(
            parse_log_timestamp("2025-09-03 16:21:50,123"),
            parse_iso8601("2025-09-03T16:21:50Z")
        );
        assert_eq!(parse_log_timestamp("MainThread"), None);
    }

    #[test]
    fn rejects_malformed() {
        assert_eq!(parse_amz_date("20251303T162150Z"), None);
        assert_eq!(parse_amz_date("2025-09-03"), None);
        assert_eq!(parse_http_date("yesterday"), None);
    }
}
