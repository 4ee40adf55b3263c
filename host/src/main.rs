//! The `swfwasm` command line: see `swfwasm --help`.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse_args();
    cli::init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return cli::report(anyhow::anyhow!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(cli::run(args)) {
        Ok(code) => code,
        Err(error) => cli::report(error),
    }
}
