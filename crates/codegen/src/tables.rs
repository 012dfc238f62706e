//! The reduced provider schemas (see `prune`) emitted as static Rust data
//! with no pointers inside (so the tables need no load-time relocation and
//! stay in read-only, shared pages): per service module one
//! `static TABLES: Tables` whose fields are the only references, to flat
//! per-kind arrays. Nodes (`NODES`) refer to one another by `u32` index (so
//! `$ref` cycles need no named items); every string is an `S(offset, len)`
//! span of one text blob (`TEXT`, identical strings stored once); every
//! list is an `R(start, len)` run of a per-kind list table (`TYPES`,
//! `LITS`, `INDICES`, `NAMES`, `PROPS`, `PATTERN_PROPS`, `DEPS`, `CLASSES`;
//! identical lists stored once). A node keeps its type run and `$ref`
//! inline and each keyword group (value, number, object, array,
//! combinators) as an index into a per-kind side table (`VALUES`,
//! `NUMBERS`, `OBJECTS`, `ARRAYS`, `LOGIC`; identical groups stored once;
//! `NO`: unset), so nodes stay small. The `pattern`s are deduplicated into
//! `PATTERNS`, each compiled lazily at synth into its `REGEXES` slot, only
//! when a literal value reaches it; `SCHEMAS`: (type name, root node)
//! sorted by type name. Every keyword the interpreter (`runtime/schema.rs`)
//! reads is decoded here, once, exactly the way it read it from the JSON
//! before: a keyword of the wrong JSON shape is dropped.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde_json::{Map, Value as Json};

/// The tables of one service: `mod validation_tables { ... }`.
pub(crate) fn emit(schemas: &[(&str, &Json)]) -> String {
    let mut e = Emitter::default();
    let mut roots = Vec::new();
    for (type_name, schema) in schemas {
        let defs: BTreeMap<String, &Json> = schema
            .get("definitions")
            .and_then(Json::as_object)
            .map(|d| d.iter().map(|(k, v)| (k.clone(), v)).collect())
            .unwrap_or_default();
        // Reserve each definition's index first: `$ref`s may be cyclic.
        let mut def_index = BTreeMap::new();
        for name in defs.keys() {
            def_index.insert(name.clone(), e.reserve());
        }
        for (name, d) in &defs {
            let i = def_index[name];
            let text = e.node(d, &def_index);
            e.nodes[i] = text;
        }
        let mut root_schema = schema.as_object().cloned().unwrap_or_default();
        root_schema.remove("definitions");
        let root = e.reserve();
        let text = e.node(&Json::Object(root_schema), &def_index);
        e.nodes[root] = text;
        roots.push((type_name.to_string(), root));
    }
    roots.sort();
    let schemas: Vec<String> = roots.iter().map(|(t, i)| format!("({},{i})", e.s(t))).collect();
    // The patterns, in index order (their text and classes join the tables).
    let mut pats: Vec<(String, usize)> = e.patterns.iter().map(|(p, i)| (p.clone(), *i)).collect();
    pats.sort_by_key(|(_, i)| *i);
    let mut patterns = Vec::new();
    for (p, _) in &pats {
        let src = e.s(p);
        patterns.push(match class_pattern(p) {
            // Unicode property classes: the Rust engine (regex-lite) cannot
            // compile them, so they are never judged; not even tried at synth.
            _ if p.contains("\\p{") || p.contains("\\P{") => format!("Pattern::unjudged({src})"),
            Some(c) => {
                let fixed = e.run(CLASSES, c.fixed.iter().map(|f| format!("{f:#x}")).collect());
                format!("Pattern::class({src}, {fixed}, {:#x}, {}, {}, {}, {})", c.class, c.min, c.max, c.start, c.end)
            }
            None => format!("Pattern::new({src})"),
        });
    }

    let mut s = String::new();
    s.push_str(
        "/// The provider schemas of this service's types reduced to their constraints, \
         as static tables: what synth-time validation (`crate::schema`) checks.\n\
         #[rustfmt::skip]\n\
         pub(crate) mod validation_tables {\n\
         #[allow(unused_imports)]\n\
         use crate::schema::{Additional as A, Dep, Lit as L, Node as N, Pattern, Ty as T, E, NO, R, R0, S};\n\
         #[allow(unused_imports)]\n\
         use crate::schema::{ArrayRules as AR, Logic as LR, NumberRules as NR, ObjectRules as OR, ValueRules as VR, AE, LE, NE, OE, VE};\n\n\
         /// This service's tables (the only references: every table below is pointer-free).\n\
         pub(crate) static TABLES: crate::schema::Tables = crate::schema::Tables {\n\
         text: TEXT,\n\
         schemas: &SCHEMAS,\n\
         nodes: &NODES,\n",
    );
    let field = |s: &mut String, name: &str, table: &str, empty: bool| {
        let _ = writeln!(s, "{name}: {},", if empty { "&[]".to_owned() } else { format!("&{table}") });
    };
    let lists = &e.lists;
    field(&mut s, "types", "TYPES", lists[TYPES].items.is_empty());
    for (g, table, _, _) in GROUPS {
        field(&mut s, GROUP_FIELDS[g], table, e.groups[g].items.is_empty());
    }
    for (k, (table, _, _)) in LISTS.iter().enumerate().skip(1) {
        field(&mut s, LIST_FIELDS[k], table, lists[k].items.is_empty());
    }
    field(&mut s, "patterns", "PATTERNS", patterns.is_empty());
    field(&mut s, "regexes", "REGEXES", patterns.is_empty());
    s.push_str("};\n\n/// (type name, root node in [`NODES`]), sorted by type name.\n");
    let _ = writeln!(s, "static SCHEMAS: [(S, u32); {}] = [", schemas.len());
    for x in &schemas {
        let _ = writeln!(s, "{x},");
    }
    s.push_str("];\n\n/// The schema nodes of this service's types.\n");
    let _ = writeln!(s, "static NODES: [N; {}] = [", e.nodes.len());
    for n in &e.nodes {
        let _ = writeln!(s, "{n},");
    }
    s.push_str("];\n");
    for (g, name, ty, doc) in GROUPS {
        let t = &e.groups[g];
        if t.items.is_empty() {
            // No node refers to it.
            continue;
        }
        let _ = writeln!(s, "\n/// The {doc} of [`NODES`] (identical ones stored once).");
        let _ = writeln!(s, "static {name}: [{ty}; {}] = [", t.items.len());
        for x in &t.items {
            let _ = writeln!(s, "{x},");
        }
        s.push_str("];\n");
    }
    for (k, (name, ty, doc)) in LISTS.iter().enumerate() {
        let t = &lists[k];
        if t.items.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n/// The {doc} (runs `R(start, len)`; identical lists stored once).");
        let _ = writeln!(s, "static {name}: [{ty}; {}] = [", t.items.len());
        for x in &t.items {
            let _ = writeln!(s, "{x},");
        }
        s.push_str("];\n");
    }
    if !patterns.is_empty() {
        s.push_str("\n/// The `pattern`s of [`NODES`] (by index).\n");
        let _ = writeln!(s, "static PATTERNS: [Pattern; {}] = [", patterns.len());
        for p in &patterns {
            let _ = writeln!(s, "{p},");
        }
        s.push_str("];\n\n/// Each pattern's regex, compiled when a value first reaches it.\n");
        let n = patterns.len();
        let _ = writeln!(
            s,
            "static REGEXES: [crate::schema::Compiled; {n}] = [const {{ crate::schema::Compiled::new() }}; {n}];"
        );
    }
    s.push_str("\n/// Every string of the tables (`S(offset, len)` spans; identical strings stored once).\n");
    let _ = writeln!(s, "const TEXT: &str = {:?};\n}}", e.text);
    s
}

/// A pattern checked at synth by byte-class tests instead of the regex
/// engine (same outcome on ASCII text, the only text patterns judge;
/// `schema.rs` tests the equivalence on every such pattern): one ASCII class
/// under one quantifier, optionally anchored (`^[a-z0-9-]{1,63}$`, `.+`),
/// or, anchored at both ends, classes of fixed count followed by one under a
/// quantifier (`^[a-zA-Z][a-zA-Z0-9_]{0,127}$`, `^sg-[0-9a-f]{8,17}$`).
#[derive(Debug, PartialEq)]
struct ClassPattern {
    /// The fixed-count classes before the last one, one per character.
    fixed: Vec<u128>,
    /// Bit `c` set: ASCII byte `c` is in the (last) class.
    class: u128,
    min: u32,
    /// `u32::MAX`: unbounded.
    max: u32,
    start: bool,
    end: bool,
}

fn word() -> u128 {
    range(u32::from(b'0'), u32::from(b'9'))
        | range(u32::from(b'A'), u32::from(b'Z'))
        | range(u32::from(b'a'), u32::from(b'z'))
        | (1u128 << b'_')
}

/// The ASCII part of the code point range `a..=b`.
fn range(a: u32, b: u32) -> u128 {
    (a..=b.min(127)).fold(0, |acc, c| acc | (1u128 << c))
}

/// An escape at `chars[i]` (the character after `\`): a class (`\w`, `\d`)
/// or one code point (escaped punctuation, `\uXXXX`); anything else (`\s`,
/// `\n`, `\p{..}`, …) is not handled. Advances `i` past it.
fn escape(chars: &[char], i: &mut usize) -> Option<Result<u128, u32>> {
    let c = *chars.get(*i)?;
    *i += 1;
    match c {
        'w' => Some(Ok(word())),
        'd' => Some(Ok(range(u32::from(b'0'), u32::from(b'9')))),
        'u' => {
            let hex: String = chars.get(*i..*i + 4)?.iter().collect();
            *i += 4;
            u32::from_str_radix(&hex, 16).ok().map(Err)
        }
        c if c.is_ascii_punctuation() => Some(Err(c as u32)),
        _ => None,
    }
}

fn bit(c: u32) -> u128 {
    if c < 128 {
        1u128 << c
    } else {
        0
    }
}

/// One atom at `chars[i]`: `.`, an escape, a bracketed class or a literal.
fn atom(chars: &[char], i: &mut usize) -> Option<u128> {
    let c = *chars.get(*i)?;
    *i += 1;
    match c {
        '.' => Some(range(0, 127) & !(1u128 << b'\n')),
        '\\' => match escape(chars, i)? {
            Ok(cls) => Some(cls),
            Err(cp) => Some(bit(cp)),
        },
        '[' => {
            let negate = chars.get(*i) == Some(&'^');
            if negate {
                *i += 1;
            }
            let mut set = 0u128;
            let mut first = true;
            loop {
                let c = *chars.get(*i)?;
                if c == ']' && !first {
                    *i += 1;
                    break;
                }
                first = false;
                *i += 1;
                // One member: a code point or an escaped class.
                let lo = if c == '\\' {
                    match escape(chars, i)? {
                        Ok(cls) => {
                            set |= cls;
                            continue;
                        }
                        Err(cp) => cp,
                    }
                } else {
                    c as u32
                };
                // A range `lo-hi` (a `-` before `]` is a literal).
                if chars.get(*i) == Some(&'-') && chars.get(*i + 1).is_some_and(|c| *c != ']') {
                    *i += 1;
                    let h = *chars.get(*i)?;
                    *i += 1;
                    let hi = match h {
                        '\\' => escape(chars, i)?.err()?,
                        '[' => return None,
                        h => h as u32,
                    };
                    if hi < lo {
                        return None;
                    }
                    set |= range(lo, hi);
                } else {
                    set |= bit(lo);
                }
            }
            Some(if negate { range(0, 127) & !set } else { set })
        }
        c if c.is_ascii_alphanumeric() || " -_:/#@,=!%&~<>;'\"`".contains(c) => Some(1u128 << (c as u8)),
        _ => None,
    }
}

/// A quantifier at `chars[i]` (none: exactly once); lazy ones are not handled.
fn quantifier(chars: &[char], i: &mut usize) -> Option<(u32, u32)> {
    let q = match chars.get(*i) {
        Some('*') => (0, u32::MAX),
        Some('+') => (1, u32::MAX),
        Some('?') => (0, 1),
        Some('{') => {
            let close = chars.get(*i..)?.iter().position(|c| *c == '}')? + *i;
            let inner: String = chars.get(*i + 1..close)?.iter().collect();
            *i = close;
            match inner.split_once(',') {
                None => {
                    let n = inner.parse().ok()?;
                    (n, n)
                }
                Some((a, "")) => (a.parse().ok()?, u32::MAX),
                Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
            }
        }
        _ => return Some((1, 1)),
    };
    *i += 1;
    if matches!(chars.get(*i), Some('?' | '+')) || q.0 > q.1 || (q.1 != u32::MAX && q.1 > 1000) {
        return None;
    }
    Some(q)
}

fn class_pattern(p: &str) -> Option<ClassPattern> {
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    let start = chars.first() == Some(&'^');
    if start {
        i += 1;
    }
    let mut atoms: Vec<(u128, u32, u32)> = Vec::new();
    let end = loop {
        match chars.get(i..)? {
            [] => break false,
            ['$'] | ['\\', 'Z' | 'z'] => break true,
            ['(', ..] => {
                // A group around one atom: `([a-z])*`, `(?:[a-z]*)`.
                i += 1;
                if chars.get(i..i + 2) == Some(&['?', ':']) {
                    i += 2;
                }
                let cls = atom(&chars, &mut i)?;
                let inner = quantifier(&chars, &mut i)?;
                if chars.get(i) != Some(&')') {
                    return None;
                }
                i += 1;
                let outer = quantifier(&chars, &mut i)?;
                let q = match (inner, outer) {
                    ((1, 1), q) | (q, (1, 1)) => q,
                    _ => return None,
                };
                atoms.push((cls, q.0, q.1));
            }
            _ => {
                let cls = atom(&chars, &mut i)?;
                let (min, max) = quantifier(&chars, &mut i)?;
                atoms.push((cls, min, max));
            }
        }
    };
    let (class, min, max) = atoms.pop()?;
    let mut fixed = Vec::new();
    for (cls, n, m) in atoms {
        // Before the last class: fixed counts only, and only when anchored at both ends.
        if n != m || n > 64 || !(start && end) {
            return None;
        }
        fixed.extend(std::iter::repeat_n(cls, n as usize));
    }
    Some(ClassPattern { fixed, class, min, max, start, end })
}

/// The side tables of node keyword groups: (index in `Emitter::groups`,
/// static name, type alias, doc), in the order they are emitted.
const GROUPS: [(usize, &str, &str, &str); 5] = [
    (0, "VALUES", "VR", "scalar-value keywords"),
    (1, "NUMBERS", "NR", "numeric keywords"),
    (2, "OBJECTS", "OR", "object keywords"),
    (3, "ARRAYS", "AR", "array keywords"),
    (4, "LOGIC", "LR", "combinators"),
];

/// The `Tables` field (and `Node` field) of each group of [`GROUPS`].
const GROUP_FIELDS: [&str; 5] = ["values", "numbers", "objects", "arrays", "logic"];
const NODE_FIELDS: [&str; 5] = ["value", "number", "object", "array", "logic"];

/// The list tables: (static name, element type, doc), indexed by the
/// constants below; their `Tables` fields in [`LIST_FIELDS`].
const LISTS: [(&str, &str, &str); 8] = [
    ("TYPES", "T", "type lists of the nodes"),
    ("LITS", "L", "`enum`/`const` literals"),
    ("INDICES", "u32", "node index lists"),
    ("NAMES", "S", "name lists"),
    ("PROPS", "(S, u32)", "`properties`: (name, node)"),
    ("PATTERN_PROPS", "(u32, u32)", "`patternProperties`: (pattern, node)"),
    ("DEPS", "(S, Dep)", "dependency entries"),
    ("CLASSES", "u128", "fixed leading classes of class patterns"),
];
const LIST_FIELDS: [&str; 8] = ["types", "lits", "indices", "names", "props", "pattern_props", "deps", "classes"];
const TYPES: usize = 0;
const LITS: usize = 1;
const INDICES: usize = 2;
const NAMES: usize = 3;
const PROPS: usize = 4;
const PATTERN_PROPS: usize = 5;
const DEPS: usize = 6;
const CLASSES: usize = 7;

/// One side table: its entries' text, and text → index.
#[derive(Default)]
struct Table {
    items: Vec<String>,
    interned: HashMap<String, usize>,
}

impl Table {
    fn intern(&mut self, text: String) -> usize {
        if let Some(i) = self.interned.get(&text) {
            return *i;
        }
        self.items.push(text.clone());
        let i = self.items.len() - 1;
        self.interned.insert(text, i);
        i
    }
}

/// One list table: its elements' text, and list → start.
#[derive(Default)]
struct Lists {
    items: Vec<String>,
    interned: HashMap<Vec<String>, usize>,
}

#[derive(Default)]
struct Emitter {
    nodes: Vec<String>,
    /// The keyword groups' side tables (see [`GROUPS`]).
    groups: [Table; 5],
    /// The list tables (see [`LISTS`]).
    lists: [Lists; 8],
    /// Node text → index (children only; definitions and roots have fixed slots).
    interned: HashMap<String, usize>,
    patterns: BTreeMap<String, usize>,
    /// The text blob, and string → its offset.
    text: String,
    strings: HashMap<String, usize>,
}

fn strs(v: &Json) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(Json::as_str)
}

fn f64_lit(n: f64) -> String {
    let t = format!("{n:?}");
    if t.contains(['.', 'e', 'E']) || t.contains("inf") || t.contains("NaN") {
        t
    } else {
        format!("{t}.0")
    }
}

fn sorted(m: &Map<String, Json>) -> Vec<(&String, &Json)> {
    let mut v: Vec<(&String, &Json)> = m.iter().collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v
}

/// `[{required: [A]}, {required: [B]}]`: the names, when every alternative
/// only requires properties (what the interpreter's messages name).
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

impl Emitter {
    fn reserve(&mut self) -> usize {
        self.nodes.push(String::new());
        self.nodes.len() - 1
    }

    /// The span of `x` in the text blob: `S(offset, len)` (stored once).
    fn s(&mut self, x: &str) -> String {
        let off = match self.strings.get(x) {
            Some(off) => *off,
            None => {
                let off = self.text.len();
                self.text.push_str(x);
                self.strings.insert(x.to_owned(), off);
                off
            }
        };
        format!("S({off},{})", x.len())
    }

    /// `items` (element texts) as a run of list table `k`: `R(start, len)`
    /// (identical lists stored once).
    fn run(&mut self, k: usize, items: Vec<String>) -> String {
        if items.is_empty() {
            return "R0".into();
        }
        let len = items.len();
        let start = self.run_start(k, items);
        format!("R({start},{len})")
    }

    /// Where (non-empty) `items` start in list table `k` (added if new).
    fn run_start(&mut self, k: usize, items: Vec<String>) -> usize {
        let t = &mut self.lists[k];
        match t.interned.get(&items) {
            Some(start) => *start,
            None => {
                let start = t.items.len();
                t.items.extend(items.iter().cloned());
                t.interned.insert(items, start);
                start
            }
        }
    }

    /// A run of names.
    fn names<'a>(&mut self, v: impl Iterator<Item = &'a str>) -> String {
        let items: Vec<String> = v.map(|x| self.s(x)).collect();
        self.run(NAMES, items)
    }

    /// An `enum`/`const` value: strings bare, numbers with their JSON text,
    /// composite values as their (key-sorted) JSON text.
    fn lit(&mut self, v: &Json) -> String {
        match v {
            Json::Null => "L::Null".into(),
            Json::Bool(b) => format!("L::Bool({b})"),
            Json::Number(n) => {
                let text = self.s(&n.to_string());
                format!("L::Num({}, {text})", f64_lit(n.as_f64().unwrap_or(f64::NAN)))
            }
            Json::String(x) => format!("L::Str({})", self.s(x)),
            other => format!("L::Json({})", self.s(&crate::prune::to_sorted_string(other))),
        }
    }

    /// A run of literals.
    fn lits(&mut self, a: &[Json]) -> String {
        let items: Vec<String> = a.iter().map(|x| self.lit(x)).collect();
        self.run(LITS, items)
    }

    /// The index of the node for `v` (a non-object schema is the no-op
    /// node); identical nodes are stored once.
    fn child(&mut self, v: &Json, defs: &BTreeMap<String, usize>) -> usize {
        let text = self.node(v, defs);
        if let Some(i) = self.interned.get(&text) {
            return *i;
        }
        self.nodes.push(text.clone());
        let i = self.nodes.len() - 1;
        self.interned.insert(text, i);
        i
    }

    /// A run of child nodes.
    fn children(&mut self, a: &[Json], defs: &BTreeMap<String, usize>) -> String {
        let v: Vec<String> = a.iter().map(|x| self.child(x, defs).to_string()).collect();
        self.run(INDICES, v)
    }

    fn pattern(&mut self, p: &str) -> usize {
        let n = self.patterns.len();
        *self.patterns.entry(p.to_owned()).or_insert(n)
    }

    /// A node as a `Node` expression (fields left at `E`, the empty node, omitted).
    fn node(&mut self, v: &Json, defs: &BTreeMap<String, usize>) -> String {
        let Json::Object(m) = v else {
            return "N { noop: true, ..E }".into();
        };
        let mut f: Vec<String> = Vec::new();
        // The keywords of each group (see `GROUPS`).
        let mut g: [Vec<String>; 5] = Default::default();
        let get = |k: &str| m.get(k);
        let types: Option<Vec<String>> = match get("type") {
            Some(Json::String(t)) => Some(vec![ty(t)]),
            Some(Json::Array(a)) => Some(a.iter().filter_map(Json::as_str).map(ty).collect()),
            _ => None,
        };
        if let Some(types) = types {
            // An empty list is `R0`, not the unset `R(0,NO)` of `E`.
            let r = self.run(TYPES, types);
            f.push(format!("ty: {r}"));
        }
        if let Some(Json::Array(a)) = get("enum") {
            let r = self.lits(a);
            g[0].push(format!("enum_: Some({r})"));
        }
        if let Some(Json::Array(a)) = get("enumCaseInsensitive") {
            let r = self.lits(a);
            g[0].push(format!("enum_ci: Some({r})"));
        }
        if let Some(c) = get("const") {
            let l = self.lit(c);
            let i = self.run_start(LITS, vec![l]);
            g[0].push(format!("const_: Some({i})"));
        }
        for (k, field, group) in [
            ("minLength", "min_length", 0),
            ("maxLength", "max_length", 0),
            ("minProperties", "min_properties", 2),
            ("maxProperties", "max_properties", 2),
            ("minItems", "min_items", 3),
            ("maxItems", "max_items", 3),
        ] {
            if let Some(n) = get(k).and_then(Json::as_u64) {
                g[group].push(format!("{field}: Some({n})"));
            }
        }
        for (k, field) in [
            ("minimum", "minimum"),
            ("maximum", "maximum"),
            ("exclusiveMinimum", "exclusive_minimum"),
            ("exclusiveMaximum", "exclusive_maximum"),
        ] {
            if let Some(n) = get(k).and_then(Json::as_f64) {
                g[1].push(format!("{field}: Some({})", f64_lit(n)));
            }
        }
        if let Some(n) = get("multipleOf").and_then(Json::as_f64).filter(|m| *m > 0.0) {
            g[1].push(format!("multiple_of: Some({})", f64_lit(n)));
        }
        if let Some(p) = get("pattern").and_then(Json::as_str) {
            let i = self.pattern(p);
            g[0].push(format!("pattern: Some({i})"));
        }
        if let Some(Json::Object(props)) = get("properties") {
            let mut v = Vec::new();
            for (k, s) in sorted(props) {
                let i = self.child(s, defs);
                v.push(format!("({},{i})", self.s(k)));
            }
            let r = self.run(PROPS, v);
            g[2].push(format!("properties: {r}"));
        }
        if let Some(Json::Object(pp)) = get("patternProperties") {
            let mut v = Vec::new();
            for (k, s) in sorted(pp) {
                let p = self.pattern(k);
                let i = self.child(s, defs);
                v.push(format!("({p},{i})"));
            }
            let r = self.run(PATTERN_PROPS, v);
            g[2].push(format!("pattern_properties: {r}"));
        }
        if let Some(r @ Json::Array(_)) = get("required") {
            let r = self.names(strs(r));
            g[2].push(format!("required: {r}"));
        }
        match get("additionalProperties") {
            Some(Json::Bool(false)) => g[2].push("additional: A::False".into()),
            Some(a @ Json::Object(_)) => {
                let i = self.child(a, defs);
                g[2].push(format!("additional: A::Schema({i})"));
            }
            _ => {}
        }
        if let Some(Json::Object(d)) = get("dependentRequired") {
            let mut v = Vec::new();
            for (k, n) in sorted(d).into_iter().filter(|(_, n)| n.is_array()) {
                let names = self.names(strs(n));
                v.push(format!("({},Dep::List({names}))", self.s(k)));
            }
            let r = self.run(DEPS, v);
            g[2].push(format!("dependent_required: {r}"));
        }
        if let Some(Json::Object(d)) = get("dependencies") {
            let mut v = Vec::new();
            for (k, n) in sorted(d) {
                match n {
                    Json::Array(_) => {
                        let names = self.names(strs(n));
                        v.push(format!("({},Dep::List({names}))", self.s(k)));
                    }
                    Json::Object(_) => {
                        let i = self.child(n, defs);
                        v.push(format!("({},Dep::Schema({i}))", self.s(k)));
                    }
                    _ => {}
                }
            }
            let r = self.run(DEPS, v);
            g[2].push(format!("dependencies: {r}"));
        }
        if let Some(Json::Object(d)) = get("dependentExcluded") {
            let mut v = Vec::new();
            for (k, n) in sorted(d) {
                let names = self.names(strs(n));
                v.push(format!("({},Dep::List({names}))", self.s(k)));
            }
            let r = self.run(DEPS, v);
            g[2].push(format!("dependent_excluded: {r}"));
        }
        if let Some(x @ Json::Array(_)) = get("requiredXor") {
            let r = self.names(strs(x));
            g[2].push(format!("required_xor: Some({r})"));
        }
        if get("uniqueItems").and_then(Json::as_bool) == Some(true) {
            g[3].push("unique_items: true".into());
        }
        if let Some(x @ Json::Array(_)) = get("uniqueKeys") {
            let r = self.names(strs(x));
            g[3].push(format!("unique_keys: Some({r})"));
        }
        if let Some(Json::Array(a)) = get("prefixItems") {
            let c = self.children(a, defs);
            g[3].push(format!("prefix_items: Some({c})"));
        }
        if let Some(items @ Json::Object(_)) = get("items") {
            let i = self.child(items, defs);
            g[3].push(format!("items: Some({i})"));
        }
        if let Some(Json::Array(a)) = get("allOf") {
            let c = self.children(a, defs);
            g[4].push(format!("all_of: Some({c})"));
        }
        for (k, field, req) in [("oneOf", "one_of", "one_of_required"), ("anyOf", "any_of", "any_of_required")] {
            if let Some(Json::Array(a)) = get(k) {
                let c = self.children(a, defs);
                g[4].push(format!("{field}: Some({c})"));
                if let Some(names) = required_only(a) {
                    let r = self.names(names.into_iter());
                    g[4].push(format!("{req}: Some({r})"));
                }
            }
        }
        if let Some(n) = get("not") {
            let i = self.child(n, defs);
            g[4].push(format!("not: Some({i})"));
        }
        for (k, field) in [("if", "if_"), ("then", "then"), ("else", "else_")] {
            if let Some(n) = get(k) {
                let i = self.child(n, defs);
                g[4].push(format!("{field}: Some({i})"));
            }
        }
        if let Some(r) = get("$ref").and_then(Json::as_str) {
            if let Some(i) = r.strip_prefix("#/definitions/").and_then(|n| defs.get(n)) {
                f.push(format!("ref_: {i}"));
            }
        }
        for ((k, _, ty, _), field) in GROUPS.into_iter().zip(NODE_FIELDS) {
            let Some(kw) = g.get(k).filter(|kw| !kw.is_empty()) else { continue };
            let empty = &ty[..1];
            let i = self.groups[k].intern(format!("{ty} {{ {}, ..{empty}E }}", kw.join(", ")));
            f.push(format!("{field}: {i}"));
        }
        if f.is_empty() {
            "E".into()
        } else {
            format!("N {{ {}, ..E }}", f.join(", "))
        }
    }
}

fn ty(t: &str) -> String {
    match t {
        "string" => "T::String",
        "integer" => "T::Integer",
        "number" => "T::Number",
        "boolean" => "T::Boolean",
        "array" => "T::Array",
        "object" => "T::Object",
        "null" => "T::Null",
        _ => "T::Other",
    }
    .into()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn class_patterns_are_recognised() {
        use super::{class_pattern, range, ClassPattern};
        let p = class_pattern("^[a-z0-9-]{1,63}$").expect("class");
        assert_eq!(
            p,
            ClassPattern {
                fixed: vec![],
                class: range(97, 122) | range(48, 57) | 1 << b'-',
                min: 1,
                max: 63,
                start: true,
                end: true
            }
        );
        let p = class_pattern(r".+").expect("class");
        assert_eq!((p.min, p.max, p.start, p.end), (1, u32::MAX, false, false));
        assert_eq!(class_pattern(r"^[^\s]+$"), None);
        assert_eq!(class_pattern(r"^[a-z]+[0-9]$"), None);
        assert_eq!(class_pattern(r"[a-z][0-9]+$"), None);
        let p = class_pattern(r"^sg-[0-9a-f]{2,17}$").expect("class");
        assert_eq!(p.fixed, vec![1 << b's', 1 << b'g', 1 << b'-']);
        assert_eq!((p.min, p.max), (2, 17));
        let p = class_pattern(r"^([a-z,. _\-:\{\}])*$").expect("class");
        assert_eq!((p.min, p.max), (0, u32::MAX));
        let p = class_pattern(r"^[\u0009\u0020-\u007E\u00A1-\u00FF]*$").expect("class");
        assert_eq!(p.class, 1 << 9 | range(32, 126));
        assert_eq!(class_pattern(r"^(a|b)$"), None);
        let p = class_pattern(r"^[\w.\-]*\Z").expect("class");
        assert!(p.class & (1 << b'.') != 0 && p.class & (1 << b'-') != 0 && p.class & (1 << b'_') != 0);
    }

    #[test]
    fn nodes_refer_by_index_patterns_are_shared_and_shapes_decoded() {
        let s = json!({
            "type": "object", "additionalProperties": false, "required": ["A"],
            "properties": {
                "B": {"$ref": "#/definitions/D"},
                "A": {"type": "string", "pattern": "^a$", "enum": ["a", 1, {"k": true}], "minLength": 1}
            },
            "definitions": {"D": {"type": ["object", "null"], "properties": {"Next": {"$ref": "#/definitions/D"}, "P": {"pattern": "^a$"}}}},
            "oneOf": [{"required": ["A"]}, {"required": ["B"]}]
        });
        let text = super::emit(&[("AWS::Demo::Thing", &s)]);
        // Every string once in the text blob, referred to by (offset, length).
        assert!(text.contains(r#"const TEXT: &str = "NextPa1{\"k\":true}ABAWS::Demo::Thing^a$";"#), "{text}");
        // The definition is node 0 (reserved first), its children 1-2, the root 3; the cycle is an index.
        assert!(text.contains("static SCHEMAS: [(S, u32); 1] = [\n(S(19,16),3),\n];"), "{text}");
        assert!(text.contains("N { ty: R(0,2), object: 0, ..E },\n"), "{text}");
        assert!(text.contains("OR { properties: R(0,2), ..OE },"), "{text}");
        assert!(text.contains("static PROPS: [(S, u32); 4] = [\n(S(0,4),1),\n(S(4,1),2),\n"), "{text}");
        assert!(text.contains("N { ref_: 0, ..E },\n"), "{text}");
        // `B`'s node is the same `$ref` node as `Next`'s: stored once.
        assert!(text.contains("(S(17,1),4),\n(S(18,1),1),\n];"), "{text}");
        assert!(text.contains("static TYPES: [T; 4] = [\nT::Object,\nT::Null,\n"), "{text}");
        assert!(text.contains("OR { properties: R(2,2), required: R(0,1), additional: A::False, ..OE },"), "{text}");
        assert!(text.contains("LR { one_of: Some(R(0,2)), one_of_required: Some(R(2,2)), ..LE },"), "{text}");
        assert!(text.contains("static NAMES: [S; 4] = [\nS(17,1),\nS(18,1),\nS(17,1),\nS(18,1),\n];"), "{text}");
        assert!(text.contains("VR { enum_: Some(R(0,3)), min_length: Some(1), pattern: Some(0), ..VE },"), "{text}");
        assert!(
            text.contains("static LITS: [L; 3] = [\nL::Str(S(5,1)),\nL::Num(1.0, S(6,1)),\nL::Json(S(7,10)),\n];"),
            "{text}"
        );
        // One pattern, used twice, and its lazily compiled regex.
        assert!(text.contains("static PATTERNS: [Pattern; 1]"), "{text}");
        assert!(text.contains("Pattern::class(S(35,3), R0, 0x2000000000000000000000000, 1, 1, true, true),"), "{text}");
        assert!(text.contains("static REGEXES: [crate::schema::Compiled; 1]"), "{text}");
        assert!(text.contains("static NODES: [N; 7]"), "{text}");
        assert_pointer_free(&text);
    }

    /// Past `TABLES` (whose fields are the only references), no table
    /// holds a reference or a string literal: spans and runs only.
    fn assert_pointer_free(text: &str) {
        let (_, rest) = text.split_once("\n};\n").expect("TABLES");
        for line in rest.lines().filter(|l| !l.starts_with("///") && !l.starts_with("const TEXT: &str = ")) {
            assert!(!line.contains('&') && !line.contains('"'), "{line}");
        }
    }

    #[test]
    fn keyword_groups_are_side_tables_stored_once() {
        let s = json!({
            "type": "object",
            "properties": {
                "X": {"type": "string", "maxLength": 5},
                "Y": {"type": "integer", "maxLength": 5, "minimum": 1},
                "Z": {"type": "array", "maxItems": 5, "uniqueItems": true}
            }
        });
        let text = super::emit(&[("AWS::Demo::Thing", &s)]);
        // X and Y differ (type, bounds) but share their value group.
        assert!(text.contains("static VALUES: [VR; 1] = [\nVR { max_length: Some(5), ..VE },\n];"), "{text}");
        assert!(text.contains("N { ty: R(1,1), value: 0, ..E },"), "{text}");
        assert!(text.contains("N { ty: R(2,1), value: 0, number: 0, ..E },"), "{text}");
        assert!(text.contains("NR { minimum: Some(1.0), ..NE },"), "{text}");
        assert!(text.contains("AR { max_items: Some(5), unique_items: true, ..AE },"), "{text}");
        assert!(text.contains("OR { properties: R(0,3), ..OE },"), "{text}");
        assert!(text.contains("static PROPS: [(S, u32); 3] = [\n(S(0,1),1),\n(S(1,1),2),\n(S(2,1),3),\n];"), "{text}");
        // No node has combinators or patterns: no (unused) table, an empty slice in `TABLES`.
        assert!(!text.contains("static LOGIC") && !text.contains("static PATTERNS"), "{text}");
        assert!(text.contains("logic: &[],\n") && text.contains("regexes: &[],\n"), "{text}");
        assert_pointer_free(&text);
    }
}
