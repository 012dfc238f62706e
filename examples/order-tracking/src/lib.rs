//! Order tracking (seed `003`): a bootstrap deployed once and shared by every
//! environment (network, GitHub OIDC deployers, ECS execution role, ECR, MSK
//! Serverless with SASL/IAM, RDS PostgreSQL, budget; `order-tracking-Bootstrap`)
//! and a per-environment part (ALB, ECS Fargate service, SG→SG paths to the
//! shared RDS 5432 and MSK 9098) importing the bootstrap's exports. dev keeps
//! the seed's cheap posture (tasks in public subnets with public IPs, HTTP);
//! prod gets its hardening checklist. As in the seed, the environments share
//! one database and one Kafka cluster (each has its own topic and group).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use stackcraft::prelude::*;

/// What differs between environments (`cargo run -- schema` prints its JSON
/// Schema). The bootstrap's choices are the constants below: it is shared.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Tasks in public subnets with public IPs (the seed's dev trade-off);
    /// otherwise the private subnets behind the bootstrap's NAT gateway.
    pub public_tasks: bool,
    /// Only HTTPS (443) and the named peers (RDS, MSK) as task egress.
    pub restrict_egress: bool,
    /// ALB access logs to an S3 bucket.
    pub alb_access_logs: bool,
    /// Public DNS name (a hosted zone and ACM certificate are created; HTTPS
    /// with 80→443 redirect); `None`: plain HTTP.
    pub domain: Option<String>,
    /// The image tag deployed from the `order-tracking` ECR repository.
    pub image_tag: String,
    /// Tasks running.
    pub desired_count: u32,
}

const REPO: &str = "egobb/order-tracking";
const PORT: u16 = 8080;
/// The shared database's class (serves every environment, prod included).
const DB_INSTANCE_CLASS: &str = "db.t4g.small";
/// The account's monthly budget in USD with e-mail alerts, if any.
const MONTHLY_BUDGET_USD: Option<f64> = Some(300.0);

/// Build the app for one environment.
pub fn build(app: &App, env: &Environment<Config>) {
    let c = &env.config;
    app.add_tag("Project", "order-tracking");
    app.add_tag("Env", &env.name);
    app.add_tag("Owner", "egobb");

    // Bootstrap, deployed once: network, GitHub OIDC, deployer and execution roles, ECR, MSK, RDS, budget.
    let boot = app.shared_stack("Bootstrap");
    boot.add_tag("Project", "order-tracking");
    boot.add_tag("Owner", "egobb");
    let tiers = vec![
        SubnetConfiguration::public("Public"),
        SubnetConfiguration::private_with_egress("Private"),
        SubnetConfiguration::isolated("Data"),
    ];
    let vpc = Vpc::new(&boot, "Vpc", VpcProps::builder().subnets(tiers).nat_gateways(NatGateways::Single).build());
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
        deployer.allow_read_of(&["order-tracking-Bootstrap"]); // deploy reads the shared stack, never changes it
        execution_role.grant_pass_role(&deployer, ServicePrincipal::new("ecs-tasks.amazonaws.com"));
    }
    let repo =
        Repository::new(&boot, "Repository", RepositoryProps::builder().repository_name("order-tracking").build());
    let kafka = ServerlessKafkaCluster::new(
        &boot,
        "Kafka",
        ServerlessKafkaClusterProps::builder().vpc(vpc.clone()).cluster_name("order-tracking").build(),
    );
    let db = DatabaseInstance::new(
        &boot,
        "Database",
        DatabaseInstanceProps::builder()
            .vpc(vpc.clone())
            .engine_version(PostgresVersion::V16_15)
            .instance_class(DB_INSTANCE_CLASS)
            .database_name("orders")
            .master_password(MasterPassword::RdsManaged)
            .build(),
    );
    if let Some(limit) = MONTHLY_BUDGET_USD {
        let emails = vec!["owner@egobb.example.com".to_owned()];
        Budget::new(&boot, "Budget", BudgetProps::builder().monthly_limit_usd(limit).emails(emails).build());
    }
    boot.add_output(Output::new("KafkaClusterArn", kafka.arn()).description("MSK cluster (GetBootstrapBrokers)"));
    // What the environments use, exported explicitly: the same exports whatever environment is synthesized.
    let (role, secret) = (&execution_role, db.master_secret());
    let subnets = [SubnetType::Public, SubnetType::PrivateWithEgress].into_iter().flat_map(|t| vpc.subnet_ids(t));
    let ids = [vpc.vpc_id(), db.security_group().id(), kafka.security_group().id(), db.endpoint_address()];
    let arns =
        [role.arn(), role.name(), repo.arn(), repo.repository_uri(), kafka.arn(), secret.secret_arn(), db.key().arn()];
    subnets.chain(ids).chain(arns).for_each(|value| drop(boot.export_value(value)));

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
    // One cluster for every environment: each has its own topic and consumer group.
    let (topic, group) = (format!("order-events-{}", env.name), format!("order-tracking-{}", env.name));
    app_container.add_environment("KAFKA_TOPIC", topic.as_str());
    app_container.add_environment("KAFKA_GROUP", group.as_str());
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
                .assign_public_ip_because(
                    "seed dev trade-off: public subnets, no NAT traffic (cost, direct troubleshooting)",
                )
                .build(),
            false => service_props.build(),
        },
    );
    service.attach_to_target_group(&targets, "app", PORT);
    service.connections().allow_default_port_to(&db);
    service.connections().allow_default_port_to(&kafka);
    kafka.grant_write_topic(&service, &topic);
    kafka.grant_read_topic(&service, &topic);
    kafka.grant_consume_group(&service, &group);

    stack.add_output(Output::new("AppUrl", url).description("URL of the service"));
}

/// dev, staging and prod.
pub fn environments() -> Environments<Config> {
    let hardened = |domain: &str, desired_count| Config {
        public_tasks: false,
        restrict_egress: true,
        alb_access_logs: true,
        domain: Some(domain.into()),
        image_tag: "v1.0.0".into(),
        desired_count,
    };
    let dev = Config {
        public_tasks: true,
        restrict_egress: false,
        alb_access_logs: false,
        domain: None,
        image_tag: "main".into(),
        desired_count: 1,
    };
    Environments::new()
        .env("dev", dev)
        .env("staging", hardened("staging.orders.egobb.example.com", 1))
        .production("prod", hardened("orders.egobb.example.com", 2))
}
