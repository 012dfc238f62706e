//! CloudFront distributions (`AWS::CloudFront::Distribution`) with S3
//! origins behind origin access control and HTTPS origins.

use stackcraft_alb::{Certificate, HostedZone, Listener, ListenerProtocol};
use stackcraft_cfn::cloudfront as cf;
use stackcraft_cfn::cloudfront::distribution as d;
use stackcraft_cfn::route53;
use stackcraft_core::{ResourceHandle, Scope, Value};
use stackcraft_data::{Bucket, GeneratedSecret, Secret, SecretProps, SecretValue};
use stackcraft_iam::{PolicyStatement, Principal};
use stackcraft_observability::{Metric, Statistic};
use typed_builder::TypedBuilder;

use crate::edge_stack::cloudfront_origin_facing_prefix_list;
use crate::policies::{AllowedMethods, CachePolicy, MinimumTls, OriginRequestPolicy, PriceClass, ViewerProtocol};
use crate::waf::WebAcl;

/// An HTTPS origin: a load balancer, an API, any web server with a
/// certificate for `domain_name`. CloudFront always connects with HTTPS and
/// TLS 1.2.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpOrigin {
    domain_name: Value<String>,
    https_port: u16,
    read_timeout_secs: u32,
    keepalive_timeout_secs: u32,
    headers: Vec<(String, Value<String>)>,
}

impl HttpOrigin {
    /// An origin reached at `https://<domain_name>:443`. The origin's
    /// certificate must be valid for `domain_name` (for a load balancer:
    /// an alias record and its ACM certificate, not the `elb.amazonaws.com`
    /// name).
    pub fn new(domain_name: impl Into<Value<String>>) -> Self {
        HttpOrigin {
            domain_name: domain_name.into(),
            https_port: 443,
            read_timeout_secs: 30,
            keepalive_timeout_secs: 5,
            headers: Vec::new(),
        }
    }

    /// Another HTTPS port (default 443).
    pub fn https_port(mut self, port: u16) -> Self {
        self.https_port = port;
        self
    }

    /// Seconds CloudFront waits for a response (1 to 120 without a quota
    /// increase; default 30).
    pub fn read_timeout_secs(mut self, secs: u32) -> Self {
        self.read_timeout_secs = secs;
        self
    }

    /// Seconds an idle connection to the origin is kept (1 to 60; default 5).
    pub fn keepalive_timeout_secs(mut self, secs: u32) -> Self {
        self.keepalive_timeout_secs = secs;
        self
    }

    /// A header CloudFront adds to every request to the origin, e.g. an
    /// origin-verify secret the origin checks (pass a Secrets Manager
    /// dynamic reference, never the secret itself).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<Value<String>>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// An internet-facing application load balancer behind CloudFront, closed
/// to everyone else. When a [`Distribution`] uses it:
/// - a Secrets Manager secret `OriginVerify` (64 random letters and digits)
///   is created next to the listener; CloudFront sends it in the
///   origin-verify header (default `X-Origin-Verify`) and the listener
///   requires it on every rule, answering everything else with a fixed 403
///   ([`Listener::require_header`]); the value reaches both templates only
///   as a `{{resolve:secretsmanager:...}}` dynamic reference;
/// - the listener's open ingress rule admits only CloudFront's
///   origin-facing managed prefix list
///   ([`Listener::restrict_to_prefix_list`], id from
///   [`crate::CLOUDFRONT_ORIGIN_FACING`]).
///
/// CloudFront connects with HTTPS (TLS 1.2) to `domain_name`, which the
/// listener's certificate must cover (an alias record of the load balancer,
/// not its `elb.amazonaws.com` name).
#[derive(Debug, Clone)]
pub struct AlbOrigin {
    listener: Listener,
    http: HttpOrigin,
    header_name: String,
    prefix_list_id: Option<Value<String>>,
}

impl AlbOrigin {
    /// The HTTPS `listener`, reached at `domain_name`.
    pub fn new(listener: &Listener, domain_name: impl Into<Value<String>>) -> Self {
        AlbOrigin {
            listener: listener.clone(),
            http: HttpOrigin::new(domain_name).https_port(listener.port()),
            header_name: "X-Origin-Verify".into(),
            prefix_list_id: None,
        }
    }

    /// Another origin-verify header name (default `X-Origin-Verify`).
    pub fn header_name(mut self, name: impl Into<String>) -> Self {
        self.header_name = name.into();
        self
    }

    /// The id of CloudFront's origin-facing prefix list, for regions outside
    /// [`crate::CLOUDFRONT_ORIGIN_FACING`].
    pub fn prefix_list_id(mut self, id: impl Into<Value<String>>) -> Self {
        self.prefix_list_id = Some(id.into());
        self
    }

    /// Seconds CloudFront waits for a response (1 to 120; default 30).
    pub fn read_timeout_secs(mut self, secs: u32) -> Self {
        self.http = self.http.read_timeout_secs(secs);
        self
    }

    /// The listener.
    pub fn listener(&self) -> &Listener {
        &self.listener
    }

    /// Close the load balancer to everyone but this distribution's scope;
    /// the HTTPS origin CloudFront uses.
    fn wire(&self, dist: &Scope) -> HttpOrigin {
        let l = &self.listener;
        if l.protocol() != ListenerProtocol::Https {
            dist.error(
                "Origins",
                format!(
                    "load balancer origin {}: CloudFront connects with HTTPS only; give an HTTPS listener",
                    l.scope().path()
                ),
            );
        }
        if !l.load_balancer().internet_facing() {
            dist.error("Origins", format!("load balancer origin {}: the load balancer is internal; CloudFront reaches only internet-facing load balancers", l.scope().path()));
        }
        if let (Some(a), Some(b)) = (dist.region(), l.scope().region()) {
            if a != b {
                dist.error("Origins", format!("load balancer origin {}: it is in {b}, the distribution's stack in {a}; the origin-verify secret is read with a dynamic reference, which resolves only in the stack's own region: put the distribution in a stack of {b}", l.scope().path()));
            }
        }
        let secret = Secret::new(
            l.scope(),
            "OriginVerify",
            SecretProps::builder()
                .description(format!("origin-verify header CloudFront sends to {}", l.scope().path()))
                .value(SecretValue::Generated(GeneratedSecret::builder().length(64).build()))
                .build(),
        );
        secret.handle().acknowledge(
            "secretsmanager.rotation",
            "the origin-verify header value reaches CloudFront and the listener through dynamic references, resolved \
             only when their stacks update; a rotated value would lock CloudFront out until then",
        );
        let value = secret.value_reference();
        l.require_header(&self.header_name, value.clone());
        let mapping: String = l.scope().path().chars().filter(char::is_ascii_alphanumeric).collect();
        let prefix_list = self.prefix_list_id.clone().unwrap_or_else(|| {
            cloudfront_origin_facing_prefix_list(
                l.scope(),
                "SourcePrefixListId",
                &format!("{mapping}CloudFrontOriginFacing"),
            )
        });
        l.restrict_to_prefix_list(
            prefix_list,
            &format!("Allow CloudFront (origin-facing prefix list) to listener port {}", l.port()),
        );
        self.http.clone().header(self.header_name.clone(), value)
    }
}

/// Where a behaviour's requests go.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Origin {
    /// An S3 bucket, read through origin access control: the bucket stays
    /// private and its policy lets only this distribution read objects
    /// (`aws:SourceArn`); with SSE-KMS the key policy lets CloudFront
    /// decrypt.
    S3(Bucket),
    /// An HTTPS origin.
    Http(HttpOrigin),
    /// A load balancer only this distribution can reach.
    Alb(AlbOrigin),
}

impl Origin {
    /// A private S3 bucket through origin access control.
    pub fn s3(bucket: &Bucket) -> Self {
        Origin::S3(bucket.clone())
    }

    fn same(&self, other: &Origin) -> bool {
        match (self, other) {
            (Origin::S3(a), Origin::S3(b)) => a.handle() == b.handle(),
            (Origin::Http(a), Origin::Http(b)) => a == b,
            (Origin::Alb(a), Origin::Alb(b)) => a.listener.handle() == b.listener.handle() && a.http == b.http,
            _ => false,
        }
    }
}

impl From<HttpOrigin> for Origin {
    fn from(o: HttpOrigin) -> Self {
        Origin::Http(o)
    }
}

impl From<AlbOrigin> for Origin {
    fn from(o: AlbOrigin) -> Self {
        Origin::Alb(o)
    }
}

/// How CloudFront handles the requests of one path pattern (or all others,
/// for the default behaviour).
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct Behavior {
    /// Where requests go.
    #[builder(setter(into))]
    pub origin: Origin,
    /// Cache policy (default [`CachePolicy::CachingOptimized`]).
    #[builder(default = CachePolicy::CachingOptimized)]
    pub cache_policy: CachePolicy,
    /// What else to forward to the origin (default: nothing beyond the cache
    /// key).
    #[builder(default, setter(strip_option))]
    pub origin_request_policy: Option<OriginRequestPolicy>,
    /// Viewer protocol (default redirect to HTTPS).
    #[builder(default)]
    pub viewer_protocol: ViewerProtocol,
    /// Allowed methods (default `GET`, `HEAD`).
    #[builder(default)]
    pub allowed_methods: AllowedMethods,
    /// Compress responses (default `true`).
    #[builder(default = true)]
    pub compress: bool,
}

impl Behavior {
    /// Static content from a private bucket: cached, compressed, `GET`/`HEAD`.
    pub fn s3(bucket: &Bucket) -> Self {
        Behavior::builder().origin(Origin::s3(bucket)).build()
    }

    /// An API: nothing cached, every method, every viewer header but `Host`
    /// forwarded.
    pub fn api(origin: impl Into<Origin>) -> Self {
        Behavior::builder()
            .origin(origin)
            .cache_policy(CachePolicy::CachingDisabled)
            .origin_request_policy(OriginRequestPolicy::AllViewerExceptHostHeader)
            .allowed_methods(AllowedMethods::All)
            .build()
    }
}

/// A custom error response: what viewers get when the origin answers
/// `error_code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorResponse {
    /// The origin's status (400, 403, 404, 405, 414, 416, 500, 501, 502,
    /// 503 or 504).
    pub error_code: u16,
    /// The status viewers get instead (`None`: the same).
    pub response_code: Option<u16>,
    /// The page served instead (a path starting with `/`).
    pub response_page_path: Option<String>,
    /// Seconds CloudFront caches the error (default 10).
    pub ttl_secs: u32,
}

impl ErrorResponse {
    /// Single-page app routing: answer `error_code` with `200 /index.html`.
    pub fn spa(error_code: u16) -> Self {
        ErrorResponse {
            error_code,
            response_code: Some(200),
            response_page_path: Some("/index.html".into()),
            ttl_secs: 10,
        }
    }
}

/// Where CloudFront writes standard access logs.
#[derive(Debug, Clone)]
pub struct DistributionLogging {
    /// The bucket: SSE-S3, ACLs enabled
    /// (`ObjectOwnership::BucketOwnerPreferred`: CloudFront delivers logs
    /// through ACLs), in a region that supports CloudFront logging.
    pub bucket: Bucket,
    /// Key prefix (e.g. `cloudfront/`).
    pub prefix: String,
}

/// Settings of a [`Distribution`].
///
/// A web ACL and access logs are expected; leaving either out needs a
/// written reason (it becomes the reason of the checkov skip).
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct DistributionProps {
    /// Requests no other behaviour matches.
    pub default_behavior: Behavior,
    /// `(path pattern, behaviour)`, most specific first (CloudFront
    /// evaluates them in order), e.g. `("/api/*", Behavior::api(..))`.
    #[builder(default)]
    pub behaviors: Vec<(String, Behavior)>,
    /// The object served for `/` (e.g. `index.html`).
    #[builder(default, setter(strip_option, into))]
    pub default_root_object: Option<String>,
    /// Custom error responses (see [`ErrorResponse::spa`]).
    #[builder(default)]
    pub error_responses: Vec<ErrorResponse>,
    /// Alternate domain names (CNAMEs); need `certificate_arn`.
    #[builder(default)]
    pub domain_names: Vec<String>,
    /// An ACM certificate in us-east-1 covering `domain_names`. Without
    /// one, the `*.cloudfront.net` certificate is used (its TLS floor is
    /// fixed by CloudFront; the checkov skip says so).
    #[builder(default, setter(strip_option, into))]
    pub certificate_arn: Option<Value<String>>,
    /// A certificate created in a us-east-1 stack of the app
    /// ([`crate::EdgeStack::add_certificate`]), instead of `certificate_arn`.
    /// One from a stack not pinned to us-east-1 is an error.
    #[builder(default, setter(strip_option))]
    pub certificate: Option<Certificate>,
    /// The oldest TLS viewers may use with the certificate (default
    /// TLSv1.2_2021).
    #[builder(default)]
    pub minimum_tls: MinimumTls,
    /// Edge locations (default North America and Europe).
    #[builder(default)]
    pub price_class: PriceClass,
    /// A WAFv2 web ACL of scope `CLOUDFRONT` (its ARN).
    #[builder(default, setter(strip_option, into))]
    pub web_acl_arn: Option<Value<String>>,
    /// A web ACL created in a us-east-1 stack of the app
    /// ([`crate::EdgeStack::add_web_acl`]), instead of `web_acl_arn`.
    #[builder(default, setter(strip_option))]
    pub web_acl: Option<WebAcl>,
    /// Why there is no web ACL (required when `web_acl_arn` is unset).
    #[builder(default, setter(strip_option, into))]
    pub no_web_acl_reason: Option<String>,
    /// Standard access logs.
    #[builder(default, setter(strip_option))]
    pub logging: Option<DistributionLogging>,
    /// Why there are no access logs (required when `logging` is unset).
    #[builder(default, setter(strip_option, into))]
    pub no_logging_reason: Option<String>,
    /// A comment (at most 128 characters).
    #[builder(default, setter(strip_option, into))]
    pub comment: Option<String>,
    /// Serve over IPv6 too (default `true`).
    #[builder(default = true)]
    pub ipv6: bool,
}

const ERROR_CODES: [u16; 11] = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];
const RESPONSE_CODES: [u16; 13] = [200, 400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504, 206];

/// A CloudFront distribution. Secure by default: viewers on HTTPS only
/// (redirected), TLS ≥ 1.2 to viewers (with a certificate) and origins,
/// HTTP/2 and HTTP/3, S3 origins private behind origin access control.
#[derive(Debug, Clone)]
pub struct Distribution {
    scope: Scope,
    handle: ResourceHandle,
    domain_names: Vec<String>,
    ipv6: bool,
}

/// The hosted zone id of every CloudFront distribution, for Route53 alias
/// records.
pub const CLOUDFRONT_HOSTED_ZONE_ID: &str = "Z2FDTNDATAQYW2";

impl Distribution {
    /// Add a distribution with construct id `id` under `scope`.
    pub fn new(scope: &Scope, id: &str, props: DistributionProps) -> Distribution {
        let scope = scope.scope(id);
        // Origins, deduplicated in order of first use.
        let mut origins: Vec<Origin> = Vec::new();
        let mut origin_id = |o: &Origin| -> String {
            let i = match origins.iter().position(|x| x.same(o)) {
                Some(i) => i,
                None => {
                    origins.push(o.clone());
                    origins.len() - 1
                }
            };
            format!("Origin{}", i.saturating_add(1))
        };
        let default_origin = origin_id(&props.default_behavior.origin);
        let behavior_origins: Vec<String> = props.behaviors.iter().map(|(_, b)| origin_id(&b.origin)).collect();

        let db = &props.default_behavior;
        let (allowed, cached) = db.allowed_methods.methods();
        let mut default = d::DefaultCacheBehavior::new(d::DefaultCacheBehaviorRequired {
            target_origin_id: default_origin.into(),
            viewer_protocol_policy: db.viewer_protocol.l1().into(),
        })
        .cache_policy_id(db.cache_policy.id())
        .allowed_methods(allowed)
        .cached_methods(cached)
        .compress(db.compress);
        if let Some(p) = &db.origin_request_policy {
            default = default.origin_request_policy_id(p.id());
        }

        let mut behaviors = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for ((pattern, b), origin) in props.behaviors.iter().zip(behavior_origins) {
            if pattern.is_empty() || pattern.len() > 255 || pattern == "*" {
                scope.error(
                    "CacheBehaviors",
                    format!("path pattern {pattern:?}: 1 to 255 characters, not '*' (that is the default behaviour)"),
                );
            }
            if seen.contains(&pattern.as_str()) {
                scope.error("CacheBehaviors", format!("path pattern {pattern:?} is given twice"));
            }
            seen.push(pattern);
            let (allowed, cached) = b.allowed_methods.methods();
            let mut cb = d::CacheBehavior::new(d::CacheBehaviorRequired {
                path_pattern: pattern.as_str().into(),
                target_origin_id: origin.into(),
                viewer_protocol_policy: b.viewer_protocol.as_str().into(),
            })
            .cache_policy_id(b.cache_policy.id())
            .allowed_methods(allowed)
            .cached_methods(cached)
            .compress(b.compress);
            if let Some(p) = &b.origin_request_policy {
                cb = cb.origin_request_policy_id(p.id());
            }
            behaviors.push(cb);
        }

        // Origin access control, shared by the S3 origins.
        let oac = if origins.iter().any(|o| matches!(o, Origin::S3(_))) {
            let short: String = scope.path().chars().filter(char::is_ascii_alphanumeric).take(27).collect();
            // `<path>-<stack uuid>`: unique per stack and construct, at most 64 characters.
            let name = Value::join_raw(
                "-",
                [
                    Value::from(short),
                    Value::select(2, Value::<Vec<Value<String>>>::split("/", Value::sub("${AWS::StackId}"))),
                ],
            );
            let config = cf::origin_access_control::OriginAccessControlConfig::new(
                cf::origin_access_control::OriginAccessControlConfigRequired {
                    name,
                    origin_access_control_origin_type: "s3".into(),
                    signing_behavior: "always".into(),
                    signing_protocol: "sigv4".into(),
                },
            )
            .description(format!("S3 origins of {}", scope.path()));
            Some(scope.add("OriginAccessControl", cf::OriginAccessControl::new(config)).attr_id())
        } else {
            None
        };

        let mut cfn_origins = Vec::new();
        for (i, o) in origins.iter().enumerate() {
            let id = format!("Origin{}", i.saturating_add(1));
            match o {
                Origin::S3(bucket) => {
                    let mut origin = d::Origin::new(d::OriginRequired {
                        domain_name: bucket.handle().get_att::<String>("RegionalDomainName"),
                        id: id.into(),
                    })
                    .s3_origin_config(d::S3OriginConfig::new().origin_access_identity(""));
                    if let Some(oac) = &oac {
                        origin = origin.origin_access_control_id(oac.clone());
                    }
                    cfn_origins.push(origin);
                }
                other => {
                    let h = match other {
                        Origin::Alb(a) => a.wire(&scope),
                        Origin::Http(h) => h.clone(),
                        Origin::S3(_) => continue,
                    };
                    if h.https_port == 0 {
                        scope.error("Origins", "HTTPS port must be 1 to 65535");
                    }
                    if !(1..=120).contains(&h.read_timeout_secs) {
                        scope.error("Origins", format!("read timeout {} s: allowed 1 to 120", h.read_timeout_secs));
                    }
                    if !(1..=60).contains(&h.keepalive_timeout_secs) {
                        scope.error(
                            "Origins",
                            format!("keep-alive timeout {} s: allowed 1 to 60", h.keepalive_timeout_secs),
                        );
                    }
                    let mut origin =
                        d::Origin::new(d::OriginRequired { domain_name: h.domain_name.clone(), id: id.into() })
                            .custom_origin_config(
                                d::CustomOriginConfig::new("https-only")
                                    .https_port(i64::from(h.https_port))
                                    .origin_ssl_protocols(["TLSv1.2"])
                                    .origin_read_timeout(i64::from(h.read_timeout_secs))
                                    .origin_keepalive_timeout(i64::from(h.keepalive_timeout_secs)),
                            );
                    if !h.headers.is_empty() {
                        origin = origin.origin_custom_headers(
                            h.headers
                                .iter()
                                .map(|(n, v)| {
                                    d::OriginCustomHeader::new(d::OriginCustomHeaderRequired {
                                        header_name: n.as_str().into(),
                                        header_value: v.clone(),
                                    })
                                })
                                .collect::<Vec<_>>(),
                        );
                    }
                    cfn_origins.push(origin);
                }
            }
        }

        let mut config = d::DistributionConfig::new(d::DistributionConfigRequired {
            default_cache_behavior: default.into(),
            enabled: true.into(),
        })
        .origins(cfn_origins)
        .http_version(d::HttpVersion::Http2and3)
        .ipv6_enabled(props.ipv6)
        .price_class(props.price_class.l1());
        if !behaviors.is_empty() {
            config = config.cache_behaviors(behaviors);
        }
        if let Some(o) = &props.default_root_object {
            if o.starts_with('/') || o.is_empty() || o.len() > 255 {
                scope.error(
                    "DefaultRootObject",
                    format!("default root object {o:?}: an object name without a leading '/', e.g. \"index.html\""),
                );
            }
            config = config.default_root_object(o.as_str());
        }
        let mut errors = Vec::new();
        for e in &props.error_responses {
            if !ERROR_CODES.contains(&e.error_code) {
                scope.error("CustomErrorResponses", format!("error code {}: allowed {ERROR_CODES:?}", e.error_code));
            }
            let mut r =
                d::CustomErrorResponse::new(i64::from(e.error_code)).error_caching_min_ttl(f64::from(e.ttl_secs));
            if let Some(c) = e.response_code {
                if !RESPONSE_CODES.contains(&c) {
                    scope.error("CustomErrorResponses", format!("response code {c}: allowed {RESPONSE_CODES:?}"));
                }
                r = r.response_code(i64::from(c));
            }
            if let Some(p) = &e.response_page_path {
                if !p.starts_with('/') {
                    scope.error("CustomErrorResponses", format!("response page {p:?} must start with '/'"));
                }
                r = r.response_page_path(p.as_str());
            }
            if e.response_code.is_some() != e.response_page_path.is_some() {
                scope.error(
                    "CustomErrorResponses",
                    format!("error {}: give both a response code and a response page, or neither", e.error_code),
                );
            }
            errors.push(r);
        }
        if !errors.is_empty() {
            config = config.custom_error_responses(errors);
        }
        if let Some(c) = &props.comment {
            if c.len() > 128 {
                scope.error("Comment", "at most 128 characters");
            }
            config = config.comment(c.as_str());
        }
        let mut skips: Vec<(&str, String)> = Vec::new();
        let certificate_arn = match (&props.certificate, &props.certificate_arn) {
            (Some(_), Some(_)) => {
                scope.error("ViewerCertificate", "give either certificate or certificate_arn, not both");
                props.certificate_arn.clone()
            }
            (Some(c), None) => {
                if let Some(h) = c.handle() {
                    let region = h.stack().and_then(|s| s.region());
                    if region.as_deref() != Some("us-east-1") {
                        scope.error(
                            "ViewerCertificate",
                            format!(
                                "certificate {} is in a stack of region {}: CloudFront only uses ACM certificates from \
                                 us-east-1; create it in a stack pinned there (EdgeStack::add_certificate)",
                                h.path(),
                                region.unwrap_or_else(|| "not pinned".into())
                            ),
                        );
                    }
                }
                Some(c.arn())
            }
            (None, a) => a.clone(),
        };
        let web_acl_arn = match (&props.web_acl, &props.web_acl_arn) {
            (Some(_), Some(_)) => {
                scope.error("WebACLId", "give either web_acl or web_acl_arn, not both");
                props.web_acl_arn.clone()
            }
            (Some(w), None) => {
                if w.region().as_deref() != Some("us-east-1") {
                    scope.error("WebACLId", format!("web ACL {} is not in a us-east-1 stack", w.handle().path()));
                }
                Some(w.arn())
            }
            (None, a) => a.clone(),
        };
        match &certificate_arn {
            Some(arn) => {
                if let Some(lit) = arn.as_literal() {
                    if lit.contains(":acm:") && !lit.contains(":acm:us-east-1:") {
                        scope.error(
                            "ViewerCertificate",
                            format!("certificate {lit}: CloudFront only uses ACM certificates from us-east-1"),
                        );
                    }
                }
                if props.domain_names.is_empty() {
                    scope.error(
                        "Aliases",
                        "a certificate needs at least one domain name (DistributionProps::domain_names) it covers",
                    );
                }
                config = config.viewer_certificate(
                    d::ViewerCertificate::new()
                        .acm_certificate_arn(arn.clone())
                        .ssl_support_method(d::SslSupportMethod::SniOnly)
                        .minimum_protocol_version(props.minimum_tls.l1()),
                );
            }
            None => {
                if !props.domain_names.is_empty() {
                    scope.error(
                        "Aliases",
                        "domain names need a certificate covering them (DistributionProps::certificate_arn, in us-east-1)",
                    );
                }
                config = config.viewer_certificate(d::ViewerCertificate::new().cloud_front_default_certificate(true));
                skips.push((
                    "cloudfront.tls",
                    "no custom domain: the default *.cloudfront.net certificate is used, whose TLS floor CloudFront \
                     fixes; give DistributionProps::certificate_arn and domain_names to enforce TLSv1.2_2021"
                        .into(),
                ));
            }
        }
        for n in &props.domain_names {
            if let Err(m) = stackcraft_alb::validate_domain_name(n, true) {
                scope.error("Aliases", m);
            }
        }
        if !props.domain_names.is_empty() {
            config = config.aliases(props.domain_names.clone());
        }
        match (&web_acl_arn, &props.no_web_acl_reason) {
            (Some(arn), _) => {
                if let Some(lit) = arn.as_literal() {
                    if !lit.contains(":wafv2:us-east-1:") || !lit.contains(":global/webacl/") {
                        scope.error(
                            "WebACLId",
                            format!("web ACL {lit}: a WAFv2 web ACL of scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/...)"),
                        );
                    }
                }
                config = config.web_acl_id(arn.clone());
            }
            (None, Some(reason)) => skips.push(("cloudfront.waf", reason.clone())),
            (None, None) => scope.error(
                "WebACLId",
                "give a web ACL (DistributionProps::web_acl_arn) or the reason there is none (no_web_acl_reason)",
            ),
        }
        match (&props.logging, &props.no_logging_reason) {
            (Some(l), _) => {
                if l.bucket.key().is_some() {
                    scope
                        .error("Logging", "the log bucket must use SSE-S3; CloudFront cannot write to SSE-KMS buckets");
                }
                config = config.logging(
                    d::Logging::new()
                        .bucket(l.bucket.handle().get_att::<String>("DomainName"))
                        .prefix(l.prefix.as_str())
                        .include_cookies(false),
                );
            }
            (None, Some(reason)) => skips.push(("cloudfront.logging", reason.clone())),
            (None, None) => scope.error(
                "Logging",
                "give access logs (DistributionProps::logging) or the reason there are none (no_logging_reason)",
            ),
        }

        let handle: ResourceHandle = (*scope.add("Resource", cf::Distribution::new(config))).clone();
        for (id, reason) in &skips {
            handle.acknowledge(id, reason);
        }
        let domain_names = props.domain_names.iter().map(|n| n.trim_end_matches('.').to_ascii_lowercase()).collect();
        let dist = Distribution { scope, handle, domain_names, ipv6: props.ipv6 };

        // Let the distribution (and nothing else) read the S3 origins.
        for o in &origins {
            if let Origin::S3(bucket) = o {
                bucket.add_to_resource_policy(
                    PolicyStatement::allow()
                        .sid("AllowCloudFrontOriginAccessControl")
                        .action("s3:GetObject")
                        .principal(Principal::service("cloudfront.amazonaws.com"))
                        .resource(bucket.arn_for_objects("*"))
                        .condition("StringEquals", "AWS:SourceArn", dist.arn()),
                );
                if let Some(key) = bucket.key() {
                    // The key is created before the distribution (the bucket
                    // uses it): scope by account and service, any
                    // distribution of this account, to avoid a cycle.
                    key.add_to_resource_policy(
                        PolicyStatement::allow()
                            .sid("AllowCloudFrontOriginAccessControlDecrypt")
                            .action("kms:Decrypt")
                            .principal(Principal::service("cloudfront.amazonaws.com"))
                            .all_resources("a key policy applies to its own key")
                            .condition(
                                "ArnLike",
                                "AWS:SourceArn",
                                Value::<String>::arn("cloudfront", "", Value::account_id(), "distribution/*"),
                            ),
                    );
                }
            }
        }
        dist
    }

    /// The distribution id (`Ref`).
    pub fn distribution_id(&self) -> Value<String> {
        self.handle.ref_()
    }

    /// The `*.cloudfront.net` domain name.
    pub fn domain_name(&self) -> Value<String> {
        self.handle.get_att("DomainName")
    }

    /// Alias records `name` in `zone` (`""` = apex, `"www"`, ...) pointing
    /// at the distribution: `A`, and `AAAA` when IPv6 is on, under construct
    /// `id`. The name must be one of the distribution's domain names.
    pub fn add_alias_records(&self, id: &str, zone: &HostedZone, name: &str) -> Vec<ResourceHandle> {
        let scope = self.scope.scope(id);
        let fqdn = zone.record_name(name);
        if let Err(m) = stackcraft_alb::validate_domain_name(&fqdn, true) {
            scope.error("Name", m);
        }
        if !self.domain_names.contains(&fqdn) {
            scope.error(
                "Name",
                format!(
                    "{fqdn} is not a domain name of the distribution ({:?}): CloudFront would refuse it",
                    self.domain_names
                ),
            );
        }
        let types: &[&str] = if self.ipv6 { &["A", "AAAA"] } else { &["A"] };
        types
            .iter()
            .map(|t| {
                (*scope.add(
                    t,
                    route53::RecordSet::new(route53::RecordSetRequired {
                        name: format!("{fqdn}.").into(),
                        type_: (*t).into(),
                    })
                    .hosted_zone_id(zone.zone_id())
                    .alias_target(route53::record_set::AliasTarget::new(
                        route53::record_set::AliasTargetRequired {
                            dns_name: self.domain_name(),
                            hosted_zone_id: CLOUDFRONT_HOSTED_ZONE_ID.into(),
                        },
                    )),
                ))
                .clone()
            })
            .collect()
    }

    /// The distribution ARN (`arn:<partition>:cloudfront::<account>:distribution/<id>`).
    pub fn arn(&self) -> Value<String> {
        Value::arn(
            "cloudfront",
            "",
            Value::account_id(),
            Value::join_raw("/", [Value::from("distribution"), self.distribution_id()]),
        )
    }

    /// The construct scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The underlying resource.
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }

    fn metric(&self, name: &str, statistic: Statistic) -> Metric {
        Metric::new("AWS/CloudFront", name)
            .dimension("DistributionId", self.distribution_id())
            .dimension("Region", "Global")
            .region("us-east-1")
            .statistic(statistic)
            .period_secs(300)
    }

    /// `Requests` (Sum over 5 minutes; CloudFront metrics live in us-east-1).
    pub fn metric_requests(&self) -> Metric {
        self.metric("Requests", Statistic::Sum)
    }

    /// `5xxErrorRate` in percent (Average over 5 minutes).
    pub fn metric_5xx_error_rate(&self) -> Metric {
        self.metric("5xxErrorRate", Statistic::Average)
    }

    /// `4xxErrorRate` in percent (Average over 5 minutes).
    pub fn metric_4xx_error_rate(&self) -> Metric {
        self.metric("4xxErrorRate", Statistic::Average)
    }
}
