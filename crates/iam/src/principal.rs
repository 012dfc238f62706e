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
    /// `"*"`: anyone. Only sensible with conditions (e.g. a bucket policy
    /// denying insecure transport).
    Any,
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

    fn kind(&self) -> &'static str {
        match self {
            Principal::Service(_) => "Service",
            Principal::Aws(_) => "AWS",
            Principal::Federated(_) => "Federated",
            Principal::Any => "*",
        }
    }

    fn value_json(&self) -> Json {
        match self {
            Principal::Service(s) => json!(s.service),
            Principal::Aws(v) | Principal::Federated(v) => v.to_cfn(),
            Principal::Any => json!("*"),
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
            _ => None,
        }
    }

    pub(crate) fn sort_key(&self) -> String {
        format!("{}\u{0}{}", self.kind(), self.value_json())
    }

    /// Render a sorted principal list as the `Principal` element.
    pub(crate) fn render(list: &[Principal]) -> Json {
        if list.iter().any(|p| matches!(p, Principal::Any)) {
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
