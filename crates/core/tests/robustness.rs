//! Arbitrary input never panics (proptest), and the app CLI survives a reader
//! that goes away (`synth | head -1`).

use std::io::BufRead;
use std::process::{Command, ExitCode, Stdio};

use proptest::prelude::*;
use serde_json::json;
use stackcraft_core::cli::run_from;
use stackcraft_core::{App, EnvInfo, Environments, Output, RawResource, Value};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 ._/:-]{0,40}",
        "(aws:)?[a-zA-Zé/ ]{0,8}",
        proptest::collection::vec(prop_oneof![Just('é'), Just('a'), Just('/'), Just('<')], 0..300)
            .prop_map(|v| v.into_iter().collect()),
    ]
}

fn build(ids: &[String], tag: &(String, String), stack_name: &str, export: &str, account: &str, region: &str) -> App {
    let app = App::new("p");
    app.set_env(EnvInfo::new("dev", false).account(account).region(region));
    app.add_tag(tag.0.clone(), tag.1.clone());
    let a = app.stack(ids.first().map_or("A", String::as_str));
    a.set_stack_name(stack_name);
    let scope = a.scope(ids.get(1).map_or("S", String::as_str));
    scope.add_tag(tag.1.clone(), tag.0.clone());
    let q = scope.add_raw(ids.get(2).map_or("Q", String::as_str), RawResource::new("AWS::SQS::Queue", json!({})));
    q.override_logical_id(ids.get(3).cloned().unwrap_or_default());
    a.add_output(Output::new(ids.get(4).map_or("O", String::as_str), q.ref_()).export_name(export));
    let b = app.shared_stack(ids.get(5).map_or("B", String::as_str)).in_region(region);
    b.add_raw("T", RawResource::new("AWS::SNS::Topic", json!({"DisplayName": q.get_att::<String>("QueueName")})));
    b.export_value(Value::<String>::from(export));
    app
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(
        ids in proptest::collection::vec(text(), 0..7),
        tag in (text(), text()),
        stack_name in text(),
        export in text(),
        account in text(),
        region in text(),
    ) {
        let app = build(&ids, &tag, &stack_name, &export, &account, &region);
        if let Err(e) = app.synth() {
            let msg = e.to_string();
            prop_assert!(!msg.contains("<<sc:"), "internal token leaked: {}", msg);
            prop_assert!(e.errors().count() > 0);
        }
    }

    #[test]
    fn arbitrary_config_files_never_panic(text in text(), name in text()) {
        let mut envs = Environments::new().env("dev", 1u32);
        let _ = envs.load_config(&name, &text);
        let _ = envs.load_config("dev", &text);
        let _ = envs.get(&name);
    }
}

#[test]
fn broken_stdout_pipe_exits_quietly() {
    if std::env::var_os("STACKCRAFT_PIPE_CHILD").is_some() {
        // The child: list many environments into a pipe the parent closes early.
        let mut envs = Environments::new();
        for i in 0..40_000 {
            envs = envs.env(format!("environment-{i}"), ());
        }
        let code = run_from("pipe", envs, |_, _| {}, ["pipe", "envs"]);
        std::process::exit(if code == ExitCode::SUCCESS { 0 } else { 3 });
    }
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args(["--exact", "broken_stdout_pipe_exits_quietly", "--nocapture", "--test-threads=1"])
        .env("STACKCRAFT_PIPE_CHILD", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    {
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        while !first.contains("environment-") {
            first.clear();
            out.read_line(&mut first).unwrap();
        }
        // Dropping the reader closes the pipe, like `head -1` does.
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(first.contains("environment-0"), "{first}");
}

/// Runs this test binary again as a child with `role` set, returning (exit
/// code, stdout, stderr) of the child.
fn child(test: &str, role: &str, arg: &str) -> (Option<i32>, String, String) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--test-threads=1", "-q"])
        .env("STACKCRAFT_CLI_CHILD", role)
        .env("STACKCRAFT_CLI_ARG", arg)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn quiet_synth_prints_only_warnings() {
    if std::env::var("STACKCRAFT_CLI_CHILD").as_deref() == Ok("quiet") {
        let out = std::env::var("STACKCRAFT_CLI_ARG").unwrap();
        let envs = Environments::new().env("dev", ());
        let build = |app: &App, _: &stackcraft_core::Environment<()>| {
            let s = app.stack("Main");
            // A hard-coded partition: a warning, synth still succeeds.
            s.add_raw(
                "Q",
                RawResource::new(
                    "AWS::SQS::Queue",
                    json!({"RedriveAllowPolicy": {"sourceQueueArns": ["arn:aws:sqs:eu-central-1:123456789012:q"]}}),
                ),
            );
        };
        let code = run_from("quiet", envs, build, ["quiet", "synth", "-q", "--out", &out]);
        print!("<<child-done>>");
        std::process::exit(if code == ExitCode::SUCCESS { 0 } else { 3 });
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    let (code, stdout, stderr) = child("quiet_synth_prints_only_warnings", "quiet", out.to_str().unwrap());
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    // Only the harness's own line and the marker: nothing from synth.
    let ours = stdout.replace("<<child-done>>", "");
    assert!(!ours.contains("synthesized") && !ours.contains("template.json"), "{stdout}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("warning: Main/Q [partition]:"), "{stderr}");
    assert!(out.join("Main.template.json").exists());
}
