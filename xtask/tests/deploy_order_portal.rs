//! The order portal (seed 001) on the moto emulator: deploy dev → no-op →
//! destroy, through the real xtask binary.
//!
//! Only the Network stack: moto 5.2.5 cannot create a tagged
//! `AWS::KMS::Key` from CloudFormation (its KMS model reads CloudFormation
//! tags as `TagKey`/`TagValue`, raises `KeyError: 'TagKey'`, and the stack
//! then fails with "Fn::GetAtt references undefined resource <Key>"), and
//! every key of the Services and Frontend stacks carries the app's tags.
//! Those stacks are covered by cfn-lint, checkov and the spec test; deploy
//! them here once moto is fixed (or the pin moves); they import the
//! Network stack's exports, which moto registers only for
//! CreateStack/UpdateStack (`--method direct`).

mod support;

use std::time::Instant;

use support::{xtask, Moto};

#[test]
fn order_portal_dev_network_deploys_noops_and_destroys() {
    let Some(moto) = Moto::start() else { return };
    let start = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let outputs = tmp.path().join("outputs.json");
    let outputs = outputs.to_str().unwrap();
    let deploy = ["deploy", "dev", "--app", "order-portal", "--stack", "Network", "--yes", "--outputs-file", outputs];
    let r = xtask(&moto, &deploy, &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("order-portal-dev-Network: CREATE_COMPLETE"), "{}", r.out);
    assert!(!r.out.contains("order-portal-dev-Services"), "{}", r.out);

    let r = xtask(&moto, &deploy, &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("order-portal-dev-Network: no changes"), "{}", r.out);

    let r = xtask(&moto, &["destroy", "dev", "--app", "order-portal", "--stack", "Network", "--yes"], &[]);
    // moto 5.2.5 refuses to delete a VPC whose internet gateway, attachment
    // and routes it created (DependencyViolation, see external-tools.md);
    // everything else of the destroy path ran by then.
    let moto_vpc_quirk = r.out.contains("DeleteStack failed: DependencyViolation: The vpc");
    assert!(r.ok || moto_vpc_quirk, "{}", r.out);
    assert!(r.out.contains("order-portal-dev-Network: deleted") || moto_vpc_quirk, "{}", r.out);
    println!("order portal Network deploy -> no-op -> destroy on moto: {:.1}s", start.elapsed().as_secs_f64());
}
