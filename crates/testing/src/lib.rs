//! Test support: run the pinned external validators on synthesized output.
//!
//! The tools live in `$STACKCRAFT_TOOLS` (default `<workspace>/.tools`,
//! installed by `cargo xtask ci`). When a tool is missing the check fails with
//! a message saying how to install it — unless `STACKCRAFT_SKIP_EXTERNAL=1`,
//! in which case it prints why it skipped and passes.
//!
//! ```no_run
//! # let app = stackcraft_core::App::new("x");
//! let assembly = app.synth().unwrap();
//! stackcraft_testing::assert_cfn_lint_clean(&assembly);
//! stackcraft_testing::assert_checkov_clean(&assembly);
//! ```
#![forbid(unsafe_code)]

pub mod moto;

use std::path::{Path, PathBuf};
use std::process::Command;

use stackcraft_core::serde_json::Value as Json;
use stackcraft_core::Assembly;

/// The tools directory.
pub fn tools_dir() -> PathBuf {
    std::env::var_os("STACKCRAFT_TOOLS")
        .map(PathBuf::from)
        // crates/testing → the workspace root
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).unwrap_or(Path::new(".")).join(".tools")
        })
}

/// Path of a tool inside the tools directory (e.g. `cfn-lint/bin/cfn-lint`),
/// or `None` (after printing why) when it is missing and skipping is allowed.
/// Panics when it is missing and skipping is not allowed.
pub fn tool(rel: &str) -> Option<PathBuf> {
    let p = tools_dir().join(rel);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("STACKCRAFT_SKIP_EXTERNAL").is_ok_and(|v| v == "1") {
        eprintln!("skipped: {} is not installed (STACKCRAFT_SKIP_EXTERNAL=1)", p.display());
        return None;
    }
    panic!(
        "{} is not installed: run `cargo xtask ci` once (it installs the pinned tools), or set STACKCRAFT_SKIP_EXTERNAL=1 to skip external checks",
        p.display()
    );
}

/// Write one template as `<dir>/<name>.template.json` (pretty, as synth writes it).
pub fn write_template(dir: &Path, name: &str, template: &Json) -> PathBuf {
    let p = dir.join(format!("{name}.template.json"));
    let mut text = stackcraft_core::serde_json::to_string_pretty(template).expect("serialize template");
    text.push('\n');
    std::fs::write(&p, text).expect("write template");
    p
}

/// Run cfn-lint on one template: `Ok` when clean, else the findings; `None` when skipped.
pub fn cfn_lint_template(name: &str, template: &Json) -> Option<Result<(), String>> {
    let dir = tempfile::tempdir().expect("temp dir");
    cfn_lint_files(&[write_template(dir.path(), name, template)])
}

/// Assert cfn-lint reports nothing (no error, no warning) on one template.
pub fn assert_template_cfn_lint_clean(name: &str, template: &Json) {
    if let Some(Err(findings)) = cfn_lint_template(name, template) {
        panic!("cfn-lint found problems in {name}:\n{findings}");
    }
}

/// Assert checkov reports no failed check on one template.
pub fn assert_template_checkov_clean(name: &str, template: &Json) {
    let dir = tempfile::tempdir().expect("temp dir");
    if let Some(Err(findings)) = checkov_files(&[write_template(dir.path(), name, template)]) {
        panic!("checkov found failed checks in {name}:\n{findings}");
    }
}

/// Write the templates of `assembly` into a fresh temporary directory.
pub fn write_templates(assembly: &Assembly) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = assembly.stacks.iter().map(|s| write_template(dir.path(), &s.id, &s.template)).collect();
    (dir, files)
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// Run cfn-lint on template files: `Ok` when there are zero errors and zero
/// warnings, else the findings. `None` when skipped.
pub fn cfn_lint_files(files: &[PathBuf]) -> Option<Result<(), String>> {
    let bin = tool("cfn-lint/bin/cfn-lint")?;
    let (ok, text) = run(Command::new(bin).arg("--").args(files));
    Some(if ok { Ok(()) } else { Err(text) })
}

/// Run checkov (offline) on template files: `Ok` when no check fails.
pub fn checkov_files(files: &[PathBuf]) -> Option<Result<(), String>> {
    let bin = tool("checkov/bin/checkov")?;
    let mut cmd = Command::new(bin);
    cmd.env("BC_SKIP_MAPPING", "TRUE").args([
        "--framework",
        "cloudformation",
        "--compact",
        "--quiet",
        "--skip-download",
    ]);
    for f in files {
        cmd.arg("-f").arg(f);
    }
    let (ok, text) = run(&mut cmd);
    Some(if ok { Ok(()) } else { Err(text) })
}

/// Assert cfn-lint reports nothing (no error, no warning) on every template.
pub fn assert_cfn_lint_clean(assembly: &Assembly) {
    let (_dir, files) = write_templates(assembly);
    if let Some(Err(findings)) = cfn_lint_files(&files) {
        panic!("cfn-lint found problems:\n{findings}");
    }
}

/// Assert checkov reports no failed check on any template.
pub fn assert_checkov_clean(assembly: &Assembly) {
    let (_dir, files) = write_templates(assembly);
    if let Some(Err(findings)) = checkov_files(&files) {
        panic!("checkov found failed checks:\n{findings}");
    }
}

/// Run `cdk ls --app DIR` with the pinned AWS CDK CLI; returns the listed lines.
pub fn cdk_ls(assembly_dir: &Path) -> Option<Result<Vec<String>, String>> {
    let bin = tool("cdk/node_modules/.bin/cdk")?;
    let (ok, text) = run(Command::new(bin).arg("ls").arg("--app").arg(assembly_dir).current_dir(assembly_dir));
    Some(if ok { Ok(text.lines().map(str::to_owned).filter(|l| !l.trim().is_empty()).collect()) } else { Err(text) })
}
