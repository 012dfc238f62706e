//! stackcraft deploy: apply a synthesized cloud assembly to AWS CloudFormation.
//!
//! `cargo xtask deploy dev` builds and runs the app's `synth --env dev`, reads
//! the cloud assembly it writes (the [`assembly`] contract: `manifest.json` in
//! the AWS CDK layout plus `stackcraft.json`), and applies each stack through a
//! change set: create it, wait, print the diff (replacements flagged), ask for
//! confirmation (or `--yes`), execute, stream the stack events with a progress
//! bar, then print the outputs (and, with `--outputs-file FILE`, merge them into
//! that JSON file). Independent stacks deploy
//! concurrently, dependents after the stacks they import from; `destroy`
//! deletes in reverse order. A stack without changes is left alone (exit 0).
//!
//! This crate never links the user's code or stackcraft's building blocks:
//! the assembly directory is the whole interface.
//!
//! # Commands
//!
//! - `deploy ENV [--app PACKAGE_OR_PATH | --assembly DIR] [--stack NAME]... [--yes] [--concurrency N] [--outputs-file FILE] [--method change-set|direct] [--include-shared] [--hotswap] [--verbose]`
//!   `--hotswap` (dev environments only) applies image/environment-only
//!   changes of ECS task definitions without CloudFormation ([`hotswap`]).
//! - `diff ENV [--json] [--fail-on KIND]... [--template-only]`: compare the
//!   assembly with the deployed templates through review's diff engine,
//!   with CloudFormation's replacement verdict from change sets that are
//!   never executed and always deleted ([`online`]); exit code 3 when a
//!   `--fail-on` kind is present.
//! - `destroy ENV [--yes] [--force-production]`: production environments
//!   (any stack with termination protection) need `--force-production`,
//!   which also lifts termination protection.
//! - `outputs ENV [--outputs-file FILE]`
//!
//! All take `--profile` and `--region`; otherwise credentials, region and
//! endpoint come from the standard AWS chain (`AWS_PROFILE`, `AWS_REGION`,
//! `AWS_ENDPOINT_URL`, `~/.aws/config`, ...). The app is `--app` (a workspace
//! package, or a path to a Cargo project), else env `STACKCRAFT_APP`, else
//! `[workspace.metadata.stackcraft] default-app` in the workspace `Cargo.toml`.
//! The assembly is synthesized into a directory of its own per invocation,
//! `<target-dir>/stackcraft/<app>/<env>.<pid>/`, read into memory and removed
//! (run the app's `synth` yourself to keep one).
//!
//! # Using it from your own workspace
//!
//! Add an `xtask` package to your workspace:
//!
//! ```toml
//! # xtask/Cargo.toml
//! [package]
//! name = "xtask"
//! version = "0.1.0"
//! edition = "2021"
//! publish = false
//!
//! [dependencies]
//! stackcraft-deploy = "0.1"   # or { git = "...", path = "..." }
//! ```
//!
//! ```no_run
//! // xtask/src/main.rs
//! fn main() -> std::process::ExitCode {
//!     let mut args = std::env::args().skip(1);
//!     let command = args.next().unwrap_or_default();
//!     stackcraft_deploy::cli::run(&command, args.collect())
//! }
//! ```
//!
//! ```toml
//! # .cargo/config.toml
//! [alias]
//! xtask = "run --quiet --package xtask --"
//!
//! # Cargo.toml (workspace root)
//! [workspace.metadata.stackcraft]
//! default-app = "my-app"
//! ```
//!
//! Then `cargo xtask deploy dev`, `cargo xtask diff dev`, `cargo xtask
//! outputs dev`, `cargo xtask destroy dev`.
//!
//! # Behaviour worth knowing
//!
//! - Stacks pinned to a region or account (the manifest's `aws://ACCOUNT/REGION`)
//!   get clients for that region; shared stacks are only read unless
//!   `--include-shared`; exports still imported are retired in two phases
//!   ([`exports`]).
//! - Ctrl-C is honoured at any moment ([`interrupt`]): exit 130 with what
//!   continues in CloudFormation and the exact reattach command. AWS calls
//!   time out; a lost connection is one line with the next step.
//! - Stacks in a blocked state get a next step: `ROLLBACK_COMPLETE` after a
//!   failed create is offered for delete-and-recreate (automatic with
//!   `--yes`), `UPDATE_ROLLBACK_FAILED` names `continue-update-rollback`, a
//!   stack with an operation in progress is waited for. Ctrl-C while waiting
//!   leaves the operation running in CloudFormation and says how to reattach.
//! - The commands also exist as the `stackcraft-deploy` binary (what `cargo
//!   xtask deploy` runs), so project automation need not link the AWS SDK.
//! - Templates over 51,200 bytes are uploaded to
//!   `stackcraft-assets-<account>-<region>` (created on first use: versioned,
//!   SSE-S3 encrypted, public access blocked) and passed by URL.
//! - `CAPABILITY_IAM` / `CAPABILITY_NAMED_IAM` / `CAPABILITY_AUTO_EXPAND` are
//!   acknowledged only when the template needs them; manifest tags are set on
//!   the stack; `terminationProtection` is applied.
//! - Throttling and transient errors are retried by the SDK (adaptive retry
//!   mode, 10 attempts); polling starts at 1 s and slows to 10 s while
//!   nothing happens.
//! - `--method direct` deploys with CreateStack/UpdateStack instead of change
//!   sets (as `cdk deploy --method=direct`): no diff preview for updates. The
//!   moto emulator needs it for exports and outputs, which it registers only
//!   for CreateStack/UpdateStack.
//! - Environment knobs for tests and CI: `STACKCRAFT_PLAIN_OUTPUT=1` (no
//!   progress bars), `STACKCRAFT_POLL_MS=N` (poll every N ms, up to 10 N).
//! - TLS: rustls with the `ring` provider only (no aws-lc-sys C build). The
//!   `sso` feature adds IAM Identity Center profiles.

pub mod assembly;
pub mod aws;
pub mod cli;
pub mod deployer;
pub mod ecs;
pub mod error;
pub mod exports;
pub mod hotswap;
pub mod interrupt;
pub mod model;
pub mod online;
pub mod ui;

pub use assembly::{Assembly, StackArtifact};
pub use deployer::{Deployer, Method, Operation, PollConfig, StackResult};
pub use error::Error;
