// Two or more required properties are named fields of `<Type>Required`:
// leaving one out does not compile.
use stackcraft_cfn::ec2;

fn main() {
    let _ = ec2::SubnetRouteTableAssociation::new(ec2::SubnetRouteTableAssociationRequired {
        route_table_id: "rtb-123".into(),
    });
}
