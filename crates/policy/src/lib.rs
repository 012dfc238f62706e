//! stackcraft-policy: security rule packs run at synth.
//!
//! The engine runs after core validation, over the final templates plus the
//! construct paths of their resources (a finding names the construct path;
//! rules may follow references between resources, e.g. "this security group
//! is attached to an internet-facing load balancer"). Every rule has a
//! stable id, a severity, a one-line rationale, the fix in stackcraft terms
//! and the equivalent cdk-nag `AwsSolutions` and checkov ids.
//!
//! - An **error** fails synth (all findings listed, each with path, rule and
//!   fix); a **warning** prints.
//! - Suppression only through acknowledgements: `scope.acknowledge(rule,
//!   reason)` (see `stackcraft_core::ack`). The pack derives checkov skips
//!   (`Metadata.checkov.skip`) and cfn-lint ignores
//!   (`Metadata.cfn-lint.config.ignore_checks`) from them, so the external
//!   tools agree with it.
//! - `policy-report.json` in the assembly lists every rule evaluated, every
//!   finding and every acknowledgement with its reason and path.
//!
//! Apps built with the `stackcraft` facade get [`Policy::default`] (the
//! [`packs::aws_default`] pack) installed. Select more packs per app:
//!
//! ```
//! use stackcraft_core::App;
//! use stackcraft_policy::{packs, Policy};
//!
//! let app = App::new("shop");
//! Policy::default().with_pack(packs::production()).with_pack(packs::nist_800_53()).install(&app);
//! ```
//!
//! Teams write their own rules by implementing [`Rule`] (or building a
//! [`BuiltinRule`] from a check function) and sharing a [`Pack`] as a crate.
#![forbid(unsafe_code)]

use std::collections::{BTreeMap, HashMap};

use stackcraft_core::serde_json::{json, Value as Json};
use stackcraft_core::{Acknowledgement, App, Diagnostic, ValidationInput, Validator};

pub mod packs;
mod rules;
pub mod util;

/// The name under which the policy validator is installed.
pub const VALIDATOR_NAME: &str = "stackcraft-policy";

/// The report file written into the cloud assembly.
pub const REPORT_FILE: &str = "policy-report.json";

/// How serious a finding of a rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Fails synth unless acknowledged.
    Error,
    /// Printed; synth succeeds.
    Warning,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// What a rule is and how to fix what it finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable id, e.g. `s3.tls-only` (what `acknowledge` names).
    pub id: &'static str,
    /// Default severity.
    pub level: Level,
    /// CloudFormation resource types the rule looks at.
    pub types: &'static [&'static str],
    /// The property (or aspect) concerned, shown in the finding.
    pub property: &'static str,
    /// One-line rationale.
    pub rationale: &'static str,
    /// The fix, in stackcraft terms.
    pub fix: &'static str,
    /// The equivalent cdk-nag `AwsSolutions` rule, if any.
    pub cdk_nag: Option<&'static str>,
    /// The equivalent checkov checks (skipped when the rule is acknowledged).
    pub checkov: &'static [&'static str],
    /// cfn-lint rules ignored when the rule is acknowledged.
    pub cfn_lint: &'static [&'static str],
    /// Only evaluated for production environments.
    pub production_only: bool,
}

/// One resource of a synthesized template, as a rule sees it.
#[derive(Debug, Clone, Copy)]
pub struct ResourceRef<'a> {
    /// Stack (construct) id.
    pub stack: &'a str,
    /// Logical id in the template.
    pub logical_id: &'a str,
    /// CloudFormation type.
    pub type_name: &'a str,
    /// The whole resource (`Type`, `Properties`, `Metadata`, ...).
    pub resource: &'a Json,
}

impl<'a> ResourceRef<'a> {
    /// `Properties` (JSON null when absent).
    pub fn props(&self) -> &'a Json {
        self.resource.get("Properties").unwrap_or(&Json::Null)
    }
    /// A property by JSON pointer below `Properties` (e.g. `/A/B`).
    pub fn prop(&self, pointer: &str) -> Option<&'a Json> {
        self.props().pointer(pointer)
    }
}

/// What rules can see beyond one resource: the environment and every
/// template, with an index of references between resources.
pub struct Context<'a> {
    /// Whether the environment is production.
    pub production: bool,
    /// Environment name, if any.
    pub environment: Option<&'a str>,
    templates: Vec<(&'a str, &'a Json)>,
    /// (stack, target logical id) → resources referencing it (Ref/GetAtt).
    referrers: HashMap<(&'a str, &'a str), Vec<&'a str>>,
}

impl<'a> Context<'a> {
    fn new(production: bool, environment: Option<&'a str>, templates: Vec<(&'a str, &'a Json)>) -> Self {
        let mut referrers: HashMap<(&'a str, &'a str), Vec<&'a str>> = HashMap::new();
        for &(stack, t) in &templates {
            for (lid, r) in t.get("Resources").and_then(Json::as_object).into_iter().flatten() {
                let mut targets = Vec::new();
                util::references(r.get("Properties").unwrap_or(&Json::Null), &mut targets);
                targets.sort_unstable();
                targets.dedup();
                for target in targets {
                    referrers.entry((stack, target)).or_default().push(lid.as_str());
                }
            }
        }
        Context { production, environment, templates, referrers }
    }

    /// A resource of `stack` by logical id.
    pub fn resource(&self, stack: &'a str, logical_id: &str) -> Option<ResourceRef<'a>> {
        let t = self.templates.iter().find(|(s, _)| *s == stack)?.1;
        let (lid, r) = t.get("Resources")?.as_object()?.get_key_value(logical_id)?;
        Some(ResourceRef { stack, logical_id: lid, type_name: r.get("Type")?.as_str()?, resource: r })
    }

    /// The resources of the same stack that reference `r` (Ref or GetAtt).
    pub fn referrers(&self, r: &ResourceRef<'a>) -> Vec<ResourceRef<'a>> {
        self.referrers
            .get(&(r.stack, r.logical_id))
            .into_iter()
            .flatten()
            .filter_map(|lid| self.resource(r.stack, lid))
            .collect()
    }

    /// The resources of the same stack that reference `r` and have type `type_name`.
    pub fn referrers_of_type(&self, r: &ResourceRef<'a>, type_name: &str) -> Vec<ResourceRef<'a>> {
        self.referrers(r).into_iter().filter(|x| x.type_name == type_name).collect()
    }

    /// The resource of the same stack that `value` (a `Ref` or `Fn::GetAtt`) points at.
    pub fn target(&self, stack: &'a str, value: &Json) -> Option<ResourceRef<'a>> {
        let mut t = Vec::new();
        util::references(value, &mut t);
        t.first().and_then(|lid| self.resource(stack, lid))
    }
}

/// A security rule. Implement it in your own crate to add rules; group
/// rules in a [`Pack`].
pub trait Rule {
    /// Id, severity, rationale, fix and equivalent tool ids.
    fn meta(&self) -> &RuleMeta;
    /// The violations of `r` (one message each; empty when compliant).
    /// Called only for resources of the types in [`RuleMeta::types`].
    fn check(&self, r: &ResourceRef<'_>, cx: &Context<'_>) -> Vec<String>;
}

/// A check function: the violations of one resource.
pub type CheckFn = fn(&ResourceRef<'_>, &Context<'_>) -> Vec<String>;

/// A rule made of its metadata and a check function (how the built-in
/// rules are written).
pub struct BuiltinRule {
    /// What the rule is.
    pub meta: RuleMeta,
    /// How it checks.
    pub check: CheckFn,
}

impl Rule for BuiltinRule {
    fn meta(&self) -> &RuleMeta {
        &self.meta
    }
    fn check(&self, r: &ResourceRef<'_>, cx: &Context<'_>) -> Vec<String> {
        (self.check)(r, cx)
    }
}

/// A named set of rules, severity overrides and control mappings.
pub struct Pack {
    /// Pack name, shown in the report.
    pub name: String,
    /// Rules the pack adds.
    pub rules: Vec<Box<dyn Rule>>,
    /// Severity overrides for rules of any pack: rule id → level.
    pub levels: BTreeMap<String, Level>,
    /// Compliance control ids per rule id (e.g. NIST 800-53), shown in
    /// findings and the report under the pack's name.
    pub controls: BTreeMap<String, Vec<String>>,
}

impl Pack {
    /// An empty pack.
    pub fn new(name: impl Into<String>) -> Self {
        Pack { name: name.into(), rules: Vec::new(), levels: BTreeMap::new(), controls: BTreeMap::new() }
    }
    /// Add a rule.
    pub fn rule(mut self, rule: impl Rule + 'static) -> Self {
        self.rules.push(Box::new(rule));
        self
    }
    /// Override the severity of a rule (of this or another pack).
    pub fn level(mut self, rule_id: &str, level: Level) -> Self {
        self.levels.insert(rule_id.to_owned(), level);
        self
    }
    /// Map a rule to compliance control ids.
    pub fn controls(mut self, rule_id: &str, controls: &[&str]) -> Self {
        self.controls.insert(rule_id.to_owned(), controls.iter().map(|c| (*c).to_owned()).collect());
        self
    }
}

/// The packs an app runs at synth. [`Policy::default`] holds
/// [`packs::aws_default`].
pub struct Policy {
    packs: Vec<Pack>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { packs: vec![packs::aws_default()] }
    }
}

impl Policy {
    /// A policy with no pack at all (add some with [`Policy::with_pack`]).
    pub fn empty() -> Self {
        Policy { packs: Vec::new() }
    }

    /// Add a pack.
    pub fn with_pack(mut self, pack: Pack) -> Self {
        self.packs.push(pack);
        self
    }

    /// Install on `app` (replacing a policy installed before).
    pub fn install(self, app: &App) {
        app.add_validator(Box::new(self.into_validator()));
    }

    /// The core validator running this policy.
    pub fn into_validator(self) -> PolicyValidator {
        let mut levels = BTreeMap::new();
        let mut controls: BTreeMap<String, Vec<(String, Vec<String>)>> = BTreeMap::new();
        for p in &self.packs {
            levels.extend(p.levels.iter().map(|(k, v)| (k.clone(), *v)));
            for (rule, c) in &p.controls {
                controls.entry(rule.clone()).or_default().push((p.name.clone(), c.clone()));
            }
        }
        let mut by_type: HashMap<&'static str, Vec<usize>> = HashMap::new();
        let mut rules: Vec<Box<dyn Rule>> = Vec::new();
        let names: Vec<String> = self.packs.iter().map(|p| p.name.clone()).collect();
        for p in self.packs {
            for r in p.rules {
                // A rule id defined twice: the later pack's rule wins.
                if let Some(i) = rules.iter().position(|x| x.meta().id == r.meta().id) {
                    rules[i] = r;
                } else {
                    rules.push(r);
                }
            }
        }
        for (i, r) in rules.iter().enumerate() {
            for t in r.meta().types {
                by_type.entry(t).or_default().push(i);
            }
        }
        PolicyValidator { packs: names, rules, by_type, levels, controls }
    }
}

/// The metadata of the default pack's rules (known to acknowledgements even
/// when the default pack is not installed).
fn default_metas() -> &'static [RuleMeta] {
    static METAS: std::sync::OnceLock<Vec<RuleMeta>> = std::sync::OnceLock::new();
    METAS.get_or_init(|| rules::default_rules().into_iter().map(|r| r.meta).collect())
}

/// Install the default policy ([`packs::aws_default`]) on `app`.
pub fn install_default(app: &App) {
    Policy::default().install(app);
}

/// The policy as a core [`Validator`].
pub struct PolicyValidator {
    packs: Vec<String>,
    rules: Vec<Box<dyn Rule>>,
    by_type: HashMap<&'static str, Vec<usize>>,
    levels: BTreeMap<String, Level>,
    controls: BTreeMap<String, Vec<(String, Vec<String>)>>,
}

impl PolicyValidator {
    /// The metadata of every rule, in evaluation order.
    pub fn rules(&self) -> Vec<&RuleMeta> {
        self.rules.iter().map(|r| r.meta()).collect()
    }

    /// The effective severity of a rule.
    pub fn level(&self, meta: &RuleMeta) -> Level {
        self.levels.get(meta.id).copied().unwrap_or(meta.level)
    }

    /// The checkov and cfn-lint ids an acknowledgement of `rule` suppresses:
    /// the rule's own, or the id itself when it is a tool's id
    /// (`CKV_AWS_1`, `CKV2_AWS_1`, `W3005`).
    pub fn tool_ids(&self, rule: &str) -> (Vec<String>, Vec<String>) {
        let installed = self.rules.iter().map(|r| r.meta()).find(|m| m.id == rule);
        let known = || default_metas().iter().find(|m| m.id == rule);
        if let Some(m) = installed.or_else(known) {
            return (
                m.checkov.iter().map(|s| (*s).to_owned()).collect(),
                m.cfn_lint.iter().map(|s| (*s).to_owned()).collect(),
            );
        }
        if util::is_checkov_id(rule) {
            (vec![rule.to_owned()], Vec::new())
        } else if util::is_cfn_lint_id(rule) {
            (Vec::new(), vec![rule.to_owned()])
        } else {
            (Vec::new(), Vec::new())
        }
    }

    /// Add checkov skips and cfn-lint ignores derived from the
    /// acknowledgements recorded in a resource's metadata.
    fn derive_suppressions(&self, resource: &mut Json) {
        let Some(acks) = resource.pointer("/Metadata/stackcraft/acknowledgements").and_then(Json::as_array) else {
            return;
        };
        let mut skips: Vec<Json> = Vec::new();
        let mut ignores: Vec<String> = Vec::new();
        for a in acks {
            let (Some(rule), Some(reason)) =
                (a.get("rule").and_then(Json::as_str), a.get("reason").and_then(Json::as_str))
            else {
                continue;
            };
            let (checkov, cfn_lint) = self.tool_ids(rule);
            for id in checkov {
                if !skips.iter().any(|s| s["id"] == id.as_str()) {
                    skips.push(json!({ "id": id, "comment": format!("{reason} (acknowledged {rule})") }));
                }
            }
            for id in cfn_lint {
                if !ignores.contains(&id) {
                    ignores.push(id);
                }
            }
        }
        if !skips.is_empty() {
            resource["Metadata"]["checkov"] = json!({ "skip": skips });
        }
        if !ignores.is_empty() {
            ignores.sort();
            resource["Metadata"]["cfn-lint"] = json!({ "config": { "ignore_checks": ignores } });
        }
    }
}

/// One finding, before acknowledgement.
struct Finding {
    rule: usize,
    level: Level,
    stack: String,
    logical_id: String,
    path: String,
    message: String,
}

impl Validator for PolicyValidator {
    fn name(&self) -> &str {
        VALIDATOR_NAME
    }

    fn annotate(&self, resource: &mut Json) {
        self.derive_suppressions(resource);
    }

    fn validate(&self, input: &mut ValidationInput<'_>) -> Vec<Diagnostic> {
        // 2. Rules over every resource of a type they look at.
        let mut findings: Vec<Finding> = Vec::new();
        let mut evaluated = vec![0usize; self.rules.len()];
        {
            let templates: Vec<(&str, &Json)> = input.stacks.iter().map(|s| (s.id.as_str(), &s.template)).collect();
            let cx = Context::new(input.production, input.environment, templates);
            for (stack, t) in &cx.templates {
                for (lid, r) in t.get("Resources").and_then(Json::as_object).into_iter().flatten() {
                    let Some(type_name) = r.get("Type").and_then(Json::as_str) else { continue };
                    let Some(idx) = self.by_type.get(type_name) else { continue };
                    let rr = ResourceRef { stack, logical_id: lid, type_name, resource: r };
                    for &i in idx {
                        let Some(rule) = self.rules.get(i) else { continue };
                        let meta = rule.meta();
                        if meta.production_only && !input.production {
                            continue;
                        }
                        if let Some(n) = evaluated.get_mut(i) {
                            *n += 1;
                        }
                        for message in rule.check(&rr, &cx) {
                            findings.push(Finding {
                                rule: i,
                                level: self.level(meta),
                                stack: (*stack).to_owned(),
                                logical_id: lid.clone(),
                                path: input.path_of(stack, lid),
                                message,
                            });
                        }
                    }
                }
            }
        }
        // 3. Report and diagnostics.
        let mut diags = Vec::with_capacity(findings.len());
        let mut report_findings = Vec::with_capacity(findings.len());
        for f in &findings {
            let Some(rule) = self.rules.get(f.rule) else { continue };
            let m = rule.meta();
            let controls = self.controls.get(m.id);
            let ack: Option<&Acknowledgement> = input.acknowledgement_for(m.id, &f.path);
            let mut entry = json!({
                "rule": m.id,
                "severity": f.level.as_str(),
                "path": f.path,
                "stack": f.stack,
                "logicalId": f.logical_id,
                "message": f.message,
                "fix": m.fix,
                "checkov": m.checkov,
                "acknowledged": ack.map(|a| json!({ "reason": a.reason, "path": a.path })),
            });
            let mut message = format!("{} ({}); fix: {}", f.message, m.rationale, m.fix);
            if let Some(c) = controls {
                entry["controls"] = c.iter().map(|(pack, ids)| (pack.clone(), json!(ids))).collect();
                let ids: Vec<&str> = c.iter().flat_map(|(_, ids)| ids.iter().map(String::as_str)).collect();
                message.push_str(&format!(" [controls: {}]", ids.join(", ")));
            }
            report_findings.push(entry);
            let d = match f.level {
                Level::Error => Diagnostic::error(&f.path, m.property, message),
                Level::Warning => Diagnostic::warning(&f.path, m.property, message),
            };
            diags.push(d.with_rule(m.id));
        }
        let rules: Vec<Json> = self
            .rules
            .iter()
            .zip(&evaluated)
            .map(|(r, n)| {
                let m = r.meta();
                json!({
                    "id": m.id,
                    "severity": self.level(m).as_str(),
                    "types": m.types,
                    "rationale": m.rationale,
                    "fix": m.fix,
                    "cdkNag": m.cdk_nag,
                    "checkov": m.checkov,
                    "productionOnly": m.production_only,
                    "resourcesEvaluated": n,
                    "findings": findings.iter().filter(|f| self.rules.get(f.rule).is_some_and(|x| x.meta().id == m.id)).count(),
                })
            })
            .collect();
        let unacknowledged_errors = findings
            .iter()
            .zip(&report_findings)
            .filter(|(f, e)| f.level == Level::Error && e["acknowledged"].is_null())
            .count();
        let mut report = json!({
            "version": 1,
            "environment": input.environment,
            "production": input.production,
            "packs": self.packs,
            "summary": {
                "rules": self.rules.len(),
                "findings": findings.len(),
                "acknowledged": report_findings.iter().filter(|e| !e["acknowledged"].is_null()).count(),
                "unacknowledgedErrors": unacknowledged_errors,
            },
        });
        // The JSON arrays are moved in: `json!` would copy them through serde.
        if let Some(m) = report.as_object_mut() {
            m.insert("rules".into(), Json::Array(rules));
            m.insert("findings".into(), Json::Array(report_findings));
            m.insert(
                "acknowledgements".into(),
                Json::Array(input.acknowledgements.iter().map(Acknowledgement::to_json).collect()),
            );
        }
        input.reports.insert(REPORT_FILE.to_owned(), report);
        diags
    }
}

/// Parse a `policy-report.json` value back into (rule, stack, logical id)
/// triples of its findings (for tests and tooling).
pub fn report_findings(report: &Json) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| {
            Some((
                f.get("rule")?.as_str()?.to_owned(),
                f.get("stack")?.as_str()?.to_owned(),
                f.get("logicalId")?.as_str()?.to_owned(),
            ))
        })
        .collect()
}
