//! Diff of two assemblies: the review artifact.
//!
//! JSON schema (`schema_version` "1"): `{"schema_version", "summary":
//! {"added", "removed", "modified", "replaced", "stateful", "moved",
//! "security"}, "stacks": [{"id", "status", "resources": [...], "parameters",
//! "outputs", "tags", "termination_protection", "security"}]}`; see
//! [`DiffReport::to_json`]. Each resource also carries
//! `"predicted_replacement"` (the create-only table's verdict),
//! `"cloudformation_replacement"` (CloudFormation's own verdict from a change
//! set: `null` offline or without one) and `"disagreement"`; `"replacement"`
//! is CloudFormation's verdict where there is one, else the prediction.
//!
//! The engine takes old and new [`Snapshot`]s: the offline `diff --against
//! DIR` reads the old one from disk, the online `cargo xtask diff ENV`
//! (`stackcraft-deploy`) from the deployed stacks, and adds CloudFormation's
//! verdicts with [`DiffReport::set_cloudformation_verdict`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value as Json};

use crate::replacement::Rules;
use crate::{resources, Snapshot, StackSnapshot};

/// The JSON schema version of [`DiffReport::to_json`].
pub const SCHEMA_VERSION: &str = "1";

/// Whether a change replaces the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Replacement {
    /// Updated in place.
    None,
    /// May be replaced (a conditional create-only property changed).
    Conditional,
    /// Replaced (a create-only property or the type changed, or a move).
    Always,
}

impl Replacement {
    /// `none`, `conditional` or `always`.
    pub fn as_str(self) -> &'static str {
        match self {
            Replacement::None => "none",
            Replacement::Conditional => "conditional",
            Replacement::Always => "always",
        }
    }
}

/// The kind of change of one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// New logical ID.
    Added,
    /// Logical ID gone.
    Removed,
    /// Same logical ID, different definition.
    Modified,
    /// Same type and properties under a new logical ID (CloudFormation
    /// replaces it: creates the new one and deletes the old one).
    Moved {
        /// The old logical ID.
        from: String,
    },
}

/// One changed property (dotted path).
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyChange {
    /// Dotted path (`Properties.` omitted; resource attributes such as
    /// `DeletionPolicy` by name).
    pub path: String,
    /// Old value (None: absent).
    pub old: Option<Json>,
    /// New value (None: absent).
    pub new: Option<Json>,
    /// Whether this change replaces the resource.
    pub replacement: Replacement,
}

/// One changed resource.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceChange {
    /// Logical ID (the new one for a move).
    pub logical_id: String,
    /// CloudFormation type (the new one).
    pub type_name: String,
    /// Construct path.
    pub path: String,
    /// What changed.
    pub kind: ChangeKind,
    /// Replacement verdict predicted from the create-only properties.
    pub replacement: Replacement,
    /// CloudFormation's own verdict, from a change set (online diff only).
    pub cloudformation: Option<Replacement>,
    /// CloudFormation's property-level detail (`Properties.X:
    /// RequiresRecreation Always`), from the change set.
    pub cloudformation_detail: Vec<String>,
    /// Whether the type holds data.
    pub stateful: bool,
    /// Property-level changes (modified resources).
    pub properties: Vec<PropertyChange>,
}

impl ResourceChange {
    /// A stateful resource replaced (possibly) or removed: data at risk.
    pub fn data_at_risk(&self) -> bool {
        self.stateful && (self.kind == ChangeKind::Removed || self.verdict() != Replacement::None)
    }

    /// The verdict that counts: CloudFormation's where a change set gave
    /// one, else the prediction.
    pub fn verdict(&self) -> Replacement {
        self.cloudformation.unwrap_or(self.replacement)
    }

    /// CloudFormation's verdict differs from the prediction.
    pub fn disagrees(&self) -> bool {
        self.cloudformation.is_some_and(|c| c != self.replacement)
    }
}

/// A named value that changed (parameter, output, tag).
#[derive(Debug, Clone, PartialEq)]
pub struct EntryChange {
    /// Name.
    pub name: String,
    /// Old value.
    pub old: Option<Json>,
    /// New value.
    pub new: Option<Json>,
    /// For an output with an export: the stacks importing it (old or new assembly).
    pub importers: Vec<String>,
}

/// A security widening introduced by the new assembly.
#[derive(Debug, Clone, PartialEq)]
pub struct Widening {
    /// Logical ID of the resource.
    pub logical_id: String,
    /// Construct path.
    pub path: String,
    /// What widened.
    pub message: String,
}

/// The diff of one stack.
#[derive(Debug, Clone, PartialEq)]
pub struct StackDiff {
    /// Stack id.
    pub id: String,
    /// "added", "removed", "modified" or "unchanged".
    pub status: &'static str,
    /// Changed resources, by logical ID.
    pub resources: Vec<ResourceChange>,
    /// Changed parameters.
    pub parameters: Vec<EntryChange>,
    /// Changed outputs (exports included).
    pub outputs: Vec<EntryChange>,
    /// Changed stack tags.
    pub tags: Vec<EntryChange>,
    /// Termination protection (old, new) when it changed.
    pub termination_protection: Option<(bool, bool)>,
    /// Security widenings.
    pub security: Vec<Widening>,
}

/// Counts of the top-line summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Resources added (moves not counted).
    pub added: usize,
    /// Resources removed (moves not counted).
    pub removed: usize,
    /// Resources modified.
    pub modified: usize,
    /// Resources replaced or possibly replaced (moves included).
    pub replaced: usize,
    /// Stateful resources replaced or removed.
    pub stateful: usize,
    /// Logical-ID moves.
    pub moved: usize,
    /// Security widenings.
    pub security: usize,
}

/// The diff of two assemblies.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffReport {
    /// Per stack, in the new assembly's order then removed stacks.
    pub stacks: Vec<StackDiff>,
}

/// What `--fail-on` checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Any replacement (conditional included).
    Replacement,
    /// A stateful resource replaced or removed.
    Stateful,
    /// A security widening.
    Security,
    /// Any change at all.
    Any,
}

impl FailOn {
    /// Parse `replacement|stateful|security|any`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "replacement" => Some(FailOn::Replacement),
            "stateful" => Some(FailOn::Stateful),
            "security" => Some(FailOn::Security),
            "any" => Some(FailOn::Any),
            _ => None,
        }
    }
}

/// Diff `old` against `new` with the L1 layer's replacement table, one
/// thread per stack.
#[cfg(feature = "app")]
pub fn diff(old: &Snapshot, new: &Snapshot) -> DiffReport {
    diff_with(old, new, &crate::replacement::Schemas)
}

/// Diff `old` against `new` with the replacement `rules`, one thread per stack.
pub fn diff_with(old: &Snapshot, new: &Snapshot, rules: &dyn Rules) -> DiffReport {
    let mut ids: Vec<&str> = new.stacks.iter().map(|s| s.id.as_str()).collect();
    for s in &old.stacks {
        if !ids.contains(&s.id.as_str()) {
            ids.push(&s.id);
        }
    }
    let stacks = std::thread::scope(|scope| {
        let handles: Vec<_> = ids.iter().map(|id| scope.spawn(move || diff_stack(id, old, new, rules))).collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    DiffReport { stacks }
}

fn empty_stack(id: &str) -> StackSnapshot {
    StackSnapshot {
        id: id.to_owned(),
        stack_name: id.to_owned(),
        template: json!({}),
        termination_protection: false,
        tags: BTreeMap::new(),
        region: None,
    }
}

fn diff_stack(id: &str, old_snap: &Snapshot, new_snap: &Snapshot, rules: &dyn Rules) -> StackDiff {
    let empty = empty_stack(id);
    let (old, new) = (old_snap.stack(id), new_snap.stack(id));
    let status = match (old, new) {
        (None, Some(_)) => "added",
        (Some(_), None) => "removed",
        _ => "modified",
    };
    let old = old.unwrap_or(&empty);
    let new = new.unwrap_or(&empty);
    let (or, nr) = (resources(&old.template), resources(&new.template));
    let mut changes = Vec::new();
    let mut added: Vec<&String> = nr.keys().filter(|k| !or.contains_key(*k)).collect();
    let mut removed: Vec<&String> = or.keys().filter(|k| !nr.contains_key(*k)).collect();
    // Moves: same type and properties under a new logical ID.
    let mut moves = Vec::new();
    for a in &added {
        let av = nr.get(*a);
        if let Some(pos) = removed.iter().position(|r| {
            let rv = or.get(*r);
            type_of(av) == type_of(rv) && props_of(av) == props_of(rv) && props_of(av).is_some()
        }) {
            let from = removed.remove(pos);
            moves.push(((*a).clone(), from.clone()));
        }
    }
    added.retain(|a| !moves.iter().any(|(n, _)| n == *a));
    for (to, from) in &moves {
        let t = type_of(nr.get(to)).to_owned();
        changes.push(ResourceChange {
            logical_id: to.clone(),
            stateful: crate::stateful::is_stateful(&t),
            type_name: t,
            path: new_snap.path(id, to),
            kind: ChangeKind::Moved { from: from.clone() },
            replacement: Replacement::Always,
            properties: vec![],
            cloudformation: None,
            cloudformation_detail: vec![],
        });
    }
    for a in added {
        let t = type_of(nr.get(a)).to_owned();
        changes.push(ResourceChange {
            logical_id: a.clone(),
            stateful: crate::stateful::is_stateful(&t),
            type_name: t,
            path: new_snap.path(id, a),
            kind: ChangeKind::Added,
            replacement: Replacement::None,
            properties: vec![],
            cloudformation: None,
            cloudformation_detail: vec![],
        });
    }
    for r in removed {
        let t = type_of(or.get(r)).to_owned();
        changes.push(ResourceChange {
            logical_id: r.clone(),
            stateful: crate::stateful::is_stateful(&t),
            type_name: t,
            path: old_snap.path(id, r),
            kind: ChangeKind::Removed,
            replacement: Replacement::None,
            properties: vec![],
            cloudformation: None,
            cloudformation_detail: vec![],
        });
    }
    for (lid, nv) in &nr {
        let Some(ov) = or.get(lid) else { continue };
        if ov == nv {
            continue;
        }
        changes.push(modified(id, lid, ov, nv, new_snap, rules));
    }
    changes.sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
    let section = |key: &str| entries(old.template.get(key), new.template.get(key));
    let old_tags: BTreeMap<String, Json> = old.tags.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    let new_tags: BTreeMap<String, Json> = new.tags.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    let tags = entries(Some(&json!(old_tags)), Some(&json!(new_tags)));
    let tp = (status == "modified" && old.termination_protection != new.termination_protection)
        .then_some((old.termination_protection, new.termination_protection));
    let security = widenings(id, old, new, new_snap);
    let unchanged = changes.is_empty();
    let parameters = section("Parameters");
    let mut outputs = section("Outputs");
    for o in &mut outputs {
        let names: BTreeSet<&str> = [&o.old, &o.new]
            .into_iter()
            .flatten()
            .filter_map(|v| v.get("Export").and_then(|e| e.get("Name")).and_then(Json::as_str))
            .collect();
        let mut importers = BTreeSet::new();
        for snap in [old_snap, new_snap] {
            for st in &snap.stacks {
                let text = st.template.to_string();
                if names.iter().any(|n| text.contains(&json!({"Fn::ImportValue": n}).to_string())) {
                    importers.insert(st.id.clone());
                }
            }
        }
        o.importers = importers.into_iter().collect();
    }
    let status = if status == "modified"
        && unchanged
        && parameters.is_empty()
        && outputs.is_empty()
        && tags.is_empty()
        && tp.is_none()
        && old.template == new.template
    {
        "unchanged"
    } else {
        status
    };
    StackDiff {
        id: id.to_owned(),
        status,
        resources: changes,
        parameters,
        outputs,
        tags,
        termination_protection: tp,
        security,
    }
}

fn type_of(v: Option<&Json>) -> &str {
    v.and_then(|v| v.get("Type")).and_then(Json::as_str).unwrap_or("")
}

fn props_of(v: Option<&Json>) -> Option<&Json> {
    v.and_then(|v| v.get("Properties"))
}

fn entries(old: Option<&Json>, new: Option<&Json>) -> Vec<EntryChange> {
    let empty = serde_json::Map::new();
    let o = old.and_then(Json::as_object).unwrap_or(&empty);
    let n = new.and_then(Json::as_object).unwrap_or(&empty);
    let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    keys.into_iter()
        .filter(|k| o.get(*k) != n.get(*k))
        .map(|k| EntryChange { name: k.clone(), old: o.get(k).cloned(), new: n.get(k).cloned(), importers: vec![] })
        .collect()
}

fn modified(stack: &str, lid: &str, ov: &Json, nv: &Json, snap: &Snapshot, rules: &dyn Rules) -> ResourceChange {
    let t = type_of(Some(nv)).to_owned();
    let mut props = Vec::new();
    if type_of(Some(ov)) != t {
        props.push(PropertyChange {
            path: "Type".into(),
            old: ov.get("Type").cloned(),
            new: nv.get("Type").cloned(),
            replacement: Replacement::Always,
        });
    }
    let mut leaves = Vec::new();
    leaf_changes("", ov.get("Properties"), nv.get("Properties"), &mut leaves);
    for (path, o, n) in leaves {
        let replacement = rules.verdict(&t, &path);
        props.push(PropertyChange { path, old: o, new: n, replacement });
    }
    for attr in ["DeletionPolicy", "UpdateReplacePolicy", "Condition", "DependsOn", "Metadata", "UpdatePolicy"] {
        if ov.get(attr) != nv.get(attr) {
            props.push(PropertyChange {
                path: attr.into(),
                old: ov.get(attr).cloned(),
                new: nv.get(attr).cloned(),
                replacement: Replacement::None,
            });
        }
    }
    let replacement = props.iter().map(|p| p.replacement).max().unwrap_or(Replacement::None);
    ResourceChange {
        logical_id: lid.to_owned(),
        stateful: crate::stateful::is_stateful(&t),
        type_name: t,
        path: snap.path(stack, lid),
        kind: ChangeKind::Modified,
        replacement,
        properties: props,
        cloudformation: None,
        cloudformation_detail: vec![],
    }
}

/// Changed leaves: objects are recursed into, anything else (lists,
/// scalars, intrinsics) compared whole.
fn leaf_changes(prefix: &str, o: Option<&Json>, n: Option<&Json>, out: &mut Vec<(String, Option<Json>, Option<Json>)>) {
    if o == n {
        return;
    }
    let is_plain_obj = |v: Option<&Json>| {
        v.and_then(Json::as_object).is_some_and(|m| !m.keys().any(|k| k == "Ref" || k.starts_with("Fn::")))
    };
    if is_plain_obj(o) && is_plain_obj(n) {
        let empty = serde_json::Map::new();
        let om = o.and_then(Json::as_object).unwrap_or(&empty);
        let nm = n.and_then(Json::as_object).unwrap_or(&empty);
        let keys: BTreeSet<&String> = om.keys().chain(nm.keys()).collect();
        for k in keys {
            let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
            leaf_changes(&path, om.get(k), nm.get(k), out);
        }
    } else {
        let path = if prefix.is_empty() { "Properties".to_owned() } else { prefix.to_owned() };
        out.push((path, o.cloned(), n.cloned()));
    }
}

/// Statements (anywhere in a resource's properties) with a wildcard action
/// or resource, and ingress rules open to the internet.
fn risky(template: &Json) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (lid, r) in resources(template) {
        let t = type_of(Some(&r));
        if let Some(p) = r.get("Properties") {
            statements(p, &mut |s| {
                if s.get("Effect").and_then(Json::as_str) != Some("Allow") {
                    return;
                }
                let wild = |key: &str| {
                    let v = s.get(key);
                    let items: Vec<&Json> = match v {
                        Some(Json::Array(a)) => a.iter().collect(),
                        Some(x) => vec![x],
                        None => vec![],
                    };
                    items.iter().any(|i| i.as_str().is_some_and(|x| x == "*" || x.ends_with(":*")))
                };
                if wild("Action") {
                    out.insert((
                        lid.clone(),
                        format!("IAM statement allows a wildcard action: {}", compact(s.get("Action"))),
                    ));
                }
                if wild("Resource") {
                    out.insert((
                        lid.clone(),
                        format!("IAM statement on resource \"*\" (actions {})", compact(s.get("Action"))),
                    ));
                }
            });
            let mut ingress = |rule: &Json| {
                for (key, open) in [("CidrIp", "0.0.0.0/0"), ("CidrIpv6", "::/0")] {
                    if rule.get(key).and_then(Json::as_str) == Some(open) {
                        out.insert((
                            lid.clone(),
                            format!(
                                "ingress from {open} on {} ports {}-{}",
                                compact(rule.get("IpProtocol")),
                                compact(rule.get("FromPort")),
                                compact(rule.get("ToPort"))
                            ),
                        ));
                    }
                }
            };
            if t == "AWS::EC2::SecurityGroupIngress" {
                ingress(p);
            }
            if let Some(list) = p.get("SecurityGroupIngress").and_then(Json::as_array) {
                list.iter().for_each(&mut ingress);
            }
        }
    }
    out
}

fn compact(v: Option<&Json>) -> String {
    match v {
        Some(Json::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "-".into(),
    }
}

fn statements(v: &Json, f: &mut dyn FnMut(&Json)) {
    match v {
        Json::Object(m) => {
            if let Some(list) = m.get("Statement").and_then(Json::as_array) {
                list.iter().for_each(&mut *f);
            }
            m.values().for_each(|x| statements(x, f));
        }
        Json::Array(a) => a.iter().for_each(|x| statements(x, f)),
        _ => {}
    }
}

fn widenings(stack: &str, old: &StackSnapshot, new: &StackSnapshot, snap: &Snapshot) -> Vec<Widening> {
    let before = risky(&old.template);
    risky(&new.template)
        .into_iter()
        .filter(|r| !before.contains(r))
        .map(|(lid, message)| Widening { path: snap.path(stack, &lid), logical_id: lid, message })
        .collect()
}

impl DiffReport {
    /// Record CloudFormation's replacement verdict (from a change set) for
    /// the resource `logical_id` of stack `stack`, with its property-level
    /// detail. Returns false when the diff has no such changed resource
    /// (CloudFormation saw a change the templates do not show, e.g. a
    /// dynamic reference or a parameter's value).
    pub fn set_cloudformation_verdict(
        &mut self,
        stack: &str,
        logical_id: &str,
        verdict: Replacement,
        detail: Vec<String>,
    ) -> bool {
        let found = self
            .stacks
            .iter_mut()
            .filter(|s| s.id == stack)
            .flat_map(|s| s.resources.iter_mut())
            .find(|r| r.logical_id == logical_id);
        match found {
            Some(r) => {
                r.cloudformation = Some(verdict);
                r.cloudformation_detail = detail;
                true
            }
            None => false,
        }
    }

    /// Resources whose CloudFormation verdict differs from the prediction.
    pub fn disagreements(&self) -> usize {
        self.stacks.iter().flat_map(|s| &s.resources).filter(|r| r.disagrees()).count()
    }

    /// The top-line counts.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for st in &self.stacks {
            for r in &st.resources {
                match r.kind {
                    ChangeKind::Added => s.added = s.added.saturating_add(1),
                    ChangeKind::Removed => s.removed = s.removed.saturating_add(1),
                    ChangeKind::Modified => s.modified = s.modified.saturating_add(1),
                    ChangeKind::Moved { .. } => s.moved = s.moved.saturating_add(1),
                }
                if r.verdict() != Replacement::None {
                    s.replaced = s.replaced.saturating_add(1);
                }
                if r.data_at_risk() {
                    s.stateful = s.stateful.saturating_add(1);
                }
            }
            s.security = s.security.saturating_add(st.security.len());
        }
        s
    }

    /// Whether anything changed.
    pub fn has_changes(&self) -> bool {
        self.stacks.iter().any(|s| s.status != "unchanged")
    }

    /// Whether `--fail-on kind` trips.
    pub fn fails(&self, kind: FailOn) -> bool {
        let s = self.summary();
        match kind {
            FailOn::Replacement => s.replaced > 0,
            FailOn::Stateful => s.stateful > 0,
            FailOn::Security => s.security > 0,
            FailOn::Any => self.has_changes(),
        }
    }

    /// The versioned JSON document.
    pub fn to_json(&self) -> Json {
        let s = self.summary();
        let entry = |e: &EntryChange| json!({"name": e.name, "old": e.old, "new": e.new, "importers": e.importers});
        json!({
            "schema_version": SCHEMA_VERSION,
            "summary": {
                "added": s.added, "removed": s.removed, "modified": s.modified,
                "replaced": s.replaced, "stateful": s.stateful, "moved": s.moved, "security": s.security,
            },
            "stacks": self.stacks.iter().map(|st| json!({
                "id": st.id,
                "status": st.status,
                "resources": st.resources.iter().map(|r| {
                    let (kind, from) = match &r.kind {
                        ChangeKind::Added => ("added", None),
                        ChangeKind::Removed => ("removed", None),
                        ChangeKind::Modified => ("modified", None),
                        ChangeKind::Moved { from } => ("moved", Some(from.clone())),
                    };
                    json!({
                        "logical_id": r.logical_id, "type": r.type_name, "path": r.path, "change": kind,
                        "moved_from": from, "replacement": r.verdict().as_str(),
                        "predicted_replacement": r.replacement.as_str(),
                        "cloudformation_replacement": r.cloudformation.map(Replacement::as_str),
                        "cloudformation_detail": r.cloudformation_detail,
                        "disagreement": r.disagrees(), "stateful": r.stateful,
                        "properties": r.properties.iter().map(|p| json!({
                            "path": p.path, "old": p.old, "new": p.new, "replacement": p.replacement.as_str(),
                        })).collect::<Vec<_>>(),
                    })
                }).collect::<Vec<_>>(),
                "parameters": st.parameters.iter().map(entry).collect::<Vec<_>>(),
                "outputs": st.outputs.iter().map(entry).collect::<Vec<_>>(),
                "tags": st.tags.iter().map(entry).collect::<Vec<_>>(),
                "termination_protection": st.termination_protection.map(|(o, n)| json!({"old": o, "new": n})),
                "security": st.security.iter().map(|w| json!({"logical_id": w.logical_id, "path": w.path, "message": w.message})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }

    /// The human-readable report: summary, data at risk, then per stack.
    pub fn render(&self) -> String {
        let s = self.summary();
        let mut out = format!(
            "{} added, {} removed, {} modified, {} moved; {} replaced; {} stateful at risk; {} security widening(s)\n",
            s.added, s.removed, s.modified, s.moved, s.replaced, s.stateful, s.security
        );
        let disagree = self.disagreements();
        if disagree > 0 {
            out.push_str(&format!(
                "{disagree} resource(s) where CloudFormation's replacement verdict differs from the create-only \
                 table's prediction (CloudFormation's counts)\n"
            ));
        }
        for st in &self.stacks {
            for r in st.resources.iter().filter(|r| r.data_at_risk()) {
                let what = match (&r.kind, r.verdict()) {
                    (ChangeKind::Removed, _) => "REMOVAL".to_owned(),
                    (_, Replacement::Conditional) => "POSSIBLE REPLACEMENT".to_owned(),
                    _ => "REPLACEMENT".to_owned(),
                };
                let why = match &r.kind {
                    ChangeKind::Moved { from } => format!("logical ID moved from {from}"),
                    ChangeKind::Removed => "removed from the template".to_owned(),
                    _ => {
                        let ps: Vec<&str> = r
                            .properties
                            .iter()
                            .filter(|p| p.replacement != Replacement::None)
                            .map(|p| p.path.as_str())
                            .collect();
                        if ps.is_empty() {
                            "CloudFormation's change set says so".to_owned()
                        } else {
                            format!("{} changed", ps.join(", "))
                        }
                    }
                };
                out.push_str(&format!("!! {what} of stateful data: {} [{}] ({why})\n", r.path, r.type_name));
            }
        }
        for st in &self.stacks {
            if st.status == "unchanged" {
                out.push_str(&format!("\nStack {}: no changes\n", st.id));
                continue;
            }
            out.push_str(&format!("\nStack {} ({})\n", st.id, st.status));
            if let Some((o, n)) = st.termination_protection {
                out.push_str(&format!("  Termination protection: {o} -> {n}\n"));
            }
            let section = |title: &str, list: &[EntryChange], out: &mut String| {
                if list.is_empty() {
                    return;
                }
                out.push_str(&format!("  {title}:\n"));
                for e in list {
                    out.push_str(&format!(
                        "    {} {}: {} -> {}\n",
                        mark(&e.old, &e.new),
                        e.name,
                        show(&e.old),
                        show(&e.new)
                    ));
                    if !e.importers.is_empty() {
                        out.push_str(&format!("      imported by: {}\n", e.importers.join(", ")));
                    }
                }
            };
            section("Parameters", &st.parameters, &mut out);
            section("Outputs", &st.outputs, &mut out);
            section("Tags", &st.tags, &mut out);
            if !st.security.is_empty() {
                out.push_str("  Security widening:\n");
                for w in &st.security {
                    out.push_str(&format!("    ! {}: {}\n", w.path, w.message));
                }
            }
            if !st.resources.is_empty() {
                out.push_str("  Resources:\n");
            }
            for r in &st.resources {
                let (sign, extra) = match &r.kind {
                    ChangeKind::Added => ("+", String::new()),
                    ChangeKind::Removed => ("-", String::new()),
                    ChangeKind::Modified => ("~", String::new()),
                    ChangeKind::Moved { from } => (">", format!(" (moved from {from}: replaces)")),
                };
                let rep = match r.verdict() {
                    Replacement::Always => " [REPLACE]",
                    Replacement::Conditional => " [MAY REPLACE]",
                    Replacement::None => "",
                };
                let cfn = match r.cloudformation {
                    None => String::new(),
                    Some(c) if r.disagrees() => format!(
                        " (CloudFormation: {}; the create-only table predicted {}: DISAGREE)",
                        c.as_str(),
                        r.replacement.as_str()
                    ),
                    Some(c) => format!(" (CloudFormation: {})", c.as_str()),
                };
                out.push_str(&format!("    {sign} {} {} ({}){rep}{extra}{cfn}\n", r.type_name, r.path, r.logical_id));
                for p in &r.properties {
                    let rep = match p.replacement {
                        Replacement::Always => " (replaces)",
                        Replacement::Conditional => " (may replace)",
                        Replacement::None => "",
                    };
                    out.push_str(&format!("        {}: {} -> {}{rep}\n", p.path, show(&p.old), show(&p.new)));
                }
                for d in &r.cloudformation_detail {
                    out.push_str(&format!("        CloudFormation: {d}\n"));
                }
            }
        }
        out
    }
}

fn mark(o: &Option<Json>, n: &Option<Json>) -> &'static str {
    match (o, n) {
        (None, _) => "+",
        (_, None) => "-",
        _ => "~",
    }
}

fn show(v: &Option<Json>) -> String {
    let s = match v {
        None => "(absent)".to_owned(),
        Some(Json::String(s)) => format!("{s:?}"),
        Some(v) => v.to_string(),
    };
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(117).collect::<String>())
    } else {
        s
    }
}
