//! Errors of deploy operations: each says what happened and what to do next.

use crate::model::{ResourceFailure, StackStatus};

/// Everything that can stop a deploy, diff, destroy or outputs command. Each
/// variant carries what the message needs (stack, flag, next step); the CLI
/// maps it to an exit code with [`Error::exit_code`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad command-line input.
    #[error("{0}")]
    Usage(String),
    /// A flag that this environment does not allow (e.g. `--hotswap` in
    /// production): exit code 2, nothing was changed.
    #[error("{flag} is not allowed here: {reason}")]
    FlagNotAllowed {
        /// The flag, e.g. `--hotswap`.
        flag: &'static str,
        /// Why, and what to run instead.
        reason: String,
    },
    /// The cloud assembly is missing or malformed.
    #[error("cloud assembly: {0}")]
    Assembly(String),
    /// Building or running the app's `synth` failed.
    #[error("synth failed: {0}")]
    Synth(String),
    /// An AWS API call failed (after the SDK's retries).
    #[error("{}", aws_message(operation, stack, message))]
    Aws {
        /// The operation, e.g. `CreateChangeSet`.
        operation: &'static str,
        /// The stack it was about (empty when none).
        stack: String,
        /// The service's error code, when it gave one.
        code: Option<String>,
        /// The full error message.
        message: String,
    },
    /// No answer from AWS (connection failed, timed out, cut off) after the
    /// SDK's retries: the request may or may not have been applied.
    #[error("{}", connection_message(operation, stack, cause, detail, hint.as_deref()))]
    Connection {
        /// The operation, e.g. `ExecuteChangeSet`.
        operation: &'static str,
        /// The stack it was about (empty when none).
        stack: String,
        /// What happened, in a few words.
        cause: String,
        /// The SDK's full error chain (shown with `--verbose`).
        detail: String,
        /// How to reattach, when a stack may be changing.
        hint: Option<String>,
    },
    /// The change set could not be created (and not because of "no changes").
    #[error("{stack}: the change set could not be created: {reason}")]
    ChangeSetFailed {
        /// Stack name.
        stack: String,
        /// CloudFormation's reason.
        reason: String,
    },
    /// The stack operation ended in a failure state.
    #[error("{}", stack_failed_message(stack, status, reason.as_deref(), failures))]
    StackFailed {
        /// Stack name.
        stack: String,
        /// The final stack status.
        status: StackStatus,
        /// The stack status reason, if any.
        reason: Option<String>,
        /// Each resource that failed, with its reason.
        failures: Vec<ResourceFailure>,
    },
    /// The stack is in a state no update can start from; the message says how
    /// to get out of it.
    #[error("{stack}: stack is {status}: {next_step}")]
    Blocked {
        /// Stack name.
        stack: String,
        /// The blocking status.
        status: StackStatus,
        /// What to do about it.
        next_step: String,
    },
    /// `--hotswap`: an ECS service did not stabilise on the hotswapped task
    /// definition (circuit breaker, failed tasks), or a hotswap call failed.
    #[error("{stack}: hotswap failed: {reason}. {next_step}")]
    HotswapFailed {
        /// Stack name.
        stack: String,
        /// What failed (service and reason, or the call).
        reason: String,
        /// What to do next.
        next_step: String,
    },
    /// The user (or the lack of a terminal) declined the operation.
    #[error("{0}")]
    Refused(String),
    /// `deploy`/`destroy` without `--yes` and without a terminal to ask on:
    /// refused before anything was created.
    #[error(
        "no terminal to ask for confirmation on and no --yes: nothing was changed; rerun with --yes to confirm \
         non-interactively: `{command} --yes`"
    )]
    NoConfirmation {
        /// The command to rerun (with every selecting flag).
        command: String,
    },
    /// `destroy` of a production environment without `--force-production`.
    #[error(
        "{env} is a production environment: destroying it needs --force-production (which also lifts termination \
         protection)"
    )]
    ProductionDestroy {
        /// The environment.
        env: String,
    },
    /// CloudFormation refused to delete a stack with termination protection.
    #[error(
        "{stack}: CloudFormation refuses to delete it because termination protection is enabled. If you really \
         mean to destroy it, rerun destroy with --force-production (it lifts the protection first)"
    )]
    TerminationProtected {
        /// Stack name.
        stack: String,
    },
    /// A stack pinned to another account than the credentials'.
    #[error(
        "{stack}: pinned to account {want}, but the credentials are for account {have}; use --profile (or \
         AWS_PROFILE) with credentials for {want}"
    )]
    WrongAccount {
        /// Stack name.
        stack: String,
        /// The account the stack is pinned to.
        want: String,
        /// The credentials' account.
        have: String,
    },
    /// A shared stack (deployed once for all environments) that is not
    /// deployed yet, read by a deploy without `--include-shared`.
    #[error(
        "{stack} is a shared stack (deployed once for all environments) and is not deployed yet; deploy it with \
         `{command}`"
    )]
    SharedNotDeployed {
        /// Stack name.
        stack: String,
        /// The command that deploys it.
        command: String,
    },
    /// Another operation is changing the stack (a concurrent deploy, a
    /// console change) or the change set went stale.
    #[error(
        "{stack}: another operation is changing this stack right now (probably another deploy of the same app and \
         environment, or a change from the console); CloudFormation said: {message}. Wait for it to finish \
         (`{reattach}` waits for it and then deploys), or follow it with `aws cloudformation describe-stack-events \
         --stack-name {stack}`"
    )]
    Busy {
        /// Stack name.
        stack: String,
        /// CloudFormation's message.
        message: String,
        /// The command that waits and then deploys.
        reattach: String,
    },
    /// Fail-fast cancelled a stack update because an ECS service failed.
    #[error(
        "{stack}: fail-fast cancelled the update because ECS service {service} is failing ({reason}); \
         CloudFormation rolled the stack back. Fix the service (the stopped tasks' reasons are above), then rerun \
         `{command}` (--no-fail-fast lets CloudFormation wait instead). Underlying: {underlying}"
    )]
    FailFastCancelled {
        /// Stack name.
        stack: String,
        /// The failing service's logical id.
        service: String,
        /// Why it is considered failed.
        reason: String,
        /// The deploy command to rerun.
        command: String,
        /// The stack operation's own error.
        underlying: Box<Error>,
    },
    /// Stacks outside a destroy still import exports of the stacks to delete.
    #[error(
        "refusing to destroy: stacks outside this destroy still import exports of the stacks to delete \
         (CloudFormation would fail the delete):\n  {}\nStop using those values and deploy the importing stacks, or \
         destroy them too",
        problems.join("\n  ")
    )]
    ExportsInUse {
        /// One line per export still imported.
        problems: Vec<String>,
    },
    /// The deployed template is not JSON (not deployed by stackcraft).
    #[error(
        "{stack}: the deployed template is not JSON ({detail}); it was not deployed by stackcraft (a YAML \
         template?) and cannot be diffed"
    )]
    TemplateNotJson {
        /// Stack name.
        stack: String,
        /// The parse error.
        detail: String,
    },
    /// The online diff's change set could not be deleted.
    #[error(
        "{stack}: the diff's change set {change_set} could not be deleted ({cause}); delete it with `aws \
         cloudformation delete-change-set --stack-name {stack} --change-set-name {change_set}`"
    )]
    ChangeSetNotDeleted {
        /// Stack name.
        stack: String,
        /// The change set id.
        change_set: String,
        /// Why the delete failed.
        cause: Box<Error>,
    },
    /// The run's summary: this many stacks failed (each error was printed).
    #[error("{failed} stack(s) failed (see above)")]
    StacksFailed {
        /// How many.
        failed: usize,
    },
    /// Ctrl-C while waiting: the operation goes on in CloudFormation.
    #[error("{stack}: interrupted; {hint}")]
    Interrupted {
        /// Stack name.
        stack: String,
        /// How to reattach.
        hint: String,
    },
    /// Ctrl-C came before this stack's turn: nothing was done to it.
    #[error("{stack}: not started (interrupted), unchanged")]
    NotStarted {
        /// Stack name.
        stack: String,
    },
    /// A dependency of this stack failed, so it was not deployed.
    #[error("{stack}: not deployed because {because_of} failed")]
    Skipped {
        /// Stack name.
        stack: String,
        /// The failed dependency.
        because_of: String,
    },
    /// Local I/O failed.
    #[error("{0}")]
    Io(String),
    /// `diff --fail-on`: the named kind of change is present (exit code 3,
    /// as the offline `diff --against`).
    #[error("diff --fail-on: {0} change(s) present")]
    DiffFailOn(String),
}

impl Error {
    /// The process exit code this error maps to: 2 for usage errors (and a
    /// flag the environment does not allow), 3 for `diff --fail-on`, 130 for
    /// Ctrl-C, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::FlagNotAllowed { .. } => 2,
            Error::Interrupted { .. } => 130,
            Error::DiffFailOn(_) => 3,
            _ => 1,
        }
    }
}

fn aws_message(operation: &str, stack: &str, message: &str) -> String {
    if stack.is_empty() {
        format!("{operation} failed: {message}")
    } else {
        format!("{stack}: {operation} failed: {message}")
    }
}

fn connection_message(operation: &str, stack: &str, cause: &str, detail: &str, hint: Option<&str>) -> String {
    let who = if stack.is_empty() { String::new() } else { format!("{stack}: ") };
    let mut m = format!("{who}lost contact with AWS during {operation}: {cause}");
    if let Some(h) = hint {
        m.push_str(&format!(".\n  The stack may still be changing in CloudFormation; {h}"));
    }
    if verbose() {
        m.push_str(&format!("\n  detail: {detail}"));
    } else {
        m.push_str(" (--verbose shows the SDK detail)");
    }
    m
}

fn stack_failed_message(
    stack: &str,
    status: &StackStatus,
    reason: Option<&str>,
    failures: &[ResourceFailure],
) -> String {
    let mut m = format!("{stack}: failed, final status {status}");
    if let Some(r) = reason {
        m.push_str(&format!(" ({r})"));
    }
    for fl in failures {
        m.push_str(&format!("\n  {fl}"));
    }
    m
}

static VERBOSE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Show the SDK's full error detail in messages (`--verbose`).
pub fn set_verbose(on: bool) {
    VERBOSE.store(on, std::sync::atomic::Ordering::Relaxed);
}

fn verbose() -> bool {
    VERBOSE.load(std::sync::atomic::Ordering::Relaxed)
}

impl Error {
    /// Add the reattach hint to an error that leaves a stack possibly
    /// changing (lost connection).
    pub fn with_hint(self, hint: &str) -> Error {
        match self {
            Error::Connection { operation, stack, cause, detail, hint: None } => {
                Error::Connection { operation, stack, cause, detail, hint: Some(hint.to_string()) }
            }
            other => other,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_and_messages_of_the_typed_errors() {
        let flag = Error::FlagNotAllowed { flag: "--hotswap", reason: "prod is a production environment".into() };
        assert_eq!(flag.exit_code(), 2);
        assert_eq!(flag.to_string(), "--hotswap is not allowed here: prod is a production environment");
        let failed = Error::HotswapFailed {
            stack: "s".into(),
            reason: "ECS service Web did not stabilise".into(),
            next_step: "Fix it.".into(),
        };
        assert_eq!(failed.exit_code(), 1);
        assert_eq!(failed.to_string(), "s: hotswap failed: ECS service Web did not stabilise. Fix it.");
        assert_eq!(Error::StacksFailed { failed: 2 }.to_string(), "2 stack(s) failed (see above)");
        assert_eq!(Error::Interrupted { stack: "s".into(), hint: "h".into() }.exit_code(), 130);
        assert_eq!(Error::DiffFailOn("replacement".into()).exit_code(), 3);
        let busy = Error::Busy { stack: "s".into(), message: "m".into(), reattach: "cargo xtask deploy dev".into() };
        assert_eq!(busy.exit_code(), 1);
        assert!(busy
            .to_string()
            .ends_with("or follow it with `aws cloudformation describe-stack-events --stack-name s`"));
        let exports = Error::ExportsInUse { problems: vec!["a".into(), "b".into()] };
        assert!(exports.to_string().contains("delete):\n  a\n  b\nStop using"), "{exports}");
    }
}
