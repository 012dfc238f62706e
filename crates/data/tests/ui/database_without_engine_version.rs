use stackcraft_core::App;
use stackcraft_data::DatabaseInstanceProps;
use stackcraft_vpc::{Vpc, VpcProps};

fn main() {
    let app = App::new("t");
    let stack = app.stack("S");
    let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().build());
    // A database's major version is a deliberate choice: it is required.
    let _props = DatabaseInstanceProps::builder().vpc(vpc).build();
}
