//! `cargo run -p pyshop-api -- synth --env dev` writes the templates to `cdk.out/`.

stackcraft::synth_allocator!();

fn main() -> std::process::ExitCode {
    stackcraft::cli::run("pyshop", pyshop_api::environments(), pyshop_api::build)
}
