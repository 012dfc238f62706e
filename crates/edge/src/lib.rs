//! stackcraft-edge: content delivery with CloudFront.
//!
//! - [`Distribution`]: default and path behaviours ([`Behavior`]) with
//!   managed cache and origin-request policies by name ([`CachePolicy`],
//!   [`OriginRequestPolicy`]), HTTPS to viewers ([`ViewerProtocol`]: no
//!   plain HTTP) with TLS ≥ 1.2 ([`MinimumTls`]), price class, default root
//!   object, SPA error responses ([`ErrorResponse::spa`]), access logs,
//!   a WAFv2 web ACL, an ACM certificate and alternate domain names.
//! - Origins ([`Origin`]): private S3 buckets through origin access
//!   control — the bucket policy grants `s3:GetObject` to
//!   `cloudfront.amazonaws.com` only for this distribution
//!   (`AWS:SourceArn`), and an SSE-KMS key lets CloudFront decrypt — and
//!   HTTPS origins ([`HttpOrigin`]: HTTPS-only, TLS 1.2, custom headers such
//!   as an origin-verify secret), and load balancers only CloudFront can
//!   reach ([`AlbOrigin`]: an origin-verify header from a generated secret
//!   required by every listener rule, default action 403, and the security
//!   group opened only to CloudFront's origin-facing prefix list).
//! - The us-east-1 side ([`EdgeStack`]): DNS-validated certificates and
//!   [`WebAcl`]s (scope `CLOUDFRONT`, AWS managed rule groups, optional
//!   rate limit) in a stack pinned to us-east-1, used by a distribution in
//!   the app's region through cross-region references; a certificate from a
//!   stack elsewhere is a synth error.
//!
//! Its own crate because it sits above both `data` (buckets) and `alb`
//! (origins, domain-name rules) and below the patterns.
//!
//! # checkov
//!
//! With a certificate, a web ACL and access logs the distribution passes
//! checkov without skips. Leaving out the web ACL or the logs needs a
//! written reason (`no_web_acl_reason`, `no_logging_reason`), which becomes
//! the reason of the CKV_AWS_68 / CKV_AWS_86 skip; without a certificate
//! the `*.cloudfront.net` certificate is used and CKV_AWS_174 is skipped
//! saying so.
//!
//! # Prefix list ids
//!
//! CloudFormation cannot look up a managed prefix list, and CloudFront's
//! origin-facing list has a different id in every region. When the
//! listener's stack has a region known at synth the id comes from
//! [`CLOUDFRONT_ORIGIN_FACING`] (a table with its source); otherwise the
//! template carries that table as a mapping read with `Fn::FindInMap` on
//! `AWS::Region`. A region outside the table needs
//! [`AlbOrigin::prefix_list_id`].
#![forbid(unsafe_code)]

mod distribution;
mod edge_stack;
mod policies;
mod waf;

pub use distribution::{
    AlbOrigin, Behavior, Distribution, DistributionLogging, DistributionProps, ErrorResponse, HttpOrigin, Origin,
    CLOUDFRONT_HOSTED_ZONE_ID,
};
pub use edge_stack::{cloudfront_origin_facing_prefix_list, EdgeStack, CLOUDFRONT_ORIGIN_FACING};
pub use policies::{AllowedMethods, CachePolicy, MinimumTls, OriginRequestPolicy, PriceClass, ViewerProtocol};
pub use waf::{WebAcl, WebAclProps, MANAGED_RULE_GROUPS};
