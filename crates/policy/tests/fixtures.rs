//! Every rule has a failing and a passing fixture (a template's
//! `Resources`), checked through the engine as synth runs it.

use std::collections::BTreeMap;

use stackcraft_core::serde_json::{json, Value as Json};
use stackcraft_core::{StackArtifact, ValidationInput, Validator};
use stackcraft_policy::{packs, report_findings, Policy, PolicyValidator};

fn validator() -> PolicyValidator {
    Policy::default().with_pack(packs::production()).with_pack(packs::nist_800_53()).into_validator()
}

/// Rule ids found on `resources` (production environment when `prod`).
fn findings(v: &PolicyValidator, resources: &Json, prod: bool) -> Vec<(String, String)> {
    let mut stacks = vec![StackArtifact {
        id: "S".into(),
        stack_name: "t-S".into(),
        template: json!({ "Resources": resources }),
        dependencies: vec![],
        termination_protection: false,
        tags: BTreeMap::new(),
        account: None,
        region: None,
        shared: false,
    }];
    let paths = BTreeMap::new();
    let mut reports = BTreeMap::new();
    let mut input = ValidationInput {
        stacks: &mut stacks,
        environment: Some(if prod { "prod" } else { "dev" }),
        production: prod,
        paths: &paths,
        acknowledgements: &[],
        reports: &mut reports,
    };
    let diags = v.validate(&mut input);
    let report = &reports["policy-report.json"];
    assert_eq!(report_findings(report).len(), diags.len());
    diags.into_iter().map(|d| (d.rule.unwrap_or_default(), d.message)).collect()
}

fn r(type_name: &str, props: Json) -> Json {
    json!({ "Type": type_name, "Properties": props })
}

const TLS_DENY: &str = "DenyInsecureTransport";

fn deny_tls() -> Json {
    json!({"Sid": TLS_DENY, "Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
           "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
}

fn container(extra: Json) -> Json {
    let mut c = json!({"Name": "app", "Image": "x:1", "ReadonlyRootFilesystem": true,
                       "LogConfiguration": {"LogDriver": "awslogs"}});
    if let (Some(c), Some(e)) = (c.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            c.insert(k.clone(), v.clone());
        }
    }
    c
}

fn lb(attrs: &[(&str, &str)], scheme: &str) -> Json {
    let attrs: Vec<Json> = attrs.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect();
    r(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        json!({"Scheme": scheme, "Type": "application", "LoadBalancerAttributes": attrs, "SecurityGroups": [{"Fn::GetAtt": ["Sg", "GroupId"]}]}),
    )
}

const LB_OK: &[(&str, &str)] = &[
    ("routing.http.drop_invalid_header_fields.enabled", "true"),
    ("access_logs.s3.enabled", "true"),
    ("deletion_protection.enabled", "true"),
];

fn db(extra: Json) -> Json {
    let mut p = json!({"Engine": "postgres", "EngineVersion": "16.4", "StorageEncrypted": true, "MultiAZ": true,
        "BackupRetentionPeriod": 7, "DeletionProtection": true, "EnableIAMDatabaseAuthentication": true,
        "EnableCloudwatchLogsExports": ["postgresql"], "MonitoringInterval": 60});
    if let (Some(p), Some(e)) = (p.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            if v.is_null() {
                p.remove(k);
            } else {
                p.insert(k.clone(), v.clone());
            }
        }
    }
    json!({"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot", "Properties": p})
}

fn bucket(extra: Json) -> Json {
    let mut p = json!({
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
        "VersioningConfiguration": {"Status": "Enabled"},
        "LoggingConfiguration": {"DestinationBucketName": "logs"},
    });
    if let (Some(p), Some(e)) = (p.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            if v.is_null() {
                p.remove(k);
            } else {
                p.insert(k.clone(), v.clone());
            }
        }
    }
    json!({"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "Properties": p})
}

fn bucket_policy(statements: Json) -> Json {
    r("AWS::S3::BucketPolicy", json!({"Bucket": {"Ref": "B"}, "PolicyDocument": {"Statement": statements}}))
}

fn cache(extra: Json) -> Json {
    let mut p = json!({"TransitEncryptionEnabled": true, "AtRestEncryptionEnabled": true, "AuthToken": "{{resolve:secretsmanager:x}}",
        "MultiAZEnabled": true, "AutomaticFailoverEnabled": true});
    if let (Some(p), Some(e)) = (p.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            p.insert(k.clone(), v.clone());
        }
    }
    json!({"Type": "AWS::ElastiCache::ReplicationGroup", "DeletionPolicy": "Snapshot", "Properties": p})
}

fn cdn(extra: Json) -> Json {
    let mut dc = json!({
        "DefaultCacheBehavior": {"ViewerProtocolPolicy": "redirect-to-https"},
        "ViewerCertificate": {"MinimumProtocolVersion": "TLSv1.2_2021"},
        "Origins": [{"Id": "s3", "S3OriginConfig": {}, "OriginAccessControlId": {"Ref": "Oac"}}],
        "Logging": {"Bucket": "logs.s3.amazonaws.com"},
        "WebACLId": "arn:aws:wafv2:us-east-1:1:global/webacl/x",
    });
    if let (Some(p), Some(e)) = (dc.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            if v.is_null() {
                p.remove(k);
            } else {
                p.insert(k.clone(), v.clone());
            }
        }
    }
    r("AWS::CloudFront::Distribution", json!({ "DistributionConfig": dc }))
}

fn role(policy_statements: Json) -> Json {
    r(
        "AWS::IAM::Role",
        json!({
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": policy_statements}}],
        }),
    )
}

fn trust(statement: Json) -> Json {
    r("AWS::IAM::Role", json!({"AssumeRolePolicyDocument": {"Statement": [statement]}}))
}

fn log_group(extra: Json) -> Json {
    let mut p = json!({"RetentionInDays": 400, "KmsKeyId": {"Fn::GetAtt": ["K", "Arn"]}});
    if let (Some(p), Some(e)) = (p.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            if v.is_null() {
                p.remove(k);
            } else {
                p.insert(k.clone(), v.clone());
            }
        }
    }
    json!({"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "Properties": p})
}

fn ecr(extra: Json) -> Json {
    let mut p = json!({"ImageTagMutability": "IMMUTABLE", "ImageScanningConfiguration": {"ScanOnPush": true},
        "EncryptionConfiguration": {"EncryptionType": "KMS"}});
    if let (Some(p), Some(e)) = (p.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            p.insert(k.clone(), v.clone());
        }
    }
    r("AWS::ECR::Repository", p)
}

/// (rule id, production?, failing resources, passing resources)
fn cases() -> Vec<(&'static str, bool, Json, Json)> {
    let task = |c: Json| json!({"T": r("AWS::ECS::TaskDefinition", json!({"ContainerDefinitions": [c]}))});
    let vpc_with = |extra: Json| {
        let mut m = json!({"V": r("AWS::EC2::VPC", json!({"CidrBlock": "10.0.0.0/16"}))});
        if let (Some(m), Some(e)) = (m.as_object_mut(), extra.as_object()) {
            m.extend(e.clone());
        }
        m
    };
    let sg_open = |port: i64| json!({"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": port, "ToPort": port, "Description": "d"});
    vec![
        (
            "ecs.container-insights",
            false,
            json!({"C": r("AWS::ECS::Cluster", json!({}))}),
            json!({"C": r("AWS::ECS::Cluster", json!({"ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]}))}),
        ),
        ("ecs.logging", false, task(json!({"Name": "a", "ReadonlyRootFilesystem": true})), task(container(json!({})))),
        (
            "ecs.secrets-not-in-environment",
            false,
            task(container(json!({"Environment": [{"Name": "DB_PASSWORD", "Value": "hunter2"}]}))),
            task(container(json!({"Environment": [{"Name": "ACCESS_TOKEN_EXPIRE_MINUTES", "Value": "30"}]}))),
        ),
        (
            "ecs.read-only-root",
            false,
            task(container(json!({"ReadonlyRootFilesystem": false}))),
            task(container(json!({}))),
        ),
        (
            "ecs.no-privileged",
            false,
            task(container(json!({"Privileged": true}))),
            task(container(json!({"Privileged": false}))),
        ),
        (
            "ecs.exec-logging",
            false,
            json!({"C": r("AWS::ECS::Cluster", json!({"Configuration": {"ExecuteCommandConfiguration": {"Logging": "NONE"}}})),
                   "S": r("AWS::ECS::Service", json!({"Cluster": {"Ref": "C"}, "EnableExecuteCommand": true}))}),
            json!({"C": r("AWS::ECS::Cluster", json!({"Configuration": {"ExecuteCommandConfiguration": {"Logging": "DEFAULT"}}})),
                   "S": r("AWS::ECS::Service", json!({"Cluster": {"Ref": "C"}, "EnableExecuteCommand": true}))}),
        ),
        (
            "ecs.no-public-ip",
            false,
            json!({"S": r("AWS::ECS::Service", json!({"NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "ENABLED"}}}))}),
            json!({"S": r("AWS::ECS::Service", json!({"NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "DISABLED"}}}))}),
        ),
        (
            "alb.https-only",
            false,
            json!({"L": r("AWS::ElasticLoadBalancingV2::Listener", json!({"Protocol": "HTTP", "DefaultActions": [{"Type": "forward"}]}))}),
            json!({"L": r("AWS::ElasticLoadBalancingV2::Listener", json!({"Protocol": "HTTP", "DefaultActions": [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS"}}]}))}),
        ),
        (
            "alb.tls-policy",
            false,
            json!({"L": r("AWS::ElasticLoadBalancingV2::Listener", json!({"Protocol": "HTTPS", "SslPolicy": "ELBSecurityPolicy-2016-08"}))}),
            json!({"L": r("AWS::ElasticLoadBalancingV2::Listener", json!({"Protocol": "HTTPS", "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}))}),
        ),
        (
            "alb.drop-invalid-headers",
            false,
            json!({"L": lb(&[("access_logs.s3.enabled", "true")], "internal")}),
            json!({"L": lb(LB_OK, "internal")}),
        ),
        (
            "alb.access-logs",
            false,
            json!({"L": lb(&[("routing.http.drop_invalid_header_fields.enabled", "true")], "internal")}),
            json!({"L": lb(LB_OK, "internal")}),
        ),
        (
            "alb.deletion-protection",
            true,
            json!({"L": lb(&LB_OK[..2], "internal")}),
            json!({"L": lb(LB_OK, "internal")}),
        ),
        (
            "vpc.flow-logs",
            false,
            vpc_with(json!({})),
            vpc_with(json!({"F": r("AWS::EC2::FlowLog", json!({"ResourceId": {"Ref": "V"}, "ResourceType": "VPC"}))})),
        ),
        (
            "vpc.default-sg-restricted",
            false,
            vpc_with(json!({})),
            vpc_with(
                json!({"A": r("AWS::SSM::Association", json!({"Name": "AWSConfigRemediation-RemoveVPCDefaultSecurityGroupRules", "Parameters": {"GroupId": [{"Fn::GetAtt": ["V", "DefaultSecurityGroup"]}]}}))}),
            ),
        ),
        (
            "vpc.open-ingress",
            false,
            json!({"Sg": r("AWS::EC2::SecurityGroup", json!({"GroupDescription": "d", "SecurityGroupIngress": [sg_open(22)]}))}),
            json!({"Sg": r("AWS::EC2::SecurityGroup", json!({"GroupDescription": "d"})),
                   "In": r("AWS::EC2::SecurityGroupIngress", {let mut x = sg_open(443); x["GroupId"] = json!({"Fn::GetAtt": ["Sg", "GroupId"]}); x}),
                   "L": lb(LB_OK, "internet-facing")}),
        ),
        (
            "vpc.sg-rule-description",
            false,
            json!({"Sg": r("AWS::EC2::SecurityGroup", json!({"GroupDescription": "d", "SecurityGroupEgress": [{"CidrIp": "10.0.0.0/8", "IpProtocol": "-1"}]}))}),
            json!({"Sg": r("AWS::EC2::SecurityGroup", json!({"GroupDescription": "d", "SecurityGroupEgress": [{"CidrIp": "10.0.0.0/8", "IpProtocol": "-1", "Description": "all"}]}))}),
        ),
        (
            "rds.storage-encrypted",
            false,
            json!({"D": db(json!({"StorageEncrypted": false}))}),
            json!({"D": db(json!({}))}),
        ),
        ("rds.multi-az", true, json!({"D": db(json!({"MultiAZ": false}))}), json!({"D": db(json!({}))})),
        (
            "rds.backup-retention",
            false,
            json!({"D": db(json!({"BackupRetentionPeriod": 3}))}),
            json!({"D": db(json!({"BackupRetentionPeriod": "14"}))}),
        ),
        (
            "rds.deletion-protection",
            false,
            json!({"D": db(json!({"DeletionProtection": null}))}),
            json!({"D": db(json!({}))}),
        ),
        (
            "rds.iam-auth",
            false,
            json!({"D": db(json!({"EnableIAMDatabaseAuthentication": false}))}),
            json!({"D": db(json!({}))}),
        ),
        (
            "rds.not-public",
            false,
            json!({"D": db(json!({"PubliclyAccessible": true}))}),
            json!({"D": db(json!({"PubliclyAccessible": false}))}),
        ),
        (
            "rds.log-exports",
            false,
            json!({"D": db(json!({"EnableCloudwatchLogsExports": []}))}),
            json!({"D": db(json!({}))}),
        ),
        (
            "rds.minor-upgrades",
            false,
            json!({"D": db(json!({"AutoMinorVersionUpgrade": false}))}),
            json!({"D": db(json!({"AutoMinorVersionUpgrade": true}))}),
        ),
        (
            "rds.enhanced-monitoring",
            false,
            json!({"D": db(json!({"MonitoringInterval": 0}))}),
            json!({"D": db(json!({}))}),
        ),
        (
            "rds.tls",
            false,
            json!({"D": db(json!({"DBParameterGroupName": {"Ref": "P"}})), "P": r("AWS::RDS::DBParameterGroup", json!({"Family": "postgres16", "Parameters": {"rds.force_ssl": "0"}}))}),
            json!({"D": db(json!({"DBParameterGroupName": {"Ref": "P"}})), "P": r("AWS::RDS::DBParameterGroup", json!({"Family": "postgres16", "Parameters": {"rds.force_ssl": "1"}}))}),
        ),
        (
            "s3.public-access-block",
            false,
            json!({"B": bucket(json!({"PublicAccessBlockConfiguration": {"BlockPublicAcls": true}})), "P": bucket_policy(json!([deny_tls()]))}),
            json!({"B": bucket(json!({})), "P": bucket_policy(json!([deny_tls()]))}),
        ),
        (
            "s3.tls-only",
            false,
            json!({"B": bucket(json!({})), "P": bucket_policy(json!([{"Effect": "Allow", "Principal": {"Service": "x"}, "Action": "s3:GetObject", "Resource": "arn"}]))}),
            json!({"B": bucket(json!({})), "P": bucket_policy(json!([deny_tls()]))}),
        ),
        (
            "s3.encryption",
            false,
            json!({"B": bucket(json!({"BucketEncryption": null})), "P": bucket_policy(json!([deny_tls()]))}),
            json!({"B": bucket(json!({})), "P": bucket_policy(json!([deny_tls()]))}),
        ),
        (
            "s3.versioning",
            false,
            json!({"B": bucket(json!({"VersioningConfiguration": null})), "P": bucket_policy(json!([deny_tls()]))}),
            // A log bucket (the target of another bucket's access logs) needs no versioning.
            json!({"B": bucket(json!({"VersioningConfiguration": null})), "P": bucket_policy(json!([deny_tls()])),
                   "Data": bucket(json!({"LoggingConfiguration": {"DestinationBucketName": {"Ref": "B"}}})),
                   "DataPolicy": r("AWS::S3::BucketPolicy", json!({"Bucket": {"Ref": "Data"}, "PolicyDocument": {"Statement": [deny_tls()]}}))}),
        ),
        (
            "s3.access-logs",
            false,
            json!({"B": bucket(json!({"LoggingConfiguration": null})), "P": bucket_policy(json!([deny_tls()]))}),
            json!({"B": bucket(json!({})), "P": bucket_policy(json!([deny_tls()]))}),
        ),
        (
            "dynamodb.pitr",
            false,
            json!({"T": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "Properties": {"SSESpecification": {"SSEEnabled": true, "KMSMasterKeyId": "k"}}}}),
            json!({"T": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "Properties": {"SSESpecification": {"SSEEnabled": true, "KMSMasterKeyId": "k"}, "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}}}),
        ),
        (
            "dynamodb.cmk",
            false,
            json!({"T": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "Properties": {"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}}}),
            json!({"T": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "Properties": {"SSESpecification": {"SSEEnabled": true, "KMSMasterKeyId": "k"}, "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}}}),
        ),
        (
            "sqs.cmk",
            false,
            json!({"Q": r("AWS::SQS::Queue", json!({"KmsMasterKeyId": "alias/aws/sqs"}))}),
            json!({"Q": r("AWS::SQS::Queue", json!({"KmsMasterKeyId": {"Ref": "K"}}))}),
        ),
        (
            "sqs.tls-only",
            false,
            json!({"Q": r("AWS::SQS::Queue", json!({}))}),
            json!({"Q": r("AWS::SQS::Queue", json!({})), "P": r("AWS::SQS::QueuePolicy", json!({"Queues": [{"Ref": "Q"}], "PolicyDocument": {"Statement": [deny_tls()]}}))}),
        ),
        (
            "sqs.dlq",
            false,
            json!({"Q": r("AWS::SQS::Queue", json!({}))}),
            json!({"Q": r("AWS::SQS::Queue", json!({"RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["D", "Arn"]}, "maxReceiveCount": 5}})),
                   "D": r("AWS::SQS::Queue", json!({}))}),
        ),
        (
            "sns.cmk",
            false,
            json!({"T": r("AWS::SNS::Topic", json!({}))}),
            json!({"T": r("AWS::SNS::Topic", json!({"KmsMasterKeyId": {"Ref": "K"}}))}),
        ),
        (
            "sns.tls-only",
            false,
            json!({"T": r("AWS::SNS::Topic", json!({}))}),
            json!({"T": r("AWS::SNS::Topic", json!({})), "P": r("AWS::SNS::TopicPolicy", json!({"Topics": [{"Ref": "T"}], "PolicyDocument": {"Statement": [deny_tls()]}}))}),
        ),
        (
            "elasticache.tls",
            false,
            json!({"C": cache(json!({"TransitEncryptionEnabled": false}))}),
            json!({"C": cache(json!({}))}),
        ),
        (
            "elasticache.at-rest",
            false,
            json!({"C": cache(json!({"AtRestEncryptionEnabled": false}))}),
            json!({"C": cache(json!({}))}),
        ),
        (
            "elasticache.auth",
            false,
            json!({"C": {"Type": "AWS::ElastiCache::ReplicationGroup", "Properties": {"TransitEncryptionEnabled": true, "AtRestEncryptionEnabled": true}}}),
            json!({"C": cache(json!({"UserGroupIds": ["g"]}))}),
        ),
        (
            "elasticache.multi-az",
            true,
            json!({"C": cache(json!({"MultiAZEnabled": false}))}),
            json!({"C": cache(json!({}))}),
        ),
        (
            "msk.iam-tls",
            false,
            json!({"M": r("AWS::MSK::Cluster", json!({"EncryptionInfo": {"EncryptionInTransit": {"ClientBroker": "PLAINTEXT"}}}))}),
            json!({"M": r("AWS::MSK::ServerlessCluster", json!({"ClientAuthentication": {"Sasl": {"Iam": {"Enabled": true}}}}))}),
        ),
        (
            "cloudfront.tls",
            false,
            json!({"D": cdn(json!({"ViewerCertificate": {"CloudFrontDefaultCertificate": true}}))}),
            json!({"D": cdn(json!({}))}),
        ),
        (
            "cloudfront.https-viewers",
            false,
            json!({"D": cdn(json!({"DefaultCacheBehavior": {"ViewerProtocolPolicy": "allow-all"}}))}),
            json!({"D": cdn(json!({}))}),
        ),
        (
            "cloudfront.oac",
            false,
            json!({"D": cdn(json!({"Origins": [{"Id": "s3", "S3OriginConfig": {}}]}))}),
            json!({"D": cdn(json!({}))}),
        ),
        ("cloudfront.logging", false, json!({"D": cdn(json!({"Logging": null}))}), json!({"D": cdn(json!({}))})),
        ("cloudfront.waf", true, json!({"D": cdn(json!({"WebACLId": null}))}), json!({"D": cdn(json!({}))})),
        (
            "kms.rotation",
            false,
            json!({"K": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "Properties": {}}}),
            json!({"K": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "Properties": {"EnableKeyRotation": true}}}),
        ),
        (
            "kms.no-public-principal",
            false,
            json!({"K": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "Properties": {"EnableKeyRotation": true, "KeyPolicy": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]}}}}),
            json!({"K": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "Properties": {"EnableKeyRotation": true, "KeyPolicy": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "kms:*", "Resource": "*"}]}}}}),
        ),
        (
            "iam.no-star-actions",
            false,
            json!({"R": role(json!([{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"}]))}),
            json!({"R": role(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]))}),
        ),
        (
            "iam.no-star-resource",
            false,
            json!({"R": role(json!([{"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "*"}]))}),
            json!({"R": role(json!([{"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ec2:DescribeSecurityGroups"], "Resource": "*"}]))}),
        ),
        (
            "iam.no-admin-managed-policy",
            false,
            json!({"R": r("AWS::IAM::Role", json!({"AssumeRolePolicyDocument": {}, "ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess"}]}))}),
            json!({"R": r("AWS::IAM::Role", json!({"AssumeRolePolicyDocument": {}, "ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"}]}))}),
        ),
        (
            "iam.trust-restricted",
            false,
            json!({"R": trust(json!({"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity",
                   "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}))}),
            json!({"R": trust(json!({"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity",
                   "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/app:ref:refs/heads/main"}}}))}),
        ),
        (
            "secretsmanager.cmk",
            false,
            json!({"S": r("AWS::SecretsManager::Secret", json!({})), "Rot": r("AWS::SecretsManager::RotationSchedule", json!({"SecretId": {"Ref": "S"}}))}),
            json!({"S": r("AWS::SecretsManager::Secret", json!({"KmsKeyId": {"Ref": "K"}})), "Rot": r("AWS::SecretsManager::RotationSchedule", json!({"SecretId": {"Ref": "S"}}))}),
        ),
        (
            "secretsmanager.rotation",
            false,
            json!({"S": r("AWS::SecretsManager::Secret", json!({"KmsKeyId": {"Ref": "K"}}))}),
            json!({"S": r("AWS::SecretsManager::Secret", json!({"KmsKeyId": {"Ref": "K"}})), "Rot": r("AWS::SecretsManager::RotationSchedule", json!({"SecretId": {"Ref": "S"}}))}),
        ),
        (
            "logs.retention",
            false,
            json!({"L": log_group(json!({"RetentionInDays": null}))}),
            json!({"L": log_group(json!({}))}),
        ),
        ("logs.kms", false, json!({"L": log_group(json!({"KmsKeyId": null}))}), json!({"L": log_group(json!({}))})),
        (
            "ecr.immutable-tags",
            false,
            json!({"R": ecr(json!({"ImageTagMutability": "MUTABLE"}))}),
            json!({"R": ecr(json!({}))}),
        ),
        (
            "ecr.scan-on-push",
            false,
            json!({"R": ecr(json!({"ImageScanningConfiguration": {"ScanOnPush": false}}))}),
            json!({"R": ecr(json!({}))}),
        ),
        (
            "ecr.kms",
            false,
            json!({"R": ecr(json!({"EncryptionConfiguration": {"EncryptionType": "AES256"}}))}),
            json!({"R": ecr(json!({}))}),
        ),
        (
            "production.stateful-retained",
            true,
            json!({"L": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 400, "KmsKeyId": "k"}}}),
            json!({"L": log_group(json!({}))}),
        ),
        (
            "production.log-retention-1y",
            true,
            json!({"L": log_group(json!({"RetentionInDays": 30}))}),
            json!({"L": log_group(json!({}))}),
        ),
    ]
}

#[test]
fn every_rule_fails_its_failing_fixture_and_passes_its_passing_one() {
    let v = validator();
    let mut problems = Vec::new();
    for (id, prod, failing, passing) in cases() {
        let f = findings(&v, &failing, prod);
        if !f.iter().any(|(rule, _)| rule == id) {
            problems.push(format!("{id}: failing fixture not flagged (found {f:?})"));
        }
        let p = findings(&v, &passing, prod);
        if p.iter().any(|(rule, _)| rule == id) {
            problems.push(format!("{id}: passing fixture flagged: {p:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_rule_has_fixtures_and_complete_metadata() {
    let v = validator();
    let cases = cases();
    for m in v.rules() {
        assert!(cases.iter().any(|(id, ..)| *id == m.id), "rule {} has no fixture", m.id);
        assert!(stackcraft_core::ack::valid_rule_id(m.id), "{}", m.id);
        assert!(!m.rationale.is_empty() && !m.fix.is_empty() && !m.types.is_empty(), "{}", m.id);
    }
    let mut ids: Vec<&str> = v.rules().iter().map(|m| m.id).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "rule ids are unique");
}

#[test]
fn production_only_rules_are_silent_outside_production() {
    let v = validator();
    for (id, prod, failing, _) in cases() {
        if prod {
            assert!(!findings(&v, &failing, false).iter().any(|(rule, _)| rule == id), "{id} fired outside production");
        }
    }
}

#[test]
fn findings_carry_rationale_fix_and_nist_controls() {
    let v = validator();
    let f = findings(&v, &json!({"K": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "Properties": {}}}), false);
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].1,
        "key rotation is off (symmetric keys must rotate their material yearly); fix: keep KeyProps rotation on (the default) [controls: SC-12]"
    );
}
