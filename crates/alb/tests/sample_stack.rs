//! The PyShop web tier as a sample stack: VPC (exact PyShop CIDRs, NAT per
//! zone), internet-facing ALB with HTTPS (DNS-validated certificate) and an
//! HTTP→HTTPS redirect, a Fargate (IP) target group behind path/host rules,
//! and apex + www alias records. Snapshotted, and validated with cfn-lint
//! (0 errors, 0 warnings) and checkov (0 failed checks).

use stackcraft_alb::*;
use stackcraft_core::{App, Assembly};
use stackcraft_vpc::{GatewayEndpoint, InterfaceEndpoint, NatGateways, SubnetConfiguration, Vpc, VpcProps};

fn sample() -> Assembly {
    let app = App::new("pyshop");
    stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
    let stack = app.stack("Web");
    let vpc = Vpc::new(
        &stack,
        "Vpc",
        VpcProps::builder()
            .cidr("10.0.0.0/16")
            .subnets(vec![
                SubnetConfiguration::public("Public").cidrs(["10.0.1.0/24", "10.0.2.0/24"]),
                SubnetConfiguration::private_with_egress("Private").cidrs(["10.0.10.0/24", "10.0.11.0/24"]),
            ])
            .nat_gateways(NatGateways::OnePerAz)
            .gateway_endpoints(vec![GatewayEndpoint::S3])
            .interface_endpoints(vec![InterfaceEndpoint::aws("ecr.api")])
            .build(),
    );
    let zone = HostedZone::new(&stack, "Zone", HostedZoneProps::builder().zone_name("pyshop.example.com").build());
    let cert = Certificate::new(
        &stack,
        "Certificate",
        CertificateProps::builder()
            .domain_name("pyshop.example.com")
            .subject_alternative_names(vec!["www.pyshop.example.com".into()])
            .validation_zone(zone.clone())
            .build(),
    );
    let alb =
        ApplicationLoadBalancer::new(&stack, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).build());
    let tg = TargetGroup::new(
        &stack,
        "Api",
        TargetGroupProps::builder()
            .vpc(vpc.clone())
            .port(8000)
            .health_check(
                HealthCheck::builder()
                    .path("/healthz")
                    .healthy_http_codes("200-299")
                    .interval_secs(15)
                    .healthy_threshold(2)
                    .unhealthy_threshold(3)
                    .build(),
            )
            .build(),
    );
    let https = alb.add_https_listener(
        "Https",
        cert.arn(),
        ListenerAction::fixed_response(404, "application/json", "{\"detail\":\"Not Found\"}"),
    );
    https.add_target_group("ApiRoute", vec![ListenerCondition::path_patterns(["/api/*", "/healthz"])], &tg);
    https.add_rule(
        "WwwRedirect",
        ListenerRuleProps::builder()
            .conditions(vec![ListenerCondition::host_headers(["www.pyshop.example.com"])])
            .action(ListenerAction::Redirect(Redirect {
                host: Some("pyshop.example.com".into()),
                permanent: true,
                ..Redirect::default()
            }))
            .build(),
    );
    alb.redirect_http_to_https("Http");
    alb.add_alias_records(&zone, &["", "www"]);
    assert_eq!(tg.dependables().len(), 1);
    assert_eq!(tg.load_balancers(), vec![alb.clone()]);
    app.synth().expect("sample synthesizes")
}

#[test]
fn snapshot() {
    let assembly = sample();
    insta::assert_json_snapshot!("web_stack", assembly.stacks[0].template);
}

#[test]
fn cfn_lint_clean() {
    stackcraft_testing::assert_cfn_lint_clean(&sample());
}

#[test]
fn checkov_clean() {
    stackcraft_testing::assert_checkov_clean(&sample());
}

#[test]
fn write_for_inspection() {
    if let Ok(dir) = std::env::var("STACKCRAFT_DUMP") {
        let a = sample();
        std::fs::write(format!("{dir}/Web.template.json"), a.stacks[0].template_text()).unwrap();
    }
}
