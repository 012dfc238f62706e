// iam:PassRole is always constrained by iam:PassedToService: the service
// the role may be passed to is a required argument.
use stackcraft_core::App;
use stackcraft_iam::{Principal, Role, RoleProps, ServicePrincipal};

fn main() {
    let app = App::new("t");
    let stack = app.stack("S");
    let exec = Role::new(&stack, "Exec", RoleProps::builder().assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com")).build());
    let deployer = Role::new(&stack, "Deployer", RoleProps::builder().assumed_by(Principal::this_account()).build());
    exec.grant_pass_role(&deployer);
}
