//! The architecture graph from a small two-stack fixture.

use std::collections::BTreeMap;

use serde_json::json;
use stackcraft_review::graph::{build, EdgeKind};
use stackcraft_review::{Snapshot, StackSnapshot};

fn fixture() -> Snapshot {
    let network = json!({
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "VpcPrivateSubnet1": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}}}
        },
        "Outputs": {"Sub": {"Value": {"Ref": "VpcPrivateSubnet1"}, "Export": {"Name": "net:PrivateSubnet1"}}}
    });
    let api = json!({"Resources": {
        "SvcSg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "svc"}},
        "Svc": {"Type": "AWS::ECS::Service", "Properties": {"NetworkConfiguration": {"AwsvpcConfiguration": {
            "Subnets": [{"Fn::ImportValue": "net:PrivateSubnet1"}], "SecurityGroups": [{"Fn::GetAtt": ["SvcSg", "GroupId"]}]}}}},
        "DbSg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "db"}},
        "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBInstanceClass": "db.t4g.micro"}},
        "DbIngress": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"GroupId": {"Fn::GetAtt": ["DbSg", "GroupId"]},
            "SourceSecurityGroupId": {"Fn::GetAtt": ["SvcSg", "GroupId"]}, "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432}},
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Sub": {"Type": "AWS::SNS::Subscription", "Properties": {"Protocol": "sqs", "TopicArn": {"Ref": "Topic"},
            "Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]}}},
        "Rule": {"Type": "AWS::Events::Rule", "Properties": {"Targets": [{"Id": "q", "Arn": {"Fn::GetAtt": ["Queue", "Arn"]}}]}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": {"Fn::GetAtt": ["Queue", "Arn"]}}]}}]}}
    }});
    let mut s = Snapshot::default();
    for (id, t) in [("Network", network), ("Api", api)] {
        s.stacks.push(StackSnapshot {
            id: id.into(),
            stack_name: id.into(),
            template: t,
            termination_protection: false,
            tags: BTreeMap::new(),
            region: None,
        });
    }
    for (stack, lid, path) in [
        ("Network", "Vpc", "Network/Vpc"),
        ("Network", "VpcPrivateSubnet1", "Network/Vpc/PrivateSubnet1/Subnet"),
        ("Api", "Svc", "Api/Service"),
        ("Api", "SvcSg", "Api/Service/SecurityGroup"),
        ("Api", "Db", "Api/Database"),
        ("Api", "DbSg", "Api/Database/SecurityGroup"),
        ("Api", "DbIngress", "Api/Database/SecurityGroup/IngressFromService"),
        ("Api", "Queue", "Api/Orders"),
        ("Api", "Topic", "Api/Alerts"),
        ("Api", "Sub", "Api/Alerts/ToOrders"),
        ("Api", "Rule", "Api/OnOrder"),
        ("Api", "Role", "Api/Worker/Role"),
    ] {
        s.paths.insert((stack.into(), lid.into()), path.into());
    }
    s
}

#[test]
fn blocks_edges_and_tiers() {
    let g = build(&fixture(), false);
    let nodes: Vec<(&str, &str)> = g.nodes.iter().map(|n| (n.path.as_str(), n.tier.as_str())).collect();
    assert_eq!(
        nodes,
        [
            ("Api/Alerts", ""),
            ("Api/Database", ""),
            ("Api/OnOrder", ""),
            ("Api/Orders", ""),
            ("Api/Service", "private"),
            ("Api/Worker", ""),
            ("Network/Vpc", ""),
        ]
    );
    let edges: Vec<(&str, &str, EdgeKind, &str)> =
        g.edges.iter().map(|e| (e.from.as_str(), e.to.as_str(), e.kind, e.label.as_str())).collect();
    assert_eq!(
        edges,
        [
            ("Api/Alerts", "Api/Orders", EdgeKind::Event, "subscription"),
            ("Api/OnOrder", "Api/Orders", EdgeKind::Event, "event"),
            ("Api/Service", "Api/Database", EdgeKind::Connection, "tcp 5432"),
            ("Api/Service", "Network/Vpc", EdgeKind::Import, "import"),
            ("Api/Worker", "Api/Orders", EdgeKind::Grant, "read/write"),
        ]
    );
}

#[test]
fn mermaid_and_dot_are_deterministic_and_grouped() {
    let g = build(&fixture(), false);
    let m = g.to_mermaid();
    assert_eq!(m, build(&fixture(), false).to_mermaid());
    assert!(m.starts_with("flowchart LR\n  subgraph stack_Api[\"Stack Api\"]\n"), "{m}");
    assert!(
        m.contains(
            "    subgraph Api_private[\"private subnets\"]\n      Api_Service[\"Service<br/>Service\"]\n    end\n"
        ),
        "{m}"
    );
    assert!(m.contains("  Api_Service -->|\"tcp 5432\"| Api_Database\n"), "{m}");
    assert!(m.contains("  Api_OnOrder ==>|\"event\"| Api_Orders\n"), "{m}");
    let d = g.to_dot();
    assert!(
        d.contains("subgraph cluster_Api {")
            && d.contains("Api_Worker -> Api_Orders [label=\"read/write\", style=dashed];"),
        "{d}"
    );
}

#[test]
fn expanded_view_has_one_node_per_resource() {
    let g = build(&fixture(), true);
    assert_eq!(g.nodes.len(), 12);
}

#[test]
fn svg_has_every_node_edge_label_and_a_legend() {
    let g = build(&fixture(), false);
    let svg = g.to_svg();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    for text in [
        "Stack Network",
        "Stack Api",
        "private subnets",
        ">Service<",
        ">Database<",
        ">tcp 5432<",
        ">read/write<",
        ">event<",
        "cross-stack import",
    ] {
        assert!(svg.contains(text), "{text}");
    }
    assert_eq!(svg, build(&fixture(), false).to_svg(), "deterministic");
}
