//! Synthesized VPC stacks: snapshots, cfn-lint (0 errors, 0 warnings),
//! checkov (0 failed checks) and bad-input errors with their messages.

use stackcraft_core::{App, Assembly, Value};
use stackcraft_vpc::*;

/// PyShop's network: exact CIDRs, NAT per zone, S3 gateway endpoint, ECR
/// interface endpoint, flow logs; plus a database group reachable from the
/// app group only.
fn pyshop() -> Assembly {
    let app = App::new("pyshop");
    stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
    let stack = app.stack("Network");
    let vpc = Vpc::new(
        &stack,
        "Vpc",
        VpcProps::builder()
            .subnets(vec![
                SubnetConfiguration::public("Public").cidrs(["10.0.1.0/24", "10.0.2.0/24"]),
                SubnetConfiguration::private_with_egress("Private").cidrs(["10.0.10.0/24", "10.0.11.0/24"]),
            ])
            .gateway_endpoints(vec![GatewayEndpoint::S3, GatewayEndpoint::DynamoDb])
            .interface_endpoints(vec![InterfaceEndpoint::aws("ecr.api")])
            .build(),
    );
    let app_sg = SecurityGroup::new(
        &stack,
        "AppSg",
        SecurityGroupProps::builder().vpc(vpc.clone()).description("PyShop API tasks").build(),
    );
    let db_sg = SecurityGroup::new(
        &stack,
        "DbSg",
        SecurityGroupProps::builder().vpc(vpc.clone()).description("PyShop database").allow_all_outbound(false).build(),
    );
    let db = Connections::new(vec![db_sg], Some(Port::tcp(5432)));
    db.allow_default_port_from(&app_sg);
    db.allow_default_port_from(&app_sg); // idempotent
    assert_eq!(vpc.subnet_ids(SubnetType::PrivateWithEgress).len(), 2);
    app.synth().expect("synth")
}

/// Carved tiers over three zones, a single NAT, an isolated tier, flow logs
/// to S3.
fn carved() -> Assembly {
    let app = App::new("carved");
    stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
    let stack = app.stack("Net");
    Vpc::new(
        &stack,
        "Vpc",
        VpcProps::builder()
            .cidr("172.16.0.0/20")
            .az_count(3)
            .subnets(vec![
                SubnetConfiguration::public("Ingress").cidr_mask(26),
                SubnetConfiguration::private_with_egress("App"),
                SubnetConfiguration::isolated("Data").cidr_mask(24),
            ])
            .nat_gateways(NatGateways::Single)
            .flow_logs(Some(FlowLogs {
                destination: FlowLogDestination::S3 { bucket_arn: Value::arn("s3", "", "", "flow-log-bucket") },
                traffic_type: TrafficType::Reject,
            }))
            .build(),
    );
    app.synth().expect("synth")
}

fn resources_of(a: &Assembly, ty: &str) -> Vec<serde_json::Value> {
    a.stacks[0].template["Resources"].as_object().unwrap().values().filter(|r| r["Type"] == ty).cloned().collect()
}

#[test]
fn pyshop_snapshot() {
    insta::assert_json_snapshot!("pyshop_network", pyshop().stacks[0].template);
}

#[test]
fn carved_snapshot() {
    insta::assert_json_snapshot!("carved_network", carved().stacks[0].template);
}

#[test]
fn pyshop_shape() {
    let a = pyshop();
    let mut cidrs: Vec<String> = resources_of(&a, "AWS::EC2::Subnet")
        .iter()
        .map(|s| s["Properties"]["CidrBlock"].as_str().unwrap().to_owned())
        .collect();
    cidrs.sort();
    assert_eq!(cidrs, ["10.0.1.0/24", "10.0.10.0/24", "10.0.11.0/24", "10.0.2.0/24"]);
    assert_eq!(resources_of(&a, "AWS::EC2::NatGateway").len(), 2);
    assert_eq!(resources_of(&a, "AWS::EC2::EIP").len(), 2);
    assert_eq!(resources_of(&a, "AWS::EC2::RouteTable").len(), 4);
    assert_eq!(resources_of(&a, "AWS::EC2::FlowLog").len(), 1);
    // AZs are never hard-coded.
    for s in resources_of(&a, "AWS::EC2::Subnet") {
        assert!(s["Properties"]["AvailabilityZone"]["Fn::Select"][1]["Fn::GetAZs"].is_string());
    }
    // Database ingress from the app group, plus no egress rule on the app
    // group (it allows all outbound).
    let ingress = resources_of(&a, "AWS::EC2::SecurityGroupIngress");
    let db_rules: Vec<_> = ingress.iter().filter(|r| r["Properties"]["FromPort"] == 5432).collect();
    assert_eq!(db_rules.len(), 1);
    assert!(db_rules[0]["Properties"]["Description"].as_str().unwrap().contains("default port (tcp 5432)"));
    assert!(resources_of(&a, "AWS::EC2::SecurityGroupEgress").is_empty());
    // The default security group is emptied by the AWS-owned runbook.
    let assoc = resources_of(&a, "AWS::SSM::Association");
    assert_eq!(assoc.len(), 1);
    assert_eq!(assoc[0]["Properties"]["Name"], "AWSConfigRemediation-RemoveVPCDefaultSecurityGroupRules");
    assert_eq!(assoc[0]["Properties"]["Parameters"]["GroupId"][0]["Fn::GetAtt"][1], "DefaultSecurityGroup");
}

#[test]
fn carved_shape() {
    let a = carved();
    let mut cidrs: Vec<String> = resources_of(&a, "AWS::EC2::Subnet")
        .iter()
        .map(|s| s["Properties"]["CidrBlock"].as_str().unwrap().to_owned())
        .collect();
    cidrs.sort();
    assert_eq!(
        cidrs,
        [
            "172.16.0.0/26",
            "172.16.0.128/26",
            "172.16.0.64/26",
            "172.16.10.0/24",
            "172.16.2.0/23",
            "172.16.4.0/23",
            "172.16.6.0/23",
            "172.16.8.0/24",
            "172.16.9.0/24",
        ]
    );
    assert_eq!(resources_of(&a, "AWS::EC2::NatGateway").len(), 1);
    // 3 public default routes + 3 private routes to the single NAT.
    assert_eq!(resources_of(&a, "AWS::EC2::Route").len(), 6);
}

#[test]
fn cfn_lint_clean() {
    stackcraft_testing::assert_cfn_lint_clean(&pyshop());
    stackcraft_testing::assert_cfn_lint_clean(&carved());
}

#[test]
fn checkov_clean() {
    stackcraft_testing::assert_checkov_clean(&pyshop());
    stackcraft_testing::assert_checkov_clean(&carved());
}

fn errors_of(props: VpcProps) -> Vec<String> {
    let app = App::new("bad");
    let stack = app.stack("Net");
    Vpc::new(&stack, "Vpc", props);
    match app.synth() {
        Ok(_) => Vec::new(),
        Err(e) => e.to_string().lines().map(str::to_owned).collect(),
    }
}

fn assert_error(props: VpcProps, needle: &str) {
    let errors = errors_of(props);
    assert!(errors.iter().any(|e| e.contains(needle)), "expected an error containing {needle:?}, got {errors:#?}");
}

#[test]
fn bad_input_is_reported() {
    assert_error(VpcProps::builder().cidr("10.0.0.0/33").build(), "'10.0.0.0/33' is not a valid IPv4 CIDR block");
    assert_error(VpcProps::builder().cidr("10.0.0.0/8").build(), "AWS accepts /16 to /28");
    assert_error(VpcProps::builder().az_count(0).build(), "az_count 0 is not allowed; use 1 to 6");
    assert_error(VpcProps::builder().az_count(7).build(), "az_count 7 is not allowed; use 1 to 6");
    assert_error(
        VpcProps::builder()
            .subnets(vec![
                SubnetConfiguration::public("Public").cidrs(["10.0.1.0/24", "10.0.1.0/25"]),
                SubnetConfiguration::private_with_egress("Private").cidrs(["10.1.10.0/24", "10.0.11.0/24"]),
            ])
            .build(),
        "subnet 10.0.1.0/25 overlaps 10.0.1.0/24 of tier 'Public'",
    );
    assert_error(
        VpcProps::builder()
            .subnets(vec![SubnetConfiguration::public("Public").cidrs(["10.1.1.0/24", "10.0.2.0/24"])])
            .build(),
        "subnet 10.1.1.0/24 is outside the VPC range 10.0.0.0/16",
    );
    assert_error(
        VpcProps::builder()
            .cidr("10.0.0.0/24")
            .az_count(3)
            .subnets(vec![
                SubnetConfiguration::public("A").cidr_mask(26),
                SubnetConfiguration::isolated("B").cidr_mask(26),
            ])
            .build(),
        "VPC 10.0.0.0/24 is too small: no free /26 left",
    );
    assert_error(
        VpcProps::builder().subnets(vec![SubnetConfiguration::private_with_egress("Private")]).build(),
        "NAT gateways need a public subnet tier",
    );
    assert_error(
        VpcProps::builder().nat_gateways(NatGateways::None).build(),
        "private-with-egress tiers need NAT gateways",
    );
    assert_error(
        VpcProps::builder()
            .subnets(vec![SubnetConfiguration::public("Web"), SubnetConfiguration::isolated("Web")])
            .build(),
        "tier name 'Web' is used twice",
    );
    assert_error(
        VpcProps::builder()
            .flow_logs(Some(FlowLogs {
                destination: FlowLogDestination::CloudWatchLogs { retention_days: 100, kms_key_arn: None },
                traffic_type: TrafficType::All,
            }))
            .build(),
        "100 is not a CloudWatch Logs retention",
    );
    // Errors carry the construct path and the property.
    let errors = errors_of(VpcProps::builder().az_count(9).build());
    assert!(errors.iter().any(|e| e.contains("Net/Vpc") && e.contains("AzCount")), "{errors:#?}");
}

#[test]
fn isolated_only_vpc_needs_no_nat_or_igw() {
    let app = App::new("iso");
    let stack = app.stack("Net");
    let vpc = Vpc::new(
        &stack,
        "Vpc",
        VpcProps::builder()
            .subnets(vec![SubnetConfiguration::isolated("Data")])
            .nat_gateways(NatGateways::None)
            .flow_logs(None)
            .restrict_default_security_group(false)
            .build(),
    );
    assert!(vpc.internet_connectivity_established(SubnetType::Public).is_empty());
    let a = app.synth().unwrap();
    assert!(resources_of(&a, "AWS::EC2::InternetGateway").is_empty());
    assert!(resources_of(&a, "AWS::EC2::Route").is_empty());
    assert!(resources_of(&a, "AWS::SSM::Association").is_empty());
    stackcraft_testing::assert_cfn_lint_clean(&a);
}

#[test]
fn similar_cidrs_get_distinct_rules() {
    let app = App::new("cidr");
    let stack = app.stack("Net");
    let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().build());
    let sg = SecurityGroup::new(&stack, "Sg", SecurityGroupProps::builder().vpc(vpc.clone()).description("x").build());
    let c = sg.connections();
    // Same digits once the dots are dropped: must still be two rules.
    c.allow_from_cidr("1.10.0.0/16", Port::tcp(443));
    c.allow_from_cidr("11.0.0.0/16", Port::tcp(443));
    c.allow_from_cidr("10.0.0.5/16", Port::tcp(443)); // host bits: error
    let err = app.synth().unwrap_err().to_string();
    assert!(err.contains("did you mean 10.0.0.0/16"), "{err}");
    assert!(!err.contains("already a construct"), "{err}");
}
