//! WAFv2 web ACLs for CloudFront (`AWS::WAFv2::WebACL`, scope `CLOUDFRONT`).

use stackcraft_cfn::wafv2 as waf;
use stackcraft_cfn::wafv2::web_acl as w;
use stackcraft_core::{ResourceHandle, Scope, Value};
use typed_builder::TypedBuilder;

/// The AWS managed rule groups every [`WebAcl`] evaluates, in priority
/// order: the core rule set (OWASP top 10 style), known bad inputs (incl.
/// Log4j `Log4JRCE`, checkov CKV_AWS_192) and Amazon's IP reputation list.
pub const MANAGED_RULE_GROUPS: [&str; 3] =
    ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"];

/// Settings of a [`WebAcl`].
#[derive(Debug, Clone, Default, TypedBuilder)]
#[non_exhaustive]
pub struct WebAclProps {
    /// Block a client IP above this many requests per 5 minutes (100 to
    /// 2,000,000,000). Default: no rate limit.
    #[builder(default, setter(strip_option))]
    pub rate_limit: Option<u32>,
    /// A description (at most 256 characters).
    #[builder(default, setter(strip_option, into))]
    pub description: Option<String>,
}

/// A web ACL for CloudFront distributions: allow by default, the
/// [`MANAGED_RULE_GROUPS`] and an optional per-IP rate limit, with
/// CloudWatch metrics and sampled requests for every rule. CloudFront only
/// takes web ACLs of scope `CLOUDFRONT`, which exist in us-east-1: the
/// scope's stack must be pinned there (`app.stack("Edge").in_region("us-east-1")`,
/// see [`crate::EdgeStack`]); a distribution in another region references
/// it through `Fn::GetStackOutput`.
#[derive(Debug, Clone)]
pub struct WebAcl {
    handle: ResourceHandle,
}

fn visibility(metric: &str) -> w::VisibilityConfig {
    w::VisibilityConfig::new(w::VisibilityConfigRequired {
        cloud_watch_metrics_enabled: true.into(),
        metric_name: metric.into(),
        sampled_requests_enabled: true.into(),
    })
}

impl WebAcl {
    /// Add a web ACL with construct id `id` under `scope` (a us-east-1 stack).
    pub fn new(scope: &Scope, id: &str, props: WebAclProps) -> WebAcl {
        let scope = scope.scope(id);
        if scope.region().as_deref() != Some("us-east-1") {
            scope.error(
                "Scope",
                format!(
                    "a CLOUDFRONT web ACL must be created in us-east-1, this stack's region is {}; create it in a stack \
                     pinned with in_region(\"us-east-1\") (EdgeStack::new)",
                    scope.region().unwrap_or_else(|| "not pinned".into())
                ),
            );
        }
        let metric: String = scope.path().chars().filter(char::is_ascii_alphanumeric).take(200).collect();
        let mut rules: Vec<Value<w::Rule>> = Vec::new();
        for (priority, group) in (0_i64..).zip(MANAGED_RULE_GROUPS) {
            rules.push(
                w::Rule::new(w::RuleRequired {
                    name: group.into(),
                    priority: priority.into(),
                    statement: w::Statement::new()
                        .managed_rule_group_statement(w::ManagedRuleGroupStatement::new(
                            w::ManagedRuleGroupStatementRequired { name: group.into(), vendor_name: "AWS".into() },
                        ))
                        .into(),
                    visibility_config: visibility(group).into(),
                })
                .override_action(w::OverrideAction::new().none(stackcraft_cfn::Json::Object(Default::default())))
                .into(),
            );
        }
        if let Some(limit) = props.rate_limit {
            if !(100..=2_000_000_000).contains(&limit) {
                scope.error("Rules", format!("rate limit {limit}: allowed 100 to 2000000000 requests per 5 minutes"));
            }
            rules.push(
                w::Rule::new(w::RuleRequired {
                    name: "RateLimitPerIp".into(),
                    priority: 3.into(),
                    statement: w::Statement::new()
                        .rate_based_statement(w::RateBasedStatement::new(w::RateBasedStatementRequired {
                            aggregate_key_type: w::AggregateKeyType::Ip.into(),
                            limit: i64::from(limit).into(),
                        }))
                        .into(),
                    visibility_config: visibility("RateLimitPerIp").into(),
                })
                .action(w::RuleAction::new().block(w::BlockAction::new()))
                .into(),
            );
        }
        let mut acl = waf::WebAcl::new(waf::WebAclRequired {
            default_action: w::DefaultAction::new().allow(w::AllowAction::new()).into(),
            scope: w::Scope::Cloudfront.into(),
            visibility_config: visibility(&metric).into(),
        })
        .rules(rules);
        if let Some(d) = &props.description {
            if d.len() > 256 {
                scope.error("Description", "at most 256 characters");
            }
            acl = acl.description(d.as_str());
        }
        let handle: ResourceHandle = (*scope.add("Resource", acl)).clone();
        WebAcl { handle }
    }

    /// The web ACL ARN (what `DistributionConfig.WebACLId` takes for WAFv2).
    pub fn arn(&self) -> Value<String> {
        self.handle.get_att("Arn")
    }

    /// The underlying resource.
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }

    /// The region of the web ACL's stack, when pinned.
    pub(crate) fn region(&self) -> Option<String> {
        self.handle.stack().and_then(|s| s.region())
    }
}
