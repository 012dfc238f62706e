//! Setup shared by the edge tests (`portal.rs`, `sample_stack.rs`): the
//! frontend's buckets.
#![allow(dead_code)] // each test binary uses its own part

use stackcraft_core::Scope;
use stackcraft_data::{Bucket, BucketEncryption, BucketProps, ObjectOwnership};

/// The bucket receiving the CloudFront and S3 access logs (`Logs`).
pub(crate) fn log_bucket(scope: &Scope) -> Bucket {
    Bucket::new(
        scope,
        "Logs",
        BucketProps::builder()
            .object_ownership(ObjectOwnership::BucketOwnerPreferred)
            .expire_after_days(365)
            .no_access_logs_reason("this bucket receives the CloudFront access logs")
            .build(),
    )
}

/// The site bucket (`Site`), logging to `logs` under `site/`.
pub(crate) fn site_bucket(scope: &Scope, logs: &Bucket, encryption: BucketEncryption) -> Bucket {
    Bucket::new(
        scope,
        "Site",
        BucketProps::builder().encryption(encryption).server_access_logs((logs.clone(), "site/".to_string())).build(),
    )
}

/// A site bucket (`Site`) without access logs, for tests of other things.
pub(crate) fn unlogged_site_bucket(scope: &Scope) -> Bucket {
    Bucket::new(scope, "Site", BucketProps::builder().no_access_logs_reason("a test bucket, nothing to audit").build())
}
