//! The Cold Chain Dispatch seed, fact by fact, on the synthesized templates
//! of every environment — through the assertions API users get too — plus
//! cfn-lint and checkov.

use serde_json::{json, Value as Json};
use stackcraft::core::assertions::{Template, ANY};
use stackcraft::core::{cli::synth_env, Assembly};

const ENVS: [&str; 3] = ["dev", "staging", "prod"];

fn synth(env: &str) -> Assembly {
    let envs = coldchain::environments();
    let env = envs.get(env).unwrap();
    synth_env("coldchain", env, coldchain::build).unwrap_or_else(|e| panic!("{e}"))
}

fn both(env: &str) -> (Template, Template) {
    let a = synth(env);
    (Template::from_stack(&a, "Network"), Template::from_stack(&a, "App"))
}

#[test]
fn network_is_multi_az_with_public_and_private_subnets_and_two_nats() {
    for env in ENVS {
        let (net, _) = both(env);
        net.has_resource_properties("AWS::EC2::VPC", json!({"CidrBlock": "10.0.0.0/16"}));
        net.resource_count_is("AWS::EC2::Subnet", 4);
        for (i, _) in ["a", "b"].iter().enumerate() {
            let az = json!({"Fn::Select": [i.to_string(), {"Fn::GetAZs": ""}]});
            net.has_resource_properties(
                "AWS::EC2::Subnet",
                json!({"AvailabilityZone": az, "MapPublicIpOnLaunch": false}),
            );
        }
        net.resource_count_is("AWS::EC2::NatGateway", 2);
        net.has_resource_properties("AWS::EC2::Route", json!({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": ANY}));
        net.has_resource_properties(
            "AWS::EC2::Route",
            json!({"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": ANY}),
        );
    }
}

#[test]
fn services_match_the_seed() {
    for env in ENVS {
        let (_, app) = both(env);
        for (name, cpu, mem, port, max) in [("backend", "1024", "2048", 8000, 10), ("frontend", "512", "1024", 3000, 6)]
        {
            app.has_resource_properties(
                "AWS::ECS::TaskDefinition",
                json!({"Cpu": cpu, "Memory": mem, "RequiresCompatibilities": ["FARGATE"], "ContainerDefinitions": [{
                    "Name": name,
                    "PortMappings": [{"ContainerPort": port}],
                    "Image": {"Fn::Join": ["", [ANY, ANY, ":1.0.0"]]},
                    "LogConfiguration": {"LogDriver": "awslogs"},
                }]}),
            );
            app.has_resource_properties(
                "AWS::Logs::LogGroup",
                json!({"LogGroupName": format!("/ecs/coldchain-{env}/{name}"), "KmsKeyId": ANY}),
            );
            app.has_resource_properties(
                "AWS::ApplicationAutoScaling::ScalableTarget",
                json!({"MinCapacity": 2, "MaxCapacity": max}),
            );
            app.has_resource_properties(
                "AWS::ECS::Service",
                json!({"EnableExecuteCommand": true, "LoadBalancers": [{"ContainerName": name, "ContainerPort": port}],
                       "NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "DISABLED"}}}),
            );
        }
        for (metric, target, count) in [
            ("ECSServiceAverageCPUUtilization", 70.0, 2),
            ("ECSServiceAverageMemoryUtilization", 80.0, 2),
            ("ALBRequestCountPerTarget", 1000.0, 1),
        ] {
            let found = app.find_resources(
                "AWS::ApplicationAutoScaling::ScalingPolicy",
                &json!({"TargetTrackingScalingPolicyConfiguration": {"TargetValue": target, "PredefinedMetricSpecification": {"PredefinedMetricType": metric}}}),
            );
            assert_eq!(found.len(), count, "{env}: {metric}");
        }
        // Both ECR repositories, KMS-encrypted with the stack key, scanned, immutable.
        for name in ["backend", "frontend"] {
            app.has_resource_properties(
                "AWS::ECR::Repository",
                json!({"RepositoryName": format!("coldchain-{env}-{name}"), "ImageTagMutability": "IMMUTABLE",
                       "EncryptionConfiguration": {"EncryptionType": "KMS", "KmsKey": ANY}}),
            );
        }
    }
}

#[test]
fn one_https_load_balancer_routes_api_to_backend() {
    for env in ENVS {
        let (_, app) = both(env);
        app.resource_count_is("AWS::ElasticLoadBalancingV2::LoadBalancer", 1);
        app.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::Listener",
            json!({"Port": 443, "Protocol": "HTTPS", "Certificates": [{"CertificateArn": {"Ref": ANY}}]}),
        );
        app.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::Listener",
            json!({"Port": 80, "DefaultActions": [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS"}}]}),
        );
        app.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::ListenerRule",
            json!({"Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}], "Actions": [{"Type": "forward"}]}),
        );
        app.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            json!({"LoadBalancerAttributes": [{"Key": "access_logs.s3.enabled", "Value": "true"}]}),
        );
    }
}

#[test]
fn database_is_multi_az_postgres_with_backups() {
    for env in ENVS {
        let (_, app) = both(env);
        app.has_resource(
            "AWS::RDS::DBInstance",
            json!({"DeletionPolicy": "Snapshot", "Properties": {
                "Engine": "postgres", "DBInstanceClass": "db.t3.medium", "MultiAZ": true,
                "BackupRetentionPeriod": 7, "StorageEncrypted": true, "PubliclyAccessible": false}}),
        );
    }
}

#[test]
fn redis_is_highly_available_with_tls_and_encryption_at_rest() {
    for env in ENVS {
        let (_, app) = both(env);
        app.has_resource(
            "AWS::ElastiCache::ReplicationGroup",
            json!({"DeletionPolicy": "Snapshot", "Properties": {
                "Engine": "redis", "CacheNodeType": "cache.t3.medium", "NumCacheClusters": 2,
                "MultiAZEnabled": true, "AutomaticFailoverEnabled": true,
                "TransitEncryptionEnabled": true, "AtRestEncryptionEnabled": true, "KmsKeyId": ANY,
                "ReplicationGroupId": format!("coldchain-{env}"),
                "AuthToken": {"Fn::Sub": [ANY, ANY]},
            }}),
        );
        app.has_resource_properties(
            "AWS::Logs::LogGroup",
            json!({"LogGroupName": format!("/aws/elasticache/redis/coldchain-{env}")}),
        );
        // Only the backend reaches Redis (6379) and PostgreSQL (5432).
        for port in [6379, 5432] {
            let rules = app.find_resources("AWS::EC2::SecurityGroupIngress", &json!({"FromPort": port}));
            assert_eq!(rules.len(), 1, "{env}: {port}");
            let source = rules[0].1["Properties"]["SourceSecurityGroupId"]["Fn::GetAtt"][0].as_str().unwrap_or("");
            assert!(source.starts_with("BackendSecurityGroup"), "{env}: {source}");
        }
    }
}

#[test]
fn three_buckets_private_and_encrypted() {
    for env in ENVS {
        let (_, app) = both(env);
        app.resource_count_is("AWS::S3::Bucket", 3);
        app.all_resources(
            "AWS::S3::Bucket",
            json!({"Properties": {
                "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true,
                    "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": ANY}]},
            }}),
        );
        // Uploads and backups with the stack's KMS key, logging into the log bucket.
        let kms = app.find_resources(
            "AWS::S3::Bucket",
            &json!({"BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
                    "LoggingConfiguration": ANY}),
        );
        assert_eq!(kms.len(), 2, "{env}");
        app.all_resources("AWS::S3::BucketPolicy", json!({"Properties": {"PolicyDocument": {"Statement": [
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}}));
    }
}

#[test]
fn one_kms_key_per_environment() {
    for env in ENVS {
        let (net, app) = both(env);
        net.resource_count_is("AWS::KMS::Key", 0);
        app.resource_count_is("AWS::KMS::Key", 1);
    }
}

#[test]
fn secrets_are_injected_never_in_plain_text() {
    for env in ENVS {
        let (_, app) = both(env);
        let secrets = |names: &[&str]| names.iter().map(|n| json!({"Name": n, "ValueFrom": ANY})).collect::<Vec<_>>();
        app.has_resource_properties(
            "AWS::ECS::TaskDefinition",
            json!({"ContainerDefinitions": [{"Name": "backend", "Secrets": secrets(&["DATABASE_URL", "REDIS_URL", "API_KEY"])}]}),
        );
        let api_key = format!("parameter/coldchain/{env}/api-key");
        let text = synth(env).stack("App").unwrap().template_text();
        assert!(text.contains(&api_key), "{env}: SSM SecureString parameter by name");
        // Secret values are dynamic references, resolved by CloudFormation.
        app.has_resource_properties(
            "AWS::SecretsManager::Secret",
            json!({"SecretString": {"Fn::Sub": [
                "rediss://:{{resolve:secretsmanager:${Token}:SecretString:password}}@${Host}:${Port}", ANY]}}),
        );
        for (_, td) in app.find_resources("AWS::ECS::TaskDefinition", &json!({})) {
            for c in td["Properties"]["ContainerDefinitions"].as_array().unwrap() {
                for e in c["Environment"].as_array().into_iter().flatten() {
                    let n = e["Name"].as_str().unwrap_or("");
                    assert!(!["DATABASE_URL", "REDIS_URL", "API_KEY"].contains(&n), "{env}: secret in plain env: {e}");
                }
            }
        }
        assert!(!text.contains("\"AuthToken\": \""), "{env}");
        assert!(!text.contains("\"MasterUserPassword\": \""), "{env}");
    }
}

fn alarm(app: &Template, ns: &str, metric: &str, op: &str, threshold: f64) -> Vec<(String, Json)> {
    let found = app.find_resources(
        "AWS::CloudWatch::Alarm",
        &json!({"Namespace": ns, "MetricName": metric, "ComparisonOperator": op, "Threshold": threshold,
                "AlarmActions": [{"Ref": ANY}]}),
    );
    assert!(!found.is_empty(), "no alarm {ns} {metric} {op} {threshold}");
    found
}

#[test]
fn the_seven_alarms_notify_the_email_topic() {
    for env in ENVS {
        let (_, app) = both(env);
        app.has_resource_properties(
            "AWS::SNS::Subscription",
            json!({"Protocol": "email", "Endpoint": "devops@coldchain.example.com"}),
        );
        let lt = "LessThanThreshold";
        let gt = "GreaterThanThreshold";
        // Unhealthy targets (< 1 healthy), for both target groups.
        assert_eq!(alarm(&app, "AWS/ApplicationELB", "HealthyHostCount", lt, 1.0).len(), 2);
        // 5XX > 10 in 5 minutes.
        let (_, a) = alarm(&app, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", gt, 10.0).remove(0);
        assert_eq!((&a["Properties"]["Statistic"], &a["Properties"]["Period"]), (&json!("Sum"), &json!(300)));
        alarm(&app, "AWS/RDS", "CPUUtilization", gt, 80.0);
        // Free storage < 10 GB, compared in bytes.
        alarm(&app, "AWS/RDS", "FreeStorageSpace", lt, 10.0 * 1024.0 * 1024.0 * 1024.0);
        alarm(&app, "AWS/RDS", "DatabaseConnections", gt, 80.0);
        // Redis CPU > 75% and memory > 90%, on each of the 2 nodes.
        for (metric, threshold) in [("CPUUtilization", 75.0), ("DatabaseMemoryUsagePercentage", 90.0)] {
            let nodes: Vec<Json> = alarm(&app, "AWS/ElastiCache", metric, gt, threshold)
                .iter()
                .map(|(_, a)| a["Properties"]["Dimensions"][0]["Value"]["Fn::Sub"][0].clone())
                .collect();
            assert_eq!(nodes, [json!("${Group}-001"), json!("${Group}-002")], "{env}: {metric}");
        }
        app.resource_count_is("AWS::CloudWatch::Alarm", 10);
        app.resource_count_is("AWS::CloudWatch::Dashboard", 1);
    }
}

#[test]
fn environments_are_named_and_production_is_protected() {
    for env in ENVS {
        let a = synth(env);
        let protected = env == "prod";
        assert!(a.stacks.iter().all(|s| s.termination_protection == protected), "{env}");
        assert!(a.stacks.iter().all(|s| s.stack_name.starts_with(&format!("coldchain-{env}-"))));
        let (_, app) = both(env);
        app.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            json!({"LoadBalancerAttributes": [{"Key": "deletion_protection.enabled", "Value": protected.to_string()}]}),
        );
        // The seed's region, pinned per environment and carried in the assembly.
        assert!(a.stacks.iter().all(|s| s.template["Description"].as_str().unwrap_or("").contains("ap-northeast-2")));
        assert!(a.stacks.iter().all(|s| s.region.as_deref() == Some("ap-northeast-2")));
        assert!(a.manifest()["artifacts"]["App"]["environment"]
            .as_str()
            .is_some_and(|e| e.ends_with("/ap-northeast-2")));
        app.has_output("Url", json!({"Value": ANY}));
    }
}

#[test]
fn templates_pass_cfn_lint_and_checkov() {
    for env in ENVS {
        let a = synth(env);
        stackcraft_testing::assert_cfn_lint_clean(&a);
        stackcraft_testing::assert_checkov_clean(&a);
    }
}
