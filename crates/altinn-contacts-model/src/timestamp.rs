//! [`Timestamp`]: Altinn's date-times.
//!
//! Altinn 2 writes date-times without an offset in Norwegian local time
//! (`2017-06-15T09:07:20.84`), with 0 to 3 fraction digits in the API's samples; ASP.NET's own
//! serializer writes up to seven digits and an offset (`2016-10-10T09:16:30.0784402+02:00`).
//! Both are read: 0 to 9 fraction digits, then optionally `Z` or `±HH:MM`.
//!
//! What the model keeps: the civil date-time exactly as written and the offset if one was sent
//! (`Z` is kept as `Z`), so a value is written back as it arrived (fraction digits without
//! trailing zeros). Nothing is converted on reading; [`Timestamp::to_zoned`] gives the instant
//! in Europe/Oslo (the time zone database is bundled, so it works offline and everywhere).
//!
//! Altinn writes `0001-01-01T00:00:00` (and sometimes `""`) where a contact point was never
//! changed; [`optional`] reads both as `None`, which is what they mean.

use std::fmt;
use std::str::FromStr;

use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A date and time as Altinn sends it: Norwegian local time unless an offset was sent.
///
/// Equality and order compare what was written (civil date-time, then offset), not instants;
/// use [`Timestamp::to_zoned`] to compare instants.
///
/// ```
/// use altinn_contacts_model::Timestamp;
///
/// // Altinn's usual form: no offset, Norwegian local time (here summer time, +02:00).
/// let changed: Timestamp = "2017-06-15T09:07:20.84".parse().unwrap();
/// assert_eq!(changed.offset(), None);
/// let zoned = changed.to_zoned().unwrap();
/// assert_eq!(zoned.time_zone().iana_name(), Some("Europe/Oslo"));
/// assert_eq!(zoned.offset().seconds(), 2 * 3600);
/// assert_eq!(zoned.timestamp().to_string(), "2017-06-15T07:07:20.84Z");
///
/// // ASP.NET's form with an offset: the offset is kept and used.
/// let sent: Timestamp = "2016-12-10T09:16:30.0784402+00:00".parse().unwrap();
/// assert_eq!(sent.to_string(), "2016-12-10T09:16:30.0784402+00:00");
/// assert_eq!(sent.to_zoned().unwrap().datetime().to_string(), "2016-12-10T10:16:30.0784402");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    datetime: DateTime,
    zone: Zone,
}

/// The offset part as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Zone {
    /// None: Norwegian local time.
    Local,
    /// `Z`.
    Utc,
    /// `±HH:MM`.
    Fixed(Offset),
}

/// The value Altinn writes for "never" (its civil part; any offset after it is ignored).
const SENTINEL: DateTime = DateTime::constant(1, 1, 1, 0, 0, 0, 0);

/// The time zone Altinn's offset-less date-times are in.
pub const ALTINN_TIME_ZONE: &str = "Europe/Oslo";

impl Timestamp {
    /// A civil date-time in Norwegian local time (no offset).
    pub fn new(datetime: DateTime) -> Self {
        Timestamp {
            datetime,
            zone: Zone::Local,
        }
    }

    /// A civil date-time with the offset it was written with.
    pub fn with_offset(datetime: DateTime, offset: Offset) -> Self {
        Timestamp {
            datetime,
            zone: Zone::Fixed(offset),
        }
    }

    /// The civil date-time as written (before any offset is applied).
    pub fn datetime(&self) -> DateTime {
        self.datetime
    }

    /// The offset that was written (`Z` is zero), `None` for Altinn's usual offset-less form.
    pub fn offset(&self) -> Option<Offset> {
        match self.zone {
            Zone::Local => None,
            Zone::Utc => Some(Offset::UTC),
            Zone::Fixed(offset) => Some(offset),
        }
    }

    /// True for `0001-01-01T00:00:00`, Altinn's "never".
    pub fn is_sentinel(&self) -> bool {
        self.datetime == SENTINEL
    }

    /// This instant as a zoned date-time in Europe/Oslo.
    ///
    /// Without an offset the civil time is read as Norwegian local time; in the hour skipped
    /// when summer time starts the later reading wins, in the hour repeated when it ends the
    /// earlier one (jiff's "compatible" rule). With an offset, the offset decides the instant.
    /// Fails only for a date-time at the very edge of the supported range.
    pub fn to_zoned(&self) -> Result<jiff::ZonedDateTime, TimestampError> {
        let oslo = europe_oslo()?;
        let zoned = match self.offset() {
            None => oslo.to_zoned_datetime(self.datetime),
            Some(offset) => TimeZone::fixed(offset)
                .to_zoned_datetime(self.datetime)
                .map(|z| z.with_time_zone(oslo)),
        };
        zoned.map_err(|_| TimestampError("the date-time is out of the supported range"))
    }
}

/// Europe/Oslo from the bundled time zone database.
pub fn europe_oslo() -> Result<TimeZone, TimestampError> {
    TimeZone::get(ALTINN_TIME_ZONE)
        .map_err(|_| TimestampError("the time zone Europe/Oslo is not available"))
}

impl From<DateTime> for Timestamp {
    fn from(datetime: DateTime) -> Self {
        Timestamp::new(datetime)
    }
}

/// The error of parsing or converting a [`Timestamp`]. It never quotes the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError(&'static str);

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for TimestampError {}

const EXPECTED: &str = "expected a date-time like 2017-06-15T09:07:20.84 (0 to 9 fraction digits, optionally Z or +01:00)";

/// `±HH:MM` (hours up to 23, minutes up to 59).
fn parse_offset(text: &str) -> Option<Offset> {
    let b = text.as_bytes();
    let [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] = *b else {
        return None;
    };
    let digit = |c: u8| c.is_ascii_digit().then(|| i32::from(c - b'0'));
    let hours = digit(h1)? * 10 + digit(h2)?;
    let minutes = digit(m1)? * 10 + digit(m2)?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    let seconds = (hours * 3600 + minutes * 60) * if sign == b'-' { -1 } else { 1 };
    Offset::from_seconds(seconds).ok()
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let err = || TimestampError(EXPECTED);
        // The civil part has a fixed shape up to the seconds; a fraction may follow, then the
        // offset, which starts at the first `Z`, `+` or `-` after the date.
        let tail = s.get(19..).ok_or_else(err)?;
        let offset_at = tail.find(['Z', 'z', '+', '-']).map_or(s.len(), |i| i + 19);
        let (civil, offset) = s.split_at(offset_at);
        let zone = match offset {
            "" => Zone::Local,
            "Z" | "z" => Zone::Utc,
            other => Zone::Fixed(parse_offset(other).ok_or_else(err)?),
        };
        let b = civil.as_bytes();
        let shape_ok = b.len() >= 19
            && b[10] == b'T'
            && b[4] == b'-'
            && b[0..4].iter().all(u8::is_ascii_digit)
            && match &b[19..] {
                [] => true,
                [b'.', digits @ ..] => {
                    (1..=9).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit)
                }
                _ => false,
            };
        if !shape_ok {
            return Err(err());
        }
        let datetime = civil.parse::<DateTime>().map_err(|_| err())?;
        Ok(Timestamp { datetime, zone })
    }
}

impl fmt::Display for Timestamp {
    /// Writes Altinn's form: seconds always, fraction digits only as many as needed, then the
    /// offset as it was sent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.datetime;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        )?;
        let nanos = d.subsec_nanosecond();
        if nanos != 0 {
            let digits = format!("{nanos:09}");
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        match self.zone {
            Zone::Local => Ok(()),
            Zone::Utc => f.write_str("Z"),
            Zone::Fixed(offset) => {
                let seconds = offset.seconds();
                let sign = if seconds < 0 { '-' } else { '+' };
                let abs = seconds.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)
            }
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Serde adapter for `Option<Timestamp>` fields: `null`, `""` and `0001-01-01T00:00:00` (with
/// or without an offset) read as `None`; `None` is written as `null`.
pub mod optional {
    use super::*;

    /// Reads an optional timestamp, mapping Altinn's "never" values to `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Timestamp>, D::Error> {
        let text = Option::<std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        match text.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => {
                let ts: Timestamp = s.parse().map_err(serde::de::Error::custom)?;
                Ok((!ts.is_sentinel()).then_some(ts))
            }
        }
    }

    /// Writes an optional timestamp, `None` as `null`.
    pub fn serialize<S: Serializer>(
        value: &Option<Timestamp>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(ts) => ts.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_zero_to_nine_fraction_digits_and_offsets_and_writes_them_back() {
        for s in [
            "2014-11-05T00:00:00",
            "2015-10-27T12:43:02.23",
            "2017-03-22T10:42:34.713",
            "2017-06-15T09:07:20.8",
            "2016-10-10T09:16:30.0784402+02:00",
            "2016-10-10T09:16:30.078440212",
            "2016-10-10T09:16:30Z",
            "2016-10-10T09:16:30.5-03:30",
        ] {
            let ts: Timestamp = s.parse().unwrap();
            assert_eq!(ts.to_string(), s);
        }
        let ts: Timestamp = "2016-10-10T09:16:30.0784402+02:00".parse().unwrap();
        assert_eq!(ts.offset().map(|o| o.seconds()), Some(7200));
        assert_eq!(ts.datetime().subsec_nanosecond(), 78_440_200);
    }

    #[test]
    fn zoned_in_oslo() {
        // Winter: +01:00.
        let ts: Timestamp = "2020-01-15T12:00:00".parse().unwrap();
        let z = ts.to_zoned().unwrap();
        assert_eq!(z.offset().seconds(), 3600);
        assert_eq!(z.timestamp().to_string(), "2020-01-15T11:00:00Z");
        // An offset decides the instant; the result is still shown in Oslo.
        let ts: Timestamp = "2020-01-15T12:00:00Z".parse().unwrap();
        assert_eq!(
            ts.to_zoned().unwrap().datetime().to_string(),
            "2020-01-15T13:00:00"
        );
    }

    #[test]
    fn sentinel_and_empty_are_absent() {
        #[derive(Deserialize)]
        struct T {
            #[serde(with = "optional")]
            t: Option<Timestamp>,
        }
        for raw in [
            r#"{"t":null}"#,
            r#"{"t":""}"#,
            r#"{"t":"0001-01-01T00:00:00"}"#,
            r#"{"t":"0001-01-01T00:00:00Z"}"#,
            r#"{"t":"0001-01-01T00:00:00+01:00"}"#,
        ] {
            let v: T = serde_json::from_str(raw).unwrap();
            assert_eq!(v.t, None, "{raw}");
        }
        let v: T = serde_json::from_str(r#"{"t":"2017-06-15T09:07:20.84"}"#).unwrap();
        assert_eq!(v.t.unwrap().to_string(), "2017-06-15T09:07:20.84");
    }

    #[test]
    fn odd_input_is_refused_without_panicking_or_quoting() {
        for s in [
            "T",
            "2017-06-15T",
            "øøøøøøøøøøøøøøøøøøøø",
            "2017-06-1ø:07:20",
            "2017-06-15T09:07:20.1234567890123",
            "-0001-01-01T00:00:00",
            "+2017-06-15T09:07:20",
            "10000-01-01T00:00:00",
            "2017-13-45T25:61:61",
            "2017-06-15T09:07:20\u{0}",
            "2017-06-15T09:07:20.",
            "2017-06-15T09:07:20+24:00",
            "2017-06-15T09:07:20+0100",
            "2017-06-15T09:07:20ZZ",
            "2017-06-15T09:07:20 +01:00",
            "2017-06-15 09:07:20",
            "yesterday",
            "",
            "06117701547",
        ] {
            // One fixed message: the input is never quoted.
            assert_eq!(
                s.parse::<Timestamp>().unwrap_err().to_string(),
                EXPECTED,
                "{s:?}"
            );
        }
        // The extremes of the civil range parse and print back.
        for s in ["0001-01-01T00:00:00", "9999-12-31T23:59:59.999"] {
            assert_eq!(s.parse::<Timestamp>().unwrap().to_string(), s);
        }
    }
}
