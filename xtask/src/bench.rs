//! `cargo xtask bench`: synthesize generated apps of about 200, 2,000 and
//! 20,000 resources (stacks of at most 500) in a release build, and print the
//! process wall time (spawn to exit, median of several runs) and peak RSS of
//! each. Measures; asserts nothing.

use std::process::{Command, ExitCode};
use std::time::Instant;

use crate::workspace_root;

pub(crate) fn run(args: Vec<String>) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("usage: cargo xtask bench [--runs N] [SIZES...]\n\nDefault sizes: 200 2000 20000; default runs: 5 (median reported).");
        return ExitCode::SUCCESS;
    }
    let mut runs = 5usize;
    let mut sizes: Vec<usize> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--runs" {
            runs = it.next().and_then(|n| n.parse().ok()).unwrap_or(runs).max(1);
        } else if let Ok(n) = a.parse() {
            sizes.push(n);
        }
    }
    if sizes.is_empty() {
        sizes = vec![200, 2_000, 20_000];
    }
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let ok = Command::new(&cargo)
        .current_dir(&root)
        .args(["build", "--quiet", "--release", "-p", "stackcraft-bench-app"])
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
    println!(
        "{:>9} {:>7} {:>12} {:>12} {:>12} {:>14} {:>10}",
        "resources", "stacks", "wall ms", "synth ms", "write ms", "peak RSS MiB", "us/res"
    );
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
    ExitCode::SUCCESS
}
