//! Writing the [`Model`] as Rust source, one file per hinted file stem plus `mod.rs`.
//!
//! The text produced here is not yet formatted; the caller pipes it through rustfmt.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::HEADER;
use super::infer::{FieldDef, Model, Presence, StructDef, Ty};

/// File name (`organization.rs`, `mod.rs`) to unformatted source text.
pub(crate) fn emit(model: &Model) -> BTreeMap<String, String> {
    let mut by_file: BTreeMap<&str, Vec<&StructDef>> = BTreeMap::new();
    for s in &model.structs {
        by_file.entry(s.file.as_str()).or_default().push(s);
    }
    let mut files = BTreeMap::new();
    for (file, structs) in &by_file {
        files.insert(format!("{file}.rs"), emit_file(structs));
    }
    files.insert("mod.rs".to_owned(), emit_mod(by_file.keys().copied()));
    files
}

fn emit_mod<'a>(modules: impl Iterator<Item = &'a str> + Clone) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{HEADER}");
    out.push('\n');
    out.push_str(
        "//! Resource types inferred from the sample responses in `samples/` by\n\
         //! `cargo xtask codegen`, guided by `samples/hints.json`.\n\
         //!\n\
         //! The submodules only split the output into files; every type is re-exported here and\n\
         //! at the crate root.\n\n",
    );
    for m in modules.clone() {
        let _ = writeln!(out, "mod {m};");
    }
    out.push('\n');
    for m in modules {
        let _ = writeln!(out, "pub use {m}::*;");
    }
    out
}

fn emit_file(structs: &[&StructDef]) -> String {
    let local: BTreeSet<&str> = structs.iter().map(|s| s.name.as_str()).collect();
    let imports: BTreeSet<&str> = structs
        .iter()
        .flat_map(|s| s.fields.iter())
        .filter_map(|f| f.ty.struct_name())
        .filter(|name| !local.contains(name))
        .collect();

    let mut out = String::new();
    let _ = writeln!(out, "{HEADER}");
    out.push('\n');
    out.push_str("//! Types inferred from `samples/` (see `samples/hints.json`):\n//!\n");
    for s in structs {
        let _ = writeln!(out, "//! - [`{}`]", s.name);
    }
    out.push('\n');
    out.push_str("use serde::{Deserialize, Serialize};\n");
    if !imports.is_empty() {
        let list: Vec<&str> = imports.into_iter().collect();
        let _ = writeln!(out, "\nuse super::{{{}}};", list.join(", "));
    }
    for s in structs {
        out.push('\n');
        emit_struct(&mut out, s);
    }
    out
}

fn emit_struct(out: &mut String, s: &StructDef) {
    doc(out, "", &s.doc);
    let eq = if s.eq { " Eq," } else { "" };
    let _ = writeln!(
        out,
        "#[derive(Clone, Debug, Default, PartialEq,{eq} Serialize, Deserialize)]"
    );
    out.push_str("#[non_exhaustive]\n");
    let _ = writeln!(out, "pub struct {} {{", s.name);
    for f in &s.fields {
        emit_field(out, f);
    }
    out.push_str("}\n");
}

fn emit_field(out: &mut String, f: &FieldDef) {
    doc(out, "    ", &f.doc);
    let mut attrs = vec![format!("rename = {:?}", f.json), "default".to_owned()];
    let ty = match f.presence {
        Presence::Required => {
            match &f.with {
                Some(with) => attrs.push(format!("with = {with:?}")),
                // `null` where a value is expected reads as the default instead of failing.
                None => {
                    attrs.push("deserialize_with = \"crate::lenient::null_as_default\"".to_owned())
                }
            }
            rust_type(&f.ty)
        }
        Presence::Nullable | Presence::Omittable => {
            if let Some(with) = &f.with {
                attrs.push(format!("with = {with:?}"));
            }
            if f.presence == Presence::Omittable {
                attrs.push("skip_serializing_if = \"Option::is_none\"".to_owned());
            }
            format!("Option<{}>", rust_type(&f.ty))
        }
    };
    let _ = writeln!(out, "    #[serde({})]", attrs.join(", "));
    let _ = writeln!(out, "    pub {}: {ty},", f.rust);
}

fn rust_type(ty: &Ty) -> String {
    match ty {
        Ty::Bool => "bool".to_owned(),
        Ty::I64 => "i64".to_owned(),
        Ty::F64 => "f64".to_owned(),
        Ty::String => "String".to_owned(),
        Ty::Json => "serde_json::Value".to_owned(),
        Ty::Struct(name) | Ty::Path(name) => name.clone(),
        Ty::Vec(item) => format!("Vec<{}>", rust_type(item)),
        Ty::Option(item) => format!("Option<{}>", rust_type(item)),
    }
}

fn doc(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}
