//! Emulator deploy tests of the xtask binary: the moto harness is
//! `stackcraft_testing::moto` (shared with `crates/deploy/tests`); this only
//! adds the runner for this crate's own `xtask` binary.
#![allow(dead_code, unreachable_pub, unused_imports)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub use stackcraft_testing::moto::{pos, Emulator as Moto, Run};

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Run the xtask binary against `moto` (region us-east-1 unless the app
/// pins one) with extra environment variables.
pub fn xtask<S: AsRef<str>>(moto: &Moto, args: &[S], envs: &[(&str, &str)]) -> Run {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let mut cmd = moto.aws_command(env!("CARGO_BIN_EXE_xtask"), "us-east-1");
    cmd.args(&args).current_dir(workspace_root()).env_remove("DEMO_VARIANT").env_remove("DEMO_LINKED");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    stackcraft_testing::moto::run(&mut cmd, &format!("xtask {} {envs:?}", args.join(" ")))
}

/// `cargo run -p PACKAGE -- ARGS` in the workspace; its standard output.
/// Tests synthesize once and hand the assembly to every xtask call
/// (`--assembly`): each `xtask deploy --app` would build and run the app again.
pub fn app(package: &str, args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["run", "--quiet", "-p", package, "--"])
        .args(args)
        .current_dir(workspace_root())
        .output()
        .unwrap_or_else(|e| panic!("cargo run -p {package}: {e}"));
    assert!(out.status.success(), "{package} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}
