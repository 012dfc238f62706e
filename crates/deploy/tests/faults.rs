//! The fault matrix of issue 18, through the real binary against the
//! asynchronous CloudFormation double: Ctrl-C during a call, a wait and
//! before changes; an endpoint that is unreachable, hangs, or is lost
//! mid-deploy; no credentials and a mistyped profile; concurrent deploys;
//! a failed create then a rerun; destroy with retained data; production
//! protection on create, no-op and after tampering; the outputs file.
//! Each case asserts the message and the exit code.

mod support;

use std::time::Instant;

use serde_json::json;
use support::{deploy, interrupt_when, producer, run_at, write_assembly, Double, Stack};

fn yes<'a>(cmd: &'a str, dir: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![cmd, "dev", "--assembly", dir, "--yes"];
    v.extend_from_slice(extra);
    v
}

fn short_lines(out: &str) {
    for l in out.lines() {
        assert!(l.len() < 400, "a {}-character line:\n{l}", l.len());
    }
}

#[test]
fn ctrl_c_hangs_and_lost_connections() {
    let Some(double) = Double::start(3000) else { return };
    let ep = double.endpoint();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("asm");
    let d = dir.to_str().unwrap();
    write_assembly(&dir, "shop", "dev", &[Stack::new("Data", producer(None))]);

    // Ctrl-C while waiting on a create: 130 at once, what goes on, the exact
    // reattach command with every flag (item 4).
    let (r, secs) = interrupt_when(&ep, &yes("deploy", d, &["--stack", "Data"]), &[], "CREATE_IN_PROGRESS");
    assert_eq!(r.code, Some(130), "{}", r.out);
    assert!(secs < 3.0, "took {secs:.1}s to stop");
    assert!(
        r.out.contains(&format!(
            "shop-dev-Data: interrupted; its create continues in CloudFormation. Reattach with \
             `cargo xtask deploy dev --assembly {d} --stack Data`"
        )),
        "{}",
        r.out
    );
    assert!(r.out.contains("x shop-dev-Data: INTERRUPTED"), "{}", r.out);

    // Reattach: waits for the running create, then nothing to do.
    let r = deploy(&double, &yes("deploy", d, &[]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("another operation is running; waiting for it to finish"), "{}", r.out);
    assert!(r.out.contains("shop-dev-Data: no changes"), "{}", r.out);

    // Ctrl-C while a call hangs: 130 at once, nothing started.
    double.hang(&["DescribeStacks"]);
    let (r, secs) = interrupt_when(&ep, &yes("deploy", d, &[]), &[], "deploying shop");
    assert_eq!(r.code, Some(130), "{}", r.out);
    assert!(secs < 3.0, "took {secs:.1}s to stop");
    assert!(r.out.contains("stopped before any stack operation was started"), "{}", r.out);

    // A hung endpoint without Ctrl-C: bounded by the timeouts, one line.
    let start = Instant::now();
    let r = deploy(&double, &yes("deploy", d, &[]), &[("STACKCRAFT_ATTEMPT_TIMEOUT_MS", "400")]);
    assert_eq!(r.code, Some(1), "{}", r.out);
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    assert!(r.out.contains("lost contact with AWS during DescribeStacks: no answer in time"), "{}", r.out);
    short_lines(&r.out);
    double.hang(&[]);

    // Lost mid-deploy: the update is started, then CloudFormation stops answering.
    let mut changed = producer(None);
    changed["Resources"]["Queue"]["Properties"] = json!({"VisibilityTimeout": 60});
    write_assembly(&dir, "shop", "dev", &[Stack::new("Data", changed)]);
    double.hang(&["DescribeStackEvents"]);
    let r = deploy(&double, &yes("deploy", d, &[]), &[("STACKCRAFT_ATTEMPT_TIMEOUT_MS", "400")]);
    double.hang(&[]);
    assert_eq!(r.code, Some(1), "{}", r.out);
    assert!(
        r.out.contains(
            "shop-dev-Data: lost contact with AWS during DescribeStackEvents: no answer in time.\n  The stack may \
             still be changing in CloudFormation; Reattach with `cargo xtask deploy dev --assembly"
        ),
        "{}",
        r.out
    );
    assert!(r.out.contains("x shop-dev-Data: UNKNOWN (connection lost)"), "{}", r.out);
    short_lines(&r.out);

    // Unreachable endpoint.
    let r = run_at("http://127.0.0.1:1", &yes("deploy", d, &[]), &[("STACKCRAFT_ATTEMPT_TIMEOUT_MS", "400")]);
    assert_eq!(r.code, Some(1), "{}", r.out);
    assert!(r.out.contains("lost contact with AWS during GetCallerIdentity"), "{}", r.out);
    short_lines(&r.out);
}

#[test]
fn credentials_profiles_and_confirmation() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("asm");
    let d = dir.to_str().unwrap();
    write_assembly(&dir, "shop", "dev", &[Stack::new("Data", producer(None))]);
    let config = tmp.path().join("config");
    std::fs::write(&config, "[profile dev]\nregion = us-east-1\n").unwrap();
    let creds = tmp.path().join("credentials");
    std::fs::write(&creds, "").unwrap();
    let files = [
        ("AWS_CONFIG_FILE", config.to_str().unwrap()),
        ("AWS_SHARED_CREDENTIALS_FILE", creds.to_str().unwrap()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];

    // A mistyped --profile is an error even with credentials in the environment (item 8).
    let r = run_at("http://127.0.0.1:1", &yes("deploy", d, &["--profile", "dve"]), &files);
    assert_eq!(r.code, Some(2), "{}", r.out);
    assert!(
        r.out.contains("AWS profile \"dve\" not found in the AWS config or credentials file (profiles there: dev)"),
        "{}",
        r.out
    );

    // No credentials at all: one line naming where they were looked for.
    let mut none = files.to_vec();
    none.extend([("AWS_ACCESS_KEY_ID", ""), ("AWS_SECRET_ACCESS_KEY", "")]);
    let r = run_at("http://127.0.0.1:1", &yes("deploy", d, &[]), &none);
    assert_eq!(r.code, Some(2), "{}", r.out);
    assert!(r.out.contains("cannot use the AWS credentials from the environment"), "{}", r.out);
    short_lines(&r.out);
    let r = run_at("http://127.0.0.1:1", &yes("deploy", d, &["--profile", "dev"]), &files);
    assert_eq!(r.code, Some(2), "{}", r.out);
    assert!(r.out.contains("cannot use the AWS credentials of profile \"dev\""), "{}", r.out);

    // No terminal and no --yes: refused before anything is created.
    let r = run_at("http://127.0.0.1:1", &["deploy", "dev", "--assembly", d], &[]);
    assert_eq!(r.code, Some(1), "{}", r.out);
    assert!(r.out.contains("no terminal to ask for confirmation on and no --yes: nothing was changed"), "{}", r.out);
}

#[test]
fn protection_retained_data_failed_create_and_outputs_file() {
    let Some(double) = Double::start(200) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("asm");
    let d = dir.to_str().unwrap();
    let outputs = tmp.path().join("outputs.json");
    let o = outputs.to_str().unwrap();
    let mut retained = producer(Some("shop-dev-Data:QueueArn"));
    retained["Resources"]["Queue"]["DeletionPolicy"] = json!("Retain");
    let mut data = Stack::new("Data", retained.clone());
    data.protected = true;
    write_assembly(&dir, "shop", "dev", &[data]);

    // Production protection on create.
    let r = deploy(&double, &yes("deploy", d, &["--outputs-file", o]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("shop-dev-Data: termination protection enabled"), "{}", r.out);
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&outputs).unwrap()).unwrap();
    assert!(file["shop-dev-Data"]["QueueArn"].as_str().unwrap().starts_with("arn:aws:sqs:"), "{file}");

    // Tampered with: a no-op deploy restores it (item 3).
    double.call(
        "UpdateTerminationProtection",
        &[("StackName", "shop-dev-Data"), ("EnableTerminationProtection", "false")],
    );
    let r = deploy(&double, &yes("deploy", d, &[]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("shop-dev-Data: no changes"), "{}", r.out);
    assert!(r.out.contains("termination protection is off but must be on; restoring it"), "{}", r.out);
    let body = double.call("DescribeStacks", &[("StackName", "shop-dev-Data")]);
    assert!(body.contains("<EnableTerminationProtection>true</EnableTerminationProtection>"), "{body}");

    // A failed update keeps the stack's entry in the outputs file (item 6).
    let mut failing = retained.clone();
    failing["Resources"]["Queue"]["Metadata"] = json!({"Double": {"Fail": "Invalid value for VisibilityTimeout"}});
    failing["Resources"]["Queue"]["Properties"] = json!({"VisibilityTimeout": 99999});
    let mut data = Stack::new("Data", failing);
    data.protected = true;
    write_assembly(&dir, "shop", "dev", &[data]);
    let r = deploy(&double, &yes("deploy", d, &["--outputs-file", o]), &[]);
    assert_eq!(r.code, Some(1), "{}", r.out);
    assert!(r.out.contains("Queue (AWS::SQS::Queue) UPDATE_FAILED: Invalid value for VisibilityTimeout"), "{}", r.out);
    assert!(r.out.contains("final status UPDATE_ROLLBACK_COMPLETE"), "{}", r.out);
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&outputs).unwrap()).unwrap();
    assert!(file["shop-dev-Data"]["QueueArn"].is_string(), "a failed update keeps the entry: {file}");

    // Production destroy needs the flag; then what is kept is said (item 9),
    // and the outputs file forgets the stack.
    let r = deploy(&double, &yes("destroy", d, &[]), &[]);
    assert_eq!(r.code, Some(1), "{}", r.out);
    assert!(r.out.contains("is a production environment: destroying it needs --force-production"), "{}", r.out);
    let r = deploy(&double, &yes("destroy", d, &["--force-production", "--outputs-file", o]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("DELETE_SKIPPED"), "{}", r.out);
    assert!(
        r.out.contains("- shop-dev-Data: deleted, 1 resource(s) kept by DeletionPolicy: Queue (AWS::SQS::Queue"),
        "{}",
        r.out
    );
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&outputs).unwrap()).unwrap();
    assert!(file.get("shop-dev-Data").is_none(), "{file}");

    // A failed create, then a rerun: deleted and created again.
    let mut bad = producer(None);
    bad["Resources"]["Queue"]["Metadata"] = json!({"Double": {"Fail": "Resource handler returned message: boom"}});
    write_assembly(&dir, "shop", "dev", &[Stack::new("Api", bad)]);
    let r = deploy(&double, &yes("deploy", d, &[]), &[]);
    assert_eq!(r.code, Some(1), "{}", r.out);
    assert!(
        r.out.contains("Queue (AWS::SQS::Queue) CREATE_FAILED: Resource handler returned message: boom"),
        "{}",
        r.out
    );
    assert!(r.out.contains("final status ROLLBACK_COMPLETE"), "{}", r.out);
    write_assembly(&dir, "shop", "dev", &[Stack::new("Api", producer(None))]);
    let r = deploy(&double, &yes("deploy", d, &[]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("shop-dev-Api: deleting the failed stack"), "{}", r.out);
    assert!(r.out.contains("shop-dev-Api: CREATE_COMPLETE"), "{}", r.out);
}

#[test]
fn a_second_deploy_of_the_same_environment_waits_for_the_first() {
    let Some(double) = Double::start(2500) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("asm");
    let d = dir.to_str().unwrap();
    write_assembly(&dir, "shop", "dev", &[Stack::new("Data", producer(None))]);
    let mut first = support::command(&double.endpoint(), &yes("deploy", d, &[]), &[]);
    let first = first.stdout(std::process::Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let body = double.call("ListStacks", &[]);
        if body.contains("CREATE_IN_PROGRESS") {
            break;
        }
        assert!(Instant::now() < deadline, "the first deploy never started: {body}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let second = deploy(&double, &yes("deploy", d, &[]), &[]);
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stdout));
    assert!(second.ok, "{}", second.out);
    assert!(
        second.out.contains("CREATE_IN_PROGRESS — another operation is running; waiting for it to finish"),
        "{}",
        second.out
    );
    assert!(second.out.contains("shop-dev-Data: no changes"), "{}", second.out);
}
