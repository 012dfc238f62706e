//! Accounts and regions, stacks pinned to another region, shared stacks and
//! references across regions and accounts (issue 14, core side).

use serde_json::{json, Value as Json};
use stackcraft_core::{App, Assembly, EnvInfo, RawResource, ResourceHandle, Stack, TagFormat};

fn queue(stack: &Stack, id: &str) -> ResourceHandle {
    stack.add_raw(
        id,
        RawResource::new("AWS::SQS::Queue", json!({"SqsManagedSseEnabled": true})).taggable(TagFormat::List),
    )
}

fn topic(stack: &Stack, id: &str, display: stackcraft_core::Value<String>) {
    stack.add_raw(id, RawResource::new("AWS::SNS::Topic", json!({ "DisplayName": display })));
}

/// The cart-service shape: a shared registry, environment stacks in
/// eu-central-1, an edge stack in us-east-1 used from eu-central-1 and
/// using eu-central-1 in turn.
fn cart(env: &str, production: bool) -> App {
    let app = App::new("cart");
    app.set_env(EnvInfo::new(env, production).account("123456789012").region("eu-central-1"));
    app.add_tag("environment", env);
    let registry = app.shared_stack("Registry");
    registry.add_tag("owner", "platform");
    let repo = queue(&registry, "Repository");
    registry.export_value(repo.get_att::<String>("Arn"));
    registry.export_value(repo.get_att::<String>("QueueName"));
    let service = app.stack("Service");
    let q = queue(&service, "Work");
    topic(&service, "Images", repo.get_att("QueueName"));
    let edge = app.stack("Edge").in_region("us-east-1");
    let cert = queue(&edge, "Certificate");
    topic(&edge, "Origin", q.get_att("QueueName"));
    let web = app.stack("Web");
    topic(&web, "Cdn", cert.get_att("QueueName"));
    app
}

fn synth(app: &App) -> Assembly {
    app.synth().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn shared_stack_is_byte_identical_across_environments() {
    let dev = synth(&cart("dev", false));
    let prod = synth(&cart("prod", true));
    let (d, p) = (dev.stack("Registry").unwrap(), prod.stack("Registry").unwrap());
    assert_eq!(d.template_text(), p.template_text());
    assert_eq!(d.stack_name, "cart-Registry");
    assert_eq!(p.stack_name, "cart-Registry");
    assert!(d.shared && d.termination_protection, "a shared stack is protected in every environment");
    assert_eq!(d.tags, p.tags);
    assert_eq!(d.tags.get("owner").map(String::as_str), Some("platform"));
    assert!(!d.tags.contains_key("environment"), "app-level tags do not reach shared stacks");
    assert!(!d.template_text().contains("dev"), "{}", d.template_text());
    // Its exports are the explicit ones, used or not.
    let outputs = d.template["Outputs"].as_object().unwrap();
    assert_eq!(outputs.len(), 2, "{outputs:?}");
    for o in outputs.values() {
        assert!(o["Export"]["Name"].as_str().unwrap().starts_with("cart-Registry:"), "{o}");
    }
    // Environment stacks are named and tagged for their environment and import the export.
    let s = dev.stack("Service").unwrap();
    assert_eq!(s.stack_name, "cart-dev-Service");
    assert_eq!(s.dependencies, ["Registry"]);
    let display = &s.template["Resources"]["Images"]["Properties"]["DisplayName"];
    let import = display["Fn::ImportValue"].as_str().unwrap();
    assert!(outputs.values().any(|o| o["Export"]["Name"] == import), "{display}");
}

#[test]
fn region_and_account_are_in_the_manifest_and_metadata() {
    let a = synth(&cart("dev", false));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    a.write(&out).unwrap();
    let manifest: Json = serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let env = |id: &str| manifest["artifacts"][id]["environment"].as_str().unwrap().to_owned();
    assert_eq!(env("Service"), "aws://123456789012/eu-central-1");
    assert_eq!(env("Edge"), "aws://123456789012/us-east-1");
    assert_eq!(env("Registry"), "aws://123456789012/eu-central-1");
    let meta: Json = serde_json::from_str(&std::fs::read_to_string(out.join("stackcraft.json")).unwrap()).unwrap();
    let stacks = meta["stacks"].as_array().unwrap();
    let edge = stacks.iter().find(|s| s["id"] == "Edge").unwrap();
    assert_eq!((&edge["account"], &edge["region"]), (&json!("123456789012"), &json!("us-east-1")));
    assert_eq!(edge.get("shared"), None, "the contract leaves out shared: false");
    let registry = stacks.iter().find(|s| s["id"] == "Registry").unwrap();
    assert_eq!(registry["shared"], true);
    assert_eq!(meta["production"], false, "a protected shared stack does not make dev production");

    // Without a pinned location: unknown-account/unknown-region.
    let app = App::new("plain");
    queue(&app.stack("S"), "Q");
    let s = synth(&app);
    assert_eq!(s.manifest()["artifacts"]["S"]["environment"], "aws://unknown-account/unknown-region");
}

#[test]
fn building_blocks_see_the_literal_region() {
    let app = cart("dev", false);
    let stacks = app.stacks();
    let region = |id: &str| stacks.iter().find(|s| s.id() == id).and_then(|s| s.region());
    assert_eq!(region("Service").as_deref(), Some("eu-central-1"));
    assert_eq!(region("Edge").as_deref(), Some("us-east-1"));
    assert_eq!(region("Registry"), None, "a shared stack sees only its own pin");
    assert_eq!(stacks[1].scope("Inner").account().as_deref(), Some("123456789012"));
    let production = |id: &str| stacks.iter().find(|s| s.id() == id).is_some_and(|s| s.is_production());
    assert!(!production("Service"), "dev");
    assert!(production("Registry"), "a shared stack always gets production settings");
    let prod = cart("prod", true);
    assert!(prod.stacks().iter().all(|s| s.is_production()));
}

#[test]
fn cross_region_references_use_get_stack_output_both_ways() {
    let a = synth(&cart("dev", false));
    let web = a.stack("Web").unwrap();
    assert_eq!(web.dependencies, ["Edge"]);
    let cdn = &web.template["Resources"]["Cdn"]["Properties"]["DisplayName"]["Fn::GetStackOutput"];
    assert_eq!(cdn["StackName"], "cart-dev-Edge");
    assert_eq!(cdn["Region"], "us-east-1");
    assert!(cdn.get("RoleArn").is_none());
    let edge = a.stack("Edge").unwrap();
    assert_eq!(edge.dependencies, ["Service"]);
    let origin = &edge.template["Resources"]["Origin"]["Properties"]["DisplayName"]["Fn::GetStackOutput"];
    assert_eq!(origin["StackName"], "cart-dev-Service");
    assert_eq!(origin["Region"], "eu-central-1");
    // The producer's output exists, without an export (exports cannot cross regions).
    let out = &edge.template["Outputs"][cdn["OutputName"].as_str().unwrap()];
    assert_eq!(out["Value"], json!({"Fn::GetAtt": ["Certificate", "QueueName"]}));
    assert!(out.get("Export").is_none(), "{out}");
    // Order: Registry and Service before Edge, Edge before Web.
    let order: Vec<&str> = a.stacks.iter().map(|s| s.id.as_str()).collect();
    let pos = |id: &str| order.iter().position(|x| *x == id).unwrap();
    assert!(pos("Service") < pos("Edge") && pos("Edge") < pos("Web"), "{order:?}");
    stackcraft_testing::assert_cfn_lint_clean(&a);
}

#[test]
fn cross_account_references_need_a_reader_role() {
    let build = |role: bool| {
        let app = App::new("x");
        app.set_env(EnvInfo::new("dev", false).account("111111111111"));
        let tools = app.stack("Tools").in_account("222222222222");
        if role {
            tools.set_output_reader_role("arn:aws:iam::222222222222:role/output-reader");
        }
        let q = queue(&tools, "Q");
        let s = app.stack("Service");
        topic(&s, "T", q.get_att("QueueName"));
        app.synth()
    };
    let e = build(false).unwrap_err().to_string();
    assert!(
        e.contains("error: Service/T [DisplayName]: uses Tools/Q.QueueName of stack \"Tools\" in account 222222222222, another account; CloudFormation reads it with a role of that account: call set_output_reader_role(ROLE_ARN) on stack \"Tools\""),
        "{e}"
    );
    let a = build(true).unwrap_or_else(|e| panic!("{e}"));
    let get =
        &a.stack("Service").unwrap().template["Resources"]["T"]["Properties"]["DisplayName"]["Fn::GetStackOutput"];
    assert_eq!(get["RoleArn"], "arn:aws:iam::222222222222:role/output-reader");
    assert!(get.get("Region").is_none());
}

#[test]
fn shared_stack_values_must_be_exported_explicitly() {
    let app = App::new("ot");
    app.set_environment("dev", false);
    let boot = app.shared_stack("Bootstrap");
    let q = queue(&boot, "Registry");
    let s = app.stack("Service");
    topic(&s, "T", q.get_att("QueueName"));
    let e = app.synth().unwrap_err().to_string();
    assert!(e.contains("error: Service/T [DisplayName]: uses Bootstrap/Registry.QueueName of shared stack \"Bootstrap\", which does not export it"), "{e}");
    assert!(e.contains("`bootstrap.export_value(handle.get_att(\"QueueName\"))`"), "{e}");
}

#[test]
fn shared_stack_cannot_use_environment_stacks() {
    let app = App::new("ot");
    app.set_environment("dev", false);
    let s = app.stack("Service");
    let q = queue(&s, "Q");
    let boot = app.shared_stack("Bootstrap");
    topic(&boot, "T", q.get_att("QueueName"));
    let e = app.synth().unwrap_err().to_string();
    assert!(e.contains("error: Bootstrap/T [DisplayName]: uses Service/Q.QueueName of stack \"Service\", but this stack is shared by every environment"), "{e}");
}

#[test]
fn export_value_keeps_an_export_nobody_uses() {
    let app = App::new("x");
    let a = app.stack("A");
    let q = queue(&a, "Q");
    a.export_value(q.ref_());
    let s = synth(&app);
    let outs = s.stack("A").unwrap().template["Outputs"].as_object().unwrap().clone();
    assert_eq!(outs.len(), 1);
    let (id, o) = outs.iter().next().unwrap();
    assert_eq!(o["Export"]["Name"], format!("x-A:{id}"));
    // A value of another stack is refused with the reason.
    let b = app.stack("B");
    queue(&b, "Q");
    b.export_value(q.ref_());
    let e = app.synth().unwrap_err().to_string();
    assert!(
        e.contains("error: B [export_value]: export_value takes a ref_() or get_att(..) of a resource of this stack"),
        "{e}"
    );
}

#[test]
fn cdk_cli_lists_environments() {
    let a = synth(&cart("dev", false));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    a.write(&out).unwrap();
    let Some(bin) = stackcraft_testing::tool("cdk/node_modules/.bin/cdk") else { return };
    let o =
        std::process::Command::new(bin).args(["ls", "--long", "--app"]).arg(&out).current_dir(&out).output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{text}");
    for (name, account, region) in [
        ("cart-Registry", "123456789012", "eu-central-1"),
        ("cart-dev-Service", "123456789012", "eu-central-1"),
        ("cart-dev-Edge", "123456789012", "us-east-1"),
        ("cart-dev-Web", "123456789012", "eu-central-1"),
    ] {
        assert!(text.contains(name), "{name} missing:\n{text}");
        assert!(
            text.contains(&format!("account: \"{account}\""))
                || text.contains(&format!("account: '{account}'"))
                || text.contains(&format!("account: {account}")),
            "{text}"
        );
        assert!(text.contains(&format!("region: {region}")), "{region} missing:\n{text}");
    }
}

#[test]
fn regions_must_be_known_to_cross_them() {
    // An unpinned environment using a pinned stack: read in the producer's region.
    let app = App::new("x");
    app.set_environment("dev", false);
    let edge = app.stack("Edge").in_region("us-east-1");
    let cert = queue(&edge, "Cert");
    let web = app.stack("Web");
    let q = queue(&web, "Q");
    topic(&web, "T", cert.get_att("QueueName"));
    let a = synth(&app);
    let get = &a.stack("Web").unwrap().template["Resources"]["T"]["Properties"]["DisplayName"]["Fn::GetStackOutput"];
    assert_eq!(get["Region"], "us-east-1");
    // A pinned stack using an unpinned one cannot know where it is.
    topic(&edge, "T", q.get_att("QueueName"));
    let e = app.synth().unwrap_err().to_string();
    assert!(e.contains("error: Edge/T [DisplayName]: uses Web/Q.QueueName of stack \"Web\", whose region is not known at synth, from a stack pinned to us-east-1; pin the environment's region (Environment::region) or the producer's (Stack::in_region)"), "{e}");
}

#[test]
fn cart_assembly_snapshot() {
    let a = synth(&cart("prod", true));
    let templates: serde_json::Map<String, Json> =
        a.stacks.iter().map(|s| (s.id.clone(), s.template.clone())).collect();
    insta::assert_json_snapshot!("cart_templates", templates);
    let mut manifest = a.manifest();
    manifest["artifacts"].as_object_mut().unwrap().remove("Tree");
    insta::assert_json_snapshot!("cart_manifest", manifest);
}
