//! Fargate services: networking, deployments, load balancing, service
//! discovery, grants and metrics.

use stackcraft_alb::TargetGroup;
use stackcraft_cfn::{ecs, servicediscovery as sd};
use stackcraft_core::{list_mut, ResourceHandle, Scope, Value};
use stackcraft_iam::{Grantable, PolicyStatement, Role};
use stackcraft_observability::{Metric, Statistic};
use stackcraft_vpc::{Connections, HasConnections, Port, SecurityGroup, SecurityGroupProps, SubnetType, Vpc};
use typed_builder::TypedBuilder;

use crate::cluster::Cluster;
use crate::scaling::{ScalableTaskCount, ScalingProps};
use crate::task::FargateTaskDefinition;

/// Where a service's tasks run: on-demand Fargate, Fargate Spot, or a mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CapacityStrategy {
    /// All tasks on on-demand Fargate (default).
    #[default]
    Fargate,
    /// All tasks on Fargate Spot (up to 70% cheaper, may be interrupted with
    /// a two-minute warning: for interruption-tolerant work).
    FargateSpot,
    /// The first `base` tasks on on-demand Fargate, the rest split by weight.
    Mixed {
        /// Tasks always placed on on-demand Fargate (0–100000).
        base: u32,
        /// Relative weight of on-demand Fargate for the tasks above `base`.
        on_demand_weight: u32,
        /// Relative weight of Fargate Spot for the tasks above `base`.
        spot_weight: u32,
    },
}

impl CapacityStrategy {
    fn items(self) -> Vec<ecs::service::CapacityProviderStrategyItem> {
        let item = |provider: &str, weight: u32| {
            ecs::service::CapacityProviderStrategyItem::new().capacity_provider(provider).weight(weight)
        };
        match self {
            CapacityStrategy::Fargate => vec![item("FARGATE", 1)],
            CapacityStrategy::FargateSpot => vec![item("FARGATE_SPOT", 1)],
            CapacityStrategy::Mixed { base, on_demand_weight, spot_weight } => {
                vec![item("FARGATE", on_demand_weight).base(base), item("FARGATE_SPOT", spot_weight)]
            }
        }
    }
}

/// Properties of a [`PrivateDnsNamespace`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct PrivateDnsNamespaceProps {
    /// The namespace's DNS domain, e.g. `internal.pyshop` (services are
    /// reachable as `<service>.<name>`).
    #[builder(setter(into))]
    pub name: String,
    /// The VPC the namespace's private hosted zone is visible in.
    pub vpc: Vpc,
}

/// A Cloud Map private DNS namespace (`AWS::ServiceDiscovery::PrivateDnsNamespace`)
/// services register in, e.g. `internal.pyshop`.
#[derive(Debug, Clone)]
pub struct PrivateDnsNamespace {
    handle: ResourceHandle,
    name: String,
}

impl PrivateDnsNamespace {
    /// A namespace named `props.name` (a DNS domain) visible in `props.vpc`.
    pub fn new(scope: &Scope, id: &str, props: PrivateDnsNamespaceProps) -> Self {
        let scope = scope.scope(id);
        let PrivateDnsNamespaceProps { name, vpc } = props;
        if let Err(e) = stackcraft_core::validate::names::dns_name(&name, false) {
            scope.error("Name", e);
        }
        let l1 = sd::PrivateDnsNamespace::new(name.as_str()).vpc(vpc.vpc_id());
        let handle: ResourceHandle = (*scope.add("Resource", l1)).clone();
        PrivateDnsNamespace { handle, name }
    }

    /// The namespace id.
    pub fn id(&self) -> Value<String> {
        self.handle.get_att("Id")
    }

    /// The namespace ARN.
    pub fn arn(&self) -> Value<String> {
        self.handle.get_att("Arn")
    }

    /// The domain name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The underlying resource.
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }
}

/// Register a service's tasks in Cloud Map (A records, multivalue answers).
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct CloudMapOptions {
    /// The namespace.
    pub namespace: PrivateDnsNamespace,
    /// The service name: tasks resolve as `<name>.<namespace>`.
    #[builder(setter(into))]
    pub name: String,
    /// DNS record TTL in seconds (default 10).
    #[builder(default = 10)]
    pub dns_ttl_secs: u32,
}

/// A load balancer target group a service can register its tasks in.
///
/// Implemented for [`stackcraft_alb::TargetGroup`]; any other target group
/// (e.g. an imported one) can implement it too. The target group must use
/// target type `ip` (Fargate tasks are addressed by IP).
pub trait ServiceTargetGroup {
    /// The target group ARN.
    fn target_group_arn(&self) -> Value<String>;
    /// The resources (listener, listener rules) that must exist before the
    /// service registers targets (ECS rejects a target group not attached to
    /// a load balancer).
    fn dependables(&self) -> Vec<ResourceHandle>;
    /// The connections of the load balancer(s) in front of the target group
    /// (the service opens its port to them); `None` while the group is not
    /// routed to by any listener.
    fn load_balancer_connections(&self) -> Option<Connections>;
    /// `app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>`: the resource
    /// label of the `ALBRequestCountPerTarget` scaling metric; `None` while
    /// the group is not routed to by any listener.
    fn request_count_resource_label(&self) -> Option<Value<String>>;
    /// Whether targets register by IP address: Fargate tasks (`awsvpc`
    /// networking) can only join `ip` target groups.
    fn registers_by_ip(&self) -> bool {
        true
    }
}

impl ServiceTargetGroup for TargetGroup {
    fn target_group_arn(&self) -> Value<String> {
        self.arn()
    }

    fn registers_by_ip(&self) -> bool {
        self.target_type() == stackcraft_alb::TargetType::Ip
    }

    fn dependables(&self) -> Vec<ResourceHandle> {
        TargetGroup::dependables(self)
    }

    fn load_balancer_connections(&self) -> Option<Connections> {
        let lbs = self.load_balancers();
        if lbs.is_empty() {
            return None;
        }
        let groups = lbs.iter().flat_map(|lb| lb.connections().security_groups().to_vec()).collect();
        Some(Connections::new(groups, None))
    }

    fn request_count_resource_label(&self) -> Option<Value<String>> {
        let lb = self.load_balancers().into_iter().next()?;
        Some(Value::join_raw("/", [lb.full_name(), self.full_name()]))
    }
}

/// Settings of a [`FargateService`].
///
/// Defaults: 2 tasks in the VPC's private subnets without public IPs, a new
/// security group, deployment circuit breaker with rollback, 100–200%
/// healthy during deployments, on-demand Fargate, ECS Exec off.
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct FargateServiceProps {
    /// The cluster.
    pub cluster: Cluster,
    /// The task definition (needs at least one essential container).
    pub task_definition: FargateTaskDefinition,
    /// The VPC the tasks run in.
    pub vpc: Vpc,
    /// Tasks to run (default 2). Once
    /// [`FargateService::auto_scale_task_count`] is used the scalable target
    /// owns the count and `DesiredCount` leaves the template: a count given
    /// here must then equal the scaling `min_capacity` (a different one is a
    /// synth error, never silently dropped); leave it out with autoscaling.
    #[builder(default, setter(strip_option))]
    pub desired_count: Option<u32>,
    /// Subnet tier for the tasks (default private with egress).
    #[builder(default = SubnetType::PrivateWithEgress)]
    pub subnet_type: SubnetType,
    /// Security groups (default: a new group allowing all outbound traffic,
    /// needed for image pulls and AWS APIs through NAT).
    #[builder(default)]
    pub security_groups: Vec<SecurityGroup>,
    /// Stop a failing deployment and roll back (default `true`).
    #[builder(default = true)]
    pub circuit_breaker_rollback: bool,
    /// ECS Exec (`aws ecs execute-command`); grants the task role the
    /// `ssmmessages` channel actions and mounts the paths the exec agent
    /// writes to (`/managed-agents`, `/var/lib/amazon/ssm`,
    /// `/var/log/amazon/ssm`) as scratch volumes in read-only-root
    /// containers. Default `false`.
    #[builder(default = false)]
    pub enable_execute_command: bool,
    /// On-demand / Spot placement.
    #[builder(default)]
    pub capacity: CapacityStrategy,
    /// Lower limit of running tasks during a deployment, percent of desired
    /// (default 100).
    #[builder(default = 100)]
    pub min_healthy_percent: u32,
    /// Upper limit of running tasks during a deployment, percent of desired
    /// (default 200).
    #[builder(default = 200)]
    pub max_healthy_percent: u32,
    /// Seconds to ignore load balancer health checks after a task starts
    /// (default 60 once attached to a target group).
    #[builder(default, setter(strip_option))]
    pub health_check_grace_period_secs: Option<u32>,
    /// Cloud Map registration.
    #[builder(default, setter(strip_option))]
    pub cloud_map: Option<CloudMapOptions>,
    /// Fixed service name. Default: generated.
    #[builder(default, setter(strip_option, into))]
    pub service_name: Option<String>,
    /// Give each task a public IP (`AssignPublicIp: ENABLED`), with the
    /// reason: only for tasks in public subnets (`subnet_type: Public`),
    /// e.g. a dev environment without NAT gateways. The reason is recorded
    /// as the checkov skip of CKV_AWS_333 on the service. Default: no
    /// public IP.
    #[builder(default, setter(strip_option, into))]
    pub assign_public_ip_because: Option<String>,
    /// Restrict the outbound traffic of the service's own security group:
    /// only HTTPS (443) to anywhere (AWS APIs, ECR, logs, external APIs),
    /// plus the peers opened with connections (e.g.
    /// `db.connections().allow_default_port_from(&service)` adds egress to
    /// the database on 5432). Default `false`: all outbound traffic.
    /// Not combinable with `security_groups` (set their egress there).
    #[builder(default = false)]
    pub restrict_egress: bool,
}

/// An ECS service running a [`FargateTaskDefinition`] on Fargate
/// (`AWS::ECS::Service`), in private subnets with its own security group.
///
/// It implements [`Grantable`] (grants go to the task role) and
/// [`HasConnections`] (other blocks open their ports to it).
#[derive(Debug, Clone)]
pub struct FargateService {
    scope: Scope,
    handle: ResourceHandle,
    cluster: Cluster,
    task_definition: FargateTaskDefinition,
    connections: Connections,
    grace_default: bool,
    desired_count: Option<u32>,
}

impl FargateService {
    /// Add a service with construct id `id` under `scope`.
    pub fn new(scope: &Scope, id: &str, props: FargateServiceProps) -> Self {
        let scope = scope.scope(id);
        let td = props.task_definition.clone();
        if td.container_names().is_empty() {
            scope.error(
                "TaskDefinition",
                "the task definition has no container: add one with add_container before creating the service",
            );
        } else if !td.has_essential_container() {
            scope.error("TaskDefinition", "the task definition needs at least one essential container");
        }
        if props.min_healthy_percent > 100 {
            scope.error(
                "DeploymentConfiguration.MinimumHealthyPercent",
                format!("{}% given: allowed 0 to 100", props.min_healthy_percent),
            );
        }
        if props.max_healthy_percent < 100 || props.max_healthy_percent > 200 {
            scope.error(
                "DeploymentConfiguration.MaximumPercent",
                format!("{}% given: allowed 100 to 200", props.max_healthy_percent),
            );
        }
        if props.min_healthy_percent == 100 && props.max_healthy_percent == 100 {
            scope.error(
                "DeploymentConfiguration",
                "min 100% and max 100% healthy leaves ECS no room to replace tasks; raise the maximum",
            );
        }
        if let CapacityStrategy::Mixed { base, on_demand_weight, spot_weight } = props.capacity {
            if base > 100_000 || on_demand_weight > 1000 || spot_weight > 1000 {
                scope.error("CapacityProviderStrategy", "base 0-100000, weights 0-1000");
            }
            if on_demand_weight == 0 && spot_weight == 0 {
                scope.error("CapacityProviderStrategy", "at least one weight must be greater than 0");
            }
        }
        let subnets = props.vpc.subnet_ids(props.subnet_type);
        if subnets.is_empty() {
            scope.error("NetworkConfiguration", format!("the VPC has no {} subnets", props.subnet_type.label()));
        }
        if props.subnet_type == SubnetType::Isolated && !subnets.is_empty() {
            // Isolated subnets have no route out: the task can start only if
            // ECR (API, registry, layers in S3) and CloudWatch Logs are
            // reachable through VPC endpoints.
            let mut missing: Vec<&str> =
                ["ecr.api", "ecr.dkr", "logs"].into_iter().filter(|e| !props.vpc.has_interface_endpoint(e)).collect();
            if !props.vpc.has_gateway_endpoint(stackcraft_vpc::GatewayEndpoint::S3) {
                missing.push("s3 (gateway)");
            }
            if !missing.is_empty() {
                scope.error(
                    "NetworkConfiguration",
                    format!(
                        "tasks in isolated subnets can never start: the VPC lacks the endpoints {} (ECR image pulls and logs have no other route); \
                         add them (VpcProps interface_endpoints / gateway_endpoints) or run in PrivateWithEgress subnets (NAT)",
                        missing.join(", ")
                    ),
                );
            }
        }
        let public_ip = match props.assign_public_ip_because.as_deref().map(str::trim) {
            Some("") => {
                scope.error(
                    "NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp",
                    "assign_public_ip_because needs a reason (why must the tasks be reachable at a public IP?)",
                );
                false
            }
            Some(_) if props.subnet_type != SubnetType::Public => {
                scope.error(
                    "NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp",
                    format!(
                        "a public IP is only useful in public subnets; the tasks run in {} subnets \
                         (set subnet_type: Public, or drop assign_public_ip_because)",
                        props.subnet_type.label()
                    ),
                );
                false
            }
            Some(_) => true,
            None => false,
        };
        if props.subnet_type == SubnetType::Public && !public_ip {
            scope.warn(
                "ecs.public-subnet-without-public-ip",
                "NetworkConfiguration",
                "tasks in public subnets without a public IP cannot reach the internet; use private subnets",
            );
        }
        if props.restrict_egress && !props.security_groups.is_empty() {
            scope.error(
                "NetworkConfiguration.AwsvpcConfiguration.SecurityGroups",
                "restrict_egress applies to the service's own security group; with security_groups given, \
                 restrict their egress instead",
            );
        }
        let groups = if props.security_groups.is_empty() {
            let sg = SecurityGroup::new(
                &scope,
                "SecurityGroup",
                SecurityGroupProps::builder()
                    .vpc(props.vpc.clone())
                    .description(format!("Tasks of ECS service {}", scope.path()))
                    .allow_all_outbound(!props.restrict_egress)
                    .build(),
            );
            if props.restrict_egress {
                sg.add_egress_to_cidr("0.0.0.0/0", Port::tcp(443), "HTTPS to AWS APIs, ECR, logs and external APIs");
            }
            vec![sg]
        } else {
            props.security_groups.clone()
        };
        let connections = Connections::new(groups.clone(), None);
        let mut l1 = ecs::Service::new()
            .cluster(props.cluster.name())
            .task_definition(td.arn())
            .desired_count(props.desired_count.unwrap_or(2))
            .capacity_provider_strategy(props.capacity.items())
            .platform_version("LATEST")
            .deployment_configuration(
                ecs::service::DeploymentConfiguration::new()
                    .minimum_healthy_percent(props.min_healthy_percent)
                    .maximum_percent(props.max_healthy_percent)
                    .deployment_circuit_breaker(ecs::service::DeploymentCircuitBreaker::new(
                        ecs::service::DeploymentCircuitBreakerRequired {
                            enable: props.circuit_breaker_rollback.into(),
                            rollback: props.circuit_breaker_rollback.into(),
                        },
                    )),
            )
            .deployment_controller(
                ecs::service::DeploymentController::new().type_(stackcraft_cfn::ecs::service::Type::Ecs),
            )
            .network_configuration(
                ecs::service::NetworkConfiguration::new().awsvpc_configuration(
                    ecs::service::AwsVpcConfiguration::new()
                        .assign_public_ip(if public_ip {
                            ecs::service::AssignPublicIp::Enabled
                        } else {
                            ecs::service::AssignPublicIp::Disabled
                        })
                        .subnets(subnets)
                        .security_groups(groups.iter().map(SecurityGroup::id).collect::<Vec<_>>()),
                ),
            )
            .enable_ecs_managed_tags(true)
            .propagate_tags(stackcraft_cfn::ecs::service::PropagateTags::Service)
            .enable_execute_command(props.enable_execute_command);
        if let Some(n) = &props.service_name {
            if let Err(e) = crate::names::SERVICE_NAME.check(n) {
                scope.error("ServiceName", e);
            }
            l1 = l1.service_name(n);
        }
        if let Some(g) = props.health_check_grace_period_secs {
            if g > 2_147_483_647 {
                scope.error("HealthCheckGracePeriodSeconds", "at most 2147483647");
            }
            l1 = l1.health_check_grace_period_seconds(g);
        }
        if let Some(cm) = &props.cloud_map {
            if cm.dns_ttl_secs > 2_147_483_647 {
                scope.error("ServiceRegistries", "DNS TTL at most 2147483647 seconds");
            }
            let ok = !cm.name.is_empty()
                && cm.name.len() <= 63
                && cm.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !ok {
                scope.error("ServiceRegistries", format!("Cloud Map service name {:?}: a DNS label", cm.name));
            }
            let registry = scope.add(
                "CloudMapService",
                sd::Service::new()
                    .name(&cm.name)
                    .namespace_id(cm.namespace.id())
                    .dns_config(
                        sd::service::DnsConfig::new(vec![sd::service::DnsRecord::new(
                            sd::service::DnsRecordRequired {
                                ttl: f64::from(cm.dns_ttl_secs).into(),
                                type_: sd::service::DnsRecordType::A.into(),
                            },
                        )])
                        .routing_policy(sd::service::RoutingPolicy::Multivalue),
                    )
                    .health_check_custom_config(sd::service::HealthCheckCustomConfig::new().failure_threshold(1)),
            );
            l1 = l1.service_registries(vec![ecs::service::ServiceRegistry::new().registry_arn(registry.attr_arn())]);
        }
        if props.enable_execute_command {
            td.prepare_for_exec();
            td.task_role().add_to_policy(
                PolicyStatement::allow()
                    .actions([
                        "ssmmessages:CreateControlChannel",
                        "ssmmessages:CreateDataChannel",
                        "ssmmessages:OpenControlChannel",
                        "ssmmessages:OpenDataChannel",
                    ])
                    .all_resources("the ssmmessages channel actions of ECS Exec have no resource-level permissions"),
            );
        }
        let handle: ResourceHandle = (*scope.add("Resource", l1)).clone();
        if public_ip {
            let reason = props.assign_public_ip_because.as_deref().unwrap_or_default();
            handle.acknowledge("ecs.no-public-ip", &format!("public IP assigned on purpose: {}", reason.trim()));
        }
        // The execution role's policy must exist before tasks start (they
        // pull images and read secrets with it).
        for d in td.execution_role().dependables().iter().chain(&td.task_role().dependables()) {
            handle.add_depends_on(d);
        }
        FargateService {
            scope,
            handle,
            cluster: props.cluster,
            task_definition: td,
            connections,
            grace_default: props.health_check_grace_period_secs.is_none(),
            desired_count: props.desired_count,
        }
    }

    /// Register the service's tasks (`container_name`:`port`) in a target
    /// group: sets `LoadBalancers`, makes the service depend on the
    /// listener/rules ([`ServiceTargetGroup::dependables`]), and opens
    /// `port` on the service's security group to the load balancer.
    /// The container must map `port` (TCP); otherwise an error is recorded.
    pub fn attach_to_target_group(&self, target_group: &dyn ServiceTargetGroup, container_name: &str, port: u16) {
        if !target_group.registers_by_ip() {
            self.scope.error(
                "LoadBalancers",
                "the target group's target type is `instance`; Fargate tasks (awsvpc networking) register by IP: \
                 use TargetType::Ip",
            );
        }
        if !self.task_definition.container_names().iter().any(|n| n == container_name) {
            self.scope.error(
                "LoadBalancers",
                format!(
                    "container {container_name:?} is not in the task definition (containers: {})",
                    self.task_definition.container_names().join(", ")
                ),
            );
        } else if !self.task_definition.has_port(container_name, port) {
            self.scope.error(
                "LoadBalancers",
                format!("container {container_name:?} has no TCP port mapping for port {port}"),
            );
        }
        let entry = ecs::service::LoadBalancer::new()
            .container_name(container_name)
            .container_port(port)
            .target_group_arn(target_group.target_group_arn());
        let grace = self.grace_default;
        let mut before = None;
        self.handle.edit(|s: &mut ecs::Service| {
            let Some(list) = list_mut(&mut s.load_balancers) else { return };
            if list.iter().any(|e| matches!(e, Value::Lit(x) if *x == entry)) {
                return;
            }
            before = Some(list.len());
            list.push(Value::Lit(entry));
            if grace {
                s.health_check_grace_period_seconds = Some(60.into());
            }
        });
        match before {
            None => return,
            Some(5) => self.scope.error("LoadBalancers", "an ECS service registers in at most 5 target groups"),
            Some(_) => {}
        }
        for d in target_group.dependables() {
            self.handle.add_depends_on(&d);
        }
        match target_group.load_balancer_connections() {
            Some(lb) => {
                self.connections.allow_from(&lb, Port::tcp(port), &format!("Load balancer to {container_name}:{port}"))
            }
            None => self.scope.error(
                "LoadBalancers",
                "the target group is not routed to by any listener yet: add it to a listener \
                 (default action or rule) before attaching the service",
            ),
        }
    }

    /// Scale the task count between `min_capacity` and `max_capacity`; add
    /// target-tracking policies on the returned [`ScalableTaskCount`].
    ///
    /// The scalable target then owns the task count: `DesiredCount` is left
    /// out of the template, so a later deployment does not reset a scaled-out
    /// service to the configured count (ECS starts a new service with one
    /// task and Application Auto Scaling raises it to `min_capacity` at
    /// once).
    ///
    /// A `desired_count` given to the service must equal `min_capacity`
    /// (else it would be dropped silently): a different one is an error.
    pub fn auto_scale_task_count(&self, props: ScalingProps) -> ScalableTaskCount {
        if let Some(count) = self.desired_count.filter(|c| *c != props.min_capacity) {
            self.scope.error(
                "DesiredCount",
                format!(
                    "desired_count {count} would be ignored: autoscaling owns the task count from min_capacity {}; \
                     leave desired_count out or set it to {}",
                    props.min_capacity, props.min_capacity
                ),
            );
        }
        self.handle.edit(|s: &mut ecs::Service| s.desired_count = None);
        ScalableTaskCount::new(&self.scope, "TaskCount", self, props)
    }

    /// The service ARN (`Ref`).
    pub fn arn(&self) -> Value<String> {
        self.handle.ref_()
    }

    /// The service name (`Fn::GetAtt Name`).
    pub fn service_name(&self) -> Value<String> {
        self.handle.get_att("Name")
    }

    /// The cluster.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The task definition.
    pub fn task_definition(&self) -> &FargateTaskDefinition {
        &self.task_definition
    }

    /// The task role (what grants go to).
    pub fn task_role(&self) -> &Role {
        self.task_definition.task_role()
    }

    /// The construct scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The underlying resource.
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }

    fn metric(&self, name: &str) -> Metric {
        Metric::new("AWS/ECS", name)
            .dimension("ClusterName", self.cluster.name())
            .dimension("ServiceName", self.service_name())
            .statistic(Statistic::Average)
            .period_secs(60)
    }

    /// `AWS/ECS CPUUtilization` of the service (average, 1 minute).
    pub fn metric_cpu_utilization(&self) -> Metric {
        self.metric("CPUUtilization")
    }

    /// `AWS/ECS MemoryUtilization` of the service (average, 1 minute).
    pub fn metric_memory_utilization(&self) -> Metric {
        self.metric("MemoryUtilization")
    }
}

impl Grantable for FargateService {
    fn grant_principal(&self) -> Role {
        self.task_definition.task_role().clone()
    }
}

impl HasConnections for FargateService {
    fn connections(&self) -> Connections {
        self.connections.clone()
    }
}
