//! The Cart Service seed (000), fact by fact, on the synthesized templates of
//! every environment, plus cfn-lint and checkov.

use serde_json::json;
use stackcraft::core::assertions::{Template, ABSENT, ANY};
use stackcraft::core::{cli::synth_env, Assembly};

fn synth(env: &str) -> Assembly {
    let envs = cart_service::environments();
    let env = envs.get(env).unwrap();
    synth_env("cart", env, cart_service::build).unwrap_or_else(|e| panic!("{e}"))
}

fn stacks(env: &str) -> (Template, Template, Template) {
    let a = synth(env);
    (Template::from_stack(&a, "Registry"), Template::from_stack(&a, "Network"), Template::from_stack(&a, "Cart"))
}

const ENVS: [&str; 3] = ["dev", "staging", "prod"];

#[test]
fn region_is_eu_central_1_everywhere() {
    let envs = cart_service::environments();
    for env in ENVS {
        assert_eq!(envs.get(env).unwrap().region.as_deref(), Some("eu-central-1"), "{env}");
        let a = synth(env);
        for s in &a.stacks {
            assert_eq!(s.region.as_deref(), Some("eu-central-1"), "{env}/{}", s.id);
        }
    }
}

#[test]
fn the_registry_is_one_shared_stack_with_the_same_template_in_every_environment() {
    let templates: Vec<String> = ENVS
        .iter()
        .map(|env| {
            let a = synth(env);
            let r = a.stack("Registry").unwrap();
            assert!(r.shared, "{env}");
            assert_eq!(r.stack_name, "cart-Registry", "{env}");
            let cart = a.stack("Cart").unwrap();
            assert!(cart.dependencies.contains(&"Registry".to_owned()), "{env}");
            r.template_text()
        })
        .collect();
    assert_eq!(templates[0], templates[1]);
    assert_eq!(templates[1], templates[2]);
}

#[test]
fn vpc_over_two_azs_with_nat_single_in_dev_and_per_az_in_prod() {
    for (env, nats) in [("dev", 1), ("staging", 1), ("prod", 2)] {
        let (_, net, _) = stacks(env);
        net.resource_count_is("AWS::EC2::VPC", 1);
        net.resource_count_is("AWS::EC2::Subnet", 4);
        for i in ["0", "1"] {
            net.has_resource_properties(
                "AWS::EC2::Subnet",
                json!({"AvailabilityZone": {"Fn::Select": [i, {"Fn::GetAZs": ""}]}, "MapPublicIpOnLaunch": false}),
            );
        }
        net.resource_count_is("AWS::EC2::NatGateway", nats);
    }
}

#[test]
fn ecs_tasks_1_in_dev_3_plus_in_prod_autoscaling_off_on_spot_yes_no() {
    for (env, tasks, max, spot) in [("dev", 1, None, true), ("staging", 2, Some(4), true), ("prod", 3, Some(12), false)]
    {
        let (_, _, cart) = stacks(env);
        let provider = if spot { "FARGATE_SPOT" } else { "FARGATE" };
        cart.has_resource_properties(
            "AWS::ECS::Service",
            // With autoscaling the count is left to the scalable target (minimum = tasks).
            json!({"DesiredCount": if max.is_none() { json!(tasks) } else { json!(ABSENT) }, "LaunchType": ABSENT, "ServiceName": format!("cart-service-{env}"),
                   "CapacityProviderStrategy": [{"CapacityProvider": provider, "Weight": 1}]}),
        );
        cart.has_resource_properties(
            "AWS::ECS::Cluster",
            json!({"ClusterName": format!("ecommerce-{env}"),
                   "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]}),
        );
        let ecs_targets =
            cart.find_resources("AWS::ApplicationAutoScaling::ScalableTarget", &json!({"ServiceNamespace": "ecs"}));
        match max {
            None => assert!(ecs_targets.is_empty(), "{env}: task autoscaling is off"),
            Some(max) => {
                assert_eq!(ecs_targets.len(), 1, "{env}");
                assert_eq!(ecs_targets[0].1["Properties"]["MinCapacity"], tasks, "{env}");
                assert_eq!(ecs_targets[0].1["Properties"]["MaxCapacity"], max, "{env}");
                for metric in ["ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"] {
                    cart.has_resource_properties(
                        "AWS::ApplicationAutoScaling::ScalingPolicy",
                        json!({"TargetTrackingScalingPolicyConfiguration": {"PredefinedMetricSpecification": {"PredefinedMetricType": metric}}}),
                    );
                }
            }
        }
        if env == "prod" {
            assert!(tasks >= 3, "prod runs 3+ tasks");
        }
    }
}

#[test]
fn dynamodb_on_demand_in_dev_provisioned_autoscaled_in_prod_and_retained_in_prod() {
    for (env, provisioned) in [("dev", false), ("staging", false), ("prod", true)] {
        let (_, _, cart) = stacks(env);
        let policy = if env == "prod" { "Retain" } else { "Delete" };
        cart.has_resource(
            "AWS::DynamoDB::Table",
            json!({"DeletionPolicy": policy, "UpdateReplacePolicy": policy, "Properties": {
                "BillingMode": if provisioned { "PROVISIONED" } else { "PAY_PER_REQUEST" },
                "KeySchema": [{"AttributeName": "cartId", "KeyType": "HASH"}],
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true},
                "SSESpecification": {"SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": ANY},
                "DeletionProtectionEnabled": env == "prod",
                "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expiresAt"},
            }}),
        );
        let table_targets = cart
            .find_resources("AWS::ApplicationAutoScaling::ScalableTarget", &json!({"ServiceNamespace": "dynamodb"}));
        assert_eq!(table_targets.len(), if provisioned { 2 } else { 0 }, "{env}: table autoscaling");
        if provisioned {
            for dim in ["Read", "Write"] {
                cart.has_resource_properties(
                    "AWS::ApplicationAutoScaling::ScalableTarget",
                    json!({"ScalableDimension": format!("dynamodb:table:{dim}CapacityUnits"), "MinCapacity": 10, "MaxCapacity": 200}),
                );
            }
        }
    }
}

#[test]
fn alb_http_in_dev_only_as_acknowledged_risk_https_in_prod() {
    let (_, _, dev) = stacks("dev");
    dev.resource_count_is("AWS::ElasticLoadBalancingV2::Listener", 1);
    dev.has_resource(
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({"Properties": {"Protocol": "HTTP", "Port": 80},
               "Metadata": {"checkov": {"skip": [{"id": "CKV_AWS_2", "comment": ANY}, {"id": "CKV_AWS_103", "comment": ANY}]}}}),
    );
    for env in ["staging", "prod"] {
        let (_, _, t) = stacks(env);
        t.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::Listener",
            json!({"Protocol": "HTTPS", "Port": 443, "Certificates": [{"CertificateArn": ANY}]}),
        );
        t.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::Listener",
            json!({"Protocol": "HTTP", "DefaultActions": [{"Type": "redirect"}]}),
        );
        t.resource_count_is("AWS::CertificateManager::Certificate", 1);
    }
    let (_, _, prod) = stacks("prod");
    prod.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        json!({"LoadBalancerAttributes": ANY, "Scheme": "internet-facing"}),
    );
}

#[test]
fn eventbridge_to_sqs_with_dlq_and_grants_without_hand_written_statements() {
    for env in ENVS {
        let (_, _, cart) = stacks(env);
        cart.resource_count_is("AWS::Events::EventBus", 1);
        cart.resource_count_is("AWS::SQS::Queue", 2);
        cart.has_resource_properties(
            "AWS::Events::Rule",
            json!({"EventPattern": {"source": ["cart-service"], "detail-type": ["CartUpdated", "CartCheckedOut"]},
                   "Targets": [{"Arn": ANY, "Id": "Target0", "DeadLetterConfig": {"Arn": ANY}, "RetryPolicy": {"MaximumRetryAttempts": 10}}]}),
        );
        cart.has_resource_properties(
            "AWS::SQS::Queue",
            json!({"RedrivePolicy": {"maxReceiveCount": 5, "deadLetterTargetArn": ANY}, "KmsMasterKeyId": ANY}),
        );
        let role_policies = cart.find_resources("AWS::IAM::Role", &json!({}));
        let text = serde_json::to_string(&role_policies).unwrap();
        for action in ["dynamodb:PutItem", "dynamodb:GetItem", "events:PutEvents"] {
            assert!(text.contains(action), "{env}: the task role needs {action}");
        }
        assert!(!text.contains("dynamodb:*") && !text.contains("\"Resource\":\"*\",\"Action\":\"dynamodb"), "{env}");
    }
}

#[test]
fn ecr_repository_and_outputs() {
    for env in ENVS {
        let (registry, _, cart) = stacks(env);
        registry.has_resource(
            "AWS::ECR::Repository",
            json!({"DeletionPolicy": "Retain", "Properties": {
                "RepositoryName": "ecommerce-cart-service", "ImageTagMutability": "MUTABLE",
                "ImageScanningConfiguration": {"ScanOnPush": true}},
                "Metadata": {"checkov": {"skip": [{"id": "CKV_AWS_51", "comment": ANY}]}}}),
        );
        registry.has_output("EcrRepositoryUrl", json!({"Value": {"Fn::GetAtt": [ANY, "RepositoryUri"]}}));
        cart.has_output("AlbDnsName", json!({"Value": {"Fn::GetAtt": [ANY, "DNSName"]}}));
        cart.has_output("DynamodbTableName", json!({"Value": {"Ref": ANY}}));
        cart.has_resource_properties(
            "AWS::ECS::TaskDefinition",
            json!({"ContainerDefinitions": [{"Name": "cart-service", "Image": {"Fn::Join": ["", [ANY, ":latest"]]}}]}),
        );
    }
}

#[test]
fn cloudwatch_alarms_notify_the_topic() {
    let (_, _, cart) = stacks("prod");
    for metric in [
        "ReadThrottleEvents",
        "WriteThrottleEvents",
        "ApproximateNumberOfMessagesVisible",
        "CPUUtilization",
        "HTTPCode_ELB_5XX_Count",
    ] {
        cart.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            json!({"MetricName": metric, "AlarmActions": [{"Ref": ANY}]}),
        );
    }
    cart.has_resource_properties(
        "AWS::SNS::Subscription",
        json!({"Protocol": "email", "Endpoint": "oncall@shop.example.com"}),
    );
}

#[test]
fn templates_pass_cfn_lint_and_checkov() {
    for env in ENVS {
        let a = synth(env);
        stackcraft_testing::assert_cfn_lint_clean(&a);
        stackcraft_testing::assert_checkov_clean(&a);
    }
}
