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
