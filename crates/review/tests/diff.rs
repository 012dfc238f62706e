//! Fixture tests of `diff`: old/new assemblies for each change kind.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};
use stackcraft_review::diff::{diff, ChangeKind, FailOn, Replacement};
use stackcraft_review::{Snapshot, StackSnapshot};

fn snap(stacks: Vec<(&str, Json)>) -> Snapshot {
    let mut s = Snapshot::default();
    for (id, template) in stacks {
        s.stacks.push(StackSnapshot {
            id: id.into(),
            stack_name: format!("app-dev-{id}"),
            template,
            termination_protection: false,
            tags: BTreeMap::new(),
            region: None,
        });
    }
    s
}

fn db(identifier: &str, class: &str) -> Json {
    json!({"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot", "Properties": {
        "DBInstanceIdentifier": identifier, "DBInstanceClass": class, "Engine": "postgres"}})
}

fn queue(name: &str) -> Json {
    json!({"Type": "AWS::SQS::Queue", "Properties": {"QueueName": name}})
}

fn topic() -> Json {
    json!({"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "alerts"}})
}

#[test]
fn unchanged_assemblies_have_no_changes() {
    let a = snap(vec![("Api", json!({"Resources": {"Db": db("x", "db.t4g.micro")}}))]);
    let r = diff(&a, &a);
    assert!(!r.has_changes());
    assert_eq!(r.summary(), Default::default());
    assert!(!r.fails(FailOn::Any));
    assert!(r.render().contains("Stack Api: no changes"));
}

#[test]
fn added_and_removed_resources() {
    let old = snap(vec![("Api", json!({"Resources": {"Old": topic()}}))]);
    let new = snap(vec![("Api", json!({"Resources": {"New": queue("q")}}))]);
    let r = diff(&old, &new);
    let s = r.summary();
    assert_eq!((s.added, s.removed, s.moved), (1, 1, 0));
    assert!(r.fails(FailOn::Any));
    assert!(!r.fails(FailOn::Replacement));
    let text = r.render();
    assert!(text.contains("+ AWS::SQS::Queue Api/New (New)"), "{text}");
    assert!(text.contains("- AWS::SNS::Topic Api/Old (Old)"), "{text}");
}

#[test]
fn in_place_modification_is_not_a_replacement() {
    let old = snap(vec![("Api", json!({"Resources": {"Db": db("x", "db.t4g.micro")}}))]);
    let new = snap(vec![("Api", json!({"Resources": {"Db": db("x", "db.t4g.small")}}))]);
    let r = diff(&old, &new);
    assert_eq!(r.summary().modified, 1);
    assert_eq!(r.summary().replaced, 0);
    let c = &r.stacks[0].resources[0];
    assert_eq!(c.properties[0].path, "DBInstanceClass");
    assert_eq!(c.replacement, Replacement::None);
    assert!(!r.fails(FailOn::Stateful));
}

#[test]
fn create_only_change_replaces_stateful_data_and_is_called_out_first() {
    let mut old = snap(vec![("Api", json!({"Resources": {"Database9194C105": db("x", "db.t4g.micro")}}))]);
    old.paths.insert(("Api".into(), "Database9194C105".into()), "Api/Database".into());
    let mut new = snap(vec![("Api", json!({"Resources": {"Database9194C105": db("y", "db.t4g.micro")}}))]);
    new.paths = old.paths.clone();
    let r = diff(&old, &new);
    let s = r.summary();
    assert_eq!((s.modified, s.replaced, s.stateful), (1, 1, 1));
    assert!(r.fails(FailOn::Replacement) && r.fails(FailOn::Stateful));
    let text = r.render();
    let first_lines: Vec<&str> = text.lines().take(2).collect();
    assert_eq!(
        first_lines[1],
        "!! REPLACEMENT of stateful data: Api/Database [AWS::RDS::DBInstance] (DBInstanceIdentifier changed)"
    );
    assert!(text.contains("DBInstanceIdentifier: \"x\" -> \"y\" (replaces)"), "{text}");
    let j = r.to_json();
    assert_eq!(j["schema_version"], "1");
    assert_eq!(j["summary"]["replaced"], 1);
    assert_eq!(j["summary"]["stateful"], 1);
    assert_eq!(j["stacks"][0]["resources"][0]["path"], "Api/Database");
    assert_eq!(j["stacks"][0]["resources"][0]["replacement"], "always");
}

#[test]
fn conditional_create_only_change_is_marked_conditional() {
    let info = stackcraft_review::replacement::lookup("AWS::RDS::DBInstance").expect("in the L1 layer");
    let Some(prop) = info.conditional.first() else {
        panic!("DBInstance has conditional create-only properties in its schema");
    };
    let mut o = db("x", "db.t4g.micro");
    let mut n = o.clone();
    o["Properties"][*prop] = json!("a");
    n["Properties"][*prop] = json!("b");
    let r = diff(
        &snap(vec![("Api", json!({"Resources": {"Db": o}}))]),
        &snap(vec![("Api", json!({"Resources": {"Db": n}}))]),
    );
    assert_eq!(r.stacks[0].resources[0].replacement, Replacement::Conditional);
    assert!(r.render().contains("POSSIBLE REPLACEMENT of stateful data"));
    assert_eq!(r.to_json()["stacks"][0]["resources"][0]["replacement"], "conditional");
}

#[test]
fn type_change_replaces() {
    let old = snap(vec![("Api", json!({"Resources": {"X": topic()}}))]);
    let new = snap(vec![("Api", json!({"Resources": {"X": queue("q")}}))]);
    let r = diff(&old, &new);
    assert_eq!(r.stacks[0].resources[0].replacement, Replacement::Always);
    assert_eq!(r.stacks[0].resources[0].properties[0].path, "Type");
}

#[test]
fn logical_id_move_is_a_replacement() {
    let old = snap(vec![("Api", json!({"Resources": {"Orders1": queue("orders")}}))]);
    let new = snap(vec![("Api", json!({"Resources": {"Orders2": queue("orders")}}))]);
    let r = diff(&old, &new);
    let s = r.summary();
    assert_eq!((s.added, s.removed, s.moved, s.replaced, s.stateful), (0, 0, 1, 1, 1));
    assert_eq!(r.stacks[0].resources[0].kind, ChangeKind::Moved { from: "Orders1".into() });
    assert!(r.render().contains("> AWS::SQS::Queue Api/Orders2 (Orders2) [REPLACE] (moved from Orders1: replaces)"));
}

#[test]
fn stateful_removal_is_called_out() {
    let old = snap(vec![("Api", json!({"Resources": {"Db": db("x", "db.t4g.micro")}}))]);
    let new = snap(vec![("Api", json!({"Resources": {}}))]);
    let r = diff(&old, &new);
    assert_eq!(r.summary().stateful, 1);
    assert!(r
        .render()
        .contains("!! REMOVAL of stateful data: Api/Db [AWS::RDS::DBInstance] (removed from the template)"));
}

#[test]
fn parameters_outputs_tags_and_termination_protection_sections() {
    let old = snap(vec![(
        "Api",
        json!({"Parameters": {"Image": {"Type": "String", "Default": "v1"}},
               "Outputs": {"Url": {"Value": "a", "Export": {"Name": "app-url"}}}, "Resources": {}}),
    )]);
    let mut new = snap(vec![(
        "Api",
        json!({"Parameters": {"Image": {"Type": "String", "Default": "v2"}},
               "Outputs": {"Url": {"Value": "b", "Export": {"Name": "app-url"}}}, "Resources": {}}),
    )]);
    new.stacks[0].termination_protection = true;
    new.stacks[0].tags.insert("Team".into(), "shop".into());
    let r = diff(&old, &new);
    let st = &r.stacks[0];
    assert_eq!(st.parameters[0].name, "Image");
    assert_eq!(st.outputs[0].name, "Url");
    assert!(st.outputs[0].importers.is_empty());
    assert_eq!(st.tags[0].name, "Team");
    assert_eq!(st.termination_protection, Some((false, true)));
    let text = r.render();
    for s in [
        "  Parameters:\n    ~ Image:",
        "  Outputs:\n    ~ Url:",
        "  Tags:\n    + Team:",
        "Termination protection: false -> true",
    ] {
        assert!(text.contains(s), "{s} in {text}");
    }
    assert!(r.fails(FailOn::Any));
}

#[test]
fn security_widening_new_wildcard_and_open_ingress() {
    let old = snap(vec![(
        "Api",
        json!({"Resources": {
            "Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:1:q"}]}}},
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "d", "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/16"}]}}}}),
    )]);
    let new = snap(vec![(
        "Api",
        json!({"Resources": {
            "Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}}},
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "d", "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}]}}}}),
    )]);
    let r = diff(&old, &new);
    let msgs: Vec<&str> = r.stacks[0].security.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "IAM statement allows a wildcard action: sqs:*",
            "IAM statement on resource \"*\" (actions sqs:*)",
            "ingress from 0.0.0.0/0 on tcp ports 443-443",
        ]
    );
    assert!(r.fails(FailOn::Security));
    assert_eq!(r.to_json()["summary"]["security"], 3);
    // The same wildcard already present before is not a widening.
    assert!(!diff(&new, &new).fails(FailOn::Security));
}

#[test]
fn added_and_removed_stacks() {
    let old = snap(vec![("Gone", json!({"Resources": {"T": topic()}}))]);
    let new = snap(vec![("Fresh", json!({"Resources": {"Q": queue("q")}}))]);
    let r = diff(&old, &new);
    let status: Vec<(&str, &str)> = r.stacks.iter().map(|s| (s.id.as_str(), s.status)).collect();
    assert_eq!(status, [("Fresh", "added"), ("Gone", "removed")]);
}

#[test]
fn read_dir_reads_manifest_templates_and_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = json!({"version": "36.0.0", "artifacts": {
        "Api": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region",
                "properties": {"templateFile": "Api.template.json", "stackName": "app-dev-Api", "terminationProtection": true}},
        "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}}}});
    let tree = json!({"tree": {"id": "App", "path": "", "children": {"Api": {"id": "Api", "path": "Api", "children": {
        "Database": {"id": "Database", "path": "Api/Database", "children": {"Resource": {"id": "Resource", "path": "Api/Database/Resource",
            "attributes": {"aws:cdk:cloudformation:type": "AWS::RDS::DBInstance", "stackcraft:logicalId": "Db1"}}}}}}}}});
    std::fs::write(dir.path().join("manifest.json"), manifest.to_string()).expect("write");
    std::fs::write(dir.path().join("tree.json"), tree.to_string()).expect("write");
    std::fs::write(
        dir.path().join("Api.template.json"),
        json!({"Resources": {"Db1": db("x", "db.t4g.micro")}}).to_string(),
    )
    .expect("write");
    let s = Snapshot::read_dir(dir.path()).expect("reads");
    assert_eq!(s.stacks[0].stack_name, "app-dev-Api");
    assert!(s.stacks[0].termination_protection);
    assert_eq!(s.path("Api", "Db1"), "Api/Database");
    let err = Snapshot::read_dir(&dir.path().join("missing")).unwrap_err();
    assert!(matches!(&err, stackcraft_review::ReadError::Io { path, .. } if path.ends_with("manifest.json")));
    let err = err.to_string();
    assert!(err.starts_with("cannot read ") && err.contains("manifest.json"), "{err}");
}

#[test]
fn replacement_table_covers_the_generated_types() {
    let db = stackcraft_review::replacement::lookup("AWS::RDS::DBInstance").expect("generated");
    assert!(db.create_only.contains(&"DBInstanceIdentifier"));
    let q = stackcraft_review::replacement::lookup("AWS::SQS::Queue").expect("generated");
    assert!(q.create_only.contains(&"QueueName"));
    assert!(stackcraft_review::replacement::lookup("AWS::Nope::Nothing").is_none());
}

#[test]
fn changed_exports_list_their_importers() {
    let net = |cidr: &str| {
        json!({"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr}}},
               "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "net:VpcId"}}}})
    };
    let api = json!({"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
        "GroupDescription": "d", "VpcId": {"Fn::ImportValue": "net:VpcId"}}}}});
    let mut new_net = net("10.1.0.0/16");
    new_net["Outputs"]["VpcId"]["Export"]["Name"] = json!("net:Vpc");
    let r = diff(
        &snap(vec![("Network", net("10.0.0.0/16")), ("Api", api.clone())]),
        &snap(vec![("Network", new_net), ("Api", api)]),
    );
    let out = &r.stacks[0].outputs[0];
    assert_eq!(out.importers, ["Api"]);
    assert!(r.render().contains("      imported by: Api\n"));
    assert_eq!(r.to_json()["stacks"][0]["outputs"][0]["importers"], json!(["Api"]));
}
