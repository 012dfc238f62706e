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
pub use stackcraft_iam as iam;
/// Queues, topics, event buses and rules, MSK Serverless (`stackcraft-messaging`).
pub use stackcraft_messaging as messaging;
/// KMS keys, log groups, metrics, alarms, alarm topics, dashboards (`stackcraft-observability`).
pub use stackcraft_observability as observability;
/// Diff, cost estimate and architecture graph of an assembly (`stackcraft-review`).
pub use stackcraft_review as review;
/// Networking: VPC, subnets, security groups, connections (`stackcraft-vpc`).
pub use stackcraft_vpc as vpc;

/// The app's command line with the review commands installed.
pub mod cli {
    use std::process::ExitCode;

    use stackcraft_core::{App, Environment, Environments};

    /// Run the app's command line: `synth`, `list`, `envs`, `schema`,
    /// `config` (core) plus `diff`, `cost` and `graph` (review). The exit
    /// code is 0 on success, 1 on synth errors, 2 on usage errors, 3 when a
    /// `diff --fail-on` kind of change is present.
    pub fn run<C>(name: &str, envs: Environments<C>, build: impl Fn(&App, &Environment<C>)) -> ExitCode
    where
        C: serde::Serialize + serde::de::DeserializeOwned + schemars::JsonSchema + Clone,
    {
        stackcraft_core::cli::run_with(name, envs, build, &[&stackcraft_review::Review])
    }
}

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
    pub use stackcraft_iam::{
        Grantable, ManagedPolicy, PolicyStatement, Role, RoleProps, SecretSource, ServicePrincipal,
    };
    pub use stackcraft_observability::{
        Alarm, AlarmProps, AlarmTopic, AlarmTopicProps, Budget, BudgetProps, ComparisonOperator, Dashboard,
        GraphWidget, Key, KeyProps, LogGroup, LogGroupEncryption, LogGroupProps, Metric, RetentionDays,
        SingleValueWidget, Statistic, TextWidget, TreatMissingData, Unit,
    };
    pub use stackcraft_vpc::{
        Connections, HasConnections, NatGateways, Port, SecurityGroup, SecurityGroupProps, SubnetConfiguration,
        SubnetType, Vpc, VpcProps,
    };
}
