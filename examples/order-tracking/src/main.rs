//! `cargo run -p order-tracking -- synth --env dev` writes the templates to `cdk.out/`.

#[global_allocator]
static ALLOC: stackcraft::SynthAllocator = stackcraft::SynthAllocator;

fn main() -> std::process::ExitCode {
    stackcraft::cli::run("order-tracking", order_tracking::environments(), order_tracking::build)
}
