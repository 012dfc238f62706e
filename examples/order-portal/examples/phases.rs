//! Per-phase timing of `synth --env prod` in one process (CPU work only, no
//! process start): build the graph, synthesize (resolve + render +
//! validate), write the assembly. `cargo run --release -p order-portal
//! --example phases [RUNS] [OUT_DIR]` prints the median of each phase.

use std::time::Instant;

use stackcraft::prelude::App;

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50).max(1);
    let out = args.next().unwrap_or_else(|| std::env::temp_dir().join("order-portal-phases").display().to_string());
    let envs = order_portal::environments();
    let Ok(env) = envs.get("prod") else { return };
    let (mut build, mut synth, mut write) = (Vec::new(), Vec::new(), Vec::new());
    let mut resources = 0;
    for _ in 0..runs {
        let t0 = Instant::now();
        let app = App::new("order-portal");
        app.set_environment(&env.name, env.production);
        order_portal::build(&app, env);
        let t1 = Instant::now();
        let Ok(assembly) = app.synth() else {
            eprintln!("synth failed");
            return;
        };
        let t2 = Instant::now();
        if let Err(e) = assembly.write(std::path::Path::new(&out)) {
            eprintln!("cannot write {out}: {e}");
            return;
        }
        let t3 = Instant::now();
        resources = assembly.stacks.iter().map(|s| s.template["Resources"].as_object().map_or(0, |r| r.len())).sum();
        build.push((t1 - t0).as_secs_f64() * 1e3);
        synth.push((t2 - t1).as_secs_f64() * 1e3);
        write.push((t3 - t2).as_secs_f64() * 1e3);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let (b, s, w) = (median(&mut build), median(&mut synth), median(&mut write));
    println!(
        "{resources} resources, median of {runs}: build graph {b:.2} ms, synth (resolve+render+validate) {s:.2} ms, write {w:.2} ms, total {:.2} ms",
        b + s + w
    );
    let _ = std::fs::remove_dir_all(&out);
}
