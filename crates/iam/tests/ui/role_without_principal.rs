// A role nobody can assume: `assumed_by` is a required builder field.
use stackcraft_iam::RoleProps;

fn main() {
    let _props = RoleProps::builder().description("orphan").build();
}
