//! Order tracking (seed `003`): a bootstrap part (GitHub OIDC deployers,
//! ECS execution role, ECR, MSK Serverless with SASL/IAM, RDS PostgreSQL,
//! budget) and a per-environment part (ALB, ECS Fargate service, SG→SG
//! paths to RDS 5432 and MSK 9098). dev keeps the seed's cheap posture
//! (tasks in public subnets with public IPs, HTTP); prod gets its
//! hardening checklist.
//!
//! Gap: the bootstrap should be one stack shared by all environments
//! (issue 14); until then each environment deploys its own `Bootstrap`
//! stack, so environments sharing an account would clash on the OIDC
//! provider and the ECR repository name (one per account).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use stackcraft::prelude::*;

/// What differs between environments (`cargo run -- schema` prints its JSON Schema).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Tasks in public subnets with public IPs and no NAT (the seed's dev
    /// trade-off); otherwise private subnets behind a NAT gateway.
    pub public_tasks: bool,
    /// Only HTTPS (443) and the named peers (RDS, MSK) as task egress.
    pub restrict_egress: bool,
    /// RDS keeps and rotates the master secret (`ManageMasterUserPassword`).
    pub rds_managed_secret: bool,
    /// ALB access logs to an S3 bucket.
    pub alb_access_logs: bool,
    /// Public DNS name (a hosted zone and ACM certificate are created; HTTPS
    /// with 80→443 redirect); `None`: plain HTTP.
    pub domain: Option<String>,
    /// The image tag deployed from the `order-tracking` ECR repository.
    pub image_tag: String,
    /// Tasks running.
    pub desired_count: u32,
    /// RDS instance class.
    pub db_instance_class: String,
    /// Monthly budget in USD with e-mail alerts, if any.
    pub monthly_budget_usd: Option<f64>,
}

const REPO: &str = "egobb/order-tracking";
const PORT: u16 = 8080;

/// Build the app for one environment.
pub fn build(app: &App, env: &Environment<Config>) {
    let c = &env.config;
    app.add_tag("Project", "order-tracking");
    app.add_tag("Env", &env.name);
    app.add_tag("Owner", "egobb");

    // Bootstrap: network, GitHub OIDC, deployer and execution roles, ECR, MSK, RDS, budget.
    let boot = app.stack("Bootstrap");
    let mut tiers = vec![SubnetConfiguration::public("Public"), SubnetConfiguration::isolated("Data")];
    if !c.public_tasks {
        tiers.push(SubnetConfiguration::private_with_egress("Private"));
    }
    let nat = if c.public_tasks { NatGateways::None } else { NatGateways::Single };
    let vpc = Vpc::new(&boot, "Vpc", VpcProps::builder().subnets(tiers).nat_gateways(nat).build());
    let github = OpenIdConnectProvider::github(&boot, "GitHub");
    let execution_role = Role::new(
        &boot,
        "ExecutionRole",
        RoleProps::builder()
            .assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com"))
            .managed_policies(vec![ManagedPolicy::aws_managed("service-role/AmazonECSTaskExecutionRolePolicy")])
            .build(),
    );
    let deployers = [
        ("DevDeployer", "dev", github.github_actions(REPO).branch("main").environment("dev")),
        ("ProdDeployer", "prod", github.github_actions(REPO).tag("v*")),
    ];
    for (id, target, trust) in deployers {
        let deployer = Role::new(&boot, id, RoleProps::builder().assumed_by(trust).build());
        deployer.allow_deploy_of(&[format!("order-tracking-{target}-*")]);
        execution_role.grant_pass_role(&deployer, ServicePrincipal::new("ecs-tasks.amazonaws.com"));
    }
    let repo =
        Repository::new(&boot, "Repository", RepositoryProps::builder().repository_name("order-tracking").build());
    let kafka = ServerlessKafkaCluster::new(
        &boot,
        "Kafka",
        ServerlessKafkaClusterProps::builder()
            .vpc(vpc.clone())
            .cluster_name(format!("order-tracking-{}", env.name))
            .build(),
    );
    let db = DatabaseInstance::new(
        &boot,
        "Database",
        DatabaseInstanceProps::builder()
            .vpc(vpc.clone())
            .engine_version(PostgresVersion::V16_15)
            .instance_class(c.db_instance_class.clone())
            .database_name("orders")
            .master_password(if c.rds_managed_secret { MasterPassword::RdsManaged } else { MasterPassword::Generated })
            .build(),
    );
    if let Some(limit) = c.monthly_budget_usd {
        let emails = vec!["owner@egobb.example.com".to_owned()];
        Budget::new(&boot, "Budget", BudgetProps::builder().monthly_limit_usd(limit).emails(emails).build());
    }

    // Env: ALB, ECS cluster, task and service, SG→SG paths to RDS and MSK.
    let stack = app.stack("Env");
    let access_logs = c.alb_access_logs.then(|| {
        let reason = "receives the load balancer's access logs; S3 data events in CloudTrail audit it";
        let bucket = Bucket::new(&stack, "AccessLogs", BucketProps::builder().no_access_logs_reason(reason).build());
        bucket.allow_load_balancer_access_logs("alb");
        AccessLogs::new(bucket.name(), "alb")
    });
    let alb_props = ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).deletion_protection(env.production);
    let alb = ApplicationLoadBalancer::new(
        &stack,
        "Alb",
        match access_logs {
            Some(logs) => alb_props.access_logs(logs).build(),
            None => alb_props.build(),
        },
    );
    let targets = TargetGroup::new(
        &stack,
        "Targets",
        TargetGroupProps::builder()
            .vpc(vpc.clone())
            .port(PORT)
            .health_check(HealthCheck::builder().path("/actuator/health").build())
            .build(),
    );
    let url = match &c.domain {
        Some(domain) => {
            let zone = HostedZone::new(&stack, "Zone", HostedZoneProps::builder().zone_name(domain.clone()).build());
            let props = CertificateProps::builder().domain_name(domain.clone()).validation_zone(zone.clone());
            let certificate = Certificate::new(&stack, "Certificate", props.build());
            alb.add_https_listener("Https", certificate.arn(), ListenerAction::forward(&targets));
            alb.redirect_http_to_https("Http");
            alb.add_alias_records(&zone, &[domain.as_str()]);
            Value::from(format!("https://{domain}"))
        }
        None => {
            let props = ListenerProps::builder().protocol(ListenerProtocol::Http).open(false);
            let http = alb.add_listener("Http", props.default_action(ListenerAction::forward(&targets)).build());
            for rule in ["alb.https-only", "alb.tls-policy"] {
                http.handle().acknowledge(rule, "seed: HTTP by default until a domain is configured");
            }
            for rule in alb.connections().allow_from_anyone_ipv4(Port::tcp(80)) {
                rule.acknowledge("vpc.open-ingress", "seed: the HTTP listener is public until a domain is configured");
            }
            Value::join("", [Value::from("http://"), alb.dns_name()])
        }
    };

    let task_props = FargateTaskDefinitionProps::builder().size(FargateSize::CPU_512_MEM_1024);
    let task = FargateTaskDefinition::new(&stack, "Task", task_props.execution_role(execution_role).build());
    let app_container = task.add_container(
        ContainerProps::builder()
            .name("app")
            .image(ContainerImage::from_ecr(&repo, c.image_tag.as_str()))
            .port_mappings(vec![PortMapping::tcp(PORT)])
            .writable_paths(vec!["/tmp".into()])
            .build(),
    );
    app_container.add_environment("SPRING_PROFILES_ACTIVE", env.name.as_str());
    app_container.add_environment("KAFKA_CLUSTER_ARN", kafka.arn());
    app_container.add_environment("DB_HOST", db.endpoint_address());
    for (var, key) in [("DB_USERNAME", "username"), ("DB_PASSWORD", "password")] {
        app_container.add_secret(var, ContainerSecret::from_secrets_manager_json_key(&db.master_secret(), key));
    }

    let service_props = FargateServiceProps::builder()
        .cluster(Cluster::new(&stack, "Cluster", ClusterProps::default()))
        .task_definition(task)
        .vpc(vpc)
        .desired_count(c.desired_count)
        .restrict_egress(c.restrict_egress);
    let service = FargateService::new(
        &stack,
        "Service",
        match c.public_tasks {
            true => service_props
                .subnet_type(SubnetType::Public)
                .assign_public_ip_because("seed dev trade-off: public subnets without NAT gateways (cost)")
                .build(),
            false => service_props.build(),
        },
    );
    service.attach_to_target_group(&targets, "app", PORT);
    service.connections().allow_default_port_to(&db);
    service.connections().allow_default_port_to(&kafka);
    kafka.grant_write_topic(&service, "order-events");
    kafka.grant_read_topic(&service, "order-events");
    kafka.grant_consume_group(&service, "order-tracking");

    stack.add_output(Output::new("AppUrl", url).description("URL of the service"));
    boot.add_output(Output::new("KafkaClusterArn", kafka.arn()).description("MSK cluster (GetBootstrapBrokers)"));
}

/// dev, staging and prod.
pub fn environments() -> Environments<Config> {
    let hardened = |domain: &str, class: &str, desired_count| Config {
        public_tasks: false,
        restrict_egress: true,
        rds_managed_secret: true,
        alb_access_logs: true,
        domain: Some(domain.into()),
        image_tag: "v1.0.0".into(),
        desired_count,
        db_instance_class: class.into(),
        monthly_budget_usd: Some(300.0),
    };
    let dev = Config {
        public_tasks: true,
        restrict_egress: false,
        rds_managed_secret: false,
        alb_access_logs: false,
        domain: None,
        image_tag: "main".into(),
        desired_count: 1,
        db_instance_class: "db.t4g.micro".into(),
        monthly_budget_usd: Some(50.0),
    };
    Environments::new()
        .env("dev", dev)
        .env("staging", hardened("staging.orders.egobb.example.com", "db.t4g.micro", 1))
        .production("prod", hardened("orders.egobb.example.com", "db.t4g.small", 2))
}
