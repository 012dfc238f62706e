//! The architecture graph, drawn from the assembly: building blocks as nodes
//! (collapsed by default, `--expand` for L1 resources), grouped by stack and
//! network tier where known; edges for connections (security-group ingress,
//! with ports), grants (IAM statements' resources, with the access level),
//! cross-stack references (`Fn::ImportValue`) and event flows (rule targets).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::Value as Json;
use stackcraft_core::cli::ExtensionContext;

use crate::{resources, Snapshot};

/// A node: a building block (or one resource when expanded).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Node {
    /// Construct path (the node's identity).
    pub path: String,
    /// Stack id.
    pub stack: String,
    /// Network tier: "public", "private", "isolated" or "" when unknown.
    pub tier: String,
    /// Label: the block's name and main resource type.
    pub label: String,
}

/// The kind of an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    /// Network connection (security-group ingress).
    Connection,
    /// IAM grant.
    Grant,
    /// Event flow (rule → target).
    Event,
    /// Cross-stack reference.
    Import,
}

/// An edge between two nodes (by path).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    /// Source node path.
    pub from: String,
    /// Target node path.
    pub to: String,
    /// Kind.
    pub kind: EdgeKind,
    /// Label (ports, access level).
    pub label: String,
}

/// The graph.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Graph {
    /// Nodes, sorted by path.
    pub nodes: Vec<Node>,
    /// Edges, sorted and deduplicated.
    pub edges: Vec<Edge>,
}

/// Resource types not drawn as nodes of their own in the collapsed view
/// unless they are a block's only resource (plumbing).
const PLUMBING: &[&str] = &[
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::IAM::Policy",
    "AWS::SSM::Association",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::Subscription",
];

fn block_of(path: &str, expand: bool) -> String {
    if expand {
        return path.to_owned();
    }
    let mut it = path.splitn(3, '/');
    match (it.next(), it.next()) {
        (Some(s), Some(b)) => format!("{s}/{b}"),
        (Some(s), None) => s.to_owned(),
        _ => path.to_owned(),
    }
}

fn short_type(t: &str) -> &str {
    t.rsplit("::").next().unwrap_or(t)
}

/// Every reference in `v`: `(stack, logical id)` pairs, imports resolved
/// through `exports`; the bool says whether it crossed stacks.
fn refs(stack: &str, v: &Json, exports: &BTreeMap<String, (String, String)>, out: &mut Vec<(String, String, bool)>) {
    match v {
        Json::Object(m) => {
            if let Some(Json::String(id)) = m.get("Ref") {
                if !id.starts_with("AWS::") {
                    out.push((stack.to_owned(), id.clone(), false));
                }
            }
            match m.get("Fn::GetAtt") {
                Some(Json::Array(a)) => {
                    if let Some(Json::String(id)) = a.first() {
                        out.push((stack.to_owned(), id.clone(), false));
                    }
                }
                Some(Json::String(s)) => {
                    if let Some(id) = s.split('.').next() {
                        out.push((stack.to_owned(), id.to_owned(), false));
                    }
                }
                _ => {}
            }
            if let Some(Json::String(name)) = m.get("Fn::ImportValue") {
                if let Some((s, id)) = exports.get(name) {
                    out.push((s.clone(), id.clone(), true));
                }
            }
            let sub = match m.get("Fn::Sub") {
                Some(Json::String(s)) => Some(s.as_str()),
                Some(Json::Array(a)) => a.first().and_then(Json::as_str),
                _ => None,
            };
            if let Some(s) = sub {
                for part in s.split("${").skip(1) {
                    if let Some(name) = part.split('}').next() {
                        let id = name.split('.').next().unwrap_or(name);
                        if !id.starts_with("AWS::") {
                            out.push((stack.to_owned(), id.to_owned(), false));
                        }
                    }
                }
            }
            for x in m.values() {
                refs(stack, x, exports, out);
            }
        }
        Json::Array(a) => a.iter().for_each(|x| refs(stack, x, exports, out)),
        _ => {}
    }
}

fn access_level(actions: &[String]) -> &'static str {
    let read = |a: &str| {
        let verb = a.split(':').nth(1).unwrap_or(a);
        ["Get", "List", "Describe", "Receive", "Query", "Scan", "BatchGet", "Decrypt", "Read", "Head"]
            .iter()
            .any(|p| verb.starts_with(p))
    };
    let (r, w) = (actions.iter().any(|a| read(a)), actions.iter().any(|a| !read(a)));
    match (r, w) {
        (true, true) => "read/write",
        (true, false) => "read",
        _ => "write",
    }
}

fn strings(v: Option<&Json>) -> Vec<String> {
    match v {
        Some(Json::String(s)) => vec![s.clone()],
        Some(Json::Array(a)) => a.iter().filter_map(Json::as_str).map(str::to_owned).collect(),
        _ => vec![],
    }
}

/// Build the graph of `snap`.
pub fn build(snap: &Snapshot, expand: bool) -> Graph {
    // Exports: name → (stack, logical id).
    let mut exports = BTreeMap::new();
    for st in &snap.stacks {
        if let Some(outs) = st.template.get("Outputs").and_then(Json::as_object) {
            for o in outs.values() {
                if let Some(name) = o.get("Export").and_then(|e| e.get("Name")).and_then(Json::as_str) {
                    let mut r = Vec::new();
                    refs(&st.id, o.get("Value").unwrap_or(&Json::Null), &BTreeMap::new(), &mut r);
                    if let Some((s, id, _)) = r.into_iter().next() {
                        exports.insert(name.to_owned(), (s, id));
                    }
                }
            }
        }
    }
    let block = |stack: &str, lid: &str| block_of(&snap.path(stack, lid), expand);
    // Nodes.
    let mut members: BTreeMap<String, Vec<(String, String, Json)>> = BTreeMap::new();
    for st in &snap.stacks {
        for (lid, r) in resources(&st.template) {
            // Alarms are many and similar: one node per stack when collapsed.
            let is_alarm = r.get("Type").and_then(Json::as_str) == Some("AWS::CloudWatch::Alarm");
            let key = if is_alarm && !expand { format!("{}/Alarms (CloudWatch)", st.id) } else { block(&st.id, &lid) };
            members.entry(key).or_default().push((st.id.clone(), lid, r));
        }
    }
    let mut nodes = Vec::new();
    for (path, rs) in &members {
        let stack = rs.first().map(|(s, _, _)| s.clone()).unwrap_or_default();
        let types: Vec<&str> = rs.iter().map(|(_, _, r)| r.get("Type").and_then(Json::as_str).unwrap_or("")).collect();
        if !expand && types.iter().all(|t| PLUMBING.contains(t)) {
            continue;
        }
        // The main type: the resource at the block's own path, else the first non-plumbing.
        let main = rs
            .iter()
            .find(|(s, l, _)| snap.path(s, l) == *path)
            .and_then(|(_, _, r)| r.get("Type").and_then(Json::as_str))
            .or_else(|| types.iter().copied().find(|t| !PLUMBING.contains(t)))
            .unwrap_or("");
        let text: String = rs.iter().map(|(_, _, r)| r.to_string()).collect();
        let tier = if types.contains(&"AWS::EC2::VPC") {
            ""
        } else if text.contains("IsolatedSubnet") {
            "isolated"
        } else if text.contains("PrivateSubnet") {
            "private"
        } else if text.contains("PublicSubnet") {
            "public"
        } else {
            ""
        };
        let name = path.split_once('/').map_or(path.as_str(), |(_, b)| b);
        let kind = if types.iter().all(|t| *t == "AWS::CloudWatch::Alarm") {
            format!("{} alarms", types.len())
        } else {
            short_type(main).to_owned()
        };
        nodes.push(Node { path: path.clone(), stack, tier: tier.to_owned(), label: format!("{name}\n{kind}") });
    }
    let known: BTreeSet<&str> = nodes.iter().map(|n| n.path.as_str()).collect();
    // Security groups and roles → their block.
    let mut edges = BTreeSet::new();
    let mut push = |from: String, to: String, kind: EdgeKind, label: String| {
        if from != to && known.contains(from.as_str()) && known.contains(to.as_str()) {
            edges.insert(Edge { from, to, kind, label });
        }
    };
    for st in &snap.stacks {
        let res = resources(&st.template);
        for (lid, r) in &res {
            let t = r.get("Type").and_then(Json::as_str).unwrap_or("");
            let props = r.get("Properties").cloned().unwrap_or(Json::Null);
            let first_ref = |v: Option<&Json>| {
                let mut out = Vec::new();
                refs(&st.id, v.unwrap_or(&Json::Null), &exports, &mut out);
                out.into_iter().next().map(|(s, id, _)| block(&s, &id))
            };
            match t {
                "AWS::EC2::SecurityGroupIngress" => {
                    if let (Some(to), Some(from)) =
                        (first_ref(props.get("GroupId")), first_ref(props.get("SourceSecurityGroupId")))
                    {
                        let ports = match (props.get("FromPort"), props.get("ToPort")) {
                            (Some(a), Some(b)) if a == b => {
                                format!("{} {a}", props.get("IpProtocol").and_then(Json::as_str).unwrap_or(""))
                            }
                            (Some(a), Some(b)) => {
                                format!("{} {a}-{b}", props.get("IpProtocol").and_then(Json::as_str).unwrap_or(""))
                            }
                            _ => "all".to_owned(),
                        };
                        push(from, to, EdgeKind::Connection, ports);
                    }
                }
                "AWS::SNS::Topic" => {
                    for sub in props.get("Subscription").and_then(Json::as_array).into_iter().flatten() {
                        if let Some(to) = first_ref(sub.get("Endpoint")) {
                            push(block(&st.id, lid), to, EdgeKind::Event, "subscription".into());
                        }
                    }
                }
                "AWS::SNS::Subscription" => {
                    if let (Some(from), Some(to)) = (first_ref(props.get("TopicArn")), first_ref(props.get("Endpoint")))
                    {
                        push(from, to, EdgeKind::Event, "subscription".into());
                    }
                }
                "AWS::Events::Rule" => {
                    for target in props.get("Targets").and_then(Json::as_array).into_iter().flatten() {
                        if let Some(to) = first_ref(target.get("Arn")) {
                            push(block(&st.id, lid), to, EdgeKind::Event, "event".into());
                        }
                    }
                }
                _ => {}
            }
            // Grants: statements of roles (inline) and policies attached to roles.
            let principals: Vec<String> = match t {
                "AWS::IAM::Role" => vec![block(&st.id, lid)],
                "AWS::IAM::Policy" => props
                    .get("Roles")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|x| first_ref(Some(x)))
                    .collect(),
                _ => vec![],
            };
            if !principals.is_empty() {
                let mut statements = Vec::new();
                collect_statements(&props, &mut statements);
                for s in statements {
                    if s.get("Effect").and_then(Json::as_str) != Some("Allow") {
                        continue;
                    }
                    let level = access_level(&strings(s.get("Action")));
                    let mut targets = Vec::new();
                    refs(&st.id, s.get("Resource").unwrap_or(&Json::Null), &exports, &mut targets);
                    for (ts, tid, _) in targets {
                        for p in &principals {
                            push(p.clone(), block(&ts, &tid), EdgeKind::Grant, level.to_owned());
                        }
                    }
                }
            }
            // Cross-stack references.
            let mut all = Vec::new();
            refs(&st.id, &props, &exports, &mut all);
            for (ts, tid, cross) in all {
                if cross {
                    push(block(&st.id, lid), block(&ts, &tid), EdgeKind::Import, "import".into());
                }
            }
        }
    }
    // A pair joined by a connection or grant needs no extra import edge.
    let strong: BTreeSet<(String, String)> =
        edges.iter().filter(|e| e.kind != EdgeKind::Import).map(|e| (e.from.clone(), e.to.clone())).collect();
    let edges = edges
        .into_iter()
        .filter(|e| {
            e.kind != EdgeKind::Import
                || !(strong.contains(&(e.from.clone(), e.to.clone()))
                    || strong.contains(&(e.to.clone(), e.from.clone())))
        })
        .collect();
    Graph { nodes, edges }
}

fn collect_statements(v: &Json, out: &mut Vec<Json>) {
    match v {
        Json::Object(m) => {
            if let Some(list) = m.get("Statement").and_then(Json::as_array) {
                out.extend(list.iter().cloned());
            }
            m.values().for_each(|x| collect_statements(x, out));
        }
        Json::Array(a) => a.iter().for_each(|x| collect_statements(x, out)),
        _ => {}
    }
}

fn ident(path: &str) -> String {
    path.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

fn groups(g: &Graph) -> BTreeMap<(&str, &str), Vec<&Node>> {
    let mut m: BTreeMap<(&str, &str), Vec<&Node>> = BTreeMap::new();
    for n in &g.nodes {
        m.entry((n.stack.as_str(), n.tier.as_str())).or_default().push(n);
    }
    m
}

impl Graph {
    /// Mermaid `flowchart LR` (renders on GitHub).
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        let mut current = "";
        for ((stack, tier), nodes) in groups(self) {
            if stack != current {
                if !current.is_empty() {
                    out.push_str("  end\n");
                }
                let _ = writeln!(out, "  subgraph {}[\"Stack {stack}\"]", ident(&format!("stack_{stack}")));
                current = stack;
            }
            let indent = if tier.is_empty() { "    " } else { "      " };
            if !tier.is_empty() {
                let _ = writeln!(out, "    subgraph {}[\"{tier} subnets\"]", ident(&format!("{stack}_{tier}")));
            }
            for n in nodes {
                let _ = writeln!(
                    out,
                    "{indent}{}[\"{}\"]",
                    ident(&n.path),
                    n.label.replace('\n', "<br/>").replace('"', "'")
                );
            }
            if !tier.is_empty() {
                out.push_str("    end\n");
            }
        }
        if !current.is_empty() {
            out.push_str("  end\n");
        }
        for e in &self.edges {
            let arrow = match e.kind {
                EdgeKind::Connection => "-->",
                EdgeKind::Grant => "-.->",
                EdgeKind::Event => "==>",
                EdgeKind::Import => "-.-",
            };
            let _ = writeln!(out, "  {} {arrow}|\"{}\"| {}", ident(&e.from), e.label, ident(&e.to));
        }
        out
    }

    /// A standalone SVG document (laid out in Rust: stacks side by side,
    /// subnet tiers stacked, nodes in a grid, straight labelled edges).
    pub fn to_svg(&self) -> String {
        crate::svg::render(self)
    }

    /// Graphviz DOT.
    pub fn to_dot(&self) -> String {
        let mut out = String::from(
            "digraph architecture {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n",
        );
        let mut current = "";
        for ((stack, tier), nodes) in groups(self) {
            if stack != current {
                if !current.is_empty() {
                    out.push_str("  }\n");
                }
                let _ = writeln!(out, "  subgraph cluster_{} {{\n    label=\"Stack {stack}\";", ident(stack));
                current = stack;
            }
            if !tier.is_empty() {
                let _ =
                    writeln!(out, "    subgraph cluster_{}_{} {{\n      label=\"{tier} subnets\";", ident(stack), tier);
            }
            for n in nodes {
                let _ = writeln!(out, "      {} [label=\"{}\"];", ident(&n.path), n.label.replace('\n', "\\n"));
            }
            if !tier.is_empty() {
                out.push_str("    }\n");
            }
        }
        if !current.is_empty() {
            out.push_str("  }\n");
        }
        for e in &self.edges {
            let style = match e.kind {
                EdgeKind::Connection => "solid",
                EdgeKind::Grant => "dashed",
                EdgeKind::Event => "bold",
                EdgeKind::Import => "dotted",
            };
            let _ = writeln!(out, "  {} -> {} [label=\"{}\", style={style}];", ident(&e.from), ident(&e.to), e.label);
        }
        out.push_str("}\n");
        out
    }
}

pub(crate) fn command() -> Command {
    Command::new("graph")
        .about("Draw the app's architecture from its assembly (Mermaid, DOT or SVG)")
        .arg(
            Arg::new("format")
                .long("format")
                .short('f')
                .value_name("FORMAT")
                .value_parser(["mermaid", "dot", "svg"])
                .default_value("mermaid")
                .help("Output format"),
        )
        .arg(Arg::new("expand").long("expand").action(ArgAction::SetTrue).help("One node per L1 resource"))
}

pub(crate) fn run(ctx: &ExtensionContext<'_>, m: &ArgMatches) -> ExitCode {
    let g = build(&Snapshot::from_assembly(ctx.assembly), m.get_flag("expand"));
    let text = match m.get_one::<String>("format").map_or("mermaid", String::as_str) {
        "dot" => g.to_dot(),
        "svg" => g.to_svg(),
        _ => g.to_mermaid(),
    };
    crate::command::emit(&text)
}
