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
