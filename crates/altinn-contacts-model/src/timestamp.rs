//! [`Timestamp`]: Altinn's civil date-times, which carry no offset and 0 to 3 fraction digits.
//!
//! Altinn writes `0001-01-01T00:00:00` (and sometimes `""`) where a contact point was never
//! changed; [`optional`] reads both as `None`, which is what they mean.

use std::fmt;
use std::str::FromStr;

use jiff::civil::DateTime;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A date and time as Altinn sends it: no offset (Norwegian local time, as far as is known).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime);

/// The value Altinn writes for "never".
const SENTINEL: &str = "0001-01-01T00:00:00";

impl Timestamp {
    /// Wraps a civil date-time.
    pub fn new(datetime: DateTime) -> Self {
        Timestamp(datetime)
    }

    /// The civil date-time.
    pub fn datetime(&self) -> DateTime {
        self.0
    }

    /// True for `0001-01-01T00:00:00`, Altinn's "never".
    pub fn is_sentinel(&self) -> bool {
        self.0 == DateTime::constant(1, 1, 1, 0, 0, 0, 0)
    }
}

impl From<DateTime> for Timestamp {
    fn from(datetime: DateTime) -> Self {
        Timestamp(datetime)
    }
}

/// The error of parsing a [`Timestamp`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError(String);

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TimestampError {}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // An offset or zone would be silently dropped by a civil parse; refuse it so a change in
        // what Altinn sends is noticed rather than misread.
        let trimmed = s.trim();
        let date_time_part = trimmed.get(10..).unwrap_or("");
        if date_time_part.contains(['Z', 'z', '+']) || date_time_part.contains('-') {
            return Err(TimestampError(format!(
                "expected a date-time without offset like 2017-06-15T09:07:20.84, got {trimmed:?}"
            )));
        }
        trimmed.parse::<DateTime>().map(Timestamp).map_err(|e| {
            TimestampError(format!(
                "expected a date-time like 2017-06-15T09:07:20.84, got {trimmed:?}: {e}"
            ))
        })
    }
}

impl fmt::Display for Timestamp {
    /// Writes Altinn's form: seconds always, fraction digits only as many as needed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
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
        Ok(())
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

/// Serde adapter for `Option<Timestamp>` fields: `null`, `""` and `0001-01-01T00:00:00` read as
/// `None`; `None` is written as `null`.
pub mod optional {
    use super::*;

    /// Reads an optional timestamp, mapping Altinn's "never" values to `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Timestamp>, D::Error> {
        let text = Option::<std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        match text.as_deref().map(str::trim) {
            None | Some("") | Some(SENTINEL) => Ok(None),
            Some(s) => s.parse().map(Some).map_err(serde::de::Error::custom),
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
    fn parses_zero_to_three_fraction_digits_and_writes_them_back() {
        for s in [
            "2014-11-05T00:00:00",
            "2015-10-27T12:43:02.23",
            "2017-03-22T10:42:34.713",
            "2017-06-15T09:07:20.8",
        ] {
            let ts: Timestamp = s.parse().unwrap();
            assert_eq!(ts.to_string(), s);
        }
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
        ] {
            let v: T = serde_json::from_str(raw).unwrap();
            assert_eq!(v.t, None, "{raw}");
        }
        let v: T = serde_json::from_str(r#"{"t":"2017-06-15T09:07:20.84"}"#).unwrap();
        assert_eq!(v.t.unwrap().to_string(), "2017-06-15T09:07:20.84");
    }

    #[test]
    fn odd_input_is_refused_without_panicking() {
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
        ] {
            assert!(s.parse::<Timestamp>().is_err(), "{s:?}");
        }
        // The extremes of the civil range parse and print back.
        for s in ["0001-01-01T00:00:00", "9999-12-31T23:59:59.999"] {
            assert_eq!(s.parse::<Timestamp>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn offsets_and_garbage_are_refused() {
        for s in [
            "2017-06-15T09:07:20Z",
            "2017-06-15T09:07:20+01:00",
            "yesterday",
            "",
        ] {
            assert!(s.parse::<Timestamp>().is_err(), "{s}");
        }
    }
}
