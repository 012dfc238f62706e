//! From a resource provider schema to the model the emitter writes.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::Value as Json;

use crate::docs;
use crate::getatt::GetAttData;
use crate::names;

/// The Rust type of a property (always wrapped in `Value<..>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    /// `String`
    String,
    /// `i64`
    Integer,
    /// `f64`
    Number,
    /// `bool`
    Boolean,
    /// `serde_json::Value`: the schema gives no usable shape.
    Json,
    /// The shared `crate::Tag`.
    Tag,
    /// `Vec<Value<T>>`
    List(Box<Ty>),
    /// `BTreeMap<String, Value<T>>`
    Map(Box<Ty>),
    /// A nested property struct, by Rust name (in the resource's submodule).
    Struct(String),
    /// A string enum, by Rust name (in the resource's submodule).
    Enum(String),
}

/// A string enum (a schema `enum` of strings).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EnumDef {
    /// Rust name.
    pub(crate) rust: String,
    /// (variant name, wire value), in schema order.
    pub(crate) variants: Vec<(String, String)>,
    /// The CloudFormation property (or definition) it was named after.
    pub(crate) cfn: String,
    /// Reference page (with anchor) of the first property using it.
    pub(crate) url: String,
}

/// A property of a resource or nested struct.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    /// The CloudFormation name.
    pub(crate) cfn: String,
    /// The Rust field/setter name.
    pub(crate) rust: String,
    /// Its type.
    pub(crate) ty: Ty,
    /// Required (constructor argument) or optional (setter).
    pub(crate) required: bool,
    /// `Box` the value (recursive types).
    pub(crate) boxed: bool,
    /// One-line rustdoc.
    pub(crate) doc: String,
    /// Its AWS CloudFormation reference page, with the property's anchor.
    pub(crate) url: String,
    /// The `Option` setter's name (`set_<rust>`, unless a field has that name).
    pub(crate) set: String,
}

/// A nested property type.
#[derive(Debug, Clone)]
pub(crate) struct StructDef {
    /// Rust name.
    pub(crate) rust: String,
    /// The CloudFormation (definition or property) name it comes from.
    pub(crate) cfn: String,
    /// One-line rustdoc.
    pub(crate) doc: String,
    /// Writable properties, sorted by CloudFormation name.
    pub(crate) fields: Vec<Field>,
    /// Its AWS CloudFormation reference page.
    pub(crate) url: String,
    /// The required-properties struct (`<Rust>Required`) when it has two or more.
    pub(crate) required: Option<String>,
}

/// A GetAtt attribute.
#[derive(Debug, Clone)]
pub(crate) struct Attr {
    /// CloudFormation attribute name, e.g. `Endpoint.Address`.
    pub(crate) cfn: String,
    /// Method name, e.g. `attr_endpoint_address`.
    pub(crate) method: String,
    /// Its type.
    pub(crate) ty: Ty,
    /// One-line rustdoc.
    pub(crate) doc: String,
}

/// How the type carries tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tags {
    /// Not taggable (through `Tags`).
    None,
    /// `[{Key, Value}]`
    List,
    /// `{key: value}`
    Map,
}

/// One resource type.
#[derive(Debug, Clone)]
pub(crate) struct ResourceDef {
    /// `AWS::EC2::VPC`
    pub(crate) type_name: String,
    /// `Vpc`
    pub(crate) rust: String,
    /// `VpcRef`
    pub(crate) handle: String,
    /// Submodule of the nested types, `vpc`.
    pub(crate) module: String,
    /// One-line rustdoc.
    pub(crate) doc: String,
    /// Writable properties.
    pub(crate) fields: Vec<Field>,
    /// Nested property types.
    pub(crate) structs: Vec<StructDef>,
    /// String enums of its properties and nested properties.
    pub(crate) enums: Vec<EnumDef>,
    /// Its AWS CloudFormation reference page.
    pub(crate) url: String,
    /// GetAtt attributes.
    pub(crate) attrs: Vec<Attr>,
    /// Tag format.
    pub(crate) tags: Tags,
    /// createOnly property paths (dotted).
    pub(crate) create_only: Vec<String>,
    /// conditionalCreateOnly property paths (dotted).
    pub(crate) conditional_create_only: Vec<String>,
    /// primaryIdentifier property paths (dotted).
    pub(crate) primary_identifier: Vec<String>,
}

/// `/properties/A/B` → `A.B`; `/properties/A/*/B` → `A.*.B`.
fn dotted(pointer: &str) -> String {
    pointer.trim_start_matches("/properties/").replace('/', ".")
}

fn pointer_list(schema: &Json, key: &str) -> Vec<String> {
    let mut v: Vec<String> = schema
        .get(key)
        .and_then(Json::as_array)
        .map(|a| a.iter().filter_map(Json::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    v.sort();
    v.dedup();
    v
}

fn sorted_keys(obj: Option<&Json>) -> Vec<(String, Json)> {
    let mut v: Vec<(String, Json)> = obj
        .and_then(Json::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn types_of(node: &Json) -> Vec<String> {
    match node.get("type") {
        Some(Json::String(s)) => vec![s.clone()],
        Some(Json::Array(a)) => a.iter().filter_map(Json::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

fn has_properties(node: &Json) -> bool {
    node.get("properties").and_then(Json::as_object).is_some_and(|m| !m.is_empty())
}

/// Object with exactly the string properties `Key` and `Value`.
fn is_tag_shape(node: &Json) -> bool {
    let Some(props) = node.get("properties").and_then(Json::as_object) else {
        return false;
    };
    props.len() == 2
        && ["Key", "Value"]
            .iter()
            .all(|k| props.get(*k).is_some_and(|p| types_of(p) == ["string"] && p.get("$ref").is_none()))
}

/// Which nested schema a struct comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// `#/definitions/<name>`
    Def(String),
    /// An inline object: the owner struct key's index and the property name.
    Inline(usize, String),
}

struct Builder<'a> {
    schema: &'a Json,
    /// Struct key → (Rust name, schema node).
    keys: Vec<(Key, String, Json)>,
    index: BTreeMap<Key, usize>,
    taken: BTreeSet<String>,
    queue: VecDeque<usize>,
    /// Struct index → CFN field names to skip (readOnly nested properties).
    skip: BTreeMap<usize, BTreeSet<String>>,
    /// Definition name → its Rust name (assigned up front).
    def_names: BTreeMap<String, String>,
    /// The resource's Rust name (prefix of colliding inline type names).
    resource_name: String,
    /// String enums, in the order they are met.
    enums: Vec<EnumDef>,
    /// `<service>-<resource>` in lower case: the reference pages' stem.
    page_id: String,
}

/// The AWS CloudFormation template reference.
pub(crate) const DOCS: &str = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/";

/// A string node's `enum` values (strings only, deduplicated in order).
fn string_enum(node: &Json) -> Option<Vec<String>> {
    if types_of(node) != ["string"] {
        return None;
    }
    let values = node.get("enum")?.as_array()?;
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let v = v.as_str()?.to_owned();
        if !out.contains(&v) {
            out.push(v);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `set_<field>` for every field, `set_<field>_option` where a field is
/// itself called `set_<field>`.
fn set_names(fields: &mut [Field]) {
    let rust: BTreeSet<String> = fields.iter().map(|f| f.rust.clone()).collect();
    for f in fields {
        let set = format!("set_{}", f.rust);
        f.set = if rust.contains(&set) { format!("{set}_option") } else { set };
    }
}

/// Pseudo struct index of the resource's root.
const ROOT: usize = usize::MAX;

impl<'a> Builder<'a> {
    fn def(&self, name: &str) -> Option<&'a Json> {
        self.schema.get("definitions").and_then(|d| d.get(name))
    }

    fn resolve_ref(&self, r: &str) -> Option<(Option<String>, &'a Json)> {
        if let Some(name) = r.strip_prefix("#/definitions/") {
            return self.def(name).map(|d| (Some(name.to_owned()), d));
        }
        if let Some(ptr) = r.strip_prefix('#') {
            return self.schema.pointer(ptr).map(|d| (None, d));
        }
        None
    }

    fn struct_for(&mut self, key: Key, base: &str, owner_name: &str, node: &Json) -> usize {
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let name = match &key {
            Key::Def(d) if self.def_names.contains_key(d) => self.def_names[d].clone(),
            _ => {
                let mut name = names::upper_camel(base);
                if names::reserved_type(&name) {
                    name.push_str("Property");
                }
                if self.taken.contains(&name) {
                    name = format!("{owner_name}{name}");
                }
                names::unique(name, &mut self.taken)
            }
        };
        let i = self.keys.len();
        self.keys.push((key.clone(), name, node.clone()));
        self.index.insert(key, i);
        self.queue.push_back(i);
        i
    }

    /// The type of a property schema `node` named `prop` in struct `owner`.
    fn ty(&mut self, node: &Json, owner: usize, prop: &str, depth: u32) -> Ty {
        if depth > 16 {
            return Ty::Json;
        }
        if let Some(r) = node.get("$ref").and_then(Json::as_str) {
            let Some((def_name, target)) = self.resolve_ref(r) else {
                return Ty::Json;
            };
            if is_tag_shape(target) && (prop.contains("Tag") || def_name.as_deref().is_some_and(|d| d.contains("Tag")))
            {
                return Ty::Tag;
            }
            if let (Some(def_name), Some(values)) = (def_name.as_deref(), string_enum(target)) {
                return Ty::Enum(self.enum_for(def_name, values, owner));
            }
            if let Some(def_name) = def_name {
                if has_properties(target) && types_of(target).iter().all(|t| t == "object") {
                    let owner_name = self.owner_name(owner);
                    let i = self.struct_for(Key::Def(def_name.clone()), &def_name, &owner_name, target);
                    return Ty::Struct(self.keys[i].1.clone());
                }
            }
            return self.ty(target, owner, prop, depth + 1);
        }
        let types = types_of(node);
        if types.len() > 1 {
            return Ty::Json;
        }
        match types.first().map(String::as_str) {
            Some("string") => match string_enum(node) {
                Some(values) => Ty::Enum(self.enum_for(prop, values, owner)),
                None => Ty::String,
            },
            Some("integer") => Ty::Integer,
            Some("number") => Ty::Number,
            Some("boolean") => Ty::Boolean,
            Some("array") => match node.get("items") {
                Some(items) if items.is_object() => Ty::List(Box::new(self.ty(items, owner, prop, depth + 1))),
                _ => Ty::List(Box::new(Ty::Json)),
            },
            Some("object") | None => {
                if has_properties(node) {
                    if is_tag_shape(node) && prop.contains("Tag") {
                        return Ty::Tag;
                    }
                    let owner_name = self.owner_name(owner);
                    let i = self.struct_for(Key::Inline(owner, prop.to_owned()), prop, &owner_name, node);
                    return Ty::Struct(self.keys[i].1.clone());
                }
                if types.is_empty() {
                    return self.alternatives(node, owner, prop, depth);
                }
                let patterns = sorted_keys(node.get("patternProperties"));
                if !patterns.is_empty() {
                    let tys: Vec<Ty> = patterns.iter().map(|(_, s)| self.ty(s, owner, prop, depth + 1)).collect();
                    if tys.windows(2).all(|w| w[0] == w[1]) {
                        return Ty::Map(Box::new(tys[0].clone()));
                    }
                    return Ty::Map(Box::new(Ty::Json));
                }
                if let Some(add) = node.get("additionalProperties").filter(|a| a.is_object()) {
                    return Ty::Map(Box::new(self.ty(add, owner, prop, depth + 1)));
                }
                Ty::Json
            }
            Some(_) => Ty::Json,
        }
    }

    /// A property given only as `oneOf`/`anyOf` alternatives: the one shape
    /// they share once the shapeless (JSON) alternatives are left out, else
    /// JSON. E.g. DynamoDB `KeySchema`: a list of `KeySchema` items, or JSON.
    fn alternatives(&mut self, node: &Json, owner: usize, prop: &str, depth: u32) -> Ty {
        let alts =
            node.get("oneOf").or_else(|| node.get("anyOf")).and_then(Json::as_array).cloned().unwrap_or_default();
        let mut shapes: Vec<Ty> = Vec::new();
        for alt in &alts {
            if alt.get("$ref").is_none() && alt.get("type").is_none() && !has_properties(alt) {
                // A constraint-only alternative (e.g. `required`): no shape.
                return Ty::Json;
            }
            let t = self.ty(alt, owner, prop, depth + 1);
            if t != Ty::Json && !shapes.contains(&t) {
                shapes.push(t);
            }
        }
        match shapes.as_slice() {
            [one] => one.clone(),
            _ => Ty::Json,
        }
    }

    /// The enum named after `base` with these values: an existing one with
    /// the same name and values, else a new one (prefixed with its owner's
    /// name when `base` is taken).
    fn enum_for(&mut self, base: &str, values: Vec<String>, owner: usize) -> String {
        let mut name = names::upper_camel(base);
        if names::reserved_type(&name) {
            name.push_str("Value");
        }
        let same = |e: &EnumDef, n: &str| e.rust == n && e.variants.iter().map(|v| &v.1).eq(values.iter());
        if let Some(e) = self.enums.iter().find(|e| same(e, &name)) {
            return e.rust.clone();
        }
        if self.taken.contains(&name) {
            let prefixed = format!("{}{name}", self.owner_name(owner));
            if let Some(e) = self.enums.iter().find(|e| same(e, &prefixed)) {
                return e.rust.clone();
            }
            name = prefixed;
        }
        let name = names::unique(name, &mut self.taken);
        let variants = names::variants(&values).into_iter().zip(values).collect();
        let url = self.property_url(owner, base);
        self.enums.push(EnumDef { rust: name.clone(), variants, cfn: base.to_owned(), url });
        name
    }

    /// The reference page of struct `owner` (or the resource), without anchor,
    /// and its anchor prefix (`cfn-<service>-<resource>[-<type>]`).
    fn page(&self, owner: usize) -> (String, String) {
        let id = &self.page_id;
        if owner == ROOT {
            return (format!("{DOCS}aws-resource-{id}.html"), format!("cfn-{id}"));
        }
        let cfn = match &self.keys[owner].0 {
            Key::Def(n) | Key::Inline(_, n) => n.to_ascii_lowercase(),
        };
        (format!("{DOCS}aws-properties-{id}-{cfn}.html"), format!("cfn-{id}-{cfn}"))
    }

    /// The reference URL of property `prop` of struct `owner`.
    fn property_url(&self, owner: usize, prop: &str) -> String {
        let (page, anchor) = self.page(owner);
        format!("{page}#{anchor}-{}", prop.to_ascii_lowercase())
    }

    fn owner_name(&self, owner: usize) -> String {
        if owner == ROOT {
            self.resource_name.clone()
        } else {
            self.keys[owner].1.clone()
        }
    }

    /// Fields of an object schema (`owner` = its struct index or ROOT).
    fn fields(&mut self, node: &Json, owner: usize, skip: &BTreeSet<String>) -> Vec<Field> {
        let required: BTreeSet<String> = node
            .get("required")
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        let mut taken = BTreeSet::from(["new".to_owned()]);
        let mut out = Vec::new();
        for (name, prop) in sorted_keys(node.get("properties")) {
            if skip.contains(&name) {
                continue;
            }
            let ty = self.ty(&prop, owner, &name, 0);
            let rust = names::unique(names::snake(&name), &mut taken);
            let doc = docs::summary(prop.get("description").and_then(Json::as_str).unwrap_or(""))
                .unwrap_or_else(|| format!("The `{name}` property."));
            let url = self.property_url(owner, &name);
            out.push(Field {
                required: required.contains(&name),
                cfn: name,
                rust,
                ty,
                boxed: false,
                doc,
                url,
                set: String::new(),
            });
        }
        set_names(&mut out);
        out
    }

    /// Walk a readOnly pointer to its parent object and record the skip.
    fn mark_nested_read_only(&mut self, pointer: &str) {
        let segs: Vec<&str> = pointer.trim_start_matches("/properties/").split('/').collect();
        if segs.len() < 2 || segs.contains(&"*") {
            return;
        }
        let mut owner = ROOT;
        let mut node = self.schema.clone();
        for (n, seg) in segs.iter().enumerate() {
            let Some(prop) = node.get("properties").and_then(|p| p.get(*seg)).cloned() else {
                return;
            };
            if n + 1 == segs.len() {
                if owner != ROOT {
                    self.skip.entry(owner).or_default().insert((*seg).to_owned());
                }
                return;
            }
            // Descend: resolve the property to its struct.
            let ty = self.ty(&prop, owner, seg, 0);
            let Ty::Struct(name) = ty else { return };
            let Some(i) = self.keys.iter().position(|k| k.1 == name) else {
                return;
            };
            owner = i;
            node = self.keys[i].2.clone();
        }
    }
}

/// Build the model of one resource type.
pub(crate) fn resource(
    type_name: &str,
    schema: &Json,
    rust: String,
    handle: String,
    getatts: &GetAttData,
) -> ResourceDef {
    let read_only = pointer_list(schema, "readOnlyProperties");
    let mut b = Builder {
        schema,
        keys: Vec::new(),
        index: BTreeMap::new(),
        taken: BTreeSet::new(),
        queue: VecDeque::new(),
        skip: BTreeMap::new(),
        def_names: BTreeMap::new(),
        resource_name: rust.clone(),
        enums: Vec::new(),
        page_id: type_name.trim_start_matches("AWS::").replace("::", "-").to_ascii_lowercase(),
    };
    // Name the definitions first so inline objects never take their names.
    for (name, def) in sorted_keys(schema.get("definitions")) {
        if has_properties(&def) && types_of(&def).iter().all(|t| t == "object") {
            let mut n = names::upper_camel(&name);
            if names::reserved_type(&n) {
                n.push_str("Property");
            }
            let n = names::unique(n, &mut b.taken);
            b.def_names.insert(name, n);
        }
    }
    // Nested read-only properties are not writable in the nested structs.
    for p in &read_only {
        b.mark_nested_read_only(p);
    }
    let top_skip: BTreeSet<String> = read_only
        .iter()
        .filter_map(|p| p.strip_prefix("/properties/"))
        .filter(|p| !p.contains('/'))
        .map(str::to_owned)
        .collect();
    let mut fields = b.fields(schema, ROOT, &top_skip);
    // Structs: process the queue (definitions reached from the root first).
    let mut structs: BTreeMap<usize, StructDef> = BTreeMap::new();
    while let Some(i) = b.queue.pop_front() {
        let (key, rust, node) = b.keys[i].clone();
        let skip = b.skip.get(&i).cloned().unwrap_or_default();
        let f = b.fields(&node, i, &skip);
        let cfn = match &key {
            Key::Def(n) | Key::Inline(_, n) => n.clone(),
        };
        let doc = docs::summary(node.get("description").and_then(Json::as_str).unwrap_or(""))
            .unwrap_or_else(|| format!("The `{cfn}` property type."));
        let url = b.page(i).0;
        structs.insert(i, StructDef { rust, cfn, doc, fields: f, url, required: None });
    }
    // A top-level property whose struct has only read-only fields is not writable.
    let empty: BTreeSet<String> = structs.values().filter(|s| s.fields.is_empty()).map(|s| s.rust.clone()).collect();
    fields.retain(|f| !matches!(&f.ty, Ty::Struct(n) if empty.contains(n)));
    for s in structs.values_mut() {
        s.fields.retain(|f| !matches!(&f.ty, Ty::Struct(n) if empty.contains(n)));
    }
    // Keep only the structs still reachable from the resource's fields.
    let by_name: BTreeMap<String, StructDef> = structs.into_values().map(|s| (s.rust.clone(), s)).collect();
    let mut reachable = BTreeSet::new();
    let mut stack: Vec<String> = fields.iter().flat_map(|f| struct_names(&f.ty)).collect();
    while let Some(n) = stack.pop() {
        if reachable.insert(n.clone()) {
            if let Some(s) = by_name.get(&n) {
                stack.extend(s.fields.iter().flat_map(|f| struct_names(&f.ty)));
            }
        }
    }
    let mut structs: Vec<StructDef> = by_name.into_values().filter(|s| reachable.contains(&s.rust)).collect();
    // Box direct struct fields that lead back to their owner (recursion).
    let direct: BTreeMap<String, Vec<String>> = structs
        .iter()
        .map(|s| {
            let d = s.fields.iter().filter_map(|f| match &f.ty {
                Ty::Struct(n) => Some(n.clone()),
                _ => None,
            });
            (s.rust.clone(), d.collect())
        })
        .collect();
    for s in &mut structs {
        for f in &mut s.fields {
            if let Ty::Struct(target) = &f.ty {
                f.boxed = reaches(&direct, target, &s.rust);
            }
        }
    }

    // Say on the property which changes replace the resource.
    let create_only: BTreeSet<String> =
        pointer_list(schema, "createOnlyProperties").iter().map(|p| dotted(p)).collect();
    let conditional: BTreeSet<String> =
        pointer_list(schema, "conditionalCreateOnlyProperties").iter().map(|p| dotted(p)).collect();
    for f in &mut fields {
        if create_only.contains(&f.cfn) {
            f.doc.push_str(" Changing it replaces the resource.");
        } else if conditional.contains(&f.cfn) {
            f.doc.push_str(" Changing it may replace the resource.");
        }
    }
    let tags = tag_format(schema, &fields);
    let attrs = attributes(type_name, schema, &read_only, getatts, &b);
    let doc = docs::summary(schema.get("description").and_then(Json::as_str).unwrap_or(""))
        .unwrap_or_else(|| "A resource.".to_owned());
    // Required-properties structs, named once every other type has its name.
    for s in &mut structs {
        if s.fields.iter().filter(|f| f.required).count() >= 2 {
            s.required = Some(names::unique(format!("{}Required", s.rust), &mut b.taken));
        }
    }
    // Only the enums some kept field still uses.
    let mut used = BTreeSet::new();
    for f in fields.iter().chain(structs.iter().flat_map(|s| s.fields.iter())) {
        enum_names(&f.ty, &mut used);
    }
    let enums: Vec<EnumDef> = b.enums.iter().filter(|e| used.contains(&e.rust)).cloned().collect();
    let url = b.page(ROOT).0;
    let module = names::snake(&rust);
    ResourceDef {
        type_name: type_name.to_owned(),
        rust,
        handle,
        module,
        doc,
        fields,
        structs,
        enums,
        url,
        attrs,
        tags,
        create_only: pointer_list(schema, "createOnlyProperties").iter().map(|p| dotted(p)).collect(),
        conditional_create_only: pointer_list(schema, "conditionalCreateOnlyProperties")
            .iter()
            .map(|p| dotted(p))
            .collect(),
        primary_identifier: schema
            .get("primaryIdentifier")
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).map(dotted).collect())
            .unwrap_or_default(),
    }
}

fn enum_names(ty: &Ty, out: &mut BTreeSet<String>) {
    match ty {
        Ty::Enum(n) => {
            out.insert(n.clone());
        }
        Ty::List(t) | Ty::Map(t) => enum_names(t, out),
        _ => {}
    }
}

fn struct_names(ty: &Ty) -> Vec<String> {
    match ty {
        Ty::Struct(n) => vec![n.clone()],
        Ty::List(t) | Ty::Map(t) => struct_names(t),
        _ => Vec::new(),
    }
}

/// Does `from` reach `to` through direct (unboxed, non-collection) fields?
fn reaches(direct: &BTreeMap<String, Vec<String>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_owned()];
    while let Some(n) = stack.pop() {
        if n == to {
            return true;
        }
        if seen.insert(n.clone()) {
            stack.extend(direct.get(&n).cloned().unwrap_or_default());
        }
    }
    false
}

fn tag_format(schema: &Json, fields: &[Field]) -> Tags {
    let tagging = schema.get("tagging");
    // Without a `tagging` section (older schemas), a standard `Tags` property
    // decides; `taggable: false` wins over the property.
    let taggable = tagging.is_none_or(|t| t.get("taggable").and_then(Json::as_bool).unwrap_or(true));
    let prop = tagging.and_then(|t| t.get("tagProperty")).and_then(Json::as_str).unwrap_or("/properties/Tags");
    if !taggable || prop != "/properties/Tags" {
        return Tags::None;
    }
    match fields.iter().find(|f| f.cfn == "Tags").map(|f| &f.ty) {
        Some(Ty::List(t)) if **t == Ty::Tag => Tags::List,
        Some(Ty::Map(t)) if **t == Ty::String => Tags::Map,
        _ => Tags::None,
    }
}

/// GetAtt attributes, as cfn-lint computes them (`cfnlint/schema/_getatts.py`).
fn attributes(
    type_name: &str,
    schema: &Json,
    read_only: &[String],
    getatts: &GetAttData,
    b: &Builder<'_>,
) -> Vec<Attr> {
    // attribute name → pointer
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    if getatts.all_property_types.contains(type_name) {
        for (name, prop) in sorted_keys(schema.get("properties")) {
            flatten(b, &prop, &format!("/properties/{name}"), &mut found, 0);
        }
    } else {
        for name in getatts.exceptions.get(type_name).into_iter().flatten() {
            found.insert(name.clone(), format!("/properties/{name}"));
        }
        for p in read_only {
            found.insert(p.trim_start_matches("/properties/").replace('/', "."), p.clone());
        }
    }
    let mut taken = BTreeSet::new();
    let mut out = Vec::new();
    for (name, pointer) in found {
        if name.contains('*') || name.is_empty() {
            continue;
        }
        let node = lookup(b, &pointer);
        let ty = match node.as_ref() {
            Some(n) => attr_ty(b, n),
            None => Ty::String,
        };
        let doc = node
            .as_ref()
            .and_then(|n| n.get("description"))
            .and_then(Json::as_str)
            .and_then(docs::summary)
            .unwrap_or_else(|| format!("The `{name}` attribute."));
        let method =
            names::unique(format!("attr_{}", names::snake(&name.replace('.', "_")).trim_end_matches('_')), &mut taken);
        out.push(Attr { cfn: name, method, ty, doc });
    }
    out
}

/// cfn-lint's `_process_schema`: every scalar leaf and every list of scalars.
fn flatten(b: &Builder<'_>, node: &Json, path: &str, out: &mut BTreeMap<String, String>, depth: u32) {
    if depth > 8 {
        return;
    }
    let types = types_of(node);
    let attr = path.trim_start_matches("/properties/").replace('/', ".");
    if types.iter().any(|t| t == "object") {
        for (name, prop) in sorted_keys(node.get("properties")) {
            flatten(b, &prop, &format!("{path}/{name}"), out, depth + 1);
        }
    } else if types.iter().any(|t| t == "array") {
        let item_ty = node.get("items").and_then(|i| i.get("type")).and_then(Json::as_str);
        if matches!(item_ty, Some("object" | "array")) {
            return;
        }
        out.insert(attr, path.to_owned());
    } else if let Some(r) = node.get("$ref").and_then(Json::as_str) {
        if let Some((_, target)) = b.resolve_ref(r) {
            flatten(b, target, path, out, depth + 1);
        }
    } else {
        out.insert(attr, path.to_owned());
    }
}

/// The schema node at a `/properties/A/B` pointer, following `$ref`s.
fn lookup(b: &Builder<'_>, pointer: &str) -> Option<Json> {
    let mut node = b.schema.clone();
    for seg in pointer.trim_start_matches("/properties/").split('/') {
        node = deref(b, &node);
        node = node.get("properties")?.get(seg)?.clone();
    }
    Some(deref(b, &node))
}

fn deref(b: &Builder<'_>, node: &Json) -> Json {
    let mut node = node.clone();
    for _ in 0..8 {
        match node.get("$ref").and_then(Json::as_str).and_then(|r| b.resolve_ref(r)) {
            Some((_, t)) => node = t.clone(),
            None => break,
        }
    }
    node
}

/// Attribute values: scalars and lists of scalars keep their type; anything
/// else is JSON.
fn attr_ty(b: &Builder<'_>, node: &Json) -> Ty {
    let types = types_of(node);
    match types.as_slice() {
        [t] if t == "string" => Ty::String,
        [t] if t == "integer" => Ty::Integer,
        [t] if t == "number" => Ty::Number,
        [t] if t == "boolean" => Ty::Boolean,
        [t] if t == "array" => {
            let item = node.get("items").map(|i| deref(b, i));
            let item_ty = match item.as_ref() {
                Some(i) => attr_ty(b, i),
                None => Ty::Json,
            };
            match item_ty {
                Ty::List(_) => Ty::List(Box::new(Ty::Json)),
                t => Ty::List(Box::new(t)),
            }
        }
        _ => Ty::Json,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn build(type_name: &str, schema: &Json) -> ResourceDef {
        let getatts = GetAttData {
            all_property_types: BTreeSet::from(["AWS::Test::Legacy".to_owned()]),
            exceptions: BTreeMap::from([("AWS::Test::Thing".to_owned(), vec!["Name".to_owned()])]),
        };
        resource(type_name, schema, "Thing".into(), "ThingRef".into(), &getatts)
    }

    fn field<'a>(fields: &'a [Field], cfn: &str) -> &'a Field {
        fields.iter().find(|f| f.cfn == cfn).unwrap_or_else(|| panic!("no field {cfn}"))
    }

    fn schema() -> Json {
        json!({
            "typeName": "AWS::Test::Thing",
            "description": "A thing. More text.",
            "definitions": {
                "Tag": {"type": "object", "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}}},
                "Attribute": {"type": "object", "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}}},
                "Statement": {"type": "object", "properties": {
                    "Not": {"$ref": "#/definitions/NotStatement"},
                    "Match": {"type": "string"}
                }},
                "NotStatement": {"type": "object", "required": ["Statement"], "properties": {
                    "Statement": {"$ref": "#/definitions/Statement"}
                }},
                "KeyList": {"type": "array", "items": {"type": "object", "required": ["Name"], "properties": {"Name": {"type": "string"}}}},
                "Endpoint": {"type": "object", "properties": {"Address": {"type": "string"}, "Port": {"type": "integer"}}}
            },
            "properties": {
                "Name": {"type": "string", "description": "The name."},
                "Type": {"type": "string"},
                "Count": {"type": "integer"},
                "Ratio": {"type": "number"},
                "Enabled": {"type": "boolean"},
                "Tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}},
                "Attributes": {"type": "array", "items": {"$ref": "#/definitions/Attribute"}},
                "Labels": {"type": "object", "patternProperties": {"^.+$": {"type": "string"}}},
                "Policy": {"type": ["object", "string"]},
                "Rule": {"$ref": "#/definitions/Statement"},
                "Keys": {"oneOf": [{"$ref": "#/definitions/KeyList"}, {"type": ["object", "string"], "format": "json"}]},
                "Inline": {"type": "object", "properties": {"Size": {"type": "integer"}}},
                "Endpoint": {"$ref": "#/definitions/Endpoint"},
                "Arn": {"type": "string"},
                "CNAMEs": {"type": "array", "items": {"type": "string"}}
            },
            "required": ["Name", "Type", "Arn"],
            "readOnlyProperties": ["/properties/Arn", "/properties/Endpoint/Address", "/properties/Endpoint/Port"],
            "createOnlyProperties": ["/properties/Name"],
            "primaryIdentifier": ["/properties/Arn"],
            "tagging": {"taggable": true, "tagProperty": "/properties/Tags"}
        })
    }

    #[test]
    fn property_types() {
        let r = build("AWS::Test::Thing", &schema());
        assert_eq!(field(&r.fields, "Name").ty, Ty::String);
        assert!(field(&r.fields, "Name").required);
        assert_eq!(field(&r.fields, "Type").rust, "type_");
        assert_eq!(field(&r.fields, "Count").ty, Ty::Integer);
        assert_eq!(field(&r.fields, "Ratio").ty, Ty::Number);
        assert_eq!(field(&r.fields, "Enabled").ty, Ty::Boolean);
        assert_eq!(field(&r.fields, "Tags").ty, Ty::List(Box::new(Ty::Tag)));
        // Key/Value shape not named like a tag: its own struct.
        assert_eq!(field(&r.fields, "Attributes").ty, Ty::List(Box::new(Ty::Struct("Attribute".into()))));
        assert_eq!(field(&r.fields, "Labels").ty, Ty::Map(Box::new(Ty::String)));
        assert_eq!(field(&r.fields, "Policy").ty, Ty::Json);
        assert_eq!(field(&r.fields, "Inline").ty, Ty::Struct("Inline".into()));
        // oneOf: the one shaped alternative wins over the JSON one.
        assert_eq!(field(&r.fields, "Keys").ty, Ty::List(Box::new(Ty::Struct("Keys".into()))));
        assert_eq!(field(&r.fields, "CNAMEs").rust, "cnames");
        assert_eq!(r.tags, Tags::List);
        assert_eq!(r.doc, "A thing. More text.");
    }

    #[test]
    fn read_only_properties_are_not_writable_but_are_attributes() {
        let r = build("AWS::Test::Thing", &schema());
        assert!(r.fields.iter().all(|f| f.cfn != "Arn"), "read-only Arn is not a field");
        // Endpoint's fields are all read-only: the property disappears.
        assert!(r.fields.iter().all(|f| f.cfn != "Endpoint"));
        let attrs: Vec<(&str, &str)> = r.attrs.iter().map(|a| (a.cfn.as_str(), a.method.as_str())).collect();
        assert_eq!(
            attrs,
            [
                ("Arn", "attr_arn"),
                ("Endpoint.Address", "attr_endpoint_address"),
                ("Endpoint.Port", "attr_endpoint_port"),
                ("Name", "attr_name"),
            ]
        );
        assert_eq!(r.attrs[2].ty, Ty::Integer);
        assert_eq!(r.create_only, ["Name"]);
        assert_eq!(r.primary_identifier, ["Arn"]);
    }

    #[test]
    fn tag_formats() {
        let mut s = schema();
        s.as_object_mut().map(|o| o.remove("tagging"));
        assert_eq!(build("AWS::Test::Thing", &s).tags, Tags::List, "no tagging section: the Tags property decides");
        s["tagging"] = json!({"taggable": false});
        assert_eq!(build("AWS::Test::Thing", &s).tags, Tags::None);
        s["tagging"] = json!({"taggable": true});
        s["properties"]["Tags"] = json!({"type": "object", "patternProperties": {".*": {"type": "string"}}});
        assert_eq!(build("AWS::Test::Thing", &s).tags, Tags::Map);
    }

    #[test]
    fn recursive_types_are_boxed() {
        let r = build("AWS::Test::Thing", &schema());
        let not = r.structs.iter().find(|s| s.rust == "NotStatement").expect("NotStatement");
        assert!(field(&not.fields, "Statement").boxed);
        let st = r.structs.iter().find(|s| s.rust == "Statement").expect("Statement");
        assert!(field(&st.fields, "Not").boxed);
        assert!(!field(&st.fields, "Match").boxed);
    }

    #[test]
    fn legacy_types_expose_every_property_as_attribute() {
        let mut s = schema();
        s["typeName"] = json!("AWS::Test::Legacy");
        let r = build("AWS::Test::Legacy", &s);
        let names: Vec<&str> = r.attrs.iter().map(|a| a.cfn.as_str()).collect();
        assert!(names.contains(&"Name"));
        assert!(names.contains(&"Inline.Size"));
        assert!(names.contains(&"CNAMEs"));
        assert_eq!(r.attrs.iter().find(|a| a.cfn == "CNAMEs").map(|a| &a.ty), Some(&Ty::List(Box::new(Ty::String))));
    }

    #[test]
    fn string_enums_are_named_deduplicated_and_linked() {
        let s = json!({
            "definitions": {
                "Mode": {"type": "string", "enum": ["A", "B"]},
                "Inner": {"type": "object", "properties": {
                    "Status": {"type": "string", "enum": ["Enabled", "Disabled"]},
                    "Kind": {"type": "string", "enum": ["x", "y"]}
                }}
            },
            "properties": {
                "Status": {"type": "string", "enum": ["Enabled", "Disabled"]},
                "Kind": {"type": "string", "enum": ["ipv4", "IPV4"]},
                "Mode": {"$ref": "#/definitions/Mode"},
                "Modes": {"type": "array", "items": {"$ref": "#/definitions/Mode"}},
                "Inner": {"$ref": "#/definitions/Inner"},
                "Plain": {"type": "string"}
            }
        });
        let r = build("AWS::Test::Other", &s);
        // Same name, same values: one enum; same name, other values: prefixed with the owner.
        assert_eq!(field(&r.fields, "Status").ty, Ty::Enum("Status".into()));
        let inner = r.structs.iter().find(|s| s.rust == "Inner").expect("Inner");
        assert_eq!(field(&inner.fields, "Status").ty, Ty::Enum("Status".into()));
        assert_eq!(field(&r.fields, "Kind").ty, Ty::Enum("Kind".into()));
        assert_eq!(field(&inner.fields, "Kind").ty, Ty::Enum("InnerKind".into()));
        // A string-enum definition is named after the definition, shared by its users.
        assert_eq!(field(&r.fields, "Mode").ty, Ty::Enum("Mode".into()));
        assert_eq!(field(&r.fields, "Modes").ty, Ty::List(Box::new(Ty::Enum("Mode".into()))));
        assert_eq!(field(&r.fields, "Plain").ty, Ty::String);
        let names: Vec<&str> = r.enums.iter().map(|e| e.rust.as_str()).collect();
        assert_eq!(names.len(), 4, "{names:?}");
        let kind = r.enums.iter().find(|e| e.rust == "Kind").expect("Kind");
        assert_eq!(
            kind.variants,
            [("Ipv4".to_owned(), "ipv4".to_owned()), ("Ipv4Value".to_owned(), "IPV4".to_owned())]
        );
        assert_eq!(
            kind.url,
            "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-test-other.html#cfn-test-other-kind"
        );
        assert_eq!(
            field(&inner.fields, "Kind").url,
            "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-test-other-inner.html#cfn-test-other-inner-kind"
        );
        assert_eq!(
            r.url,
            "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-test-other.html"
        );
    }

    #[test]
    fn required_structs_and_option_setters() {
        let r = build("AWS::Test::Thing", &schema());
        let not = r.structs.iter().find(|s| s.rust == "NotStatement").expect("NotStatement");
        assert_eq!(not.required, None, "one required property: positional");
        assert_eq!(field(&r.fields, "Count").set, "set_count");
        let mut fields = vec![
            Field {
                cfn: "Id".into(),
                rust: "id".into(),
                ty: Ty::String,
                required: false,
                boxed: false,
                doc: String::new(),
                url: String::new(),
                set: String::new(),
            },
            Field {
                cfn: "SetId".into(),
                rust: "set_id".into(),
                ty: Ty::String,
                required: false,
                boxed: false,
                doc: String::new(),
                url: String::new(),
                set: String::new(),
            },
        ];
        set_names(&mut fields);
        assert_eq!(fields[0].set, "set_id_option");
        assert_eq!(fields[1].set, "set_set_id");
    }

    #[test]
    fn inline_type_named_like_a_definition_gets_a_distinct_name() {
        let s = json!({
            "definitions": {"Config": {"type": "object", "properties": {"A": {"type": "string"}}}},
            "properties": {
                "Main": {"$ref": "#/definitions/Config"},
                "Config": {"type": "object", "properties": {"B": {"type": "string"}}}
            }
        });
        let r = build("AWS::Test::Other", &s);
        assert_eq!(field(&r.fields, "Main").ty, Ty::Struct("Config".into()));
        assert_eq!(field(&r.fields, "Config").ty, Ty::Struct("ThingConfig".into()));
    }
}
