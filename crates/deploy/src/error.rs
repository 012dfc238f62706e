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
    /// A dependency of this stack failed, so it was not deployed.
    Skipped {
        /// Stack name.
        stack: String,
        /// The failed dependency.
        because_of: String,
    },
    /// Local I/O failed.
    Io(String),
}

impl Error {
    /// The process exit code this error maps to: 2 for usage errors, 130 for
    /// Ctrl-C, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Interrupted { .. } => 130,
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
            Error::Interrupted { stack, hint } => {
                write!(f, "{stack}: interrupted. The operation continues in CloudFormation; {hint}")
            }
            Error::Skipped { stack, because_of } => {
                write!(f, "{stack}: not deployed because {because_of} failed")
            }
            Error::Io(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.to_string())
    }
}
