//! Two services on one shared HTTPS listener: snapshotted, cfn-lint and
//! checkov clean; defaults and overrides checked; bad input reported.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};
use stackcraft_alb::*;
use stackcraft_core::{App, Assembly};
use stackcraft_data::{Secret, SecretProps};
use stackcraft_ecs_service::{
    CapacityStrategy, Cluster, ClusterProps, ContainerImage, ContainerSecret, FargateSize, PrivateDnsNamespace,
    PrivateDnsNamespaceProps,
};
use stackcraft_messaging::{Topic, TopicProps};
use stackcraft_patterns::*;
use stackcraft_vpc::{NatGateways, Vpc, VpcProps};

fn sample(gateway_first: bool) -> Result<Assembly, String> {
    let app = App::new("portal");
    stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
    let stack = app.stack("Api");
    let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().nat_gateways(NatGateways::Single).build());
    let alb =
        ApplicationLoadBalancer::new(&stack, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).build());
    let listener = alb.add_https_listener(
        "Https",
        "arn:aws:acm:us-east-1:111122223333:certificate/0f3c1d2e-aaaa-bbbb-cccc-123456789012",
        ListenerAction::fixed_response(404, "application/json", "{}"),
    );
    alb.redirect_http_to_https("Http");
    let cluster = Cluster::new(&stack, "Cluster", ClusterProps::default());
    let ns = PrivateDnsNamespace::new(
        &stack,
        "Namespace",
        PrivateDnsNamespaceProps::builder().name("portal.internal").vpc(vpc.clone()).build(),
    );
    let topic = Topic::new(&stack, "Alarms", TopicProps::default());
    let api_key = Secret::new(&stack, "ApiKey", SecretProps::default());
    let svc = |name: &str, port: u16, path: &str| {
        SharedAlbService::new(
            &stack,
            SharedAlbServiceProps::builder()
                .name(name)
                .cluster(cluster.clone())
                .vpc(vpc.clone())
                .listener(listener.clone())
                .image(ContainerImage::from_registry(format!("ghcr.io/portal/{name}:1.0.0")))
                .port(port)
                .size(FargateSize::CPU_256_MEM_512)
                .conditions(vec![ListenerCondition::path_patterns([path])])
                .namespace(ns.clone())
                .alarm_topic(topic.clone())
                .environment(BTreeMap::from([("ENVIRONMENT".to_string(), "dev".into())]))
                .secrets(BTreeMap::from([(
                    "OPENAI_API_KEY".to_string(),
                    ContainerSecret::from_secrets_manager(&api_key),
                )]))
                .capacity(CapacityStrategy::Mixed { base: 1, on_demand_weight: 1, spot_weight: 3 })
                .user("1000:1000")
                .build(),
        )
    };
    if gateway_first {
        svc("gateway", 8000, "/api/*");
    }
    let orders = svc("orders", 8001, "/api/orders*");
    if !gateway_first {
        svc("gateway", 8000, "/api/*");
    }
    assert!(orders.scaling().is_some());
    assert_eq!(orders.alarms().len(), 2);
    app.synth().map_err(|e| e.to_string())
}

fn of_type(a: &Assembly, ty: &str) -> Vec<Json> {
    a.stacks[0].template["Resources"].as_object().unwrap().values().filter(|r| r["Type"] == ty).cloned().collect()
}

#[test]
fn snapshot() {
    insta::assert_json_snapshot!("shared_alb_stack", sample(false).unwrap().stacks[0].template);
}

#[test]
fn defaults_match_the_pattern() {
    let a = sample(false).unwrap();
    let services = of_type(&a, "AWS::ECS::Service");
    assert_eq!(services.len(), 2);
    for s in &services {
        let p = &s["Properties"];
        assert_eq!(p["EnableExecuteCommand"], true);
        assert_eq!(p["DeploymentConfiguration"]["DeploymentCircuitBreaker"], json!({"Enable": true, "Rollback": true}));
        assert_eq!(p["CapacityProviderStrategy"][1]["CapacityProvider"], "FARGATE_SPOT");
        assert_eq!(p["ServiceRegistries"].as_array().unwrap().len(), 1);
        assert!(p.get("DesiredCount").is_none(), "the scalable target owns the count");
    }
    let targets = of_type(&a, "AWS::ApplicationAutoScaling::ScalableTarget");
    assert!(targets.iter().all(|t| t["Properties"]["MinCapacity"] == 1 && t["Properties"]["MaxCapacity"] == 10));
    for p in of_type(&a, "AWS::ApplicationAutoScaling::ScalingPolicy") {
        let c = &p["Properties"]["TargetTrackingScalingPolicyConfiguration"];
        assert_eq!(
            (c["TargetValue"].as_f64(), c["ScaleOutCooldown"].as_u64(), c["ScaleInCooldown"].as_u64()),
            (Some(70.0), Some(60), Some(300))
        );
    }
    let rules = of_type(&a, "AWS::ElasticLoadBalancingV2::ListenerRule");
    let prios: Vec<u64> = rules.iter().map(|r| r["Properties"]["Priority"].as_u64().unwrap()).collect();
    assert_eq!(
        {
            let mut p = prios.clone();
            p.sort();
            p
        },
        [10, 20]
    );
    assert_eq!(of_type(&a, "AWS::CloudWatch::Alarm").len(), 4);
    assert_eq!(of_type(&a, "AWS::ElasticLoadBalancingV2::TargetGroup")[0]["Properties"]["HealthCheckPath"], "/health");
    assert_eq!(of_type(&a, "AWS::Logs::LogGroup").len(), 3, "one per service and the VPC flow logs");
    assert_eq!(of_type(&a, "AWS::ServiceDiscovery::Service").len(), 2);
}

#[test]
fn catch_all_before_specific_routes_is_an_error() {
    let e = sample(true).unwrap_err();
    assert!(
        e.contains("error: Api/Alb/Https/orders [Conditions]: rule 'Api/Alb/Https/orders' (priority 20) can never match: rule 'Api/Alb/Https/gateway' (priority 10) matches every request it does"),
        "{e}"
    );
}

#[test]
fn cfn_lint_clean() {
    stackcraft_testing::assert_cfn_lint_clean(&sample(false).unwrap());
}

#[test]
fn checkov_clean() {
    stackcraft_testing::assert_checkov_clean(&sample(false).unwrap());
}

#[test]
fn bad_input_names_path_and_property() {
    let app = App::new("portal");
    stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
    let stack = app.stack("Api");
    let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().nat_gateways(NatGateways::Single).build());
    let alb =
        ApplicationLoadBalancer::new(&stack, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).build());
    let listener = alb.add_https_listener(
        "Https",
        "arn:aws:acm:us-east-1:111122223333:certificate/x",
        ListenerAction::fixed_response(404, "application/json", "{}"),
    );
    let topic = Topic::new(&stack, "Alarms", TopicProps::default());
    SharedAlbService::new(
        &stack,
        SharedAlbServiceProps::builder()
            .name("orders")
            .cluster(Cluster::new(&stack, "Cluster", ClusterProps::default()))
            .vpc(vpc)
            .listener(listener)
            .image(ContainerImage::from_registry("ghcr.io/portal/orders:1.0.0"))
            .port(8001)
            .size(FargateSize::CPU_256_MEM_512)
            .conditions(vec![ListenerCondition::path_patterns(["/api/orders*"])])
            .alarm_topic(topic)
            .cpu_alarm_percent(150.0)
            .min_tasks(5)
            .max_tasks(2)
            .build(),
    );
    let e = app.synth().unwrap_err().to_string();
    for needle in [
        "error: Api/orders [cpu_alarm_percent]: CPU alarm threshold 150: a percentage above 0 and at most 100",
        "error: Api/orders/Service/TaskCount [MinCapacity]: min_capacity 5 is greater than max_capacity 2",
    ] {
        assert!(e.contains(needle), "expected {needle:?} in\n{e}");
    }
}
