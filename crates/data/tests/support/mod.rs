//! Setup shared by the cold-chain data tests (`cache_and_buckets.rs`,
//! `redis.rs`): the app, its VPC and the task role the grants go to.
#![allow(dead_code)] // each test binary uses its own part

use stackcraft_core::{App, Stack};
use stackcraft_iam::{Role, RoleProps, ServicePrincipal};
use stackcraft_vpc::{SubnetConfiguration, Vpc, VpcProps};

/// The `coldchain` app with the default policy (it derives the checkov
/// skips of acknowledgements), as environment `prod` or `dev`.
pub(crate) fn coldchain_app(production: bool) -> App {
    let app = App::new("coldchain");
    stackcraft_policy::install_default(&app);
    app.set_environment(if production { "prod" } else { "dev" }, production);
    app
}

/// A VPC with one public and one private (egress) tier of /24 subnets.
pub(crate) fn vpc(stack: &Stack) -> Vpc {
    Vpc::new(
        stack,
        "Vpc",
        VpcProps::builder()
            .subnets(vec![
                SubnetConfiguration::public("Public").cidr_mask(24),
                SubnetConfiguration::private_with_egress("Private").cidr_mask(24),
            ])
            .build(),
    )
}

/// An ECS task role (`TaskRole`) for the grants.
pub(crate) fn task_role(stack: &Stack) -> Role {
    Role::new(
        stack,
        "TaskRole",
        RoleProps::builder().assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com")).build(),
    )
}
