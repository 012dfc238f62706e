//! The us-east-1 side of CloudFront: [`EdgeStack`] (certificates and web
//! ACLs CloudFront can use) and CloudFront's origin-facing prefix list.

use std::collections::BTreeMap;

use stackcraft_alb::{Certificate, CertificateProps};
use stackcraft_core::serde_json::json;
use stackcraft_core::{App, Scope, Stack, Value};

use crate::waf::{WebAcl, WebAclProps};

/// A stack of the app pinned to us-east-1, where CloudFront takes its ACM
/// certificates and WAFv2 web ACLs from. A [`crate::Distribution`] in the
/// app's region uses them through cross-region references
/// (`Fn::GetStackOutput`; the edge stack deploys first).
///
/// Route53 is global, so the hosted zone the certificate is validated in
/// may live here too (then stacks in any region can use it; a zone in an
/// unpinned stack cannot be used from this pinned one).
#[derive(Debug, Clone)]
pub struct EdgeStack {
    stack: Stack,
}

impl EdgeStack {
    /// The app's stack `id`, pinned to us-east-1.
    pub fn new(app: &App, id: &str) -> EdgeStack {
        EdgeStack { stack: app.stack(id).in_region("us-east-1") }
    }

    /// The stack (add a hosted zone or anything else global here).
    pub fn stack(&self) -> &Stack {
        &self.stack
    }

    /// A DNS-validated ACM certificate for CloudFront
    /// ([`stackcraft_alb::Certificate`] in this stack).
    pub fn add_certificate(&self, id: &str, props: CertificateProps) -> Certificate {
        Certificate::new(&self.stack, id, props)
    }

    /// A web ACL of scope `CLOUDFRONT` with the AWS managed rule groups
    /// ([`WebAcl`]).
    pub fn add_web_acl(&self, id: &str, props: WebAclProps) -> WebAcl {
        WebAcl::new(&self.stack, id, props)
    }
}

/// Ids of the AWS-managed prefix list `com.amazonaws.global.cloudfront.origin-facing`
/// per region. The list is the same everywhere but its id differs per
/// region, and CloudFormation has no lookup for managed prefix lists (nor an
/// SSM public parameter): these come from AWS's announcement, "Limit access
/// to your origins using the AWS-managed prefix list for Amazon CloudFront"
/// (AWS Networking & Content Delivery blog, February 2022), and match
/// `aws ec2 describe-managed-prefix-lists --filters
/// Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing`.
/// Elsewhere pass the id yourself ([`crate::AlbOrigin::prefix_list_id`]).
pub const CLOUDFRONT_ORIGIN_FACING: [(&str, &str); 16] = [
    ("ap-northeast-1", "pl-58a04531"),
    ("ap-northeast-2", "pl-22a6434b"),
    ("ap-south-1", "pl-9aa247f3"),
    ("ap-southeast-1", "pl-31a34658"),
    ("ap-southeast-2", "pl-b8a742d1"),
    ("ca-central-1", "pl-38a64351"),
    ("eu-central-1", "pl-a3a144ca"),
    ("eu-north-1", "pl-fab65393"),
    ("eu-west-1", "pl-4fa04526"),
    ("eu-west-2", "pl-93a247fa"),
    ("eu-west-3", "pl-75b1541c"),
    ("sa-east-1", "pl-5da64334"),
    ("us-east-1", "pl-3b927c52"),
    ("us-east-2", "pl-b6a144df"),
    ("us-west-1", "pl-4ea04527"),
    ("us-west-2", "pl-82a045eb"),
];

/// CloudFront's origin-facing prefix list for resources under `scope`: the
/// literal id when the stack's region is known at synth (an error naming
/// `property` when the region is not in [`CLOUDFRONT_ORIGIN_FACING`]), else
/// `Fn::FindInMap` on `AWS::Region` over a mapping of the table, so the
/// template resolves it in whatever region it is deployed to. `mapping_id`
/// names the mapping (alphanumeric, unique in the stack).
pub fn cloudfront_origin_facing_prefix_list(scope: &Scope, property: &str, mapping_id: &str) -> Value<String> {
    if let Some(region) = scope.region() {
        return match CLOUDFRONT_ORIGIN_FACING.iter().find(|(r, _)| *r == region) {
            Some((_, id)) => Value::from(*id),
            None => {
                let known: Vec<&str> = CLOUDFRONT_ORIGIN_FACING.iter().map(|(r, _)| *r).collect();
                scope.error(
                    property,
                    format!(
                        "no known id of CloudFront's origin-facing prefix list in {region} (known: {}); \
                         give it with AlbOrigin::prefix_list_id (aws ec2 describe-managed-prefix-lists)",
                        known.join(", ")
                    ),
                );
                Value::from("pl-unknown")
            }
        };
    }
    let map: BTreeMap<String, BTreeMap<String, stackcraft_core::serde_json::Value>> = CLOUDFRONT_ORIGIN_FACING
        .iter()
        .map(|(r, id)| ((*r).to_owned(), BTreeMap::from([("PrefixListId".to_owned(), json!(id))])))
        .collect();
    match scope.stack() {
        Some(stack) => {
            let m = stack.add_mapping(mapping_id, map);
            Value::find_in_map(&m, Value::<String>::region(), "PrefixListId")
        }
        None => {
            scope.error(property, "not inside a stack");
            Value::from("pl-unknown")
        }
    }
}
