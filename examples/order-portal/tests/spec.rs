//! The Customer Order Portal seed (001), fact by fact, on the synthesized
//! templates of every environment, plus cfn-lint and checkov.

use serde_json::{json, Value as Json};
use stackcraft::core::assertions::{Template, ABSENT, ANY};
use stackcraft::core::{cli::synth_env, Assembly};

const ENVS: [&str; 3] = ["dev", "staging", "prod"];

/// The seed's service table: name, port, CPU units, memory MiB.
const SERVICES: [(&str, u16, u32, u32); 9] = [
    ("gateway", 8000, 256, 512),
    ("order", 8001, 512, 1024),
    ("customer", 8002, 512, 1024),
    ("inventory", 8003, 512, 1024),
    ("returns", 8004, 512, 1024),
    ("chatbot", 8005, 1024, 2048),
    ("notification", 8006, 256, 512),
    ("analytics", 8007, 512, 1024),
    ("salesforce", 8008, 256, 512),
];

fn synth(env: &str) -> Assembly {
    let envs = order_portal::environments();
    synth_env("order-portal", envs.get(env).unwrap(), order_portal::build).unwrap_or_else(|e| panic!("{e}"))
}

fn stacks(env: &str) -> (Template, Template, Template) {
    let a = synth(env);
    (Template::from_stack(&a, "Network"), Template::from_stack(&a, "Services"), Template::from_stack(&a, "Frontend"))
}

fn container(svc: &Template, name: &str) -> Json {
    let tds = svc.find_resources("AWS::ECS::TaskDefinition", &json!({}));
    let found =
        tds.iter().flat_map(|(_, td)| td["Properties"]["ContainerDefinitions"].as_array().cloned().unwrap_or_default());
    let c: Vec<Json> = found.filter(|c| c["Name"] == name).collect();
    assert_eq!(c.len(), 1, "{name}");
    c[0].clone()
}

#[test]
fn network_two_azs_public_private_single_nat() {
    for env in ENVS {
        let (net, _, _) = stacks(env);
        net.resource_count_is("AWS::EC2::VPC", 1);
        // public subnets route to the internet gateway, private ones through the NAT gateway
        net.has_resource_properties("AWS::EC2::Route", json!({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": ANY}));
        net.has_resource_properties(
            "AWS::EC2::Route",
            json!({"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": ANY}),
        );
        let subnets = net.find_resources("AWS::EC2::Subnet", &json!({}));
        let azs: std::collections::BTreeSet<String> =
            subnets.iter().map(|(_, s)| s["Properties"]["AvailabilityZone"].to_string()).collect();
        assert_eq!(azs.len(), 2, "{env}: two AZs");
        assert_eq!(subnets.len(), 4, "{env}: 2 public + 2 private");
        net.resource_count_is("AWS::EC2::InternetGateway", 1);
        net.resource_count_is("AWS::EC2::NatGateway", 1);
    }
}

#[test]
fn nine_services_with_their_sizes_ports_roles_logs_and_routes() {
    for env in ENVS {
        let (_, svc, _) = stacks(env);
        svc.resource_count_is("AWS::ECS::Cluster", 1);
        svc.has_resource_properties(
            "AWS::ECS::Cluster",
            json!({"CapacityProviders": ["FARGATE", "FARGATE_SPOT"], "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]}),
        );
        for ty in [
            "AWS::ECS::Service",
            "AWS::ECS::TaskDefinition",
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            "AWS::ServiceDiscovery::Service",
            "AWS::Logs::LogGroup",
            "AWS::ApplicationAutoScaling::ScalableTarget",
            "AWS::ApplicationAutoScaling::ScalingPolicy",
        ] {
            svc.resource_count_is(ty, 9);
        }
        svc.resource_count_is("AWS::ElasticLoadBalancingV2::LoadBalancer", 1);
        // one rule per service plus the listener's former default (404) behind the origin-verify header
        svc.resource_count_is("AWS::ElasticLoadBalancingV2::ListenerRule", 10);
        // an execution role and a task role per service (+ RDS monitoring)
        svc.resource_count_is("AWS::IAM::Role", 19);
        for (name, port, cpu, mem) in SERVICES {
            svc.has_resource_properties(
                "AWS::ECS::TaskDefinition",
                json!({"Cpu": cpu.to_string(), "Memory": mem.to_string(), "ExecutionRoleArn": ANY, "TaskRoleArn": ANY,
                       "ContainerDefinitions": [{"Name": name, "PortMappings": [{"ContainerPort": port}]}]}),
            );
            svc.has_resource_properties(
                "AWS::ECS::Service",
                json!({"LoadBalancers": [{"ContainerName": name, "ContainerPort": port}], "EnableExecuteCommand": true,
                       "DeploymentConfiguration": {"DeploymentCircuitBreaker": {"Enable": true, "Rollback": true}},
                       "NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "DISABLED"}}}),
            );
            svc.has_resource_properties(
                "AWS::ElasticLoadBalancingV2::TargetGroup",
                json!({"Port": port, "TargetType": "ip"}),
            );
            svc.has_resource_properties("AWS::ServiceDiscovery::Service", json!({"Name": name}));
            svc.has_resource_properties(
                "AWS::Logs::LogGroup",
                json!({"LogGroupName": format!("/ecs/customer-order-portal-{env}/{name}"), "KmsKeyId": ANY}),
            );
            let c = container(&svc, name);
            assert_eq!(c["Environment"], json!([{"Name": "ENVIRONMENT", "Value": env}]), "{env} {name}");
            let image = c["Image"].to_string();
            assert!(image.contains(&format!("customer-portal/{name}")), "{image}");
        }
        svc.has_resource_properties("AWS::ServiceDiscovery::PrivateDnsNamespace", json!({"Name": "portal.internal"}));
    }
}

#[test]
fn routes_specific_before_the_gateway_catch_all() {
    let (_, svc, _) = stacks("prod");
    let rules = svc.find_resources("AWS::ElasticLoadBalancingV2::ListenerRule", &json!({}));
    let route = |path: &str| {
        rules
            .iter()
            .find(|(_, r)| r["Properties"]["Conditions"][0]["PathPatternConfig"]["Values"] == json!([path]))
            .map(|(_, r)| r["Properties"]["Priority"].as_u64().unwrap())
            .unwrap_or_else(|| panic!("no rule for {path}"))
    };
    let gateway = route("/api/*");
    for p in ["/api/orders*", "/api/customers*", "/api/inventory*", "/api/returns*", "/api/chat*"] {
        assert!(route(p) < gateway, "{p} must win over the gateway catch-all");
    }
    assert_eq!(gateway, 90);
}

#[test]
fn autoscaling_1_to_10_at_cpu_70_with_cooldowns_and_alarms() {
    for env in ENVS {
        let (_, svc, _) = stacks(env);
        svc.all_resources(
            "AWS::ApplicationAutoScaling::ScalableTarget",
            json!({"Properties": {"MinCapacity": 1, "MaxCapacity": 10, "ScalableDimension": "ecs:service:DesiredCount"}}),
        );
        svc.all_resources(
            "AWS::ApplicationAutoScaling::ScalingPolicy",
            json!({"Properties": {"TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 70.0, "ScaleOutCooldown": 60, "ScaleInCooldown": 300,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}}}),
        );
        svc.resource_count_is("AWS::CloudWatch::Alarm", 18);
        for metric in ["CPUUtilization", "MemoryUtilization"] {
            let n = svc.find_resources(
                "AWS::CloudWatch::Alarm",
                &json!({"Namespace": "AWS/ECS", "MetricName": metric, "AlarmActions": [{"Ref": ANY}]}),
            );
            assert_eq!(n.len(), 9, "{env}: one {metric} alarm per service");
        }
        svc.has_resource_properties(
            "AWS::SNS::Subscription",
            json!({"Protocol": "email", "Endpoint": "oncall@portal.example.com"}),
        );
    }
}

#[test]
fn prod_on_demand_dev_and_staging_spot() {
    for (env, provider) in [("dev", "FARGATE_SPOT"), ("staging", "FARGATE_SPOT"), ("prod", "FARGATE")] {
        let (_, svc, _) = stacks(env);
        svc.all_resources(
            "AWS::ECS::Service",
            json!({"Properties": {"CapacityProviderStrategy": [{"CapacityProvider": provider, "Weight": 1}]}}),
        );
    }
}

#[test]
fn postgres_multi_az_in_prod_with_secrets_manager() {
    for (env, multi_az) in [("dev", false), ("staging", false), ("prod", true)] {
        let (_, svc, _) = stacks(env);
        svc.has_resource_properties(
            "AWS::RDS::DBInstance",
            json!({"Engine": "postgres", "MultiAZ": multi_az, "DBInstanceClass": "db.t4g.micro", "StorageEncrypted": true, "PubliclyAccessible": false}),
        );
        svc.has_resource_properties(
            "AWS::SecretsManager::SecretTargetAttachment",
            json!({"TargetType": "AWS::RDS::DBInstance"}),
        );
        for (name, _, _, _) in SERVICES {
            let c = container(&svc, name);
            let secrets: Vec<&str> =
                c["Secrets"].as_array().into_iter().flatten().filter_map(|s| s["Name"].as_str()).collect();
            let db = ["order", "customer", "inventory", "returns", "analytics"].contains(&name);
            assert_eq!(secrets.contains(&"DATABASE_URL"), db, "{env} {name}: DATABASE_URL where applicable");
            assert_eq!(secrets.contains(&"OPENAI_API_KEY"), name == "chatbot", "{env} {name}");
            for e in c["Environment"].as_array().into_iter().flatten() {
                assert!(!["DATABASE_URL", "OPENAI_API_KEY"].contains(&e["Name"].as_str().unwrap()), "secret in env");
            }
        }
        // only the five database services reach the database
        let db_ingress = svc.find_resources("AWS::EC2::SecurityGroupIngress", &json!({"FromPort": 5432}));
        assert_eq!(db_ingress.len(), 5, "{env}");
    }
}

#[test]
fn frontend_bucket_behind_cloudfront_with_origin_access() {
    for env in ENVS {
        let (_, _, fe) = stacks(env);
        fe.resource_count_is("AWS::CloudFront::Distribution", 1);
        fe.resource_count_is("AWS::CloudFront::OriginAccessControl", 1);
        fe.has_resource_properties(
            "AWS::S3::Bucket",
            json!({"PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true}}),
        );
        fe.has_resource_properties(
            "AWS::CloudFront::Distribution",
            json!({"DistributionConfig": {
                "DefaultRootObject": "index.html",
                "DefaultCacheBehavior": {"ViewerProtocolPolicy": "redirect-to-https", "TargetOriginId": "Origin1"},
                "CacheBehaviors": [{"PathPattern": "/api/*", "TargetOriginId": "Origin2"}],
                "Origins": [{"Id": "Origin1", "OriginAccessControlId": ANY},
                            {"Id": "Origin2", "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"}}],
                "Logging": {"Bucket": ANY}}}),
        );
        let policies = fe.find_resources("AWS::S3::BucketPolicy", &json!({}));
        let text = policies.iter().map(|(_, p)| p.to_string()).collect::<String>();
        assert!(text.contains("cloudfront.amazonaws.com") && text.contains("AWS:SourceArn"), "{env}");
    }
    // prod: certificate and web ACL from the us-east-1 Edge stack, read across regions
    let from_edge = |output: &str| json!({"Fn::GetStackOutput": {"StackName": "order-portal-prod-Edge", "Region": "us-east-1", "OutputName": output}});
    let (_, _, fe) = stacks("prod");
    fe.has_resource_properties(
        "AWS::CloudFront::Distribution",
        json!({"DistributionConfig": {"Aliases": ["portal.example.com"],
               "WebACLId": from_edge("ExportsOutputFnGetAttWebAcl6D76FBE4Arn02BCBE9D"),
               "ViewerCertificate": {"AcmCertificateArn": from_edge("ExportsOutputRefCertificate38CC326D0453D903"),
                                     "MinimumProtocolVersion": "TLSv1.2_2021", "SslSupportMethod": "sni-only"}}}),
    );
    for ty in ["A", "AAAA"] {
        fe.has_resource_properties(
            "AWS::Route53::RecordSet",
            json!({"Name": "portal.example.com.", "Type": ty, "HostedZoneId": from_edge("ExportsOutputRefZone1E073BBCD423FC5D"),
                   "AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": {"Fn::GetAtt": [ANY, "DomainName"]}}}),
        );
    }
    for env in ["dev", "staging"] {
        let (_, _, fe) = stacks(env);
        fe.resource_count_is("AWS::Route53::RecordSet", 0);
        fe.has_resource_properties(
            "AWS::CloudFront::Distribution",
            json!({"DistributionConfig": {"Aliases": ABSENT, "WebACLId": ABSENT,
                   "ViewerCertificate": {"CloudFrontDefaultCertificate": true}}}),
        );
    }
}

#[test]
fn edge_stack_in_us_east_1_with_zone_certificate_and_web_acl() {
    for (env, domain) in
        [("dev", "dev.portal.example.com"), ("staging", "staging.portal.example.com"), ("prod", "portal.example.com")]
    {
        let a = synth(env);
        let edge = a.stacks.iter().find(|s| s.id == "Edge").expect("an Edge stack");
        assert_eq!(edge.region.as_deref(), Some("us-east-1"), "{env}");
        // the zone (all environments) and CloudFront's certificate and web ACL (prod) deploy first
        let after_edge = |id: &str| a.stacks.iter().any(|s| s.id == id && s.dependencies.iter().any(|d| d == "Edge"));
        assert!(after_edge("Services"), "{env}: Services after Edge");
        assert_eq!(after_edge("Frontend"), env == "prod", "{env}: Frontend after Edge");
        let t = Template::from_stack(&a, "Edge");
        t.has_resource_properties("AWS::Route53::HostedZone", json!({"Name": format!("{domain}.")}));
        let prod = env == "prod";
        t.resource_count_is("AWS::CertificateManager::Certificate", usize::from(prod));
        t.resource_count_is("AWS::WAFv2::WebACL", usize::from(prod));
    }
    let t = Template::from_stack(&synth("prod"), "Edge");
    t.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        json!({"DomainName": "portal.example.com", "ValidationMethod": "DNS",
               "DomainValidationOptions": [{"DomainName": "portal.example.com", "HostedZoneId": {"Ref": ANY}}]}),
    );
    let group = |name: &str, priority: u32| {
        json!({"Name": name, "Priority": priority, "OverrideAction": {"None": {}},
               "Statement": {"ManagedRuleGroupStatement": {"Name": name, "VendorName": "AWS"}}})
    };
    t.has_resource_properties(
        "AWS::WAFv2::WebACL",
        json!({"Scope": "CLOUDFRONT", "DefaultAction": {"Allow": {}}, "Rules": [
            group("AWSManagedRulesCommonRuleSet", 0),
            group("AWSManagedRulesKnownBadInputsRuleSet", 1),
            group("AWSManagedRulesAmazonIpReputationList", 2),
            {"Name": "RateLimitPerIp", "Priority": 3, "Action": {"Block": {}},
             "Statement": {"RateBasedStatement": {"AggregateKeyType": "IP", "Limit": 2000}}}]}),
    );
}

#[test]
fn load_balancer_reachable_only_through_cloudfront() {
    for env in ENVS {
        let (_, svc, fe) = stacks(env);
        // no ingress from the internet: only CloudFront's origin-facing prefix list, on 443
        let open = svc.find_resources("AWS::EC2::SecurityGroupIngress", &json!({"CidrIp": "0.0.0.0/0"}));
        assert!(open.is_empty(), "{env}: {open:?}");
        svc.resource_count_is("AWS::ElasticLoadBalancingV2::Listener", 1);
        svc.has_resource_properties(
            "AWS::EC2::SecurityGroupIngress",
            json!({"FromPort": 443, "ToPort": 443, "IpProtocol": "tcp",
                   "SourcePrefixListId": {"Fn::FindInMap": [ANY, {"Ref": "AWS::Region"}, "PrefixListId"]}}),
        );
        let mappings = &svc.to_json()["Mappings"];
        let map = mappings.as_object().unwrap().iter().find(|(k, _)| k.ends_with("CloudFrontOriginFacing")).unwrap().1;
        assert_eq!(map["us-east-1"]["PrefixListId"], "pl-3b927c52");
        assert_eq!(map["eu-central-1"]["PrefixListId"], "pl-a3a144ca");
        // requests without the origin-verify header get a 403; no rule forwards without it
        svc.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::Listener",
            json!({"Protocol": "HTTPS", "DefaultActions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "403"}}]}),
        );
        let header = json!({"Fn::Sub": ["{{resolve:secretsmanager:${SecretArn}:SecretString}}", {"SecretArn": ANY}]});
        let rules = svc.find_resources("AWS::ElasticLoadBalancingV2::ListenerRule", &json!({}));
        assert_eq!(rules.len(), 10, "{env}: nine services and the 404 fallback");
        for (id, r) in &rules {
            let conds = r["Properties"]["Conditions"].as_array().unwrap();
            let verified = conds.iter().any(|c| {
                c["Field"] == "http-header"
                    && c["HttpHeaderConfig"]["HttpHeaderName"] == "X-Origin-Verify"
                    && c["HttpHeaderConfig"]["Values"][0]["Fn::Sub"][0] == header["Fn::Sub"][0]
            });
            assert!(verified, "{env}: rule {id} forwards without the origin-verify header");
        }
        svc.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::ListenerRule",
            json!({"Priority": 50000, "Actions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]}),
        );
        svc.has_resource_properties(
            "AWS::SecretsManager::Secret",
            json!({"GenerateSecretString": {"PasswordLength": 64, "ExcludePunctuation": true}, "KmsKeyId": ANY}),
        );
        // CloudFront sends the header, read from the secret at deploy
        fe.has_resource_properties(
            "AWS::CloudFront::Distribution",
            json!({"DistributionConfig": {"Origins": [{"Id": "Origin1"}, {"Id": "Origin2", "DomainName": format!("origin.{}", if env == "prod" { "portal.example.com".to_string() } else { format!("{env}.portal.example.com") }),
                   "OriginCustomHeaders": [{"HeaderName": "X-Origin-Verify", "HeaderValue": {"Fn::Sub": [header["Fn::Sub"][0].clone(), {"SecretArn": {"Fn::ImportValue": ANY}}]}}]}]}}),
        );
    }
}

#[test]
fn production_is_protected() {
    for (env, protected) in [("dev", false), ("staging", false), ("prod", true)] {
        let a = synth(env);
        assert!(a.stacks.iter().all(|s| s.termination_protection == protected), "{env}");
    }
}

#[test]
fn a_tenth_service_is_one_row() {
    let mut envs = order_portal::environments();
    let mut cfg = serde_json::to_value(&envs.get("dev").unwrap().config).unwrap();
    let row = json!({"name": "loyalty", "port": 8009, "cpu": 256, "memory_mib": 512, "path": "/api/loyalty*", "database": true, "secrets": []});
    cfg["services"].as_array_mut().unwrap().insert(0, row);
    envs.load_config("dev", &cfg.to_string()).unwrap();
    let a = synth_env("order-portal", envs.get("dev").unwrap(), order_portal::build).unwrap();
    Template::from_stack(&a, "Services").resource_count_is("AWS::ECS::Service", 10);
    // a catch-all before specific routes is rejected, naming both rules
    cfg["services"].as_array_mut().unwrap()[0]["path"] = json!("/api/*");
    envs.load_config("dev", &cfg.to_string()).unwrap();
    let e = synth_env("order-portal", envs.get("dev").unwrap(), order_portal::build).unwrap_err().to_string();
    assert!(e.contains("rule 'Services/Alb/Https/order' (priority 20) can never match: rule 'Services/Alb/Https/loyalty' (priority 10)"), "{e}");
}

#[test]
fn templates_pass_cfn_lint_and_checkov() {
    for env in ENVS {
        let a = synth(env);
        stackcraft_testing::assert_cfn_lint_clean(&a);
        stackcraft_testing::assert_checkov_clean(&a);
    }
}
