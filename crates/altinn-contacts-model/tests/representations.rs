//! Both of Altinn 2's representations decode to the same models, and no struct is ever filled
//! from a JSON array by position.
//!
//! - Differential: every HAL sample is converted (by this test's own converter, independent of
//!   the model's writer) into Altinn 2's plain-JSON form: a list becomes a bare array of its
//!   items, each `_links` map an array of `{Rel, Href, Title, ...}` objects. Both must decode to
//!   equal models.
//! - Positional: every object in every sample is replaced, one at a time, by an array of its
//!   values (what serde's derived `Deserialize` would have bound by position). Decoding must fail
//!   with the JSON path of that object (or of the first value inside it that cannot be a link).

use std::path::{Path, PathBuf};

use altinn_contacts_model::{
    DecodeError, Link, Links, OfficialContact, OfficialContactList, Organization, OrganizationList,
    PersonalContact, PersonalContactList, Role, RoleList, decode,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

struct Sample {
    kind: String,
    name: String,
    value: Value,
}

fn samples() -> Vec<Sample> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut out = Vec::new();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    for folder in folders {
        let kind = folder.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
            out.push(Sample {
                kind: kind.clone(),
                name: file.file_name().unwrap().to_string_lossy().into_owned(),
                value,
            });
        }
    }
    out
}

fn unknown_fields() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/hints.json");
    let hints: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    hints["unknown_fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn reencode<T: DeserializeOwned + Serialize>(body: &Value) -> Result<Value, DecodeError> {
    let model: T = decode(&serde_json::to_vec(body).unwrap())?;
    Ok(serde_json::to_value(&model).unwrap())
}

/// Decodes as the sample folder's type and writes the model back as JSON (always HAL).
fn reencode_as(kind: &str, body: &Value) -> Result<Value, DecodeError> {
    match kind {
        "Organization" => reencode::<Organization>(body),
        "OrganizationList" => reencode::<OrganizationList>(body),
        "OfficialContactList" => reencode::<OfficialContactList>(body),
        "PersonalContactList" => reencode::<PersonalContactList>(body),
        "RoleList" => reencode::<RoleList>(body),
        other => panic!("samples/{other}/ is unknown to this test"),
    }
}

/// The `_embedded` relation holding a list's items.
fn list_rel(kind: &str) -> Option<&'static str> {
    match kind {
        "OrganizationList" => Some("organizations"),
        "OfficialContactList" => Some("officialcontacts"),
        "PersonalContactList" => Some("personalcontacts"),
        "RoleList" => Some("roles"),
        _ => None,
    }
}

/// This test's own HAL -> plain-JSON converter.
fn to_plain(kind: &str, hal: &Value) -> Value {
    fn links(v: &Value) -> Value {
        match v {
            Value::Object(rels) => Value::Array(
                rels.iter()
                    .flat_map(|(rel, value)| {
                        let list = match value {
                            Value::Array(items) => items.clone(),
                            one => vec![one.clone()],
                        };
                        list.into_iter().map(move |l| {
                            json!({
                                "Rel": rel,
                                "Href": l["href"],
                                "Title": l.get("title").cloned().unwrap_or(Value::Null),
                                "FileNameWithExtension": null,
                                "MimeType": l.get("type").cloned().unwrap_or(Value::Null),
                                "IsTemplated": l.get("templated").and_then(Value::as_bool).unwrap_or(false),
                                "Encrypted": false,
                                "SigningLocked": false,
                                "SignedByDefault": false,
                                "FileSize": 0
                            })
                        })
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    fn walk(v: &Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v = if k == "_links" { links(v) } else { walk(v) };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(walk).collect()),
            other => other.clone(),
        }
    }
    match list_rel(kind) {
        Some(rel) => walk(&hal["_embedded"][rel]),
        None => walk(hal),
    }
}

/// What the plain form can carry: a list's own `_links` are dropped (a bare array has none),
/// every relation becomes an array (one link and an array of one are the same links), and a
/// link keeps `href`, `title`, `type` and `templated` only when true (the plain form has no
/// field for `name`, `profile`, `deprecation`, `hreflang`, and writes `IsTemplated: false` for
/// "not templated").
fn comparable(kind: &str, encoded: &Value) -> Value {
    fn links(v: &Value) -> Value {
        let Value::Object(rels) = v else {
            return v.clone();
        };
        Value::Object(
            rels.iter()
                .map(|(rel, value)| {
                    let list = match value {
                        Value::Array(items) => items.clone(),
                        one => vec![one.clone()],
                    };
                    let kept: Vec<Value> = list
                        .iter()
                        .map(|l| {
                            let mut m = Map::new();
                            m.insert("href".into(), l["href"].clone());
                            for key in ["title", "type"] {
                                if let Some(v) = l.get(key) {
                                    m.insert(key.into(), v.clone());
                                }
                            }
                            if l.get("templated") == Some(&Value::Bool(true)) {
                                m.insert("templated".into(), Value::Bool(true));
                            }
                            Value::Object(m)
                        })
                        .collect();
                    (rel.clone(), Value::Array(kept))
                })
                .collect(),
        )
    }
    fn walk(v: &Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v = if k == "_links" { links(v) } else { walk(v) };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(walk).collect()),
            other => other.clone(),
        }
    }
    let mut value = walk(encoded);
    if list_rel(kind).is_some()
        && let Value::Object(map) = &mut value
    {
        map.remove("_links");
        // The gateway's `AddressOrigin` is a field of the list, and a bare array has none.
        map.remove("AddressOrigin");
    }
    value
}

#[test]
fn every_hal_sample_and_its_plain_json_form_decode_to_equal_models() {
    let mut compared = 0;
    for sample in samples().iter().filter(|s| !s.name.starts_with("plain-")) {
        let hal = reencode_as(&sample.kind, &sample.value)
            .unwrap_or_else(|e| panic!("{}: {e}", sample.name));
        let plain_body = to_plain(&sample.kind, &sample.value);
        let plain = reencode_as(&sample.kind, &plain_body)
            .unwrap_or_else(|e| panic!("{} as plain JSON: {e}\n{plain_body:#}", sample.name));
        assert_eq!(
            comparable(&sample.kind, &plain),
            comparable(&sample.kind, &hal),
            "{}/{}: the plain-JSON form decodes differently",
            sample.kind,
            sample.name
        );
        compared += 1;
    }
    assert!(compared >= 17, "compared {compared}");
}

#[test]
fn the_plain_form_keeps_every_item_and_link() {
    // A concrete check that the comparison above is not vacuous.
    let body = br#"[{"Name": "A", "OrganizationNumber": "310000051", "_links": [
        {"Rel": "self", "Href": "https://x/310000051"},
        {"Rel": "officialcontacts", "Href": "https://x/310000051/officialcontacts"}]},
        {"Name": "B", "OrganizationNumber": "310000078", "_links": []}]"#;
    let list: OrganizationList = decode(body).unwrap();
    assert_eq!(list.items().len(), 2);
    assert_eq!(
        list.items()[0].links.href("officialcontacts"),
        Some("https://x/310000051/officialcontacts")
    );
    assert!(list.items()[1].links.is_empty());
    assert!(list.links.is_empty(), "a bare array has no list links");
}

/// Replaces the value at `path` (a list of keys and indexes) in `root`.
fn replace_at(root: &mut Value, path: &[Step], with: Value) {
    let mut at = root;
    for step in path {
        at = match step {
            Step::Key(k) => &mut at[k.as_str()],
            Step::Index(i) => &mut at[*i],
        };
    }
    *at = with;
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// serde_path_to_error's rendering of `path`: `a.b[0].c`, `.` for the root.
fn render(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    if out.is_empty() { ".".to_owned() } else { out }
}

/// Every object position in `v` (not below an unknown field, whose content is not modelled).
fn object_positions(v: &Value, path: &mut Vec<Step>, unknown: &[String], out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(map) => {
            out.push(path.clone());
            for (k, child) in map {
                if unknown.contains(k) {
                    continue;
                }
                path.push(Step::Key(k.clone()));
                object_positions(child, path, unknown, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push(Step::Index(i));
                object_positions(child, path, unknown, out);
                path.pop();
            }
        }
        _ => {}
    }
}

#[test]
fn an_array_where_an_object_belongs_is_refused_at_its_path() {
    let unknown = unknown_fields();
    let mut refused = 0;
    for sample in samples() {
        let mut positions = Vec::new();
        object_positions(&sample.value, &mut Vec::new(), &unknown, &mut positions);
        for path in positions {
            // A list's root as an array is Altinn 2's plain-JSON form, accepted on purpose.
            if path.is_empty() && list_rel(&sample.kind).is_some() {
                continue;
            }
            let mut body = sample.value.clone();
            let mut at = &body;
            for step in &path {
                at = match step {
                    Step::Key(k) => &at[k.as_str()],
                    Step::Index(i) => &at[*i],
                };
            }
            let positional: Vec<Value> = at.as_object().unwrap().values().cloned().collect();
            // `_links: []` is the plain form of no links, accepted on purpose.
            let is_links = matches!(path.last(), Some(Step::Key(k)) if k == "_links");
            if is_links && positional.is_empty() {
                continue;
            }
            replace_at(&mut body, &path, Value::Array(positional));
            let where_ = render(&path);
            let err = match reencode_as(&sample.kind, &body) {
                Ok(out) => panic!(
                    "{}/{}: an array at {where_} decoded by position: {out}",
                    sample.kind, sample.name
                ),
                Err(err) => err,
            };
            // The error is at the object itself, or (for `_links`, whose plain form is an array)
            // at the first item that is not a `{Rel, Href}` link.
            let inside = err.path == where_
                || (where_ == "." && !err.path.is_empty())
                || err.path.starts_with(&format!("{where_}["))
                || err.path.starts_with(&format!("{where_}."));
            assert!(
                inside,
                "{}/{}: array at {where_}, error at {}: {err}",
                sample.kind, sample.name, err.path
            );
            assert!(!err.truncated);
            refused += 1;
        }
    }
    assert!(refused > 200, "only {refused} positions tried");
}

/// One case per model type: an array in its place is an `invalid type` error at that path.
#[test]
fn each_model_type_refuses_an_array() {
    fn refused<T: DeserializeOwned + std::fmt::Debug>(body: &str, path: &str, what: &str) {
        let err = decode::<T>(body.as_bytes()).expect_err(body);
        assert_eq!(err.path, path, "{body}: {err}");
        assert!(err.message.contains("invalid type: sequence"), "{err}");
        assert!(err.message.contains(what), "{what} not in {err}");
    }
    refused::<Organization>(r#"["A", "310000051"]"#, ".", "`Organization` object");
    refused::<Organization>(
        r#"{"_embedded": [[{"MobileNumber": "1"}]]}"#,
        "_embedded",
        "`OrganizationEmbedded` object",
    );
    refused::<OrganizationList>(
        r#"{"_embedded": [[]]}"#,
        "_embedded",
        "`OrganizationListEmbedded` object",
    );
    refused::<OrganizationList>(r#"[["A", "310000051"]]"#, "[0]", "`Organization` object");
    refused::<OfficialContact>(r#"["22334455"]"#, ".", "`OfficialContact` object");
    refused::<OfficialContactList>(
        r#"{"_embedded": [[{"MobileNumber": "1"}]]}"#,
        "_embedded",
        "`OfficialContactListEmbedded` object",
    );
    refused::<OfficialContactList>(
        r#"[{"MobileNumber": "1"}, ["22334455"]]"#,
        "[1]",
        "`OfficialContact` object",
    );
    refused::<PersonalContact>(r#"["r50022994"]"#, ".", "`PersonalContact` object");
    refused::<PersonalContactList>(
        r#"{"_embedded": []}"#,
        "_embedded",
        "`PersonalContactListEmbedded` object",
    );
    refused::<PersonalContactList>(r#"[["r1"]]"#, "[0]", "`PersonalContact` object");
    refused::<Role>(r#"["Altinn", 89]"#, ".", "`Role` object");
    refused::<RoleList>(
        r#"{"_embedded": [[]]}"#,
        "_embedded",
        "`RoleListEmbedded` object",
    );
    refused::<RoleList>(r#"[["Altinn", 89]]"#, "[0]", "`Role` object");
    refused::<Link>(r#"["https://x"]"#, ".", "link object");
    refused::<Links>(r#"{"self": [["https://x"]]}"#, "self[0]", "link object");
    refused::<Links>(r#"[["self", "https://x"]]"#, "[0]", "`Rel` and `Href`");
    // A scalar where an object belongs is refused the same way.
    let err = decode::<Organization>(br#"{"_embedded": "officialcontacts"}"#).unwrap_err();
    assert_eq!(err.path, "_embedded");
    let err = decode::<OrganizationList>(b"42").unwrap_err();
    assert_eq!(err.path, ".");
}

#[test]
fn absent_fields_are_none_never_a_default() {
    let role: Role = decode(br#"{"RoleType": "Altinn", "RoleName": "Basisrolle"}"#).unwrap();
    assert_eq!(role.role_definition_id, None);
    assert_eq!(role.role_definition_code, None);
    let written = serde_json::to_value(&role).unwrap();
    assert_eq!(written["RoleDefinitionId"], Value::Null);
    let org: Organization = decode(br#"{"Type": "AS"}"#).unwrap();
    assert_eq!(org.name, None);
    assert_eq!(org.organization_number, None);
    assert_eq!(org.display_name(), None);
    let written = serde_json::to_value(&org).unwrap();
    assert_eq!(written["Name"], Value::Null);
    assert_eq!(written["OrganizationNumber"], Value::Null);
}

/// The issue's own examples: a HAL list given as an array by position, and an array of records
/// where one holds nothing the record knows, are refused instead of decoding to records of
/// nothing (or to an empty list).
#[test]
fn a_positional_hal_list_is_refused_not_read_as_empty_records() {
    let err = decode::<OfficialContactList>(
        br#"[{}, {"officialcontacts": [{"MobileNumber": "99999999"}]}]"#,
    )
    .unwrap_err();
    assert_eq!(err.path, "[0]");
    assert!(err.message.contains("holds none of its fields"), "{err}");
    let err = decode::<OrganizationList>(
        br#"[{"self": {"href": "https://x/organizations"}},
            {"organizations": [{"Name": "A", "OrganizationNumber": "310000051"}]}]"#,
    )
    .unwrap_err();
    assert_eq!(err.path, "[0]");
    // An item holding only unknown fields is no record either, in HAL too.
    let err = decode::<RoleList>(br#"{"_embedded": {"roles": [{"Unknown": 1}]}}"#).unwrap_err();
    assert_eq!(err.path, "_embedded.roles[0]");
    // A record with one known field, even `null`, is a record.
    let list: OfficialContactList = decode(br#"[{"MobileNumber": null}]"#).unwrap();
    assert_eq!(list.items().len(), 1);
}
