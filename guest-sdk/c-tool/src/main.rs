//! `swfwasm-c-tool`: the two build steps a C (or any wasip1 toolchain) swfwasm plugin needs
//! around its compiler.
//!
//! * `bindings` generates the C bindings of one world of the plugin contract
//!   (`guest-sdk/wit/plugin.wit`, with the WASI packages it imports in `guest-sdk/wit/deps`):
//!   `<world>.c`, `<world>.h` and `<world>_component_type.o`, the object that embeds the
//!   world's type so the linked core module can be turned into a component; for a world that
//!   imports `swfwasm:plugin/config` (the activity), also `swfwasm_config.h`
//!   (`include/swfwasm_config.h`), a helper reading a config key as a NUL-terminated string.
//! * `componentize` wraps a wasip1 *reactor* core module (what `clang --target=wasm32-wasi
//!   -mexec-model=reactor` links) into a component, adapting its `wasi_snapshot_preview1`
//!   imports with the reactor adapter shipped for the wasmtime version the host embeds.
//!
//! Why a crate rather than the `wit-bindgen` and `wasm-tools` CLIs: CI (and a developer) would
//! have to install those tools at versions matching the workspace. This tool is built by cargo
//! from the `wit-bindgen-c`, `wit-parser` and `wit-component` crates at the versions
//! `Cargo.lock` already pins for the Rust guests, so the C plugins always agree with them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
};
use wasmparser::{Parser as WasmParser, Payload};
use wit_bindgen_core::Files;
use wit_component::ComponentEncoder;
use wit_parser::Resolve;

/// Command line of `swfwasm-c-tool`.
#[derive(Debug, Parser)]
#[command(version, about = "Builds swfwasm plugins written in C")]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands of `swfwasm-c-tool`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generates the C bindings (`<world>.c`, `<world>.h`, `<world>_component_type.o`, and
    /// `swfwasm_config.h` if the world imports `config`) of one world.
    Bindings {
        /// Directory holding the WIT package and its dependencies in `deps/` (e.g.
        /// `guest-sdk/wit`).
        #[arg(long, value_name = "DIR")]
        wit: PathBuf,
        /// The world to generate bindings for (`decider` or `activity`).
        #[arg(long, value_name = "NAME")]
        world: String,
        /// Directory to write the generated files to; created if missing.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Wraps a wasip1 reactor core module into a component.
    Componentize {
        /// The core module, linked with the bindings' `_component_type.o`.
        #[arg(long, value_name = "CORE.wasm")]
        core: PathBuf,
        /// Where to write the component.
        #[arg(long, value_name = "OUT.wasm")]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Bindings { wit, world, out } => {
            for file in bindings(&wit, &world, &out)? {
                println!("wrote {}", file.display());
            }
        }
        Command::Componentize { core, out } => {
            let size = componentize(&core, &out)?;
            println!("wrote {} ({size} bytes)", out.display());
        }
    }
    Ok(())
}

/// The config helper header, written with the bindings of a world that imports
/// [`CONFIG_INTERFACE`].
const CONFIG_HEADER: (&str, &str) = (
    "swfwasm_config.h",
    include_str!("../include/swfwasm_config.h"),
);

/// The interface [`CONFIG_HEADER`] wraps, without its version.
const CONFIG_INTERFACE: &str = "swfwasm:plugin/config";

/// Generates the C bindings of `world` of the WIT package in `wit` (whose `deps/` directory, if
/// any, holds the packages it uses, e.g. `wasi:http`) into `out`, and returns the paths
/// written.
pub fn bindings(wit: &Path, world: &str, out: &Path) -> Result<Vec<PathBuf>> {
    let mut resolve = Resolve::default();
    let (package, _sources) = resolve
        .push_dir(wit)
        .with_context(|| format!("cannot read the WIT package in {}", wit.display()))?;
    let world_id = resolve
        .select_world(&[package], Some(world))
        .with_context(|| format!("no world `{world}` in the WIT package in {}", wit.display()))?;

    let mut files = Files::default();
    wit_bindgen_c::Opts::default()
        .build()
        .generate(&mut resolve, world_id, &mut files)
        .with_context(|| format!("cannot generate C bindings for world `{world}`"))?;

    fs::create_dir_all(out)
        .with_context(|| format!("cannot create output directory {}", out.display()))?;
    let mut written = Vec::new();
    for (name, contents) in files.iter() {
        let path = out.join(name);
        fs::write(&path, contents).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    if written.is_empty() {
        bail!("wit-bindgen-c generated no files for world `{world}`");
    }
    let imports_config = resolve.worlds[world_id].imports.keys().any(|key| {
        let name = resolve.name_world_key(key);
        name == CONFIG_INTERFACE || name.starts_with(&format!("{CONFIG_INTERFACE}@"))
    });
    if imports_config {
        let (name, contents) = CONFIG_HEADER;
        let path = out.join(name);
        fs::write(&path, contents).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Wraps the wasip1 reactor core module at `core` into a validated component at `out`, and
/// returns the component's size in bytes.
pub fn componentize(core: &Path, out: &Path) -> Result<usize> {
    let module = fs::read(core).with_context(|| format!("cannot read {}", core.display()))?;
    if !has_component_type(&module)
        .with_context(|| format!("{} is not a WebAssembly core module", core.display()))?
    {
        bail!(
            "{} embeds no component type: link it with the bindings' <world>_component_type.o",
            core.display()
        );
    }
    let component = ComponentEncoder::default()
        .module(&module)
        .with_context(|| {
            format!(
                "cannot read the component type embedded in {}",
                core.display()
            )
        })?
        .validate(true)
        .adapter(
            WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
            WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
        )
        .context("cannot load the wasi_snapshot_preview1 reactor adapter")?
        .encode()
        .with_context(|| format!("cannot turn {} into a component", core.display()))?;
    fs::write(out, &component).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(component.len())
}

/// Whether the core module holds a `component-type*` custom section (which wit-bindgen's
/// `_component_type.o` contributes). Without one, `ComponentEncoder` would happily produce a
/// component that exports nothing.
fn has_component_type(module: &[u8]) -> Result<bool> {
    for payload in WasmParser::new(0).parse_all(module) {
        match payload? {
            Payload::Version { encoding, .. } if encoding != wasmparser::Encoding::Module => {
                bail!("it is a component, not a core module")
            }
            Payload::CustomSection(section) if section.name().starts_with("component-type") => {
                return Ok(true);
            }
            _ => {}
        }
    }
    Ok(false)
}
