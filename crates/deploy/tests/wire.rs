//! Deploys through the real `stackcraft-deploy` binary against the
//! asynchronous CloudFormation double (see `support/mod.rs` and
//! `double/cfn_double.py`), with hand-written cloud assemblies: what the
//! wire protocol and CloudFormation's own rules (exports in use, regions)
//! do to the deploy commands.

mod support;

use support::{consumer, deploy, pos, producer, write_assembly, Double, Stack};

const EXPORT: &str = "shop-dev-Data:QueueArn";

fn args<'a>(cmd: &'a str, dir: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![cmd, "dev", "--assembly", dir, "--yes"];
    v.extend_from_slice(extra);
    v
}

#[test]
fn removing_and_renaming_a_cross_stack_reference_never_deadlocks() {
    let Some(double) = Double::start(300) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("asm");
    let d = dir.to_str().unwrap();

    // v1: Api imports the queue ARN from Data.
    write_assembly(
        &dir,
        "shop",
        "dev",
        &[Stack::new("Data", producer(Some(EXPORT))), Stack::new("Api", consumer(Some(EXPORT))).after("Data")],
    );
    let r = deploy(&double, &args("deploy", d, &[]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(pos(&r.out, "shop-dev-Data: CREATE_COMPLETE") < pos(&r.out, "shop-dev-Api: CREATE_COMPLETE"), "{}", r.out);

    // Destroying the producer alone while Api imports from it is refused, naming Api.
    let r = deploy(&double, &args("destroy", d, &["--stack", "Data"]), &[]);
    assert_eq!(r.code, Some(1), "{}", r.out);
    assert!(r.out.contains("shop-dev-Data: export shop-dev-Data:QueueArn is imported by shop-dev-Api"), "{}", r.out);

    // v2: rename the export (Api follows): the old name is kept while Api moves.
    let renamed = "shop-dev-Data:QueueArnV2";
    write_assembly(
        &dir,
        "shop",
        "dev",
        &[Stack::new("Data", producer(Some(renamed))), Stack::new("Api", consumer(Some(renamed))).after("Data")],
    );
    let r = deploy(&double, &args("deploy", d, &[]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(
        r.out.contains(
            "export shop-dev-Data:QueueArn is dropped by the new template but still imported by shop-dev-Api"
        ),
        "{}",
        r.out
    );
    let p1 = pos(&r.out, "phase 1/2");
    let p2 = pos(&r.out, "phase 2/2: dropping the exports no longer imported from shop-dev-Data");
    assert!(
        p1 < pos(&r.out, "shop-dev-Api: UPDATE_COMPLETE") && pos(&r.out, "shop-dev-Api: UPDATE_COMPLETE") < p2,
        "{}",
        r.out
    );

    // v3: Api stops using the value: one command, two phases.
    write_assembly(
        &dir,
        "shop",
        "dev",
        &[Stack::new("Data", producer(None)), Stack::new("Api", consumer(None)).after("Data")],
    );
    let r = deploy(&double, &args("deploy", d, &[]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("phase 1/2") && r.out.contains("phase 2/2"), "{}", r.out);
    let tail = &r.out[pos(&r.out, "phase 2/2")..];
    assert!(tail.contains("shop-dev-Data: UPDATE_COMPLETE"), "{}", r.out);
    // Nothing left to retire: the next deploy is a plain no-op.
    let r = deploy(&double, &args("deploy", d, &[]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(!r.out.contains("phase"), "{}", r.out);
    assert!(r.out.contains("shop-dev-Data: no changes"), "{}", r.out);
}

#[test]
fn a_stack_pinned_to_another_region_is_deployed_there() {
    let Some(double) = Double::start(100) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("asm");
    let d = dir.to_str().unwrap();
    let mut edge = Stack::new("Edge", producer(None));
    edge.region = Some("eu-west-1");
    write_assembly(&dir, "shop", "dev", &[edge, Stack::new("Api", consumer(None))]);
    let r = deploy(&double, &args("deploy", d, &[]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("shop-dev-Edge: CREATE_COMPLETE"), "{}", r.out);
    // The same stack name without the pin (the default region): not there.
    write_assembly(&dir, "shop", "dev", &[Stack::new("Edge", producer(None))]);
    let r = deploy(&double, &["outputs", "dev", "--assembly", d], &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("shop-dev-Edge: not deployed"), "{}", r.out);
    // In eu-west-1 it is.
    let r = deploy(&double, &["outputs", "dev", "--assembly", d, "--region", "eu-west-1"], &[]);
    assert!(r.out.contains("shop-dev-Edge: CREATE_COMPLETE (no outputs)"), "{}", r.out);
}

#[test]
fn shared_stacks_are_left_alone_unless_included() {
    let Some(double) = Double::start(100) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("asm");
    let d = dir.to_str().unwrap();
    let registry = |export: &str| {
        let mut s = Stack::new("Registry", producer(Some(export)));
        s.shared = true;
        s
    };
    write_assembly(
        &dir,
        "shop",
        "dev",
        &[
            registry("shop-Registry:QueueArn"),
            Stack::new("Api", consumer(Some("shop-Registry:QueueArn"))).after("Registry"),
        ],
    );
    let r = deploy(&double, &args("deploy", d, &[]), &[]);
    assert_eq!(r.code, Some(1), "{}", r.out);
    assert!(
        r.out.contains(&format!(
        "shop-Registry is a shared stack (deployed once for all environments) and is not deployed yet; deploy it with \
         `cargo xtask deploy dev --assembly {d} --include-shared --stack Registry`"
    )),
        "{}",
        r.out
    );
    assert!(r.out.contains("shop-dev-Api: not deployed because shop-Registry failed"), "{}", r.out);
    let r = deploy(&double, &args("deploy", d, &["--include-shared"]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("shop-Registry: CREATE_COMPLETE"), "{}", r.out);
    // A changed shared template is reported, not applied.
    let mut changed = registry("shop-Registry:QueueArn");
    changed.template["Resources"]["Queue"]["Properties"] = serde_json::json!({"VisibilityTimeout": 60});
    write_assembly(
        &dir,
        "shop",
        "dev",
        &[changed, Stack::new("Api", consumer(Some("shop-Registry:QueueArn"))).after("Registry")],
    );
    let r = deploy(&double, &args("deploy", d, &[]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(
        r.out.contains("shop-Registry: shared stack differs from the synthesized template and is left as deployed"),
        "{}",
        r.out
    );
    assert!(r.out.contains("shop-Registry.QueueArn = arn:aws:sqs:"), "its outputs are still read: {}", r.out);
    // destroy keeps it.
    let r = deploy(&double, &args("destroy", d, &[]), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("shop-Registry: shared stack (used by every environment), kept"), "{}", r.out);
}
