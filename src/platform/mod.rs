//! Thin browser glue: files, canvas drawing, downloads, frame timing, the Web Worker (both
//! sides), the panic banner and the end-to-end test hooks. Nothing here decides
//! anything about images; it moves bytes and pixels between `smp-core` and the page.

pub mod canvas;
pub mod download;
pub mod fatal;
pub mod files;
pub mod frame;
pub mod in_worker;
pub mod store;
pub mod tabs;
pub mod test_hooks;
pub mod worker;

use wasm_bindgen::JsValue;

/// A readable message from a JS error value.
pub fn js_error_text(e: &JsValue) -> String {
    use wasm_bindgen::JsCast;
    match e.dyn_ref::<js_sys::Error>() {
        Some(err) => String::from(err.message()),
        None => e.as_string().unwrap_or_else(|| format!("{e:?}")),
    }
}

pub fn window() -> web_sys::Window {
    web_sys::window().expect("no window")
}

pub fn now_ms() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// Set an attribute on `<body>`: figures and progress read by the end-to-end tests and the
/// in-browser benchmark.
pub fn set_body_attribute(name: &str, value: &str) {
    if let Some(body) = window().document().and_then(|d| d.body()) {
        let _ = body.set_attribute(name, value);
    }
}

/// Run `f` once, `ms` milliseconds from now.
pub fn after_ms(ms: i32, f: impl FnOnce() + 'static) {
    use wasm_bindgen::JsCast;
    let cb = wasm_bindgen::closure::Closure::once_into_js(f);
    let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), ms);
}
