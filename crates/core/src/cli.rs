//! The command line of a user's app: `cargo run -- synth [--env dev]`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::env::{config_json, config_schema, Environment, Environments};
use crate::graph::App;
use crate::synth::Assembly;

fn env_arg() -> Arg {
    Arg::new("env")
        .long("env")
        .short('e')
        .value_name("NAME")
        .help("Environment to synthesize (default: the first declared)")
}

fn config_arg() -> Arg {
    Arg::new("config")
        .long("config")
        .value_name("FILE")
        .help("Read the environment's config from this JSON file instead of the code")
}

fn command(name: &str) -> Command {
    Command::new(name.to_owned())
        .about("A stackcraft app: synthesizes CloudFormation templates into a cloud assembly")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("synth")
                .about("Synthesize the app into a cloud assembly directory")
                .arg(env_arg())
                .arg(config_arg())
                .arg(
                    Arg::new("out")
                        .long("out")
                        .short('o')
                        .value_name("DIR")
                        .default_value("cdk.out")
                        .help("Output directory"),
                )
                .arg(
                    Arg::new("stack")
                        .long("stack")
                        .short('s')
                        .value_name("NAME")
                        .action(ArgAction::Append)
                        .help("Only this stack (and the stacks it depends on); repeatable"),
                )
                .arg(
                    Arg::new("quiet")
                        .long("quiet")
                        .short('q')
                        .action(ArgAction::SetTrue)
                        .help("Print nothing on success but unacknowledged warnings"),
                )
                .arg(
                    Arg::new("audit")
                        .long("audit")
                        .action(ArgAction::SetTrue)
                        .help("Ignore every acknowledgement and report all findings as warnings (for review; never deploy this output)"),
                ),
        )
        .subcommand(
            Command::new("list").about("List the stacks with their dependencies").arg(env_arg()).arg(config_arg()),
        )
        .subcommand(Command::new("envs").about("List the environments"))
        .subcommand(Command::new("schema").about("Print (or write) the JSON Schema of the app's configuration").arg(
            Arg::new("out").long("out").short('o').value_name("FILE").help("Write to this file instead of stdout"),
        ))
        .subcommand(
            Command::new("config")
                .about("Print an environment's configuration as JSON")
                .arg(env_arg())
                .arg(config_arg()),
        )
}

fn pick<C: DeserializeOwned + Clone>(envs: &mut Environments<C>, m: &ArgMatches) -> Result<Environment<C>, String> {
    let name = match m.get_one::<String>("env") {
        Some(n) => n.clone(),
        None => envs.names().first().map(|s| (*s).to_owned()).ok_or("the app declares no environments")?,
    };
    if let Some(path) = m.get_one::<String>("config") {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read config file {path}: {e}"))?;
        envs.load_config(&name, &text)?;
    }
    envs.get(&name).cloned()
}

/// Build the app for `env` and synthesize it (no output written).
pub fn synth_env<C>(
    name: &str,
    env: &Environment<C>,
    build: impl Fn(&App, &Environment<C>),
) -> Result<Assembly, crate::SynthError> {
    let app = App::new(name);
    app.set_environment(&env.name, env.production);
    build(&app, env);
    app.synth()
}

/// The "acknowledged: N" section printed by synth: each acknowledgement as
/// `rule: reason @ path` with the number of findings it silenced.
pub fn acknowledgements_summary(assembly: &Assembly) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if assembly.acknowledgements.is_empty() {
        return out;
    }
    let _ = writeln!(out, "acknowledged: {}", assembly.acknowledgements.len());
    for a in &assembly.acknowledgements {
        let n = assembly.acknowledged.iter().filter(|x| x.acknowledgement == *a).count();
        let at = if a.path.is_empty() { "<app>" } else { a.path.as_str() };
        let _ = writeln!(out, "  {}: {} @ {at} ({n} silenced)", a.rule, a.reason);
    }
    out
}

/// Run the app's command line with the process arguments. Returns the exit
/// code: 0 on success, 1 on synth errors, 2 on usage errors.
pub fn run<C>(name: &str, envs: Environments<C>, build: impl Fn(&App, &Environment<C>)) -> ExitCode
where
    C: Serialize + DeserializeOwned + schemars::JsonSchema + Clone,
{
    run_from(name, envs, build, std::env::args_os())
}

/// [`run`] with explicit arguments (first one is the program name).
pub fn run_from<C, I, T>(
    name: &str,
    mut envs: Environments<C>,
    build: impl Fn(&App, &Environment<C>),
    args: I,
) -> ExitCode
where
    C: Serialize + DeserializeOwned + schemars::JsonSchema + Clone,
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = match command(name).try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let fail = |msg: String| {
        eprintln!("error: {msg}");
        ExitCode::from(2)
    };
    match matches.subcommand() {
        Some(("synth", m)) => {
            let start = Instant::now();
            let env = match pick(&mut envs, m) {
                Ok(e) => e,
                Err(e) => return fail(e),
            };
            let stacks: Vec<String> = m.get_many::<String>("stack").map(|v| v.cloned().collect()).unwrap_or_default();
            let audit = m.get_flag("audit");
            let build_env = |app: &App, e: &Environment<C>| {
                app.set_audit(audit);
                build(app, e)
            };
            let result = synth_env(name, &env, build_env).and_then(|a| a.select(&stacks));
            let assembly = match result {
                Ok(a) => a,
                Err(e) => {
                    eprint!("{e}");
                    return ExitCode::from(1);
                }
            };
            for w in &assembly.warnings {
                eprintln!("{w}");
            }
            let out = PathBuf::from(m.get_one::<String>("out").map_or("cdk.out", String::as_str));
            if let Err(e) = assembly.write(&out) {
                return fail(format!("cannot write {}: {e}", out.display()));
            }
            if !m.get_flag("quiet") {
                let resources: usize = assembly
                    .stacks
                    .iter()
                    .map(|s| s.template.get("Resources").and_then(|r| r.as_object()).map_or(0, |r| r.len()))
                    .sum();
                println!(
                    "synthesized {name} ({}) into {}: {} stacks, {resources} resources in {:.1} ms",
                    env.name,
                    out.display(),
                    assembly.stacks.len(),
                    start.elapsed().as_secs_f64() * 1e3
                );
                for s in &assembly.stacks {
                    println!("  {} -> {}", s.id, s.template_file());
                }
                print!("{}", acknowledgements_summary(&assembly));
            }
            ExitCode::SUCCESS
        }
        Some(("list", m)) => {
            let env = match pick(&mut envs, m) {
                Ok(e) => e,
                Err(e) => return fail(e),
            };
            match synth_env(name, &env, &build) {
                Ok(a) => {
                    for s in &a.stacks {
                        let deps = if s.dependencies.is_empty() {
                            String::new()
                        } else {
                            format!(" (depends on {})", s.dependencies.join(", "))
                        };
                        println!("{}\t{}{deps}", s.id, s.stack_name);
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprint!("{e}");
                    ExitCode::from(1)
                }
            }
        }
        Some(("envs", _)) => {
            for e in envs.iter() {
                println!("{}{}", e.name, if e.production { "\t(production)" } else { "" });
            }
            ExitCode::SUCCESS
        }
        Some(("schema", m)) => {
            let text = crate::synth::render(&config_schema::<C>());
            match m.get_one::<String>("out") {
                Some(path) => match std::fs::write(path, text) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => fail(format!("cannot write {path}: {e}")),
                },
                None => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
            }
        }
        Some(("config", m)) => match pick(&mut envs, m) {
            Ok(e) => {
                print!("{}", crate::synth::render(&config_json(&e.config)));
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        _ => ExitCode::from(2),
    }
}
