//! Bad input: each case must produce a clear synth error naming the construct
//! path, the property and what is allowed — never a panic, never output.

use std::collections::BTreeMap;

use serde_json::json;
use stackcraft_core::{App, CondExpr, Output, Parameter, RawResource, Stack, SynthError, Value};

fn queue(stack: &Stack, id: &str) -> stackcraft_core::ResourceHandle {
    stack.add_raw(id, RawResource::new("AWS::SQS::Queue", json!({})))
}

/// Synthesize, expect failure, return the rendered errors.
fn errors(app: &App) -> String {
    match app.synth() {
        Ok(_) => panic!("synth should have failed"),
        Err(e) => e.to_string(),
    }
}

fn assert_has(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "expected {p:?} in:\n{msg}");
    }
}

#[test]
fn duplicate_construct_ids() {
    let app = App::new("t");
    let s = app.stack("Main");
    queue(&s, "Q");
    queue(&s, "Q");
    assert_has(&errors(&app), &["Main/Q", "[construct id]", "already a construct with id \"Q\" in Main"]);
}

#[test]
fn duplicate_stack_ids() {
    let app = App::new("t");
    queue(&app.stack("Main"), "A");
    queue(&app.stack("Main"), "B");
    assert_has(&errors(&app), &["Main", "already a construct with id \"Main\" in the app"]);
}

#[test]
fn construct_id_with_slash() {
    let app = App::new("t");
    let s = app.stack("Main");
    queue(&s, "a/b");
    assert_has(
        &errors(&app),
        &["Main/a/b [construct id]: construct id \"a/b\" contains '/'; allowed are ASCII letters, digits, '-', '_' and '.'"],
    );
}

#[test]
fn too_many_resources() {
    let app = App::new("t");
    let s = app.stack("Big");
    for i in 0..501 {
        queue(&s, &format!("Q{i}"));
    }
    assert_has(&errors(&app), &["Big [Resources]", "501 resources exceed CloudFormation's limit of 500"]);
}

#[test]
fn too_many_parameters_outputs_and_mappings() {
    let app = App::new("t");
    let s = app.stack("Big");
    queue(&s, "Q");
    for i in 0..201 {
        s.add_parameter(&format!("P{i}"), Parameter::string());
        s.add_output(Output::new(&format!("O{i}"), Value::from("x")));
        s.add_mapping(&format!("M{i}"), BTreeMap::from([("a".into(), BTreeMap::from([("b".into(), json!("c"))]))]));
    }
    let e = errors(&app);
    assert_has(&e, &["201 parameters exceed", "limit of 200", "201 outputs exceed", "201 mappings exceed"]);
}

#[test]
fn template_over_one_megabyte() {
    let app = App::new("t");
    let s = app.stack("Huge");
    let big = "x".repeat(4096);
    for i in 0..300 {
        s.add_raw(&format!("P{i}"), RawResource::new("AWS::SSM::Parameter", json!({"Type": "String", "Value": big})));
    }
    assert_has(&errors(&app), &["Huge [template]", "CloudFormation accepts at most 1048576"]);
}

#[test]
fn inline_limit_is_a_warning() {
    let app = App::new("t");
    let s = app.stack("Medium");
    let big = "x".repeat(4096);
    for i in 0..20 {
        s.add_raw(&format!("P{i}"), RawResource::new("AWS::SSM::Parameter", json!({"Type": "String", "Value": big})));
    }
    let a = app.synth().expect("a warning does not fail synth");
    let w: Vec<String> = a.warnings.iter().map(ToString::to_string).collect();
    assert!(w.iter().any(|w| w.contains("over the 51200-byte inline limit: deploy will upload it")), "{w:?}");
}

#[test]
fn description_too_long() {
    let app = App::new("t");
    let s = app.stack("Main");
    queue(&s, "Q");
    s.set_description("d".repeat(1025));
    assert_has(&errors(&app), &["Main [Description]", "1025 bytes; CloudFormation allows at most 1024"]);
}

#[test]
fn invalid_logical_id_override() {
    let app = App::new("t");
    let s = app.stack("Main");
    queue(&s, "Q").override_logical_id("my-queue");
    assert_has(&errors(&app), &["[logical ID]", "\"my-queue\" is invalid", "ASCII letters or digits"]);
}

#[test]
fn logical_id_clash_from_override() {
    let app = App::new("t");
    let s = app.stack("Main");
    queue(&s, "A");
    queue(&s, "B").override_logical_id("A");
    assert_has(&errors(&app), &["Main/B", "logical ID \"A\" is used twice"]);
}

#[test]
fn name_longer_than_255() {
    let app = App::new("t");
    let s = app.stack("Main");
    queue(&s, "Q");
    s.add_output(Output::new(&"O".repeat(256), Value::from("x")));
    assert_has(&errors(&app), &["[construct id]", "is 256 characters; at most 255 are allowed"]);
    let app = App::new("t");
    let s = app.stack("Main");
    queue(&s, "Q").override_logical_id("R".repeat(256));
    assert_has(&errors(&app), &["resource name", "1 to 255 ASCII letters or digits"]);
}

#[test]
fn dangling_reference_by_name() {
    let app = App::new("t");
    let s = app.stack("Main");
    s.add_raw("Topic", RawResource::new("AWS::SNS::Topic", json!({"DisplayName": Value::<String>::ref_name("Nope")})));
    assert_has(&errors(&app), &["Main/Topic [reference]", "dangling reference: Ref to \"Nope\""]);
}

#[test]
fn dangling_getatt_and_sub() {
    let app = App::new("t");
    let s = app.stack("Main");
    s.add_raw(
        "Topic",
        RawResource::new(
            "AWS::SNS::Topic",
            json!({"DisplayName": Value::sub("${Missing}-${AWS::Region}"), "KmsMasterKeyId": Value::<String>::get_att_name("Ghost", "Arn")}),
        ),
    );
    assert_has(&errors(&app), &["Fn::Sub uses ${Missing}", "Fn::GetAtt on \"Ghost\""]);
}

#[test]
fn handle_from_another_app() {
    let other = App::new("other");
    let foreign = queue(&other.stack("S"), "Q");
    let app = App::new("t");
    let s = app.stack("Main");
    s.add_raw("Topic", RawResource::new("AWS::SNS::Topic", json!({"DisplayName": foreign.ref_()})));
    let e = errors(&app);
    assert_has(
        &e,
        &["error: Main/Topic [DisplayName]: uses a construct of another App (a handle created under a different App::new)"],
    );
    assert!(!e.contains("<<sc:"), "the internal token leaked: {e}");
    assert_eq!(e.lines().count(), 2, "one error, no follow-up: {e}");
}

#[test]
fn duplicate_export_names() {
    let app = App::new("t");
    let a = app.stack("A");
    queue(&a, "Q");
    a.add_output(Output::new("X", Value::from("1")).export_name("shared"));
    let b = app.stack("B");
    queue(&b, "Q");
    b.add_output(Output::new("Y", Value::from("2")).export_name("shared"));
    assert_has(&errors(&app), &["B/Y [Export.Name]", "export name \"shared\" is already used by A/X"]);
}

#[test]
fn stack_cycle_names_both_stacks() {
    let app = App::new("t");
    let a = app.stack("A");
    let b = app.stack("B");
    let qa = queue(&a, "Q");
    let qb = queue(&b, "Q");
    a.add_raw("T", RawResource::new("AWS::SNS::Topic", json!({"DisplayName": qb.get_att::<String>("QueueName")})));
    b.add_raw("T", RawResource::new("AWS::SNS::Topic", json!({"DisplayName": qa.get_att::<String>("QueueName")})));
    assert_has(
        &errors(&app),
        &[
            "A [dependencies]: stacks \"A\" -> \"B\" -> \"A\" depend on each other in a cycle",
            "A/T [DisplayName] uses B/Q.QueueName; B/T [DisplayName] uses A/Q.QueueName",
            "create the connection from the other side",
        ],
    );
}

#[test]
fn empty_stack_and_empty_app() {
    let app = App::new("t");
    app.stack("Empty");
    assert_has(&errors(&app), &["Empty [Resources]", "at least one resource"]);
    let app = App::new("t");
    assert_has(&errors(&app), &["the app has no stacks"]);
}

#[test]
fn invalid_stack_name() {
    let app = App::new("t");
    let s = app.stack("Main");
    queue(&s, "Q");
    s.set_stack_name("my_stack");
    assert_has(&errors(&app), &["Main [stackName]", "\"my_stack\" is invalid", "letters, digits and hyphens"]);
}

#[test]
fn resource_outside_a_stack() {
    let app = App::new("t");
    let s = app.stack("Main");
    queue(&s, "Q");
    // A scope of the app's root is not in a stack: record, don't panic.
    let loose = s.app();
    let _ = loose;
    let undeclared = s.add_condition("IsProd", CondExpr::equals("a", "b"));
    let other = app.stack("Other");
    other.add_raw(
        "T",
        RawResource::new("AWS::SNS::Topic", json!({"DisplayName": Value::<String>::if_(&undeclared, "a", "b")})),
    );
    assert_has(&errors(&app), &["Other/T [reference]", "conditions and mappings can only be used in their own stack"]);
}

#[test]
fn bad_override_path() {
    let app = App::new("t");
    let s = app.stack("Main");
    let q = s.add_raw("Q", RawResource::new("AWS::SQS::Queue", json!({"RedriveAllowPolicy": {"A": []}})));
    q.add_property_override("RedriveAllowPolicy.A.3", "x");
    assert_has(&errors(&app), &["Main/Q [RedriveAllowPolicy.A.3]", "index 3 is past the end of a list of 0"]);
}

#[test]
fn all_errors_are_reported_together() {
    let app = App::new("t");
    let s = app.stack("Main");
    queue(&s, "Q");
    queue(&s, "Q");
    s.set_description("d".repeat(2000));
    s.add_raw("T", RawResource::new("AWS::SNS::Topic", json!({"DisplayName": Value::<String>::ref_name("Nope")})));
    let err: SynthError = app.synth().unwrap_err();
    assert!(err.errors().count() >= 3, "{err}");
}

#[test]
fn failed_synth_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    let app = App::new("t");
    app.stack("Empty");
    assert!(app.synth().is_err());
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no temp dirs left");
}

#[test]
fn hard_coded_partition_in_an_arn_is_a_warning() {
    // An existing resource's literal ARN is legitimate in one partition, so
    // this warns (CloudFormation accepts it there) rather than fails.
    let app = App::new("t");
    app.stack("Main").add_raw(
        "Role",
        RawResource::new(
            "AWS::IAM::Role",
            json!({"ManagedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"], "AssumeRolePolicyDocument": {}}),
        ),
    );
    let warnings: Vec<String> = app.synth().unwrap().warnings.iter().map(ToString::to_string).collect();
    assert_has(
        &warnings.join("\n"),
        &[
            "warning: Main/Role [partition]",
            "\"arn:aws:iam::aws:policy/ReadOnlyAccess\" hard-codes the AWS partition",
            "Value::arn",
        ],
    );
    // The partition-aware form is clean.
    let app = App::new("t");
    app.stack("Main").add_raw(
        "Role",
        RawResource::new("AWS::IAM::Role", json!({"ManagedPolicyArns": [Value::arn("iam", "", "aws", "policy/ReadOnlyAccess")], "AssumeRolePolicyDocument": {}})),
    );
    assert!(app.synth().unwrap().warnings.is_empty());
}

#[test]
fn dependency_on_a_stack_of_another_app() {
    let other = App::new("other");
    let foreign = other.stack("Elsewhere");
    queue(&foreign, "Q");
    let app = App::new("t");
    let s = app.stack("Main");
    queue(&s, "Q");
    s.add_dependency(&foreign);
    assert_has(
        &errors(&app),
        &["error: Main [dependencies]: depends on stack \"Elsewhere\" of another App; stacks can only depend on stacks of their own app"],
    );
}

#[test]
fn non_ascii_logical_id_referenced_from_another_stack() {
    // Used to panic: the export name was truncated at a byte index.
    let app = App::new("t");
    let a = app.stack("A");
    let q = queue(&a, "Q");
    q.override_logical_id("é".repeat(200));
    let b = app.stack("B");
    b.add_raw("T", RawResource::new("AWS::SNS::Topic", json!({"DisplayName": q.get_att::<String>("QueueName")})));
    let e = errors(&app);
    assert_has(&e, &["resource name", "1 to 255 ASCII letters or digits"]);
}

#[test]
fn tags_are_validated() {
    let app = App::new("t");
    app.add_tag("aws:owner", "me");
    let s = app.stack("Main");
    s.add_tag("", "x");
    let q = queue(&s, "Q");
    let _ = q;
    s.scope("Inner").add_tag("k".repeat(129), "v");
    s.scope("Other").add_tag("Team", "v".repeat(257));
    let e = errors(&app);
    assert_has(
        &e,
        &[
            "error: <app> [Tags]: tag key \"aws:owner\" starts with \"aws:\", which is reserved for AWS",
            "error: Main [Tags]: tag key is empty; a tag key has 1 to 128 characters",
            "error: Main/Inner [Tags]: tag key \"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\"... is 129 characters; at most 128 are allowed",
            "error: Main/Other [Tags]: the value of tag \"Team\" is 257 characters; at most 256 are allowed",
        ],
    );
}

#[test]
fn construct_ids_with_unicode_or_spaces() {
    let app = App::new("t");
    let s = app.stack("Main");
    queue(&s, "Öffentlich");
    s.scope("my scope");
    assert_has(
        &errors(&app),
        &[
            "error: Main/Öffentlich [construct id]: construct id \"Öffentlich\" contains 'Ö'; allowed are ASCII letters, digits, '-', '_' and '.'",
            "error: Main/my scope [construct id]: construct id \"my scope\" contains ' '",
        ],
    );
}

#[test]
fn environment_account_and_region_are_checked() {
    let app = App::new("t");
    app.set_env(stackcraft_core::EnvInfo::new("dev", false).account("1234").region("Frankfurt"));
    let s = app.stack("Main").in_region("us-east-1x");
    queue(&s, "Q");
    assert_has(
        &errors(&app),
        &[
            "error: <app> [account]: environment \"dev\": account \"1234\" is not an AWS account id; an account id is 12 digits",
            "error: <app> [region]: environment \"dev\": region \"Frankfurt\" is not an AWS region name",
            "error: Main [region]: region \"us-east-1x\" is not an AWS region name",
        ],
    );
}

#[test]
fn export_names_with_spaces() {
    let app = App::new("t");
    let s = app.stack("Main");
    queue(&s, "Q");
    s.add_output(Output::new("X", Value::from("1")).export_name("my export"));
    assert_has(
        &errors(&app),
        &["error: Main/X [Export.Name]: export name \"my export\" is invalid: it must be one or more ASCII letters, digits, colons or hyphens"],
    );
}

#[test]
fn depends_on_a_resource_of_another_app() {
    let other = App::new("other");
    let foreign = queue(&other.stack("Elsewhere"), "Q");
    let app = App::new("t");
    let s = app.stack("Main");
    queue(&s, "Q").add_depends_on(&foreign);
    assert_has(
        &errors(&app),
        &["error: Main/Q [DependsOn]: depends on Elsewhere/Q of another App; a resource can only depend on resources of its own app"],
    );
}
