//! Decoding a response body into a model, with the JSON path of the first mismatch.

use std::fmt;

use serde::de::DeserializeOwned;

/// Why a body did not decode: where (a JSON path such as
/// `_embedded.organizations[3].LastChanged`), what went wrong, and whether the body simply ended
/// early.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The JSON path of the value that did not fit (`.` when the document itself is at fault).
    pub path: String,
    /// serde's description of the mismatch (it never quotes the offending value).
    pub message: String,
    /// True when the body ended before the JSON document did (a truncated response).
    pub truncated: bool,
    /// 1-based line of the error in the body, 0 when unknown.
    pub line: usize,
    /// 1-based column of the error in the body, 0 when unknown.
    pub column: usize,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.truncated {
            write!(
                f,
                "response body ended early (truncated JSON) at {}",
                self.path
            )
        } else {
            write!(f, "at {}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decodes `body` into `T`, reporting the JSON path of the first value that does not fit.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    // Path tracking costs on every value; bodies almost always decode, so decode plainly first
    // and pay for the path only to explain a failure.
    match serde_json::from_slice(body) {
        Ok(value) => Ok(value),
        Err(_) => decode_tracking_path(body),
    }
}

/// The slow path of [`decode`]: the same decode with the JSON path tracked.
fn decode_tracking_path<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        DecodeError {
            path,
            message: scrub(&inner),
            truncated: inner.is_eof(),
            line: inner.line(),
            column: inner.column(),
        }
    })?;
    de.end().map_err(|inner| DecodeError {
        path: ".".to_owned(),
        message: scrub(&inner),
        truncated: false,
        line: inner.line(),
        column: inner.column(),
    })?;
    Ok(value)
}

/// serde_json's message without its " at line L column C" tail (we keep those as fields) and with
/// quoted values removed: an `invalid value: string "06117701547"` must not carry an identity
/// number into an error message.
fn scrub(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    let mut out = String::with_capacity(text.len());
    let mut in_quotes = false;
    // serde quotes a value with Rust's `Debug`, which writes a `"` inside it as `\"`: an escaped
    // quote must not end the quoted part, or the rest of the value would be shown.
    let mut escaped = false;
    for c in text.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' if !in_quotes => {
                in_quotes = true;
                out.push_str("\"…");
            }
            '"' => {
                in_quotes = false;
                out.push('"');
            }
            _ if in_quotes => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        items: Vec<Inner>,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        #[serde(rename = "Id")]
        id: u32,
    }

    #[test]
    fn names_the_path() {
        let err = decode::<Outer>(br#"{"items":[{"Id":1},{"Id":"06117701547"}]}"#).unwrap_err();
        assert_eq!(err.path, "items[1].Id");
        assert!(!err.to_string().contains("06117701547"), "{err}");
        assert!(!err.truncated);
    }

    #[test]
    fn a_quote_inside_the_value_does_not_end_the_mask() {
        // serde writes this value as `"x\"06117701547 secret"`; none of it may show.
        let err = decode::<Outer>(br#"{"items":[{"Id":"x\"06117701547 secret\\"}]}"#).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("06117701547"), "{shown}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("expected u32"), "{shown}");
    }

    #[test]
    fn flags_truncation() {
        let err = decode::<Outer>(br#"{"items":[{"Id":1},{"Id""#).unwrap_err();
        assert!(err.truncated, "{err:?}");
    }

    #[test]
    fn trailing_garbage_fails() {
        assert!(decode::<Outer>(br#"{"items":[]} <html>"#).is_err());
    }
}
