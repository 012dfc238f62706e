use stackcraft_core::App;
use stackcraft_data::DatabaseInstanceProps;
use stackcraft_vpc::{Vpc, VpcProps};

fn main() {
    let app = App::new("t");
    let stack = app.stack("S");
    let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().build());
    // Versions are `PostgresVersion` values, not free-form strings.
    let _props = DatabaseInstanceProps::builder()
        .vpc(vpc)
        .engine_version("15.5")
        .build();
}
