//! Fail fast on ECS (issue 18): services followed while their stack
//! updates, with ECS and CloudFormation mocked (aws-smithy-mocks).

mod support;

use std::time::Duration;

use aws_sdk_cloudformation::operation::cancel_update_stack::CancelUpdateStackOutput;
use aws_sdk_ecs::types::{Container, DeploymentRolloutState};
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use stackcraft_deploy::ecs::{follow, FailFast, ServiceRef, Verdict};
use support::mocked::{self, describe_services, service, stopped, task, DEPLOYMENT};

const STACK: &str = "shop-dev-Web";

struct Run {
    verdict: Verdict,
    lines: Vec<String>,
    cancels: usize,
}

async fn run(ecs_rules: Vec<Rule>, policy: FailFast) -> Run {
    let ecs = mocked::ecs_client(&ecs_rules);
    let cancel = mock!(aws_sdk_cloudformation::Client::cancel_update_stack)
        .then_output(|| CancelUpdateStackOutput::builder().build());
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, [&cancel]);
    let lines = mocked::Lines::default();
    let say = lines.say();
    let services =
        [ServiceRef::from_physical_id("WebService", "arn:aws:ecs:eu-west-1:123456789012:service/shop-dev/web")
            .unwrap()];
    let verdict = tokio::time::timeout(
        Duration::from_secs(5),
        follow(&ecs, &cfn, STACK, &services, policy, &say, Duration::from_millis(1)),
    )
    .await
    .expect("a verdict");
    Run { verdict, lines: lines.get(), cancels: cancel.num_calls() }
}

#[tokio::test]
async fn a_crash_looping_task_cancels_the_update_after_three_failures() {
    let mut rules = vec![describe_services(service(
        DeploymentRolloutState::InProgress,
        3,
        &[
            ("e1", "(service web) has started 1 tasks: (task aaa)."),
            ("e2", "(service web) has started 1 tasks: (task bbb)."),
        ],
    ))];
    rules.extend(stopped(vec![
        task(
            "aaa",
            DEPLOYMENT,
            "Essential container in task exited",
            Container::builder().name("web").exit_code(137).build(),
        ),
        task(
            "old",
            "ecs-svc/1111",
            "Scaling activity initiated by deployment",
            Container::builder().name("web").build(),
        ),
    ]));
    let r = run(rules, FailFast::default()).await;
    assert_eq!(
        r.verdict,
        Verdict::Failed {
            service: "WebService".into(),
            reason: "3 task(s) of the new deployment failed to start or stay healthy".into(),
            cancelled: true
        }
    );
    assert_eq!(r.cancels, 1);
    assert!(r.lines.contains(&"shop-dev-Web: WebService: (service web) has started 1 tasks: (task aaa).".to_string()));
    assert!(
        r.lines.contains(
            &"shop-dev-Web: WebService: task aaa stopped: Essential container in task exited; web exited with code 137"
                .to_string()
        ),
        "{:#?}",
        r.lines
    );
    assert!(!r.lines.iter().any(|l| l.contains("task old")), "tasks of the old deployment are not reported");
    assert!(
        r.lines.iter().any(|l| l.contains("fail-fast: cancelled the update (CancelUpdateStack)")),
        "{:#?}",
        r.lines
    );
}

#[tokio::test]
async fn an_image_pull_failure_is_named() {
    let mut rules = vec![describe_services(service(DeploymentRolloutState::InProgress, 3, &[]))];
    rules.extend(stopped(vec![task(
        "ccc",
        DEPLOYMENT,
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref \
         123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:v2: not found",
        Container::builder().name("web").reason("CannotPullContainerError: ref not found").build(),
    )]));
    let r = run(rules, FailFast::default()).await;
    assert!(matches!(r.verdict, Verdict::Failed { cancelled: true, .. }), "{:?}", r.verdict);
    assert!(
        r.lines.iter().any(|l| l.starts_with("shop-dev-Web: WebService: task ccc stopped: CannotPullContainerError:")
            && l.ends_with("; web: CannotPullContainerError: ref not found")),
        "{:#?}",
        r.lines
    );
}

#[tokio::test]
async fn a_tripped_circuit_breaker_is_said_and_cancels() {
    let mut rules = vec![describe_services(service(DeploymentRolloutState::Failed, 1, &[]))];
    rules.extend(stopped(vec![]));
    let r = run(rules, FailFast::default()).await;
    assert_eq!(
        r.verdict,
        Verdict::Failed {
            service: "WebService".into(),
            reason: "the deployment circuit breaker stopped the rollout: ECS deployment circuit breaker: tasks failed \
                     to start."
                .into(),
            cancelled: true
        }
    );
    assert_eq!(r.cancels, 1);
}

#[tokio::test]
async fn a_healthy_rollout_is_never_cancelled() {
    let mut rules = vec![describe_services(service(
        DeploymentRolloutState::Completed,
        0,
        &[("e9", "(service web) has reached a steady state.")],
    ))];
    rules.extend(stopped(vec![]));
    let r = run(rules, FailFast::default()).await;
    assert_eq!(r.verdict, Verdict::Completed);
    assert_eq!(r.cancels, 0);
    assert_eq!(r.lines, ["shop-dev-Web: WebService: (service web) has reached a steady state."]);
}

#[tokio::test]
async fn production_without_fail_fast_reports_but_does_not_cancel() {
    let mut rules = vec![describe_services(service(DeploymentRolloutState::Failed, 4, &[]))];
    rules.extend(stopped(vec![]));
    let r = run(rules, FailFast { cancel: false, max_failed_tasks: 3 }).await;
    assert!(matches!(r.verdict, Verdict::Failed { cancelled: false, .. }), "{:?}", r.verdict);
    assert_eq!(r.cancels, 0);
    assert!(r.lines.iter().any(|l| l.contains("ECS service WebService is failing")), "{:#?}", r.lines);
    assert!(
        r.lines.iter().any(|l| l.contains(
            "not cancelling (fail-fast is off: production, or --no-fail-fast); CloudFormation keeps waiting"
        ) && l.ends_with("`aws cloudformation cancel-update-stack --stack-name shop-dev-Web`")),
        "{:#?}",
        r.lines
    );
}
