//! A generated app of about N resources built from the real building blocks
//! (per stack: a VPC, a cluster, and Fargate services with their task
//! definitions, roles, log groups, security groups, database connections and
//! alarms), split into stacks of at most 500 resources, synthesized and
//! written like a user's app. Run by `cargo xtask bench`; prints one JSON line
//! with the in-process timings (per synth phase too) and the peak RSS read from `/proc/self/status`.

use std::time::Instant;

use serde_json::json;
use stackcraft::core::timings;
use stackcraft::prelude::*;

/// Resources per generated stack, at most.
const PER_STACK: usize = 500;

fn resources(app: &App) -> usize {
    app.synth().map_or(0, |a| a.stacks.iter().map(|s| s.template["Resources"].as_object().map_or(0, |r| r.len())).sum())
}

/// One service unit: task definition + container, service, CPU alarm.
fn unit(stack: &Stack, vpc: &Vpc, cluster: &Cluster, db: &SecurityGroup, i: usize) {
    let scope = stack.scope(&format!("Service{i}"));
    let task = FargateTaskDefinition::new(
        &scope,
        "Task",
        FargateTaskDefinitionProps::builder().size(FargateSize::CPU_256_MEM_512).build(),
    );
    let c = task.add_container(
        ContainerProps::builder()
            .name("app")
            .image(ContainerImage::from_registry(format!("ghcr.io/bench/svc{i}:1.0.0")))
            .port_mappings(vec![PortMapping::tcp(8080)])
            .build(),
    );
    c.add_environment("SERVICE_INDEX", i.to_string());
    let service = FargateService::new(
        &scope,
        "Service",
        FargateServiceProps::builder()
            .cluster(cluster.clone())
            .task_definition(task)
            .vpc(vpc.clone())
            .desired_count(1)
            .build(),
    );
    db.connections().allow_from(&service, Port::tcp(5432), "service to database");
    service.metric_cpu_utilization().create_alarm(&scope, "CpuHigh", AlarmOptions::builder().threshold(80.0).build());
}

/// Per stack: the shared part (VPC, cluster, database security group).
fn shared(stack: &Stack) -> (Vpc, Cluster, SecurityGroup) {
    let vpc = Vpc::new(stack, "Vpc", VpcProps::builder().nat_gateways(NatGateways::Single).build());
    let cluster = Cluster::new(stack, "Cluster", ClusterProps::default());
    let db = SecurityGroup::new(
        stack,
        "Database",
        SecurityGroupProps::builder().vpc(vpc.clone()).description("database").build(),
    );
    (vpc, cluster, db)
}

fn build(app: &App, target: usize) {
    // Measure what the shared part and one unit weigh, then fill stacks.
    let probe = App::new("probe");
    let s = probe.stack("S");
    let (vpc, cluster, db) = shared(&s);
    let base = resources(&probe);
    unit(&s, &vpc, &cluster, &db, 0);
    let per_unit = (resources(&probe) - base).max(1);
    let units_per_stack = (PER_STACK - base) / per_unit;
    // k stacks of base + units: pick k, then spread the units evenly.
    let stacks = target.div_ceil(base + units_per_stack * per_unit).max(1);
    let units = (target.saturating_sub(stacks * base) / per_unit).max(stacks);
    for n in 0..stacks {
        let stack = app.stack(&format!("Stack{n}"));
        let (vpc, cluster, db) = shared(&stack);
        for i in 0..(units / stacks + usize::from(n < units % stacks)) {
            unit(&stack, &vpc, &cluster, &db, i);
        }
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

stackcraft::synth_allocator!();

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let resources: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let out = args.next().unwrap_or_else(|| "cdk.out".into());
    timings::enable();
    let start = Instant::now();
    let app = App::new("bench");
    app.set_environment("bench", false);
    timings::phase("build", || build(&app, resources));
    let built = start.elapsed();
    let assembly = match app.synth() {
        Ok(a) => a,
        Err(e) => {
            eprint!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let synthesized = start.elapsed();
    if let Err(e) = timings::phase("write", || assembly.write(std::path::Path::new(&out))) {
        eprintln!("cannot write {out}: {e}");
        return std::process::ExitCode::FAILURE;
    }
    let total = start.elapsed();
    let count: usize = assembly.stacks.iter().map(|s| s.template["Resources"].as_object().map_or(0, |r| r.len())).sum();
    println!(
        "{}",
        json!({
            "resources": count,
            "stacks": assembly.stacks.len(),
            "build_ms": built.as_secs_f64() * 1e3,
            "synth_ms": (synthesized - built).as_secs_f64() * 1e3,
            "write_ms": (total - synthesized).as_secs_f64() * 1e3,
            "peak_rss_kib": peak_rss_kib(),
            "phases": timings::take().into_iter().map(|(n, d)| json!([n, d.as_secs_f64() * 1e3])).collect::<Vec<_>>(),
        })
    );
    std::process::ExitCode::SUCCESS
}
