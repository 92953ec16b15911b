//! The sample responses in `samples/` against the generated types.
//!
//! `samples/<Type>/*.json` holds responses whose root is `<Type>`; every test here runs over all
//! of them, so a new sample file is covered without touching this file (a new folder needs one
//! line in [`reencode_as`]).

use std::path::{Path, PathBuf};

use altinn_contacts_model::{
    DecodeError, OfficialContactList, Organization, OrganizationList, PersonalContactList,
    RoleList, decode,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// One sample response.
struct Sample {
    /// The folder name: the type the response decodes into.
    kind: String,
    path: PathBuf,
    bytes: Vec<u8>,
}

impl Sample {
    fn value(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", self.path.display()))
    }
}

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
}

fn samples() -> Vec<Sample> {
    let mut out = Vec::new();
    for folder in sorted_entries(&samples_dir()) {
        if !folder.is_dir() {
            continue;
        }
        let kind = folder.file_name().unwrap().to_string_lossy().into_owned();
        for path in sorted_entries(&folder) {
            let bytes = std::fs::read(&path).unwrap();
            out.push(Sample {
                kind: kind.clone(),
                path,
                bytes,
            });
        }
    }
    assert!(
        out.len() >= 6,
        "the six seed samples at least, got {}",
        out.len()
    );
    out
}

/// Decodes `bytes` as `T` (through [`decode`], as the client does) and encodes it back.
fn reencode<T: DeserializeOwned + Serialize>(bytes: &[u8]) -> Result<Value, DecodeError> {
    let model: T = decode(bytes)?;
    Ok(serde_json::to_value(&model).expect("a model always serializes"))
}

/// Decodes `bytes` as `T` and writes it in Altinn 2's plain-JSON form.
fn reencode_plain<T: DeserializeOwned>(
    bytes: &[u8],
    plain: fn(&T) -> Value,
) -> Result<Value, DecodeError> {
    let model: T = decode(bytes)?;
    Ok(plain(&model))
}

/// Decodes `bytes` as the type a sample folder is named after, and writes it in the plain-JSON
/// form (a bare array for a list, `_links` as an array of `{Rel, Href, ...}`).
fn reencode_plain_as(kind: &str, bytes: &[u8]) -> Result<Value, DecodeError> {
    match kind {
        "Organization" => reencode_plain(bytes, Organization::to_plain_json),
        "OrganizationList" => reencode_plain(bytes, OrganizationList::to_plain_json),
        "OfficialContactList" => reencode_plain(bytes, OfficialContactList::to_plain_json),
        "PersonalContactList" => reencode_plain(bytes, PersonalContactList::to_plain_json),
        "RoleList" => reencode_plain(bytes, RoleList::to_plain_json),
        other => panic!("samples/{other}/ has no type in this test; add it to `reencode_plain_as`"),
    }
}

/// True for a sample in Altinn 2's plain-JSON form (`plain-*.json`).
fn is_plain(sample: &Sample) -> bool {
    sample
        .path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("plain-"))
}

/// Decodes `bytes` as the type a sample folder is named after, and encodes it back.
fn reencode_as(kind: &str, bytes: &[u8]) -> Result<Value, DecodeError> {
    match kind {
        "Organization" => reencode::<Organization>(bytes),
        "OrganizationList" => reencode::<OrganizationList>(bytes),
        "OfficialContactList" => reencode::<OfficialContactList>(bytes),
        "PersonalContactList" => reencode::<PersonalContactList>(bytes),
        "RoleList" => reencode::<RoleList>(bytes),
        other => panic!("samples/{other}/ has no type in this test; add it to `reencode_as`"),
    }
}

/// The fields that hold Altinn timestamps. Kept explicit so the normalization below says exactly
/// what it touches; `timestamp_field_list_is_complete` fails when a sample adds one.
const TIMESTAMP_FIELDS: &[&str] = &[
    "LastChanged",
    "LastConfirmed",
    "MobileNumberChanged",
    "EMailAddressChanged",
    "DelegatedTime",
];

/// Altinn's ways of writing "never" in a timestamp field.
const NEVER: &[&str] = &["", "0001-01-01T00:00:00"];

/// The field names `samples/hints.json` lists as `unknown_fields`: put into samples on purpose,
/// never modelled.
fn unknown_fields() -> Vec<String> {
    let text = std::fs::read_to_string(samples_dir().join("hints.json")).unwrap();
    let hints: Value = serde_json::from_str(&text).unwrap();
    hints["unknown_fields"]
        .as_array()
        .expect("hints.json has unknown_fields")
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// What a decode-encode round trip may change, applied to the sample before it is compared
/// with the re-encoded model (as JSON values, so key order and whitespace never matter):
///
/// 1. "Never" timestamps: in a [`TIMESTAMP_FIELDS`] field, `""` and `"0001-01-01T00:00:00"`
///    decode to `None` and are written back as `null`.
/// 2. Unknown fields: fields named in `hints.json` `unknown_fields` are not modelled, so they are
///    dropped wherever they occur (resources, `_embedded`, link objects).
///
/// and to the re-encoded output:
///
/// 3. Missing optional fields: a field the sample lacks that the model writes as `null` (an
///    `Option` that other samples showed as `null`) is dropped from the output, so only fields
///    the sample has are compared for it.
///
/// Nothing else is normalized: every other value, including padded names, `\r\n` in text,
/// malformed organization numbers, a link relation given as an array and every link attribute,
/// must come back exactly.
fn normalize(sample: &Value, output: &Value, unknown: &[String]) -> (Value, Value) {
    fn sample_side(v: &Value, unknown: &[String]) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(k, _)| !unknown.contains(k))
                    .map(|(k, v)| {
                        let never = TIMESTAMP_FIELDS.contains(&k.as_str())
                            && v.as_str().is_some_and(|s| NEVER.contains(&s));
                        let v = if never {
                            Value::Null
                        } else {
                            sample_side(v, unknown)
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| sample_side(v, unknown)).collect())
            }
            other => other.clone(),
        }
    }
    fn output_side(out: &Value, sample: &Value) -> Value {
        match (out, sample) {
            (Value::Object(o), Value::Object(s)) => Value::Object(
                o.iter()
                    .filter(|(k, v)| !v.is_null() || s.contains_key(*k))
                    .map(|(k, v)| {
                        let v = match s.get(k) {
                            Some(sv) => output_side(v, sv),
                            None => v.clone(),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            (Value::Array(o), Value::Array(s)) => Value::Array(
                o.iter()
                    .enumerate()
                    .map(|(i, v)| match s.get(i) {
                        Some(sv) => output_side(v, sv),
                        None => v.clone(),
                    })
                    .collect(),
            ),
            (o, _) => o.clone(),
        }
    }
    let expected = sample_side(sample, unknown);
    let actual = output_side(output, &expected);
    (expected, actual)
}

#[test]
fn every_sample_round_trips() {
    let unknown = unknown_fields();
    let mut plain = 0;
    for sample in samples() {
        // A plain-JSON sample is written back in its own form; a HAL sample as HAL.
        let output = if is_plain(&sample) {
            plain += 1;
            reencode_plain_as(&sample.kind, &sample.bytes)
        } else {
            reencode_as(&sample.kind, &sample.bytes)
        }
        .unwrap_or_else(|e| panic!("{}: {e}", sample.path.display()));
        let (expected, actual) = normalize(&sample.value(), &output, &unknown);
        assert_eq!(
            actual,
            expected,
            "{} does not round-trip;\nre-encoded: {}",
            sample.path.display(),
            serde_json::to_string_pretty(&output).unwrap()
        );
    }
    assert!(plain >= 5, "a plain-JSON sample per root type, got {plain}");
}

/// The normalization is not a blanket excuse: without it, the samples with sentinels and
/// unknown fields differ, and the seed samples need none of it.
#[test]
fn normalization_is_needed_only_where_documented() {
    let unknown = unknown_fields();
    let mut needed = Vec::new();
    for sample in samples() {
        let output = reencode_as(&sample.kind, &sample.bytes).unwrap();
        let (expected, _) = normalize(&sample.value(), &output, &unknown);
        if expected != sample.value() {
            needed.push(
                sample
                    .path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    for name in &needed {
        assert!(
            name.starts_with("quirk-") || name.starts_with("plain-"),
            "{name} needed normalizing"
        );
    }
    for name in [
        "quirk-unknown-fields.json",
        "quirk-empty-null-and-sentinel.json",
        "quirk-one-contact-point.json",
        "quirk-expand-official-contacts.json",
    ] {
        assert!(
            needed.iter().any(|n| n == name),
            "{name} should need normalizing: {needed:?}"
        );
    }
}

/// Every field that holds a timestamp in some sample is in [`TIMESTAMP_FIELDS`], so the
/// normalization cannot silently miss a new one.
#[test]
fn timestamp_field_list_is_complete() {
    fn visit(v: &Value, found: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    let looks_like_time = v.as_str().is_some_and(|s| {
                        s.len() >= 19 && s.as_bytes()[4] == b'-' && s.as_bytes()[10] == b'T'
                    });
                    if looks_like_time && !found.contains(k) {
                        found.push(k.clone());
                    }
                    visit(v, found);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| visit(v, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    for sample in samples() {
        visit(&sample.value(), &mut found);
    }
    for field in &found {
        assert!(
            TIMESTAMP_FIELDS.contains(&field.as_str()),
            "{field} holds timestamps"
        );
    }
    for field in TIMESTAMP_FIELDS {
        assert!(found.iter().any(|f| f == field), "{field} is in no sample");
    }
}

/// Adds unknown fields to every object of `v`: one holding an object everywhere, and scalars
/// everywhere except directly inside `_links`, where HAL allows only link objects and arrays.
fn inject_unknown(v: &mut Value, inside_links: bool) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                inject_unknown(child, k == "_links");
            }
            map.insert(
                "XUnknownObject".into(),
                json!({"nested": [1, "two", null, {"deep": true}], "empty": {}}),
            );
            if !inside_links {
                map.insert("XUnknownString".into(), json!("surprise"));
                map.insert("XUnknownNumber".into(), json!(12.5));
                map.insert("XUnknownNull".into(), Value::Null);
                map.insert("XUnknownArray".into(), json!([]));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| inject_unknown(i, false)),
        _ => {}
    }
}

fn remove_injected(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|k, _| !k.starts_with("XUnknown"));
            map.values_mut().for_each(remove_injected);
        }
        Value::Array(items) => items.iter_mut().for_each(remove_injected),
        _ => {}
    }
}

#[test]
fn unknown_fields_in_every_object_are_ignored() {
    for sample in samples() {
        let mut noisy = sample.value();
        inject_unknown(&mut noisy, false);
        let noisy_bytes = serde_json::to_vec(&noisy).unwrap();
        let mut from_noisy = reencode_as(&sample.kind, &noisy_bytes)
            .unwrap_or_else(|e| panic!("{} with unknown fields: {e}", sample.path.display()));
        // An unknown key directly in `_links` is a relation to HAL and is kept as one; drop it so
        // the rest can be compared.
        remove_injected(&mut from_noisy);
        let plain = reencode_as(&sample.kind, &sample.bytes).unwrap();
        assert_eq!(from_noisy, plain, "{}", sample.path.display());
    }
}

fn seed(kind: &str, file: &str) -> Value {
    let path = samples_dir().join(kind).join(file);
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

/// Sets the value at JSON pointer `at` in a seed sample, decodes, and returns the error.
fn decode_error(kind: &str, file: &str, at: &str, bad: Value) -> DecodeError {
    let mut doc = seed(kind, file);
    *doc.pointer_mut(at)
        .unwrap_or_else(|| panic!("{at} not in {file}")) = bad;
    let bytes = serde_json::to_vec(&doc).unwrap();
    match reencode_as(kind, &bytes) {
        Ok(_) => panic!("{kind} with {at} changed decoded"),
        Err(err) => err,
    }
}

#[test]
fn a_wrong_type_in_a_known_field_names_its_json_path() {
    let cases = [
        (
            "OrganizationList",
            "seed-all-organizations.json",
            "/_embedded/organizations/0/LastChanged",
            json!(42),
            "_embedded.organizations[0].LastChanged",
        ),
        (
            "OrganizationList",
            "seed-search-by-contact-point.json",
            "/_embedded/organizations/1/Name",
            json!({"first": "x"}),
            "_embedded.organizations[1].Name",
        ),
        (
            "Organization",
            "seed-one-organization.json",
            "/OrganizationNumber",
            json!(10000211),
            "OrganizationNumber",
        ),
        (
            "OfficialContactList",
            "seed-official-contacts.json",
            "/_embedded/officialcontacts/1/MobileNumber",
            json!(33445566),
            "_embedded.officialcontacts[1].MobileNumber",
        ),
        (
            "OfficialContactList",
            "seed-official-contacts.json",
            "/_embedded/officialcontacts/0/EMailAddressChanged",
            json!("yesterday"),
            "_embedded.officialcontacts[0].EMailAddressChanged",
        ),
        (
            "PersonalContactList",
            "seed-personal-contacts.json",
            "/_embedded/personalcontacts/1/SocialSecurityNumber",
            json!(11106700992_u64),
            "_embedded.personalcontacts[1].SocialSecurityNumber",
        ),
        (
            "RoleList",
            "seed-roles.json",
            "/_embedded/roles/3/RoleDefinitionId",
            // A string of digits ("131") is read as the number; anything else in a string is not.
            json!("131a"),
            "_embedded.roles[3].RoleDefinitionId",
        ),
        (
            "RoleList",
            "seed-roles.json",
            "/_embedded",
            json!("roles"),
            "_embedded",
        ),
    ];
    for (kind, file, at, bad, path) in cases {
        let err = decode_error(kind, file, at, bad);
        assert_eq!(err.path, path, "{kind} {at}: {err}");
        assert!(err.to_string().contains(path), "{err}");
        assert!(!err.truncated);
    }
}

#[test]
fn a_wrong_type_inside_links_names_the_relation() {
    let err = decode_error(
        "Organization",
        "seed-one-organization.json",
        "/_links/self/href",
        json!(true),
    );
    assert!(err.path.starts_with("_links.self"), "{err}");
}

#[test]
fn an_identity_number_never_shows_in_debug_output_nor_errors() {
    let mut seen = 0;
    for sample in samples()
        .into_iter()
        .filter(|s| s.kind == "PersonalContactList")
    {
        let list: PersonalContactList = decode(&sample.bytes).unwrap();
        let whole = format!("{list:?} {list:#?}");
        for contact in list.items() {
            let digits = contact
                .social_security_number
                .as_ref()
                .expect("every sample person has one")
                .reveal();
            assert_eq!(digits.len(), 11, "{}", sample.path.display());
            assert!(!whole.contains(digits));
            let debug = format!("{contact:?} {contact:#?}");
            // No run of six or more of its digits, in order, anywhere in the output.
            for window in digits.as_bytes().windows(6) {
                let window = std::str::from_utf8(window).unwrap();
                assert!(
                    !debug.contains(window),
                    "{window} of an identity number in {debug}"
                );
            }
            seen += 1;
        }
    }
    assert!(seen >= 5, "personal contacts checked: {seen}");

    let err = decode_error(
        "PersonalContactList",
        "seed-personal-contacts.json",
        "/_embedded/personalcontacts/0/SocialSecurityNumber",
        json!(["06117701547"]),
    );
    assert!(!format!("{err} {err:?}").contains("06117701547"), "{err:?}");
}

/// The quirks the samples exist for decode to what they mean.
#[test]
fn quirks_decode_to_what_they_mean() {
    let padded: OrganizationList = decode(
        &std::fs::read(
            samples_dir().join("OrganizationList/quirk-padded-org-number-null-type.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let org = &padded.items()[0];
    let number = org.organization_number.as_ref().unwrap();
    assert_eq!(number.as_str(), "00210    ");
    assert!(!number.is_valid());
    assert_eq!(org.organization_type, None);

    let expanded: Organization = decode(
        &std::fs::read(samples_dir().join("Organization/quirk-expand-official-contacts.json"))
            .unwrap(),
    )
    .unwrap();
    let contacts = expanded.official_contacts();
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[0].email(), None);
    assert!(contacts[0].email_address_changed.is_none());
    assert_eq!(contacts[1].email(), Some("post@herdla-sauland.no"));

    let roles: RoleList = decode(
        &std::fs::read(samples_dir().join("RoleList/quirk-local-and-external-roles.json")).unwrap(),
    )
    .unwrap();
    let local = &roles.items()[1];
    assert_eq!(
        local.role_type,
        Some(altinn_contacts_model::RoleType::LOCAL)
    );
    // 0 is a real id (a local role), not a default standing in for a missing value.
    assert_eq!(local.role_definition_id, Some(0));
    assert_eq!(local.role_definition_code, None);
    assert_eq!(local.role_id, Some(1234567));
    assert_eq!(
        local.delegated_time.map(|t| t.to_string()).as_deref(),
        Some("2019-02-12T13:45:10.5")
    );
    assert_eq!(
        roles.items()[0].role_type,
        Some(altinn_contacts_model::RoleType::EXTERNAL)
    );

    let arrays: OrganizationList = decode(
        &std::fs::read(samples_dir().join("OrganizationList/quirk-link-relation-array.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(arrays.links.get_all("alternate").len(), 2);
    assert_eq!(
        arrays.items()[0].links.href("self"),
        Some("https://www.altinn.no/api/serviceowner/organizations/310000027")
    );

    let templated: OrganizationList = decode(
        &std::fs::read(samples_dir().join("OrganizationList/quirk-templated-links.json")).unwrap(),
    )
    .unwrap();
    let search = templated.links.get("search").unwrap();
    assert!(search.is_templated());
    assert_eq!(search.hreflang.as_deref(), Some("nb"));
}
