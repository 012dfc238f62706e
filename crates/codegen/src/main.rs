//! `cargo xtask codegen [--check] [--cfnlint DIR]`: regenerate `crates/cfn`.
//!
//! - `--check`: generate in memory and exit 1 if the committed crate differs.
//! - `--cfnlint DIR`: use an unpacked `cfnlint` package directory instead of
//!   fetching the pinned wheel (it must be version 1.58.0).
//! - `--all --out DIR`: generate every `AWS::*` type (~1,850) into `DIR`
//!   instead of `crates/cfn` (a generality check; its `Cargo.toml` inherits
//!   from the workspace, so adapt it to build it elsewhere).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut check = false;
    let mut cfnlint: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    let mut selection = stackcraft_codegen::Selection::Committed;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--cfnlint" => cfnlint = args.next().map(PathBuf::from),
            "--out" => out = args.next().map(PathBuf::from),
            "--all" => selection = stackcraft_codegen::Selection::Everything,
            "-h" | "--help" => {
                println!(
                    "usage: cargo xtask codegen [--check] [--cfnlint DIR]\n\n\
                     Regenerates crates/cfn from the CloudFormation provider schemas of cfn-lint {} \
                     (fetched with `pip download` into .cache/codegen).\n\n  \
                     --check         exit 1 if the committed code is stale\n  \
                     --cfnlint DIR   use this unpacked cfnlint package instead of fetching\n  \
                     --all           every AWS::* type, not just the selection (use with --out)\n  \
                     --out DIR       write the crate to DIR instead of crates/cfn",
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
    if selection == stackcraft_codegen::Selection::Everything && out.is_none() {
        eprintln!("--all needs --out DIR (crates/cfn holds the committed selection only)");
        return ExitCode::from(2);
    }
    let files = match stackcraft_codegen::generate_selection(&pkg, selection).and_then(stackcraft_codegen::format) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("codegen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let dir = out.unwrap_or_else(stackcraft_codegen::cfn_crate_dir);
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
            println!("crates/cfn: {n} file(s) updated; {} files, {lines} lines generated", files.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("codegen: {e}");
            ExitCode::FAILURE
        }
    }
}
