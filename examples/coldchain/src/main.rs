//! `cargo run -p coldchain -- synth --env dev` writes the templates to `cdk.out/`.

#[global_allocator]
static ALLOC: stackcraft::SynthAllocator = stackcraft::SynthAllocator;

fn main() -> std::process::ExitCode {
    stackcraft::cli::run("coldchain", coldchain::environments(), coldchain::build)
}
