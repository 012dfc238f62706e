//! Acknowledgements and synth-time validators.
//!
//! A warning or a finding of a validator carries a stable rule id
//! ([`Diagnostic::rule`]). `scope.acknowledge(rule, reason)` silences that
//! rule for everything below the scope: the diagnostic stops failing synth or
//! printing, and the acknowledgement (rule, reason, construct path) is
//! recorded in the template metadata of every affected resource
//! it concerns (`Metadata.stackcraft.acknowledgements`: declared on the
//! resource, or silencing one of its diagnostics), in the [`Assembly`] and in
//! `acknowledgements.json` of the cloud assembly.
//!
//! Validators ([`Validator`], installed with [`App::add_validator`]) run at
//! synth after core validation, over the final templates plus the construct
//! paths of their resources. Core knows no AWS service and no third-party
//! tool: a validator (e.g. the `stackcraft-policy` rule pack) supplies the
//! rules, and may add metadata derived from acknowledgements (such as tool
//! suppressions) and report files to the assembly.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};

use crate::diag::Diagnostic;
use crate::graph::{App, Graph, NodeId, ResourceHandle, Scope};
use crate::synth::{Assembly, StackArtifact};

/// The shortest reason accepted by `acknowledge` (in characters): enough
/// for a real sentence, not a placeholder such as "ok" or "n/a".
pub const MIN_REASON_CHARS: usize = 10;

/// The metadata key written on every resource below an acknowledging scope.
pub const METADATA_KEY: &str = "stackcraft";

/// An acknowledged rule: declared on a scope with a reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Acknowledgement {
    /// The rule id acknowledged (a warning's or a validator finding's).
    pub rule: String,
    /// Why the finding is acceptable here.
    pub reason: String,
    /// Construct path of the acknowledging scope (`""` for the app).
    pub path: String,
}

impl Acknowledgement {
    /// Whether this acknowledgement covers a diagnostic of `rule` at `path`.
    pub fn covers(&self, rule: &str, path: &str) -> bool {
        self.rule == rule && covers_path(&self.path, path)
    }

    /// The JSON form written to metadata and reports.
    pub fn to_json(&self) -> Json {
        json!({ "rule": self.rule, "reason": self.reason, "path": self.path })
    }
}

/// Whether construct path `scope` is `path` or one of its ancestors.
pub fn covers_path(scope: &str, path: &str) -> bool {
    scope.is_empty() || path == scope || path.strip_prefix(scope).is_some_and(|rest| rest.starts_with('/'))
}

/// A diagnostic silenced by an acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledged {
    /// What was found.
    pub diagnostic: Diagnostic,
    /// What silenced it.
    pub acknowledgement: Acknowledgement,
}

/// Whether `rule` is a well-formed rule id: 1 to 64 characters of ASCII
/// letters, digits and `.`, `-`, `_`, `:`.
pub fn valid_rule_id(rule: &str) -> bool {
    !rule.is_empty()
        && rule.len() <= 64
        && rule.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
}

/// What a validator sees and may annotate at synth.
pub struct ValidationInput<'a> {
    /// The synthesized stacks (templates final except for metadata a
    /// validator adds).
    pub stacks: &'a mut [StackArtifact],
    /// Environment name, if any.
    pub environment: Option<&'a str>,
    /// Whether the environment is production.
    pub production: bool,
    /// Construct path of every resource: (stack id, logical id) → path.
    pub paths: &'a BTreeMap<(String, String), String>,
    /// Every acknowledgement declared (empty in audit mode).
    pub acknowledgements: &'a [Acknowledgement],
    /// Report files to write into the assembly: file name → content.
    pub reports: &'a mut BTreeMap<String, Json>,
}

impl ValidationInput<'_> {
    /// The acknowledgement covering `rule` at `path`, if any (the one
    /// declared closest to `path`).
    pub fn acknowledgement_for(&self, rule: &str, path: &str) -> Option<&Acknowledgement> {
        find(self.acknowledgements, rule, path)
    }

    /// The construct path of a resource (its logical id when unknown).
    pub fn path_of(&self, stack: &str, logical_id: &str) -> String {
        self.paths
            .get(&(stack.to_owned(), logical_id.to_owned()))
            .cloned()
            .unwrap_or_else(|| format!("{stack}/{logical_id}"))
    }
}

/// A check run at synth over the final templates (installed with
/// [`App::add_validator`]). Its diagnostics must carry a rule id
/// ([`Diagnostic::with_rule`]) so that they can be acknowledged.
pub trait Validator {
    /// A stable name (one validator of each name is kept per app).
    fn name(&self) -> &str;
    /// Check the templates; return the findings (errors fail synth unless
    /// acknowledged, warnings print).
    fn validate(&self, input: &mut ValidationInput<'_>) -> Vec<Diagnostic>;
    /// Add metadata derived from the acknowledgements recorded on a
    /// resource (`Metadata.stackcraft.acknowledgements`), e.g. the
    /// suppressions of external tools. Called after all validators ran.
    fn annotate(&self, resource: &mut Json) {
        let _ = resource;
    }
}

/// The acknowledgement closest to `path` covering `rule`.
pub(crate) fn find<'a>(acks: &'a [Acknowledgement], rule: &str, path: &str) -> Option<&'a Acknowledgement> {
    acks.iter().filter(|a| a.covers(rule, path)).max_by_key(|a| a.path.len())
}

/// Record an acknowledgement on `node` after checking the inputs.
fn record(app: &App, node: NodeId, rule: &str, reason: &str) {
    let mut g = app.inner.graph.borrow_mut();
    let path = g.path(node);
    let at = if path.is_empty() { "<app>".to_owned() } else { path.clone() };
    if !valid_rule_id(rule) {
        g.errors.push(Diagnostic::error(
            &path,
            "acknowledge",
            format!("rule id {rule:?} is not valid: use 1 to 64 ASCII letters, digits, '.', '-', '_' or ':' (the id printed with the warning or finding)"),
        ));
        return;
    }
    let reason = reason.trim();
    if reason.chars().count() < MIN_REASON_CHARS {
        g.errors.push(Diagnostic::error(
            &path,
            "acknowledge",
            format!("the reason for acknowledging {rule:?} at {at} must say why (at least {MIN_REASON_CHARS} characters), got {reason:?}"),
        ));
        return;
    }
    let list = &mut g.acks;
    if !list.iter().any(|(n, r, _)| *n == node && r == rule) {
        list.push((node, rule.to_owned(), reason.to_owned()));
    }
}

impl Scope {
    /// Acknowledge rule `rule` (a warning's or a security finding's id) for
    /// everything below this scope, with the reason it is acceptable. The
    /// finding no longer fails synth or prints; the acknowledgement is
    /// written into the metadata of the affected resources and the
    /// assembly. An invalid rule id or a reason shorter than
    /// [`MIN_REASON_CHARS`] is an error at synth.
    pub fn acknowledge(&self, rule: &str, reason: &str) {
        record(&self.app(), self.node, rule, reason);
    }
}

impl App {
    /// Acknowledge `rule` for the whole app (see [`Scope::acknowledge`]).
    pub fn acknowledge(&self, rule: &str, reason: &str) {
        record(self, 0, rule, reason);
    }

    /// Install a validator run at every synth of this app, after core
    /// validation. A validator with the same [`Validator::name`] as one
    /// already installed replaces it.
    pub fn add_validator(&self, validator: Box<dyn Validator>) {
        let mut v = self.inner.template_validators.borrow_mut();
        v.retain(|x| x.name() != validator.name());
        v.push(validator);
    }

    /// Names of the installed validators.
    pub fn validators(&self) -> Vec<String> {
        self.inner.template_validators.borrow().iter().map(|v| v.name().to_owned()).collect()
    }

    /// Audit mode: ignore every acknowledgement (none is written into the
    /// templates), and report diagnostics that carry a rule id as warnings
    /// instead of failing synth, so that every finding can be reviewed.
    pub fn set_audit(&self, on: bool) {
        self.inner.audit.set(on);
    }

    /// Whether audit mode is on.
    pub fn audit(&self) -> bool {
        self.inner.audit.get()
    }
}

impl ResourceHandle {
    /// Acknowledge `rule` for this resource (see [`Scope::acknowledge`]).
    pub fn acknowledge(&self, rule: &str, reason: &str) {
        record(&App { inner: self.app.clone() }, self.node, rule, reason);
    }
}

/// Every acknowledgement of the graph, with its scope's path.
pub(crate) fn collect(g: &Graph) -> Vec<(NodeId, Acknowledgement)> {
    let mut v: Vec<(NodeId, Acknowledgement)> = g
        .acks
        .iter()
        .map(|(n, rule, reason)| (*n, Acknowledgement { rule: rule.clone(), reason: reason.clone(), path: g.path(*n) }))
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}

/// Write `Metadata.stackcraft.acknowledgements` on every resource an
/// acknowledgement concerns: declared on the resource itself, or silencing a
/// diagnostic of the resource. Validators then derive their own metadata
/// ([`Validator::annotate`]).
pub(crate) fn stamp(
    artifacts: &mut [StackArtifact],
    paths: &BTreeMap<(String, String), String>,
    acks: &[Acknowledgement],
    silenced: &[Acknowledged],
    validators: &[Box<dyn Validator>],
) {
    for s in artifacts.iter_mut() {
        let Some(resources) = s.template.get_mut("Resources").and_then(Json::as_object_mut) else {
            continue;
        };
        for (lid, r) in resources.iter_mut() {
            let Some(path) = paths.get(&(s.id.clone(), lid.clone())) else {
                continue;
            };
            let mut list: Vec<&Acknowledgement> = acks.iter().filter(|a| a.path == *path).collect();
            for x in silenced.iter().filter(|x| x.diagnostic.path == *path) {
                if !list.contains(&&x.acknowledgement) {
                    list.push(&x.acknowledgement);
                }
            }
            if list.is_empty() {
                continue;
            }
            list.sort();
            r["Metadata"][METADATA_KEY] =
                json!({ "acknowledgements": list.iter().map(|a| a.to_json()).collect::<Vec<_>>() });
            for v in validators {
                v.annotate(r);
            }
        }
    }
}

impl Assembly {
    /// `acknowledgements.json`: every acknowledgement declared and every
    /// diagnostic it silenced.
    pub fn acknowledgements_report(&self) -> Json {
        json!({
            "acknowledgements": self.acknowledgements.iter().map(Acknowledgement::to_json).collect::<Vec<_>>(),
            "silenced": self.acknowledged.iter().map(|a| json!({
                "rule": a.acknowledgement.rule,
                "path": a.diagnostic.path,
                "property": a.diagnostic.property,
                "message": a.diagnostic.message,
                "acknowledgedAt": a.acknowledgement.path,
                "reason": a.acknowledgement.reason,
            })).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_paths_cover_descendants_only() {
        assert!(covers_path("", "A/B"));
        assert!(covers_path("A", "A"));
        assert!(covers_path("A", "A/B"));
        assert!(!covers_path("A", "AB"));
        assert!(!covers_path("A/B", "A"));
    }

    #[test]
    fn rule_ids() {
        assert!(valid_rule_id("s3.access-logs"));
        assert!(valid_rule_id("AwsSolutions-S1"));
        assert!(!valid_rule_id(""));
        assert!(!valid_rule_id("a b"));
        assert!(!valid_rule_id(&"x".repeat(65)));
    }
}
