//! `cargo run -p cart-service -- synth --env dev` writes the templates to `cdk.out/`.

#[global_allocator]
static ALLOC: stackcraft::SynthAllocator = stackcraft::SynthAllocator;

fn main() -> std::process::ExitCode {
    stackcraft::cli::run("cart", cart_service::environments(), cart_service::build)
}
