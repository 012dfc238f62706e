//! Synthesis: graph → resolved templates → validation → cloud assembly.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde_json::{json, Map, Value as Json};

use crate::diag::{Diagnostic, Severity, SynthError};
use crate::graph::{parse_token, App, Graph, NodeId, NodeKind, TagFormat};
use crate::logical_id;
use crate::validate;

/// One synthesized stack.
#[derive(Debug, Clone)]
pub struct StackArtifact {
    /// Construct id of the stack (artifact id and template file stem).
    pub id: String,
    /// Deployed CloudFormation stack name.
    pub stack_name: String,
    /// The template.
    pub template: Json,
    /// Ids of the stacks this one depends on (deploy those first).
    pub dependencies: Vec<String>,
    /// Termination protection for the deployed stack.
    pub termination_protection: bool,
    /// Stack-level tags (applied to the CloudFormation stack at deploy).
    pub tags: BTreeMap<String, String>,
}

/// Ordering and `--stack` selection are the assembly contract's.
impl stackcraft_assembly::StackNode for StackArtifact {
    fn id(&self) -> &str {
        &self.id
    }
    fn stack_name(&self) -> &str {
        &self.stack_name
    }
    fn dependencies(&self) -> &[String] {
        &self.dependencies
    }
}

impl StackArtifact {
    /// The template file name inside the assembly.
    pub fn template_file(&self) -> String {
        format!("{}.template.json", self.id)
    }
    /// The template as written to disk (pretty, sorted keys, trailing newline).
    pub fn template_text(&self) -> String {
        render(&self.template)
    }
}

/// Pretty JSON with object keys sorted at every level, whatever map type
/// serde_json was built with (a dependency enabling its `preserve_order`
/// feature must not change our bytes), and a trailing newline.
pub(crate) fn render(v: &Json) -> String {
    let mut s = serde_json::to_string_pretty(&Sorted(v)).unwrap_or_default();
    s.push('\n');
    s
}

/// Serializes a JSON value with object keys in sorted order, without copying it.
struct Sorted<'a>(&'a Json);

impl serde::Serialize for Sorted<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Json::Object(m) => {
                let mut entries: Vec<(&String, &Json)> = m.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, &Sorted(v))?;
                }
                map.end()
            }
            Json::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(&Sorted(v))?;
                }
                seq.end()
            }
            other => other.serialize(s),
        }
    }
}

/// The result of a successful synth: templates, the construct tree and the
/// warnings found.
#[derive(Debug, Clone)]
pub struct Assembly {
    /// Application name.
    pub app: String,
    /// Environment name, if the app was built for one.
    pub environment: Option<String>,
    /// The stacks in dependency order (dependencies first).
    pub stacks: Vec<StackArtifact>,
    /// Warnings (the errors made synth fail).
    pub warnings: Vec<Diagnostic>,
    /// The construct tree (written as `tree.json`).
    pub tree: Json,
}

/// Manifest schema version written (one the CDK CLI v2 reads).
pub const MANIFEST_VERSION: &str = "36.0.0";

impl Assembly {
    /// The stack with construct id `id`.
    pub fn stack(&self, id: &str) -> Option<&StackArtifact> {
        self.stacks.iter().find(|s| s.id == id)
    }

    /// Keep only the named stacks and what they depend on. Unknown names are
    /// an error listing the known ones.
    pub fn select(mut self, names: &[String]) -> Result<Self, SynthError> {
        let keep = stackcraft_assembly::select(&self.stacks, names, true).map_err(|e| SynthError {
            diagnostics: e
                .unknown
                .iter()
                .map(|n| {
                    Diagnostic::error(
                        n,
                        "--stack",
                        format!("no stack named {n:?}; the stacks are: {}", e.known.join(", ")),
                    )
                })
                .collect(),
        })?;
        self.stacks.retain(|s| keep.contains(&s.id));
        Ok(self)
    }

    /// The `manifest.json` content, in the layout the AWS CDK CLI reads
    /// (the [`stackcraft_assembly::Manifest`] contract).
    pub fn manifest(&self) -> Json {
        use stackcraft_assembly as contract;
        let mut artifacts = BTreeMap::new();
        artifacts.insert(
            "Tree".to_string(),
            contract::Artifact::Tree(contract::TreeArtifact {
                properties: contract::TreeProperties { file: "tree.json".into() },
            }),
        );
        for s in &self.stacks {
            let stack = contract::StackArtifact {
                // Account and region come from the stack once StackArtifact carries them.
                environment: contract::Environment::unknown(),
                properties: contract::StackProperties {
                    template_file: s.template_file(),
                    stack_name: Some(s.stack_name.clone()),
                    termination_protection: s.termination_protection,
                    tags: s.tags.clone(),
                },
                dependencies: s.dependencies.clone(),
                display_name: Some(s.id.clone()),
            };
            artifacts.insert(s.id.clone(), contract::Artifact::Stack(stack));
        }
        let mut manifest = contract::Manifest::new(artifacts);
        manifest.version = MANIFEST_VERSION.to_string();
        serde_json::to_value(&manifest).unwrap_or_default()
    }

    /// `stackcraft.json`: what deploy needs beyond the CDK manifest (the
    /// [`stackcraft_assembly::Metadata`] contract).
    pub fn stackcraft_metadata(&self) -> Json {
        use stackcraft_assembly as contract;
        let meta = contract::Metadata {
            schema_version: contract::SCHEMA_VERSION.to_string(),
            app: self.app.clone(),
            environment: self.environment.clone(),
            production: self.stacks.iter().any(|s| s.termination_protection),
            stacks: self
                .stacks
                .iter()
                .map(|s| contract::StackMetadata {
                    id: s.id.clone(),
                    stack_name: s.stack_name.clone(),
                    template_file: s.template_file(),
                    dependencies: s.dependencies.clone(),
                    // account, region and shared come from the stack once StackArtifact carries them.
                    ..Default::default()
                })
                .collect(),
            // Filled once the L1 layer's create-only data reaches the graph.
            create_only_properties: BTreeMap::new(),
        };
        serde_json::to_value(&meta).unwrap_or_default()
    }

    /// Write the cloud assembly to `dir` atomically: everything is written to
    /// a temporary sibling directory first, which then replaces `dir`, so an
    /// error never leaves a half-written assembly behind.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)?;
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "cdk.out".into());
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let unique = format!("{}-{}", std::process::id(), WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let tmp = parent.join(format!(".{name}.tmp-{unique}"));
        let result = (|| {
            if tmp.exists() {
                std::fs::remove_dir_all(&tmp)?;
            }
            std::fs::create_dir_all(&tmp)?;
            for s in &self.stacks {
                std::fs::write(tmp.join(s.template_file()), s.template_text())?;
            }
            std::fs::write(tmp.join("manifest.json"), render(&self.manifest()))?;
            std::fs::write(tmp.join("tree.json"), render(&self.tree))?;
            std::fs::write(tmp.join("stackcraft.json"), render(&self.stackcraft_metadata()))?;
            std::fs::write(tmp.join("cdk.out"), render(&json!({ "version": MANIFEST_VERSION })))?;
            // Move any previous output aside, then move ours in. Another
            // process may be writing the same directory: retry until ours lands.
            let mut attempt = 0;
            loop {
                let old = parent.join(format!(".{name}.old-{unique}-{attempt}"));
                let moved = match std::fs::rename(dir, &old) {
                    Ok(()) => true,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
                    Err(e) => return Err(e),
                };
                let placed = std::fs::rename(&tmp, dir);
                if moved {
                    let _ = std::fs::remove_dir_all(&old);
                }
                match placed {
                    Ok(()) => return Ok(()),
                    Err(_) if attempt < 20 && dir.exists() => attempt += 1,
                    Err(e) => return Err(e),
                }
            }
        })();
        if result.is_err() && tmp.exists() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        result
    }
}

struct Ctx<'g> {
    g: &'g Graph,
    uid: u64,
    logical: HashMap<NodeId, String>,
    /// Exports each producer stack must emit: stack → output id → (value, export name).
    exports: BTreeMap<NodeId, BTreeMap<String, (Json, String)>>,
    deps: BTreeMap<NodeId, BTreeSet<NodeId>>,
    stack_names: HashMap<NodeId, String>,
    diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn target(&mut self, token: &str, at: NodeId) -> Option<NodeId> {
        let (uid, node) = parse_token(token)?;
        if uid != self.uid || node >= self.g.nodes.len() {
            self.diags.push(Diagnostic::error(
                &self.g.path(at),
                "reference",
                "references a construct that is not part of this app (a handle from another App)",
            ));
            return None;
        }
        Some(node)
    }

    fn import(&mut self, consumer: NodeId, producer: NodeId, target: NodeId, attr: Option<&str>) -> Json {
        let lid = self.logical[&target].clone();
        let value = match attr {
            None => json!({ "Ref": lid }),
            Some(a) => json!({ "Fn::GetAtt": [lid, a] }),
        };
        let kind = match attr {
            None => format!("Ref{lid}"),
            Some(a) => format!("FnGetAtt{lid}{}", a.replace(|c: char| !c.is_ascii_alphanumeric(), "")),
        };
        let hash = format!("{:08X}", logical_id::stable_hash(&format!("{}/{kind}", self.g.path(producer))) as u32);
        let mut out_id = format!("ExportsOutput{kind}");
        out_id.truncate(logical_id::MAX_LEN - 8);
        out_id.push_str(&hash);
        let export = format!("{}:{out_id}", self.stack_names[&producer]);
        self.exports.entry(producer).or_default().insert(out_id, (value, export.clone()));
        self.deps.entry(consumer).or_default().insert(producer);
        json!({ "Fn::ImportValue": export })
    }

    /// Replace tokens in `v` for use inside stack `stack`.
    /// `at` is the node whose JSON this is; its path is built only for a diagnostic.
    fn resolve(&mut self, v: &mut Json, stack: NodeId, at: NodeId) {
        match v {
            Json::Object(m) => {
                if m.len() == 1 {
                    if let Some(Json::String(t)) = m.get("Ref") {
                        if let Some(target) = parse_token(t).and_then(|_| self.target(&t.clone(), at)) {
                            *v = self.reference(stack, target, None, at);
                            return;
                        }
                    }
                    if let Some(Json::Array(a)) = m.get("Fn::GetAtt") {
                        if let [Json::String(t), Json::String(attr)] = a.as_slice() {
                            if parse_token(t).is_some() {
                                let (t, attr) = (t.clone(), attr.clone());
                                if let Some(target) = self.target(&t, at) {
                                    *v = self.reference(stack, target, Some(&attr), at);
                                }
                                return;
                            }
                        }
                    }
                }
                for (_, x) in m.iter_mut() {
                    self.resolve(x, stack, at);
                }
            }
            Json::Array(a) => {
                for x in a.iter_mut() {
                    self.resolve(x, stack, at);
                }
            }
            Json::String(s) if parse_token(s).is_some() => {
                let t = s.clone();
                if let Some(target) = self.target(&t, at) {
                    let owner = self.g.stack_of(target);
                    if owner != Some(stack) {
                        self.diags.push(Diagnostic::error(
                            &self.g.path(at),
                            "reference",
                            format!(
                                "uses {} of stack {:?}; conditions and mappings can only be used in their own stack",
                                self.g.path(target),
                                owner.map(|o| self.g.nodes[o].id.clone()).unwrap_or_default()
                            ),
                        ));
                    }
                    *s = self.logical[&target].clone();
                }
            }
            _ => {}
        }
    }

    fn reference(&mut self, stack: NodeId, target: NodeId, attr: Option<&str>, at: NodeId) -> Json {
        let kind_ok = match &self.g.nodes[target].kind {
            NodeKind::Resource(_) => true,
            NodeKind::Parameter(_) => attr.is_none(),
            _ => false,
        };
        if !kind_ok {
            self.diags.push(Diagnostic::error(
                &self.g.path(at),
                "reference",
                format!(
                    "{} cannot be referenced with {}",
                    self.g.path(target),
                    if attr.is_some() { "Fn::GetAtt" } else { "Ref" }
                ),
            ));
            return Json::Null;
        }
        let Some(owner) = self.g.stack_of(target) else {
            return Json::Null;
        };
        if owner == stack {
            let lid = self.logical[&target].clone();
            match attr {
                None => json!({ "Ref": lid }),
                Some(a) => json!({ "Fn::GetAtt": [lid, a] }),
            }
        } else {
            self.import(stack, owner, target, attr)
        }
    }
}

fn stack_nodes(g: &Graph) -> Vec<NodeId> {
    g.nodes[0].children.iter().copied().filter(|&c| matches!(g.nodes[c].kind, NodeKind::Stack(_))).collect()
}

/// Nodes below `root` in construct order (depth-first, insertion order).
fn descendants(g: &Graph, root: NodeId) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut stack: Vec<NodeId> = g.nodes[root].children.iter().rev().copied().collect();
    while let Some(n) = stack.pop() {
        out.push(n);
        stack.extend(g.nodes[n].children.iter().rev().copied());
    }
    out
}

fn tags_for(g: &Graph, mut node: NodeId) -> BTreeMap<String, String> {
    let mut chain = vec![node];
    while let Some(p) = g.nodes[node].parent {
        chain.push(p);
        node = p;
    }
    let mut tags = BTreeMap::new();
    for n in chain.into_iter().rev() {
        for (k, v) in &g.nodes[n].tags {
            tags.insert(k.clone(), v.clone());
        }
    }
    tags
}

fn apply_tags(props: &mut Json, format: TagFormat, tags: &BTreeMap<String, String>) {
    if tags.is_empty() || format == TagFormat::None {
        return;
    }
    if !props.is_object() {
        *props = json!({});
    }
    let existing = props.get_mut("Tags");
    match format {
        TagFormat::List => {
            let mut list = match existing {
                Some(Json::Array(a)) => std::mem::take(a),
                Some(_) => return, // an intrinsic: leave it alone
                None => Vec::new(),
            };
            let explicit: BTreeSet<String> =
                list.iter().filter_map(|t| t.get("Key").and_then(Json::as_str).map(str::to_owned)).collect();
            let mut added: Vec<Json> = tags
                .iter()
                .filter(|(k, _)| !explicit.contains(*k))
                .map(|(k, v)| json!({ "Key": k, "Value": v }))
                .collect();
            added.append(&mut list);
            added.sort_by(|a, b| a["Key"].as_str().cmp(&b["Key"].as_str()));
            props["Tags"] = Json::Array(added);
        }
        TagFormat::Map => {
            let mut map = match existing {
                Some(Json::Object(m)) => std::mem::take(m),
                Some(_) => return,
                None => Map::new(),
            };
            for (k, v) in tags {
                map.entry(k.clone()).or_insert_with(|| Json::String(v.clone()));
            }
            props["Tags"] = Json::Object(map);
        }
        TagFormat::None => {}
    }
}

/// Apply a dotted-path override (`A.B.0.C`) to `props`.
fn apply_override(props: &mut Json, path: &str, value: Option<&Json>) -> Result<(), String> {
    let parts: Vec<&str> = path.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!("override path {path:?} has an empty segment"));
    }
    override_at(props, &parts, value).map_err(|e| format!("override path {path:?}: {e}"))
}

fn override_at(cur: &mut Json, parts: &[&str], value: Option<&Json>) -> Result<(), String> {
    let (part, rest) = match parts {
        [p, rest @ ..] => (*p, rest),
        [] => return Ok(()),
    };
    if let Json::Array(a) = cur {
        let idx: usize = part.parse().map_err(|_| format!("{part:?} is not an index into a list"))?;
        if idx >= a.len() {
            return Err(format!("index {idx} is past the end of a list of {}", a.len()));
        }
        if rest.is_empty() {
            match value {
                Some(v) => a[idx] = v.clone(),
                None => {
                    a.remove(idx);
                }
            }
            return Ok(());
        }
        return override_at(&mut a[idx], rest, value);
    }
    if !cur.is_object() {
        if value.is_none() {
            return Ok(());
        }
        *cur = json!({});
    }
    let Json::Object(m) = cur else { return Ok(()) };
    if rest.is_empty() {
        match value {
            Some(v) => {
                m.insert(part.to_owned(), v.clone());
            }
            None => {
                m.remove(part);
            }
        }
        return Ok(());
    }
    if value.is_none() && !m.contains_key(part) {
        return Ok(());
    }
    override_at(m.entry(part.to_owned()).or_insert_with(|| json!({})), rest, value)
}

impl App {
    /// Synthesize every stack: resolve references (cross-stack ones become
    /// exports and imports), apply tags and overrides, validate, and return
    /// the templates. All errors are reported together; nothing is written.
    pub fn synth(&self) -> Result<Assembly, SynthError> {
        let g = self.inner.graph.borrow();
        let env = self.inner.env.borrow().clone();
        let mut ctx = Ctx {
            g: &g,
            uid: self.inner.uid,
            logical: HashMap::new(),
            exports: BTreeMap::new(),
            deps: BTreeMap::new(),
            stack_names: HashMap::new(),
            diags: g.errors.clone(),
        };
        let stacks = stack_nodes(&g);
        if stacks.is_empty() {
            ctx.diags.push(Diagnostic::error("", "stacks", "the app has no stacks; add one with app.stack(\"Name\")"));
        }
        let mut members: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
        for &s in &stacks {
            let NodeKind::Stack(data) = &g.nodes[s].kind else {
                continue;
            };
            let name = data.stack_name.clone().unwrap_or_else(|| match &env {
                Some(e) => format!("{}-{}-{}", self.inner.name, e.name, g.nodes[s].id),
                None => format!("{}-{}", self.inner.name, g.nodes[s].id),
            });
            ctx.stack_names.insert(s, name);
            let nodes = descendants(&g, s);
            for &n in &nodes {
                ctx.logical.insert(n, logical_id::for_node(&g, n));
            }
            ctx.deps.entry(s).or_default().extend(data.dependencies.iter().copied().filter(|&d| d != s));
            members.insert(s, nodes);
        }

        // Resolve each stack's elements.
        let mut sections: HashMap<NodeId, BTreeMap<&'static str, Map<String, Json>>> = HashMap::new();
        for &s in &stacks {
            let mut sec: BTreeMap<&'static str, Map<String, Json>> = BTreeMap::new();
            for &n in &members[&s] {
                let lid = ctx.logical[&n].clone();
                let (section, mut body) = match &g.nodes[n].kind {
                    NodeKind::Resource(d) => {
                        let mut props = d.props.clone();
                        apply_tags(&mut props, d.tags, &tags_for(&g, n));
                        for (p, v) in &d.overrides {
                            if let Err(e) = apply_override(&mut props, p, v.as_ref()) {
                                ctx.diags.push(Diagnostic::error(&g.path(n), p, e));
                            }
                        }
                        let mut r = json!({ "Type": d.type_name });
                        if props.as_object().is_some_and(|m| !m.is_empty()) {
                            r["Properties"] = props;
                        }
                        let mut depends: BTreeSet<String> = BTreeSet::new();
                        for &dep in &d.depends_on {
                            match g.stack_of(dep) {
                                Some(o) if o == s => {
                                    depends.insert(ctx.logical[&dep].clone());
                                }
                                Some(o) => {
                                    ctx.deps.entry(s).or_default().insert(o);
                                }
                                None => {}
                            }
                        }
                        if !depends.is_empty() {
                            r["DependsOn"] = json!(depends);
                        }
                        if let Some(p) = d.deletion_policy {
                            r["DeletionPolicy"] = json!(p.as_str());
                        }
                        if let Some(p) = d.update_replace_policy {
                            r["UpdateReplacePolicy"] = json!(p.as_str());
                        }
                        if let Some(c) = &d.condition {
                            r["Condition"] = json!(c);
                        }
                        if !d.metadata.is_empty() {
                            r["Metadata"] = Json::Object(d.metadata.clone());
                        }
                        ("Resources", r)
                    }
                    NodeKind::Parameter(p) => ("Parameters", p.clone()),
                    NodeKind::Condition(c) => ("Conditions", c.clone()),
                    NodeKind::Mapping(m) => ("Mappings", m.clone()),
                    NodeKind::Output(o) => {
                        let mut out = json!({ "Value": o.value });
                        if let Some(d) = &o.description {
                            out["Description"] = json!(d);
                        }
                        if let Some(e) = &o.export_name {
                            out["Export"] = json!({ "Name": e });
                        }
                        if let Some(c) = &o.condition {
                            out["Condition"] = json!(c);
                        }
                        ("Outputs", out)
                    }
                    NodeKind::Scope | NodeKind::Stack(_) | NodeKind::Root => continue,
                };
                ctx.resolve(&mut body, s, n);
                let map = sec.entry(section).or_default();
                if map.contains_key(&lid) {
                    ctx.diags.push(Diagnostic::error(
                        &g.path(n),
                        "logical ID",
                        format!("logical ID {lid:?} is used twice in {section} of stack {}; rename one of the constructs or override its logical ID", g.nodes[s].id),
                    ));
                }
                map.insert(lid, body);
            }
            sections.insert(s, sec);
        }

        // Exports requested by consumers.
        for (producer, outs) in std::mem::take(&mut ctx.exports) {
            let sec = sections.entry(producer).or_default();
            let map = sec.entry("Outputs").or_default();
            for (id, (value, name)) in outs {
                map.insert(id, json!({ "Value": value, "Export": { "Name": name } }));
            }
        }

        // Order stacks: dependencies first; a cycle is an error.
        let order = match validate::topo_order(&stacks, &ctx.deps) {
            Ok(o) => o,
            Err((x, y)) => {
                let (a, b) = (x.min(y), x.max(y));
                ctx.diags.push(Diagnostic::error(
                    &g.path(a),
                    "dependencies",
                    format!(
                        "stacks {:?} and {:?} depend on each other (through references or explicit dependencies); move the shared resources into one of them or a third stack",
                        g.nodes[a].id, g.nodes[b].id
                    ),
                ));
                stacks.clone()
            }
        };

        let production = env.as_ref().is_some_and(|e| e.production);
        let mut artifacts = Vec::new();
        for s in order {
            let NodeKind::Stack(data) = &g.nodes[s].kind else {
                continue;
            };
            let mut t = Map::new();
            t.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
            if let Some(d) = &data.description {
                t.insert("Description".into(), json!(d));
            }
            if !data.metadata.is_empty() {
                t.insert("Metadata".into(), Json::Object(data.metadata.clone()));
            }
            if let Some(sec) = sections.remove(&s) {
                for (k, v) in sec {
                    if !v.is_empty() {
                        t.insert(k.into(), Json::Object(v));
                    }
                }
            }
            let dependencies: Vec<String> = ctx
                .deps
                .get(&s)
                .map(|d| d.iter().map(|&x| g.nodes[x].id.clone()).collect::<BTreeSet<_>>().into_iter().collect())
                .unwrap_or_default();
            artifacts.push(StackArtifact {
                id: g.nodes[s].id.clone(),
                stack_name: ctx.stack_names[&s].clone(),
                template: Json::Object(t),
                dependencies,
                termination_protection: data.termination_protection.unwrap_or(production),
                tags: tags_for(&g, s),
            });
        }

        let mut diags = ctx.diags;
        validate::assembly(&g, &artifacts, &mut diags);
        diags.sort_by(|a, b| (a.severity, &a.path).cmp(&(b.severity, &b.path)));
        diags.dedup();
        if diags.iter().any(|d| d.severity == Severity::Error) {
            return Err(SynthError { diagnostics: diags });
        }
        Ok(Assembly {
            app: self.inner.name.clone(),
            environment: env.map(|e| e.name),
            stacks: artifacts,
            warnings: diags,
            tree: tree(&g, &ctx.logical),
        })
    }
}

/// The construct tree (`tree.json`), with the logical IDs synth assigned.
fn tree(g: &Graph, logical: &HashMap<NodeId, String>) -> Json {
    fn node(g: &Graph, logical: &HashMap<NodeId, String>, n: NodeId) -> Json {
        let path = g.path(n);
        let id = if n == 0 { "App".to_owned() } else { g.nodes[n].id.clone() };
        let mut o = json!({ "id": id, "path": path });
        if let NodeKind::Resource(d) = &g.nodes[n].kind {
            o["attributes"] =
                json!({ "aws:cdk:cloudformation:type": d.type_name, "stackcraft:logicalId": logical.get(&n) });
        }
        if !g.nodes[n].children.is_empty() {
            let children: Map<String, Json> =
                g.nodes[n].children.iter().map(|&c| (g.nodes[c].id.clone(), node(g, logical, c))).collect();
            o["children"] = Json::Object(children);
        }
        o
    }
    json!({ "version": "tree-0.1", "tree": node(g, logical, 0) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_create_and_delete_paths() {
        let mut p = json!({"A": [{"B": 1}]});
        apply_override(&mut p, "A.0.C", Some(&json!(2))).unwrap();
        apply_override(&mut p, "X.Y", Some(&json!("z"))).unwrap();
        apply_override(&mut p, "A.0.B", None).unwrap();
        assert_eq!(p, json!({"A": [{"C": 2}], "X": {"Y": "z"}}));
        assert!(apply_override(&mut p, "A.5.C", Some(&json!(1))).is_err());
        assert!(apply_override(&mut p, "A..C", Some(&json!(1))).is_err());
    }

    #[test]
    fn tags_merge_explicit_wins() {
        let mut p = json!({"Tags": [{"Key": "Name", "Value": "mine"}]});
        let tags: BTreeMap<String, String> =
            [("Name".to_owned(), "scope".to_owned()), ("Env".to_owned(), "dev".to_owned())].into();
        apply_tags(&mut p, TagFormat::List, &tags);
        assert_eq!(p, json!({"Tags": [{"Key": "Env", "Value": "dev"}, {"Key": "Name", "Value": "mine"}]}));
        let mut m = json!({});
        apply_tags(&mut m, TagFormat::Map, &tags);
        assert_eq!(m, json!({"Tags": {"Env": "dev", "Name": "scope"}}));
    }
}
