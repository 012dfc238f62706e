//! A Fargate service added to an existing load balancer listener.

use std::collections::BTreeMap;

use stackcraft_alb::{
    HealthCheck, Listener, ListenerAction, ListenerCondition, ListenerRuleProps, TargetGroup, TargetGroupProps,
};
use stackcraft_core::{ResourceHandle, Scope, Value};
use stackcraft_ecs_service::{
    CapacityStrategy, CloudMapOptions, Cluster, Container, ContainerImage, ContainerProps, ContainerSecret,
    FargateService, FargateServiceProps, FargateSize, FargateTaskDefinition, FargateTaskDefinitionProps, Logging,
    PortMapping, PrivateDnsNamespace, ScalableTaskCount, ScalingProps, TargetTracking,
};
use stackcraft_messaging::Topic;
use stackcraft_observability::{Alarm, AlarmOptions, LogGroupProps};
use stackcraft_vpc::Vpc;
use typed_builder::TypedBuilder;

/// Settings of a [`SharedAlbService`]. Only the first nine are required.
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct SharedAlbServiceProps {
    /// The service name: construct id, container name and Cloud Map name
    /// (a DNS label, e.g. `orders`).
    #[builder(setter(into))]
    pub name: String,
    /// The cluster.
    pub cluster: Cluster,
    /// The VPC.
    pub vpc: Vpc,
    /// The existing listener the service's rule is added to.
    pub listener: Listener,
    /// The image.
    pub image: ContainerImage,
    /// The container port (also the target group port).
    pub port: u16,
    /// Task CPU and memory.
    pub size: FargateSize,
    /// The rule's conditions (path patterns, host headers; all must match).
    pub conditions: Vec<ListenerCondition>,
    /// Rule priority. Default: the listener's next free automatic priority
    /// (10, 20, ... in the order services are added, so appending a service
    /// never renumbers the others). A catch-all route must come after the
    /// specific ones: route analysis reports a shadowed rule as an error.
    #[builder(default, setter(strip_option))]
    pub priority: Option<u32>,
    /// Target group health check (default `GET /health`, 200).
    #[builder(default = HealthCheck::builder().path("/health").build())]
    pub health_check: HealthCheck,
    /// Plain environment variables.
    #[builder(default)]
    pub environment: BTreeMap<String, Value<String>>,
    /// Secrets injected as environment variables at start.
    #[builder(default)]
    pub secrets: BTreeMap<String, ContainerSecret>,
    /// The container's log group (default: one year, KMS-encrypted with a
    /// new key, retained). Share a key across services with
    /// `LogGroupEncryption::Key`.
    #[builder(default)]
    pub log_group: LogGroupProps,
    /// Paths kept writable with the read-only root file system (default
    /// `/tmp`).
    #[builder(default = vec!["/tmp".to_string()])]
    pub writable_paths: Vec<String>,
    /// The user to run as (default: the image's).
    #[builder(default, setter(strip_option, into))]
    pub user: Option<String>,
    /// Register `<name>.<namespace>` in Cloud Map.
    #[builder(default, setter(strip_option))]
    pub namespace: Option<PrivateDnsNamespace>,
    /// Fewest tasks (default 1).
    #[builder(default = 1)]
    pub min_tasks: u32,
    /// Most tasks (default 10). Equal to `min_tasks`: no autoscaling.
    #[builder(default = 10)]
    pub max_tasks: u32,
    /// CPU target tracking (default 70%, scale out after 60 s, in after
    /// 300 s).
    #[builder(default = TargetTracking::builder().target_value(70.0).build())]
    pub cpu_scaling: TargetTracking,
    /// Also track memory utilization.
    #[builder(default, setter(strip_option))]
    pub memory_scaling: Option<TargetTracking>,
    /// Send CPU and memory alarms here.
    #[builder(default, setter(strip_option))]
    pub alarm_topic: Option<Topic>,
    /// CPU alarm threshold in percent (default 80).
    #[builder(default = 80.0)]
    pub cpu_alarm_percent: f64,
    /// Memory alarm threshold in percent (default 80).
    #[builder(default = 80.0)]
    pub memory_alarm_percent: f64,
    /// Minutes above the threshold before an alarm fires (default 3).
    #[builder(default = 3)]
    pub alarm_evaluation_minutes: u32,
    /// On-demand / Spot placement (default on-demand).
    #[builder(default)]
    pub capacity: CapacityStrategy,
    /// Deployment circuit breaker with rollback (default `true`).
    #[builder(default = true)]
    pub circuit_breaker: bool,
    /// ECS Exec (default `true`).
    #[builder(default = true)]
    pub enable_execute_command: bool,
}

/// A Fargate service behind an existing listener: see the crate docs. Every
/// part is reachable for further changes.
#[derive(Debug, Clone)]
pub struct SharedAlbService {
    scope: Scope,
    service: FargateService,
    container: Container,
    target_group: TargetGroup,
    rule: ResourceHandle,
    scaling: Option<ScalableTaskCount>,
    alarms: Vec<Alarm>,
}

impl SharedAlbService {
    /// Add the service under `scope` (construct id: the service name).
    pub fn new(scope: &Scope, props: SharedAlbServiceProps) -> SharedAlbService {
        let scope = scope.scope(&props.name);
        let task =
            FargateTaskDefinition::new(&scope, "Task", FargateTaskDefinitionProps::builder().size(props.size).build());
        let mut container_props = ContainerProps::builder()
            .name(props.name.clone())
            .image(props.image.clone())
            .port_mappings(vec![PortMapping::tcp(props.port)])
            .environment(props.environment.clone())
            .secrets(props.secrets.clone())
            .logging(Logging::NewLogGroup(props.log_group.clone()))
            .writable_paths(props.writable_paths.clone())
            .build();
        container_props.user = props.user.clone();
        let container = task.add_container(container_props);
        let target_group = TargetGroup::new(
            &scope,
            "TargetGroup",
            TargetGroupProps::builder()
                .vpc(props.vpc.clone())
                .port(props.port)
                .health_check(props.health_check.clone())
                .build(),
        );
        let mut rule = ListenerRuleProps::builder()
            .conditions(props.conditions.clone())
            .action(ListenerAction::forward(&target_group))
            .build();
        rule.priority = props.priority;
        let rule = props.listener.add_rule(&props.name, rule);

        let mut service_props = FargateServiceProps::builder()
            .cluster(props.cluster.clone())
            .task_definition(task)
            .vpc(props.vpc.clone())
            .desired_count(props.min_tasks)
            .capacity(props.capacity)
            .circuit_breaker_rollback(props.circuit_breaker)
            .enable_execute_command(props.enable_execute_command)
            .build();
        if let Some(ns) = &props.namespace {
            service_props.cloud_map =
                Some(CloudMapOptions::builder().namespace(ns.clone()).name(props.name.clone()).build());
        }
        let service = FargateService::new(&scope, "Service", service_props);
        service.attach_to_target_group(&target_group, &props.name, props.port);

        let scaling = (props.max_tasks != props.min_tasks).then(|| {
            let s = service.auto_scale_task_count(
                ScalingProps::builder().min_capacity(props.min_tasks).max_capacity(props.max_tasks).build(),
            );
            s.scale_on_cpu_utilization("Cpu", props.cpu_scaling.clone());
            if let Some(m) = &props.memory_scaling {
                s.scale_on_memory_utilization("Memory", m.clone());
            }
            s
        });

        let mut alarms = Vec::new();
        if let Some(topic) = &props.alarm_topic {
            for (id, field, metric, threshold, what) in [
                ("CpuAlarm", "cpu_alarm_percent", service.metric_cpu_utilization(), props.cpu_alarm_percent, "CPU"),
                (
                    "MemoryAlarm",
                    "memory_alarm_percent",
                    service.metric_memory_utilization(),
                    props.memory_alarm_percent,
                    "memory",
                ),
            ] {
                if !(threshold > 0.0 && threshold <= 100.0) {
                    scope.error(
                        field,
                        format!("{what} alarm threshold {threshold}: a percentage above 0 and at most 100"),
                    );
                }
                let alarm = metric.create_alarm(
                    &scope,
                    id,
                    AlarmOptions::builder()
                        .threshold(threshold)
                        .evaluation_periods(props.alarm_evaluation_minutes)
                        .description(format!("{} {what} above {threshold}%", props.name))
                        .build(),
                );
                alarm.notify(topic);
                alarms.push(alarm);
            }
        }
        SharedAlbService { scope, service, container, target_group, rule, scaling, alarms }
    }

    /// The ECS service (grants, connections, metrics).
    pub fn service(&self) -> &FargateService {
        &self.service
    }

    /// The application container (add environment, secrets, ports).
    pub fn container(&self) -> &Container {
        &self.container
    }

    /// The target group.
    pub fn target_group(&self) -> &TargetGroup {
        &self.target_group
    }

    /// The listener rule.
    pub fn rule(&self) -> &ResourceHandle {
        &self.rule
    }

    /// The scalable task count (`None` when `min_tasks == max_tasks`).
    pub fn scaling(&self) -> Option<&ScalableTaskCount> {
        self.scaling.as_ref()
    }

    /// The CPU and memory alarms (empty without an alarm topic).
    pub fn alarms(&self) -> &[Alarm] {
        &self.alarms
    }

    /// The construct scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}
