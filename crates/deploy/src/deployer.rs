//! The deploy engine: change sets, waiting, event streaming, failure
//! reporting, blocked states, large-template upload, destroy; and the
//! scheduler that runs independent stacks concurrently in dependency order.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::error::ProvideErrorMetadata;
use aws_sdk_cloudformation::types::{Capability as CfnCapability, ChangeSetType, Tag};
use tokio::sync::OnceCell;
use tokio::task::JoinSet;

use crate::assembly::{StackArtifact, MAX_INLINE_TEMPLATE_BYTES};
use crate::aws::{self, aws_err, is_missing_stack, Clients};
use crate::error::Error;
use crate::interrupt::Interrupt;
use crate::model::{
    failures, Blocked, ChangeAction, ChangeSet, Outcome, ResourceChange, StackEvent, StackInfo, StackOutput,
    StackStatus,
};
use crate::ui::{render_change_set, render_event, Ui};

/// How often to poll CloudFormation: fast at first, then slower while
/// nothing changes (each idle poll multiplies the interval by 1.5 up to
/// `max`); new events reset it to `initial`.
#[derive(Debug, Clone, Copy)]
pub struct PollConfig {
    /// First interval.
    pub initial: Duration,
    /// Largest interval.
    pub max: Duration,
    /// After this long without a new event or status, say so (and again
    /// every time it passes): the stall watchdog.
    pub stall: Duration,
    /// Stop waiting on one operation after this long (it may go on in
    /// CloudFormation; the message says how to reattach).
    pub max_wait: Duration,
}

impl Default for PollConfig {
    fn default() -> Self {
        PollConfig {
            initial: Duration::from_millis(1000),
            max: Duration::from_secs(10),
            stall: Duration::from_secs(600),
            max_wait: Duration::from_secs(6 * 3600),
        }
    }
}

impl PollConfig {
    /// Millisecond polling, for tests against mocks and emulators.
    pub fn fast() -> Self {
        PollConfig { initial: Duration::from_millis(1), max: Duration::from_millis(20), ..PollConfig::default() }
    }
}

struct Poller {
    cfg: PollConfig,
    cur: Duration,
    interrupt: Interrupt,
}

impl Poller {
    fn new(cfg: PollConfig, interrupt: &Interrupt) -> Self {
        Poller { cfg, cur: cfg.initial, interrupt: interrupt.clone() }
    }

    fn reset(&mut self) {
        self.cur = self.cfg.initial;
    }

    /// Sleep for the current interval (then lengthen it); Ctrl-C ends the
    /// wait with [`Error::Interrupted`].
    async fn sleep(&mut self, stack: &str, hint: &str) -> Result<(), Error> {
        let d = self.cur;
        self.cur = self.cur.mul_f64(1.5).min(self.cfg.max);
        tokio::select! {
            _ = tokio::time::sleep(d) => Ok(()),
            _ = self.interrupt.wait() => Err(Error::Interrupted {
                stack: stack.to_string(),
                hint: hint.to_string(),
            }),
        }
    }
}

/// The result of preparing a stack's change set.
#[derive(Debug)]
pub enum Prepared {
    /// The stack already matches the template.
    NoChanges(Option<StackInfo>),
    /// A change set with changes, ready to execute (or to discard).
    Changes {
        /// The stack as it was (None when it is created by this change set).
        before: Option<StackInfo>,
        /// The change set.
        change_set: ChangeSet,
    },
}

/// What happened to one stack.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum StackResult {
    /// Nothing to do: the stack matches the template.
    NoChanges {
        /// Current outputs.
        outputs: Vec<StackOutput>,
    },
    /// Created or updated.
    Deployed {
        /// Final status.
        status: StackStatus,
        /// Outputs after the deploy.
        outputs: Vec<StackOutput>,
        /// Wall time of the execution.
        elapsed: Duration,
    },
    /// Diff shown (nothing applied).
    Diffed {
        /// Number of resource changes.
        changes: usize,
    },
    /// Deleted (or was already absent).
    Destroyed {
        /// Whether the stack existed.
        existed: bool,
        /// Resources CloudFormation kept (`DELETE_SKIPPED`: DeletionPolicy
        /// Retain), as `Logical (Type, physical id)`.
        retained: Vec<String>,
    },
    /// `--hotswap`: the stack's task definitions were re-registered with new
    /// images/environment and its services updated, without CloudFormation
    /// (drift until the next full deploy).
    Hotswapped {
        /// What was swapped (the drift record).
        swapped: Vec<crate::hotswap::Swapped>,
        /// Current outputs (unchanged by a hotswap).
        outputs: Vec<StackOutput>,
        /// Wall time, services stable included.
        elapsed: Duration,
    },
    /// A shared stack, left as deployed (deploy/destroy without
    /// `--include-shared`).
    SharedUnchanged {
        /// Its current outputs (still read, for the stacks importing them).
        outputs: Vec<StackOutput>,
        /// Whether the synthesized template differs from the deployed one.
        differs: bool,
    },
}

/// Which operation the scheduler runs on each stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// Create/update through change sets.
    Deploy,
    /// Show change sets without executing them.
    Diff,
    /// Delete, dependents first.
    Destroy {
        /// Lift termination protection before deleting.
        allow_protected: bool,
    },
}

/// How a deploy applies a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Method {
    /// Through a change set (CREATE or UPDATE): the diff is shown before
    /// anything changes. The default.
    #[default]
    ChangeSet,
    /// CreateStack / UpdateStack directly, like `cdk deploy --method=direct`:
    /// a new stack's diff is computed locally, an update shows no diff. For
    /// emulators without full change-set support and for speed.
    Direct,
}

/// Applies stacks to CloudFormation.
#[derive(Debug)]
pub struct Deployer {
    clients: Clients,
    pub(crate) ui: Ui,
    pub(crate) poll: PollConfig,
    reattach: String,
    pub(crate) deploy_command: String,
    bucket: OnceCell<String>,
    account: OnceCell<String>,
    method: Method,
    include_shared: bool,
    /// Deployers for stacks pinned to other regions, by region.
    regional: std::sync::Mutex<HashMap<String, Arc<Deployer>>>,
    pub(crate) interrupt: Interrupt,
    /// Stacks with an operation this run started that has not settled yet
    /// (stack name → what), shared by the regional deployers.
    started: Arc<std::sync::Mutex<BTreeMap<String, &'static str>>>,
    /// Change sets prepared and shown up front, by stack name.
    prepared: Arc<std::sync::Mutex<HashMap<String, Prepared>>>,
    /// The run's one confirmation was given: no stack asks again.
    confirmed: Arc<std::sync::atomic::AtomicBool>,
    /// Create-only properties by resource type (replacement fallback).
    create_only: Arc<BTreeMap<String, Vec<String>>>,
    /// ECS, to follow services while their stack updates ([`crate::ecs`]).
    pub(crate) ecs: Option<aws_sdk_ecs::Client>,
    /// The fail-fast policy for ECS services.
    pub(crate) fail_fast: crate::ecs::FailFast,
    /// Where `--hotswap` records the drift it creates ([`crate::hotswap::DriftFile`]).
    pub(crate) drift_file: Option<std::path::PathBuf>,
}

fn now_millis() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default()
}

/// A stable content hash for asset keys (FNV-1a from the assembly contract;
/// no crypto needed: the key only has to change when the content does).
fn fnv64(data: &[u8]) -> u64 {
    stackcraft_assembly::stable_hash(data)
}

fn is_no_changes_reason(reason: &str) -> bool {
    reason.contains("didn't contain changes")
        || reason.contains("No updates are to be performed")
        || reason.contains("does not contain changes")
}

impl Deployer {
    /// A deployer over `clients`, printing through `ui`. `reattach` is the
    /// command that resumes waiting after Ctrl-C (e.g. `cargo xtask deploy dev`).
    pub fn new(clients: Clients, ui: Ui, poll: PollConfig, reattach: impl Into<String>) -> Self {
        let reattach = reattach.into();
        Deployer {
            clients,
            ui,
            poll,
            deploy_command: reattach.clone(),
            reattach,
            bucket: OnceCell::new(),
            account: OnceCell::new(),
            method: Method::ChangeSet,
            include_shared: false,
            regional: std::sync::Mutex::default(),
            interrupt: Interrupt::new(),
            started: Arc::default(),
            prepared: Arc::default(),
            confirmed: Arc::default(),
            create_only: Arc::default(),
            ecs: None,
            fail_fast: crate::ecs::FailFast::default(),
            drift_file: None,
        }
    }

    /// Record the drift `--hotswap` creates in `path` (the drift record file),
    /// as soon as its UpdateService calls succeeded.
    pub fn with_drift_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.drift_file = Some(path.into());
        self
    }

    /// Create-only properties by resource type (the assembly's
    /// `createOnlyProperties`): a modification whose change set carries no
    /// replacement detail is flagged as a replacement when one of them changes.
    pub fn with_create_only(mut self, create_only: BTreeMap<String, Vec<String>>) -> Self {
        self.create_only = Arc::new(create_only);
        self
    }

    /// Follow ECS services with `ecs` while their stack updates, printing
    /// deployments, service events and stopped tasks, and apply `policy`
    /// when a new deployment fails ([`crate::ecs`]).
    pub fn with_ecs(mut self, ecs: aws_sdk_ecs::Client, policy: crate::ecs::FailFast) -> Self {
        self.ecs = Some(ecs);
        self.fail_fast = policy;
        self
    }

    /// Stop at `interrupt` (e.g. [`Interrupt::on_ctrl_c`]): calls, retries,
    /// waits and prompts end, no further change is started.
    pub fn with_interrupt(mut self, interrupt: Interrupt) -> Self {
        self.interrupt = interrupt;
        self
    }

    fn mark_started(&self, stack: &str, what: &'static str) {
        if let Ok(mut m) = self.started.lock() {
            m.insert(stack.to_string(), what);
        }
    }

    fn mark_settled(&self, stack: &str) {
        if let Ok(mut m) = self.started.lock() {
            m.remove(stack);
        }
    }

    /// The operation this run started on `stack` that has not settled.
    fn in_flight(&self, stack: &str) -> Option<&'static str> {
        self.started.lock().ok().and_then(|m| m.get(stack).copied())
    }

    /// Use `method` for deploys.
    pub fn with_method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// Deploy (and destroy) shared stacks too; without it they are left as
    /// deployed and only read.
    pub fn with_include_shared(mut self, include: bool) -> Self {
        self.include_shared = include;
        self
    }

    /// The deploy command of this environment with all its flags (e.g.
    /// `cargo xtask deploy dev --app shop`), used in hints such as how to
    /// deploy a shared stack.
    pub fn with_deploy_command(mut self, command: impl Into<String>) -> Self {
        self.deploy_command = command.into();
        self
    }

    /// Use `clients` for the stacks pinned to their region (instead of
    /// deriving clients from the default ones' configuration).
    pub fn with_region_clients(self, clients: Clients) -> Self {
        let d = Arc::new(self.sibling(clients));
        if let Ok(mut m) = self.regional.lock() {
            m.insert(d.clients.region.clone(), d);
        }
        self
    }

    fn sibling(&self, clients: Clients) -> Deployer {
        let ecs = match (&self.ecs, &clients.config) {
            (Some(_), Some(conf)) => Some(aws_sdk_ecs::Client::new(conf)),
            (ecs, _) => ecs.clone(),
        };
        Deployer {
            clients,
            ui: self.ui.clone(),
            poll: self.poll,
            reattach: self.reattach.clone(),
            deploy_command: self.deploy_command.clone(),
            bucket: OnceCell::new(),
            account: OnceCell::new(),
            method: self.method,
            include_shared: self.include_shared,
            regional: std::sync::Mutex::default(),
            interrupt: self.interrupt.clone(),
            started: Arc::clone(&self.started),
            prepared: Arc::clone(&self.prepared),
            confirmed: Arc::clone(&self.confirmed),
            create_only: Arc::clone(&self.create_only),
            ecs,
            fail_fast: self.fail_fast,
            drift_file: self.drift_file.clone(),
        }
    }

    /// Ask the run's one question up front: create the change set of every
    /// stack in `stacks` (concurrently), show them all, then ask once. No
    /// stack waits on a prompt later, and nothing is executed before the
    /// answer. A stack whose change set needs a dependency deployed first
    /// (it imports an export that does not exist yet) is named and covered by
    /// the same answer; its diff is shown when it deploys. Without a
    /// terminal or with `--yes` this does nothing. With `--method direct`
    /// (no change sets) it shows what each stack gets and asks once too.
    /// "No" deletes the change sets created.
    pub async fn confirm_up_front(self: &Arc<Self>, stacks: &[StackArtifact]) -> Result<(), Error> {
        self.confirm_up_front_with(stacks, None).await
    }

    /// [`Deployer::confirm_up_front`], the one question also covering
    /// `hotswap` (what `--hotswap` is about to do outside CloudFormation,
    /// e.g. "Hotswap shop-dev-Web (...)"), asked even when no change set
    /// has changes. Without a terminal and without `--yes`, a hotswap is
    /// refused here, before any change set is created.
    pub async fn confirm_up_front_with(
        self: &Arc<Self>,
        stacks: &[StackArtifact],
        hotswap: Option<&str>,
    ) -> Result<(), Error> {
        if self.ui.assume_yes() {
            return Ok(());
        }
        if !self.ui.is_interactive() {
            return match hotswap {
                Some(h) => match self.ui.confirm(&format!("{h}?")).await {
                    Ok(true) => Ok(()),
                    Ok(false) => Err(Error::Refused("hotswap cancelled; nothing was changed".into())),
                    Err(e) => Err(e),
                },
                None => Ok(()),
            };
        }
        if self.method == Method::Direct {
            return self.confirm_direct_up_front(stacks, hotswap).await;
        }
        let mut set = JoinSet::new();
        for s in stacks.iter().filter(|s| self.include_shared || !s.shared) {
            let d = self.for_stack(s)?;
            let s = s.clone();
            set.spawn(async move {
                let r = d.prepare(&s, false).await;
                (s, r)
            });
        }
        let mut results = Vec::new();
        loop {
            tokio::select! {
                biased;
                j = set.join_next() => match j {
                    Some(Ok(x)) => results.push(x),
                    Some(Err(e)) => self.ui.line(&format!("internal error: {e}")),
                    None => break,
                },
                _ = self.interrupt.wait() => {
                    set.abort_all();
                    self.discard_prepared().await;
                    return Err(Error::Interrupted {
                        stack: "confirmation".into(),
                        hint: "nothing was changed (the change sets created were deleted)".into(),
                    });
                }
            }
        }
        let order: HashMap<&str, usize> = stacks.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
        results.sort_by_key(|(s, _)| order.get(s.id.as_str()).copied().unwrap_or(usize::MAX));
        let mut changing = Vec::new();
        let mut deferred = Vec::new();
        let mut failure = None;
        for (s, r) in results {
            match r {
                Ok(p) => {
                    if let Prepared::Changes { change_set, .. } = &p {
                        self.ui.line(&render_change_set(change_set));
                        changing.push(s.stack_name.clone());
                    }
                    if let Ok(mut m) = self.prepared.lock() {
                        m.insert(s.stack_name.clone(), p);
                    }
                }
                Err(Error::ChangeSetFailed { reason, .. }) if reason.contains("No export named") => {
                    deferred.push(s.stack_name.clone());
                }
                Err(e) => {
                    failure.get_or_insert(e);
                }
            }
        }
        if let Some(e) = failure {
            self.discard_prepared().await;
            return Err(e);
        }
        if changing.is_empty() && deferred.is_empty() && hotswap.is_none() {
            return Ok(());
        }
        let mut question = String::new();
        if let Some(h) = hotswap {
            question.push_str(h);
        }
        if !changing.is_empty() || !deferred.is_empty() {
            question.push_str(&match hotswap {
                Some(_) => format!(", and deploy the changes above to {} stack(s)", changing.len()),
                None => format!("Deploy the changes above to {} stack(s)", changing.len()),
            });
        }
        if !deferred.is_empty() {
            question.push_str(&format!(
                ", and {} (their diff needs the stacks they import from deployed first; shown before they run)",
                deferred.join(", ")
            ));
        }
        question.push('?');
        match self.ui.confirm(&question).await {
            Ok(true) => {
                self.confirmed.store(true, std::sync::atomic::Ordering::SeqCst);
                Ok(())
            }
            other => {
                let had_change_sets = !changing.is_empty();
                self.discard_prepared().await;
                Err(match other {
                    Err(e @ Error::Interrupted { .. }) => e,
                    _ => Error::Refused(match (hotswap.is_some(), had_change_sets) {
                        (true, true) => {
                            "deploy cancelled; nothing was hotswapped, the change sets were deleted, nothing was \
                             changed"
                                .into()
                        }
                        (true, false) => "hotswap cancelled; nothing was changed".into(),
                        _ => "deploy cancelled; the change sets were deleted, nothing was changed".into(),
                    }),
                })
            }
        }
    }

    /// Delete the change sets prepared up front (and the placeholder stacks
    /// of creates).
    pub(crate) async fn discard_prepared(&self) {
        let all: Vec<Prepared> = match self.prepared.lock() {
            Ok(mut m) => m.drain().map(|(_, p)| p).collect(),
            Err(_) => return,
        };
        for p in all {
            if let Prepared::Changes { change_set, .. } = p {
                self.delete_change_set(&change_set).await;
                if change_set.creates_stack {
                    let _ = self.cfn().delete_stack().stack_name(&change_set.stack_name).send().await;
                }
            }
        }
    }

    fn take_prepared(&self, stack: &str) -> Option<Prepared> {
        self.prepared.lock().ok().and_then(|mut m| m.remove(stack))
    }

    /// Whether shared stacks are deployed and destroyed too.
    pub fn includes_shared(&self) -> bool {
        self.include_shared
    }

    /// The region this deployer's clients talk to.
    pub fn region(&self) -> &str {
        &self.clients.region
    }

    /// The deployer for `art`: this one, or one with clients for the region
    /// the stack is pinned to (same credentials chain and endpoint).
    pub fn for_stack(self: &Arc<Self>, art: &StackArtifact) -> Result<Arc<Deployer>, Error> {
        let Some(region) = art.region.as_deref().filter(|r| *r != self.clients.region) else {
            return Ok(Arc::clone(self));
        };
        let mut map = self.regional.lock().map_err(|_| Error::Io("internal error: region table poisoned".into()))?;
        if let Some(d) = map.get(region) {
            return Ok(Arc::clone(d));
        }
        let clients = self.clients.for_region(region).ok_or_else(|| {
            Error::Usage(format!("{}: pinned to region {region}, but no clients can be made for it", art.stack_name))
        })?;
        let d = Arc::new(self.sibling(clients));
        map.insert(region.to_string(), Arc::clone(&d));
        Ok(d)
    }

    /// The account of the deploying credentials (STS GetCallerIdentity, once).
    pub async fn caller_account(&self) -> Result<String, Error> {
        self.account
            .get_or_try_init(|| async {
                let id = self
                    .clients
                    .sts
                    .get_caller_identity()
                    .send()
                    .await
                    .map_err(|e| aws_err("GetCallerIdentity", "", e))?;
                Ok(id.account().unwrap_or("unknown").to_string())
            })
            .await
            .cloned()
    }

    /// A stack pinned to an account is deployed only with that account's
    /// credentials (missing account: the caller's).
    async fn check_account(&self, art: &StackArtifact) -> Result<(), Error> {
        let Some(want) = &art.account else { return Ok(()) };
        let have = self.caller_account().await?;
        if &have != want {
            return Err(Error::WrongAccount { stack: art.stack_name.clone(), want: want.clone(), have });
        }
        Ok(())
    }

    /// A shared stack on a deploy without `--include-shared`: left alone, its
    /// outputs read. Missing is an error (the stacks importing from it cannot
    /// deploy); a different template is reported with the command that
    /// deploys it.
    async fn shared_unchanged(&self, art: &StackArtifact) -> Result<StackResult, Error> {
        let name = &art.stack_name;
        let how = format!("{} --include-shared --stack {}", self.deploy_command, art.id);
        let Some(info) = self.describe(name).await?.filter(|s| s.status != StackStatus::DeleteComplete) else {
            return Err(Error::SharedNotDeployed { stack: name.clone(), command: how });
        };
        let deployed = self
            .cfn()
            .get_template()
            .stack_name(name)
            .template_stage(aws_sdk_cloudformation::types::TemplateStage::Original)
            .send()
            .await
            .map_err(|e| aws_err("GetTemplate", name, e))?;
        let same = match (deployed.template_body().map(serde_json::from_str::<serde_json::Value>), art.template()) {
            (Some(Ok(a)), Ok(b)) => a == b,
            _ => false,
        };
        if same {
            self.ui.line(&format!("{name}: shared stack, up to date"));
        } else {
            self.ui.line(&format!(
                "{name}: shared stack differs from the synthesized template and is left as \
                 deployed; to change it (for every environment), run `{how}`"
            ));
        }
        Ok(StackResult::SharedUnchanged { outputs: info.outputs, differs: !same })
    }

    pub(crate) fn ui(&self) -> &Ui {
        &self.ui
    }

    pub(crate) fn cfn(&self) -> &aws_sdk_cloudformation::Client {
        &self.clients.cloudformation
    }

    fn hint(&self, stack: &str) -> String {
        format!(
            "the operation continues in CloudFormation; rerun `{}` to follow it again, or \
             `aws cloudformation describe-stack-events --stack-name {stack}`",
            self.reattach
        )
    }

    /// What an interruption leaves behind for `stack`.
    fn interrupted(&self, stack: &str) -> Error {
        let hint = match self.in_flight(stack) {
            Some(op) => format!("its {op} continues in CloudFormation. {}", self.reattach_hint(stack)),
            None => "stopped before changing it (an unexecuted change set may be left: it is harmless)".into(),
        };
        Error::Interrupted { stack: stack.to_string(), hint }
    }

    /// A request that starts an operation failed: unless the answer was lost
    /// (then it may have started), nothing is in flight. Another writer on
    /// the same stack is named as such.
    fn not_started_unless_lost(&self, stack: &str, e: Error) -> Error {
        if !matches!(e, Error::Connection { .. }) {
            self.mark_settled(stack);
        }
        concurrent_writer(stack, e, &self.reattach)
    }

    fn reattach_hint(&self, stack: &str) -> String {
        format!(
            "Reattach with `{}`, or follow it with `aws cloudformation describe-stack-events --stack-name {stack}`",
            self.reattach
        )
    }

    /// The stack named `stack` (name or id), or None if it does not exist.
    pub async fn describe(&self, stack: &str) -> Result<Option<StackInfo>, Error> {
        match self.cfn().describe_stacks().stack_name(stack).send().await {
            Ok(out) => Ok(out.stacks().first().map(aws::stack_info)),
            Err(e) if is_missing_stack(&e) => Ok(None),
            Err(e) => Err(aws_err("DescribeStacks", stack, e)),
        }
    }

    /// The id of the newest event of `stack`, used as the "seen up to here" marker.
    async fn latest_event_id(&self, stack: &str) -> Option<String> {
        let out = self.cfn().describe_stack_events().stack_name(stack).send().await.ok()?;
        out.stack_events().first().and_then(|e| e.event_id()).map(str::to_string)
    }

    /// Events newer than `marker` not yet in `seen`, oldest first.
    async fn new_events(
        &self,
        stack: &str,
        marker: Option<&str>,
        seen: &mut HashSet<String>,
    ) -> Result<Vec<StackEvent>, Error> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        'pages: loop {
            let resp = self.cfn().describe_stack_events().stack_name(stack).set_next_token(token.take()).send().await;
            let resp = match resp {
                Ok(r) => r,
                Err(e) if is_missing_stack(&e) => break,
                Err(e) => return Err(aws_err("DescribeStackEvents", stack, e)),
            };
            for e in resp.stack_events() {
                let ev = aws::stack_event(e);
                if Some(ev.event_id.as_str()) == marker || seen.contains(&ev.event_id) {
                    break 'pages;
                }
                out.push(ev);
            }
            // Without a marker (waiting on someone else's operation), the
            // newest page is enough: never page through a stack's history.
            match resp.next_token() {
                Some(t) if marker.is_some() => token = Some(t.to_string()),
                _ => break,
            }
        }
        out.reverse();
        for e in &out {
            seen.insert(e.event_id.clone());
        }
        Ok(out)
    }

    /// Wait until the running operation on `stack` settles, printing its
    /// events and advancing a progress bar over `total` resources. `before` is
    /// the status before the operation was started (None when waiting for an
    /// operation someone else started).
    async fn watch(
        &self,
        stack: &str,
        display: &str,
        marker: Option<String>,
        total: usize,
        before: Option<&StackStatus>,
    ) -> Result<(StackInfo, Vec<StackEvent>), Error> {
        let pb = self.ui.bar(display, total as u64);
        let mut poller = Poller::new(self.poll, &self.interrupt);
        let mut seen = HashSet::new();
        let mut events = Vec::new();
        let mut saw_progress = before.is_none();
        let mut settled_polls = 0u32;
        let hint = self.hint(display);
        let started = Instant::now();
        let mut last_progress = Instant::now();
        let mut last_status: Option<StackStatus> = None;
        let result = loop {
            let fresh = self.new_events(stack, marker.as_deref(), &mut seen).await?;
            if !fresh.is_empty() {
                poller.reset();
                last_progress = Instant::now();
            }
            for e in &fresh {
                self.ui.line(&render_event(display, e));
                if e.is_stack_event(display) {
                    saw_progress = true;
                } else if e.status.is_done() || e.status.is_failed() {
                    pb.inc(1);
                }
                pb.set_message(format!("{} {}", e.status, e.logical_id));
            }
            events.extend(fresh);
            let info = match self.describe(stack).await? {
                Some(i) => i,
                // Deleted and no longer visible by name.
                None => StackInfo {
                    stack_id: stack.to_string(),
                    stack_name: display.to_string(),
                    status: StackStatus::DeleteComplete,
                    reason: None,
                    termination_protection: false,
                    outputs: vec![],
                },
            };
            if last_status.as_ref() != Some(&info.status) {
                last_progress = Instant::now();
                last_status = Some(info.status.clone());
            }
            if last_progress.elapsed() >= self.poll.stall {
                self.ui.line(&format!(
                    "{display}: no new event for {}s (still {}); still waiting. Ctrl-C stops waiting \
                     (the operation goes on in CloudFormation)",
                    last_progress.elapsed().as_secs(),
                    info.status
                ));
                last_progress = Instant::now();
            }
            if started.elapsed() >= self.poll.max_wait {
                self.ui.finish_bar(&pb);
                return Err(Error::Blocked {
                    stack: display.to_string(),
                    status: info.status.clone(),
                    next_step: format!(
                        "stopped waiting after {}s without the operation ending. {}",
                        started.elapsed().as_secs(),
                        self.reattach_hint(display)
                    ),
                });
            }
            if info.status.is_in_progress() {
                saw_progress = true;
            } else if info.status != StackStatus::ReviewInProgress {
                settled_polls += 1;
                // Right after starting an operation the old settled status may
                // still show: trust a settled status once the operation was
                // seen running, the status changed, or it stayed for 3 polls.
                if saw_progress || before != Some(&info.status) || settled_polls >= 3 {
                    break info;
                }
            }
            if let Err(e) = poller.sleep(display, &hint).await {
                self.ui.finish_bar(&pb);
                return Err(e);
            }
        };
        self.ui.finish_bar(&pb);
        self.mark_settled(display);
        Ok((result, events))
    }

    /// Termination protection as the assembly says, checked on every deploy
    /// (also "no changes"): a protection lifted by hand or never set because
    /// a call failed is restored.
    async fn ensure_protection(&self, art: &StackArtifact, info: &StackInfo) -> Result<(), Error> {
        if art.termination_protection && !info.termination_protection {
            self.ui.line(&format!("{}: termination protection is off but must be on; restoring it", art.stack_name));
            self.set_termination_protection(&art.stack_name, true).await?;
        }
        Ok(())
    }

    async fn set_termination_protection(&self, stack: &str, on: bool) -> Result<(), Error> {
        self.cfn()
            .update_termination_protection()
            .stack_name(stack)
            .enable_termination_protection(on)
            .send()
            .await
            .map_err(|e| aws_err("UpdateTerminationProtection", stack, e))?;
        self.ui.line(&format!("{stack}: termination protection {}", if on { "enabled" } else { "disabled" }));
        Ok(())
    }

    /// The assets bucket for large templates, `stackcraft-assets-ACCOUNT-REGION`,
    /// created on first use: versioned, encrypted (SSE-S3), all public access blocked.
    pub async fn assets_bucket(&self) -> Result<String, Error> {
        self.bucket
            .get_or_try_init(|| async {
                let account = self.caller_account().await?;
                let region = &self.clients.region;
                let bucket = format!("stackcraft-assets-{account}-{region}");
                self.ensure_bucket(&bucket).await?;
                Ok(bucket)
            })
            .await
            .cloned()
    }

    async fn ensure_bucket(&self, bucket: &str) -> Result<(), Error> {
        use aws_sdk_s3::types::{
            BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration,
            PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
            ServerSideEncryptionConfiguration, ServerSideEncryptionRule, VersioningConfiguration,
        };
        let s3 = &self.clients.s3;
        match s3.head_bucket().bucket(bucket).send().await {
            Ok(_) => return Ok(()),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {}
            Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => {}
            Err(e) => return Err(aws_err("HeadBucket", bucket, e)),
        }
        self.ui.line(&format!("creating assets bucket {bucket} (versioned, encrypted, private)"));
        let mut create = s3.create_bucket().bucket(bucket);
        if self.clients.region != "us-east-1" {
            create = create.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(self.clients.region.as_str()))
                    .build(),
            );
        }
        create.send().await.map_err(|e| aws_err("CreateBucket", bucket, e))?;
        let block = PublicAccessBlockConfiguration::builder()
            .block_public_acls(true)
            .ignore_public_acls(true)
            .block_public_policy(true)
            .restrict_public_buckets(true)
            .build();
        s3.put_public_access_block()
            .bucket(bucket)
            .public_access_block_configuration(block)
            .send()
            .await
            .map_err(|e| aws_err("PutPublicAccessBlock", bucket, e))?;
        s3.put_bucket_versioning()
            .bucket(bucket)
            .versioning_configuration(
                VersioningConfiguration::builder().status(BucketVersioningStatus::Enabled).build(),
            )
            .send()
            .await
            .map_err(|e| aws_err("PutBucketVersioning", bucket, e))?;
        let rule = ServerSideEncryptionRule::builder()
            .apply_server_side_encryption_by_default(
                ServerSideEncryptionByDefault::builder()
                    .sse_algorithm(ServerSideEncryption::Aes256)
                    .build()
                    .map_err(|e| Error::Io(e.to_string()))?,
            )
            .build();
        s3.put_bucket_encryption()
            .bucket(bucket)
            .server_side_encryption_configuration(
                ServerSideEncryptionConfiguration::builder()
                    .rules(rule)
                    .build()
                    .map_err(|e| Error::Io(e.to_string()))?,
            )
            .send()
            .await
            .map_err(|e| aws_err("PutBucketEncryption", bucket, e))?;
        Ok(())
    }

    /// Upload `art`'s template to the assets bucket; returns its HTTPS URL.
    pub async fn upload_template(&self, art: &StackArtifact) -> Result<String, Error> {
        let bucket = self.assets_bucket().await?;
        let key = format!("templates/{}/{:016x}.json", art.stack_name, fnv64(art.template_body.as_bytes()));
        self.clients
            .s3
            .put_object()
            .bucket(&bucket)
            .key(&key)
            .content_type("application/json")
            .body(art.template_body.clone().into_bytes().into())
            .send()
            .await
            .map_err(|e| aws_err("PutObject", &art.stack_name, e))?;
        let region = &self.clients.region;
        let suffix = if region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" };
        self.ui.line(&format!(
            "{}: template is {} bytes (> {MAX_INLINE_TEMPLATE_BYTES}), uploaded to s3://{bucket}/{key}",
            art.stack_name,
            art.template_size()
        ));
        Ok(format!("https://{bucket}.s3.{region}.{suffix}/{key}"))
    }

    async fn delete_change_set(&self, cs: &ChangeSet) {
        if cs.id.is_empty() {
            return;
        }
        let _ = self.cfn().delete_change_set().change_set_name(&cs.id).stack_name(&cs.stack_name).send().await;
    }

    /// The stack as it is now, once it can be changed: waits for a running
    /// operation, deletes (after confirmation) a stack whose first create
    /// failed, and fails with the next step for other blocked states.
    /// `None` when the stack does not exist (anymore).
    async fn settle_existing(&self, art: &StackArtifact, for_diff: bool) -> Result<Option<StackInfo>, Error> {
        let name = &art.stack_name;
        let mut existing = self.describe(name).await?.filter(|s| s.status != StackStatus::DeleteComplete);
        if let Some(s) = existing.clone() {
            if s.status.is_in_progress() {
                self.ui.line(&format!(
                    "{name}: {} — another operation is running; waiting for it to finish \
                     (Ctrl-C stops waiting, not the operation)",
                    s.status
                ));
                let (info, _) = self.watch(&s.stack_id, name, None, 0, None).await?;
                self.ui.line(&format!("{name}: now {}", info.status));
                existing = Some(info).filter(|s| s.status != StackStatus::DeleteComplete);
            }
        }
        if let Some(s) = existing.clone() {
            if let Some(b) = s.status.blocked() {
                let next_step = b.next_step(name);
                if b != Blocked::FailedCreate || for_diff {
                    return Err(Error::Blocked { stack: name.clone(), status: s.status, next_step });
                }
                let question = format!(
                    "{name} is {} after a failed first create and cannot be updated. Delete it \
                     and create it again?",
                    s.status
                );
                match self.ui.confirm(&question).await {
                    Ok(true) => {}
                    Ok(false) | Err(Error::Refused(_)) => {
                        return Err(Error::Blocked { stack: name.clone(), status: s.status, next_step })
                    }
                    Err(e) => return Err(e),
                }
                self.ui.line(&format!("{name}: deleting the failed stack"));
                self.delete_and_wait(&s).await?;
                existing = None;
            }
        }
        Ok(existing)
    }

    /// Create a change set for `art` and wait for it. Handles the stack's
    /// current state first: waits for an operation in progress, offers to
    /// delete and recreate a stack whose first create failed, and stops with
    /// the next step for other blocked states. With `for_diff`, a stack that
    /// does not exist is diffed locally (every resource added) without
    /// creating anything.
    pub async fn prepare(&self, art: &StackArtifact, for_diff: bool) -> Result<Prepared, Error> {
        let name = &art.stack_name;
        let existing = self.settle_existing(art, for_diff).await?;
        let create = existing.as_ref().is_none_or(|s| s.status.needs_create_change_set());
        if for_diff && existing.is_none() {
            return Ok(Prepared::Changes { before: None, change_set: local_create_diff(art) });
        }

        let cs_name = format!("stackcraft-{}", now_millis());
        let mut req = self
            .cfn()
            .create_change_set()
            .stack_name(name)
            .change_set_name(&cs_name)
            .change_set_type(if create { ChangeSetType::Create } else { ChangeSetType::Update })
            .description("stackcraft deploy");
        req = if art.needs_upload() {
            req.template_url(self.upload_template(art).await?)
        } else {
            req.template_body(&art.template_body)
        };
        for c in art.required_capabilities() {
            req = req.capabilities(CfnCapability::from(c.as_str()));
        }
        for (k, v) in &art.tags {
            req = req.tags(Tag::builder().key(k).value(v).build());
        }
        let created = req
            .send()
            .await
            .map_err(|e| concurrent_writer(name, aws_err("CreateChangeSet", name, e), &self.reattach))?;
        let id = created.id().unwrap_or(&cs_name).to_string();

        let mut cs = ChangeSet { id, stack_name: name.clone(), creates_stack: create, changes: Vec::new() };
        let mut poller = Poller::new(self.poll, &self.interrupt);
        let hint = format!(
            "change set {cs_name} of {name} is still being created; it is harmless and can be \
             deleted with `aws cloudformation delete-change-set --stack-name {name} \
             --change-set-name {cs_name}`"
        );
        let mut token: Option<String> = None;
        loop {
            let out = self
                .cfn()
                .describe_change_set()
                .change_set_name(&cs.id)
                .stack_name(name)
                .include_property_values(true)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| aws_err("DescribeChangeSet", name, e))?;
            let status = out.status().map(|s| s.as_str().to_string()).unwrap_or_default();
            match status.as_str() {
                "CREATE_COMPLETE" => {
                    cs.changes.extend(out.changes().iter().filter_map(aws::resource_change));
                    match out.next_token() {
                        Some(t) => {
                            token = Some(t.to_string());
                            continue;
                        }
                        None => break,
                    }
                }
                "FAILED" => {
                    let reason = out.status_reason().unwrap_or_default().to_string();
                    if is_no_changes_reason(&reason) {
                        self.delete_change_set(&cs).await;
                        return Ok(Prepared::NoChanges(existing));
                    }
                    self.delete_change_set(&cs).await;
                    return Err(Error::ChangeSetFailed { stack: name.clone(), reason });
                }
                _ => poller.sleep(name, &hint).await?,
            }
        }
        // Emulators (moto) accept empty change sets: an update without
        // changes is "no changes" too.
        if cs.changes.is_empty() && !create {
            self.delete_change_set(&cs).await;
            return Ok(Prepared::NoChanges(existing));
        }
        if !create {
            self.flag_create_only(art, &mut cs).await;
        }
        Ok(Prepared::Changes { before: existing, change_set: cs })
    }

    /// Modifications CloudFormation gave no replacement detail for (some
    /// emulators, some resource types): compare the deployed and new
    /// properties and flag a replacement when a create-only property changes.
    /// The create-only properties come from the assembly when it carries them,
    /// else from the L1 layer's generated table ([`stackcraft_replacement`]).
    async fn flag_create_only(&self, art: &StackArtifact, cs: &mut ChangeSet) {
        // CloudFormation's own answer (even a bare `Replacement: False`) stands.
        let create_only = &self.create_only;
        let lacking = |c: &ResourceChange| {
            c.action == ChangeAction::Modify
                && c.replacement.is_none()
                && !create_only_of(create_only, &c.resource_type).is_empty()
        };
        if !cs.changes.iter().any(lacking) {
            return;
        }
        let Ok(deployed) = self.cfn().get_template().stack_name(&art.stack_name).send().await else { return };
        let Some(Ok(old)) = deployed.template_body().map(serde_json::from_str::<serde_json::Value>) else { return };
        let Ok(new) = art.template() else { return };
        for c in cs.changes.iter_mut().filter(|c| lacking(c)) {
            let props = create_only_of(&self.create_only, &c.resource_type);
            let resource = |t: &serde_json::Value| t["Resources"][&c.logical_id]["Properties"].clone();
            let (old_props, new_props) = (resource(&old), resource(&new));
            for (p, effect) in props {
                let (before, after) = (property_at(&old_props, &p), property_at(&new_props, &p));
                if before == after {
                    continue;
                }
                let (replacement, requires, kind) = match effect {
                    stackcraft_replacement::Effect::Replaces => {
                        (crate::model::Replacement::True, "Always", "create-only property")
                    }
                    stackcraft_replacement::Effect::MayReplace => {
                        (crate::model::Replacement::Conditional, "Conditionally", "conditional create-only property")
                    }
                };
                if c.replacement != Some(crate::model::Replacement::True) {
                    c.replacement = Some(replacement);
                }
                let show = |v: Vec<&serde_json::Value>| match v.as_slice() {
                    [] => None,
                    [one] => Some(one.to_string()),
                    many => Some(serde_json::Value::Array(many.iter().map(|v| (*v).clone()).collect()).to_string()),
                };
                c.details.push(crate::model::PropertyChange {
                    attribute: "Properties".into(),
                    name: Some(p.clone()),
                    requires_recreation: Some(requires.into()),
                    change_source: Some(format!("{kind} (CloudFormation gave no replacement detail)")),
                    causing_entity: None,
                    before: show(before),
                    after: show(after),
                });
            }
        }
    }

    /// Execute a prepared change set and wait for the stack to settle.
    /// Returns the final stack (re-described, so outputs are current).
    pub async fn execute(
        &self,
        art: &StackArtifact,
        cs: &ChangeSet,
        before: Option<&StackInfo>,
    ) -> Result<StackInfo, Error> {
        let name = &art.stack_name;
        if let Some(b) = before {
            if !cs.creates_stack && b.termination_protection != art.termination_protection {
                self.set_termination_protection(name, art.termination_protection).await?;
            }
        }
        let marker = self.latest_event_id(name).await;
        let status_before = before.map(|b| b.status.clone());
        self.mark_started(name, if cs.creates_stack { "create" } else { "update" });
        self.cfn()
            .execute_change_set()
            .change_set_name(&cs.id)
            .stack_name(name)
            .send()
            .await
            .map_err(|e| self.not_started_unless_lost(name, aws_err("ExecuteChangeSet", name, e)))?;
        let (watched, verdict) = self
            .with_ecs_followed(
                art,
                !cs.creates_stack,
                self.watch(
                    name,
                    name,
                    marker,
                    cs.changes.len(),
                    Some(status_before.as_ref().unwrap_or(&StackStatus::ReviewInProgress)),
                ),
            )
            .await;
        let (info, events) = watched.map_err(|e| self.fail_fast_error(name, &verdict, e))?;
        let info = succeeded(info, &events, name).map_err(|e| self.fail_fast_error(name, &verdict, e))?;
        if cs.creates_stack && art.termination_protection && !info.termination_protection {
            self.set_termination_protection(name, true).await?;
        }
        // Outputs are not always current in the last poll (moto never
        // refreshes them there): describe once more.
        Ok(self.describe(name).await?.unwrap_or(info))
    }

    /// Run `watch` (the wait for an update of `art`) while following the
    /// stack's ECS services ([`crate::ecs::follow`]), when there is an ECS
    /// client, the update is not a create and the template has services.
    async fn with_ecs_followed<F, R>(
        &self,
        art: &StackArtifact,
        updating: bool,
        watch: F,
    ) -> (R, Option<crate::ecs::Verdict>)
    where
        F: std::future::Future<Output = R>,
    {
        let Some(ecs) = self.ecs.as_ref().filter(|_| updating && art.template_body.contains("AWS::ECS::Service"))
        else {
            return (watch.await, None);
        };
        let services = self.ecs_services(&art.stack_name).await;
        if services.is_empty() {
            return (watch.await, None);
        }
        let ui = self.ui.clone();
        let say = move |l: &str| ui.line(l);
        let follow = crate::ecs::follow(
            ecs,
            self.cfn(),
            &art.stack_name,
            &services,
            self.fail_fast,
            &say,
            self.poll.initial.max(Duration::from_millis(10)),
        );
        tokio::pin!(watch);
        tokio::pin!(follow);
        let mut verdict = None;
        loop {
            tokio::select! {
                r = &mut watch => return (r, verdict),
                v = &mut follow, if verdict.is_none() => verdict = Some(v),
            }
        }
    }

    /// The ECS services of a deployed stack (ListStackResources).
    async fn ecs_services(&self, stack: &str) -> Vec<crate::ecs::ServiceRef> {
        let mut found = Vec::new();
        let mut token = None;
        loop {
            let Ok(out) = self.cfn().list_stack_resources().stack_name(stack).set_next_token(token.take()).send().await
            else {
                return found;
            };
            for r in out.stack_resource_summaries() {
                if r.resource_type() == Some("AWS::ECS::Service") {
                    if let (Some(l), Some(p)) = (r.logical_resource_id(), r.physical_resource_id()) {
                        found.extend(crate::ecs::ServiceRef::from_physical_id(l, p));
                    }
                }
            }
            match out.next_token() {
                Some(t) => token = Some(t.to_string()),
                None => return found,
            }
        }
    }

    /// The error of an update that fail-fast cancelled: says so, with the
    /// service, the reason and the next step. Other errors pass unchanged.
    fn fail_fast_error(&self, stack: &str, verdict: &Option<crate::ecs::Verdict>, e: Error) -> Error {
        match verdict {
            Some(crate::ecs::Verdict::Failed { service, reason, cancelled: true }) => Error::FailFastCancelled {
                stack: stack.to_string(),
                service: service.clone(),
                reason: reason.clone(),
                command: self.deploy_command.clone(),
                underlying: Box::new(e),
            },
            _ => e,
        }
    }

    /// Deploy one stack: prepare, show the diff, confirm, execute, report.
    pub async fn deploy(&self, art: &StackArtifact) -> Result<StackResult, Error> {
        if self.method == Method::Direct {
            return self.deploy_direct(art).await;
        }
        let name = &art.stack_name;
        let (prepared, shown) = match self.take_prepared(name) {
            Some(p) => (p, true),
            None => (self.prepare(art, false).await?, false),
        };
        match prepared {
            Prepared::NoChanges(info) => {
                self.ui.line(&format!("{name}: no changes"));
                if let Some(i) = &info {
                    self.ensure_protection(art, i).await?;
                }
                Ok(StackResult::NoChanges { outputs: info.map(|i| i.outputs).unwrap_or_default() })
            }
            Prepared::Changes { before, change_set } => {
                if !shown {
                    self.ui.line(&render_change_set(&change_set));
                }
                let confirmed = if self.confirmed.load(std::sync::atomic::Ordering::SeqCst) {
                    Ok(true)
                } else {
                    self.ui.confirm(&format!("Deploy these changes to {name}?")).await
                };
                if !matches!(confirmed, Ok(true)) {
                    self.delete_change_set(&change_set).await;
                    if change_set.creates_stack {
                        // Remove the REVIEW_IN_PROGRESS placeholder stack.
                        let _ = self.cfn().delete_stack().stack_name(name).send().await;
                    }
                    return Err(match confirmed {
                        Err(e) => e,
                        _ => Error::Refused(format!("{name}: cancelled; the change set was deleted")),
                    });
                }
                let start = Instant::now();
                let info = self.execute(art, &change_set, before.as_ref()).await?;
                let elapsed = start.elapsed();
                self.ui.line(&format!("{name}: {} in {:.1}s", info.status, elapsed.as_secs_f64()));
                Ok(StackResult::Deployed { status: info.status, outputs: info.outputs, elapsed })
            }
        }
    }

    /// [`Method::Direct`]'s one question up front: what each stack gets
    /// (a create shows its resources; an update has no preview without a
    /// change set), then one answer for the run.
    async fn confirm_direct_up_front(
        self: &Arc<Self>,
        stacks: &[StackArtifact],
        hotswap: Option<&str>,
    ) -> Result<(), Error> {
        let mut creates = Vec::new();
        let mut updates = Vec::new();
        for s in stacks.iter().filter(|s| self.include_shared || !s.shared) {
            let existing = self.for_stack(s)?.describe(&s.stack_name).await?;
            match existing {
                Some(i) if i.status != StackStatus::ReviewInProgress => {
                    self.ui.line(&format!("{}: direct update (no change set, so no diff preview)", s.stack_name));
                    updates.push(s.stack_name.clone());
                }
                _ => {
                    self.ui.line(&render_change_set(&local_create_diff(s)));
                    creates.push(s.stack_name.clone());
                }
            }
        }
        let mut parts = Vec::new();
        if !creates.is_empty() {
            parts.push(format!("create {}", creates.join(", ")));
        }
        if !updates.is_empty() {
            parts.push(format!("update {} (no diff preview)", updates.join(", ")));
        }
        let question = match (hotswap, parts.is_empty()) {
            (None, true) => return Ok(()),
            (None, false) => format!("Deploy with --method direct: {}?", parts.join("; ")),
            (Some(h), true) => format!("{h}?"),
            (Some(h), false) => format!("{h}, and deploy with --method direct: {}?", parts.join("; ")),
        };
        match self.ui.confirm(&question).await {
            Ok(true) => {
                self.confirmed.store(true, std::sync::atomic::Ordering::SeqCst);
                Ok(())
            }
            Ok(false) => Err(Error::Refused("deploy cancelled; nothing was changed".into())),
            Err(e) => Err(e),
        }
    }

    /// [`Method::Direct`]: CreateStack / UpdateStack without a change set.
    async fn deploy_direct(&self, art: &StackArtifact) -> Result<StackResult, Error> {
        let name = &art.stack_name;
        let mut existing = self.settle_existing(art, false).await?;
        if let Some(s) = existing.clone() {
            if s.status == StackStatus::ReviewInProgress {
                // A placeholder of an unexecuted change set: no resources.
                self.delete_and_wait(&s).await?;
                existing = None;
            }
        }
        let caps: Vec<CfnCapability> =
            art.required_capabilities().into_iter().map(|c| CfnCapability::from(c.as_str())).collect();
        let tags: Vec<Tag> = art.tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
        let url = if art.needs_upload() { Some(self.upload_template(art).await?) } else { None };
        let body = url.is_none().then(|| art.template_body.clone());
        let creating = existing.is_none();
        let confirmed = self.confirmed.load(std::sync::atomic::Ordering::SeqCst);
        let question = if confirmed {
            String::new()
        } else if creating {
            self.ui.line(&render_change_set(&local_create_diff(art)));
            format!("Create {name}?")
        } else {
            self.ui.line(&format!("{name}: direct update (no change set, so no diff preview)"));
            format!("Update {name}?")
        };
        if !confirmed && !self.ui.confirm(&question).await? {
            return Err(Error::Refused(format!("{name}: cancelled")));
        }
        let marker = match &existing {
            Some(_) => self.latest_event_id(name).await,
            None => None,
        };
        let start = Instant::now();
        self.mark_started(name, if creating { "create" } else { "update" });
        if creating {
            self.cfn()
                .create_stack()
                .stack_name(name)
                .set_template_body(body)
                .set_template_url(url)
                .set_capabilities(Some(caps))
                .set_tags(Some(tags))
                .enable_termination_protection(art.termination_protection)
                .send()
                .await
                .map_err(|e| self.not_started_unless_lost(name, aws_err("CreateStack", name, e)))?;
        } else {
            let r = self
                .cfn()
                .update_stack()
                .stack_name(name)
                .set_template_body(body)
                .set_template_url(url)
                .set_capabilities(Some(caps))
                .set_tags(Some(tags))
                .send()
                .await;
            if let Err(e) = r {
                self.mark_settled(name);
                if e.message().is_some_and(is_no_changes_reason) {
                    self.ui.line(&format!("{name}: no changes"));
                    return Ok(StackResult::NoChanges { outputs: existing.map(|i| i.outputs).unwrap_or_default() });
                }
                return Err(aws_err("UpdateStack", name, e));
            }
        }
        let total = if creating { art.resource_count() } else { 0 };
        let before = existing.as_ref().map(|e| e.status.clone());
        let (watched, verdict) = self
            .with_ecs_followed(
                art,
                !creating,
                self.watch(name, name, marker, total, Some(before.as_ref().unwrap_or(&StackStatus::ReviewInProgress))),
            )
            .await;
        let (info, events) = watched.map_err(|e| self.fail_fast_error(name, &verdict, e))?;
        let info = succeeded(info, &events, name).map_err(|e| self.fail_fast_error(name, &verdict, e))?;
        if info.termination_protection != art.termination_protection {
            self.set_termination_protection(name, art.termination_protection).await?;
        }
        let info = self.describe(name).await?.unwrap_or(info);
        let elapsed = start.elapsed();
        self.ui.line(&format!("{name}: {} in {:.1}s", info.status, elapsed.as_secs_f64()));
        Ok(StackResult::Deployed { status: info.status, outputs: info.outputs, elapsed })
    }

    /// Show what deploying `art` would change, without changing anything
    /// (the change set is deleted afterwards).
    pub async fn diff(&self, art: &StackArtifact) -> Result<StackResult, Error> {
        match self.prepare(art, true).await? {
            Prepared::NoChanges(_) => {
                self.ui.line(&format!("{}: no differences", art.stack_name));
                Ok(StackResult::Diffed { changes: 0 })
            }
            Prepared::Changes { change_set, .. } => {
                self.ui.line(&render_change_set(&change_set));
                self.delete_change_set(&change_set).await;
                Ok(StackResult::Diffed { changes: change_set.changes.len() })
            }
        }
    }

    /// Delete the stack and wait; returns the resources CloudFormation kept.
    async fn delete_and_wait(&self, info: &StackInfo) -> Result<Vec<String>, Error> {
        let name = &info.stack_name;
        let marker = self.latest_event_id(&info.stack_id).await;
        self.mark_started(name, "delete");
        if let Err(e) = self.cfn().delete_stack().stack_name(&info.stack_id).send().await {
            self.mark_settled(name);
            if e.message().is_some_and(|m| m.contains("TerminationProtection")) {
                return Err(Error::TerminationProtected { stack: name.to_string() });
            }
            return Err(aws_err("DeleteStack", name, e));
        }
        let (final_info, events) = self.watch(&info.stack_id, name, marker, 0, Some(&info.status)).await?;
        if final_info.status != StackStatus::DeleteComplete {
            let next = Blocked::DeleteFailed.next_step(name);
            return Err(Error::StackFailed {
                stack: name.clone(),
                failures: failures(&events, name),
                reason: Some(match final_info.reason.clone().filter(|r| !r.is_empty()) {
                    Some(r) => format!("{r}. Next: {next}"),
                    None => format!("next: {next}"),
                }),
                status: final_info.status,
            });
        }
        // What CloudFormation kept (DeletionPolicy Retain): name it, it still exists and costs.
        Ok(events
            .iter()
            .filter(|e| e.status == crate::model::ResourceStatus::DeleteSkipped)
            .map(|e| match &e.physical_id {
                Some(p) if !p.is_empty() && p != &e.logical_id => {
                    format!("{} ({}, {p})", e.logical_id, e.resource_type)
                }
                _ => format!("{} ({})", e.logical_id, e.resource_type),
            })
            .collect())
    }

    /// Delete the stack named `name` and wait. With `allow_protected`,
    /// termination protection is lifted first; otherwise a protected stack is
    /// refused (by CloudFormation) with a message naming the flag.
    pub async fn destroy(&self, name: &str, allow_protected: bool) -> Result<StackResult, Error> {
        let Some(mut info) = self.describe(name).await?.filter(|s| s.status != StackStatus::DeleteComplete) else {
            self.ui.line(&format!("{name}: does not exist, nothing to delete"));
            return Ok(StackResult::Destroyed { existed: false, retained: vec![] });
        };
        if info.status.is_in_progress() {
            self.ui.line(&format!("{name}: {} — waiting for the running operation first", info.status));
            info = self.watch(&info.stack_id, name, None, 0, None).await?.0;
            if info.status == StackStatus::DeleteComplete {
                return Ok(StackResult::Destroyed { existed: true, retained: vec![] });
            }
        }
        if info.termination_protection && allow_protected {
            self.set_termination_protection(name, false).await?;
        }
        let start = Instant::now();
        let retained = self.delete_and_wait(&info).await?;
        self.ui.line(&format!("{name}: DELETE_COMPLETE in {:.1}s", start.elapsed().as_secs_f64()));
        if !retained.is_empty() {
            self.ui.line(&format!(
                "{name}: kept by its DeletionPolicy (still exists, delete it yourself if it is no longer \
                 needed): {}",
                retained.join(", ")
            ));
        }
        Ok(StackResult::Destroyed { existed: true, retained })
    }

    /// `op` on one stack, with this deployer's clients; a lost connection
    /// says how to reattach.
    async fn run_one(&self, s: &StackArtifact, op: Operation) -> Result<StackResult, Error> {
        self.run_one_inner(s, op).await.map_err(|e| match e {
            Error::Connection { .. } => e.with_hint(&self.reattach_hint(&s.stack_name)),
            e => e,
        })
    }

    async fn run_one_inner(&self, s: &StackArtifact, op: Operation) -> Result<StackResult, Error> {
        let shared_kept = s.shared && !self.include_shared;
        match op {
            Operation::Deploy if shared_kept => self.shared_unchanged(s).await,
            Operation::Deploy => {
                self.check_account(s).await?;
                self.deploy(s).await
            }
            Operation::Diff => self.diff(s).await,
            Operation::Destroy { .. } if shared_kept => {
                self.ui.line(&format!(
                    "{}: shared stack (used by every environment), kept; destroy it with --include-shared",
                    s.stack_name
                ));
                Ok(StackResult::SharedUnchanged { outputs: vec![], differs: false })
            }
            Operation::Destroy { allow_protected } => {
                self.check_account(s).await?;
                self.destroy(&s.stack_name, allow_protected).await
            }
        }
    }

    /// Run `op` over `stacks` (given in dependency order): each stack starts
    /// when the stacks it depends on are done (for destroy: when the stacks
    /// depending on it are gone), at most `concurrency` at a time. When a
    /// deploy or destroy fails, the stacks waiting on it are skipped.
    /// Results come back in the order of `stacks`.
    pub async fn run_all(
        self: &Arc<Self>,
        stacks: &[StackArtifact],
        op: Operation,
        concurrency: usize,
    ) -> Vec<(StackArtifact, Result<StackResult, Error>)> {
        let ids: HashSet<&str> = stacks.iter().map(|s| s.id.as_str()).collect();
        let mut waits_for: HashMap<String, Vec<String>> = stacks.iter().map(|s| (s.id.clone(), Vec::new())).collect();
        for s in stacks {
            for d in s.dependencies.iter().filter(|d| ids.contains(d.as_str())) {
                match op {
                    Operation::Destroy { .. } => waits_for.entry(d.clone()).or_default().push(s.id.clone()),
                    _ => waits_for.entry(s.id.clone()).or_default().push(d.clone()),
                }
            }
        }
        let skip_on_failure = op != Operation::Diff;
        let mut pending: Vec<StackArtifact> = stacks.to_vec();
        if matches!(op, Operation::Destroy { .. }) {
            pending.reverse();
        }
        let mut done: HashMap<String, bool> = HashMap::new();
        let mut results: BTreeMap<String, Result<StackResult, Error>> = BTreeMap::new();
        let mut running = JoinSet::new();
        let mut in_task: BTreeMap<String, String> = BTreeMap::new();
        loop {
            if self.interrupt.is_raised() {
                break;
            }
            // Skip stacks whose prerequisites failed.
            loop {
                let failed = pending
                    .iter()
                    .position(|s| skip_on_failure && waits_for[&s.id].iter().any(|d| done.get(d) == Some(&false)));
                let Some(i) = failed else { break };
                let s = pending.remove(i);
                let because =
                    waits_for[&s.id].iter().find(|d| done.get(*d) == Some(&false)).cloned().unwrap_or_default();
                let because_of =
                    stacks.iter().find(|x| x.id == because).map(|x| x.stack_name.clone()).unwrap_or(because);
                done.insert(s.id.clone(), false);
                results.insert(s.id.clone(), Err(Error::Skipped { stack: s.stack_name.clone(), because_of }));
            }
            // Start what is ready.
            while running.len() < concurrency.max(1) {
                let ready = pending.iter().position(|s| waits_for[&s.id].iter().all(|d| done.contains_key(d)));
                let Some(i) = ready else { break };
                let s = pending.remove(i);
                in_task.insert(s.id.clone(), s.stack_name.clone());
                let me = self.for_stack(&s);
                running.spawn(async move {
                    let r = match me {
                        Err(e) => Err(e),
                        Ok(me) => me.run_one(&s, op).await,
                    };
                    (s.id, r)
                });
            }
            let joined = tokio::select! {
                biased;
                j = running.join_next() => j,
                _ = self.interrupt.wait() => None,
            };
            let Some(joined) = joined else {
                break;
            };
            match joined {
                Ok((id, r)) => {
                    in_task.remove(&id);
                    done.insert(id.clone(), r.is_ok());
                    results.insert(id, r);
                }
                Err(e) => {
                    // A panicking task: report it instead of hanging.
                    self.ui.line(&format!("internal error: {e}"));
                }
            }
        }
        if self.interrupt.is_raised() {
            // Ctrl-C: stop every task where it is (in a call, a retry, a
            // wait), start nothing more, and say what CloudFormation is
            // still doing.
            running.abort_all();
            for (id, name) in in_task {
                results.insert(id, Err(self.interrupted(&name)));
            }
            for s in pending {
                results.insert(s.id.clone(), Err(Error::NotStarted { stack: s.stack_name.clone() }));
            }
        }
        stacks
            .iter()
            .map(|s| {
                let r = results
                    .remove(&s.id)
                    .unwrap_or_else(|| Err(Error::Io(format!("{}: task did not finish", s.stack_name))));
                (s.clone(), r)
            })
            .collect()
    }
}

/// CloudFormation refusing a change because another one is running (another
/// deploy of the same stack, a console update) or the change set went stale:
/// say so, with what to do.
fn concurrent_writer(stack: &str, e: Error, reattach: &str) -> Error {
    let Error::Aws { message, .. } = &e else { return e };
    let busy = message.contains("_IN_PROGRESS state") || message.contains("is in UPDATE_IN_PROGRESS");
    let stale = message.contains("OBSOLETE") || message.contains("is in EXECUTE_");
    if !(busy || stale) {
        return e;
    }
    Error::Busy { stack: stack.to_string(), message: message.clone(), reattach: reattach.to_string() }
}

/// The diff of a stack that does not exist yet: every resource is added.
fn local_create_diff(art: &StackArtifact) -> ChangeSet {
    let changes = art
        .template()
        .ok()
        .and_then(|t| t.get("Resources").and_then(|r| r.as_object()).cloned())
        .unwrap_or_default()
        .into_iter()
        .map(|(id, r)| ResourceChange {
            action: ChangeAction::Add,
            logical_id: id,
            physical_id: None,
            resource_type: r.get("Type").and_then(|t| t.as_str()).unwrap_or_default().to_string(),
            replacement: None,
            details: vec![],
        })
        .collect();
    ChangeSet { id: String::new(), stack_name: art.stack_name.clone(), creates_stack: true, changes }
}

/// The operation on stack `name` has settled: anything but success is a
/// failure listing each failed resource with its reason.
fn succeeded(info: StackInfo, events: &[StackEvent], name: &str) -> Result<StackInfo, Error> {
    if info.status.outcome() == Outcome::Success {
        return Ok(info);
    }
    Err(Error::StackFailed {
        stack: name.to_owned(),
        failures: failures(events, name),
        status: info.status,
        reason: info.reason,
    })
}

/// The create-only properties of `resource_type` with their effect: the
/// assembly's map when it has the type, else the L1 layer's generated table.
fn create_only_of(
    from_assembly: &BTreeMap<String, Vec<String>>,
    resource_type: &str,
) -> Vec<(String, stackcraft_replacement::Effect)> {
    match from_assembly.get(resource_type) {
        Some(props) => props.iter().map(|p| (p.clone(), stackcraft_replacement::Effect::Replaces)).collect(),
        None => {
            stackcraft_replacement::create_only(resource_type).into_iter().map(|(p, e)| (p.to_string(), e)).collect()
        }
    }
}

/// The values at a dotted property path (`A.B`, `*` for every list item) of
/// a resource's `Properties`; empty when absent.
fn property_at<'a>(props: &'a serde_json::Value, path: &str) -> Vec<&'a serde_json::Value> {
    let mut at = vec![props];
    for seg in path.split('.') {
        at = at
            .into_iter()
            .flat_map(|v| match (seg, v) {
                ("*", serde_json::Value::Array(items)) => items.iter().collect::<Vec<_>>(),
                (key, serde_json::Value::Object(m)) => m.get(key).into_iter().collect(),
                _ => Vec::new(),
            })
            .collect();
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_changes_reasons() {
        assert!(is_no_changes_reason(
            "The submitted information didn't contain changes. Submit different information to create a change set."
        ));
        assert!(is_no_changes_reason("No updates are to be performed."));
        assert!(!is_no_changes_reason("Template format error"));
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv64(b""), 0xcbf2_9ce4_8422_2325);
        assert_ne!(fnv64(b"a"), fnv64(b"b"));
    }

    #[test]
    fn poll_interval_grows_then_resets() {
        let mut p = Poller::new(
            PollConfig {
                initial: Duration::from_millis(100),
                max: Duration::from_millis(200),
                ..PollConfig::default()
            },
            &Interrupt::new(),
        );
        let mut seen = vec![];
        for _ in 0..4 {
            seen.push(p.cur);
            p.cur = p.cur.mul_f64(1.5).min(p.cfg.max);
        }
        assert_eq!(seen, [100, 150, 200, 200].map(Duration::from_millis).to_vec());
        p.reset();
        assert_eq!(p.cur, Duration::from_millis(100));
    }
}
