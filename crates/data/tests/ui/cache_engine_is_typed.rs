use stackcraft_core::App;
use stackcraft_data::ReplicationGroupProps;
use stackcraft_vpc::{Vpc, VpcProps};

fn main() {
    let app = App::new("t");
    let stack = app.stack("S");
    let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().build());
    // Engine and version are one typed choice, not free text.
    let _props = ReplicationGroupProps::builder().vpc(vpc).engine("redis 7.1").build();
}
