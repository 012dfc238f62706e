//! Project automation, run as `cargo xtask <command>` (alias in `.cargo/config.toml`).
//!
//! - `codegen`: regenerate `crates/cfn` from the pinned provider schemas.
//! - `deploy|diff|destroy|outputs ENV`: synthesize an app and apply it to CloudFormation
//!   (runs the `stackcraft-deploy` binary: xtask itself never links the AWS SDK).
//! - `ci`: install the pinned external tools and run the whole test suite.
//! - `bench`: synthesize generated apps of growing size and the order portal, print time and
//!   memory; and the cost of schema validation on the PyShop example.

use std::process::ExitCode;

mod bench;
mod ci;
mod deploy;

const USAGE: &str = "\
usage: cargo xtask <command> [args]

commands:
  codegen [--check]          regenerate crates/cfn from the pinned CloudFormation schemas
  deploy ENV [options]       synthesize and deploy an app's environment
  diff ENV [options]         show what a deploy would change
  destroy ENV [options]      delete an environment's stacks
  outputs ENV [options]      print the stack outputs of an environment
  ci                         install pinned tools, run all tests and validators
  bench                      time and memory of synth (apps of ~200, 2,000 and 20,000 resources,
                             the order portal) and the cost of schema validation (PyShop)

Run `cargo xtask <command> --help` for a command's options.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((cmd, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = rest.to_vec();
    match cmd.as_str() {
        "codegen" => cargo(&["run", "--quiet", "--release", "-p", "stackcraft-codegen", "--"], &rest),
        "deploy" | "diff" | "destroy" | "outputs" => deploy::run(cmd, rest),
        "ci" => ci::run(rest),
        "bench" => bench::run(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("unknown command {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Run `cargo <args> <rest>` from the workspace root and pass its exit code on.
fn cargo(args: &[&str], rest: &[String]) -> ExitCode {
    let status = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .args(rest)
        .current_dir(workspace_root())
        .status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => ExitCode::from(u8::try_from(s.code().unwrap_or(1)).unwrap_or(1)),
        Err(e) => {
            eprintln!("cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask's parent directory).
fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(std::path::Path::to_path_buf).unwrap_or_default()
}
