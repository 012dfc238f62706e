//! The PyShop seed, fact by fact, on the synthesized templates of every
//! environment — through the assertions API users get too — plus cfn-lint
//! and checkov.

use serde_json::json;
use stackcraft::core::assertions::{Template, ABSENT, ANY};
use stackcraft::core::{cli::synth_env, Assembly};

fn synth(env: &str) -> Assembly {
    let envs = pyshop_api::environments();
    let env = envs.get(env).unwrap();
    synth_env("pyshop", env, pyshop_api::build).unwrap_or_else(|e| panic!("{e}"))
}

fn both(env: &str) -> (Template, Template) {
    let a = synth(env);
    (Template::from_stack(&a, "Network"), Template::from_stack(&a, "Api"))
}

#[test]
fn network_matches_the_seed() {
    for (env, nats) in [("dev", 1), ("staging", 2), ("prod", 2)] {
        let (net, _) = both(env);
        net.has_resource_properties("AWS::EC2::VPC", json!({"CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": true}));
        net.resource_count_is("AWS::EC2::Subnet", 4);
        for cidr in ["10.0.1.0/24", "10.0.2.0/24"] {
            net.has_resource_properties("AWS::EC2::Subnet", json!({"CidrBlock": cidr, "MapPublicIpOnLaunch": false}));
        }
        for (i, cidr) in ["10.0.10.0/24", "10.0.11.0/24"].iter().enumerate() {
            net.has_resource_properties(
                "AWS::EC2::Subnet",
                json!({"CidrBlock": cidr, "AvailabilityZone": {"Fn::Select": [i.to_string(), {"Fn::GetAZs": ""}]}}),
            );
        }
        net.resource_count_is("AWS::EC2::InternetGateway", 1);
        net.resource_count_is("AWS::EC2::NatGateway", nats);
        net.resource_count_is("AWS::EC2::RouteTable", 4);
        net.has_resource_properties("AWS::EC2::Route", json!({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": ANY}));
        net.has_resource_properties(
            "AWS::EC2::Route",
            json!({"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": ANY}),
        );
    }
}

#[test]
fn security_groups_allow_only_the_seed_paths() {
    let (_, api) = both("staging");
    api.resource_count_is("AWS::EC2::SecurityGroup", 3);
    // ALB: 80 and 443 from anywhere.
    for port in [80, 443] {
        api.has_resource_properties(
            "AWS::EC2::SecurityGroupIngress",
            json!({"CidrIp": "0.0.0.0/0", "FromPort": port, "ToPort": port, "IpProtocol": "tcp"}),
        );
    }
    let ingress = api.find_resources("AWS::EC2::SecurityGroupIngress", &json!({}));
    assert_eq!(ingress.len(), 4, "only ALB 80/443, tasks 8000 and RDS 5432");
    let open: Vec<_> = ingress.iter().filter(|(_, r)| r["Properties"].get("CidrIp").is_some()).collect();
    assert_eq!(open.len(), 2, "only the ALB listens to the internet");
    let from_sg = |port: i64, source_prefix: &str, target_prefix: &str| {
        assert!(
            ingress.iter().any(|(_, r)| {
                let p = &r["Properties"];
                p["FromPort"] == port
                    && p["SourceSecurityGroupId"]["Fn::GetAtt"][0]
                        .as_str()
                        .is_some_and(|s| s.starts_with(source_prefix))
                    && p["GroupId"]["Fn::GetAtt"][0].as_str().is_some_and(|s| s.starts_with(target_prefix))
            }),
            "no ingress {source_prefix} -> {target_prefix}:{port}"
        );
    };
    from_sg(8000, "AlbSecurityGroup", "ServiceSecurityGroup");
    from_sg(5432, "ServiceSecurityGroup", "DatabaseSecurityGroup");
}

#[test]
fn database_matches_the_seed() {
    for (env, class, multi_az) in
        [("dev", "db.t4g.micro", false), ("staging", "db.t4g.micro", false), ("prod", "db.t4g.small", true)]
    {
        let (_, api) = both(env);
        api.has_resource(
            "AWS::RDS::DBInstance",
            json!({
                "DeletionPolicy": "Snapshot",
                "UpdateReplacePolicy": "Snapshot",
                "Properties": {
                    "Engine": "postgres",
                    "EngineVersion": "15.19",
                    "DBInstanceClass": class,
                    "MultiAZ": multi_az,
                    "StorageType": "gp3",
                    "AllocatedStorage": "20",
                    "StorageEncrypted": true,
                    "BackupRetentionPeriod": 7,
                    "DeletionProtection": true,
                    "MasterUsername": ANY,
                }
            }),
        );
        api.has_resource_properties("AWS::SecretsManager::Secret", json!({"GenerateSecretString": ANY}));
        // The password is a dynamic reference resolved by CloudFormation, never a literal.
        let (_, db) = api.find_resources("AWS::RDS::DBInstance", &json!({})).remove(0);
        let password = db["Properties"]["MasterUserPassword"].to_string();
        assert!(password.contains("{{resolve:secretsmanager:"), "{password}");
    }
}

#[test]
fn load_balancer_listeners_and_health_check() {
    let (_, api) = both("prod");
    api.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        json!({"Scheme": "internet-facing", "Type": "application"}),
    );
    api.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({"Port": 80, "Protocol": "HTTP", "DefaultActions": [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443"}}]}),
    );
    api.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({"Port": 443, "Protocol": "HTTPS", "Certificates": [{"CertificateArn": {"Ref": ANY}}], "DefaultActions": [{"Type": "forward"}]}),
    );
    // The service is created after the listener that forwards to it.
    let (https, _) = api
        .find_resources("AWS::ElasticLoadBalancingV2::Listener", &json!({"Port": 443}))
        .pop()
        .expect("https listener");
    api.has_resource("AWS::ECS::Service", json!({"DependsOn": [https]}));
    api.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        json!({"TargetType": "ip", "Port": 8000, "HealthCheckPath": "/healthz", "Protocol": "HTTP"}),
    );
}

#[test]
fn compute_matches_each_environment() {
    for (env, cpu, mem, count, min, max) in
        [("dev", "256", "512", 1, 1, 2), ("staging", "512", "1024", 2, 2, 10), ("prod", "1024", "2048", 2, 2, 10)]
    {
        let (_, api) = both(env);
        api.has_resource_properties(
            "AWS::ECS::Cluster",
            json!({"ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]}),
        );
        api.has_resource_properties(
            "AWS::ECS::TaskDefinition",
            json!({
                "Cpu": cpu,
                "Memory": mem,
                "NetworkMode": "awsvpc",
                "RequiresCompatibilities": ["FARGATE"],
                "ExecutionRoleArn": ANY,
                "TaskRoleArn": ANY,
                "ContainerDefinitions": [{
                    "Name": "api",
                    "PortMappings": [{"ContainerPort": 8000}],
                    "LogConfiguration": {"LogDriver": "awslogs"},
                    "Environment": [
                        {"Name": "ENVIRONMENT", "Value": env},
                        {"Name": "ACCESS_TOKEN_EXPIRE_MINUTES", "Value": "30"}
                    ],
                    "Secrets": [{"Name": "SECRET_KEY"}, {"Name": "DATABASE_URL"}],
                }],
            }),
        );
        api.has_resource_properties(
            "AWS::ECS::Service",
            json!({
                // The scalable target owns the task count (a deploy must not reset it).
                "DesiredCount": ABSENT,
                "EnableExecuteCommand": true,
                "DeploymentConfiguration": {"DeploymentCircuitBreaker": {"Enable": true, "Rollback": true}},
                "NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "DISABLED"}},
                "LoadBalancers": [{"ContainerName": "api", "ContainerPort": 8000}],
            }),
        );
        api.has_resource_properties(
            "AWS::ApplicationAutoScaling::ScalableTarget",
            json!({"MinCapacity": min, "MaxCapacity": max}),
        );
        assert_eq!(count, min, "{env}: tasks start at the autoscaling minimum");
        for (metric, target) in
            [("ECSServiceAverageCPUUtilization", 70.0), ("ECSServiceAverageMemoryUtilization", 80.0)]
        {
            api.has_resource_properties(
                "AWS::ApplicationAutoScaling::ScalingPolicy",
                json!({"TargetTrackingScalingPolicyConfiguration": {"TargetValue": target, "PredefinedMetricSpecification": {"PredefinedMetricType": metric}}}),
            );
        }
        api.resource_count_is("AWS::IAM::Role", 3); // execution, task, RDS monitoring
    }
}

#[test]
fn no_secret_reaches_the_template_in_clear() {
    let a = synth("prod");
    let text = a.stack("Api").unwrap().template_text();
    assert!(!text.contains("\"Environment\": [{\"Name\": \"SECRET_KEY\""));
    let (_, api) = both("prod");
    for (_, td) in api.find_resources("AWS::ECS::TaskDefinition", &json!({})) {
        for c in td["Properties"]["ContainerDefinitions"].as_array().unwrap() {
            for e in c["Environment"].as_array().into_iter().flatten() {
                assert!(
                    !["SECRET_KEY", "DATABASE_URL"].contains(&e["Name"].as_str().unwrap()),
                    "secret in plain env: {e}"
                );
            }
        }
    }
}

#[test]
fn monitoring_dns_and_outputs() {
    let (_, api) = both("prod");
    api.resource_count_is("AWS::CloudWatch::Dashboard", 1);
    api.resource_count_is("AWS::SNS::Topic", 1);
    api.has_resource_properties(
        "AWS::SNS::Subscription",
        json!({"Protocol": "email", "Endpoint": "oncall@pyshop.example.com"}),
    );
    for (ns, metric) in [
        ("AWS/ECS", "CPUUtilization"),
        ("AWS/ECS", "MemoryUtilization"),
        ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"),
        ("AWS/ApplicationELB", "TargetResponseTime"),
        ("AWS/ApplicationELB", "UnHealthyHostCount"),
        ("AWS/RDS", "CPUUtilization"),
        ("AWS/RDS", "FreeStorageSpace"),
        ("AWS/RDS", "DatabaseConnections"),
    ] {
        api.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            json!({"Namespace": ns, "MetricName": metric, "AlarmActions": [{"Ref": ANY}]}),
        );
    }
    // An alarm on a count of zero would always fire: one unhealthy target is the threshold.
    api.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"MetricName": "UnHealthyHostCount", "Threshold": 1.0, "ComparisonOperator": "GreaterThanOrEqualToThreshold"}),
    );
    api.has_resource_properties("AWS::Route53::HostedZone", json!({"Name": "pyshop.example.com."}));
    api.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        json!({"DomainName": "pyshop.example.com", "ValidationMethod": "DNS", "SubjectAlternativeNames": ["www.pyshop.example.com"]}),
    );
    for name in ["pyshop.example.com.", "www.pyshop.example.com."] {
        api.has_resource_properties("AWS::Route53::RecordSet", json!({"Name": name, "Type": "A", "AliasTarget": ANY}));
    }
    api.has_output("Url", json!({"Value": "https://pyshop.example.com"}));
}

#[test]
fn production_is_protected_and_dev_is_not() {
    for (env, protected) in [("dev", false), ("staging", false), ("prod", true)] {
        let a = synth(env);
        assert!(a.stacks.iter().all(|s| s.termination_protection == protected), "{env}");
        assert!(a.stacks.iter().all(|s| s.stack_name.starts_with(&format!("pyshop-{env}-"))));
    }
    let (_, api) = both("prod");
    api.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        json!({"LoadBalancerAttributes": [{"Key": "deletion_protection.enabled", "Value": "true"}]}),
    );
}

#[test]
fn templates_pass_cfn_lint_and_checkov() {
    for env in ["dev", "staging", "prod"] {
        let a = synth(env);
        stackcraft_testing::assert_cfn_lint_clean(&a);
        stackcraft_testing::assert_checkov_clean(&a);
    }
}

#[test]
fn invalid_fargate_size_from_a_config_file_is_a_clear_error() {
    // The config holds a typed `FargateSize`: an invalid pair never loads.
    let mut envs = pyshop_api::environments();
    let mut cfg = serde_json::to_value(&envs.get("dev").unwrap().config).unwrap();
    cfg["size"]["memory_mib"] = json!(8192);
    let err = envs.load_config("dev", &cfg.to_string()).unwrap_err().to_string();
    assert_eq!(
        err,
        "config for environment \"dev\": at size: 8192 MiB is not a valid memory size for 256 CPU units on \
         Fargate; allowed: 512, 1024, 2048 MiB at line 1 column 37"
    );
    cfg["size"]["memory_mib"] = json!(512);
    cfg["nat"] = json!("two");
    let err = envs.load_config("dev", &cfg.to_string()).unwrap_err().to_string();
    assert!(err.starts_with("config for environment \"dev\": at nat: unknown variant `two`"), "{err}");
}
