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
//!   as an origin-verify secret).
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
//! # Gaps
//!
//! The certificate and web ACL come in as ARNs (they must live in
//! us-east-1); creating them from a us-east-1 stack through cross-region
//! references waits for per-stack regions in core. Restricting a load
//! balancer origin to CloudFront's managed prefix list needs prefix-list
//! rules in `stackcraft-vpc`; today use an origin-verify header.
#![forbid(unsafe_code)]

mod distribution;
mod policies;

pub use distribution::{
    Behavior, Distribution, DistributionLogging, DistributionProps, ErrorResponse, HttpOrigin, Origin,
};
pub use policies::{AllowedMethods, CachePolicy, MinimumTls, OriginRequestPolicy, PriceClass, ViewerProtocol};
