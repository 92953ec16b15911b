//! The `altinn-contacts` command-line tool, as a library so its parts are unit-tested; the
//! binary (`src/main.rs`) only calls [`main`].
//!
//! - `args`: the command line (clap derive, with environment variables).
//! - `commands`: each command: validate, connect, call, print.
//! - `bulk`: the bulk commands: streamed input, JSON Lines output, `--resume` and `--force`,
//!   progress, summary.
//! - `output`: table, JSON, JSON Lines and CSV.
//! - `profile`: the config file's profiles, merged under flags and environment; `config show`.
//! - `doctor`: `altinn-contacts doctor`, the setup checks.
//! - `serve`: `altinn-contacts serve`, the Altinn 2 contract as a gateway over the backend.
//! - `completions`: `altinn-contacts completions bash|zsh|fish|powershell`.
//! - `error`: the `error:` line and the exit codes (0 ok, 1 failed, 2 usage, 3 unsupported by
//!   the backend, 130 Ctrl-C).

mod args;
mod bulk;
mod commands;
mod completions;
mod doctor;
mod error;
mod output;
mod profile;
mod serve;

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::args::Cli;
use crate::error::{CliError, EXIT_FAILED};

/// The command line's definition (commands, options, help texts): for shell completions and
/// the man page (`cargo xtask man`).
pub fn command() -> clap::Command {
    Cli::command()
}

/// The command line as parsed at run time: clap's own color detection keeps colors in a
/// terminal whenever `CI` is set, even under `TERM=dumb`, so help and errors follow the same
/// rule as the rest of stderr ([`colors_allowed`]).
fn parser() -> clap::Command {
    let command = Cli::command();
    if colors_allowed(
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    ) {
        command
    } else {
        command.color(clap::ColorChoice::Never)
    }
}

/// Runs the tool with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    // The matches are kept: they tell a typed or environment value from a default, which the
    // profile then fills in.
    let parsed = parser()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)))
        .map_err(|e| e.format(&mut parser()));
    let cli = match parsed {
        Ok((mut cli, matches)) => match profile::apply(&mut cli, &matches) {
            Ok(()) => cli,
            Err(e) => {
                eprintln!("{}", e.line());
                return ExitCode::from(e.exit_code());
            }
        },
        Err(e) => {
            // Help and version go to stdout with code 0; usage errors to stderr with code 2.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    init_tracing(cli.global.verbose);
    let runtime = match runtime_builder(&cli).enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!(
                "{}",
                CliError::failed("cannot start the async runtime", e).line()
            );
            return ExitCode::from(EXIT_FAILED);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !e.is_quiet() {
                eprintln!("{}", e.line());
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// The async runtime for the command. A bulk job runs on one thread (tokio's current-thread
/// runtime): its work per request is small (a request, a JSON body, a line), and on the
/// multi-thread runtime each answer crossed threads, from the worker that ran the connection
/// to the thread polling the job, at a futex wake-up each way. On the `bulk_speed` benchmark
/// (20,000 numbers, 64 in flight, 2 cores) one thread took about a quarter less CPU time than
/// the plain multi-thread reqwest loop and no more wall time, with a handful of context
/// switches instead of about 15,000. The 64 requests are still in flight at once (they wait
/// on sockets, not on threads). With `--sandbox` the embedded server shares the process, so
/// it keeps the multi-thread runtime for the server's sake; every other command does too.
fn runtime_builder(cli: &Cli) -> tokio::runtime::Builder {
    if matches!(cli.command, args::Command::Bulk(_)) && !cli.global.sandbox {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    }
}

/// `-v` shows each request of the transport (its `altinn_contacts` span: operation,
/// organization, method, path; and per attempt: status and time) on stderr; `-vv` more detail.
/// Secrets never reach these events: the transport does not record them.
fn init_tracing(verbose: u8) {
    let directives = match verbose {
        // The gateway (`serve`) logs each request it answers at info; no other command uses it.
        0 => "warn,altinn_contacts_server=info",
        1 => {
            "warn,altinn_contacts=debug,altinn_contacts_reqwest=debug,altinn_contacts_cli=debug,altinn_contacts_server=debug"
        }
        _ => {
            "warn,altinn_contacts=trace,altinn_contacts_reqwest=trace,altinn_contacts_cli=trace,altinn_contacts_sandbox=debug,altinn_contacts_server=debug"
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(directives))
        .with_writer(io::stderr)
        .with_ansi(colors_on_stderr())
        .with_target(false)
        .try_init();
}

/// Whether stderr gets colors: only a terminal, and not when `NO_COLOR` is set to anything but
/// the empty string (<https://no-color.org>) or `TERM` is `dumb`.
pub(crate) fn colors_on_stderr() -> bool {
    io::stderr().is_terminal()
        && colors_allowed(
            std::env::var_os("NO_COLOR").as_deref(),
            std::env::var_os("TERM").as_deref(),
        )
}

/// The environment's part of [`colors_on_stderr`].
fn colors_allowed(no_color: Option<&std::ffi::OsStr>, term: Option<&std::ffi::OsStr>) -> bool {
    no_color.is_none_or(|v| v.is_empty()) && term.is_none_or(|t| t != "dumb")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn no_color_and_a_dumb_terminal_turn_colors_off() {
        assert!(colors_allowed(None, None));
        assert!(colors_allowed(None, Some(OsStr::new("xterm-256color"))));
        // An empty NO_COLOR does not count, as the convention says.
        assert!(colors_allowed(Some(OsStr::new("")), None));
        assert!(!colors_allowed(Some(OsStr::new("1")), None));
        assert!(!colors_allowed(Some(OsStr::new("0")), None));
        assert!(!colors_allowed(None, Some(OsStr::new("dumb"))));
    }
}
