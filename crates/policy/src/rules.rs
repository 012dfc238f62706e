//! The default rule pack: what the seeds' resource types need.

use stackcraft_core::serde_json::Value as Json;

use crate::util::{
    allows, denies_insecure_transport, falsy, iam_documents, is_str, list, number, refers_to, statements, truthy,
};
use crate::{BuiltinRule, CheckFn, Context, Level, ResourceRef, RuleMeta};

#[allow(clippy::too_many_arguments)]
const fn rule(
    id: &'static str,
    level: Level,
    types: &'static [&'static str],
    property: &'static str,
    rationale: &'static str,
    fix: &'static str,
    cdk_nag: Option<&'static str>,
    checkov: &'static [&'static str],
    check: CheckFn,
) -> BuiltinRule {
    BuiltinRule {
        meta: RuleMeta {
            id,
            level,
            types,
            property,
            rationale,
            fix,
            cdk_nag,
            checkov,
            cfn_lint: &[],
            production_only: false,
        },
        check,
    }
}

const fn production(mut r: BuiltinRule) -> BuiltinRule {
    r.meta.production_only = true;
    r
}

fn fail_if(cond: bool, msg: impl Into<String>) -> Vec<String> {
    if cond {
        vec![msg.into()]
    } else {
        Vec::new()
    }
}

use Level::{Error as E, Warning as W};

const CLUSTER: &[&str] = &["AWS::ECS::Cluster"];
const TASK: &[&str] = &["AWS::ECS::TaskDefinition"];
const SERVICE: &[&str] = &["AWS::ECS::Service"];
const LB: &[&str] = &["AWS::ElasticLoadBalancingV2::LoadBalancer"];
const LISTENER: &[&str] = &["AWS::ElasticLoadBalancingV2::Listener"];
const VPC: &[&str] = &["AWS::EC2::VPC"];
const SG: &[&str] = &["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"];
const DB: &[&str] = &["AWS::RDS::DBInstance"];
const DB_ANY: &[&str] = &["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"];
const BUCKET: &[&str] = &["AWS::S3::Bucket"];
const TABLE: &[&str] = &["AWS::DynamoDB::Table"];
const QUEUE: &[&str] = &["AWS::SQS::Queue"];
const TOPIC: &[&str] = &["AWS::SNS::Topic"];
const CACHE: &[&str] = &["AWS::ElastiCache::ReplicationGroup"];
const MSK: &[&str] = &["AWS::MSK::Cluster", "AWS::MSK::ServerlessCluster"];
const CDN: &[&str] = &["AWS::CloudFront::Distribution"];
const KEY: &[&str] = &["AWS::KMS::Key"];
const IAM: &[&str] =
    &["AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::User", "AWS::IAM::Group"];
const ROLE: &[&str] = &["AWS::IAM::Role"];
const SECRET: &[&str] = &["AWS::SecretsManager::Secret"];
const LOGS: &[&str] = &["AWS::Logs::LogGroup"];
const ECR: &[&str] = &["AWS::ECR::Repository"];

/// Every rule of [`crate::packs::aws_default`].
pub(crate) fn default_rules() -> Vec<BuiltinRule> {
    vec![
        // ---- ECS
        rule("ecs.container-insights", E, CLUSTER, "ClusterSettings",
            "without Container Insights, task-level CPU, memory and restarts are invisible",
            "leave ClusterProps::container_insights on (the default)",
            Some("AwsSolutions-ECS4"), &["CKV_AWS_65"], ecs_container_insights),
        rule("ecs.logging", E, TASK, "ContainerDefinitions.LogConfiguration",
            "a container without a log driver loses its output",
            "give the container a LogGroup (ContainerProps::logging; the default creates one)",
            Some("AwsSolutions-ECS7"), &[], ecs_logging),
        rule("ecs.secrets-not-in-environment", E, TASK, "ContainerDefinitions.Environment",
            "secrets in plain environment variables are readable by anyone who can describe the task definition",
            "pass the value as ContainerSecret (Secrets Manager or SSM) instead of an environment variable",
            None, &[], ecs_secrets_in_env),
        rule("ecs.read-only-root", E, TASK, "ContainerDefinitions.ReadonlyRootFilesystem",
            "a writable root file system lets a compromised process change the container's code",
            "keep ContainerProps::readonly_root_filesystem on (the default) and mount writable volumes where needed",
            None, &[], ecs_read_only_root),
        rule("ecs.no-privileged", E, TASK, "ContainerDefinitions.Privileged",
            "a privileged container has root on its host",
            "remove the privileged flag; Fargate does not need it",
            None, &[], ecs_privileged),
        rule("ecs.exec-logging", E, SERVICE, "EnableExecuteCommand",
            "interactive ECS Exec sessions must leave an audit trail",
            "keep the cluster's execute-command logging (ClusterProps) when enabling FargateServiceProps::enable_execute_command",
            None, &[], ecs_exec_logging),
        rule("ecs.no-public-ip", E, SERVICE, "NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp",
            "a task with a public IP is reachable from the internet, bypassing the load balancer and its rules",
            "run the service in private subnets (the default); FargateServiceProps::assign_public_ip_because(reason) is the acknowledged exception",
            None, &["CKV_AWS_333"], ecs_public_ip),
        // ---- ALB
        rule("alb.https-only", E, LISTENER, "Protocol",
            "plain HTTP exposes requests and cookies on the network",
            "serve HTTPS with a certificate; an HTTP listener may only redirect to HTTPS (ApplicationLoadBalancer::add_redirect_to_https)",
            None, &["CKV_AWS_2", "CKV_AWS_103"], alb_https_only),
        rule("alb.tls-policy", E, LISTENER, "SslPolicy",
            "TLS 1.0/1.1 are broken; listeners must negotiate TLS 1.2 or later",
            "use a TLS 1.2+ policy (the default ELBSecurityPolicy-TLS13-1-2-2021-06)",
            None, &["CKV_AWS_103"], alb_tls_policy),
        rule("alb.drop-invalid-headers", E, LB, "LoadBalancerAttributes",
            "invalid header fields enable request smuggling against the targets",
            "keep routing.http.drop_invalid_header_fields.enabled (set by ApplicationLoadBalancer)",
            None, &["CKV_AWS_131"], alb_drop_headers),
        rule("alb.access-logs", E, LB, "LoadBalancerAttributes",
            "without access logs there is no record of who called the service",
            "set ApplicationLoadBalancerProps::access_logs to a log bucket",
            Some("AwsSolutions-ELB2"), &["CKV_AWS_91"], alb_access_logs),
        production(rule("alb.deletion-protection", E, LB, "LoadBalancerAttributes",
            "a production load balancer deleted by mistake takes the service offline and loses its DNS name",
            "production environments turn deletion protection on; keep ApplicationLoadBalancerProps::deletion_protection",
            None, &["CKV_AWS_150"], alb_deletion_protection)),
        // ---- VPC and security groups
        rule("vpc.flow-logs", E, VPC, "FlowLogs",
            "without flow logs network traffic cannot be investigated",
            "keep VpcProps::flow_logs (the default sends them to CloudWatch Logs)",
            Some("AwsSolutions-VPC7"), &["CKV2_AWS_11"], vpc_flow_logs),
        rule("vpc.default-sg-restricted", W, VPC, "DefaultSecurityGroup",
            "the default security group allows all traffic between its members; nothing should use it",
            "attach every resource to its own SecurityGroup; acknowledge once the default group's rules are removed",
            None, &["CKV2_AWS_12"], vpc_default_sg),
        rule("vpc.open-ingress", E, SG, "SecurityGroupIngress",
            "ingress from 0.0.0.0/0 or ::/0 exposes the port to the internet",
            "allow peers with connections().allow_from(..); only an internet-facing load balancer may take 80/443 from anywhere",
            Some("AwsSolutions-EC23"), &["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260"], sg_open_ingress),
        rule("vpc.sg-rule-description", W, SG, "Description",
            "undocumented rules are hard to review and to remove",
            "security-group rules made with connections() carry descriptions; give raw rules one",
            None, &["CKV_AWS_23"], sg_descriptions),
        // ---- RDS
        rule("rds.storage-encrypted", E, DB_ANY, "StorageEncrypted",
            "database storage, snapshots and backups must be encrypted at rest",
            "DatabaseInstance encrypts with a customer-managed key by default; do not override StorageEncrypted",
            Some("AwsSolutions-RDS2"), &["CKV_AWS_16", "CKV_AWS_96"], rds_encrypted),
        production(rule("rds.multi-az", E, DB, "MultiAZ",
            "a single-AZ production database is down for the duration of an AZ outage or maintenance",
            "production environments default to Multi-AZ; keep DatabaseInstanceProps::multi_az",
            Some("AwsSolutions-RDS3"), &["CKV_AWS_157"], rds_multi_az)),
        rule("rds.backup-retention", E, DB_ANY, "BackupRetentionPeriod",
            "fewer than 7 days of backups cannot cover a problem noticed after a weekend",
            "set DatabaseInstanceProps::backup_retention_days to 7 or more (the default)",
            Some("AwsSolutions-RDS13"), &["CKV_AWS_133"], rds_backups),
        rule("rds.deletion-protection", E, DB_ANY, "DeletionProtection",
            "a database deleted by a stack update or a mistake loses its data",
            "keep DatabaseInstanceProps::deletion_protection on",
            Some("AwsSolutions-RDS10"), &["CKV_AWS_293"], rds_deletion_protection),
        rule("rds.iam-auth", E, DB_ANY, "EnableIAMDatabaseAuthentication",
            "IAM authentication gives short-lived, auditable database credentials",
            "keep DatabaseInstanceProps::iam_authentication on and use grant_connect",
            Some("AwsSolutions-RDS6"), &["CKV_AWS_161", "CKV_AWS_162"], rds_iam_auth),
        rule("rds.not-public", E, DB_ANY, "PubliclyAccessible",
            "a publicly accessible database is reachable from the internet",
            "keep the database in isolated subnets and reach it through connections()",
            None, &["CKV_AWS_17"], rds_not_public),
        rule("rds.log-exports", E, DB_ANY, "EnableCloudwatchLogsExports",
            "database logs must reach CloudWatch Logs to be retained and searched",
            "DatabaseInstance exports the postgresql log by default; keep it",
            None, &["CKV_AWS_129"], rds_log_exports),
        rule("rds.minor-upgrades", W, DB, "AutoMinorVersionUpgrade",
            "minor versions carry security fixes",
            "leave AutoMinorVersionUpgrade on (the default)",
            None, &["CKV_AWS_226"], rds_minor_upgrades),
        rule("rds.enhanced-monitoring", W, DB, "MonitoringInterval",
            "enhanced monitoring shows OS-level metrics needed to diagnose a slow database",
            "keep DatabaseInstanceProps::monitoring_interval (60 s by default)",
            None, &["CKV_AWS_118"], rds_monitoring),
        rule("rds.tls", E, DB, "DBParameterGroupName",
            "connections to the database must be encrypted in transit",
            "keep rds.force_ssl = 1 (DatabaseInstance sets it in its parameter group)",
            None, &["CKV2_AWS_69"], rds_tls),
        // ---- S3
        rule("s3.public-access-block", E, BUCKET, "PublicAccessBlockConfiguration",
            "buckets must not become public through ACLs or policies",
            "Bucket blocks all public access; do not override PublicAccessBlockConfiguration (serve content through CloudFront OAC)",
            Some("AwsSolutions-S2"), &["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"], s3_public_access),
        rule("s3.tls-only", E, BUCKET, "BucketPolicy",
            "requests without TLS expose data in transit",
            "Bucket adds a DenyInsecureTransport statement; keep its bucket policy",
            Some("AwsSolutions-S10"), &[], s3_tls_only),
        rule("s3.encryption", E, BUCKET, "BucketEncryption",
            "data at rest must be encrypted with an explicit configuration",
            "set BucketProps::encryption (BucketEncryption::NewKey for a customer-managed key)",
            None, &["CKV_AWS_19"], s3_encryption),
        rule("s3.versioning", E, BUCKET, "VersioningConfiguration",
            "versioning protects data buckets against overwrites and deletes",
            "keep BucketProps::versioned on for buckets holding data (log buckets are exempt)",
            None, &["CKV_AWS_21"], s3_versioning),
        rule("s3.access-logs", E, BUCKET, "LoggingConfiguration",
            "server access logs record who read or changed objects",
            "set BucketProps::server_access_logs to a log bucket",
            Some("AwsSolutions-S1"), &["CKV_AWS_18"], s3_access_logs),
        // ---- DynamoDB
        rule("dynamodb.pitr", E, TABLE, "PointInTimeRecoverySpecification",
            "point-in-time recovery restores a table after a bad write",
            "enable point-in-time recovery on the table",
            Some("AwsSolutions-DDB3"), &["CKV_AWS_28"], ddb_pitr),
        rule("dynamodb.cmk", E, TABLE, "SSESpecification",
            "a customer-managed key keeps control of who can decrypt the table",
            "encrypt the table with a customer-managed KMS Key (SSESpecification.KMSMasterKeyId)",
            None, &["CKV_AWS_119"], ddb_cmk),
        // ---- SQS / SNS
        rule("sqs.cmk", E, QUEUE, "KmsMasterKeyId",
            "messages at rest must be encrypted with a customer-managed key",
            "give the Queue a customer-managed KMS Key",
            Some("AwsSolutions-SQS2"), &["CKV_AWS_27"], sqs_cmk),
        rule("sqs.tls-only", E, QUEUE, "QueuePolicy",
            "requests without TLS expose messages in transit",
            "Queue adds a DenyInsecureTransport queue policy; keep it",
            Some("AwsSolutions-SQS4"), &[], sqs_tls_only),
        rule("sqs.dlq", W, QUEUE, "RedrivePolicy",
            "without a dead-letter queue a poison message is retried until it expires",
            "give the Queue a dead-letter queue",
            Some("AwsSolutions-SQS3"), &[], sqs_dlq),
        rule("sns.cmk", E, TOPIC, "KmsMasterKeyId",
            "messages at rest must be encrypted with a customer-managed key",
            "give the topic a customer-managed KMS Key",
            Some("AwsSolutions-SNS2"), &["CKV_AWS_26"], sns_cmk),
        rule("sns.tls-only", E, TOPIC, "TopicPolicy",
            "publishing without TLS exposes messages in transit",
            "add a topic policy denying aws:SecureTransport = false (the messaging blocks do)",
            Some("AwsSolutions-SNS3"), &[], sns_tls_only),
        // ---- ElastiCache
        rule("elasticache.tls", E, CACHE, "TransitEncryptionEnabled",
            "cache traffic must be encrypted in transit",
            "enable in-transit encryption on the Redis replication group",
            None, &["CKV_AWS_30"], cache_tls),
        rule("elasticache.at-rest", E, CACHE, "AtRestEncryptionEnabled",
            "cached data and snapshots must be encrypted at rest",
            "enable at-rest encryption (with a customer-managed KMS Key)",
            Some("AwsSolutions-AEC3"), &["CKV_AWS_29"], cache_at_rest),
        rule("elasticache.auth", E, CACHE, "AuthToken",
            "a cache without AUTH accepts commands from anything that reaches it",
            "use RBAC user groups or an AUTH token from Secrets Manager",
            Some("AwsSolutions-AEC6"), &["CKV_AWS_31"], cache_auth),
        production(rule("elasticache.multi-az", E, CACHE, "MultiAZEnabled",
            "a single-node production cache is lost with its AZ",
            "enable Multi-AZ with automatic failover and at least one replica in production",
            Some("AwsSolutions-AEC4"), &[], cache_multi_az)),
        // ---- MSK
        rule("msk.iam-tls", E, MSK, "ClientAuthentication",
            "Kafka clients must authenticate (IAM or mutual TLS) over encrypted connections",
            "use IAM client authentication and TLS between clients and brokers (the MSK blocks' default)",
            Some("AwsSolutions-MSK2"), &["CKV_AWS_81"], msk_iam_tls),
        // ---- CloudFront
        rule("cloudfront.tls", E, CDN, "ViewerCertificate.MinimumProtocolVersion",
            "viewers must connect with TLS 1.2 or later",
            "use an ACM certificate with MinimumProtocolVersion TLSv1.2_2021",
            Some("AwsSolutions-CFR4"), &["CKV_AWS_174"], cdn_tls),
        rule("cloudfront.https-viewers", E, CDN, "ViewerProtocolPolicy",
            "viewers must not be served over plain HTTP",
            "set every cache behavior to redirect-to-https or https-only",
            None, &["CKV_AWS_34"], cdn_https),
        rule("cloudfront.oac", E, CDN, "Origins.OriginAccessControlId",
            "an S3 origin must be reachable only through CloudFront",
            "use an Origin Access Control for S3 origins",
            Some("AwsSolutions-CFR7"), &[], cdn_oac),
        rule("cloudfront.logging", E, CDN, "Logging",
            "without access logs there is no record of viewer requests",
            "configure distribution logging to a log bucket",
            Some("AwsSolutions-CFR3"), &["CKV_AWS_86"], cdn_logging),
        production(rule("cloudfront.waf", E, CDN, "WebACLId",
            "a production distribution needs a web application firewall",
            "associate a WAFv2 web ACL (us-east-1) with the distribution",
            Some("AwsSolutions-CFR2"), &["CKV_AWS_68"], cdn_waf)),
        // ---- KMS
        rule("kms.rotation", E, KEY, "EnableKeyRotation",
            "symmetric keys must rotate their material yearly",
            "keep KeyProps rotation on (the default)",
            Some("AwsSolutions-KMS5"), &["CKV_AWS_7"], kms_rotation),
        rule("kms.no-public-principal", E, KEY, "KeyPolicy",
            "a key policy allowing any principal without conditions lets anyone use the key",
            "grant keys to named principals (key.grant_*)",
            None, &["CKV_AWS_33"], kms_public),
        // ---- IAM
        rule("iam.no-star-actions", E, IAM, "PolicyDocument.Action",
            "a \"*\" action grants every permission of every service",
            "grant the specific actions with the blocks' grant_* methods",
            Some("AwsSolutions-IAM5"), &["CKV_AWS_62", "CKV_AWS_63"], iam_star_actions),
        rule("iam.no-star-resource", E, IAM, "PolicyDocument.Resource",
            "\"Resource\": \"*\" grants the actions on every resource of the account",
            "name the resources (grant_* methods do); acknowledge with the reason where an action supports no resource",
            Some("AwsSolutions-IAM5"), &["CKV_AWS_107", "CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_110", "CKV_AWS_111"], iam_star_resource),
        rule("iam.no-admin-managed-policy", E, ROLE, "ManagedPolicyArns",
            "administrator-style managed policies grant far more than any workload needs",
            "replace AdministratorAccess / PowerUserAccess / IAMFullAccess with grants",
            Some("AwsSolutions-IAM4"), &[], iam_admin_policies),
        rule("iam.trust-restricted", E, ROLE, "AssumeRolePolicyDocument",
            "a role anyone can assume, or a web-identity role without a `sub` condition, can be assumed from outside",
            "trust named principals; restrict web-identity roles (GitHub OIDC) to repositories/branches with a `sub` condition",
            None, &["CKV_AWS_60", "CKV_AWS_61"], iam_trust),
        // ---- Secrets Manager
        rule("secretsmanager.cmk", E, SECRET, "KmsKeyId",
            "a customer-managed key keeps control of who can decrypt the secret",
            "Secret encrypts with a customer-managed key by default; keep it",
            None, &["CKV_AWS_149"], secret_cmk),
        rule("secretsmanager.rotation", W, SECRET, "RotationSchedule",
            "long-lived secrets leak; rotation limits the damage",
            "add a rotation schedule to the secret",
            Some("AwsSolutions-SMG4"), &["CKV2_AWS_57"], secret_rotation),
        // ---- Logs
        rule("logs.retention", E, LOGS, "RetentionInDays",
            "logs kept forever cost money and hold personal data longer than needed",
            "set LogGroupProps::retention (the default is finite)",
            None, &["CKV_AWS_66"], logs_retention),
        rule("logs.kms", E, LOGS, "KmsKeyId",
            "log data must be encrypted with a customer-managed key",
            "keep LogGroupEncryption::Kms (the default)",
            None, &["CKV_AWS_158"], logs_kms),
        // ---- ECR
        rule("ecr.immutable-tags", W, ECR, "ImageTagMutability",
            "a mutable tag can be repointed to another image after review",
            "keep RepositoryProps::immutable_tags on",
            None, &["CKV_AWS_51"], ecr_immutable),
        rule("ecr.scan-on-push", W, ECR, "ImageScanningConfiguration",
            "images should be scanned for known vulnerabilities",
            "keep RepositoryProps::scan_on_push on",
            None, &["CKV_AWS_163"], ecr_scan),
        rule("ecr.kms", W, ECR, "EncryptionConfiguration",
            "a customer-managed key keeps control of who can read the images",
            "encrypt the repository with KMS",
            None, &["CKV_AWS_136"], ecr_kms),
    ]
}

// ---------------------------------------------------------------- ECS

fn containers<'a>(r: &ResourceRef<'a>) -> Vec<&'a Json> {
    list(r.prop("/ContainerDefinitions"))
}

fn container_name(c: &Json) -> &str {
    c.get("Name").and_then(Json::as_str).unwrap_or("?")
}

fn ecs_container_insights(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    let on = list(r.prop("/ClusterSettings")).iter().any(|s| {
        is_str(&s["Name"], "containerInsights") && matches!(s["Value"].as_str(), Some("enabled" | "enhanced"))
    });
    fail_if(!on, "Container Insights is not enabled on the cluster")
}

fn ecs_logging(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    containers(r)
        .into_iter()
        .filter(|c| c.get("LogConfiguration").is_none())
        .map(|c| format!("container {:?} has no log configuration", container_name(c)))
        .collect()
}

/// A variable whose name ends like a secret (`DB_PASSWORD`, `API_KEY`,
/// `GITHUB_TOKEN`), or whose value is a URL with a password in it.
fn looks_secret(name: &str, value: &str) -> bool {
    let n = name.to_ascii_uppercase();
    let by_name = [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
        "SECRET_KEY",
        "CREDENTIALS",
    ]
    .iter()
    .any(|k| n == *k || n.ends_with(&format!("_{k}")));
    let in_url = value.split_once("://").is_some_and(|(_, rest)| {
        rest.split('/').next().is_some_and(|auth| auth.split_once('@').is_some_and(|(user, _)| user.contains(':')))
    });
    by_name || in_url
}

fn ecs_secrets_in_env(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for c in containers(r) {
        for e in list(c.get("Environment")) {
            let name = e.get("Name").and_then(Json::as_str).unwrap_or_default();
            let value = e.get("Value").and_then(Json::as_str).unwrap_or_default();
            if !value.is_empty() && looks_secret(name, value) {
                out.push(format!("container {:?} passes {name:?} as a plain environment variable", container_name(c)));
            }
        }
    }
    out
}

fn ecs_read_only_root(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    containers(r)
        .into_iter()
        .filter(|c| !truthy(c.get("ReadonlyRootFilesystem")))
        .map(|c| format!("container {:?} has a writable root file system", container_name(c)))
        .collect()
}

fn ecs_privileged(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    containers(r)
        .into_iter()
        .filter(|c| truthy(c.get("Privileged")))
        .map(|c| format!("container {:?} is privileged", container_name(c)))
        .collect()
}

fn ecs_exec_logging(r: &ResourceRef<'_>, cx: &Context<'_>) -> Vec<String> {
    if !truthy(r.prop("/EnableExecuteCommand")) {
        return Vec::new();
    }
    let cluster = r.prop("/Cluster").and_then(|c| cx.target(r.stack, c));
    let logging = cluster.as_ref().and_then(|c| c.prop("/Configuration/ExecuteCommandConfiguration/Logging"));
    fail_if(
        logging.is_some_and(|l| is_str(l, "NONE")),
        "ECS Exec is enabled but the cluster's execute-command logging is NONE",
    )
}

fn ecs_public_ip(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(
        r.prop("/NetworkConfiguration/AwsvpcConfiguration/AssignPublicIp").is_some_and(|v| is_str(v, "ENABLED")),
        "the service's tasks get a public IP (AssignPublicIp ENABLED)",
    )
}

// ---------------------------------------------------------------- ALB

fn lb_attr<'a>(r: &ResourceRef<'a>, key: &str) -> Option<&'a Json> {
    list(r.prop("/LoadBalancerAttributes")).into_iter().find(|a| is_str(&a["Key"], key)).and_then(|a| a.get("Value"))
}

fn is_application(r: &ResourceRef<'_>) -> bool {
    r.prop("/Type").is_none_or(|t| is_str(t, "application"))
}

fn alb_https_only(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    if !r.prop("/Protocol").is_some_and(|p| is_str(p, "HTTP")) {
        return Vec::new();
    }
    let redirects = list(r.prop("/DefaultActions")).iter().all(|a| {
        is_str(&a["Type"], "redirect") && a.pointer("/RedirectConfig/Protocol").is_some_and(|p| is_str(p, "HTTPS"))
    });
    fail_if(!redirects, "an HTTP listener serves traffic instead of redirecting to HTTPS")
}

fn alb_tls_policy(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    if !r.prop("/Protocol").is_some_and(|p| is_str(p, "HTTPS") || is_str(p, "TLS")) {
        return Vec::new();
    }
    match r.prop("/SslPolicy").and_then(Json::as_str) {
        None => vec!["no SslPolicy: the ELB default allows TLS 1.0".into()],
        Some(p) if p.contains("TLS13") || p.contains("TLS-1-2") || p.contains("FS-1-2") => Vec::new(),
        Some(p) => vec![format!("SslPolicy {p:?} allows TLS versions below 1.2")],
    }
}

fn alb_drop_headers(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(
        is_application(r) && !truthy(lb_attr(r, "routing.http.drop_invalid_header_fields.enabled")),
        "the load balancer does not drop invalid HTTP header fields",
    )
}

fn alb_access_logs(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(!truthy(lb_attr(r, "access_logs.s3.enabled")), "access logs are off")
}

fn alb_deletion_protection(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(
        !truthy(lb_attr(r, "deletion_protection.enabled")),
        "deletion protection is off in a production environment",
    )
}

// ---------------------------------------------------------------- VPC

fn vpc_flow_logs(r: &ResourceRef<'_>, cx: &Context<'_>) -> Vec<String> {
    let logged = cx
        .referrers_of_type(r, "AWS::EC2::FlowLog")
        .iter()
        .any(|f| f.prop("/ResourceId").is_some_and(|v| refers_to(v, r.logical_id)));
    fail_if(!logged, "the VPC has no flow log")
}

fn vpc_default_sg(r: &ResourceRef<'_>, cx: &Context<'_>) -> Vec<String> {
    // CloudFormation cannot empty the default group itself: a remediation
    // (an SSM association or a custom resource, as the AWS CDK's
    // restrictDefaultSecurityGroup) must act on its `DefaultSecurityGroup`.
    let restricted = cx.referrers(r).iter().any(|x| {
        (x.type_name == "AWS::SSM::Association" || x.type_name.starts_with("Custom::"))
            && mentions_default_group(x.props(), r.logical_id)
    });
    fail_if(!restricted, "the VPC's default security group keeps its allow-all rules")
}

fn mentions_default_group(v: &Json, vpc: &str) -> bool {
    match v {
        Json::Object(m) => {
            if let Some(Json::Array(a)) = m.get("Fn::GetAtt") {
                if a.first().is_some_and(|x| is_str(x, vpc))
                    && a.get(1).is_some_and(|x| is_str(x, "DefaultSecurityGroup"))
                {
                    return true;
                }
            }
            m.values().any(|x| mentions_default_group(x, vpc))
        }
        Json::Array(a) => a.iter().any(|x| mentions_default_group(x, vpc)),
        _ => false,
    }
}

fn ingress_rules<'a>(r: &ResourceRef<'a>) -> Vec<&'a Json> {
    if r.type_name == "AWS::EC2::SecurityGroupIngress" {
        vec![r.props()]
    } else {
        list(r.prop("/SecurityGroupIngress"))
    }
}

fn is_anywhere(rule: &Json) -> bool {
    rule.get("CidrIp").is_some_and(|c| is_str(c, "0.0.0.0/0"))
        || rule.get("CidrIpv6").is_some_and(|c| is_str(c, "::/0"))
}

fn port_range(rule: &Json) -> (i64, i64) {
    let proto = rule
        .get("IpProtocol")
        .and_then(|p| p.as_str().map(str::to_owned).or_else(|| p.as_i64().map(|n| n.to_string())));
    if proto.as_deref() == Some("-1") {
        return (0, 65535);
    }
    let from = number(rule.get("FromPort")).map_or(0, |n| n as i64);
    let to = number(rule.get("ToPort")).map_or(65535, |n| n as i64);
    (from, to)
}

/// The security group a rule belongs to (itself for an inline rule).
fn group_of<'a>(r: &ResourceRef<'a>, cx: &Context<'a>) -> Option<ResourceRef<'a>> {
    if r.type_name == "AWS::EC2::SecurityGroup" {
        Some(*r)
    } else {
        r.prop("/GroupId").and_then(|g| cx.target(r.stack, g))
    }
}

fn on_public_load_balancer(group: &ResourceRef<'_>, cx: &Context<'_>) -> bool {
    cx.referrers_of_type(group, "AWS::ElasticLoadBalancingV2::LoadBalancer").iter().any(|lb| {
        lb.prop("/Scheme").is_some_and(|s| is_str(s, "internet-facing"))
            && lb.prop("/SecurityGroups").is_some_and(|v| refers_to(v, group.logical_id))
    })
}

fn sg_open_ingress(r: &ResourceRef<'_>, cx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let public_lb = group_of(r, cx).is_some_and(|g| on_public_load_balancer(&g, cx));
    for rule in ingress_rules(r) {
        if !is_anywhere(rule) {
            continue;
        }
        let (from, to) = port_range(rule);
        let web_only = from == to && (from == 80 || from == 443);
        if !(public_lb && web_only) {
            out.push(if from == to {
                format!("port {from} is open to the internet")
            } else {
                format!("ports {from}-{to} are open to the internet")
            });
        }
    }
    out
}

fn sg_descriptions(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let rules: Vec<&Json> = if r.type_name == "AWS::EC2::SecurityGroupIngress" {
        vec![r.props()]
    } else {
        let mut v = list(r.prop("/SecurityGroupIngress"));
        v.extend(list(r.prop("/SecurityGroupEgress")));
        v
    };
    for rule in rules {
        if rule.get("Description").is_none() {
            out.push("a security-group rule has no description".into());
        }
    }
    out
}

// ---------------------------------------------------------------- RDS

fn is_aurora(r: &ResourceRef<'_>) -> bool {
    r.type_name == "AWS::RDS::DBInstance" && r.prop("/DBClusterIdentifier").is_some()
}

fn rds_encrypted(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(!is_aurora(r) && !truthy(r.prop("/StorageEncrypted")), "storage is not encrypted")
}

fn rds_multi_az(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(!is_aurora(r) && !truthy(r.prop("/MultiAZ")), "the database is single-AZ in a production environment")
}

fn rds_backups(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    if is_aurora(r) {
        return Vec::new();
    }
    let days = number(r.prop("/BackupRetentionPeriod")).unwrap_or(1.0);
    fail_if(days < 7.0, format!("backups are kept {days} day(s); at least 7 are required"))
}

fn rds_deletion_protection(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(!is_aurora(r) && !truthy(r.prop("/DeletionProtection")), "deletion protection is off")
}

fn rds_iam_auth(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(!is_aurora(r) && !truthy(r.prop("/EnableIAMDatabaseAuthentication")), "IAM database authentication is off")
}

fn rds_not_public(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(truthy(r.prop("/PubliclyAccessible")), "the database is publicly accessible")
}

fn rds_log_exports(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(
        !is_aurora(r) && list(r.prop("/EnableCloudwatchLogsExports")).is_empty(),
        "no database log is exported to CloudWatch Logs",
    )
}

fn rds_minor_upgrades(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(falsy(r.prop("/AutoMinorVersionUpgrade")), "automatic minor version upgrades are off")
}

fn rds_monitoring(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(number(r.prop("/MonitoringInterval")).unwrap_or(0.0) <= 0.0, "enhanced monitoring is off")
}

fn rds_tls(r: &ResourceRef<'_>, cx: &Context<'_>) -> Vec<String> {
    if is_aurora(r) {
        return Vec::new();
    }
    let engine = r.prop("/Engine").and_then(Json::as_str).unwrap_or_default();
    let (param, default_on) = if engine.contains("postgres") {
        // RDS for PostgreSQL 15 and later default to rds.force_ssl = 1.
        let major =
            r.prop("/EngineVersion").and_then(Json::as_str).and_then(|v| v.split('.').next()?.parse::<u32>().ok());
        ("rds.force_ssl", major.is_none_or(|m| m >= 15))
    } else if engine.contains("mysql") || engine.contains("mariadb") {
        ("require_secure_transport", false)
    } else {
        return Vec::new();
    };
    let on = match r.prop("/DBParameterGroupName").and_then(|g| cx.target(r.stack, g)) {
        None => default_on,
        Some(g) => g
            .prop(&format!("/Parameters/{param}"))
            .is_some_and(|v| is_str(v, "1") || v.as_i64() == Some(1) || is_str(v, "ON") || truthy(Some(v))),
    };
    fail_if(!on, format!("the database does not require TLS ({param} is not 1)"))
}

// ---------------------------------------------------------------- S3

fn s3_public_access(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"]
        .iter()
        .filter(|k| !truthy(r.prop(&format!("/PublicAccessBlockConfiguration/{k}"))))
        .map(|k| format!("PublicAccessBlockConfiguration.{k} is not true"))
        .collect()
}

/// Whether a policy resource of `policy_type` attached to `r` (via
/// `attach_prop`) denies insecure transport.
fn has_tls_policy(r: &ResourceRef<'_>, cx: &Context<'_>, policy_type: &str, attach_prop: &str, doc_prop: &str) -> bool {
    cx.referrers_of_type(r, policy_type).iter().any(|p| {
        p.prop(attach_prop).is_some_and(|v| refers_to(v, r.logical_id))
            && statements(p.prop(doc_prop)).into_iter().any(denies_insecure_transport)
    })
}

fn s3_tls_only(r: &ResourceRef<'_>, cx: &Context<'_>) -> Vec<String> {
    fail_if(
        !has_tls_policy(r, cx, "AWS::S3::BucketPolicy", "/Bucket", "/PolicyDocument"),
        "no bucket policy denies requests without TLS",
    )
}

fn s3_encryption(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(
        list(r.prop("/BucketEncryption/ServerSideEncryptionConfiguration")).is_empty(),
        "no server-side encryption configuration",
    )
}

/// A bucket receiving other buckets' server access logs or load-balancer logs.
fn is_log_bucket(r: &ResourceRef<'_>, cx: &Context<'_>) -> bool {
    cx.referrers(r).iter().any(|x| match x.type_name {
        "AWS::S3::Bucket" => {
            x.prop("/LoggingConfiguration/DestinationBucketName").is_some_and(|v| refers_to(v, r.logical_id))
        }
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => true,
        "AWS::CloudFront::Distribution" => {
            x.prop("/DistributionConfig/Logging").is_some_and(|v| refers_to(v, r.logical_id))
        }
        _ => false,
    })
}

fn s3_versioning(r: &ResourceRef<'_>, cx: &Context<'_>) -> Vec<String> {
    let on = r.prop("/VersioningConfiguration/Status").is_some_and(|s| is_str(s, "Enabled"));
    fail_if(!on && !is_log_bucket(r, cx), "versioning is off on a data bucket")
}

fn s3_access_logs(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(r.prop("/LoggingConfiguration").is_none(), "server access logging is off")
}

// ---------------------------------------------------------------- DynamoDB

fn ddb_pitr(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(
        !truthy(r.prop("/PointInTimeRecoverySpecification/PointInTimeRecoveryEnabled")),
        "point-in-time recovery is off",
    )
}

fn ddb_cmk(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    let cmk = truthy(r.prop("/SSESpecification/SSEEnabled")) && r.prop("/SSESpecification/KMSMasterKeyId").is_some();
    fail_if(!cmk, "the table is not encrypted with a customer-managed key")
}

// ---------------------------------------------------------------- SQS / SNS

fn customer_key(v: Option<&Json>) -> bool {
    v.is_some_and(|k| !k.as_str().is_some_and(|s| s.starts_with("alias/aws/")))
}

fn sqs_cmk(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(!customer_key(r.prop("/KmsMasterKeyId")), "the queue is not encrypted with a customer-managed key")
}

fn sqs_tls_only(r: &ResourceRef<'_>, cx: &Context<'_>) -> Vec<String> {
    fail_if(
        !has_tls_policy(r, cx, "AWS::SQS::QueuePolicy", "/Queues", "/PolicyDocument"),
        "no queue policy denies requests without TLS",
    )
}

fn sqs_dlq(r: &ResourceRef<'_>, cx: &Context<'_>) -> Vec<String> {
    let is_dlq = cx
        .referrers_of_type(r, "AWS::SQS::Queue")
        .iter()
        .any(|q| q.prop("/RedrivePolicy").is_some_and(|v| refers_to(v, r.logical_id)));
    fail_if(!is_dlq && r.prop("/RedrivePolicy").is_none(), "the queue has no dead-letter queue")
}

fn sns_cmk(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(!customer_key(r.prop("/KmsMasterKeyId")), "the topic is not encrypted with a customer-managed key")
}

fn sns_tls_only(r: &ResourceRef<'_>, cx: &Context<'_>) -> Vec<String> {
    fail_if(
        !has_tls_policy(r, cx, "AWS::SNS::TopicPolicy", "/Topics", "/PolicyDocument"),
        "no topic policy denies publishing without TLS",
    )
}

// ---------------------------------------------------------------- ElastiCache

fn cache_tls(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(!truthy(r.prop("/TransitEncryptionEnabled")), "in-transit encryption is off")
}

fn cache_at_rest(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(!truthy(r.prop("/AtRestEncryptionEnabled")), "at-rest encryption is off")
}

fn cache_auth(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    let auth = r.prop("/AuthToken").is_some() || !list(r.prop("/UserGroupIds")).is_empty();
    fail_if(!auth, "neither an AUTH token nor RBAC user groups are configured")
}

fn cache_multi_az(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(
        !truthy(r.prop("/MultiAZEnabled")) || !truthy(r.prop("/AutomaticFailoverEnabled")),
        "Multi-AZ with automatic failover is off in a production environment",
    )
}

// ---------------------------------------------------------------- MSK

fn msk_iam_tls(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let iam = truthy(r.prop("/ClientAuthentication/Sasl/Iam/Enabled"));
    let tls_auth = r.prop("/ClientAuthentication/Tls").is_some();
    if !iam && !tls_auth {
        out.push("clients are not authenticated with IAM or mutual TLS".into());
    }
    if r.type_name == "AWS::MSK::Cluster" {
        let client_broker = r.prop("/EncryptionInfo/EncryptionInTransit/ClientBroker").and_then(Json::as_str);
        if client_broker.is_some_and(|c| c != "TLS") {
            out.push(format!("client-broker traffic is {:?}, not TLS", client_broker.unwrap_or_default()));
        }
        if falsy(r.prop("/EncryptionInfo/EncryptionInTransit/InCluster")) {
            out.push("traffic between brokers is not encrypted".into());
        }
    }
    out
}

// ---------------------------------------------------------------- CloudFront

fn behaviors<'a>(r: &ResourceRef<'a>) -> Vec<&'a Json> {
    let mut v: Vec<&Json> = r.prop("/DistributionConfig/DefaultCacheBehavior").into_iter().collect();
    v.extend(list(r.prop("/DistributionConfig/CacheBehaviors")));
    v
}

fn cdn_tls(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    let v = r.prop("/DistributionConfig/ViewerCertificate/MinimumProtocolVersion").and_then(Json::as_str);
    fail_if(
        !v.is_some_and(|p| p.starts_with("TLSv1.2") || p.starts_with("TLSv1.3")),
        format!("viewer minimum protocol is {}, not TLS 1.2+", v.unwrap_or("the default (TLSv1)")),
    )
}

fn cdn_https(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    behaviors(r)
        .into_iter()
        .filter(|b| b.get("ViewerProtocolPolicy").is_none_or(|p| is_str(p, "allow-all")))
        .map(|b| {
            format!(
                "cache behavior {:?} allows plain HTTP",
                b.get("PathPattern").and_then(Json::as_str).unwrap_or("default")
            )
        })
        .collect()
}

fn cdn_oac(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    list(r.prop("/DistributionConfig/Origins"))
        .into_iter()
        .filter(|o| o.get("S3OriginConfig").is_some() && o.get("OriginAccessControlId").is_none())
        .map(|o| {
            format!("S3 origin {:?} has no origin access control", o.get("Id").and_then(Json::as_str).unwrap_or("?"))
        })
        .collect()
}

fn cdn_logging(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(r.prop("/DistributionConfig/Logging").is_none(), "access logging is off")
}

fn cdn_waf(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(r.prop("/DistributionConfig/WebACLId").is_none(), "no web ACL in a production environment")
}

// ---------------------------------------------------------------- KMS

fn kms_rotation(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    let symmetric = r.prop("/KeySpec").is_none_or(|s| is_str(s, "SYMMETRIC_DEFAULT"));
    fail_if(symmetric && !truthy(r.prop("/EnableKeyRotation")), "key rotation is off")
}

fn is_any_principal(p: Option<&Json>) -> bool {
    match p {
        Some(Json::String(s)) => s == "*",
        Some(Json::Object(m)) => m.get("AWS").is_some_and(|a| list(Some(a)).iter().any(|x| is_str(x, "*"))),
        _ => false,
    }
}

fn kms_public(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    let open = statements(r.prop("/KeyPolicy"))
        .into_iter()
        .any(|s| allows(s) && is_any_principal(s.get("Principal")) && s.get("Condition").is_none());
    fail_if(open, "the key policy allows any principal without a condition")
}

// ---------------------------------------------------------------- IAM

fn iam_star_actions(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for doc in iam_documents(r.props()) {
        for s in statements(Some(doc)).into_iter().filter(|s| allows(s)) {
            if list(s.get("Action")).iter().any(|a| is_str(a, "*") || is_str(a, "*:*")) {
                out.push("a statement allows every action (\"*\")".into());
            }
        }
    }
    out
}

/// Actions that support no resource-level permission: `Resource: "*"` is
/// the only form AWS accepts for them.
const RESOURCELESS: &[&str] = &[
    "ecr:GetAuthorizationToken",
    "cloudwatch:PutMetricData",
    "logs:DescribeLogGroups",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
    "ec2:DescribeNetworkInterfaces",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "kafka-cluster:Connect",
];

fn iam_star_resource(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for doc in iam_documents(r.props()) {
        for s in statements(Some(doc)).into_iter().filter(|s| allows(s)) {
            if !list(s.get("Resource")).iter().any(|x| is_str(x, "*")) {
                continue;
            }
            let actions: Vec<&str> = list(s.get("Action")).iter().filter_map(|a| a.as_str()).collect();
            let named: Vec<&str> = actions
                .iter()
                .copied()
                .filter(|a| !RESOURCELESS.contains(a) && !a.starts_with("ec2:Describe"))
                .collect();
            if !named.is_empty() {
                out.push(format!("\"Resource\": \"*\" for {}", named.join(", ")));
            }
        }
    }
    out
}

fn iam_admin_policies(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for arn in list(r.prop("/ManagedPolicyArns")) {
        let text = match arn {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        };
        for admin in ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"] {
            if text.contains(&format!("policy/{admin}")) {
                out.push(format!("the managed policy {admin} is attached"));
            }
        }
    }
    out
}

fn iam_trust(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for s in statements(r.prop("/AssumeRolePolicyDocument")).into_iter().filter(|s| allows(s)) {
        if is_any_principal(s.get("Principal")) && s.get("Condition").is_none() {
            out.push("any principal may assume the role".into());
        }
        let web_identity = list(s.get("Action")).iter().any(|a| is_str(a, "sts:AssumeRoleWithWebIdentity"))
            || s.pointer("/Principal/Federated").is_some();
        if web_identity {
            let has_sub = s.get("Condition").and_then(Json::as_object).is_some_and(|ops| {
                ops.iter()
                    .filter(|(op, _)| op.starts_with("StringEquals") || op.starts_with("StringLike"))
                    .any(|(_, keys)| keys.as_object().is_some_and(|k| k.keys().any(|key| key.ends_with(":sub"))))
            });
            if !has_sub {
                out.push("a web-identity trust has no `sub` condition: any repository or workload of the provider can assume the role".into());
            }
        }
    }
    out
}

// ---------------------------------------------------------------- Secrets Manager, logs, ECR

fn secret_cmk(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(!customer_key(r.prop("/KmsKeyId")), "the secret is encrypted with the AWS-managed key")
}

fn secret_rotation(r: &ResourceRef<'_>, cx: &Context<'_>) -> Vec<String> {
    let rotated = cx
        .referrers_of_type(r, "AWS::SecretsManager::RotationSchedule")
        .iter()
        .any(|s| s.prop("/SecretId").is_some_and(|v| refers_to(v, r.logical_id)));
    fail_if(!rotated, "the secret is never rotated")
}

fn logs_retention(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(r.prop("/RetentionInDays").is_none(), "log events are kept forever")
}

fn logs_kms(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(r.prop("/KmsKeyId").is_none(), "the log group is not encrypted with a customer-managed key")
}

fn ecr_immutable(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    let m = r.prop("/ImageTagMutability").and_then(Json::as_str).unwrap_or("MUTABLE");
    fail_if(!m.starts_with("IMMUTABLE"), "image tags are mutable")
}

fn ecr_scan(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(!truthy(r.prop("/ImageScanningConfiguration/ScanOnPush")), "images are not scanned on push")
}

fn ecr_kms(r: &ResourceRef<'_>, _: &Context<'_>) -> Vec<String> {
    fail_if(
        !r.prop("/EncryptionConfiguration/EncryptionType").is_some_and(|t| is_str(t, "KMS") || is_str(t, "KMS_DSSE")),
        "the repository is not encrypted with KMS",
    )
}
