//! The CLI extension point: an extension's subcommand gets `--env` and
//! `--config`, the built app and its synthesized assembly, and decides the
//! exit code; synth errors and unknown environments are handled by core.

use std::cell::RefCell;
use std::process::ExitCode;

use serde_json::json;
use stackcraft_core::cli::{run_from_with, Extension, ExtensionContext};
use stackcraft_core::{Environments, RawResource};

struct Count(RefCell<Vec<String>>);

impl Extension for Count {
    fn commands(&self) -> Vec<clap::Command> {
        vec![clap::Command::new("count").about("count the stacks")]
    }
    fn run(&self, ctx: &ExtensionContext<'_>, name: &str, _m: &clap::ArgMatches) -> ExitCode {
        self.0.borrow_mut().push(format!(
            "{name} {} {} {} {}",
            ctx.app_name,
            ctx.environment,
            ctx.production,
            ctx.assembly.stacks.len()
        ));
        ExitCode::from(7)
    }
}

fn envs() -> Environments<u32> {
    Environments::new().env("dev", 1u32).production("prod", 2u32)
}

#[test]
fn an_extension_subcommand_receives_the_synthesized_assembly() {
    let ext = Count(RefCell::new(Vec::new()));
    let build = |app: &stackcraft_core::App, _: &stackcraft_core::Environment<u32>| {
        app.stack("A").add_raw("Q", RawResource::new("AWS::SQS::Queue", json!({})));
    };
    let code = run_from_with("demo", envs(), build, &[&ext], ["demo", "count", "--env", "prod"]);
    assert_eq!(code, ExitCode::from(7));
    assert_eq!(ext.0.borrow().as_slice(), ["count demo prod true 1"]);
    // Core's own commands still work, and an unknown environment is a usage error.
    assert_eq!(run_from_with("demo", envs(), build, &[&ext], ["demo", "envs"]), ExitCode::SUCCESS);
    assert_eq!(run_from_with("demo", envs(), build, &[&ext], ["demo", "count", "--env", "qa"]), ExitCode::from(2));
    assert_eq!(ext.0.borrow().len(), 1);
}

#[test]
fn synth_errors_stop_before_the_extension() {
    let ext = Count(RefCell::new(Vec::new()));
    // Two resources with the same id in one stack: a synth error.
    let build = |app: &stackcraft_core::App, _: &stackcraft_core::Environment<u32>| {
        let s = app.stack("A");
        s.add_raw("Q", RawResource::new("AWS::SQS::Queue", json!({})));
        s.add_raw("Q", RawResource::new("AWS::SQS::Queue", json!({})));
    };
    let code = run_from_with("demo", envs(), build, &[&ext], ["demo", "count"]);
    assert_eq!(code, ExitCode::from(1));
    assert!(ext.0.borrow().is_empty());
}
