//! `stackcraft-deploy <deploy|diff|destroy|outputs> ENV [options]`: the deploy
//! commands as a binary of their own, so that project automation (`cargo
//! xtask codegen|bench|ci`) never builds the AWS SDK. `cargo xtask deploy dev`
//! runs this binary (`cargo run -p stackcraft-deploy -- deploy dev`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    stackcraft_deploy::cli::run(&command, args.collect())
}
