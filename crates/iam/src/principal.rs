//! Principals: who a trust policy or resource policy applies to.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};
use stackcraft_core::{ToCfn, Value};

/// An AWS service principal such as `ecs-tasks.amazonaws.com`.
///
/// The name is written as given: the service principals stackcraft's building
/// blocks use (`ecs-tasks`, `ecs`, `application-autoscaling`, `logs`,
/// `monitoring.rds`, ...) are spelled `<service>.amazonaws.com` in every
/// partition, including aws-cn and aws-us-gov.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServicePrincipal {
    service: String,
}

impl ServicePrincipal {
    /// A service principal, e.g. `ServicePrincipal::new("ecs-tasks.amazonaws.com")`.
    pub fn new(service: impl Into<String>) -> Self {
        ServicePrincipal { service: service.into() }
    }

    /// The principal name.
    pub fn service(&self) -> &str {
        &self.service
    }
}

/// A principal in a trust or resource policy.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Principal {
    /// `{"Service": "..."}`
    Service(ServicePrincipal),
    /// `{"AWS": arn-or-account}`: an account root, role or user ARN.
    Aws(Value<String>),
    /// `{"Federated": "..."}`: a SAML or OIDC provider.
    Federated(Value<String>),
    /// `"*"`: anyone. Only sensible in a `Deny` statement with conditions
    /// (e.g. a bucket policy denying insecure transport): an `Allow` with it,
    /// or a role trusting it, is an error. Use [`Principal::anyone`] with the
    /// reason where everyone must really be allowed.
    Any,
    /// `"*"` allowed on purpose: [`Principal::anyone`] with the reason, which
    /// a [`crate::Role`] writes into its metadata.
    AnyAcknowledged(String),
    /// A federated OIDC identity (`{"Federated": provider}`) assumed with
    /// `sts:AssumeRoleWithWebIdentity`, with its required `aud` and `sub`
    /// conditions: see [`WebIdentityPrincipal`] and [`crate::GithubActions`].
    WebIdentity(WebIdentityPrincipal),
}

/// An identity from an OpenID Connect provider, e.g. a GitHub Actions job.
///
/// A role trusting it gets one trust statement with the action
/// `sts:AssumeRoleWithWebIdentity`, `StringEquals <issuer>:aud` and
/// `StringLike <issuer>:sub` (so that only the named subjects, not every
/// user of the provider, can assume the role). A role whose web identity has
/// no audience or no subject is an error at synth.
#[derive(Debug, Clone, PartialEq)]
pub struct WebIdentityPrincipal {
    pub(crate) provider_arn: Value<String>,
    pub(crate) issuer: String,
    pub(crate) audiences: Vec<String>,
    pub(crate) subjects: Vec<String>,
    /// Problems found by the builder that made it (e.g. a bad repository).
    pub(crate) notes: Vec<String>,
}

impl WebIdentityPrincipal {
    /// Identities of the OIDC provider with ARN `provider_arn` whose issuer
    /// host (and path) is `issuer`, e.g. `token.actions.githubusercontent.com`
    /// (`https://` is stripped). Add [`Self::audience`] and [`Self::subject`].
    pub fn new(provider_arn: impl Into<Value<String>>, issuer: &str) -> Self {
        WebIdentityPrincipal {
            provider_arn: provider_arn.into(),
            issuer: issuer.trim_start_matches("https://").trim_end_matches('/').to_owned(),
            audiences: Vec::new(),
            subjects: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Accept tokens issued for this audience (the `aud` claim).
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        let aud = aud.into();
        if !self.audiences.contains(&aud) {
            self.audiences.push(aud);
            self.audiences.sort();
        }
        self
    }

    /// Accept tokens with this subject (the `sub` claim; `*` and `?`
    /// match as in `StringLike`).
    pub fn subject(mut self, sub: impl Into<String>) -> Self {
        let sub = sub.into();
        if !self.subjects.contains(&sub) {
            self.subjects.push(sub);
            self.subjects.sort();
        }
        self
    }

    /// The provider ARN.
    pub fn provider_arn(&self) -> &Value<String> {
        &self.provider_arn
    }

    /// The accepted subjects, sorted.
    pub fn subjects(&self) -> &[String] {
        &self.subjects
    }

    /// The trust conditions: `StringEquals <issuer>:aud` and
    /// `StringLike <issuer>:sub` (only those that have values).
    pub fn conditions(&self) -> Vec<crate::Condition> {
        let one_or_many = |v: &[String]| match v {
            [one] => json!(one),
            many => json!(many),
        };
        let mut out = Vec::new();
        if !self.audiences.is_empty() {
            out.push(crate::Condition::new(
                "StringEquals",
                &format!("{}:aud", self.issuer),
                one_or_many(&self.audiences),
            ));
        }
        if !self.subjects.is_empty() {
            out.push(crate::Condition::new("StringLike", &format!("{}:sub", self.issuer), one_or_many(&self.subjects)));
        }
        out
    }

    /// Problems that make the principal unsafe or invalid, each a sentence.
    pub fn problems(&self) -> Vec<String> {
        let mut out = self.notes.clone();
        if self.issuer.is_empty() {
            out.push("a web identity needs the issuer of its OIDC provider".to_owned());
        }
        if self.audiences.is_empty() {
            out.push(format!(
                "web identity of {:?} has no audience: add .audience(..) (GitHub: \"sts.amazonaws.com\") \
                 so that only tokens issued for AWS are accepted",
                self.issuer
            ));
        }
        if self.subjects.is_empty() {
            out.push(format!(
                "web identity of {:?} has no subject (sub) restriction: every identity of the provider \
                 (e.g. any GitHub repository) could assume the role; add .subject(..) or, for GitHub, \
                 .branch(..), .environment(..), .tag(..) or .pull_requests()",
                self.issuer
            ));
        }
        for s in &self.subjects {
            if s.is_empty() || s.trim_matches(|c| c == '*' || c == '?' || c == ':').is_empty() {
                out.push(format!("subject {s:?} matches every identity of the provider: name the subjects"));
            }
        }
        out
    }
}

impl Principal {
    /// A service principal.
    pub fn service(name: impl Into<String>) -> Self {
        Principal::Service(ServicePrincipal::new(name))
    }

    /// An account's root principal in the stack's partition
    /// (`arn:${AWS::Partition}:iam::<account>:root`).
    pub fn account(account_id: impl Into<Value<String>>) -> Self {
        Principal::Aws(Value::arn("iam", "", account_id, "root"))
    }

    /// The account the stack is deployed to.
    pub fn this_account() -> Self {
        Self::account(Value::account_id())
    }

    /// A role, user or account ARN.
    pub fn arn(arn: impl Into<Value<String>>) -> Self {
        Principal::Aws(arn.into())
    }

    /// Anyone (`"*"`), on purpose: `reason` says why everyone must be
    /// allowed (a [`crate::Role`] records it in its metadata). Plain
    /// [`Principal::Any`] is accepted only in `Deny` statements.
    pub fn anyone(reason: impl Into<String>) -> Self {
        Principal::AnyAcknowledged(reason.into())
    }

    /// The action a trust policy must allow for this principal to assume a
    /// role: `sts:AssumeRoleWithWebIdentity` for web identities,
    /// `sts:AssumeRole` for the others.
    pub fn assume_action(&self) -> &'static str {
        match self {
            Principal::WebIdentity(_) => "sts:AssumeRoleWithWebIdentity",
            Principal::Federated(_) => "sts:AssumeRoleWithWebIdentity",
            _ => "sts:AssumeRole",
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Principal::Service(_) => "Service",
            Principal::Aws(_) => "AWS",
            Principal::Federated(_) | Principal::WebIdentity(_) => "Federated",
            Principal::Any | Principal::AnyAcknowledged(_) => "*",
        }
    }

    fn value_json(&self) -> Json {
        match self {
            Principal::Service(s) => Json::String(s.service.clone()),
            Principal::Aws(v) | Principal::Federated(v) => v.to_cfn(),
            Principal::WebIdentity(w) => w.provider_arn.to_cfn(),
            Principal::Any | Principal::AnyAcknowledged(_) => Json::String("*".to_owned()),
        }
    }

    /// A problem with the principal's shape, if any (service principals
    /// look like `<service>.amazonaws.com`).
    pub fn problem(&self) -> Option<String> {
        match self {
            Principal::Service(s) => {
                let n = s.service();
                let ok = (n.ends_with(".amazonaws.com") || n.ends_with(".amazonaws.com.cn"))
                    && n.split('.').next().is_some_and(|first| !first.is_empty())
                    && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
                (!ok).then(|| format!("service principal {n:?} should look like \"ecs-tasks.amazonaws.com\""))
            }
            Principal::AnyAcknowledged(reason) if reason.trim().is_empty() => {
                Some("Principal::anyone(reason) needs a reason: why must everyone be allowed?".to_owned())
            }
            Principal::WebIdentity(w) => w.problems().into_iter().next(),
            _ => None,
        }
    }

    pub(crate) fn sort_key(&self) -> String {
        format!("{}\u{0}{}", self.kind(), self.value_json())
    }

    /// Render a sorted principal list as the `Principal` element.
    pub(crate) fn render(list: &[Principal]) -> Json {
        if list.iter().any(|p| matches!(p, Principal::Any | Principal::AnyAcknowledged(_))) {
            return json!("*");
        }
        let mut by_kind: BTreeMap<&str, Vec<Json>> = BTreeMap::new();
        for p in list {
            by_kind.entry(p.kind()).or_default().push(p.value_json());
        }
        let m: serde_json::Map<String, Json> = by_kind
            .into_iter()
            .map(|(k, mut v)| {
                let v = if v.len() == 1 { v.pop().unwrap_or(Json::Null) } else { Json::Array(v) };
                (k.to_owned(), v)
            })
            .collect();
        Json::Object(m)
    }
}

impl From<WebIdentityPrincipal> for Principal {
    fn from(w: WebIdentityPrincipal) -> Self {
        Principal::WebIdentity(w)
    }
}

impl From<ServicePrincipal> for Principal {
    fn from(s: ServicePrincipal) -> Self {
        Principal::Service(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_grouped_by_kind() {
        let mut l = vec![
            Principal::service("b.amazonaws.com"),
            Principal::service("a.amazonaws.com"),
            Principal::arn("arn:aws-us-gov:iam::1:root"),
        ];
        l.sort_by_key(Principal::sort_key);
        assert_eq!(
            Principal::render(&l),
            json!({"AWS": "arn:aws-us-gov:iam::1:root", "Service": ["a.amazonaws.com", "b.amazonaws.com"]})
        );
        assert_eq!(Principal::render(&[Principal::Any]), json!("*"));
    }

    #[test]
    fn account_principal_is_partition_aware() {
        let Principal::Aws(v) = Principal::this_account() else { panic!("expected AWS principal") };
        let s = v.to_cfn().to_string();
        assert!(s.contains("AWS::Partition") && !s.contains("arn:aws:"), "{s}");
    }
}
