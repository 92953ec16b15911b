//! Whatever bytes arrive, decoding ends in `Ok` or a `DecodeError`, never a panic: truncated
//! samples, flipped bytes, spliced garbage and arbitrary input, for every resource type.

use std::path::PathBuf;

use altinn_contacts_model::{
    DecodeError, OfficialContactList, Organization, OrganizationList, PersonalContactList,
    RoleList, decode,
};
use proptest::prelude::*;

/// Every sample response, as bytes (read once per test binary).
fn samples() -> &'static [Vec<u8>] {
    static SAMPLES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    SAMPLES.get_or_init(read_samples)
}

fn read_samples() -> Vec<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).expect("samples/ exists") {
        let dir = dir.expect("a directory entry").path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).expect("a sample folder") {
            let file = file.expect("a directory entry").path();
            if file.extension().is_some_and(|e| e == "json") {
                out.push(std::fs::read(&file).expect("a readable sample"));
            }
        }
    }
    assert!(
        out.len() >= 17,
        "expected every sample, found {}",
        out.len()
    );
    out
}

/// Decodes `body` as every resource type; returns the results so a caller can assert on them.
fn decode_all(body: &[u8]) -> Vec<Result<(), DecodeError>> {
    vec![
        decode::<OrganizationList>(body).map(drop),
        decode::<Organization>(body).map(drop),
        decode::<OfficialContactList>(body).map(drop),
        decode::<PersonalContactList>(body).map(drop),
        decode::<RoleList>(body).map(drop),
    ]
}

/// Decodes `body` as the type a sample folder names.
fn decode_as(folder: &str, body: &[u8]) -> Result<(), DecodeError> {
    match folder {
        "OrganizationList" => decode::<OrganizationList>(body).map(drop),
        "Organization" => decode::<Organization>(body).map(drop),
        "OfficialContactList" => decode::<OfficialContactList>(body).map(drop),
        "PersonalContactList" => decode::<PersonalContactList>(body).map(drop),
        "RoleList" => decode::<RoleList>(body).map(drop),
        other => panic!("a sample folder this test does not know: {other}"),
    }
}

#[test]
fn every_truncation_of_every_sample_is_an_error_flagged_as_truncated() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut checked = 0;
    for dir in std::fs::read_dir(&root).expect("samples/ exists") {
        let dir = dir.expect("a directory entry").path();
        if !dir.is_dir() {
            continue;
        }
        let folder = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        for file in std::fs::read_dir(&dir).expect("a sample folder") {
            let file = file.expect("a directory entry").path();
            if file.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let sample = std::fs::read(&file).expect("a readable sample");
            decode_as(&folder, &sample).expect("the whole sample decodes");
            let end = sample.trim_ascii_end().len();
            // Every cut inside the document (a cut in trailing white space leaves it whole).
            for cut in 1..end {
                let body = &sample[..cut];
                if body.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let err = decode_as(&folder, body).expect_err("a truncated body must not decode");
                assert!(err.truncated, "{} cut at {cut}: {err:?}", file.display());
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000, "only {checked} cuts checked");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn flipped_bytes_never_panic(index in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut body = index.get(samples()).clone();
        let i = at.index(body.len());
        body[i] = byte;
        let _ = decode_all(&body);
    }

    #[test]
    fn spliced_garbage_never_panics(
        index in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        garbage in prop::collection::vec(any::<u8>(), 0..32),
    ) {
        let sample = index.get(samples());
        let i = at.index(sample.len());
        let mut body = sample[..i].to_vec();
        body.extend_from_slice(&garbage);
        body.extend_from_slice(&sample[i..]);
        let _ = decode_all(&body);
    }

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode_all(&body);
    }

    #[test]
    fn decode_errors_never_quote_an_identity_number(ssn in "[0-9]{11}") {
        // A wrong type carrying an identity number, at several places.
        for body in [
            format!(r#"{{"_embedded":{{"personalcontacts":[{{"SocialSecurityNumber":{{"x":"{ssn}"}}}}]}}}}"#),
            format!(r#"{{"_embedded":{{"personalcontacts":[{{"Name":["{ssn}"]}}]}}}}"#),
            format!(r#"{{"_embedded":{{"personalcontacts":[{{"MobileNumberChanged":"{ssn}"}}]}}}}"#),
        ] {
            let err = decode::<PersonalContactList>(body.as_bytes()).expect_err("a wrong type");
            let shown = format!("{err} {err:?}");
            prop_assert!(!shown.contains(&ssn), "{}", shown);
        }
    }
}

/// Every sample with its folder name (the type it decodes into), as JSON values.
fn sample_values() -> &'static [(String, serde_json::Value)] {
    static VALUES: std::sync::OnceLock<Vec<(String, serde_json::Value)>> =
        std::sync::OnceLock::new();
    VALUES.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
        let mut out = Vec::new();
        for dir in std::fs::read_dir(&root).expect("samples/ exists") {
            let dir = dir.expect("a directory entry").path();
            if !dir.is_dir() {
                continue;
            }
            let folder = dir.file_name().unwrap().to_string_lossy().into_owned();
            for file in std::fs::read_dir(&dir).expect("a sample folder") {
                let file = file.expect("a directory entry").path();
                let value: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
                out.push((folder.clone(), value));
            }
        }
        out.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| a.1.to_string().cmp(&b.1.to_string()))
        });
        out
    })
}

/// JSON pointers of every value in `v` (the root included).
fn value_pointers(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map {
                let key = k.replace('~', "~0").replace('/', "~1");
                value_pointers(child, format!("{at}/{key}"), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                value_pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// The ways an identity number is fed into a field: a string, a number (and negative, float),
/// and nested in objects and arrays, as a value and as a key.
fn identity_forms(ssn: &str) -> Vec<serde_json::Value> {
    let number: serde_json::Value = serde_json::from_str(ssn.trim_start_matches('0'))
        .unwrap_or_else(|_| serde_json::json!(16117701547_u64));
    let float: serde_json::Value =
        serde_json::from_str(&format!("{}.5", ssn.trim_start_matches('0'))).unwrap();
    vec![
        serde_json::json!(ssn),
        number.clone(),
        serde_json::json!(-number.as_i64().unwrap_or(1)),
        float,
        serde_json::json!({ "x": ssn, "href": number }),
        serde_json::json!([ssn, number]),
        serde_json::json!([[ssn]]),
        serde_json::json!({ ssn: { "href": number } }),
        serde_json::json!([{ "Rel": ssn, "Href": number }]),
    ]
}

/// True when `text` holds a run of eleven or more digits.
fn has_identity_run(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 11 {
            return true;
        }
    }
    false
}

/// Puts `form` at `pointer` in sample `index`, decodes it as the sample's type and checks that
/// a failure names no identity number, in `Display` or `Debug`.
fn check_no_identity_in_error(index: usize, pointer: &str, form: &serde_json::Value) {
    let (folder, value) = &sample_values()[index];
    let mut body = value.clone();
    match body.pointer_mut(pointer) {
        Some(slot) => *slot = form.clone(),
        None => return,
    }
    let bytes = serde_json::to_vec(&body).unwrap();
    if let Err(err) = decode_as(folder, &bytes) {
        let shown = format!("{err} {err:?} {err:#?}");
        assert!(
            !has_identity_run(&shown),
            "{folder} {pointer} = {form}: {shown}"
        );
    }
}

/// Every value position of every sample, every form, one identity number.
#[test]
fn no_decode_error_names_an_identity_number_anywhere() {
    let forms = identity_forms("16117701547");
    let mut failures_seen = 0;
    for (index, (folder, value)) in sample_values().iter().enumerate() {
        let mut pointers = Vec::new();
        value_pointers(value, String::new(), &mut pointers);
        for pointer in &pointers {
            for form in &forms {
                check_no_identity_in_error(index, pointer, form);
                let mut body = value.clone();
                if let Some(slot) = body.pointer_mut(pointer) {
                    *slot = form.clone();
                    failures_seen += usize::from(
                        decode_as(folder, &serde_json::to_vec(&body).unwrap()).is_err(),
                    );
                }
            }
        }
    }
    assert!(
        failures_seen > 1000,
        "only {failures_seen} decode errors checked"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn identity_numbers_in_any_field_never_reach_error_text(
        ssn in "[0-9]{11}",
        sample in any::<prop::sample::Index>(),
        position in any::<prop::sample::Index>(),
        form in any::<prop::sample::Index>(),
    ) {
        let index = sample.index(sample_values().len());
        let mut pointers = Vec::new();
        value_pointers(&sample_values()[index].1, String::new(), &mut pointers);
        let pointer = position.get(&pointers);
        let forms = identity_forms(&ssn);
        check_no_identity_in_error(index, pointer, form.get(&forms));
    }
}
