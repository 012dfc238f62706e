use stackcraft_vpc::SecurityGroupProps;

fn main() {
    // Every security group needs a description: this must not compile.
    let _props = SecurityGroupProps::builder().allow_all_outbound(false).build();
}
