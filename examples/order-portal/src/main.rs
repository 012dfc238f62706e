//! `cargo run -p order-portal -- synth --env prod` writes the templates to `cdk.out/`.

stackcraft::synth_allocator!();

fn main() -> std::process::ExitCode {
    stackcraft::cli::run("order-portal", order_portal::environments(), order_portal::build)
}
