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
        "serve",
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

#[test]
fn completions_for_every_shell_go_to_stdout() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        assert!(out.stderr.is_empty(), "{shell}: {}", stderr(&out));
        let text = String::from_utf8(out.stdout).expect("UTF-8");
        assert!(!text.trim().is_empty(), "{shell}: empty script");
        assert!(text.contains("altinn-contacts"), "{shell}: no binary name");
        assert!(text.contains("official-contacts"), "{shell}: no subcommand");
        if shell == "bash" {
            // The script parses as bash (`bash -n` checks syntax only), where bash is installed.
            let check = std::process::Command::new("bash")
                .arg("-n")
                .stdin(std::process::Stdio::piped())
                .spawn();
            if let Ok(mut child) = check {
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(text.as_bytes())
                    .unwrap();
                let status = child.wait().unwrap();
                assert!(status.success(), "bash -n refused the script");
            }
        }
    }
    let out = run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
