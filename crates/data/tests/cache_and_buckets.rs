//! The cold-chain blocks: an ElastiCache replication group, buckets with
//! lifecycle rules / CORS / a log bucket, and one KMS key shared by the
//! stack. Snapshotted, validated with cfn-lint (0 findings) and checkov
//! (0 failed), and bad input reported with path, property and message.

use serde_json::{json, Value as Json};
use stackcraft_core::assertions::{Template, ANY};
use stackcraft_core::App;
use stackcraft_data::*;
use stackcraft_messaging::{Topic, TopicProps};
use stackcraft_observability::{AlarmOptions, Key, KeyProps, LogGroup, LogGroupProps, RetentionDays};
use stackcraft_vpc::{HasConnections, SecurityGroup, SecurityGroupProps, Vpc};

mod support;
use support::{coldchain_app, task_role, vpc};

fn sample(production: bool) -> Json {
    let app = coldchain_app(production);
    let stack = app.stack("Data");
    let key = Key::new(&stack, "StackKey", KeyProps::builder().alias("coldchain/data").build());
    key.share_in_stack();
    let vpc = vpc(&stack);
    let cache = ReplicationGroup::new(
        &stack,
        "Redis",
        ReplicationGroupProps::builder()
            .vpc(vpc.clone())
            .node_type("cache.t3.medium")
            .replication_group_id(if production { "coldchain-prod" } else { "coldchain-dev" })
            .log_group_name(if production {
                "/aws/elasticache/redis/coldchain-prod"
            } else {
                "/aws/elasticache/redis/coldchain-dev"
            })
            .build(),
    );
    let app_sg = SecurityGroup::new(
        &stack,
        "AppSecurityGroup",
        SecurityGroupProps::builder().vpc(vpc.clone()).description("App").build(),
    );
    cache.connections().allow_default_port_from(&stackcraft_vpc::Connections::new(vec![app_sg], None));
    let role = task_role(&stack);
    cache.grant_read_connection_url(&role);

    let logs = Bucket::new_log_bucket(&stack, "Logs", LogBucketProps::default());
    let uploads = Bucket::new(
        &stack,
        "Uploads",
        BucketProps::builder()
            .encryption(BucketEncryption::StackKey)
            .server_access_logs((logs.clone(), "uploads/".to_string()))
            .cors(vec![CorsRule::builder()
                .allowed_methods(vec![HttpMethod::Put, HttpMethod::Get])
                .allowed_origins(vec!["https://coldchain.example.com".to_string()])
                .allowed_headers(vec!["*".to_string()])
                .max_age_secs(3000)
                .build()])
            .lifecycle_rules(vec![LifecycleRule::builder()
                .id("ArchiveOldUploads")
                .transitions(vec![Transition::new(StorageClass::StandardIa, 30)])
                .build()])
            .build(),
    );
    uploads.grant_read_write(&role);
    Bucket::new(
        &stack,
        "Backups",
        BucketProps::builder()
            .encryption(BucketEncryption::StackKey)
            .server_access_logs((logs, "backups/".to_string()))
            .lifecycle_rules(vec![LifecycleRule::builder()
                .id("ArchiveBackups")
                .transitions(vec![
                    Transition::new(StorageClass::StandardIa, 30),
                    Transition::new(StorageClass::Glacier, 90),
                    Transition::new(StorageClass::DeepArchive, 180),
                ])
                .expire_after_days(730)
                .noncurrent_transitions(vec![Transition::new(StorageClass::Glacier, 30)])
                .build()])
            .build(),
    );
    LogGroup::new(&stack, "AppLogs", LogGroupProps::builder().retention(RetentionDays::OneYear).build());

    let topic = Topic::new(&stack, "Alarms", TopicProps::default());
    for alarm in cache.alarm_on_every_node(
        &stack,
        "RedisCpu",
        cache.metric_cpu_utilization(),
        AlarmOptions::builder().threshold(75.0).evaluation_periods(2).build(),
    ) {
        alarm.notify(&topic);
    }
    app.synth().expect("synth").stacks[0].template.clone()
}

fn without_vpc(mut t: Json) -> Json {
    if let Some(r) = t["Resources"].as_object_mut() {
        r.retain(|id, _| !id.starts_with("Vpc"));
    }
    t
}

#[test]
fn snapshot_dev() {
    insta::assert_json_snapshot!(without_vpc(sample(false)));
}

#[test]
fn cfn_lint_is_clean() {
    stackcraft_testing::assert_template_cfn_lint_clean("ColdDev", &sample(false));
    stackcraft_testing::assert_template_cfn_lint_clean("ColdProd", &sample(true));
}

#[test]
fn checkov_is_clean() {
    stackcraft_testing::assert_template_checkov_clean("ColdDev", &sample(false));
    stackcraft_testing::assert_template_checkov_clean("ColdProd", &sample(true));
}

#[test]
fn one_key_serves_the_whole_stack() {
    let t = Template::from_json(sample(true));
    t.resource_count_is("AWS::KMS::Key", 1);
    let key_id = t.find_resources("AWS::KMS::Key", &json!({}))[0].0.clone();
    let key_arn = json!({"Fn::GetAtt": [key_id, "Arn"]});
    t.has_resource_properties("AWS::ElastiCache::ReplicationGroup", json!({"KmsKeyId": key_arn}));
    t.has_resource_properties("AWS::Logs::LogGroup", json!({"KmsKeyId": key_arn}));
    t.has_resource_properties("AWS::SecretsManager::Secret", json!({"KmsKeyId": key_arn}));
    t.has_resource_properties("AWS::SNS::Topic", json!({"KmsMasterKeyId": key_arn}));
    t.has_resource_properties(
        "AWS::S3::Bucket",
        json!({"BucketEncryption": {"ServerSideEncryptionConfiguration": [{
            "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}}]}}),
    );
}

#[test]
fn replication_group_is_secure_and_highly_available() {
    let t = Template::from_json(sample(true));
    t.has_resource_properties(
        "AWS::ElastiCache::ReplicationGroup",
        json!({
            "Engine": "redis", "EngineVersion": "7.1", "CacheNodeType": "cache.t3.medium",
            "NumCacheClusters": 2, "MultiAZEnabled": true, "AutomaticFailoverEnabled": true,
            "TransitEncryptionEnabled": true, "AtRestEncryptionEnabled": true,
            "SnapshotRetentionLimit": 7, "ReplicationGroupId": "coldchain-prod",
            "AuthToken": {"Fn::Sub": ["{{resolve:secretsmanager:${SecretArn}:SecretString:password}}", ANY]},
            "LogDeliveryConfigurations": [
                {"LogType": "slow-log", "DestinationType": "cloudwatch-logs", "LogFormat": "json", "DestinationDetails": ANY},
                {"LogType": "engine-log", "DestinationType": "cloudwatch-logs", "LogFormat": "json", "DestinationDetails": ANY},
            ],
        }),
    );
    let groups = t.find_resources("AWS::ElastiCache::ReplicationGroup", &json!({}));
    assert_eq!(groups[0].1["DeletionPolicy"], "Snapshot");
    t.has_resource_properties("AWS::Logs::LogGroup", json!({"LogGroupName": "/aws/elasticache/redis/coldchain-prod"}));
    t.has_resource_properties(
        "AWS::SecretsManager::Secret",
        json!({"SecretString": {"Fn::Sub": [
            "rediss://:{{resolve:secretsmanager:${Token}:SecretString:password}}@${Host}:${Port}", ANY]}}),
    );
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        json!({"FromPort": 6379, "ToPort": 6379, "IpProtocol": "tcp", "SourceSecurityGroupId": ANY}),
    );
    // No secret value anywhere in the template.
    let text = sample(true).to_string();
    assert!(!text.contains("\"AuthToken\":\""), "the token must be a dynamic reference");
    // One alarm per node, on the member ids.
    let alarms = t.find_resources("AWS::CloudWatch::Alarm", &json!({}));
    assert_eq!(alarms.len(), 2);
    let members: Vec<Json> =
        alarms.iter().map(|(_, a)| a["Properties"]["Dimensions"][0]["Value"]["Fn::Sub"][0].clone()).collect();
    assert_eq!(members, [json!("${Group}-001"), json!("${Group}-002")]);
}

#[test]
fn bucket_options_are_rendered() {
    let t = Template::from_json(sample(false));
    t.has_resource_properties(
        "AWS::S3::Bucket",
        json!({"CorsConfiguration": {"CorsRules": [{
            "AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["https://coldchain.example.com"],
            "AllowedHeaders": ["*"], "MaxAge": 3000}]}}),
    );
    t.has_resource_properties(
        "AWS::S3::Bucket",
        json!({"LifecycleConfiguration": {"Rules": [ANY, ANY, {
            "Id": "ArchiveBackups", "Status": "Enabled", "ExpirationInDays": 730,
            "Transitions": [
                {"StorageClass": "STANDARD_IA", "TransitionInDays": 30},
                {"StorageClass": "GLACIER", "TransitionInDays": 90},
                {"StorageClass": "DEEP_ARCHIVE", "TransitionInDays": 180},
            ],
            "NoncurrentVersionTransitions": [{"StorageClass": "GLACIER", "TransitionInDays": 30}],
        }]}}),
    );
    // The log bucket: SSE-S3, archived and expired, ELB and S3 log delivery allowed.
    t.has_resource_properties(
        "AWS::S3::Bucket",
        json!({"LifecycleConfiguration": {"Rules": [ANY, {
            "Id": "ArchiveAndExpireLogs", "Status": "Enabled", "ExpirationInDays": 365,
            "Transitions": [{"StorageClass": "GLACIER_IR", "TransitionInDays": 90}],
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
        }]}}),
    );
    let policies = t.find_resources("AWS::S3::BucketPolicy", &json!({}));
    let log_policy = policies
        .iter()
        .map(|(_, p)| p["Properties"]["PolicyDocument"]["Statement"].to_string())
        .find(|s| s.contains("AllowElbLogDelivery"))
        .expect("log bucket policy");
    for sid in ["AllowElbLogDelivery", "AllowElbLegacyAccountLogDelivery", "AllowS3ServerAccessLogs"] {
        assert!(log_policy.contains(sid), "{sid} missing in {log_policy}");
    }
    assert!(log_policy.contains("${Arn}/uploads/*") && log_policy.contains("${Arn}/backups/*"));
}

fn synth_errors(f: impl FnOnce(&stackcraft_core::Stack, Vpc)) -> String {
    let app = App::new("t");
    let stack = app.stack("S");
    let vpc = vpc(&stack);
    f(&stack, vpc);
    app.synth().expect_err("synth must fail").to_string()
}

#[test]
fn bad_cache_input_names_path_property_and_allowed_values() {
    let err = synth_errors(|stack, vpc| {
        ReplicationGroup::new(
            stack,
            "Redis",
            ReplicationGroupProps::builder()
                .vpc(vpc)
                .node_type("t3.medium")
                .nodes_per_shard(1)
                .multi_az(true)
                .snapshot_retention_days(40)
                .replication_group_id("Cold_Chain")
                .build(),
        );
    });
    for needle in [
        "S/Redis [CacheNodeType]: node type \"t3.medium\" is invalid: use cache.<family>.<size> (e.g. cache.t4g.small) \
         with a family of c7gn, m5, m6g, m7g, r5, r6g, r6gd, r7g, t3, t4g",
        "S/Redis [MultiAZEnabled]: Multi-AZ with automatic failover needs at least 2 nodes per shard \
         (a replica to fail over to); nodes_per_shard is 1",
        "S/Redis [SnapshotRetentionLimit]: snapshot retention of 40 days is out of range: use 0 to 35 days",
        "S/Redis [ReplicationGroupId]: replication group id \"Cold_Chain\" is invalid",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
    let err = synth_errors(|stack, vpc| {
        ReplicationGroup::new(
            stack,
            "Redis",
            ReplicationGroupProps::builder()
                .vpc(vpc)
                .node_type("cache.x9.large")
                .nodes_per_shard(7)
                .cluster_mode(ClusterMode::Enabled { shards: 0 })
                .subnet_type(stackcraft_vpc::SubnetType::Public)
                .build(),
        );
    });
    for needle in [
        "S/Redis [CacheNodeType]: node type \"cache.x9.large\" is invalid",
        "S/Redis [NumCacheClusters]: 7 nodes per shard is out of range: use 1 to 6 (a primary and up to 5 replicas)",
        "S/Redis [NumNodeGroups]: 0 shards is out of range: use 1 to 500",
        "S/Redis [CacheSubnetGroupName]: a cache must not be placed in public subnets",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
}

#[test]
fn cluster_mode_members_are_per_shard() {
    let app = App::new("t");
    let stack = app.stack("S");
    let vpc = vpc(&stack);
    let cache = ReplicationGroup::new(
        &stack,
        "Redis",
        ReplicationGroupProps::builder()
            .vpc(vpc)
            .engine(CacheEngine::Valkey8_0)
            .cluster_mode(ClusterMode::Enabled { shards: 2 })
            .build(),
    );
    let ids: Vec<Json> =
        cache.member_ids().iter().map(|v| stackcraft_core::ToCfn::to_cfn(v)["Fn::Sub"][0].clone()).collect();
    assert_eq!(
        ids,
        [
            json!("${Group}-0001-001"),
            json!("${Group}-0001-002"),
            json!("${Group}-0002-001"),
            json!("${Group}-0002-002")
        ]
    );
    let t = Template::from_json(app.synth().unwrap().stacks[0].template.clone());
    t.has_resource_properties(
        "AWS::ElastiCache::ReplicationGroup",
        json!({"Engine": "valkey", "ClusterMode": "enabled", "NumNodeGroups": 2, "ReplicasPerNodeGroup": 1,
               "AutomaticFailoverEnabled": true}),
    );
    t.has_resource_properties(
        "AWS::SecretsManager::Secret",
        json!({"SecretString": {"Fn::Sub": [ANY, {"Host": {"Fn::GetAtt": [ANY, "ConfigurationEndPoint.Address"]}, "Port": ANY, "Token": ANY}]}}),
    );
}

#[test]
fn bad_bucket_input_names_path_property_and_allowed_values() {
    let err = synth_errors(|stack, _| {
        Bucket::new(
            stack,
            "Archive",
            BucketProps::builder()
                .versioned(false)
                .lifecycle_rules(vec![
                    LifecycleRule::builder()
                        .id("TooEarly")
                        .transitions(vec![
                            Transition::new(StorageClass::StandardIa, 10),
                            Transition::new(StorageClass::Glacier, 5),
                        ])
                        .expire_after_days(5)
                        .build(),
                    LifecycleRule::builder().id("Empty").build(),
                    LifecycleRule::builder().id("Old").noncurrent_expire_after_days(30).build(),
                    LifecycleRule::builder().id("Old").expire_after_days(30).build(),
                ])
                .cors(vec![CorsRule::builder().allowed_methods(vec![]).allowed_origins(vec![]).build()])
                .build(),
        );
    });
    for needle in [
        "S/Archive [LifecycleConfiguration.Rules]: lifecycle rule \"TooEarly\": current-version transition to STANDARD_IA after 10 days; S3 requires at least 30 days",
        "S/Archive [LifecycleConfiguration.Rules]: lifecycle rule \"TooEarly\": current-version transitions must be in strictly increasing days",
        "S/Archive [LifecycleConfiguration.Rules]: lifecycle rule \"TooEarly\": current-version expiration (5 days) must come after the last transition",
        "S/Archive [LifecycleConfiguration.Rules]: lifecycle rule \"Empty\" has no transition and no expiration",
        "S/Archive [LifecycleConfiguration.Rules]: lifecycle rule \"Old\" acts on noncurrent versions, but the bucket is not versioned",
        "S/Archive [LifecycleConfiguration]: lifecycle rule id \"Old\" is used twice (or is a built-in rule id)",
        "S/Archive [CorsConfiguration.CorsRules]: a CORS rule needs at least one allowed method and one allowed origin",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
}

#[test]
fn database_alarm_helpers_compare_in_the_metric_units() {
    let app = App::new("t");
    let stack = app.stack("S");
    let vpc = vpc(&stack);
    let db = DatabaseInstance::new(
        &stack,
        "Db",
        DatabaseInstanceProps::builder().vpc(vpc).engine_version(PostgresVersion::V15_19).build(),
    );
    db.alarm_cpu_above(&stack, "Cpu", 80.0);
    db.alarm_free_storage_below_gib(&stack, "Storage", 10.0);
    db.alarm_connections_above(&stack, "Connections", 80.0);
    let t = Template::from_json(app.synth().unwrap().stacks[0].template.clone());
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"MetricName": "CPUUtilization", "Threshold": 80.0, "ComparisonOperator": "GreaterThanThreshold"}),
    );
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"MetricName": "FreeStorageSpace", "Threshold": 10_737_418_240.0, "Unit": "Bytes",
               "Statistic": "Minimum", "ComparisonOperator": "LessThanThreshold"}),
    );
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"MetricName": "DatabaseConnections", "Threshold": 80.0, "ComparisonOperator": "GreaterThanThreshold"}),
    );
}

#[test]
fn without_tls_there_is_no_token_and_the_choice_is_recorded() {
    let app = App::new("t");
    let stack = app.stack("S");
    let vpc = vpc(&stack);
    let cache = ReplicationGroup::new(
        &stack,
        "Redis",
        ReplicationGroupProps::builder().vpc(vpc).tls(false).nodes_per_shard(1).build(),
    );
    assert!(cache.auth_token_secret().is_none());
    let t = Template::from_json(app.synth().unwrap().stacks[0].template.clone());
    t.has_resource(
        "AWS::ElastiCache::ReplicationGroup",
        json!({"Properties": {"TransitEncryptionEnabled": false, "AuthToken": stackcraft_core::assertions::ABSENT,
               "MultiAZEnabled": false, "AutomaticFailoverEnabled": false, "NumCacheClusters": 1},
               "Metadata": {"stackcraft": {"acknowledgements": [{"rule": "elasticache.tls"}, {"rule": "elasticache.auth"}]}}}),
    );
    t.has_resource_properties(
        "AWS::SecretsManager::Secret",
        json!({"SecretString": {"Fn::Sub": ["redis://${Host}:${Port}", ANY]}}),
    );
    t.resource_count_is("AWS::SecretsManager::Secret", 1);
}
