//! stackcraft-ecs-service: containers on ECS Fargate.
//!
//! - [`Cluster`]: Container Insights on, capacity providers `FARGATE` and
//!   `FARGATE_SPOT`.
//! - [`FargateTaskDefinition`] sized by [`FargateSize`] (only valid
//!   CPU/memory pairs can be constructed), with an execution role granted
//!   exactly what its containers use (ECR pulls, log streams, the secrets
//!   injected) and an empty task role for the application's grants.
//! - Containers ([`ContainerProps`], [`Container`]): images from a registry
//!   or ECR ([`ContainerImage`], [`Repository`]: scan on push, immutable
//!   tags unless [`TagMutability::mutable`] with a reason, lifecycle rules
//!   ([`LifecycleRule`]: keep N, expire untagged), KMS), ports, environment, secrets from Secrets Manager (any
//!   [`stackcraft_iam::SecretSource`], optionally one JSON key) or SSM
//!   ([`ContainerSecret`]), health checks, `awslogs` to a retained,
//!   encrypted log group, read-only root file system by default, non-root
//!   user option.
//! - [`FargateService`]: private subnets, its own security group
//!   ([`stackcraft_vpc::HasConnections`]), circuit breaker with rollback,
//!   ECS Exec, Fargate / Spot [`CapacityStrategy`], deployment percentages,
//!   Cloud Map ([`PrivateDnsNamespace`], [`CloudMapOptions`]), load balancer
//!   attachment ([`FargateService::attach_to_target_group`] with any
//!   [`ServiceTargetGroup`]), grants to the task role
//!   ([`stackcraft_iam::Grantable`]) and metrics.
//! - Autoscaling ([`ScalableTaskCount`]): target tracking on CPU, memory and
//!   ALB requests per target with cooldowns.
//!
//! Bad input is recorded with `scope.error(..)` and reported by synth;
//! nothing here panics.
//!
//! # Secure defaults and checkov
//!
//! With the defaults, the templates pass checkov with no failed check and
//! no skip: Container Insights on (CKV_AWS_65), read-only root file systems
//! (CKV_AWS_43), never privileged, no public IPs, secrets only through
//! `Secrets` (never plain environment), ECR repositories with immutable tags
//! (CKV_AWS_51), scan on push (CKV_AWS_163) and KMS encryption
//! (CKV_AWS_136), log groups KMS-encrypted with one-year retention, separate
//! execution and task roles, trust policies limited to ECS of this account.
//! A checkov skip is written only when a default is turned off explicitly,
//! with the field named as the reason:
//!
//! | skip | when |
//! |---|---|
//! | CKV_AWS_65 | `ClusterProps::container_insights` is `Disabled` |
//! | CKV_AWS_43 | a container sets `readonly_root_filesystem(false)` |
//! | CKV_AWS_51 | `RepositoryProps::tag_mutability` is `TagMutability::mutable(reason)` (the reason is the comment) |
//! | CKV_AWS_163 | `RepositoryProps::scan_on_push` is `false` |
//!
//! The only `Resource: "*"` statements are for actions without
//! resource-level permissions: `ecr:GetAuthorizationToken` (execution role,
//! with ECR images) and the four `ssmmessages` channel actions (task role,
//! with ECS Exec).
//!
//! ```
//! use stackcraft_core::App;
//! use stackcraft_ecs_service::*;
//! use stackcraft_iam::ExistingSecret;
//! use stackcraft_vpc::{Vpc, VpcProps};
//!
//! let app = App::new("demo");
//! let stack = app.stack("Api");
//! let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().build());
//! let cluster = Cluster::new(&stack, "Cluster", ClusterProps::default());
//! let td = FargateTaskDefinition::new(&stack, "Task", FargateTaskDefinitionProps::builder()
//!     .size(FargateSize::CPU_512_MEM_1024).build());
//! let api = td.add_container(ContainerProps::builder()
//!     .name("api")
//!     .image(ContainerImage::from_ecr("pyshop-api", "v1.0.0"))
//!     .port_mappings(vec![PortMapping::tcp(8000)])
//!     .user("1000:1000")
//!     .build());
//! let key = ExistingSecret::from_arn("arn:aws:secretsmanager:us-east-1:111122223333:secret:app-AbCdEf");
//! api.add_secret("SECRET_KEY", ContainerSecret::from_secrets_manager(&key));
//! let service = FargateService::new(&stack, "Service", FargateServiceProps::builder()
//!     .cluster(cluster).task_definition(td).vpc(vpc).build());
//! let scaling = service.auto_scale_task_count(ScalingProps::builder()
//!     .min_capacity(2).max_capacity(10).build());
//! scaling.scale_on_cpu_utilization("Cpu", TargetTracking::builder().target_value(70.0).build());
//! app.synth().unwrap();
//! ```
#![forbid(unsafe_code)]

mod cluster;
mod image;
mod names;
mod scaling;
mod service;
mod size;
mod task;

pub use cluster::{Cluster, ClusterProps, ContainerInsights};
pub use image::{
    ContainerImage, EcrRepositoryRef, ImageReference, LifecycleRule, Repository, RepositoryProps, TagMutability,
};
pub use scaling::{ScalableTaskCount, ScalingProps, TargetTracking};
pub use service::{
    CapacityStrategy, CloudMapOptions, FargateService, FargateServiceProps, PrivateDnsNamespace,
    PrivateDnsNamespaceProps, ServiceTargetGroup,
};
pub use size::{FargateSize, FargateSizeError};
pub use task::{
    Container, ContainerProps, ContainerSecret, CpuArchitecture, DependencyCondition, FargateTaskDefinition,
    FargateTaskDefinitionProps, HealthCheck, Logging, PortMapping, PortProtocol, MAX_CONTAINERS_PER_TASK,
};
