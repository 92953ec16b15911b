//! `cargo xtask`: the command line of the workspace's development tasks.

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  codegen           regenerate crates/altinn-contacts-model/src/generated/ from samples/
  codegen --check   change nothing; fail and name each generated file that is stale";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => codegen(false),
        ["codegen", "--check"] => codegen(true),
        ["help" | "--help" | "-h"] => {
            eprintln!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn codegen(check: bool) -> ExitCode {
    let root = xtask::workspace_root();
    let show = |p: &std::path::Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
    match xtask::codegen::codegen(&xtask::samples_dir(), &xtask::generated_dir(), check) {
        Err(err) => {
            eprintln!("error: codegen: {err}");
            ExitCode::FAILURE
        }
        Ok(outcome) if check => {
            if outcome.is_fresh() {
                return ExitCode::SUCCESS;
            }
            for path in &outcome.stale {
                eprintln!("stale: {}", show(path));
            }
            eprintln!(
                "error: {} generated file(s) are stale; run `cargo xtask codegen` and commit the result",
                outcome.stale.len()
            );
            ExitCode::FAILURE
        }
        Ok(outcome) => {
            for path in &outcome.written {
                eprintln!("wrote {}", show(path));
            }
            for path in &outcome.removed {
                eprintln!("removed {}", show(path));
            }
            ExitCode::SUCCESS
        }
    }
}
