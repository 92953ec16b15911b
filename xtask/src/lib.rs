//! Development tasks of the workspace, run as `cargo xtask <task>`.
//!
//! The tasks live in this library so tests can run them on temporary folders; `main.rs` only
//! parses the command line. xtask depends on nothing but `serde_json`, so it builds in seconds;
//! only the `man` feature (man pages) pulls in the CLI crate.

pub mod codegen;
#[cfg(feature = "man")]
pub mod man;

use std::path::{Path, PathBuf};

/// The workspace root (the folder above `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The model crate's sample responses and `hints.json`: the input of `codegen`.
pub fn samples_dir() -> PathBuf {
    workspace_root().join("crates/altinn-contacts-model/samples")
}

/// Where `codegen` writes: the model crate's `src/generated/`.
pub fn generated_dir() -> PathBuf {
    workspace_root().join("crates/altinn-contacts-model/src/generated")
}

/// Where `man` writes by default: `<target>/man/` (`$CARGO_TARGET_DIR` when set).
pub fn man_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
        .join("man")
}
