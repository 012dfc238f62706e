//! DNS and TLS for load balancers: Route53 hosted zones ([`HostedZone`]),
//! DNS-validated ACM certificates ([`Certificate`]) and alias A records to a
//! load balancer ([`AliasRecord`]).
//!
//! These live in `stackcraft-alb` (not a separate crate) because their one
//! consumer in the building blocks is the load balancer.

use std::rc::Rc;

use std::ops::Deref;

use stackcraft_cfn::{certificatemanager as acm, route53};
use stackcraft_core::{ResourceHandle, Scope, Value};
use typed_builder::TypedBuilder;

use crate::load_balancer::ApplicationLoadBalancer;
use crate::names::validate_domain_name;

/// Properties of a new [`HostedZone`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct HostedZoneProps {
    /// The zone's domain, e.g. `example.com`.
    #[builder(setter(into))]
    pub zone_name: String,
    /// A comment.
    #[builder(default, setter(strip_option, into))]
    pub comment: Option<String>,
}

#[derive(Debug)]
struct ZoneInner {
    zone_id: Value<String>,
    zone_name: String,
    handle: Option<ResourceHandle>,
}

/// A public Route53 hosted zone: created here, or an existing one referenced
/// by id and name. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HostedZone {
    inner: Rc<ZoneInner>,
}

fn normalize(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

impl HostedZone {
    /// Create a public hosted zone (`AWS::Route53::HostedZone`). Its name
    /// servers must then be delegated from the parent domain.
    pub fn new(scope: &Scope, id: &str, props: HostedZoneProps) -> HostedZone {
        let scope = scope.scope(id);
        let name = normalize(&props.zone_name);
        if let Err(m) = validate_domain_name(&name, false) {
            scope.error("Name", m);
        }
        let mut hz = route53::HostedZone::new().name(format!("{name}."));
        if let Some(c) = &props.comment {
            hz = hz.hosted_zone_config(route53::hosted_zone::HostedZoneConfig::new().comment(c.as_str()));
        }
        let handle: ResourceHandle = scope.add("Resource", hz).deref().clone();
        HostedZone { inner: Rc::new(ZoneInner { zone_id: handle.ref_(), zone_name: name, handle: Some(handle) }) }
    }

    /// An existing zone by id (e.g. `Z0123456789ABC`) and domain name.
    /// Nothing is looked up at synth time; the values are used as given.
    pub fn from_attributes(zone_id: impl Into<Value<String>>, zone_name: &str) -> HostedZone {
        HostedZone {
            inner: Rc::new(ZoneInner { zone_id: zone_id.into(), zone_name: normalize(zone_name), handle: None }),
        }
    }

    /// The zone id.
    pub fn zone_id(&self) -> Value<String> {
        self.inner.zone_id.clone()
    }

    /// The zone's domain (lower case, without trailing dot).
    pub fn zone_name(&self) -> &str {
        &self.inner.zone_name
    }

    /// The zone resource (`None` for referenced zones).
    pub fn handle(&self) -> Option<&ResourceHandle> {
        self.inner.handle.as_ref()
    }

    /// The zone's name servers (`Fn::GetAtt NameServers`; only for zones
    /// created here).
    pub fn name_servers(&self) -> Option<Value<Vec<Value<String>>>> {
        self.inner.handle.as_ref().map(|h| h.get_att("NameServers"))
    }

    /// The fully qualified name of a record: `""` or `"@"` is the apex,
    /// `"www"` becomes `www.<zone>`; names already ending in the zone are
    /// kept.
    pub fn record_name(&self, name: &str) -> String {
        let n = normalize(name);
        let z = &self.inner.zone_name;
        if n.is_empty() || n == "@" || &n == z {
            z.clone()
        } else if n.ends_with(&format!(".{z}")) {
            n
        } else {
            format!("{n}.{z}")
        }
    }

    /// [`record_name`](Self::record_name) for a record this zone must hold:
    /// a name with a dot that is not in the zone (`www.pyshop.io` in zone
    /// `example.com`) is an error instead of `www.pyshop.io.example.com`.
    pub fn checked_record_name(&self, name: &str) -> Result<String, RecordNameError> {
        let n = normalize(name);
        let z = &self.inner.zone_name;
        if n.contains('.') && !stackcraft_core::validate::names::dns_within(&n, z) {
            return Err(RecordNameError { name: n, zone: z.clone() });
        }
        Ok(self.record_name(name))
    }
}

/// A record name with a dot that is not in the hosted zone
/// ([`HostedZone::checked_record_name`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("record name '{name}' is not in hosted zone '{zone}'; give a name relative to the zone (e.g. 'www', '' for the apex) or a full name ending in '.{zone}'")]
#[non_exhaustive]
pub struct RecordNameError {
    /// The record name (normalized).
    pub name: String,
    /// The zone's name.
    pub zone: String,
}

/// Properties of a [`Certificate`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct CertificateProps {
    /// The main domain, e.g. `api.example.com` or `*.example.com`.
    #[builder(setter(into))]
    pub domain_name: String,
    /// More names on the same certificate (e.g. `www.example.com`).
    #[builder(default)]
    pub subject_alternative_names: Vec<String>,
    /// The zone the DNS validation records are written to (every name must
    /// be in it).
    pub validation_zone: HostedZone,
}

/// An ACM certificate validated through DNS records that CloudFormation
/// writes into the Route53 zone (`AWS::CertificateManager::Certificate`
/// with `DomainValidationOptions`); renewed automatically by ACM while the
/// records exist. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Certificate {
    arn: Value<String>,
    handle: Option<ResourceHandle>,
}

impl Certificate {
    /// Request a DNS-validated certificate. Stack creation waits until the
    /// certificate is issued (minutes when the zone is delegated).
    pub fn new(scope: &Scope, id: &str, props: CertificateProps) -> Certificate {
        let scope = scope.scope(id);
        let zone = &props.validation_zone;
        let mut names = vec![normalize(&props.domain_name)];
        for n in &props.subject_alternative_names {
            let n = normalize(n);
            if !names.contains(&n) {
                names.push(n);
            }
        }
        if names.len() > 100 {
            scope.error("SubjectAlternativeNames", "a certificate may cover at most 100 names");
        }
        for n in &names {
            if let Err(m) = validate_domain_name(n, true) {
                scope.error("DomainName", m);
            }
            let bare = n.strip_prefix("*.").unwrap_or(n);
            if bare != zone.zone_name() && !bare.ends_with(&format!(".{}", zone.zone_name())) {
                scope.error(
                    "DomainValidationOptions",
                    format!(
                        "'{n}' is not in the validation zone '{}'; DNS validation records could not be written",
                        zone.zone_name()
                    ),
                );
            }
        }
        let mut cert = acm::Certificate::new(names[0].as_str()).validation_method("DNS").domain_validation_options(
            names
                .iter()
                .map(|n| {
                    acm::certificate::DomainValidationOption::new()
                        .domain_name(n.as_str())
                        .hosted_zone_id(zone.zone_id())
                })
                .collect::<Vec<_>>(),
        );
        if names.len() > 1 {
            cert = cert.subject_alternative_names(names[1..].to_vec());
        }
        let handle: ResourceHandle = scope.add("Resource", cert).deref().clone();
        Certificate { arn: handle.ref_(), handle: Some(handle) }
    }

    /// An existing certificate by ARN.
    pub fn from_arn(arn: impl Into<Value<String>>) -> Certificate {
        Certificate { arn: arn.into(), handle: None }
    }

    /// The certificate ARN.
    pub fn arn(&self) -> Value<String> {
        self.arn.clone()
    }

    /// The certificate resource (`None` for imported certificates).
    pub fn handle(&self) -> Option<&ResourceHandle> {
        self.handle.as_ref()
    }
}

/// Route53 alias A records to a load balancer.
#[derive(Debug, Clone, Copy)]
pub struct AliasRecord;

impl AliasRecord {
    /// An alias A record `name` in `zone` (`""` = apex, `"www"`, ...)
    /// pointing at `alb`, evaluating target health.
    pub fn to_load_balancer(
        scope: &Scope,
        id: &str,
        zone: &HostedZone,
        name: &str,
        alb: &ApplicationLoadBalancer,
    ) -> ResourceHandle {
        let scope = scope.scope(id);
        let fqdn = match zone.checked_record_name(name) {
            Ok(f) => f,
            Err(e) => {
                scope.error("Name", e.to_string());
                zone.zone_name().to_owned()
            }
        };
        if let Err(m) = validate_domain_name(&fqdn, true) {
            scope.error("Name", m);
        }
        scope
            .add(
                "Resource",
                route53::RecordSet::new(route53::RecordSetRequired {
                    name: format!("{fqdn}.").into(),
                    type_: "A".into(),
                })
                .hosted_zone_id(zone.zone_id())
                .alias_target(
                    route53::record_set::AliasTarget::new(route53::record_set::AliasTargetRequired {
                        dns_name: Value::sub_with("dualstack.${DnsName}", [("DnsName", alb.dns_name())]),
                        hosted_zone_id: alb.canonical_hosted_zone_id(),
                    })
                    .evaluate_target_health(true),
                ),
            )
            .deref()
            .clone()
    }
}

impl ApplicationLoadBalancer {
    /// Alias A records for each of `names` (`""` = apex, `"www"`, ...) in
    /// `zone`, created under the load balancer's scope as
    /// `AliasApex`, `AliasWww`, ...
    pub fn add_alias_records(&self, zone: &HostedZone, names: &[&str]) -> Vec<ResourceHandle> {
        names
            .iter()
            .map(|n| {
                let label: String = if n.is_empty() || *n == "@" {
                    "Apex".into()
                } else {
                    n.split(['.', '-', '*'])
                        .filter(|p| !p.is_empty())
                        .map(|p| {
                            let mut c = p.chars();
                            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
                        })
                        .collect()
                };
                AliasRecord::to_load_balancer(self.scope(), &format!("Alias{label}"), zone, n, self)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_names() {
        let z = HostedZone::from_attributes("Z1", "Example.com.");
        assert_eq!(z.zone_name(), "example.com");
        assert_eq!(z.record_name(""), "example.com");
        assert_eq!(z.record_name("@"), "example.com");
        assert_eq!(z.record_name("www"), "www.example.com");
        assert_eq!(z.record_name("api.example.com"), "api.example.com");
    }
}
