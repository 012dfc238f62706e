//! `cargo xtask deploy|diff|destroy|outputs ENV`: synthesize an app and apply
//! it to CloudFormation. All the work is in `stackcraft-deploy`; a user's own
//! workspace gets the same commands from the same one-line call.
use std::process::ExitCode;

pub(crate) fn run(cmd: &str, args: Vec<String>) -> ExitCode {
    stackcraft_deploy::cli::run(cmd, args)
}
