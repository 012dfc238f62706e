//! The command line of a user's app: `cargo run -- synth [--env dev]`.
#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::arithmetic_side_effects))]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::env::{config_json, config_schema, Environment, Environments};
use crate::graph::{App, EnvInfo};
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

/// A contribution to the app's command line: extra subcommands that work on
/// the synthesized assembly (the facade installs `diff`, `cost` and `graph`).
/// Core adds `--env` and `--config` to each subcommand, builds and
/// synthesizes the app for that environment, and hands the result over.
pub trait Extension {
    /// The subcommands this extension adds.
    fn commands(&self) -> Vec<Command>;
    /// Run the subcommand `name` (one of [`Extension::commands`]); the
    /// returned code is the process exit code.
    fn run(&self, ctx: &ExtensionContext<'_>, name: &str, matches: &ArgMatches) -> ExitCode;
}

/// What an [`Extension`] is handed: the built app and its synthesized assembly.
#[non_exhaustive]
pub struct ExtensionContext<'a> {
    /// The app's name.
    pub app_name: &'a str,
    /// The environment's name.
    pub environment: &'a str,
    /// Whether the environment is production.
    pub production: bool,
    /// The app graph, built for the environment.
    pub app: &'a App,
    /// The synthesized assembly (not written anywhere).
    pub assembly: &'a Assembly,
}

fn command(name: &str, extensions: &[&dyn Extension]) -> Command {
    let mut cmd = base_command(name);
    for ext in extensions {
        for sub in ext.commands() {
            cmd = cmd.subcommand(sub.arg(env_arg()).arg(config_arg()));
        }
    }
    cmd
}

fn base_command(name: &str) -> Command {
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
                )
                .arg(
                    Arg::new("timings")
                        .long("timings")
                        .action(ArgAction::SetTrue)
                        .help("Print the duration of each synth phase on standard error (also: STACKCRAFT_TIMINGS=1)"),
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

/// Print `text` on stdout. A reader that went away (`synth | head -1`: a
/// broken pipe) ends the output quietly with success; any other write error
/// is reported on stderr.
fn emit(text: &str) -> ExitCode {
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

/// Print `text` on stderr, ignoring a closed stderr (never panics).
fn emit_err(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

fn pick<C: DeserializeOwned + Clone>(envs: &mut Environments<C>, m: &ArgMatches) -> Result<Environment<C>, String> {
    let name = match m.get_one::<String>("env") {
        Some(n) => n.clone(),
        None => envs.names().first().map(|s| (*s).to_owned()).ok_or("the app declares no environments")?,
    };
    if let Some(path) = m.get_one::<String>("config") {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read config file {path}: {e}"))?;
        envs.load_config(&name, &text).map_err(|e| e.to_string())?;
    }
    envs.get(&name).cloned().map_err(|e| e.to_string())
}

/// Build the app for `env` and synthesize it (no output written).
pub fn synth_env<C>(
    name: &str,
    env: &Environment<C>,
    build: impl Fn(&App, &Environment<C>),
) -> Result<Assembly, crate::SynthError> {
    build_app(name, env, build).synth()
}

/// Synth phase "build": a new app for `env`, built by the user's `build`.
fn build_app<C>(name: &str, env: &Environment<C>, build: impl Fn(&App, &Environment<C>)) -> App {
    let app = App::new(name);
    let mut info = EnvInfo::new(&env.name, env.production);
    info.account.clone_from(&env.account);
    info.region.clone_from(&env.region);
    app.set_env(info);
    build(&app, env);
    app
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

/// [`run`] with extra subcommands contributed by `extensions`.
pub fn run_with<C>(
    name: &str,
    envs: Environments<C>,
    build: impl Fn(&App, &Environment<C>),
    extensions: &[&dyn Extension],
) -> ExitCode
where
    C: Serialize + DeserializeOwned + schemars::JsonSchema + Clone,
{
    run_from_with(name, envs, build, extensions, std::env::args_os())
}

/// [`run`] with explicit arguments (first one is the program name).
pub fn run_from<C, I, T>(name: &str, envs: Environments<C>, build: impl Fn(&App, &Environment<C>), args: I) -> ExitCode
where
    C: Serialize + DeserializeOwned + schemars::JsonSchema + Clone,
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    run_from_with(name, envs, build, &[], args)
}

/// [`run_with`] with explicit arguments (first one is the program name).
pub fn run_from_with<C, I, T>(
    name: &str,
    mut envs: Environments<C>,
    build: impl Fn(&App, &Environment<C>),
    extensions: &[&dyn Extension],
    args: I,
) -> ExitCode
where
    C: Serialize + DeserializeOwned + schemars::JsonSchema + Clone,
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = match command(name, extensions).try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let text = e.render().to_string();
            return if e.use_stderr() {
                emit_err(&text);
                ExitCode::from(2)
            } else {
                emit(&text)
            };
        }
    };
    let fail = |msg: String| {
        emit_err(&format!("error: {msg}\n"));
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
            if m.get_flag("timings") {
                crate::timings::enable();
            }
            let app = crate::timings::phase("build", || build_app(name, &env, build_env));
            let result = app.synth().and_then(|a| a.select(&stacks));
            // The process ends right after this command: freeing the graph
            // and the assembly (thousands of small allocations) is work with
            // no effect, so both are deliberately leaked here — in this CLI
            // path only; the library's own `synth_env` drops its app as usual.
            std::mem::forget(app);
            let assembly = match result {
                Ok(a) => std::mem::ManuallyDrop::new(a),
                Err(e) => {
                    emit_err(&e.to_string());
                    return ExitCode::from(1);
                }
            };
            // Warnings are printed even with -q (quiet means: nothing else on success).
            for w in &assembly.warnings {
                emit_err(&format!("{w}\n"));
            }
            let out = PathBuf::from(m.get_one::<String>("out").map_or("cdk.out", String::as_str));
            if let Err(e) = crate::timings::phase("write", || assembly.write(&out)) {
                return fail(format!("--out {e}"));
            }
            emit_err(&crate::timings::report());
            if m.get_flag("quiet") {
                return ExitCode::SUCCESS;
            }
            let resources: usize = assembly
                .stacks
                .iter()
                .map(|s| s.template.get("Resources").and_then(|r| r.as_object()).map_or(0, |r| r.len()))
                .sum();
            let mut text = format!(
                "synthesized {name} ({}) into {}: {} stacks, {resources} resources in {:.1} ms\n",
                env.name,
                out.display(),
                assembly.stacks.len(),
                start.elapsed().as_secs_f64() * 1e3
            );
            for s in &assembly.stacks {
                let place = if s.account.is_some() || s.region.is_some() {
                    format!(" ({})", s.environment_uri())
                } else {
                    String::new()
                };
                let shared = if s.shared { " [shared]" } else { "" };
                text.push_str(&format!("  {} -> {}{place}{shared}\n", s.id, s.template_file()));
            }
            text.push_str(&acknowledgements_summary(&assembly));
            emit(&text)
        }
        Some(("list", m)) => {
            let env = match pick(&mut envs, m) {
                Ok(e) => e,
                Err(e) => return fail(e),
            };
            match synth_env(name, &env, &build) {
                Ok(a) => {
                    let mut text = String::new();
                    for s in &a.stacks {
                        let deps = if s.dependencies.is_empty() {
                            String::new()
                        } else {
                            format!(" (depends on {})", s.dependencies.join(", "))
                        };
                        let place = if s.account.is_some() || s.region.is_some() {
                            format!("\t{}", s.environment_uri())
                        } else {
                            String::new()
                        };
                        text.push_str(&format!("{}\t{}{place}{deps}\n", s.id, s.stack_name));
                    }
                    emit(&text)
                }
                Err(e) => {
                    emit_err(&e.to_string());
                    ExitCode::from(1)
                }
            }
        }
        Some(("envs", _)) => {
            let mut text = String::new();
            for e in envs.iter() {
                text.push_str(&e.name);
                if e.account.is_some() || e.region.is_some() {
                    text.push_str(&format!(
                        "\taws://{}/{}",
                        e.account.as_deref().unwrap_or("unknown-account"),
                        e.region.as_deref().unwrap_or("unknown-region")
                    ));
                }
                if e.production {
                    text.push_str("\t(production)");
                }
                text.push('\n');
            }
            emit(&text)
        }
        Some(("schema", m)) => {
            let text = crate::synth::render(&config_schema::<C>());
            match m.get_one::<String>("out") {
                Some(path) => {
                    // Replace only a schema this command wrote before.
                    let ours = |old: &[u8]| {
                        serde_json::from_slice::<serde_json::Value>(old).is_ok_and(|v| v.get("$schema").is_some())
                    };
                    match crate::output::replace_file(
                        std::path::Path::new(path),
                        text.as_bytes(),
                        "a JSON Schema written by this command",
                        ours,
                    ) {
                        Ok(()) => ExitCode::SUCCESS,
                        Err(e) => fail(format!("--out {e}")),
                    }
                }
                None => emit(&text),
            }
        }
        Some(("config", m)) => match pick(&mut envs, m) {
            Ok(e) => emit(&crate::synth::render(&config_json(&e.config))),
            Err(e) => fail(e),
        },
        Some((sub, m)) => {
            let Some(ext) = extensions.iter().find(|e| e.commands().iter().any(|c| c.get_name() == sub)) else {
                return ExitCode::from(2);
            };
            let env = match pick(&mut envs, m) {
                Ok(e) => e,
                Err(e) => return fail(e),
            };
            let app = App::new(name);
            let mut info = EnvInfo::new(&env.name, env.production);
            info.account.clone_from(&env.account);
            info.region.clone_from(&env.region);
            app.set_env(info);
            build(&app, &env);
            let assembly = match app.synth() {
                Ok(a) => a,
                Err(e) => {
                    emit_err(&e.to_string());
                    return ExitCode::from(1);
                }
            };
            let ctx = ExtensionContext {
                app_name: name,
                environment: &env.name,
                production: env.production,
                app: &app,
                assembly: &assembly,
            };
            ext.run(&ctx, sub, m)
        }
        None => ExitCode::from(2),
    }
}
