//! `cargo xtask`: the command line of the workspace's development tasks.

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  codegen           regenerate crates/altinn-contacts-model/src/generated/ from samples/
  codegen --check   change nothing; fail and name each generated file that is stale
  man [--out DIR]   write the CLI's man pages (altinn-contacts.1 and one per subcommand) to
                    DIR, default target/man/; view with `man -l target/man/altinn-contacts.1`";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => codegen(false),
        ["codegen", "--check"] => codegen(true),
        ["man"] => man(None),
        ["man", "--out", dir] => man(Some(std::path::PathBuf::from(dir))),
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

#[cfg(feature = "man")]
fn man(out: Option<std::path::PathBuf>) -> ExitCode {
    let dir = out.unwrap_or_else(xtask::man_dir);
    match xtask::man::man(&dir) {
        Ok(pages) => {
            for page in &pages {
                eprintln!("wrote {}", page.display());
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: man: writing {}: {err}", dir.display());
            ExitCode::FAILURE
        }
    }
}

/// Without the `man` feature (the quick build `codegen` uses), runs xtask again with it.
#[cfg(not(feature = "man"))]
fn man(out: Option<std::path::PathBuf>) -> ExitCode {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.current_dir(xtask::workspace_root()).args([
        "run",
        "--quiet",
        "--package",
        "xtask",
        "--features",
        "man",
        "--",
        "man",
    ]);
    if let Some(dir) = out {
        // Relative to where the user ran `cargo xtask`, not the workspace root.
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        cmd.arg("--out").arg(dir);
    }
    match cmd.status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: man: cannot run cargo: {err}");
            ExitCode::FAILURE
        }
    }
}
