// A nested property takes its own struct, not another one.
use stackcraft_cfn::ecs::task_definition;

fn main() {
    let _ = task_definition::ContainerDefinition::new(task_definition::ContainerDefinitionRequired {
        image: "nginx".into(),
        name: "web".into(),
    })
        .port_mappings(vec![task_definition::KeyValuePair::new()]);
}
