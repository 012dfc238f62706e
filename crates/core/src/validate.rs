//! Validation of synthesized templates against CloudFormation's rules and
//! limits, done before anything is written.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value as Json;

use crate::diag::Diagnostic;
use crate::graph::{Graph, NodeId, NodeKind};
use crate::logical_id;
use crate::synth::StackArtifact;
use crate::value::Pseudo;

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

/// Order `stacks` so that every stack comes after those it depends on.
/// On a cycle, returns two stacks that are part of it.
pub(crate) fn topo_order(
    stacks: &[NodeId],
    deps: &BTreeMap<NodeId, BTreeSet<NodeId>>,
) -> Result<Vec<NodeId>, (NodeId, NodeId)> {
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
    ) -> Result<(), (NodeId, NodeId)> {
        mark.insert(s, Mark::Active);
        for &d in deps.get(&s).into_iter().flatten() {
            match mark.get(&d).copied().unwrap_or(Mark::Done) {
                Mark::Active => return Err((s, d)),
                Mark::New => visit(d, deps, mark, order)?,
                Mark::Done => {}
            }
        }
        mark.insert(s, Mark::Done);
        order.push(s);
        Ok(())
    }
    for &s in stacks {
        if mark[&s] == Mark::New {
            visit(s, deps, &mut mark, &mut order)?;
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
            if m.len() == 1 {
                if let Some(Json::String(t)) = m.get("Ref") {
                    if !names.refable(t) {
                        out.push(format!("Ref to {t:?}, which is neither a resource, a parameter nor a pseudo parameter of this template"));
                    }
                }
                if let Some(Json::Array(a)) = m.get("Fn::GetAtt") {
                    if let Some(Json::String(t)) = a.first() {
                        if !names.resources.contains_key(t) {
                            out.push(format!("Fn::GetAtt on {t:?}, which is not a resource of this template"));
                        }
                    }
                }
                if let Some(Json::Array(a)) = m.get("Fn::If") {
                    if let Some(Json::String(c)) = a.first() {
                        if !names.conditions.is_some_and(|x| x.contains_key(c)) {
                            out.push(format!("Fn::If on condition {c:?}, which is not declared"));
                        }
                    }
                }
                if let Some(Json::String(c)) = m.get("Condition") {
                    if !names.conditions.is_some_and(|x| x.contains_key(c)) {
                        out.push(format!("condition {c:?} is not declared"));
                    }
                }
                if let Some(Json::Array(a)) = m.get("Fn::FindInMap") {
                    if let Some(Json::String(c)) = a.first() {
                        if !names.mappings.is_some_and(|x| x.contains_key(c)) {
                            out.push(format!("Fn::FindInMap on mapping {c:?}, which is not declared"));
                        }
                    }
                }
                if let Some(sub) = m.get("Fn::Sub") {
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
        Json::String(s) => {
            let mut rest = s.as_str();
            while let Some(i) = rest.find("arn:aws") {
                let after = &rest[i + "arn:aws".len()..];
                let partition_end = after.find(':');
                let suffix = partition_end.map(|e| &after[..e]);
                if suffix.is_some_and(|p| {
                    p.is_empty() || (p.starts_with('-') && p[1..].chars().all(|c| c.is_ascii_lowercase() || c == '-'))
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
    while let Some(i) = rest.find("${") {
        rest = &rest[i + 2..];
        if let Some(j) = rest.find('}') {
            let v = &rest[..j];
            if !v.starts_with('!') {
                out.push(v.trim());
            }
            rest = &rest[j + 1..];
        } else {
            break;
        }
    }
    out
}

fn paths_by_logical_id(g: &Graph) -> HashMap<(String, String), String> {
    let mut out = HashMap::new();
    for (n, node) in g.nodes.iter().enumerate() {
        if matches!(node.kind, NodeKind::Resource(_)) {
            if let Some(s) = g.stack_of(n) {
                out.insert((g.nodes[s].id.clone(), logical_id::for_node(g, n)), g.path(n));
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
                if let Some(prev) = export_names.insert(e.to_owned(), here.clone()) {
                    diags.push(Diagnostic::error(&here, "Export.Name", format!("export name {e:?} is already used by {prev}; export names must be unique per account and region")));
                }
            }
        }
        let size = s.template_text().len();
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
    fn stack_names() {
        assert!(valid_stack_name("app-dev-Network"));
        assert!(!valid_stack_name("1app"));
        assert!(!valid_stack_name("app_dev"));
    }
}
