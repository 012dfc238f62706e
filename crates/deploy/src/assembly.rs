//! Reading a cloud assembly directory: the contract between synth and deploy.
//!
//! The assembly is what `cargo run -- synth --env ENV --out DIR` writes:
//! `manifest.json` in the AWS CDK layout (artifacts of type
//! `aws:cloudformation:stack` with `properties.templateFile`, `stackName`,
//! `terminationProtection`, `tags` and `dependencies`), one template file per
//! stack, and `stackcraft.json` (`{app, environment, production, stacks}`).
//! Deploy needs nothing else: it never links the user's code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::error::Error;

/// CloudFormation's limit for a template passed inline (`TemplateBody`), in
/// bytes. Larger templates are uploaded to the assets bucket and passed by URL.
pub const MAX_INLINE_TEMPLATE_BYTES: usize = 51_200;

/// A cloud assembly read from disk.
#[derive(Debug, Clone)]
pub struct Assembly {
    /// The directory it was read from.
    pub dir: PathBuf,
    /// The app name (from `stackcraft.json`; empty if absent).
    pub app: String,
    /// The environment name (from `stackcraft.json`; empty if absent).
    pub environment: String,
    /// Whether this environment is a production one (`destroy` needs an
    /// explicit flag). True when `stackcraft.json` says so or any stack has
    /// termination protection.
    pub production: bool,
    /// The stacks, in dependency order (every stack after the stacks it
    /// depends on; ties in manifest order).
    pub stacks: Vec<StackArtifact>,
}

/// One stack of the assembly.
#[derive(Debug, Clone, PartialEq)]
pub struct StackArtifact {
    /// The artifact id (construct id of the stack, e.g. `Storage`).
    pub id: String,
    /// The CloudFormation stack name (e.g. `myapp-dev-Storage`).
    pub stack_name: String,
    /// The template file, relative to the assembly directory.
    pub template_file: String,
    /// The template text, exactly as synthesized.
    pub template_body: String,
    /// Whether the deployed stack gets termination protection.
    pub termination_protection: bool,
    /// Stack-level tags (CloudFormation propagates them to resources).
    pub tags: BTreeMap<String, String>,
    /// Artifact ids of the stacks this one depends on (they deploy first).
    pub dependencies: Vec<String>,
}

/// A capability CloudFormation requires an explicit acknowledgement for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// The template creates IAM resources.
    Iam,
    /// The template creates IAM resources with custom names.
    NamedIam,
    /// The template contains macros (`Transform`).
    AutoExpand,
}

impl Capability {
    /// The API name, e.g. `CAPABILITY_IAM`.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Iam => "CAPABILITY_IAM",
            Capability::NamedIam => "CAPABILITY_NAMED_IAM",
            Capability::AutoExpand => "CAPABILITY_AUTO_EXPAND",
        }
    }
}

/// IAM resource types and the property that gives each a custom name.
const IAM_TYPES: &[(&str, Option<&str>)] = &[
    ("AWS::IAM::Role", Some("RoleName")),
    ("AWS::IAM::User", Some("UserName")),
    ("AWS::IAM::Group", Some("GroupName")),
    ("AWS::IAM::ManagedPolicy", Some("ManagedPolicyName")),
    ("AWS::IAM::InstanceProfile", Some("InstanceProfileName")),
    ("AWS::IAM::Policy", None),
    ("AWS::IAM::RolePolicy", None),
    ("AWS::IAM::UserPolicy", None),
    ("AWS::IAM::GroupPolicy", None),
    ("AWS::IAM::AccessKey", None),
    ("AWS::IAM::UserToGroupAddition", None),
    ("AWS::IAM::ServiceLinkedRole", None),
];

impl StackArtifact {
    /// The parsed template.
    pub fn template(&self) -> Result<Json, Error> {
        serde_json::from_str(&self.template_body)
            .map_err(|e| Error::Assembly(format!("{}: invalid template JSON: {e}", self.template_file)))
    }

    /// Size of the template in bytes.
    pub fn template_size(&self) -> usize {
        self.template_body.len()
    }

    /// Whether the template is too large to pass inline and must go through S3.
    pub fn needs_upload(&self) -> bool {
        self.template_size() > MAX_INLINE_TEMPLATE_BYTES
    }

    /// The capabilities the template needs: `CAPABILITY_IAM` when it has IAM
    /// resources, `CAPABILITY_NAMED_IAM` (instead) when one of them sets a
    /// custom name, `CAPABILITY_AUTO_EXPAND` when it uses a `Transform`.
    /// Nothing is acknowledged that the template does not need.
    pub fn required_capabilities(&self) -> Vec<Capability> {
        self.template().map(|t| required_capabilities(&t)).unwrap_or_default()
    }

    /// The number of resources in the template.
    pub fn resource_count(&self) -> usize {
        self.template().ok().and_then(|t| t.get("Resources").and_then(Json::as_object).map(|r| r.len())).unwrap_or(0)
    }
}

/// The capabilities `template` needs (see [`StackArtifact::required_capabilities`]).
pub fn required_capabilities(template: &Json) -> Vec<Capability> {
    let mut iam = false;
    let mut named = false;
    if let Some(resources) = template.get("Resources").and_then(Json::as_object) {
        for r in resources.values() {
            let ty = r.get("Type").and_then(Json::as_str).unwrap_or_default();
            if let Some((_, name_prop)) = IAM_TYPES.iter().find(|(t, _)| *t == ty) {
                iam = true;
                if let Some(p) = name_prop {
                    if r.get("Properties").and_then(|props| props.get(*p)).is_some() {
                        named = true;
                    }
                }
            }
        }
    }
    let mut caps = Vec::new();
    if named {
        caps.push(Capability::NamedIam);
    } else if iam {
        caps.push(Capability::Iam);
    }
    if template.get("Transform").is_some() {
        caps.push(Capability::AutoExpand);
    }
    caps
}

impl Assembly {
    /// Read the assembly in `dir`.
    pub fn load(dir: &Path) -> Result<Assembly, Error> {
        let read_json = |name: &str| -> Result<Option<Json>, Error> {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => serde_json::from_str(&text)
                    .map(Some)
                    .map_err(|e| Error::Assembly(format!("{}: {e}", path.display()))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(Error::Assembly(format!("{}: {e}", path.display()))),
            }
        };
        let manifest = read_json("manifest.json")?.ok_or_else(|| {
            Error::Assembly(format!("{} is not a cloud assembly: manifest.json is missing", dir.display()))
        })?;
        let meta = read_json("stackcraft.json")?.unwrap_or(Json::Null);
        let artifacts = manifest
            .get("artifacts")
            .and_then(Json::as_object)
            .ok_or_else(|| Error::Assembly("manifest.json has no `artifacts` object".into()))?;

        let mut stacks = Vec::new();
        for (id, a) in artifacts {
            if a.get("type").and_then(Json::as_str) != Some("aws:cloudformation:stack") {
                continue;
            }
            let props = a.get("properties").cloned().unwrap_or(Json::Null);
            let template_file = props
                .get("templateFile")
                .and_then(Json::as_str)
                .ok_or_else(|| Error::Assembly(format!("artifact {id}: properties.templateFile is missing")))?
                .to_string();
            let template_body = std::fs::read_to_string(dir.join(&template_file))
                .map_err(|e| Error::Assembly(format!("{template_file}: {e}")))?;
            let tags = props
                .get("tags")
                .and_then(Json::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            let v = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
                            (k.clone(), v)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let dependencies = a
                .get("dependencies")
                .and_then(Json::as_array)
                .map(|d| d.iter().filter_map(Json::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            stacks.push(StackArtifact {
                id: id.clone(),
                stack_name: props.get("stackName").and_then(Json::as_str).unwrap_or(id).to_string(),
                template_file,
                template_body,
                termination_protection: props.get("terminationProtection").and_then(Json::as_bool).unwrap_or(false),
                tags,
                dependencies,
            });
        }
        // Keep the order stackcraft.json gives (synth order) where present.
        if let Some(order) = meta.get("stacks").and_then(Json::as_array) {
            let pos: BTreeMap<&str, usize> = order
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.get("id").and_then(Json::as_str).map(|id| (id, i)))
                .collect();
            stacks.sort_by_key(|s| pos.get(s.id.as_str()).copied().unwrap_or(usize::MAX));
        }
        let stacks = topological_order(stacks)?;
        let production = meta.get("production").and_then(Json::as_bool).unwrap_or(false)
            || stacks.iter().any(|s| s.termination_protection);
        let text = |k: &str| meta.get(k).and_then(Json::as_str).unwrap_or_default().to_string();
        Ok(Assembly { dir: dir.to_path_buf(), app: text("app"), environment: text("environment"), production, stacks })
    }

    /// The stack with artifact id or stack name `name`.
    pub fn stack(&self, name: &str) -> Option<&StackArtifact> {
        self.stacks.iter().find(|s| s.id == name || s.stack_name == name)
    }

    /// Keep only the named stacks (by artifact id or stack name) and, when
    /// `with_dependencies`, the stacks they depend on.
    pub fn select(&mut self, names: &[String], with_dependencies: bool) -> Result<(), Error> {
        if names.is_empty() {
            return Ok(());
        }
        let mut keep = BTreeSet::new();
        let mut todo = Vec::new();
        for n in names {
            let s = self.stack(n).ok_or_else(|| {
                Error::Usage(format!(
                    "no stack {n:?} in the assembly; stacks: {}",
                    self.stacks.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ")
                ))
            })?;
            todo.push(s.id.clone());
        }
        while let Some(id) = todo.pop() {
            if keep.insert(id.clone()) && with_dependencies {
                if let Some(s) = self.stack(&id) {
                    todo.extend(s.dependencies.iter().cloned());
                }
            }
        }
        self.stacks.retain(|s| keep.contains(&s.id));
        for s in &mut self.stacks {
            s.dependencies.retain(|d| keep.contains(d));
        }
        Ok(())
    }
}

/// Order `stacks` so that each comes after its dependencies (stable: ties keep
/// their input order). Unknown dependencies and cycles are errors.
fn topological_order(stacks: Vec<StackArtifact>) -> Result<Vec<StackArtifact>, Error> {
    let ids: BTreeSet<&str> = stacks.iter().map(|s| s.id.as_str()).collect();
    for s in &stacks {
        for d in &s.dependencies {
            if !ids.contains(d.as_str()) {
                return Err(Error::Assembly(format!("stack {} depends on {d}, which is not in the assembly", s.id)));
            }
        }
    }
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut rest = stacks;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let i = rest.iter().position(|s| s.dependencies.iter().all(|d| done.contains(d))).ok_or_else(|| {
            Error::Assembly(format!(
                "dependency cycle between stacks {}",
                rest.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ")
            ))
        })?;
        let s = rest.remove(i);
        done.insert(s.id.clone());
        out.push(s);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn write(dir: &Path, name: &str, v: &Json) {
        std::fs::write(dir.join(name), serde_json::to_string_pretty(v).unwrap()).unwrap();
    }

    #[test]
    fn loads_manifest_in_dependency_order() {
        let d = tempfile::tempdir().unwrap();
        let t = json!({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}});
        write(d.path(), "A.template.json", &t);
        write(d.path(), "B.template.json", &t);
        write(
            d.path(),
            "manifest.json",
            &json!({"version": "36.0.0", "artifacts": {
                "B": {"type": "aws:cloudformation:stack", "dependencies": ["A"],
                      "properties": {"templateFile": "B.template.json", "stackName": "app-dev-B",
                                     "terminationProtection": true, "tags": {"env": "dev"}}},
                "A": {"type": "aws:cloudformation:stack",
                      "properties": {"templateFile": "A.template.json", "stackName": "app-dev-A"}},
                "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}}
            }}),
        );
        let a = Assembly::load(d.path()).unwrap();
        let ids: Vec<_> = a.stacks.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["A", "B"]);
        assert!(a.production, "termination protection marks production");
        assert_eq!(a.stacks[1].tags["env"], "dev");
        assert_eq!(a.stacks[1].stack_name, "app-dev-B");
        assert_eq!(a.stacks[0].resource_count(), 1);
    }

    #[test]
    fn missing_manifest_and_cycles_are_errors() {
        let d = tempfile::tempdir().unwrap();
        let e = Assembly::load(d.path()).unwrap_err().to_string();
        assert!(e.contains("manifest.json is missing"), "{e}");
        let t = json!({"Resources": {}});
        write(d.path(), "A.json", &t);
        write(
            d.path(),
            "manifest.json",
            &json!({"artifacts": {
                "A": {"type": "aws:cloudformation:stack", "dependencies": ["B"], "properties": {"templateFile": "A.json"}},
                "B": {"type": "aws:cloudformation:stack", "dependencies": ["A"], "properties": {"templateFile": "A.json"}}
            }}),
        );
        let e = Assembly::load(d.path()).unwrap_err().to_string();
        assert!(e.contains("cycle"), "{e}");
    }

    #[test]
    fn capabilities_only_when_needed() {
        let none = json!({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}});
        assert!(required_capabilities(&none).is_empty());
        let iam =
            json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}}});
        assert_eq!(required_capabilities(&iam), [Capability::Iam]);
        let named = json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x"}}}});
        assert_eq!(required_capabilities(&named), [Capability::NamedIam]);
        let macro_ = json!({"Transform": "AWS::Serverless-2016-10-31", "Resources": {}});
        assert_eq!(required_capabilities(&macro_), [Capability::AutoExpand]);
    }
}
