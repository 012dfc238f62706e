//! `deploy --hotswap` (dev environments only): when the only differences
//! between a stack's deployed template (`GetTemplate`, stage `Original`) and
//! the new one are the `Image` and/or `Environment` of the container
//! definitions of `AWS::ECS::TaskDefinition` resources, skip CloudFormation:
//! register a new revision of each live task definition with the new image
//! and environment (everything else copied from `DescribeTaskDefinition`:
//! roles, cpu/memory, network mode, secrets, log configuration, tags), point
//! every ECS service of the stack that uses it (`TaskDefinition: {"Ref": ..}`)
//! at the new revision (`UpdateService`) and follow the services' new
//! deployments until they complete or fail ([`crate::ecs::Observer`]: service
//! events, stopped tasks' reasons, circuit breaker).
//!
//! Any other difference (another resource or property, parameters, outputs,
//! conditions, metadata other than the volatile CDK path/asset keys) makes
//! the stack go through a normal change-set deploy, and says which one.
//!
//! Hotswap creates drift: the stack's template still names the old task
//! definition revision. The next deploy without `--hotswap` undoes it: the
//! template it sends still differs from the one CloudFormation holds, so
//! its change set registers a new revision and updates the services, and
//! CloudFormation is in charge again. Hotswapped stacks are recorded in a
//! local file ([`DriftFile`]) so `diff` and `deploy` can say "drift from
//! hotswap"; when the next full deploy finds nothing to change (the code
//! went back to what CloudFormation holds), the record says which service
//! still runs the hotswapped revision and the command that points it back.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::TemplateStage;
use aws_sdk_ecs::types::TaskDefinitionField;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::assembly::StackArtifact;
use crate::aws::{aws_err, is_missing_stack, stack_info};
use crate::deployer::{Deployer, StackResult};
use crate::error::Error;
use crate::model::StackStatus;

/// Resource `Metadata` keys that change without changing the resource (the
/// CDK's construct path and asset markers): ignored by the comparison.
pub const VOLATILE_METADATA: &[&str] = &[
    "aws:cdk:path",
    "aws:asset:path",
    "aws:asset:property",
    "aws:asset:is-bundled",
    "aws:asset:dockerfile-path",
    "aws:asset:docker-build-args",
    "aws:asset:docker-build-target",
];

/// One environment variable change of a container.
#[derive(Debug, Clone, PartialEq)]
pub enum EnvChange {
    /// Set (add or change) `name` to the template value `value`.
    Set {
        /// Variable name.
        name: String,
        /// Its template value (a string or an intrinsic function).
        value: Json,
    },
    /// Remove `name`.
    Remove {
        /// Variable name.
        name: String,
    },
}

/// What changes in one container definition.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerChange {
    /// The container's `Name`.
    pub container: String,
    /// The new `Image` (template value), when it changes.
    pub image: Option<Json>,
    /// The environment variables that change.
    pub environment: Vec<EnvChange>,
}

/// A task definition whose containers' image/environment change, and the
/// services of the stack that use it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDefinitionChange {
    /// The task definition's logical id.
    pub logical_id: String,
    /// Its containers' changes.
    pub containers: Vec<ContainerChange>,
    /// Logical ids of the `AWS::ECS::Service` resources whose
    /// `TaskDefinition` is `{"Ref": logical_id}`.
    pub services: Vec<String>,
}

/// The verdict of comparing a deployed template with a new one.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// The templates are the same (up to volatile metadata).
    Unchanged,
    /// Only task definitions' container images/environments differ.
    Hotswap(Vec<TaskDefinitionChange>),
    /// Something else differs: why (which resource or property).
    Fallback(String),
}

const TASK_DEFINITION: &str = "AWS::ECS::TaskDefinition";

fn strip_volatile(resource: &Json) -> Json {
    let mut r = resource.clone();
    if let Some(obj) = r.as_object_mut() {
        let empty = match obj.get_mut("Metadata").and_then(Json::as_object_mut) {
            Some(m) => {
                m.retain(|k, _| !VOLATILE_METADATA.contains(&k.as_str()));
                m.is_empty()
            }
            None => false,
        };
        if empty {
            obj.remove("Metadata");
        }
    }
    r
}

/// The keys whose values differ between two objects (either side missing
/// counts), sorted.
fn differing_keys(a: &Map<String, Json>, b: &Map<String, Json>) -> Vec<String> {
    let mut keys: Vec<String> = a.keys().chain(b.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    keys.retain(|k| a.get(k) != b.get(k));
    keys
}

fn object(v: Option<&Json>) -> Map<String, Json> {
    v.and_then(Json::as_object).cloned().unwrap_or_default()
}

/// Compare `deployed` with `new` (both whole templates).
pub fn plan(deployed: &Json, new: &Json) -> Plan {
    let (old_t, new_t) = (object(Some(deployed)), object(Some(new)));
    for k in differing_keys(&old_t, &new_t) {
        if k != "Resources" {
            return Plan::Fallback(format!("the template's {k} section changed"));
        }
    }
    let (old_r, new_r) = (object(old_t.get("Resources")), object(new_t.get("Resources")));
    if let Some(added) = new_r.keys().find(|k| !old_r.contains_key(*k)) {
        return Plan::Fallback(format!("resource {added} is added"));
    }
    if let Some(removed) = old_r.keys().find(|k| !new_r.contains_key(*k)) {
        return Plan::Fallback(format!("resource {removed} is removed"));
    }
    let mut changes = Vec::new();
    for (id, new_res) in &new_r {
        let Some(old_res) = old_r.get(id) else { continue };
        let (old_res, new_res) = (strip_volatile(old_res), strip_volatile(new_res));
        if old_res == new_res {
            continue;
        }
        let ty = new_res.get("Type").and_then(Json::as_str).unwrap_or("?").to_string();
        let (old_o, new_o) = (object(Some(&old_res)), object(Some(&new_res)));
        if old_o.get("Type") != new_o.get("Type") || ty != TASK_DEFINITION {
            return Plan::Fallback(describe_difference(id, &ty, &old_o, &new_o));
        }
        match task_definition_change(id, &old_o, &new_o) {
            Ok(c) => changes.push(c),
            Err(reason) => return Plan::Fallback(reason),
        }
    }
    if changes.is_empty() {
        return Plan::Unchanged;
    }
    for c in &mut changes {
        c.services = services_using(&new_r, &c.logical_id);
        if c.services.is_empty() {
            return Plan::Fallback(format!(
                "{} ({TASK_DEFINITION}) changes but no AWS::ECS::Service of the stack uses it by Ref",
                c.logical_id
            ));
        }
    }
    Plan::Hotswap(changes)
}

fn describe_difference(id: &str, ty: &str, old: &Map<String, Json>, new: &Map<String, Json>) -> String {
    if old.get("Type") != new.get("Type") {
        return format!("resource {id} changes type to {ty}");
    }
    let attrs = differing_keys(old, new);
    if attrs.iter().any(|a| a == "Properties") {
        let props = differing_keys(&object(old.get("Properties")), &object(new.get("Properties")));
        return format!("{id} ({ty}): property {} changed", props.join(", "));
    }
    format!("{id} ({ty}): {} changed", attrs.join(", "))
}

fn task_definition_change(
    id: &str,
    old: &Map<String, Json>,
    new: &Map<String, Json>,
) -> Result<TaskDefinitionChange, String> {
    let attrs = differing_keys(old, new);
    if attrs.iter().any(|a| a != "Properties") {
        return Err(describe_difference(id, TASK_DEFINITION, old, new));
    }
    let (old_p, new_p) = (object(old.get("Properties")), object(new.get("Properties")));
    let mut props = differing_keys(&old_p, &new_p);
    props.retain(|p| p != "ContainerDefinitions");
    if !props.is_empty() {
        // Only what cannot be hotswapped is named.
        return Err(format!("{id} ({TASK_DEFINITION}): property {} changed", props.join(", ")));
    }
    let empty = Vec::new();
    let old_c = old_p.get("ContainerDefinitions").and_then(Json::as_array).unwrap_or(&empty);
    let new_c = new_p.get("ContainerDefinitions").and_then(Json::as_array).unwrap_or(&empty);
    if old_c.len() != new_c.len() {
        return Err(format!("{id} ({TASK_DEFINITION}): the number of container definitions changed"));
    }
    let mut containers = Vec::new();
    for (o, n) in old_c.iter().zip(new_c) {
        let (o, n) = (object(Some(o)), object(Some(n)));
        let name = n.get("Name").and_then(Json::as_str).unwrap_or_default().to_string();
        let keys = differing_keys(&o, &n);
        if let Some(k) = keys.iter().find(|k| *k != "Image" && *k != "Environment") {
            return Err(format!(
                "{id} ({TASK_DEFINITION}): container definition {}'s {k} changed (only Image and Environment can be \
                 hotswapped)",
                if name.is_empty() { "?".to_string() } else { name }
            ));
        }
        if name.is_empty() {
            return Err(format!("{id} ({TASK_DEFINITION}): a changed container definition has no literal Name"));
        }
        let image = keys.iter().any(|k| k == "Image").then(|| n.get("Image").cloned().unwrap_or(Json::Null));
        if image.as_ref().is_some_and(Json::is_null) {
            return Err(format!("{id} ({TASK_DEFINITION}): container definition {name}'s Image is removed"));
        }
        let environment = if keys.iter().any(|k| k == "Environment") {
            environment_changes(id, &name, o.get("Environment"), n.get("Environment"))?
        } else {
            Vec::new()
        };
        containers.push(ContainerChange { container: name, image, environment });
    }
    Ok(TaskDefinitionChange { logical_id: id.to_string(), containers, services: Vec::new() })
}

fn env_map(id: &str, container: &str, env: Option<&Json>) -> Result<BTreeMap<String, Json>, String> {
    let mut out = BTreeMap::new();
    let Some(env) = env else { return Ok(out) };
    let bad = || {
        format!("{id} ({TASK_DEFINITION}): container definition {container}'s Environment is not a list of Name/Value")
    };
    for e in env.as_array().ok_or_else(bad)? {
        let name = e.get("Name").and_then(Json::as_str).ok_or_else(bad)?;
        out.insert(name.to_string(), e.get("Value").cloned().unwrap_or(Json::Null));
    }
    Ok(out)
}

fn environment_changes(
    id: &str,
    container: &str,
    old: Option<&Json>,
    new: Option<&Json>,
) -> Result<Vec<EnvChange>, String> {
    let (old, new) = (env_map(id, container, old)?, env_map(id, container, new)?);
    let mut changes: Vec<EnvChange> = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, v)| EnvChange::Set { name: k.clone(), value: v.clone() })
        .collect();
    changes.extend(old.keys().filter(|k| !new.contains_key(*k)).map(|k| EnvChange::Remove { name: k.clone() }));
    Ok(changes)
}

fn services_using(resources: &Map<String, Json>, task_definition: &str) -> Vec<String> {
    resources
        .iter()
        .filter(|(_, r)| r.get("Type").and_then(Json::as_str) == Some("AWS::ECS::Service"))
        .filter(|(_, r)| {
            r.pointer("/Properties/TaskDefinition").and_then(|t| t.get("Ref")).and_then(Json::as_str)
                == Some(task_definition)
        })
        .map(|(id, _)| id.clone())
        .collect()
}

/// What intrinsic functions in a new image or environment value can refer to.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Account id (`AWS::AccountId`).
    pub account: String,
    /// Region (`AWS::Region`).
    pub region: String,
    /// Stack name (`AWS::StackName`).
    pub stack_name: String,
    /// The stack's resources: logical id → (type, physical id).
    pub resources: BTreeMap<String, (String, String)>,
}

impl Context {
    fn partition(&self) -> &'static str {
        if self.region.starts_with("cn-") {
            "aws-cn"
        } else if self.region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        }
    }

    fn url_suffix(&self) -> &'static str {
        if self.region.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        }
    }

    fn reference(&self, name: &str) -> Result<String, String> {
        Ok(match name {
            "AWS::AccountId" => self.account.clone(),
            "AWS::Region" => self.region.clone(),
            "AWS::Partition" => self.partition().to_string(),
            "AWS::URLSuffix" => self.url_suffix().to_string(),
            "AWS::StackName" => self.stack_name.clone(),
            other => match self.resources.get(other) {
                Some((_, physical)) => physical.clone(),
                None => return Err(format!("Ref {other} (not a resource of the stack or a known pseudo parameter)")),
            },
        })
    }

    fn attribute(&self, logical: &str, attr: &str) -> Result<String, String> {
        let unsupported = || format!("Fn::GetAtt {logical}.{attr} (hotswap cannot evaluate it)");
        let (ty, physical) = self.resources.get(logical).ok_or_else(unsupported)?;
        match (ty.as_str(), attr) {
            ("AWS::ECR::Repository", "RepositoryUri") => {
                Ok(format!("{}.dkr.ecr.{}.{}/{physical}", self.account, self.region, self.url_suffix()))
            }
            ("AWS::ECR::Repository", "Arn") => {
                Ok(format!("arn:{}:ecr:{}:{}:repository/{physical}", self.partition(), self.region, self.account))
            }
            _ => Err(unsupported()),
        }
    }

    /// The value of `v` (a string or `Ref`, `Fn::Join`, `Fn::Sub`,
    /// `Fn::GetAtt` of an ECR repository's `RepositoryUri`/`Arn`), or what
    /// cannot be evaluated.
    pub fn evaluate(&self, v: &Json) -> Result<String, String> {
        match v {
            Json::String(s) => Ok(s.clone()),
            Json::Number(n) => Ok(n.to_string()),
            Json::Bool(b) => Ok(b.to_string()),
            Json::Object(o) if o.len() == 1 => {
                let (f, arg) = o.iter().next().ok_or("an empty object")?;
                match (f.as_str(), arg) {
                    ("Ref", Json::String(name)) => self.reference(name),
                    ("Fn::GetAtt", Json::Array(a)) => match a.as_slice() {
                        [Json::String(l), Json::String(attr)] => self.attribute(l, attr),
                        _ => Err("Fn::GetAtt with computed arguments".into()),
                    },
                    ("Fn::GetAtt", Json::String(s)) => match s.split_once('.') {
                        Some((l, attr)) => self.attribute(l, attr),
                        None => Err(format!("Fn::GetAtt {s}")),
                    },
                    ("Fn::Join", Json::Array(a)) => match a.as_slice() {
                        [Json::String(sep), Json::Array(parts)] => {
                            let parts: Result<Vec<String>, String> = parts.iter().map(|p| self.evaluate(p)).collect();
                            Ok(parts?.join(sep))
                        }
                        _ => Err("Fn::Join with computed arguments".into()),
                    },
                    ("Fn::Sub", Json::String(s)) => self.substitute(s, &Map::new()),
                    ("Fn::Sub", Json::Array(a)) => match a.as_slice() {
                        [Json::String(s), Json::Object(vars)] => self.substitute(s, vars),
                        _ => Err("Fn::Sub with computed arguments".into()),
                    },
                    (other, _) => Err(format!("{other} (hotswap cannot evaluate it)")),
                }
            }
            other => Err(format!("the value {other}")),
        }
    }

    fn substitute(&self, s: &str, vars: &Map<String, Json>) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = s;
        while let Some((before, after)) = rest.split_once("${") {
            out.push_str(before);
            if let Some(literal) = after.strip_prefix('!') {
                out.push_str("${");
                rest = literal;
                continue;
            }
            let (name, tail) = after.split_once('}').ok_or_else(|| format!("Fn::Sub {s:?} (an unclosed ${{)"))?;
            let value = match vars.get(name) {
                Some(v) => self.evaluate(v)?,
                None => match name.split_once('.') {
                    Some((l, attr)) => self.attribute(l, attr)?,
                    None => self.reference(name)?,
                },
            };
            out.push_str(&value);
            rest = tail;
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// A task definition change with every value evaluated and the physical
/// ids found: what [`crate::Deployer::hotswap`] applies.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The task definition's logical id.
    pub logical_id: String,
    /// The live task definition (its physical id: the revision's ARN).
    pub task_definition_arn: String,
    /// Container name → new image, when it changes.
    pub images: BTreeMap<String, String>,
    /// Container name → (variable → `Some(new value)` or `None` to remove).
    pub environment: BTreeMap<String, BTreeMap<String, Option<String>>>,
    /// The services to update.
    pub services: Vec<crate::ecs::ServiceRef>,
}

/// Evaluate `change`'s values in `ctx` and find its physical ids; `Err` says
/// why the stack must go through a change set instead.
pub fn resolve(change: &TaskDefinitionChange, ctx: &Context) -> Result<Resolved, String> {
    let id = &change.logical_id;
    let task_definition_arn = match ctx.resources.get(id) {
        Some((_, p)) if !p.is_empty() => p.clone(),
        _ => return Err(format!("{id} ({TASK_DEFINITION}) has no physical id in the deployed stack")),
    };
    let mut images = BTreeMap::new();
    let mut environment: BTreeMap<String, BTreeMap<String, Option<String>>> = BTreeMap::new();
    for c in &change.containers {
        let name = &c.container;
        if let Some(image) = &c.image {
            let v = ctx
                .evaluate(image)
                .map_err(|e| format!("{id} ({TASK_DEFINITION}): container {name}'s new Image uses {e}"))?;
            images.insert(name.clone(), v);
        }
        for e in &c.environment {
            let (var, value) = match e {
                EnvChange::Set { name: var, value } => {
                    let v = ctx.evaluate(value).map_err(|err| {
                        format!("{id} ({TASK_DEFINITION}): container {name}'s environment variable {var} uses {err}")
                    })?;
                    (var, Some(v))
                }
                EnvChange::Remove { name: var } => (var, None),
            };
            environment.entry(name.clone()).or_default().insert(var.clone(), value);
        }
    }
    let mut services = Vec::new();
    for s in &change.services {
        let physical = ctx.resources.get(s).map(|(_, p)| p.as_str()).unwrap_or_default();
        let svc = crate::ecs::ServiceRef::from_physical_id(s, physical)
            .ok_or_else(|| format!("service {s}'s physical id {physical:?} is not a service ARN (cluster unknown)"))?;
        services.push(svc);
    }
    Ok(Resolved { logical_id: id.clone(), task_definition_arn, images, environment, services })
}

/// The new container definitions: `live` with `r`'s images and environment
/// changes for its containers; everything else kept.
pub fn patch_containers(
    live: &[aws_sdk_ecs::types::ContainerDefinition],
    r: &Resolved,
) -> Result<Vec<aws_sdk_ecs::types::ContainerDefinition>, String> {
    use aws_sdk_ecs::types::KeyValuePair;
    for name in r.images.keys().chain(r.environment.keys()) {
        if !live.iter().any(|c| c.name() == Some(name.as_str())) {
            return Err(format!(
                "the live task definition {} has no container {name} (changed outside CloudFormation?)",
                r.task_definition_arn
            ));
        }
    }
    Ok(live
        .iter()
        .map(|c| {
            let name = c.name().unwrap_or_default();
            let mut patched = c.clone();
            if let Some(image) = r.images.get(name) {
                patched.image = Some(image.clone());
            }
            if let Some(changes) = r.environment.get(name) {
                // The live order kept: changed values in place, removed ones
                // dropped, new ones appended.
                let mut env: Vec<KeyValuePair> = c
                    .environment()
                    .iter()
                    .filter_map(|kv| match kv.name().and_then(|n| changes.get(n)) {
                        None => Some(kv.clone()),
                        Some(None) => None,
                        Some(Some(v)) => Some(KeyValuePair::builder().set_name(kv.name.clone()).value(v).build()),
                    })
                    .collect();
                for (var, value) in changes {
                    let live = c.environment().iter().any(|kv| kv.name() == Some(var.as_str()));
                    if let (false, Some(v)) = (live, value) {
                        env.push(KeyValuePair::builder().name(var).value(v).build());
                    }
                }
                patched.environment = Some(env);
            }
            patched
        })
        .collect())
}

/// One hotswapped task definition, as recorded in the drift file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Swapped {
    /// The task definition's logical id.
    pub logical_id: String,
    /// The revision the stack's template names (CloudFormation's).
    pub template_revision: String,
    /// The revision hotswap registered and the services run.
    pub running_revision: String,
    /// The services updated, as `cluster/service ARN`.
    pub services: Vec<(String, String)>,
}

/// The local record of hotswapped stacks (`hotswap-drift.json`), by stack
/// name. Written as soon as a hotswap's UpdateService calls succeeded
/// (whether or not the services' deployments then complete, are
/// interrupted or fail: the services run a revision CloudFormation does not
/// know either way); an entry is removed when a full deploy of the stack
/// puts CloudFormation back in charge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftFile {
    /// Stack name → its hotswapped task definitions.
    pub stacks: BTreeMap<String, Vec<Swapped>>,
}

/// The name of the drift record file.
pub const DRIFT_FILE: &str = "hotswap-drift.json";

impl DriftFile {
    /// The record at `path` (empty when absent or unreadable).
    pub fn load(path: &Path) -> DriftFile {
        std::fs::read_to_string(path).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
    }

    /// Write the record to `path` (removing the file when it is empty).
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        if self.stacks.is_empty() {
            match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::Io(format!("cannot remove {}: {e}", path.display()))),
            }
            return Ok(());
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string_pretty(self).map_err(|e| Error::Io(e.to_string()))?;
        std::fs::write(path, text + "\n").map_err(|e| Error::Io(format!("cannot write {}: {e}", path.display())))
    }

    /// Add `swapped` to `stack`'s record: entries of the same task
    /// definitions are replaced (their running revision is the new one),
    /// others kept.
    pub fn merge(&mut self, stack: &str, swapped: &[Swapped]) {
        let entry = self.stacks.entry(stack.to_string()).or_default();
        entry.retain(|old| !swapped.iter().any(|s| s.logical_id == old.logical_id));
        entry.extend(swapped.iter().cloned());
        entry.sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
    }

    /// The line a deploy that found nothing to change prints for drift that
    /// remains: the services run the hotswapped revision, and how to put
    /// them back on the template's.
    pub fn remains(stack: &str, swapped: &[Swapped]) -> String {
        let back: Vec<String> = swapped
            .iter()
            .flat_map(|s| {
                s.services.iter().map(|(cluster, service)| {
                    format!(
                        "`aws ecs update-service --cluster {cluster} --service {service} --task-definition {}`",
                        s.template_revision
                    )
                })
            })
            .collect();
        format!(
            "{stack}: drift from hotswap remains: CloudFormation's template already is the one deployed, so it has \
             nothing to update, while the services run the hotswapped revision. Point them back with {}",
            back.join(", ")
        )
    }

    /// The line `diff`/`deploy` print for a stack with hotswap drift.
    pub fn describe(&self, stack: &str) -> Option<String> {
        let swapped = self.stacks.get(stack)?;
        let what: Vec<String> = swapped
            .iter()
            .map(|s| {
                format!("{} runs {} (the template names {})", s.logical_id, s.running_revision, s.template_revision)
            })
            .collect();
        Some(format!("{stack}: drift from hotswap: {}", what.join("; ")))
    }
}

/// A stack's `--hotswap` verdict, with every value evaluated.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StackPlan {
    /// The deployed template is the new one: a normal deploy (which says "no
    /// changes" and checks termination protection).
    Unchanged,
    /// Not hotswappable: why (which resource or property); a change set then.
    Fallback(String),
    /// Hotswap these task definitions.
    Swap(Vec<Resolved>),
}

/// What `--hotswap` did to the stacks of a run.
#[derive(Debug)]
pub struct HotswapRun {
    /// The hotswapped stacks and their results (in the order of the stacks).
    pub results: Vec<(StackArtifact, Result<StackResult, Error>)>,
    /// The stacks that go through the normal change-set deploy.
    pub change_set: Vec<StackArtifact>,
}

/// Said once per run before the first hotswap.
pub const DRIFT_NOTICE: &str = "hotswap creates drift: the stacks' templates in CloudFormation still name the \
    old task definition revisions while the services run new ones. The next deploy without --hotswap undoes it: \
    CloudFormation still holds the old template, so that deploy's change set registers a new revision and updates \
    the services, and CloudFormation is in charge again";

fn stable_for_hotswap(status: &StackStatus) -> bool {
    matches!(
        status,
        StackStatus::CreateComplete
            | StackStatus::UpdateComplete
            | StackStatus::UpdateRollbackComplete
            | StackStatus::ImportComplete
    )
}

/// One line per swap: what changes, environment values not shown.
pub fn describe_swap(stack: &str, r: &Resolved) -> String {
    let mut parts = Vec::new();
    for (c, image) in &r.images {
        parts.push(format!("container {c} image {image}"));
    }
    for (c, vars) in &r.environment {
        let set: Vec<&str> = vars.iter().filter(|(_, v)| v.is_some()).map(|(k, _)| k.as_str()).collect();
        let removed: Vec<&str> = vars.iter().filter(|(_, v)| v.is_none()).map(|(k, _)| k.as_str()).collect();
        if !set.is_empty() {
            parts.push(format!("container {c} environment {} set", set.join(", ")));
        }
        if !removed.is_empty() {
            parts.push(format!("container {c} environment {} removed", removed.join(", ")));
        }
    }
    let services: Vec<&str> = r.services.iter().map(|s| s.logical_id.as_str()).collect();
    format!(
        "{stack}: hotswap {} ({}): {}; then UpdateService {}",
        r.logical_id,
        r.task_definition_arn,
        parts.join("; "),
        services.join(", ")
    )
}

fn nonempty<T: Clone>(v: &[T]) -> Option<Vec<T>> {
    (!v.is_empty()).then(|| v.to_vec())
}

impl Deployer {
    /// Whether `art` can be hotswapped: compares the deployed template
    /// (`GetTemplate`, `Original`) with the new one and resolves the new
    /// values against the stack's resources. Reads only.
    pub async fn hotswap_plan(&self, art: &StackArtifact) -> Result<StackPlan, Error> {
        let name = &art.stack_name;
        let stack = match self.cfn().describe_stacks().stack_name(name).send().await {
            Ok(out) => out.stacks().first().cloned(),
            Err(e) if is_missing_stack(&e) => None,
            Err(e) => return Err(aws_err("DescribeStacks", name, e)),
        };
        let Some(stack) = stack else {
            return Ok(StackPlan::Fallback("the stack does not exist yet".into()));
        };
        let info = stack_info(&stack);
        let tags: BTreeMap<String, String> =
            stack.tags().iter().filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string()))).collect();
        if tags != art.tags {
            return Ok(StackPlan::Fallback("the stack's tags change".into()));
        }
        if !stable_for_hotswap(&info.status) {
            return Ok(StackPlan::Fallback(format!("the stack is {}", info.status)));
        }
        if art.termination_protection && !info.termination_protection {
            return Ok(StackPlan::Fallback("termination protection is to be turned on".into()));
        }
        let out = self
            .cfn()
            .get_template()
            .stack_name(name)
            .template_stage(TemplateStage::Original)
            .send()
            .await
            .map_err(|e| aws_err("GetTemplate", name, e))?;
        let Ok(deployed) = serde_json::from_str::<Json>(out.template_body().unwrap_or_default()) else {
            return Ok(StackPlan::Fallback("the deployed template is not JSON".into()));
        };
        let new: Json = serde_json::from_str(&art.template_body)
            .map_err(|e| Error::Assembly(format!("{}: not JSON: {e}", art.template_file)))?;
        let changes = match plan(&deployed, &new) {
            Plan::Unchanged => return Ok(StackPlan::Unchanged),
            Plan::Fallback(reason) => return Ok(StackPlan::Fallback(reason)),
            Plan::Hotswap(changes) => changes,
        };
        let ctx = Context {
            account: self.caller_account().await?,
            region: self.region().to_string(),
            stack_name: name.clone(),
            resources: self.stack_resources(name).await?,
        };
        let resolved: Result<Vec<Resolved>, String> = changes.iter().map(|c| resolve(c, &ctx)).collect();
        let resolved = match resolved {
            Ok(r) => r,
            Err(reason) => return Ok(StackPlan::Fallback(reason)),
        };
        Ok(match self.unfollowable_service(name, &resolved).await? {
            Some(reason) => StackPlan::Fallback(reason),
            None => StackPlan::Swap(resolved),
        })
    }

    /// Why one of the services `swaps` update cannot be hotswapped, if one
    /// cannot: it is gone from ECS, or its deployments are run by another
    /// deployment controller (`CODE_DEPLOY`, `EXTERNAL`), whose deployments
    /// have no `rolloutState` to follow (the wait would only end at its
    /// bound). Reads only (`DescribeServices`).
    async fn unfollowable_service(&self, stack: &str, swaps: &[Resolved]) -> Result<Option<String>, Error> {
        use aws_sdk_ecs::types::DeploymentControllerType;
        let ecs = self
            .ecs
            .as_ref()
            .ok_or_else(|| Error::Usage("--hotswap needs an ECS client (no AWS configuration was loaded)".into()))?;
        for svc in swaps.iter().flat_map(|r| r.services.iter()) {
            let out = ecs
                .describe_services()
                .cluster(&svc.cluster)
                .services(&svc.service)
                .send()
                .await
                .map_err(|e| aws_err("DescribeServices", stack, e))?;
            let Some(live) = out.services().first() else {
                return Ok(Some(format!(
                    "service {} ({}) was not found in ECS cluster {}",
                    svc.logical_id, svc.service, svc.cluster
                )));
            };
            let controller = live.deployment_controller().map(|c| c.r#type());
            if let Some(t) = controller.filter(|t| **t != DeploymentControllerType::Ecs) {
                return Ok(Some(format!(
                    "service {} uses the {} deployment controller: its deployments have no rolloutState for \
                     hotswap to follow (only the ECS controller's do)",
                    svc.logical_id,
                    t.as_str()
                )));
            }
        }
        Ok(None)
    }

    /// Record `swapped` as `stack`'s hotswap drift in the drift record file
    /// (entries of other task definitions of the stack kept). `Ok(false)`
    /// when this deployer has no drift file.
    fn record_drift_now(&self, stack: &str, swapped: &[Swapped]) -> Result<bool, String> {
        let Some(path) = &self.drift_file else { return Ok(false) };
        let mut f = DriftFile::load(path);
        f.merge(stack, swapped);
        f.save(path).map(|()| true).map_err(|e| e.to_string())
    }

    /// Which of `swapped` (a stack's drift record) still holds after a
    /// deploy: the task definitions whose physical id in the stack is still
    /// the revision the record names (CloudFormation did not register a new
    /// one, so the services still run the hotswapped revision).
    pub async fn drift_remaining(&self, stack: &str, swapped: &[Swapped]) -> Result<Vec<Swapped>, Error> {
        let resources = self.stack_resources(stack).await?;
        Ok(swapped
            .iter()
            .filter(|s| resources.get(&s.logical_id).is_some_and(|(_, p)| *p == s.template_revision))
            .cloned()
            .collect())
    }

    /// The stack's resources: logical id → (type, physical id).
    async fn stack_resources(&self, stack: &str) -> Result<BTreeMap<String, (String, String)>, Error> {
        let mut found = BTreeMap::new();
        let mut token = None;
        loop {
            let out = self
                .cfn()
                .list_stack_resources()
                .stack_name(stack)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| aws_err("ListStackResources", stack, e))?;
            for r in out.stack_resource_summaries() {
                if let Some(l) = r.logical_resource_id() {
                    found.insert(
                        l.to_string(),
                        (
                            r.resource_type().unwrap_or_default().to_string(),
                            r.physical_resource_id().unwrap_or_default().to_string(),
                        ),
                    );
                }
            }
            match out.next_token() {
                Some(t) => token = Some(t.to_string()),
                None => return Ok(found),
            }
        }
    }

    fn hotswap_next_step(&self, swapped: &[Swapped], note: &str) -> String {
        let back: Vec<String> = swapped
            .iter()
            .flat_map(|s| {
                s.services.iter().map(|(cluster, service)| {
                    format!(
                        "`aws ecs update-service --cluster {cluster} --service {service} --task-definition {}`",
                        s.template_revision
                    )
                })
            })
            .collect();
        format!(
            "The services run the hotswapped revision ({note}). Fix the image or environment and rerun `{} \
             --hotswap`, or put the service back on the revision CloudFormation holds: {}",
            self.deploy_command,
            back.join(", ")
        )
    }

    /// Apply `swaps` to `art`'s live task definitions and services, then
    /// wait until the services' new deployments complete (or fail).
    pub async fn hotswap(&self, art: &StackArtifact, swaps: &[Resolved]) -> Result<StackResult, Error> {
        let name = &art.stack_name;
        let ecs = self
            .ecs
            .as_ref()
            .ok_or_else(|| Error::Usage("--hotswap needs an ECS client (no AWS configuration was loaded)".into()))?;
        let start = Instant::now();
        let mut swapped: Vec<Swapped> = Vec::new();
        // What the drift record says, once an UpdateService call succeeded.
        let mut note = String::new();
        for r in swaps {
            if self.interrupt.is_raised() {
                return Err(self.hotswap_interrupted(name, &swapped, &note));
            }
            let live = ecs
                .describe_task_definition()
                .task_definition(&r.task_definition_arn)
                .include(TaskDefinitionField::Tags)
                .send()
                .await
                .map_err(|e| aws_err("DescribeTaskDefinition", name, e))?;
            let Some(td) = live.task_definition() else {
                return Err(Error::HotswapFailed {
                    stack: name.clone(),
                    reason: format!("DescribeTaskDefinition returned no task definition {}", r.task_definition_arn),
                    next_step: format!("Deploy without --hotswap: `{}`", self.deploy_command),
                });
            };
            let containers =
                patch_containers(td.container_definitions(), r).map_err(|reason| Error::HotswapFailed {
                    stack: name.clone(),
                    reason,
                    next_step: format!("Deploy without --hotswap: `{}`", self.deploy_command),
                })?;
            let out = ecs
                .register_task_definition()
                .set_family(td.family().map(str::to_string))
                .set_task_role_arn(td.task_role_arn().map(str::to_string))
                .set_execution_role_arn(td.execution_role_arn().map(str::to_string))
                .set_network_mode(td.network_mode().cloned())
                .set_container_definitions(Some(containers))
                .set_volumes(nonempty(td.volumes()))
                .set_placement_constraints(nonempty(td.placement_constraints()))
                .set_requires_compatibilities(nonempty(td.requires_compatibilities()))
                .set_cpu(td.cpu().map(str::to_string))
                .set_memory(td.memory().map(str::to_string))
                .set_tags(nonempty(live.tags()))
                .set_pid_mode(td.pid_mode().cloned())
                .set_ipc_mode(td.ipc_mode().cloned())
                .set_proxy_configuration(td.proxy_configuration().cloned())
                .set_ephemeral_storage(td.ephemeral_storage().cloned())
                .set_runtime_platform(td.runtime_platform().cloned())
                .set_enable_fault_injection(td.enable_fault_injection())
                .send()
                .await
                .map_err(|e| aws_err("RegisterTaskDefinition", name, e))?;
            let new_arn = out.task_definition().and_then(|t| t.task_definition_arn()).unwrap_or_default().to_string();
            self.ui.line(&format!("{name}: {}: registered {new_arn}", r.logical_id));
            let mut entry = Swapped {
                logical_id: r.logical_id.clone(),
                template_revision: r.task_definition_arn.clone(),
                running_revision: new_arn.clone(),
                services: Vec::new(),
            };
            for svc in &r.services {
                let updated = ecs
                    .update_service()
                    .cluster(&svc.cluster)
                    .service(&svc.service)
                    .task_definition(&new_arn)
                    .send()
                    .await;
                if let Err(e) = updated {
                    let e = aws_err("UpdateService", name, e);
                    let done: Vec<Swapped> =
                        swapped.iter().cloned().chain((!entry.services.is_empty()).then(|| entry.clone())).collect();
                    if done.is_empty() {
                        return Err(e);
                    }
                    let why = match &e {
                        Error::Aws { message, .. } => message.clone(),
                        other => other.to_string(),
                    };
                    return Err(Error::HotswapFailed {
                        stack: name.clone(),
                        reason: format!(
                            "UpdateService of {} failed after other services were updated: {why}",
                            svc.logical_id
                        ),
                        next_step: self.hotswap_next_step(&done, &note),
                    });
                }
                entry.services.push((svc.cluster.clone(), svc.service.clone()));
                // The service now runs a revision CloudFormation does not
                // know: drift, recorded at once (before any wait).
                let mut now = swapped.clone();
                now.push(entry.clone());
                note = match self.record_drift_now(name, &now) {
                    Ok(true) => "drift recorded: the next full deploy undoes it".to_string(),
                    Ok(false) => "drift: the next full deploy undoes it".to_string(),
                    Err(e) => {
                        self.ui.line(&format!("{name}: warning: the hotswap drift could not be recorded: {e}"));
                        format!("drift NOT recorded ({e}): the next full deploy undoes it")
                    }
                };
                self.ui.line(&format!("{name}: {}: now deploying {new_arn}", svc.logical_id));
            }
            swapped.push(entry);
        }
        let services: Vec<crate::ecs::ServiceRef> = swaps.iter().flat_map(|r| r.services.iter().cloned()).collect();
        self.wait_for_services(name, ecs, &services, &swapped, &note).await?;
        let elapsed = start.elapsed();
        self.ui
            .line(&format!("{name}: hotswapped in {:.1}s (drift until the next full deploy)", elapsed.as_secs_f64()));
        let outputs = self.describe(name).await?.map(|i| i.outputs).unwrap_or_default();
        Ok(StackResult::Hotswapped { swapped, outputs, elapsed })
    }

    fn hotswap_interrupted(&self, stack: &str, swapped: &[Swapped], note: &str) -> Error {
        if swapped.is_empty() {
            return Error::Interrupted {
                stack: stack.to_string(),
                hint: format!("nothing was hotswapped; rerun `{} --hotswap`", self.deploy_command),
            };
        }
        let follow: Vec<String> = swapped
            .iter()
            .flat_map(|s| {
                s.services.iter().map(|(cluster, service)| {
                    format!("`aws ecs describe-services --cluster {cluster} --services {service}`")
                })
            })
            .collect();
        Error::Interrupted {
            stack: stack.to_string(),
            hint: format!(
                "the services' ECS deployments of the hotswapped revision go on without CloudFormation ({note}); \
                 follow them with {}; rerun `{} --hotswap` to swap and follow again, or `{}` to hand the services \
                 back to CloudFormation",
                follow.join(", "),
                self.deploy_command,
                self.deploy_command
            ),
        }
    }

    /// Follow `services` until their new deployments complete; a failing
    /// one (circuit breaker, failed tasks), the wait bound or Ctrl-C end it.
    async fn wait_for_services(
        &self,
        stack: &str,
        ecs: &aws_sdk_ecs::Client,
        services: &[crate::ecs::ServiceRef],
        swapped: &[Swapped],
        note: &str,
    ) -> Result<(), Error> {
        let ui = self.ui.clone();
        // The stopped tasks' reasons also go into the error.
        let stopped: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
        let seen = Arc::clone(&stopped);
        let say = move |l: &str| {
            ui.line(l);
            if l.contains(": task ") && l.contains(" stopped: ") {
                if let Ok(mut v) = seen.lock() {
                    v.push(l.to_string());
                }
            }
        };
        let mut observer = crate::ecs::Observer::default();
        let deadline = Instant::now() + self.poll.max_wait;
        let mut every = self.poll.initial.max(Duration::from_millis(1));
        loop {
            let verdict = tokio::select! {
                biased;
                _ = self.interrupt.wait() => return Err(self.hotswap_interrupted(stack, swapped, note)),
                v = observer.poll(ecs, stack, services, self.fail_fast, &say) => v,
            };
            match verdict {
                Some((service, reason)) if !service.is_empty() => {
                    let last = stopped.lock().ok().and_then(|v| v.last().cloned());
                    let last = match last.as_deref().and_then(|l| l.split_once(": task ")) {
                        Some((_, task)) => format!("; last stopped task: task {task}"),
                        None => String::new(),
                    };
                    return Err(Error::HotswapFailed {
                        stack: stack.to_string(),
                        reason: format!(
                            "ECS service {service} did not stabilise on the hotswapped task definition: {reason}{last}"
                        ),
                        next_step: self.hotswap_next_step(swapped, note),
                    });
                }
                Some(_) => return Ok(()),
                None => {}
            }
            if Instant::now() >= deadline {
                return Err(Error::HotswapFailed {
                    stack: stack.to_string(),
                    reason: format!(
                        "the services were not stable after {}s (STACKCRAFT_MAX_WAIT_S)",
                        self.poll.max_wait.as_secs()
                    ),
                    next_step: self.hotswap_next_step(swapped, note),
                });
            }
            tokio::select! {
                biased;
                _ = self.interrupt.wait() => return Err(self.hotswap_interrupted(stack, swapped, note)),
                _ = tokio::time::sleep(every) => {}
            }
            every = every.mul_f64(1.5).min(self.poll.max);
        }
    }

    /// Plan `deploy --hotswap` over `stacks` (reads only): which stacks
    /// hotswap (their swaps shown: image and environment changes), which go
    /// through a change set (the reason shown; also unchanged and shared
    /// stacks).
    pub async fn plan_hotswap(self: &Arc<Self>, stacks: &[StackArtifact]) -> Result<HotswapPlan, Error> {
        let mut plan = HotswapPlan::default();
        for s in stacks {
            if s.shared && !self.includes_shared() {
                plan.change_set.push(s.clone());
                continue;
            }
            let d = self.for_stack(s)?;
            match d.hotswap_plan(s).await? {
                StackPlan::Swap(swaps) => {
                    for r in &swaps {
                        self.ui.line(&describe_swap(&s.stack_name, r));
                    }
                    plan.swaps.push((s.clone(), swaps));
                }
                StackPlan::Unchanged => plan.change_set.push(s.clone()),
                StackPlan::Fallback(reason) => {
                    self.ui.line(&format!(
                        "{}: not hotswappable ({reason}): deploying it through a change set",
                        s.stack_name
                    ));
                    plan.change_set.push(s.clone());
                }
            }
        }
        Ok(plan)
    }

    /// Apply the confirmed `swaps` of a [`HotswapPlan`]: say that hotswap
    /// creates drift, then hotswap the stacks one after the other (Ctrl-C
    /// stops the run after the stack it interrupted).
    pub async fn apply_hotswap(
        self: &Arc<Self>,
        swaps: Vec<(StackArtifact, Vec<Resolved>)>,
    ) -> Vec<(StackArtifact, Result<StackResult, Error>)> {
        if !swaps.is_empty() {
            self.ui.line(DRIFT_NOTICE);
        }
        let mut results = Vec::new();
        for (s, swaps) in swaps {
            let r = match self.for_stack(&s) {
                Ok(d) => d.hotswap(&s, &swaps).await,
                Err(e) => Err(e),
            };
            let stop = matches!(r, Err(Error::Interrupted { .. }));
            results.push((s, r));
            if stop {
                break;
            }
        }
        results
    }

    /// `deploy --hotswap` over `stacks`: plan every stack (reads only; the
    /// swaps shown), prepare and show the change sets of the stacks that
    /// fall back, ask ONE question covering both (or `--yes`), then
    /// hotswap. The change-set stacks are returned for the normal deploy,
    /// which asks nothing more (their change sets were prepared and
    /// confirmed here). "No" changes nothing and deletes the change sets;
    /// Ctrl-C during the hotswap deletes them too.
    pub async fn deploy_hotswap(self: &Arc<Self>, stacks: &[StackArtifact]) -> Result<HotswapRun, Error> {
        let plan = self.plan_hotswap(stacks).await?;
        self.confirm_up_front_with(&plan.change_set, plan.question().as_deref()).await?;
        let results = self.apply_hotswap(plan.swaps).await;
        if results.iter().any(|(_, r)| matches!(r, Err(Error::Interrupted { .. }))) {
            self.discard_prepared().await;
        }
        Ok(HotswapRun { results, change_set: plan.change_set })
    }
}

/// What a `--hotswap` run will do, before the one question.
#[derive(Debug, Default)]
pub struct HotswapPlan {
    /// The stacks to hotswap, with their swaps.
    pub swaps: Vec<(StackArtifact, Vec<Resolved>)>,
    /// The stacks that go through the normal change-set deploy.
    pub change_set: Vec<StackArtifact>,
}

impl HotswapPlan {
    /// The hotswap part of the run's one question (`None` when no stack
    /// hotswaps).
    pub fn question(&self) -> Option<String> {
        if self.swaps.is_empty() {
            return None;
        }
        let names: Vec<&str> = self.swaps.iter().map(|(s, _)| s.stack_name.as_str()).collect();
        Some(format!("Hotswap {} (task definitions and services changed outside CloudFormation)", names.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(image: Json, env: Json) -> Json {
        json!({
            "Resources": {
                "Repo": {"Type": "AWS::ECR::Repository", "Properties": {}},
                "Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                    "Cpu": "256", "Memory": "512", "NetworkMode": "awsvpc",
                    "ContainerDefinitions": [{"Name": "web", "Image": image, "Environment": env}]
                }, "Metadata": {"aws:cdk:path": "App/Web/Task"}},
                "Service": {"Type": "AWS::ECS::Service", "Properties": {"TaskDefinition": {"Ref": "Task"}}}
            },
            "Outputs": {"Url": {"Value": "x"}}
        })
    }

    #[test]
    fn image_and_environment_changes_are_hotswappable() {
        let old = template(json!("web:1"), json!([{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}]));
        let new = template(json!("web:2"), json!([{"Name": "A", "Value": "9"}, {"Name": "C", "Value": "3"}]));
        let Plan::Hotswap(c) = plan(&old, &new) else { panic!("{:?}", plan(&old, &new)) };
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].services, ["Service"]);
        assert_eq!(c[0].containers[0].image, Some(json!("web:2")));
        assert_eq!(
            c[0].containers[0].environment,
            [
                EnvChange::Set { name: "A".into(), value: json!("9") },
                EnvChange::Set { name: "C".into(), value: json!("3") },
                EnvChange::Remove { name: "B".into() },
            ]
        );
        assert_eq!(plan(&old, &old), Plan::Unchanged);
    }

    #[test]
    fn volatile_metadata_is_ignored_other_differences_fall_back() {
        let old = template(json!("web:1"), json!([]));
        let mut moved = old.clone();
        moved["Resources"]["Task"]["Metadata"]["aws:cdk:path"] = json!("App/Other/Task");
        assert_eq!(plan(&old, &moved), Plan::Unchanged);
        let mut cpu = old.clone();
        cpu["Resources"]["Task"]["Properties"]["Cpu"] = json!("512");
        assert_eq!(plan(&old, &cpu), Plan::Fallback("Task (AWS::ECS::TaskDefinition): property Cpu changed".into()));
        let mut port = old.clone();
        port["Resources"]["Task"]["Properties"]["ContainerDefinitions"][0]["PortMappings"] = json!([]);
        assert_eq!(
            plan(&old, &port),
            Plan::Fallback(
                "Task (AWS::ECS::TaskDefinition): container definition web's PortMappings changed (only Image and \
                 Environment can be hotswapped)"
                    .into()
            )
        );
        let mut out = template(json!("web:2"), json!([]));
        out["Outputs"]["Url"]["Value"] = json!("y");
        assert_eq!(plan(&old, &out), Plan::Fallback("the template's Outputs section changed".into()));
        let mut svc = template(json!("web:2"), json!([]));
        svc["Resources"]["Service"]["Properties"]["DesiredCount"] = json!(2);
        assert_eq!(
            plan(&old, &svc),
            Plan::Fallback("Service (AWS::ECS::Service): property DesiredCount changed".into())
        );
        let mut meta = old.clone();
        meta["Resources"]["Task"]["Metadata"]["checkov"] = json!({"skip": []});
        assert_eq!(plan(&old, &meta), Plan::Fallback("Task (AWS::ECS::TaskDefinition): Metadata changed".into()));
    }

    #[test]
    fn evaluates_ecr_image_uris_and_refuses_what_it_cannot() {
        let ctx = Context {
            account: "123456789012".into(),
            region: "eu-west-1".into(),
            stack_name: "shop-dev-Web".into(),
            resources: [("Repo".to_string(), ("AWS::ECR::Repository".to_string(), "shop/web".to_string()))].into(),
        };
        let join = json!({"Fn::Join": ["", [{"Fn::GetAtt": ["Repo", "RepositoryUri"]}, ":v2"]]});
        assert_eq!(ctx.evaluate(&join).unwrap(), "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:v2");
        let sub = json!({"Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/${Repo}:${Tag}"});
        assert_eq!(
            ctx.evaluate(&sub).unwrap_err(),
            "Ref Tag (not a resource of the stack or a known pseudo parameter)"
        );
        let sub = json!({"Fn::Sub": ["${Repo.RepositoryUri}:${T}", {"T": "v3"}]});
        assert_eq!(ctx.evaluate(&sub).unwrap(), "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:v3");
        assert_eq!(
            ctx.evaluate(&json!({"Fn::ImportValue": "x"})).unwrap_err(),
            "Fn::ImportValue (hotswap cannot evaluate it)"
        );
    }

    #[test]
    fn patching_keeps_the_live_definition_and_its_environment_order() {
        use aws_sdk_ecs::types::{ContainerDefinition, KeyValuePair};
        let kv = |k: &str, v: &str| KeyValuePair::builder().name(k).value(v).build();
        let live = [
            ContainerDefinition::builder()
                .name("web")
                .image("web:1")
                .memory(512)
                .environment(kv("A", "1"))
                .environment(kv("B", "2"))
                .environment(kv("C", "3"))
                .build(),
            ContainerDefinition::builder().name("sidecar").image("envoy:1").build(),
        ];
        let r = Resolved {
            logical_id: "Task".into(),
            task_definition_arn: "td:1".into(),
            images: [("web".to_string(), "web:2".to_string())].into(),
            environment: [(
                "web".to_string(),
                [
                    ("A".to_string(), Some("9".to_string())),
                    ("B".to_string(), None),
                    ("D".to_string(), Some("4".to_string())),
                ]
                .into(),
            )]
            .into(),
            services: vec![],
        };
        let out = patch_containers(&live, &r).unwrap();
        assert_eq!(out[0].image(), Some("web:2"));
        assert_eq!(out[0].memory(), Some(512));
        assert_eq!(out[0].environment(), [kv("A", "9"), kv("C", "3"), kv("D", "4")]);
        assert_eq!(out[1], live[1], "other containers untouched");
        let missing = Resolved { images: [("api".to_string(), "x".to_string())].into(), ..r };
        assert_eq!(
            patch_containers(&live, &missing).unwrap_err(),
            "the live task definition td:1 has no container api (changed outside CloudFormation?)"
        );
    }

    #[test]
    fn drift_file_round_trips_and_is_removed_when_empty() {
        let d = tempfile::tempdir().unwrap();
        let mut f = DriftFile::default();
        f.stacks.insert(
            "s".into(),
            vec![Swapped {
                logical_id: "Task".into(),
                template_revision: "td:1".into(),
                running_revision: "td:2".into(),
                services: vec![("c".into(), "svc".into())],
            }],
        );
        let path = d.path().join(DRIFT_FILE);
        f.save(&path).unwrap();
        assert_eq!(DriftFile::load(&path), f);
        assert_eq!(f.describe("s").unwrap(), "s: drift from hotswap: Task runs td:2 (the template names td:1)");
        DriftFile::default().save(&path).unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn merging_replaces_the_same_task_definitions_and_keeps_the_others() {
        let swap = |id: &str, running: &str| Swapped {
            logical_id: id.into(),
            template_revision: format!("{id}:1"),
            running_revision: running.into(),
            services: vec![("c".into(), format!("svc-{id}"))],
        };
        let mut f = DriftFile::default();
        f.merge("s", &[swap("Web", "Web:2"), swap("Api", "Api:2")]);
        f.merge("s", &[swap("Web", "Web:3")]);
        assert_eq!(f.stacks["s"], [swap("Api", "Api:2"), swap("Web", "Web:3")]);
    }
}
