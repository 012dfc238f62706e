//! The cost of the default pack on a synthesized assembly (issue 16 budget:
//! ≤ 1 ms on PyShop prod). Run on demand, in release:
//!
//! ```text
//! cargo build --release -p pyshop-api
//! target/release/pyshop-api synth --env prod -q --out /tmp/pyshop-prod
//! STACKCRAFT_BENCH_ASSEMBLY=/tmp/pyshop-prod cargo test --release -p stackcraft-policy --test cost -- --ignored --nocapture
//! ```

use std::collections::BTreeMap;
use std::time::Instant;

use stackcraft_core::serde_json::{self, Value as Json};
use stackcraft_core::{StackArtifact, ValidationInput, Validator};

#[test]
#[ignore = "measurement: needs STACKCRAFT_BENCH_ASSEMBLY and a release build"]
fn default_pack_cost_on_an_assembly() {
    let Some(dir) = std::env::var_os("STACKCRAFT_BENCH_ASSEMBLY") else { return };
    let dir = std::path::PathBuf::from(dir);
    let manifest: Json = serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let mut stacks = Vec::new();
    for (id, a) in manifest["artifacts"].as_object().unwrap() {
        if a["type"] != "aws:cloudformation:stack" {
            continue;
        }
        let file = a["properties"]["templateFile"].as_str().unwrap();
        let template: Json = serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        stacks.push(StackArtifact {
            id: id.clone(),
            stack_name: id.clone(),
            template,
            dependencies: vec![],
            termination_protection: true,
            tags: BTreeMap::new(),
            account: None,
            region: None,
            shared: false,
        });
    }
    // Construct paths as synth passes them (one per resource).
    let paths: BTreeMap<(String, String), String> = stacks
        .iter()
        .flat_map(|s| {
            s.template["Resources"]
                .as_object()
                .unwrap()
                .keys()
                .map(|k| ((s.id.clone(), k.clone()), format!("{}/{k}", s.id)))
        })
        .collect();
    let resources = paths.len();
    let v = stackcraft_policy::Policy::default().into_validator();
    let run = |stacks: &mut Vec<StackArtifact>| {
        let mut reports = BTreeMap::new();
        let mut input = ValidationInput {
            stacks,
            environment: Some("prod"),
            production: true,
            paths: &paths,
            acknowledgements: &[],
            reports: &mut reports,
        };
        v.validate(&mut input).len()
    };
    for _ in 0..50 {
        run(&mut stacks);
    }
    let n = 1000;
    let mut times: Vec<f64> = (0..n)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(run(&mut stacks));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    eprintln!(
        "default pack on {resources} resources: median {:.3} ms, p90 {:.3} ms, min {:.3} ms ({n} runs)",
        times[n / 2],
        times[n * 9 / 10],
        times[0]
    );
}
