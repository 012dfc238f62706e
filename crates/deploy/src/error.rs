//! Errors of deploy operations: each says what happened and what to do next.

use std::fmt;

use crate::model::{ResourceFailure, StackStatus};

/// Everything that can stop a deploy, diff, destroy or outputs command.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Bad command-line input.
    Usage(String),
    /// The cloud assembly is missing or malformed.
    Assembly(String),
    /// Building or running the app's `synth` failed.
    Synth(String),
    /// An AWS API call failed (after the SDK's retries).
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
    ChangeSetFailed {
        /// Stack name.
        stack: String,
        /// CloudFormation's reason.
        reason: String,
    },
    /// The stack operation ended in a failure state.
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
    Blocked {
        /// Stack name.
        stack: String,
        /// The blocking status.
        status: StackStatus,
        /// What to do about it.
        next_step: String,
    },
    /// The user (or the lack of a terminal) declined the operation.
    Refused(String),
    /// Ctrl-C while waiting: the operation goes on in CloudFormation.
    Interrupted {
        /// Stack name.
        stack: String,
        /// How to reattach.
        hint: String,
    },
    /// Ctrl-C came before this stack's turn: nothing was done to it.
    NotStarted {
        /// Stack name.
        stack: String,
    },
    /// A dependency of this stack failed, so it was not deployed.
    Skipped {
        /// Stack name.
        stack: String,
        /// The failed dependency.
        because_of: String,
    },
    /// Local I/O failed.
    Io(String),
    /// `diff --fail-on`: the named kind of change is present (exit code 3,
    /// as the offline `diff --against`).
    DiffFailOn(String),
}

impl Error {
    /// The process exit code this error maps to: 2 for usage errors, 3 for
    /// `diff --fail-on`, 130 for Ctrl-C, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Interrupted { .. } => 130,
            Error::DiffFailOn(_) => 3,
            _ => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) => write!(f, "{m}"),
            Error::Assembly(m) => write!(f, "cloud assembly: {m}"),
            Error::Synth(m) => write!(f, "synth failed: {m}"),
            Error::Aws { operation, stack, message, .. } => {
                if stack.is_empty() {
                    write!(f, "{operation} failed: {message}")
                } else {
                    write!(f, "{stack}: {operation} failed: {message}")
                }
            }
            Error::Connection { operation, stack, cause, detail, hint } => {
                let who = if stack.is_empty() { String::new() } else { format!("{stack}: ") };
                write!(f, "{who}lost contact with AWS during {operation}: {cause}")?;
                if let Some(h) = hint {
                    write!(f, ".\n  The stack may still be changing in CloudFormation; {h}")?;
                }
                if verbose() {
                    write!(f, "\n  detail: {detail}")?;
                } else {
                    write!(f, " (--verbose shows the SDK detail)")?;
                }
                Ok(())
            }
            Error::ChangeSetFailed { stack, reason } => {
                write!(f, "{stack}: the change set could not be created: {reason}")
            }
            Error::StackFailed { stack, status, reason, failures } => {
                write!(f, "{stack}: failed, final status {status}")?;
                if let Some(r) = reason {
                    write!(f, " ({r})")?;
                }
                for fl in failures {
                    write!(f, "\n  {fl}")?;
                }
                Ok(())
            }
            Error::Blocked { stack, status, next_step } => write!(f, "{stack}: stack is {status}: {next_step}"),
            Error::Refused(m) => write!(f, "{m}"),
            Error::Interrupted { stack, hint } => write!(f, "{stack}: interrupted; {hint}"),
            Error::NotStarted { stack } => write!(f, "{stack}: not started (interrupted), unchanged"),
            Error::Skipped { stack, because_of } => {
                write!(f, "{stack}: not deployed because {because_of} failed")
            }
            Error::Io(m) => write!(f, "{m}"),
            Error::DiffFailOn(kinds) => write!(f, "diff --fail-on: {kinds} change(s) present"),
        }
    }
}

impl std::error::Error for Error {}

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
