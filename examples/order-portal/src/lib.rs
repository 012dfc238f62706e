//! Customer Order Portal (seed `001`): nine Fargate services behind one
//! Application Load Balancer, RDS PostgreSQL, and a frontend bucket behind
//! CloudFront, in three environments.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use stackcraft::alb::AccessLogs;
use stackcraft::data::ObjectOwnership;
use stackcraft::ecs_service::{PrivateDnsNamespace, PrivateDnsNamespaceProps};
use stackcraft::edge::{AlbOrigin, EdgeStack, WebAclProps};
use stackcraft::prelude::*;

/// One row of the service table.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// Service name (container, Cloud Map name, ECR repository `customer-portal/<name>`).
    pub name: String,
    /// Container port.
    pub port: u16,
    /// Task CPU units and memory (MiB): a valid Fargate pair.
    pub cpu: u32,
    /// Task memory in MiB.
    pub memory_mib: u32,
    /// ALB path pattern routed to the service (catch-alls after specific routes).
    pub path: String,
    /// Gets `DATABASE_URL`.
    pub database: bool,
    /// Secrets created for the service and injected under these names.
    pub secrets: Vec<String>,
}

/// What differs between environments (`cargo run -- schema` prints its JSON Schema).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The services.
    pub services: Vec<ServiceSpec>,
    /// Image tag deployed for every service.
    pub image_tag: String,
    /// Run the tasks on Fargate Spot (else on-demand Fargate).
    pub spot: bool,
    /// Autoscaling bounds.
    pub min_tasks: u32,
    /// Autoscaling upper bound.
    pub max_tasks: u32,
    /// RDS instance class.
    pub db_instance_class: String,
    /// Standby in a second AZ.
    pub multi_az: bool,
    /// The portal's domain; a hosted zone is created (us-east-1 `Edge` stack), the ALB is `origin.<domain>`.
    pub domain: String,
    /// CloudFront serves `<domain>` with a DNS-validated certificate and a WAF web ACL (AWS
    /// managed rules, rate limit per IP), both from the us-east-1 `Edge` stack.
    pub edge_security: bool,
    /// Who gets alarm e-mails.
    pub alarm_emails: Vec<String>,
}

/// Build the app for one environment.
pub fn build(app: &App, env: &Environment<Config>) {
    let c = &env.config;
    app.add_tag("Project", "customer-order-portal");
    app.add_tag("Environment", &env.name);

    // Network: public and private subnets in two AZs, one NAT gateway.
    let network = app.stack("Network");
    let vpc = Vpc::new(&network, "Vpc", VpcProps::builder().az_count(2).nat_gateways(NatGateways::Single).build());

    // Edge (us-east-1): the zone; in production CloudFront's certificate and web ACL (below).
    let edge = EdgeStack::new(app, "Edge");
    let zone = HostedZone::new(edge.stack(), "Zone", HostedZoneProps::builder().zone_name(c.domain.clone()).build());

    // Services: one ALB, one cluster (Fargate + Fargate Spot), RDS PostgreSQL.
    let stack = app.stack("Services");
    let db = DatabaseInstance::new(
        &stack,
        "Database",
        DatabaseInstanceProps::builder()
            .vpc(vpc.clone())
            .engine_version(PostgresVersion::V15_19)
            .instance_class(c.db_instance_class.clone())
            .multi_az(c.multi_az)
            .database_name("portal")
            .build(),
    );
    let origin = format!("origin.{}", c.domain);
    let certificate = Certificate::new(
        &stack,
        "Certificate",
        CertificateProps::builder().domain_name(origin.clone()).validation_zone(zone.clone()).build(),
    );
    let logs = Bucket::new(
        &stack,
        "Logs",
        BucketProps::builder()
            .object_ownership(ObjectOwnership::BucketOwnerPreferred)
            .expire_after_days(365)
            .no_access_logs_reason(
                "this bucket receives the access logs of the ALB, the frontend bucket and CloudFront",
            )
            .build(),
    );
    logs.allow_load_balancer_access_logs("alb");
    let alb_props = ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).deletion_protection(env.production);
    let alb =
        ApplicationLoadBalancer::new(&stack, "Alb", alb_props.access_logs(AccessLogs::new(logs.name(), "alb")).build());
    let listener = alb.add_listener(
        "Https",
        ListenerProps::builder()
            .certificate_arns(vec![certificate.arn()])
            .default_action(ListenerAction::fixed_response(404, "application/json", "{\"detail\":\"Not Found\"}"))
            .open(false) // only CloudFront: AlbOrigin opens it to CloudFront's prefix list
            .build(),
    );
    alb.add_alias_records(&zone, &["origin"]);
    let cluster = Cluster::new(&stack, "Cluster", ClusterProps::default());
    let ns_props = PrivateDnsNamespaceProps::builder().name("portal.internal").vpc(vpc.clone()).build();
    let namespace = PrivateDnsNamespace::new(&stack, "Namespace", ns_props);
    let topic = Topic::new(&stack, "Alarms", TopicProps::builder().emails(c.alarm_emails.clone()).build());
    let logs_key = Key::new(&stack, "LogsKey", KeyProps::builder().description("Encrypts the service logs").build());

    for s in &c.services {
        let size = FargateSize::new(s.cpu, s.memory_mib).unwrap_or_else(|e| {
            stack.error(&format!("services.{}.cpu/memory_mib", s.name), e.to_string());
            FargateSize::CPU_256_MEM_512
        });
        let mut secrets = BTreeMap::new();
        if let Some(url) = db.connection_string_secret().filter(|_| s.database) {
            secrets.insert("DATABASE_URL".into(), ContainerSecret::from_secrets_manager(url));
        }
        for name in &s.secrets {
            let secret = Secret::new(&stack, &format!("{}{name}", s.name), SecretProps::default());
            secrets.insert(name.clone(), ContainerSecret::from_secrets_manager(&secret));
        }
        let log_group = LogGroupProps::builder()
            .log_group_name(format!("/ecs/customer-order-portal-{}/{}", env.name, s.name))
            .encryption(LogGroupEncryption::Key(logs_key.clone()))
            .build();
        let svc = SharedAlbService::new(
            &stack,
            SharedAlbServiceProps::builder()
                .name(s.name.clone())
                .cluster(cluster.clone())
                .vpc(vpc.clone())
                .listener(listener.clone())
                .image(ContainerImage::from_ecr(format!("customer-portal/{}", s.name).as_str(), c.image_tag.as_str()))
                .port(s.port)
                .size(size)
                .conditions(vec![ListenerCondition::path_patterns([s.path.as_str()])])
                .environment(BTreeMap::from([("ENVIRONMENT".into(), env.name.as_str().into())]))
                .secrets(secrets)
                .log_group(log_group)
                .namespace(namespace.clone())
                .min_tasks(c.min_tasks)
                .max_tasks(c.max_tasks)
                .alarm_topic(topic.clone())
                .capacity(if c.spot { CapacityStrategy::FargateSpot } else { CapacityStrategy::Fargate })
                .build(),
        );
        if s.database {
            db.connections().allow_default_port_from(svc.service());
        }
    }

    // Frontend: a private bucket behind CloudFront (origin access control), `/api/*` to the ALB.
    let frontend = app.stack("Frontend");
    let site = Bucket::new(
        &frontend,
        "Site",
        BucketProps::builder()
            .encryption(BucketEncryption::NewKey)
            .server_access_logs((logs.clone(), "site/".into()))
            .build(),
    );
    let mut cdn = DistributionProps::builder()
        .default_behavior(Behavior::s3(&site))
        .behaviors(vec![("/api/*".into(), Behavior::api(AlbOrigin::new(&listener, origin)))]) // CloudFront only
        .default_root_object("index.html")
        .error_responses(vec![ErrorResponse::spa(403)])
        .logging(DistributionLogging { bucket: logs, prefix: "cloudfront/".into() })
        .no_web_acl_reason("no web ACL in this environment (Config::edge_security)")
        .build();
    if c.edge_security {
        let cert = CertificateProps::builder().domain_name(c.domain.clone()).validation_zone(zone.clone()).build();
        cdn.certificate = Some(edge.add_certificate("Certificate", cert));
        cdn.web_acl = Some(edge.add_web_acl("WebAcl", WebAclProps::builder().rate_limit(2000).build()));
        cdn.domain_names = vec![c.domain.clone()];
    }
    let cdn = Distribution::new(&frontend, "Cdn", cdn);
    c.edge_security.then(|| cdn.add_alias_records("Alias", &zone, "")); // <domain> -> CloudFront
    frontend.add_output(Output::new("Url", Value::join_raw("", [Value::from("https://"), cdn.domain_name()])));
    stack.add_output(Output::new("LoadBalancerDns", alb.dns_name()));
}

/// dev, staging and prod: the seed's services; prod on-demand and Multi-AZ, dev on Spot.
pub fn environments() -> Environments<Config> {
    let row = |name: &str, port, cpu, memory_mib, path: &str, database, secrets: &[&str]| ServiceSpec {
        name: name.into(),
        port,
        cpu,
        memory_mib,
        path: path.into(),
        database,
        secrets: secrets.iter().map(|s| (*s).into()).collect(),
    };
    let services = vec![
        row("order", 8001, 512, 1024, "/api/orders*", true, &[]),
        row("customer", 8002, 512, 1024, "/api/customers*", true, &[]),
        row("inventory", 8003, 512, 1024, "/api/inventory*", true, &[]),
        row("returns", 8004, 512, 1024, "/api/returns*", true, &[]),
        row("chatbot", 8005, 1024, 2048, "/api/chat*", false, &["OPENAI_API_KEY"]),
        row("notification", 8006, 256, 512, "/api/notifications*", false, &[]),
        row("analytics", 8007, 512, 1024, "/api/analytics*", true, &[]),
        row("salesforce", 8008, 256, 512, "/api/salesforce*", false, &[]),
        row("gateway", 8000, 256, 512, "/api/*", false, &[]), // the catch-all, last
    ];
    let config = |spot, multi_az, domain: &str, edge: bool| Config {
        services: services.clone(),
        image_tag: "1.0.0".into(),
        spot,
        min_tasks: 1,
        max_tasks: 10,
        db_instance_class: "db.t4g.micro".into(),
        multi_az,
        domain: domain.into(),
        edge_security: edge,
        alarm_emails: vec!["oncall@portal.example.com".into()],
    };
    Environments::new()
        .env("dev", config(true, false, "dev.portal.example.com", false))
        .env("staging", config(true, false, "staging.portal.example.com", false))
        .production("prod", config(false, true, "portal.example.com", true))
}
