//! Synth-time validation of rendered resource properties against the
//! provider schemas (reduced by the generator to their constraints and
//! embedded in each service module as `SCHEMAS`), plus the cross-property
//! rules of [`rules`](crate::rules).
//!
//! Installed on an app as [`VALIDATOR`] (automatically when an L1 resource
//! is added; call [`install_validation`] for apps made only of
//! `RawResource`s). Types whose service feature is off, and unknown types,
//! are skipped. Values that cannot be judged at synth — intrinsic functions
//! (`Ref`, `Fn::*`), dynamic references (`{{resolve:...}}`) — pass every
//! check; a combinator (`oneOf`, `not`) whose outcome depends on one does not
//! report.
//!
//! Scalars are converted the way CloudFormation converts them: a string
//! property accepts numbers and booleans, numeric and boolean properties
//! accept their string forms (`"8080"`, `"true"`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use stackcraft_core::serde_json::Value as Json;
use stackcraft_core::{App, Finding, ResourceValidator};

/// The validator of every resource type of the enabled services.
pub const VALIDATOR: ResourceValidator = ResourceValidator { name: "stackcraft-cfn schema", validate };

/// Install [`VALIDATOR`] on `app` (done automatically when an L1 resource is
/// added; needed only for apps made of `RawResource`s alone).
pub fn install_validation(app: &App) {
    app.add_resource_validator(VALIDATOR);
}

/// Check `properties` of a `type_name` resource against its provider schema
/// and the cross-property rules; unknown types are skipped.
pub fn validate(type_name: &str, properties: &Json, findings: &mut Vec<Finding>) {
    let Some(schema) = schema_for(type_name) else {
        return;
    };
    let v = Validator { schema: &schema };
    let mut st = State { uncertain: false, depth: 0, root: true };
    v.check(&schema.root, properties, &P::Root, &mut st, findings);
    crate::rules::check(type_name, properties, findings);
}

thread_local! {
    static PARSED: RefCell<HashMap<&'static str, Option<Rc<Parsed>>>> = RefCell::new(HashMap::new());
    static REGEXES: RefCell<HashMap<String, Option<Rc<regex_lite::Regex>>>> = RefCell::new(HashMap::new());
}

/// A type's schema: the root parsed, its definitions parsed when first referenced.
struct Parsed {
    root: Json,
    props: &'static [(&'static str, &'static str)],
    parsed_props: RefCell<HashMap<&'static str, Option<Rc<Json>>>>,
    defs: &'static [(&'static str, &'static str)],
    parsed_defs: RefCell<HashMap<&'static str, Option<Rc<Json>>>>,
}

/// The parsed schema of `type_name` (parsed once per thread).
fn schema_for(type_name: &str) -> Option<Rc<Parsed>> {
    let (key, text, props, defs) = crate::schema_text(type_name)?;
    PARSED.with(|p| {
        p.borrow_mut()
            .entry(key)
            .or_insert_with(|| {
                let root = stackcraft_core::serde_json::from_str(text).ok()?;
                Some(Rc::new(Parsed {
                    root,
                    props,
                    parsed_props: RefCell::new(HashMap::new()),
                    defs,
                    parsed_defs: RefCell::new(HashMap::new()),
                }))
            })
            .clone()
    })
}

/// `pattern` compiled once per thread; `None` when the Rust engine cannot
/// compile it (then it is not judged).
fn regex(pattern: &str) -> Option<Rc<regex_lite::Regex>> {
    REGEXES.with(|r| {
        let mut r = r.borrow_mut();
        if let Some(x) = r.get(pattern) {
            return x.clone();
        }
        let compiled = regex_lite::Regex::new(&translate(pattern)).ok().map(Rc::new);
        r.insert(pattern.to_owned(), compiled.clone());
        compiled
    })
}

/// The schemas' patterns are written for Python's `re` (cfn-lint's engine):
/// `\Z` becomes `\z`, and inside a character class `[`, `&` and `~` are
/// literals (in Rust they open a nested class or a set operation).
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut in_class = false;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let next = chars.next();
                match next {
                    Some('Z') => out.push_str("\\z"),
                    Some(n) => {
                        out.push('\\');
                        out.push(n);
                    }
                    None => out.push('\\'),
                }
            }
            '[' if in_class => out.push_str("\\["),
            '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            '[' => {
                in_class = true;
                out.push('[');
                // A leading `^` and a leading `]` belong to the class.
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push_str("\\]");
                    chars.next();
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            other => out.push(other),
        }
    }
    out
}

/// An intrinsic function or a reference: not judged at synth.
pub(crate) fn is_intrinsic(v: &Json) -> bool {
    match v {
        Json::Object(m) if m.len() == 1 => m.keys().all(|k| k == "Ref" || k.starts_with("Fn::")),
        Json::String(s) => s.contains("{{resolve:"),
        _ => false,
    }
}

/// Does the value contain an intrinsic anywhere?
fn has_intrinsic(v: &Json) -> bool {
    if is_intrinsic(v) {
        return true;
    }
    match v {
        Json::Object(m) => m.values().any(has_intrinsic),
        Json::Array(a) => a.iter().any(has_intrinsic),
        _ => false,
    }
}

/// The keywords of one schema node, found in one pass over its keys (a
/// schema node has a handful of keys; probing each keyword would hash ~35 times).
#[derive(Default)]
struct Kw<'s> {
    ty: Option<&'s Json>,
    enum_: Option<&'s Json>,
    enum_case_insensitive: Option<&'s Json>,
    const_: Option<&'s Json>,
    min_length: Option<&'s Json>,
    max_length: Option<&'s Json>,
    pattern: Option<&'s Json>,
    minimum: Option<&'s Json>,
    maximum: Option<&'s Json>,
    exclusive_minimum: Option<&'s Json>,
    exclusive_maximum: Option<&'s Json>,
    multiple_of: Option<&'s Json>,
    properties: Option<&'s Json>,
    pattern_properties: Option<&'s Json>,
    required: Option<&'s Json>,
    min_properties: Option<&'s Json>,
    max_properties: Option<&'s Json>,
    additional_properties: Option<&'s Json>,
    dependent_required: Option<&'s Json>,
    dependencies: Option<&'s Json>,
    dependent_excluded: Option<&'s Json>,
    required_xor: Option<&'s Json>,
    min_items: Option<&'s Json>,
    max_items: Option<&'s Json>,
    unique_items: Option<&'s Json>,
    unique_keys: Option<&'s Json>,
    prefix_items: Option<&'s Json>,
    items: Option<&'s Json>,
    all_of: Option<&'s Json>,
    one_of: Option<&'s Json>,
    any_of: Option<&'s Json>,
    not: Option<&'s Json>,
    if_: Option<&'s Json>,
    then: Option<&'s Json>,
    else_: Option<&'s Json>,
    ref_: Option<&'s Json>,
}

impl<'s> Kw<'s> {
    fn of(s: &'s stackcraft_core::serde_json::Map<String, Json>) -> Self {
        let mut kw = Kw::default();
        for (k, v) in s {
            match k.as_str() {
                "type" => kw.ty = Some(v),
                "enum" => kw.enum_ = Some(v),
                "enumCaseInsensitive" => kw.enum_case_insensitive = Some(v),
                "const" => kw.const_ = Some(v),
                "minLength" => kw.min_length = Some(v),
                "maxLength" => kw.max_length = Some(v),
                "pattern" => kw.pattern = Some(v),
                "minimum" => kw.minimum = Some(v),
                "maximum" => kw.maximum = Some(v),
                "exclusiveMinimum" => kw.exclusive_minimum = Some(v),
                "exclusiveMaximum" => kw.exclusive_maximum = Some(v),
                "multipleOf" => kw.multiple_of = Some(v),
                "properties" => kw.properties = Some(v),
                "patternProperties" => kw.pattern_properties = Some(v),
                "required" => kw.required = Some(v),
                "minProperties" => kw.min_properties = Some(v),
                "maxProperties" => kw.max_properties = Some(v),
                "additionalProperties" => kw.additional_properties = Some(v),
                "dependentRequired" => kw.dependent_required = Some(v),
                "dependencies" => kw.dependencies = Some(v),
                "dependentExcluded" => kw.dependent_excluded = Some(v),
                "requiredXor" => kw.required_xor = Some(v),
                "minItems" => kw.min_items = Some(v),
                "maxItems" => kw.max_items = Some(v),
                "uniqueItems" => kw.unique_items = Some(v),
                "uniqueKeys" => kw.unique_keys = Some(v),
                "prefixItems" => kw.prefix_items = Some(v),
                "items" => kw.items = Some(v),
                "allOf" => kw.all_of = Some(v),
                "oneOf" => kw.one_of = Some(v),
                "anyOf" => kw.any_of = Some(v),
                "not" => kw.not = Some(v),
                "if" => kw.if_ = Some(v),
                "then" => kw.then = Some(v),
                "else" => kw.else_ = Some(v),
                "$ref" => kw.ref_ = Some(v),
                _ => {}
            }
        }
        kw
    }
}

/// A property path, rendered only when a finding is reported.
#[derive(Clone, Copy)]
enum P<'a> {
    Root,
    Prop(&'a P<'a>, &'a str),
    Index(&'a P<'a>, usize),
}

impl P<'_> {
    fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut cur = self;
        loop {
            match cur {
                P::Root => break,
                P::Prop(parent, name) => {
                    segs.push(Err(*name));
                    cur = parent;
                }
                P::Index(parent, i) => {
                    segs.push(Ok(*i));
                    cur = parent;
                }
            }
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match seg {
                Err(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                Ok(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

struct State {
    /// Some check was skipped because of an intrinsic value.
    uncertain: bool,
    depth: u32,
    /// The next object checked is the resource's properties.
    root: bool,
}

struct Validator<'s> {
    schema: &'s Parsed,
}

fn child(path: &P<'_>, name: &str) -> String {
    P::Prop(path, name).render()
}

fn at(path: &P<'_>) -> String {
    path.render()
}

fn names(list: &[Json]) -> String {
    let v: Vec<String> = list.iter().map(show).collect();
    v.join(", ")
}

/// A value as written in messages: strings bare if short identifiers, else JSON.
fn show(v: &Json) -> String {
    match v {
        Json::String(s) => format!("{s:?}"),
        other => {
            let t = other.to_string();
            if t.len() > 80 {
                format!("{}…", t.chars().take(80).collect::<String>())
            } else {
                t
            }
        }
    }
}

fn type_name_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// The value as a number, converting numeric strings.
fn as_number(v: &Json) -> Option<f64> {
    match v {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Does `v` have JSON type `t` (with CloudFormation's scalar conversions)?
fn has_type(v: &Json, t: &str) -> bool {
    match t {
        "string" => matches!(v, Json::String(_) | Json::Number(_) | Json::Bool(_)),
        "integer" => match v {
            Json::Number(n) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
            Json::String(s) => s.trim().parse::<i64>().is_ok(),
            _ => false,
        },
        "number" => as_number(v).is_some(),
        "boolean" => match v {
            Json::Bool(_) => true,
            Json::String(s) => s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false"),
            _ => false,
        },
        "array" => v.is_array(),
        "object" => v.is_object(),
        "null" => v.is_null(),
        _ => true,
    }
}

/// Scalars compared the way CloudFormation converts them.
fn loosely_equal(a: &Json, b: &Json) -> bool {
    if a == b {
        return true;
    }
    match (a, b) {
        (Json::String(s), Json::Number(_) | Json::Bool(_)) | (Json::Number(_) | Json::Bool(_), Json::String(s)) => {
            let other = if a.is_string() { b } else { a };
            match other {
                Json::Number(_) => as_number(other) == s.trim().parse::<f64>().ok(),
                _ => other.as_bool().is_some_and(|b| s.eq_ignore_ascii_case(if b { "true" } else { "false" })),
            }
        }
        (Json::Number(_), Json::Number(_)) => as_number(a) == as_number(b),
        _ => false,
    }
}

impl Validator<'_> {
    /// The schema of the resource's property `name`, parsed on first use.
    fn root_property(&self, name: &str) -> Option<Rc<Json>> {
        let props = self.schema.props;
        let i = props.binary_search_by(|(n, _)| (*n).cmp(name)).ok()?;
        let (key, text) = props.get(i)?;
        self.schema
            .parsed_props
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| stackcraft_core::serde_json::from_str(text).ok().map(Rc::new))
            .clone()
    }

    /// `#/definitions/<name>`, parsed on first use.
    fn resolve(&self, r: &str) -> Option<Rc<Json>> {
        let name = r.strip_prefix("#/definitions/")?;
        let defs = self.schema.defs;
        let i = defs.binary_search_by(|(n, _)| (*n).cmp(name)).ok()?;
        let (key, text) = defs.get(i)?;
        self.schema
            .parsed_defs
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| stackcraft_core::serde_json::from_str(text).ok().map(Rc::new))
            .clone()
    }

    /// Validate `v` against `s`, pushing findings.
    fn check(&self, s: &Json, v: &Json, path: &P<'_>, st: &mut State, out: &mut Vec<Finding>) {
        let Json::Object(s) = s else {
            return;
        };
        let s = &Kw::of(s);
        if is_intrinsic(v) {
            st.uncertain = true;
            return;
        }
        if st.depth > 48 {
            return;
        }
        st.depth += 1;
        if let Some(target) = s.ref_.and_then(Json::as_str).and_then(|r| self.resolve(r)) {
            self.check(&target, v, path, st, out);
        }
        let before = out.len();
        self.check_type(s, v, path, out);
        if out.len() > before {
            // Wrong type: the other keywords would only repeat it.
            st.depth -= 1;
            return;
        }
        self.check_value(s, v, path, out);
        match v {
            Json::Object(m) => self.check_object(s, m, path, st, out),
            Json::Array(a) => self.check_array(s, a, path, st, out),
            _ => {}
        }
        self.check_combinators(s, v, path, st, out);
        st.depth -= 1;
    }

    fn check_type(&self, s: &Kw<'_>, v: &Json, path: &P<'_>, out: &mut Vec<Finding>) {
        let Some(ty) = s.ty else { return };
        // Allocation-free on the (usual) passing path.
        let ok = match ty {
            Json::String(t) => has_type(v, t),
            Json::Array(a) => a.is_empty() || a.iter().filter_map(Json::as_str).any(|t| has_type(v, t)),
            _ => true,
        };
        if ok {
            return;
        }
        let types: Vec<&str> = match ty {
            Json::String(t) => vec![t.as_str()],
            Json::Array(a) => a.iter().filter_map(Json::as_str).collect(),
            _ => return,
        };
        let want: Vec<String> = types
            .iter()
            .map(|t| match *t {
                "array" => "a list".to_owned(),
                "object" => "an object".to_owned(),
                "integer" => "an integer".to_owned(),
                other => format!("a {other}"),
            })
            .collect();
        out.push(Finding::new(at(path), format!("expected {}, got {}", want.join(" or "), type_name_of(v))));
    }

    /// enum, const, pattern, lengths, bounds.
    fn check_value(&self, s: &Kw<'_>, v: &Json, path: &P<'_>, out: &mut Vec<Finding>) {
        if matches!(v, Json::Object(_) | Json::Array(_)) {
            // enum/const of composite values: compare exactly.
            if let Some(Json::Array(allowed)) = s.enum_ {
                if !allowed.iter().any(|a| a == v) {
                    out.push(Finding::new(
                        at(path),
                        format!("{} is not one of the allowed values: {}", show(v), names(allowed)),
                    ));
                }
            }
            return;
        }
        if let Some(Json::Array(allowed)) = s.enum_ {
            if !allowed.iter().any(|a| loosely_equal(a, v)) {
                out.push(Finding::new(
                    at(path),
                    format!("{} is not one of the allowed values: {}", show(v), names(allowed)),
                ));
            }
        }
        if let Some(Json::Array(allowed)) = s.enum_case_insensitive {
            let ok = match v {
                Json::String(x) => allowed.iter().any(|a| a.as_str().is_some_and(|a| a.eq_ignore_ascii_case(x))),
                _ => allowed.iter().any(|a| loosely_equal(a, v)),
            };
            if !ok {
                out.push(Finding::new(
                    at(path),
                    format!("{} is not one of the allowed values (any case): {}", show(v), names(allowed)),
                ));
            }
        }
        if let Some(c) = s.const_ {
            if !loosely_equal(c, v) {
                out.push(Finding::new(
                    at(path),
                    format!("{} is not allowed here: the value must be {}", show(v), show(c)),
                ));
            }
        }
        if let Json::String(text) = v {
            let len = text.chars().count();
            if let Some(min) = s.min_length.and_then(Json::as_u64) {
                if (len as u64) < min {
                    out.push(Finding::new(
                        at(path),
                        format!("{} is {len} characters long, shorter than the minimum length {min}", show(v)),
                    ));
                }
            }
            if let Some(max) = s.max_length.and_then(Json::as_u64) {
                if (len as u64) > max {
                    out.push(Finding::new(
                        at(path),
                        format!("{} is {len} characters long, longer than the maximum length {max}", show(v)),
                    ));
                }
            }
            // Non-ASCII text is not judged: Python's classes (`\w`, `(?i)`) are
            // Unicode-aware, the engine here is not.
            if let Some(p) = s.pattern.and_then(Json::as_str).filter(|_| text.is_ascii()) {
                if regex(p).is_some_and(|r| !r.is_match(text)) {
                    out.push(Finding::new(at(path), format!("{} does not match the pattern {p}", show(v))));
                }
            }
        }
        let numeric = s.ty.is_some_and(|t| match t {
            Json::String(x) => x == "integer" || x == "number",
            Json::Array(a) => a.iter().any(|x| x.as_str().is_some_and(|x| x == "integer" || x == "number")),
            _ => false,
        });
        let n = match v {
            Json::Number(_) => as_number(v),
            Json::String(_) if numeric => as_number(v),
            _ => None,
        };
        if let Some(n) = n {
            if let Some(min) = s.minimum.and_then(Json::as_f64) {
                if n < min {
                    out.push(Finding::new(at(path), format!("{} is less than the minimum {}", show(v), fmt_num(min))));
                }
            }
            if let Some(max) = s.maximum.and_then(Json::as_f64) {
                if n > max {
                    out.push(Finding::new(
                        at(path),
                        format!("{} is greater than the maximum {}", show(v), fmt_num(max)),
                    ));
                }
            }
            if let Some(min) = s.exclusive_minimum.and_then(Json::as_f64) {
                if n <= min {
                    out.push(Finding::new(at(path), format!("{} must be greater than {}", show(v), fmt_num(min))));
                }
            }
            if let Some(max) = s.exclusive_maximum.and_then(Json::as_f64) {
                if n >= max {
                    out.push(Finding::new(at(path), format!("{} must be less than {}", show(v), fmt_num(max))));
                }
            }
            if let Some(m) = s.multiple_of.and_then(Json::as_f64).filter(|m| *m > 0.0) {
                let q = n / m;
                if (q - q.round()).abs() > 1e-9 {
                    out.push(Finding::new(at(path), format!("{} is not a multiple of {}", show(v), fmt_num(m))));
                }
            }
        }
    }

    fn check_object(
        &self,
        s: &Kw<'_>,
        m: &stackcraft_core::serde_json::Map<String, Json>,
        path: &P<'_>,
        st: &mut State,
        out: &mut Vec<Finding>,
    ) {
        let props = s.properties.and_then(Json::as_object);
        let patterns = s.pattern_properties.and_then(Json::as_object);
        if let Some(Json::Array(req)) = s.required {
            for r in req.iter().filter_map(Json::as_str) {
                if !m.contains_key(r) {
                    out.push(Finding::new(child(path, r), "required property is missing"));
                }
            }
        }
        if let Some(min) = s.min_properties.and_then(Json::as_u64) {
            if (m.len() as u64) < min {
                out.push(Finding::new(at(path), format!("has {} properties, fewer than the minimum {min}", m.len())));
            }
        }
        if let Some(max) = s.max_properties.and_then(Json::as_u64) {
            if (m.len() as u64) > max {
                out.push(Finding::new(at(path), format!("has {} properties, more than the maximum {max}", m.len())));
            }
        }
        let additional = s.additional_properties;
        // The resource's own properties are embedded apart and parsed when first set.
        let root = std::mem::take(&mut st.root);
        for (k, x) in m {
            let p = P::Prop(path, k);
            let mut known = false;
            if root {
                if let Some(ps) = self.root_property(k) {
                    known = true;
                    self.check(&ps, x, &p, st, out);
                }
            } else if let Some(ps) = props.and_then(|ps| ps.get(k)) {
                known = true;
                self.check(ps, x, &p, st, out);
            }
            for (pat, ps) in patterns.into_iter().flatten() {
                // A pattern the engine cannot compile matches everything (no false positive).
                if !k.is_ascii() || regex(pat).is_none_or(|r| r.is_match(k)) {
                    known = true;
                    self.check(ps, x, &p, st, out);
                }
            }
            if known {
                continue;
            }
            match additional {
                Some(Json::Bool(false)) => {
                    let mut allowed: Vec<&str> = if root {
                        self.schema.props.iter().map(|(n, _)| *n).collect()
                    } else {
                        props.map(|ps| ps.keys().map(String::as_str).collect()).unwrap_or_default()
                    };
                    allowed.sort_unstable();
                    let msg = if allowed.is_empty() {
                        "unknown property: none are allowed here".to_owned()
                    } else {
                        format!("unknown property; the allowed properties are: {}", allowed.join(", "))
                    };
                    out.push(Finding::new(p.render(), msg));
                }
                Some(a @ Json::Object(_)) => self.check(a, x, &p, st, out),
                _ => {}
            }
        }
        if let Some(Json::Object(deps)) = s.dependent_required {
            self.dependent_required(deps, m, path, out);
        }
        if let Some(Json::Object(deps)) = s.dependencies {
            self.dependent_required(deps, m, path, out);
            for (k, d) in deps {
                if d.is_object() && m.contains_key(k) {
                    self.check(d, &Json::Object(m.clone()), path, st, out);
                }
            }
        }
        if let Some(Json::Object(ex)) = s.dependent_excluded {
            let mut reported: Vec<(&str, &str)> = Vec::new();
            for (k, others) in ex {
                if !m.contains_key(k) {
                    continue;
                }
                for o in others.as_array().into_iter().flatten().filter_map(Json::as_str) {
                    // Declared both ways (A excludes B, B excludes A): report once.
                    if m.contains_key(o) && !reported.contains(&(o, k.as_str())) {
                        reported.push((k.as_str(), o));
                        out.push(Finding::new(child(path, k), format!("cannot be set together with `{o}`")));
                    }
                }
            }
        }
        if let Some(Json::Array(xor)) = s.required_xor {
            let names: Vec<&str> = xor.iter().filter_map(Json::as_str).collect();
            let set: Vec<&str> = names.iter().copied().filter(|n| m.contains_key(*n)).collect();
            if set.len() != 1 {
                let found = if set.is_empty() { "none is".to_owned() } else { format!("{} are", set.join(" and ")) };
                out.push(Finding::new(
                    child(path, names.first().copied().unwrap_or_default()),
                    format!("exactly one of `{}` must be set ({found})", names.join("`, `")),
                ));
            }
        }
    }

    fn dependent_required(
        &self,
        deps: &stackcraft_core::serde_json::Map<String, Json>,
        m: &stackcraft_core::serde_json::Map<String, Json>,
        path: &P<'_>,
        out: &mut Vec<Finding>,
    ) {
        for (k, needed) in deps {
            if !m.contains_key(k) {
                continue;
            }
            for n in needed.as_array().into_iter().flatten().filter_map(Json::as_str) {
                if !m.contains_key(n) {
                    out.push(Finding::new(child(path, n), format!("required when `{k}` is set")));
                }
            }
        }
    }

    fn check_array(&self, s: &Kw<'_>, a: &[Json], path: &P<'_>, st: &mut State, out: &mut Vec<Finding>) {
        if let Some(min) = s.min_items.and_then(Json::as_u64) {
            if (a.len() as u64) < min {
                out.push(Finding::new(at(path), format!("has {} items, fewer than the minimum {min}", a.len())));
            }
        }
        if let Some(max) = s.max_items.and_then(Json::as_u64) {
            if (a.len() as u64) > max {
                out.push(Finding::new(at(path), format!("has {} items, more than the maximum {max}", a.len())));
            }
        }
        if s.unique_items.and_then(Json::as_bool) == Some(true) {
            'outer: for (i, x) in a.iter().enumerate() {
                for (j, y) in a.iter().enumerate().skip(i + 1) {
                    if x == y {
                        out.push(Finding::new(
                            P::Index(path, j).render(),
                            format!("duplicates item [{i}] ({}); the items must be unique", show(x)),
                        ));
                        break 'outer;
                    }
                }
            }
        }
        if let Some(Json::Array(keys)) = s.unique_keys {
            let keys: Vec<&str> = keys.iter().filter_map(Json::as_str).collect();
            let mut seen: Vec<(usize, Vec<&Json>)> = Vec::new();
            for (i, x) in a.iter().enumerate() {
                let vals: Option<Vec<&Json>> = keys.iter().map(|k| x.get(*k)).collect();
                let Some(vals) = vals else { continue };
                if vals.iter().any(|v| has_intrinsic(v)) {
                    continue;
                }
                if let Some((j, _)) = seen.iter().find(|(_, v)| *v == vals) {
                    out.push(Finding::new(
                        P::Index(path, i).render(),
                        format!("has the same `{}` as item [{j}]; it must be unique", keys.join("`, `")),
                    ));
                    break;
                }
                seen.push((i, vals));
            }
        }
        let prefix = s.prefix_items.and_then(Json::as_array);
        for (i, x) in a.iter().enumerate() {
            let p = P::Index(path, i);
            match prefix.and_then(|pre| pre.get(i)) {
                Some(ps) => self.check(ps, x, &p, st, out),
                None => {
                    if let Some(items) = s.items.filter(|i| i.is_object()) {
                        self.check(items, x, &p, st, out);
                    }
                }
            }
        }
    }

    /// Validate into a scratch list: (findings, outcome uncertain).
    fn trial(&self, s: &Json, v: &Json, path: &P<'_>, depth: u32) -> (Vec<Finding>, bool) {
        let mut st = State { uncertain: false, depth, root: false };
        let mut out = Vec::new();
        self.check(s, v, path, &mut st, &mut out);
        (out, st.uncertain)
    }

    fn check_combinators(&self, s: &Kw<'_>, v: &Json, path: &P<'_>, st: &mut State, out: &mut Vec<Finding>) {
        if let Some(Json::Array(all)) = s.all_of {
            for a in all {
                self.check(a, v, path, st, out);
            }
        }
        for (kw, exactly_one, node) in [("oneOf", true, s.one_of), ("anyOf", false, s.any_of)] {
            let Some(Json::Array(alts)) = node else { continue };
            let trials: Vec<(Vec<Finding>, bool)> = alts.iter().map(|a| self.trial(a, v, path, st.depth)).collect();
            let uncertain = trials.iter().any(|t| t.1);
            st.uncertain |= uncertain;
            let passing = trials.iter().filter(|t| t.0.is_empty()).count();
            if passing == 0 {
                let f = self.none_matched(kw, alts, &trials, v, path);
                // The closest alternative may repeat what the outer schema said.
                if !out.iter().any(|o| o.property == f.property && f.message.starts_with(&o.message)) {
                    out.push(f);
                }
            } else if exactly_one && passing > 1 && !uncertain {
                let req = required_only(alts);
                let (property, message) = match req {
                    Some(names) => {
                        let set: Vec<&str> = names.iter().copied().filter(|n| v.get(*n).is_some()).collect();
                        let at_name = child(path, set.get(1).copied().unwrap_or_default());
                        (
                            at_name,
                            format!("only one of `{}` can be set (found {})", names.join("`, `"), set.join(" and ")),
                        )
                    }
                    None => (
                        at(path),
                        format!("matches {passing} of the alternatives (oneOf) where exactly one is allowed"),
                    ),
                };
                out.push(Finding::new(property, message));
            }
        }
        if let Some(n) = s.not {
            let (f, uncertain) = self.trial(n, v, path, st.depth);
            st.uncertain |= uncertain;
            if f.is_empty() && !uncertain {
                let what = match n.get("enum").and_then(Json::as_array) {
                    Some(e) => format!("{} is not allowed here (reserved: {})", show(v), names(e)),
                    None => format!("{} is not allowed here", show(v)),
                };
                out.push(Finding::new(at(path), what));
            }
        }
        if let Some(cond) = s.if_ {
            let (f, uncertain) = self.trial(cond, v, path, st.depth);
            if uncertain {
                st.uncertain = true;
            } else if f.is_empty() {
                if let Some(t) = s.then {
                    self.check(t, v, path, st, out);
                }
            } else if let Some(e) = s.else_ {
                self.check(e, v, path, st, out);
            }
        }
    }

    fn none_matched(
        &self,
        kw: &str,
        alts: &[Json],
        trials: &[(Vec<Finding>, bool)],
        v: &Json,
        path: &P<'_>,
    ) -> Finding {
        if let Some(names) = required_only(alts) {
            return Finding::new(
                child(path, names.first().copied().unwrap_or_default()),
                format!(
                    "{} of `{}` must be set (none is)",
                    if kw == "oneOf" { "exactly one" } else { "at least one" },
                    names.join("`, `")
                ),
            );
        }
        // The closest alternative: the one with the fewest findings.
        let best = trials.iter().filter(|t| !t.0.is_empty()).min_by_key(|t| t.0.len());
        match best.and_then(|b| b.0.first()) {
            Some(f) if trials.len() > 1 => Finding::new(
                f.property.clone(),
                format!(
                    "{} (the value matches none of the {} allowed shapes; this is the closest)",
                    f.message,
                    trials.len()
                ),
            ),
            Some(f) => f.clone(),
            None => Finding::new(at(path), format!("{} matches none of the allowed shapes", show(v))),
        }
    }
}

/// `[{required: [A]}, {required: [B]}]`: the names, when every alternative
/// only requires properties.
fn required_only(alts: &[Json]) -> Option<Vec<&str>> {
    let mut names = Vec::new();
    for a in alts {
        let m = a.as_object()?;
        if m.keys().any(|k| k != "required") {
            return None;
        }
        for n in m.get("required")?.as_array()?.iter().filter_map(Json::as_str) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    if names.is_empty() {
        None
    } else {
        Some(names)
    }
}

fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_patterns_translate() {
        assert_eq!(translate(r"^[.\-_/#A-Za-z0-9]{1,512}\Z"), r"^[.\-_/#A-Za-z0-9]{1,512}\z");
        assert_eq!(translate(r"^([a-z,@[\]+=&;]*)$"), r"^([a-z,@\[\]+=\&;]*)$");
        assert_eq!(translate(r"[]a]"), r"[\]a]");
        let r = regex_lite::Regex::new(&translate(r"^([a-z,A-Z,0-9,. _\-:/()#,@[\]+=&;\{\}!$*])*$")).expect("compiles");
        assert!(r.is_match("Allow web traffic [tcp] & more"));
        assert!(!r.is_match("caf\u{e9}?"));
    }
}
