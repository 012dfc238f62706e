//! The cloud assembly contract between synth and deploy.
//!
//! `cargo run -- synth --env ENV --out DIR` writes a directory that deploy
//! (and the AWS CDK CLI: `cdk ls --app DIR`) reads:
//!
//! - `manifest.json`: [`Manifest`], in the AWS CDK layout (artifacts of type
//!   `aws:cloudformation:stack` and `cdk:tree`, each stack with its
//!   `environment` `aws://ACCOUNT/REGION`, template file, stack name,
//!   termination protection, tags and dependencies);
//! - `stackcraft.json`: [`Metadata`], what deploy needs beyond the CDK
//!   manifest (app, environment, production, and per stack its account,
//!   region and whether it is shared by all environments), versioned by
//!   [`SCHEMA_VERSION`];
//! - one `<id>.template.json` per stack, and `tree.json`.
//!
//! Core serializes these types, deploy deserializes them: neither writes or
//! reads the JSON by hand. The one implementation of stack ordering
//! ([`dependency_order`]) and `--stack` selection ([`select`]) lives here too.
//!
//! This crate depends on serde only: no core, no AWS SDK.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The `manifest.json` schema version written (one the CDK CLI v2 reads).
pub const MANIFEST_VERSION: &str = "36.0.0";

/// The `stackcraft.json` schema version written. Readers accept any version
/// with the same major number (minor versions only add optional fields) and
/// files without a version (written before versioning, read as `1.0.0`).
pub const SCHEMA_VERSION: &str = "1.0.0";

/// The artifact type of a CloudFormation stack.
pub const STACK_ARTIFACT: &str = "aws:cloudformation:stack";

/// The artifact type of the construct tree.
pub const TREE_ARTIFACT: &str = "cdk:tree";

/// What went wrong reading an assembly file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContractError {
    /// The file is not valid JSON or does not have the contract's shape.
    Invalid {
        /// The file (`manifest.json`, `stackcraft.json`).
        file: String,
        /// The parser's message.
        message: String,
    },
    /// `stackcraft.json` was written by a newer or older, incompatible synth.
    UnsupportedVersion {
        /// The version found in the file.
        found: String,
        /// The version this reader understands.
        supported: &'static str,
    },
}

impl fmt::Display for ContractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContractError::Invalid { file, message } => write!(f, "{file}: {message}"),
            ContractError::UnsupportedVersion { found, supported } => write!(
                f,
                "stackcraft.json has schema version {found}, this deploy reads {supported} \
                 (same major version): build deploy and the app from the same stackcraft version"
            ),
        }
    }
}

impl std::error::Error for ContractError {}

/// Where a stack is deployed: `aws://ACCOUNT/REGION`, with
/// `unknown-account` / `unknown-region` for "the caller's" / "the default".
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Environment {
    /// The account id, or None for the account of the deploying credentials.
    pub account: Option<String>,
    /// The region, or None for the deploy's default region.
    pub region: Option<String>,
}

const UNKNOWN_ACCOUNT: &str = "unknown-account";
const UNKNOWN_REGION: &str = "unknown-region";

impl Environment {
    /// An environment with the given account and region (None: unknown).
    pub fn new(account: Option<String>, region: Option<String>) -> Self {
        Environment { account, region }
    }

    /// `aws://unknown-account/unknown-region`: the caller's account, the
    /// default region.
    pub fn unknown() -> Self {
        Environment::default()
    }

    /// Parse `aws://ACCOUNT/REGION`. `None` when the text has another shape.
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.strip_prefix("aws://")?;
        let (account, region) = rest.split_once('/')?;
        if account.is_empty() || region.is_empty() || region.contains('/') {
            return None;
        }
        let known = |s: &str, unknown: &str| (s != unknown).then(|| s.to_string());
        Some(Environment { account: known(account, UNKNOWN_ACCOUNT), region: known(region, UNKNOWN_REGION) })
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "aws://{}/{}",
            self.account.as_deref().unwrap_or(UNKNOWN_ACCOUNT),
            self.region.as_deref().unwrap_or(UNKNOWN_REGION)
        )
    }
}

impl Serialize for Environment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Environment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Environment::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("environment {text:?} is not of the form aws://ACCOUNT/REGION"))
        })
    }
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The CDK cloud-assembly schema version ([`MANIFEST_VERSION`] when
    /// written by stackcraft; empty when the file has none).
    #[serde(default)]
    pub version: String,
    /// Artifacts by id (the stack's construct id, `Tree`).
    pub artifacts: BTreeMap<String, Artifact>,
}

/// One artifact of the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
#[non_exhaustive]
pub enum Artifact {
    /// A CloudFormation stack (`aws:cloudformation:stack`).
    #[serde(rename = "aws:cloudformation:stack")]
    Stack(StackArtifact),
    /// The construct tree (`cdk:tree`).
    #[serde(rename = "cdk:tree")]
    Tree(TreeArtifact),
    /// Any other artifact type (assets, nested assemblies): ignored by deploy.
    #[serde(other)]
    Other,
}

/// A stack artifact of the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackArtifact {
    /// `aws://ACCOUNT/REGION`.
    #[serde(default)]
    pub environment: Environment,
    /// Template file, stack name, protection, tags.
    pub properties: StackProperties,
    /// Artifact ids of the stacks this one depends on (deployed first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// The name shown by `cdk ls`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// The `properties` of a stack artifact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackProperties {
    /// The template file, relative to the assembly directory.
    pub template_file: String,
    /// The deployed stack name (the artifact id when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_name: Option<String>,
    /// Whether the deployed stack gets termination protection.
    #[serde(default)]
    pub termination_protection: bool,
    /// Stack-level tags.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", deserialize_with = "tags")]
    pub tags: BTreeMap<String, String>,
}

/// Tags as `{key: value}` (stackcraft, CDK) or `[{Key, Value}]`; non-string
/// values keep their JSON text.
fn tags<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let text = |v: serde_json::Value| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Object(m) => m.into_iter().map(|(k, v)| (k, text(v))).collect(),
        serde_json::Value::Array(a) => a
            .into_iter()
            .filter_map(|t| {
                let k = t.get("Key")?.as_str()?.to_string();
                Some((k, text(t.get("Value")?.clone())))
            })
            .collect(),
        _ => BTreeMap::new(),
    })
}

/// The construct-tree artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeArtifact {
    /// Where the tree is.
    pub properties: TreeProperties,
}

/// The `properties` of the tree artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeProperties {
    /// The tree file (`tree.json`).
    pub file: String,
}

impl Manifest {
    /// A manifest of [`MANIFEST_VERSION`] with the given artifacts.
    pub fn new(artifacts: BTreeMap<String, Artifact>) -> Self {
        Manifest { version: MANIFEST_VERSION.to_string(), artifacts }
    }

    /// Parse `manifest.json`. Unknown fields and artifact types are ignored
    /// (the CDK writes more than deploy needs).
    pub fn from_json(text: &str) -> Result<Self, ContractError> {
        serde_json::from_str(text)
            .map_err(|e| ContractError::Invalid { file: "manifest.json".into(), message: e.to_string() })
    }

    /// The stack artifacts with their ids, in id order.
    pub fn stacks(&self) -> impl Iterator<Item = (&str, &StackArtifact)> {
        self.artifacts.iter().filter_map(|(id, a)| match a {
            Artifact::Stack(s) => Some((id.as_str(), s)),
            _ => None,
        })
    }
}

/// `stackcraft.json`: what deploy needs beyond the CDK manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// [`SCHEMA_VERSION`] when written; files without one read as `1.0.0`.
    #[serde(default = "legacy_version")]
    pub schema_version: String,
    /// The app name.
    #[serde(default)]
    pub app: String,
    /// The environment synthesized (None for an app without environments).
    #[serde(default)]
    pub environment: Option<String>,
    /// Whether the environment is a production one (destroy needs an
    /// explicit flag).
    #[serde(default)]
    pub production: bool,
    /// The stacks, in synth (dependency) order.
    #[serde(default)]
    pub stacks: Vec<StackMetadata>,
    /// For each resource type used, its create-only properties (changing one
    /// replaces the resource), from the provider schemas the L1 layer is
    /// generated from. Deploy flags a replacement from it when a change set
    /// gives no replacement detail. Optional.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub create_only_properties: BTreeMap<String, Vec<String>>,
}

fn legacy_version() -> String {
    "1.0.0".into()
}

/// One stack of `stackcraft.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackMetadata {
    /// The artifact id.
    pub id: String,
    /// The deployed stack name.
    pub stack_name: String,
    /// The template file.
    pub template_file: String,
    /// Artifact ids of the stacks this one depends on.
    #[serde(default)]
    pub dependencies: Vec<String>,
    /// The account the stack is pinned to (None: the caller's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The region the stack is pinned to (None: the deploy's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// A stack shared by all environments: same template whatever
    /// environment is synthesized, deployed once under its own name, changed
    /// by an environment's deploy only when asked (`--include-shared`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shared: bool,
}

impl Metadata {
    /// Parse `stackcraft.json`, rejecting a schema of another major version.
    pub fn from_json(text: &str) -> Result<Self, ContractError> {
        let m: Metadata = serde_json::from_str(text)
            .map_err(|e| ContractError::Invalid { file: "stackcraft.json".into(), message: e.to_string() })?;
        let major = |v: &str| v.split('.').next().map(str::to_string);
        if major(&m.schema_version) != major(SCHEMA_VERSION) {
            return Err(ContractError::UnsupportedVersion { found: m.schema_version, supported: SCHEMA_VERSION });
        }
        Ok(m)
    }

    /// The metadata of stack `id`.
    pub fn stack(&self, id: &str) -> Option<&StackMetadata> {
        self.stacks.iter().find(|s| s.id == id)
    }
}

/// What [`dependency_order`] and [`select`] need to know about a stack.
pub trait StackNode {
    /// The artifact id.
    fn id(&self) -> &str;
    /// The deployed stack name (selection accepts it too).
    fn stack_name(&self) -> &str;
    /// Artifact ids of the stacks it depends on.
    fn dependencies(&self) -> &[String];
}

impl StackNode for StackMetadata {
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

/// Why stacks cannot be ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OrderError {
    /// A stack depends on a stack that is not in the assembly.
    UnknownDependency {
        /// The dependent stack.
        stack: String,
        /// The missing dependency.
        dependency: String,
    },
    /// The dependencies form a cycle among these stacks.
    Cycle(Vec<String>),
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderError::UnknownDependency { stack, dependency } => {
                write!(f, "stack {stack} depends on {dependency}, which is not in the assembly")
            }
            OrderError::Cycle(ids) => write!(f, "dependency cycle between stacks {}", ids.join(", ")),
        }
    }
}

impl std::error::Error for OrderError {}

/// Order `stacks` so that each comes after its dependencies. Stable: ties
/// keep their input order.
pub fn dependency_order<T: StackNode>(stacks: Vec<T>) -> Result<Vec<T>, OrderError> {
    let ids: BTreeSet<&str> = stacks.iter().map(StackNode::id).collect();
    for s in &stacks {
        if let Some(d) = s.dependencies().iter().find(|d| !ids.contains(d.as_str())) {
            return Err(OrderError::UnknownDependency { stack: s.id().to_string(), dependency: d.clone() });
        }
    }
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut rest = stacks;
    let mut out = Vec::with_capacity(rest.len());
    while !rest.is_empty() {
        let Some(i) = rest.iter().position(|s| s.dependencies().iter().all(|d| done.contains(d))) else {
            return Err(OrderError::Cycle(rest.iter().map(|s| s.id().to_string()).collect()));
        };
        let s = rest.remove(i);
        done.insert(s.id().to_string());
        out.push(s);
    }
    Ok(out)
}

/// `--stack` names that match no stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStacks {
    /// The names given that match nothing.
    pub unknown: Vec<String>,
    /// The artifact ids of the stacks there are.
    pub known: Vec<String>,
}

impl fmt::Display for UnknownStacks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.unknown.iter().map(|n| format!("{n:?}")).collect();
        write!(f, "no stack named {}; the stacks are: {}", names.join(", "), self.known.join(", "))
    }
}

impl std::error::Error for UnknownStacks {}

/// The artifact ids `names` select among `stacks` (each name is an artifact
/// id or a stack name), with, when `with_dependencies`, every stack they
/// depend on (transitively). An empty `names` selects every stack.
pub fn select<T: StackNode>(
    stacks: &[T],
    names: &[String],
    with_dependencies: bool,
) -> Result<BTreeSet<String>, UnknownStacks> {
    if names.is_empty() {
        return Ok(stacks.iter().map(|s| s.id().to_string()).collect());
    }
    let find = |n: &str| stacks.iter().find(|s| s.id() == n || s.stack_name() == n);
    let unknown: Vec<String> = names.iter().filter(|n| find(n).is_none()).cloned().collect();
    if !unknown.is_empty() {
        return Err(UnknownStacks { unknown, known: stacks.iter().map(|s| s.id().to_string()).collect() });
    }
    let mut keep = BTreeSet::new();
    let mut todo: Vec<String> = names.iter().filter_map(|n| find(n)).map(|s| s.id().to_string()).collect();
    while let Some(id) = todo.pop() {
        if keep.insert(id.clone()) && with_dependencies {
            if let Some(s) = find(&id) {
                todo.extend(s.dependencies().iter().cloned());
            }
        }
    }
    Ok(keep)
}

/// FNV-1a, 64 bit: the one stable content hash of the project (logical-ID
/// suffixes in core, template asset keys in deploy). Small, dependency-free
/// and identical across platforms and releases; not a cryptographic hash.
pub fn stable_hash(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    #[test]
    fn stable_hash_is_fnv1a_64() {
        assert_eq!(super::stable_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::stable_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    use super::*;
    use serde_json::json;

    fn node(id: &str, deps: &[&str]) -> StackMetadata {
        StackMetadata {
            id: id.into(),
            stack_name: format!("app-dev-{id}"),
            template_file: format!("{id}.template.json"),
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn environment_round_trips() {
        let e = Environment::new(Some("123456789012".into()), Some("eu-central-1".into()));
        assert_eq!(e.to_string(), "aws://123456789012/eu-central-1");
        assert_eq!(Environment::parse("aws://123456789012/eu-central-1"), Some(e));
        assert_eq!(Environment::unknown().to_string(), "aws://unknown-account/unknown-region");
        assert_eq!(Environment::parse("aws://unknown-account/us-east-1").unwrap().account, None);
        assert_eq!(Environment::parse("aws://x"), None);
        assert_eq!(Environment::parse("gcp://a/b"), None);
    }

    #[test]
    fn manifest_reads_cdk_output_and_ignores_what_it_does_not_know() {
        let m = Manifest::from_json(
            &json!({"version": "55.0.0", "artifacts": {
                "A": {"type": "aws:cloudformation:stack", "environment": "aws://111111111111/us-east-1",
                      "properties": {"templateFile": "A.template.json", "tags": [{"Key": "k", "Value": "v"}],
                                     "assumeRoleArn": "x"},
                      "metadata": {"/A": []}},
                "Assets": {"type": "cdk:asset-manifest", "properties": {"file": "a.json"}},
                "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}}
            }})
            .to_string(),
        )
        .unwrap();
        let stacks: Vec<_> = m.stacks().collect();
        assert_eq!(stacks.len(), 1);
        assert_eq!(stacks[0].1.environment.region.as_deref(), Some("us-east-1"));
        assert_eq!(stacks[0].1.properties.tags["k"], "v");
        assert_eq!(m.artifacts["Assets"], Artifact::Other);
        let err = Manifest::from_json(
            r#"{"version": "1", "artifacts": {"A": {"type": "aws:cloudformation:stack",
            "environment": "nowhere", "properties": {"templateFile": "A"}}}}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("not of the form aws://ACCOUNT/REGION"), "{err}");
    }

    #[test]
    fn manifest_writes_the_cdk_layout() {
        let stack = StackArtifact {
            environment: Environment::unknown(),
            properties: StackProperties {
                template_file: "B.template.json".into(),
                stack_name: Some("app-dev-B".into()),
                termination_protection: false,
                tags: BTreeMap::new(),
            },
            dependencies: vec!["A".into()],
            display_name: Some("B".into()),
        };
        let m = Manifest::new(BTreeMap::from([("B".to_string(), Artifact::Stack(stack))]));
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            json!({"version": MANIFEST_VERSION, "artifacts": {"B": {
                "type": "aws:cloudformation:stack",
                "environment": "aws://unknown-account/unknown-region",
                "properties": {"templateFile": "B.template.json", "stackName": "app-dev-B", "terminationProtection": false},
                "dependencies": ["A"],
                "displayName": "B"
            }}})
        );
        assert_eq!(Manifest::from_json(&serde_json::to_string(&m).unwrap()).unwrap(), m);
    }

    #[test]
    fn metadata_is_versioned_and_new_fields_are_optional() {
        let m = Metadata {
            schema_version: SCHEMA_VERSION.into(),
            app: "shop".into(),
            environment: Some("dev".into()),
            production: false,
            stacks: vec![StackMetadata { region: Some("us-east-1".into()), shared: true, ..node("Edge", &[]) }],
            create_only_properties: BTreeMap::from([(
                "AWS::DynamoDB::Table".to_string(),
                vec!["KeySchema".to_string(), "TableName".to_string()],
            )]),
        };
        let text = serde_json::to_string(&m).unwrap();
        assert!(text.contains(r#""region":"us-east-1""#) && text.contains(r#""shared":true"#), "{text}");
        assert!(
            text.contains(r#""createOnlyProperties":{"AWS::DynamoDB::Table":["KeySchema","TableName"]}"#),
            "{text}"
        );
        assert!(!text.contains("account"), "absent fields are not written: {text}");
        assert_eq!(Metadata::from_json(&text).unwrap(), m);
        // Written before versioning: read as 1.0.0.
        let old =
            Metadata::from_json(r#"{"app": "a", "environment": null, "production": false, "stacks": []}"#).unwrap();
        assert_eq!(old.schema_version, "1.0.0");
        assert!(old.create_only_properties.is_empty());
        // A newer minor is fine, another major is refused.
        assert!(Metadata::from_json(r#"{"schemaVersion": "1.7.0", "app": "a"}"#).is_ok());
        let err = Metadata::from_json(r#"{"schemaVersion": "2.0.0", "app": "a"}"#).unwrap_err();
        assert_eq!(err, ContractError::UnsupportedVersion { found: "2.0.0".into(), supported: SCHEMA_VERSION });
        assert!(err.to_string().contains("schema version 2.0.0"), "{err}");
    }

    #[test]
    fn order_is_stable_and_reports_cycles_and_unknown_dependencies() {
        let ordered = dependency_order(vec![node("C", &["A"]), node("B", &[]), node("A", &["B"])]).unwrap();
        let ids: Vec<_> = ordered.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["B", "A", "C"]);
        let e = dependency_order(vec![node("A", &["B"]), node("B", &["A"])]).unwrap_err();
        assert_eq!(e.to_string(), "dependency cycle between stacks A, B");
        let e = dependency_order(vec![node("A", &["Z"])]).unwrap_err();
        assert_eq!(e.to_string(), "stack A depends on Z, which is not in the assembly");
    }

    #[test]
    fn select_by_id_or_name_with_or_without_dependencies() {
        let stacks = [node("Data", &[]), node("App", &["Data"]), node("Edge", &[])];
        let all = select(&stacks, &[], true).unwrap();
        assert_eq!(all.len(), 3);
        let app = select(&stacks, &["App".into()], true).unwrap();
        assert_eq!(app, BTreeSet::from(["App".to_string(), "Data".to_string()]));
        let only = select(&stacks, &["app-dev-App".into()], false).unwrap();
        assert_eq!(only, BTreeSet::from(["App".to_string()]));
        let e = select(&stacks, &["Nope".into(), "App".into()], true).unwrap_err();
        assert_eq!(e.to_string(), "no stack named \"Nope\"; the stacks are: Data, App, Edge");
    }
}
