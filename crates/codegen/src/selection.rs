//! What to generate: the one place listing the services (and, optionally,
//! the subset of their resource types) that `stackcraft-cfn` contains.
//!
//! Every one of the ~1,850 resource types in the pinned schemas can be
//! generated: add its service here (whole service) or list the types.

/// One service of the generated crate: a module and a cargo feature.
#[derive(Debug, Clone, Copy)]
pub struct Service {
    /// The service segment of the type names, e.g. `EC2` in `AWS::EC2::VPC`.
    pub cfn: &'static str,
    /// The resource types to generate (the part after the service, e.g.
    /// `VPC`); empty means every type of the service.
    pub only: &'static [&'static str],
}

/// Shorthand: the whole service.
const fn all(cfn: &'static str) -> Service {
    Service { cfn, only: &[] }
}

/// The services of `stackcraft-cfn`, in module order. Module and feature
/// names are the service names in lower case (`ElasticLoadBalancingV2` →
/// `elasticloadbalancingv2`).
pub const SERVICES: &[Service] = &[
    all("ApplicationAutoScaling"),
    all("Budgets"),
    all("CertificateManager"),
    all("CloudFront"),
    all("CloudWatch"),
    all("DynamoDB"),
    all("EC2"),
    all("ECR"),
    all("ECS"),
    all("ElastiCache"),
    all("ElasticLoadBalancingV2"),
    all("Events"),
    all("IAM"),
    all("KMS"),
    all("Logs"),
    all("MSK"),
    all("RDS"),
    all("Route53"),
    all("S3"),
    all("SecretsManager"),
    all("ServiceDiscovery"),
    all("SNS"),
    all("SQS"),
    all("SSM"),
    all("WAFv2"),
];
