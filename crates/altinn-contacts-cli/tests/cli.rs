//! The binary itself, as built by cargo for this package (`CARGO_BIN_EXE_altinn-contacts`).
//! Being here also makes `cargo test --workspace` build the binary, which the end-to-end tests
//! in `tests/` run; those cover every command in depth.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_altinn-contacts"));
    for (name, _) in std::env::vars() {
        if name.starts_with("ALTINN_") {
            cmd.env_remove(name);
        }
    }
    cmd.args(args).output().expect("the binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn help_lists_the_commands_and_exits_0() {
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for command in [
        "organizations",
        "search",
        "organization",
        "official-contacts",
        "personal-contacts",
        "roles",
        "sandbox",
        "bulk",
    ] {
        assert!(text.contains(command), "{command} missing from\n{text}");
    }
    assert!(text.contains("[env: ALTINN_API_KEY"), "{text}");
}

#[test]
fn usage_errors_exit_2() {
    let out = run(&["--sandbox", "roles", "910021451"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("error:"), "{}", stderr(&out));
    let out = run(&["--sandbox", "official-contacts", "12345"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(stderr(&out).starts_with("error: invalid organization number"));
}

#[test]
fn the_embedded_sandbox_answers() {
    let out = run(&[
        "--sandbox",
        "--format",
        "jsonl",
        "official-contacts",
        "910021451",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["MobileNumber"], "22334455");
}
