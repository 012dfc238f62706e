//! Issue 18: `--method direct` asks its one question up front, like change
//! sets: no stack prompts on its own.

mod support;

use std::sync::Arc;

use aws_sdk_cloudformation::operation::create_stack::CreateStackOutput;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::update_stack::UpdateStackError;
use aws_sdk_cloudformation::types::StackStatus;
use aws_sdk_cloudformation::Client;
use aws_smithy_mocks::{mock, Rule};
use aws_smithy_types::error::ErrorMetadata;
use stackcraft_deploy::ui::Ui;
use stackcraft_deploy::{Deployer, Error, Method, Operation, PollConfig, StackArtifact, StackResult};
use support::mocked::{self, missing};

const BODY: &str = r#"{"Resources":{"Queue":{"Type":"AWS::SQS::Queue"}}}"#;

fn art(id: &str, name: &str) -> StackArtifact {
    mocked::artifact(id, name, BODY)
}

fn deployed(name: &'static str) -> Rule {
    mocked::exists(name, StackStatus::UpdateComplete)
}

fn deployer(rules: &[Rule], ui: Ui) -> Arc<Deployer> {
    Arc::new(Deployer::new(mocked::clients(rules), ui, PollConfig::fast(), "x").with_method(Method::Direct))
}

#[tokio::test]
async fn direct_updates_ask_once_up_front_and_never_per_stack() {
    let rules = [
        deployed("app-dev-Data"),
        deployed("app-dev-Api"),
        mock!(Client::describe_stack_events).then_output(|| DescribeStackEventsOutput::builder().build()),
        mock!(Client::update_stack).then_error(|| {
            UpdateStackError::generic(
                ErrorMetadata::builder().code("ValidationError").message("No updates are to be performed.").build(),
            )
        }),
    ];
    let ui = Ui::scripted(&[true]);
    let d = deployer(&rules, ui.clone());
    let stacks = [art("Data", "app-dev-Data"), art("Api", "app-dev-Api")];
    d.confirm_up_front(&stacks).await.unwrap();
    assert_eq!(ui.asked(), ["Deploy with --method direct: update app-dev-Data, app-dev-Api (no diff preview)?"]);
    let results = d.run_all(&stacks, Operation::Deploy, 2).await;
    for (s, r) in &results {
        assert!(matches!(r, Ok(StackResult::NoChanges { .. })), "{}: {r:?}", s.stack_name);
    }
    assert_eq!(ui.asked().len(), 1, "no stack asks again: {:?}", ui.asked());
}

#[tokio::test]
async fn no_to_the_direct_question_changes_nothing() {
    let rules = [
        deployed("app-dev-Data"),
        missing("app-dev-New"),
        mock!(Client::create_stack).then_output(|| CreateStackOutput::builder().build()),
    ];
    let ui = Ui::scripted(&[false]);
    let d = deployer(&rules, ui.clone());
    let stacks = [art("New", "app-dev-New"), art("Data", "app-dev-Data")];
    let e = d.confirm_up_front(&stacks).await.unwrap_err();
    assert!(matches!(e, Error::Refused(_)), "{e:?}");
    assert_eq!(e.to_string(), "deploy cancelled; nothing was changed");
    assert_eq!(ui.asked(), ["Deploy with --method direct: create app-dev-New; update app-dev-Data (no diff preview)?"]);
    assert_eq!(rules[2].num_calls(), 0, "nothing created");
}
