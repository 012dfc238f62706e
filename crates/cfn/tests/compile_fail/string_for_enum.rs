// A string literal does not fit an enum property; a value newer than the
// schemas needs the explicit escape `InstanceTenancy::Other("..".into())`.
use stackcraft_cfn::ec2;

fn main() {
    let _ = ec2::Vpc::new().instance_tenancy("default");
}
