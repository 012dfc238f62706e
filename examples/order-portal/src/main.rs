//! `cargo run -p order-portal -- synth --env prod` writes the templates to `cdk.out/`.

#[global_allocator]
static ALLOC: stackcraft::SynthAllocator = stackcraft::SynthAllocator;

fn main() -> std::process::ExitCode {
    stackcraft::cli::run("order-portal", order_portal::environments(), order_portal::build)
}
