//! Generated schema validation judges a building block's resource after the
//! user's overrides: a bad override fails synth with the construct path, the
//! property path and the constraint. (These cases live here, not in
//! `stackcraft-cfn`'s corpus, so the L1 crate has no dev-dependency on a
//! block crate: that cycle kept `cargo package` from resolving it.)
#![allow(missing_docs)]

use stackcraft_core::App;
use stackcraft_data::{Bucket, BucketProps};

fn errors(build: impl Fn(&stackcraft_core::Stack)) -> Vec<String> {
    let app = App::new("corpus");
    stackcraft_cfn::install_validation(&app);
    build(&app.stack("S"));
    match app.synth() {
        Ok(_) => Vec::new(),
        Err(e) => e.errors().map(|d| format!("{} [{}]: {}", d.path, d.property, d.message)).collect(),
    }
}

#[test]
fn a_pattern_broken_by_an_override_is_reported_on_the_block_resource() {
    let e = errors(|s| {
        let b = Bucket::new(s, "Data", BucketProps::default());
        b.handle().add_property_override("BucketName", "Not_Valid");
    });
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(e[0].starts_with("S/Data/Resource [BucketName]: "), "{e:#?}");
    assert!(e[0].contains("does not match the pattern"), "{e:#?}");
}

#[test]
fn an_index_override_on_a_lifecycle_rule_is_reported_with_its_index() {
    let e = errors(|s| {
        let b = Bucket::new(s, "Data", BucketProps::builder().expire_after_days(30).build());
        b.handle().add_property_override("LifecycleConfiguration.Rules.1.Status", "Enable");
    });
    assert_eq!(
        e,
        ["S/Data/Resource [LifecycleConfiguration.Rules[1].Status]: \"Enable\" is not one of the allowed values: \
          \"Enabled\", \"Disabled\""]
    );
}
