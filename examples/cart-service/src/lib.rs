//! Cart Service (seed `000`): VPC over 2 AZs → ALB → ECS Fargate → DynamoDB,
//! EventBridge → SQS, ECR, CloudWatch alarms, IAM grants; dev/staging/prod.
//! Region eu-central-1 for every environment. The ECR repository is shared by
//! all environments, as in the seed: the `Registry` stack is a shared stack,
//! deployed once (`cart-Registry`), whose exports every environment imports.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use stackcraft::alb::{ListenerProps, ListenerProtocol};
use stackcraft::prelude::*;

/// What differs between environments (`cargo run -- schema` prints its JSON Schema).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// One NAT gateway per AZ (else a single shared one).
    pub nat_per_az: bool,
    /// Tasks running normally (the autoscaling minimum when autoscaling is on).
    pub tasks: u32,
    /// Autoscaling upper bound of tasks; `None` turns autoscaling off.
    pub max_tasks: Option<u32>,
    /// Provisioned, autoscaled table capacity (min, max units); `None` is on-demand.
    pub table_capacity: Option<(u32, u32)>,
    /// Run the tasks on Fargate Spot.
    pub spot: bool,
    /// HTTPS: domain name and the id of its existing Route 53 hosted zone.
    /// `None` serves plain HTTP (an acknowledged risk, dev only).
    pub https: Option<(String, String)>,
    /// Who gets alarm e-mails.
    pub alarm_emails: Vec<String>,
}

const PORT: u16 = 8080;
const REGION: &str = "eu-central-1";

/// Build the app for one environment.
pub fn build(app: &App, env: &Environment<Config>) {
    let c = &env.config;
    // No app-wide tags: moto 5.2.5 cannot create tagged AWS::KMS::Key resources
    // (it reads TagKey/TagValue), which would keep the emulator deploy test red.
    let registry = app.shared_stack("Registry").in_region(REGION);
    let mutable = TagMutability::mutable("the seed's pipeline pushes :latest and forces a new ECS deployment");
    let lifecycle = vec![ImageLifecycleRule::ExpireUntaggedAfterDays(7), ImageLifecycleRule::KeepLast(30)];
    let props = RepositoryProps::builder().repository_name("ecommerce-cart-service").tag_mutability(mutable);
    let repo = Repository::new(&registry, "CartService", props.lifecycle_rules(lifecycle).build());
    registry.add_output(Output::new("EcrRepositoryUrl", repo.repository_uri()).description("Docker registry"));
    registry.export_value(repo.repository_uri());
    registry.export_value(repo.arn());

    let network = app.stack("Network");
    let nat = if c.nat_per_az { NatGateways::OnePerAz } else { NatGateways::Single };
    let vpc = Vpc::new(&network, "Vpc", VpcProps::builder().az_count(2).nat_gateways(nat).build());

    let stack = app.stack("Cart");
    let billing = c.table_capacity.map_or(Billing::OnDemand, |(min, max)| Billing::autoscaled(min, max));
    let props = TableProps::builder().partition_key(Attribute::string("cartId")).time_to_live_attribute("expiresAt");
    let table = Table::new(&stack, "Carts", props.billing(billing).build());

    // Cart events: a custom bus, a rule to a queue with a dead-letter queue and retries.
    let bus = EventBus::new(&stack, "Events", EventBusProps::default());
    let dlq = Queue::new(&stack, "CartEventsDlq", QueueProps::builder().retention_period_secs(1_209_600).build());
    let redrive = DeadLetterQueue::new(&dlq, 5);
    let queue = Queue::new(&stack, "CartEvents", QueueProps::builder().dead_letter_queue(redrive).build());
    let pattern = EventPattern::new().source(["cart-service"]).detail_type(["CartUpdated", "CartCheckedOut"]);
    Rule::new(&stack, "CartEventsRule", RuleProps::builder().event_bus(bus.clone()).event_pattern(pattern).build())
        .add_target(RuleTarget::queue(&queue).dead_letter_queue(&dlq).max_retry_attempts(10));

    let props = ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).deletion_protection(env.production).build();
    let alb = ApplicationLoadBalancer::new(&stack, "Alb", props);
    let health = HealthCheck::builder().path("/health").build();
    let targets = TargetGroup::new(
        &stack,
        "CartTargets",
        TargetGroupProps::builder().vpc(vpc.clone()).port(PORT).health_check(health).build(),
    );
    match &c.https {
        Some((domain, zone_id)) => {
            let zone = HostedZone::from_attributes(zone_id.clone(), domain);
            let props = CertificateProps::builder().domain_name(domain.clone()).validation_zone(zone.clone()).build();
            let cert = Certificate::new(&stack, "Certificate", props);
            alb.add_https_listener("Https", cert.arn(), ListenerAction::forward(&targets));
            alb.redirect_http_to_https("Http");
            alb.add_alias_records(&zone, &[domain.as_str()]);
        }
        None => {
            let why = "dev only: no domain or certificate; the ALB serves plain HTTP to testers, prod serves HTTPS";
            let http = ListenerProps::builder().protocol(ListenerProtocol::Http).open(false);
            let http = alb.add_listener("Http", http.default_action(ListenerAction::forward(&targets)).build());
            http.handle().acknowledge("alb.https-only", why);
            let open = alb.security_group().add_ingress_from_cidr("0.0.0.0/0", Port::tcp(80), "HTTP (dev)");
            open.iter().for_each(|rule| rule.acknowledge("vpc.open-ingress", why));
        }
    }

    let name = format!("ecommerce-{}", env.name);
    let cluster = Cluster::new(&stack, "Cluster", ClusterProps::builder().cluster_name(name).build());
    let size = if env.production { FargateSize::CPU_512_MEM_1024 } else { FargateSize::CPU_256_MEM_512 };
    let task = FargateTaskDefinition::new(&stack, "Task", FargateTaskDefinitionProps::builder().size(size).build());
    let image = ContainerImage::from_ecr(&repo, "latest");
    let props = ContainerProps::builder().name("cart-service").image(image).port_mappings(vec![PortMapping::tcp(PORT)]);
    let container = task.add_container(props.build());
    container.add_environment("TABLE_NAME", table.name());
    container.add_environment("EVENT_BUS_NAME", bus.name());
    let capacity = if c.spot { CapacityStrategy::FargateSpot } else { CapacityStrategy::Fargate };
    let props = FargateServiceProps::builder().cluster(cluster).task_definition(task).vpc(vpc).capacity(capacity);
    let props = props.service_name(format!("cart-service-{}", env.name)).desired_count(c.tasks).build();
    let service = FargateService::new(&stack, "Service", props);
    service.attach_to_target_group(&targets, "cart-service", PORT);
    table.grant_read_write_data(&service);
    bus.grant_put_events(&service);
    if let Some(max) = c.max_tasks {
        let scaling =
            service.auto_scale_task_count(ScalingProps::builder().min_capacity(c.tasks).max_capacity(max).build());
        scaling.scale_on_cpu_utilization("Cpu", TargetTracking::builder().target_value(70.0).build());
        scaling.scale_on_request_count("Requests", &targets, TargetTracking::builder().target_value(500.0).build());
    }

    // Alarms to an encrypted topic.
    let topic = Topic::new(&stack, "Alarms", TopicProps::builder().emails(c.alarm_emails.clone()).build());
    let mut alarms = table.throttle_alarms();
    alarms.extend(queue.dead_letter_alarm("DeadLetters"));
    let cpu =
        AlarmOptions::builder().threshold(85.0).evaluation_periods(3).description("Cart tasks CPU above 85%").build();
    alarms.push(service.metric_cpu_utilization().create_alarm(&stack, "CpuHigh", cpu));
    let errors = AlarmOptions::builder().threshold(10.0).description("ALB 5XX responses").build();
    alarms.push(alb.metric_elb_5xx().statistic(Statistic::Sum).create_alarm(&stack, "Alb5xx", errors));
    for alarm in &alarms {
        alarm.notify(&topic);
    }

    stack.add_output(Output::new("AlbDnsName", alb.dns_name()).description("API endpoint"));
    stack.add_output(Output::new("DynamodbTableName", table.name()).description("Cart data table"));
}

/// dev, staging and prod, as the seed describes them.
pub fn environments() -> Environments<Config> {
    let config = |nat_per_az, tasks, max_tasks, table_capacity, spot, https: Option<(&str, &str)>| Config {
        nat_per_az,
        tasks,
        max_tasks,
        table_capacity,
        spot,
        https: https.map(|(d, z)| (d.into(), z.into())),
        alarm_emails: vec!["oncall@shop.example.com".into()],
    };
    let staging = config(false, 2, Some(4), None, true, Some(("cart.staging.shop.example.com", "Z0STAGING00000")));
    let prod = config(true, 3, Some(12), Some((10, 200)), false, Some(("cart.shop.example.com", "Z0PROD000000000")));
    Environments::new()
        .with(Environment::new("dev", config(false, 1, None, None, true, None)).region(REGION))
        .with(Environment::new("staging", staging).region(REGION))
        .with(Environment::new("prod", prod).production().region(REGION))
}
