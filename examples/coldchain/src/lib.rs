//! Cold Chain Dispatch (seed `004`): a backend and a frontend on ECS Fargate
//! behind one HTTPS Application Load Balancer, RDS PostgreSQL, ElastiCache
//! Redis, S3 buckets for uploads, backups and logs, ECR repositories,
//! alarms to e-mail and a dashboard, in three environments. `src/main.rs`
//! runs it; tests build it directly.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use stackcraft::prelude::*;

/// The seed's region, pinned on every environment (and recorded in the stack descriptions).
pub const REGION: &str = "ap-northeast-2";

/// What differs between environments (`cargo run -- schema` prints its JSON Schema).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// RDS instance class.
    pub db_instance_class: String,
    /// ElastiCache node type.
    pub redis_node_type: String,
    /// Redis nodes (primary + replicas).
    pub redis_nodes: u32,
    /// Backend autoscaling upper bound.
    pub backend_max_tasks: u32,
    /// Frontend autoscaling upper bound.
    pub frontend_max_tasks: u32,
    /// Public DNS name; a hosted zone and a certificate are created for it.
    pub domain: String,
    /// Who gets alarm e-mails.
    pub alarm_emails: Vec<String>,
    /// Image tag deployed from both ECR repositories.
    pub image_tag: String,
}

/// Build the app for one environment.
pub fn build(app: &App, env: &Environment<Config>) {
    let c = &env.config;
    let name = format!("coldchain-{}", env.name);
    app.add_tag("Project", "coldchain");
    app.add_tag("Environment", &env.name);

    // Network: Multi-AZ VPC, public and private subnets, a NAT gateway in each of the 2 AZs.
    let network = app.stack("Network");
    network.set_description(format!("Cold chain dispatch {}: network ({REGION})", env.name));
    let vpc = Vpc::new(
        &network,
        "Vpc",
        VpcProps::builder()
            .cidr("10.0.0.0/16")
            .subnets(vec![
                SubnetConfiguration::public("Public").cidr_mask(24),
                SubnetConfiguration::private_with_egress("Private").cidr_mask(24),
            ])
            .nat_gateways(NatGateways::OnePerAz)
            .build(),
    );

    let stack = app.stack("App");
    stack.set_description(format!("Cold chain dispatch {}: services and data ({REGION})", env.name));
    // One customer-managed key for the stack's log groups, secrets, buckets, cache, database and topic.
    let key = Key::new(&stack, "Key", KeyProps::builder().alias(format!("{name}/app")).build());
    key.share_in_stack();

    // Data: PostgreSQL Multi-AZ with backups, Redis with 2 nodes (TLS, AUTH, KMS), three buckets.
    let db = DatabaseInstance::new(
        &stack,
        "Database",
        DatabaseInstanceProps::builder()
            .vpc(vpc.clone())
            .engine_version(PostgresVersion::V15_19)
            .instance_class(c.db_instance_class.clone())
            .multi_az(true)
            .backup_retention_days(7)
            .database_name("coldchain")
            .encryption_key(key.clone())
            .build(),
    );
    let redis = ReplicationGroup::new(
        &stack,
        "Redis",
        ReplicationGroupProps::builder()
            .vpc(vpc.clone())
            .node_type(c.redis_node_type.clone())
            .nodes_per_shard(c.redis_nodes)
            .replication_group_id(name.clone())
            .log_group_name(format!("/aws/elasticache/redis/{name}"))
            .build(),
    );
    let logs = Bucket::new_log_bucket(&stack, "Logs", LogBucketProps::default());
    let bucket = |id: &str, rule: LifecycleRule| {
        let props = BucketProps::builder()
            .encryption(BucketEncryption::StackKey)
            .server_access_logs((logs.clone(), format!("{}/", id.to_lowercase())))
            .lifecycle_rules(vec![rule]);
        Bucket::new(&stack, id, props.build())
    };
    let to_ia = vec![Transition::new(StorageClass::StandardIa, 90)];
    let uploads = bucket("Uploads", LifecycleRule::builder().id("UploadsToIa").transitions(to_ia).build());
    let archive = vec![Transition::new(StorageClass::Glacier, 30)];
    let backups_rule = LifecycleRule::builder().id("ArchiveBackups").transitions(archive).expire_after_days(365);
    let backups = bucket("Backups", backups_rule.build());

    // Images: one ECR repository per service.
    let repository = |id: &str| {
        let props = RepositoryProps::builder().repository_name(format!("{name}-{}", id.to_lowercase()));
        Repository::new(&stack, &format!("{id}Images"), props.kms_key_arn(key.arn()).build())
    };
    let (backend_repo, frontend_repo) = (repository("Backend"), repository("Frontend"));

    // HTTPS load balancer: /api/* to the backend, everything else to the frontend, HTTP redirected.
    let zone = HostedZone::new(&stack, "Zone", HostedZoneProps::builder().zone_name(c.domain.clone()).build());
    let certificate = Certificate::new(
        &stack,
        "Certificate",
        CertificateProps::builder().domain_name(c.domain.clone()).validation_zone(zone.clone()).build(),
    );
    let alb = ApplicationLoadBalancer::new(
        &stack,
        "Alb",
        ApplicationLoadBalancerProps::builder()
            .vpc(vpc.clone())
            .deletion_protection(env.production)
            .access_logs(AccessLogs::new(logs.name(), "alb"))
            .build(),
    );
    let targets = |id: &str, port: u16, path: &str| {
        let health = HealthCheck::builder().path(path).build();
        TargetGroup::new(
            &stack,
            id,
            TargetGroupProps::builder().vpc(vpc.clone()).port(port).health_check(health).build(),
        )
    };
    let backend_tg = targets("BackendTargets", 8000, "/api/health");
    let frontend_tg = targets("FrontendTargets", 3000, "/");
    let https = alb.add_https_listener("Https", certificate.arn(), ListenerAction::forward(&frontend_tg));
    https.add_target_group("Api", vec![ListenerCondition::path_patterns(["/api/*"])], &backend_tg);
    alb.redirect_http_to_https("Http");
    alb.add_alias_records(&zone, &[c.domain.as_str()]);

    // Services: Fargate tasks in private subnets, ECS Exec on (migrations), logs in /ecs/coldchain-<env>/<service>.
    let cluster = Cluster::new(&stack, "Cluster", ClusterProps::default());
    let service = |id: &str, size: FargateSize, repo: &Repository, port: u16, tg: &TargetGroup, max: u32| {
        let task = FargateTaskDefinition::new(
            &stack,
            &format!("{id}Task"),
            FargateTaskDefinitionProps::builder().size(size).build(),
        );
        let container_name = id.to_lowercase();
        let log_group = LogGroupProps::builder().log_group_name(format!("/ecs/{name}/{container_name}")).build();
        let container = task.add_container(
            ContainerProps::builder()
                .name(container_name.clone())
                .image(ContainerImage::from_ecr(repo, c.image_tag.as_str()))
                .port_mappings(vec![PortMapping::tcp(port)])
                .logging(Logging::NewLogGroup(log_group))
                .writable_paths(vec!["/tmp".into()])
                .build(),
        );
        container.add_environment("ENVIRONMENT", env.name.as_str());
        let props = FargateServiceProps::builder().cluster(cluster.clone()).task_definition(task).vpc(vpc.clone());
        let svc = FargateService::new(&stack, id, props.desired_count(2).enable_execute_command(true).build());
        svc.attach_to_target_group(tg, &container_name, port);
        let scaling = svc.auto_scale_task_count(ScalingProps::builder().min_capacity(2).max_capacity(max).build());
        scaling.scale_on_cpu_utilization("Cpu", TargetTracking::builder().target_value(70.0).build());
        scaling.scale_on_memory_utilization("Memory", TargetTracking::builder().target_value(80.0).build());
        (svc, container, scaling)
    };
    let (backend, api, scaling) =
        service("Backend", FargateSize::CPU_1024_MEM_2048, &backend_repo, 8000, &backend_tg, c.backend_max_tasks);
    scaling.scale_on_request_count("Requests", &backend_tg, TargetTracking::builder().target_value(1000.0).build());
    let (frontend, _, _) =
        service("Frontend", FargateSize::CPU_512_MEM_1024, &frontend_repo, 3000, &frontend_tg, c.frontend_max_tasks);
    if let Some(url) = db.connection_string_secret() {
        api.add_secret("DATABASE_URL", ContainerSecret::from_secrets_manager(url));
    }
    api.add_secret("REDIS_URL", ContainerSecret::from_secrets_manager(redis.connection_url_secret()));
    api.add_secret("API_KEY", ContainerSecret::from_ssm_parameter(format!("/coldchain/{}/api-key", env.name)));
    api.add_environment("UPLOADS_BUCKET", uploads.name());
    api.add_environment("BACKUPS_BUCKET", backups.name());
    uploads.grant_read_write(&backend);
    backups.grant_read_write(&backend);
    db.connections().allow_default_port_from(&backend);
    redis.connections().allow_default_port_from(&backend);

    // Alarms (the seed's seven; the Redis ones on every node) to an e-mail topic.
    let topic = Topic::new(&stack, "Alarms", TopicProps::builder().emails(c.alarm_emails.clone()).build());
    let above = |threshold: f64, what: &str| {
        let props = AlarmOptions::builder().threshold(threshold).evaluation_periods(2).description(what);
        props.comparison_operator(ComparisonOperator::GreaterThanThreshold).build()
    };
    let mut alarms = vec![
        backend_tg.alarm_no_healthy_hosts(&stack, "BackendUnhealthy"),
        frontend_tg.alarm_no_healthy_hosts(&stack, "FrontendUnhealthy"),
        alb.alarm_target_5xx(&stack, "Http5xx", 10.0),
        db.alarm_cpu_above(&stack, "DbCpuHigh", 80.0),
        db.alarm_free_storage_below_gib(&stack, "DbStorageLow", 10.0),
        db.alarm_connections_above(&stack, "DbConnectionsHigh", 80.0),
    ];
    alarms.extend(redis.alarm_on_every_node(
        &stack,
        "RedisCpuHigh",
        redis.metric_cpu_utilization(),
        above(75.0, "Redis CPU above 75%"),
    ));
    let memory = redis.metric_memory_usage_percentage();
    alarms.extend(redis.alarm_on_every_node(&stack, "RedisMemoryHigh", memory, above(90.0, "Redis memory above 90%")));
    for alarm in &alarms {
        alarm.notify(&topic);
    }

    let dashboard = Dashboard::new(&stack, "Dashboard", DashboardProps::default());
    let ecs = GraphWidget::new("ECS CPU / memory").left(backend.metric_cpu_utilization());
    let ecs = ecs.left(frontend.metric_cpu_utilization()).right(backend.metric_memory_utilization());
    let web = GraphWidget::new("ALB").left(alb.metric_request_count()).left(alb.metric_target_5xx());
    let rds = GraphWidget::new("RDS").left(db.metric_cpu_utilization()).right(db.metric_database_connections());
    let cache = redis.metric_evictions().into_iter().chain(redis.metric_current_connections());
    let cache = cache.fold(GraphWidget::new("Redis evictions / connections"), GraphWidget::left);
    dashboard.add_row([ecs.into(), web.right(alb.metric_target_response_time()).into(), rds.into(), cache.into()]);

    stack.add_output(Output::new("Url", Value::from(format!("https://{}", c.domain))).description("Application URL"));
    stack.add_output(Output::new("BackendRepositoryUri", backend_repo.repository_uri()));
    stack.add_output(Output::new("FrontendRepositoryUri", frontend_repo.repository_uri()));
}

/// dev, staging and prod, as the seed describes them.
pub fn environments() -> Environments<Config> {
    let config = |domain: &str| Config {
        db_instance_class: "db.t3.medium".into(),
        redis_node_type: "cache.t3.medium".into(),
        redis_nodes: 2,
        backend_max_tasks: 10,
        frontend_max_tasks: 6,
        domain: domain.into(),
        alarm_emails: vec!["devops@coldchain.example.com".into()],
        image_tag: "1.0.0".into(),
    };
    Environments::new()
        .with(Environment::new("dev", config("dev.coldchain.example.com")).region(REGION))
        .with(Environment::new("staging", config("staging.coldchain.example.com")).region(REGION))
        .with(Environment::new("prod", config("coldchain.example.com")).production().region(REGION))
}
