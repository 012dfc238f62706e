//! A PyShop-like data stack: synthesized, snapshotted, and validated with
//! cfn-lint (0 findings) and checkov (0 failed checks).

use stackcraft_core::App;
use stackcraft_data::*;
use stackcraft_iam::{Role, RoleProps, SecretSource, ServicePrincipal};
use stackcraft_messaging::{Topic, TopicProps};
use stackcraft_observability::{AlarmOptions, ComparisonOperator};
use stackcraft_vpc::{HasConnections, SecurityGroup, SecurityGroupProps, SubnetConfiguration, Vpc, VpcProps};

fn sample(production: bool) -> serde_json::Value {
    let app = App::new("pyshop");
    stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
    app.set_environment(if production { "prod" } else { "dev" }, production);
    let stack = app.stack("Data");
    let vpc = Vpc::new(
        &stack,
        "Vpc",
        VpcProps::builder()
            .subnets(vec![
                SubnetConfiguration::public("Public").cidr_mask(24),
                SubnetConfiguration::private_with_egress("Private").cidr_mask(24),
                SubnetConfiguration::isolated("Data").cidr_mask(24),
            ])
            .build(),
    );
    let db = DatabaseInstance::new(
        &stack,
        "Database",
        DatabaseInstanceProps::builder()
            .vpc(vpc.clone())
            .engine_version(PostgresVersion::V15_19)
            .database_name("pyshop")
            .max_allocated_storage_gib(100)
            .instance_identifier(if production { "pyshop-prod" } else { "pyshop-dev" })
            .parameters(std::collections::BTreeMap::from([(
                "log_min_duration_statement".to_string(),
                "500".to_string(),
            )]))
            .build(),
    );
    // An application that reads the secrets and connects to the database.
    let app_sg = SecurityGroup::new(
        &stack,
        "AppSecurityGroup",
        SecurityGroupProps::builder().vpc(vpc.clone()).description("PyShop API tasks").build(),
    );
    db.connections().allow_default_port_from(&stackcraft_vpc::Connections::new(vec![app_sg], None));
    let role = Role::new(
        &stack,
        "TaskRole",
        RoleProps::builder().assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com")).build(),
    );
    db.connection_string_secret().expect("generated").grant_read(&role);
    db.secret().expect("generated").grant_read(&role);
    db.grant_connect(&role, "pyshop_app");
    let app_key = Secret::new(&stack, "AppSecretKey", SecretProps::default());
    app_key.grant_read(&role);

    let access_logs = Bucket::new(
        &stack,
        "AccessLogs",
        BucketProps::builder()
            .expire_after_days(365)
            .no_access_logs_reason("this bucket receives the access logs of the other buckets")
            .build(),
    );
    let uploads = Bucket::new(
        &stack,
        "Uploads",
        BucketProps::builder()
            .encryption(BucketEncryption::NewKey)
            .server_access_logs((access_logs.clone(), "uploads/".to_string()))
            .build(),
    );
    uploads.grant_read_write(&role);
    access_logs.allow_load_balancer_access_logs("alb");

    let topic = Topic::new(&stack, "Alarms", TopicProps::default());
    db.metric_cpu_utilization()
        .period_secs(60)
        .create_alarm(&stack, "DbCpu", AlarmOptions::builder().threshold(80.0).evaluation_periods(3).build())
        .notify(&topic);
    db.metric_free_storage_space()
        .create_alarm(
            &stack,
            "DbStorage",
            AlarmOptions::builder()
                .threshold(2.0 * 1024.0 * 1024.0 * 1024.0)
                .comparison_operator(ComparisonOperator::LessThanThreshold)
                .build(),
        )
        .notify(&topic);
    app.synth().expect("synth").stacks[0].template.clone()
}

/// The template without the VPC's own resources (owned and snapshotted by
/// stackcraft-vpc), so this snapshot only changes when the data blocks do.
fn without_vpc(mut t: serde_json::Value) -> serde_json::Value {
    if let Some(r) = t["Resources"].as_object_mut() {
        r.retain(|id, _| !id.starts_with("Vpc"));
    }
    t
}

#[test]
fn snapshot_dev() {
    insta::assert_json_snapshot!(without_vpc(sample(false)));
}

#[test]
fn snapshot_prod() {
    insta::assert_json_snapshot!(without_vpc(sample(true)));
}

#[test]
fn cfn_lint_is_clean() {
    stackcraft_testing::assert_template_cfn_lint_clean("DataDev", &sample(false));
    stackcraft_testing::assert_template_cfn_lint_clean("DataProd", &sample(true));
}

#[test]
fn checkov_is_clean() {
    stackcraft_testing::assert_template_checkov_clean("DataDev", &sample(false));
    stackcraft_testing::assert_template_checkov_clean("DataProd", &sample(true));
}

/// The seed pins PostgreSQL 15.5, which cfn-lint 1.58.0 flags as deprecated;
/// the same stack with [`PostgresVersion::V15_19`] is clean (see above).
#[test]
fn seed_version_15_5_is_flagged_as_deprecated() {
    let app = App::new("t");
    let stack = app.stack("Data");
    let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().build());
    DatabaseInstance::new(
        &stack,
        "Database",
        DatabaseInstanceProps::builder().vpc(vpc).engine_version(PostgresVersion::of(15, 5)).build(),
    );
    let t = app.synth().unwrap().stacks[0].template.clone();
    if let Some(result) = stackcraft_testing::cfn_lint_template("Seed", &t) {
        let findings = result.expect_err("cfn-lint flags 15.5");
        assert!(findings.contains("deprecated"), "{findings}");
    }
}

/// The database in one stack, the application's role and security group in
/// another: the secrets, key and security group are imported.
#[test]
fn database_used_from_another_stack() {
    let app = App::new("pyshop");
    let data = app.stack("Data");
    let vpc = Vpc::new(&data, "Vpc", VpcProps::builder().build());
    let db = DatabaseInstance::new(
        &data,
        "Database",
        DatabaseInstanceProps::builder().vpc(vpc.clone()).engine_version(PostgresVersion::V16_15).build(),
    );
    let api = app.stack("Api");
    let sg = SecurityGroup::new(
        &api,
        "Tasks",
        SecurityGroupProps::builder().vpc(vpc.clone()).description("API tasks").build(),
    );
    // Open the port from the client's side, so that the rules live in the
    // client's stack and only the client stack imports from the data stack.
    stackcraft_vpc::Connections::new(vec![sg], None).allow_default_port_to(&db);
    let role = Role::new(
        &api,
        "TaskRole",
        RoleProps::builder().assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com")).build(),
    );
    db.connection_string_secret().expect("generated").grant_read(&role);
    let asm = app.synth().expect("synth");
    let api_t = &asm.stack("Api").unwrap().template;
    assert!(api_t.to_string().contains("Fn::ImportValue"));
    assert_eq!(asm.stack("Api").unwrap().dependencies, ["Data"]);
    for s in &asm.stacks {
        stackcraft_testing::assert_template_cfn_lint_clean(&s.id, &s.template);
    }
}
