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
pub trait Resource: ToCfn {
    /// The CloudFormation type name, e.g. `AWS::EC2::VPC`.
    const TYPE_NAME: &'static str;
    /// How the type carries tags.
    const TAGS: TagFormat;
    /// The typed handle returned when the resource is added to a scope.
    type Handle: From<ResourceHandle>;
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

#[derive(Debug)]
pub(crate) struct ResourceData {
    pub(crate) type_name: String,
    pub(crate) props: Json,
    pub(crate) tags: TagFormat,
    pub(crate) depends_on: Vec<NodeId>,
    pub(crate) deletion_policy: Option<DeletionPolicy>,
    pub(crate) update_replace_policy: Option<DeletionPolicy>,
    pub(crate) condition: Option<String>,
    pub(crate) metadata: Map<String, Json>,
    pub(crate) overrides: Vec<(String, Option<Json>)>,
    pub(crate) logical_id: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct StackData {
    pub(crate) stack_name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) termination_protection: Option<bool>,
    pub(crate) metadata: Map<String, Json>,
    pub(crate) dependencies: Vec<NodeId>,
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
        if id.is_empty() || id.contains('/') {
            let path = self.path(parent);
            self.errors.push(Diagnostic::error(
                &format!("{path}/{id}"),
                "construct id",
                format!("construct id {id:?} must be non-empty and must not contain '/'"),
            ));
            id = if id.is_empty() { "Unnamed".into() } else { id.replace('/', "-") };
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
pub struct EnvInfo {
    /// Environment name (`dev`, `staging`, `prod`, ...).
    pub name: String,
    /// Production environments get termination protection and guarded destroy.
    pub production: bool,
}

pub(crate) struct AppInner {
    pub(crate) uid: u64,
    pub(crate) name: String,
    pub(crate) env: RefCell<Option<EnvInfo>>,
    pub(crate) graph: RefCell<Graph>,
    pub(crate) validators: RefCell<Vec<Box<dyn crate::ack::Validator>>>,
    pub(crate) audit: std::cell::Cell<bool>,
}

pub(crate) fn token(uid: u64, node: NodeId) -> String {
    format!("<<sc:{uid}:{node}>>")
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
                audit: std::cell::Cell::new(false),
            }),
        }
    }

    /// Mark the app as built for an environment: deployed stack names become
    /// `<app>-<env>-<stack>` and production stacks get termination protection.
    pub fn set_environment(&self, name: impl Into<String>, production: bool) {
        *self.inner.env.borrow_mut() = Some(EnvInfo { name: name.into(), production });
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

    /// Tag every taggable resource of every stack (and the stacks themselves).
    pub fn add_tag(&self, key: impl Into<String>, value: impl Into<String>) {
        self.root().add_tag(key, value);
    }

    /// Record an error found while building (reported with all others at synth).
    pub fn error(&self, path: &str, property: &str, message: impl Into<String>) {
        self.inner.graph.borrow_mut().errors.push(Diagnostic::error(path, property, message.into()));
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
    pub fn add<R: Resource>(&self, id: &str, props: R) -> R::Handle {
        let json = props.to_cfn();
        self.add_resource_json(id, R::TYPE_NAME, json, R::TAGS).into()
    }

    /// Add a resource of any type given as JSON properties.
    pub fn add_raw(&self, id: &str, resource: RawResource) -> ResourceHandle {
        self.add_resource_json(id, &resource.type_name, resource.properties, resource.tags)
    }

    fn add_resource_json(&self, id: &str, type_name: &str, props: Json, tags: TagFormat) -> ResourceHandle {
        let data = ResourceData {
            type_name: type_name.to_owned(),
            props,
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

    /// The app this scope belongs to.
    pub fn app(&self) -> App {
        App { inner: self.app.clone() }
    }

    /// Record an error at this scope (for building blocks that detect bad
    /// input); synth reports it with all others and writes nothing.
    pub fn error(&self, property: &str, message: impl Into<String>) {
        let path = self.path();
        self.app.graph.borrow_mut().errors.push(Diagnostic::error(&path, property, message.into()));
    }

    /// Record a warning at this scope (printed by synth, does not fail it).
    /// Its rule id is `warning.<property>` (letters, digits, `.`, `-`, `_`
    /// kept); prefer [`Scope::warn`] with a rule id of its own.
    pub fn warning(&self, property: &str, message: impl Into<String>) {
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
    pub fn warn(&self, rule: &str, property: &str, message: impl Into<String>) {
        let path = self.path();
        self.app.graph.borrow_mut().errors.push(Diagnostic::warning(&path, property, message.into()).with_rule(rule));
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

    /// Deploy `other` before this stack.
    pub fn add_dependency(&self, other: &Stack) {
        let o = other.0.node;
        self.with_data(|s| s.dependencies.push(o));
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
        Expr(json!({ "Ref": self.token })).into()
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
        Expr(json!({ "Ref": self.token() })).into()
    }

    /// `Fn::GetAtt` of this resource, typed by the caller.
    pub fn get_att<T>(&self, attribute: &str) -> Value<T> {
        Expr(json!({ "Fn::GetAtt": [self.token(), attribute] })).into()
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
            let path = self.path();
            self.app.graph.borrow_mut().errors.push(Diagnostic::error(
                &path,
                "DependsOn",
                "depends on a resource of another app",
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

    /// Edit the properties JSON in place (for building blocks that accumulate
    /// into a resource after adding it, e.g. policy statements).
    pub fn edit_properties(&self, f: impl FnOnce(&mut Json)) {
        self.with_data(|d| f(&mut d.props));
    }

    /// Force the logical ID (e.g. to adopt an existing resource).
    pub fn override_logical_id(&self, id: impl Into<String>) {
        let id = id.into();
        self.with_data(|d| d.logical_id = Some(id));
    }
}
