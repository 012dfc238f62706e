//! Mocked AWS clients (aws-smithy-mocks) shared by the deploy tests that
//! drive the library directly: stack artifacts, a deployer over mocked
//! CloudFormation/S3/STS (and ECS), the common CloudFormation answers
//! (DescribeStacks, GetTemplate, ListStackResources) and ECS services,
//! deployments and stopped tasks.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_sdk_cloudformation::operation::describe_stacks::{DescribeStacksError, DescribeStacksOutput};
use aws_sdk_cloudformation::operation::get_template::GetTemplateOutput;
use aws_sdk_cloudformation::operation::list_stack_resources::ListStackResourcesOutput;
use aws_sdk_cloudformation::types::{Stack, StackResourceSummary, StackStatus};
use aws_sdk_ecs::operation::describe_services::DescribeServicesOutput;
use aws_sdk_ecs::operation::describe_tasks::DescribeTasksOutput;
use aws_sdk_ecs::operation::list_tasks::ListTasksOutput;
use aws_sdk_ecs::types::{Container, Deployment, DeploymentRolloutState, Service, ServiceEvent, Task};
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use stackcraft_deploy::aws::Clients;
use stackcraft_deploy::ui::Ui;
use stackcraft_deploy::{Deployer, PollConfig, StackArtifact};

/// The account the mocked STS answers with.
pub const ACCOUNT: &str = "123456789012";

/// A stack artifact `id` named `stack_name` with template `body`.
pub fn artifact(id: &str, stack_name: &str, body: impl Into<String>) -> StackArtifact {
    StackArtifact {
        id: id.into(),
        stack_name: stack_name.into(),
        template_file: format!("{id}.template.json"),
        template_body: body.into(),
        termination_protection: false,
        tags: BTreeMap::new(),
        dependencies: vec![],
        account: None,
        region: None,
        shared: false,
    }
}

/// Clients over mocked CloudFormation (`rules`, any order), S3 (nothing)
/// and STS (GetCallerIdentity: [`ACCOUNT`]), in us-east-1.
pub fn clients(rules: &[Rule]) -> Clients {
    let identity = mock!(aws_sdk_sts::Client::get_caller_identity)
        .then_output(|| GetCallerIdentityOutput::builder().account(ACCOUNT).build());
    Clients {
        cloudformation: mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, rules),
        s3: mock_client!(aws_sdk_s3, RuleMode::MatchAny, &[]),
        sts: mock_client!(aws_sdk_sts, RuleMode::MatchAny, [&identity]),
        region: "us-east-1".into(),
        config: None,
    }
}

/// A deployer over [`clients`] with plain output and fast polling.
pub fn deployer(rules: &[Rule], assume_yes: bool, reattach: &str) -> Deployer {
    Deployer::new(clients(rules), Ui::plain(assume_yes), PollConfig::fast(), reattach)
}

/// A mocked ECS client answering `rules` in any order.
pub fn ecs_client(rules: &[Rule]) -> aws_sdk_ecs::Client {
    mock_client!(aws_sdk_ecs, RuleMode::MatchAny, rules)
}

/// The stack `name` in `status`.
pub fn stack(name: &str, status: StackStatus) -> Stack {
    Stack::builder()
        .stack_id(format!("arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/{name}/1"))
        .stack_name(name)
        .stack_status(status)
        .creation_time(aws_smithy_types::DateTime::from_secs(0))
        .build()
}

/// DescribeStacks of `name`: it exists, in `status`.
pub fn exists(name: &'static str, status: StackStatus) -> Rule {
    mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .match_requests(move |r| r.stack_name() == Some(name))
        .then_output(move || DescribeStacksOutput::builder().stacks(stack(name, status.clone())).build())
}

/// DescribeStacks of `name`: it does not exist.
pub fn missing(name: &'static str) -> Rule {
    mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .match_requests(move |r| r.stack_name() == Some(name))
        .then_error(move || {
            DescribeStacksError::generic(
                ErrorMetadata::builder()
                    .code("ValidationError")
                    .message(format!("Stack with id {name} does not exist"))
                    .build(),
            )
        })
}

/// GetTemplate of `name`: `body`.
pub fn template(name: &'static str, body: impl Into<String>) -> Rule {
    let body = body.into();
    mock!(aws_sdk_cloudformation::Client::get_template)
        .match_requests(move |r| r.stack_name() == Some(name))
        .then_output(move || GetTemplateOutput::builder().template_body(&body).build())
}

/// ListStackResources: `(logical id, type, physical id)`.
pub fn resources(list: &[(&str, &str, &str)]) -> Rule {
    let summaries: Vec<StackResourceSummary> = list
        .iter()
        .map(|(l, t, p)| {
            StackResourceSummary::builder()
                .logical_resource_id(*l)
                .resource_type(*t)
                .physical_resource_id(*p)
                .resource_status(aws_sdk_cloudformation::types::ResourceStatus::UpdateComplete)
                .last_updated_timestamp(aws_smithy_types::DateTime::from_secs(0))
                .build()
        })
        .collect();
    mock!(aws_sdk_cloudformation::Client::list_stack_resources).then_output(move || {
        ListStackResourcesOutput::builder().set_stack_resource_summaries(Some(summaries.clone())).build()
    })
}

/// The primary deployment's id in [`service`].
pub const DEPLOYMENT: &str = "ecs-svc/2222";

/// ECS service `web` whose primary deployment ([`DEPLOYMENT`]) is in
/// `rollout` with `failed` failed tasks, an older ACTIVE one, and `events`
/// (given oldest first).
pub fn service(rollout: DeploymentRolloutState, failed: i32, events: &[(&str, &str)]) -> Service {
    let mut s = Service::builder()
        .service_name("web")
        .deployments(
            Deployment::builder()
                .id(DEPLOYMENT)
                .status("PRIMARY")
                .rollout_state(rollout.clone())
                .set_rollout_state_reason(
                    (rollout == DeploymentRolloutState::Failed)
                        .then(|| "ECS deployment circuit breaker: tasks failed to start.".to_string()),
                )
                .failed_tasks(failed)
                .build(),
        )
        .deployments(Deployment::builder().id("ecs-svc/1111").status("ACTIVE").build());
    // The API lists events newest first.
    for (id, m) in events.iter().rev() {
        s = s.events(ServiceEvent::builder().id(*id).message(*m).build());
    }
    s.build()
}

/// DescribeServices: `svc`.
pub fn describe_services(svc: Service) -> Rule {
    mock!(aws_sdk_ecs::Client::describe_services)
        .then_output(move || DescribeServicesOutput::builder().services(svc.clone()).build())
}

/// ListTasks (stopped) and DescribeTasks: `tasks`.
pub fn stopped(tasks: Vec<Task>) -> Vec<Rule> {
    let arns: Vec<String> = tasks.iter().filter_map(|t| t.task_arn().map(str::to_string)).collect();
    vec![
        mock!(aws_sdk_ecs::Client::list_tasks)
            .then_output(move || ListTasksOutput::builder().set_task_arns(Some(arns.clone())).build()),
        mock!(aws_sdk_ecs::Client::describe_tasks)
            .then_output(move || DescribeTasksOutput::builder().set_tasks(Some(tasks.clone())).build()),
    ]
}

/// A stopped task `id` of deployment `started_by`.
pub fn task(id: &str, started_by: &str, reason: &str, container: Container) -> Task {
    Task::builder()
        .task_arn(format!("arn:aws:ecs:eu-west-1:{ACCOUNT}:task/shop-dev/{id}"))
        .started_by(started_by)
        .stopped_reason(reason)
        .containers(container)
        .build()
}

/// Lines printed through a `say` callback, collected.
#[derive(Debug, Clone, Default)]
pub struct Lines(pub Arc<Mutex<Vec<String>>>);

impl Lines {
    /// The callback that records.
    pub fn say(&self) -> impl Fn(&str) + Send + Sync + 'static {
        let sink = Arc::clone(&self.0);
        move |l: &str| sink.lock().unwrap().push(l.to_string())
    }

    /// What was recorded.
    pub fn get(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}
