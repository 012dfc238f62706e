//! The packs shipped with stackcraft: the default AWS pack, a stricter
//! production pack and a NIST 800-53 control mapping.

use stackcraft_core::serde_json::Value as Json;

use crate::util::number;
use crate::{BuiltinRule, Context, Level, Pack, ResourceRef, RuleMeta};

/// The default pack: encryption at rest and in transit, logging, network
/// exposure, backups, least privilege — for every resource type the
/// building blocks make. Installed by the `stackcraft` facade.
pub fn aws_default() -> Pack {
    let mut p = Pack::new("aws-default");
    for r in crate::rules::default_rules() {
        p = p.rule(r);
    }
    p
}

/// A stricter pack for production environments: warnings of the default
/// pack become errors and stateful resources must survive stack deletion.
pub fn production() -> Pack {
    Pack::new("production")
        .level("secretsmanager.rotation", Level::Error)
        .level("sqs.dlq", Level::Error)
        .level("ecr.immutable-tags", Level::Error)
        .level("ecr.scan-on-push", Level::Error)
        .level("rds.minor-upgrades", Level::Error)
        .level("rds.enhanced-monitoring", Level::Error)
        .rule(BuiltinRule {
            meta: RuleMeta {
                id: "production.stateful-retained",
                level: Level::Error,
                types: &[
                    "AWS::RDS::DBInstance",
                    "AWS::RDS::DBCluster",
                    "AWS::DynamoDB::Table",
                    "AWS::S3::Bucket",
                    "AWS::ElastiCache::ReplicationGroup",
                    "AWS::KMS::Key",
                    "AWS::Logs::LogGroup",
                ],
                property: "DeletionPolicy",
                rationale: "deleting a production stack must not delete its data",
                fix: "stateful blocks retain or snapshot in production; do not override apply_removal_policy",
                cdk_nag: None,
                checkov: &[],
                cfn_lint: &["I3011"],
                production_only: true,
            },
            check: stateful_retained,
        })
        .rule(BuiltinRule {
            meta: RuleMeta {
                id: "production.log-retention-1y",
                level: Level::Error,
                types: &["AWS::Logs::LogGroup"],
                property: "RetentionInDays",
                rationale: "production logs are audit evidence for at least a year",
                fix: "set LogGroupProps::retention to RetentionDays::OneYear or longer in production",
                cdk_nag: None,
                checkov: &["CKV_AWS_338"],
                cfn_lint: &[],
                production_only: true,
            },
            check: retention_one_year,
        })
}

fn stateful_retained(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    let policy = r.resource.get("DeletionPolicy").and_then(Json::as_str).unwrap_or("Delete");
    if matches!(policy, "Retain" | "Snapshot" | "RetainExceptOnCreate") {
        Vec::new()
    } else {
        vec![format!("DeletionPolicy is {policy}")]
    }
}

fn retention_one_year(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    match number(r.prop("/RetentionInDays")) {
        Some(d) if d < 365.0 => vec![format!("log events are kept {d} days")],
        _ => Vec::new(),
    }
}

/// NIST SP 800-53 rev. 5 control ids for the default pack's rules: shown on
/// each finding and in `policy-report.json` under `controls`.
pub fn nist_800_53() -> Pack {
    const MAP: &[(&str, &[&str])] = &[
        ("ecs.container-insights", &["SI-4"]),
        ("ecs.logging", &["AU-2", "AU-12"]),
        ("ecs.secrets-not-in-environment", &["IA-5(7)", "SC-28"]),
        ("ecs.read-only-root", &["CM-7", "SI-7"]),
        ("ecs.no-privileged", &["AC-6"]),
        ("ecs.exec-logging", &["AU-2", "AU-12"]),
        ("alb.https-only", &["SC-8", "SC-23"]),
        ("alb.tls-policy", &["SC-8", "SC-13"]),
        ("alb.drop-invalid-headers", &["SC-7", "SI-10"]),
        ("alb.access-logs", &["AU-2", "AU-12"]),
        ("alb.deletion-protection", &["CP-10", "SC-5"]),
        ("vpc.flow-logs", &["AU-12", "SI-4"]),
        ("vpc.default-sg-restricted", &["AC-4", "SC-7"]),
        ("vpc.open-ingress", &["AC-4", "SC-7"]),
        ("vpc.sg-rule-description", &["CM-8"]),
        ("rds.storage-encrypted", &["SC-13", "SC-28"]),
        ("rds.multi-az", &["CP-10", "SC-5"]),
        ("rds.backup-retention", &["CP-9", "CP-10"]),
        ("rds.deletion-protection", &["CP-9"]),
        ("rds.iam-auth", &["AC-2", "IA-2"]),
        ("rds.not-public", &["AC-3", "SC-7"]),
        ("rds.log-exports", &["AU-2", "AU-12"]),
        ("rds.minor-upgrades", &["SI-2"]),
        ("rds.enhanced-monitoring", &["SI-4"]),
        ("rds.tls", &["SC-8"]),
        ("s3.public-access-block", &["AC-3", "AC-21", "SC-7"]),
        ("s3.tls-only", &["SC-8"]),
        ("s3.encryption", &["SC-28"]),
        ("s3.versioning", &["CP-9", "SI-12"]),
        ("s3.access-logs", &["AU-2", "AU-12"]),
        ("dynamodb.pitr", &["CP-9", "CP-10"]),
        ("dynamodb.cmk", &["SC-12", "SC-28"]),
        ("sqs.cmk", &["SC-12", "SC-28"]),
        ("sqs.tls-only", &["SC-8"]),
        ("sqs.dlq", &["SI-11"]),
        ("sns.cmk", &["SC-12", "SC-28"]),
        ("sns.tls-only", &["SC-8"]),
        ("elasticache.tls", &["SC-8"]),
        ("elasticache.at-rest", &["SC-28"]),
        ("elasticache.auth", &["IA-2", "AC-3"]),
        ("elasticache.multi-az", &["CP-10", "SC-5"]),
        ("msk.iam-tls", &["IA-2", "SC-8"]),
        ("cloudfront.tls", &["SC-8", "SC-13"]),
        ("cloudfront.https-viewers", &["SC-8"]),
        ("cloudfront.oac", &["AC-3", "AC-6"]),
        ("cloudfront.logging", &["AU-2", "AU-12"]),
        ("cloudfront.waf", &["SC-7", "SI-4"]),
        ("kms.rotation", &["SC-12"]),
        ("kms.no-public-principal", &["AC-3", "AC-6"]),
        ("iam.no-star-actions", &["AC-6"]),
        ("iam.no-star-resource", &["AC-6"]),
        ("iam.no-admin-managed-policy", &["AC-6(9)"]),
        ("iam.trust-restricted", &["AC-3", "IA-8"]),
        ("secretsmanager.cmk", &["SC-12", "SC-28"]),
        ("secretsmanager.rotation", &["IA-5(1)"]),
        ("logs.retention", &["AU-11"]),
        ("logs.kms", &["AU-9", "SC-28"]),
        ("ecr.immutable-tags", &["CM-2", "SI-7"]),
        ("ecr.scan-on-push", &["RA-5"]),
        ("ecr.kms", &["SC-28"]),
        ("production.stateful-retained", &["CP-9"]),
        ("production.log-retention-1y", &["AU-11"]),
    ];
    let mut p = Pack::new("nist-800-53");
    for (rule, controls) in MAP {
        p = p.controls(rule, controls);
    }
    p
}
