//! `cargo xtask man`: the man pages build from the CLI's definition (needs the `man` feature:
//! `cargo test -p xtask --features man`, or `--all-features`).

#![cfg(feature = "man")]

use std::path::PathBuf;

/// A temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_man_pages_build_with_every_subcommand() {
    let dir = TempDir(std::env::temp_dir().join(format!("xtask-man-{}", std::process::id())));
    // A folder that does not exist yet is created.
    let out = dir.0.join("man1");
    let pages = xtask::man::man(&out).unwrap();
    let main = out.join("altinn-contacts.1");
    assert!(pages.contains(&main), "{pages:?}");
    let text = std::fs::read_to_string(&main).unwrap();
    assert!(!text.trim().is_empty());
    assert!(text.contains(".TH altinn-contacts 1"), "{text}");
    assert!(text.contains(".SH NAME"), "{text}");
    assert!(text.contains(".SH SUBCOMMANDS"), "{text}");
    for sub in [
        "organizations",
        "search",
        "organization",
        "official-contacts",
        "personal-contacts",
        "roles",
        "sandbox",
        "bulk",
        "completions",
    ] {
        assert!(
            text.contains(&format!("altinn\\-contacts\\-{}", sub.replace('-', "\\-"))),
            "{sub} missing\n{text}"
        );
        let page = out.join(format!("altinn-contacts-{sub}.1"));
        assert!(pages.contains(&page), "no page for {sub}: {pages:?}");
        let sub_text = std::fs::read_to_string(&page).unwrap();
        assert!(sub_text.contains(".TH "), "{sub}: {sub_text}");
    }
    // Nested commands get pages too, with the global options.
    let bulk =
        std::fs::read_to_string(out.join("altinn-contacts-bulk-official-contacts.1")).unwrap();
    assert!(bulk.contains("concurrency"), "{bulk}");
    assert!(bulk.contains("api\\-key"), "{bulk}");
    // Where groff is installed, every page formats without a warning.
    for page in &pages {
        if let Ok(out) = std::process::Command::new("groff")
            .args(["-z", "-ww", "-man"])
            .arg(page)
            .output()
        {
            assert!(out.status.success(), "groff failed on {}", page.display());
            assert!(
                out.stderr.is_empty(),
                "{}: {}",
                page.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    // No pages for clap's `help` pseudo-command.
    assert!(
        !pages.iter().any(|p| p.to_string_lossy().contains("-help")),
        "{pages:?}"
    );
}
