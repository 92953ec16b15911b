//! `cargo xtask codegen` against the committed samples and generated files, and on temporary
//! copies of them.

use std::path::{Path, PathBuf};

use serde_json::Value;
use xtask::codegen::{HEADER, codegen, generate};

/// A temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path =
            std::env::temp_dir().join(format!("xtask-{label}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// File name to bytes, for every file directly in `dir`.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn regenerating_into_a_temporary_folder_gives_the_committed_files_byte_for_byte() {
    let out = TempDir::new("regen");
    let outcome = codegen(&xtask::samples_dir(), out.path(), false).unwrap();
    assert!(outcome.stale.is_empty());
    let committed = files(&xtask::generated_dir());
    let fresh = files(out.path());
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&fresh), names(&committed));
    for ((name, fresh), (_, committed)) in fresh.iter().zip(&committed) {
        assert!(
            fresh == committed,
            "{name} differs from the committed file; run `cargo xtask codegen`"
        );
        let text = String::from_utf8(fresh.clone()).unwrap();
        assert!(
            text.starts_with(HEADER),
            "{name} lacks the generated header"
        );
    }
}

#[test]
fn output_is_deterministic() {
    let first = generate(&xtask::samples_dir()).unwrap();
    let second = generate(&xtask::samples_dir()).unwrap();
    assert_eq!(first, second);
}

#[test]
fn check_mode_passes_on_the_committed_files() {
    let outcome = codegen(&xtask::samples_dir(), &xtask::generated_dir(), true).unwrap();
    assert!(outcome.is_fresh(), "stale: {:?}", outcome.stale);
    assert!(outcome.written.is_empty() && outcome.removed.is_empty());
}

#[test]
fn check_mode_names_each_hand_edited_missing_or_extra_file_and_changes_nothing() {
    let out = TempDir::new("check");
    copy_dir(&xtask::generated_dir(), out.path());

    let edited = out.path().join("role.rs");
    let text = std::fs::read_to_string(&edited).unwrap();
    let hand_edit = text.replace("pub role_id: Option<i64>", "pub role_id: Option<u32>");
    assert_ne!(hand_edit, text, "the edit must change something");
    std::fs::write(&edited, &hand_edit).unwrap();
    let missing = out.path().join("personal_contact.rs");
    std::fs::remove_file(&missing).unwrap();
    let extra = out.path().join("leftover.rs");
    std::fs::write(&extra, format!("{HEADER}\n")).unwrap();
    let before = files(out.path());

    let outcome = codegen(&xtask::samples_dir(), out.path(), true).unwrap();
    let mut stale = outcome.stale.clone();
    stale.sort();
    let mut expected = vec![edited.clone(), missing.clone(), extra.clone()];
    expected.sort();
    assert_eq!(stale, expected);
    assert_eq!(files(out.path()), before, "check mode wrote something");

    // Without --check the same run repairs all three.
    let outcome = codegen(&xtask::samples_dir(), out.path(), false).unwrap();
    assert_eq!(outcome.removed, vec![extra]);
    assert_eq!(outcome.written.len(), 2);
    assert_eq!(files(out.path()), files(&xtask::generated_dir()));
    assert!(
        codegen(&xtask::samples_dir(), out.path(), true)
            .unwrap()
            .is_fresh()
    );
}

#[test]
fn a_new_field_in_one_sample_appears_as_an_optional_member() {
    let samples = TempDir::new("samples");
    copy_dir(&xtask::samples_dir(), samples.path());
    let file = samples
        .path()
        .join("OrganizationList/seed-all-organizations.json");
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    doc["_embedded"]["organizations"][0]
        .as_object_mut()
        .unwrap()
        .insert("PreferredLanguage".into(), "nb".into());
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();

    // Without a doc line for the new field, codegen refuses and names it.
    let err = generate(samples.path()).unwrap_err();
    assert!(
        err.message().contains("Organization.PreferredLanguage"),
        "{err}"
    );
    let hints_path = samples.path().join("hints.json");
    let mut hints: Value = serde_json::from_slice(&std::fs::read(&hints_path).unwrap()).unwrap();
    hints["fields"].as_object_mut().unwrap().insert(
        "PreferredLanguage".into(),
        serde_json::json!({"doc": "The language the organization prefers."}),
    );
    std::fs::write(&hints_path, serde_json::to_vec(&hints).unwrap()).unwrap();

    let generated = generate(samples.path()).unwrap();
    let organization = &generated["organization.rs"];
    // Whitespace and doc-comment markers out, so wrapping does not matter.
    let squashed: String = organization.replace("///", "").split_whitespace().collect();
    assert!(
        squashed.contains(
            "(onlysomeresponsescarryit).#[serde(rename=\"PreferredLanguage\",skip_serializing_if=\"Option::is_none\")]pubpreferred_language:Option<String>,"
        ),
        "{organization}"
    );
    assert!(
        squashed.contains(
            "#[serde(rename=\"PreferredLanguage\",default)]preferred_language:Option<String>,"
        ),
        "{organization}"
    );
    // Only the struct that gained the field changes.
    let committed = generate(&xtask::samples_dir()).unwrap();
    for (name, text) in &committed {
        if name != "organization.rs" {
            assert_eq!(&generated[name], text, "{name}");
        }
    }
    assert!(!committed["organization.rs"].contains("preferred_language"));
}

#[test]
fn a_stale_hint_fails_the_run_with_a_message() {
    let samples = TempDir::new("stale-hint");
    copy_dir(&xtask::samples_dir(), samples.path());
    let hints_path = samples.path().join("hints.json");
    let mut hints: Value = serde_json::from_slice(&std::fs::read(&hints_path).unwrap()).unwrap();
    hints["fields"].as_object_mut().unwrap().insert(
        "Organization.Gone".into(),
        serde_json::json!({"rename": "gone"}),
    );
    std::fs::write(&hints_path, serde_json::to_vec(&hints).unwrap()).unwrap();
    let err = generate(samples.path()).unwrap_err();
    assert!(err.message().contains("fields.Organization.Gone"), "{err}");
}

#[test]
fn the_command_line_checks_the_committed_files() {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["codegen", "--check"])
        .status()
        .unwrap();
    assert!(status.success());
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["codegen", "--bogus"])
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}

/// Conventions of the committed output: no public struct derives `Deserialize` (serde's derive
/// would fill it from an array by position); each has a hand-written one through
/// `crate::de`, and every field has a doc line saying what it means.
#[test]
fn generated_structs_decode_from_objects_only_and_document_every_field() {
    for (name, text) in files(&xtask::generated_dir()) {
        if name == "mod.rs" {
            continue;
        }
        let text = String::from_utf8(text).unwrap();
        let public = text.matches("\npub struct ").count();
        assert!(public > 0, "{name}");
        let impls = text.matches("impl<'de> Deserialize<'de> for ").count();
        assert_eq!(
            impls, public,
            "{name}: a hand-written Deserialize per struct"
        );
        assert_eq!(
            text.matches("crate::de::map_").count() + text.matches("crate::de::record::<").count(),
            public,
            "{name}: each through crate::de"
        );
        for (i, line) in text.lines().enumerate() {
            if line.starts_with("#[derive(") && line.contains("Deserialize") {
                let next = text.lines().nth(i + 1).unwrap_or("");
                assert!(
                    !next.starts_with("#[non_exhaustive]") && !next.starts_with("pub struct"),
                    "{name}:{}: a public struct derives Deserialize",
                    i + 1
                );
            }
            if line.trim_start().starts_with("pub ") && line.contains(':') && !line.contains("fn ")
            {
                let before: Vec<&str> = text.lines().take(i).collect();
                let attrs_and_docs: Vec<&&str> = before
                    .iter()
                    .rev()
                    .take_while(|l| {
                        let t = l.trim_start();
                        t.starts_with("///")
                            || t.starts_with("#[")
                            || t.starts_with(')')
                            || t.starts_with("rename")
                            || t.starts_with("serialize_with")
                            || t.starts_with("skip_serializing_if")
                            || t.starts_with('"')
                    })
                    .collect();
                assert!(
                    attrs_and_docs.iter().any(|l| l.contains("/// JSON `")),
                    "{name}:{}: field without its doc: {line}",
                    i + 1
                );
            }
        }
    }
}
