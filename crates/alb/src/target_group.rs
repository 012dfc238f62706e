//! Target groups (`AWS::ElasticLoadBalancingV2::TargetGroup`) and their
//! health checks.

use std::cell::RefCell;
use std::rc::Rc;

use std::ops::Deref;

use stackcraft_cfn::elasticloadbalancingv2 as elbv2;
use stackcraft_core::{ResourceHandle, Scope, Value};
use stackcraft_observability::{Metric, Statistic};
use stackcraft_vpc::Vpc;
use typed_builder::TypedBuilder;

use crate::load_balancer::ApplicationLoadBalancer;
use crate::names::validate_name;

/// The protocol between the load balancer and its targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TargetProtocol {
    /// Plain HTTP inside the VPC (TLS terminates at the load balancer).
    Http,
    /// HTTPS to the targets.
    Https,
}

impl TargetProtocol {
    fn l1(self) -> elbv2::target_group::Protocol {
        match self {
            TargetProtocol::Http => elbv2::target_group::Protocol::Http,
            TargetProtocol::Https => elbv2::target_group::Protocol::Https,
        }
    }

    fn l1_health_check(self) -> elbv2::target_group::HealthCheckProtocol {
        match self {
            TargetProtocol::Http => elbv2::target_group::HealthCheckProtocol::Http,
            TargetProtocol::Https => elbv2::target_group::HealthCheckProtocol::Https,
        }
    }
}

/// How targets are registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TargetType {
    /// By IP address (Fargate tasks, `awsvpc` networking).
    Ip,
    /// By EC2 instance id.
    Instance,
}

/// Health check settings (defaults: `GET /` every 30 s, timeout 5 s,
/// healthy after 5 successes, unhealthy after 2 failures, codes `200`).
#[derive(Debug, Clone, PartialEq, Eq, TypedBuilder)]
pub struct HealthCheck {
    /// The request path (starts with `/`, at most 1024 characters).
    #[builder(default = String::from("/"), setter(into))]
    pub path: String,
    /// The HTTP codes that mean healthy: `"200"`, `"200,204"` or
    /// `"200-299"` (200 to 499).
    #[builder(default = String::from("200"), setter(into))]
    pub healthy_http_codes: String,
    /// Seconds between checks (5 to 300).
    #[builder(default = 30)]
    pub interval_secs: u32,
    /// Seconds before a check times out (2 to 120, less than the interval).
    #[builder(default = 5)]
    pub timeout_secs: u32,
    /// Consecutive successes before a target is healthy (2 to 10).
    #[builder(default = 5)]
    pub healthy_threshold: u32,
    /// Consecutive failures before a target is unhealthy (2 to 10).
    #[builder(default = 2)]
    pub unhealthy_threshold: u32,
    /// The port to check (`None`: the traffic port).
    #[builder(default, setter(strip_option))]
    pub port: Option<u16>,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck::builder().build()
    }
}

impl HealthCheck {
    /// All problems with these settings (empty when valid).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if !self.path.starts_with('/') || self.path.len() > 1024 {
            p.push((
                "HealthCheckPath",
                format!("health check path '{}' must start with '/' and have at most 1024 characters", self.path),
            ));
        }
        if let Err(e) = validate_http_codes(&self.healthy_http_codes) {
            p.push(("Matcher.HttpCode", e.to_string()));
        }
        if let Some(Err(m)) = self.port.map(|x| stackcraft_core::validate::names::port(u32::from(x))) {
            p.push(("HealthCheckPort", format!("health check {m} (None: the traffic port)")));
        }
        if !(5..=300).contains(&self.interval_secs) {
            p.push((
                "HealthCheckIntervalSeconds",
                format!("interval {} s is not allowed; use 5 to 300", self.interval_secs),
            ));
        }
        if !(2..=120).contains(&self.timeout_secs) || self.timeout_secs >= self.interval_secs {
            p.push((
                "HealthCheckTimeoutSeconds",
                format!(
                    "timeout {} s is not allowed; use 2 to 120 and less than the interval ({} s)",
                    self.timeout_secs, self.interval_secs
                ),
            ));
        }
        for (prop, v) in
            [("HealthyThresholdCount", self.healthy_threshold), ("UnhealthyThresholdCount", self.unhealthy_threshold)]
        {
            if !(2..=10).contains(&v) {
                p.push((prop, format!("threshold {v} is not allowed; use 2 to 10")));
            }
        }
        p
    }
}

/// A health-check matcher that is not a list of HTTP codes from 200 to 499.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("healthy HTTP codes '{codes}' must be codes from 200 to 499 as '200', '200,202' or '200-299'")]
#[non_exhaustive]
pub struct HttpCodesError {
    /// The matcher as given.
    pub codes: String,
}

/// Check a matcher such as `200`, `200,202` or `200-299` (codes 200 to 499).
pub fn validate_http_codes(codes: &str) -> Result<(), HttpCodesError> {
    let bad = || HttpCodesError { codes: codes.to_owned() };
    let code = |s: &str| s.trim().parse::<u16>().ok().filter(|c| (200..=499).contains(c));
    if codes.trim().is_empty() {
        return Err(bad());
    }
    for part in codes.split(',') {
        match part.split_once('-') {
            Some((a, b)) => match (code(a), code(b)) {
                (Some(a), Some(b)) if a <= b => {}
                _ => return Err(bad()),
            },
            None => {
                if code(part).is_none() {
                    return Err(bad());
                }
            }
        }
    }
    Ok(())
}

/// Properties of a [`TargetGroup`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct TargetGroupProps {
    /// The VPC of the targets.
    pub vpc: Vpc,
    /// The port targets listen on (e.g. the container port).
    pub port: u16,
    /// Protocol to the targets (default HTTP).
    #[builder(default = TargetProtocol::Http)]
    pub protocol: TargetProtocol,
    /// Target type (default IP, for Fargate).
    #[builder(default = TargetType::Ip)]
    pub target_type: TargetType,
    /// Health check.
    #[builder(default)]
    pub health_check: HealthCheck,
    /// Seconds to drain a deregistering target (0 to 3600; default 30, a
    /// good fit for stateless HTTP APIs, rather than AWS's 300).
    #[builder(default = 30)]
    pub deregistration_delay_secs: u32,
    /// An explicit name (at most 32 characters). Prefer leaving it unset:
    /// names prevent replacements and clash across stacks.
    #[builder(default, setter(strip_option, into))]
    pub name: Option<String>,
}

pub(crate) struct TgInner {
    pub(crate) scope: Scope,
    pub(crate) handle: ResourceHandle,
    pub(crate) port: u16,
    pub(crate) target_type: TargetType,
    pub(crate) dependables: RefCell<Vec<ResourceHandle>>,
    pub(crate) load_balancers: RefCell<Vec<ApplicationLoadBalancer>>,
}

/// A target group. Cheap to clone.
///
/// Attach it to a listener (default action or rule) before handing it to a
/// service: [`TargetGroup::dependables`] and [`TargetGroup::load_balancers`]
/// are filled in by the listener.
#[derive(Clone)]
pub struct TargetGroup {
    pub(crate) inner: Rc<TgInner>,
}

impl std::fmt::Debug for TargetGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TargetGroup({})", self.inner.scope.path())
    }
}

impl PartialEq for TargetGroup {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl TargetGroup {
    /// A new target group.
    pub fn new(scope: &Scope, id: &str, props: TargetGroupProps) -> TargetGroup {
        let scope = scope.scope(id);
        let hc = &props.health_check;
        for (prop, msg) in hc.problems() {
            scope.error(prop, msg);
        }
        if let Err(m) = stackcraft_core::validate::names::port(u32::from(props.port)) {
            scope.error("Port", format!("target {m}"));
        }
        if props.deregistration_delay_secs > 3600 {
            scope.error(
                "DeregistrationDelay",
                format!("deregistration delay {} s is not allowed; use 0 to 3600", props.deregistration_delay_secs),
            );
        }
        let mut tg = elbv2::TargetGroup::new()
            .vpc_id(props.vpc.vpc_id())
            .port(props.port)
            .protocol(props.protocol.l1())
            .protocol_version("HTTP1")
            .target_type(match props.target_type {
                TargetType::Ip => elbv2::target_group::TargetType::Ip,
                TargetType::Instance => elbv2::target_group::TargetType::Instance,
            })
            .health_check_enabled(true)
            .health_check_path(hc.path.as_str())
            .health_check_protocol(props.protocol.l1_health_check())
            .health_check_port(hc.port.map(|p| p.to_string()).unwrap_or_else(|| "traffic-port".into()))
            .health_check_interval_seconds(hc.interval_secs)
            .health_check_timeout_seconds(hc.timeout_secs)
            .healthy_threshold_count(hc.healthy_threshold)
            .unhealthy_threshold_count(hc.unhealthy_threshold)
            .matcher(elbv2::target_group::Matcher::new().http_code(hc.healthy_http_codes.as_str()))
            .target_group_attributes(vec![elbv2::target_group::TargetGroupAttribute::new()
                .key("deregistration_delay.timeout_seconds")
                .value(props.deregistration_delay_secs.to_string())]);
        if let Some(name) = &props.name {
            match validate_name(name, "target group") {
                Ok(()) => tg = tg.name(name.as_str()),
                Err(m) => scope.error("Name", m),
            }
        }
        let handle: ResourceHandle = scope.add("Resource", tg).deref().clone();
        TargetGroup {
            inner: Rc::new(TgInner {
                scope,
                handle,
                port: props.port,
                target_type: props.target_type,
                dependables: RefCell::new(Vec::new()),
                load_balancers: RefCell::new(Vec::new()),
            }),
        }
    }

    /// How targets are registered (`Ip` for Fargate services).
    pub fn target_type(&self) -> TargetType {
        self.inner.target_type
    }

    /// The target group ARN (`Ref`).
    pub fn arn(&self) -> Value<String> {
        self.inner.handle.ref_()
    }

    /// `TargetGroupFullName` (the CloudWatch dimension value).
    pub fn full_name(&self) -> Value<String> {
        self.inner.handle.get_att("TargetGroupFullName")
    }

    /// The port targets listen on.
    pub fn port(&self) -> u16 {
        self.inner.port
    }

    /// The target group resource.
    pub fn handle(&self) -> &ResourceHandle {
        &self.inner.handle
    }

    /// The listener / listener-rule resources that route to this group: a
    /// service registering targets must depend on them (ECS rejects a
    /// target group not yet attached to a load balancer).
    pub fn dependables(&self) -> Vec<ResourceHandle> {
        self.inner.dependables.borrow().clone()
    }

    /// The load balancers whose listeners route to this group (to open the
    /// load balancer → target security-group path).
    pub fn load_balancers(&self) -> Vec<ApplicationLoadBalancer> {
        self.inner.load_balancers.borrow().clone()
    }

    pub(crate) fn attach(&self, alb: &ApplicationLoadBalancer, via: &ResourceHandle) {
        {
            let mut d = self.inner.dependables.borrow_mut();
            if !d.contains(via) {
                d.push(via.clone());
            }
        }
        let mut l = self.inner.load_balancers.borrow_mut();
        if !l.iter().any(|x| x == alb) {
            l.push(alb.clone());
        }
    }

    fn metric(&self, name: &str, statistic: Statistic) -> Metric {
        let mut m = Metric::new("AWS/ApplicationELB", name)
            .dimension("TargetGroup", self.full_name())
            .statistic(statistic)
            .period_secs(60);
        match self.inner.load_balancers.borrow().first() {
            Some(lb) => m = m.dimension("LoadBalancer", lb.full_name()),
            None => self.inner.scope.warn("alb.metric-without-load-balancer", 
                "Metrics",
                format!("metric {name} was requested before the target group was attached to a load balancer; it lacks the LoadBalancer dimension and will have no data"),
            ),
        }
        m
    }

    /// `UnHealthyHostCount` (Maximum over 1 minute).
    pub fn metric_unhealthy_host_count(&self) -> Metric {
        self.metric("UnHealthyHostCount", Statistic::Maximum)
    }

    /// `HealthyHostCount` (Minimum over 1 minute).
    pub fn metric_healthy_host_count(&self) -> Metric {
        self.metric("HealthyHostCount", Statistic::Minimum)
    }

    /// `RequestCountPerTarget` (Sum over 1 minute).
    pub fn metric_request_count_per_target(&self) -> Metric {
        Metric::new("AWS/ApplicationELB", "RequestCountPerTarget")
            .dimension("TargetGroup", self.full_name())
            .statistic(Statistic::Sum)
            .period_secs(60)
    }

    /// `TargetResponseTime` of this group (Average over 1 minute, seconds).
    pub fn metric_target_response_time(&self) -> Metric {
        self.metric("TargetResponseTime", Statistic::Average)
    }

    /// `HTTPCode_Target_5XX_Count` of this group (Sum over 1 minute).
    pub fn metric_http_code_target_5xx(&self) -> Metric {
        self.metric("HTTPCode_Target_5XX_Count", Statistic::Sum)
    }
}

/// Alarm helpers (kept in their own block: metrics above, alarms here).
impl TargetGroup {
    /// An alarm firing when the group has no healthy target
    /// (`HealthyHostCount` Minimum < 1 for 2 consecutive minutes; no data
    /// counts as breaching, since a group without targets reports nothing).
    /// Call it after the group is attached to its load balancer.
    pub fn alarm_no_healthy_hosts(&self, scope: &Scope, id: &str) -> stackcraft_observability::Alarm {
        use stackcraft_observability::{AlarmOptions, ComparisonOperator, TreatMissingData};
        self.metric_healthy_host_count().create_alarm(
            scope,
            id,
            AlarmOptions::builder()
                .threshold(1.0)
                .comparison_operator(ComparisonOperator::LessThanThreshold)
                .evaluation_periods(2)
                .treat_missing_data(TreatMissingData::Breaching)
                .description(format!("No healthy target in {}", self.inner.scope.path()))
                .build(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_codes() {
        assert!(validate_http_codes("200").is_ok());
        assert!(validate_http_codes("200,204").is_ok());
        assert!(validate_http_codes("200-299").is_ok());
        assert!(validate_http_codes("200-499").is_ok());
        assert!(validate_http_codes("500").is_err());
        assert!(validate_http_codes("299-200").is_err());
        assert!(validate_http_codes("abc").unwrap_err().to_string().contains("200 to 499"));
        assert!(validate_http_codes("").is_err());
    }

    #[test]
    fn health_check_limits() {
        assert!(HealthCheck::default().problems().is_empty());
        let hc = HealthCheck::builder().path("healthz").interval_secs(4).timeout_secs(5).healthy_threshold(11).build();
        let props: Vec<&str> = hc.problems().iter().map(|p| p.0).collect();
        assert_eq!(
            props,
            ["HealthCheckPath", "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds", "HealthyThresholdCount"]
        );
    }
}
