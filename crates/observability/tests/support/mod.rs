//! Runs the external validators (cfn-lint, checkov) on synthesized templates.
#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value as Json;

/// `$STACKCRAFT_TOOLS` or `<workspace>/.tools`.
pub fn tools_dir() -> PathBuf {
    std::env::var_os("STACKCRAFT_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.tools"))
}

fn tool(rel: &str) -> Option<PathBuf> {
    let p = tools_dir().join(rel);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("STACKCRAFT_SKIP_EXTERNAL").as_deref() == Ok("1") {
        eprintln!("skipping: {} not found and STACKCRAFT_SKIP_EXTERNAL=1", p.display());
        return None;
    }
    panic!(
        "{} not found: install the pinned tools into .tools (or set STACKCRAFT_TOOLS), \
         or set STACKCRAFT_SKIP_EXTERNAL=1 to skip external validation",
        p.display()
    );
}

fn write(name: &str, template: &Json) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(format!("{name}.template.json"));
    std::fs::write(&path, serde_json::to_string_pretty(template).unwrap()).unwrap();
    (dir, path)
}

/// cfn-lint must report nothing (0 errors, 0 warnings).
pub fn assert_cfn_lint_clean(name: &str, template: &Json) {
    let Some(bin) = tool("cfn-lint/bin/cfn-lint") else {
        return;
    };
    let (_dir, path) = write(name, template);
    let out = Command::new(bin).arg("--").arg(&path).output().expect("run cfn-lint");
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && text.trim().is_empty(), "cfn-lint findings for {name}:\n{text}");
}

/// checkov must report 0 failed checks; returns the number of passed checks.
pub fn assert_checkov_clean(name: &str, template: &Json) -> usize {
    let Some(bin) = tool("checkov/bin/checkov") else {
        return 0;
    };
    let (_dir, path) = write(name, template);
    let out = Command::new(bin)
        .env("BC_SKIP_MAPPING", "TRUE")
        .args(["--framework", "cloudformation", "-o", "json", "--compact", "--quiet", "-f"])
        .arg(&path)
        .output()
        .expect("run checkov");
    let text = String::from_utf8_lossy(&out.stdout);
    let report: Json = serde_json::from_str(text.trim()).unwrap_or_else(|e| {
        panic!("checkov output is not JSON ({e}):\n{text}\n{}", String::from_utf8_lossy(&out.stderr))
    });
    let failed = report["results"]["failed_checks"].as_array().cloned().unwrap_or_default();
    let ids: Vec<String> =
        failed.iter().map(|f| format!("{} {} {}", f["check_id"], f["resource"], f["check_name"])).collect();
    assert!(failed.is_empty(), "checkov failed checks for {name}:\n{}", ids.join("\n"));
    report["summary"]["passed"].as_u64().unwrap_or(0) as usize
}
