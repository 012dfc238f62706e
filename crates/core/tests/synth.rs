//! Synthesis behaviour: logical IDs, references, cross-stack exports,
//! tags, escape hatches, determinism and the cloud assembly on disk.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};
use stackcraft_core::assertions::Template;
use stackcraft_core::{
    App, CondExpr, DeletionPolicy, Output, Parameter, RawResource, ResourceHandle, Scope, TagFormat, Value,
};

fn bucket(scope: &Scope, id: &str) -> ResourceHandle {
    scope.add_raw(
        id,
        RawResource::new("AWS::S3::Bucket", json!({"VersioningConfiguration": {"Status": "Enabled"}}))
            .taggable(TagFormat::List),
    )
}

fn ids(app: &App, stack: &str) -> Vec<String> {
    let a = app.synth().unwrap();
    a.stack(stack).unwrap().template["Resources"].as_object().unwrap().keys().cloned().collect()
}

#[test]
fn logical_ids_are_stable_when_unrelated_constructs_change() {
    let build = |extra: bool, rename_sibling: bool| {
        let app = App::new("t");
        let s = app.stack("Main");
        if extra {
            bucket(&s.scope("Added"), "Bucket");
        }
        let net = s.scope("Network");
        bucket(&net, "Logs");
        bucket(&s.scope(if rename_sibling { "Storage2" } else { "Storage" }), "Data");
        bucket(&s, "Top");
        let a = app.synth().unwrap();
        let t = &a.stack("Main").unwrap().template["Resources"];
        let find = |prefix: &str| t.as_object().unwrap().keys().find(|k| k.starts_with(prefix)).cloned().unwrap();
        (find("NetworkLogs"), find("Top"))
    };
    let base = build(false, false);
    assert_eq!(base, build(true, false), "adding an unrelated construct changed an id");
    assert_eq!(base, build(false, true), "renaming an unrelated construct changed an id");
    assert_eq!(base.1, "Top", "resources directly under the stack keep their plain id");
    assert!(base.0.starts_with("NetworkLogs") && base.0.len() == "NetworkLogs".len() + 8);
}

#[test]
fn insertion_order_does_not_change_output() {
    let build = |reverse: bool| {
        let app = App::new("t");
        let s = app.stack("Main");
        let mut names = vec!["A", "B", "C"];
        if reverse {
            names.reverse();
        }
        for n in names {
            bucket(&s, n);
        }
        app.synth().unwrap().stack("Main").unwrap().template_text()
    };
    assert_eq!(build(false), build(true));
}

fn sample_app() -> App {
    let app = App::new("sample");
    app.set_environment("dev", false);
    app.add_tag("team", "platform");
    let data = app.stack("Data");
    data.set_description("Data stack");
    let env = data.add_parameter("Env", Parameter::string().allowed_values(["dev", "prod"]).default_value("dev"));
    let secret = data.add_parameter("Token", Parameter::string().no_echo());
    let is_prod = data.add_condition("IsProd", CondExpr::equals(env.value::<String>(), "prod"));
    let sizes =
        data.add_mapping("Sizes", BTreeMap::from([("dev".into(), BTreeMap::from([("Count".into(), json!("1"))]))]));
    let store = data.scope("Store");
    let b = bucket(&store, "Bucket");
    b.apply_removal_policy(DeletionPolicy::Retain);
    b.add_metadata("Purpose", json!("test"));
    b.add_property_override(
        "BucketEncryption.ServerSideEncryptionConfiguration",
        json!([{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]),
    );
    data.child("Store").expect("lookup by id").add_tag("tier", "storage");
    let q = data.add_raw(
        "Queue",
        RawResource::new(
            "AWS::SQS::Queue",
            json!({
                "DelaySeconds": Value::<String>::find_in_map(&sizes, env.value::<String>(), "Count"),
                "QueueName": Value::<String>::if_(&is_prod, Value::sub("${AWS::StackName}-prod"), Value::no_value()),
                "Tags": [{"Key": "token", "Value": secret.value::<String>()}],
            }),
        ),
    );
    q.add_depends_on(&b);
    q.set_condition(&is_prod);
    data.add_output(
        Output::new("BucketName", b.ref_())
            .description("the bucket")
            .export_name(Value::sub("${AWS::StackName}-bucket")),
    );

    let app_stack = app.stack("App");
    app_stack.add_raw(
        "Topic",
        RawResource::new(
            "AWS::SNS::Topic",
            json!({
                "DisplayName": b.ref_(),
                "KmsMasterKeyId": b.get_att::<String>("Arn"),
            }),
        ),
    );
    app
}

#[test]
fn cross_stack_reference_becomes_export_and_import() {
    let a = sample_app().synth().unwrap();
    assert_eq!(a.stacks.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["Data", "App"], "producer first");
    let app_stack = a.stack("App").unwrap();
    assert_eq!(app_stack.dependencies, ["Data"]);
    let topic = &app_stack.template["Resources"]["Topic"]["Properties"];
    let bucket_lid = a.stack("Data").unwrap().template["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .find(|k| k.starts_with("StoreBucket"))
        .unwrap()
        .clone();
    let ref_export = topic["DisplayName"]["Fn::ImportValue"].as_str().unwrap();
    let att_export = topic["KmsMasterKeyId"]["Fn::ImportValue"].as_str().unwrap();
    assert!(ref_export.starts_with(&format!("sample-dev-Data:ExportsOutputRef{bucket_lid}")), "{ref_export}");
    assert!(att_export.starts_with(&format!("sample-dev-Data:ExportsOutputFnGetAtt{bucket_lid}Arn")), "{att_export}");
    let data = Template::from_stack(&a, "Data");
    let outputs = data.to_json()["Outputs"].as_object().unwrap();
    let exported: Vec<&Json> = outputs.values().filter_map(|o| o.pointer("/Export/Name")).collect();
    assert!(exported.contains(&&json!(ref_export)) && exported.contains(&&json!(att_export)));
    let out = outputs.values().find(|o| o.pointer("/Export/Name") == Some(&json!(att_export))).unwrap();
    assert_eq!(out["Value"], json!({"Fn::GetAtt": [bucket_lid, "Arn"]}));
}

#[test]
fn stack_level_elements_and_resource_attributes() {
    let a = sample_app().synth().unwrap();
    let t = Template::from_stack(&a, "Data");
    t.has_parameter("Env", json!({"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "dev"}));
    t.has_parameter("Token", json!({"NoEcho": true}));
    assert_eq!(t.to_json()["Conditions"]["IsProd"], json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]}));
    assert_eq!(t.to_json()["Mappings"]["Sizes"], json!({"dev": {"Count": "1"}}));
    assert_eq!(t.to_json()["Description"], "Data stack");
    t.has_output(
        "BucketName",
        json!({"Description": "the bucket", "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-bucket"}}}),
    );
    let (blid, _) = t.find_resources("AWS::S3::Bucket", &json!({})).remove(0);
    t.has_resource(
        "AWS::S3::Bucket",
        json!({
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Metadata": {"Purpose": "test"},
            "Properties": {"BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]}},
        }),
    );
    t.has_resource(
        "AWS::SQS::Queue",
        json!({
            "Condition": "IsProd",
            "DependsOn": [blid],
            "Properties": {
                "DelaySeconds": {"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Count"]},
                "QueueName": {"Fn::If": ["IsProd", {"Fn::Sub": "${AWS::StackName}-prod"}, {"Ref": "AWS::NoValue"}]},
                "Tags": [{"Key": "token", "Value": {"Ref": "Token"}}],
            }
        }),
    );
}

#[test]
fn tags_reach_taggable_resources_below_the_scope() {
    let a = sample_app().synth().unwrap();
    let t = Template::from_stack(&a, "Data");
    t.has_resource_properties(
        "AWS::S3::Bucket",
        json!({"Tags": [{"Key": "team", "Value": "platform"}, {"Key": "tier", "Value": "storage"}]}),
    );
    // Not taggable (raw resource without a tag format): untouched.
    t.has_resource_properties("AWS::SQS::Queue", json!({"Tags": [{"Key": "token"}]}));
    let q = &t.find_resources("AWS::SQS::Queue", &json!({}))[0].1;
    assert_eq!(q["Properties"]["Tags"].as_array().unwrap().len(), 1);
    let data = a.stack("Data").unwrap();
    assert_eq!(data.tags.get("team").map(String::as_str), Some("platform"));
}

#[test]
fn synth_is_byte_identical_across_runs() {
    let d1 = tempfile::tempdir().unwrap();
    let d2 = tempfile::tempdir().unwrap();
    sample_app().synth().unwrap().write(&d1.path().join("out")).unwrap();
    sample_app().synth().unwrap().write(&d2.path().join("out")).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(d1.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["App.template.json", "Data.template.json", "cdk.out", "manifest.json", "stackcraft.json", "tree.json"]
    );
    for n in names {
        let a = std::fs::read(d1.path().join("out").join(&n)).unwrap();
        let b = std::fs::read(d2.path().join("out").join(&n)).unwrap();
        assert_eq!(a, b, "{n} differs between two synths");
    }
}

#[test]
fn manifest_lists_stacks_with_dependencies_and_protection() {
    let app = sample_app();
    app.set_environment("prod", true);
    let a = app.synth().unwrap();
    let m = a.manifest();
    assert_eq!(m["version"], stackcraft_core::MANIFEST_VERSION);
    assert_eq!(m["artifacts"]["App"]["dependencies"], json!(["Data"]));
    assert_eq!(m["artifacts"]["App"]["properties"]["stackName"], "sample-prod-App");
    assert_eq!(m["artifacts"]["Data"]["properties"]["terminationProtection"], true);
    assert_eq!(m["artifacts"]["Tree"]["type"], "cdk:tree");
}

#[test]
fn write_replaces_previous_output_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    sample_app().synth().unwrap().write(&out).unwrap();
    std::fs::write(out.join("Stale.template.json"), "{}").unwrap();
    sample_app().synth().unwrap().write(&out).unwrap();
    assert!(!out.join("Stale.template.json").exists());
    assert!(out.join("Data.template.json").exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary directory is left behind");
}

#[test]
fn write_never_replaces_what_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("notes.txt"), "mine").unwrap();
    let err = sample_app().synth().unwrap().write(&docs).unwrap_err().to_string();
    assert!(err.ends_with("docs is a directory holding notes.txt, not a cloud assembly; it was left untouched. Choose another path, or move it away yourself"), "{err}");
    assert_eq!(std::fs::read_to_string(docs.join("notes.txt")).unwrap(), "mine");
    let report = dir.path().join("report.txt");
    std::fs::write(&report, "report").unwrap();
    let err = sample_app().synth().unwrap().write(&report).unwrap_err().to_string();
    assert!(err.contains("report.txt is a file, not a cloud assembly"), "{err}");
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "report");
    let mut left: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, ["docs", "report.txt"], "nothing written, nothing moved aside");
}

#[test]
fn select_keeps_dependencies_and_rejects_unknown() {
    let a = sample_app().synth().unwrap();
    let only = a.clone().select(&["App".to_owned()]).unwrap();
    assert_eq!(only.stacks.len(), 2, "App needs Data");
    let only = a.clone().select(&["Data".to_owned()]).unwrap();
    assert_eq!(only.stacks.len(), 1);
    let err = a.select(&["Nope".to_owned()]).unwrap_err().to_string();
    assert!(err.contains("no stack named \"Nope\"; the stacks are: Data, App"), "{err}");
}

#[test]
fn twenty_thousand_resources_synthesize() {
    let app = App::new("big");
    for s in 0..40 {
        let st = app.stack(&format!("S{s}"));
        let sc = st.scope("Group");
        for r in 0..500 {
            bucket(&sc, &format!("B{r}"));
        }
    }
    let a = app.synth().unwrap();
    assert_eq!(a.stacks.len(), 40);
    assert_eq!(ids(&app, "S0").len(), 500);
}

#[test]
fn concurrent_writers_of_one_directory_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    let assembly = sample_app().synth().unwrap();
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| assembly.write(&out).expect("every writer succeeds"));
        }
    });
    let mut names: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(
        names,
        ["App.template.json", "Data.template.json", "cdk.out", "manifest.json", "stackcraft.json", "tree.json"]
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary or old directory is left behind");
}
