//! CloudFront in front of a load balancer nobody else can reach
//! ([`AlbOrigin`]), and the certificate and web ACL from a us-east-1 stack
//! ([`EdgeStack`]): exact resources, snapshots, cfn-lint and checkov, bad
//! input with paths and properties.

use stackcraft_alb::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, CertificateProps, HostedZone, HostedZoneProps,
    ListenerAction,
};
use stackcraft_core::assertions::{Template, ANY};
use stackcraft_core::serde_json::{json, Value as Json};
use stackcraft_core::{App, Assembly, EnvInfo};
use stackcraft_data::BucketEncryption;
use stackcraft_edge::*;
use stackcraft_vpc::{Vpc, VpcProps};

mod support;
use support::{log_bucket, site_bucket, unlogged_site_bucket};

/// Edge (us-east-1: zone, certificate, web ACL), Services (ALB), Frontend
/// (bucket + distribution); `region` pins the environment.
fn portal(region: Option<&str>) -> Assembly {
    let app = App::new("portal");
    let mut env = EnvInfo::new("prod", true);
    if let Some(r) = region {
        env = env.region(r);
    }
    app.set_env(env);
    stackcraft_policy::install_default(&app);
    let edge = EdgeStack::new(&app, "Edge");
    let zone =
        HostedZone::new(edge.stack(), "Zone", HostedZoneProps::builder().zone_name("portal.example.com").build());
    let cert = edge.add_certificate(
        "Certificate",
        CertificateProps::builder().domain_name("portal.example.com").validation_zone(zone.clone()).build(),
    );
    let acl = edge.add_web_acl("WebAcl", WebAclProps::builder().rate_limit(1000).build());

    let svc = app.stack("Services");
    let vpc = Vpc::new(&svc, "Vpc", VpcProps::builder().az_count(2).build());
    let alb = ApplicationLoadBalancer::new(&svc, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc).build());
    alb.handle().acknowledge("alb.access-logs", "a test load balancer, nothing to audit");
    let alb_cert = stackcraft_alb::Certificate::new(
        &svc,
        "OriginCertificate",
        CertificateProps::builder().domain_name("origin.portal.example.com").validation_zone(zone.clone()).build(),
    );
    let listener = alb.add_https_listener(
        "Https",
        alb_cert.arn(),
        ListenerAction::fixed_response(404, "application/json", "{\"detail\":\"Not Found\"}"),
    );
    alb.add_alias_records(&zone, &["origin"]);

    let fe = app.stack("Frontend");
    let logs = log_bucket(&fe);
    let site = site_bucket(&fe, &logs, BucketEncryption::default());
    Distribution::new(
        &fe,
        "Cdn",
        DistributionProps::builder()
            .default_behavior(Behavior::s3(&site))
            .behaviors(vec![("/api/*".into(), Behavior::api(AlbOrigin::new(&listener, "origin.portal.example.com")))])
            .domain_names(vec!["portal.example.com".into()])
            .certificate(cert)
            .web_acl(acl)
            .logging(DistributionLogging { bucket: logs, prefix: "cloudfront/".into() })
            .build(),
    );
    app.synth().unwrap_or_else(|e| panic!("{e}"))
}

fn resources<'a>(t: &'a Json, ty: &str) -> Vec<(&'a String, &'a Json)> {
    t["Resources"].as_object().unwrap().iter().filter(|(_, r)| r["Type"] == ty).collect()
}

const DYNAMIC: &str = "{{resolve:secretsmanager:${SecretArn}:SecretString}}";

#[test]
fn alb_origin_admits_only_cloudfront() {
    let a = portal(None);
    let svc = Template::from_stack(&a, "Services");
    // the security group: only CloudFront's origin-facing prefix list, on 443, resolved per region
    assert!(svc.find_resources("AWS::EC2::SecurityGroupIngress", &json!({"CidrIp": ANY})).is_empty());
    svc.resource_count_is("AWS::EC2::SecurityGroupIngress", 1);
    svc.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
               "Description": "Allow CloudFront (origin-facing prefix list) to listener port 443",
               "SourcePrefixListId": {"Fn::FindInMap": ["ServicesAlbHttpsCloudFrontOriginFacing", {"Ref": "AWS::Region"}, "PrefixListId"]}}),
    );
    let map = &svc.to_json()["Mappings"]["ServicesAlbHttpsCloudFrontOriginFacing"];
    assert_eq!(map.as_object().unwrap().len(), CLOUDFRONT_ORIGIN_FACING.len());
    assert_eq!(map["us-east-1"], json!({"PrefixListId": "pl-3b927c52"}));
    // the listener: 403 without the header; the former default behind the header at 50000
    svc.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({"DefaultActions": [{"Type": "fixed-response",
               "FixedResponseConfig": {"StatusCode": "403", "ContentType": "text/plain", "MessageBody": "Forbidden"}}]}),
    );
    let header = json!({"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Origin-Verify",
        "Values": [{"Fn::Sub": [DYNAMIC, {"SecretArn": {"Ref": ANY}}]}]}});
    svc.resource_count_is("AWS::ElasticLoadBalancingV2::ListenerRule", 1);
    svc.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        json!({"Priority": 50000, "Conditions": [header],
               "Actions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]}),
    );
    svc.has_resource_properties(
        "AWS::SecretsManager::Secret",
        json!({"GenerateSecretString": {"PasswordLength": 64, "ExcludePunctuation": true, "IncludeSpace": false},
               "KmsKeyId": ANY}),
    );
    // CloudFront sends it, HTTPS only
    let fe = Template::from_stack(&a, "Frontend");
    fe.has_resource_properties(
        "AWS::CloudFront::Distribution",
        json!({"DistributionConfig": {"Origins": [{"Id": "Origin1"}, {"Id": "Origin2",
            "DomainName": "origin.portal.example.com",
            "CustomOriginConfig": {"OriginProtocolPolicy": "https-only", "OriginSSLProtocols": ["TLSv1.2"], "HTTPSPort": 443},
            "OriginCustomHeaders": [{"HeaderName": "X-Origin-Verify",
                "HeaderValue": {"Fn::Sub": [DYNAMIC, {"SecretArn": {"Fn::ImportValue": ANY}}]}}]}]}}),
    );
}

#[test]
fn rules_added_after_the_origin_require_the_header_too() {
    let app = App::new("t");
    let stack = app.stack("S");
    let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().az_count(2).build());
    let alb =
        ApplicationLoadBalancer::new(&stack, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).build());
    let l = alb.add_https_listener(
        "Https",
        "arn:aws:acm:us-east-1:111122223333:certificate/x",
        ListenerAction::fixed_response(403, "text/plain", "no"),
    );
    l.require_header("X-Verify", stackcraft_core::Value::<String>::sub("{{resolve:secretsmanager:s}}"));
    let tg = stackcraft_alb::TargetGroup::new(
        &stack,
        "Tg",
        stackcraft_alb::TargetGroupProps::builder().vpc(vpc).port(80).build(),
    );
    l.add_target_group("Api", vec![stackcraft_alb::ListenerCondition::path_patterns(["/api/*"])], &tg);
    let a = app.synth().unwrap();
    let t = Template::from_stack(&a, "S");
    // a 403 default needs no fallback rule; the new rule carries both conditions
    t.resource_count_is("AWS::ElasticLoadBalancingV2::ListenerRule", 1);
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        json!({"Priority": 10, "Conditions": [{"Field": "path-pattern"}, {"Field": "http-header",
            "HttpHeaderConfig": {"HttpHeaderName": "X-Verify", "Values": [{"Fn::Sub": "{{resolve:secretsmanager:s}}"}]}}]}),
    );
}

#[test]
fn known_region_gets_the_literal_prefix_list() {
    let a = portal(Some("eu-central-1"));
    let svc = Template::from_stack(&a, "Services");
    svc.has_resource_properties("AWS::EC2::SecurityGroupIngress", json!({"SourcePrefixListId": "pl-a3a144ca"}));
    assert!(svc.to_json().get("Mappings").is_none_or(|m| m.get("ServicesAlbHttpsCloudFrontOriginFacing").is_none()));
}

#[test]
fn certificate_and_web_acl_come_from_the_us_east_1_stack() {
    let a = portal(None);
    let edge = a.stacks.iter().find(|s| s.id == "Edge").unwrap();
    assert_eq!(edge.region.as_deref(), Some("us-east-1"));
    let t = &edge.template;
    let (acl_id, acl) = resources(t, "AWS::WAFv2::WebACL")[0];
    let names: Vec<&str> =
        acl["Properties"]["Rules"].as_array().unwrap().iter().map(|r| r["Name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "AWSManagedRulesCommonRuleSet",
            "AWSManagedRulesKnownBadInputsRuleSet",
            "AWSManagedRulesAmazonIpReputationList",
            "RateLimitPerIp"
        ]
    );
    assert_eq!(acl["Properties"]["Scope"], "CLOUDFRONT");
    assert_eq!(
        acl["Properties"]["Rules"][3]["Statement"]["RateBasedStatement"],
        json!({"AggregateKeyType": "IP", "Limit": 1000})
    );
    let fe = Template::from_stack(&a, "Frontend");
    let from_edge = |out: String| json!({"Fn::GetStackOutput": {"StackName": "portal-prod-Edge", "Region": "us-east-1", "OutputName": out}});
    let cert_id = resources(t, "AWS::CertificateManager::Certificate")[0].0;
    let cert_out = t["Outputs"].as_object().unwrap().keys().find(|k| k.contains(cert_id.as_str())).unwrap().clone();
    let acl_out = t["Outputs"].as_object().unwrap().keys().find(|k| k.contains(acl_id.as_str())).unwrap().clone();
    fe.has_resource_properties(
        "AWS::CloudFront::Distribution",
        json!({"DistributionConfig": {"Aliases": ["portal.example.com"], "WebACLId": from_edge(acl_out),
               "ViewerCertificate": {"AcmCertificateArn": from_edge(cert_out), "SslSupportMethod": "sni-only",
                                     "MinimumProtocolVersion": "TLSv1.2_2021"}}}),
    );
    assert!(a.stacks.iter().find(|s| s.id == "Frontend").unwrap().dependencies.contains(&"Edge".to_string()));
}

#[test]
fn snapshots() {
    let a = portal(None);
    for s in &a.stacks {
        insta::assert_json_snapshot!(format!("portal_{}", s.id.to_lowercase()), s.template);
    }
}

#[test]
fn cfn_lint_and_checkov_clean() {
    for region in [None, Some("eu-central-1")] {
        let a = portal(region);
        stackcraft_testing::assert_cfn_lint_clean(&a);
        stackcraft_testing::assert_checkov_clean(&a);
    }
}

#[test]
fn certificate_or_web_acl_outside_us_east_1_is_an_error() {
    let app = App::new("t");
    let stack = app.stack("Web"); // not pinned
    let zone = HostedZone::from_attributes("Z1", "example.com");
    let cert = stackcraft_alb::Certificate::new(
        &stack,
        "Cert",
        CertificateProps::builder().domain_name("www.example.com").validation_zone(zone).build(),
    );
    let acl = WebAcl::new(&stack.clone().in_region("eu-west-1"), "Acl", WebAclProps::builder().rate_limit(10).build());
    let site = unlogged_site_bucket(&stack);
    Distribution::new(
        &stack,
        "Cdn",
        DistributionProps::builder()
            .default_behavior(Behavior::s3(&site))
            .domain_names(vec!["www.example.com".into()])
            .certificate(cert)
            .web_acl(acl)
            .no_logging_reason("test")
            .build(),
    );
    let e = app.synth().unwrap_err().to_string();
    for needle in [
        "error: Web/Cdn [ViewerCertificate]: certificate Web/Cert/Resource is in a stack of region eu-west-1: CloudFront only uses ACM certificates from us-east-1; create it in a stack pinned there (EdgeStack::add_certificate)",
        "error: Web/Acl [Scope]: a CLOUDFRONT web ACL must be created in us-east-1, this stack's region is eu-west-1; create it in a stack pinned with in_region(\"us-east-1\") (EdgeStack::new)",
        "error: Web/Acl [Rules]: rate limit 10: allowed 100 to 2000000000 requests per 5 minutes",
        "error: Web/Cdn [WebACLId]: web ACL Web/Acl/Resource is not in a us-east-1 stack",
    ] {
        assert!(e.contains(needle), "expected {needle:?} in\n{e}");
    }
}

#[test]
fn alb_origin_misuse_is_an_error() {
    let app = App::new("t");
    app.set_env(EnvInfo::new("dev", false).region("mx-central-9"));
    let stack = app.stack("S");
    let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().az_count(2).build());
    let public =
        ApplicationLoadBalancer::new(&stack, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).build());
    let http = public.add_http_listener("Http", ListenerAction::fixed_response(404, "text/plain", "no"));
    let internal = ApplicationLoadBalancer::new(
        &stack,
        "Internal",
        ApplicationLoadBalancerProps::builder().vpc(vpc).internet_facing(false).build(),
    );
    let https = internal.add_https_listener(
        "Https",
        "arn:aws:acm:mx-central-9:111122223333:certificate/x",
        ListenerAction::fixed_response(404, "text/plain", "no"),
    );
    let site = unlogged_site_bucket(&stack);
    Distribution::new(
        &stack,
        "Cdn",
        DistributionProps::builder()
            .default_behavior(Behavior::s3(&site))
            .behaviors(vec![
                ("/a/*".into(), Behavior::api(AlbOrigin::new(&http, "a.example.com"))),
                ("/b/*".into(), Behavior::api(AlbOrigin::new(&https, "b.example.com").header_name("Bad Header"))),
            ])
            .no_web_acl_reason("test")
            .no_logging_reason("test")
            .build(),
    );
    let e = app.synth().unwrap_err().to_string();
    for needle in [
        "error: S/Cdn [Origins]: load balancer origin S/Alb/Http: CloudFront connects with HTTPS only; give an HTTPS listener",
        "error: S/Cdn [Origins]: load balancer origin S/Internal/Https: the load balancer is internal; CloudFront reaches only internet-facing load balancers",
        "error: S/Alb/Http [SourcePrefixListId]: no known id of CloudFront's origin-facing prefix list in mx-central-9 (known: ap-northeast-1,",
        "error: S/Internal/Https [Conditions]: header name \"Bad Header\": 1 to 40 characters of letters, digits and !#$%&'*+-.^_`|~ (RFC 7230 token)",
    ] {
        assert!(e.contains(needle), "expected {needle:?} in\n{e}");
    }
}
