//! Bad input is reported by synth with the construct path, never a panic.

use stackcraft_alb::{HealthCheck as TgHealthCheck, TargetGroup, TargetGroupProps};
use stackcraft_core::{App, Scope};
use stackcraft_ecs_service::*;
use stackcraft_vpc::{Vpc, VpcProps};

fn task(scope: &Scope) -> FargateTaskDefinition {
    FargateTaskDefinition::new(
        scope,
        "Task",
        FargateTaskDefinitionProps::builder().size(FargateSize::CPU_256_MEM_512).build(),
    )
}

fn web(name: &str) -> ContainerProps {
    ContainerProps::builder()
        .name(name)
        .image(ContainerImage::from_registry("nginx:1.27"))
        .port_mappings(vec![PortMapping::tcp(8080)])
        .build()
}

fn service(scope: &Scope, vpc: &Vpc, td: FargateTaskDefinition) -> FargateService {
    let cluster = Cluster::new(scope, "Cluster", ClusterProps::default());
    FargateService::new(
        scope,
        "Service",
        FargateServiceProps::builder().cluster(cluster).task_definition(td).vpc(vpc.clone()).build(),
    )
}

fn errors(app: &App) -> String {
    app.synth().expect_err("synth must fail").to_string()
}

#[test]
fn service_needs_a_container() {
    let app = App::new("t");
    let s = app.stack("S");
    let vpc = Vpc::new(&s, "Vpc", VpcProps::builder().build());
    service(&s, &vpc, task(&s));
    let e = errors(&app);
    assert!(e.contains("S/Service") && e.contains("no container"), "{e}");
}

#[test]
fn container_problems_are_reported_together() {
    let app = App::new("t");
    let s = app.stack("S");
    let td = task(&s);
    td.add_container(web("web"));
    td.add_container(web("web"));
    td.add_container(
        ContainerProps::builder()
            .name("bad name")
            .image(ContainerImage::from_ecr("repo", "-bad-tag"))
            .memory_limit_mib(1024)
            .health_check(HealthCheck::shell("true").interval_secs(2).timeout_secs(5))
            .stop_timeout_secs(500)
            .writable_paths(vec!["tmp".into()])
            .build(),
    );
    let c = td.add_container(web("side"));
    c.add_secret("TOKEN", ContainerSecret::from_ssm_parameter("/has space"));
    let e = errors(&app);
    for needle in [
        "already has a container named \"web\"",
        "container name \"bad name\"",
        "image tag \"-bad-tag\"",
        "more than the task's 512 MiB",
        "health check interval 2",
        "stop timeout 500",
        "writable path \"tmp\"",
        "SSM parameter name",
    ] {
        assert!(e.contains(needle), "missing {needle:?} in:\n{e}");
    }
}

#[test]
fn deployment_and_scaling_bounds() {
    let app = App::new("t");
    let s = app.stack("S");
    let vpc = Vpc::new(&s, "Vpc", VpcProps::builder().build());
    let td = task(&s);
    td.add_container(web("web"));
    let cluster = Cluster::new(&s, "Cluster", ClusterProps::default());
    let svc = FargateService::new(
        &s,
        "Service",
        FargateServiceProps::builder()
            .cluster(cluster)
            .task_definition(td)
            .vpc(vpc)
            .min_healthy_percent(150)
            .max_healthy_percent(250)
            .build(),
    );
    let scaling = svc.auto_scale_task_count(ScalingProps::builder().min_capacity(5).max_capacity(2).build());
    scaling.scale_on_cpu_utilization("Cpu", TargetTracking::builder().target_value(150.0).build());
    let e = errors(&app);
    for needle in [
        "150% given: allowed 0 to 100",
        "250% given: allowed 100 to 200",
        "min_capacity 5 is greater than max_capacity 2",
        "a utilization target is a percentage",
    ] {
        assert!(e.contains(needle), "missing {needle:?} in:\n{e}");
    }
}

#[test]
fn attach_checks_container_port_and_listener() {
    let app = App::new("t");
    let s = app.stack("S");
    let vpc = Vpc::new(&s, "Vpc", VpcProps::builder().build());
    let td = task(&s);
    td.add_container(web("web"));
    let svc = service(&s, &vpc, td);
    let tg = TargetGroup::new(
        &s,
        "Tg",
        TargetGroupProps::builder()
            .vpc(vpc.clone())
            .port(8080)
            .health_check(TgHealthCheck::builder().path("/").build())
            .build(),
    );
    svc.attach_to_target_group(&tg, "api", 8080);
    svc.attach_to_target_group(&tg, "web", 9090);
    let e = errors(&app);
    for needle in [
        "container \"api\" is not in the task definition (containers: web)",
        "container \"web\" has no TCP port mapping for port 9090",
        "not routed to by any listener",
    ] {
        assert!(e.contains(needle), "missing {needle:?} in:\n{e}");
    }
}

#[test]
fn writable_root_is_allowed_with_a_recorded_skip() {
    let app = App::new("t");
    let s = app.stack("S");
    let td = task(&s);
    td.add_container(
        ContainerProps::builder()
            .name("legacy")
            .image(ContainerImage::from_registry("legacy:1"))
            .readonly_root_filesystem(false)
            .build(),
    );
    let asm = app.synth().expect("valid");
    let t = &asm.stacks[0].template;
    let res = &t["Resources"][td.handle().logical_id()];
    assert_eq!(res["Metadata"]["stackcraft"]["acknowledgements"][0]["rule"], "ecs.read-only-root");
    assert_eq!(res["Properties"]["ContainerDefinitions"][0]["ReadonlyRootFilesystem"], false);
}

#[test]
fn spot_only_and_exec_off_by_default() {
    let app = App::new("t");
    let s = app.stack("S");
    let vpc = Vpc::new(&s, "Vpc", VpcProps::builder().build());
    let td = task(&s);
    td.add_container(web("web"));
    let cluster = Cluster::new(&s, "Cluster", ClusterProps::default());
    let svc = FargateService::new(
        &s,
        "Service",
        FargateServiceProps::builder()
            .cluster(cluster)
            .task_definition(td.clone())
            .vpc(vpc)
            .capacity(CapacityStrategy::FargateSpot)
            .build(),
    );
    let asm = app.synth().expect("valid");
    let t = &asm.stacks[0].template;
    let p = &t["Resources"][svc.handle().logical_id()]["Properties"];
    assert_eq!(p["EnableExecuteCommand"], false);
    assert_eq!(p["CapacityProviderStrategy"], serde_json::json!([{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}]));
    // No grants and no exec: the task role has no policy at all.
    let role = &t["Resources"][td.task_role().handle().logical_id()]["Properties"];
    assert!(role.get("Policies").is_none(), "{role}");
}

#[test]
fn a_variable_is_either_plain_or_secret_and_tasks_hold_ten_containers() {
    let app = App::new("t");
    let s = app.stack("S");
    let td = task(&s);
    let c = td.add_container(web("web"));
    c.add_environment("DB_URL", "postgres://localhost");
    c.add_secret("DB_URL", ContainerSecret::from_ssm_parameter("/app/db-url"));
    for i in 0..MAX_CONTAINERS_PER_TASK {
        td.add_container(web(&format!("side{i}")));
    }
    let e = errors(&app);
    assert!(e.contains("DB_URL is also a plain environment variable"), "{e}");
    assert!(e.contains("at most 10 containers"), "{e}");
}

#[test]
fn autoscaling_owns_the_desired_count() {
    let app = App::new("t");
    let s = app.stack("S");
    let vpc = Vpc::new(&s, "Vpc", VpcProps::builder().build());
    let td = task(&s);
    td.add_container(web("web"));
    let svc = service(&s, &vpc, td);
    svc.auto_scale_task_count(ScalingProps::builder().min_capacity(2).max_capacity(4).build());
    let asm = app.synth().expect("valid");
    let p = &asm.stacks[0].template["Resources"][svc.handle().logical_id()]["Properties"];
    assert!(p.get("DesiredCount").is_none(), "{p}");
}

#[test]
fn a_desired_count_autoscaling_would_drop_is_an_error() {
    let app = App::new("t");
    let s = app.stack("S");
    let vpc = Vpc::new(&s, "Vpc", VpcProps::builder().build());
    let td = task(&s);
    td.add_container(web("web"));
    let cluster = Cluster::new(&s, "Cluster", ClusterProps::default());
    let props = FargateServiceProps::builder().cluster(cluster).task_definition(td).vpc(vpc.clone());
    let svc = FargateService::new(&s, "Service", props.desired_count(3).build());
    svc.auto_scale_task_count(ScalingProps::builder().min_capacity(2).max_capacity(4).build());
    assert_eq!(
        errors(&app),
        "synth failed with 1 error:\n  error: S/Service [DesiredCount]: desired_count 3 would be ignored: autoscaling owns the task count \
         from min_capacity 2; leave desired_count out or set it to 2\n"
    );
}

#[test]
fn container_dependencies() {
    let app = App::new("t");
    let s = app.stack("S");
    let td = task(&s);
    let api = td.add_container(web("api"));
    let migrate = td.add_container(
        ContainerProps::builder()
            .name("migrate")
            .image(ContainerImage::from_registry("pyshop:1"))
            .essential(false)
            .command(vec!["alembic".into(), "upgrade".into(), "head".into()])
            .build(),
    );
    let proxy = td.add_container(web("proxy"));
    api.add_container_dependency(&migrate, DependencyCondition::Success);
    proxy.add_container_dependency(&api, DependencyCondition::Start);
    let asm = app.synth().expect("valid");
    let defs = &asm.stacks[0].template["Resources"][td.handle().logical_id()]["Properties"]["ContainerDefinitions"];
    assert_eq!(defs[0]["DependsOn"], serde_json::json!([{"Condition": "SUCCESS", "ContainerName": "migrate"}]));

    // Bad: cycle through two hops, HEALTHY without a health check, SUCCESS
    // on an essential container.
    migrate.add_container_dependency(&proxy, DependencyCondition::Start);
    api.add_container_dependency(&proxy, DependencyCondition::Healthy);
    proxy.add_container_dependency(&api, DependencyCondition::Success);
    let e = errors(&app);
    for needle in
        ["dependencies must not form a cycle", "has no health check: HEALTHY needs one", "\"api\" is essential"]
    {
        assert!(e.contains(needle), "missing {needle:?} in:\n{e}");
    }
}

/// u32 extremes are errors, never an overflow panic (release builds check overflow).
#[test]
fn extreme_sizes_and_weights_are_errors_not_overflows() {
    let app = App::new("t");
    let s = app.stack("S");
    let vpc = Vpc::new(&s, "Vpc", VpcProps::builder().build());
    let td = task(&s);
    for name in ["a", "b"] {
        let mut props = web(name);
        props.cpu = Some(u32::MAX);
        props.memory_limit_mib = Some(u32::MAX);
        td.add_container(props);
    }
    let cluster = Cluster::new(&s, "Cluster", ClusterProps::default());
    let capacity = CapacityStrategy::Mixed { base: 0, on_demand_weight: u32::MAX, spot_weight: u32::MAX };
    FargateService::new(
        &s,
        "Service",
        FargateServiceProps::builder().cluster(cluster).task_definition(td).vpc(vpc).capacity(capacity).build(),
    );
    let err = errors(&app);
    assert!(err.contains("more than the task's 256"), "{err}");
    assert!(err.contains("base 0-100000, weights 0-1000"), "{err}");
}
