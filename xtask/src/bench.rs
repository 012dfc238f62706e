//! `cargo xtask bench`: synthesize generated apps of about 200, 2,000 and
//! 20,000 resources (stacks of at most 500) in a release build, and print the
//! process wall time (spawn to exit, median of several runs) and peak RSS of
//! each; then the same for the order portal example (seed 001, ~200
//! resources in 3 stacks): `order-portal synth --env prod`; then the cost
//! of synth-time schema validation on the PyShop example (`validation`, see
//! [`bench_validation`]). Measures; asserts nothing.

use std::process::{Command, ExitCode};
use std::time::Instant;

use crate::workspace_root;

pub(crate) fn run(args: Vec<String>) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("usage: cargo xtask bench [--runs N] [SIZES...] [portal] [validation]\n\nDefault: sizes 200 2000 20000, the portal and validation; default runs: 5 (median reported; validation: at least 21).\n`portal`, `validation` or sizes pick what is measured.");
        return ExitCode::SUCCESS;
    }
    let mut runs = 5usize;
    let mut sizes: Vec<usize> = Vec::new();
    let mut portal = false;
    let mut validation = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--runs" {
            runs = it.next().and_then(|n| n.parse().ok()).unwrap_or(runs).max(1);
        } else if a == "portal" {
            portal = true;
        } else if a == "validation" {
            validation = true;
        } else if let Ok(n) = a.parse() {
            sizes.push(n);
        }
    }
    if sizes.is_empty() && !portal && !validation {
        sizes = vec![200, 2_000, 20_000];
        portal = true;
        validation = true;
    }
    let root = workspace_root();
    if sizes.is_empty() && !portal {
        return bench_validation(&root, runs);
    }
    let Some(target) = release_build(&root, &["stackcraft-bench-app", "order-portal"]) else {
        return ExitCode::FAILURE;
    };
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
        let phases: Vec<String> = last["phases"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| format!("{} {:.3}", p[0].as_str().unwrap_or("?"), p[1].as_f64().unwrap_or(0.0)))
            .collect();
        if !phases.is_empty() {
            println!("          phases (ms, last run): {}", phases.join(", "));
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    if portal {
        let code = bench_portal(&target.join("release/order-portal"), &target.join("bench-portal-out"), runs);
        if code != ExitCode::SUCCESS || !validation {
            return code;
        }
    }
    if validation {
        return bench_validation(&root, runs);
    }
    ExitCode::SUCCESS
}

/// Build `packages` in release (quietly) and return the target directory
/// (`$CARGO_TARGET_DIR` or `target`; the binaries are in its `release/`);
/// `None` (after saying so) when the build fails.
fn release_build(root: &std::path::Path, packages: &[&str]) -> Option<std::path::PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(root).args(["build", "--quiet", "--release"]);
    for p in packages {
        cmd.args(["-p", p]);
    }
    if !cmd.status().is_ok_and(|s| s.success()) {
        eprintln!("cannot build {}", packages.join(", "));
        return None;
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| root.join("target"));
    Some(target)
}

/// The cost of synth-time schema validation: `pyshop-api synth --env prod`
/// (release build) run `runs` times (at least 21) with validation and as
/// many times without it, alternating, each run timed in-process by
/// `STACKCRAFT_TIMINGS=1` (the sum of the synth phases, build to write).
/// "Without" is the same binary with `STACKCRAFT_BENCH_NO_SCHEMA=1` (and
/// "with" `=0`), a
/// measurement switch read only by `stackcraft_cfn::schema::validate`
/// (it then returns at once; nothing else changes). Prints the medians,
/// their ratio (budget: ≤ 1.10), the same without the `write` phase (disk
/// I/O), the median of the `schema` phase itself, and (when valgrind is
/// installed) the instructions of one run each way under callgrind.
fn bench_validation(root: &std::path::Path, runs: usize) -> ExitCode {
    let runs = runs.max(21);
    let Some(target) = release_build(root, &["pyshop-api"]) else {
        return ExitCode::FAILURE;
    };
    let bin = target.join("release/pyshop-api");
    let out = target.join("bench-validation-out");
    // (total, total without write, schema phase) per run, with and without validation.
    let mut with: Vec<[f64; 3]> = Vec::new();
    let mut without: Vec<[f64; 3]> = Vec::new();
    for i in 0..runs * 2 {
        let skip = i % 2 == 1;
        let mut cmd = Command::new(&bin);
        cmd.args(["synth", "--env", "prod", "-q", "--out"]).arg(&out).env("STACKCRAFT_TIMINGS", "1");
        // Set both ways ("0": validation on), so both runs see an environment
        // of the same size (its size shifts the stack and skews timings).
        cmd.env("STACKCRAFT_BENCH_NO_SCHEMA", if skip { "1" } else { "0" });
        let o = match cmd.output() {
            Ok(o) if o.status.success() => o,
            Ok(o) => {
                eprintln!("pyshop-api synth failed: {}", String::from_utf8_lossy(&o.stderr));
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("cannot run {}: {e}", bin.display());
                return ExitCode::FAILURE;
            }
        };
        let err = String::from_utf8_lossy(&o.stderr);
        let Some(line) = err.lines().find_map(|l| l.strip_prefix("timings: ")) else {
            eprintln!("pyshop-api printed no timings line");
            return ExitCode::FAILURE;
        };
        let phase = |name: &str| {
            line.split(", ")
                .filter_map(|p| p.strip_suffix(" ms").and_then(|p| p.rsplit_once(' ')))
                .find(|(n, _)| *n == name)
                .and_then(|(_, ms)| ms.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        let total = phase("total");
        let row = [total, total - phase("write"), phase("schema")];
        if skip {
            without.push(row);
        } else {
            with.push(row);
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    let med = |rows: &[[f64; 3]], k: usize| {
        let mut v: Vec<f64> = rows.iter().map(|r| r[k]).collect();
        median(&mut v).unwrap_or(0.0)
    };
    let (t_with, t_without) = (med(&with, 0), med(&without, 0));
    let (s_with, s_without) = (med(&with, 1), med(&without, 1));
    println!(
        "pyshop-api synth --env prod, validation cost (in-process STACKCRAFT_TIMINGS totals, medians of {runs} runs each, alternating):"
    );
    println!(
        "  with validation {t_with:.3} ms, without {t_without:.3} ms, ratio {:.3} (budget 1.10)",
        t_with / t_without.max(1e-9)
    );
    println!(
        "  without the write phase: with {s_with:.3} ms, without {s_without:.3} ms, ratio {:.3}",
        s_with / s_without.max(1e-9)
    );
    println!("  schema phase (with validation): {:.3} ms", med(&with, 2));
    // Instructions (deterministic, whole process) when valgrind is installed.
    let instructions = |skip: &str| -> Option<f64> {
        let o = Command::new("valgrind")
            .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(&bin)
            .args(["synth", "--env", "prod", "-q", "--out"])
            .arg(&out)
            .env("STACKCRAFT_BENCH_NO_SCHEMA", skip)
            .output()
            .ok()?;
        let err = String::from_utf8_lossy(&o.stderr);
        let n = err.lines().find_map(|l| l.split_once("Collected :").map(|(_, n)| n.trim().to_owned()))?;
        n.parse().ok()
    };
    if let (Some(w), Some(wo)) = (instructions("0"), instructions("1")) {
        println!(
            "  instructions (callgrind, whole process): with {:.2} M, without {:.2} M, ratio {:.3}",
            w / 1e6,
            wo / 1e6,
            w / wo.max(1.0)
        );
    }
    let _ = std::fs::remove_dir_all(&out);
    ExitCode::SUCCESS
}

/// Wall time, user+sys CPU time and peak RSS (medians of `runs`, measured
/// by `/usr/bin/time -f "%e %U %S %M"` where it exists, else wall time by
/// the clock) of `order-portal synth --env prod`, process spawn to exit; and
/// the per-phase durations the app prints with `STACKCRAFT_TIMINGS=1`
/// (medians of each phase).
fn bench_portal(bin: &std::path::Path, out: &std::path::Path, runs: usize) -> ExitCode {
    let args = ["synth", "--env", "prod", "-q", "--out"];
    let time = std::path::Path::new("/usr/bin/time").exists();
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    let mut rsss = Vec::new();
    let mut phases: Vec<(String, Vec<f64>)> = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let mut cmd = if time {
            let mut c = Command::new("/usr/bin/time");
            c.args(["-f", "%e %U %S %M"]).arg(bin);
            c
        } else {
            Command::new(bin)
        };
        match cmd.args(args).arg(out).env("STACKCRAFT_TIMINGS", "1").output() {
            Ok(o) if o.status.success() => {
                walls.push(start.elapsed().as_secs_f64() * 1e3);
                let err = String::from_utf8_lossy(&o.stderr);
                let mut lines = err.lines().rev();
                if time {
                    let f: Vec<f64> =
                        lines.next().unwrap_or_default().split_whitespace().filter_map(|x| x.parse().ok()).collect();
                    if let [_, user, sys, rss] = f[..] {
                        cpus.push((user + sys) * 1e3);
                        rsss.push(rss / 1024.0);
                    }
                }
                for l in err.lines().filter_map(|l| l.strip_prefix("timings: ")) {
                    for part in l.split(", ") {
                        let Some((name, ms)) = part.strip_suffix(" ms").and_then(|p| p.rsplit_once(' ')) else {
                            continue;
                        };
                        let Ok(ms) = ms.parse::<f64>() else { continue };
                        match phases.iter_mut().find(|(n, _)| n == name) {
                            Some((_, v)) => v.push(ms),
                            None => phases.push((name.to_owned(), vec![ms])),
                        }
                    }
                }
            }
            Ok(o) => {
                eprintln!("order-portal synth failed: {}", String::from_utf8_lossy(&o.stderr));
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("cannot run {}: {e}", bin.display());
                return ExitCode::FAILURE;
            }
        }
    }
    let wall = median(&mut walls).unwrap_or(0.0);
    let resources: usize = std::fs::read_dir(out)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".template.json"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .map(|t| t["Resources"].as_object().map_or(0, |r| r.len()))
        .sum();
    let (cpu, rss) = (median(&mut cpus), median(&mut rsss));
    // Wall times mean little on a busy machine: say how busy it was.
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "n/a".to_owned());
    println!(
        "order-portal synth --env prod: {resources} resources, wall {wall:.1} ms, user+sys {} (1/100 s resolution), peak RSS {} (medians of {runs}; wall includes /usr/bin/time; load average {load})",
        cpu.map_or("n/a".to_string(), |c| format!("{c:.0} ms")),
        rss.map_or("n/a (no /usr/bin/time)".to_string(), |k| format!("{k:.1} MiB"))
    );
    if !phases.is_empty() {
        let line: Vec<String> =
            phases.iter_mut().map(|(n, v)| format!("{n} {:.3}", median(v).unwrap_or(0.0))).collect();
        println!("  phases (ms, in-process, STACKCRAFT_TIMINGS=1): {}", line.join(", "));
    }
    let _ = std::fs::remove_dir_all(out);
    ExitCode::SUCCESS
}

/// The median of `v` (sorts it); `None` when empty.
fn median(v: &mut [f64]) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}
