//! `cargo run -p pyshop-api -- synth --env dev` writes the templates to `cdk.out/`.

#[global_allocator]
static ALLOC: stackcraft::SynthAllocator = stackcraft::SynthAllocator;

fn main() -> std::process::ExitCode {
    stackcraft::cli::run("pyshop", pyshop_api::environments(), pyshop_api::build)
}
