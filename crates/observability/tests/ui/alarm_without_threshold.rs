use stackcraft_observability::AlarmOptions;

fn main() {
    // `threshold` is required: forgetting it is a compile error.
    let _props = AlarmOptions::builder().evaluation_periods(3).build();
}
