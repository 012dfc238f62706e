//! The real AWS CDK CLI (pinned) accepts our cloud assembly.

use serde_json::json;
use stackcraft_core::{App, RawResource, TagFormat};

#[test]
fn cdk_cli_lists_our_stacks() {
    let app = App::new("cli");
    app.set_environment("dev", false);
    let a = app.stack("Network");
    let q = a.add_raw(
        "Queue",
        RawResource::new("AWS::SQS::Queue", json!({"SqsManagedSseEnabled": true})).taggable(TagFormat::List),
    );
    let b = app.stack("Service");
    b.add_raw("Topic", RawResource::new("AWS::SNS::Topic", json!({"DisplayName": q.get_att::<String>("QueueName")})));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    let assembly = app.synth().unwrap();
    assembly.write(&out).unwrap();
    let Some(listed) = stackcraft_testing::cdk_ls(&out) else { return };
    let listed = listed.unwrap_or_else(|e| panic!("cdk ls rejected the assembly:\n{e}"));
    assert_eq!(listed, ["Network (cli-dev-Network)", "Service (cli-dev-Service)"]);
    stackcraft_testing::assert_cfn_lint_clean(&assembly);
}
