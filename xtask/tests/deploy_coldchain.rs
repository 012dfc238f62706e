//! `examples/coldchain` on a moto server (pinned 5.2.5) through the real
//! xtask binary and the shared harness (`stackcraft_testing::moto`, with its
//! moto fixes: tagged KMS keys, ACM certificates and the ALB's
//! CanonicalHostedZoneID, see `crates/testing/EMULATOR.md`): every stack of
//! dev (Network, App) is created, a second deploy is a no-op, App is
//! destroyed.
//!
//! moto skips ElastiCache, Secrets Manager, Application Auto Scaling, alarms,
//! SNS subscriptions/topic policies and security-group egress rules silently
//! (a warning in its log; see shared/external-tools.md); those are covered by
//! the spec test, cfn-lint and checkov. App imports Network's exports, which
//! moto registers only for CreateStack/UpdateStack: created with
//! `--method direct`; the no-op uses change sets. Network is not destroyed:
//! moto cannot delete a VPC with an internet gateway attachment and routes
//! (DependencyViolation, retried for minutes).

mod support;

use std::time::Instant;

use support::{xtask, Moto};

#[test]
fn coldchain_dev_deploys_is_a_noop_twice_and_destroys_app() {
    let Some(moto) = Moto::moto() else { return };
    let start = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let outputs = tmp.path().join("outputs.json");
    let outputs = outputs.to_str().unwrap();
    let assembly = tmp.path().join("cdk.out");
    let assembly = assembly.to_str().unwrap();
    support::app("coldchain", &["synth", "--env", "dev", "--out", assembly, "--quiet"]);
    let deploy = ["deploy", "dev", "--assembly", assembly, "--yes", "--outputs-file", outputs];
    let r = xtask(&moto, &[&deploy[..], &["--method", "direct"]].concat(), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("coldchain-dev-Network: CREATE_COMPLETE"), "{}", r.out);
    assert!(r.out.contains("coldchain-dev-App: CREATE_COMPLETE"), "{}", r.out);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(outputs).unwrap()).unwrap();
    let repo = json["coldchain-dev-App"]["BackendRepositoryUri"].as_str().unwrap_or_default();
    assert!(repo.ends_with(".amazonaws.com/coldchain-dev-backend"), "{json}");

    let r = xtask(&moto, &deploy, &[]);
    assert!(r.ok, "{}", r.out);
    for stack in ["Network", "App"] {
        assert!(r.out.contains(&format!("coldchain-dev-{stack}: no changes")), "{}", r.out);
    }

    let r = xtask(&moto, &["destroy", "dev", "--assembly", assembly, "--stack", "App", "--yes"], &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("coldchain-dev-App: deleted"), "{}", r.out);
    println!("coldchain Network+App deploy -> no-op -> destroy on moto: {:.1}s", start.elapsed().as_secs_f64());
}
