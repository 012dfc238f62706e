//! End-to-end deploys of `tests/deploy-demo` (a test fixture app) through the real xtask binary
//! against a moto server (pinned 5.2.5) on a free loopback port.
//!
//! Harness: `support/mod.rs`. moto is found at `$STACKCRAFT_TOOLS/moto/bin/moto_server` (default
//! `<workspace>/.tools`). Without it the tests fail with a clear message,
//! unless `STACKCRAFT_SKIP_EXTERNAL=1` (then they say why and pass).
//!
//! moto 5.2.5 registers exports and outputs only for CreateStack/UpdateStack,
//! never for executed change sets, so the cross-stack test deploys with
//! `--method direct`; the change-set lifecycle test uses independent stacks.

mod support;

use std::time::Instant;

use support::{pos, xtask, Moto};

#[test]
fn change_set_lifecycle_create_update_noop_large_destroy() {
    let Some(moto) = Moto::moto() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let outputs = tmp.path().join("outputs.json");
    let outputs = outputs.to_str().unwrap();
    let app = ["--app", "deploy-demo"];
    let with = |cmd: &[&str]| -> Vec<String> { cmd.iter().chain(app.iter()).map(|s| s.to_string()).collect() };

    // No terminal and no --yes: refuse, change nothing.
    let v = with(&["deploy", "dev"]);
    let r = xtask(&moto, &v, &[]);
    assert_eq!(r.code, Some(1), "{}", r.out);
    assert!(r.out.contains("rerun with --yes"), "{}", r.out);

    let start = Instant::now();
    // Create: both stacks, independent, concurrently.
    let v = with(&["deploy", "dev", "--yes", "--outputs-file", outputs]);
    let r = xtask(&moto, &v, &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("Stack deploy-demo-dev-Service (create): 15 to add"), "{}", r.out);
    assert!(r.out.contains("deploy-demo-dev-Messaging: CREATE_COMPLETE"), "{}", r.out);
    assert!(r.out.contains("deploy-demo-dev-Service: CREATE_COMPLETE"), "{}", r.out);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(outputs).unwrap()).unwrap();
    assert!(json.get("deploy-demo-dev-Service").is_some(), "{json}");

    // Diff of a change against the deployed templates (online diff): shown
    // by review's engine, change set created and deleted, nothing applied.
    let changed = [("DEMO_VARIANT", "changed")];
    let v = with(&["diff", "dev"]);
    let r = xtask(&moto, &v, &changed);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("Stack Messaging (modified)"), "{}", r.out);
    assert!(r.out.contains("~ AWS::SQS::Queue Messaging/Queue (Queue)"), "{}", r.out);
    assert!(r.out.contains("VisibilityTimeout: 30 -> 60"), "{}", r.out);
    assert!(r.out.contains("~ AWS::Logs::LogGroup Service/Logs (Logs)"), "{}", r.out);
    // moto's change sets carry no replacement detail: said, the prediction stands.
    assert!(r.out.contains("change set gave no replacement verdict for Queue"), "{}", r.out);
    // --json and --fail-on work online as offline (exit code 3).
    let v = with(&["diff", "dev", "--json", "--fail-on", "any"]);
    let r = xtask(&moto, &v, &changed);
    assert_eq!(r.code, Some(3), "{}", r.out);
    assert!(r.out.contains("\"schema_version\": \"1\""), "{}", r.out);
    assert!(r.out.contains("diff --fail-on: any change(s) present"), "{}", r.out);
    // Unchanged app: nothing to show, --fail-on any passes.
    let v = with(&["diff", "dev", "--fail-on", "any"]);
    let r = xtask(&moto, &v, &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("Stack Messaging: no changes"), "{}", r.out);

    // Update.
    let v = with(&["deploy", "dev", "--yes", "--outputs-file", outputs]);
    let r = xtask(&moto, &v, &changed);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("~ Queue"), "{}", r.out);
    assert!(r.out.contains("deploy-demo-dev-Messaging: UPDATE_COMPLETE"), "{}", r.out);

    // Unchanged: the no-op path, exit 0.
    let r = xtask(&moto, &v, &changed);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("deploy-demo-dev-Messaging: no changes"), "{}", r.out);
    assert!(r.out.contains("deploy-demo-dev-Service: no changes"), "{}", r.out);
    assert!(!r.out.contains("UPDATE_IN_PROGRESS"), "{}", r.out);

    // A template over 51,200 bytes goes through the assets bucket.
    let r = xtask(&moto, &v, &[("DEMO_VARIANT", "large")]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("creating assets bucket stackcraft-assets-123456789012-us-east-1"), "{}", r.out);
    assert!(
        r.out.contains("uploaded to s3://stackcraft-assets-123456789012-us-east-1/templates/deploy-demo-dev-Service/"),
        "{}",
        r.out
    );
    assert!(r.out.contains("deploy-demo-dev-Service: UPDATE_COMPLETE"), "{}", r.out);

    // Production safety: destroying prod needs the explicit flag.
    let v = with(&["destroy", "prod", "--yes"]);
    let r = xtask(&moto, &v, &[]);
    assert_eq!(r.code, Some(1), "{}", r.out);
    assert!(r.out.contains("needs --force-production"), "{}", r.out);

    // Destroy, dependents first, then nothing is left.
    let v = with(&["destroy", "dev", "--yes"]);
    let r = xtask(&moto, &v, &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("deploy-demo-dev-Service: deleted"), "{}", r.out);
    assert!(r.out.contains("deploy-demo-dev-Messaging: deleted"), "{}", r.out);
    println!("deploy -> diff -> update -> no-op -> large -> destroy on moto: {:.1}s", start.elapsed().as_secs_f64());
    let v = with(&["outputs", "dev"]);
    let r = xtask(&moto, &v, &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("deploy-demo-dev-Service: not deployed"), "{}", r.out);
}

#[test]
fn cross_stack_reference_deploys_in_order_and_destroys_in_reverse() {
    let Some(moto) = Moto::moto() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let outputs = tmp.path().join("out/outputs.json");
    let linked = [("DEMO_LINKED", "1")];
    let r = xtask(
        &moto,
        &[
            "deploy",
            "dev",
            "--app",
            "deploy-demo",
            "--yes",
            "--method",
            "direct",
            "--concurrency",
            "4",
            "--outputs-file",
            outputs.to_str().unwrap(),
        ],
        &linked,
    );
    assert!(r.ok, "{}", r.out);
    // The importing stack starts only after the exporting one completed.
    assert!(
        pos(&r.out, "deploy-demo-dev-Messaging: CREATE_COMPLETE")
            < pos(&r.out, "Stack deploy-demo-dev-Service (create)"),
        "{}",
        r.out
    );
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&outputs).unwrap()).unwrap();
    let queue_url = json["deploy-demo-dev-Messaging"]["QueueUrl"].as_str().unwrap();
    assert!(queue_url.contains("deploy-demo-dev-Messaging-Queue"), "{json}");
    assert!(json["deploy-demo-dev-Service"]["LoadBalancerDns"].is_string(), "{json}");

    let r = xtask(&moto, &["outputs", "dev", "--app", "deploy-demo"], &linked);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("deploy-demo-dev-Service.TableName = "), "{}", r.out);

    let r = xtask(&moto, &["destroy", "dev", "--app", "deploy-demo", "--yes"], &linked);
    assert!(r.ok, "{}", r.out);
    assert!(
        pos(&r.out, "deploy-demo-dev-Service: DELETE_COMPLETE")
            < pos(&r.out, "deploy-demo-dev-Messaging | DELETE_IN_PROGRESS"),
        "{}",
        r.out
    );
}
