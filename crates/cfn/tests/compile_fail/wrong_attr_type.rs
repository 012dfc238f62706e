// A GetAtt attribute is typed: a list attribute is not a string.
use stackcraft_cfn::ec2;
use stackcraft_core::{App, Value};

fn main() {
    let app = App::new("x");
    let stack = app.stack("S");
    let vpc = stack.add("Vpc", ec2::Vpc::new());
    let _: Value<String> = vpc.attr_cidr_block_associations();
}
