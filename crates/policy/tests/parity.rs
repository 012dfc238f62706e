//! Parity with checkov 3.3.30 on every example × environment (examples are
//! discovered under `examples/`, as `cargo xtask ci` does):
//!
//! - with acknowledgements stripped (`synth --audit`), every check checkov
//!   fails has a matching built-in finding (same stack, same resource, a rule
//!   mapped to that checkov id), except the checks listed in [`NOT_MIRRORED`]
//!   with the reason;
//! - with acknowledgements (a normal `synth`), synth succeeds (zero
//!   unacknowledged errors) and checkov fails nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use stackcraft_core::serde_json::{self, Value as Json};

/// checkov checks deliberately not mirrored by a built-in rule, and why.
const NOT_MIRRORED: &[(&str, &str)] = &[(
    "CKV_AWS_260",
    "checkov fails any 0.0.0.0/0 ingress on port 80; vpc.open-ingress allows 80/443 on an internet-facing \
     load balancer's group (HTTP there may only redirect: alb.https-only), and the ALB block acknowledges it",
)];

/// checkov checks whose built-in rule applies only to production
/// environments (outside production checkov fails them, we do not).
const PRODUCTION_ONLY: &[&str] = &["CKV_AWS_157", "CKV_AWS_68", "CKV_AWS_150"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).unwrap_or(Path::new(".")).to_path_buf()
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"))
}

/// App packages: directories under `examples/` (and the test fixture apps
/// under `tests/`) with a Cargo.toml.
fn examples(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root.join("examples"))
        .expect("examples/")
        .chain(std::fs::read_dir(root.join("tests")).into_iter().flatten())
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

struct Synth {
    example: String,
    env: String,
    production: bool,
    audit_dir: PathBuf,
    acked_dir: PathBuf,
}

fn templates(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("assembly dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".template.json"))
        .collect();
    v.sort();
    v
}

/// Failed checks: (file, check id, logical id).
fn checkov_failures(files: &[PathBuf]) -> Option<Vec<(PathBuf, String, String)>> {
    let bin = stackcraft_testing::tool("checkov/bin/checkov")?;
    let mut cmd = Command::new(bin);
    cmd.env("BC_SKIP_MAPPING", "TRUE").args([
        "--framework",
        "cloudformation",
        "-o",
        "json",
        "--compact",
        "--quiet",
        "--skip-download",
    ]);
    for f in files {
        cmd.arg("-f").arg(f);
    }
    let out = cmd.output().expect("run checkov");
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("checkov output is not JSON ({e}): {text}"));
    let reports: Vec<&Json> = match &v {
        Json::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let mut failures = Vec::new();
    for r in reports {
        for c in r.pointer("/results/failed_checks").and_then(Json::as_array).into_iter().flatten() {
            let file = c["file_abs_path"].as_str().or(c["file_path"].as_str()).unwrap_or_default();
            let resource = c["resource"].as_str().unwrap_or_default();
            let lid = resource.rsplit('.').next().unwrap_or_default();
            let file = files
                .iter()
                .find(|f| {
                    f.to_string_lossy().ends_with(file.trim_start_matches('/')) || file.ends_with(&*f.to_string_lossy())
                })
                .cloned()
                .unwrap_or_else(|| PathBuf::from(file));
            failures.push((file, c["check_id"].as_str().unwrap_or_default().to_owned(), lid.to_owned()));
        }
    }
    Some(failures)
}

#[test]
fn built_in_findings_cover_every_checkov_failure_of_every_example() {
    let root = workspace();
    let examples = examples(&root);
    assert!(!examples.is_empty());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build.current_dir(&root).arg("build").arg("--quiet");
    for e in &examples {
        build.args(["-p", e]);
    }
    assert!(build.status().expect("cargo build").success(), "building the examples failed");
    let bin_dir = target_dir(&root).join("debug");
    let work = tempfile::tempdir().expect("temp dir");

    let mut synths = Vec::new();
    for e in &examples {
        let bin = bin_dir.join(e);
        let envs = Command::new(&bin).arg("envs").output().expect("envs");
        for line in String::from_utf8_lossy(&envs.stdout).lines() {
            let Some(env) = line.split_whitespace().next() else { continue };
            let audit_dir = work.path().join(format!("{e}-{env}-audit"));
            let acked_dir = work.path().join(format!("{e}-{env}"));
            let run = |extra: &[&str], dir: &Path| {
                let out = Command::new(&bin)
                    .args(["synth", "--quiet", "--env", env])
                    .args(extra)
                    .arg("--out")
                    .arg(dir)
                    .output()
                    .expect("synth");
                assert!(
                    out.status.success(),
                    "{e} --env {env} {extra:?}: synth failed (unacknowledged errors?):\n{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            };
            run(&["--audit"], &audit_dir);
            run(&[], &acked_dir);
            synths.push(Synth {
                example: e.clone(),
                env: env.to_owned(),
                production: line.contains("(production)"),
                audit_dir,
                acked_dir,
            });
        }
    }

    // 1. Without acknowledgements: every checkov failure has a finding.
    let files: Vec<PathBuf> = synths.iter().flat_map(|s| templates(&s.audit_dir)).collect();
    let Some(failures) = checkov_failures(&files) else { return };
    let mut missing = BTreeSet::new();
    let mut matched = 0;
    for (file, check, lid) in &failures {
        let Some(s) = synths.iter().find(|s| file.starts_with(&s.audit_dir)) else {
            panic!("checkov reported a file we did not give it: {}", file.display());
        };
        if NOT_MIRRORED.iter().any(|(c, _)| c == check) || (!s.production && PRODUCTION_ONLY.contains(&check.as_str()))
        {
            continue;
        }
        let stack =
            file.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".template.json")).unwrap_or("");
        let report: Json = serde_json::from_str(
            &std::fs::read_to_string(s.audit_dir.join("policy-report.json")).expect("policy-report.json"),
        )
        .expect("report JSON");
        let found = report["findings"].as_array().into_iter().flatten().any(|f| {
            f["stack"] == stack
                && f["logicalId"] == lid.as_str()
                && f["checkov"].as_array().is_some_and(|c| c.iter().any(|x| x == check.as_str()))
        });
        if found {
            matched += 1;
        } else {
            missing.insert(format!("{} --env {}: {check} on {stack}/{lid}", s.example, s.env));
        }
    }
    assert!(
        missing.is_empty(),
        "checkov failures without a built-in finding:\n{}",
        missing.into_iter().collect::<Vec<_>>().join("\n")
    );
    eprintln!("{} checkov failures without acknowledgements, {matched} matched by built-in findings", failures.len());

    // 2. With acknowledgements: checkov fails nothing.
    let files: Vec<PathBuf> = synths.iter().flat_map(|s| templates(&s.acked_dir)).collect();
    let failures = checkov_failures(&files).unwrap_or_default();
    assert!(failures.is_empty(), "checkov failures with acknowledgements: {failures:?}");
}
