use stackcraft_data::ReplicationGroupProps;

fn main() {
    // A cache lives in a VPC's private subnets: the VPC is required.
    let _props = ReplicationGroupProps::builder().node_type("cache.t3.medium").build();
}
