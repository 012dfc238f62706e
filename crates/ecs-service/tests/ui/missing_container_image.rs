// A container without an image: `image` is a required builder field.
use stackcraft_ecs_service::ContainerProps;

fn main() {
    let _props = ContainerProps::builder().name("api").build();
}
