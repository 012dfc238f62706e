//! stackcraft-iam: least-privilege IAM building blocks.
//!
//! - [`PolicyStatement`] / [`PolicyDocument`]: statements with effect,
//!   actions, resources, principals and conditions; documents merge and
//!   deduplicate statements and render deterministically.
//! - [`ServicePrincipal`] / [`Principal`]: who a trust or resource policy
//!   applies to (account principals are partition-aware).
//! - [`Role`]: an `AWS::IAM::Role` whose inline policy accumulates grants
//!   ([`Role::add_to_policy`]); AWS managed policies by name
//!   ([`ManagedPolicy::aws_managed`], partition-aware ARN).
//! - [`OpenIdConnectProvider`] (GitHub's by default) and web-identity
//!   principals ([`GithubActions`], [`WebIdentityPrincipal`]) that assume
//!   with `sts:AssumeRoleWithWebIdentity` and must restrict `aud` and `sub`;
//!   every principal chooses its own assume action.
//! - [`deploy_statements`]: what a CI deployer role needs for
//!   `cargo xtask deploy` ([`read_statements`] on the shared stacks it
//!   imports from); [`Role::grant_pass_role`] constrained by
//!   `iam:PassedToService`.
//! - [`Grantable`]: what grants go to (a role, an ECS service's task role...).
//! - [`SecretSource`]: a Secrets Manager secret a grantee can read
//!   (implemented by `stackcraft_data::Secret` and [`ExistingSecret`]).
//!
//! Least privilege is checked when statements reach a role: `*` and
//! `service:*` actions are errors, and `Resource: "*"` needs
//! [`PolicyStatement::all_resources`] with the reason (only for actions
//! without resource-level permissions). Errors are recorded on the role's
//! construct path and reported by synth; nothing panics.
#![forbid(unsafe_code)]

mod deploy;
mod document;
mod oidc;
mod principal;
mod role;
mod statement;

pub use deploy::{
    deploy_statements, read_statements, StackPatternError, DEPLOY_CLOUDFORMATION_ACTIONS, READ_CLOUDFORMATION_ACTIONS,
};
pub use document::PolicyDocument;
pub use oidc::{
    GithubActions, OpenIdConnectProvider, OpenIdConnectProviderProps, GITHUB_ACTIONS_AUDIENCE, GITHUB_ACTIONS_ISSUER,
};
pub use principal::{Principal, ServicePrincipal, WebIdentityPrincipal};
pub use role::{
    grant, pass_role_statement, ExistingSecret, Grantable, ManagedPolicy, Role, RoleProps, SecretSource,
    DEFAULT_POLICY_NAME, MAX_INLINE_POLICY_CHARS,
};
pub use statement::{Condition, Effect, PolicyStatement};
