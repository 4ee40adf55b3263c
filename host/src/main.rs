//! The `swfwasm` command line: see `swfwasm --help`.

mod cli;

/// mimalloc rather than glibc's malloc: a worker allocates and frees many small buffers per task
/// (JSON, HTTP, a wasmtime store per guest call), and glibc's malloc and free were a tenth of a
/// busy worker's CPU; mimalloc's are about 6%.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::num::NonZeroUsize;
use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_library_backtraces();
    let args = cli::Cli::parse_args();
    cli::init_logging();
    let mut builder = match args.threads().map(NonZeroUsize::get) {
        // One thread: the current-thread scheduler, which neither steals nor parks a second
        // thread.
        Some(1) => tokio::runtime::Builder::new_current_thread(),
        Some(threads) => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(threads);
            builder
        }
        None => tokio::runtime::Builder::new_multi_thread(),
    };
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => return cli::report(anyhow::anyhow!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(cli::run(args)) {
        Ok(code) => code,
        Err(error) => cli::report(error),
    }
}

/// Sets `RUST_LIB_BACKTRACE=0` unless the environment sets it, so that `RUST_BACKTRACE=1` (often
/// set where services run) keeps backtraces for panics but not for every library error created:
/// wasmtime creates one each time a store is dropped, one per task, and capturing its backtrace
/// was a twentieth of a busy worker's CPU. Errors here are reported by their chain of causes,
/// never with a backtrace.
fn quiet_library_backtraces() {
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // SAFETY: called first thing in `main`, before the runtime or any other thread exists,
        // so nothing reads the environment concurrently.
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    }
}
