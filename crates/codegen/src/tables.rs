//! The reduced provider schemas (see `prune`) emitted as static Rust data:
//! one flat `static NODES: [Node; N]` per service module (nodes refer to one
//! another by `u32` index, so `$ref` cycles need no named items), the
//! `pattern`s deduplicated into `static PATTERNS` (each compiled lazily at
//! synth, only when a literal value reaches it), and `SCHEMAS`: (type name,
//! root node) sorted by type name. A node keeps its type and `$ref`
//! inline and each keyword group (value, number, object, array, combinators)
//! by reference into a per-kind side table (`VALUES`, `NUMBERS`, `OBJECTS`,
//! `ARRAYS`, `LOGIC`; identical groups stored once), so nodes stay small.
//! Every keyword the interpreter
//! (`runtime/schema.rs`) reads is decoded here, once, exactly the way it read
//! it from the JSON before: a keyword of the wrong JSON shape is dropped.

use std::collections::BTreeMap;
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
    let mut s = String::new();
    s.push_str(
        "/// The provider schemas of this service's types reduced to their constraints, \
         as static tables: what synth-time validation (`crate::schema`) checks.\n\
         #[rustfmt::skip]\n\
         pub(crate) mod validation_tables {\n\
         #[allow(unused_imports)]\n\
         use crate::schema::{Additional as A, Dep, Lit as L, Node as N, Pattern, Ty as T, E};\n\
         #[allow(unused_imports)]\n\
         use crate::schema::{ArrayRules as AR, Logic as LR, NumberRules as NR, ObjectRules as OR, ValueRules as VR, AE, LE, NE, OE, VE};\n\n\
         /// (type name, root node in [`NODES`]), sorted by type name.\n\
         pub(crate) static SCHEMAS: &[(&str, u32)] = &[\n",
    );
    for (t, i) in &roots {
        let _ = writeln!(s, "({t:?}, {i}),");
    }
    s.push_str("];\n\n/// The schema nodes of this service's types.\n");
    let _ = writeln!(s, "pub(crate) static NODES: [N; {}] = [", e.nodes.len());
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
    s.push_str("\n/// The `pattern`s of [`NODES`], compiled when a value first reaches them.\n");
    let _ = writeln!(s, "pub(crate) static PATTERNS: [Pattern; {}] = [", e.patterns.len());
    let mut pats: Vec<(&String, &usize)> = e.patterns.iter().collect();
    pats.sort_by_key(|(_, i)| **i);
    for (p, _) in pats {
        match class_pattern(p) {
            // Unicode property classes: the Rust engine (regex-lite) cannot
            // compile them, so they are never judged; not even tried at synth.
            _ if p.contains("\\p{") || p.contains("\\P{") => {
                let _ = writeln!(s, "Pattern::unjudged({p:?}),");
            }
            Some(c) => {
                let fixed: Vec<String> = c.fixed.iter().map(|f| format!("{f:#x}")).collect();
                let _ = writeln!(
                    s,
                    "Pattern::class({p:?}, &[{}], {:#x}, {}, {}, {}, {}),",
                    fixed.join(","),
                    c.class,
                    c.min,
                    c.max,
                    c.start,
                    c.end
                );
            }
            None => {
                let _ = writeln!(s, "Pattern::new({p:?}),");
            }
        }
    }
    s.push_str("];\n}\n");
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

/// One side table: its entries' text, and text → index.
#[derive(Default)]
struct Table {
    items: Vec<String>,
    interned: std::collections::HashMap<String, usize>,
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

#[derive(Default)]
struct Emitter {
    nodes: Vec<String>,
    /// The keyword groups' side tables (see [`GROUPS`]).
    groups: [Table; 5],
    /// Node text → index (children only; definitions and roots have fixed slots).
    interned: std::collections::HashMap<String, usize>,
    patterns: BTreeMap<String, usize>,
}

fn strs(v: &Json) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(Json::as_str)
}

fn str_list(v: impl Iterator<Item = impl AsRef<str>>) -> String {
    let mut s = String::from("&[");
    for (i, x) in v.enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{:?}", x.as_ref());
    }
    s.push(']');
    s
}

fn f64_lit(n: f64) -> String {
    let t = format!("{n:?}");
    if t.contains(['.', 'e', 'E']) || t.contains("inf") || t.contains("NaN") {
        t
    } else {
        format!("{t}.0")
    }
}

/// An `enum`/`const` value: strings bare, numbers with their JSON text,
/// composite values as their (key-sorted) JSON text.
fn lit(v: &Json) -> String {
    match v {
        Json::Null => "L::Null".into(),
        Json::Bool(b) => format!("L::Bool({b})"),
        Json::Number(n) => format!("L::Num({}, {:?})", f64_lit(n.as_f64().unwrap_or(f64::NAN)), n.to_string()),
        Json::String(s) => format!("L::Str({s:?})"),
        other => format!("L::Json({:?})", crate::prune::to_sorted_string(other)),
    }
}

fn lits(a: &[Json]) -> String {
    let v: Vec<String> = a.iter().map(lit).collect();
    format!("&[{}]", v.join(","))
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

    fn children(&mut self, a: &[Json], defs: &BTreeMap<String, usize>) -> String {
        let v: Vec<String> = a.iter().map(|x| self.child(x, defs).to_string()).collect();
        format!("&[{}]", v.join(","))
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
        match get("type") {
            Some(Json::String(t)) => f.push(format!("ty: Some(&[{}])", ty(t))),
            Some(Json::Array(a)) => {
                let v: Vec<String> = a.iter().filter_map(Json::as_str).map(ty).collect();
                f.push(format!("ty: Some(&[{}])", v.join(",")));
            }
            _ => {}
        }
        if let Some(Json::Array(a)) = get("enum") {
            g[0].push(format!("enum_: Some({})", lits(a)));
        }
        if let Some(Json::Array(a)) = get("enumCaseInsensitive") {
            g[0].push(format!("enum_ci: Some({})", lits(a)));
        }
        if let Some(c) = get("const") {
            g[0].push(format!("const_: Some(&{})", lit(c)));
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
                v.push(format!("({k:?},{i})"));
            }
            g[2].push(format!("properties: &[{}]", v.join(",")));
        }
        if let Some(Json::Object(pp)) = get("patternProperties") {
            let mut v = Vec::new();
            for (k, s) in sorted(pp) {
                let p = self.pattern(k);
                let i = self.child(s, defs);
                v.push(format!("({p},{i})"));
            }
            g[2].push(format!("pattern_properties: &[{}]", v.join(",")));
        }
        if let Some(Json::Array(_)) = get("required") {
            g[2].push(format!("required: {}", str_list(strs(&m["required"]))));
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
            let v: Vec<String> = sorted(d)
                .into_iter()
                .filter(|(_, n)| n.is_array())
                .map(|(k, n)| format!("({k:?},{})", str_list(strs(n))))
                .collect();
            g[2].push(format!("dependent_required: &[{}]", v.join(",")));
        }
        if let Some(Json::Object(d)) = get("dependencies") {
            let mut v = Vec::new();
            for (k, n) in sorted(d) {
                match n {
                    Json::Array(_) => v.push(format!("({k:?},Dep::List({}))", str_list(strs(n)))),
                    Json::Object(_) => {
                        let i = self.child(n, defs);
                        v.push(format!("({k:?},Dep::Schema({i}))"));
                    }
                    _ => {}
                }
            }
            g[2].push(format!("dependencies: &[{}]", v.join(",")));
        }
        if let Some(Json::Object(d)) = get("dependentExcluded") {
            let v: Vec<String> = sorted(d).into_iter().map(|(k, n)| format!("({k:?},{})", str_list(strs(n)))).collect();
            g[2].push(format!("dependent_excluded: &[{}]", v.join(",")));
        }
        if let Some(x @ Json::Array(_)) = get("requiredXor") {
            g[2].push(format!("required_xor: Some({})", str_list(strs(x))));
        }
        if get("uniqueItems").and_then(Json::as_bool) == Some(true) {
            g[3].push("unique_items: true".into());
        }
        if let Some(x @ Json::Array(_)) = get("uniqueKeys") {
            g[3].push(format!("unique_keys: Some({})", str_list(strs(x))));
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
                    g[4].push(format!("{req}: Some({})", str_list(names.into_iter())));
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
                f.push(format!("ref_: Some({i})"));
            }
        }
        for ((k, name, ty, _), field) in GROUPS.into_iter().zip(["value", "number", "object", "array", "logic"]) {
            let Some(kw) = g.get(k).filter(|kw| !kw.is_empty()) else { continue };
            let empty = &ty[..1];
            let i = self.groups[k].intern(format!("{ty} {{ {}, ..{empty}E }}", kw.join(", ")));
            f.push(format!("{field}: Some(&{name}[{i}])"));
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
        // The definition is node 0 (reserved first), its children 1-2, the root 3; the cycle is an index.
        assert!(text.contains("(\"AWS::Demo::Thing\", 3),"), "{text}");
        assert!(text.contains("properties: &[(\"Next\",1),(\"P\",2)]"), "{text}");
        assert!(text.contains("N { ref_: Some(0), ..E },\n"), "{text}");
        // `B`'s node is the same `$ref` node as `Next`'s: stored once.
        assert!(text.contains("(\"B\",1)"), "{text}");
        assert!(text.contains("ty: Some(&[T::Object,T::Null])"), "{text}");
        assert!(text.contains("additional: A::False"), "{text}");
        assert!(text.contains("one_of_required: Some(&[\"A\",\"B\"])"), "{text}");
        assert!(
            text.contains("enum_: Some(&[L::Str(\"a\"),L::Num(1.0, \"1\"),L::Json(\"{\\\"k\\\":true}\")])"),
            "{text}"
        );
        // One pattern, used twice.
        assert!(text.contains("static PATTERNS: [Pattern; 1]"), "{text}");
        assert!(text.contains("static NODES: [N; 7]"), "{text}");
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
        assert!(text.contains("N { ty: Some(&[T::String]), value: Some(&VALUES[0]), ..E },"), "{text}");
        assert!(
            text.contains("N { ty: Some(&[T::Integer]), value: Some(&VALUES[0]), number: Some(&NUMBERS[0]), ..E },"),
            "{text}"
        );
        assert!(text.contains("NR { minimum: Some(1.0), ..NE },"), "{text}");
        assert!(text.contains("AR { max_items: Some(5), unique_items: true, ..AE },"), "{text}");
        assert!(text.contains("OR { properties: &[(\"X\",1),(\"Y\",2),(\"Z\",3)], ..OE },"), "{text}");
        // No node has combinators: no (unused) LOGIC table.
        assert!(!text.contains("LOGIC"), "{text}");
    }
}
