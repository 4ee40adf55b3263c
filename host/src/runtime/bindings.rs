//! Host-side bindings of the WIT worlds, and the linkers that provide the host imports.
//!
//! Two versions of the contract are linked: `swfwasm:plugin@0.2.0` (the current one, in
//! `guest-sdk/wit`) and `swfwasm:plugin@0.1.0` (frozen in `host/wit/plugin-0.1.0`), so
//! artifacts built against 0.1.0 keep loading unchanged. Both worlds of both versions share
//! the 0.2.0 `types` (structurally identical where 0.1.0 has them) through `with`, so there is
//! one `Level`, one `WorkflowTypeDecl`, one `ActivityTypeDecl`.
//!
//! The decider linker has WASI without sockets or HTTP; the activity linker adds `wasi:http`
//! (whose requests go through `outbound`'s hooks) and the config interface.
//!
//! The host interfaces' implementations for [`GuestState`] live here, next to the bindings
//! they implement, and translate between WIT types and the sandbox's own; so do the
//! conversions of declared types into the runtime's public [`WorkflowTypeDecl`] and
//! [`ActivityTypeDecl`].

use wasmtime::Engine;
use wasmtime::component::{HasSelf, Linker};

use super::heartbeat::HeartbeatStatus;
use super::sandbox::GuestState;
use super::types::{ActivityTypeDecl, WorkflowTypeDecl};
use crate::grant::ConfigAnswer;

pub(crate) mod decider {
    wasmtime::component::bindgen!({
        world: "decider",
        path: "../guest-sdk/wit",
        imports: { default: trappable },
        exports: { default: async },
    });
}

/// The `warm-decider` world: a decider with `decide-since` (instantiated from the same
/// linked component as its `decider` bindings when it exports that function).
pub(crate) mod warm_decider {
    wasmtime::component::bindgen!({
        world: "warm-decider",
        path: "../guest-sdk/wit",
        imports: { default: trappable },
        exports: { default: async },
        with: {
            "swfwasm:plugin/types": super::decider::swfwasm::plugin::types,
            "swfwasm:plugin/host": super::decider::swfwasm::plugin::host,
        },
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
            "wasi:http": wasmtime_wasi_http::p2::bindings::http,
            "wasi:io": wasmtime_wasi::p2::bindings::io,
            "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
        },
    });
}

/// `swfwasm:plugin@0.1.0`: no `requires`, no config, no HTTP.
pub(crate) mod v0_1 {
    pub(crate) mod decider {
        wasmtime::component::bindgen!({
            world: "decider",
            path: "wit/plugin-0.1.0",
            imports: { default: trappable },
            exports: { default: async },
            with: {
                "swfwasm:plugin/types": crate::runtime::bindings::decider::swfwasm::plugin::types,
            },
        });
    }

    pub(crate) mod activity {
        wasmtime::component::bindgen!({
            world: "activity",
            path: "wit/plugin-0.1.0",
            imports: {
                "swfwasm:plugin/activity-host.heartbeat": async | trappable,
                default: trappable,
            },
            exports: { default: async },
            with: {
                "swfwasm:plugin/types": crate::runtime::bindings::decider::swfwasm::plugin::types,
                "swfwasm:plugin/host": super::decider::swfwasm::plugin::host,
            },
        });
    }
}

use activity::swfwasm::plugin::config::ConfigError as WitConfigError;
pub(crate) use decider::swfwasm::plugin::types::{
    ActivityError as WitActivityError, Need as WitNeed, Requirements as WitRequirements,
};
use decider::swfwasm::plugin::types::{
    ActivityTypeDecl as WitActivityTypeDecl, HeartbeatStatus as WitHeartbeatStatus, Level,
    WorkflowTypeDecl as WitWorkflowTypeDecl,
};

/// Replaces `wasi:http/types.http-error-code`, which in wasmtime-wasi-http 48.0.8 recognises
/// only its p2 `error-code` inside a stream error. Errors our outbound hooks raise inside a
/// response body (size limit, idle timeout) are the crate's unified `Error`, and would reach the
/// guest as no code at all; this maps them to their `error-code` as well.
fn shadow_http_error_code(linker: &mut Linker<GuestState>) -> wasmtime::Result<()> {
    use wasmtime::component::Resource;
    use wasmtime_wasi_http::Error;
    use wasmtime_wasi_http::p2::bindings::http::types::ErrorCode;

    linker.allow_shadowing(true);
    linker.instance("wasi:http/types@0.2.12")?.func_wrap(
        "http-error-code",
        |mut store: wasmtime::StoreContextMut<'_, GuestState>,
         (error,): (Resource<wasmtime::Error>,)| {
            let error = store.data_mut().table().get(&error)?;
            let code = match error.downcast_ref::<ErrorCode>() {
                Some(code) => Some(code.clone()),
                None => error.downcast_ref::<Error>().map(|e| match e {
                    Error::HttpResponseBodySize(limit) => ErrorCode::HttpResponseBodySize(*limit),
                    Error::HttpRequestBodySize(limit) => ErrorCode::HttpRequestBodySize(*limit),
                    Error::ConnectionReadTimeout => ErrorCode::ConnectionReadTimeout,
                    Error::HttpResponseTimeout => ErrorCode::HttpResponseTimeout,
                    Error::ConnectionTerminated => ErrorCode::ConnectionTerminated,
                    other => ErrorCode::InternalError(Some(other.to_string())),
                }),
            };
            Ok((code,))
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

/// One linker per world, each with WASI and the host interfaces that world imports, in every
/// contract version.
pub(crate) struct Linkers {
    pub(crate) decider: Linker<GuestState>,
    pub(crate) activity: Linker<GuestState>,
}

impl Linkers {
    pub(crate) fn new(engine: &Engine) -> wasmtime::Result<Self> {
        let mut decider = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut decider)?;
        decider::Decider::add_to_linker::<_, HasSelf<GuestState>>(&mut decider, |s| s)?;
        v0_1::decider::Decider::add_to_linker::<_, HasSelf<GuestState>>(&mut decider, |s| s)?;

        let mut activity = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut activity)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut activity)?;
        shadow_http_error_code(&mut activity)?;
        decider::swfwasm::plugin::types::add_to_linker::<_, HasSelf<GuestState>>(
            &mut activity,
            |s| s,
        )?;
        decider::swfwasm::plugin::host::add_to_linker::<_, HasSelf<GuestState>>(
            &mut activity,
            |s| s,
        )?;
        activity::swfwasm::plugin::activity_host::add_to_linker::<_, HasSelf<GuestState>>(
            &mut activity,
            |s| s,
        )?;
        activity::swfwasm::plugin::config::add_to_linker::<_, HasSelf<GuestState>>(
            &mut activity,
            |s| s,
        )?;
        v0_1::activity::Activity::add_to_linker::<_, HasSelf<GuestState>>(&mut activity, |s| s)?;
        Ok(Self { decider, activity })
    }
}

impl From<WitWorkflowTypeDecl> for WorkflowTypeDecl {
    fn from(t: WitWorkflowTypeDecl) -> Self {
        Self {
            name: t.name,
            version: t.version,
            description: t.description,
            default_task_list: t.default_task_list,
            default_task_priority: t.default_task_priority,
            default_execution_start_to_close_timeout: t.default_execution_start_to_close_timeout,
            default_task_start_to_close_timeout: t.default_task_start_to_close_timeout,
            default_child_policy: t.default_child_policy,
        }
    }
}

impl From<WitActivityTypeDecl> for ActivityTypeDecl {
    fn from(t: WitActivityTypeDecl) -> Self {
        Self {
            name: t.name,
            version: t.version,
            description: t.description,
            default_task_list: t.default_task_list,
            default_task_priority: t.default_task_priority,
            default_task_start_to_close_timeout: t.default_task_start_to_close_timeout,
            default_task_heartbeat_timeout: t.default_task_heartbeat_timeout,
            default_task_schedule_to_start_timeout: t.default_task_schedule_to_start_timeout,
            default_task_schedule_to_close_timeout: t.default_task_schedule_to_close_timeout,
        }
    }
}

fn tracing_level(level: Level) -> tracing::Level {
    match level {
        Level::Trace => tracing::Level::TRACE,
        Level::Debug => tracing::Level::DEBUG,
        Level::Info => tracing::Level::INFO,
        Level::Warn => tracing::Level::WARN,
        Level::Error => tracing::Level::ERROR,
    }
}

fn wit_heartbeat_status(status: HeartbeatStatus) -> WitHeartbeatStatus {
    match status {
        HeartbeatStatus::Ok => WitHeartbeatStatus::Ok,
        HeartbeatStatus::CancelRequested => WitHeartbeatStatus::CancelRequested,
        HeartbeatStatus::TaskGone => WitHeartbeatStatus::TaskGone,
    }
}

impl decider::swfwasm::plugin::types::Host for GuestState {}

impl decider::swfwasm::plugin::host::Host for GuestState {
    fn log(&mut self, level: Level, message: String) -> wasmtime::Result<()> {
        self.log_line(tracing_level(level), &message);
        Ok(())
    }
}

impl v0_1::decider::swfwasm::plugin::host::Host for GuestState {
    fn log(&mut self, level: Level, message: String) -> wasmtime::Result<()> {
        self.log_line(tracing_level(level), &message);
        Ok(())
    }
}

impl activity::swfwasm::plugin::activity_host::Host for GuestState {
    async fn heartbeat(&mut self, details: Option<String>) -> wasmtime::Result<WitHeartbeatStatus> {
        Ok(wit_heartbeat_status(self.send_heartbeat(details).await))
    }
}

impl v0_1::activity::swfwasm::plugin::activity_host::Host for GuestState {
    async fn heartbeat(&mut self, details: Option<String>) -> wasmtime::Result<WitHeartbeatStatus> {
        Ok(wit_heartbeat_status(self.send_heartbeat(details).await))
    }
}

impl activity::swfwasm::plugin::config::Host for GuestState {
    fn get(&mut self, key: String) -> wasmtime::Result<Result<Option<String>, WitConfigError>> {
        Ok(match self.config_get(&key) {
            ConfigAnswer::Value(value) => Ok(value),
            ConfigAnswer::Undeclared => Err(WitConfigError::Undeclared),
            ConfigAnswer::Unavailable(reason) => Err(WitConfigError::Unavailable(reason)),
        })
    }
}
