//! The online diff (`cargo xtask diff ENV`) against mocked CloudFormation
//! (aws-smithy-mocks): deployed template differs, stack missing, stack
//! removed, CloudFormation's verdict (True / Conditional) beside the
//! create-only table's and disagreements marked, change-set failure (clear
//! error, change set deleted), an interruption (change set deleted by the
//! guard), `--fail-on` (exit code 3).

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cloudformation::operation::create_change_set::{CreateChangeSetError, CreateChangeSetOutput};
use aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, ChangeSetStatus, ChangeSource, Replacement, RequiresRecreation, ResourceAttribute,
    ResourceChange, ResourceChangeDetail, ResourceTargetDefinition, StackStatus as CfnStatus,
};
use aws_sdk_cloudformation::Client;
use aws_smithy_mocks::{mock, Rule};
use aws_smithy_types::error::ErrorMetadata;
use stackcraft_deploy::online::{self, ChangeSetGuard, Options};
use stackcraft_deploy::{Assembly, Deployer, Error, StackArtifact};
use support::mocked::{self, missing, template};

const NAME: &str = "app-dev-Data";
const CS: &str = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/stackcraft-diff-1/1";
const OLD: &str =
    r#"{"Resources":{"Queue":{"Type":"AWS::SQS::Queue","Properties":{"QueueName":"a","VisibilityTimeout":30}}}}"#;
const NEW: &str =
    r#"{"Resources":{"Queue":{"Type":"AWS::SQS::Queue","Properties":{"QueueName":"b","VisibilityTimeout":30}}}}"#;

fn art(id: &str, body: &str) -> StackArtifact {
    mocked::artifact(id, &format!("app-dev-{id}"), body)
}

fn assembly(stacks: Vec<StackArtifact>, create_only: &[(&str, &str)]) -> Assembly {
    let mut co: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (t, p) in create_only {
        co.entry((*t).to_owned()).or_default().push((*p).to_owned());
    }
    Assembly {
        dir: PathBuf::from("."),
        app: "app".into(),
        environment: "dev".into(),
        production: false,
        stacks,
        create_only: co,
        tree: Some(serde_json::json!({"id": "App", "path": "", "children": {"Data": {"id": "Data", "path": "Data",
            "children": {"Queue": {"id": "Queue", "path": "Data/Queue", "children": {"Resource": {
                "id": "Resource", "path": "Data/Queue/Resource",
                "attributes": {"stackcraft:logicalId": "Queue"}}}}}}}})),
    }
}

fn deployer(rules: &[Rule]) -> Arc<Deployer> {
    Arc::new(mocked::deployer(rules, true, "cargo xtask diff dev"))
}

/// DescribeStacks of `name`.
fn exists(name: &'static str) -> Rule {
    mocked::exists(name, CfnStatus::UpdateComplete)
}

/// DescribeStacks without a name: every stack of the region.
fn listing(names: &'static [&'static str]) -> Rule {
    mock!(Client::describe_stacks).match_requests(|r| r.stack_name().is_none()).then_output(move || {
        DescribeStacksOutput::builder()
            .set_stacks(Some(names.iter().map(|n| mocked::stack(n, CfnStatus::UpdateComplete)).collect()))
            .build()
    })
}

fn created() -> Rule {
    mock!(Client::create_change_set).then_output(|| CreateChangeSetOutput::builder().id(CS).build())
}

fn deleted() -> Rule {
    mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build())
}

fn modify(replacement: Replacement, recreation: RequiresRecreation) -> Rule {
    mock!(Client::describe_change_set).then_output(move || {
        let detail = ResourceChangeDetail::builder()
            .target(
                ResourceTargetDefinition::builder()
                    .attribute(ResourceAttribute::Properties)
                    .name("QueueName")
                    .requires_recreation(recreation.clone())
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
                            .replacement(replacement.clone())
                            .details(detail)
                            .build(),
                    )
                    .build(),
            )
            .build()
    })
}

fn opts() -> Options {
    Options { concurrency: 4, ..Options::default() }
}

#[tokio::test]
async fn deployed_template_differs_and_cloudformation_confirms_the_replacement() {
    let (cs, del) = (created(), deleted());
    let rules = [
        listing(&[NAME]),
        exists(NAME),
        template(NAME, OLD),
        cs.clone(),
        modify(Replacement::True, RequiresRecreation::Always),
        del.clone(),
    ];
    let guard = ChangeSetGuard::default();
    let a = assembly(vec![art("Data", NEW)], &[("AWS::SQS::Queue", "QueueName")]);
    let out = online::diff(&deployer(&rules), &a, &opts(), &guard).await.unwrap();
    let s = out.report.summary();
    assert_eq!((s.added, s.removed, s.modified, s.replaced, s.stateful), (0, 0, 1, 1, 1));
    assert_eq!(out.report.disagreements(), 0);
    let text = out.report.render();
    assert!(
        text.contains("!! REPLACEMENT of stateful data: Data/Queue [AWS::SQS::Queue] (QueueName changed)"),
        "{text}"
    );
    assert!(text.contains("~ AWS::SQS::Queue Data/Queue (Queue) [REPLACE] (CloudFormation: always)"), "{text}");
    assert!(text.contains("QueueName: \"a\" -> \"b\" (replaces)"), "{text}");
    assert!(
        text.contains("CloudFormation: Properties.QueueName: RequiresRecreation Always (DirectModification)"),
        "{text}"
    );
    let j = out.report.to_json();
    assert_eq!(j["schema_version"], "1");
    let r = &j["stacks"][0]["resources"][0];
    assert_eq!((r["replacement"].as_str(), r["cloudformation_replacement"].as_str()), (Some("always"), Some("always")));
    assert_eq!(r["disagreement"], false);
    assert_eq!((cs.num_calls(), del.num_calls()), (1, 1));
    assert!(guard.pending().is_empty());
}

#[tokio::test]
async fn conditional_verdict_that_the_table_did_not_predict_is_marked_and_counts() {
    let rules = [
        listing(&[NAME]),
        exists(NAME),
        template(NAME, OLD),
        created(),
        modify(Replacement::Conditional, RequiresRecreation::Conditionally),
        deleted(),
    ];
    // No create-only data for the type: the table predicts an in-place update.
    let a = assembly(vec![art("Data", NEW)], &[]);
    let out = online::diff(&deployer(&rules), &a, &opts(), &ChangeSetGuard::default()).await.unwrap();
    assert_eq!(out.report.disagreements(), 1);
    assert_eq!(out.report.summary().replaced, 1);
    let text = out.report.render();
    assert!(
        text.contains("[MAY REPLACE] (CloudFormation: conditional; the create-only table predicted none: DISAGREE)"),
        "{text}"
    );
    assert!(text.contains("1 resource(s) where CloudFormation's replacement verdict differs"), "{text}");
    assert!(text.contains("POSSIBLE REPLACEMENT of stateful data: Data/Queue"), "{text}");
    let r = &out.report.to_json()["stacks"][0]["resources"][0];
    assert_eq!(r["predicted_replacement"], "none");
    assert_eq!(r["cloudformation_replacement"], "conditional");
    assert_eq!(r["disagreement"], true);
}

#[tokio::test]
async fn a_stack_that_does_not_exist_is_all_new_and_gets_no_change_set() {
    let cs = created();
    let rules = [listing(&[]), missing(NAME), cs.clone()];
    let a = assembly(vec![art("Data", NEW)], &[]);
    let out = online::diff(&deployer(&rules), &a, &opts(), &ChangeSetGuard::default()).await.unwrap();
    let s = out.report.summary();
    assert_eq!((s.added, s.removed, s.modified), (1, 0, 0));
    assert_eq!(out.report.stacks[0].status, "added");
    assert!(out.report.render().contains("Stack Data (added)"));
    assert_eq!(cs.num_calls(), 0);
}

#[tokio::test]
async fn a_deployed_stack_the_app_no_longer_has_is_a_removal() {
    // app-dev-Old is the app's (same prefix); other-dev-X is not.
    let cs = created();
    let rules = [
        listing(&["app-dev-Data", "app-dev-Old", "other-dev-X"]),
        exists(NAME),
        template(NAME, NEW),
        exists("app-dev-Old"),
        template("app-dev-Old", r#"{"Resources":{"Bucket":{"Type":"AWS::S3::Bucket"}}}"#),
        cs.clone(),
    ];
    let a = assembly(vec![art("Data", NEW)], &[]);
    let out = online::diff(&deployer(&rules), &a, &opts(), &ChangeSetGuard::default()).await.unwrap();
    let ids: Vec<(&str, &str)> = out.report.stacks.iter().map(|s| (s.id.as_str(), s.status)).collect();
    assert_eq!(ids, [("Data", "unchanged"), ("Old", "removed")]);
    let s = out.report.summary();
    assert_eq!((s.removed, s.stateful), (1, 1));
    assert!(out.report.render().contains("!! REMOVAL of stateful data: Old/Bucket [AWS::S3::Bucket]"));
    // Unchanged and removed stacks need no change set.
    assert_eq!(cs.num_calls(), 0);
}

#[tokio::test]
async fn a_failed_change_set_is_a_clear_error_and_is_deleted() {
    let del = deleted();
    let rules = [
        listing(&[NAME]),
        exists(NAME),
        template(NAME, OLD),
        created(),
        mock!(Client::describe_change_set).then_output(|| {
            DescribeChangeSetOutput::builder()
                .status(ChangeSetStatus::Failed)
                .status_reason("Template error: instance of Fn::GetAtt references undefined resource Nope")
                .build()
        }),
        del.clone(),
    ];
    let guard = ChangeSetGuard::default();
    let a = assembly(vec![art("Data", NEW)], &[]);
    let e = online::diff(&deployer(&rules), &a, &opts(), &guard).await.unwrap_err();
    assert!(
        matches!(&e, Error::ChangeSetFailed { stack, reason } if stack == NAME && reason.contains("undefined resource Nope")),
        "{e:?}"
    );
    assert_eq!(del.num_calls(), 1);
    assert!(guard.pending().is_empty());
}

#[tokio::test]
async fn a_refused_change_set_creation_names_the_operation() {
    let del = deleted();
    let rules = [
        listing(&[NAME]),
        exists(NAME),
        template(NAME, OLD),
        mock!(Client::create_change_set).then_error(|| {
            CreateChangeSetError::generic(
                ErrorMetadata::builder()
                    .code("AccessDenied")
                    .message("not authorized to perform: cloudformation:CreateChangeSet")
                    .build(),
            )
        }),
        del.clone(),
    ];
    let guard = ChangeSetGuard::default();
    let a = assembly(vec![art("Data", NEW)], &[]);
    let e = online::diff(&deployer(&rules), &a, &opts(), &guard).await.unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("CreateChangeSet") && msg.contains("AccessDenied"), "{msg}");
    // Nothing was created: nothing to delete.
    assert_eq!(del.num_calls(), 0);
    assert!(guard.pending().is_empty());
}

#[tokio::test]
async fn template_only_reads_and_creates_no_change_set() {
    let cs = created();
    let rules = [listing(&[NAME]), exists(NAME), template(NAME, OLD), cs.clone()];
    let a = assembly(vec![art("Data", NEW)], &[("AWS::SQS::Queue", "QueueName")]);
    let o = Options { template_only: true, ..opts() };
    let out = online::diff(&deployer(&rules), &a, &o, &ChangeSetGuard::default()).await.unwrap();
    assert_eq!(out.report.summary().replaced, 1);
    assert!(out.report.stacks[0].resources[0].cloudformation.is_none());
    assert_eq!(cs.num_calls(), 0);
}

#[tokio::test]
async fn an_interruption_while_the_change_set_is_created_leaves_it_to_the_guard_which_deletes_it() {
    let del = deleted();
    let rules = [
        listing(&[NAME]),
        exists(NAME),
        template(NAME, OLD),
        created(),
        mock!(Client::describe_change_set)
            .then_output(|| DescribeChangeSetOutput::builder().status(ChangeSetStatus::CreatePending).build()),
        del.clone(),
    ];
    let guard = ChangeSetGuard::default();
    let a = assembly(vec![art("Data", NEW)], &[]);
    let d = deployer(&rules);
    // Ctrl-C: the command line drops the running work (tokio::select!).
    let o = opts();
    let work = online::diff(&d, &a, &o, &guard);
    assert!(tokio::time::timeout(Duration::from_millis(300), work).await.is_err());
    assert_eq!(guard.pending(), [(NAME.to_owned(), CS.to_owned())]);
    assert_eq!(del.num_calls(), 0);
    // ... then deletes what is left.
    assert!(guard.cleanup().await.is_empty());
    assert_eq!(del.num_calls(), 1);
    assert!(guard.pending().is_empty());
}

#[tokio::test]
async fn fail_on_replacement_is_exit_code_3() {
    let rules = [listing(&[NAME]), exists(NAME), template(NAME, OLD)];
    let a = assembly(vec![art("Data", NEW)], &[("AWS::SQS::Queue", "QueueName")]);
    let o =
        Options { template_only: true, json: true, fail_on: vec!["security".into(), "replacement".into()], ..opts() };
    let e = online::run(&deployer(&rules), &a, &o, &ChangeSetGuard::default()).await.unwrap_err();
    assert_eq!(e.exit_code(), 3);
    assert_eq!(e.to_string(), "diff --fail-on: replacement change(s) present");
    let o = Options { fail_on: vec!["security".into()], ..o };
    online::run(&deployer(&rules), &a, &o, &ChangeSetGuard::default()).await.unwrap();
}
