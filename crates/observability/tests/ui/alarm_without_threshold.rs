use stackcraft_observability::AlarmProps;

fn main() {
    // `threshold` is required: forgetting it is a compile error.
    let _props = AlarmProps::builder().evaluation_periods(3).build();
}
