//! `cargo xtask bench`: synthesize generated apps of about 200, 2,000 and
//! 20,000 resources (stacks of at most 500) in a release build, and print the
//! process wall time (spawn to exit, median of several runs) and peak RSS of
//! each; then the same for the order portal example (seed 001, ~200
//! resources in 3 stacks): `order-portal synth --env prod`. Measures;
//! asserts nothing.

use std::process::{Command, ExitCode};
use std::time::Instant;

use crate::workspace_root;

pub(crate) fn run(args: Vec<String>) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("usage: cargo xtask bench [--runs N] [SIZES...] [portal]\n\nDefault: sizes 200 2000 20000 and the portal; default runs: 5 (median reported).\n`portal` alone (or with sizes) picks what is measured.");
        return ExitCode::SUCCESS;
    }
    let mut runs = 5usize;
    let mut sizes: Vec<usize> = Vec::new();
    let mut portal = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--runs" {
            runs = it.next().and_then(|n| n.parse().ok()).unwrap_or(runs).max(1);
        } else if a == "portal" {
            portal = true;
        } else if let Ok(n) = a.parse() {
            sizes.push(n);
        }
    }
    if sizes.is_empty() && !portal {
        sizes = vec![200, 2_000, 20_000];
        portal = true;
    }
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let ok = Command::new(&cargo)
        .current_dir(&root)
        .args(["build", "--quiet", "--release", "-p", "stackcraft-bench-app", "-p", "order-portal"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("cannot build stackcraft-bench-app");
        return ExitCode::FAILURE;
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| root.join("target"));
    let bin = target.join("release/stackcraft-bench-app");
    let out = target.join("bench-out");
    if !sizes.is_empty() {
        println!(
            "{:>9} {:>7} {:>12} {:>12} {:>12} {:>14} {:>10}",
            "resources", "stacks", "wall ms", "synth ms", "write ms", "peak RSS MiB", "us/res"
        );
    }
    for size in sizes {
        let mut walls = Vec::new();
        let mut last = serde_json::Value::Null;
        for _ in 0..runs {
            let start = Instant::now();
            let o = match Command::new(&bin).arg(size.to_string()).arg(&out).output() {
                Ok(o) if o.status.success() => o,
                Ok(o) => {
                    eprintln!("bench app failed: {}", String::from_utf8_lossy(&o.stderr));
                    return ExitCode::FAILURE;
                }
                Err(e) => {
                    eprintln!("cannot run {}: {e}", bin.display());
                    return ExitCode::FAILURE;
                }
            };
            walls.push(start.elapsed().as_secs_f64() * 1e3);
            last = serde_json::from_slice(&o.stdout).unwrap_or_default();
        }
        walls.sort_by(f64::total_cmp);
        let wall = walls[walls.len() / 2];
        let n = last["resources"].as_f64().unwrap_or(0.0);
        println!(
            "{:>9} {:>7} {:>12.1} {:>12.1} {:>12.1} {:>14.1} {:>10.1}",
            n,
            last["stacks"],
            wall,
            last["synth_ms"].as_f64().unwrap_or(0.0),
            last["write_ms"].as_f64().unwrap_or(0.0),
            last["peak_rss_kib"].as_f64().unwrap_or(0.0) / 1024.0,
            wall * 1e3 / n.max(1.0),
        );
    }
    let _ = std::fs::remove_dir_all(&out);
    if portal {
        return bench_portal(&target.join("release/order-portal"), &target.join("bench-portal-out"), runs);
    }
    ExitCode::SUCCESS
}

/// Wall time (median of `runs`) and peak RSS (`/usr/bin/time -f %M`, one
/// more run) of `order-portal synth --env prod`, process spawn to exit.
fn bench_portal(bin: &std::path::Path, out: &std::path::Path, runs: usize) -> ExitCode {
    let args = ["synth", "--env", "prod", "-q", "--out"];
    let mut walls = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        match Command::new(bin).args(args).arg(out).output() {
            Ok(o) if o.status.success() => {}
            Ok(o) => {
                eprintln!("order-portal synth failed: {}", String::from_utf8_lossy(&o.stderr));
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("cannot run {}: {e}", bin.display());
                return ExitCode::FAILURE;
            }
        }
        walls.push(start.elapsed().as_secs_f64() * 1e3);
    }
    walls.sort_by(f64::total_cmp);
    let wall = walls[walls.len() / 2];
    let rss = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(bin)
        .args(args)
        .arg(out)
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stderr).lines().last().and_then(|l| l.trim().parse::<f64>().ok()));
    let resources: usize = std::fs::read_dir(out)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".template.json"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .map(|t| t["Resources"].as_object().map_or(0, |r| r.len()))
        .sum();
    println!(
        "order-portal synth --env prod: {resources} resources, wall {wall:.1} ms (median of {runs}), peak RSS {}",
        rss.map_or("n/a (no /usr/bin/time)".to_string(), |k| format!("{:.1} MiB", k / 1024.0))
    );
    let _ = std::fs::remove_dir_all(out);
    ExitCode::SUCCESS
}
