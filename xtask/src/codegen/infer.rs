//! Type inference: from every sample of every resource to one [`Model`] of Rust structs.
//!
//! Each JSON object is an observation of a struct (named by the hints or after its parent and
//! field). Observations of the same struct merge, wherever they were seen: an `Organization`
//! inside a list page and an `Organization` fetched on its own teach the same struct. For each
//! field inference counts how often it was present, how often `null` (or a value the hints call
//! "absent"), and which JSON kinds it held; from that follow its type and its [`Presence`]:
//!
//! - present and non-null in every observation: [`Presence::Required`];
//! - `null` in some observation: [`Presence::Nullable`] (`None` is written back as `null`);
//! - missing from some observation but never `null`: [`Presence::Omittable`] (`None` is left
//!   out).
//!
//! Presence records what the samples showed; `emit` makes every scalar an `Option` whatever it
//! is (a value the server did not send is never a default), and a collection an `Option` only
//! when it is not `Required`.
//!
//! Kinds: integers are `i64` (strings of digits seen next to integers count as integers), any
//! fraction makes `f64`, strings `String` (or a hinted format's type), objects a named struct,
//! arrays `Vec` of their items' type; a field whose kinds disagree, or that was only ever `null`,
//! holds a `serde_json::Value`. A root sample that is an array is a list in Altinn 2's plain-JSON
//! form: its items teach the list's item struct, and the list gets a [`SeqForm`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use serde_json::{Map, Value};

use super::Error;
use super::hints::{FieldHint, Hints, Mapping};
use super::names::{pascal_case, rust_field_name, snake_case};

/// One sample file: the struct its root object is, and its content.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    /// The root struct's name (the sample's folder name).
    pub(crate) root: String,
    /// Where it was read from, for error messages.
    pub(crate) file: PathBuf,
    pub(crate) value: Value,
}

/// The inferred structs, in the order they are emitted.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Model {
    pub(crate) structs: Vec<StructDef>,
}

/// One struct to generate.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StructDef {
    pub(crate) name: String,
    pub(crate) doc: String,
    /// File stem under the output folder.
    pub(crate) file: String,
    /// False when a field (or a nested struct's field) is a float, which has no `Eq`.
    pub(crate) eq: bool,
    pub(crate) fields: Vec<FieldDef>,
    /// Lines of a doc example, from the hints.
    pub(crate) example: Vec<String>,
    /// Some samples of this root type are a bare array of items (Altinn 2's plain-JSON form of
    /// a list): the struct also decodes from such an array.
    pub(crate) seq: Option<SeqForm>,
    /// A record (an array item, or a root that is not a list): an object holding none of its
    /// fields is refused rather than decoded into a record of nothing.
    pub(crate) record: bool,
}

/// Where the items of a bare-array sample go in a list struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SeqForm {
    /// The item struct.
    pub(crate) item: String,
    /// Rust field names from the list struct down to the `Vec` of items
    /// (`["embedded", "organizations"]`).
    pub(crate) path: Vec<String>,
}

/// One field of a struct.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldDef {
    /// The name in JSON (`EMailAddress`).
    pub(crate) json: String,
    /// The Rust name (`email_address`), raw-escaped if it is a keyword.
    pub(crate) rust: String,
    pub(crate) doc: String,
    /// The type without the `Option` that [`Presence`] adds.
    pub(crate) ty: Ty,
    pub(crate) presence: Presence,
    /// A serde `with` module for the field.
    pub(crate) with: Option<String>,
    /// A collection (a struct, an array, or a type hinted `empty_when_absent`): missing or `null`
    /// reads as empty rather than `None`, unless the samples show it missing or `null`.
    pub(crate) container: bool,
    /// String values the hints say mean "absent" for this field's type.
    pub(crate) absent_values: Vec<String>,
}

/// How a field's absence shows in the samples, which decides `Option` and how `None` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presence {
    /// Present and non-null in every sample. A scalar is still `Option` (written as `null` when
    /// `None`); a collection is not, and reads missing or `null` as empty.
    Required,
    /// `null` in some sample (or always optional by hint): `Option`, `None` written as `null`.
    Nullable,
    /// Missing from some sample, never `null`: `Option`, `None` left out when writing.
    Omittable,
}

/// A Rust type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    Bool,
    I64,
    F64,
    String,
    /// `serde_json::Value`: kinds that disagree, or only `null` seen.
    Json,
    /// A generated struct.
    Struct(String),
    /// A hand-written type named by the hints.
    Path(String),
    Vec(Box<Ty>),
    Option(Box<Ty>),
}

impl Ty {
    /// True when the type contains a float, directly or through `Vec`/`Option`.
    fn has_float(&self) -> bool {
        match self {
            Ty::F64 => true,
            Ty::Vec(t) | Ty::Option(t) => t.has_float(),
            _ => false,
        }
    }

    /// The generated struct this type refers to, if any.
    pub(crate) fn struct_name(&self) -> Option<&str> {
        match self {
            Ty::Struct(name) => Some(name),
            Ty::Vec(t) | Ty::Option(t) => t.struct_name(),
            _ => None,
        }
    }
}

/// What the samples showed of one JSON value position (a field, or an array's items).
#[derive(Debug, Default, Clone)]
struct Shape {
    nulls: usize,
    bools: usize,
    ints: usize,
    floats: usize,
    /// Each distinct string and how often it was seen.
    strings: BTreeMap<String, usize>,
    objects: usize,
    /// The struct these objects were observed as (none for a field pinned by a hint).
    object_struct: Option<String>,
    arrays: usize,
    items: Option<Box<Shape>>,
}

impl Shape {
    fn merge(&mut self, other: Shape) {
        self.nulls += other.nulls;
        self.bools += other.bools;
        self.ints += other.ints;
        self.floats += other.floats;
        for (s, n) in other.strings {
            *self.strings.entry(s).or_default() += n;
        }
        self.objects += other.objects;
        if self.object_struct.is_none() {
            self.object_struct = other.object_struct;
        }
        self.arrays += other.arrays;
        if let Some(items) = other.items {
            match &mut self.items {
                Some(mine) => mine.merge(*items),
                None => self.items = Some(items),
            }
        }
    }

    fn string_count(&self) -> usize {
        self.strings.values().sum()
    }

    /// True when every non-null value was a string (and there was at least one).
    fn only_strings(&self) -> bool {
        !self.strings.is_empty()
            && self.bools == 0
            && self.ints == 0
            && self.floats == 0
            && self.objects == 0
            && self.arrays == 0
    }

    /// True when integers were seen and every string seen was a run of digits: Altinn 2 wrote
    /// some integers as strings (`"4"`), which the model reads as integers.
    fn digit_strings_with_ints(&self) -> bool {
        self.ints > 0
            && self.floats == 0
            && self
                .strings
                .keys()
                .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
    }

    /// The type of the values seen here (without `Option` for the nulls).
    fn ty(&self) -> Ty {
        let digit_strings = self.digit_strings_with_ints();
        let kinds = [
            self.bools > 0,
            self.ints + self.floats > 0,
            !self.strings.is_empty() && !digit_strings,
            self.objects > 0,
            self.arrays > 0,
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Ty::Json;
        }
        if self.bools > 0 {
            Ty::Bool
        } else if self.floats > 0 {
            Ty::F64
        } else if self.ints > 0 {
            Ty::I64
        } else if !self.strings.is_empty() {
            Ty::String
        } else if self.objects > 0 {
            match &self.object_struct {
                Some(name) => Ty::Struct(name.clone()),
                None => Ty::Json,
            }
        } else {
            let item = match &self.items {
                Some(items) => {
                    let ty = items.ty();
                    let non_null = items.bools
                        + items.ints
                        + items.floats
                        + items.string_count()
                        + items.objects
                        + items.arrays;
                    if items.nulls > 0 && non_null > 0 {
                        Ty::Option(Box::new(ty))
                    } else {
                        ty
                    }
                }
                None => Ty::Json,
            };
            Ty::Vec(Box::new(item))
        }
    }
}

#[derive(Debug, Default)]
struct FieldObs {
    present: usize,
    shape: Shape,
    hint: Option<FieldHint>,
}

#[derive(Debug, Default)]
struct StructObs {
    count: usize,
    /// Field names in merged order: a field first seen later goes right after the field that
    /// preceded it in the object where it was first seen.
    order: Vec<String>,
    fields: HashMap<String, FieldObs>,
    /// Where the struct was first seen: parent struct, JSON field, array depth (none for a root).
    origin: Option<(String, String, usize)>,
}

struct Inferrer<'h> {
    hints: &'h Hints,
    structs: HashMap<String, StructObs>,
    discovered: Vec<String>,
    used_paths: BTreeSet<String>,
    used_fields: BTreeSet<String>,
    /// Root types with bare-array samples, to their item struct.
    seq_roots: BTreeMap<String, String>,
    /// Structs seen as items of an array.
    array_items: BTreeSet<String>,
    /// Structs that are the root of some sample.
    roots: BTreeSet<String>,
}

/// Infers the model from the samples, guided by the hints.
pub(crate) fn infer(samples: &[Sample], hints: &Hints) -> Result<Model, Error> {
    let mut inferrer = Inferrer {
        hints,
        structs: HashMap::new(),
        discovered: Vec::new(),
        used_paths: BTreeSet::new(),
        used_fields: BTreeSet::new(),
        seq_roots: BTreeMap::new(),
        array_items: BTreeSet::new(),
        roots: BTreeSet::new(),
    };
    // Objects first, so a root type is discovered (and ordered) by its object form.
    for sample in samples {
        if let Value::Object(map) = &sample.value {
            inferrer.roots.insert(sample.root.clone());
            inferrer.observe_object(&sample.root, map, None);
        }
    }
    for sample in samples {
        match &sample.value {
            Value::Object(_) => {}
            Value::Array(items) => inferrer.observe_bare_list(sample, items)?,
            _ => {
                return Err(Error::new(format!(
                    "{}: a sample must be a JSON object (or, for a list, an array of objects)",
                    sample.file.display()
                )));
            }
        }
    }
    inferrer.check_hints_used(samples)?;
    inferrer.build()
}

impl Inferrer<'_> {
    /// A bare array at the root: the plain-JSON form of a list. Its items are the struct the
    /// hints name at `Root[]` (else `RootItem`), and the root must also have an object form.
    fn observe_bare_list(&mut self, sample: &Sample, items: &[Value]) -> Result<(), Error> {
        let root = sample.root.as_str();
        if !self.structs.contains_key(root) {
            return Err(Error::new(format!(
                "{}: a bare array needs an object sample of `{root}` too, to know where its items go",
                sample.file.display()
            )));
        }
        let path = format!("{root}[]");
        let item = match self.hints.paths.iter().find(|(p, _)| *p == path) {
            Some((_, name)) => {
                self.used_paths.insert(path);
                name.clone()
            }
            None => format!("{root}Item"),
        };
        for value in items {
            let Value::Object(map) = value else {
                return Err(Error::new(format!(
                    "{}: the items of a bare array must be objects",
                    sample.file.display()
                )));
            };
            self.array_items.insert(item.clone());
            self.observe_object(&item, map, Some((root.to_owned(), "[]".to_owned(), 1)));
        }
        if !self.structs.contains_key(&item) {
            // An empty array says nothing about items; the struct must come from elsewhere.
            return Err(Error::new(format!(
                "{}: no sample shows an item of `{root}` (`{item}`)",
                sample.file.display()
            )));
        }
        self.seq_roots.insert(root.to_owned(), item);
        Ok(())
    }

    fn observe_object(
        &mut self,
        name: &str,
        map: &Map<String, Value>,
        origin: Option<(String, String, usize)>,
    ) {
        if !self.structs.contains_key(name) {
            self.discovered.push(name.to_owned());
            self.structs.insert(
                name.to_owned(),
                StructObs {
                    origin,
                    ..StructObs::default()
                },
            );
        }
        let mut previous: Option<&str> = None;
        let mut shapes = Vec::new();
        for (key, value) in map {
            if self.hints.unknown_fields.iter().any(|u| u == key) {
                continue;
            }
            let hint = self.field_hint(name, key);
            let pinned = hint.as_ref().is_some_and(|h| h.mapping.is_some());
            let shape = self.shape_of(value, (!pinned).then_some((name, key.as_str())), 0);
            shapes.push((key.as_str(), previous, shape, hint));
            previous = Some(key);
        }
        let obs = self.structs.entry(name.to_owned()).or_default();
        obs.count += 1;
        for (key, previous, shape, hint) in shapes {
            if !obs.fields.contains_key(key) {
                let at = previous
                    .and_then(|p| obs.order.iter().position(|f| f == p))
                    .map_or(0, |i| i + 1);
                obs.order.insert(at, key.to_owned());
            }
            let field = obs.fields.entry(key.to_owned()).or_default();
            field.present += 1;
            field.shape.merge(shape);
            if field.hint.is_none() {
                field.hint = hint;
            }
        }
    }

    /// The shape of one value; `owner` is the struct and field it sits in, `None` when the value
    /// is pinned to a hand-written type and its objects are not to be inferred.
    fn shape_of(&mut self, value: &Value, owner: Option<(&str, &str)>, depth: usize) -> Shape {
        let mut shape = Shape::default();
        match value {
            Value::Null => shape.nulls += 1,
            Value::Bool(_) => shape.bools += 1,
            Value::Number(n) if n.is_i64() => shape.ints += 1,
            Value::Number(_) => shape.floats += 1,
            Value::String(s) => {
                shape.strings.insert(s.clone(), 1);
            }
            Value::Array(items) => {
                shape.arrays += 1;
                let mut item_shape = Shape::default();
                for item in items {
                    item_shape.merge(self.shape_of(item, owner, depth + 1));
                }
                if !items.is_empty() {
                    shape.items = Some(Box::new(item_shape));
                }
            }
            Value::Object(map) => {
                shape.objects += 1;
                if let Some((parent, field)) = owner {
                    let name = self.struct_name_for(parent, field, depth);
                    if depth > 0 {
                        self.array_items.insert(name.clone());
                    }
                    self.observe_object(
                        &name,
                        map,
                        Some((parent.to_owned(), field.to_owned(), depth)),
                    );
                    shape.object_struct = Some(name);
                }
            }
        }
        shape
    }

    /// The struct an object at `parent.field` (inside `depth` arrays) is: named by the hints'
    /// `paths`, else `Parent` + `Field` (+ `Item` inside an array).
    fn struct_name_for(&mut self, parent: &str, field: &str, depth: usize) -> String {
        let path = format!("{parent}.{field}{}", "[]".repeat(depth));
        if let Some((_, name)) = self.hints.paths.iter().find(|(p, _)| *p == path) {
            self.used_paths.insert(path);
            return name.clone();
        }
        let item = if depth > 0 { "Item" } else { "" };
        format!("{parent}{}{item}", pascal_case(field))
    }

    /// The hint for `field` of struct `name`: `Struct.field` wins over a bare `field`.
    fn field_hint(&mut self, name: &str, field: &str) -> Option<FieldHint> {
        let specific = format!("{name}.{field}");
        for key in [specific.as_str(), field] {
            if let Some((k, hint)) = self.hints.fields.iter().find(|(k, _)| k == key) {
                self.used_fields.insert(k.clone());
                return Some(hint.clone());
            }
        }
        None
    }

    /// Every hint must have matched something: a hint that matches nothing is stale or a typo.
    fn check_hints_used(&self, samples: &[Sample]) -> Result<(), Error> {
        let mut problems = Vec::new();
        for hint in &self.hints.structs {
            if !self.structs.contains_key(&hint.name) {
                problems.push(format!(
                    "structs.{}: no sample produces this struct",
                    hint.name
                ));
            }
        }
        for (path, _) in &self.hints.paths {
            if !self.used_paths.contains(path) {
                problems.push(format!("paths.{path}: no sample has an object there"));
            }
        }
        for (field, _) in &self.hints.fields {
            if !self.used_fields.contains(field) {
                problems.push(format!("fields.{field}: no sample has this field"));
            }
        }
        let mut keys = BTreeSet::new();
        for sample in samples {
            collect_keys(&sample.value, &mut keys);
        }
        for name in &self.hints.unknown_fields {
            if !keys.contains(name.as_str()) {
                problems.push(format!("unknown_fields: no sample has a field `{name}`"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::new(format!(
                "hints that match nothing in the samples:\n  {}",
                problems.join("\n  ")
            )))
        }
    }

    fn build(&self) -> Result<Model, Error> {
        // Named structs in the hints' order, then the others in the order they were met.
        let mut order: Vec<&str> = self.hints.structs.iter().map(|s| s.name.as_str()).collect();
        for name in &self.discovered {
            if !order.contains(&name.as_str()) {
                order.push(name);
            }
        }
        let mut structs = Vec::new();
        for name in order {
            let obs = &self.structs[name];
            let mut fields: Vec<FieldDef> = Vec::new();
            for json in &obs.order {
                let field = self.field_def(obs, json);
                if let Some(clash) = fields.iter().find(|f| f.rust == field.rust) {
                    return Err(Error::new(format!(
                        "{name}: fields `{}` and `{json}` both become `{}`; rename one in the hints",
                        clash.json, field.rust
                    )));
                }
                fields.push(field);
            }
            structs.push(StructDef {
                name: name.to_owned(),
                doc: self.struct_doc(name, obs),
                file: self.file_of(name),
                eq: true,
                fields,
                example: self
                    .hints
                    .struct_hint(name)
                    .map(|h| h.example.clone())
                    .unwrap_or_default(),
                seq: None,
                record: self.array_items.contains(name)
                    || (self.roots.contains(name) && !self.seq_roots.contains_key(name)),
            });
        }
        for (root, item) in &self.seq_roots {
            let path = seq_path(&structs, root, item).ok_or_else(|| {
                Error::new(format!(
                    "`{root}` has bare-array samples of `{item}`, but no single non-optional path \
                     from `{root}` to a `Vec<{item}>` to put them in"
                ))
            })?;
            if let Some(s) = structs.iter_mut().find(|s| s.name == *root) {
                s.seq = Some(SeqForm {
                    item: item.clone(),
                    path,
                });
            }
        }
        mark_eq(&mut structs);
        Ok(Model { structs })
    }

    fn field_def(&self, obs: &StructObs, json: &str) -> FieldDef {
        let field = &obs.fields[json];
        let hint = field.hint.clone().unwrap_or_default();
        let shape = &field.shape;
        let mapping: Option<&Mapping> = hint.mapping.as_ref().or_else(|| {
            if !shape.only_strings() {
                return None;
            }
            self.hints
                .formats
                .iter()
                .map(|f| (f.recognizer, &f.mapping))
                .find_map(|(recognizer, mapping)| {
                    let fits = shape
                        .strings
                        .keys()
                        .all(|s| mapping.absent.contains(s) || recognizer.matches(s));
                    let seen = shape.strings.keys().any(|s| recognizer.matches(s));
                    (fits && seen).then_some(mapping)
                })
        });
        let absent: usize = mapping.map_or(0, |m| {
            shape
                .strings
                .iter()
                .filter(|(s, _)| m.absent.contains(s))
                .map(|(_, n)| n)
                .sum()
        });
        let nulls = shape.nulls + absent;
        let presence = if nulls > 0 {
            Presence::Nullable
        } else if field.present < obs.count {
            Presence::Omittable
        } else if mapping.is_some_and(|m| m.always_optional) {
            Presence::Nullable
        } else {
            Presence::Required
        };
        let ty = match mapping {
            Some(m) => Ty::Path(m.rust_type.clone()),
            None => shape.ty(),
        };
        let container = matches!(ty, Ty::Struct(_) | Ty::Vec(_))
            || mapping.is_some_and(|m| m.empty_when_absent);
        FieldDef {
            json: json.to_owned(),
            rust: rust_field_name(hint.rename.as_deref().unwrap_or(&snake_case(json))),
            doc: hint.doc.unwrap_or_default(),
            ty,
            presence,
            with: mapping.and_then(|m| m.with.clone()),
            container,
            absent_values: mapping.map(|m| m.absent.clone()).unwrap_or_default(),
        }
    }

    fn struct_doc(&self, name: &str, obs: &StructObs) -> String {
        if let Some(doc) = self.hints.struct_hint(name).and_then(|h| h.doc.clone()) {
            return doc;
        }
        match &obs.origin {
            None => format!("The root of the responses in `samples/{name}/`."),
            Some((parent, field, 0)) => format!("`{field}` of a [`{parent}`]."),
            Some((parent, field, _)) => format!("An item of `{field}` in a [`{parent}`]."),
        }
    }

    /// The file a struct goes to: its hint, else its parent's file, else its own snake_case name.
    fn file_of(&self, name: &str) -> String {
        let mut current = name;
        // The origin chain is finite (each struct's origin was discovered before it), but guard
        // against a cycle through hints that name a parent after its child.
        for _ in 0..=self.structs.len() {
            if let Some(file) = self.hints.struct_hint(current).and_then(|h| h.file.clone()) {
                return file;
            }
            match self.structs.get(current).and_then(|o| o.origin.as_ref()) {
                Some((parent, _, _)) => current = parent,
                None => break,
            }
        }
        snake_case(current)
    }
}

/// The Rust field names from `root` down to its only `Vec<item>`, through fields that are never
/// `Option` (so a bare array's items can be put there without inventing anything else).
fn seq_path(structs: &[StructDef], root: &str, item: &str) -> Option<Vec<String>> {
    fn walk(
        structs: &[StructDef],
        name: &str,
        item: &str,
        prefix: &mut Vec<String>,
        found: &mut Vec<Vec<String>>,
        depth: usize,
    ) {
        let Some(s) = structs.iter().find(|s| s.name == name) else {
            return;
        };
        if depth > structs.len() {
            return;
        }
        for f in s.fields.iter().filter(|f| f.presence == Presence::Required) {
            prefix.push(f.rust.clone());
            match &f.ty {
                Ty::Vec(inner) if **inner == Ty::Struct(item.to_owned()) => {
                    found.push(prefix.clone())
                }
                Ty::Struct(child) => walk(structs, child, item, prefix, found, depth + 1),
                _ => {}
            }
            prefix.pop();
        }
    }
    let mut found = Vec::new();
    walk(structs, root, item, &mut Vec::new(), &mut found, 0);
    (found.len() == 1).then(|| found.remove(0))
}

fn collect_keys<'v>(value: &'v Value, keys: &mut BTreeSet<&'v str>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                keys.insert(k);
                collect_keys(v, keys);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_keys(v, keys)),
        _ => {}
    }
}

/// A struct is `Eq` unless it holds a float, directly or through another struct.
fn mark_eq(structs: &mut [StructDef]) {
    loop {
        let not_eq: BTreeSet<String> = structs
            .iter()
            .filter(|s| !s.eq)
            .map(|s| s.name.clone())
            .collect();
        let mut changed = false;
        for s in structs.iter_mut().filter(|s| s.eq) {
            let blocked = s.fields.iter().any(|f| {
                f.ty.has_float() || f.ty.struct_name().is_some_and(|n| not_eq.contains(n))
            });
            if blocked {
                s.eq = false;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn model(samples: &[(&str, Value)], hints: Value) -> Model {
        let hints = Hints::from_value(&hints).unwrap();
        let samples: Vec<Sample> = samples
            .iter()
            .map(|(root, value)| Sample {
                root: (*root).to_owned(),
                file: PathBuf::from("test.json"),
                value: value.clone(),
            })
            .collect();
        infer(&samples, &hints).unwrap()
    }

    fn field<'m>(model: &'m Model, s: &str, f: &str) -> &'m FieldDef {
        model
            .structs
            .iter()
            .find(|d| d.name == s)
            .and_then(|d| d.fields.iter().find(|x| x.json == f))
            .unwrap_or_else(|| panic!("{s}.{f} missing from {model:#?}"))
    }

    #[test]
    fn presence_follows_null_and_missing() {
        let m = model(
            &[
                ("A", json!({"Always": "x", "Nulled": null, "Missing": 1})),
                ("A", json!({"Always": "y", "Nulled": "z"})),
            ],
            json!({}),
        );
        assert_eq!(field(&m, "A", "Always").presence, Presence::Required);
        assert_eq!(field(&m, "A", "Nulled").presence, Presence::Nullable);
        assert_eq!(field(&m, "A", "Nulled").ty, Ty::String);
        assert_eq!(field(&m, "A", "Missing").presence, Presence::Omittable);
        assert_eq!(field(&m, "A", "Missing").ty, Ty::I64);
    }

    #[test]
    fn kinds_merge() {
        let m = model(
            &[
                (
                    "A",
                    json!({"N": 1, "Mixed": 1, "Flag": true, "Nothing": null, "Items": [1, null]}),
                ),
                (
                    "A",
                    json!({"N": 1.5, "Mixed": "one", "Flag": false, "Nothing": null, "Items": []}),
                ),
            ],
            json!({}),
        );
        assert_eq!(field(&m, "A", "N").ty, Ty::F64);
        assert_eq!(field(&m, "A", "Mixed").ty, Ty::Json);
        assert_eq!(field(&m, "A", "Flag").ty, Ty::Bool);
        assert_eq!(field(&m, "A", "Nothing").ty, Ty::Json);
        assert_eq!(
            field(&m, "A", "Items").ty,
            Ty::Vec(Box::new(Ty::Option(Box::new(Ty::I64))))
        );
        assert!(!m.structs[0].eq, "a float field rules out Eq");
    }

    #[test]
    fn nested_objects_become_named_structs_and_merge_across_paths() {
        let m = model(
            &[
                (
                    "List",
                    json!({"items": [{"Id": 1}, {"Id": 2, "Extra": "e"}]}),
                ),
                ("Item", json!({"Id": 3, "Extra": null, "Sub": {"X": 1.5}})),
            ],
            json!({"paths": {"List.items[]": "Item"}}),
        );
        assert_eq!(
            field(&m, "List", "items").ty,
            Ty::Vec(Box::new(Ty::Struct("Item".into())))
        );
        assert_eq!(field(&m, "Item", "Extra").presence, Presence::Nullable);
        assert_eq!(field(&m, "Item", "Sub").presence, Presence::Omittable);
        assert_eq!(field(&m, "Item", "Sub").ty, Ty::Struct("ItemSub".into()));
        assert_eq!(field(&m, "ItemSub", "X").presence, Presence::Required);
        let eq: Vec<(&str, bool)> = m.structs.iter().map(|s| (s.name.as_str(), s.eq)).collect();
        assert_eq!(
            eq,
            vec![("List", false), ("Item", false), ("ItemSub", false)],
            "a float deep down rules out Eq all the way up"
        );
    }

    #[test]
    fn a_late_field_goes_after_its_predecessor() {
        let m = model(
            &[
                ("A", json!({"One": 1, "Three": 3})),
                ("A", json!({"One": 1, "Two": 2, "Three": 3})),
                ("A", json!({"Zero": 0, "One": 1, "Three": 3})),
            ],
            json!({}),
        );
        let names: Vec<&str> = m.structs[0]
            .fields
            .iter()
            .map(|f| f.json.as_str())
            .collect();
        assert_eq!(names, ["Zero", "One", "Two", "Three"]);
    }

    #[test]
    fn formats_and_absent_values() {
        let hints = json!({"formats": {"date-time": {
            "type": "crate::Timestamp", "with": "crate::timestamp::optional",
            "always_optional": true, "absent": ["", "0001-01-01T00:00:00"]}}});
        let m = model(
            &[
                (
                    "A",
                    json!({"At": "2017-06-15T09:07:20.84", "Sent": "2017-06-15T09:07:20", "Code": "2017"}),
                ),
                (
                    "A",
                    json!({"At": "0001-01-01T00:00:00", "Sent": "2017-06-15T09:07:20", "Code": ""}),
                ),
            ],
            hints,
        );
        let at = field(&m, "A", "At");
        assert_eq!(at.ty, Ty::Path("crate::Timestamp".into()));
        assert_eq!(
            at.presence,
            Presence::Nullable,
            "the sentinel counts as null"
        );
        assert_eq!(at.with.as_deref(), Some("crate::timestamp::optional"));
        assert_eq!(
            field(&m, "A", "Sent").presence,
            Presence::Nullable,
            "always optional"
        );
        assert_eq!(field(&m, "A", "Code").ty, Ty::String);
        assert_eq!(field(&m, "A", "Code").presence, Presence::Required);
    }

    #[test]
    fn field_hints_pin_rename_and_specific_wins() {
        let m = model(
            &[
                (
                    "A",
                    json!({"_links": {"self": {"href": "x"}}, "Type": "AS", "EMail": "e"}),
                ),
                ("B", json!({"Type": 1})),
            ],
            json!({"fields": {
                "_links": {"type": "crate::Links"},
                "A.Type": {"type": "crate::OrganizationType", "rename": "organization_type"},
                "EMail": {"rename": "email"}
            }}),
        );
        assert_eq!(field(&m, "A", "_links").ty, Ty::Path("crate::Links".into()));
        assert_eq!(field(&m, "A", "_links").rust, "links");
        assert!(
            !m.structs.iter().any(|s| s.name == "ALinks"),
            "a pinned field's objects are not inferred"
        );
        assert_eq!(field(&m, "A", "Type").rust, "organization_type");
        assert_eq!(field(&m, "B", "Type").rust, "r#type");
        assert_eq!(field(&m, "B", "Type").ty, Ty::I64);
        assert_eq!(field(&m, "A", "EMail").rust, "email");
    }

    #[test]
    fn unknown_fields_are_skipped_and_stale_hints_fail() {
        let m = model(
            &[("A", json!({"Known": 1, "Noise": {"x": 1}}))],
            json!({"unknown_fields": ["Noise"]}),
        );
        assert_eq!(m.structs.len(), 1);
        assert_eq!(m.structs[0].fields.len(), 1);

        let hints = Hints::from_value(&json!({
            "structs": {"Gone": {}},
            "paths": {"A.nowhere": "X"},
            "fields": {"Missing": {"rename": "m"}},
            "unknown_fields": ["Absent"]
        }))
        .unwrap();
        let sample = Sample {
            root: "A".into(),
            file: PathBuf::from("a.json"),
            value: json!({"Known": 1}),
        };
        let err = infer(&[sample], &hints).unwrap_err().message().to_owned();
        for needle in [
            "structs.Gone",
            "paths.A.nowhere",
            "fields.Missing",
            "`Absent`",
        ] {
            assert!(err.contains(needle), "{needle} not in {err}");
        }
    }

    #[test]
    fn clashing_rust_names_fail() {
        let hints = Hints::from_value(&json!({})).unwrap();
        let sample = Sample {
            root: "A".into(),
            file: PathBuf::from("a.json"),
            value: json!({"UserId": 1, "userId": 2}),
        };
        let err = infer(&[sample], &hints).unwrap_err();
        assert!(err.message().contains("both become `user_id`"), "{err}");
    }

    #[test]
    fn a_bare_array_sample_gives_the_list_a_seq_form() {
        let m = model(
            &[
                (
                    "L",
                    json!({"_links": {}, "_embedded": {"items": [{"Id": 1}]}}),
                ),
                ("L", json!([{"Id": "2", "Extra": true}, {"Id": 3}])),
            ],
            json!({"paths": {"L._embedded": "LEmb", "LEmb.items[]": "Item", "L[]": "Item"}}),
        );
        let list = m.structs.iter().find(|s| s.name == "L").unwrap();
        assert_eq!(
            list.seq,
            Some(SeqForm {
                item: "Item".into(),
                path: vec!["embedded".into(), "items".into()],
            })
        );
        // Items merge across both forms; a string of digits next to integers is an integer.
        assert_eq!(field(&m, "Item", "Id").ty, Ty::I64);
        assert_eq!(field(&m, "Item", "Extra").presence, Presence::Omittable);
        let item = m.structs.iter().find(|s| s.name == "Item").unwrap();
        assert!(item.seq.is_none());
        assert!(item.record, "an array item is a record");
        assert!(!list.record, "a list is not");
        assert!(!m.structs.iter().find(|s| s.name == "LEmb").unwrap().record);
    }

    #[test]
    fn a_bare_array_needs_an_object_form_and_object_items() {
        let hints = Hints::from_value(&json!({})).unwrap();
        let sample = |value: Value| Sample {
            root: "L".into(),
            file: PathBuf::from("l.json"),
            value,
        };
        let err = infer(&[sample(json!([{"Id": 1}]))], &hints).unwrap_err();
        assert!(err.message().contains("needs an object sample"), "{err}");
        let err = infer(
            &[sample(json!({"items": [{"Id": 1}]})), sample(json!([1, 2]))],
            &hints,
        )
        .unwrap_err();
        assert!(err.message().contains("must be objects"), "{err}");
        let err = infer(
            &[
                sample(json!({"items": [{"Id": 1}]})),
                sample(json!([{"Id": 2}])),
            ],
            &hints,
        )
        .unwrap_err();
        assert!(
            err.message().contains("no single non-optional path"),
            "{err}"
        );
        let err = infer(&[sample(json!("text"))], &hints).unwrap_err();
        assert!(err.message().contains("must be a JSON object"), "{err}");
    }

    #[test]
    fn digit_strings_alone_stay_strings() {
        let m = model(
            &[("A", json!({"Code": "0085"})), ("A", json!({"Code": "12"}))],
            json!({}),
        );
        assert_eq!(field(&m, "A", "Code").ty, Ty::String);
    }
}
