//! PyShop API (seed `002`): a FastAPI service on ECS Fargate behind an HTTPS
//! Application Load Balancer, with RDS PostgreSQL, alarms and a dashboard,
//! in three environments. `src/main.rs` runs it; tests build it directly.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use stackcraft::prelude::*;

/// What differs between environments (`cargo run -- schema` prints its JSON Schema).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Task size: `{"cpu": 512, "memory_mib": 1024}`, a pair Fargate accepts (checked on load).
    pub size: FargateSize,
    /// Tasks running normally.
    pub desired_count: u32,
    /// Autoscaling lower bound.
    pub min_tasks: u32,
    /// Autoscaling upper bound.
    pub max_tasks: u32,
    /// RDS instance class.
    pub db_instance_class: String,
    /// Standby in a second AZ.
    pub multi_az: bool,
    /// NAT gateways: `"single"` (shared) or `"one_per_az"`.
    pub nat: NatGateways,
    /// The container image (registry reference with tag or digest).
    pub image: String,
    /// Public DNS name of the API; a hosted zone for it is created.
    pub domain: String,
    /// Who gets alarm e-mails.
    pub alarm_emails: Vec<String>,
    /// JWT lifetime passed to the app.
    pub access_token_expire_minutes: u32,
}

const APP_PORT: u16 = 8000;

/// Build the app for one environment.
pub fn build(app: &App, env: &Environment<Config>) {
    let c = &env.config;
    app.add_tag("Project", "pyshop");
    app.add_tag("Environment", &env.name);

    // Network: VPC 10.0.0.0/16, two public and two private subnets, NAT.
    let network = app.stack("Network");
    let vpc = Vpc::new(
        &network,
        "Vpc",
        VpcProps::builder()
            .cidr("10.0.0.0/16")
            .subnets(vec![
                SubnetConfiguration::public("Public").cidrs(["10.0.1.0/24", "10.0.2.0/24"]),
                SubnetConfiguration::private_with_egress("Private").cidrs(["10.0.10.0/24", "10.0.11.0/24"]),
            ])
            .nat_gateways(c.nat)
            .build(),
    );

    let stack = app.stack("Api");

    // Database: PostgreSQL 15 on gp3, encrypted, 7-day backups, credentials in Secrets Manager.
    let db = DatabaseInstance::new(
        &stack,
        "Database",
        DatabaseInstanceProps::builder()
            .vpc(vpc.clone())
            .subnet_type(SubnetType::PrivateWithEgress)
            .engine_version(PostgresVersion::V15_19)
            .instance_class(c.db_instance_class.clone())
            .allocated_storage_gib(20)
            .multi_az(c.multi_az)
            .database_name("pyshop")
            .build(),
    );
    let secret_key = Secret::new(&stack, "SecretKey", SecretProps::default());

    // DNS and TLS: hosted zone, DNS-validated certificate, alias records for the domain and www.
    let zone = HostedZone::new(&stack, "Zone", HostedZoneProps::builder().zone_name(c.domain.clone()).build());
    let www = format!("www.{}", c.domain);
    let certificate = Certificate::new(
        &stack,
        "Certificate",
        CertificateProps::builder()
            .domain_name(c.domain.clone())
            .subject_alternative_names(vec![www.clone()])
            .validation_zone(zone.clone())
            .build(),
    );

    // Load balancer: HTTPS forwarding to the tasks, HTTP redirected to HTTPS.
    let alb = ApplicationLoadBalancer::new(
        &stack,
        "Alb",
        ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).deletion_protection(env.production).build(),
    );
    let targets = TargetGroup::new(
        &stack,
        "ApiTargets",
        TargetGroupProps::builder()
            .vpc(vpc.clone())
            .port(APP_PORT)
            .health_check(HealthCheck::builder().path("/healthz").build())
            .build(),
    );
    alb.add_https_listener("Https", certificate.arn(), ListenerAction::forward(&targets));
    alb.redirect_http_to_https("Http");
    alb.add_alias_records(&zone, &[c.domain.as_str(), www.as_str()]);

    // Compute: cluster with Container Insights, the API task, the service.
    let cluster = Cluster::new(&stack, "Cluster", ClusterProps::default());
    let task = FargateTaskDefinition::new(&stack, "Task", FargateTaskDefinitionProps::builder().size(c.size).build());
    let api = task.add_container(
        ContainerProps::builder()
            .name("api")
            .image(ContainerImage::from_registry(c.image.clone()))
            .port_mappings(vec![PortMapping::tcp(APP_PORT)])
            .health_check(ContainerHealthCheck::shell(format!(
                "python -c \"import urllib.request; urllib.request.urlopen('http://localhost:{APP_PORT}/healthz')\""
            )))
            .writable_paths(vec!["/tmp".into()])
            .build(),
    );
    api.add_environment("ENVIRONMENT", env.name.as_str());
    api.add_environment("ACCESS_TOKEN_EXPIRE_MINUTES", c.access_token_expire_minutes.to_string());
    api.add_secret("SECRET_KEY", ContainerSecret::from_secrets_manager(&secret_key));
    if let Some(url) = db.connection_string_secret() {
        api.add_secret("DATABASE_URL", ContainerSecret::from_secrets_manager(url));
    }

    let service = FargateService::new(
        &stack,
        "Service",
        FargateServiceProps::builder()
            .cluster(cluster)
            .task_definition(task)
            .vpc(vpc)
            .desired_count(c.desired_count)
            .enable_execute_command(true)
            .build(),
    );
    service.attach_to_target_group(&targets, "api", APP_PORT);
    db.connections().allow_default_port_from(&service);

    let scaling = service
        .auto_scale_task_count(ScalingProps::builder().min_capacity(c.min_tasks).max_capacity(c.max_tasks).build());
    scaling.scale_on_cpu_utilization("Cpu", TargetTracking::builder().target_value(70.0).build());
    scaling.scale_on_memory_utilization("Memory", TargetTracking::builder().target_value(80.0).build());

    // Monitoring: alarms to an SNS topic, and a dashboard of the same metrics.
    let topic = Topic::new(&stack, "Alarms", TopicProps::builder().emails(c.alarm_emails.clone()).build());
    let alarm = |id: &str, metric: Metric, threshold: f64, description: &str| {
        let props = AlarmOptions::builder().threshold(threshold).evaluation_periods(3).description(description).build();
        metric.create_alarm(&stack, id, props).notify(&topic);
    };
    alarm("EcsCpuHigh", service.metric_cpu_utilization(), 85.0, "API tasks CPU above 85%");
    alarm("EcsMemoryHigh", service.metric_memory_utilization(), 85.0, "API tasks memory above 85%");
    alarm("Alb5xx", alb.metric_elb_5xx().statistic(Statistic::Sum), 10.0, "ALB 5XX responses");
    alarm("ResponseTime", alb.metric_target_response_time(), 1.0, "Target response time above 1 s");
    alarm("UnhealthyTargets", targets.metric_unhealthy_host_count(), 1.0, "At least one unhealthy API target");
    alarm("DbCpuHigh", db.metric_cpu_utilization(), 80.0, "Database CPU above 80%");
    alarm("DbConnectionsHigh", db.metric_database_connections(), 80.0, "Database connections above 80");
    let storage_low = AlarmOptions::builder()
        .threshold(2.0 * 1024.0 * 1024.0 * 1024.0)
        .comparison_operator(ComparisonOperator::LessThanThreshold)
        .evaluation_periods(3)
        .description("Database free storage below 2 GiB")
        .build();
    db.metric_free_storage_space().create_alarm(&stack, "DbStorageLow", storage_low).notify(&topic);

    let dashboard = Dashboard::new(&stack, "Dashboard", DashboardProps::default());
    dashboard.add_row([
        GraphWidget::new("ECS").left(service.metric_cpu_utilization()).left(service.metric_memory_utilization()).into(),
        GraphWidget::new("ALB").left(alb.metric_request_count()).right(alb.metric_target_response_time()).into(),
        GraphWidget::new("RDS").left(db.metric_cpu_utilization()).right(db.metric_database_connections()).into(),
    ]);

    stack.add_output(Output::new("Url", Value::from(format!("https://{}", c.domain))).description("API URL"));
    stack.add_output(Output::new("LoadBalancerDns", alb.dns_name()).description("ALB DNS name"));
}

/// dev, staging and prod, as the seed describes them.
pub fn environments() -> Environments<Config> {
    let config = |size, desired_count, min_tasks, db_instance_class: &str, multi_az, nat, domain: &str| Config {
        size,
        desired_count,
        min_tasks,
        max_tasks: if min_tasks == 1 { 2 } else { 10 },
        db_instance_class: db_instance_class.into(),
        multi_az,
        nat,
        image: "ghcr.io/pyshop/api:1.4.2".into(),
        domain: domain.into(),
        alarm_emails: vec!["oncall@pyshop.example.com".into()],
        access_token_expire_minutes: 30,
    };
    let (single, per_az) = (NatGateways::Single, NatGateways::OnePerAz);
    Environments::new()
        .env("dev", config(FargateSize::CPU_256_MEM_512, 1, 1, "db.t4g.micro", false, single, "dev.pyshop.example.com"))
        .env(
            "staging",
            config(FargateSize::CPU_512_MEM_1024, 2, 2, "db.t4g.micro", false, per_az, "staging.pyshop.example.com"),
        )
        .production(
            "prod",
            config(FargateSize::CPU_1024_MEM_2048, 2, 2, "db.t4g.small", true, per_az, "pyshop.example.com"),
        )
}
