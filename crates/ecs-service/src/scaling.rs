//! Service autoscaling: Application Auto Scaling scalable target and
//! target-tracking policies.

use stackcraft_cfn::applicationautoscaling as aas;
use stackcraft_core::{ResourceHandle, Scope, Value};
use typed_builder::TypedBuilder;

use crate::service::{FargateService, ServiceTargetGroup};

/// Bounds of a service's task count.
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct ScalingProps {
    /// Fewest tasks (≥ 0).
    pub min_capacity: u32,
    /// Most tasks (≥ `min_capacity`).
    pub max_capacity: u32,
}

/// Settings shared by the target-tracking policies.
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct TargetTracking {
    /// The metric value to hold (utilization in percent, or requests per
    /// target).
    pub target_value: f64,
    /// Seconds after a scale-in before another (default 300).
    #[builder(default = 300)]
    pub scale_in_cooldown_secs: u32,
    /// Seconds after a scale-out before another (default 60).
    #[builder(default = 60)]
    pub scale_out_cooldown_secs: u32,
    /// Only scale out (default `false`).
    #[builder(default = false)]
    pub disable_scale_in: bool,
}

/// The scalable task count of a [`FargateService`]
/// (`AWS::ApplicationAutoScaling::ScalableTarget`).
///
/// Its `RoleARN` is the ECS service-linked role of Application Auto Scaling
/// (`AWSServiceRoleForApplicationAutoScaling_ECSService`), in the stack's
/// partition; AWS creates that role on first use.
#[derive(Debug, Clone)]
pub struct ScalableTaskCount {
    scope: Scope,
    handle: ResourceHandle,
}

impl ScalableTaskCount {
    pub(crate) fn new(scope: &Scope, id: &str, service: &FargateService, props: ScalingProps) -> Self {
        let scope = scope.scope(id);
        if props.min_capacity > props.max_capacity {
            scope.error(
                "MinCapacity",
                format!("min_capacity {} is greater than max_capacity {}", props.min_capacity, props.max_capacity),
            );
        }
        if props.max_capacity == 0 {
            scope.error("MaxCapacity", "max_capacity must be at least 1");
        }
        let role_arn = Value::arn(
            "iam",
            "",
            Value::account_id(),
            "role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
        );
        let resource_id =
            Value::join_raw("/", [Value::from("service"), service.cluster().name(), service.service_name()]);
        let l1 = aas::ScalableTarget::new(aas::ScalableTargetRequired {
            max_capacity: props.max_capacity.into(),
            min_capacity: props.min_capacity.into(),
            resource_id,
            scalable_dimension: aas::scalable_target::ScalableDimension::EcsServiceDesiredCount.into(),
            service_namespace: aas::scalable_target::ServiceNamespace::Ecs.into(),
        })
        .role_arn(role_arn);
        let handle: ResourceHandle = (*scope.add("Resource", l1)).clone();
        ScalableTaskCount { scope, handle }
    }

    fn policy(
        &self,
        id: &str,
        metric: aas::scaling_policy::PredefinedMetricSpecification,
        tt: &TargetTracking,
    ) -> ResourceHandle {
        let scope = self.scope.scope(id);
        for (what, v) in [("scale-in", tt.scale_in_cooldown_secs), ("scale-out", tt.scale_out_cooldown_secs)] {
            if v > 86_400 {
                scope
                    .error("TargetTrackingScalingPolicyConfiguration", format!("{what} cooldown {v} s: at most 86400"));
            }
        }
        if !(tt.target_value.is_finite() && tt.target_value > 0.0) {
            scope.error("TargetValue", format!("target value {} must be a positive number", tt.target_value));
        }
        let name = Value::join_raw("-", [Value::stack_name(), Value::from(sanitize(&scope.path()))]);
        let l1 = aas::ScalingPolicy::new(aas::ScalingPolicyRequired {
            policy_name: name,
            policy_type: aas::scaling_policy::PolicyType::TargetTrackingScaling.into(),
        })
        .scaling_target_id(self.handle.ref_())
        .target_tracking_scaling_policy_configuration(
            aas::scaling_policy::TargetTrackingScalingPolicyConfiguration::new(tt.target_value)
                .predefined_metric_specification(metric)
                .scale_in_cooldown(tt.scale_in_cooldown_secs)
                .scale_out_cooldown(tt.scale_out_cooldown_secs)
                .disable_scale_in(tt.disable_scale_in),
        );
        (*scope.add("Resource", l1)).clone()
    }

    fn utilization(
        &self,
        id: &str,
        metric: aas::scaling_policy::PredefinedMetricType,
        tt: &TargetTracking,
    ) -> ResourceHandle {
        if !(tt.target_value > 0.0 && tt.target_value <= 100.0) {
            self.scope
                .error("TargetValue", format!("{id}: a utilization target is a percentage, above 0 and at most 100"));
        }
        self.policy(id, aas::scaling_policy::PredefinedMetricSpecification::new(metric), tt)
    }

    /// Track average CPU utilization (percent).
    pub fn scale_on_cpu_utilization(&self, id: &str, tracking: TargetTracking) -> ResourceHandle {
        self.utilization(id, aas::scaling_policy::PredefinedMetricType::ECSServiceAverageCPUUtilization, &tracking)
    }

    /// Track average memory utilization (percent).
    pub fn scale_on_memory_utilization(&self, id: &str, tracking: TargetTracking) -> ResourceHandle {
        self.utilization(id, aas::scaling_policy::PredefinedMetricType::ECSServiceAverageMemoryUtilization, &tracking)
    }

    /// Track ALB requests per target of a target group the service is
    /// attached to.
    pub fn scale_on_request_count(
        &self,
        id: &str,
        target_group: &dyn ServiceTargetGroup,
        tracking: TargetTracking,
    ) -> ResourceHandle {
        let label = target_group.request_count_resource_label().unwrap_or_else(|| {
            self.scope.error(
                "ResourceLabel",
                format!("{id}: the target group is not routed to by any listener yet; add it to a listener first"),
            );
            Value::from("")
        });
        let metric = aas::scaling_policy::PredefinedMetricSpecification::new(
            aas::scaling_policy::PredefinedMetricType::ALBRequestCountPerTarget,
        )
        .resource_label(label);
        let h = self.policy(id, metric, &tracking);
        // The label only resolves once the target group is attached to a
        // load balancer.
        for d in target_group.dependables() {
            h.add_depends_on(&d);
        }
        h
    }

    /// The scalable target resource.
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }
}

fn sanitize(path: &str) -> String {
    path.chars().filter(char::is_ascii_alphanumeric).collect()
}
