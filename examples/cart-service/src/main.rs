//! `cargo run -p cart-service -- synth --env dev` writes the templates to `cdk.out/`.

stackcraft::synth_allocator!();

fn main() -> std::process::ExitCode {
    stackcraft::cli::run("cart", cart_service::environments(), cart_service::build)
}
