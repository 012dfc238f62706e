//! ECS clusters.

use stackcraft_cfn::ecs;
use stackcraft_core::{ResourceHandle, Scope, Value};
use typed_builder::TypedBuilder;

/// CloudWatch Container Insights for a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ContainerInsights {
    /// Container Insights (default; checkov CKV_AWS_65).
    #[default]
    Enabled,
    /// Container Insights with enhanced observability (task- and
    /// container-level metrics; costs more).
    Enhanced,
    /// Off (the cluster then carries a checkov skip of CKV_AWS_65).
    Disabled,
}

impl ContainerInsights {
    fn as_str(self) -> &'static str {
        match self {
            ContainerInsights::Enabled => "enabled",
            ContainerInsights::Enhanced => "enhanced",
            ContainerInsights::Disabled => "disabled",
        }
    }
}

/// Settings of a [`Cluster`]. Defaults: Container Insights on, capacity
/// providers `FARGATE` and `FARGATE_SPOT` with `FARGATE` as the default
/// strategy.
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct ClusterProps {
    /// Fixed cluster name (1–255 of `[A-Za-z0-9_-]`). Default: generated.
    #[builder(default, setter(strip_option, into))]
    pub cluster_name: Option<String>,
    /// Container Insights (default on).
    #[builder(default)]
    pub container_insights: ContainerInsights,
}

impl Default for ClusterProps {
    fn default() -> Self {
        ClusterProps::builder().build()
    }
}

/// An ECS cluster (`AWS::ECS::Cluster`) for Fargate services.
#[derive(Debug, Clone)]
pub struct Cluster {
    handle: ResourceHandle,
}

impl Cluster {
    /// Add a cluster with construct id `id` under `scope`.
    pub fn new(scope: &Scope, id: &str, props: ClusterProps) -> Cluster {
        let scope = scope.scope(id);
        let mut l1 = ecs::Cluster::new()
            .cluster_settings(vec![ecs::cluster::ClusterSettings::new()
                .name("containerInsights")
                .value(props.container_insights.as_str())])
            .capacity_providers(["FARGATE", "FARGATE_SPOT"])
            .default_capacity_provider_strategy(vec![ecs::cluster::CapacityProviderStrategyItem::new()
                .capacity_provider("FARGATE")
                .weight(1)]);
        if let Some(n) = &props.cluster_name {
            if let Err(e) = crate::names::CLUSTER_NAME.check(n) {
                scope.error("ClusterName", e);
            }
            l1 = l1.cluster_name(n);
        }
        let handle: ResourceHandle = (*scope.add("Resource", l1)).clone();
        if props.container_insights == ContainerInsights::Disabled {
            handle.acknowledge(
                "ecs.container-insights",
                "Container Insights turned off explicitly in ClusterProps::container_insights",
            );
        }
        Cluster { handle }
    }

    /// The cluster name (`Ref`).
    pub fn name(&self) -> Value<String> {
        self.handle.ref_()
    }

    /// The cluster ARN.
    pub fn arn(&self) -> Value<String> {
        self.handle.get_att("Arn")
    }

    /// The underlying resource (escape hatch).
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }
}
