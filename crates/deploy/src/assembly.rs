//! Reading a cloud assembly directory: the contract between synth and deploy.
//!
//! The assembly is what `cargo run -- synth --env ENV --out DIR` writes:
//! `manifest.json` in the AWS CDK layout (artifacts of type
//! `aws:cloudformation:stack` with `properties.templateFile`, `stackName`,
//! `terminationProtection`, `tags` and `dependencies`), one template file per
//! stack, and `stackcraft.json` (`{app, environment, production, stacks}`).
//! Deploy needs nothing else: it never links the user's code.
//!
//! The file formats are the `stackcraft-assembly` contract (the same types
//! synth writes with); ordering and `--stack` selection are its one
//! implementation.

use std::collections::BTreeMap;
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
    /// Create-only properties by resource type (from `stackcraft.json`;
    /// empty when synth did not write them).
    pub create_only: BTreeMap<String, Vec<String>>,
    /// `tree.json` when present (construct paths for the diff).
    pub tree: Option<Json>,
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
    /// The account the stack is pinned to (None: the caller's).
    pub account: Option<String>,
    /// The region the stack is pinned to (None: the deploy's default region).
    pub region: Option<String>,
    /// Shared by all environments: deployed once under its own name, and
    /// changed by an environment's deploy only with `--include-shared`.
    pub shared: bool,
}

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
        use stackcraft_assembly::{Manifest, Metadata};
        let read = |name: &str| -> Result<Option<String>, Error> {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => Ok(Some(text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(Error::Assembly(format!("{}: {e}", path.display()))),
            }
        };
        let manifest = read("manifest.json")?.ok_or_else(|| {
            Error::Assembly(format!("{} is not a cloud assembly: manifest.json is missing", dir.display()))
        })?;
        let manifest = Manifest::from_json(&manifest).map_err(|e| Error::Assembly(e.to_string()))?;
        let meta = match read("stackcraft.json")? {
            Some(text) => Some(Metadata::from_json(&text).map_err(|e| Error::Assembly(e.to_string()))?),
            None => None,
        };

        let mut stacks = Vec::new();
        for (id, a) in manifest.stacks() {
            let props = &a.properties;
            let template_file = props.template_file.clone();
            let template_body = std::fs::read_to_string(dir.join(&template_file))
                .map_err(|e| Error::Assembly(format!("{template_file}: {e}")))?;
            let m = meta.as_ref().and_then(|m| m.stack(id));
            stacks.push(StackArtifact {
                id: id.to_string(),
                stack_name: props.stack_name.clone().unwrap_or_else(|| id.to_string()),
                template_file,
                template_body,
                termination_protection: props.termination_protection,
                tags: props.tags.clone(),
                dependencies: a.dependencies.clone(),
                account: a.environment.account.clone().or_else(|| m.and_then(|m| m.account.clone())),
                region: a.environment.region.clone().or_else(|| m.and_then(|m| m.region.clone())),
                shared: m.is_some_and(|m| m.shared),
            });
        }
        // Keep the order stackcraft.json gives (synth order) where present.
        if let Some(meta) = &meta {
            let pos: BTreeMap<&str, usize> = meta.stacks.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
            stacks.sort_by_key(|s| pos.get(s.id.as_str()).copied().unwrap_or(usize::MAX));
        }
        let stacks = stackcraft_assembly::dependency_order(stacks).map_err(|e| Error::Assembly(e.to_string()))?;
        // Shared stacks are always termination-protected: they do not make an
        // environment a production one.
        let production =
            meta.as_ref().is_some_and(|m| m.production) || stacks.iter().any(|s| s.termination_protection && !s.shared);
        let (app, environment, create_only) = match meta {
            Some(m) => (m.app, m.environment.unwrap_or_default(), m.create_only_properties),
            None => (String::new(), String::new(), BTreeMap::new()),
        };
        let tree = read("tree.json")?.and_then(|t| serde_json::from_str(&t).ok());
        Ok(Assembly { dir: dir.to_path_buf(), app, environment, production, stacks, create_only, tree })
    }

    /// The stack with artifact id or stack name `name`.
    pub fn stack(&self, name: &str) -> Option<&StackArtifact> {
        self.stacks.iter().find(|s| s.id == name || s.stack_name == name)
    }

    /// Keep only the named stacks (by artifact id or stack name) and, when
    /// `with_dependencies`, the stacks they depend on.
    pub fn select(&mut self, names: &[String], with_dependencies: bool) -> Result<(), Error> {
        let keep = stackcraft_assembly::select(&self.stacks, names, with_dependencies)
            .map_err(|e| Error::Usage(e.to_string()))?;
        self.stacks.retain(|s| keep.contains(&s.id));
        for s in &mut self.stacks {
            s.dependencies.retain(|d| keep.contains(d));
        }
        Ok(())
    }
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
    fn reads_region_account_and_shared_and_rejects_unknown_major() {
        let d = tempfile::tempdir().unwrap();
        let t = json!({"Resources": {}});
        write(d.path(), "Edge.template.json", &t);
        write(d.path(), "Registry.template.json", &t);
        write(
            d.path(),
            "manifest.json",
            &json!({"version": "36.0.0", "artifacts": {
                "Edge": {"type": "aws:cloudformation:stack", "environment": "aws://123456789012/us-east-1",
                         "properties": {"templateFile": "Edge.template.json", "stackName": "shop-dev-Edge"}},
                "Registry": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region",
                         "properties": {"templateFile": "Registry.template.json", "stackName": "shop-Registry"}}
            }}),
        );
        let meta = |version: &str| {
            json!({"schemaVersion": version, "app": "shop", "environment": "dev", "production": false, "stacks": [
                {"id": "Registry", "stackName": "shop-Registry", "templateFile": "Registry.template.json",
                 "dependencies": [], "region": "eu-central-1", "shared": true},
                {"id": "Edge", "stackName": "shop-dev-Edge", "templateFile": "Edge.template.json", "dependencies": []}
            ]})
        };
        write(d.path(), "stackcraft.json", &meta("1.0.0"));
        let a = Assembly::load(d.path()).unwrap();
        let edge = a.stack("Edge").unwrap();
        assert_eq!((edge.account.as_deref(), edge.region.as_deref()), (Some("123456789012"), Some("us-east-1")));
        assert!(!edge.shared);
        let reg = a.stack("Registry").unwrap();
        assert_eq!((reg.account.as_deref(), reg.region.as_deref()), (None, Some("eu-central-1")));
        assert!(reg.shared);
        assert_eq!(a.stacks[0].id, "Registry", "synth order from stackcraft.json");
        write(d.path(), "stackcraft.json", &meta("2.0.0"));
        let e = Assembly::load(d.path()).unwrap_err().to_string();
        assert!(e.contains("schema version 2.0.0"), "{e}");
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
