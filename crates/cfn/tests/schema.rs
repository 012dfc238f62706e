//! Synth-time schema validation: a corpus of resources that each violate one
//! provider-schema keyword (or one cross-property rule) — written through
//! L1 types, as `RawResource`s with a known type name, or as a property
//! override on a building block's resource — must fail synth with the
//! construct path, the property path and the constraint; resources with
//! intrinsic values in constrained properties must synthesize cleanly.
//!
//! `cargo test -p stackcraft-cfn --features full --test schema`
#![cfg(feature = "full")]
#![allow(missing_docs)]

use serde_json::{json, Value as Json};
use stackcraft_cfn::{dynamodb, elasticache, sqs};
use stackcraft_core::{App, CondExpr, Parameter, RawResource, Stack, Value};

/// One failing case: what to build in stack `S`, and the expected error.
struct Case {
    name: &'static str,
    build: Box<dyn Fn(&Stack)>,
    path: &'static str,
    property: &'static str,
    constraint: &'static str,
}

fn raw(name: &'static str, ty: &'static str, props: Json, property: &'static str, constraint: &'static str) -> Case {
    Case {
        name,
        build: Box::new(move |s: &Stack| {
            s.add_raw("R", RawResource::new(ty, props.clone()));
        }),
        path: "S/R",
        property,
        constraint,
    }
}

fn case(
    name: &'static str,
    build: impl Fn(&Stack) + 'static,
    path: &'static str,
    property: &'static str,
    constraint: &'static str,
) -> Case {
    Case { name, build: Box::new(build), path, property, constraint }
}

fn synth_errors(build: &dyn Fn(&Stack)) -> Vec<(String, String, String)> {
    let app = App::new("corpus");
    stackcraft_cfn::install_validation(&app);
    let stack = app.stack("S");
    build(&stack);
    match app.synth() {
        Ok(_) => Vec::new(),
        Err(e) => e.errors().map(|d| (d.path.clone(), d.property.clone(), d.message.clone())).collect(),
    }
}

const ROLE_DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

fn role_doc() -> Json {
    serde_json::from_str(ROLE_DOC).unwrap_or_default()
}

fn key_schema() -> Vec<Value<dynamodb::table::KeySchema>> {
    vec![dynamodb::table::KeySchema::new(dynamodb::table::KeySchemaRequired {
        attribute_name: "pk".into(),
        key_type: "HASH".into(),
    })
    .into()]
}

fn attribute(name: &str) -> Value<dynamodb::table::AttributeDefinition> {
    dynamodb::table::AttributeDefinition::new(dynamodb::table::AttributeDefinitionRequired {
        attribute_name: name.into(),
        attribute_type: dynamodb::table::AttributeType::S.into(),
    })
    .into()
}

fn corpus() -> Vec<Case> {
    vec![
        // --- unknown properties -------------------------------------------------
        raw("unknown top-level", "AWS::SQS::Queue", json!({"DelaySecond": 5}), "DelaySecond", "unknown property; the allowed properties are: Arn, ContentBasedDeduplication, DeduplicationScope, DelaySeconds,"),
        raw("unknown nested", "AWS::S3::Bucket", json!({"VersioningConfiguration": {"Status": "Enabled", "Mfa": true}}), "VersioningConfiguration.Mfa", "unknown property; the allowed properties are: Status"),
        raw("unknown in list item", "AWS::EC2::SecurityGroup", json!({"GroupDescription": "d", "VpcId": "vpc-1", "SecurityGroupIngress": [{"IpProtocol": "tcp", "CidrIp": "10.0.0.0/8", "Port": 443}]}), "SecurityGroupIngress[0].Port", "unknown property"),
        raw("unknown tag key field", "AWS::SNS::Topic", json!({"Tags": [{"Key": "a", "Value": "b", "Extra": 1}]}), "Tags[0].Extra", "unknown property; the allowed properties are: Key, Value"),
        case("unknown via override on L1", |s| {
            let q = s.add("Q", sqs::Queue::new());
            q.add_property_override("VisibilityTimeOut", 30);
        }, "S/Q", "VisibilityTimeOut", "unknown property"),
        // --- JSON types ---------------------------------------------------------
        raw("string given a list", "AWS::SQS::Queue", json!({"QueueName": ["a"]}), "QueueName", "expected a string, got a list"),
        raw("integer given text", "AWS::SQS::Queue", json!({"DelaySeconds": "five"}), "DelaySeconds", "expected an integer, got a string"),
        raw("integer given a float", "AWS::SQS::Queue", json!({"DelaySeconds": 1.5}), "DelaySeconds", "expected an integer, got a number"),
        raw("boolean given text", "AWS::SQS::Queue", json!({"FifoQueue": "yes"}), "FifoQueue", "expected a boolean, got a string"),
        raw("array given an object", "AWS::SNS::Topic", json!({"Subscription": {"Protocol": "sqs", "Endpoint": "arn"}}), "Subscription", "expected a list, got an object"),
        raw("object given a string", "AWS::S3::Bucket", json!({"VersioningConfiguration": "Enabled"}), "VersioningConfiguration", "expected an object, got a string"),
        raw("number given a boolean", "AWS::CloudWatch::Alarm", json!({"ComparisonOperator": "GreaterThanThreshold", "EvaluationPeriods": 1, "MetricName": "m", "Namespace": "n", "Period": 60, "Statistic": "Sum", "Threshold": true}), "Threshold", "expected a number, got a boolean"),
        case("type via override on L1", |s| {
            let t = s.add("Logs", stackcraft_cfn::logs::LogGroup::new());
            t.add_property_override("RetentionInDays", json!({"days": 7}));
        }, "S/Logs", "RetentionInDays", "expected an integer, got an object"),
        // --- required -----------------------------------------------------------
        raw("required top-level", "AWS::IAM::Role", json!({"RoleName": "r"}), "AssumeRolePolicyDocument", "required property is missing"),
        raw("required nested", "AWS::S3::Bucket", json!({"VersioningConfiguration": {}}), "VersioningConfiguration.Status", "required property is missing"),
        raw("required in list item", "AWS::S3::Bucket", json!({"LifecycleConfiguration": {"Rules": [{"Status": "Enabled", "ExpirationInDays": 1}, {"ExpirationInDays": 2}]}}), "LifecycleConfiguration.Rules[1].Status", "required property is missing"),
        raw("required tag value", "AWS::SQS::Queue", json!({"Tags": [{"Key": "a"}]}), "Tags[0].Value", "required property is missing"),
        raw("required ssm type", "AWS::SSM::Parameter", json!({"Value": "v"}), "Type", "required property is missing"),
        case("required removed by deletion override", |s| {
            let r = s.add("Role", stackcraft_cfn::iam::Role::new(role_doc()));
            r.add_property_deletion_override("AssumeRolePolicyDocument");
        }, "S/Role", "AssumeRolePolicyDocument", "required property is missing"),
        // --- enum ---------------------------------------------------------------
        case("enum via L1: BillingMode ON_DEMAND", |s| {
            s.add("Table", dynamodb::Table::new(key_schema()).attribute_definitions(vec![attribute("pk")]).billing_mode(stackcraft_cfn::dynamodb::table::BillingMode::Other("ON_DEMAND".into())));
        }, "S/Table", "BillingMode", "\"ON_DEMAND\" is not one of the allowed values: \"PAY_PER_REQUEST\", \"PROVISIONED\""),
        raw("enum integer", "AWS::Logs::LogGroup", json!({"RetentionInDays": 10}), "RetentionInDays", "10 is not one of the allowed values: 1, 3, 5, 7, 14"),
        raw("enum nested", "AWS::S3::Bucket", json!({"VersioningConfiguration": {"Status": "On"}}), "VersioningConfiguration.Status", "\"On\" is not one of the allowed values: \"Enabled\", \"Suspended\""),
        raw("enum in list items", "AWS::ECS::TaskDefinition", json!({"RequiresCompatibilities": ["FARGATE_SPOT"]}), "RequiresCompatibilities[0]", "is not one of the allowed values: \"EC2\", \"EXTERNAL\", \"FARGATE\""),
        raw("enum is case-sensitive", "AWS::ElasticLoadBalancingV2::TargetGroup", json!({"Protocol": "http"}), "Protocol", "\"http\" is not one of the allowed values"),
        raw("enum ecs launch type", "AWS::ECS::Service", json!({"LaunchType": "SPOT"}), "LaunchType", "\"SPOT\" is not one of the allowed values: \"EC2\", \"FARGATE\", \"EXTERNAL\""),
        raw("enum kms key usage", "AWS::KMS::Key", json!({"KeyUsage": "ENCRYPT"}), "KeyUsage", "\"ENCRYPT\" is not one of the allowed values"),
        raw("enum case-insensitive (cfn-lint extension)", "AWS::EC2::EIP", json!({"Domain": "classic"}), "Domain", "is not one of the allowed values (any case): \"standard\", \"vpc\""),
        raw("enum events state", "AWS::Events::Rule", json!({"State": "ON", "ScheduleExpression": "rate(1 day)"}), "State", "\"ON\" is not one of the allowed values"),
        case("enum via override on L1", |s| {
            let k = s.add("Key", stackcraft_cfn::kms::Key::new());
            k.add_property_override("KeySpec", "AES_256");
        }, "S/Key", "KeySpec", "\"AES_256\" is not one of the allowed values: \"SYMMETRIC_DEFAULT\""),
        // --- pattern ------------------------------------------------------------
        raw("pattern bucket name", "AWS::S3::Bucket", json!({"BucketName": "My_Bucket"}), "BucketName", "\"My_Bucket\" does not match the pattern ^([a-z0-9][a-z0-9.-]*[a-z0-9])?$"),
        raw("pattern log group name (Python \\Z)", "AWS::Logs::LogGroup", json!({"LogGroupName": "bad name!"}), "LogGroupName", "does not match the pattern ^[.\\-_/#A-Za-z0-9]{1,512}\\Z"),
        raw("pattern iam role name", "AWS::IAM::Role", json!({"AssumeRolePolicyDocument": {}, "RoleName": "role name"}), "RoleName", "does not match the pattern"),
        raw("pattern managed policy arn item", "AWS::IAM::Role", json!({"AssumeRolePolicyDocument": {}, "ManagedPolicyArns": ["AmazonS3ReadOnlyAccess"]}), "ManagedPolicyArns[0]", "does not match the pattern arn:"),
        raw("pattern db instance identifier", "AWS::RDS::DBInstance", json!({"DBInstanceIdentifier": "1db", "Engine": "postgres", "DBInstanceClass": "db.t3.micro"}), "DBInstanceIdentifier", "does not match the pattern"),
        raw("pattern rds port string", "AWS::RDS::DBInstance", json!({"Port": "54x32", "Engine": "postgres", "DBInstanceClass": "db.t3.micro"}), "Port", "does not match the pattern ^\\d*$"),
        raw("pattern events schedule", "AWS::Events::Rule", json!({"ScheduleExpression": "every day"}), "ScheduleExpression", "does not match the pattern ^(rate\\(.+\\)|cron\\(.+\\))?$"),
        raw("pattern security group description", "AWS::EC2::SecurityGroup", json!({"GroupDescription": "tabs\tnot allowed"}), "GroupDescription", "does not match the pattern"),
        raw("pattern iam path (\\u escapes)", "AWS::IAM::Role", json!({"AssumeRolePolicyDocument": {}, "Path": "service"}), "Path", "does not match the pattern"),
        // --- minLength / maxLength ----------------------------------------------
        raw("minLength", "AWS::ECR::Repository", json!({"RepositoryName": "a"}), "RepositoryName", "\"a\" is 1 characters long, shorter than the minimum length 2"),
        raw("minLength secret string", "AWS::SecretsManager::Secret", json!({"SecretString": ""}), "SecretString", "shorter than the minimum length 1"),
        raw("maxLength", "AWS::S3::Bucket", json!({"BucketName": "a".repeat(64)}), "BucketName", "is 64 characters long, longer than the maximum length 63"),
        raw("maxLength sns topic name", "AWS::SNS::Topic", json!({"TopicName": "t".repeat(257)}), "TopicName", "longer than the maximum length 256"),
        raw("maxLength nested lifecycle rule id", "AWS::S3::Bucket", json!({"LifecycleConfiguration": {"Rules": [{"Status": "Enabled", "ExpirationInDays": 1, "Id": "x".repeat(256)}]}}), "LifecycleConfiguration.Rules[0].Id", "longer than the maximum length 255"),
        raw("maxLength role name", "AWS::IAM::Role", json!({"AssumeRolePolicyDocument": {}, "RoleName": "r".repeat(65)}), "RoleName", "longer than the maximum length 64"),
        // --- minimum / maximum --------------------------------------------------
        raw("maximum", "AWS::SQS::Queue", json!({"DelaySeconds": 901}), "DelaySeconds", "901 is greater than the maximum 900"),
        raw("minimum", "AWS::SQS::Queue", json!({"MaximumMessageSize": 1000}), "MaximumMessageSize", "1000 is less than the minimum 1024"),
        raw("maximum on numeric string", "AWS::SQS::Queue", json!({"VisibilityTimeout": "43201"}), "VisibilityTimeout", "\"43201\" is greater than the maximum 43200"),
        raw("minimum kms pending window", "AWS::KMS::Key", json!({"PendingWindowInDays": 3}), "PendingWindowInDays", "3 is less than the minimum 7"),
        raw("maximum target group port", "AWS::ElasticLoadBalancingV2::TargetGroup", json!({"Port": 70000}), "Port", "70000 is greater than the maximum 65535"),
        raw("minimum alarm evaluation periods", "AWS::CloudWatch::Alarm", json!({"ComparisonOperator": "GreaterThanThreshold", "EvaluationPeriods": 0, "MetricName": "m", "Namespace": "n", "Period": 60, "Statistic": "Sum", "Threshold": 1}), "EvaluationPeriods", "0 is less than the minimum 1"),
        raw("maximum elasticache clusters", "AWS::ElastiCache::ReplicationGroup", json!({"ReplicationGroupDescription": "d", "NumCacheClusters": 7}), "NumCacheClusters", "7 is greater than the maximum 6"),
        raw("minimum iam session", "AWS::IAM::Role", json!({"AssumeRolePolicyDocument": {}, "MaxSessionDuration": 60}), "MaxSessionDuration", "60 is less than the minimum 3600"),
        case("maximum via L1 setter", |s| {
            s.add("Q", sqs::Queue::new().receive_message_wait_time_seconds(21));
        }, "S/Q", "ReceiveMessageWaitTimeSeconds", "21 is greater than the maximum 20"),
        // --- minItems / maxItems ------------------------------------------------
        raw("maxItems", "AWS::Events::Rule", json!({"ScheduleExpression": "rate(1 day)", "Targets": (0..6).map(|i| json!({"Arn": format!("arn:x:{i}"), "Id": format!("t{i}")})).collect::<Vec<_>>()}), "Targets", "has 6 items, more than the maximum 5"),
        raw("minItems", "AWS::DynamoDB::Table", json!({"KeySchema": [], "BillingMode": "PAY_PER_REQUEST"}), "KeySchema", "has 0 items, fewer than the minimum 1"),
        raw("maxItems alarm dimensions", "AWS::CloudWatch::Alarm", json!({"ComparisonOperator": "GreaterThanThreshold", "EvaluationPeriods": 1, "MetricName": "m", "Namespace": "n", "Period": 60, "Statistic": "Sum", "Threshold": 1, "Dimensions": (0..31).map(|i| json!({"Name": format!("d{i}"), "Value": "v"})).collect::<Vec<_>>()}), "Dimensions", "has 31 items, more than the maximum 30"),
        // --- uniqueItems / uniqueKeys -------------------------------------------
        raw("uniqueItems", "AWS::ECS::TaskDefinition", json!({"RequiresCompatibilities": ["EC2", "EC2"]}), "RequiresCompatibilities[1]", "duplicates item [0] (\"EC2\"); the items must be unique"),
        raw("uniqueItems managed policies", "AWS::IAM::Role", json!({"AssumeRolePolicyDocument": {}, "ManagedPolicyArns": ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/A"]}), "ManagedPolicyArns[1]", "the items must be unique"),
        raw("uniqueKeys attribute definitions", "AWS::DynamoDB::Table", json!({"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "pk", "AttributeType": "N"}]}), "AttributeDefinitions[1]", "has the same `AttributeName` as item [0]"),
        // --- nested definitions ($ref) ------------------------------------------
        raw("nested definition enum (dynamodb key type)", "AWS::DynamoDB::Table", json!({"KeySchema": [{"AttributeName": "pk", "KeyType": "PRIMARY"}], "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}), "KeySchema[0].KeyType", "\"PRIMARY\" is not allowed here: the value must be \"HASH\""),
        raw("nested definition two levels", "AWS::ECS::TaskDefinition", json!({"ContainerDefinitions": [{"Name": "app", "Image": "img", "PortMappings": [{"ContainerPort": 80, "Protocol": "icmp"}]}]}), "ContainerDefinitions[0].PortMappings[0].Protocol", "\"icmp\" is not one of the allowed values: \"tcp\", \"udp\""),
        raw("nested definition required", "AWS::ECS::TaskDefinition", json!({"ContainerDefinitions": [{"Image": "img"}]}), "ContainerDefinitions[0].Name", "required property is missing"),
        case("nested via L1 struct (lifecycle rule status)", |s| {
            use stackcraft_cfn::s3::{self, bucket};
            let rule = bucket::Rule::new(bucket::RuleStatus::Other("Enable".into())).expiration_in_days(30);
            s.add("B", s3::Bucket::new().lifecycle_configuration(bucket::LifecycleConfiguration::new(vec![Value::from(rule)])));
        }, "S/B", "LifecycleConfiguration.Rules[0].Status", "\"Enable\" is not one of the allowed values: \"Enabled\", \"Disabled\""),
        // --- oneOf / anyOf / allOf / not / if-then ------------------------------
        raw("required within oneOf: none", "AWS::Route53::RecordSet", json!({"Name": "a.example.com.", "Type": "A", "TTL": "60", "ResourceRecords": ["1.2.3.4"]}), "HostedZoneId", "exactly one of `HostedZoneId`, `HostedZoneName` must be set (none is)"),
        raw("required within oneOf: both", "AWS::Route53::RecordSet", json!({"Name": "a.example.com.", "Type": "A", "TTL": "60", "ResourceRecords": ["1.2.3.4"], "HostedZoneId": "Z1", "HostedZoneName": "example.com."}), "HostedZoneName", "only one of `HostedZoneId`, `HostedZoneName` can be set (found HostedZoneId and HostedZoneName)"),
        raw("oneOf shape (dynamodb key schema as a number)", "AWS::DynamoDB::Table", json!({"KeySchema": [5], "BillingMode": "PAY_PER_REQUEST"}), "KeySchema[0]", "expected an object, got an integer (the value matches none of the 2 allowed shapes; this is the closest)"),
        raw("allOf + if/then (local index needs a range key)", "AWS::DynamoDB::Table", json!({"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "lk", "AttributeType": "S"}], "LocalSecondaryIndexes": [{"IndexName": "lsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "lk", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]}), "KeySchema", "has 1 items, fewer than the minimum 2"),
        raw("not (reserved db user)", "AWS::RDS::DBCluster", json!({"Engine": "aurora-postgresql", "MasterUsername": "rdsadmin"}), "MasterUsername", "\"rdsadmin\" is not allowed here (reserved: \"rdsadmin\")"),
        // --- dependencies / dependentRequired / dependentExcluded / requiredXor -
        raw("dependentRequired", "AWS::EC2::VPC", json!({"Ipv4IpamPoolId": "ipam-pool-1"}), "Ipv4NetmaskLength", "required when `Ipv4IpamPoolId` is set"),
        raw("dependentRequired security group egress", "AWS::EC2::SecurityGroup", json!({"GroupDescription": "d", "SecurityGroupEgress": [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]}), "VpcId", "required when `SecurityGroupEgress` is set"),
        raw("dependentExcluded", "AWS::CloudWatch::Alarm", json!({"ComparisonOperator": "GreaterThanThreshold", "EvaluationPeriods": 1, "MetricName": "m", "Namespace": "n", "Period": 60, "Statistic": "Sum", "ExtendedStatistic": "p99", "Threshold": 1}), "ExtendedStatistic", "cannot be set together with `Statistic`"),
        raw("dependentExcluded nested (lifecycle rule)", "AWS::S3::Bucket", json!({"LifecycleConfiguration": {"Rules": [{"Status": "Enabled", "ObjectSizeGreaterThan": "10", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]}}), "LifecycleConfiguration.Rules[0].ObjectSizeGreaterThan", "cannot be set together with `AbortIncompleteMultipartUpload`"),
        raw("requiredXor none", "AWS::EC2::VPC", json!({}), "CidrBlock", "exactly one of `CidrBlock`, `Ipv4IpamPoolId` must be set (none is)"),
        raw("requiredXor nested both", "AWS::EC2::SecurityGroup", json!({"GroupDescription": "d", "VpcId": "vpc-1", "SecurityGroupIngress": [{"IpProtocol": "tcp", "CidrIp": "10.0.0.0/8", "SourceSecurityGroupId": "sg-1"}]}), "SecurityGroupIngress[0].CidrIp", "exactly one of `CidrIp`, `CidrIpv6`, `SourcePrefixListId`, `SourceSecurityGroupId`, `SourceSecurityGroupName` must be set (CidrIp and SourceSecurityGroupId are)"),
        // --- cross-property rules -----------------------------------------------
        case("rule: elasticache failover needs 2 nodes (L1)", |s| {
            s.add("Cache", elasticache::ReplicationGroup::new("cache").engine("redis").cache_node_type("cache.t3.micro").automatic_failover_enabled(true).num_cache_clusters(1));
        }, "S/Cache", "NumCacheClusters", "automatic failover needs at least 2 nodes (a primary and a replica); got 1"),
        raw("rule: elasticache failover with default node count", "AWS::ElastiCache::ReplicationGroup", json!({"ReplicationGroupDescription": "d", "AutomaticFailoverEnabled": true}), "AutomaticFailoverEnabled", "automatic failover needs at least 2 nodes"),
        raw("rule: elasticache multi-az needs failover", "AWS::ElastiCache::ReplicationGroup", json!({"ReplicationGroupDescription": "d", "NumCacheClusters": 2, "MultiAZEnabled": true}), "MultiAZEnabled", "Multi-AZ needs AutomaticFailoverEnabled: true"),
        case("rule: dynamodb PROVISIONED needs throughput (L1)", |s| {
            s.add("Table", dynamodb::Table::new(key_schema()).attribute_definitions(vec![attribute("pk")]).billing_mode(stackcraft_cfn::dynamodb::table::BillingMode::Provisioned));
        }, "S/Table", "ProvisionedThroughput", "required when BillingMode is PROVISIONED (the default)"),
        raw("rule: dynamodb default billing needs throughput", "AWS::DynamoDB::Table", json!({"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}), "ProvisionedThroughput", "required when BillingMode is PROVISIONED"),
        raw("rule: dynamodb on-demand rejects throughput", "AWS::DynamoDB::Table", json!({"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}), "ProvisionedThroughput", "must not be set when BillingMode is PAY_PER_REQUEST"),
        case("rule: dynamodb misspelled key attribute (L1)", |s| {
            s.add("Table", dynamodb::Table::new(key_schema()).attribute_definitions(vec![attribute("pK")]).billing_mode(stackcraft_cfn::dynamodb::table::BillingMode::PayPerRequest));
        }, "S/Table", "KeySchema[0].AttributeName", "\"pk\" is not declared in AttributeDefinitions (declared: pK)"),
        raw("rule: dynamodb unused attribute", "AWS::DynamoDB::Table", json!({"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "extra", "AttributeType": "S"}]}), "AttributeDefinitions[1].AttributeName", "\"extra\" is declared but is not a key"),
        raw("rule: autoscaling min > max", "AWS::ApplicationAutoScaling::ScalableTarget", json!({"MinCapacity": 5, "MaxCapacity": 2, "ResourceId": "table/t", "ScalableDimension": "dynamodb:table:ReadCapacityUnits", "ServiceNamespace": "dynamodb"}), "MinCapacity", "5 is greater than MaxCapacity 2"),
        raw("rule: fargate cpu/memory", "AWS::ECS::TaskDefinition", json!({"RequiresCompatibilities": ["FARGATE"], "NetworkMode": "awsvpc", "Cpu": "256", "Memory": "4096"}), "Memory", "Cpu 256 with Memory 4096 is not a valid Fargate size (for Cpu 256: 512 to 2048 MiB in steps of 512)"),
        raw("rule: fargate needs cpu", "AWS::ECS::TaskDefinition", json!({"RequiresCompatibilities": ["FARGATE"], "NetworkMode": "awsvpc", "Memory": "512"}), "Cpu", "required for a Fargate task definition"),
        raw("rule: fifo queue name", "AWS::SQS::Queue", json!({"FifoQueue": true, "QueueName": "orders"}), "QueueName", "a FIFO queue's name must end with \".fifo\""),
        raw("rule: content-based dedup needs fifo", "AWS::SQS::Queue", json!({"ContentBasedDeduplication": true}), "ContentBasedDeduplication", "only FIFO queues have content-based deduplication"),
        raw("rule: health check timeout < interval", "AWS::ElasticLoadBalancingV2::TargetGroup", json!({"HealthCheckIntervalSeconds": 10, "HealthCheckTimeoutSeconds": 10}), "HealthCheckTimeoutSeconds", "10 must be less than HealthCheckIntervalSeconds (10)"),
    ]
}

#[test]
fn every_corpus_case_fails_synth_with_path_property_and_constraint() {
    let cases = corpus();
    assert!(cases.len() >= 60, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let errors = synth_errors(&*c.build);
        let hit = errors.iter().any(|(path, property, message)| {
            path == c.path && property == c.property && message.contains(c.constraint)
        });
        if !hit {
            failures.push(format!(
                "{}: expected {} [{}]: …{}…; got {:#?}",
                c.name, c.path, c.property, c.constraint, errors
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// Each case fails with exactly the errors its violation causes (no noise
/// from the rest of the resource).
#[test]
fn corpus_cases_report_nothing_else() {
    let mut noisy = Vec::new();
    for c in corpus() {
        let errors = synth_errors(&*c.build);
        // Route53's zone choice is declared twice by the schema (oneOf and
        // requiredXor); a misspelled key attribute is both undeclared and unused.
        let limit = if c.name.starts_with("required within oneOf") || c.name.contains("misspelled") { 2 } else { 1 };
        if errors.len() > limit {
            noisy.push(format!("{}: {errors:#?}", c.name));
        }
    }
    assert!(noisy.is_empty(), "cases with more errors than expected:\n{}", noisy.join("\n"));
}

#[test]
fn all_errors_of_a_synth_are_reported_together() {
    let app = App::new("corpus");
    let s = app.stack("S");
    s.add("Q", sqs::Queue::new().delay_seconds(1000).maximum_message_size(10));
    s.add(
        "Table",
        dynamodb::Table::new(key_schema())
            .attribute_definitions(vec![attribute("pk")])
            .billing_mode(stackcraft_cfn::dynamodb::table::BillingMode::Other("ON_DEMAND".into())),
    );
    let err = app.synth().expect_err("three violations");
    let lines: Vec<String> = err.errors().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "error: S/Q [DelaySeconds]: 1000 is greater than the maximum 900",
            "error: S/Q [MaximumMessageSize]: 10 is less than the minimum 1024",
            "error: S/Table [BillingMode]: \"ON_DEMAND\" is not one of the allowed values: \"PAY_PER_REQUEST\", \"PROVISIONED\"",
        ]
    );
}

#[test]
fn unknown_types_and_custom_types_are_skipped() {
    let app = App::new("corpus");
    stackcraft_cfn::install_validation(&app);
    let s = app.stack("S");
    s.add_raw("Custom", RawResource::new("Custom::Thing", json!({"Anything": [1, {"goes": true}]})));
    s.add_raw("Future", RawResource::new("AWS::NewService::Thing", json!({"X": 1})));
    s.add_raw("Lambda", RawResource::new("AWS::Lambda::Function", json!({"NotChecked": 1})));
    assert!(app.synth().is_ok());
}

/// Intrinsic values in constrained properties are never judged.
#[test]
fn intrinsics_in_constrained_properties_synthesize() {
    let app = App::new("valid");
    stackcraft_cfn::install_validation(&app);
    let s = app.stack("S");
    let delay = s.add_parameter("Delay", Parameter::number());
    let billing = s.add_parameter("Billing", Parameter::string());
    let nodes = s.add_parameter("Nodes", Parameter::number());
    let prod = s.add_condition("IsProd", CondExpr::equals(Value::<String>::stack_name(), "prod"));
    let mut cases = 0;
    // 1. integer with bounds from a parameter
    s.add("Q1", sqs::Queue::new().delay_seconds(delay.value::<i64>()));
    cases += 1;
    // 2. enum through Fn::If
    s.add("Logs", stackcraft_cfn::logs::LogGroup::new().retention_in_days(Value::if_(&prod, 365, 7)));
    cases += 1;
    // 3. pattern + maxLength through Fn::Sub
    s.add("B", stackcraft_cfn::s3::Bucket::new().bucket_name(Value::sub("${AWS::StackName}-Data_${AWS::AccountId}")));
    cases += 1;
    // 4. enum + the PROVISIONED rule with the billing mode from a parameter
    s.add(
        "T",
        dynamodb::Table::new(key_schema())
            .attribute_definitions(vec![attribute("pk")])
            .billing_mode(Value::from_string(billing.value::<String>())),
    );
    cases += 1;
    // 5. pattern through Fn::Join
    s.add_raw("Role", RawResource::new("AWS::IAM::Role", json!({"AssumeRolePolicyDocument": role_doc(), "RoleName": {"Fn::Join": ["", ["role ", {"Ref": "AWS::Region"}]]}})));
    cases += 1;
    // 6. minLength with a dynamic reference
    s.add_raw(
        "Secret",
        RawResource::new("AWS::SecretsManager::Secret", json!({"SecretString": "{{resolve:ssm:/app/seed}}"})),
    );
    cases += 1;
    // 7. failover rule with the node count from a parameter
    s.add(
        "Cache",
        elasticache::ReplicationGroup::new("c")
            .automatic_failover_enabled(true)
            .num_cache_clusters(nodes.value::<i64>()),
    );
    cases += 1;
    // 8. min ≤ max rule with an intrinsic bound
    s.add_raw("Target", RawResource::new("AWS::ApplicationAutoScaling::ScalableTarget", json!({"MinCapacity": {"Fn::If": ["IsProd", 10, 1]}, "MaxCapacity": 2, "ResourceId": "table/t", "ScalableDimension": "dynamodb:table:ReadCapacityUnits", "ServiceNamespace": "dynamodb"})));
    cases += 1;
    // 9. required-within-oneOf satisfied by a Ref
    let zone = s.add("Zone", stackcraft_cfn::route53::HostedZone::new().name("example.com"));
    s.add_raw("Record", RawResource::new("AWS::Route53::RecordSet", json!({"Name": "a.example.com.", "Type": "A", "TTL": "60", "ResourceRecords": ["1.2.3.4"], "HostedZoneId": zone.ref_()})));
    cases += 1;
    // 10. Fargate cpu/memory from Fn::If
    s.add_raw("Task", RawResource::new("AWS::ECS::TaskDefinition", json!({"RequiresCompatibilities": ["FARGATE"], "NetworkMode": "awsvpc", "Cpu": {"Fn::If": ["IsProd", "1024", "256"]}, "Memory": "2048"})));
    cases += 1;
    // 11. uniqueItems with two different references
    s.add_raw("Sg", RawResource::new("AWS::EC2::SecurityGroup", json!({"GroupDescription": "d", "VpcId": {"Fn::ImportValue": "vpc"}, "SecurityGroupIngress": [{"IpProtocol": "tcp", "CidrIp": {"Fn::ImportValue": "cidr"}, "FromPort": 443, "ToPort": 443}]})));
    cases += 1;
    // 12. whole nested object given as an intrinsic
    s.add_raw(
        "B2",
        RawResource::new(
            "AWS::S3::Bucket",
            json!({"VersioningConfiguration": {"Fn::If": ["IsProd", {"Status": "Enabled"}, {"Ref": "AWS::NoValue"}]}}),
        ),
    );
    cases += 1;
    // 13. FIFO name rule through Fn::Sub
    s.add_raw(
        "Fifo",
        RawResource::new(
            "AWS::SQS::Queue",
            json!({"FifoQueue": true, "QueueName": {"Fn::Sub": "${AWS::StackName}.fifo"}}),
        ),
    );
    cases += 1;
    // 14. a cross-stack reference (Fn::ImportValue) in a pattern-checked property
    let other = app.stack("Other");
    let key = other.add("Key", stackcraft_cfn::kms::Key::new());
    s.add("Logs2", stackcraft_cfn::logs::LogGroup::new().kms_key_id(key.attr_arn()));
    cases += 1;
    // 15. scalars as CloudFormation converts them
    s.add_raw(
        "Q2",
        RawResource::new(
            "AWS::SQS::Queue",
            json!({"DelaySeconds": "30", "FifoQueue": "false", "VisibilityTimeout": 60}),
        ),
    );
    cases += 1;
    assert!(cases >= 10);
    if let Err(e) = app.synth() {
        panic!("valid resources with intrinsics failed synth:\n{e}");
    }
}
