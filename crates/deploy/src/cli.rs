//! The `deploy | diff | destroy | outputs ENV` commands, as called from an
//! `xtask` binary: [`run`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Arc;

use clap::{Args, Parser};

use crate::assembly::{Assembly, StackArtifact};
use crate::aws::{AwsOptions, Clients};
use crate::deployer::{Deployer, Method, Operation, PollConfig, StackResult};
use crate::error::Error;
use crate::hotswap::DriftFile;
use crate::interrupt::Interrupt;
use crate::model::StackOutput;
use crate::ui::Ui;

/// Options shared by every command.
/// The values of `--method` (kebab-case on the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MethodArg {
    /// Through a change set: every change previewed before it is applied.
    ChangeSet,
    /// CreateStack / UpdateStack without a change set.
    Direct,
}

#[derive(Debug, Clone, Args)]
struct Common {
    /// Environment to deploy (as declared by the app: dev, staging, prod, ...)
    env: String,
    /// The app: a workspace package name (`cargo run -p NAME`) or the path of
    /// a Cargo project directory. Default: env STACKCRAFT_APP, then
    /// `[workspace.metadata.stackcraft] default-app` of the root Cargo.toml
    #[arg(long, value_name = "PACKAGE_OR_PATH")]
    app: Option<String>,
    /// Use this already-synthesized cloud assembly instead of running synth
    #[arg(long, value_name = "DIR", conflicts_with = "app")]
    assembly: Option<PathBuf>,
    /// Only these stacks (artifact id or stack name; repeatable)
    #[arg(long, value_name = "NAME")]
    stack: Vec<String>,
    /// AWS profile (overrides AWS_PROFILE)
    #[arg(long)]
    profile: Option<String>,
    /// AWS region (overrides AWS_REGION and the profile's region) for the
    /// stacks the app does not pin to a region
    #[arg(long)]
    region: Option<String>,
    /// Also deploy (or destroy) the app's shared stacks (stacks used by every
    /// environment); without it they are only read
    #[arg(long)]
    include_shared: bool,
    /// Show the AWS SDK's full detail in error messages
    #[arg(long, short = 'v')]
    verbose: bool,
}

impl Common {
    /// The command line of `verb` for this environment with the flags that
    /// select what it works on (app, assembly, stacks, profile, region,
    /// shared stacks): what a hint tells the user to run.
    fn command_line(&self, verb: &str) -> String {
        let mut c = format!("cargo xtask {verb} {}", shell_word(&self.env));
        if let Some(a) = &self.app {
            c.push_str(&format!(" --app {}", shell_word(a)));
        }
        if let Some(a) = &self.assembly {
            c.push_str(&format!(" --assembly {}", shell_word(&a.display().to_string())));
        }
        for s in &self.stack {
            c.push_str(&format!(" --stack {}", shell_word(s)));
        }
        if let Some(p) = &self.profile {
            c.push_str(&format!(" --profile {}", shell_word(p)));
        }
        if let Some(r) = &self.region {
            c.push_str(&format!(" --region {}", shell_word(r)));
        }
        if self.include_shared {
            c.push_str(" --include-shared");
        }
        c
    }
}

/// `s` quoted for a POSIX shell when it needs it.
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "deploy",
    about = "Synthesize the app for ENV and deploy it through CloudFormation change sets",
    long_about = "Synthesize the app for ENV and deploy it: for each stack (dependencies first, \
                  independent stacks concurrently) create a change set, show it, ask for \
                  confirmation (or --yes), execute it while streaming events, then print the \
                  outputs and write them to the outputs file. A stack without changes is left \
                  alone. Templates above 51,200 bytes go through an S3 assets bucket."
)]
struct DeployCmd {
    #[command(flatten)]
    common: Common,
    /// Deploy without asking for confirmation (required without a terminal)
    #[arg(long, short = 'y')]
    yes: bool,
    /// How many independent stacks to deploy at the same time
    #[arg(long, default_value_t = 4, value_name = "N")]
    concurrency: usize,
    /// Also write the stack outputs as JSON ({stackName: {OutputKey: value}})
    /// to FILE, merged into what it holds: stacks that failed keep their
    /// previous entries
    #[arg(long, value_name = "FILE")]
    outputs_file: Option<PathBuf>,
    /// change-set: preview every change before applying it (default). direct:
    /// CreateStack/UpdateStack without a change set (no diff for updates)
    #[arg(long, value_enum, default_value_t = MethodArg::ChangeSet)]
    method: MethodArg,
    /// CloudFormation's Express deployment mode, for dev environments. Not
    /// available: the pinned aws-sdk-cloudformation (1.136) offers no Express
    /// mode (its DeploymentMode has only REVERT_DRIFT); the flag says so
    #[arg(long)]
    express: bool,
    /// Dev environments only (refused for production): a stack whose only
    /// changes are the Image and/or Environment of ECS task definitions'
    /// containers gets new task definition revisions and service updates
    /// directly (no CloudFormation), followed until the services are stable;
    /// any other change goes through a change set. Creates drift (the
    /// stack's template still names the old revision), undone by the next
    /// deploy without --hotswap
    #[arg(long)]
    hotswap: bool,
    /// While a stack with ECS services updates, cancel the update as soon as
    /// a service's new deployment fails (circuit breaker, or
    /// --max-failed-tasks failed tasks). Default: on for non-production
    /// environments, off for production (failures are reported either way)
    #[arg(long, overrides_with = "no_fail_fast")]
    fail_fast: bool,
    /// Report failing ECS deployments but let CloudFormation keep waiting
    #[arg(long, overrides_with = "fail_fast")]
    no_fail_fast: bool,
    /// Failed tasks of a new ECS deployment that make it failed (0: only the
    /// circuit breaker)
    #[arg(long, default_value_t = 3, value_name = "N")]
    max_failed_tasks: u32,
}

#[derive(Debug, Parser)]
#[command(
    name = "diff",
    about = "Compare ENV's new assembly with the deployed templates, with CloudFormation's \
             replacement verdict from change sets (created, never executed, always deleted)"
)]
struct DiffCmd {
    #[command(flatten)]
    common: Common,
    /// How many stacks to diff at the same time
    #[arg(long, default_value_t = 4, value_name = "N")]
    concurrency: usize,
    /// Print the diff as JSON (schema_version 1, as `diff --against`)
    #[arg(long)]
    json: bool,
    /// Exit with code 3 when this kind of change is present; repeatable
    #[arg(long, value_name = "KIND", value_parser = ["replacement", "stateful", "security", "any"])]
    fail_on: Vec<String>,
    /// No change sets: compare templates only (needs read access only:
    /// DescribeStacks, GetTemplate)
    #[arg(long)]
    template_only: bool,
}

impl DiffCmd {
    fn options(&self) -> crate::online::Options {
        crate::online::Options {
            template_only: self.template_only,
            concurrency: self.concurrency,
            json: self.json,
            fail_on: self.fail_on.clone(),
        }
    }
}

#[derive(Debug, Parser)]
#[command(name = "destroy", about = "Delete the stacks of ENV (dependents first)")]
struct DestroyCmd {
    #[command(flatten)]
    common: Common,
    /// Delete without asking for confirmation (required without a terminal)
    #[arg(long, short = 'y')]
    yes: bool,
    /// Required to destroy a production environment; also lifts termination protection
    #[arg(long)]
    force_production: bool,
    /// How many independent stacks to delete at the same time
    #[arg(long, default_value_t = 4, value_name = "N")]
    concurrency: usize,
    /// Remove the deleted stacks' entries from this outputs file
    #[arg(long, value_name = "FILE")]
    outputs_file: Option<PathBuf>,
}

#[derive(Debug, Parser)]
#[command(name = "outputs", about = "Print the outputs of ENV's deployed stacks")]
struct OutputsCmd {
    #[command(flatten)]
    common: Common,
    /// Also write them as JSON ({stackName: {OutputKey: value}}) to this file
    #[arg(long, value_name = "FILE")]
    outputs_file: Option<PathBuf>,
}

/// Run `command` (`deploy`, `diff`, `destroy` or `outputs`) with its
/// arguments (without the command name), e.g. from an xtask's `main`:
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     let mut args = std::env::args().skip(1);
///     let command = args.next().unwrap_or_default();
///     stackcraft_deploy::cli::run(&command, args.collect())
/// }
/// ```
///
/// Exit code: 0 on success (including "no changes"), 1 on failure, 2 on
/// usage errors, 3 when `diff --fail-on` finds the named kind of change,
/// 130 when interrupted by Ctrl-C.
pub fn run(command: &str, args: Vec<String>) -> ExitCode {
    let argv = std::iter::once(format!("cargo xtask {command}")).chain(args);
    let result = match command {
        "deploy" => DeployCmd::try_parse_from(argv).map(Cmd::Deploy),
        "diff" => DiffCmd::try_parse_from(argv).map(Cmd::Diff),
        "destroy" => DestroyCmd::try_parse_from(argv).map(Cmd::Destroy),
        "outputs" => OutputsCmd::try_parse_from(argv).map(Cmd::Outputs),
        other => {
            eprintln!("unknown command {other:?}: expected deploy, diff, destroy or outputs");
            return ExitCode::from(2);
        }
    };
    let cmd = match result {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match execute(cmd) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

#[derive(Debug)]
enum Cmd {
    Deploy(DeployCmd),
    Diff(DiffCmd),
    Destroy(DestroyCmd),
    Outputs(OutputsCmd),
}

impl Cmd {
    fn common(&self) -> &Common {
        match self {
            Cmd::Deploy(c) => &c.common,
            Cmd::Diff(c) => &c.common,
            Cmd::Destroy(c) => &c.common,
            Cmd::Outputs(c) => &c.common,
        }
    }
}

fn execute(cmd: Cmd) -> Result<(), Error> {
    let common = cmd.common().clone();
    crate::error::set_verbose(common.verbose);
    let mut assembly = match &common.assembly {
        Some(dir) => Assembly::load(dir)?,
        None => synth(&common)?,
    };
    if !assembly.environment.is_empty() && assembly.environment != common.env {
        return Err(Error::Usage(format!(
            "the assembly in {} is for environment {:?}, not {:?}",
            assembly.dir.display(),
            assembly.environment,
            common.env
        )));
    }
    assembly.select(&common.stack, matches!(cmd, Cmd::Deploy(_)))?;
    if assembly.stacks.is_empty() {
        return Err(Error::Assembly("the app has no stacks".into()));
    }
    if let Cmd::Deploy(c) = &cmd {
        if c.express {
            return Err(Error::Usage(
                "--express is not available: the AWS SDK for Rust this deploy is built with \
                 (aws-sdk-cloudformation 1.136) has no Express deployment mode (its DeploymentMode \
                 offers only REVERT_DRIFT). Deploy without --express"
                    .into(),
            ));
        }
    }
    if let Cmd::Deploy(c) = &cmd {
        if c.hotswap && assembly.production {
            return Err(Error::FlagNotAllowed {
                flag: "--hotswap",
                reason: format!(
                    "{} is a production environment, and hotswap (for dev environments only) changes ECS services \
                     outside CloudFormation, leaving drift; nothing was changed. Deploy without --hotswap: `{}`",
                    common.env,
                    common.command_line("deploy")
                ),
            });
        }
    }
    let assume_yes = match &cmd {
        Cmd::Deploy(c) => c.yes,
        Cmd::Destroy(c) => c.yes,
        _ => false,
    };
    if let Cmd::Destroy(c) = &cmd {
        if assembly.production && !c.force_production {
            return Err(Error::ProductionDestroy { env: common.env.clone() });
        }
    }
    let ui = if std::env::var_os("STACKCRAFT_PLAIN_OUTPUT").is_some() {
        Ui::plain(assume_yes)
    } else {
        Ui::detect(assume_yes)
    };
    // Refuse before creating anything when there is no way to confirm.
    if matches!(cmd, Cmd::Deploy(_) | Cmd::Destroy(_)) && !assume_yes && !ui.is_interactive() {
        return Err(Error::NoConfirmation {
            command: common.command_line(match cmd {
                Cmd::Deploy(_) => "deploy",
                _ => "destroy",
            }),
        });
    }
    let poll = match std::env::var("STACKCRAFT_POLL_MS").ok().and_then(|v| v.parse().ok()) {
        Some(ms) => PollConfig {
            initial: std::time::Duration::from_millis(ms),
            max: std::time::Duration::from_millis(ms * 10),
            ..PollConfig::default()
        },
        None => PollConfig::default(),
    };
    let secs = |k: &str| std::env::var(k).ok().and_then(|v| v.parse().ok()).map(std::time::Duration::from_secs);
    let poll = PollConfig {
        stall: secs("STACKCRAFT_STALL_S").unwrap_or(poll.stall),
        max_wait: secs("STACKCRAFT_MAX_WAIT_S").unwrap_or(poll.max_wait),
        ..poll
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the async runtime: {e}")))?;
    let verb = match &cmd {
        Cmd::Deploy(_) => "deploy",
        Cmd::Diff(_) => "diff",
        Cmd::Destroy(_) => "destroy",
        Cmd::Outputs(_) => "outputs",
    };
    let reattach = common.command_line(verb);
    let change_sets = crate::online::ChangeSetGuard::default();
    let guard = change_sets.clone();
    let result = runtime.block_on(async move {
        let interrupt = Interrupt::on_ctrl_c();
        let stop = interrupt.clone();
        let env = common.env.clone();
        let hint = reattach.clone();
        let work =
            run_command(cmd, common, assembly, ui.with_interrupt(interrupt.clone()), poll, reattach, interrupt, guard);
        tokio::pin!(work);
        tokio::select! {
            biased;
            r = &mut work => r,
            // The run's own answer (what goes on, how to reattach) when it
            // comes at once; otherwise it was stuck in a call before any
            // stack operation.
            _ = stop.wait() => match tokio::time::timeout(std::time::Duration::from_millis(500), &mut work).await {
                Ok(r) => r,
                Err(_) => Err(Error::Interrupted {
                    stack: env,
                    hint: format!("stopped before any stack operation was started; rerun `{hint}`"),
                }),
            },
        }
    });
    // The online diff's change sets left by an interruption or an error.
    if !change_sets.pending().is_empty() {
        let left = runtime
            .block_on(async { tokio::time::timeout(std::time::Duration::from_secs(30), change_sets.cleanup()).await })
            .unwrap_or_else(|_| change_sets.pending().iter().map(|(s, id)| format!("{s}: {id}")).collect());
        for l in left {
            eprintln!("warning: the diff's change set {l} could not be deleted; delete it with `aws cloudformation delete-change-set`");
        }
    }
    // Do not wait for a prompt still blocked on stdin after Ctrl-C.
    runtime.shutdown_background();
    result
}

#[allow(clippy::too_many_arguments)]
async fn run_command(
    cmd: Cmd,
    common: Common,
    assembly: Assembly,
    ui: Ui,
    poll: PollConfig,
    reattach: String,
    interrupt: Interrupt,
    change_sets: crate::online::ChangeSetGuard,
) -> Result<(), Error> {
    {
        let opts = AwsOptions { profile: common.profile.clone(), region: common.region.clone() };
        let clients = Clients::connect(&opts).await?;
        let credentials = match &common.profile {
            Some(p) => format!("of profile {p:?}"),
            None => "from the environment (AWS_PROFILE, AWS_ACCESS_KEY_ID, ~/.aws, ...)".to_string(),
        };
        let method = match &cmd {
            Cmd::Deploy(c) if c.method == MethodArg::Direct => Method::Direct,
            _ => Method::ChangeSet,
        };
        let mut deploy_command = common.command_line("deploy");
        if method == Method::Direct {
            deploy_command.push_str(" --method direct");
        }
        let ecs = match (&cmd, &clients.config) {
            (Cmd::Deploy(c), Some(conf)) => Some((
                aws_sdk_ecs::Client::new(conf),
                crate::ecs::FailFast {
                    cancel: fail_fast_default(c.fail_fast, c.no_fail_fast, assembly.production),
                    max_failed_tasks: c.max_failed_tasks,
                },
            )),
            _ => None,
        };
        let mut deployer = Deployer::new(clients, ui.clone(), poll, reattach);
        if let Some((client, policy)) = ecs {
            deployer = deployer.with_ecs(client, policy);
        }
        if let Some(p) = drift_path(&common, &assembly) {
            deployer = deployer.with_drift_file(p);
        }
        let deployer = Arc::new(
            deployer
                .with_interrupt(interrupt)
                .with_method(method)
                .with_include_shared(common.include_shared)
                .with_deploy_command(deploy_command)
                .with_create_only(assembly.create_only.clone()),
        );
        // Credentials first: one clear line naming where they came from.
        if let Err(e) = deployer.caller_account().await {
            return Err(match e {
                Error::Connection { cause, detail, .. } if cause.contains("credentials") => Error::Usage(format!(
                    "cannot use the AWS credentials {credentials}: none found or they cannot be loaded. Check \
                     them with `aws sts get-caller-identity{}`{}",
                    common.profile.as_ref().map(|p| format!(" --profile {p}")).unwrap_or_default(),
                    if common.verbose {
                        format!("\n  detail: {detail}")
                    } else {
                        " (--verbose shows the SDK detail)".into()
                    }
                )),
                Error::Aws { message, .. } => {
                    Error::Usage(format!("the AWS credentials {credentials} were rejected: {message}"))
                }
                other => other,
            });
        }
        match cmd {
            Cmd::Deploy(c) => {
                ui.line(&format!("deploying {} ({}): {}", display_app(&assembly), common.env, stack_list(&assembly)));
                let drift_path = drift_path(&common, &assembly);
                let before = drift_path.as_deref().map(DriftFile::load).unwrap_or_default();
                for s in &assembly.stacks {
                    if let Some(l) = before.describe(&s.stack_name) {
                        ui.line(&l);
                    }
                }
                // One question for the whole run, asked after every hotswap
                // and change set is shown, before anything is changed.
                let (mut results, rest, exports) = if c.hotswap {
                    let plan = deployer.plan_hotswap(&assembly.stacks).await?;
                    let exports = confirm_phases(&deployer, &ui, &plan.change_set, plan.question().as_deref()).await?;
                    (deployer.apply_hotswap(plan.swaps).await, plan.change_set, exports)
                } else {
                    let exports = confirm_phases(&deployer, &ui, &assembly.stacks, None).await?;
                    (Vec::new(), assembly.stacks.clone(), exports)
                };
                let interrupted = results.iter().any(|(_, r)| matches!(r, Err(Error::Interrupted { .. })));
                if interrupted {
                    deployer.discard_prepared().await;
                } else if !rest.is_empty() {
                    results.extend(deploy_in_phases(&deployer, &ui, &rest, exports, c.concurrency).await?);
                }
                results.sort_by_key(|(a, _)| assembly.stacks.iter().position(|s| s.id == a.id));
                // Hotswap recorded its drift as soon as the services were
                // updated: start from the file as it is now.
                let mut drift = drift_path.as_deref().map(DriftFile::load).unwrap_or_default();
                if record_drift(&deployer, &ui, &results, &mut drift).await {
                    if let Some(p) = &drift_path {
                        drift.save(p)?;
                        if !drift.stacks.is_empty() {
                            ui.line(&format!("drift from hotswap recorded in {}", p.display()));
                        }
                    }
                }
                let mut outputs = BTreeMap::new();
                for (art, r) in &results {
                    if let Ok(
                        StackResult::Deployed { outputs: o, .. }
                        | StackResult::Hotswapped { outputs: o, .. }
                        | StackResult::NoChanges { outputs: o }
                        | StackResult::SharedUnchanged { outputs: o, .. },
                    ) = r
                    {
                        outputs.insert(art.stack_name.clone(), o.clone());
                    }
                }
                print_outputs(&ui, &outputs);
                if let Some(file) = &c.outputs_file {
                    update_outputs_file(file, &outputs, &[])?;
                    ui.line(&format!("outputs written to {}", file.display()));
                }
                summarize(&ui, results)
            }
            Cmd::Diff(c) => {
                if let Some(p) = drift_path(&common, &assembly) {
                    let drift = DriftFile::load(&p);
                    for s in &assembly.stacks {
                        if let Some(l) = drift.describe(&s.stack_name) {
                            ui.line(&format!("{l} (until the next deploy without --hotswap)"));
                        }
                    }
                }
                crate::online::run(&deployer, &assembly, &c.options(), &change_sets).await
            }
            Cmd::Destroy(c) => {
                let deleting: Vec<_> =
                    assembly.stacks.iter().filter(|s| common.include_shared || !s.shared).cloned().collect();
                deployer.check_no_outside_importers(&deleting).await?;
                let question = format!(
                    "Delete {} stack(s) of {} ({}): {}?",
                    deleting.len(),
                    display_app(&assembly),
                    common.env,
                    deleting.iter().map(|s| s.stack_name.as_str()).collect::<Vec<_>>().join(", ")
                );
                if !ui.confirm(&question).await? {
                    return Err(Error::Refused("destroy cancelled".into()));
                }
                let results = deployer
                    .run_all(
                        &assembly.stacks,
                        Operation::Destroy { allow_protected: c.force_production },
                        c.concurrency,
                    )
                    .await;
                if let Some(p) = drift_path(&common, &assembly) {
                    let mut drift = DriftFile::load(&p);
                    let before = drift.stacks.len();
                    for (art, r) in &results {
                        if matches!(r, Ok(StackResult::Destroyed { .. })) {
                            drift.stacks.remove(&art.stack_name);
                        }
                    }
                    if drift.stacks.len() != before {
                        drift.save(&p)?;
                    }
                }
                if let Some(file) = &c.outputs_file {
                    let gone: Vec<String> = results
                        .iter()
                        .filter(|(_, r)| matches!(r, Ok(StackResult::Destroyed { .. })))
                        .map(|(a, _)| a.stack_name.clone())
                        .collect();
                    update_outputs_file(file, &BTreeMap::new(), &gone)?;
                }
                summarize(&ui, results)
            }
            Cmd::Outputs(c) => {
                let mut outputs = BTreeMap::new();
                for s in &assembly.stacks {
                    match deployer.for_stack(s)?.describe(&s.stack_name).await? {
                        Some(info) => {
                            if info.outputs.is_empty() {
                                ui.line(&format!("{}: {} (no outputs)", s.stack_name, info.status));
                            } else if info.status.outcome() != crate::model::Outcome::Success {
                                ui.line(&format!("{}: {} (outputs may be stale)", s.stack_name, info.status));
                            }
                            outputs.insert(s.stack_name.clone(), info.outputs);
                        }
                        None => ui.line(&format!("{}: not deployed", s.stack_name)),
                    }
                }
                print_outputs(&ui, &outputs);
                if let Some(f) = &c.outputs_file {
                    write_outputs(f, &outputs)?;
                }
                Ok(())
            }
        }
    }
}

/// Where the hotswap drift record of this app and environment lives: in
/// the `--assembly` directory, else beside the per-invocation synth
/// directories (`<target>/stackcraft/<app>/<env>.hotswap-drift.json`), which
/// outlives them and is git-ignored with the target directory.
fn drift_path(common: &Common, assembly: &Assembly) -> Option<PathBuf> {
    match &common.assembly {
        Some(dir) => Some(dir.join(crate::hotswap::DRIFT_FILE)),
        None => {
            assembly.dir.parent().map(|p| p.join(format!("{}.{}", sanitize(&common.env), crate::hotswap::DRIFT_FILE)))
        }
    }
}

/// Update the drift record from a deploy's results: hotswapped stacks are
/// added; a stack deployed (or found unchanged) keeps only the task
/// definitions whose stack resource still names the revision the record
/// holds; the rest is gone from the record (CloudFormation is in charge
/// again). Returns whether the record changed.
async fn record_drift(
    deployer: &Arc<Deployer>,
    ui: &Ui,
    results: &[(StackArtifact, Result<StackResult, Error>)],
    drift: &mut DriftFile,
) -> bool {
    let mut changed = false;
    for (art, r) in results {
        let name = &art.stack_name;
        match r {
            Ok(StackResult::Hotswapped { swapped, .. }) => {
                drift.merge(name, swapped);
                changed = true;
            }
            Ok(StackResult::Deployed { .. } | StackResult::NoChanges { .. }) => {
                let Some(swapped) = drift.stacks.get(name).cloned() else { continue };
                let Ok(d) = deployer.for_stack(art) else { continue };
                let Ok(left) = d.drift_remaining(name, &swapped).await else { continue };
                if left.is_empty() {
                    drift.stacks.remove(name);
                    ui.line(&format!("{name}: drift from hotswap undone: CloudFormation is in charge again"));
                    changed = true;
                } else {
                    ui.line(&DriftFile::remains(name, &left));
                    changed |= left != swapped;
                    drift.stacks.insert(name.clone(), left);
                }
            }
            _ => {}
        }
    }
    changed
}

/// Whether fail-fast cancels: `--fail-fast` / `--no-fail-fast` when given,
/// else on except in production environments.
fn fail_fast_default(on: bool, off: bool, production: bool) -> bool {
    match (on, off) {
        (true, _) => true,
        (_, true) => false,
        _ => !production,
    }
}

/// Plan the exports `stacks` retire (see [`crate::exports`]), prepare and
/// show every change set, and ask the run's one question, covering
/// `hotswap` too (see [`Deployer::confirm_up_front_with`]). Returns the
/// export plan for [`deploy_in_phases`].
async fn confirm_phases(
    deployer: &Arc<Deployer>,
    ui: &Ui,
    stacks: &[StackArtifact],
    hotswap: Option<&str>,
) -> Result<crate::exports::ExportPlan, Error> {
    let changing: Vec<StackArtifact> =
        stacks.iter().filter(|s| deployer.includes_shared() || !s.shared).cloned().collect();
    let plan = deployer.plan_exports(&changing).await?;
    if plan.is_empty() {
        deployer.confirm_up_front_with(stacks, hotswap).await?;
    } else {
        for l in plan.describe() {
            ui.line(&l);
        }
        deployer.confirm_up_front_with(&plan.phase1(stacks)?, hotswap).await?;
    }
    Ok(plan)
}

/// Deploy `stacks` (confirmed by [`confirm_phases`], which planned
/// `plan`), retiring exports that are still imported in two phases (see
/// [`crate::exports`]): phase 1 deploys every stack with those exports
/// kept, phase 2 updates the producers again with their real templates once
/// the consumers no longer import them.
async fn deploy_in_phases(
    deployer: &Arc<Deployer>,
    ui: &Ui,
    stacks: &[StackArtifact],
    plan: crate::exports::ExportPlan,
    concurrency: usize,
) -> Result<Vec<(StackArtifact, Result<StackResult, Error>)>, Error> {
    if plan.is_empty() {
        return Ok(deployer.run_all(stacks, Operation::Deploy, concurrency).await);
    }
    if !plan.needs_phase2() {
        return Ok(deployer.run_all(&plan.phase1(stacks)?, Operation::Deploy, concurrency).await);
    }
    ui.line("phase 1/2: deploying with the exports still in use kept");
    let mut results = deployer.run_all(&plan.phase1(stacks)?, Operation::Deploy, concurrency).await;
    if results.iter().any(|(_, r)| r.is_err()) {
        ui.line("phase 2/2 skipped because phase 1 failed: the kept exports stay until the next deploy");
        return Ok(results);
    }
    let producers: Vec<StackArtifact> = stacks
        .iter()
        .filter(|s| plan.producer(&s.id).is_some_and(|p| p.needs_phase2()))
        .map(|s| StackArtifact { dependencies: vec![], ..s.clone() })
        .collect();
    ui.line(&format!(
        "phase 2/2: dropping the exports no longer imported from {}",
        producers.iter().map(|s| s.stack_name.as_str()).collect::<Vec<_>>().join(", ")
    ));
    // Whatever is still imported now (someone else deployed meanwhile) stays.
    let replan = deployer.plan_exports(&producers).await?;
    for l in replan.describe() {
        ui.line(&l);
    }
    let phase2 = deployer.run_all(&replan.phase1(&producers)?, Operation::Deploy, concurrency).await;
    for (art, r) in phase2 {
        if let Some(slot) = results.iter_mut().find(|(a, _)| a.id == art.id) {
            // The stack's phase-1 result stands when phase 2 had nothing to do.
            match r {
                Ok(StackResult::NoChanges { .. }) => {}
                other => slot.1 = other,
            }
        }
    }
    Ok(results)
}

fn display_app(a: &Assembly) -> String {
    if a.app.is_empty() {
        a.dir.display().to_string()
    } else {
        a.app.clone()
    }
}

fn stack_list(a: &Assembly) -> String {
    a.stacks.iter().map(|s| s.stack_name.as_str()).collect::<Vec<_>>().join(", ")
}

fn print_outputs(ui: &Ui, outputs: &BTreeMap<String, Vec<StackOutput>>) {
    let mut text = String::from("Outputs:");
    for (stack, outs) in outputs {
        for o in outs {
            text.push_str(&format!("\n  {stack}.{} = {}", o.key, o.value));
        }
    }
    if text.contains('\n') {
        ui.line(&text);
    }
}

/// Merge `outputs` into the outputs file `path` and drop the entries of
/// `removed` stacks; entries of other stacks (failed this time, not selected)
/// are kept as they were.
fn update_outputs_file(
    path: &Path,
    outputs: &BTreeMap<String, Vec<StackOutput>>,
    removed: &[String],
) -> Result<(), Error> {
    let mut all: BTreeMap<String, BTreeMap<String, String>> = match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_default(),
        Err(_) => BTreeMap::new(),
    };
    for s in removed {
        all.remove(s);
    }
    for (s, o) in outputs {
        all.insert(s.clone(), o.iter().map(|o| (o.key.clone(), o.value.clone())).collect());
    }
    let text = serde_json::to_string_pretty(&all).map_err(|e| Error::Io(e.to_string()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text + "\n").map_err(|e| Error::Io(format!("cannot write {}: {e}", path.display())))
}

/// Write `{stackName: {OutputKey: value}}` (the CDK `--outputs-file` shape).
fn write_outputs(path: &Path, outputs: &BTreeMap<String, Vec<StackOutput>>) -> Result<(), Error> {
    let json: BTreeMap<&str, BTreeMap<&str, &str>> = outputs
        .iter()
        .map(|(s, o)| (s.as_str(), o.iter().map(|o| (o.key.as_str(), o.value.as_str())).collect()))
        .collect();
    let text = serde_json::to_string_pretty(&json).map_err(|e| Error::Io(e.to_string()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text + "\n").map_err(|e| Error::Io(format!("cannot write {}: {e}", path.display())))
}

/// Print one line per stack and turn the results into the command's result.
fn summarize(ui: &Ui, results: Vec<(StackArtifact, Result<StackResult, Error>)>) -> Result<(), Error> {
    let mut first_err: Option<Error> = None;
    let mut failed = 0;
    let mut lines = vec![String::from("Summary:")];
    for (art, r) in results {
        let name = &art.stack_name;
        match r {
            Ok(StackResult::NoChanges { .. }) => lines.push(format!("  = {name}: no changes")),
            Ok(StackResult::Deployed { status, elapsed, .. }) => {
                lines.push(format!("  + {name}: {status} ({:.1}s)", elapsed.as_secs_f64()))
            }
            Ok(StackResult::Hotswapped { swapped, elapsed, .. }) => lines.push(format!(
                "  ^ {name}: hotswapped {} task definition(s) ({:.1}s); drift until the next full deploy",
                swapped.len(),
                elapsed.as_secs_f64()
            )),
            Ok(StackResult::Diffed { changes }) => lines.push(format!("  ~ {name}: {changes} change(s)")),
            Ok(StackResult::Destroyed { existed: true, retained }) if retained.is_empty() => {
                lines.push(format!("  - {name}: deleted"))
            }
            Ok(StackResult::Destroyed { existed: true, retained }) => lines.push(format!(
                "  - {name}: deleted, {} resource(s) kept by DeletionPolicy: {}",
                retained.len(),
                retained.join(", ")
            )),
            Ok(StackResult::Destroyed { existed: false, .. }) => lines.push(format!("  - {name}: did not exist")),
            Ok(StackResult::SharedUnchanged { differs: true, .. }) => {
                lines.push(format!("  = {name}: shared, left as deployed (differs: see above)"))
            }
            Ok(StackResult::SharedUnchanged { differs: false, .. }) => {
                lines.push(format!("  = {name}: shared, left as deployed"))
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: {e}");
                let label = match &e {
                    Error::Interrupted { .. } => "INTERRUPTED",
                    Error::NotStarted { .. } => "NOT STARTED (interrupted)",
                    Error::Skipped { .. } => "SKIPPED (a dependency failed)",
                    Error::Refused(_)
                    | Error::WrongAccount { .. }
                    | Error::SharedNotDeployed { .. }
                    | Error::TerminationProtected { .. }
                    | Error::Busy { .. }
                    | Error::FailFastCancelled { .. } => "NOT DONE",
                    Error::Connection { .. } => "UNKNOWN (connection lost)",
                    _ => "FAILED",
                };
                lines.push(format!("  x {name}: {label}"));
                // Interrupted wins, so the exit code says so.
                if first_err.is_none() || matches!(e, Error::Interrupted { .. }) {
                    first_err = Some(e);
                }
            }
        }
    }
    ui.line(&lines.join("\n"));
    match first_err {
        None => Ok(()),
        Some(Error::Interrupted { stack, hint }) => Err(Error::Interrupted { stack, hint }),
        Some(_) => Err(Error::StacksFailed { failed }),
    }
}

/// What `cargo metadata` says about the workspace around the current directory.
struct Workspace {
    root: PathBuf,
    target: PathBuf,
    default_app: Option<String>,
}

fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn workspace() -> Result<Workspace, Error> {
    let out = Command::new(cargo_bin())
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| Error::Synth(format!("cannot run cargo metadata: {e}")))?;
    if !out.status.success() {
        return Err(Error::Synth(format!(
            "cargo metadata failed (run from inside your Cargo workspace): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| Error::Synth(format!("cargo metadata: {e}")))?;
    let path = |k: &str| PathBuf::from(meta[k].as_str().unwrap_or("."));
    Ok(Workspace {
        root: path("workspace_root"),
        target: path("target_directory"),
        default_app: meta["metadata"]["stackcraft"]["default-app"].as_str().map(str::to_string),
    })
}

/// Build and run the app's `synth` for the environment into a fresh
/// directory of this invocation, `<target>/stackcraft/<app>/<env>.<pid>`, read
/// it into memory and remove it: concurrent commands on the same app and
/// environment never see each other's assembly.
fn synth(common: &Common) -> Result<Assembly, Error> {
    let ws = workspace()?;
    let app = common
        .app
        .clone()
        .or_else(|| std::env::var("STACKCRAFT_APP").ok().filter(|s| !s.is_empty()))
        .or(ws.default_app.clone())
        .ok_or_else(|| {
            Error::Usage(
                "which app? Pass --app PACKAGE_OR_PATH, set STACKCRAFT_APP, or add \
                 `[workspace.metadata.stackcraft] default-app = \"PACKAGE\"` to the workspace \
                 Cargo.toml"
                    .into(),
            )
        })?;
    let mut cmd = Command::new(cargo_bin());
    cmd.current_dir(&ws.root).arg("run");
    // Build progress: cargo's own on a terminal; a line otherwise (the first
    // build of an app compiles it and its dependencies: minutes on a fresh clone).
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    if !tty {
        cmd.arg("--quiet");
    }
    let as_path = [PathBuf::from(&app), ws.root.join(&app)].into_iter().find(|p| p.join("Cargo.toml").is_file());
    let label = match &as_path {
        Some(dir) => {
            let dir = dir.canonicalize().unwrap_or_else(|_| dir.clone());
            cmd.arg("--manifest-path").arg(dir.join("Cargo.toml"));
            dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "app".into())
        }
        None => {
            cmd.args(["--package", &app]);
            app.clone()
        }
    };
    let out = ws.target.join("stackcraft").join(sanitize(&label)).join(format!(
        "{}.{}",
        sanitize(&common.env),
        std::process::id()
    ));
    cmd.args(["--", "synth", "--env", &common.env, "--out"]).arg(&out);
    eprintln!(
        "building and running {label} synth ({}) into {}{}",
        common.env,
        out.display(),
        if tty { "" } else { " (the first build compiles the app: it can take minutes)" }
    );
    let status = cmd.status().map_err(|e| Error::Synth(format!("cannot run cargo: {e}")))?;
    if !status.success() {
        return Err(Error::Synth(format!("`cargo run` of {label} synth --env {} exited with {status}", common.env)));
    }
    let assembly = Assembly::load(&out);
    let _ = std::fs::remove_dir_all(&out);
    assembly
}

fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definitions_are_valid() {
        DeployCmd::command().debug_assert();
        DiffCmd::command().debug_assert();
        DestroyCmd::command().debug_assert();
        OutputsCmd::command().debug_assert();
    }

    #[test]
    fn parses_deploy_flags() {
        let c = DeployCmd::try_parse_from([
            "deploy",
            "dev",
            "--app",
            "quickstart",
            "--stack",
            "Storage",
            "--yes",
            "--concurrency",
            "2",
        ])
        .unwrap();
        assert_eq!(c.common.env, "dev");
        assert_eq!(c.common.stack, ["Storage"]);
        assert!(c.yes);
        assert_eq!(c.concurrency, 2);
        assert!(DeployCmd::try_parse_from(["deploy"]).is_err(), "ENV is required");
    }

    #[test]
    fn express_says_plainly_that_the_sdk_has_no_express_mode() {
        let code = run("deploy", vec!["dev".into(), "--assembly".into(), "/nonexistent".into(), "--express".into()]);
        // The assembly is read first: a missing one is exit 1; with one, --express is exit 2.
        assert_eq!(code, ExitCode::from(1));
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("A.json"), "{}").unwrap();
        std::fs::write(
            d.path().join("manifest.json"),
            r#"{"version": "36.0.0", "artifacts": {"A": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "A.json"}}}}"#,
        )
        .unwrap();
        let args = vec!["dev".into(), "--assembly".into(), d.path().display().to_string(), "--express".into()];
        assert_eq!(run("deploy", args), ExitCode::from(2));
    }

    #[test]
    fn reattach_command_keeps_every_selecting_flag() {
        let c = DeployCmd::try_parse_from([
            "deploy",
            "dev",
            "--app",
            "my shop",
            "--stack",
            "Data",
            "--profile",
            "p",
            "--region",
            "eu-west-1",
            "--include-shared",
        ])
        .unwrap();
        assert_eq!(
            c.common.command_line("deploy"),
            "cargo xtask deploy dev --app 'my shop' --stack Data --profile p --region eu-west-1 --include-shared"
        );
    }

    #[test]
    fn fail_fast_is_on_by_default_except_in_production() {
        let parse = |extra: &[&str]| {
            let c = DeployCmd::try_parse_from(["deploy", "prod"].iter().chain(extra)).unwrap();
            (c.fail_fast, c.no_fail_fast, c.max_failed_tasks)
        };
        let (on, off, n) = parse(&[]);
        assert_eq!(n, 3);
        assert!(fail_fast_default(on, off, false));
        assert!(!fail_fast_default(on, off, true));
        let (on, off, _) = parse(&["--fail-fast"]);
        assert!(fail_fast_default(on, off, true));
        let (on, off, _) = parse(&["--no-fail-fast"]);
        assert!(!fail_fast_default(on, off, false));
        let (on, off, _) = parse(&["--fail-fast", "--no-fail-fast"]);
        assert!(!fail_fast_default(on, off, false), "the last one wins");
    }

    #[test]
    fn unknown_command_is_a_usage_error() {
        assert_eq!(run("frobnicate", vec![]), ExitCode::from(2));
    }
}
