//! The order-tracking seed (003), fact by fact, on the synthesized templates
//! of every environment, plus cfn-lint and checkov. The bootstrap is one
//! stack shared by every environment; each environment's `Env` stack imports
//! from it.

use serde_json::{json, Value as Json};
use stackcraft::core::assertions::{Template, ABSENT, ANY};
use stackcraft::core::{cli::synth_env, Assembly};

const ENVS: [&str; 3] = ["dev", "staging", "prod"];

fn synth(env: &str) -> Assembly {
    let envs = order_tracking::environments();
    let env = envs.get(env).unwrap();
    synth_env("order-tracking", env, order_tracking::build).unwrap_or_else(|e| panic!("{e}"))
}

fn both(env: &str) -> (Template, Template) {
    let a = synth(env);
    (Template::from_stack(&a, "Bootstrap"), Template::from_stack(&a, "Env"))
}

fn trust_of(boot: &Template, prefix: &str) -> Json {
    let roles = boot.find_resources("AWS::IAM::Role", &json!({}));
    let (_, role) = roles.iter().find(|(id, _)| id.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix}"));
    role["Properties"]["AssumeRolePolicyDocument"]["Statement"].clone()
}

#[test]
fn the_bootstrap_is_one_shared_stack_with_the_same_template_in_every_environment() {
    let templates: Vec<String> = ENVS
        .iter()
        .map(|env| {
            let a = synth(env);
            let boot = a.stack("Bootstrap").unwrap();
            assert!(boot.shared && boot.termination_protection, "{env}");
            assert_eq!(boot.stack_name, "order-tracking-Bootstrap", "{env}");
            let app = a.stack("Env").unwrap();
            assert_eq!(app.stack_name, format!("order-tracking-{env}-Env"));
            assert_eq!(app.dependencies, ["Bootstrap"], "{env}");
            // Env uses the bootstrap only through imports of its explicit exports.
            let t = Template::from_stack(&a, "Env").to_json().to_string();
            assert!(!t.contains("Fn::GetStackOutput"), "{env}");
            boot.template_text()
        })
        .collect();
    assert_eq!(templates[0], templates[1]);
    assert_eq!(templates[1], templates[2]);
}

#[test]
fn github_oidc_and_deployer_trusts() {
    for env in ENVS {
        let (boot, _) = both(env);
        boot.has_resource_properties(
            "AWS::IAM::OIDCProvider",
            json!({"Url": "https://token.actions.githubusercontent.com", "ClientIdList": ["sts.amazonaws.com"]}),
        );
        let key = |k: &str| format!("token.actions.githubusercontent.com:{k}");
        let dev = trust_of(&boot, "DevDeployer");
        assert_eq!(dev.as_array().map(Vec::len), Some(1));
        assert_eq!(dev[0]["Action"], "sts:AssumeRoleWithWebIdentity");
        assert_eq!(dev[0]["Principal"]["Federated"]["Ref"].as_str().map(|s| s.starts_with("GitHub")), Some(true));
        assert_eq!(dev[0]["Condition"]["StringEquals"][key("aud")], "sts.amazonaws.com");
        assert_eq!(
            dev[0]["Condition"]["StringLike"][key("sub")],
            json!(["repo:egobb/order-tracking:environment:dev", "repo:egobb/order-tracking:ref:refs/heads/main"])
        );
        let prod = trust_of(&boot, "ProdDeployer");
        assert_eq!(prod[0]["Action"], "sts:AssumeRoleWithWebIdentity");
        assert_eq!(prod[0]["Condition"]["StringEquals"][key("aud")], "sts.amazonaws.com");
        assert_eq!(prod[0]["Condition"]["StringLike"][key("sub")], "repo:egobb/order-tracking:ref:refs/tags/v*");
    }
}

#[test]
fn deployers_are_least_privilege_and_pass_the_execution_role_only_to_ecs_tasks() {
    let (boot, _) = both("dev");
    let roles = boot.find_resources("AWS::IAM::Role", &json!({}));
    for (prefix, target) in [("DevDeployer", "dev"), ("ProdDeployer", "prod")] {
        let (_, role) = roles.iter().find(|(id, _)| id.starts_with(prefix)).unwrap();
        let text = role["Properties"]["Policies"].to_string();
        assert!(text.contains(&format!("stack/order-tracking-{target}-*/*")), "{text}");
        // The shared bootstrap: read (deploy compares it and reads its outputs), never changed.
        let statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"].as_array().unwrap();
        let on_boot: Vec<&Json> =
            statements.iter().filter(|s| s["Resource"].to_string().contains("order-tracking-Bootstrap")).collect();
        assert_eq!(on_boot.len(), 1, "{text}");
        assert_eq!(on_boot[0]["Action"], json!(["cloudformation:DescribeStacks", "cloudformation:GetTemplate"]));
        assert!(text.contains("stackcraft-assets-${AWS::AccountId}-${AWS::Region}"), "{text}");
        assert!(!text.contains("\"*\"") && !text.contains(":*\""), "no wildcard actions or resources: {text}");
        let pass = &role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
        let pass = pass.as_array().unwrap().iter().find(|s| s["Action"] == "iam:PassRole").expect("PassRole");
        assert_eq!(pass["Condition"]["StringEquals"]["iam:PassedToService"], "ecs-tasks.amazonaws.com");
        assert!(pass["Resource"]["Fn::GetAtt"][0].as_str().unwrap().starts_with("ExecutionRole"));
    }
    boot.has_resource_properties(
        "AWS::IAM::Role",
        json!({
            "AssumeRolePolicyDocument": {"Statement": [{"Action": "sts:AssumeRole",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]},
            "ManagedPolicyArns": ANY,
        }),
    );
}

#[test]
fn ecr_network_msk_rds_and_budget_live_in_the_bootstrap() {
    for env in ENVS {
        let (boot, app) = both(env);
        boot.has_resource_properties(
            "AWS::ECR::Repository",
            json!({"RepositoryName": "order-tracking", "ImageScanningConfiguration": {"ScanOnPush": true},
                   "ImageTagMutability": "IMMUTABLE", "LifecyclePolicy": ANY}),
        );
        boot.has_resource_properties(
            "AWS::MSK::ServerlessCluster",
            json!({"ClusterName": "order-tracking", "ClientAuthentication": {"Sasl": {"Iam": {"Enabled": true}}}}),
        );
        // One database for every environment, with prod's hardening: RDS-managed
        // secret, backups, Multi-AZ, deletion protection, final snapshot.
        boot.has_resource(
            "AWS::RDS::DBInstance",
            json!({"Properties": {"Engine": "postgres", "DBInstanceClass": "db.t4g.small", "DBName": "orders",
                   "PubliclyAccessible": false, "StorageEncrypted": true, "MultiAZ": true,
                   "ManageMasterUserPassword": true, "MasterUserPassword": ABSENT,
                   "DeletionProtection": true, "BackupRetentionPeriod": 7}, "DeletionPolicy": "Snapshot"}),
        );
        boot.resource_count_is("AWS::SecretsManager::Secret", 0);
        // Public, private (one NAT gateway) and isolated data subnets.
        boot.resource_count_is("AWS::EC2::VPC", 1);
        boot.resource_count_is("AWS::EC2::Subnet", 6);
        boot.resource_count_is("AWS::EC2::NatGateway", 1);
        boot.has_resource_properties("AWS::Budgets::Budget", json!({"Budget": {"BudgetLimit": {"Amount": 300.0}}}));
        for t in ["AWS::EC2::VPC", "AWS::ECR::Repository", "AWS::MSK::ServerlessCluster", "AWS::RDS::DBInstance"] {
            app.resource_count_is(t, 0);
        }
        app.resource_count_is("AWS::EC2::NatGateway", 0);
    }
}

#[test]
fn dev_runs_public_tasks_with_plain_http() {
    let (_, app) = both("dev");
    app.has_resource(
        "AWS::ECS::Service",
        json!({"Properties": {"NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "ENABLED",
                   "Subnets": [{"Fn::ImportValue": ANY}, {"Fn::ImportValue": ANY}]}}},
               "Metadata": {"checkov": {"skip": [{"id": "CKV_AWS_333"}]}}}),
    );
    let service = app.find_resources("AWS::ECS::Service", &json!({}));
    let subnets = service[0].1["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"].to_string();
    assert!(subnets.contains("PublicSubnet") && !subnets.contains("PrivateSubnet"), "{subnets}");
    app.has_resource_properties("AWS::ElasticLoadBalancingV2::Listener", json!({"Protocol": "HTTP", "Port": 80}));
    app.resource_count_is("AWS::CertificateManager::Certificate", 0);
    app.has_output("AppUrl", json!({"Value": {"Fn::Join": ["", ["http://", ANY]]}}));
}

#[test]
fn prod_gets_the_hardening_checklist() {
    for env in ["staging", "prod"] {
        let (_, app) = both(env);
        // Private subnets (the bootstrap's, behind its NAT gateway), no public IPs.
        app.has_resource_properties(
            "AWS::ECS::Service",
            json!({"NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "DISABLED"}}}),
        );
        let service = app.find_resources("AWS::ECS::Service", &json!({}));
        let subnets = service[0].1["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"].to_string();
        assert!(subnets.contains("PrivateSubnet") && !subnets.contains("PublicSubnet"), "{subnets}");
        // ALB access logs, HTTPS with 80 -> 443 redirect.
        app.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            json!({"LoadBalancerAttributes": [{"Key": "access_logs.s3.enabled", "Value": "true"}]}),
        );
        app.has_resource_properties("AWS::ElasticLoadBalancingV2::Listener", json!({"Protocol": "HTTPS", "Port": 443}));
        app.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::Listener",
            json!({"Protocol": "HTTP", "DefaultActions": [{"Type": "redirect"}]}),
        );
        // Restricted ECS egress: 443 anywhere, 5432 to RDS, 9098 to MSK; nothing else.
        // (8080 is the ALB's egress to the tasks, placed under the service's group.)
        let egress = app.find_resources("AWS::EC2::SecurityGroupEgress", &json!({}));
        let service_sg = |r: &Json| r["Properties"]["GroupId"]["Fn::GetAtt"][0].as_str().unwrap_or("").to_owned();
        let mut ports: Vec<i64> = egress
            .iter()
            .filter(|(_, r)| service_sg(r).starts_with("ServiceSecurityGroup"))
            .filter_map(|(_, r)| r["Properties"]["FromPort"].as_i64())
            .collect();
        ports.sort();
        assert_eq!(ports, [443, 5432, 9098], "{env}");
        app.has_resource_properties("AWS::EC2::SecurityGroupEgress", json!({"FromPort": 443, "CidrIp": "0.0.0.0/0"}));
        app.all_resources(
            "AWS::EC2::SecurityGroup",
            json!({"Properties": {"SecurityGroupEgress": [{"CidrIp": "255.255.255.255/32"}]}}),
        );
    }
}

#[test]
fn sg_to_sg_paths_ecs_to_rds_5432_and_msk_9098() {
    for env in ENVS {
        let (_, app) = both(env);
        for (port, target) in [(5432, "Database"), (9098, "Kafka")] {
            let rules =
                app.find_resources("AWS::EC2::SecurityGroupIngress", &json!({"FromPort": port, "ToPort": port}));
            assert_eq!(rules.len(), 1, "{env}: one ingress on {port}");
            let p = &rules[0].1["Properties"];
            assert!(p["SourceSecurityGroupId"]["Fn::GetAtt"][0].as_str().unwrap().starts_with("ServiceSecurityGroup"));
            assert!(p["GroupId"]["Fn::ImportValue"].as_str().unwrap().contains(target), "{env}: {p}");
        }
    }
}

#[test]
fn service_uses_the_bootstrap_execution_role_ecr_image_and_exact_kafka_grants() {
    for env in ENVS {
        let a = synth(env);
        let app = Template::from_stack(&a, "Env");
        assert_eq!(a.stack("Env").unwrap().dependencies, ["Bootstrap"]);
        app.has_resource_properties(
            "AWS::ECS::TaskDefinition",
            json!({"ExecutionRoleArn": {"Fn::ImportValue": ANY},
                   "ContainerDefinitions": [{"Name": "app", "PortMappings": [{"ContainerPort": 8080}],
                       "Secrets": [{"Name": "DB_PASSWORD"}, {"Name": "DB_USERNAME"}]}]}),
        );
        app.has_resource_properties("AWS::IAM::Policy", json!({"Roles": [{"Fn::ImportValue": ANY}]}));
        app.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            json!({"HealthCheckPath": "/actuator/health", "Port": 8080}),
        );
        let roles = app.find_resources("AWS::IAM::Role", &json!({}));
        let text = roles.iter().map(|(_, r)| r.to_string()).collect::<String>();
        for action in ["kafka-cluster:WriteData", "kafka-cluster:ReadData", "kafka-cluster:AlterGroup"] {
            assert!(text.contains(action), "{env}: {action}");
        }
        // One cluster for every environment: each gets only its own topic and group.
        let (topic, group) = (format!("/order-events-{env}\""), format!("/order-tracking-{env}\""));
        assert!(!text.contains("kafka-cluster:*") && text.contains(&topic) && text.contains(&group), "{text}");
        for other in ENVS.iter().filter(|o| **o != env) {
            assert!(!text.contains(&format!("-{other}\"")), "{env} is granted {other}'s topic or group");
        }
        app.has_resource_properties(
            "AWS::ECS::TaskDefinition",
            json!({"ContainerDefinitions": [{"Environment": [
                {"Name": "DB_HOST", "Value": {"Fn::ImportValue": ANY}},
                {"Name": "KAFKA_CLUSTER_ARN", "Value": {"Fn::ImportValue": ANY}},
                {"Name": "KAFKA_GROUP", "Value": format!("order-tracking-{env}")},
                {"Name": "KAFKA_TOPIC", "Value": format!("order-events-{env}")},
                {"Name": "SPRING_PROFILES_ACTIVE", "Value": env}]}]}),
        );
        let boot = Template::from_stack(&a, "Bootstrap");
        boot.has_output("KafkaClusterArn", json!({"Value": {"Ref": ANY}}));
    }
}

#[test]
fn production_is_termination_protected() {
    let prod = synth("prod");
    assert!(prod.stacks.iter().all(|s| s.termination_protection));
    // dev's own stack is not; the shared bootstrap always is.
    let dev = synth("dev");
    assert!(dev.stacks.iter().all(|s| s.termination_protection == s.shared));
}

#[test]
fn templates_pass_cfn_lint_and_checkov() {
    for env in ENVS {
        let a = synth(env);
        stackcraft_testing::assert_cfn_lint_clean(&a);
        stackcraft_testing::assert_checkov_clean(&a);
    }
}
