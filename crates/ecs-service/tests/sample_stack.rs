//! The PyShop API service as a sample stack: VPC, ALB with HTTPS, ECR
//! repository, cluster, Fargate task (secrets from Secrets Manager and SSM,
//! health check, read-only root, non-root user), service behind the ALB with
//! Cloud Map, ECS Exec and Spot mix, autoscaling on CPU, memory and
//! requests, a CPU alarm. Snapshotted, and validated with cfn-lint (0 errors,
//! 0 warnings) and checkov (0 failed checks).

use stackcraft_alb::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, HealthCheck as TgHealthCheck, ListenerAction,
    ListenerCondition, TargetGroup, TargetGroupProps,
};
use stackcraft_core::{App, Assembly, Value};
use stackcraft_ecs_service::*;
use stackcraft_iam::{ExistingSecret, PolicyStatement};
use stackcraft_observability::AlarmOptions;
use stackcraft_vpc::{Vpc, VpcProps};

fn sample() -> Assembly {
    let app = App::new("pyshop");
    stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
                                              // Network and load balancer in their own stack (other crates' output);
                                              // the service stack imports from it.
    let net = app.stack("Network");
    let vpc = Vpc::new(&net, "Vpc", VpcProps::builder().build());
    let alb =
        ApplicationLoadBalancer::new(&net, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).build());
    let tg = TargetGroup::new(
        &net,
        "ApiTargets",
        TargetGroupProps::builder()
            .vpc(vpc.clone())
            .port(8000)
            .health_check(TgHealthCheck::builder().path("/healthz").build())
            .build(),
    );
    let https = alb.add_https_listener(
        "Https",
        Value::arn("acm", Value::region(), Value::account_id(), "certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"),
        ListenerAction::fixed_response(404, "text/plain", "not found"),
    );
    https.add_target_group("ApiRoute", vec![ListenerCondition::path_patterns(["/*"])], &tg);

    let stack = app.stack("Api");

    let repo = Repository::new(&stack, "Images", RepositoryProps::builder().build());
    let cluster = Cluster::new(&stack, "Cluster", ClusterProps::default());
    let td = FargateTaskDefinition::new(
        &stack,
        "Task",
        FargateTaskDefinitionProps::builder()
            .size(FargateSize::CPU_512_MEM_1024)
            .cpu_architecture(CpuArchitecture::Arm64)
            .build(),
    );
    let app_secret = ExistingSecret::from_arn(Value::arn(
        "secretsmanager",
        Value::region(),
        Value::account_id(),
        "secret:pyshop/app-AbCdEf",
    ));
    let db_secret = ExistingSecret::from_arn(Value::arn(
        "secretsmanager",
        Value::region(),
        Value::account_id(),
        "secret:pyshop/db-GhIjKl",
    ));
    let api = td.add_container(
        ContainerProps::builder()
            .name("api")
            .image(ContainerImage::from_ecr(&repo, "v1.0.0"))
            .port_mappings(vec![PortMapping::tcp(8000).name("http")])
            .health_check(HealthCheck::shell("curl -f http://localhost:8000/healthz || exit 1").start_period_secs(30))
            .writable_paths(vec!["/tmp".into()])
            .user("1000:1000")
            .build(),
    );
    api.add_environment("ENVIRONMENT", "dev");
    api.add_environment("ACCESS_TOKEN_EXPIRE_MINUTES", "30");
    api.add_secret("SECRET_KEY", ContainerSecret::from_secrets_manager(&app_secret));
    api.add_secret("DATABASE_URL", ContainerSecret::from_secrets_manager_json_key(&db_secret, "url"));
    api.add_secret("FEATURE_FLAGS", ContainerSecret::from_ssm_parameter("/pyshop/dev/feature-flags"));

    let namespace = PrivateDnsNamespace::new(
        &stack,
        "Namespace",
        PrivateDnsNamespaceProps::builder().name("pyshop.internal").vpc(vpc.clone()).build(),
    );
    let service = FargateService::new(
        &stack,
        "Service",
        FargateServiceProps::builder()
            .cluster(cluster)
            .task_definition(td)
            .vpc(vpc)
            .enable_execute_command(true)
            .capacity(CapacityStrategy::Mixed { base: 1, on_demand_weight: 1, spot_weight: 3 })
            .cloud_map(CloudMapOptions::builder().namespace(namespace).name("api").build())
            .build(),
    );
    service.attach_to_target_group(&tg, "api", 8000);
    stackcraft_iam::grant(
        &service,
        PolicyStatement::allow().action("s3:GetObject").resource(Value::arn("s3", "", "", "pyshop-media/*")),
    );
    let scaling = service.auto_scale_task_count(ScalingProps::builder().min_capacity(2).max_capacity(10).build());
    scaling.scale_on_cpu_utilization("Cpu", TargetTracking::builder().target_value(70.0).build());
    scaling.scale_on_memory_utilization("Memory", TargetTracking::builder().target_value(80.0).build());
    scaling.scale_on_request_count(
        "Requests",
        &tg,
        TargetTracking::builder().target_value(1000.0).scale_in_cooldown_secs(600).build(),
    );
    service.metric_cpu_utilization().create_alarm(
        &stack,
        "CpuHigh",
        AlarmOptions::builder().threshold(85.0).evaluation_periods(3).build(),
    );
    app.synth().expect("the sample stack synthesizes")
}

#[test]
fn snapshot() {
    let asm = sample();
    let api = asm.stack("Api").expect("Api stack");
    assert_eq!(api.dependencies, ["Network"]);
    // The load balancer → service rules are written by stackcraft-vpc (their
    // shape and ids are that crate's); they are checked below, and left out
    // of this crate's snapshot.
    let mut t = api.template.clone();
    let resources = t["Resources"].as_object_mut().unwrap();
    let rules: Vec<String> = resources
        .iter()
        .filter(|(_, r)| {
            r["Type"]
                .as_str()
                .is_some_and(|t| t.starts_with("AWS::EC2::SecurityGroupI") || t.starts_with("AWS::EC2::SecurityGroupE"))
        })
        .map(|(k, _)| k.clone())
        .collect();
    let removed: Vec<serde_json::Value> = rules.iter().filter_map(|k| resources.remove(k)).collect();
    let ingress = removed
        .iter()
        .find(|r| r["Type"] == "AWS::EC2::SecurityGroupIngress")
        .expect("an ingress rule into the service's group");
    assert_eq!(ingress["Properties"]["FromPort"], 8000);
    assert_eq!(ingress["Properties"]["Description"], "Load balancer to api:8000");
    assert!(ingress["Properties"]["SourceSecurityGroupId"].to_string().contains("AlbSecurityGroup"));
    assert!(removed.iter().any(|r| r["Type"] == "AWS::EC2::SecurityGroupEgress"), "the ALB's egress half");
    insta::assert_json_snapshot!(t);
}

#[test]
fn cfn_lint_is_clean() {
    stackcraft_testing::assert_cfn_lint_clean(&sample());
}

#[test]
fn checkov_is_clean() {
    stackcraft_testing::assert_checkov_clean(&sample());
}

#[test]
fn execution_role_gets_exactly_what_the_containers_use() {
    let asm = sample();
    let t = &asm.stack("Api").unwrap().template;
    let roles: Vec<&serde_json::Value> = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with("TaskExecutionRole"))
        .map(|(_, v)| v)
        .collect();
    assert_eq!(roles.len(), 1);
    let stmts = roles[0]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"].as_array().unwrap();
    let actions: Vec<String> = stmts
        .iter()
        .flat_map(|s| match &s["Action"] {
            serde_json::Value::String(a) => vec![a.clone()],
            serde_json::Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_owned()).collect(),
            _ => vec![],
        })
        .collect();
    let mut sorted = actions.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetAuthorizationToken",
            "ecr:GetDownloadUrlForLayer",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "secretsmanager:DescribeSecret",
            "secretsmanager:GetSecretValue",
            "ssm:GetParameters",
        ]
    );
    for s in &asm.stacks {
        let text = serde_json::to_string(&s.template).unwrap();
        assert!(!text.contains("arn:aws:"), "ARNs must be partition-aware");
    }
}
