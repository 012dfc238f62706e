//! Synth-time validation of rendered resource properties against the
//! provider schemas (reduced by the generator to their constraints and
//! emitted in each service module as static tables, `validation_tables`:
//! a flat node array, its patterns, and the root node of each type), plus
//! the cross-property rules of [`rules`](crate::rules).
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

use std::sync::OnceLock;

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
    if measurement_skip() {
        return;
    }
    let Some(tables) = crate::schema_tables(type_name) else {
        return;
    };
    let v = Validator { nodes: tables.nodes, patterns: tables.patterns };
    let mut st = State { uncertain: false, depth: 0 };
    if let Some(root) = v.node(tables.root) {
        v.check(root, properties, &P::Root, &mut st, findings);
    }
    crate::rules::check(type_name, properties, findings);
}

/// Measurement switch (read by `cargo xtask bench` only, never set by an
/// app): `STACKCRAFT_BENCH_NO_SCHEMA=1` makes [`validate`] return at once, so
/// the same binary's synth can be timed with and without validation. Read
/// once per process.
fn measurement_skip() -> bool {
    static SKIP: OnceLock<bool> = OnceLock::new();
    *SKIP.get_or_init(|| std::env::var_os("STACKCRAFT_BENCH_NO_SCHEMA").is_some_and(|v| !v.is_empty() && v != "0"))
}

/// One service's tables and the root node of the type being checked.
pub(crate) struct Tables {
    /// The type's root node in `nodes`.
    pub(crate) root: u32,
    /// The service's schema nodes (children by index).
    pub(crate) nodes: &'static [Node],
    /// The service's patterns (by index).
    pub(crate) patterns: &'static [Pattern],
}

/// A JSON type a schema names.
// Some variants are constructed only by the tables of services not enabled.
#[allow(dead_code)]
#[derive(Clone, Copy)]
pub(crate) enum Ty {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
    Null,
    /// A type name the validator does not know: matches everything.
    Other,
}

/// An `enum`/`const` value of a schema.
// Some variants are constructed only by the tables of services not enabled.
#[allow(dead_code)]
pub(crate) enum Lit {
    Null,
    Bool(bool),
    /// The number and its JSON text (as messages show it).
    Num(f64, &'static str),
    Str(&'static str),
    /// A list or object, as key-sorted JSON text (compared rarely: parsed then).
    Json(&'static str),
}

/// `additionalProperties`.
// Some variants are constructed only by the tables of services not enabled.
#[allow(dead_code)]
#[derive(Clone, Copy)]
pub(crate) enum Additional {
    /// Absent (or `true`): anything goes.
    Any,
    /// `false`: unknown properties are reported.
    False,
    /// A schema the other properties must match.
    Schema(u32),
}

/// A `dependencies` entry: required names or a schema.
// Some variants are constructed only by the tables of services not enabled.
#[allow(dead_code)]
pub(crate) enum Dep {
    List(&'static [&'static str]),
    Schema(u32),
}

/// A `pattern` (Python `re` syntax), compiled when a value first reaches it;
/// `None` when the Rust engine cannot compile it (then it is not judged).
/// A pattern that is one ASCII class under one quantifier (`^[a-z0-9-]{1,63}$`)
/// carries that class instead and is checked without the regex engine.
pub(crate) struct Pattern {
    src: &'static str,
    class: Option<ClassPattern>,
    /// The Rust engine cannot compile it (Unicode property classes): never judged.
    unjudged: bool,
    re: OnceLock<Option<regex_lite::Regex>>,
}

/// One ASCII class (bit `c` set: byte `c` is in it) repeated `min..=max`
/// times (`u32::MAX`: unbounded), anchored at the start and/or the end;
/// when anchored at both, after `fixed`: one class per leading character.
#[derive(Clone, Copy)]
struct ClassPattern {
    fixed: &'static [u128],
    class: u128,
    min: u32,
    max: u32,
    start: bool,
    end: bool,
}

impl ClassPattern {
    /// What the regex engine answers for this pattern on ASCII `text`.
    fn is_match(&self, text: &str) -> bool {
        let mut b = text.as_bytes();
        if !self.fixed.is_empty() {
            let Some((head, rest)) = b.split_at_checked(self.fixed.len()) else {
                return false;
            };
            if !head.iter().zip(self.fixed).all(|(c, class)| *c < 128 && (class >> *c) & 1 == 1) {
                return false;
            }
            b = rest;
        }
        let inc = |c: &u8| *c < 128 && (self.class >> *c) & 1 == 1;
        let min = self.min as usize;
        match (self.start, self.end) {
            (true, true) => b.len() >= min && b.len() <= self.max as usize && b.iter().all(inc),
            (true, false) => b.iter().take_while(|c| inc(c)).count() >= min,
            (false, true) => b.iter().rev().take_while(|c| inc(c)).count() >= min,
            (false, false) => {
                let mut run = 0usize;
                let mut best = 0usize;
                for c in b {
                    run = if inc(c) { run + 1 } else { 0 };
                    best = best.max(run);
                }
                best >= min
            }
        }
    }
}

// The constructors used depend on the enabled services' patterns.
#[allow(dead_code)]
impl Pattern {
    pub(crate) const fn new(src: &'static str) -> Self {
        Pattern { src, class: None, unjudged: false, re: OnceLock::new() }
    }

    /// A pattern the Rust engine cannot compile: never judged.
    pub(crate) const fn unjudged(src: &'static str) -> Self {
        Pattern { src, class: None, unjudged: true, re: OnceLock::new() }
    }

    /// A pattern the generator recognised as byte classes (see [`ClassPattern`]).
    pub(crate) const fn class(
        src: &'static str,
        fixed: &'static [u128],
        class: u128,
        min: u32,
        max: u32,
        start: bool,
        end: bool,
    ) -> Self {
        let class = ClassPattern { fixed, class, min, max, start, end };
        Pattern { src, class: Some(class), unjudged: false, re: OnceLock::new() }
    }

    fn regex(&self) -> Option<&regex_lite::Regex> {
        self.re.get_or_init(|| regex_lite::Regex::new(&translate(self.src)).ok()).as_ref()
    }

    /// Does ASCII `text` match? `None` when the pattern cannot be judged.
    fn matches(&self, text: &str) -> Option<bool> {
        match &self.class {
            Some(c) => Some(c.is_match(text)),
            None if self.unjudged => None,
            None => self.regex().map(|r| r.is_match(text)),
        }
    }
}

/// One schema node, its keywords decoded by the generator (children are
/// indices into the service's node table), grouped by kind: a group the
/// schema sets no keyword of is `None`, as in [`E`]. The groups are shared
/// by reference from per-kind side tables (identical groups stored once),
/// which keeps the node itself small.
pub(crate) struct Node {
    /// Not an object schema: checks nothing.
    pub(crate) noop: bool,
    pub(crate) ty: Option<&'static [Ty]>,
    /// enum, enumCaseInsensitive, const, lengths, pattern.
    pub(crate) value: Option<&'static ValueRules>,
    /// Bounds and multipleOf.
    pub(crate) number: Option<&'static NumberRules>,
    /// Object keywords.
    pub(crate) object: Option<&'static ObjectRules>,
    /// Array keywords.
    pub(crate) array: Option<&'static ArrayRules>,
    /// allOf, oneOf, anyOf, not, if/then/else.
    pub(crate) logic: Option<&'static Logic>,
    pub(crate) ref_: Option<u32>,
}

/// The scalar-value keywords of a node (unset: `None`, as in [`VE`]).
pub(crate) struct ValueRules {
    pub(crate) enum_: Option<&'static [Lit]>,
    pub(crate) enum_ci: Option<&'static [Lit]>,
    pub(crate) const_: Option<&'static Lit>,
    pub(crate) min_length: Option<u64>,
    pub(crate) max_length: Option<u64>,
    pub(crate) pattern: Option<u32>,
}

/// The numeric keywords of a node (unset: `None`, as in [`NE`]).
pub(crate) struct NumberRules {
    pub(crate) minimum: Option<f64>,
    pub(crate) maximum: Option<f64>,
    pub(crate) exclusive_minimum: Option<f64>,
    pub(crate) exclusive_maximum: Option<f64>,
    /// Positive only.
    pub(crate) multiple_of: Option<f64>,
}

/// The object keywords of a node (unset: empty, as in [`OE`]).
pub(crate) struct ObjectRules {
    /// Sorted by name.
    pub(crate) properties: &'static [(&'static str, u32)],
    /// (pattern, schema), sorted by pattern text.
    pub(crate) pattern_properties: &'static [(u32, u32)],
    pub(crate) required: &'static [&'static str],
    pub(crate) min_properties: Option<u64>,
    pub(crate) max_properties: Option<u64>,
    pub(crate) additional: Additional,
    pub(crate) dependent_required: &'static [(&'static str, &'static [&'static str])],
    pub(crate) dependencies: &'static [(&'static str, Dep)],
    pub(crate) dependent_excluded: &'static [(&'static str, &'static [&'static str])],
    pub(crate) required_xor: Option<&'static [&'static str]>,
}

/// The array keywords of a node (unset: empty, as in [`AE`]).
pub(crate) struct ArrayRules {
    pub(crate) min_items: Option<u64>,
    pub(crate) max_items: Option<u64>,
    pub(crate) unique_items: bool,
    pub(crate) unique_keys: Option<&'static [&'static str]>,
    pub(crate) prefix_items: Option<&'static [u32]>,
    pub(crate) items: Option<u32>,
}

/// The combinators of a node (unset: `None`, as in [`LE`]).
pub(crate) struct Logic {
    pub(crate) all_of: Option<&'static [u32]>,
    pub(crate) one_of: Option<&'static [u32]>,
    /// `oneOf` alternatives that only require properties: the names.
    pub(crate) one_of_required: Option<&'static [&'static str]>,
    pub(crate) any_of: Option<&'static [u32]>,
    /// `anyOf` alternatives that only require properties: the names.
    pub(crate) any_of_required: Option<&'static [&'static str]>,
    pub(crate) not: Option<u32>,
    pub(crate) if_: Option<u32>,
    pub(crate) then: Option<u32>,
    pub(crate) else_: Option<u32>,
}

// The empty node and groups, used by the tables of the enabled services
// (none: unused).

/// The empty node (every keyword unset).
#[allow(dead_code)]
pub(crate) const E: Node =
    Node { noop: false, ty: None, value: None, number: None, object: None, array: None, logic: None, ref_: None };

/// The empty [`ValueRules`].
#[allow(dead_code)]
pub(crate) const VE: ValueRules =
    ValueRules { enum_: None, enum_ci: None, const_: None, min_length: None, max_length: None, pattern: None };

/// The empty [`NumberRules`].
#[allow(dead_code)]
pub(crate) const NE: NumberRules =
    NumberRules { minimum: None, maximum: None, exclusive_minimum: None, exclusive_maximum: None, multiple_of: None };

/// The empty [`ObjectRules`].
#[allow(dead_code)]
pub(crate) const OE: ObjectRules = ObjectRules {
    properties: &[],
    pattern_properties: &[],
    required: &[],
    min_properties: None,
    max_properties: None,
    additional: Additional::Any,
    dependent_required: &[],
    dependencies: &[],
    dependent_excluded: &[],
    required_xor: None,
};

/// The empty [`ArrayRules`].
#[allow(dead_code)]
pub(crate) const AE: ArrayRules =
    ArrayRules { min_items: None, max_items: None, unique_items: false, unique_keys: None, prefix_items: None, items: None };

/// The empty [`Logic`].
#[allow(dead_code)]
pub(crate) const LE: Logic = Logic {
    all_of: None,
    one_of: None,
    one_of_required: None,
    any_of: None,
    any_of_required: None,
    not: None,
    if_: None,
    then: None,
    else_: None,
};

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
}

struct Validator {
    nodes: &'static [Node],
    patterns: &'static [Pattern],
}

fn child(path: &P<'_>, name: &str) -> String {
    P::Prop(path, name).render()
}

fn at(path: &P<'_>) -> String {
    path.render()
}

fn names(list: &[Lit]) -> String {
    let v: Vec<String> = list.iter().map(show_lit).collect();
    v.join(", ")
}

/// A value as written in messages: strings bare if short identifiers, else JSON.
fn show(v: &Json) -> String {
    match v {
        Json::String(s) => format!("{s:?}"),
        other => cut(other.to_string()),
    }
}

/// A schema literal as [`show`] writes the same JSON value.
fn show_lit(v: &Lit) -> String {
    match v {
        Lit::Null => "null".to_owned(),
        Lit::Bool(b) => b.to_string(),
        Lit::Num(_, text) | Lit::Json(text) => cut((*text).to_owned()),
        Lit::Str(s) => format!("{s:?}"),
    }
}

fn cut(t: String) -> String {
    if t.len() > 80 {
        format!("{}…", t.chars().take(80).collect::<String>())
    } else {
        t
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
fn has_type(v: &Json, t: Ty) -> bool {
    match t {
        Ty::String => matches!(v, Json::String(_) | Json::Number(_) | Json::Bool(_)),
        Ty::Integer => match v {
            Json::Number(n) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
            Json::String(s) => s.trim().parse::<i64>().is_ok(),
            _ => false,
        },
        Ty::Number => as_number(v).is_some(),
        Ty::Boolean => match v {
            Json::Bool(_) => true,
            Json::String(s) => s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false"),
            _ => false,
        },
        Ty::Array => v.is_array(),
        Ty::Object => v.is_object(),
        Ty::Null => v.is_null(),
        Ty::Other => true,
    }
}

/// Is `v` the schema literal `a`, scalars compared the way CloudFormation
/// converts them?
fn loosely_equal(a: &Lit, v: &Json) -> bool {
    match (a, v) {
        (Lit::Null, Json::Null) => true,
        (Lit::Bool(b), Json::Bool(x)) => b == x,
        (Lit::Bool(b), Json::String(s)) => s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        (Lit::Num(n, _), Json::Number(_)) => as_number(v) == Some(*n),
        (Lit::Num(n, _), Json::String(s)) => s.trim().parse::<f64>().ok() == Some(*n),
        (Lit::Str(s), Json::String(x)) => s == x,
        (Lit::Str(s), Json::Number(_)) => as_number(v) == s.trim().parse::<f64>().ok(),
        (Lit::Str(s), Json::Bool(b)) => s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        (Lit::Json(text), Json::Array(_) | Json::Object(_)) => lit_json(text).is_some_and(|j| j == *v),
        _ => false,
    }
}

/// A composite literal parsed (only when a composite value is compared to it).
fn lit_json(text: &str) -> Option<Json> {
    stackcraft_core::serde_json::from_str(text).ok()
}

impl Validator {
    fn node(&self, i: u32) -> Option<&'static Node> {
        self.nodes.get(i as usize)
    }

    fn nodes_of(&self, list: &'static [u32]) -> impl Iterator<Item = &'static Node> + '_ {
        list.iter().filter_map(|i| self.node(*i))
    }

    /// Validate `v` against `s`, pushing findings.
    fn check(&self, s: &'static Node, v: &Json, path: &P<'_>, st: &mut State, out: &mut Vec<Finding>) {
        if s.noop {
            return;
        }
        if is_intrinsic(v) {
            st.uncertain = true;
            return;
        }
        if st.depth > 48 {
            return;
        }
        st.depth += 1;
        if let Some(target) = s.ref_.and_then(|r| self.node(r)) {
            self.check(target, v, path, st, out);
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
            Json::Object(m) => {
                if let Some(o) = s.object {
                    self.check_object(o, m, path, st, out);
                }
            }
            Json::Array(a) => {
                if let Some(r) = s.array {
                    self.check_array(r, a, path, st, out);
                }
            }
            _ => {}
        }
        if let Some(l) = s.logic {
            self.check_combinators(l, v, path, st, out);
        }
        st.depth -= 1;
    }

    fn check_type(&self, s: &Node, v: &Json, path: &P<'_>, out: &mut Vec<Finding>) {
        let Some(types) = s.ty else { return };
        // Allocation-free on the (usual) passing path.
        if types.is_empty() || types.iter().any(|t| has_type(v, *t)) {
            return;
        }
        let want: Vec<&str> = types
            .iter()
            .map(|t| match t {
                Ty::String => "a string",
                Ty::Integer => "an integer",
                Ty::Number => "a number",
                Ty::Boolean => "a boolean",
                Ty::Array => "a list",
                Ty::Object => "an object",
                Ty::Null => "a null",
                Ty::Other => "a value",
            })
            .collect();
        out.push(Finding::new(at(path), format!("expected {}, got {}", want.join(" or "), type_name_of(v))));
    }

    /// enum, const, pattern, lengths, bounds.
    fn check_value(&self, s: &Node, v: &Json, path: &P<'_>, out: &mut Vec<Finding>) {
        if let Some(r) = s.value {
            self.check_scalar(r, v, path, out);
        }
        if let Some(r) = s.number {
            check_number(s, r, v, path, out);
        }
    }

    /// enum, const, pattern, lengths.
    fn check_scalar(&self, s: &ValueRules, v: &Json, path: &P<'_>, out: &mut Vec<Finding>) {
        if matches!(v, Json::Object(_) | Json::Array(_)) {
            // enum/const of composite values: compare exactly.
            if let Some(allowed) = s.enum_ {
                if !allowed.iter().any(|a| loosely_equal(a, v)) {
                    out.push(Finding::new(
                        at(path),
                        format!("{} is not one of the allowed values: {}", show(v), names(allowed)),
                    ));
                }
            }
            return;
        }
        if let Some(allowed) = s.enum_ {
            if !allowed.iter().any(|a| loosely_equal(a, v)) {
                out.push(Finding::new(
                    at(path),
                    format!("{} is not one of the allowed values: {}", show(v), names(allowed)),
                ));
            }
        }
        if let Some(allowed) = s.enum_ci {
            let ok = match v {
                Json::String(x) => allowed.iter().any(|a| matches!(a, Lit::Str(a) if a.eq_ignore_ascii_case(x))),
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
                    format!("{} is not allowed here: the value must be {}", show(v), show_lit(c)),
                ));
            }
        }
        if let Json::String(text) = v {
            if s.min_length.is_some() || s.max_length.is_some() {
                let len = text.chars().count() as u64;
                if let Some(min) = s.min_length {
                    if len < min {
                        out.push(Finding::new(
                            at(path),
                            format!("{} is {len} characters long, shorter than the minimum length {min}", show(v)),
                        ));
                    }
                }
                if let Some(max) = s.max_length {
                    if len > max {
                        out.push(Finding::new(
                            at(path),
                            format!("{} is {len} characters long, longer than the maximum length {max}", show(v)),
                        ));
                    }
                }
            }
            // Non-ASCII text is not judged: Python's classes (`\w`, `(?i)`) are
            // Unicode-aware, the engine here is not.
            if let Some(p) = s.pattern.and_then(|p| self.patterns.get(p as usize)).filter(|_| text.is_ascii()) {
                if p.matches(text) == Some(false) {
                    out.push(Finding::new(at(path), format!("{} does not match the pattern {}", show(v), p.src)));
                }
            }
        }
    }
}

/// minimum, maximum, exclusive bounds, multipleOf (`node` for its types).
fn check_number(node: &Node, s: &NumberRules, v: &Json, path: &P<'_>, out: &mut Vec<Finding>) {
        if s.minimum.is_none()
            && s.maximum.is_none()
            && s.exclusive_minimum.is_none()
            && s.exclusive_maximum.is_none()
            && s.multiple_of.is_none()
        {
            return;
        }
        let numeric = node.ty.is_some_and(|t| t.iter().any(|x| matches!(x, Ty::Integer | Ty::Number)));
        let n = match v {
            Json::Number(_) => as_number(v),
            Json::String(_) if numeric => as_number(v),
            _ => None,
        };
        if let Some(n) = n {
            if let Some(min) = s.minimum {
                if n < min {
                    out.push(Finding::new(at(path), format!("{} is less than the minimum {}", show(v), fmt_num(min))));
                }
            }
            if let Some(max) = s.maximum {
                if n > max {
                    out.push(Finding::new(
                        at(path),
                        format!("{} is greater than the maximum {}", show(v), fmt_num(max)),
                    ));
                }
            }
            if let Some(min) = s.exclusive_minimum {
                if n <= min {
                    out.push(Finding::new(at(path), format!("{} must be greater than {}", show(v), fmt_num(min))));
                }
            }
            if let Some(max) = s.exclusive_maximum {
                if n >= max {
                    out.push(Finding::new(at(path), format!("{} must be less than {}", show(v), fmt_num(max))));
                }
            }
            if let Some(m) = s.multiple_of {
                let q = n / m;
                if (q - q.round()).abs() > 1e-9 {
                    out.push(Finding::new(at(path), format!("{} is not a multiple of {}", show(v), fmt_num(m))));
                }
            }
        }
}

impl Validator {
    fn check_object(
        &self,
        s: &'static ObjectRules,
        m: &stackcraft_core::serde_json::Map<String, Json>,
        path: &P<'_>,
        st: &mut State,
        out: &mut Vec<Finding>,
    ) {
        for r in s.required {
            if !m.contains_key(*r) {
                out.push(Finding::new(child(path, r), "required property is missing"));
            }
        }
        if let Some(min) = s.min_properties {
            if (m.len() as u64) < min {
                out.push(Finding::new(at(path), format!("has {} properties, fewer than the minimum {min}", m.len())));
            }
        }
        if let Some(max) = s.max_properties {
            if (m.len() as u64) > max {
                out.push(Finding::new(at(path), format!("has {} properties, more than the maximum {max}", m.len())));
            }
        }
        let props = s.properties;
        for (k, x) in m {
            let p = P::Prop(path, k);
            let mut known = false;
            if let Ok(i) = props.binary_search_by(|(n, _)| (*n).cmp(k.as_str())) {
                if let Some(ps) = props.get(i).and_then(|(_, n)| self.node(*n)) {
                    known = true;
                    self.check(ps, x, &p, st, out);
                }
            }
            for (pat, ps) in s.pattern_properties {
                let Some(ps) = self.node(*ps) else { continue };
                // A pattern the engine cannot compile matches everything (no false positive).
                let matches = !k.is_ascii()
                    || self.patterns.get(*pat as usize).is_none_or(|r| r.matches(k) != Some(false));
                if matches {
                    known = true;
                    self.check(ps, x, &p, st, out);
                }
            }
            if known {
                continue;
            }
            match s.additional {
                Additional::False => {
                    let allowed: Vec<&str> = props.iter().map(|(n, _)| *n).collect();
                    let msg = if allowed.is_empty() {
                        "unknown property: none are allowed here".to_owned()
                    } else {
                        format!("unknown property; the allowed properties are: {}", allowed.join(", "))
                    };
                    out.push(Finding::new(p.render(), msg));
                }
                Additional::Schema(a) => {
                    if let Some(a) = self.node(a) {
                        self.check(a, x, &p, st, out);
                    }
                }
                Additional::Any => {}
            }
        }
        self.dependent_required(s.dependent_required.iter().map(|(k, n)| (*k, *n)), m, path, out);
        if !s.dependencies.is_empty() {
            let lists = s.dependencies.iter().filter_map(|(k, d)| match d {
                Dep::List(n) => Some((*k, *n)),
                Dep::Schema(_) => None,
            });
            self.dependent_required(lists, m, path, out);
            for (k, d) in s.dependencies {
                if let Dep::Schema(d) = d {
                    if m.contains_key(*k) {
                        if let Some(d) = self.node(*d) {
                            self.check(d, &Json::Object(m.clone()), path, st, out);
                        }
                    }
                }
            }
        }
        if !s.dependent_excluded.is_empty() {
            let mut reported: Vec<(&str, &str)> = Vec::new();
            for (k, others) in s.dependent_excluded {
                if !m.contains_key(*k) {
                    continue;
                }
                for o in others.iter() {
                    // Declared both ways (A excludes B, B excludes A): report once.
                    if m.contains_key(*o) && !reported.contains(&(*o, *k)) {
                        reported.push((*k, *o));
                        out.push(Finding::new(child(path, k), format!("cannot be set together with `{o}`")));
                    }
                }
            }
        }
        if let Some(names) = s.required_xor {
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

    fn dependent_required<'d>(
        &self,
        deps: impl Iterator<Item = (&'d str, &'d [&'d str])>,
        m: &stackcraft_core::serde_json::Map<String, Json>,
        path: &P<'_>,
        out: &mut Vec<Finding>,
    ) {
        for (k, needed) in deps {
            if !m.contains_key(k) {
                continue;
            }
            for n in needed {
                if !m.contains_key(*n) {
                    out.push(Finding::new(child(path, n), format!("required when `{k}` is set")));
                }
            }
        }
    }

    fn check_array(&self, s: &'static ArrayRules, a: &[Json], path: &P<'_>, st: &mut State, out: &mut Vec<Finding>) {
        if let Some(min) = s.min_items {
            if (a.len() as u64) < min {
                out.push(Finding::new(at(path), format!("has {} items, fewer than the minimum {min}", a.len())));
            }
        }
        if let Some(max) = s.max_items {
            if (a.len() as u64) > max {
                out.push(Finding::new(at(path), format!("has {} items, more than the maximum {max}", a.len())));
            }
        }
        if s.unique_items {
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
        if let Some(keys) = s.unique_keys {
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
        let items = s.items.and_then(|i| self.node(i));
        if s.prefix_items.is_none() && items.is_none() {
            return;
        }
        for (i, x) in a.iter().enumerate() {
            let p = P::Index(path, i);
            match s.prefix_items.and_then(|pre| pre.get(i)) {
                Some(ps) => {
                    if let Some(ps) = self.node(*ps) {
                        self.check(ps, x, &p, st, out);
                    }
                }
                None => {
                    if let Some(items) = items {
                        self.check(items, x, &p, st, out);
                    }
                }
            }
        }
    }

    /// Validate into a scratch list: (findings, outcome uncertain).
    fn trial(&self, s: &'static Node, v: &Json, path: &P<'_>, depth: u32) -> (Vec<Finding>, bool) {
        let mut st = State { uncertain: false, depth };
        let mut out = Vec::new();
        self.check(s, v, path, &mut st, &mut out);
        (out, st.uncertain)
    }

    fn check_combinators(&self, s: &'static Logic, v: &Json, path: &P<'_>, st: &mut State, out: &mut Vec<Finding>) {
        if let Some(all) = s.all_of {
            for a in self.nodes_of(all) {
                self.check(a, v, path, st, out);
            }
        }
        for (kw, exactly_one, alts, req) in
            [("oneOf", true, s.one_of, s.one_of_required), ("anyOf", false, s.any_of, s.any_of_required)]
        {
            let Some(alts) = alts else { continue };
            let trials: Vec<(Vec<Finding>, bool)> =
                self.nodes_of(alts).map(|a| self.trial(a, v, path, st.depth)).collect();
            let uncertain = trials.iter().any(|t| t.1);
            st.uncertain |= uncertain;
            let passing = trials.iter().filter(|t| t.0.is_empty()).count();
            if passing == 0 {
                let f = none_matched(kw, req, &trials, v, path);
                // The closest alternative may repeat what the outer schema said.
                if !out.iter().any(|o| o.property == f.property && f.message.starts_with(&o.message)) {
                    out.push(f);
                }
            } else if exactly_one && passing > 1 && !uncertain {
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
        if let Some(n) = s.not.and_then(|n| self.node(n)) {
            let (f, uncertain) = self.trial(n, v, path, st.depth);
            st.uncertain |= uncertain;
            if f.is_empty() && !uncertain {
                let what = match n.value.and_then(|r| r.enum_) {
                    Some(e) => format!("{} is not allowed here (reserved: {})", show(v), names(e)),
                    None => format!("{} is not allowed here", show(v)),
                };
                out.push(Finding::new(at(path), what));
            }
        }
        if let Some(cond) = s.if_.and_then(|c| self.node(c)) {
            let (f, uncertain) = self.trial(cond, v, path, st.depth);
            if uncertain {
                st.uncertain = true;
            } else if f.is_empty() {
                if let Some(t) = s.then.and_then(|t| self.node(t)) {
                    self.check(t, v, path, st, out);
                }
            } else if let Some(e) = s.else_.and_then(|e| self.node(e)) {
                self.check(e, v, path, st, out);
            }
        }
    }
}

fn none_matched(
    kw: &str,
    required_only: Option<&[&str]>,
    trials: &[(Vec<Finding>, bool)],
    v: &Json,
    path: &P<'_>,
) -> Finding {
    if let Some(names) = required_only {
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

    /// Every pattern checked by a byte-class test answers as the regex
    /// engine does (each ASCII character alone, and runs around the bounds).
    #[test]
    fn class_patterns_agree_with_the_regex_engine() {
        let mut checked = 0;
        for patterns in crate::all_schema_patterns() {
            for p in patterns.iter().filter(|p| p.class.is_some()) {
                let re = regex_lite::Regex::new(&translate(p.src));
                let re = re.unwrap_or_else(|e| panic!("{} does not compile: {e}", p.src));
                // Each ASCII character alone and repeated the minimum number of times.
                let min = p.class.map_or(1, |c| c.min.clamp(1, 2048) as usize);
                let mut samples: Vec<String> =
                    (0u8..128).flat_map(|c| [(c as char).to_string(), (c as char).to_string().repeat(min)]).collect();
                samples.push(String::new());
                for c in ["a", "Z", "0", "-", "_", ".", " ", "/", ":", "\n", "a-", "-a", "a b", "ab\n"] {
                    for n in [1usize, 2, 3, 62, 63, 64, 127, 128, 129, 255, 256, 257, 1024, 1025] {
                        samples.push(c.repeat(n));
                        samples.push(format!("!{}", c.repeat(n)));
                        samples.push(format!("{}!", c.repeat(n)));
                    }
                }
                // Matching strings (each class's lowest member) of the bounding
                // lengths, and each of their first characters replaced by every ASCII one.
                if let Some(c) = p.class {
                    let low = |class: u128| (0u8..128).find(|b| (class >> b) & 1 == 1).map(char::from);
                    let head: Option<String> = c.fixed.iter().map(|f| low(*f)).collect();
                    if let (Some(head), Some(l)) = (head, low(c.class)) {
                        for n in [c.min, c.min.saturating_add(1), c.max, c.max.saturating_add(1)] {
                            let base: Vec<char> =
                                head.chars().chain(std::iter::repeat_n(l, n.min(300) as usize)).collect();
                            samples.push(base.iter().collect());
                            for at in 0..base.len().min(c.fixed.len() + 2) {
                                for b in 0u8..128 {
                                    let mut v = base.clone();
                                    if let Some(x) = v.get_mut(at) {
                                        *x = char::from(b);
                                    }
                                    samples.push(v.iter().collect());
                                }
                            }
                        }
                    }
                }
                for t in &samples {
                    assert_eq!(p.matches(t), Some(re.is_match(t)), "pattern {} on {t:?}", p.src);
                }
                checked += 1;
            }
        }
        assert!(checked > 0 || crate::all_schema_patterns().is_empty());
        // The patterns never tried are the ones the engine rejects.
        for p in crate::all_schema_patterns().into_iter().flatten().filter(|p| p.unjudged) {
            assert!(regex_lite::Regex::new(&translate(p.src)).is_err(), "{} compiles", p.src);
        }
    }

    /// A node holds its type, `$ref` and one reference per keyword group:
    /// the tables hold thousands of nodes, each byte counts.
    #[test]
    fn nodes_are_small() {
        assert!(std::mem::size_of::<Node>() <= 72, "{}", std::mem::size_of::<Node>());
    }

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
