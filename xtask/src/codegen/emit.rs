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
        .flat_map(|s| {
            s.fields
                .iter()
                .filter_map(|f| f.ty.struct_name())
                .chain(s.seq.as_ref().map(|q| q.item.as_str()))
        })
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
        out.push('\n');
        emit_repr(&mut out, s);
        out.push('\n');
        emit_deserialize(&mut out, s);
    }
    out
}

/// The public struct: documented fields, `Serialize` derived (Altinn's HAL field names).
/// `Deserialize` is written by hand in [`emit_deserialize`].
fn emit_struct(out: &mut String, s: &StructDef) {
    doc(out, "", &s.doc);
    if !s.example.is_empty() {
        out.push_str("///\n/// # Example\n///\n/// ```\n");
        for line in &s.example {
            doc_code(out, line);
        }
        out.push_str("/// ```\n");
    }
    let eq = if s.eq { " Eq," } else { "" };
    let _ = writeln!(
        out,
        "#[derive(Clone, Debug, Default, PartialEq,{eq} Serialize)]"
    );
    out.push_str("#[non_exhaustive]\n");
    let _ = writeln!(out, "pub struct {} {{", s.name);
    for f in &s.fields {
        emit_field(out, f);
    }
    out.push_str("}\n");
}

/// Whether a field is `Option` in Rust. A scalar always is: a value the server did not send is
/// `None`, never a made-up default. A collection is `Option` only when the samples show it
/// missing or `null` (then "not sent" and "empty" differ); otherwise absence reads as empty.
fn is_option(f: &FieldDef) -> bool {
    !f.container || f.presence != Presence::Required
}

fn field_type(f: &FieldDef) -> String {
    if is_option(f) {
        format!("Option<{}>", rust_type(&f.ty))
    } else {
        rust_type(&f.ty)
    }
}

/// The second paragraph of a field's doc: its JSON name and what its absence means.
fn presence_doc(f: &FieldDef) -> String {
    let json = &f.json;
    let mut text = if !is_option(f) {
        format!("JSON `{json}`. Empty when the response lacks it or sends `null`.")
    } else {
        let seen = match f.presence {
            Presence::Required => "every sample carries it",
            Presence::Nullable => "`null` in some samples",
            Presence::Omittable => "only some responses carry it",
        };
        format!("JSON `{json}`. `None` when the response lacks it or sends `null` ({seen}).")
    };
    if !f.absent_values.is_empty() {
        let values: Vec<String> = f.absent_values.iter().map(|v| format!("`{v:?}`")).collect();
        let _ = write!(text, " {} also read as `None`.", values.join(" and "));
    }
    if f.ty == Ty::I64 {
        text.push_str(" A JSON string of digits is read as the number.");
    }
    text
}

fn emit_field(out: &mut String, f: &FieldDef) {
    doc(out, "    ", &f.doc);
    out.push_str("    ///\n");
    doc(out, "    ", &presence_doc(f));
    let mut attrs = vec![format!("rename = {:?}", f.json)];
    if let Some(with) = &f.with {
        attrs.push(format!("serialize_with = \"{with}::serialize\""));
    }
    if f.presence == Presence::Omittable {
        attrs.push("skip_serializing_if = \"Option::is_none\"".to_owned());
    }
    let _ = writeln!(out, "    #[serde({})]", attrs.join(", "));
    let _ = writeln!(out, "    pub {}: {},", f.rust, field_type(f));
}

/// The hidden wire form: derived `Deserialize` with every leniency rule, only ever driven
/// through a JSON object (see [`emit_deserialize`]).
fn emit_repr(out: &mut String, s: &StructDef) {
    let _ = writeln!(
        out,
        "/// The fields of [`{}`] as decoded; only ever read from a JSON object.",
        s.name
    );
    out.push_str("#[derive(Deserialize)]\n");
    let _ = writeln!(out, "struct {}Repr {{", s.name);
    for f in &s.fields {
        let mut attrs = vec![format!("rename = {:?}", f.json), "default".to_owned()];
        if let Some(with) = &f.with {
            attrs.push(format!("deserialize_with = \"{with}::deserialize\""));
        } else if f.ty == Ty::I64 && is_option(f) {
            attrs.push("deserialize_with = \"crate::lenient::optional_integer\"".to_owned());
        } else if !is_option(f) {
            attrs.push("deserialize_with = \"crate::lenient::null_as_default\"".to_owned());
        }
        let _ = writeln!(out, "    #[serde({})]", attrs.join(", "));
        let _ = writeln!(out, "    {}: {},", f.rust, field_type(f));
    }
    out.push_str("}\n");
}

/// `Deserialize` for the public struct: a JSON object through the repr, never an array or a
/// scalar by position (serde's derive would fill a struct from an array). A list with bare-array
/// samples also takes an array of its items; a record refuses an object with none of its
/// fields.
fn emit_deserialize(out: &mut String, s: &StructDef) {
    let name = &s.name;
    let article = |word: &str| {
        if word.starts_with(['A', 'E', 'I', 'O', 'U']) {
            "an"
        } else {
            "a"
        }
    };
    let a = article(name);
    let _ = writeln!(out, "impl From<{name}Repr> for {name} {{");
    let _ = writeln!(out, "    fn from(repr: {name}Repr) -> Self {{");
    let _ = writeln!(out, "        {name} {{");
    for f in &s.fields {
        let _ = writeln!(out, "            {0}: repr.{0},", f.rust);
    }
    out.push_str("        }\n    }\n}\n\n");
    let _ = writeln!(out, "impl<'de> Deserialize<'de> for {name} {{");
    out.push_str(
        "    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {\n",
    );
    match &s.seq {
        None if s.record => {
            let fields: Vec<String> = s.fields.iter().map(|f| format!("{:?}", f.json)).collect();
            let _ = writeln!(
                out,
                "        crate::de::record::<_, {name}Repr>(deserializer, \"{a} `{name}` object\", &[{}]).map(Self::from)",
                fields.join(", ")
            );
        }
        None => {
            let _ = writeln!(
                out,
                "        crate::de::map_only::<_, {name}Repr>(deserializer, \"{a} `{name}` object\").map(Self::from)"
            );
        }
        Some(seq) => {
            let item = &seq.item;
            let _ = writeln!(
                out,
                "        match crate::de::map_or_seq::<_, {name}Repr, {item}>(deserializer, \"{a} `{name}` object or an array of `{item}` objects\")? {{"
            );
            out.push_str("            crate::de::MapOrSeq::Map(repr) => Ok(Self::from(repr)),\n");
            out.push_str("            crate::de::MapOrSeq::Seq(items) => {\n");
            out.push_str("                let mut list = Self::default();\n");
            let _ = writeln!(out, "                list.{} = items;", seq.path.join("."));
            out.push_str("                Ok(list)\n            }\n        }\n");
        }
    }
    out.push_str("    }\n}\n");
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

/// Writes `text` as doc comments, prose wrapped at 100 columns (rustfmt leaves comments
/// alone); a line holding a code span or link too long to fit is not split inside a word.
fn doc(out: &mut String, indent: &str, text: &str) {
    const WIDTH: usize = 100;
    let room = WIDTH.saturating_sub(indent.len() + 4).max(40);
    for line in text.lines() {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
            continue;
        }
        let mut current = String::new();
        for word in line.split(' ') {
            if !current.is_empty() && current.len() + 1 + word.len() > room {
                let _ = writeln!(out, "{indent}/// {current}");
                current.clear();
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        let _ = writeln!(out, "{indent}/// {current}");
    }
}

/// Writes code lines as doc comments, unchanged.
fn doc_code(out: &mut String, line: &str) {
    if line.is_empty() {
        out.push_str("///\n");
    } else {
        let _ = writeln!(out, "/// {line}");
    }
}
