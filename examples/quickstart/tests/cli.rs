//! The app command line, through the real binary.

use std::process::Command;

fn app() -> Command {
    Command::new(env!("CARGO_BIN_EXE_quickstart"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = app().args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn synth_writes_an_assembly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, stdout, _) = run(&["synth", "--env", "staging", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(stdout.contains("synthesized quickstart (staging)"), "{stdout}");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["artifacts"]["Events"]["properties"]["stackName"], "quickstart-staging-Events");
    assert_eq!(m["artifacts"]["Events"]["dependencies"], serde_json::json!(["Storage"]));
    let t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("Storage.template.json")).unwrap()).unwrap();
    assert_eq!(t["Resources"]["Queue"]["Properties"]["MessageRetentionPeriod"], 4 * 86_400);
}

#[test]
fn unknown_environment_lists_the_known_ones() {
    let (code, _, stderr) = run(&["synth", "--env", "qa"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown environment \"qa\"; known environments: dev, staging, prod"), "{stderr}");
}

#[test]
fn stack_selection_keeps_dependencies() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, _, _) = run(&["synth", "-q", "--stack", "Events", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.join("Storage.template.json").exists() && out.join("Events.template.json").exists());
    let (code, _, stderr) = run(&["synth", "-q", "--stack", "Nope", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no stack named \"Nope\"; the stacks are: Storage, Events"), "{stderr}");
    assert!(out.join("Events.template.json").exists(), "a failed synth leaves the previous output alone");
}

#[test]
fn list_shows_dependencies_and_prod_is_protected() {
    let (code, stdout, _) = run(&["list", "--env", "prod"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "Storage\tquickstart-prod-Storage\nEvents\tquickstart-prod-Events (depends on Storage)\n");
    let (_, envs, _) = run(&["envs"]);
    assert_eq!(envs, "dev\nstaging\nprod\t(production)\n");
}

#[test]
fn schema_and_config_files() {
    let (code, schema, _) = run(&["schema"]);
    assert_eq!(code, 0);
    let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
    assert_eq!(schema["title"], "Config");
    assert!(schema["properties"]["retention_days"].is_object());
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("dev.json");
    std::fs::write(&cfg, r#"{"visibility_timeout": 45, "retention_days": 2}"#).unwrap();
    let (code, stdout, _) = run(&["config", "--env", "dev", "--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(stdout.contains("\"visibility_timeout\": 45"), "{stdout}");
    std::fs::write(&cfg, r#"{"visibility_timeout": "x", "retention_days": 2}"#).unwrap();
    let (code, _, stderr) = run(&["synth", "--env", "dev", "--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("config for environment \"dev\": at visibility_timeout: invalid type"), "{stderr}");
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    assert_eq!(run(&[]).0, 2);
    assert_eq!(run(&["bogus"]).0, 2);
    let (code, stdout, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("synth") && stdout.contains("list") && stdout.contains("schema"));
}

fn run_in(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let o = app().args(args).current_dir(dir).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn synth_out_never_deletes_or_replaces_what_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("docs")).unwrap();
    std::fs::write(d.join("docs/notes.txt"), "mine").unwrap();
    std::fs::write(d.join("report.txt"), "report").unwrap();
    let (code, err) = run_in(d, &["synth", "-q", "--out", "docs"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: --out docs is a directory holding notes.txt, not a cloud assembly; it was left untouched. \
         Choose another path, or move it away yourself\n"
    );
    let (code, err) = run_in(d, &["synth", "-q", "--out", "report.txt"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: --out report.txt is a file, not a cloud assembly"), "{err}");
    let (code, err) = run_in(d, &["synth", "-q", "--out", "."]);
    assert_eq!(code, 2);
    assert_eq!(err, "error: --out .: the current directory cannot be an output location; name a directory inside it\n");
    let (code, err) = run_in(d, &["synth", "-q", "--out", ".."]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: --out ..: a parent directory cannot be an output location"), "{err}");
    let (code, err) = run_in(d, &["synth", "-q", "--out", "report.txt/cdk.out"]);
    assert_eq!(code, 2);
    assert_eq!(err, "error: --out report.txt/cdk.out: report.txt is not a directory\n");
    let (code, err) = run_in(d, &["schema", "--out", "report.txt"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: --out report.txt is a file, not a JSON Schema written by this command"), "{err}");
    assert_eq!(std::fs::read_to_string(d.join("docs/notes.txt")).unwrap(), "mine");
    assert_eq!(std::fs::read_to_string(d.join("report.txt")).unwrap(), "report");
    assert_eq!(listing(d), ["docs", "report.txt"], "nothing written, nothing moved aside");
    // Its own previous output is replaced, in place.
    assert_eq!(run_in(d, &["synth", "-q", "--out", "cdk.out"]).0, 0);
    assert_eq!(run_in(d, &["synth", "-q", "--out", "cdk.out"]).0, 0);
    assert_eq!(run_in(d, &["schema", "--out", "schema.json"]).0, 0);
    assert_eq!(run_in(d, &["schema", "--out", "schema.json"]).0, 0);
    assert_eq!(listing(d), ["cdk.out", "docs", "report.txt", "schema.json"]);
}
