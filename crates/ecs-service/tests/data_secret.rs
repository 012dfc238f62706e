//! The iam::SecretSource interface end to end: a stackcraft-data Secret in a
//! data stack, injected (whole and one JSON key) into a container of a
//! service stack. The execution role gets read access to that secret and
//! decrypt on its key; cfn-lint and checkov stay clean.

use stackcraft_core::{App, Assembly};
use stackcraft_data::{Secret, SecretProps};
use stackcraft_ecs_service::*;

fn sample() -> (Assembly, String) {
    let app = App::new("pyshop");
    stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
    let data = app.stack("Data");
    let secret = Secret::new(&data, "AppSecret", SecretProps::builder().description("API signing key").build());
    let api = app.stack("Api");
    let td = FargateTaskDefinition::new(
        &api,
        "Task",
        FargateTaskDefinitionProps::builder().size(FargateSize::CPU_256_MEM_512).build(),
    );
    let c = td.add_container(
        ContainerProps::builder().name("api").image(ContainerImage::from_registry("python:3.12-slim")).build(),
    );
    c.add_secret("SECRET_KEY", ContainerSecret::from_secrets_manager(&secret));
    c.add_secret("SECRET_KEY_ID", ContainerSecret::from_secrets_manager_json_key(&secret, "id"));
    let role_id = td.execution_role().handle().logical_id();
    (app.synth().expect("synth"), role_id)
}

#[test]
fn execution_role_reads_exactly_the_secret() {
    let (asm, role_id) = sample();
    let api = asm.stack("Api").unwrap();
    assert_eq!(api.dependencies, ["Data"]);
    let stmts = &api.template["Resources"][&role_id]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
    let text = stmts.to_string();
    assert!(text.contains("secretsmanager:GetSecretValue") && text.contains("kms:Decrypt"), "{text}");
    assert!(text.contains("Fn::ImportValue"), "the secret comes from the Data stack: {text}");
    // One secret, one statement for it, whether used whole or by key.
    assert_eq!(text.matches("secretsmanager:GetSecretValue").count(), 1, "{text}");
}

#[test]
fn cfn_lint_and_checkov_are_clean() {
    let (asm, _) = sample();
    stackcraft_testing::assert_cfn_lint_clean(&asm);
    stackcraft_testing::assert_checkov_clean(&asm);
}
