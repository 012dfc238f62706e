//! Issue 18: `--method direct` asks its one question up front, like change
//! sets: no stack prompts on its own.

use std::sync::Arc;

use aws_sdk_cloudformation::operation::create_stack::CreateStackOutput;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::{DescribeStacksError, DescribeStacksOutput};
use aws_sdk_cloudformation::operation::update_stack::UpdateStackError;
use aws_sdk_cloudformation::types::{Stack, StackStatus};
use aws_sdk_cloudformation::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use stackcraft_deploy::aws::Clients;
use stackcraft_deploy::ui::Ui;
use stackcraft_deploy::{Deployer, Error, Method, Operation, PollConfig, StackArtifact, StackResult};

const BODY: &str = r#"{"Resources":{"Queue":{"Type":"AWS::SQS::Queue"}}}"#;

fn art(id: &str, name: &str) -> StackArtifact {
    StackArtifact {
        id: id.into(),
        stack_name: name.into(),
        template_file: format!("{id}.template.json"),
        template_body: BODY.into(),
        termination_protection: false,
        tags: Default::default(),
        dependencies: vec![],
        account: None,
        region: None,
        shared: false,
    }
}

fn deployed(name: &'static str) -> Rule {
    mock!(Client::describe_stacks).match_requests(move |r| r.stack_name() == Some(name)).then_output(move || {
        DescribeStacksOutput::builder()
            .stacks(
                Stack::builder()
                    .stack_id(format!("arn:aws:cloudformation:us-east-1:123456789012:stack/{name}/1"))
                    .stack_name(name)
                    .stack_status(StackStatus::UpdateComplete)
                    .creation_time(aws_smithy_types::DateTime::from_secs(0))
                    .build(),
            )
            .build()
    })
}

fn missing(name: &'static str) -> Rule {
    mock!(Client::describe_stacks).match_requests(move |r| r.stack_name() == Some(name)).then_error(move || {
        DescribeStacksError::generic(
            ErrorMetadata::builder()
                .code("ValidationError")
                .message(format!("Stack with id {name} does not exist"))
                .build(),
        )
    })
}

fn deployer(rules: &[Rule], ui: Ui) -> Arc<Deployer> {
    let clients = Clients {
        cloudformation: mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, rules),
        s3: mock_client!(aws_sdk_s3, RuleMode::MatchAny, &[]),
        sts: mock_client!(aws_sdk_sts, RuleMode::MatchAny, &[]),
        region: "us-east-1".into(),
        config: None,
    };
    Arc::new(Deployer::new(clients, ui, PollConfig::fast(), "x").with_method(Method::Direct))
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
