//! ECS names: clusters, services, task families and containers all take 1
//! to 255 ASCII letters, digits, hyphens and underscores. One rule
//! ([`stackcraft_core::validate::names::NameRule`]), named per use.

use stackcraft_core::validate::names::{Letters, NameRule};

const ECS_NAME: NameRule = NameRule::new("name", 1, 255, Letters::Any, "-_");

/// `ClusterName`.
pub(crate) const CLUSTER_NAME: NameRule = NameRule { what: "cluster name", ..ECS_NAME };
/// `ServiceName`.
pub(crate) const SERVICE_NAME: NameRule = NameRule { what: "service name", ..ECS_NAME };
/// `Family` of a task definition.
pub(crate) const TASK_FAMILY: NameRule = NameRule { what: "task family", ..ECS_NAME };
/// A container's `Name`.
pub(crate) const CONTAINER_NAME: NameRule = NameRule { what: "container name", ..ECS_NAME };
