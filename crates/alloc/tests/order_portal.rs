//! The order portal's own spec test (`examples/order-portal/tests/spec.rs`:
//! every seed fact in every environment, cfn-lint and checkov), run with
//! `SynthAllocator` installed as this test binary's global allocator, and a
//! check that a synth with it gives the same bytes twice over on threads.

#[global_allocator]
static ALLOC: stackcraft_alloc::SynthAllocator = stackcraft_alloc::SynthAllocator;

#[path = "../../../examples/order-portal/tests/spec.rs"]
mod spec;

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
