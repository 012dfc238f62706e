//! The cost check against the seeds' own monthly figures: every example
//! present under `examples/` whose seed states a figure is estimated with
//! the default assumptions (or the example's `cost-assumptions.json`) and
//! must land within ±25% of it.
//!
//! Where a seed's figure is off, the reason (with the arithmetic) is in
//! `NOTES`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// (example directory, environment, the seed's stated monthly USD).
const SEED_FIGURES: &[(&str, &str, f64)] = &[
    // Seed "PyShop": dev ~$83, prod ~$215 (region not stated: us-east-1).
    ("pyshop-api", "dev", 83.0),
    ("pyshop-api", "prod", 215.0),
    // Seed "order portal": states $105-151, which is wrong (see NOTES); checked
    // against the seed's own line items corrected: $260.
    ("order-portal", "prod", 260.0),
    // Seed "cold chain": ~$463 in ap-northeast-2.
    ("coldchain", "prod", 463.0),
];

/// Where our estimate and the seed's figure differ, and why.
const NOTES: &[(&str, &str)] = &[
    (
        "pyshop-api",
        "the seed omits public IPv4 ($0.005/h x 730 h = $3.65 per address: 1 NAT EIP + 2 ALB addresses in dev = \
         $10.95, 2 + 2 in prod = $14.60), the customer-managed KMS keys (4 x $1) and the dashboard ($3); \
         dev: ~$83 + $10.95 + $4 + $3 = ~$101 (we estimate ~$100)",
    ),
    (
        "order-portal",
        "the seed's $105-151 cannot hold for its own table: 9 services at their stated sizes run 24/7 on \
         on-demand Fargate are 4.25 vCPU x $0.04048 x 730 h + 8.5 GB x $0.004445 x 730 h = $153.17 (the seed \
         says $40-80); its RDS line ($12) is the single-AZ price of db.t4g.micro while the seed runs Multi-AZ \
         ($27.96 with 20 GB gp3); its ALB line ($16) leaves out the LCU ($5.84) and the ALB's 2 public IPv4 \
         addresses ($7.30); it omits the NAT gateway's public IPv4 ($3.65) and 5 KMS keys ($5). Corrected: \
         $153.17 + $27.96 + $29.14 + $32 + $3.65 + CloudFront $3.50 + logs $3.50 + secrets $1 + KMS $5 + \
         hosted zone $0.50 = ~$260 (we estimate ~$269: the origin-verify secret and its key add $1.40; the \
         WAF web ACL is listed as not estimated)",
    ),
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn estimate(example: &str, env: &str) -> Result<f64, String> {
    let dir = workspace().join("examples").join(example);
    let package = std::fs::read_to_string(dir.join("Cargo.toml"))
        .ok()
        .and_then(|t| t.lines().find_map(|l| l.strip_prefix("name = ").map(|n| n.trim_matches('"').to_owned())))
        .ok_or("no package name")?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace()).args(["run", "-q", "-p", &package, "--", "cost", "--json", "--env", env]);
    let assumptions = dir.join("cost-assumptions.json");
    if assumptions.exists() {
        cmd.arg("--assumptions").arg(assumptions);
    }
    let out = cmd.output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    v["total_monthly"].as_f64().ok_or_else(|| "no total_monthly".into())
}

#[test]
fn every_present_example_lands_within_25_percent_of_its_seed_figure() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (example, env, figure) in SEED_FIGURES {
        if !workspace().join("examples").join(example).join("Cargo.toml").exists() {
            eprintln!("{example}: not present in this checkout, skipped");
            continue;
        }
        match estimate(example, env) {
            Ok(total) => {
                let ratio = total / figure;
                eprintln!(
                    "{example} {env}: estimate ${total:.2} vs seed ${figure:.2} ({:+.0}%)",
                    (ratio - 1.0) * 100.0
                );
                if !(0.75..=1.25).contains(&ratio) {
                    let note = NOTES.iter().find(|(e, _)| e == example).map_or("", |(_, n)| n);
                    failures.push(format!("{example} {env}: ${total:.2} vs ${figure:.2} {note}"));
                }
                checked += 1;
            }
            Err(e) => failures.push(format!("{example} {env}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(checked >= 2, "PyShop dev and prod are always present");
}
