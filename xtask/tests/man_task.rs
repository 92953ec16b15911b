//! `cargo xtask man --out DIR` as a user runs it: without the `man` feature xtask runs itself
//! again with it, and the pages land in DIR. (The pages' content is checked in `man.rs`.)
//!
//! Only without the `man` feature: with it (`--all-features`, as CI runs), `man.rs` renders the
//! pages in-process, and this test would build xtask's CLI dependencies a second time with
//! other features.

#![cfg(not(feature = "man"))]

use std::path::PathBuf;
use std::process::Command;

/// A temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn cargo_xtask_man_writes_the_pages_where_asked() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let dir = TempDir(std::env::temp_dir().join(format!("xtask-man-task-{}", std::process::id())));
    let out = Command::new(cargo)
        .current_dir(xtask::workspace_root())
        .args(["xtask", "man", "--out"])
        .arg(&dir.0)
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let main = std::fs::read_to_string(dir.0.join("altinn-contacts.1")).expect("the main page");
    assert!(main.contains(".TH altinn-contacts 1"), "{main}");
    assert!(main.contains("official\\-contacts"), "{main}");
    assert!(
        dir.0.join("altinn-contacts-completions.1").is_file(),
        "{stderr}"
    );
    assert!(stderr.contains("wrote "), "{stderr}");
}
