//! What the bytes and the shape of a component say before anything runs: is it a component
//! at all, which world it implements, what it imports and exports.

use wasmtime::Engine;
use wasmtime::component::Component;

use super::error::LoadError;
use super::types::World;

/// Rejects anything that is not a component, with the reason in words.
pub(crate) fn check_component_header(bytes: &[u8]) -> Result<(), LoadError> {
    const CORE_VERSION: [u8; 4] = [1, 0, 0, 0];
    match bytes {
        [0, b'a', b's', b'm', version @ ..] if version.starts_with(&CORE_VERSION) => {
            Err(LoadError::NotAComponent(
                "this is a core WebAssembly module; build for wasm32-wasip2 or wrap it with \
                 `wasm-tools component new`"
                    .into(),
            ))
        }
        [0, b'a', b's', b'm', ..] => Ok(()),
        // Component text format, accepted for tests and experiments.
        _ if bytes.trim_ascii_start().starts_with(b"(component") => Ok(()),
        _ => Err(LoadError::NotAComponent(
            "the file does not start with the WebAssembly magic number".into(),
        )),
    }
}

pub(crate) fn detect_world(component: &Component, engine: &Engine) -> Result<World, LoadError> {
    let (exports, imports) = names(component, engine);
    let has = |name: &str| exports.iter().any(|e| e == name);
    if has("describe") && has("decide") {
        Ok(World::Decider)
    } else if has("describe") && has("execute") {
        Ok(World::Activity)
    } else {
        Err(LoadError::UnknownWorld { exports, imports })
    }
}

/// The component's export and import names.
pub(crate) fn names(component: &Component, engine: &Engine) -> (Vec<String>, Vec<String>) {
    let ty = component.component_type();
    let exports = ty.exports(engine).map(|(n, _)| n.to_owned()).collect();
    let imports = ty.imports(engine).map(|(n, _)| n.to_owned()).collect();
    (exports, imports)
}
