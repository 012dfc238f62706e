//! ECR repositories: the immutable default and an acknowledged mutable one
//! with keep-N / expire-untagged lifecycle rules, snapshotted and validated
//! with cfn-lint (0 findings) and checkov (0 failed checks).

use stackcraft_core::App;
use stackcraft_ecs_service::*;
use stackcraft_iam::{Role, RoleProps, ServicePrincipal};

fn sample() -> serde_json::Value {
    let app = App::new("shop");
    stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
    let stack = app.stack("Registry");
    Repository::new(&stack, "Immutable", RepositoryProps::builder().repository_name("shop/api").build());
    let latest = Repository::new(
        &stack,
        "Latest",
        RepositoryProps::builder()
            .repository_name("shop/cart")
            .tag_mutability(TagMutability::mutable("the build pipeline pushes :latest and forces a new deployment"))
            .lifecycle_rules(vec![LifecycleRule::ExpireUntaggedAfterDays(7), LifecycleRule::KeepLast(30)])
            .build(),
    );
    let ci = Role::new(
        &stack,
        "Ci",
        RoleProps::builder().assumed_by(ServicePrincipal::new("codebuild.amazonaws.com")).build(),
    );
    latest.grant_pull_push(&ci);
    app.synth().unwrap_or_else(|e| panic!("{e}")).stacks[0].template.clone()
}

#[test]
fn snapshot() {
    insta::assert_json_snapshot!(sample());
}

#[test]
fn cfn_lint_is_clean() {
    stackcraft_testing::assert_template_cfn_lint_clean("Registry", &sample());
}

#[test]
fn checkov_is_clean() {
    stackcraft_testing::assert_template_checkov_clean("Registry", &sample());
}
