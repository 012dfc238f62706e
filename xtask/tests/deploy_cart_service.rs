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
//! Production is not deployed here: its HTTPS listener validates a
//! certificate in an existing hosted zone, which moto cannot have under the
//! configured id. That the prod table is retained (`DeletionPolicy: Retain`,
//! deletion protection) is asserted on the template in the example's spec.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use support::{xtask, Moto};

/// `DynamoDB_20120810.<op>` against moto (which does not check signatures), in
/// eu-central-1 where every cart environment is pinned.
fn dynamodb(moto: &Moto, op: &str, body: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", moto.port)).unwrap();
    let req = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Amz-Target: DynamoDB_20120810.{op}\r\n\
         Content-Type: application/x-amz-json-1.0\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/eu-central-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        moto.port,
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn table_names(moto: &Moto) -> Vec<String> {
    let resp = dynamodb(moto, "ListTables", "{}");
    let body = resp.split("\r\n\r\n").nth(1).unwrap_or("");
    let json: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {resp}"));
    json["TableNames"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect()
}

#[test]
fn cart_service_dev_deploys_noops_and_destroys() {
    let Some(moto) = Moto::start() else { return };
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
