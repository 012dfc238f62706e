//! The policy through the app command line: an unacknowledged error fails
//! synth and writes nothing; `--audit` reports it and writes the assembly
//! with `policy-report.json`; an acknowledgement makes synth pass.

use std::process::ExitCode;

use stackcraft_core::serde_json::{self, json, Value as Json};
use stackcraft_core::{cli, App, Environment, Environments, RawResource};

fn envs() -> Environments<Json> {
    Environments::new().env("dev", json!({}))
}

fn build(ack: bool) -> impl Fn(&App, &Environment<Json>) {
    move |app, _| {
        stackcraft_policy::install_default(app);
        let s = app.stack("Keys");
        let key = s.add_raw("Key", RawResource::new("AWS::KMS::Key", json!({"KeyPolicy": {}})));
        if ack {
            key.acknowledge("kms.rotation", "the key wraps imported material that cannot rotate");
        }
    }
}

fn run(ack: bool, extra: &[&str], out: &std::path::Path) -> ExitCode {
    let mut args = vec!["app", "synth", "-q", "--out", out.to_str().unwrap_or_default()];
    args.extend_from_slice(extra);
    cli::run_from("t", envs(), build(ack), args)
}

#[test]
fn errors_fail_audit_reports_acknowledgements_pass() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    assert_eq!(run(false, &[], &out), ExitCode::from(1));
    assert!(!out.exists(), "a failed synth writes nothing");

    assert_eq!(run(false, &["--audit"], &out), ExitCode::SUCCESS);
    let report: Json = serde_json::from_str(&std::fs::read_to_string(out.join("policy-report.json")).unwrap()).unwrap();
    assert_eq!(report["summary"]["findings"], 1);
    assert_eq!(report["findings"][0]["rule"], "kms.rotation");
    assert_eq!(report["findings"][0]["path"], "Keys/Key");
    assert!(report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == "kms.rotation" && r["resourcesEvaluated"] == 1));

    assert_eq!(run(true, &[], &out), ExitCode::SUCCESS);
    let report: Json = serde_json::from_str(&std::fs::read_to_string(out.join("policy-report.json")).unwrap()).unwrap();
    assert_eq!(report["summary"]["unacknowledgedErrors"], 0);
    assert_eq!(report["findings"][0]["acknowledged"]["reason"], "the key wraps imported material that cannot rotate");
    let t: Json = serde_json::from_str(&std::fs::read_to_string(out.join("Keys.template.json")).unwrap()).unwrap();
    let key = t["Resources"].as_object().unwrap().values().next().unwrap();
    assert_eq!(key["Metadata"]["checkov"]["skip"][0]["id"], "CKV_AWS_7");
    assert_eq!(key["Metadata"]["stackcraft"]["acknowledgements"][0]["rule"], "kms.rotation");
    assert!(out.join("acknowledgements.json").exists());
}

#[test]
fn raw_tool_ids_become_tool_suppressions() {
    let v = stackcraft_policy::Policy::default().into_validator();
    assert_eq!(v.tool_ids("CKV_AWS_117"), (vec!["CKV_AWS_117".to_string()], vec![]));
    assert_eq!(v.tool_ids("W3005"), (vec![], vec!["W3005".to_string()]));
    assert_eq!(v.tool_ids("s3.tls-only"), (vec![], vec![]));
    assert_eq!(v.tool_ids("logs.kms").0, ["CKV_AWS_158"]);
    // Known even when only another pack is installed.
    let v = stackcraft_policy::Policy::empty().into_validator();
    assert_eq!(v.tool_ids("logs.retention").0, ["CKV_AWS_66"]);
}
