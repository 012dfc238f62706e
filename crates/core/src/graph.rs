//! The application graph: an [`App`] owns [`Stack`]s, stacks own scopes and
//! resources; every node has a construct path.
//!
//! Handles ([`Scope`], [`Stack`], [`ResourceHandle`]) are cheap clones that
//! point into the shared graph, the way CDK constructs do, so a building block
//! can be referenced anywhere (also from another stack) without borrowing.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Map, Value as Json};

use crate::diag::Diagnostic;
use crate::value::{CondExpr, ConditionRef, Expr, MappingRef, ToCfn, Value};

/// Index of a node in its app's graph.
pub(crate) type NodeId = usize;

static NEXT_APP: AtomicU64 = AtomicU64::new(1);

/// How a resource type carries tags (from the provider schema's `tagging`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TagFormat {
    /// The type cannot be tagged.
    None,
    /// `Tags: [{"Key": k, "Value": v}, ...]` (the common shape).
    List,
    /// `Tags: {k: v, ...}` (e.g. SSM parameters).
    Map,
}

/// A CloudFormation resource type's properties (implemented by the generated
/// L1 structs and by [`RawResource`]).
pub trait Resource: ToCfn + 'static {
    /// The CloudFormation type name, e.g. `AWS::EC2::VPC`.
    const TYPE_NAME: &'static str;
    /// How the type carries tags.
    const TAGS: TagFormat;
    /// The typed handle returned when the resource is added to a scope.
    type Handle: From<ResourceHandle>;
    /// A validator for this type's rendered properties, installed on the app
    /// when a resource of the type is added (see [`crate::ResourceValidator`]).
    const VALIDATOR: Option<crate::ResourceValidator> = None;
}

/// A resource of any type given as JSON properties (escape hatch for types the
/// L1 layer does not cover).
#[derive(Debug, Clone)]
pub struct RawResource {
    type_name: String,
    properties: Json,
    tags: TagFormat,
}

impl RawResource {
    /// `type_name` like `AWS::X::Y`; `properties` a JSON object.
    pub fn new(type_name: impl Into<String>, properties: Json) -> Self {
        RawResource { type_name: type_name.into(), properties, tags: TagFormat::None }
    }
    /// Declare that scope tags should be written into this resource's `Tags`.
    pub fn taggable(mut self, format: TagFormat) -> Self {
        self.tags = format;
        self
    }
}

/// What a stack-level deletion of a resource does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeletionPolicy {
    /// Delete the resource (CloudFormation's default).
    Delete,
    /// Keep the resource when the stack no longer manages it.
    Retain,
    /// Keep it, except when a create is rolled back.
    RetainExceptOnCreate,
    /// Take a final snapshot, then delete (RDS, ElastiCache, EBS, ...).
    Snapshot,
}

impl DeletionPolicy {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DeletionPolicy::Delete => "Delete",
            DeletionPolicy::Retain => "Retain",
            DeletionPolicy::RetainExceptOnCreate => "RetainExceptOnCreate",
            DeletionPolicy::Snapshot => "Snapshot",
        }
    }
}

/// A resource's properties as the graph stores them: the typed L1 value the
/// building block added (mutated in place through [`ResourceHandle::edit`]),
/// or JSON for a [`RawResource`]. Rendered once, at synth.
pub(crate) enum Props {
    Typed(Box<dyn StoredProps>),
    Json(Json),
}

/// A typed property value stored in the graph.
pub(crate) trait StoredProps {
    fn render(&self) -> Json;
    fn as_any(&self) -> &dyn std::any::Any;
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any;
}

impl<T: ToCfn + 'static> StoredProps for T {
    fn render(&self) -> Json {
        self.to_cfn()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

impl Props {
    pub(crate) fn render(&self) -> Json {
        match self {
            Props::Typed(t) => t.render(),
            Props::Json(j) => j.clone(),
        }
    }
}

impl std::fmt::Debug for Props {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Props::Typed(_) => f.write_str("Typed(..)"),
            Props::Json(j) => write!(f, "Json({j})"),
        }
    }
}

/// A user's JSON edit of a resource's rendered properties (the escape hatch
/// [`ResourceHandle::edit_properties`]), applied at synth.
pub(crate) type JsonEdit = Rc<dyn Fn(&mut Json)>;

pub(crate) struct ResourceData {
    pub(crate) type_name: String,
    pub(crate) props: Props,
    pub(crate) edits: Vec<JsonEdit>,
    pub(crate) tags: TagFormat,
    pub(crate) depends_on: Vec<NodeId>,
    pub(crate) deletion_policy: Option<DeletionPolicy>,
    pub(crate) update_replace_policy: Option<DeletionPolicy>,
    pub(crate) condition: Option<String>,
    pub(crate) metadata: Map<String, Json>,
    pub(crate) overrides: Vec<(String, Option<Json>)>,
    pub(crate) logical_id: Option<String>,
}

impl std::fmt::Debug for ResourceData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceData")
            .field("type_name", &self.type_name)
            .field("props", &self.props)
            .field("edits", &self.edits.len())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
pub(crate) struct StackData {
    pub(crate) stack_name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) termination_protection: Option<bool>,
    pub(crate) metadata: Map<String, Json>,
    pub(crate) dependencies: Vec<NodeId>,
    /// Pinned account / region (else the environment's).
    pub(crate) account: Option<String>,
    pub(crate) region: Option<String>,
    /// Declared once for all environments (`App::shared_stack`).
    pub(crate) shared: bool,
    /// Role consumers in other accounts assume to read this stack's outputs.
    pub(crate) output_reader_role: Option<String>,
    /// Values exported explicitly (`Stack::export_value`): (resource, attribute).
    pub(crate) exported: Vec<(NodeId, Option<String>)>,
}

#[derive(Debug)]
pub(crate) struct OutputData {
    pub(crate) value: Json,
    pub(crate) description: Option<String>,
    pub(crate) export_name: Option<Json>,
    pub(crate) condition: Option<String>,
}

#[derive(Debug)]
pub(crate) enum NodeKind {
    Root,
    Stack(StackData),
    Scope,
    Resource(Box<ResourceData>),
    Parameter(Json),
    Condition(Json),
    Mapping(Json),
    Output(OutputData),
}

#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) id: String,
    pub(crate) parent: Option<NodeId>,
    pub(crate) children: Vec<NodeId>,
    pub(crate) tags: Vec<(String, String)>,
    pub(crate) kind: NodeKind,
}

#[derive(Debug)]
pub(crate) struct Graph {
    pub(crate) nodes: Vec<Node>,
    pub(crate) errors: Vec<Diagnostic>,
    /// Acknowledgements: (scope node, rule id, reason).
    pub(crate) acks: Vec<(NodeId, String, String)>,
}

impl Graph {
    pub(crate) fn path(&self, mut node: NodeId) -> String {
        let mut parts = Vec::new();
        while let Some(parent) = self.nodes[node].parent {
            parts.push(self.nodes[node].id.as_str());
            node = parent;
        }
        parts.reverse();
        parts.join("/")
    }

    /// The stack a node belongs to (itself for a stack).
    pub(crate) fn stack_of(&self, mut node: NodeId) -> Option<NodeId> {
        loop {
            if matches!(self.nodes[node].kind, NodeKind::Stack(_)) {
                return Some(node);
            }
            node = self.nodes[node].parent?;
        }
    }

    /// Construct ids from the stack (exclusive) down to `node` (inclusive).
    pub(crate) fn path_below_stack(&self, mut node: NodeId) -> Vec<&str> {
        let mut parts = Vec::new();
        while !matches!(self.nodes[node].kind, NodeKind::Stack(_) | NodeKind::Root) {
            parts.push(self.nodes[node].id.as_str());
            match self.nodes[node].parent {
                Some(p) => node = p,
                None => break,
            }
        }
        parts.reverse();
        parts
    }

    fn add_child(&mut self, parent: NodeId, id: &str, kind: NodeKind) -> NodeId {
        let mut id = id.to_owned();
        // The usual id passes without building the checker's character set.
        let plain = !id.is_empty()
            && id.len() <= crate::validate::MAX_CONSTRUCT_ID_LEN
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if let Err(problem) = if plain { Ok(()) } else { crate::validate::construct_id(&id) } {
            let path = self.path(parent);
            let full = if path.is_empty() { id.clone() } else { format!("{path}/{id}") };
            self.errors.push(Diagnostic::error(&full, "construct id", problem));
            // Keep building under a cleaned id so later errors are found too.
            id = crate::validate::sanitize(&id, "-_.", crate::validate::MAX_CONSTRUCT_ID_LEN);
            if id.is_empty() {
                id = "Unnamed".into();
            }
        }
        if self.nodes[parent].children.iter().any(|&c| self.nodes[c].id == id) {
            let path = self.path(parent);
            let full = if path.is_empty() { id.clone() } else { format!("{path}/{id}") };
            self.errors.push(Diagnostic::error(
                &full,
                "construct id",
                format!(
                    "there is already a construct with id {id:?} in {}; construct ids must be unique among siblings",
                    if path.is_empty() { "the app" } else { path.as_str() }
                ),
            ));
            // Keep building: the node gets a distinct id so that later errors
            // are still found and reported together.
            let mut n = 2;
            while self.nodes[parent].children.iter().any(|&c| self.nodes[c].id == format!("{id}{n}")) {
                n += 1;
            }
            id = format!("{id}{n}");
        }
        let node = self.nodes.len();
        self.nodes.push(Node { id, parent: Some(parent), children: Vec::new(), tags: Vec::new(), kind });
        self.nodes[parent].children.push(node);
        node
    }
}

/// The environment an app is synthesized for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvInfo {
    /// Environment name (`dev`, `staging`, `prod`, ...).
    pub name: String,
    /// Production environments get termination protection and guarded destroy.
    pub production: bool,
    /// The AWS account, when the environment pins one.
    pub account: Option<String>,
    /// The AWS region, when the environment pins one.
    pub region: Option<String>,
}

impl EnvInfo {
    /// An environment called `name` with no account or region pinned.
    pub fn new(name: impl Into<String>, production: bool) -> Self {
        EnvInfo { name: name.into(), production, account: None, region: None }
    }
    /// Pin the AWS account (12 digits; checked at synth).
    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }
    /// Pin the AWS region (checked at synth).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
}

pub(crate) struct AppInner {
    pub(crate) uid: u64,
    pub(crate) name: String,
    pub(crate) env: RefCell<Option<EnvInfo>>,
    pub(crate) graph: RefCell<Graph>,
    /// Validators of single resources' rendered properties (the L1 layer's schema checks).
    pub(crate) validators: RefCell<Vec<crate::ResourceValidator>>,
    /// Validators of the final templates plus the graph (policy packs).
    pub(crate) template_validators: RefCell<Vec<Box<dyn crate::ack::Validator>>>,
    pub(crate) audit: std::cell::Cell<bool>,
}

fn add_validator(app: &AppInner, validator: crate::ResourceValidator) {
    let mut v = app.validators.borrow_mut();
    if !v.iter().any(|x| x.name == validator.name) {
        v.push(validator);
    }
}

pub(crate) fn token(uid: u64, node: NodeId) -> String {
    // Written directly: `format!` costs more than the token itself (one per
    // `ref_`/`get_att`).
    let mut s = String::with_capacity(32);
    s.push_str("<<sc:");
    push_decimal(&mut s, uid);
    s.push(':');
    push_decimal(&mut s, u64::try_from(node).unwrap_or(u64::MAX));
    s.push_str(">>");
    s
}

/// Append `n` in decimal.
fn push_decimal(s: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    for &d in digits.get(i..).unwrap_or_default() {
        s.push(char::from(d));
    }
}

/// Parses a token back into (app uid, node).
pub(crate) fn parse_token(s: &str) -> Option<(u64, NodeId)> {
    let inner = s.strip_prefix("<<sc:")?.strip_suffix(">>")?;
    let (a, n) = inner.split_once(':')?;
    Some((a.parse().ok()?, n.parse().ok()?))
}

/// The root of the application graph: a set of stacks synthesized together.
#[derive(Clone)]
pub struct App {
    pub(crate) inner: Rc<AppInner>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "App({})", self.inner.name)
    }
}

impl App {
    /// A new, empty application. `name` prefixes deployed stack names.
    pub fn new(name: impl Into<String>) -> Self {
        let root =
            Node { id: String::new(), parent: None, children: Vec::new(), tags: Vec::new(), kind: NodeKind::Root };
        App {
            inner: Rc::new(AppInner {
                uid: NEXT_APP.fetch_add(1, Ordering::Relaxed),
                name: name.into(),
                env: RefCell::new(None),
                graph: RefCell::new(Graph { nodes: vec![root], errors: Vec::new(), acks: Vec::new() }),
                validators: RefCell::new(Vec::new()),
                template_validators: RefCell::new(Vec::new()),
                audit: std::cell::Cell::new(false),
            }),
        }
    }

    /// Mark the app as built for an environment: deployed stack names become
    /// `<app>-<env>-<stack>` and production stacks get termination protection.
    pub fn set_environment(&self, name: impl Into<String>, production: bool) {
        self.set_env(EnvInfo::new(name, production));
    }

    /// Mark the app as built for an environment that may pin its account and
    /// region ([`EnvInfo::account`], [`EnvInfo::region`]); see [`App::set_environment`].
    pub fn set_env(&self, env: EnvInfo) {
        *self.inner.env.borrow_mut() = Some(env);
    }

    /// The environment set with [`App::set_environment`].
    pub fn environment(&self) -> Option<EnvInfo> {
        self.inner.env.borrow().clone()
    }

    /// The application's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Add a stack with construct id `id` (also its template file name).
    pub fn stack(&self, id: &str) -> Stack {
        let node = self.inner.graph.borrow_mut().add_child(0, id, NodeKind::Stack(StackData::default()));
        Stack(Scope { app: self.inner.clone(), node })
    }

    /// Add a stack declared once for all environments (a bootstrap or a
    /// registry every environment reads). Its template is the same bytes
    /// whatever environment is synthesized: app-level tags (which usually name
    /// the environment) are not applied to it, its deployed name is
    /// `<app>-<id>` (no environment), it is termination-protected, and
    /// building blocks see only its own pinned region ([`Stack::in_region`]).
    /// Other stacks may use only the values it exports explicitly with
    /// [`Stack::export_value`], so its outputs never depend on which
    /// environment imports them.
    pub fn shared_stack(&self, id: &str) -> Stack {
        let data = StackData { shared: true, ..StackData::default() };
        let node = self.inner.graph.borrow_mut().add_child(0, id, NodeKind::Stack(data));
        Stack(Scope { app: self.inner.clone(), node })
    }

    /// Install a validator of rendered resource properties, run at synth on
    /// every resource (one with the same name as an installed one is ignored).
    pub fn add_resource_validator(&self, validator: crate::ResourceValidator) {
        add_validator(&self.inner, validator);
    }

    /// Tag every taggable resource of every stack (and the stacks themselves).
    pub fn add_tag(&self, key: impl Into<String>, value: impl Into<String>) {
        self.root().add_tag(key, value);
    }

    /// Record an error found while building (reported with all others at synth).
    pub fn error(&self, path: &str, property: &str, message: impl std::fmt::Display) {
        self.inner.graph.borrow_mut().errors.push(Diagnostic::error(path, property, message));
    }

    /// The root scope (construct path "").
    pub(crate) fn root(&self) -> Scope {
        Scope { app: self.inner.clone(), node: 0 }
    }

    /// The stacks, in the order they were added.
    pub fn stacks(&self) -> Vec<Stack> {
        let g = self.inner.graph.borrow();
        g.nodes[0]
            .children
            .iter()
            .filter(|&&c| matches!(g.nodes[c].kind, NodeKind::Stack(_)))
            .map(|&node| Stack(Scope { app: self.inner.clone(), node }))
            .collect()
    }
}

/// A node of the construct tree under which resources (and further scopes)
/// are added. Building blocks take a `&Scope` and an id, like CDK constructs.
#[derive(Clone)]
pub struct Scope {
    pub(crate) app: Rc<AppInner>,
    pub(crate) node: NodeId,
}

impl std::fmt::Debug for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scope({})", self.path())
    }
}

impl Scope {
    /// A child scope with construct id `id`.
    pub fn scope(&self, id: &str) -> Scope {
        let node = self.app.graph.borrow_mut().add_child(self.node, id, NodeKind::Scope);
        Scope { app: self.app.clone(), node }
    }

    /// The existing child scope with construct id `id`, if any.
    pub fn child(&self, id: &str) -> Option<Scope> {
        let g = self.app.graph.borrow();
        g.nodes[self.node]
            .children
            .iter()
            .copied()
            .find(|&c| g.nodes[c].id == id && matches!(g.nodes[c].kind, NodeKind::Scope | NodeKind::Stack(_)))
            .map(|node| Scope { app: self.app.clone(), node })
    }

    /// Add a typed (L1) resource with construct id `id`.
    ///
    /// The typed value is what the graph stores: a building block that grows
    /// the resource later mutates it through [`ResourceHandle::edit`], and
    /// it is rendered to JSON once, at synth.
    pub fn add<R: Resource>(&self, id: &str, props: R) -> R::Handle {
        if let Some(v) = R::VALIDATOR {
            add_validator(&self.app, v);
        }
        self.add_resource(id, R::TYPE_NAME, Props::Typed(Box::new(props)), R::TAGS).into()
    }

    /// Add a resource of any type given as JSON properties.
    /// Its type must be `AWS::Service::Type` or `Custom::Name` and its
    /// properties a JSON object (or `null` for none); anything else is an
    /// error at synth.
    pub fn add_raw(&self, id: &str, resource: RawResource) -> ResourceHandle {
        let kind = match &resource.properties {
            Json::Object(_) => None,
            Json::Null => None,
            Json::Array(_) => Some("an array"),
            Json::String(_) => Some("a string"),
            Json::Number(_) => Some("a number"),
            Json::Bool(_) => Some("a boolean"),
        };
        let type_ok = {
            let parts: Vec<&str> = resource.type_name.split("::").collect();
            let word = |s: &&str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            match parts.first() {
                Some(&"Custom") => parts.len() == 2 && parts.iter().all(word),
                Some(_) => parts.len() == 3 && parts.iter().all(word),
                None => false,
            }
        };
        let properties = if kind.is_some() { Json::Object(Map::new()) } else { resource.properties };
        let handle = self.add_resource(id, &resource.type_name, Props::Json(properties), resource.tags);
        if let Some(kind) = kind {
            let path = handle.path();
            self.app.graph.borrow_mut().errors.push(Diagnostic::error(
                &path,
                "Properties",
                format!("raw resource properties are {kind}; they must be a JSON object (e.g. json!({{\"Key\": ..}})) or null"),
            ));
        }
        if !type_ok {
            let path = handle.path();
            self.app.graph.borrow_mut().errors.push(Diagnostic::error(
                &path,
                "Type",
                format!(
                    "resource type {:?} is invalid; expected Vendor::Service::Type (e.g. \"AWS::SQS::Queue\") or Custom::Name",
                    resource.type_name
                ),
            ));
        }
        handle
    }

    fn add_resource(&self, id: &str, type_name: &str, props: Props, tags: TagFormat) -> ResourceHandle {
        let data = ResourceData {
            type_name: type_name.to_owned(),
            props,
            edits: Vec::new(),
            tags,
            depends_on: Vec::new(),
            deletion_policy: None,
            update_replace_policy: None,
            condition: None,
            metadata: Map::new(),
            overrides: Vec::new(),
            logical_id: None,
        };
        let node = {
            let mut g = self.app.graph.borrow_mut();
            if g.stack_of(self.node).is_none() {
                let path = g.path(self.node);
                g.errors.push(Diagnostic::error(
                    &format!("{path}/{id}"),
                    "scope",
                    "resources must be added inside a stack, not directly to the app",
                ));
            }
            g.add_child(self.node, id, NodeKind::Resource(Box::new(data)))
        };
        ResourceHandle { app: self.app.clone(), node }
    }

    /// Tag every taggable resource below this scope. A tag set closer to the
    /// resource wins over one set higher up; a tag set on the resource's own
    /// properties wins over both.
    pub fn add_tag(&self, key: impl Into<String>, value: impl Into<String>) {
        let (key, value) = (key.into(), value.into());
        let mut g = self.app.graph.borrow_mut();
        let tags = &mut g.nodes[self.node].tags;
        tags.retain(|(k, _)| *k != key);
        tags.push((key, value));
    }

    /// The construct path, e.g. `Network/Vpc/PublicSubnet1`.
    pub fn path(&self) -> String {
        self.app.graph.borrow().path(self.node)
    }

    /// This scope's own construct id.
    pub fn id(&self) -> String {
        self.app.graph.borrow().nodes[self.node].id.clone()
    }

    /// The stack this scope belongs to.
    pub fn stack(&self) -> Option<Stack> {
        let node = self.app.graph.borrow().stack_of(self.node)?;
        Some(Stack(Scope { app: self.app.clone(), node }))
    }

    /// The literal AWS region of this scope's stack, when known at synth: the
    /// stack's pinned region, else the environment's (a shared stack sees only
    /// its own pin, so its template stays environment-independent). For
    /// building blocks that need a literal region (ARNs of regional
    /// services); `Pseudo::Region` remains the token for everything else.
    pub fn region(&self) -> Option<String> {
        self.location().1
    }

    /// The literal AWS account of this scope's stack, when known at synth
    /// (same rules as [`Scope::region`]).
    pub fn account(&self) -> Option<String> {
        self.location().0
    }

    /// Whether resources under this scope get production settings (deletion
    /// protection, retention, ...): the environment's `production` flag, and
    /// always for a [shared stack](App::shared_stack), whose template must
    /// not depend on the environment and which production uses too. Building
    /// blocks ask this rather than `app().environment()`.
    pub fn is_production(&self) -> bool {
        let shared = {
            let g = self.app.graph.borrow();
            matches!(g.stack_of(self.node).map(|s| &g.nodes[s].kind), Some(NodeKind::Stack(d)) if d.shared)
        };
        shared || self.app.env.borrow().as_ref().is_some_and(|e| e.production)
    }

    fn location(&self) -> (Option<String>, Option<String>) {
        let g = self.app.graph.borrow();
        let env = self.app.env.borrow();
        match g.stack_of(self.node).map(|s| &g.nodes[s].kind) {
            Some(NodeKind::Stack(d)) if d.shared => (d.account.clone(), d.region.clone()),
            Some(NodeKind::Stack(d)) => (
                d.account.clone().or_else(|| env.as_ref().and_then(|e| e.account.clone())),
                d.region.clone().or_else(|| env.as_ref().and_then(|e| e.region.clone())),
            ),
            _ => (None, None),
        }
    }

    /// The app this scope belongs to.
    pub fn app(&self) -> App {
        App { inner: self.app.clone() }
    }

    /// Record an error at this scope (for building blocks that detect bad
    /// input); synth reports it with all others and writes nothing.
    pub fn error(&self, property: &str, message: impl std::fmt::Display) {
        let path = self.path();
        self.app.graph.borrow_mut().errors.push(Diagnostic::error(&path, property, message));
    }

    /// Record a warning at this scope (printed by synth, does not fail it).
    /// Its rule id is `warning.<property>` (letters, digits, `.`, `-`, `_`
    /// kept); prefer [`Scope::warn`] with a rule id of its own.
    pub fn warning(&self, property: &str, message: impl std::fmt::Display) {
        let rule: String = property
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '-' })
            .take(56)
            .collect();
        self.warn(&format!("warning.{rule}"), property, message);
    }

    /// Record a warning with a stable rule id at this scope: printed by
    /// synth unless acknowledged (`acknowledge(rule, reason)` on this scope
    /// or an ancestor).
    pub fn warn(&self, rule: &str, property: &str, message: impl std::fmt::Display) {
        let path = self.path();
        self.app.graph.borrow_mut().errors.push(Diagnostic::warning(&path, property, message).with_rule(rule));
    }
}

/// A stack: one CloudFormation template, deployed as one CloudFormation stack.
#[derive(Clone, Debug)]
pub struct Stack(pub(crate) Scope);

impl std::ops::Deref for Stack {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.0
    }
}

impl PartialEq for Stack {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0.app, &other.0.app) && self.0.node == other.0.node
    }
}

impl Stack {
    fn with_data<R>(&self, f: impl FnOnce(&mut StackData) -> R) -> R {
        let mut g = self.0.app.graph.borrow_mut();
        match &mut g.nodes[self.0.node].kind {
            NodeKind::Stack(d) => f(d),
            _ => unreachable!("a Stack handle always points at a stack node"),
        }
    }

    fn add_element(&self, id: &str, kind: NodeKind) -> String {
        let node = self.0.app.graph.borrow_mut().add_child(self.0.node, id, kind);
        token(self.0.app.uid, node)
    }

    /// The template description (≤ 1,024 bytes).
    pub fn set_description(&self, description: impl Into<String>) {
        let d = description.into();
        self.with_data(|s| s.description = Some(d));
    }

    /// The deployed CloudFormation stack name (default `<app>-<env>-<id>`).
    pub fn set_stack_name(&self, name: impl Into<String>) {
        let n = name.into();
        self.with_data(|s| s.stack_name = Some(n));
    }

    /// Turn termination protection on or off (default: on for production environments).
    pub fn set_termination_protection(&self, on: bool) {
        self.with_data(|s| s.termination_protection = Some(on));
    }

    /// Template-level `Metadata` entry.
    pub fn add_metadata(&self, key: impl Into<String>, value: Json) {
        let k = key.into();
        self.with_data(|s| s.metadata.insert(k, value));
    }

    /// Deploy `other` before this stack. `other` must belong to the same app
    /// (otherwise synth reports an error naming both stacks).
    pub fn add_dependency(&self, other: &Stack) {
        if !Rc::ptr_eq(&self.0.app, &other.0.app) {
            let theirs = other.path();
            self.0.error(
                "dependencies",
                format!(
                    "depends on stack {theirs:?} of another App; stacks can only depend on stacks of their own app (create every stack from the same App)"
                ),
            );
            return;
        }
        let o = other.0.node;
        self.with_data(|s| {
            if !s.dependencies.contains(&o) {
                s.dependencies.push(o)
            }
        });
    }

    /// Pin this stack to a region other than the environment's, e.g.
    /// `app.stack("Edge").in_region("us-east-1")` for CloudFront's
    /// certificate. References between stacks of different regions or
    /// accounts become `Fn::GetStackOutput` (see the crate docs).
    pub fn in_region(self, region: impl Into<String>) -> Self {
        let r = region.into();
        self.with_data(|s| s.region = Some(r));
        self
    }

    /// Pin this stack to an AWS account other than the environment's.
    pub fn in_account(self, account: impl Into<String>) -> Self {
        let a = account.into();
        self.with_data(|s| s.account = Some(a));
        self
    }

    /// The role (ARN) that stacks in other accounts assume to read this
    /// stack's outputs (`Fn::GetStackOutput`'s `RoleArn`). Needed only when
    /// a stack of another account uses a value of this one.
    pub fn set_output_reader_role(&self, role_arn: impl Into<String>) {
        let r = role_arn.into();
        self.with_data(|s| s.output_reader_role = Some(r));
    }

    /// Whether the stack was declared with [`App::shared_stack`].
    pub fn is_shared(&self) -> bool {
        let g = self.0.app.graph.borrow();
        matches!(&g.nodes[self.0.node].kind, NodeKind::Stack(d) if d.shared)
    }

    /// Export a value of a resource of this stack explicitly: the output and
    /// its export are written whether or not any stack uses the value, so
    /// they never disappear when the last consumer stops using it (no
    /// "deadly embrace" between stacks). Required for every value of a
    /// [shared stack](App::shared_stack) that other stacks use. `value` must
    /// be a `ref_()` or `get_att(..)` of a resource of this stack; it is
    /// returned unchanged for convenience.
    pub fn export_value<T>(&self, value: Value<T>) -> Value<T>
    where
        Value<T>: ToCfn,
    {
        let json = value.to_cfn();
        let parsed = match &json {
            Json::Object(m) if m.len() == 1 => match (m.get("Ref"), m.get("Fn::GetAtt")) {
                (Some(Json::String(t)), _) => parse_token(t).map(|x| (x, None)),
                (_, Some(Json::Array(a))) => match a.as_slice() {
                    [Json::String(t), Json::String(attr)] => parse_token(t).map(|x| (x, Some(attr.clone()))),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        let own = parsed.filter(|((uid, node), _)| {
            let g = self.0.app.graph.borrow();
            *uid == self.0.app.uid
                && g.nodes.get(*node).is_some_and(|n| matches!(n.kind, NodeKind::Resource(_)))
                && g.stack_of(*node) == Some(self.0.node)
        });
        match own {
            Some(((_, node), attr)) => self.with_data(|s| {
                if !s.exported.iter().any(|(n, a)| *n == node && *a == attr) {
                    s.exported.push((node, attr));
                }
            }),
            None => {
                self.0.error("export_value", "export_value takes a ref_() or get_att(..) of a resource of this stack")
            }
        }
        value
    }

    /// Declare a template parameter; `id` is its logical name.
    pub fn add_parameter(&self, id: &str, parameter: Parameter) -> ParameterRef {
        ParameterRef { token: self.add_element(id, NodeKind::Parameter(parameter.0)) }
    }

    /// Declare a named condition.
    pub fn add_condition(&self, id: &str, cond: CondExpr) -> ConditionRef {
        ConditionRef { token: self.add_element(id, NodeKind::Condition(cond.0)) }
    }

    /// Declare a mapping: top-level key → second-level key → value.
    pub fn add_mapping(&self, id: &str, map: BTreeMap<String, BTreeMap<String, Json>>) -> MappingRef {
        MappingRef { token: self.add_element(id, NodeKind::Mapping(json!(map))) }
    }

    /// Declare an output.
    pub fn add_output(&self, output: Output) {
        self.add_element(
            &output.id.clone(),
            NodeKind::Output(OutputData {
                value: output.value,
                description: output.description,
                export_name: output.export_name,
                condition: output.condition,
            }),
        );
    }
}

/// A template parameter declaration.
#[derive(Debug, Clone)]
pub struct Parameter(Json);

impl Parameter {
    /// A parameter of the given CloudFormation type (`String`, `Number`,
    /// `CommaDelimitedList`, `AWS::EC2::VPC::Id`, `AWS::SSM::Parameter::Value<String>`...).
    pub fn of_type(type_name: &str) -> Self {
        Parameter(json!({ "Type": type_name }))
    }
    /// A `String` parameter.
    pub fn string() -> Self {
        Self::of_type("String")
    }
    /// A `Number` parameter.
    pub fn number() -> Self {
        Self::of_type("Number")
    }
    fn set(mut self, k: &str, v: Json) -> Self {
        self.0[k] = v;
        self
    }
    /// Default value.
    pub fn default_value(self, v: impl Into<Json>) -> Self {
        self.set("Default", v.into())
    }
    /// Description.
    pub fn description(self, d: &str) -> Self {
        self.set("Description", d.into())
    }
    /// Mask the value in the console and API (`NoEcho`).
    pub fn no_echo(self) -> Self {
        self.set("NoEcho", true.into())
    }
    /// The only values allowed.
    pub fn allowed_values<S: Into<Json>>(self, values: impl IntoIterator<Item = S>) -> Self {
        let v: Vec<Json> = values.into_iter().map(Into::into).collect();
        self.set("AllowedValues", v.into())
    }
    /// A regular expression the value must match.
    pub fn allowed_pattern(self, p: &str) -> Self {
        self.set("AllowedPattern", p.into())
    }
    /// Minimum string length.
    pub fn min_length(self, n: u32) -> Self {
        self.set("MinLength", n.into())
    }
    /// Maximum string length.
    pub fn max_length(self, n: u32) -> Self {
        self.set("MaxLength", n.into())
    }
    /// Minimum numeric value.
    pub fn min_value(self, n: f64) -> Self {
        self.set("MinValue", n.into())
    }
    /// Maximum numeric value.
    pub fn max_value(self, n: f64) -> Self {
        self.set("MaxValue", n.into())
    }
    /// Message shown when a constraint fails.
    pub fn constraint_description(self, d: &str) -> Self {
        self.set("ConstraintDescription", d.into())
    }
}

/// A handle to a declared parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterRef {
    token: String,
}

impl ParameterRef {
    /// `{"Ref": "Param"}` as a value of type `T`.
    pub fn value<T>(&self) -> Value<T> {
        Expr(crate::value::obj("Ref", Json::String(self.token.clone()))).into()
    }
}

/// An output declaration.
#[derive(Debug, Clone)]
pub struct Output {
    id: String,
    value: Json,
    description: Option<String>,
    export_name: Option<Json>,
    condition: Option<String>,
}

impl Output {
    /// Output `id` (its logical name) with `value`.
    pub fn new<T: ToCfn>(id: &str, value: impl Into<Value<T>>) -> Self {
        Output {
            id: id.to_owned(),
            value: value.into().to_cfn(),
            description: None,
            export_name: None,
            condition: None,
        }
    }
    /// Description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }
    /// Export the value under this name (unique per account and region).
    pub fn export_name(mut self, name: impl Into<Value<String>>) -> Self {
        self.export_name = Some(name.into().to_cfn());
        self
    }
    /// Only output when the condition holds.
    pub fn condition(mut self, c: &ConditionRef) -> Self {
        self.condition = Some(c.token.clone());
        self
    }
}

/// A handle to a resource in the graph: its references, attributes and
/// resource-level settings (the escape hatches).
#[derive(Clone)]
pub struct ResourceHandle {
    pub(crate) app: Rc<AppInner>,
    pub(crate) node: NodeId,
}

impl std::fmt::Debug for ResourceHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Resource({})", self.path())
    }
}

impl PartialEq for ResourceHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.app, &other.app) && self.node == other.node
    }
}

impl ResourceHandle {
    fn token(&self) -> String {
        token(self.app.uid, self.node)
    }

    fn with_data<R>(&self, f: impl FnOnce(&mut ResourceData) -> R) -> R {
        let mut g = self.app.graph.borrow_mut();
        match &mut g.nodes[self.node].kind {
            NodeKind::Resource(d) => f(d),
            _ => unreachable!("a ResourceHandle always points at a resource node"),
        }
    }

    /// `{"Ref": ...}` to this resource (resolved to `Fn::ImportValue` when
    /// used from another stack).
    pub fn ref_(&self) -> Value<String> {
        Expr(crate::value::obj("Ref", Json::String(self.token()))).into()
    }

    /// `Fn::GetAtt` of this resource, typed by the caller.
    pub fn get_att<T>(&self, attribute: &str) -> Value<T> {
        Expr(crate::value::obj("Fn::GetAtt", Json::Array(vec![Json::String(self.token()), attribute.into()]))).into()
    }

    /// The construct path.
    pub fn path(&self) -> String {
        self.app.graph.borrow().path(self.node)
    }

    /// The CloudFormation type name.
    pub fn type_name(&self) -> String {
        self.with_data(|d| d.type_name.clone())
    }

    /// The logical ID this resource gets in its template.
    pub fn logical_id(&self) -> String {
        let g = self.app.graph.borrow();
        crate::logical_id::for_node(&g, self.node)
    }

    /// The stack this resource belongs to.
    pub fn stack(&self) -> Option<Stack> {
        Scope { app: self.app.clone(), node: self.node }.stack()
    }

    /// Create this resource only after `other` (DependsOn; across stacks it
    /// orders the stacks instead).
    pub fn add_depends_on(&self, other: &ResourceHandle) {
        let o = other.node;
        if Rc::ptr_eq(&self.app, &other.app) {
            self.with_data(|d| {
                if !d.depends_on.contains(&o) {
                    d.depends_on.push(o)
                }
            });
        } else {
            let (path, theirs) = (self.path(), other.path());
            self.app.graph.borrow_mut().errors.push(Diagnostic::error(
                &path,
                "DependsOn",
                format!("depends on {theirs} of another App; a resource can only depend on resources of its own app (create every stack from the same App)"),
            ));
        }
    }

    /// `DeletionPolicy`.
    pub fn set_deletion_policy(&self, p: DeletionPolicy) {
        self.with_data(|d| d.deletion_policy = Some(p));
    }

    /// `UpdateReplacePolicy`.
    pub fn set_update_replace_policy(&self, p: DeletionPolicy) {
        self.with_data(|d| d.update_replace_policy = Some(p));
    }

    /// Both `DeletionPolicy` and `UpdateReplacePolicy`.
    pub fn apply_removal_policy(&self, p: DeletionPolicy) {
        self.set_deletion_policy(p);
        self.set_update_replace_policy(p);
    }

    /// Create the resource only when the condition holds.
    pub fn set_condition(&self, c: &ConditionRef) {
        let t = c.token.clone();
        self.with_data(|d| d.condition = Some(t));
    }

    /// A resource `Metadata` entry.
    pub fn add_metadata(&self, key: impl Into<String>, value: Json) {
        let k = key.into();
        self.with_data(|d| d.metadata.insert(k, value));
    }

    /// Set any property by dotted path (`"A.B.0.C"`), creating objects on
    /// the way: CDK's `addPropertyOverride`. Applied after tags at synth.
    pub fn add_property_override(&self, path: &str, value: impl Into<Json>) {
        let (p, v) = (path.to_owned(), value.into());
        self.with_data(|d| d.overrides.push((p, Some(v))));
    }

    /// Remove a property by dotted path: CDK's `addPropertyDeletionOverride`.
    pub fn add_property_deletion_override(&self, path: &str) {
        let p = path.to_owned();
        self.with_data(|d| d.overrides.push((p, None)));
    }

    /// Edit the rendered properties JSON: the user's escape hatch, applied
    /// at synth after the typed properties are rendered (before tags and
    /// property overrides), in call order. Building blocks mutate the typed
    /// value instead ([`ResourceHandle::edit`]).
    pub fn edit_properties(&self, f: impl Fn(&mut Json) + 'static) {
        self.with_data(|d| d.edits.push(Rc::new(f)));
    }

    /// Mutate the typed (L1) properties this resource was added with. The
    /// graph is not borrowed while `f` runs, so `f` may use any handle. Returns
    /// `false` (and records an error at synth) when the resource was not added
    /// as an `R` — a raw resource, or another type.
    pub fn edit<R: Resource>(&self, f: impl FnOnce(&mut R)) -> bool {
        let taken = self.with_data(|d| std::mem::replace(&mut d.props, Props::Json(Json::Null)));
        let mut props = match taken {
            Props::Typed(t) if t.as_any().is::<R>() => t,
            other => {
                self.with_data(|d| d.props = other);
                let path = self.path();
                self.app.graph.borrow_mut().errors.push(Diagnostic::error(
                    &path,
                    "properties",
                    format!("cannot edit the properties as {}: the resource was not added as that type", R::TYPE_NAME),
                ));
                return false;
            }
        };
        if let Some(r) = props.as_any_mut().downcast_mut::<R>() {
            f(r);
        }
        self.with_data(|d| d.props = Props::Typed(props));
        true
    }

    /// Force the logical ID (e.g. to adopt an existing resource).
    pub fn override_logical_id(&self, id: impl Into<String>) {
        let id = id.into();
        self.with_data(|d| d.logical_id = Some(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_written_as_format_would() {
        for (uid, node) in [(0, 0), (7, 10), (1_234_567, 89), (u64::MAX, usize::MAX)] {
            let t = token(uid, node);
            assert_eq!(t, format!("<<sc:{uid}:{node}>>"));
            assert_eq!(parse_token(&t), Some((uid, node)));
        }
    }
}
