//! Unit-level checks of the cost estimate.

use std::collections::BTreeMap;

use serde_json::json;
use stackcraft_review::cost::{estimate, Assumptions};
use stackcraft_review::{Snapshot, StackSnapshot};

fn snap(region: Option<&str>, resources: serde_json::Value) -> Snapshot {
    Snapshot {
        stacks: vec![StackSnapshot {
            id: "App".into(),
            stack_name: "app".into(),
            template: json!({ "Resources": resources }),
            termination_protection: false,
            tags: BTreeMap::new(),
            region: region.map(str::to_owned),
        }],
        paths: BTreeMap::new(),
    }
}

#[test]
fn fargate_service_with_spot_share_and_desired_count() {
    let s = snap(
        None,
        json!({
            "Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"Cpu": "1024", "Memory": "2048"}},
            "Svc": {"Type": "AWS::ECS::Service", "Properties": {"DesiredCount": 2, "TaskDefinition": {"Ref": "Task"},
                "CapacityProviderStrategy": [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}]}}
        }),
    );
    let e = estimate(&s, "us-east-1", &Assumptions::default());
    // 2 x (0.04048 + 2 x 0.004445) x 730 x (1 - 0.7) = 21.62
    assert!((e.total() - 21.62).abs() < 0.01, "{}", e.total());
    assert!(e.lines[0].detail.contains("100% on Spot"));
}

#[test]
fn unpriced_resources_are_listed_never_zero() {
    let s = snap(None, json!({"Q": {"Type": "AWS::SQS::Queue"}, "R": {"Type": "AWS::IAM::Role"}}));
    let e = estimate(&s, "us-east-1", &Assumptions::default());
    assert!(e.lines.is_empty());
    assert_eq!(e.not_estimated.len(), 1);
    assert_eq!(e.not_estimated[0].type_name, "AWS::SQS::Queue");
    let j = e.to_json();
    assert_eq!(j["currency"], "USD");
    assert_eq!(j["total_monthly"], 0.0);
    assert_eq!(j["not_estimated"][0]["path"], "App/Q");
    assert!(e.render().contains("Not estimated (not included in the total):\n  App/Q [AWS::SQS::Queue]"));
}

#[test]
fn unknown_region_and_instance_class_are_not_estimated() {
    let db = json!({"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBInstanceClass": "db.x99.huge"}}});
    let e = estimate(&snap(None, db.clone()), "us-east-1", &Assumptions::default());
    assert_eq!(e.not_estimated[0].reason, "no price for instance class \"db.x99.huge\"");
    let e = estimate(&snap(Some("sa-east-1"), db), "us-east-1", &Assumptions::default());
    assert!(e.not_estimated[0].reason.starts_with("no prices for region sa-east-1"));
}

#[test]
fn regions_differ_and_multi_az_doubles() {
    let db = |multi: bool| json!({"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBInstanceClass": "db.t3.medium", "MultiAZ": multi, "AllocatedStorage": "20"}}});
    let a = Assumptions::default();
    let single = estimate(&snap(Some("ap-northeast-2"), db(false)), "us-east-1", &a).total();
    let multi = estimate(&snap(Some("ap-northeast-2"), db(true)), "us-east-1", &a).total();
    assert!((multi - 2.0 * single).abs() < 1e-9);
    let us = estimate(&snap(None, db(false)), "us-east-1", &a).total();
    assert!(single > us);
}

#[test]
fn assumptions_override_from_json_and_bad_keys_name_the_allowed_ones() {
    let mut a = Assumptions::default();
    a.apply_json(r#"{"nat_gb": 100, "hours_per_month": 100}"#).expect("valid");
    let s = snap(None, json!({"Nat": {"Type": "AWS::EC2::NatGateway"}}));
    // 100 h x 0.045 + 100 GB x 0.045 = 9.00
    assert!((estimate(&s, "us-east-1", &a).total() - 9.0).abs() < 1e-9);
    let err = a.apply_json(r#"{"nat_gbs": 1}"#).unwrap_err().to_string();
    assert!(err.starts_with("unknown assumption \"nat_gbs\"; allowed: hours_per_month, nat_gb,"), "{err}");
    let err = a.apply_json(r#"{"nat_gb": -1}"#).unwrap_err();
    assert!(matches!(&err, stackcraft_review::cost::AssumptionError::NotANumber { key, .. } if key == "nat_gb"));
    let err = err.to_string();
    assert_eq!(err, "nat_gb: expected a non-negative number, got -1");
}
