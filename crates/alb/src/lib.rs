//! stackcraft-alb: load balancing building blocks.
//!
//! - [`ApplicationLoadBalancer`]: internet-facing (public subnets) or internal,
//!   its own security group (clients in on listener ports, egress only to
//!   targets), invalid header fields dropped, deletion protection in
//!   production, optional access logs; metrics as
//!   [`stackcraft_observability::Metric`].
//! - [`Listener`]s: HTTP, HTTPS (TLS 1.2+ [`SslPolicy`]), HTTP→HTTPS redirect,
//!   fixed responses; routing rules by path and host ([`ListenerCondition`])
//!   with priorities assigned automatically and deterministically
//!   ([`PriorityPlan`]); clashes are reported as synth errors.
//! - [`TargetGroup`]: IP targets for Fargate, health checks, deregistration
//!   delay; [`TargetGroup::dependables`] and [`TargetGroup::load_balancers`]
//!   for services that register targets.
//! - DNS and TLS ([`dns`] module, in this crate rather than a separate one):
//!   Route53 [`HostedZone`] (new or referenced), DNS-validated ACM
//!   [`Certificate`], alias A records ([`AliasRecord`],
//!   [`ApplicationLoadBalancer::add_alias_records`]).
//!
//! Names of load balancers and target groups are best left unset; when given
//! they are checked against AWS's 32-character rule ([`validate_name`]).
#![forbid(unsafe_code)]

pub mod dns;
mod listener;
mod load_balancer;
mod names;
mod target_group;

pub use dns::{AliasRecord, Certificate, CertificateProps, HostedZone, HostedZoneProps, RecordNameError};
pub use listener::{
    route_relation, Listener, ListenerAction, ListenerCondition, ListenerProps, ListenerProtocol, ListenerRuleProps,
    PriorityError, PriorityPlan, Redirect, RouteRelation, SslPolicy, MAX_PRIORITY, PRIORITY_STEP,
};
pub use load_balancer::{
    AccessLogs, ApplicationLoadBalancer, ApplicationLoadBalancerProps, HttpCodeElb, HttpCodeTarget,
};
pub use names::{validate_domain_name, validate_name, NameError, NameProblem, MAX_NAME_LEN};
pub use target_group::{
    validate_http_codes, HealthCheck, HttpCodesError, TargetGroup, TargetGroupProps, TargetProtocol, TargetType,
};
