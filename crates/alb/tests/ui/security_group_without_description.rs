use stackcraft_core::App;
use stackcraft_vpc::{SecurityGroupProps, Vpc, VpcProps};

fn main() {
    // Every security group needs a description: this must not compile.
    let app = App::new("t");
    let stack = app.stack("S");
    let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().build());
    let _props = SecurityGroupProps::builder().vpc(vpc).allow_all_outbound(false).build();
}
