//! stackcraft: infrastructure as code for AWS, written in Rust.
//!
//! This facade re-exports the building-block families; most apps need only
//! `use stackcraft::prelude::*;`. The guide below is the project README; its
//! examples are compiled as doctests.
//!
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

/// Load balancing, certificates and DNS records (`stackcraft-alb`).
pub use stackcraft_alb as alb;
pub use stackcraft_cfn as cfn;
/// Security rule packs run at synth, acknowledgements, `policy-report.json` (`stackcraft-policy`).
pub use stackcraft_policy as policy;

/// The core (`stackcraft-core`): app graph, values, synth. Its `cli` entry
/// points install the default security rule pack
/// ([`policy::packs::aws_default`]) on every app they build; choose other
/// packs inside `build` with [`policy::Policy::install`].
pub mod core {
    pub use stackcraft_core::*;

    /// The command line of a user's app (`stackcraft_core::cli`), with the
    /// default security rule pack installed on the app before `build` runs.
    #[cfg(feature = "cli")]
    pub mod cli {
        pub use stackcraft_core::cli::*;

        use std::process::ExitCode;

        use serde::de::DeserializeOwned;
        use serde::Serialize;
        use stackcraft_core::{App, Assembly, Environment, Environments, SynthError};

        fn with_policy<C>(build: impl Fn(&App, &Environment<C>)) -> impl Fn(&App, &Environment<C>) {
            move |app, env| {
                stackcraft_policy::install_default(app);
                build(app, env)
            }
        }

        /// Build the app for `env` (default rule pack installed) and synthesize it.
        pub fn synth_env<C>(
            name: &str,
            env: &Environment<C>,
            build: impl Fn(&App, &Environment<C>),
        ) -> Result<Assembly, SynthError> {
            stackcraft_core::cli::synth_env(name, env, with_policy(build))
        }

        /// Run the app's command line (default rule pack installed). Returns
        /// the exit code: 0 on success, 1 on synth errors, 2 on usage errors.
        pub fn run<C>(name: &str, envs: Environments<C>, build: impl Fn(&App, &Environment<C>)) -> ExitCode
        where
            C: Serialize + DeserializeOwned + schemars::JsonSchema + Clone,
        {
            stackcraft_core::cli::run(name, envs, with_policy(build))
        }

        /// [`run`] with explicit arguments (first one is the program name).
        pub fn run_from<C, I, T>(
            name: &str,
            envs: Environments<C>,
            build: impl Fn(&App, &Environment<C>),
            args: I,
        ) -> ExitCode
        where
            C: Serialize + DeserializeOwned + schemars::JsonSchema + Clone,
            I: IntoIterator<Item = T>,
            T: Into<std::ffi::OsString> + Clone,
        {
            stackcraft_core::cli::run_from(name, envs, with_policy(build), args)
        }
    }
}
/// The global allocator for app binaries (`stackcraft-alloc`): size classes
/// carved from pre-faulted chunks, for fewer malloc instructions and page
/// faults in a short `synth` run. Install it in `main.rs` with
/// `stackcraft::synth_allocator!();` (or
/// `#[global_allocator] static ALLOC: stackcraft::SynthAllocator = stackcraft::SynthAllocator;`).
pub use stackcraft_alloc::{synth_allocator, SynthAllocator};
/// RDS PostgreSQL, DynamoDB tables, ElastiCache Redis/Valkey, S3 buckets and Secrets Manager secrets (`stackcraft-data`).
pub use stackcraft_data as data;
/// Containers on ECS Fargate: cluster, task definitions, services, autoscaling (`stackcraft-ecs-service`).
pub use stackcraft_ecs_service as ecs_service;
/// CloudFront distributions, origins, managed cache policies (`stackcraft-edge`; feature `edge`).
#[cfg(feature = "edge")]
pub use stackcraft_edge as edge;
pub use stackcraft_iam as iam;
/// Queues, topics, event buses and rules, MSK Serverless (`stackcraft-messaging`).
pub use stackcraft_messaging as messaging;
/// Log groups, metrics, alarms, dashboards, budgets (`stackcraft-observability`).
pub use stackcraft_observability as observability;
/// Service shapes built from the blocks: Fargate services on a shared load balancer listener (`stackcraft-patterns`; feature `patterns`).
#[cfg(feature = "patterns")]
pub use stackcraft_patterns as patterns;
/// Diff, cost estimate and architecture graph of an assembly (`stackcraft-review`; feature `review`).
#[cfg(feature = "review")]
pub use stackcraft_review as review;
/// Security primitives: KMS keys (one per stack by default), secret sources (`stackcraft-security`).
pub use stackcraft_security as security;
/// Networking: VPC, subnets, security groups, connections (`stackcraft-vpc`).
pub use stackcraft_vpc as vpc;

/// The app's command line with the review commands installed (feature `cli`;
/// the review commands with feature `review`, on by default).
#[cfg(feature = "cli")]
pub mod cli {
    use std::process::ExitCode;

    use stackcraft_core::{App, Environment, Environments};

    /// Run the app's command line: `synth`, `list`, `envs`, `schema`,
    /// `config` (core) plus `diff`, `cost` and `graph` (review), with the
    /// default security rule pack installed on the app before `build` runs.
    /// The exit code is 0 on success, 1 on synth errors, 2 on usage errors,
    /// 3 when a `diff --fail-on` kind of change is present.
    pub fn run<C>(name: &str, envs: Environments<C>, build: impl Fn(&App, &Environment<C>)) -> ExitCode
    where
        C: serde::Serialize + serde::de::DeserializeOwned + schemars::JsonSchema + Clone,
    {
        let build = move |app: &App, env: &Environment<C>| {
            stackcraft_policy::install_default(app);
            build(app, env)
        };
        #[cfg(feature = "review")]
        let extensions: &[&dyn stackcraft_core::cli::Extension] = &[&stackcraft_review::Review];
        #[cfg(not(feature = "review"))]
        let extensions: &[&dyn stackcraft_core::cli::Extension] = &[];
        stackcraft_core::cli::run_with(name, envs, build, extensions)
    }
}

/// Everything an app's `main.rs` usually needs.
pub mod prelude {
    pub use stackcraft_alb::{AccessLogs, ListenerProps, ListenerProtocol};
    pub use stackcraft_alb::{
        ApplicationLoadBalancer, ApplicationLoadBalancerProps, Certificate, CertificateProps, HealthCheck, HostedZone,
        HostedZoneProps, ListenerAction, ListenerCondition, TargetGroup, TargetGroupProps,
    };
    pub use stackcraft_core::{
        App, CondExpr, DeletionPolicy, Environment, Environments, Output, Parameter, Pseudo, RawResource, Scope, Stack,
        Value,
    };
    pub use stackcraft_data::MasterPassword;
    pub use stackcraft_data::{
        AccessString, CacheAuth, CacheEngine, CacheUser, ClusterMode, ReplicationGroup, ReplicationGroupProps,
    };
    pub use stackcraft_data::{
        Attribute, AttributeType, Billing, Capacity, GlobalSecondaryIndex, LocalSecondaryIndex, PointInTimeRecovery,
        Projection, StreamViewType, Table, TableEncryption, TableProps,
    };
    pub use stackcraft_data::{
        Bucket, BucketEncryption, BucketProps, DatabaseInstance, DatabaseInstanceProps, PostgresVersion, Secret,
        SecretProps,
    };
    pub use stackcraft_data::{
        CorsRule, HttpMethod, LifecycleRule, LogBucketProps, ObjectOwnership, StorageClass, Transition,
    };
    /// The container health check (the load balancer's is [`HealthCheck`]).
    pub use stackcraft_ecs_service::HealthCheck as ContainerHealthCheck;
    /// ECR lifecycle rules (the bucket ones are [`LifecycleRule`]).
    pub use stackcraft_ecs_service::LifecycleRule as ImageLifecycleRule;
    pub use stackcraft_ecs_service::Logging;
    pub use stackcraft_ecs_service::{
        CapacityStrategy, Cluster, ClusterProps, ContainerImage, ContainerProps, ContainerSecret, FargateService,
        FargateServiceProps, FargateSize, FargateTaskDefinition, FargateTaskDefinitionProps, PortMapping, ScalingProps,
        TargetTracking,
    };
    pub use stackcraft_ecs_service::{Repository, RepositoryProps, TagMutability};
    #[cfg(feature = "edge")]
    pub use stackcraft_edge::{AlbOrigin, EdgeStack, WebAcl, WebAclProps};
    #[cfg(feature = "edge")]
    pub use stackcraft_edge::{
        Behavior, CachePolicy, Distribution, DistributionLogging, DistributionProps, ErrorResponse, HttpOrigin,
        OriginRequestPolicy, PriceClass,
    };
    pub use stackcraft_iam::{
        deploy_statements, read_statements, GithubActions, OpenIdConnectProvider, Principal, WebIdentityPrincipal,
    };
    pub use stackcraft_iam::{
        Grantable, ManagedPolicy, PolicyStatement, Role, RoleProps, SecretSource, ServicePrincipal,
    };
    pub use stackcraft_messaging::{
        DeadLetterQueue, EventBus, EventBusProps, EventPattern, Matcher, Queue, QueueEncryption, QueueProps, Rule,
        RuleProps, RuleTarget, SqsSubscriptionProps, Topic, TopicProps,
    };
    pub use stackcraft_messaging::{ServerlessKafkaCluster, ServerlessKafkaClusterProps};
    pub use stackcraft_observability::AlarmAction;
    pub use stackcraft_observability::{
        Alarm, AlarmOptions, AlarmProps, Budget, BudgetProps, ComparisonOperator, Dashboard, DashboardProps,
        GraphWidget, LogGroup, LogGroupEncryption, LogGroupProps, Metric, RetentionDays, SingleValueWidget, Statistic,
        TextWidget, TreatMissingData, Unit,
    };
    #[cfg(feature = "patterns")]
    pub use stackcraft_patterns::{SharedAlbService, SharedAlbServiceProps};
    pub use stackcraft_policy::{packs, Level, Pack, Policy};
    pub use stackcraft_security::{Key, KeyProps};
    pub use stackcraft_vpc::{
        Connections, HasConnections, NatGateways, Port, SecurityGroup, SecurityGroupProps, SubnetConfiguration,
        SubnetType, Vpc, VpcProps,
    };
}
