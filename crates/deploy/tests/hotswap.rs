//! `deploy --hotswap` (issue 18, fast inner loop) against mocked
//! CloudFormation and ECS (aws-smithy-mocks): an image-only and an
//! environment-only change are hotswapped (RegisterTaskDefinition with the
//! rest of the live definition unchanged, UpdateService with the new
//! revision), anything else falls back to a change set with the reason,
//! production is refused, a service that does not stabilise fails the run
//! with the stopped task's reason, Ctrl-C during the wait exits 130 with
//! the next step.

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudformation::types::StackStatus;
use aws_sdk_ecs::operation::describe_task_definition::DescribeTaskDefinitionOutput;
use aws_sdk_ecs::operation::register_task_definition::{RegisterTaskDefinitionInput, RegisterTaskDefinitionOutput};
use aws_sdk_ecs::operation::update_service::{UpdateServiceInput, UpdateServiceOutput};
use aws_sdk_ecs::types::{
    Compatibility, Container, ContainerDefinition, DeploymentRolloutState, KeyValuePair, LogConfiguration, LogDriver,
    NetworkMode, Secret, Tag, TaskDefinition,
};
use aws_smithy_mocks::{mock, Rule};
use serde_json::{json, Value as Json};
use stackcraft_deploy::ecs::FailFast;
use stackcraft_deploy::hotswap::{DriftFile, HotswapRun, StackPlan, DRIFT_FILE};
use stackcraft_deploy::interrupt::Interrupt;
use stackcraft_deploy::{Deployer, Error, StackResult};
use support::mocked::{self, ACCOUNT, DEPLOYMENT};

const NAME: &str = "shop-dev-Web";
const OLD_TD: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1";
const NEW_TD: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2";
const SERVICE: &str = "arn:aws:ecs:us-east-1:123456789012:service/shop-dev/web";
const OLD_IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web:v1";
const NEW_IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web:v2";

/// The Web stack's template: image tag `tag` from the stack's ECR
/// repository, environment `env`, task cpu `cpu`.
fn template(tag: &str, env: Json, cpu: &str) -> String {
    json!({
        "Resources": {
            "Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "shop/web"}},
            "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {}},
            "Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "Family": "web", "Cpu": cpu, "Memory": "512", "NetworkMode": "awsvpc",
                "RequiresCompatibilities": ["FARGATE"],
                "ContainerDefinitions": [{
                    "Name": "web",
                    "Image": {"Fn::Join": ["", [{"Fn::GetAtt": ["Repo", "RepositoryUri"]}, format!(":{tag}")]]},
                    "Environment": env,
                    "Secrets": [{"Name": "DB_PASSWORD", "ValueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"}]
                }]
            }, "Metadata": {"aws:cdk:path": "Web/Task/Resource"}},
            "Service": {"Type": "AWS::ECS::Service", "Properties": {
                "Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "Task"}, "LaunchType": "FARGATE"
            }}
        }
    })
    .to_string()
}

fn env(pairs: &[(&str, &str)]) -> Json {
    Json::Array(pairs.iter().map(|(k, v)| json!({"Name": k, "Value": v})).collect())
}

fn deployed() -> String {
    template("v1", env(&[("LOG_LEVEL", "info")]), "256")
}

/// The live task definition (what DescribeTaskDefinition returns).
fn live() -> TaskDefinition {
    TaskDefinition::builder()
        .task_definition_arn(OLD_TD)
        .family("web")
        .revision(1)
        .task_role_arn("arn:aws:iam::123456789012:role/web-task")
        .execution_role_arn("arn:aws:iam::123456789012:role/web-exec")
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("256")
        .memory("512")
        .container_definitions(
            ContainerDefinition::builder()
                .name("web")
                .image(OLD_IMAGE)
                .essential(true)
                .environment(KeyValuePair::builder().name("LOG_LEVEL").value("info").build())
                .secrets(
                    Secret::builder()
                        .name("DB_PASSWORD")
                        .value_from("arn:aws:secretsmanager:us-east-1:123456789012:secret:db")
                        .build()
                        .unwrap(),
                )
                .log_configuration(
                    LogConfiguration::builder()
                        .log_driver(LogDriver::Awslogs)
                        .options("awslogs-group", "/shop/web")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .build()
}

/// What ECS was asked.
#[derive(Default, Clone)]
struct Calls {
    registered: Arc<Mutex<Vec<RegisterTaskDefinitionInput>>>,
    updated: Arc<Mutex<Vec<UpdateServiceInput>>>,
}

fn ecs_rules(
    calls: &Calls,
    rollout: DeploymentRolloutState,
    failed: i32,
    stopped: Vec<aws_sdk_ecs::types::Task>,
) -> Vec<Rule> {
    let (reg, upd) = (Arc::clone(&calls.registered), Arc::clone(&calls.updated));
    let mut rules = vec![
        mock!(aws_sdk_ecs::Client::describe_task_definition)
            .match_requests(|r| r.task_definition() == Some(OLD_TD))
            .then_output(|| {
                DescribeTaskDefinitionOutput::builder()
                    .task_definition(live())
                    .tags(Tag::builder().key("app").value("shop").build())
                    .build()
            }),
        mock!(aws_sdk_ecs::Client::register_task_definition)
            .match_requests(move |r| {
                reg.lock().unwrap().push(r.clone());
                true
            })
            .then_output(|| {
                RegisterTaskDefinitionOutput::builder()
                    .task_definition(TaskDefinition::builder().task_definition_arn(NEW_TD).build())
                    .build()
            }),
        mock!(aws_sdk_ecs::Client::update_service)
            .match_requests(move |r| {
                upd.lock().unwrap().push(r.clone());
                true
            })
            .then_output(|| UpdateServiceOutput::builder().build()),
        mocked::describe_services(mocked::service(
            rollout,
            failed,
            &[("e1", "(service web) has started 1 tasks: (task aaa).")],
        )),
    ];
    rules.extend(mocked::stopped(stopped));
    rules
}

fn cfn_rules() -> Vec<Rule> {
    vec![
        mocked::exists(NAME, StackStatus::UpdateComplete),
        mocked::template(NAME, deployed()),
        mocked::resources(&[
            ("Repo", "AWS::ECR::Repository", "shop/web"),
            ("Cluster", "AWS::ECS::Cluster", "shop-dev"),
            ("Task", "AWS::ECS::TaskDefinition", OLD_TD),
            ("Service", "AWS::ECS::Service", SERVICE),
        ]),
    ]
}

fn hotswapper(ecs: &[Rule], interrupt: Interrupt) -> Arc<Deployer> {
    Arc::new(
        mocked::deployer(&cfn_rules(), true, "cargo xtask deploy dev --app shop")
            .with_deploy_command("cargo xtask deploy dev --app shop")
            .with_ecs(mocked::ecs_client(ecs), FailFast::default())
            .with_interrupt(interrupt),
    )
}

/// [`hotswapper`] recording its drift in `drift`.
fn recording(ecs: &[Rule], interrupt: Interrupt, drift: &Path) -> Arc<Deployer> {
    Arc::new(
        mocked::deployer(&cfn_rules(), true, "cargo xtask deploy dev --app shop")
            .with_deploy_command("cargo xtask deploy dev --app shop")
            .with_ecs(mocked::ecs_client(ecs), FailFast::default())
            .with_interrupt(interrupt)
            .with_drift_file(drift),
    )
}

/// The drift record at `path`: stack → (running, template) revisions.
fn recorded(path: &Path) -> Vec<(String, String, String)> {
    DriftFile::load(path)
        .stacks
        .iter()
        .flat_map(|(stack, s)| {
            s.iter().map(|s| (stack.clone(), s.running_revision.clone(), s.template_revision.clone()))
        })
        .collect()
}

async fn hotswap(new: String, calls: &Calls) -> HotswapRun {
    let d = hotswapper(&ecs_rules(calls, DeploymentRolloutState::Completed, 0, vec![]), Interrupt::new());
    tokio::time::timeout(Duration::from_secs(10), d.deploy_hotswap(&[mocked::artifact("Web", NAME, new)]))
        .await
        .expect("no hang")
        .expect("hotswap run")
}

fn env_of(c: &ContainerDefinition) -> Vec<(String, String)> {
    c.environment()
        .iter()
        .map(|kv| (kv.name().unwrap_or_default().to_string(), kv.value().unwrap_or_default().to_string()))
        .collect()
}

/// Everything but the image and environment is the live definition's.
fn assert_rest_unchanged(r: &RegisterTaskDefinitionInput) {
    let l = live();
    assert_eq!(r.family(), Some("web"));
    assert_eq!(r.task_role_arn(), l.task_role_arn());
    assert_eq!(r.execution_role_arn(), l.execution_role_arn());
    assert_eq!(r.network_mode(), Some(&NetworkMode::Awsvpc));
    assert_eq!(r.requires_compatibilities(), [Compatibility::Fargate]);
    assert_eq!((r.cpu(), r.memory()), (Some("256"), Some("512")));
    assert_eq!(r.tags(), [Tag::builder().key("app").value("shop").build()]);
    let (new, old) = (&r.container_definitions()[0], &l.container_definitions()[0]);
    assert_eq!(new.secrets(), old.secrets());
    assert_eq!(new.log_configuration(), old.log_configuration());
    assert_eq!(new.essential(), Some(true));
}

#[tokio::test]
async fn an_image_only_change_is_hotswapped() {
    let calls = Calls::default();
    let run = hotswap(template("v2", env(&[("LOG_LEVEL", "info")]), "256"), &calls).await;
    assert!(run.change_set.is_empty(), "nothing goes through a change set");
    let [(art, Ok(StackResult::Hotswapped { swapped, .. }))] = run.results.as_slice() else {
        panic!("{:?}", run.results)
    };
    assert_eq!(art.stack_name, NAME);
    assert_eq!((swapped[0].template_revision.as_str(), swapped[0].running_revision.as_str()), (OLD_TD, NEW_TD));
    assert_eq!(swapped[0].services, [("shop-dev".to_string(), SERVICE.to_string())]);
    let registered = calls.registered.lock().unwrap().clone();
    assert_eq!(registered.len(), 1);
    let c = &registered[0].container_definitions()[0];
    assert_eq!(c.image(), Some(NEW_IMAGE), "the new image, the stack's ECR repository URI evaluated");
    assert_eq!(env_of(c), [("LOG_LEVEL".to_string(), "info".to_string())]);
    assert_rest_unchanged(&registered[0]);
    let updated = calls.updated.lock().unwrap().clone();
    assert_eq!(updated.len(), 1);
    assert_eq!(
        (updated[0].cluster(), updated[0].service(), updated[0].task_definition()),
        (Some("shop-dev"), Some(SERVICE), Some(NEW_TD))
    );
}

#[tokio::test]
async fn an_environment_only_change_is_hotswapped() {
    let calls = Calls::default();
    let run = hotswap(template("v1", env(&[("LOG_LEVEL", "debug"), ("FEATURE_X", "on")]), "256"), &calls).await;
    assert!(matches!(run.results.as_slice(), [(_, Ok(StackResult::Hotswapped { .. }))]), "{:?}", run.results);
    let registered = calls.registered.lock().unwrap().clone();
    let c = &registered[0].container_definitions()[0];
    assert_eq!(c.image(), Some(OLD_IMAGE), "the image is the live one");
    assert_eq!(
        env_of(c),
        [("LOG_LEVEL".to_string(), "debug".to_string()), ("FEATURE_X".to_string(), "on".to_string())],
        "the live order kept, the new variable appended"
    );
    assert_rest_unchanged(&registered[0]);
    assert_eq!(calls.updated.lock().unwrap()[0].task_definition(), Some(NEW_TD));
}

#[tokio::test]
async fn any_other_change_falls_back_to_a_change_set_with_the_reason() {
    let calls = Calls::default();
    let new = template("v2", env(&[("LOG_LEVEL", "info")]), "512");
    let d = hotswapper(&ecs_rules(&calls, DeploymentRolloutState::Completed, 0, vec![]), Interrupt::new());
    let art = mocked::artifact("Web", NAME, new.clone());
    assert_eq!(
        d.hotswap_plan(&art).await.unwrap(),
        StackPlan::Fallback("Task (AWS::ECS::TaskDefinition): property Cpu changed".into())
    );
    let run = hotswap(new, &calls).await;
    assert!(run.results.is_empty());
    assert_eq!(run.change_set.iter().map(|s| s.stack_name.as_str()).collect::<Vec<_>>(), [NAME]);
    assert!(calls.registered.lock().unwrap().is_empty(), "nothing registered");
    assert!(calls.updated.lock().unwrap().is_empty(), "no service touched");
    // So does a change of the stack's tags (only a stack update applies them).
    let mut tagged = mocked::artifact("Web", NAME, template("v2", env(&[("LOG_LEVEL", "info")]), "256"));
    tagged.tags.insert("team".into(), "web".into());
    assert_eq!(d.hotswap_plan(&tagged).await.unwrap(), StackPlan::Fallback("the stack's tags change".into()));
    // An unchanged template is a normal deploy too (it says "no changes").
    let same = mocked::artifact("Web", NAME, deployed());
    assert_eq!(d.hotswap_plan(&same).await.unwrap(), StackPlan::Unchanged);
}

#[tokio::test]
async fn a_stack_that_does_not_exist_yet_falls_back() {
    let d = Deployer::new(
        mocked::clients(&[mocked::missing(NAME)]),
        stackcraft_deploy::ui::Ui::plain(true),
        stackcraft_deploy::PollConfig::fast(),
        "x",
    );
    let art = mocked::artifact("Web", NAME, deployed());
    assert_eq!(d.hotswap_plan(&art).await.unwrap(), StackPlan::Fallback("the stack does not exist yet".into()));
}

#[tokio::test]
async fn a_service_that_does_not_stabilise_fails_with_the_stopped_task_reason() {
    let calls = Calls::default();
    let crash = mocked::task(
        "aaa",
        DEPLOYMENT,
        "Essential container in task exited",
        Container::builder().name("web").exit_code(1).build(),
    );
    let tmp = tempfile::tempdir().unwrap();
    let record = tmp.path().join(DRIFT_FILE);
    let d =
        recording(&ecs_rules(&calls, DeploymentRolloutState::InProgress, 3, vec![crash]), Interrupt::new(), &record);
    let art = mocked::artifact("Web", NAME, template("v2", env(&[("LOG_LEVEL", "info")]), "256"));
    let run = tokio::time::timeout(Duration::from_secs(10), d.deploy_hotswap(&[art])).await.unwrap().unwrap();
    let [(_, Err(e))] = run.results.as_slice() else { panic!("{:?}", run.results) };
    assert!(matches!(e, Error::HotswapFailed { .. }), "{e:?}");
    assert_eq!(e.exit_code(), 1);
    assert_eq!(
        e.to_string(),
        format!(
            "shop-dev-Web: hotswap failed: ECS service Service did not stabilise on the hotswapped task definition: 3 \
             task(s) of the new deployment failed to start or stay healthy; last stopped task: task aaa stopped: \
             Essential container in task exited; web exited with code 1. The services run the hotswapped revision \
             (drift recorded: the next full deploy undoes it). Fix the image or environment and rerun `cargo xtask \
             deploy dev --app shop --hotswap`, or put the service back on the revision CloudFormation holds: `aws ecs \
             update-service --cluster shop-dev --service {SERVICE} --task-definition {OLD_TD}`"
        )
    );
    // The failure came after UpdateService: the services run the new revision, recorded.
    assert_eq!(recorded(&record), [(NAME.to_string(), NEW_TD.to_string(), OLD_TD.to_string())]);
}

#[tokio::test]
async fn a_failure_before_any_update_service_records_nothing() {
    let calls = Calls::default();
    let mut rules = ecs_rules(&calls, DeploymentRolloutState::Completed, 0, vec![]);
    // RegisterTaskDefinition is refused: no service was touched.
    rules[1] = mock!(aws_sdk_ecs::Client::register_task_definition).then_error(|| {
        aws_sdk_ecs::operation::register_task_definition::RegisterTaskDefinitionError::generic(
            aws_smithy_types::error::ErrorMetadata::builder()
                .code("ClientException")
                .message("Too many concurrent attempts to create a new revision of the specified family.")
                .build(),
        )
    });
    let tmp = tempfile::tempdir().unwrap();
    let record = tmp.path().join(DRIFT_FILE);
    let d = recording(&rules, Interrupt::new(), &record);
    let art = mocked::artifact("Web", NAME, template("v2", env(&[("LOG_LEVEL", "info")]), "256"));
    let run = tokio::time::timeout(Duration::from_secs(10), d.deploy_hotswap(&[art])).await.unwrap().unwrap();
    let [(_, Err(e))] = run.results.as_slice() else { panic!("{:?}", run.results) };
    assert!(e.to_string().contains("RegisterTaskDefinition"), "{e}");
    assert!(calls.updated.lock().unwrap().is_empty());
    assert!(!record.exists(), "no UpdateService call, no drift recorded");
}

#[tokio::test]
async fn ctrl_c_while_waiting_for_the_services_says_what_goes_on_and_exits_130() {
    let calls = Calls::default();
    let interrupt = Interrupt::new();
    let tmp = tempfile::tempdir().unwrap();
    let record = tmp.path().join(DRIFT_FILE);
    let d = recording(&ecs_rules(&calls, DeploymentRolloutState::InProgress, 0, vec![]), interrupt.clone(), &record);
    let art = mocked::artifact("Web", NAME, template("v2", env(&[("LOG_LEVEL", "info")]), "256"));
    let raise = {
        let calls = calls.clone();
        tokio::spawn(async move {
            // Once the service was updated, the run is waiting for it.
            while calls.updated.lock().unwrap().is_empty() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            interrupt.raise();
        })
    };
    let run = tokio::time::timeout(Duration::from_secs(10), d.deploy_hotswap(&[art])).await.unwrap().unwrap();
    raise.await.unwrap();
    let [(_, Err(e))] = run.results.as_slice() else { panic!("{:?}", run.results) };
    assert_eq!(e.exit_code(), 130);
    assert_eq!(
        e.to_string(),
        format!(
            "shop-dev-Web: interrupted; the services' ECS deployments of the hotswapped revision go on without \
             CloudFormation (drift recorded: the next full deploy undoes it); follow them with `aws ecs \
             describe-services --cluster shop-dev --services {SERVICE}`; rerun `cargo xtask deploy dev --app shop \
             --hotswap` to swap and follow again, or `cargo xtask deploy dev --app shop` to hand the services back to \
             CloudFormation"
        )
    );
    // UpdateService was called before the Ctrl-C: the drift is recorded although the wait did not finish.
    assert_eq!(recorded(&record), [(NAME.to_string(), NEW_TD.to_string(), OLD_TD.to_string())]);
}

#[tokio::test]
async fn ctrl_c_before_any_update_service_records_nothing() {
    let calls = Calls::default();
    let interrupt = Interrupt::new();
    let tmp = tempfile::tempdir().unwrap();
    let record = tmp.path().join(DRIFT_FILE);
    let d = recording(&ecs_rules(&calls, DeploymentRolloutState::Completed, 0, vec![]), interrupt.clone(), &record);
    let art = mocked::artifact("Web", NAME, template("v2", env(&[("LOG_LEVEL", "info")]), "256"));
    let plan = d.plan_hotswap(std::slice::from_ref(&art)).await.unwrap();
    interrupt.raise();
    let results = d.apply_hotswap(plan.swaps).await;
    let [(_, Err(e))] = results.as_slice() else { panic!("{results:?}") };
    assert_eq!(e.exit_code(), 130);
    assert!(e.to_string().contains("nothing was hotswapped"), "{e}");
    assert!(calls.updated.lock().unwrap().is_empty());
    assert!(!record.exists(), "nothing recorded without an UpdateService call");
}

#[test]
fn production_is_refused_naming_the_flag() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("Web.json"), deployed()).unwrap();
    std::fs::write(
        d.path().join("manifest.json"),
        r#"{"version": "36.0.0", "artifacts": {"Web": {"type": "aws:cloudformation:stack",
            "properties": {"templateFile": "Web.json", "terminationProtection": true}}}}"#,
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stackcraft-deploy"))
        .args(["deploy", "prod", "--assembly"])
        .arg(d.path())
        .args(["--hotswap", "--yes"])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim(),
        format!(
            "error: --hotswap is not allowed here: prod is a production environment, and hotswap (for dev \
             environments only) changes ECS services outside CloudFormation, leaving drift; nothing was changed. \
             Deploy without --hotswap: `cargo xtask deploy prod --assembly {}`",
            d.path().display()
        )
    );
    let _ = ACCOUNT;
}

/// An ECS service on Fargate with no tasks (the emulator runs none): its
/// deployment completes at once.
fn ecs_stack(image: &str, cpu: &str) -> Json {
    json!({"Resources": {
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "shop-dev"}},
        "Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "Family": "web", "Cpu": cpu, "Memory": "512", "NetworkMode": "awsvpc",
            "RequiresCompatibilities": ["FARGATE"],
            "ContainerDefinitions": [{"Name": "web", "Image": image, "Environment": [{"Name": "A", "Value": "1"}]}]
        }},
        "Service": {"Type": "AWS::ECS::Service", "Properties": {
            "Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "Task"}, "DesiredCount": 0,
            "LaunchType": "FARGATE", "ServiceName": "web"
        }}
    }})
}

#[test]
fn hotswap_then_full_deploy_on_the_double_records_and_undoes_the_drift() {
    use support::{deploy, write_assembly, Double, Stack};
    let Some(double) = Double::start(100) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("asm");
    let d = dir.to_str().unwrap();
    let args = |extra: &[&'static str]| {
        let mut v = vec!["deploy", "dev", "--assembly", d, "--yes"];
        v.extend_from_slice(extra);
        v
    };
    write_assembly(&dir, "shop", "dev", &[Stack::new("Web", ecs_stack("nginx:1", "256"))]);
    let r = deploy(&double, &args(&[]), &[]);
    assert!(r.ok, "{}", r.out);

    // Image only: hotswapped, drift said and recorded.
    let set = |t: Json| std::fs::write(dir.join("Web.template.json"), t.to_string()).unwrap();
    set(ecs_stack("nginx:2", "256"));
    let r = deploy(&double, &args(&["--hotswap"]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("shop-dev-Web: hotswap Task ("), "{}", r.out);
    assert!(r.out.contains("container web image nginx:2; then UpdateService Service"), "{}", r.out);
    assert!(r.out.contains("hotswap creates drift"), "{}", r.out);
    assert!(r.out.contains("^ shop-dev-Web: hotswapped 1 task definition(s)"), "{}", r.out);
    let record = dir.join(stackcraft_deploy::hotswap::DRIFT_FILE);
    assert!(record.exists(), "{}", r.out);

    // diff names the drift.
    let r = deploy(&double, &["diff", "dev", "--assembly", d, "--template-only"], &[]);
    assert!(r.out.contains("shop-dev-Web: drift from hotswap: Task runs "), "{}", r.out);

    // Back to what CloudFormation holds: nothing for it to do, the drift remains and is named.
    set(ecs_stack("nginx:1", "256"));
    let r = deploy(&double, &args(&[]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("shop-dev-Web: no changes"), "{}", r.out);
    assert!(
        r.out.contains(
            "shop-dev-Web: drift from hotswap remains: CloudFormation's template already is the one deployed"
        ) && r.out.contains("`aws ecs update-service --cluster "),
        "{}",
        r.out
    );
    assert!(record.exists(), "{}", r.out);

    // The next full deploy that changes the task definition puts CloudFormation back in charge.
    set(ecs_stack("nginx:2", "256"));
    let r = deploy(&double, &args(&[]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("shop-dev-Web: drift from hotswap undone: CloudFormation is in charge again"), "{}", r.out);
    assert!(!record.exists(), "{}", r.out);

    // Anything else goes through a change set, with the reason.
    set(ecs_stack("nginx:3", "512"));
    let r = deploy(&double, &args(&["--hotswap"]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(
        r.out.contains(
            "shop-dev-Web: not hotswappable (Task (AWS::ECS::TaskDefinition): property Cpu changed): deploying it \
             through a change set"
        ),
        "{}",
        r.out
    );
    assert!(!record.exists(), "nothing recorded without a hotswap");
}

#[test]
fn ctrl_c_while_a_hotswapped_service_deploys_exits_130_with_the_next_step() {
    use support::{deploy, interrupt_when, write_assembly, Double, Stack};
    let Some(double) = Double::start(100) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("asm");
    let d = dir.to_str().unwrap();
    // One task wanted: the emulator never runs it, so the service never stabilises.
    let mut t = ecs_stack("nginx:1", "256");
    t["Resources"]["Service"]["Properties"]["DesiredCount"] = json!(1);
    write_assembly(&dir, "shop", "dev", &[Stack::new("Web", t.clone())]);
    let r = deploy(&double, &["deploy", "dev", "--assembly", d, "--yes"], &[]);
    assert!(r.ok, "{}", r.out);
    t["Resources"]["Task"]["Properties"]["ContainerDefinitions"][0]["Image"] = json!("nginx:2");
    std::fs::write(dir.join("Web.template.json"), t.to_string()).unwrap();
    let (r, secs) = interrupt_when(
        &double.endpoint(),
        &["deploy", "dev", "--assembly", d, "--yes", "--hotswap"],
        &[("STACKCRAFT_PLAIN_OUTPUT", "1"), ("STACKCRAFT_POLL_MS", "50")],
        "now deploying",
    );
    assert_eq!(r.code, Some(130), "{}", r.out);
    assert!(secs < 5.0, "exited {secs:.1}s after Ctrl-C");
    assert!(
        r.out.contains(
            "shop-dev-Web: interrupted; the services' ECS deployments of the hotswapped revision go on without \
             CloudFormation"
        ) && r.out.contains(&format!("rerun `cargo xtask deploy dev --assembly {d} --hotswap`")),
        "{}",
        r.out
    );
    assert!(r.out.contains("x shop-dev-Web: INTERRUPTED"), "{}", r.out);
    assert!(r.out.contains("(drift recorded: the next full deploy undoes it)"), "{}", r.out);
    // The service was updated before the Ctrl-C: it runs a revision CloudFormation does not know.
    let record = DriftFile::load(&dir.join(DRIFT_FILE));
    assert!(record.describe("shop-dev-Web").is_some(), "drift recorded after the interruption: {record:?}");
    // diff names it; the next full deploy undoes it.
    let r = deploy(&double, &["diff", "dev", "--assembly", d, "--template-only"], &[]);
    assert!(r.out.contains("shop-dev-Web: drift from hotswap: Task runs "), "{}", r.out);
}

// ---- One confirmation up front for a --hotswap run ----

const DATA: &str = "shop-dev-Data";
const DATA_CS: &str = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/stackcraft-1/1";

/// CloudFormation for two stacks: Web (hotswappable) and Data (its task
/// cpu changes: a change set), and what the change-set calls did.
fn two_stack_rules() -> Vec<Rule> {
    use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
    use aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput;
    use aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput;
    use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
    use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
    use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
    use aws_sdk_cloudformation::types::{Change, ChangeAction, ChangeSetStatus, Replacement, ResourceChange};
    let mut rules = cfn_rules();
    rules.extend([
        mocked::exists(DATA, StackStatus::UpdateComplete),
        mocked::template(DATA, deployed()),
        mock!(aws_sdk_cloudformation::Client::create_change_set)
            .then_output(|| CreateChangeSetOutput::builder().id(DATA_CS).stack_id(DATA).build()),
        mock!(aws_sdk_cloudformation::Client::describe_change_set).then_output(|| {
            DescribeChangeSetOutput::builder()
                .status(ChangeSetStatus::CreateComplete)
                .changes(
                    Change::builder()
                        .resource_change(
                            ResourceChange::builder()
                                .action(ChangeAction::Modify)
                                .logical_resource_id("Task")
                                .resource_type("AWS::ECS::TaskDefinition")
                                .replacement(Replacement::True)
                                .build(),
                        )
                        .build(),
                )
                .build()
        }),
        mock!(aws_sdk_cloudformation::Client::execute_change_set)
            .then_output(|| ExecuteChangeSetOutput::builder().build()),
        mock!(aws_sdk_cloudformation::Client::delete_change_set)
            .then_output(|| DeleteChangeSetOutput::builder().build()),
        mock!(aws_sdk_cloudformation::Client::delete_stack).then_output(|| DeleteStackOutput::builder().build()),
        mock!(aws_sdk_cloudformation::Client::describe_stack_events)
            .then_output(|| DescribeStackEventsOutput::builder().build()),
    ]);
    rules
}

fn rule<'a>(rules: &'a [Rule], op: &str) -> &'a Rule {
    // The rules of `two_stack_rules` after `cfn_rules` (3) and Data's (2).
    let i =
        ["create", "describe", "execute", "delete", "delete_stack", "events"].iter().position(|o| *o == op).unwrap();
    &rules[5 + i]
}

fn prompting(rules: &[Rule], ecs: &[Rule], ui: stackcraft_deploy::ui::Ui) -> Arc<Deployer> {
    Arc::new(
        Deployer::new(mocked::clients(rules), ui, stackcraft_deploy::PollConfig::fast(), "cargo xtask deploy dev")
            .with_deploy_command("cargo xtask deploy dev --app shop")
            .with_ecs(mocked::ecs_client(ecs), FailFast::default()),
    )
}

fn two_stacks() -> [stackcraft_deploy::StackArtifact; 2] {
    [
        mocked::artifact("Web", NAME, template("v2", env(&[("LOG_LEVEL", "info")]), "256")),
        mocked::artifact("Data", DATA, template("v1", env(&[("LOG_LEVEL", "info")]), "512")),
    ]
}

#[tokio::test]
async fn one_question_answered_yes_hotswaps_and_deploys_the_change_set() {
    let calls = Calls::default();
    let rules = two_stack_rules();
    let ui = stackcraft_deploy::ui::Ui::scripted(&[true]);
    let d = prompting(&rules, &ecs_rules(&calls, DeploymentRolloutState::Completed, 0, vec![]), ui.clone());
    let run = tokio::time::timeout(Duration::from_secs(10), d.deploy_hotswap(&two_stacks())).await.unwrap().unwrap();
    assert_eq!(
        ui.asked(),
        ["Hotswap shop-dev-Web (task definitions and services changed outside CloudFormation), and deploy the \
          changes above to 1 stack(s)?"]
    );
    assert!(matches!(run.results.as_slice(), [(_, Ok(StackResult::Hotswapped { .. }))]), "{:?}", run.results);
    assert_eq!(calls.updated.lock().unwrap().len(), 1, "Web hotswapped");
    assert_eq!(run.change_set.iter().map(|s| s.stack_name.as_str()).collect::<Vec<_>>(), [DATA]);
    assert_eq!(rule(&rules, "create").num_calls(), 1, "Data's change set prepared before the question");
    // The change set deploys without a second question.
    let results = tokio::time::timeout(
        Duration::from_secs(10),
        d.run_all(&run.change_set, stackcraft_deploy::Operation::Deploy, 1),
    )
    .await
    .unwrap();
    assert!(matches!(results.as_slice(), [(_, Ok(StackResult::Deployed { .. }))]), "{results:?}");
    assert_eq!(rule(&rules, "create").num_calls(), 1, "the prepared change set is the one executed");
    assert_eq!(rule(&rules, "execute").num_calls(), 1);
    assert_eq!(ui.asked().len(), 1, "one question for the run: {:?}", ui.asked());
}

#[tokio::test]
async fn one_question_answered_no_changes_nothing_and_leaves_no_change_set() {
    let calls = Calls::default();
    let rules = two_stack_rules();
    let ui = stackcraft_deploy::ui::Ui::scripted(&[false]);
    let d = prompting(&rules, &ecs_rules(&calls, DeploymentRolloutState::Completed, 0, vec![]), ui.clone());
    let e = tokio::time::timeout(Duration::from_secs(10), d.deploy_hotswap(&two_stacks())).await.unwrap().unwrap_err();
    assert_eq!(
        e.to_string(),
        "deploy cancelled; nothing was hotswapped, the change sets were deleted, nothing was changed"
    );
    assert_eq!(ui.asked().len(), 1);
    assert!(calls.registered.lock().unwrap().is_empty(), "no task definition registered");
    assert!(calls.updated.lock().unwrap().is_empty(), "no service touched");
    assert_eq!(rule(&rules, "create").num_calls(), 1);
    assert_eq!(rule(&rules, "delete").num_calls(), 1, "the change set shown was deleted");
    assert_eq!(rule(&rules, "execute").num_calls(), 0);
}

#[tokio::test]
async fn with_yes_nothing_is_asked_and_without_a_terminal_a_hotswap_is_refused_before_any_change() {
    let calls = Calls::default();
    let rules = two_stack_rules();
    let d = Arc::new(
        Deployer::new(
            mocked::clients(&rules),
            stackcraft_deploy::ui::Ui::plain(false),
            stackcraft_deploy::PollConfig::fast(),
            "x",
        )
        .with_ecs(
            mocked::ecs_client(&ecs_rules(&calls, DeploymentRolloutState::Completed, 0, vec![])),
            FailFast::default(),
        ),
    );
    let e = d.deploy_hotswap(&two_stacks()).await.unwrap_err();
    assert!(matches!(e, Error::Refused(_)), "{e:?}");
    assert!(e.to_string().contains("rerun with --yes"), "{e}");
    assert!(calls.registered.lock().unwrap().is_empty() && calls.updated.lock().unwrap().is_empty());
    assert_eq!(rule(&rules, "create").num_calls(), 0, "no change set created");
    // --yes: no question, both applied.
    let run = hotswap(template("v2", env(&[("LOG_LEVEL", "info")]), "256"), &calls).await;
    assert!(matches!(run.results.as_slice(), [(_, Ok(StackResult::Hotswapped { .. }))]), "{:?}", run.results);
}

// ---- Services whose deployments hotswap cannot follow ----

#[tokio::test]
async fn a_service_with_the_code_deploy_controller_falls_back_to_a_change_set() {
    use aws_sdk_ecs::types::{DeploymentController, DeploymentControllerType};
    for (controller, name) in
        [(DeploymentControllerType::CodeDeploy, "CODE_DEPLOY"), (DeploymentControllerType::External, "EXTERNAL")]
    {
        let calls = Calls::default();
        let mut rules = ecs_rules(&calls, DeploymentRolloutState::Completed, 0, vec![]);
        // DescribeServices: the service, deployed by CodeDeploy (no rolloutState).
        let svc = aws_sdk_ecs::types::Service::builder()
            .service_name("web")
            .deployment_controller(DeploymentController::builder().r#type(controller).build().unwrap())
            .build();
        rules[3] = mocked::describe_services(svc);
        let d = hotswapper(&rules, Interrupt::new());
        let art = mocked::artifact("Web", NAME, template("v2", env(&[("LOG_LEVEL", "info")]), "256"));
        assert_eq!(
            d.hotswap_plan(&art).await.unwrap(),
            StackPlan::Fallback(format!(
                "service Service uses the {name} deployment controller: its deployments have no rolloutState for \
                 hotswap to follow (only the ECS controller's do)"
            ))
        );
        let run = tokio::time::timeout(Duration::from_secs(10), d.deploy_hotswap(&[art])).await.unwrap().unwrap();
        assert!(run.results.is_empty(), "{:?}", run.results);
        assert_eq!(run.change_set.len(), 1);
        assert!(calls.registered.lock().unwrap().is_empty() && calls.updated.lock().unwrap().is_empty());
    }
}

/// Run the binary on a pseudo-terminal (`script`), typing `answer`; its
/// exit code and everything it printed. `None` without `script`.
fn on_a_terminal(endpoint: &str, args: &[&str], answer: &str) -> Option<(Option<i32>, String)> {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    let under_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    let probe = Command::new("script").arg("--version").output();
    if !probe.is_ok_and(|p| p.status.success()) {
        // A skipped terminal test must not pass CI silently.
        assert!(!under_ci, "`script` (util-linux) is needed for the terminal test under CI");
        eprintln!("*** SKIPPED: no `script` on PATH; the one-question terminal test did not run ***");
        return None;
    }
    let inner = support::command(endpoint, args, &[]);
    let line = std::iter::once(inner.get_program().to_string_lossy().to_string())
        .chain(inner.get_args().map(|a| a.to_string_lossy().to_string()))
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"]);
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.env_remove("STACKCRAFT_PLAIN_OUTPUT");
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().ok()?;
    let mut stdin = child.stdin.take()?;
    stdin.write_all(answer.as_bytes()).ok()?;
    let mut out = String::new();
    child.stdout.take()?.read_to_string(&mut out).ok()?;
    let status = child.wait().ok()?;
    drop(stdin);
    Some((status.code(), out))
}

#[test]
fn on_a_terminal_a_hotswap_run_asks_one_question_for_hotswaps_and_change_sets() {
    use support::{deploy, write_assembly, Double, Stack};
    let Some(double) = Double::start(100) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("asm");
    let d = dir.to_str().unwrap();
    let queue = |timeout: u32| {
        json!({"Resources": {"Queue": {"Type": "AWS::SQS::Queue",
            "Properties": {"QueueName": "shop-dev-jobs", "VisibilityTimeout": timeout}}}})
    };
    let stacks =
        |image: &str, timeout: u32| [Stack::new("Web", ecs_stack(image, "256")), Stack::new("Jobs", queue(timeout))];
    write_assembly(&dir, "shop", "dev", &stacks("nginx:1", 30));
    let r = deploy(&double, &["deploy", "dev", "--assembly", d, "--yes"], &[]);
    assert!(r.ok, "{}", r.out);
    // Web: image only (hotswap); Jobs: a queue property (change set).
    write_assembly(&dir, "shop", "dev", &stacks("nginx:2", 60));
    let args = ["deploy", "dev", "--assembly", d, "--hotswap"];
    let record = dir.join(DRIFT_FILE);

    // No: nothing changes, nothing is recorded.
    let Some((code, out)) = on_a_terminal(&double.endpoint(), &args, "n\n") else { return };
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(out.matches("[y/N]").count(), 1, "one question: {out}");
    assert!(
        out.contains(
            "Hotswap shop-dev-Web (task definitions and services changed outside CloudFormation), and deploy the \
             changes above to 1 stack(s)? [y/N]"
        ),
        "{out}"
    );
    assert!(
        out.contains("shop-dev-Jobs: not hotswappable (Queue (AWS::SQS::Queue): property VisibilityTimeout"),
        "{out}"
    );
    assert!(out.contains("nothing was hotswapped, the change sets were deleted"), "{out}");
    assert!(!out.contains("now deploying"), "{out}");
    assert!(!record.exists());

    // Yes: both applied, after the one question.
    let (code, out) = on_a_terminal(&double.endpoint(), &args, "y\n").unwrap();
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(out.matches("[y/N]").count(), 1, "one question: {out}");
    let asked = out.find("[y/N]").unwrap();
    assert!(out.find("now deploying").is_some_and(|i| i > asked), "hotswapped after the answer: {out}");
    assert!(out.contains("^ shop-dev-Web: hotswapped 1 task definition(s)"), "{out}");
    assert!(record.exists(), "{out}");
    // Both are now what the assembly says: a full deploy finds the queue unchanged.
    let r = deploy(&double, &["deploy", "dev", "--assembly", d, "--yes", "--stack", "Jobs"], &[]);
    assert!(r.out.contains("shop-dev-Jobs: no changes"), "{}", r.out);
}

#[tokio::test]
async fn an_update_service_failing_after_another_succeeded_records_the_updated_one() {
    const SERVICE2: &str = "arn:aws:ecs:us-east-1:123456789012:service/shop-dev/worker";
    let two = |t: String| {
        let mut t: Json = serde_json::from_str(&t).unwrap();
        t["Resources"]["Worker"] = t["Resources"]["Service"].clone();
        t.to_string()
    };
    let calls = Calls::default();
    let mut ecs = ecs_rules(&calls, DeploymentRolloutState::Completed, 0, vec![]);
    ecs.insert(
        0,
        mock!(aws_sdk_ecs::Client::update_service).match_requests(|r| r.service() == Some(SERVICE2)).then_error(|| {
            aws_sdk_ecs::operation::update_service::UpdateServiceError::generic(
                aws_smithy_types::error::ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("not authorized to perform ecs:UpdateService")
                    .build(),
            )
        }),
    );
    let cfn = [
        mocked::exists(NAME, StackStatus::UpdateComplete),
        mocked::template(NAME, two(deployed())),
        mocked::resources(&[
            ("Repo", "AWS::ECR::Repository", "shop/web"),
            ("Cluster", "AWS::ECS::Cluster", "shop-dev"),
            ("Task", "AWS::ECS::TaskDefinition", OLD_TD),
            ("Service", "AWS::ECS::Service", SERVICE),
            ("Worker", "AWS::ECS::Service", SERVICE2),
        ]),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let record = tmp.path().join(DRIFT_FILE);
    let d = Arc::new(
        mocked::deployer(&cfn, true, "x")
            .with_deploy_command("cargo xtask deploy dev --app shop")
            .with_ecs(mocked::ecs_client(&ecs), FailFast::default())
            .with_drift_file(&record),
    );
    let art = mocked::artifact("Web", NAME, two(template("v2", env(&[("LOG_LEVEL", "info")]), "256")));
    let run = tokio::time::timeout(Duration::from_secs(10), d.deploy_hotswap(&[art])).await.unwrap().unwrap();
    let [(_, Err(e))] = run.results.as_slice() else { panic!("{:?}", run.results) };
    assert_eq!(
        e.to_string(),
        format!(
            "shop-dev-Web: hotswap failed: UpdateService of Worker failed after other services were updated: \
             AccessDeniedException: not authorized to perform ecs:UpdateService. The services run the hotswapped \
             revision (drift recorded: the next full deploy undoes it). Fix the image or environment and rerun `cargo xtask deploy dev --app shop \
             --hotswap`, or put the service back on the revision CloudFormation holds: `aws ecs update-service \
             --cluster shop-dev --service {SERVICE} --task-definition {OLD_TD}`"
        )
    );
    let file = DriftFile::load(&record);
    assert_eq!(file.stacks[NAME][0].services, [("shop-dev".to_string(), SERVICE.to_string())], "only Service");
}
