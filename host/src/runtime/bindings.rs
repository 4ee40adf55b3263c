//! Host-side bindings of the WIT worlds, and the linkers that provide the host imports.
//!
//! Both worlds share the `types` and `host` interfaces; the activity bindings reuse the
//! decider's generated code for them (`with`) so there is one `Level`, one `log` impl.

use wasmtime::Engine;
use wasmtime::component::{HasSelf, Linker};

use super::sandbox::GuestState;

pub(crate) mod decider {
    wasmtime::component::bindgen!({
        world: "decider",
        path: "../guest-sdk/wit",
        imports: { default: trappable },
        exports: { default: async },
    });
}

pub(crate) mod activity {
    wasmtime::component::bindgen!({
        world: "activity",
        path: "../guest-sdk/wit",
        imports: {
            "swfwasm:plugin/activity-host.heartbeat": async | trappable,
            default: trappable,
        },
        exports: { default: async },
        with: {
            "swfwasm:plugin/types": super::decider::swfwasm::plugin::types,
            "swfwasm:plugin/host": super::decider::swfwasm::plugin::host,
        },
    });
}

pub(crate) use decider::swfwasm::plugin::types::{
    ActivityError as WitActivityError, ActivityTypeDecl, HeartbeatStatus as WitHeartbeatStatus,
    Level, WorkflowTypeDecl,
};

/// One linker per world, each with WASI and the host interfaces that world imports.
pub(crate) struct Linkers {
    pub(crate) decider: Linker<GuestState>,
    pub(crate) activity: Linker<GuestState>,
}

impl Linkers {
    pub(crate) fn new(engine: &Engine) -> wasmtime::Result<Self> {
        let mut decider = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut decider)?;
        decider::Decider::add_to_linker::<_, HasSelf<GuestState>>(&mut decider, |s| s)?;

        let mut activity = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut activity)?;
        activity::Activity::add_to_linker::<_, HasSelf<GuestState>>(&mut activity, |s| s)?;
        Ok(Self { decider, activity })
    }
}
