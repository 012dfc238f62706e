//! The application load balancer
//! (`AWS::ElasticLoadBalancingV2::LoadBalancer`) and its metrics.

use std::cell::RefCell;
use std::rc::Rc;

use std::ops::Deref;

use stackcraft_cfn::elasticloadbalancingv2 as elbv2;
use stackcraft_core::{ResourceHandle, Scope, Value};
use stackcraft_observability::{Metric, Statistic};
use stackcraft_vpc::{Connections, HasConnections, SecurityGroup, SecurityGroupProps, SubnetType, Vpc};
use typed_builder::TypedBuilder;

use crate::listener::{Listener, ListenerAction, ListenerProps, ListenerProtocol};
use crate::names::validate_name;

/// Access logs of a load balancer, written to an existing S3 bucket. The
/// bucket's policy must allow the regional ELB log-delivery principal to
/// write (see the AWS ELB access-log documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct AccessLogs {
    /// The bucket name (a literal or e.g. a `Ref` of a bucket).
    pub bucket: Value<String>,
    /// Key prefix (no leading or trailing slash; may be empty).
    pub prefix: String,
}

impl AccessLogs {
    /// Logs to `bucket` under `prefix`.
    pub fn new(bucket: impl Into<Value<String>>, prefix: impl Into<String>) -> Self {
        AccessLogs { bucket: bucket.into(), prefix: prefix.into() }
    }
}

/// Properties of an [`ApplicationLoadBalancer`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct ApplicationLoadBalancerProps {
    /// The VPC.
    pub vpc: Vpc,
    /// Internet-facing (default) or internal.
    #[builder(default = true)]
    pub internet_facing: bool,
    /// The subnets (default: public when internet-facing, else
    /// private-with-egress, falling back to isolated).
    #[builder(default, setter(strip_option))]
    pub subnet_type: Option<SubnetType>,
    /// A security group to use instead of a new one (which has no egress
    /// until targets are connected).
    #[builder(default, setter(strip_option))]
    pub security_group: Option<SecurityGroup>,
    /// Access logs (off by default; checkov CKV_AWS_91 is then skipped with
    /// that reason).
    #[builder(default, setter(strip_option))]
    pub access_logs: Option<AccessLogs>,
    /// Deletion protection (default: on in production environments, off
    /// elsewhere so dev stacks can be destroyed).
    #[builder(default, setter(strip_option))]
    pub deletion_protection: Option<bool>,
    /// Idle timeout in seconds (1 to 4000, default 60).
    #[builder(default = 60)]
    pub idle_timeout_secs: u32,
    /// An explicit name (at most 32 characters). Prefer leaving it unset.
    #[builder(default, setter(strip_option, into))]
    pub name: Option<String>,
}

pub(crate) struct AlbInner {
    pub(crate) scope: Scope,
    pub(crate) handle: ResourceHandle,
    pub(crate) security_group: SecurityGroup,
    pub(crate) internet_facing: bool,
    pub(crate) vpc_cidr: String,
    pub(crate) listener_ports: RefCell<Vec<u16>>,
}

/// An application load balancer with its own security group. Cheap to clone.
///
/// ```
/// use stackcraft_alb::{ApplicationLoadBalancer, ApplicationLoadBalancerProps, ListenerAction};
/// use stackcraft_core::App;
/// use stackcraft_vpc::{Vpc, VpcProps};
///
/// let app = App::new("demo");
/// let stack = app.stack("Web");
/// let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().build());
/// let alb = ApplicationLoadBalancer::new(&stack, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc).build());
/// alb.add_http_listener("Http", ListenerAction::fixed_response(404, "text/plain", "not found"));
/// ```
#[derive(Clone)]
pub struct ApplicationLoadBalancer {
    pub(crate) inner: Rc<AlbInner>,
}

impl std::fmt::Debug for ApplicationLoadBalancer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApplicationLoadBalancer({})", self.inner.scope.path())
    }
}

impl PartialEq for ApplicationLoadBalancer {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

fn lb_attr(key: &str, value: impl Into<Value<String>>) -> elbv2::load_balancer::LoadBalancerAttribute {
    elbv2::load_balancer::LoadBalancerAttribute::new().key(key).value(value)
}

fn is_production(scope: &Scope) -> bool {
    scope.app().environment().map(|e| e.production).unwrap_or(false)
}

impl ApplicationLoadBalancer {
    /// A new load balancer.
    pub fn new(scope: &Scope, id: &str, props: ApplicationLoadBalancerProps) -> ApplicationLoadBalancer {
        let scope = scope.scope(id);
        let vpc = &props.vpc;
        let subnet_type = props.subnet_type.unwrap_or(if props.internet_facing {
            SubnetType::Public
        } else if vpc.has_subnets(SubnetType::PrivateWithEgress) {
            SubnetType::PrivateWithEgress
        } else {
            SubnetType::Isolated
        });
        if props.internet_facing && subnet_type != SubnetType::Public {
            scope.error("Subnets", "an internet-facing load balancer must be placed in public subnets");
        }
        let subnets = vpc.subnet_ids(subnet_type);
        if subnets.len() < 2 && vpc.az_count() >= 1 {
            scope.error(
                "Subnets",
                format!(
                    "an application load balancer needs subnets in at least 2 availability zones; the VPC has {} {:?} subnet(s)",
                    subnets.len(),
                    subnet_type
                ),
            );
        }
        if !(1..=4000).contains(&props.idle_timeout_secs) {
            scope.error(
                "IdleTimeout",
                format!("idle timeout {} s is not allowed; use 1 to 4000", props.idle_timeout_secs),
            );
        }
        let security_group = props.security_group.clone().unwrap_or_else(|| {
            SecurityGroup::new(
                &scope,
                "SecurityGroup",
                SecurityGroupProps::builder()
                    .vpc(vpc.clone())
                    .description(format!(
                        "Load balancer {}: listener ports open to clients, egress only to targets",
                        scope.path()
                    ))
                    .allow_all_outbound(false)
                    .build(),
            )
        });
        let deletion_protection = props.deletion_protection.unwrap_or_else(|| is_production(&scope));
        let mut attrs = vec![
            lb_attr("deletion_protection.enabled", deletion_protection.to_string()),
            lb_attr("routing.http.drop_invalid_header_fields.enabled", "true"),
            lb_attr("idle_timeout.timeout_seconds", props.idle_timeout_secs.to_string()),
        ];
        if let Some(logs) = &props.access_logs {
            let prefix = logs.prefix.trim_matches('/');
            if prefix.to_ascii_lowercase().contains("awslogs") {
                scope.error("AccessLogs", "the access log prefix must not contain 'AWSLogs' (ELB adds it)");
            }
            if let Value::Lit(b) = &logs.bucket {
                let m = if b.starts_with("arn:") {
                    Some(format!(
                        "access log bucket {b:?} is an ARN; give the bucket name (e.g. bucket.name()), not its ARN"
                    ))
                } else {
                    stackcraft_core::validate::names::aws::BUCKET_NAME.check(b).err().map(|e| e.to_string())
                };
                if let Some(m) = m {
                    scope.error("AccessLogs", m);
                }
            }
            attrs.push(lb_attr("access_logs.s3.enabled", "true"));
            attrs.push(lb_attr("access_logs.s3.bucket", logs.bucket.clone()));
            if !prefix.is_empty() {
                attrs.push(lb_attr("access_logs.s3.prefix", prefix));
            }
        }
        let mut lb = elbv2::LoadBalancer::new()
            .type_(elbv2::load_balancer::Type::Application)
            .scheme(if props.internet_facing {
                elbv2::load_balancer::Scheme::InternetFacing
            } else {
                elbv2::load_balancer::Scheme::Internal
            })
            .ip_address_type(elbv2::load_balancer::IpAddressType::Ipv4)
            .subnets(subnets)
            .security_groups(vec![security_group.id()])
            .load_balancer_attributes(attrs);
        if let Some(name) = &props.name {
            match validate_name(name, "load balancer") {
                Ok(()) => lb = lb.name(name.as_str()),
                Err(m) => scope.error("Name", m),
            }
        }
        let handle: ResourceHandle = scope.add("Resource", lb).deref().clone();
        if props.internet_facing {
            for dep in vpc.internet_connectivity_established(SubnetType::Public) {
                handle.add_depends_on(&dep);
            }
        }
        if props.access_logs.is_none() {
            handle.acknowledge(
                "alb.access-logs",
                "access logs are optional and off here; enable them with ApplicationLoadBalancerProps::access_logs (needs a log bucket)",
            );
        }
        ApplicationLoadBalancer {
            inner: Rc::new(AlbInner {
                scope,
                handle,
                security_group,
                internet_facing: props.internet_facing,
                vpc_cidr: vpc.cidr().to_owned(),
                listener_ports: RefCell::new(Vec::new()),
            }),
        }
    }

    /// The load balancer ARN (`Ref`).
    pub fn arn(&self) -> Value<String> {
        self.inner.handle.ref_()
    }

    /// `DNSName`.
    pub fn dns_name(&self) -> Value<String> {
        self.inner.handle.get_att("DNSName")
    }

    /// `CanonicalHostedZoneID` (for Route53 alias records).
    pub fn canonical_hosted_zone_id(&self) -> Value<String> {
        self.inner.handle.get_att("CanonicalHostedZoneID")
    }

    /// `LoadBalancerFullName` (the CloudWatch dimension value).
    pub fn full_name(&self) -> Value<String> {
        self.inner.handle.get_att("LoadBalancerFullName")
    }

    /// The load balancer resource.
    pub fn handle(&self) -> &ResourceHandle {
        &self.inner.handle
    }

    /// The construct scope.
    pub fn scope(&self) -> &Scope {
        &self.inner.scope
    }

    /// The security group.
    pub fn security_group(&self) -> &SecurityGroup {
        &self.inner.security_group
    }

    /// Whether the load balancer is internet-facing.
    pub fn internet_facing(&self) -> bool {
        self.inner.internet_facing
    }

    pub(crate) fn claim_port(&self, port: u16) -> bool {
        let mut ports = self.inner.listener_ports.borrow_mut();
        if ports.contains(&port) {
            return false;
        }
        ports.push(port);
        true
    }

    /// Add a listener.
    pub fn add_listener(&self, id: &str, props: ListenerProps) -> Listener {
        Listener::new(self, id, props)
    }

    /// An HTTP listener on port 80 with `default_action`, open to clients.
    pub fn add_http_listener(&self, id: &str, default_action: ListenerAction) -> Listener {
        self.add_listener(
            id,
            ListenerProps::builder().protocol(ListenerProtocol::Http).default_action(default_action).build(),
        )
    }

    /// An HTTPS listener on port 443 with the certificate `certificate_arn`
    /// (TLS 1.2+ policy), open to clients.
    pub fn add_https_listener(
        &self,
        id: &str,
        certificate_arn: impl Into<Value<String>>,
        default_action: ListenerAction,
    ) -> Listener {
        self.add_listener(
            id,
            ListenerProps::builder()
                .protocol(ListenerProtocol::Https)
                .certificate_arns(vec![certificate_arn.into()])
                .default_action(default_action)
                .build(),
        )
    }

    /// A port-80 listener whose only action is a permanent redirect to
    /// HTTPS on 443 (host, path and query kept).
    pub fn redirect_http_to_https(&self, id: &str) -> Listener {
        self.add_http_listener(id, ListenerAction::redirect_to_https())
    }

    fn metric(&self, name: &str, statistic: Statistic) -> Metric {
        Metric::new("AWS/ApplicationELB", name)
            .dimension("LoadBalancer", self.full_name())
            .statistic(statistic)
            .period_secs(60)
    }

    /// `HTTPCode_ELB_<class>_Count`: responses generated by the load
    /// balancer itself (Sum over 1 minute).
    pub fn metric_http_code_elb(&self, class: HttpCodeElb) -> Metric {
        self.metric(class.metric_name(), Statistic::Sum)
    }

    /// `HTTPCode_Target_<class>_Count`: responses from targets (Sum over 1
    /// minute).
    pub fn metric_http_code_target(&self, class: HttpCodeTarget) -> Metric {
        self.metric(class.metric_name(), Statistic::Sum)
    }

    /// 5xx responses the load balancer itself generated
    /// (`HTTPCode_ELB_5XX_Count`: no healthy target, timeouts, its own
    /// errors), not the targets' 5xx ([`Self::metric_target_5xx`]).
    /// Shorthand for `metric_http_code_elb(HttpCodeElb::Elb5xx)`.
    pub fn metric_elb_5xx(&self) -> Metric {
        self.metric_http_code_elb(HttpCodeElb::Elb5xx)
    }

    /// The former name of [`Self::metric_elb_5xx`], which says whose 5xx it counts.
    #[deprecated(since = "0.1.0", note = "use `metric_elb_5xx` (the load balancer's own 5xx) or `metric_target_5xx`")]
    pub fn metric_http_5xx(&self) -> Metric {
        self.metric_elb_5xx()
    }

    /// Shorthand for `metric_http_code_target(HttpCodeTarget::Target5xx)`.
    pub fn metric_target_5xx(&self) -> Metric {
        self.metric_http_code_target(HttpCodeTarget::Target5xx)
    }

    /// `TargetResponseTime` in seconds (Average over 1 minute).
    pub fn metric_target_response_time(&self) -> Metric {
        self.metric("TargetResponseTime", Statistic::Average)
    }

    /// `RequestCount` (Sum over 1 minute).
    pub fn metric_request_count(&self) -> Metric {
        self.metric("RequestCount", Statistic::Sum)
    }

    /// `RejectedConnectionCount` (Sum over 1 minute).
    pub fn metric_rejected_connection_count(&self) -> Metric {
        self.metric("RejectedConnectionCount", Statistic::Sum)
    }
}

/// Response classes generated by the load balancer itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpCodeElb {
    /// `HTTPCode_ELB_3XX_Count` (redirects).
    Elb3xx,
    /// `HTTPCode_ELB_4XX_Count`.
    Elb4xx,
    /// `HTTPCode_ELB_5XX_Count`.
    Elb5xx,
}

impl HttpCodeElb {
    fn metric_name(self) -> &'static str {
        match self {
            HttpCodeElb::Elb3xx => "HTTPCode_ELB_3XX_Count",
            HttpCodeElb::Elb4xx => "HTTPCode_ELB_4XX_Count",
            HttpCodeElb::Elb5xx => "HTTPCode_ELB_5XX_Count",
        }
    }
}

/// Response classes returned by targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpCodeTarget {
    /// `HTTPCode_Target_2XX_Count`.
    Target2xx,
    /// `HTTPCode_Target_3XX_Count`.
    Target3xx,
    /// `HTTPCode_Target_4XX_Count`.
    Target4xx,
    /// `HTTPCode_Target_5XX_Count`.
    Target5xx,
}

impl HttpCodeTarget {
    fn metric_name(self) -> &'static str {
        match self {
            HttpCodeTarget::Target2xx => "HTTPCode_Target_2XX_Count",
            HttpCodeTarget::Target3xx => "HTTPCode_Target_3XX_Count",
            HttpCodeTarget::Target4xx => "HTTPCode_Target_4XX_Count",
            HttpCodeTarget::Target5xx => "HTTPCode_Target_5XX_Count",
        }
    }
}

impl HasConnections for ApplicationLoadBalancer {
    fn connections(&self) -> Connections {
        Connections::new(vec![self.inner.security_group.clone()], None)
    }
}

/// Alarm helpers (kept in their own block: metrics above, alarms here).
impl ApplicationLoadBalancer {
    /// An alarm firing when targets answered more than `threshold` 5XX
    /// responses in 5 minutes (`HTTPCode_Target_5XX_Count` Sum over 300 s,
    /// one period; no data is not breaching).
    pub fn alarm_target_5xx(&self, scope: &Scope, id: &str, threshold: f64) -> stackcraft_observability::Alarm {
        self.alarm_5xx_over_5_minutes(scope, id, self.metric_target_5xx(), threshold, "targets")
    }

    /// An alarm firing when the load balancer itself answered more than
    /// `threshold` 5XX responses (502/503/504: no reachable target, ...) in
    /// 5 minutes (`HTTPCode_ELB_5XX_Count` Sum over 300 s).
    pub fn alarm_elb_5xx(&self, scope: &Scope, id: &str, threshold: f64) -> stackcraft_observability::Alarm {
        self.alarm_5xx_over_5_minutes(scope, id, self.metric_elb_5xx(), threshold, "the load balancer")
    }

    fn alarm_5xx_over_5_minutes(
        &self,
        scope: &Scope,
        id: &str,
        metric: Metric,
        threshold: f64,
        who: &str,
    ) -> stackcraft_observability::Alarm {
        use stackcraft_observability::{AlarmOptions, ComparisonOperator, TreatMissingData};
        metric.statistic(Statistic::Sum).period_secs(300).create_alarm(
            scope,
            id,
            AlarmOptions::builder()
                .threshold(threshold)
                .comparison_operator(ComparisonOperator::GreaterThanThreshold)
                .treat_missing_data(TreatMissingData::NotBreaching)
                .description(format!("More than {threshold} 5XX responses from {who} in 5 minutes"))
                .build(),
        )
    }
}
