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

impl Timestamp {
    /// The longest text [`Display`](fmt::Display) writes for a year of four digits:
    /// `9999-12-31T23:59:59.999999999+25:59`.
    const MAX_TEXT: usize = 35;

    /// Writes Altinn's form into `buf` and returns its length; `None` for a year outside
    /// 0000-9999 (negative years only come from code, never from parsing), which
    /// [`Display`](fmt::Display) writes the slow way.
    ///
    /// Bulk output writes four timestamps a line: `core::fmt` with padded integers (and a
    /// `format!` for the fraction) cost more than decoding the whole body, so the digits are
    /// placed by hand.
    fn write_ascii(&self, buf: &mut [u8; Self::MAX_TEXT]) -> Option<usize> {
        let d = self.datetime;
        let year = u16::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
        let mut len = 0;
        let mut put = |bytes: &[u8]| {
            buf[len..len + bytes.len()].copy_from_slice(bytes);
            len += bytes.len();
        };
        // Month, day, hour, minute and second are always 0-59, so two digits each.
        let two = |v: i8| {
            let v = v.unsigned_abs();
            [b'0' + v / 10 % 10, b'0' + v % 10]
        };
        put(&[
            b'0' + (year / 1000) as u8,
            b'0' + (year / 100 % 10) as u8,
            b'0' + (year / 10 % 10) as u8,
            b'0' + (year % 10) as u8,
            b'-',
        ]);
        put(&two(d.month()));
        put(b"-");
        put(&two(d.day()));
        put(b"T");
        put(&two(d.hour()));
        put(b":");
        put(&two(d.minute()));
        put(b":");
        put(&two(d.second()));
        let nanos = d.subsec_nanosecond().unsigned_abs();
        if nanos != 0 {
            let mut digits = [b'0'; 9];
            let mut rest = nanos;
            for digit in digits.iter_mut().rev() {
                *digit = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
            // As many fraction digits as needed: the trailing zeros go.
            let used = 9 - digits.iter().rev().take_while(|b| **b == b'0').count();
            put(b".");
            put(&digits[..used]);
        }
        match self.zone {
            Zone::Local => {}
            Zone::Utc => put(b"Z"),
            Zone::Fixed(offset) => {
                let seconds = offset.seconds();
                let abs = seconds.unsigned_abs();
                // jiff bounds an offset to under 26 hours, so the hours take two digits.
                let hours = u8::try_from(abs / 3600).ok().filter(|h| *h < 100)?;
                let minutes = (abs % 3600 / 60) as u8;
                put(if seconds < 0 { b"-" } else { b"+" });
                put(&[b'0' + hours / 10, b'0' + hours % 10, b':']);
                put(&[b'0' + minutes / 10, b'0' + minutes % 10]);
            }
        }
        Some(len)
    }

    /// The slow, general form of [`Display`](fmt::Display), for years outside 0000-9999.
    fn fmt_general(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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

impl fmt::Display for Timestamp {
    /// Writes Altinn's form: seconds always, fraction digits only as many as needed, then the
    /// offset as it was sent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0; Self::MAX_TEXT];
        match self.write_ascii(&mut buf) {
            // Only ASCII digits and punctuation were written.
            Some(len) => f.write_str(std::str::from_utf8(&buf[..len]).map_err(|_| fmt::Error)?),
            None => self.fmt_general(f),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0; Self::MAX_TEXT];
        match self
            .write_ascii(&mut buf)
            .and_then(|len| std::str::from_utf8(&buf[..len]).ok())
        {
            // One string for the serializer (`collect_str` would escape each piece of the
            // formatting separately).
            Some(text) => serializer.serialize_str(text),
            None => serializer.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Text::deserialize(deserializer)?;
        text.0.parse().map_err(serde::de::Error::custom)
    }
}

/// A string read from the input, borrowed when the input allows it: serde's own
/// `Cow<str>` always copies, an allocation per timestamp for nothing.
struct Text<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use std::borrow::Cow;

        struct TextVisitor;

        impl<'de> serde::de::Visitor<'de> for TextVisitor {
            type Value = Text<'de>;

            // The same wording as serde's for a `String`, which was read here before.
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }

            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Text<'de>, E> {
                match std::str::from_utf8(v) {
                    Ok(s) => Ok(Text(Cow::Owned(s.to_owned()))),
                    Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(v), &self)),
                }
            }

            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Text<'de>, E> {
                match String::from_utf8(v) {
                    Ok(s) => Ok(Text(Cow::Owned(s))),
                    Err(e) => Err(E::invalid_value(
                        serde::de::Unexpected::Bytes(&e.into_bytes()),
                        &self,
                    )),
                }
            }
        }

        deserializer.deserialize_string(TextVisitor)
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
        let text = Option::<Text<'de>>::deserialize(deserializer)?;
        match text.as_ref().map(|t| t.0.trim()) {
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

    /// The general (`core::fmt`) form, which [`Timestamp`]'s `Display` wrote before it placed
    /// the digits by hand.
    struct General(Timestamp);

    impl fmt::Display for General {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.fmt_general(f)
        }
    }

    fn any_timestamp() -> impl proptest::strategy::Strategy<Value = Timestamp> {
        use proptest::prelude::*;
        let civil = (
            prop_oneof![0i16..=9999, -9999i16..=9999],
            1i8..=12,
            1i8..=28,
            0i8..=23,
            0i8..=59,
            0i8..=59,
            prop_oneof![
                Just(0i32),
                0i32..=999_999_999,
                (0i32..=999).prop_map(|ms| ms * 1_000_000),
                (1i32..=9_999_999).prop_map(|t| t * 100),
            ],
        )
            .prop_map(|(y, mo, d, h, mi, s, ns)| {
                DateTime::new(y, mo, d, h, mi, s, ns).expect("a valid civil date-time")
            });
        let zone = prop_oneof![
            Just(Zone::Local),
            Just(Zone::Utc),
            (-93_599i32..=93_599).prop_map(|s| Zone::Fixed(Offset::from_seconds(s).unwrap())),
            (-25i32..=25, 0i32..=59).prop_map(|(h, m)| {
                let s = h * 3600 + h.signum() * m * 60;
                Zone::Fixed(Offset::from_seconds(s).unwrap())
            }),
        ];
        (civil, zone).prop_map(|(datetime, zone)| Timestamp { datetime, zone })
    }

    proptest::proptest! {
        #[test]
        fn digits_by_hand_match_the_general_form(ts in any_timestamp()) {
            let general = General(ts).to_string();
            proptest::prop_assert_eq!(ts.to_string(), general.clone());
            proptest::prop_assert_eq!(
                serde_json::to_string(&ts).unwrap(),
                serde_json::to_string(&general).unwrap()
            );
            // Written and read back, a value of the parseable range is the same value.
            if (0..=9999).contains(&ts.datetime.year())
                && matches!(ts.zone, Zone::Local | Zone::Utc)
            {
                let back: Timestamp = serde_json::from_str(&serde_json::to_string(&ts).unwrap()).unwrap();
                proptest::prop_assert_eq!(back, ts);
            }
        }
    }

    #[test]
    fn fixed_forms_by_hand() {
        let dt = |y, ns| DateTime::new(y, 6, 15, 9, 7, 20, ns).unwrap();
        let fixed = |s| Zone::Fixed(Offset::from_seconds(s).unwrap());
        for (datetime, zone, text) in [
            (dt(2017, 840_000_000), Zone::Local, "2017-06-15T09:07:20.84"),
            (dt(7, 1), Zone::Utc, "0007-06-15T09:07:20.000000001Z"),
            (dt(0, 0), fixed(-(3600 + 1800)), "0000-06-15T09:07:20-01:30"),
            (
                dt(9999, 999_999_999),
                fixed(93_599),
                "9999-06-15T09:07:20.999999999+25:59",
            ),
            // An offset with seconds is written to the minute, as before.
            (dt(2020, 0), fixed(3600 + 61), "2020-06-15T09:07:20+01:01"),
            // Outside the four-digit years: the general form.
            (dt(-5, 0), Zone::Local, "-005-06-15T09:07:20"),
        ] {
            let ts = Timestamp { datetime, zone };
            assert_eq!(ts.to_string(), text);
            assert_eq!(serde_json::to_string(&ts).unwrap(), format!("\"{text}\""));
        }
    }

    #[test]
    fn strings_that_are_not_borrowable_still_read() {
        // An escape in the JSON string makes serde_json hand over a copy instead of a borrow.
        let ts: Timestamp = serde_json::from_str(r#""2017-06-15T09:07:20\u002E84""#).unwrap();
        assert_eq!(ts.to_string(), "2017-06-15T09:07:20.84");
        let ts: Timestamp = serde_json::from_reader(&b"\"2017-06-15T09:07:20Z\""[..]).unwrap();
        assert_eq!(ts.to_string(), "2017-06-15T09:07:20Z");
        let err = serde_json::from_str::<Timestamp>("5")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid type: integer `5`, expected a string"),
            "{err}"
        );
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
