//! Public IPs (an acknowledged choice), restricted egress and existing
//! execution/task roles from another stack. Bad input names the path and
//! property; the sample stays cfn-lint and checkov clean.

use stackcraft_core::{App, Assembly, Scope};
use stackcraft_ecs_service::*;
use stackcraft_iam::{ManagedPolicy, Role, RoleProps, ServicePrincipal};
use stackcraft_vpc::{NatGateways, SubnetConfiguration, SubnetType, Vpc, VpcProps};

fn task(scope: &Scope, props: FargateTaskDefinitionProps) -> FargateTaskDefinition {
    let td = FargateTaskDefinition::new(scope, "Task", props);
    td.add_container(ContainerProps::builder().name("api").image(ContainerImage::from_registry("nginx:1.27")).build());
    td
}

fn public_vpc(scope: &Scope) -> Vpc {
    Vpc::new(
        scope,
        "Vpc",
        VpcProps::builder()
            .subnets(vec![SubnetConfiguration::public("Public"), SubnetConfiguration::isolated("Data")])
            .nat_gateways(NatGateways::None)
            .build(),
    )
}

fn sample() -> (Assembly, App) {
    let app = App::new("ot");
    stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
    let boot = app.stack("Bootstrap");
    let exec = Role::new(
        &boot,
        "ExecutionRole",
        RoleProps::builder()
            .assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com"))
            .managed_policies(vec![ManagedPolicy::aws_managed("service-role/AmazonECSTaskExecutionRolePolicy")])
            .build(),
    );
    let vpc = public_vpc(&boot);
    let env = app.stack("Env");
    let td = task(
        &env,
        FargateTaskDefinitionProps::builder().size(FargateSize::CPU_256_MEM_512).execution_role(exec).build(),
    );
    let cluster = Cluster::new(&env, "Cluster", ClusterProps::default());
    FargateService::new(
        &env,
        "Service",
        FargateServiceProps::builder()
            .cluster(cluster)
            .task_definition(td)
            .vpc(vpc)
            .subnet_type(SubnetType::Public)
            .assign_public_ip_because("dev without NAT gateways: tasks pull images over their public IP")
            .restrict_egress(true)
            .build(),
    );
    (app.synth().expect("synth"), app)
}

fn resources_of<'a>(asm: &'a Assembly, stack: &str, ty: &str) -> Vec<&'a serde_json::Value> {
    let t = &asm.stack(stack).expect("stack").template;
    t["Resources"].as_object().expect("resources").values().filter(|r| r["Type"] == ty).collect()
}

#[test]
fn public_ip_is_acknowledged() {
    let (asm, _) = sample();
    let svc = resources_of(&asm, "Env", "AWS::ECS::Service")[0];
    assert_eq!(svc["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"], "ENABLED");
    assert_eq!(svc["Metadata"]["stackcraft"]["acknowledgements"][0]["rule"], "ecs.no-public-ip");
    let skips = svc["Metadata"]["checkov"]["skip"].as_array().expect("derived checkov skips");
    assert!(skips.iter().any(|s| s["id"] == "CKV_AWS_333"), "{skips:?}");
    assert!(asm.warnings.iter().all(|w| !w.to_string().contains("public subnets")), "{:?}", asm.warnings);
}

#[test]
fn restricted_egress_is_https_only() {
    let (asm, _) = sample();
    let sg = resources_of(&asm, "Env", "AWS::EC2::SecurityGroup")[0];
    let egress = sg["Properties"]["SecurityGroupEgress"].to_string();
    assert!(!egress.contains("\"-1\""), "no all-traffic egress: {egress}");
    let rules = resources_of(&asm, "Env", "AWS::EC2::SecurityGroupEgress");
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["Properties"]["FromPort"], 443);
    assert_eq!(rules[0]["Properties"]["CidrIp"], "0.0.0.0/0");
}

#[test]
fn existing_execution_role_gets_an_attached_policy_in_the_env_stack() {
    let (asm, _) = sample();
    assert!(resources_of(&asm, "Env", "AWS::IAM::Role")
        .iter()
        .all(|r| { !r["Properties"]["Description"].to_string().contains("execution role") }));
    let policies = resources_of(&asm, "Env", "AWS::IAM::Policy");
    assert_eq!(policies.len(), 1);
    let p = &policies[0]["Properties"];
    assert!(p["Roles"][0].get("Fn::ImportValue").is_some(), "{p:#}");
    assert!(p["PolicyDocument"].to_string().contains("logs:PutLogEvents"), "{p:#}");
    let boot = resources_of(&asm, "Bootstrap", "AWS::IAM::Role");
    let exec = boot.iter().find(|r| r["Properties"]["ManagedPolicyArns"].to_string().contains("ECSTaskExecution"));
    assert!(exec.expect("exec role")["Properties"].get("Policies").is_none(), "bootstrap role unchanged");
    assert_eq!(asm.stack("Env").expect("env").dependencies, ["Bootstrap"]);
}

#[test]
fn public_ip_needs_public_subnets_and_a_reason() {
    let app = App::new("t");
    let s = app.stack("S");
    let vpc = Vpc::new(&s, "Vpc", VpcProps::builder().nat_gateways(NatGateways::Single).build());
    let td = task(&s, FargateTaskDefinitionProps::builder().size(FargateSize::CPU_256_MEM_512).build());
    let cluster = Cluster::new(&s, "Cluster", ClusterProps::default());
    FargateService::new(
        &s,
        "Service",
        FargateServiceProps::builder()
            .cluster(cluster.clone())
            .task_definition(td.clone())
            .vpc(vpc.clone())
            .assign_public_ip_because("why not")
            .build(),
    );
    FargateService::new(
        &s,
        "Blank",
        FargateServiceProps::builder()
            .cluster(cluster)
            .task_definition(td)
            .vpc(vpc)
            .subnet_type(SubnetType::Public)
            .assign_public_ip_because("  ")
            .build(),
    );
    let err = app.synth().expect_err("bad").to_string();
    assert!(
        err.contains(
            "S/Service [NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp]: a public IP is only useful in \
             public subnets; the tasks run in Private subnets"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "S/Blank [NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp]: assign_public_ip_because needs a reason"
        ),
        "{err}"
    );
}

#[test]
fn cfn_lint_and_checkov_are_clean() {
    let (asm, _) = sample();
    stackcraft_testing::assert_cfn_lint_clean(&asm);
    stackcraft_testing::assert_checkov_clean(&asm);
}
