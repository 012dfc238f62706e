//! Typed names of CloudFront's managed policies and the viewer settings of a
//! behaviour.

use stackcraft_cfn::cloudfront::distribution as d;
use stackcraft_core::Value;

/// A cache policy: one of CloudFront's managed policies by name, or the id
/// of your own.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CachePolicy {
    /// `Managed-CachingOptimized`: long TTLs, gzip and Brotli, no headers,
    /// cookies or query strings in the cache key. For static content.
    CachingOptimized,
    /// `Managed-CachingOptimizedForUncompressedObjects`.
    CachingOptimizedForUncompressedObjects,
    /// `Managed-CachingDisabled`: nothing cached. For APIs.
    CachingDisabled,
    /// `Managed-UseOriginCacheControlHeaders`: the origin's `Cache-Control`
    /// decides.
    UseOriginCacheControlHeaders,
    /// `Managed-UseOriginCacheControlHeaders-QueryStrings`: as above, with
    /// the query string in the cache key.
    UseOriginCacheControlHeadersQueryStrings,
    /// The id of another cache policy.
    Custom(Value<String>),
}

impl CachePolicy {
    /// The policy id CloudFront knows it by.
    pub fn id(&self) -> Value<String> {
        Value::from(match self {
            CachePolicy::CachingOptimized => "658327ea-f89d-4fab-a63d-7e88639e58f6",
            CachePolicy::CachingOptimizedForUncompressedObjects => "b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
            CachePolicy::CachingDisabled => "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
            CachePolicy::UseOriginCacheControlHeaders => "83da9c7e-98b4-4e11-a168-04f0df8e2c65",
            CachePolicy::UseOriginCacheControlHeadersQueryStrings => "4cc15a8a-d715-48a4-82b8-cc0b614638fe",
            CachePolicy::Custom(id) => return id.clone(),
        })
    }
}

/// An origin request policy (what CloudFront forwards to the origin beyond
/// the cache key): a managed one by name, or the id of your own.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum OriginRequestPolicy {
    /// `Managed-AllViewer`: every viewer header (including `Host`), cookie
    /// and query string.
    AllViewer,
    /// `Managed-AllViewerExceptHostHeader`: everything but `Host` (so the
    /// origin sees its own name and its certificate matches). The usual
    /// choice for a load balancer or API origin.
    AllViewerExceptHostHeader,
    /// `Managed-AllViewerAndCloudFrontHeaders-2022-06`.
    AllViewerAndCloudFrontHeaders2022,
    /// `Managed-CORS-S3Origin`: the CORS request headers, for S3.
    CorsS3Origin,
    /// `Managed-CORS-CustomOrigin`.
    CorsCustomOrigin,
    /// `Managed-UserAgentRefererHeaders`.
    UserAgentRefererHeaders,
    /// The id of another origin request policy.
    Custom(Value<String>),
}

impl OriginRequestPolicy {
    /// The policy id CloudFront knows it by.
    pub fn id(&self) -> Value<String> {
        Value::from(match self {
            OriginRequestPolicy::AllViewer => "216adef6-5c7f-47e4-b989-5492eafa07d3",
            OriginRequestPolicy::AllViewerExceptHostHeader => "b689b0a8-53d0-40ab-baf2-68738e2966ac",
            OriginRequestPolicy::AllViewerAndCloudFrontHeaders2022 => "33f36d7e-f396-46d9-90e0-52428a34d9dc",
            OriginRequestPolicy::CorsS3Origin => "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
            OriginRequestPolicy::CorsCustomOrigin => "59781a5b-3903-41f3-afcb-af62929ccde1",
            OriginRequestPolicy::UserAgentRefererHeaders => "acba4595-bd28-49b8-b9fe-13317c0390fa",
            OriginRequestPolicy::Custom(id) => return id.clone(),
        })
    }
}

/// How viewers may connect. Plain HTTP (`allow-all`) is not offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ViewerProtocol {
    /// HTTP requests are redirected to HTTPS (default).
    #[default]
    RedirectToHttps,
    /// HTTP requests are refused (403).
    HttpsOnly,
}

impl ViewerProtocol {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ViewerProtocol::RedirectToHttps => "redirect-to-https",
            ViewerProtocol::HttpsOnly => "https-only",
        }
    }

    pub(crate) fn l1(self) -> d::ViewerProtocolPolicy {
        match self {
            ViewerProtocol::RedirectToHttps => d::ViewerProtocolPolicy::RedirectToHttps,
            ViewerProtocol::HttpsOnly => d::ViewerProtocolPolicy::HttpsOnly,
        }
    }
}

/// The HTTP methods a behaviour accepts (and forwards to the origin).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AllowedMethods {
    /// `GET`, `HEAD` (default; static content).
    #[default]
    GetHead,
    /// `GET`, `HEAD`, `OPTIONS` (CORS preflight).
    GetHeadOptions,
    /// All seven methods (APIs).
    All,
}

impl AllowedMethods {
    pub(crate) fn methods(self) -> (Vec<&'static str>, Vec<&'static str>) {
        match self {
            AllowedMethods::GetHead => (vec!["GET", "HEAD"], vec!["GET", "HEAD"]),
            AllowedMethods::GetHeadOptions => (vec!["GET", "HEAD", "OPTIONS"], vec!["GET", "HEAD"]),
            AllowedMethods::All => {
                (vec!["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"], vec!["GET", "HEAD"])
            }
        }
    }
}

/// Which edge locations serve the distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PriceClass {
    /// `PriceClass_100`: North America, Europe and Israel (default; cheapest).
    #[default]
    NorthAmericaEurope,
    /// `PriceClass_200`: all but South America, Australia and New Zealand.
    MostRegions,
    /// `PriceClass_All`: every edge location.
    All,
}

impl PriceClass {
    /// The CloudFormation value.
    pub fn as_str(self) -> &'static str {
        match self {
            PriceClass::NorthAmericaEurope => "PriceClass_100",
            PriceClass::MostRegions => "PriceClass_200",
            PriceClass::All => "PriceClass_All",
        }
    }

    pub(crate) fn l1(self) -> d::PriceClass {
        match self {
            PriceClass::NorthAmericaEurope => d::PriceClass::PriceClass100,
            PriceClass::MostRegions => d::PriceClass::PriceClass200,
            PriceClass::All => d::PriceClass::PriceClassAll,
        }
    }
}

/// The oldest TLS version (and its ciphers) viewers may use with a custom
/// certificate. All variants are TLS 1.2 or newer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MinimumTls {
    /// `TLSv1.2_2021` (default; AWS's recommendation).
    #[default]
    Tls12_2021,
    /// `TLSv1.2_2025`: TLS 1.2 with a shorter cipher list.
    Tls12_2025,
    /// `TLSv1.3_2025`: TLS 1.3 only.
    Tls13_2025,
}

impl MinimumTls {
    /// The CloudFormation value.
    pub fn as_str(self) -> &'static str {
        match self {
            MinimumTls::Tls12_2021 => "TLSv1.2_2021",
            MinimumTls::Tls12_2025 => "TLSv1.2_2025",
            MinimumTls::Tls13_2025 => "TLSv1.3_2025",
        }
    }

    pub(crate) fn l1(self) -> d::MinimumProtocolVersion {
        match self {
            MinimumTls::Tls12_2021 => d::MinimumProtocolVersion::TLSv1_2_2021,
            MinimumTls::Tls12_2025 => d::MinimumProtocolVersion::TLSv1_2_2025,
            MinimumTls::Tls13_2025 => d::MinimumProtocolVersion::TLSv1_3_2025,
        }
    }
}
