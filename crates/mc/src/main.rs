//! `microcred`: the one binary. Every role is a subcommand; `serve` runs the HTTP server.
//!
//! Exit codes: 0 success, 1 the request was refused or failed (the message says why), 2 the
//! command line itself was wrong. `verify` says 1 for an invalid credential and 2 for one that
//! could not be checked.

mod cli;
mod clock;
mod commands;
mod config;
mod input;
mod output;
mod progress;
mod random;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc halves the cost of JSON-LD processing, which allocates and frees many small
/// values (measured with `microcred bench credentials`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_tracing(&cli.command);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        // The reader of our output went away (`microcred spec list | head`): not our failure.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Logs go to stderr. The server logs at `info`; other commands only warn, so their stdout and
/// stderr stay readable. `RUST_LOG` overrides both.
fn init_tracing(command: &cli::Command) {
    let default = match command {
        cli::Command::Serve(_) => "info,sqlx=warn",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .init();
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        super::cli::Cli::command().debug_assert();
    }
}
