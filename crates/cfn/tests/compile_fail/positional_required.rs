// Required properties of the same type cannot be passed (and so swapped)
// positionally.
use stackcraft_cfn::ec2;

fn main() {
    let _ = ec2::SubnetRouteTableAssociation::new("subnet-123", "rtb-123");
}
