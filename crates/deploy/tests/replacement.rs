//! Issue 18 item 7, without the assembly's map: a change set that carries no
//! replacement detail is checked against the L1 layer's generated
//! create-only table (`stackcraft-replacement`).

mod support;

use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::types::{Change, ChangeAction, ChangeSetStatus, ResourceChange, StackStatus};
use aws_sdk_cloudformation::Client;
use aws_smithy_mocks::{mock, Rule};
use stackcraft_deploy::deployer::Prepared;
use stackcraft_deploy::ui::{render_change_set, Ui};
use stackcraft_deploy::{Deployer, PollConfig};
use support::mocked;

const NAME: &str = "app-dev-Data";
const ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/app-dev-Data/1";

fn table(key: &str, name: &str) -> String {
    format!(
        r#"{{"Resources": {{"Table": {{"Type": "AWS::DynamoDB::Table", "Properties": {{"TableName": "{name}", "KeySchema": [{{"AttributeName": "{key}", "KeyType": "HASH"}}], "BillingMode": "PAY_PER_REQUEST"}}}}}}}}"#
    )
}

async fn rendered(deployed: String, new: String) -> String {
    let rules: Vec<Rule> = vec![
        mocked::exists(NAME, StackStatus::UpdateComplete),
        mock!(Client::create_change_set).then_output(|| CreateChangeSetOutput::builder().id("cs").stack_id(ID).build()),
        mock!(Client::describe_change_set).then_output(|| {
            // Only `~ Table`: no replacement, no details.
            let bare = Change::builder()
                .resource_change(
                    ResourceChange::builder()
                        .action(ChangeAction::Modify)
                        .logical_resource_id("Table")
                        .resource_type("AWS::DynamoDB::Table")
                        .build(),
                )
                .build();
            DescribeChangeSetOutput::builder().status(ChangeSetStatus::CreateComplete).changes(bare).build()
        }),
        mocked::template(NAME, deployed),
    ];
    let clients = mocked::clients(&rules);
    // No create-only map from the assembly: the generated table is the fallback.
    let d = Deployer::new(clients, Ui::plain(true), PollConfig::fast(), "x");
    let art = mocked::artifact("Data", NAME, new);
    let Ok(Prepared::Changes { change_set, .. }) = d.prepare(&art, true).await else { panic!("expected changes") };
    render_change_set(&change_set)
}

#[tokio::test]
async fn a_dynamodb_key_change_without_detail_is_flagged_from_the_generated_table() {
    let text = rendered(table("id", "orders"), table("pk", "orders")).await;
    assert!(text.contains("~ Table  AWS::DynamoDB::Table  !!! MAY BE REPLACED !!!"), "{text}");
    assert!(
        text.contains(
            "Properties.KeySchema: [{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}] -> \
             [{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}] (conditional create-only property \
             (CloudFormation gave no replacement detail), may require replacement)"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn a_changed_table_name_will_replace_the_table() {
    let text = rendered(table("id", "orders"), table("id", "orders2")).await;
    assert!(text.contains("~ Table  AWS::DynamoDB::Table  !!! WILL BE REPLACED !!!"), "{text}");
    assert!(text.contains("Properties.TableName: \"orders\" -> \"orders2\" (create-only property"), "{text}");
}

#[tokio::test]
async fn an_in_place_change_is_not_flagged() {
    let new = table("id", "orders").replace("PAY_PER_REQUEST", "PROVISIONED");
    let text = rendered(table("id", "orders"), new).await;
    assert!(!text.contains("REPLACED"), "{text}");
}
