//! docs/API.md lists what each published crate exports; this keeps the list from going stale.
//! Every name a crate root makes public (`pub use`, `pub mod`) must appear in API.md as a code
//! span, so a new or renamed export fails here until the list (and the reason for the change) is
//! written down.

use std::path::Path;

const CRATES: [&str; 6] = [
    "altinn-contacts",
    "altinn-contacts-altinn3",
    "altinn-contacts-api",
    "altinn-contacts-model",
    "altinn-contacts-reqwest",
    "altinn-contacts-sandbox",
];

/// The names a `lib.rs` makes public at its root: `pub mod x;` and the last segment (or alias) of
/// every item of every `pub use`. Globs are left out (the generated types are listed by hand).
fn exported_names(lib_rs: &str) -> Vec<String> {
    let mut names = Vec::new();
    let code: String = lib_rs
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    for statement in code.split(';') {
        let statement = statement.trim();
        let Some(start) = statement.find("pub ") else {
            continue;
        };
        let statement = &statement[start..];
        if let Some(name) = statement.strip_prefix("pub mod ") {
            names.push(name.trim().to_owned());
        } else if let Some(path) = statement.strip_prefix("pub use ") {
            for item in path.replace(['{', '}'], ",").split(',') {
                let item = item.trim();
                let name = match item.split_once(" as ") {
                    Some((_, alias)) => alias.trim(),
                    None => item.rsplit("::").next().unwrap_or("").trim(),
                };
                if !name.is_empty() && name != "*" && name != "self" {
                    names.push(name.to_owned());
                }
            }
        }
    }
    names
}

#[test]
fn every_export_is_listed_in_docs_api_md() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let api_md = std::fs::read_to_string(root.join("docs/API.md")).expect("docs/API.md");
    let mut missing = Vec::new();
    for krate in CRATES {
        let lib_rs = std::fs::read_to_string(root.join("crates").join(krate).join("src/lib.rs"))
            .expect("lib.rs");
        let names = exported_names(&lib_rs);
        assert!(names.len() > 2, "{krate}: nothing found in lib.rs");
        for name in names {
            // As a code span on its own or as the start of a path or call: `Client`,
            // `Client::new`, `Client<A>`, `decode()`.
            let listed = ["`", "::", "<", "(", " "].iter().any(|end| {
                api_md.contains(&format!("`{name}{end}"))
                    || api_md.contains(&format!("::{name}{end}"))
            });
            if !listed {
                missing.push(format!("{krate}: {name}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "public items not in docs/API.md (add them with the reason they are public):\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_export_parser_reads_the_forms_lib_rs_uses() {
    let lib = "//! `pub use docs::Ignored;`\n\
               pub mod paging;\n\
               #[cfg(feature = \"mock\")]\n\
               pub use api::MockContactsApi;\n\
               pub use error::{\n    Error, Operation,\n};\n\
               pub use generated::*;\n\
               pub use altinn_contacts_model as model;\n\
               mod private;\n";
    assert_eq!(
        exported_names(lib),
        ["paging", "MockContactsApi", "Error", "Operation", "model"]
    );
}
