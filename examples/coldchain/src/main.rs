//! `cargo run -p coldchain -- synth --env dev` writes the templates to `cdk.out/`.

stackcraft::synth_allocator!();

fn main() -> std::process::ExitCode {
    stackcraft::cli::run("coldchain", coldchain::environments(), coldchain::build)
}
