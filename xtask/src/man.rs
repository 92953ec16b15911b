//! `cargo xtask man`: the CLI's man pages (roff, clap_mangen) from its clap definition, so
//! they never drift from `--help`: `altinn-contacts.1` and one page per subcommand
//! (`altinn-contacts-organizations.1`, `altinn-contacts-bulk-official-contacts.1` ...).

use std::io;
use std::path::{Path, PathBuf};

/// Writes the man pages into `out_dir` (created when missing) and returns their paths, sorted.
pub fn man(out_dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out_dir)?;
    // `generate_to` builds the command itself (global options reach each subcommand's page,
    // no pages for clap's `help` subcommand).
    clap_mangen::generate_to(altinn_contacts_cli::command(), out_dir)?;
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(out_dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("altinn-contacts") && name.ends_with(".1") {
            pages.push(path);
        }
    }
    pages.sort();
    Ok(pages)
}
