//! A sample role stack: a task role with merged grants, managed policy by
//! name, trust conditions, pass-role. Snapshotted and validated with cfn-lint
//! (0 errors, 0 warnings) and checkov (0 failed checks).

use stackcraft_core::{App, Assembly, Value};
use stackcraft_iam::*;

fn sample() -> Assembly {
    let app = App::new("pyshop");
    stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
    let stack = app.stack("Iam");
    let task = Role::new(
        &stack,
        "TaskRole",
        RoleProps::builder()
            .assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com"))
            .trust_conditions(vec![Condition::source_account_is_this_account()])
            .description("PyShop API task role")
            .managed_policies(vec![ManagedPolicy::aws_managed("AWSXrayWriteOnlyAccess")])
            .build(),
    );
    let bucket = Value::arn("s3", "", "", "pyshop-media");
    let objects = Value::arn("s3", "", "", "pyshop-media/*");
    task.add_to_policy(PolicyStatement::allow().action("s3:GetObject").resource(objects.clone()));
    task.add_to_policy(PolicyStatement::allow().action("s3:PutObject").resource(objects));
    task.add_to_policy(PolicyStatement::allow().action("s3:ListBucket").resource(bucket));
    let queue = |name: &str| Value::arn("sqs", Value::region(), Value::account_id(), name);
    task.add_to_policy(PolicyStatement::allow().action("sqs:SendMessage").resource(queue("orders")));
    task.add_to_policy(PolicyStatement::allow().action("sqs:SendMessage").resource(queue("emails")));
    ExistingSecret::from_arn(Value::arn(
        "secretsmanager",
        Value::region(),
        Value::account_id(),
        "secret:pyshop/app-AbCdEf",
    ))
    .grant_read(&task);

    let deployer = Role::new(
        &stack,
        "Deployer",
        RoleProps::builder().assumed_by(Principal::this_account()).max_session_duration_secs(7200).build(),
    );
    task.grant_pass_role(&deployer, ServicePrincipal::new("ecs-tasks.amazonaws.com"));
    app.synth().expect("synth")
}

#[test]
fn snapshot() {
    insta::assert_json_snapshot!(sample().stacks[0].template);
}

#[test]
fn statements_are_merged() {
    let asm = sample();
    let t = &asm.stacks[0].template;
    let role = t["Resources"].as_object().unwrap().iter().find(|(k, _)| k.starts_with("TaskRole")).unwrap().1;
    let stmts = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"].as_array().unwrap();
    // GetObject+PutObject merged (same resource); ListBucket apart; the two
    // queues merged (same action); the secret read.
    assert_eq!(stmts.len(), 4, "{stmts:#?}");
}

#[test]
fn cfn_lint_is_clean() {
    stackcraft_testing::assert_cfn_lint_clean(&sample());
}

#[test]
fn checkov_is_clean() {
    stackcraft_testing::assert_checkov_clean(&sample());
}
