// A task definition without a size: `size` is a required builder field.
use stackcraft_ecs_service::FargateTaskDefinitionProps;

fn main() {
    let _props = FargateTaskDefinitionProps::builder().family("api").build();
}
