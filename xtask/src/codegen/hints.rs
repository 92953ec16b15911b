//! The hints file (`samples/hints.json`): what inference cannot know from the samples alone.
//!
//! Inference decides shapes (which fields exist, which are optional, which JSON kind each holds);
//! the hints decide names and meanings: what a struct is called and where it is written, which
//! field holds a hand-written newtype, which string format maps to which Rust type, and which
//! field names in the samples are deliberately unknown to the model. Every hint must match
//! something in the samples, so a stale hint fails the run instead of lingering.

use std::path::Path;

use serde_json::{Map, Value};

use super::Error;

/// The parsed hints file.
#[derive(Debug, Default)]
pub(crate) struct Hints {
    /// Named structs in the order they are emitted, with their doc and output file.
    pub(crate) structs: Vec<StructHint>,
    /// `Struct.field` or `Struct.field[]` (array items) to the struct name of that object.
    pub(crate) paths: Vec<(String, String)>,
    /// `field` (any struct) or `Struct.field` (one struct) to what that field is.
    pub(crate) fields: Vec<(String, FieldHint)>,
    /// Recognised string formats, tried in order, with the Rust type each maps to.
    pub(crate) formats: Vec<FormatHint>,
    /// JSON field names the samples carry on purpose to show that unknown fields are tolerated.
    pub(crate) unknown_fields: Vec<String>,
}

/// A named struct.
#[derive(Debug, Clone)]
pub(crate) struct StructHint {
    pub(crate) name: String,
    pub(crate) doc: Option<String>,
    /// File stem under the output folder (`organization` for `organization.rs`).
    pub(crate) file: Option<String>,
    /// Lines of a doc example (Rust code run as a doctest), shown under `# Example`.
    pub(crate) example: Vec<String>,
}

/// A hand-written Rust type standing in for what inference would produce.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Mapping {
    /// The Rust type path (`crate::Timestamp`).
    pub(crate) rust_type: String,
    /// A serde `with` module for the whole field (`crate::timestamp::optional`).
    pub(crate) with: Option<String>,
    /// The field is `Option` whatever the samples say (the `with` module works on `Option`).
    pub(crate) always_optional: bool,
    /// String values that mean "absent": inference counts them as `null`.
    pub(crate) absent: Vec<String>,
    /// The type is a collection (links, say): a missing or `null` value reads as its empty
    /// default instead of `None`, since "no links" is what a missing `_links` means.
    pub(crate) empty_when_absent: bool,
}

/// What a hint says about one field.
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldHint {
    /// The Rust field name, replacing the snake_case of the JSON name.
    pub(crate) rename: Option<String>,
    /// The field's doc comment, replacing the JSON name in backticks.
    pub(crate) doc: Option<String>,
    /// The field holds this type; its value is not inferred (nor its inner objects).
    pub(crate) mapping: Option<Mapping>,
}

/// A string format that inference recognises in sample values.
#[derive(Debug, Clone)]
pub(crate) struct FormatHint {
    /// The name of a recogniser built into the generator (see [`Recognizer`]).
    pub(crate) recognizer: Recognizer,
    /// What a field whose values all have this format becomes.
    pub(crate) mapping: Mapping,
}

/// String formats the generator can recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recognizer {
    /// `YYYY-MM-DDTHH:MM:SS` with an optional fraction and an optional offset or `Z`
    /// (Altinn's timestamps).
    DateTime,
}

impl Recognizer {
    fn parse(name: &str) -> Option<Recognizer> {
        match name {
            "date-time" => Some(Recognizer::DateTime),
            _ => None,
        }
    }

    /// True when `s` has this format.
    pub(crate) fn matches(self, s: &str) -> bool {
        match self {
            Recognizer::DateTime => is_date_time(s),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS`, optionally `.` and 1 to 9 digits, optionally `Z` or `±HH:MM`.
fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let base = b.len() >= 19
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !base {
        return false;
    }
    let rest = &b[19..];
    let offset_at = rest
        .iter()
        .position(|c| matches!(c, b'Z' | b'+' | b'-'))
        .unwrap_or(rest.len());
    let (fraction, offset) = rest.split_at(offset_at);
    let fraction_ok = match fraction {
        [] => true,
        [b'.', digits @ ..] => {
            (1..=9).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    };
    let offset_ok = match offset {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    };
    fraction_ok && offset_ok
}

impl Hints {
    /// Reads and checks the hints file.
    pub(crate) fn load(path: &Path) -> Result<Hints, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| Error::new(format!("{} is not valid JSON: {e}", path.display())))?;
        Hints::from_value(&value)
            .map_err(|e| Error::new(format!("{}: {}", path.display(), e.message())))
    }

    /// Parses hints from their JSON form; every key is checked, so a typo is an error.
    pub(crate) fn from_value(value: &Value) -> Result<Hints, Error> {
        let root = object(value, "the hints file")?;
        let mut hints = Hints::default();
        for (key, value) in root {
            match key.as_str() {
                // Free text for the human reader of the hints file.
                "$comment" => {}
                "structs" => {
                    for (name, v) in object(value, "structs")? {
                        hints.structs.push(parse_struct(name, v)?);
                    }
                }
                "paths" => {
                    for (path, v) in object(value, "paths")? {
                        let name = string(v, &format!("paths.{path}"))?;
                        if !path.contains('.') && !path.ends_with("[]") {
                            return Err(Error::new(format!(
                                "paths.{path}: expected `Struct.field`, `Struct.field[]` or `Struct[]`"
                            )));
                        }
                        hints.paths.push((path.clone(), name));
                    }
                }
                "fields" => {
                    for (field, v) in object(value, "fields")? {
                        hints.fields.push((field.clone(), parse_field(field, v)?));
                    }
                }
                "formats" => {
                    for (name, v) in object(value, "formats")? {
                        let recognizer = Recognizer::parse(name).ok_or_else(|| {
                            Error::new(format!("formats.{name}: unknown format (known: date-time)"))
                        })?;
                        let at = format!("formats.{name}");
                        let obj = object(v, &at)?;
                        let mapping = parse_mapping(obj, &at, &[])?
                            .ok_or_else(|| Error::new(format!("{at}: `type` is required")))?;
                        hints.formats.push(FormatHint {
                            recognizer,
                            mapping,
                        });
                    }
                }
                "unknown_fields" => {
                    let Value::Array(items) = value else {
                        return Err(Error::new("unknown_fields: expected an array of names"));
                    };
                    for item in items {
                        hints.unknown_fields.push(string(item, "unknown_fields[]")?);
                    }
                }
                other => return Err(Error::new(format!("unknown key `{other}`"))),
            }
        }
        Ok(hints)
    }

    /// The struct hint of `name`, if the hints name it.
    pub(crate) fn struct_hint(&self, name: &str) -> Option<&StructHint> {
        self.structs.iter().find(|s| s.name == name)
    }
}

fn parse_struct(name: &str, value: &Value) -> Result<StructHint, Error> {
    let at = format!("structs.{name}");
    let mut hint = StructHint {
        name: name.to_owned(),
        doc: None,
        file: None,
        example: Vec::new(),
    };
    for (key, v) in object(value, &at)? {
        match key.as_str() {
            "doc" => hint.doc = Some(string(v, &format!("{at}.doc"))?),
            "example" => {
                let Value::Array(lines) = v else {
                    return Err(Error::new(format!(
                        "{at}.example: expected an array of code lines"
                    )));
                };
                for line in lines {
                    hint.example.push(string(line, &format!("{at}.example[]"))?);
                }
            }
            "file" => {
                let file = string(v, &format!("{at}.file"))?;
                if file == "mod"
                    || file.is_empty()
                    || !file
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                {
                    return Err(Error::new(format!(
                        "{at}.file: `{file}` is not a module name (lowercase, digits, `_`; not `mod`)"
                    )));
                }
                hint.file = Some(file);
            }
            other => return Err(Error::new(format!("{at}: unknown key `{other}`"))),
        }
    }
    Ok(hint)
}

fn parse_field(field: &str, value: &Value) -> Result<FieldHint, Error> {
    let at = format!("fields.{field}");
    let obj = object(value, &at)?;
    let mut hint = FieldHint {
        mapping: parse_mapping(obj, &at, &["rename", "doc"])?,
        ..FieldHint::default()
    };
    if let Some(v) = obj.get("rename") {
        hint.rename = Some(string(v, &format!("{at}.rename"))?);
    }
    if let Some(v) = obj.get("doc") {
        hint.doc = Some(string(v, &format!("{at}.doc"))?);
    }
    Ok(hint)
}

/// Reads `type`, `with`, `always_optional` and `absent` from `obj`; `None` when there is no
/// `type` (and then none of the others may be given).
fn parse_mapping(
    obj: &Map<String, Value>,
    at: &str,
    other_keys: &[&str],
) -> Result<Option<Mapping>, Error> {
    let mut mapping = Mapping::default();
    let mut has_type = false;
    let mut has_other = false;
    for (key, v) in obj {
        match key.as_str() {
            "type" => {
                mapping.rust_type = string(v, &format!("{at}.type"))?;
                has_type = true;
            }
            "with" => {
                mapping.with = Some(string(v, &format!("{at}.with"))?);
                has_other = true;
            }
            "always_optional" => {
                let Value::Bool(b) = v else {
                    return Err(Error::new(format!(
                        "{at}.always_optional: expected true or false"
                    )));
                };
                mapping.always_optional = *b;
                has_other = true;
            }
            "empty_when_absent" => {
                let Value::Bool(b) = v else {
                    return Err(Error::new(format!(
                        "{at}.empty_when_absent: expected true or false"
                    )));
                };
                mapping.empty_when_absent = *b;
                has_other = true;
            }
            "absent" => {
                let Value::Array(items) = v else {
                    return Err(Error::new(format!("{at}.absent: expected an array")));
                };
                for item in items {
                    mapping
                        .absent
                        .push(string(item, &format!("{at}.absent[]"))?);
                }
                has_other = true;
            }
            k if other_keys.contains(&k) => {}
            other => return Err(Error::new(format!("{at}: unknown key `{other}`"))),
        }
    }
    match (has_type, has_other) {
        (true, _) => Ok(Some(mapping)),
        (false, false) => Ok(None),
        (false, true) => Err(Error::new(format!(
            "{at}: `with`, `always_optional`, `empty_when_absent` and `absent` need a `type`"
        ))),
    }
}

fn object<'v>(value: &'v Value, at: &str) -> Result<&'v Map<String, Value>, Error> {
    value
        .as_object()
        .ok_or_else(|| Error::new(format!("{at}: expected an object")))
}

fn string(value: &Value, at: &str) -> Result<String, Error> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| Error::new(format!("{at}: expected a string")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_time_recogniser() {
        for ok in [
            "2014-11-05T00:00:00",
            "2015-10-27T12:43:02.23",
            "2017-03-22T10:42:34.713",
            "0001-01-01T00:00:00",
            "2014-11-05T00:00:00Z",
            "2016-10-10T09:16:30.0784402+02:00",
            "2014-11-05T00:00:00-01:00",
        ] {
            assert!(is_date_time(ok), "{ok}");
        }
        for bad in [
            "",
            "2014-11-05",
            "2014-11-05T00:00:00+0100",
            "2014-11-05 00:00:00",
            "2014-11-05T00:00:00.",
            "2014-11-05T00:00:00.Z",
            "2014-11-05T00:00:00ZZ",
            "r50022994",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
    }

    #[test]
    fn typos_are_errors() {
        let err = Hints::from_value(&serde_json::json!({"strucs": {}})).unwrap_err();
        assert!(err.message().contains("strucs"), "{err}");
        let err =
            Hints::from_value(&serde_json::json!({"fields": {"A": {"with": "m"}}})).unwrap_err();
        assert!(err.message().contains("need a `type`"), "{err}");
        let err =
            Hints::from_value(&serde_json::json!({"structs": {"A": {"file": "mod"}}})).unwrap_err();
        assert!(err.message().contains("not a module name"), "{err}");
    }

    #[test]
    fn reads_every_section() {
        let hints = Hints::from_value(&serde_json::json!({
            "$comment": ["free text"],
            "structs": {"A": {"doc": "An A.", "file": "a", "example": ["let a = 1;"]}},
            "paths": {"A.items[]": "B"},
            "fields": {"A.X": {"type": "crate::X", "rename": "x_value"}, "Y": {"rename": "y"}},
            "formats": {"date-time": {"type": "crate::T", "with": "crate::t", "always_optional": true, "absent": [""]}},
            "unknown_fields": ["Extra"]
        }))
        .unwrap();
        assert_eq!(hints.structs[0].file.as_deref(), Some("a"));
        assert_eq!(hints.structs[0].example, vec!["let a = 1;".to_owned()]);
        assert_eq!(hints.paths, vec![("A.items[]".to_owned(), "B".to_owned())]);
        assert_eq!(
            hints.fields[0].1.mapping.as_ref().unwrap().rust_type,
            "crate::X"
        );
        assert!(hints.fields[1].1.mapping.is_none());
        assert!(hints.formats[0].mapping.always_optional);
        assert_eq!(hints.unknown_fields, vec!["Extra".to_owned()]);
    }
}
