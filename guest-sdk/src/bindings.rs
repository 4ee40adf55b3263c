//! The wit-bindgen bindings of the two worlds in `wit/plugin.wit`, each behind its feature.
//! Plugin code never names these; the export macros and the SDK's wrappers do.

/// Bindings of the `warm-decider` world (the `decider` world plus `decide-since`).
#[cfg(feature = "decider")]
#[allow(missing_docs)]
pub mod decider {
    wit_bindgen::generate!({
        world: "warm-decider",
        path: "wit",
        pub_export_macro: true,
        export_macro_name: "__export_decider_world",
        default_bindings_module: "swfwasm_guest::bindings::decider",
    });
}

/// Bindings of the `activity` world.
#[cfg(feature = "activity")]
#[allow(missing_docs)]
pub mod activity {
    wit_bindgen::generate!({
        world: "activity",
        path: "wit",
        pub_export_macro: true,
        export_macro_name: "__export_activity_world",
        default_bindings_module: "swfwasm_guest::bindings::activity",
        // wasi:http and the wasi:io, wasi:clocks types it uses, under `activity::wasi`. A
        // plugin that never sends a request does not import them: unused imports are dropped
        // when the component is made.
        generate_all,
    });
}
