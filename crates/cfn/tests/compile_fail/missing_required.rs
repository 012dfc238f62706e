// `Subnet::new` takes the required `VpcId`: leaving it out does not compile.
use stackcraft_cfn::ec2;

fn main() {
    let _ = ec2::Subnet::new().cidr_block("10.0.1.0/24");
}
