//! Validation of synthesized templates against CloudFormation's rules and
//! limits, done before anything is written.
#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::arithmetic_side_effects))]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value as Json;

use crate::diag::Diagnostic;
use crate::graph::{Graph, NodeId, NodeKind};
use crate::logical_id;
use crate::synth::StackArtifact;
use crate::value::Pseudo;

#[path = "validate_names.rs"]
pub mod names;

/// CloudFormation quotas checked at synth.
pub mod limits {
    /// Resources per template.
    pub const RESOURCES: usize = 500;
    /// Parameters per template.
    pub const PARAMETERS: usize = 200;
    /// Outputs per template.
    pub const OUTPUTS: usize = 200;
    /// Mappings per template.
    pub const MAPPINGS: usize = 200;
    /// Template size when uploaded through S3.
    pub const TEMPLATE_BYTES: usize = 1_048_576;
    /// Template size when passed inline as `TemplateBody`.
    pub const INLINE_TEMPLATE_BYTES: usize = 51_200;
    /// Template description.
    pub const DESCRIPTION_BYTES: usize = 1_024;
    /// Logical IDs, parameter/output/mapping names.
    pub const NAME_LEN: usize = 255;
    /// Stack names.
    pub const STACK_NAME_LEN: usize = 128;
}

/// Longest construct id accepted.
pub const MAX_CONSTRUCT_ID_LEN: usize = 255;

/// A construct id [`construct_id`] rejects; the message (what is wrong
/// and what is allowed) is its `Display`. Pass it as the message of `scope.error(property, message)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConstructIdError {
    /// The id is empty.
    #[error("a construct id must not be empty; use 1 to 255 ASCII letters, digits, '-', '_' or '.'")]
    Empty,
    /// The id contains characters other than ASCII letters, digits, `-`, `_`, `.`.
    #[error("construct id {id:?} contains {}; allowed are ASCII letters, digits, '-', '_' and '.'", char_list(.chars))]
    Characters {
        /// The id.
        id: String,
        /// The characters not allowed (sorted, unique).
        chars: Vec<char>,
    },
    /// The id is longer than [`MAX_CONSTRUCT_ID_LEN`].
    #[error("construct id {:?}... is {len} characters; at most {MAX_CONSTRUCT_ID_LEN} are allowed", truncate_chars(.id, 20))]
    TooLong {
        /// The id.
        id: String,
        /// Its length in bytes.
        len: usize,
    },
}

fn char_list(chars: &[char]) -> String {
    chars.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", ")
}

/// Checks a construct id the user wrote: 1 to 255 ASCII letters, digits,
/// `-`, `_` or `.`. With ids limited to these, construct paths (ids joined
/// by `/`) are valid everywhere they are copied: file names, tag values,
/// EC2 descriptions. The error says what is wrong and what is allowed.
pub fn construct_id(id: &str) -> Result<(), ConstructIdError> {
    if id.is_empty() {
        return Err(ConstructIdError::Empty);
    }
    let bad: BTreeSet<char> = id.chars().filter(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c))).collect();
    if !bad.is_empty() {
        return Err(ConstructIdError::Characters { id: id.to_owned(), chars: bad.into_iter().collect() });
    }
    if id.len() > MAX_CONSTRUCT_ID_LEN {
        return Err(ConstructIdError::TooLong { id: id.to_owned(), len: id.len() });
    }
    Ok(())
}

/// The longest prefix of `s` of at most `max_bytes` bytes that ends on a
/// character boundary (never panics, whatever the text).
pub fn truncate_chars(s: &str, max_bytes: usize) -> &str {
    if s.len() <= max_bytes {
        return s;
    }
    let mut end = max_bytes;
    while end > 0 && !s.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    s.get(..end).unwrap_or_default()
}

/// Cleans a derived string for a field that allows only ASCII letters,
/// digits and the characters in `extra`: every other character becomes `_`
/// and the result is cut to `max_len` characters. For text a building block
/// derives from user input (construct paths, names) before writing it into
/// a restricted field; what the user writes directly is validated instead.
pub fn sanitize(s: &str, extra: &str, max_len: usize) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || extra.contains(c) { c } else { '_' }).take(max_len).collect()
}

/// Characters EC2 allows in security-group and security-group-rule
/// descriptions besides ASCII letters and digits.
pub const EC2_DESCRIPTION_EXTRA: &str = ". _-:/()#,@[]+=&;{}!$*";

/// A derived text made safe for an EC2 security-group (or rule) description:
/// only `a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*`, at most 255 characters.
pub fn ec2_description(s: &str) -> String {
    sanitize(s, EC2_DESCRIPTION_EXTRA, 255)
}

/// A tag [`tag`] rejects; the message (what is wrong and what is allowed)
/// is its `Display`. Pass it as the message of `scope.error(property, message)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TagError {
    /// The key is empty.
    #[error("tag key is empty; a tag key has 1 to 128 characters")]
    EmptyKey,
    /// The key has more than 128 characters.
    #[error("tag key {:?}... is {len} characters; at most 128 are allowed", truncate_chars(.key, 40))]
    KeyTooLong {
        /// The key.
        key: String,
        /// Its length in characters.
        len: usize,
    },
    /// The key starts with `aws:` (any case).
    #[error("tag key {key:?} starts with \"aws:\", which is reserved for AWS")]
    ReservedKey {
        /// The key.
        key: String,
    },
    /// The value has more than 256 characters.
    #[error("the value of tag {key:?} is {len} characters; at most 256 are allowed")]
    ValueTooLong {
        /// The key.
        key: String,
        /// The value's length in characters.
        len: usize,
    },
}

/// Checks one tag: key 1 to 128 characters, not starting with `aws:`
/// (reserved by AWS), value at most 256 characters.
pub fn tag(key: &str, value: &str) -> Result<(), TagError> {
    let key_len = key.chars().count();
    if key.is_empty() {
        return Err(TagError::EmptyKey);
    }
    if key_len > 128 {
        return Err(TagError::KeyTooLong { key: key.to_owned(), len: key_len });
    }
    if key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")) {
        return Err(TagError::ReservedKey { key: key.to_owned() });
    }
    let value_len = value.chars().count();
    if value_len > 256 {
        return Err(TagError::ValueTooLong { key: key.to_owned(), len: value_len });
    }
    Ok(())
}

/// An account id or region name [`account`]/[`region`] rejects; the
/// message is its `Display`. Pass it as the message of `scope.error(property, message)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvError {
    /// Not 12 digits.
    #[error("account {0:?} is not an AWS account id; an account id is 12 digits, e.g. \"123456789012\"")]
    Account(String),
    /// Not shaped like an AWS region name.
    #[error("region {0:?} is not an AWS region name; expected e.g. \"eu-central-1\" or \"us-east-1\"")]
    Region(String),
}

/// Checks an AWS account id: 12 digits.
pub fn account(a: &str) -> Result<(), EnvError> {
    if a.len() == 12 && a.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(EnvError::Account(a.to_owned()))
    }
}

/// Checks the shape of an AWS region name (`eu-central-1`, `us-gov-west-1`,
/// `cn-north-1`, ...): lowercase words joined by `-`, ending in a number.
pub fn region(r: &str) -> Result<(), EnvError> {
    let parts: Vec<&str> = r.split('-').collect();
    let ok = match parts.split_last() {
        Some((num, words)) => {
            words.len() >= 2
                && words.iter().all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()))
                && !num.is_empty()
                && num.len() <= 2
                && num.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(EnvError::Region(r.to_owned()))
    }
}

/// Order `stacks` so that every stack comes after those it depends on.
/// On a cycle, returns the stacks that form it, in dependency order
/// (each depends on the next; the last depends on the first).
pub(crate) fn topo_order(
    stacks: &[NodeId],
    deps: &BTreeMap<NodeId, BTreeSet<NodeId>>,
) -> Result<Vec<NodeId>, Vec<NodeId>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut mark: HashMap<NodeId, Mark> = stacks.iter().map(|&s| (s, Mark::New)).collect();
    let mut order = Vec::new();
    fn visit(
        s: NodeId,
        deps: &BTreeMap<NodeId, BTreeSet<NodeId>>,
        mark: &mut HashMap<NodeId, Mark>,
        order: &mut Vec<NodeId>,
        active: &mut Vec<NodeId>,
    ) -> Result<(), Vec<NodeId>> {
        mark.insert(s, Mark::Active);
        active.push(s);
        for &d in deps.get(&s).into_iter().flatten() {
            match mark.get(&d).copied().unwrap_or(Mark::Done) {
                Mark::Active => {
                    let from = active.iter().position(|&x| x == d).unwrap_or(0);
                    return Err(active.get(from..).unwrap_or_default().to_vec());
                }
                Mark::New => visit(d, deps, mark, order, active)?,
                Mark::Done => {}
            }
        }
        active.pop();
        mark.insert(s, Mark::Done);
        order.push(s);
        Ok(())
    }
    for &s in stacks {
        if mark.get(&s) == Some(&Mark::New) {
            visit(s, deps, &mut mark, &mut order, &mut Vec::new())?;
        }
    }
    Ok(order)
}

fn valid_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= limits::NAME_LEN && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn valid_stack_name(s: &str) -> bool {
    s.len() <= limits::STACK_NAME_LEN
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

struct Names<'a> {
    resources: &'a serde_json::Map<String, Json>,
    parameters: Option<&'a serde_json::Map<String, Json>>,
    conditions: Option<&'a serde_json::Map<String, Json>>,
    mappings: Option<&'a serde_json::Map<String, Json>>,
}

impl Names<'_> {
    fn refable(&self, n: &str) -> bool {
        self.resources.contains_key(n)
            || self.parameters.is_some_and(|p| p.contains_key(n))
            || Pseudo::ALL.iter().any(|p| p.name() == n)
    }
}

/// Dangling references inside one resource/output body.
fn refs(v: &Json, names: &Names<'_>, out: &mut Vec<String>) {
    match v {
        Json::Object(m) => {
            // An intrinsic is an object of one key: matched on that key
            // (one comparison each) rather than looked up six times.
            if let (1, Some((key, value))) = (m.len(), m.iter().next()) {
                match (key.as_str(), value) {
                    ("Ref", Json::String(t)) if !names.refable(t) => {
                        out.push(format!("Ref to {t:?}, which is neither a resource, a parameter nor a pseudo parameter of this template"));
                    }
                    ("Fn::GetAtt", Json::Array(a)) => {
                        if let Some(Json::String(t)) = a.first() {
                            if !names.resources.contains_key(t) {
                                out.push(format!("Fn::GetAtt on {t:?}, which is not a resource of this template"));
                            }
                        }
                    }
                    ("Fn::If", Json::Array(a)) => {
                        if let Some(Json::String(c)) = a.first() {
                            if !names.conditions.is_some_and(|x| x.contains_key(c)) {
                                out.push(format!("Fn::If on condition {c:?}, which is not declared"));
                            }
                        }
                    }
                    ("Condition", Json::String(c)) if !names.conditions.is_some_and(|x| x.contains_key(c)) => {
                        out.push(format!("condition {c:?} is not declared"));
                    }
                    ("Fn::FindInMap", Json::Array(a)) => {
                        if let Some(Json::String(c)) = a.first() {
                            if !names.mappings.is_some_and(|x| x.contains_key(c)) {
                                out.push(format!("Fn::FindInMap on mapping {c:?}, which is not declared"));
                            }
                        }
                    }
                    ("Fn::Sub", sub) => {
                        let (template, vars) = match sub {
                            Json::String(s) => (Some(s.as_str()), None),
                            Json::Array(a) => (a.first().and_then(Json::as_str), a.get(1).and_then(Json::as_object)),
                            _ => (None, None),
                        };
                        if let Some(t) = template {
                            for var in sub_vars(t) {
                                let base = var.split('.').next().unwrap_or(var);
                                let is_var = vars.is_some_and(|v| v.contains_key(var));
                                let is_attr = var.contains('.') && names.resources.contains_key(base);
                                if !is_var && !is_attr && !names.refable(var) {
                                    out.push(format!("Fn::Sub uses ${{{var}}}, which is neither a variable, a resource, a parameter nor a pseudo parameter"));
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            for x in m.values() {
                refs(x, names, out);
            }
        }
        Json::Array(a) => a.iter().for_each(|x| refs(x, names, out)),
        _ => {}
    }
}

/// Strings with a hard-coded partition (`arn:aws:`, `arn:aws-cn:`, ...):
/// such a template breaks in the other partitions, and cfn-lint does not
/// catch it.
fn hard_coded_partitions<'a>(v: &'a Json, out: &mut Vec<&'a str>) {
    match v {
        // Most strings hold no colon at all (a byte scan), and then no ARN:
        // the substring search below is set up only for those that do.
        Json::String(s) if s.contains(':') => {
            let mut rest = s.as_str();
            while let Some((_, after)) = rest.split_once("arn:aws") {
                let suffix = after.split_once(':').map(|(p, _)| p);
                if suffix.is_some_and(|p| {
                    p.is_empty()
                        || p.strip_prefix('-').is_some_and(|p| p.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
                }) {
                    out.push(s);
                    break;
                }
                rest = after;
            }
        }
        Json::Array(a) => a.iter().for_each(|x| hard_coded_partitions(x, out)),
        Json::Object(m) => m.values().for_each(|x| hard_coded_partitions(x, out)),
        _ => {}
    }
}

/// The `${Name}` variables of a Sub template (`${!Literal}` excluded).
fn sub_vars(t: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some((_, after)) = rest.split_once("${") {
        let Some((v, tail)) = after.split_once('}') else { break };
        if !v.starts_with('!') {
            out.push(v.trim());
        }
        rest = tail;
    }
    out
}

fn paths_by_logical_id(g: &Graph) -> HashMap<(String, String), String> {
    let mut out = HashMap::new();
    for (n, node) in g.nodes.iter().enumerate() {
        if matches!(node.kind, NodeKind::Resource(_)) {
            if let Some(s) = g.stack_of(n) {
                if let Some(stack) = g.nodes.get(s) {
                    out.insert((stack.id.clone(), logical_id::for_node(g, n)), g.path(n));
                }
            }
        }
    }
    out
}

/// Validate every synthesized stack and the assembly as a whole.
pub(crate) fn assembly(g: &Graph, stacks: &[StackArtifact], diags: &mut Vec<Diagnostic>) {
    // Only needed to name a resource in a diagnostic: built on first use.
    let paths = std::cell::OnceCell::new();
    let mut export_names: BTreeMap<String, String> = BTreeMap::new();
    let mut stack_names: BTreeMap<&str, &str> = BTreeMap::new();
    let empty = serde_json::Map::new();
    for s in stacks {
        let t = &s.template;
        let at = |lid: &str| {
            paths
                .get_or_init(|| paths_by_logical_id(g))
                .get(&(s.id.clone(), lid.to_owned()))
                .cloned()
                .unwrap_or_else(|| format!("{}/{lid}", s.id))
        };
        let section = |k: &str| t.get(k).and_then(Json::as_object);
        let resources = section("Resources").unwrap_or(&empty);

        if !valid_stack_name(&s.stack_name) {
            diags.push(Diagnostic::error(&s.id, "stackName", format!("stack name {:?} is invalid: it must start with a letter, contain only letters, digits and hyphens, and be at most {} characters", s.stack_name, limits::STACK_NAME_LEN)));
        }
        if let Some(other) = stack_names.insert(&s.stack_name, &s.id) {
            diags.push(Diagnostic::error(
                &s.id,
                "stackName",
                format!("stack name {:?} is also used by stack {other:?}", s.stack_name),
            ));
        }
        if resources.is_empty() {
            diags.push(Diagnostic::error(
                &s.id,
                "Resources",
                "a stack needs at least one resource (CloudFormation rejects templates without resources)",
            ));
        }
        for (sec, max) in [
            ("Resources", limits::RESOURCES),
            ("Parameters", limits::PARAMETERS),
            ("Outputs", limits::OUTPUTS),
            ("Mappings", limits::MAPPINGS),
        ] {
            let n = section(sec).map_or(0, |m| m.len());
            if n > max {
                diags.push(Diagnostic::error(
                    &s.id,
                    sec,
                    format!(
                        "{n} {} exceed CloudFormation's limit of {max} per template; split the stack",
                        sec.to_lowercase()
                    ),
                ));
            }
            for name in section(sec).into_iter().flat_map(|m| m.keys()) {
                if !valid_name(name) {
                    let kind = sec.trim_end_matches('s').to_lowercase();
                    diags.push(Diagnostic::error(
                        &at(name),
                        "logical ID",
                        format!(
                            "{kind} name {name:?} is invalid: it must be 1 to {} ASCII letters or digits",
                            limits::NAME_LEN
                        ),
                    ));
                }
            }
        }
        if let Some(conds) = section("Conditions") {
            for name in conds.keys().filter(|n| !valid_name(n)) {
                diags.push(Diagnostic::error(
                    &at(name),
                    "logical ID",
                    format!(
                        "condition name {name:?} is invalid: it must be 1 to {} ASCII letters or digits",
                        limits::NAME_LEN
                    ),
                ));
            }
        }
        if let Some(params) = section("Parameters") {
            for name in params.keys().filter(|n| resources.contains_key(*n)) {
                diags.push(Diagnostic::error(
                    &at(name),
                    "logical ID",
                    format!("{name:?} is both a parameter and a resource"),
                ));
            }
        }
        if let Some(d) = t.get("Description").and_then(Json::as_str) {
            if d.len() > limits::DESCRIPTION_BYTES {
                diags.push(Diagnostic::error(
                    &s.id,
                    "Description",
                    format!(
                        "the description is {} bytes; CloudFormation allows at most {}",
                        d.len(),
                        limits::DESCRIPTION_BYTES
                    ),
                ));
            }
        }
        let names = Names {
            resources,
            parameters: section("Parameters"),
            conditions: section("Conditions"),
            mappings: section("Mappings"),
        };
        for (lid, r) in resources {
            let mut found = Vec::new();
            refs(r.get("Properties").unwrap_or(&Json::Null), &names, &mut found);
            if let Some(c) = r.get("Condition").and_then(Json::as_str) {
                if !names.conditions.is_some_and(|x| x.contains_key(c)) {
                    found.push(format!("condition {c:?} is not declared"));
                }
            }
            for d in r.get("DependsOn").and_then(Json::as_array).into_iter().flatten() {
                if let Some(d) = d.as_str() {
                    if !resources.contains_key(d) {
                        found.push(format!("DependsOn {d:?}, which is not a resource of this template"));
                    }
                }
            }
            for f in found {
                diags.push(Diagnostic::error(&at(lid), "reference", format!("dangling reference: {f}")));
            }
            let mut arns = Vec::new();
            hard_coded_partitions(r.get("Properties").unwrap_or(&Json::Null), &mut arns);
            for a in arns {
                diags.push(Diagnostic::warning(
                    &at(lid),
                    "partition",
                    format!("{a:?} hard-codes the AWS partition; build ARNs with Value::arn(..) or \"arn:${{AWS::Partition}}:...\" in Value::sub so the template also works in aws-cn and aws-us-gov"),
                ).with_rule("core.hard-coded-partition"));
            }
        }
        for (name, o) in section("Outputs").into_iter().flatten() {
            let mut found = Vec::new();
            refs(o, &names, &mut found);
            for f in found {
                diags.push(Diagnostic::error(
                    &format!("{}/{name}", s.id),
                    "reference",
                    format!("dangling reference in output: {f}"),
                ));
            }
            if let Some(e) = o.pointer("/Export/Name").and_then(Json::as_str) {
                let here = format!("{}/{name}", s.id);
                if e.is_empty() || !e.chars().all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '-') {
                    diags.push(Diagnostic::error(&here, "Export.Name", format!("export name {e:?} is invalid: it must be one or more ASCII letters, digits, colons or hyphens")));
                }
                if let Some(prev) = export_names.insert(e.to_owned(), here.clone()) {
                    diags.push(Diagnostic::error(&here, "Export.Name", format!("export name {e:?} is already used by {prev}; export names must be unique per account and region")));
                }
            }
        }
        let size = crate::synth::rendered_len(&s.template);
        if size > limits::TEMPLATE_BYTES {
            diags.push(Diagnostic::error(
                &s.id,
                "template",
                format!(
                    "the template is {size} bytes; CloudFormation accepts at most {} (split the stack)",
                    limits::TEMPLATE_BYTES
                ),
            ));
        } else if size > limits::INLINE_TEMPLATE_BYTES {
            diags.push(Diagnostic::warning(&s.id, "template", format!("the template is {size} bytes, over the {}-byte inline limit: deploy will upload it to the assets bucket", limits::INLINE_TEMPLATE_BYTES)).with_rule("core.inline-template-size"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_hard_coded_partitions() {
        let v = serde_json::json!({"A": "arn:aws:s3:::b", "B": ["arn:aws-cn:iam::1:root", "arn:${AWS::Partition}:s3:::b"], "C": "see arn:awsome", "D": {"E": "x arn:aws-us-gov:sqs:r:1:q"}});
        let mut out = Vec::new();
        hard_coded_partitions(&v, &mut out);
        out.sort();
        assert_eq!(out, ["arn:aws-cn:iam::1:root", "arn:aws:s3:::b", "x arn:aws-us-gov:sqs:r:1:q"]);
    }

    #[test]
    fn sub_vars_skip_literals() {
        assert_eq!(sub_vars("a${X}b${!Lit}${Y.Arn}"), vec!["X", "Y.Arn"]);
    }

    #[test]
    fn construct_ids() {
        assert!(construct_id("Vpc-1_a.b").is_ok());
        assert_eq!(
            construct_id("Öffentlich's").unwrap_err().to_string(),
            "construct id \"Öffentlich's\" contains '\\'', 'Ö'; allowed are ASCII letters, digits, '-', '_' and '.'"
        );
        assert_eq!(construct_id("").unwrap_err(), ConstructIdError::Empty);
        assert_eq!(
            construct_id(&"a".repeat(300)).unwrap_err().to_string(),
            format!("construct id {:?}... is 300 characters; at most 255 are allowed", "a".repeat(20))
        );
        assert!(construct_id(&"é".repeat(300)).is_err());
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate_chars("aé", 2), "a");
        assert_eq!(truncate_chars("abc", 5), "abc");
        assert_eq!(truncate_chars("ééé", 0), "");
    }

    #[test]
    fn ec2_descriptions_are_sanitized() {
        assert_eq!(ec2_description("Öffentlich's/Service (web) #1"), "_ffentlich_s/Service (web) #1");
        assert_eq!(ec2_description(&"x".repeat(300)).len(), 255);
    }

    #[test]
    fn tags_accounts_regions() {
        assert!(tag("Team", "core").is_ok());
        assert!(tag("", "v").is_err());
        assert!(tag("AWS:x", "v").unwrap_err().to_string().contains("reserved"));
        assert_eq!(tag("AWS:x", "v").unwrap_err(), TagError::ReservedKey { key: "AWS:x".into() });
        assert_eq!(
            account("1").unwrap_err().to_string(),
            "account \"1\" is not an AWS account id; an account id is 12 digits, e.g. \"123456789012\""
        );
        assert!(tag(&"k".repeat(129), "v").is_err());
        assert!(tag("k", &"v".repeat(257)).is_err());
        assert!(account("123456789012").is_ok());
        assert!(account("12345678901a").is_err());
        for r in ["eu-central-1", "us-east-1", "us-gov-west-1", "ap-northeast-2", "cn-north-1"] {
            assert!(region(r).is_ok(), "{r}");
        }
        for r in ["", "eu-central", "EU-central-1", "eu--1", "frankfurt"] {
            assert!(region(r).is_err(), "{r}");
        }
    }

    #[test]
    fn cycles_are_reported_as_a_path() {
        let deps: BTreeMap<NodeId, BTreeSet<NodeId>> =
            [(1, [2].into()), (2, [3].into()), (3, [2].into())].into_iter().collect();
        assert_eq!(topo_order(&[1, 2, 3], &deps), Err(vec![2, 3]));
        let ok: BTreeMap<NodeId, BTreeSet<NodeId>> = [(1, [2].into())].into_iter().collect();
        assert_eq!(topo_order(&[1, 2], &ok), Ok(vec![2, 1]));
    }

    #[test]
    fn stack_names() {
        assert!(valid_stack_name("app-dev-Network"));
        assert!(!valid_stack_name("1app"));
        assert!(!valid_stack_name("app_dev"));
    }
}
