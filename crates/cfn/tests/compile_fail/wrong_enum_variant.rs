// Enum properties are typed: a variant the schema does not define does not compile.
use stackcraft_cfn::ec2;

fn main() {
    let _ = ec2::Vpc::new().instance_tenancy(ec2::vpc::InstanceTenancy::Shared);
}
