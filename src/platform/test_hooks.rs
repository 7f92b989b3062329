//! Hooks for the end-to-end tests, present only when the page is opened with the query flag
//! `smp-test-hooks` (e.g. `/?smp-test-hooks`); without it nothing here exists, so no ordinary
//! use can reach them. `window.__smpTest` then offers:
//! - `panic()`: panic on the main thread (the `#fatal` banner must show);
//! - `workerFault("panic" | "hang")`: the worker's next job panics or never answers;
//! - `workerTimeoutMs(ms)`: the silence after which a worker is taken for hung.

use std::rc::Rc;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use super::window;
use super::worker::WorkerClient;
use crate::protocol::TestFault;

pub const FLAG: &str = "smp-test-hooks";

/// Whether the page's query has the test flag.
pub fn enabled() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| q.trim_start_matches('?').split('&').any(|p| p == FLAG))
}

/// Put `window.__smpTest` in place (only with the flag).
pub fn install(work: &Rc<WorkerClient>) {
    if !enabled() {
        return;
    }
    let hooks = Object::new();
    let panic = Closure::<dyn Fn()>::new(|| panic!("a test asked the page to panic"));
    let w = work.clone();
    let fault = Closure::<dyn Fn(String)>::new(move |kind: String| match kind.as_str() {
        "panic" => w.fail_next_job(TestFault::Panic),
        "hang" => w.fail_next_job(TestFault::Hang),
        _ => web_sys::console::warn_1(&format!("unknown worker fault {kind:?}").into()),
    });
    let w = work.clone();
    let timeout = Closure::<dyn Fn(f64)>::new(move |ms: f64| w.set_timeout_ms(ms as i32));
    let _ = Reflect::set(&hooks, &"panic".into(), panic.as_ref());
    let _ = Reflect::set(&hooks, &"workerFault".into(), fault.as_ref());
    let _ = Reflect::set(&hooks, &"workerTimeoutMs".into(), timeout.as_ref());
    let _ = Reflect::set(&window(), &"__smpTest".into(), &hooks);
    // They live as long as the page.
    panic.forget();
    fault.forget();
    timeout.forget();
}
