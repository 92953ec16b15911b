//! Serde helpers that make generated models lenient on what the server sends, without ever
//! inventing a value.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Unexpected, Visitor};

/// Reads `null` as the type's default. Used only for collections (`_links`, `_embedded`, arrays
/// of records), where `null` and "none" mean the same; a scalar that is `null` reads as `None`.
/// A value of the wrong type still fails, naming its JSON path.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Reads an optional integer: a JSON integer, a JSON string holding only ASCII digits (Altinn 2
/// wrote some integers as strings, `"4"`), or `null` for `None`. Anything else (a fraction, a
/// sign or space inside a string, an empty string) is refused; the error never quotes the value.
pub fn optional_integer<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_any(IntegerVisitor)
}

struct IntegerVisitor;

impl<'de> Visitor<'de> for IntegerVisitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a string of digits")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Some)
            .map_err(|_| E::invalid_value(Unexpected::Other("an integer out of range"), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(E::invalid_value(
                Unexpected::Other("a string that is not all digits"),
                &self,
            ));
        }
        v.parse().map(Some).map_err(|_| {
            E::invalid_value(Unexpected::Other("a string of digits out of range"), &self)
        })
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(IntegerVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "optional_integer")]
        n: Option<i64>,
    }

    #[test]
    fn integers_numbers_and_digit_strings() {
        for (raw, want) in [
            (r#"{"n":4}"#, Some(4)),
            (r#"{"n":"4"}"#, Some(4)),
            (r#"{"n":"0085"}"#, Some(85)),
            (r#"{"n":null}"#, None),
            (r#"{}"#, None),
            (r#"{"n":-3}"#, Some(-3)),
        ] {
            let t: T = serde_json::from_str(raw).unwrap();
            assert_eq!(t.n, want, "{raw}");
        }
        for raw in [
            r#"{"n":"4a"}"#,
            r#"{"n":""}"#,
            r#"{"n":" 4"}"#,
            r#"{"n":"-4"}"#,
            r#"{"n":4.5}"#,
            r#"{"n":true}"#,
            r#"{"n":"99999999999999999999"}"#,
            r#"{"n":18446744073709551615}"#,
        ] {
            let err = serde_json::from_str::<T>(raw).unwrap_err().to_string();
            assert!(!err.contains("4a") && !err.contains("9999"), "{err}");
        }
    }
}
