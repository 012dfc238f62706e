//! Cross-stack references that never deadlock.
//!
//! When a consumer stops using a value of another stack, synth drops the
//! producer's export. CloudFormation refuses to update a producer whose
//! export is still imported, and the consumer is only updated after the
//! producer: the CDK's "deadly embrace". Before anything changes, deploy
//! compares each producer's deployed exports with its new template, asks
//! CloudFormation who imports every export about to disappear
//! (`ListImports`), and retires those exports in two phases:
//!
//! 1. the producer is updated with the export kept (its value copied from the
//!    deployed stack), then the consumers are updated and stop importing it;
//! 2. the producer is updated again with its real template, which drops it.
//!
//! A renamed export is the same case (the old name disappears). An export
//! still imported by a stack outside this deploy (another environment, a
//! stack not selected) is kept, with a note, until that stack stops
//! importing it. Destroying a producer whose exports are imported by a stack
//! outside the destroy is refused, naming the importers.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use aws_sdk_cloudformation::error::ProvideErrorMetadata;
use serde_json::Value as Json;

use crate::assembly::StackArtifact;
use crate::aws::aws_err;
use crate::deployer::Deployer;
use crate::error::Error;
use crate::model::StackStatus;

/// An export the producer's new template drops but something still imports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptExport {
    /// The export name.
    pub name: String,
    /// Its deployed value (kept as a literal during phase 1).
    pub value: String,
    /// The stacks importing it now.
    pub importers: Vec<String>,
    /// True when every importer is updated by this deploy and stops
    /// importing it: dropped in phase 2. False: kept until the importers
    /// outside this deploy stop using it.
    pub retire: bool,
}

/// The exports of one producer stack that must outlive this update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerPlan {
    /// The producer's artifact id.
    pub id: String,
    /// The producer's stack name.
    pub stack_name: String,
    /// The exports kept in phase 1.
    pub kept: Vec<KeptExport>,
}

impl ProducerPlan {
    /// Whether a second update must drop exports after the consumers moved.
    pub fn needs_phase2(&self) -> bool {
        self.kept.iter().any(|k| k.retire)
    }
}

/// What a deploy must do about exports still in use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportPlan {
    /// The producers with exports to keep, in deploy order.
    pub producers: Vec<ProducerPlan>,
}

impl ExportPlan {
    /// Nothing to keep: a plain one-phase deploy.
    pub fn is_empty(&self) -> bool {
        self.producers.is_empty()
    }

    /// Whether a second phase is needed.
    pub fn needs_phase2(&self) -> bool {
        self.producers.iter().any(ProducerPlan::needs_phase2)
    }

    /// The plan for the producer with artifact id `id`.
    pub fn producer(&self, id: &str) -> Option<&ProducerPlan> {
        self.producers.iter().find(|p| p.id == id)
    }

    /// One line per kept export, for the output.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for p in &self.producers {
            for k in &p.kept {
                let importers = k.importers.join(", ");
                lines.push(if k.retire {
                    format!(
                        "{}: export {} is dropped by the new template but still imported by {importers}: \
                         kept while {importers} update (phase 1), dropped afterwards (phase 2)",
                        p.stack_name, k.name
                    )
                } else {
                    format!(
                        "{}: export {} is dropped by the new template but still imported by {importers} \
                         (not updated by this deploy): kept until no stack imports it",
                        p.stack_name, k.name
                    )
                });
            }
        }
        lines
    }

    /// `stacks` with each producer's template extended by its kept exports
    /// (the phase-1 templates).
    pub fn phase1(&self, stacks: &[StackArtifact]) -> Result<Vec<StackArtifact>, Error> {
        stacks
            .iter()
            .map(|s| {
                let mut s = s.clone();
                if let Some(p) = self.producer(&s.id) {
                    s.template_body = keep_exports(&s.template_body, &p.kept)?;
                }
                Ok(s)
            })
            .collect()
    }
}

/// The export names a template declares, or None when one of them is not a
/// literal string (then what it drops cannot be known before deploying).
pub fn template_exports(template: &Json) -> Option<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    if let Some(outputs) = template.get("Outputs").and_then(Json::as_object) {
        for o in outputs.values() {
            if let Some(export) = o.get("Export") {
                names.insert(export.get("Name")?.as_str()?.to_string());
            }
        }
    }
    Some(names)
}

/// The export names a template imports with a literal `Fn::ImportValue`.
pub fn template_imports(template: &Json) -> BTreeSet<String> {
    fn walk(v: &Json, out: &mut BTreeSet<String>) {
        match v {
            Json::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v.as_str()) {
                        ("Fn::ImportValue", Some(name)) => {
                            out.insert(name.to_string());
                        }
                        _ => walk(v, out),
                    }
                }
            }
            Json::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(template, &mut out);
    out
}

/// `template_body` with an output per kept export (literal value, same
/// export name), under a key derived from the export name.
pub fn keep_exports(template_body: &str, kept: &[KeptExport]) -> Result<String, Error> {
    let mut t: Json =
        serde_json::from_str(template_body).map_err(|e| Error::Assembly(format!("invalid template JSON: {e}")))?;
    let Some(root) = t.as_object_mut() else {
        return Err(Error::Assembly("template is not a JSON object".into()));
    };
    let outputs = root.entry("Outputs").or_insert_with(|| Json::Object(serde_json::Map::new()));
    let Some(outputs) = outputs.as_object_mut() else {
        return Err(Error::Assembly("template Outputs is not an object".into()));
    };
    for k in kept {
        let base: String =
            format!("StackcraftKept{}", k.name.chars().filter(char::is_ascii_alphanumeric).collect::<String>())
                .chars()
                .take(240)
                .collect();
        let mut key = base.clone();
        let mut n = 2;
        while outputs.contains_key(&key) {
            key = format!("{base}{n}");
            n += 1;
        }
        outputs.insert(
            key,
            serde_json::json!({
                "Description": format!(
                    "Kept by stackcraft deploy while {} still import it; dropped once they no longer do",
                    k.importers.join(", ")
                ),
                "Value": k.value,
                "Export": { "Name": k.name },
            }),
        );
    }
    serde_json::to_string_pretty(&t).map(|s| s + "\n").map_err(|e| Error::Io(e.to_string()))
}

impl Deployer {
    /// The stacks importing export `name` (ListImports), by stack name.
    pub async fn list_imports(&self, name: &str) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let r = self.cfn().list_imports().export_name(name).set_next_token(token).send().await;
            match r {
                Ok(r) => {
                    out.extend(r.imports().iter().cloned());
                    match r.next_token() {
                        Some(t) => token = Some(t.to_string()),
                        None => break,
                    }
                }
                Err(e) if e.message().is_some_and(|m| m.contains("not imported")) => break,
                Err(e) => {
                    // An endpoint without ListImports (stock moto), or no
                    // permission for it: say so and go on without the check
                    // (CloudFormation itself still refuses to drop an export in use).
                    let e = aws_err("ListImports", name, e);
                    if matches!(e, Error::Connection { .. }) {
                        return Err(e);
                    }
                    self.ui().line(&format!(
                        "warning: cannot list the importers of export {name} ({e}); exports in use are not \
                         retired automatically this time"
                    ));
                    break;
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The deployed exports of `art` that its new template drops and that
    /// other stacks still import, each with whether this deploy retires it
    /// (every importer is among `stacks` and its new template stops
    /// importing it).
    pub async fn plan_exports(self: &Arc<Self>, stacks: &[StackArtifact]) -> Result<ExportPlan, Error> {
        let by_name: BTreeMap<&str, &StackArtifact> = stacks.iter().map(|s| (s.stack_name.as_str(), s)).collect();
        let mut plan = ExportPlan::default();
        for art in stacks {
            let d = self.for_stack(art)?;
            let Some(info) = d.describe(&art.stack_name).await?.filter(|i| i.status != StackStatus::DeleteComplete)
            else {
                continue;
            };
            let Some(new) = art.template().ok().as_ref().and_then(template_exports) else {
                continue;
            };
            let mut kept = Vec::new();
            for o in &info.outputs {
                let Some(name) = o.export_name.as_deref().filter(|n| !new.contains(*n)) else { continue };
                let importers = d.list_imports(name).await?;
                if importers.is_empty() {
                    continue;
                }
                let retire = importers.iter().all(|i| {
                    by_name.get(i.as_str()).is_some_and(|c| {
                        c.region == art.region
                            && c.template().ok().is_some_and(|t| !template_imports(&t).contains(name))
                    })
                });
                kept.push(KeptExport { name: name.to_string(), value: o.value.clone(), importers, retire });
            }
            if !kept.is_empty() {
                plan.producers.push(ProducerPlan { id: art.id.clone(), stack_name: art.stack_name.clone(), kept });
            }
        }
        Ok(plan)
    }

    /// Refuse to destroy `stacks` while a stack outside them imports one of
    /// their exports, naming each export and its importers.
    pub async fn check_no_outside_importers(self: &Arc<Self>, stacks: &[StackArtifact]) -> Result<(), Error> {
        let deleting: BTreeSet<&str> = stacks.iter().map(|s| s.stack_name.as_str()).collect();
        let mut problems = Vec::new();
        for art in stacks {
            let d = self.for_stack(art)?;
            let Some(info) = d.describe(&art.stack_name).await? else { continue };
            for name in info.outputs.iter().filter_map(|o| o.export_name.as_deref()) {
                let outside: Vec<String> =
                    d.list_imports(name).await?.into_iter().filter(|i| !deleting.contains(i.as_str())).collect();
                if !outside.is_empty() {
                    problems.push(format!("{}: export {name} is imported by {}", art.stack_name, outside.join(", ")));
                }
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        Err(Error::ExportsInUse { problems })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exports_and_imports_of_a_template() {
        let t = json!({
            "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {
                "Tags": [{"Key": "k", "Value": {"Fn::ImportValue": "app-dev-Data:Arn"}}]}}},
            "Outputs": {"A": {"Value": "x", "Export": {"Name": "app-dev-App:Url"}}, "B": {"Value": "y"}}
        });
        assert_eq!(template_exports(&t), Some(BTreeSet::from(["app-dev-App:Url".to_string()])));
        assert_eq!(template_imports(&t), BTreeSet::from(["app-dev-Data:Arn".to_string()]));
        let dynamic = json!({"Outputs": {"A": {"Value": "x", "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-A"}}}}});
        assert_eq!(template_exports(&dynamic), None, "a computed export name cannot be planned");
    }

    #[test]
    fn kept_exports_are_added_as_literal_outputs() {
        let body = r#"{"Resources": {}, "Outputs": {"Other": {"Value": "v"}}}"#;
        let kept = KeptExport {
            name: "app-dev-Data:QueueArn".into(),
            value: "arn:aws:sqs:us-east-1:1:q".into(),
            importers: vec!["app-dev-App".into()],
            retire: true,
        };
        let t: Json = serde_json::from_str(&keep_exports(body, &[kept]).unwrap()).unwrap();
        let o = &t["Outputs"]["StackcraftKeptappdevDataQueueArn"];
        assert_eq!(o["Value"], "arn:aws:sqs:us-east-1:1:q");
        assert_eq!(o["Export"]["Name"], "app-dev-Data:QueueArn");
        assert_eq!(t["Outputs"]["Other"]["Value"], "v");
    }
}
