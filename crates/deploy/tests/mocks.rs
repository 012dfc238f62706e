//! The deploy state machine against mocked CloudFormation responses
//! (aws-smithy-mocks), for what an emulator cannot produce: per-resource
//! events, CREATE_FAILED -> ROLLBACK_COMPLETE, blocked stacks, an operation
//! already in progress, throttling, "no changes" change sets, termination
//! protection refusing a delete. Rules run in `Sequential` mode, so each test
//! also pins the exact order of API calls.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_cloudformation::config::retry::RetryConfig;
use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_stack::{DeleteStackError, DeleteStackOutput};
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::{DescribeStacksError, DescribeStacksOutput};
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
use aws_sdk_cloudformation::operation::update_termination_protection::UpdateTerminationProtectionOutput;
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, ChangeSetStatus, ChangeSource, Replacement, RequiresRecreation, ResourceAttribute,
    ResourceChange, ResourceChangeDetail, ResourceStatus, ResourceTargetDefinition, Stack, StackEvent,
    StackStatus as CfnStatus,
};
use aws_sdk_cloudformation::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use stackcraft_deploy::aws::Clients;
use stackcraft_deploy::model::{ResourceStatus as Rs, StackStatus};
use stackcraft_deploy::ui::Ui;
use stackcraft_deploy::{Deployer, Error, Operation, PollConfig, StackArtifact, StackResult};

const NAME: &str = "app-dev-Data";
const ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/app-dev-Data/1";
const CS: &str = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/stackcraft-1/1";

fn artifact() -> StackArtifact {
    StackArtifact {
        id: "Data".into(),
        stack_name: NAME.into(),
        template_file: "Data.template.json".into(),
        template_body: r#"{"Resources":{"Queue":{"Type":"AWS::SQS::Queue"},"Topic":{"Type":"AWS::SNS::Topic"}}}"#
            .into(),
        termination_protection: false,
        tags: BTreeMap::from([("app".to_string(), "app".to_string())]),
        dependencies: vec![],
        account: None,
        region: None,
        shared: false,
    }
}

fn deployer(rules: &[Rule], assume_yes: bool) -> Deployer {
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::Sequential, rules, |c| c.retry_config(
        RetryConfig::standard()
            .with_max_attempts(4)
            .with_initial_backoff(Duration::from_millis(1))
            .with_max_backoff(Duration::from_millis(5))
    ));
    let s3 = mock_client!(aws_sdk_s3, RuleMode::Sequential, &[]);
    let sts = mock_client!(aws_sdk_sts, RuleMode::Sequential, &[]);
    let clients = Clients { cloudformation: cfn, s3, sts, region: "us-east-1".into(), config: None };
    Deployer::new(clients, Ui::plain(assume_yes), PollConfig::fast(), "cargo xtask deploy dev")
}

fn stack(status: &str) -> Stack {
    Stack::builder()
        .stack_id(ID)
        .stack_name(NAME)
        .stack_status(CfnStatus::from(status))
        .creation_time(aws_smithy_types::DateTime::from_secs(0))
        .build()
}

fn describe(status: &'static str) -> Rule {
    mock!(Client::describe_stacks).then_output(move || DescribeStacksOutput::builder().stacks(stack(status)).build())
}

fn missing() -> Rule {
    mock!(Client::describe_stacks).then_error(|| {
        DescribeStacksError::generic(
            ErrorMetadata::builder()
                .code("ValidationError")
                .message(format!("Stack with id {NAME} does not exist"))
                .build(),
        )
    })
}

fn event(id: &str, logical: &str, ty: &str, status: &str, reason: Option<&str>) -> StackEvent {
    StackEvent::builder()
        .stack_id(ID)
        .stack_name(NAME)
        .event_id(id)
        .logical_resource_id(logical)
        .resource_type(ty)
        .resource_status(ResourceStatus::from(status))
        .set_resource_status_reason(reason.map(str::to_string))
        .timestamp(aws_smithy_types::DateTime::from_secs(0))
        .build()
}

/// Events, given oldest first (the API returns them newest first).
fn events(mut evs: Vec<StackEvent>) -> Rule {
    evs.reverse();
    mock!(Client::describe_stack_events)
        .then_output(move || DescribeStackEventsOutput::builder().set_stack_events(Some(evs.clone())).build())
}

fn add(logical: &str, ty: &str) -> Change {
    Change::builder()
        .resource_change(
            ResourceChange::builder().action(ChangeAction::Add).logical_resource_id(logical).resource_type(ty).build(),
        )
        .build()
}

fn change_set_created() -> Rule {
    mock!(Client::create_change_set).then_output(|| CreateChangeSetOutput::builder().id(CS).stack_id(ID).build())
}

#[tokio::test]
async fn create_failed_rolls_back_and_reports_each_failed_resource() {
    let stack_ty = "AWS::CloudFormation::Stack";
    let rules = [
        missing(),
        change_set_created(),
        mock!(Client::describe_change_set).then_output(|| {
            DescribeChangeSetOutput::builder()
                .status(ChangeSetStatus::CreateComplete)
                .changes(add("Queue", "AWS::SQS::Queue"))
                .changes(add("Topic", "AWS::SNS::Topic"))
                .build()
        }),
        // The marker: the placeholder stack's REVIEW_IN_PROGRESS event.
        events(vec![event("e0", NAME, stack_ty, "REVIEW_IN_PROGRESS", None)]),
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build()),
        // First poll: running, with per-resource events.
        events(vec![
            event("e0", NAME, stack_ty, "REVIEW_IN_PROGRESS", None),
            event("e1", NAME, stack_ty, "CREATE_IN_PROGRESS", Some("User Initiated")),
            event("e2", "Queue", "AWS::SQS::Queue", "CREATE_IN_PROGRESS", None),
            event("e3", "Topic", "AWS::SNS::Topic", "CREATE_IN_PROGRESS", None),
            event("e4", "Topic", "AWS::SNS::Topic", "CREATE_COMPLETE", None),
        ]),
        describe("CREATE_IN_PROGRESS"),
        // Second poll: the queue fails, everything rolls back.
        events(vec![
            event("e0", NAME, stack_ty, "REVIEW_IN_PROGRESS", None),
            event("e1", NAME, stack_ty, "CREATE_IN_PROGRESS", Some("User Initiated")),
            event("e2", "Queue", "AWS::SQS::Queue", "CREATE_IN_PROGRESS", None),
            event("e3", "Topic", "AWS::SNS::Topic", "CREATE_IN_PROGRESS", None),
            event("e4", "Topic", "AWS::SNS::Topic", "CREATE_COMPLETE", None),
            event(
                "e5",
                "Queue",
                "AWS::SQS::Queue",
                "CREATE_FAILED",
                Some("Value 99999 for VisibilityTimeout is out of range"),
            ),
            event(
                "e6",
                NAME,
                stack_ty,
                "ROLLBACK_IN_PROGRESS",
                Some("The following resource(s) failed to create: [Queue]."),
            ),
            event("e7", "Topic", "AWS::SNS::Topic", "DELETE_COMPLETE", None),
            event("e8", NAME, stack_ty, "ROLLBACK_COMPLETE", None),
        ]),
        describe("ROLLBACK_COMPLETE"),
    ];
    let d = deployer(&rules, true);
    let err = d.deploy(&artifact()).await.unwrap_err();
    match &err {
        Error::StackFailed { status, failures, .. } => {
            assert_eq!(*status, StackStatus::RollbackComplete);
            assert_eq!(failures.len(), 1, "{failures:?}");
            assert_eq!(failures[0].logical_id, "Queue");
            assert_eq!(failures[0].status, Rs::CreateFailed);
            assert!(failures[0].reason.contains("out of range"));
        }
        other => panic!("expected StackFailed, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("final status ROLLBACK_COMPLETE"), "{text}");
    assert!(text.contains("Queue (AWS::SQS::Queue) CREATE_FAILED: Value 99999"), "{text}");
    for r in &rules {
        assert!(r.is_exhausted() || r.num_calls() > 0, "unused rule");
    }
}

#[tokio::test]
async fn rollback_complete_without_terminal_is_blocked_with_next_step() {
    let rules = [describe("ROLLBACK_COMPLETE")];
    let err = deployer(&rules, false).deploy(&artifact()).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Blocked { status: StackStatus::RollbackComplete, .. }), "{err:?}");
    assert!(text.contains("delete-stack --stack-name app-dev-Data"), "{text}");
}

#[tokio::test]
async fn rollback_complete_with_yes_is_deleted_and_recreated() {
    let stack_ty = "AWS::CloudFormation::Stack";
    let rules = [
        describe("ROLLBACK_COMPLETE"),
        events(vec![event("e8", NAME, stack_ty, "ROLLBACK_COMPLETE", None)]),
        mock!(Client::delete_stack).then_output(|| DeleteStackOutput::builder().build()),
        events(vec![
            event("e8", NAME, stack_ty, "ROLLBACK_COMPLETE", None),
            event("e9", NAME, stack_ty, "DELETE_IN_PROGRESS", None),
            event("e10", NAME, stack_ty, "DELETE_COMPLETE", None),
        ]),
        describe("DELETE_COMPLETE"),
        // Then a fresh CREATE change set.
        mock!(Client::create_change_set)
            .match_requests(|r| r.change_set_type().map(|t| t.as_str()) == Some("CREATE"))
            .then_output(|| CreateChangeSetOutput::builder().id(CS).stack_id(ID).build()),
        mock!(Client::describe_change_set).then_output(|| {
            DescribeChangeSetOutput::builder()
                .status(ChangeSetStatus::CreateComplete)
                .changes(add("Queue", "AWS::SQS::Queue"))
                .build()
        }),
    ];
    let d = deployer(&rules, true);
    match d.prepare(&artifact(), false).await.unwrap() {
        stackcraft_deploy::deployer::Prepared::Changes { before, change_set } => {
            assert!(before.is_none());
            assert!(change_set.creates_stack);
            assert_eq!(change_set.changes.len(), 1);
        }
        other => panic!("expected changes, got {other:?}"),
    }
}

#[tokio::test]
async fn update_rollback_failed_names_continue_update_rollback() {
    let rules = [describe("UPDATE_ROLLBACK_FAILED")];
    let err = deployer(&rules, true).deploy(&artifact()).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Blocked { .. }), "{err:?}");
    assert!(text.contains("aws cloudformation continue-update-rollback --stack-name app-dev-Data"), "{text}");
}

#[tokio::test]
async fn in_progress_stack_is_waited_for_then_no_changes_change_set_is_success() {
    let stack_ty = "AWS::CloudFormation::Stack";
    let running = vec![
        event("u1", NAME, stack_ty, "UPDATE_IN_PROGRESS", Some("User Initiated")),
        event("u2", "Queue", "AWS::SQS::Queue", "UPDATE_IN_PROGRESS", None),
    ];
    let mut finished = running.clone();
    finished.push(event("u3", "Queue", "AWS::SQS::Queue", "UPDATE_COMPLETE", None));
    finished.push(event("u4", NAME, stack_ty, "UPDATE_COMPLETE", None));
    let rules = [
        describe("UPDATE_IN_PROGRESS"),
        events(running.clone()),
        describe("UPDATE_IN_PROGRESS"),
        events(finished),
        describe("UPDATE_COMPLETE"),
        mock!(Client::create_change_set)
            .match_requests(|r| r.change_set_type().map(|t| t.as_str()) == Some("UPDATE"))
            .then_output(|| CreateChangeSetOutput::builder().id(CS).stack_id(ID).build()),
        mock!(Client::describe_change_set).then_output(|| {
            DescribeChangeSetOutput::builder()
                .status(ChangeSetStatus::Failed)
                .status_reason("The submitted information didn't contain changes. Submit different information to create a change set.")
                .build()
        }),
        mock!(Client::delete_change_set)
            .match_requests(|r| r.change_set_name() == Some(CS))
            .then_output(|| DeleteChangeSetOutput::builder().build()),
    ];
    let result = deployer(&rules, true).deploy(&artifact()).await.unwrap();
    assert!(matches!(result, StackResult::NoChanges { .. }), "{result:?}");
}

#[tokio::test]
async fn throttling_is_retried_then_succeeds() {
    const THROTTLED: &str = r#"<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>"#;
    let rule = mock!(Client::describe_stacks)
        .sequence()
        .http_status(400, Some(THROTTLED.to_string()))
        .times(2)
        .output(|| DescribeStacksOutput::builder().stacks(stack("UPDATE_COMPLETE")).build())
        .build();
    let d = deployer(std::slice::from_ref(&rule), true);
    let info = d.describe(NAME).await.unwrap().unwrap();
    assert_eq!(info.status, StackStatus::UpdateComplete);
    assert_eq!(rule.num_calls(), 3, "two throttled attempts, then success");
}

#[tokio::test]
async fn update_shows_replacement_and_property_detail() {
    let rules = [
        describe("UPDATE_COMPLETE"),
        change_set_created(),
        mock!(Client::describe_change_set).then_output(|| {
            let detail = ResourceChangeDetail::builder()
                .target(
                    ResourceTargetDefinition::builder()
                        .attribute(ResourceAttribute::Properties)
                        .name("QueueName")
                        .requires_recreation(RequiresRecreation::Always)
                        .build(),
                )
                .change_source(ChangeSource::DirectModification)
                .build();
            DescribeChangeSetOutput::builder()
                .status(ChangeSetStatus::CreateComplete)
                .changes(
                    Change::builder()
                        .resource_change(
                            ResourceChange::builder()
                                .action(ChangeAction::Modify)
                                .logical_resource_id("Queue")
                                .resource_type("AWS::SQS::Queue")
                                .replacement(Replacement::True)
                                .details(detail)
                                .build(),
                        )
                        .build(),
                )
                .build()
        }),
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build()),
    ];
    let result = deployer(&rules, true).diff(&artifact()).await.unwrap();
    assert!(matches!(result, StackResult::Diffed { changes: 1 }), "{result:?}");
}

#[tokio::test]
async fn termination_protection_refuses_delete_with_a_clear_message() {
    let protected = || {
        DescribeStacksOutput::builder()
            .stacks(
                Stack::builder()
                    .stack_id(ID)
                    .stack_name(NAME)
                    .stack_status(CfnStatus::CreateComplete)
                    .enable_termination_protection(true)
                    .creation_time(aws_smithy_types::DateTime::from_secs(0))
                    .build(),
            )
            .build()
    };
    let rules = [
        mock!(Client::describe_stacks).then_output(protected),
        events(vec![]),
        mock!(Client::delete_stack).then_error(|| {
            DeleteStackError::generic(
                ErrorMetadata::builder()
                    .code("ValidationError")
                    .message(format!("Stack [{NAME}] cannot be deleted while TerminationProtection is enabled"))
                    .build(),
            )
        }),
    ];
    let err = deployer(&rules, true).destroy(NAME, false).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::TerminationProtected { .. }), "{err:?}");
    assert!(text.contains("termination protection") && text.contains("--force-production"), "{text}");

    // With the explicit flag, protection is lifted and the delete goes through.
    let stack_ty = "AWS::CloudFormation::Stack";
    let rules = [
        mock!(Client::describe_stacks).then_output(protected),
        mock!(Client::update_termination_protection)
            .match_requests(|r| r.enable_termination_protection() == Some(false))
            .then_output(|| UpdateTerminationProtectionOutput::builder().stack_id(ID).build()),
        events(vec![]),
        mock!(Client::delete_stack).then_output(|| DeleteStackOutput::builder().build()),
        events(vec![
            event("d1", NAME, stack_ty, "DELETE_IN_PROGRESS", None),
            event("d2", NAME, stack_ty, "DELETE_COMPLETE", None),
        ]),
        describe("DELETE_COMPLETE"),
    ];
    let result = deployer(&rules, true).destroy(NAME, true).await.unwrap();
    assert!(matches!(result, StackResult::Destroyed { existed: true, .. }), "{result:?}");
}

#[tokio::test]
async fn dependents_of_a_failed_stack_are_skipped_without_api_calls() {
    // Only the first stack reaches the API: it is blocked, so its dependent
    // is skipped (a second API call would hit no rule and panic).
    let rules = [describe("UPDATE_ROLLBACK_FAILED")];
    let d = std::sync::Arc::new(deployer(&rules, true));
    let first = artifact();
    let mut second = artifact();
    second.id = "Api".into();
    second.stack_name = "app-dev-Api".into();
    second.dependencies = vec!["Data".into()];
    let results = d.run_all(&[first, second], stackcraft_deploy::Operation::Deploy, 4).await;
    assert!(matches!(results[0].1, Err(Error::Blocked { .. })), "{:?}", results[0].1);
    match &results[1].1 {
        Err(Error::Skipped { stack, because_of }) => {
            assert_eq!(stack, "app-dev-Api");
            assert_eq!(because_of, NAME);
        }
        other => panic!("expected Skipped, got {other:?}"),
    }
}

// ---- Issue 14: regions, shared stacks, export retirement ----

fn clients(rules: &[Rule], region: &str, sts_rules: &[Rule]) -> Clients {
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, rules);
    let s3 = mock_client!(aws_sdk_s3, RuleMode::Sequential, &[]);
    let sts = mock_client!(aws_sdk_sts, RuleMode::MatchAny, sts_rules);
    Clients { cloudformation: cfn, s3, sts, region: region.into(), config: None }
}

fn named(id: &str, name: &str, body: &str) -> StackArtifact {
    StackArtifact {
        id: id.into(),
        stack_name: name.into(),
        template_file: format!("{id}.template.json"),
        template_body: body.into(),
        ..artifact()
    }
}

fn stack_with_export(name: &str, export: &str, value: &str) -> Stack {
    Stack::builder()
        .stack_id(format!("arn:aws:cloudformation:us-east-1:123456789012:stack/{name}/1"))
        .stack_name(name)
        .stack_status(CfnStatus::UpdateComplete)
        .creation_time(aws_smithy_types::DateTime::from_secs(0))
        .outputs(
            aws_sdk_cloudformation::types::Output::builder()
                .output_key("QueueArn")
                .output_value(value)
                .export_name(export)
                .build(),
        )
        .build()
}

fn describe_named(stack: Stack) -> Rule {
    let name = stack.stack_name().unwrap_or_default().to_string();
    mock!(Client::describe_stacks)
        .match_requests(move |r| r.stack_name() == Some(name.as_str()))
        .then_output(move || DescribeStacksOutput::builder().stacks(stack.clone()).build())
}

fn imports(export: &'static str, importers: &'static [&'static str]) -> Rule {
    mock!(Client::list_imports).match_requests(move |r| r.export_name() == Some(export)).then_output(move || {
        aws_sdk_cloudformation::operation::list_imports::ListImportsOutput::builder()
            .set_imports(Some(importers.iter().map(|s| s.to_string()).collect()))
            .build()
    })
}

const EXPORT: &str = "app-dev-Data:QueueArn";
const PRODUCER_NEW: &str = r#"{"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}"#;

#[tokio::test]
async fn dropped_export_still_imported_by_a_consumer_of_this_deploy_is_retired_in_two_phases() {
    let consumer_new = r#"{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}"#;
    let rules = [
        describe_named(stack_with_export(NAME, EXPORT, "arn:aws:sqs:us-east-1:1:q")),
        describe_named(
            Stack::builder()
                .stack_name("app-dev-Api")
                .stack_status(CfnStatus::UpdateComplete)
                .creation_time(aws_smithy_types::DateTime::from_secs(0))
                .build(),
        ),
        imports(EXPORT, &["app-dev-Api"]),
    ];
    let d =
        std::sync::Arc::new(Deployer::new(clients(&rules, "us-east-1", &[]), Ui::plain(true), PollConfig::fast(), "x"));
    let producer = named("Data", NAME, PRODUCER_NEW);
    let mut consumer = named("Api", "app-dev-Api", consumer_new);
    consumer.dependencies = vec!["Data".into()];
    let plan = d.plan_exports(&[producer.clone(), consumer.clone()]).await.unwrap();
    assert!(plan.needs_phase2(), "{plan:?}");
    let kept = &plan.producer("Data").unwrap().kept[0];
    assert_eq!((kept.name.as_str(), kept.value.as_str(), kept.retire), (EXPORT, "arn:aws:sqs:us-east-1:1:q", true));
    assert_eq!(
        plan.describe(),
        ["app-dev-Data: export app-dev-Data:QueueArn is dropped by the new template but still imported by \
          app-dev-Api: kept while app-dev-Api update (phase 1), dropped afterwards (phase 2)"]
    );
    // Phase 1: the producer's template keeps the export with its deployed value.
    let phase1 = plan.phase1(&[producer, consumer]).unwrap();
    let t: serde_json::Value = serde_json::from_str(&phase1[0].template_body).unwrap();
    assert_eq!(t["Outputs"]["StackcraftKeptappdevDataQueueArn"]["Export"]["Name"], EXPORT);
    assert_eq!(phase1[1].template_body, consumer_new, "consumers deploy their real template");
}

#[tokio::test]
async fn export_imported_by_a_stack_outside_the_deploy_is_kept_without_phase_two() {
    let rules = [describe_named(stack_with_export(NAME, EXPORT, "v")), imports(EXPORT, &["app-prod-Api"])];
    let d =
        std::sync::Arc::new(Deployer::new(clients(&rules, "us-east-1", &[]), Ui::plain(true), PollConfig::fast(), "x"));
    let plan = d.plan_exports(&[named("Data", NAME, PRODUCER_NEW)]).await.unwrap();
    assert!(!plan.is_empty() && !plan.needs_phase2(), "{plan:?}");
    assert!(plan.describe()[0].contains("(not updated by this deploy): kept until no stack imports it"), "{plan:?}");
}

#[tokio::test]
async fn renamed_export_is_planned_like_a_dropped_one() {
    let renamed = r#"{"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}, "Outputs": {"QueueArn": {"Value": {"Fn::GetAtt": ["Queue", "Arn"]}, "Export": {"Name": "app-dev-Data:QueueArnV2"}}}}"#;
    let consumer = r#"{"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::ImportValue": "app-dev-Data:QueueArnV2"}}}}}"#;
    let rules = [
        describe_named(stack_with_export(NAME, EXPORT, "v")),
        describe_named(
            Stack::builder()
                .stack_name("app-dev-Api")
                .stack_status(CfnStatus::UpdateComplete)
                .creation_time(aws_smithy_types::DateTime::from_secs(0))
                .build(),
        ),
        imports(EXPORT, &["app-dev-Api"]),
    ];
    let d =
        std::sync::Arc::new(Deployer::new(clients(&rules, "us-east-1", &[]), Ui::plain(true), PollConfig::fast(), "x"));
    let plan = d.plan_exports(&[named("Data", NAME, renamed), named("Api", "app-dev-Api", consumer)]).await.unwrap();
    let kept = &plan.producer("Data").unwrap().kept;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].name, EXPORT, "the old name is kept while the consumer moves to the new one");
    assert!(kept[0].retire);
}

#[tokio::test]
async fn destroy_of_a_producer_with_live_importers_is_refused_naming_them() {
    let rules =
        [describe_named(stack_with_export(NAME, EXPORT, "v")), imports(EXPORT, &["app-prod-Api", "app-dev-Data"])];
    let d =
        std::sync::Arc::new(Deployer::new(clients(&rules, "us-east-1", &[]), Ui::plain(true), PollConfig::fast(), "x"));
    let e = d.check_no_outside_importers(&[named("Data", NAME, PRODUCER_NEW)]).await.unwrap_err().to_string();
    assert!(e.contains("app-dev-Data: export app-dev-Data:QueueArn is imported by app-prod-Api"), "{e}");
}

#[tokio::test]
async fn a_stack_pinned_to_another_region_uses_that_regions_client() {
    // The default (us-east-1) client has no rules: any call through it panics.
    let edge_rules = [
        mock!(Client::describe_stacks)
            .then_output(|| DescribeStacksOutput::builder().stacks(stack("UPDATE_COMPLETE")).build()),
        mock!(Client::create_change_set).then_output(|| CreateChangeSetOutput::builder().id(CS).stack_id(ID).build()),
        mock!(Client::describe_change_set).then_output(|| {
            DescribeChangeSetOutput::builder()
                .status(ChangeSetStatus::Failed)
                .status_reason("No updates are to be performed.")
                .build()
        }),
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build()),
    ];
    let sts = [mock!(aws_sdk_sts::Client::get_caller_identity).then_output(|| {
        aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput::builder().account("123456789012").build()
    })];
    let d = Deployer::new(clients(&[], "us-east-1", &[]), Ui::plain(true), PollConfig::fast(), "x")
        .with_region_clients(clients(&edge_rules, "eu-central-1", &sts));
    let d = std::sync::Arc::new(d);
    let mut edge = artifact();
    edge.region = Some("eu-central-1".into());
    edge.account = Some("123456789012".into());
    assert_eq!(d.for_stack(&edge).unwrap().region(), "eu-central-1");
    let results = d.run_all(&[edge.clone()], Operation::Deploy, 1).await;
    assert!(matches!(results[0].1, Ok(StackResult::NoChanges { .. })), "{:?}", results[0].1);
    // Pinned to another account than the credentials': refused before any change.
    edge.account = Some("999999999999".into());
    let results = d.run_all(&[edge], Operation::Deploy, 1).await;
    let e = results[0].1.as_ref().unwrap_err().to_string();
    assert!(e.contains("pinned to account 999999999999, but the credentials are for account 123456789012"), "{e}");
}

#[tokio::test]
async fn shared_stack_is_only_read_unless_included() {
    let deployed = r#"{"Resources": {"Repo": {"Type": "AWS::ECR::Repository"}}}"#;
    let rules = [
        mock!(Client::describe_stacks)
            .then_output(|| DescribeStacksOutput::builder().stacks(stack("UPDATE_COMPLETE")).build()),
        mock!(Client::get_template).then_output(move || {
            aws_sdk_cloudformation::operation::get_template::GetTemplateOutput::builder()
                .template_body(deployed)
                .build()
        }),
    ];
    let d = std::sync::Arc::new(
        Deployer::new(clients(&rules, "us-east-1", &[]), Ui::plain(true), PollConfig::fast(), "x")
            .with_deploy_command("cargo xtask deploy dev --app shop"),
    );
    let mut shared = named("Registry", NAME, deployed);
    shared.shared = true;
    let r = d.run_all(&[shared.clone()], Operation::Deploy, 1).await;
    assert!(matches!(r[0].1, Ok(StackResult::SharedUnchanged { differs: false, .. })), "{:?}", r[0].1);
    shared.template_body = r#"{"Resources": {"Repo": {"Type": "AWS::ECR::Repository", "Properties": {"ImageScanningConfiguration": {"ScanOnPush": true}}}}}"#.into();
    let r = d.run_all(&[shared.clone()], Operation::Deploy, 1).await;
    assert!(matches!(r[0].1, Ok(StackResult::SharedUnchanged { differs: true, .. })), "{:?}", r[0].1);
    // Not deployed yet: an error with the command that deploys it; its dependents are skipped.
    let missing_rules = [missing()];
    let d = std::sync::Arc::new(
        Deployer::new(clients(&missing_rules, "us-east-1", &[]), Ui::plain(true), PollConfig::fast(), "x")
            .with_deploy_command("cargo xtask deploy dev --app shop"),
    );
    let mut app = named("App", "shop-dev-App", PRODUCER_NEW);
    app.dependencies = vec!["Registry".into()];
    let r = d.run_all(&[shared, app], Operation::Deploy, 2).await;
    let e = r[0].1.as_ref().unwrap_err().to_string();
    assert!(
        e.contains(
            "is a shared stack (deployed once for all environments) and is not deployed yet; deploy it with \
                    `cargo xtask deploy dev --app shop --include-shared --stack Registry`"
        ),
        "{e}"
    );
    assert!(matches!(r[1].1, Err(Error::Skipped { .. })), "{:?}", r[1].1);
}

// ---- Issue 18 item 2: one confirmation, up front ----

fn modify(logical: &str) -> Change {
    Change::builder()
        .resource_change(
            ResourceChange::builder()
                .action(ChangeAction::Modify)
                .logical_resource_id(logical)
                .resource_type("AWS::SQS::Queue")
                .replacement(Replacement::False)
                .build(),
        )
        .build()
}

fn two_stack_update_rules() -> Vec<Rule> {
    let settled = |name: &'static str| {
        describe_named(
            Stack::builder()
                .stack_id(format!("arn:aws:cloudformation:us-east-1:123456789012:stack/{name}/1"))
                .stack_name(name)
                .stack_status(CfnStatus::UpdateComplete)
                .creation_time(aws_smithy_types::DateTime::from_secs(0))
                .build(),
        )
    };
    vec![
        settled(NAME),
        settled("app-dev-Api"),
        mock!(Client::describe_stack_events).then_output(|| DescribeStackEventsOutput::builder().build()),
        mock!(Client::create_change_set).then_output(|| CreateChangeSetOutput::builder().id(CS).stack_id(ID).build()),
        mock!(Client::describe_change_set).then_output(|| {
            DescribeChangeSetOutput::builder().status(ChangeSetStatus::CreateComplete).changes(modify("Queue")).build()
        }),
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build()),
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build()),
    ]
}

#[tokio::test]
async fn all_change_sets_are_shown_then_one_question_is_asked() {
    let rules = two_stack_update_rules();
    let ui = Ui::scripted(&[true]);
    let d = std::sync::Arc::new(Deployer::new(clients(&rules, "us-east-1", &[]), ui.clone(), PollConfig::fast(), "x"));
    let data = named("Data", NAME, PRODUCER_NEW);
    let mut api = named("Api", "app-dev-Api", PRODUCER_NEW);
    api.dependencies = vec!["Data".into()];
    let stacks = [data, api];
    d.confirm_up_front(&stacks).await.unwrap();
    assert_eq!(ui.asked(), ["Deploy the changes above to 2 stack(s)?"]);
    let results = d.run_all(&stacks, Operation::Deploy, 2).await;
    for (s, r) in &results {
        assert!(matches!(r, Ok(StackResult::Deployed { .. })), "{}: {r:?}", s.stack_name);
    }
    assert_eq!(ui.asked().len(), 1, "no stack asks again: {:?}", ui.asked());
}

#[tokio::test]
async fn no_to_the_up_front_question_deletes_every_change_set() {
    let rules = two_stack_update_rules();
    let ui = Ui::scripted(&[false]);
    let d = std::sync::Arc::new(Deployer::new(clients(&rules, "us-east-1", &[]), ui, PollConfig::fast(), "x"));
    let stacks = [named("Data", NAME, PRODUCER_NEW), named("Api", "app-dev-Api", PRODUCER_NEW)];
    let e = d.confirm_up_front(&stacks).await.unwrap_err().to_string();
    assert_eq!(e, "deploy cancelled; the change sets were deleted, nothing was changed");
    assert_eq!(rules[6].num_calls(), 2, "both change sets deleted");
    assert_eq!(rules[5].num_calls(), 0, "nothing executed");
}

#[tokio::test]
async fn ctrl_c_at_the_prompt_is_an_interruption_not_a_no() {
    let interrupt = stackcraft_deploy::interrupt::Interrupt::new();
    interrupt.raise();
    let ui = Ui::scripted(&[true]).with_interrupt(interrupt);
    let e = ui.confirm("Deploy?").await.unwrap_err();
    assert!(matches!(e, Error::Interrupted { .. }), "{e:?}");
    assert_eq!(e.exit_code(), 130);
}

// ---- Issue 18: concurrent writers, bounded waits ----

#[tokio::test]
async fn a_change_refused_because_another_writer_is_at_work_says_so() {
    let rules = [
        describe("UPDATE_COMPLETE"),
        mock!(Client::create_change_set).then_error(|| {
            aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetError::generic(
                ErrorMetadata::builder()
                    .code("ValidationError")
                    .message(format!("Stack:{ID} is in UPDATE_IN_PROGRESS state and can not be updated."))
                    .build(),
            )
        }),
    ];
    let e = deployer(&rules, true).deploy(&artifact()).await.unwrap_err().to_string();
    assert!(
        e.starts_with("app-dev-Data: another operation is changing this stack right now (probably another deploy"),
        "{e}"
    );
    assert!(e.contains("`cargo xtask deploy dev` waits for it and then deploys"), "{e}");
}

#[tokio::test]
async fn a_wait_that_never_ends_is_bounded_with_a_message() {
    // A synchronous emulator leaves a failed create CREATE_IN_PROGRESS forever.
    let rules = [
        mock!(Client::describe_stacks)
            .then_output(|| DescribeStacksOutput::builder().stacks(stack("CREATE_IN_PROGRESS")).build()),
        mock!(Client::describe_stack_events).then_output(|| DescribeStackEventsOutput::builder().build()),
    ];
    let poll =
        PollConfig { stall: Duration::from_millis(20), max_wait: Duration::from_millis(150), ..PollConfig::fast() };
    let d = Deployer::new(clients(&rules, "us-east-1", &[]), Ui::plain(true), poll, "cargo xtask deploy dev --app a");
    let e = d.deploy(&artifact()).await.unwrap_err().to_string();
    assert!(e.starts_with("app-dev-Data: stack is CREATE_IN_PROGRESS: stopped waiting after"), "{e}");
    assert!(e.contains("Reattach with `cargo xtask deploy dev --app a`"), "{e}");
}

// ---- Issue 18 item 7: replacement flagged without CloudFormation's detail ----

#[tokio::test]
async fn a_changed_create_only_property_is_flagged_when_the_change_set_has_no_detail() {
    let deployed = r#"{"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}}}}"#;
    let new = r#"{"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}}}}"#;
    let rules = [
        mock!(Client::describe_stacks)
            .then_output(|| DescribeStacksOutput::builder().stacks(stack("UPDATE_COMPLETE")).build()),
        mock!(Client::create_change_set).then_output(|| CreateChangeSetOutput::builder().id(CS).stack_id(ID).build()),
        mock!(Client::describe_change_set).then_output(|| {
            // Only `~ Table`: no replacement, no details (moto; some types).
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
        mock!(Client::get_template).then_output(move || {
            aws_sdk_cloudformation::operation::get_template::GetTemplateOutput::builder()
                .template_body(deployed)
                .build()
        }),
    ];
    let d = Deployer::new(clients(&rules, "us-east-1", &[]), Ui::plain(true), PollConfig::fast(), "x")
        .with_create_only(BTreeMap::from([(
            "AWS::DynamoDB::Table".to_string(),
            vec!["KeySchema".to_string(), "TableName".to_string()],
        )]));
    let art = named("Data", NAME, new);
    let stackcraft_deploy::deployer::Prepared::Changes { change_set, .. } = d.prepare(&art, true).await.unwrap() else {
        panic!("expected changes")
    };
    let text = stackcraft_deploy::ui::render_change_set(&change_set);
    assert!(text.contains("~ Table  AWS::DynamoDB::Table  !!! WILL BE REPLACED !!!"), "{text}");
    assert!(text.contains("Properties.KeySchema: [{\"AttributeName\":\"id\""), "{text}");
    assert!(
        text.contains("create-only property (CloudFormation gave no replacement detail), requires replacement"),
        "{text}"
    );
}
