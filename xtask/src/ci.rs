//! `cargo xtask ci`: the whole test suite, as CI runs it.
//!
//! 1. installs the pinned external tools into `.tools/` (idempotent):
//!    cfn-lint, checkov and moto in their own Python venvs, the AWS CDK CLI via npm;
//! 2. `cargo fmt --check` and `cargo test --workspace`;
//! 3. synthesizes every example for every environment it declares;
//! 4. runs cfn-lint (zero errors, zero warnings) and checkov (zero failed
//!    checks) on every template, and `cdk ls` on every assembly.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use crate::workspace_root;

/// Pinned tool versions (one place; the README lists them).
pub(crate) const CFN_LINT: &str = "cfn-lint==1.58.0";
pub(crate) const CHECKOV: &str = "checkov==3.3.30";
pub(crate) const MOTO: &str = "moto[server]==5.2.5";
pub(crate) const CDK_CLI: &str = "aws-cdk@2.1148.1";

/// Examples that are not deployable apps with environments.
const NOT_APPS: &[&str] = &[];

struct Gate {
    passed: Vec<String>,
    failed: Vec<String>,
}

impl Gate {
    fn check(&mut self, name: &str, ok: bool) -> bool {
        let start = if ok { "ok  " } else { "FAIL" };
        println!("==> [{start}] {name}");
        if ok {
            self.passed.push(name.to_owned())
        } else {
            self.failed.push(name.to_owned())
        }
        ok
    }
}

fn sh(cmd: &mut Command) -> bool {
    match cmd.status() {
        Ok(s) => s.success(),
        Err(e) => {
            eprintln!("cannot run {cmd:?}: {e}");
            false
        }
    }
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::inherit()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Where the tools live: `$STACKCRAFT_TOOLS` or `<workspace>/.tools`.
fn tools_dir() -> PathBuf {
    stackcraft_testing::tools_dir()
}

fn venv(tools: &Path, name: &str, spec: &str) -> bool {
    let dir = tools.join(name);
    let stamp = dir.join(".stackcraft-pinned");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s.trim() == spec) {
        return true;
    }
    println!("installing {spec} into {}", dir.display());
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = sh(Command::new(&python).args(["-m", "venv", "--clear"]).arg(&dir))
        && sh(Command::new(dir.join("bin/pip")).args(["install", "--quiet", "--disable-pip-version-check", spec]));
    ok && std::fs::write(&stamp, spec).is_ok()
}

fn npm_tool(tools: &Path, spec: &str) -> bool {
    let dir = tools.join("cdk");
    let stamp = dir.join(".stackcraft-pinned");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s.trim() == spec) && dir.join("node_modules/.bin/cdk").exists() {
        return true;
    }
    println!("installing {spec} into {}", dir.display());
    let _ = std::fs::create_dir_all(&dir);
    let ok = sh(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix"])
        .arg(&dir)
        .arg(spec));
    ok && std::fs::write(&stamp, spec).is_ok()
}

/// Install every pinned tool (idempotent).
pub(crate) fn install_tools() -> bool {
    let tools = tools_dir();
    let _ = std::fs::create_dir_all(&tools);
    venv(&tools, "cfn-lint", CFN_LINT)
        && venv(&tools, "checkov", CHECKOV)
        && venv(&tools, "moto", MOTO)
        && npm_tool(&tools, CDK_CLI)
}

/// App packages: the examples a user would copy (`examples/`) and the test
/// fixture apps (`tests/`, e.g. `deploy-demo`), which go through the same
/// template gates.
fn examples(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = ["examples", "tests"]
        .iter()
        .filter_map(|d| std::fs::read_dir(root.join(d)).ok())
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !NOT_APPS.contains(&n.as_str()))
        .collect();
    out.sort();
    out
}

/// The generated L1 layer builds with each service feature alone and with
/// `full`; core and the facade build without their default features (the
/// app command line, the review commands) and with them.
fn feature_builds(root: &Path, gate: &mut Gate) {
    let started = Instant::now();
    let manifest = std::fs::read_to_string(root.join("crates/cfn/Cargo.toml")).unwrap_or_default();
    let services: Vec<String> = manifest
        .split("[features]")
        .nth(1)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(" = []").map(|(name, _)| name.trim().to_owned()))
        .filter(|name| !name.is_empty() && !name.starts_with('#') && name != "default")
        .collect();
    let check = |package: &str, features: &[&str]| {
        let mut c = cargo();
        c.current_dir(root).args(["check", "--quiet", "-p", package]);
        c.args(features);
        sh(&mut c)
    };
    let mut failed: Vec<String> = services
        .iter()
        .filter(|s| !check("stackcraft-cfn", &["--no-default-features", "--features", s]))
        .cloned()
        .collect();
    let combos: [(&str, &[&str]); 5] = [
        ("stackcraft-cfn", &["--features", "full"]),
        ("stackcraft-core", &["--no-default-features"]),
        ("stackcraft", &["--no-default-features"]),
        ("stackcraft", &[]),
        ("stackcraft", &["--features", "full"]),
    ];
    for (package, features) in combos {
        if !check(package, features) {
            failed.push(format!("{package} {}", features.join(" ")));
        }
    }
    gate.check(
        &format!(
            "feature builds: stackcraft-cfn with each of {} services alone and full; core and facade lean/default/full \
             ({:.0} s){}",
            services.len(),
            started.elapsed().as_secs_f64(),
            if failed.is_empty() { String::new() } else { format!(", failed: {failed:?}") }
        ),
        failed.is_empty() && !services.is_empty(),
    );
}

/// `cargo package` for every crate of the workspace. `publish = false` stays
/// in the manifests (nothing is published yet), but cargo leaves unpublishable
/// packages out of the local overlay it resolves path dependencies against, so
/// the check runs on a scratch copy of the tracked files with `publish = true`
/// and without verification builds (packaging, manifests and the resolution of
/// every dependency, dev-dependencies included, are what it proves).
fn package_check(root: &Path, gate: &mut Gate) {
    let started = Instant::now();
    let scratch = root.join("target/package-check");
    let _ = std::fs::remove_dir_all(&scratch);
    let copied = output(Command::new("git").current_dir(root).args(["ls-files", "-z"])).is_some_and(|files| {
        files.split('\0').filter(|f| !f.is_empty()).all(|f| {
            let (from, to) = (root.join(f), scratch.join("src").join(f));
            let parent_ok = to.parent().is_none_or(|p| std::fs::create_dir_all(p).is_ok());
            let link = std::fs::symlink_metadata(&from).map(|m| m.file_type().is_symlink()).unwrap_or(false);
            parent_ok
                && if link {
                    std::fs::read_link(&from).is_ok_and(|target| std::os::unix::fs::symlink(target, &to).is_ok())
                } else {
                    !from.exists() || std::fs::copy(&from, &to).is_ok()
                }
        })
    });
    let manifest = scratch.join("src/Cargo.toml");
    let flipped = std::fs::read_to_string(&manifest)
        .is_ok_and(|m| std::fs::write(&manifest, m.replace("\npublish = false", "\npublish = true")).is_ok());
    let ok = copied
        && flipped
        && sh(cargo().current_dir(scratch.join("src")).env("CARGO_TARGET_DIR", scratch.join("target")).args([
            "package",
            "--quiet",
            "--workspace",
            "--exclude",
            "xtask",
            "--no-verify",
            "--allow-dirty",
        ]));
    gate.check(
        &format!(
            "cargo package --workspace (scratch copy, publish = true, --no-verify) ({:.0} s)",
            started.elapsed().as_secs_f64()
        ),
        ok,
    );
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Synthesize every example × environment into `out/<example>/<env>`;
/// returns the assembly directories.
fn synth_all(root: &Path, out: &Path, gate: &mut Gate) -> Vec<(String, PathBuf)> {
    let mut dirs = Vec::new();
    let examples = examples(root);
    let mut build = cargo();
    build.current_dir(root).args(["build", "--quiet"]);
    for e in &examples {
        build.args(["-p", e]);
    }
    if !gate.check("build examples", sh(&mut build)) {
        return dirs;
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    for e in examples {
        let bin = target.join("debug").join(&e);
        let Some(envs) = output(Command::new(&bin).arg("envs")) else {
            gate.check(&format!("{e}: list environments"), false);
            continue;
        };
        for env in envs.lines().filter_map(|l| l.split_whitespace().next()) {
            let dir = out.join(&e).join(env);
            let start = Instant::now();
            let ok = sh(Command::new(&bin).args(["synth", "--quiet", "--env", env, "--out"]).arg(&dir));
            let name = format!("synth {e} --env {env} ({:.0} ms)", start.elapsed().as_secs_f64() * 1e3);
            if gate.check(&name, ok) {
                dirs.push((format!("{e}/{env}"), dir));
            }
        }
    }
    dirs
}

fn templates(dirs: &[(String, PathBuf)]) -> Vec<PathBuf> {
    let mut t: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|(_, d)| std::fs::read_dir(d).into_iter().flatten().filter_map(Result::ok).map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".template.json"))
        .collect();
    t.sort();
    t
}

/// Run a validator over the templates; print its findings when it fails.
fn validate(findings: Option<Result<(), String>>) -> bool {
    match findings {
        Some(Ok(())) => true,
        Some(Err(text)) => {
            println!("{text}");
            false
        }
        None => false,
    }
}

fn run_ci(args: Vec<String>) -> ExitCode {
    let root = workspace_root();
    let started = Instant::now();
    let mut gate = Gate { passed: Vec::new(), failed: Vec::new() };
    let skip_tests = args.iter().any(|a| a == "--no-cargo-test");
    std::env::set_var("STACKCRAFT_TOOLS", tools_dir());

    if !gate.check("install pinned tools (cfn-lint, checkov, moto, aws-cdk)", install_tools()) {
        return summary(&gate, started);
    }
    gate.check("cargo fmt --check", sh(cargo().current_dir(&root).args(["fmt", "--all", "--", "--check"])));
    gate.check(
        "cargo clippy --workspace --all-targets -- -D warnings",
        sh(cargo().current_dir(&root).args([
            "clippy",
            "--quiet",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])),
    );
    gate.check(
        "cargo doc --no-deps --workspace (RUSTDOCFLAGS=-Dwarnings)",
        sh(cargo().current_dir(&root).env("RUSTDOCFLAGS", "-Dwarnings").args([
            "doc",
            "--quiet",
            "--no-deps",
            "--workspace",
        ])),
    );
    feature_builds(&root, &mut gate);
    package_check(&root, &mut gate);
    if !skip_tests {
        gate.check(
            "cargo test --workspace",
            sh(cargo().current_dir(&root).args(["test", "--workspace", "--no-fail-fast"])),
        );
    }
    for e in examples(&root) {
        let tree = output(cargo().current_dir(&root).args([
            "tree",
            "--quiet",
            "-e",
            "normal,build",
            "--prefix",
            "none",
            "-p",
            &e,
        ]));
        let heavy: Vec<String> = tree
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("aws-") || l.starts_with("tokio "))
            .map(|l| l.split_whitespace().next().unwrap_or_default().to_owned())
            .collect();
        gate.check(&format!("{e}: app binary is free of the AWS SDK and tokio {heavy:?}"), heavy.is_empty());
    }
    let out = root.join("target/ci-synth");
    let _ = std::fs::remove_dir_all(&out);
    let dirs = synth_all(&root, &out, &mut gate);
    let files = templates(&dirs);
    println!("{} assemblies, {} templates", dirs.len(), files.len());
    let t = Instant::now();
    let ok = files.is_empty() || validate(stackcraft_testing::cfn_lint_files(&files));
    gate.check(
        &format!("cfn-lint on {} templates: 0 errors, 0 warnings ({:.1} s)", files.len(), t.elapsed().as_secs_f64()),
        ok,
    );
    let t = Instant::now();
    let ok = files.is_empty() || validate(stackcraft_testing::checkov_files(&files));
    gate.check(
        &format!("checkov on {} templates: 0 failed checks ({:.1} s)", files.len(), t.elapsed().as_secs_f64()),
        ok,
    );
    for (name, dir) in &dirs {
        let listed = stackcraft_testing::cdk_ls(dir).and_then(Result::ok);
        let expected = std::fs::read_to_string(dir.join("manifest.json"))
            .ok()
            .and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok())
            .map(|m| {
                m["artifacts"]
                    .as_object()
                    .map(|a| a.values().filter(|v| v["type"] == "aws:cloudformation:stack").count())
                    .unwrap_or(0)
            })
            .unwrap_or(0);
        let ok = listed.is_some_and(|l| l.len() == expected && expected > 0);
        gate.check(&format!("cdk ls --app {name} lists {expected} stacks"), ok);
    }
    summary(&gate, started)
}

fn summary(gate: &Gate, started: Instant) -> ExitCode {
    println!();
    for f in &gate.failed {
        println!("failed: {f}");
    }
    println!("ci finished in {:.0} s", started.elapsed().as_secs_f64());
    println!("{} passed, {} failed", gate.passed.len(), gate.failed.len());
    if gate.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

pub(crate) fn run(args: Vec<String>) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("usage: cargo xtask ci [--no-cargo-test]\n\nInstalls the pinned tools ({CFN_LINT}, {CHECKOV}, {MOTO}, {CDK_CLI}) into .tools/ (or $STACKCRAFT_TOOLS), runs cargo fmt --check and cargo test --workspace, synthesizes every example x environment, and runs cfn-lint, checkov and cdk ls on the results.");
        return ExitCode::SUCCESS;
    }
    run_ci(args)
}
