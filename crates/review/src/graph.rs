//! The architecture graph (placeholder; filled below).
use std::process::ExitCode;

use clap::{ArgMatches, Command};
use stackcraft_core::cli::ExtensionContext;

pub(crate) fn command() -> Command {
    Command::new("graph").about("Draw the app's architecture")
}

pub(crate) fn run(_ctx: &ExtensionContext<'_>, _m: &ArgMatches) -> ExitCode {
    ExitCode::from(2)
}
