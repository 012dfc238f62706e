//! IAM roles with an accumulating inline policy, grants and secrets.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::{json, Value as Json};
use stackcraft_cfn::iam as cfn_iam;
use stackcraft_core::{ResourceHandle, Scope, Value};
use typed_builder::TypedBuilder;

use crate::document::PolicyDocument;
use crate::principal::{Principal, ServicePrincipal};
use crate::statement::{Condition, PolicyStatement};

/// IAM's limit on the aggregate size of a role's inline policies
/// (characters, whitespace excluded).
pub const MAX_INLINE_POLICY_CHARS: usize = 10_240;

/// Checks at synth that a role's inline policies fit IAM's
/// [`MAX_INLINE_POLICY_CHARS`] (whitespace not counted, as IAM counts).
const INLINE_POLICY_SIZE: stackcraft_core::ResourceValidator =
    stackcraft_core::ResourceValidator { name: "stackcraft-iam/inline-policy-size", validate: inline_policy_size };

fn inline_policy_size(type_name: &str, properties: &serde_json::Value, findings: &mut Vec<stackcraft_core::Finding>) {
    if type_name != "AWS::IAM::Role" {
        return;
    }
    let size: usize = properties
        .get("Policies")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("PolicyDocument"))
        .map(|d| d.to_string().chars().filter(|c| !c.is_whitespace()).count())
        .sum();
    if size > MAX_INLINE_POLICY_CHARS {
        findings.push(stackcraft_core::Finding::new(
            "Policies",
            format!(
                "the inline policy has about {size} characters; IAM allows {MAX_INLINE_POLICY_CHARS} \
                 per role: grant on fewer, broader-named resources or attach a managed policy"
            ),
        ));
    }
}

/// The name of the inline policy a [`Role`] accumulates statements into.
pub const DEFAULT_POLICY_NAME: &str = "DefaultPolicy";

/// A managed policy attached to a role.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedPolicy {
    arn: Value<String>,
    /// Why the name given to [`ManagedPolicy::aws_managed`] is not a policy
    /// name (reported where the policy is attached).
    problem: Option<String>,
}

impl ManagedPolicy {
    /// An AWS managed policy by name (with its path, if it has one), e.g.
    /// `"service-role/AmazonECSTaskExecutionRolePolicy"` or
    /// `"ReadOnlyAccess"`; the ARN is built in the stack's partition
    /// (`arn:${AWS::Partition}:iam::aws:policy/<name>`).
    pub fn aws_managed(name: &str) -> Self {
        let name = name.trim_start_matches('/');
        let problem = if name.starts_with("arn:") {
            let short = name.rsplit_once(":policy/").map_or(name, |(_, n)| n);
            Some(format!(
                "ManagedPolicy::aws_managed({name:?}) was given an ARN; give the policy name ({short:?}), or use ManagedPolicy::from_arn for a customer managed policy"
            ))
        } else {
            stackcraft_core::validate::names::aws::MANAGED_POLICY_NAME.check(name).err().map(|e| e.to_string())
        };
        ManagedPolicy { arn: Value::arn("iam", "", "aws", format!("policy/{name}")), problem }
    }

    /// A customer managed policy by ARN.
    pub fn from_arn(arn: impl Into<Value<String>>) -> Self {
        ManagedPolicy { arn: arn.into(), problem: None }
    }

    /// The policy ARN.
    pub fn arn(&self) -> Value<String> {
        self.arn.clone()
    }
}

/// Properties of a [`Role`].
///
/// ```
/// use stackcraft_iam::{ManagedPolicy, RoleProps, ServicePrincipal};
/// let props = RoleProps::builder()
///     .assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com"))
///     .description("Runs the API tasks")
///     .managed_policies(vec![ManagedPolicy::aws_managed("AWSXrayWriteOnlyAccess")])
///     .build();
/// assert!(props.trust_conditions.is_empty());
/// ```
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct RoleProps {
    /// Who may assume the role (required): usually a service principal.
    #[builder(setter(into))]
    pub assumed_by: Principal,
    /// Extra principals that may also assume the role.
    #[builder(default)]
    pub also_assumed_by: Vec<Principal>,
    /// Conditions on the trust statement, e.g.
    /// [`Condition::source_account_is_this_account`].
    #[builder(default)]
    pub trust_conditions: Vec<Condition>,
    /// A description (≤ 1,000 characters).
    #[builder(default, setter(strip_option, into))]
    pub description: Option<String>,
    /// Managed policies to attach (at most 20, IAM's hard quota; 10 by default).
    #[builder(default)]
    pub managed_policies: Vec<ManagedPolicy>,
    /// Initial statements of the inline policy (more come from grants).
    #[builder(default)]
    pub inline_statements: Vec<PolicyStatement>,
    /// A permissions boundary policy ARN.
    #[builder(default, setter(strip_option, into))]
    pub permissions_boundary: Option<Value<String>>,
    /// Maximum session duration in seconds (3,600 to 43,200).
    #[builder(default, setter(strip_option))]
    pub max_session_duration_secs: Option<u32>,
    /// The IAM path (default `/`).
    #[builder(default, setter(strip_option, into))]
    pub path: Option<String>,
    /// A fixed role name. Leave unset (the default) so CloudFormation
    /// generates a unique one and replacements never clash.
    #[builder(default, setter(strip_option, into))]
    pub role_name: Option<String>,
}

#[derive(Debug)]
struct RoleState {
    policy: PolicyDocument,
    /// Managed policy ARNs, unique, in the order attached.
    managed: Vec<Value<String>>,
}

/// An IAM role (`AWS::IAM::Role`) whose inline policy `DefaultPolicy`
/// accumulates the statements added with [`Role::add_to_policy`] (by grants
/// of other building blocks), merged and deduplicated.
///
/// Cheap to clone: clones share the same role.
///
/// ```
/// use stackcraft_core::App;
/// use stackcraft_iam::{PolicyStatement, Role, RoleProps, ServicePrincipal};
///
/// let app = App::new("demo");
/// let stack = app.stack("Main");
/// let role = Role::new(&stack, "TaskRole", RoleProps::builder()
///     .assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com"))
///     .build());
/// role.add_to_policy(PolicyStatement::allow()
///     .action("sqs:SendMessage")
///     .resource(stackcraft_core::Value::arn("sqs", stackcraft_core::Value::region(),
///         stackcraft_core::Value::account_id(), "jobs")));
/// let asm = app.synth().unwrap();
/// let t = &asm.stacks[0].template;
/// let props = &t["Resources"][role.handle().logical_id()]["Properties"];
/// assert_eq!(props["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"], "sqs:SendMessage");
/// ```
#[derive(Debug, Clone)]
pub struct Role {
    scope: Scope,
    handle: ResourceHandle,
    state: Rc<RefCell<RoleState>>,
    /// Set on a view made by [`Role::attached_policy_in`]: statements go to
    /// an `AWS::IAM::Policy` in another scope instead of the inline policy.
    attached: Option<Rc<AttachedPolicy>>,
}

/// An `AWS::IAM::Policy` attached to a role, created in the scope of the
/// grants' consumer on its first statement.
#[derive(Debug)]
struct AttachedPolicy {
    scope: Scope,
    policy_name: String,
    doc: RefCell<PolicyDocument>,
    handle: RefCell<Option<ResourceHandle>>,
}

impl Role {
    /// Add a role with construct id `id` under `scope`. The
    /// `AWS::IAM::Role` resource is `<id>/Resource`.
    pub fn new(scope: &Scope, id: &str, props: RoleProps) -> Role {
        let scope = scope.scope(id);
        let principals: Vec<&Principal> = std::iter::once(&props.assumed_by).chain(&props.also_assumed_by).collect();
        for p in &principals {
            if let Principal::WebIdentity(w) = p {
                for m in w.problems() {
                    scope.error("AssumeRolePolicyDocument", m);
                }
            } else if let Some(m) = p.problem() {
                scope.error("AssumeRolePolicyDocument", m);
            }
            match p {
                Principal::Any => scope.error(
                    "AssumeRolePolicyDocument",
                    "a role trusting Principal::Any can be assumed by anyone: use Principal::anyone(reason) \
                     if that is really intended",
                ),
                Principal::Federated(_) => scope.error(
                    "AssumeRolePolicyDocument",
                    "a raw federated principal has no audience/subject conditions: trust a \
                     WebIdentityPrincipal or GithubActions instead",
                ),
                _ => {}
            }
        }
        for c in &props.trust_conditions {
            let probe =
                PolicyStatement::allow().action("sts:AssumeRole").all_resources("probe").with_condition(c.clone());
            for m in probe.problems() {
                scope.error("AssumeRolePolicyDocument", m);
            }
        }
        let trust_doc = trust_document(&principals, &props.trust_conditions);
        let mut l1 = cfn_iam::Role::new(trust_doc);
        if let Some(d) = &props.description {
            if d.chars().count() > 1000 {
                scope.error("Description", "a role description has at most 1,000 characters");
            }
            l1 = l1.description(d);
        }
        if let Some(b) = &props.permissions_boundary {
            l1 = l1.permissions_boundary(b.clone());
        }
        if let Some(s) = props.max_session_duration_secs {
            if !(3600..=43_200).contains(&s) {
                scope.error("MaxSessionDuration", format!("{s} seconds given; allowed: 3600 to 43200"));
            }
            l1 = l1.max_session_duration(s);
        }
        if let Some(path) = &props.path {
            if !(path.starts_with('/') && path.ends_with('/')) || path.len() > 512 {
                scope.error("Path", format!("path {path:?} must start and end with '/' (≤ 512 characters)"));
            }
            l1 = l1.path(path);
        }
        if let Some(n) = &props.role_name {
            let ok =
                !n.is_empty() && n.len() <= 64 && n.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
            if !ok {
                scope.error("RoleName", format!("role name {n:?}: 1 to 64 characters of A-Z a-z 0-9 and +=,.@_-"));
            }
            l1 = l1.role_name(n);
        }
        scope.app().add_resource_validator(INLINE_POLICY_SIZE);
        let handle: ResourceHandle = (*scope.add("Resource", l1)).clone();
        for p in &principals {
            if let Principal::AnyAcknowledged(reason) = p {
                handle.add_metadata("stackcraft:trustsAnyone", json!(reason));
            }
        }
        let role = Role {
            scope,
            handle,
            attached: None,
            state: Rc::new(RefCell::new(RoleState { policy: PolicyDocument::new(), managed: Vec::new() })),
        };
        for m in props.managed_policies {
            role.add_managed_policy(m);
        }
        for s in props.inline_statements {
            role.add_to_policy(s);
        }
        role
    }

    /// Write the role's typed state (accumulated inline policy, managed
    /// policies) into its typed L1 properties in the graph (the role's own
    /// properties were stored there once, by `Role::new`).
    fn render(&self) {
        let (managed, has_policy) = {
            let st = self.state.borrow();
            (st.managed.clone(), !st.policy.is_empty())
        };
        let state = self.state.clone();
        self.handle.edit(|p: &mut cfn_iam::Role| {
            if !managed.is_empty() {
                p.managed_policy_arns = Some(managed.into());
            }
            if has_policy {
                let document: Value<stackcraft_cfn::Json> = Value::lazy(move || state.borrow().policy.to_json());
                p.policies = Some(
                    vec![cfn_iam::role::Policy::new(cfn_iam::role::PolicyRequired {
                        policy_document: document,
                        policy_name: DEFAULT_POLICY_NAME.into(),
                    })]
                    .into(),
                );
            }
        });
    }

    /// The role ARN (`Fn::GetAtt [Role, Arn]`).
    pub fn arn(&self) -> Value<String> {
        self.handle.get_att("Arn")
    }

    /// The role name (`Ref`).
    pub fn name(&self) -> Value<String> {
        self.handle.ref_()
    }

    /// The stable role id (`Fn::GetAtt [Role, RoleId]`).
    pub fn role_id(&self) -> Value<String> {
        self.handle.get_att("RoleId")
    }

    /// The `AWS::IAM::Role` resource (escape hatches, DependsOn).
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }

    /// The role's construct scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Add a statement to the role's inline policy `DefaultPolicy`, merged
    /// with and deduplicated against what is there (see [`PolicyDocument`]).
    /// Least-privilege problems ([`PolicyStatement::problems`]) and
    /// principals (not allowed in an identity policy) are recorded as
    /// errors at the role's construct path. Returns whether the policy grew.
    pub fn add_to_policy(&self, statement: PolicyStatement) -> bool {
        for p in statement.problems() {
            self.scope.error("Policies", p);
        }
        if statement.has_principals() {
            self.scope.error(
                "Policies",
                "a statement of a role's (identity) policy must not name a principal; \
                 principals belong in resource policies",
            );
        }
        if let Some(a) = &self.attached {
            return self.add_to_attached(a, statement);
        }
        let mut st = self.state.borrow_mut();
        let first = st.policy.is_empty();
        if !st.policy.add_statement(statement) {
            return false;
        }
        drop(st);
        // The inline policy is a lazy value over the typed document: the
        // role is rendered again only when the policy appears, and the
        // document once, at synth (its size is checked there too).
        if first {
            self.render();
        }
        true
    }

    fn add_to_attached(&self, a: &AttachedPolicy, statement: PolicyStatement) -> bool {
        if !a.doc.borrow_mut().add_statement(statement) {
            return false;
        }
        let l1 = cfn_iam::Policy::new(cfn_iam::PolicyRequired {
            policy_document: a.doc.borrow().to_json().into(),
            policy_name: a.policy_name.as_str().into(),
        })
        .roles(vec![self.name()]);
        let existing = a.handle.borrow().clone();
        match existing {
            Some(h) => {
                h.edit(|p: &mut cfn_iam::Policy| *p = l1);
            }
            None => {
                let h: ResourceHandle = (*a.scope.add("Resource", l1)).clone();
                *a.handle.borrow_mut() = Some(h);
            }
        }
        true
    }

    /// A view of this role whose grants ([`Role::add_to_policy`]) go to an
    /// `AWS::IAM::Policy` attached to the role, created under `scope`/`id`
    /// (in `scope`'s stack) on the first statement, instead of the role's
    /// own inline policy. For a role made elsewhere (e.g. an ECS execution
    /// role in a bootstrap stack) used by blocks of another stack: the
    /// grants live beside the resources they name, so no stack imports from
    /// the other in both directions.
    pub fn attached_policy_in(&self, scope: &Scope, id: &str) -> Role {
        let scope = scope.scope(id);
        // The environment is part of the name: a role shared by several
        // environments' stacks gets one policy per environment (IAM would
        // silently replace a same-named inline policy).
        let qualified = match scope.app().environment() {
            Some(e) => format!("{}-{}", e.name, scope.path()),
            None => scope.path(),
        };
        let name: String = qualified
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) { c } else { '-' })
            .collect();
        let name: String = name.chars().rev().take(128).collect::<Vec<_>>().into_iter().rev().collect();
        Role {
            scope: self.scope.clone(),
            handle: self.handle.clone(),
            state: self.state.clone(),
            attached: Some(Rc::new(AttachedPolicy {
                scope,
                policy_name: name,
                doc: RefCell::new(PolicyDocument::new()),
                handle: RefCell::new(None),
            })),
        }
    }

    /// What must exist before the role's permissions are in effect: the
    /// role, and the attached policy of a view made by
    /// [`Role::attached_policy_in`] once it has statements.
    pub fn dependables(&self) -> Vec<ResourceHandle> {
        let mut out = vec![self.handle.clone()];
        if let Some(h) = self.attached.as_ref().and_then(|a| a.handle.borrow().clone()) {
            out.push(h);
        }
        out
    }

    /// Allow this role to run `cargo xtask deploy|diff|destroy` on the
    /// stacks matching `stack_patterns` (e.g. `order-tracking-dev-*`): the
    /// statements of [`crate::deploy_statements`]; a bad pattern is an error
    /// at this role's path. Also grant `iam:PassRole` for the roles its
    /// stacks' resources are given ([`Role::grant_pass_role`]).
    pub fn allow_deploy_of<S: AsRef<str>>(&self, stack_patterns: &[S]) {
        match crate::deploy::deploy_statements(stack_patterns) {
            Ok(statements) => statements.into_iter().for_each(|s| {
                self.add_to_policy(s);
            }),
            Err(e) => self.scope.error("Policies", e.to_string()),
        }
    }

    /// Allow this role to read (never change) the stacks matching
    /// `stack_patterns`: the statement of [`crate::read_statements`]. A
    /// deployer of one environment needs it on the shared stacks its stacks
    /// import from (`cargo xtask deploy ENV` reads their outputs and compares
    /// their templates), e.g. `deployer.allow_read_of(&["order-tracking-Bootstrap"])`.
    /// A bad pattern is an error at this role's path.
    pub fn allow_read_of<S: AsRef<str>>(&self, stack_patterns: &[S]) {
        match crate::deploy::read_statements(stack_patterns) {
            Ok(statements) => statements.into_iter().for_each(|s| {
                self.add_to_policy(s);
            }),
            Err(e) => self.scope.error("Policies", e.to_string()),
        }
    }

    /// Attach another managed policy (once; IAM allows at most 20).
    pub fn add_managed_policy(&self, policy: ManagedPolicy) {
        if let Some(m) = &policy.problem {
            self.scope.error("ManagedPolicyArns", m.clone());
            return;
        }
        let count = {
            let mut st = self.state.borrow_mut();
            if st.managed.contains(&policy.arn) {
                return;
            }
            st.managed.push(policy.arn);
            st.managed.len()
        };
        if count == 21 {
            self.scope.error(
                "ManagedPolicyArns",
                "more than 20 managed policies attached; IAM allows at most 20 per role (10 unless the quota was raised)",
            );
        }
        self.render();
    }

    /// A copy of the policy document as accumulated so far (the inline
    /// policy, or the attached policy of a view).
    pub fn policy_document(&self) -> PolicyDocument {
        match &self.attached {
            Some(a) => a.doc.borrow().clone(),
            None => self.state.borrow().policy.clone(),
        }
    }

    /// Allow `grantee` to pass this role to `service` only (`iam:PassRole`
    /// on this role's ARN, constrained by `iam:PassedToService`), e.g. a
    /// deployer passing an ECS execution role to `ecs-tasks.amazonaws.com`.
    pub fn grant_pass_role(&self, grantee: &dyn Grantable, service: impl Into<ServicePrincipal>) {
        grantee.grant_principal().add_to_policy(pass_role_statement(self.arn(), service));
    }
}

/// `iam:PassRole` on `role_arn`, only to `service` (`StringEquals
/// iam:PassedToService`).
pub fn pass_role_statement(
    role_arn: impl Into<Value<String>>,
    service: impl Into<ServicePrincipal>,
) -> PolicyStatement {
    PolicyStatement::allow().action("iam:PassRole").resource(role_arn).condition(
        "StringEquals",
        "iam:PassedToService",
        service.into().service(),
    )
}

/// The trust policy: one statement per assume action (each principal
/// chooses its own, see [`Principal::assume_action`]); each web identity
/// gets a statement of its own with its `aud`/`sub` conditions. `extra`
/// conditions apply to every statement.
fn trust_document(principals: &[&Principal], extra: &[Condition]) -> Json {
    let with_extra = |mut st: PolicyStatement| {
        for c in extra {
            st = st.with_condition(c.clone());
        }
        st
    };
    let mut grouped: std::collections::BTreeMap<&str, PolicyStatement> = std::collections::BTreeMap::new();
    let mut web: Vec<PolicyStatement> = Vec::new();
    for p in principals {
        match p {
            Principal::WebIdentity(w) => {
                let mut st = PolicyStatement::allow().action(p.assume_action()).principal((*p).clone());
                for c in w.conditions() {
                    st = st.with_condition(c);
                }
                let st = with_extra(st);
                if !web.contains(&st) {
                    web.push(st);
                }
            }
            _ => {
                let action = p.assume_action();
                let st = grouped.remove(action).unwrap_or_else(|| PolicyStatement::allow().action(action));
                grouped.insert(action, st.principal((*p).clone()));
            }
        }
    }
    let statements: Vec<Json> =
        grouped.into_values().map(with_extra).chain(web).map(PolicyStatement::into_json).collect();
    crate::document::policy_document(statements)
}

/// Something permissions can be granted to: a role, or a building block that
/// runs as one (an ECS service grants to its task role).
pub trait Grantable {
    /// The role that receives granted statements.
    fn grant_principal(&self) -> Role;
}

impl Grantable for Role {
    fn grant_principal(&self) -> Role {
        self.clone()
    }
}

/// Grant `statement` to `grantee` (adds it to the grantee role's policy).
pub fn grant(grantee: &dyn Grantable, statement: PolicyStatement) -> bool {
    grantee.grant_principal().add_to_policy(statement)
}

/// A Secrets Manager secret that can be read by a grantee, e.g. injected
/// into a container (implemented by `stackcraft_data::Secret` and
/// [`ExistingSecret`]).
pub trait SecretSource {
    /// The secret's full ARN.
    fn secret_arn(&self) -> Value<String>;
    /// Allow `grantee` to read the secret value (and decrypt it, when the
    /// secret uses a customer managed KMS key).
    fn grant_read(&self, grantee: &dyn Grantable);
}

/// A secret not managed by this app, referenced by its full ARN.
#[derive(Debug, Clone, PartialEq)]
pub struct ExistingSecret {
    arn: Value<String>,
    kms_key_arn: Option<Value<String>>,
}

impl ExistingSecret {
    /// The secret with this full ARN (including the random 6-character
    /// suffix Secrets Manager appends to the name).
    pub fn from_arn(arn: impl Into<Value<String>>) -> Self {
        ExistingSecret { arn: arn.into(), kms_key_arn: None }
    }

    /// The customer managed KMS key the secret is encrypted with (readers
    /// get `kms:Decrypt` on it).
    pub fn with_kms_key(mut self, key_arn: impl Into<Value<String>>) -> Self {
        self.kms_key_arn = Some(key_arn.into());
        self
    }
}

impl SecretSource for ExistingSecret {
    fn secret_arn(&self) -> Value<String> {
        self.arn.clone()
    }

    fn grant_read(&self, grantee: &dyn Grantable) {
        let role = grantee.grant_principal();
        role.add_to_policy(
            PolicyStatement::allow()
                .actions(["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"])
                .resource(self.arn.clone()),
        );
        if let Some(k) = &self.kms_key_arn {
            role.add_to_policy(PolicyStatement::allow().action("kms:Decrypt").resource(k.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::principal::ServicePrincipal;
    use stackcraft_core::{App, ToCfn};

    fn role(app: &App) -> Role {
        let stack = app.stack("S");
        Role::new(
            &stack,
            "R",
            RoleProps::builder().assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com")).build(),
        )
    }

    #[test]
    fn accumulates_and_dedupes() {
        let app = App::new("t");
        let r = role(&app);
        assert!(r.add_to_policy(PolicyStatement::allow().action("s3:GetObject").resource("arn:b")));
        assert!(!r.add_to_policy(PolicyStatement::allow().action("s3:GetObject").resource("arn:b")));
        assert!(r.add_to_policy(PolicyStatement::allow().action("s3:GetObject").resource("arn:c")));
        assert_eq!(r.policy_document().statements().len(), 1);
        let asm = app.synth().expect("synth");
        let props = &asm.stacks[0].template["Resources"][r.handle().logical_id()]["Properties"];
        assert_eq!(props["Policies"][0]["PolicyDocument"]["Statement"][0]["Resource"], json!(["arn:b", "arn:c"]));
    }

    #[test]
    fn wildcard_is_an_error_at_synth() {
        let app = App::new("t");
        let r = role(&app);
        r.add_to_policy(PolicyStatement::allow().action("*").resource("*"));
        let err = app.synth().expect_err("must fail").to_string();
        assert!(err.contains("S/R") && err.contains("least privilege"), "{err}");
    }

    #[test]
    fn principal_in_identity_policy_is_an_error() {
        let app = App::new("t");
        let r = role(&app);
        r.add_to_policy(
            PolicyStatement::allow().action("s3:GetObject").resource("arn:b").principal(Principal::this_account()),
        );
        assert!(app.synth().is_err());
    }

    #[test]
    fn managed_policy_arn_is_partition_aware() {
        let arn =
            ManagedPolicy::aws_managed("service-role/AmazonECSTaskExecutionRolePolicy").arn().to_cfn().to_string();
        assert!(arn.contains("AWS::Partition") && arn.contains("policy/service-role/"), "{arn}");
        assert!(!arn.contains("arn:aws:"));
    }

    #[test]
    fn too_big_policy_is_reported_once() {
        let app = App::new("t");
        let r = role(&app);
        for i in 0..120 {
            r.add_to_policy(
                PolicyStatement::allow()
                    .action(format!("sqs:SendMessage{}", i % 7))
                    .resource(format!("arn:queue-with-a-long-name-{i}"))
                    .condition("StringEquals", "aws:ResourceTag/n", i.to_string()),
            );
        }
        let err = app.synth().expect_err("too big").to_string();
        assert_eq!(err.matches("inline policy has about").count(), 1, "{err}");
    }

    #[test]
    fn trust_problems_are_errors() {
        let app = App::new("t");
        let stack = app.stack("S");
        Role::new(
            &stack,
            "R",
            RoleProps::builder()
                .assumed_by(ServicePrincipal::new("ecs-tasks"))
                .trust_conditions(vec![Condition::new("StringEqual", "aws:SourceAccount", "1")])
                .build(),
        );
        let err = app.synth().expect_err("bad trust").to_string();
        assert!(err.contains("ecs-tasks.amazonaws.com") && err.contains("StringEqual"), "{err}");
    }

    #[test]
    fn existing_secret_grant() {
        let app = App::new("t");
        let r = role(&app);
        let s = ExistingSecret::from_arn("arn:secret").with_kms_key("arn:key");
        s.grant_read(&r);
        s.grant_read(&r);
        let d = r.policy_document();
        assert_eq!(d.statements().len(), 2);
        assert_eq!(s.secret_arn(), Value::from("arn:secret"));
    }

    fn trust_of(app: &App, r: &Role) -> Json {
        let asm = app.synth().expect("synth");
        asm.stacks[0].template["Resources"][r.handle().logical_id()]["Properties"]["AssumeRolePolicyDocument"].clone()
    }

    #[test]
    fn web_identity_without_sub_is_an_error() {
        let app = App::new("t");
        let stack = app.stack("S");
        let web = crate::WebIdentityPrincipal::new("arn:p", "https://x.example").audience("sts.amazonaws.com");
        Role::new(&stack, "Deployer", RoleProps::builder().assumed_by(web).build());
        let err = app.synth().expect_err("no sub").to_string();
        assert!(
            err.contains(
                "S/Deployer [AssumeRolePolicyDocument]: web identity of \"x.example\" has no subject (sub) \
                 restriction: every identity of the provider (e.g. any GitHub repository) could assume the role"
            ),
            "{err}"
        );
    }

    #[test]
    fn github_repo_without_ref_is_an_error() {
        let app = App::new("t");
        let stack = app.stack("S");
        Role::new(&stack, "Deployer", RoleProps::builder().assumed_by(crate::GithubActions::repo("acme/shop")).build());
        let err = app.synth().expect_err("no sub").to_string();
        assert!(err.contains("S/Deployer [AssumeRolePolicyDocument]: web identity of \"token.actions.githubusercontent.com\" has no subject"), "{err}");
    }

    #[test]
    fn web_identity_without_aud_is_an_error() {
        let app = App::new("t");
        let stack = app.stack("S");
        let web = crate::WebIdentityPrincipal::new("arn:p", "x.example").subject("repo:a/b:ref:refs/heads/main");
        Role::new(&stack, "R", RoleProps::builder().assumed_by(web).build());
        let err = app.synth().expect_err("no aud").to_string();
        assert!(err.contains("S/R [AssumeRolePolicyDocument]: web identity of \"x.example\" has no audience"), "{err}");
    }

    #[test]
    fn each_principal_chooses_its_assume_action() {
        let app = App::new("t");
        let stack = app.stack("S");
        let r = Role::new(
            &stack,
            "R",
            RoleProps::builder()
                .assumed_by(crate::GithubActions::repo("acme/shop").branch("main").environment("dev"))
                .also_assumed_by(vec![
                    Principal::this_account(),
                    crate::GithubActions::repo("acme/shop").tag("v*").into(),
                ])
                .build(),
        );
        let trust = trust_of(&app, &r);
        let st = trust["Statement"].as_array().expect("statements");
        assert_eq!(st.len(), 3, "{trust:#}");
        assert_eq!(st[0]["Action"], "sts:AssumeRole");
        assert_eq!(st[1]["Action"], "sts:AssumeRoleWithWebIdentity");
        assert_eq!(st[1]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:aud"], "sts.amazonaws.com");
        assert_eq!(
            st[1]["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"],
            json!(["repo:acme/shop:environment:dev", "repo:acme/shop:ref:refs/heads/main"])
        );
        assert_eq!(
            st[2]["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"],
            "repo:acme/shop:ref:refs/tags/v*"
        );
        assert!(st[1]["Principal"]["Federated"]
            .to_string()
            .contains("oidc-provider/token.actions.githubusercontent.com"));
    }

    #[test]
    fn principal_any_needs_a_reason() {
        let app = App::new("t");
        let stack = app.stack("S");
        Role::new(&stack, "Open", RoleProps::builder().assumed_by(Principal::Any).build());
        let err = app.synth().expect_err("any").to_string();
        assert!(
            err.contains(
                "S/Open [AssumeRolePolicyDocument]: a role trusting Principal::Any can be assumed by anyone: \
                 use Principal::anyone(reason) if that is really intended"
            ),
            "{err}"
        );

        let app = App::new("t");
        let stack = app.stack("S");
        Role::new(&stack, "Open", RoleProps::builder().assumed_by(Principal::anyone(" ")).build());
        let err = app.synth().expect_err("blank reason").to_string();
        assert!(err.contains("S/Open [AssumeRolePolicyDocument]: Principal::anyone(reason) needs a reason"), "{err}");

        let app = App::new("t");
        let stack = app.stack("S");
        let r = Role::new(
            &stack,
            "Open",
            RoleProps::builder()
                .assumed_by(Principal::anyone("public demo role, holds no permissions"))
                .trust_conditions(vec![Condition::new("StringEquals", "aws:PrincipalOrgID", "o-abc")])
                .build(),
        );
        let asm = app.synth().expect("acknowledged");
        let res = &asm.stacks[0].template["Resources"][r.handle().logical_id()];
        assert_eq!(res["Metadata"]["stackcraft:trustsAnyone"], "public demo role, holds no permissions");
        assert_eq!(res["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"], "*");
    }

    #[test]
    fn allow_with_principal_any_is_a_problem() {
        let st = PolicyStatement::allow().action("s3:GetObject").resource("arn:b").principal(Principal::Any);
        assert_eq!(st.problems().len(), 1);
        let deny = PolicyStatement::deny().action("s3:GetObject").resource("arn:b").principal(Principal::Any);
        assert!(deny.problems().is_empty());
    }

    #[test]
    fn pass_role_is_constrained_to_the_service() {
        let app = App::new("t");
        let exec = role(&app);
        let stack = app.stack("D");
        let deployer =
            Role::new(&stack, "Deployer", RoleProps::builder().assumed_by(Principal::this_account()).build());
        exec.grant_pass_role(&deployer, ServicePrincipal::new("ecs-tasks.amazonaws.com"));
        let st = &deployer.policy_document().statements()[0].to_json();
        assert_eq!(st["Action"], "iam:PassRole");
        assert_eq!(st["Condition"]["StringEquals"]["iam:PassedToService"], "ecs-tasks.amazonaws.com");
    }

    #[test]
    fn managed_policies_are_typed_state() {
        let app = App::new("t");
        let r = role(&app);
        r.add_managed_policy(ManagedPolicy::aws_managed("ReadOnlyAccess"));
        r.add_managed_policy(ManagedPolicy::aws_managed("ReadOnlyAccess"));
        r.add_to_policy(PolicyStatement::allow().action("s3:GetObject").resource("arn:b"));
        let asm = app.synth().expect("synth");
        let props = &asm.stacks[0].template["Resources"][r.handle().logical_id()]["Properties"];
        assert_eq!(props["ManagedPolicyArns"].as_array().map(Vec::len), Some(1));
        assert_eq!(props["Policies"][0]["PolicyName"], DEFAULT_POLICY_NAME);
    }

    #[test]
    fn attached_policy_lives_in_the_consumer_stack() {
        let app = App::new("t");
        app.set_environment("dev", false);
        let exec = role(&app);
        let env = app.stack("Env");
        let view = exec.attached_policy_in(&env, "ExecPolicy");
        assert!(view.add_to_policy(PolicyStatement::allow().action("logs:PutLogEvents").resource("arn:log")));
        assert!(!view.add_to_policy(PolicyStatement::allow().action("logs:PutLogEvents").resource("arn:log")));
        assert_eq!(view.dependables().len(), 2);
        assert!(exec.policy_document().is_empty());
        let asm = app.synth().expect("synth");
        let env_t = &asm.stacks.iter().find(|s| s.stack_name == "t-dev-Env").expect("env").template;
        let (_, policy) = env_t["Resources"].as_object().and_then(|m| m.iter().next()).expect("policy");
        assert_eq!(policy["Type"], "AWS::IAM::Policy");
        assert_eq!(policy["Properties"]["PolicyName"], "dev-Env-ExecPolicy");
        assert!(policy["Properties"]["Roles"][0].get("Fn::ImportValue").is_some(), "{policy:#}");
        let s_t = &asm.stacks.iter().find(|s| s.stack_name == "t-dev-S").expect("s").template;
        assert!(s_t["Resources"][exec.handle().logical_id()]["Properties"].get("Policies").is_none());
    }

    #[test]
    fn deploy_patterns_are_checked_at_the_role() {
        let app = App::new("t");
        let r = role(&app);
        r.allow_deploy_of(&["order-tracking-dev-*"]);
        assert_eq!(r.policy_document().statements().len(), 3);
        r.allow_deploy_of(&["*"]);
        let err = app.synth().expect_err("bad pattern").to_string();
        assert!(err.contains("S/R [Policies]: stack pattern \"*\" must be a stack name"), "{err}");
    }

    #[test]
    fn read_patterns_are_checked_at_the_role() {
        let app = App::new("t");
        let r = role(&app);
        r.allow_read_of(&["order-tracking-Bootstrap"]);
        assert_eq!(r.policy_document().statements().len(), 1);
        r.allow_read_of(&["x/y"]);
        let err = app.synth().expect_err("bad pattern").to_string();
        assert!(err.contains("S/R [Policies]: stack pattern \"x/y\" must be a stack name"), "{err}");
    }
}
