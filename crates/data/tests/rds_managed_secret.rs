//! RDS-managed master secret (`ManageMasterUserPassword`): no password or
//! generated secret in the template, the secret encrypted with the
//! instance's key, readers get exactly that secret and key. cfn-lint and
//! checkov clean.

use stackcraft_core::{App, Assembly};
use stackcraft_data::*;
use stackcraft_iam::{Role, RoleProps, SecretSource, ServicePrincipal};
use stackcraft_vpc::{NatGateways, SubnetConfiguration, Vpc, VpcProps};

fn sample() -> (Assembly, String, Role) {
    let app = App::new("ot");
    stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
    app.set_environment("prod", true);
    let stack = app.stack("Data");
    let vpc = Vpc::new(
        &stack,
        "Vpc",
        VpcProps::builder()
            .subnets(vec![SubnetConfiguration::public("Public"), SubnetConfiguration::isolated("Data")])
            .nat_gateways(NatGateways::None)
            .build(),
    );
    let db = DatabaseInstance::new(
        &stack,
        "Database",
        DatabaseInstanceProps::builder()
            .vpc(vpc)
            .engine_version(PostgresVersion::V16_15)
            .master_password(MasterPassword::RdsManaged)
            .build(),
    );
    assert!(db.secret().is_none() && db.connection_string_secret().is_none());
    let role = Role::new(
        &stack,
        "TaskRole",
        RoleProps::builder().assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com")).build(),
    );
    db.master_secret().grant_read(&role);
    let id = db.handle().logical_id();
    (app.synth().expect("synth"), id, role)
}

#[test]
fn rds_manages_the_secret() {
    let (asm, id, role) = sample();
    let t = &asm.stacks[0].template;
    let p = &t["Resources"][&id]["Properties"];
    assert_eq!(p["ManageMasterUserPassword"], true);
    assert!(p.get("MasterUserPassword").is_none());
    assert!(p["MasterUserSecret"]["KmsKeyId"]["Fn::GetAtt"].is_array(), "{p:#}");
    let types: Vec<&str> =
        t["Resources"].as_object().expect("resources").values().filter_map(|r| r["Type"].as_str()).collect();
    assert!(!types.contains(&"AWS::SecretsManager::Secret"), "{types:?}");
    let doc = role.policy_document();
    let text = serde_json::to_string(&doc.to_json()).expect("json");
    assert!(text.contains("MasterUserSecret.SecretArn") && text.contains("kms:Decrypt"), "{text}");
}

#[test]
fn cfn_lint_and_checkov_are_clean() {
    let (asm, _, _) = sample();
    stackcraft_testing::assert_cfn_lint_clean(&asm);
    stackcraft_testing::assert_checkov_clean(&asm);
}

/// A shared stack (one for every environment) gets production defaults
/// whatever environment is synthesized: its template must not depend on it.
#[test]
fn a_shared_stack_is_multi_az_in_every_environment() {
    let template = |env: &str, production: bool| {
        let app = App::new("ot");
        app.set_environment(env, production);
        let stack = app.shared_stack("Bootstrap");
        let tiers = vec![SubnetConfiguration::public("Public"), SubnetConfiguration::isolated("Data")];
        let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().subnets(tiers).nat_gateways(NatGateways::None).build());
        let props = DatabaseInstanceProps::builder().vpc(vpc).engine_version(PostgresVersion::V16_15);
        let db = DatabaseInstance::new(&stack, "Database", props.build());
        let id = db.handle().logical_id();
        let t = app.synth().expect("synth").stacks[0].template.clone();
        assert_eq!(t["Resources"][&id]["Properties"]["MultiAZ"], true, "{env}");
        t
    };
    assert_eq!(template("dev", false), template("prod", true));
}
