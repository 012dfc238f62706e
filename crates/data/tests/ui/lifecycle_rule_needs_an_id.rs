use stackcraft_data::{LifecycleRule, StorageClass, Transition};

fn main() {
    // Every lifecycle rule is named (it shows up in the S3 console and in errors).
    let _rule = LifecycleRule::builder().transitions(vec![Transition::new(StorageClass::Glacier, 90)]).build();
}
