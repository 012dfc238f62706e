//! `cargo xtask codegen [--check] [--cfnlint DIR]`: regenerate `crates/cfn`.
//!
//! - `--check`: generate in memory and exit 1 if the committed crate differs.
//! - `--cfnlint DIR`: use an unpacked `cfnlint` package directory instead of
//!   fetching the pinned wheel (it must be version 1.58.0).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut check = false;
    let mut cfnlint: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--cfnlint" => cfnlint = args.next().map(PathBuf::from),
            "-h" | "--help" => {
                println!(
                    "usage: cargo xtask codegen [--check] [--cfnlint DIR]\n\n\
                     Regenerates crates/cfn from the CloudFormation provider schemas of cfn-lint {} \
                     (fetched with `pip download` into .cache/codegen).\n\n  \
                     --check         exit 1 if the committed code is stale\n  \
                     --cfnlint DIR   use this unpacked cfnlint package instead of fetching",
                    stackcraft_codegen::CFN_LINT_VERSION
                );
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?} (try --help)");
                return ExitCode::from(2);
            }
        }
    }
    let pkg = match cfnlint.map_or_else(stackcraft_codegen::fetch_inputs, Ok) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("codegen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let files = match stackcraft_codegen::generate(&pkg) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("codegen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let dir = stackcraft_codegen::cfn_crate_dir();
    if check {
        let stale = stackcraft_codegen::stale_files(&dir, &files);
        if stale.is_empty() {
            println!("crates/cfn is up to date ({} files)", files.len());
            return ExitCode::SUCCESS;
        }
        eprintln!("crates/cfn is stale; run `cargo xtask codegen`. Differing files:");
        for p in stale {
            eprintln!("  crates/cfn/{}", p.display());
        }
        return ExitCode::FAILURE;
    }
    match stackcraft_codegen::write(&dir, &files) {
        Ok(n) => {
            let lines: usize = files.values().map(|t| t.lines().count()).sum();
            println!(
                "crates/cfn: {n} file(s) updated; {} files, {lines} lines generated",
                files.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("codegen: {e}");
            ExitCode::FAILURE
        }
    }
}
