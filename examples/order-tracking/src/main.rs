//! `cargo run -p order-tracking -- synth --env dev` writes the templates to `cdk.out/`.

stackcraft::synth_allocator!();

fn main() -> std::process::ExitCode {
    stackcraft::cli::run("order-tracking", order_tracking::environments(), order_tracking::build)
}
