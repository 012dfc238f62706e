//! The bad-input corpus (issue 8): one table of plausible user mistakes
//! against the public API, each with the EXACT error line synth reports
//! (`error: <construct path> [<property>]: <message>`).
//!
//! For every case the harness checks that
//! - building and synthesizing never panics,
//! - synth fails and one of its errors is exactly the expected line,
//! - the app's command line (`synth --out DIR`, through the facade's
//!   `cli::run_from`, the path `cargo run -- synth` takes) exits with 1 and
//!   leaves the output directory exactly as it was (a user file survives,
//!   nothing is created).
//!
//! Adding a case is one entry in `cases()`: a name, the expected line and a
//! closure building the mistake in stack `S` (helpers below). Run with
//! `BAD_INPUTS_RECORD=1` to print what each case reports instead of
//! asserting, when writing a new entry.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::process::ExitCode;

use stackcraft::alb::{AccessLogs, AliasRecord, Redirect, TargetType};
use stackcraft::core::serde_json::json;
use stackcraft::prelude::*;
use stackcraft::vpc::{FlowLogDestination, FlowLogs, GatewayEndpoint, InterfaceEndpoint};

struct Case {
    name: &'static str,
    expect: &'static str,
    build: Box<dyn Fn(&Stack)>,
}

fn case(name: &'static str, expect: &'static str, build: impl Fn(&Stack) + 'static) -> Case {
    Case { name, expect, build: Box::new(build) }
}

// ---- helpers: valid building blocks the cases put one mistake into ----

fn vpc(s: &Stack) -> Vpc {
    Vpc::new(s, "Vpc", VpcProps::builder().nat_gateways(NatGateways::Single).build())
}

fn isolated_vpc(s: &Stack, endpoints: &[&str], s3: bool) -> Vpc {
    Vpc::new(
        s,
        "Vpc",
        VpcProps::builder()
            .nat_gateways(NatGateways::None)
            .subnets(vec![SubnetConfiguration::public("Public"), SubnetConfiguration::isolated("Isolated")])
            .interface_endpoints(endpoints.iter().map(|e| InterfaceEndpoint::aws(*e)).collect())
            .gateway_endpoints(if s3 { vec![GatewayEndpoint::S3] } else { vec![] })
            .build(),
    )
}

fn tg_props(v: &Vpc) -> TargetGroupProps {
    TargetGroupProps::builder().vpc(v.clone()).port(8000).build()
}

fn alb(s: &Stack, v: &Vpc) -> ApplicationLoadBalancer {
    ApplicationLoadBalancer::new(s, "Alb", ApplicationLoadBalancerProps::builder().vpc(v.clone()).build())
}

fn alb_props(v: &Vpc) -> ApplicationLoadBalancerProps {
    ApplicationLoadBalancerProps::builder().vpc(v.clone()).build()
}

fn listener(s: &Stack, v: &Vpc) -> stackcraft::alb::Listener {
    alb(s, v).add_http_listener("Http", ListenerAction::fixed_response(404, "text/plain", "no"))
}

fn rule(s: &Stack, conditions: Vec<ListenerCondition>) {
    let v = vpc(s);
    let l = listener(s, &v);
    let g = TargetGroup::new(s, "Tg", tg_props(&v));
    l.add_target_group("Rule", conditions, &g);
}

fn hc() -> HealthCheck {
    HealthCheck::default()
}

fn tg_with(s: &Stack, f: impl FnOnce(&mut TargetGroupProps)) {
    let v = vpc(s);
    let mut p = tg_props(&v);
    f(&mut p);
    TargetGroup::new(s, "Tg", p);
}

fn task(s: &Stack) -> FargateTaskDefinition {
    let t = FargateTaskDefinition::new(
        s,
        "Task",
        FargateTaskDefinitionProps::builder().size(FargateSize::CPU_256_MEM_512).build(),
    );
    t.add_container(container());
    t
}

fn container() -> ContainerProps {
    ContainerProps::builder()
        .name("app")
        .image(ContainerImage::from_registry("ghcr.io/acme/app:1.0.0"))
        .port_mappings(vec![PortMapping::tcp(8000)])
        .build()
}

fn container_with(s: &Stack, f: impl FnOnce(&mut ContainerProps)) {
    let t = FargateTaskDefinition::new(
        s,
        "Task",
        FargateTaskDefinitionProps::builder().size(FargateSize::CPU_256_MEM_512).build(),
    );
    let mut c = container();
    f(&mut c);
    t.add_container(c);
}

fn service_props(s: &Stack, v: &Vpc) -> FargateServiceProps {
    let cluster = Cluster::new(s, "Cluster", ClusterProps::default());
    FargateServiceProps::builder().cluster(cluster).task_definition(task(s)).vpc(v.clone()).desired_count(1).build()
}

fn service_with(s: &Stack, f: impl FnOnce(&mut FargateServiceProps)) -> FargateService {
    let v = vpc(s);
    let mut p = service_props(s, &v);
    f(&mut p);
    FargateService::new(s, "Service", p)
}

fn db_with(s: &Stack, f: impl FnOnce(&mut DatabaseInstanceProps)) {
    let v = vpc(s);
    let mut p = DatabaseInstanceProps::builder().vpc(v).engine_version(PostgresVersion::V16_15).build();
    f(&mut p);
    DatabaseInstance::new(s, "Db", p);
}

fn bucket_with(s: &Stack, f: impl FnOnce(&mut BucketProps)) {
    let mut p = BucketProps::builder().build();
    f(&mut p);
    Bucket::new(s, "Bucket", p);
}

fn bucket_named(s: &Stack, name: &str) {
    bucket_with(s, |p| p.bucket_name = Some(name.into()));
}

fn log_group_named(s: &Stack, name: &str) {
    LogGroup::new(s, "Logs", LogGroupProps::builder().log_group_name(name.to_owned()).build());
}

fn repo_named(s: &Stack, name: &str) {
    Repository::new(s, "Repo", RepositoryProps::builder().repository_name(name).build());
}

fn ecr_image(s: &Stack, name: &str) {
    container_with(s, |c| c.image = ContainerImage::from_ecr(name, "1.0.0"));
}

fn alarm_with(s: &Stack, f: impl FnOnce(&mut AlarmOptions)) {
    let mut p = AlarmOptions::builder().threshold(1.0).build();
    f(&mut p);
    Alarm::new(
        s,
        "Alarm",
        AlarmProps::builder().metric(Metric::new("AWS/SQS", "NumberOfMessagesSent")).options(p).build(),
    );
}

fn graph(s: &Stack, w: GraphWidget) {
    let d = Dashboard::new(s, "Dash", DashboardProps::default());
    d.add_widget(w.left(Metric::new("AWS/SQS", "NumberOfMessagesSent")));
}

fn zone(s: &Stack) -> HostedZone {
    HostedZone::new(s, "Zone", HostedZoneProps::builder().zone_name("example.com").build())
}

fn alias(s: &Stack, name: &str) {
    let v = vpc(s);
    let a = alb(s, &v);
    AliasRecord::to_load_balancer(s, "Alias", &zone(s), name, &a);
}

fn cert(s: &Stack, name: &str) {
    Certificate::new(s, "Cert", CertificateProps::builder().domain_name(name).validation_zone(zone(s)).build());
}

fn https_with_cert(s: &Stack, arn: &str) {
    let v = vpc(s);
    alb(s, &v).add_https_listener("Https", arn.to_owned(), ListenerAction::fixed_response(404, "text/plain", "no"));
}

fn access_logs(s: &Stack, bucket: &str) {
    let v = vpc(s);
    let mut p = alb_props(&v);
    p.access_logs = Some(AccessLogs::new(bucket.to_owned(), "alb"));
    ApplicationLoadBalancer::new(s, "Alb", p);
}

fn redirect(s: &Stack, r: Redirect) {
    let v = vpc(s);
    alb(s, &v).add_http_listener("Http", ListenerAction::Redirect(r));
}

fn budget(s: &Stack, emails: &[&str]) {
    Budget::new(
        s,
        "Budget",
        BudgetProps::builder()
            .monthly_limit_usd(100.0)
            .emails(emails.iter().map(|e| (*e).to_owned()).collect::<Vec<String>>())
            .build(),
    );
}

fn topic_email(s: &Stack, email: &str) {
    Topic::new(s, "Topic", TopicProps::builder().emails(vec![email.to_owned()]).build());
}

fn queue_with(s: &Stack, f: impl FnOnce(&mut QueueProps)) {
    let mut p = QueueProps::builder().build();
    f(&mut p);
    Queue::new(s, "Queue", p);
}

fn role_with(s: &Stack, f: impl FnOnce(&mut RoleProps)) {
    let mut p = RoleProps::builder().assumed_by(Principal::service("lambda.amazonaws.com")).build();
    f(&mut p);
    Role::new(s, "Role", p);
}

fn managed(s: &Stack, name: &str) {
    role_with(s, |p| p.managed_policies = vec![ManagedPolicy::aws_managed(name)]);
}

fn raw(s: &Stack, ty: &str, props: stackcraft::core::serde_json::Value) {
    s.add_raw("Raw", RawResource::new(ty, props));
    // keep the stack valid otherwise
}

fn vpc_with(s: &Stack, f: impl FnOnce(&mut VpcProps)) {
    let mut p = VpcProps::builder().nat_gateways(NatGateways::Single).build();
    f(&mut p);
    Vpc::new(s, "Vpc", p);
}

fn endpoint(s: &Stack, name: &str) {
    vpc_with(s, |p| p.interface_endpoints = vec![InterfaceEndpoint::aws(name)]);
}

fn flow_logs_to(s: &Stack, arn: &str) {
    vpc_with(s, |p| {
        p.flow_logs = {
            Some(FlowLogs {
                destination: FlowLogDestination::S3 { bucket_arn: arn.to_owned().into() },
                ..FlowLogs::default()
            })
        }
    });
}

fn sg_queue(s: &Stack) {
    // a valid resource so that a stack-level mistake is the only one
    Queue::new(s, "Queue", QueueProps::builder().build());
}

/// The README's example with the database in stack `S` and the service in
/// stack `Api`: `from_db_side` writes the connection the old way round.
fn readme_app(s: &Stack, from_db_side: bool) {
    let v = vpc(s);
    let db = DatabaseInstance::new(
        s,
        "Database",
        DatabaseInstanceProps::builder().vpc(v.clone()).engine_version(PostgresVersion::V16_15).build(),
    );
    let api = s.app().stack("Api");
    let task = FargateTaskDefinition::new(
        &api,
        "Task",
        FargateTaskDefinitionProps::builder().size(FargateSize::CPU_512_MEM_1024).build(),
    );
    let c = task.add_container(container());
    c.add_environment("DATABASE_HOST", db.endpoint_address());
    let cluster = Cluster::new(&api, "Cluster", ClusterProps::default());
    let service = FargateService::new(
        &api,
        "Service",
        FargateServiceProps::builder().cluster(cluster).task_definition(task).vpc(v).desired_count(1).build(),
    );
    if from_db_side {
        db.connections().allow_default_port_from(&service);
    } else {
        service.connections().allow_default_port_to(&db);
    }
}

#[test]
fn readme_connections_across_stacks_do_not_cycle() {
    let env = Environment::new("dev", ());
    let a = stackcraft::core::cli::synth_env("corpus", &env, |app, _| readme_app(&app.stack("S"), false))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.stacks.len(), 2);
}

fn cases() -> Vec<Case> {
    vec![
        // ---- Fargate tasks that can never start ----
        case("isolated-no-endpoints", "error: S/Service [NetworkConfiguration]: tasks in isolated subnets can never start: the VPC lacks the endpoints ecr.api, ecr.dkr, logs, s3 (gateway) (ECR image pulls and logs have no other route); add them (VpcProps interface_endpoints / gateway_endpoints) or run in PrivateWithEgress subnets (NAT)", |s| {
            let v = isolated_vpc(s, &[], false);
            let mut p = service_props(s, &v);
            p.subnet_type = SubnetType::Isolated;
            FargateService::new(s, "Service", p);
        }),
        case("isolated-no-logs-endpoint", "error: S/Service [NetworkConfiguration]: tasks in isolated subnets can never start: the VPC lacks the endpoints logs (ECR image pulls and logs have no other route); add them (VpcProps interface_endpoints / gateway_endpoints) or run in PrivateWithEgress subnets (NAT)", |s| {
            let v = isolated_vpc(s, &["ecr.api", "ecr.dkr"], true);
            let mut p = service_props(s, &v);
            p.subnet_type = SubnetType::Isolated;
            FargateService::new(s, "Service", p);
        }),
        case("isolated-no-s3-gateway", "error: S/Service [NetworkConfiguration]: tasks in isolated subnets can never start: the VPC lacks the endpoints s3 (gateway) (ECR image pulls and logs have no other route); add them (VpcProps interface_endpoints / gateway_endpoints) or run in PrivateWithEgress subnets (NAT)", |s| {
            let v = isolated_vpc(s, &["ecr.api", "ecr.dkr", "logs"], false);
            let mut p = service_props(s, &v);
            p.subnet_type = SubnetType::Isolated;
            FargateService::new(s, "Service", p);
        }),
        case("instance-target-group", "error: S/Service [LoadBalancers]: the target group's target type is `instance`; Fargate tasks (awsvpc networking) register by IP: use TargetType::Ip", |s| {
            let v = vpc(s);
            let l = listener(s, &v);
            let mut p = tg_props(&v);
            p.target_type = TargetType::Instance;
            let g = TargetGroup::new(s, "Tg", p);
            l.add_target_group("Rule", vec![ListenerCondition::path_patterns(["/api/*"])], &g);
            let svc = FargateService::new(s, "Service", service_props(s, &v));
            svc.attach_to_target_group(&g, "app", 8000);
        }),
        case("ecr-image-uppercase", "error: S/Task/app [Image]: ECR repository name \"Acme/App\" contains 'A'; allowed are 2 to 256 characters: lowercase ASCII letters, digits and '.', '_', '-', '/', starting and ending with a letter or digit (a name, not a URI)", |s| ecr_image(s, "Acme/App")),
        case("ecr-image-uri", "error: S/Task/app [Image]: ECR repository \"123456789012.dkr.ecr.eu-central-1.amazonaws.com/app\" is a repository URI; give the repository name (the part after the last '.amazonaws.com/')", |s| ecr_image(s, "123456789012.dkr.ecr.eu-central-1.amazonaws.com/app")),
        case("ecr-image-double-slash", "error: S/Task/app [Image]: ECR repository name \"acme//app\" contains \"//\", which AWS does not allow (a name, not a URI)", |s| ecr_image(s, "acme//app")),
        case("ecr-image-one-char", "error: S/Task/app [Image]: ECR repository name \"a\" has 1 characters; allowed are 2 to 256 characters: lowercase ASCII letters, digits and '.', '_', '-', '/', starting and ending with a letter or digit (a name, not a URI)", |s| ecr_image(s, "a")),
        case("ecr-image-trailing-dash", "error: S/Task/app [Image]: ECR repository name \"app-\" does not end with a letter or digit; allowed are 2 to 256 characters: lowercase ASCII letters, digits and '.', '_', '-', '/', starting and ending with a letter or digit (a name, not a URI)", |s| ecr_image(s, "app-")),
        case("repo-uppercase", "error: S/Repo [RepositoryName]: ECR repository name \"MyApp\" contains 'A', 'M'; allowed are 2 to 256 characters: lowercase ASCII letters, digits and '.', '_', '-', '/', starting and ending with a letter or digit", |s| repo_named(s, "MyApp")),
        case("repo-leading-slash", "error: S/Repo [RepositoryName]: ECR repository name \"/app\" does not start with a letter or digit; allowed are 2 to 256 characters: lowercase ASCII letters, digits and '.', '_', '-', '/', starting and ending with a letter or digit", |s| repo_named(s, "/app")),
        case("repo-space", "error: S/Repo [RepositoryName]: ECR repository name \"my app\" contains ' '; allowed are 2 to 256 characters: lowercase ASCII letters, digits and '.', '_', '-', '/', starting and ending with a letter or digit", |s| repo_named(s, "my app")),
        case("repo-double-dot", "error: S/Repo [RepositoryName]: ECR repository name \"my..app\" contains \"..\", which AWS does not allow", |s| repo_named(s, "my..app")),
        case("repo-too-long", "error: S/Repo [RepositoryName]: ECR repository name \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"... has 257 characters; allowed are 2 to 256 characters: lowercase ASCII letters, digits and '.', '_', '-', '/', starting and ending with a letter or digit", |s| repo_named(s, &"a".repeat(257))),
        case("public-ip-in-private", "error: S/Service [NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp]: a public IP is only useful in public subnets; the tasks run in Private subnets (set subnet_type: Public, or drop assign_public_ip_because)", |s| {
            service_with(s, |p| p.assign_public_ip_because = Some("demo".into()));
        }),
        case("public-ip-empty-reason", "error: S/Service [NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp]: assign_public_ip_because needs a reason (why must the tasks be reachable at a public IP?)", |s| {
            service_with(s, |p| {
                p.subnet_type = SubnetType::Public;
                p.assign_public_ip_because = Some("  ".into());
            });
        }),
        case("container-not-in-task", "error: S/Service [LoadBalancers]: container \"web\" is not in the task definition (containers: app)", |s| {
            let v = vpc(s);
            let l = listener(s, &v);
            let g = TargetGroup::new(s, "Tg", tg_props(&v));
            l.add_target_group("Rule", vec![ListenerCondition::path_patterns(["/api/*"])], &g);
            FargateService::new(s, "Service", service_props(s, &v)).attach_to_target_group(&g, "web", 8000);
        }),
        case("container-port-not-mapped", "error: S/Service [LoadBalancers]: container \"app\" has no TCP port mapping for port 9000", |s| {
            let v = vpc(s);
            let l = listener(s, &v);
            let g = TargetGroup::new(s, "Tg", tg_props(&v));
            l.add_target_group("Rule", vec![ListenerCondition::path_patterns(["/api/*"])], &g);
            FargateService::new(s, "Service", service_props(s, &v)).attach_to_target_group(&g, "app", 9000);
        }),
        case("target-group-not-routed", "error: S/Service [LoadBalancers]: the target group is not routed to by any listener yet: add it to a listener (default action or rule) before attaching the service", |s| {
            let v = vpc(s);
            let g = TargetGroup::new(s, "Tg", tg_props(&v));
            FargateService::new(s, "Service", service_props(s, &v)).attach_to_target_group(&g, "app", 8000);
        }),
        case("service-min-healthy-over-max", "error: S/Service [DeploymentConfiguration.MinimumHealthyPercent]: 150% given: allowed 0 to 100", |s| {
            service_with(s, |p| {
                p.min_healthy_percent = 150;
                p.max_healthy_percent = 100;
            });
        }),
        case("service-max-healthy-over-200", "error: S/Service [DeploymentConfiguration.MaximumPercent]: 250% given: allowed 100 to 200", |s| {
            service_with(s, |p| p.max_healthy_percent = 250);
        }),
        case("service-name-space", "error: S/Service [ServiceName]: service name \"my service\" contains ' '; allowed are 1 to 255 characters: ASCII letters, digits and '-', '_'", |s| {
            service_with(s, |p| p.service_name = Some("my service".into()));
        }),
        case("container-name-space", "error: S/Task/my_app [Name]: container name \"my app\" contains ' '; allowed are 1 to 255 characters: ASCII letters, digits and '-', '_'", |s| container_with(s, |c| c.name = "my app".into())),
        case("container-name-empty", "error: S/Task/Unnamed [Name]: container name \"\" has 0 characters; allowed are 1 to 255 characters: ASCII letters, digits and '-', '_'", |s| container_with(s, |c| c.name = String::new())),
        case("container-image-empty", "error: S/Task/app [Image]: image \"\" is invalid: 1-255 characters without whitespace", |s| container_with(s, |c| c.image = ContainerImage::from_registry(""))),
        case("container-image-space", "error: S/Task/app [Image]: image \"ghcr.io/acme/app 1.0\" is invalid: 1-255 characters without whitespace", |s| {
            container_with(s, |c| c.image = ContainerImage::from_registry("ghcr.io/acme/app 1.0"))
        }),
        case("container-port-zero", "error: S/Task/app [PortMappings]: port 0 is not a valid container port", |s| container_with(s, |c| c.port_mappings = vec![PortMapping::tcp(0)])),
        case("container-port-twice", "error: S/Task/app [PortMappings]: port 8000 is mapped twice", |s| {
            container_with(s, |c| c.port_mappings = vec![PortMapping::tcp(8000), PortMapping::tcp(8000)])
        }),
        case("container-memory-over-task", "error: S/Task/app [Memory]: containers reserve 4096 MiB, more than the task's 512 MiB", |s| container_with(s, |c| c.memory_limit_mib = Some(4096))),
        case("container-cpu-over-task", "error: S/Task/app [Cpu]: containers reserve 4096 CPU units, more than the task's 256", |s| container_with(s, |c| c.cpu = Some(4096))),
        case("container-cpu-u32-max", "error: S/Task/app [Cpu]: containers reserve 4294967295 CPU units, more than the task's 256", |s| container_with(s, |c| c.cpu = Some(u32::MAX))),
        case("container-reservation-over-limit", "error: S/Task/app [MemoryReservation]: the memory reservation exceeds the memory limit", |s| {
            container_with(s, |c| {
                c.memory_limit_mib = Some(256);
                c.memory_reservation_mib = Some(512);
            })
        }),
        case("container-secret-and-env-same", "error: S/Task/app [Secrets]: TOKEN is also a plain environment variable; a variable comes from one place", |s| {
            container_with(s, |c| {
                c.environment.insert("TOKEN".into(), "x".to_owned().into());
                c.secrets.insert("TOKEN".into(), ContainerSecret::from_ssm_parameter("/app/token"));
            })
        }),
        case("container-stop-timeout", "error: S/Task/app [StopTimeout]: stop timeout 1000 s: allowed 2 to 120 on Fargate", |s| container_with(s, |c| c.stop_timeout_secs = Some(1000))),
        case("container-writable-relative", "error: S/Task/app [MountPoints]: writable path \"tmp\" must be absolute and not '/'", |s| {
            container_with(s, |c| c.writable_paths = vec!["tmp".into()])
        }),
        case("container-label-empty-key", "error: S/Task/Resource [ContainerDefinitions[0].DockerLabels.]: unknown property: none are allowed here", |s| {
            container_with(s, |c| {
                c.docker_labels.insert(String::new(), "x".into());
            })
        }),
        case("task-family-space", "error: S/Task [Family]: task family \"my family\" contains ' '; allowed are 1 to 255 characters: ASCII letters, digits and '-', '_'", |s| {
            let mut p = FargateTaskDefinitionProps::builder().size(FargateSize::CPU_256_MEM_512).build();
            p.family = Some("my family".into());
            FargateTaskDefinition::new(s, "Task", p).add_container(container());
        }),
        case("task-ephemeral-too-small", "error: S/Task [EphemeralStorage]: 10 GiB of ephemeral storage: allowed 21 to 200 (omit for the default 20)", |s| {
            let mut p = FargateTaskDefinitionProps::builder().size(FargateSize::CPU_256_MEM_512).build();
            p.ephemeral_storage_gib = Some(10);
            FargateTaskDefinition::new(s, "Task", p).add_container(container());
        }),
        case("task-ephemeral-too-large", "error: S/Task [EphemeralStorage]: 500 GiB of ephemeral storage: allowed 21 to 200 (omit for the default 20)", |s| {
            let mut p = FargateTaskDefinitionProps::builder().size(FargateSize::CPU_256_MEM_512).build();
            p.ephemeral_storage_gib = Some(500);
            FargateTaskDefinition::new(s, "Task", p).add_container(container());
        }),
        case("task-no-container", "error: S/Service [TaskDefinition]: the task definition has no container: add one with add_container before creating the service", |s| {
            let v = vpc(s);
            let t = FargateTaskDefinition::new(
                s,
                "Task",
                FargateTaskDefinitionProps::builder().size(FargateSize::CPU_256_MEM_512).build(),
            );
            let cluster = Cluster::new(s, "Cluster", ClusterProps::default());
            FargateService::new(
                s,
                "Service",
                FargateServiceProps::builder().cluster(cluster).task_definition(t).vpc(v).desired_count(1).build(),
            );
        }),
        case("cluster-name-space", "error: S/Cluster [ClusterName]: cluster name \"my cluster\" contains ' '; allowed are 1 to 255 characters: ASCII letters, digits and '-', '_'", |s| {
            Cluster::new(s, "Cluster", ClusterProps::builder().cluster_name("my cluster").build());
        }),
        case("scaling-min-over-max", "error: S/Service/TaskCount [MinCapacity]: min_capacity 5 is greater than max_capacity 2", |s| {
            service_with(s, |_| {}).auto_scale_task_count(ScalingProps::builder().min_capacity(5).max_capacity(2).build());
        }),
        case("scaling-target-zero", "error: S/Service/TaskCount [TargetValue]: Cpu: a utilization target is a percentage, above 0 and at most 100", |s| {
            let sc = service_with(s, |_| {}).auto_scale_task_count(ScalingProps::builder().min_capacity(1).max_capacity(2).build());
            sc.scale_on_cpu_utilization("Cpu", TargetTracking::builder().target_value(0.0).build());
        }),
        case("scaling-target-nan", "error: S/Service/TaskCount [TargetValue]: Cpu: a utilization target is a percentage, above 0 and at most 100", |s| {
            let sc = service_with(s, |_| {}).auto_scale_task_count(ScalingProps::builder().min_capacity(1).max_capacity(2).build());
            sc.scale_on_cpu_utilization("Cpu", TargetTracking::builder().target_value(f64::NAN).build());
        }),
        case("scaling-target-over-100", "error: S/Service/TaskCount [TargetValue]: Mem: a utilization target is a percentage, above 0 and at most 100", |s| {
            let sc = service_with(s, |_| {}).auto_scale_task_count(ScalingProps::builder().min_capacity(1).max_capacity(2).build());
            sc.scale_on_memory_utilization("Mem", TargetTracking::builder().target_value(150.0).build());
        }),
        // ---- RDS ----
        case("rds-backup-window-format", "error: S/Db [PreferredBackupWindow]: backup window \"3:00-4:00\" is not hh24:mi-hh24:mi in UTC (e.g. \"03:00-03:30\")", |s| db_with(s, |p| p.preferred_backup_window = Some("3:00-4:00".into()))),
        case("rds-backup-window-hour-25", "error: S/Db [PreferredBackupWindow]: backup window \"25:00-25:30\" is not hh24:mi-hh24:mi in UTC (e.g. \"03:00-03:30\")", |s| {
            db_with(s, |p| p.preferred_backup_window = Some("25:00-25:30".into()))
        }),
        case("rds-backup-window-minute-60", "error: S/Db [PreferredBackupWindow]: backup window \"03:60-04:30\" is not hh24:mi-hh24:mi in UTC (e.g. \"03:00-03:30\")", |s| {
            db_with(s, |p| p.preferred_backup_window = Some("03:60-04:30".into()))
        }),
        case("rds-backup-window-short", "error: S/Db [PreferredBackupWindow]: backup window \"03:00-03:15\" is 15 minutes long; it must be at least 30 minutes", |s| {
            db_with(s, |p| p.preferred_backup_window = Some("03:00-03:15".into()))
        }),
        case("rds-backup-window-weekly", "error: S/Db [PreferredBackupWindow]: backup window \"sun:03:00-sun:04:00\" is not hh24:mi-hh24:mi in UTC (e.g. \"03:00-03:30\")", |s| {
            db_with(s, |p| p.preferred_backup_window = Some("sun:03:00-sun:04:00".into()))
        }),
        case("rds-backup-window-empty", "error: S/Db [PreferredBackupWindow]: backup window \"\" is not hh24:mi-hh24:mi in UTC (e.g. \"03:00-03:30\")", |s| db_with(s, |p| p.preferred_backup_window = Some(String::new()))),
        case("rds-maintenance-format", "error: S/Db [PreferredMaintenanceWindow]: maintenance window \"04:00-05:00\" is not ddd:hh24:mi-ddd:hh24:mi in UTC (e.g. \"sun:04:30-sun:05:30\")", |s| {
            db_with(s, |p| p.preferred_maintenance_window = Some("04:00-05:00".into()))
        }),
        case("rds-maintenance-day", "error: S/Db [PreferredMaintenanceWindow]: maintenance window \"sunday:04:00-sunday:05:00\" is not ddd:hh24:mi-ddd:hh24:mi in UTC (e.g. \"sun:04:30-sun:05:30\")", |s| {
            db_with(s, |p| p.preferred_maintenance_window = Some("sunday:04:00-sunday:05:00".into()))
        }),
        case("rds-maintenance-short", "error: S/Db [PreferredMaintenanceWindow]: maintenance window \"sun:04:00-sun:04:10\" is 10 minutes long; it must be at least 30 minutes", |s| {
            db_with(s, |p| p.preferred_maintenance_window = Some("sun:04:00-sun:04:10".into()))
        }),
        case("rds-maintenance-hour", "error: S/Db [PreferredMaintenanceWindow]: maintenance window \"sun:24:00-mon:01:00\" is not ddd:hh24:mi-ddd:hh24:mi in UTC (e.g. \"sun:04:30-sun:05:30\")", |s| {
            db_with(s, |p| p.preferred_maintenance_window = Some("sun:24:00-mon:01:00".into()))
        }),
        case("rds-windows-overlap", "error: S/Db [PreferredBackupWindow]: backup window \"03:00-04:00\" overlaps the maintenance window \"tue:03:30-tue:04:30\"; RDS requires them not to overlap", |s| {
            db_with(s, |p| {
                p.preferred_backup_window = Some("03:00-04:00".into());
                p.preferred_maintenance_window = Some("tue:03:30-tue:04:30".into());
            })
        }),
        case("rds-windows-overlap-midnight", "error: S/Db [PreferredBackupWindow]: backup window \"23:30-00:30\" overlaps the maintenance window \"sat:23:45-sun:01:00\"; RDS requires them not to overlap", |s| {
            db_with(s, |p| {
                p.preferred_backup_window = Some("23:30-00:30".into());
                p.preferred_maintenance_window = Some("sat:23:45-sun:01:00".into());
            })
        }),
        case("rds-max-storage-no-headroom", "error: S/Db [MaxAllocatedStorage]: max allocated storage (105 GiB) must be at least 10% above the allocated storage (100 GiB), i.e. 110 to 65536 GiB", |s| {
            db_with(s, |p| {
                p.allocated_storage_gib = 100;
                p.max_allocated_storage_gib = Some(105);
            })
        }),
        case("rds-max-storage-below", "error: S/Db [MaxAllocatedStorage]: max allocated storage (50 GiB) must be at least 10% above the allocated storage (100 GiB), i.e. 110 to 65536 GiB", |s| {
            db_with(s, |p| {
                p.allocated_storage_gib = 100;
                p.max_allocated_storage_gib = Some(50);
            })
        }),
        case("rds-max-storage-too-big", "error: S/Db [MaxAllocatedStorage]: max allocated storage (70000 GiB) must be at least 10% above the allocated storage (20 GiB), i.e. 22 to 65536 GiB", |s| db_with(s, |p| p.max_allocated_storage_gib = Some(70_000))),
        case("rds-storage-too-small", "error: S/Db [AllocatedStorage]: 10 GiB is out of range: gp3 storage for PostgreSQL is 20 to 65536 GiB", |s| db_with(s, |p| p.allocated_storage_gib = 10)),
        case("rds-storage-too-big", "error: S/Db [AllocatedStorage]: 70000 GiB is out of range: gp3 storage for PostgreSQL is 20 to 65536 GiB", |s| db_with(s, |p| p.allocated_storage_gib = 70_000)),
        case("rds-backup-retention-zero", "error: S/Db [BackupRetentionPeriod]: backup retention of 0 days is out of range: use 1 to 35 days", |s| db_with(s, |p| p.backup_retention_days = 0)),
        case("rds-backup-retention-36", "error: S/Db [BackupRetentionPeriod]: backup retention of 36 days is out of range: use 1 to 35 days", |s| db_with(s, |p| p.backup_retention_days = 36)),
        case("rds-instance-class", "error: S/Db [DBInstanceClass]: instance class \"t4g.micro\" must look like db.t4g.micro", |s| db_with(s, |p| p.instance_class = "t4g.micro".into())),
        case("rds-db-name-digit", "error: S/Db [DBName]: database name \"1app\" is invalid: 1-63 letters, digits or underscores, starting with a letter", |s| db_with(s, |p| p.database_name = "1app".into())),
        case("rds-db-name-dash", "error: S/Db [DBName]: database name \"my-app\" is invalid: 1-63 letters, digits or underscores, starting with a letter", |s| db_with(s, |p| p.database_name = "my-app".into())),
        case("rds-db-name-empty", "error: S/Db [DBName]: database name \"\" is invalid: 1-63 letters, digits or underscores, starting with a letter", |s| db_with(s, |p| p.database_name = String::new())),
        case("rds-user-reserved", "error: S/Db [MasterUsername]: master user name \"rdsadmin\" is invalid: 1-63 letters, digits or underscores, starting with a letter, and not one of [\"rdsadmin\", \"rds_superuser\", \"rdsrepladmin\", \"rds_replication\", \"user\", \"select\", \"table\", \"public\", \"all\"]", |s| db_with(s, |p| p.master_username = "rdsadmin".into())),
        case("rds-user-space", "error: S/Db [MasterUsername]: master user name \"my user\" is invalid: 1-63 letters, digits or underscores, starting with a letter, and not one of [\"rdsadmin\", \"rds_superuser\", \"rdsrepladmin\", \"rds_replication\", \"user\", \"select\", \"table\", \"public\", \"all\"]", |s| db_with(s, |p| p.master_username = "my user".into())),
        case("rds-port-low", "error: S/Db [Port]: port 80 is invalid: RDS for PostgreSQL accepts 1150-65535", |s| db_with(s, |p| p.port = 80)),
        case("rds-log-export", "error: S/Db [EnableCloudwatchLogsExports]: log type \"slowquery\" is not exported by PostgreSQL; use one of [\"iam-db-auth-error\", \"postgresql\", \"upgrade\"]", |s| db_with(s, |p| p.log_exports = vec!["slowquery".into()])),
        case("rds-identifier-upper", "error: S/Db [DBInstanceIdentifier]: instance identifier \"MyDb\" is invalid: 1-63 lowercase letters, digits or hyphens, starting with a letter, no trailing or double hyphen", |s| db_with(s, |p| p.instance_identifier = Some("MyDb".into()))),
        case("rds-identifier-double-dash", "error: S/Db [DBInstanceIdentifier]: instance identifier \"my--db\" is invalid: 1-63 lowercase letters, digits or hyphens, starting with a letter, no trailing or double hyphen", |s| db_with(s, |p| p.instance_identifier = Some("my--db".into()))),
        case("rds-identifier-trailing-dash", "error: S/Db [DBInstanceIdentifier]: instance identifier \"mydb-\" is invalid: 1-63 lowercase letters, digits or hyphens, starting with a letter, no trailing or double hyphen", |s| db_with(s, |p| p.instance_identifier = Some("mydb-".into()))),
        case("rds-parameter-empty-value", "error: S/Db [DBParameterGroup.Parameters]: parameter \"work_mem\" = \"\" is invalid: names are letters, digits, '_' or '.', values non-empty", |s| {
            db_with(s, |p| {
                p.parameters.insert("work_mem".into(), String::new());
            })
        }),
        case("rds-parameter-bad-name", "error: S/Db [DBParameterGroup.Parameters]: parameter \"work mem\" = \"4MB\" is invalid: names are letters, digits, '_' or '.', values non-empty", |s| {
            db_with(s, |p| {
                p.parameters.insert("work mem".into(), "4MB".into());
            })
        }),
        case("rds-public-subnets", "error: S/Db [DBSubnetGroup]: a database must not be placed in public subnets: use SubnetType::Isolated or PrivateWithEgress", |s| db_with(s, |p| p.subnet_type = Some(SubnetType::Public))),
        // ---- load balancer: ports, certificates, buckets, patterns ----
        case("health-check-port-zero", "error: S/Tg [HealthCheckPort]: health check port 0 is out of range; allowed are 1 to 65535 (None: the traffic port)", |s| {
            tg_with(s, |p| {
                let mut h = hc();
                h.port = Some(0);
                p.health_check = h;
            })
        }),
        case("health-check-path-relative", "error: S/Tg [HealthCheckPath]: health check path 'health' must start with '/' and have at most 1024 characters", |s| {
            tg_with(s, |p| {
                let mut h = hc();
                h.path = "health".into();
                p.health_check = h;
            })
        }),
        case("health-check-codes-600", "error: S/Tg [Matcher.HttpCode]: healthy HTTP codes '600' must be codes from 200 to 499 as '200', '200,202' or '200-299'", |s| {
            tg_with(s, |p| {
                let mut h = hc();
                h.healthy_http_codes = "600".into();
                p.health_check = h;
            })
        }),
        case("health-check-codes-text", "error: S/Tg [Matcher.HttpCode]: healthy HTTP codes 'ok' must be codes from 200 to 499 as '200', '200,202' or '200-299'", |s| {
            tg_with(s, |p| {
                let mut h = hc();
                h.healthy_http_codes = "ok".into();
                p.health_check = h;
            })
        }),
        case("health-check-interval-1", "error: S/Tg [HealthCheckIntervalSeconds]: interval 1 s is not allowed; use 5 to 300", |s| {
            tg_with(s, |p| {
                let mut h = hc();
                h.interval_secs = 1;
                p.health_check = h;
            })
        }),
        case("health-check-timeout-over-interval", "error: S/Tg [HealthCheckTimeoutSeconds]: timeout 60 s is not allowed; use 2 to 120 and less than the interval (30 s)", |s| {
            tg_with(s, |p| {
                let mut h = hc();
                h.timeout_secs = 60;
                p.health_check = h;
            })
        }),
        case("health-check-threshold-1", "error: S/Tg [HealthyThresholdCount]: threshold 1 is not allowed; use 2 to 10", |s| {
            tg_with(s, |p| {
                let mut h = hc();
                h.healthy_threshold = 1;
                p.health_check = h;
            })
        }),
        case("health-check-unhealthy-11", "error: S/Tg [UnhealthyThresholdCount]: threshold 11 is not allowed; use 2 to 10", |s| {
            tg_with(s, |p| {
                let mut h = hc();
                h.unhealthy_threshold = 11;
                p.health_check = h;
            })
        }),
        case("target-port-zero", "error: S/Tg [Port]: target port 0 is out of range; allowed are 1 to 65535", |s| tg_with(s, |p| p.port = 0)),
        case("target-dereg-delay", "error: S/Tg [DeregistrationDelay]: deregistration delay 4000 s is not allowed; use 0 to 3600", |s| tg_with(s, |p| p.deregistration_delay_secs = 4000)),
        case("target-group-name-long", "error: S/Tg [Name]: target group name \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" has 33 characters; allowed are 1 to 32 characters: ASCII letters, digits and '-', starting and ending with a letter or digit", |s| tg_with(s, |p| p.name = Some("a".repeat(33)))),
        case("target-group-name-underscore", "error: S/Tg [Name]: target group name \"my_group\" contains '_'; allowed are 1 to 32 characters: ASCII letters, digits and '-', starting and ending with a letter or digit", |s| tg_with(s, |p| p.name = Some("my_group".into()))),
        case("target-group-name-dash-end", "error: S/Tg [Name]: target group name \"group-\" does not end with a letter or digit; allowed are 1 to 32 characters: ASCII letters, digits and '-', starting and ending with a letter or digit", |s| tg_with(s, |p| p.name = Some("group-".into()))),
        case("alb-name-internal", "error: S/Alb [Name]: load balancer name \"internal-shop\" starts with \"internal-\", which AWS reserves", |s| {
            let v = vpc(s);
            let mut p = alb_props(&v);
            p.name = Some("internal-shop".into());
            ApplicationLoadBalancer::new(s, "Alb", p);
        }),
        case("alb-name-long", "error: S/Alb [Name]: load balancer name \"pyshop-api-production-load-balancer\" has 35 characters; allowed are 1 to 32 characters: ASCII letters, digits and '-', starting and ending with a letter or digit", |s| {
            let v = vpc(s);
            let mut p = alb_props(&v);
            p.name = Some("pyshop-api-production-load-balancer".into());
            ApplicationLoadBalancer::new(s, "Alb", p);
        }),
        case("alb-name-dot", "error: S/Alb [Name]: load balancer name \"shop.api\" contains '.'; allowed are 1 to 32 characters: ASCII letters, digits and '-', starting and ending with a letter or digit", |s| {
            let v = vpc(s);
            let mut p = alb_props(&v);
            p.name = Some("shop.api".into());
            ApplicationLoadBalancer::new(s, "Alb", p);
        }),
        case("alb-idle-timeout-zero", "error: S/Alb [IdleTimeout]: idle timeout 0 s is not allowed; use 1 to 4000", |s| {
            let v = vpc(s);
            let mut p = alb_props(&v);
            p.idle_timeout_secs = 0;
            ApplicationLoadBalancer::new(s, "Alb", p);
        }),
        case("alb-access-logs-bucket-arn", "error: S/Alb [AccessLogs]: access log bucket \"arn:aws:s3:::my-logs\" is an ARN; give the bucket name (e.g. bucket.name()), not its ARN", |s| access_logs(s, "arn:aws:s3:::my-logs")),
        case("alb-access-logs-bucket-upper", "error: S/Alb [AccessLogs]: bucket name \"My-Logs\" contains 'L', 'M'; allowed are 3 to 63 characters: lowercase ASCII letters, digits and '-', '.', starting and ending with a letter or digit", |s| access_logs(s, "My-Logs")),
        case("alb-access-logs-bucket-ip", "error: S/Alb [AccessLogs]: bucket name \"10.0.0.1\" is shaped like an IP address, which AWS does not allow", |s| access_logs(s, "10.0.0.1")),
        case("alb-access-logs-prefix-awslogs", "error: S/Alb [AccessLogs]: the access log prefix must not contain 'AWSLogs' (ELB adds it)", |s| {
            let v = vpc(s);
            let mut p = alb_props(&v);
            p.access_logs = Some(AccessLogs::new("my-logs".to_owned(), "AWSLogs/x"));
            ApplicationLoadBalancer::new(s, "Alb", p);
        }),
        case("cert-arn-domain", "error: S/Alb/Https [Certificates]: certificate ARN \"shop.example.com\" is not an ARN of that kind (it does not have the form arn:partition:service:region:account:resource); expected arn:aws[-cn|-us-gov]:acm:REGION:ACCOUNT:certificate/..., e.g. \"arn:aws:acm:eu-central-1:123456789012:certificate/0b5d2c1a-...\" (a domain name belongs in Certificate::new)", |s| https_with_cert(s, "shop.example.com")),
        case("cert-arn-iam", "error: S/Alb/Https [Certificates]: certificate ARN \"arn:aws:iam::123456789012:server-certificate/shop\" is not an ARN of that kind (the service is \"iam\", not \"acm\"); expected arn:aws[-cn|-us-gov]:acm:REGION:ACCOUNT:certificate/..., e.g. \"arn:aws:acm:eu-central-1:123456789012:certificate/0b5d2c1a-...\" (a domain name belongs in Certificate::new)", |s| {
            https_with_cert(s, "arn:aws:iam::123456789012:server-certificate/shop")
        }),
        case("cert-arn-short-account", "error: S/Alb/Https [Certificates]: certificate ARN \"arn:aws:acm:eu-central-1:1234:certificate/0b5d2c1a-1111-2222-3333-444455556666\" is not an ARN of that kind (the account must be 12 digits); expected arn:aws[-cn|-us-gov]:acm:REGION:ACCOUNT:certificate/..., e.g. \"arn:aws:acm:eu-central-1:123456789012:certificate/0b5d2c1a-...\" (a domain name belongs in Certificate::new)", |s| {
            https_with_cert(s, "arn:aws:acm:eu-central-1:1234:certificate/0b5d2c1a-1111-2222-3333-444455556666")
        }),
        case("cert-arn-no-region", "error: S/Alb/Https [Certificates]: certificate ARN \"arn:aws:acm::123456789012:certificate/0b5d2c1a-1111-2222-3333-444455556666\" is not an ARN of that kind (the region is missing or malformed); expected arn:aws[-cn|-us-gov]:acm:REGION:ACCOUNT:certificate/..., e.g. \"arn:aws:acm:eu-central-1:123456789012:certificate/0b5d2c1a-...\" (a domain name belongs in Certificate::new)", |s| {
            https_with_cert(s, "arn:aws:acm::123456789012:certificate/0b5d2c1a-1111-2222-3333-444455556666")
        }),
        case("cert-arn-bad-partition", "error: S/Alb/Https [Certificates]: certificate ARN \"arn:amazon:acm:eu-central-1:123456789012:certificate/0b5d2c1a\" is not an ARN of that kind (the partition must be aws, aws-cn or aws-us-gov); expected arn:aws[-cn|-us-gov]:acm:REGION:ACCOUNT:certificate/..., e.g. \"arn:aws:acm:eu-central-1:123456789012:certificate/0b5d2c1a-...\" (a domain name belongs in Certificate::new)", |s| {
            https_with_cert(s, "arn:amazon:acm:eu-central-1:123456789012:certificate/0b5d2c1a")
        }),
        case("cert-arn-empty-id", "error: S/Alb/Https [Certificates]: certificate ARN \"arn:aws:acm:eu-central-1:123456789012:certificate/\" is not an ARN of that kind (the resource id is empty or contains whitespace); expected arn:aws[-cn|-us-gov]:acm:REGION:ACCOUNT:certificate/..., e.g. \"arn:aws:acm:eu-central-1:123456789012:certificate/0b5d2c1a-...\" (a domain name belongs in Certificate::new)", |s| https_with_cert(s, "arn:aws:acm:eu-central-1:123456789012:certificate/")),
        case("cert-arn-wrong-resource", "error: S/Alb/Https [Certificates]: certificate ARN \"arn:aws:acm:eu-central-1:123456789012:key/0b5d2c1a\" is not an ARN of that kind (the resource part must start with \"certificate/\"); expected arn:aws[-cn|-us-gov]:acm:REGION:ACCOUNT:certificate/..., e.g. \"arn:aws:acm:eu-central-1:123456789012:certificate/0b5d2c1a-...\" (a domain name belongs in Certificate::new)", |s| {
            https_with_cert(s, "arn:aws:acm:eu-central-1:123456789012:key/0b5d2c1a")
        }),
        case("https-without-cert", "error: S/Alb/Https [Certificates]: an HTTPS listener needs at least one certificate ARN (see Certificate)", |s| {
            let v = vpc(s);
            alb(s, &v).add_listener(
                "Https",
                ListenerProps::builder().default_action(ListenerAction::fixed_response(404, "text/plain", "no")).build(),
            );
        }),
        case("http-with-cert", "error: S/Alb/Http [Certificates]: certificates are only used by HTTPS listeners", |s| {
            let v = vpc(s);
            alb(s, &v).add_listener(
                "Http",
                ListenerProps::builder()
                    .protocol(ListenerProtocol::Http)
                    .certificate_arns(vec!["arn:aws:acm:eu-central-1:123456789012:certificate/abc".to_owned().into()])
                    .default_action(ListenerAction::fixed_response(404, "text/plain", "no"))
                    .build(),
            );
        }),
        case("listener-port-zero", "error: S/Alb/Http [Port]: listener port 0 is out of range; allowed are 1 to 65535", |s| {
            let v = vpc(s);
            alb(s, &v).add_listener(
                "Http",
                ListenerProps::builder()
                    .protocol(ListenerProtocol::Http)
                    .port(0)
                    .default_action(ListenerAction::fixed_response(404, "text/plain", "no"))
                    .build(),
            );
        }),
        case("listener-port-twice", "error: S/Alb/B [Port]: the load balancer already has a listener on port 80", |s| {
            let v = vpc(s);
            let a = alb(s, &v);
            a.add_http_listener("A", ListenerAction::fixed_response(404, "text/plain", "no"));
            a.add_http_listener("B", ListenerAction::fixed_response(404, "text/plain", "no"));
        }),
        case("redirect-port-zero", "error: S/Alb/Http [DefaultActions]: redirect port 0 is out of range; allowed are 1 to 65535 (None: keep the request's port)", |s| {
            redirect(s, Redirect { port: Some(0), protocol: Some("HTTPS".into()), ..Redirect::default() })
        }),
        case("redirect-protocol", "error: S/Alb/Http [DefaultActions]: redirect protocol 'FTP' is not allowed; use HTTP or HTTPS", |s| {
            redirect(s, Redirect { protocol: Some("FTP".into()), ..Redirect::default() })
        }),
        case("redirect-path-relative", "error: S/Alb/Http [DefaultActions]: redirect path 'new' must start with '/'", |s| {
            redirect(s, Redirect { path: Some("new".into()), ..Redirect::default() })
        }),
        case("redirect-loop", "error: S/Alb/Http [DefaultActions]: a redirect must change at least one of protocol, port, host, path or query (else it loops)", |s| redirect(s, Redirect::default())),
        case("fixed-response-status", "error: S/Alb/Http [DefaultActions]: fixed-response status 302 is not allowed; use a 2XX, 4XX or 5XX code", |s| {
            let v = vpc(s);
            alb(s, &v).add_http_listener("Http", ListenerAction::fixed_response(302, "text/plain", "no"));
        }),
        case("fixed-response-content-type", "error: S/Alb/Http [DefaultActions]: fixed-response content type 'image/png' is not allowed; use one of [\"text/plain\", \"text/css\", \"text/html\", \"application/javascript\", \"application/json\"]", |s| {
            let v = vpc(s);
            alb(s, &v).add_http_listener("Http", ListenerAction::fixed_response(404, "image/png", "no"));
        }),
        case("fixed-response-body-long", "error: S/Alb/Http [DefaultActions]: fixed-response body must have at most 1024 characters", |s| {
            let v = vpc(s);
            let body = "x".repeat(1025);
            alb(s, &v).add_http_listener("Http", ListenerAction::fixed_response(404, "text/plain", &body));
        }),
        case("path-pattern-no-slash", "error: S/Alb/Http/Rule [Conditions]: path pattern 'api/*' never matches: request paths start with '/' (write '/api/*', or start with the wildcard '*')", |s| rule(s, vec![ListenerCondition::path_patterns(["api/*"])])),
        case("path-pattern-empty", "error: S/Alb/Http/Rule [Conditions]: path pattern '' never matches: request paths start with '/' (write '/', or start with the wildcard '*')", |s| rule(s, vec![ListenerCondition::path_patterns([""])])),
        case("path-pattern-space", "error: S/Alb/Http/Rule [Conditions]: '/a b' is not a valid path pattern (at most 128 characters; paths: letters, digits, _-.$/~\"'@:+&*?; hosts: letters, digits, -.*?; methods: A-Z, _ and -)", |s| rule(s, vec![ListenerCondition::path_patterns(["/a b"])])),
        case("path-pattern-long", "error: S/Alb/Http/Rule [Conditions]: '/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not a valid path pattern (at most 128 characters; paths: letters, digits, _-.$/~\"'@:+&*?; hosts: letters, digits, -.*?; methods: A-Z, _ and -)", |s| {
            rule(s, vec![ListenerCondition::path_patterns([format!("/{}", "a".repeat(128))])])
        }),
        case("path-pattern-six-values", "error: S/Alb/Http/Rule [Conditions]: a rule may have at most 5 condition values in total, this one has 6", |s| {
            rule(s, vec![ListenerCondition::path_patterns(["/a", "/b", "/c", "/d", "/e", "/f"])])
        }),
        case("path-pattern-none", "error: S/Alb/Http/Rule [Conditions]: a condition needs at least one value", |s| rule(s, vec![ListenerCondition::path_patterns(Vec::<String>::new())])),
        case("host-header-underscore", "error: S/Alb/Http/Rule [Conditions]: 'my_host.example.com' is not a valid host header (at most 128 characters; paths: letters, digits, _-.$/~\"'@:+&*?; hosts: letters, digits, -.*?; methods: A-Z, _ and -)", |s| rule(s, vec![ListenerCondition::host_headers(["my_host.example.com"])])),
        case("http-method-lower", "error: S/Alb/Http/Rule [Conditions]: 'get' is not a valid HTTP method (at most 128 characters; paths: letters, digits, _-.$/~\"'@:+&*?; hosts: letters, digits, -.*?; methods: A-Z, _ and -)", |s| rule(s, vec![ListenerCondition::http_request_methods(["get"])])),
        case("rule-no-conditions", "error: S/Alb/Http/Rule [Conditions]: a rule needs at least one condition (path pattern, host header, ...); use the listener's default action for everything else", |s| rule(s, vec![])),
        case("rule-priority-zero", "error: S/Alb/Http/Rule [Priority]: rule 'S/Alb/Http/Rule': priority 0 is not allowed; use 1 to 50000", |s| {
            let v = vpc(s);
            let l = listener(s, &v);
            let g = TargetGroup::new(s, "Tg", tg_props(&v));
            l.add_rule(
                "Rule",
                stackcraft::alb::ListenerRuleProps::builder()
                    .priority(0)
                    .conditions(vec![ListenerCondition::path_patterns(["/a"])])
                    .action(ListenerAction::forward(&g))
                    .build(),
            );
        }),
        case("rule-priority-50001", "error: S/Alb/Http/Rule [Priority]: rule 'S/Alb/Http/Rule': priority 50001 is not allowed; use 1 to 50000", |s| {
            let v = vpc(s);
            let l = listener(s, &v);
            let g = TargetGroup::new(s, "Tg", tg_props(&v));
            l.add_rule(
                "Rule",
                stackcraft::alb::ListenerRuleProps::builder()
                    .priority(50_001)
                    .conditions(vec![ListenerCondition::path_patterns(["/a"])])
                    .action(ListenerAction::forward(&g))
                    .build(),
            );
        }),
        case("forward-weight-1000", "error: S/Alb/Http [DefaultActions]: target group weights must be 0 to 999", |s| {
            let v = vpc(s);
            let g = TargetGroup::new(s, "Tg", tg_props(&v));
            alb(s, &v).add_http_listener("Http", ListenerAction::Forward(vec![(g, 1000)]));
        }),
        case("forward-no-groups", "error: S/Alb/Http [DefaultActions]: a forward action needs 1 to 5 target groups, got 0", |s| {
            let v = vpc(s);
            alb(s, &v).add_http_listener("Http", ListenerAction::Forward(vec![]));
        }),
        // ---- DNS and certificates ----
        case("alias-outside-zone", "error: S/Alias [Name]: record name 'www.pyshop.io' is not in hosted zone 'example.com'; give a name relative to the zone (e.g. 'www', '' for the apex) or a full name ending in '.example.com'", |s| alias(s, "www.pyshop.io")),
        case("alias-outside-zone-fqdn", "error: S/Alias [Name]: record name 'api.example.org' is not in hosted zone 'example.com'; give a name relative to the zone (e.g. 'www', '' for the apex) or a full name ending in '.example.com'", |s| alias(s, "api.example.org.")),
        case("alias-suffix-lookalike", "error: S/Alias [Name]: record name 'www.badexample.com' is not in hosted zone 'example.com'; give a name relative to the zone (e.g. 'www', '' for the apex) or a full name ending in '.example.com'", |s| alias(s, "www.badexample.com")),
        case("alias-bad-label", "error: S/Alias [Name]: domain name 'my_api.example.com' has an invalid label 'my_api' (1 to 63 letters, digits or inner hyphens; only a leading '*.' wildcard is allowed)", |s| alias(s, "my_api")),
        case("alias-label-dash", "error: S/Alias [Name]: domain name '-api.example.com' has an invalid label '-api' (1 to 63 letters, digits or inner hyphens; only a leading '*.' wildcard is allowed)", |s| alias(s, "-api")),
        case("zone-name-underscore", "error: S/Zone [Name]: domain name 'my_zone.com' has an invalid label 'my_zone' (1 to 63 letters, digits or inner hyphens)", |s| {
            HostedZone::new(s, "Zone", HostedZoneProps::builder().zone_name("my_zone.com").build());
        }),
        case("zone-name-empty", "error: S/Zone [Name]: domain name '' must have 1 to 253 characters", |s| {
            HostedZone::new(s, "Zone", HostedZoneProps::builder().zone_name("").build());
        }),
        case("cert-outside-zone", "error: S/Cert [DomainValidationOptions]: 'shop.example.org' is not in the validation zone 'example.com'; DNS validation records could not be written", |s| cert(s, "shop.example.org")),
        case("cert-double-wildcard", "error: S/Cert [DomainName]: domain name '*.*.example.com' has an invalid label '*' (1 to 63 letters, digits or inner hyphens; only a leading '*.' wildcard is allowed)", |s| cert(s, "*.*.example.com")),
        case("cert-label-too-long", "error: S/Cert [DomainName]: domain name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com' has an invalid label 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' (1 to 63 letters, digits or inner hyphens; only a leading '*.' wildcard is allowed)", |s| cert(s, &format!("{}.example.com", "a".repeat(64)))),
        // ---- bucket names ----
        case("bucket-ip", "error: S/Bucket [BucketName]: bucket name \"192.168.5.4\" is shaped like an IP address, which AWS does not allow", |s| bucket_named(s, "192.168.5.4")),
        case("bucket-xn", "error: S/Bucket [BucketName]: bucket name \"xn--bucket\" starts with \"xn--\", which AWS reserves", |s| bucket_named(s, "xn--bucket")),
        case("bucket-s3alias", "error: S/Bucket [BucketName]: bucket name \"my-bucket-s3alias\" ends with \"-s3alias\", which AWS reserves", |s| bucket_named(s, "my-bucket-s3alias")),
        case("bucket-ol-s3", "error: S/Bucket [BucketName]: bucket name \"my-bucket--ol-s3\" ends with \"--ol-s3\", which AWS reserves", |s| bucket_named(s, "my-bucket--ol-s3")),
        case("bucket-sthree", "error: S/Bucket [BucketName]: bucket name \"sthree-bucket\" starts with \"sthree-\", which AWS reserves", |s| bucket_named(s, "sthree-bucket")),
        case("bucket-upper", "error: S/Bucket [BucketName]: bucket name \"MyBucket\" contains 'B', 'M'; allowed are 3 to 63 characters: lowercase ASCII letters, digits and '-', '.', starting and ending with a letter or digit", |s| bucket_named(s, "MyBucket")),
        case("bucket-underscore", "error: S/Bucket [BucketName]: bucket name \"my_bucket\" contains '_'; allowed are 3 to 63 characters: lowercase ASCII letters, digits and '-', '.', starting and ending with a letter or digit", |s| bucket_named(s, "my_bucket")),
        case("bucket-short", "error: S/Bucket [BucketName]: bucket name \"ab\" has 2 characters; allowed are 3 to 63 characters: lowercase ASCII letters, digits and '-', '.', starting and ending with a letter or digit", |s| bucket_named(s, "ab")),
        case("bucket-long", "error: S/Bucket [BucketName]: bucket name \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" has 64 characters; allowed are 3 to 63 characters: lowercase ASCII letters, digits and '-', '.', starting and ending with a letter or digit", |s| bucket_named(s, &"a".repeat(64))),
        case("bucket-dash-start", "error: S/Bucket [BucketName]: bucket name \"-bucket\" does not start with a letter or digit; allowed are 3 to 63 characters: lowercase ASCII letters, digits and '-', '.', starting and ending with a letter or digit", |s| bucket_named(s, "-bucket")),
        case("bucket-dot-end", "error: S/Bucket [BucketName]: bucket name \"bucket.\" does not end with a letter or digit; allowed are 3 to 63 characters: lowercase ASCII letters, digits and '-', '.', starting and ending with a letter or digit", |s| bucket_named(s, "bucket.")),
        case("bucket-double-dot", "error: S/Bucket [BucketName]: bucket name \"my..bucket\" contains \"..\", which AWS does not allow", |s| bucket_named(s, "my..bucket")),
        case("bucket-dot-dash", "error: S/Bucket [BucketName]: bucket name \"my.-bucket\" contains \".-\", which AWS does not allow", |s| bucket_named(s, "my.-bucket")),
        case("bucket-unicode", "error: S/Bucket [BucketName]: bucket name \"bücket\" contains 'ü'; allowed are 3 to 63 characters: lowercase ASCII letters, digits and '-', '.', starting and ending with a letter or digit", |s| bucket_named(s, "bücket")),
        case("bucket-expire-zero", "error: S/Bucket [LifecycleConfiguration]: expire_after_days must be at least 1", |s| bucket_with(s, |p| p.expire_after_days = Some(0))),
        case("bucket-noncurrent-zero", "error: S/Bucket [LifecycleConfiguration]: noncurrent_versions_expire_after_days must be at least 1", |s| {
            bucket_with(s, |p| {
                p.versioned = true;
                p.noncurrent_versions_expire_after_days = Some(0);
            })
        }),
        // ---- log groups ----
        case("log-group-aws-prefix", "error: S/Logs [LogGroupName]: log group name \"aws/app\" starts with \"aws/\", which AWS reserves", |s| log_group_named(s, "aws/app")),
        case("log-group-space", "error: S/Logs [LogGroupName]: log group name \"my logs\" contains ' '; allowed are 1 to 512 characters: ASCII letters, digits and '_', '-', '/', '.', '#'", |s| log_group_named(s, "my logs")),
        case("log-group-empty", "error: S/Logs [LogGroupName]: log group name \"\" has 0 characters; allowed are 1 to 512 characters: ASCII letters, digits and '_', '-', '/', '.', '#'", |s| log_group_named(s, "")),
        case("log-group-long", "error: S/Logs [LogGroupName]: log group name \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"... has 513 characters; allowed are 1 to 512 characters: ASCII letters, digits and '_', '-', '/', '.', '#'", |s| log_group_named(s, &"a".repeat(513))),
        case("log-group-colon", "error: S/Logs [LogGroupName]: log group name \"app:logs\" contains ':'; allowed are 1 to 512 characters: ASCII letters, digits and '_', '-', '/', '.', '#'", |s| log_group_named(s, "app:logs")),
        case("log-group-star", "error: S/Logs [LogGroupName]: log group name \"/app/*\" contains '*'; allowed are 1 to 512 characters: ASCII letters, digits and '_', '-', '/', '.', '#'", |s| log_group_named(s, "/app/*")),
        // ---- e-mail addresses ----
        case("budget-email-double-dot-domain", "error: S/Budget [Subscribers]: \"ops@example..com\" is not an e-mail address (the domain must be dotted DNS labels of letters, digits and inner hyphens); expected local-part@domain, e.g. \"ops@example.com\"", |s| budget(s, &["ops@example..com"])),
        case("budget-email-double-dot-local", "error: S/Budget [Subscribers]: \"o..ps@example.com\" is not an e-mail address (a dot before '@' must not be first, last or doubled); expected local-part@domain, e.g. \"ops@example.com\"", |s| budget(s, &["o..ps@example.com"])),
        case("budget-email-leading-dot", "error: S/Budget [Subscribers]: \".ops@example.com\" is not an e-mail address (a dot before '@' must not be first, last or doubled); expected local-part@domain, e.g. \"ops@example.com\"", |s| budget(s, &[".ops@example.com"])),
        case("budget-email-no-at", "error: S/Budget [Subscribers]: \"ops.example.com\" is not an e-mail address (no '@'); expected local-part@domain, e.g. \"ops@example.com\"", |s| budget(s, &["ops.example.com"])),
        case("budget-email-no-tld", "error: S/Budget [Subscribers]: \"ops@localhost\" is not an e-mail address (the domain must be dotted DNS labels of letters, digits and inner hyphens); expected local-part@domain, e.g. \"ops@example.com\"", |s| budget(s, &["ops@localhost"])),
        case("budget-email-two-at", "error: S/Budget [Subscribers]: \"ops@team@example.com\" is not an e-mail address ('@' is not allowed before '@'); expected local-part@domain, e.g. \"ops@example.com\"", |s| budget(s, &["ops@team@example.com"])),
        case("budget-email-space", "error: S/Budget [Subscribers]: \"ops @example.com\" is not an e-mail address (' ' is not allowed before '@'); expected local-part@domain, e.g. \"ops@example.com\"", |s| budget(s, &["ops @example.com"])),
        case("budget-email-domain-dash", "error: S/Budget [Subscribers]: \"ops@-example.com\" is not an e-mail address (the domain must be dotted DNS labels of letters, digits and inner hyphens); expected local-part@domain, e.g. \"ops@example.com\"", |s| budget(s, &["ops@-example.com"])),
        case("budget-email-domain-underscore", "error: S/Budget [Subscribers]: \"ops@my_company.com\" is not an e-mail address (the domain must be dotted DNS labels of letters, digits and inner hyphens); expected local-part@domain, e.g. \"ops@example.com\"", |s| budget(s, &["ops@my_company.com"])),
        case("budget-email-none", "error: S/Budget [NotificationsWithSubscribers]: a budget notifies 1 to 10 e-mail addresses; 0 given", |s| budget(s, &[])),
        case("budget-email-eleven", "error: S/Budget [NotificationsWithSubscribers]: a budget notifies 1 to 10 e-mail addresses; 11 given", |s| budget(s, &["a@example.com"; 11])),
        case("budget-limit-negative", "error: S/Budget [BudgetLimit]: the monthly limit must be a positive amount", |s| {
            Budget::new(
                s,
                "Budget",
                BudgetProps::builder().monthly_limit_usd(-5.0).emails(vec!["ops@example.com".into()]).build(),
            );
        }),
        case("budget-limit-nan", "error: S/Budget [BudgetLimit]: the monthly limit must be a positive amount", |s| {
            Budget::new(
                s,
                "Budget",
                BudgetProps::builder().monthly_limit_usd(f64::NAN).emails(vec!["ops@example.com".into()]).build(),
            );
        }),
        case("topic-email-double-dot", "error: S/Topic [Subscription.Endpoint]: \"ops@example..com\" is not an e-mail address (the domain must be dotted DNS labels of letters, digits and inner hyphens); expected local-part@domain, e.g. \"ops@example.com\"", |s| topic_email(s, "ops@example..com")),
        case("topic-email-trailing-dot", "error: S/Topic [Subscription.Endpoint]: \"ops@example.com.\" is not an e-mail address (the domain must be dotted DNS labels of letters, digits and inner hyphens); expected local-part@domain, e.g. \"ops@example.com\"", |s| topic_email(s, "ops@example.com.")),
        case("topic-email-local-long", "error: S/Topic [Subscription.Endpoint]: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com\" is not an e-mail address (the part before '@' must have 1 to 64 characters); expected local-part@domain, e.g. \"ops@example.com\"", |s| topic_email(s, &format!("{}@example.com", "a".repeat(65)))),
        case("topic-email-comma", "error: S/Topic [Subscription.Endpoint]: \"a,b@example.com\" is not an e-mail address (',' is not allowed before '@'); expected local-part@domain, e.g. \"ops@example.com\"", |s| topic_email(s, "a,b@example.com")),
        case("topic-name-space", "error: S/Topic [TopicName]: topic name \"my topic\" contains ' '; allowed are 1 to 256 characters: ASCII letters, digits and '-', '_'", |s| {
            Topic::new(s, "Topic", TopicProps::builder().topic_name("my topic").build());
        }),
        // ---- VPC ----
        case("endpoint-doubled-name", "error: S/Vpc [InterfaceEndpoints]: 'com.amazonaws.eu-central-1.com.amazonaws.eu-central-1.ecr.api' is a full endpoint service name; give the short name ('ecr.api'): the endpoint adds 'com.amazonaws.<region>.' itself", |s| endpoint(s, "com.amazonaws.eu-central-1.com.amazonaws.eu-central-1.ecr.api")),
        case("endpoint-full-name", "error: S/Vpc [InterfaceEndpoints]: 'com.amazonaws.eu-central-1.logs' is a full endpoint service name; give the short name ('logs'): the endpoint adds 'com.amazonaws.<region>.' itself", |s| endpoint(s, "com.amazonaws.eu-central-1.logs")),
        case("endpoint-full-name-no-region", "error: S/Vpc [InterfaceEndpoints]: 'com.amazonaws.logs' is a full endpoint service name; give the short name ('logs'): the endpoint adds 'com.amazonaws.<region>.' itself", |s| endpoint(s, "com.amazonaws.logs")),
        case("endpoint-space", "error: S/Vpc [InterfaceEndpoints]: 'ecr api' is not a service short name like 'ecr.api', 'logs' or 'secretsmanager'", |s| endpoint(s, "ecr api")),
        case("endpoint-empty", "error: S/Vpc [InterfaceEndpoints]: '' is not a service short name like 'ecr.api', 'logs' or 'secretsmanager'", |s| endpoint(s, "")),
        case("endpoint-slash", "error: S/Vpc [InterfaceEndpoints]: 'ecr/api' is not a service short name like 'ecr.api', 'logs' or 'secretsmanager'", |s| endpoint(s, "ecr/api")),
        case("flow-logs-bucket-name", "error: S/Vpc/FlowLog [LogDestination]: bucket ARN \"my-flow-logs\" is not an ARN of that kind (it does not have the form arn:partition:service:region:account:resource); expected arn:aws[-cn|-us-gov]:s3:::..., e.g. \"arn:aws:s3:::my-bucket\"", |s| flow_logs_to(s, "my-flow-logs")),
        case("flow-logs-bucket-arn-upper", "error: S/Vpc/FlowLog [LogDestination]: bucket name \"My-Logs\" contains 'L', 'M'; allowed are 3 to 63 characters: lowercase ASCII letters, digits and '-', '.', starting and ending with a letter or digit", |s| flow_logs_to(s, "arn:aws:s3:::My-Logs")),
        case("flow-logs-bucket-arn-region", "error: S/Vpc/FlowLog [LogDestination]: bucket ARN \"arn:aws:s3:eu-central-1::my-logs\" is not an ARN of that kind (this kind of ARN has no region); expected arn:aws[-cn|-us-gov]:s3:::..., e.g. \"arn:aws:s3:::my-bucket\"", |s| flow_logs_to(s, "arn:aws:s3:eu-central-1::my-logs")),
        case("flow-logs-wrong-service", "error: S/Vpc/FlowLog [LogDestination]: bucket ARN \"arn:aws:logs:eu-central-1:123456789012:log-group:x\" is not an ARN of that kind (the service is \"logs\", not \"s3\"); expected arn:aws[-cn|-us-gov]:s3:::..., e.g. \"arn:aws:s3:::my-bucket\"", |s| flow_logs_to(s, "arn:aws:logs:eu-central-1:123456789012:log-group:x")),
        case("vpc-cidr-garbage", "error: S/Vpc [Cidr]: '10.0.0.0' is not a valid IPv4 CIDR block (expected a.b.c.d/n, e.g. 10.0.0.0/16)", |s| vpc_with(s, |p| p.cidr = "10.0.0.0".into())),
        case("vpc-cidr-prefix-too-big", "error: S/Vpc [Cidr]: '10.0.0.0/8' has prefix /8; AWS accepts /16 to /28", |s| vpc_with(s, |p| p.cidr = "10.0.0.0/8".into())),
        case("vpc-cidr-prefix-too-small", "error: S/Vpc [Cidr]: '10.0.0.0/29' has prefix /29; AWS accepts /16 to /28", |s| vpc_with(s, |p| p.cidr = "10.0.0.0/29".into())),
        case("vpc-cidr-host-bits", "error: S/Vpc [Cidr]: '10.0.0.1/16' has host bits set; did you mean 10.0.0.0/16?", |s| vpc_with(s, |p| p.cidr = "10.0.0.1/16".into())),
        case("vpc-cidr-octet", "error: S/Vpc [Cidr]: '10.0.300.0/16' is not a valid IPv4 CIDR block (expected a.b.c.d/n, e.g. 10.0.0.0/16)", |s| vpc_with(s, |p| p.cidr = "10.0.300.0/16".into())),
        case("vpc-az-zero", "error: S/Vpc [AzCount]: az_count 0 is not allowed; use 1 to 6 (and no more than the region has)", |s| vpc_with(s, |p| p.az_count = 0)),
        case("vpc-az-seven", "error: S/Vpc [AzCount]: az_count 7 is not allowed; use 1 to 6 (and no more than the region has)", |s| vpc_with(s, |p| p.az_count = 7)),
        case("vpc-no-subnets", "error: S/Vpc [Subnets]: a VPC needs at least one subnet tier (public, private-with-egress or isolated)", |s| vpc_with(s, |p| p.subnets = vec![])),
        case("vpc-tier-twice", "error: S/Vpc [SubnetConfiguration[1].Name]: tier name 'A' is used twice; tier names must be unique", |s| {
            vpc_with(s, |p| p.subnets = vec![SubnetConfiguration::public("A"), SubnetConfiguration::public("A")])
        }),
        case("vpc-tier-mask-too-small", "error: S/Vpc [SubnetConfiguration[0].CidrMask]: tier 'Public': cidr_mask /29 is not allowed; use /16 to /28 inside VPC 10.0.0.0/16", |s| {
            vpc_with(s, |p| p.subnets = vec![SubnetConfiguration::public("Public").cidr_mask(29)])
        }),
        case("vpc-tier-mask-too-big", "error: S/Vpc [SubnetConfiguration[0].CidrMask]: tier 'Public': cidr_mask /8 is not allowed; use /16 to /28 inside VPC 10.0.0.0/16", |s| {
            vpc_with(s, |p| p.subnets = vec![SubnetConfiguration::public("Public").cidr_mask(8)])
        }),
        case("vpc-private-without-nat", "error: S/Vpc [NatGateways]: private-with-egress tiers need NAT gateways (NatGateways::Single or NatGateways::OnePerAz); use SubnetConfiguration::isolated(..) for subnets without internet egress", |s| {
            vpc_with(s, |p| {
                p.nat_gateways = NatGateways::None;
                p.subnets = vec![SubnetConfiguration::public("Public"), SubnetConfiguration::private_with_egress("App")];
            })
        }),
        case("vpc-nat-without-public", "error: S/Vpc [NatGateways]: NAT gateways need a public subnet tier to live in; add SubnetConfiguration::public(..) or use NatGateways::None with isolated tiers", |s| {
            vpc_with(s, |p| p.subnets = vec![SubnetConfiguration::private_with_egress("App")])
        }),
        case("vpc-tier-name-space", "error: S/Vpc [SubnetConfiguration[0].Name]: tier name 'My Public' must be non-empty and alphanumeric (it becomes part of construct ids)", |s| {
            vpc_with(s, |p| p.subnets = vec![SubnetConfiguration::public("My Public")])
        }),
        case("sg-description-unicode", "error: S/Sg [Description]: security group description \"Öffentlich\" contains 'Ö'; EC2 allows only ASCII letters, digits and \". _-:/()#,@[]+=&;{}!$*\"", |s| {
            let v = vpc(s);
            SecurityGroup::new(s, "Sg", SecurityGroupProps::builder().vpc(v.clone()).description("Öffentlich").build());
        }),
        case("sg-description-long", "error: S/Sg [Description]: a security group needs a description of 1 to 255 characters", |s| {
            let v = vpc(s);
            SecurityGroup::new(s, "Sg", SecurityGroupProps::builder().vpc(v.clone()).description("x".repeat(256)).build());
        }),
        case("sg-cidr-bad", "error: S/Sg [SecurityGroupIngress]: '10.0.0.0/33' is not a valid IPv4 CIDR block (expected a.b.c.d/n, e.g. 203.0.113.0/24)", |s| {
            let v = vpc(s);
            SecurityGroup::new(s, "Sg", SecurityGroupProps::builder().vpc(v.clone()).description("web").build())
                .add_ingress_from_cidr("10.0.0.0/33", Port::tcp(443), "from x");
        }),
        case("connections-no-default-port", "error: S/A [DefaultPort]: this thing has no default port; use allow_from/allow_to with an explicit Port", |s| {
            let v = vpc(s);
            let a = SecurityGroup::new(s, "A", SecurityGroupProps::builder().vpc(v.clone()).description("a").build());
            let b = SecurityGroup::new(s, "B", SecurityGroupProps::builder().vpc(v.clone()).description("b").build());
            a.connections().allow_default_port_from(&b);
        }),
        // ---- IAM ----
        case("aws-managed-arn", "error: S/Role [ManagedPolicyArns]: ManagedPolicy::aws_managed(\"arn:aws:iam::aws:policy/ReadOnlyAccess\") was given an ARN; give the policy name (\"ReadOnlyAccess\"), or use ManagedPolicy::from_arn for a customer managed policy", |s| managed(s, "arn:aws:iam::aws:policy/ReadOnlyAccess")),
        case("aws-managed-cn-arn", "error: S/Role [ManagedPolicyArns]: ManagedPolicy::aws_managed(\"arn:aws-cn:iam::aws:policy/service-role/X\") was given an ARN; give the policy name (\"service-role/X\"), or use ManagedPolicy::from_arn for a customer managed policy", |s| managed(s, "arn:aws-cn:iam::aws:policy/service-role/X")),
        case("aws-managed-space", "error: S/Role [ManagedPolicyArns]: managed policy name \"Read Only Access\" contains ' '; allowed are 1 to 512 characters: ASCII letters, digits and '+', '=', ',', '.', '@', '-', '_', '/', starting with a letter or digit", |s| managed(s, "Read Only Access")),
        case("aws-managed-empty", "error: S/Role [ManagedPolicyArns]: managed policy name \"\" has 0 characters; allowed are 1 to 512 characters: ASCII letters, digits and '+', '=', ',', '.', '@', '-', '_', '/', starting with a letter or digit", |s| managed(s, "")),
        case("role-name-space", "error: S/Role [RoleName]: role name \"my role\": 1 to 64 characters of A-Z a-z 0-9 and +=,.@_-", |s| role_with(s, |p| p.role_name = Some("my role".into()))),
        case("role-name-long", "error: S/Role [RoleName]: role name \"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\": 1 to 64 characters of A-Z a-z 0-9 and +=,.@_-", |s| role_with(s, |p| p.role_name = Some("r".repeat(65)))),
        case("role-path-no-slash", "error: S/Role [Path]: path \"app\" must start and end with '/' (≤ 512 characters)", |s| role_with(s, |p| p.path = Some("app".into()))),
        case("role-session-short", "error: S/Role [MaxSessionDuration]: 60 seconds given; allowed: 3600 to 43200", |s| role_with(s, |p| p.max_session_duration_secs = Some(60))),
        case("role-session-long", "error: S/Role [MaxSessionDuration]: 50000 seconds given; allowed: 3600 to 43200", |s| role_with(s, |p| p.max_session_duration_secs = Some(50_000))),
        case("role-anyone-no-reason", "error: S/Role [AssumeRolePolicyDocument]: Principal::anyone(reason) needs a reason: why must everyone be allowed?", |s| role_with(s, |p| p.assumed_by = Principal::anyone(""))),
        case("role-service-not-domain", "error: S/Role [AssumeRolePolicyDocument]: service principal \"lambda\" should look like \"ecs-tasks.amazonaws.com\"", |s| role_with(s, |p| p.assumed_by = Principal::service("lambda"))),
        case("statement-no-actions", "error: S/Role [Policies]: a policy statement needs at least one action", |s| {
            role_with(s, |p| p.inline_statements = vec![PolicyStatement::allow().resource("arn:aws:s3:::b".to_owned())])
        }),
        case("statement-no-resources", "error: S/Role [Policies]: a policy statement needs at least one resource (or all_resources(reason) for actions without resource-level permissions)", |s| {
            role_with(s, |p| p.inline_statements = vec![PolicyStatement::allow().action("s3:GetObject")])
        }),
        case("statement-action-no-colon", "error: S/Role [Policies]: action \"GetObject\" must have the form \"service:Action\", e.g. \"s3:GetObject\"", |s| {
            role_with(s, |p| {
                p.inline_statements =
                    vec![PolicyStatement::allow().action("GetObject").resource("arn:aws:s3:::b/*".to_owned())]
            })
        }),
        case("statement-wildcard-resource-no-reason", "error: S/Role [Policies]: resource \"*\" must be declared with PolicyStatement::all_resources(reason), only for actions without resource-level permissions", |s| {
            role_with(s, |p| {
                p.inline_statements = vec![PolicyStatement::allow().action("s3:GetObject").resource("*".to_owned())]
            })
        }),
        case("statement-sid-space", "error: S/Role [Policies]: statement id \"read it\" must be non-empty and alphanumeric", |s| {
            role_with(s, |p| {
                p.inline_statements = vec![PolicyStatement::allow()
                    .sid("read it")
                    .action("s3:GetObject")
                    .resource("arn:aws:s3:::b/*".to_owned())]
            })
        }),
        // ---- observability ----
        case("alarm-threshold-nan", "error: S/Alarm [Threshold]: threshold is NaN; only finite numbers are allowed (CloudFormation has no NaN or infinity)", |s| alarm_with(s, |p| p.threshold = f64::NAN)),
        case("alarm-threshold-inf", "error: S/Alarm [Threshold]: threshold is inf; only finite numbers are allowed (CloudFormation has no NaN or infinity)", |s| alarm_with(s, |p| p.threshold = f64::INFINITY)),
        case("alarm-threshold-neg-inf", "error: S/Alarm [Threshold]: threshold is -inf; only finite numbers are allowed (CloudFormation has no NaN or infinity)", |s| alarm_with(s, |p| p.threshold = f64::NEG_INFINITY)),
        case("alarm-periods-zero", "error: S/Alarm [EvaluationPeriods]: evaluation periods must be at least 1", |s| alarm_with(s, |p| p.evaluation_periods = 0)),
        case("alarm-datapoints-over-periods", "error: S/Alarm [DatapointsToAlarm]: datapoints to alarm (5) must be between 1 and the evaluation periods (1)", |s| alarm_with(s, |p| p.datapoints_to_alarm = Some(5))),
        case("alarm-periods-over-day", "error: S/Alarm [EvaluationPeriods]: evaluation periods × period must not exceed one day (86,400 s)", |s| alarm_with(s, |p| p.evaluation_periods = 2000)),
        case("alarm-name-long", "error: S/Alarm [AlarmName]: alarm name \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"... has 256 characters; allowed are 1 to 255 characters, no control characters", |s| alarm_with(s, |p| p.alarm_name = Some("a".repeat(256)))),
        case("alarm-name-empty", "error: S/Alarm [AlarmName]: alarm name \"\" has 0 characters; allowed are 1 to 255 characters, no control characters", |s| alarm_with(s, |p| p.alarm_name = Some(String::new()))),
        case("metric-percentile-100", "error: S/Alarm [Statistic]: percentile statistic p100 of metric AWS/SQS/X must be strictly between 0 and 100", |s| {
            Alarm::new(
                s,
                "Alarm",
                AlarmProps::builder()
                    .metric(Metric::new("AWS/SQS", "X").statistic(Statistic::Percentile(100.0)))
                    .options(AlarmOptions::builder().threshold(1.0).build())
                    .build(),
            );
        }),
        case("metric-period-7", "error: S/Alarm [Period]: period of 7 s for metric AWS/SQS/X is invalid: use 10, 20, 30 or a multiple of 60 seconds", |s| {
            Alarm::new(
                s,
                "Alarm",
                AlarmProps::builder()
                    .metric(Metric::new("AWS/SQS", "X").period_secs(7))
                    .options(AlarmOptions::builder().threshold(1.0).build())
                    .build(),
            );
        }),
        case("metric-namespace-empty", "error: S/Alarm [MetricName]: metric namespace and name must not be empty", |s| {
            Alarm::new(
                s,
                "Alarm",
                AlarmProps::builder()
                    .metric(Metric::new("", "X"))
                    .options(AlarmOptions::builder().threshold(1.0).build())
                    .build(),
            );
        }),
        case("dashboard-annotation-nan", "error: S/Dash [DashboardBody]: graph widget \"Load\": horizontal annotation \"limit\" is NaN; only finite numbers are allowed (CloudFormation has no NaN or infinity)", |s| graph(s, GraphWidget::new("Load").horizontal_annotation(f64::NAN, "limit"))),
        case("dashboard-annotation-inf", "error: S/Dash [DashboardBody]: graph widget \"Load\": horizontal annotation \"limit\" is inf; only finite numbers are allowed (CloudFormation has no NaN or infinity)", |s| {
            graph(s, GraphWidget::new("Load").horizontal_annotation(f64::INFINITY, "limit"))
        }),
        case("dashboard-left-min-nan", "error: S/Dash [DashboardBody]: graph widget \"Load\": left axis minimum is NaN; only finite numbers are allowed (CloudFormation has no NaN or infinity)", |s| graph(s, GraphWidget::new("Load").left_min(f64::NAN))),
        case("dashboard-widget-too-wide", "error: S/Dash [DashboardBody]: widget size 25×6 is invalid: width must be 1-24, height 1-1000", |s| graph(s, GraphWidget::new("Load").width(25))),
        case("dashboard-widget-zero-height", "error: S/Dash [DashboardBody]: widget size 12×0 is invalid: width must be 1-24, height 1-1000", |s| graph(s, GraphWidget::new("Load").height(0))),
        case("key-pending-window-5", "error: S/Key [PendingWindowInDays]: pending window of 5 days is out of range; KMS allows 7 to 30 days", |s| {
            Key::new(s, "Key", KeyProps::builder().pending_window_days(5).build());
        }),
        case("key-pending-window-31", "error: S/Key [PendingWindowInDays]: pending window of 31 days is out of range; KMS allows 7 to 30 days", |s| {
            Key::new(s, "Key", KeyProps::builder().pending_window_days(31).build());
        }),
        case("key-alias-prefix", "error: S/Key [AliasName]: alias \"alias/aws/app\" starts with \"alias/aws/\", which AWS reserves", |s| {
            Key::new(s, "Key", KeyProps::builder().alias("alias/aws/app").build());
        }),
        case("key-alias-space", "error: S/Key [AliasName]: alias \"alias/my key\" contains ' '; allowed are 7 to 256 characters: ASCII letters, digits and '/', '_', '-', after \"alias/\"", |s| {
            Key::new(s, "Key", KeyProps::builder().alias("my key").build());
        }),
        // ---- messaging ----
        case("queue-name-space", "error: S/Queue [QueueName]: queue name \"my queue\" contains ' '; allowed are 1 to 80 characters: ASCII letters, digits and '-', '_'", |s| queue_with(s, |p| p.queue_name = Some("my queue".into()))),
        case("queue-name-long", "error: S/Queue [QueueName]: queue name \"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq\"... has 81 characters; allowed are 1 to 80 characters: ASCII letters, digits and '-', '_'", |s| queue_with(s, |p| p.queue_name = Some("q".repeat(81)))),
        case("queue-fifo-name-no-suffix", "error: S/Queue [QueueName]: FIFO queue name \"orders\" does not end with \".fifo\"; allowed are 6 to 80 characters: ASCII letters, digits and '-', '_', before \".fifo\"", |s| {
            queue_with(s, |p| {
                p.fifo = true;
                p.queue_name = Some("orders".into());
            })
        }),
        case("queue-retention-short", "error: S/Queue [MessageRetentionPeriod]: retention period of 10 s is out of range; SQS allows 60 to 1209600 seconds", |s| queue_with(s, |p| p.retention_period_secs = Some(10))),
        case("queue-retention-long", "error: S/Queue [MessageRetentionPeriod]: retention period of 2000000 s is out of range; SQS allows 60 to 1209600 seconds", |s| queue_with(s, |p| p.retention_period_secs = Some(2_000_000))),
        case("queue-visibility-long", "error: S/Queue [VisibilityTimeout]: visibility timeout of 50000 s is out of range; SQS allows 0 to 43200 seconds", |s| queue_with(s, |p| p.visibility_timeout_secs = Some(50_000))),
        case("queue-delay-long", "error: S/Queue [DelaySeconds]: delivery delay of 1000 s is out of range; SQS allows 0 to 900 seconds", |s| queue_with(s, |p| p.delivery_delay_secs = Some(1000))),
        case("queue-wait-long", "error: S/Queue [ReceiveMessageWaitTimeSeconds]: receive wait time of 21 s is out of range; SQS allows 0 to 20 seconds", |s| queue_with(s, |p| p.receive_wait_time_secs = Some(21))),
        case("queue-dlq-zero-receives", "error: S/Queue [RedrivePolicy.maxReceiveCount]: max_receive_count of 0 is out of range; SQS allows 1 to 1000", |s| {
            let dlq = Queue::new(s, "Dlq", QueueProps::builder().build());
            queue_with(s, |p| p.dead_letter_queue = Some(DeadLetterQueue::new(&dlq, 0)));
        }),
        case("table-name-space", "error: S/Table [TableName]: table name \"my table\" is invalid: use 3-255 characters of [A-Za-z0-9_.-]", |s| {
            Table::new(
                s,
                "Table",
                TableProps::builder().partition_key(Attribute::string("pk")).table_name("my table").build(),
            );
        }),
        case("table-key-empty", "error: S/Table [AttributeDefinitions]: attribute name \"\" must be 1-255 characters", |s| {
            Table::new(s, "Table", TableProps::builder().partition_key(Attribute::string("")).build());
        }),
        case("table-ttl-empty", "error: S/Table [TimeToLiveSpecification.AttributeName]: the TTL attribute name must be 1-255 characters", |s| {
            Table::new(
                s,
                "Table",
                TableProps::builder().partition_key(Attribute::string("pk")).time_to_live_attribute("").build(),
            );
        }),
        case("secret-name-space", "error: S/Secret [Name]: secret name \"my secret\" is invalid: use 1-512 characters of [a-zA-Z0-9/_+=.@-]", |s| {
            Secret::new(s, "Secret", SecretProps::builder().secret_name("my secret").build());
        }),
        case("event-bus-default-name", "error: S/Bus [Name]: event bus name \"default\" is reserved by AWS", |s| {
            EventBus::new(s, "Bus", EventBusProps::builder().event_bus_name("default").build());
        }),
        // ---- raw resources ----
        case("raw-array", "error: S/Raw [Properties]: raw resource properties are an array; they must be a JSON object (e.g. json!({\"Key\": ..})) or null", |s| raw(s, "AWS::SQS::Queue", json!([{"QueueName": "x"}]))),
        case("raw-string", "error: S/Raw [Properties]: raw resource properties are a string; they must be a JSON object (e.g. json!({\"Key\": ..})) or null", |s| raw(s, "AWS::SQS::Queue", json!("QueueName=x"))),
        case("raw-number", "error: S/Raw [Properties]: raw resource properties are a number; they must be a JSON object (e.g. json!({\"Key\": ..})) or null", |s| raw(s, "AWS::SQS::Queue", json!(1))),
        case("raw-bool", "error: S/Raw [Properties]: raw resource properties are a boolean; they must be a JSON object (e.g. json!({\"Key\": ..})) or null", |s| raw(s, "AWS::SQS::Queue", json!(true))),
        case("raw-type-two-parts", "error: S/Raw [Type]: resource type \"AWS::Queue\" is invalid; expected Vendor::Service::Type (e.g. \"AWS::SQS::Queue\") or Custom::Name", |s| raw(s, "AWS::Queue", json!({}))),
        case("raw-type-empty", "error: S/Raw [Type]: resource type \"\" is invalid; expected Vendor::Service::Type (e.g. \"AWS::SQS::Queue\") or Custom::Name", |s| raw(s, "", json!({}))),
        case("raw-type-space", "error: S/Raw [Type]: resource type \"AWS::SQS::My Queue\" is invalid; expected Vendor::Service::Type (e.g. \"AWS::SQS::Queue\") or Custom::Name", |s| raw(s, "AWS::SQS::My Queue", json!({}))),
        case("raw-custom-three-parts", "error: S/Raw [Type]: resource type \"Custom::A::B\" is invalid; expected Vendor::Service::Type (e.g. \"AWS::SQS::Queue\") or Custom::Name", |s| raw(s, "Custom::A::B", json!({}))),
        // ---- core: ids, tags, outputs, parameters, stacks ----
        case("construct-id-unicode", "error: S/Öffentlich [construct id]: construct id \"Öffentlich\" contains 'Ö'; allowed are ASCII letters, digits, '-', '_' and '.'", |s| {
            Queue::new(s, "Öffentlich", QueueProps::builder().build());
        }),
        case("construct-id-space", "error: S/my queue [construct id]: construct id \"my queue\" contains ' '; allowed are ASCII letters, digits, '-', '_' and '.'", |s| {
            Queue::new(s, "my queue", QueueProps::builder().build());
        }),
        case("construct-id-slash", "error: S/a/b [construct id]: construct id \"a/b\" contains '/'; allowed are ASCII letters, digits, '-', '_' and '.'", |s| {
            Queue::new(s, "a/b", QueueProps::builder().build());
        }),
        case("construct-id-empty", "error: S/ [construct id]: a construct id must not be empty; use 1 to 255 ASCII letters, digits, '-', '_' or '.'", |s| {
            Queue::new(s, "", QueueProps::builder().build());
        }),
        case("construct-id-long", "error: S/qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq [construct id]: construct id \"qqqqqqqqqqqqqqqqqqqq\"... is 256 characters; at most 255 are allowed", |s| {
            Queue::new(s, &"q".repeat(256), QueueProps::builder().build());
        }),
        case("construct-id-twice", "error: S/Q [construct id]: there is already a construct with id \"Q\" in S; construct ids must be unique among siblings", |s| {
            Queue::new(s, "Q", QueueProps::builder().build());
            Queue::new(s, "Q", QueueProps::builder().build());
        }),
        case("tag-key-empty", "error: S [Tags]: tag key is empty; a tag key has 1 to 128 characters", |s| {
            sg_queue(s);
            s.add_tag("", "v");
        }),
        case("tag-key-aws", "error: S [Tags]: tag key \"aws:team\" starts with \"aws:\", which is reserved for AWS", |s| {
            sg_queue(s);
            s.add_tag("aws:team", "v");
        }),
        case("tag-key-long", "error: S [Tags]: tag key \"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\"... is 129 characters; at most 128 are allowed", |s| {
            sg_queue(s);
            s.add_tag("k".repeat(129), "v");
        }),
        case("tag-value-long", "error: S [Tags]: the value of tag \"Team\" is 257 characters; at most 256 are allowed", |s| {
            sg_queue(s);
            s.add_tag("Team", "v".repeat(257));
        }),
        case("app-tag-aws", "error: <app> [Tags]: tag key \"AWS:x\" starts with \"aws:\", which is reserved for AWS", |s| {
            sg_queue(s);
            s.app().add_tag("AWS:x", "v");
        }),
        case("output-export-space", "error: S/Url [Export.Name]: export name \"my export\" is invalid: it must be one or more ASCII letters, digits, colons or hyphens", |s| {
            let q = Queue::new(s, "Q", QueueProps::builder().build());
            s.add_output(Output::new("Url", q.url()).export_name("my export"));
        }),
        case("output-export-empty", "error: S/Url [Export.Name]: export name \"\" is invalid: it must be one or more ASCII letters, digits, colons or hyphens", |s| {
            let q = Queue::new(s, "Q", QueueProps::builder().build());
            s.add_output(Output::new("Url", q.url()).export_name(""));
        }),
        case("output-export-twice", "error: S/B [Export.Name]: export name \"x\" is already used by S/A; export names must be unique per account and region", |s| {
            let q = Queue::new(s, "Q", QueueProps::builder().build());
            s.add_output(Output::new("A", q.url()).export_name("x"));
            s.add_output(Output::new("B", q.url()).export_name("x"));
        }),
        case("output-id-dash", "error: S/my-url [logical ID]: output name \"my-url\" is invalid: it must be 1 to 255 ASCII letters or digits", |s| {
            let q = Queue::new(s, "Q", QueueProps::builder().build());
            s.add_output(Output::new("my-url", q.url()));
        }),
        case("parameter-id-dash", "error: S/my-param [logical ID]: parameter name \"my-param\" is invalid: it must be 1 to 255 ASCII letters or digits", |s| {
            sg_queue(s);
            s.add_parameter("my-param", Parameter::string());
        }),
        case("logical-id-override-dash", "error: S/Q/Resource [logical ID]: resource name \"my-queue\" is invalid: it must be 1 to 255 ASCII letters or digits", |s| {
            Queue::new(s, "Q", QueueProps::builder().build()).handle().override_logical_id("my-queue");
        }),
        case("logical-id-override-unicode", "error: S/Q/Resource [logical ID]: resource name \"Schlangeä\" is invalid: it must be 1 to 255 ASCII letters or digits", |s| {
            Queue::new(s, "Q", QueueProps::builder().build()).handle().override_logical_id("Schlange\u{e4}");
        }),
        case("logical-id-override-clash", "error: S/B/Resource [logical ID]: logical ID \"Q\" is used twice in Resources of stack S; rename one of the constructs or override its logical ID", |s| {
            Queue::new(s, "A", QueueProps::builder().build()).handle().override_logical_id("Q");
            Queue::new(s, "B", QueueProps::builder().build()).handle().override_logical_id("Q");
        }),
        case("stack-empty", "error: S [Resources]: a stack needs at least one resource (CloudFormation rejects templates without resources)", |_s| {}),
        case("stack-name-underscore", "error: S [stackName]: stack name \"my_stack\" is invalid: it must start with a letter, contain only letters, digits and hyphens, and be at most 128 characters", |s| {
            sg_queue(s);
            s.set_stack_name("my_stack");
        }),
        case("stack-name-digit", "error: S [stackName]: stack name \"1stack\" is invalid: it must start with a letter, contain only letters, digits and hyphens, and be at most 128 characters", |s| {
            sg_queue(s);
            s.set_stack_name("1stack");
        }),
        case("stack-name-long", "error: S [stackName]: stack name \"saaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" is invalid: it must start with a letter, contain only letters, digits and hyphens, and be at most 128 characters", |s| {
            sg_queue(s);
            s.set_stack_name(format!("s{}", "a".repeat(128)));
        }),
        case("stack-description-long", "error: S [Description]: the description is 1025 bytes; CloudFormation allows at most 1024", |s| {
            sg_queue(s);
            s.set_description("d".repeat(1025));
        }),
        case("stack-region-bad", "error: T [region]: region \"frankfurt\" is not an AWS region name; expected e.g. \"eu-central-1\" or \"us-east-1\"", |s| {
            let t = s.app().stack("T").in_region("frankfurt");
            sg_queue(&t);
            sg_queue(s);
        }),
        case("stack-account-bad", "error: T [account]: account \"1234\" is not an AWS account id; an account id is 12 digits, e.g. \"123456789012\"", |s| {
            let t = s.app().stack("T").in_account("1234");
            sg_queue(&t);
            sg_queue(s);
        }),
        case("stack-cycle", "error: S [dependencies]: stacks \"S\" -> \"T\" -> \"S\" depend on each other in a cycle: S/Other [Value] uses T/Q/Resource; T/Other [Value] uses S/Q/Resource. Break one of these references: move the resource into the stack that uses it (or into a third stack both use), or create the connection from the other side so that only one stack refers to the other (e.g. call allow_*_to/allow_*_from on the block in the consuming stack, so the security-group rule lives there)", |s| {
            let t = s.app().stack("T");
            let a = Queue::new(s, "Q", QueueProps::builder().build());
            let b = Queue::new(&t, "Q", QueueProps::builder().build());
            s.add_output(Output::new("Other", b.url()));
            t.add_output(Output::new("Other", a.url()));
        }),
        case("stack-foreign-app", "error: S [dependencies]: depends on stack \"T\" of another App; stacks can only depend on stacks of their own app (create every stack from the same App)", |s| {
            let other = App::new("other");
            let t = other.stack("T");
            sg_queue(s);
            s.add_dependency(&t);
        }),
        case("handle-foreign-app", "error: S/Url [Value]: uses a construct of another App (a handle created under a different App::new); build every stack of an app from the same App", |s| {
            let other = App::new("other");
            let t = other.stack("T");
            let q = Queue::new(&t, "Q", QueueProps::builder().build());
            s.add_output(Output::new("Url", q.url()));
            sg_queue(s);
        }),
        case("too-many-resources", "error: S [Resources]: 501 resources exceed CloudFormation's limit of 500 per template; split the stack", |s| {
            for i in 0..501 {
                s.add_raw(&format!("R{i}"), RawResource::new("AWS::SNS::Topic", json!({})));
            }
        }),
        case("too-many-outputs", "error: S [Outputs]: 201 outputs exceed CloudFormation's limit of 200 per template; split the stack", |s| {
            let q = Queue::new(s, "Q", QueueProps::builder().build());
            for i in 0..201 {
                s.add_output(Output::new(&format!("O{i}"), q.url()));
            }
        }),
        case("readme-connections-from-the-database-side", "error: S [dependencies]: stacks \"S\" -> \"Api\" -> \"S\" depend on each other in a cycle: S/Database/SecurityGroup/IngressFromApi_Service_SecurityGrouptcp5432 [SourceSecurityGroupId] uses Api/Service/SecurityGroup/Resource.GroupId; Api/Task/Resource [ContainerDefinitions.Environment.Value] uses S/Database/Resource.Endpoint.Address. Break one of these references: move the resource into the stack that uses it (or into a third stack both use), or create the connection from the other side so that only one stack refers to the other (e.g. call allow_*_to/allow_*_from on the block in the consuming stack, so the security-group rule lives there)", |s| readme_app(s, true)),
        case("property-override-on-raw-array", "error: S/Raw [Properties]: raw resource properties are an array; they must be a JSON object (e.g. json!({\"Key\": ..})) or null", |s| {
            s.add_raw("Raw", RawResource::new("AWS::SNS::Topic", json!([])));
        }),
    ]
}

// ---- the harness ----

const OUT_MARKER: &str = "notes.txt";

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

enum Outcome {
    Panicked(String),
    Succeeded,
    Failed(Vec<String>),
}

fn synth(c: &Case) -> Outcome {
    let env = Environment::new("dev", ());
    let r = catch_unwind(AssertUnwindSafe(|| {
        stackcraft::core::cli::synth_env("corpus", &env, |app, _| {
            let s = app.stack("S");
            (c.build)(&s)
        })
    }));
    match r {
        Err(p) => Outcome::Panicked(
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default(),
        ),
        Ok(Ok(_)) => Outcome::Succeeded,
        Ok(Err(e)) => Outcome::Failed(e.errors().map(ToString::to_string).collect()),
    }
}

fn cli(c: &Case, root: &Path) -> Result<(), String> {
    let dir = root.join(c.name);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join(OUT_MARKER), "the user's notes").map_err(|e| e.to_string())?;
    let before = snapshot(&dir);
    let code = catch_unwind(AssertUnwindSafe(|| {
        stackcraft::core::cli::run_from(
            "corpus",
            Environments::new().env("dev", ()),
            |app, _| {
                let s = app.stack("S");
                (c.build)(&s)
            },
            ["corpus", "synth", "-q", "--out", &dir.to_string_lossy()],
        )
    }))
    .map_err(|_| "the CLI panicked".to_owned())?;
    if code != ExitCode::from(1) {
        return Err(format!("the CLI exited with {code:?}, not 1"));
    }
    if snapshot(&dir) != before {
        return Err("the CLI changed the --out directory".into());
    }
    let sub = dir.join("cdk.out");
    let code = stackcraft::core::cli::run_from(
        "corpus",
        Environments::new().env("dev", ()),
        |app, _| {
            let s = app.stack("S");
            (c.build)(&s)
        },
        ["corpus", "synth", "-q", "--out", &sub.to_string_lossy()],
    );
    if code != ExitCode::from(1) || sub.exists() {
        return Err(format!("a fresh --out was created or the exit code was {code:?}"));
    }
    Ok(())
}

#[test]
fn bad_input_corpus() {
    let cases = cases();
    let record = std::env::var_os("BAD_INPUTS_RECORD").is_some();
    let root = std::env::temp_dir().join(format!("stackcraft-bad-inputs-{}", std::process::id()));
    let mut failures = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    let (mut with_path, mut with_property, mut with_allowed) = (0, 0, 0);
    for c in &cases {
        assert!(names.insert(c.name), "case name {} used twice", c.name);
        match synth(c) {
            Outcome::Panicked(m) => failures.push(format!("{}: PANICKED: {m}", c.name)),
            Outcome::Succeeded => failures.push(format!("{}: synth succeeded", c.name)),
            Outcome::Failed(errors) => {
                if record {
                    println!("CASE\t{}\t{}", c.name, stackcraft::core::serde_json::to_string(&errors).unwrap());
                    continue;
                }
                if !errors.iter().any(|e| e == c.expect) {
                    failures.push(format!(
                        "{}: expected\n    {}\n  got\n    {}",
                        c.name,
                        c.expect,
                        errors.join("\n    ")
                    ));
                    continue;
                }
                if let Err(m) = cli(c, &root) {
                    failures.push(format!("{}: {m}", c.name));
                }
                // error: <path> [<property>]: <message>
                let rest = c.expect.strip_prefix("error: ").unwrap_or_default();
                let (path, rest) = rest.split_once(" [").unwrap_or_default();
                let (property, message) = rest.split_once("]: ").unwrap_or_default();
                with_path += usize::from(path.starts_with('S') || path == "<app>");
                with_property += usize::from(!property.is_empty());
                let m = message.to_lowercase();
                with_allowed += usize::from(
                    ["allowed", "use ", "must", "expected", "e.g.", " to ", "only", "at most", "at least", "give "]
                        .iter()
                        .any(|k| m.contains(k)),
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    println!(
        "bad-input corpus: {} cases; {with_path} name the construct path, {with_property} the property, {with_allowed} the allowed values or the fix",
        cases.len()
    );
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    assert!(cases.len() >= 200, "the corpus has {} cases; issue 8 asks for at least 200", cases.len());
}

// ---- the app's command line: flags, environments, config files, --out ----

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Cfg {
    tasks: u32,
}

fn valid_app(app: &App, env: &Environment<Cfg>) {
    let s = app.stack("S");
    if env.config.tasks > 0 {
        Queue::new(&s, "Queue", QueueProps::builder().build());
    }
}

fn envs() -> Environments<Cfg> {
    Environments::new().env("dev", Cfg { tasks: 1 }).production("prod", Cfg { tasks: 2 })
}

/// (name, config file text or None, expected exact `load_config` error or "")
const CONFIG_CASES: &[(&str, &str, &str)] = &[
    ("config-not-json", "tasks: 1", "config for environment \"dev\": at .: expected ident at line 1 column 2"),
    ("config-wrong-type", r#"{"tasks": "three"}"#, "config for environment \"dev\": at tasks: invalid type: string \"three\", expected u32 at line 1 column 17"),
    ("config-negative", r#"{"tasks": -1}"#, "config for environment \"dev\": at tasks: invalid value: integer `-1`, expected u32 at line 1 column 12"),
    ("config-unknown-field", r#"{"tasks": 1, "task": 2}"#, "config for environment \"dev\": at task: unknown field `task`, expected `tasks` at line 1 column 19"),
    ("config-missing-field", r#"{}"#, "config for environment \"dev\": at .: missing field `tasks` at line 1 column 2"),
    ("config-empty", "", "config for environment \"dev\": at .: EOF while parsing a value at line 1 column 0"),
    ("config-overflow", r#"{"tasks": 4294967296}"#, "config for environment \"dev\": at tasks: invalid value: integer `4294967296`, expected u32 at line 1 column 20"),
];

/// (name, arguments after `synth`/the program, expected exit code); `{out}`
/// is replaced by the case's output directory (holding the user's file),
/// `{file}` by a user file, `{cfg}` by the case's config file.
const CLI_CASES: &[(&str, &[&str], u8)] = &[
    ("cli-unknown-env", &["synth", "--env", "staging", "--out", "{out}"], 2),
    ("cli-unknown-command", &["frobnicate"], 2),
    ("cli-unknown-flag", &["synth", "--bogus"], 2),
    ("cli-missing-config-file", &["synth", "--config", "{out}/missing.json", "--out", "{out}"], 2),
    ("cli-config-is-dir", &["synth", "--config", "{out}", "--out", "{out}"], 2),
    ("cli-out-user-dir", &["synth", "--out", "{out}"], 2),
    ("cli-out-user-file", &["synth", "--out", "{file}"], 2),
    ("cli-out-dot", &["synth", "--out", "."], 2),
    ("cli-out-dotdot", &["synth", "--out", ".."], 2),
    ("cli-out-parent-is-file", &["synth", "--out", "{file}/cdk.out"], 2),
    ("cli-unknown-stack", &["synth", "--stack", "Nope", "--out", "{out}/cdk.out"], 1),
    ("cli-env-without-value", &["synth", "--env"], 2),
    ("cli-config-not-json", &["synth", "--config", "{cfg}", "--out", "{out}/cdk.out"], 2),
    ("cli-list-unknown-env", &["list", "--env", "qa"], 2),
    ("cli-config-unknown-env", &["config", "--env", "qa"], 2),
];

#[test]
fn config_file_corpus() {
    let record = std::env::var_os("BAD_INPUTS_RECORD").is_some();
    let mut failures = Vec::new();
    for (name, text, expect) in CONFIG_CASES {
        let mut e = envs();
        let r = catch_unwind(AssertUnwindSafe(|| e.load_config("dev", text)));
        match r {
            Err(_) => failures.push(format!("{name}: PANICKED")),
            Ok(Ok(())) => failures.push(format!("{name}: accepted")),
            Ok(Err(m)) if record => println!("CONFIG\t{name}\t{m}"),
            Ok(Err(m)) if m.to_string() != *expect => {
                failures.push(format!("{name}: expected\n    {expect}\n  got\n    {m}"))
            }
            Ok(Err(_)) => {}
        }
    }
    let mut e = envs();
    assert_eq!(
        e.get("staging").err().map(|e| e.to_string()).as_deref(),
        Some("unknown environment \"staging\"; known environments: dev, prod")
    );
    assert!(e.load_config("staging", r#"{"tasks": 1}"#).is_err());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cli_corpus() {
    let root = std::env::temp_dir().join(format!("stackcraft-cli-corpus-{}", std::process::id()));
    let mut failures = Vec::new();
    for (name, args, code) in CLI_CASES {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(OUT_MARKER), "the user's notes").unwrap();
        let file = root.join(format!("{name}.txt"));
        std::fs::write(&file, "the user's report").unwrap();
        let cfg = root.join(format!("{name}.json"));
        std::fs::write(&cfg, "tasks = 1").unwrap();
        let cwd_before = snapshot(Path::new("."));
        let before = (snapshot(&dir), std::fs::read(&file).unwrap());
        let argv: Vec<String> = std::iter::once("corpus".to_owned())
            .chain(args.iter().map(|a| {
                a.replace("{out}", &dir.to_string_lossy())
                    .replace("{file}", &file.to_string_lossy())
                    .replace("{cfg}", &cfg.to_string_lossy())
            }))
            .collect();
        let got = catch_unwind(AssertUnwindSafe(|| {
            stackcraft::core::cli::run_from("corpus", envs(), valid_app, argv.clone())
        }));
        match got {
            Err(_) => failures.push(format!("{name}: PANICKED")),
            Ok(c) if c != ExitCode::from(*code) => {
                failures.push(format!("{name}: {argv:?} exited with {c:?}, not {code}"))
            }
            Ok(_) => {}
        }
        if (snapshot(&dir), std::fs::read(&file).unwrap()) != before {
            failures.push(format!("{name}: the user's files changed"));
        }
        if snapshot(Path::new(".")) != cwd_before {
            failures.push(format!("{name}: the working directory changed"));
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
