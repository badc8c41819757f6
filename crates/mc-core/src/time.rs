//! Instants in time as credentials write them: XML Schema `dateTimeStamp` (RFC 3339 with an
//! offset, `2023-01-01T00:00:00Z`). Reading the clock is the caller's business.

use std::fmt;

use crate::error::ValueError;

/// An instant, to the nanosecond, as seconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    seconds: i64,
    nanos: u32,
}

impl Timestamp {
    /// The instant `seconds` after the Unix epoch.
    pub fn from_unix(seconds: i64, nanos: u32) -> Timestamp {
        Timestamp { seconds: seconds + i64::from(nanos / 1_000_000_000), nanos: nanos % 1_000_000_000 }
    }

    /// Seconds since the Unix epoch (rounded down).
    pub fn unix_seconds(self) -> i64 {
        self.seconds
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`. A value without an offset is read as
    /// UTC only when `offset_optional` is set: the Verifiable Credentials data model says so, but
    /// a `dateTimeStamp` requires one.
    pub fn parse(raw: &str) -> Result<Timestamp, ValueError> {
        parse(raw, false)
    }

    /// Like [`Timestamp::parse`], but a missing offset means UTC (VCDM 2.0 §4.9).
    pub fn parse_lenient(raw: &str) -> Result<Timestamp, ValueError> {
        parse(raw, true)
    }

    /// The `YYYY-MM-DDTHH:MM:SSZ` form, with fractional seconds only when there are some.
    pub fn to_rfc3339(self) -> String {
        self.to_string()
    }
}

fn parse(raw: &str, offset_optional: bool) -> Result<Timestamp, ValueError> {
    let malformed = |why: &str| {
        ValueError::new(format!(
            "{raw:?} is not a date-time stamp ({why}): expected a form such as 2025-01-31T12:00:00Z"
        ))
    };
    let bytes = raw.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = bytes.get(range)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0, |acc, b| acc * 10 + i64::from(b - b'0')))
    };
    if bytes.len() < 19
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || bytes[10] != b'T'
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return Err(malformed("wrong shape"));
    }
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) =
        (digits(0..4), digits(5..7), digits(8..10), digits(11..13), digits(14..16), digits(17..19))
    else {
        return Err(malformed("not digits"));
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err(malformed("no such day"));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(malformed("no such time of day"));
    }
    let mut rest = &raw[19..];
    let mut nanos = 0u32;
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return Err(malformed("empty fraction of a second"));
        }
        let kept = &fraction[..len.min(9)];
        nanos = kept.parse::<u32>().map_err(|_| malformed("bad fraction"))? * 10u32.pow(9 - kept.len() as u32);
        rest = &fraction[len..];
    }
    let offset_seconds = match rest {
        "Z" | "z" => 0,
        "" if offset_optional => 0,
        "" => return Err(malformed("no time zone offset")),
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return Err(malformed("bad time zone offset")),
            };
            let offset = rest.as_bytes();
            if offset.len() != 6 || offset[3] != b':' {
                return Err(malformed("bad time zone offset"));
            }
            let hours = std::str::from_utf8(&offset[1..3]).ok().and_then(|h| h.parse::<i64>().ok());
            let minutes = std::str::from_utf8(&offset[4..6]).ok().and_then(|m| m.parse::<i64>().ok());
            match (hours, minutes) {
                (Some(hours @ 0..=13), Some(minutes @ 0..=59)) => sign * (hours * 3600 + minutes * 60),
                (Some(14), Some(0)) => sign * 14 * 3600,
                _ => return Err(malformed("time zone offset out of range")),
            }
        }
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Ok(Timestamp { seconds, nanos })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01 (the inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A timestamp is written as its RFC 3339 text.
impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.seconds.div_euclid(86_400);
        let secs = self.seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(f, "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)?;
        if self.nanos != 0 {
            let fraction = format!("{:09}", self.nanos);
            write!(f, ".{}", fraction.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

#[cfg(test)]
mod tests {
    use super::Timestamp;

    #[test]
    fn parses_and_formats() {
        let cases = [
            ("1970-01-01T00:00:00Z", 0, "1970-01-01T00:00:00Z"),
            ("2023-01-01T00:00:00Z", 1_672_531_200, "2023-01-01T00:00:00Z"),
            ("2023-01-01T01:30:00+01:30", 1_672_531_200, "2023-01-01T00:00:00Z"),
            ("2010-01-01T19:23:24.120Z", 1_262_373_804, "2010-01-01T19:23:24.12Z"),
            ("2024-02-29T23:59:59-14:00", 1_709_301_599, "2024-03-01T13:59:59Z"),
            ("1969-12-31T23:59:59Z", -1, "1969-12-31T23:59:59Z"),
        ];
        for (raw, seconds, formatted) in cases {
            let timestamp = Timestamp::parse(raw).unwrap();
            assert_eq!(timestamp.unix_seconds(), seconds, "{raw}");
            assert_eq!(timestamp.to_string(), formatted, "{raw}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_date_time_stamp() {
        for raw in [
            "2023-01-01",
            "2023-01-01T00:00:00",
            "2023-02-29T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-01-01T24:00:00Z",
            "2023-01-01T00:00:00+15:00",
            "2023-01-01T00:00:00.Z",
            "2023/01/01T00:00:00Z",
            "yesterday",
            "2023-01-01T00:00:00Zjunk",
        ] {
            assert!(Timestamp::parse(raw).is_err(), "{raw} was accepted");
        }
        assert_eq!(Timestamp::parse_lenient("2023-01-01T00:00:00").unwrap().unix_seconds(), 1_672_531_200);
    }
}
