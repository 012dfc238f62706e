use stackcraft_edge::DistributionProps;

fn main() {
    let _ = DistributionProps::builder().no_web_acl_reason("x").no_logging_reason("y").build();
}
