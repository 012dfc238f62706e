//! The `diff`, `cost` and `graph` subcommands of an app's command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};
use stackcraft_core::cli::{Extension, ExtensionContext};

use crate::diff::{self, FailOn};
use crate::Snapshot;

/// The review extension: install it with
/// `stackcraft_core::cli::run_with(name, envs, build, &[&Review])`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Review;

use crate::EXIT_FAIL_ON;

fn json_flag() -> Arg {
    Arg::new("json").long("json").action(ArgAction::SetTrue).help("Print JSON instead of text")
}

impl Extension for Review {
    fn commands(&self) -> Vec<Command> {
        vec![
            Command::new("diff")
                .about("Compare the app's assembly with an earlier one (no AWS call)")
                .arg(
                    Arg::new("against")
                        .long("against")
                        .value_name("DIR")
                        .required(true)
                        .help("The earlier cloud assembly directory (e.g. main's cdk.out)"),
                )
                .arg(json_flag())
                .arg(
                    Arg::new("fail-on")
                        .long("fail-on")
                        .value_name("KIND")
                        .action(ArgAction::Append)
                        .value_parser(["replacement", "stateful", "security", "any"])
                        .help("Exit with code 3 when this kind of change is present; repeatable"),
                ),
            Command::new("cost")
                .about("Estimate the monthly cost of the app's assembly (USD; shipped, dated price table)")
                .arg(json_flag())
                .arg(
                    Arg::new("region")
                        .long("region")
                        .value_name("REGION")
                        .help("Prices for stacks with no pinned region (default us-east-1)"),
                )
                .arg(
                    Arg::new("assumptions")
                        .long("assumptions")
                        .value_name("FILE")
                        .help("JSON file overriding usage assumptions (see the report's list)"),
                )
                .arg(
                    Arg::new("diff-against")
                        .long("diff-against")
                        .value_name("DIR")
                        .help("Also estimate this earlier assembly and print the monthly delta"),
                ),
            crate::graph::command(),
        ]
    }

    fn run(&self, ctx: &ExtensionContext<'_>, name: &str, m: &ArgMatches) -> ExitCode {
        match name {
            "diff" => run_diff(ctx, m),
            "cost" => run_cost(ctx, m),
            "graph" => crate::graph::run(ctx, m),
            _ => ExitCode::from(2),
        }
    }
}

pub(crate) fn emit(text: &str) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            ExitCode::from(1)
        }
    }
}

pub(crate) fn fail(msg: &str) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

fn run_diff(ctx: &ExtensionContext<'_>, m: &ArgMatches) -> ExitCode {
    let dir = PathBuf::from(m.get_one::<String>("against").map_or("", String::as_str));
    let old = match Snapshot::read_dir(&dir) {
        Ok(s) => s,
        Err(e) => return fail(&format!("--against {e}")),
    };
    let new = Snapshot::from_assembly(ctx.assembly);
    let report = diff::diff(&old, &new);
    let text = if m.get_flag("json") { pretty(&report.to_json()) } else { report.render() };
    let code = emit(&text);
    let tripped =
        m.get_many::<String>("fail-on").into_iter().flatten().filter_map(|k| FailOn::parse(k)).any(|k| report.fails(k));
    if tripped {
        return ExitCode::from(EXIT_FAIL_ON);
    }
    code
}

fn run_cost(ctx: &ExtensionContext<'_>, m: &ArgMatches) -> ExitCode {
    let region = m.get_one::<String>("region").map_or("us-east-1", String::as_str);
    let mut assumptions = crate::cost::Assumptions::default();
    if let Some(path) = m.get_one::<String>("assumptions") {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return fail(&format!("--assumptions cannot read {path}: {e}")),
        };
        if let Err(e) = assumptions.apply_json(&text) {
            return fail(&format!("--assumptions {path}: {e}"));
        }
    }
    let new = crate::cost::estimate(&Snapshot::from_assembly(ctx.assembly), region, &assumptions);
    let old = match m.get_one::<String>("diff-against") {
        Some(dir) => match Snapshot::read_dir(std::path::Path::new(dir)) {
            Ok(s) => Some(crate::cost::estimate(&s, region, &assumptions)),
            Err(e) => return fail(&format!("--diff-against {e}")),
        },
        None => None,
    };
    if m.get_flag("json") {
        let mut j = new.to_json();
        if let (Some(old), Some(obj)) = (&old, j.as_object_mut()) {
            let round = |x: f64| (x * 100.0).round() / 100.0;
            obj.insert("previous_total_monthly".into(), serde_json::json!(round(old.total())));
            obj.insert("delta_monthly".into(), serde_json::json!(round(new.total() - old.total())));
        }
        return emit(&pretty(&j));
    }
    let mut text = new.render();
    if let Some(old) = old {
        let delta = new.total() - old.total();
        text = format!(
            "Monthly delta: {}{:.2} USD ({:.2} -> {:.2})\n\n{text}",
            if delta >= 0.0 { "+$" } else { "-$" },
            delta.abs(),
            old.total(),
            new.total()
        );
    }
    emit(&text)
}
