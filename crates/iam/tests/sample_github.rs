//! A sample bootstrap stack: GitHub's OIDC provider, deployer roles for dev
//! (branch/environment) and prod (tags `v*`) with least-privilege deploy
//! statements, an execution role passed only to ECS tasks. Snapshotted and
//! validated with cfn-lint (0 errors, 0 warnings) and checkov (0 failed).

use stackcraft_core::{App, Assembly};
use stackcraft_iam::*;

fn sample() -> Assembly {
    let app = App::new("shop");
    let stack = app.stack("Bootstrap");
    let github = OpenIdConnectProvider::github(&stack, "GitHub");
    let exec = Role::new(
        &stack,
        "ExecutionRole",
        RoleProps::builder()
            .assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com"))
            .managed_policies(vec![ManagedPolicy::aws_managed("service-role/AmazonECSTaskExecutionRolePolicy")])
            .build(),
    );
    for (id, env, who) in [
        ("DevDeployer", "dev", github.github_actions("acme/shop").branch("main").environment("dev")),
        ("ProdDeployer", "prod", github.github_actions("acme/shop").tag("v*")),
    ] {
        let role = Role::new(
            &stack,
            id,
            RoleProps::builder()
                .assumed_by(who)
                .inline_statements(deploy_statements(&[format!("shop-{env}-*")]).expect("patterns"))
                .build(),
        );
        exec.grant_pass_role(&role, ServicePrincipal::new("ecs-tasks.amazonaws.com"));
    }
    app.synth().expect("synth")
}

#[test]
fn snapshot() {
    insta::assert_json_snapshot!(sample().stacks[0].template);
}

#[test]
fn trust_is_web_identity_with_aud_and_sub() {
    let asm = sample();
    let t = &asm.stacks[0].template;
    let res = t["Resources"].as_object().expect("resources");
    let prod = res.iter().find(|(k, _)| k.starts_with("ProdDeployer")).expect("prod").1;
    let st = &prod["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(st["Action"], "sts:AssumeRoleWithWebIdentity");
    assert_eq!(
        st["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"],
        "repo:acme/shop:ref:refs/tags/v*"
    );
    assert_eq!(st["Principal"]["Federated"]["Ref"].as_str().map(|s| s.starts_with("GitHub")), Some(true));
}

#[test]
fn cfn_lint_is_clean() {
    stackcraft_testing::assert_cfn_lint_clean(&sample());
}

#[test]
fn checkov_is_clean() {
    stackcraft_testing::assert_checkov_clean(&sample());
}
