use stackcraft_alb::TargetGroupProps;

fn main() {
    // The VPC is required: this must not compile.
    let _props = TargetGroupProps::builder().port(8000).build();
}
