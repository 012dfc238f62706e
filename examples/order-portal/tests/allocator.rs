//! The order portal synthesized with `stackcraft::SynthAllocator` installed
//! as this test binary's global allocator: the same bytes on every thread
//! (threads free each other's blocks into their own lists).

#[global_allocator]
static ALLOC: stackcraft::SynthAllocator = stackcraft::SynthAllocator;

fn prod_templates() -> Vec<(String, String)> {
    let envs = order_portal::environments();
    let env = envs.get("prod").expect("prod environment");
    let a =
        stackcraft::core::cli::synth_env("order-portal", env, order_portal::build).unwrap_or_else(|e| panic!("{e}"));
    a.stacks.iter().map(|s| (s.id.clone(), serde_json::to_string_pretty(&s.template).expect("JSON"))).collect()
}

#[test]
fn synth_on_many_threads_gives_identical_templates() {
    let first = prod_templates();
    assert!(first.len() >= 3, "{} stacks", first.len());
    let handles: Vec<_> = (0..4).map(|_| std::thread::spawn(prod_templates)).collect();
    for h in handles {
        assert!(h.join().expect("thread") == first, "templates differ between runs");
    }
}
