//! stackcraft: infrastructure as code for AWS, written in Rust.
//!
//! This facade re-exports the building-block families; most apps need only
//! `use stackcraft::prelude::*;`. The guide below is the project README; its
//! examples are compiled as doctests.
//!
#![doc = include_str!("../../../README.md")]
#![forbid(unsafe_code)]

/// Load balancing, certificates and DNS records (`stackcraft-alb`).
pub use stackcraft_alb as alb;
pub use stackcraft_cfn as cfn;
pub use stackcraft_core as core;
/// RDS PostgreSQL and Secrets Manager secrets (`stackcraft-data`).
pub use stackcraft_data as data;
/// Containers on ECS Fargate: cluster, task definitions, services, autoscaling (`stackcraft-ecs-service`).
pub use stackcraft_ecs_service as ecs_service;
/// CloudFront distributions, origins, managed cache policies (`stackcraft-edge`).
pub use stackcraft_edge as edge;
pub use stackcraft_iam as iam;
/// Queues, topics, event buses and rules, MSK Serverless (`stackcraft-messaging`).
pub use stackcraft_messaging as messaging;
/// KMS keys, log groups, metrics, alarms, alarm topics, dashboards (`stackcraft-observability`).
pub use stackcraft_observability as observability;
/// Service shapes built from the blocks: Fargate services on a shared load balancer listener (`stackcraft-patterns`).
pub use stackcraft_patterns as patterns;
/// Networking: VPC, subnets, security groups, connections (`stackcraft-vpc`).
pub use stackcraft_vpc as vpc;

/// Everything an app's `main.rs` usually needs.
pub mod prelude {
    pub use stackcraft_alb::{
        ApplicationLoadBalancer, ApplicationLoadBalancerProps, Certificate, CertificateProps, HealthCheck, HostedZone,
        HostedZoneProps, ListenerAction, ListenerCondition, TargetGroup, TargetGroupProps,
    };
    pub use stackcraft_core::{
        App, CondExpr, DeletionPolicy, Environment, Environments, Output, Parameter, Pseudo, RawResource, Scope, Stack,
        Value,
    };
    pub use stackcraft_data::{
        Bucket, BucketEncryption, BucketProps, DatabaseInstance, DatabaseInstanceProps, PostgresVersion, Secret,
        SecretProps,
    };
    pub use stackcraft_ecs_service::{
        CapacityStrategy, Cluster, ClusterProps, ContainerImage, ContainerProps, ContainerSecret, FargateService,
        FargateServiceProps, FargateSize, FargateTaskDefinition, FargateTaskDefinitionProps, PortMapping, ScalingProps,
        TargetTracking,
    };
    pub use stackcraft_edge::{
        Behavior, CachePolicy, Distribution, DistributionLogging, DistributionProps, ErrorResponse, HttpOrigin,
        OriginRequestPolicy, PriceClass,
    };
    pub use stackcraft_iam::{
        Grantable, ManagedPolicy, PolicyStatement, Role, RoleProps, SecretSource, ServicePrincipal,
    };
    pub use stackcraft_observability::{
        Alarm, AlarmProps, AlarmTopic, AlarmTopicProps, Budget, BudgetProps, ComparisonOperator, Dashboard,
        GraphWidget, Key, KeyProps, LogGroup, LogGroupEncryption, LogGroupProps, Metric, RetentionDays,
        SingleValueWidget, Statistic, TextWidget, TreatMissingData, Unit,
    };
    pub use stackcraft_patterns::{SharedAlbService, SharedAlbServiceProps};
    pub use stackcraft_vpc::{
        Connections, HasConnections, NatGateways, Port, SecurityGroup, SecurityGroupProps, SubnetConfiguration,
        SubnetType, Vpc, VpcProps,
    };
}
