//! What deploy-demo synthesizes per environment, through the real binary:
//! the fixture `xtask/tests/deploy_emulator.rs` deploys to the moto emulator
//! (which cannot run everywhere), so its shape is pinned here where every
//! `cargo test` sees it. Its knobs (`DEMO_VARIANT`, `DEMO_LINKED`) are
//! covered too.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value as Json};

const SERVICE_TYPES: [&str; 15] = [
    "AWS::DynamoDB::Table",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Subnet",
    "AWS::EC2::Subnet",
    "AWS::EC2::VPC",
    "AWS::ECS::Cluster",
    "AWS::ECS::Service",
    "AWS::ECS::TaskDefinition",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::IAM::Role",
    "AWS::Logs::LogGroup",
    "AWS::S3::Bucket",
];

/// Synthesize `env` (with extra environment variables) into `dir`; the
/// manifest and the two templates.
fn synth(dir: &Path, env: &str, vars: &[(&str, &str)]) -> (Json, Json, Json) {
    let out = dir.join(env);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_deploy-demo"));
    cmd.args(["synth", "--env", env, "--out"]).arg(&out).env_remove("DEMO_VARIANT").env_remove("DEMO_LINKED");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let o = cmd.output().expect("run deploy-demo");
    assert!(o.status.success(), "synth {env} failed:\n{}", String::from_utf8_lossy(&o.stderr));
    let read = |f: &str| -> Json {
        serde_json::from_str(&std::fs::read_to_string(out.join(f)).expect("assembly file")).expect("JSON")
    };
    (read("manifest.json"), read("Messaging.template.json"), read("Service.template.json"))
}

/// The resources of `template` of type `ty`.
fn of_type<'a>(template: &'a Json, ty: &str) -> Vec<&'a Json> {
    template["Resources"].as_object().map_or_else(Vec::new, |r| r.values().filter(|r| r["Type"] == ty).collect())
}

fn types(template: &Json) -> Vec<String> {
    let mut t: Vec<String> = template["Resources"]
        .as_object()
        .map(|r| r.values().filter_map(|r| r["Type"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    t.sort();
    t
}

#[test]
fn each_environment_gets_its_network_size_and_retention() {
    let dir = tempfile::tempdir().expect("tempdir");
    // (env, VPC CIDR, subnet CIDRs, tasks, log days, termination protection)
    let cases = [
        ("dev", "10.20.0.0/16", ["10.20.0.0/24", "10.20.1.0/24"], 1, 7, false),
        ("staging", "10.30.0.0/16", ["10.30.0.0/24", "10.30.1.0/24"], 1, 30, false),
        ("prod", "10.40.0.0/16", ["10.40.0.0/24", "10.40.1.0/24"], 2, 365, true),
    ];
    for (env, vpc_cidr, subnet_cidrs, tasks, days, protected) in cases {
        let (manifest, messaging, service) = synth(dir.path(), env, &[]);
        for stack in ["Messaging", "Service"] {
            let a = &manifest["artifacts"][stack];
            assert_eq!(a["type"], "aws:cloudformation:stack", "{env} {stack}");
            assert_eq!(a["properties"]["stackName"], format!("deploy-demo-{env}-{stack}"));
            assert_eq!(a["properties"]["terminationProtection"], protected, "{env} {stack}");
            assert_eq!(a["properties"]["tags"], json!({"app": "deploy-demo", "environment": env}));
            // Independent stacks unless DEMO_LINKED asks for the reference.
            assert!(a.get("dependencies").is_none_or(|d| d == &json!([])), "{env} {stack}: {a}");
        }
        assert_eq!(types(&messaging), ["AWS::SNS::Topic", "AWS::SQS::Queue"], "{env}");
        assert_eq!(types(&service), SERVICE_TYPES, "{env}");
        let outputs = |t: &Json| -> Vec<String> {
            t["Outputs"].as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
        };
        assert_eq!(outputs(&messaging), ["QueueUrl", "TopicArn"], "{env}");
        assert_eq!(outputs(&service), ["BucketName", "LoadBalancerDns", "TableName"], "{env}");

        let vpc = of_type(&service, "AWS::EC2::VPC");
        assert_eq!(vpc[0]["Properties"]["CidrBlock"], vpc_cidr, "{env}");
        let mut subnets: Vec<&str> = of_type(&service, "AWS::EC2::Subnet")
            .iter()
            .filter_map(|s| s["Properties"]["CidrBlock"].as_str())
            .collect();
        subnets.sort_unstable();
        assert_eq!(subnets, subnet_cidrs, "{env}");
        assert_eq!(of_type(&service, "AWS::ECS::Service")[0]["Properties"]["DesiredCount"], tasks, "{env}");
        assert_eq!(of_type(&service, "AWS::Logs::LogGroup")[0]["Properties"]["RetentionInDays"], days, "{env}");
    }
}

#[test]
fn variants_change_what_the_deploy_tests_expect() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, plain_messaging, plain_service) = synth(dir.path(), "dev", &[]);

    // `changed`: an in-place update of the queue and the log group.
    let changed = dir.path().join("changed");
    let (_, messaging, service) = synth(&changed, "dev", &[("DEMO_VARIANT", "changed")]);
    assert_ne!(messaging, plain_messaging);
    assert_eq!(types(&messaging), types(&plain_messaging));
    assert_eq!(of_type(&service, "AWS::Logs::LogGroup")[0]["Properties"]["RetentionInDays"], 14);

    // `large`: the Service template passes the 51,200-byte inline limit.
    let large = dir.path().join("large");
    let (_, _, service) = synth(&large, "dev", &[("DEMO_VARIANT", "large")]);
    assert!(serde_json::to_string(&plain_service).expect("json").len() < 51_200);
    assert!(serde_json::to_string(&service).expect("json").len() > 51_200);
    assert_eq!(types(&service), SERVICE_TYPES);

    // `DEMO_LINKED=1`: Service imports the queue URL, so Messaging deploys first.
    let linked = dir.path().join("linked");
    let (manifest, messaging, service) = synth(&linked, "dev", &[("DEMO_LINKED", "1")]);
    assert_eq!(manifest["artifacts"]["Service"]["dependencies"], json!(["Messaging"]));
    assert!(messaging["Outputs"].as_object().is_some_and(|o| o.values().any(|v| v.get("Export").is_some())));
    assert!(service.to_string().contains("Fn::ImportValue"));
}
