// `MapPublicIpOnLaunch` is a boolean: a string does not compile.
use stackcraft_cfn::ec2;

fn main() {
    let _ = ec2::Subnet::new("vpc-123").map_public_ip_on_launch("yes");
}
