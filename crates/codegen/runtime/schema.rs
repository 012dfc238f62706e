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
    let Some((tables, root)) = crate::schema_tables(type_name) else {
        return;
    };
    let v = Validator { t: tables };
    let mut st = State { uncertain: false, depth: 0 };
    if let Some(root) = v.node(root) {
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

/// One service's validator tables. Every table is pointer-free: cross
/// references are indices, strings are [`S`] spans of one text blob, lists
/// are [`R`] runs of the per-kind tables (so the tables sit in read-only
/// data with no load-time relocation; only this struct's slices relocate).
pub(crate) struct Tables {
    /// Every string of the tables (names, literals, patterns), concatenated.
    pub(crate) text: &'static str,
    /// (type name, root node), sorted by type name.
    pub(crate) schemas: &'static [(S, u32)],
    /// The schema nodes (children by index).
    pub(crate) nodes: &'static [Node],
    /// The nodes' type lists.
    pub(crate) types: &'static [Ty],
    /// The keyword groups of the nodes (identical groups stored once).
    pub(crate) values: &'static [ValueRules],
    pub(crate) numbers: &'static [NumberRules],
    pub(crate) objects: &'static [ObjectRules],
    pub(crate) arrays: &'static [ArrayRules],
    pub(crate) logic: &'static [Logic],
    /// `enum`/`const` literals.
    pub(crate) lits: &'static [Lit],
    /// Node index lists (`allOf`, `prefixItems`, …).
    pub(crate) indices: &'static [u32],
    /// Name lists (`required`, …).
    pub(crate) names: &'static [S],
    /// `properties`: (name, node), each object's run sorted by name.
    pub(crate) props: &'static [(S, u32)],
    /// `patternProperties`: (pattern, node).
    pub(crate) pattern_props: &'static [(u32, u32)],
    /// `dependentRequired`, `dependencies`, `dependentExcluded` entries.
    pub(crate) deps: &'static [(S, Dep)],
    /// The patterns (by index).
    pub(crate) patterns: &'static [Pattern],
    /// The fixed leading classes of class patterns.
    pub(crate) classes: &'static [u128],
    /// Each pattern's compiled regex (parallel to `patterns`), compiled
    /// when a value first reaches it.
    pub(crate) regexes: &'static [Compiled],
}

/// A pattern's regex, compiled at most once (`None`: it does not compile).
pub(crate) type Compiled = OnceLock<Option<regex_lite::Regex>>;

/// No index (an unset `u32` field of a [`Node`]).
pub(crate) const NO: u32 = u32::MAX;

/// A string of [`Tables::text`]: (byte offset, byte length).
#[derive(Clone, Copy)]
pub(crate) struct S(pub(crate) u32, pub(crate) u32);

/// A run of a table: (start, length).
#[derive(Clone, Copy)]
pub(crate) struct R(pub(crate) u32, pub(crate) u32);

/// The empty run.
#[allow(dead_code)]
pub(crate) const R0: R = R(0, 0);

/// The run `r` of `table` (empty if out of range).
fn run<T>(table: &'static [T], r: R) -> &'static [T] {
    let start = r.0 as usize;
    table.get(start..start + r.1 as usize).unwrap_or(&[])
}

impl Tables {
    /// The string `s`.
    fn str(&self, s: S) -> &'static str {
        let start = s.0 as usize;
        self.text.get(start..start + s.1 as usize).unwrap_or_default()
    }

    /// The bytes of string `s` (for comparisons: no character-boundary checks).
    fn bytes(&self, s: S) -> &'static [u8] {
        let start = s.0 as usize;
        self.text.as_bytes().get(start..start + s.1 as usize).unwrap_or_default()
    }

    /// The names of run `r` of [`Tables::names`].
    fn names(&'static self, r: R) -> impl Iterator<Item = &'static str> + Clone {
        run(self.names, r).iter().map(|s| self.str(*s))
    }

    /// The root node of `type_name`, if the service has it.
    pub(crate) fn root(&self, type_name: &str) -> Option<u32> {
        let i = self.schemas.binary_search_by(|(t, _)| self.bytes(*t).cmp(type_name.as_bytes())).ok()?;
        self.schemas.get(i).map(|(_, root)| *root)
    }
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
    Num(f64, S),
    Str(S),
    /// A list or object, as key-sorted JSON text (compared rarely: parsed then).
    Json(S),
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

/// A `dependencies` entry: required names (a run of [`Tables::names`]) or a schema.
// Some variants are constructed only by the tables of services not enabled.
#[allow(dead_code)]
#[derive(Clone, Copy)]
pub(crate) enum Dep {
    List(R),
    Schema(u32),
}

/// A `pattern` (Python `re` syntax), compiled when a value first reaches it
/// (into [`Tables::regexes`]); not judged when the Rust engine cannot
/// compile it. A pattern that is one ASCII class under one quantifier
/// (`^[a-z0-9-]{1,63}$`) carries that class instead and is checked without
/// the regex engine.
pub(crate) struct Pattern {
    src: S,
    class: Option<ClassPattern>,
    /// The Rust engine cannot compile it (Unicode property classes): never judged.
    unjudged: bool,
}

/// One ASCII class (bit `c` set: byte `c` is in it) repeated `min..=max`
/// times (`u32::MAX`: unbounded), anchored at the start and/or the end;
/// when anchored at both, after `fixed` (a run of [`Tables::classes`]):
/// one class per leading character.
#[derive(Clone, Copy)]
struct ClassPattern {
    fixed: R,
    class: u128,
    min: u32,
    max: u32,
    start: bool,
    end: bool,
}

impl ClassPattern {
    /// What the regex engine answers for this pattern on ASCII `text`.
    fn is_match(&self, t: &Tables, text: &str) -> bool {
        let mut b = text.as_bytes();
        let fixed = run(t.classes, self.fixed);
        if !fixed.is_empty() {
            let Some((head, rest)) = b.split_at_checked(fixed.len()) else {
                return false;
            };
            if !head.iter().zip(fixed).all(|(c, class)| *c < 128 && (class >> *c) & 1 == 1) {
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
    pub(crate) const fn new(src: S) -> Self {
        Pattern { src, class: None, unjudged: false }
    }

    /// A pattern the Rust engine cannot compile: never judged.
    pub(crate) const fn unjudged(src: S) -> Self {
        Pattern { src, class: None, unjudged: true }
    }

    /// A pattern the generator recognised as byte classes (see [`ClassPattern`]).
    pub(crate) const fn class(src: S, fixed: R, class: u128, min: u32, max: u32, start: bool, end: bool) -> Self {
        let class = ClassPattern { fixed, class, min, max, start, end };
        Pattern { src, class: Some(class), unjudged: false }
    }
}

impl Tables {
    /// Pattern `i`'s source text.
    fn pattern_src(&self, i: u32) -> &'static str {
        self.patterns.get(i as usize).map(|p| self.str(p.src)).unwrap_or_default()
    }

    /// Does ASCII `text` match pattern `i`? `None` when the pattern cannot
    /// be judged (or is unknown).
    fn matches(&self, i: u32, text: &str) -> Option<bool> {
        let p = self.patterns.get(i as usize)?;
        match &p.class {
            Some(c) => Some(c.is_match(self, text)),
            None if p.unjudged => None,
            None => {
                let re = self.regexes.get(i as usize)?;
                let re = re.get_or_init(|| regex_lite::Regex::new(&translate(self.str(p.src))).ok());
                re.as_ref().map(|r| r.is_match(text))
            }
        }
    }
}

/// One schema node, its keywords decoded by the generator (children are
/// indices into the service's node table), grouped by kind: each group is
/// an index into its side table of [`Tables`] ([`NO`]: the schema sets no
/// keyword of it), as in [`E`]. Identical groups are stored once, which
/// keeps the node itself small.
pub(crate) struct Node {
    /// A run of [`Tables::types`]; length [`NO`]: no `type`.
    pub(crate) ty: R,
    /// enum, enumCaseInsensitive, const, lengths, pattern ([`Tables::values`]).
    pub(crate) value: u32,
    /// Bounds and multipleOf ([`Tables::numbers`]).
    pub(crate) number: u32,
    /// Object keywords ([`Tables::objects`]).
    pub(crate) object: u32,
    /// Array keywords ([`Tables::arrays`]).
    pub(crate) array: u32,
    /// allOf, oneOf, anyOf, not, if/then/else ([`Tables::logic`]).
    pub(crate) logic: u32,
    /// `$ref`: a node.
    pub(crate) ref_: u32,
    /// Not an object schema: checks nothing.
    pub(crate) noop: bool,
}

/// The scalar-value keywords of a node (unset: `None`, as in [`VE`]).
pub(crate) struct ValueRules {
    /// Runs of [`Tables::lits`].
    pub(crate) enum_: Option<R>,
    pub(crate) enum_ci: Option<R>,
    /// An index of [`Tables::lits`].
    pub(crate) const_: Option<u32>,
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
    /// A run of [`Tables::props`], sorted by name.
    pub(crate) properties: R,
    /// A run of [`Tables::pattern_props`], sorted by pattern text.
    pub(crate) pattern_properties: R,
    /// A run of [`Tables::names`].
    pub(crate) required: R,
    pub(crate) min_properties: Option<u64>,
    pub(crate) max_properties: Option<u64>,
    pub(crate) additional: Additional,
    /// Runs of [`Tables::deps`] (`dependentRequired`: lists only).
    pub(crate) dependent_required: R,
    pub(crate) dependencies: R,
    pub(crate) dependent_excluded: R,
    /// A run of [`Tables::names`].
    pub(crate) required_xor: Option<R>,
}

/// The array keywords of a node (unset: empty, as in [`AE`]).
pub(crate) struct ArrayRules {
    pub(crate) min_items: Option<u64>,
    pub(crate) max_items: Option<u64>,
    pub(crate) unique_items: bool,
    /// A run of [`Tables::names`].
    pub(crate) unique_keys: Option<R>,
    /// A run of [`Tables::indices`].
    pub(crate) prefix_items: Option<R>,
    pub(crate) items: Option<u32>,
}

/// The combinators of a node (unset: `None`, as in [`LE`]); node lists are
/// runs of [`Tables::indices`], name lists runs of [`Tables::names`].
pub(crate) struct Logic {
    pub(crate) all_of: Option<R>,
    pub(crate) one_of: Option<R>,
    /// `oneOf` alternatives that only require properties: the names.
    pub(crate) one_of_required: Option<R>,
    pub(crate) any_of: Option<R>,
    /// `anyOf` alternatives that only require properties: the names.
    pub(crate) any_of_required: Option<R>,
    pub(crate) not: Option<u32>,
    pub(crate) if_: Option<u32>,
    pub(crate) then: Option<u32>,
    pub(crate) else_: Option<u32>,
}

// The empty node and groups, used by the tables of the enabled services
// (none: unused).

/// The empty node (every keyword unset).
#[allow(dead_code)]
pub(crate) const E: Node = Node {
    ty: R(0, NO),
    value: NO,
    number: NO,
    object: NO,
    array: NO,
    logic: NO,
    ref_: NO,
    noop: false,
};

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
    properties: R0,
    pattern_properties: R0,
    required: R0,
    min_properties: None,
    max_properties: None,
    additional: Additional::Any,
    dependent_required: R0,
    dependencies: R0,
    dependent_excluded: R0,
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
    t: &'static Tables,
}

fn child(path: &P<'_>, name: &str) -> String {
    P::Prop(path, name).render()
}

fn at(path: &P<'_>) -> String {
    path.render()
}

fn names(t: &Tables, list: &[Lit]) -> String {
    let v: Vec<String> = list.iter().map(|l| show_lit(t, l)).collect();
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
fn show_lit(t: &Tables, v: &Lit) -> String {
    match v {
        Lit::Null => "null".to_owned(),
        Lit::Bool(b) => b.to_string(),
        Lit::Num(_, text) | Lit::Json(text) => cut(t.str(*text).to_owned()),
        Lit::Str(s) => format!("{:?}", t.str(*s)),
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
fn loosely_equal(t: &Tables, a: &Lit, v: &Json) -> bool {
    match (a, v) {
        (Lit::Null, Json::Null) => true,
        (Lit::Bool(b), Json::Bool(x)) => b == x,
        (Lit::Bool(b), Json::String(s)) => s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        (Lit::Num(n, _), Json::Number(_)) => as_number(v) == Some(*n),
        (Lit::Num(n, _), Json::String(s)) => s.trim().parse::<f64>().ok() == Some(*n),
        (Lit::Str(s), Json::String(x)) => t.str(*s) == x,
        (Lit::Str(s), Json::Number(_)) => as_number(v) == t.str(*s).trim().parse::<f64>().ok(),
        (Lit::Str(s), Json::Bool(b)) => t.str(*s).eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        (Lit::Json(text), Json::Array(_) | Json::Object(_)) => lit_json(t.str(*text)).is_some_and(|j| j == *v),
        _ => false,
    }
}

/// A composite literal parsed (only when a composite value is compared to it).
fn lit_json(text: &str) -> Option<Json> {
    stackcraft_core::serde_json::from_str(text).ok()
}

impl Validator {
    fn node(&self, i: u32) -> Option<&'static Node> {
        self.t.nodes.get(i as usize)
    }

    fn nodes_of(&self, list: R) -> impl Iterator<Item = &'static Node> + '_ {
        run(self.t.indices, list).iter().filter_map(|i| self.node(*i))
    }

    /// The literals of run `r`.
    fn lits(&self, r: R) -> &'static [Lit] {
        run(self.t.lits, r)
    }

    /// The names of run `r`, collected (messages only).
    fn name_list(&self, r: R) -> Vec<&'static str> {
        self.t.names(r).collect()
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
        if let Some(target) = self.node(s.ref_) {
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
                if let Some(o) = self.t.objects.get(s.object as usize) {
                    self.check_object(o, m, path, st, out);
                }
            }
            Json::Array(a) => {
                if let Some(r) = self.t.arrays.get(s.array as usize) {
                    self.check_array(r, a, path, st, out);
                }
            }
            _ => {}
        }
        if let Some(l) = self.t.logic.get(s.logic as usize) {
            self.check_combinators(l, v, path, st, out);
        }
        st.depth -= 1;
    }

    fn check_type(&self, s: &Node, v: &Json, path: &P<'_>, out: &mut Vec<Finding>) {
        let Some(types) = self.types(s) else { return };
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

    /// The node's `type` list, if it has one.
    fn types(&self, s: &Node) -> Option<&'static [Ty]> {
        (s.ty.1 != NO).then(|| run(self.t.types, s.ty))
    }

    /// enum, const, pattern, lengths, bounds.
    fn check_value(&self, s: &Node, v: &Json, path: &P<'_>, out: &mut Vec<Finding>) {
        if let Some(r) = self.t.values.get(s.value as usize) {
            self.check_scalar(r, v, path, out);
        }
        if let Some(r) = self.t.numbers.get(s.number as usize) {
            check_number(self.types(s), r, v, path, out);
        }
    }

    /// enum, const, pattern, lengths.
    fn check_scalar(&self, s: &ValueRules, v: &Json, path: &P<'_>, out: &mut Vec<Finding>) {
        let t = self.t;
        if matches!(v, Json::Object(_) | Json::Array(_)) {
            // enum/const of composite values: compare exactly.
            if let Some(allowed) = s.enum_.map(|r| self.lits(r)) {
                if !allowed.iter().any(|a| loosely_equal(t, a, v)) {
                    out.push(Finding::new(
                        at(path),
                        format!("{} is not one of the allowed values: {}", show(v), names(t, allowed)),
                    ));
                }
            }
            return;
        }
        if let Some(allowed) = s.enum_.map(|r| self.lits(r)) {
            if !allowed.iter().any(|a| loosely_equal(t, a, v)) {
                out.push(Finding::new(
                    at(path),
                    format!("{} is not one of the allowed values: {}", show(v), names(t, allowed)),
                ));
            }
        }
        if let Some(allowed) = s.enum_ci.map(|r| self.lits(r)) {
            let ok = match v {
                Json::String(x) => {
                    allowed.iter().any(|a| matches!(a, Lit::Str(a) if t.str(*a).eq_ignore_ascii_case(x)))
                }
                _ => allowed.iter().any(|a| loosely_equal(t, a, v)),
            };
            if !ok {
                out.push(Finding::new(
                    at(path),
                    format!("{} is not one of the allowed values (any case): {}", show(v), names(t, allowed)),
                ));
            }
        }
        if let Some(c) = s.const_.and_then(|c| t.lits.get(c as usize)) {
            if !loosely_equal(t, c, v) {
                out.push(Finding::new(
                    at(path),
                    format!("{} is not allowed here: the value must be {}", show(v), show_lit(t, c)),
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
            if let Some(p) = s.pattern.filter(|_| text.is_ascii()) {
                if t.matches(p, text) == Some(false) {
                    out.push(Finding::new(
                        at(path),
                        format!("{} does not match the pattern {}", show(v), t.pattern_src(p)),
                    ));
                }
            }
        }
    }
}

/// minimum, maximum, exclusive bounds, multipleOf (`types`: the node's).
fn check_number(types: Option<&[Ty]>, s: &NumberRules, v: &Json, path: &P<'_>, out: &mut Vec<Finding>) {
        if s.minimum.is_none()
            && s.maximum.is_none()
            && s.exclusive_minimum.is_none()
            && s.exclusive_maximum.is_none()
            && s.multiple_of.is_none()
        {
            return;
        }
        let numeric = types.is_some_and(|t| t.iter().any(|x| matches!(x, Ty::Integer | Ty::Number)));
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
        let t = self.t;
        for r in t.names(s.required) {
            if !m.contains_key(r) {
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
        let props = run(t.props, s.properties);
        let pattern_props = run(t.pattern_props, s.pattern_properties);
        for (k, x) in m {
            let p = P::Prop(path, k);
            let mut known = false;
            if let Ok(i) = props.binary_search_by(|(n, _)| t.bytes(*n).cmp(k.as_bytes())) {
                if let Some(ps) = props.get(i).and_then(|(_, n)| self.node(*n)) {
                    known = true;
                    self.check(ps, x, &p, st, out);
                }
            }
            for (pat, ps) in pattern_props {
                let Some(ps) = self.node(*ps) else { continue };
                // A pattern the engine cannot compile matches everything (no false positive).
                let matches = !k.is_ascii() || t.matches(*pat, k) != Some(false);
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
                    let allowed: Vec<&str> = props.iter().map(|(n, _)| t.str(*n)).collect();
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
        if s.dependent_required.1 > 0 {
            self.dependent_required(s.dependent_required, m, path, out);
        }
        let dependencies = run(t.deps, s.dependencies);
        if !dependencies.is_empty() {
            self.dependent_required(s.dependencies, m, path, out);
            for (k, d) in dependencies {
                if let Dep::Schema(d) = d {
                    if m.contains_key(t.str(*k)) {
                        if let Some(d) = self.node(*d) {
                            self.check(d, &Json::Object(m.clone()), path, st, out);
                        }
                    }
                }
            }
        }
        let excluded = run(t.deps, s.dependent_excluded);
        if !excluded.is_empty() {
            let mut reported: Vec<(&str, &str)> = Vec::new();
            for (k, others) in excluded {
                let k = t.str(*k);
                let Dep::List(others) = others else { continue };
                if !m.contains_key(k) {
                    continue;
                }
                for o in t.names(*others) {
                    // Declared both ways (A excludes B, B excludes A): report once.
                    if m.contains_key(o) && !reported.contains(&(o, k)) {
                        reported.push((k, o));
                        out.push(Finding::new(child(path, k), format!("cannot be set together with `{o}`")));
                    }
                }
            }
        }
        if let Some(names) = s.required_xor.map(|r| t.names(r)) {
            let set: Vec<&str> = names.clone().filter(|n| m.contains_key(*n)).collect();
            if set.len() != 1 {
                let found = if set.is_empty() { "none is".to_owned() } else { format!("{} are", set.join(" and ")) };
                let names: Vec<&str> = names.collect();
                out.push(Finding::new(
                    child(path, names.first().copied().unwrap_or_default()),
                    format!("exactly one of `{}` must be set ({found})", names.join("`, `")),
                ));
            }
        }
    }

    /// The list entries of run `deps` of [`Tables::deps`]: names required
    /// when the key is set.
    fn dependent_required(
        &self,
        deps: R,
        m: &stackcraft_core::serde_json::Map<String, Json>,
        path: &P<'_>,
        out: &mut Vec<Finding>,
    ) {
        let t = self.t;
        for (k, d) in run(t.deps, deps) {
            let Dep::List(needed) = d else { continue };
            let k = t.str(*k);
            if !m.contains_key(k) {
                continue;
            }
            for n in t.names(*needed) {
                if !m.contains_key(n) {
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
        if let Some(keys) = s.unique_keys.map(|r| self.t.names(r)) {
            let mut seen: Vec<(usize, Vec<&Json>)> = Vec::new();
            for (i, x) in a.iter().enumerate() {
                let vals: Option<Vec<&Json>> = keys.clone().map(|k| x.get(k)).collect();
                let Some(vals) = vals else { continue };
                if vals.iter().any(|v| has_intrinsic(v)) {
                    continue;
                }
                if let Some((j, _)) = seen.iter().find(|(_, v)| *v == vals) {
                    out.push(Finding::new(
                        P::Index(path, i).render(),
                        format!(
                            "has the same `{}` as item [{j}]; it must be unique",
                            keys.clone().collect::<Vec<_>>().join("`, `")
                        ),
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
        let prefix = s.prefix_items.map(|r| run(self.t.indices, r));
        for (i, x) in a.iter().enumerate() {
            let p = P::Index(path, i);
            match prefix.and_then(|pre| pre.get(i)) {
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
            // The names are collected only for a message.
            let req = || req.map(|r| self.name_list(r));
            let Some(alts) = alts else { continue };
            let trials: Vec<(Vec<Finding>, bool)> =
                self.nodes_of(alts).map(|a| self.trial(a, v, path, st.depth)).collect();
            let uncertain = trials.iter().any(|t| t.1);
            st.uncertain |= uncertain;
            let passing = trials.iter().filter(|t| t.0.is_empty()).count();
            if passing == 0 {
                let f = none_matched(kw, req().as_deref(), &trials, v, path);
                // The closest alternative may repeat what the outer schema said.
                if !out.iter().any(|o| o.property == f.property && f.message.starts_with(&o.message)) {
                    out.push(f);
                }
            } else if exactly_one && passing > 1 && !uncertain {
                let (property, message) = match req() {
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
                let reserved = self.t.values.get(n.value as usize).and_then(|r| r.enum_).map(|r| self.lits(r));
                let what = match reserved {
                    Some(e) => format!("{} is not allowed here (reserved: {})", show(v), names(self.t, e)),
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
        for t in crate::all_schema_tables() {
            for (i, p) in t.patterns.iter().enumerate().filter(|(_, p)| p.class.is_some()) {
                let (i, src) = (i as u32, t.str(p.src));
                let re = regex_lite::Regex::new(&translate(src));
                let re = re.unwrap_or_else(|e| panic!("{src} does not compile: {e}"));
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
                    let fixed = run(t.classes, c.fixed);
                    let head: Option<String> = fixed.iter().map(|f| low(*f)).collect();
                    if let (Some(head), Some(l)) = (head, low(c.class)) {
                        for n in [c.min, c.min.saturating_add(1), c.max, c.max.saturating_add(1)] {
                            let base: Vec<char> =
                                head.chars().chain(std::iter::repeat_n(l, n.min(300) as usize)).collect();
                            samples.push(base.iter().collect());
                            for at in 0..base.len().min(fixed.len() + 2) {
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
                for text in &samples {
                    assert_eq!(t.matches(i, text), Some(re.is_match(text)), "pattern {src} on {text:?}");
                }
                checked += 1;
            }
        }
        assert!(checked > 0 || crate::all_schema_tables().is_empty());
        // The patterns never tried are the ones the engine rejects.
        for t in crate::all_schema_tables() {
            for (i, p) in t.patterns.iter().enumerate().filter(|(_, p)| p.unjudged) {
                let src = t.str(p.src);
                assert!(regex_lite::Regex::new(&translate(src)).is_err(), "{src} compiles");
                assert_eq!(t.matches(i as u32, "a"), None);
            }
            // One lazily compiled regex per pattern.
            assert_eq!(t.regexes.len(), t.patterns.len());
        }
    }

    /// A node holds its type run, `$ref` and one index per keyword group:
    /// the tables hold thousands of nodes, each byte counts.
    #[test]
    fn nodes_are_small() {
        assert!(std::mem::size_of::<Node>() <= 36, "{}", std::mem::size_of::<Node>());
    }

    /// Every string span of the tables lies inside the text blob on
    /// character boundaries, every run inside its table, every index inside
    /// its table: nothing resolves to the empty default by accident.
    #[test]
    fn spans_runs_and_indices_are_in_range() {
        for t in crate::all_schema_tables() {
            let s_ok = |s: S| t.text.get(s.0 as usize..(s.0 as usize + s.1 as usize)).is_some();
            fn r_ok<T>(table: &[T], r: R) -> bool {
                r.0 as usize + r.1 as usize <= table.len()
            }
            let n_ok = |i: u32| (i as usize) < t.nodes.len();
            assert!(t.schemas.iter().all(|(s, i)| s_ok(*s) && n_ok(*i)));
            assert!(t.names.iter().all(|s| s_ok(*s)));
            assert!(t.props.iter().all(|(s, i)| s_ok(*s) && n_ok(*i)));
            assert!(t.pattern_props.iter().all(|(p, i)| (*p as usize) < t.patterns.len() && n_ok(*i)));
            assert!(t.indices.iter().all(|i| n_ok(*i)));
            assert!(t.patterns.iter().all(|p| s_ok(p.src) && p.class.is_none_or(|c| r_ok(t.classes, c.fixed))));
            assert!(t.lits.iter().all(|l| match l {
                Lit::Num(_, s) | Lit::Str(s) | Lit::Json(s) => s_ok(*s),
                Lit::Null | Lit::Bool(_) => true,
            }));
            assert!(t.deps.iter().all(|(s, d)| s_ok(*s)
                && match d {
                    Dep::List(r) => r_ok(t.names, *r),
                    Dep::Schema(i) => n_ok(*i),
                }));
            for n in t.nodes {
                assert!(n.ty.1 == NO || r_ok(t.types, n.ty));
                assert!(n.value == NO || (n.value as usize) < t.values.len());
                assert!(n.number == NO || (n.number as usize) < t.numbers.len());
                assert!(n.object == NO || (n.object as usize) < t.objects.len());
                assert!(n.array == NO || (n.array as usize) < t.arrays.len());
                assert!(n.logic == NO || (n.logic as usize) < t.logic.len());
                assert!(n.ref_ == NO || n_ok(n.ref_));
            }
            for v in t.values {
                assert!([v.enum_, v.enum_ci].into_iter().flatten().all(|r| r_ok(t.lits, r)));
                assert!(v.const_.is_none_or(|c| (c as usize) < t.lits.len()));
                assert!(v.pattern.is_none_or(|p| (p as usize) < t.patterns.len()));
            }
            for o in t.objects {
                assert!(r_ok(t.props, o.properties) && r_ok(t.pattern_props, o.pattern_properties));
                assert!(r_ok(t.names, o.required) && o.required_xor.is_none_or(|r| r_ok(t.names, r)));
                assert!([o.dependent_required, o.dependencies, o.dependent_excluded].iter().all(|r| r_ok(t.deps, *r)));
            }
            for a in t.arrays {
                assert!(a.unique_keys.is_none_or(|r| r_ok(t.names, r)));
                assert!(a.prefix_items.is_none_or(|r| r_ok(t.indices, r)));
            }
            for l in t.logic {
                assert!([l.all_of, l.one_of, l.any_of].into_iter().flatten().all(|r| r_ok(t.indices, r)));
                assert!([l.one_of_required, l.any_of_required].into_iter().flatten().all(|r| r_ok(t.names, r)));
            }
        }
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
