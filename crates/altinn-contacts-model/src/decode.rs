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
        // A path holds map keys, which are data too (`_links.<relation>`): mask long digit runs.
        let path = mask_digit_runs(&err.path().to_string());
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

/// serde_json's message without its " at line L column C" tail (we keep those as fields) and
/// with the values it quotes removed, so no identity number (or any other data) reaches an error
/// message:
/// - a quoted string (`invalid value: string "06117701547"`) keeps only its quotes;
/// - a value in backticks (``invalid type: integer `16117701547` ``, a float, a character) keeps
///   only its backticks, unless it is a plain word such as a field name (``missing field
///   `Name` ``) or `true`/`false`;
/// - any run of seven or more digits left anywhere is masked as well.
fn scrub(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    mask_digit_runs(&mask_backticks(&mask_quotes(text)))
}

/// Empties every `"..."` span, minding `\"` inside it.
fn mask_quotes(text: &str) -> String {
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

/// Empties every `` `...` `` span that is not a plain word (ASCII letters, `_`, `$`): serde puts
/// numbers, floats and characters from the body in backticks, and field names too.
fn mask_backticks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..=start]);
        let after = &rest[start + 1..];
        let Some(len) = after.find('`') else {
            // An unpaired backtick: mask what follows it, to be safe.
            out.push('…');
            return out;
        };
        let inner = &after[..len];
        let word = !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '_' || c == '$');
        out.push_str(if word { inner } else { "…" });
        out.push('`');
        rest = &after[len + 1..];
    }
    out.push_str(rest);
    out
}

/// Replaces every run of seven or more ASCII digits with `…` (identity numbers have eleven,
/// phone numbers eight; array indexes and counts stay readable).
fn mask_digit_runs(text: &str) -> String {
    const MIN_RUN: usize = 7;
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= MIN_RUN {
            out.push('…');
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
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
    fn numbers_in_backticks_and_bare_runs_are_masked() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct S {
            #[serde(rename = "Name")]
            name: String,
        }
        for body in [
            r#"{"Name": 16117701547}"#,
            r#"{"Name": 16117701547.5}"#,
            r#"{"Name": -16117701547}"#,
            r#"{"Name": 1.6117701547e10}"#,
        ] {
            let err = decode::<S>(body.as_bytes()).unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("6117701547"), "{shown}");
            assert!(!shown.contains("611770154"), "{shown}");
            assert!(shown.contains("invalid type"), "{shown}");
        }
        // Field names in backticks stay readable.
        let err = decode::<S>(b"{}").unwrap_err();
        assert!(err.message.contains("`Name`"), "{err}");
        assert_eq!(mask_backticks("a `12` b `x_y` c `"), "a `…` b `x_y` c `…");
        assert_eq!(
            mask_digit_runs("[3].x 1234567 12345678901 r50022994"),
            "[3].x … … r…"
        );
    }

    #[test]
    fn a_key_holding_an_identity_number_is_masked_in_the_path() {
        let err =
            decode::<std::collections::BTreeMap<String, Inner>>(br#"{"06117701547": {"Id": "x"}}"#)
                .unwrap_err();
        assert_eq!(err.path, "….Id");
        assert!(!format!("{err} {err:?}").contains("06117701547"));
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
