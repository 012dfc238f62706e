// Generated props structs are `#[non_exhaustive]`: built with `new` and
// setters, never with a struct literal (new schema properties stay
// non-breaking).
use stackcraft_cfn::ec2;
use stackcraft_core::Value;

fn main() {
    let _ = ec2::SubnetRouteTableAssociationRequired {
        route_table_id: Value::from("rtb-123"),
        subnet_id: Value::from("subnet-123"),
    };
    let _ = ec2::InternetGateway { tags: None };
}
