//! `examples/cart-service` on the emulator: deploy dev → no-op → destroy
//! (Cart and Registry; see below for Network),
//! through the real xtask binary against a moto server (pinned 5.2.5).
//!
//! moto models VPC, ECS, ELBv2, DynamoDB, SQS, SNS, EventBridge, IAM and ECR;
//! it skips Application Auto Scaling and CloudWatch alarms silently (see
//! `external-tools.md`). The Cart stack imports from Network and Registry, and
//! moto only registers exports for direct CreateStack/UpdateStack, so this
//! is created with `--method direct`; the no-op deploy uses change sets.
//!
//! Production (`cart_service_prod_table_survives_destroy`): its HTTPS
//! listener validates a certificate in an existing hosted zone named by id in
//! the prod config. The test creates that zone in moto, synthesizes prod with
//! the same config but moto's zone id (`synth --config`), deploys Registry,
//! Network and Cart, destroys Cart with `--force-production`, and reads the
//! table through moto's DynamoDB API: `DeletionPolicy: Retain` kept it.
//! The moto fixes this needs (ACM certificates, the ALB's
//! CanonicalHostedZoneID, tagged KMS keys, UpdateTerminationProtection) are
//! in `crates/testing/EMULATOR.md`.

mod support;

use std::time::Instant;

use support::{xtask, Moto};

/// The DynamoDB tables in eu-central-1, where every cart environment is pinned.
fn table_names(moto: &Moto) -> Vec<String> {
    let body = moto.json_call("dynamodb", "eu-central-1", "DynamoDB_20120810.ListTables", "{}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    json["TableNames"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect()
}

#[test]
fn cart_service_dev_deploys_noops_and_destroys() {
    let Some(moto) = Moto::moto() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let outputs = tmp.path().join("outputs.json");
    let outputs = outputs.to_str().unwrap();
    let start = Instant::now();
    let deploy = [
        "deploy",
        "dev",
        "--app",
        "cart-service",
        "--yes",
        "--include-shared",
        "--method",
        "direct",
        "--outputs-file",
        outputs,
    ];

    let r = xtask(&moto, &deploy, &[]);
    assert!(r.ok, "{}", r.out);
    // The registry is shared by all environments: deployed once, under its own name.
    for stack in ["cart-Registry", "cart-dev-Network", "cart-dev-Cart"] {
        assert!(r.out.contains(&format!("{stack}: CREATE_COMPLETE")), "{}", r.out);
    }
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(outputs).unwrap()).unwrap();
    assert!(json["cart-dev-Cart"]["AlbDnsName"].is_string(), "{json}");
    assert!(json["cart-dev-Cart"]["DynamodbTableName"].is_string(), "{json}");
    assert!(json["cart-Registry"]["EcrRepositoryUrl"].as_str().unwrap().ends_with("ecommerce-cart-service"), "{json}");
    let table = json["cart-dev-Cart"]["DynamodbTableName"].as_str().unwrap().to_string();
    assert!(table_names(&moto).contains(&table), "the table exists after deploy");

    // No-op: through change sets (a direct UpdateStack cannot tell "no changes" on moto).
    let r = xtask(&moto, &["deploy", "dev", "--app", "cart-service", "--yes", "--outputs-file", outputs], &[]);
    assert!(r.ok, "{}", r.out);
    for stack in ["Network", "Cart"] {
        assert!(r.out.contains(&format!("cart-dev-{stack}: no changes")), "{}", r.out);
    }

    // Network is left alone: moto 5.2.5 refuses to delete a VPC with an
    // internet gateway attachment and routes (DependencyViolation), see
    // external-tools.md. The shared registry outlives any one environment.
    let destroy = ["destroy", "dev", "--app", "cart-service", "--yes", "--stack", "Cart"];
    let r = xtask(&moto, &destroy, &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("cart-dev-Cart: deleted"), "{}", r.out);
    // Dev tables are not retained (DeletionPolicy Delete outside production).
    assert!(!table_names(&moto).contains(&table), "dev table deleted with its stack");
    println!("cart-service dev deploy -> no-op -> destroy on moto: {:.1}s", start.elapsed().as_secs_f64());
}

#[test]
fn cart_service_prod_table_survives_destroy() {
    let Some(moto) = Moto::moto() else { return };
    let start = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    // The prod config names its hosted zone by id; moto picks its own ids, so
    // synthesize prod with the zone moto created (everything else unchanged).
    let zone = moto.create_hosted_zone("shop.example.com");
    let config = support::app("cart-service", &["config", "--env", "prod"]);
    assert!(config.contains("Z0PROD000000000"), "{config}");
    let config_file = tmp.path().join("prod.json");
    std::fs::write(&config_file, config.replace("Z0PROD000000000", &zone)).unwrap();
    let assembly = tmp.path().join("cdk.out");
    let (config_file, assembly) = (config_file.to_str().unwrap(), assembly.to_str().unwrap());
    support::app("cart-service", &["synth", "--env", "prod", "--config", config_file, "--out", assembly, "--quiet"]);

    let deploy = ["deploy", "prod", "--assembly", assembly, "--yes", "--include-shared", "--method", "direct"];
    let r = xtask(&moto, &deploy, &[]);
    assert!(r.ok, "{}", r.out);
    for stack in ["cart-Registry", "cart-prod-Network", "cart-prod-Cart"] {
        assert!(r.out.contains(&format!("{stack}: CREATE_COMPLETE")), "{}", r.out);
    }
    let tables = table_names(&moto);
    let table = tables.iter().find(|t| t.starts_with("cart-prod-Cart-Carts")).unwrap_or_else(|| panic!("{tables:?}"));

    // Production: refused without --force-production, which lifts termination protection.
    let destroy = ["destroy", "prod", "--assembly", assembly, "--yes", "--stack", "Cart"];
    let r = xtask(&moto, &destroy, &[]);
    assert!(!r.ok && r.out.contains("--force-production"), "{}", r.out);
    let r = xtask(&moto, &[&destroy[..], &["--force-production"]].concat(), &[]);
    assert!(r.ok, "{}", r.out);
    assert!(r.out.contains("cart-prod-Cart: deleted"), "{}", r.out);
    // The stack is gone, the table (DeletionPolicy Retain) is still there.
    assert!(table_names(&moto).contains(table), "prod table retained after destroy");
    println!("cart-service prod deploy -> destroy (table retained) on moto: {:.1}s", start.elapsed().as_secs_f64());
}
