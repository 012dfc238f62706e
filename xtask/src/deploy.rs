//! `cargo xtask deploy|diff|destroy|outputs ENV`: synthesize an app and apply
//! it to CloudFormation. All the work is in `stackcraft-deploy`, run as its
//! own binary (`cargo run -p stackcraft-deploy`), so xtask itself does not link
//! the AWS SDK: `cargo xtask codegen|bench|ci` build without it, and the first
//! deploy builds the SDK on demand (with cargo's progress on a terminal).
use std::io::IsTerminal;
use std::process::{Command, ExitCode};

pub(crate) fn run(cmd: &str, args: Vec<String>) -> ExitCode {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.arg("run");
    if !std::io::stderr().is_terminal() {
        c.arg("--quiet");
    }
    // The current directory stays the user's: relative --assembly and
    // --outputs-file paths mean what they say.
    c.arg("--manifest-path")
        .arg(super::workspace_root().join("Cargo.toml"))
        .args(["--package", "stackcraft-deploy", "--bin", "stackcraft-deploy", "--", cmd])
        .args(args);
    exec(c)
}

/// Replace this process by `c` (Unix), so Ctrl-C, exit codes and the
/// terminal belong to the deploy binary alone; elsewhere run it and pass its
/// exit code on.
#[cfg(unix)]
fn exec(mut c: Command) -> ExitCode {
    use std::os::unix::process::CommandExt;
    let e = c.exec();
    eprintln!("cannot run cargo: {e}");
    ExitCode::FAILURE
}

#[cfg(not(unix))]
fn exec(mut c: Command) -> ExitCode {
    match c.status() {
        Ok(s) => ExitCode::from(u8::try_from(s.code().unwrap_or(1)).unwrap_or(1)),
        Err(e) => {
            eprintln!("cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}
